"""``linuxmm bench``: the model's costs against the CPython floor, measured in one run.

What is measured
----------------
* **pair cases** (:class:`~linuxmm.records.BenchCase`): a statement that does
  one operation pair (``a = k.alloc_pages(GFP_KERNEL, 0); k.free_pages(a, 0)``),
  timed against the **floor**, the cheapest pair of list method calls
  CPython can make, ``lst.append(x); lst.pop()``.  The built-in cases are the
  page allocators of every era (order 0 for each, order 3 for the buddy
  eras); every other plugin adds its own through the ``linuxmm_bench_cases``
  hook and is picked up here without any change to this module.
* **boot cases**: ``linuxmm.boot(BOOT_VERSION, mem=...)`` at 1G, 16G and 64G,
  each in a fresh interpreter (the wall time of ``boot()`` and the peak RSS of
  that process, interpreter included).
* **command cases**: a whole ``linuxmm`` command in a fresh interpreter, wall
  time and peak RSS (``--mem 256G --cpus 1024 run``: the scale target).
* **workload**: a 1,000,000-operation mixed workload at :data:`WORKLOAD_VERSION`
  that drives whichever allocators that kernel has (pages always; kmalloc
  and vmalloc when a slab or vmalloc subsystem is built), timed on this
  thread's CPU clock.
* **curves** (``--curves``): the cost of an order-0 pair against 10^2..10^5
  live blocks, for each page-allocator era: time, the kernel's own step
  counters per pair, and the Python lines the model executes per pair.

Method
------
The machine this runs on is shared and noisy, so no figure is a single
timing.  For each pair case the floor and the subject are timed in
alternating rounds (floor first in even rounds, subject first in odd ones),
each round long enough to be timed reliably (:attr:`Settings.round_s`); a
round gives one ratio, subject over floor, both measured within a few
milliseconds of each other.  A case's figure is the **median ratio over its
rounds**, reported with the interquartile range of the rounds; the
nanoseconds are medians too.  Garbage collection is off while timing
(``timeit``'s default).

The ``--check`` rule
--------------------
A case with a target passes when its median ratio is at most the target
(boot and command cases: wall time and peak RSS at most theirs; the
workload: its time).  A pair case whose ratio lands within
:data:`CONFIRM_BAND` (10 %) of its target is measured :data:`CONFIRM_PASSES`
times in all, the others after the rest of the run, each in a fresh
setup, and the median pass decides: a burst of load from other jobs moves
one pass, not the median of three.  The run-to-run spread of every figure
was measured over ten consecutive runs on a 2-core machine shared with
other work (docs/performance.md).  A case whose setup fails counts as
missed.

JSON
----
``--json`` prints one object (see :data:`SCHEMA` and docs/performance.md):
``{"schema", "mode", "python", "machine", "date", "floor_ns", "cases": [...],
"curves": [...], "summary": {"ok", "missed", "measured"}}``; each case has
``name``, ``group``, ``kind``, ``figures`` and ``verdict``.
"""

from __future__ import annotations

import datetime
import functools
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import timeit
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from .errors import LinuxmmError
from .records import BenchCase

SCHEMA = "linuxmm-bench/1"
FLOOR_STMT = "lst.append(x); lst.pop()"
FLOOR_SETUP = "lst = []; x = 1"

BOOT_VERSION = "6.15"
BOOT_MEMS = ("1G", "16G", "64G")
#: Boot targets: (seconds, MB of peak RSS), by --mem.
BOOT_TARGETS = {"64G": (1.0, 250.0)}
WORKLOAD_VERSION = "6.15"
WORKLOAD_OPS = 1_000_000
WORKLOAD_TARGET_S = 10.0
#: The scale command and its targets (seconds, MB).
SCALE_ARGV = ("--mem", "256G", "--cpus", "1024", "run")
SCALE_TARGETS = (3.0, 500.0)

#: The clock of every pair timing: this thread's CPU time, which does not run while another
#: process has the CPU (wall time on a shared machine counts the waits too).
CLOCK = time.thread_time

#: A pair case whose median ratio lands within this fraction of its target (either side) is
#: measured again, later in the run, until it has this many passes; the median pass decides.
CONFIRM_BAND = 0.10
CONFIRM_PASSES = 3

