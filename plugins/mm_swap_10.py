"""The page allocator of Linux 1.0: ``mm/swap.c`` (allocation and freeing) and
``mm/memory.c`` (``mem_init``, ``show_mem``).

Sources [V]: ``kalamangga-net/linux-1.0`` ``mm/swap.c``, ``mm/memory.c``,
``include/linux/mm.h``, ``init/main.c`` and ``boot/head.S``.  1.0 predates
git; nothing here is keyed by a commit sha.

Still no buddy allocator and no orders.  Free pages sit on a singly linked
list, ``free_page_list``, whose "next" pointer is stored in the first word
of each free page itself (``add_mem_queue``).  ``free_page`` pushes at the
head, ``__get_free_page`` pops the head: the list is LIFO.  A second list,
``secondary_page_list``, is filled *first* by ``free_page`` (until it holds
``MAX_SECONDARY_PAGES`` = 20 pages) and is taken from only when the primary
list is empty and the caller may dip into it.  ``mem_map`` is an array of
``unsigned short`` counts, one per page from physical 0, with bit 15
(``MAP_PAGE_RESERVED``) marking pages the allocator never hands out.

Addresses are physical (``page_offset`` 0): head.S gives the kernel code
and data segments base 0xC0000000 and maps physical memory at 0xC0000000,
so a kernel pointer (a segment offset) is the physical address; mem_init
writes the list links through ``*(unsigned long *) tmp`` for physical
``tmp``, and ``high_memory`` is the RAM size [V].

Priorities.  1.0 has four (mm.h): ``GFP_BUFFER`` 0, ``GFP_ATOMIC`` 1,
``GFP_USER`` 2, ``GFP_KERNEL`` 3.  The model's public flags are the
2.6-style masks of :mod:`linuxmm.gfp`; they map onto 1.0 priorities as:

* no ``__GFP_WAIT`` (``GFP_ATOMIC``, ``GFP_DMA`` alone...) -> ``GFP_ATOMIC``;
* ``__GFP_WAIT`` without ``__GFP_IO`` (``GFP_NOIO``, i.e. ``linuxmm.GFP_BUFFER``)
  -> ``GFP_BUFFER``;
* ``__GFP_HARDWALL`` (``GFP_USER``, ``GFP_HIGHUSER``) -> ``GFP_USER``;
* anything else that may wait and do I/O (``GFP_KERNEL``, ``GFP_NOFS``) -> ``GFP_KERNEL``.

Zone bits and ``__GFP_ZERO`` mean nothing to 1.0's ``__get_free_page``
(there is no DMA pool until 1.1's ``__get_dma_pages``; zeroing is what
``get_free_page`` is for).  ``alloc_block`` alone honours ``__GFP_ZERO`` by
calling ``get_free_page`` instead of ``__get_free_page``.

``__get_free_page`` with an empty primary list: ``GFP_BUFFER`` gets 0;
``GFP_KERNEL``/``GFP_USER`` call ``try_to_free_page()`` (shrink buffers, shm
swap, swap out) and retry.  The model has no buffer cache, no shm and no
swap, so ``try_to_free_page`` can free nothing and returns 0; they then
fall back to the secondary list, as ``GFP_ATOMIC`` does at once.  Not
modelled: the "gfp called nonatomically from interrupt" check (the model
has no interrupt context) and the "PC = %08lx" line printed after the
double-free message (the model has no program counter).

Layout at boot (``start_kernel`` and ``mem_init``, [V] logic, [S] sizes).
The model boots a compressed kernel (zImage, the usual 1.0 install): head.S
says the kernel then sits at 1 MB.  Because ``&end`` is above 1 MB,
``start_kernel`` makes ``memory_start = &end`` and ``low_memory_start =
PAGE_SIZE``.  ``paging_init`` takes one page per page table beyond the
first 4 MB (``pg0`` is in the image), then the device initialisations take
memory (``kmalloc_init`` returns its argument unchanged; ``chr_dev_init``,
``blk_dev_init``, ``inode_init`` and ``file_table_init`` take some), then
``mem_init`` puts ``mem_map`` (2 bytes a page) on a 16-byte boundary and
frees:

* low memory from ``PAGE_SIZE`` up to 0xA0000 (physical page 0 stays
  reserved, so do the 640K-1M hole and the kernel);
* everything from the page after ``mem_map`` up to ``high_memory``.

The image sizes are not in the source tree; the model assumes [S] 360 KB of
text (``&etext`` = 0x15A000), 104 KB of data and bss (``&end`` = 0x174000),
and 24 KB for the device initialisations (``DEVICE_INIT_BYTES``).  On the
default 16 MB machine that gives ``mem_map`` at 0x17D000, 3872 free pages,
and the boot line "Memory: 15488k/16384k available (364k kernel code,
384k reserved, 148k data)".  Physical page 0 is counted as "kernel code"
because ``mem_init`` counts every reserved page below ``&etext`` outside
0xA0000-0x100000 as code [V].  That the kernel sits at 1 MB is itself the
zImage choice: the 1.0 Makefile's ``Image``/``lilo``/``disk`` targets only
say uncompressed images are no longer supported (read in the
kalamangga-net mirror, whose Makefile is otherwise modernised).

Boot order on the list [V]: ``mem_init`` walks the pages upwards from
address 0 and pushes each free one on ``free_page_list``, so every free
page's first word names the next lower free page, the lowest (0x1000)
holds 0, and the head is the highest free page.  The model stops after
``mem_init``: in 1.0 ``buffer_init`` runs next and its ``grow_buffers``
takes the head page (then ``sock_init``, ``init`` ... take more), so the
model's first caller gets the page 1.0's ``buffer_init`` got.

RAM size.  ``start_kernel`` reads the BIOS extended-memory size, a 16-bit
count of KB (the model assumes [S] the BIOS reports all RAM above 1 MB up
to that limit), so without ``mem=`` 1.0 sees at most 1 MB + 65535 KB; a
``mem=`` on the command line replaces that (the model never goes past the
machine's RAM).  1.0's ``copy_options`` reads the value with
``simple_strtoul(..., 0)``: a plain number of bytes (decimal, ``0x`` hex or
``0`` octal), with no ``K``/``M`` suffix (later 1.x kernels added those).
So ``mem=8M`` is 8 bytes to 1.0, which cannot boot: the model refuses it
and names the byte count to give instead (``mem=8388608``).  The model reads
the word from the raw command line, as 1.0 did, the last ``mem=`` winning;
the value is not page-masked before ``paging_init`` (only ``mem_init``
masks it), so an unaligned ``mem=`` can cost one more page table [V].
The kernel segment spans 1 GB, the model's ceiling.  ``CONFIG_MAX_16M``
(off by default) is not modelled.

Page contents.  The boot-time links of pages nobody has touched yet are
kept implicitly (each points to the next lower free page) and written into
the page the moment anything reads or writes it through ``kernel.memory``
or the allocator pops it; raw ``kernel.phys`` reads bypass that and see
zeroes.  Every link made after boot is written into the page at once.

Accounting: the total is every frame (``kernel.phys.nr_pages``); reserved
pages carry ``MAP_PAGE_RESERVED``; free pages are the kernel's
``nr_free_pages + nr_secondary_pages``; allocated pages are the other
non-zero counts.  If a corrupted link makes the kernel drop a list
("memory map destroyed"), the dropped pages are lost, as in 1.0, and the
sum falls short by exactly that many.
"""

