"""vmalloc of 1.0 to 2.4: vmlist first fit without (1.x) and with (2.2, 2.4) an end check."""

import pytest

import linuxmm
from linuxmm import KernelBug, LinuxmmError, NotInThisKernel

PAGE = 4096
MB = 1 << 20


def vm(k):
    return k.subsystems["vmalloc"]


def test_no_vmalloc_before_10():
    k = linuxmm.boot("0.11")
    assert k.implementations["vmalloc"].name == "none"
    with pytest.raises(NotInThisKernel, match=r"^vmalloc\(\) is not in v0\.11: it appeared in v1\.0 \(mm/vmalloc\.c "
                                              r"is first in the modelled 1\.0 tree\)$"):
        k.vmalloc(PAGE)
    with pytest.raises(NotInThisKernel, match=r"^vzalloc\(\) is not in v0\.01: it appeared in v2\.6\.37-rc1"):
        linuxmm.boot("0.01").vzalloc(PAGE)


@pytest.mark.parametrize("version", ["1.0", "1.2", "2.0"])
def test_1x_layout_and_first_fit(version):
    k = linuxmm.boot(version, mem="16M")
    v = vm(k)
    assert v.VMALLOC_START == 24 * MB  # (high_memory + 8M) & ~(8M - 1), kernel addresses are physical
    a = k.vmalloc(1)
    b = k.vmalloc(3 * PAGE)
    k.vfree(a)
    c = k.vmalloc(2 * PAGE)  # 2 pages and a guard page do not fit a's 2-page hole
    assert (a, b, c) == (24 * MB, 24 * MB + 2 * PAGE, 24 * MB + 6 * PAGE)
    assert k.vmalloc(PAGE) == 24 * MB  # 1 page does: size + addr < tmp->addr
    k.memory.write(b + 5000, b"1994")
    assert k.memory.read(b + 5000, 4) == b"1994"


def test_10_flushes_per_page_table_and_only_on_freeing_one():
    k = linuxmm.boot("1.0", mem="16M")
    a = k.vmalloc(PAGE)
    assert k.counters["tlb_flushes"] == 1  # alloc_area_pages: invalidate() per page table filled
    b = k.vmalloc(PAGE)
    k.vfree(a)
    assert k.counters["tlb_flushes"] == 2  # b still uses the page table: no invalidate()
    with pytest.raises(linuxmm.PageFault, match=r"^Unable to handle kernel paging request at virtual address 01800000$"):
        k.memory.read(a, 1)  # not cached: the walk finds no entry
    k.vfree(b)
    assert k.counters["tlb_flushes"] == 3  # the last entry: the page table is freed, and flushed
    big = k.vmalloc(5 * MB)  # spans two 4M page tables
    assert k.counters["tlb_flushes"] == 5
    k.vfree(big)


def test_10_a_stale_translation_survives_vfree():
    k = linuxmm.boot("1.0", mem="16M")
    a = k.vmalloc(PAGE)
    k.vmalloc(PAGE)  # keeps the page table in use
    k.memory.write(a, b"old!")
    page = k.page_alloc.page_offset + (vm(k).vmlist[0].pages[0] << 12)
    k.vfree(a)
    k.memory.write(page, b"new!")
    assert k.memory.read(a, 4) == b"new!"  # 1.0 did not invalidate: the TLB still maps the freed page


def test_20_smp_flushes_every_cpu():
    k = linuxmm.boot("2.0", mem="16M", cpus=2)
    a = k.vmalloc(PAGE)
    k.vfree(a)
    assert (k.counters["tlb_flushes"], k.counters["ipis"]) == (2, 2)


@pytest.mark.parametrize("version", ["1.0", "2.2"])
def test_old_messages_and_silent_failures(version):
    k = linuxmm.boot(version, mem="16M")
    a = k.vmalloc(PAGE)
    before = k.page_alloc.nr_free_pages()
    k.vfree(a + 1)
    k.vfree(a + PAGE)
    assert k.dmesg[-2:] == [f"Trying to vfree() bad address ({a + 1:08x})",
                            f"Trying to vfree() nonexistent vm area ({a + PAGE:08x})"]
    assert k.page_alloc.nr_free_pages() == before
    n = len(k.dmesg)
    assert k.vmalloc(0) == 0 and k.vmalloc(17 * MB) == 0 and len(k.dmesg) == n


