"""Built-in workloads for ``linuxmm run NAME``.

Each workload is era-neutral: it drives the booted page allocator only
through ``alloc_block(order, gfp)`` and ``free_block(addr, order)`` (which
call the era's own functions: ``get_free_page`` at 0.01, ``__get_free_page``
at 1.0, ``__get_free_pages`` in the bitmap-buddy eras, ``alloc_pages`` from
2.6), and caps every order at the era's ``max_order``, so each one runs at
every modelled release, 0.01 (order 0 only) included.  Runs are
deterministic: the only randomness is a ``random.Random(seed)``.

The free-memory report at the end is /proc/buddyinfo where the era has it
(from 2.6.0) and the era's console report (``show_mem()``) before that.
"""

from __future__ import annotations

import random
from typing import Any

from linuxmm import hookimpl
from linuxmm.fragmentation import render_unusable_index
from linuxmm.errors import NotInThisKernel, WorkloadError
from linuxmm.gfp import GFP_ATOMIC, GFP_KERNEL, __GFP_NOWARN
from linuxmm.records import Workload

#: Flags for probing allocations that are expected to fail: no reclaim, no warning.
#: 1.0-2.2 read GFP_ATOMIC as "never sleep or reclaim"; eras without
#: __GFP_NOWARN ignore that bit.
PROBE_GFP = GFP_ATOMIC | __GFP_NOWARN

#: Highest order the mixed churn asks for (capped at the era's max_order).
CHURN_MAX_ORDER = 3
CHURN_STEPS = 4000
#: ``fragment`` allocates every free page one call at a time; above this many
#: pages (4G of RAM) it refuses rather than run for minutes.
FRAGMENT_MAX_PAGES = 1 << 20


def _page_alloc(kernel: Any) -> Any:
    pa = getattr(kernel, "page_alloc", None)
    if pa is None:
        raise NotInThisKernel(f"{kernel.version} has no page allocator modelled")
    return pa


def total_pages(pa: Any) -> int:
    """Frames the allocator manages: free + allocated + reserved."""
    return pa.nr_free_pages() + pa.allocated_pages() + pa.reserved_pages()


def free_memory_report(kernel: Any) -> str:
    """/proc/buddyinfo where the era has it, else the era's ``show_mem()`` report."""
    try:
        return "$ cat /proc/buddyinfo\n" + kernel.proc("buddyinfo").rstrip("\n")
    except NotInThisKernel:
        return "$ show_mem\n" + _page_alloc(kernel).show_mem().rstrip("\n")


def _counts(pa: Any) -> str:
    free, used, reserved = pa.nr_free_pages(), pa.allocated_pages(), pa.reserved_pages()
    return f"free {free} + allocated {used} + reserved {reserved} = {free + used + reserved} pages"


def churn(kernel: Any, seed: int, orders: int | None = None, steps: int = CHURN_STEPS, name: str = "default") -> str:
    """Mixed-order allocate/free churn, driven by ``random.Random(seed)``.

    Each step allocates (probability 0.55, or always when nothing is live)
    a block of order 0..min(3, max_order), weighted towards small orders, or
    frees a randomly chosen live block.  Blocks still live at the end stay
    allocated, so the final report shows the fragmentation the run left.
    """
    pa = _page_alloc(kernel)
    top = min(CHURN_MAX_ORDER if orders is None else orders, pa.max_order)
    weights = [2 ** (top - o) for o in range(top + 1)]
    rng = random.Random(seed)
    live: list[tuple[int, int]] = []
    allocs = frees = failures = 0
    alloc_block, free_block = pa.alloc_block, pa.free_block
    before = pa.nr_free_pages()
    for _ in range(steps):
        if not live or rng.random() < 0.55:
            order = rng.choices(range(top + 1), weights)[0]
            addr = alloc_block(order, GFP_KERNEL)
            if addr:
                live.append((addr, order))
                allocs += 1
            else:
                failures += 1
        else:
            addr, order = live.pop(rng.randrange(len(live)))
            free_block(addr, order)
            frees += 1
    pages_live = sum(1 << o for _, o in live)
    lines = [
        f"workload {name}: seed {seed}, {steps} steps, orders 0..{top} at {kernel.version}",
        f"allocations {allocs}, frees {frees}, failed allocations {failures}",
        f"still allocated: {len(live)} blocks, {pages_live} pages",
        f"free pages: {before} before, {pa.nr_free_pages()} after",
        f"pages: {_counts(pa)}",
        free_memory_report(kernel),
    ]
    return "\n".join(lines) + "\n"


