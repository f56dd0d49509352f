"""SLOB (mm/slob.c), 2.6.16 to 6.3: Matt Mackall's simple list of blocks for small machines.

SLOB came in with 10cef6029502 (2.6.16) as the allocator ``CONFIG_SLAB=n``
gave on EMBEDDED systems, was a choice of its own from 2.6.22, was
deprecated in 6.2 (149b6fa228ed) and removed in 6.4 (c9929f0e344a,
6630e950d532 deleting the file).  It has no per-cache slabs: every cache and
every kmalloc size share one heap of pages, carved first-fit, and its
``kmem_cache`` is a descriptor that remembers the size, alignment and
constructor.  There is no /proc/slabinfo with SLOB (the file needs
CONFIG_SLAB, later SLAB or SLUB_DEBUG), and no statistics of its own.

Sources read (docs/sources.md): ``mm/slob.c`` of 2.6.20 (sagsango),
2.6.22.15, 2.6.23.17, 2.6.24, 2.6.26, 2.6.27.57, 2.6.28, 2.6.29, 2.6.30,
2.6.32.9, 2.6.34-rc7, 2.6.39.3, 3.1, 3.10.105, 3.11, 3.13, 4.4.1, 4.9, 4.20,
5.2.1, 5.3.1, 5.4, 5.10, 5.19, 6.1.0, 6.2.1 and 6.3.8, with ``mm/slab.h``
and ``mm/slab_common.c`` of 3.10, 4.4 and 6.2.  The machine is x86_64
(8-byte words, 64-byte cache lines, ``ARCH_KMALLOC_MINALIGN`` =
``ARCH_SLAB_MINALIGN`` = 8).

Two designs
-----------
:class:`Slob16` (2.6.16-2.6.22) [V 2.6.20, 2.6.22.15]
  A K&R heap: one address-ordered circular list of free blocks, counted in
  16-byte units (``slob_t`` is an int and a pointer), with the static
  ``arena`` sentinel and a roving ``slobfree`` pointer.  ``slob_alloc`` walks
  first-fit from the block after ``slobfree``; a full lap takes a new page
  (``__get_free_page``) and frees it into the list.  Freed blocks are merged
  with their neighbours, so pages merge into longer blocks.  Pages go back
  only through ``slob_timer_cbk`` (every second in the kernel; call
  :meth:`Slob16.slob_timer_cbk` to run one tick), which can take back a
  whole free page.  ``kmalloc`` puts a one-unit header (the unit count)
  before the object; sizes from PAGE_SIZE - 16 get pages of their own
  (``bigblock``, whose descriptor is itself a SLOB block), with order
  ``find_order(size)`` until 2.6.21 -- which halves the size while it is
  above 4096, so 8193 bytes get an order-1 block of 8192 -- and
  ``get_order`` in 2.6.22.  ``ksize`` returns the block's units times 16,
  the header included.  ``kmalloc(0)`` is a one-unit block (no
  ZERO_SIZE_PTR), so ``kfree(ZERO_SIZE_PTR)`` reads the unit count at
  address 0 and oopses.  ``kzalloc`` is ``kmalloc`` plus ``memset``
  (``__GFP_ZERO`` zeroes only fresh pages); ``krealloc`` (2.6.22) always
  moves and returns NULL for size 0.
:class:`Slob23` (2.6.23-6.3) [V 2.6.23.17-6.3.8]
  Pages from ``alloc_pages`` on a list of partially free pages; inside each
  page an address-ordered list of free blocks in 2-byte units (``slobidx_t``
  is s16: 2048 units a page).  ``slob_alloc`` skips pages with too few free
  units, tries a first fit in each, and rotates the list so the page that
  served (next-fit) comes first; a page whose last unit goes leaves the
  list, and before 5.2 the list is then rotated to the page after it.  A
  freed block goes back in address order, merged with its neighbours; a page
  whose units are all free again goes straight back to the page allocator; a
  full page that gets a block back goes to the head of a list.  From 2.6.26
  there are three lists, by the size asked of ``slob_alloc``: below 256
  bytes, below 1024, the rest; until 2.6.39 [S: 2.6.34 and 2.6.39 read] a
  full page getting a block back goes on the small list whatever the size.
  ``kmalloc`` stores the size (an ``unsigned int``) in an 8-byte header and
  returns what follows; sizes from PAGE_SIZE - 8 get compound pages of
  their own; ``kmalloc(0)`` is ZERO_SIZE_PTR.  From 5.4 (59bb47985c1d) a
  power-of-two size is aligned to itself.

Per-era details, each written where it changed: 2.6.23-2.6.25 ``kmalloc``
returns ``(void *)8`` when it fails (the header offset added to NULL;
2.6.26 returns NULL) and frees before the first free block do not merge
with it (2.6.26 merges them); ``ksize`` in 2.6.23-2.6.26 reads the s16 two
bytes before the object and adds 2 (the header holds the size in its first
four bytes, so this is whatever the bytes 6 and 7 of the header held) --
2.6.27 reads the header -- which makes 2.6.23-2.6.26's ``krealloc`` copy
that many bytes; large kmallocs keep their size in ``page->private`` for
``ksize`` until 3.8 [S: 999d8795d438], then ``ksize`` is PAGE_SIZE << order;
the ``kmem_cache`` descriptor is a 32-byte SLOB block (8-aligned from
2.6.26) until 3.7, then an object of the boot cache ``kmem_cache`` (64
bytes, 56 from 4.15's 4-byte ``slab_flags_t``) with the name ``kstrdup``'d
by kmalloc until 4.0 (``kstrdup_const`` keeps a literal) [S: 3.1 and 3.10
read, 3.13 and 4.4 read]; ``SLAB_HWCACHE_ALIGN`` aligns to the 64-byte line
until 3.7, then to ``calculate_alignment``'s halved line; objects are
8-aligned at least from 2.6.23; ``SLAB_DESTROY_BY_RCU`` caches (from 2.6.22)
get a 24-byte ``slob_rcu`` footer; 6.1 rounds the cache's size to the unit;
from 5.4 (6a486c0ad4dc) SLOB's pages, large kmallocs included, count as
``NR_SLAB_UNRECLAIMABLE`` (before that SLOB counted nothing: /proc/meminfo
says ``Slab: 0 kB``).

The heap of free blocks is kept as Python lists, and the kmalloc header is
written to memory as the kernel writes it.  What SLOB never checked, it does
not check here either: a double free, a ``kfree`` of a pointer kmalloc did
not return, a ``kfree`` of a ``kmem_cache_alloc`` object, print nothing.  The
kernel then freed whatever size the word before the pointer claimed and
corrupted its lists; the model leaves its heap as it was and records the
corruption, which :meth:`SlobAllocator.check` (``kernel.check()``) reports.
Not modelled: RCU grace periods (a ``SLAB_DESTROY_BY_RCU`` object is freed at
once), NUMA nodes, the ``WARN_ON_ONCE`` of a constructor with
``__GFP_ZERO`` (6.x), kmemleak/tracing, 2.6.16-2.6.22 handing the one-unit
``arena`` sentinel itself to a one-unit request, 2.6.23's list rotation
after the last page of the list filled up (modelled as 2.6.24's), and the
cache flags passed as the gfp mask of the descriptor's allocation before
2.6.28 (GFP_KERNEL here).
"""

