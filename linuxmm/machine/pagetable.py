"""Kernel page tables for the vmalloc range, and translation through each CPU's TLB.

The direct map needs no page tables in the model (``kernel.memory``
translates it arithmetically, and stays as fast as that).  Everything the
vmalloc layer maps -- ``vmalloc``, ``vmap``, ``vm_map_ram`` -- goes through
one :class:`KernelPageTable` per kernel, which keeps ``init_mm``'s entries
at two levels:

* **PTE level**: ``pte[vpn] = pfn``, one entry per 4K page, grouped in
  page-table pages of ``ptrs_per_pte`` entries (512 on x86-64, 1024 on
  i386 without PAE); ``tables[pmd_index]`` counts the present entries of
  each, which is what 1.x's ``free_area_pages`` looked at before it freed
  an empty page table (and flushed);
* **PMD level**: ``pmd[pmd_index] = pfn`` for a huge leaf mapping a whole
  2M (x86-64) region, as ``vmap_try_huge_pmd`` sets it from 121e6f3258fe.

A read or write of a mapped address lands in the physical page the entry
names.  The translator registered in ``kernel.memory.translators`` looks in
the current CPU's TLB first (``kernel.cpus[kernel.this_cpu]``); on a miss it
walks the tables, fills the TLB and counts ``tlb_fills``.  An entry in a TLB
survives until a flush reaches that CPU (``kernel.flush_tlb_all``,
``kernel.flush_tlb_kernel_range``), even if the page table no longer maps the
address: the stale translation the lazy purge of db64fe02258f lets live, and
the reason ``vm_unmap_aliases()`` exists.  An address nothing maps (and no
TLB remembers) is an oops: the era's first line goes to the kernel log and
:class:`~linuxmm.errors.PageFault` is raised with it.

Page-table pages themselves are not taken from the page allocator in the
model (the kernel allocates them with ``pte_alloc_kernel`` and, after 1.x,
keeps them): every page a vmalloc call takes is a page of the mapping.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterable

from ..errors import PageFault

if TYPE_CHECKING:  # pragma: no cover
    from ..kernel import Kernel

PAGE_SHIFT = 12
PAGE_SIZE = 1 << PAGE_SHIFT


def fault_message_for(kernel: "Kernel", arch: str) -> Callable[[int], str]:
    """The first line of the era's oops for a kernel paging request at an unmapped address.

    * i386 (1.x to 2.4): ``Unable to handle kernel paging request at virtual address %08lx``
      [V 2.2.1 ``arch/i386/mm/fault.c``; 1.x and 2.4 taken to print the same, S];
    * x86-64 before the x86 merge: ``Unable to handle kernel paging request at %016lx RIP: ``
      [V 2.6.20 ``arch/x86_64/mm/fault.c``];
    * unified x86 ``fault.c`` from 2.6.25 [S]: ``BUG: unable to handle kernel paging request at %016lx``;
    * from 5.0 [S release]: ``BUG: unable to handle page fault for address: %016lx``
      [V text: oops reports of 5.x and 6.x kernels].
    """
    if arch == "i386":
        return lambda addr: f"Unable to handle kernel paging request at virtual address {addr & 0xFFFFFFFF:08x}"
    if kernel.has("v5.0"):
        return lambda addr: f"BUG: unable to handle page fault for address: {addr:016x}"
    if kernel.has("v2.6.25"):
        return lambda addr: f"BUG: unable to handle kernel paging request at {addr:016x}"
    return lambda addr: f"Unable to handle kernel paging request at {addr:016x} RIP: "


class KernelPageTable:
    """``init_mm``'s page tables over ``[start, end)`` (see the module docstring)."""

    def __init__(self, kernel: "Kernel", start: int, end: int, *, pmd_shift: int = 21,
                 fault_message: Callable[[int], str] | None = None):
        if start >= end:
            raise ValueError(f"empty range {start:#x}-{end:#x}")
        self.kernel = kernel
        self.start = start
        self.end = end
        self.pmd_shift = pmd_shift
        self.ptrs_per_pte = 1 << (pmd_shift - PAGE_SHIFT)
        self.pte: dict[int, int] = {}
        self.pmd: dict[int, int] = {}
        self.tables: dict[int, int] = {}
        self.fault_message = fault_message or (lambda addr: f"unable to handle kernel paging request at {addr:#x}")
        kernel.counters.declare("tlb_fills")
        kernel.tlb_pmd_shift = pmd_shift
        self.translate = self._make_translator()
        if kernel.memory is not None:
            kernel.memory.translators.append(self.translate)

    # -- translation -----------------------------------------------------------
    def _make_translator(self) -> Callable[[int], int | None]:
        kernel, cpus, counters = self.kernel, self.kernel.cpus, self.kernel.counters
        start, end, shift = self.start, self.end, self.pmd_shift
        pte, pmd, mask = self.pte, self.pmd, self.ptrs_per_pte - 1
        fault = self._fault

        def translate(addr: int) -> int | None:
            """Virtual to physical for the vmalloc range: TLB first, then the tables."""
            if addr < start or addr >= end:
                return None
            vpn = addr >> 12
            cpu = cpus[kernel.this_cpu]
            pfn = cpu.tlb.get(vpn)
            if pfn is None:
                huge = cpu.tlb_huge
                base = huge.get(addr >> shift) if huge else None
                if base is not None:
                    pfn = base + (vpn & mask)
                else:
                    pfn = pte.get(vpn)
                    if pfn is not None:
                        cpu.tlb[vpn] = pfn
                    else:
                        base = pmd.get(addr >> shift)
                        if base is None:
                            fault(addr)
                        huge[addr >> shift] = base
                        pfn = base + (vpn & mask)
                    counters["tlb_fills"] += 1
            return (pfn << 12) | (addr & 0xFFF)

        return translate

    def _fault(self, addr: int) -> None:
        line = self.fault_message(addr)
        self.kernel.dmesg.printk(line)
        raise PageFault(line)

    def lookup(self, addr: int) -> int | None:
        """The frame the tables map at ``addr`` (``vmalloc_to_pfn``), or None; no TLB involved."""
        pfn = self.pte.get(addr >> PAGE_SHIFT)
        if pfn is not None:
            return pfn
        base = self.pmd.get(addr >> self.pmd_shift)
        if base is None:
            return None
        return base + ((addr >> PAGE_SHIFT) & (self.ptrs_per_pte - 1))

    # -- building and clearing entries ---------------------------------------------
    def map_pages(self, addr: int, pfns: Iterable[int]) -> None:
        """Set one PTE per frame from ``addr`` on (``vmap_pages_range`` with small pages)."""
        pte, tables, shift = self.pte, self.tables, self.pmd_shift
        vpn = addr >> PAGE_SHIFT
        for pfn in pfns:
            if vpn not in pte:
                idx = (vpn << PAGE_SHIFT) >> shift
                tables[idx] = tables.get(idx, 0) + 1
            pte[vpn] = pfn
            vpn += 1

    def map_huge(self, addr: int, pfn: int) -> None:
        """Set a PMD leaf mapping the 2M region at ``addr`` to the frames from ``pfn`` (``pmd_set_huge``)."""
        self.pmd[addr >> self.pmd_shift] = pfn

    def clear_range(self, start: int, end: int) -> list[int]:
        """Clear every entry of ``[start, end)`` (``vunmap_range_noflush``).

        Returns the PMD indexes whose page-table page became empty, for the eras
        that freed such a page (and flushed) on the spot.
        """
        pte, tables, pmd, shift = self.pte, self.tables, self.pmd, self.pmd_shift
        emptied = []
        if pmd:
            for idx in range(start >> shift, ((end - 1) >> shift) + 1):
                pmd.pop(idx, None)
        for vpn in range(start >> PAGE_SHIFT, end >> PAGE_SHIFT):
            if pte.pop(vpn, None) is not None:
                idx = (vpn << PAGE_SHIFT) >> shift
                left = tables[idx] - 1
                if left:
                    tables[idx] = left
                else:
                    del tables[idx]
                    emptied.append(idx)
        return emptied

    def leaves(self, start: int, end: int) -> tuple[int, int]:
        """Entries mapping ``[start, end)``: (PTE leaves, PMD leaves), i.e. the TLB entries it needs."""
        shift = self.pmd_shift
        huge = [idx for idx in range(start >> shift, ((end - 1) >> shift) + 1) if idx in self.pmd]
        ptes = sum(1 for vpn in range(start >> PAGE_SHIFT, end >> PAGE_SHIFT) if vpn in self.pte)
        return ptes, len(huge)

    def __len__(self) -> int:
        return len(self.pte) + len(self.pmd)
