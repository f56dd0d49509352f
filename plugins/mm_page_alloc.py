"""The zoned buddy allocator of mm/page_alloc.c, from 2.6.0 to 6.18 (x86_64).

One implementation, ``buddy-2.6``, covers the whole era.  Behaviour that
changed inside the era is written where it changed, keyed by era flags that
are computed once at boot from ``kernel.has()`` (never on an allocation
path).  Sources read: 2.6.20 ``mm/page_alloc.c`` (sagsango/linux-2.6.20), about-4.4
``mm/page_alloc.c`` (torvalds/linux; an Android-patched 4.4 whose ``extra_free_kbytes``
is 0), a recent 6.x ``mm/page_alloc.c``, ``mm/show_mem.c`` and ``mm/vmstat.c``
(linux-mm/linux-mm) [V where marked, with the era read]; the reference fact sheets on
the page allocator [V/S as marked there]; docs/sources.md.

What is modelled, per era
-------------------------
* Zones (x86_64): DMA [0, 16M); DMA32 [16M, 4G) from a2f1b4249007 (2.6.15);
  Normal above (before DMA32, Normal is everything above 16M).  A zone that
  spans no memory stays in the zone table but is not *populated*
  (``present_pages == 0``), so /proc and reports skip it (populated_zone,
  2.6.20 [V]).  ZONE_HIGHMEM does not exist on x86_64; ZONE_MOVABLE
  (2a1e274acf0b) and ZONE_DEVICE are always empty and are left out.
* Physical layout (a model choice, identical in every era, deterministic):
  pfn 0 (BIOS data), the 640K-1M ISA hole (pfns 160-255; an e820 hole, so
  it is *absent*, not present), the kernel image at 2 MB-8 MB (pfns
  512-2047) and the ``mem_map`` (64 bytes per ``struct page`` [S: 56 in many
  2.6 configs]) at 16 MB, where bootmem's goal of ``MAX_DMA_ADDRESS`` put it
  (at 8 MB when the machine has 32 MB or less).  Later kernels allocate the
  memmap top-down through memblock: not modelled.
* Boot freeing: ascending pfn, each free range cut into max-order-aligned
  blocks and handed to ``__free_one_page`` (memblock's ``__free_pages_memory``
  shape).  2.6 bootmem freed BITS_PER_LONG chunks and single pages; the
  resulting ``nr_free`` counts are identical (the buddy decomposition of a
  range is unique).  From v5.10 boot frees go to the list tail (FPI_TO_TAIL,
  7fef431be9c9 [S]), before that to the head (``list_add``).
* ``present_pages`` before v3.8 is spanned - absent - memmap pages
  (``free_area_init_core``, 2.6.20 [V]; ``dma_reserve`` is 0 here); from v3.8
  (managed_pages [S release]) batch sizes, watermarks and lowmem reserves use
  the pages actually freed at boot (``managed``; 4.4 and 6.x read [V]).
* MAX_ORDER constants by name: ``MAX_ORDER = 11`` exclusive before
  23baf831a32c; ``MAX_ORDER = 10`` inclusive from 23baf831a32c;
  ``MAX_PAGE_ORDER = 10`` from 5e0a760b4441 and ``NR_PAGE_ORDERS = 11`` from
  fd37721803c6.  Loop bounds are written as each era wrote them (see
  ``_era_orders``); the number of orders is 11 throughout.
* Migratetypes from b2a0ac8875a0 (2.6.24); RECLAIMABLE from e12ba74d8ff3;
  RESERVE (56fd56b868f1 [S], keyed here on e12ba74d8ff3, same release) and
  ISOLATE (2.6.24 [S]); enum order Unmovable, Reclaimable, Movable, Reserve,
  Isolate until 0aaa29a56e4f, then Unmovable, Movable, Reclaimable,
  HighAtomic, Isolate (CONFIG_CMA off) [V 4.4, 6.x].  Pageblocks of 512 pages
  (pageblock_order 9) start MOVABLE; ``setup_zone_migrate_reserve`` marks
  the first free pageblocks MIGRATE_RESERVE (up to 2 per zone from v2.6.32
  [S]).  Fallback lists and stealing as in 2.6.24 (until 4.3) [S: recalled,
  not re-read] and 4.4 ``find_suitable_fallback``/``can_steal_fallback``/
  ``steal_suitable_fallback`` (from 0aaa29a56e4f) [V 4.4]; the fallback table
  (U: R, M; M: R, U; R: U, M) is also 6.x's [V].  High-atomic pageblocks
  (4.4 [V]): an order > 0 GFP_ATOMIC allocation that needed the min
  watermark reserves its pageblock (1% of the zone + one block at most),
  ``buffered_rmqueue`` serves such requests from the reserve first, and
  ``zone_watermark_ok`` does not count ``nr_reserved_highatomic`` as free for
  other callers.  NOT modelled: 4.13's steal-then-retry structure (the page
  stolen is moved and ``__rmqueue_smallest`` runs again); 6.x's
  ``__rmqueue_claim``/``__rmqueue_steal`` split (claim counts "alike" used
  pages, a plain steal leaves the pieces on the fallback type's lists); 6.x
  order-0 non-blocking access to the reserve, its 1%-aligned sizing, and its
  watermark discount of free high-atomic pages rather than reserved ones.
* Per-CPU lists (pcp): hot and cold lists until 3dfa5721f12c (hot: high
  6*batch, cold: high 2*batch, batch/2 [V 2.6.20]); one list (with a search
  for the wanted migratetype, 2.6.24-2.6.31 [S]) until 5f8dcc21211a; one list
  per migratetype after.  ``zone_batchsize`` is size/1024 capped at 512 KB,
  /4, then 2^n - 1 [V 2.6.20 present_pages, 4.4 managed_pages; high 6*batch
  V 4.4]; 1 MB cap from v5.14 [S for the boundary]; from v5.14 ``high`` is
  ``max(low_wmark / nr_cpus, 4 * batch)`` (zone_highsize with no
  percpu_pagelist_high_fraction [V 6.x]).  Refill is ``rmqueue_bulk(batch)``;
  a free that brings the count to ``high`` (``count >= high`` [V 2.6.20, 4.4,
  6.x]) drains ``batch`` pages from list tails: round-robin over the
  migratetype lists with ``batch_free`` from 5f8dcc21211a [V 4.4]; from v5.18
  [S release] the list of the page just freed first, each list emptied before
  the next [V 6.x].  NOT modelled: high-order pages on the pcp lists
  (44042b449872, 5.14; their empty lists also change 5.14-5.17's round-robin),
  the 6.7+ auto-tuning of high (high_min/high_max) and the larger
  ``nr_pcp_free`` counts; a recent 6.x tree read computes the batch as
  ``min(managed >> 12, 64)`` and returns 1 (not 0) for zones under 8192
  pages (release unknown; the model keeps 0).
* Watermarks: ``min_free_kbytes = int_sqrt(lowmem_kbytes * 16)`` clamped to
  [128, 65536] [V 2.6.20, 4.4] (upper clamp 262144 [V 6.x] from v5.7 [S
  release]); per-zone min/low/high as ``setup_per_zone_pages_min`` (low = min
  + min/4, high = min + min/2) [V 2.6.20, 4.4], named ``watermark[]`` from
  418589663d60, ``watermark_scale_factor`` 10 (distance max(min/4,
  managed*10/10000)) from 795ae7a0de6b (4.6, after 4.4) [V 6.x].
  ``lowmem_reserve[j]`` of a lower zone is the managed pages of the zones
  above it up to j divided by 256 (DMA and DMA32 ratios) [V 2.6.20, 4.4, 6.x];
  6.x checks it against ``gfp_zone()``'s index instead of the first populated
  zone, which gives the same numbers for this model's zones (empty zones add
  0) [V].  NOT modelled: THP's ``set_recommended_min_free_kbytes`` raise.
  Every allocation runs ``zone_watermark_ok`` on counters kept incrementally.
  There is no reclaim, no kswapd and no OOM killer in the model: when every
  zone fails the low watermark and then the min watermark (ALLOC_HIGH for
  __GFP_HIGH; ALLOC_HARDER, min - min/4, for callers that may not sleep in
  2.6.20 [V], only for GFP_ATOMIC (__GFP_ATOMIC, d0164adc89f6) from v4.4 [V
  4.4, 6.x]), the allocation returns 0 and logs the era's "page allocation
  failure" line.
* Orders above the limit: 0 silently before v2.6.31 (the gfp.h check [V
  2.6.20]); ``WARN_ON_ONCE`` then NULL from b3c466ce5129, not for
  __GFP_NOWARN from 1fc28b70fe2d [V].  The failure report and the WARNING
  are each era's, with the era's GFP bits and ``%pGg`` (``_setup_reports``,
  :mod:`linuxmm.gfp`); the WARNING's source line and ``+off/size`` are not
  modelled.
* Freeing: ``put_page_testzero`` on the head page; a free of a page whose
  count is already 0 underflows it to -1 silently (CONFIG_DEBUG_VM off), and
  the page is reported by ``bad_page`` when it is next handed out (2.6.20:
  count fixed and the page is used; from v2.6.29 [S] the page is leaked).
  ``free_pages_check`` on every page of a block: a bad page stops the free.
  Divergence: before v2.6.29 the real kernel went on freeing non-reserved
  bad pages (corrupting its lists); the model refuses, and also refuses a
  free whose order is larger than the block's (pages it does not own).
  Addresses outside memory: ``VM_BUG_ON(!virt_addr_valid())`` ->
  ``kernel.bug("mm/page_alloc.c")`` (the line number is not modelled).
* Zeroing: __GFP_ZERO; ``init_on_alloc``/``init_on_free`` from 6471384af2a6
  (if both are on, pages are zeroed at free only).

Accounting: ``nr_free_pages() + allocated_pages() + reserved_pages()`` equals
``nr_pages``, every frame of the machine: buddy and pcp pages are free,
reserved pages are those never freed at boot plus pages leaked by
``bad_page``.  ``zone.free_pages`` is the kernel's NR_FREE_PAGES (pcp pages
excluded), which is what the watermarks read.
"""

from __future__ import annotations

from array import array
from math import isqrt

from linuxmm import fault_inject, hookimpl
from linuxmm.errors import LinuxmmError
from linuxmm.gfp import format_gfp, gfp_era
from linuxmm.warn import warn_printer
from linuxmm.lists import FreeList
from linuxmm.machine.frames import PG_buddy, PG_reserved, ImpliedCounts
from linuxmm.pagealloc import PageAllocator, ZoneInfo, check_args
from linuxmm.records import Implementation

PAGE_SHIFT = 12
PAGE_SIZE = 1 << PAGE_SHIFT
STRUCT_PAGE_SIZE = 64  # [S] 56 bytes in many 2.6 x86_64 configs
pageblock_order = 9  # x86_64 with hugetlb: HUGETLB_PAGE_ORDER
pageblock_nr_pages = 1 << pageblock_order
SWAP_CLUSTER_MAX = 32
#: In ``Buddy26._pstate``: the frame is the head of a block this allocator handed out (low bits:
#: its order); the block's own reference is implied by this mark (see ImpliedCounts).
ALLOCATED = 0x80
#: In ``Buddy26._pstate``: the head of what is left of a block after a free with a smaller order
#: (low bits: its order): allocated for good, with the count of 0 its pages had (leaked).
LEAKED = 0x40
#: Every state byte that is not an ALLOCATED or LEAKED mark (deleted to count the blocks handed out).
_NOT_A_HEAD = bytes(v for v in range(256) if not (ALLOCATED <= v <= ALLOCATED | 0x3F or LEAKED <= v <= LEAKED | 0x3F))
#: Room for the per-CPU lists (PerCpuPages.room): the "count now" mark, then more tokens than
#: any pcp->high.  The mark is the first element, so it is the last one a free takes.
_ROOM = [True] + [None] * 65536

_GFP_DMA = 0x01
_GFP_HIGHMEM = 0x02
_GFP_DMA32 = 0x04
_GFP_MOVABLE = 0x08
_GFP_WAIT = 0x10
_GFP_HIGH = 0x20
_GFP_COLD = 0x100
_GFP_NOWARN = 0x200
_GFP_ZERO = 0x8000
_GFP_RECLAIMABLE = 0x80000