from __future__ import annotations

import struct
from bisect import bisect_left
from typing import Any, Callable

from linuxmm import hookimpl
from linuxmm.checks import check_addr, check_gfp
from linuxmm.errors import ArgumentError, ConfigError, KernelOops, NotInThisKernel
from linuxmm.gfp import __GFP_ZERO, GFP_KERNEL
from linuxmm.machine import PAGE_SHIFT, PAGE_SIZE
from linuxmm.records import Implementation
from linuxmm.slab import (ALIGN, SLAB_DESTROY_BY_RCU, SLAB_HWCACHE_ALIGN, SLAB_MUST_HWCACHE_ALIGN, SLAB_PANIC,
                          ZERO_SIZE_PTR, SlabAllocator, SlabCache, get_order)

_GFP_ZERO = __GFP_ZERO
_U32 = struct.Struct("<I")
_S16 = struct.Struct("<h")
_I32 = struct.Struct("<i")
_SIZE_T = (1 << 64) - 1
_GFP_MAX = 0xFFFFFFFF  # a gfp_t (checks.check_gfp): a larger mask takes the slow path, which refuses it

SLOB_BREAK1 = 256
SLOB_BREAK2 = 1024
MINALIGN = 8  # max(ARCH_KMALLOC_MINALIGN, ARCH_SLAB_MINALIGN) on x86_64
L1_CACHE_BYTES = 64
UNITS_PER_PAGE = PAGE_SIZE // 2  # SLOB_UNITS(PAGE_SIZE) with the 2-byte slob_t of 2.6.23+
SLOB_RCU_SIZE = 24  # struct slob_rcu: an rcu_head (two pointers) and an int
BIGBLOCK_SIZE = 24  # 2.6.16-2.6.22 struct bigblock: order, pages, next
#: Where 2.6.16-2.6.22's static ``arena`` sentinel sits: in the kernel image, above the direct map.
ARENA = 0xFFFFFFFF80600000

#: SLOB's per-cache counters (the kernel kept none; these are the model's, with the names every era shares).
STAT_ITEMS = ("allocs", "frees", "alloc_fastpath", "alloc_slowpath", "free_fastpath", "free_slowpath",
              "slabs_created", "slabs_destroyed", "alloc_large", "free_large")
(ALLOCS, FREES, ALLOC_FAST, ALLOC_SLOW, FREE_FAST, FREE_SLOW, SLABS_CREATED, SLABS_DESTROYED, ALLOC_LARGE,
 FREE_LARGE) = range(len(STAT_ITEMS))


class SlobCache(SlabCache):
    """SLOB's ``struct kmem_cache``: size, alignment, flags, constructor -- no slabs of its own.

    ``addr`` is where the descriptor lives (a SLOB block), ``name_addr`` the
    kmalloc'd copy of the name (3.7-3.19), ``stat`` the model's counters.
    """

    #: SLOB caches have no slabs: objects come from the shared heap (``objects`` stays 0)
    slabless = True

    def __init__(self, name: str, object_size: int, size: int, align: int, flags: int,
                 ctor: Callable[[int], Any] | None, addr: int, name_addr: int) -> None:
        super().__init__(name, object_size, size, align, flags, ctor)
        self.addr = addr
        self.name_addr = name_addr
        self.large = size >= PAGE_SIZE
        self.order = get_order(size) if self.large else 0
        self.stat = [0] * len(STAT_ITEMS)

    def summary(self) -> str:
        where = f"pages of order {self.order}" if self.large else "the shared SLOB heap"
        return f"object size {self.size}, aligned to {self.align or 'the unit'}, from {where}"

    def stats(self) -> dict[str, int]:
        return dict(zip(STAT_ITEMS, self.stat))


