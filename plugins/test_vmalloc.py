"""``linuxmm test_vmalloc``: the kernel's ``lib/test_vmalloc.c`` run against the booted era.

The module (Uladzislau Rezki, with the free-space tree work) appeared in 5.1
[S: the 2019 cover letter; the commit was not pinned, so the release is
used]; on older eras the command runs it as a backport for comparison and
says so.  Module parameters keep their kernel names (``--run-test-mask``,
``--test-loop-count``, ``--test-repeat-count``, ``--nr-threads``,
``--sequential-test-order``, ``--nr-pages``, ``--use-huge``,
``--nr-pcpu-objects``; ``--single-cpu-test`` before 5.13, when ``nr_threads``
replaced it with 80f4759964cc [fact sheet, V-inferred; the model keys it to
v5.13]).

Test cases, in the module's order with their ``run_test_mask`` bit
[V: the 2026 linux-mm copy; the first eight are the 5.1 driver's]:

====  ================================  ===================================
bit   test                              in the model
====  ================================  ===================================
1     fix_size_alloc_test               as the kernel (``vmalloc_huge`` with use_huge)
2     full_fit_alloc_test               as the kernel (junk areas of lazy_max_pages)
4     long_busy_list_alloc_test         as the kernel (15000 pinned pages)
8     random_size_alloc_test            as the kernel (1..100 pages)
16    fix_align_alloc_test              as the kernel (5 pages at THREAD_ALIGN << 1 = 32K)
32    random_size_align_alloc_test      as the kernel (align 1 << (rnd % 23))
64    align_shift_alloc_test            as the kernel; expected to fail (xfail in the 2026 copy)
128   pcpu_alloc_test                   not modelled (no percpu allocator): skipped, said so
256   kvfree_rcu_1_arg_vmalloc_test     5.10 on [S]; ``kvfree`` at once (no RCU grace periods)
512   kvfree_rcu_2_arg_vmalloc_test     5.10 on [S]; likewise
1024  vm_map_ram_test                   5.14 on [S]
2048  no_block_alloc_test               the 2026 copy only (v6.18 here [S]); xfail
4096  vrealloc_test                     the 2026 copy; vrealloc's sequence
====  ================================  ===================================

Workers run one after another, worker ``i`` on CPU ``i % cpus`` (the kernel
runs them at once: contention is not modelled).  Randomness is
``random.Random(seed + worker)``.  The Summary lines go to the kernel log in
the module's format -- ``Summary: %s passed: %d failed: %d xfailed: %d
repeat: %d loops: %d avg: %llu usec`` (``xfailed`` only in the 2026 copy,
v6.18 here [S]) and ``All test took worker%d=%lu cycles`` -- with the
model's own time: microseconds and nanoseconds of the Python run (the
kernel's ``cycles`` are CPU cycles).  The command prints the log lines the
run produced.
"""

from __future__ import annotations

import random
import time
from typing import Any, Callable

from linuxmm import hookimpl
from linuxmm.errors import LinuxmmError, NotInThisKernel
from linuxmm.gfp import GFP_ATOMIC, GFP_KERNEL, __GFP_ZERO

_GFP_ZERO = __GFP_ZERO  # a name a class body does not mangle
from linuxmm.records import Command

PAGE_SIZE = 4096
INT_MAX = (1 << 31) - 1
USHRT_MAX = 0xFFFF
THREAD_ALIGN = 4 * PAGE_SIZE  # x86-64 THREAD_SIZE (16K) with VMAP_STACK
BITS_PER_LONG = 64
NUMA_NO_NODE = -1
MAX_LOOPS = 10_000_000


class Fail(Exception):
    """A test function's ``return -1``."""


def _vmalloc_or_fail(k: Any, size: int) -> int:
    p = k.vmalloc(size)
    if not p:
        raise Fail
    return p


