"""Workloads that show vrealloc()'s history: ``linuxmm run vrealloc-grow`` and friends.

Each prints what the record is about -- whether a KASAN report appeared (the
report itself, from the kernel log), whether ``vrealloc`` returned the block it
was given, and the counters that prove the cost: ``bytes_copied``,
``bytes_zeroed`` (with vrealloc's own ``memset`` apart), ``vmalloc``/``vfree``
calls.  The functions that touch memory carry the kernel's names where the
record names one (``push_insn_history``), so a KASAN report reads as the
kernel's did.

* ``vrealloc-grow``: ``vmalloc(64)``, fill it, grow to 256 bytes (inside the
  one page already mapped) and write the new bytes.
* ``vrealloc-grow-beyond``: ``vmalloc(64)`` grown to 8192 bytes, past its
  area: the copy of the old contents.
* ``bpf-insn-history``: the BPF verifier's instruction history
  (``push_insn_history``, v6.13): the buffer grows by one 16-byte
  ``struct bpf_insn_hist_entry`` at a time and the new entry is written at
  once, 256 times (4096 bytes: one page).  The verifier calls ``kvrealloc``,
  which hands a vmalloc address to ``vrealloc``; the workload starts the buffer
  in vmalloc space (``vrealloc(NULL, 16)``), as it was in syzbot's report.
* ``vrealloc-shrink-regrow``: ``vmalloc(4096)`` filled with 0xaa, shrunk to
  100 bytes and grown back to 4096: what the bytes 100..4095 hold afterwards
  is the zeroing contract of each era under ``init_on_alloc``/``init_on_free``
  (and ``__GFP_ZERO``, which the kernel-doc asks every call to pass if zeroing
  is wanted).
* ``vrealloc_test``: lib/test_vmalloc.c's ``vrealloc_test`` sequence (the 2026
  copy), runnable at every release that has ``vrealloc``.
"""

from __future__ import annotations

from typing import Any

from linuxmm import hookimpl
from linuxmm.errors import NotInThisKernel
from linuxmm.gfp import GFP_KERNEL, __GFP_ZERO
from linuxmm.kasan import BANNER
from linuxmm.records import Workload
from linuxmm.sphinx_figures import figure

PAGE_SIZE = 4096
_GFP_ZERO = __GFP_ZERO
#: sizeof(struct bpf_insn_hist_entry): u32 idx, u32 prev_idx:22 + flags:10, u64 linked_regs [V 6.13.7]
INSN_HIST_ENTRY = 16
BPF_ENTRIES = 256


def _need_vrealloc(kernel: Any, name: str) -> None:
    if not kernel.provides("vrealloc"):
        kernel.vrealloc(0, 0)  # raises NotInThisKernel naming 3ddc2fefe6f3 (or the era's reason)
        raise NotInThisKernel(f"{name}: {kernel.version} has no vrealloc()")  # pragma: no cover


def kasan_state(kernel: Any) -> str:
    kasan = getattr(kernel, "kasan", None)
    if kasan is None:
        return "KASAN off"
    if kasan.vmalloc:
        return "KASAN on, vmalloc space shadowed (KASAN_VMALLOC=y)"
    return "KASAN on, vmalloc space not shadowed (KASAN_VMALLOC=n: its shadow is the zero page)"


def _reports(kernel: Any, mark: int) -> list[str]:
    """The KASAN reports logged since line ``mark``, and any WARNING lines."""
    lines = list(kernel.dmesg)[mark:]
    out: list[str] = []
    inside = False
    for line in lines:
        if line == BANNER:
            out.append(line)
            inside = not inside
        elif inside or line.startswith(("WARNING:", "------------[ cut here ]")):
            out.append(line)
    return out


def _footer(kernel: Any, mark: int, before: dict[str, int]) -> list[str]:
    c = kernel.counters
    d = {name: c[name] - before.get(name, 0) for name in ("vrealloc_calls", "vmalloc_calls", "vfree_calls",
                                                          "bytes_copied", "bytes_zeroed", "vrealloc_bytes_zeroed")}
    out = [f"counters: vrealloc calls {d['vrealloc_calls']}, vmalloc calls {d['vmalloc_calls']}, "
           f"vfree calls {d['vfree_calls']}, bytes copied {d['bytes_copied']}, bytes zeroed {d['bytes_zeroed']} "
           f"(vrealloc's memset {d['vrealloc_bytes_zeroed']}; the rest is the page allocator's)"]
    reports = _reports(kernel, mark)
    bugs = [line for line in reports if line.startswith("BUG: KASAN:")]
    if bugs:
        out.append(f"KASAN: {bugs[0]}")
    elif getattr(kernel, "kasan", None) is not None:
        out.append("KASAN: no report")
    if reports:
        out.append("kernel log:")
        out.extend(reports)
    return out


