"""vmalloc before 2.6.28: the address-sorted ``vmlist`` and a TLB flush on every free.

Three implementations, each read in its own era's ``mm/vmalloc.c``
(docs/sources.md lists the trees):

``vmlist-1.0`` (v1.0 to v2.0, i386)
    No lock, no ``get_vm_area``: ``vmalloc`` itself walks ``vmlist`` first-fit
    from ``VMALLOC_START = (high_memory + 8M) & ~(8M - 1)`` and stops at the
    first entry with ``size + addr < tmp->addr``; the area is ``size`` plus a
    guard page.  **There is no check against any end**: the model refuses a
    placement that would leave the 1 GB kernel segment (the kernel would have
    written past ``swapper_pg_dir``).  ``vmalloc(0)`` and sizes above
    ``high_memory`` return NULL [V: 1.0, 1.1/1.2 and 1.3 copies].
    1.0 and 1.2 (``do_area`` with ``alloc_area_pages``/``free_area_pages``)
    take each page with ``get_free_page`` (cleared) and ``invalidate()`` the
    TLB after filling each page table; ``vfree`` flushes only when it frees a
    page table that became empty [V 1.0 kalamangga-net/linux-1.0; the 1.2-style
    copy is unidentified, S].  2.0 (the 1.3 copy) takes pages with
    ``__get_free_page`` (not cleared) and flushes once per ``vmalloc`` and once
    per ``vfree`` [V text, S release]; on an SMP 2.0 a flush is ``flush_tlb_all``,
    an IPI to every other CPU [S].
``vmlist-2.2`` (v2.2.0 to v2.6.0, i386, ``PAGE_OFFSET`` 0xC0000000)
    2.2: ``get_vm_area(size)`` adds the end check -- before stepping past an
    entry it fails if ``addr > VMALLOC_END - size`` (so an empty list is never
    checked) -- ``VMALLOC_START = (high_memory + 8M) & ~(8M - 1)``,
    ``VMALLOC_END = FIXADDR_START``; ``vmalloc`` rejects 0 and sizes above
    ``max_mapnr`` pages; ``__get_free_page`` per page; ``flush_tlb_all`` after
    mapping and after unmapping [V 2.2.1 linas/i370-linux-2.2.1].
    2.4: ``vmlist_lock`` (Tigran Aivazian, May 2000) -- a rwlock the model
    has no contention for; ``get_vm_area(size, flags)`` checks for
    wrap-around and checks ``addr > VMALLOC_END - size`` after each step;
    ``VMALLOC_START = (high_memory + 2*8M - 1) & ~(8M - 1)``; ``__vmalloc(size,
    gfp, prot)`` does ``BUG()`` on a size of 0 or above ``num_physpages`` pages;
    ``vmalloc_32``; ``alloc_page(gfp)`` per page, ``__free_page`` on free
    [V 2.4.0 rivsidn/linux-2.4.0].
``vmlist-2.6`` (v2.6.0 to db64fe02258f, x86-64)
    ``__get_vm_area_node``: first-fit over ``vmlist`` (entries below ``addr``
    push it on only if they overlap), a guard page, ``addr > end - size``
    after each step, ``allocation failed: out of vmalloc space - use
    vmalloc=<size> to increase size.`` on failure; ``__vmalloc_area_node``
    with a vmalloc'ed page array above one page (``VM_VPAGES``); and
    ``unmap_vm_area``'s synchronous ``flush_tlb_kernel_range`` on every
    ``vfree``/``vunmap`` -- ``flush_tlb_all`` on x86: one flush and an IPI to
    every other CPU [V 2.6.20 sagsango/linux-2.6.20].

Costs the counters show: ``vmap_steps`` counts the ``vmlist`` entries the
first-fit walk examines per allocation, ``vmlist_steps`` the entries the
linear searches of ``vfree`` and ``vmalloc_user`` pass; from 2.6.0 the
``vmlist_lock`` counter counts the acquisitions of the lock (every reservation,
removal and lookup) and ``lock_handoffs`` those by another CPU than the last.  (A prefix of areas
packed from ``VMALLOC_START`` is skipped in one step of Python and counted
entry by entry, so the O(n) walk of the kernel is counted without being
slow to run.)
"""