def test_1x_has_no_end_check():
    k = linuxmm.boot("1.2", mem="16M")
    vm(k).VMALLOC_END = 24 * MB + 4 * PAGE  # the model's limit (the 1 GB segment), brought close
    k.vmalloc(PAGE)
    with pytest.raises(LinuxmmError, match=r"would place an area at 0x1802000-0x1805000, past the 1 GB kernel "
                                           r"segment: it does not check this placement"):
        k.vmalloc(2 * PAGE)


def test_22_end_check_before_each_step():
    k = linuxmm.boot("2.2", mem="16M")
    v = vm(k)
    start = v.VMALLOC_START
    assert (start, v.VMALLOC_END) == (0xC1800000, 0xFFFFE000)  # UP: no fixmap pages
    assert vm(linuxmm.boot("2.2", mem="16M", cpus=2)).VMALLOC_END == 0xFFFFC000  # SMP: APIC and IO-APIC
    v.VMALLOC_END = start + 20 * PAGE
    for _ in range(3):
        k.vmalloc(4 * PAGE)  # areas of 5 pages at 0, 5, 10
    assert k.vmalloc(12 * PAGE) == 0  # before stepping past the third: 10 pages > 20 - 12
    assert k.counters["vmap_steps"] == 0 + 1 + 2 + 3
    assert k.vmalloc(4 * PAGE) == start + 15 * PAGE  # checks before the steps pass: [15, 20) fits
    with pytest.raises(LinuxmmError, match=r"past VMALLOC_END \(0xc1814000\)"):
        k.vmalloc(4 * PAGE)  # the step past the last area is never checked: [20, 25) would be mapped


def test_22_flushes_and_pages():
    k = linuxmm.boot("2.2", mem="32M", cpus=2)
    free = k.page_alloc.nr_free_pages()
    a = k.vmalloc(10 * PAGE)
    assert k.page_alloc.nr_free_pages() == free - 10
    k.vfree(a)
    assert k.page_alloc.nr_free_pages() == free
    assert (k.counters["tlb_flushes"], k.counters["ipis"]) == (2, 2)  # flush_tlb_all after map and unmap
    with pytest.raises(NotInThisKernel, match=r"vmalloc_32\(\) is not in v2\.2\.0: it appeared in v2\.4\.0"):
        k.vmalloc_32(PAGE)


def test_24_bug_on_zero_and_end_check_after_each_step():
    k = linuxmm.boot("2.4", mem="64M")
    v = vm(k)
    assert v.VMALLOC_START == 0xC4800000  # (high_memory + 2*8M - 1) & ~(8M - 1)
    with pytest.raises(KernelBug, match=r"^kernel BUG at vmalloc\.c!$"):
        k.vmalloc(0)
    k = linuxmm.boot("2.4", mem="64M")
    v = vm(k)
    v.VMALLOC_END = v.VMALLOC_START + 12 * PAGE
    assert k.vmalloc(4 * PAGE) == v.VMALLOC_START
    assert k.vmalloc_32(4 * PAGE) == v.VMALLOC_START + 5 * PAGE
    assert k.vmalloc(4 * PAGE) == 0  # stepping past the second: 10 pages > 12 - 5
    k.vfree(v.VMALLOC_START)
    assert k.__vmalloc(3 * PAGE, linuxmm.GFP_KERNEL) == v.VMALLOC_START


def test_pages_come_from_the_eras_allocator_and_return():
    for version in ("1.0", "1.2", "2.0", "2.2", "2.4", "2.6.27"):
        k = linuxmm.boot(version)
        pa = k.page_alloc
        free = pa.nr_free_pages()
        addrs = [k.vmalloc(n * PAGE) for n in (1, 3, 7)]
        assert pa.nr_free_pages() == free - 11 and vm(k).mapped_pages() == 11
        for a in addrs:
            k.vfree(a)
        assert pa.nr_free_pages() == free and vm(k).mapped_pages() == 0, version
