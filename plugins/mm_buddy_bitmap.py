"""The bitmap buddy allocators: 1.1.89 to 2.0, 2.2, and the zoned 2.4.

Three page allocators share one mechanism, written once here:

* a ``free_area`` per order: a circular list of free blocks (a
  :class:`~linuxmm.lists.HeadList`, added at the head as ``add_mem_queue`` /
  ``list_add`` did) and a bitmap with **one bit per buddy pair**;
* the bit of a pair is flipped every time either buddy, as a block of that
  order, goes onto or comes off the list, so it reads 1 exactly when one
  buddy is free and the other is not;
* ``free_pages_ok`` flips the bit of the freed block's pair: if the bit was
  1 the buddy was free, it is unlinked and the two merge one order up, and
  so on; if it was 0 the block stops there;
* ``RMQUEUE`` scans from the requested order upwards and takes the head
  block of the first non-empty list; ``EXPAND`` then halves it: the
  **lower** half goes back on the next smaller list and the allocation
  continues with the **upper** half.  So these kernels hand out the
  highest-addressed piece of a split block (2.6's ``expand()`` does the
  opposite).

The files modelled (read side by side with the Python):

``buddy-bitmap-1.1`` (v1.1.89, v1.2.0, v2.0)
    ``mm/swap.c`` of 1.2 (the buddy code before Stephen Tweedie's
    29.12.95 split) and ``mm/page_alloc.c`` of 1.3.x/2.0; six lists,
    orders 0..5 (``NR_MEM_LISTS`` 6).  [V-code: 1.2 ``mm/swap.c``; for 2.0
    the 1.99.11 ``mm/page_alloc.c`` (mpe/linux-fullhistory 7ffc0010ed23).]
    The exact 1.1 patchlevel that brought the buddy allocator is [?]; the
    model starts it at v1.1.89, the first modelled 1.1 point (1.1.89's
    ``mm/kmalloc.c`` already calls ``__get_free_pages(priority, order)`` and
    ``__get_dma_pages``; see docs/sources.md).  1.1.89's own ``mm/swap.c``
    was not found; it is modelled as 1.2's [S].
``buddy-bitmap-2.2`` (v2.2.0)
    ``mm/page_alloc.c`` of 2.2: six lists, orders 0..5 (``NR_MEM_LISTS`` 6;
    12 only under ``CONFIG_AP1000``), ``freepages`` watermarks,
    ``PAGE_OFFSET`` 0xC0000000.  [V-code: the stock 2.2.1 tree,
    linas/i370-linux-2.2.1 a5d82f5 "stock linux 2.2.1 kernel".]  Ten lists
    belong to the 2.3 development series, not to 2.2.
``buddy-zoned-2.4`` (v2.4.0)
    ``mm/page_alloc.c`` of 2.4.0 (rivsidn/linux-2.4.0 and
    liexusong/linux-2.4.0, the same allocator code; the first one's
    Makefile says 2.4.0): zones DMA/Normal/HighMem, each with its own
    ``free_area[MAX_ORDER]`` (``MAX_ORDER`` 10, orders 0..9; every order
    has a bitmap), ``__alloc_pages`` with ``__alloc_pages_limit``.
    [V-code.]  The late 2.4.x file (lbytony/Linux-Memory-Management-Analysis,
    with ``balance_classzone``) differs in watermarks, top map, admission
    and report; every 2.4.x runs the 2.4.0 model.

Sources read (pre-git releases have no sha): 1.2 ``mm/swap.c`` and an
earlier 1.1 ``mm/swap.c`` (unnamed mirrors, found by their text); a 1.3/2.0
``mm/page_alloc.c`` and 1.2/2.0/2.2 ``arch/i386/mm/init.c`` ``mem_init``; a
the stock 2.2.1 ``mm/page_alloc.c`` (linas/i370-linux-2.2.1, whose first
commit is the unmodified 2.2.1 tree); mpe/linux-fullhistory's copy at
025296fb7d7b (its Makefile says 2.3.7) has the same allocator code except
``NR_MEM_LISTS``, which the 2.3 series raised to 10; the 2.4.0 files above.  2.0: mpe/linux-fullhistory's ``mm/page_alloc.c`` at
7ffc0010ed23, whose Makefile says 1.99.11 (a 2.0 pre-release).
The "top list may not be emptied to its last block unless
``__GFP_HIGH``" rule (``RMQUEUE(order, maxorder, dma)``) exists only in a
2.1.x copy: neither 1.2, 2.0 nor 2.2 has it, so no modelled release does.
``PAGE_OFFSET``: 1.2 and 2.0 ``mem_init`` walk physical addresses from 0
(``0x9f000`` with no offset), 2.2's adds ``PAGE_OFFSET`` (0xC0000000 on
i386) [V-code, the i386 value itself S].

What the model cannot know, and chooses (each is a documented model
parameter, not a fact of the record): the size of the kernel image
(``kernel_text_kb``/``kernel_data_kb``), ``sizeof(struct page)`` in 2.0-2.4,
and that the 2.0-2.4 direct map uses 4 MB (PSE) pages, so paging_init takes
no page-table pages from free memory.  Nothing can be reclaimed in the
model (no page cache, buffers or swap): where the kernel would call
``try_to_free_page(s)``, the model frees nothing.

Totals: every allocator here manages all ``mem >> 12`` frames of the
machine; ``nr_free_pages() + allocated_pages() + reserved_pages()`` equals
that number after any sequence of calls.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from linuxmm import hookimpl
from linuxmm.errors import LinuxmmError
from linuxmm import gfp as _gfp
from linuxmm.lists import HeadList
from linuxmm.machine import PAGE_SHIFT, PAGE_SIZE
from linuxmm.machine.frames import PG_dma, PG_reserved, ImpliedCounts
from linuxmm.pagealloc import PageAllocator, ZoneInfo, check_args
from linuxmm.records import Implementation

if TYPE_CHECKING:  # pragma: no cover
    from linuxmm.kernel import Kernel

# Flag bits under names a class body does not mangle (``__GFP_DMA`` would become
# ``_BuddyBitmap11__GFP_DMA`` inside a method).
_DMA = _gfp.__GFP_DMA
_HIGH = _gfp.__GFP_HIGH
_HIGHMEM = _gfp.__GFP_HIGHMEM
_FS = _gfp.__GFP_FS
_HARDWALL = _gfp.__GFP_HARDWALL
_WAIT = _gfp.__GFP_WAIT

#: ISA DMA reaches the first 16 MB (``MAX_DMA_ADDRESS``, as a physical limit).
MAX_DMA_PHYS = 16 << 20
MAX_DMA_PFN = MAX_DMA_PHYS >> PAGE_SHIFT
#: First pfn of the BIOS/ISA hole: mem_init frees low memory only below
#: 0x9F000 ("IBM messed up *AGAIN*": 0xA0000 became 0x9F000).
LOW_MEM_END_PFN = 0x9F000 >> PAGE_SHIFT
#: i386 kernels of these eras are loaded at 1 MB.
KERNEL_START_PFN = 0x100000 >> PAGE_SHIFT
_NIL = -1
_U32 = 0xFFFFFFFF
#: In ``BitmapBuddy._state``: the frame is the head of a block handed out (low bits: its order).
#: The block's reference (``count = 1`` in RMQUEUE) is implied by this mark; see ImpliedCounts.
ALLOCATED = 0x80
#: Every state byte that is not an ALLOCATED mark (deleted to count the blocks handed out).
_NOT_A_HEAD = bytes(v for v in range(256) if not ALLOCATED <= v < ALLOCATED + 16)


def _long_align(x: int) -> int:
    return (x + 3) & ~3


def _pfn_up(nbytes: int) -> int:
    return (nbytes + PAGE_SIZE - 1) >> PAGE_SHIFT


class FreeArea:
    """``free_area[]`` of one range of frames (the whole machine before 2.4, one zone in 2.4).

    ``lists[k]`` holds the head pfns of free blocks of order ``k`` (a
    :class:`~linuxmm.lists.HeadList`; ``dicts[k]`` is its dict, for the hot paths);
    ``maps[k]`` has one byte per buddy pair (a bit in the kernel) for
    ``k < nr_orders - 1``, and for the top order too where the era keeps a
    top map (1.x-2.2 flip it on allocation only; 2.4 has none).
    """

    __slots__ = ("name", "base", "size", "nr_orders", "lists", "dicts", "maps", "free_pages",
                 "pages_min", "pages_low", "pages_high", "fast_limit")

    def __init__(self, name: str, base: int, size: int, nr_orders: int, top_map: bool):
        self.name = name
        self.base = base
        self.size = size
        self.nr_orders = nr_orders
        self.lists = [HeadList() for _ in range(nr_orders)]
        self.dicts = [lst.d for lst in self.lists]
        self.maps = [bytearray((size >> (k + 1)) + 1) for k in range(nr_orders - 1)]
        self.maps.append(bytearray((size >> nr_orders) + 1) if top_map else None)
        self.free_pages = 0
        self.pages_min = self.pages_low = self.pages_high = 0
        self.fast_limit = 1 << 62  # 1.x-2.2: the fast path serves while free_pages is above this

    def nr_free(self) -> list[int]:
        return [len(lst) for lst in self.lists]

    def bulk_free_range(self, start: int, end: int) -> None:
        """Free pfns ``[start, end)`` as boot does page by page, ascending, in one pass.

        Freeing every page of a range in ascending order leaves exactly the
        greedy aligned decomposition of the range, each order's list in
        descending address order (the block completed last sits at the
        head), and each pair bit equal to "exactly one buddy free".  Tests
        check this against page-by-page :func:`free_pages_ok`.
        """
        base = self.base
        top = self.nr_orders - 1
        lists, maps = self.lists, self.maps
        idx, end_idx = start - base, end - base
        self.free_pages += end - start
        while idx < end_idx:
            order = top
            while order and (idx & ((1 << order) - 1) or idx + (1 << order) > end_idx):
                order -= 1
            lists[order].add(idx + base)
            if order < top:
                maps[order][idx >> (order + 1)] ^= 1
            idx += 1 << order


def _subtract(ranges: list[tuple[int, int]], lo: int, hi: int) -> list[tuple[int, int]]:
    """``ranges`` minus ``[lo, hi)``, empty pieces dropped."""
    out = []
    for a, b in ranges:
        for x, y in ((a, min(b, lo)), (max(a, hi), b)):
            if x < y:
                out.append((x, y))
    return out


#: 1 << k and the mask clearing the low k bits, by order (looked up, not computed, on the hot paths).
_BIT = tuple(1 << k for k in range(16))
_ALIGN = tuple(~((1 << k) - 1) for k in range(16))


def free_pages_ok(area: FreeArea, pfn: int, order: int) -> None:
    """Put a block on the free lists, merging with free buddies (1.x-2.4 ``free_pages_ok``)."""
    top = area.nr_orders - 1
    dicts, maps = area.dicts, area.maps
    base = area.base
    idx = (pfn - base) & _ALIGN[order]
    area.free_pages += _BIT[order]
    while order < top:
        m = maps[order]
        bit = idx >> (order + 1)
        old = m[bit]
        m[bit] = old ^ 1
        if not old:  # the buddy is still in use
            break
        del dicts[order][(idx ^ _BIT[order]) + base]  # list_del(buddy)
        order += 1
        idx &= _ALIGN[order]
    dicts[order][idx + base] = None  # list_add


class BitmapBuddy(PageAllocator):
    """What the three eras share: boot layout, RMQUEUE/EXPAND, freeing, reports."""

    nr_mem_lists = 6
    top_map = True  # 1.x-2.2 keep (and flip on allocation) a map for the top order too
    kernel_text_kb = 192
    kernel_data_kb = 96
    sizeof_page = 2  # bytes per mem_map entry

    def __init__(self, kernel: "Kernel"):
        super().__init__(kernel)
        self.dmesg = kernel.dmesg
        self.nr_reserved = 0
        self._check_new = False  # see _counts_written

    # -- shared kernel call and contract (one free area before 2.4; 2.4 overrides) ----
    def free_page(self, addr: int) -> None:
        """``free_page(addr)``: ``free_pages(addr, 0)``."""
        check_args("free_page", addr=(addr, "addr"))
        self.free_pages(addr, 0)

    def nr_free_pages(self) -> int:
        return self.area.free_pages

    def zone_info(self) -> list[ZoneInfo]:
        a = self.area
        return [ZoneInfo("Memory", 0, self.nr_pages, self.nr_pages, a.free_pages, a.nr_free())]

    def show_mem(self) -> str:
        return self.show_free_areas()

    def alloc_block(self, order: int, gfp: int) -> int:
        return self.get_free_pages_order(gfp, order)

    def free_block(self, addr: int, order: int) -> None:
        self.free_pages(addr, order)

    def _put_block(self, addr: int, pfn: int, order: int, area: "FreeArea | None" = None,
                   func: str = "free_pages") -> None:
        """Drop one reference on an allocated block; the last one gives it back.

        A last reference dropped with an order other than the block's is refused
        by ``_check_order`` before anything changes (the kernels did not check,
        and their lists were corrupted).
        """
        count = self.page_count(pfn)
        if count == 1 and self._state[pfn] != ALLOCATED | order:
            self._check_order(func, addr, pfn, order)
        if count == 1:
            self._release(area or self.area, pfn, order)
        else:
            self._set_count(pfn, count - 1)

    # -- page counts: the block's own reference is its ALLOCATED mark ---------------
    def page_count(self, pfn: int) -> int:
        """``mem_map[pfn].count``: the raw count plus the reference an ALLOCATED mark implies."""
        return self._raw[pfn] + (1 if self._state[pfn] & ALLOCATED else 0)

    def _set_count(self, pfn: int, count: int) -> None:
        raw = count - (1 if self._state[pfn] & ALLOCATED else 0)
        self._raw[pfn] = raw
        if raw:
            self._counts_written()

    def _counts_written(self) -> None:
        """A raw count became nonzero (a count below zero, or one written from outside): from
        now on the fast paths check it (and hand such pages to the step-by-step paths)."""
        if not self._check_new:
            self._check_new = True
            self._install_fast_paths()
            self.kernel.rebind()

    def _handed_out(self, pfn: int, order: int) -> int:
        """RMQUEUE's ``count = 1`` on the block it returns: the mark, and a raw count of 0."""
        self._state[pfn] = ALLOCATED | order
        self._raw[pfn] = 0
        return pfn

    def _install_fast_paths(self) -> None:
        """Bind the era's fast paths as this object's kernel calls (see the era classes)."""

    # -- boot helpers --------------------------------------------------------
    def setup(self, size: int) -> None:
        super().setup(size)
        # The frame arrays, bound once for the hot paths.
        self.f_flags = self.frames.flags
        self._raw = self.frames.count
        self._state = bytearray(self.nr_pages)
        self.frames.count = ImpliedCounts(self._raw, self._state, ALLOCATED, self._counts_written)

    #: i386 ``NR_CPUS`` with ``__SMP__``/``CONFIG_SMP``: 32 in 2.0 and 2.2 (include/linux/tasks.h)
    #: and 2.4.0 (include/linux/threads.h) [V: 2.4.0 rivsidn/linux-2.4.0; 2.0/2.2 tasks.h in
    #: schwabe/davej-history].  Before 2.0 there is no SMP (the kernel refuses cpus > 1).
    NR_CPUS = 32

    def _check_cpus(self) -> None:
        from linuxmm.config import check_era_cpus

        check_era_cpus(self.kernel.nr_cpus, self.NR_CPUS, self.kernel.version,
                       f"NR_CPUS {self.NR_CPUS} on i386 SMP kernels of the era")

    def _check_size(self, size: int, limit: int) -> None:
        if size > limit:
            raise LinuxmmError(f"mem={size >> 20}M is more than this era's i386 kernel can map "
                               f"({limit >> 20}M)")
        need = (KERNEL_START_PFN << PAGE_SHIFT) + ((self.kernel_text_kb + self.kernel_data_kb) << 10) + (1 << 20)
        if size < need:
            raise LinuxmmError(f"mem={size >> 10}K is too small for this era's kernel (it needs {need >> 10}K)")

    def _boot_free(self, areas: list[FreeArea], ranges: list[tuple[int, int]], bulk: bool = True) -> None:
        """mem_init: clear PG_reserved on ``ranges`` and free them page by page, ascending."""
        flags = self.frames.flags
        for start, end in ranges:
            for pfn in range(start, end):
                flags[pfn] &= ~PG_reserved
            for area in areas:
                lo, hi = max(start, area.base), min(end, area.base + area.size)
                if lo >= hi:
                    continue
                if bulk:
                    area.bulk_free_range(lo, hi)
                else:
                    for pfn in range(lo, hi):
                        free_pages_ok(area, pfn, 0)
        self.nr_reserved = self.nr_pages - sum(a.free_pages for a in areas)

    # -- RMQUEUE / EXPAND ------------------------------------------------------
    def _rmqueue(self, area: FreeArea, order: int, dma: bool) -> int:
        """Take a block of ``order`` (pfn, or -1): RMQUEUE then EXPAND."""
        if not dma:
            return rmqueue(area, order)
        lists, maps = area.lists, area.maps
        base = area.base
        flags = self.f_flags
        for cur in range(order, area.nr_orders):
            walks = 0
            for pfn in lists[cur]:  # 2.0/2.2 walk the list from its head for a PG_DMA block
                if flags[pfn] & PG_dma:
                    break
                walks += 1
            else:
                pfn = _NIL
            self.counters["list_walks"] += walks
            if pfn == _NIL:
                continue
            lists[cur].remove(pfn)
            m = maps[cur]
            if m is not None:
                m[(pfn - base) >> (cur + 1)] ^= 1
            area.free_pages -= 1 << order
            # EXPAND: lower halves go back on the smaller lists; keep the upper half.
            size = 1 << cur
            while cur > order:
                cur -= 1
                size >>= 1
                lists[cur].add(pfn)
                maps[cur][(pfn - base) >> (cur + 1)] ^= 1
                pfn += size
            return pfn
        return _NIL

    def _check_order(self, func: str, addr: int, pfn: int, order: int) -> None:
        """Refuse a free whose order differs from the allocation's: the kernel would corrupt its lists."""
        st = self._state[pfn]
        if st != ALLOCATED | order:
            have = st & ~ALLOCATED if st & ALLOCATED else None
            what = f"was allocated with order {have}" if have is not None else "is not the first page of a block"
            raise LinuxmmError(f"{func}({addr:#x}, {order}): that page {what}; this kernel does not check "
                               f"and would corrupt its free lists, so the model refuses")

    def _release(self, area: FreeArea, pfn: int, order: int) -> None:
        """The count reached 0: clear the block's head mark and hand it to ``free_pages_ok``."""
        self._state[pfn] = 0
        free_pages_ok(area, pfn, order)

    # -- invariants ------------------------------------------------------------
    def _areas(self) -> list[FreeArea]:
        return list(getattr(self, "zones", None) or [self.area])

    def check(self) -> list[str]:
        """Lists, counts and pair bits agree; free blocks are aligned, inside their area, unallocated."""
        out = super().check()
        total = 0
        flags = self.frames.flags
        for a in self._areas():
            free = 0
            sets = [set(lst) for lst in a.lists]
            for k, lst in enumerate(a.lists):
                if len(sets[k]) != len(lst):
                    out.append(f"{a.name}: a block is twice on the order-{k} list")
                for pfn in lst:
                    if (pfn - a.base) % (1 << k) or not a.base <= pfn < a.base + a.size:
                        out.append(f"{a.name}: order-{k} block at pfn {pfn} is misaligned or outside the area")
                    if flags[pfn] & PG_reserved or self._state[pfn] & ALLOCATED:
                        out.append(f"{a.name}: order-{k} free block at pfn {pfn} is marked allocated or reserved")
                    free += 1 << k
            if free != a.free_pages:
                out.append(f"{a.name}: the lists hold {free} pages but the count says {a.free_pages}")
            for k in range(a.nr_orders - 1):
                lonely = [p for p in sets[k] if ((p - a.base) ^ (1 << k)) + a.base not in sets[k]]
                paired = len(sets[k]) - len(lonely)
                if paired:
                    out.append(f"{a.name}: {paired} order-{k} free blocks have their buddy free at the same order "
                               f"(unmerged)")
                bad = [p for p in lonely if a.maps[k][(p - a.base) >> (k + 1)] != 1]
                if sum(a.maps[k]) != len(lonely) or bad:
                    out.append(f"{a.name}: the order-{k} bitmap has {sum(a.maps[k])} bits set for {len(lonely)} "
                               f"free blocks whose buddy is not free")
            total += free
        if self.nr_free_pages() != total:
            out.append(f"page_alloc: nr_free_pages() is {self.nr_free_pages()} but the lists hold {total}")
        return out

    # -- reports ---------------------------------------------------------------
    def allocated_pages(self) -> int:
        """Pages handed out by the allocator and not yet freed (the ALLOCATED marks, by order)."""
        heads = self._state.translate(None, _NOT_A_HEAD)  # one pass, keeping only the marks
        return sum(1 << (mark & ~ALLOCATED) for mark in heads)

    def reserved_pages(self) -> int:
        """Frames never given to the allocator (PG_reserved at boot: holes, kernel, boot data)."""
        return self.nr_reserved

    def _free_area_lines(self, area: FreeArea) -> tuple[str, int]:
        nr = area.nr_free()
        kb = PAGE_SIZE >> 10
        parts = "".join(f"{n}*{kb << k}kB " for k, n in enumerate(nr))
        total = sum(n * (kb << k) for k, n in enumerate(nr))
        return parts, total

    def _memory_line(self, code: int, reserved: int, data: int, init: int | None, high: int | None) -> str:
        avail = self.nr_free_pages() << (PAGE_SHIFT - 10)
        line = (f"Memory: {avail}k/{self.nr_pages << (PAGE_SHIFT - 10)}k available "
                f"({code << 2}k kernel code, {reserved << 2}k reserved, {data << 2}k data")
        if init is not None:
            line += f", {init << 2}k init"
        if high is not None:
            line += f", {high << 2}k highmem"
        return line + ")"


