"""``mm/kmalloc.c``: the small-object allocator of Linux 1.0 to 2.0, before SLAB.

Three designs, each laid out in simulated memory exactly as the kernel laid
it out, so that a pointer the allocator never handed out, a double free or
a scribbled header meets the era's own checks and messages.

Sources read (pre-git releases have no sha; see docs/sources.md):

``kmalloc.c-1.0`` (v1.0) [V]
    ``kalamangga-net/linux-1.0`` ``mm/kmalloc.c`` (R.E. Wolff, Sept/Oct
    1993), ``include/linux/malloc.h`` (``kfree(x)`` is ``kfree_s(x, 0)``)
    and ``kernel/vsprintf.c`` (``%p``).
``kmalloc.c-1.1`` (v1.1.89, v1.2.0) [V]
    Alex Bligh's multi-page version ("4 Apr 1994"):
    ``mpe/linux-fullhistory`` ``mm/kmalloc.c`` at 00b17d553276 (its
    Makefile says 1.1.89) and at a37ca2077f1d (1.1.93).  Two annotated 1.2
    copies carry the 1.1.93 text, which the model uses for v1.2.0 [V-code].
``kmalloc.c-2.0`` (v2.0) [V-code]
    Linus' rewrite ("Largely rewritten.. Linus", during 1.3.x):
    ``mpe/linux-fullhistory`` ``mm/kmalloc.c`` at 7ffc0010ed23, whose
    Makefile says 1.99.11 (a 2.0 pre-release), the same tree the 2.0 page
    allocator is read from; ``kfree_s(a, b)`` is a macro for ``kfree(a)``
    in the 2.0 ``malloc.h``.  Three other copies of the rewrite exist: an
    earlier one (the page cache consulted inside ``get_kmalloc_pages``) and
    two later ones whose ``kfree`` reports the caller's pointer instead of
    the header and frees single-block areas without the list walk (one also
    has ``MEM_LEAK_CHK``); which 2.0.x carried them is not known, so every
    2.0.x runs the 1.99.11 text.

What all three share
--------------------
* Size classes (``sizes[]``): 32, 64, 128, 252, 508, 1020, 2040 bytes per
  block *including* an 8-byte block header, with 127, 63, 31, 16, 8, 4, 2
  blocks per page; then one block per area: 4080 (1.0), or ``4096-16``,
  ``8192-16`` ... ``131072-16`` on areas of order 0..5 (1.1 on).  A request
  takes the first class whose block holds ``size + 8`` bytes.
* Every area starts with a 16-byte page descriptor ``{next, firstfree,
  order, nfree}`` (``order`` is the class index, ``PAGE_DESC(p)`` is ``p &
  PAGE_MASK``); its blocks follow at ``page + 16 + i * blocksize``.  Every
  block starts with ``{bh_flags, bh_length | bh_next}``: ``MF_USED``
  0xffaa0055 and the requested length while in use, ``MF_FREE`` 0x0055ffaa
  and the next free block while free (2.0 adds ``MF_DMA`` 0xff00aa55 for a
  block in use from a DMA area).  The caller gets ``header + 8``.  All words
  are 32-bit little-endian, as on i386; addresses are physical in these
  eras (``PAGE_OFFSET`` 0).
* A fresh area's free blocks are chained in address order, so the first
  allocation from a page returns ``page + 24``; a freed block goes to the
  head of its page's chain.  Each class keeps a list of pages that have a
  free block (``sizes[order].firstfree``); a new page goes on its head.
  A page whose last block is freed goes back to the page allocator.
* ``kmalloc(0)`` is served from the 32-byte class (a real block with
  ``bh_length`` 0), in every era.  There is no ``ZERO_SIZE_PTR``.
* ``kfree`` of a pointer whose page descriptor or block header fails the
  checks prints ``kfree of non-kmalloced memory: <header>, next= <next>,
  order=<order>`` and changes nothing (2.0: see below).  A double free is a
  free of a block whose flags say ``MF_FREE``: the same message.
* The per-class statistics ``nmallocs``, ``nfrees``, ``nbytesmalloced`` and
  ``npages`` of ``sizes[]`` are the kernel counters
  ``kmalloc-<blocksize>.nmallocs`` ... (``kernel.counters``).  1.0 and 1.1
  never decrement ``npages`` (the kernel's FIXME), 2.0 does.
* The kernel's sizes are 32-bit: ``size`` is refused above 0xffffffff and a
  pointer must fit 32 bits.  Mask bits an era did not read (``__GFP_ZERO``,
  ``__GFP_NOWARN`` ...) are ignored, as the era would have done with them.

Era differences
---------------
1.0
    ``MAX_KMALLOC_K`` 4: above 4096 bytes ``kmalloc: I refuse to allocate %d
    bytes (for now max = %d).``; 4073..4096 bytes pass that test but fit no
    class (``size + 8 > 4080``) and print ``kmalloc of too large a block (%d
    bytes).`` (both return NULL).  Pages come from ``__get_free_page``, go
    back with ``free_page``.  ``kfree_s(ptr, size)`` with a size that is
    not the block's prints ``Trying to free pointer at %p with wrong size:
    %d instead of %lu.`` and returns.  The order test is ``order >
    ARRAY_SIZE(sizes)`` (9, the terminator included): class 8 (the
    terminator, 0 blocks) passes, and so would 9, past the end of the table
    (the model refuses that rather than read beyond ``sizes[]``).  No NULL
    test: ``kfree(NULL)`` reads the descriptor at 0xfffff000 and faults (the
    model raises :class:`~linuxmm.errors.PageFault`; the oops text is not
    modelled).  The same holds in 1.1 and 1.2.
    "Couldn't get a free page....." on every failure.  ``%p`` prints eight
    upper-case hex digits in 1.0's ``vsprintf`` [V].
1.1.89 .. 1.2
    No refusal message any more (``MAX_KMALLOC_K`` is defined and unused):
    anything above ``131072-16-8`` is "too large".  ``get_order`` takes an
    ``int``, so a size of 2 GB or more turns negative and is served from the
    32-byte class (with ``bh_length`` the huge size).  ``GFP_DMA`` requests
    take and fill ``sizes[order].dmafree`` from ``__get_dma_pages``; freed
    blocks never go back on the DMA list ("Do not bother...": a DMA page
    that was full goes on ``firstfree``).  The areas come from
    ``__get_free_pages(priority, gfporder)`` and go back with
    ``free_pages``.  **1.1.89 bug**: when a DMA page's last free block is
    taken, the code unlinks it from ``firstfree`` instead of ``dmafree``:
    the ordinary list is replaced by the rest of the DMA list (its pages are
    lost to it) while the full page stays at the head of ``dmafree``.
    1.1.93 (so v1.2.0) fixes it (a37ca2077f1d).  "Couldn't get a free
    page....." is rate-limited to once in ten seconds of ``jiffies``; the
    model's clock stands still long after boot, so it prints the first
    time only.  ``%p`` prints lower-case hex [S: 2.1.54's ``vsprintf``; the
    1.1/1.2 file was not read].
2.0
    ``kfree(ptr)`` (``kfree_s`` is a macro for it) returns at once for NULL.
    ``realsize = size + 8`` is an ``unsigned int``: a size within 8 of 4 GB
    wraps and is served from the 32-byte class.  DMA blocks are marked
    ``MF_DMA``; ``kfree`` turns that mark into ``MF_USED`` *before* it checks
    the descriptor, so a DMA block freed through a page whose descriptor
    fails is left marked ``MF_USED`` (that is all it changes).  A freed DMA
    block goes back to the DMA list.  A full page is unlinked without
    clearing its ``next``.  ``kmalloc_cache[3]``: when a page of order 0..2
    (not DMA) is completely free, it is swapped into the one-slot cache of
    its order and the page it displaces (if any) is freed; the cache is
    only read when ``__get_free_pages`` fails.  So up to three areas (4, 8
    and 16 KB) stay with kmalloc after their last block is freed.
    "Couldn't get a free page....." is not printed for ``GFP_BUFFER``
    requests and is rate-limited as in 1.1.  ``SADISTIC_KMALLOC`` (off in
    the source) is not modelled.

Speed: the common ``kmalloc`` (the class list's head page is an area kmalloc
holds, its first free block is a free block of that page) and the common
``kfree`` (a block in use in such an area) work on the page's bytes in
place.  Anything else -- a pointer into a page kmalloc does not hold, a
descriptor or header out of the ordinary -- takes the step-by-step path,
which reads and writes through ``kernel.memory`` word by word, as the C did,
so foreign pointers, forged descriptors and scribbled headers meet exactly
the kernel's checks.

Priorities: the era's page allocator maps the model's GFP masks to its
priorities (see ``mm_swap_10`` and ``mm_buddy_bitmap``); kmalloc hands the
mask through.  For 2.0's ``GFP_BUFFER`` test it uses the same rule as the
2.0 page allocator: ``__GFP_HIGH`` is ``GFP_ATOMIC``, a mask without
``__GFP_IO``/``__GFP_FS`` is ``GFP_BUFFER``.  Not modelled: the "kmalloc
called nonatomically from interrupt" check (no interrupt context in the
model) and ``CONFIG_DEBUG_MALLOC`` (1.x's ``deb_kmalloc``).

Before 1.0 the model has no small-object allocator: ``kmalloc()`` appeared
in 0.98.4 (November 1992) [S: LWN, "A safer kmalloc() for 7.0", 2026];
0.97.5's ``lib/malloc.c`` still offers only ``malloc()``/``free_s()`` [V,
``mpe/linux-fullhistory`` 06a6b4131133].  The earliest modelled release with
``kmalloc()`` is v1.0; calls at 0.01 and 0.11 say so.
"""

