"""Generic KASAN: shadow memory, the access check and the report, as each era had them.

The Kernel Address Sanitizer (0b24becc810d, v4.0-rc1) keeps one shadow byte for
every 8-byte granule of kernel memory (``KASAN_SHADOW_SCALE_SHIFT`` 3).  A
shadow byte of 0 says the whole granule may be accessed, 1 to 7 that only that
many leading bytes may, and a value with the top bit set names why the granule
is poisoned (a freed page, a slab red zone, an unused part of a vmalloc area).
Every read and write through ``kernel.memory`` is checked against it when
``CONFIG_KASAN=y``: :class:`Kasan` registers its checker in
``kernel.memory.checkers`` at boot, so a kernel without KASAN pays nothing
(the checker list stays empty).  This module is the mechanism;
:mod:`linuxmm_plugins.kasan` declares the symbols, parameters and commits and
attaches it to a booted kernel.

Shadow values by era [V: mm/kasan/kasan.h of the trees in docs/sources.md]:

============  =======  ==================================================
value         since    name in the era
============  =======  ==================================================
0xFF          v4.0     KASAN_FREE_PAGE, KASAN_PAGE_FREE from v5.19
0xFE          v4.0     KASAN_PAGE_REDZONE (kmalloc_large)
0xFC          v4.0     KASAN_KMALLOC_REDZONE, KASAN_SLAB_REDZONE from v5.19
0xFB          v4.0     KASAN_KMALLOC_FREE, KASAN_SLAB_FREE from v5.19
0xFA          v4.0     KASAN_GLOBAL_REDZONE until e4b7818b9aa8 (v5.9),
                       then KASAN_KMALLOC_FREETRACK (KASAN_SLAB_FREE_META
                       in 6.x)
0xF9          v5.5     KASAN_VMALLOC_INVALID (3c5c3cfb9ef4) until
                       e4b7818b9aa8, then KASAN_GLOBAL_REDZONE
0xF8          v5.9     KASAN_VMALLOC_INVALID (e4b7818b9aa8 moved it)
============  =======  ==================================================

The report (mm/kasan/report.c, report_generic.c) is printed in the era's
layout: the ``====`` banner; ``BUG: KASAN: <type> in <function> at addr
<addr>`` and ``<Read|Write> of size N by task <comm>/<pid>`` up to v4.11,
then ``BUG: KASAN: <type> in <function>`` and ``<Read|Write> of size N at
addr <addr> by task <comm>/<pid>`` (the 4.11 and 4.12 trees differ so);
the virtual mapping of a vmalloc address (from v5.18 [S]: not in the 5.17
tree, in 5.19's; a one-line form from v6.16 [S]); the slab object and the
region it was allocated as, where slab memory is involved; the memory state
around the buggy address (two rows before and after, 16 shadow bytes a row,
a caret under the first bad granule); the banner again.  Bug types: see
:meth:`Kasan.bug_type`; ``use-after-free`` for freed slab objects became
``slab-use-after-free`` with 0e301731f558 (v6.3-rc1), page frees stay
``use-after-free``.

What the model leaves out of a report: the ``+0xoff/0xsize`` after a
function name (the model prints the function's name: the first Python frame
outside this module and ``memory.py``, which by the house rule carries the
kernel function's name; ``memset``/``memcpy`` frames are skipped as the
kernel's wrappers report their caller), the ``CPU: ... Call Trace:`` stack
dump, the allocation/free stacks, and ``dump_page``'s lines.

After a report the kernel carries on (the access happens) unless
``kasan.fault=panic`` (generic KASAN from v5.15; ``panic_on_write`` from
v6.8 [S]) or ``panic_on_warn=1`` (checked by KASAN from v4.10) asks for a
panic.  From v4.11 only the first report is printed unless
``kasan_multi_shot`` is on the command line.
"""

from __future__ import annotations

import hashlib
import sys
from typing import TYPE_CHECKING, Any, Callable

from .warn import check_panic_on_warn, warn  # noqa: F401  (re-exported: KASAN's WARNs and panic_on_warn)

if TYPE_CHECKING:  # pragma: no cover
    from .kernel import Kernel

