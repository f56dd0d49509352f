"""The ``kmalloc-mix`` workload: a seeded mix of kmalloc and kfree calls.

It uses nothing but ``kmalloc(size, GFP_KERNEL)`` and ``kfree(ptr)``, the two
calls every era from 1.0 on has (mm/kmalloc.c, then SLAB, SLOB, SLUB), with
sizes from 8 to 4000 bytes (1.0 refuses more than 4096), weighted towards
small objects as kernel allocations are.  Runs are deterministic: the only
randomness is a ``random.Random(seed)``.

The report gives the call counts, what is still allocated, the pages the
small-object allocator holds from the page allocator, and the per-class
usage where the era shows it: /proc/slabinfo where the era has it, else the
allocator's own class table (mm/kmalloc.c kept per-class statistics in
``sizes[]`` but printed none).  Everything still allocated is then freed, and
the pages the allocator keeps after that are reported (2.0's kmalloc keeps
up to three areas in ``kmalloc_cache``).
"""

from __future__ import annotations

import random
from typing import Any

from linuxmm import hookimpl
from linuxmm.errors import NotInThisKernel
from linuxmm.gfp import GFP_KERNEL
from linuxmm.records import Workload

#: Request sizes and their weights.
MIX_SIZES = (8, 16, 24, 32, 48, 64, 96, 100, 128, 192, 256, 500, 512, 1000, 1024, 2000, 4000)
MIX_WEIGHTS = (8, 10, 8, 10, 6, 10, 4, 4, 8, 3, 6, 2, 3, 1, 2, 1, 1)
MIX_STEPS = 3000


def per_class_report(kernel: Any) -> str:
    """/proc/slabinfo where the era has it, else the small-object allocator's own class table."""
    try:
        return "$ cat /proc/slabinfo\n" + kernel.proc("slabinfo").rstrip("\n")
    except NotInThisKernel:
        pass
    slab = kernel.subsystems.get("slab")
    render = getattr(slab, "render_sizes", None)
    if render is None:
        return "(this era's allocator shows no per-class usage)"
    return "sizes[] (kept by mm/kmalloc.c; the kernel printed none of it):\n" + render().rstrip("\n")


def _pages_held(kernel: Any, base: int) -> int:
    return kernel.page_alloc.allocated_pages() - base


def kmalloc_mix(kernel: Any, seed: int, steps: int = MIX_STEPS) -> str:
    """Allocate (probability 0.6, or always when nothing is live) or free a random live object."""
    rng = random.Random(seed)
    kmalloc, kfree = kernel.kmalloc, kernel.kfree
    base = kernel.page_alloc.allocated_pages()
    live: list[tuple[int, int]] = []
    allocs = frees = failures = 0
    for _ in range(steps):
        if not live or rng.random() < 0.6:
            size = rng.choices(MIX_SIZES, MIX_WEIGHTS)[0]
            ptr = kmalloc(size, GFP_KERNEL)
            if ptr:
                live.append((ptr, size))
                allocs += 1
            else:
                failures += 1
        else:
            ptr, _ = live.pop(rng.randrange(len(live)))
            kfree(ptr)
            frees += 1
    impl = kernel.implementations.get("slab")
    lines = [
        f"workload kmalloc-mix: seed {seed}, {steps} steps at {kernel.version} ({impl.name if impl else 'no slab'})",
        f"kmalloc {allocs}, kfree {frees}, failed kmalloc {failures}",
        f"still allocated: {len(live)} objects, {sum(s for _, s in live)} bytes requested",
        f"pages held by the allocator: {_pages_held(kernel, base)}",
        per_class_report(kernel),
    ]
    for ptr, _ in live:
        kfree(ptr)
    lines.append(f"after freeing everything: {_pages_held(kernel, base)} pages still held")
    return "\n".join(lines) + "\n"


@hookimpl
def linuxmm_workloads():
    return [
        Workload("kmalloc-mix", run=kmalloc_mix,
                 help="seeded kmalloc/kfree mix of 8..4000-byte objects; per-class usage where the era shows it"),
    ]
