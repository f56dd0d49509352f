"""``linuxmm slabtop -o [-s KEY]``: procps-ng's slabtop over the model's /proc/slabinfo.

The command reads the booted kernel's /proc/slabinfo text and prints what
procps-ng 4.0.2's ``slabtop --once`` prints for it [V: procps-ng v4.0.2
``src/slabtop.c`` and ``library/slabinfo.c``, and the installed slabtop run
on the model's files]:

* five summary lines, ``" %-35s: %u / %u (%.1f%%)"`` for objects, slabs and
  caches, ``" %-35s: %.2fK / %.2fK (%.1f%%)"`` for sizes (object size times
  objects), ``" %-35s: %.2fK / %.2fK / %.2fK"`` for the smallest, average
  and largest object size, and a blank line;
* the heading ``"  OBJS ACTIVE  USE OBJ SIZE  SLABS OBJ/SLAB CACHE SIZE NAME"``
  padded to 78 columns, and one ``"%6u %6u %3u%% %7.2fK %6u %8u %9luK %-23s"``
  row per cache, where USE is ``100 * ((float)active / objects)`` truncated
  (in single precision, as procps computes it) and CACHE SIZE is slabs x
  pages per slab x 4 KB;
* sorted by objects (descending) unless ``-s`` names a key: ``a`` active
  objects, ``b`` objects per slab, ``c`` cache size, ``l`` slabs, ``v``
  active slabs, ``n`` name (ascending), ``o`` objects, ``p`` pages per slab,
  ``s`` object size, ``u`` utilisation; ties keep the file's order.

procps-ng reads only slabinfo 2.x; for a 1.x file (2.2, 2.4) this command
says so, as procps-ng fails there too.  Unlike procps (which falls back to
the default order), an unknown sort key is refused.  The interactive,
refreshing mode is not modelled: ``linuxmm slabtop`` always prints the one
screen that ``-o`` prints (``-o`` is accepted for procps' sake).
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass

from linuxmm import hookimpl
from linuxmm.errors import LinuxmmError
from linuxmm.records import Command

PAGE_SIZE = 4096

SORT_KEYS = {
    "a": ("active", False), "b": ("objperslab", False), "c": ("cache_size", False), "l": ("slabs", False),
    "v": ("active_slabs", False), "n": ("name", True), "o": ("objs", False), "p": ("pagesperslab", False),
    "s": ("objsize", False), "u": ("use", False),
}

_ROW = re.compile(r"^(\S{1,128})\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*:\s*tunables\s+\d+\s+\d+\s+\d+\s*:"
                  r"\s*slabdata\s+(\d+)\s+(\d+)\s+\d+")


def _f32(x: float) -> float:
    return struct.unpack("f", struct.pack("f", x))[0]


@dataclass
class Node:
    """One cache as procps' ``struct slabs_node`` holds it."""

    name: str
    active: int
    objs: int
    objsize: int
    objperslab: int
    pagesperslab: int
    active_slabs: int
    slabs: int

    @property
    def cache_size(self) -> int:
        return self.slabs * self.pagesperslab * PAGE_SIZE

    @property
    def use(self) -> int:
        if not self.objs:
            return 0
        return int(_f32(100 * _f32(_f32(float(self.active)) / _f32(float(self.objs)))))


def parse_slabinfo(text: str) -> list[Node]:
    """``parse_slabinfo20``: the rows of a version 2.x file."""
    lines = text.splitlines()
    m = re.match(r"slabinfo - version: (\d+)\.(\d+)", lines[0] if lines else "")
    if not m or m.group(1) != "2":
        found = m.group(0).split(": ")[1] if m else "no version line"
        raise LinuxmmError(f"slabtop: procps-ng reads /proc/slabinfo version 2.x only, and this kernel's is "
                           f"{found} (see `linuxmm proc slabinfo`)")
    nodes = []
    for line in lines[1:]:
        if line.startswith("#"):
            continue
        r = _ROW.match(line)
        if not r:
            raise LinuxmmError(f"slabtop: cannot read the slabinfo line {line!r}")
        name = r.group(1)
        a, o, sz, ops, pps, aslabs, slabs = (int(r.group(i)) for i in range(2, 9))
        nodes.append(Node(name, a, o, sz, ops, pps, aslabs, slabs))
    return nodes


