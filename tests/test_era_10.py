"""Linux 1.0's page allocator: mm/swap.c lists, mm/memory.c mem_init and show_mem."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import linuxmm
from linuxmm.errors import LinuxmmError, NotInThisKernel

from linuxmm_plugins.mm_swap_10 import (GFP_ATOMIC, GFP_BUFFER, GFP_KERNEL, GFP_USER, MAP_PAGE_RESERVED,
                                        MAX_SECONDARY_PAGES, gfp_to_priority)

BOOT_LINE = "Memory: 15488k/16384k available (364k kernel code, 384k reserved, 148k data)"
FREE_AT_BOOT = 3872


def boot(**kw):
    return linuxmm.boot("1.0", **kw)


def raw(k):
    """``__get_free_page`` (a name Python would mangle inside a class, hence getattr)."""
    return getattr(k, "__get_free_page")


def test_mem_init_layout_and_boot_line():
    k = boot()
    pa = k.page_alloc
    assert k.dmesg == [BOOT_LINE]
    assert pa.page_offset == 0 and pa.high_memory == 16 << 20 and len(pa.mem_map) == 4096
    assert pa.mem_map_addr == 0x17D000  # after &end, 3 page tables and the device tables [S sizes]
    reserved = {pfn for pfn in range(4096) if pa.mem_map[pfn] & MAP_PAGE_RESERVED}
    # page 0, the 640K-1M hole, and the kernel image plus mem_map (1M .. 0x17F000)
    assert reserved == {0} | set(range(0xA0, 0x100)) | set(range(0x100, 0x17F))
    assert (pa.nr_free_pages(), pa.allocated_pages(), pa.reserved_pages()) == (3872, 0, 224)
    assert pa.nr_secondary_pages == 0


def test_free_list_is_linked_through_the_pages():
    k = boot()
    pa = k.page_alloc
    chain = pa.free_list()
    assert len(chain) == FREE_AT_BOOT
    assert chain[:2] == [0xFFF000, 0xFFE000] and chain[-1] == 0x1000
    # the link in each free page names the next lower free page; the lowest holds 0
    assert k.memory.read(0xFFF000, 4) == (0xFFE000).to_bytes(4, "little")
    assert k.memory.read(0x17F000, 4) == (0x9F000).to_bytes(4, "little")  # high memory links down to low
    assert k.memory.read(0x1000, 4) == bytes(4)


def test_highest_page_first_and_links_left_by_raw_allocation():
    k = boot()
    a = raw(k)(linuxmm.GFP_KERNEL)
    assert a == 0xFFF000
    assert k.memory.read(a, 4) == (0xFFE000).to_bytes(4, "little")  # __get_free_page does not clear
    assert k.counters["bytes_zeroed"] == 0
    b = k.get_free_page(linuxmm.GFP_KERNEL)
    assert b == 0xFFE000 and k.memory.read(b, 4096) == bytes(4096)
    assert k.counters["bytes_zeroed"] == 4096
    assert k.page_alloc.nr_free_pages() == FREE_AT_BOOT - 2


def test_free_goes_to_the_secondary_list_first():
    k = boot()
    pa = k.page_alloc
    pages = [k.get_free_page(linuxmm.GFP_KERNEL) for _ in range(MAX_SECONDARY_PAGES + 2)]
    for p in pages[:3]:
        k.free_page(p)
    assert pa.nr_secondary_pages == 3 and pa.free_list("secondary") == [pages[2], pages[1], pages[0]]
    # the primary list is untouched, so the freed pages do not come back
    nxt = k.get_free_page(linuxmm.GFP_KERNEL)
    assert nxt == 0xFFF000 - 4096 * len(pages)
    for p in pages[3:]:
        k.free_page(p)
    assert pa.nr_secondary_pages == MAX_SECONDARY_PAGES
    # 20 on the secondary list: the 21st and 22nd frees go on free_page_list, LIFO
    assert pa.free_list()[:2] == [pages[-1], pages[-2]]
    assert k.get_free_page(linuxmm.GFP_KERNEL) == pages[-1]
    assert k.get_free_page(linuxmm.GFP_KERNEL) == pages[-2]
    assert k.get_free_page(linuxmm.GFP_KERNEL) == nxt - 4096


def test_freed_page_keeps_its_bytes_except_the_link():
    k = boot()
    a = k.get_free_page(linuxmm.GFP_KERNEL)
    k.memory.write(a, b"ABCDEFGH")
    k.free_page(a)  # the secondary list was empty: the link is 0
    assert k.memory.read(a, 8) == bytes(4) + b"EFGH"
    b = k.get_free_page(linuxmm.GFP_KERNEL)
    k.free_page(b)
    assert k.memory.read(b, 4) == a.to_bytes(4, "little")


def test_double_free_prints_and_carries_on():
    k = boot()
    a = k.get_free_page(linuxmm.GFP_KERNEL)
    k.free_page(a)
    k.free_page(a)
    assert k.dmesg[1:] == ["Trying to free free memory (00fff000): memory probabably corrupted"]
    assert k.panicked is None
    assert k.page_alloc.nr_secondary_pages == 1  # not queued twice
    assert k.get_free_page(linuxmm.GFP_KERNEL) == 0xFFE000


def test_reserved_and_nonexistent_pages_are_ignored():
    k = boot()
    pa = k.page_alloc
    for addr in (0, 0xA0000, 0x100000, 0x17E000, 16 << 20, 0xFFFFFFFF, -1):
        k.free_page(addr)
    assert k.dmesg == [BOOT_LINE]
    assert pa.page_count(0x100000) == MAP_PAGE_RESERVED and pa.nr_free_pages() == FREE_AT_BOOT


def test_gfp_buffer_gives_up_on_an_empty_list():
    k = boot()
    pa = k.page_alloc
    got = [raw(k)(linuxmm.GFP_BUFFER) for _ in range(FREE_AT_BOOT)]
    assert got[-1] == 0x1000 and 0 not in got
    assert raw(k)(linuxmm.GFP_BUFFER) == 0
    for p in got[:5]:
        k.free_page(p)
    assert pa.nr_free_pages() == 5 and pa.nr_secondary_pages == 5
    # free_page_list is empty: GFP_BUFFER may not touch the secondary list, the others may
    assert raw(k)(linuxmm.GFP_BUFFER) == 0
    assert raw(k)(linuxmm.GFP_ATOMIC) == got[4]
    assert raw(k)(linuxmm.GFP_KERNEL) == got[3]  # try_to_free_page frees nothing in the model
    assert raw(k)(linuxmm.GFP_USER) == got[2]
    assert pa.nr_free_pages() == 2


def test_gfp_mapping():
    assert gfp_to_priority(linuxmm.GFP_BUFFER) == GFP_BUFFER == 0
    assert gfp_to_priority(linuxmm.GFP_NOIO) == GFP_BUFFER
    assert gfp_to_priority(linuxmm.GFP_ATOMIC) == GFP_ATOMIC == 1
    assert gfp_to_priority(0) == GFP_ATOMIC
    assert gfp_to_priority(linuxmm.GFP_USER) == GFP_USER == 2
    assert gfp_to_priority(linuxmm.GFP_KERNEL) == GFP_KERNEL == 3
    assert gfp_to_priority(linuxmm.GFP_NOFS) == GFP_KERNEL


def test_exhaustion_and_show_mem():
    k = boot()
    pa = k.page_alloc
    pages = [k.get_free_page(linuxmm.GFP_KERNEL) for _ in range(FREE_AT_BOOT)]
    assert k.get_free_page(linuxmm.GFP_KERNEL) == 0 and len(set(pages)) == FREE_AT_BOOT
    pa.get_page(pages[0])
    pa.get_page(pages[0])
    pa.get_page(pages[1])
    for p in pages[10:40]:
        k.free_page(p)
    assert pa.show_mem() == (
        "Mem-info:\n"
        "Free pages:          40kB\n"
        "Secondary pages:     80kB\n"
        "Free swap:            0kB\n"
        "4096 pages of RAM\n"
        "30 free pages\n"
        "224 reserved pages\n"
        "3 pages shared\n")


def test_corrupt_link_drops_the_list():
    k = boot()
    pa = k.page_alloc
    k.memory.write(0xFFF000, b"\x01\x00\x00\x00")  # a stray write into a free page
    assert k.get_free_page(linuxmm.GFP_KERNEL) == 0xFFF000
    assert k.get_free_page(linuxmm.GFP_KERNEL) == 0
    assert k.dmesg[-1] == "Result = 0x00000001 - memory map destroyed"
    assert pa.nr_free_pages() == 0
    lost = FREE_AT_BOOT - 1
    assert pa.nr_free_pages() + pa.allocated_pages() + pa.reserved_pages() == k.phys.nr_pages - lost


def test_truncated_list_is_reported():
    k = boot()
    k.memory.write(0xFFE000, bytes(4))  # the link of the second page now ends the list
    assert k.get_free_page(linuxmm.GFP_KERNEL) == 0xFFF000
    assert k.get_free_page(linuxmm.GFP_KERNEL) == 0xFFE000
    assert k.get_free_page(linuxmm.GFP_KERNEL) == 0
    assert k.dmesg[-1] == "nr_free_pages is 3870, but free_page_list is empty"


def test_link_to_a_page_in_use_is_reported():
    k = boot()
    a = k.get_free_page(linuxmm.GFP_KERNEL)
    k.memory.write(0xFFE000, a.to_bytes(4, "little"))
    assert k.get_free_page(linuxmm.GFP_KERNEL) == 0xFFE000
    assert k.get_free_page(linuxmm.GFP_KERNEL) == 0
    assert k.dmesg[-1] == "Free page 00fff000 has mem_map = 1"


def test_shared_page_is_only_decremented():
    k = boot()
    pa = k.page_alloc
    a = k.get_free_page(linuxmm.GFP_KERNEL)
    assert pa.get_page(a) == 2
    k.free_page(a)
    assert pa.page_count(a) == 1 and pa.nr_secondary_pages == 0
    k.free_page(a)
    assert pa.page_count(a) == 0 and pa.nr_secondary_pages == 1
    with pytest.raises(LinuxmmError):
        pa.get_page(0x100000)  # reserved


def test_last_free_pages_ring():
    k = boot()
    pa = k.page_alloc
    got = [k.get_free_page(linuxmm.GFP_KERNEL) for _ in range(33)]
    assert pa.last_free_pages[1] == got[32] and pa.last_free_pages[2] == got[1]


@pytest.mark.parametrize("mem, cmdline, line", [
    # 1.0's mem= is a plain byte count (simple_strtoul, base 0)
    ("16M", "mem=8388608", "Memory: 7308k/8192k available (364k kernel code, 384k reserved, 136k data)"),
    ("16M", "mem=8M mem=8388608", "Memory: 7308k/8192k available (364k kernel code, 384k reserved, 136k data)"),
    # not page-masked before paging_init: 8M + 2K needs a third page table, one more data page
    ("16M", "mem=8390656", "Memory: 7304k/8192k available (364k kernel code, 384k reserved, 140k data)"),
    ("2M", None, "Memory: 1168k/2048k available (364k kernel code, 384k reserved, 132k data)"),
    # the BIOS count of extended memory is 16 bits of KB: without mem= 1.0 sees 1M + 65535K
    ("128M", None, "Memory: 65580k/66556k available (364k kernel code, 384k reserved, 228k data)"),
    ("128M", "mem=134217728", "Memory: 130008k/131072k available (364k kernel code, 384k reserved, 316k data)"),
])
def test_memory_sizes(mem, cmdline, line):
    k = boot(mem=mem, cmdline=cmdline)
    assert k.dmesg == [line]
    pa = k.page_alloc
    assert pa.nr_free_pages() + pa.allocated_pages() + pa.reserved_pages() == k.phys.nr_pages


@pytest.mark.parametrize("cmdline, message", [
    ("mem=8M", "mem=8M: 1.0 reads mem= as a plain number of bytes (simple_strtoul, no K/M suffix yet), "
               "so this is 8 bytes and 1.0 cannot boot; give mem=8388608"),
    ("mem=8388608 mem=640k", "mem=640k: 1.0 reads mem= as a plain number of bytes (simple_strtoul, no K/M "
                             "suffix yet), so this is 640 bytes and 1.0 cannot boot; give mem=655360"),
])
def test_mem_suffix_is_not_in_10(cmdline, message):
    with pytest.raises(LinuxmmError) as exc:
        boot(cmdline=cmdline)
    assert str(exc.value) == message


def test_mem_hex_is_read_by_simple_strtoul():
    k = boot(cmdline="mem=0x800000")
    assert k.page_alloc.high_memory == 0x800000
    assert k.dmesg[-1] == "Memory: 7308k/8192k available (364k kernel code, 384k reserved, 136k data)"


@pytest.mark.parametrize("mem, message", [
    ("1M", "mem=1024K: the model boots 1.0 with at least 2M"),
    ("2G", "mem=2048M: 1.0's kernel segment maps at most 1G of RAM"),
])
def test_bad_sizes(mem, message):
    with pytest.raises(LinuxmmError) as exc:
        boot(mem=mem)
    assert str(exc.value) == message


def test_orders_above_zero_are_not_in_this_kernel():
    k = boot()
    pa = k.page_alloc
    with pytest.raises(NotInThisKernel) as exc:
        pa.alloc_block(1, linuxmm.GFP_KERNEL)
    assert str(exc.value) == ("order-1 allocation is not in v1.0: this kernel allocates single pages only; "
                              "multi-page allocation arrived with the buddy allocator in v1.1.89")
    a = pa.alloc_block(0, linuxmm.GFP_KERNEL | linuxmm.__GFP_ZERO)
    assert a == 0xFFF000 and k.counters["bytes_zeroed"] == 4096
    b = pa.alloc_block(0, linuxmm.GFP_KERNEL)
    assert b == 0xFFE000 and k.counters["bytes_zeroed"] == 4096
    pa.free_block(a, 0)
    assert pa.nr_secondary_pages == 1
    (zone,) = pa.zone_info()
    assert (zone.present_pages, zone.free_pages) == (4096 - 224, FREE_AT_BOOT - 1)


def test_api_of_the_era():
    k = boot()
    assert getattr(k, "__get_free_page").__self__ is k.page_alloc
    for name in ("alloc_pages", "__get_free_pages", "free_pages"):
        if name in k.host.api_names:
            with pytest.raises(NotInThisKernel):
                getattr(k, name)(linuxmm.GFP_KERNEL, 0)


# -- property: a reference model of the two LIFO lists ----------------------------------------

ops = st.lists(st.tuples(st.sampled_from(["get", "raw", "buffer", "atomic", "free", "share"]),
                         st.integers(0, 10**6)), max_size=150)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["2M", "16M"]), ops)
def test_conservation_and_reference_model(mem, seq):
    k = boot(mem=mem)
    pa = k.page_alloc
    primary = list(reversed(pa.free_list()))  # stack: top is the last element
    secondary = []
    counts = {}
    gfp = {"get": linuxmm.GFP_KERNEL, "raw": linuxmm.GFP_KERNEL, "buffer": linuxmm.GFP_BUFFER,
           "atomic": linuxmm.GFP_ATOMIC}
    for op, pick in seq:
        if op in gfp:
            if primary:
                expect = primary.pop()
            elif op != "buffer" and secondary:
                expect = secondary.pop()
            else:
                expect = 0
            call = k.get_free_page if op == "get" else raw(k)
            assert call(gfp[op]) == expect
            if expect:
                counts[expect] = 1
        elif counts:
            addr = sorted(counts)[pick % len(counts)]
            if op == "share":
                counts[addr] += 1
                pa.get_page(addr)
            else:
                k.free_page(addr)
                counts[addr] -= 1
                if not counts[addr]:
                    del counts[addr]
                    (secondary if len(secondary) < MAX_SECONDARY_PAGES else primary).append(addr)
        assert pa.nr_free_pages() + pa.allocated_pages() + pa.reserved_pages() == k.phys.nr_pages
    assert pa.free_list() == primary[::-1] and pa.free_list("secondary") == secondary[::-1]
    assert pa.allocated_pages() == len(counts)
    assert k.dmesg[1:] == []


def test_more_ram_than_the_kernel_segment_is_refused_by_size():
    with pytest.raises(LinuxmmError) as exc:
        linuxmm.boot("1.0", mem="4G")
    assert str(exc.value) == "mem=4096M: 1.0's kernel segment maps at most 1G of RAM"