PAGE_SHIFT = 12
PAGE_SIZE = 1 << PAGE_SHIFT
KASAN_SHADOW_SCALE_SHIFT = 3
KASAN_GRANULE_SIZE = 1 << KASAN_SHADOW_SCALE_SHIFT
KASAN_GRANULE_MASK = KASAN_GRANULE_SIZE - 1
#: Shadow bytes for one 4K page of memory.
SHADOW_PER_PAGE = PAGE_SIZE >> KASAN_SHADOW_SCALE_SHIFT
#: The memory-state dump: 16 shadow bytes a row, two rows either side of the buggy one.
META_BYTES_PER_ROW = 16
META_MEM_BYTES_PER_ROW = META_BYTES_PER_ROW * KASAN_GRANULE_SIZE
META_ROWS_AROUND_ADDR = 2

BANNER = "=" * 66
#: ``current`` in the model: the one simulated task, as in the other subsystems' messages.
COMM = "linuxmm"
PID = 1

#: Commits the era flags are keyed on (declared in :mod:`linuxmm_plugins.kasan`).
FREETRACK = "e4b7818b9aa8"  # kasan: record and print the free track (v5.9-rc1)
SLAB_UAF = "0e301731f558"  # kasan: infer allocation size by scanning metadata (v6.3-rc1)
KASAN_VMALLOC = "3c5c3cfb9ef4"  # kasan: support backing vmalloc space with real shadow memory

_ULONG = (1 << 64) - 1
#: Frames that are the access machinery, not the kernel function that made the access.
#: (``KUNIT_EXPECT_KASAN_FAIL`` is a macro: in the kernel the access is in the test function itself.)
_SKIP_NAMES = frozenset({"memset", "memcpy", "memmove", "__memset", "__memcpy", "call", "check", "read", "write",
                         "kasan_check_range", "<lambda>", "KUNIT_EXPECT_KASAN_FAIL"})


class _Report(Exception):
    """Internal: raised inside the checker's fast path to leave it for the slow one."""


