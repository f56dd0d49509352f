"""The vmap layer: db64fe02258f's rewrite (2.6.28), the free-space tree (5.2), huge mappings (5.13).

``vmap-area-2.6.28`` (db64fe02258f to 68ad4a330433)
    Every range of kernel virtual addresses the layer hands out is a
    ``vmap_area`` in an rbtree sorted by address (``vmap_area_root``) and an
    address-sorted list.  ``alloc_vmap_area(size, align, vstart, vend)``
    descends the tree to the first area that may collide and walks its
    successors until a hole fits: O(n) in the busy areas in the worst case
    (``vmap_steps`` counts the nodes visited).  2.6.28's walk leaves an extra
    page between areas (``va_end + PAGE_SIZE``); 89699605fe7c (2.6.39) starts
    the search at a cached node (``free_vmap_cache``, ``cached_hole_size``,
    ``cached_vstart``, ``cached_align``); the extra page went in 3.0 (Johannes
    Weiner's "remove guard page from between vmap blocks", 248ac0e1; the model
    keys it to v3.0 [S]).  [V: a 2.6.28/29 mm/vmalloc.c; the 3.x copy in
    torvalds/linux; the vmap-cache patch mails.]

    **Lazy TLB flushing.**  Freeing an area only marks it ``VM_LAZY_FREE`` and
    adds its pages (guard page included) to ``vmap_lazy_nr``; once that
    exceeds ``lazy_max_pages() = fls(num_online_cpus()) * 32M / PAGE_SIZE``
    the areas are purged together: one ``flush_tlb_kernel_range`` over the
    union of their ranges, then the areas go back to the allocator.  In 2.6.28
    the page-table entries themselves stay until the purge (so every CPU can
    still reach a freed page through its old address); from Jeremy
    Fitzhardinge's "vmalloc: eagerly clear ptes on vunmap" (2.6.37 in the
    model [S]) they are cleared at free time and only the flush waits, so a
    CPU whose TLB cached the translation still reaches the page while others
    fault.  Either way a purge runs when the space runs out (then the
    allocation is retried once) and from ``vm_unmap_aliases()``.  The old
    ``vmlist`` stays (``/proc/vmallocinfo`` and meminfo read it) until 3.10
    [S], and every ``vmalloc``/``vfree`` walks it (``vmlist_steps``).

    **Global locks.**  The counters ``vmap_area_lock`` (each search, lookup and
    purge), ``vmap_block_tree_lock`` (each vmap block made or freed),
    ``purge_lock`` (each purge) and ``vmlist_lock`` (each ``vm_struct`` linked
    or unlinked, while ``vmlist`` exists) count acquisitions where the 2.6.28
    code takes them, and ``lock_handoffs`` those by another CPU than the last
    holder (:meth:`~linuxmm_plugins.mm_vmalloc.VmallocBase.count_locks`); the
    free-space tree of 5.2 counts none.

    **vm_map_ram.**  Requests up to ``VMAP_MAX_ALLOC`` (64) pages come from
    per-CPU ``vmap_block``s of ``VMAP_BBMAP_BITS`` pages (1024 on x86-64:
    ``min(1024, max(128, 128G/4K / NR_CPUS / 16))`` with NR_CPUS 64 [model
    choice]); a block is carved with ``bitmap_find_free_region`` until 4.1
    [S] and sequentially after; freed ranges are only marked dirty, and a
    block whose every page is dirty is freed lazily as one area.

``vmap-free-tree-5.2`` (68ad4a330433 to 121e6f3258fe)
    Free space is a second rbtree, augmented with ``subtree_max_size``;
    ``find_vmap_lowest_match`` descends to the lowest-addressed block that
    fits, O(log n); the block is clipped as ``FL_FIT_TYPE``/``LE``/``RE``/``NE``
    and freed areas merge with their neighbours.  The free space starts as
    one block ``[1, ULONG_MAX)`` (``vmap_init_free_space``).  Busy areas are
    found by address (the model keeps them in a dict: the O(log n) lookup is
    not counted).  From 5.4 the lazily freed areas leave the busy tree
    (``unpurged vm_area`` lines in /proc/vmallocinfo) [S].  In 6.x a purge runs
    from a work item; the model runs it at once.  Not modelled: the per-node
    ``vmap_node`` pools of 6.9 (the model keeps one node), the large-order
    first attempt of recent ``vm_area_alloc_pages`` (version not pinned).

``vmap-huge-5.13`` (121e6f3258fe on)
    With ``HAVE_ARCH_HUGE_VMALLOC`` (x86-64 selects it from fac54e2bfb5b,
    v5.18-rc1; earlier it is a what-if) and without ``nohugevmalloc``,
    ``__vmalloc_node_range`` maps an allocation of at least ``PMD_SIZE`` (per
    node) with 2M pages: size and alignment rounded up to 2M, order-9 pages
    from the page allocator, PMD leaves in the page tables, falling back to
    small pages when that fails.  From 559089e0a93d (v5.18-rc4) only callers
    passing ``VM_ALLOW_HUGE_VMAP`` -- ``vmalloc_huge()`` -- get them.  (The
    kernel splits each huge page and frees 512 small ones; the model frees
    the order-9 block in one call: the same pages come back.)

    From 5c1f4e690eec (v5.14-rc1, not 5.13) the small pages of an area come
    from one call of the page allocator's bulk allocator (``alloc_pages_bulk``,
    387ba26fb1cb's ``__alloc_pages_bulk``), and from 12b9f873a5d0 (the same
    release) whatever it did not return one page at a time; ``vfree`` gives
    them back one by one (``free_pages_each``).  The pages and the counters
    are those of single calls; fault injection is asked once per bulk call.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from typing import TYPE_CHECKING, Any

from linuxmm import hookimpl
from linuxmm.checks import check_gfp, check_int
from linuxmm.errors import LinuxmmError
from linuxmm.gfp import GFP_KERNEL, __GFP_DMA32
from linuxmm.records import Implementation

from .mm_vmalloc import (API, NUMA_NO_NODE, PAGE_MASK, PAGE_SHIFT, PAGE_SIZE, VM_ALLOC, VM_ALLOW_HUGE_VMAP, VM_MAP,
                         VM_NO_HUGE_VMAP, VM_UNINITIALIZED, VM_USERMAP, VM_VPAGES, VmallocBase, VmStruct,
                         _GFP_HIGHMEM, _GFP_NOWARN, _GFP_ZERO, fls)
from .mm_vmalloc_rbtree import RbNode, RbTree, rb_next, rb_prev
from .mm_vmalloc_vmlist import x86_64_vmalloc_range
from .mm_vrealloc import Vrealloc

if TYPE_CHECKING:  # pragma: no cover
    from linuxmm.kernel import Kernel

ULONG_MAX = (1 << 64) - 1
VM_LAZY_FREE = 0x01
VM_LAZY_FREEING = 0x02
VM_VM_AREA = 0x04
VMAP_RAM = 0x100  # model flag: a vm_map_ram area (VMAP_RAM in 6.x)
VMAP_BLOCK = 0x200

#: vmap_block sizing (x86-64): VMALLOC_SPACE 128G, VMAP_MAX_ALLOC = BITS_PER_LONG.
VMALLOC_PAGES = (128 << 30) >> PAGE_SHIFT
VMAP_MAX_ALLOC = 64
NR_CPUS = 64  # the model's CONFIG_NR_CPUS (x86-64 defconfig [S]); any value up to 2048 gives 1024 below
VMAP_BBMAP_BITS = min(1024, max(2 * VMAP_MAX_ALLOC, VMALLOC_PAGES // NR_CPUS // 16))
VMAP_BLOCK_SIZE = VMAP_BBMAP_BITS * PAGE_SIZE
PMD_SHIFT = 21
PMD_SIZE = 1 << PMD_SHIFT


class VmapArea(RbNode):
    """``struct vmap_area``: ``va_start``, ``va_end``, ``flags`` and its ``vm_struct``."""

    __slots__ = ("flags", "vm")

    def __init__(self, va_start: int = 0, va_end: int = 0):
        self.left = self.right = self.parent = None
        self.red = True
        self.va_start = va_start
        self.va_end = va_end
        self.subtree_max_size = 0
        self.flags = 0
        self.vm: VmStruct | None = None

    def __repr__(self) -> str:
        return f"<vmap_area {self.va_start:#x}-{self.va_end:#x} flags={self.flags:#x}>"


class VmapBlock:
    """``struct vmap_block``: one per-CPU block of ``VMAP_BBMAP_BITS`` pages for ``vm_map_ram``."""

    __slots__ = ("va", "free", "dirty", "alloc_map", "dirty_map", "cpu", "on_free_list")

    def __init__(self, va: VmapArea, cpu: int):
        self.va = va
        self.free = VMAP_BBMAP_BITS
        self.dirty = 0
        self.alloc_map = bytearray(VMAP_BBMAP_BITS)
        self.dirty_map = bytearray(VMAP_BBMAP_BITS)
        self.cpu = cpu
        self.on_free_list = True


def get_order(size: int) -> int:
    return max(0, ((size - 1) >> PAGE_SHIFT).bit_length()) if size > PAGE_SIZE else 0


# ==========================================================================================
# 2.6.28 to 5.1
# ==========================================================================================
class VmapLayer(Vrealloc, VmallocBase):
    """db64fe02258f's vmap layer (see the module docstring)."""

    arch = "x86_64"

    def __init__(self, kernel: "Kernel"):
        super().__init__(kernel)
        has = kernel.has
        self.VMALLOC_START, self.VMALLOC_END = x86_64_vmalloc_range(kernel)
        self.setup_pagetable(self.VMALLOC_START, self.VMALLOC_END + 1, PMD_SHIFT)
        if has("v3.9"):  # x86's ranged flush_tlb_kernel_range [S release]; 33 pages: tlb_single_page_flush_ceiling
            kernel.tlb_flush_ceiling = 33
        # era flags
        self.has_cache = has("89699605fe7c")  # free_vmap_cache
        self.gap_page = not has("v3.0")  # the extra PAGE_SIZE between vmap areas (248ac0e1, S)
        self.eager_unmap = has("v2.6.37")  # "vmalloc: eagerly clear ptes on vunmap" [S release]
        self.keep_vmlist = not has("v3.10")  # vmlist kept for vmallocinfo/meminfo [S]
        self.has_align = has("v2.6.35")  # __vmalloc_node(size, align, ...) [S]
        self.vmalloc32_dma32 = True  # GFP_VMALLOC32 = GFP_DMA32 | GFP_KERNEL on 64-bit (2.6.28 tree [V])
        self.fragmented_purge = has("v2.6.33")  # purge_fragmented_blocks [S: 2.6.33-rc7]
        self.sequential_vb = has("v4.1")  # vb_alloc carves blocks in order [S release]
        self.warn_alloc_pages = has("a238ab5b0239")  # __GFP_NOWARN on pages + warn_alloc_failed (3.0-rc1 [S])
        self.totalram_check = has("v3.11")  # totalram_pages instead of num_physpages [S]
        self.lazy_info = has("v4.13")  # vmallocinfo shows lazily freed areas and vm_map_ram areas [S]
        # 5c1f4e690eec (5.14-rc1): order-0 pages from the bulk allocator, then (12b9f873a5d0, the
        # same release) one by one for whatever it did not return
        self.bulk_pages = has("5c1f4e690eec") and getattr(self.pa, "has_bulk", False)
        self.single_pages = not self.bulk_pages or has("12b9f873a5d0")  # the pages the bulk call did not give
        self.num_physpages = self.pa.nr_pages
        self.totalram_pages = self.totalram()
        # the busy areas
        self.busy = RbTree()
        self.busy_by_addr: dict[int, VmapArea] = {}
        self.lazy: list[VmapArea] = []
        self.vmap_lazy_nr = 0
        self.vmlist: list[VmStruct] = []
        self._vmlist_starts: list[int] = []
        # the search cache of 89699605fe7c
        self.free_vmap_cache: VmapArea | None = None
        self.cached_hole_size = 0
        self.cached_vstart = 0
        self.cached_align = 0
        # per-CPU vmap blocks
        self.vbq: list[list[VmapBlock]] = [[] for _ in range(kernel.nr_cpus)]
        self.vmap_blocks: dict[int, VmapBlock] = {}
        if self.COUNT_LOCKS:
            # the global locks as db64fe02258f takes them [V: the 2.6.28/29 copy]: vmap_area_lock
            # (spinlock) per search, lookup and purge; vmap_block_tree_lock per block made or
            # freed; purge_lock per purge; vmlist_lock per vm_struct linked or unlinked
            self.count_locks("vmap_area_lock", "vmap_block_tree_lock", "purge_lock",
                             *(("vmlist_lock",) if self.keep_vmlist else ()))

    #: Whether the era counts its global lock acquisitions (2.6.28 to 5.1; 68ad4a330433's
    #: allocator and its fast paths do not).
    COUNT_LOCKS = True

    def _bind_page_alloc(self) -> None:
        self._alloc_pages = self._pa_call("alloc_pages")
        self._free_pages = self._pa_call("free_pages")

    def lazy_max_pages(self) -> int:
        """``lazy_max_pages()``: ``fls(num_online_cpus()) * (32M / PAGE_SIZE)``."""
        return fls(self.kernel.nr_cpus) * ((32 << 20) // PAGE_SIZE)

    def switch_cpu(self, cpu: int) -> None:
        self._bind_page_alloc()
        self._build_fast_paths()

    def _build_fast_paths(self) -> None:
        """Eras with a fast path (5.2 on) bind ``vmalloc``/``vfree`` closures here."""

    # -- the busy tree --------------------------------------------------------------------
    def _insert_busy(self, va: VmapArea) -> None:
        """``__insert_vmap_area``: descend by address and link (BUG on an overlap)."""
        tree = self.busy
        node, parent, left = tree.root, None, False
        while node is not None:
            parent = node
            if va.va_start < node.va_end:
                node, left = node.left, True
            elif va.va_end > node.va_start:
                node, left = node.right, False
            else:  # pragma: no cover - the allocator never overlaps
                self.kernel.bug("mm/vmalloc.c")
        tree.link(va, parent, left)
        tree.insert_color(va)
        self.busy_by_addr[va.va_start] = va

    def _erase_busy(self, va: VmapArea) -> None:
        self.busy.erase(va)
        del self.busy_by_addr[va.va_start]

    def find_vmap_area(self, addr: int) -> VmapArea | None:
        return self.busy_by_addr.get(addr)

    # -- alloc_vmap_area ----------------------------------------------------------------------
    def alloc_vmap_area(self, size: int, align: int, vstart: int, vend: int) -> VmapArea | None:
        """Reserve ``size`` bytes (page multiple) in ``[vstart, vend)``; None after a purge and a retry."""
        purged = False
        while True:
            self._lock("vmap_area_lock")
            addr = self._search(size, align, vstart, vend)
            if addr is not None and addr + size <= vend:
                va = VmapArea(addr, addr + size)
                self._insert_busy(va)
                if self.has_cache:
                    self.free_vmap_cache = va
                return va
            if not purged:
                self.purge_vmap_area_lazy()
                purged = True
                continue
            self.vmap_alloc_failed(size, vstart, vend)
            return None

    def vmap_alloc_failed(self, size: int, vstart: int, vend: int) -> None:
        """``alloc_vmap_area``'s overflow message (rate-limited in the kernel; every time here)."""
        if self.kernel.has("v6.11"):  # "vmalloc: modify the alloc_vmap_area error message ..." [S release]
            self.dmesg.printk(f"vmalloc_node_range for size {size} failed: Address range restricted to "
                              f"{vstart:#x} - {vend:#x}")
        else:  # [V 2.6.28, 3.x]
            self.dmesg.printk(f"vmap allocation for size {size} failed: use vmalloc=<size> to increase size.")

    def _search(self, size: int, align: int, vstart: int, vend: int) -> int | None:
        """The walk of the busy tree; the address found (None: overflow).  Counts ``vmap_steps``."""
        gap = PAGE_SIZE if self.gap_page else 0
        steps = 0
        if not self.has_cache:
            # 2.6.28
            addr = (vstart + align - 1) & -align
            n = self.busy.root
            first = None
            if n is not None:
                while n is not None:
                    steps += 1
                    if n.va_end >= addr:
                        if first is None and n.va_start < addr + size:
                            first = n
                        n = n.left
                    else:
                        first = n
                        n = n.right
                if first is not None:
                    nxt: Any = first
                    if first.va_end < addr:
                        nxt = rb_next(first)
                        steps += 1
                    first = nxt
                    while first is not None and addr + size > first.va_start and addr + size <= vend:
                        addr = (first.va_end + gap + align - 1) & -align
                        first = rb_next(first)
                        steps += 1
            self.counters["vmap_steps"] += steps
            return addr
        # 89699605fe7c: start from the cached node
        cmp_ge = self.gap_page  # the cached version with the extra page walks on addr + size >= start
        while True:
            if (self.free_vmap_cache is None or size < self.cached_hole_size or vstart < self.cached_vstart
                    or align < self.cached_align):
                self.cached_hole_size = 0
                self.free_vmap_cache = None
            self.cached_vstart = vstart
            self.cached_align = align
            first = self.free_vmap_cache
            if first is not None:
                addr = (first.va_end + gap + align - 1) & -align
                if addr < vstart:
                    self.free_vmap_cache = None  # goto nocache
                    self.cached_hole_size = 0
                    continue
                if addr + size - 1 > ULONG_MAX:
                    self.counters["vmap_steps"] += steps
                    return None
            else:
                addr = (vstart + align - 1) & -align
                if addr + size - 1 > ULONG_MAX:
                    self.counters["vmap_steps"] += steps
                    return None
                n = self.busy.root
                while n is not None:
                    steps += 1
                    if n.va_end >= addr:
                        first = n
                        if n.va_start <= addr:
                            break
                        n = n.left
                    else:
                        n = n.right
                if first is None:
                    self.counters["vmap_steps"] += steps
                    return addr
            break
        while first is not None and (addr + size >= first.va_start if cmp_ge else addr + size > first.va_start) \
                and addr + size <= vend:
            if addr + self.cached_hole_size < first.va_start:
                self.cached_hole_size = first.va_start - addr
            addr = (first.va_end + gap + align - 1) & -align
            if addr + size - 1 > ULONG_MAX:
                self.counters["vmap_steps"] += steps
                return None
            first = rb_next(first)
            steps += 1
        self.counters["vmap_steps"] += steps
        return addr

    def _release_va(self, va: VmapArea) -> None:
        """``__free_vmap_area``: update the search cache, leave the busy tree."""
        cache = self.free_vmap_cache
        if cache is not None:
            if va.va_end < self.cached_vstart:
                self.free_vmap_cache = None
            elif va.va_start <= cache.va_start:
                self.free_vmap_cache = rb_prev(va)  # type: ignore[assignment]
        self._erase_busy(va)

    # -- lazy freeing --------------------------------------------------------------------------
    def free_vmap_area_noflush(self, va: VmapArea) -> None:
        """Mark ``va`` lazily freed; purge when ``vmap_lazy_nr`` passes ``lazy_max_pages()``."""
        va.flags |= VM_LAZY_FREE
        self.lazy.append(va)
        self.vmap_lazy_nr += (va.va_end - va.va_start) >> PAGE_SHIFT
        if self.vmap_lazy_nr > self.lazy_max_pages():
            self.try_purge_vmap_area_lazy()

    def free_unmap_vmap_area(self, va: VmapArea) -> None:
        """``free_unmap_vmap_area``: clear the PTEs now (from 2.6.37 [S]) or at the purge (2.6.28)."""
        if self.eager_unmap:
            self.pt.clear_range(va.va_start, va.va_end)
        self.free_vmap_area_noflush(va)

    def try_purge_vmap_area_lazy(self) -> None:
        self._purge_vmap_area_lazy(ULONG_MAX, 0, False, False)

    def purge_vmap_area_lazy(self) -> None:
        self._purge_vmap_area_lazy(ULONG_MAX, 0, True, False)

    def _purge_vmap_area_lazy(self, start: int, end: int, sync: bool, force_flush: bool) -> None:
        """One flush over the union of the lazily freed ranges, then give them back."""
        self._lock("purge_lock")
        if sync and self.fragmented_purge:
            self.purge_fragmented_blocks_allcpus()
        valist = sorted(self.lazy, key=lambda va: va.va_start)  # vmap_area_list order
        self.lazy.clear()
        nr = 0
        for va in valist:
            if va.va_start < start:
                start = va.va_start
            if va.va_end > end:
                end = va.va_end
            nr += (va.va_end - va.va_start) >> PAGE_SHIFT
            if not self.eager_unmap:
                self.pt.clear_range(va.va_start, va.va_end)
            va.flags = (va.flags | VM_LAZY_FREEING) & ~VM_LAZY_FREE
        if nr:
            self.vmap_lazy_nr -= nr
        if nr or force_flush:
            self.kernel.flush_tlb_kernel_range(start, end)
            self.counters["lazy_purges"] += 1
        if valist:
            self._lock("vmap_area_lock")
        for va in valist:
            self._release_va(va)

    def vm_unmap_aliases(self) -> None:
        """``vm_unmap_aliases()``: flush every lazy alias now (dirty vmap_block ranges and lazy areas)."""
        start, end, flush = ULONG_MAX, 0, False
        for blocks in self.vbq:
            for vb in blocks:
                dirty = [i for i in range(VMAP_BBMAP_BITS) if vb.dirty_map[i]]
                if not dirty:
                    continue
                s = vb.va.va_start + (dirty[0] << PAGE_SHIFT)
                e = vb.va.va_start + ((dirty[-1] + 1) << PAGE_SHIFT)
                if not self.eager_unmap:
                    for i in dirty:
                        a = vb.va.va_start + (i << PAGE_SHIFT)
                        self.pt.clear_range(a, a + PAGE_SIZE)
                start, end, flush = min(start, s), max(end, e), True
        self._purge_vmap_area_lazy(start, end, True, flush)

    # -- vm_struct and vmlist -------------------------------------------------------------------
    def _vmlist_insert(self, vm: VmStruct) -> None:
        i = bisect_left(self._vmlist_starts, vm.addr)
        self.counters["vmlist_steps"] += i + 1
        self.vmlist.insert(i, vm)
        self._vmlist_starts.insert(i, vm.addr)

    def _vmlist_remove(self, vm: VmStruct) -> None:
        i = bisect_left(self._vmlist_starts, vm.addr)
        self.counters["vmlist_steps"] += i + 1
        del self.vmlist[i]
        del self._vmlist_starts[i]

    def _get_vm_area_node(self, size: int, align: int, flags: int, caller: str | None) -> VmStruct | None:
        size = (size + PAGE_SIZE - 1) & PAGE_MASK
        if not size:
            return None
        size += PAGE_SIZE
        va = self.alloc_vmap_area(size, align, self.VMALLOC_START, self.VMALLOC_END)
        if va is None:
            return None
        vm = VmStruct(va.va_start, size, flags, caller)
        vm.va = va
        va.vm = vm
        va.flags |= VM_VM_AREA
        if self.keep_vmlist:
            self._lock("vmlist_lock")
            self._vmlist_insert(vm)
        return vm

    def find_vm_area(self, addr: int) -> VmStruct | None:
        """``find_vm_area(addr)``: the ``vm_struct`` of the busy area starting at ``addr``, or None."""
        addr = self._check_addr(addr, "find_vm_area")
        self._lock("vmap_area_lock")  # find_vmap_area
        va = self.busy_by_addr.get(addr)
        if va is not None and va.flags & VM_VM_AREA and not va.flags & VM_LAZY_FREE:
            return va.vm
        return None

    def remove_vm_area(self, addr: int) -> VmStruct | None:
        self._lock("vmap_area_lock")  # find_vmap_area
        va = self.busy_by_addr.get(addr)
        if va is None or not va.flags & VM_VM_AREA or va.flags & VM_LAZY_FREE:
            return None
        vm = va.vm
        self.free_unmap_vmap_area(va)
        vm.size -= PAGE_SIZE
        if self.keep_vmlist:
            self._lock("vmlist_lock")
            self._vmlist_remove(vm)
        return vm

    def _check_addr(self, addr: Any, func: str) -> int:
        if type(addr) is not int or addr < 0 or addr > ULONG_MAX:
            from linuxmm.checks import check_addr
            addr = check_addr(addr, func)
        return addr

    # -- vmalloc -------------------------------------------------------------------------------------
    def vmalloc_node_range(self, size: int, align: int, gfp: int, vm_flags: int, node: int,
                           caller: str | None) -> int:
        """``__vmalloc_node(_range)``: reserve the area, fill it page by page, map it."""
        self.counters["vmalloc_calls"] += 1
        real_size = size
        size = (size + PAGE_SIZE - 1) & PAGE_MASK
        limit = self.totalram_pages if self.totalram_check else self.num_physpages
        if not size or size >> PAGE_SHIFT > limit:
            self.warn_alloc(gfp, f"vmalloc: allocation failure: {real_size} bytes")
            return 0
        vm = self._get_vm_area_node(size, align, VM_ALLOC | vm_flags, caller)
        if vm is None:
            self.warn_alloc(gfp, f"vmalloc: allocation failure: {real_size} bytes")
            return 0
        vm.requested_size = real_size
        return self._vmalloc_area_node(vm, gfp, node, caller)

    def _warn_pages_failed(self, gfp: int, got: int, vm: VmStruct, order: int = 0) -> None:
        """The era's report of a page allocation that failed halfway."""
        has = self.kernel.has
        if has("v6.0"):  # [S release; V text 2026]
            text = f"vmalloc error: size {vm.size - PAGE_SIZE}, failed to allocate pages"
        elif has("v5.13"):  # [S]
            text = f"vmalloc error: size {vm.size - PAGE_SIZE}, page order {order}, failed to allocate pages"
        else:  # [V 3.x]
            text = f"vmalloc: allocation failure, allocated {got} of {vm.size} bytes"
        self.warn_alloc(gfp, text)

    def _vmalloc_area_node(self, vm: VmStruct, gfp: int, node: int, caller: str | None) -> int:
        nr_pages = (vm.size - PAGE_SIZE) >> PAGE_SHIFT
        vm.nr_pages = nr_pages
        if nr_pages * 8 > PAGE_SIZE:
            nested = (gfp & ~_GFP_HIGHMEM) | _GFP_ZERO | _GFP_HIGHMEM
            array = self.vmalloc_node_range(nr_pages * 8, 1, nested, 0, node, caller)
            vm.flags |= VM_VPAGES
            if not array:
                self.remove_vm_area(vm.addr)
                return 0
            vm.pages_addr = array
        pfns: list[int] = []
        vm.pages = pfns
        alloc_pages, base = self._alloc_pages, self.page_offset
        page_gfp = gfp | _GFP_NOWARN if self.warn_alloc_pages else gfp
        got = self.pa.alloc_pages_bulk(page_gfp, nr_pages, pfns) if self.bulk_pages else 0
        for _ in range(nr_pages - got if self.single_pages else 0):
            page = alloc_pages(page_gfp, 0)
            if not page:
                break
            pfns.append((page - base) >> PAGE_SHIFT)
        if len(pfns) < nr_pages:
            vm.nr_pages = len(pfns)
            self.nr_vmalloc_pages += len(pfns)
            self.counters["vmalloc_pages_allocated"] += len(pfns)
            self._warn_pages_failed(gfp, len(pfns) * PAGE_SIZE, vm)
            self._vunmap(vm.addr, True)
            return 0
        self.nr_vmalloc_pages += nr_pages
        self.counters["vmalloc_pages_allocated"] += nr_pages
        self.pt.map_pages(vm.addr, pfns)
        return vm.addr

    # -- the API ---------------------------------------------------------------------------------------
    def vmalloc(self, size: int) -> int:
        """``vmalloc(size)``: the area's address, or 0 (NULL)."""
        if type(size) is not int or size < 0 or size >> 64:
            size = self._check_size(size, "vmalloc")
        return self.vmalloc_node_range(size, 1, self.vmalloc_gfp, 0, NUMA_NO_NODE, self.caller)

    def vzalloc(self, size: int) -> int:
        """``vzalloc(size)`` (e1ca7788dec6): ``vmalloc`` with ``__GFP_ZERO``."""
        if type(size) is not int or size < 0 or size >> 64:
            size = self._check_size(size, "vzalloc")
        return self.vmalloc_node_range(size, 1, self.vmalloc_gfp | _GFP_ZERO, 0, NUMA_NO_NODE, self.caller)

    def vmalloc_(self, size: int, gfp: int) -> int:
        """``__vmalloc(size, gfp_mask, PAGE_KERNEL)``."""
        size = self._check_size(size, "__vmalloc")
        gfp = check_gfp(gfp, "__vmalloc")
        return self.vmalloc_node_range(size, 1, gfp, 0, NUMA_NO_NODE, self.caller)

    def vmalloc_node_(self, size: int, align: int, gfp: int, node: int) -> int:
        """``__vmalloc_node(size, align, gfp_mask, node)``."""
        size = self._check_size(size, "__vmalloc_node")
        align = self._check_align(align, "__vmalloc_node")
        gfp = check_gfp(gfp, "__vmalloc_node")
        node = self._check_node(node, "__vmalloc_node")
        if align > PAGE_SIZE and not self.has_align:
            from linuxmm.errors import NotInThisKernel
            raise NotInThisKernel(f"__vmalloc_node() of {self.kernel.version} takes no alignment (every area is "
                                  f"page-aligned); an align argument arrived in v2.6.35 [S]")
        return self.vmalloc_node_range(size, max(align, 1), gfp, 0, node, self.caller)

    def vmalloc_user(self, size: int) -> int:
        """``vmalloc_user(size)``: zeroed, ``VM_USERMAP``, ``SHMLBA``-aligned (a page on x86)."""
        size = self._check_size(size, "vmalloc_user")
        ret = self.vmalloc_node_range(size, 1, self.vmalloc_gfp | _GFP_ZERO, VM_USERMAP, NUMA_NO_NODE,
                                      self.caller)
        return ret

    def vmalloc_32(self, size: int) -> int:
        """``vmalloc_32(size)``: ``GFP_VMALLOC32`` (``GFP_DMA32 | GFP_KERNEL`` on x86-64)."""
        size = self._check_size(size, "vmalloc_32")
        gfp = GFP_KERNEL | __GFP_DMA32 if self.vmalloc32_dma32 else GFP_KERNEL
        return self.vmalloc_node_range(size, 1, gfp, 0, NUMA_NO_NODE, self.caller)

    def vfree(self, addr: int) -> None:
        """``vfree(addr)``: unmap lazily, give the pages back."""
        if type(addr) is not int or addr < 0 or addr > ULONG_MAX:
            addr = self._check_addr(addr, "vfree")
        self.counters["vfree_calls"] += 1
        self._vunmap(addr, True)

    def vunmap(self, addr: int) -> None:
        """``vunmap(addr)``: release a ``vmap`` mapping; the pages stay the caller's."""
        addr = self._check_addr(addr, "vunmap")
        self._vunmap(addr, False)

    def vmap(self, pages: list[int], count: int, flags: int = VM_MAP) -> int:
        """``vmap(pages, count, flags, PAGE_KERNEL)``: map the given pages contiguously; 0 on failure."""
        pfns = self._page_list(pages, count, "vmap")
        flags = check_int(flags, "flags", "vmap", 0, 0xFFFFFFFF)
        if len(pfns) > (self.totalram_pages if self.totalram_check else self.num_physpages):
            return 0
        vm = self._get_vm_area_node(len(pfns) << PAGE_SHIFT, 1, flags, self.caller)
        if vm is None:
            return 0
        self.pt.map_pages(vm.addr, pfns)
        return vm.addr

    # -- vm_map_ram and the vmap blocks -----------------------------------------------------------------
    def vm_map_ram(self, pages: list[int], count: int, node: int = NUMA_NO_NODE) -> int:
        """``vm_map_ram(pages, count, node)``: up to 64 pages from this CPU's vmap block; 0 on failure."""
        pfns = self._page_list(pages, count, "vm_map_ram")
        node = self._check_node(node, "vm_map_ram")
        count = len(pfns)
        size = count << PAGE_SHIFT
        if count <= VMAP_MAX_ALLOC:
            if not count:
                return 0  # get_order(0) is nonsense; 6.x WARNs [S], earlier kernels misbehaved
            addr = self.vb_alloc(size)
            if not addr:
                return 0
        else:
            va = self.alloc_vmap_area(size, PAGE_SIZE, self.VMALLOC_START, self.VMALLOC_END)
            if va is None:
                return 0
            va.flags |= VMAP_RAM
            addr = va.va_start
        self.pt.map_pages(addr, pfns)
        if self.kasan is not None:
            # the mapped range becomes accessible; vm_unmap_ram poisons it again [V: 5.11, 5.12, 5.15 and
            # 6.12 mm/vmalloc.c; S: the model applies this from KASAN_VMALLOC's arrival on, while 5.5 shipped
            # without it until Andrey Ryabinin's "kasan: fix crashes on access to memory mapped by vm_map_ram()"]
            self.kasan.kasan_unpoison_vmalloc(addr, size)
        return addr

    def vm_unmap_ram(self, mem: int, count: int) -> None:
        """``vm_unmap_ram(mem, count)``: give the range back (a dirty vmap_block range, or a lazy area)."""
        mem = self._check_addr(mem, "vm_unmap_ram")
        count = check_int(count, "count", "vm_unmap_ram", 0, 0xFFFFFFFF)
        if not mem or mem < self.VMALLOC_START or mem > self.VMALLOC_END or mem & (PAGE_SIZE - 1):
            self.kernel.bug("mm/vmalloc.c")
        size = count << PAGE_SHIFT
        if self.kasan is not None:
            self.kasan.kasan_poison_vmalloc(mem, size)
        if count <= VMAP_MAX_ALLOC:
            self.vb_free(mem, size)
        else:
            self._lock("vmap_area_lock")  # free_unmap_vmap_area_addr: find_vmap_area
            va = self.busy_by_addr.get(mem)
            if va is None or va.flags & VM_LAZY_FREE:
                self.kernel.bug("mm/vmalloc.c")
            self.free_unmap_vmap_area(va)

    def _vb_idx(self, addr: int) -> int:
        return (addr - (self.VMALLOC_START & ~(VMAP_BLOCK_SIZE - 1))) // VMAP_BLOCK_SIZE

    def new_vmap_block(self) -> VmapBlock | None:
        va = self.alloc_vmap_area(VMAP_BLOCK_SIZE, VMAP_BLOCK_SIZE, self.VMALLOC_START, self.VMALLOC_END)
        if va is None:
            return None
        va.flags |= VMAP_RAM | VMAP_BLOCK
        cpu = self.kernel.this_cpu
        vb = VmapBlock(va, cpu)
        self._lock("vmap_block_tree_lock")  # radix_tree_insert
        self.vmap_blocks[self._vb_idx(va.va_start)] = vb
        if self.sequential_vb:
            self.vbq[cpu].append(vb)  # list_add_tail [S: 6.x]
        else:
            self.vbq[cpu].insert(0, vb)  # list_add
        return vb

    def vb_alloc(self, size: int) -> int:
        order = get_order(size)
        want = 1 << order
        vbq = self.vbq[self.kernel.this_cpu]
        while True:
            purge = False
            for vb in vbq:
                if self.sequential_vb:
                    if vb.free < want:
                        continue
                    i = VMAP_BBMAP_BITS - vb.free
                else:
                    i = _find_free_region(vb.alloc_map, order)
                    if i < 0:
                        if self.fragmented_purge and vb.free + vb.dirty == VMAP_BBMAP_BITS \
                                and vb.dirty != VMAP_BBMAP_BITS:
                            purge = True
                        continue
                vb.alloc_map[i:i + want] = b"\1" * want
                vb.free -= want
                if vb.free == 0:
                    vbq.remove(vb)
                    vb.on_free_list = False
                if purge:
                    self.purge_fragmented_blocks(self.kernel.this_cpu)
                return vb.va.va_start + (i << PAGE_SHIFT)
            if purge:
                self.purge_fragmented_blocks(self.kernel.this_cpu)
            if self.new_vmap_block() is None:
                return 0

    def vb_free(self, addr: int, size: int) -> None:
        order = get_order(size)
        want = 1 << order
        vb = self.vmap_blocks.get(self._vb_idx(addr))
        if vb is None:
            self.kernel.bug("mm/vmalloc.c")
        offset = (addr & (VMAP_BLOCK_SIZE - 1)) >> PAGE_SHIFT
        if self.eager_unmap:
            self.pt.clear_range(addr, addr + size)
        vb.dirty_map[offset:offset + want] = b"\1" * want
        vb.dirty += want
        if vb.dirty == VMAP_BBMAP_BITS:
            self.free_vmap_block(vb)

    def free_vmap_block(self, vb: VmapBlock) -> None:
        self._lock("vmap_block_tree_lock")  # radix_tree_delete
        del self.vmap_blocks[self._vb_idx(vb.va.va_start)]
        if vb.on_free_list:
            self.vbq[vb.cpu].remove(vb)
            vb.on_free_list = False
        self.free_vmap_area_noflush(vb.va)

    def purge_fragmented_blocks(self, cpu: int) -> None:
        for vb in list(self.vbq[cpu]):
            if vb.free + vb.dirty == VMAP_BBMAP_BITS and vb.dirty != VMAP_BBMAP_BITS:
                vb.free = 0
                vb.dirty = VMAP_BBMAP_BITS
                self.vbq[cpu].remove(vb)
                vb.on_free_list = False
                self._lock("vmap_block_tree_lock")
                del self.vmap_blocks[self._vb_idx(vb.va.va_start)]
                self.free_vmap_area_noflush(vb.va)

    def purge_fragmented_blocks_allcpus(self) -> None:
        for cpu in range(len(self.vbq)):
            self.purge_fragmented_blocks(cpu)

    # -- reports ------------------------------------------------------------------------------------------
    def areas(self) -> list[tuple[int, int]]:
        return [(va.va_start, va.va_end) for va in self.busy]

    def mapped_pages(self) -> int:
        return sum(va.vm.nr_pages for va in self.busy_by_addr.values()
                   if va.vm is not None and not va.flags & VM_LAZY_FREE)

    def live_vms(self) -> list[VmStruct]:
        return [va.vm for va in self.busy_by_addr.values() if va.vm is not None and not va.flags & VM_LAZY_FREE]

    def info_entries(self) -> list[tuple[str, Any]]:
        """What /proc/vmallocinfo walks, in its order.

        Until 3.10 [S]: ``vmlist`` (vm_map_ram areas are not on it).  Then the vmap areas
        in address order, those without a ``vm_struct`` skipped; from 4.13 [S] they are
        shown as ``unpurged vm_area`` (lazily freed) or ``vm_map_ram``.  From 5.4 [S] the
        lazily freed areas are listed last (``show_purge_info``).
        """
        if self.keep_vmlist:
            return [("vm", vm) for vm in self.vmlist]
        out: list[tuple[str, Any]] = []
        lazy_last = getattr(self, "lazy_off_busy", False)
        vas = sorted(self.busy_by_addr.values(), key=lambda va: va.va_start)
        if not lazy_last:
            vas = sorted(set(vas) | set(self.lazy), key=lambda va: va.va_start)
        for va in vas:
            if va.flags & VM_LAZY_FREE:
                if self.lazy_info:
                    out.append(("unpurged", va))
            elif va.vm is None or not va.flags & VM_VM_AREA:
                if self.lazy_info:
                    out.append(("vm_map_ram", va))
            else:
                out.append(("vm", va.vm))
        if lazy_last:
            out += [("unpurged", va) for va in sorted(self.lazy, key=lambda va: va.va_start)]
        return out

    def meminfo(self) -> dict[str, int]:
        """Before 3.10: ``get_vmalloc_info`` walks ``vmlist`` (sizes with guard pages, largest gap).

        From 3.10 [S] it walks the vmap areas, skipping the lazily freed ones (vm_map_ram
        blocks count); from a5ad88ce8c7f (4.4) both fields read 0.
        """
        start, end = self.VMALLOC_START, self.VMALLOC_END
        total = (end - start) >> 10
        if self.kernel.has("a5ad88ce8c7f"):
            return {"VmallocTotal": total, "VmallocUsed": 0, "VmallocChunk": 0}
        if self.keep_vmlist:
            spans = [(vm.addr, vm.addr + vm.size) for vm in self.vmlist]
        else:
            spans = [(va.va_start, va.va_end) for va in self.busy
                     if not va.flags & (VM_LAZY_FREE | VM_LAZY_FREEING)]
        used = largest = 0
        prev_end = start
        for a, b in spans:
            if a < start:
                continue
            if a >= end:
                break
            used += b - a
            largest = max(largest, a - prev_end)
            prev_end = b
        largest = max(largest, end - prev_end)
        return {"VmallocTotal": total, "VmallocUsed": used >> 10, "VmallocChunk": largest >> 10}


def _find_free_region(bitmap: bytearray, order: int) -> int:
    """``bitmap_find_free_region``: the first free, naturally aligned run of ``2**order`` bits, or -1."""
    want = 1 << order
    empty = bytes(want)
    for pos in range(0, len(bitmap), want):
        if bitmap[pos:pos + want] == empty:
            return pos
    return -1


# ==========================================================================================
# 5.2 on: the free-space tree
# ==========================================================================================
FL_FIT_TYPE, LE_FIT_TYPE, RE_FIT_TYPE, NE_FIT_TYPE = 1, 2, 3, 4


class FreeTreeVmalloc(VmapLayer):
    """68ad4a330433's allocator: lowest fit in an augmented tree of free blocks (module docstring)."""

    COUNT_LOCKS = False

    def __init__(self, kernel: "Kernel"):
        super().__init__(kernel)
        has = kernel.has
        self.free = RbTree(augmented=True)
        self.lazy_off_busy = has("v5.4")  # dd3b8353bae7 "do not keep unpurged areas in the busy tree" [S]
        self.vmalloc_error_msgs = has("v5.13")  # "vmalloc error: ..." messages, WARN_ON_ONCE(!size) [S]
        self.nr_vmalloc_info = has("97105f0ab7b8")
        self._warned_zero = False
        self._merge_free(VmapArea(1, ULONG_MAX))  # vmap_init_free_space: all of it, nothing busy at boot
        self._lazy_max = self.lazy_max_pages()
        self._build_fast_paths()

    # -- the hot path ----------------------------------------------------------------------------
    def _huge_possible(self, size: int) -> bool:
        return False

    def _build_fast_paths(self) -> None:
        """``vmalloc`` and ``vfree`` for the common case, written out inline.

        A request of 1 to 512 pages that needs neither huge pages, KASAN nor a purge, and
        the ``vfree`` of such an area, run here; everything else (and every odd argument)
        goes to the methods above, which model each step.  The closures are rebuilt on a
        CPU switch, as the page allocator's per-CPU fast paths they call change.
        """
        cls = type(self)
        slow_vmalloc = cls.vmalloc.__get__(self)
        slow_vfree = cls.vfree.__get__(self)
        counters = self.counters
        find, clip = self.find_vmap_lowest_match, self.va_clip
        busy = self.busy_by_addr
        lazy = self.lazy
        pt = self.pt
        pte, tables, pmd, shift = pt.pte, pt.tables, pt.pmd, pt.pmd_shift
        tshift = shift - PAGE_SHIFT
        alloc_pages, free_pages, base = self._alloc_pages, self._free_pages, self.page_offset
        # 5c1f4e690eec: the bulk allocator first, then page by page for the rest; the page
        # allocator's per-CPU calls are read from it on each use (its tables may be rebuilt)
        pa = self.pa
        bulk = self.bulk_pages
        single = self.single_pages
        free_each = hasattr(pa, "free_pages_each")
        vstart, vend = self.VMALLOC_START, self.VMALLOC_END
        limit = min(512, self.totalram_pages) << PAGE_SHIFT
        huge_min = PMD_SIZE if getattr(self, "vmap_allow_huge", False) and not getattr(self, "opt_in", True) \
            else 1 << 64
        gfp = (GFP_KERNEL | _GFP_HIGHMEM) | _GFP_NOWARN
        lazy_off_busy = self.lazy_off_busy
        lazy_max = self._lazy_max
        vm_flags = VM_ALLOC
        area_flags = VM_VM_AREA
        me = self

        def vmalloc(size: int) -> int:
            """``vmalloc(size)``: the area's address, or 0 (NULL)."""
            if type(size) is not int or size <= 0 or size > limit or size >= huge_min or me.kasan is not None:
                return slow_vmalloc(size)
            vsize = ((size + 4095) & PAGE_MASK) + PAGE_SIZE
            va = find(vsize, 1, vstart, False)
            if va is None:
                return slow_vmalloc(size)
            nva = va.va_start if va.va_start > vstart else vstart
            if nva + vsize > vend:
                return slow_vmalloc(size)
            clip(va, nva, vsize)
            counters["vmalloc_calls"] += 1
            new = VmapArea(nva, nva + vsize)
            busy[nva] = new
            vm = VmStruct(nva, vsize, vm_flags, me.caller)
            vm.requested_size = size
            vm.va = new
            new.vm = vm
            new.flags = area_flags
            nr = (vsize >> PAGE_SHIFT) - 1
            pfns: list[int] = []
            vm.pages = pfns
            got = pa.alloc_pages_bulk(gfp, nr, pfns) if bulk else 0
            for _ in range(nr - got if single else 0):
                page = alloc_pages(gfp, 0)
                if not page:
                    break
                pfns.append((page - base) >> PAGE_SHIFT)
            if len(pfns) < nr:  # the pages ran out: the modelled path reports and cleans up
                vm.nr_pages = len(pfns)
                me.nr_vmalloc_pages += len(pfns)
                counters["vmalloc_pages_allocated"] += len(pfns)
                me._warn_pages_failed(me.vmalloc_gfp, len(pfns) * PAGE_SIZE, vm)
                me._vunmap(nva, True)
                return 0
            vm.nr_pages = nr
            me.nr_vmalloc_pages += nr
            counters["vmalloc_pages_allocated"] += nr
            vpn = nva >> PAGE_SHIFT  # vmap_pages_range: one PTE per page
            pte.update(zip(range(vpn, vpn + nr), pfns))
            first, last = vpn >> tshift, (vpn + nr - 1) >> tshift
            if first == last:
                tables[first] = tables.get(first, 0) + nr
            else:
                for v in range(vpn, vpn + nr):
                    tables[v >> tshift] = tables.get(v >> tshift, 0) + 1
            return nva

        def vfree(addr: int) -> None:
            """``vfree(addr)``: unmap lazily, give the pages back."""
            va = busy.get(addr) if type(addr) is int else None
            if va is None or va.flags != area_flags or me.kasan is not None:
                return slow_vfree(addr)
            vm = va.vm
            if vm.flags & VM_VPAGES or vm.page_order or pmd:
                return slow_vfree(addr)
            counters["vfree_calls"] += 1
            start, end = va.va_start, va.va_end
            vpn = start >> PAGE_SHIFT  # vunmap_range_noflush: the pages' PTEs (the guard has none)
            nr = vm.nr_pages
            first, last = vpn >> tshift, (vpn + nr - 1) >> tshift
            if first == last and nr and pte.get(vpn) is not None:
                for v in range(vpn, vpn + nr):
                    del pte[v]
                left = tables[first] - nr
                if left:
                    tables[first] = left
                else:
                    del tables[first]
            else:
                pt.clear_range(start, end)
            if lazy_off_busy:
                del busy[start]
            va.flags = area_flags | VM_LAZY_FREE  # free_vmap_area_noflush
            lazy.append(va)
            me.vmap_lazy_nr += (end - start) >> PAGE_SHIFT
            if me.vmap_lazy_nr > lazy_max:
                me.try_purge_vmap_area_lazy()
            vm.size -= PAGE_SIZE
            if free_each:  # __free_page on each page: the page allocator's loop
                pa.free_pages_each(vm.pages)
            else:
                for pfn in vm.pages:
                    free_pages(base + (pfn << PAGE_SHIFT), 0)
            me.nr_vmalloc_pages -= nr
            counters["vmalloc_pages_freed"] += nr

        self.vmalloc = vmalloc  # type: ignore[method-assign]
        self.vfree = vfree  # type: ignore[method-assign]

    # the busy areas are found by address only from 5.2 on (no walk of them is ever needed)
    def _insert_busy(self, va: VmapArea) -> None:
        self.busy_by_addr[va.va_start] = va

    def _erase_busy(self, va: VmapArea) -> None:
        self.busy_by_addr.pop(va.va_start, None)

    def areas(self) -> list[tuple[int, int]]:
        spans = [(va.va_start, va.va_end) for va in self.busy_by_addr.values()]
        if self.lazy_off_busy:
            spans += [(va.va_start, va.va_end) for va in self.lazy]
        return sorted(spans)

    def check(self) -> list[str]:
        out = super().check()
        lazy = sum((va.va_end - va.va_start) >> PAGE_SHIFT for va in self.lazy)
        if lazy != self.vmap_lazy_nr:
            out.append(f"vmalloc: {self.vmap_lazy_nr} lazy pages counted, the lazy areas span {lazy}")
        try:
            self.free.check()
        except AssertionError as exc:
            out.append(f"vmalloc: the free tree is broken ({exc})")
        spans = sorted(self.areas() + self.free_blocks())
        for (a0, a1), (b0, b1) in zip(spans, spans[1:]):
            if a1 > b0:
                out.append(f"vmalloc: {a0:#x}-{a1:#x} and {b0:#x}-{b1:#x} are both reserved or free")
                break
        return out

    def free_blocks(self) -> list[tuple[int, int]]:
        """The free tree's blocks in address order (for tests and reports)."""
        return [(va.va_start, va.va_end) for va in self.free]

    # -- find_vmap_lowest_match / va_clip ------------------------------------------------------
    def find_vmap_lowest_match(self, size: int, align: int, vstart: int, adjust_search_size: bool) -> VmapArea | None:
        """The free block with the lowest address that fits; ``vmap_steps`` counts the nodes visited.

        ``is_within_this_va`` is written out inline: the block fits if ``ALIGN(max(va_start,
        vstart), align) + size`` ends inside it (and does not wrap).
        """
        node = self.free.root
        length = size + align - 1 if adjust_search_size else size
        steps = 0
        mask = align - 1
        while node is not None:
            steps += 1
            left = node.left
            if left is not None and left.subtree_max_size >= length and vstart < node.va_start:
                node = left
                continue
            nva = node.va_start if node.va_start > vstart else vstart
            nva = (nva + mask) & ~mask
            if nva >= vstart and nva + size <= node.va_end and nva + size <= ULONG_MAX:
                self.counters["vmap_steps"] += steps
                return node  # type: ignore[return-value]
            right = node.right
            if right is not None and right.subtree_max_size >= length:
                node = right
                continue
            # roll back to the first right subtree that may still hold a fit
            while True:
                node = node.parent
                if node is None:
                    self.counters["vmap_steps"] += steps
                    return None
                steps += 1
                nva = node.va_start if node.va_start > vstart else vstart  # is_within_this_va, inline
                nva = (nva + mask) & ~mask
                if nva >= vstart and nva + size <= node.va_end and nva + size <= ULONG_MAX:
                    self.counters["vmap_steps"] += steps
                    return node  # type: ignore[return-value]
                right = node.right
                if right is not None and right.subtree_max_size >= length and vstart <= node.va_start:
                    vstart = node.va_start + 1
                    node = right
                    break
        self.counters["vmap_steps"] += steps
        return None

    def va_clip(self, va: VmapArea, nva_start: int, size: int) -> None:
        """Cut ``[nva_start, nva_start + size)`` out of the free block ``va`` (FL/LE/RE/NE fit)."""
        if va.va_start == nva_start:
            if va.va_end == nva_start + size:  # FL_FIT_TYPE: the whole block
                self.free.erase(va)
                return
            va.va_start += size  # LE_FIT_TYPE
        elif va.va_end == nva_start + size:  # RE_FIT_TYPE
            va.va_end = nva_start
        else:  # NE_FIT_TYPE: the rest on the left becomes a new free block
            lva = VmapArea(va.va_start, nva_start)
            va.va_start = nva_start + size
            self.free.propagate(va)
            self._link_free(lva, va)
            return
        self.free.propagate(va)

    def _link_free(self, va: VmapArea, start: RbNode | None = None) -> None:
        tree = self.free
        node = start if start is not None else tree.root
        parent, left = None, False
        while node is not None:
            parent = node
            if va.va_end <= node.va_start:
                node, left = node.left, True
            elif va.va_start >= node.va_end:
                node, left = node.right, False
            else:  # pragma: no cover - overlapping free blocks would be a model bug
                raise LinuxmmError(f"vmalloc bug: {va.va_start:#x}-{va.va_end:#x} overlaps with "
                                   f"{node.va_start:#x}-{node.va_end:#x}")
        tree.link(va, parent, left)
        va.subtree_max_size = 0
        tree.insert_color(va)
        tree.propagate(va)

    def _merge_free(self, va: VmapArea) -> VmapArea:
        """``merge_or_add_vmap_area_augment``: join the free neighbours, or insert."""
        tree = self.free
        node, parent, left = tree.root, None, False
        while node is not None:
            parent = node
            if va.va_end <= node.va_start:
                node, left = node.left, True
            elif va.va_start >= node.va_end:
                node, left = node.right, False
            else:  # pragma: no cover
                raise LinuxmmError(f"vmalloc bug: {va.va_start:#x}-{va.va_end:#x} overlaps with "
                                   f"{node.va_start:#x}-{node.va_end:#x}")
        if parent is None:
            nxt = prev = None
        elif left:
            nxt, prev = parent, rb_prev(parent)
        else:
            nxt, prev = rb_next(parent), parent
        merged = None
        if nxt is not None and nxt.va_start == va.va_end:
            nxt.va_start = va.va_start
            merged = nxt
        if prev is not None and prev.va_end == va.va_start:
            if merged is not None:
                tree.erase(merged)
                prev.va_end = merged.va_end
            else:
                prev.va_end = va.va_end
            merged = prev
        if merged is None:
            va.flags = 0
            va.vm = None
            self._link_free(va, None)
            return va
        tree.propagate(merged)  # type: ignore[arg-type]
        return merged  # type: ignore[return-value]

    # -- alloc_vmap_area ---------------------------------------------------------------------------
    def alloc_vmap_area(self, size: int, align: int, vstart: int, vend: int) -> VmapArea | None:
        purged = False
        while True:
            adjust = not (align <= PAGE_SIZE or vend - vstart == size)
            va = self.find_vmap_lowest_match(size, align, vstart, adjust)
            if va is not None:
                nva = va.va_start if va.va_start > vstart else vstart
                nva = (nva + align - 1) & -align
                if nva + size <= vend:
                    self.va_clip(va, nva, size)
                    new = VmapArea(nva, nva + size)
                    self.busy_by_addr[nva] = new
                    return new
            if not purged:
                self.purge_vmap_area_lazy()
                purged = True
                continue
            self.vmap_alloc_failed(size, vstart, vend)
            return None

    # -- lazy freeing ---------------------------------------------------------------------------------
    def free_vmap_area_noflush(self, va: VmapArea) -> None:
        if self.lazy_off_busy:
            self.busy_by_addr.pop(va.va_start, None)
        va.flags |= VM_LAZY_FREE
        self.lazy.append(va)
        self.vmap_lazy_nr += (va.va_end - va.va_start) >> PAGE_SHIFT
        if self.vmap_lazy_nr > self.lazy_max_pages():
            self.try_purge_vmap_area_lazy()

    def _purge_vmap_area_lazy(self, start: int, end: int, sync: bool, force_flush: bool) -> None:
        if sync:
            self.purge_fragmented_blocks_allcpus()
        valist = self.lazy[:]
        self.lazy.clear()
        nr = 0
        for va in valist:
            if va.va_start < start:
                start = va.va_start
            if va.va_end > end:
                end = va.va_end
            nr += (va.va_end - va.va_start) >> PAGE_SHIFT
        if valist or force_flush:
            self.kernel.flush_tlb_kernel_range(start, end)
            self.counters["lazy_purges"] += 1
        self.vmap_lazy_nr -= nr
        busy = self.busy_by_addr
        for va in valist:
            if not self.lazy_off_busy:
                busy.pop(va.va_start, None)
            self._merge_free(va)

    # -- vmalloc ------------------------------------------------------------------------------------------
    def vmalloc_node_range(self, size: int, align: int, gfp: int, vm_flags: int, node: int,
                           caller: str | None) -> int:
        self.counters["vmalloc_calls"] += 1
        if self.vmalloc_error_msgs:
            if not size:
                if not self._warned_zero:  # WARN_ON_ONCE(!size)
                    self._warned_zero = True
                    self.warn("__vmalloc_node_range", "")
                return 0
            if size >> PAGE_SHIFT > self.totalram_pages:
                self.warn_alloc(gfp, f"vmalloc error: size {size}, exceeds total pages")
                return 0
        return self._vmalloc_node_range(size, align, gfp, vm_flags, node, caller, PAGE_SHIFT)

    def _vmalloc_node_range(self, size: int, align: int, gfp: int, vm_flags: int, node: int,
                            caller: str | None, shift: int) -> int:
        real_size = size
        size = (size + (1 << shift) - 1) & -(1 << shift)
        if not self.vmalloc_error_msgs and (not size or size >> PAGE_SHIFT > self.totalram_pages):
            self.warn_alloc(gfp, f"vmalloc: allocation failure: {real_size} bytes")
            return 0
        vm = self._get_vm_area_node(size, align, VM_ALLOC | vm_flags, caller)
        if vm is None:
            if shift == PAGE_SHIFT:
                if self.vmalloc_error_msgs:
                    self.warn_alloc(gfp, f"vmalloc error: size {size}, vm_struct allocation failed")
                else:
                    self.warn_alloc(gfp, f"vmalloc: allocation failure: {real_size} bytes")
            return 0
        vm.requested_size = real_size
        return self._vmalloc_area_node(vm, gfp, node, caller)

    def _vmalloc_area_node(self, vm: VmStruct, gfp: int, node: int, caller: str | None) -> int:
        if self.kasan is not None:
            self.kasan.populate_vmalloc(vm)
        addr = super()._vmalloc_area_node(vm, gfp, node, caller)
        if addr and self.kasan is not None:
            self.kasan.unpoison_vmalloc(vm)
        return addr

    def _vunmap(self, addr: int, deallocate_pages: bool) -> None:
        if not addr:
            return
        if addr & (PAGE_SIZE - 1):
            if self.kernel.has("v6.3"):  # remove_vm_area WARNs, then vfree finds no area [S]
                self.warn("remove_vm_area", f"Trying to vfree() bad address ({self.ptr(addr)})")
                self.warn("vfree", f"Trying to {'vfree' if deallocate_pages else 'vunmap'}() nonexistent vm area "
                                   f"({self.ptr(addr)})")
            else:
                self.warn("__vunmap", f"Trying to vfree() bad address ({self.ptr(addr)})")
            return
        vm = self.remove_vm_area(addr)
        if vm is None:
            if self.kernel.has("v6.3"):
                self.warn("vfree" if deallocate_pages else "vunmap",
                          f"Trying to {'vfree' if deallocate_pages else 'vunmap'}() nonexistent vm area "
                          f"({self.ptr(addr)})")
            else:
                self.warn("__vunmap", f"Trying to vfree() nonexistent vm area ({self.ptr(addr)})")
            return
        if self.kasan is not None:
            self.kasan.poison_vmalloc(vm)
        if deallocate_pages:
            self._free_vm_pages(vm)

    def _free_vm_pages(self, vm: VmStruct) -> None:
        free_pages, base = self._free_pages, self.page_offset
        order = vm.page_order
        pages = vm.pages or ()
        if order:
            step = 1 << order
            for i in range(0, len(pages), step):
                free_pages(base + (pages[i] << PAGE_SHIFT), order)
        else:
            for pfn in pages:
                free_pages(base + (pfn << PAGE_SHIFT), 0)
        self.nr_vmalloc_pages -= vm.nr_pages
        self.counters["vmalloc_pages_freed"] += vm.nr_pages
        if vm.flags & VM_VPAGES and vm.pages_addr:
            self._vunmap(vm.pages_addr, True)

    def meminfo(self) -> dict[str, int]:
        """0 and 0 from a5ad88ce8c7f (4.4); from 97105f0ab7b8 (5.3) VmallocUsed is the pages vmalloc holds."""
        total = (self.VMALLOC_END - self.VMALLOC_START) >> 10
        used = self.nr_vmalloc_pages << (PAGE_SHIFT - 10) if self.nr_vmalloc_info else 0
        return {"VmallocTotal": total, "VmallocUsed": used, "VmallocChunk": 0}


# ==========================================================================================
# 5.13 on: huge mappings
# ==========================================================================================
class HugeVmalloc(FreeTreeVmalloc):
    """121e6f3258fe's PMD mappings; opt-in from 559089e0a93d (see the module docstring)."""

    def __init__(self, kernel: "Kernel"):
        super().__init__(kernel)
        has = kernel.has
        self.opt_in = has("559089e0a93d")
        self.vmap_allow_huge = bool(kernel.config.get("HAVE_ARCH_HUGE_VMALLOC")) and \
            not kernel.cmdline.get("nohugevmalloc", False)
        self.counters.declare("huge_vmalloc_mappings", "huge_vmalloc_fallbacks")
        self._build_fast_paths()  # again: plain vmalloc may go huge in 5.13-5.17

    def vmalloc_huge(self, size: int, gfp: int = GFP_KERNEL) -> int:
        """``vmalloc_huge(size, gfp_mask)`` (559089e0a93d): ``VM_ALLOW_HUGE_VMAP``."""
        size = self._check_size(size, "vmalloc_huge")
        gfp = check_gfp(gfp, "vmalloc_huge")
        return self.vmalloc_node_range(size, 1, gfp, VM_ALLOW_HUGE_VMAP, NUMA_NO_NODE, self.caller)

    def vmalloc_node_range(self, size: int, align: int, gfp: int, vm_flags: int, node: int,
                           caller: str | None) -> int:
        self.counters["vmalloc_calls"] += 1
        if not size:
            if not self._warned_zero:
                self._warned_zero = True
                self.warn("__vmalloc_node_range", "")
            return 0
        if size >> PAGE_SHIFT > self.totalram_pages:
            self.warn_alloc(gfp, f"vmalloc error: size {size}, exceeds total pages")
            return 0
        if self.vmap_allow_huge and (vm_flags & VM_ALLOW_HUGE_VMAP if self.opt_in else not vm_flags & VM_NO_HUGE_VMAP):
            # 5.13-5.17 compare the size per node (one node here) with PMD_SIZE
            if size >= PMD_SIZE:
                addr = self._vmalloc_node_range(size, max(align, PMD_SIZE), gfp, vm_flags, node, caller,
                                                PMD_SHIFT)
                if addr:
                    self.counters["huge_vmalloc_mappings"] += 1
                    return addr
                self.counters["huge_vmalloc_fallbacks"] += 1
        return self._vmalloc_node_range(size, align, gfp, vm_flags, node, caller, PAGE_SHIFT)

    def _vmalloc_node_range(self, size: int, align: int, gfp: int, vm_flags: int, node: int,
                            caller: str | None, shift: int) -> int:
        if shift == PAGE_SHIFT:
            return super()._vmalloc_node_range(size, align, gfp, vm_flags, node, caller, shift)
        real_size = size
        size = (size + PMD_SIZE - 1) & -PMD_SIZE
        vm = self._get_vm_area_node(size, align, VM_ALLOC | vm_flags, caller)
        if vm is None:
            return 0
        vm.requested_size = real_size
        vm.page_order = shift - PAGE_SHIFT
        nr_small = size >> PAGE_SHIFT
        vm.nr_pages = nr_small
        if nr_small * 8 > PAGE_SIZE:
            array = self.vmalloc_node_range(nr_small * 8, 1, gfp | _GFP_ZERO, 0, node, caller)
            vm.flags |= VM_VPAGES
            if not array:
                self.remove_vm_area(vm.addr)
                return 0
            vm.pages_addr = array
        pfns: list[int] = []
        vm.pages = pfns
        alloc_pages, base, order = self._alloc_pages, self.page_offset, vm.page_order
        for _ in range(nr_small >> order):
            page = alloc_pages(gfp | _GFP_NOWARN, order)
            if not page:
                vm.nr_pages = len(pfns)
                self.nr_vmalloc_pages += len(pfns)
                self.counters["vmalloc_pages_allocated"] += len(pfns)
                self._vunmap(vm.addr, True)  # the huge attempt failed: no warning, small pages next
                return 0
            first = (page - base) >> PAGE_SHIFT
            pfns.extend(range(first, first + (1 << order)))
        self.nr_vmalloc_pages += nr_small
        self.counters["vmalloc_pages_allocated"] += nr_small
        pt = self.pt
        for i in range(0, nr_small, 1 << order):
            pt.map_huge(vm.addr + (i << PAGE_SHIFT), pfns[i])
        if self.kasan is not None:
            # __vmalloc_node_range unpoisons the requested bytes once mapped, huge or not [V 6.12]
            self.kasan.populate_vmalloc(vm)
            self.kasan.unpoison_vmalloc(vm)
        return vm.addr

    def tlb_entries(self, addr: int) -> tuple[int, int]:
        """TLB entries a live area needs: (4K entries, 2M entries)."""
        vm = self.find_vm_area(addr)
        if vm is None:
            return (0, 0)
        return self.pt.leaves(vm.addr, vm.addr + vm.size - PAGE_SIZE)


# -- records -------------------------------------------------------------------------------
@hookimpl
def linuxmm_implementations():
    return [
        Implementation(
            subsystem="vmalloc", name="vmap-area-2.6.28", factory=VmapLayer, introduced="db64fe02258f",
            removed="68ad4a330433", api=API,
            summary="vmap_area rbtree, lazy TLB purge (fls(cpus) * 32M), per-CPU vmap blocks for vm_map_ram"),
        Implementation(
            subsystem="vmalloc", name="vmap-free-tree-5.2", factory=FreeTreeVmalloc, introduced="68ad4a330433",
            removed="121e6f3258fe", api=API,
            summary="free space in an augmented rbtree: lowest fit in O(log n), FL/LE/RE/NE clips, merging frees"),
        Implementation(
            subsystem="vmalloc", name="vmap-huge-5.13", factory=HugeVmalloc, introduced="121e6f3258fe", api=API,
            summary="PMD mappings for vmalloc >= 2M with HAVE_ARCH_HUGE_VMALLOC; opt-in via vmalloc_huge "
                    "from 559089e0a93d"),
    ]
