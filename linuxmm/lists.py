"""A kernel ``list_head`` of page frame numbers, kept outside the frames.

Only blocks that are on a list take space (two dict slots each), so a
free list of a 64 GB machine costs as much as the number of free blocks,
not of pages.  Adding at the head or the tail, deleting any member and
taking the head are all O(1), as in the kernel.
"""

from __future__ import annotations

from typing import Iterator

_NIL = -1


class FreeList:
    """A doubly linked list of pfns; ``add`` is ``list_add`` (at the head)."""

    __slots__ = ("nxt", "prv", "head", "tail")

    def __init__(self) -> None:
        self.nxt: dict[int, int] = {}
        self.prv: dict[int, int] = {}
        self.head = _NIL
        self.tail = _NIL

    def add(self, pfn: int) -> None:
        """Insert ``pfn`` at the head (``list_add``)."""
        head = self.head
        self.nxt[pfn] = head
        self.prv[pfn] = _NIL
        if head == _NIL:
            self.tail = pfn
        else:
            self.prv[head] = pfn
        self.head = pfn

    def add_tail(self, pfn: int) -> None:
        """Insert ``pfn`` at the tail (``list_add_tail``)."""
        tail = self.tail
        self.prv[pfn] = tail
        self.nxt[pfn] = _NIL
        if tail == _NIL:
            self.head = pfn
        else:
            self.nxt[tail] = pfn
        self.tail = pfn

    def remove(self, pfn: int) -> None:
        """Unlink ``pfn`` (``list_del``); it must be on this list."""
        n = self.nxt.pop(pfn)
        p = self.prv.pop(pfn)
        if p == _NIL:
            self.head = n
        else:
            self.nxt[p] = n
        if n == _NIL:
            self.tail = p
        else:
            self.prv[n] = p

    def pop(self) -> int:
        """Unlink and return the head; the list must not be empty."""
        pfn = self.head
        self.remove(pfn)
        return pfn

    def __contains__(self, pfn: object) -> bool:
        return pfn in self.nxt

    def __len__(self) -> int:
        return len(self.nxt)

    def __bool__(self) -> bool:
        return self.head != _NIL

    def __iter__(self) -> Iterator[int]:
        pfn = self.head
        nxt = self.nxt
        while pfn != _NIL:
            yield pfn
            pfn = nxt[pfn]

    def __repr__(self) -> str:
        return f"FreeList({list(self)})"


class HeadList:
    """A kernel list of pfns that grows only at its head (``add_mem_queue``, ``list_add``).

    The bitmap buddy allocators of 1.1-2.4 add free blocks at the head, take
    the head (RMQUEUE), and unlink a buddy from anywhere when it merges.  For
    those three operations an insertion-ordered dict is the cheapest list
    Python has: its last key is the head, ``d[pfn] = None`` is ``list_add``,
    ``d.popitem()`` takes the head and ``del d[pfn]`` unlinks any member, all
    O(1).  Iterating gives the pfns from the head, as walking the kernel's
    list does.  The hot paths use ``d`` directly.
    """

    __slots__ = ("d",)

    def __init__(self) -> None:
        self.d: dict[int, None] = {}

    def add(self, pfn: int) -> None:
        """Insert ``pfn`` at the head (``list_add``); it must not be on the list."""
        self.d[pfn] = None

    def remove(self, pfn: int) -> None:
        """Unlink ``pfn`` (``list_del``); it must be on this list."""
        del self.d[pfn]

    def pop(self) -> int:
        """Unlink and return the head; the list must not be empty."""
        return self.d.popitem()[0]

    @property
    def head(self) -> int:
        """The first pfn (``list.next``), or -1 for an empty list."""
        d = self.d
        return next(reversed(d)) if d else _NIL

    @property
    def tail(self) -> int:
        """The last pfn (``list.prev``), or -1 for an empty list."""
        d = self.d
        return next(iter(d)) if d else _NIL

    def __contains__(self, pfn: object) -> bool:
        return pfn in self.d

    def __len__(self) -> int:
        return len(self.d)

    def __bool__(self) -> bool:
        return bool(self.d)

    def __iter__(self) -> Iterator[int]:
        return reversed(self.d)

    def __repr__(self) -> str:
        return f"HeadList({list(self)})"