from __future__ import annotations

import struct
from bisect import bisect_left
from typing import TYPE_CHECKING, Any

from linuxmm import hookimpl
from linuxmm import gfp as _gfp
from linuxmm.checks import check_addr, check_gfp, check_int
from linuxmm.errors import ArgumentError, LinuxmmError, NotInThisKernel
from linuxmm.machine import PAGE_SHIFT, PAGE_SIZE
from linuxmm.records import Implementation

if TYPE_CHECKING:  # pragma: no cover
    from linuxmm.kernel import Kernel

# Private flags of mm/kmalloc.c (all three designs).
MF_USED = 0xFFAA0055
MF_FREE = 0x0055FFAA
MF_DMA = 0xFF00AA55  # 2.0 only

#: sizeof(struct block_header) and sizeof(struct page_descriptor) on i386.
BH_SIZE = 8
PD_SIZE = 16

_U32 = 0xFFFFFFFF
PAGE_MASK = ~(PAGE_SIZE - 1) & _U32
_OFF = PAGE_SIZE - 1

_DMA = _gfp.__GFP_DMA
_HIGH = _gfp.__GFP_HIGH
_IOFS = _gfp.__GFP_IO | _gfp.__GFP_FS

_W = struct.Struct("<I")
_DESC = struct.Struct("<IIii")  # next, firstfree, order, nfree
_PAIR = struct.Struct("<II")
_I32 = struct.Struct("<i")
#: Offsets a block header may have in its area's first page for the fast paths to handle it.
_HDR_LO, _HDR_HI = PD_SIZE, PAGE_SIZE - BH_SIZE

#: 1.0 sizes[]: (block size, blocks per page); a terminator {0, 0} follows.
SIZES_10 = ((32, 127), (64, 63), (128, 31), (252, 16), (508, 8), (1020, 4), (2040, 2), (4080, 1))
#: 1.1.89 .. 2.0 sizes[]: (block size, blocks per area, gfporder).
SIZES_11 = ((32, 127, 0), (64, 63, 0), (128, 31, 0), (252, 16, 0), (508, 8, 0), (1020, 4, 0),
            (2040, 2, 0), (4096 - 16, 1, 0), (8192 - 16, 1, 1), (16384 - 16, 1, 2),
            (32768 - 16, 1, 3), (65536 - 16, 1, 4), (131072 - 16, 1, 5))
