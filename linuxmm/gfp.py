"""Allocation flags as the model's public API spells them.

The numeric values are those of the 2.6.2x kernels (``include/linux/gfp.h``
before the 4.x renumbering), chosen once so that traces print familiar
masks (``GFP_KERNEL`` is ``0xd0``).  Every era interprets them in its own
terms: 0.01 ignores them; 1.0 to 2.2 map them onto the old priorities
(``GFP_ATOMIC`` never sleeps or reclaims, ``GFP_BUFFER`` gives up when the
free list is empty); zoned kernels take the zone from the low bits.
"""

__GFP_DMA = 0x01
__GFP_HIGHMEM = 0x02
__GFP_DMA32 = 0x04
__GFP_MOVABLE = 0x08
__GFP_WAIT = 0x10
__GFP_HIGH = 0x20
__GFP_IO = 0x40
__GFP_FS = 0x80
__GFP_COLD = 0x100
__GFP_NOWARN = 0x200
__GFP_REPEAT = 0x400
__GFP_NOFAIL = 0x800
__GFP_NORETRY = 0x1000
__GFP_COMP = 0x4000
__GFP_ZERO = 0x8000
__GFP_HARDWALL = 0x20000
__GFP_RECLAIMABLE = 0x80000

GFP_ZONEMASK = __GFP_DMA | __GFP_HIGHMEM | __GFP_DMA32 | __GFP_MOVABLE

GFP_ATOMIC = __GFP_HIGH
GFP_NOIO = __GFP_WAIT
GFP_NOFS = __GFP_WAIT | __GFP_IO
GFP_KERNEL = __GFP_WAIT | __GFP_IO | __GFP_FS
GFP_USER = GFP_KERNEL | __GFP_HARDWALL
GFP_HIGHUSER = GFP_USER | __GFP_HIGHMEM
GFP_HIGHUSER_MOVABLE = GFP_HIGHUSER | __GFP_MOVABLE
GFP_DMA = __GFP_DMA
GFP_DMA32 = __GFP_DMA32
#: 1.0's GFP_BUFFER: may not start I/O and gives up rather than reclaim.
GFP_BUFFER = GFP_NOIO

__all__ = [name for name in dir() if name.startswith(("GFP_", "__GFP_"))]


def gfp_names(mask: int) -> str:
    """Render a mask the way ``show_gfp_flags`` does: ``GFP_KERNEL|__GFP_ZERO``."""
    names = []
    rest = mask
    for combo in ("GFP_HIGHUSER_MOVABLE", "GFP_HIGHUSER", "GFP_USER", "GFP_KERNEL", "GFP_NOFS", "GFP_NOIO", "GFP_ATOMIC"):
        value = globals()[combo]
        if value and rest & value == value:
            names.append(combo)
            rest &= ~value
            break
    for name in sorted((n for n in __all__ if n.startswith("__GFP_")), key=lambda n: globals()[n]):
        if rest & globals()[name]:
            names.append(name)
            rest &= ~globals()[name]
    if rest:
        names.append(hex(rest))
    return "|".join(names) or "0"
