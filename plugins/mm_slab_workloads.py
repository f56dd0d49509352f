"""Built-in workloads and bench cases of the small-object allocators.

Workloads (``linuxmm run NAME``):

``double-free``
    ``kmalloc(64)``, a write, ``kfree`` twice, and the kernel log lines that
    followed: SLUB's "Object already free" BUG report when the kernel boots
    with ``slub_debug`` (F), SLAB's complaint where its era checked, and
    nothing at all where the era's allocator did not look (the second free
    then corrupts the free list, as it did).
``slab-churn``
    A seeded mix of ``kmalloc``/``kfree`` of every size class and of a
    ``kmem_cache`` of 100-byte objects; then /proc/slabinfo (where the era
    had it) and the accounting check.

Bench cases (``linuxmm bench``): one ``kmalloc(64, GFP_KERNEL)`` +
``kfree`` pair on SLAB (2.6.28), SLOB (2.6.28, EMBEDDED) and SLUB (6.12),
timed against the CPython floor; the SLUB pair's target is 15x the floor.
One ``kmem_cache_alloc`` + ``kmem_cache_free`` pair of a cache of 192-byte
objects (``kmem_cache_create``) on each of the three, measured only.

Bench curves (``linuxmm bench --curves``, :data:`CURVE_ERAS`): the
``kmalloc(64)`` + ``kfree`` pair with N = 10^2..10^5 ``kmalloc(64)``
objects live, each followed by a freed 16-byte block (a hole too small for
the next ``kmalloc(64)``: first fit's worst case, and what a heap
fragmented by small frees looks like), for mm/kmalloc.c (1.0, 2.0), SLAB
(2.2, 2.6.28), SLOB (2.6.20's K&R heap, 2.6.28's page lists) and SLUB
(6.12).  The steps per pair are ``list_walks``: the pages of the bucket's
list that mm/kmalloc.c's ``kfree`` steps over to unlink a page that became
free, SLOB's walks of its free list (2.6.16-2.6.22: blocks from the rover;
2.6.23 on: the pages of the size's list in ``slob_alloc``, the blocks of a
page in ``slob_free``).  SLOB's curves fill the last page's tail too (with
more held ``kmalloc(64)`` objects), so no page has room for the request
except a fresh one.
"""

from __future__ import annotations

import random
from typing import Any

from linuxmm import hookimpl
from linuxmm.errors import NotInThisKernel, WorkloadError
from linuxmm.gfp import GFP_KERNEL
from linuxmm.records import BenchCase, BenchCurve, Workload

CHURN_STEPS = 3000
CHURN_SIZES = (8, 24, 32, 50, 64, 96, 100, 128, 192, 200, 256, 500, 1000, 1500, 2048, 3000, 4096, 8000)


def _slab(kernel: Any) -> Any:
    slab = getattr(kernel, "slab", None)
    if slab is None or not kernel.provides("kmalloc"):
        raise NotInThisKernel(f"{kernel.version} has no kmalloc() (mm/kmalloc.c arrived in v1.0)")
    return slab


def double_free(kernel: Any, seed: int) -> str:
    """kmalloc(64), write, kfree, kfree again; the log lines that followed."""
    _slab(kernel)
    mark = len(kernel.dmesg)
    keep = kernel.kmalloc(64, GFP_KERNEL)  # a neighbour, so SLOB keeps the page in its heap
    p = kernel.kmalloc(64, GFP_KERNEL)
    kernel.memory.write(p, b"double free")
    kernel.kfree(p)
    kernel.kfree(p)
    lines = [f"kmalloc(64) -> {p:#x}; kfree twice"]
    new = list(kernel.dmesg[mark:])
    if new:
        lines += ["$ dmesg"] + new
    else:
        hint = (" (boot with --cmdline slub_debug=FZPU for SLUB's report)"
                if getattr(kernel.slab, "name", "") == "SLUB" else "")
        lines.append(f"(no kernel log lines: this allocator did not check{hint})")
        lines += [f"model check: {v}" for v in kernel.violations()]
    kernel.kfree(keep)
    return "\n".join(lines)


