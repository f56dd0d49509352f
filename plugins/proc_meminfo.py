"""/proc/meminfo of every era, in the era's own layout and field set.

Where the values come from
--------------------------
* ``MemTotal`` is ``totalram`` as the era computed it: every page the
  allocator manages that is not reserved (1.0-2.2 count the non-reserved
  ``mem_map`` entries in ``si_meminfo``; 2.4 and later take the pages freed at
  boot, ``totalram_pages``).  ``MemFree`` is the allocator's free count
  (``nr_free_pages``; from 2.6 the zones' ``NR_FREE_PAGES``, which does not
  count pages sitting on the per-CPU lists).
* ``MemShared`` (1.0-2.2) is ``si_meminfo``'s sum of ``count - 1`` over the
  pages in use: 0 unless a page was given extra references.  2.4 prints 0.
* Every field a subsystem knows comes from its object's ``meminfo()``
  (``kernel.subsystems``): the slab allocators give ``Slab``,
  ``SReclaimable`` and ``SUnreclaim``, vmalloc gives ``VmallocTotal``,
  ``VmallocUsed`` and ``VmallocChunk``; a subsystem may also give any other
  field name the era prints.  Fields the era did not have are not printed,
  whatever a subsystem says.
* Computed from those, as the kernel computed them: ``KReclaimable``
  (``SReclaimable`` plus the other reclaimable kernel memory, which the model
  has none of), ``CommitLimit`` (``totalram * overcommit_ratio / 100`` plus
  swap: the ratio is 50, there is no swap and no hugetlb pool),
  ``LowTotal``/``LowFree`` (all memory is low on x86-64), and
  ``MemAvailable`` (``si_mem_available``: free pages less the reserve, plus
  the page cache and the reclaimable slab each less what the low watermarks
  keep back; the reserve is the zones' low watermarks in 3.14
  (34e431b0ae39) and ``totalreserve_pages`` from 4.6 [S: 84ad5802a33a]).
  ``Hugepagesize`` is x86-64's 2048 kB.
* Constant 0, because the model has no page cache, buffer cache, swap, LRU
  lists, user processes, page tables for them, NFS, bounce buffers, percpu
  chunks or huge pages: ``Buffers``, ``Cached``, ``SwapCached``, ``Active``,
  ``Inactive`` and the four split LRU lines, ``Unevictable``, ``Mlocked``,
  ``SwapTotal``, ``SwapFree``, ``Dirty``, ``Writeback``, ``AnonPages``,
  ``Mapped``, ``Shmem``, ``KernelStack``, ``PageTables``, ``SecPageTables``,
  ``NFS_Unstable``, ``Bounce``, ``WritebackTmp``, ``Committed_AS``,
  ``Percpu``, ``Balloon``, the ``HugePages_*`` counts, ``Hugetlb``,
  ``Inact_*`` (2.4) and ``HighTotal``/``HighFree`` (x86-64 has no
  highmem); ``DirectMap4k``/``DirectMap2M`` (the model does not keep the
  direct map's page tables) and, without the subsystem that knows them,
  ``Slab*`` and ``Vmalloc*``.

Layouts [V unless marked]
-------------------------
1.0 to 1.2 (``fs/proc/array.c`` ``get_meminfo``; 1.0 from kalamangga-net,
1.2 from a copy with the 1.1/1.2 page-table code)
    A table only, in bytes: ``"        total:   used:    free:   shared:
    buffers:"``, ``"Mem:  %8lu %8lu %8lu %8lu %8lu"``, ``"Swap: %8lu %8lu
    %8lu"``.
2.0 and 2.2 (``fs/proc/array.c``; 2.2 from linas/i370-linux-2.2.1, 2.0 from
copies with the same function [V-code])
    The table gains ``cached:`` (``"        total:    used:    free:  shared:
    buffers:  cached:"``) and is followed by the "tagged format":
    ``MemTotal:``, ``MemFree:``, ``MemShared:``, ``Buffers:``, ``Cached:``,
    ``SwapTotal:``, ``SwapFree:``, each ``%-11s%8lu kB``.
2.4 (``fs/proc/proc_misc.c``; the 2.4.0-test4 patch that gave 2.4.0 its
field list, and 2.4.6 and 2.4.9-ac diffs against it)
    The same table, then fields padded to 14: ``MemTotal``, ``MemFree``,
    ``MemShared``, ``Buffers``, ``Cached``, ``Active``, ``Inact_dirty``,
    ``Inact_clean``, ``Inact_target``, ``HighTotal``, ``HighFree``,
    ``LowTotal``, ``LowFree``, ``SwapTotal``, ``SwapFree``.  (``SwapCached``
    came in 2.4.6; every 2.4.x runs the 2.4.0 model.)  The table's byte
    values are ``unsigned long`` shifts, as 2.4.0's ``B()`` was.
2.6.0 on (``proc_misc.c``, from 2.6.27 ``fs/proc/meminfo.c``)
    Only the tagged lines, label and colon padded to 14 characters before
    4f98a2fee8ac (2.6.28, the split LRU lists), to 16 after, then ``%8lu
    kB``; ``HardwareCorrupted`` and the hugetlb lines have their own widths.
    Read: the 2.6.8.1 list (a 2004 patch's context), a 2.6.19/2.6.2x
    ``meminfo_read_proc``, the 2.6.28 split-LRU patch, a 3.x
    ``meminfo.c`` (torvalds/linux at 00619bcc44d6, before MemAvailable) and
    a 6.19-era ``meminfo.c`` (linux-mm/linux-mm at 337b2c1ea3b5).

Which release added each 2.6+ field (:data:`FIELDS_26`): the ones read in
a tree or a patch are [V]; the release of the others is [S] (see
docs/sources.md).  The model's configuration is x86-64 defconfig-like:
``HIGHMEM``, ``QUICKLIST``, ``MEMORY_FAILURE``, ``TRANSPARENT_HUGEPAGE``,
``CMA``, ``ZSWAP``, ``UNACCEPTED_MEMORY`` and ``SHADOW_CALL_STACK`` off,
``HUGETLB_PAGE`` and ``MMU`` on, no 1 GB direct-map pages; so the lines
those options print are not printed.

Before 1.0: /proc came in the 0.97/0.98 series (the earliest stored
``fs/proc/array.c`` with ``get_meminfo`` prints the table with ``%8d``);
the earliest modelled release with /proc/meminfo is v1.0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from linuxmm import hookimpl
from linuxmm.machine import PAGE_SHIFT
from linuxmm.records import Commit, ProcFile

_U32 = 0xFFFFFFFF
#: x86-64's HPAGE_SIZE, in kB.
HUGEPAGESIZE_KB = 2048
#: sysctl_overcommit_ratio's default.
OVERCOMMIT_RATIO = 50


def _k(pages: int) -> int:
    return pages << (PAGE_SHIFT - 10)


# ---------------------------------------------------------------------------
# What the model knows, gathered once per render
# ---------------------------------------------------------------------------
def totalram_pages(pa: Any) -> int:
    """``totalram`` in pages: the frames the allocator manages and never reserved."""
    reserved = getattr(pa, "nr_reserved_boot", None)
    if reserved is None:
        reserved = pa.reserved_pages()
    return pa.nr_pages - reserved


def freeram_pages(pa: Any) -> int:
    """Free pages as ``si_meminfo`` counts them (per-CPU list pages are not free to it)."""
    free = pa.nr_free_pages()
    pcp = getattr(pa, "pcp_pages", None)
    return free - pcp() if pcp is not None else free


def sharedram_pages(pa: Any) -> int:
    """1.0-2.2 ``si_meminfo``: the sum of ``count - 1`` over non-reserved pages in use."""
    mem_map = getattr(pa, "mem_map", None)
    if mem_map is not None:  # 1.0: unsigned short counts with MAP_PAGE_RESERVED (bit 15)
        return sum(c - 1 for c in mem_map if c and not c & 0x8000)
    from linuxmm.machine.frames import PG_reserved

    flags, counts = pa.frames.flags, pa.frames.count
    return sum(counts[i] - 1 for i in range(pa.nr_pages) if counts[i] and not flags[i] & PG_reserved)


def subsystem_fields(kernel: Any) -> dict[str, int]:
    """Every field (in kB) the booted subsystems report through ``meminfo()``."""
    out: dict[str, int] = {}
    for obj in kernel.subsystems.values():
        meminfo = getattr(obj, "meminfo", None)
        if meminfo is not None:
            out.update(meminfo())
    return out


# ---------------------------------------------------------------------------
# 1.0 .. 2.4: the table, then the tagged lines
# ---------------------------------------------------------------------------
def _table(kernel: Any, cached: bool, shared: bool) -> tuple[str, dict[str, int]]:
    pa = kernel.page_alloc
    total = totalram_pages(pa)
    free = freeram_pages(pa)
    shared_pages = sharedram_pages(pa) if shared else 0
    b = lambda pages: (pages << PAGE_SHIFT) & _U32  # noqa: E731  (unsigned long, 32-bit)
    vals = {"total": b(total), "free": b(free), "shared": b(shared_pages), "buffers": 0, "cached": 0}
    used = (vals["total"] - vals["free"]) & _U32
    if cached:
        head = "        total:    used:    free:  shared: buffers:  cached:\n"
        mem = (f"Mem:  {vals['total']:8d} {used:8d} {vals['free']:8d} {vals['shared']:8d} "
               f"{vals['buffers']:8d} {vals['cached']:8d}\n")
    else:
        head = "        total:   used:    free:   shared:  buffers:\n"
        mem = (f"Mem:  {vals['total']:8d} {used:8d} {vals['free']:8d} {vals['shared']:8d} "
               f"{vals['buffers']:8d}\n")
    swap = f"Swap: {0:8d} {0:8d} {0:8d}\n"
    pages = {"total": total, "free": free, "shared": shared_pages}
    return head + mem + swap, pages


def render_meminfo_10(kernel: Any) -> str:
    """1.0-1.2: the table alone, in bytes."""
    return _table(kernel, cached=False, shared=True)[0]


def render_meminfo_20(kernel: Any) -> str:
    """2.0 and 2.2: the table with ``cached:``, then seven tagged lines."""
    text, p = _table(kernel, cached=True, shared=True)
    rows = (("MemTotal:", _k(p["total"])), ("MemFree:", _k(p["free"])), ("MemShared:", _k(p["shared"])),
            ("Buffers:", 0), ("Cached:", 0), ("SwapTotal:", 0), ("SwapFree:", 0))
    return text + "".join(f"{label:<11}{value:8d} kB\n" for label, value in rows)


def render_meminfo_24(kernel: Any) -> str:
    """2.4.0: the table, then fifteen tagged lines padded to 14."""
    text, p = _table(kernel, cached=True, shared=False)
    pa = kernel.page_alloc
    high = getattr(pa, "zone_high", None)
    totalhigh = _boot_freed_high(pa) if high is not None else 0
    freehigh = high.free_pages if high is not None else 0
    rows = (("MemTotal:", _k(p["total"])), ("MemFree:", _k(p["free"])), ("MemShared:", 0),
            ("Buffers:", 0), ("Cached:", 0), ("Active:", 0), ("Inact_dirty:", 0), ("Inact_clean:", 0),
            ("Inact_target:", 0), ("HighTotal:", _k(totalhigh)), ("HighFree:", _k(freehigh)),
            ("LowTotal:", _k(p["total"] - totalhigh)), ("LowFree:", _k(p["free"] - freehigh)),
            ("SwapTotal:", 0), ("SwapFree:", 0))
    return text + "".join(f"{label:<14}{value:8d} kB\n" for label, value in rows)


def _boot_freed_high(pa: Any) -> int:
    """2.4's ``totalhigh_pages``: every HighMem frame (mem_init frees them all)."""
    return pa.nr_pages - getattr(pa, "max_low_pfn", pa.nr_pages)


