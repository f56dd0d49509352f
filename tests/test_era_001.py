"""Linux 0.01's page allocator (mm/memory.c): facts from the 0.01 source."""

import pytest

from memmap_model import replay
from hypothesis import given, settings
from hypothesis import strategies as st

import linuxmm
from linuxmm.errors import KernelPanic, LinuxmmError, NotInThisKernel

HIGH_MEMORY = 0x800000
LOW_MEM = 0x200000
PAGING_PAGES = 1536


def boot(**kw):
    return linuxmm.boot("0.01", **kw)


def test_boot_layout_linus_hd():
    k = boot()
    pa = k.page_alloc
    assert type(pa).__name__ == "MemoryC001" and pa.config_hd == "LINUS_HD"
    assert (pa.HIGH_MEMORY, pa.BUFFER_END, pa.LOW_MEM, pa.PAGING_PAGES) == (0x800000, 0x200000, 0x200000, 1536)
    assert pa.mem_map.typecode == "H" and pa.page_offset == 0
    # all 1536 pages above LOW_MEM are free at boot; the 512 frames below are kernel and buffers
    assert (pa.nr_free_pages(), pa.allocated_pages(), pa.reserved_pages()) == (1536, 0, 512)
    assert pa.show_mem() == "1536 pages free (of 1536)\n"
    assert k.dmesg == []


def test_boot_layout_lasu_hd():
    pa = boot(mem="4M").page_alloc
    assert pa.config_hd == "LASU_HD"
    assert (pa.HIGH_MEMORY, pa.BUFFER_END, pa.LOW_MEM, pa.PAGING_PAGES) == (0x400000, 0xA0000, 0x100000, 768)
    assert pa.show_mem() == "768 pages free (of 768)\n"
    k = pa.kernel
    assert k.get_free_page() == 0x3FF000
    assert pa.nr_free_pages() == 767 and pa.reserved_pages() == 256


@pytest.mark.parametrize("mem", ["16M", "6M", "2M"])
def test_other_memory_sizes_are_refused(mem):
    with pytest.raises(LinuxmmError) as exc:
        boot(mem=mem)
    assert "HIGH_MEMORY is fixed when the kernel is compiled: 8M (LINUS_HD, the default) or 4M (LASU_HD)" in str(exc.value)


def test_highest_free_page_first():
    k = boot()
    assert k.get_free_page() == 0x7FF000
    assert k.page_alloc.page_count(0x7FF000) == 1 and k.page_alloc.mem_map[PAGING_PAGES - 1] == 1
    assert k.get_free_page() == 0x7FE000
    assert k.get_free_page() == 0x7FD000
    k.free_page(0x7FE000)
    # the scan starts from the top every time: the hole is found again first
    assert k.get_free_page() == 0x7FE000
    assert k.get_free_page() == 0x7FC000
    assert k.page_alloc.nr_free_pages() == 1532 and k.page_alloc.allocated_pages() == 4


def test_scan_matches_whole_16_bit_entries_only():
    # scasw compares aligned words: a zero high byte next to a zero low byte is not a free entry
    k = boot()
    pa = k.page_alloc
    for i in range(PAGING_PAGES):
        pa.mem_map[i] = 1
    pa.mem_map[6] = 0x100  # bytes 00 01
    pa.mem_map[5] = 0x001  # bytes 01 00: "00 00" straddles entries 5 and 6
    assert pa.nr_free_pages() == 0
    assert k.get_free_page() == 0
    pa.mem_map[2] = 0
    assert k.get_free_page() == LOW_MEM + 2 * 4096
    assert pa.mem_map[2] == 1 and pa.mem_map[5] == 1 and pa.mem_map[6] == 0x100


def test_scan_cost_grows_with_allocated_pages_above():
    k = boot()
    k.get_free_page()
    assert k.counters["mem_map_scanned"] == 1
    for _ in range(9):
        k.get_free_page()
    before = k.counters["mem_map_scanned"]
    assert before == sum(range(1, 11))
    k.get_free_page()  # examines the 10 used entries above, then finds the 11th
    assert k.counters["mem_map_scanned"] - before == 11


def test_freed_page_keeps_its_bytes_and_is_cleared_when_handed_out_again():
    k = boot()
    a = k.get_free_page()
    assert k.counters["bytes_zeroed"] == 4096
    k.memory.write(a + 100, b"secret")
    k.free_page(a)
    assert k.memory.read(a + 100, 6) == b"secret"  # free_page does not touch the page
    assert k.get_free_page() == a
    assert k.memory.read(a + 100, 6) == bytes(6)
    assert k.counters["bytes_zeroed"] == 8192


def test_exhaustion_after_exactly_1536_pages():
    k = boot()
    got = [k.get_free_page() for _ in range(PAGING_PAGES)]
    assert got == [HIGH_MEMORY - 4096 * (i + 1) for i in range(PAGING_PAGES)]
    assert got[-1] == LOW_MEM
    assert k.get_free_page() == 0
    assert k.get_free_page() == 0
    pa = k.page_alloc
    assert (pa.nr_free_pages(), pa.allocated_pages(), pa.reserved_pages()) == (0, 1536, 512)
    assert pa.show_mem() == "0 pages free (of 1536)\n"
    k.free_page(0x456000)
    assert k.get_free_page() == 0x456000