from __future__ import annotations

import struct
from array import array

from linuxmm import hookimpl
from linuxmm.errors import LinuxmmError
from linuxmm.gfp import __GFP_HARDWALL, __GFP_IO, __GFP_WAIT, __GFP_ZERO
from linuxmm.machine import PAGE_SHIFT, PAGE_SIZE
from linuxmm.machine.frames import PG_reserved
from linuxmm.pagealloc import PageAllocator, ZoneInfo, check_args
from linuxmm.records import Implementation

_MB = 1 << 20
_ULONG = 0xFFFFFFFF
PAGE_MASK = ~(PAGE_SIZE - 1) & _ULONG

# include/linux/mm.h (1.0)
MAX_SECONDARY_PAGES = 20
MAP_PAGE_RESERVED = 1 << 15
GFP_BUFFER = 0x00
GFP_ATOMIC = 0x01
GFP_USER = 0x02
GFP_KERNEL = 0x03
# mm/swap.c (1.0)
NR_LAST_FREE_PAGES = 32

#: module-level aliases: a name with two leading underscores would be mangled inside the class body
_GFP_ZERO = __GFP_ZERO

_PRIMARY, _SECONDARY = 0, 1
_QUEUE_NAMES = (("nr_free_pages", "free_page_list"), ("nr_secondary_pages", "secondary_page_list"))


