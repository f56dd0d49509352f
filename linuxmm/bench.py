"""``linuxmm bench``: the hot path, boot time and boot memory against their targets.

Measured in one run:

* **floor**: what CPython needs for the cheapest pair of list method calls,
  ``lst.append(x); lst.pop()``, per pair (``timeit``, best of 5);
* **pair**: the buddy allocator's order-0 round trip at v2.6.28 on the
  default machine, ``addr = k.alloc_pages(GFP_KERNEL, 0); k.free_pages(addr, 0)``,
  per pair (best of 5), and its ratio to the floor;
* **boot**: the wall time of ``linuxmm.boot("2.6.28", mem="64G")`` and the
  peak RSS (``ru_maxrss``, KiB on Linux) of the process that did it, in a
  fresh interpreter so this process's memory does not count.

Targets: pair <= 15x floor; boot <= 2 s; peak RSS <= 300 MB.  The figures
depend on the machine; only the ratio is meant to travel.
"""

from __future__ import annotations

import json
import subprocess
import sys
import timeit
from typing import Callable

BENCH_VERSION = "2.6.28"
BOOT_MEM = "64G"
TARGET_RATIO = 15.0
TARGET_BOOT_S = 2.0
TARGET_RSS_MB = 300.0
REPEAT = 5

_CHILD = """
import json, resource, time
import linuxmm
linuxmm.history()  # build the plugin host first: boot() is what is timed
t0 = time.perf_counter()
k = linuxmm.boot({version!r}, mem={mem!r})
t1 = time.perf_counter()
print(json.dumps({{"boot_s": t1 - t0, "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "free": k.page_alloc.nr_free_pages() if hasattr(k, "page_alloc") else None}}))
"""


def floor_pair(number: int) -> float:
    """Seconds per ``lst.append(x); lst.pop()`` pair, best of :data:`REPEAT`."""
    timer = timeit.Timer("lst.append(x); lst.pop()", setup="lst = []; x = 1")
    return min(timer.repeat(repeat=REPEAT, number=number)) / number


def alloc_free_pair(number: int, version: str = BENCH_VERSION) -> float:
    """Seconds per order-0 ``alloc_pages`` + ``free_pages`` pair at ``version``, best of :data:`REPEAT`."""
    import linuxmm

    k = linuxmm.boot(version)
    # k and GFP_KERNEL are locals of the timing loop (set in setup), as lst and x are for the floor
    timer = timeit.Timer("addr = k.alloc_pages(GFP_KERNEL, 0); k.free_pages(addr, 0)",
                         setup="k = _k; GFP_KERNEL = _gfp", globals={"_k": k, "_gfp": linuxmm.GFP_KERNEL})
    timer.timeit(number=min(number, 1000))  # warm the per-CPU lists
    return min(timer.repeat(repeat=REPEAT, number=number)) / number


def boot_in_subprocess(version: str | None = None, mem: str | None = None, timeout: float = 300) -> dict:
    """Boot in a fresh interpreter; returns ``{"boot_s": ..., "maxrss_kib": ...}``."""
    from .errors import LinuxmmError

    version = version or BENCH_VERSION
    mem = mem or BOOT_MEM
    code = _CHILD.format(version=version, mem=mem)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise LinuxmmError(f"bench: booting mem={mem} at {version} in a subprocess failed: {last}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run(quick: bool = False, check: bool = False, out: Callable[[str], None] = print) -> int:
    """Measure, print the report, and return the exit status (1 with ``check`` when a target is missed)."""
    floor_n = 100_000 if quick else 1_000_000
    pair_n = 5_000 if quick else 50_000
    out(f"linuxmm bench: v{BENCH_VERSION}, {'quick' if quick else 'full'} run, timeit best of {REPEAT}")
    floor = floor_pair(floor_n)
    out(f"floor: {floor * 1e9:.1f} ns per lst.append(x); lst.pop() pair ({floor_n} pairs)")
    pair = alloc_free_pair(pair_n)
    ratio = pair / floor
    out(f"pair: {pair * 1e9:.1f} ns per alloc_pages(GFP_KERNEL, 0) + free_pages(addr, 0) at v{BENCH_VERSION} "
        f"({pair_n} pairs)")
    out(f"ratio: {ratio:.1f}x floor")
    child = boot_in_subprocess()
    boot_s = child["boot_s"]
    rss_mb = child["maxrss_kib"] * 1024 / 1e6
    out(f"boot: {boot_s:.3f} s for mem={BOOT_MEM} at v{BENCH_VERSION} (fresh process)")
    out(f"peak rss: {rss_mb:.1f} MB (ru_maxrss of that process, interpreter included)")
    results = [
        (f"pair <= {TARGET_RATIO:g}x floor", f"{ratio:.1f}x", ratio <= TARGET_RATIO),
        (f"boot <= {TARGET_BOOT_S:g} s", f"{boot_s:.3f} s", boot_s <= TARGET_BOOT_S),
        (f"peak rss <= {TARGET_RSS_MB:g} MB", f"{rss_mb:.1f} MB", rss_mb <= TARGET_RSS_MB),
    ]
    for what, figure, ok in results:
        out(f"target {what}: {figure} {'ok' if ok else 'MISSED'}")
    results += run_plugin_cases(floor, pair_n, out)
    missed = sum(not ok for _, _, ok in results)
    out(f"targets: {len(results) - missed} ok, {missed} missed")
    return 1 if (check and missed) else 0


# -- cases from plugins (the linuxmm_bench_cases hook) -------------------------------------------------------
def case_pair(case, number: int) -> float:
    """Seconds per run of a plugin case's ``stmt``, best of :data:`REPEAT` (its ``setup()`` boots first)."""
    timer = timeit.Timer(case.stmt, globals=case.setup())
    timer.timeit(number=min(number, 1000))  # warm up
    return min(timer.repeat(repeat=REPEAT, number=number)) / number


def run_plugin_cases(floor: float, number: int, out: Callable[[str], None]) -> list[tuple[str, str, bool]]:
    """Time every plugin's bench case against ``floor``; print one line each and each target's verdict."""
    from .host import get_host

    results = []
    for case in sorted(get_host().bench_cases.values(), key=lambda c: (c.group, c.name)):
        t = case_pair(case, number)
        ratio = t / floor
        out(f"case {case.name}: {t * 1e9:.1f} ns per {case.stmt!r} ({ratio:.1f}x floor)")
        if case.target is not None:
            ok = ratio <= case.target
            out(f"target {case.name} <= {case.target:g}x floor: {ratio:.1f}x {'ok' if ok else 'MISSED'}")
            results.append((case.name, f"{ratio:.1f}x", ok))
    return results
