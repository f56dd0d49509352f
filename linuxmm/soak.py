"""Soak runs: many random allocator operations, with the model's invariants checked as they go.

``linuxmm run --soak N`` (and :func:`soak`) drives whatever allocators the
booted kernel has — the page allocator of every era through its own calls
(``alloc_block``/``free_block``), and ``kmalloc``/``kfree`` and
``vmalloc``/``vfree`` where the era has them — with operations drawn from a
``random.Random(seed)``, so a run is reproducible from its version, config,
command line, machine size, seed and length.

Every block handed out gets a marker written at its first and last bytes;
the marker is read back before the block is freed, so two allocations that
overlap (one allocator handing out memory another still owns) show up as a
changed marker.  Every ``check_every`` operations, and at the end,
:meth:`~linuxmm.kernel.Kernel.violations` runs every subsystem's own
invariant checks.  The first violation (or an exception nothing should
raise) stops the run, and the report says how to reproduce it.
"""

from __future__ import annotations

import random
import struct
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from . import gfp as _gfp
from .errors import LinuxmmError
from .kconfig import show_value

if TYPE_CHECKING:  # pragma: no cover
    from .kernel import Kernel

#: The most operations one soak run may take (a bound that keeps a run to minutes).
MAX_SOAK = 10_000_000
_MARK = struct.Struct("<Q")


@dataclass
class SoakReport:
    """What a soak run did, and the first thing that went wrong, if anything."""

    steps: int = 0
    ops: dict[str, int] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)
    checks: int = 0
    violation: str | None = None
    at_step: int | None = None
    reproducer: str = ""

    @property
    def ok(self) -> bool:
        return self.violation is None

    def lines(self) -> list[str]:
        done = ", ".join(f"{name} {n}" for name, n in sorted(self.ops.items())) or "nothing"
        failed = ", ".join(f"{name} {n}" for name, n in sorted(self.failed.items()) if n)
        out = [f"soak: {self.steps} operations: {done}" + (f" (NULL returned: {failed})" if failed else ""),
               f"soak: {self.checks} invariant checks"]
        if self.ok:
            out.append("soak: no violation")
        else:
            out.append(f"soak: VIOLATION at step {self.at_step}: {self.violation}")
            out.append(f"soak: reproduce with: {self.reproducer}")
        return out


def reproducer(kernel: "Kernel", seed: int, steps: int) -> str:
    """The command line that boots this kernel and repeats a soak run of ``steps`` operations."""
    parts = ["linuxmm", "--kernel-version", kernel.revision.name, "--mem", f"{kernel.phys.size >> 20}M"
             if kernel.phys is not None and kernel.phys.size % (1 << 20) == 0 else str(kernel.mem_request or "")]
    if kernel.nr_cpus != 1:
        parts += ["--cpus", str(kernel.nr_cpus)]
    for name, value in sorted(getattr(kernel.config, "user", {}).items()):
        parts += ["--config", f"{name}={show_value(value)}"]
    if kernel.cmdline.text:
        parts += ["--cmdline", repr(kernel.cmdline.text)]
    parts += ["--seed", str(seed), "run", "--soak", str(steps)]
    return " ".join(p for p in parts if p)


class _Pool:
    """One allocator's live blocks: ``(address, size, free_call_argument, marker)``."""

    def __init__(self, name: str, alloc: Callable[[random.Random], tuple[int, int, Any]],
                 free: Callable[[int, Any], None], weight: int):
        self.name = name
        self.alloc = alloc
        self.free = free
        self.weight = weight
        self.live: list[tuple[int, int, Any, int]] = []


def _pools(kernel: "Kernel", rng: random.Random) -> list[_Pool]:
    pools: list[_Pool] = []
    pa = getattr(kernel, "page_alloc", None)
    masks = [_gfp.GFP_KERNEL, _gfp.GFP_KERNEL, _gfp.GFP_ATOMIC | _gfp.__GFP_NOWARN, _gfp.GFP_KERNEL | _gfp.__GFP_ZERO]
    if pa is not None:
        top = min(pa.max_order, 3)

        def page_alloc(r: random.Random) -> tuple[int, int, Any]:
            order = 0 if not top or r.random() < 0.7 else r.randint(1, top)
            return pa.alloc_block(order, r.choice(masks)), 4096 << order, order

        pools.append(_Pool("pages", page_alloc, lambda addr, order: pa.free_block(addr, order), 4))
    if kernel.provides("kmalloc") and kernel.provides("kfree"):
        kmalloc, kfree = kernel.kmalloc, kernel.kfree

        def k_alloc(r: random.Random) -> tuple[int, int, Any]:
            size = r.choice((8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4000)) - r.randint(0, 7)
            return kmalloc(size, r.choice(masks[:3])), size, None  # GFP_ATOMIC too (what failslab fails)

        pools.append(_Pool("kmalloc", k_alloc, lambda addr, _: kfree(addr), 3))
    if kernel.provides("vmalloc") and kernel.provides("vfree"):
        vmalloc, vfree = kernel.vmalloc, kernel.vfree

        def v_alloc(r: random.Random) -> tuple[int, int, Any]:
            size = r.randint(1, 16) * 4096 - r.randint(0, 4095)
            return vmalloc(size), size, None

        pools.append(_Pool("vmalloc", v_alloc, lambda addr, _: vfree(addr), 1))
    return pools