def churn0(kernel: Any, seed: int) -> str:
    """Order-0 churn only: the single-page path every era has."""
    return churn(kernel, seed, orders=0, name="churn0")


def largest_allocatable_order(pa: Any) -> int:
    """Highest order one allocation still succeeds at (-1 if none); each probe is freed at once."""
    for order in range(pa.max_order, -1, -1):
        addr = pa.alloc_block(order, PROBE_GFP)
        if addr:
            pa.free_block(addr, order)
            return order
    return -1


def unusable_index_report(kernel: Any) -> str | None:
    """The unusable-free index (debugfs ``extfrag/unusable_index``), for eras with a buddy allocator."""
    if kernel.page_alloc.max_order == 0:
        return None
    return render_unusable_index(kernel).rstrip("\n")


def fragment(kernel: Any, seed: int) -> str:
    """Fill memory with order-0 pages, free every other one, and see what is left.

    Refused (:class:`~linuxmm.errors.WorkloadError`) on machines of more than
    :data:`FRAGMENT_MAX_PAGES` pages, to keep the run short.  The
    allocations use ``GFP_ATOMIC|__GFP_NOWARN`` (no reclaim, no failure
    warning) until one fails; freeing every other page in allocation order
    leaves free pages whose buddies are all allocated, so (on a buddy
    allocator) almost nothing merges.  The report gives the largest order
    one allocation still gets and, where :mod:`linuxmm.fragmentation`
    models it, the unusable-free index.
    """
    pa = _page_alloc(kernel)
    total = total_pages(pa)
    if total > FRAGMENT_MAX_PAGES:
        raise WorkloadError(f"workload fragment allocates every page one call at a time: at most "
                            f"{FRAGMENT_MAX_PAGES} pages (4G); this kernel has {total} (boot with --mem 4G or less)")
    before = pa.nr_free_pages()
    pages: list[int] = []
    alloc_block, free_block = pa.alloc_block, pa.free_block
    for _ in range(total + 1):
        addr = alloc_block(0, PROBE_GFP)
        if not addr:
            break
        pages.append(addr)
    filled = len(pages)
    left_after_fill = pa.nr_free_pages()
    freed = 0
    for addr in pages[::2]:
        free_block(addr, 0)
        freed += 1
    largest = largest_allocatable_order(pa)
    lines = [
        f"workload fragment at {kernel.version}",
        f"filled: {filled} order-0 pages allocated ({before} free before, {left_after_fill} left free)",
        f"freed every other page: {freed} pages; free pages now {pa.nr_free_pages()}",
        "largest order still allocatable: " + (str(largest) if largest >= 0 else "none")
        + f" (of 0..{pa.max_order})",
        f"pages: {_counts(pa)}",
    ]
    index = unusable_index_report(kernel)
    if index:
        lines.append("unusable free index:")
        lines.append(index)
    lines.append(free_memory_report(kernel))
    return "\n".join(lines) + "\n"


@hookimpl
def linuxmm_workloads():
    return [
        Workload("default", run=churn,
                 help="mixed-order (0..3) alloc/free churn seeded by --seed, then the free-memory report"),
        Workload("churn0", run=churn0, help="order-0 alloc/free churn seeded by --seed"),
        Workload("fragment", run=fragment,
                 help="fill memory with pages, free every other one, report the largest order left"),
    ]
