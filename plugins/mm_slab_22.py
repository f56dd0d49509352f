"""SLAB as 2.2 had it: Mark Hemment's allocator (mm/slab.c of 2.2.1, i386).

Read side by side with ``mm/slab.c`` of 2.2.1 (linas/i370-linux-2.2.1) [V];
built by :func:`linuxmm_plugins.mm_slab.make_slab` for 2.2.

* One chain of slabs per cache, partly ordered: full slabs first, then
  partial, then free; ``c_freep`` points at the first slab with a free
  object.  A new slab is linked at the end; a slab whose last object is
  freed moves to the end, a full slab that gets an object back moves in
  front of ``c_freep``.  There are no per-CPU arrays.
* ``kmem_bufctl_t`` is one word: the free chain's link, the object's slab, or
  its address.  Small objects keep theirs right after the object (the
  object then takes ``c_offset`` + 4 bytes); from PAGE_SIZE/8 the slab
  descriptor is off slab (from the ``slab_cache`` cache), and for sizes that
  divide the page the bufctls go off slab too, in an index from a general
  cache (at most ``bufctl_limit`` objects).
* ``kmem_slab_t`` (32 bytes, one L1 line) sits at the end of an on-slab slab.
  Order: the smallest from 0 with at most 1/8 waste or little left over,
  up to SLAB_MAX_GFP_ORDER 5; at most 4 objects per slab keeps growing the
  order below ``slab_break_gfp_order`` (2 above 32 MB of RAM, else 1).
* Colouring: ``c_colour`` offsets of ``c_align`` bytes, counted down
  (``c_colour_next--``).
* General caches ``size-32`` to ``size-131072`` (SLAB_HWCACHE_ALIGN); kmalloc
  of more than 131072 bytes prints "kmalloc: Size (%lu) too large" and
  returns NULL; ``kmalloc(0)`` is a ``size-32`` object.
* ``kfree`` of a pointer that is no general cache's object prints "kfree: Bad
  obj %p" and then dereferences NULL on purpose (the file's own
  "FORCE A KERNEL DUMP"): the model logs the oops line and raises
  :class:`~linuxmm.errors.KernelBug`.  Caches are never destroyed in 2.2
  (``kmem_cache_destroy`` came with 2.4); ``kmem_cache_shrink`` frees the
  free slabs.
* ``SLAB_DEBUG_SUPPORT`` and ``SLAB_STATS`` are 0 in 2.2.1: no red zones,
  no poisoning, slabinfo version 1.0 without statistics.

The model's 2.2 machine is i386: 4-byte words, 32-byte L1 lines, a UP kernel's
``kmem_cache_t`` of 84 bytes (88 on SMP) [S: summed from the struct].
"""

from __future__ import annotations

from typing import Any, Callable

from linuxmm.checks import check_addr, check_gfp, check_size
from linuxmm.errors import KernelBug, NotInThisKernel
from linuxmm.gfp import __GFP_DMA, __GFP_ZERO, GFP_KERNEL
from linuxmm.machine import PAGE_SHIFT, PAGE_SIZE
from linuxmm.machine.frames import PG_dma
from linuxmm.slab import SLAB_HWCACHE_ALIGN, SlabAllocator, SlabCache, SlabinfoRow

_GFP_DMA = __GFP_DMA
_GFP_ZERO = __GFP_ZERO

WORD = 4  # BYTES_PER_WORD on i386
L1 = 32  # L1_CACHE_BYTES
SLAB_ALIGN_SIZE = 32  # L1_CACHE_ALIGN(sizeof(kmem_slab_t))
SLAB_MAX_GFP_ORDER = 5
SLAB_OBJ_MAX_ORDER = 5
SLAB_MIN_OBJS_PER_SLAB = 4
SLAB_C_MASK = SLAB_HWCACHE_ALIGN | 0x00001000  # SLAB_HWCACHE_ALIGN | SLAB_NO_REAP (no debug support)
GENERAL_SIZES = (32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072)


def l1_align(x: int) -> int:
    return (x + L1 - 1) & ~(L1 - 1)


