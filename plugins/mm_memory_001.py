"""The page allocator of ``mm/memory.c`` in Linux 0.01 and 0.11.

There is no buddy allocator and no free list in these kernels.  ``mem_map``
is an array of reference counts, one per page above ``LOW_MEM``; a count of
0 means the page is free.  ``get_free_page()`` scans that array from the top
down for a zero, so it always hands out the *highest* free page, marks it
used and clears it.  ``free_page()`` just decrements the count (a page shared
copy-on-write by ``copy_page_tables`` has a count above 1, and freeing it
once only drops one reference).

Sources, read side by side with this module [V]:

* 0.01: ``zavg/linux-0.01`` ``mm/memory.c`` and ``include/linux/config.h``
  (``unsigned short mem_map[]``, ``HIGH_MEMORY`` a compile-time constant,
  ``free_page`` tests ``addr > HIGH_MEMORY``).
* 0.11: ``karottc/linux-0.11`` ``mm/memory.c`` and ``init/main.c``
  (``unsigned char mem_map[]``, ``USED`` 100, ``mem_init()`` sets
  ``HIGH_MEMORY`` from the machine's size, ``free_page`` tests
  ``addr >= HIGH_MEMORY``).

Both releases predate git, so nothing here is keyed by a commit sha.

Addresses are physical: these kernels run with segment base 0 and an
identity-mapped kernel, so ``page_offset`` is 0 and ``get_free_page()``
returns the physical address of the page.

Accounting used by :meth:`nr_free_pages`, :meth:`allocated_pages` and
:meth:`reserved_pages`: the total is every frame of the machine
(``kernel.phys.nr_pages``).  Free pages are the zero entries of ``mem_map``
(what ``calc_mem()`` counts); allocated pages are non-zero entries of
pages the allocator hands out; every other frame (kernel, buffer cache,
the 640K-1M hole, and at 0.11 anything above ``HIGH_MEMORY``) is reserved.

Cost counter: ``kernel.counters["mem_map_scanned"]`` counts the ``mem_map``
entries the downward scan examined, the price of having no free list.
"""

from __future__ import annotations

from array import array

from linuxmm import hookimpl
from linuxmm.errors import LinuxmmError
from linuxmm.machine import PAGE_SHIFT, PAGE_SIZE
from linuxmm.machine.frames import PG_reserved
from linuxmm.pagealloc import PageAllocator, ZoneInfo, check_args
from linuxmm.records import Implementation

_MB = 1 << 20
_ULONG = 0xFFFFFFFF  # i386 unsigned long: a "negative" address is a huge one