class Kasan:
    """Generic KASAN for one booted kernel (see the module docstring).

    ``vmalloc`` says whether vmalloc space has real shadow (``CONFIG_KASAN_VMALLOC``,
    3c5c3cfb9ef4): without it the shadow of vmalloc space is the read-only zero
    page, so nothing there is ever reported.  With it, unused vmalloc space reads
    as ``KASAN_VMALLOC_INVALID`` (the shadow pages are filled with it when they
    are populated, and freed areas are poisoned with it).
    """

    def __init__(self, kernel: "Kernel", vmalloc: bool = False):
        self.kernel = kernel
        has = kernel.has
        self.dmesg = kernel.dmesg
        # -- shadow values of the era --------------------------------------------------
        self.KASAN_PAGE_FREE = 0xFF
        self.KASAN_PAGE_REDZONE = 0xFE
        self.KASAN_SLAB_REDZONE = 0xFC
        self.KASAN_SLAB_FREE = 0xFB
        freetrack = has(FREETRACK)
        self.KASAN_SLAB_FREE_META: int | None = 0xFA if freetrack else None
        self.KASAN_GLOBAL_REDZONE = 0xF9 if freetrack else 0xFA
        self.KASAN_VMALLOC_INVALID: int | None = None
        if has(KASAN_VMALLOC):
            self.KASAN_VMALLOC_INVALID = 0xF8 if freetrack else 0xF9
        # -- era flags (computed once) ---------------------------------------------------
        self.slab_uaf = has(SLAB_UAF)  # "slab-use-after-free", "freed"/"allocated" region
        self.header_v2 = has("v4.12")  # "BUG: KASAN: %s in %pS" + "... at addr %px by task"
        self.one_shot = has("v4.11")  # only the first report unless kasan_multi_shot
        self.checks_panic_on_warn = has("v4.10")
        self.panic_origin = has("v6.2")  # check_panic_on_warn("KASAN")
        self.hashed_p = has("v4.15") and not has("v4.16")  # %p hashed, before KASAN moved to %px [S]
        self.warn_unaligned = has("v5.12")  # kasan_poison: WARN_ON on an unaligned start or size
        self.vmap_info = has("v5.18")  # "The buggy address belongs to the virtual mapping at" [S release]
        self.vmalloc_dump_obj = has("v6.16")  # one line from vmalloc_dump_obj() [S release]
        self.free_split = has("v6.1")  # "double-free"/"invalid-free" + "Free of addr" [S release]
        self.detects_double_free = has("v4.8")  # kasan_slab_free checks the shadow [V 4.8.15; 4.6.2 has none]
        # -- boot parameters --------------------------------------------------------------
        cmd = kernel.cmdline
        self.fault = cmd.get("kasan.fault", "report")
        self.multi_shot = bool(cmd.get("kasan_multi_shot", False))
        self.panic_on_warn = bool(cmd.get("panic_on_warn", 0))
        self.reported = False
        self.reports = 0
        # -- vmalloc space -----------------------------------------------------------------
        self.vmalloc = bool(vmalloc and self.KASAN_VMALLOC_INVALID is not None)
        vm = kernel.subsystems.get("vmalloc")
        lo = getattr(vm, "VMALLOC_START", 0) or 0
        hi = getattr(vm, "VMALLOC_END", 0) or 0
        self.vm_lo, self.vm_hi = (lo, hi) if self.vmalloc else (0, 0)
        self._vm_start, self._vm_end = lo, hi  # vmalloc space, shadowed or not
        pa = kernel.subsystems.get("page_alloc")
        self.page_offset = getattr(pa, "page_offset", 0)
        self.direct_end = self.page_offset + (kernel.phys.size if kernel.phys is not None else 0)
        # -- the shadow: one entry per 4K page of memory that has any non-default shadow ----
        #: page index (addr >> 12) -> 512 shadow bytes (a shared ``bytes`` while uniform)
        self.shadow: dict[int, bytes | bytearray] = {}
        self._uniform: dict[int, bytes] = {}
        self._vm_default = self._page_of(self.KASAN_VMALLOC_INVALID) if self.vmalloc else None
        self._zero = self._page_of(0)
        self.checker = self._make_checker()
        kernel.counters.declare("kasan_reports")

    # -- shadow storage --------------------------------------------------------------------
    def _page_of(self, value: int) -> bytes:
        page = self._uniform.get(value)
        if page is None:
            page = self._uniform[value] = bytes([value]) * SHADOW_PER_PAGE
        return page

    def _default(self, key: int) -> bytes:
        """The shadow of a page nothing has written: 0, or VMALLOC_INVALID in shadowed vmalloc space."""
        if self._vm_default is not None and self.vm_lo <= key << PAGE_SHIFT < self.vm_hi:
            return self._vm_default
        return self._zero

    def _writable(self, key: int) -> bytearray:
        sh = self.shadow.get(key)
        if type(sh) is not bytearray:
            sh = self.shadow[key] = bytearray(sh if sh is not None else self._default(key))
        return sh

    def shadow_byte(self, addr: int) -> int:
        """The shadow byte of the granule holding ``addr`` (``*kasan_mem_to_shadow(addr)``)."""
        key = addr >> PAGE_SHIFT
        sh = self.shadow.get(key)
        if sh is None:
            sh = self._default(key)
        return sh[(addr & (PAGE_SIZE - 1)) >> KASAN_SHADOW_SCALE_SHIFT]

    def shadow_row(self, addr: int, n: int = META_BYTES_PER_ROW) -> bytes:
        """``n`` shadow bytes from the granule of ``addr`` on."""
        return bytes(self.shadow_byte(addr + i * KASAN_GRANULE_SIZE) for i in range(n))

    def _fill(self, first: int, last: int, value: int) -> None:
        """Set the shadow of granules ``first`` .. ``last - 1`` (granule numbers, addr >> 3) to ``value``."""
        shadow = self.shadow
        while first < last:
            key = first >> (PAGE_SHIFT - KASAN_SHADOW_SCALE_SHIFT)
            start = first & (SHADOW_PER_PAGE - 1)
            stop = min(SHADOW_PER_PAGE, start + (last - first))
            if start == 0 and stop == SHADOW_PER_PAGE:
                page = self._page_of(value)
                if page is self._default(key):
                    shadow.pop(key, None)
                else:
                    shadow[key] = page
            else:
                sh = self._writable(key)
                sh[start:stop] = bytes([value]) * (stop - start)
            first += stop - start

    def has_shadow(self, addr: int) -> bool:
        """Whether the model keeps real shadow for ``addr``: the direct map, and vmalloc space
        with ``CONFIG_KASAN_VMALLOC`` (elsewhere the shadow is the zero page: never reported)."""
        return self.page_offset <= addr < self.direct_end or self.vm_lo <= addr < self.vm_hi

    # -- poisoning (mm/kasan/shadow.c, common.c and kasan.c before them) --------------------------
    def kasan_poison(self, addr: int, size: int, value: int) -> None:
        """Set the shadow of ``[addr, addr + size)`` to ``value``.

        From v5.12 (``kasan_poison``) a start or size that is not granule-aligned
        is a ``WARN_ON`` and nothing is poisoned [V 5.12.9]; before, the shadow
        from the granule of ``addr`` up to the granule of ``addr + size``
        (exclusive) was set (``kasan_poison_shadow`` [V 5.4]), which also covers
        the valid head of an unaligned first granule.
        """
        if not self.has_shadow(addr):
            return
        if self.warn_unaligned:
            if addr & KASAN_GRANULE_MASK or size & KASAN_GRANULE_MASK:
                warn(self.kernel, "mm/kasan/shadow.c", "kasan_poison")
                return
        self._fill(addr >> KASAN_SHADOW_SCALE_SHIFT, (addr + size) >> KASAN_SHADOW_SCALE_SHIFT, value)

    def kasan_unpoison(self, addr: int, size: int) -> None:
        """Make ``[addr, addr + size)`` accessible; the last granule partly (generic mode).

        From v5.12 an unaligned ``addr`` is a ``WARN_ON`` and nothing is unpoisoned [V 5.12.9, 6.12].
        """
        if not self.has_shadow(addr):
            return
        if self.warn_unaligned and addr & KASAN_GRANULE_MASK:
            warn(self.kernel, "mm/kasan/shadow.c", "kasan_unpoison")
            return
        full = size & ~KASAN_GRANULE_MASK
        self._fill(addr >> KASAN_SHADOW_SCALE_SHIFT, (addr + full) >> KASAN_SHADOW_SCALE_SHIFT, 0)
        if size & KASAN_GRANULE_MASK:
            g = (addr + size) >> KASAN_SHADOW_SCALE_SHIFT
            self._fill(g, g + 1, size & KASAN_GRANULE_MASK)

    # -- the page allocator: kasan_alloc_pages / kasan_free_pages (0b24becc810d) ----------------
    def kasan_alloc_pages(self, addr: int, order: int) -> None:
        """A block handed out: its ``PAGE_SIZE << order`` bytes become accessible."""
        first = addr >> KASAN_SHADOW_SCALE_SHIFT
        self._fill(first, first + (SHADOW_PER_PAGE << order), 0)

    def kasan_free_pages(self, addr: int, order: int) -> None:
        """A block freed: poisoned with KASAN_PAGE_FREE (0xFF)."""
        first = addr >> KASAN_SHADOW_SCALE_SHIFT
        self._fill(first, first + (SHADOW_PER_PAGE << order), self.KASAN_PAGE_FREE)

    # -- vmalloc (3c5c3cfb9ef4; no-ops without CONFIG_KASAN_VMALLOC) --------------------------------
    def kasan_unpoison_vmalloc(self, start: int, size: int) -> int:
        """``kasan_unpoison_vmalloc(start, size, flags)``: ``kasan_unpoison`` of a vmalloc range.

        Returns ``start`` (the generic mode never retags a pointer).
        """
        if self.vm_lo <= start < self.vm_hi:
            self.kasan_unpoison(start, size)
        return start

    def kasan_poison_vmalloc(self, start: int, size: int) -> None:
        """``kasan_poison_vmalloc(start, size)``: VMALLOC_INVALID over ``size`` rounded up to a granule."""
        if self.vm_lo <= start < self.vm_hi:
            size = (size + KASAN_GRANULE_MASK) & ~KASAN_GRANULE_MASK
            self.kasan_poison(start, size, self.KASAN_VMALLOC_INVALID)  # type: ignore[arg-type]

    # -- slab objects (kasan_poison_slab, kasan_kmalloc, kasan_slab_free) ----------------------------
    def kasan_poison_slab(self, addr: int, size: int) -> None:
        """A new slab: all of it is red zone until objects are handed out."""
        self._fill(addr >> KASAN_SHADOW_SCALE_SHIFT, (addr + size) >> KASAN_SHADOW_SCALE_SHIFT,
                   self.KASAN_SLAB_REDZONE)

    def kasan_kmalloc(self, obj: int, size: int, object_size: int) -> None:
        """An object handed out for ``size`` bytes: those accessible, the rest of the object red zone."""
        self.kasan_unpoison(obj, size)
        start = (obj + size + KASAN_GRANULE_MASK) & ~KASAN_GRANULE_MASK
        end = (obj + object_size + KASAN_GRANULE_MASK) & ~KASAN_GRANULE_MASK
        if end > start:
            self._fill(start >> KASAN_SHADOW_SCALE_SHIFT, end >> KASAN_SHADOW_SCALE_SHIFT, self.KASAN_SLAB_REDZONE)

    def kasan_kmalloc_large(self, addr: int, size: int, order: int) -> None:
        """``kmalloc_large``: ``size`` bytes accessible, the rest of the pages KASAN_PAGE_REDZONE."""
        self.kasan_unpoison(addr, size)
        start = (addr + size + KASAN_GRANULE_MASK) & ~KASAN_GRANULE_MASK
        end = addr + (PAGE_SIZE << order)
        if end > start:
            self._fill(start >> KASAN_SHADOW_SCALE_SHIFT, end >> KASAN_SHADOW_SCALE_SHIFT, self.KASAN_PAGE_REDZONE)

    def kasan_slab_free(self, obj: int, nearest: int, object_size: int) -> bool:
        """``kasan_slab_free``: True when the free must not go on (an invalid or double free, reported).

        Double frees are caught from v4.8 (the shadow of a freed object is not accessible); from
        v4.12 a pointer that is not an object's start is an invalid free.  A good free poisons the
        object with KASAN_SLAB_FREE, its first granule with the free-meta value where the era
        keeps free metadata (e4b7818b9aa8).
        """
        if self.detects_double_free:
            if obj != nearest and self.header_v2:
                self.kasan_report_invalid_free(obj, "invalid-free")
                return True
            if self.shadow_byte(obj) >= KASAN_GRANULE_SIZE:
                self.kasan_report_invalid_free(obj, "double-free")
                return True
        end = (obj + object_size + KASAN_GRANULE_MASK) & ~KASAN_GRANULE_MASK
        self._fill(obj >> KASAN_SHADOW_SCALE_SHIFT, end >> KASAN_SHADOW_SCALE_SHIFT, self.KASAN_SLAB_FREE)
        if self.KASAN_SLAB_FREE_META is not None:
            g = obj >> KASAN_SHADOW_SCALE_SHIFT
            self._fill(g, g + 1, self.KASAN_SLAB_FREE_META)
        return False

    def kasan_report_invalid_free(self, ptr: int, kind: str) -> None:
        """The report of a double or invalid free, in the era's layout."""
        self.kernel.counters["kasan_reports"] += 1
        if not self._report_enabled():
            return
        self.reports += 1
        ip = caller(_FREE_PATH)
        lines = [BANNER]
        if not self.header_v2:  # 4.8-4.11: kasan_report_double_free (the object dump is left out)
            lines.append("BUG: Double free or freeing an invalid pointer")
            lines.append(f"Unexpected shadow byte: 0x{self.shadow_byte(ptr):02X}")
        else:
            if self.free_split:
                lines.append(f"BUG: KASAN: {kind} in {ip}")
                lines.append(f"Free of addr {self.ptr(ptr)} by task {COMM}/{PID}")
            else:
                lines.append(f"BUG: KASAN: double-free or invalid-free in {ip}")
            lines.append("")
            lines.extend(self.describe_address(ptr, kind))
            if lines[-1] != "":
                lines.append("")
            lines.extend(self.memory_state(ptr))
        lines.append(BANNER)
        self.dmesg.printk("\n".join(lines))
        self.end_report(True)

    def describe_object(self, addr: int, kind: str) -> list[str]:
        """``describe_object_addr``: the slab object ``addr`` is in or near (v4.12 on)."""
        find = getattr(self.kernel.subsystems.get("slab"), "kasan_object", None)
        got = find(addr) if find is not None else None
        if got is None:
            return []
        name, object_size, obj = got
        alloc_size = object_size
        state = ""
        if self.slab_uaf:  # 0e301731f558: the size asked for, read from the shadow; the region's state
            size = 0
            while size < object_size:
                v = self.shadow_byte(obj + size)
                if v == 0:
                    size += KASAN_GRANULE_SIZE
                elif v < KASAN_GRANULE_SIZE:
                    size += v
                    break
                else:
                    break
            alloc_size = min(size, object_size) or object_size
            state = {"slab-out-of-bounds": "allocated ", "slab-use-after-free": "freed "}.get(kind, "")
        if addr < obj:
            rel, where = obj - addr, "to the left"
        elif addr >= obj + alloc_size:
            rel, where = addr - (obj + alloc_size), "to the right"
        else:
            rel, where = addr - obj, "inside"
        return [f"The buggy address belongs to the object at {self.ptr(obj)}",
                f" which belongs to the cache {name} of size {object_size}",
                f"The buggy address is located {rel} bytes {where} of",
                f" {state}{alloc_size}-byte region [{self.ptr(obj)}, {self.ptr(obj + alloc_size)})",
                ""]

    # the vmalloc plugin's hooks (``vmalloc.kasan``): the kernel's calls in __vmalloc_node_range
    # and remove_vm_area, given the vm_struct
    def populate_vmalloc(self, vm: Any) -> None:
        """``kasan_populate_vmalloc``: new shadow pages read VMALLOC_INVALID (here, by default)."""

    def unpoison_vmalloc(self, vm: Any) -> None:
        """``__vmalloc_node_range``: the requested bytes of a new area become accessible."""
        self.kasan_unpoison_vmalloc(vm.addr, vm.requested_size)

    def poison_vmalloc(self, vm: Any) -> None:
        """``remove_vm_area``: the whole area (guard page excluded) is VMALLOC_INVALID again."""
        self.kasan_poison_vmalloc(vm.addr, vm.size)

    # -- the check ------------------------------------------------------------------------------
    def _make_checker(self) -> Callable[[int, int, bool], None]:
        """The function ``kernel.memory`` calls before every access (``kasan_check_range``).

        Its common case -- an access inside one page whose shadow is all zero or
        absent -- is two dict lookups and a slice; anything else goes to
        :meth:`check_range`, which decides exactly as ``memory_is_poisoned``.
        """
        get = self.shadow.get
        lo, hi = self.vm_lo, self.vm_hi
        slow = self.check_range

        def kasan_check_range(addr: int, size: int, write: bool) -> None:
            if size <= 0:
                return
            key = addr >> PAGE_SHIFT
            if (addr + size - 1) >> PAGE_SHIFT == key:
                sh = get(key)
                if sh is None:
                    if not lo <= addr < hi:
                        return
                else:
                    first = (addr & (PAGE_SIZE - 1)) >> KASAN_SHADOW_SCALE_SHIFT
                    last = ((addr + size - 1) & (PAGE_SIZE - 1)) >> KASAN_SHADOW_SCALE_SHIFT
                    if sh.count(0, first, last + 1) == last + 1 - first:
                        return
            slow(addr, size, write)

        return kasan_check_range

    def memory_is_poisoned(self, addr: int, size: int) -> bool:
        """Whether an access of ``size`` bytes at ``addr`` touches a poisoned byte (generic mode)."""
        if not self.has_shadow(addr):
            return False
        end = addr + size
        g = addr & ~KASAN_GRANULE_MASK
        while g < end:
            v = self.shadow_byte(g)
            if v:
                if v >= KASAN_GRANULE_SIZE:
                    return True
                # 1..7: only the first v bytes of this granule are valid
                if min(end, g + KASAN_GRANULE_SIZE) - g > v:
                    return True
            g += KASAN_GRANULE_SIZE
        return False

    def check_range(self, addr: int, size: int, write: bool) -> None:
        """The slow half of the checker: report a bad access."""
        if self.memory_is_poisoned(addr, size):
            self.kasan_report(addr, size, write, caller())

    # -- reports ----------------------------------------------------------------------------------
    def ptr(self, addr: int) -> str:
        """``%px`` (and ``%p`` up to 4.14): 16 hex digits; v4.15 hashed ``%p`` [S] (keyed by the seed)."""
        if self.hashed_p:
            key = self.kernel.seed.to_bytes(8, "little", signed=True)
            digest = hashlib.blake2b(addr.to_bytes(8, "little"), key=key, digest_size=4).digest()
            return f"{int.from_bytes(digest, 'little'):016x}"
        return f"{addr & _ULONG:016x}"

    def find_first_bad_addr(self, addr: int, size: int) -> int:
        """``kasan_find_first_bad_addr``: step a granule at a time from ``addr`` to a non-zero shadow."""
        p = addr
        while p < addr + size and not self.shadow_byte(p):
            p += KASAN_GRANULE_SIZE
        return p

    def bug_type(self, first_bad: int) -> str:
        """``get_shadow_bug_type`` of the era, from the shadow at the first bad address."""
        v = self.shadow_byte(first_bad)
        if 0 < v < KASAN_GRANULE_SIZE:
            v = self.shadow_byte(first_bad + KASAN_GRANULE_SIZE)
        if v < KASAN_GRANULE_SIZE:
            return "out-of-bounds"
        if v in (self.KASAN_PAGE_REDZONE, self.KASAN_SLAB_REDZONE):
            return "slab-out-of-bounds"
        if v == self.KASAN_GLOBAL_REDZONE:
            return "global-out-of-bounds"
        if v == self.KASAN_PAGE_FREE:
            return "use-after-free"
        if v == self.KASAN_SLAB_FREE or (self.KASAN_SLAB_FREE_META is not None and v == self.KASAN_SLAB_FREE_META):
            return "slab-use-after-free" if self.slab_uaf else "use-after-free"
        if self.KASAN_VMALLOC_INVALID is not None and v == self.KASAN_VMALLOC_INVALID:
            return "vmalloc-out-of-bounds"
        if v in (0xF1, 0xF2, 0xF3, 0xF4):
            return "stack-out-of-bounds"
        if v in (0xCA, 0xCB):
            return "alloca-out-of-bounds"
        return "unknown-crash"

    def _report_enabled(self) -> bool:
        if not self.one_shot or self.multi_shot:
            return True
        if self.reported:
            return False
        self.reported = True
        return True

    def kasan_report(self, addr: int, size: int, write: bool, ip: str) -> None:
        """``kasan_report``: print the era's report; then carry on, or panic as the command line asks."""
        self.kernel.counters["kasan_reports"] += 1
        if not self._report_enabled():
            return
        self.reports += 1
        lines = [BANNER]
        first_bad = self.find_first_bad_addr(addr, size)
        kind = self.bug_type(first_bad)
        rw = "Write" if write else "Read"
        if self.header_v2:
            lines.append(f"BUG: KASAN: {kind} in {ip}")
            lines.append(f"{rw} of size {size} at addr {self.ptr(addr)} by task {COMM}/{PID}")
        else:
            lines.append(f"BUG: KASAN: {kind} in {ip} at addr {self.ptr(addr)}")
            lines.append(f"{rw} of size {size} by task {COMM}/{PID}")
        if self.header_v2:
            # print_report's blank line; then the address description, whose sections
            # (and the physical page's, which the model leaves out) end with a blank line
            lines.append("")
            lines.extend(self.describe_address(addr, kind))
            if lines[-1] != "":
                lines.append("")
        lines.extend(self.memory_state(first_bad))
        lines.append(BANNER)
        self.dmesg.printk("\n".join(lines))
        self.end_report(write)

    def describe_address(self, addr: int, kind: str = "") -> list[str]:
        """The lines naming what the buggy address belongs to (slab object, vmalloc mapping)."""
        out: list[str] = []
        if self.header_v2:
            out.extend(self.describe_object(addr, kind))
        if self.vmap_info and self._vm_start <= addr < self._vm_end:
            vm = self._find_vm_area(addr)
            if self.vmalloc_dump_obj:
                if vm is not None:
                    out.append(f"The buggy address belongs to a {vm.nr_pages}-page vmalloc region starting at "
                               f"{vm.addr:#x} allocated at {vm.caller or '0x0'}")
                else:
                    out.append("The buggy address belongs to a vmalloc virtual mapping")
            elif vm is not None:
                out.append("The buggy address belongs to the virtual mapping at")
                out.append(f" [{self.ptr(vm.addr)}, {self.ptr(vm.addr + vm.size)}) created by:")
                out.append(f" {vm.caller or '0x0'}")
                out.append("")
        return out

    def _find_vm_area(self, addr: int) -> Any:
        """The ``vm_struct`` whose area (guard page included) holds ``addr``, as the kernel's
        ``find_vm_area`` finds it for any address inside."""
        vmalloc = self.kernel.subsystems.get("vmalloc")
        for va in list(getattr(vmalloc, "busy_by_addr", {}).values()):
            vm = getattr(va, "vm", None)
            if vm is not None and va.va_start <= addr < va.va_end:
                return vm
        find = getattr(vmalloc, "find_vm_area", None)
        try:
            return find(addr) if find is not None else None
        except Exception:  # an address that era's find_vm_area() refuses
            return None

    def memory_state(self, first_bad: int) -> list[str]:
        """``print_memory_metadata``: five rows of 16 shadow bytes, a caret under the bad one."""
        out = ["Memory state around the buggy address:"]
        row = (first_bad & ~(META_MEM_BYTES_PER_ROW - 1)) - META_ROWS_AROUND_ADDR * META_MEM_BYTES_PER_ROW
        for i in range(-META_ROWS_AROUND_ADDR, META_ROWS_AROUND_ADDR + 1):
            data = " ".join(f"{b:02x}" for b in self.shadow_row(row))
            out.append(f"{'>' if i == 0 else ' '}{self.ptr(row)}: {data}")
            if row <= first_bad < row + META_MEM_BYTES_PER_ROW:
                offset = 3 + 16 + (first_bad - row) // KASAN_GRANULE_SIZE * 3 + 1
                out.append(" " * (offset - 1) + "^")
            row += META_MEM_BYTES_PER_ROW
        return out

    def end_report(self, write: bool) -> None:
        """``end_report``: panic_on_warn (unless multi-shot), then ``kasan.fault``."""
        kernel = self.kernel
        if self.checks_panic_on_warn and self.panic_on_warn and not self.multi_shot:
            kernel.panic("KASAN: panic_on_warn set ..." if self.panic_origin else "panic_on_warn set ...")
        if self.fault == "panic":
            kernel.panic("kasan.fault=panic set ...")
        if self.fault == "panic_on_write" and write:
            kernel.panic("kasan.fault=panic_on_write set ...")

    def attach(self) -> None:
        """Register the checker with ``kernel.memory`` (called once at boot)."""
        memory = self.kernel.memory
        if memory is not None and self.checker not in memory.checkers:
            memory.checkers.append(self.checker)


