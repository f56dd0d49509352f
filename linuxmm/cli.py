"""``linuxmm``: boot a kernel of any modelled era from the shell and look at it.

Global options (accepted before or after the subcommand) choose the kernel:
``--kernel-version`` (default: ``$LINUXMM_KERNEL_VERSION``, else ``latest``),
``--config NAME=VAL`` (repeatable), ``--cmdline``, ``--mem``, ``--cpus`` and
``--seed``.  Given in both places, an option after the subcommand wins over
the same option before it, except ``--config``, whose items add up.  For
``run FILE`` the order is: flags, then the file's ``[kernel]`` table, then
``$LINUXMM_KERNEL_VERSION``, then ``latest``.  ``--mem`` is bounded by
:data:`linuxmm.config.MAX_MEM` and ``--cpus`` by
:data:`linuxmm.config.MAX_CPUS`, so every command ends in bounded time.

A mistake the user can make (a version that was never modelled,
an unknown config symbol, a /proc file the era did not have, a bad workload
file) is one line, ``linuxmm: error: <message>``, on stderr with exit status
2.  A simulated kernel panic prints the kernel log lines the command produced
and ``linuxmm: the kernel panicked: <message>``, with exit status 1.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, Callable, Sequence

from . import __version__
from .errors import KernelBug, KernelPanic, LinuxmmError
from .kconfig import show_value

PROG = "linuxmm"
_SUPPRESS = argparse.SUPPRESS


class _Parser(argparse.ArgumentParser):
    """argparse with usage errors on one line (exit status 2, as argparse does).

    Always ``linuxmm: error: ...``; a subcommand's own errors name it after
    the prefix (``linuxmm: error: log: argument -n/--max-count: ...``).
    """

    def error(self, message: str) -> None:  # type: ignore[override]
        where = self.prog.removeprefix(PROG).strip()
        self.exit(2, f"{PROG}: error: {where + ': ' if where else ''}{message}\n")


def _global_options(sub: bool, hidden: bool = False) -> argparse.ArgumentParser:
    """The kernel-choosing options; on subcommands they default to SUPPRESS so both places work.

    ``hidden``: for commands that boot nothing, the options are parsed (so that
    giving one is refused with a clear message) but not listed in ``--help``.
    """
    p = argparse.ArgumentParser(add_help=False)
    g = p.add_argument_group("kernel options (before or after the command; after it wins, --config adds up)")
    d = (lambda v: _SUPPRESS) if sub else (lambda v: v)
    h = (lambda text: _SUPPRESS) if hidden else (lambda text: text)
    g.add_argument("--kernel-version", metavar="V", default=d(None),
                   help=h("release (0.01, 2.6.28, 6.15-rc6), commit sha prefix, or 'latest' "
                          "(default: $LINUXMM_KERNEL_VERSION, else latest)"))
    g.add_argument("--config", metavar="NAME=VAL", action="append", dest="config_sub" if sub else "config",
                   default=d([]) if not sub else _SUPPRESS,
                   help=h("set a config symbol, with or without CONFIG_ (repeatable)"))
    g.add_argument("--cmdline", metavar="TEXT", default=d(None), help=h("kernel boot command line"))
    g.add_argument("--mem", metavar="SIZE", default=d(None),
                   help=h("RAM, e.g. 256M or 64G, at most 256G (default: the era's)"))
    g.add_argument("--cpus", metavar="N", type=int, default=d(None),
                   help=h("number of CPUs, 1 to 1024 (default 1)"))
    g.add_argument("--seed", metavar="N", type=int, default=d(None), help=h("seed for workloads (default 0)"))
    return p


def _add(subs: Any, parent: argparse.ArgumentParser, name: str, help: str, example: str) -> argparse.ArgumentParser:
    return subs.add_parser(name, help=help, description=help[0].upper() + help[1:] + ".", parents=[parent],
                           epilog=f"example:\n  {example}", formatter_class=argparse.RawDescriptionHelpFormatter)


def build_parser() -> argparse.ArgumentParser:
    """The whole command-line grammar."""
    top = _global_options(sub=False)
    sub = _global_options(sub=True)
    quiet = _global_options(sub=True, hidden=True)  # for commands that boot nothing
    parser = _Parser(prog=PROG, parents=[top],
                     description="Linux kernel memory management as it was at each point of its history.",
                     epilog="example:\n  linuxmm --kernel-version 2.6.28 proc buddyinfo",
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    subs = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    subs.required = True

    p = _add(subs, quiet, "versions", "list the modelled releases and the implementation chosen at each",
             "linuxmm versions --tags-only")
    p.add_argument("--tags-only", action="store_true", help="print the tags only")
    p.set_defaults(func=cmd_versions)

    p = _add(subs, quiet, "log", "show the modelled commits and release tags, newest first, like git log",
             "linuxmm log --oneline v2.6.27..v2.6.28")
    p.add_argument("--oneline", action="store_true", help="one line per commit or tag")
    p.add_argument("-n", "--max-count", type=int, metavar="N", dest="max_count", help="show at most N entries")
    p.add_argument("range", nargs="?", metavar="A..B",
                   help="points after A up to B (tags or shas); a single REF means up to REF")
    p.set_defaults(func=cmd_log)

    p = _add(subs, sub, "info", "describe the booted kernel: version, implementations, memory, config",
             "linuxmm --kernel-version 2.6.28 --mem 1G --cpus 4 info")
    p.add_argument("--symbols", action="store_true",
                   help="list every config symbol and boot parameter live at this revision")
    p.set_defaults(func=cmd_info)

    p = _add(subs, sub, "run", "run a built-in workload or a TOML workload file",
             "linuxmm --kernel-version 0.01 run examples/downward-scan-0.01.toml\n"
             "  linuxmm --kernel-version 2.6.28 --seed 7 run fragment")
    p.add_argument("workload", nargs="?", default="default", metavar="WORKLOAD",
                   help="a built-in workload name (default: default; see --list) or a path to a .toml file "
                        "(a built-in name wins: write ./NAME for a file called NAME); the file's [kernel] "
                        "table is used where no flag is given; an op's repeat is at most 1000000, and "
                        "fragment needs 4G of RAM or less")
    p.add_argument("--list", action="store_true", help="list the built-in workloads")
    p.add_argument("--soak", type=int, metavar="N",
                   help="instead of a workload: N random operations on every allocator the kernel has, checking "
                        "the model's invariants as they go; a violation prints how to reproduce it (status 1)")
    p.add_argument("--check-every", type=int, metavar="K", default=1000,
                   help="with --soak: check the invariants every K operations (default 1000)")
    p.set_defaults(func=cmd_run)

    p = _add(subs, sub, "proc", "print a /proc file as the era's kernel printed it",
             "linuxmm --kernel-version 2.6.28 proc buddyinfo")
    p.add_argument("file", metavar="FILE", help="the file under /proc, e.g. buddyinfo")
    p.set_defaults(func=cmd_proc)

    p = _add(subs, sub, "show-mem", "print the era's console report of free memory (show_mem)",
             "linuxmm --kernel-version 1.2.0 show-mem")
    p.set_defaults(func=cmd_show_mem)

    p = _add(subs, sub, "extfrag", "print the external fragmentation index or the unusable free index",
             "linuxmm --kernel-version 2.6.35 extfrag --index unusable")
    p.add_argument("--index", choices=("unusable", "fragmentation"), default="unusable",
                   help="which index (default: unusable)")
    p.set_defaults(func=cmd_extfrag)

    p = _add(subs, quiet, "bench", "measure the allocator's hot path, boot time and peak memory against targets",
             "linuxmm bench --quick")
    p.add_argument("--check", action="store_true", help="exit with status 1 when a target is missed")
    p.add_argument("--quick", action="store_true", help="fewer and shorter rounds (under a minute)")
    p.add_argument("--json", action="store_true", help="print the report as one JSON object")
    p.add_argument("--curves", action="store_true",
                   help="also measure each allocator's pair against 10^2..10^5 live objects (page, kmalloc, "
                        "vmalloc; every era)")
    p.add_argument("--only", metavar="TEXT", help="measure only the cases and curves whose name contains TEXT")
    p.set_defaults(func=cmd_bench)

    from .bisect import add_subcommand as add_bisect  # git bisect's own grammar, parsed in linuxmm.bisect
    add_bisect(subs)

    for command in sorted(_host().commands.values(), key=lambda c: c.name):
        p = _add(subs, sub if command.boots else quiet, command.name, command.help,
                 command.example or f"linuxmm {command.name}")
        command.configure(p)
        p.set_defaults(func=_plugin_command(command))
    return parser


def _plugin_command(command: Any) -> Callable[[argparse.Namespace], int]:
    """The ``func`` of a plugin's subcommand: its ``run(args, boot)``."""
    def run(args: argparse.Namespace) -> int:
        return command.run(args, lambda: _boot(args))

    run.command = command  # type: ignore[attr-defined]
    return run