class _MemMapAllocator(PageAllocator):
    """What 0.01 and 0.11 share: a count array scanned downwards.

    Subclasses set ``LOW_MEM``, ``HIGH_MEMORY``, ``PAGING_PAGES``,
    ``mem_map`` (an ``array`` whose typecode is the C element type) and
    ``high_limit``: ``free_page`` panics for ``addr >= high_limit``.
    """

    max_order = 0
    page_offset = 0
    #: the bytes of one free (zero) ``mem_map`` entry, and the wrap-around mask of the C type
    _zero_entry = b"\0"
    _count_mask = 0xFF

    def _finish_boot(self, main_start: int) -> None:
        """Precompute the hot-path constants once ``LOW_MEM`` and the map are set."""
        self.low_pfn = self.LOW_MEM >> PAGE_SHIFT
        self.main_start = main_start  # lowest address get_free_page can hand out at boot
        self._entry = self.mem_map.itemsize
        self._scan_end = self.PAGING_PAGES * self._entry  # bytes of real entries (0.01's sentinel excluded)
        reserved_below = main_start >> PAGE_SHIFT
        self.frames.set_range(0, min(reserved_below, self.nr_pages), PG_reserved)
        # RAM above HIGH_MEMORY is outside every structure these kernels had (0.11 ignores what
        # lies above 16M): its frames are left as the machine gave them, and reserved_pages()
        # counts them, so booting 0.11 on a large machine costs nothing for the part it ignores
        self.get_free_page, self.free_page = self._make_fast_paths()

    #: Entries of ``mem_map`` the scan copies first (the top ones usually have a free page).
    SCAN_WINDOW = 64

    def _make_fast_paths(self):
        """``get_free_page`` and ``free_page`` as closures over the map and the machine.

        ``get_free_page`` scans ``mem_map`` from the top with ``bytes.rfind``
        (the kernel's ``repne scas``) in two steps: the top
        :attr:`SCAN_WINDOW` entries, then, if none of them is free, the rest
        of the map at once; so finding the top page free costs one small copy,
        and a deep scan one more copy of the map below it.
        ``mem_map_scanned`` counts entries as the kernel's scan steps them,
        exactly.  ``free_page`` of an address in
        ``[LOW_MEM, high_limit)`` is written out; anything else (an address to
        ignore or panic about, an argument of the wrong type) goes to
        :meth:`_free_page_slow`.
        """
        mem_map = self.mem_map
        entries = memoryview(mem_map)  # the map itself, element by element
        raw = entries.cast("B")  # ... and as the bytes repne scas reads
        width = self._entry
        zero = self._zero_entry
        total = self.PAGING_PAGES
        window = self.SCAN_WINDOW
        pages = self.phys.pages
        counters = self.counters
        low_mem, low_pfn, high_limit = self.LOW_MEM, self.low_pfn, self.high_limit
        slow_free = self._free_page_slow

        def get_free_page() -> int:
            """``get_free_page()``: the highest free page, count set to 1, cleared; 0 if none."""
            hi = total
            size = window
            while hi > 0:
                lo = hi - size if hi > size else 0
                data = raw[lo * width:hi * width].tobytes()
                pos = data.rfind(zero)
                while pos > 0 and pos % width:  # 0.01's 16-bit entries: a zero pair straddling two entries
                    pos = data.rfind(zero, 0, pos + width - 1)
                if pos >= 0:
                    idx = lo + pos // width
                    break
                hi = lo
                size = hi
            else:
                counters["mem_map_scanned"] += total
                return 0
            counters["mem_map_scanned"] += total - idx
            entries[idx] = 1
            pages.pop(low_pfn + idx, None)  # rep stosl: the page is cleared
            counters["bytes_zeroed"] += PAGE_SIZE
            return low_mem + (idx << PAGE_SHIFT)

        def free_page(addr: int) -> None:
            """``free_page(addr)``: drop one reference; panic on nonsense."""
            try:
                if low_mem <= addr < high_limit:
                    idx = (addr - low_mem) >> PAGE_SHIFT
                    count = entries[idx]
                    if count:
                        entries[idx] = count - 1
                        return
            except TypeError:  # not an int: the slow path says so
                pass
            return slow_free(addr)

        return get_free_page, free_page

    # -- the kernel's functions: get_free_page is the closure above ------------------
    def _free_page_slow(self, addr: int) -> None:
        """``free_page(addr)``: drop one reference; panic on nonsense.

        Below ``LOW_MEM`` (kernel and buffer memory) it returns without a
        word.  At or above ``high_limit`` it panics "trying to free
        nonexistent page".  A count already 0 is reset to 0 and the kernel
        panics "trying to free free page".  The page keeps its bytes.
        """
        check_args("free_page", addr=(addr, "addr"))
        addr &= _ULONG
        if addr < self.LOW_MEM:
            return
        if addr >= self.high_limit:
            self.kernel.panic("trying to free nonexistent page")
        idx = (addr - self.LOW_MEM) >> PAGE_SHIFT
        mem_map = self.mem_map
        count = mem_map[idx]
        if count:
            mem_map[idx] = count - 1
            return
        mem_map[idx] = 0
        self.kernel.panic("trying to free free page")

    # -- helpers that are not kernel API -----------------------------------------
    def get_page(self, addr: int) -> int:
        """Take one more reference on an allocated page, as ``copy_page_tables`` did when it
        shared a page copy-on-write (``mem_map[...]++``).  Not a kernel function of the era:
        a test helper.  Returns the new count (it wraps like the C type)."""
        if not self.LOW_MEM <= addr < self.HIGH_MEMORY:
            raise LinuxmmError(f"get_page: {addr:#x} is not a page mem_map counts "
                               f"({self.LOW_MEM:#x}..{self.HIGH_MEMORY:#x})")
        idx = (addr - self.LOW_MEM) >> PAGE_SHIFT
        if not self.mem_map[idx]:
            raise LinuxmmError(f"get_page: page {addr:#x} is free")
        count = (self.mem_map[idx] + 1) & self._count_mask
        self.mem_map[idx] = count
        return count

    def page_count(self, addr: int) -> int:
        """The ``mem_map`` count of the page at ``addr``."""
        return self.mem_map[(addr - self.LOW_MEM) >> PAGE_SHIFT]

    # -- contract -------------------------------------------------------------------
    def nr_free_pages(self) -> int:
        return self.mem_map[:self.PAGING_PAGES].count(0)

    def _handed_out_range(self) -> tuple[int, int]:
        """Entries (indexes) of pages the allocator manages, i.e. not reserved."""
        return (self.main_start - self.LOW_MEM) >> PAGE_SHIFT, (self.HIGH_MEMORY - self.LOW_MEM) >> PAGE_SHIFT

    def allocated_pages(self) -> int:
        lo, hi = self._handed_out_range()
        return sum(1 for c in self.mem_map[lo:hi] if c)

    def reserved_pages(self) -> int:
        lo, hi = self._handed_out_range()
        below_map = self.low_pfn
        # buffer memory between LOW_MEM and main memory: in mem_map, reserved while its count is non-zero
        # (0.11 marks it USED; a stray free_page can walk a count down to 0, and then the page is free)
        buffer = sum(1 for c in self.mem_map[:lo] if c)
        above = self.nr_pages - min(self.HIGH_MEMORY >> PAGE_SHIFT, self.nr_pages)
        return below_map + buffer + above

    def zone_info(self) -> list[ZoneInfo]:
        free = self.nr_free_pages()
        lo, hi = self._handed_out_range()
        return [ZoneInfo("Memory", self.main_start >> PAGE_SHIFT, self.HIGH_MEMORY >> PAGE_SHIFT,
                         hi - lo, free, [free])]

    def show_mem(self) -> str:
        """``calc_mem()``'s report.

        The kernel ends the line with ``\\n\\r``; the model ends it with ``\\n``.
        ``calc_mem`` then prints a "Pg-dir[%d] uses %d pages" line per user
        page directory entry; the model has no processes, so there are none.
        """
        return f"{self.nr_free_pages()} pages free (of {self.PAGING_PAGES})\n"

    def alloc_block(self, order: int, gfp: int) -> int:
        if order:
            raise self.single_pages_only(order)
        return self.get_free_page()

    def free_block(self, addr: int, order: int) -> None:
        if order:
            raise self.single_pages_only(order, "free")
        self.free_page(addr)


