"""Workload files: a TOML list of allocator operations, run by ``linuxmm run FILE``.

A workload file has an optional ``[kernel]`` table (how to boot; command-line
flags override it) and an array of ``[[op]]`` tables, run in order::

    description = "0.01 hands out the highest free page first"

    [kernel]
    version = "0.01"

    [[op]]
    alloc = "a"                  # a handle name
    order = 0                    # default 0
    gfp = "GFP_KERNEL"           # names from linuxmm.gfp joined by '|', default GFP_KERNEL

    [[op]]
    write = "a"
    data = "hello"
    offset = 0                   # optional

    [[op]]
    read = "a"
    size = 5
    expect = "hello"             # optional: text, or hex bytes written "0x68656c6c6f"

    [[op]]
    free = "a"

    [[op]]
    proc = "buddyinfo"           # print /proc/buddyinfo

    [[op]]
    show_mem = true              # print the era's free-memory report

Every op may carry ``cpu = N`` (run it as CPU N, through ``kernel.on_cpu``).
An ``alloc`` op may carry ``repeat = N`` (1 to :data:`MAX_REPEAT`): it then
allocates and frees the block N times in a row and prints one summary line,
keeping no handle.  ``gfp`` may also be an integer mask (``gfp = 0x80d0``);
either way only the bits :mod:`linuxmm.gfp` names are accepted.
``echo = "text"`` prints a line; ``dmesg = true`` prints the kernel log lines
logged since the previous ``dmesg`` op (or since boot).

The small-object allocators have their own ops (see the block at the end of
this module): ``kmalloc``, ``kfree``, ``kmem_cache_create``,
``kmem_cache_alloc``, ``kmem_cache_free`` and ``kmem_cache_destroy``; a
handle they make may be written and read like a page handle, up to one page
from its start (an overflow past the object is what ``slub_debug``'s red
zones catch), and a freed kmalloc handle may be written (a use after free)
or freed again with ``double = true``.

Mistakes are reported before anything runs, each naming the file, the line
of the op's ``[[op]]`` header and the op's index in the array (``op[2]``,
counting from 0); TOML syntax errors carry tomllib's "at line N".  All of
them are :class:`~linuxmm.errors.WorkloadError`, which the CLI reports on one
line with exit status 2.  A failed ``expect`` is not an error in the file:
it prints ``MISMATCH`` and makes the run's status 1.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from . import gfp as _gfp
from .config import check_cpus, check_mem
from .errors import LinuxmmError, NotInThisKernel, WorkloadError

if TYPE_CHECKING:  # pragma: no cover
    from .kernel import Kernel

#: The op kinds and the extra keys each accepts (``cpu`` is accepted by all).
OP_KINDS: dict[str, frozenset[str]] = {
    "alloc": frozenset({"order", "gfp", "repeat"}),
    "free": frozenset(),
    "write": frozenset({"data", "offset"}),
    "read": frozenset({"size", "offset", "expect"}),
    "proc": frozenset(),
    "show_mem": frozenset(),
    "dmesg": frozenset(),
    "echo": frozenset(),
}
KERNEL_KEYS = ("version", "mem", "cpus", "config", "cmdline", "seed")

#: A million alloc+free pairs run in about two seconds.
MAX_REPEAT = 1_000_000
#: What one file may move in all: the sum over its alloc ops of ``repeat`` x ``2**order`` pages.
#: An order-10 pair costs about as much as a thousand order-0 pairs, so this bounds a file's run
#: to seconds whatever mix of orders and repeats it asks for.
MAX_PAGES_MOVED = 1 << 26
#: Every bit :mod:`linuxmm.gfp` names; a mask with any other bit is refused.
GFP_KNOWN_BITS = 0
for _name in _gfp.__all__:
    if _name.startswith("__GFP_"):
        GFP_KNOWN_BITS |= getattr(_gfp, _name)
del _name
TOP_KEYS = ("description", "kernel", "op")

_OP_HEADER = re.compile(r"^\s*\[\[\s*op\s*\]\]\s*(#.*)?$")
_KERNEL_HEADER = re.compile(r"^\s*\[\s*kernel\s*\]\s*(#.*)?$")
_HEX = re.compile(r"^0x((?:[0-9a-fA-F]{2})*)$")


def _check_gfp_bits(mask: int, shown: Any) -> int:
    if mask < 0:
        raise ValueError(f"gfp must not be negative, not {shown!r}")
    unknown = mask & ~GFP_KNOWN_BITS
    if unknown:
        raise ValueError(f"gfp {shown!r} has bits no flag of linuxmm.gfp names ({unknown:#x})")
    return mask


def parse_gfp(text: Any) -> int:
    """``"GFP_KERNEL|__GFP_ZERO"`` (or an int) to a mask, by the names in :mod:`linuxmm.gfp`.

    Numbers (an int, or ``0x...`` between the ``|``) are accepted when every
    bit they set is one :mod:`linuxmm.gfp` names; a negative number or an
    unknown bit is a ``ValueError``.
    """
    if isinstance(text, bool):
        raise ValueError(f"gfp must be a string such as \"GFP_KERNEL|__GFP_ZERO\", not {text!r}")
    if isinstance(text, int):
        return _check_gfp_bits(text, text)
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"gfp must be a string such as \"GFP_KERNEL|__GFP_ZERO\", not {text!r}")
    mask = 0
    for part in text.split("|"):
        name = part.strip()
        if name in _gfp.__all__:
            mask |= getattr(_gfp, name)
            continue
        try:
            number = int(name, 0)
        except ValueError:
            raise ValueError(f"unknown gfp flag {name!r} (known: GFP_KERNEL, GFP_ATOMIC, __GFP_ZERO, "
                             f"... as in linuxmm.gfp)") from None
        mask |= _check_gfp_bits(number, name)
    return mask


@dataclass
class Op:
    """One checked ``[[op]]`` entry."""

    index: int
    line: int | None
    kind: str
    arg: Any
    fields: dict[str, Any]
    cpu: int | None = None

    def where(self, path: str) -> str:
        """``file:line: op[i]`` (the line of the op's ``[[op]]`` header)."""
        return (f"{path}:{self.line}" if self.line else path) + f": op[{self.index}]"


@dataclass
class WorkloadFile:
    """A parsed and checked workload file."""

    path: str
    description: str = ""
    kernel: dict[str, Any] = field(default_factory=dict)
    ops: list[Op] = field(default_factory=list)


def _toml_where(message: str, text: str) -> str:
    """tomllib's message, with the line and column also where it says only "(at end of document)".

    tomllib ends its messages with ``(at line N, column M)``, or with ``(at end of document)``
    when the error is the text's end (an unterminated value or array); the second gets the
    line and column of that end, so every syntax error names where it is.
    """
    suffix = "(at end of document)"
    if not message.endswith(suffix):
        return message
    lines = text.split("\n")
    return message[: -len(suffix)] + f"(at end of document: line {len(lines)}, column {len(lines[-1]) + 1})"


def _header_lines(text: str, pattern: re.Pattern[str]) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), 1) if pattern.match(line)]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def load(path: str) -> WorkloadFile:
    """Read, parse and check a workload file (nothing is run)."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise WorkloadError(f"{path}: cannot read workload file: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WorkloadError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    return loads(text, path)


def loads(text: str, path: str = "<workload>") -> WorkloadFile:
    """Parse and check workload text; ``path`` names it in messages."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise WorkloadError(f"{path}: invalid TOML: {_toml_where(str(exc), text)}") from None
    wl = WorkloadFile(path=path)
    for key in doc:
        if key not in TOP_KEYS:
            raise WorkloadError(f"{path}: unknown top-level key {key!r} (expected {', '.join(TOP_KEYS)})")
    desc = doc.get("description", "")
    if not isinstance(desc, str):
        raise WorkloadError(f"{path}: description must be a string")
    wl.description = desc
    wl.kernel = _check_kernel(doc.get("kernel", {}), path, text)
    ops = doc.get("op", [])
    if not isinstance(ops, list) or not all(isinstance(o, dict) for o in ops):
        raise WorkloadError(f"{path}: 'op' must be an array of tables, written [[op]]")
    if not ops:
        raise WorkloadError(f"{path}: no [[op]] tables: nothing to run")
    lines = _header_lines(text, _OP_HEADER)
    live: dict[str, tuple[int, int]] = {}  # handle -> (index of the alloc op that made it, its order)
    moved = 0
    for index, table in enumerate(ops):
        line = lines[index] if len(lines) == len(ops) else None
        op = _check_op(index, line, table, live, path)
        wl.ops.append(op)
        if op.kind == "alloc":
            moved += op.fields.get("repeat", 1) << min(op.fields["order"], 11)  # no era serves more
            if moved > MAX_PAGES_MOVED:
                raise WorkloadError(f"{op.where(path)}: the file would move more than {MAX_PAGES_MOVED:_} pages in "
                                    f"all (the sum of repeat x 2**order over its alloc ops), a bound that keeps a "
                                    f"run to seconds; lower a repeat or an order")
    return wl


