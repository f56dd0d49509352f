"""SLUB, the unqueued slab allocator (mm/slub.c), from 2.6.22 to 6.18 (x86_64).

One implementation, ``slub``, covers the whole era; what changed inside it is
written where it changed, keyed by era flags computed once at boot.  Sources
read (docs/sources.md): ``mm/slub.c`` and ``include/linux/slub_def.h`` of
2.6.22.15, 2.6.23.17, 2.6.24, 2.6.26, 2.6.27, 2.6.28, 2.6.29, 2.6.30,
2.6.32, 2.6.34-rc7, 3.10, 4.4, 6.2, 6.3, 6.5, 6.8 and 6.12 (with
``mm/slab_common.c`` and ``include/linux/slab.h`` from 3.10 on) [V where
marked, with the version read].  Where two read versions bracket a change and
the commit was not seen, the change is keyed on a release tag and marked [S].

The model's kernel configuration: one NUMA node, ``CONFIG_SLUB_DEBUG=y`` (the
default, so ``slub_debug=`` works), no memory cgroups, ``CONFIG_ZONE_DMA=y``,
no freelist randomisation or hardening, 64-byte cache lines, ``nr_cpu_ids``
= the machine's CPUs (all present and online).

What is modelled, per era
-------------------------
* Per-CPU slab and freelist (``struct kmem_cache_cpu``): the fast paths pop
  and push the CPU's freelist; ``___slab_alloc`` refills it from the slab's
  own freelist (objects freed by other CPUs), then from the node's partial
  list (head first), then from a new slab; ``__slab_free`` frees into a
  slab that is not the CPU's.  Free lists are LIFO; a new slab hands out its
  objects in address order.  Per-CPU partial lists (3.2,
  ``CONFIG_SLUB_CPU_PARTIAL``) are NOT modelled: a slab leaving the CPU goes
  to the node's list, as before 3.2.
* Partial-list policy: 2.6.22-2.6.23 keep at most MIN_PARTIAL 2 empty slabs
  when a CPU slab is given up and put a slab that was full at the head;
  2.6.24-2.6.29 MIN_PARTIAL 5 and the tail [V 2.6.24, 2.6.29]; from 2.6.30
  per cache ``min_partial = clamp(ilog2(size)/2, 5, 10)`` [V 2.6.30]; a
  free that empties a slab discards it until 3.x, and from 3.x keeps it
  while the node has at most (from 4.4 [S]: fewer than) ``min_partial``
  partial slabs [V 3.10, 4.4, 6.12].
* ``calculate_order``: 2.6.22-2.6.25 ``slub_min_objects`` 4,
  ``slub_max_order`` 1, waste fractions 1/8 and 1/4, ``min_objects`` halved
  [V 2.6.22, 2.6.24]; from 2.6.26 ``min_objects = 4*(fls(nr_cpu_ids)+1)``,
  ``slub_max_order`` 3 (PAGE_ALLOC_COSTLY_ORDER), fractions 1/16 to 1/4
  [V 2.6.26]; from 2.6.30 ``min_objects`` is capped by what fits in a
  max-order slab and counts down by one [V 2.6.30, 4.4, 6.5]; from 6.7 the
  refactored search: ``min_order = get_order(min_objects*size)``, fractions
  1/16 to 1/2 [V 6.8, 6.12; 6.7 S].  The CPU count in the formula is
  ``nr_cpu_ids`` until 5.11, then ``num_online_cpus()``, then
  ``num_present_cpus()``: all the same number in this model.
* kmalloc caches and the large-kmalloc cutoff: 2.6.22-2.6.23 caches up to
  ``KMALLOC_MAX_SIZE`` (4 MB; a larger request is ``BUG_ON`` in
  ``get_slab``) [V]; 2.6.24 passes requests above PAGE_SIZE/2 to the page
  allocator (caches to 2048) [V]; from 2.6.25 above PAGE_SIZE (caches to
  4096) [V 2.6.26-2.6.29, 2.6.25 S]; from 2.6.30 above 2*PAGE_SIZE
  (SLUB_MAX_SIZE, caches to 8192) [V]; from 3.10 the common
  ``KMALLOC_MAX_CACHE_SIZE`` (the same 8192) [V].  Index 1 is ``kmalloc-96``
  and index 2 ``kmalloc-192`` throughout.  Names ``kmalloc-1024`` until
  4.20, ``kmalloc-1k`` after [S]; ``kmalloc-rcl-*`` for __GFP_RECLAIMABLE
  from 4.20 [S]; DMA caches ``kmalloc_dma-N`` made on first use until 3.9,
  ``dma-kmalloc-N`` made at boot after [V 2.6.34, 3.10; 3.9 S].
* ``kmalloc(0)`` is ZERO_SIZE_PTR (16) in every SLUB era; ``kfree`` of
  NULL or ZERO_SIZE_PTR does nothing.
* Merging: a new cache without a constructor or debugging is an alias of an
  existing one of the same size class, flags and alignment (``find_mergeable``:
  newest first until 3.19, oldest first after [V 3.10, 4.4; 3.19 S]);
  ``slub_nomerge`` (and ``slab_nomerge`` from 3.19 [S]) turn it off.
* ``slub_debug=`` (letters F Z P U T, ``-``, and ``,cache`` patterns, with
  ``;``-separated blocks and ``*`` globs from 5.9 [S]): red zones (0xbb/0xcc),
  poisoning (0x6b, last byte 0xa5), padding (0x5a), tracking, tracing, and the
  reports of ``check_object``/``free_debug_processing`` in three formats:
  2.6.22-2.6.36 (``INFO:`` lines, SLUB's own hex dump, no taint), 2.6.37-5.x
  (``print_hex_dump``, taint in the BUG line from 3.x) and 6.x (no
  ``INFO:``, left/right red zones, ``@offset`` on the first-byte line)
  [V 2.6.24, 2.6.30, 4.4, 6.2, 6.12; the release boundaries S].
  Debugged caches take the slow path for every call and keep no CPU slab
  (as 6.2's ``alloc_single_from_partial`` does).
* /proc/slabinfo under SLUB exists from 2.6.24 [V: absent from 2.6.22.15 and
  2.6.23.17, present in 2.6.24], version 2.1, tunables and sharedavail 0.

Not modelled: stack traces (``dump_stack``, stack depot) beyond a call list,
time (jiffies stay at their boot value: every ``age=`` is 0), NUMA,
``kmem_cache_alloc_bulk``, sysfs.  Without debugging the free pointer is
kept beside the slab, not written into the free object.
"""

from __future__ import annotations

import hashlib
from typing import Any, Callable

from linuxmm import hookimpl
from linuxmm.checks import check_addr, check_gfp, check_size, explain
from linuxmm.errors import ArgumentError, ConfigError, LinuxmmError
from linuxmm.gfp import __GFP_DMA, __GFP_NOWARN, __GFP_RECLAIMABLE, __GFP_ZERO, GFP_KERNEL, format_gfp, gfp_era
from linuxmm.lists import FreeList
from linuxmm.machine import PAGE_SHIFT, PAGE_SIZE
from linuxmm.records import Implementation
from linuxmm.slab import (ALIGN, POISON_END, POISON_FREE, POISON_INUSE, SLAB_CACHE_DMA, SLAB_CONSISTENCY_CHECKS,
                          SLAB_DESTROY_BY_RCU, SLAB_FAILSLAB, SLAB_HWCACHE_ALIGN, SLAB_NOLEAKTRACE, SLAB_PANIC,
                          SLAB_POISON, SLAB_RECLAIM_ACCOUNT, SLAB_RED_ZONE, SLAB_STORE_USER, SLAB_TRACE,
                          SLUB_RED_ACTIVE, SLUB_RED_INACTIVE, ZERO_SIZE_PTR, KasanSlab, SlabAllocator, SlabCache,
                          SlabinfoRow, fls, get_order)

_GFP_ZERO = __GFP_ZERO
_GFP_DMA = __GFP_DMA
_GFP_NOWARN = __GFP_NOWARN
_GFP_RECLAIMABLE = __GFP_RECLAIMABLE

#: The model's task: messages that print ``current`` show this pid and comm.
PID = 1
COMM = "linuxmm"
CACHE_LINE = 64
WORD = 8
#: every bit above a 32-bit gfp_t (the fast paths' masks include it: such a mask is refused on the slow path)
_NOT_GFP = ~0xFFFFFFFF
MAX_NR_ORDER = 11  # orders 0..10 on x86_64 in every era
#: Structure sizes of the model's configuration (x86_64, one node, SLUB_DEBUG, no hardening) [S: summed
#: from the 6.x struct layouts; other eras differ by a few words and are not modelled separately].
KMEM_CACHE_SIZE = 192  # offsetof(struct kmem_cache, node) + one node pointer
KMEM_CACHE_NODE_SIZE = 64  # struct kmem_cache_node with SLUB_DEBUG
KMEM_CACHE_OLD_SIZE = 176  # before 3.9: offsetof(struct kmem_cache, cpu_slab); plus a pointer per CPU

#: SLUB's statistics (``enum stat_item``, CONFIG_SLUB_STATS), kept per CPU and always in this model.
STAT_ITEMS = ("alloc_fastpath", "alloc_slowpath", "free_fastpath", "free_slowpath", "free_frozen",
              "free_add_partial", "free_remove_partial", "alloc_from_partial", "alloc_slab", "alloc_refill",
              "free_slab", "cpuslab_flush", "deactivate_full", "deactivate_empty", "deactivate_to_head",
              "deactivate_to_tail", "deactivate_remote_frees", "deactivate_bypass")
(ALLOC_FASTPATH, ALLOC_SLOWPATH, FREE_FASTPATH, FREE_SLOWPATH, FREE_FROZEN, FREE_ADD_PARTIAL,
 FREE_REMOVE_PARTIAL, ALLOC_FROM_PARTIAL, ALLOC_SLAB, ALLOC_REFILL, FREE_SLAB, CPUSLAB_FLUSH,
 DEACTIVATE_FULL, DEACTIVATE_EMPTY, DEACTIVATE_TO_HEAD, DEACTIVATE_TO_TAIL, DEACTIVATE_REMOTE_FREES,
 DEACTIVATE_BYPASS) = range(len(STAT_ITEMS))

#: slub_debug letters -> cache flags [V: setup_slub_debug, 2.6.22 and 6.12]
DEBUG_LETTERS = {"f": SLAB_CONSISTENCY_CHECKS, "z": SLAB_RED_ZONE, "p": SLAB_POISON, "u": SLAB_STORE_USER,
                 "t": SLAB_TRACE, "a": SLAB_FAILSLAB}
DEBUG_DEFAULT_FLAGS = SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER
SLAB_DEBUG_FLAGS = SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER | SLAB_TRACE | SLAB_CONSISTENCY_CHECKS
SLUB_NEVER_MERGE = (SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER | SLAB_TRACE | SLAB_DESTROY_BY_RCU
                    | SLAB_NOLEAKTRACE | SLAB_FAILSLAB)
SLUB_MERGE_SAME = SLAB_RECLAIM_ACCOUNT | SLAB_CACHE_DMA
#: The cache's object is poisoned (SLAB_POISON without a constructor or RCU): model-private bit.
OBJECT_POISON = 1 << 40

#: kmalloc types (``enum kmalloc_cache_type`` without MEMCG or random caches).
KMALLOC_NORMAL, KMALLOC_RECLAIM, KMALLOC_DMA = range(3)


def ilog2(x: int) -> int:
    return x.bit_length() - 1


