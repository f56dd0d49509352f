"""External-fragmentation indexes, as ``mm/vmstat.c`` computes them for debugfs.

``/sys/kernel/debug/extfrag/unusable_index`` and ``extfrag_index`` (mm/vmstat.c,
d7a5752c0c19 and its sibling, 2.6.35 [S for the release]).  Formulas and the
``"%d.%03d "`` print format of mm/vmstat.c (debugfs extfrag files) [V]:

* unusable free space index for ``order``:
  ``(free_pages - (free_blocks_suitable << order)) * 1000 / free_pages``,
  or 1000 when the zone has no free page at all;
* fragmentation index for ``order``: 0 when there is no free block,
  -1000 when a suitable block exists (the request would succeed), else
  ``1000 - (1000 + free_pages * 1000 / requested) / free_blocks_total``.

Divisions are the kernel's unsigned ``div_u64`` (truncating); printing splits
the thousandths with C's truncating ``/`` and ``%``, so -1000 prints "-1.000".

The renderers work for any era whose page allocator provides ``zone_info()``
(:class:`linuxmm.pagealloc.ZoneInfo` rows with ``nr_free`` per order): they
print populated zones only, one column per order the era has.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:  # pragma: no cover
    from .kernel import Kernel


@dataclass
class ContigPageInfo:
    """``struct contig_page_info``."""

    free_pages: int = 0
    free_blocks_total: int = 0
    free_blocks_suitable: int = 0


def fill_contig_block_info(nr_free: Sequence[int], suitable_order: int) -> ContigPageInfo:
    """Sum a zone's free areas: pages, blocks, and blocks usable for ``suitable_order``."""
    info = ContigPageInfo()
    for order, blocks in enumerate(nr_free):
        info.free_blocks_total += blocks
        info.free_pages += blocks << order
        if order >= suitable_order:
            info.free_blocks_suitable += blocks << (order - suitable_order)
    return info


def unusable_free_index(order: int, info: ContigPageInfo) -> int:
    """Thousandths of the free memory that cannot serve an ``order`` request."""
    if info.free_pages == 0:
        return 1000
    return (info.free_pages - (info.free_blocks_suitable << order)) * 1000 // info.free_pages


def fragmentation_index(order: int, info: ContigPageInfo) -> int:
    """``__fragmentation_index``: towards 1000 = fragmentation, towards 0 = lack of memory."""
    requested = 1 << order
    if not info.free_blocks_total:
        return 0
    if info.free_blocks_suitable:
        return -1000
    return 1000 - (1000 + info.free_pages * 1000 // requested) // info.free_blocks_total


def _c_div(a: int, b: int) -> tuple[int, int]:
    q = abs(a) // b
    q = -q if a < 0 else q
    return q, a - q * b


def format_index(index: int) -> str:
    """``seq_printf(m, "%d.%03d ", index / 1000, index % 1000)`` with C semantics."""
    q, r = _c_div(index, 1000)
    return f"{q}.{r:03d} "


def _render(kernel: "Kernel", fn) -> str:
    out = []
    for zone in kernel.page_alloc.zone_info():
        if not zone.present_pages:
            continue
        cols = "".join(format_index(fn(order, fill_contig_block_info(zone.nr_free, order)))
                       for order in range(len(zone.nr_free)))
        out.append(f"Node 0, zone {zone.name:>8} {cols}\n")
    return "".join(out)


def render_unusable_index(kernel: "Kernel") -> str:
    """The text of debugfs ``extfrag/unusable_index``."""
    return _render(kernel, unusable_free_index)


def render_extfrag_index(kernel: "Kernel") -> str:
    """The text of debugfs ``extfrag/extfrag_index``."""
    return _render(kernel, fragmentation_index)