def soak(kernel: "Kernel", steps: int, seed: int = 0, check_every: int = 1000) -> SoakReport:
    """Run ``steps`` random operations on ``kernel`` (see the module docstring)."""
    if type(steps) is not int or not 1 <= steps <= MAX_SOAK:
        raise LinuxmmError(f"soak: the number of operations must be an int from 1 to {MAX_SOAK:_}, not {steps!r}")
    if type(check_every) is not int or check_every < 1:
        raise LinuxmmError(f"soak: --check-every must be a positive int, not {check_every!r}")
    rng = random.Random(seed)
    report = SoakReport()
    pools = _pools(kernel, rng)
    if not pools:
        raise LinuxmmError(f"soak: {kernel.version} has no allocator modelled")
    weights = [p.weight for p in pools]
    memory = kernel.memory
    cpus = kernel.nr_cpus

    def stop(step: int, what: str) -> SoakReport:
        report.violation, report.at_step = what, step
        report.reproducer = reproducer(kernel, seed, step)
        return report

    step = 0
    try:
        for step in range(1, steps + 1):
            report.steps = step
            pool = rng.choices(pools, weights)[0]
            cpu = rng.randrange(cpus) if cpus > 1 and rng.random() < 0.25 else None
            if cpu is not None:
                with kernel.on_cpu(cpu):
                    found = _one(pool, rng, memory, step, report)
            else:
                found = _one(pool, rng, memory, step, report)
            if found:
                return stop(step, found)
            if step % check_every == 0:
                report.checks += 1
                bad = kernel.violations()
                if bad:
                    return stop(step, "; ".join(bad[:3]) + (f" (and {len(bad) - 3} more)" if len(bad) > 3 else ""))
        for pool in pools:  # give everything back, checking the markers one last time
            while pool.live:
                addr, size, arg, mark = pool.live.pop()
                found = _verify(memory, addr, size, mark, pool.name)
                if found:
                    return stop(step, found)
                pool.free(addr, arg)
        report.checks += 1
        bad = kernel.violations()
        if bad:
            return stop(step, "after freeing everything: " + "; ".join(bad[:3]))
    except (LinuxmmError, AssertionError, KeyError, IndexError, ValueError, TypeError) as exc:
        return stop(step, f"{type(exc).__name__}: {exc}")
    except Exception as exc:  # a panic or BUG on operations that are all valid is a finding too
        return stop(step, f"{type(exc).__name__}: {exc}")
    return report


def _verify(memory: Any, addr: int, size: int, mark: int, name: str) -> str | None:
    want = _MARK.pack(mark)
    n = min(8, size)
    if size < 2 * n:  # the head and tail markers overlap: compare what the two writes left
        expect = bytearray(size)
        expect[:n] = want[:n]
        expect[size - n:] = want[:n]
        changed = memory.read(addr, size) != bytes(expect)
    else:
        changed = memory.read(addr, n) != want[:n] or memory.read(addr + size - n, n) != want[:n]
    if changed:
        return (f"{name} block {addr:#x} ({size} bytes): its marker changed while it was allocated "
                f"(another allocation overlaps it)")
    return None


def _one(pool: _Pool, rng: random.Random, memory: Any, step: int, report: SoakReport) -> str | None:
    if pool.live and rng.random() < 0.5:
        addr, size, arg, mark = pool.live.pop(rng.randrange(len(pool.live)))
        found = _verify(memory, addr, size, mark, pool.name)
        if found:
            return found
        pool.free(addr, arg)
        key = f"free {pool.name}"
    else:
        addr, size, arg = pool.alloc(rng)
        key = f"alloc {pool.name}"
        if not addr:
            report.failed[key] = report.failed.get(key, 0) + 1
        else:
            mark = (step << 8) | 0x5A
            data = _MARK.pack(mark)[:min(8, size)]
            memory.write(addr, data)
            memory.write(addr + size - len(data), data)
            pool.live.append((addr, size, arg, mark))
    report.ops[key] = report.ops.get(key, 0) + 1
    return None