def _check_kernel(table: Any, path: str, text: str) -> dict[str, Any]:
    lines = _header_lines(text, _KERNEL_HEADER)
    where = f"{path}:{lines[0]}: [kernel]" if lines else f"{path}: [kernel]"
    if not isinstance(table, dict):
        raise WorkloadError(f"{where}: must be a table")
    for key, value in table.items():
        if key not in KERNEL_KEYS:
            raise WorkloadError(f"{where}: unknown key {key!r} (expected {', '.join(KERNEL_KEYS)})")
        if key in ("version", "cmdline") and not isinstance(value, str):
            raise WorkloadError(f"{where}: {key} must be a string")
        if key == "version" and not value.strip():
            raise WorkloadError(f"{where}: version is empty (give a release such as \"2.6.28\", or leave it out)")
        if key == "mem":
            if not (isinstance(value, str) or _is_int(value)):
                raise WorkloadError(f"{where}: mem must be a size such as \"256M\"")
            try:
                check_mem(value)
            except ValueError as exc:
                raise WorkloadError(f"{where}: mem {exc}") from None
        if key in ("cpus", "seed") and not _is_int(value):
            raise WorkloadError(f"{where}: {key} must be an integer")
        if key == "cpus":
            try:
                check_cpus(value)
            except ValueError as exc:
                raise WorkloadError(f"{where}: cpus {exc}") from None
        if key == "config":
            if isinstance(value, list):
                if not all(isinstance(v, str) for v in value):
                    raise WorkloadError(f"{where}: config must be a table or a list of \"NAME=VALUE\" strings")
            elif not isinstance(value, dict):
                raise WorkloadError(f"{where}: config must be a table or a list of \"NAME=VALUE\" strings")
            else:
                for name, v in value.items():
                    if not isinstance(v, (str, bool, int)):
                        raise WorkloadError(f"{where}: config.{name} must be a string, a boolean or an integer, "
                                            f"not {v!r}")
    return dict(table)