# -- helpers ---------------------------------------------------------------
ENV_VERSION = "LINUXMM_KERNEL_VERSION"
ENV_CONFIG = "LINUXMM_CONFIG"
ENV_CMDLINE = "LINUXMM_CMDLINE"


def _version_source(args: argparse.Namespace, file_version: str | None = None,
                    file_where: str = "") -> tuple[str, str | None]:
    """The version to boot and where it came from (None: the flag or the default).

    An empty ``--kernel-version ''`` is a mistake, not "use the default", and
    so is a ``$LINUXMM_KERNEL_VERSION`` that is set but empty.
    """
    if args.kernel_version is not None:
        if not args.kernel_version.strip():
            raise LinuxmmError("--kernel-version is empty: give a release such as 2.6.28, a commit sha "
                               "prefix, or 'latest' (see `linuxmm versions`)")
        return args.kernel_version, None
    if file_version is not None:
        return file_version, f"{file_where} version {file_version!r}"
    env = os.environ.get(ENV_VERSION)
    if env is not None:
        if not env.strip():
            raise LinuxmmError(f"{ENV_VERSION} is set but empty: give a release such as 2.6.28, a commit sha "
                               f"prefix, or 'latest' (or unset it)")
        return env, f"{ENV_VERSION}={env}"
    return "latest", None