def gfp_to_priority(gfp: int) -> int:
    """The 1.0 priority a linuxmm GFP mask stands for (see the module docstring)."""
    if not gfp & __GFP_WAIT:
        return GFP_ATOMIC
    if not gfp & __GFP_IO:
        return GFP_BUFFER
    if gfp & __GFP_HARDWALL:
        return GFP_USER
    return GFP_KERNEL


def simple_strtoul(text: str) -> tuple[int, str]:
    """``simple_strtoul(text, &end, 0)`` of 1.0 kernel/vsprintf.c: the value and the unparsed rest.

    Base 0: ``0x`` followed by a hex digit is hex, a leading ``0`` octal, else decimal;
    the result is an i386 ``unsigned long``.
    """
    base, i = 10, 0
    if text[:1] == "0":
        base, i = 8, 1
        if text[1:2] == "x" and text[2:3] and text[2] in "0123456789abcdefABCDEF":
            base, i = 16, 2
    value = 0
    while i < len(text):
        c = text[i]
        digit = int(c, 16) if c in "0123456789abcdefABCDEF" else base
        if digit >= base:
            break
        value = value * base + digit
        i += 1
    return value & _ULONG, text[i:]


def _page_align(addr: int) -> int:
    return (addr + PAGE_SIZE - 1) & PAGE_MASK