#: 1.0: MAX_KMALLOC_K * 1024.
MAX_KMALLOC_10 = 4 * 1024
#: 1.0 and 1.1 retry the free-list/new-page loop this many times.
MAX_GET_FREE_PAGE_TRIES = 4
#: 2.0: one cached area for each order below this.
MAX_CACHE_ORDER = 3

COUNTER_FIELDS = ("nmallocs", "nfrees", "nbytesmalloced", "npages")

KMALLOC_APPEARED = (
    "kmalloc() first appeared in 0.98.4 (November 1992; before it lib/malloc.c offered malloc() and "
    "free_s()); the earliest modelled release with kmalloc() is v1.0")


def s32(value: int) -> int:
    """A 32-bit value as C's ``int`` sees it."""
    value &= _U32
    return value - (1 << 32) if value & 0x80000000 else value


def counter_name(blocksize: int, field: str) -> str:
    """``kmalloc-32.nmallocs``: the counter holding one ``sizes[]`` statistic of one class."""
    return f"kmalloc-{blocksize}.{field}"


class KmallocBase:
    """Memory access, statistics and introspection shared by the three designs.

    Subclasses set ``classes`` (``(blocksize, nblocks, gfporder)`` per class,
    the terminator included as ``(0, 0, 0)``) and the kernel calls.
    """

    classes: tuple[tuple[int, int, int], ...] = ()
    #: ``%p`` as the era's vsprintf printed it (eight digits, zero-padded).
    pointer_format = "{:08x}"
    has_dma_lists = True

    def __init__(self, kernel: "Kernel"):
        self.kernel = kernel
        pa = kernel.page_alloc
        self.page_alloc = pa
        self.phys = kernel.phys
        self.memory = kernel.memory
        self.pages = self.phys.pages
        self.nr_pages = self.phys.nr_pages
        self.dmesg = kernel.dmesg
        self.counters = kernel.counters
        n = len(self.classes)
        #: real classes (the table's terminator excluded)
        self.nr_classes = n - 1
        #: the block sizes, ascending, for bisecting a request's class
        self.blocksizes = [b for b, _, _ in self.classes[:-1]]
        # sizes[order].firstfree and .dmafree: addresses of page descriptors (0 = NULL)
        self.firstfree = [0] * n
        self.dmafree = [0] * n
        #: head pfn -> 1 while kmalloc holds the area (metadata lives in the head page)
        self.owned = bytearray(self.nr_pages)
        self.held_pages = 0
        self.held_areas = 0
        self._cn = []
        for blocksize, _, _ in self.classes:
            names = tuple(counter_name(blocksize, f) for f in COUNTER_FIELDS) if blocksize else None
            self._cn.append(names)
            if names:
                self.counters.declare(names)
        self.kmalloc_init()

    # -- boot ---------------------------------------------------------------------
    def kmalloc_init(self) -> None:
        """The boot-time table check: every class's blocks and descriptor fit its area."""
        for order, (blocksize, nblocks, gfporder) in enumerate(self.classes):
            if not blocksize:
                break
            used = nblocks * blocksize + PD_SIZE
            if used > PAGE_SIZE << gfporder:  # pragma: no cover - the tables are the kernel's
                self.dmesg.printk(f"Cannot use {used} bytes out of {PAGE_SIZE << gfporder} in order = "
                                  f"{blocksize} block mallocs")
                self.kernel.panic("This only happens if someone messes with kmalloc")

    # -- simulated memory ------------------------------------------------------------
    def _rd(self, addr: int) -> int:
        """The 32-bit word at ``addr``: straight from the page when kmalloc holds it."""
        pfn = addr >> PAGE_SHIFT
        off = addr & _OFF
        if pfn < self.nr_pages and self.owned[pfn] and off <= PAGE_SIZE - 4:
            data = self.pages.get(pfn)
            if data is not None:
                return _W.unpack_from(data, off)[0]
        return int.from_bytes(self.memory.read(addr, 4), "little")

    def _wr(self, addr: int, value: int) -> None:
        pfn = addr >> PAGE_SHIFT
        off = addr & _OFF
        if pfn < self.nr_pages and self.owned[pfn] and off <= PAGE_SIZE - 4:
            _W.pack_into(self.phys.page(pfn), off, value & _U32)
        else:
            self.memory.write(addr, (value & _U32).to_bytes(4, "little"))

    def _rd_desc(self, page: int) -> tuple[int, int, int, int]:
        """``*PAGE_DESC(p)``: next, firstfree, order, nfree."""
        pfn = page >> PAGE_SHIFT
        if pfn < self.nr_pages and self.owned[pfn]:
            data = self.pages.get(pfn)
            if data is not None:
                return _DESC.unpack_from(data, 0)
        return _DESC.unpack(self.memory.read(page, PD_SIZE))

    def _init_area(self, page: int, order: int, nblocks: int, blocksize: int) -> None:
        """Chain the blocks of a fresh area (all ``MF_FREE``) and fill in its descriptor."""
        pfn = page >> PAGE_SHIFT
        self.owned[pfn] = 1
        data = self.phys.page(pfn)
        p = PD_SIZE
        for _ in range(nblocks - 1):
            _PAIR.pack_into(data, p, MF_FREE, page + p + blocksize)
            p += blocksize
        _PAIR.pack_into(data, p, MF_FREE, 0)
        # next and firstfree are set by the caller's list code
        struct.pack_into("<ii", data, 8, order, nblocks)

    def _took_area(self, gfporder: int) -> None:
        self.held_pages += 1 << gfporder
        self.held_areas += 1

    def _gave_area(self, page: int, gfporder: int) -> None:
        pfn = page >> PAGE_SHIFT
        if pfn < self.nr_pages and self.owned[pfn]:  # a forged descriptor's page was never ours
            self.owned[pfn] = 0
            self.held_pages -= 1 << gfporder
            self.held_areas -= 1

    def _walk_guard(self, steps: int, where: str) -> None:
        if steps > self.nr_pages:
            raise LinuxmmError(f"{where}: the free list of pages loops; the kernel would spin here forever")

    def _p(self, value: int) -> str:
        return self.pointer_format.format(value & _U32)

    # -- argument checks (slow path only) ------------------------------------------------
    @staticmethod
    def _check_kmalloc(size: Any, priority: Any) -> tuple[int, int]:
        size = check_int(size, "size", "kmalloc", 0, _U32)
        return size, check_gfp(priority, "kmalloc", "priority")

    @staticmethod
    def _check_ptr(ptr: Any, func: str) -> int:
        ptr = check_addr(ptr, func, "ptr")
        if ptr > _U32:
            raise ArgumentError(f"{func}: ptr must fit this 32-bit kernel (at most 0xffffffff), not {ptr:#x}")
        return ptr

    # -- introspection (not kernel calls) ------------------------------------------------
    def class_of(self, size: int) -> int:
        """The ``sizes[]`` index a request of ``size`` bytes is served from (-1: none)."""
        need = size + BH_SIZE
        for order, (blocksize, _, _) in enumerate(self.classes):
            if blocksize and need <= blocksize:
                return order
        return -1

    def freelist(self, order: int, dma: bool = False) -> list[int]:
        """The pages on ``sizes[order].firstfree`` (or ``dmafree``), walked through their descriptors."""
        page = (self.dmafree if dma else self.firstfree)[order]
        out = []
        while page and len(out) <= self.nr_pages:
            out.append(page)
            page = self._rd(page)
        return out

    def descriptor(self, page: int) -> dict[str, int]:
        """The page descriptor at ``page`` as the kernel would read it."""
        nxt, first, order, nfree = self._rd_desc(page)
        return {"next": nxt, "firstfree": first, "order": order, "nfree": nfree}

    def header(self, ptr: int) -> tuple[int, int]:
        """``(bh_flags, bh_length or bh_next)`` of the block behind ``ptr``."""
        return self._rd((ptr - BH_SIZE) & _U32), self._rd((ptr - BH_SIZE + 4) & _U32)

    def size_classes(self) -> list[dict[str, int]]:
        """One row per class: geometry, the kernel's ``sizes[]`` statistics, list lengths."""
        rows = []
        c = self.counters
        for order, (blocksize, nblocks, gfporder) in enumerate(self.classes):
            if not blocksize:
                break
            names = self._cn[order]
            row = {"order": order, "size": blocksize, "nblocks": nblocks, "gfporder": gfporder}
            for field, name in zip(COUNTER_FIELDS, names):
                row[field] = c[name]
            row["freelist"] = len(self.freelist(order))
            row["dmafree"] = len(self.freelist(order, True)) if self.has_dma_lists else 0
            rows.append(row)
        return rows

    def pages_held(self) -> int:
        """Pages kmalloc holds from the page allocator right now (areas in use, cached ones too)."""
        return self.held_pages

    def check(self) -> list[str]:
        """The allocator's own invariants (``kernel.check()``); an empty list when they hold.

        For every area kmalloc holds: its descriptor names a real class, ``nfree`` is between 0
        and the class's blocks, the page's free chain has exactly ``nfree`` ``MF_FREE`` blocks,
        all on block boundaries inside the area, and the page allocator has the area as
        allocated.  The pages of all areas add up to :meth:`pages_held`, and for each class the
        blocks in use add up to ``nmallocs - nfrees``.  (Class lists are not checked: 1.1.89
        loses pages from them, as the kernel did.)
        """
        out: list[str] = []
        pa = self.page_alloc
        counts = getattr(pa, "mem_map", None)
        if counts is None:
            counts = pa.frames.count
        in_use = [0] * len(self.classes)
        pages = 0
        owned = self.owned
        pfn = owned.find(1)
        while pfn >= 0:
            page = pfn << PAGE_SHIFT
            _, first, order, nfree = self._rd_desc(page)
            if not 0 <= order < self.nr_classes:
                out.append(f"slab: area {page:#x} held by kmalloc names class {order}")
                pfn = owned.find(1, pfn + 1)
                continue
            size, nblocks, gfporder = self.classes[order]
            pages += 1 << gfporder
            if pfn >= len(counts) or not counts[pfn]:
                out.append(f"slab: area {page:#x} held by kmalloc is free in the page allocator")
            if not 0 <= nfree <= nblocks:
                out.append(f"slab: area {page:#x} ({size}-byte class) has nfree {nfree} of {nblocks}")
            seen, p = 0, first
            while p and seen <= nblocks:
                off = p - page - PD_SIZE
                if off < 0 or off % size or off // size >= nblocks:
                    out.append(f"slab: area {page:#x}: its free chain leaves the area at {p:#x}")
                    break
                if self._rd(p) != MF_FREE:
                    out.append(f"slab: area {page:#x}: block {p:#x} on its free chain is not MF_FREE")
                    break
                seen += 1
                p = self._rd(p + 4)
            else:
                if seen != nfree:
                    out.append(f"slab: area {page:#x}: {seen} blocks on its free chain, nfree says {nfree}")
            cached = getattr(self, "kmalloc_cache", ())
            if page not in cached:
                in_use[order] += nblocks - nfree
            pfn = owned.find(1, pfn + 1)
        if pages != self.held_pages:
            out.append(f"slab: the areas kmalloc holds make {pages} pages, its count says {self.held_pages}")
        c = self.counters
        for order, names in enumerate(self._cn):
            if names and c[names[0]] - c[names[1]] != in_use[order]:
                out.append(f"slab: {self.classes[order][0]}-byte class: {in_use[order]} blocks in use, "
                           f"nmallocs - nfrees = {c[names[0]] - c[names[1]]}")
        return out

    def render_sizes(self) -> str:
        """The ``sizes[]`` table as a report (the kernel kept these numbers but printed none)."""
        lines = ["  size blocks order  nmallocs    nfrees  nbytesmalloced  npages  freelist  dmafree"]
        for r in self.size_classes():
            lines.append(f"{r['size']:6d} {r['nblocks']:6d} {r['gfporder']:5d} {r['nmallocs']:9d} "
                         f"{r['nfrees']:9d} {r['nbytesmalloced']:15d} {r['npages']:7d} {r['freelist']:9d} "
                         f"{r['dmafree']:8d}")
        return "\n".join(lines) + "\n"