def _resolve(args: argparse.Namespace):
    """The revision the flags and environment name; errors name ``$LINUXMM_KERNEL_VERSION`` when it was used."""
    from .errors import VersionError

    version, source = _version_source(args)
    try:
        return _host().history.resolve(version)
    except VersionError as exc:
        if source:
            raise VersionError(f"{source}: {exc}") from None
        raise


def _check_machine(mem: Any, cpus: Any) -> None:
    """``--mem`` and ``--cpus`` within the model's bounds (one-line errors)."""
    from .config import check_cpus, check_mem

    if mem is not None:
        try:
            check_mem(mem)
        except ValueError as exc:
            raise LinuxmmError(f"--mem {exc}") from None
    if cpus is not None:
        try:
            check_cpus(cpus)
        except ValueError as exc:
            raise LinuxmmError(f"--cpus {exc}") from None


def _config_items(args: argparse.Namespace) -> list[str]:
    """``$LINUXMM_CONFIG``'s items, then the flags' (a later setting of a symbol wins)."""
    env = os.environ.get(ENV_CONFIG, "").split()
    return env + list(args.config or []) + list(getattr(args, "config_sub", None) or [])


def _cmdline(args: argparse.Namespace) -> str | None:
    """``--cmdline``, else ``$LINUXMM_CMDLINE``."""
    return args.cmdline if args.cmdline is not None else os.environ.get(ENV_CMDLINE)


def _boot(args: argparse.Namespace, source: str | None = None, **overrides: Any):
    """Boot from the flags (``overrides`` replace them); ``source`` names where the version came from."""
    import linuxmm
    from .errors import VersionError

    _check_machine(args.mem, args.cpus)
    if "version" not in overrides:
        version, source = _version_source(args)
        overrides["version"] = version
    opts = dict(mem=args.mem, cpus=1 if args.cpus is None else args.cpus, config=_config_items(args),
                cmdline=_cmdline(args), seed=args.seed or 0)
    opts.update(overrides)
    version = opts.pop("version")
    try:
        kernel = linuxmm.boot(version, **opts)
    except VersionError as exc:
        if source:
            raise VersionError(f"{source}: {exc}") from None
        raise
    args._kernel = kernel
    args._dmesg_mark = len(kernel.dmesg)
    return kernel


def _emit(text: str) -> None:
    """Print ``text`` followed by exactly one newline."""
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _host():
    from .host import get_host

    return get_host()


def _default_impls(host: Any, rev: Any) -> dict[str, Any]:
    from .config import resolve_config

    return host.implementations_for(rev, resolve_config(host, rev, None))