class SlobAllocator(SlabAllocator):
    """What both SLOB designs share: the descriptor, large blocks, counters, accounting."""

    name = "SLOB"
    source_file = "mm/slob.c"
    #: SLOB_UNIT in bytes
    unit = 2
    #: the struct kmem_cache SLOB allocates from its own heap: size, align, flags, name, ctor
    #: [V 2.6.16, 2.6.23]; Slob23 sets the later eras' size
    sizeof_cache = 32

    def __init__(self, kernel: Any) -> None:
        super().__init__(kernel)
        has = kernel.has
        self.booted = True  # kmem_cache_init allocates nothing under SLOB
        # SLOB never looked at init_on_alloc/init_on_free [V 5.4, 6.2 mm/slob.c]
        self.init_on_alloc = self.init_on_free = False
        self.zero_size_ptr = has("v2.6.23")  # 6cb8f91320d3 [V 2.6.22.15 vs 2.6.23.17]
        self.rcu_footer = has("v2.6.22")  # slob_rcu [V 2.6.20 vs 2.6.22.15]
        self.hwcache_flag = SLAB_HWCACHE_ALIGN if has("v2.6.22") else SLAB_MUST_HWCACHE_ALIGN  # [V]
        self.zero_tail_on_shrink = has("v6.0")
        self.slabinfo_version = None
        self.no_slabinfo_reason = (f"/proc/slabinfo is not in this {kernel.version} kernel: SLOB does not "
                                   f"provide it (the file needs CONFIG_SLAB, later CONFIG_SLAB or "
                                   f"CONFIG_SLUB_DEBUG)")
        self.refuse_slub_params()
        for call, since in (("krealloc", "v2.6.22"), ("kmem_cache_zalloc", "v2.6.17")):
            if not has(since):
                setattr(self, call, self._not_yet(call, since))
        self.slob_caches: list[SlobCache] = []
        self.kblocks: dict[int, int] = {}  # kmalloc block (header address) -> the size in its header
        self.cblocks: dict[int, SlobCache] = {}  # kmem_cache_alloc object -> its cache
        self.large: dict[int, tuple[int, int, int, Any]] = {}  # page number of the head -> head, order, size, owner
        self.corruptions: list[str] = []
        self.kstat = [0] * len(STAT_ITEMS)
        self.mstat = [0] * len(STAT_ITEMS)  # the descriptors' own allocations
        self.alloc_hooks: list[Callable[[Any, int], bool]] = []
        self.phys_pages = self.phys.pages  # page number -> contents, for the kmalloc header
        self.counters.declare("slob_pages_allocated", "slob_pages_freed")

    def _not_yet(self, call: str, since: str) -> Callable[..., Any]:
        def missing(*args: Any, **kwargs: Any) -> Any:
            raise NotInThisKernel(f"{call}() is not in {self.kernel.version}: it appeared in {since}")
        missing.__name__ = call
        missing.not_in_this_kernel = True  # type: ignore[attr-defined]  (kernel.provides() says False)
        return missing

    def _build_fast_paths(self) -> None:
        """SLOB has no per-CPU state: its kernel functions are plain methods."""

    def switch_cpu(self, cpu: int) -> None:
        """``kernel.on_cpu``: SLOB's heap is shared by every CPU, so only the current CPU changes."""
        self.cpu = cpu

    def register_alloc_hook(self, hook: Callable[[Any, int], bool]) -> None:
        """An allocation hook (failslab, KASAN): while one is registered, every call takes the checked path."""
        self.alloc_hooks.append(hook)

    # -- corruption the kernel did not detect ------------------------------------------------------
    def corrupt(self, what: str, consequence: str = "corrupts its free list") -> None:
        """Record a free the kernel would have done blindly (see the module docstring)."""
        self.corruptions.append(f"{what}; SLOB does not check this and {consequence} (the model left its heap "
                                f"unchanged)")

    def oops_read(self, addr: int, where: str) -> None:
        """An x86_64 oops on a kernel read at ``addr`` (the first lines of ``__die``)."""
        what = "NULL pointer dereference" if addr < PAGE_SIZE else "paging request"
        printk = self.kernel.dmesg.printk
        printk(f"Unable to handle kernel {what} at {addr:016x} RIP: ")
        printk(f" [<ffffffff80000000>] {where}")
        printk("Oops: 0000 [1] ")
        raise KernelOops(f"Oops: kernel {what} at {addr:016x} in {where}; the task was killed")

    # -- large blocks: pages of their own ------------------------------------------------------------
    def large_alloc(self, gfp: int, order: int, size: int, owner: Any) -> int:
        addr = self.pa.alloc_block(order, gfp)
        if not addr:
            return 0
        self.large[addr >> PAGE_SHIFT] = (addr, order, size, owner)
        self.large_pages += 1 << order
        return addr

    def large_free(self, addr: int) -> bool:
        big = self.large.pop(addr >> PAGE_SHIFT, None)
        if big is None or big[0] != addr:
            if big is not None:
                self.large[addr >> PAGE_SHIFT] = big
            return False
        self.large_pages -= 1 << big[1]
        self.pa.free_block(addr, big[1])
        return True

    # -- the descriptor --------------------------------------------------------------------------------
    def check_create(self, name: Any, size: Any, align: Any, flags: Any, ctor: Any) -> tuple[str, int, int, int]:
        name, size, align, flags = super().check_create(name, size, align, flags, ctor)
        if size >= 1 << 31:
            raise ArgumentError(f"kmem_cache_create: size {size} does not fit SLOB's unsigned int size field")
        return name, size, align, flags

    def cache_size(self, size: int, flags: int) -> int:
        if flags & SLAB_DESTROY_BY_RCU and self.rcu_footer:
            size += SLOB_RCU_SIZE  # room for the rcu footer at the end of the object
        return size

    def kmem_cache_shrink(self, c: Any) -> int:
        """``kmem_cache_shrink``: SLOB has nothing to shrink (returns 0)."""
        self.check_cache("kmem_cache_shrink", c, SlobCache)
        return 0

    # -- reports ------------------------------------------------------------------------------------
    def meminfo(self) -> dict[str, int]:
        """``Slab``/``SReclaimable``/``SUnreclaim`` in kB: zero until 5.4, SLOB's pages and large blocks after."""
        if not self.account_large:
            return {"Slab": 0, "SReclaimable": 0, "SUnreclaim": 0}
        kb = PAGE_SIZE >> 10
        unrec = (self.slab_pages() + self.large_pages) * kb
        return {"Slab": unrec, "SReclaimable": 0, "SUnreclaim": unrec}

    def caches(self) -> list[SlobCache]:
        return list(self.slob_caches)

    def slabinfo_rows(self) -> list:
        raise NotInThisKernel(self.no_slabinfo_reason)

    def cache_stats(self, name: str) -> dict[str, int]:
        """The model's counters for cache ``name``, or for ``"kmalloc"`` (every kmalloc size together).

        ``alloc_fastpath`` counts objects found room for in a page already on
        a list, ``alloc_slowpath`` those that took a new page;
        ``free_slowpath`` frees that gave a page back or put a full page back
        on a list; ``slabs_created``/``slabs_destroyed`` the pages this
        cache's calls took and gave back (SLOB's pages are shared by every
        cache); ``alloc_large``/``free_large`` objects on pages of their own.
        """
        if name == "kmalloc":
            return dict(zip(STAT_ITEMS, self.kstat))
        for c in self.slob_caches:
            if c.name == name:
                return c.stats()
        raise ArgumentError(f"no slab cache named {name!r} in this kernel (SLOB keeps counters for its caches "
                            f"and for \"kmalloc\")")

    def audit(self) -> list[str]:
        return super().audit() + list(self.corruptions)

    #: kmem_cache_free returns at once for pointers up to this one (NULL)
    null_ptr_max = 0

    def free_cache_block(self, b: int, size: int, st: list[int]) -> None:
        """Give a cache object of ``size`` bytes back to the design's heap."""
        raise NotImplementedError

    def kmem_cache_destroy(self, c: Any) -> None:
        """``kmem_cache_destroy``: the descriptor goes back; objects still allocated are not checked."""
        if c is None:
            return
        c = self.check_cache("kmem_cache_destroy", c, SlobCache)
        c.dead = True
        self.slob_caches.remove(c)
        if c.name_addr:
            self.kfree(c.name_addr)
        self.free_cache_block(c.addr, self.sizeof_cache, self.mstat)

    def kmem_cache_free(self, c: SlobCache, b: int) -> None:
        """``kmem_cache_free``: ``c->size`` bytes back to the heap (pages of their own back whole)."""
        c = self.check_cache("kmem_cache_free", c, SlobCache) if type(c) is not SlobCache or c.dead else c
        if type(b) is not int or b < 0 or b > _SIZE_T:
            check_addr(b, "kmem_cache_free", "objp")
        if b <= self.null_ptr_max:
            return
        st = c.stat
        if c.large:
            big = self.large.get(b >> PAGE_SHIFT)
            if big is not None and big[0] == b and big[3] is c:
                self.large_free(b)
                st[FREES] += 1
                st[FREE_LARGE] += 1
                return
        elif self.cblocks.get(b) is c:
            del self.cblocks[b]
            st[FREES] += 1
            self.free_cache_block(b, c.size, st)
            return
        self.corrupt(f"kmem_cache_free({c.name}, {b:#x}) of an object this cache did not hand out (or one freed "
                     f"already)")


