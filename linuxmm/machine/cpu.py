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
    """One CPU: its id and its TLB (a set of cached virtual page numbers)."""

    __slots__ = ("id", "tlb")

    def __init__(self, cpu_id: int):
        self.id = cpu_id
        self.tlb: set[int] = set()

    def __repr__(self) -> str:
        return f"CPU({self.id}, tlb={len(self.tlb)} entries)"