def _check_op(index: int, line: int | None, table: dict[str, Any], live: dict[str, int], path: str) -> Op:
    where = f"{path}:{line}: op[{index}]" if line else f"{path}: op[{index}]"

    def bad(msg: str) -> WorkloadError:
        return WorkloadError(f"{where}: {msg}")

    kinds = [k for k in table if k in OP_KINDS]
    if not kinds:
        unknown = [k for k in table if k not in ("cpu",)]
        if unknown:
            return _raise(bad(f"unknown op {unknown[0]!r} (expected one of {', '.join(OP_KINDS)})"))
        return _raise(bad(f"empty op (expected one of {', '.join(OP_KINDS)})"))
    if len(kinds) > 1:
        return _raise(bad(f"one op per [[op]] table, not {' and '.join(kinds)}"))
    kind = kinds[0]
    allowed = OP_KINDS[kind] | {kind, "cpu"}
    for key in table:
        if key not in allowed:
            extra = ", ".join(sorted(OP_KINDS[kind] | {"cpu"}))
            return _raise(bad(f"{kind}: unknown field {key!r} (this op takes {extra})"))
    arg = table[kind]
    fields = {k: v for k, v in table.items() if k not in (kind, "cpu")}
    cpu = table.get("cpu")
    if cpu is not None and (not _is_int(cpu) or cpu < 0):
        raise bad(f"cpu must be a CPU number (0, 1, ...), not {cpu!r}")

    def intfield(name: str, default: int, low: int = 0) -> int:
        value = fields.get(name, default)
        if not _is_int(value) or value < low:
            raise bad(f"{kind}: {name} must be an integer >= {low}, not {value!r}")
        return value

    if kind in SLAB_OP_KINDS:
        return _check_slab_op(index, line, kind, arg, fields, cpu, live, bad, intfield)
    if kind in ("alloc", "free", "write", "read"):
        if not isinstance(arg, str) or not arg:
            raise bad(f"{kind} needs a handle name (a string), not {arg!r}")
    if kind == "alloc":
        fields["order"] = intfield("order", 0)
        try:
            fields["gfp"] = parse_gfp(fields.get("gfp", "GFP_KERNEL"))
        except ValueError as exc:
            raise bad(f"alloc: {exc}") from None
        if "repeat" in fields:
            fields["repeat"] = intfield("repeat", 1, 1)
            if fields["repeat"] > MAX_REPEAT:
                raise bad(f"alloc: repeat must be at most {MAX_REPEAT:_} (a bound that keeps a run short), "
                          f"not {fields['repeat']:_}")
        elif arg in live:
            raise bad(f"handle {arg!r} is still allocated (by op[{live[arg][0]}]); free it first or use another name")
        else:
            live[arg] = (index, fields["order"])
    elif kind == "free":
        if arg not in live:
            raise bad(f"free of unknown handle {arg!r}" + _known(live))
        if live[arg][1] in SLAB_TAGS:
            raise bad(f"free is for pages; {arg!r} is a {live[arg][1]} handle (use kfree or kmem_cache_free)")
        del live[arg]
    elif kind == "write":
        if arg not in live:
            raise bad(f"write to unknown handle {arg!r}" + _known(live))
        if not isinstance(fields.get("data"), str):
            raise bad("write needs data = \"...\" (a string)")
        fields["offset"] = intfield("offset", 0)
        _check_span(bad, kind, arg, fields["offset"], len(fields["data"].encode()), _span_order(live[arg]))
    elif kind == "read":
        if arg not in live:
            raise bad(f"read of unknown handle {arg!r}" + _known(live))
        fields["offset"] = intfield("offset", 0)
        fields["size"] = intfield("size", -1, 1)
        if "expect" in fields:
            expect = fields["expect"]
            if not isinstance(expect, str):
                raise bad("read: expect must be a string (text, or hex written 0x...)")
            m = _HEX.match(expect)
            if m is None and expect[:2].lower() == "0x":
                raise bad(f"read: expect {expect!r} starts with 0x but is not hex bytes (two hex digits per byte, "
                          f"e.g. 0x68656c6c6f)")
            fields["expect"] = bytes.fromhex(m.group(1)) if m else expect.encode()
            if len(fields["expect"]) != fields["size"]:
                raise bad(f"read: expect has {len(fields['expect'])} bytes but size is {fields['size']}")
        _check_span(bad, kind, arg, fields["offset"], fields["size"], _span_order(live[arg]))
    elif kind == "proc":
        if not isinstance(arg, str) or not arg:
            raise bad("proc needs a file name, e.g. proc = \"buddyinfo\"")
    elif kind in ("show_mem", "dmesg"):
        if arg is not True:
            raise bad(f"write {kind} = true")
    elif kind == "echo":
        if not isinstance(arg, str):
            raise bad("echo needs a string")
    return Op(index, line, kind, arg, fields, cpu)