class Slob23(SlobAllocator):
    """mm/slob.c of 2.6.23-6.3: pages on next-fit lists, first fit inside a page (see the module docstring)."""

    unit = 2

    def __init__(self, kernel: Any) -> None:
        super().__init__(kernel)
        has = kernel.has
        # -- era flags -----------------------------------------------------------------------------
        self.three_lists = has("v2.6.26")  # small/medium/large lists [V 2.6.24 vs 2.6.26]
        self.merge_before_first = has("v2.6.26")  # a block freed before sp->free merges with it [V]
        self.refill_by_size = has("v2.6.39")  # a full page getting a block back: list by size [S: V 2.6.34/2.6.39]
        self.rotate_after_removal = not has("v5.2")  # list_rotate_to_front skips a page that left [S: V 5.2.1]
        self.null_on_failure = has("v2.6.26")  # kmalloc returned (void *)8 before [V 2.6.24 vs 2.6.26]
        self.ksize_reads_header = has("v2.6.27")  # [V 2.6.26 vs 2.6.27.57]
        self.large_size_in_private = not has("v3.8")  # page->private [S: 999d8795d438; V 2.6.34 vs 3.10]
        self.common_code = has("v3.7")  # slab_common.c's kmem_cache_create [S: V 3.1 vs 3.10]
        self.kstrdup_name = self.common_code and not has("v4.0")  # [S: V 3.13 kstrdup, 4.4 kstrdup_const]
        self.natural_align = has("59bb47985c1d")  # power-of-two kmalloc aligned to itself [V 5.3.1 vs 5.4]
        self.round_cache_size = has("v6.1")  # c->size = SLOB_UNITS(size) * SLOB_UNIT [V 5.19 vs 6.1.0; S]
        self.ksize_null_bug = has("v2.6.24") and not has("v6.1")  # BUG_ON(!block); 6.1's ksize() returns 0 [V]
        self.comp_order0 = not has("v3.8")  # __GFP_COMP on order-0 large kmallocs too [V 2.6.34 vs 3.10; S]
        if self.common_code:
            self.sizeof_cache = 56 if has("v4.15") else 64  # mm/slab.h's SLOB struct kmem_cache [V 3.10, 6.2]
            self.cache_struct_align = MINALIGN  # kmem_cache_boot.align = ARCH_KMALLOC_MINALIGN [V 3.10]
        else:
            self.sizeof_cache = 32  # size, align, flags, name, ctor [V 2.6.23]
            self.cache_struct_align = MINALIGN if has("v2.6.26") else 0  # [V 2.6.24 vs 2.6.26]
        self.kmalloc_slob_limit = PAGE_SIZE - MINALIGN
        self.pages: dict[int, SlobPage] = {}
        self.free_slob_small: list[SlobPage] = []
        self.free_slob_medium = self.free_slob_small if not self.three_lists else []
        self.free_slob_large = self.free_slob_small if not self.three_lists else []

    # -- the heap ------------------------------------------------------------------------------------
    def slob_list(self, size: int) -> list["SlobPage"]:
        if size < SLOB_BREAK1:
            return self.free_slob_small
        if size < SLOB_BREAK2:
            return self.free_slob_medium
        return self.free_slob_large

    def slob_alloc(self, size: int, gfp: int, align: int, align_offset: int, st: list[int]) -> int:
        """``slob_alloc``: next fit over the pages of the size's list, first fit inside the page."""
        units = (size + 1) >> 1
        lst = self.slob_list(size)
        b = 0
        walked = 0
        for i, sp in enumerate(lst):
            walked += 1
            if sp.units < units:
                continue
            b = self.slob_page_alloc(sp, units, align, align_offset)
            if not b:
                continue
            if sp.list is None:  # the page filled up and left the list
                if self.rotate_after_removal and 0 < i < len(lst):
                    lst[:] = lst[i:] + lst[:i]
            elif i:
                lst[:] = lst[i:] + lst[:i]
            st[ALLOC_FAST] += 1
            break
        self.counters["list_walks"] += walked
        if not b:
            addr = self.kmem_getpages(0, gfp & ~_GFP_ZERO, False)
            if not addr:
                return 0
            self.counters["slob_pages_allocated"] += 1
            sp = SlobPage(addr)
            self.pages[addr >> PAGE_SHIFT] = sp
            sp.list = lst
            lst.insert(0, sp)
            b = self.slob_page_alloc(sp, units, align, align_offset)
            st[ALLOC_SLOW] += 1
            st[SLABS_CREATED] += 1
        if gfp & _GFP_ZERO:
            self.zero_object(b, size)
        return b

    def slob_page_alloc(self, sp: "SlobPage", units: int, align: int, align_offset: int) -> int:
        """``slob_page_alloc``: the first free block of ``sp`` that holds ``units`` at the alignment."""
        free = sp.free
        base = sp.addr
        for j, blk in enumerate(free):
            off, avail = blk
            delta = 0
            if align:
                cur = base + (off << 1) + align_offset
                delta = (((cur + align - 1) & -align) - cur) >> 1
            if avail >= units + delta:
                if delta:  # split off the unaligned head, which stays free
                    blk[1] = delta
                    off += delta
                    avail -= delta
                    j += 1
                    free.insert(j, [off, avail])
                if avail == units:
                    del free[j]
                elif delta:
                    free[j] = [off + units, avail - units]
                else:
                    blk[0] = off + units
                    blk[1] = avail - units
                sp.units -= units
                if not sp.units:
                    sp.list.remove(sp)
                    sp.list = None
                return base + (off << 1)
        return 0

    def slob_free(self, b: int, size: int, st: list[int]) -> None:
        """``slob_free``: back into the page's free list in address order, merged; a free page goes back."""
        sp = self.pages[b >> PAGE_SHIFT]
        units = (size + 1) >> 1
        if sp.units + units == UNITS_PER_PAGE:
            if sp.list is not None:
                sp.list.remove(sp)
                sp.list = None
            del self.pages[sp.addr >> PAGE_SHIFT]
            self.kmem_freepages(sp.addr, 0, False)
            self.counters["slob_pages_freed"] += 1
            st[FREE_SLOW] += 1
            st[SLABS_DESTROYED] += 1
            return
        off = (b - sp.addr) >> 1
        if sp.list is None:  # a full page becomes partially free
            sp.units = units
            sp.free = [[off, units]]
            lst = self.slob_list(size) if self.refill_by_size else self.free_slob_small
            sp.list = lst
            lst.insert(0, sp)
            st[FREE_SLOW] += 1
            return
        st[FREE_FAST] += 1
        sp.units += units
        free = sp.free
        first = free[0]
        if off < first[0]:
            if self.merge_before_first and off + units == first[0]:
                first[0] = off
                first[1] += units
            else:
                free.insert(0, [off, units])
            return
        j = bisect_left(free, [off]) - 1
        self.counters["list_walks"] += j + 1
        prev = free[j]
        if j + 1 < len(free) and off + units == free[j + 1][0]:
            units += free[j + 1][1]
            del free[j + 1]
        if prev[0] + prev[1] == off:
            prev[1] += units
        else:
            free.insert(j + 1, [off, units])

    def free_overlaps(self, b: int, units: int) -> bool:
        """Whether ``units`` at ``b`` overlap a free block of their page (a double free)."""
        sp = self.pages.get(b >> PAGE_SHIFT)
        if sp is None:
            return True
        off = (b - sp.addr) >> 1
        for start, n in sp.free:
            if start < off + units and off < start + n:
                return True
        return False

    # -- kmalloc -------------------------------------------------------------------------------------
    def kmalloc(self, size: int, flags: int) -> int:
        """``__kmalloc``: an 8-byte header with the size, then the object; pages from PAGE_SIZE - 8."""
        if (type(size) is not int or type(flags) is not int or size < 0 or flags < 0 or size > _SIZE_T
                or flags > _GFP_MAX or self.alloc_hooks):
            return self.kmalloc_slow(size, flags)
        if size < self.kmalloc_slob_limit:
            if not size:
                return ZERO_SIZE_PTR
            align = MINALIGN
            if self.natural_align and not size & (size - 1) and size > MINALIGN:
                align = size
            st = self.kstat
            m = self.slob_alloc(size + MINALIGN, flags, align, MINALIGN if self.natural_align else 0, st)
            if not m:
                return 0 if self.null_on_failure else MINALIGN
            ph = m - self.page_offset  # *m = size
            pg = self.phys_pages.get(ph >> PAGE_SHIFT)
            _U32.pack_into(pg if pg is not None else self.phys.page(ph >> PAGE_SHIFT), ph & (PAGE_SIZE - 1), size)
            self.kblocks[m] = size
            st[ALLOCS] += 1
            return m + MINALIGN
        return self.kmalloc_large(size, flags)

    def kmalloc_slow(self, size: Any, flags: Any) -> int:
        self.check_kmalloc("kmalloc", size, flags)
        for hook in self.alloc_hooks:
            if hook(None, flags):
                return 0
        hooks, self.alloc_hooks = self.alloc_hooks, []
        try:
            return self.kmalloc(size, flags)
        finally:
            self.alloc_hooks = hooks

    def kmalloc_large(self, size: int, flags: int) -> int:
        order = get_order(size)
        if order or self.comp_order0:
            flags |= 0x4000  # __GFP_COMP
        addr = self.large_alloc(flags, order, size, None)
        if addr:
            self.kstat[ALLOC_LARGE] += 1
            self.kstat[ALLOCS] += 1
        return addr

    def kfree(self, block: int) -> None:
        """``kfree``: the size in the header says how much goes back; a page of its own goes back whole."""
        if type(block) is not int or block < 0 or block > _SIZE_T:
            check_addr(block, "kfree", "objp")
        if block <= ZERO_SIZE_PTR:
            return
        m = block - MINALIGN
        size = self.kblocks.pop(m, None)
        if size is not None:
            st = self.kstat
            st[FREES] += 1
            self.slob_free(m, size + MINALIGN, st)
            return
        self.kfree_other(block)

    def kfree_other(self, block: int) -> None:
        if (block >> PAGE_SHIFT) in self.pages:
            if block in self.cblocks:
                what = "a kmem_cache_alloc object (SLOB's kfree takes kmalloc blocks only)"
            elif self.free_overlaps(block - MINALIGN, 1):
                what = "a block that is free (a double free)"
            else:
                what = "a pointer kmalloc did not return"
            self.corrupt(f"kfree({block:#x}) of {what}")
            return
        big = self.large.get(block >> PAGE_SHIFT)
        if big is not None and big[0] == block and big[3] is None:
            self.large_free(block)
            self.kstat[FREES] += 1
            self.kstat[FREE_LARGE] += 1
            return
        self.corrupt(f"kfree({block:#x}) of a pointer in no SLOB page and no kmalloc'd block",
                     "frees that page to the page allocator")

    def ksize(self, block: int) -> int:
        """``ksize``: the header's size rounded to the unit (2.6.27+), or 2.6.23-2.6.26's s16 reading."""
        check_addr(block, "ksize", "objp")
        if block == 0 and self.ksize_null_bug:
            self.kernel.bug("mm/slob.c")
        if block <= ZERO_SIZE_PTR:
            return 0
        if (block >> PAGE_SHIFT) in self.pages:
            if self.ksize_reads_header:
                v = _U32.unpack(self.peek(block - MINALIGN, 4))[0]
                return ((v + 1) >> 1) << 1
            v = _S16.unpack(self.peek(block - 2, 2))[0]
            return (v + 2) & _SIZE_T
        big = self.large.get(block >> PAGE_SHIFT)
        kmalloced = big is not None and big[3] is None
        if self.large_size_in_private:  # page->private: the size kmalloc stored, 0 on any other page
            return big[2] if kmalloced else 0
        return PAGE_SIZE << big[1] if kmalloced else PAGE_SIZE  # compound_order(), 0 for a plain page

    # -- kmem_cache -----------------------------------------------------------------------------------
    def kmem_cache_create(self, name: str, size: int, align: int = 0, flags: int = 0,
                          ctor: Callable[[int], Any] | None = None) -> SlobCache | None:
        """``kmem_cache_create``: a descriptor from the heap; the objects come from the heap too."""
        name, size, align, flags = self.check_create(name, size, align, flags, ctor)
        name_addr = 0
        if self.common_code:  # kmem_cache_zalloc(kmem_cache), calculate_alignment [V 3.10]
            addr = self.slob_alloc(self.sizeof_cache, GFP_KERNEL | _GFP_ZERO, self.cache_struct_align, 0, self.mstat)
            if addr and self.kstrdup_name:
                name_addr = self.kmalloc(len(name.encode()) + 1, GFP_KERNEL)
                if name_addr:
                    self.phys.write(name_addr - self.page_offset, name.encode() + b"\0")
            if flags & SLAB_HWCACHE_ALIGN:
                ralign = L1_CACHE_BYTES
                while size <= ralign // 2:
                    ralign //= 2
                align = max(align, ralign)
            calign = ALIGN(max(align, MINALIGN), 8)
        else:
            addr = self.slob_alloc(self.sizeof_cache, GFP_KERNEL, self.cache_struct_align, 0, self.mstat)
            calign = L1_CACHE_BYTES if flags & self.hwcache_flag else 0
            calign = max(calign, MINALIGN, align)
        if not addr:
            if flags & SLAB_PANIC:
                self.kernel.panic(f"Cannot create slab cache {name}")
            return None
        csize = self.cache_size(size, flags)
        if self.round_cache_size:
            csize = (csize + 1) & ~1
        c = SlobCache(name, size, csize, calign, flags, ctor, addr, name_addr)
        self.slob_caches.append(c)
        return c

    def kmem_cache_alloc(self, c: SlobCache, flags: int) -> int:
        """``kmem_cache_alloc``: ``slob_alloc`` at the cache's alignment (pages from PAGE_SIZE); the ctor each time."""
        try:
            if c.dead or type(flags) is not int or flags < 0 or flags > _GFP_MAX or self.alloc_hooks:
                return self.kmem_cache_alloc_slow(c, flags)
            st = c.stat
            if not c.large:
                b = self.slob_alloc(c.size, flags, c.align, 0, st)
                if b:
                    self.cblocks[b] = c
            else:
                b = self.large_alloc(flags, c.order, c.size, c)
                if b:
                    st[ALLOC_LARGE] += 1
            if b:
                st[ALLOCS] += 1
                if c.ctor is not None:
                    c.ctor(b)
            return b
        except AttributeError:
            self.check_cache("kmem_cache_alloc", c, SlobCache)
            raise

    def kmem_cache_alloc_slow(self, c: Any, flags: Any) -> int:
        c = self.check_cache("kmem_cache_alloc", c, SlobCache)
        check_gfp(flags, "kmem_cache_alloc", "flags")
        for hook in self.alloc_hooks:
            if hook(c, flags):
                return 0
        hooks, self.alloc_hooks = self.alloc_hooks, []
        try:
            return self.kmem_cache_alloc(c, flags)
        finally:
            self.alloc_hooks = hooks

    #: kmem_cache_free ignores ZERO_SIZE_PTR as it ignores NULL (2.6.23 on)
    null_ptr_max = ZERO_SIZE_PTR

    def free_cache_block(self, b: int, size: int, st: list[int]) -> None:
        self.slob_free(b, size, st)

    # -- accounting -------------------------------------------------------------------------------------
    def objects_pages(self) -> int:
        return len(self.pages)

    def audit_caches(self) -> list[str]:
        problems = []
        used: dict[int, int] = {}
        for m, size in self.kblocks.items():
            used[m >> PAGE_SHIFT] = used.get(m >> PAGE_SHIFT, 0) + ((size + MINALIGN + 1) >> 1)
        for b, c in self.cblocks.items():
            used[b >> PAGE_SHIFT] = used.get(b >> PAGE_SHIFT, 0) + ((c.size + 1) >> 1)
        for c in self.slob_caches:  # the descriptors
            used[c.addr >> PAGE_SHIFT] = used.get(c.addr >> PAGE_SHIFT, 0) + ((self.sizeof_cache + 1) >> 1)
        lists = [self.free_slob_small] + ([self.free_slob_medium, self.free_slob_large] if self.three_lists else [])
        listed = [sp for lst in lists for sp in lst]
        if len(listed) != len(set(map(id, listed))):
            problems.append("a SLOB page is on the free lists twice")
        for pfn, sp in self.pages.items():
            free = sum(n for _, n in sp.free) if sp.list is not None else 0
            if free != sp.units and sp.list is not None:
                problems.append(f"page {sp.addr:#x}: {sp.units} free units counted, {free} in its free blocks")
            if sp.list is None and sp.units:
                problems.append(f"page {sp.addr:#x}: {sp.units} units free but on no list")
            if sp.list is not None and not any(sp is x for x in sp.list):
                problems.append(f"page {sp.addr:#x}: not on the list it names")
            if used.get(pfn, 0) + (sp.units if sp.list is not None else 0) != UNITS_PER_PAGE:
                problems.append(f"page {sp.addr:#x}: {used.get(pfn, 0)} units in use + {sp.units} free != "
                                f"{UNITS_PER_PAGE}")
            end = 0
            for off, n in sp.free if sp.list is not None else ():
                if off < end or n <= 0 or off + n > UNITS_PER_PAGE:
                    problems.append(f"page {sp.addr:#x}: free block at unit {off} overlaps or leaves the page")
                end = off + n
        for sp in listed:
            if self.pages.get(sp.addr >> PAGE_SHIFT) is not sp:
                problems.append(f"page {sp.addr:#x} is listed but not a SLOB page")
        return problems