from __future__ import annotations

from bisect import bisect_left
from typing import TYPE_CHECKING, Any

from linuxmm import hookimpl
from linuxmm.errors import LinuxmmError, NotInThisKernel
from linuxmm.gfp import GFP_KERNEL
from linuxmm.records import Implementation

from .mm_vmalloc import (API, NUMA_NO_NODE, PAGE_MASK, PAGE_SHIFT, PAGE_SIZE, VM_ALLOC, VM_MAP, VM_USERMAP,
                         VM_VPAGES, VmallocBase, VmStruct, _GFP_HIGHMEM, _GFP_ZERO)

if TYPE_CHECKING:  # pragma: no cover
    from linuxmm.kernel import Kernel

_U32 = 0xFFFFFFFF
VMALLOC_OFFSET = 8 << 20


class VmlistVmalloc(VmallocBase):
    """The machinery the ``vmlist`` eras share: the sorted list, its searches, the API glue."""

    def __init__(self, kernel: "Kernel"):
        super().__init__(kernel)
        self.vmlist: list[VmStruct] = []
        self._starts: list[int] = []  # vmlist's addresses, for bisect
        self._packed = 0  # vmlist[:_packed] lie back to back from VMALLOC_START

    # -- the list -----------------------------------------------------------------
    def _link(self, i: int, area: VmStruct) -> None:
        """Insert ``area`` at index ``i`` (``area->next = *p; *p = area``)."""
        vmlist, starts = self.vmlist, self._starts
        vmlist.insert(i, area)
        starts.insert(i, area.addr)
        k = self._packed
        if i == k:
            prev_end = self.VMALLOC_START if k == 0 else vmlist[k - 1].addr + vmlist[k - 1].size
            n = len(vmlist)
            while k < n and vmlist[k].addr == prev_end:
                prev_end = vmlist[k].addr + vmlist[k].size
                k += 1
            self._packed = k

    def _unlink(self, i: int) -> VmStruct:
        area = self.vmlist.pop(i)
        del self._starts[i]
        if i < self._packed:
            self._packed = i
        return area

    def _find(self, addr: int) -> int:
        """Index of the entry starting at ``addr`` (-1 if none); counts the linear search's steps."""
        i = bisect_left(self._starts, addr)
        if i < len(self._starts) and self._starts[i] == addr:
            self.counters["vmlist_steps"] += i + 1
            return i
        self.counters["vmlist_steps"] += len(self._starts)
        return -1

    def areas(self) -> list[tuple[int, int]]:
        return [(a.addr, a.addr + a.size) for a in self.vmlist]

    def mapped_pages(self) -> int:
        return sum(a.nr_pages for a in self.vmlist)

    def live_vms(self) -> list[VmStruct]:
        return list(self.vmlist)

    def info_entries(self) -> list[tuple[str, Any]]:
        """What /proc/vmallocinfo walks: ``vmlist`` in address order (2.6.26 on)."""
        return [("vm", a) for a in self.vmlist]

    def find_vm_area(self, addr: int) -> VmStruct | None:
        """The live area starting at ``addr`` (2.6's ``__find_vm_area``: a linear walk), or None."""
        addr = self._check_addr(addr, "find_vm_area")
        self._lock("vmlist_lock")
        i = self._find(addr)
        return self.vmlist[i] if i >= 0 else None

    def _check_addr(self, addr: Any, func: str) -> int:
        if type(addr) is not int or addr < 0 or addr > 0xFFFFFFFFFFFFFFFF:
            from linuxmm.checks import check_addr
            addr = check_addr(addr, func)
        return addr

    # -- page tables ------------------------------------------------------------------
    def _map(self, addr: int, pfns: list[int]) -> None:
        self.pt.map_pages(addr, pfns)

    def _page_gone(self, addr: int, end: int) -> None:
        """A placement the era's code does not catch, past the space it may map: the model refuses."""
        what = "the 1 GB kernel segment" if self.arch == "i386" and not self.kernel.has("v2.2.0") else \
            f"VMALLOC_END ({self.VMALLOC_END:#x})"
        raise LinuxmmError(
            f"vmalloc: {self.kernel.version} would place an area at {addr:#x}-{end:#x}, past {what}: it "
            f"does not check this placement and would map over what lies beyond; the model refuses")

    # -- vmalloc's core, per era (subclasses) -------------------------------------------
    def vfree(self, addr: int) -> None:
        """``vfree(addr)`` of 1.0 to 2.4: unlink, unmap and free the pages, then the era's flush
        (:meth:`_vfree_flush`, given what ``clear_range`` emptied)."""
        if type(addr) is not int or addr < 0 or addr >> 64:
            addr = self._check_addr(addr, "vfree")
        if not addr:
            return
        self.counters["vfree_calls"] += 1
        if addr & (PAGE_SIZE - 1):
            self.dmesg.printk(f"Trying to vfree() bad address ({self.ptr(addr)})")
            return
        i = self._find(addr)
        if i < 0:
            self.dmesg.printk(f"Trying to vfree() nonexistent vm area ({self.ptr(addr)})")
            return
        area = self._unlink(i)
        emptied = self.pt.clear_range(area.addr, area.addr + area.size)
        free_page, page_addr = self._free_page, self.page_addr
        for pfn in area.pages or ():
            free_page(page_addr(pfn))
        self.nr_vmalloc_pages -= area.nr_pages
        self.counters["vmalloc_pages_freed"] += area.nr_pages
        self._vfree_flush(emptied)

    def meminfo(self) -> dict[str, int]:
        """VmallocTotal/Used/Chunk as ``get_vmalloc_info`` computed them from ``vmlist`` (from 2.6.0 [S]).

        Used is the sum of the areas' sizes, guard pages included; Chunk is the
        largest gap between ``VMALLOC_START``, the areas and ``VMALLOC_END``.
        Before 2.6 /proc/meminfo had no Vmalloc lines [S]: nothing is returned.
        """
        if not self.kernel.has("v2.6.0"):
            return {}
        start, end = self.VMALLOC_START, self.VMALLOC_END
        used = largest = 0
        prev_end = start
        for area in self.vmlist:
            addr = area.addr
            if addr < start:
                continue
            if addr >= end:
                break
            used += area.size
            if addr - prev_end > largest:
                largest = addr - prev_end
            prev_end = addr + area.size
        if end - prev_end > largest:
            largest = end - prev_end
        return {"VmallocTotal": (end - start) >> 10, "VmallocUsed": used >> 10, "VmallocChunk": largest >> 10}