def _snapshot(kernel: Any) -> dict[str, int]:
    c = kernel.counters
    return {name: c[name] for name in ("vrealloc_calls", "vmalloc_calls", "vfree_calls", "bytes_copied",
                                       "bytes_zeroed", "vrealloc_bytes_zeroed")}


def _same(q: int, p: int) -> str:
    return "the same block (p)" if q == p else "a new block"


def _p(addr: int) -> str:
    return f"{addr:#x}"


# -- vrealloc-grow ----------------------------------------------------------------------------------
class _Caller:
    """Name the allocations of a workload in vm_struct.caller (``created by:`` in KASAN reports)."""

    def __init__(self, kernel: Any, name: str):
        self.vm = kernel.subsystems.get("vmalloc")
        self.name = name

    def __enter__(self) -> None:
        self.saved = getattr(self.vm, "caller", None)
        if self.vm is not None:
            self.vm.caller = self.name

    def __exit__(self, *exc: Any) -> None:
        if self.vm is not None:
            self.vm.caller = self.saved


def vrealloc_grow(kernel: Any, seed: int) -> str:
    """Grow a 64-byte vmalloc block to 256 bytes -- inside the page it already has -- and write them."""
    _need_vrealloc(kernel, "vrealloc-grow")
    mark, before = len(kernel.dmesg), _snapshot(kernel)
    memory = kernel.memory
    lines = [f"workload vrealloc-grow at {kernel.version} ({kasan_state(kernel)})"]
    with _Caller(kernel, "vrealloc_grow"):
        p = kernel.vmalloc(64)
        memory.write(p, b"A" * 64)
        lines.append(f"p = vmalloc(64) = {_p(p)}; wrote 64 bytes")
        q = kernel.vrealloc(p, 256, GFP_KERNEL)
        lines.append(f"vrealloc(p, 256) = {_p(q)}: {_same(q, p)}")
        lines.append(f"returned pointer == p: {'yes' if q == p else 'no'}")
        memory.write(q + 64, b"B" * 192)
        lines.append("wrote the 192 new bytes at 64..255")
        kept = memory.read(q, 64) == b"A" * 64 and memory.read(q + 64, 192) == b"B" * 192
        lines.append(f"contents kept: {'yes' if kept else 'no'}")
        kernel.vfree(q)
    lines.extend(_footer(kernel, mark, before))
    return "\n".join(lines) + "\n"


def vrealloc_grow_beyond(kernel: Any, seed: int) -> str:
    """Grow a 64-byte vmalloc block to 8192 bytes: past its area, so vrealloc allocates and copies."""
    _need_vrealloc(kernel, "vrealloc-grow-beyond")
    mark, before = len(kernel.dmesg), _snapshot(kernel)
    memory = kernel.memory
    lines = [f"workload vrealloc-grow-beyond at {kernel.version} ({kasan_state(kernel)})"]
    with _Caller(kernel, "vrealloc_grow_beyond"):
        p = kernel.vmalloc(64)
        memory.write(p, b"A" * 64)
        lines.append(f"p = vmalloc(64) = {_p(p)}; wrote 64 bytes")
        q = kernel.vrealloc(p, 2 * PAGE_SIZE, GFP_KERNEL)
        lines.append(f"vrealloc(p, 8192) = {_p(q)}: {_same(q, p)}")
        lines.append(f"contents kept: {'yes' if memory.read(q, 64) == b'A' * 64 else 'no'}")
        kernel.vfree(q)
    lines.extend(_footer(kernel, mark, before))
    return "\n".join(lines) + "\n"


# -- bpf-insn-history ---------------------------------------------------------------------------------
def push_insn_history(kernel: Any, env: dict[str, int], insn_idx: int) -> None:
    """The verifier's ``push_insn_history``: one more entry, the buffer grown by exactly one entry."""
    end = env["insn_hist_end"]
    if end + 1 > env["insn_hist_cap"]:
        alloc_size = (end + 1) * INSN_HIST_ENTRY
        p = kernel.vrealloc(env["insn_hist"], alloc_size, GFP_KERNEL)
        if not p:
            raise MemoryError("push_insn_history: -ENOMEM")
        old = env["insn_hist"]
        env["same" if p == old else ("moved" if old else "first")] += 1
        env["insn_hist"] = p
        env["insn_hist_cap"] = alloc_size // INSN_HIST_ENTRY
    entry = env["insn_hist"] + end * INSN_HIST_ENTRY
    memory = kernel.memory
    memory.write(entry, insn_idx.to_bytes(4, "little"))  # p->idx
    memory.write(entry + 4, (insn_idx - 1 & 0x3FFFFF).to_bytes(4, "little"))  # p->prev_idx, p->flags
    memory.write(entry + 8, bytes(8))  # p->linked_regs
    env["insn_hist_end"] = end + 1