# ============================================================================
# 1.0: R.E. Wolff's kmalloc, one page per area
# ============================================================================
class Kmalloc10(KmallocBase):
    """``mm/kmalloc.c`` of Linux 1.0: eight classes on single pages, ``kfree_s`` with its size check."""

    classes = tuple((s, n, 0) for s, n in SIZES_10) + ((0, 0, 0),)
    pointer_format = "{:08X}"
    has_dma_lists = False
    #: ``order > ARRAY_SIZE(sizes)``: 1.0 and 1.1 compare with ``>``, letting one index past the end through.
    order_limit_inclusive = True

    def __init__(self, kernel: "Kernel"):
        super().__init__(kernel)
        self._get_page = getattr(kernel, "__get_free_page")
        self._free_page = kernel.free_page

    # -- area supply (1.1 overrides) ----------------------------------------------------
    def _get_area(self, order: int, gfp: int, dma: bool) -> int:
        return self._get_page(gfp)

    def _free_area(self, page: int, order: int) -> None:
        self._free_page(page)

    def _couldnt_get_page(self, gfp: int) -> None:
        self.dmesg.printk("Couldn't get a free page.....")

    def _oversize(self, size: int) -> bool:
        """1.0's refusal of anything above ``MAX_KMALLOC_K`` K; True if refused."""
        if size > MAX_KMALLOC_10:
            self.dmesg.printk(f"kmalloc: I refuse to allocate {s32(size)} bytes (for now max = {MAX_KMALLOC_10}).")
            return True
        return False

    def get_order(self, size: int) -> int:
        """``get_order(int size)``: the first class whose block holds ``size`` plus the header, or -1.

        ``size`` is a C ``int`` here: 2 GB or more turns negative and fits the first class.
        """
        need = (size if size < 0x80000000 else size - 0x100000000) + BH_SIZE
        order = bisect_left(self.blocksizes, need)
        return order if order < self.nr_classes else -1

    # -- kernel calls -------------------------------------------------------------------------
    def kmalloc(self, size: int, priority: int) -> int:
        """``kmalloc(size, priority)``: the block's address past its header, or 0 (NULL)."""
        if type(size) is not int or type(priority) is not int or not 0 <= size <= _U32:
            size, priority = self._check_kmalloc(size, priority)
        if self._oversize(size):
            return 0
        order = self.get_order(size)
        if order < 0:
            self.dmesg.printk(f"kmalloc of too large a block ({s32(size)} bytes).")
            return 0
        dma = bool(priority & _DMA) and self.has_dma_lists
        lists = self.dmafree if dma else self.firstfree
        # Fast path: the class list's head is an area kmalloc holds and its first free block is a
        # free block of that page; the bytes are read and written in place.  Anything else takes
        # the step-by-step path below, which reads through kernel.memory as the C did.
        page = lists[order]
        if page:
            pfn = page >> PAGE_SHIFT
            if pfn < self.nr_pages and self.owned[pfn]:
                data = self.pages.get(pfn)
                if data is not None:
                    p = _W.unpack_from(data, 4)[0]
                    off = p - page
                    if _HDR_LO <= off <= _HDR_HI:
                        flags, nxt = _PAIR.unpack_from(data, off)
                        nfree = _I32.unpack_from(data, 12)[0] - 1
                        if flags == MF_FREE and nfree >= -0x80000000:  # (the slow path wraps the int)
                            _W.pack_into(data, 4, nxt)
                            _I32.pack_into(data, 12, nfree)
                            if not nfree:
                                self._unlink_full(order, page, dma)
                            names = self._cn[order]
                            c = self.counters
                            c[names[0]] += 1
                            c[names[2]] += size if size < 0x80000000 else size - 0x100000000
                            _PAIR.pack_into(data, off, MF_USED, size)
                            return p + BH_SIZE
        return self._kmalloc_slow(size, priority, order, dma, lists)

    def _kmalloc_slow(self, size: int, priority: int, order: int, dma: bool, lists: list[int]) -> int:
        """The retry loop of 1.0/1.1 ``kmalloc``: the list head, else a new page, up to four times."""
        blocksize, nblocks, gfporder = self.classes[order]
        rd, wr = self._rd, self._wr
        for _ in range(MAX_GET_FREE_PAGE_TRIES):
            page = lists[order]
            if page:
                p = rd(page + 4)  # page->firstfree
                if p:
                    if rd(p) == MF_FREE:
                        wr(page + 4, rd(p + 4))
                        nfree = s32(rd(page + 12) - 1)
                        wr(page + 12, nfree)
                        if not nfree:
                            self._unlink_full(order, page, dma)
                        names = self._cn[order]
                        c = self.counters
                        c[names[0]] += 1
                        c[names[2]] += s32(size)
                        wr(p, MF_USED)
                        wr(p + 4, size)
                        return p + BH_SIZE
                    self.dmesg.printk(f"Problem: block on freelist at {p:08x} isn't free.")
                    return 0
            # Now a new page (an area from 1.1 on) for this class.
            page = self._get_area(gfporder, priority, dma)
            if not page:
                self._couldnt_get_page(priority)
                return 0
            self.counters[self._cn[order][3]] += 1
            self._took_area(gfporder)
            self._init_area(page, order, nblocks, blocksize)
            wr(page + 4, page + PD_SIZE)
            wr(page, lists[order])
            lists[order] = page
        self.dmesg.printk(
            f"Hey. This is very funny. I tried {MAX_GET_FREE_PAGE_TRIES} times to allocate a whole\n"
            f"new page for an object only {s32(size)} bytes long, but some other process\n"
            "beat me to actually allocating it. Also note that this 'error'\n"
            "message is soooo very long to catch your attention. I'd appreciate\n"
            "it if you'd be so kind as to report what conditions caused this to\n"
            "the author of this kmalloc: wolff@dutecai.et.tudelft.nl.\n"
            "(Executive summary: This can't happen)")
        return 0

    def _unlink_full(self, order: int, page: int, dma: bool) -> None:
        """The page's last free block was taken: off the class list, ``next`` cleared."""
        self.firstfree[order] = self._rd(page)
        self._wr(page, 0)

    def kfree(self, ptr: int) -> None:
        """``kfree(ptr)``: the macro ``kfree_s(ptr, 0)``."""
        self.kfree_s(ptr, 0)

    def kfree_s(self, ptr: int, size: int) -> None:
        """``kfree_s(ptr, size)``: check the descriptor and header, then free; 0 skips the size check."""
        if type(ptr) is not int or not 0 <= ptr <= _U32:
            ptr = self._check_ptr(ptr, "kfree_s")
        if type(size) is not int or not 0 <= size <= _U32:
            size = check_int(size, "size", "kfree_s", 0, _U32)
        p = (ptr - BH_SIZE) & _U32
        page = p & PAGE_MASK
        pfn = page >> PAGE_SHIFT
        off = p - page
        # Fast path: a block in use in an area kmalloc holds, freed with its own size (or none).
        if _HDR_LO <= off <= _HDR_HI and pfn < self.nr_pages and self.owned[pfn]:
            data = self.pages.get(pfn)
            if data is not None:
                nxt, first, order, nfree = _DESC.unpack_from(data, 0)
                flags, length = _PAIR.unpack_from(data, off)
                if (flags == MF_USED and not nxt & ~PAGE_MASK and 0 <= order < self.nr_classes
                        and (not size or size == length) and nfree < 0x7FFFFFFF):
                    _PAIR.pack_into(data, off, MF_FREE, first)
                    _W.pack_into(data, 4, p)
                    nfree += 1
                    _I32.pack_into(data, 12, nfree)
                    if nfree == 1:
                        if nxt:
                            self.dmesg.printk(f"Page {self._p(page)} already on freelist dazed and confused....")
                        else:
                            _W.pack_into(data, 0, self.firstfree[order])
                            self.firstfree[order] = page
                    _, nblocks, gfporder = self.classes[order]
                    if nfree == nblocks:
                        self._unlink_free_page(order, page)
                        self._gave_area(page, gfporder)
                        self._free_area(page, gfporder)
                    names = self._cn[order]
                    c = self.counters
                    c[names[1]] += 1
                    c[names[2]] -= length if length < 0x80000000 else length - 0x100000000
                    return
        rd, wr = self._rd, self._wr
        nxt, _, order, _ = self._rd_desc(page)
        limit = len(self.classes)
        bad = order < 0 or (order > limit if self.order_limit_inclusive else order >= limit)
        if bad or nxt & ~PAGE_MASK or rd(p) != MF_USED:
            self.dmesg.printk(f"kfree of non-kmalloced memory: {self._p(p)}, next= {self._p(nxt)}, order={order}")
            return
        if order == limit:
            raise LinuxmmError(f"kfree_s({ptr:#x}): the page descriptor says class {order}, one past the end "
                               f"of sizes[]; this kernel's check lets it through and reads beyond the table, "
                               f"so the model refuses")
        length = rd(p + 4)
        if size and size != length:
            self.dmesg.printk(f"Trying to free pointer at {self._p(p)} with wrong size: {s32(size)} "
                              f"instead of {length}.")
            return
        size = length
        wr(p, MF_FREE)
        wr(p + 4, rd(page + 4))
        wr(page + 4, p)
        nfree = s32(rd(page + 12) + 1)
        wr(page + 12, nfree)
        if nfree == 1:
            if rd(page):
                self.dmesg.printk(f"Page {self._p(page)} already on freelist dazed and confused....")
            else:
                wr(page, self.firstfree[order])
                self.firstfree[order] = page
        blocksize, nblocks, gfporder = self.classes[order]
        if nfree == nblocks:
            self._unlink_free_page(order, page)
            self._gave_area(page, gfporder)
            self._free_area(page, gfporder)
        names = self._cn[order]
        if names:
            c = self.counters
            c[names[1]] += 1
            c[names[2]] -= s32(size)

    def _unlink_free_page(self, order: int, page: int) -> None:
        """Take a wholly free page off its class list (1.0: ``firstfree`` only)."""
        rd = self._rd
        if self.firstfree[order] == page:
            self.firstfree[order] = rd(page)
            return
        if self._unlink_after(self.firstfree[order], page):
            return
        self.dmesg.printk(f"Ooops. page {self._p(page)} doesn't show on freelist.")

    def _unlink_after(self, head: int, page: int) -> bool:
        """Walk a list for the page whose ``next`` is ``page`` and splice ``page`` out."""
        rd = self._rd
        pg2, steps = head, 0
        while pg2 and rd(pg2) != page:
            pg2 = rd(pg2)
            steps += 1
            self._walk_guard(steps, "kfree_s")
        self.counters["list_walks"] += steps
        if pg2:
            self._wr(pg2, rd(page))
            return True
        return False