def render(text: str, sort: str = "o") -> str:
    """slabtop's once-only screen for the slabinfo ``text``, sorted by ``sort``."""
    key, ascending = SORT_KEYS[sort]
    nodes = parse_slabinfo(text)
    nr_objs = sum(n.objs for n in nodes)
    nr_active = sum(n.active for n in nodes)
    nr_slabs = sum(n.slabs for n in nodes)
    nr_aslabs = sum(n.active_slabs for n in nodes)
    caches = len(nodes)
    acaches = sum(1 for n in nodes if n.objs)
    total_size = sum(n.objs * n.objsize for n in nodes)
    active_size = sum(n.active * n.objsize for n in nodes)
    sizes = [n.objsize for n in nodes]
    smin = min(sizes) if sizes else 0x7FFFFFFF
    smax = max(sizes) if sizes else 0
    avg = total_size // nr_objs if nr_objs else 0

    def pct(a: int, b: int) -> str:
        return f"{100.0 * a / b:.1f}" if b else "-nan"

    out = [
        f" {'Active / Total Objects (% used)':<35}: {nr_active} / {nr_objs} ({pct(nr_active, nr_objs)}%)",
        f" {'Active / Total Slabs (% used)':<35}: {nr_aslabs} / {nr_slabs} ({pct(nr_aslabs, nr_slabs)}%)",
        f" {'Active / Total Caches (% used)':<35}: {acaches} / {caches} ({pct(acaches, caches)}%)",
        f" {'Active / Total Size (% used)':<35}: {active_size / 1024.0:.2f}K / {total_size / 1024.0:.2f}K "
        f"({pct(active_size, total_size)}%)",
        f" {'Minimum / Average / Maximum Object':<35}: {smin / 1024.0:.2f}K / {avg / 1024.0:.2f}K / "
        f"{smax / 1024.0:.2f}K",
        "",
        f"{'  OBJS ACTIVE  USE OBJ SIZE  SLABS OBJ/SLAB CACHE SIZE NAME':<78}",
    ]
    ordered = sorted(nodes, key=lambda n: getattr(n, key), reverse=not ascending)
    for n in ordered:
        out.append(f"{n.objs:6d} {n.active:6d} {n.use:3d}% {n.objsize / 1024.0:7.2f}K {n.slabs:6d} "
                   f"{n.objperslab:8d} {n.cache_size // 1024:9d}K {n.name:<23}")
    return "\n".join(out) + "\n"


def _configure(parser) -> None:
    parser.add_argument("-o", "--once", action="store_true",
                        help="display once, then exit (what linuxmm slabtop always does)")
    parser.add_argument("-s", "--sort", metavar="KEY", default="o",
                        help="sort key: a active objects, b objects per slab, c cache size, l slabs, v active "
                             "slabs, n name, o objects (default), p pages per slab, s object size, u utilisation")
    parser.add_argument("--run", metavar="WORKLOAD", default=None,
                        help="run a built-in workload first (see `linuxmm run --list`), its output discarded")


def _run(args, boot) -> int:
    sort = (args.sort or "")[:1].lower()
    if sort not in SORT_KEYS:
        raise LinuxmmError(f"slabtop: unknown sort key {args.sort!r} (use one of {', '.join(sorted(SORT_KEYS))})")
    kernel = boot()
    if args.run is not None:
        wl = kernel.host.workloads.get(args.run)
        if wl is None:
            raise LinuxmmError(f"slabtop: no built-in workload {args.run!r} (see `linuxmm run --list`)")
        wl.run(kernel, kernel.seed)
    print(render(kernel.proc("slabinfo"), sort), end="")
    return 0


@hookimpl
def linuxmm_commands():
    return [Command("slabtop", help="show the slab caches as procps' slabtop -o does", run=_run,
                    configure=_configure, example="linuxmm --kernel-version 6.12 slabtop -o -s c")]
