"""SLAB (mm/slab.c) from 2.4 to 6.7: object caches with per-CPU arrays, three slab lists, colouring.

One implementation, ``slab``, covers v2.2.0 to 6.7 (16a1d968358a removed the
file in 6.8); its factory builds :class:`Slab22` (Mark Hemment's 2.2 design,
:mod:`linuxmm_plugins.mm_slab_22`) before 2.4 and :class:`Slab26` from 2.4.
Sources read (docs/sources.md): ``mm/slab.c`` of 2.4.0, 2.6.20 (with
``include/linux/kmalloc_sizes.h``), 2.6.22-2.6.34, 3.10, 4.4 and 6.2/6.3
[V where marked].

What is modelled, per era
-------------------------
* ``struct array_cache`` per CPU (LIFO ``entry`` stack, ``limit``,
  ``batchcount``, ``touched``) sized by ``enable_cpucache``: limit 1 above
  128 KB, 8 above PAGE_SIZE, 24 above 1024, 54 above 256, else 120;
  batchcount ``(limit+1)/2``; a shared array of ``8*batchcount`` entries per
  node on SMP for objects up to PAGE_SIZE [V 2.6.20, 6.2].  2.4.0: arrays
  only on SMP, limit 252/124/60 (none above PAGE_SIZE), batchcount limit/2,
  no shared array [V 2.4.0].
* ``cache_alloc_refill``: at most BATCHREFILL_LIMIT 16 objects when the array
  was not touched, the shared array first, then the partial list, then the
  free list, then ``cache_grow``; objects go into the array in the order the
  slab hands them out, so the last one taken is used first [V 2.6.20].
* Frees: into the array while it has room; a full array gives its oldest
  ``batchcount`` entries to the shared array or ``free_block``; an emptied
  slab is destroyed once the node holds more than ``free_limit = (1 +
  cpus) * batchcount + num`` free objects, else it goes to the free list
  [V 2.6.20]; 2.4 never destroys on free (the reaper does).
* Three lists per node (``slabs_partial``, ``slabs_full``, ``slabs_free``);
  2.4.0's single list with ``firstnotfull`` is modelled as three lists in the
  same order [S].
* Geometry: 2.4 and 2.6.0-3.12 keep ``struct slab`` and a ``kmem_bufctl_t``
  per object on the slab (off slab from PAGE_SIZE/8; moved back on slab when
  the left-over space holds it), ``calculate_slab_order`` with the 1/8 waste
  rule and the break order (1 above 32 MB of RAM, else 0; 2.4: 2 or 1)
  [V 2.4.0, 2.6.20]; from 3.13 (struct page holds the slab) a byte-sized
  free index at the slab's end, and from 4.6 ``set_objfreelist_slab_cache``
  (the index inside a free object) and off-slab only where it pays off
  [V 6.2; 3.13-4.5 are modelled as 6.2, S].
* Colouring: ``colour_off`` = the cache line (or the alignment), ``colour`` =
  left-over / colour_off, each new slab starting ``colour_next`` lines in.
* General caches ``size-N`` and ``size-N(DMA)`` (32 to 131072; 192 on
  x86_64, 96 not, L1 being 64) until 3.9, ``kmalloc-N`` and ``dma-kmalloc-N``
  (32 to 4 MB, with 96 and 192) from 3.9 [V 3.10; S boundary], and from 6.1
  up to 8 KB with larger requests passed to the page allocator [V 6.2; S
  boundary].  2.4: 32 to 131072 [V 2.4.0].
* ``kmalloc(0)``: a ``size-32`` object until 2.6.22, ZERO_SIZE_PTR from 2.6.23
  (6cb8f91320d3) [V 2.6.22 vs 2.6.23]; larger than the largest cache: NULL.
* The kmem_cache objects, per-CPU arrays (kmalloc'd until 3.17, per-CPU
  memory from 3.18 [S]), node structures and shared arrays every cache
  takes from the general caches, as ``kmem_cache_create`` takes them.

* KASAN (7ed2f9e66385, v4.6): a new slab is poisoned as red zone after its
  constructors ran, ``kmalloc(n)`` unpoisons ``n`` bytes and
  ``kmem_cache_alloc`` the object size, a free poisons the object (or reports
  a double or invalid free of the era and stops), and reports name the object
  and its cache; the hooks are SLUB's (:class:`linuxmm.slab.KasanSlab`) and run
  on the slow path only, which every call takes while KASAN is on.  Left out,
  as for SLUB: the quarantine (v4.7, for SLAB first [S]) and the
  metadata that makes each object larger with KASAN on [S].

Machine: x86_64 from 2.6 (8-byte words, 64-byte lines, one node, NR_CPUS 32),
i386 for 2.4 (4-byte words, 32-byte lines).  Not modelled: CONFIG_DEBUG_SLAB
(red zones, poisoning, statistics in slabinfo), NUMA alien caches, the
periodic ``cache_reap`` (call :meth:`Slab26.cache_reap` to run one pass).
"""

from __future__ import annotations

from typing import Any, Callable

from linuxmm import hookimpl
from linuxmm.checks import check_addr, check_gfp, check_size
from linuxmm.errors import ConfigError
from linuxmm.gfp import __GFP_DMA, __GFP_NOWARN, __GFP_RECLAIMABLE, __GFP_ZERO, GFP_KERNEL, era_gfp, gfp_era
from linuxmm.lists import FreeList
from linuxmm.machine import PAGE_SHIFT, PAGE_SIZE
from linuxmm.records import Implementation
from linuxmm.slab import (ALIGN, SLAB_CACHE_DMA, SLAB_HWCACHE_ALIGN, SLAB_PANIC, SLAB_RECLAIM_ACCOUNT,
                          ZERO_SIZE_PTR, KasanSlab, SlabAllocator, SlabCache, SlabinfoRow, fls, get_order)

_GFP_DMA = __GFP_DMA
_GFP_ZERO = __GFP_ZERO
_GFP_RECLAIMABLE = __GFP_RECLAIMABLE
_GFP_NOWARN = __GFP_NOWARN

