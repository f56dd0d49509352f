"""Running one entry of the bad-input catalogue (tests/test_bad_input.py) and rendering the catalogue.

An entry is a :class:`Case`: the kernel it needs, the input (Python for the API, a command line
for the CLI), and what must happen -- the exact exception and message, the exact exit status and
error line, or the kernel's own behaviour (what the call returns, the lines it logs, what
``kernel.check()`` finds afterwards).  A call the model refuses must leave everything as it was:
:func:`observe` takes a snapshot (counters, the length of the kernel log, free and allocated
pages, /proc/meminfo, /proc/slabinfo, /proc/vmallocinfo and /proc/buddyinfo where the era has
them, the check's findings and a digest of every byte of physical memory) before and after.

The table in docs/robustness.md is :func:`render` of the catalogue; a test compares them, and
``python tests/test_bad_input.py --write`` rewrites it.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shlex
from dataclasses import dataclass, field
from typing import Any

import linuxmm
from linuxmm import errors, gfp, slab
from linuxmm.errors import LinuxmmError, NotInThisKernel

#: Exceptions that mean "the model refused the call": nothing may change.
REFUSALS = ("ArgumentError", "NotInThisKernel", "VersionError", "ConfigError", "WorkloadError", "LinuxmmError",
            "ConcurrencyError")


@dataclass(frozen=True)
class Case:
    """One entry of the catalogue (see the module docstring)."""

    area: str
    kernel: tuple[str, ...] | None  # (version, config items..., "cmdline=...") or None
    code: str  # API: the call (after ``setup``); CLI: the command line, starting with "linuxmm"
    outcome: str  # "raises X", "returns R", "exit N"
    message: str = ""  # the exception's text, or the CLI's last stderr line
    dmesg: tuple[str, ...] = ()  # the kernel log lines the call added (the first ones when ``more``)
    more: bool = False  # the call logs more lines than ``dmesg`` lists
    check: tuple[str, ...] = ()  # kernel.violations() afterwards
    setup: str = ""  # API: statements run first (p = k.kmalloc(...))
    files: tuple[tuple[str, str], ...] = ()  # CLI: files written in the working directory first
    env: tuple[tuple[str, str], ...] = ()  # CLI: environment variables set
    note: str = ""  # shown in the table: why this is the era's behaviour
    #: for a refusal that still logs what the kernel printed first: the parts of the snapshot that may
    #: change ("dmesg", "counters.<name>"); everything else must stay as it was
    changes: tuple[str, ...] = ()

    @property
    def via(self) -> str:
        return "CLI" if self.code.startswith("linuxmm ") else "API"


def boot_args(kernel: tuple[str, ...]) -> dict[str, Any]:
    version, *rest = kernel
    config = [x for x in rest if not x.startswith(("cmdline=", "cpus=", "mem="))]
    # 32M unless the era cannot take it (0.01 and 0.11 have a compiled-in memory size)
    opts: dict[str, Any] = {"config": config, "mem": None if version in ("0.01", "0.11") else "32M"}
    for x in rest:
        if x.startswith("cmdline="):
            opts["cmdline"] = x[len("cmdline="):]
        elif x.startswith("cpus="):
            opts["cpus"] = int(x[len("cpus="):])
        elif x.startswith("mem="):
            opts["mem"] = x[len("mem="):]
    return {"version": version, **opts}


def boot(kernel: tuple[str, ...]):
    args = boot_args(kernel)
    return linuxmm.boot(args.pop("version"), **args)


def namespace(k: Any) -> dict[str, Any]:
    ns: dict[str, Any] = {"k": k, "linuxmm": linuxmm, "workload": __import__("linuxmm.workload").workload}
    for name in gfp.__all__:
        ns[name] = getattr(gfp, name)
    for name in slab.SLAB_FLAG_NAMES:
        ns[name] = slab.SLAB_FLAG_NAMES[name]
    return ns


def observe(k: Any) -> dict[str, Any]:
    """Everything a refused call must leave as it was (see the module docstring)."""
    pa = k.page_alloc
    out: dict[str, Any] = {
        "counters": dict(k.counters), "dmesg": list(k.dmesg), "free": pa.nr_free_pages(),
        "allocated": pa.allocated_pages(), "violations": k.violations(), "panicked": k.panicked,
    }
    for name in ("meminfo", "slabinfo", "vmallocinfo", "buddyinfo"):
        try:
            out[name] = k.proc(name)
        except NotInThisKernel:
            pass
    digest = hashlib.sha256()
    for pfn in sorted(k.phys.pages):
        digest.update(pfn.to_bytes(8, "little"))
        digest.update(bytes(k.phys.pages[pfn]))
    out["memory"] = digest.hexdigest()
    return out


@dataclass
class Result:
    outcome: str
    message: str = ""
    dmesg: list[str] = field(default_factory=list)
    check: list[str] = field(default_factory=list)
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    stdout: str = ""
    stderr: str = ""


def run_api(case: Case) -> Result:
    k = boot(case.kernel) if case.kernel else None
    ns = namespace(k)
    if case.setup:
        exec(case.setup, ns)
    before = None
    if k is not None:
        slab_obj = getattr(k, "slab", None)
        if hasattr(slab_obj, "ensure_booted"):
            slab_obj.ensure_booted()  # the slab allocator's boot-time objects, taken at first use
        before = observe(k)
    mark = len(k.dmesg) if k is not None else 0
    # the call is made from a function of its own, as a kernel caller would be (KASAN names it)
    exec(compile(f"def caller():\n    return {case.code}\n", "<case>", "exec"), ns)
    try:
        value = ns["caller"]()
    except Exception as exc:  # noqa: BLE001 - every outcome is recorded and compared
        res = Result(f"raises {type(exc).__name__}", str(exc))
    else:
        res = Result(f"returns {_show(value)}")
    if k is not None:
        res.dmesg = list(k.dmesg[mark:])
        res.check = k.violations()
        res.before, res.after = before, observe(k)
    return res


def _show(value: Any) -> str:
    """What a call returned, as the catalogue shows it: an address is "an address", an object its type."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0xFFFF:
        return "an address"
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return repr(list(value))
    if value is not None and not isinstance(value, (int, str, bool)):
        return type(value).__name__
    return repr(value)


