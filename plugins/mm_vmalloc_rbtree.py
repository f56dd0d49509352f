"""The kernel's red-black tree (``lib/rbtree.c``), with the augmented variant, for the vmap layer.

The vmap layer keeps its areas in rbtrees keyed by address from db64fe02258f
(2.6.28): the busy areas, and from 68ad4a330433 (5.2) the free ones, in a
tree augmented with ``subtree_max_size`` (the largest free block below each
node), declared in the kernel with ``RB_DECLARE_CALLBACKS_MAX``.  The
balancing here follows ``lib/rbtree.c`` step for step -- ``__rb_insert``
with its three cases, ``__rb_erase_augmented`` and ``____rb_erase_color``
with their four -- so the shape of a model tree, and the number of nodes a
search visits in it, are those of the kernel's tree after the same sequence
of insertions and erasures.

Nodes are the :class:`RbNode` objects the callers insert (``vmap_area`` in
the kernel embeds its ``rb_node``); ``left``, ``right`` and ``parent`` are
references, ``red`` the colour.  Searches are written by the callers, as in
C: they descend from ``tree.root`` themselves, then link the new node with
:meth:`RbTree.link` and balance with :meth:`RbTree.insert_color`.
"""

from __future__ import annotations

from typing import Iterator


class RbNode:
    """An rbtree node carrying a ``vmap_area``'s fields (``va_start``, ``va_end``)."""

    __slots__ = ("left", "right", "parent", "red", "va_start", "va_end", "subtree_max_size")

    def __init__(self, va_start: int = 0, va_end: int = 0):
        self.left: RbNode | None = None
        self.right: RbNode | None = None
        self.parent: RbNode | None = None
        self.red = True
        self.va_start = va_start
        self.va_end = va_end
        self.subtree_max_size = 0


def rb_next(node: RbNode) -> RbNode | None:
    """The node after ``node`` in address order (``rb_next``)."""
    if node.right is not None:
        node = node.right
        while node.left is not None:
            node = node.left
        return node
    parent = node.parent
    while parent is not None and node is parent.right:
        node = parent
        parent = node.parent
    return parent


def rb_prev(node: RbNode) -> RbNode | None:
    """The node before ``node`` in address order (``rb_prev``)."""
    if node.left is not None:
        node = node.left
        while node.right is not None:
            node = node.right
        return node
    parent = node.parent
    while parent is not None and node is parent.left:
        node = parent
        parent = node.parent
    return parent


def _size(node: RbNode) -> int:
    return node.va_end - node.va_start