def _check_span(bad: Callable[[str], WorkloadError], kind: str, name: str, offset: int, size: int,
                order: int) -> None:
    limit = 4096 << min(order, 63)
    if offset + size > limit:
        raise bad(f"{kind} of {size} bytes at offset {offset} runs past the end of {name!r} ({limit} bytes)")


def _raise(exc: Exception) -> Op:
    raise exc


def _known(live: dict[str, int]) -> str:
    return f" (live handles: {', '.join(sorted(live))})" if live else " (no handle is allocated at this point)"


def _show(data: bytes) -> str:
    text = data.decode("latin-1")
    printable = "".join(c if 32 <= ord(c) < 127 else "." for c in text)
    return f"{data.hex()} \"{printable}\""


def run(kernel: "Kernel", wl: WorkloadFile, out: Callable[[str], None] = print) -> int:
    """Run ``wl``'s ops on ``kernel``, printing through ``out``; 1 if an ``expect`` failed, else 0.

    The ops go through the era-neutral ``alloc_block``/``free_block`` of the
    booted page allocator, so one file runs at any modelled release whose
    allocator can serve the orders it asks for.
    """
    pa = getattr(kernel, "page_alloc", None)
    handles: dict[str, tuple[int, int]] = {}
    status = 0
    dmesg_mark = len(kernel.dmesg)
    for op in wl.ops:  # before anything runs: what this kernel cannot do at all
        if op.cpu is not None and op.cpu >= kernel.nr_cpus:
            raise WorkloadError(f"{op.where(wl.path)}: CPU {op.cpu} does not exist (this kernel has "
                                f"cpus=0..{kernel.nr_cpus - 1}; boot with --cpus {op.cpu + 1} or set cpus in [kernel])")
        try:
            if op.kind in ("alloc", "free", "show_mem") and pa is None:
                raise NotInThisKernel(f"{kernel.version} has no page allocator modelled")
            if op.kind == "alloc" and op.fields["order"] and not pa.max_order:
                raise pa.single_pages_only(op.fields["order"])
            if op.kind == "proc":
                kernel.proc_file(op.arg)
            if op.kind in SLAB_OP_KINDS:
                _slab_op_possible(kernel, op)
        except LinuxmmError as exc:
            raise WorkloadError(f"{op.where(wl.path)}: {exc}") from None
    if wl.description:
        out(f"# {wl.description}")
    for op in wl.ops:
        try:
            if op.cpu is not None:
                with kernel.on_cpu(op.cpu):
                    status |= _run_op(kernel, pa, op, handles, out)
            else:
                status |= _run_op(kernel, pa, op, handles, out)
        except LinuxmmError as exc:  # a runtime failure: say which op
            raise WorkloadError(f"{op.where(wl.path)}: {exc}") from None
        if op.kind == "dmesg":
            new = kernel.dmesg[dmesg_mark:]
            for line in new:
                out(line)
            if not new:
                out("(no new kernel log lines)")
            dmesg_mark = len(kernel.dmesg)
    return status