#: Ratio targets of the page allocators' order-0 pairs.
BUDDY_TARGET = 10.0
OTHER_TARGET = 30.0


@dataclass(frozen=True)
class Settings:
    """How long to measure: ``rounds`` alternating rounds of about ``round_s`` seconds each."""

    mode: str
    rounds: int
    round_s: float
    curve_rounds: int
    curve_sizes: tuple[int, ...] = (100, 1000, 10_000, 100_000)


QUICK = Settings("quick", rounds=7, round_s=0.01, curve_rounds=3)
FULL = Settings("full", rounds=15, round_s=0.03, curve_rounds=5)


# -- the built-in page cases ---------------------------------------------------
@dataclass(frozen=True)
class PageEra:
    """One page allocator era as the bench drives it: how to allocate and free one block."""

    label: str
    version: str
    mem: str | None
    alloc: str  # statement template with {order}; binds ``a``
    free: str
    buddy: bool  # the 2.6+ zoned buddy allocator with per-CPU lists
    orders: bool  # has multi-page blocks
    curve_mem: str | None = None
    curve_cmdline: str | None = None  # 1.0 sees 64M without mem= (its BIOS count is 16 bits of KB)


_GFP = "a = k.__get_free_pages(GFP_KERNEL, {order})"
_FREE = "k.free_pages(a, {order})"
PAGE_ERAS = (
    PageEra("0.01", "0.01", None, "a = k.get_free_page()", "k.free_page(a)", False, False),
    PageEra("0.11", "0.11", None, "a = k.get_free_page()", "k.free_page(a)", False, False),
    PageEra("1.0", "1.0", "64M", "a = k.__get_free_page(GFP_KERNEL)", "k.free_page(a)", False, False,
            curve_mem="512M", curve_cmdline=f"mem={512 << 20}"),
    PageEra("1.2", "1.2.0", "64M", _GFP, _FREE, False, True, curve_mem="512M"),
    PageEra("2.0", "2.0", "64M", _GFP, _FREE, False, True, curve_mem="512M"),
    PageEra("2.2", "2.2.0", "64M", _GFP, _FREE, False, True, curve_mem="512M"),
    PageEra("2.4", "2.4.0", "64M", _GFP, _FREE, False, True, curve_mem="512M"),
    PageEra("2.6.20", "2.6.20", None, "a = k.alloc_pages(GFP_KERNEL, {order})", _FREE, True, True,
            curve_mem="1G"),
    PageEra("2.6.28", "2.6.28", None, "a = k.alloc_pages(GFP_KERNEL, {order})", _FREE, True, True,
            curve_mem="1G"),
    PageEra("4.4", "4.4", None, "a = k.alloc_pages(GFP_KERNEL, {order})", _FREE, True, True, curve_mem="1G"),
    PageEra("6.15", "6.15", None, "a = k.alloc_pages(GFP_KERNEL, {order})", _FREE, True, True, curve_mem="1G"),
)


def _boot_globals(version: str, mem: str | None) -> dict:
    import linuxmm

    return {"k": linuxmm.boot(version, mem=mem), "GFP_KERNEL": linuxmm.GFP_KERNEL}


def page_cases() -> list[BenchCase]:
    """The built-in cases: an order-0 pair for every era, an order-3 pair for the buddy eras."""
    cases = []
    for era in PAGE_ERAS:
        setup = functools.partial(_boot_globals, era.version, era.mem)
        mem = f" at {era.mem}" if era.mem else ""
        cases.append(BenchCase(
            f"page-order0-{era.label}", stmt=f"{era.alloc.format(order=0)}; {era.free.format(order=0)}",
            setup=setup, target=BUDDY_TARGET if era.buddy else OTHER_TARGET, group="page",
            help=f"order-0 alloc+free pair at v{era.version}{mem}"))
    for era in PAGE_ERAS:
        if era.orders:
            mem = f" at {era.mem}" if era.mem else ""
            cases.append(BenchCase(
                f"page-order3-{era.label}", stmt=f"{era.alloc.format(order=3)}; {era.free.format(order=3)}",
                setup=functools.partial(_boot_globals, era.version, era.mem), group="page",
                help=f"order-3 alloc+free pair at v{era.version}{mem}"))
    return cases