ALLOC_WMARK_MIN = 0
ALLOC_WMARK_LOW = 1
ALLOC_WMARK_HIGH = 2
ALLOC_HARDER = 0x10
ALLOC_HIGH = 0x20

#: For check(): maps a frame's flags byte to 1 when PG_buddy is set, else 0.
_PG_BUDDY_ONLY = bytes(1 if b & PG_buddy else 0 for b in range(256))

#: The simulated task's name in messages that print ``current->comm``.
COMM = "linuxmm"

#: Physical layout (pfns); see the module docstring.
BIOS_PAGE = (0, 1)
ISA_HOLE = (160, 256)
KERNEL_IMAGE = (512, 2048)
MAX_DMA_PFN = (16 << 20) >> PAGE_SHIFT
MAX_DMA32_PFN = (4 << 30) >> PAGE_SHIFT


def int_sqrt(x: int) -> int:
    return isqrt(x)


def fls(x: int) -> int:
    return x.bit_length()


class Zone:
    """``struct zone``: free areas, counters, watermarks (one node, node 0)."""

    __slots__ = ("idx", "name", "start_pfn", "end_pfn", "spanned", "absent", "present_pages", "managed",
                 "free_pages", "nr_free", "free_area", "watermark", "lowmem_reserve", "batch", "high",
                 "cold", "nr_reserved_highatomic", "fast_mark", "fast_ok")

    def __init__(self, idx: int, name: str, start: int, end: int, nr_orders: int, nr_mt: int):
        self.idx = idx
        self.name = name
        self.start_pfn = start
        self.end_pfn = max(start, end)
        self.spanned = self.end_pfn - start
        self.absent = 0
        self.present_pages = 0
        self.managed = 0
        self.free_pages = 0  # NR_FREE_PAGES: buddy pages only
        self.nr_free = [0] * nr_orders
        self.free_area = [[FreeList() for _ in range(nr_mt)] for _ in range(nr_orders)]
        self.watermark = [0, 0, 0]  # pages_min/low/high, watermark[] from 418589663d60
        self.lowmem_reserve: list[int] = []
        self.batch = 0
        self.high = 0
        self.nr_reserved_highatomic = 0
        # The fast path serves an order-0 request from this zone only while free_pages is above
        # fast_mark (its low watermark check); fast_ok caches that, kept where free_pages changes.
        self.fast_mark = 1 << 62
        self.fast_ok = False

    @property
    def populated(self) -> bool:
        return self.present_pages != 0


class PerCpuPages:
    """``struct per_cpu_pages``: one or more lists of pfns; the head is the END of each list.

    ``room`` is what the fast free path checks instead of counting the lists:
    one token (a ``None``) per free that certainly leaves ``count`` below
    ``high``, after a mark (``True``) that means "count the lists".  A free
    takes the last element; on the mark, :meth:`Buddy26._pcp_settle` drains a
    batch at ``high`` and puts the mark and the tokens back.  The tokens are a lower bound on the headroom, never the
    count itself: allocations only raise the true headroom, and every slow
    path that adds pages to the lists takes all tokens away
    (:meth:`Buddy26._pcp_grew` leaves only the mark).
    """

    __slots__ = ("high", "batch", "lists", "room")

    def __init__(self, high: int, batch: int, nlists: int):
        self.high = high
        self.batch = batch
        self.lists = [[] for _ in range(nlists)]
        self.room = _ROOM[:1]

    @property
    def count(self) -> int:
        """``pcp->count``: the pages on this set's lists (derived, never stored twice)."""
        return sum(map(len, self.lists))


class PerCpu:
    """A per-CPU table whose rows are built the first time a CPU uses them.

    ``table[cpu]`` builds and keeps CPU ``cpu``'s row; ``len(table)`` is the
    number of CPUs; :meth:`built` yields ``(cpu, row)`` for the rows that
    exist.  A machine of 1024 CPUs on which a workload runs on one builds one
    row: a CPU that never ran has empty per-CPU lists, which is what its row
    would hold.
    """

    __slots__ = ("n", "make", "rows")

    def __init__(self, n: int, make):
        self.n = n
        self.make = make
        self.rows: dict[int, object] = {}

    def __getitem__(self, cpu: int):
        row = self.rows.get(cpu)
        if row is None:
            if not 0 <= cpu < self.n:
                raise IndexError(f"cpu {cpu} out of range (0..{self.n - 1})")
            row = self.rows[cpu] = self.make(cpu)
        return row

    def __len__(self) -> int:
        return self.n

    def __iter__(self):
        return (self[cpu] for cpu in range(self.n))

    def built(self):
        """``(cpu, row)`` for every row built so far, in CPU order."""
        return sorted(self.rows.items())

    def clear(self) -> None:
        self.rows.clear()


