"""/proc/slabinfo in each format the record gives: versions 1.0, 1.1, 2.0 and 2.1.

Formats [V where marked; the release boundaries in docs/sources.md]:

* **1.0** (2.2, ``mm/slab.c`` ``get_slabinfo`` of 2.2.1 [V]): the line
  ``"slabinfo - version: 1.0"``, then ``"%-17s %6lu %6lu"`` per cache (name,
  active objects, total objects), ``cache_cache`` ("kmem_cache") first, then
  the caches newest first.  (With ``SLAB_STATS``, 0 in 2.2.1, the line would
  end in " (statistics)" and carry more columns: not modelled.)
* **1.1** (2.4, 2.4.0 ``mm/slab.c`` ``proc_getdata`` [V]): ``"slabinfo -
  version: 1.1"``, with ``" (SMP)"`` on an SMP kernel; rows ``"%-17s %6lu
  %6lu %6u %4lu %4lu %4u"`` (name, active objects, objects, object size,
  active slabs, slabs, pages per slab), and on SMP ``" : %4u %4u"`` (limit,
  batchcount); ``cache_cache`` first, then the caches in creation order.
* **2.0** (2.6.0 to 2.6.13): the 2.1 layout under a header that labels the
  tunables ``<batchcount> <limit>`` although the values are printed limit
  first [V: the fact sheet's 2.6.0-test1 patch mail].
* **2.1** (2.6.14 onwards, SLAB; SLUB from 2.6.24) [V 2.6.20 ``mm/slab.c``,
  2.6.24 ``mm/slub.c``, 6.12 ``mm/slab_common.c``]: ``"slabinfo - version:
  2.1"``, the ``# name`` header, rows ``"%-17s %6lu %6lu %6u %4u %4d"`` then
  ``" : tunables %4u %4u %4u"`` then ``" : slabdata %6lu %6lu %6lu"``.
  SLUB prints tunables and sharedavail as 0.

SLOB never had /proc/slabinfo, nor SLUB before 2.6.24: reading it there is
an error naming where it appeared.
"""

from __future__ import annotations

from linuxmm import hookimpl
from linuxmm.errors import NotInThisKernel
from linuxmm.records import ProcFile
from linuxmm.slab import SlabinfoRow

HEADER_21 = ("# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> "
             "<batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>")
HEADER_20 = ("# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables "
             "<batchcount> <limit> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>")


def row_2x(r: SlabinfoRow) -> str:
    return (f"{r.name:<17} {r.active_objs:6d} {r.num_objs:6d} {r.objsize:6d} {r.objperslab:4d} {r.pagesperslab:4d}"
            f" : tunables {r.limit:4d} {r.batchcount:4d} {r.shared:4d}"
            f" : slabdata {r.active_slabs:6d} {r.num_slabs:6d} {r.shared_avail:6d}")


def row_11(r: SlabinfoRow, smp: bool) -> str:
    line = (f"{r.name:<17} {r.active_objs:6d} {r.num_objs:6d} {r.objsize:6d} {r.active_slabs:4d} "
            f"{r.num_slabs:4d} {r.pagesperslab:4d}")
    if smp:
        line += f" : {r.limit:4d} {r.batchcount:4d}"
    return line


def row_10(r: SlabinfoRow) -> str:
    return f"{r.name:<17} {r.active_objs:6d} {r.num_objs:6d}"


def render_slabinfo(kernel) -> str:
    slab = getattr(kernel, "slab", None)
    version = getattr(slab, "slabinfo_version", None)
    if slab is None or version is None:
        why = getattr(slab, "no_slabinfo_reason", None) if slab is not None else None
        raise NotInThisKernel(why or f"/proc/slabinfo is not in {kernel.version}: no slab allocator")
    rows = slab.slabinfo_rows()
    if version == "1.0":
        return "slabinfo - version: 1.0\n" + "".join(row_10(r) + "\n" for r in rows)
    if version == "1.1":
        smp = kernel.nr_cpus > 1
        head = "slabinfo - version: 1.1" + (" (SMP)" if smp else "") + "\n"
        return head + "".join(row_11(r, smp) + "\n" for r in rows)
    header = HEADER_20 if version == "2.0" else HEADER_21
    return f"slabinfo - version: {version}\n{header}\n" + "".join(row_2x(r) + "\n" for r in rows)


@hookimpl
def linuxmm_proc_files():
    return [ProcFile("slabinfo", render=render_slabinfo, introduced="v2.2.0",
                     help="Slab caches: objects, slabs and tunables, in the era's slabinfo format")]
