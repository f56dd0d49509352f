"""Linux 0.11's page allocator (mm/memory.c, mem_init from init/main.c)."""

import pytest

from memmap_model import replay
from hypothesis import given, settings
from hypothesis import strategies as st

import linuxmm
from linuxmm.errors import KernelPanic, LinuxmmError, NotInThisKernel

MB = 1 << 20


def boot(**kw):
    return linuxmm.boot("0.11", **kw)


def test_default_machine_is_16m():
    k = boot()
    pa = k.page_alloc
    assert type(pa).__name__ == "MemoryC011"
    assert pa.mem_map.typecode == "B" and len(pa.mem_map) == 3840 == pa.PAGING_PAGES
    assert (pa.LOW_MEM, pa.USED, pa.page_offset) == (0x100000, 100, 0)
    assert (pa.memory_end, pa.buffer_memory_end, pa.main_memory_start, pa.HIGH_MEMORY) == \
        (16 * MB, 4 * MB, 4 * MB, 16 * MB)
    # mem_init: 1M-4M (buffer cache) stays USED, 4M-16M is free
    assert pa.mem_map[0] == 100 and pa.mem_map[767] == 100 and pa.mem_map[768] == 0
    assert (pa.nr_free_pages(), pa.allocated_pages(), pa.reserved_pages()) == (3072, 0, 1024)
    assert pa.show_mem() == "3072 pages free (of 3840)\n"
    assert k.get_free_page() == 0xFFF000
    assert k.get_free_page() == 0xFFE000


@pytest.mark.parametrize("mem, memory_end, buffer_end, free, first", [
    ("2M", 2 * MB, 1 * MB, 256, 0x1FF000),
    ("6M", 6 * MB, 1 * MB, 1280, 0x5FF000),        # not above 6M: 1M of buffers
    ("6148K", 6 * MB + 4096, 2 * MB, 1025, 0x600000),
    ("8M", 8 * MB, 2 * MB, 1536, 0x7FF000),
    ("12M", 12 * MB, 2 * MB, 2560, 0xBFF000),
    ("13M", 13 * MB, 4 * MB, 2304, 0xCFF000),
    ("16M", 16 * MB, 4 * MB, 3072, 0xFFF000),
    ("64M", 16 * MB, 4 * MB, 3072, 0xFFF000),      # main.c caps memory_end at 16M
])
def test_main_c_memory_layout(mem, memory_end, buffer_end, free, first):
    k = boot(mem=mem)
    pa = k.page_alloc
    assert (pa.memory_end, pa.buffer_memory_end, pa.HIGH_MEMORY) == (memory_end, buffer_end, memory_end)
    assert pa.nr_free_pages() == free
    assert pa.nr_free_pages() + pa.allocated_pages() + pa.reserved_pages() == k.phys.nr_pages
    assert k.get_free_page() == first
    assert pa.show_mem() == f"{free - 1} pages free (of 3840)\n"


def test_less_than_2m_is_refused():
    with pytest.raises(LinuxmmError) as exc:
        boot(mem="1536K")
    assert str(exc.value).startswith("mem=1536K: the model boots 0.11 with 2M to 16M")


def test_exhaustion_after_exactly_3072_pages():
    k = boot()
    got = [k.get_free_page() for _ in range(3072)]
    assert got[0] == 0xFFF000 and got[-1] == 0x400000
    assert len(set(got)) == 3072
    assert k.get_free_page() == 0
    assert k.counters["bytes_zeroed"] == 3072 * 4096
    pa = k.page_alloc
    assert (pa.nr_free_pages(), pa.allocated_pages()) == (0, 3072)


def test_free_at_high_memory_is_nonexistent_in_011():
    # 0.11 tests addr >= HIGH_MEMORY (0.01 tested >)
    k = boot(mem="8M")
    with pytest.raises(KernelPanic):
        k.free_page(0x800000)
    assert k.dmesg == ["Kernel panic: trying to free nonexistent page"]
    with pytest.raises(KernelPanic):
        k.get_free_page()