# ==========================================================================================
# 1.0 to 2.0
# ==========================================================================================
class Vmlist10(VmlistVmalloc):
    """``mm/vmalloc.c`` of 1.0, 1.2 and 2.0 (see the module docstring)."""

    arch = "i386"
    pointer_bytes = 4

    def __init__(self, kernel: "Kernel"):
        super().__init__(kernel)
        self.era20 = kernel.has("v2.0")
        pa = self.pa
        self.high_memory = getattr(pa, "high_memory", pa.page_offset + (pa.nr_pages << PAGE_SHIFT))
        self.VMALLOC_START = (self.high_memory + VMALLOC_OFFSET) & ~(VMALLOC_OFFSET - 1)
        # No VMALLOC_END: the kernel segment is 1 GB; pgd entries past it are not page-directory
        # entries any more.  The model maps up to there and refuses beyond.
        self.VMALLOC_END = 1 << 30
        self.setup_pagetable(self.VMALLOC_START, self.VMALLOC_END, 22)

    def _bind_page_alloc(self) -> None:
        if self.kernel.has("v2.0"):
            self._get_page = self._pa_call("__get_free_page")  # the 1.3/2.0 copy
        else:
            self._get_page = self._pa_call("get_free_page")  # 1.0 and 1.2: cleared pages
        self._free_page = self._pa_call("free_page")

    def _flush(self) -> None:
        """``invalidate()``: the whole TLB (on an SMP 2.0, every CPU's) [S]."""
        self.kernel.flush_tlb_all()

    def vmalloc(self, size: int) -> int:
        """``vmalloc(size)``: the area's address, or 0 (NULL)."""
        if type(size) is not int or size < 0 or size >> 64:
            size = self._check_size(size, "vmalloc")
        self.counters["vmalloc_calls"] += 1
        size = page_align32(size)
        if not size or size > self.high_memory:
            return 0
        # first fit from VMALLOC_START; no end check
        vmlist = self.vmlist
        k = self._packed
        addr = self.VMALLOC_START if k == 0 else vmlist[k - 1].addr + vmlist[k - 1].size
        steps = k
        i = k
        n = len(vmlist)
        while i < n:
            tmp = vmlist[i]
            steps += 1
            if size + addr < tmp.addr:
                break
            addr = tmp.addr + tmp.size
            i += 1
        self.counters["vmap_steps"] += steps
        if addr + size + PAGE_SIZE > self.VMALLOC_END:
            self._page_gone(addr, addr + size + PAGE_SIZE)
        area = VmStruct(addr, size + PAGE_SIZE, 0, self.caller)
        area.requested_size = size
        self._link(i, area)
        # do_area(addr, size, alloc_area_pages): page by page, one page table at a time
        get_page, pfns = self._get_page, []
        area.pages = pfns
        ok = True
        for _ in range(size >> PAGE_SHIFT):
            page = get_page(GFP_KERNEL)
            if not page:
                ok = False
                break
            pfns.append(self.pfn_of(page))
        area.nr_pages = len(pfns)
        self.nr_vmalloc_pages += len(pfns)
        self.counters["vmalloc_pages_allocated"] += len(pfns)
        self._map(addr, pfns)
        if self.era20:
            if ok:
                self._flush()  # one invalidate() after the whole range
        else:
            # do_area calls alloc_area_pages once per page table; each one that completes
            # ends with invalidate(), the one that runs out of pages returns before it
            if ok:
                chunks = _tables_touched(addr, len(pfns), 22)
            else:
                chunks = ((addr + (len(pfns) << PAGE_SHIFT)) >> 22) - (addr >> 22)
            for _ in range(chunks):
                self._flush()
        if not ok:
            self.vfree(addr)
            return 0
        return addr

    def _vfree_flush(self, emptied: Any) -> None:
        """1.3/2.0 flush after every ``vfree``; 1.0 and 1.2 only for each page table it emptied."""
        if self.era20:
            self._flush()
        else:
            for _ in emptied:  # free_area_pages flushes only when it frees a page table
                self._flush()