BATCHREFILL_LIMIT = 16
NR_CPUS = 32  # x86_64 defconfig of 2.6.20 [V]: the size of struct kmem_cache's array[]
STAT_ITEMS = ("allochit", "allocmiss", "freehit", "freemiss", "grown", "reaped", "num_allocations", "frees")
(ALLOCHIT, ALLOCMISS, FREEHIT, FREEMISS, GROWN, REAPED, NUM_ALLOCATIONS, FREES) = range(len(STAT_ITEMS))


class ArrayCache:
    """``struct array_cache``: ``entry`` is a stack (the last element is ``entry[avail-1]``)."""

    __slots__ = ("entry", "limit", "batchcount", "touched", "addr")

    def __init__(self, limit: int, batchcount: int) -> None:
        self.entry: list[int] = []
        self.limit = limit
        self.batchcount = batchcount
        self.touched = 0
        self.addr = 0  # where the model keeps it (a kmalloc object), 0 when not kmalloc'd


class Slab:
    """``struct slab`` (struct page from 3.13): first page, colour offset, objects, free index stack."""

    __slots__ = ("cache", "addr", "key", "s_mem", "inuse", "free", "mgmt", "where")

    def __init__(self, cache: "KmemCache", addr: int, key: int, s_mem: int, num: int) -> None:
        self.cache = cache
        self.addr = addr
        self.key = key
        self.s_mem = s_mem
        self.inuse = 0
        self.free = list(range(num - 1, -1, -1))  # slab_get_obj takes index 0 first
        self.mgmt = 0  # off-slab management object (0 when on slab)
        self.where = "free"


class KmemListNode:
    """``struct kmem_list3`` (``kmem_cache_node`` from 3.x)."""

    __slots__ = ("slabs_partial", "slabs_full", "slabs_free", "free_objects", "free_limit", "colour_next",
                 "shared", "free_touched", "addr")

    def __init__(self) -> None:
        self.slabs_partial = FreeList()
        self.slabs_full = FreeList()
        self.slabs_free = FreeList()
        self.free_objects = 0
        self.free_limit = 0
        self.colour_next = 0
        self.shared: ArrayCache | None = None
        self.free_touched = 0
        self.addr = 0


class KmemCache(SlabCache):
    """``struct kmem_cache`` under SLAB."""

    def __init__(self, name: str, object_size: int, align: int, flags: int, ctor: Any, ncpus: int) -> None:
        super().__init__(name, object_size, object_size, align, flags, ctor)
        self.num = 0
        self.colour = 0
        self.colour_off = 0
        self.off_slab = False
        self.objfreelist = False
        self.slab_size = 0  # management bytes (struct slab + bufctls / the free index)
        self.slabp_cache: KmemCache | None = None
        self.limit = 1
        self.batchcount = 1
        self.shared = 0
        self.array = [ArrayCache(1, 1) for _ in range(ncpus)]
        self.node = KmemListNode()
        self.stat = [0] * len(STAT_ITEMS)
        self.general = False
        self.meta: list[tuple[Any, int]] = []  # objects this cache took for itself: (cache or None, addr)

    def stats(self) -> dict[str, int]:
        return dict(zip(STAT_ITEMS, self.stat))


