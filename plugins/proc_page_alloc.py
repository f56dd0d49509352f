"""/proc/buddyinfo and /proc/pagetypeinfo of the zoned buddy allocator (mm/vmstat.c).

Formats of mm/vmstat.c (buddyinfo, pagetypeinfo) [V]:

* buddyinfo (v2.6.0): ``"Node %d, zone %8s "`` then ``"%6lu "`` per order
  (``free_area[order].nr_free``), then a newline; populated zones only.
  Pages on the per-CPU lists are not in ``nr_free`` and so are not shown.
* pagetypeinfo (467c996c1e19, 2.6.24): ``"Page block order: %d"``,
  ``"Pages per block:  %lu"``, a blank line, the ``"%-43s "`` header with
  ``"%6d "`` per order, one ``"Node %4d, zone %8s, type %12s "`` row per
  migratetype with ``"%6lu "`` per order, then ``"\\n%-23s"`` "Number of
  blocks type " with ``"%12s "`` per type and one ``"Node %d, zone %8s "``
  row of ``"%12lu "`` block counts per zone.  From v5.4 (93b3a674485f [S])
  a count stops at 100000 and prints as ``"%s%6lu "`` with a ``">"`` prefix.
  The mixed-block section (CONFIG_PAGE_OWNER) is not modelled.
* Both files walk populated zones only (``walk_zones_in_node``); the format
  strings above were re-read in 2.6.2x-era and 6.x ``mm/vmstat.c`` [V], the
  migratetype names and their order in 4.4 and 6.x [V].
"""

from __future__ import annotations

from linuxmm import hookimpl
from linuxmm.records import ProcFile


def _populated(pa):
    return [z for z in pa.zones if z.present_pages]


def render_buddyinfo(kernel) -> str:
    pa = kernel.page_alloc
    out = []
    for z in _populated(pa):
        cols = "".join(f"{n:6d} " for n in z.nr_free[:pa.nr_orders])
        out.append(f"Node 0, zone {z.name:>8} {cols}\n")
    return "".join(out)


def render_pagetypeinfo(kernel) -> str:
    pa = kernel.page_alloc
    order_bits = 9  # pageblock_order
    capped = kernel.has("v5.4")
    out = [f"Page block order: {order_bits}\n", f"Pages per block:  {1 << order_bits}\n", "\n"]
    out.append(f"{'Free pages count per migrate type at order':<43} "
               + "".join(f"{o:6d} " for o in range(pa.nr_orders)) + "\n")
    names = pa.migratetype_names
    zones = _populated(pa)
    for z in zones:
        for mt, name in enumerate(names):
            row = [f"Node {0:4d}, zone {z.name:>8}, type {name:>12} "]
            for o in range(pa.nr_orders):
                n = len(z.free_area[o][mt])
                if capped and n >= 100000:
                    row.append(f">{100000:6d} ")
                else:
                    row.append(f"{n:6d} ")
            out.append("".join(row) + "\n")
    out.append(f"\n{'Number of blocks type ':<23}" + "".join(f"{n:>12} " for n in names) + "\n")
    for z in zones:
        b0 = z.start_pfn >> order_bits
        b1 = (z.end_pfn + (1 << order_bits) - 1) >> order_bits
        keys = pa.pbkey[b0:b1]
        counts = [keys.count((z.idx << 3) | mt) for mt in range(len(names))]
        out.append(f"Node 0, zone {z.name:>8} " + "".join(f"{c:12d} " for c in counts) + "\n")
    return "".join(out)


@hookimpl
def linuxmm_proc_files():
    return [
        ProcFile("buddyinfo", render=render_buddyinfo, introduced="v2.6.0",
                 help="Free blocks per order in each zone (mm/vmstat.c)."),
        ProcFile("pagetypeinfo", render=render_pagetypeinfo, introduced="467c996c1e19",
                 help="Free blocks per migratetype and order, and pageblock counts (mm/vmstat.c)."),
    ]
