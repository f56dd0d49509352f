"""``vrealloc()`` and ``kvrealloc()`` of v5.15 to v6.18, at every point the record gives.

:class:`Vrealloc` is a mixin of the vmap-layer vmalloc eras
(:mod:`linuxmm_plugins.mm_vmalloc_vmap`); it uses their ``find_vm_area``,
``__vmalloc`` path, ``vfree``, ``warn`` and the page allocator's
``init_on_alloc``/``init_on_free``.  Its branches are the kernel's, keyed by the
commits that changed them [V: mm/vmalloc.c of the 6.12, 6.12.19, 6.13.7, 6.14
and 6.18.2 trees, and the diffs of the stable review mails, docs/sources.md]:

* **3ddc2fefe6f3** (v6.12-rc1), "implement vrealloc()": ``size == 0`` frees;
  ``p == NULL`` is ``__vmalloc(size, flags)``; otherwise the reference size is
  the whole page-granular area (``get_vm_area_size``, guard page excluded),
  not what was asked for.  ``size <= old_size`` -- any shrink, and any grow
  that fits in the pages already mapped -- zeroes ``[size, old_size)`` under
  ``want_init_on_alloc(flags)`` (``init_on_alloc=1`` or ``__GFP_ZERO``) and
  returns ``p``: no page is freed and **KASAN is not told** (the false
  ``vmalloc-out-of-bounds`` reports).  A larger size allocates, copies the
  old area and frees it.
* **d699440f58ce** (v6.13-rc2; stable 6.12.5): that branch poisons
  ``[p + size, p + old_size)`` and unpoisons ``[p, p + size)`` after the
  zeroing.
* **a0309faf1cb0** (v6.15-rc6; stable 6.12.29, 6.14.7): ``vm_struct::requested_size``.
  ``alloced_size`` is the area, ``old_size`` the bytes asked for; a
  ``WARN`` ("vrealloc() has mismatched area vs requested sizes") when the
  first is smaller.  Shrink zeroes the tail only under ``init_on_free``, sets
  ``requested_size`` and poisons the tail (the unpoison call is gone).  A new
  grow-in-place branch (``old_size < size <= alloced_size``) unpoisons
  ``[p + old_size, p + size)``, zeroes it under ``want_init_on_alloc``, sets
  ``requested_size`` -- and then **falls through** to allocate, copy
  ``old_size`` bytes and free: every grow, even by one byte, moves the data.
* **f7a35a3c36d1** (v6.15; stable 6.12.31, 6.14.9): that branch returns ``p``.
* **70d1eb031a68** (v6.15; same stables): shrink zeroes under
  ``init_on_free`` or ``want_init_on_alloc``; grow-in-place no longer zeroes.

KASAN calls go to ``kasan_poison_vmalloc``/``kasan_unpoison_vmalloc`` of
:mod:`linuxmm.kasan`, with the generic mode's checks: from v5.12 a start or size
that is not a multiple of 8 is a ``WARN_ON`` in ``kasan_poison``/``kasan_unpoison``
and nothing changes -- which is what the 2026 "mm/kasan: Fix KASAN poisoning in
vrealloc()" (``Fixes: d699440f58ce``) addresses; a vrealloc to a size that is
not a multiple of 8 shows it at every point from v6.13.  The zeroing and the
copy are the kernel's ``memset``/``memcpy``: accesses through ``kernel.memory``,
checked by KASAN like any other (a report names ``vrealloc_noprof``).

Left out, because the record does not pin them: 4c5d3365882d ("allow to set
node and align in vrealloc", ``vrealloc_node_align_noprof``; in v6.18, its
release not pinned) -- at v6.16-v6.18 ``vrealloc(p, size, flags)`` behaves as
6.15's, which it is for alignment 1 and ``NUMA_NO_NODE``; the KASAN tag fix
(``KASAN_VMALLOC_KEEP_TAG``, tag-based modes only) and the granule fix
(``kasan_vrealloc``, 2026); "free pages when vrealloc() shrinks" (no primary
source: every released vrealloc keeps all pages on shrink).

``kvrealloc`` [V: mm/util.c of the 5.15, 6.1, 6.8 and 6.12 trees]: from v5.15
(5.14 has none) ``kvrealloc(p, oldsize, newsize, flags)`` returns ``p`` when
``oldsize >= newsize`` and otherwise ``kvmalloc``\\ s, copies ``oldsize`` bytes
and ``kvfree``\\ s; 590b9d576cae (v6.12-rc1) aligned it with ``krealloc``:
``kvrealloc(p, size, flags)`` hands a vmalloc address to ``vrealloc`` and
anything else to ``krealloc`` (falling back to ``kvmalloc`` and a copy of
``ksize(p)`` bytes when that fails).  While the booted kernel has no
``krealloc`` modelled, a NULL ``p`` goes to ``kvmalloc``.

Counters: ``vrealloc_calls``; ``bytes_copied`` and ``bytes_zeroed`` (the
kernel-wide ones) and ``vrealloc_bytes_zeroed`` (vrealloc's own ``memset``,
apart from the page allocator's ``init_on_alloc`` zeroing of new pages).
"""

