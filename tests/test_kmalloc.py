"""mm/kmalloc.c of 1.0, 1.1.89-1.2 and 2.0: layouts in memory, classes, messages, accounting."""

import struct

import pytest
from hypothesis import given, settings, strategies as st

import linuxmm
from linuxmm import GFP_ATOMIC, GFP_BUFFER, GFP_DMA, GFP_KERNEL, NotInThisKernel, PageFault
from linuxmm.errors import ArgumentError

from linuxmm_plugins.mm_kmalloc import (BH_SIZE, MF_DMA, MF_FREE, MF_USED, PD_SIZE, SIZES_10, SIZES_11,
                                        counter_name)


def words(k, addr, n):
    return list(struct.unpack(f"<{n}I", k.memory.read(addr, 4 * n)))


def last(k):
    return k.dmesg[-1]


# ---------------------------------------------------------------------------------------------
# which implementation when
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("version,name", [("1.0", "kmalloc.c-1.0"), ("1.1.89", "kmalloc.c-1.1"),
                                          ("1.2", "kmalloc.c-1.1"), ("2.0", "kmalloc.c-2.0")])
def test_implementation_by_era(version, name):
    assert linuxmm.boot(version).implementations["slab"].name == name


@pytest.mark.parametrize("version", ["0.01", "0.11"])
def test_no_kmalloc_before_10(version):
    k = linuxmm.boot(version)
    for call, args in (("kmalloc", (32, GFP_KERNEL)), ("kfree", (0x1000,)), ("kfree_s", (0x1000, 4))):
        with pytest.raises(NotInThisKernel) as exc:
            getattr(k, call)(*args)
        assert str(exc.value) == (
            f"{call}() is not in v{version}: kmalloc() first appeared in 0.98.4 (November 1992; before it "
            "lib/malloc.c offered malloc() and free_s()); the earliest modelled release with kmalloc() is v1.0")


def test_kmalloc_c_ends_where_slab_begins():
    from linuxmm import get_host

    rec = get_host().implementations["kmalloc.c-2.0"]
    assert (rec.introduced, rec.removed) == ("v2.0", "v2.2.0")


# ---------------------------------------------------------------------------------------------
# 1.0
# ---------------------------------------------------------------------------------------------
def test_10_first_block_and_its_page():
    k = linuxmm.boot("1.0")
    p = k.kmalloc(20, GFP_KERNEL)
    # __get_free_page hands out the highest free page (0xfff000); the descriptor takes 16 bytes,
    # the first block's header 8 more
    assert p == 0xFFF000 + PD_SIZE + BH_SIZE == 0xFFF018
    assert words(k, 0xFFF000, 4) == [0, 0xFFF030, 0, 126]  # next, firstfree, order, nfree
    assert words(k, 0xFFF010, 2) == [MF_USED, 20]
    assert words(k, 0xFFF030, 2) == [MF_FREE, 0xFFF050]  # the rest still chained in address order
    assert words(k, 0xFFF000 + 16 + 126 * 32, 2) == [MF_FREE, 0]  # the last block ends the chain
    assert k.slab.freelist(0) == [0xFFF000]
    assert k.counters[counter_name(32, "nmallocs")] == 1
    assert k.counters[counter_name(32, "nbytesmalloced")] == 20
    assert k.counters[counter_name(32, "npages")] == 1


def test_10_kmalloc_zero_is_a_real_32_byte_block():
    k = linuxmm.boot("1.0")
    p = k.kmalloc(0, GFP_KERNEL)
    assert p == 0xFFF018 and k.slab.header(p) == (MF_USED, 0)


@pytest.mark.parametrize("order,size,nblocks", [(i, s, n) for i, (s, n) in enumerate(SIZES_10)])
def test_10_blocks_per_page(order, size, nblocks):
    k = linuxmm.boot("1.0")
    request = size - BH_SIZE
    ptrs = [k.kmalloc(request, GFP_KERNEL) for _ in range(nblocks)]
    pages = {p & ~0xFFF for p in ptrs}
    assert len(pages) == 1
    page = pages.pop()
    assert ptrs == [page + PD_SIZE + i * size + BH_SIZE for i in range(nblocks)]
    assert k.slab.descriptor(page)["nfree"] == 0 and k.slab.freelist(order) == []
    nxt = k.kmalloc(request, GFP_KERNEL)
    assert nxt & ~0xFFF != page and k.slab.pages_held() == 2
    # one byte more goes to the next class
    if order < 7:
        assert k.slab.class_of(request + 1) == order + 1