#: The free path of the allocators: a free report names the function that called ``kfree``.
_FREE_PATH = frozenset({"kfree", "kfree_slow", "slab_free", "__slab_free", "do_slab_free", "kmem_cache_free",
                        "kmem_cache_free_slow", "cache_free", "kfree_sensitive", "kvfree", "kvfree_sensitive"})


def caller(skip: frozenset[str] = frozenset()) -> str:
    """The kernel function that made the access: the first frame outside the access machinery."""
    frame = sys._getframe(1)
    here = __file__
    while frame is not None:
        code = frame.f_code
        name = code.co_name
        fname = code.co_filename
        if fname != here and not fname.endswith(("machine/memory.py", "machine\\memory.py")) \
                and name not in _SKIP_NAMES and name not in skip:
            return name
        frame = frame.f_back
    return "0x0"


def memset(kernel: "Kernel", addr: int, value: int, n: int) -> None:
    """Kernel ``memset``: a checked write of ``n`` bytes (the report names memset's caller)."""
    if n > 0:
        kernel.memory.write(addr, bytes([value]) * n)


def memcpy(kernel: "Kernel", dst: int, src: int, n: int) -> None:
    """Kernel ``memcpy``: a checked read of the source and a checked write of the destination."""
    if n > 0:
        memory = kernel.memory
        memory.write(dst, memory.read(src, n))