class Slab:
    """``kmem_slab_t``: its memory, first object, objects in use and its free chain (indices, a stack)."""

    __slots__ = ("cache", "addr", "key", "s_mem", "s_offset", "inuse", "free", "mgmt", "index", "dma")

    def __init__(self, cache: "KmemCache", addr: int, key: int, offset: int, num: int) -> None:
        self.cache = cache
        self.addr = addr
        self.key = key
        self.s_offset = offset
        self.s_mem = addr + offset
        self.inuse = 0
        self.free = list(range(num - 1, -1, -1))
        self.mgmt = 0
        self.index = 0
        self.dma = False


class KmemCache(SlabCache):
    """``kmem_cache_t`` of 2.2."""

    def __init__(self, name: str, size: int, flags: int, ctor: Any) -> None:
        super().__init__(name, size, size, WORD, flags, ctor)
        self.c_offset = 0
        self.num = 0
        self.chain: list[Slab] = []  # full first, then partial, then free
        self.c_freep = 0  # index into chain of the first slab with a free object (len = none)
        self.c_colour = 0
        self.c_colour_next = 0
        self.c_align = 0
        self.off_slab = False
        self.bufctl = False
        self.general = False
        self.index_cachep: KmemCache | None = None
        self.stat = {"allocs": 0, "frees": 0, "grown": 0, "reaped": 0}

    @property
    def stride(self) -> int:
        """Distance between objects: c_offset, plus the bufctl word when it is on slab."""
        return self.c_offset if self.bufctl else self.c_offset + WORD