# ---------------------------------------------------------------------------
# 2.6 on: tagged lines only, with the fields each release added
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Field:
    """One /proc/meminfo line of 2.6+: its name, the releases that bound it, how it prints.

    ``introduced``/``removed`` are history references (a modelled sha or a
    release tag); ``fmt`` is ``None`` for the ordinary padded ``%8lu kB``
    line, else a format of the value; ``mark`` says whether its boundary was
    read in a tree or a patch ("V") or recalled ("S").
    """

    name: str
    introduced: str = "v2.6.0"
    removed: str | None = None
    fmt: Callable[[str, int, bool], str] | None = None
    mark: str = "V"
    note: str = ""


def _huge(width_new: int, width_old: int, kb: bool = False):
    def fmt(name: str, value: int, new: bool) -> str:
        label = name + ":"
        if new:  # 2.6.27's multi-hstate report aligns every value to column 24
            return f"{label:<{width_new}}{value:5d}\n" if not kb else f"{label:<{width_new}}{value:8d} kB\n"
        return f"{label:<{width_old}}{value:5d}\n" if not kb else f"{label:<{width_old}}{value:5d} kB\n"
    return fmt


#: Fields of 2.6.0 to 2.6.17, in their order (CommitLimit before Committed_AS, PageTables after).
ORDER_OLD = ("MemTotal", "MemFree", "Buffers", "Cached", "SwapCached", "Active", "Inactive", "HighTotal",
             "HighFree", "LowTotal", "LowFree", "SwapTotal", "SwapFree", "Dirty", "Writeback", "Mapped", "Slab",
             "CommitLimit", "Committed_AS", "PageTables", "VmallocTotal", "VmallocUsed", "VmallocChunk")