# ============================================================================
# 1.1.89 .. 1.2: Alex Bligh's multi-page areas and DMA lists
# ============================================================================
class Kmalloc11(Kmalloc10):
    """``mm/kmalloc.c`` of 1.1.89 to 1.2: classes up to ``131072-16`` on areas of order 0..5, DMA lists.

    ``has_1193``: the DMA-list fix of 1.1.93 (a37ca2077f1d), in v1.2.0.
    """

    classes = SIZES_11 + ((0, 0, 0),)
    pointer_format = "{:08x}"
    has_dma_lists = True

    def __init__(self, kernel: "Kernel"):
        KmallocBase.__init__(self, kernel)
        self.has_1193 = kernel.has("v1.1.93")
        self._get_pages = getattr(kernel, "__get_free_pages")
        self._get_dma_pages = getattr(kernel, "__get_dma_pages")
        self._free_pages = kernel.free_pages
        self._complained = False

    def _get_area(self, gfporder: int, gfp: int, dma: bool) -> int:
        if dma:
            return self._get_dma_pages(gfp & ~_DMA, gfporder)
        return self._get_pages(gfp & ~_DMA, gfporder)

    def _free_area(self, page: int, gfporder: int) -> None:
        self._free_pages(page, gfporder)

    def _couldnt_get_page(self, gfp: int) -> None:
        if not self._complained:  # once per ten seconds of jiffies; the model's clock stands still
            self._complained = True
            self.dmesg.printk("Couldn't get a free page.....")

    def _oversize(self, size: int) -> bool:
        return False  # MAX_KMALLOC_K is defined but no longer tested

    def _unlink_full(self, order: int, page: int, dma: bool) -> None:
        if dma and self.has_1193:
            self.dmafree[order] = self._rd(page)
        else:  # 1.1.89 unlinks from firstfree even for a DMA page
            self.firstfree[order] = self._rd(page)
        self._wr(page, 0)

    def _unlink_free_page(self, order: int, page: int) -> None:
        rd = self._rd
        if self.firstfree[order] == page:
            self.firstfree[order] = rd(page)
        elif self.dmafree[order] == page:
            self.dmafree[order] = rd(page)
        elif not (self._unlink_after(self.firstfree[order], page)
                  or self._unlink_after(self.dmafree[order], page)):
            self.dmesg.printk(f"Ooops. page {self._p(page)} doesn't show on freelist.")