def page_align32(size: int) -> int:
    return ((size + PAGE_SIZE - 1) & PAGE_MASK) & _U32 if size < (1 << 32) else (size + PAGE_SIZE - 1) & PAGE_MASK


def _tables_touched(addr: int, nr: int, shift: int) -> int:
    """Page tables ``[addr, addr + nr pages)`` spans (``do_area`` calls its function once per table)."""
    if nr <= 0:
        return 0
    return ((addr + (nr << PAGE_SHIFT) - 1) >> shift) - (addr >> shift) + 1


# ==========================================================================================
# 2.2 and 2.4
# ==========================================================================================
class Vmlist22(VmlistVmalloc):
    """``mm/vmalloc.c`` of 2.2.1 and 2.4.0 (see the module docstring)."""

    arch = "i386"
    pointer_bytes = 4

    def __init__(self, kernel: "Kernel"):
        super().__init__(kernel)
        self.era24 = kernel.has("v2.4.0")
        pa = self.pa
        if self.era24:
            self.high_memory = pa.page_offset + (pa.max_low_pfn << PAGE_SHIFT)
            self.VMALLOC_START = (self.high_memory + 2 * VMALLOC_OFFSET - 1) & ~(VMALLOC_OFFSET - 1)
            self.num_physpages = pa.nr_pages
        else:
            self.high_memory = pa.page_offset + (pa.nr_pages << PAGE_SHIFT)
            self.VMALLOC_START = (self.high_memory + VMALLOC_OFFSET) & ~(VMALLOC_OFFSET - 1)
            self.max_mapnr = pa.nr_pages
        # FIXADDR_START = FIXADDR_TOP (0xffffe000) - the fixmap: the model's kernel is built UP for one
        # CPU (no fixmap entries) and SMP for more (the local APIC and IO-APIC pages) [S: model choice;
        # 2.4's HIGHMEM kmap slots are not counted].
        fixmap = 2 if kernel.nr_cpus > 1 else 0
        self.VMALLOC_END = 0xFFFFE000 - (fixmap << PAGE_SHIFT)
        self.setup_pagetable(self.VMALLOC_START, self.VMALLOC_END, 22)

    def _bind_page_alloc(self) -> None:
        if self.kernel.has("v2.4.0"):
            self._alloc_page = self._pa_call("alloc_page")
            self._free_page = self._pa_call("__free_page")
        else:
            self._get_page = self._pa_call("__get_free_page")
            self._free_page = self._pa_call("free_page")

    def get_vm_area(self, size: int) -> VmStruct | None:
        """``get_vm_area``: first fit with 2.2's or 2.4's end check; None when nothing fits."""
        vmlist = self.vmlist
        end = self.VMALLOC_END
        k = self._packed
        if self.era24:
            size += PAGE_SIZE
            # packed entries: the check after each step fails at the first entry ending past end - size
            if k and vmlist[k - 1].addr + vmlist[k - 1].size > end - size:
                j = next(j for j in range(k) if vmlist[j].addr + vmlist[j].size > end - size)
                self.counters["vmap_steps"] += j + 1
                return None
        else:
            # packed entries: the check before each step fails at the first entry starting past end - size
            if k and vmlist[k - 1].addr > end - size:
                j = next(j for j in range(k) if vmlist[j].addr > end - size)
                self.counters["vmap_steps"] += j + 1
                return None
        addr = self.VMALLOC_START if k == 0 else vmlist[k - 1].addr + vmlist[k - 1].size
        steps = k
        i, n = k, len(vmlist)
        while i < n:
            tmp = vmlist[i]
            steps += 1
            if self.era24:
                if (size + addr) & _U32 < addr:  # wrap-around
                    self.counters["vmap_steps"] += steps
                    return None
                if size + addr < tmp.addr:
                    break
                addr = tmp.addr + tmp.size
                if addr > end - size:
                    self.counters["vmap_steps"] += steps
                    return None
            else:
                if (size + addr) & _U32 < tmp.addr:
                    break
                if addr > end - size:
                    self.counters["vmap_steps"] += steps
                    return None
                addr = tmp.addr + tmp.size
            i += 1
        self.counters["vmap_steps"] += steps
        total = size if self.era24 else size + PAGE_SIZE
        if addr + total > self.VMALLOC_END:  # an empty list is never checked, nor a wrapped sum (2.2)
            self._page_gone(addr, addr + total)
        area = VmStruct(addr, total, VM_ALLOC, self.caller)
        self._link(i, area)
        return area

    def vmalloc_(self, size: int, gfp: int) -> int:
        """2.4's ``__vmalloc(size, gfp_mask, prot)``."""
        from linuxmm.checks import check_gfp
        size = self._check_size(size, "__vmalloc")
        gfp = check_gfp(gfp, "__vmalloc")
        return self._vmalloc(size, gfp)

    def vmalloc(self, size: int) -> int:
        """``vmalloc(size)`` (2.4: ``__vmalloc(size, GFP_KERNEL | __GFP_HIGHMEM, PAGE_KERNEL)``)."""
        if type(size) is not int or size < 0 or size >> 64:
            size = self._check_size(size, "vmalloc")
        return self._vmalloc(size, GFP_KERNEL | _GFP_HIGHMEM)

    def vmalloc_32(self, size: int) -> int:
        """2.4's ``vmalloc_32(size)``: ``__vmalloc(size, GFP_KERNEL, PAGE_KERNEL)``."""
        size = self._check_size(size, "vmalloc_32")
        return self._vmalloc(size, GFP_KERNEL)

    def _vmalloc(self, size: int, gfp: int) -> int:
        self.counters["vmalloc_calls"] += 1
        size = page_align32(size)
        if self.era24:
            if not size or size >> PAGE_SHIFT > self.num_physpages:
                self.kernel.bug("vmalloc.c")  # 2.4.0 __vmalloc: BUG() (2.4 builds name the file alone)
        elif not size or size > self.max_mapnr << PAGE_SHIFT:
            return 0
        area = self.get_vm_area(size)
        if area is None:
            return 0
        area.requested_size = size
        addr = area.addr
        pfns: list[int] = []
        area.pages = pfns
        ok = True
        for _ in range(size >> PAGE_SHIFT):
            page = self._alloc_page(gfp) if self.era24 else self._get_page(GFP_KERNEL)
            if not page:
                ok = False
                break
            pfns.append(self.pfn_of(page))
        area.nr_pages = len(pfns)
        self.nr_vmalloc_pages += len(pfns)
        self.counters["vmalloc_pages_allocated"] += len(pfns)
        self._map(addr, pfns)
        if ok or self.era24:  # 2.2 returns before its flush on failure; 2.4.0 flushes either way
            self.kernel.flush_tlb_all()
        if not ok:
            self.vfree(addr)
            return 0
        return addr

    def _vfree_flush(self, emptied: Any) -> None:
        """``vfree`` ends with ``flush_tlb_all()``."""
        self.kernel.flush_tlb_all()