# -- commands ----------------------------------------------------------------
def cmd_versions(args: argparse.Namespace) -> int:
    host = _host()
    history = host.history
    for tag in history.modelled_releases():
        if args.tags_only:
            print(tag)
            continue
        impls = _default_impls(host, history.resolve(tag))
        cols = " ".join(f"{s}={i.name}" for s, i in impls.items())
        print(f"{tag:<11} {cols}".rstrip())
    return 0


def _log_points(history: Any, spec: str | None) -> list[Any]:
    lo, hi = -1, len(history.points) - 1
    if spec:
        if ".." in spec:
            a, _, b = spec.partition("..")
            if a:
                lo = history.ref_index(_ref(history, a))
            if b:
                hi = history.ref_index(_ref(history, b))
        else:
            hi = history.ref_index(_ref(history, spec))
    return history.points[lo + 1: hi + 1][::-1]


def _ref(history: Any, text: str) -> str:
    """Check a ref for ``log``: a modelled sha prefix or a modelled tag."""
    from .errors import VersionError
    from .history import _SHA_RE, _VERSION_RE, tag_of

    text = text.strip()
    if _SHA_RE.match(text.lower()) and not _VERSION_RE.match(text):
        history.commit(text)
        return text.lower()
    tag = tag_of(text)
    if tag not in history.tag_index and tag not in history.stable:
        raise VersionError(f"{text} is not a modelled tag or commit (see `linuxmm versions`, `linuxmm log --oneline`)")
    return tag


def cmd_log(args: argparse.Namespace) -> int:
    if args.max_count is not None and args.max_count < 0:
        raise LinuxmmError(f"log: -n must be 0 or more, not {args.max_count}")
    history = _host().history
    points = _log_points(history, args.range)
    if args.max_count is not None:
        points = points[: args.max_count]
    blocks = []
    for p in points:
        if p.commit:
            c = p.commit
            if args.oneline:
                blocks.append(f"{c.sha} {c.subject}")
                continue
            lines = [f"commit {c.sha}", f"Author: {c.author}", f"Date:   {c.date}", "", f"    {c.subject}"]
            if c.fixes:
                lines.append("")
                for sha in c.fixes:
                    try:
                        fixed = history.commit(sha)
                        lines.append(f"    Fixes: {sha} (\"{fixed.subject}\")")
                    except LinuxmmError:
                        lines.append(f"    Fixes: {sha}")
            blocks.append("\n".join(lines))
        else:
            tag = p.release.tag
            if args.oneline:
                blocks.append(" " * 12 + f" (tag: {tag}) Linux {tag[1:]}")
                continue
            lines = [f"tag {tag}"]
            if p.release.date:
                lines.append(f"Date:   {p.release.date}")
            lines += ["", f"    Linux {tag[1:]}"]
            blocks.append("\n".join(lines))
    if blocks:
        print(("\n" if args.oneline else "\n\n").join(blocks))
    return 0


def _symbols_report(host: Any, rev: Any) -> str:
    from .config import resolve_config

    defaults = resolve_config(host, rev, None)
    out = [f"config symbols at {rev.describe}:"]
    syms = [s for s in host.symbols.values() if host.available(s, rev)]
    for sym in sorted(syms, key=lambda s: s.name):
        setting = f"CONFIG_{sym.name}={show_value(defaults.get(sym.name))}"
        note = "" if sym.modelled else " (accepted, no effect in this model)"
        out.append(f"  {setting:<32} {sym.help}{note}".rstrip())
    if not syms:
        out.append("  (none)")
    out.append(f"boot parameters at {rev.describe}:")
    params = [p for p in host.params.values() if host.available(p, rev)]
    for param in sorted(params, key=lambda p: p.name):
        note = "" if param.modelled or "no effect" in param.help else " (accepted, no effect in this model)"
        out.append(f"  {param.name:<32} {param.help}{note}".rstrip())
    if not params:
        out.append("  (none)")
    return "\n".join(out)


def _size(nbytes: int) -> str:
    for unit, shift in (("G", 30), ("M", 20), ("K", 10)):
        if nbytes >= 1 << shift and nbytes % (1 << shift) == 0:
            return f"{nbytes >> shift}{unit}"
    return f"{nbytes}"