def test_10_refusal_and_too_large():
    k = linuxmm.boot("1.0")
    assert k.kmalloc(4097, GFP_KERNEL) == 0
    assert last(k) == "kmalloc: I refuse to allocate 4097 bytes (for now max = 4096)."
    # 4073..4096 pass the refusal test but do not fit the 4080-byte block with its header
    assert k.kmalloc(4096, GFP_KERNEL) == 0
    assert last(k) == "kmalloc of too large a block (4096 bytes)."
    assert k.kmalloc(4073, GFP_KERNEL) == 0
    assert last(k) == "kmalloc of too large a block (4073 bytes)."
    assert k.kmalloc(4072, GFP_KERNEL) == 0xFFF018
    # %d of a size_t that does not fit an int
    assert k.kmalloc(0xFFFFFFFF, GFP_KERNEL) == 0
    assert last(k) == "kmalloc: I refuse to allocate -1 bytes (for now max = 4096)."


def test_10_foreign_pointer_is_reported_and_nothing_changes():
    k = linuxmm.boot("1.0")
    page = k.get_free_page(GFP_KERNEL)  # a cleared page nobody kmalloc'ed
    k.memory.write(page + 100, b"payload!")
    before_mem = k.memory.read(page, 4096)
    counters = dict(k.counters)
    k.kfree(page + 104)
    assert last(k) == f"kfree of non-kmalloced memory: {page + 96:08X}, next= 00000000, order=0"
    assert k.memory.read(page, 4096) == before_mem and dict(k.counters) == counters


def test_10_pointer_in_a_free_page_shows_the_free_list_link():
    k = linuxmm.boot("1.0")
    # 0xffe000 is free: its first word is mem_init's link to the next lower free page
    k.kfree(0xFFE018)
    assert last(k) == "kfree of non-kmalloced memory: 00FFE010, next= 00FFD000, order=0"


def test_10_double_free_and_wrong_size():
    k = linuxmm.boot("1.0")
    a = k.kmalloc(20, GFP_KERNEL)
    b = k.kmalloc(20, GFP_KERNEL)
    k.kfree_s(a, 10)
    assert last(k) == "Trying to free pointer at 00FFF010 with wrong size: 10 instead of 20."
    assert k.slab.header(a) == (MF_USED, 20)
    k.kfree_s(a, 20)
    assert k.slab.header(a) == (MF_FREE, 0xFFF050)  # freed block goes to the head of the page's chain
    assert k.slab.descriptor(0xFFF000)["firstfree"] == a - BH_SIZE
    k.kfree(a)
    assert last(k) == "kfree of non-kmalloced memory: 00FFF010, next= 00000000, order=0"
    assert k.slab.descriptor(0xFFF000)["nfree"] == 126
    k.kfree(b)
    assert k.counters[counter_name(32, "nfrees")] == 2


def test_10_last_block_gives_the_page_back():
    k = linuxmm.boot("1.0")
    pa = k.page_alloc
    free = pa.nr_free_pages()
    p = k.kmalloc(1000, GFP_KERNEL)  # 1020 class, 4 per page
    assert pa.nr_free_pages() == free - 1
    k.kfree(p)
    assert pa.nr_free_pages() == free and k.slab.freelist(5) == [] and k.slab.pages_held() == 0
    assert k.counters[counter_name(1020, "npages")] == 1  # 1.0 never decrements npages
    # the page went to the head of the secondary list; its first word (page->next) is now the link
    k.kfree(p)
    assert last(k) == "kfree of non-kmalloced memory: 00FFF010, next= 00000000, order=5"


def test_10_kfree_null_faults():
    k = linuxmm.boot("1.0")
    with pytest.raises(PageFault):
        k.kfree(0)