def rmqueue(area: FreeArea, order: int) -> int:
    """RMQUEUE then EXPAND for a request any block satisfies (no DMA walk): the pfn, or -1.

    The head block of the first non-empty list from ``order`` up is taken;
    EXPAND gives the lower halves back and keeps the upper one.
    """
    dicts = area.dicts
    for cur in range(order, area.nr_orders):
        d = dicts[cur]
        if d:
            break
    else:
        return _NIL
    pfn = d.popitem()[0]  # the head
    idx = pfn - area.base
    maps = area.maps
    m = maps[cur]
    if m is not None:
        m[idx >> (cur + 1)] ^= 1
    area.free_pages -= _BIT[order]
    while cur > order:
        cur -= 1
        dicts[cur][pfn] = None  # list_add(lower half)
        maps[cur][idx >> (cur + 1)] ^= 1
        size = _BIT[cur]
        pfn += size
        idx += size
    return pfn


def _single_area_fast_paths(pa: "BitmapBuddy", offset: int):
    """``__get_free_pages`` and ``free_pages`` of 1.1-2.2 for their common case, inline.

    An order-0 request with a mask seen before (an exact ``int``, no
    ``__GFP_DMA``), while ``nr_free_pages`` is above the era's admission
    limit (``area.fast_limit``), takes the head of the order-0 list, or
    splits the head of the order-1 list (RMQUEUE and EXPAND written out);
    an order-0 free of a block handed out here (its ALLOCATED mark, no other
    reference) goes back on the lists, merging at orders 0 and 1 inline and
    through :func:`free_pages_ok` above.  Everything else -- other orders and
    masks, arguments of the wrong type, deeper splits, bad frees -- goes to
    the era's step-by-step paths.
    """
    area = pa.area
    d0, d1 = area.dicts[0], area.dicts[1]
    map0, map1 = area.maps[0], area.maps[1]
    state, raw = pa._state, pa._raw
    slow_alloc, slow_free = pa._get_free_pages_slow, pa._free_pages_slow
    checked = pa._check_new  # a raw count may be nonzero: such pages take the slow paths
    fast: dict[int, int] = {}  # masks served here, each kept with the int object last seen
    ZERO = 0
    assert area.base == 0  # the pair bit of page pfn is pfn >> 1

    def learn(gfp_mask: int) -> int:
        if type(gfp_mask) is int and 0 <= gfp_mask <= _U32 and not gfp_mask & _DMA and len(fast) < 256:
            fast[gfp_mask] = gfp_mask
        return slow_alloc(gfp_mask, 0)

    def get_free_pages_order(gfp_mask: int, order: int) -> int:
        """``__get_free_pages(gfp, order)``: the block's address, or 0."""
        if order is not ZERO:
            return slow_alloc(gfp_mask, order)
        try:
            if fast[gfp_mask] is not gfp_mask:  # a float or bool equal to a known mask, ...
                return learn(gfp_mask)
        except KeyError:
            return learn(gfp_mask)
        if area.free_pages <= area.fast_limit:
            return slow_alloc(gfp_mask, 0)
        if d0:  # RMQUEUE: the head of the order-0 list
            pfn = d0.popitem()[0]
            if checked and raw[pfn]:
                d0[pfn] = None  # back at the head; the slow path takes it
                return slow_alloc(gfp_mask, 0)
            map0[pfn >> 1] ^= 1
        elif d1:  # the head of the order-1 list; EXPAND: the lower page back, keep the upper
            pfn = d1.popitem()[0]
            map1[pfn >> 2] ^= 1
            d0[pfn] = None
            map0[pfn >> 1] ^= 1
            pfn += 1
            if checked and raw[pfn]:
                area.free_pages -= 1
                free_pages_ok(area, pfn, 0)  # back, and the slow path decides
                return slow_alloc(gfp_mask, 0)
        else:
            return slow_alloc(gfp_mask, 0)
        area.free_pages -= 1
        state[pfn] = ALLOCATED  # count = 1
        return offset + (pfn << PAGE_SHIFT)

    def free_pages(addr: int, order: int) -> None:
        """``free_pages(addr, order)``."""
        if order is not ZERO:
            return slow_free(addr, order)
        try:
            pfn = (addr - offset) >> PAGE_SHIFT
            if state[pfn] != ALLOCATED or pfn < 0 or (checked and raw[pfn]):
                return slow_free(addr, 0)
        except (TypeError, IndexError):  # not an int, or beyond the last frame
            return slow_free(addr, 0)
        state[pfn] = 0  # the count reaches 0
        bit = pfn >> 1
        if not map0[bit]:  # the buddy is in use: list_add at order 0
            map0[bit] = 1
            d0[pfn] = None
            area.free_pages += 1
            return
        map0[bit] = 0  # merge with the free buddy
        del d0[pfn ^ 1]
        pfn &= ~1
        bit = pfn >> 2
        if not map1[bit]:  # its buddy is in use: list_add at order 1
            map1[bit] = 1
            d1[pfn] = None
            area.free_pages += 1
            return
        map1[bit] = 0  # merge again, and on up from order 2
        del d1[pfn ^ 2]
        area.free_pages -= 3  # free_pages_ok counts the order-2 block as 4 pages freed; one was
        free_pages_ok(area, pfn & ~3, 2)

    return get_free_pages_order, free_pages