class TestVmalloc:
    """One run of the module: parameters, the test functions, the bookkeeping."""

    def __init__(self, kernel: Any, params: dict[str, Any], out: Callable[[str], None]):
        self.k = kernel
        self.p = params
        self.printk = kernel.dmesg.printk
        self.vm = kernel.subsystems["vmalloc"]
        self.rng = random.Random(kernel.seed)
        # kernel names with two leading underscores, which a class body would mangle
        self.vmalloc_node = getattr(kernel, "__vmalloc_node")
        self.vmalloc_gfp = getattr(kernel, "__vmalloc")

    # -- the test functions (each returns normally, or raises Fail for the kernel's -1) -------------
    def fix_size_alloc_test(self) -> None:
        k, size = self.k, (self.p["nr_pages"] or 1) * PAGE_SIZE
        huge = self.p["use_huge"]
        for _ in range(self.p["test_loop_count"]):
            ptr = k.vmalloc_huge(size, GFP_KERNEL) if huge else k.vmalloc(size)
            if not ptr:
                raise Fail
            k.memory.write(ptr, b"\0")
            k.vfree(ptr)

    def full_fit_alloc_test(self) -> None:
        k = self.k
        junk_length = self.k.nr_cpus.bit_length() * ((32 << 20) // PAGE_SIZE)
        ptr = k.vmalloc(8 * junk_length)
        junk_ptr = k.vmalloc(8 * junk_length)
        if not ptr or not junk_ptr:
            for p in (ptr, junk_ptr):
                k.vfree(p)
            raise Fail
        pinned, junk = [], []
        for _ in range(junk_length):
            pinned.append(k.vmalloc(PAGE_SIZE))
            junk.append(k.vmalloc(PAGE_SIZE))
        for p in junk:
            k.vfree(p)
        failed = False
        for _ in range(self.p["test_loop_count"]):
            tmp = k.vmalloc(PAGE_SIZE)
            if not tmp:
                failed = True
                break
            k.memory.write(tmp, b"\1")
            k.vfree(tmp)
        for p in pinned:
            k.vfree(p)
        k.vfree(ptr)
        k.vfree(junk_ptr)
        if failed:
            raise Fail

    def long_busy_list_alloc_test(self) -> None:
        k = self.k
        ptr = k.vmalloc(8 * 15000)
        if not ptr:
            raise Fail
        pinned = [k.vmalloc(PAGE_SIZE) for _ in range(15000)]
        failed = False
        for _ in range(self.p["test_loop_count"]):
            p1 = k.vmalloc(100 * PAGE_SIZE)
            p2 = k.vmalloc(PAGE_SIZE)
            if not p1 or not p2:
                k.vfree(p1)
                k.vfree(p2)
                failed = True
                break
            k.memory.write(p1, b"\0")
            k.memory.write(p2, b"\0")
            k.vfree(p1)
            k.vfree(p2)
        for p in pinned:
            k.vfree(p)
        k.vfree(ptr)
        if failed:
            raise Fail

    def random_size_alloc_test(self) -> None:
        k, rng = self.k, self.rng
        for _ in range(self.p["test_loop_count"]):
            ptr = _vmalloc_or_fail(k, rng.randint(1, 100) * PAGE_SIZE)
            k.memory.write(ptr, b"\1")
            k.vfree(ptr)

    def fix_align_alloc_test(self) -> None:
        k = self.k
        for _ in range(self.p["test_loop_count"]):
            ptr = self.vmalloc_node(5 * PAGE_SIZE, THREAD_ALIGN << 1, GFP_KERNEL | _GFP_ZERO, 0)
            if not ptr:
                raise Fail
            k.vfree(ptr)

    def random_size_align_alloc_test(self) -> None:
        k, rng = self.k, self.rng
        for _ in range(self.p["test_loop_count"]):
            rnd = rng.randrange(256)
            align = 1 << (rnd % 23)
            size = ((rnd % 10) + 1) * PAGE_SIZE
            ptr = self.vmalloc_node(size, align, GFP_KERNEL | _GFP_ZERO, 0)
            if not ptr:
                raise Fail
            k.vfree(ptr)

    def align_shift_alloc_test(self) -> None:
        k = self.k
        for i in range(BITS_PER_LONG):
            ptr = self.vmalloc_node(PAGE_SIZE, 1 << i, GFP_KERNEL | _GFP_ZERO, 0)
            if not ptr:
                raise Fail
            k.vfree(ptr)

    def kvfree_rcu_vmalloc_test(self) -> None:
        k = self.k
        for _ in range(self.p["test_loop_count"]):
            p = _vmalloc_or_fail(k, PAGE_SIZE)
            k.memory.write(p, b"a")
            k.kvfree(p)  # kvfree_rcu: freed after a grace period in the kernel, at once here

    def vm_map_ram_test(self) -> None:
        k = self.k
        n = self.p["nr_pages"] or 1
        pages = [k.alloc_pages(GFP_KERNEL, 0) for _ in range(n)]
        ok = all(pages)
        if ok:
            for _ in range(self.p["test_loop_count"]):
                v = k.vm_map_ram(pages, n, NUMA_NO_NODE)
                k.memory.write(v, b"a")
                k.vm_unmap_ram(v, n)
        for page in pages:
            if page:
                k.free_pages(page, 0)
        if not ok:
            raise Fail

    def no_block_alloc_test(self) -> None:
        k, rng = self.k, self.rng
        for _ in range(self.p["test_loop_count"]):
            size = (rng.randrange(256) % 100 + 1) * PAGE_SIZE
            ptr = self.vmalloc_gfp(size, GFP_ATOMIC)  # GFP_ATOMIC or GFP_NOWAIT at random in the kernel
            if not ptr:
                raise Fail
            k.vfree(ptr)

    # -- plugins/mm_vrealloc_workloads.py ----------------------------------------------------------
    def vrealloc_test(self) -> None:
        """The 2026 copy's ``vrealloc_test``: grow, shrink twice, grow back; the first byte kept."""
        from .mm_vrealloc_workloads import vrealloc_test_steps

        for _ in range(self.p["test_loop_count"]):
            if not all(ok for _, ok in vrealloc_test_steps(self.k)):
                raise Fail


#: (name, method, the reference that added it, xfail in the era that marks it) [S for the references].
CASES: tuple[tuple[str, str | None, str], ...] = (
    ("fix_size_alloc_test", "fix_size_alloc_test", "v5.1"),
    ("full_fit_alloc_test", "full_fit_alloc_test", "v5.1"),
    ("long_busy_list_alloc_test", "long_busy_list_alloc_test", "v5.1"),
    ("random_size_alloc_test", "random_size_alloc_test", "v5.1"),
    ("fix_align_alloc_test", "fix_align_alloc_test", "v5.1"),
    ("random_size_align_alloc_test", "random_size_align_alloc_test", "v5.1"),
    ("align_shift_alloc_test", "align_shift_alloc_test", "v5.1"),
    ("pcpu_alloc_test", None, "v5.1"),
    ("kvfree_rcu_1_arg_vmalloc_test", "kvfree_rcu_vmalloc_test", "v5.10"),
    ("kvfree_rcu_2_arg_vmalloc_test", "kvfree_rcu_vmalloc_test", "v5.10"),
    ("vm_map_ram_test", "vm_map_ram_test", "v5.14"),
    ("no_block_alloc_test", "no_block_alloc_test", "v6.18"),
    ("vrealloc_test", "vrealloc_test", "v6.18"),
)
XFAIL = {"align_shift_alloc_test", "no_block_alloc_test"}
#: The 2026 copy (xfailed column, run_test_mask 7, nr_pcpu_objects) stands for v6.18 [S].
NEW_COPY = "v6.18"


def run(kernel: Any, params: dict[str, Any], out: Callable[[str], None] = print) -> int:
    """Run the module on ``kernel`` with ``params`` (kernel names); the log lines go to ``out``."""
    if "vmalloc" not in kernel.subsystems or kernel.implementations["vmalloc"].name == "none":
        raise NotInThisKernel(f"test_vmalloc: {kernel.version} has no vmalloc (it appeared in v1.0)")
    mark = len(kernel.dmesg)
    new_copy = kernel.has(NEW_COPY)
    # a backport before 5.1 runs the 5.1 driver's eight tests
    cases = [c for c in CASES if kernel.has(c[2]) or c[2] == "v5.1"]
    if not kernel.has("v5.1"):
        out(f"test_vmalloc: a backport for comparison: the module appeared in v5.1, and {kernel.version} "
            f"runs it against its own vmalloc")
    for note in kernel.config.whatifs:
        out(f"what-if: {note}")
    p = dict(params)
    mask = p["run_test_mask"]
    if mask is None:
        mask = 7 if new_copy else INT_MAX
    if p.get("single_cpu_test") is not None:
        workers = 1 if p["single_cpu_test"] else kernel.nr_cpus
    else:
        workers = max(1, min(p.get("nr_threads") or 0, USHRT_MAX))
    vm = kernel.subsystems["vmalloc"]
    old_caller, old_comm = vm.caller, vm.comm
    printk = kernel.dmesg.printk
    try:
        for w in range(workers):
            t = TestVmalloc(kernel, p, out)
            t.rng = random.Random(kernel.seed + w)
            order = list(range(len(cases)))
            if not p["sequential_test_order"]:
                t.rng.shuffle(order)
            stats = {i: [0, 0, 0, 0] for i in range(len(cases))}  # passed, failed, xfailed, usec
            start = time.perf_counter_ns()
            with kernel.on_cpu(w % kernel.nr_cpus):
                vm.comm = f"vmalloc_test/{w}"
                for i in order:
                    if not mask & (1 << i):
                        continue
                    name, method, _ = cases[i]
                    if method is None:
                        why = "no percpu allocator in the model"
                        out(f"test_vmalloc: {name} not modelled ({why}), skipped")
                        continue
                    vm.caller = f"{name}+0x0/0x0 [test_vmalloc]"
                    xfail = new_copy and name in XFAIL
                    t0 = time.perf_counter_ns()
                    for _ in range(p["test_repeat_count"]):
                        try:
                            getattr(t, method)()
                            failed = False
                        except Fail:
                            failed = True
                        except NotInThisKernel as exc:  # a backport calling what the era lacks
                            out(f"test_vmalloc: {name}: {exc}")
                            failed = True
                        if not failed and not xfail:
                            stats[i][0] += 1
                        elif failed and xfail:
                            stats[i][2] += 1
                        else:
                            stats[i][1] += 1
                    stats[i][3] = (time.perf_counter_ns() - t0) // 1000 // max(1, p["test_repeat_count"])
            took = time.perf_counter_ns() - start
            for i, (name, method, _) in enumerate(cases):
                if not mask & (1 << i) or method is None:
                    continue
                passed, failed, xfailed, usec = stats[i]
                xf = f" xfailed: {xfailed}" if new_copy else ""
                printk(f"Summary: {name} passed: {passed} failed: {failed}{xf} repeat: {p['test_repeat_count']} "
                       f"loops: {p['test_loop_count']} avg: {usec} usec")
            printk(f"All test took worker{w}={took} cycles")
    finally:
        vm.caller, vm.comm = old_caller, old_comm
    for line in kernel.dmesg[mark:]:
        out(line)
    return 0


# -- the command ------------------------------------------------------------------------------
def _int(name: str, lo: int, hi: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text, 0)
        except ValueError:
            raise LinuxmmError(f"test_vmalloc: {name} must be an integer, not {text!r}") from None
        if not lo <= value <= hi:
            raise LinuxmmError(f"test_vmalloc: {name} must be from {lo} to {hi}, not {value}")
        return value
    return parse


def _bool(text: str) -> bool:
    value = text.strip().lower()
    if value in ("1", "y", "yes", "true", "on"):
        return True
    if value in ("0", "n", "no", "false", "off"):
        return False
    raise LinuxmmError(f"test_vmalloc: a bool parameter takes 0/1 or y/n, not {text!r}")


def _configure(parser: Any) -> None:
    g = parser.add_argument_group("module parameters (the kernel's names)")
    g.add_argument("--run-test-mask", dest="run_test_mask", type=str, default=None, metavar="MASK",
                   help="bit i runs test i (default: INT_MAX; 7 in the 2026 copy, v6.18 here)")
    g.add_argument("--test-loop-count", dest="test_loop_count", type=str, default="1000000", metavar="N",
                   help="iterations of each test's loop (default 1000000, as the module)")
    g.add_argument("--test-repeat-count", dest="test_repeat_count", type=str, default="1", metavar="N",
                   help="how many times each test runs (default 1)")
    g.add_argument("--nr-threads", dest="nr_threads", type=str, default=None, metavar="N",
                   help="workers, clamped to 1..65535 (from 5.13; default 0, i.e. one)")
    g.add_argument("--single-cpu-test", dest="single_cpu_test", type=str, default=None, metavar="BOOL",
                   help="one worker instead of one per CPU (5.1 to 5.12)")
    g.add_argument("--sequential-test-order", dest="sequential_test_order", type=str, default="0",
                   metavar="BOOL", help="run the tests in order instead of shuffled per worker")
    g.add_argument("--nr-pages", dest="nr_pages", type=str, default="0", metavar="N",
                   help="pages for fix_size_alloc_test and vm_map_ram_test (0: one; from 5.14)")
    g.add_argument("--use-huge", dest="use_huge", type=str, default="0", metavar="BOOL",
                   help="fix_size_alloc_test uses vmalloc_huge (from 5.18)")
    g.add_argument("--nr-pcpu-objects", dest="nr_pcpu_objects", type=str, default=None, metavar="N",
                   help="objects for pcpu_alloc_test (the 2026 copy; not modelled)")


def _params(args: Any, kernel: Any) -> dict[str, Any]:
    has = kernel.has
    p: dict[str, Any] = {
        "run_test_mask": None if args.run_test_mask is None else _int("run_test_mask", 0, INT_MAX)(args.run_test_mask),
        "test_loop_count": _int("test_loop_count", 0, MAX_LOOPS)(args.test_loop_count),
        "test_repeat_count": _int("test_repeat_count", 1, 1000)(args.test_repeat_count),
        "sequential_test_order": _bool(args.sequential_test_order),
        "nr_pages": _int("nr_pages", 0, 1 << 20)(args.nr_pages),
        "use_huge": _bool(args.use_huge),
        "nr_threads": None, "single_cpu_test": None,
    }

    def refuse(name: str, since: str, removed: bool = False) -> None:
        if removed:
            raise LinuxmmError(f"test_vmalloc: {name} is not a parameter at {kernel.version}: nr_threads "
                               f"replaced it in {since}")
        raise LinuxmmError(f"test_vmalloc: {name} is not a parameter at {kernel.version}: it appeared in {since}")

    if args.nr_threads is not None:
        if not has("v5.13"):
            refuse("nr_threads", "v5.13")
        p["nr_threads"] = _int("nr_threads", 0, INT_MAX)(args.nr_threads)
    if args.single_cpu_test is not None:
        if has("v5.13"):
            refuse("single_cpu_test", "v5.13", removed=True)
        p["single_cpu_test"] = _bool(args.single_cpu_test)
    elif not has("v5.13"):
        p["single_cpu_test"] = False
    if args.nr_pages != "0" and not has("v5.14"):
        refuse("nr_pages", "v5.14")
    if p["use_huge"] and not has("559089e0a93d"):
        refuse("use_huge", "v5.18-rc4 (559089e0a93d, which added vmalloc_huge)")
    if args.nr_pcpu_objects is not None:
        if not has(NEW_COPY):
            refuse("nr_pcpu_objects", NEW_COPY)
        _int("nr_pcpu_objects", 1, INT_MAX)(args.nr_pcpu_objects)
    return p


def _run(args: Any, boot: Callable[[], Any]) -> int:
    kernel = boot()
    return run(kernel, _params(args, kernel), out=print)


@hookimpl
def linuxmm_commands():
    return [Command("test_vmalloc", help="run lib/test_vmalloc.c's test cases against the booted vmalloc",
                    run=_run, configure=_configure,
                    example="linuxmm --kernel-version 6.12 test_vmalloc --run-test-mask 7 --test-loop-count 10000")]
