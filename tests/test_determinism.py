"""Determinism: the same inputs give byte-identical output, whatever the process's hash seed.

For every allocator design (page allocators with ``mm/kmalloc.c``, SLAB, SLOB and SLUB eras,
``slub_debug``, vmalloc designs, KASAN) a fresh Python process runs a set of commands -- the
built-in workloads that apply, a workload file of kmalloc/kmem_cache/page/proc/dmesg ops,
/proc files, ``slabtop``, ``show-mem``, ``info``, a soak run, ``test_vmalloc`` -- and prints
what each wrote (stdout, stderr, exit status), then the kernel counters every bench case leaves
behind after a fixed number of its operations.  Two processes with different
``PYTHONHASHSEED`` values must print the same bytes, and so must a second round of the same
commands in the same process (no state leaks from one boot into the next).

Left out, because they are measurements: the timings of ``linuxmm bench`` (only the counters of
its cases are compared) and the ``avg: N usec`` / ``=N cycles`` figures of ``test_vmalloc``'s
Summary lines, which are masked; everything else test_vmalloc prints is compared.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

WORKLOAD = """description = "kmalloc, caches, pages and the logs"
[[op]]
kmalloc = "a"
size = 100
[[op]]
kmem_cache_create = "c"
size = 72
[[op]]
kmem_cache_alloc = "o"
cache = "c"
[[op]]
alloc = "p"
order = 1
[[op]]
kmalloc = "b"
size = 3000
[[op]]
kfree = "a"
[[op]]
kfree = "a"
double = true
[[op]]
proc = "meminfo"
[[op]]
dmesg = true
"""

#: design -> the kernel options of its commands
DESIGNS = {
    "kmalloc.c-1.0": ["--kernel-version", "1.0"],
    "kmalloc.c-1.2": ["--kernel-version", "1.2"],
    "kmalloc.c-2.0": ["--kernel-version", "2.0", "--cpus", "2"],
    "slab-2.2": ["--kernel-version", "2.2", "--cpus", "2"],
    "slab-2.4": ["--kernel-version", "2.4", "--cpus", "2"],
    "slab-2.6": ["--kernel-version", "2.6.20", "--cpus", "2"],
    "slab-6.x": ["--kernel-version", "6.5", "--config", "SLAB_DEPRECATED=y", "--cpus", "2"],
    "slob-2.6.16": ["--kernel-version", "2.6.16", "--config", "SLAB=n", "--config", "EMBEDDED=y"],
    "slob-2.6.26": ["--kernel-version", "2.6.26", "--config", "SLOB=y", "--config", "EMBEDDED=y", "--cpus", "2"],
    "slub-2.6.22-debug": ["--kernel-version", "2.6.22", "--config", "SLUB=y", "--cmdline", "slub_debug"],
    "slub-2.6.28": ["--kernel-version", "2.6.28", "--cpus", "2"],
    "slub-6.x-debug": ["--kernel-version", "6.12", "--cmdline", "slub_debug=FZPU", "--cpus", "2"],
    "vmap-huge-6.x": ["--kernel-version", "6.12", "--cpus", "3"],
    "kasan-6.x": ["--kernel-version", "6.12", "--config", "KASAN=y", "--config", "KASAN_VMALLOC=y",
                  "--cmdline", "kasan_multi_shot"],
    "6.18": ["--kernel-version", "6.18", "--cpus", "4"],
}
WORKLOADS = ["default", "kmalloc-mix", "slab-churn", "double-free", "vmalloc-churn", "vrealloc-grow",
             "vrealloc_test", "kasan_test"]


def commands(kernel: list[str]) -> list[list[str]]:
    out = [kernel + ["--seed", "7", "run", name] for name in WORKLOADS]
    out += [kernel + ["proc", name] for name in ("meminfo", "slabinfo", "vmallocinfo", "buddyinfo")]
    out += [kernel + ["run", "w.toml"], kernel + ["slabtop", "--run", "slab-churn"], kernel + ["show-mem"],
            kernel + ["info"], kernel + ["--seed", "3", "run", "--soak", "1500", "--check-every", "500"],
            # fix_size_alloc_test and random_size_alloc_test: full_fit's 16384 areas would take minutes on
            # 2.6.28's walk of the busy tree from its start (the quadratic search 5.2 replaced)
            kernel + ["test_vmalloc", "--test-loop-count", "5", "--run-test-mask", "9"]]
    return out


#: Runs in a fresh interpreter: each command twice through linuxmm.cli.main, then every bench case's counters.
DRIVER = r"""
import contextlib, io, json, re, sys
import linuxmm
from linuxmm.cli import main
from linuxmm.host import get_host

def run(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(argv)
    return f"$ linuxmm {' '.join(argv)}\n[{status}]\n{out.getvalue()}--- stderr\n{err.getvalue()}"

cmds, bench, timing = json.load(sys.stdin)
first = [run(a) for a in cmds]
second = [run(a) for a in cmds]
print("\n".join(first))
mask = re.compile(timing)  # test_vmalloc's measured times: the one part that is not compared
same = [mask.sub("N", a) for a in first] == [mask.sub("N", b) for b in second]
print("=== second round identical:", same)
if bench:
    for case in sorted(get_host().bench_cases.values(), key=lambda c: c.name):
        g = case.setup()
        code = compile(case.stmt, case.name, "exec")
        for _ in range(200):
            exec(code, g)
        k = g["k"]
        print(f"bench {case.name}: {json.dumps(dict(sorted(k.counters.items())))}")
        print(k.proc("meminfo"))
"""

_TIMING = re.compile(r"(avg: )\d+( usec)|(=)\d+( cycles)")
#: the figures alone, for the driver's comparison of its two rounds
_FIGURES = r"(?<=avg: )\d+(?= usec)|(?<==)\d+(?= cycles)"


def _run(payload: tuple[list[list[str]], bool], hashseed: str, cwd: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINUXMM_")}
    env["PYTHONHASHSEED"] = hashseed
    proc = subprocess.run([sys.executable, "-c", DRIVER], input=json.dumps([*payload, _FIGURES]), capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stdout
    return _TIMING.sub(lambda m: (m.group(1) or m.group(3)) + "N" + (m.group(2) or m.group(4)), proc.stdout)


@pytest.mark.parametrize("design", list(DESIGNS))
def test_same_inputs_give_byte_identical_output(design, tmp_path):
    (tmp_path / "w.toml").write_text(WORKLOAD)
    payload = (commands(DESIGNS[design]), design == "6.18")
    first, second = _run(payload, "1", str(tmp_path)), _run(payload, "4242", str(tmp_path))
    assert "=== second round identical: True" in first
    assert first == second
    assert first.count("$ linuxmm ") == len(payload[0])
    assert "[0]" in first  # the commands ran (some refuse what the era lacks: that is compared too)


def test_the_commands_exercise_every_allocator_and_the_logs(tmp_path):
    """A guard against a comparison of nothing: the runs print the slab, vmalloc, KASAN and log output."""
    (tmp_path / "w.toml").write_text(WORKLOAD)
    out = _run((commands(DESIGNS["kasan-6.x"]), True), "0", str(tmp_path))
    for text in ("slabinfo - version: 2.1", "kmem_cache_create c size=72", "BUG: KASAN: double-free",
                 "vmalloc-churn", "soak: no violation", "Summary: fix_size_alloc_test passed: 1 failed: 0",
                 "avg: N usec", "bench kmalloc64-slub: {", "Slab:"):
        assert text in out, text
