"""The simulated machine: physical memory, page frames, kernel page tables, CPUs and TLBs.

Nothing here is era-specific.  An era's page allocator decides the layout
(where the kernel is mapped, which zones exist, which pages are reserved)
and builds on these parts.
"""

from .cpu import CPU, Counters
from .frames import PageFrames
from .memory import Memory, PhysicalMemory, PAGE_SHIFT, PAGE_SIZE
from .pagetable import KernelPageTable

__all__ = ["CPU", "Counters", "PageFrames", "Memory", "PhysicalMemory", "KernelPageTable", "PAGE_SHIFT",
           "PAGE_SIZE"]