def _run_op(kernel: "Kernel", pa: Any, op: Op, handles: dict[str, tuple[int, int]],
            out: Callable[[str], None]) -> int:
    on = f" [cpu {op.cpu}]" if op.cpu is not None else ""
    kind, name, f = op.kind, op.arg, op.fields
    if kind in SLAB_OP_KINDS:
        return _run_slab_op(kernel, op, handles, out, on)
    if pa is None and kind in ("alloc", "free", "show_mem"):
        raise NotInThisKernel(f"{kernel.version} has no page allocator modelled")
    if kind == "alloc":
        order, mask = f["order"], f["gfp"]
        flags = _gfp.gfp_names(mask)
        repeat = f.get("repeat")
        if repeat:
            alloc_block, free_block = pa.alloc_block, pa.free_block
            seen: set[int] = set()
            first = addr = 0
            failed = 0
            for i in range(repeat):
                addr = alloc_block(order, mask)
                if i == 0:
                    first = addr
                if addr:
                    seen.add(addr)
                    free_block(addr, order)
                else:
                    failed += 1
            out(f"alloc+free {name} order={order} gfp={flags} x{repeat}{on}: first {first:#x}, "
                f"last {addr:#x}, {len(seen)} distinct, {failed} failed")
            return 0
        addr = pa.alloc_block(order, mask)
        handles[name] = (addr, order)
        out(f"alloc {name} order={order} gfp={flags}{on} -> " + (f"{addr:#x}" if addr else "NULL (failed)"))
    elif kind == "free":
        addr, order = handles.pop(name)
        pa.free_block(addr, order)
        out(f"free {name} ({addr:#x}, order {order}){on}")
    elif kind in ("write", "read"):
        addr, order = handles[name]
        if not addr:
            raise WorkloadError(f"handle {name!r} is NULL (its allocation failed)")
        offset = f["offset"]
        size = len(f["data"].encode()) if kind == "write" else f["size"]
        if kind == "write":
            kernel.memory.write(addr + offset, f["data"].encode())
            out(f"write {name}+{offset}{on}: {size} bytes")
        else:
            data = kernel.memory.read(addr + offset, size)
            line = f"read {name}+{offset}{on}: {_show(data)}"
            expect = f.get("expect")
            if expect is not None:
                if data == expect:
                    line += " (as expected)"
                else:
                    out(f"{line} MISMATCH: expected {_show(expect)}")
                    return 1
            out(line)
    elif kind == "proc":
        text = kernel.proc(name)
        out(f"$ cat /proc/{name.removeprefix('/proc/')}{on}")
        out(text.rstrip("\n"))
    elif kind == "show_mem":
        out(f"$ show_mem{on}")
        out(pa.show_mem().rstrip("\n"))
    elif kind == "echo":
        out(name)
    return 0


