"""Page frames as compact arrays: one slot per frame, never one object per page.

``count`` holds each frame's reference count (a C ``int``), ``flags`` a
bitmask, ``order`` the buddy order of a free block's head and
``migratetype`` the free list a block sits on.  Eras that kept a different
map (0.01's ``unsigned short`` counts, 0.11's ``unsigned char``) keep their
own arrays beside these.

The arrays are typed memoryviews over anonymous memory that the operating
system zero-fills on first touch (:func:`zeroed`): a frame costs memory only
once something writes its slot (or the slot shares a 4 KB page of the array
with one that was written).  So booting ``mem=256G`` does not pay for 64M
frames up front, and an era that uses only part of the machine (0.11 uses
16 MB) pays only for that part.  Indexing, slice assignment and iteration
work as on ``array``/``bytearray``; the methods of those types do not (use
:func:`count_value` rather than ``.count()``).
"""

from __future__ import annotations

import mmap

PG_reserved = 0x01
PG_buddy = 0x02
PG_head = 0x04  # first page of an allocated block (records its order)
PG_dma = 0x08  # 1.x-2.2: page usable for ISA DMA

_ITEMSIZE = {"B": 1, "b": 1, "H": 2, "h": 2, "i": 4, "I": 4, "q": 8, "Q": 8}


def zeroed(n: int, fmt: str = "B") -> memoryview:
    """A writable array of ``n`` zeroes of struct format ``fmt`` (``"B"``, ``"i"``, ...).

    Backed by an anonymous private mapping, so untouched slots take no
    memory.  The mapping lives as long as the view.
    """
    nbytes = max(n, 1) * _ITEMSIZE[fmt]
    view = memoryview(mmap.mmap(-1, nbytes))
    return view.cast(fmt)[:n] if fmt != "B" else view[:n]


def count_value(view: memoryview, value: int, chunk: int = 1 << 20) -> int:
    """How many slots of the byte array ``view`` equal ``value`` (``bytearray.count`` for a view).

    Reads ``chunk`` slots at a time, so it never copies the whole array.
    """
    needle = bytes([value])
    return sum(bytes(view[i:i + chunk]).count(needle) for i in range(0, len(view), chunk))


def _or_table(flag: int) -> bytes:
    return bytes(b | flag for b in range(256))


class PageFrames:
    """Per-frame state for ``nr`` frames starting at pfn 0."""

    __slots__ = ("nr", "count", "flags", "order", "migratetype")

    def __init__(self, nr: int):
        self.nr = nr
        self.count = zeroed(nr, "i")
        self.flags = zeroed(nr)
        self.order = zeroed(nr)
        self.migratetype = zeroed(nr)

    def set_range(self, start: int, end: int, flag: int) -> None:
        """Set ``flag`` on frames ``[start, end)``."""
        if end > start:
            flags = self.flags
            flags[start:end] = bytes(flags[start:end]).translate(_or_table(flag))

    def __len__(self) -> int:
        return self.nr