class Slab22(SlabAllocator):
    """mm/slab.c of 2.2 (see the module docstring)."""

    name = "SLAB"
    source_file = "mm/slab.c"
    slabinfo_version = "1.0"

    def __init__(self, kernel: Any) -> None:
        super().__init__(kernel)
        self.refuse_slub_params()
        self.smp = kernel.nr_cpus > 1
        self.slab_break_gfp_order = 2 if self.pa.nr_pages > (32 << 20) >> PAGE_SHIFT else 1
        self.caches_list: list[KmemCache] = []  # cache_cache first, then newest first
        self.slab_of: dict[int, Slab] = {}
        self.bufctl_limit = 0
        self.cpu = 0
        for call, since in (("kzalloc", "v2.6.14"), ("krealloc", "v2.6.22"), ("ksize", "v2.6.0"),
                            ("kmem_cache_zalloc", "v2.6.17"), ("kmem_cache_destroy", "v2.4.0")):
            setattr(self, call, self._not_yet(call, since))
        self.kmem_cache_init()
        self._build_fast_paths()

    def _not_yet(self, call: str, since: str) -> Callable[..., Any]:
        def missing(*args: Any, **kwargs: Any) -> Any:
            raise NotInThisKernel(f"{call}() is not in {self.kernel.version}: it appeared in {since}")
        missing.__name__ = call
        missing.not_in_this_kernel = True  # type: ignore[attr-defined]  (kernel.provides() says False)
        return missing

    # -- boot -----------------------------------------------------------------------------------
    def kmem_cache_init(self) -> None:
        """``kmem_cache_init`` and ``kmem_cache_sizes_init``: cache_cache, slab_cache, size-32..size-131072."""
        cc = self.cache_cache = KmemCache("kmem_cache", 88 if self.smp else 84, 0x00001000, None)
        size = l1_align(cc.object_size + WORD)
        cc.c_offset = size - WORD
        cc.num = (PAGE_SIZE - SLAB_ALIGN_SIZE) // size
        cc.c_colour = (PAGE_SIZE - SLAB_ALIGN_SIZE - cc.num * size) // L1
        cc.c_colour_next = cc.c_colour
        cc.c_align = L1
        cc.size, cc.objects = size, cc.num
        self.caches_list.append(cc)
        self.boot_made: list[KmemCache] = []
        self.cache_slabp = self._create("slab_cache", 32, SLAB_HWCACHE_ALIGN, None)
        self.sizes: list[KmemCache] = []
        found = False
        for s in GENERAL_SIZES:
            c = self._create(f"size-{s}", s, SLAB_HWCACHE_ALIGN, None)
            if not found:
                if c.bufctl:
                    found = True
                else:
                    self.bufctl_limit = s // WORD
            c.general = True
            self.sizes.append(c)
        # the caches created with bufctls off slab before bufctl_limit was known find their index cache now
        for c in self.sizes + [self.cache_slabp]:
            if c.bufctl and c.index_cachep is None:
                c.index_cachep = self.find_general(c.num * WORD)

    def deferred_boot(self) -> None:
        """Each boot cache's kmem_cache_t from cache_cache, in creation order."""
        for c in self.boot_made:
            c.meta = self.cache_alloc(self.cache_cache, GFP_KERNEL)

    def find_general(self, size: int) -> KmemCache | None:
        for c in getattr(self, "sizes", []):
            if size <= c.object_size:
                return c
        return None

    # -- kmem_cache_create ------------------------------------------------------------------------
    def cal_waste(self, order: int, size: int, extra: int, off_slab: bool) -> tuple[int, int, int]:
        """``kmem_cache_cal_waste``: (wastage as returned, left_over, num)."""
        wastage = PAGE_SIZE << order
        base = 0 if off_slab else SLAB_ALIGN_SIZE
        wastage -= base
        num = wastage // size
        wastage -= num * size
        return wastage + base + extra * num, wastage, num

    def _create(self, name: str, size: int, flags: int, ctor: Any, offset: int = 0) -> KmemCache:
        flags &= SLAB_C_MASK
        c = KmemCache(name, size, flags, ctor)
        if size & (WORD - 1):
            size = (size + WORD - 1) & ~(WORD - 1)
            self.kernel.dmesg.printk(f"kmem_create: Forcing size word alignment - {name}")
        c.object_size = size
        align = L1 if flags & SLAB_HWCACHE_ALIGN else WORD
        extra = WORD
        off_slab = bufctl = False
        if size >= PAGE_SIZE >> 3:
            off_slab = True
            if not size & (PAGE_SIZE - 1) or size in (PAGE_SIZE // 2, PAGE_SIZE // 4, PAGE_SIZE // 8):
                bufctl = True
                extra = 0
        size += extra
        if flags & SLAB_HWCACHE_ALIGN:
            if size > L1 // 2:
                words = size % L1
                if words:
                    size += L1 - words
            else:
                per_line = L1 // size
                left = L1 - per_line * size
                if left:
                    if left % per_line:
                        per_line -= 1
                        left += size
                    size += left // per_line
        elif not size % L1:
            flags |= SLAB_HWCACHE_ALIGN
            align = L1
        order = 0
        break_flag = False
        while True:
            wastage, left_over, num = self.cal_waste(order, size, extra, off_slab)
            if num and break_flag:
                break
            if num:
                if bufctl and num > self.bufctl_limit and self.bufctl_limit:
                    order -= 1
                    break_flag = True
                    continue
                if order == SLAB_MAX_GFP_ORDER:
                    break
                if not (num <= SLAB_MIN_OBJS_PER_SLAB and order < self.slab_break_gfp_order):
                    if left_over <= SLAB_ALIGN_SIZE or wastage * 8 <= PAGE_SIZE << order:
                        break
            order += 1
        if off_slab and not bufctl and left_over >= SLAB_ALIGN_SIZE:
            off_slab = False
            left_over -= SLAB_ALIGN_SIZE
        offset = (offset + align - 1) & ~(align - 1)
        if not left_over:
            offset = 0
        elif left_over < offset:
            offset = align
            if flags & SLAB_HWCACHE_ALIGN:
                if left_over < offset:
                    offset = 0
            elif left_over >= WORD * 2:
                offset >>= 1
                if left_over >= WORD * 4:
                    offset >>= 1
        elif not offset:
            colours = left_over // align
            if flags & SLAB_HWCACHE_ALIGN:
                if colours >= 8:
                    align <<= 1
            elif colours >= 10:
                align <<= 1
                if colours >= 16:
                    align <<= 1
            offset = align
        c.c_align = offset
        if offset:
            c.c_colour = left_over // offset
        c.c_colour_next = c.c_colour
        if not bufctl:
            size -= WORD
        else:
            c.index_cachep = self.find_general(num * WORD)
        c.c_offset = size
        c.num = num
        c.order = order
        c.off_slab, c.bufctl = off_slab, bufctl
        c.size = c.stride
        c.objects = num
        c.flags = flags
        if any(x.name == name for x in self.caches_list):
            self.kernel.dmesg.printk(f"kmem_create: Dup name - {name}")
        self.caches_list.insert(1, c)  # right after cache_cache
        if not self.booted:
            self.boot_made.append(c)
        return c

    def kmem_cache_create(self, name: str, size: int, align: int = 0, flags: int = 0,
                          ctor: Callable[[int], Any] | None = None) -> KmemCache | None:
        """``kmem_cache_create(name, size, offset, flags, ctor, dtor)``: ``align`` is 2.2's colour ``offset``."""
        self.ensure_booted()
        name, size, align, flags = self.check_create(name, size, align, flags, ctor)
        p = self.kernel.dmesg.printk
        if size < WORD:
            p(f"kmem_create: Size too small {size} - {name}")
            size = WORD
        if size > (1 << SLAB_OBJ_MAX_ORDER) * PAGE_SIZE:
            p(f"kmem_create: Size too large {size} - {name}")
            return None
        if align > size:
            p(f"kmem_create: Offset weird {align} - {name}")
            align = 0
        if flags & ~SLAB_C_MASK:
            p(f"kmem_create: Illgl flg {flags:X} - {name}")
        meta = self.cache_alloc(self.cache_cache, GFP_KERNEL)
        if not meta:
            return None
        c = self._create(name, size, flags, ctor, align)
        c.meta = meta
        return c

    # -- fast paths (2.2 has none: every call is the full path) -----------------------------------
    def _build_fast_paths(self) -> None:
        if not self.booted:
            (self.kmalloc, self.kfree, self.kmem_cache_alloc, self.kmem_cache_free) = self.first_use_paths(
                ("kmalloc", "kfree", "kmem_cache_alloc", "kmem_cache_free"))
        else:
            self.kmalloc = self.kmalloc_
            self.kfree = self.kfree_
            self.kmem_cache_alloc = self.kmem_cache_alloc_
            self.kmem_cache_free = self.kmem_cache_free_

    def switch_cpu(self, cpu: int) -> None:
        self.cpu = cpu

    # -- allocation -------------------------------------------------------------------------------
    def kmalloc_(self, size: int, flags: int = GFP_KERNEL) -> int:
        """``kmalloc(size, flags)``: the first general cache that fits; NULL above 131072."""
        check_size(size, "kmalloc")
        check_gfp(flags, "kmalloc", "flags")
        for c in self.sizes:
            if size <= c.object_size:
                return self.cache_alloc(c, flags)
        self.kernel.dmesg.printk(f"kmalloc: Size ({size}) too large")
        return 0

    def kmem_cache_alloc_(self, cachep: Any, flags: int = GFP_KERNEL) -> int:
        cachep = self.check_cache("kmem_cache_alloc", cachep, KmemCache)
        check_gfp(flags, "kmem_cache_alloc", "flags")
        return self.cache_alloc(cachep, flags)

    def cache_alloc(self, c: KmemCache, flags: int) -> int:
        """``__kmem_cache_alloc``: from ``c_freep``, growing the cache when it is the chain's end."""
        while True:
            if c.c_freep < len(c.chain):
                slab = c.chain[c.c_freep]
                if flags & _GFP_DMA and not slab.dma:
                    slab = self.search_dma(c)
                if slab is not None:
                    break
            if not self.kmem_cache_grow(c, flags):
                return 0
        idx = slab.free.pop()
        slab.inuse += 1
        c.stat["allocs"] += 1
        if not slab.free:
            c.c_freep = c.chain.index(slab) + 1
        obj = slab.s_mem + idx * c.stride
        if flags & _GFP_ZERO:
            self.zero_object(obj, c.object_size)
        return obj

    def search_dma(self, c: KmemCache) -> Slab | None:
        for i in range(c.c_freep + 1, len(c.chain)):
            slab = c.chain[i]
            if slab.dma:
                c.chain.pop(i)
                c.chain.insert(c.c_freep, slab)  # kmem_slab_link_free: before c_freep
                return slab
        return None

    def kmem_cache_grow(self, c: KmemCache, flags: int) -> bool:
        offset = c.c_colour_next
        c.c_colour_next -= 1
        if not offset:
            c.c_colour_next = c.c_colour
        offset *= c.c_align
        addr = self.kmem_getpages(c.order, flags & ~_GFP_ZERO, False)
        if not addr:
            return False
        mgmt = 0
        if c.off_slab:
            mgmt = self.cache_alloc(self.cache_slabp, flags & ~(_GFP_ZERO | _GFP_DMA))
            if not mgmt:
                self.kmem_freepages(addr, c.order, False)
                return False
        slab = Slab(c, addr, self.virt_to_pfn(addr), offset, c.num)
        slab.mgmt = mgmt
        if c.bufctl:
            slab.index = self.cache_alloc(c.index_cachep, flags & ~(_GFP_ZERO | _GFP_DMA))
        frames = self.kernel.frames.flags
        pfn = self.virt_to_pfn(addr)
        slab.dma = bool(flags & _GFP_DMA) or all(frames[pfn + i] & PG_dma for i in range(1 << c.order))
        vpn = addr >> PAGE_SHIFT
        for i in range(1 << c.order):
            self.slab_of[vpn + i] = slab
        if c.ctor:
            for i in range(c.num):
                c.ctor(slab.s_mem + i * c.stride)
        c.chain.append(slab)  # kmem_slab_link_end; c_freep stays (or becomes this slab)
        c.stat["grown"] += 1
        return True

    # -- free ------------------------------------------------------------------------------------
    def kfree_(self, objp: int) -> None:
        """``kfree(objp)``: a general cache's object, or "Bad obj" and the forced oops."""
        check_addr(objp, "kfree", "objp")
        if not objp:
            return
        slab = self.slab_of.get(objp >> PAGE_SHIFT)
        if slab is not None and slab.cache.general:
            return self.cache_free(slab.cache, objp)
        self.bad_ptr(f"kfree: Bad obj {objp:08x}")

    def bad_ptr(self, line: str) -> None:
        k = self.kernel
        k.dmesg.printk(line)
        k.dmesg.printk("Unable to handle kernel NULL pointer dereference at virtual address 00000000")
        raise KernelBug("Oops: the forced NULL dereference after " + line)

    def kmem_cache_free_(self, cachep: Any, objp: int) -> None:
        cachep = self.check_cache("kmem_cache_free", cachep, KmemCache)
        check_addr(objp, "kmem_cache_free", "objp")
        self.cache_free(cachep, objp)

    def free_err(self, what: str, objp: int, c: KmemCache) -> None:
        self.kernel.dmesg.printk(f"kmem_free: {what} (objp={objp:08x}, name={c.name})")

    def cache_free(self, c: KmemCache, objp: int) -> None:
        """``__kmem_cache_free``: the object back on its slab's chain; the slab moves where it now belongs."""
        if not objp:
            self.free_err("NULL ptr", objp, c)
            return
        slab = self.slab_of.get(objp >> PAGE_SHIFT)
        if slab is None or slab.cache is not c:
            # bufp->buf_slabp of a foreign pointer: not a live slab's magic
            self.kernel.dmesg.printk(f"kmem_free: Bad obj addr (objp={objp:08x}, name={c.name})")
            self.bad_ptr(f"kmem_free: Bad obj addr (objp={objp:08x}, name={c.name})")
        idx, rem = divmod(objp - slab.s_mem, c.stride)
        if rem or not 0 <= idx < c.num:
            if c.bufctl:
                self.free_err("Either bad obj addr or double free", objp, c)
                return
            self.bad_ptr(f"kmem_free: Bad obj addr (objp={objp:08x}, name={c.name})")
        if c.bufctl and idx in slab.free:
            self.free_err("Either bad obj addr or double free", objp, c)
            return
        if not slab.inuse:
            self.free_err("free with no active objs", objp, c)
            return
        was_full = not slab.free
        slab.inuse -= 1
        slab.free.append(idx)
        c.stat["frees"] += 1
        chain = c.chain
        pos = chain.index(slab)
        if not was_full:
            if not slab.inuse:  # kmem_cache_full_free: to the end if the next one is in use
                nxt = chain[pos + 1] if pos + 1 < len(chain) else None
                if nxt is not None and nxt.inuse:
                    if c.c_freep == pos:
                        c.c_freep = pos  # the next slab takes its place
                    chain.pop(pos)
                    chain.append(slab)
                    if c.c_freep > pos:
                        c.c_freep -= 1
            return
        # kmem_cache_one_free: in front of c_freep if the next slab is full; c_freep = this slab
        nxt = chain[pos + 1] if pos + 1 < len(chain) else None
        if nxt is not None and nxt.inuse == c.num:
            chain.pop(pos)
            freep = c.c_freep - 1 if c.c_freep > pos else c.c_freep
            chain.insert(freep, slab)
            pos = freep
        c.c_freep = pos

    # -- shrink and reap ----------------------------------------------------------------------------
    def kmem_cache_shrink(self, c: KmemCache) -> int:
        """``kmem_cache_shrink``: destroy the free slabs at the chain's end; 0 when the cache is empty."""
        self.ensure_booted()
        c = self.check_cache("kmem_cache_shrink", c, KmemCache)
        while c.chain and not c.chain[-1].inuse:
            self.slab_destroy(c, c.chain.pop())
        c.c_freep = min(c.c_freep, len(c.chain))
        return 1 if c.chain else 0

    def kmem_cache_reap(self, gfp_mask: int = GFP_KERNEL) -> None:
        """``kmem_cache_reap``: free the free slabs of the cache with the most of them (10 or more wins)."""
        self.ensure_booted()
        best, level = None, 0
        for c in self.caches_list:
            if c.flags & 0x00001000:  # SLAB_NO_REAP
                continue
            full_free = 0
            for s in reversed(c.chain):
                if s.inuse:
                    break
                full_free += 1
            if full_free >= 10:
                best = c
                break
            if full_free and full_free >= level:
                level, best = full_free, c
        if best is None:
            return
        while best.chain and not best.chain[-1].inuse:
            self.slab_destroy(best, best.chain.pop())
            best.stat["reaped"] += 1
        best.c_freep = min(best.c_freep, len(best.chain))

    def slab_destroy(self, c: KmemCache, slab: Slab) -> None:
        vpn = slab.addr >> PAGE_SHIFT
        for i in range(1 << c.order):
            del self.slab_of[vpn + i]
        if slab.index:
            self.cache_free(c.index_cachep, slab.index)
        self.kmem_freepages(slab.addr, c.order, False)
        if slab.mgmt:
            self.cache_free(self.cache_slabp, slab.mgmt)

    # -- reports ----------------------------------------------------------------------------------
    def caches(self) -> list[KmemCache]:
        return list(self.caches_list)

    def slabinfo_rows(self) -> list[SlabinfoRow]:
        self.ensure_booted()
        rows = []
        for c in self.caches_list:
            active = sum(s.inuse for s in c.chain)
            busy = sum(1 for s in c.chain if s.inuse)
            rows.append(SlabinfoRow(c.name, active, len(c.chain) * c.num, c.stride, c.num, 1 << c.order,
                                    active_slabs=busy, num_slabs=len(c.chain)))
        return rows

    def cache_stats(self, name: str) -> dict[str, int]:
        c = self.find_cache(name)
        st = dict(c.stat)
        st["slabs_created"] = st["grown"]
        st["slabs_destroyed"] = st["grown"] - len(c.chain)
        return st

    def objects_pages(self) -> int:
        return sum(len(c.chain) << c.order for c in self.caches_list)

    def audit_caches(self) -> list[str]:
        problems = []
        for c in self.caches_list:
            seen_partial = seen_free = False
            for s in c.chain:
                if s.inuse + len(s.free) != c.num or len(set(s.free)) != len(s.free):
                    problems.append(f"{c.name}: slab {s.addr:#x}: {s.inuse} in use, {len(s.free)} free, "
                                    f"{c.num} per slab")
            first_free = next((i for i, s in enumerate(c.chain) if s.free), len(c.chain))
            if c.c_freep > first_free:
                problems.append(f"{c.name}: c_freep {c.c_freep} is past the first slab with a free object")
            del seen_partial, seen_free
        return problems