def test_10_scribbled_free_block_is_refused():
    k = linuxmm.boot("1.0")
    a = k.kmalloc(20, GFP_KERNEL)
    k.memory.write(a + 24, b"\x00" * 8)  # over the next free block's header
    assert k.kmalloc(20, GFP_KERNEL) == 0
    assert last(k) == "Problem: block on freelist at 00fff030 isn't free."


def test_10_page_that_was_full_rejoins_the_list():
    k = linuxmm.boot("1.0")
    a, b = k.kmalloc(2000, GFP_KERNEL), k.kmalloc(2000, GFP_KERNEL)  # fills one 2040 page
    assert k.slab.freelist(6) == [] and k.slab.descriptor(a & ~0xFFF)["next"] == 0
    c = k.kmalloc(2000, GFP_KERNEL)  # a second page
    k.kfree(a)
    assert k.slab.freelist(6) == [a & ~0xFFF, c & ~0xFFF]
    k.kfree(c)  # c's page is wholly free: unlinked by walking the list from the head
    assert k.slab.freelist(6) == [a & ~0xFFF]
    assert k.counters["list_walks"] == 0  # it was found as the second entry, one step from the head
    k.kfree(b)
    assert k.slab.freelist(6) == [] and k.slab.pages_held() == 0


def test_argument_errors_name_the_argument():
    k = linuxmm.boot("1.0")
    with pytest.raises(ArgumentError, match="kmalloc: size must be an int, not float 1.5"):
        k.kmalloc(1.5, GFP_KERNEL)
    with pytest.raises(ArgumentError, match="kmalloc: size must be at most 4294967295"):
        k.kmalloc(1 << 32, GFP_KERNEL)
    with pytest.raises(ArgumentError, match="kmalloc: priority must be an int, not None"):
        k.kmalloc(8, None)
    with pytest.raises(ArgumentError, match="kfree_s: ptr must fit this 32-bit kernel"):
        k.kfree(1 << 40)
    with pytest.raises(ArgumentError, match="kfree_s: ptr must be an int, not str"):
        k.kfree("0x1000")


# ---------------------------------------------------------------------------------------------
# 1.1.89 and 1.2
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("version", ["1.1.89", "1.2"])
def test_11_classes_up_to_128k(version):
    k = linuxmm.boot(version)
    pa = k.page_alloc
    for order, (size, nblocks, gfporder) in enumerate(SIZES_11):
        free = pa.nr_free_pages()
        p = k.kmalloc(size - BH_SIZE, GFP_KERNEL)
        page = p - PD_SIZE - BH_SIZE
        assert page % (4096 << gfporder) == 0, (size, hex(p))
        assert k.slab.descriptor(page)["order"] == order
        assert free - pa.nr_free_pages() == 1 << gfporder
        k.kfree(p)
        assert pa.nr_free_pages() == free
    assert k.kmalloc(131072 - 16 - 8 + 1, GFP_KERNEL) == 0
    assert last(k) == "kmalloc of too large a block (131049 bytes)."


def test_12_sizes_of_2g_and_more_turn_negative_and_fit_the_smallest_class():
    k = linuxmm.boot("1.2")
    p = k.kmalloc(0xFFFFFFFF, GFP_KERNEL)  # get_order(int): -1 + 8 <= 32
    assert p and k.slab.header(p) == (MF_USED, 0xFFFFFFFF)
    assert k.counters[counter_name(32, "nbytesmalloced")] == -1
    assert k.kmalloc(0x7FFFFFFF, GFP_KERNEL) == 0
    assert last(k) == "kmalloc of too large a block (2147483647 bytes)."


def test_12_dma_list_and_lower_case_pointers():
    k = linuxmm.boot("1.2")
    p = k.kmalloc(100, GFP_KERNEL | GFP_DMA)
    page = p & ~0xFFF
    assert k.slab.freelist(2, dma=True) == [page] and k.slab.freelist(2) == []
    assert k.slab.header(p) == (MF_USED, 100)
    k.kfree(p)
    assert k.slab.freelist(2, dma=True) == [] and k.slab.pages_held() == 0
    k.kfree(p)  # the area went back to the page allocator with kmalloc's bytes still in it
    nxt = int.from_bytes(k.memory.read(page, 4), "little")
    assert last(k) == f"kfree of non-kmalloced memory: {p - 8:08x}, next= {nxt:08x}, order=2"