# -- small-object allocator ops (kmalloc, kfree, kmem_cache_*) ---------------------------------------------
#
#     [[op]]
#     kmalloc = "a"                # a handle; size is required; gfp as for alloc
#     size = 64
#
#     [[op]]
#     kfree = "a"                  # double = true frees a freed handle again (a double free, on purpose)
#
#     [[op]]
#     kmem_cache_create = "c"      # the handle is also the cache's name; size required; align, flags optional
#     size = 100
#
#     [[op]]
#     kmem_cache_alloc = "o"       # cache = "c" required
#     cache = "c"
#
#     [[op]]
#     kmem_cache_free = "o"
#
#     [[op]]
#     kmem_cache_destroy = "c"
#
# Handles live in the same namespace as page handles, tagged by what made them.

SLAB_OP_KINDS: dict[str, frozenset[str]] = {
    "kmalloc": frozenset({"size", "gfp"}),
    "kfree": frozenset({"double"}),
    "kmem_cache_create": frozenset({"size", "align", "flags"}),
    "kmem_cache_alloc": frozenset({"cache", "gfp"}),
    "kmem_cache_free": frozenset(),
    "kmem_cache_destroy": frozenset(),
}
OP_KINDS.update(SLAB_OP_KINDS)
#: Tags of slab handles in the checker's ``live`` table (page handles carry their order, an int).
SLAB_TAGS = ("kmalloc", "kmalloc (freed)", "cache", "object")
#: The largest kmalloc size and cache object size a file may ask for (32 MB, SLAB's largest cache).
MAX_SLAB_SIZE = 32 << 20


def _span_order(entry: tuple[int, Any]) -> int:
    """The page order that bounds writes and reads on a handle: a slab handle gets one page."""
    return entry[1] if isinstance(entry[1], int) else 0


def _check_slab_op(index: int, line: int | None, kind: str, arg: Any, fields: dict[str, Any], cpu: int | None,
                   live: dict[str, Any], bad: Callable[[str], WorkloadError], intfield: Callable[..., int]) -> Op:
    if not isinstance(arg, str) or not arg:
        raise bad(f"{kind} needs a handle name (a string), not {arg!r}")

    def sizefield() -> int:
        if "size" not in fields:
            raise bad(f"{kind} needs size = N (bytes)")
        size = intfield("size", 0)
        if size > MAX_SLAB_SIZE:
            raise bad(f"{kind}: size must be at most {MAX_SLAB_SIZE} (32 MB), not {size}")
        return size

    def gfpfield() -> None:
        try:
            fields["gfp"] = parse_gfp(fields.get("gfp", "GFP_KERNEL"))
        except ValueError as exc:
            raise bad(f"{kind}: {exc}") from None

    def fresh() -> None:
        if arg in live and live[arg][1] != "kmalloc (freed)":
            raise bad(f"handle {arg!r} is still in use (made by op[{live[arg][0]}]); use another name")

    def need(name: str, tags: tuple[str, ...], what: str) -> None:
        if name not in live or live[name][1] not in tags:
            raise bad(f"{kind} of unknown {what} handle {name!r}" + _known(live))

    if kind == "kmalloc":
        fields["size"] = sizefield()
        gfpfield()
        fresh()
        live[arg] = (index, "kmalloc")
    elif kind == "kfree":
        double = fields.get("double", False)
        if not isinstance(double, bool):
            raise bad("kfree: double must be true or false")
        if double:
            if arg not in live or live[arg][1] != "kmalloc (freed)":
                raise bad(f"kfree with double = true needs a kmalloc handle that was freed already, not {arg!r}")
        else:
            need(arg, ("kmalloc",), "kmalloc")
            live[arg] = (index, "kmalloc (freed)")
    elif kind == "kmem_cache_create":
        fields["size"] = sizefield()
        fields["align"] = intfield("align", 0)
        if fields["align"] & (fields["align"] - 1):
            raise bad(f"kmem_cache_create: align must be 0 or a power of two, not {fields['align']}")
        flags = fields.get("flags", 0)
        if isinstance(flags, str):
            from . import slab as _slab
            mask = 0
            for part in flags.split("|"):
                name = part.strip()
                if name not in _slab.SLAB_FLAG_NAMES:
                    raise bad(f"kmem_cache_create: unknown flag {name!r} (known: {', '.join(_slab.SLAB_FLAG_NAMES)})")
                mask |= _slab.SLAB_FLAG_NAMES[name]
            fields["flags"] = mask
        else:
            fields["flags"] = intfield("flags", 0)
        fresh()
        live[arg] = (index, "cache")
    elif kind == "kmem_cache_alloc":
        cache = fields.get("cache")
        if not isinstance(cache, str):
            raise bad("kmem_cache_alloc needs cache = \"NAME\" (a kmem_cache_create handle)")
        need(cache, ("cache",), "cache")
        gfpfield()
        fresh()
        live[arg] = (index, "object", cache)
        fields["_cache_of"] = cache
    elif kind == "kmem_cache_free":
        need(arg, ("object",), "kmem_cache_alloc")
        fields["_cache_of"] = live.pop(arg)[2]
    elif kind == "kmem_cache_destroy":
        need(arg, ("cache",), "cache")
        del live[arg]
    return Op(index, line, kind, arg, fields, cpu)