#: Every 2.6+ field the model prints at some release, in the order of the newest tree read.
FIELDS_26: tuple[Field, ...] = (
    Field("MemTotal"),
    Field("MemFree"),
    Field("MemAvailable", introduced="34e431b0ae39"),
    Field("Buffers"),
    Field("Cached"),
    Field("SwapCached"),
    Field("Active"),
    Field("Inactive"),
    Field("Active(anon)", introduced="v2.6.28", mark="S", note="4f98a2fee8ac"),
    Field("Inactive(anon)", introduced="v2.6.28", mark="S", note="4f98a2fee8ac"),
    Field("Active(file)", introduced="v2.6.28", mark="S", note="4f98a2fee8ac"),
    Field("Inactive(file)", introduced="v2.6.28", mark="S", note="4f98a2fee8ac"),
    Field("Unevictable", introduced="v2.6.28", mark="S",
          note="CONFIG_UNEVICTABLE_LRU (default y) in 2.6.28-2.6.29, unconditional after"),
    Field("Mlocked", introduced="v2.6.28", mark="S"),
    # printed unconditionally until Christoph Lameter's "Make display of highmem counters
    # conditional on CONFIG_HIGHMEM" (2006, merged for 2.6.19 [S]); x86-64 has no HIGHMEM
    Field("HighTotal", removed="v2.6.19", mark="S"),
    Field("HighFree", removed="v2.6.19", mark="S"),
    Field("LowTotal", removed="v2.6.19", mark="S"),
    Field("LowFree", removed="v2.6.19", mark="S"),
    Field("SwapTotal"),
    Field("SwapFree"),
    Field("Dirty"),
    Field("Writeback"),
    Field("AnonPages", introduced="v2.6.18", mark="S", note="zoned VM counters (Christoph Lameter)"),
    Field("Mapped"),
    Field("Shmem", introduced="v2.6.32", mark="S", note="4b02108ac1b3"),
    Field("KReclaimable", introduced="v4.20", mark="S", note="61f94e18de94"),
    Field("Slab"),
    Field("SReclaimable", introduced="v2.6.19", mark="S", note="ZVC NR_SLAB_RECLAIMABLE/UNRECLAIMABLE"),
    Field("SUnreclaim", introduced="v2.6.19", mark="S"),
    Field("KernelStack", introduced="v2.6.32", mark="S", note="c6a7f5728a1d"),
    Field("PageTables"),
    Field("SecPageTables", introduced="v6.1", mark="S", note="ebc97a52b5d6"),
    Field("NFS_Unstable", introduced="v2.6.18", mark="S"),
    Field("Bounce", introduced="v2.6.18", mark="S"),
    Field("WritebackTmp", introduced="v2.6.26", mark="S", note="fc3ba692a4d1"),
    Field("CommitLimit", introduced="v2.6.9", mark="S",
          note="posted against 2.6.8.1 in August 2004; in 2.6.9 kernels"),
    Field("Committed_AS"),
    Field("VmallocTotal"),
    Field("VmallocUsed"),
    Field("VmallocChunk"),
    Field("Percpu", introduced="v4.16", mark="S", note="7e8a6304d541"),
    Field("Balloon", introduced="v6.15", mark="S"),
)
_BY_NAME = {f.name: f for f in FIELDS_26}