from __future__ import annotations

from typing import Any

from linuxmm import hookimpl
from linuxmm.checks import check_addr, check_gfp, check_size
from linuxmm.errors import NotInThisKernel
from linuxmm.gfp import GFP_KERNEL, __GFP_NOWARN, __GFP_ZERO
from linuxmm.kasan import memcpy, memset
from linuxmm.records import Commit

PAGE_SIZE = 4096
_GFP_ZERO = __GFP_ZERO  # a module name: inside a class body the dunder name would be mangled
_GFP_NOWARN = __GFP_NOWARN
VM_NO_GUARD = 0x40
NUMA_NO_NODE = -1

VREALLOC = "3ddc2fefe6f3"
KVREALLOC_ALIGNED = "590b9d576cae"
KASAN_FIX = "d699440f58ce"
GRANULAR = "a0309faf1cb0"
IN_PLACE = "f7a35a3c36d1"
ZERO_SHRINK = "70d1eb031a68"

COMMITS = (
    Commit(sha="590b9d576cae", subject="mm: kvmalloc: align kvrealloc() with krealloc()", author="Danilo Krummrich",
           date="2024-07-22", tag="v6.12-rc1", mark="V",
           source="post-receive mail of 2024-09-21 pushing it with 3ddc2fefe6f3 (vmalloc fact sheet section 4); "
                  "6.12 mm/util.c kvrealloc_noprof(p, size, flags); date S"),
)


def get_vm_area_size(vm: Any) -> int:
    """The area without its guard page (``get_vm_area_size``)."""
    return vm.size if vm.flags & VM_NO_GUARD else vm.size - PAGE_SIZE


