"""Kernel page tables and TLBs: translation, stale entries, flushes and their cost."""

import pytest

import linuxmm
from linuxmm import GFP_KERNEL
from linuxmm.machine.pagetable import KernelPageTable, fault_message_for

BASE = 0xFFFFEC0000000000  # a range no era's vmalloc uses (x86-64 vmalloc ends at 0xffffe8ffffffffff)


def table(k, **kw):
    return KernelPageTable(k, BASE, BASE + (1 << 30), fault_message=fault_message_for(k, "x86_64"), **kw)


def pfn_of(k, addr):
    return (addr - k.page_alloc.page_offset) >> 12


def test_reads_and_writes_land_in_the_scattered_pages():
    k = linuxmm.boot("2.6.20", cpus=2)
    pages = [k.alloc_pages(GFP_KERNEL, 0) for _ in range(3)]
    pt = table(k)
    pfns = [pfn_of(k, a) for a in pages[::-1]]  # mapped in reverse: virtually contiguous, physically not
    pt.map_pages(BASE, pfns)
    k.memory.write(BASE + 4090, b"0123456789ab")  # crosses from the first page into the second
    assert k.phys.read((pfns[0] << 12) + 4090, 6) == b"012345"
    assert k.phys.read(pfns[1] << 12, 6) == b"6789ab"
    assert k.memory.read(pages[1], 6) == b"6789ab"  # the same bytes through the direct map
    assert k.memory.read(BASE + 4090, 12) == b"0123456789ab"
    assert k.counters["tlb_fills"] == 2  # one walk per page touched; the second access hits the TLB
    assert k.cpus[0].tlb == {BASE >> 12: pfns[0], (BASE >> 12) + 1: pfns[1]} and not k.cpus[1].tlb
    assert pt.tables == {BASE >> 21: 3} and pt.lookup(BASE + 8192) == pfns[2]


def test_unmapped_address_is_the_eras_oops():
    k = linuxmm.boot("2.6.20")
    table(k)
    with pytest.raises(linuxmm.PageFault) as exc:
        k.memory.read(BASE + 0x5000, 1)
    assert str(exc.value) == "Unable to handle kernel paging request at ffffec0000005000 RIP: "
    assert k.dmesg[-1] == str(exc.value)
    k = linuxmm.boot("6.12")
    table(k)
    with pytest.raises(linuxmm.PageFault, match=r"^BUG: unable to handle page fault for address: ffffec0000005000$"):
        k.memory.write(BASE + 0x5000, b"x")
    assert fault_message_for(linuxmm.boot("4.4"), "x86_64")(BASE) == \
        "BUG: unable to handle kernel paging request at ffffec0000000000"
    assert fault_message_for(linuxmm.boot("2.2"), "i386")(0xC5001000) == \
        "Unable to handle kernel paging request at virtual address c5001000"


def test_a_stale_tlb_entry_survives_until_a_flush_reaches_its_cpu():
    k = linuxmm.boot("2.6.28", cpus=4)
    page = k.alloc_pages(GFP_KERNEL, 0)
    pt = table(k)
    pt.map_pages(BASE, [pfn_of(k, page)])
    k.memory.write(BASE, b"old")
    with k.on_cpu(2):
        assert k.memory.read(BASE, 3) == b"old"
    assert pt.clear_range(BASE, BASE + 4096) == [BASE >> 21]  # the page-table page is empty now
    # CPUs 0 and 2 cached the translation: they still reach the page; CPU 1 walks and faults
    k.memory.write(page, b"new")
    assert k.memory.read(BASE, 3) == b"new"
    with k.on_cpu(2):
        assert k.memory.read(BASE, 3) == b"new"
    with k.on_cpu(1), pytest.raises(linuxmm.PageFault):
        k.memory.read(BASE, 1)
    k.flush_tlb_kernel_range(BASE, BASE + 4096)
    assert k.counters["tlb_flushes"] == 1 and k.counters["ipis"] == 3
    with pytest.raises(linuxmm.PageFault):
        k.memory.read(BASE, 1)


def test_ranged_flush_keeps_other_entries_and_counts_the_same():
    k = linuxmm.boot("2.6.28", cpus=2)
    pages = [k.alloc_pages(GFP_KERNEL, 0) for _ in range(2)]
    pt = table(k)
    pt.map_pages(BASE, [pfn_of(k, a) for a in pages])
    k.memory.read(BASE, 8192)
    k.tlb_flush_ceiling = 33
    k.flush_tlb_kernel_range(BASE, BASE + 4096)
    assert k.cpus[0].tlb == {(BASE >> 12) + 1: pfn_of(k, pages[1])}
    k.tlb_flush_ceiling = 0
    k.flush_tlb_kernel_range(BASE + 4096, BASE + 8192)
    assert k.cpus[0].tlb == {}
    k.local_flush_tlb_all()
    assert (k.counters["tlb_flushes"], k.counters["ipis"]) == (3, 2)


def test_a_huge_leaf_needs_one_tlb_entry():
    k = linuxmm.boot("5.13", mem="64M")
    block = k.alloc_pages(GFP_KERNEL, 9)
    pt = table(k)
    pt.map_huge(BASE, pfn_of(k, block))
    for off in range(0, 1 << 21, 4096):
        k.memory.read(BASE + off, 1)
    assert k.counters["tlb_fills"] == 1 and k.cpus[0].tlb_huge == {BASE >> 21: pfn_of(k, block)}
    assert pt.leaves(BASE, BASE + (1 << 21)) == (0, 1)
    k.memory.write(BASE + 0x1234, b"huge")
    assert k.memory.read(block + 0x1234, 4) == b"huge"
    assert pt.lookup(BASE + 0x3000) == pfn_of(k, block) + 3
    pt.clear_range(BASE, BASE + (1 << 21))
    assert pt.lookup(BASE) is None and len(pt) == 0
