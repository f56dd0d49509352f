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


class ImpliedCounts:
    """``frames.count`` for an allocator that keeps each allocation's own reference as a mark.

    The allocator stores one byte per frame (``marks``); a frame whose mark has
    ``bit`` set is the head of a block it handed out, and that block's first
    reference -- the one ``alloc_pages`` returns and ``free_pages`` drops -- is
    implied by the mark rather than written into ``raw``.  The count a reader
    sees is ``raw[pfn] + 1`` for such a frame and ``raw[pfn]`` for any other,
    exactly the kernel's ``page_count()``; writing a count stores it back the
    same way.  A write that leaves a nonzero ``raw`` (a reference taken or
    dropped from outside the allocator) calls ``on_write`` so the allocator
    can stop trusting its fast paths' assumption that ``raw`` is 0.
    """

    __slots__ = ("raw", "marks", "bit", "on_write")

    def __init__(self, raw: memoryview, marks: bytearray, bit: int, on_write=None):
        self.raw = raw
        self.marks = marks
        self.bit = bit
        self.on_write = on_write

    def _one(self, pfn: int) -> int:
        return self.raw[pfn] + (1 if self.marks[pfn] & self.bit else 0)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._one(p) for p in range(*index.indices(len(self.raw)))]
        return self._one(index)

    def __setitem__(self, index, value) -> None:
        pfns = range(*index.indices(len(self.raw))) if isinstance(index, slice) else (index,)
        values = list(value) if isinstance(index, slice) else (value,)
        if len(values) != len(pfns):
            raise ValueError(f"cannot assign {len(values)} counts to {len(pfns)} frames")
        touched = False
        for pfn, v in zip(pfns, values):
            raw = v - (1 if self.marks[pfn] & self.bit else 0)
            self.raw[pfn] = raw
            touched = touched or raw != 0
        if touched and self.on_write is not None:
            self.on_write()

    def __len__(self) -> int:
        return len(self.raw)

    def __iter__(self):
        return (self._one(p) for p in range(len(self.raw)))