def _zoned_fast_paths(pa: "BuddyZoned24"):
    """``alloc_pages``, ``__get_free_pages`` and ``free_pages`` of 2.4.0 for their common case.

    An order-0 request with a mask seen before (an exact ``int``) whose
    zonelist's first zone has ``free_pages >= pages_low`` takes a block
    from that zone at once (``__alloc_pages``' first pass); an order-0 free
    of a block handed out here with no other reference goes back to its
    zone.  RMQUEUE/EXPAND and ``free_pages_ok`` are written out for the two
    lowest orders (a page taken from the order-0 list or split from an
    order-1 block; a free that stops at order 0 or 1), and handed to
    :func:`rmqueue`/:func:`free_pages_ok` above that.  Everything else goes
    to the step-by-step paths.
    """
    off, low_end = pa.page_offset, pa.max_low_pfn
    zdma, znorm, zhigh = pa.zones
    nbase, hbase = znorm.base, zhigh.base
    for z in pa.zones:  # the pair bit of a block is its offset in the zone, shifted
        assert z.base % (1 << z.nr_orders) == 0
    # per zone, what the written-out orders use: the zone, order-0/1 lists and maps, its first pfn
    zt = {id(z): (z, z.dicts[0], z.dicts[1], z.maps[0], z.maps[1], z.base) for z in pa.zones}
    tdma, tnorm, thigh = (zt[id(z)] for z in pa.zones)
    state, raw = pa._state, pa._raw
    slow_alloc, slow_free, slow_get = pa._alloc_pages_slow, pa._free_pages_slow, pa._get_free_pages_slow
    checked = pa._check_new
    fast: dict[int, tuple] = {}  # mask -> (the int object last seen, its zonelist's first zone)
    ZERO = 0

    def learn(gfp_mask: int, page_address: bool) -> int:
        if type(gfp_mask) is int and 0 <= gfp_mask <= _U32 and len(fast) < 256:
            zonelist = (pa.zonelist_dma if gfp_mask & _DMA else
                        pa.zonelist_high if gfp_mask & _HIGHMEM else pa.zonelist_normal)
            if zonelist:
                fast[gfp_mask] = (gfp_mask, zt[id(zonelist[0])])
        return slow_get(gfp_mask, 0) if page_address else slow_alloc(gfp_mask, 0)

    def make_alloc(page_address: bool):
        def alloc(gfp_mask: int, order: int) -> int:
            if order is not ZERO:
                return slow_get(gfp_mask, order) if page_address else slow_alloc(gfp_mask, order)
            try:
                key, (z, d0, d1, m0, m1, base) = fast[gfp_mask]
                if key is not gfp_mask:
                    return learn(gfp_mask, page_address)
            except KeyError:
                return learn(gfp_mask, page_address)
            if z.free_pages < z.pages_low:
                return slow_get(gfp_mask, 0) if page_address else slow_alloc(gfp_mask, 0)
            if d0:  # RMQUEUE from the order-0 list
                pfn = d0.popitem()[0]
                m0[(pfn - base) >> 1] ^= 1
                z.free_pages -= 1
            elif d1:  # RMQUEUE from the order-1 list, EXPAND: the lower page back, keep the upper
                pfn = d1.popitem()[0]
                idx = pfn - base
                m1[idx >> 2] ^= 1
                d0[pfn] = None
                m0[idx >> 1] ^= 1
                pfn += 1
                z.free_pages -= 1
            else:
                pfn = rmqueue(z, 0)
                if pfn < 0:
                    return slow_get(gfp_mask, 0) if page_address else slow_alloc(gfp_mask, 0)
            if checked and raw[pfn]:
                free_pages_ok(z, pfn, 0)  # not this one: back, and the slow path decides
                return slow_get(gfp_mask, 0) if page_address else slow_alloc(gfp_mask, 0)
            state[pfn] = ALLOCATED  # count = 1
            if page_address and pfn >= low_end:
                return 0  # a HighMem page has no address: NULL, and the page stays allocated
            return off + (pfn << PAGE_SHIFT)
        return alloc

    alloc_pages = make_alloc(False)
    alloc_pages.__name__ = "alloc_pages"
    alloc_pages.__doc__ = "``alloc_pages(gfp, order)``: the block's address (a handle for HighMem), or 0."
    get_free_pages = make_alloc(True)
    get_free_pages.__name__ = "get_free_pages_order"
    get_free_pages.__doc__ = "``__get_free_pages(gfp, order)``: ``page_address()`` of the block, NULL for HighMem."

    def free_pages(addr: int, order: int) -> None:
        """``free_pages(addr, order)``."""
        if order is not ZERO:
            return slow_free(addr, order)
        try:
            pfn = (addr - off) >> PAGE_SHIFT
            if state[pfn] != ALLOCATED or pfn < 0 or (checked and raw[pfn]):
                return slow_free(addr, 0)
        except (TypeError, IndexError):  # not an int, or beyond the last frame
            return slow_free(addr, 0)
        state[pfn] = 0  # the count reaches 0
        z, d0, d1, m0, m1, base = tnorm if nbase <= pfn < hbase else (tdma if pfn < nbase else thigh)
        idx = pfn - base
        bit = idx >> 1
        if not m0[bit]:  # the buddy is in use: list_add at order 0
            m0[bit] = 1
            d0[pfn] = None
            z.free_pages += 1
            return
        m0[bit] = 0  # merge with the free buddy
        del d0[pfn ^ 1]
        idx &= ~1
        bit = idx >> 2
        if not m1[bit]:  # its buddy is in use: list_add at order 1
            m1[bit] = 1
            d1[idx + base] = None
            z.free_pages += 1
            return
        m1[bit] = 0  # merge again, and on up from order 2
        del d1[(idx ^ 2) + base]
        z.free_pages -= 3  # free_pages_ok counts the order-2 block as 4 pages freed; one was
        free_pages_ok(z, (idx & ~3) + base, 2)

    return alloc_pages, get_free_pages, free_pages