def plugin_cases() -> list[BenchCase]:
    """Every case other plugins register through ``linuxmm_bench_cases``, in name order."""
    from .host import get_host

    return sorted(get_host().bench_cases.values(), key=lambda c: (c.group, c.name))


# -- measuring -----------------------------------------------------------------
def _quartiles(values: list[float]) -> tuple[float, float, float]:
    """(25th percentile, median, 75th percentile) of ``values``."""
    if len(values) == 1:
        return values[0], values[0], values[0]
    q = statistics.quantiles(values, n=4, method="inclusive")
    return q[0], statistics.median(values), q[2]


def _calibrate(timer: timeit.Timer, round_s: float) -> int:
    """A loop count that makes one timing last about ``round_s`` (at least 10 loops)."""
    number = 10
    while True:
        elapsed = timer.timeit(number)
        if elapsed >= round_s / 4 or number >= 1 << 24:
            return max(10, int(number * round_s / max(elapsed, 1e-9)))
        number *= 4


def _kernels(globs: dict) -> list[Any]:
    from .kernel import Kernel

    return [v for v in globs.values() if isinstance(v, Kernel)]


def measure_pair(stmt: str, globs: dict, settings: Settings) -> dict:
    """Time ``stmt`` against the floor in alternating rounds; the figures of one pair case.

    Returns ``ns`` (median per operation pair), ``floor_ns`` (median floor of
    the same rounds), ``ratio`` (median of the per-round ratios) with its
    quartiles ``ratio_q1``/``ratio_q3``, ``ratio_of_best`` (the fastest
    subject round over the fastest floor round, for comparison), ``rounds``,
    ``number`` (pairs per round) and ``counters``: what the kernel counted per pair while timed
    (only counters that moved).
    """
    # the names the statement uses are locals of the timing loop, as lst and x are for the floor
    names = [n for n in globs if n.isidentifier() and not n.startswith("__")]
    setup = "; ".join(f"{n} = __bench_globals[{n!r}]" for n in names) or "pass"
    subject = timeit.Timer(stmt, setup=setup, globals={**globs, "__bench_globals": globs}, timer=CLOCK)
    floor = timeit.Timer(FLOOR_STMT, setup=FLOOR_SETUP, timer=CLOCK)
    n_subject = _calibrate(subject, settings.round_s)  # also warms the per-CPU lists
    n_floor = _calibrate(floor, settings.round_s)
    kernels = _kernels(globs)
    before = [dict(k.counters) for k in kernels]
    ratios, subj, flo = [], [], []
    for r in range(settings.rounds):
        if r % 2 == 0:
            f = floor.timeit(n_floor) / n_floor
            s = subject.timeit(n_subject) / n_subject
        else:
            s = subject.timeit(n_subject) / n_subject
            f = floor.timeit(n_floor) / n_floor
        ratios.append(s / f)
        subj.append(s)
        flo.append(f)
    done = settings.rounds * n_subject
    counters: dict[str, float] = {}
    for k, old in zip(kernels, before):
        for name, value in k.counters.items():
            delta = value - old.get(name, 0)
            if delta:
                counters[name] = round(delta / done, 3)
    q1, med, q3 = _quartiles(ratios)
    return {"ns": round(statistics.median(subj) * 1e9, 1), "floor_ns": round(statistics.median(flo) * 1e9, 2),
            "ratio": round(med, 2), "ratio_q1": round(q1, 2), "ratio_q3": round(q3, 2),
            "ratio_of_best": round(min(subj) / min(flo), 2),
            "rounds": settings.rounds, "number": n_subject, "counters": counters}


#: The child's peak RSS in KiB: Linux's VmHWM is this process image's own high-water mark
#: (``ru_maxrss`` survives ``execve`` and would report the parent's size when that is larger).
_PEAK_RSS = """
def _peak_rss_kib():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
"""

_CHILD_BOOT = _PEAK_RSS + """
import json, time
import linuxmm
linuxmm.history()  # build the plugin host first: boot() is what is timed
t0 = time.perf_counter()
k = linuxmm.boot({version!r}, mem={mem!r}, cpus={cpus!r})
t1 = time.perf_counter()
print(json.dumps({{"seconds": t1 - t0, "maxrss_kib": _peak_rss_kib()}}))
"""