# ============================================================================
# 2.0: Linus' rewrite (1.99.11 text)
# ============================================================================
class Kmalloc20(KmallocBase):
    """``mm/kmalloc.c`` of 2.0: ``MF_DMA`` blocks, the ``kmalloc_cache`` of one area per order 0..2."""

    classes = SIZES_11 + ((0, 0, 0),)
    pointer_format = "{:08x}"

    def __init__(self, kernel: "Kernel"):
        super().__init__(kernel)
        self._get_pages = getattr(kernel, "__get_free_pages")
        self._free_pages = kernel.free_pages
        #: kmalloc_cache[MAX_CACHE_ORDER]: one free area per gfporder 0..2 (0 = empty)
        self.kmalloc_cache = [0] * MAX_CACHE_ORDER
        self._complained = False

    def get_kmalloc_pages(self, priority: int, gfporder: int, dma: bool) -> int:
        """``__get_free_pages(priority, order, dma)``."""
        return self._get_pages((priority | _DMA) if dma else (priority & ~_DMA), gfporder)

    def free_kmalloc_pages(self, page: int, gfporder: int, dma: bool) -> None:
        """Swap an order-0..2 area into the cache and free the one it displaces; free others at once."""
        if not dma and gfporder < MAX_CACHE_ORDER:
            page, self.kmalloc_cache[gfporder] = self.kmalloc_cache[gfporder], page
            if not page:
                return
        self._gave_area(page, gfporder)
        self._free_pages(page, gfporder)

    def kmalloc(self, size: int, priority: int) -> int:
        """``kmalloc(size, priority)``: the block's address past its header, or 0 (NULL)."""
        if type(size) is not int or type(priority) is not int or not 0 <= size <= _U32:
            size, priority = self._check_kmalloc(size, priority)
        # the first class whose block holds realsize, an unsigned int that wraps near 4 GB
        order = bisect_left(self.blocksizes, (size + BH_SIZE) & _U32)
        if order >= self.nr_classes:
            self.dmesg.printk(f"kmalloc of too large a block ({s32(size)} bytes).")
            return 0
        classes = self.classes
        if priority & _DMA:
            dma, mark, lists = True, MF_DMA, self.dmafree
        else:
            dma, mark, lists = False, MF_USED, self.firstfree
        page = lists[order]
        if page:  # fast path, as in 1.0/1.1 (see Kmalloc10.kmalloc)
            pfn = page >> PAGE_SHIFT
            if pfn < self.nr_pages and self.owned[pfn]:
                data = self.pages.get(pfn)
                if data is not None:
                    p = _W.unpack_from(data, 4)[0]
                    off = p - page
                    if _HDR_LO <= off <= _HDR_HI:
                        flags, nxt = _PAIR.unpack_from(data, off)
                        nfree = _I32.unpack_from(data, 12)[0] - 1
                        if flags == MF_FREE and nfree >= -0x80000000:  # (the slow path wraps the int)
                            _W.pack_into(data, 4, nxt)
                            _I32.pack_into(data, 12, nfree)
                            if not nfree:
                                lists[order] = _W.unpack_from(data, 0)[0]
                            names = self._cn[order]
                            c = self.counters
                            c[names[0]] += 1
                            c[names[2]] += size if size < 0x80000000 else size - 0x100000000
                            _PAIR.pack_into(data, off, mark, size)
                            return p + BH_SIZE
        rd, wr = self._rd, self._wr
        if page:
            p = rd(page + 4)
            if rd(p) != MF_FREE:
                self.dmesg.printk(f"Problem: block on freelist at {p:08x} isn't free.")
                return 0
        else:
            blocksize, nblocks, gfporder = classes[order]
            page = self.get_kmalloc_pages(priority, gfporder, dma)
            if page:
                self._took_area(gfporder)
            elif not dma and gfporder < MAX_CACHE_ORDER and self.kmalloc_cache[gfporder]:
                page, self.kmalloc_cache[gfporder] = self.kmalloc_cache[gfporder], 0
            else:
                if (priority & _HIGH or priority & _IOFS) and not self._complained:  # not GFP_BUFFER
                    self._complained = True
                    self.dmesg.printk("Couldn't get a free page.....")
                return 0
            self.counters[self._cn[order][3]] += 1
            self._init_area(page, order, nblocks, blocksize)
            p = page + PD_SIZE
            wr(page, lists[order])
            lists[order] = page
        # found_it
        wr(page + 4, rd(p + 4))
        nfree = s32(rd(page + 12) - 1)
        wr(page + 12, nfree)
        if not nfree:
            lists[order] = rd(page)  # the full page leaves the list; its next is left as it was
        names = self._cn[order]
        c = self.counters
        c[names[0]] += 1
        c[names[2]] += s32(size)
        wr(p, mark)
        wr(p + 4, size)
        return p + BH_SIZE

    def kfree(self, ptr: int) -> None:
        """``kfree(ptr)``: NULL is ignored; a bad descriptor or header is reported and left alone."""
        if type(ptr) is not int or not 0 <= ptr <= _U32:
            ptr = self._check_ptr(ptr, "kfree")
        if not ptr:
            return
        p = (ptr - BH_SIZE) & _U32
        page = p & PAGE_MASK
        pfn = page >> PAGE_SHIFT
        off = p - page
        # Fast path: a block in use (MF_USED or MF_DMA) in an area kmalloc holds.
        if _HDR_LO <= off <= _HDR_HI and pfn < self.nr_pages and self.owned[pfn]:
            data = self.pages.get(pfn)
            if data is not None:
                nxt, first, order, nfree = _DESC.unpack_from(data, 0)
                flags, size = _PAIR.unpack_from(data, off)
                if ((flags == MF_USED or flags == MF_DMA) and not nxt & ~PAGE_MASK and 0 <= order < self.nr_classes
                        and nfree < 0x7FFFFFFF):
                    _PAIR.pack_into(data, off, MF_FREE, first)
                    _W.pack_into(data, 4, p)
                    nfree += 1
                    _I32.pack_into(data, 12, nfree)
                    dma = flags == MF_DMA
                    lists = self.dmafree if dma else self.firstfree
                    if nfree == 1:
                        _W.pack_into(data, 0, lists[order])
                        lists[order] = page
                    if nfree == self.classes[order][1]:
                        self._release_page(order, page, dma, lists)
                    names = self._cn[order]
                    c = self.counters
                    c[names[1]] += 1
                    c[names[2]] -= size if size < 0x80000000 else size - 0x100000000
                    return
        rd, wr = self._rd, self._wr
        nxt, _, order, _ = self._rd_desc(page)
        flags = rd(p)
        dma = False
        if flags == MF_DMA:
            dma = True
            wr(p, MF_USED)  # before the checks: a failed check leaves it MF_USED
            flags = MF_USED
        if order < 0 or order >= len(self.classes) or nxt & ~PAGE_MASK or flags != MF_USED:
            self.dmesg.printk(f"kfree of non-kmalloced memory: {self._p(p)}, next= {self._p(nxt)}, order={order}")
            return
        size = rd(p + 4)
        wr(p, MF_FREE)
        wr(p + 4, rd(page + 4))
        wr(page + 4, p)
        nfree = s32(rd(page + 12) + 1)
        wr(page + 12, nfree)
        lists = self.dmafree if dma else self.firstfree
        if nfree == 1:
            wr(page, lists[order])
            lists[order] = page
        if nfree == self.classes[order][1]:
            self._release_page(order, page, dma, lists)
        names = self._cn[order]
        if names:
            c = self.counters
            c[names[1]] += 1
            c[names[2]] -= s32(size)

    def _release_page(self, order: int, page: int, dma: bool, lists: list[int]) -> None:
        """Every block of the page is free: find it on its list, unlink it, give the area up."""
        rd = self._rd
        tmp, prev, steps = lists[order], None, 0
        while True:
            if not tmp:
                self.dmesg.printk(f"Ooops. page {self._p(page)} doesn't show on freelist.")
                break
            if tmp == page:
                if prev is None:
                    lists[order] = rd(page)
                else:
                    self._wr(prev, rd(page))
                break
            prev, tmp = tmp, rd(tmp)
            steps += 1
            self._walk_guard(steps, "kfree")
        self.counters["list_walks"] += steps
        names = self._cn[order]
        if names:
            self.counters[names[3]] -= 1
        self.free_kmalloc_pages(page, self.classes[order][2], dma)

    def kfree_s(self, ptr: int, size: int) -> None:
        """``kfree_s(ptr, size)``: in 2.0 a macro for ``kfree(ptr)``; the size is not read."""
        self.kfree(ptr)

    def size_classes(self) -> list[dict[str, int]]:
        rows = super().size_classes()
        for row in rows:
            g = row["gfporder"]
            row["cached"] = 1 if g < MAX_CACHE_ORDER and self.kmalloc_cache[g] and row["nblocks"] else 0
        return rows