class Swap10(PageAllocator):
    """``mm/swap.c``'s page lists and ``mm/memory.c``'s ``mem_init`` of Linux 1.0."""

    max_order = 0
    default_mem = 16 * _MB
    page_offset = 0

    # The kernel image, a compressed boot [S sizes; see the module docstring].
    KERNEL_START = 0x100000
    ETEXT = KERNEL_START + 0x5A000
    END = ETEXT + 0x1A000
    DEVICE_INIT_BYTES = 0x6000

    def __init__(self, kernel):
        super().__init__(kernel)
        machine = self.kernel.mem_request or self.default_mem
        machine -= machine % PAGE_SIZE  # whole pages (PAGE_MASK is a 32-bit mask here)
        if machine < 2 * _MB:
            raise LinuxmmError(f"mem={machine >> 10}K: the model boots 1.0 with at least 2M")
        if machine > 1024 * _MB:
            raise LinuxmmError(f"mem={machine >> 20}M: 1.0's kernel segment maps at most 1G of RAM")
        self.setup(machine)
        # start_kernel: memory_end from the BIOS extended-memory count (an unsigned short of KB)
        ext_mem_k = min((machine - _MB) >> 10, 0xFFFF)
        memory_end = (_MB + (ext_mem_k << 10)) & PAGE_MASK
        given = self.copy_options_mem(self.kernel.cmdline.text)
        if given is not None:  # copy_options: mem= replaces memory_end (capped at the machine's RAM)
            memory_end = min(given, machine)
        if self.END >= _MB:
            memory_start, low_memory_start = self.END, PAGE_SIZE
        else:
            memory_start, low_memory_start = _MB, self.END
        low_memory_start = _page_align(low_memory_start)
        memory_start = self.paging_init(memory_start, memory_end)
        memory_start += self.DEVICE_INIT_BYTES  # kmalloc_init, chr_dev_init, blk_dev_init ... [S]
        if memory_start + 16 * PAGE_SIZE >= memory_end:
            raise LinuxmmError(f"mem={memory_end >> 10}K: 1.0 needs RAM above its kernel, "
                               f"which ends at {memory_start:#x}")
        self.mem_init(low_memory_start, memory_start, memory_end)

    # -- boot ---------------------------------------------------------------------
    def copy_options_mem(self, text: str) -> int | None:
        """The ``memory_end`` 1.0's ``copy_options`` takes from ``mem=``, or None without one.

        The value is ``simple_strtoul(value, &end, 0)``: no size suffix in 1.0.  A number
        followed by K/M/G (which 1.0 would read as that many bytes) is refused with the
        byte count to give instead.
        """
        words = [word[4:] for word in text.split() if word.startswith("mem=")]
        if not words:
            return None
        raw = words[-1]  # copy_options reads every mem=: the last one stays
        value, rest = simple_strtoul(raw)
        if rest[:1].upper() in ("K", "M", "G"):
            meant = value << {"K": 10, "M": 20, "G": 30}[rest[0].upper()]
            raise LinuxmmError(
                f"mem={raw}: 1.0 reads mem= as a plain number of bytes (simple_strtoul, no K/M "
                f"suffix yet), so this is {value} bytes and 1.0 cannot boot; give mem={meant}")
        return value

    @staticmethod
    def paging_init(start_mem: int, end_mem: int) -> int:
        """One page per page table after the first 4 MB (``pg0`` is part of the image)."""
        start_mem = _page_align(start_mem)
        tables = (end_mem + (4 * _MB - 1)) // (4 * _MB) - 1
        return start_mem + max(tables, 0) * PAGE_SIZE

    def mem_init(self, start_low_mem: int, start_mem: int, end_mem: int) -> None:
        """Reserve everything, free low memory and the memory after ``mem_map``, build the list."""
        end_mem &= PAGE_MASK
        self.high_memory = end_mem
        nr = end_mem >> PAGE_SHIFT
        start_mem = (start_mem + 0xF) & ~0xF
        self.mem_map_addr = start_mem
        start_mem += 2 * nr  # unsigned short entries
        self.mem_map = mem_map = array("H", [MAP_PAGE_RESERVED]) * nr
        start_low_mem = _page_align(start_low_mem)
        start_mem = _page_align(start_mem)
        # the two ranges mem_init frees, as page frame numbers [lo, hi)
        low = (start_low_mem >> PAGE_SHIFT, max(start_low_mem, 0xA0000) >> PAGE_SHIFT)
        high = (start_mem >> PAGE_SHIFT, nr)
        self.free_ranges = (low, high)
        self.boot_linked = bytearray(self.nr_pages)
        for lo, hi in self.free_ranges:
            if hi > lo:
                mem_map[lo:hi] = array("H", [0]) * (hi - lo)
                self.boot_linked[lo:hi] = b"\1" * (hi - lo)
        # The boot walk goes up from address 0 and pushes each free page on the head, so each
        # page's link names the next lower free page and the head is the highest one.
        self.low_top = low[1] - 1 if low[1] > low[0] else -1
        self.high_bottom = high[0]
        free = sum(max(hi - lo, 0) for lo, hi in self.free_ranges)
        head = (high[1] - 1) if high[1] > high[0] else self.low_top
        self.queue = [head << PAGE_SHIFT if head >= 0 else 0, 0]  # free_page_list, secondary_page_list
        self.nr = [free, 0]  # nr_free_pages, nr_secondary_pages
        self.last_free_pages = [0] * NR_LAST_FREE_PAGES
        self._last = [0]  # last_index, in a cell the fast path shares
        codepages = reservedpages = datapages = 0
        etext = self.ETEXT
        reserved = [(0, low[0]), (low[1], high[0])]
        for lo, hi in reserved:
            for pfn in range(lo, min(hi, nr)):
                tmp = pfn << PAGE_SHIFT
                if 0xA0000 <= tmp < 0x100000:
                    reservedpages += 1
                elif tmp < etext:
                    codepages += 1
                else:
                    datapages += 1
            self.frames.set_range(lo, min(hi, nr), PG_reserved)
        self.frames.set_range(nr, self.nr_pages, PG_reserved)  # RAM above high_memory: not in mem_map
        self.nr_reserved = codepages + reservedpages + datapages
        self.mem_init_printk(
            f"Memory: {(free << PAGE_SHIFT) >> 10}k/{end_mem >> 10}k available "
            f"({codepages << (PAGE_SHIFT - 10)}k kernel code, {reservedpages << (PAGE_SHIFT - 10)}k reserved, "
            f"{datapages << (PAGE_SHIFT - 10)}k data)")
        self.memory.checkers.append(self._materialize_links)
        self._get_free_page, self.free_page = self._make_fast_paths()

    @property
    def last_index(self) -> int:
        """``last_free_pages``' index of the page handed out last."""
        return self._last[0]

    @last_index.setter
    def last_index(self, value: int) -> None:
        self._last[0] = value

    def _make_fast_paths(self):
        """``__get_free_page`` and ``free_page`` for their common case, inline.

        ``__get_free_page`` with a mask seen before (an exact ``int``) takes
        the head of ``free_page_list`` when it is a page whose link is already
        in its first word (not a boot-time link) and whose count is 0: the
        link read from the page becomes the new head.  ``free_page`` of a page
        whose count is 1 pushes it on the list ``free_page`` chooses, writing
        the old head into its first word.  Anything else -- an empty or
        corrupt list, another priority's choice, counts other than 0 and 1,
        addresses the kernel would ignore, arguments of the wrong type -- goes
        to the step-by-step functions below.
        """
        queue, nr, mem_map, linked = self.queue, self.nr, self.mem_map, self.boot_linked
        pages = self.phys.pages
        high = self.high_memory
        ring, last = self.last_free_pages, self._last
        word = struct.Struct("<I")  # the i386 unsigned long at the start of a free page
        read_link, write_link = word.unpack_from, word.pack_into
        slow_alloc, slow_free = self._get_free_page_slow, self._free_page_slow
        fast: dict[int, int] = {}  # masks seen, each kept with the int object last seen

        def learn(gfp: int) -> int:
            if type(gfp) is int and 0 <= gfp <= _ULONG and len(fast) < 256:
                fast[gfp] = gfp
            return slow_alloc(gfp)

        def get_free_page_nozero(gfp: int) -> int:
            """``__get_free_page(priority)``: pop a page; its old bytes (the list link first) stay."""
            try:
                if fast[gfp] is not gfp:
                    return learn(gfp)
            except KeyError:
                return learn(gfp)
            result = queue[0]
            if not result or result & ~PAGE_MASK or result >= high:
                return slow_alloc(gfp)
            pfn = result >> PAGE_SHIFT
            data = pages.get(pfn)
            if data is None or linked[pfn] or mem_map[pfn]:
                return slow_alloc(gfp)
            queue[0] = read_link(data, 0)[0]  # REMOVE_FROM_MEM_QUEUE
            mem_map[pfn] = 1
            nr[0] -= 1
            last[0] = index = (last[0] + 1) & (NR_LAST_FREE_PAGES - 1)
            ring[index] = result
            return result

        def free_page(addr: int) -> None:
            """``free_page(addr)``: drop a reference; at zero, onto the secondary or the primary list."""
            try:
                if not 0 <= addr < high:
                    return slow_free(addr)
                pfn = addr >> PAGE_SHIFT
                if mem_map[pfn] != 1:
                    return slow_free(addr)
            except TypeError:  # not an int
                return slow_free(addr)
            mem_map[pfn] = 0
            which = 1 if nr[1] < MAX_SECONDARY_PAGES else 0
            data = pages.get(pfn)
            if data is None:
                data = pages[pfn] = bytearray(PAGE_SIZE)
            write_link(data, 0, queue[which])  # add_mem_queue: the old head into the page's first word
            queue[which] = addr & PAGE_MASK
            nr[which] += 1

        for fn in (get_free_page_nozero, free_page):
            fn.__self__ = self  # like a bound method: whose kernel call this is
        return get_free_page_nozero, free_page

    def _boot_link(self, pfn: int) -> int:
        """The link mem_init left in free page ``pfn``: the next lower free page, or 0."""
        if pfn == self.high_bottom:
            return self.low_top << PAGE_SHIFT if self.low_top >= 0 else 0
        if pfn == self.free_ranges[0][0]:
            return 0
        return (pfn - 1) << PAGE_SHIFT

    def _write_boot_link(self, pfn: int) -> None:
        self.boot_linked[pfn] = 0
        self.phys.page(pfn)[0:4] = self._boot_link(pfn).to_bytes(4, "little")

    def _materialize_links(self, addr: int, n: int, write: bool) -> None:
        """A ``kernel.memory`` checker: put boot-time links into pages before anyone looks."""
        linked = self.boot_linked
        last = min((addr + max(n, 1) - 1) >> PAGE_SHIFT, self.nr_pages - 1)
        for pfn in range(max(addr >> PAGE_SHIFT, 0), last + 1):
            if linked[pfn]:
                self._write_boot_link(pfn)

    # -- mm/swap.c ------------------------------------------------------------------
    def _remove_from_mem_queue(self, which: int, keep_link: bool) -> int:
        """``REMOVE_FROM_MEM_QUEUE``: pop the head of a list, or drop a list that is corrupt.

        ``keep_link`` leaves the popped page's link in its first word (``__get_free_page``
        does not clear the page); ``get_free_page`` clears it right after, so it can skip that.
        """
        result = self.queue[which]
        if result:
            if not result & ~PAGE_MASK and result < self.high_memory:
                pfn = result >> PAGE_SHIFT
                if self.boot_linked[pfn]:
                    if keep_link:
                        self._write_boot_link(pfn)
                    else:
                        self.boot_linked[pfn] = 0
                    nxt = self._boot_link(pfn)
                else:
                    data = self.phys.pages.get(pfn)
                    nxt = int.from_bytes(data[0:4], "little") if data is not None else 0
                self.queue[which] = nxt
                count = self.mem_map[pfn]
                if not count:
                    self.mem_map[pfn] = 1
                    self.nr[which] -= 1
                    self.last_index = index = (self.last_index + 1) & (NR_LAST_FREE_PAGES - 1)
                    self.last_free_pages[index] = result
                    return result
                self.kernel.dmesg.printk(f"Free page {result:08x} has mem_map = {count}")
            else:
                self.kernel.dmesg.printk(f"Result = 0x{result:08x} - memory map destroyed")
            self.queue[which] = 0
            self.nr[which] = 0
        elif self.nr[which]:
            nr_name, queue_name = _QUEUE_NAMES[which]
            self.kernel.dmesg.printk(f"{nr_name} is {self.nr[which]}, but {queue_name} is empty")
            self.nr[which] = 0
        return 0

    def _alloc(self, gfp: int, keep_link: bool) -> int:
        priority = gfp_to_priority(gfp)
        result = self._remove_from_mem_queue(_PRIMARY, keep_link)
        if result:
            return result
        if priority == GFP_BUFFER:
            return 0
        # GFP_USER/GFP_KERNEL: try_to_free_page() and retry; with no buffers, shm or swap in the
        # model it frees nothing, so they fall through to the secondary list like GFP_ATOMIC.
        return self._remove_from_mem_queue(_SECONDARY, keep_link)

    def _get_free_page_slow(self, gfp: int) -> int:
        """``__get_free_page(priority)``: pop a page; its old bytes (the list link first) stay."""
        check_args("__get_free_page", gfp_mask=(gfp, "gfp"))
        return self._alloc(gfp, True)

    def get_free_page(self, gfp: int) -> int:
        """``get_free_page(priority)``: ``__get_free_page`` and clear the page (mm.h inline)."""
        check_args("get_free_page", gfp_mask=(gfp, "gfp"))
        page = self._alloc(gfp, False)
        if page:
            self.zero_pages(page >> PAGE_SHIFT, 1)
        return page

    def _free_page_slow(self, addr: int) -> None:
        """``free_page(addr)``: drop a reference; at zero, push on the secondary list while it
        holds fewer than ``MAX_SECONDARY_PAGES``, else on ``free_page_list``.

        Addresses at or above ``high_memory`` and reserved pages are ignored silently.  A
        count already 0 prints the kernel's (misspelt) warning and returns.
        """
        check_args("free_page", addr=(addr, "addr"))
        addr &= _ULONG
        if addr >= self.high_memory:
            return
        pfn = addr >> PAGE_SHIFT
        mem_map = self.mem_map
        count = mem_map[pfn]
        if count:
            if not count & MAP_PAGE_RESERVED:
                count -= 1
                mem_map[pfn] = count
                if not count:
                    which = _SECONDARY if self.nr[_SECONDARY] < MAX_SECONDARY_PAGES else _PRIMARY
                    # add_mem_queue: the old head goes into the page's first word
                    self.phys.page(pfn)[0:4] = self.queue[which].to_bytes(4, "little")
                    self.queue[which] = addr & PAGE_MASK
                    self.nr[which] += 1
            return
        self.kernel.dmesg.printk(f"Trying to free free memory ({addr:08x}): memory probabably corrupted")

    # -- helpers that are not 1.0 API ----------------------------------------------------
    def get_page(self, addr: int) -> int:
        """Take one more reference on an allocated page (``mem_map[MAP_NR(page)]++`` as
        ``copy_page_tables`` does).  A test helper, not a kernel call.  Returns the count."""
        if not 0 <= addr < self.high_memory:
            raise LinuxmmError(f"get_page: {addr:#x} is above high_memory ({self.high_memory:#x})")
        pfn = addr >> PAGE_SHIFT
        count = self.mem_map[pfn]
        if not count or count & MAP_PAGE_RESERVED:
            raise LinuxmmError(f"get_page: page {addr:#x} is {'free' if not count else 'reserved'}")
        self.mem_map[pfn] = count + 1
        return count + 1

    def page_count(self, addr: int) -> int:
        """The ``mem_map`` entry of the page at ``addr`` (``MAP_PAGE_RESERVED`` included)."""
        return self.mem_map[addr >> PAGE_SHIFT]

    def free_list(self, which: str = "free") -> list[int]:
        """Walk ``free_page_list`` (or ``"secondary"``) through the links in the pages."""
        addr = self.queue[_SECONDARY if which == "secondary" else _PRIMARY]
        out = []
        while addr and len(out) <= self.nr_pages:
            out.append(addr)
            pfn = addr >> PAGE_SHIFT
            if self.boot_linked[pfn]:
                addr = self._boot_link(pfn)
            else:
                data = self.phys.pages.get(pfn)
                addr = int.from_bytes(data[0:4], "little") if data is not None else 0
            if addr & ~PAGE_MASK or addr >= self.high_memory:
                break
        return out

    @property
    def nr_secondary_pages(self) -> int:
        return self.nr[_SECONDARY]

    # -- contract ---------------------------------------------------------------------------
    def nr_free_pages(self) -> int:
        """``nr_free_pages + nr_secondary_pages``: both lists hold free pages."""
        return self.nr[_PRIMARY] + self.nr[_SECONDARY]

    def allocated_pages(self) -> int:
        return sum(1 for c in self.mem_map if c and not c & MAP_PAGE_RESERVED)

    def reserved_pages(self) -> int:
        return self.nr_reserved + (self.nr_pages - len(self.mem_map))

    def zone_info(self) -> list[ZoneInfo]:
        free = self.nr_free_pages()
        nr = len(self.mem_map)
        return [ZoneInfo("Memory", 0, nr, nr - self.nr_reserved, free, [free])]

    def show_mem(self) -> str:
        """``show_mem()`` of 1.0 mm/memory.c: "Mem-info:" and the page census.

        The kernel follows it with ``show_buffers()``; the model has no buffer cache and
        leaves those lines out.  Free swap is 0: the model has no swap.
        """
        free = total = reserved = shared = 0
        for count in self.mem_map:
            total += 1
            if count & MAP_PAGE_RESERVED:
                reserved += 1
            elif not count:
                free += 1
            else:
                shared += count - 1
        kb = PAGE_SHIFT - 10
        return (
            "Mem-info:\n"
            f"Free pages:      {self.nr[_PRIMARY] << kb:6d}kB\n"
            f"Secondary pages: {self.nr[_SECONDARY] << kb:6d}kB\n"
            f"Free swap:       {0:6d}kB\n"
            f"{total} pages of RAM\n"
            f"{free} free pages\n"
            f"{reserved} reserved pages\n"
            f"{shared} pages shared\n")

    def alloc_block(self, order: int, gfp: int) -> int:
        if order:
            raise self.single_pages_only(order)
        if gfp & _GFP_ZERO:
            return self.get_free_page(gfp)
        return self._get_free_page(gfp)

    def free_block(self, addr: int, order: int) -> None:
        if order:
            raise self.single_pages_only(order, "free")
        self.free_page(addr)


@hookimpl
def linuxmm_implementations():
    return [
        Implementation(subsystem="page_alloc", name="swap.c-1.0", factory=Swap10,
                       introduced="v1.0", removed="v1.1.89",
                       api=("__get_free_page:_get_free_page", "get_free_page", "free_page"),
                       summary="1.0 mm/swap.c: LIFO list of single free pages linked through the pages, "
                               "plus a 20-page secondary list"),
    ]
