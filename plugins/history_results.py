"""The record's performance history, reproduced by the model's counters: ``linuxmm history-results``.

Four commits of the vmalloc history came with numbers.  Each has here one
deterministic function that boots the releases on both sides of the commit,
runs the commit's own test (or the test the record names) and returns the
counters that explain the numbers; a ``@figure`` that plots them; and a section
of docs/history-reproduced.md.  ``tests/test_history_reproduced.py`` asserts
every number exactly.  The model counts events, not time: wall times are
measured and printed, never asserted.

* db64fe02258f (v2.6.28-rc1, "mm: rewrite vmap layer"):
  :func:`vmap_rewrite` -- map, touch and unmap 4 pages per thread for 1, 2, 4
  and 8 threads on an 8-CPU machine at v2.6.27 (``vmap``/``vunmap``) and
  v2.6.28 (``vm_map_ram``/``vm_unmap_ram``): TLB flushes, IPIs, global lock
  acquisitions and hand-offs (:meth:`~linuxmm_plugins.mm_vmalloc.VmallocBase.count_locks`);
  :func:`vmap_rewrite_by_cpus` -- one thread's operations on 1 to 16 CPUs: the
  flushes and IPIs against the machine's size, and the lazy threshold growing
  with ``fls(cpus)``.
* 68ad4a330433 (v5.2-rc1, the free-space tree): :func:`long_busy_list` --
  test_vmalloc's ``long_busy_list_alloc_test`` (15000 pinned areas) as
  ``test_vmalloc.sh performance`` runs it, at v5.1 and v5.2, search steps per
  allocation; :func:`busy_cost_curve` -- its allocations beside
  ``fix_align_alloc_test`` on another CPU, for 10^2 to 10^5 pinned areas.
* 121e6f3258fe (v5.13-rc1, huge vmalloc mappings): :func:`huge_mappings` --
  TLB entries to map a 64 MiB buffer with and without huge mappings, with
  ``nohugevmalloc``, and with the opt-in of 559089e0a93d (v5.18-rc4).
* f7a35a3c36d1 (v6.15, vrealloc grows in place again): :func:`vrealloc_grow`
  -- the BPF verifier's one-entry grows of its instruction history at
  v6.15-rc6 and v6.15: bytes copied (exact) and wall time (reported).

``linuxmm history-results`` prints every number (the ones the tests assert,
then the measured times and the machine), and with ``--figures DIR`` draws
every figure of the page into DIR.
"""

from __future__ import annotations

import datetime
import os
import platform
import time
from functools import lru_cache
from typing import Any, Callable

from linuxmm import hookimpl
from linuxmm.errors import LinuxmmError
from linuxmm.gfp import GFP_KERNEL, __GFP_ZERO
from linuxmm.records import Command
from linuxmm.sphinx_figures import figure

from .mm_vmalloc_workloads import map_and_touch, map_touch_unmap_counts
from .mm_vrealloc_workloads import INSN_HIST_ENTRY, push_insn_history
from .test_vmalloc import THREAD_ALIGN

PAGE = 4096
MB = 1 << 20
_GFP_ZERO = __GFP_ZERO

# ==========================================================================================
# db64fe02258f: map+touch+unmap of 4 pages per thread
# ==========================================================================================
#: The commit's table: nanoseconds per map+touch+unmap on a 2-socket, 4-core Opteron, by threads
#: [V: the posted commit message, "[patch] mm: rewrite vmap layer", 2008-08-18/19].
VMAP_REWRITE_RECORD = {"threads": [1, 2, 4, 8], "vanilla ns": [14700, 33600, 49500, 70631],
                       "vmap rewrite ns": [2900, 3000, 2800, 2900]}
VMAP_VERSIONS = ("2.6.27", "2.6.28")
VMAP_THREADS = (1, 2, 4, 8)
VMAP_CPUS = 8
#: Loops per thread: 256 maps of 4 pages fill exactly one 1024-page vmap block per CPU at 2.6.28.
VMAP_LOOPS = 256
#: Global locks of each era (the counters that ``count_locks`` declares).
GLOBAL_LOCKS = ("vmlist_lock", "vmap_area_lock", "vmap_block_tree_lock", "purge_lock")