def _slab_op_possible(kernel: "Kernel", op: Op) -> None:
    """Before anything runs: the booted kernel has the call the op needs."""
    call = {"kmalloc": "kmalloc", "kfree": "kfree"}.get(op.kind, op.kind)
    if not kernel.provides(call):
        getattr(kernel, call)()  # the era's NotInThisKernel, naming where the call appeared or left


def _run_slab_op(kernel: "Kernel", op: Op, handles: dict[str, Any], out: Callable[[str], None], on: str) -> int:
    kind, name, f = op.kind, op.arg, op.fields
    if kind == "kmalloc":
        addr = kernel.kmalloc(f["size"], f["gfp"])
        handles[name] = (addr, "kmalloc")
        shown = f"{addr:#x}" if addr > 16 else ("ZERO_SIZE_PTR" if addr == 16 else "NULL (failed)")
        out(f"kmalloc {name} size={f['size']} gfp={_gfp.gfp_names(f['gfp'])}{on} -> {shown}")
    elif kind == "kfree":
        addr = handles[name][0]
        kernel.kfree(addr)
        out(f"kfree {name} ({addr:#x}){' again' if f.get('double') else ''}{on}")
    elif kind == "kmem_cache_create":
        cache = kernel.kmem_cache_create(name, f["size"], f["align"], f["flags"])
        handles[name] = (cache, "cache")
        if cache is None:
            out(f"kmem_cache_create {name} size={f['size']}{on} -> NULL (failed)")
        else:
            alias = f" (an alias of {cache.name})" if getattr(cache, "name", name) != name else ""
            shape = (cache.summary() if getattr(cache, "slabless", False)
                     else f"object size {cache.size}, {cache.objects} per slab, order {cache.order}")
            out(f"kmem_cache_create {name} size={f['size']}{on} -> {shape}{alias}")
    elif kind == "kmem_cache_alloc":
        cache = handles[f["_cache_of"]][0]
        if cache is None:
            raise WorkloadError(f"cache {f['_cache_of']!r} is NULL (kmem_cache_create failed)")
        addr = kernel.kmem_cache_alloc(cache, f["gfp"])
        handles[name] = (addr, "object")
        out(f"kmem_cache_alloc {name} from {f['_cache_of']}{on} -> " + (f"{addr:#x}" if addr else "NULL (failed)"))
    elif kind == "kmem_cache_free":
        addr = handles.pop(name)[0]
        kernel.kmem_cache_free(handles[f["_cache_of"]][0], addr)
        out(f"kmem_cache_free {name} ({addr:#x}){on}")
    elif kind == "kmem_cache_destroy":
        cache = handles.pop(name)[0]
        kernel.kmem_cache_destroy(cache)
        out(f"kmem_cache_destroy {name}{on}")
    return 0