# ==========================================================================================
# 2.6.0 to 2.6.27
# ==========================================================================================
#: x86-64's vmalloc space: 0xffffc20000000000-0xffffe1ffffffffff in 2.6.2x [V: pgtable_64.h diffs];
#: 0xffffc90000000000-0xffffe8ffffffffff later (version not pinned; the model moves it at 2.6.31 [S]).
X86_64_VMALLOC_OLD = (0xFFFFC20000000000, 0xFFFFE1FFFFFFFFFF)
X86_64_VMALLOC = (0xFFFFC90000000000, 0xFFFFE8FFFFFFFFFF)


def x86_64_vmalloc_range(kernel: "Kernel") -> tuple[int, int]:
    """(VMALLOC_START, VMALLOC_END) of x86-64 at this era; VMALLOC_END is the last byte, as in the headers."""
    return X86_64_VMALLOC if kernel.has("v2.6.31") else X86_64_VMALLOC_OLD


class Vmlist26(VmlistVmalloc):
    """``mm/vmalloc.c`` of 2.6.0 to 2.6.27, modelled on 2.6.20's (see the module docstring)."""

    arch = "x86_64"

    def __init__(self, kernel: "Kernel"):
        super().__init__(kernel)
        has = kernel.has
        self.VMALLOC_START, self.VMALLOC_END = x86_64_vmalloc_range(kernel)
        self.setup_pagetable(self.VMALLOC_START, self.VMALLOC_END + 1, 21)
        self.num_physpages = self.pa.nr_pages
        self.has_caller = has("v2.6.26")  # vm_struct->caller, with /proc/vmallocinfo [S]
        self.has_vmalloc32_dma32 = False  # GFP_VMALLOC32 came later (2.6.28's tree has it)
        # vmlist_lock, taken for write by every reservation and removal, for read by
        # find_vm_area [V 2.6.20]
        self.count_locks("vmlist_lock")

    def _bind_page_alloc(self) -> None:
        self._alloc_pages = self._pa_call("alloc_pages")
        self._free_pages = self._pa_call("free_pages")

    # -- __get_vm_area_node ---------------------------------------------------------------
    def __get_vm_area_node(self, size: int, flags: int, start: int, end: int, caller: str | None) -> VmStruct | None:
        addr = start  # align is 1 except for VM_IOREMAP (not modelled)
        size = (size + PAGE_SIZE - 1) & PAGE_MASK
        if not size:
            return None
        size += PAGE_SIZE  # the guard page
        self._lock("vmlist_lock")
        vmlist = self.vmlist
        k = self._packed
        if k and vmlist[k - 1].addr + vmlist[k - 1].size > end - size:
            j = next(j for j in range(k) if vmlist[j].addr + vmlist[j].size > end - size)
            self.counters["vmap_steps"] += j + 1
            return self._out_of_space()
        if k:
            addr = vmlist[k - 1].addr + vmlist[k - 1].size
        steps = k
        i, n = k, len(vmlist)
        found = True
        while i < n:
            tmp = vmlist[i]
            steps += 1
            if tmp.addr < addr:
                if tmp.addr + tmp.size >= addr:
                    addr = tmp.addr + tmp.size
                i += 1
                continue
            if size + addr > 0xFFFFFFFFFFFFFFFF:  # size + addr < addr in C
                found = False
                break
            if size + addr <= tmp.addr:
                break
            addr = tmp.addr + tmp.size
            if addr > end - size:
                found = False
                break
            i += 1
        self.counters["vmap_steps"] += steps
        if not found:
            return self._out_of_space()
        area = VmStruct(addr, size, flags, caller if self.has_caller else None)
        self._link(i, area)
        return area

    def _out_of_space(self) -> None:
        self.dmesg.printk("allocation failed: out of vmalloc space - use vmalloc=<size> to increase size.")
        return None

    def remove_vm_area(self, addr: int) -> VmStruct | None:
        """``remove_vm_area``: linear search, ``unmap_vm_area`` (with its TLB flush), unlink, guard off.

        All of it under ``vmlist_lock``, the flush and its IPIs included."""
        self._lock("vmlist_lock")
        i = self._find(addr)
        if i < 0:
            return None
        area = self.vmlist[i]
        end = area.addr + area.size
        self.pt.clear_range(area.addr, end)
        self.kernel.flush_tlb_kernel_range(area.addr, end)  # flush_tlb_all on x86
        self._unlink(i)
        area.size -= PAGE_SIZE
        return area

    # -- __vmalloc_node ----------------------------------------------------------------------
    def vmalloc_node_range(self, size: int, align: int, gfp: int, vm_flags: int, node: int,
                           caller: str | None) -> int:
        """``__vmalloc_node(size, gfp_mask, prot, node)``: reserve, fill page by page, map."""
        self.counters["vmalloc_calls"] += 1
        size = (size + PAGE_SIZE - 1) & PAGE_MASK
        if not size or size >> PAGE_SHIFT > self.num_physpages:
            return 0
        area = self.__get_vm_area_node(size, VM_ALLOC | vm_flags, self.VMALLOC_START, self.VMALLOC_END, caller)
        if area is None:
            return 0
        area.requested_size = size
        return self.__vmalloc_area_node(area, gfp, node, caller)

    def __vmalloc_area_node(self, area: VmStruct, gfp: int, node: int, caller: str | None) -> int:
        nr_pages = (area.size - PAGE_SIZE) >> PAGE_SHIFT
        area.nr_pages = nr_pages
        if nr_pages * 8 > PAGE_SIZE:  # the page array itself is vmalloc'ed
            array = self.vmalloc_node_range(nr_pages * 8, 1, gfp, 0, node, caller)
            area.flags |= VM_VPAGES
            if not array:
                self.remove_vm_area(area.addr)
                return 0
            area.pages_addr = array
        pfns: list[int] = []
        area.pages = pfns
        alloc_pages, base = self._alloc_pages, self.page_offset
        for _ in range(nr_pages):
            page = alloc_pages(gfp, 0)
            if not page:
                area.nr_pages = len(pfns)  # "free them in __vunmap()"
                self.nr_vmalloc_pages += len(pfns)
                self.counters["vmalloc_pages_allocated"] += len(pfns)
                self._vunmap(area.addr, True)
                return 0
            pfns.append((page - base) >> PAGE_SHIFT)
        self.nr_vmalloc_pages += nr_pages
        self.counters["vmalloc_pages_allocated"] += nr_pages
        self.pt.map_pages(area.addr, pfns)  # map_vm_area: size - PAGE_SIZE, the guard stays unmapped
        return area.addr

    # -- the API ------------------------------------------------------------------------------
    def vmalloc(self, size: int) -> int:
        """``vmalloc(size)``: ``GFP_KERNEL | __GFP_HIGHMEM``; the area's address, or 0."""
        if type(size) is not int or size < 0 or size >> 64:
            size = self._check_size(size, "vmalloc")
        return self.vmalloc_node_range(size, 1, GFP_KERNEL | _GFP_HIGHMEM, 0, NUMA_NO_NODE, self.caller)

    def vmalloc_(self, size: int, gfp: int) -> int:
        """``__vmalloc(size, gfp_mask, PAGE_KERNEL)``."""
        from linuxmm.checks import check_gfp
        size = self._check_size(size, "__vmalloc")
        gfp = check_gfp(gfp, "__vmalloc")
        return self.vmalloc_node_range(size, 1, gfp, 0, NUMA_NO_NODE, self.caller)

    def vmalloc_node_(self, size: int, align: int, gfp: int, node: int) -> int:
        """``__vmalloc_node(size, align, gfp, node)``: the model's signature; 2.6.1x-2.6.27 took no align."""
        from linuxmm.checks import check_gfp
        size = self._check_size(size, "__vmalloc_node")
        align = self._check_align(align, "__vmalloc_node")
        gfp = check_gfp(gfp, "__vmalloc_node")
        node = self._check_node(node, "__vmalloc_node")
        if align > PAGE_SIZE:
            raise NotInThisKernel(f"__vmalloc_node() of {self.kernel.version} takes no alignment (every area is "
                                  f"page-aligned); an align argument arrived in v2.6.35 [S]")
        return self.vmalloc_node_range(size, align, gfp, 0, node, self.caller)

    def vmalloc_user(self, size: int) -> int:
        """``vmalloc_user(size)``: zeroed pages, then ``VM_USERMAP`` set under the lock (a linear walk)."""
        size = self._check_size(size, "vmalloc_user")
        ret = self.vmalloc_node_range(size, 1, GFP_KERNEL | _GFP_HIGHMEM | _GFP_ZERO, 0, NUMA_NO_NODE,
                                      self.caller)
        if ret:
            self._lock("vmlist_lock")
            self.vmlist[self._find(ret)].flags |= VM_USERMAP
        return ret

    def vmalloc_32(self, size: int) -> int:
        """``vmalloc_32(size)``: ``__vmalloc(size, GFP_KERNEL, PAGE_KERNEL)`` (2.6.20)."""
        size = self._check_size(size, "vmalloc_32")
        return self.vmalloc_node_range(size, 1, GFP_KERNEL, 0, NUMA_NO_NODE, self.caller)

    def vfree(self, addr: int) -> None:
        """``vfree(addr)``: ``__vunmap(addr, 1)``."""
        if type(addr) is not int or addr < 0 or addr >> 64:
            addr = self._check_addr(addr, "vfree")
        self.counters["vfree_calls"] += 1
        self._vunmap(addr, True)

    def vunmap(self, addr: int) -> None:
        """``vunmap(addr)``: ``__vunmap(addr, 0)``, the pages stay the caller's."""
        addr = self._check_addr(addr, "vunmap")
        self._vunmap(addr, False)

    def vmap(self, pages: list[int], count: int, flags: int = VM_MAP) -> int:
        """``vmap(pages, count, flags, PAGE_KERNEL)``: map the given pages contiguously; 0 on failure."""
        from linuxmm.checks import check_int
        pfns = self._page_list(pages, count, "vmap")
        flags = check_int(flags, "flags", "vmap", 0, 0xFFFFFFFF)
        if len(pfns) > self.num_physpages:
            return 0
        area = self.__get_vm_area_node(len(pfns) << PAGE_SHIFT, flags, self.VMALLOC_START, self.VMALLOC_END,
                                       self.caller)
        if area is None:
            return 0
        self.pt.map_pages(area.addr, pfns)
        return area.addr


# -- records -------------------------------------------------------------------------------
@hookimpl
def linuxmm_implementations():
    return [
        Implementation(
            subsystem="vmalloc", name="vmlist-1.0", factory=Vmlist10, introduced="v1.0", removed="v2.2.0",
            api=API, summary="vmlist first fit with no lock and no end check; a TLB flush per page table "
                             "(1.0, 1.2) or per call (2.0)"),
        Implementation(
            subsystem="vmalloc", name="vmlist-2.2", factory=Vmlist22, introduced="v2.2.0", removed="v2.6.0",
            api=API, summary="get_vm_area with an end check (2.2), the vmlist rwlock and __vmalloc (2.4); "
                             "flush_tlb_all on every map and unmap"),
        Implementation(
            subsystem="vmalloc", name="vmlist-2.6", factory=Vmlist26, introduced="v2.6.0", removed="db64fe02258f",
            api=API, summary="__get_vm_area_node first fit over vmlist, guard page, synchronous "
                             "flush_tlb_kernel_range (flush_tlb_all on x86) on every vfree"),
    ]