def kmalloc_index(size: int) -> int:
    """0 for 0, 1 for 65..96, 2 for 129..192, else n for 2^(n-1)+1..2^n (KMALLOC_MIN_SIZE 8)."""
    if not size:
        return 0
    if size <= 8:
        return 3
    if 64 < size <= 96:
        return 1
    if 128 < size <= 192:
        return 2
    return (size - 1).bit_length()


def kmalloc_size(index: int) -> int:
    return 96 if index == 1 else 192 if index == 2 else 1 << index


class Slab:
    """A slab: ``struct page`` (``struct slab`` from 5.17) as SLUB uses it.

    ``freelist`` is the slab's own free list, a stack whose last element is
    the head; ``inuse`` the kernel's counter (all objects while the slab is
    a CPU's, minus what other CPUs free into it).
    """

    __slots__ = ("cache", "addr", "key", "order", "objects", "inuse", "freelist", "frozen", "on_partial",
                 "on_full")

    def __init__(self, cache: "KmemCache", addr: int, key: int, order: int, objects: int) -> None:
        self.cache = cache
        self.addr = addr
        self.key = key
        self.order = order
        self.objects = objects
        self.inuse = 0
        self.freelist: list[int] = []
        self.frozen = False
        self.on_partial = False
        self.on_full = False

    def __repr__(self) -> str:
        return (f"<slab {self.cache.name} {self.addr:#x} order={self.order} objects={self.objects} "
                f"inuse={self.inuse} free={len(self.freelist)}{' frozen' if self.frozen else ''}>")


class KmemCacheCpu:
    """``struct kmem_cache_cpu``: the CPU's freelist (a stack, head last) and slab, and its statistics."""

    __slots__ = ("freelist", "slab", "stat")

    def __init__(self) -> None:
        self.freelist: list[int] = []
        self.slab: Slab | None = None
        self.stat = [0] * len(STAT_ITEMS)


class KmemCacheNode:
    """``struct kmem_cache_node``: the partial list (and, for debugging with SLAB_STORE_USER, the full list)."""

    __slots__ = ("partial", "full", "nr_slabs", "total_objects")

    def __init__(self) -> None:
        self.partial = FreeList()  # of slab keys; head = first tried
        self.full = FreeList()
        self.nr_slabs = 0
        self.total_objects = 0

    @property
    def nr_partial(self) -> int:
        return len(self.partial)


class KmemCache(SlabCache):
    """``struct kmem_cache`` under SLUB."""

    def __init__(self, name: str, object_size: int, size: int, align: int, flags: int,
                 ctor: Callable[..., Any] | None, ncpus: int) -> None:
        super().__init__(name, object_size, size, align, flags, ctor)
        self.cpu_slab = [KmemCacheCpu() for _ in range(ncpus)]
        self.node = KmemCacheNode()
        self.offset = 0
        self.inuse = 0
        self.red_left_pad = 0
        self.min_partial = 5
        self.kmalloc = False
        self.debug = False
        self.aliases: list[str] = []
        self.meta_addrs: tuple[int, ...] = ()  # model: the cache's own struct kmem_cache(_node) objects

    def stats(self) -> dict[str, int]:
        return {name: sum(c.stat[i] for c in self.cpu_slab) for i, name in enumerate(STAT_ITEMS)}