def slab_churn(kernel: Any, seed: int, steps: int = CHURN_STEPS) -> str:
    """A seeded mix of kmalloc/kfree and kmem_cache_alloc/free; the era's slabinfo and the accounting."""
    slab = _slab(kernel)
    rng = random.Random(seed)
    cache = kernel.kmem_cache_create("churn_cache", 100, 0, 0) if kernel.provides("kmem_cache_create") else None
    held: list[int] = []
    objs: list[int] = []
    allocs = frees = failed = 0
    for _ in range(steps):
        r = rng.random()
        if cache is not None and r < 0.25:
            if objs and rng.random() < 0.45:
                kernel.kmem_cache_free(cache, objs.pop(rng.randrange(len(objs))))
                frees += 1
            else:
                p = kernel.kmem_cache_alloc(cache, GFP_KERNEL)
                allocs += 1
                if p:
                    objs.append(p)
                else:
                    failed += 1
        elif held and r < 0.25 + 0.75 * 0.45:
            kernel.kfree(held.pop(rng.randrange(len(held))))
            frees += 1
        else:
            p = kernel.kmalloc(rng.choice(CHURN_SIZES), GFP_KERNEL)
            allocs += 1
            if p > 16:
                held.append(p)
            else:
                failed += 1
    out = [f"slab-churn: {steps} steps, {allocs} allocations ({failed} failed), {frees} frees, "
           f"{len(held) + len(objs)} objects still held"]
    try:
        out += ["$ cat /proc/slabinfo", kernel.proc("slabinfo").rstrip("\n")]
    except NotInThisKernel as exc:
        out.append(f"(/proc/slabinfo: {exc})")
    problems = slab.audit() if hasattr(slab, "audit") else []
    held_pages = slab.pages_held() if hasattr(slab, "pages_held") else 0
    out.append(f"slab pages: {held_pages}, accounting: "
               + ("balanced" if not problems else "; ".join(problems)))
    return "\n".join(out)


@hookimpl
def linuxmm_workloads():
    return [
        Workload("double-free", run=double_free,
                 help="kmalloc(64), kfree twice, and what the kernel logged (SLUB: boot with slub_debug=FZPU)"),
        Workload("slab-churn", run=slab_churn,
                 help="seeded kmalloc/kfree and kmem_cache churn; slabinfo and the slab accounting"),
    ]


def _setup(version: str, config: tuple[str, ...] = ()):
    def setup() -> dict:
        import linuxmm

        k = linuxmm.boot(version, config=list(config) or None)
        k.kmalloc(64, GFP_KERNEL)  # one object stays: SLOB gives a page back when its last block is freed
        k.kfree(k.kmalloc(64, GFP_KERNEL))  # finish boot and warm the CPU's cache
        return {"k": k, "GFP_KERNEL": GFP_KERNEL}
    return setup


STMT = "p = k.kmalloc(64, GFP_KERNEL); k.kfree(p)"
CACHE_STMT = "p = k.kmem_cache_alloc(c, GFP_KERNEL); k.kmem_cache_free(c, p)"
CACHE_OBJECT = 192


def _setup_cache(version: str, config: tuple[str, ...] = ()):
    def setup() -> dict:
        import linuxmm

        k = linuxmm.boot(version, config=list(config) or None)
        c = k.kmem_cache_create("bench_cache", CACHE_OBJECT, 0, 0)
        k.kmem_cache_alloc(c, GFP_KERNEL)  # one object stays, as for kmalloc: SLOB keeps its page
        k.kmem_cache_free(c, k.kmem_cache_alloc(c, GFP_KERNEL))
        return {"k": k, "c": c, "GFP_KERNEL": GFP_KERNEL}
    return setup


def fragmented_heap(kernel: Any, n: int, fill_tail: bool = False) -> list[int]:
    """Leave ``n`` ``kmalloc(64)`` objects live, each followed by a freed 16-byte block; returns them.

    With ``fill_tail`` (SLOB) the rest of the last page is then taken by more held ``kmalloc(64)``
    objects (too big for the holes), so that only a fresh page has room for another; they are
    returned too.
    """
    held, holes = [], []
    kmalloc = kernel.kmalloc
    for _ in range(n):
        held.append(kmalloc(64, GFP_KERNEL))
        holes.append(kmalloc(16, GFP_KERNEL))
    if not all(held) or not all(holes):
        raise WorkloadError(f"{n} kmalloc(64) objects and their holes do not fit this machine")
    for h in holes:
        kernel.kfree(h)
    if fill_tail:
        c = kernel.counters
        while True:
            pages = c["slob_pages_allocated"]
            p = kmalloc(64, GFP_KERNEL)
            if c["slob_pages_allocated"] != pages:  # the tail is full: this one took a fresh page
                kernel.kfree(p)
                break
            held.append(p)
    return held