class Vrealloc:
    """The ``vrealloc``/``kvrealloc`` calls of the vmap-layer eras (see the module docstring)."""

    def __init__(self, kernel: Any, *args: Any, **kwargs: Any):
        has = kernel.has
        self.has_vrealloc = has(VREALLOC)
        self.vrealloc_kasan_fix = has(KASAN_FIX)
        self.vrealloc_granular = has(GRANULAR)
        self.vrealloc_in_place = has(IN_PLACE)
        self.vrealloc_zero_shrink = has(ZERO_SHRINK)
        self.kvrealloc_aligned = has(KVREALLOC_ALIGNED)
        kernel.counters.declare("vrealloc_calls", "vrealloc_bytes_zeroed")
        super().__init__(kernel, *args, **kwargs)

    # -- init_on_alloc / init_on_free (6471384af2a6) as the page allocator read them -------------
    def want_init_on_alloc(self, flags: int) -> bool:
        return bool(getattr(self.pa, "init_on_alloc", False)) or bool(flags & _GFP_ZERO)

    def want_init_on_free(self) -> bool:
        return bool(getattr(self.pa, "init_on_free", False))

    # -- vrealloc ------------------------------------------------------------------------------------
    def vrealloc_noprof(self, p: int, size: int, flags: int = GFP_KERNEL) -> int:
        """``vrealloc(p, size, flags)``: the reallocated block (``p`` itself or a new one), or 0."""
        p = check_addr(p, "vrealloc", "p")
        size = check_size(size, "vrealloc")
        flags = check_gfp(flags, "vrealloc", "flags")
        counters = self.counters
        counters["vrealloc_calls"] += 1
        if not size:
            self.vfree(p)
            return 0
        vm = None
        old_size = alloced_size = 0
        if p:
            vm = self.find_vm_area(p)
            if vm is None:
                self.warn("vrealloc_noprof", f"Trying to vrealloc() nonexistent vm area ({self.ptr(p)})")
                return 0
            if self.vrealloc_granular:  # a0309faf1cb0
                alloced_size = get_vm_area_size(vm)
                old_size = vm.requested_size
                if alloced_size < old_size:
                    self.warn("vrealloc_noprof", f"vrealloc() has mismatched area vs requested sizes ({self.ptr(p)})")
                    return 0
            else:
                old_size = get_vm_area_size(vm)
        kasan = self.kasan
        # TODO in the kernel: shrink the vm_area (unmap and free the unused pages) -- never done
        if size <= old_size:
            if self.vrealloc_granular:
                zero = self.want_init_on_free() or (self.vrealloc_zero_shrink and self.want_init_on_alloc(flags))
            else:
                zero = self.want_init_on_alloc(flags)
            if zero and old_size > size:
                memset(self.kernel, p + size, 0, old_size - size)
                counters["bytes_zeroed"] += old_size - size
                counters["vrealloc_bytes_zeroed"] += old_size - size
            if self.vrealloc_granular:
                vm.requested_size = size  # type: ignore[union-attr]
            if kasan is not None and (self.vrealloc_kasan_fix or self.vrealloc_granular):
                kasan.kasan_poison_vmalloc(p + size, old_size - size)
                if not self.vrealloc_granular:  # d699440f58ce; a0309faf1cb0 dropped it
                    kasan.kasan_unpoison_vmalloc(p, size)
            return p
        if self.vrealloc_granular and size <= alloced_size:
            # the bytes are already in the allocation: use them
            if kasan is not None:
                kasan.kasan_unpoison_vmalloc(p + old_size, size - old_size)
            if not self.vrealloc_zero_shrink and self.want_init_on_alloc(flags):
                memset(self.kernel, p + old_size, 0, size - old_size)
                counters["bytes_zeroed"] += size - old_size
                counters["vrealloc_bytes_zeroed"] += size - old_size
            vm.requested_size = size  # type: ignore[union-attr]
            if self.vrealloc_in_place:  # f7a35a3c36d1
                return p
            # a0309faf1cb0 alone: no return -- on to allocate, copy and free
        # TODO in the kernel: grow the vm_area in place -- never done
        n = self.vmalloc_node_range(size, 1, flags, 0, NUMA_NO_NODE, "vrealloc_noprof")
        if not n:
            return 0
        if p:
            memcpy(self.kernel, n, p, old_size)
            counters["bytes_copied"] += old_size
            self.vfree(p)
        return n

    def vrealloc(self, p: int, size: int, flags: int = GFP_KERNEL) -> int:
        """``vrealloc(p, size, flags)``, the macro around ``vrealloc_noprof`` (v6.12 on)."""
        return self.vrealloc_noprof(p, size, flags)

    # -- kvrealloc -----------------------------------------------------------------------------------
    def kvrealloc(self, p: int, size: int, flags: int = GFP_KERNEL, *rest: int) -> int:
        """``kvrealloc``: ``(p, size, flags)`` from 590b9d576cae (v6.12), ``(p, oldsize, newsize, flags)``
        from v5.15 until then."""
        if not self.kvrealloc_aligned:
            if len(rest) != 1:
                raise NotInThisKernel(f"kvrealloc() at {self.kernel.version} takes (p, oldsize, newsize, flags); "
                                      f"kvrealloc(p, size, flags) came with 590b9d576cae (v6.12-rc1)")
            return self.kvrealloc_old(p, size, flags, rest[0])
        if rest:
            raise NotInThisKernel(f"kvrealloc() at {self.kernel.version} takes (p, size, flags): the form with "
                                  f"oldsize went with 590b9d576cae (v6.12-rc1)")
        return self.kvrealloc_noprof(p, size, flags)

    def kvrealloc_old(self, p: int, oldsize: int, newsize: int, flags: int) -> int:
        """v5.15-v6.11: nothing when ``oldsize >= newsize``; else ``kvmalloc``, copy, ``kvfree``."""
        p = check_addr(p, "kvrealloc", "p")
        oldsize = check_size(oldsize, "kvrealloc", "oldsize")
        newsize = check_size(newsize, "kvrealloc", "newsize")
        flags = check_gfp(flags, "kvrealloc", "flags")
        if oldsize >= newsize:
            return p
        newp = self.kvmalloc(newsize, flags)
        if not newp:
            return 0
        memcpy(self.kernel, newp, p, oldsize)
        self.counters["bytes_copied"] += oldsize
        self.kvfree(p)
        return newp

    def kvrealloc_noprof(self, p: int, size: int, flags: int = GFP_KERNEL) -> int:
        """590b9d576cae: a vmalloc address goes to ``vrealloc``, anything else to ``krealloc``."""
        p = check_addr(p, "kvrealloc", "p")
        size = check_size(size, "kvrealloc")
        flags = check_gfp(flags, "kvrealloc", "flags")
        if self.VMALLOC_START <= p < self.VMALLOC_END:
            return self.vrealloc_noprof(p, size, flags)
        kernel = self.kernel
        if not kernel.provides("krealloc"):
            if not p:
                return self.kvmalloc(size, flags) if size else 0
            raise NotInThisKernel(f"kvrealloc({p:#x}): not a vmalloc address, and {kernel.version} has no "
                                  f"krealloc() modelled to take it")
        # kmalloc_gfp_adjust: above a page, krealloc may fail quietly and vmalloc takes over
        adjusted = flags | _GFP_NOWARN if size > PAGE_SIZE else flags
        n = kernel.krealloc(p, size, adjusted)
        if not n:
            n = self.kvmalloc(size, flags)
            if not n:
                return 0
            if p:
                old = kernel.ksize(p)
                # kasan_disable_current() around the copy: ksize(p) may reach past the object
                checkers = kernel.memory.checkers
                saved = list(checkers)
                checkers.clear()
                try:
                    memcpy(kernel, n, p, old)
                finally:
                    checkers.extend(saved)
                self.counters["bytes_copied"] += old
                kernel.kfree(p)
        return n


@hookimpl
def linuxmm_commits():
    return COMMITS