class Slab26(KasanSlab, SlabAllocator):
    """mm/slab.c of 2.4 and 2.6.0-6.7 (see the module docstring)."""

    name = "SLAB"
    source_file = "mm/slab.c"

    def __init__(self, kernel: Any) -> None:
        super().__init__(kernel)
        self.refuse_slub_params()
        has = kernel.has
        self.ncpus = kernel.nr_cpus
        self.smp = self.ncpus > 1
        # -- era flags ------------------------------------------------------------------
        self.v24 = not has("v2.6.0")
        self.geometry_c = has("v3.13")  # free index at the slab's end / in an object [V 6.2; S from 3.13]
        self.common_kmalloc = has("v3.9")  # kmalloc-N names, 96, caches to 4 MB [V 3.10; S boundary]
        self.kmalloc_large_era = has("v6.1")  # > 8 KB to the page allocator [V 6.2; S boundary]
        self.zero_size_ptr = has("v2.6.23")  # 6cb8f91320d3 [V 2.6.22 vs 2.6.23]
        self.percpu_arrays = has("v3.18")  # alloc_percpu for the CPU arrays [S]
        self.slabinfo_version = "1.1" if self.v24 else "2.1" if has("v2.6.14") else "2.0"  # [S boundary]
        self.warn_oversize = has("v3.9")
        self.sanity_in_common = has("v3.7")  # kmem_cache_create's sanity checks moved to slab_common.c [S: 3.7]
        # kmem_getpages' slab_out_of_memory() report, with CONFIG_DEBUG_SLAB off: from 3.x [S: 3.1 tree
        # without, 3.10 with] until it went under "#if DEBUG" [S: 3.13 tree without, 4.4.1 with];
        # printk_ratelimit(): ten reports, the model's clock never lets the limit lapse
        self.oom_report = has("v3.10") and not has("v4.4")
        self.oom_left = 10
        self.oom_gfp_era = gfp_era(has)
        self.has_gfp_reclaimable = has("e12ba74d8ff3")
        # calls the era did not have yet [S: the releases that added them]
        for call, since in (("kzalloc", "v2.6.14"), ("krealloc", "v2.6.22"), ("kmem_cache_zalloc", "v2.6.17"),
                            ("ksize", "v2.6.0")):
            if not has(since):
                setattr(self, call, self._not_yet(call, since))
        self.zero_tail_on_shrink = has("v6.0")
        if self.v24:
            self.word, self.line, self.bufctl, self.slab_struct = 4, 32, 4, 24  # i386 [V 2.4.0]
        elif self.geometry_c:
            self.word, self.line, self.bufctl, self.slab_struct = 8, 64, 1, 0
        else:
            self.word, self.line, self.bufctl, self.slab_struct = 8, 64, 4, 48  # struct slab, x86_64 [V 2.6.20]
        mem_pages = self.pa.nr_pages
        if self.v24:
            self.break_order = 2 if mem_pages > (32 << 20) >> PAGE_SHIFT else 1  # [V 2.4.0]
            self.max_gfp_order = 5
        else:
            self.break_order = 1 if mem_pages > (32 << 20) >> PAGE_SHIFT else 0  # [V 2.6.20]
            # MAX_GFP_ORDER 5 until the common kmalloc array; KMALLOC_MAX_ORDER 10 after [V 2.6.20, 3.10]
            self.max_gfp_order = 10 if self.common_kmalloc else 5
        self.max_obj_size = (PAGE_SIZE << 5) if not self.common_kmalloc else (PAGE_SIZE << 10)
        # -- the general caches ---------------------------------------------------------------
        if self.v24:
            sizes = [32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072]
        elif self.kmalloc_large_era:
            sizes = [32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192]
        elif self.common_kmalloc:
            sizes = [32, 64, 96, 128, 192] + [1 << i for i in range(8, 23)]
        else:  # kmalloc_sizes.h on x86_64: 96 only if L1 < 64, 192 if L1 < 128 [V 2.6.20]
            sizes = [32, 64, 128, 192, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072]
        self.malloc_sizes = sizes
        self.kmalloc_max = sizes[-1]
        self.cache_chain: list[KmemCache] = []  # newest first (list_add)
        self.slab_of: dict[int, Slab] = {}
        self.slabs: dict[int, Slab] = {}
        self.large: dict[int, tuple[int, int]] = {}
        self.cpu = 0
        self.alloc_hooks: list[Callable[[KmemCache, int], bool]] = []
        self.kmem_cache_init()
        self._build_fast_paths()

    # ------------------------------------------------------------------------------------------
    # boot
    def kmem_cache_init(self) -> None:
        """``kmem_cache_init``: cache_cache, then the general caches and their DMA twins."""
        self.size_caches: dict[int, KmemCache] = {}
        self.dma_caches: dict[int, KmemCache] = {}
        self.slab_early_init = True
        if self.geometry_c:  # create_boot_cache(kmem_cache, ..., SLAB_HWCACHE_ALIGN) [V 6.2]
            self.cache_cache = cc = self._create("kmem_cache", self.sizeof_kmem_cache(), 0, SLAB_HWCACHE_ALIGN,
                                                 None)
        else:  # the static cache_cache, sized by cache_estimate at order 0 up [V 2.6.20]
            self.cache_cache = cc = KmemCache("kmem_cache", self.sizeof_kmem_cache(), self.line, 0, None,
                                              self.ncpus)
            cc.size = ALIGN(cc.object_size, self.line) if not self.v24 else cc.object_size
            cc.colour_off = self.line
            for order in range(11):
                num, left = self.cache_estimate(order, cc.size, self.line, False)
                if num:
                    break
            cc.num, cc.order, cc.objects = num, order, num
            cc.colour = left // cc.colour_off
            cc.slab_size = self.mgmt_size(num, self.line)
            self.cache_chain.insert(0, cc)
        if self.v24:
            order = [(s, t) for s in self.malloc_sizes for t in (0, 1)]
        else:
            # the caches for kmalloc(sizeof(arraycache_init)) and kmalloc(sizeof(kmem_list3)) come first
            first = [self.find_size(32), self.find_size(self.sizeof_list3())]
            order = [(s, 0) for s in dict.fromkeys(first)]
        for s, t in order:
            self.create_general(s, t)
        self.slab_early_init = False
        if not self.v24:
            for s in self.malloc_sizes:
                if s not in self.size_caches:
                    self.create_general(s, 0)
                self.create_general(s, 1)
        self.g_cpucache_up = True
        for c in self.cache_chain:
            self.enable_cpucache(c)

    def deferred_boot(self) -> None:
        """The boot caches' own objects (struct kmem_cache, arrays, node lists), in creation order."""
        for c in reversed(self.cache_chain):
            self.take_meta(c)

    def _not_yet(self, call: str, since: str) -> Callable[..., Any]:
        from linuxmm.errors import NotInThisKernel

        def missing(*args: Any, **kwargs: Any) -> Any:
            raise NotInThisKernel(f"{call}() is not in {self.kernel.version}: it appeared in {since}")
        missing.__name__ = call
        missing.not_in_this_kernel = True  # type: ignore[attr-defined]  (kernel.provides() says False)
        return missing

    def sizeof_kmem_cache(self) -> int:
        if self.v24:
            return 236 if self.smp else 100  # i386 kmem_cache_t with/without the SMP fields [S: summed]
        if self.geometry_c:
            return 128  # 6.x struct kmem_cache up to one node pointer [S]
        return 376  # 2.6.20 struct kmem_cache, NR_CPUS 32, one node [V-code: summed from slab.c]

    def sizeof_list3(self) -> int:
        return 112 if self.geometry_c else 104  # struct kmem_list3 / kmem_cache_node [S: summed]

    def general_name(self, size: int, dma: int) -> str:
        if self.common_kmalloc:
            return f"dma-kmalloc-{size}" if dma else f"kmalloc-{size}"
        return f"size-{size}(DMA)" if dma else f"size-{size}"

    def create_general(self, size: int, dma: int) -> KmemCache:
        flags = SLAB_HWCACHE_ALIGN | (SLAB_CACHE_DMA if dma else 0)
        if self.common_kmalloc:
            flags = SLAB_CACHE_DMA if dma else 0  # ARCH_KMALLOC_FLAGS is SLAB_HWCACHE_ALIGN until 3.9 [S]
        c = self._create(self.general_name(size, dma), size, 0, flags | SLAB_PANIC, None)
        c.general = True
        (self.dma_caches if dma else self.size_caches)[size] = c
        return c

    def find_size(self, size: int) -> int:
        for s in self.malloc_sizes:
            if size <= s:
                return s
        return 0

    # ------------------------------------------------------------------------------------------
    # geometry
    def mgmt_size(self, num: int, align: int) -> int:
        """On-slab management: struct slab + a bufctl per object (2.6.0-3.12), aligned."""
        if self.v24:
            return ALIGN(self.slab_struct + num * self.bufctl, self.line)
        return ALIGN(self.slab_struct + num * self.bufctl, align)

    def cache_estimate(self, order: int, size: int, align: int, off_slab: bool) -> tuple[int, int]:
        """Objects per slab and left-over bytes for slabs of ``order``."""
        slab_size = PAGE_SIZE << order
        if self.v24:  # kmem_cache_estimate [V 2.4.0]
            base, extra = (0, 0) if off_slab else (self.slab_struct, self.bufctl)
            i = 0
            while i * size + ALIGN(base + i * extra, self.line) <= slab_size:
                i += 1
            if i > 0:
                i -= 1
            return i, slab_size - i * size - ALIGN(base + i * extra, self.line)
        if self.geometry_c:
            if off_slab:
                return slab_size // size, slab_size % size
            return slab_size // (size + self.bufctl), slab_size % (size + self.bufctl)
        if off_slab:
            return slab_size // size, slab_size - (slab_size // size) * size
        nr = (slab_size - self.slab_struct) // (size + self.bufctl)
        if self.mgmt_size(nr, align) + nr * size > slab_size:
            nr -= 1
        return nr, slab_size - nr * size - self.mgmt_size(nr, align)

    def calculate_slab_order(self, c: KmemCache, size: int, align: int, off_slab: bool,
                             objfreelist: bool = False) -> int:
        """``calculate_slab_order``: the smallest order with at most 1/8 waste, up to the break order."""
        left_over = 0
        c.num = 0
        for order in range(self.max_gfp_order + 1):
            num, rem = self.cache_estimate(order, size, align, off_slab or objfreelist)
            if not num:
                continue
            if self.geometry_c:
                if num > 255:  # SLAB_OBJ_MAX_NUM with a byte index
                    break
                if off_slab:
                    fsize = num * self.bufctl
                    fc = self.size_caches.get(self.find_size(fsize)) if fsize <= self.kmalloc_max else None
                    if fc is None or fc.off_slab or fc.size > c.size // 2:
                        continue
            elif off_slab:
                limit = (size - self.slab_struct) // self.bufctl  # offslab_limit [V 2.6.20]
                if num > limit:
                    break
            c.num, c.order, left_over = num, order, rem
            if c.flags & SLAB_RECLAIM_ACCOUNT and not self.v24:
                break
            if order >= self.break_order:
                break
            if left_over * 8 <= PAGE_SIZE << order:
                break
        return left_over

    def _create(self, name: str, size: int, align: int, flags: int, ctor: Any) -> KmemCache:
        """``kmem_cache_create``'s layout work, without the argument checks."""
        word = self.word
        c = KmemCache(name, size, align, flags, ctor, self.ncpus)
        size = ALIGN(size, word)
        if self.v24:
            ralign = word
            if flags & SLAB_HWCACHE_ALIGN:
                ralign = self.line
                while size < ralign // 2:
                    ralign //= 2
                size = ALIGN(size, ralign)
            off_slab = size >= PAGE_SIZE >> 3
        else:
            if flags & SLAB_HWCACHE_ALIGN:
                ralign = self.line
                while size <= ralign // 2:
                    ralign //= 2
            else:
                ralign = word
            ralign = max(ralign, align)
            off_slab = size >= PAGE_SIZE >> 3 and not self.slab_early_init and not self.geometry_c
            size = ALIGN(size, ralign)
        c.align = ralign
        c.size = size
        if self.geometry_c:
            c.colour_off = max(self.line, ralign)
            if size < 16:
                size = c.size = ALIGN(16, ralign)
            left = self.calculate_slab_order(c, size, ralign, False, objfreelist=True)
            if c.num and not ctor and c.num * self.bufctl <= c.object_size:
                c.objfreelist = True
            else:
                c.num = 0
                left = self.calculate_slab_order(c, size, ralign, True)
                if c.num and left < c.num * self.bufctl:
                    c.off_slab = True
                else:
                    left = self.calculate_slab_order(c, size, ralign, False)
            c.slab_size = c.num * self.bufctl
            c.colour = left // c.colour_off
            if c.off_slab:
                c.slabp_cache = self.size_caches[self.find_size(c.slab_size)]
        else:
            left = self.calculate_slab_order(c, size, ralign, off_slab)
            slab_size = self.mgmt_size(c.num, ralign)
            if off_slab and left >= slab_size:
                off_slab = False
                left -= slab_size
            if off_slab:
                slab_size = self.slab_struct + c.num * self.bufctl
                c.slabp_cache = self.size_caches.get(self.find_size(slab_size))
            c.off_slab = off_slab
            c.slab_size = slab_size
            c.colour_off = max(self.line, ralign) if not self.v24 else (ALIGN(align, ralign) or self.line)
            c.colour = left // c.colour_off
        if not c.num:
            return None  # type: ignore[return-value]
        c.objects = c.num
        c.reclaimable = bool(flags & SLAB_RECLAIM_ACCOUNT)
        self.cache_chain.insert(0, c)
        return c

    def enable_cpucache(self, c: KmemCache) -> None:
        """``enable_cpucache``: the per-CPU array limit and batchcount, and the shared array on SMP."""
        if self.v24:
            if not self.smp or c.size > PAGE_SIZE:
                limit = 0
            elif c.size > 1024:
                limit = 60
            elif c.size > 256:
                limit = 124
            else:
                limit = 252
            c.limit, c.batchcount, c.shared = limit, limit // 2, 0
        else:
            size = c.size
            limit = 1 if size > 131072 else 8 if size > PAGE_SIZE else 24 if size > 1024 else 54 if size > 256 \
                else 120
            c.limit, c.batchcount = limit, (limit + 1) // 2
            c.shared = 8 if self.smp and size <= PAGE_SIZE else 0
        for ac in c.array:
            ac.limit, ac.batchcount = c.limit, c.batchcount
        n = c.node
        n.shared = ArrayCache(c.shared * c.batchcount, 0xBAADF00D) if c.shared else None
        n.free_limit = (1 + self.ncpus) * c.batchcount + c.num

    def take_meta(self, c: KmemCache) -> None:
        """The objects a cache takes for itself from cache_cache and the general caches."""
        gk = GFP_KERNEL
        if c is not self.cache_cache:
            c.meta.append((self.cache_cache, self.cache_alloc(self.cache_cache, gk)))
        if self.v24:
            if c.limit:
                for ac in c.array:
                    ac.addr = self.kmalloc_slow(8 + 4 * c.limit, gk)  # cpucache_t + entries
                    c.meta.append((None, ac.addr))
            return
        asize = (24 if not self.geometry_c else 16)
        if not self.percpu_arrays:
            for ac in c.array:
                ac.addr = self.kmalloc_slow(asize + 8 * c.limit, gk)
                c.meta.append((None, ac.addr))
        c.node.addr = self.kmalloc_slow(self.sizeof_list3(), gk)
        c.meta.append((None, c.node.addr))
        if c.node.shared is not None:
            c.node.shared.addr = self.kmalloc_slow(asize + 8 * c.node.shared.limit, gk)
            c.meta.append((None, c.node.shared.addr))

    # ------------------------------------------------------------------------------------------
    # the kernel functions
    def kmem_cache_create(self, name: str, size: int, align: int = 0, flags: int = 0,
                          ctor: Callable[[int], Any] | None = None) -> KmemCache | None:
        """``kmem_cache_create(name, size, align, flags, ctor)``."""
        self.ensure_booted()
        name, size, align, flags = self.check_create(name, size, align, flags, ctor)
        # From 3.7 the size < word test lives in slab_common.c under CONFIG_DEBUG_VM (off here) and SLAB
        # rounds a small size up to a word [V: 2.6.32 mm/slab.c BUGs; 3.10 slab_common.c and 6.5; S: 3.7]
        if (size < self.word and not self.sanity_in_common) or size > self.max_obj_size:
            self.kernel.dmesg.printk(f"kmem_cache_create: Early error in slab {name}")
            self.kernel.bug("mm/slab.c")
        if not self.common_kmalloc and any(c.name == name for c in self.cache_chain):
            self.kernel.dmesg.printk(f"kmem_cache_create: duplicate cache {name}")
            return None
        c = self._create(name, size, align, flags, ctor)
        if c is None:
            self.kernel.dmesg.printk(f"kmem_cache_create: couldn't create cache {name}.")
            if flags & SLAB_PANIC:
                self.kernel.panic(f"kmem_cache_create(): failed to create slab `{name}'")
            return None
        self.enable_cpucache(c)
        self.take_meta(c)
        self._build_fast_paths()
        return c

    def kmem_cache_destroy(self, c: KmemCache) -> None:
        """``kmem_cache_destroy``: drain, free the empty slabs; a cache with objects left stays."""
        self.ensure_booted()
        if c is None:
            return
        c = self.check_cache("kmem_cache_destroy", c, KmemCache)
        if self.__cache_shrink(c):
            self.kernel.dmesg.printk(f"slab error in kmem_cache_destroy(): cache `{c.name}': Can't free all "
                                     f"objects")
            return
        self.cache_chain.remove(c)
        c.dead = True
        for ac in c.array:
            ac.entry = []
            ac.limit = 0
        for owner, addr in reversed(c.meta):
            if owner is None:
                self.kfree(addr)
            else:
                self.cache_free(owner, addr)
        self._build_fast_paths()

    def kmem_cache_shrink(self, c: KmemCache) -> int:
        self.ensure_booted()
        c = self.check_cache("kmem_cache_shrink", c, KmemCache)
        return self.__cache_shrink(c)

    def __cache_shrink(self, c: KmemCache) -> int:
        for ac in c.array:
            self.free_block(c, ac.entry)
            ac.entry = []
        n = c.node
        if n.shared is not None:
            self.free_block(c, n.shared.entry)
            n.shared.entry = []
        self.drain_freelist(c, n.free_objects)
        return 1 if n.slabs_full or n.slabs_partial else 0

    def drain_freelist(self, c: KmemCache, tofree: int) -> int:
        n = c.node
        freed = 0
        while freed < tofree and n.slabs_free:
            slab = self.slabs[n.slabs_free.tail]
            n.slabs_free.remove(slab.key)
            n.free_objects -= c.num
            self.slab_destroy(c, slab)
            freed += 1
        return freed

    def cache_reap(self) -> None:
        """One pass of ``cache_reap`` on this CPU: drain untouched arrays, free some free slabs."""
        self.ensure_booted()
        for c in list(self.cache_chain):
            ac = c.array[self.cpu]
            self.drain_array(c, ac)
            n = c.node
            if n.shared is not None:
                self.drain_array(c, n.shared)
            if n.free_touched:
                n.free_touched = 0
            else:
                c.stat[REAPED] += self.drain_freelist(c, (n.free_limit + 5 * c.num - 1) // (5 * c.num))

    def drain_array(self, c: KmemCache, ac: ArrayCache) -> None:
        if not ac.entry:
            return
        if ac.touched:
            ac.touched = 0
            return
        tofree = (ac.limit + 4) // 5
        if tofree > len(ac.entry):
            tofree = (len(ac.entry) + 1) // 2
        self.free_block(c, ac.entry[:tofree])
        del ac.entry[:tofree]

    # -- the fast paths ---------------------------------------------------------------------------
    def _make_fast_paths(self, cpu: int):
        """``____cache_alloc``'s and ``__cache_free``'s array branches for one CPU (see the docstring)."""
        slow_only = bool(self.init_on_alloc or self.init_on_free or self.alloc_hooks
                         or (self.v24 and not self.smp))
        # sizes 0..192, then Nones for negative sizes (-1 .. -193): those take the slow path, which refuses them
        small: list[ArrayCache | None] = [None] * 386
        if not slow_only:
            for size in range(1, 193):
                c = self.size_caches.get(self.find_size(size))
                if c is not None and c.limit:
                    small[size] = c.array[cpu]
            if not self.zero_size_ptr:
                small[0] = small[1]
        slow_mask = -1 if slow_only else (_GFP_ZERO | _GFP_DMA | ~0xFFFFFFFF)  # bits above a gfp_t: slow path
        kmalloc_slow, kfree_slow = self.kmalloc_slow, self.kfree_slow
        alloc_slow, cache_free_slow = self.kmem_cache_alloc_slow, self.kmem_cache_free_slow
        slab_of = self.slab_of

        def kmalloc(size: int, flags: int = GFP_KERNEL) -> int:
            """``kmalloc(size, flags)``."""
            try:
                if size.__class__ is int and size <= 192 and not flags & slow_mask:
                    ac = small[size]
                    if ac is not None:
                        ent = ac.entry
                        if ent:
                            ac.touched = 1
                            return ent.pop()
            except (TypeError, IndexError):
                pass
            return kmalloc_slow(size, flags)

        def kfree(objp: int) -> None:
            """``kfree(objp)``."""
            try:
                slab = slab_of.get(objp >> 12)
            except TypeError:
                slab = None
            if slab is not None and not slow_only:
                ac = slab.cache.array[cpu]
                ent = ac.entry
                if len(ent) < ac.limit:
                    ent.append(objp)
                    return
            return kfree_slow(objp)

        def kmem_cache_alloc(cachep: KmemCache, flags: int = GFP_KERNEL) -> int:
            """``kmem_cache_alloc(cachep, flags)``."""
            try:
                ac = cachep.array[cpu]
                ent = ac.entry
                if ent and not flags & slow_mask:
                    ac.touched = 1
                    return ent.pop()
            except (AttributeError, TypeError):
                pass
            return alloc_slow(cachep, flags)

        def kmem_cache_free(cachep: KmemCache, objp: int) -> None:
            """``kmem_cache_free(cachep, objp)``."""
            try:
                slab = slab_of.get(objp >> 12)
            except TypeError:
                slab = None
            if slab is not None and slab.cache is cachep and not slow_only:
                ac = cachep.array[cpu]
                ent = ac.entry
                if len(ent) < ac.limit:
                    ent.append(objp)
                    return
            return cache_free_slow(cachep, objp)

        return kmalloc, kfree, kmem_cache_alloc, kmem_cache_free

    # -- slow paths -------------------------------------------------------------------------------
    def kmalloc_slow(self, size: Any, flags: Any) -> int:
        check_size(size, "kmalloc")
        check_gfp(flags, "kmalloc", "flags")
        if not size and self.zero_size_ptr:
            return ZERO_SIZE_PTR
        if size > self.kmalloc_max:
            if self.kmalloc_large_era:
                return self.kmalloc_large(size, flags)
            if self.warn_oversize and not flags & 0x200:  # __GFP_NOWARN
                self.kernel.dmesg.printk(f"WARNING: CPU: {self.cpu} PID: 1 at mm/slab_common.c kmalloc_slab")
            return 0
        fit = self.find_size(max(size, 1))
        table = self.dma_caches if flags & _GFP_DMA else self.size_caches
        return self.cache_alloc(table[fit], flags, size)

    def kmem_cache_alloc_slow(self, c: Any, flags: Any) -> int:
        c = self.check_cache("kmem_cache_alloc", c, KmemCache)
        check_gfp(flags, "kmem_cache_alloc", "flags")
        return self.cache_alloc(c, flags)

    def cache_alloc(self, c: KmemCache, flags: int, orig_size: int = 0) -> int:
        """``__cache_alloc``: hooks, the CPU array or ``cache_alloc_refill``, then zeroing.

        With KASAN (7ed2f9e66385, v4.6) the ``orig_size`` bytes ``kmalloc`` asked for (the
        object size for ``kmem_cache_alloc``) become accessible: ``kasan_kmalloc`` /
        ``kasan_slab_alloc``.
        """
        for hook in self.alloc_hooks:
            if hook(c, flags):
                return 0
        ac = c.array[self.cpu]
        if ac.entry and c.limit:
            c.stat[ALLOCHIT] += 1
            ac.touched = 1
            obj = ac.entry.pop()
        elif c.limit:
            c.stat[ALLOCMISS] += 1
            obj = self.cache_alloc_refill(c, flags, ac)
        else:
            obj = self.alloc_one(c, flags)  # 2.4 without a CPU array
        if obj and (flags & _GFP_ZERO or self.init_on_alloc):
            self.zero_object(obj, c.object_size)
        if obj and self.kasan is not None:
            self.kasan.kasan_kmalloc(obj, orig_size or c.object_size, c.object_size)
        return obj

    def slab_get_obj(self, c: KmemCache, slab: Slab) -> int:
        i = slab.free.pop()
        slab.inuse += 1
        c.stat[NUM_ALLOCATIONS] += 1
        return slab.s_mem + i * c.size

    def _list_of(self, n: KmemListNode, where: str) -> FreeList:
        return n.slabs_full if where == "full" else n.slabs_partial if where == "partial" else n.slabs_free

    def _move(self, n: KmemListNode, slab: Slab, where: str, tail: bool = False) -> None:
        self._list_of(n, slab.where).remove(slab.key)
        slab.where = where
        lst = self._list_of(n, where)
        if tail:
            lst.add_tail(slab.key)
        else:
            lst.add(slab.key)

    def cache_alloc_refill(self, c: KmemCache, flags: int, ac: ArrayCache) -> int:
        n = c.node
        while True:
            batchcount = ac.batchcount
            if not ac.touched and batchcount > BATCHREFILL_LIMIT:
                batchcount = BATCHREFILL_LIMIT
            shared = n.shared
            if shared is not None and shared.entry:  # transfer_objects
                nr = min(len(shared.entry), batchcount, ac.limit - len(ac.entry))
                if nr:
                    ac.entry.extend(shared.entry[len(shared.entry) - nr:])
                    del shared.entry[len(shared.entry) - nr:]
                    ac.touched = 1
                    break
            while batchcount > 0:
                if n.slabs_partial:
                    slab = self.slabs[n.slabs_partial.head]
                else:
                    n.free_touched = 1
                    if not n.slabs_free:
                        break
                    slab = self.slabs[n.slabs_free.head]
                while slab.inuse < c.num and batchcount > 0:
                    batchcount -= 1
                    ac.entry.append(self.slab_get_obj(c, slab))
                self._move(n, slab, "full" if not slab.free else "partial")
            n.free_objects -= len(ac.entry)
            if ac.entry:
                break
            if not self.cache_grow(c, flags):
                return 0
        ac.touched = 1
        return ac.entry.pop()

    def alloc_one(self, c: KmemCache, flags: int) -> int:
        """2.4 without per-CPU arrays: straight from the first non-full slab (``kmem_cache_alloc_one``)."""
        n = c.node
        if not n.slabs_partial and not n.slabs_free:
            if not self.cache_grow(c, flags):
                return 0
        slab = self.slabs[n.slabs_partial.head if n.slabs_partial else n.slabs_free.head]
        obj = self.slab_get_obj(c, slab)
        n.free_objects -= 1
        self._move(n, slab, "full" if not slab.free else "partial")
        return obj

    def cache_grow(self, c: KmemCache, flags: int) -> bool:
        """``cache_grow``: pages, the colour, slab management, objects; onto the free list."""
        n = c.node
        offset = n.colour_next
        n.colour_next += 1
        if n.colour_next >= c.colour:
            n.colour_next = 0
        offset *= c.colour_off
        gfp = flags & ~(_GFP_ZERO | _GFP_RECLAIMABLE)
        if c.flags & SLAB_CACHE_DMA:
            gfp |= _GFP_DMA
        if c.reclaimable and self.has_gfp_reclaimable:
            gfp |= _GFP_RECLAIMABLE
        addr = self.kmem_getpages(c.order, gfp, c.reclaimable)
        if not addr:
            if self.oom_report and self.oom_left and not gfp & _GFP_NOWARN:
                self.slab_out_of_memory(c, gfp)
            return False
        mgmt = 0
        if c.off_slab:
            mgmt = self.cache_alloc(c.slabp_cache, flags & ~_GFP_ZERO)
            if not mgmt:
                self.kmem_freepages(addr, c.order, c.reclaimable)
                return False
            s_mem = addr + offset
        elif self.geometry_c:
            s_mem = addr + offset  # the free index sits at the end of the slab, or in an object
        else:
            s_mem = addr + offset + c.slab_size
        key = self.virt_to_pfn(addr)
        slab = Slab(c, addr, key, s_mem, c.num)
        slab.mgmt = mgmt
        vpn = addr >> PAGE_SHIFT
        for i in range(1 << c.order):
            self.slab_of[vpn + i] = slab
        self.slabs[key] = slab
        if c.ctor:
            for i in range(c.num):
                c.ctor(s_mem + i * c.size)
        if self.kasan is not None:  # kasan_poison_slab (7ed2f9e66385); the constructors ran unpoisoned
            self.kasan.kasan_poison_slab(addr, PAGE_SIZE << c.order)
        n.slabs_free.add_tail(key)
        n.free_objects += c.num
        c.stat[GROWN] += 1
        return True

    def nearest_obj(self, c: KmemCache, slab: Slab, x: int) -> int:
        """``nearest_obj``: the start of the object ``x`` points into (``s_mem`` + index * size)."""
        i = max(0, min(c.num - 1, (x - slab.s_mem) // c.size))
        return slab.s_mem + i * c.size

    def kasan_slabs(self):
        """For ``kasan_init``: each slab, its bytes and the objects in use (in no slab's free
        index, no CPU array and no shared array)."""
        cached: set[int] = set()
        for c in self.caches():
            for ac in c.array:
                cached.update(ac.entry)
            if c.node.shared is not None:
                cached.update(c.node.shared.entry)
        for slab in list(self.slabs.values()):
            c = slab.cache
            free = set(slab.free)
            live = [slab.s_mem + i * c.size for i in range(c.num) if i not in free]
            yield slab.addr, PAGE_SIZE << c.order, [p for p in live if p not in cached], c.object_size

    def slab_out_of_memory(self, c: KmemCache, gfp: int) -> None:
        """3.x ``slab_out_of_memory()`` [V 3.10, 3.13]: the request, the cache, and its node's slabs."""
        self.oom_left -= 1
        p = self.kernel.dmesg.printk
        n = c.node
        p(f"SLAB: Unable to allocate memory on node 0 (gfp={era_gfp(gfp, self.oom_gfp_era):#x})")
        p(f"  cache: {c.name}, object size: {c.size}, order: {c.order}")
        full, partial, free = len(n.slabs_full), len(n.slabs_partial), len(n.slabs_free)
        active_objs = full * c.num + sum(self.slabs[k].inuse for k in n.slabs_partial)
        slabs = full + partial + free
        p(f"  node 0: slabs: {full + partial}/{slabs}, objs: {active_objs}/{slabs * c.num}, free: {n.free_objects}")

    def slab_destroy(self, c: KmemCache, slab: Slab) -> None:
        vpn = slab.addr >> PAGE_SHIFT
        for i in range(1 << c.order):
            del self.slab_of[vpn + i]
        del self.slabs[slab.key]
        self.kmem_freepages(slab.addr, c.order, c.reclaimable)
        if slab.mgmt:
            self.cache_free(c.slabp_cache, slab.mgmt)

    def kfree_slow(self, objp: Any) -> None:
        try:
            null = objp <= (ZERO_SIZE_PTR if self.zero_size_ptr else 0)
        except TypeError:
            null = False
        check_addr(objp, "kfree", "objp")
        if null:
            return
        slab = self.slab_of.get(objp >> PAGE_SHIFT)
        if slab is not None:
            return self.cache_free(slab.cache, objp)
        big = self.large.get(objp >> PAGE_SHIFT)
        if big is not None:
            head, order = big
            vpn = head >> PAGE_SHIFT
            for i in range(1 << order):
                del self.large[vpn + i]
            self.large_pages -= 1 << order
            self.pa.free_block(head, order)
            return
        # page_get_cache(): BUG_ON(!PageSlab(page)) [V 2.6.20]
        self.kernel.bug("mm/slab.c")

    def kmem_cache_free_slow(self, c: Any, objp: Any) -> None:
        c = self.check_cache("kmem_cache_free", c, KmemCache)
        check_addr(objp, "kmem_cache_free", "objp")
        slab = self.slab_of.get(objp >> PAGE_SHIFT)
        if slab is None or slab.cache is not c:
            self.kernel.bug("mm/slab.c")  # BUG_ON(virt_to_cache(objp) != cachep)
        self.cache_free(c, objp)

    def cache_free(self, c: KmemCache, objp: int) -> None:
        """``__cache_free``: into the CPU array, flushing a batch when it is full.

        With KASAN (7ed2f9e66385, v4.6) ``kasan_slab_free`` poisons the object first, or
        reports a double or invalid free of the era and stops the free.
        """
        if self.kasan is not None:
            slab = self.slab_of[objp >> PAGE_SHIFT]
            if self.kasan.kasan_slab_free(objp, self.nearest_obj(c, slab, objp), c.object_size):
                return
        if self.init_on_free:
            self.zero_object(objp, c.object_size)
        c.stat[FREES] += 1
        if not c.limit:
            self.free_block(c, [objp])
            return
        ac = c.array[self.cpu]
        if len(ac.entry) < ac.limit:
            c.stat[FREEHIT] += 1
            ac.entry.append(objp)
            return
        c.stat[FREEMISS] += 1
        self.cache_flusharray(c, ac)
        ac.entry.append(objp)

    def cache_flusharray(self, c: KmemCache, ac: ArrayCache) -> None:
        batchcount = ac.batchcount
        shared = c.node.shared
        if shared is not None:
            room = shared.limit - len(shared.entry)
            if room:
                batchcount = min(batchcount, room)
                shared.entry.extend(ac.entry[:batchcount])
                del ac.entry[:batchcount]
                return
        self.free_block(c, ac.entry[:batchcount])
        del ac.entry[:batchcount]

    def free_block(self, c: KmemCache, objs: list[int]) -> None:
        n = c.node
        for objp in objs:
            slab = self.slab_of[objp >> PAGE_SHIFT]
            idx = (objp - slab.s_mem) // c.size
            slab.free.append(idx)
            slab.inuse -= 1
            n.free_objects += 1
            if slab.inuse == 0:
                if n.free_objects > n.free_limit and not self.v24:
                    n.free_objects -= c.num
                    self._list_of(n, slab.where).remove(slab.key)
                    self.slab_destroy(c, slab)
                else:
                    self._move(n, slab, "free", tail=self.v24)
            else:
                self._move(n, slab, "partial", tail=True)

    def ksize(self, objp: int) -> int:
        """``ksize(objp)``: the object size of its cache (2.6.20: ``obj_size(virt_to_cache(objp))``)."""
        self.ensure_booted()
        check_addr(objp, "ksize", "objp")
        if objp == 0 or (objp == ZERO_SIZE_PTR and self.zero_size_ptr):
            return 0
        slab = self.slab_of.get(objp >> PAGE_SHIFT)
        if slab is not None:
            return slab.cache.size
        big = self.large.get(objp >> PAGE_SHIFT)
        if big is not None:
            return PAGE_SIZE << big[1]
        self.kernel.bug("mm/slab.c")
        return 0

    # ------------------------------------------------------------------------------------------
    # reports and accounting
    def caches(self) -> list[KmemCache]:
        return list(self.cache_chain)

    def slabinfo_rows(self) -> list[SlabinfoRow]:
        self.ensure_booted()
        rows = []
        order = self.cache_chain
        if self.v24:  # cache_cache first, then the newest (list_add after it)
            order = [self.cache_cache] + [c for c in self.cache_chain if c is not self.cache_cache]
        for c in order:
            n = c.node
            full = len(n.slabs_full)
            partial = len(n.slabs_partial)
            active_objs = full * c.num + sum(self.slabs[k].inuse for k in n.slabs_partial)
            num_slabs = full + partial + len(n.slabs_free)
            rows.append(SlabinfoRow(c.name, active_objs, num_slabs * c.num, c.size, c.num, 1 << c.order,
                                    c.limit, c.batchcount, c.shared, full + partial, num_slabs,
                                    len(n.shared.entry) if n.shared is not None else 0))
        return rows

    def cache_stats(self, name: str) -> dict[str, int]:
        """Per-cache counters: SLAB's STATS fields (array hits and misses, slabs grown and reaped)."""
        c = self.find_cache(name)
        st = c.stats()
        st["allocs"] = st["allochit"] + st["allocmiss"] if c.limit else st["num_allocations"]
        st["slabs_created"] = st["grown"]
        st["slabs_destroyed"] = st["grown"] - sum(1 for s in self.slabs.values() if s.cache is c)
        st["alloc_fastpath"], st["alloc_slowpath"] = st["allochit"], st["allocmiss"]
        st["free_fastpath"], st["free_slowpath"] = st["freehit"], st["freemiss"]
        return st

    def objects_pages(self) -> int:
        return sum(1 << s.cache.order for s in self.slabs.values())

    def audit_caches(self) -> list[str]:
        problems = []
        for c in self.cache_chain:
            n = c.node
            queued = [e for ac in c.array for e in ac.entry] + (n.shared.entry if n.shared is not None else [])
            if len(set(queued)) != len(queued):
                problems.append(f"{c.name}: an object is in the per-CPU arrays twice (freed twice)")
            slabs = [s for s in self.slabs.values() if s.cache is c]
            free = sum(len(s.free) for s in slabs)
            if free != n.free_objects:
                problems.append(f"{c.name}: free_objects {n.free_objects} but {free} free in its slabs")
            for s in slabs:
                if s.inuse + len(s.free) != c.num:
                    problems.append(f"{c.name}: slab {s.addr:#x}: {s.inuse} in use + {len(s.free)} free != {c.num}")
                if len(set(s.free)) != len(s.free):
                    problems.append(f"{c.name}: slab {s.addr:#x}: an object is free twice")
                want = "full" if not s.free else "free" if not s.inuse else "partial"
                if s.where != want or s.key not in self._list_of(n, s.where):
                    problems.append(f"{c.name}: slab {s.addr:#x} is on the {s.where} list but is {want}")
            listed = len(n.slabs_full) + len(n.slabs_partial) + len(n.slabs_free)
            if listed != len(slabs):
                problems.append(f"{c.name}: {listed} slabs listed, {len(slabs)} exist")
        return problems


def make_slab(kernel: Any) -> SlabAllocator:
    """The factory of the ``slab`` implementation: 2.2's design before 2.4, this one after."""
    if not kernel.has("v2.4.0"):
        from .mm_slab_22 import Slab22

        return Slab22(kernel)
    return Slab26(kernel)


@hookimpl
def linuxmm_implementations():
    return [Implementation(
        subsystem="slab", name="slab", factory=make_slab, introduced="v2.2.0", removed="16a1d968358a",
        kconfig="SLAB", default=False,
        api=("kmalloc", "kzalloc", "kfree", "krealloc", "ksize", "kmem_cache_create", "kmem_cache_alloc",
             "kmem_cache_zalloc", "kmem_cache_free", "kmem_cache_destroy", "kmem_cache_shrink"),
        summary="SLAB (mm/slab.c): 2.2's chain of slabs; from 2.4 per-CPU arrays, three lists, colouring "
                "(2.2-6.7)")]