def test_free_below_low_mem_is_silent():
    k = boot()
    for addr in (0, 0x1000, 0x1FF000, LOW_MEM - 1):
        k.free_page(addr)
    assert k.dmesg == [] and k.panicked is None
    assert k.page_alloc.nr_free_pages() == 1536


def test_free_nonexistent_page_panics_and_kernel_refuses_calls():
    k = boot()
    k.get_free_page()
    with pytest.raises(KernelPanic):
        k.free_page(HIGH_MEMORY + 4096)
    assert k.dmesg == ["Kernel panic: trying to free nonexistent page"]
    with pytest.raises(KernelPanic) as exc:
        k.get_free_page()
    assert "boot a new one" in str(exc.value)
    with pytest.raises(KernelPanic):
        k.free_page(0x7FF000)


def test_one_past_the_end_hits_the_sentinel_not_the_range_check():
    # 0.01 tests addr > HIGH_MEMORY, so HIGH_MEMORY itself indexes mem_map[PAGING_PAGES]
    k = boot()
    pa = k.page_alloc
    assert len(pa.mem_map) == PAGING_PAGES + 1 and pa.mem_map[PAGING_PAGES] == 0
    with pytest.raises(KernelPanic):
        k.free_page(HIGH_MEMORY)
    assert k.dmesg == ["Kernel panic: trying to free free page"]
    assert pa.mem_map[PAGING_PAGES] == 0


def test_negative_address_is_a_huge_unsigned_one():
    k = boot()
    with pytest.raises(KernelPanic):
        k.free_page(-4096)
    assert k.dmesg == ["Kernel panic: trying to free nonexistent page"]


def test_double_free_panics():
    k = boot()
    a = k.get_free_page()
    k.free_page(a)
    with pytest.raises(KernelPanic):
        k.free_page(a)
    assert k.dmesg[-1] == "Kernel panic: trying to free free page"
    assert k.page_alloc.page_count(a) == 0  # reset to 0 before the panic, as the kernel does
    with pytest.raises(KernelPanic):
        k.get_free_page()


def test_free_of_a_never_allocated_page_panics():
    k = boot()
    with pytest.raises(KernelPanic):
        k.free_page(0x300000)
    assert k.dmesg == ["Kernel panic: trying to free free page"]


def test_shared_page_is_only_decremented():
    k = boot()
    pa = k.page_alloc
    a = k.get_free_page()
    assert pa.get_page(a) == 2  # as copy_page_tables shares it copy-on-write
    k.free_page(a)
    assert pa.page_count(a) == 1 and pa.nr_free_pages() == 1535
    assert k.get_free_page() == a - 4096  # still in use: not handed out again
    k.free_page(a)
    assert pa.page_count(a) == 0
    assert k.get_free_page() == a
    with pytest.raises(LinuxmmError):
        pa.get_page(0x100000)  # below LOW_MEM: not counted by mem_map


def test_orders_above_zero_are_not_in_this_kernel():
    k = boot()
    pa = k.page_alloc
    with pytest.raises(NotInThisKernel) as exc:
        pa.alloc_block(1, linuxmm.GFP_KERNEL)
    assert str(exc.value) == ("order-1 allocation is not in v0.01: this kernel allocates single pages only; "
                              "multi-page allocation arrived with the buddy allocator in v1.1.89")
    with pytest.raises(NotInThisKernel):
        pa.free_block(0x7FF000, 3)
    a = pa.alloc_block(0, linuxmm.GFP_KERNEL)
    assert a == 0x7FF000
    pa.free_block(a, 0)
    assert pa.nr_free_pages() == 1536


def test_zone_info():
    k = boot()
    k.get_free_page()
    (zone,) = k.page_alloc.zone_info()
    assert (zone.start_pfn, zone.end_pfn, zone.present_pages, zone.free_pages, zone.nr_free) == \
        (0x200, 0x800, 1536, 1535, [1535])


def test_later_calls_name_their_era():
    k = boot()
    with pytest.raises(NotInThisKernel) as exc:
        getattr(k, "__get_free_page")(linuxmm.GFP_KERNEL)
    assert str(exc.value) == "__get_free_page() is not in v0.01: it appeared with swap.c-1.0 in v1.0"


def _providers(name):
    host = linuxmm.get_host()
    return [i for i in host.implementations.values()
            if any(entry.partition(":")[0] == name for entry in i.api)]


@pytest.mark.skipif(not _providers("alloc_pages"), reason="no era provides alloc_pages() yet")
def test_alloc_pages_is_not_in_001():
    k = boot()
    with pytest.raises(NotInThisKernel) as exc:
        k.alloc_pages(linuxmm.GFP_KERNEL, 0)
    assert str(exc.value).startswith("alloc_pages() is not in v0.01: it appeared with ")


# -- property: a reference model of 0.01 (highest free page first, counts) ---------------------

ops = st.lists(st.tuples(st.sampled_from(["get", "get", "get", "free", "share"]), st.integers(0, 10**6)),
               max_size=120)


@settings(max_examples=40, deadline=None)
@given(ops)
def test_conservation_and_reference_model(seq):
    replay(boot(), seq, LOW_MEM, HIGH_MEMORY)