#: hugetlb_report_meminfo (CONFIG_HUGETLB_PAGE): name, introduced, kB line?
HUGETLB_26 = (
    Field("HugePages_Total"),
    Field("HugePages_Free"),
    Field("HugePages_Rsvd", introduced="v2.6.17", mark="S", note="a43a8c39bbb4"),
    Field("HugePages_Surp", introduced="v2.6.24", mark="S", note="7893d1d505d5"),
    Field("Hugepagesize"),
    Field("Hugetlb", introduced="v4.16", mark="S", note="fcb2b0c577f1"),
)
#: x86's arch_report_meminfo (no 1 GB pages in the model's direct map).
ARCH_26 = (
    Field("DirectMap4k", introduced="v2.6.26", mark="S", note="ce0c0e50f94e"),
    Field("DirectMap2M", introduced="v2.6.26", mark="S"),
)


def _present(kernel: Any, f: Field) -> bool:
    return kernel.has(f.introduced) and not (f.removed and kernel.has(f.removed))


def mem_available(kernel: Any, free: int, sreclaimable_kb: int) -> int:
    """``si_mem_available`` in pages, for a kernel with no page cache."""
    pa = kernel.page_alloc
    zones = getattr(pa, "zones", ())
    wmark_low = sum(z.watermark[1] for z in zones if getattr(z, "watermark", None))
    if kernel.has("v4.6"):  # [S] 84ad5802a33a: the reserve is totalreserve_pages
        reserve = getattr(pa, "totalreserve_pages", wmark_low)
    else:  # 34e431b0ae39: the low watermarks
        reserve = wmark_low
    available = free - reserve
    pagecache = 0
    available += pagecache - min(pagecache // 2, wmark_low)
    reclaimable = sreclaimable_kb >> (PAGE_SHIFT - 10)
    available += reclaimable - min(reclaimable // 2, wmark_low)
    return max(available, 0)


def meminfo_values_26(kernel: Any) -> dict[str, int]:
    """The value (kB, or a count for ``HugePages_*``) of every field the model can give."""
    pa = kernel.page_alloc
    total = totalram_pages(pa)
    free = freeram_pages(pa)
    given = subsystem_fields(kernel)
    v: dict[str, int] = {name: 0 for name in _BY_NAME}
    v.update({f.name: 0 for f in HUGETLB_26 + ARCH_26})
    v["MemTotal"] = _k(total)
    v["MemFree"] = _k(free)
    v["LowTotal"] = _k(total)
    v["LowFree"] = _k(free)
    v["CommitLimit"] = _k(total * OVERCOMMIT_RATIO // 100)
    v["Hugepagesize"] = HUGEPAGESIZE_KB
    v.update(given)
    if "Slab" not in given:
        v["Slab"] = v["SReclaimable"] + v["SUnreclaim"]
    if "KReclaimable" not in given:
        v["KReclaimable"] = v["SReclaimable"]
    if "MemAvailable" not in given:
        v["MemAvailable"] = _k(mem_available(kernel, free, v["KReclaimable"]))
    return v


def render_meminfo_26(kernel: Any) -> str:
    """2.6.0 and later: the era's fields in the era's order and padding."""
    new = kernel.has("v2.6.28")  # 4f98a2fee8ac [S sha]: labels padded to 16
    width = 16 if new else 14
    v = meminfo_values_26(kernel)
    if kernel.has("v2.6.18"):
        names = [f.name for f in FIELDS_26 if _present(kernel, f)]
    else:
        names = [n for n in ORDER_OLD if _present(kernel, _BY_NAME[n])]
    out = [f"{name + ':':<{width}}{v[name]:8d} kB\n" for name in names]
    # hugetlb_report_meminfo: 2.6.27 (multiple huge page sizes) realigned it [S]
    huge_new = kernel.has("v2.6.27")
    for f in HUGETLB_26:
        if not _present(kernel, f):
            continue
        if f.name == "Hugepagesize":
            out.append(f"{'Hugepagesize:':<16}{v[f.name]:8d} kB\n" if huge_new
                       else f"{'Hugepagesize:':<17}{v[f.name]:5d} kB\n")
        elif f.name == "Hugetlb":
            out.append(f"{'Hugetlb:':<16}{v[f.name]:8d} kB\n")
        else:
            out.append(f"{f.name + ':':<19}{v[f.name]:5d}\n" if huge_new else f"{f.name + ':':<17}{v[f.name]:5d}\n")
    for f in ARCH_26:  # padded like the era's other lines [S for 2.6.26-2.6.27]
        if _present(kernel, f):
            out.append(f"{f.name + ':':<{width}}{v[f.name]:8d} kB\n")
    return "".join(out)


def render_meminfo(kernel: Any) -> str:
    """/proc/meminfo as the booted era printed it."""
    if kernel.has("v2.6.0"):
        return render_meminfo_26(kernel)
    if kernel.has("v2.4.0"):
        return render_meminfo_24(kernel)
    if kernel.has("v2.0"):
        return render_meminfo_20(kernel)
    return render_meminfo_10(kernel)


@hookimpl
def linuxmm_proc_files():
    return [
        ProcFile("meminfo", render=render_meminfo, introduced="v1.0",
                 help="Memory totals: the table of 1.0-2.4, the tagged lines of 2.0 on (fs/proc). Older than "
                      "1.0: /proc came in the 0.97/0.98 series; 1.0 is the first modelled release with it."),
    ]


@hookimpl
def linuxmm_commits():
    return [
        Commit(sha="34e431b0ae39", subject="/proc/meminfo: provide estimated available memory",
               author="Rik van Riel", date="2014-01-21", tag="v3.14-rc1", mark="V",
               source="git show output quoted in a blog (full sha, author, date 2014-01-21) and 'As described on "
                      "the original commit, 34e431b0ae39 ...' in a 2021 linux-mm mail; tag v3.14 from kernelnewbies"),
    ]