# ============================================================================
# Before 0.98.4: no kmalloc at all
# ============================================================================
def _absent(name: str, version: str):
    message = f"{name}() is not in {version}: {KMALLOC_APPEARED}"

    def absent(*args: Any, **kwargs: Any) -> Any:
        raise NotInThisKernel(message)

    absent.__name__ = name
    absent.not_in_this_kernel = True  # type: ignore[attr-defined]  (kernel.provides() says False)
    absent.__doc__ = message
    return absent


@hookimpl
def linuxmm_kernel_booted(kernel: "Kernel") -> None:
    """Before 1.0 the kernel's stub for ``kmalloc()`` says where kmalloc really appeared.

    The model has no small-object allocator before 1.0; the generic stub could only name the
    first modelled release.  Nothing here runs on an allocation path.
    """
    if kernel.has("v1.0") or "slab" in kernel.implementations:
        return
    for name in _API:
        setattr(kernel, name, _absent(name, kernel.version))


_API = ("kmalloc", "kfree", "kfree_s")


@hookimpl
def linuxmm_implementations():
    return [
        Implementation(
            subsystem="slab", name="kmalloc.c-1.0", factory=Kmalloc10, introduced="v1.0", removed="v1.1.89",
            api=_API,
            summary="1.0 mm/kmalloc.c: classes 32..4080 on single pages, 8-byte block headers, "
                    "page descriptors, refuses more than 4096 bytes"),
        Implementation(
            subsystem="slab", name="kmalloc.c-1.1", factory=Kmalloc11, introduced="v1.1.89", removed="v2.0",
            api=_API,
            summary="1.1.89-1.2 mm/kmalloc.c: classes up to 131072-16 on areas of order 0..5, DMA lists "
                    "(1.1.89's DMA-list bug, fixed in 1.1.93)"),
        Implementation(
            subsystem="slab", name="kmalloc.c-2.0", factory=Kmalloc20, introduced="v2.0", removed="v2.2.0",
            api=_API,
            summary="2.0 mm/kmalloc.c (Linus' rewrite): MF_DMA blocks, a one-area cache per order 0..2"),
    ]