def _boot(version: str, **kw: Any) -> Any:
    import linuxmm

    return linuxmm.boot(version, **kw)


@lru_cache(maxsize=None)
def vmap_rewrite(loops: int = VMAP_LOOPS) -> dict[str, dict[str, list[int]]]:
    """db64fe02258f's test at v2.6.27 and v2.6.28 on 8 CPUs, a fresh kernel per thread count.

    For each version, lists over ``VMAP_THREADS``: ``ops`` (map+touch+unmap operations),
    ``tlb_flushes``, ``ipis``, ``lazy_purges``, ``lock acquisitions`` (of the era's global
    locks together) and ``lock_handoffs``, and one list per global lock the era takes.
    """
    out: dict[str, dict[str, list[int]]] = {}
    for version in VMAP_VERSIONS:
        rows: dict[str, list[int]] = {}
        for threads in VMAP_THREADS:
            k = _boot(version, cpus=VMAP_CPUS)
            d = map_touch_unmap_counts(k, threads, loops)
            locks = {name: d[name] for name in GLOBAL_LOCKS if name in d}
            values = {"ops": threads * loops, "tlb_flushes": d["tlb_flushes"], "ipis": d["ipis"],
                      "lazy_purges": d.get("lazy_purges", 0), "lock acquisitions": sum(locks.values()),
                      "lock_handoffs": d["lock_handoffs"], **locks}
            for key, value in values.items():
                rows.setdefault(key, []).append(value)
        out[version] = rows
    return out