class RbTree:
    """An rbtree; ``augmented`` keeps each node's ``subtree_max_size`` up to date."""

    __slots__ = ("root", "augmented", "count")

    def __init__(self, augmented: bool = False):
        self.root: RbNode | None = None
        self.augmented = augmented
        self.count = 0

    # -- helpers -----------------------------------------------------------------
    def _compute_max(self, node: RbNode) -> int:
        best = node.va_end - node.va_start
        left, right = node.left, node.right
        if left is not None and left.subtree_max_size > best:
            best = left.subtree_max_size
        if right is not None and right.subtree_max_size > best:
            best = right.subtree_max_size
        return best

    def propagate(self, node: RbNode | None, stop: RbNode | None = None) -> None:
        """``augment->propagate``: recompute ``subtree_max_size`` upwards until nothing changes
        (:meth:`_compute_max` written out inline: this runs on every vmalloc and every merge)."""
        while node is not stop:
            value = node.va_end - node.va_start
            left, right = node.left, node.right
            if left is not None and left.subtree_max_size > value:
                value = left.subtree_max_size
            if right is not None and right.subtree_max_size > value:
                value = right.subtree_max_size
            if node.subtree_max_size == value:
                break
            node.subtree_max_size = value
            node = node.parent

    def _change_child(self, old: RbNode, new: RbNode | None, parent: RbNode | None) -> None:
        if parent is not None:
            if parent.left is old:
                parent.left = new
            else:
                parent.right = new
        else:
            self.root = new

    def _rotate_set_parents(self, old: RbNode, new: RbNode, red: bool) -> None:
        """``__rb_rotate_set_parents``: ``new`` takes ``old``'s place and parent, ``old`` gets ``red``."""
        parent = old.parent
        new.parent = parent
        new.red = old.red
        old.parent = new
        old.red = red
        self._change_child(old, new, parent)

    def _augment_rotate(self, old: RbNode, new: RbNode) -> None:
        if self.augmented:
            new.subtree_max_size = old.subtree_max_size
            old.subtree_max_size = self._compute_max(old)

    # -- insertion -------------------------------------------------------------------
    def link(self, node: RbNode, parent: RbNode | None, left: bool) -> None:
        """``rb_link_node``: hang ``node`` (red, no children) under ``parent`` on the given side."""
        node.parent = parent
        node.left = node.right = None
        node.red = True
        if parent is None:
            self.root = node
        elif left:
            parent.left = node
        else:
            parent.right = node
        self.count += 1

    def insert_color(self, node: RbNode) -> None:
        """``__rb_insert``: rebalance after :meth:`link` (with the augment rotate callback)."""
        parent = node.parent
        while True:
            if parent is None:
                node.red = False
                break
            if not parent.red:
                break
            gparent = parent.parent
            tmp = gparent.right
            if parent is not tmp:  # parent == gparent.left
                if tmp is not None and tmp.red:  # case 1: colour flips
                    tmp.red = False
                    parent.red = False
                    gparent.red = True
                    node = gparent
                    parent = node.parent
                    continue
                tmp = parent.right
                if node is tmp:  # case 2: left rotate at parent
                    tmp = node.left
                    parent.right = tmp
                    node.left = parent
                    if tmp is not None:
                        tmp.parent = parent
                        tmp.red = False
                    parent.parent = node
                    parent.red = True
                    self._augment_rotate(parent, node)
                    parent = node
                    tmp = node.right
                # case 3: right rotate at gparent
                gparent.left = tmp
                parent.right = gparent
                if tmp is not None:
                    tmp.parent = gparent
                    tmp.red = False
                self._rotate_set_parents(gparent, parent, True)
                self._augment_rotate(gparent, parent)
                break
            else:
                tmp = gparent.left
                if tmp is not None and tmp.red:  # case 1
                    tmp.red = False
                    parent.red = False
                    gparent.red = True
                    node = gparent
                    parent = node.parent
                    continue
                tmp = parent.left
                if node is tmp:  # case 2: right rotate at parent
                    tmp = node.right
                    parent.left = tmp
                    node.right = parent
                    if tmp is not None:
                        tmp.parent = parent
                        tmp.red = False
                    parent.parent = node
                    parent.red = True
                    self._augment_rotate(parent, node)
                    parent = node
                    tmp = node.left
                # case 3: left rotate at gparent
                gparent.right = tmp
                parent.left = gparent
                if tmp is not None:
                    tmp.parent = gparent
                    tmp.red = False
                self._rotate_set_parents(gparent, parent, True)
                self._augment_rotate(gparent, parent)
                break

    # -- erasure -----------------------------------------------------------------------
    def erase(self, node: RbNode) -> None:
        """``rb_erase`` / ``rb_erase_augmented``: unlink ``node`` and rebalance."""
        rebalance = self._erase_augmented(node)
        if rebalance is not None:
            self._erase_color(rebalance)
        node.parent = node.left = node.right = None
        self.count -= 1

    def _erase_augmented(self, node: RbNode) -> RbNode | None:
        child = node.right
        tmp = node.left
        augmented = self.augmented
        if tmp is None:
            # case 1: at most one (right) child
            parent = node.parent
            self._change_child(node, child, parent)
            if child is not None:
                child.parent = parent
                child.red = node.red
                rebalance = None
            else:
                rebalance = parent if not node.red else None
            tmp = parent
        elif child is None:
            # one left child: it must be red
            parent = node.parent
            tmp.parent = parent
            tmp.red = node.red
            self._change_child(node, tmp, parent)
            rebalance = None
            tmp = parent
        else:
            successor = child
            tmp = child.left
            if tmp is None:
                # case 2: the successor is node's right child
                parent = successor
                child2 = successor.right
                if augmented:
                    successor.subtree_max_size = node.subtree_max_size  # augment->copy
            else:
                # case 3: the successor is the leftmost node of node's right subtree
                while True:
                    parent = successor
                    successor = tmp
                    tmp = tmp.left
                    if tmp is None:
                        break
                child2 = successor.right
                parent.left = child2
                successor.right = child
                child.parent = successor
                if augmented:
                    successor.subtree_max_size = node.subtree_max_size  # augment->copy
                    self.propagate(parent, successor)
            tmp = node.left
            successor.left = tmp
            tmp.parent = successor
            pc_parent = node.parent
            self._change_child(node, successor, pc_parent)
            if child2 is not None:
                child2.parent = parent
                child2.red = False
                rebalance = None
            else:
                rebalance = parent if not successor.red else None
            successor.parent = pc_parent
            successor.red = node.red
            tmp = successor
        if augmented:
            self.propagate(tmp, None)
        return rebalance

    def _erase_color(self, parent: RbNode) -> None:
        """``____rb_erase_color``: restore the black height after removing a black node."""
        node = None
        while True:
            sibling = parent.right
            if node is not sibling:  # node == parent.left
                if sibling.red:  # case 1: left rotate at parent
                    tmp1 = sibling.left
                    parent.right = tmp1
                    sibling.left = parent
                    tmp1.parent = parent
                    tmp1.red = False
                    self._rotate_set_parents(parent, sibling, True)
                    self._augment_rotate(parent, sibling)
                    sibling = tmp1
                tmp1 = sibling.right
                if tmp1 is None or not tmp1.red:
                    tmp2 = sibling.left
                    if tmp2 is None or not tmp2.red:
                        # case 2: sibling colour flip
                        sibling.red = True
                        if parent.red:
                            parent.red = False
                        else:
                            node = parent
                            parent = node.parent
                            if parent is not None:
                                continue
                        break
                    # case 3: right rotate at sibling
                    tmp1 = tmp2.right
                    sibling.left = tmp1
                    tmp2.right = sibling
                    parent.right = tmp2
                    if tmp1 is not None:
                        tmp1.parent = sibling
                        tmp1.red = False
                    sibling.parent = tmp2
                    sibling.red = True
                    self._augment_rotate(sibling, tmp2)
                    tmp1 = sibling
                    sibling = tmp2
                # case 4: left rotate at parent, colour flips
                tmp2 = sibling.left
                parent.right = tmp2
                sibling.left = parent
                tmp1.parent = sibling
                tmp1.red = False
                if tmp2 is not None:
                    tmp2.parent = parent
                self._rotate_set_parents(parent, sibling, False)
                self._augment_rotate(parent, sibling)
                break
            else:
                sibling = parent.left
                if sibling.red:  # case 1: right rotate at parent
                    tmp1 = sibling.right
                    parent.left = tmp1
                    sibling.right = parent
                    tmp1.parent = parent
                    tmp1.red = False
                    self._rotate_set_parents(parent, sibling, True)
                    self._augment_rotate(parent, sibling)
                    sibling = tmp1
                tmp1 = sibling.left
                if tmp1 is None or not tmp1.red:
                    tmp2 = sibling.right
                    if tmp2 is None or not tmp2.red:
                        # case 2
                        sibling.red = True
                        if parent.red:
                            parent.red = False
                        else:
                            node = parent
                            parent = node.parent
                            if parent is not None:
                                continue
                        break
                    # case 3: left rotate at sibling
                    tmp1 = tmp2.left
                    sibling.right = tmp1
                    tmp2.left = sibling
                    parent.left = tmp2
                    if tmp1 is not None:
                        tmp1.parent = sibling
                        tmp1.red = False
                    sibling.parent = tmp2
                    sibling.red = True
                    self._augment_rotate(sibling, tmp2)
                    tmp1 = sibling
                    sibling = tmp2
                # case 4: right rotate at parent
                tmp2 = sibling.right
                parent.left = tmp2
                sibling.right = parent
                tmp1.parent = sibling
                tmp1.red = False
                if tmp2 is not None:
                    tmp2.parent = parent
                self._rotate_set_parents(parent, sibling, False)
                self._augment_rotate(parent, sibling)
                break

    # -- traversal ------------------------------------------------------------------------
    def first(self) -> RbNode | None:
        node = self.root
        if node is None:
            return None
        while node.left is not None:
            node = node.left
        return node

    def last(self) -> RbNode | None:
        node = self.root
        if node is None:
            return None
        while node.right is not None:
            node = node.right
        return node

    def __iter__(self) -> Iterator[RbNode]:
        node = self.first()
        while node is not None:
            yield node
            node = rb_next(node)

    def __len__(self) -> int:
        return self.count

    def height(self) -> int:
        """Nodes on the longest root-to-leaf path (for tests and reports)."""
        def depth(node: RbNode | None) -> int:
            return 0 if node is None else 1 + max(depth(node.left), depth(node.right))
        return depth(self.root)

    def check(self) -> None:
        """Assert the red-black and (if augmented) the max-size invariants; for tests."""
        def walk(node: RbNode | None, parent: RbNode | None) -> int:
            if node is None:
                return 1
            assert node.parent is parent, "parent link"
            if node.red:
                assert not (node.left and node.left.red) and not (node.right and node.right.red), "red-red"
            if node.left is not None:
                assert node.left.va_end <= node.va_start, "order"
            if node.right is not None:
                assert node.right.va_start >= node.va_end, "order"
            lh, rh = walk(node.left, node), walk(node.right, node)
            assert lh == rh, "black height"
            if self.augmented:
                assert node.subtree_max_size == self._compute_max(node), "subtree_max_size"
            return lh + (0 if node.red else 1)
        assert self.root is None or not self.root.red, "red root"
        walk(self.root, None)