def cmd_info(args: argparse.Namespace) -> int:
    host = _host()
    if args.symbols:
        rev = _resolve(args)
        _emit(_symbols_report(host, rev))
        return 0
    from .config import resolve_config

    k = _boot(args)
    rev = k.revision
    out = [f"version:     {rev.describe}"]
    if rev.name != rev.describe:
        out[0] += f" ({rev.name})"
    if rev.note:
        out.append(f"resolved:    {rev.note}")
    if not k.implementations:
        out.append("subsystems:  (none modelled at this revision)")
    for subsystem, impl in k.implementations.items():
        out.append(f"{subsystem + ':':<12} {impl.name}: {impl.summary} (since {host.describe_ref(impl.introduced)})")
    if k.phys is not None:
        out.append(f"memory:      {_size(k.phys.size)} ({k.phys.nr_pages} pages of 4K)")
    pa = getattr(k, "page_alloc", None)
    if pa is not None:
        out.append(f"max order:   {pa.max_order}")
        zones = pa.zone_info()
        out.append("zones:       name        start_pfn    end_pfn    present       free")
        for z in zones:
            out.append(f"             {z.name:<8} {z.start_pfn:>12} {z.end_pfn:>10} {z.present_pages:>10} "
                       f"{z.free_pages:>10}")
    out.append(f"cpus:        {k.nr_cpus}")
    defaults = resolve_config(host, rev, None)
    changed = [f"CONFIG_{n}={show_value(v)}" for n, v in sorted(k.config.items()) if defaults.get(n) != v]
    out.append("config:      " + (" ".join(changed) if changed else "(defaults)"))
    out.append("cmdline:     " + (k.cmdline.text or "(empty)"))
    if k.cmdline.unknown:
        out.append("unknown:     " + " ".join(k.cmdline.unknown) + f" ({rev.describe} did not take them: passed to user space)")
    if k.cmdline.malformed:
        out.append("malformed:   " + " ".join(k.cmdline.malformed))
    for note in getattr(k.config, "whatifs", ()):
        out.append(f"what-if:     {note}")
    ignored = [f"CONFIG_{n}={show_value(k.config[n])}" for n in getattr(k.config, "unmodelled", ())]
    ignored += [name for name in k.cmdline.unmodelled]
    if ignored:
        out.append("accepted, no effect in this model: " + " ".join(ignored))
    _emit("\n".join(out))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    host = _host()
    if args.soak is not None:
        if args.list or args.workload != "default":
            raise LinuxmmError("run --soak takes no workload and no --list")
        from .soak import soak

        k = _boot(args)
        report = soak(k, args.soak, seed=args.seed or 0, check_every=args.check_every)
        _emit(f"soak: {k.version}, seed {args.seed or 0}")
        _emit("\n".join(report.lines()))
        return 0 if report.ok else 1
    if args.check_every != 1000:
        raise LinuxmmError("run: --check-every goes with --soak")
    if args.list:
        for wl in sorted(host.workloads.values(), key=lambda w: w.name):
            print(f"{wl.name:<10} {wl.help}".rstrip())
        return 0
    name = args.workload
    wl = host.workloads.get(name)
    if wl is None and (name.endswith(".toml") or os.sep in name or os.path.exists(name)):
        return _run_file(args, name)
    if wl is None:
        known = ", ".join(sorted(host.workloads)) or "none"
        raise LinuxmmError(f"unknown workload {name!r} (built-in: {known}; or give a path to a .toml file)")
    k = _boot(args)
    _emit(wl.run(k, args.seed or 0))
    return 0


def _run_file(args: argparse.Namespace, path: str) -> int:
    from . import workload

    wl = workload.load(path)
    kt = wl.kernel
    config = kt.get("config", [])
    if isinstance(config, dict):
        config = [f"{n}={show_value(v) if isinstance(v, bool) else v}" for n, v in config.items()]
    version, source = _version_source(args, kt.get("version"), f"{path}: [kernel]")
    k = _boot(args, source, version=version,
              mem=args.mem if args.mem is not None else kt.get("mem"),
              cpus=args.cpus if args.cpus is not None else kt.get("cpus", 1),
              config=list(config) + _config_items(args),
              cmdline=args.cmdline if args.cmdline is not None else kt.get("cmdline", _cmdline(args)),
              seed=args.seed if args.seed is not None else kt.get("seed", 0))
    print(f"# {path} at {k.version}")
    return workload.run(k, wl, out=print)


def cmd_proc(args: argparse.Namespace) -> int:
    k = _boot(args)
    sys.stdout.write(k.proc(args.file))
    return 0


