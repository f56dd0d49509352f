"""The bitmap buddy allocators: buddy-bitmap-1.1 (1.1.89-2.0), buddy-bitmap-2.2, buddy-zoned-2.4.

Addresses below follow from the modelled layout of each era (see the module
docstring of ``linuxmm_plugins.mm_buddy_bitmap``): at 1.1.89 with 16 MB the
free ranges are pfns [1, 0x9F) and [0x152, 0x1000), so after boot the
order-0 list is (158, 1), order 1 is (338, 156, 2), order 5 holds 120
blocks with 4064 at the head.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import linuxmm
from linuxmm import GFP_ATOMIC, GFP_DMA, GFP_HIGHUSER, GFP_KERNEL, GFP_USER, LinuxmmError
from linuxmm_plugins.mm_buddy_bitmap import FreeArea, free_pages_ok


def gfp_pages(k, gfp, order):
    return getattr(k, "__get_free_pages")(gfp, order)


def areas(pa):
    return pa.zones if hasattr(pa, "zones") else [pa.area]


def check_invariants(pa):
    """Lists, counts and pair bits agree; free + allocated + reserved == all frames."""
    total = 0
    for a in areas(pa):
        free = 0
        sets = [set(lst) for lst in a.lists]
        for k, lst in enumerate(a.lists):
            assert len(sets[k]) == len(lst)
            for pfn in lst:
                assert (pfn - a.base) % (1 << k) == 0 and a.base <= pfn < a.base + a.size
                free += 1 << k
        assert free == a.free_pages
        for k in range(a.nr_orders - 1):
            lonely = [p for p in sets[k] if ((p - a.base) ^ (1 << k)) + a.base not in sets[k]]
            assert sum(a.maps[k]) == len(lonely)
            for p in lonely:
                assert a.maps[k][(p - a.base) >> (k + 1)] == 1
        total += free
    assert pa.nr_free_pages() == total
    assert total + pa.allocated_pages() + pa.reserved_pages() == pa.nr_pages


def snapshot(pa):
    return [[list(lst) for lst in a.lists] for a in areas(pa)], [[bytes(m) if m is not None else None
                                                                  for m in a.maps] for a in areas(pa)]


# --------------------------------------------------------------------------- registry
@pytest.mark.parametrize("version,name", [("1.1.89", "buddy-bitmap-1.1"), ("1.2", "buddy-bitmap-1.1"),
                                          ("2.0", "buddy-bitmap-1.1"), ("2.2", "buddy-bitmap-2.2"),
                                          ("2.4", "buddy-zoned-2.4")])
def test_era_choice(version, name):
    k = linuxmm.boot(version)
    assert k.implementations["page_alloc"].name == name
    check_invariants(k.page_alloc)


def test_get_free_page_is_get_zeroed_page_in_240():
    # 2.4.0 mm.h: "#define get_free_page get_zeroed_page" (the old name goes in 2.5)
    k = linuxmm.boot("2.4")
    zeroed = k.counters["bytes_zeroed"]
    assert k.get_free_page(GFP_KERNEL) == 0xC1183000
    assert k.counters["bytes_zeroed"] == zeroed + 4096
    # Normal's order-1 list is empty: the order-2 block 4484 is split, 4484-5 and 4486 go back,
    # the top page 4487 is handed out
    assert k.get_zeroed_page(GFP_KERNEL) == 0xC1187000
    assert [len(lst) for lst in k.page_alloc.zone_normal.lists[:3]] == [1, 1, 0]


# --------------------------------------------------------------------------- 1.1.89
def test_first_allocations_1189():
    k = linuxmm.boot("1.1.89")
    assert k.page_alloc.max_order == 5
    assert [hex(gfp_pages(k, GFP_KERNEL, o)) for o in (0, 1, 5)] == ["0x9e000", "0x152000", "0xfe0000"]
    # order 0 again: pfn 1; then the order-1 list is split, and EXPAND hands out the upper half.
    assert [gfp_pages(k, GFP_KERNEL, 0) >> 12 for _ in range(8)] == [1, 157, 156, 3, 2, 343, 342, 341]
    assert k.page_alloc.zone_info()[0].nr_free == [1, 0, 2, 3, 2, 119]
    check_invariants(k.page_alloc)


def test_boot_1189_show_mem_and_dmesg():
    k = linuxmm.boot("1.1.89")
    assert k.page_alloc.show_mem() == ("Free pages:       15664kB\n"
                                       " ( 2*4kB 3*8kB 3*16kB 3*32kB 2*64kB 120*128kB = 15664kB)\n")
    assert k.dmesg[0] == "Memory: 15664k/16384k available (200k kernel code, 384k reserved, 136k data)"
    assert k.page_alloc.reserved_pages() == 180


def test_pair_bits_1189():
    k = linuxmm.boot("1.1.89")
    a = k.page_alloc.area
    m0, m1 = a.maps[0], a.maps[1]
    assert m0[0] == 1                      # pfn 0 reserved, pfn 1 free
    assert m1[338 >> 2] == 1               # 336-337 reserved, 338-339 free as a pair
    assert gfp_pages(k, GFP_KERNEL, 1) == 338 << 12
    assert m1[338 >> 2] == 0
    assert gfp_pages(k, GFP_KERNEL, 0) == 158 << 12
    assert gfp_pages(k, GFP_KERNEL, 0) == 1 << 12
    assert m0[0] == 0                      # both of the pair 0/1 in use
    k.free_page(1 << 12)
    assert m0[0] == 1
    assert 1 in a.lists[0]


def test_buddies_merge_1189():
    k = linuxmm.boot("1.1.89")
    pa = k.page_alloc
    for _ in range(3):  # 158, 1, then the order-1 head 338 is split: 338 to order 0, 339 handed out
        last = gfp_pages(k, GFP_KERNEL, 0)
    assert last == 339 << 12
    assert gfp_pages(k, GFP_KERNEL, 0) == 338 << 12
    before = pa.zone_info()[0].nr_free
    k.free_page(339 << 12)
    assert pa.area.maps[0][338 >> 1] == 1
    mid = pa.zone_info()[0].nr_free
    assert mid[0] == before[0] + 1
    k.free_page(338 << 12)
    after = pa.zone_info()[0].nr_free
    assert after[0] == before[0] and after[1] == before[1] + 1
    assert pa.area.lists[1].head == 338 and pa.area.maps[0][338 >> 1] == 0
    check_invariants(pa)


def test_order_limits():
    k = linuxmm.boot("1.1.89")
    assert gfp_pages(k, GFP_KERNEL, 6) == 0
    assert gfp_pages(k, GFP_KERNEL, 5) != 0
    k = linuxmm.boot("2.2")
    # 2.2.1: NR_MEM_LISTS is 6, so order 6 is refused as 1.x/2.0 refuse it (ten lists came in 2.3)
    assert gfp_pages(k, GFP_KERNEL, 6) == 0
    assert len(k.page_alloc.area.lists) == 6 and k.page_alloc.max_order == 5
    assert gfp_pages(k, GFP_KERNEL, 5) == 0xC3FE0000  # first order-5 block: the highest
    k = linuxmm.boot("2.4")
    n = len(k.dmesg)
    assert k.alloc_pages(GFP_KERNEL, 10) == 0  # alloc_pages() in mm.h: order >= MAX_ORDER is NULL, silently
    assert getattr(k, "__get_free_pages")(GFP_KERNEL, 10) == 0
    assert len(k.dmesg) == n


def test_double_free_message_1189_and_12():
    for version in ("1.1.89", "1.2"):
        k = linuxmm.boot(version)
        addr = gfp_pages(k, GFP_KERNEL, 0)
        k.free_page(addr)
        before = snapshot(k.page_alloc)
        n = len(k.dmesg)
        k.free_page(addr)
        assert k.dmesg[n:] == ["Trying to free free memory (0009e000): memory probably corrupted"]
        assert snapshot(k.page_alloc) == before
        check_invariants(k.page_alloc)


@pytest.mark.parametrize("version", ["2.0", "2.2", "2.4"])
def test_double_free_silent_later(version):
    k = linuxmm.boot(version)
    addr = gfp_pages(k, GFP_KERNEL, 2)
    k.free_pages(addr, 2)
    before, n = snapshot(k.page_alloc), len(k.dmesg)
    k.free_pages(addr, 2)
    k.free_pages(addr, 2)
    assert len(k.dmesg) == n
    assert snapshot(k.page_alloc) == before
    check_invariants(k.page_alloc)


def test_wrong_order_refused_without_damage():
    k = linuxmm.boot("2.2")
    addr = gfp_pages(k, GFP_KERNEL, 3)
    before = snapshot(k.page_alloc)
    with pytest.raises(LinuxmmError, match="allocated with order 3"):
        k.free_pages(addr, 2)
    assert snapshot(k.page_alloc) == before
    k.free_pages(addr, 3)
    check_invariants(k.page_alloc)


def test_bitmaps_long_aligned_12_and_20():
    # 1.2 and 2.0 free_area_init round each bitmap up to an unsigned long; 1.2 leaves
    # mem_map's end unaligned, 2.0 LONG_ALIGNs it.  4097 pages: 513+257+129+65+33+17 bytes
    # of bitmaps become 516+260+132+68+36+20.
    k = linuxmm.boot("1.2", mem="16388K")
    assert k.page_alloc.start_mem == 0x148000 + 4 * 4096 + 4097 * 4 + 4097 * 2 + 1032 == 0x15240E
    k = linuxmm.boot("2.0", mem="16388K")
    assert k.page_alloc.start_mem == 0x170000 + 4097 * 4 + 4097 * 40 + 1032 == 0x19C434


def test_reserve_12_and_atomic():
    k = linuxmm.boot("1.2")
    pa = k.page_alloc
    assert pa.min_free_pages == 64  # max(16, 16 MB >> (PAGE_SHIFT+6))
    while gfp_pages(k, GFP_KERNEL, 0):
        pass
    assert pa.nr_free_pages() == 64
    while gfp_pages(k, GFP_ATOMIC, 0):
        pass
    assert pa.nr_free_pages() == 0
    check_invariants(pa)


def test_dma_below_16m():
    # 1.2: __get_dma_pages retries until the block is below 16 MB and frees the rest.
    k = linuxmm.boot("1.2", mem="32M")
    assert gfp_pages(k, GFP_KERNEL, 5) >= 16 << 20
    free = k.page_alloc.nr_free_pages()
    addr = getattr(k, "__get_dma_pages")(GFP_KERNEL, 5)
    assert 0 < addr < 16 << 20
    assert k.page_alloc.nr_free_pages() == free - 32
    check_invariants(k.page_alloc)
    # 2.0 and 2.2: RMQUEUE walks for PG_DMA blocks.
    for version, off, top in (("2.0", 0, 5), ("2.2", 0xC0000000, 5)):
        k = linuxmm.boot(version, mem="64M")
        assert gfp_pages(k, GFP_KERNEL, top) - off >= 16 << 20  # the top list's head is the highest block
        for order in (0, 4, 5):
            addr = gfp_pages(k, GFP_KERNEL | GFP_DMA, order)
            assert addr and addr - off < 16 << 20
        assert getattr(k, "__get_dma_pages")(GFP_KERNEL, 3) - off < 16 << 20
        check_invariants(k.page_alloc)
    k = linuxmm.boot("2.4")
    addr = k.alloc_pages(GFP_DMA, 0)
    assert addr - 0xC0000000 < 16 << 20
    assert k.alloc_pages(GFP_KERNEL, 0) - 0xC0000000 >= 16 << 20


# --------------------------------------------------------------------------- 2.2
def test_22_watermarks_and_show_mem():
    k = linuxmm.boot("2.2")
    pa = k.page_alloc
    assert (pa.freepages_min, pa.freepages_low, pa.freepages_high) == (128, 256, 384)
    lines = pa.show_mem().splitlines()
    assert lines[0] == "Free pages:       63668kB"
    assert lines[1] == " ( Free: 15917 (128 256 384)"
    # six lists (2.2.1's NR_MEM_LISTS): the report stops at 128kB blocks
    assert lines[2] == "3*4kB 3*8kB 3*16kB 3*32kB 2*64kB 495*128kB = 63668kB)"


def test_22_low_on_memory_hysteresis():
    k = linuxmm.boot("2.2", mem="16M")
    pa = k.page_alloc
    assert (pa.freepages_min, pa.freepages_high) == (32, 96)
    held = []
    while (addr := gfp_pages(k, GFP_USER, 0)):
        held.append(addr)
    assert pa.nr_free_pages() == 32
    assert gfp_pages(k, GFP_KERNEL, 0)  # __GFP_MED may dip below min
    assert gfp_pages(k, GFP_ATOMIC, 0)
    while pa.nr_free_pages() < 95:
        k.free_page(held.pop())
    assert gfp_pages(k, GFP_USER, 0) == 0  # still low_on_memory
    k.free_page(held.pop())
    assert pa.nr_free_pages() == 96
    assert gfp_pages(k, GFP_USER, 0) != 0
    check_invariants(pa)


# --------------------------------------------------------------------------- 2.4
def test_24_zones_128m():
    k = linuxmm.boot("2.4")
    pa = k.page_alloc
    assert [(z.name, z.start_pfn, z.present_pages) for z in pa.zone_info()] == [
        ("DMA", 0, 4096), ("Normal", 4096, 28672), ("HighMem", 32768, 0)]
    # 2.4.0 zone_balance_ratio 32 (DMA) / 128, clamped to [10, 255]; freepages is their sum
    assert [(z.pages_min, z.pages_low, z.pages_high) for z in pa.zones] == [(128, 256, 384), (224, 448, 672),
                                                                            (0, 0, 0)]
    assert (pa.freepages_min, pa.freepages_low, pa.freepages_high) == (352, 704, 1056)
    assert "zone(1): 28672 pages." in k.dmesg
    assert pa.show_mem() == (
        "Free pages:      127788kB (     0kB HighMem)\n"
        "( Active: 0, inactive_dirty: 0, inactive_clean: 0, free: 31947 (352 704 1056) )\n"
        "2*4kB 2*8kB 2*16kB 2*32kB 3*64kB 2*128kB 1*256kB 1*512kB 1*1024kB 6*2048kB = 14648kB)\n"
        "1*4kB 0*8kB 1*16kB 1*32kB 1*64kB 1*128kB 1*256kB 0*512kB 0*1024kB 55*2048kB = 113140kB)\n"
        "= 0kB)\n")


def test_24_top_order_map_flipped_by_rmqueue():
    # 2.4.0 keeps a map for order MAX_ORDER-1 and RMQUEUE flips it; freeing never reads it
    k = linuxmm.boot("2.4")
    z = k.page_alloc.zone_normal
    top = z.lists[9].head
    assert z.maps[9][(top - z.base) >> 10] == 0
    assert k.alloc_pages(GFP_KERNEL, 9) == 0xC0000000 + (top << 12)
    assert z.maps[9][(top - z.base) >> 10] == 1
    k.free_pages(0xC0000000 + (top << 12), 9)
    assert z.maps[9][(top - z.base) >> 10] == 1 and z.lists[9].head == top


def test_24_zones_1g_and_highmem():
    k = linuxmm.boot("2.4", mem="1G")
    pa = k.page_alloc
    assert [z.present_pages for z in pa.zone_info()] == [4096, 225280, 32768]
    assert [(z.pages_min, z.pages_low, z.pages_high) for z in pa.zones] == [(128, 256, 384), (255, 510, 765),
                                                                            (255, 510, 765)]
    assert "128MB HIGHMEM available." in k.dmesg
    assert not any("LOWMEM" in line for line in k.dmesg)  # 2.4.0's setup.c prints no LOWMEM line
    assert k.alloc_pages(GFP_HIGHUSER, 0) == 0xC0000000 + (262143 << 12)
    assert k.alloc_pages(GFP_KERNEL, 0) - 0xC0000000 < 896 << 20
    allocated = pa.allocated_pages()
    assert gfp_pages(k, GFP_HIGHUSER, 0) == 0  # page_address() of a HighMem page is NULL...
    assert pa.allocated_pages() == allocated + 1  # ...and the page is lost
    check_invariants(pa)


def test_24_dma_zone_only_and_fallback():
    k = linuxmm.boot("2.4", mem="32M")
    pa = k.page_alloc
    dma, n = pa.zone_dma, pa.zone_normal
    assert (dma.pages_min, n.pages_min) == (128, 32)
    while k.alloc_pages(GFP_DMA | GFP_ATOMIC, 0):
        pass
    # no __GFP_WAIT: the final pass serves while free >= pages_min/4, then the failure line
    assert dma.free_pages == 128 // 4 - 1
    assert k.dmesg[-1] == "__alloc_pages: 0-order allocation failed."
    lines = len(k.dmesg)
    while k.alloc_pages(GFP_KERNEL, 0):
        pass
    # order 0 with __GFP_WAIT: down to Normal's pages_min (free > min), then 2.4.0 would loop
    # back to try_again; the model returns NULL there without a line.  DMA (31 < its min) is
    # never used as fallback.
    assert (n.free_pages, dma.free_pages, len(k.dmesg)) == (32, 31, lines)
    # GFP_ATOMIC falls through to the final pass: Normal down to 32/4 - 1, DMA skipped (31 < 32)
    while getattr(k, "__get_free_pages")(GFP_ATOMIC, 0):
        pass
    assert (n.free_pages, dma.free_pages) == (7, 31)
    assert k.dmesg[lines:] == ["__alloc_pages: 0-order allocation failed."]
    # order > 0 with __GFP_WAIT does reach the final pass and fails with the line
    assert k.alloc_pages(GFP_KERNEL, 3) == 0
    assert k.dmesg[-1] == "__alloc_pages: 3-order allocation failed."
    check_invariants(pa)


def test_24_free_pages_valid_page_and_null():
    # free_pages(): VALID_PAGE or nothing; no NULL test, and __pa(0) wraps to physical 1 GB
    k = linuxmm.boot("2.4", mem="1G")
    pa = k.page_alloc
    before, n = snapshot(pa), len(k.dmesg)
    k.free_pages(0, 0)                            # pfn 0x40000 == max_mapnr: not VALID_PAGE
    k.free_pages(0xC0000000 + (1 << 30), 0)       # beyond memory: silent too
    assert snapshot(pa) == before and len(k.dmesg) == n
    with pytest.raises(LinuxmmError, match="no struct page"):
        getattr(k, "__free_pages")(0xC0000000 + (1 << 30), 0)
    k = linuxmm.boot("2.4", mem="2G")
    pa = k.page_alloc
    blocks = [k.alloc_pages(GFP_HIGHUSER, 9) for _ in range(512)]  # HighMem order-9 blocks, highest first
    assert blocks[-1] == 0xC0000000 + (0x40000 << 12)
    allocated = pa.allocated_pages()
    k.free_pages(0, 9)                            # NULL names pfn 0x40000: that block goes back
    assert pa.allocated_pages() == allocated - 512
    assert pa.zone_high.lists[9].head == 0x40000
    check_invariants(pa)


# --------------------------------------------------------------------------- mechanism
@pytest.mark.parametrize("nr_orders,top_map,base,ranges", [
    (6, True, 0, [(1, 159), (338, 4096)]),
    (10, False, 4096, [(4483, 8000), (8001, 12288)]),
])
def test_bulk_boot_equals_page_by_page(nr_orders, top_map, base, ranges):
    size = ranges[-1][1] - base
    bulk, slow = (FreeArea("x", base, size, nr_orders, top_map) for _ in range(2))
    for lo, hi in ranges:
        bulk.bulk_free_range(lo, hi)
        for pfn in range(lo, hi):
            free_pages_ok(slow, pfn, 0)
    assert [list(lst) for lst in bulk.lists] == [list(lst) for lst in slow.lists]
    assert bulk.maps == slow.maps and bulk.free_pages == slow.free_pages


ERAS = {"1.1.89": ("16M", 5), "2.0": ("32M", 5), "2.2": ("16M", 9), "2.4": ("40M", 9)}
GFPS = [GFP_KERNEL, GFP_ATOMIC, GFP_USER, GFP_KERNEL | GFP_DMA, GFP_HIGHUSER]

ops = st.lists(st.tuples(st.sampled_from(["alloc", "alloc", "free", "double", "bad"]),
                         st.integers(0, 11), st.integers(0, len(GFPS) - 1)), max_size=60)


@pytest.mark.parametrize("version", list(ERAS))
@settings(max_examples=40, deadline=None)
@given(seq=ops)
def test_conservation(version, seq):
    mem, top = ERAS[version]
    k = linuxmm.boot(version, mem=mem)
    pa = k.page_alloc
    held = []
    for op, n, g in seq:
        if op == "alloc":
            order = n % (top + 2)
            addr = pa.alloc_block(order, GFPS[g])
            if order > top:
                assert addr == 0
            if addr:
                held.append((addr, order))
        elif op == "free" and held:
            addr, order = held.pop(n % len(held))
            pa.free_block(addr, order)
        elif op == "double" and held:
            addr, order = held.pop(n % len(held))
            pa.free_block(addr, order)
            pa.free_block(addr, order)  # a free of a free block: message or nothing, never damage
        elif op == "bad" and held:
            addr, order = held[n % len(held)]
            with pytest.raises(LinuxmmError):
                pa.free_block(addr, order + 1)
        assert pa.allocated_pages() == sum(1 << o for _, o in held)
    check_invariants(pa)
    for addr, order in held:
        pa.free_block(addr, order)
    assert pa.allocated_pages() == 0
    check_invariants(pa)


def test_24_get_zeroed_page_of_a_highmem_page_oopses():
    # 2.4.0: get_zeroed_page clears page_address(page), which is NULL for an unmapped HighMem page
    k = linuxmm.boot("2.4", mem="1G")
    pa = k.page_alloc
    used = pa.allocated_pages()
    with pytest.raises(linuxmm.KernelOops) as exc:
        k.get_zeroed_page(GFP_HIGHUSER)
    assert k.dmesg[-3:] == ["Unable to handle kernel NULL pointer dereference at virtual address 00000000",
                            "*pde = 00000000", "Oops: 0002"]
    assert str(exc.value).startswith("Oops: 0002")
    assert pa.allocated_pages() == used + 1  # the task died holding the page
    # lowmem requests are cleared as before
    assert k.get_zeroed_page(GFP_KERNEL) != 0
