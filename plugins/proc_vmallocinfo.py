"""/proc/vmallocinfo: every vmalloc-space area, in the format of each era.

Christoph Lameter's patch ("vmalloc: Show vmalloced areas via
/proc/vmallocinfo", posted 2008-03-18 against 2.6.25-rc5-mm1) was merged for
2.6.26; its commit was not found in any stored text, so the file is keyed to
the release v2.6.26 [V-inferred, see docs/sources.md].  One line per area:

* ``0x%p-0x%p %7ld``: start, end and size in bytes, the guard page included
  (64-bit addresses print as 16 hex digits; ``%pK`` from about 3.7 prints the
  same for a reader with ``kptr_restrict`` 1 and CAP_SYSLOG, the model's
  reader) [V 2.6.28/29, 3.x and 2026 ``mm/vmalloc.c``];
* `` <caller>`` (``sprint_symbol``, later ``%pS``) when the area has one: the
  model prints the ``caller`` string set on the vmalloc subsystem
  (``kernel.subsystems["vmalloc"].caller``; ``None`` prints nothing, as a
  NULL caller did);
* `` pages=%d`` when the area has pages; ``phys=`` is for ioremap (not modelled);
* the flags in the kernel's order: `` ioremap``, `` vmalloc``, `` vmap``,
  `` user``, `` vpages`` (the page array was vmalloc'ed);
* `` N0=%u``: the pages on node 0, as a NUMA build prints them (the model's
  machine has one node);
* from 4.13 [S] the areas without a ``vm_struct``: ``0x%pK-0x%pK %7ld
  unpurged vm_area`` for a lazily freed one, ``... vm_map_ram`` for a
  ``vm_map_ram`` area or vmap block; from 5.4 [S] the unpurged ones come last.

The walk is ``vmlist`` until 3.10 [S] (2.6.28 kept it for this file), then
the vmap areas in address order (6.9's per-node lists are one node here).
"""

from __future__ import annotations

from typing import Any

from linuxmm import hookimpl
from linuxmm.records import ProcFile

VM_IOREMAP, VM_ALLOC, VM_MAP, VM_USERMAP, VM_VPAGES = 0x1, 0x2, 0x4, 0x8, 0x10
_FLAG_WORDS = ((VM_IOREMAP, " ioremap"), (VM_ALLOC, " vmalloc"), (VM_MAP, " vmap"), (VM_USERMAP, " user"),
               (VM_VPAGES, " vpages"))


def render_vmallocinfo(kernel: Any) -> str:
    vm_sys = kernel.subsystems.get("vmalloc")
    entries = vm_sys.info_entries() if vm_sys is not None and hasattr(vm_sys, "info_entries") else []
    out = []
    for kind, obj in entries:
        if kind == "vm":
            line = f"0x{obj.addr:016x}-0x{obj.addr + obj.size:016x} {obj.size:7d}"
            if obj.caller:
                line += f" {obj.caller}"
            if obj.nr_pages:
                line += f" pages={obj.nr_pages}"
            for flag, word in _FLAG_WORDS:
                if obj.flags & flag:
                    line += word
            if obj.nr_pages:
                line += f" N0={obj.nr_pages}"
        else:
            what = "unpurged vm_area" if kind == "unpurged" else "vm_map_ram"
            line = f"0x{obj.va_start:016x}-0x{obj.va_end:016x} {obj.va_end - obj.va_start:7d} {what}"
        out.append(line + "\n")
    return "".join(out)


@hookimpl
def linuxmm_proc_files():
    return [ProcFile("vmallocinfo", render=render_vmallocinfo, introduced="v2.6.26",
                     help="vmalloc areas (from 2.6.26: the merging commit was not pinned, so the release is used)")]