_CHILD_COMMAND = _PEAK_RSS + """
import contextlib, io, json, sys, time
t0 = time.perf_counter()
from linuxmm.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    status = main({argv!r})
t1 = time.perf_counter()
print(json.dumps({{"status": status, "seconds": t1 - t0, "maxrss_kib": _peak_rss_kib()}}))
"""


def _child(code: str, what: str, timeout: float = 600) -> dict:
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise LinuxmmError(f"bench: {what} in a subprocess failed: {last}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def boot_in_subprocess(version: str, mem: str, cpus: int = 1) -> dict:
    """Boot in a fresh interpreter: ``{"seconds": boot() wall time, "maxrss_kib": peak RSS}``."""
    return _child(_CHILD_BOOT.format(version=version, mem=mem, cpus=cpus), f"booting mem={mem} at {version}")


def command_in_subprocess(argv: Iterable[str]) -> dict:
    """Run ``linuxmm ARGV`` in a fresh interpreter (imports included in the time); status, seconds, RSS."""
    argv = list(argv)
    result = _child(_CHILD_COMMAND.format(argv=argv), f"linuxmm {' '.join(argv)}")
    if result["status"] != 0:
        raise LinuxmmError(f"bench: linuxmm {' '.join(argv)} exited with status {result['status']}")
    return result


# -- the mixed workload ----------------------------------------------------------
def _has_call(kernel: Any, name: str) -> bool:
    provides = getattr(kernel, "provides", None)
    return provides(name) if provides is not None else name in getattr(kernel, "_api", ())


#: The mix of the workload, as a kernel's allocations run: small objects most, pages next
#: (order 0 most of them), vmalloc least.  Weights of (allocator, size) draws.
MIX_KINDS = {"kmalloc": 50, "pages": 35, "vmalloc": 15}
MIX_ORDERS = (70, 15, 10, 5)  # orders 0..3 of the page allocations


def mixed_workload(kernel: Any, ops: int, seed: int = 1, live: int = 1000) -> dict:
    """Run ``ops`` operations mixing every allocator ``kernel`` has; returns what was done.

    The operation stream is drawn first (seeded, so every run does the same
    work) and then replayed, timed.  The allocators are those the kernel has,
    weighted as :data:`MIX_KINDS` says (the weights of the ones it lacks are
    left out): pages of orders 0-3 (:data:`MIX_ORDERS`) always; kmalloc of
    8..4096 bytes when it has ``kmalloc``/``kfree``; vmalloc of 1..16 pages
    when it has ``vmalloc``/``vfree``.  Each allocator keeps at most ``live``
    blocks: at the bound, or on a coin toss, a random live block is freed
    instead of a new one allocated.  ``seconds`` is this thread's CPU time
    for the replay (:data:`CLOCK`), as for the pair cases.
    """
    import random
    from array import array

    from .gfp import GFP_KERNEL

    kinds = [("pages", kernel.alloc_pages, kernel.free_pages)] if _has_call(kernel, "alloc_pages") else []
    if _has_call(kernel, "kmalloc") and _has_call(kernel, "kfree"):
        kinds.append(("kmalloc", kernel.kmalloc, kernel.kfree))
    if _has_call(kernel, "vmalloc") and _has_call(kernel, "vfree"):
        kinds.append(("vmalloc", kernel.vmalloc, kernel.vfree))
    if not kinds:
        raise LinuxmmError(f"bench: {kernel.version} has no allocator the workload knows")
    rng = random.Random(seed)
    kind = array("B", rng.choices(range(len(kinds)), weights=[MIX_KINDS[n] for n, _, _ in kinds], k=ops))
    orders = array("B", rng.choices(range(len(MIX_ORDERS)), weights=MIX_ORDERS, k=ops))
    toss = array("B", (rng.getrandbits(1) for _ in range(ops)))
    arg = array("H", (rng.getrandbits(16) for _ in range(ops)))
    pools: list[list] = [[] for _ in kinds]
    done = {name: [0, 0, 0] for name, _, _ in kinds}  # allocations, frees, failures
    t0 = CLOCK()
    for i in range(ops):
        j = kind[i]
        pool = pools[j]
        name, alloc, free = kinds[j]
        if pool and (len(pool) >= live or toss[i]):
            victim = arg[i] % len(pool)
            pool[victim], pool[-1] = pool[-1], pool[victim]
            p, order = pool.pop()
            if name == "pages":
                free(p, order)
            else:
                free(p)
            done[name][1] += 1
            continue
        order = 0
        if name == "pages":
            order = orders[i]
            p = alloc(GFP_KERNEL, order)
        elif name == "kmalloc":
            p = alloc(8 + arg[i] % 4089, GFP_KERNEL)
        else:
            p = alloc((1 + arg[i] % 16) << 12)
        if p:
            pool.append((p, order))
            done[name][0] += 1
        else:
            done[name][2] += 1
    seconds = CLOCK() - t0
    return {"seconds": seconds, "ops": ops, "allocators": {n: dict(zip(("allocs", "frees", "failed"), v))
                                                           for n, v in done.items()}}


# -- curves ---------------------------------------------------------------------
_STEP_COUNTERS = ("mem_map_scanned", "list_walks")


def _model_roots() -> tuple[str, ...]:
    """Directories whose code counts as the model: ``linuxmm`` and its built-in plugins."""
    import linuxmm_plugins

    import linuxmm

    return tuple(os.path.dirname(os.path.abspath(m.__file__)) + os.sep for m in (linuxmm, linuxmm_plugins))


def lines_per_call(func: Callable[[], Any]) -> int:
    """Python lines of the model (``linuxmm`` and its plugins, this module excepted) one ``func()`` executes.

    A deterministic measure of the model's own work, independent of the
    machine: it grows with the live blocks exactly where the model loops in
    Python over them.
    """
    roots = _model_roots()
    here = os.path.abspath(__file__)
    count = 0
    inside: dict[Any, bool] = {}

    def local(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return local

    def tracer(frame, event, arg):
        code = frame.f_code
        hit = inside.get(code)
        if hit is None:
            name = os.path.abspath(code.co_filename)
            hit = inside[code] = name.startswith(roots) and name != here
        return local if hit else None

    old = sys.gettrace()
    sys.settrace(tracer)
    try:
        func()
    finally:
        sys.settrace(old)
    return count


def curve(era: PageEra, sizes: Iterable[int], settings: Settings) -> list[dict]:
    """The order-0 pair of ``era`` with 10^2..10^5 blocks live: time, kernel steps and model lines per pair."""
    import linuxmm

    mem = era.curve_mem or era.mem
    stmt = f"{era.alloc.format(order=0)}; {era.free.format(order=0)}"
    code = compile(stmt, "<bench>", "exec")
    points = []
    for n in sizes:
        k = linuxmm.boot(era.version, mem=mem, cmdline=era.curve_cmdline)
        globs = {"k": k, "GFP_KERNEL": linuxmm.GFP_KERNEL}
        held = []
        alloc = compile(era.alloc.format(order=0), "<bench>", "exec")
        for _ in range(n):
            exec(alloc, globs)
            if not globs["a"]:
                break
            held.append(globs["a"])
        if len(held) < n:
            points.append({"live": n, "skipped": f"only {len(held)} blocks fit in mem={mem or 'default'}"})
            continue
        exec(code, globs)  # one pair first: the per-CPU lists settle
        before = {c: k.counters.get(c, 0) for c in _STEP_COUNTERS}
        exec(code, globs)
        steps = {c: k.counters.get(c, 0) - v for c, v in before.items() if c in k.counters}
        lines = lines_per_call(lambda: exec(code, globs))
        timing = measure_pair(stmt, globs, Settings(settings.mode, settings.curve_rounds, settings.round_s / 2, 0))
        points.append({"live": n, "ns": timing["ns"], "ratio": timing["ratio"], "steps": steps, "lines": lines})
    return points


# -- the run --------------------------------------------------------------------
@dataclass
class Report:
    """Everything one run measured, ready for the table or the JSON."""

    settings: Settings
    cases: list[dict] = field(default_factory=list)
    curves: list[dict] = field(default_factory=list)

    def summary(self) -> dict:
        verdicts = [c["verdict"] for c in self.cases]
        return {"ok": verdicts.count("ok"), "missed": verdicts.count("missed"), "measured": verdicts.count(None)}

    def to_json(self) -> dict:
        return {"schema": SCHEMA, "mode": self.settings.mode, "rounds": self.settings.rounds,
                "python": platform.python_version(), "implementation": platform.python_implementation(),
                "machine": {"system": platform.system(), "arch": platform.machine(), "cpus": os.cpu_count()},
                "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "floor_stmt": FLOOR_STMT,
                "floor_ns": (round(statistics.median(c["figures"]["floor_ns"] for c in self.cases
                                                     if c["kind"] == "pair" and c["figures"]) , 2)
                             if any(c["kind"] == "pair" and c["figures"] for c in self.cases) else None),
                "cases": self.cases, "curves": self.curves, "summary": self.summary()}


def _verdict(ok: bool | None) -> str | None:
    return None if ok is None else ("ok" if ok else "missed")


def pair_entry(case: BenchCase, settings: Settings) -> dict:
    """Run one pair case; a setup or statement that fails is reported, and counts as missed."""
    entry = {"name": case.name, "group": case.group, "kind": "pair", "help": case.help, "stmt": case.stmt,
             "target": case.target, "figures": None, "verdict": None, "error": None}
    try:
        globs = case.setup()
        figures = measure_pair(case.stmt, globs, settings)
    except Exception as exc:  # noqa: BLE001 -- a plugin's case must not end the run
        entry["error"] = f"{type(exc).__name__}: {' '.join(str(exc).split())}"
        entry["verdict"] = "missed"
        return entry
    figures["ratio_passes"] = [figures["ratio"]]
    entry["figures"] = figures
    if case.target is not None:
        entry["verdict"] = _verdict(figures["ratio"] <= case.target)
    return entry


def near_target(entry: dict) -> bool:
    """Whether a pair case's ratio is within :data:`CONFIRM_BAND` of its target (either side)."""
    fig, target = entry["figures"], entry["target"]
    return bool(fig and target is not None
                and target * (1 - CONFIRM_BAND) <= fig["ratio"] <= target * (1 + CONFIRM_BAND))


def confirm(entries: list[dict], cases: dict[str, BenchCase], settings: Settings,
            progress: Callable[[str], None]) -> None:
    """Measure the cases near their targets again, later in the run; decide on the median pass.

    A burst of load from other jobs that lasts a few seconds can move one
    measurement by several percent; taken again after the rest of the run,
    each pass in a fresh setup, the median of :data:`CONFIRM_PASSES` passes is
    what decides.  The figures shown are those of the median pass.
    """
    near = [e for e in entries if near_target(e)]
    for _ in range(CONFIRM_PASSES - 1):
        for entry in near:
            progress(f"{entry['name']} again")
            again = pair_entry(cases[entry["name"]], settings)
            if again["figures"] is not None:
                entry["figures"]["ratio_passes"].append(again["figures"]["ratio"])
                entry.setdefault("_passes", [dict(entry["figures"])]).append(again["figures"])
    for entry in near:
        passes = entry.pop("_passes", [entry["figures"]])
        ratios = entry["figures"]["ratio_passes"]
        median = sorted(passes, key=lambda f: f["ratio"])[len(passes) // 2]
        entry["figures"] = dict(median, ratio_passes=ratios)
        decide(entry)


def decide(entry: dict) -> dict:
    """Set an entry's verdict from its figures and targets (the ``--check`` rule, see the module docstring)."""
    fig, kind = entry["figures"], entry["kind"]
    if entry.get("error"):
        entry["verdict"] = "missed"
    elif kind == "pair":
        t = entry.get("target")
        entry["verdict"] = None if t is None else _verdict(fig["ratio"] <= t)
    elif kind in ("boot", "command"):
        t = entry.get("target")
        entry["verdict"] = None if t is None else _verdict(fig["seconds"] <= t["seconds"] and fig["rss_mb"] <= t["rss_mb"])
    elif kind == "workload":
        t = entry.get("target")
        entry["verdict"] = None if t is None else _verdict(fig["seconds"] <= t["seconds"])
    return entry


def boot_entries() -> list[dict]:
    out = []
    for mem in BOOT_MEMS:
        entry = {"name": f"boot-{mem}", "group": "boot", "kind": "boot", "help": f"boot v{BOOT_VERSION} mem={mem} in "
                 "a fresh process: boot() wall time, peak RSS", "stmt": f"linuxmm.boot({BOOT_VERSION!r}, mem={mem!r})",
                 "target": None, "figures": None, "verdict": None, "error": None}
        if mem in BOOT_TARGETS:
            s, mb = BOOT_TARGETS[mem]
            entry["target"] = {"seconds": s, "rss_mb": mb}
        try:
            child = boot_in_subprocess(BOOT_VERSION, mem)
            entry["figures"] = {"seconds": round(child["seconds"], 3), "rss_mb": round(child["maxrss_kib"] * 1024 / 1e6, 1)}
        except LinuxmmError as exc:
            entry["error"] = str(exc)
        out.append(decide(entry))
    return out


def scale_entry() -> dict:
    argv = SCALE_ARGV
    entry = {"name": "scale-256G-1024cpus", "group": "boot", "kind": "command",
             "help": "the whole command in a fresh process: wall time (imports included), peak RSS",
             "stmt": "linuxmm " + " ".join(argv), "target": {"seconds": SCALE_TARGETS[0], "rss_mb": SCALE_TARGETS[1]},
             "figures": None, "verdict": None, "error": None}
    try:
        child = command_in_subprocess(argv)
        entry["figures"] = {"seconds": round(child["seconds"], 3), "rss_mb": round(child["maxrss_kib"] * 1024 / 1e6, 1)}
    except LinuxmmError as exc:
        entry["error"] = str(exc)
    return decide(entry)


def workload_entry(ops: int | None = None) -> dict:
    import linuxmm

    ops = WORKLOAD_OPS if ops is None else ops
    entry = {"name": f"mixed-{WORKLOAD_VERSION}", "group": "workload", "kind": "workload",
             "help": f"{ops} mixed operations at v{WORKLOAD_VERSION} over every allocator it has",
             "stmt": f"mixed_workload(linuxmm.boot({WORKLOAD_VERSION!r}), {ops})",
             "target": {"seconds": WORKLOAD_TARGET_S * ops / WORKLOAD_OPS}, "figures": None, "verdict": None,
             "error": None}
    try:
        result = mixed_workload(linuxmm.boot(WORKLOAD_VERSION), ops)
        result["seconds"] = round(result["seconds"], 3)
        entry["figures"] = result
    except Exception as exc:  # noqa: BLE001
        entry["error"] = f"{type(exc).__name__}: {' '.join(str(exc).split())}"
    return decide(entry)


def collect(settings: Settings, only: str | None = None, curves: bool = False,
            progress: Callable[[str], None] | None = None) -> Report:
    """Measure every case (those whose name contains ``only``, if given) and, with ``curves``, the curves."""
    report = Report(settings)
    pick = (lambda name: only in name) if only else (lambda name: True)
    say = progress or (lambda text: None)
    cases = {case.name: case for case in page_cases() + plugin_cases() if pick(case.name)}
    for case in cases.values():
        say(case.name)
        report.cases.append(pair_entry(case, settings))
    pairs = list(report.cases)
    if pick("boot-") or pick("scale-"):
        if any(pick(f"boot-{m}") for m in BOOT_MEMS):
            say("boot")
            report.cases.extend(e for e in boot_entries() if pick(e["name"]))
        if pick("scale-256G-1024cpus"):
            say("scale")
            report.cases.append(scale_entry())
    if pick(f"mixed-{WORKLOAD_VERSION}"):
        say("workload")
        report.cases.append(workload_entry())
    confirm(pairs, cases, settings, say)
    if curves:
        for era in PAGE_ERAS:
            if only and only not in f"curve-{era.label}":
                continue
            say(f"curve {era.label}")
            report.curves.append({"name": f"curve-{era.label}", "version": era.version,
                                  "mem": era.curve_mem or era.mem, "points": curve(era, settings.curve_sizes, settings)})
    return report


# -- the human table ---------------------------------------------------------------
def _fmt_target(entry: dict) -> str:
    t = entry["target"]
    if t is None:
        return "-"
    if entry["kind"] == "pair":
        return f"<= {t:g}x"
    parts = []
    if "seconds" in t:
        parts.append(f"<= {t['seconds']:g} s")
    if "rss_mb" in t:
        parts.append(f"<= {t['rss_mb']:g} MB")
    return ", ".join(parts)


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    def line(cells):  # noqa: E306
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"
    return [line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"] + [line(r) for r in rows]


def render(report: Report) -> list[str]:
    """The report as text: Markdown tables (pairs, boots, workload, curves), then the verdict line."""
    s = report.settings
    data = report.to_json()
    out = [f"linuxmm bench: {s.mode} run, {s.rounds} alternating rounds of ~{s.round_s * 1000:g} ms per case, "
           f"Python {data['python']}, {data['machine']['cpus']} CPUs",
           f"floor: {FLOOR_STMT} = {data['floor_ns']} ns (median over every pair case's rounds)"
           if data["floor_ns"] is not None else f"floor: {FLOOR_STMT}"]
    pairs = [c for c in report.cases if c["kind"] == "pair"]
    if pairs:
        rows = []
        for c in pairs:
            f = c["figures"]
            if f is None:
                rows.append([c["name"], "-", "-", "-", _fmt_target(c), "error: " + (c["error"] or "")])
                continue
            verdict = c["verdict"] or "measured"
            if len(f.get("ratio_passes", ())) > 1:
                verdict += " (passes " + ", ".join(f"{r:.2f}x" for r in f["ratio_passes"]) + ")"
            rows.append([c["name"], f"{f['ns']:.0f}", f"{f['ratio']:.2f}x", f"{f['ratio_q1']:.2f}-{f['ratio_q3']:.2f}",
                         _fmt_target(c), verdict])
        out += [""] + _table(["case", "ns/pair", "ratio", "quartiles", "target", "verdict"], rows)
    counted = [c for c in pairs if c["figures"] and c["figures"]["counters"]]
    if counted:
        # what each case's kernel counted per operation while timed: the deterministic side of
        # the figures (TLB flushes, IPIs, bytes copied, list steps), where history shows
        out += ["", "kernel counters per operation (while timed)"]
        out += _table(["case", "group", "counters"],
                      [[c["name"], c["group"], ", ".join(f"{k}={v:g}" for k, v in sorted(c["figures"]["counters"].items()))]
                       for c in counted])
    others = [c for c in report.cases if c["kind"] != "pair"]
    if others:
        rows = []
        for c in others:
            f = c["figures"]
            if f is None:
                rows.append([c["name"], "-", "-", _fmt_target(c), "error: " + (c["error"] or "")])
                continue
            rss = f"{f['rss_mb']:.1f}" if "rss_mb" in f else "-"
            rows.append([c["name"], f"{f['seconds']:.3f}", rss, _fmt_target(c), c["verdict"] or "measured"])
        out += [""] + _table(["case", "seconds", "peak RSS MB", "target", "verdict"], rows)
    for cv in report.curves:
        rows = []
        for p in cv["points"]:
            if "skipped" in p:
                rows.append([str(p["live"]), "-", "-", "-", "-", p["skipped"]])
                continue
            steps = ", ".join(f"{k}={v}" for k, v in p["steps"].items()) or "-"
            rows.append([str(p["live"]), f"{p['ns']:.0f}", f"{p['ratio']:.2f}x", steps, str(p["lines"]), ""])
        out += ["", f"{cv['name']} (v{cv['version']}, mem={cv['mem'] or 'default'}): order-0 pair with N blocks live"]
        out += _table(["live", "ns/pair", "ratio", "kernel steps/pair", "model lines/pair", "note"], rows)
    summ = report.summary()
    out += ["", f"targets: {summ['ok']} ok, {summ['missed']} missed, {summ['measured']} measured only"]
    return out


def run(quick: bool = False, check: bool = False, as_json: bool = False, curves: bool = False,
        only: str | None = None, out: Callable[[str], None] = print) -> int:
    """Measure, print the report (table or JSON), and return the exit status.

    With ``check`` the status is 1 when any target is missed (see the module
    docstring for the rule), else 0.
    """
    settings = QUICK if quick else FULL
    progress = None if as_json else (lambda text: print(f"  measuring {text} ...", file=sys.stderr, flush=True))
    report = collect(settings, only=only, curves=curves, progress=progress if os.isatty(2) else None)
    if not report.cases and not report.curves:
        raise LinuxmmError(f"bench: no case matches {only!r}")
    if as_json:
        out(json.dumps(report.to_json(), indent=1))
    else:
        for line in render(report):
            out(line)
    return 1 if (check and report.summary()["missed"]) else 0