#: The kmalloc curves: (name, version, config, the kernel's cost of the pair against the live
#: objects, note).
CURVE_ERAS = (
    ("kmalloc.c-1.0", "1.0", (), "O(1)",
     "mm/kmalloc.c: the bucket's first page with a free block; kfree walks the bucket's pages only "
     "to unlink a page that became wholly free"),
    ("kmalloc.c-2.0", "2.0", (), "O(1)", "mm/kmalloc.c as in 1.0"),
    ("slab-2.2", "2.2.0", (), "O(1)", "SLAB: the cache's first slab with a free object (c_freep)"),
    ("slab-2.6.28", "2.6.28", ("SLAB=y",), "O(1)", "SLAB: the per-CPU array_cache"),
    ("slob-2.6.20", "2.6.20", ("SLAB=n", "EMBEDDED=y"), "O(n) per lap, O(1) from the rover",
     "SLOB's K&R heap: first fit from the roving slobfree pointer; a lap that finds nothing walks "
     "every free block, then a fresh page stays in the heap and the rover is at it"),
    ("slob-2.6.28", "2.6.28", ("SLOB=y", "EMBEDDED=y"), "O(pages on the list)",
     "SLOB's page lists: slob_alloc tries every page of the small list with enough free units, "
     "first fit inside each"),
    ("slub-6.12", "6.12", (), "O(1)", "SLUB: the per-CPU freelist"),
)


#: The default machine of 1.0 and 2.0 has 16 MB: too little for 10^5 objects and their holes.
CURVE_MEM = {"1.0": "64M", "2.0": "64M"}


def _setup_curve(version: str, config: tuple[str, ...]):
    fill = any(c.startswith("SLOB=") or c == "SLAB=n" for c in config)
    mem = CURVE_MEM.get(version)

    def setup(n: int) -> dict:
        import linuxmm

        from linuxmm.bench import CurveSkip

        k = linuxmm.boot(version, mem=mem, config=list(config) or None)
        try:
            fragmented_heap(k, n, fill_tail=fill)
        except WorkloadError as exc:
            raise CurveSkip(f"{exc} (mem={k.phys.size >> 20}M)") from None
        return {"k": k, "GFP_KERNEL": GFP_KERNEL}
    return setup


@hookimpl
def linuxmm_bench_cases():
    return [
        BenchCase("kmalloc64-slub", stmt=STMT, setup=_setup("6.12"), target=15.0, group="slab",
                  help="SLUB at 6.12: kmalloc(64) + kfree, the per-CPU freelist's fast paths"),
        BenchCase("kmalloc64-slab", stmt=STMT, setup=_setup("2.6.28", ("SLAB=y",)), group="slab",
                  help="SLAB at 2.6.28: kmalloc(64) + kfree through the per-CPU array_cache"),
        BenchCase("kmalloc64-slob", stmt=STMT, setup=_setup("2.6.28", ("SLOB=y", "EMBEDDED=y")), group="slab",
                  help="SLOB at 2.6.28: kmalloc(64) + kfree, first fit in a page from the small list"),
        BenchCase("kmem_cache192-slub", stmt=CACHE_STMT, setup=_setup_cache("6.12"), group="slab",
                  help="SLUB at 6.12: kmem_cache_alloc + kmem_cache_free of a 192-byte cache"),
        BenchCase("kmem_cache192-slab", stmt=CACHE_STMT, setup=_setup_cache("2.6.28", ("SLAB=y",)), group="slab",
                  help="SLAB at 2.6.28: kmem_cache_alloc + kmem_cache_free of a 192-byte cache"),
        BenchCase("kmem_cache192-slob", stmt=CACHE_STMT, setup=_setup_cache("2.6.28", ("SLOB=y", "EMBEDDED=y")),
                  group="slab", help="SLOB at 2.6.28: kmem_cache_alloc + kmem_cache_free of a 192-byte cache"),
    ] + [
        BenchCurve(f"curve-kmalloc64-{name}", stmt=STMT, setup=_setup_curve(version, config),
                   steps=("list_walks",), complexity=complexity, group="slab",
                   help=f"kmalloc(64) + kfree at v{version}{' ' + ' '.join(config) if config else ''} "
                        f"with N kmalloc(64) objects live, 16-byte holes between them; {note}")
        for name, version, config, complexity, note in CURVE_ERAS
    ]
