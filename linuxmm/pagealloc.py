"""What every era's page allocator shares.

An era plugin subclasses :class:`PageAllocator`, lays out memory in
``__init__`` (calling :meth:`setup`), and binds the kernel functions of its
era (``get_free_page``, ``__get_free_pages``, ``alloc_pages`` ...) through
its :class:`~linuxmm.records.Implementation`'s ``api``.  The helpers here
are for boot, reports and workloads; none of them sits on an allocation
path except :meth:`zero_pages`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .checks import check_gfp, check_int
from .errors import ArgumentError, LinuxmmError, NotInThisKernel
from .machine import PAGE_SHIFT, PAGE_SIZE

if TYPE_CHECKING:  # pragma: no cover
    from .kernel import Kernel


@dataclass
class ZoneInfo:
    """A summary row for reports: one zone (or the whole of memory, before zones)."""

    name: str
    start_pfn: int
    end_pfn: int
    present_pages: int
    free_pages: int
    nr_free: list[int]  # free blocks per order


class PageAllocator:
    """Base class of the page allocators.

    Subclasses set ``max_order`` (the highest order one call may ask for),
    ``default_mem`` and implement :meth:`nr_free_pages`, :meth:`zone_info`,
    :meth:`show_mem`, :meth:`alloc_block` and :meth:`free_block`.
    """

    max_order = 0
    default_mem = 16 << 20
    page_offset = 0

    def __init__(self, kernel: "Kernel"):
        self.kernel = kernel
        self._mem_init_lines: list[str] = []

    # -- the two halves of boot ------------------------------------------------
    def mem_init_printk(self, line: str) -> None:
        """Queue a line that the era printed from ``mem_init()``/``mm_init()``.

        ``start_kernel`` sets up memory (``setup_arch``, zone lines) before it
        prints the command line, and reports available memory afterwards; the
        kernel prints these queued lines after its command-line line.
        """
        self._mem_init_lines.append(line)

    def late_init(self) -> None:
        """Called by the kernel once the command line is reported: print the queued lines."""
        for line in self._mem_init_lines:
            self.kernel.dmesg.printk(line)
        self._mem_init_lines.clear()

    # -- boot ---------------------------------------------------------------
    def setup(self, size: int) -> None:
        """Create the machine's memory of ``size`` bytes and the direct map."""
        if size < 16 * PAGE_SIZE:
            raise LinuxmmError(f"mem={size >> 10}K is too small to boot")
        kernel = self.kernel
        kernel.setup_memory(size, self.page_offset)
        self.phys = kernel.phys
        self.frames = kernel.frames
        self.memory = kernel.memory
        self.counters = kernel.counters
        self.nr_pages = self.phys.nr_pages

    def requested_mem(self) -> int:
        """``--mem`` if given, else the era default; then ``mem=`` from the command line caps it."""
        size = self.kernel.mem_request or self.default_mem
        limit = self.kernel.cmdline.get("mem")
        if limit is not None:
            size = min(size, limit)
        return size & ~(PAGE_SIZE - 1)

    # -- addresses ------------------------------------------------------------
    def pfn_to_virt(self, pfn: int) -> int:
        return self.page_offset + (pfn << PAGE_SHIFT)

    def virt_to_pfn(self, addr: int) -> int:
        return (addr - self.page_offset) >> PAGE_SHIFT

    #: Where multi-page allocation first exists in the model (1.1.89's mm/kmalloc.c asks
    #: __get_free_pages for orders up to 5 [V]); eras before it allocate single pages.
    BUDDY_ARRIVES = "v1.1.89"

    def single_pages_only(self, order: int, what: str = "allocation") -> NotInThisKernel:
        """The error for an order above 0 in an era without multi-page allocation."""
        return NotInThisKernel(
            f"order-{order} {what} is not in {self.kernel.version}: this kernel "
            f"{'allocates' if what == 'allocation' else 'frees'} single pages only; "
            f"multi-page allocation arrived with the buddy allocator in {self.BUDDY_ARRIVES}")

    # -- helpers ----------------------------------------------------------------
    def zero_pages(self, pfn: int, nr: int) -> None:
        """Clear ``nr`` pages from ``pfn`` and count the bytes."""
        self.phys.fill_pages(pfn, nr, 0)
        self.counters["bytes_zeroed"] += nr << PAGE_SHIFT

    # -- invariants -------------------------------------------------------------
    def check(self) -> list[str]:
        """What is wrong with this allocator's state (an empty list when nothing is).

        Every era: free + allocated + reserved pages add up to every frame.
        Subclasses add their own structure (lists, bitmaps, per-CPU pages)
        and extend this list.  Read-only, and slow: for tests and soak runs.
        """
        free, used, reserved = self.nr_free_pages(), self.allocated_pages(), self.reserved_pages()
        if free + used + reserved != self.nr_pages:
            return [f"page_alloc: free {free} + allocated {used} + reserved {reserved} = {free + used + reserved}, "
                    f"not the {self.nr_pages} frames of the machine"]
        return []

    # -- what subclasses provide ------------------------------------------------
    def nr_free_pages(self) -> int:
        """Pages free right now (in the allocator, per-CPU lists included)."""
        raise NotImplementedError

    def zone_info(self) -> list[ZoneInfo]:
        """One row per zone, for ``info`` and fragmentation reports."""
        raise NotImplementedError

    def show_mem(self) -> str:
        """The era's console report of free memory (``show_free_areas`` and kin)."""
        raise NotImplementedError

    def alloc_block(self, order: int, gfp: int) -> int:
        """Allocate ``2**order`` pages with this era's own call; 0 on failure."""
        raise NotImplementedError

    def free_block(self, addr: int, order: int) -> None:
        """Free a block from :meth:`alloc_block` with this era's own call."""
        raise NotImplementedError


def check_args(func: str, **args: tuple) -> None:
    """Refuse a page allocator call's arguments of the wrong type: the slow paths call this.

    ``check_args("alloc_pages", gfp_mask=(gfp_mask, "gfp"), order=(order, "order"))``:
    each keyword is a value and its kind -- ``gfp`` (an int from 0 to 2**32-1),
    ``order`` or ``addr`` (any int: what the era does with the value, a NULL, a
    warning, a wrap-around, is the era's).  A bool, a float, a string or None
    raises :class:`~linuxmm.errors.ArgumentError` naming the function and the
    parameter (:mod:`linuxmm.checks`), raised without the fast path's own
    exception as its context.  The fast paths never call it: a wrong type sends
    them here.
    """
    for name, (value, kind) in args.items():
        if type(value) is int and (kind != "gfp" or 0 <= value <= 0xFFFFFFFF):
            continue
        try:
            if kind == "gfp":
                check_gfp(value, func, name)
            else:
                check_int(value, name, func)
        except ArgumentError as exc:
            raise exc from None
