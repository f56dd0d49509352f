"""Simulated CPUs, their TLBs, and the machine's cost counters."""

from __future__ import annotations

from typing import Iterable

from ..errors import ArgumentError


class Counters(dict):
    """``kernel.counters``: named event counts, all starting at zero.

    ``tlb_flushes`` counts flush operations (one per call of a flush
    function, however many CPUs it reaches); ``ipis`` counts
    inter-processor interrupts sent (a broadcast flush on N CPUs sends N-1);
    ``bytes_zeroed`` and ``bytes_copied`` count memory traffic the kernel
    itself performs.  Subsystems :meth:`declare` the counters they keep when
    they are built; reading a name nobody declared is an
    :class:`~linuxmm.errors.ArgumentError` (a typo must not read as 0).
    """

    KNOWN = ("tlb_flushes", "ipis", "bytes_copied", "bytes_zeroed", "list_walks")

    def __init__(self) -> None:
        super().__init__((name, 0) for name in self.KNOWN)

    def declare(self, *names: str | Iterable[str]) -> None:
        """Add counters (starting at 0); declaring one twice keeps its count."""
        for item in names:
            for name in ((item,) if isinstance(item, str) else item):
                self.setdefault(name, 0)

    def __missing__(self, key: object) -> int:
        known = ", ".join(sorted(self))
        raise ArgumentError(f"no counter named {key!r} in this kernel (its counters: {known})")


class CPU:
    """One CPU: its id and its TLB.

    The TLB caches translations of kernel virtual addresses that went
    through the page tables (:mod:`linuxmm.machine.pagetable`): ``tlb`` maps
    a virtual page number to its page frame (one entry per 4K page),
    ``tlb_huge`` maps a PMD index to the first frame of a huge leaf (one
    entry per 2M or 4M page).  An entry stays until a flush reaches this CPU,
    whatever happens to the page tables meanwhile: that is what makes a
    stale translation observable.  Direct-map accesses are translated
    arithmetically and never enter the model's TLB.
    """

    __slots__ = ("id", "tlb", "tlb_huge")

    def __init__(self, cpu_id: int):
        self.id = cpu_id
        self.tlb: dict[int, int] = {}
        self.tlb_huge: dict[int, int] = {}

    def flush(self) -> None:
        """Drop every cached translation (``__flush_tlb_all`` on this CPU)."""
        self.tlb.clear()
        self.tlb_huge.clear()

    def flush_range(self, start: int, end: int, pmd_shift: int) -> None:
        """Drop the translations of ``[start, end)`` (``invlpg`` per page; huge leaves that overlap)."""
        tlb = self.tlb
        if tlb:
            for vpn in range(start >> 12, (end + 0xFFF) >> 12):
                tlb.pop(vpn, None)
        huge = self.tlb_huge
        if huge:
            for idx in range(start >> pmd_shift, ((end - 1) >> pmd_shift) + 1):
                huge.pop(idx, None)

    def __repr__(self) -> str:
        return f"CPU({self.id}, tlb={len(self.tlb)}+{len(self.tlb_huge)} entries)"