def bpf_insn_history(kernel: Any, seed: int, entries: int = BPF_ENTRIES) -> str:
    """256 one-entry grows of the verifier's instruction history."""
    _need_vrealloc(kernel, "bpf-insn-history")
    mark, before = len(kernel.dmesg), _snapshot(kernel)
    env = {"insn_hist": 0, "insn_hist_cap": 0, "insn_hist_end": 0, "same": 0, "moved": 0, "first": 0}
    for i in range(entries):
        push_insn_history(kernel, env, i + 1)
    final = env["insn_hist"]
    ok = all(int.from_bytes(kernel.memory.read(final + i * INSN_HIST_ENTRY, 4), "little") == i + 1
             for i in range(entries))
    copied = kernel.counters["bytes_copied"] - before["bytes_copied"]
    lines = [f"workload bpf-insn-history at {kernel.version} ({kasan_state(kernel)})",
             f"{entries} entries of {INSN_HIST_ENTRY} bytes pushed, one vrealloc() per entry "
             f"(the first one allocates)",
             f"after the first, vrealloc returned the same block {env['same']} times and a new block "
             f"{env['moved']} times",
             f"bytes copied: {copied}"
             + (f" (quadratic: {INSN_HIST_ENTRY} * n(n-1)/2 for n = {entries}: every grow moved the buffer)"
                if copied == INSN_HIST_ENTRY * entries * (entries - 1) // 2 and copied else ""),
             f"entries intact: {'yes' if ok else 'no'}"]
    kernel.vfree(final)
    lines.extend(_footer(kernel, mark, before))
    return "\n".join(lines) + "\n"


# -- vrealloc-shrink-regrow ----------------------------------------------------------------------------
def _describe(data: bytes) -> str:
    if data == bytes(len(data)):
        return "all zero"
    if data == b"\xaa" * len(data):
        return "all 0xaa (the block's old contents)"
    if data == b"\x55" * len(data):
        return "all 0x55 (another user's freed page)"
    zero = data.count(0)
    return f"mixed: {zero} zero bytes, {data.count(0xAA)} bytes 0xaa, {len(data) - zero - data.count(0xAA)} others"


def shrink_regrow(kernel: Any, flags: int) -> tuple[list[str], bytes]:
    """One round: vmalloc(4096) of 0xaa, vrealloc to 100, back to 4096 (every call with ``flags``)."""
    memory = kernel.memory
    with _Caller(kernel, "vrealloc_shrink_regrow"):
        p = getattr(kernel, "__vmalloc")(PAGE_SIZE, flags)
    memory.write(p, b"\xaa" * PAGE_SIZE)
    q = kernel.vrealloc(p, 100, flags)
    # someone else's page, written and freed: the next page handed out (the per-CPU lists are LIFO)
    page = kernel.alloc_pages(GFP_KERNEL, 0)
    memory.write(page, b"\x55" * PAGE_SIZE)
    kernel.free_pages(page, 0)
    r = kernel.vrealloc(q, PAGE_SIZE, flags)
    lines = [f"  vrealloc(p, 100) = {_p(q)}: {_same(q, p)}; vrealloc(q, 4096) = {_p(r)}: {_same(r, q)}",
             f"  bytes 0..99: {_describe(memory.read(r, 100))}"]
    tail = memory.read(r + 100, PAGE_SIZE - 100)
    lines.append(f"  bytes 100..4095 after the regrow: {_describe(tail)}")
    kernel.vfree(r)
    return lines, tail


def vrealloc_shrink_regrow(kernel: Any, seed: int) -> str:
    """vmalloc(4096) filled with 0xaa, shrunk to 100 bytes, grown back: what bytes 100..4095 hold,
    with GFP_KERNEL on every call and then with __GFP_ZERO on every call (the kernel-doc's contract)."""
    _need_vrealloc(kernel, "vrealloc-shrink-regrow")
    mark, before = len(kernel.dmesg), _snapshot(kernel)
    pa = kernel.subsystems["page_alloc"]
    init = (f"init_on_alloc={int(bool(getattr(pa, 'init_on_alloc', False)))} "
            f"init_on_free={int(bool(getattr(pa, 'init_on_free', False)))}")
    lines = [f"workload vrealloc-shrink-regrow at {kernel.version} ({init}; {kasan_state(kernel)})",
             "(before each regrow a page is filled with 0x55 and freed: the next page handed out)"]
    for flags, name in ((GFP_KERNEL, "GFP_KERNEL"), (GFP_KERNEL | _GFP_ZERO, "GFP_KERNEL|__GFP_ZERO")):
        lines.append(f"with {name} on every call: vmalloc(4096) filled with 0xaa")
        lines.extend(shrink_regrow(kernel, flags)[0])
    lines.extend(_footer(kernel, mark, before))
    return "\n".join(lines) + "\n"


# -- lib/test_vmalloc.c vrealloc_test ----------------------------------------------------------------------
def vrealloc_test_steps(kernel: Any) -> list[tuple[str, bool]]:
    """The 2026 ``vrealloc_test`` sequence; each step and whether its check held."""
    memory = kernel.memory
    steps: list[tuple[str, bool]] = []
    ptr = kernel.vmalloc(PAGE_SIZE)
    if not ptr:
        return [("vmalloc(PAGE_SIZE)", False)]
    memory.write(ptr, b"a")
    for size, what in ((4 * PAGE_SIZE, "grow to 4 * PAGE_SIZE (a new area)"),
                       (PAGE_SIZE, "shrink to PAGE_SIZE"),
                       (PAGE_SIZE // 2, "shrink to PAGE_SIZE / 2 (within the page)"),
                       (PAGE_SIZE, "grow back to PAGE_SIZE (in place)")):
        new = kernel.vrealloc(ptr, size, GFP_KERNEL)
        if not new:
            steps.append((what, False))
            kernel.vfree(ptr)
            return steps
        ptr = new
        steps.append((what, memory.read(ptr, 1) == b"a"))
    kernel.vfree(ptr)
    return steps


def vrealloc_test(kernel: Any, seed: int) -> str:
    """lib/test_vmalloc.c's vrealloc_test sequence, with its byte check after every step."""
    _need_vrealloc(kernel, "vrealloc_test")
    mark, before = len(kernel.dmesg), _snapshot(kernel)
    with _Caller(kernel, "vrealloc_test"):
        steps = vrealloc_test_steps(kernel)
    lines = [f"workload vrealloc_test at {kernel.version} ({kasan_state(kernel)})"]
    lines += [f"{what}: first byte {'still' if ok else 'NOT'} 'a'" for what, ok in steps]
    passed = all(ok for _, ok in steps) and len(steps) == 4
    lines.append(f"vrealloc_test: {'passed' if passed else 'failed'}")
    lines.extend(_footer(kernel, mark, before))
    return "\n".join(lines) + "\n"


@hookimpl
def linuxmm_workloads():
    return [
        Workload("vrealloc-grow", run=vrealloc_grow,
                 help="grow a vmalloc block inside its page, write the new bytes, grow beyond it (v6.12+)"),
        Workload("vrealloc-grow-beyond", run=vrealloc_grow_beyond,
                 help="grow a small vmalloc block past its area: vrealloc copies the old area (v6.12+)"),
        Workload("bpf-insn-history", run=bpf_insn_history,
                 help="the BPF verifier's many one-entry grows of its instruction history (v6.12+)"),
        Workload("vrealloc-shrink-regrow", run=vrealloc_shrink_regrow,
                 help="shrink a filled vmalloc block and grow it back: the zeroing contract (v6.12+)"),
        Workload("vrealloc_test", run=vrealloc_test,
                 help="lib/test_vmalloc.c's vrealloc_test sequence at any release with vrealloc (v6.12+)"),
    ]


# -- the figure of the vrealloc chapter ------------------------------------------------------------
def _bpf_copies(version: str, lengths: list[int]) -> list[int]:
    """bytes_copied after each of ``lengths`` pushes, in one run."""
    import linuxmm

    k = linuxmm.boot(version, mem="64M")
    env = {"insn_hist": 0, "insn_hist_cap": 0, "insn_hist_end": 0, "same": 0, "moved": 0, "first": 0}
    out = []
    for i in range(max(lengths)):
        push_insn_history(k, env, i + 1)
        if i + 1 in lengths:
            out.append(k.counters["bytes_copied"])
    return out


@figure
def bytes_copied_by_history_length():
    """Bytes vrealloc copies while the BPF instruction history grows one 16-byte entry at a time, at
    v6.14, v6.15-rc6 and v6.15, up to 384 entries: quadratic for the two release candidates, one page at a time
    otherwise."""
    from matplotlib.figure import Figure

    lengths = [32, 64, 128, 192, 256, 320, 384]
    versions = ("6.14", "6.15-rc6", "6.15")
    copied = {v: _bpf_copies(v, lengths) for v in versions}
    fig = Figure(figsize=(7, 3.5))
    ax = fig.add_subplot()
    for v, style in zip(versions, ("s-", "o-", "^--")):
        ax.plot(lengths, [c / 1024 for c in copied[v]], style, label=f"v{v}")
    ax.set_xlabel("entries pushed (16 bytes each)")
    ax.set_ylabel("KiB copied by vrealloc")
    ax.legend()
    fig.tight_layout()
    return fig, {"entries": lengths, **{f"v{v} bytes_copied": copied[v] for v in versions}}