def _dma_list_scenario(version):
    k = linuxmm.boot(version)
    a = k.kmalloc(2000, GFP_KERNEL)  # an ordinary 2040 page with one block left
    d1 = k.kmalloc(2000, GFP_KERNEL | GFP_DMA)
    d2 = k.kmalloc(2000, GFP_KERNEL | GFP_DMA)  # takes the DMA page's last block
    c = k.kmalloc(2000, GFP_KERNEL)
    return k, a, d1, c


def test_1189_dma_list_bug_loses_the_ordinary_list():
    k, a, d1, c = _dma_list_scenario("1.1.89")
    # the full DMA page was unlinked from firstfree instead of dmafree: a's page fell off its list
    # (so c needed a new page) and the full DMA page is still the head of dmafree
    assert c & ~0xFFF not in (a & ~0xFFF, d1 & ~0xFFF)
    assert k.slab.freelist(6, dma=True) == [d1 & ~0xFFF]
    assert k.slab.descriptor(d1 & ~0xFFF)["nfree"] == 0
    assert k.slab.pages_held() == 3


def test_1193_fix_in_12():
    k, a, d1, c = _dma_list_scenario("1.2")
    assert c == a + 2040 and k.slab.freelist(6, dma=True) == [] and k.slab.pages_held() == 2


def test_12_kfree_null_faults():
    with pytest.raises(PageFault):
        linuxmm.boot("1.2").kfree(0)


# ---------------------------------------------------------------------------------------------
# 2.0
# ---------------------------------------------------------------------------------------------
def test_20_first_block_and_kfree_null():
    k = linuxmm.boot("2.0")
    p = k.kmalloc(0, GFP_KERNEL)
    assert p == 0x19D018 and k.slab.header(p) == (MF_USED, 0)
    k.kfree(0)  # returns at once
    k.kfree_s(p, 12345)  # a macro for kfree: the size is not read
    assert k.slab.pages_held() == 1  # the empty page went to kmalloc_cache[0]
    assert k.dmesg[-1].startswith("Memory:")


def test_20_realsize_wraps():
    k = linuxmm.boot("2.0")
    p = k.kmalloc(0xFFFFFFF8, GFP_KERNEL)  # size + 8 wraps to 0
    assert p and k.slab.header(p) == (MF_USED, 0xFFFFFFF8)
    assert k.kmalloc(0xFFFFFFF7, GFP_KERNEL) == 0
    assert last(k) == "kmalloc of too large a block (-9 bytes)."
    assert k.kmalloc(131049, GFP_KERNEL) == 0
    assert last(k) == "kmalloc of too large a block (131049 bytes)."


def test_20_dma_blocks_are_marked_and_go_back_to_the_dma_list():
    k = linuxmm.boot("2.0")
    a = k.kmalloc(100, GFP_KERNEL | GFP_DMA)
    b = k.kmalloc(100, GFP_KERNEL | GFP_DMA)
    assert k.slab.header(a) == (MF_DMA, 100)
    k.kfree(a)
    assert k.slab.header(a)[0] == MF_FREE and k.slab.freelist(2, dma=True) == [a & ~0xFFF]
    k.kfree(b)
    # a DMA area is not cached: it goes straight back to the page allocator
    assert k.slab.freelist(2, dma=True) == [] and k.slab.pages_held() == 0


def test_20_dma_mark_cleared_before_the_checks():
    k = linuxmm.boot("2.0")
    a = k.kmalloc(100, GFP_KERNEL | GFP_DMA)
    page = a & ~0xFFF
    k.memory.write(page, (page + 1).to_bytes(4, "little"))  # a misaligned page->next
    k.kfree(a)
    assert last(k) == f"kfree of non-kmalloced memory: {a - 8:08x}, next= {page + 1:08x}, order=2"
    assert k.slab.header(a) == (MF_USED, 100)  # MF_DMA became MF_USED; nothing else changed