class MemoryC001(_MemMapAllocator):
    """``mm/memory.c`` of Linux 0.01 [V].

    ``HIGH_MEMORY`` is fixed when the kernel is compiled (config.h):
    ``LINUS_HD`` (the shipped choice) gives 8 MB, ``LASU_HD`` 4 MB.
    ``BUFFER_END`` is 0x200000 when ``HIGH_MEMORY >= 0x600000``, else
    0xA0000; ``LOW_MEM`` is ``BUFFER_END`` but at least 1 MB.  So the
    default kernel counts 1536 pages from 2 MB to 8 MB, the LASU one 768
    pages from 1 MB to 4 MB.  The map is ``unsigned short`` and starts all
    zero (a static array): every page above ``LOW_MEM`` is free at boot.
    There is no ``mem_init``.

    The one-past-the-end slot: 0.01's ``free_page`` panics only for
    ``addr > HIGH_MEMORY``, so ``free_page(HIGH_MEMORY)`` indexes
    ``mem_map[PAGING_PAGES]``, one entry past the array.  The model keeps
    that entry as an explicit sentinel count ``mem_map[PAGING_PAGES]``,
    which is 0 (in the kernel it is whatever the linker placed after the
    array; 0 is the model's assumption [S]), and never hands it out.  So
    ``free_page(0x800000)`` takes the "count already 0" path and panics
    "trying to free free page" rather than "trying to free nonexistent
    page".  0.11 closed the hole with ``>=``.
    """

    default_mem = 8 * _MB
    _zero_entry = b"\0\0"
    _count_mask = 0xFFFF
    #: config.h choices: HIGH_MEMORY -> the hard-disk define that selects it
    CONFIGS = {8 * _MB: "LINUS_HD", 4 * _MB: "LASU_HD"}

    def __init__(self, kernel):
        super().__init__(kernel)
        size = self.requested_mem()
        if size not in self.CONFIGS:
            raise LinuxmmError(
                f"mem={size >> 10}K: 0.01 has no memory detection; HIGH_MEMORY is fixed when the kernel is "
                f"compiled: 8M (LINUS_HD, the default) or 4M (LASU_HD)")
        self.setup(size)
        self.counters.declare("mem_map_scanned")
        self.config_hd = self.CONFIGS[size]
        self.HIGH_MEMORY = size
        self.BUFFER_END = 0x200000 if self.HIGH_MEMORY >= 0x600000 else 0xA0000
        self.LOW_MEM = 0x100000 if self.BUFFER_END < 0x100000 else self.BUFFER_END
        self.PAGING_PAGES = (self.HIGH_MEMORY - self.LOW_MEM) // PAGE_SIZE
        # PAGING_PAGES real entries plus the sentinel slot one past the end (see the class docstring)
        self.mem_map = array("H", [0]) * (self.PAGING_PAGES + 1)
        self.high_limit = self.HIGH_MEMORY + 1  # the test is addr > HIGH_MEMORY
        self._finish_boot(self.LOW_MEM)