def run_cli(case: Case, workdir: str, monkeypatch: Any) -> Result:
    from linuxmm.cli import main

    for name, text in case.files:
        path = os.path.join(workdir, name)
        with open(path, "wb") as fh:
            fh.write(text.encode("utf-8") if isinstance(text, str) else text)
    monkeypatch.chdir(workdir)
    for var in ("LINUXMM_KERNEL_VERSION", "LINUXMM_CONFIG", "LINUXMM_CMDLINE"):
        monkeypatch.delenv(var, raising=False)
    for var, value in case.env:
        monkeypatch.setenv(var, value)
    argv = shlex.split(case.code)[1:]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(argv)
    lines = err.getvalue().splitlines()
    return Result(f"exit {status}", lines[-1] if lines else "", lines[:-1], stdout=out.getvalue(),
                  stderr=err.getvalue())


# -- the docs table -------------------------------------------------------------------------------------
def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "⏎")


def _code(text: str) -> str:
    text = _cell(text)
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def kernel_label(kernel: tuple[str, ...] | None) -> str:
    if not kernel:
        return ""
    version, *rest = kernel
    return " ".join([version] + [x.replace("cmdline=", "") for x in rest])


def render(cases: list[Case], ids: list[str]) -> str:
    """The catalogue as Markdown: one table per area, each row naming the test that runs it."""
    out: list[str] = []
    area = None
    for cid, case in zip(ids, cases):
        if case.area != area:
            area = case.area
            out += ["", f"### {area}", "", "| # | via | kernel | input | outcome | message / kernel log | test |",
                    "|---|---|---|---|---|---|---|"]
        given = case.code if not case.setup else f"{case.setup}; {case.code}"
        if case.files:
            given += "".join(f" with {name}: {text!r}" for name, text in case.files)
        if case.env:
            given = " ".join(f"{k}={v}" for k, v in case.env) + " " + given
        said = [case.message] if case.message else []
        said += list(case.dmesg) + (["…"] if case.more else [])
        said += [f"check(): {c}" for c in case.check]
        text = "<br>".join(_code(s) if s else "(empty line)" for s in said) or "(nothing)"
        if case.note:
            text += f"<br>{_cell(case.note)}"
        test = f"`tests/test_bad_input.py::test_bad_input[{cid}]`"
        out.append(f"| {cid} | {case.via} | {kernel_label(case.kernel)} | {_code(given)} | {case.outcome} | {text} "
                   f"| {test} |")
    return "\n".join(out).lstrip("\n") + "\n"


__all__ = ["Case", "REFUSALS", "observe", "render", "run_api", "run_cli", "errors", "LinuxmmError"]