@pytest.mark.parametrize("version,kept", [("1.2", False), ("2.0", True)])
def test_full_page_next_cleared_before_20_only(version, kept):
    k = linuxmm.boot(version)
    a = k.kmalloc(2000, GFP_KERNEL)
    k.kmalloc(2000, GFP_KERNEL)  # the first page is full and off the list
    c = k.kmalloc(2000, GFP_KERNEL)  # a second page heads the list
    k.kfree(a)  # the first page is back, in front of the second
    p1, p2 = a & ~0xFFF, c & ~0xFFF
    assert k.slab.freelist(6) == [p1, p2]
    k.kmalloc(2000, GFP_KERNEL)  # fills the first page again
    assert k.slab.freelist(6) == [p2]
    assert k.slab.descriptor(p1)["next"] == (p2 if kept else 0)


def test_20_kmalloc_cache_serves_when_memory_runs_out():
    k = linuxmm.boot("2.0")
    pa = k.page_alloc
    p = k.kmalloc(4000, GFP_KERNEL)
    page = p & ~0xFFF
    k.kfree(p)
    assert k.slab.kmalloc_cache == [page, 0, 0] and k.slab.pages_held() == 1
    while pa.alloc_block(0, GFP_ATOMIC):
        pass
    assert pa.nr_free_pages() == 0
    before = len(k.dmesg)
    assert k.kmalloc(4000, GFP_KERNEL) == p  # __get_free_pages failed: the cached page serves
    assert k.slab.kmalloc_cache == [0, 0, 0] and k.dmesg[before:] == []
    assert k.kmalloc(4000, GFP_BUFFER) == 0 and k.dmesg[before:] == []  # GFP_BUFFER: silent
    assert k.kmalloc(4000, GFP_KERNEL) == 0
    assert k.dmesg[before:] == ["Couldn't get a free page....."]
    assert k.kmalloc(4000, GFP_KERNEL) == 0  # once per ten seconds; the model's clock stands still
    assert k.dmesg[before:] == ["Couldn't get a free page....."]


def test_20_cache_displaces_and_frees():
    k = linuxmm.boot("2.0")
    pa = k.page_alloc
    free = pa.nr_free_pages()
    a = k.kmalloc(4000, GFP_KERNEL)
    b = k.kmalloc(4000, GFP_KERNEL)
    k.kfree(a)  # into the empty cache slot
    k.kfree(b)  # b's page goes in, a's page is freed
    assert k.slab.kmalloc_cache[0] == b & ~0xFFF
    assert pa.nr_free_pages() == free - 1 and k.slab.pages_held() == 1
    c = k.kmalloc(20000, GFP_KERNEL)  # order 3: not cached
    k.kfree(c)
    assert pa.nr_free_pages() == free - 1


# ---------------------------------------------------------------------------------------------
# accounting, every era
# ---------------------------------------------------------------------------------------------
SIZES = st.sampled_from([0, 1, 8, 24, 25, 56, 100, 120, 244, 500, 1012, 2032, 4000, 4072])


@pytest.mark.parametrize("version", ["1.0", "1.1.89", "1.2", "2.0"])
@settings(max_examples=25, deadline=None)
@given(ops=st.lists(st.tuples(st.booleans(), SIZES, st.integers(0, 1 << 16), st.booleans()), max_size=60))
def test_accounting_balances(version, ops):
    k = linuxmm.boot(version)
    pa, slab = k.page_alloc, k.slab
    base = pa.allocated_pages()
    live: list[tuple[int, int, int]] = []
    for alloc, size, pick, dma in ops:
        if alloc or not live:
            gfp = GFP_KERNEL | (GFP_DMA if dma and version != "1.1.89" else 0)
            p = k.kmalloc(size, gfp)
            assert p
            live.append((p, size, slab.class_of(size)))
        else:
            p, _, _ = live.pop(pick % len(live))
            k.kfree(p)
        # pages kmalloc holds are exactly what the page allocator handed out since boot
        assert pa.allocated_pages() - base == slab.pages_held()
        for row in slab.size_classes():
            mine = [s for _, s, o in live if o == row["order"]]
            assert row["nmallocs"] - row["nfrees"] == len(mine)
            assert row["nbytesmalloced"] == sum(mine)
    assert slab.check() == []
    ptrs = sorted(p for p, _, _ in live)
    assert len(set(ptrs)) == len(ptrs)  # no block handed out twice
    for p, size, _ in live:
        assert slab.header(p)[1] == size
    for p, _, _ in live:
        k.kfree(p)
    held = slab.pages_held()
    if version == "2.0":  # kmalloc_cache keeps at most one area of order 0, 1 and 2
        assert held == sum(1 << g for g in range(3) if slab.kmalloc_cache[g])
    else:
        assert held == 0
    assert pa.allocated_pages() - base == held
    assert not any(line.startswith(("kfree of", "Ooops", "Page ", "Problem")) for line in k.dmesg)