class Slub(KasanSlab, SlabAllocator):
    """mm/slub.c, 2.6.22 .. 6.18 (see the module docstring)."""

    name = "SLUB"
    source_file = "mm/slub.c"

    def __init__(self, kernel: Any) -> None:
        super().__init__(kernel)
        has = kernel.has
        self.ncpus = kernel.nr_cpus
        # -- era flags, computed once ------------------------------------------------
        self.has_slabinfo = has("v2.6.24")  # [V: absent 2.6.23.17, present 2.6.24]
        self.tail_on_free = has("v2.6.24")  # add_partial_tail for a slab that was full [V]
        self.percpu_min_partial = has("v2.6.30")  # set_min_partial() [V 2.6.29 vs 2.6.30]
        self.min_partial_const = 2 if not has("v2.6.24") else 5  # MIN_PARTIAL [V]
        self.keep_empty_on_free = has("v3.1")  # __slab_free keeps an empty slab under min_partial [S: V 3.10]
        self.keep_ge = has("v4.4")  # nr_partial >= min_partial discards (3.10: >) [V 3.10, 4.4; S boundary]
        if has("v6.7"):  # calculate_order refactor [V 6.8, 6.12; S release]
            self.order_algo = 4
        elif has("v2.6.30"):
            self.order_algo = 3
        elif has("v2.6.26"):
            self.order_algo = 2
        else:
            self.order_algo = 1
        if has("v2.6.30"):
            self.kmalloc_shift_high = PAGE_SHIFT + 1  # SLUB_MAX_SIZE 2*PAGE_SIZE / KMALLOC_MAX_CACHE_SIZE
        elif has("v2.6.25"):
            self.kmalloc_shift_high = PAGE_SHIFT  # [V 2.6.26-2.6.29; 2.6.25 S]
        elif has("v2.6.24"):
            self.kmalloc_shift_high = PAGE_SHIFT - 1  # > PAGE_SIZE/2 goes to the page allocator [V]
        else:
            self.kmalloc_shift_high = MAX_NR_ORDER + PAGE_SHIFT - 1  # KMALLOC_MAX_SIZE, no pass-through [V]
        self.large_kmalloc = has("v2.6.24")
        self.debug_size_limit = not has("v2.6.25")  # no slub_debug for objects of 512 KB or more [V 2.6.24]
        self.kmalloc_max_cache = 1 << self.kmalloc_shift_high
        self.short_names = has("v4.20")  # kmalloc-1k [S]
        self.rcl_caches = has("v4.20")  # kmalloc-rcl-* [S]
        self.boot_dma_caches = has("v3.9")  # dma-kmalloc-* at boot [V 3.10; S boundary]
        self.meta_caches = has("v3.9")  # kmem_cache and kmem_cache_node caches [V 3.10; S boundary]
        self.genslabs_line = not has("v3.9")  # "SLUB: Genslabs=" boot line [V 2.6.34 vs 3.10]
        self.merge_oldest_first = has("v3.19")  # find_mergeable walks the list in reverse [S: V 3.10 vs 4.4]
        self.has_slab_nomerge = has("v3.19")
        self.report_style = 3 if has("v5.14") else 2 if has("v2.6.37") else 1  # see the docstring [S]
        self.taint_in_bug = has("v3.1")  # BUG %s (%s) with print_tainted() [S: V 2.6.34 vs 3.10]
        self.left_redzone = has("v4.6")  # red_left_pad [S]
        self.fp_middle = has("v5.7")  # free pointer in the middle of the object [S]
        self.kmalloc_redzone = has("v6.2")  # orig_size and the kmalloc red zone with Z+U [V 6.2]
        self.hash_pointers = has("v4.15") and not has("v5.12")  # %p hashed; 5.12 forces raw with slub_debug [S]
        self.debug_blocks = has("v5.9")  # ';'-separated slub_debug blocks and '*' globs [S]
        self.track_size = 32 if has("v5.14") else 152 if has("v3.1") else 24  # struct track [S: V 2.6.24/4.4/6.12]
        self.object_section_max = PAGE_SIZE if has("v2.6.37") else 128
        self.zero_tail_on_shrink = has("v6.0")
        self.tiny = bool(kernel.config.get("SLUB_TINY"))
        # 'A' (SLAB_FAILSLAB) letter, with failslab's cache-filter [V: 2.6.32.9 tree without, 2.6.34-rc7 with]
        self.letter_a = has("v2.6.34")
        self.slab_debug_name = has("v6.8")  # slab_debug= is the name in messages [S]
        self.max_objs_per_page = 32767 if has("v4.6") else 65535  # MAX_OBJS_PER_PAGE [V 2.6.29, 6.12; S boundary]
        self.has_gfp_reclaimable = has("e12ba74d8ff3")
        self.oom_report = has("v2.6.31")  # slab_out_of_memory() [S]
        # its first line [V: 2.6.32.9, 3.10, 4.4.1 "(gfp=0x%x)"; 4.9-6.8 ", gfp=%#x(%pGg)"; 6.12.y and 6.18 "on CPU
        # %u (of node %d)"; the boundaries S: %pGg keyed with the page allocator's, 4.6]; printk_ratelimit(),
        # then (4.4) its own ratelimit: ten reports, the model's clock never lets the limit lapse
        self.oom_gfp_era = gfp_era(has)
        self.oom_cpu = has("v6.12")
        self.oom_left = 10
        self.wrong_cache_warn = has("v4.11")  # cache_from_obj's WARN [S]
        self.cmpxchg_era = has("v3.1")  # lockless rework: deactivate_slab splices, remote frees to the tail [S]
        self.page_type_slab = has("v6.10")  # PG_slab became a page type [S]
        self.info_objects = has("v2.6.25")  # "objects=" in the slab line [V 2.6.24 without, 2.6.30 with]
        self.warn_invalid_free = has("v5.10")  # WARN in free_large_kmalloc for an order-0 page [S]
        # taint letters: 11 in 2.6.32, 13 in 3.10, 16 in 4.4, 19 in 6.x [V]; the steps between [S]
        self.taint_flag_count = (19 if has("v5.17") else 18 if has("v4.15") else 16 if has("v3.15")
                                 else 13 if has("v3.2") else 11)
        self.dump_uid = has("v6.10")  # "CPU: n UID: n PID:" and the verbose taint line [V 6.8 without, 6.12 with]
        self.dump_stack_lvl = has("v5.13")  # dump_stack_lvl() [S]
        self.free_to_partial_list = has("v6.2")  # debugged caches free through free_to_partial_list [V 6.2]
        self.dump_cpu_line = has("v3.10")  # dump_stack_print_info [V 3.10]
        self.dump_pid_line = has("v2.6.28")  # "Pid: n, comm:" [S]
        rel = kernel.revision.describe.lstrip("v")
        base, dash, rc = rel.partition("-")
        if not base.startswith("2.") and base.count(".") == 1:
            base += ".0"
        self.uts_release = base + dash + rc  # init_utsname()->release: 6.12.0, 6.13.0-rc2, 2.6.24
        self.force_raw_pointers = has("v5.12")  # slub_debug forces no_hash_pointers [S]
        cfg = kernel.config
        self.config_debug = bool(cfg.get("SLUB_DEBUG", True))
        if not self.config_debug and "SLUB_DEBUG" in cfg.user and not (cfg.get("EXPERT") or cfg.get("EMBEDDED")):
            raise ConfigError("CONFIG_SLUB_DEBUG=n needs its prompt, which shows only with CONFIG_EMBEDDED=y "
                              "(CONFIG_EXPERT from v2.6.39)")
        # /proc/slabinfo: SLUB has it from 2.6.24; from 3.x CONFIG_SLABINFO depends on SLAB || SLUB_DEBUG [V 3.10]
        if not self.has_slabinfo:
            self.slabinfo_version = None
            self.no_slabinfo_reason = (f"/proc/slabinfo is not in {kernel.version} with SLUB: SLUB provides it from "
                                       f"v2.6.24; v2.6.22 and v2.6.23 have it only with CONFIG_SLAB")
        elif not self.config_debug and has("v3.9"):
            self.slabinfo_version = None
            self.no_slabinfo_reason = (f"/proc/slabinfo is not in this {kernel.version} kernel: with SLUB it needs "
                                       f"CONFIG_SLUB_DEBUG (CONFIG_SLABINFO depends on SLAB || SLUB_DEBUG)")
        else:
            self.slabinfo_version = "2.1"
        # -- boot parameters -----------------------------------------------------------
        cmd = kernel.cmdline
        if not self.config_debug and "slub_debug" in cmd:
            raise ConfigError("slub_debug= needs CONFIG_SLUB_DEBUG, which this configuration turns off")
        self.slab_nomerge = bool(cmd.get("slub_nomerge") or (self.has_slab_nomerge and cmd.get("slab_nomerge")))
        self.slub_min_order = cmd.get("slub_min_order", 0)
        default_max = (1 if self.tiny else 3) if self.order_algo >= 2 else 1
        self.slub_max_order = min(cmd.get("slub_max_order", default_max), MAX_NR_ORDER - 1)
        if self.slub_min_order > self.slub_max_order:
            self.slub_max_order = self.slub_min_order
        self.slub_min_objects = cmd.get("slub_min_objects", 0 if self.order_algo >= 2 else 4)
        self.slub_debug, self.debug_blocks_parsed = self._parse_slub_debug(cmd.get("slub_debug"))
        if cfg.get("SLUB_DEBUG_ON") and "slub_debug" not in cmd:
            self.slub_debug = DEBUG_DEFAULT_FLAGS
        if self.tiny and (self.slub_debug or self.debug_blocks_parsed):
            self.slub_debug, self.debug_blocks_parsed = 0, []  # SLUB_DEBUG depends on !SLUB_TINY
        self.raw_pointers = not self.hash_pointers or not (self.slub_debug or self.debug_blocks_parsed)
        self._hash_key = hashlib.blake2b(str(kernel.seed).encode(), digest_size=16).digest()
        self.tainted = False
        self.tracks: dict[tuple[int, bool], tuple[str, int, int]] = {}  # struct track, by (object, alloc)
        self._chain: list[str] = []  # the debug path's callers, outermost first (for dump_stack)
        self._reporter: tuple[str, ...] = ()
        self._caller = "kmalloc"
        # -- state ------------------------------------------------------------------------
        self.slab_caches: list[KmemCache] = []  # newest first, as list_add keeps them
        self.slab_of: dict[int, Slab] = {}  # virtual page number -> slab (every page of it)
        self.slabs: dict[int, Slab] = {}  # slab key (first pfn) -> slab
        self.large: dict[int, tuple[int, int]] = {}  # page number -> (head address, order) of kmalloc_large
        self.kmalloc_caches: list[list[KmemCache | None]] = [[None] * 26 for _ in range(3)]
        self.cpu = 0
        self.alloc_hooks: list[Callable[[KmemCache, int], bool]] = []  # failslab, KASAN: slow path only
        self.boot_meta: list[KmemCache] = []
        self.kmem_cache_init()
        self._build_fast_paths()

    # ------------------------------------------------------------------------------------------
    # boot
    def kmem_cache_init(self) -> None:
        genslabs = 0
        self.kmem_cache_cache = self.kmem_cache_node_cache = None
        if self.meta_caches:
            node = self._create_boot_cache("kmem_cache_node", KMEM_CACHE_NODE_SIZE, SLAB_HWCACHE_ALIGN)
            cache = self._create_boot_cache("kmem_cache", KMEM_CACHE_SIZE, SLAB_HWCACHE_ALIGN)
            node.refcount = cache.refcount = -1
            # bootstrap(): kmem_cache is linked first, then kmem_cache_node; each gets its node struct
            self.slab_caches.insert(0, cache)
            self.slab_caches.insert(0, node)
            self.kmem_cache_cache, self.kmem_cache_node_cache = cache, node
            self.boot_meta = [cache, node]  # bootstrap() gives each its struct kmem_cache and node struct
        types = [KMALLOC_NORMAL]
        if self.rcl_caches:
            types.append(KMALLOC_RECLAIM)
        if self.boot_dma_caches:
            types.append(KMALLOC_DMA)
        for t in types:
            for idx in [1, 2] + list(range(3, self.kmalloc_shift_high + 1)):
                self.create_kmalloc_cache(t, idx)
                genslabs += 1
        if (self.slub_debug or self.debug_blocks_parsed) and self.force_raw_pointers:
            self._no_hash_pointers_banner()
        if self.genslabs_line:
            self.boot_printk(f"SLUB: Genslabs={genslabs}, HWalign={CACHE_LINE}, Order={self.slub_min_order}-"
                             f"{self.slub_max_order}, MinObjects={self.slub_min_objects}, CPUs={self.ncpus}, "
                             f"Nodes=1")
        else:
            self.boot_printk(f"SLUB: HWalign={CACHE_LINE}, Order={self.slub_min_order}-{self.slub_max_order}, "
                             f"MinObjects={self.slub_min_objects}, CPUs={self.ncpus}, Nodes=1")

    def deferred_boot(self) -> None:
        """kmem_cache_init's allocations: the boot caches' own struct kmem_cache and node objects."""
        for s in self.boot_meta:
            s.meta_addrs = (self.slab_alloc(self.kmem_cache_cache, GFP_KERNEL, KMEM_CACHE_SIZE),
                            self.slab_alloc(self.kmem_cache_node_cache, GFP_KERNEL, KMEM_CACHE_NODE_SIZE))

    def _no_hash_pointers_banner(self) -> None:
        """``no_hash_pointers_enable()``, forced by slub_debug from 5.12 [S: 792702911f58]."""
        p = self.boot_printk
        stars = "*" * 54
        p(stars)
        p("**   NOTICE NOTICE NOTICE NOTICE NOTICE NOTICE NOTICE   **")
        p("**                                                      **")
        p("** This system shows unhashed kernel memory addresses   **")
        p("** via the console, logs, and other interfaces. This    **")
        p("** might reduce the security of your system.            **")
        p("**                                                      **")
        p("** If you see this message and you are not debugging    **")
        p("** the kernel, report this immediately to your system   **")
        p("** administrator!                                       **")
        p("**                                                      **")
        p("**   NOTICE NOTICE NOTICE NOTICE NOTICE NOTICE NOTICE   **")
        p(stars)

    def kmalloc_name(self, t: int, idx: int) -> str:
        size = kmalloc_size(idx)
        if self.short_names and size >= 1024:
            text = f"{size >> 20}M" if size >= 1 << 20 else f"{size >> 10}k"
        else:
            text = str(size)
        if t == KMALLOC_RECLAIM:
            return f"kmalloc-rcl-{text}"
        if t == KMALLOC_DMA:
            return f"dma-kmalloc-{text}" if self.boot_dma_caches else f"kmalloc_dma-{size}"
        return f"kmalloc-{text}"

    def create_kmalloc_cache(self, t: int, idx: int) -> KmemCache:
        flags = {KMALLOC_NORMAL: 0, KMALLOC_RECLAIM: SLAB_RECLAIM_ACCOUNT, KMALLOC_DMA: SLAB_CACHE_DMA}[t]
        s = self._create_cache(self.kmalloc_name(t, idx), kmalloc_size(idx), 0, flags, None, kmalloc=True)
        self.kmalloc_caches[t][idx] = s
        return s

    def _create_boot_cache(self, name: str, size: int, flags: int) -> KmemCache:
        s = self._new_cache(name, size, 0, flags, None)
        return s

    # ------------------------------------------------------------------------------------------
    # cache creation: kmem_cache_create, calculate_sizes, calculate_order, merging
    def _parse_slub_debug(self, text: str | None) -> tuple[int, list[tuple[int, list[str]]]]:
        """``setup_slub_debug``: the global flags and the ``(flags, patterns)`` blocks."""
        if text is None:
            return 0, []
        if text == "" or text is True:
            return DEBUG_DEFAULT_FLAGS, []
        blocks: list[tuple[int, list[str]]] = []
        global_flags = DEBUG_DEFAULT_FLAGS
        changed = False
        parts = [b for b in text.split(";") if b] if self.debug_blocks else [text]
        for block in parts:
            letters, sep, slabs = block.partition(",")
            if not letters and sep:
                flags = DEBUG_DEFAULT_FLAGS
            else:
                flags = 0
                for ch in letters:
                    c = ch.lower()
                    if c == "-":
                        flags = 0
                    elif c in DEBUG_LETTERS and not (c == "a" and not self.letter_a):
                        flags |= DEBUG_LETTERS[c]
                    elif c == "o":
                        pass  # disable_higher_order_debug: not modelled (never changes an order here)
                    else:
                        name = "slab_debug" if self.slab_debug_name else "slub_debug"
                        self.kernel.dmesg.printk(f"{name} option '{ch}' unknown. skipped")
            if sep:
                blocks.append((flags, [p for p in slabs.split(",") if p]))
            else:
                global_flags = flags
                changed = True
        if blocks and not changed:
            global_flags = 0
        return global_flags, blocks

    def kmem_cache_flags(self, flags: int, name: str, size: int = 0) -> int:
        """Apply slub_debug to a new cache's flags (the ``,cache`` patterns first).

        Until 2.6.24 a cache of objects of ``65535 * sizeof(void *)`` bytes or
        more (512 KB on 64-bit) gets no slub_debug flags: the free pointer's
        offset was a 16-bit word count (``kmem_cache_open_debug_check`` of
        2.6.22.15 and 2.6.23.17, ``kmem_cache_flags`` of 2.6.24 [V]; gone in
        2.6.26 [V], 2.6.25 [S]).  So 2.6.22's kmalloc caches of 512 KB to 4 MB
        stay undebugged under ``slub_debug``, and the kernel boots.
        """
        if self.debug_size_limit and size >= 65535 * WORD:
            return flags
        for bflags, patterns in self.debug_blocks_parsed:
            for pat in patterns:
                if self.debug_blocks and "*" in pat:
                    if name.startswith(pat[:pat.index("*")]):
                        return flags | bflags
                elif name == pat:
                    return flags | bflags
        local = self.slub_debug
        if flags & SLAB_NOLEAKTRACE:
            local &= ~SLAB_STORE_USER
        return flags | local

    def calculate_alignment(self, flags: int, align: int, size: int) -> int:
        if self.merge_oldest_first:  # 3.19 calculate_alignment, moved to slab_common [S]
            if flags & SLAB_HWCACHE_ALIGN:
                ralign = CACHE_LINE
                while size <= ralign // 2:
                    ralign //= 2
                align = max(align, ralign)
            align = max(align, 8)
            return ALIGN(align, WORD)
        if flags & SLAB_HWCACHE_ALIGN and size > CACHE_LINE // 2:
            return max(align, CACHE_LINE)
        if align < 8:
            return 8
        return ALIGN(align, WORD)

    def order_objects(self, order: int, size: int) -> int:
        return (PAGE_SIZE << order) // size

    def calculate_order(self, size: int) -> int:
        """The slab order for objects of ``size`` bytes, with this era's search (see the docstring)."""
        algo = self.order_algo
        max_order = self.slub_max_order
        min_objects = self.slub_min_objects
        if not min_objects:
            min_objects = 4 * (fls(self.ncpus) + 1)
        max_per_page = self.max_objs_per_page

        def slab_order(min_objs: int, max_ord: int, fract: int) -> int:
            min_order = self.slub_min_order
            if algo >= 2 and (PAGE_SIZE << min_order) // size > max_per_page:
                return get_order(size * max_per_page) - 1
            order = max(min_order, get_order(min_objs * size))
            while order <= max_ord:
                slab_size = PAGE_SIZE << order
                if slab_size % size <= slab_size // fract:
                    break
                order += 1
            return order

        if algo == 4:
            max_objects = max(self.order_objects(max_order, size), 1)
            min_objects = min(min_objects, max_objects)
            min_order = max(self.slub_min_order, get_order(min_objects * size))
            if self.order_objects(min_order, size) > max_per_page:
                return get_order(size * max_per_page) - 1
            fraction = 16
            while fraction > 1:
                order = min_order
                while order <= max_order:
                    slab_size = PAGE_SIZE << order
                    if slab_size % size <= slab_size // fraction:
                        break
                    order += 1
                if order <= max_order:
                    return order
                fraction //= 2
            order = get_order(size)
            return order if order <= MAX_NR_ORDER - 1 else -1
        if algo >= 3:
            min_objects = min(min_objects, max(self.order_objects(max_order, size), 0))
        first_fraction = 8 if algo == 1 else 16
        while min_objects > 1:
            fraction = first_fraction
            while fraction >= 4:
                order = slab_order(min_objects, max_order, fraction)
                if order <= max_order:
                    return order
                fraction //= 2
            min_objects = min_objects - 1 if algo >= 3 else min_objects // 2
        order = slab_order(1, max_order, 1)
        if order <= max_order:
            return order
        order = slab_order(1, MAX_NR_ORDER - 1, 1)
        return order if order <= MAX_NR_ORDER - 1 else -1

    def calculate_sizes(self, s: KmemCache) -> bool:
        """Object layout: red zones, free pointer, tracking, padding; then the order and objects per slab."""
        flags = s.flags
        size = ALIGN(s.object_size, WORD)
        if flags & SLAB_POISON and not flags & SLAB_DESTROY_BY_RCU and not s.ctor:
            s.flags |= OBJECT_POISON
        else:
            s.flags &= ~OBJECT_POISON
        if flags & SLAB_RED_ZONE and size == s.object_size:
            size += WORD
        s.inuse = size
        if (flags & (SLAB_DESTROY_BY_RCU | SLAB_POISON) or s.ctor
                or (self.fp_middle and flags & SLAB_RED_ZONE
                    and (s.object_size < WORD or self._orig_size_kept(s)))):
            s.offset = size
            size += WORD
        elif self.fp_middle:
            s.offset = (s.object_size // 2) & ~(WORD - 1)
        else:
            s.offset = 0
        if flags & SLAB_STORE_USER:
            size += 2 * self.track_size
            if self._orig_size_kept(s):
                size += 4
        s.red_left_pad = 0
        if flags & SLAB_RED_ZONE:
            size += WORD
            if self.left_redzone:
                s.red_left_pad = ALIGN(WORD, s.align)
                size += s.red_left_pad
        size = ALIGN(size, s.align)
        s.size = size
        order = self.calculate_order(size)
        if order < 0:
            return False
        s.order = order
        s.objects = self.order_objects(order, size)
        s.debug = bool(flags & SLAB_DEBUG_FLAGS)
        return bool(s.objects)

    def _orig_size_kept(self, s: KmemCache) -> bool:
        """``slub_debug_orig_size()``: a kmalloc cache with Z and U keeps each request's size (6.2)."""
        return (self.kmalloc_redzone and s.kmalloc and bool(s.flags & SLAB_STORE_USER)
                and bool(s.flags & SLAB_RED_ZONE))

    def set_min_partial(self, s: KmemCache) -> None:
        if self.percpu_min_partial:
            s.min_partial = min(max(ilog2(s.size) // 2, 5), 10)
        else:
            s.min_partial = self.min_partial_const

    def _new_cache(self, name: str, size: int, align: int, flags: int, ctor: Any,
                   kmalloc: bool = False) -> KmemCache:
        flags = self.kmem_cache_flags(flags, name, size)
        s = KmemCache(name, size, size, 0, flags, ctor, self.ncpus)
        s.kmalloc = kmalloc
        s.align = self.calculate_alignment(flags, align, size)
        if not self.calculate_sizes(s):
            raise LinuxmmError(f"kmem_cache_create: cannot create cache {name} (size {size})")
        self.set_min_partial(s)
        s.reclaimable = bool(s.flags & SLAB_RECLAIM_ACCOUNT)
        return s

    def _create_cache(self, name: str, size: int, align: int, flags: int, ctor: Any,
                      kmalloc: bool = False) -> KmemCache:
        s = self._new_cache(name, size, align, flags, ctor, kmalloc)
        if not self.booted:
            if self.meta_caches:
                self.boot_meta.append(s)
        elif self.meta_caches:
            s.meta_addrs = (self.slab_alloc(self.kmem_cache_cache, GFP_KERNEL, KMEM_CACHE_SIZE),
                            self.slab_alloc(self.kmem_cache_node_cache, GFP_KERNEL, KMEM_CACHE_NODE_SIZE))
        elif not kmalloc:
            # before 3.9 the struct kmem_cache of a created cache was kmalloc(kmem_size) [V 2.6.24]
            s.meta_addrs = (self.kmalloc_slow(KMEM_CACHE_OLD_SIZE + WORD * self.ncpus, GFP_KERNEL),)
        if not all(s.meta_addrs):  # a structure could not be allocated (fault injection can do it)
            return self._create_nomem(s, flags)
        self.slab_caches.insert(0, s)
        return s

    def _create_nomem(self, s: KmemCache, flags: int) -> Any:
        """kmem_cache_create's -ENOMEM: what was allocated goes back; NULL, or the era's panic with SLAB_PANIC.

        Before 3.9 silently (or ``panic("Cannot create slabcache %s")``) [V 2.6.24, 2.6.32]; from 3.9
        slab_common.c's warning and ``dump_stack()`` [V 3.10, 4.4, 5.4, 5.12; ``%s`` of ``__func__``
        from 5.14 (S: 5.12.9 without, 5.14 with): kmem_cache_create_usercopy, and
        __kmem_cache_create_args in 6.12, 6.13, 6.14 and 6.18].
        """
        caches = (self.kmem_cache_cache, self.kmem_cache_node_cache) if self.meta_caches else (None,)
        for cache, addr in zip(caches, s.meta_addrs):
            if addr and cache is not None:
                self.kmem_cache_free(cache, addr)
            elif addr:
                self.kfree(addr)
        s.dead = True
        k = self.kernel
        if not self.meta_caches:
            if flags & SLAB_PANIC:
                k.panic(f"Cannot create slabcache {s.name}")
            return None
        func = ("__kmem_cache_create_args" if k.has("v6.12") else "kmem_cache_create_usercopy" if k.has("v5.14")
                else "kmem_cache_create")
        if flags & SLAB_PANIC:
            k.panic(f"{func}: Failed to create slab '{s.name}'. Error -12")
        self.printk(f"{func}({s.name}) failed with error -12")
        self.dump_stack((func,))
        return None

    def find_mergeable(self, size: int, align: int, flags: int, name: str, ctor: Any) -> KmemCache | None:
        if self.slab_nomerge or ctor:
            return None
        flags = self.kmem_cache_flags(flags, name, size)
        if flags & SLUB_NEVER_MERGE:
            return None
        size = ALIGN(size, WORD)
        align = self.calculate_alignment(flags, align, size)
        size = ALIGN(size, align)
        order = reversed(self.slab_caches) if self.merge_oldest_first else self.slab_caches
        for s in order:
            if s.flags & SLUB_NEVER_MERGE or s.ctor or s.refcount < 0 or s.dead:
                continue
            if size > s.size:
                continue
            if flags & SLUB_MERGE_SAME != s.flags & SLUB_MERGE_SAME:
                continue
            if s.size & ~(align - 1) != s.size:
                continue
            if s.size - size >= WORD:
                continue
            return s
        return None

    def kmem_cache_create(self, name: str, size: int, align: int = 0, flags: int = 0,
                          ctor: Callable[[int], Any] | None = None) -> KmemCache:
        """``kmem_cache_create(name, size, align, flags, ctor)``: a new cache, or an alias of a mergeable one."""
        self.ensure_booted()
        name, size, align, flags = self.check_create(name, size, align, flags, ctor)
        if not size or size > (PAGE_SIZE << (MAX_NR_ORDER - 1)):
            return self._create_failed(name, flags, size)
        s = self.find_mergeable(size, align, flags, name, ctor)
        if s is not None:
            s.refcount += 1
            s.object_size = max(s.object_size, size)
            s.inuse = max(s.inuse, ALIGN(size, WORD))
            s.aliases.append(name)
            return s
        return self._create_cache(name, size, align, flags, ctor)

    def _create_failed(self, name: str, flags: int, size: int) -> Any:
        """A size no slab can hold: NULL, or a panic with SLAB_PANIC (``kmem_cache_create``'s error path)."""
        if flags & SLAB_PANIC:
            self.kernel.panic(f"Cannot create slab {name} size={size} realsize=0 order=0 offset=0 flags={flags:x}"
                              if not self.meta_caches else f"kmem_cache_create: Failed to create slab '{name}'. "
                              "Error -22")
        if self.meta_caches:
            self.kernel.dmesg.printk(f"kmem_cache_create({name}) integrity check failed")
        return None

    def kmem_cache_destroy(self, s: KmemCache) -> None:
        """``kmem_cache_destroy(s)``: drop a reference; the last one frees the cache (if it is empty)."""
        self.ensure_booted()
        if s is None:
            return
        s = self.check_cache("kmem_cache_destroy", s, KmemCache)
        s.refcount -= 1
        if s.refcount:
            return
        n = self._flush_and_discard_empty(s)
        if n.nr_slabs:
            for key in list(n.partial):
                self._list_slab_objects(s, self.slabs[key])
            self.kernel.dmesg.printk(f"kmem_cache_destroy {s.name}: Slab cache still has objects")
            s.refcount += 1
            return
        self.slab_caches.remove(s)
        s.dead = True
        for c in s.cpu_slab:
            c.freelist = []
        if len(s.meta_addrs) == 2:
            self.kmem_cache_free(self.kmem_cache_node_cache, s.meta_addrs[1])
            self.kmem_cache_free(self.kmem_cache_cache, s.meta_addrs[0])
        elif s.meta_addrs:
            self.kfree(s.meta_addrs[0])
        self._build_fast_paths()

    def _flush_and_discard_empty(self, s: KmemCache) -> Any:
        """Flush every CPU slab of ``s`` back to its node, free the partial slabs left empty; the node."""
        self.flush_all(s)
        n = s.node
        for key in list(n.partial):
            slab = self.slabs[key]
            if not slab.inuse:
                self.remove_partial(n, slab)
                self.discard_slab(s, slab)
        return n

    def _list_slab_objects(self, s: KmemCache, slab: Slab) -> None:
        self.slab_err(s, slab, f"Objects remaining in {s.name} on __kmem_cache_shutdown()")
        free = set(slab.freelist)
        for i in range(slab.objects):
            p = self.obj_addr(s, slab, i)
            if p not in free:
                self.printk(f"Object 0x{self.ptr(p)} @offset={p - slab.addr}")

    def kmem_cache_shrink(self, s: KmemCache) -> int:
        """``kmem_cache_shrink(s)``: flush the CPU slabs, free every empty slab; 1 if slabs remain."""
        self.ensure_booted()
        s = self.check_cache("kmem_cache_shrink", s, KmemCache)
        n = self._flush_and_discard_empty(s)
        return 1 if n.nr_slabs else 0

    # ------------------------------------------------------------------------------------------
    # KASAN (0b24becc810d): every call takes the slow path, where the hooks run (KasanSlab)
    def kasan_slabs(self):
        """For ``kasan_init``: each slab, its bytes and the objects in use (not on a freelist).

        What the model leaves out: the metadata KASAN adds to each object (its alloc/free
        tracks, which make ``size`` larger with KASAN on) and the quarantine that holds freed
        objects back from reuse.
        """
        for slab in list(self.slabs.values()):
            s = slab.cache
            free = set(slab.freelist)
            for c in s.cpu_slab:
                if c.slab is slab:
                    free.update(c.freelist)
            live = [p for p in (self.obj_addr(s, slab, i) for i in range(slab.objects)) if p not in free]
            yield slab.addr, PAGE_SIZE << slab.order, live, s.object_size

    def nearest_obj(self, s: KmemCache, slab: Slab, x: int) -> int:
        """``nearest_obj``: the start of the object ``x`` points into."""
        start = slab.addr + s.red_left_pad
        i = max(0, min(slab.objects - 1, (x - start) // s.size))
        return start + i * s.size

    # ------------------------------------------------------------------------------------------
    # slabs
    def obj_addr(self, s: KmemCache, slab: Slab, i: int) -> int:
        return slab.addr + i * s.size + s.red_left_pad

    def new_slab(self, s: KmemCache, gfp: int) -> Slab | None:
        """``allocate_slab``: pages from the page allocator, objects in address order on the freelist."""
        alloc_gfp = gfp & ~(_GFP_ZERO | _GFP_RECLAIMABLE)
        if s.flags & SLAB_CACHE_DMA:
            alloc_gfp |= _GFP_DMA
        if s.reclaimable and self.has_gfp_reclaimable:
            alloc_gfp |= _GFP_RECLAIMABLE
        order = s.order
        addr = self.kmem_getpages(order, alloc_gfp | _GFP_NOWARN if order else alloc_gfp, s.reclaimable)
        objects = s.objects
        if not addr and order:  # fall back to the minimum order (s->min)
            order = get_order(s.size)
            objects = self.order_objects(order, s.size)
            addr = self.kmem_getpages(order, alloc_gfp, s.reclaimable)
        if not addr:
            return None
        key = self.virt_to_pfn(addr)
        slab = Slab(s, addr, key, order, objects)
        vpn = addr >> PAGE_SHIFT
        for i in range(1 << order):
            self.slab_of[vpn + i] = slab
        self.slabs[key] = slab
        size, start = s.size, addr + s.red_left_pad
        slab.freelist = [start + i * size for i in range(objects - 1, -1, -1)]
        if s.debug:
            self.setup_slab_debug(s, slab)
        if s.ctor:
            for p in reversed(slab.freelist):
                s.ctor(p)
        if self.kasan is not None:
            self.kasan.kasan_poison_slab(addr, PAGE_SIZE << order)
        s.node.nr_slabs += 1
        s.node.total_objects += objects
        return slab

    def discard_slab(self, s: KmemCache, slab: Slab) -> None:
        """``discard_slab``: the pages go back to the page allocator."""
        n = s.node
        n.nr_slabs -= 1
        n.total_objects -= slab.objects
        if s.debug and s.flags & SLAB_POISON:
            self.slab_pad_check(s, slab)
        vpn = slab.addr >> PAGE_SHIFT
        for i in range(1 << slab.order):
            del self.slab_of[vpn + i]
        del self.slabs[slab.key]
        self.kmem_freepages(slab.addr, slab.order, s.reclaimable)
        s.cpu_slab[self.cpu].stat[FREE_SLAB] += 1

    def add_partial(self, n: KmemCacheNode, slab: Slab, tail: bool) -> None:
        if tail:
            n.partial.add_tail(slab.key)
        else:
            n.partial.add(slab.key)
        slab.on_partial = True

    def remove_partial(self, n: KmemCacheNode, slab: Slab) -> None:
        n.partial.remove(slab.key)
        slab.on_partial = False

    # ------------------------------------------------------------------------------------------
    # the fast paths: one set of closures per CPU
    def _slow_mask(self) -> int:
        mask = _GFP_ZERO | _GFP_DMA
        if self.rcl_caches:
            mask |= _GFP_RECLAIMABLE
        return mask

    def _make_fast_paths(self, cpu: int):
        """``kmalloc``, ``kfree``, ``kmem_cache_alloc`` and ``kmem_cache_free`` for one CPU.

        The fast paths are ``slab_alloc``'s and ``do_slab_free``'s lockless
        branches: take the head of this CPU's freelist, or push onto it when
        the object's slab is this CPU's slab.  Everything else (an empty
        freelist, another slab, debugging, _GFP_ZERO/DMA/RECLAIMABLE, a
        size past the small table, init_on_alloc, registered hooks, a wrong
        argument type) goes to the slow paths below.
        """
        slow_only = bool(self.init_on_alloc or self.init_on_free or self.alloc_hooks)
        normal = self.kmalloc_caches[KMALLOC_NORMAL]
        # 193 entries for sizes 0..192, then 193 Nones that a negative size indexes (-1 .. -193), so a
        # negative size falls to the slow path (which refuses it) at no cost to the fast one
        small: list[KmemCacheCpu | None] = [None] * 386
        if not slow_only:
            for size in range(1, 193):
                s = normal[kmalloc_index(size)]
                if s is not None and not s.debug and size <= self.kmalloc_max_cache:
                    small[size] = s.cpu_slab[cpu]
        # bits above a gfp_t send a mask to the slow path too, where check_gfp refuses it
        slow_mask = -1 if slow_only else self._slow_mask() | _NOT_GFP
        kmalloc_slow, free_slow = self.kmalloc_slow, self.kfree_slow
        alloc_slow, cache_free_slow = self.kmem_cache_alloc_slow, self.kmem_cache_free_slow
        slab_of = self.slab_of

        def kmalloc(size: int, flags: int = GFP_KERNEL) -> int:
            """``kmalloc(size, flags)``: an object of at least ``size`` bytes, ZERO_SIZE_PTR, or 0."""
            try:
                if size.__class__ is int and size <= 192 and not flags & slow_mask:
                    c = small[size]
                    if c is not None:
                        fl = c.freelist
                        if fl:
                            c.stat[0] += 1  # ALLOC_FASTPATH
                            return fl.pop()
            except (TypeError, IndexError):
                pass
            return kmalloc_slow(size, flags)

        def kfree(objp: int) -> None:
            """``kfree(objp)``: NULL and ZERO_SIZE_PTR are no-ops."""
            try:
                slab = slab_of.get(objp >> 12)
            except TypeError:
                slab = None
            if slab is not None:
                c = slab.cache.cpu_slab[cpu]
                if slab is c.slab and not slow_only:
                    c.freelist.append(objp)
                    c.stat[2] += 1  # FREE_FASTPATH
                    return
            return free_slow(objp)

        def kmem_cache_alloc(cachep: KmemCache, flags: int = GFP_KERNEL) -> int:
            """``kmem_cache_alloc(cachep, flags)``: an object, or 0."""
            try:
                c = cachep.cpu_slab[cpu]
                fl = c.freelist
                if fl and not flags & slow_mask:
                    c.stat[0] += 1
                    return fl.pop()
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
                c = cachep.cpu_slab[cpu]
                if slab is c.slab:
                    c.freelist.append(objp)
                    c.stat[2] += 1
                    return
            return cache_free_slow(cachep, objp)

        return kmalloc, kfree, kmem_cache_alloc, kmem_cache_free

    # ------------------------------------------------------------------------------------------
    # the slow paths
    def kmalloc_slab(self, size: int, flags: int) -> KmemCache:
        t = KMALLOC_NORMAL
        if flags & _GFP_DMA:
            t = KMALLOC_DMA
        elif flags & _GFP_RECLAIMABLE and self.rcl_caches:
            t = KMALLOC_RECLAIM
        idx = kmalloc_index(size)
        s = self.kmalloc_caches[t][idx]
        if s is None and t == KMALLOC_DMA:  # 2.6.22-3.8: made on first use
            s = self._create_cache(self.kmalloc_name(t, idx), kmalloc_size(idx), 0, SLAB_CACHE_DMA, None,
                                   kmalloc=True)
            self.kmalloc_caches[t][idx] = s
        assert s is not None
        return s

    def kmalloc_slow(self, size: Any, flags: Any) -> int:
        func = self._caller = "kmalloc"
        check_size(size, func)
        check_gfp(flags, func, "flags")
        if size > self.kmalloc_max_cache:
            if self.large_kmalloc:
                return self.kmalloc_large(size, flags)
            # 2.6.22-2.6.23: kmalloc_index() returns -1 and get_slab() BUG_ONs [V 2.6.22.15]
            self.kernel.bug("mm/slub.c:2187")
        if not size:
            return ZERO_SIZE_PTR
        s = self.kmalloc_slab(size, flags)
        return self.slab_alloc(s, flags, size)

    def kmem_cache_alloc_slow(self, s: Any, flags: Any) -> int:
        self._caller = "kmem_cache_alloc"
        s = self.check_cache("kmem_cache_alloc", s, KmemCache)
        check_gfp(flags, "kmem_cache_alloc", "flags")
        return self.slab_alloc(s, flags, s.object_size)

    def slab_alloc(self, s: KmemCache, gfp: int, orig_size: int) -> int:
        """``slab_alloc_node``: hooks, then the CPU freelist or ``___slab_alloc``; then zeroing."""
        for hook in self.alloc_hooks:
            if hook(s, gfp):
                return 0
        c = s.cpu_slab[self.cpu]
        if c.freelist and not s.debug:
            c.stat[ALLOC_FASTPATH] += 1
            obj = c.freelist.pop()
        else:
            obj = self.___slab_alloc(s, gfp, c, orig_size)
            if not obj:
                return 0
        if gfp & _GFP_ZERO or self.init_on_alloc:
            zero = orig_size if s.debug and s.kmalloc and s.flags & (SLAB_STORE_USER | SLAB_RED_ZONE) \
                and self.kmalloc_redzone else s.object_size
            self.zero_object(obj, zero)
        if self.kasan is not None:
            self.kasan.kasan_kmalloc(obj, orig_size, s.object_size)
        return obj

    def ___slab_alloc(self, s: KmemCache, gfp: int, c: KmemCacheCpu, orig_size: int) -> int:
        c.stat[ALLOC_SLOWPATH] += 1
        if s.debug:
            return self._alloc_debug(s, gfp, c, orig_size)
        slab = c.slab
        if slab is not None:
            # c->freelist is empty: take what other CPUs freed into the slab (get_freelist)
            if slab.freelist:
                c.freelist, slab.freelist = slab.freelist, []
                slab.inuse = slab.objects
                c.stat[ALLOC_REFILL] += 1
                return c.freelist.pop()
            c.slab = None
            slab.frozen = False  # full: on no list
            c.stat[DEACTIVATE_BYPASS] += 1
        n = s.node
        if n.partial:
            slab = self.slabs[n.partial.head]
            self.remove_partial(n, slab)
            c.stat[ALLOC_FROM_PARTIAL] += 1
        else:
            slab = self.new_slab(s, gfp)
            if slab is None:
                self.slab_out_of_memory(s, gfp)
                return 0
            c.stat[ALLOC_SLAB] += 1
        # freeze it as this CPU's slab and take its whole freelist
        c.freelist, slab.freelist = slab.freelist, []
        slab.inuse = slab.objects
        slab.frozen = True
        c.slab = slab
        return c.freelist.pop()

    def slab_out_of_memory(self, s: KmemCache, gfp: int) -> None:
        if gfp & _GFP_NOWARN or not self.oom_report or not self.oom_left:
            return
        self.oom_left -= 1
        p = self.kernel.dmesg.printk
        mode = format_gfp(gfp, self.oom_gfp_era)
        if self.oom_cpu:
            p(f"SLUB: Unable to allocate memory on CPU {self.cpu} (of node 0) on node -1, gfp={mode}")
        elif self.oom_gfp_era.names:
            p(f"SLUB: Unable to allocate memory on node -1, gfp={mode}")
        else:
            p(f"SLUB: Unable to allocate memory on node -1 (gfp={mode})")
        p(f"  cache: {s.name}, object size: {s.object_size}, buffer size: {s.size}, "
          f"default order: {s.order}, min order: {get_order(s.size)}")
        n = s.node
        free = sum(len(self.slabs[k].freelist) for k in n.partial)
        p(f"  node 0: slabs: {n.nr_slabs}, objs: {n.total_objects}, free: {free}")

    def kfree_slow(self, objp: Any) -> None:
        self._caller = "kfree"
        try:
            if objp <= ZERO_SIZE_PTR:
                if objp.__class__ is not int or objp < 0:
                    raise TypeError
                return
        except TypeError:
            check_addr(objp, "kfree", "objp")
            raise
        check_addr(objp, "kfree", "objp")
        slab = self.slab_of.get(objp >> PAGE_SHIFT)
        if slab is not None:
            return self.slab_free(slab.cache, slab, objp)
        big = self.large.get(objp >> PAGE_SHIFT)
        if big is not None:
            head, order = big
            vpn = head >> PAGE_SHIFT
            for i in range(1 << order):
                del self.large[vpn + i]
            self.large_pages -= 1 << order
            self.pa.free_block(head, order)
            return
        self.free_invalid(objp)

    def free_invalid(self, objp: int) -> None:
        """kfree of a pointer that is neither a slab object nor a large kmalloc."""
        k = self.kernel
        if not self.valid_addr(objp):
            k.bug("include/linux/mm.h" if not k.has("v2.6.24") else "mm/slub.c")  # virt_to_page of nothing
        if self.warn_invalid_free:  # free_large_kmalloc: WARN_ON_ONCE(order == 0) then folio_put [V 6.12]
            k.dmesg.printk(f"WARNING: CPU: {self.cpu} PID: {PID} at mm/slub.c free_large_kmalloc")
            k.dmesg.printk(f"object pointer: 0x{self.ptr(objp)}")
        page = objp & ~(PAGE_SIZE - 1)
        self.pa.free_block(page, 0)  # put_page() on a page the caller does not own

    def kmem_cache_free_slow(self, s: Any, objp: Any) -> None:
        self._caller = "kmem_cache_free"
        s = self.check_cache("kmem_cache_free", s, KmemCache)
        check_addr(objp, "kmem_cache_free", "objp")
        slab = self.slab_of.get(objp >> PAGE_SHIFT)
        if slab is None:
            self.free_invalid(objp)
            return
        if slab.cache is not s and s.flags & SLAB_CONSISTENCY_CHECKS and self.wrong_cache_warn:
            self.kernel.dmesg.printk(f"cache_from_obj: Wrong slab cache. {s.name} but object is from "
                                     f"{slab.cache.name}")
        self.slab_free(slab.cache, slab, objp)

    def slab_free(self, s: KmemCache, slab: Slab, x: int) -> None:
        """``slab_free``: this CPU's slab is the fast path; else ``__slab_free``."""
        if self.kasan is not None and self.kasan.kasan_slab_free(x, self.nearest_obj(s, slab, x), s.object_size):
            return  # reported as a double or invalid free: the object stays where it is
        if self.init_on_free and not s.debug:
            self.zero_object(x, s.object_size)
        c = s.cpu_slab[self.cpu]
        if slab is c.slab and not s.debug:
            c.freelist.append(x)
            c.stat[FREE_FASTPATH] += 1
            return
        self.__slab_free(s, slab, x, c)

    def __slab_free(self, s: KmemCache, slab: Slab, x: int, c: KmemCacheCpu) -> None:
        c.stat[FREE_SLOWPATH] += 1
        if s.debug:
            return self._free_debug(s, slab, x, c)
        n = s.node
        prior = bool(slab.freelist)
        slab.freelist.append(x)
        slab.inuse -= 1
        if slab.frozen:
            c.stat[FREE_FROZEN] += 1  # another CPU's slab: it sees the object on its next refill
            return
        if not slab.inuse:
            if not self.keep_empty_on_free or (n.nr_partial >= s.min_partial if self.keep_ge
                                               else n.nr_partial > s.min_partial):
                if prior:
                    self.remove_partial(n, slab)
                    c.stat[FREE_REMOVE_PARTIAL] += 1
                self.discard_slab(s, slab)
                return
        if not prior:
            self.add_partial(n, slab, tail=self.tail_on_free)
            c.stat[FREE_ADD_PARTIAL] += 1

    def deactivate_slab(self, s: KmemCache, c: KmemCacheCpu) -> None:
        """Give up the CPU slab: its CPU freelist goes back in front of the slab's own."""
        slab = c.slab
        if slab is None:
            return
        n = s.node
        remote = bool(slab.freelist)
        had_cpu_objects = bool(c.freelist)
        if remote:
            c.stat[DEACTIVATE_REMOTE_FREES] += 1
        slab.inuse -= len(c.freelist)
        # 3.1's cmpxchg rework splices the CPU freelist in front; before, objects moved one by one [V 2.6.30]
        slab.freelist = slab.freelist + (c.freelist if self.cmpxchg_era else c.freelist[::-1])
        c.freelist = []
        c.slab = None
        slab.frozen = False
        min_partial = s.min_partial
        if not slab.inuse and n.nr_partial >= min_partial:
            c.stat[DEACTIVATE_EMPTY] += 1
            self.discard_slab(s, slab)
        elif not slab.inuse:
            self.add_partial(n, slab, tail=True)  # an empty slab goes behind the others
            c.stat[DEACTIVATE_TO_TAIL] += 1
        elif slab.freelist:
            if self.cmpxchg_era:  # to the tail when other CPUs freed into it [V 3.10, 6.12]
                tail = remote
            else:  # 2.6.24-3.0: to the head when the CPU still had objects [V 2.6.30]; 2.6.22: head
                tail = self.tail_on_free and not had_cpu_objects
            self.add_partial(n, slab, tail=tail)
            c.stat[DEACTIVATE_TO_TAIL if tail else DEACTIVATE_TO_HEAD] += 1
        else:
            c.stat[DEACTIVATE_FULL] += 1

    def flush_all(self, s: KmemCache) -> None:
        """``flush_all``: every CPU gives up its slab of ``s``."""
        for c in s.cpu_slab:
            if c.slab is not None:
                c.stat[CPUSLAB_FLUSH] += 1
                self.deactivate_slab(s, c)

    def ksize(self, objp: int) -> int:
        """``ksize(objp)``: the usable size of a kmalloc object (the cache's object size, or the pages)."""
        self.ensure_booted()
        check_addr(objp, "ksize", "objp")
        if objp == ZERO_SIZE_PTR:
            return 0
        if not objp:
            return 0
        slab = self.slab_of.get(objp >> PAGE_SHIFT)
        if slab is not None:
            s = slab.cache
            if s.flags & (SLAB_RED_ZONE | SLAB_POISON):
                return s.object_size
            return s.inuse
        big = self.large.get(objp >> PAGE_SHIFT)
        if big is not None:
            return PAGE_SIZE << big[1]
        self.kernel.bug("mm/slub.c")  # BUG_ON(!PageSlab) on a page that is no slab
        return 0

    # ------------------------------------------------------------------------------------------
    # debugging (slub_debug)
    def printk(self, line: str) -> None:
        self.kernel.dmesg.printk(line)

    def ptr(self, addr: int | None) -> str:
        """``%p``: raw 16 hex digits, or the era's hash when pointers are hashed (4.15-5.11 without 5.12's override)."""
        if not addr:
            return "0" * 16
        if self.raw_pointers:
            return f"{addr:016x}"
        h = hashlib.blake2b(addr.to_bytes(8, "little"), key=self._hash_key, digest_size=4).digest()
        return f"{int.from_bytes(h, 'little'):016x}"

    def taint_text(self, verbose: bool = False) -> str:
        """``print_tainted()``: "Not tainted", or every taint letter position once a slab BUG tainted it.

        G (no proprietary module) in the first position, B (TAINT_BAD_PAGE)
        in the sixth, a space for every other flag the era had [V: the flag
        tables of 2.6.32, 3.10, 4.4, 6.12 kernel/panic.c]; ``verbose`` is 6.10's
        ``print_tainted_verbose()``.
        """
        if not self.tainted:
            return "Not tainted"
        if verbose:
            return "Tainted: [B]=BAD_PAGE"
        flags = ["G"] + [" "] * (self.taint_flag_count - 1)
        flags[5] = "B"
        return "Tainted: " + "".join(flags)

    def add_taint(self) -> None:
        self.tainted = True

    def setup_slab_debug(self, s: KmemCache, slab: Slab) -> None:
        """A new slab of a debugged cache: 0x5a over the whole slab (P), then every object's pattern."""
        if s.flags & SLAB_POISON:
            self.fill(slab.addr, POISON_INUSE, PAGE_SIZE << slab.order)
        for p in slab.freelist:
            self.init_object(s, p, SLUB_RED_INACTIVE)
            if s.flags & SLAB_STORE_USER:
                self.fill(p + self.get_info_end(s), 0, 2 * self.track_size)
        self.write_freepointers(s, slab)

    def get_info_end(self, s: KmemCache) -> int:
        return s.inuse + WORD if s.offset >= s.inuse else s.inuse

    def write_freepointers(self, s: KmemCache, slab: Slab) -> None:
        """Store each free object's free pointer in the object, as SLUB does (debugged caches only)."""
        fl = slab.freelist
        for i, p in enumerate(fl):
            nxt = fl[i - 1] if i else 0  # the stack's head is last; the next free object is the one below
            self.phys.write(p + s.offset - self.page_offset, nxt.to_bytes(8, "little"))

    def get_freepointer(self, s: KmemCache, p: int) -> int:
        return int.from_bytes(self.peek(p + s.offset, 8), "little")

    def init_object(self, s: KmemCache, p: int, val: int, orig_size: int | None = None) -> None:
        """``init_object``: red zones to ``val`` and poison (0x6b..., 0xa5), on allocation and on free.

        With 6.2's kmalloc red zone (Z and U on a kmalloc cache), an allocated
        object is poisoned up to the size asked for and red-zoned after it.
        """
        poison_size = s.object_size
        if s.flags & SLAB_RED_ZONE:
            self.fill(p - s.red_left_pad, val, s.red_left_pad)
            if orig_size is not None and val == SLUB_RED_ACTIVE and self._orig_size_kept(s):
                poison_size = orig_size
        if s.flags & OBJECT_POISON:
            self.fill(p, POISON_FREE, poison_size - 1)
            self.fill(p + poison_size - 1, POISON_END, 1)
        if s.flags & SLAB_RED_ZONE:
            self.fill(p + poison_size, val, s.inuse - poison_size)

    def set_orig_size(self, s: KmemCache, p: int, orig: int) -> None:
        if self._orig_size_kept(s):
            off = self.get_info_end(s) + 2 * self.track_size
            self.phys.write(p + off - self.page_offset, orig.to_bytes(4, "little"))

    def get_orig_size(self, s: KmemCache, p: int) -> int:
        if not self._orig_size_kept(s):
            return s.object_size
        off = self.get_info_end(s) + 2 * self.track_size
        return int.from_bytes(self.peek(p + off, 4), "little")

    def set_track(self, s: KmemCache, p: int, alloc: bool, func: str) -> None:
        self.tracks[(p, alloc)] = (func, self.cpu, PID)
        base = p + self.get_info_end(s) + (0 if alloc else self.track_size)
        self.phys.write(base - self.page_offset, (1).to_bytes(8, "little"))  # t->addr set

    def _alloc_debug(self, s: KmemCache, gfp: int, c: KmemCacheCpu, orig_size: int) -> int:
        """6.2's ``alloc_single_from_partial``/``alloc_single_from_new_slab``: one object, with checks."""
        n = s.node
        self._chain = [self._caller, "slab_alloc_node", "___slab_alloc"]
        while True:
            if n.partial:
                slab = self.slabs[n.partial.head]
                c.stat[ALLOC_FROM_PARTIAL] += 1
                fresh = False
            else:
                slab = self.new_slab(s, gfp)
                if slab is None:
                    self.slab_out_of_memory(s, gfp)
                    return 0
                c.stat[ALLOC_SLAB] += 1
                fresh = True
            obj = slab.freelist.pop()
            slab.inuse += 1
            self._chain[3:] = ["alloc_single_from_new_slab" if fresh else "alloc_single_from_partial",
                               "alloc_debug_processing"]
            ok = self.alloc_debug_processing(s, slab, obj, orig_size)
            if fresh:
                if slab.inuse == slab.objects:
                    self._add_full(s, slab)
                else:
                    self.add_partial(n, slab, tail=False)
            elif slab.inuse == slab.objects:
                self.remove_partial(n, slab)
                self._add_full(s, slab)
            if not ok:
                if slab.on_partial:
                    self.remove_partial(n, slab)
                continue
            self.write_freepointers(s, slab)
            if s.flags & SLAB_STORE_USER:
                self.set_track(s, obj, True, self._caller)
            return obj

    def _add_full(self, s: KmemCache, slab: Slab) -> None:
        if s.flags & SLAB_STORE_USER:
            s.node.full.add(slab.key)
            slab.on_full = True

    def alloc_debug_processing(self, s: KmemCache, slab: Slab, obj: int, orig_size: int) -> bool:
        if s.flags & SLAB_CONSISTENCY_CHECKS:
            if not self.check_object(s, slab, obj, SLUB_RED_INACTIVE):
                self.slab_fix(s, "Marking all objects used")
                slab.inuse = slab.objects
                slab.freelist = []
                slab.frozen = True
                return False
        self.trace(s, slab, obj, True)
        self.set_orig_size(s, obj, orig_size)
        self.init_object(s, obj, SLUB_RED_ACTIVE, orig_size)
        return True

    def _free_debug(self, s: KmemCache, slab: Slab, x: int, c: KmemCacheCpu) -> None:
        """``free_to_partial_list`` with ``free_debug_processing``."""
        n = s.node
        self._chain = [self._caller, "slab_free", "__slab_free"] + (
            ["free_to_partial_list"] if self.free_to_partial_list else []) + ["free_debug_processing"]
        if not self.free_debug_processing(s, slab, x):
            return
        prior = bool(slab.freelist)
        slab.freelist.append(x)
        slab.inuse -= 1
        self.write_freepointers(s, slab)
        slab_free = slab.inuse == 0 and n.nr_partial >= s.min_partial
        if not prior:
            if slab.on_full:
                s.node.full.remove(slab.key)
                slab.on_full = False
            if not slab_free:
                self.add_partial(n, slab, tail=True)
                c.stat[FREE_ADD_PARTIAL] += 1
        elif slab_free:
            self.remove_partial(n, slab)
            c.stat[FREE_REMOVE_PARTIAL] += 1
        if slab_free:
            self.discard_slab(s, slab)

    def free_debug_processing(self, s: KmemCache, slab: Slab, obj: int) -> bool:
        ok = False
        if not s.flags & SLAB_CONSISTENCY_CHECKS or self.free_consistency_checks(s, slab, obj):
            if s.flags & SLAB_STORE_USER:
                self.set_track(s, obj, False, self._caller)
            self.trace(s, slab, obj, False)
            self.init_object(s, obj, SLUB_RED_INACTIVE)
            ok = True
        if not ok:
            self.slab_fix(s, f"Object at 0x{self.ptr(obj)} not freed")
        return ok

    def check_valid_pointer(self, s: KmemCache, slab: Slab, obj: int) -> bool:
        if not obj:
            return True
        base = slab.addr
        o = obj - s.red_left_pad
        return base <= o < base + slab.objects * s.size and (o - base) % s.size == 0

    def free_consistency_checks(self, s: KmemCache, slab: Slab, obj: int) -> bool:
        if not self.check_valid_pointer(s, slab, obj):
            self.slab_err(s, slab, f"Invalid object pointer 0x{self.ptr(obj)}")
            return False
        if obj in slab.freelist:  # on_freelist()
            self.object_err(s, slab, obj, "Object already free")
            return False
        if not self.check_object(s, slab, obj, SLUB_RED_ACTIVE):
            return False
        return True

    def trace(self, s: KmemCache, slab: Slab, obj: int, alloc: bool) -> None:
        if s.flags & SLAB_TRACE:
            fp = slab.freelist[-1] if slab.freelist else 0
            self.printk(f"TRACE {s.name} {'alloc' if alloc else 'free'} 0x{self.ptr(obj)} inuse={slab.inuse} "
                        f"fp=0x{self.ptr(fp)}")
            if not alloc:
                self.print_section("Object ", obj, s.object_size)

    # -- reports ---------------------------------------------------------------------------
    def slab_bug(self, s: KmemCache, reason: str) -> None:
        p = self.printk
        if self.report_style == 1:
            p("=" * 77)
            p(f"BUG {s.name}: {reason}")
            p("-" * 77)
            p("")
            return
        p("=" * 77)
        if self.taint_in_bug:
            p(f"BUG {s.name} ({self.taint_text()}): {reason}")
        else:
            p(f"BUG {s.name}: {reason}")
        p("-" * 77)
        p("")

    def slab_fix(self, s: KmemCache, text: str) -> None:
        self.printk(f"FIX {s.name}: {text}")
        if self.report_style < 3 and text.startswith("Restoring"):
            self.printk("")

    def print_section(self, text: str, addr: int, length: int) -> None:
        """A hex dump: ``print_hex_dump(DUMP_PREFIX_ADDRESS, 16, 1, ascii)`` or SLUB's own before 2.6.37."""
        if length <= 0:
            return
        data = self.peek(addr, length)
        if self.report_style == 1:
            label = text.strip()
            for off in range(0, length, 16):
                chunk = data[off:off + 16]
                hexpart = "".join(f" {b:02x}" for b in chunk) + "   " * (16 - len(chunk))
                asc = "".join(chr(b) if 33 <= b < 127 else "." for b in chunk) + " " * (16 - len(chunk))
                self.printk(f"{label:>8} 0x{self.ptr(addr + off)}: {hexpart} {asc}")
            return
        for off in range(0, length, 16):
            chunk = data[off:off + 16]
            hexpart = " ".join(f"{b:02x}" for b in chunk)
            asc = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
            self.printk(f"{text}{self.ptr(addr + off)}: {hexpart.ljust(49)}{asc}")

    def slab_struct(self, slab: Slab) -> int:
        f = getattr(self.pa, "page_struct_addr", None)
        return f(slab.key) if f else slab.key

    def page_flags(self, slab: Slab) -> str:
        """The slab page's flags word as the era printed it (model layout, docs/eras/small-object-allocators.md)."""
        zone = 0
        pz = getattr(self.pa, "page_zone", None)
        if pz is not None:
            zone = pz(slab.key).idx
        head = 0x40 if slab.order else 0  # PG_head [S]
        slab_bit = 0 if self.page_type_slab else 0x200  # PG_slab, a page type from 6.10 [S]
        value = (zone << 62) | slab_bit | head
        if self.report_style < 3:
            return f"0x{value:04x}"
        names = ([] if not slab_bit else ["slab"]) + (["head"] if head else []) + ["node=0", f"zone={zone}"]
        return f"0x{value:x}({'|'.join(names)})"

    def print_slab_info(self, slab: Slab) -> None:
        fp = slab.freelist[-1] if slab.freelist else 0
        pre = "" if self.report_style == 3 else "INFO: "
        objs = f"objects={slab.objects} " if self.info_objects else ""
        self.printk(f"{pre}Slab 0x{self.ptr(self.slab_struct(slab))} {objs}used={slab.inuse} "
                    f"fp=0x{self.ptr(fp)} flags={self.page_flags(slab)}")

    def print_tracking(self, s: KmemCache, obj: int) -> None:
        if not s.flags & SLAB_STORE_USER:
            return
        pre = "" if self.report_style == 3 else "INFO: "
        for alloc, what in ((True, "Allocated"), (False, "Freed")):
            t = self.tracks.get((obj, alloc))
            if t is None:
                continue
            func, cpu, pid = t
            self.printk(f"{pre}{what} in {func} age=0 cpu={cpu} pid={pid}")

    def dump_stack(self, calls: tuple[str, ...]) -> None:
        """``dump_stack()``: the era's header line, then the call chain, innermost first.

        The chain is the model's own functions (named as the kernel's) from
        the report back to the kernel call the user made; addresses and
        offsets are not modelled, nor are inlined frames told apart.
        """
        calls = ("dump_stack_lvl" if self.dump_stack_lvl else "dump_stack",) + calls + tuple(
            reversed(self._chain))
        taint = self.taint_text()
        rel = self.uts_release
        if self.dump_uid:
            self.printk(f"CPU: {self.cpu} UID: 0 PID: {PID} Comm: {COMM} {taint} {rel} #1")
            if self.tainted:
                self.printk(self.taint_text(verbose=True))
        elif self.dump_cpu_line:
            self.printk(f"CPU: {self.cpu} PID: {PID} Comm: {COMM} {taint} {rel} #1")
        elif self.dump_pid_line:
            self.printk(f"Pid: {PID}, comm: {COMM} {taint} {rel} #1")
        self.printk("Call Trace:")
        for fn in calls:
            self.printk(f" {fn}")

    def print_trailer(self, s: KmemCache, slab: Slab, p: int) -> None:
        addr = slab.addr
        self.print_tracking(s, p)
        self.print_slab_info(slab)
        pre = "" if self.report_style == 3 else "INFO: "
        self.printk(f"{pre}Object 0x{self.ptr(p)} @offset={p - addr} fp=0x{self.ptr(self.get_freepointer(s, p))}")
        self.printk("")
        if self.report_style == 3 and s.flags & SLAB_RED_ZONE:
            self.print_section("Redzone  ", p - s.red_left_pad, s.red_left_pad)
        elif p > addr + 16:
            self.print_section("Bytes b4 " if self.report_style > 1 else "Bytes b4", p - 16, 16)
        w = 9 if self.report_style == 3 else 0
        self.print_section("Object ".ljust(w) if w else ("Object " if self.report_style > 1 else "Object"), p,
                           min(s.object_size, self.object_section_max))
        if s.flags & SLAB_RED_ZONE:
            self.print_section("Redzone ".ljust(w) if w else ("Redzone " if self.report_style > 1 else "Redzone"),
                               p + s.object_size, s.inuse - s.object_size)
        off = self.get_info_end(s) if self.report_style == 3 else (s.offset + WORD if s.offset else s.inuse)
        if s.flags & SLAB_STORE_USER:
            off += 2 * self.track_size
            if self.report_style == 3 and self._orig_size_kept(s):
                off += 4
        end = s.size - s.red_left_pad
        if off != end:
            self.print_section("Padding ".ljust(w) if w else ("Padding " if self.report_style > 1 else "Padding"),
                               p + off, end - off)
        self.dump_stack(("print_trailer",) + self._reporter)

    def object_err(self, s: KmemCache, slab: Slab, obj: int, reason: str) -> None:
        self.slab_bug(s, reason)
        self._reporter = ("object_err",)
        self.print_trailer(s, slab, obj)
        if self.taint_in_bug:
            self.add_taint()

    def slab_err(self, s: KmemCache, slab: Slab, text: str) -> None:
        self.slab_bug(s, text)
        self.print_slab_info(slab)
        self.dump_stack(("slab_err",))
        if self.taint_in_bug:
            self.add_taint()

    def check_bytes_and_report(self, s: KmemCache, slab: Slab, obj: int, what: str, start: int, value: int,
                               nbytes: int) -> bool:
        if nbytes <= 0:
            return True
        data = self.peek(start, nbytes)
        first = next((i for i, b in enumerate(data) if b != value), None)
        if first is None:
            return True
        last = nbytes
        while last > first and data[last - 1] == value:
            last -= 1
        fault, end = start + first, start + last
        self.slab_bug(s, f"{what} overwritten")
        if self.report_style == 3:
            self.printk(f"0x{self.ptr(fault)}-0x{self.ptr(end - 1)} @offset={fault - slab.addr}. First byte "
                        f"0x{data[first]:x} instead of 0x{value:x}")
            self.slab_fix(s, f"Restoring {what} 0x{self.ptr(fault)}-0x{self.ptr(end - 1)}=0x{value:x}")
        else:
            self.printk(f"INFO: 0x{self.ptr(fault)}-0x{self.ptr(end - 1)}. First byte 0x{data[first]:x} instead "
                        f"of 0x{value:x}")
            self._reporter = ("check_bytes_and_report", "check_object")
            self.print_trailer(s, slab, obj)
            self.slab_fix(s, f"Restoring 0x{self.ptr(fault)}-0x{self.ptr(end - 1)}=0x{value:x}")
        self.fill(fault, value, end - fault)
        return False

    def check_pad_bytes(self, s: KmemCache, slab: Slab, p: int) -> bool:
        off = self.get_info_end(s)
        if s.flags & SLAB_STORE_USER:
            off += 2 * self.track_size
            if self._orig_size_kept(s):
                off += 4
        end = s.size - s.red_left_pad
        if end == off:
            return True
        return self.check_bytes_and_report(s, slab, p, "Object padding", p + off, POISON_INUSE, end - off)

    def slab_pad_check(self, s: KmemCache, slab: Slab) -> None:
        length = PAGE_SIZE << slab.order
        remainder = length % s.size
        if not remainder:
            return
        pad = slab.addr + length - remainder
        data = self.peek(pad, remainder)
        first = next((i for i, b in enumerate(data) if b != POISON_INUSE), None)
        if first is None:
            return
        last = remainder
        while last > first and data[last - 1] == POISON_INUSE:
            last -= 1
        fault, end = pad + first, pad + last
        if self.report_style == 3:
            self.slab_err(s, slab, f"Padding overwritten. 0x{self.ptr(fault)}-0x{self.ptr(end - 1)} "
                                   f"@offset={fault - slab.addr}")
        else:
            self.slab_err(s, slab, f"Padding overwritten. 0x{self.ptr(fault)}-0x{self.ptr(end - 1)}")
        self.print_section("Padding ", pad, remainder)
        self.slab_fix(s, f"Restoring slab padding 0x{self.ptr(fault)}-0x{self.ptr(end - 1)}=0x{POISON_INUSE:x}"
                      if self.report_style == 3 else
                      f"Restoring 0x{self.ptr(fault)}-0x{self.ptr(end - 1)}=0x{POISON_INUSE:x}")
        self.fill(fault, POISON_INUSE, end - fault)

    def check_object(self, s: KmemCache, slab: Slab, obj: int, val: int) -> bool:
        """``check_object``: red zones, poison, padding and the free pointer of one object.

        Until 5.14 the checks stop at the first red zone or poison error, each
        report printing the trailer itself [V 2.6.24, 4.4]; from 5.14 every
        check runs and one trailer follows them all [V 6.2, 6.12].
        """
        if self.report_style < 3:
            return self._check_object_old(s, slab, obj, val)
        ok = True
        endobject = obj + s.object_size
        if s.flags & SLAB_RED_ZONE:
            if s.red_left_pad and not self.check_bytes_and_report(
                    s, slab, obj, "Left Redzone", obj - s.red_left_pad, val, s.red_left_pad):
                ok = False
            if not self.check_bytes_and_report(s, slab, obj, "Right Redzone", endobject, val,
                                               s.inuse - s.object_size):
                ok = False
            if self._orig_size_kept(s) and val == SLUB_RED_ACTIVE:
                orig = self.get_orig_size(s, obj)
                if s.object_size > orig and not self.check_bytes_and_report(
                        s, slab, obj, "kmalloc Redzone", obj + orig, val, s.object_size - orig):
                    ok = False
        elif s.flags & SLAB_POISON and s.object_size < s.inuse:
            if not self.check_bytes_and_report(s, slab, obj, "Alignment padding", endobject, POISON_INUSE,
                                               s.inuse - s.object_size):
                ok = False
        if s.flags & SLAB_POISON:
            if val != SLUB_RED_ACTIVE and s.flags & OBJECT_POISON:
                if not self.check_bytes_and_report(s, slab, obj, "Poison", obj, POISON_FREE, s.object_size - 1):
                    ok = False
                if not self.check_bytes_and_report(s, slab, obj, "End Poison", obj + s.object_size - 1,
                                                   POISON_END, 1):
                    ok = False
            if not self.check_pad_bytes(s, slab, obj):
                ok = False
        if (s.offset >= s.inuse or val != SLUB_RED_ACTIVE) and not self.check_valid_pointer(
                s, slab, self.get_freepointer(s, obj)):
            self.object_err(s, slab, obj, "Freepointer corrupt")
            self.phys.write(obj + s.offset - self.page_offset, bytes(8))
            ok = False
        if not ok:
            self._reporter = ("check_object",)
            self.print_trailer(s, slab, obj)
            self.add_taint()
        return ok

    def _check_object_old(self, s: KmemCache, slab: Slab, obj: int, val: int) -> bool:
        endobject = obj + s.object_size
        if s.flags & SLAB_RED_ZONE:
            if not self.check_bytes_and_report(s, slab, obj, "Redzone", endobject, val, s.inuse - s.object_size):
                return False
        elif s.flags & SLAB_POISON and s.object_size < s.inuse:
            self.check_bytes_and_report(s, slab, obj, "Alignment padding", endobject, POISON_INUSE,
                                        s.inuse - s.object_size)
        if s.flags & SLAB_POISON:
            if val != SLUB_RED_ACTIVE and s.flags & OBJECT_POISON and (
                    not self.check_bytes_and_report(s, slab, obj, "Poison", obj, POISON_FREE, s.object_size - 1)
                    or not self.check_bytes_and_report(s, slab, obj, "Poison", obj + s.object_size - 1,
                                                       POISON_END, 1)):
                return False
            self.check_pad_bytes(s, slab, obj)
        if not s.offset and val == SLUB_RED_ACTIVE:
            return True  # the free pointer overlays the allocated object
        if not self.check_valid_pointer(s, slab, self.get_freepointer(s, obj)):
            self.object_err(s, slab, obj, "Freepointer corrupt")
            self.phys.write(obj + s.offset - self.page_offset, bytes(8))
            return False
        return True

    # ------------------------------------------------------------------------------------------
    # reports and accounting
    def caches(self) -> list[KmemCache]:
        return list(self.slab_caches)

    def find_cache(self, name: str) -> KmemCache:
        for s in self.slab_caches:
            if s.name == name or name in s.aliases:
                return s
        raise ArgumentError(f"no slab cache named {name!r} in this kernel")

    def slabinfo_rows(self) -> list[SlabinfoRow]:
        self.ensure_booted()
        rows = []
        for s in self.slab_caches:
            n = s.node
            nr_objs = n.total_objects
            nr_free = sum(len(self.slabs[k].freelist) for k in n.partial)
            rows.append(SlabinfoRow(s.name, nr_objs - nr_free, nr_objs, s.size, s.objects, 1 << s.order,
                                    0, 0, 0, n.nr_slabs, n.nr_slabs, 0))
        return rows

    def cache_stats(self, name: str) -> dict[str, int]:
        """Per-cache counters: SLUB's stat items, plus allocs/frees and slabs created/destroyed."""
        s = self.find_cache(name)
        st = s.stats()
        st["allocs"] = st["alloc_fastpath"] + st["alloc_slowpath"]
        st["frees"] = st["free_fastpath"] + st["free_slowpath"]
        st["slabs_created"] = st["alloc_slab"]
        st["slabs_destroyed"] = st["free_slab"]
        return st

    def objects_pages(self) -> int:
        return sum(1 << slab.order for slab in self.slabs.values())

    def audit_caches(self) -> list[str]:
        problems = []
        for s in self.slab_caches:
            n = s.node
            slabs = [sl for sl in self.slabs.values() if sl.cache is s]
            if len(slabs) != n.nr_slabs:
                problems.append(f"{s.name}: nr_slabs {n.nr_slabs} but {len(slabs)} slabs")
            total = sum(sl.objects for sl in slabs)
            if total != n.total_objects:
                problems.append(f"{s.name}: total_objects {n.total_objects} but {total} in its slabs")
            cpu_free = {id(c.slab): len(c.freelist) for c in s.cpu_slab if c.slab is not None}
            for c in s.cpu_slab:
                if c.slab is not None and (len(set(c.freelist)) != len(c.freelist)
                                           or set(c.freelist) & set(c.slab.freelist)):
                    problems.append(f"{s.name}: slab {c.slab.addr:#x}: an object is free twice (on a CPU's "
                                    f"freelist)")
            for sl in slabs:
                free = len(sl.freelist) + cpu_free.get(id(sl), 0)
                in_use = sl.objects - free
                counted = sl.inuse - cpu_free.get(id(sl), 0)
                if in_use != counted:
                    problems.append(f"{s.name}: slab {sl.addr:#x}: inuse {counted} but {in_use} not free")
                if in_use < 0 or len(set(sl.freelist)) != len(sl.freelist):
                    problems.append(f"{s.name}: slab {sl.addr:#x}: an object is free twice")
        return problems


@hookimpl
def linuxmm_implementations():
    return [Implementation(
        subsystem="slab", name="slub", factory=Slub, introduced="81819f0fc828", kconfig="SLUB",
        default=False,
        api=("kmalloc", "kzalloc", "kfree", "krealloc", "ksize", "kmem_cache_create", "kmem_cache_alloc",
             "kmem_cache_zalloc", "kmem_cache_free", "kmem_cache_destroy", "kmem_cache_shrink"),
        summary="SLUB: per-CPU slab and freelist, per-node partial lists, merged caches, slub_debug "
                "(2.6.22-6.18, x86_64)")]
