"""Page frames as compact arrays: one slot per frame, never one object per page.

``count`` holds each frame's reference count, ``flags`` a bitmask,
``order`` the buddy order of a free block's head and ``migratetype`` the
free list a block sits on.  Booting ``mem=64G`` (16M frames) costs about
120 MB here.  Eras that kept a different map (0.01's ``unsigned short``
counts, 0.11's ``unsigned char``) keep their own arrays beside these.
"""

from __future__ import annotations

from array import array

PG_reserved = 0x01
PG_buddy = 0x02
PG_head = 0x04  # first page of an allocated block (records its order)
PG_dma = 0x08  # 1.x-2.2: page usable for ISA DMA


class PageFrames:
    """Per-frame state for ``nr`` frames starting at pfn 0."""

    __slots__ = ("nr", "count", "flags", "order", "migratetype")

    def __init__(self, nr: int):
        self.nr = nr
        self.count = array("i", [0]) * nr
        self.flags = bytearray(nr)
        self.order = bytearray(nr)
        self.migratetype = bytearray(nr)

    def set_range(self, start: int, end: int, flag: int) -> None:
        """Set ``flag`` on frames ``[start, end)``."""
        flags = self.flags
        for pfn in range(start, end):
            flags[pfn] |= flag

    def __len__(self) -> int:
        return self.nr