class SlobPage:
    """The SLOB fields of ``struct page`` (``struct slab`` in 6.x): free units, the free blocks, the list."""

    __slots__ = ("addr", "units", "free", "list")

    def __init__(self, addr: int) -> None:
        self.addr = addr
        self.units = UNITS_PER_PAGE
        self.free: list[list[int]] = [[0, UNITS_PER_PAGE]]  # [first unit, units], address order
        self.list: list[SlobPage] | None = None


class Slob16(SlobAllocator):
    """mm/slob.c of 2.6.16-2.6.22: one K&R heap of 16-byte units (see the module docstring)."""

    unit = 16

    def __init__(self, kernel: Any) -> None:
        super().__init__(kernel)
        has = kernel.has
        if kernel.nr_cpus > 1 and not has("81819f0fc828"):
            raise ConfigError(f"SLOB at {kernel.version} needs a uniprocessor kernel: its Kconfig entry depends on "
                              f"!SMP until v2.6.22 (81819f0fc828); boot with --cpus 1")
        self.find_order_era = not has("v2.6.22")  # find_order() until get_order() [V 2.6.20 vs 2.6.22.15]
        self.fstarts: list[int] = []  # free block addresses, ascending (the arena sentinel is above them all)
        self.funits: dict[int, int] = {}  # free block -> units
        self.slobfree = ARENA
        self.bigblocks: list[tuple[int, int, int]] = []  # newest first: (pages, order, descriptor block)
        self.heap_pages: set[int] = set()  # page numbers of the pages the heap took

    # -- the heap -------------------------------------------------------------------------------------
    def _pos(self, addr: int) -> int:
        """Position of a free block (or the arena, after them all) in the circular list."""
        return len(self.fstarts) if addr == ARENA else bisect_left(self.fstarts, addr)

    def slob_alloc(self, size: int, gfp: int, align: int, st: list[int]) -> int:
        """``slob_alloc``: first fit from the block after ``slobfree``, a new page after a full lap."""
        units = (size + 15) >> 4
        fstarts, funits = self.fstarts, self.funits
        pos = self._pos(self.slobfree)
        walked = 0
        took_page = False
        while True:
            n = len(fstarts)
            prev = fstarts[pos] if pos < n else ARENA
            pos = pos + 1 if pos < n else 0
            cur = fstarts[pos] if pos < n else ARENA
            walked += 1
            if cur != ARENA:  # (the model never hands out the one-unit arena sentinel)
                avail = funits[cur]
                delta = 0
                if align:
                    delta = (ALIGN(cur, align) - cur) >> 4
                if avail >= units + delta:
                    if delta:  # fragment the head to align
                        funits[cur] = delta
                        prev = cur
                        cur += delta << 4
                        avail -= delta
                        pos += 1
                        fstarts.insert(pos, cur)
                        funits[cur] = avail
                    del fstarts[pos]
                    del funits[cur]
                    if avail != units:  # the rest stays free
                        rest = cur + (units << 4)
                        fstarts.insert(pos, rest)
                        funits[rest] = avail - units
                    self.slobfree = prev
                    self.counters["list_walks"] += walked
                    st[ALLOC_SLOW if took_page else ALLOC_FAST] += 1
                    return cur
            if cur == self.slobfree:
                if size == PAGE_SIZE:  # the timer trying to shrink the arena
                    self.counters["list_walks"] += walked
                    return 0
                page = self.kmem_getpages(0, gfp & ~_GFP_ZERO, False)
                if not page:
                    self.counters["list_walks"] += walked
                    return 0
                if gfp & _GFP_ZERO:  # __get_free_page(gfp) zeroes the fresh page
                    self.zero_object(page, PAGE_SIZE)
                self.heap_pages.add(page >> PAGE_SHIFT)
                self.counters["slob_pages_allocated"] += 1
                st[SLABS_CREATED] += 1
                took_page = True
                self.slob_free(page, PAGE_SIZE)
                pos = self._pos(self.slobfree)

    def slob_free(self, b: int, size: int = 0, units: int = 0) -> None:
        """``slob_free``: into the circular list after its predecessor, merged with both neighbours."""
        if not b:
            return
        if size:
            units = (size + 15) >> 4
        fstarts, funits = self.fstarts, self.funits
        j = bisect_left(fstarts, b)
        self.counters["list_walks"] += (j - self._pos(self.slobfree)) % (len(fstarts) + 1) + 1
        prev = fstarts[j - 1] if j else ARENA  # the arena sits above every block: the predecessor of the lowest
        nxt = fstarts[j] if j < len(fstarts) else ARENA
        if nxt != ARENA and b + (units << 4) == nxt:
            units += funits.pop(nxt)
            del fstarts[j]
        if prev != ARENA and prev + (funits[prev] << 4) == b:
            funits[prev] += units
        else:
            fstarts.insert(j, b)
            funits[b] = units
        self.slobfree = prev

    def slob_timer_cbk(self) -> int:
        """One tick of ``slob_timer_cbk``: a whole free page, page-aligned, goes back to the page allocator.

        Returns the page's address, or 0 when the heap has no such page (the
        tick then does nothing, as in the kernel).
        """
        p = self.slob_alloc(PAGE_SIZE, 0, PAGE_SIZE - 1, self.kstat)
        if p:
            self.heap_pages.discard(p >> PAGE_SHIFT)
            self.kmem_freepages(p, 0, False)
            self.counters["slob_pages_freed"] += 1
            self.kstat[SLABS_DESTROYED] += 1
        return p

    def find_order(self, size: int) -> int:
        if not self.find_order_era:
            return get_order(size)
        order = 0
        while size > 4096:
            size >>= 1
            order += 1
        return order

    def block_overlaps(self, b: int, units: int) -> bool:
        j = bisect_left(self.fstarts, b)
        if j < len(self.fstarts) and self.fstarts[j] < b + (units << 4):
            return True
        if j:
            p = self.fstarts[j - 1]
            return p + (self.funits[p] << 4) > b
        return False

    # -- kmalloc -------------------------------------------------------------------------------------
    def kmalloc(self, size: int, flags: int) -> int:
        """``__kmalloc``: a one-unit header holding the units, then the object; a bigblock from PAGE_SIZE - 16."""
        if (type(size) is not int or type(flags) is not int or size < 0 or flags < 0 or size > _SIZE_T
                or flags > _GFP_MAX or self.alloc_hooks):
            return self.kmalloc_slow(size, flags)
        st = self.kstat
        if size < PAGE_SIZE - 16:
            m = self.slob_alloc(size + 16, flags, 0, st)
            if not m:
                return 0
            units = (size + 31) >> 4
            ph = m - self.page_offset  # m->units = units
            pg = self.phys_pages.get(ph >> PAGE_SHIFT)
            _I32.pack_into(pg if pg is not None else self.phys.page(ph >> PAGE_SHIFT), ph & (PAGE_SIZE - 1), units)
            self.kblocks[m] = units
            st[ALLOCS] += 1
            return m + 16
        bb = self.slob_alloc(BIGBLOCK_SIZE, flags, 0, st)
        if not bb:
            return 0
        order = self.find_order(size)
        pages = self.large_alloc(flags, order, size, None)
        if not pages:
            self.slob_free(bb, BIGBLOCK_SIZE)
            return 0
        self.bigblocks.insert(0, (pages, order, bb))
        st[ALLOCS] += 1
        st[ALLOC_LARGE] += 1
        return pages

    kmalloc_slow = Slob23.kmalloc_slow

    def kzalloc(self, size: int, flags: int) -> int:
        """``__kzalloc`` of mm/util.c: ``kmalloc`` then ``memset`` (SLOB ignored ``__GFP_ZERO`` then)."""
        if type(size) is not int or type(flags) is not int or not 0 <= size <= _SIZE_T or not 0 <= flags <= _GFP_MAX:
            self.check_kmalloc("kzalloc", size, flags)
        p = self.kmalloc(size, flags)
        if p:
            self.zero_object(p, size)
        return p

    def kfree(self, block: int) -> None:
        """``kfree``: a page-aligned pointer may be a bigblock; anything else has its header before it."""
        if type(block) is not int or block < 0 or block > _SIZE_T:
            check_addr(block, "kfree", "objp")
        if not block:
            return
        st = self.kstat
        if not block & (PAGE_SIZE - 1):
            for i, (pages, order, bb) in enumerate(self.bigblocks):
                if pages == block:
                    self.counters["list_walks"] += i + 1
                    del self.bigblocks[i]
                    self.large_free(block)
                    self.slob_free(bb, BIGBLOCK_SIZE)
                    st[FREES] += 1
                    st[FREE_LARGE] += 1
                    return
            self.counters["list_walks"] += len(self.bigblocks)
        m = block - 16
        units = self.kblocks.pop(m, None)
        if units is not None:
            st[FREES] += 1
            self.slob_free(m, 0, units)
            return
        if not self.valid_addr(m & _SIZE_T):
            self.oops_read(m & _SIZE_T, "slob_free")  # the unit count of the header, read in slob_free
        self.corrupt(f"kfree({block:#x}) of a block kmalloc did not return (or one freed already)")

    def ksize(self, block: int) -> int:
        """``ksize``: a bigblock's pages, or the header's units times 16 (the header included)."""
        check_addr(block, "ksize", "objp")
        if not block:
            return 0
        if not block & (PAGE_SIZE - 1):
            for pages, order, _ in self.bigblocks:
                if pages == block:
                    return PAGE_SIZE << order
        if not self.valid_addr((block - 16) & _SIZE_T):
            self.oops_read((block - 16) & _SIZE_T, "ksize")
        return _I32.unpack(self.peek(block - 16, 4))[0] * 16

    def krealloc(self, p: int, new_size: int, flags: int) -> int:
        """2.6.22 SLOB's own ``krealloc``: NULL for size 0, else always a new block with the old bytes."""
        self.check_ptr("krealloc", p)
        self.check_kmalloc("krealloc", new_size, flags)
        if not p:
            return self.kmalloc(new_size, flags)
        if not new_size:
            self.kfree(p)
            return 0
        ret = self.kmalloc(new_size, flags)
        if ret:
            n = min(new_size, self.ksize(p))
            self.phys.write(ret - self.page_offset, self.peek(p, n))
            self.counters["bytes_copied"] += n
            self.kfree(p)
        return ret

    # -- kmem_cache -----------------------------------------------------------------------------------
    def kmem_cache_create(self, name: str, size: int, align: int = 0, flags: int = 0,
                          ctor: Callable[[int], Any] | None = None) -> SlobCache | None:
        """``kmem_cache_create``: a 32-byte descriptor from the heap; alignment only when forced."""
        name, size, align, flags = self.check_create(name, size, align, flags, ctor)
        if not size:
            raise ArgumentError("kmem_cache_create: size 0: SLOB of this era would cut zero-unit blocks that break "
                                "its free list, which the model does not follow")
        addr = self.slob_alloc(self.sizeof_cache, GFP_KERNEL, 0, self.mstat)
        if not addr:
            if flags & SLAB_PANIC and self.rcu_footer:
                self.kernel.panic(f"Cannot create slab cache {name}")
            return None
        calign = max(L1_CACHE_BYTES if flags & self.hwcache_flag else 0, align)
        c = SlobCache(name, size, self.cache_size(size, flags), calign, flags, ctor, addr, 0)
        if c.large:
            c.order = self.find_order(c.size)
        self.slob_caches.append(c)
        return c


    def kmem_cache_alloc(self, c: SlobCache, flags: int) -> int:
        """``kmem_cache_alloc``: ``slob_alloc`` below PAGE_SIZE, ``__get_free_pages`` above; the ctor each time."""
        try:
            if c.dead or type(flags) is not int or flags < 0 or flags > _GFP_MAX or self.alloc_hooks:
                return self.kmem_cache_alloc_slow(c, flags)
            st = c.stat
            if not c.large:
                b = self.slob_alloc(c.size, flags, c.align, st)
                if b:
                    self.cblocks[b] = c
            else:
                b = self.large_alloc(flags, self.find_order(c.size), c.size, c)
                if b:
                    st[ALLOC_LARGE] += 1
            if b:
                st[ALLOCS] += 1
                if c.ctor is not None:
                    c.ctor(b)
            return b
        except AttributeError:
            self.check_cache("kmem_cache_alloc", c, SlobCache)
            raise

    kmem_cache_alloc_slow = Slob23.kmem_cache_alloc_slow

    def kmem_cache_zalloc(self, c: SlobCache, flags: int) -> int:
        """2.6.17-2.6.22 SLOB's ``kmem_cache_zalloc``: alloc, then ``memset`` of the cache's size."""
        if type(flags) is not int or not 0 <= flags <= _GFP_MAX:
            check_gfp(flags, "kmem_cache_zalloc", "flags")
        b = self.kmem_cache_alloc(c, flags)
        if b:
            self.zero_object(b, c.size)
        return b

    def free_cache_block(self, b: int, size: int, st: list[int]) -> None:
        self.slob_free(b, size)

    # -- accounting -------------------------------------------------------------------------------------
    def objects_pages(self) -> int:
        return len(self.heap_pages)

    def audit_caches(self) -> list[str]:
        problems = []
        used = sum(self.kblocks.values()) + sum((c.size + 15) >> 4 for c in self.cblocks.values())
        used += len(self.bigblocks) * ((BIGBLOCK_SIZE + 15) >> 4)
        used += sum((32 + 15) >> 4 for _ in self.slob_caches)
        free = sum(self.funits.values())
        total = len(self.heap_pages) * (PAGE_SIZE >> 4)
        if used + free != total:
            problems.append(f"heap: {used} units in use + {free} free != {total} in its {len(self.heap_pages)} pages")
        if sorted(self.funits) != self.fstarts:
            problems.append("heap: the free list is out of address order")
        end = 0
        for b in self.fstarts:
            if b < end:
                problems.append(f"heap: free block {b:#x} overlaps the one before it")
            if (b >> PAGE_SHIFT) not in self.heap_pages:
                problems.append(f"heap: free block {b:#x} is in no page of the heap")
            end = b + (self.funits[b] << 4)
        if self.slobfree != ARENA and self.slobfree not in self.funits:
            problems.append(f"heap: slobfree {self.slobfree:#x} is not a free block")
        return problems


def make_slob(kernel: Any) -> SlobAllocator:
    """The factory of the ``slob`` implementation: the K&R heap until 2.6.22, the page lists from 2.6.23."""
    if not kernel.has("v2.6.23"):
        return Slob16(kernel)
    return Slob23(kernel)


@hookimpl
def linuxmm_implementations():
    return [Implementation(
        subsystem="slab", name="slob", factory=make_slob, introduced="10cef6029502", removed="6630e950d532",
        kconfig="SLOB", default=False,
        api=("kmalloc", "kzalloc", "kfree", "krealloc", "ksize", "kmem_cache_create", "kmem_cache_alloc",
             "kmem_cache_zalloc", "kmem_cache_free", "kmem_cache_destroy", "kmem_cache_shrink"),
        summary="SLOB (mm/slob.c): a K&R heap of 16-byte units (2.6.16-2.6.22), then pages on next-fit lists "
                "with first fit inside (2.6.23-6.3)")]
