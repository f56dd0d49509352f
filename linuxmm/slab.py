"""What the small-object allocators share: SLAB, SLOB and SLUB.

Three allocators served ``kmalloc()`` and the ``kmem_cache`` API after
``mm/kmalloc.c``: SLAB (``mm/slab.c``, 2.2 to 6.7), SLOB (``mm/slob.c``,
2.6.16 to 6.3) and SLUB (``mm/slub.c``, from 2.6.22).  Each era plugin
subclasses :class:`SlabAllocator` and binds the kernel functions of its era
through its :class:`~linuxmm.records.Implementation`'s ``api``:
``kmalloc``, ``kzalloc``, ``kfree``, ``krealloc``, ``ksize``,
``kmem_cache_create``, ``kmem_cache_alloc``, ``kmem_cache_zalloc``,
``kmem_cache_free``, ``kmem_cache_destroy``, ``kmem_cache_shrink``.

Shared here, written once:

* the cache flags (``SLAB_HWCACHE_ALIGN`` ...), with the values
  ``include/linux/slab.h`` gave them from 2.2 to the 2.6.2x kernels (the
  bits every era kept); each era reads only the flags it had;
* the poison and red-zone bytes of ``include/linux/poison.h``;
* ``ZERO_SIZE_PTR`` (16), what ``kmalloc(0)`` returns from 2.6.22 (SLUB) /
  2.6.23 (SLAB, SLOB);
* the slab pages' accounting: every page an allocator holds comes from the
  booted page allocator (``alloc_block``/``free_block``, the era's own
  ``__get_free_pages``/``alloc_pages``), is counted as reclaimable or not
  (``NR_SLAB_RECLAIMABLE``/``NR_SLAB_UNRECLAIMABLE``), and is mapped back
  to its slab by page number for ``kfree()``;
* the checks of arguments at the model's boundary (types and ranges; what
  the kernel did with a well-typed bad argument is each era's business);
* ``/proc/slabinfo`` rows (:class:`SlabinfoRow`), ``meminfo()`` for
  /proc/meminfo, and :meth:`SlabAllocator.audit`, the accounting that must
  always balance: objects in use + free = objects in slabs, and pages in
  slabs = pages the page allocator handed to the slab allocator.

Hot paths are each era's own closures (see the plugins); nothing here is on
them except :meth:`SlabAllocator.zero_object`, called only for
``__GFP_ZERO`` and ``init_on_alloc``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable

from .checks import check_addr, check_gfp, check_int, check_size
from .errors import ArgumentError, LinuxmmError
from .gfp import __GFP_RECLAIMABLE, __GFP_ZERO
from .machine import PAGE_SHIFT, PAGE_SIZE

if TYPE_CHECKING:  # pragma: no cover
    from .kernel import Kernel

_GFP_ZERO = __GFP_ZERO
_GFP_RECLAIMABLE = __GFP_RECLAIMABLE

_SIZE_MAX = (1 << 64) - 1

#: What ``kmalloc(0)`` returns where the era had it: a non-NULL pointer that faults.
ZERO_SIZE_PTR = 16

# -- cache flags: include/linux/slab.h (2.2.1 and 2.6.20-2.6.24 agree on these bits [V]) --------
SLAB_DEBUG_FREE = 0x00000100  #: consistency checks (SLAB_CONSISTENCY_CHECKS in later kernels)
SLAB_CONSISTENCY_CHECKS = SLAB_DEBUG_FREE
SLAB_DEBUG_INITIAL = 0x00000200  #: 2.2-2.6.21: call the constructor as a verifier
SLAB_RED_ZONE = 0x00000400
SLAB_POISON = 0x00000800
SLAB_NO_REAP = 0x00001000  #: 2.2/2.4 only
SLAB_HWCACHE_ALIGN = 0x00002000
SLAB_CACHE_DMA = 0x00004000
SLAB_MUST_HWCACHE_ALIGN = 0x00008000  #: 2.6 until 2.6.21
SLAB_STORE_USER = 0x00010000
SLAB_RECLAIM_ACCOUNT = 0x00020000
SLAB_PANIC = 0x00040000
SLAB_DESTROY_BY_RCU = 0x00080000  #: SLAB_TYPESAFE_BY_RCU in later kernels
SLAB_TYPESAFE_BY_RCU = SLAB_DESTROY_BY_RCU
SLAB_MEM_SPREAD = 0x00100000
SLAB_TRACE = 0x00200000  #: SLUB, from 2.6.22
SLAB_NOLEAKTRACE = 0x00800000
SLAB_FAILSLAB = 0x02000000

#: Every flag the model knows, by name (for messages and ``linuxmm info``).
SLAB_FLAG_NAMES = {
    "SLAB_DEBUG_FREE": SLAB_DEBUG_FREE, "SLAB_DEBUG_INITIAL": SLAB_DEBUG_INITIAL,
    "SLAB_RED_ZONE": SLAB_RED_ZONE, "SLAB_POISON": SLAB_POISON, "SLAB_NO_REAP": SLAB_NO_REAP,
    "SLAB_HWCACHE_ALIGN": SLAB_HWCACHE_ALIGN, "SLAB_CACHE_DMA": SLAB_CACHE_DMA,
    "SLAB_MUST_HWCACHE_ALIGN": SLAB_MUST_HWCACHE_ALIGN, "SLAB_STORE_USER": SLAB_STORE_USER,
    "SLAB_RECLAIM_ACCOUNT": SLAB_RECLAIM_ACCOUNT, "SLAB_PANIC": SLAB_PANIC,
    "SLAB_DESTROY_BY_RCU": SLAB_DESTROY_BY_RCU, "SLAB_MEM_SPREAD": SLAB_MEM_SPREAD,
    "SLAB_TRACE": SLAB_TRACE, "SLAB_NOLEAKTRACE": SLAB_NOLEAKTRACE, "SLAB_FAILSLAB": SLAB_FAILSLAB,
}
_ALL_FLAGS = 0
for _v in SLAB_FLAG_NAMES.values():
    _ALL_FLAGS |= _v
del _v

# -- include/linux/poison.h [V: 2.6.20, 4.4, 6.12] ----------------------------------------------
POISON_INUSE = 0x5A  #: padding, and a fresh slab's bytes under SLUB's poisoning
POISON_FREE = 0x6B  #: a free object's bytes
POISON_END = 0xA5  #: the last byte of a poisoned object
SLUB_RED_INACTIVE = 0xBB
SLUB_RED_ACTIVE = 0xCC
#: SLAB's (2.6) red-zone words, 64-bit [V: 2.6.20 poison.h]
RED_INACTIVE = 0x09F911029D74E35B
RED_ACTIVE = 0xD84156C5635688C0


def ALIGN(x: int, a: int) -> int:
    """Round ``x`` up to a multiple of ``a`` (a power of two)."""
    return (x + a - 1) & ~(a - 1)


def fls(x: int) -> int:
    """Find last set bit, 1-based; ``fls(0) == 0``."""
    return x.bit_length()


def get_order(size: int) -> int:
    """The smallest order whose block holds ``size`` bytes (``get_order()``; 0 for size 0)."""
    if size <= PAGE_SIZE:
        return 0
    return ((size - 1) >> PAGE_SHIFT).bit_length()


@dataclass
class SlabinfoRow:
    """One cache as /proc/slabinfo and slabtop see it (``struct slabinfo``, 3.x mm/slab.h)."""

    name: str
    active_objs: int
    num_objs: int
    objsize: int
    objperslab: int
    pagesperslab: int
    limit: int = 0
    batchcount: int = 0
    shared: int = 0
    active_slabs: int = 0
    num_slabs: int = 0
    shared_avail: int = 0


class SlabCache:
    """The parts of ``struct kmem_cache`` every allocator has.

    ``object_size`` is what the creator asked for (word-rounded where the era
    did), ``size`` the bytes an object takes in its slab, ``order`` and
    ``objects`` the slab's page order and object count, ``stat`` the
    per-cache statistics an era kept (names are each era's own: SLUB's
    ``enum stat_item``, SLAB's ``STATS`` fields).  ``dead`` is set by
    ``kmem_cache_destroy``.
    """

    def __init__(self, name: str, object_size: int, size: int, align: int, flags: int,
                 ctor: Callable[..., Any] | None) -> None:
        self.name = name
        self.object_size = object_size
        self.size = size
        self.align = align
        self.flags = flags
        self.ctor = ctor
        self.order = 0
        self.objects = 0
        self.refcount = 1
        self.dead = False
        self.reclaimable = bool(flags & SLAB_RECLAIM_ACCOUNT)

    def __repr__(self) -> str:
        return (f"<kmem_cache {self.name!r} object_size={self.object_size} size={self.size} "
                f"order={self.order} objects={self.objects}>")


class SlabAllocator:
    """Base class of the SLAB, SLOB and SLUB eras (see the module docstring).

    A subclass sets ``name`` and implements its kernel functions, plus
    :meth:`slabinfo_rows` (where the era had /proc/slabinfo),
    :meth:`objects_in_slabs`, :meth:`caches` and :meth:`audit_caches`.
    """

    #: "SLAB", "SLOB" or "SLUB"
    name = ""
    #: the file the era's code lived in, for messages
    source_file = "mm/slab.c"

    def __init__(self, kernel: "Kernel") -> None:
        self.kernel = kernel
        pa = getattr(kernel, "page_alloc", None)
        if pa is None:
            raise LinuxmmError(f"{kernel.version}: the slab allocator needs a page allocator")
        self.pa = pa
        self.memory = kernel.memory
        self.phys = kernel.phys
        self.counters = kernel.counters
        self.page_offset = pa.page_offset
        self.nr_slab_reclaimable = 0  # pages (NR_SLAB_RECLAIMABLE)
        self.nr_slab_unreclaimable = 0  # pages (NR_SLAB_UNRECLAIMABLE)
        self.slab_pages_in = 0  # pages received from the page allocator, all time
        self.slab_pages_out = 0  # pages given back
        self.large_pages = 0  # pages of kmalloc requests sent straight to the page allocator
        self.kasan: Any = None  # set when KASAN attaches (KasanSlab: SLUB, SLAB)
        self.counters.declare("slab_pages_allocated", "slab_pages_freed")
        init_alloc = kernel.cmdline.get("init_on_alloc")
        init_free = kernel.cmdline.get("init_on_free")
        cfg = kernel.config
        has_init = kernel.has("6471384af2a6")
        if init_alloc is None:
            init_alloc = bool(cfg.get("INIT_ON_ALLOC_DEFAULT_ON"))
        if init_free is None:
            init_free = bool(cfg.get("INIT_ON_FREE_DEFAULT_ON"))
        #: 6471384af2a6 (5.3): zero objects on allocation / on free
        self.init_on_alloc = bool(has_init and init_alloc)
        self.init_on_free = bool(has_init and init_free)
        self.booted = False
        self._boot_lines: list[str] = []
        #: 6a486c0ad4dc (5.4): kmalloc requests passed to the page allocator count as NR_SLAB_UNRECLAIMABLE
        self.account_large = kernel.has("6a486c0ad4dc")

    #: boot parameters only mm/slub.c knows
    SLUB_PARAMS = ("slub_debug", "slub_nomerge", "slub_min_order", "slub_max_order", "slub_min_objects")

    def refuse_slub_params(self) -> None:
        """SLAB and SLOB kernels do not know SLUB's boot parameters: refuse them rather than ignore them."""
        from .errors import ConfigError

        for param in self.SLUB_PARAMS:
            if param in self.kernel.cmdline:
                raise ConfigError(f"{param}= is a SLUB parameter (mm/slub.c); this kernel runs {self.name}, which "
                                  f"does not know it (the kernel would pass it on to init)")

    # -- boot ---------------------------------------------------------------------------
    def boot_printk(self, line: str) -> None:
        """A line ``kmem_cache_init`` printed: logged after the page allocator's ``mem_init`` report."""
        self._boot_lines.append(line)

    def late_init(self) -> None:
        """Called by the kernel once the command line is reported: print the queued boot lines."""
        for line in self._boot_lines:
            self.kernel.dmesg.printk(line)
        self._boot_lines.clear()

    def deferred_boot(self) -> None:
        """The pages ``kmem_cache_init`` takes for the boot caches' own structures (each era's own)."""

    def ensure_booted(self) -> None:
        """Finish boot at the slab allocator's first use.

        ``kmem_cache_init`` builds every boot cache when the kernel boots; the
        objects those caches need for themselves (their struct kmem_cache and
        the like) take pages from the page allocator only when the slab
        allocator is first called, so a kernel whose slab allocator is never
        used keeps the page allocator exactly as it booted.  The objects are
        allocated in boot order, so the state after the first call is the
        state the kernel had after boot.
        """
        if self.booted:
            return
        self.booted = True
        self.deferred_boot()
        self._build_fast_paths()
        self.kernel.rebind()

    def first_use_paths(self, names: tuple[str, ...]) -> tuple[Callable[..., Any], ...]:
        """Stand-ins for the fast paths until the first call: they finish boot, then call the real one."""
        def make(name: str) -> Callable[..., Any]:
            def first_use(*args: Any, **kwargs: Any) -> Any:
                self.ensure_booted()
                return getattr(self, name)(*args, **kwargs)
            first_use.__name__ = name
            return first_use
        return tuple(make(n) for n in names)

    # -- per-CPU fast paths (SLAB 2.4-6.7 and SLUB: one set of closures per CPU) ---------------
    def _make_fast_paths(self, cpu: int) -> tuple[Callable[..., Any], ...]:  # pragma: no cover
        """``kmalloc``, ``kfree``, ``kmem_cache_alloc`` and ``kmem_cache_free`` for ``cpu`` (each era's own)."""
        raise NotImplementedError

    def _build_fast_paths(self) -> None:
        """Bind the four calls: first-use stand-ins until boot is finished, then each CPU's closures."""
        if not self.booted:
            self._fast = [self.first_use_paths(("kmalloc", "kfree", "kmem_cache_alloc", "kmem_cache_free"))]
            self._fast *= self.ncpus
        else:
            self._fast = [self._make_fast_paths(cpu) for cpu in range(self.ncpus)]
        self.switch_cpu(self.cpu)

    def switch_cpu(self, cpu: int) -> None:
        """Make ``cpu`` current: its own kmalloc/kfree/kmem_cache_alloc/kmem_cache_free closures."""
        self.cpu = cpu
        self.kmalloc, self.kfree, self.kmem_cache_alloc, self.kmem_cache_free = self._fast[cpu]

    def register_alloc_hook(self, hook: Callable[[Any, int], bool]) -> None:
        """Add a slow-path-only allocation hook (failslab, KASAN): ``hook(cache, gfp)`` returns True to fail.

        Every call then takes the slow path; the fast paths are rebuilt once.
        """
        self.alloc_hooks.append(hook)
        self._build_fast_paths()
        self.kernel.rebind()

    def kmalloc_large(self, size: int, flags: int) -> int:
        """``kmalloc_large``: pages straight from the page allocator (order ``get_order(size)``)."""
        order = get_order(size)
        addr = self.pa.alloc_block(order, flags & ~_GFP_ZERO)
        if not addr:
            return 0
        if flags & _GFP_ZERO or self.init_on_alloc:
            self.zero_object(addr, PAGE_SIZE << order)
        if self.kasan is not None:
            self.kasan.kasan_kmalloc_large(addr, size, order)
        vpn = addr >> PAGE_SHIFT
        for i in range(1 << order):
            self.large[vpn + i] = (addr, order)
        self.large_pages += 1 << order
        return addr

    # -- pages ------------------------------------------------------------------------
    def kmem_getpages(self, order: int, gfp: int, reclaimable: bool) -> int:
        """Pages for a slab from the era's page allocator; 0 when it has none."""
        addr = self.pa.alloc_block(order, gfp & ~_GFP_ZERO)
        if not addr:
            return 0
        n = 1 << order
        if reclaimable:
            self.nr_slab_reclaimable += n
        else:
            self.nr_slab_unreclaimable += n
        self.slab_pages_in += n
        self.counters["slab_pages_allocated"] += n
        return addr

    def kmem_freepages(self, addr: int, order: int, reclaimable: bool) -> None:
        """Give a slab's pages back to the page allocator."""
        n = 1 << order
        if reclaimable:
            self.nr_slab_reclaimable -= n
        else:
            self.nr_slab_unreclaimable -= n
        self.slab_pages_out += n
        self.counters["slab_pages_freed"] += n
        self.pa.free_block(addr, order)

    # -- memory -------------------------------------------------------------------------
    def zero_object(self, addr: int, size: int) -> None:
        """``memset(addr, 0, size)`` on the direct map, counted in ``bytes_zeroed``."""
        self.phys.write(addr - self.page_offset, bytes(size))
        self.counters["bytes_zeroed"] += size

    def fill(self, addr: int, byte: int, size: int) -> None:
        """``memset(addr, byte, size)`` by the allocator itself (no checker sees it)."""
        if size > 0:
            self.phys.write(addr - self.page_offset, bytes([byte]) * size)

    def peek(self, addr: int, size: int) -> bytes:
        """The allocator reading its own metadata (no checker sees it)."""
        return self.phys.read(addr - self.page_offset, size)

    def virt_to_pfn(self, addr: int) -> int:
        return (addr - self.page_offset) >> PAGE_SHIFT

    def valid_addr(self, addr: int) -> bool:
        """``virt_addr_valid()``: inside the direct map of this machine."""
        return self.page_offset <= addr < self.page_offset + (self.pa.nr_pages << PAGE_SHIFT)

    # -- argument checks (slow paths only) ----------------------------------------------------------
    @staticmethod
    def check_kmalloc(func: str, size: Any, flags: Any) -> None:
        check_size(size, func)
        check_gfp(flags, func, "flags")

    @staticmethod
    def check_ptr(func: str, ptr: Any) -> int:
        return check_addr(ptr, func, "objp")

    def check_cache(self, func: str, cachep: Any, cls: type) -> Any:
        if not isinstance(cachep, cls):
            raise ArgumentError(f"{func}: cachep must be a cache from kmem_cache_create() of this kernel, "
                                f"not {type(cachep).__name__}")
        if cachep.dead:
            raise ArgumentError(f"{func}: cache {cachep.name!r} was destroyed by kmem_cache_destroy(); the "
                                f"model does not follow a use of its freed struct kmem_cache")
        return cachep

    def check_create(self, name: Any, size: Any, align: Any, flags: Any, ctor: Any) -> tuple[str, int, int, int]:
        func = "kmem_cache_create"
        if not isinstance(name, str) or not name:
            raise ArgumentError(f"{func}: name must be a non-empty string, not {name!r}")
        size = check_int(size, "size", func, 0, (1 << 32) - 1)
        align = check_int(align, "align", func, 0, 1 << 20)
        if align & (align - 1):
            raise ArgumentError(f"{func}: align must be 0 or a power of two, not {align}")
        flags = check_int(flags, "flags", func, 0, (1 << 32) - 1)
        unknown = flags & ~_ALL_FLAGS
        if unknown:
            raise ArgumentError(f"{func}: flags has bits no SLAB_* flag of linuxmm.slab names ({unknown:#x})")
        if ctor is not None and not callable(ctor):
            raise ArgumentError(f"{func}: ctor must be callable (it is called with the object's address), "
                                f"not {type(ctor).__name__}")
        return name, size, align, flags

    # -- generic kernel functions -------------------------------------------------------------
    def kzalloc(self, size: int, flags: int) -> int:
        """``kzalloc(size, flags)``: ``kmalloc`` with ``_GFP_ZERO``."""
        if (size.__class__ is not int or flags.__class__ is not int or not 0 <= size <= _SIZE_MAX
                or not 0 <= flags <= 0xFFFFFFFF):  # a bool or None must not reach the ``|``; name kzalloc
            self.check_kmalloc("kzalloc", size, flags)
        try:
            return self.kmalloc(size, flags | _GFP_ZERO)
        except TypeError:
            self.check_kmalloc("kzalloc", size, flags)
            raise

    def kmem_cache_zalloc(self, cachep: Any, flags: int) -> int:
        """``kmem_cache_zalloc(cachep, flags)``."""
        if flags.__class__ is not int or not 0 <= flags <= 0xFFFFFFFF:
            check_gfp(flags, "kmem_cache_zalloc", "flags")
        try:
            return self.kmem_cache_alloc(cachep, flags | _GFP_ZERO)
        except TypeError:
            check_gfp(flags, "kmem_cache_zalloc", "flags")
            raise

    def krealloc(self, p: int, new_size: int, flags: int) -> int:
        """``krealloc(p, new_size, flags)``: grow in place when ``ksize`` allows, else move.

        Common to the three allocators (``mm/util.c``, fd76bab2fa6d, 2.6.22):
        size 0 frees and returns ZERO_SIZE_PTR; a NULL or ZERO_SIZE_PTR ``p``
        is a plain ``kmalloc``; otherwise a new object is allocated and the old
        one's ``ksize()`` bytes (at most ``new_size``) copied before it is freed.
        """
        func = "krealloc"
        self.check_ptr(func, p)
        self.check_kmalloc(func, new_size, flags)
        if not new_size:
            self.kfree(p)
            return ZERO_SIZE_PTR
        if p <= ZERO_SIZE_PTR:
            return self.kmalloc(new_size, flags)
        ks = self.ksize(p)
        if ks >= new_size:
            if flags & _GFP_ZERO and new_size < ks and self.zero_tail_on_shrink:
                self.zero_object(p + new_size, ks - new_size)
            return p
        ret = self.kmalloc(new_size, flags)
        if ret and ret > ZERO_SIZE_PTR:
            n = min(ks, new_size)
            self.phys.write(ret - self.page_offset, self.peek(p, n))
            self.counters["bytes_copied"] += n
            self.kfree(p)
        return ret

    #: krealloc zeroes the slack it keeps when asked for _GFP_ZERO (6.x does; older kernels did not)
    zero_tail_on_shrink = False

    # -- reports ------------------------------------------------------------------------------
    def meminfo(self) -> dict[str, int]:
        """The slab lines of /proc/meminfo in kB: ``Slab``, ``SReclaimable``, ``SUnreclaim``.

        Pages the allocator holds for slabs; kmalloc requests passed straight
        to the page allocator count in ``SUnreclaim`` from 5.4 (6a486c0ad4dc),
        not before.
        """
        kb = PAGE_SIZE >> 10
        rec, unrec = self.nr_slab_reclaimable * kb, self.nr_slab_unreclaimable * kb
        if self.account_large:
            unrec += self.large_pages * kb
        return {"Slab": rec + unrec, "SReclaimable": rec, "SUnreclaim": unrec}

    def slab_pages(self) -> int:
        """Pages held in slabs right now."""
        return self.nr_slab_reclaimable + self.nr_slab_unreclaimable

    def pages_held(self) -> int:
        """Pages the allocator holds from the page allocator for its slabs right now (all of them kept
        once every object is freed: empty slabs the era does not give back, the caches' own objects)."""
        return self.slab_pages_in - self.slab_pages_out

    def caches(self) -> list[SlabCache]:
        """Every cache, in the order the era's /proc/slabinfo lists them."""
        raise NotImplementedError

    def find_cache(self, name: str) -> SlabCache:
        """The cache called ``name`` (an alias of a merged cache finds its target)."""
        for s in self.caches():
            if s.name == name:
                return s
        raise ArgumentError(f"no slab cache named {name!r} in this kernel")

    def slabinfo_rows(self) -> list[SlabinfoRow]:
        """One row per cache, as the era's /proc/slabinfo computes them."""
        raise NotImplementedError

    def audit(self) -> list[str]:
        """Accounting that must always balance; returns what does not (empty when all is well).

        Checked: objects in use + free objects = objects in slabs, per cache
        (:meth:`audit_caches`); the pages in slabs equal the pages taken from
        the page allocator minus those given back, and equal the slab
        counters behind /proc/meminfo.
        """
        problems = list(self.audit_caches())
        held = self.slab_pages_in - self.slab_pages_out
        counted = self.objects_pages()
        if held != self.slab_pages():
            problems.append(f"slab pages: {held} taken from the page allocator, {self.slab_pages()} counted")
        if counted != held:
            problems.append(f"slab pages: {held} taken from the page allocator, {counted} in the caches' slabs")
        return problems

    def check(self) -> list[str]:
        """``kernel.check()``'s hook: the :meth:`audit` problems, each prefixed with ``slab:``."""
        return [f"slab: {p}" for p in self.audit()]

    def audit_caches(self) -> list[str]:  # pragma: no cover - every era overrides
        return []

    def objects_pages(self) -> int:  # pragma: no cover - every era overrides
        """Pages in all slabs of all caches, counted slab by slab."""
        raise NotImplementedError


class KasanSlab:
    """KASAN's side of a slab allocator: SLUB from v4.0 (0b24becc810d), SLAB from v4.6 (7ed2f9e66385).

    Both allocators do the same at the same points: a new slab is poisoned as red zone
    (``kasan_poison_slab``), an allocation unpoisons the bytes asked for (``kasan_kmalloc``;
    ``kmem_cache_alloc`` asks for the object size), a free poisons the object
    (``kasan_slab_free``, which also reports a double or invalid free of the era), and
    KASAN's report describes the object and its cache through :meth:`kasan_object`.  Every
    call then takes the slow path, where these hooks run: the allocation hook registered here
    fails nothing, it only switches the fast paths off, so without KASAN they are unchanged.

    An allocator supplies ``slab_of`` (virtual page number -> slab, each slab with its
    ``cache``), ``nearest_obj(cache, slab, addr)`` and :meth:`kasan_slabs`.
    """

    def kasan_slabs(self) -> Iterable[tuple[int, int, Iterable[int], int]]:  # pragma: no cover
        """Each slab that exists: (address, bytes, the objects in use, object size)."""
        raise NotImplementedError

    def kasan_init(self, kasan: Any) -> None:
        """Attach KASAN: slabs that exist are poisoned but for their objects in use; no fast paths."""
        self.kasan = kasan
        for addr, nbytes, live, object_size in self.kasan_slabs():
            kasan.kasan_poison_slab(addr, nbytes)
            for obj in live:
                kasan.kasan_kmalloc(obj, object_size, object_size)
        self.register_alloc_hook(lambda cache, gfp: False)

    def kasan_object(self, addr: int) -> tuple[str, int, int] | None:
        """For KASAN's report: (cache name, object size, object start) of the slab object at ``addr``."""
        slab = self.slab_of.get(addr >> PAGE_SHIFT)
        if slab is None:
            return None
        s = slab.cache
        return s.name, s.object_size, self.nearest_obj(s, slab, addr)