class Buddy26(PageAllocator):
    """mm/page_alloc.c, 2.6.0 .. 6.18, x86_64 (see the module docstring)."""

    max_order = 10
    default_mem = 256 << 20

    # -- boot ---------------------------------------------------------------
    def __init__(self, kernel):
        super().__init__(kernel)
        has = kernel.has
        # x86_64 direct map base by era (docs/sources.md).
        if has("d52888aa2753"):
            self.page_offset = 0xFFFF888000000000
        elif has("v2.6.27"):
            self.page_offset = 0xFFFF880000000000
        else:
            self.page_offset = 0xFFFF810000000000
        # Era flags, computed once.
        self.has_dma32 = has("a2f1b4249007")
        self.has_mt = has("b2a0ac8875a0")
        self.has_reclaimable = has("e12ba74d8ff3")
        self.mt_reorder = has("0aaa29a56e4f")  # U, M, R, HighAtomic, ... and no MIGRATE_RESERVE
        self.hot_cold = not has("3dfa5721f12c")
        self.pcp_per_mt = has("5f8dcc21211a")
        self.wmark_array = has("418589663d60")
        self.wsf = has("795ae7a0de6b")
        self.tail_merge = has("6dda9d55bf54")
        self.boot_to_tail = has("v5.10")  # FPI_TO_TAIL, 7fef431be9c9 [S]
        self.move_to_tail = has("v5.10")  # move_to_free_list uses list_move_tail [S]
        self.managed_sizing = has("v3.8")  # zone->managed_pages [S]
        self.new_batch = has("v5.14")  # 1 MB cap, zone_highsize [S]
        self.cold_flag = not has("v4.15")  # __GFP_COLD removed [S]
        self.reserve_limit2 = has("v2.6.32")  # at most 2 MIGRATE_RESERVE blocks [S]
        self.warn_max_order = has("b3c466ce5129")  # WARN_ON_ONCE in the slow path (2.6.31)
        self.leak_bad_pages = has("v2.6.29")  # check_new_page: bad page is not used [S]
        self.bad_page_v2 = has("v2.6.29")  # "BUG: Bad page state" format [S]
        self.check_all_new = has("v2.6.29")  # check every page of a new block [S]
        self.wmark_order0_only = has("0aaa29a56e4f")  # 97a16fc82a7c, same series [S]
        self.find_smallest = has("v4.13")  # __rmqueue_fallback find_smallest path [S]
        self.private_mt_drain = not has("v6.9")  # pcp drain uses cached migratetype [S]
        self.init_on = has("6471384af2a6")
        self.min_free_max = 262144 if has("v5.7") else 65536  # [V 4.4: 65536, 6.x: 262144; S release]
        # d0164adc89f6 (v4.4): ALLOC_HARDER comes from __GFP_ATOMIC, which only GFP_ATOMIC
        # (__GFP_HIGH without __GFP_WAIT in the model's 2.6 gfp values) carries [V 4.4, 6.x]
        self.harder_needs_high = has("v4.4")
        self.show_mt_letters = has("v3.5")  # show_migration_types, 377e4f167664 [S release]
        self.pcp_single_pass = has("v5.18")  # free_pcppages_bulk drains one list at a time [S release]
        self.has_bulk = has("387ba26fb1cb")  # __alloc_pages_bulk (alloc_pages_bulk)
        self._era_orders(has)
        self._init_migratetypes()
        self._check_cpus(has)
        self._setup_reports(has)  # the failure report and the max-order WARNING of this era

        # fault injection (933e312e73f8): the boot parameters' __setup handlers have run (parse_args
        # precedes mm_init); with CONFIG_FAIL_PAGE_ALLOC every allocation takes the slow path
        self.fail_page_alloc = fault_inject.boot(kernel)  # should_fail_alloc_page, or None
        cmd = kernel.cmdline
        cfg = kernel.config
        self.init_on_alloc = bool(self.init_on and cmd.get("init_on_alloc", bool(cfg.get("INIT_ON_ALLOC_DEFAULT_ON"))))
        self.init_on_free = bool(self.init_on and cmd.get("init_on_free", bool(cfg.get("INIT_ON_FREE_DEFAULT_ON"))))

        size = self.requested_mem()
        if size < (16 << 20):
            raise LinuxmmError(f"mem={size >> 10}K is too small for the x86_64 layout of this model (at least 16M)")
        self.setup(size)
        self.counters.declare("bad_pages", "refused_frees", "leaked_pages")
        nr = self.nr_pages
        self._base = self.page_offset
        self._nr = nr
        frames = self.frames
        self._count = frames.count
        self._flags = frames.flags
        self._order = frames.order
        # One byte per frame for three disjoint states (a frame is in at most one): the
        # migratetype cached in page_private while on a per-CPU list (_pmt), the free_list[mt]
        # a buddy head is on (_flmt), and, with ALLOCATED set, the order of an allocated
        # block's head (model bookkeeping: which blocks this allocator handed out).
        self._pstate = self._pmt = self._flmt = bytearray(nr)
        # page_count() of an allocated head is its raw count plus the reference its ALLOCATED
        # mark implies: the fast paths then write one byte per call (the mark), not two
        frames.count = ImpliedCounts(self._count, self._pstate, ALLOCATED, self._counts_written)
        self._room_owner: dict[int, tuple] = {}  # id(pcp.room) -> (zone, pcp), for _pcp_settle
        self._check_new = False
        self.nr_bad = 0
        self._warned_order = False

        self._setup_zones(nr)
        self._reserve_boot_memory(nr)
        self._free_all_bootmem(nr)
        self._setup_watermarks()
        total = sum(z.managed for z in self.zones)
        # build_all_zonelists: grouping by mobility is off on tiny machines
        self.mobility_disabled = self.has_mt and total < pageblock_nr_pages * self.nr_mt
        if self.has_mt and not self.mt_reorder and self.MIGRATE_RESERVE >= 0:  # not at b2a0ac8875a0 alone
            self._setup_zone_migrate_reserve()
        self._setup_pagesets(kernel.nr_cpus)
        self._build_fast_tables()
        self._cpu = 0
        self.switch_cpu(0)
        self._boot_messages()

    def _check_cpus(self, has) -> None:
        """x86_64 ``NR_CPUS`` as each era's Kconfig allowed it.

        ``range 2 256`` until 2.6.15 [V: 2.6.15 arch/x86_64/Kconfig]; ``range 2 255``
        from Andi Kleen's "Limit max number of CPUs to 255" (posted for 2.6.16-rc5, in
        the 2.6.20-rc Kconfig [S: release from the posting date]); from 2.6.26 MAXSMP
        lets a kernel have 4096 (8192 in later trees) [S], more than the model
        simulates (:data:`linuxmm.config.MAX_CPUS`).
        """
        from linuxmm.config import check_era_cpus

        if has("v2.6.26"):
            return
        limit = 255 if has("v2.6.16") else 256
        check_era_cpus(self.kernel.nr_cpus, limit, self.kernel.version,
                       f"NR_CPUS: range 2 {limit} in the era's arch/x86_64/Kconfig")

    def _era_orders(self, has) -> None:
        """The MAX_ORDER family of constants by name, and the loop bounds each era wrote."""
        if has("5e0a760b4441"):
            self.MAX_PAGE_ORDER = 10
            self.NR_PAGE_ORDERS = self.MAX_PAGE_ORDER + 1  # fd37721803c6
            self.nr_orders = self.NR_PAGE_ORDERS  # for (order = 0; order < NR_PAGE_ORDERS; ...)
            self.merge_limit = self.MAX_PAGE_ORDER  # while (order < MAX_PAGE_ORDER)
            self.order_limit = self.MAX_PAGE_ORDER  # order > MAX_PAGE_ORDER -> NULL
        elif has("23baf831a32c"):
            self.MAX_ORDER = 10  # inclusive
            self.nr_orders = self.MAX_ORDER + 1  # for (order = 0; order <= MAX_ORDER; ...)
            self.merge_limit = self.MAX_ORDER  # while (order < MAX_ORDER)
            self.order_limit = self.MAX_ORDER  # order > MAX_ORDER -> NULL
        else:
            self.MAX_ORDER = 11  # exclusive
            self.nr_orders = self.MAX_ORDER  # for (order = 0; order < MAX_ORDER; ...)
            self.merge_limit = self.MAX_ORDER - 1  # while (order < MAX_ORDER-1)
            self.order_limit = self.MAX_ORDER - 1  # order >= MAX_ORDER -> NULL

    def _init_migratetypes(self) -> None:
        if not self.has_mt:
            self.migratetype_names = ("",)
            self.MIGRATE_UNMOVABLE = self.MIGRATE_MOVABLE = self.MIGRATE_RECLAIMABLE = 0
            self.MIGRATE_PCPTYPES = 1
            self.fallbacks = ((),)
            self.MIGRATE_RESERVE = self.MIGRATE_HIGHATOMIC = -1
        elif self.mt_reorder:
            # 4.4 enum: UNMOVABLE, MOVABLE, RECLAIMABLE, PCPTYPES = HIGHATOMIC, (CMA off), ISOLATE
            self.migratetype_names = ("Unmovable", "Movable", "Reclaimable", "HighAtomic", "Isolate")
            self.MIGRATE_UNMOVABLE, self.MIGRATE_MOVABLE, self.MIGRATE_RECLAIMABLE = 0, 1, 2
            self.MIGRATE_PCPTYPES = 3
            self.MIGRATE_HIGHATOMIC = 3
            self.MIGRATE_RESERVE = -1
            self.fallbacks = ((2, 1), (2, 0), (0, 1))
        elif self.has_reclaimable:
            self.migratetype_names = ("Unmovable", "Reclaimable", "Movable", "Reserve", "Isolate")
            self.MIGRATE_UNMOVABLE, self.MIGRATE_RECLAIMABLE, self.MIGRATE_MOVABLE = 0, 1, 2
            self.MIGRATE_PCPTYPES = 3
            self.MIGRATE_RESERVE = 3
            self.MIGRATE_HIGHATOMIC = -1
            self.fallbacks = ((1, 2), (0, 2), (1, 0))  # RESERVE is tried last, after the loop
        else:  # b2a0ac8875a0 alone
            self.migratetype_names = ("Unmovable", "Movable")
            self.MIGRATE_UNMOVABLE, self.MIGRATE_MOVABLE = 0, 1
            self.MIGRATE_RECLAIMABLE = 0
            self.MIGRATE_PCPTYPES = 2
            self.MIGRATE_RESERVE = self.MIGRATE_HIGHATOMIC = -1
            self.fallbacks = ((1,), (0,))
        self.nr_mt = len(self.migratetype_names)

    def _setup_zones(self, nr: int) -> None:
        no, nm = self.nr_orders, self.nr_mt
        if self.has_dma32:
            spans = (("DMA", 0, min(nr, MAX_DMA_PFN)), ("DMA32", MAX_DMA_PFN, min(nr, MAX_DMA32_PFN)),
                     ("Normal", MAX_DMA32_PFN, nr))
        else:
            spans = (("DMA", 0, min(nr, MAX_DMA_PFN)), ("Normal", MAX_DMA_PFN, nr))
        self.zones = [Zone(i, name, s, e, no, nm) for i, (name, s, e) in enumerate(spans)]
        self.zone_names = tuple(z.name for z in self.zones)
        # zone index and pageblock migratetype of every pageblock: key = zone << 3 | mt
        nblocks = (nr + pageblock_nr_pages - 1) >> pageblock_order
        self.pbkey = bytearray(nblocks)
        movable = self.MIGRATE_MOVABLE if self.has_mt else 0
        for z in self.zones:
            if z.spanned:
                b0, b1 = z.start_pfn >> pageblock_order, (z.end_pfn + pageblock_nr_pages - 1) >> pageblock_order
                self.pbkey[b0:b1] = bytes([(z.idx << 3) | movable]) * (b1 - b0)
        self._pbk = list(self.pbkey)  # the same keys where the fast free path reads them (a list index)

    def _reserve_boot_memory(self, nr: int) -> None:
        memmap_pages = (nr * STRUCT_PAGE_SIZE + PAGE_SIZE - 1) >> PAGE_SHIFT
        mm_start = MAX_DMA_PFN if nr >= 2 * MAX_DMA_PFN else KERNEL_IMAGE[1]
        self.memmap_range = (mm_start, mm_start + memmap_pages)
        self.reserved_ranges = (BIOS_PAGE, ISA_HOLE, KERNEL_IMAGE, self.memmap_range)
        flags, count = self._flags, self._count
        for a, b in self.reserved_ranges:
            flags[a:b] = bytes([PG_reserved]) * (b - a)
            count[a:b] = array("i", [1]) * (b - a)  # init_page_count
        self.nr_reserved_boot = sum(b - a for a, b in self.reserved_ranges)
        self.memmap_vaddr = self.page_offset + (mm_start << PAGE_SHIFT)
        for z in self.zones:
            lo, hi = max(z.start_pfn, ISA_HOLE[0]), min(z.end_pfn, ISA_HOLE[1])
            z.absent = max(0, hi - lo)
            realsize = z.spanned - z.absent
            # free_area_init_core: memmap pages are charged to each zone by its size (2.6.20 [V])
            mm = (z.spanned * STRUCT_PAGE_SIZE) >> PAGE_SHIFT
            z.managed = realsize - mm if realsize >= mm else realsize
            # before managed_pages, present_pages itself had the memmap taken out (2.6.20 [V])
            z.present_pages = realsize if self.managed_sizing else z.managed

    def _free_all_bootmem(self, nr: int) -> None:
        """Free every non-reserved page: ascending pfn, max-order-aligned blocks."""
        edges = sorted(self.reserved_ranges)
        free_ranges = []
        pos = 0
        for a, b in edges:
            if a > pos:
                free_ranges.append((pos, min(a, nr)))
            pos = max(pos, b)
        if pos < nr:
            free_ranges.append((pos, nr))
        top = self.merge_limit  # the highest order a block may have
        freed = [0] * len(self.zones)
        fo = self.__free_one_page
        for s, e in free_ranges:
            for z in self.zones:  # never hand a block across a zone boundary
                zs, ze = max(s, z.start_pfn), min(e, z.end_pfn)
                start = zs
                while start < ze:
                    order = min(top, (start & -start).bit_length() - 1) if start else top
                    while start + (1 << order) > ze:
                        order -= 1
                    fo(z, start, order, self._pb_mt(start), self.boot_to_tail)
                    start += 1 << order
                freed[z.idx] += max(0, ze - zs)
        if self.managed_sizing:
            for z in self.zones:
                z.managed = freed[z.idx]

    def _pb_mt(self, pfn: int) -> int:
        return self.pbkey[pfn >> pageblock_order] & 7

    def _setup_watermarks(self) -> None:
        zones = self.zones
        # nr_free_buffer_pages(): GFP_USER's zonelist, size - pages_high (still 0 here)
        lowmem_pages = sum(z.managed for z in zones)
        lowmem_kbytes = lowmem_pages * (PAGE_SIZE >> 10)
        mfk = int_sqrt(lowmem_kbytes * 16)
        self.min_free_kbytes = min(max(mfk, 128), self.min_free_max)
        pages_min = self.min_free_kbytes >> (PAGE_SHIFT - 10)
        for z in zones:
            tmp = pages_min * z.managed // lowmem_pages if lowmem_pages else 0
            z.watermark[0] = tmp
            if self.wsf:  # 795ae7a0de6b: watermark_scale_factor 10
                d = max(tmp >> 2, z.managed * 10 // 10000)
                z.watermark[1] = tmp + d
                z.watermark[2] = tmp + 2 * d
            else:
                z.watermark[1] = tmp + (tmp >> 2)
                z.watermark[2] = tmp + (tmp >> 1)
        # setup_per_zone_lowmem_reserve: ratio 256 for DMA and DMA32
        n = len(zones)
        for z in zones:
            z.lowmem_reserve = [0] * n
        for j in range(n):
            pages = zones[j].managed
            idx = j
            while idx:
                idx -= 1
                zones[idx].lowmem_reserve[j] = pages // 256
                pages += zones[idx].managed
        self.totalreserve_pages = sum(min(max(z.lowmem_reserve) + z.watermark[2], z.managed) for z in zones)

    def _setup_zone_migrate_reserve(self) -> None:
        """Mark the first free pageblocks of each zone MIGRATE_RESERVE (2.6.24..4.3)."""
        R = self.MIGRATE_RESERVE
        for z in self.zones:
            if not z.populated:
                continue
            reserve = (z.watermark[0] + pageblock_nr_pages - 1) >> pageblock_order
            if self.reserve_limit2:
                reserve = min(2, reserve)
            pfn = z.start_pfn
            while reserve > 0 and pfn < z.end_pfn:
                if not self._flags[pfn] & PG_reserved and self._pb_mt(pfn) == self.MIGRATE_MOVABLE:
                    self.set_pageblock_migratetype(pfn, R)
                    self.move_freepages_block(z, pfn, R)
                    reserve -= 1
                pfn += pageblock_nr_pages

    def zone_batchsize(self, zone: Zone) -> int:
        if self.new_batch:
            batch = min(zone.managed >> 10, (1 << 20) // PAGE_SIZE)
        else:
            batch = zone.managed // 1024
            if batch * PAGE_SIZE > 512 * 1024:
                batch = (512 * 1024) // PAGE_SIZE
        batch //= 4
        if batch < 1:
            batch = 1
        return (1 << (fls(batch + batch // 2) - 1)) - 1

    def _setup_pagesets(self, ncpus: int) -> None:
        """Per-zone batch and high (shared by every CPU); each CPU's lists when it first runs."""
        for z in self.zones:
            b = self.zone_batchsize(z)
            if self.new_batch:
                z.batch = max(1, b)
                z.high = max(z.watermark[1] // ncpus, b << 2)
            else:
                z.batch = max(1, b)
                z.high = 6 * b
            z.cold = (2 * b, max(1, b // 2))
        self.pcp = PerCpu(ncpus, self._make_pagesets)  # pcp[cpu][zone] -> [hot, cold] or [pcp]

    def _make_pagesets(self, cpu: int) -> list:
        nlists = self.MIGRATE_PCPTYPES if self.pcp_per_mt else 1
        row = []
        for z in self.zones:
            sets = [PerCpuPages(z.high, z.batch, nlists)]
            if self.hot_cold:
                sets.append(PerCpuPages(z.cold[0], z.cold[1], 1))
            row.append(sets)
        return row

    def _gfp_zone(self, key: int) -> int:
        if key & _GFP_DMA:
            return 0
        if key & _GFP_DMA32 and self.has_dma32:
            return 1
        return len(self.zones) - 1

    def gfpflags_to_migratetype(self, gfp: int) -> int:
        if not self.has_mt or self.mobility_disabled:
            return 0
        mov = 1 if gfp & _GFP_MOVABLE else 0
        rec = 1 if gfp & _GFP_RECLAIMABLE and self.has_reclaimable else 0
        if self.mt_reorder:
            return mov | (rec << 1)  # (gfp & GFP_MOVABLE_MASK) >> GFP_MOVABLE_SHIFT
        if not self.has_reclaimable:
            return mov
        return (mov << 1) | rec  # allocflags_to_migratetype (2.6.24)

    def _build_fast_tables(self) -> None:
        """What the hot path looks up, indexed by the gfp zone/mobility bits and by pageblock.

        Shared by every CPU: the zonelists, the gfp bits that always take the
        slow path, and ``_pbk``, each pageblock's zone and type as a list
        (``pbkey`` kept where a list index is cheapest; set_pageblock_migratetype
        updates both).  Per CPU, built when the CPU first runs: the allocation
        and free tables and the fast-path closures (:meth:`_make_fast_paths`).
        """
        self.zonelists = []
        never = Zone(-1, "", 0, 0, 1, 1)
        self._never = (never, 1 << 62, []) + ((0,) if self.has_mt and not self.pcp_per_mt else ())
        for key in range(32):
            top = self._gfp_zone(key)
            self.zonelists.append([z for z in reversed(self.zones[:top + 1]) if z.populated])
        slow = _GFP_ZERO
        if self.has_reclaimable:
            slow |= _GFP_RECLAIMABLE  # the fast tables are indexed by the four zone bits only
        if self.cold_flag:
            slow |= _GFP_COLD
        if self.init_on_alloc and not self.init_on_free or self.kasan is not None:
            slow = -1
        self._slow_gfp = slow
        self._mt_search = self.has_mt and not self.pcp_per_mt
        self._reset_cpu_tables()

    def _reset_cpu_tables(self) -> None:
        """Forget every CPU's tables and closures; each is rebuilt when its CPU next runs."""
        for z in self.zones:
            # zone_watermark_ok at order 0 for the zone's own class: the low mark, its lowmem
            # reserve for itself, and (4.4+) the high-atomic reserve, which does not count as free
            z.fast_mark = z.watermark[ALLOC_WMARK_LOW] + z.lowmem_reserve[z.idx] + z.nr_reserved_highatomic
            z.fast_ok = z.free_pages > z.fast_mark
        n = len(self.pcp)
        self._alloctabs = PerCpu(n, self._make_alloctab)
        self._freetabs = PerCpu(n, self._make_freetab)
        self._fastgfp = PerCpu(n, lambda cpu: {})
        self._fast_paths = PerCpu(n, self._make_fast_paths)

    def _make_alloctab(self, cpu: int) -> tuple:
        """``atab[gfp & 15]``: (zone, its low mark, this CPU's list[, migratetype]) or the never entry."""
        atab = []
        mtsearch = self._mt_search
        row = self.pcp[cpu]
        for key in range(32):
            gfp = (key & 15) | ((key & 16) << 15)
            zl = self.zonelists[key]
            mt = self.gfpflags_to_migratetype(gfp)
            if not zl or mt >= self.MIGRATE_PCPTYPES:
                atab.append(self._never)  # always takes the slow path
                continue
            z = zl[0]
            pcp = row[z.idx][0]
            lst = pcp.lists[mt if self.pcp_per_mt else 0]
            atab.append((z, z.fast_mark, lst, mt) if mtsearch else (z, z.fast_mark, lst))
        return tuple(atab)

    def _make_freetab(self, cpu: int) -> tuple:
        """``ftab[zone << 3 | mt]``: (list, room, migratetype); None: the slow path decides."""
        ftab = [None] * 256
        if not self.init_on_free and self.kasan is None:  # KASAN poisons every page freed: slow path
            row = self.pcp[cpu]
            for z in self.zones:
                pcp = row[z.idx][0]
                for mt in range(self.nr_mt):
                    if self.pcp_per_mt:
                        if mt >= self.MIGRATE_PCPTYPES:
                            continue  # Reserve/HighAtomic/Isolate: slow path decides
                        lst = pcp.lists[mt]
                    else:
                        lst = pcp.lists[0]
                    self._room_owner[id(pcp.room)] = (z, pcp)
                    ftab[(z.idx << 3) | mt] = (lst, pcp.room, mt)
        return tuple(ftab)

    def _learn_gfp(self, gfp_mask: int) -> int:
        """An order-0 request the fast path did not serve: remember the mask, serve it slowly.

        The fast path keys its per-CPU entries by the mask's value and accepts
        an entry only for the very ``int`` object it was stored with (``key is
        gfp_mask``): a float or a bool equal to a known mask, or any other
        type, never passes, and comes here to be checked.  An ``int`` is
        (re)stored with this object as the key, so the next call that passes
        it is fast.  At most 256 masks are kept per CPU.
        """
        if type(gfp_mask) is int and 0 <= gfp_mask <= 0xFFFFFFFF:
            table = self._fastgfp[self._cpu]
            if gfp_mask in table or len(table) < 256:
                ent = self._never
                if not gfp_mask & self._slow_gfp:
                    ent = self._alloctabs[self._cpu][gfp_mask & 15]
                    if not ent[0].fast_ok:
                        ent = self._never  # below the low watermark: the slow path decides
                table[gfp_mask] = (gfp_mask,) + ent[2:]  # (key, list[, migratetype])
        return self._alloc_pages_slow(gfp_mask, 0)

    def _fast_zone_low(self, zone: Zone) -> None:
        """``zone`` fell to its low watermark: every CPU's fast path stops serving it."""
        zone.fast_ok = False
        for cpu, table in self._fastgfp.built():
            atab = self._alloctabs[cpu]
            for gfp in [g for g in table if atab[g & 15][0] is zone]:
                del table[gfp]

    # -- KASAN: kasan_alloc_pages / kasan_free_pages (0b24becc810d) -----------------------------
    kasan = None

    def kasan_init(self, kasan) -> None:
        """Attach KASAN at boot: every free page is poisoned, as freeing boot memory poisoned it,
        and from now on every allocation and free takes the slow path, where pages are
        unpoisoned on allocation and poisoned with KASAN_PAGE_FREE on free."""
        self.kasan = kasan
        base = self._base
        for z in self.zones:
            for order, lists in enumerate(z.free_area):
                for fl in lists:
                    for pfn in fl:
                        kasan.kasan_free_pages(base + (pfn << PAGE_SHIFT), order)
        for _, per_zone in self.pcp.built():  # a CPU that never ran has nothing on its lists
            for sets in per_zone:
                for pcp in sets:
                    for lst in pcp.lists:
                        for pfn in lst:
                            kasan.kasan_free_pages(base + (pfn << PAGE_SHIFT), 0)
        self._build_fast_tables()
        self.switch_cpu(self._cpu)

    def _boot_messages(self) -> None:
        printk = self.kernel.dmesg.printk
        if not self.managed_sizing:  # free_area_init_core / zone_pcp_init, KERN_DEBUG [V 2.6.20]
            for z in self.zones:
                mm = (z.spanned * STRUCT_PAGE_SIZE) >> PAGE_SHIFT
                if z.spanned:
                    printk(f"  {z.name} zone: {mm} pages used for memmap")
                if z.present_pages:
                    printk(f"  {z.name} zone: {z.managed} pages, LIFO batch:{self.zone_batchsize(z)}")
        if self.init_on:  # report_meminit() [S for the exact text]
            on = lambda b: "on" if b else "off"  # noqa: E731
            self.mem_init_printk(f"mem auto-init: stack:off, heap alloc:{on(self.init_on_alloc)}, "
                                 f"heap free:{on(self.init_on_free)}")

    def switch_cpu(self, cpu: int) -> None:
        """Make ``cpu`` current: its per-CPU tables and its own fast-path functions."""
        self._cpu = cpu
        self.alloc_pages, self.free_pages, self.alloc_pages_bulk, self.free_pages_each = self._fast_paths[cpu]
        if self.fail_page_alloc is not None:  # should_fail_alloc_page, then the slow path
            self.alloc_pages = self._alloc_pages_failing
        elif self._slow_gfp == -1:  # every allocation is zeroed or annotated: a mask of 0 too
            self.alloc_pages = self._alloc_pages_every

    # -- the hot path ----------------------------------------------------------
    def _make_fast_paths(self, cpu: int):
        """Build ``alloc_pages`` and ``free_pages`` for one CPU.

        Each is a closure over that CPU's tables and the frame arrays, so the
        common case -- order 0, the first zone above its low watermark, a page
        on (or room on) this CPU's list -- reads only local cells: it is
        ``buffered_rmqueue``'s and ``free_hot_cold_page``'s per-CPU branch
        written out inline.  Everything else goes to the slow paths, which
        model the kernel step by step.  2.6.24-2.6.31 keep one per-CPU list
        of mixed migratetypes, so there the head page must also be of the
        requested type (``mtsearch``).

        Arguments of the wrong type never pass: an order that is not the int
        0 (``0.0``, ``False``, ``None``) fails ``order is not 0``; a mask is
        looked up by its value in a per-CPU dict that the slow path fills
        (:meth:`_learn_gfp`), and its entry is used only for the very ``int``
        object stored with it, so a float or a bool equal to a known mask goes
        to the slow path, which checks it (:func:`linuxmm.pagealloc.check_args`);
        an address that is not an int fails the arithmetic inside a ``try``.
        An entry serves pages only while its zone is above the low watermark,
        which stands for ``zone_watermark_ok`` at order 0: :meth:`_fast_zone_low`
        drops the zone's entries, and a mask learnt meanwhile, or one the slow
        path must see (``_slow_gfp``), gets an always-empty list.  ``pcp->high`` is checked through the list's room tokens (see
        :class:`PerCpuPages`).  ``_pstate`` holds, in one byte, what the pcp
        path reads and writes: an allocated head's order (:data:`ALLOCATED`
        set; the block's own reference, see ImpliedCounts) or the migratetype
        of a free page, so one store does both.  The raw count of a page taken
        from a per-CPU list is taken to be 0, and that of a block freed to be
        nothing besides its mark, until a count goes below zero or is written
        from outside (``_check_new``): from then on both paths check it, as
        prep_new_page and put_page_testzero do.
        """
        fast = self._fastgfp[cpu]
        self._alloctabs[cpu]  # noqa: B018 -- built now, read by _learn_gfp
        ftab = self._freetabs[cpu]
        pbk = self._pbk
        count, state = self._count, self._pstate
        base = self._base
        alloc_slow, free_slow = self._alloc_pages_slow, self._free_pages_slow
        learn, settle = self._learn_gfp, self._pcp_settle
        ZERO = 0
        checked = self._check_new  # a raw count may be nonzero: check it on both paths

        if checked:
            # after a free of a free page, or a count written from outside: prep_new_page's
            # count check on every allocation
            mtsearch = self._mt_search

            def alloc_pages(gfp_mask: int, order: int = 0) -> int:
                """``alloc_pages(gfp, order)``: the block's address, or 0."""
                if order is not ZERO:
                    return alloc_slow(gfp_mask, order)
                try:
                    ent = fast[gfp_mask]  # only while the zone is above its low watermark
                    if ent[0] is not gfp_mask:
                        return learn(gfp_mask)
                    lst = ent[1]
                    pfn = lst[-1]  # the list's head
                except (KeyError, IndexError):  # a mask not seen yet, or an empty list
                    return learn(gfp_mask)
                if count[pfn] or (mtsearch and state[pfn] != ent[2]):  # a count of its own, or another type
                    return learn(gfp_mask)
                lst.pop()
                state[pfn] = 0x80  # ALLOCATED: an allocated order-0 block
                return base + pfn * 4096
        elif self._mt_search:
            def alloc_pages(gfp_mask: int, order: int = 0) -> int:
                """``alloc_pages(gfp, order)``: the block's address, or 0."""
                if order is not ZERO:
                    return alloc_slow(gfp_mask, order)
                try:
                    key, lst, mt = fast[gfp_mask]  # only while the zone is above its low watermark
                    if key is not gfp_mask:
                        return learn(gfp_mask)
                    pfn = lst.pop()  # the list's head
                except (KeyError, IndexError):  # a mask not seen yet, or an empty list
                    return learn(gfp_mask)
                if state[pfn] != mt:  # another type first: the slow path searches the list
                    lst.append(pfn)
                    return learn(gfp_mask)
                state[pfn] = 0x80  # ALLOCATED: an allocated order-0 block
                return base + pfn * 4096
        else:
            def alloc_pages(gfp_mask: int, order: int = 0) -> int:
                """``alloc_pages(gfp, order)``: the block's address, or 0."""
                if order is not ZERO:
                    return alloc_slow(gfp_mask, order)
                try:
                    key, lst = fast[gfp_mask]  # only while the zone is above its low watermark
                    if key is not gfp_mask:
                        return learn(gfp_mask)
                    pfn = lst.pop()  # the list's head
                except (KeyError, IndexError):  # a mask not seen yet, or an empty list
                    return learn(gfp_mask)
                state[pfn] = 0x80  # ALLOCATED: an allocated order-0 block
                return base + pfn * 4096

        if checked:
            def free_pages(addr: int, order: int = 0) -> None:
                """``free_pages(addr, order)`` (``__free_pages`` on the page at ``addr``)."""
                if order is not ZERO:
                    return free_slow(addr, order)
                try:
                    pfn = (addr - base) >> 12
                    if state[pfn] != 0x80 or pfn < 0 or count[pfn]:  # not only its own reference
                        return free_slow(addr, 0)
                    lst, room, mt = ftab[pbk[pfn >> 9]]
                except (TypeError, IndexError):  # not an int, beyond the last frame, or no entry
                    return free_slow(addr, 0)
                state[pfn] = mt  # put_page_testzero drops the implied reference; set_page_private
                lst.append(pfn)  # list_add: the head
                if room.pop() is not None:  # the last token: count the lists, drain a batch at high
                    settle(room, mt)
        else:
            def free_pages(addr: int, order: int = 0) -> None:
                """``free_pages(addr, order)`` (``__free_pages`` on the page at ``addr``)."""
                if order is not ZERO:
                    return free_slow(addr, order)
                # only an order-0 block this allocator handed out, holding only the reference its
                # mark implies, is freed here; the slow path does put_page_testzero, the checks
                # and every other case
                try:
                    pfn = (addr - base) >> 12
                    if state[pfn] != 0x80 or pfn < 0:  # not an order-0 block handed out here
                        return free_slow(addr, 0)
                    # this CPU's list for the page's zone and pageblock type (None: the slow path decides)
                    lst, room, mt = ftab[pbk[pfn >> 9]]
                except (TypeError, IndexError):  # not an int, beyond the last frame, or no entry
                    return free_slow(addr, 0)
                state[pfn] = mt  # put_page_testzero drops the implied reference; set_page_private
                lst.append(pfn)  # list_add: the head
                if room.pop() is not None:  # the last token: count the lists, drain a batch at high
                    settle(room, mt)

        # -- the bulk allocator, __alloc_pages_bulk (387ba26fb1cb, v5.13-rc1), and vfree's loop --
        me = self
        atab = self._alloctabs[cpu]
        fail = self.fail_page_alloc
        slow_gfp = self._slow_gfp
        every_slow = slow_gfp == -1  # init_on_alloc or KASAN: each page is prepared on the slow path
        single = alloc_slow if every_slow else alloc_pages

        def alloc_pages_bulk(gfp_mask: int, nr_pages: int, pfns: list[int]) -> int:
            """``__alloc_pages_bulk(gfp, nid, NULL, nr_pages, NULL, page_array)``: up to
            ``nr_pages`` order-0 pages appended to ``pfns`` as frame numbers; returns how many.

            A model-internal call (vmalloc's is the one caller modelled, so it is not in
            ``kernel.provides()``); its caller checks the arguments.  As 387ba26fb1cb and
            the array form of 5.14 have it: one page is left to the single-page allocator
            (``alloc_pages``, fault injection included); otherwise ``prepare_alloc_pages``
            calls ``should_fail_alloc_page`` once for the whole request (an injected failure
            returns 0 pages; the caller falls back to single pages).  The zone must pass its
            order-0 watermark with ``nr_pages`` to spare (the model asks the preferred zone);
            if it does not, the single-page allocator gives one page (``failed:``).  Then the
            pages come off this CPU's list one after another, head first: the same pages, in
            the same order, as ``nr_pages`` calls of ``alloc_pages`` take.  Where the model
            needs its slow path for them (a mask that always takes it, ``init_on_alloc``,
            KASAN, a list shorter than the request, counts being checked) they are taken one
            by one through the single-page path without fault injection, which refills the
            list, zeroes, unpoisons and checks as ``prep_new_page`` does for each page of the
            kernel's bulk loop; it stops at the first page that cannot be had.
            """
            if nr_pages <= 0:
                return 0
            if nr_pages > 1 and fail is not None and fail(gfp_mask, 0):
                return 0  # prepare_alloc_pages failed: nothing populated
            ent = atab[gfp_mask & 15]
            zone = ent[0]
            if nr_pages == 1 or zone.free_pages <= zone.fast_mark + nr_pages:
                addr = me.alloc_pages(gfp_mask, 0)  # the single page allocator for one page
                if not addr:
                    return 0
                pfns.append((addr - base) >> 12)
                return 1
            lst = ent[2]
            if not every_slow and not gfp_mask & slow_gfp and not checked and len(lst) >= nr_pages:
                taken = lst[-nr_pages:]  # __rmqueue_pcplist nr_pages times: the head each time
                del lst[-nr_pages:]
                taken.reverse()
                for pfn in taken:
                    state[pfn] = 0x80  # ALLOCATED: an allocated order-0 block
                pfns += taken
                return nr_pages
            for got in range(nr_pages):
                addr = single(gfp_mask, 0)
                if not addr:
                    return got
                pfns.append((addr - base) >> 12)
            return nr_pages

        def free_pages_each(pfns: list[int]) -> None:
            """``__free_page`` on each page of ``pfns`` in turn, as vfree's loop does: the fast
            free above written out once for the whole list; from the first page it would not
            take, each page through ``free_pages`` (whose tables a slow path may rebuild)."""
            for pfn in pfns:
                if state[pfn] != 0x80 or checked and count[pfn]:
                    break
                try:
                    lst, room, mt = ftab[pbk[pfn >> 9]]
                except TypeError:  # no entry: the slow path decides
                    break
                state[pfn] = mt
                lst.append(pfn)
                if room.pop() is not None:
                    settle(room, mt)
            else:
                return
            for pfn in pfns[pfns.index(pfn):]:
                me.free_pages(base + (pfn << PAGE_SHIFT), 0)

        return alloc_pages, free_pages, alloc_pages_bulk, free_pages_each

    def _pcp_settle(self, room: list, mt: int) -> None:
        """After a free onto a per-CPU list: drain a batch if ``count >= high``, then measure the room left."""
        zone, pcp = self._room_owner[id(room)]
        count = pcp.count
        if count >= pcp.high:
            self.free_pcppages_bulk(zone, pcp.batch, pcp, mt)
            count = pcp.count
        pcp.room[:] = _ROOM[:max(0, pcp.high - 1 - count) + 1]

    def _counts_written(self) -> None:
        """A count was written from outside the allocator (``frames.count[pfn] = n``): the fast
        paths can no longer take a raw count of 0 for granted (see _new_page_seen_freed)."""
        self._new_page_seen_freed()

    def _new_page_seen_freed(self) -> None:
        """A free page was freed again (its count went below 0), or a count was written from
        outside: from now on every fast allocation checks the count of the page it takes, so
        prep_new_page sees it, and every fast free checks that the block holds no reference
        besides its own."""
        if not self._check_new:
            self._check_new = True
            self._reset_cpu_tables()
            # this allocator's fast paths, vmalloc's bound page calls and the kernel's API
            self.kernel.refresh()

    @staticmethod
    def _pcp_grew(pcp: PerCpuPages) -> None:
        """A slow path added pages to ``pcp``: the fast free path must count before trusting ``room``."""
        pcp.room[:] = _ROOM[:1]

    # -- kernel calls built on the two above (each checks its own arguments first) --
    def alloc_page(self, gfp_mask: int) -> int:
        check_args("alloc_page", gfp_mask=(gfp_mask, "gfp"))
        return self.alloc_pages(gfp_mask, 0)

    def get_free_pages_(self, gfp_mask: int, order: int = 0) -> int:
        """``__get_free_pages(gfp, order)``."""
        if type(gfp_mask) is not int or type(order) is not int or not 0 <= gfp_mask <= 0xFFFFFFFF:
            check_args("__get_free_pages", gfp_mask=(gfp_mask, "gfp"), order=(order, "order"))
        return self.alloc_pages(gfp_mask, order)

    def get_free_page_(self, gfp_mask: int) -> int:
        """``__get_free_page(gfp)``."""
        check_args("__get_free_page", gfp_mask=(gfp_mask, "gfp"))
        return self.alloc_pages(gfp_mask, 0)

    def get_zeroed_page(self, gfp_mask: int) -> int:
        check_args("get_zeroed_page", gfp_mask=(gfp_mask, "gfp"))
        return self.alloc_pages(gfp_mask | _GFP_ZERO, 0)

    def free_pages_(self, addr: int, order: int = 0) -> None:
        """``__free_pages(page, order)``; the model passes the page's address."""
        if type(addr) is not int or type(order) is not int:
            check_args("__free_pages", page=(addr, "addr"), order=(order, "order"))
        if addr == 0:
            self.kernel.bug("mm/page_alloc.c")  # virt_to_page(NULL) is no struct page
        self.free_pages(addr, order)

    def free_page(self, addr: int) -> None:
        check_args("free_page", addr=(addr, "addr"))
        self.free_pages(addr, 0)

    # -- slow paths --------------------------------------------------------------
    def _alloc_pages_slow(self, gfp_mask: int, order: int) -> int:
        if type(gfp_mask) is not int or type(order) is not int or not 0 <= gfp_mask <= 0xFFFFFFFF:
            check_args("alloc_pages", gfp_mask=(gfp_mask, "gfp"), order=(order, "order"))
        if order < 0 or order > self.order_limit:
            self._order_too_large(gfp_mask, order)
            return 0
        key = (gfp_mask & 15) | ((gfp_mask >> 15) & 16)
        zonelist = self.zonelists[key]
        if not zonelist:
            return 0
        mt = self.gfpflags_to_migratetype(gfp_mask)
        classzone = zonelist[0].idx
        got = self.get_page_from_freelist(gfp_mask, order, zonelist, classzone, mt, ALLOC_WMARK_LOW)
        if got is None:
            # wakeup_kswapd (not modelled); then the min watermark, reserves for some callers
            flags = ALLOC_WMARK_MIN
            if not gfp_mask & _GFP_WAIT and (gfp_mask & _GFP_HIGH or not self.harder_needs_high):
                flags |= ALLOC_HARDER
            if gfp_mask & _GFP_HIGH:
                flags |= ALLOC_HIGH
            got = self.get_page_from_freelist(gfp_mask, order, zonelist, classzone, mt, flags)
            # no reclaim, no OOM killer in the model
            if got is None:
                if not gfp_mask & _GFP_NOWARN:
                    self._warn_alloc_failed(gfp_mask, order)
                return 0
            if self.mt_reorder and order and flags & ALLOC_HARDER:
                self.reserve_highatomic_pageblock(got[0], got[1])
        pfn = got[1]
        nr = 1 << order
        if self.kasan is not None:
            self.kasan.kasan_alloc_pages(self._base + (pfn << PAGE_SHIFT), order)
        # init_on_free leaves every free page zeroed already (free_pages_prezeroed, 6471384af2a6)
        if (gfp_mask & _GFP_ZERO or self.init_on_alloc) and not self.init_on_free:
            self.zero_pages(pfn, nr)
        self._pstate[pfn] = ALLOCATED | order  # set_page_refcounted: the reference the mark implies
        return self._base + (pfn << PAGE_SHIFT)

    def get_page_from_freelist(self, gfp_mask, order, zonelist, classzone, mt, alloc_flags):
        mark_idx = alloc_flags & 3
        for zone in zonelist:
            if not self.zone_watermark_ok(zone, order, zone.watermark[mark_idx], classzone, alloc_flags):
                continue
            pfn = self.buffered_rmqueue(zone, order, gfp_mask, mt, alloc_flags)
            if pfn is not None:
                return zone, pfn
        return None

    def zone_watermark_ok(self, z: Zone, order: int, mark: int, classzone: int, alloc_flags: int) -> bool:
        free_pages = z.free_pages - (1 << order) + 1
        min_ = mark
        if alloc_flags & ALLOC_HIGH:
            min_ -= min_ // 2
        if alloc_flags & ALLOC_HARDER:
            min_ -= min_ // 4
        elif self.mt_reorder:
            # 4.4 __zone_watermark_ok [V]: without ALLOC_HARDER the high-atomic reserve does not
            # count as free (the fast tables fold it into their mark, _build_fast_tables)
            free_pages -= z.nr_reserved_highatomic
        if free_pages <= min_ + z.lowmem_reserve[classzone]:
            return False
        if self.wmark_order0_only:
            # 4.4: a high-order request only needs one free block of a suitable type
            if not order:
                return True
            for o in range(order, self.nr_orders):
                if not z.nr_free[o]:
                    continue
                area = z.free_area[o]
                for m in range(self.MIGRATE_PCPTYPES):
                    if area[m]:
                        return True
                if alloc_flags & ALLOC_HARDER and area[self.MIGRATE_HIGHATOMIC]:
                    return True
            return False
        for o in range(order):
            free_pages -= z.nr_free[o] << o
            min_ >>= 1
            if free_pages <= min_:
                return False
        return True

    def buffered_rmqueue(self, zone: Zone, order: int, gfp_mask: int, mt: int, alloc_flags: int = 0):
        """Take a block from this CPU's pcp list (order 0) or the buddy lists; None on failure."""
        while True:
            if order == 0 and mt < self.MIGRATE_PCPTYPES:
                pfn = self._rmqueue_pcplist(zone, gfp_mask, mt)
            else:
                pfn = None
                if order and alloc_flags & ALLOC_HARDER and self.mt_reorder:
                    # 4.4 buffered_rmqueue [V] (6.x rmqueue_buddy with ALLOC_HIGHATOMIC [V]):
                    # a high-order atomic request tries the high-atomic reserve first
                    pfn = self.__rmqueue_smallest(zone, order, self.MIGRATE_HIGHATOMIC)
                if pfn is None:
                    pfn = self.__rmqueue(zone, order, mt)
            if pfn is None:
                return None
            if self.prep_new_page(pfn, order):
                continue  # the bad page is not used (goto again)
            return pfn

    def _rmqueue_pcplist(self, zone: Zone, gfp_mask: int, mt: int):
        sets = self.pcp[self._cpu][zone.idx]
        cold = bool(gfp_mask & _GFP_COLD) and self.cold_flag
        if self.hot_cold:
            pcp = sets[1] if cold else sets[0]
            lst = pcp.lists[0]
        else:
            pcp = sets[0]
            lst = pcp.lists[mt if self.pcp_per_mt else 0]
        if self._mt_search:
            # 2.6.24-2.6.31: one list of mixed types; find a page of this migratetype
            pmt = self._pmt
            order_ = range(len(lst)) if cold else range(len(lst) - 1, -1, -1)
            for i in order_:
                if pmt[lst[i]] == mt:
                    return lst.pop(i)
            got = self.rmqueue_bulk(zone, pcp.batch, mt, lst, cold)
            if not got:
                return None
            self._pcp_grew(pcp)
            return self._pcp_take(pcp, lst, cold)
        if not lst:
            got = self.rmqueue_bulk(zone, pcp.batch, mt, lst, cold)
            if not got:
                return None
            self._pcp_grew(pcp)
        return self._pcp_take(pcp, lst, cold)

    @staticmethod
    def _pcp_take(pcp: PerCpuPages, lst: list, cold: bool) -> int:
        return lst.pop(0) if cold else lst.pop()

    def rmqueue_bulk(self, zone: Zone, count: int, mt: int, lst: list, cold: bool = False) -> int:
        """Move up to ``count`` order-0 pages from the buddy lists onto ``lst``."""
        got = []
        rmq = self.__rmqueue
        for _ in range(count):
            pfn = rmq(zone, 0, mt)
            if pfn is None:
                break
            got.append(pfn)
        pmt = self._pmt
        for pfn in got:
            pmt[pfn] = mt  # set_page_private(page, migratetype)
        if not got:
            return 0
        if self.has_mt and self.cold_flag:
            # 2.6.24-4.14: each page added after the previous one, so the batch sits at the
            # head in pfn order (hot), or at the tail in pfn order from the tail (cold) [V 4.4]
            if cold:
                lst[0:0] = got
            else:
                lst.extend(reversed(got))
        else:
            # list_add_tail, one page after the other (2.6.20 [V]; 4.15+ [S], 6.x [V])
            lst[0:0] = got[::-1]
        return len(got)

    def __rmqueue(self, zone: Zone, order: int, mt: int):
        page = self.__rmqueue_smallest(zone, order, mt)
        if page is None and self.has_mt:
            page = self.__rmqueue_fallback(zone, order, mt)
        return page

    def __rmqueue_smallest(self, zone: Zone, order: int, mt: int):
        nr_free = zone.nr_free
        area = zone.free_area
        for current_order in range(order, self.nr_orders):
            fl = area[current_order][mt]
            if not fl:
                continue
            pfn = fl.pop()  # free_list.next: the head
            self._flags[pfn] &= ~PG_buddy
            nr_free[current_order] -= 1
            zone.free_pages -= 1 << order
            if zone.fast_ok and zone.free_pages <= zone.fast_mark:
                self._fast_zone_low(zone)
            self.expand(zone, pfn, order, current_order, mt)
            return pfn
        return None

    def expand(self, zone: Zone, pfn: int, low: int, high: int, mt: int) -> None:
        """Give the upper halves back; the caller keeps the lowest block."""
        size = 1 << high
        area = zone.free_area
        nr_free = zone.nr_free
        flags, orders, flmt = self._flags, self._order, self._flmt
        while high > low:
            high -= 1
            size >>= 1
            p = pfn + size
            lst = area[high][mt]  # list_add (FreeList.add, written out: this loop runs on every split)
            head = lst.head
            lst.nxt[p] = head
            lst.prv[p] = -1
            if head < 0:
                lst.tail = p
            else:
                lst.prv[head] = p
            lst.head = p
            nr_free[high] += 1
            flags[p] |= PG_buddy
            orders[p] = high
            flmt[p] = mt

    def __rmqueue_fallback(self, zone: Zone, order: int, start_mt: int):
        area = zone.free_area
        fallbacks = self.fallbacks[start_mt] if start_mt < len(self.fallbacks) else ()
        if self.mt_reorder:
            return self._rmqueue_fallback_44(zone, order, start_mt, fallbacks)
        for current_order in range(self.nr_orders - 1, order - 1, -1):
            for fmt in fallbacks:
                fl = area[current_order][fmt]
                if not fl:
                    continue
                pfn = fl.head
                use_mt = fmt
                if (current_order >= (pageblock_order >> 1) or start_mt == self.MIGRATE_RECLAIMABLE
                        or self.mobility_disabled):
                    pages = self.move_freepages_block(zone, pfn, start_mt)
                    if pages >= (1 << (pageblock_order - 1)) or self.mobility_disabled:
                        self.set_pageblock_migratetype(pfn, start_mt)
                    use_mt = start_mt
                self._take_free_block(zone, pfn, current_order, order)
                if current_order >= pageblock_order:
                    self._change_pageblock_range(pfn, current_order, start_mt)
                self.expand(zone, pfn, order, current_order, use_mt)
                return pfn
        if self.MIGRATE_RESERVE >= 0:
            return self.__rmqueue_smallest(zone, order, self.MIGRATE_RESERVE)
        return None

    def _rmqueue_fallback_44(self, zone: Zone, order: int, start_mt: int, fallbacks):
        """4.4 onwards: find_suitable_fallback, can_steal_fallback, steal_suitable_fallback [V 4.4]."""
        area = zone.free_area

        def can_steal(o):
            if o >= pageblock_order:
                return True
            return (o >= pageblock_order // 2 or start_mt in (self.MIGRATE_RECLAIMABLE, self.MIGRATE_UNMOVABLE)
                    or self.mobility_disabled)

        def suitable(o):
            for fmt in fallbacks:
                if area[o][fmt]:
                    return fmt
            return -1

        found = None
        for current_order in range(self.nr_orders - 1, order - 1, -1):
            fmt = suitable(current_order)
            if fmt < 0:
                continue
            steal = can_steal(current_order)
            if self.find_smallest and not steal and start_mt == self.MIGRATE_MOVABLE and current_order > order:
                # v4.13+: rather than splitting a large block without claiming it, take the smallest
                for o in range(order, self.nr_orders):
                    f2 = suitable(o)
                    if f2 >= 0:
                        found = (o, f2, can_steal(o))
                        break
            else:
                found = (current_order, fmt, steal)
            break
        if found is None:
            return None
        current_order, fmt, steal = found
        pfn = area[current_order][fmt].head
        if steal:
            if current_order >= pageblock_order:
                self._change_pageblock_range(pfn, current_order, start_mt)
            pages = self.move_freepages_block(zone, pfn, start_mt)
            if pages >= (1 << (pageblock_order - 1)) or self.mobility_disabled:
                self.set_pageblock_migratetype(pfn, start_mt)
        self._take_free_block(zone, pfn, current_order, order)
        self.expand(zone, pfn, order, current_order, start_mt)
        return pfn

    def _take_free_block(self, zone: Zone, pfn: int, current_order: int, order: int) -> None:
        zone.free_area[current_order][self._flmt[pfn]].remove(pfn)
        self._flags[pfn] &= ~PG_buddy
        zone.nr_free[current_order] -= 1
        zone.free_pages -= 1 << order
        if zone.fast_ok and zone.free_pages <= zone.fast_mark:
            self._fast_zone_low(zone)

    def _change_pageblock_range(self, pfn: int, order: int, mt: int) -> None:
        for p in range(pfn, pfn + (1 << order), pageblock_nr_pages):
            self.set_pageblock_migratetype(p, mt)

    def set_pageblock_migratetype(self, pfn: int, mt: int) -> None:
        b = pfn >> pageblock_order
        self.pbkey[b] = self._pbk[b] = (self.pbkey[b] & ~7) | mt

    def move_freepages_block(self, zone: Zone, pfn: int, mt: int) -> int:
        """Move the free blocks that start inside ``pfn``'s pageblock onto ``free_list[mt]``."""
        start = max(pfn & ~(pageblock_nr_pages - 1), zone.start_pfn)
        end = min((pfn & ~(pageblock_nr_pages - 1)) + pageblock_nr_pages, zone.end_pfn)
        flags, orders, flmt = self._flags, self._order, self._flmt
        moved = 0
        p = start
        while p < end:
            if not flags[p] & PG_buddy:
                p += 1
                continue
            o = orders[p]
            old = flmt[p]
            if old != mt:
                zone.free_area[o][old].remove(p)
                if self.move_to_tail:
                    zone.free_area[o][mt].add_tail(p)
                else:
                    zone.free_area[o][mt].add(p)
                flmt[p] = mt
            moved += 1 << o
            p += 1 << o
        return moved

    def reserve_highatomic_pageblock(self, zone: Zone, pfn: int) -> None:
        """4.4 (0aaa29a56e4f): a high-order atomic allocation reserves its pageblock [V 4.4]."""
        max_managed = zone.managed // 100 + pageblock_nr_pages
        if zone.nr_reserved_highatomic >= max_managed:
            return
        mt = self._pb_mt(pfn)
        if mt != self.MIGRATE_HIGHATOMIC and mt != 4:  # not HighAtomic, not Isolate
            zone.nr_reserved_highatomic += pageblock_nr_pages
            self.set_pageblock_migratetype(pfn, self.MIGRATE_HIGHATOMIC)
            self.move_freepages_block(zone, pfn, self.MIGRATE_HIGHATOMIC)
            # the fast paths' low-watermark marks include the reserve: rebuild them (rare)
            self._reset_cpu_tables()
            self.switch_cpu(self._cpu)
            self.kernel.rebind()

    def prep_new_page(self, pfn: int, order: int) -> int:
        """Check a page leaving the allocator; 1 if it must not be used (goto again)."""
        count, flags = self._count, self._flags
        pages = range(pfn, pfn + (1 << order)) if self.check_all_new else (pfn,)
        bad = 0
        for p in pages:
            if count[p] or flags[p] & (PG_reserved | PG_buddy):
                self.bad_page(p, self._refcount_reason if count[p] else "PAGE_FLAGS_CHECK_AT_PREP flag set")
                bad += 1
        if not bad:
            return 0
        if self.leak_bad_pages:
            # the block is dropped: its pages stay out of the allocator for good
            self.nr_bad += 1 << order
            for p in range(pfn, pfn + (1 << order)):
                count[p] = 0
            return 1
        # 2.6.20: bad_page() fixed the count up; a non-reserved page is then used
        for p in pages:
            count[p] = 0
        return 1 if flags[pfn] & PG_reserved else 0

    def page_count(self, pfn: int) -> int:
        """``page_count(page)``: the raw count plus the reference an ALLOCATED mark implies."""
        return self._count[pfn] + (1 if self._pstate[pfn] & ALLOCATED else 0)

    def page_struct_addr(self, pfn: int) -> int:
        if self.has_mt:  # SPARSEMEM_VMEMMAP base (2.6.24+) [S]
            return 0xFFFFEA0000000000 + pfn * STRUCT_PAGE_SIZE
        return self.memmap_vaddr + pfn * STRUCT_PAGE_SIZE

    @property
    def _refcount_reason(self) -> str:
        # struct page's _count became _refcount in v4.6 [S: 0139aa7b7fa1, not in commits.py]
        return "nonzero _refcount" if self.kernel.has("v4.6") else "nonzero _count"

    def bad_page(self, pfn: int, reason: str) -> None:
        """Log the era's "Bad page state" report (flags: PG_reserved bit 10, PG_buddy bit 19 [S])."""
        f = self._flags[pfn]
        kflags = (1 << 10 if f & PG_reserved else 0) | (1 << 19 if f & PG_buddy else 0)
        page = self.page_struct_addr(pfn)
        printk = self.kernel.dmesg.printk
        if not self.bad_page_v2:  # 2.6.20 bad_page() [V]
            printk(f"Bad page state in process '{COMM}'")
            printk(f"page:{page:016x} flags:0x{kflags:016x} mapping:0000000000000000 mapcount:0 "
                   f"count:{self.page_count(pfn)}")
            printk("Trying to fix it up, but a reboot is needed")
            printk("Backtrace:")
        else:  # [S] 2.6.29+ shape: first line and the page line; the reason from 3.x
            printk(f"BUG: Bad page state in process {COMM}  pfn:{pfn:05x}")
            printk(f"page:{page:016x} count:{self.page_count(pfn)} mapcount:0 mapping:0000000000000000 index:0x0")
            printk(f"page dumped because: {reason}")
        self.kernel.counters["bad_pages"] += 1

    def _setup_reports(self, has) -> None:
        """Boot: how this era reports a failed allocation and an order above the limit.

        The failure line [V: 2.6.20, 2.6.39.3, 3.1, 3.10, 4.4, 4.6, 4.9, 4.10, 4.12,
        4.15, 4.18, 4.19, 4.20, 5.0, 5.4, 5.15, 6.1, 6.3, 6.8, 6.12, 6.14, 6.18 trees]:

        * until a238ab5b0239 (3.0): ``__alloc_pages``' nopage printk,
          ``"%s: page allocation failure. order:%d, mode:0x%x"``;
        * a238ab5b0239: ``warn_alloc_failed()``, ``"failure: order:"``;
        * v4.6-rc1 ("mm, page_alloc: print symbolic gfp_flags on allocation
          failure", in the since-4.5 mmotm branch that went into the 4.6 merge
          window): ``mode:%#x(%pGg)``;
        * v4.11-rc1 ("mm, page_alloc: warn_alloc print nodemask", Michal Hocko,
          in the since-4.10 mmotm branch; 4.10.17 tree without, 4.12 with):
          ``, nodemask=(null)`` (no mempolicy, cpusets not in use) and then
          ``cpuset_print_current_mems_allowed()``'s own line, ``"%s cpuset="``,
          the cgroup name (``/``) and ``" mems_allowed=%*pbl"`` (``0``);
        * ef8444ea01d7 (5.0): that function prints ``",cpuset=/,mems_allowed=0"``
          with ``pr_cont`` and ``warn_alloc`` ends the line after it.

        CONFIG_CPUSETS=y, as in x86_64_defconfig.  The masks are the era's
        (:func:`linuxmm.gfp.era_gfp`).  Rate limit, with the model's clock
        standing still after boot: 2.6's ``printk_ratelimit()`` (5 s, burst 10)
        and 3.0's private ``nopage_rs`` (the same defaults) print the first ten
        reports; from v5.4 (Johannes Weiner: one report per ten seconds; 5.3.1
        tree without, 5.4 with) only the first.  Not modelled: the
        ``dump_stack()`` and ``show_mem()`` output that follows the line.

        The WARNING: ``WARN_ON_ONCE`` from b3c466ce5129, silenced by
        __GFP_NOWARN from 1fc28b70fe2d (2.6.31-rc5).  ``warn_slowpath_common``
        prints ``"WARNING: at %s:%d %pS()"`` [V 2.6.32-3.10]; v3.11 adds
        ``CPU: %d PID: %d`` [V 3.10.105 / 3.11 trees]; the ``()`` is gone by 4.6
        [V 4.4.11 / 4.6.2; 4.5 not read].  The function holding the check:
        ``__alloc_pages_slowpath`` (a ``static inline`` function: a compiler
        that inlines it prints its caller), ``__alloc_pages_nodemask`` from
        v4.20 (Michal Hocko's "check for max order in hot path", posted
        2018-11-13; 4.18.0 tree without, 4.20.0 with), ``__alloc_pages`` from
        v5.13, ``__alloc_pages_noprof`` from v6.10 and
        ``__alloc_frozen_pages_noprof`` from v6.14 [V 6.13.7 / 6.14 trees].
        The source line and ``+off/size`` of ``%pS`` are not modelled.
        """
        self.gfp_era = gfp_era(has)
        self._nopage_line = 2 if has("ef8444ea01d7") else 1 if has("v4.11-rc1") else 0
        self._nopage_sep = ":" if has("a238ab5b0239") else "."
        self._nopage_left = 1 if has("v5.4") else 10
        self._warn_nowarn = has("1fc28b70fe2d")
        if has("v6.14"):
            func = "__alloc_frozen_pages_noprof"
        elif has("v6.10"):
            func = "__alloc_pages_noprof"
        elif has("v5.13"):
            func = "__alloc_pages"
        elif has("v4.20"):
            func = "__alloc_pages_nodemask"
        else:
            func = "__alloc_pages_slowpath"
        self._warn = warn_printer(self.kernel, "mm/page_alloc.c", func)  # the era's WARN lines (linuxmm.warn)

    def _order_too_large(self, gfp_mask: int, order: int) -> None:
        """Before 2.6.31 gfp.h returned NULL silently; then ``WARN_ON_ONCE`` (see _setup_reports)."""
        if not self.warn_max_order or self._warned_order:
            return
        if gfp_mask & _GFP_NOWARN and self._warn_nowarn:
            return  # the once is not used up: the condition was false
        self._warned_order = True
        self._warn()

    def _warn_alloc_failed(self, gfp_mask: int, order: int) -> None:
        """The era's "page allocation failure" line(s) (formats in _setup_reports)."""
        if not self._nopage_left:
            return  # rate-limited, and the model's clock never lets the limit lapse
        self._nopage_left -= 1
        printk = self.kernel.dmesg.printk
        line = (f"{COMM}: page allocation failure{self._nopage_sep} order:{order}, "
                f"mode:{format_gfp(gfp_mask, self.gfp_era)}")
        if self._nopage_line == 2:
            printk(line + ", nodemask=(null),cpuset=/,mems_allowed=0")
        elif self._nopage_line == 1:
            printk(line + ", nodemask=(null)")
            printk(f"{COMM} cpuset=/ mems_allowed=0")
        else:
            printk(line)

    def _free_pages_slow(self, addr: int, order: int) -> None:
        if type(addr) is not int or type(order) is not int:
            check_args("free_pages", addr=(addr, "addr"), order=(order, "order"))
        if addr == 0:
            return  # free_pages(0, order) does nothing
        pfn = (addr - self._base) >> PAGE_SHIFT
        if addr < self._base or pfn >= self._nr:
            self.kernel.bug("mm/page_alloc.c")  # VM_BUG_ON(!virt_addr_valid(addr))
        count, state = self._count, self._pstate
        st = state[pfn]
        head = st & ALLOCATED  # the head of a block handed out here: one reference is the mark's
        raw = count[pfn]
        # put_page_testzero(page)
        c = raw + (1 if head else 0) - 1
        if c:
            count[pfn] = raw - 1  # the mark's reference (if any) stays with the block
            if c < 0:  # a free page freed again: the count went below zero (no DEBUG_VM): silent
                self._new_page_seen_freed()
            return  # still referenced
        owned = (st & ~ALLOCATED) + 1 if head else 0  # 1 + the order of the block handed out here

        def restore() -> None:  # the count put_page_testzero took, back (the model refuses)
            if head:
                state[pfn] = st
            else:
                count[pfn] = 1

        if head:
            state[pfn] = 0  # the count is 0 now (no mark, raw 0)
        else:
            count[pfn] = 0
        if order < 0 or order > self.order_limit:
            restore()
            self._refuse(addr, order, owned, f"above order {self.order_limit} the kernel would check and free "
                                             f"{1 << max(order, 0)} pages")
        nr = 1 << order
        if pfn + nr > self._nr:
            restore()
            self.kernel.bug("mm/page_alloc.c")
        # free_pages_check on every page of the block
        flags = self._flags
        bad = reserved = False
        for p in range(pfn, pfn + nr):
            if count[p] or flags[p] & (PG_reserved | PG_buddy):
                reason = "nonzero _count" if count[p] else "PAGE_FLAGS_CHECK_AT_FREE flag(s) set"
                self.bad_page(p, reason)
                bad = True
                reserved = reserved or bool(flags[p] & PG_reserved)
        if bad and (self.leak_bad_pages or reserved):
            # 2.6.29+: a bad page stops the free (free_pages_prepare fails), and before that a
            # PG_reserved page did (free_pages_check's return value): the block keeps the count of
            # 0 that put_page_testzero left and is never freed (leaked)
            if head:
                state[pfn] = LEAKED | (owned - 1)
            return
        if bad:
            # 2.6.0-2.6.28: bad_page() "fixed up" the pages and the free went on, over pages
            # that were already free or someone else's: list corruption the model cannot hold
            restore()
            self._refuse(addr, order, owned, "the kernel reports the pages above, fixes them up and frees them "
                                             "with the block")
        if owned == 0 or owned - 1 < order:
            # larger than the block: the kernel does not check the order, and the pages beyond the
            # block passed free_pages_check (the inside of a free block looks like a free page)
            restore()
            self._refuse(addr, order, owned, f"the kernel does not check the order: it would free {nr} pages "
                                             f"as one block, over pages that are not the block's")
        # a smaller order than the block's frees the first 2**order pages; the kernel never
        # looks at the rest again: they stay allocated for good (leaked), silently
        for o in range(order, owned - 1):
            state[pfn + (1 << o)] = LEAKED | o
        if owned - 1 > order:
            self.kernel.counters["leaked_pages"] += (1 << (owned - 1)) - nr
        if self.kasan is not None:
            self.kasan.kasan_free_pages(addr, order)
        if self.init_on_free:
            self.zero_pages(pfn, nr)
        zone = self.page_zone(pfn)
        key = self.pbkey[pfn >> pageblock_order]
        mt = key & 7
        if order == 0:
            self.free_hot_cold_page(zone, pfn, mt)
        else:
            self.__free_one_page(zone, pfn, order, mt, False)

    def _refuse(self, addr: int, order: int, owned: int, why: str) -> None:
        """Refuse a free the kernel would have carried out by corrupting its free lists (loudly)."""
        self.kernel.counters["refused_frees"] += 1
        block = f"the block there has order {owned - 1}" if owned else "no block starts there"
        raise LinuxmmError(f"free_pages({addr:#x}, {order}) at {self.kernel.version}: {block}; {why}, corrupting "
                           f"its free lists. The model refuses and leaves the block allocated")

    def page_zone(self, pfn: int) -> Zone:
        return self.zones[self.pbkey[pfn >> pageblock_order] >> 3]

    def free_hot_cold_page(self, zone: Zone, pfn: int, mt: int) -> None:
        pcp = self.pcp[self._cpu][zone.idx][0]
        self._pmt[pfn] = mt
        if self.pcp_per_mt:
            if mt >= self.MIGRATE_PCPTYPES:
                if mt == len(self.migratetype_names) - 1:  # MIGRATE_ISOLATE: straight to the buddy
                    self.__free_one_page(zone, pfn, 0, mt, False)
                    return
                mt = self.MIGRATE_MOVABLE  # Reserve/HighAtomic pages ride on the movable list
            pcp.lists[mt].append(pfn)
        else:
            pcp.lists[0].append(pfn)
        self._pcp_grew(pcp)
        if pcp.count >= pcp.high:
            self.free_pcppages_bulk(zone, pcp.batch, pcp, mt)

    def free_pcppages_bulk(self, zone: Zone, count: int, pcp: PerCpuPages, start: int = 0) -> None:
        """Give ``count`` pages from the tails of the pcp lists back to the buddy lists.

        ``start`` is the list of the page whose free reached ``high`` (drains pass 0).
        """
        fo = self.__free_one_page
        pmt = self._pmt
        lists = pcp.lists
        count = min(count, pcp.count)
        if len(lists) == 1:
            lst = lists[0]
            take = lst[:count]
            del lst[:count]
            for pfn in take:
                fo(zone, pfn, 0, pmt[pfn] if self.private_mt_drain else self._pb_mt(pfn), False)
            return
        if self.pcp_single_pass:
            # 6.x free_pcppages_bulk [V]: the list of the page just freed first, each list
            # emptied from its tail before moving on to the next (no batch_free round-robin)
            n = len(lists)
            pindex = start - 1
            while count > 0:
                while True:
                    pindex += 1
                    if pindex == n:
                        pindex = 0
                    lst = lists[pindex]
                    if lst:
                        break
                while True:
                    pfn = lst.pop(0)
                    fo(zone, pfn, 0, pmt[pfn] if self.private_mt_drain else self._pb_mt(pfn), False)
                    count -= 1
                    if not (count > 0 and lst):
                        break
            return
        # 5f8dcc21211a: round-robin over the migratetype lists, from the tail of each
        migratetype = 0
        batch_free = 0
        n = len(lists)
        to_free = count
        while to_free:
            while True:
                batch_free += 1
                migratetype += 1
                if migratetype == n:
                    migratetype = 0
                lst = lists[migratetype]
                if lst:
                    break
            while True:
                pfn = lst.pop(0)
                fo(zone, pfn, 0, pmt[pfn] if self.private_mt_drain else self._pb_mt(pfn), False)
                to_free -= 1
                batch_free -= 1
                if not (to_free and batch_free and lst):
                    break

    def __free_one_page(self, zone: Zone, pfn: int, order: int, mt: int, to_tail: bool) -> None:
        """Merge with free buddies (``pfn ^ (1 << order)``) and put the block on its list."""
        flags, orders, flmt = self._flags, self._order, self._flmt
        area = zone.free_area
        nr_free = zone.nr_free
        nr = self._nr
        zone.free_pages += 1 << order
        if not zone.fast_ok and zone.free_pages > zone.fast_mark:
            zone.fast_ok = True  # the fast path may serve this zone again (masks are relearned)
        limit = self.merge_limit
        # Zone boundaries are multiples of MAX_ORDER_NR_PAGES here, so a buddy found by
        # pfn ^ (1 << order) below the limit is always in the same zone (page_is_buddy).
        while order < limit:
            buddy = pfn ^ (1 << order)
            if buddy >= nr or not flags[buddy] & PG_buddy or orders[buddy] != order:
                break
            lst = area[order][flmt[buddy]]  # list_del (FreeList.remove, written out: every merge runs it)
            nxt, prv = lst.nxt, lst.prv
            n = nxt.pop(buddy)
            p = prv.pop(buddy)
            if p < 0:
                lst.head = n
            else:
                nxt[p] = n
            if n < 0:
                lst.tail = p
            else:
                prv[n] = p
            nr_free[order] -= 1
            flags[buddy] &= ~PG_buddy
            pfn &= ~(1 << order)
            order += 1
        if not to_tail and self.tail_merge and order < limit - 1:
            # 6dda9d55bf54: if the next-larger buddy is free, this block will likely merge soon;
            # order < MAX_ORDER-2 [V 4.4], < MAX_PAGE_ORDER-1 [V 6.x] (the 2.6.35 bound: not read)
            combined = pfn & ~(1 << order)
            higher = combined ^ (1 << (order + 1))
            if higher < nr and flags[higher] & PG_buddy and orders[higher] == order + 1:
                to_tail = True
        if to_tail:
            area[order][mt].add_tail(pfn)
        else:
            area[order][mt].add(pfn)
        nr_free[order] += 1
        flags[pfn] |= PG_buddy
        orders[pfn] = order
        flmt[pfn] = mt

    # -- drains (not kernel API names of every era; used by tests and workloads) --
    def drain_local_pages(self) -> None:
        for zone, sets in zip(self.zones, self.pcp[self._cpu]):
            for pcp in sets:
                if pcp.count:
                    self.free_pcppages_bulk(zone, pcp.count, pcp)

    def drain_all_pages(self) -> None:
        cur = self._cpu
        for cpu, _ in self.pcp.built():  # a CPU that never ran has nothing on its lists
            self._cpu = cpu
            self.drain_local_pages()
        self._cpu = cur

    # -- reports -----------------------------------------------------------------
    def pcp_pages(self, zone: Zone | None = None) -> int:
        zs = [zone] if zone is not None else self.zones
        return sum(sum(len(lst) for pcp in row[z.idx] for lst in pcp.lists)
                   for _, row in self.pcp.built() for z in zs)

    def nr_free_pages(self) -> int:
        return sum(z.free_pages for z in self.zones) + self.pcp_pages()

    def allocated_pages(self) -> int:
        """Pages in blocks handed out and not freed, counted from the per-head order marks."""
        heads = self._pstate.translate(None, _NOT_A_HEAD)  # one pass, keeping only the marks
        return sum(1 << (mark & 0x3F) for mark in heads)

    def reserved_pages(self) -> int:
        return self.nr_reserved_boot + self.nr_bad

    def check(self) -> list[str]:
        """Free lists, counts, page flags and per-CPU pages agree (read-only; for tests and soak runs).

        Each free block is on one list, aligned to its order, inside its zone,
        marked PG_buddy with its order, on the list of the migratetype recorded
        for it, and not mergeable with a free buddy of the same order (every
        era merges on free); each zone's per-order counts and NR_FREE_PAGES
        match its lists; pages on per-CPU lists are unowned and not PG_buddy;
        no allocated block head is also free.
        """
        out = super().check()
        flags, orders, flmt, count, state = self._flags, self._order, self._flmt, self._count, self._pstate
        seen: set[int] = set()
        buddy_heads = 0
        for z in self.zones:
            free = 0
            for o in range(self.nr_orders):
                n = 0
                for mt, lst in enumerate(z.free_area[o]):
                    for pfn in lst:
                        n += 1
                        free += 1 << o
                        where = f"{z.name}: order-{o} free block at pfn {pfn}"
                        if pfn in seen:
                            out.append(f"{where} is on two lists")
                        seen.add(pfn)
                        if pfn & ((1 << o) - 1) or not z.start_pfn <= pfn < z.end_pfn:
                            out.append(f"{where} is misaligned or outside the zone")
                        if not flags[pfn] & PG_buddy or orders[pfn] != o or flmt[pfn] != mt:
                            out.append(f"{where} is not marked as a free block of that order and list")
                        if state[pfn] & (ALLOCATED | LEAKED):
                            out.append(f"{where} is also an allocated block")
                        buddy = pfn ^ (1 << o)
                        if (o < self.merge_limit and buddy < self._nr and flags[buddy] & PG_buddy
                                and orders[buddy] == o and self.page_zone(buddy) is z):
                            out.append(f"{where} and its buddy {buddy} are both free at that order (unmerged)")
                buddy_heads += n
                if n != z.nr_free[o]:
                    out.append(f"{z.name}: nr_free[{o}] is {z.nr_free[o]} but the lists hold {n} blocks")
            if free != z.free_pages:
                out.append(f"{z.name}: NR_FREE_PAGES is {z.free_pages} but the lists hold {free} pages")
        for cpu, row in self.pcp.built():  # a CPU that never ran has empty lists
            for z, sets in zip(self.zones, row):
                for pcp in sets:
                    for lst in pcp.lists:
                        for pfn in lst:
                            if pfn in seen or flags[pfn] & PG_buddy or state[pfn] & (ALLOCATED | LEAKED) or count[pfn] > 0:
                                out.append(f"cpu {cpu} {z.name}: per-CPU page {pfn} is also free in the buddy "
                                           f"lists, on another list, or allocated")
                            seen.add(pfn)
        # every PG_buddy page is the head of a listed free block (counted at C speed, then located)
        marked = bytes(flags).translate(_PG_BUDDY_ONLY)
        if marked.count(1) != buddy_heads:
            stray, pos = [], marked.find(1)
            while pos != -1 and len(stray) < 3:
                if not any(pos in lst for z in self.zones for lst in z.free_area[orders[pos]]):
                    stray.append(pos)
                pos = marked.find(1, pos + 1)
            out.append(f"page_alloc: {marked.count(1)} pages are marked PG_buddy but {buddy_heads} free blocks are "
                       f"listed" + (f" (pfn {', '.join(map(str, stray))} on no list)" if stray else ""))
        return out

    def zone_info(self) -> list[ZoneInfo]:
        return [ZoneInfo(z.name, z.start_pfn, z.end_pfn, z.present_pages, z.free_pages, list(z.nr_free))
                for z in self.zones]

    def show_mem(self) -> str:
        """The per-zone free-area lines of ``show_free_areas`` (Node 0: NUMA build).

        2.6.20 [V]: ``"%lu*%lukB "`` per order then ``"= %lukB"``.  From v3.5
        (show_migration_types, 377e4f167664 [S release]) a non-zero count is followed
        by ``"(%s) "``, one letter per migratetype whose list is non-empty, in enum
        order: U M E H I from 0aaa29a56e4f (4.4 mm/page_alloc.c, 6.x mm/show_mem.c
        [V]), U E M R I before it [S: letters recalled].
        """
        out = []
        letters = None
        if self.show_mt_letters and self.has_mt:
            letters = "UMEHI" if self.mt_reorder else "UEMRI"
        for z in self.zones:
            if not z.populated:
                continue
            parts = []
            for o in range(self.nr_orders):
                n = z.nr_free[o]
                parts.append(f"{n}*{4 << o}kB ")
                if n and letters:
                    kinds = "".join(letters[m] for m, fl in enumerate(z.free_area[o]) if fl)
                    parts.append(f"({kinds}) ")
            total = sum(z.nr_free[o] << o for o in range(self.nr_orders))
            out.append(f"Node 0 {z.name}: " + "".join(parts) + f"= {total * 4}kB")
        return "\n".join(out) + "\n"

    def _alloc_pages_every(self, gfp_mask: int, order: int = 0) -> int:
        """``alloc_pages`` when no allocation may take the fast path (init_on_alloc, KASAN)."""
        return self._alloc_pages_slow(gfp_mask, order)

    def _alloc_pages_failing(self, gfp_mask: int, order: int = 0) -> int:
        """``alloc_pages`` with CONFIG_FAIL_PAGE_ALLOC: an injected failure returns NULL before any zone is
        tried (and without the failure report); every other call takes the slow path."""
        if self.fail_page_alloc(gfp_mask, order):
            return 0
        return self._alloc_pages_slow(gfp_mask, order)

    def alloc_block(self, order: int, gfp: int) -> int:
        return self.alloc_pages(gfp, order)

    def free_block(self, addr: int, order: int) -> None:
        self.free_pages(addr, order)


@hookimpl
def linuxmm_implementations():
    return [Implementation(
        subsystem="page_alloc", name="buddy-2.6", factory=Buddy26, introduced="v2.6.0",
        api=("alloc_pages", "alloc_page", "__get_free_pages:get_free_pages_", "__get_free_page:get_free_page_",
             "get_zeroed_page", "__free_pages:free_pages_", "free_pages", "free_page"),
        summary="zoned buddy allocator with per-CPU lists, migratetypes and watermarks (2.6.0-6.18, x86_64)")]