# ============================================================================
# 1.1.89 .. 2.0: mm/swap.c (1.2) and mm/page_alloc.c (1.3/2.0)
# ============================================================================
class BuddyBitmap11(BitmapBuddy):
    """The first buddy allocator: six lists, physical addresses.

    v1.1.89 and v1.2.0 follow 1.2's ``mm/swap.c``; v2.0 follows the
    1.3/2.0 ``mm/page_alloc.c``.  Differences, precomputed at boot:

    * **Priorities.**  These kernels took a priority, not a mask.  The model
      maps a mask: ``__GFP_HIGH`` is ``GFP_ATOMIC`` (no reserve, never
      reclaims); a mask without ``__GFP_IO``/``__GFP_FS`` is ``GFP_BUFFER``;
      anything else is ``GFP_KERNEL``/``GFP_USER``.  Non-atomic requests are
      served only while ``nr_free_pages > min_free_pages``; otherwise the
      kernel would try ``try_to_free_page()``, which frees nothing here.
      ``min_free_pages`` is ``max(16, mem >> (PAGE_SHIFT+6))`` in 1.2
      [V-code] and ``max(16, mem >> (PAGE_SHIFT+7))`` in 2.0, where
      ``free_pages_low``/``high`` are 1.5x and 2x it [V-code, 1.99.11;
      later 2.0.3x raised the floor to 48 [S]].  ``GFP_NFS`` (reserve of
      only 5 pages in both) has no counterpart in the model's masks.  An
      earlier 1.1 ``mm/swap.c`` (unknown patchlevel) reserved
      ``MAX_SECONDARY_PAGES`` instead of ``min_free_pages``, did not
      long-align the bitmaps and spelled the double-free line
      "probabably"; the model does not use it.
    * **Order limit.**  1.2's ``__get_free_pages`` has no check: an order
      of 6 or more runs RMQUEUE's do/while once past the end of
      ``free_area_list[]`` (undefined).  The model returns 0 and logs
      nothing.  2.0 returns 0 silently for ``order >= NR_MEM_LISTS``.
    * **DMA.**  1.2 has ``__get_dma_pages``: allocate (as ``GFP_BUFFER``
      unless atomic) until a block lies below 16 MB, then free the others
      [V-code].  A 1.2 ``__get_free_pages`` call with ``GFP_DMA`` in the
      model's mask is routed there.  2.0 has the three-argument
      ``__get_free_pages(priority, order, dma)``; the model takes ``dma``
      from ``__GFP_DMA`` in the mask, and RMQUEUE walks each list for a
      ``PG_DMA`` block (pages below 16 MB).
    * **Bad frees.**  1.2 prints ``Trying to free free memory (%08lx):
      memory probably corrupted`` when the count is already 0 (then
      ``PC = %p``, the caller's return address, which the model omits).
      1.1.89's text is [?] (early 1.1 spelled it "probabably" with ``PC =
      %08lx``; 1.2 spells "probably"): the model prints 1.2's.  2.0
      decrements with ``atomic_dec_and_test`` and says nothing: a free of a
      free page drops its count below zero and changes no list.
    * **Layout** (mem_init of 1.2/2.0): page 0 reserved, pages
      0x1000-0x9F000 freed, 0x9F000-0x100000 reserved, the kernel at 1 MB,
      then (1.2) one page table per 4 MB beyond the first, the swap-cache
      array (4 bytes a page), ``mem_map`` (1.2: one ``unsigned short`` a
      page, its end left unaligned; 2.0: ``struct page``, modelled as 40
      bytes [S], end long-aligned) and the six bitmaps, each rounded up to
      an ``unsigned long`` in both [V-code], then free memory up to the end.
      ``start_mem`` before ``paging_init`` (the end of the kernel image and
      its boot-time data) is the model parameter ``kernel_text_kb`` +
      ``kernel_data_kb`` [S], page-aligned as ``paging_init`` does.  ``PAGE_OFFSET`` is 0:
      kernel addresses are physical (the 0xC0000000 direct map came during
      2.1.x) [S].
    """

    nr_mem_lists = 6
    max_order = 5
    default_mem = 16 << 20
    page_offset = 0
    kernel_text_kb = 192
    kernel_data_kb = 96

    def __init__(self, kernel: "Kernel"):
        super().__init__(kernel)
        # v2.0 = mm/page_alloc.c of 1.3/2.0; before = mm/swap.c of 1.1/1.2.
        self.era20 = kernel.has("v2.0")
        self._check_cpus()
        if self.era20:
            self.kernel_text_kb, self.kernel_data_kb, self.sizeof_page = 320, 128, 40
        size = self.requested_mem()
        self._check_size(size, 960 << 20)
        self.setup(size)
        nr = self.nr_pages
        shift = PAGE_SHIFT + (7 if self.era20 else 6)
        self.min_free_pages = max(16, size >> shift)
        self.free_pages_low = self.min_free_pages + (self.min_free_pages >> 1)
        self.free_pages_high = 2 * self.min_free_pages
        self.area = FreeArea("Memory", 0, nr, self.nr_mem_lists, self.top_map)
        flags = self.frames.flags
        # free_area_init: every page reserved (2.0: and PG_DMA); mem_init clears PG_DMA >= 16 MB.
        for pfn in range(nr):
            flags[pfn] = PG_reserved | (PG_dma if self.era20 and pfn < MAX_DMA_PFN else 0)
        etext = (KERNEL_START_PFN << PAGE_SHIFT) + (self.kernel_text_kb << 10)
        # paging_init page-aligns start_mem first (1.2 and 2.0 alike).
        start_mem = _pfn_up(etext + (self.kernel_data_kb << 10)) << PAGE_SHIFT
        if not self.era20:
            start_mem += PAGE_SIZE * max(0, (size - 1) // (4 << 20))  # paging_init: pg0 maps the first 4 MB
        start_mem = (start_mem + 15) & ~15  # init_swap_cache
        start_mem += nr * 4
        start_mem += nr * self.sizeof_page  # mem_map (1.2: unsigned shorts, end not aligned)
        if self.era20:
            start_mem = _long_align(start_mem)  # 2.0 LONG_ALIGNs the end of mem_map
        end_mem = size
        mask = ~(PAGE_SIZE - 1)
        for i in range(self.nr_mem_lists):  # the bitmaps, as free_area_init sizes them
            mask <<= 1
            end_mem = (end_mem + ~mask) & mask
            # 1.2 and 2.0 both round each bitmap up to a whole unsigned long
            start_mem += _long_align(((end_mem >> (PAGE_SHIFT + i)) + 7) >> 3)
        self.start_mem = start_mem  # free_area_init's return: the first byte mem_init may free
        self.start_mem_pfn = _pfn_up(start_mem)
        self._boot_free([self.area], [(1, LOW_MEM_END_PFN), (self.start_mem_pfn, nr)])
        # mem_init's accounting: reserved = ISA hole, code = below _etext, data = the rest.
        etext_pfn = _pfn_up(etext)
        hole = (0x100000 - 0xA0000) >> PAGE_SHIFT
        code = sum(1 for p in range(0, etext_pfn) if flags[p] & PG_reserved and not 0xA0 <= p < 0x100)
        data = self.nr_reserved - code - hole
        self.mem_init_printk(self._memory_line(code, hole, data, None, None))
        # Hot-path constants.
        self.high_memory_pfn = nr
        self.area.fast_limit = self.min_free_pages
        self._install_fast_paths()

    # -- kernel calls ------------------------------------------------------------
    def _get_free_pages_slow(self, gfp: int, order: int) -> int:
        """``__get_free_pages``: 1.2 ``(priority, order)``; 2.0 ``(priority, order, dma)`` with dma = __GFP_DMA."""
        if type(gfp) is not int or type(order) is not int or not 0 <= gfp <= 0xFFFFFFFF:
            check_args("__get_free_pages", gfp_mask=(gfp, "gfp"), order=(order, "order"))
        if order >= self.nr_mem_lists or order < 0:
            return 0  # 2.0 checks; 1.2 would run past free_area_list[] (see class docstring)
        if gfp & _DMA:
            if not self.era20:
                return self.get_dma_pages(gfp, order)
            dma = True
        else:
            dma = False
        area = self.area
        if not gfp & _HIGH and area.free_pages <= self.min_free_pages:
            return 0  # not GFP_ATOMIC: try_to_free_page() finds nothing to free in the model
        pfn = self._rmqueue(area, order, dma)
        if pfn == _NIL:
            return 0
        return self._handed_out(pfn, order) << PAGE_SHIFT

    def get_dma_pages(self, gfp: int, order: int) -> int:
        """``__get_dma_pages``: 1.2 retries until a block is below 16 MB; 2.0 passes dma=1."""
        check_args("__get_dma_pages", gfp_mask=(gfp, "gfp"), order=(order, "order"))
        if self.era20:
            return self.get_free_pages_order(gfp | _DMA, order)
        if not gfp & _HIGH:
            gfp = 0  # GFP_BUFFER: no I/O, no reclaim
        rejected = []
        while True:
            result = self.get_free_pages_order(gfp & ~_DMA, order)
            if result < MAX_DMA_PHYS:  # covers failure (0) as well
                break
            rejected.append(result)
        for addr in rejected:
            self.free_pages(addr, order)
        return result

    def get_free_page_nozero(self, gfp: int) -> int:
        """``__get_free_page(priority)``: one page, contents as left."""
        check_args("__get_free_page", gfp_mask=(gfp, "gfp"))
        return self.get_free_pages_order(gfp, 0)

    def get_free_page(self, gfp: int) -> int:
        """``get_free_page(priority)``: one page, cleared (``memset`` in mm.h)."""
        check_args("get_free_page", gfp_mask=(gfp, "gfp"))
        addr = self.get_free_pages_order(gfp, 0)
        if addr:
            self.zero_pages(addr >> PAGE_SHIFT, 1)
        return addr

    def _free_pages_slow(self, addr: int, order: int) -> None:
        """``free_pages(addr, order)``: 1.2 complains about a free page; 2.0 is silent."""
        if type(addr) is not int or type(order) is not int:
            check_args("free_pages", addr=(addr, "addr"), order=(order, "order"))
        addr &= _U32
        pfn = addr >> PAGE_SHIFT
        if pfn >= self.high_memory_pfn:
            return
        if self.f_flags[pfn] & PG_reserved:
            return
        count = self.page_count(pfn)
        if count <= 0:
            if self.era20:
                self._set_count(pfn, count - 1)  # atomic_dec_and_test: no list is touched
            else:
                self.dmesg.printk(f"Trying to free free memory ({addr:08x}): memory probably corrupted")
            return
        self._put_block(addr, pfn, order)

    def _install_fast_paths(self) -> None:
        self.get_free_pages_order, self.free_pages = _single_area_fast_paths(self, 0)

    def show_free_areas(self) -> str:
        """``show_free_areas()`` of 1.2/2.0 (the Shift-ScrollLock report)."""
        parts, total = self._free_area_lines(self.area)
        return (f"Free pages:      {self.area.free_pages << (PAGE_SHIFT - 10):6d}kB\n"
                f" ( {parts}= {total}kB)\n")


# ============================================================================
# 2.2: mm/page_alloc.c
# ============================================================================
class BuddyBitmap22(BitmapBuddy):
    """2.2's bitmap buddy allocator: six lists, ``freepages`` watermarks, 0xC0000000 direct map.

    * ``NR_MEM_LISTS`` 6 (orders 0..5; 12 on the AP1000, not modelled) [V-code,
      2.2.1].  The ten lists often attributed to 2.2 are the 2.3 series'.
      ``__get_free_pages(gfp_mask, order)`` returns 0 silently for
      ``order >= NR_MEM_LISTS`` [V-code].
    * ``free_area_init``: ``freepages.min = clamp(mem >> (PAGE_SHIFT+7), 10,
      256)``, ``low = 2*min``, ``high = 3*min`` [V-code; the same lines
      appear in the 1999-01-26 import of 2.2.0 in a CVS diff].  (The often-quoted
      "max(48, ...), 1.5x, 2x" is 2.0.3x/2.1's rule.)
    * Admission: while ``nr_free_pages > freepages.min`` and the kernel is not
      ``low_on_memory``, allocate; once low, it stays low until
      ``nr_free_pages >= freepages.high``.  When low, ``try_to_free_pages``
      runs (it frees nothing here) and only ``__GFP_HIGH``/``__GFP_MED``
      requests go on to take a block.  The model's masks map as: ``__GFP_HIGH``
      is 2.2's ``__GFP_HIGH`` (GFP_ATOMIC); a mask with ``__GFP_FS`` and
      without ``__GFP_HARDWALL`` (GFP_KERNEL) is ``__GFP_MED``; the rest
      (GFP_USER, GFP_NOIO as 2.2's GFP_BUFFER, GFP_NOFS) are ``__GFP_LOW``.
    * DMA: ``__GFP_DMA`` makes RMQUEUE walk each list for a ``PG_DMA`` block.
    * ``free_pages`` is silent for a reserved page, for an address outside
      ``mem_map`` and for a page whose count is already 0 (the count goes
      negative; no list changes): 2.2 prints nothing [V-code].
    * ``show_free_areas`` prints ``Free: %d (%d %d %d)`` (free, min, low,
      high) between the header and the per-order counts [V-code].
    * Layout: as 2.0's but linked at ``PAGE_OFFSET`` 0xC0000000, no
      swap-cache array, ``mem_map`` of 40-byte ``struct page`` [S].
    """

    nr_mem_lists = 6
    max_order = 5
    default_mem = 64 << 20
    page_offset = 0xC0000000
    kernel_text_kb = 640
    kernel_data_kb = 192
    sizeof_page = 40

    def __init__(self, kernel: "Kernel"):
        super().__init__(kernel)
        self._check_cpus()
        size = self.requested_mem()
        self._check_size(size, 960 << 20)
        self.setup(size)
        nr = self.nr_pages
        i = min(256, max(10, size >> (PAGE_SHIFT + 7)))
        self.freepages_min, self.freepages_low, self.freepages_high = i, 2 * i, 3 * i
        self.low_on_memory = False
        self.area = FreeArea("Memory", 0, nr, self.nr_mem_lists, self.top_map)
        flags = self.frames.flags
        for pfn in range(nr):
            flags[pfn] = PG_reserved | (PG_dma if pfn < MAX_DMA_PFN else 0)
        etext = (KERNEL_START_PFN << PAGE_SHIFT) + (self.kernel_text_kb << 10)
        start_mem = _long_align(etext + (self.kernel_data_kb << 10))
        start_mem = _long_align(start_mem + nr * self.sizeof_page)
        end_mem = size
        mask = ~(PAGE_SIZE - 1)
        for k in range(self.nr_mem_lists):
            mask <<= 1
            end_mem = (end_mem + ~mask) & mask
            start_mem += _long_align(((end_mem >> (PAGE_SHIFT + k)) + 7) >> 3)
        self.start_mem_pfn = _pfn_up(start_mem)
        self._boot_free([self.area], [(1, LOW_MEM_END_PFN), (self.start_mem_pfn, nr)])
        code = _pfn_up(etext) - KERNEL_START_PFN
        data = self.start_mem_pfn - _pfn_up(etext)
        reserved = self.nr_reserved - code - data
        self.mem_init_printk(self._memory_line(code, reserved, data, 0, None))
        self.max_mapnr = nr
        self.area.fast_limit = self.freepages_min
        self._install_fast_paths()

    def _allowed(self, gfp: int) -> bool:
        """The freepages/low_on_memory admission test of 2.2's ``__get_free_pages``.

        The fast path serves a request only while ``nr_free_pages > freepages.min``
        and the kernel is not low on memory: ``area.fast_limit`` is
        ``freepages.min`` then, and out of reach while ``low_on_memory`` is set.
        """
        free = self.area.free_pages
        if free > self.freepages_min:
            if not self.low_on_memory:
                return True
            if free >= self.freepages_high:
                self.low_on_memory = False
                self.area.fast_limit = self.freepages_min
                return True
        self.low_on_memory = True
        self.area.fast_limit = 1 << 62
        # try_to_free_pages() frees nothing in the model.
        if gfp & _HIGH:
            return True
        return bool(gfp & _FS) and not gfp & _HARDWALL  # __GFP_MED

    def _get_free_pages_slow(self, gfp: int, order: int) -> int:
        """``__get_free_pages(gfp_mask, order)``."""
        if type(gfp) is not int or type(order) is not int or not 0 <= gfp <= 0xFFFFFFFF:
            check_args("__get_free_pages", gfp_mask=(gfp, "gfp"), order=(order, "order"))
        if order >= self.nr_mem_lists or order < 0:
            return 0
        if not self._allowed(gfp):
            return 0
        pfn = self._rmqueue(self.area, order, bool(gfp & _DMA))
        if pfn == _NIL:
            return 0
        return self.page_offset + (self._handed_out(pfn, order) << PAGE_SHIFT)

    def get_dma_pages(self, gfp: int, order: int) -> int:
        """``__get_dma_pages(gfp, order)``: ``__get_free_pages(gfp | GFP_DMA, order)``."""
        check_args("__get_dma_pages", gfp_mask=(gfp, "gfp"), order=(order, "order"))
        return self.get_free_pages_order(gfp | _DMA, order)

    def get_free_page_nozero(self, gfp: int) -> int:
        check_args("__get_free_page", gfp_mask=(gfp, "gfp"))
        return self.get_free_pages_order(gfp, 0)

    def get_free_page(self, gfp: int) -> int:
        """``get_free_page(gfp_mask)``: one cleared page (``clear_page``)."""
        check_args("get_free_page", gfp_mask=(gfp, "gfp"))
        addr = self.get_free_pages_order(gfp, 0)
        if addr:
            self.zero_pages((addr - self.page_offset) >> PAGE_SHIFT, 1)
        return addr

    def _free_pages_slow(self, addr: int, order: int) -> None:
        """``free_pages(addr, order)``: silent for anything it cannot free."""
        if type(addr) is not int or type(order) is not int:
            check_args("free_pages", addr=(addr, "addr"), order=(order, "order"))
        pfn = ((addr - self.page_offset) & _U32) >> PAGE_SHIFT  # MAP_NR
        if pfn >= self.max_mapnr:
            return
        if self.f_flags[pfn] & PG_reserved:
            return
        count = self.page_count(pfn)
        if count <= 0:
            self._set_count(pfn, count - 1)  # put_page_testzero on a free page: below zero, silently
            return
        self._put_block(addr, pfn, order)  # put_page_testzero

    def _install_fast_paths(self) -> None:
        self.get_free_pages_order, self.free_pages = _single_area_fast_paths(self, self.page_offset)

    def show_free_areas(self) -> str:
        """``show_free_areas()`` of 2.2, with its ``Free: free (min low high)`` line."""
        parts, total = self._free_area_lines(self.area)
        free = self.area.free_pages
        return (f"Free pages:      {free << (PAGE_SHIFT - 10):6d}kB\n"
                f" ( Free: {free} ({self.freepages_min} {self.freepages_low} {self.freepages_high})\n"
                f"{parts}= {total}kB)\n")


# ============================================================================
# 2.4: the zoned buddy allocator
# ============================================================================
ZONE_DMA, ZONE_NORMAL, ZONE_HIGHMEM = 0, 1, 2
ZONE_NAMES = ("DMA", "Normal", "HighMem")
#: 2.4.0's zone_balance_ratio/min/max (2.4.10+ changed them to 128/20/255 for every zone).
ZONE_BALANCE_RATIO = (32, 128, 128)
ZONE_BALANCE_MIN = (10, 10, 10)
ZONE_BALANCE_MAX = (255, 255, 255)
#: 1 GB of kernel space less the 128 MB vmalloc reserve: the most 2.4/i386 maps directly.
MAXMEM_PFN = (896 << 20) >> PAGE_SHIFT


class BuddyZoned24(BitmapBuddy):
    """2.4.0's zoned buddy allocator (``mm/page_alloc.c``, Ingo Molnar's 1999 reshaping).

    Read from two copies of the 2.4.0 tree (rivsidn/linux-2.4.0, whose
    Makefile says 2.4.0, and liexusong/linux-2.4.0): Rik van Riel's VM with
    ``__alloc_pages_limit`` and inactive_clean pages.  2.4.10 and later
    (Andrea Arcangeli's VM, as in lbytony/Linux-Memory-Management-Analysis)
    differ: ratios 128/20/255 for every zone, no top-order bitmap,
    ``__alloc_pages`` summing watermarks over the zonelist with
    ``balance_classzone``, per-zone ``Zone:`` lines in the report.  Every
    2.4.x maps to the v2.4.0 model, which follows 2.4.0's code [V-code].

    * Zones: DMA below 16 MB, Normal up to 896 MB (``MAXMEM``), HighMem
      above; each has ``free_area[MAX_ORDER]`` with ``MAX_ORDER`` 10.  The
      pair bitmaps count from the zone's first page; every order, the top
      one too, has a bitmap, and RMQUEUE flips the top one on allocation
      (nothing ever reads it) [V-code].
    * Watermarks (``free_area_init_core``): ``mask = size / ratio`` with
      ratio 32 for DMA and 128 for Normal/HighMem, clamped to [10, 255];
      ``pages_min = mask``, ``pages_low = 2*mask``, ``pages_high = 3*mask``;
      the global ``freepages.min/low/high`` (0 at boot, ``mm/swap.c``) gets
      the sum over the non-empty zones [V-code].
    * Zone lists (``build_zonelists``): ``__GFP_DMA`` -> DMA;
      ``__GFP_HIGHMEM`` -> HighMem, Normal, DMA; otherwise Normal, DMA.  DMA
      wins if both bits are set.  (The model's ``__GFP_DMA32`` and
      ``__GFP_MOVABLE`` bits did not exist; they select nothing.)
    * ``__alloc_pages`` with no page cache (inactive_clean is always 0, so
      ``reclaim_page`` finds nothing): take from the first zone with
      ``free_pages >= pages_low``; then from the first with ``free_pages``
      above ``pages_high``, then ``pages_low``, then ``pages_min`` (each
      zone judged on its own).  An order-0 ``__GFP_WAIT`` request then goes
      back to the start after kswapd / ``try_to_free_pages`` (2.4.0 loops
      until memory appears); nothing can be freed in the model, so it
      returns NULL there, silently [S].  Everything else reaches the final
      pass, which skips a zone with ``free_pages < pages_min/4`` and takes
      from the first other one that has a block; if none has,
      ``__alloc_pages: N-order allocation failed.`` is printed and NULL
      returned [V-code].  ``alloc_pages`` (``mm.h``) returns NULL for
      ``order >= MAX_ORDER`` without a message.  ``__GFP_HIGH`` plays no
      part in 2.4.0's ``__alloc_pages``.
    * Addresses: ``alloc_pages`` returns ``PAGE_OFFSET + phys`` for every
      block.  For HighMem that is a handle only: 2.4 has no permanent
      mapping for those pages (``kmap()`` gives a temporary one), so, as in
      2.4, ``__get_free_pages``/``get_zeroed_page`` return 0 for a HighMem
      page (``page_address()`` is NULL) and the page stays allocated.
      ``get_free_page`` is still there, as ``mm.h``'s alias of
      ``get_zeroed_page`` ("removed in 2.5").
    * ``__free_pages``: silent for reserved pages and for a count that is
      already 0 (it goes negative; no list changes).  ``free_pages(addr)``
      frees ``virt_to_page(addr)`` only if ``VALID_PAGE`` (index below
      ``max_mapnr``) and is silent otherwise; it has no NULL test, so
      ``free_pages(0)`` names the page at physical 1 GB (``__pa(0)`` wraps)
      and frees it when the machine has one [V-code].  A ``__free_pages``
      of an address outside memory (no struct page) is refused.
    * Boot: bootmem.  Page 0, the ISA hole, the kernel and the bootmem
      bitmap after it are reserved; ``mem_map`` (48-byte ``struct page``
      [S]) and the zone bitmaps are allocated from 16 MB (the bootmem goal
      ``MAX_DMA_ADDRESS``) when low memory reaches past it, else from the
      first free low page.  ``free_all_bootmem`` frees low memory ascending,
      then the bootmem bitmap's own pages; ``mem_init`` then frees HighMem.
      More than 4 GB is cut to 4 GB with 2.4's warning (no PAE) [S].
    * ``show_free_areas_core`` of 2.4.0: the ``Free pages`` line, one
      ``( Active: ..., inactive_dirty: ..., inactive_clean: ..., free: N
      (min low high) )`` line with the global ``freepages``, then one
      ``N*4kB ... = NkB)`` line per zone (just ``= 0kB)`` for an empty
      zone).  The LRU counts are 0 (no page cache in the model) [V-code].
    """

    nr_mem_lists = 10  # MAX_ORDER
    max_order = 9
    top_map = True  # 2.4.0 allocates a map for order MAX_ORDER-1 too and RMQUEUE flips it
    default_mem = 128 << 20
    page_offset = 0xC0000000
    kernel_text_kb = 1024
    kernel_data_kb = 320
    sizeof_page = 48

    def __init__(self, kernel: "Kernel"):
        super().__init__(kernel)
        self._check_cpus()
        size = self.requested_mem()
        if size > 4 << 30:
            self.dmesg.printk("Warning only 4GB will be used.")
            self.dmesg.printk("Use a PAE enabled kernel.")
            size = 4 << 30
        self._check_size(size, 4 << 30)
        self.setup(size)
        nr = self.nr_pages
        max_low_pfn = min(nr, MAXMEM_PFN)
        dma_end = min(max_low_pfn, MAX_DMA_PFN)
        zones_size = (dma_end, max_low_pfn - dma_end, nr - max_low_pfn)
        # 2.4.0's setup_arch prints the HIGHMEM line only [V-code]; the "LOWMEM available"
        # line of later i386 boot logs is not in 2.4.0.
        if zones_size[2]:
            self.dmesg.printk(f"{zones_size[2] >> (20 - PAGE_SHIFT)}MB HIGHMEM available.")
        self.dmesg.printk(f"On node 0 totalpages: {nr}")
        self.zones: list[FreeArea] = []
        self.freepages_min = self.freepages_low = self.freepages_high = 0
        start = 0
        for j, zsize in enumerate(zones_size):
            self.dmesg.printk(f"zone({j}): {zsize} pages.")
            zone = FreeArea(ZONE_NAMES[j], start, zsize, self.nr_mem_lists, self.top_map)
            if zsize:
                mask = min(ZONE_BALANCE_MAX[j], max(ZONE_BALANCE_MIN[j], zsize // ZONE_BALANCE_RATIO[j]))
                zone.pages_min, zone.pages_low, zone.pages_high = mask, 2 * mask, 3 * mask
                self.freepages_min += mask
                self.freepages_low += 2 * mask
                self.freepages_high += 3 * mask
            self.zones.append(zone)
            start += zsize
        self.zone_dma, self.zone_normal, self.zone_high = self.zones
        z = self.zones
        live = lambda *zs: tuple(zn for zn in zs if zn.size)  # noqa: E731
        # build_zonelists: index by the zone bits of the mask.
        self.zonelist_normal = live(z[1], z[0])
        self.zonelist_high = live(z[2], z[1], z[0])
        self.zonelist_dma = live(z[0])
        flags = self.frames.flags
        for pfn in range(nr):
            flags[pfn] = PG_reserved
        # setup_memory: kernel image, then the bootmem bitmap right after it.
        etext = (KERNEL_START_PFN << PAGE_SHIFT) + (self.kernel_text_kb << 10)
        start_pfn = _pfn_up(etext + (self.kernel_data_kb << 10))
        bootmap_size = _long_align((max_low_pfn + 7) // 8)
        bootmap_pfn = start_pfn
        reserved_end = _pfn_up((start_pfn << PAGE_SHIFT) + bootmap_size)
        # free_area_init_core: mem_map and the zone bitmaps from bootmem, goal 16 MB.
        nbytes = (nr + 1) * self.sizeof_page
        for zsize in zones_size:
            if zsize:
                mask = -1
                for k in range(self.nr_mem_lists):  # 2.4.0 sizes a map for every order, the top one too
                    mask += mask
                    zsize = (zsize + ~mask) & mask
                    nbytes = (nbytes + 31) & ~31  # SMP_CACHE_BYTES alignment of each bootmem block
                    nbytes += _long_align(((zsize >> k) + 7) >> 3)
        pages = _pfn_up(nbytes)
        if max_low_pfn >= MAX_DMA_PFN + pages:
            goal = MAX_DMA_PFN  # alloc_bootmem_node's goal: __pa(MAX_DMA_ADDRESS)
        elif 1 + pages <= LOW_MEM_END_PFN:
            goal = 1  # goal beyond the end: bootmem searches from 0, page 0 is reserved
        else:
            goal = reserved_end
        self.mem_map_pfn = goal
        ranges = _subtract([(1, LOW_MEM_END_PFN), (reserved_end, max_low_pfn)], goal, goal + pages)
        # free_all_bootmem (ascending), then the bootmem bitmap's own pages, then HighMem.
        self._boot_free(self.zones, ranges)
        self._boot_free(self.zones, [(bootmap_pfn, reserved_end)], bulk=False)
        if zones_size[2]:
            self._boot_free(self.zones, [(max_low_pfn, nr)])
        self.max_low_pfn = max_low_pfn
        # mem_init: "reserved" is every PageReserved RAM page of low memory (kernel and
        # mem_map included; the ISA hole is not RAM); code and data are section sizes.
        code = _pfn_up(etext) - KERNEL_START_PFN
        data = start_pfn - _pfn_up(etext)
        reserved = self.nr_reserved - (KERNEL_START_PFN - LOW_MEM_END_PFN)
        self.mem_init_printk(self._memory_line(code, reserved, data, 0, self.zone_high.free_pages))
        self._install_fast_paths()

    # -- zones -------------------------------------------------------------------
    def _zone_of(self, pfn: int) -> FreeArea:
        if pfn < self.zone_normal.base:
            return self.zone_dma
        if pfn < self.zone_high.base:
            return self.zone_normal
        return self.zone_high

    def _alloc(self, gfp: int, order: int) -> int:
        """2.4.0's ``__alloc_pages`` over the zonelist of ``gfp``: a pfn or -1."""
        if gfp & _DMA:
            zonelist = self.zonelist_dma
        elif gfp & _HIGHMEM:
            zonelist = self.zonelist_high
        else:
            zonelist = self.zonelist_normal
        rmqueue = self._rmqueue
        for z in zonelist:  # try_again: zones with lots of free memory
            if z.free_pages >= z.pages_low:
                pfn = rmqueue(z, order, False)
                if pfn != _NIL:
                    return pfn
        # __alloc_pages_limit with PAGES_HIGH, PAGES_LOW (kswapd woken, a yield), then PAGES_MIN;
        # free + inactive_clean (always 0 here) must exceed the zone's own mark.
        for mark in (2, 1, 0):
            for z in zonelist:
                if z.free_pages > (z.pages_min, z.pages_low, z.pages_high)[mark]:
                    pfn = rmqueue(z, order, False)
                    if pfn != _NIL:
                        return pfn
        if not order and gfp & _WAIT:
            return _NIL  # 2.4.0 goes back to try_again; nothing can ever be freed in the model
        for z in zonelist:  # final phase: keep pages_min/4 back
            if z.free_pages < z.pages_min >> 2:
                continue
            pfn = rmqueue(z, order, False)
            if pfn != _NIL:
                return pfn
        self.dmesg.printk(f"__alloc_pages: {order}-order allocation failed.")
        return _NIL

    # -- kernel calls ------------------------------------------------------------------
    def _alloc_pages_slow(self, gfp: int, order: int) -> int:
        """``alloc_pages(gfp_mask, order)``: the block's address (a handle for HighMem), or 0."""
        if type(gfp) is not int or type(order) is not int or not 0 <= gfp <= 0xFFFFFFFF:
            check_args("alloc_pages", gfp_mask=(gfp, "gfp"), order=(order, "order"))
        if order >= self.nr_mem_lists or order < 0:
            return 0
        pfn = self._alloc(gfp, order)
        if pfn == _NIL:
            return 0
        return self.page_offset + (self._handed_out(pfn, order) << PAGE_SHIFT)

    def alloc_page(self, gfp: int) -> int:
        check_args("alloc_page", gfp_mask=(gfp, "gfp"))
        return self.alloc_pages(gfp, 0)

    def _get_free_pages_slow(self, gfp: int, order: int) -> int:
        """``__get_free_pages``: ``page_address()`` of the block, NULL for HighMem."""
        if type(gfp) is not int or type(order) is not int or not 0 <= gfp <= 0xFFFFFFFF:
            check_args("__get_free_pages", gfp_mask=(gfp, "gfp"), order=(order, "order"))
        addr = self._alloc_pages_slow(gfp, order)
        if addr and addr - self.page_offset >= self.max_low_pfn << PAGE_SHIFT:
            return 0  # HighMem page: no permanent mapping, and 2.4 leaks it here
        return addr

    def get_free_page_nozero(self, gfp: int) -> int:
        check_args("__get_free_page", gfp_mask=(gfp, "gfp"))
        return self.get_free_pages_order(gfp, 0)

    def get_dma_pages(self, gfp: int, order: int) -> int:
        check_args("__get_dma_pages", gfp_mask=(gfp, "gfp"), order=(order, "order"))
        return self.get_free_pages_order(gfp | _DMA, order)

    def get_zeroed_page(self, gfp: int) -> int:
        """``get_zeroed_page(gfp_mask)``: one cleared page.

        2.4.0 clears ``page_address(page)`` without checking it [V-code]: a
        HighMem page (``__GFP_HIGHMEM``, once Normal and DMA are short) has
        no permanent mapping, so its address is NULL and ``clear_page(NULL)``
        oopses on a kernel-mode write to a page that is not present (error
        code 0002); the task dies and the page stays allocated.
        """
        check_args("get_zeroed_page", gfp_mask=(gfp, "gfp"))
        addr = self.alloc_pages(gfp, 0)
        if not addr:
            return 0
        pfn = (addr - self.page_offset) >> PAGE_SHIFT
        if pfn >= self.max_low_pfn:
            self.kernel.oops_null_write(0)
        self.zero_pages(pfn, 1)
        return addr

    def free_pages_page(self, addr: int, order: int) -> None:
        """``__free_pages(page, order)``; the model names the page by its address."""
        if type(addr) is not int or type(order) is not int:
            check_args("__free_pages", page=(addr, "addr"), order=(order, "order"))
        pfn = (addr - self.page_offset) >> PAGE_SHIFT
        if not 0 <= pfn < self.nr_pages:
            raise LinuxmmError(f"__free_pages({addr:#x}, {order}): not a page of this machine "
                               f"(no struct page to pass)")
        self._free_pages_pfn(addr, pfn, order)

    def _free_pages_pfn(self, addr: int, pfn: int, order: int) -> None:
        if self.f_flags[pfn] & PG_reserved:
            return
        count = self.page_count(pfn)
        if count <= 0:
            self._set_count(pfn, count - 1)  # put_page_testzero on a free page: below zero, silently
            return
        self._put_block(addr, pfn, order, self._zone_of(pfn), "__free_pages")  # put_page_testzero

    def _free_pages_slow(self, addr: int, order: int) -> None:
        """``free_pages(addr, order)``: ``__free_pages(virt_to_page(addr))`` if ``VALID_PAGE``, else nothing."""
        if type(addr) is not int or type(order) is not int:
            check_args("free_pages", addr=(addr, "addr"), order=(order, "order"))
        pfn = ((addr - self.page_offset) & _U32) >> PAGE_SHIFT  # __pa() wraps: NULL is physical 1 GB
        if pfn < self.nr_pages:  # VALID_PAGE: below max_mapnr (highend_pfn)
            self._free_pages_pfn(addr, pfn, order)

    def _install_fast_paths(self) -> None:
        self.alloc_pages, self.get_free_pages_order, self.free_pages = _zoned_fast_paths(self)

    def free_page_page(self, addr: int) -> None:
        check_args("__free_page", page=(addr, "addr"))
        self.free_pages_page(addr, 0)

    # -- base-class contract ---------------------------------------------------------------
    def nr_free_pages(self) -> int:
        return sum(z.free_pages for z in self.zones)

    def zone_info(self) -> list[ZoneInfo]:
        return [ZoneInfo(z.name, z.base, z.base + z.size, z.size, z.free_pages, z.nr_free())
                for z in self.zones]

    def show_free_areas(self) -> str:
        """``show_free_areas_core()`` of 2.4.0."""
        k = lambda x: x << (PAGE_SHIFT - 10)  # noqa: E731
        free = self.nr_free_pages()
        out = [f"Free pages:      {k(free):6d}kB ({k(self.zone_high.free_pages):6d}kB HighMem)",
               f"( Active: 0, inactive_dirty: 0, inactive_clean: 0, free: {free} "
               f"({self.freepages_min} {self.freepages_low} {self.freepages_high}) )"]
        for z in self.zones:
            parts, total = self._free_area_lines(z) if z.size else ("", 0)
            out.append(f"{parts}= {total}kB)")
        return "\n".join(out) + "\n"

    def alloc_block(self, order: int, gfp: int) -> int:
        return self.alloc_pages(gfp, order)

    def free_block(self, addr: int, order: int) -> None:
        self.free_pages_page(addr, order)


_API_OLD = ("__get_free_pages:get_free_pages_order", "__get_free_page:get_free_page_nozero",
            "get_free_page", "__get_dma_pages:get_dma_pages", "free_pages", "free_page")
_API_24 = ("alloc_pages", "alloc_page", "__get_free_pages:get_free_pages_order",
           "__get_free_page:get_free_page_nozero", "get_zeroed_page", "get_free_page:get_zeroed_page",
           "__get_dma_pages:get_dma_pages",
           "__free_pages:free_pages_page", "__free_page:free_page_page", "free_pages", "free_page")


@hookimpl
def linuxmm_implementations():
    return [
        Implementation(
            subsystem="page_alloc", name="buddy-bitmap-1.1", factory=BuddyBitmap11,
            introduced="v1.1.89", removed="v2.2.0", api=_API_OLD,
            summary="bitmap buddy allocator, NR_MEM_LISTS 6 (orders 0..5); mm/swap.c of 1.2, "
                    "mm/page_alloc.c of 2.0; first modelled at 1.1.89 (exact 1.1 patchlevel unknown)"),
        Implementation(
            subsystem="page_alloc", name="buddy-bitmap-2.2", factory=BuddyBitmap22,
            introduced="v2.2.0", removed="v2.4.0", api=_API_OLD,
            summary="bitmap buddy allocator, NR_MEM_LISTS 6 (orders 0..5), freepages min/low/high"),
        Implementation(
            subsystem="page_alloc", name="buddy-zoned-2.4", factory=BuddyZoned24,
            introduced="v2.4.0", removed="v2.6.0", api=_API_24,
            summary="zoned buddy allocator: DMA/Normal/HighMem, per-zone free_area bitmaps, MAX_ORDER 10"),
    ]