# ---------------------------------------------------------------------------------------------
# the kmalloc-mix workload
# ---------------------------------------------------------------------------------------------
def test_kmalloc_mix_at_20_through_the_cli(capsys):
    from linuxmm.cli import main

    assert main(["--kernel-version", "2.0", "run", "kmalloc-mix"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:4] == [
        "workload kmalloc-mix: seed 0, 3000 steps at v2.0 (kmalloc.c-2.0)",
        "kmalloc 1788, kfree 1212, failed kmalloc 0",
        "still allocated: 576 objects, 126972 bytes requested",
        "pages held by the allocator: 49",
    ]
    assert out[5] == "  size blocks order  nmallocs    nfrees  nbytesmalloced  npages  freelist  dmafree"
    assert out[6] == "    32    127     0       563       381            2872       2         2        0"
    assert out[-1] == "after freeing everything: 1 pages still held"  # the 4080 area in kmalloc_cache[0]


@pytest.mark.parametrize("version", ["1.0", "1.1.89", "1.2"])
def test_kmalloc_mix_gives_every_page_back_before_20(version):
    from linuxmm_plugins.workloads_kmalloc import kmalloc_mix

    k = linuxmm.boot(version)
    base = k.page_alloc.allocated_pages()
    out = kmalloc_mix(k, seed=3).splitlines()
    assert out[-1] == "after freeing everything: 0 pages still held"
    assert k.page_alloc.allocated_pages() == base and k.slab.pages_held() == 0


def test_kmalloc_mix_before_kmalloc_is_one_line_error(capsys):
    from linuxmm.cli import main

    assert main(["--kernel-version", "0.11", "run", "kmalloc-mix"]) == 2
    assert capsys.readouterr().err.startswith("linuxmm: error: kmalloc() is not in v0.11: kmalloc() first appeared")


@pytest.mark.parametrize("version", ["1.0", "2.0"])
def test_a_forged_block_is_trusted_as_the_kernel_trusted_it(version):
    """A page that merely looks like a kmalloc page (descriptor and an MF_USED header) is accepted."""
    k = linuxmm.boot(version)
    page = k.get_free_page(GFP_KERNEL)
    k.memory.write(page, struct.pack("<IIii", 0, 0, 0, 0))  # next, firstfree, order 0, nfree 0
    k.memory.write(page + 16, struct.pack("<II", MF_USED, 20))
    k.kfree(page + 24)
    assert k.slab.freelist(0) == [page]  # now on the 32-byte class's list
    assert words(k, page + 16, 2) == [MF_FREE, 0] and k.slab.descriptor(page)["nfree"] == 1
    assert k.kmalloc(20, GFP_KERNEL) == page + 24  # and handed out again, full, off the list
    assert k.slab.freelist(0) == [] and k.slab.pages_held() == 0


def test_check_finds_a_broken_free_chain():
    k = linuxmm.boot("1.2")
    a = k.kmalloc(100, GFP_KERNEL)
    k.check()
    k.memory.write(a + 120, struct.pack("<I", 0))  # the next (free) block's header, MF_FREE no more
    assert k.violations() == [f"slab: area {a & ~0xFFF:#x}: block {a + 120:#x} on its free chain is not MF_FREE"]