def test_double_free_panics():
    k = boot()
    a = k.get_free_page()
    k.free_page(a)
    assert k.page_alloc.nr_free_pages() == 3072
    with pytest.raises(KernelPanic):
        k.free_page(a)
    assert k.dmesg == ["Kernel panic: trying to free free page"]


def test_freeing_buffer_memory_just_decrements_used():
    k = boot()
    pa = k.page_alloc
    k.free_page(0x100000)
    k.free_page(0x3FF000)
    assert pa.page_count(0x100000) == 99 and pa.page_count(0x3FF000) == 99
    assert k.dmesg == [] and pa.nr_free_pages() == 3072
    k.free_page(0xFFFFF)  # below LOW_MEM: ignored
    assert k.dmesg == []


def test_buffer_page_freed_100_times_is_handed_out():
    # USED is only a count: 100 stray frees make a buffer page free, and the scan covers it
    k = boot(mem="8M")
    pa = k.page_alloc
    for _ in range(100):
        k.free_page(0x1FF000)
    assert pa.page_count(0x1FF000) == 0 and pa.nr_free_pages() == 1537
    got = [k.get_free_page() for _ in range(1537)]
    assert got[-2:] == [0x200000, 0x1FF000]
    assert pa.page_count(0x1FF000) == 1 and k.get_free_page() == 0
    assert pa.nr_free_pages() + pa.allocated_pages() + pa.reserved_pages() == k.phys.nr_pages


def test_page_keeps_bytes_after_free_and_is_cleared_on_reuse():
    k = boot()
    a = k.get_free_page()
    k.memory.write(a, b"\xaa" * 4096)
    k.free_page(a)
    assert k.memory.read(a, 4096) == b"\xaa" * 4096
    assert k.get_free_page() == a
    assert k.memory.read(a, 4096) == bytes(4096)


def test_unsigned_char_count_wraps_to_free():
    # mem_map entries are unsigned char: the 256th reference makes the count 0 again
    k = boot()
    pa = k.page_alloc
    a = k.get_free_page()
    for _ in range(254):
        pa.get_page(a)
    assert pa.page_count(a) == 255
    assert pa.get_page(a) == 0
    assert k.get_free_page() == a  # handed out again while 256 users hold it


def test_shared_page_is_only_decremented():
    k = boot()
    pa = k.page_alloc
    a = k.get_free_page()
    pa.get_page(a)
    k.free_page(a)
    assert pa.page_count(a) == 1 and pa.allocated_pages() == 1
    k.free_page(a)
    assert pa.allocated_pages() == 0 and pa.nr_free_pages() == 3072


def test_orders_above_zero_are_not_in_this_kernel():
    pa = boot().page_alloc
    with pytest.raises(NotInThisKernel) as exc:
        pa.alloc_block(2, linuxmm.GFP_KERNEL)
    assert str(exc.value) == ("order-2 allocation is not in v0.11: this kernel allocates single pages only; "
                              "multi-page allocation arrived with the buddy allocator in v1.1.89")


def test_zone_info():
    (zone,) = boot(mem="8M").page_alloc.zone_info()
    assert (zone.start_pfn, zone.end_pfn, zone.present_pages, zone.free_pages) == (0x200, 0x800, 1536, 1536)


def test_api_of_the_era():
    k = boot()
    with pytest.raises(NotInThisKernel) as exc:
        getattr(k, "__get_free_page")(linuxmm.GFP_KERNEL)
    assert str(exc.value) == "__get_free_page() is not in v0.11: it appeared with swap.c-1.0 in v1.0"


ops = st.lists(st.tuples(st.sampled_from(["get", "get", "free", "share"]), st.integers(0, 10**6)), max_size=100)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["2M", "8M", "16M", "20M"]), ops)
def test_conservation_and_reference_model(mem, seq):
    k = boot(mem=mem)
    replay(k, seq, k.page_alloc.main_memory_start, k.page_alloc.HIGH_MEMORY)