@lru_cache(maxsize=None)
def lazy_flush_interval(version: str = "2.6.28", cpus: int = VMAP_CPUS) -> dict[str, int]:
    """How many map+touch+unmap operations of one thread pass before 2.6.28's first lazy purge.

    ``lazy_max_pages()`` is ``fls(8) * 32M / 4K = 32768`` pages on 8 CPUs; a vmap block of 1024
    pages is freed (lazily) once its 256 four-page ranges are all unmapped, so the purge comes
    with the 33rd block: after 33 * 256 = 8448 operations.  One flush, 7 IPIs, for all of them.
    """
    k = _boot(version, cpus=cpus)
    vm = k.subsystems["vmalloc"]
    ops = 33 * (1024 // 4)
    d = map_touch_unmap_counts(k, 1, ops)
    return {"cpus": cpus, "lazy_max_pages": vm.lazy_max_pages(), "ops": ops, "tlb_flushes": d["tlb_flushes"],
            "ipis": d["ipis"], "lazy_purges": d["lazy_purges"]}


@figure
def vmap_rewrite_flushes_by_threads():
    """TLB flushes, IPIs and global-lock hand-offs for 256 map+touch+unmap operations of 4 pages per
    thread, 1 to 8 threads on an 8-CPU machine, at v2.6.27 (``vmap``/``vunmap``) and v2.6.28
    (``vm_map_ram``/``vm_unmap_ram``, db64fe02258f)."""
    from matplotlib.figure import Figure

    r = vmap_rewrite()
    threads = list(VMAP_THREADS)
    fig = Figure(figsize=(9, 3.4), layout="constrained")
    keys = (("tlb_flushes", "TLB flushes"), ("ipis", "IPIs sent"), ("lock_handoffs", "global lock hand-offs"))
    for i, (key, label) in enumerate(keys):
        ax = fig.add_subplot(1, 3, i + 1)
        for version, style in zip(VMAP_VERSIONS, ("o-", "s--")):
            ax.plot(threads, r[version][key], style, label=f"v{version}")
        ax.set_xticks(threads)
        ax.set_xlabel("threads (one per CPU)")
        ax.set_title(label, fontsize=10)
        ax.grid(alpha=0.3)
        if i == 0:
            ax.legend()
    data: dict[str, Any] = {"threads": threads, "ops": r[VMAP_VERSIONS[0]]["ops"]}
    for key, _ in keys:
        for version in VMAP_VERSIONS:
            data[f"v{version} {key}"] = r[version][key]
    return fig, data


#: CPU counts of the flushes-by-CPUs figure, and the map+touch+unmap operations of its one thread.
STORM_CPUS = (1, 2, 4, 8, 16)
STORM_OPS = 16384


@lru_cache(maxsize=None)
def vmap_rewrite_by_cpus(ops: int = STORM_OPS) -> dict[str, dict[str, list[int]]]:
    """One thread's ``ops`` map+touch+unmap operations of 4 pages on 1 to 16 CPUs, at v2.6.27 and
    v2.6.28 (db64fe02258f): the flush and its IPIs on every unmap before the rewrite (``cpus - 1``
    IPIs each), and after it a flush only at each lazy purge, whose threshold
    ``lazy_max_pages()`` grows with ``fls(cpus)``, so more CPUs mean fewer purges.

    For each version, lists over :data:`STORM_CPUS`: ``tlb_flushes``, ``ipis``, ``lazy_purges``
    and ``lazy_max_pages`` (0 at v2.6.27, which has no lazy freeing).
    """
    out: dict[str, dict[str, list[int]]] = {}
    for version in VMAP_VERSIONS:
        rows: dict[str, list[int]] = {}
        for cpus in STORM_CPUS:
            k = _boot(version, cpus=cpus)
            d = map_touch_unmap_counts(k, 1, ops)
            lazy = k.subsystems["vmalloc"].lazy_max_pages() if k.has("db64fe02258f") else 0
            values = {"tlb_flushes": d["tlb_flushes"], "ipis": d["ipis"], "lazy_purges": d.get("lazy_purges", 0),
                      "lazy_max_pages": lazy}
            for key, value in values.items():
                rows.setdefault(key, []).append(value)
        out[version] = rows
    return out


@figure
def vmap_rewrite_flushes_by_cpus():
    """TLB flushes and IPIs for 16384 map+touch+unmap operations of 4 pages by one thread, against
    the number of CPUs (1 to 16), at v2.6.27 (a flush on every unmap, IPIs to every other CPU) and
    v2.6.28 (db64fe02258f: a flush per lazy purge; the purge threshold grows with the CPUs)."""
    from matplotlib.figure import Figure

    r = vmap_rewrite_by_cpus()
    cpus = list(STORM_CPUS)
    fig = Figure(figsize=(8, 3.4), layout="constrained")
    for i, (key, label) in enumerate((("tlb_flushes", "TLB flushes"), ("ipis", "IPIs sent"))):
        ax = fig.add_subplot(1, 2, i + 1)
        for version, style in zip(VMAP_VERSIONS, ("o-", "s--")):
            ax.plot(cpus, [max(v, 0.5) for v in r[version][key]], style, label=f"v{version}")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xticks(cpus, [str(c) for c in cpus])
        ax.set_xlabel("CPUs online")
        ax.set_title(f"{label} (log; 0 drawn at 0.5)", fontsize=10)
        ax.grid(alpha=0.3)
        if i == 0:
            ax.legend()
    data: dict[str, Any] = {"cpus": cpus}
    for version in VMAP_VERSIONS:
        for key in ("tlb_flushes", "ipis", "lazy_purges", "lazy_max_pages"):
            data[f"v{version} {key}"] = r[version][key]
    return fig, data


# ==========================================================================================
# 68ad4a330433: long_busy_list_alloc_test
# ==========================================================================================
#: The cover letter's numbers for ``test_vmalloc.sh performance`` [V: the series' cover letter, 2019].
BUSY_RECORD = {"i5-3320M cycles, default": 646919905370, "i5-3320M cycles, patched": 193290498550,
               "HiKey960 cycles, default": 3478683207, "HiKey960 cycles, patched": 463767978}
BUSY_VERSIONS = ("5.1", "5.2")
BUSY_PINNED = 15000
#: test_loop_count of the performance-mode run (every test of the run uses it, as the module does).
BUSY_LOOPS = 40
BUSY_CURVE = (100, 1000, 10000, 100000)
BUSY_CURVE_LOOPS = 4
BUSY_MEM = "1G"


def test_vmalloc_params(mask: int, loops: int) -> dict[str, Any]:
    """``modprobe test_vmalloc run_test_mask=MASK test_loop_count=LOOPS sequential_test_order=1
    single_cpu_test=1`` (the 5.1 module's parameters)."""
    return {"run_test_mask": mask, "test_loop_count": loops, "test_repeat_count": 1,
            "sequential_test_order": True, "nr_pages": 0, "use_huge": False, "nr_threads": None,
            "single_cpu_test": True}


def performance_mode_kernel(version: str, loops: int = BUSY_LOOPS) -> Any:
    """A one-CPU kernel that has run the tests ``test_vmalloc.sh performance`` runs before
    ``long_busy_list_alloc_test``: ``fix_size_alloc_test`` and ``full_fit_alloc_test``, in order,
    on the first CPU (the module itself, :mod:`linuxmm_plugins.test_vmalloc`)."""
    from . import test_vmalloc

    k = _boot(version, mem=BUSY_MEM)
    for mask in (1, 2):
        test_vmalloc.run(k, test_vmalloc_params(mask, loops), out=lambda line: None)
    return k


def long_busy_list_body(k: Any, pinned: int, loops: int, other_worker: bool = False) -> dict[str, Any]:
    """``long_busy_list_alloc_test`` on CPU 0, its steps counted call by call: a ``8 * pinned``
    byte array, ``pinned`` one-page areas, then ``loops`` times ``vmalloc(100 pages)`` and
    ``vmalloc(1 page)``, a byte written to each, both freed; at the end everything is freed.

    With ``other_worker`` (a 2-CPU kernel), a second worker on CPU 1 runs ``fix_align_alloc_test``'s
    call (``__vmalloc_node(5 pages, THREAD_ALIGN << 1, GFP_KERNEL | __GFP_ZERO)``, freed after the
    pair) in step with it, as when every test runs on every CPU at once.
    """
    c = k.counters
    vmalloc_node = getattr(k, "__vmalloc_node")
    before = c["vmap_steps"]
    ptr = k.vmalloc(8 * pinned)
    pins = [k.vmalloc(PAGE) for _ in range(pinned)]
    if not ptr or not all(pins):
        raise LinuxmmError(f"long_busy_list_alloc_test: {pinned} areas do not fit {BUSY_MEM}")
    pin_steps = c["vmap_steps"] - before
    steps: list[int] = []
    seconds = 0.0
    for _ in range(loops):
        q = 0
        if other_worker:
            with k.on_cpu(1):
                q = vmalloc_node(5 * PAGE, THREAD_ALIGN << 1, GFP_KERNEL | _GFP_ZERO, 0)
        ptrs = []
        for size in (100 * PAGE, PAGE):
            before = c["vmap_steps"]
            t0 = time.perf_counter()
            p = k.vmalloc(size)
            seconds += time.perf_counter() - t0
            steps.append(c["vmap_steps"] - before)
            ptrs.append(p)
        for p in ptrs:
            k.memory.write(p, b"\0")
        for p in ptrs:
            k.vfree(p)
        if q:
            with k.on_cpu(1):
                k.vfree(q)
    for p in pins:
        k.vfree(p)
    k.vfree(ptr)
    return {"pin steps": pin_steps, "steps": steps, "seconds per allocation": seconds / len(steps)}


@lru_cache(maxsize=None)
def long_busy_list() -> dict[str, Any]:
    """``long_busy_list_alloc_test`` (15000 pinned) as ``test_vmalloc.sh performance`` runs it, at
    v5.1 and v5.2: after ``fix_size_alloc_test`` and ``full_fit_alloc_test``, on one CPU,
    ``test_loop_count=40``.  Search steps of its loop's 80 allocations, the largest one, how many
    walked past every pinned area, and the steps of the pinning."""
    out: dict[str, Any] = {"pinned": BUSY_PINNED, "loops": BUSY_LOOPS, "allocations": 2 * BUSY_LOOPS}
    for version in BUSY_VERSIONS:
        run = long_busy_list_body(performance_mode_kernel(version), BUSY_PINNED, BUSY_LOOPS)
        steps = run["steps"]
        out[f"v{version} steps"] = sum(steps)
        out[f"v{version} largest"] = max(steps)
        out[f"v{version} walks past every pinned area"] = sum(1 for s in steps if s > BUSY_PINNED)
        out[f"v{version} pin steps"] = run["pin steps"]
        out[f"v{version} seconds per allocation"] = run["seconds per allocation"]
    return out


@lru_cache(maxsize=None)
def busy_cost_curve() -> dict[str, Any]:
    """Search steps of ``long_busy_list_alloc_test``'s allocations against the pinned areas, 10^2 to
    10^5, at v5.1 and v5.2: 4 loops (8 allocations) beside ``fix_align_alloc_test`` on a second CPU,
    as when every test runs on every CPU; a fresh 2-CPU kernel per point."""
    out: dict[str, Any] = {"pinned": list(BUSY_CURVE), "allocations": 2 * BUSY_CURVE_LOOPS}
    for version in BUSY_VERSIONS:
        steps, seconds = [], []
        for n in BUSY_CURVE:
            run = long_busy_list_body(_boot(version, mem=BUSY_MEM, cpus=2), n, BUSY_CURVE_LOOPS, other_worker=True)
            steps.append(sum(run["steps"]))
            seconds.append(run["seconds per allocation"])
        out[f"v{version} steps"] = steps
        out[f"v{version} seconds per allocation"] = seconds
    return out


@figure
def busy_areas_allocation_cost():
    """Search steps per allocation of ``long_busy_list_alloc_test`` (a 100-page and a 1-page
    ``vmalloc`` per loop, beside a worker allocating at 32K alignment) against the pinned busy
    areas, at v5.1 (a walk of the busy areas) and v5.2 (68ad4a330433's free-space tree); log-log."""
    from matplotlib.figure import Figure

    r = busy_cost_curve()
    n = r["pinned"]
    per = {v: [s / r["allocations"] for s in r[f"v{v} steps"]] for v in BUSY_VERSIONS}
    fig = Figure(figsize=(7, 3.6), layout="constrained")
    ax = fig.add_subplot()
    for version, style in zip(BUSY_VERSIONS, ("o-", "s--")):
        ax.plot(n, per[version], style, label=f"v{version}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("pinned busy areas")
    ax.set_ylabel("search steps per allocation")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    return fig, {"pinned": n, **{f"v{v} steps per allocation": per[v] for v in BUSY_VERSIONS}}


# ==========================================================================================
# 121e6f3258fe: huge vmalloc mappings
# ==========================================================================================
HUGE_SIZE = 64 * MB
HUGE_MEM = "256M"
#: (label, version, config, cmdline, call): the cases of :func:`huge_mappings`.
HUGE_CASES = (
    ("v5.12 vmalloc", "5.12", None, None, "vmalloc"),
    ("v5.13 vmalloc, HAVE_ARCH_HUGE_VMALLOC=y (what-if)", "5.13", {"HAVE_ARCH_HUGE_VMALLOC": "y"}, None, "vmalloc"),
    ("v5.13 vmalloc, HAVE_ARCH_HUGE_VMALLOC=y, nohugevmalloc", "5.13", {"HAVE_ARCH_HUGE_VMALLOC": "y"},
     "nohugevmalloc", "vmalloc"),
    ("v5.18 vmalloc", "5.18", None, None, "vmalloc"),
    ("v5.18 vmalloc_huge", "5.18", None, None, "vmalloc_huge"),
    ("v5.18 vmalloc_huge, nohugevmalloc", "5.18", None, "nohugevmalloc", "vmalloc_huge"),
)


@lru_cache(maxsize=None)
def huge_mappings() -> dict[str, list[Any]]:
    """TLB entries to map a 64 MiB ``vmalloc`` buffer, each page read once, per case of
    ``HUGE_CASES``: lists of the page order, 4K entries, 2M entries and TLB fills."""
    out: dict[str, list[Any]] = {"case": [], "page order": [], "4K entries": [], "2M entries": [],
                                 "TLB fills": []}
    for label, version, config, cmdline, call in HUGE_CASES:
        k = _boot(version, mem=HUGE_MEM, config=config or {}, cmdline=cmdline or "")
        fn = (lambda: k.vmalloc(HUGE_SIZE)) if call == "vmalloc" else (lambda: k.vmalloc_huge(HUGE_SIZE, GFP_KERNEL))
        got = map_and_touch(k, fn, HUGE_SIZE)
        if got is None:
            raise LinuxmmError(f"{label}: vmalloc of 64M failed at {HUGE_MEM}")
        _, _, order, small, huge, fills = got
        for key, value in zip(("case", "page order", "4K entries", "2M entries", "TLB fills"),
                              (label, order, small, huge, fills)):
            out[key].append(value)
    return out


@figure
def huge_vmalloc_tlb_entries():
    """TLB entries needed to map a 64 MiB ``vmalloc`` buffer: 4K page-table entries without huge
    mappings, 2M PMD entries with them (121e6f3258fe, v5.13; opt-in through ``vmalloc_huge`` from
    559089e0a93d, v5.18), and what ``nohugevmalloc`` does to each."""
    from matplotlib.figure import Figure

    r = huge_mappings()
    entries = [a + b for a, b in zip(r["4K entries"], r["2M entries"])]
    fig = Figure(figsize=(8, 3.6), layout="constrained")
    ax = fig.add_subplot()
    colors = ["#d9822b" if b else "#4878a8" for b in r["2M entries"]]
    y = list(range(len(entries)))
    ax.barh(y, entries, color=colors)
    for i, (small, huge) in enumerate(zip(r["4K entries"], r["2M entries"])):
        ax.annotate(f"{huge} x 2M" if huge else f"{small} x 4K", (entries[i], i), xytext=(4, 0),
                    textcoords="offset points", va="center", fontsize=8)
    ax.set_yticks(y, r["case"], fontsize=8)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlim(1, 200000)
    ax.set_xlabel("TLB entries to map 64 MiB (log)")
    return fig, {"case": r["case"], "4K entries": r["4K entries"], "2M entries": r["2M entries"]}


# ==========================================================================================
# f7a35a3c36d1: vrealloc grows in place again
# ==========================================================================================
#: The record's report: on v6.15-rc6 (82f2b0b97b36) a BPF selftest timed out after 120 s without
#: the fix and finished in 3 s with it [V: Eduard Zingerman's reply to "[REGRESSION] bpf verifier
#: slowdown due to vrealloc() change since 6.15-rc6", 2025-05].
VREALLOC_RECORD = {"without the fix (s)": "timeout after 120", "with the fix (s)": 3}
VREALLOC_VERSIONS = ("6.15-rc6", "6.15")
#: 1024 entries of 16 bytes: the history grows to 16 KiB, four pages.
VREALLOC_ENTRIES = 1024


def vrealloc_grow_run(version: str, entries: int = VREALLOC_ENTRIES) -> dict[str, Any]:
    """``push_insn_history`` ``entries`` times at ``version``: the counters it moved, and its time."""
    k = _boot(version, mem="64M")
    c = k.counters
    names = ("vrealloc_calls", "vmalloc_calls", "vfree_calls", "bytes_copied", "vrealloc_bytes_zeroed")
    before = {name: c[name] for name in names}
    env = {"insn_hist": 0, "insn_hist_cap": 0, "insn_hist_end": 0, "same": 0, "moved": 0, "first": 0}
    t0 = time.perf_counter()
    for i in range(entries):
        push_insn_history(k, env, i + 1)
    seconds = time.perf_counter() - t0
    out: dict[str, Any] = {name: c[name] - before[name] for name in names}
    out.update({"grown in place": env["same"], "moved": env["moved"], "seconds": seconds})
    k.vfree(env["insn_hist"])
    return out


@lru_cache(maxsize=None)
def vrealloc_grow() -> dict[str, Any]:
    """The BPF verifier's grow pattern at v6.15-rc6 and v6.15: counters (exact) and seconds."""
    out: dict[str, Any] = {"entries": VREALLOC_ENTRIES, "entry bytes": INSN_HIST_ENTRY}
    for version in VREALLOC_VERSIONS:
        for key, value in vrealloc_grow_run(version).items():
            out[f"v{version} {key}"] = value
    return out


# ==========================================================================================
# the command
# ==========================================================================================
#: The page's figures, in its order.
FIGURE_SPECS = (
    "linuxmm_plugins.history_results:vmap_rewrite_flushes_by_threads",
    "linuxmm_plugins.history_results:vmap_rewrite_flushes_by_cpus",
    "linuxmm_plugins.history_results:busy_areas_allocation_cost",
    "linuxmm_plugins.history_results:huge_vmalloc_tlb_entries",
    "linuxmm_plugins.mm_vrealloc_workloads:bytes_copied_by_history_length",
)


def machine() -> dict[str, str]:
    """What the numbers were measured on: CPUs (``nproc``), the CPU model, Python, the date."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.partition(":")[2].strip()
                    break
    except OSError:
        pass
    return {"nproc": str(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()),
            "cpu": model, "python": f"{platform.python_implementation()} {platform.python_version()}",
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, (list, tuple)):
        return " ".join(_fmt(v) for v in value)
    return str(value)


def _is_time(key: str) -> bool:
    return "seconds" in key


def report(times: bool = True) -> list[str]:
    """The lines ``linuxmm history-results`` prints: every counter the tests assert, section by
    section; then, with ``times``, the measured wall times and the machine."""
    lines: list[str] = []
    timed: list[str] = []

    def section(title: str, data: dict[str, Any], short: str = "") -> None:
        lines.append(f"== {title}")
        flat: dict[str, Any] = {}
        for key, value in data.items():
            if isinstance(value, dict):
                flat.update((f"{key} {sub}", v) for sub, v in value.items())
            else:
                flat[key] = value
        for key, value in flat.items():
            if _is_time(key):
                timed.append(f"{short}: {key}: {_fmt(value)}")
            else:
                lines.append(f"{key}: {_fmt(value)}")

    r = vmap_rewrite()
    section(f"db64fe02258f: map+touch+unmap of 4 pages, {VMAP_LOOPS} per thread, {VMAP_CPUS} CPUs",
            {"threads": list(VMAP_THREADS), **{f"v{v}": r[v] for v in VMAP_VERSIONS}})
    section("db64fe02258f: one thread until the first lazy purge", lazy_flush_interval())
    section(f"db64fe02258f: one thread, {STORM_OPS} operations, by CPUs online",
            {"cpus": list(STORM_CPUS), **{f"v{v}": r for v, r in vmap_rewrite_by_cpus().items()}})
    section(f"db64fe02258f: the record (ns per operation)", VMAP_REWRITE_RECORD)
    section(f"68ad4a330433: long_busy_list_alloc_test as test_vmalloc.sh performance runs it "
            f"(after fix_size and full_fit, one CPU, test_loop_count={BUSY_LOOPS})", long_busy_list(),
            "long_busy_list_alloc_test, 15000 pinned")
    section(f"68ad4a330433: cost curve ({BUSY_CURVE_LOOPS} loops beside fix_align_alloc_test on a second CPU)",
            busy_cost_curve(), f"long_busy_list_alloc_test, {' '.join(map(str, BUSY_CURVE))} pinned")
    section("68ad4a330433: the record (test_vmalloc.sh performance, all tests)", BUSY_RECORD)
    section("121e6f3258fe: TLB entries to map 64 MiB, every page read once", huge_mappings())
    section(f"f7a35a3c36d1: BPF instruction history, {VREALLOC_ENTRIES} one-entry grows", vrealloc_grow(),
            f"BPF instruction history, {VREALLOC_ENTRIES} grows")
    section("f7a35a3c36d1: the record", VREALLOC_RECORD)
    if times:
        lines.append("== wall times (measured, not asserted)")
        lines.extend(timed)
        lines.append("== machine")
        lines.extend(f"{key}: {value}" for key, value in machine().items())
    return lines


def _configure(parser: Any) -> None:
    parser.add_argument("--figures", metavar="DIR", default=None,
                        help="also draw every figure of docs/history-reproduced.md into DIR (PNG)")
    parser.add_argument("--no-times", dest="times", action="store_false",
                        help="print the counters only (no wall times, no machine): the deterministic part")


def _run(args: Any, boot: Callable[[], Any]) -> int:
    for line in report(times=args.times):
        print(line)
    if args.figures:
        from linuxmm.sphinx_figures import draw

        for spec in FIGURE_SPECS:
            path = os.path.join(args.figures, spec.rpartition(":")[2] + ".png")
            draw(spec, path)
            print(f"wrote {path}")
    return 0


@hookimpl
def linuxmm_commands():
    return [Command("history-results", run=_run, configure=_configure, boots=False,
                    help="reruns the record's performance results (db64fe02258f, 68ad4a330433, 121e6f3258fe, "
                         "f7a35a3c36d1) and prints their numbers; --figures DIR draws the figures",
                    example="linuxmm history-results --figures /tmp/figures")]