class MemoryC011(_MemMapAllocator):
    """``mm/memory.c`` and ``init/main.c`` of Linux 0.11 [V].

    ``LOW_MEM`` is 1 MB, ``PAGING_MEMORY`` 15 MB, so ``mem_map`` has
    ``PAGING_PAGES`` = 3840 ``unsigned char`` entries whatever the RAM.
    At boot ``main()`` computes, from the BIOS extended-memory size (a
    16-bit count of KB, ``EXT_MEM_K``; the model assumes [S] the BIOS
    reports all RAM above 1 MB, up to that 16-bit limit):

    * ``memory_end`` = 1 MB + extended memory, page aligned, at most 16 MB;
    * ``buffer_memory_end`` = 4 MB if ``memory_end`` > 12 MB, 2 MB if
      > 6 MB, else 1 MB;
    * ``main_memory_start`` = ``buffer_memory_end`` (no ``RAMDISK``: the
      Makefile leaves ``-DRAMDISK=512`` commented out).

    ``mem_init(main_memory_start, memory_end)`` sets ``HIGH_MEMORY`` to
    ``memory_end``, marks every entry ``USED`` (100) and clears the
    entries of main memory.  With the default 16 MB machine: 3072 free
    pages from 4 MB to 16 MB.  RAM above 16 MB is ignored, as main.c did.
    ``free_page`` panics for ``addr >= HIGH_MEMORY``.  A ``free_page`` of
    buffer memory (count ``USED``) just decrements 100 to 99, silently;
    after 100 such frees the count is 0 and the scan, which covers all
    3840 entries, hands the buffer page out like any free page.
    """

    default_mem = 16 * _MB
    LOW_MEM = 0x100000
    PAGING_MEMORY = 15 * _MB
    PAGING_PAGES = PAGING_MEMORY >> PAGE_SHIFT
    USED = 100

    def __init__(self, kernel):
        super().__init__(kernel)
        size = self.requested_mem()
        if size < 2 * _MB:
            raise LinuxmmError(f"mem={size >> 10}K: the model boots 0.11 with 2M to 16M "
                               "(more is allowed and ignored above 16M, as 0.11 did)")
        self.setup(size)
        self.counters.declare("mem_map_scanned")
        ext_mem_k = min((size - _MB) >> 10, 0xFFFF)  # EXT_MEM_K is an unsigned short at 0x90002
        memory_end = (_MB + (ext_mem_k << 10)) & 0xFFFFF000
        if memory_end > 16 * _MB:
            memory_end = 16 * _MB
        if memory_end > 12 * _MB:
            buffer_memory_end = 4 * _MB
        elif memory_end > 6 * _MB:
            buffer_memory_end = 2 * _MB
        else:
            buffer_memory_end = 1 * _MB
        self.memory_end = memory_end
        self.buffer_memory_end = buffer_memory_end
        self.main_memory_start = buffer_memory_end
        self.mem_map = array("B", [0]) * self.PAGING_PAGES
        self.mem_init(self.main_memory_start, self.memory_end)
        self.high_limit = self.HIGH_MEMORY  # the test is addr >= HIGH_MEMORY
        self._finish_boot(self.main_memory_start)

    def mem_init(self, start_mem: int, end_mem: int) -> None:
        """Mark everything ``USED``, then free main memory (0.11 mm/memory.c)."""
        self.HIGH_MEMORY = end_mem
        mem_map = self.mem_map
        mem_map[:] = array("B", [self.USED]) * self.PAGING_PAGES
        first = (start_mem - self.LOW_MEM) >> PAGE_SHIFT
        nr = (end_mem - start_mem) >> PAGE_SHIFT
        mem_map[first:first + nr] = array("B", [0]) * nr


@hookimpl
def linuxmm_implementations():
    return [
        Implementation(subsystem="page_alloc", name="memory.c-0.01", factory=MemoryC001,
                       introduced="v0.01", removed="v0.11", api=("get_free_page", "free_page"),
                       summary="0.01 mm/memory.c: unsigned short reference counts, highest free page first"),
        Implementation(subsystem="page_alloc", name="memory.c-0.11", factory=MemoryC011,
                       introduced="v0.11", removed="v1.0", api=("get_free_page", "free_page"),
                       summary="0.11 mm/memory.c: unsigned char counts, mem_init from the BIOS memory size"),
    ]
