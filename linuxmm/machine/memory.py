"""Physical memory with sparse contents, and the kernel's view of it.

Only pages ever written hold a ``bytearray``; the rest read as zeroes.  A
freed page keeps its bytes, which is what makes zeroing on allocation,
``init_on_free`` and poisoning observable.
"""

from __future__ import annotations

from typing import Callable

from ..checks import check_addr, check_bytes, check_int
from ..errors import PageFault

PAGE_SHIFT = 12
PAGE_SIZE = 1 << PAGE_SHIFT
_ZERO_PAGE = bytes(PAGE_SIZE)


class PhysicalMemory:
    """``size`` bytes of RAM; contents stored per page, only where written."""

    __slots__ = ("size", "nr_pages", "pages")

    def __init__(self, size: int):
        self.size = size
        self.nr_pages = size >> PAGE_SHIFT
        self.pages: dict[int, bytearray] = {}

    def page(self, pfn: int) -> bytearray:
        """The writable contents of page ``pfn`` (materialised on first use)."""
        data = self.pages.get(pfn)
        if data is None:
            data = self.pages[pfn] = bytearray(PAGE_SIZE)
        return data

    def read(self, phys: int, n: int) -> bytes:
        out = bytearray()
        while n > 0:
            pfn, off = phys >> PAGE_SHIFT, phys & (PAGE_SIZE - 1)
            chunk = min(n, PAGE_SIZE - off)
            data = self.pages.get(pfn)
            out += (data if data is not None else _ZERO_PAGE)[off:off + chunk]
            phys += chunk
            n -= chunk
        return bytes(out)

    def write(self, phys: int, data: bytes) -> None:
        view = memoryview(bytes(data))
        while view:
            pfn, off = phys >> PAGE_SHIFT, phys & (PAGE_SIZE - 1)
            chunk = min(len(view), PAGE_SIZE - off)
            self.page(pfn)[off:off + chunk] = view[:chunk]
            phys += chunk
            view = view[chunk:]

    def fill_pages(self, pfn: int, nr: int, byte: int) -> None:
        """Set ``nr`` whole pages from ``pfn`` to ``byte`` (0 drops the storage)."""
        if byte == 0:
            pages = self.pages
            for p in range(pfn, pfn + nr):
                pages.pop(p, None)
            return
        pattern = bytes([byte]) * PAGE_SIZE
        for p in range(pfn, pfn + nr):
            self.pages[p] = bytearray(pattern)


#: A translator maps a kernel virtual address to a physical one, or None.
Translator = Callable[[int], "int | None"]


class Memory:
    """``kernel.memory``: reads and writes at kernel virtual addresses.

    The direct map (``page_offset`` .. ``page_offset + size``) translates
    arithmetically; other ranges (vmalloc) register a translator.  An
    access nothing maps raises :class:`~linuxmm.errors.PageFault`.
    ``checkers`` (KASAN) see every access before it happens.
    """

    def __init__(self, phys: PhysicalMemory, page_offset: int = 0, direct_map_end: int | None = None):
        self.phys = phys
        self.page_offset = page_offset
        self.direct_map_end = page_offset + (phys.size if direct_map_end is None else direct_map_end)
        self.translators: list[Translator] = []
        self.checkers: list[Callable[[int, int, bool], None]] = []

    def virt_to_phys(self, addr: int) -> int:
        if self.page_offset <= addr < self.direct_map_end:
            return addr - self.page_offset
        for translate in self.translators:
            phys = translate(addr)
            if phys is not None:
                return phys
        raise PageFault(f"unable to handle kernel paging request at {addr:#x}")

    def _spans(self, addr: int, n: int):
        while n > 0:
            chunk = min(n, PAGE_SIZE - (addr & (PAGE_SIZE - 1)))
            yield self.virt_to_phys(addr), chunk
            addr += chunk
            n -= chunk

    def read(self, addr: int, n: int) -> bytes:
        """``n`` bytes at kernel virtual address ``addr`` (``n`` from 0 up)."""
        if type(addr) is not int or type(n) is not int or n < 0 or addr < 0:
            check_addr(addr, "memory.read")
            check_int(n, "n", "memory.read", 0)
        for check in self.checkers:
            check(addr, n, False)
        return b"".join(self.phys.read(p, c) for p, c in self._spans(addr, n))

    def write(self, addr: int, data: bytes) -> None:
        """Store ``data`` (bytes, bytearray or memoryview) at kernel virtual address ``addr``."""
        if type(addr) is not int or addr < 0 or not isinstance(data, (bytes, bytearray, memoryview)):
            check_addr(addr, "memory.write")
            check_bytes(data, "memory.write")
        for check in self.checkers:
            check(addr, len(data), True)
        data = bytes(data)
        pos = 0
        for p, c in self._spans(addr, len(data)):
            self.phys.write(p, data[pos:pos + c])
            pos += c