def cmd_show_mem(args: argparse.Namespace) -> int:
    k = _boot(args)
    pa = getattr(k, "page_alloc", None)
    if pa is None:
        raise LinuxmmError(f"{k.version} has no page allocator modelled")
    _emit(pa.show_mem())
    return 0


def cmd_extfrag(args: argparse.Namespace) -> int:
    k = _boot(args)
    pa = getattr(k, "page_alloc", None)
    if pa is None or pa.max_order == 0:
        name = k.implementations["page_alloc"].name if "page_alloc" in k.implementations else "none"
        raise LinuxmmError(f"extfrag: {k.version} has no buddy allocator (page_alloc={name}); "
                           f"the buddy allocator is modelled from v1.1.89")
    from .fragmentation import render_extfrag_index, render_unusable_index

    render = render_unusable_index if args.index == "unusable" else render_extfrag_index
    sys.stdout.write(render(k))
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from . import bench

    return bench.run(quick=args.quick, check=args.check, as_json=args.json, curves=args.curves, only=args.only,
                     out=print)


# -- entry point -------------------------------------------------------------
#: Commands that boot no kernel of the user's choosing: kernel options given to them are mistakes.
_NO_BOOT = {"versions": "lists every modelled release",
            "log": "shows the modelled history; give a range such as v2.6.27..v2.6.28 to narrow it",
            "bench": "boots its own kernels and machines for each case"}


def _refuse_unused_options(args: argparse.Namespace) -> None:
    """``linuxmm --mem 1G versions`` would silently ignore ``--mem``: say so instead."""
    why = _NO_BOOT.get(args.command)
    plugin_command = getattr(args.func, "command", None)
    if why is None and plugin_command is not None and not plugin_command.boots:
        why = plugin_command.help
    if why is None:
        return
    given = [flag for flag, value in (("--kernel-version", args.kernel_version), ("--mem", args.mem),
                                      ("--cpus", args.cpus), ("--cmdline", args.cmdline), ("--seed", args.seed))
             if value is not None]
    if args.config or getattr(args, "config_sub", None):
        given.append("--config")
    if given:
        raise LinuxmmError(f"{args.command} takes no kernel options (it {why}): drop {', '.join(given)}")


def _one_line(message: str) -> str:
    return " ".join(part.strip() for part in str(message).splitlines() if part.strip())


def _quiet_stdout() -> None:
    """After stdout failed: point it at /dev/null so the interpreter's final flush stays silent."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass
    try:
        sys.stdout = open(os.devnull, "w")
    except OSError:
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status.

    0 ok; 1 a check failed, or the simulated kernel panicked or hit a BUG; 2 a
    usage error; 130 interrupted (Ctrl-C); 141 the reader of stdout went away
    (a closed pipe, as a shell reports a process killed by SIGPIPE); 74
    (``EX_IOERR``) stdout could not be written (``> /dev/full``).
    """
    try:
        status = _main(argv)
        sys.stdout.flush()  # surface a write error here, not at interpreter exit
        return status
    except KeyboardInterrupt:
        _flush_quietly()
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        _quiet_stdout()
        return 141
    except OSError as exc:
        if exc.errno is None or exc.filename is not None:
            raise
        _quiet_stdout()
        print(f"{PROG}: error: cannot write the output: {exc.strerror}", file=sys.stderr)
        return 74


def _flush_quietly() -> None:
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        _quiet_stdout()


def _main(argv: Sequence[str] | None) -> int:
    try:
        parser = build_parser()  # loads the plugins: a bad LINUXMM_PLUGINS is a usage error
    except LinuxmmError as exc:
        print(f"{PROG}: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        _refuse_unused_options(args)
        return func(args)
    except LinuxmmError as exc:
        sys.stdout.flush()
        print(f"{PROG}: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except (KernelPanic, KernelBug) as exc:
        sys.stdout.flush()
        kernel = getattr(args, "_kernel", None)
        if kernel is not None:
            for line in kernel.dmesg[getattr(args, "_dmesg_mark", 0):]:
                print(line, file=sys.stderr)
        if isinstance(exc, KernelPanic):
            msg = kernel.panicked if kernel is not None and kernel.panicked else str(exc)
            print(f"{PROG}: the kernel panicked: {_one_line(msg)}", file=sys.stderr)
        else:
            print(f"{PROG}: {_one_line(exc)}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
