"""buddy-2.6 (mm/page_alloc.c, 2.6.0-6.18): exact addresses, free counts, pcp, errors, conservation."""

import pytest
from hypothesis import given, settings, strategies as st

import linuxmm
from linuxmm import (GFP_ATOMIC, GFP_DMA, GFP_HIGHUSER_MOVABLE, GFP_KERNEL, KernelBug, LinuxmmError, PAGE_SIZE,
                     __GFP_NOWARN, __GFP_ZERO)


def nr_free(k, zone):
    return list(k.page_alloc.zones[zone].nr_free)


def conserved(k):
    pa = k.page_alloc
    return pa.nr_free_pages() + pa.allocated_pages() + pa.reserved_pages() == pa.nr_pages


def test_page_offset_by_era():
    assert linuxmm.boot("2.6.26", mem="64M").page_alloc.page_offset == 0xFFFF810000000000
    assert linuxmm.boot("2.6.27", mem="64M").page_alloc.page_offset == 0xFFFF880000000000
    assert linuxmm.boot("4.20", mem="64M").page_alloc.page_offset == 0xFFFF888000000000


def test_max_order_constants_by_name():
    assert linuxmm.boot("6.3", mem="64M").page_alloc.MAX_ORDER == 11
    pa = linuxmm.boot("6.4", mem="64M").page_alloc
    assert pa.MAX_ORDER == 10 and pa.nr_orders == 11
    pa = linuxmm.boot("6.8", mem="64M").page_alloc
    assert not hasattr(pa, "MAX_ORDER") and pa.MAX_PAGE_ORDER == 10 and pa.NR_PAGE_ORDERS == 11


def test_first_order3_allocation_2628():
    k = linuxmm.boot("2.6.28", mem="256M")
    before = nr_free(k, 1)
    addr = k.alloc_pages(GFP_KERNEL, 3)
    # GFP_KERNEL: Normal is empty, so DMA32; no Unmovable block, so __rmqueue_fallback takes the head
    # of the order-10 Movable list: the last block freed at boot, pfn 64512 (65536 - 1024)
    assert addr == 0xFFFF880000000000 + 64512 * PAGE_SIZE
    after = nr_free(k, 1)
    # the lower 8 pages are kept; expand() returned 512 @64512+512, 256, ..., 8 @64512+8
    assert [a - b for a, b in zip(after, before)] == [0, 0, 0, 1, 1, 1, 1, 1, 1, 1, -1]
    assert nr_free(k, 0) == [1, 1, 1, 1, 1, 2, 1, 0, 1, 0, 2]
    k.free_pages(addr, 3)
    # __free_one_page merges with buddies pfn ^ (1 << order) up to order 10 again
    assert nr_free(k, 1) == before
    addr2 = k.__get_free_pages(GFP_KERNEL, 3)
    assert addr2 == addr
    assert conserved(k)


def test_first_order3_allocation_2620_and_618():
    k = linuxmm.boot("2.6.20", mem="256M")
    assert k.alloc_pages(GFP_KERNEL, 3) == 0xFFFF810000000000 + 64512 * PAGE_SIZE
    # from v5.10 boot frees go to the list tails, so the lowest block (pfn 5120) is at the head
    k = linuxmm.boot("6.18", mem="256M")
    assert k.alloc_pages(GFP_KERNEL, 3) == 0xFFFF888000000000 + 5120 * PAGE_SIZE


def test_merge_restores_buddyinfo():
    k = linuxmm.boot("2.6.20", mem="256M")
    boot = k.proc("buddyinfo")
    blocks = [k.alloc_pages(GFP_KERNEL, o) for o in (3, 5, 1, 4, 3)]
    assert k.proc("buddyinfo") != boot
    for addr, o in zip(reversed(blocks), (3, 4, 1, 5, 3)):
        k.free_pages(addr, o)
    assert k.proc("buddyinfo") == boot


def test_pcp_batch_leaves_buddy_lists():
    k = linuxmm.boot("2.6.28", mem="256M", cpus=2)
    zone = k.page_alloc.zones[1]
    # zone_batchsize(): present_pages/1024, capped at 512K, /4, then 2^n - 1
    batch = zone.present_pages // 1024
    batch = min(batch, 512 * 1024 // PAGE_SIZE) // 4
    batch = (1 << ((batch + batch // 2).bit_length() - 1)) - 1
    assert (zone.present_pages, batch) == (60480, 15)
    free_before = zone.free_pages
    addr = k.alloc_pages(GFP_KERNEL, 0)
    assert free_before - zone.free_pages == batch
    assert k.page_alloc.pcp_pages(zone) == batch - 1
    assert k.page_alloc.nr_free_pages() == free_before + sum(z.free_pages for z in k.page_alloc.zones[:1]) - 1
    k.free_pages(addr, 0)
    assert zone.free_pages == free_before - batch  # the page went back to the pcp list, not the buddy


def test_pcp_drain_at_high():
    k = linuxmm.boot("2.6.32", mem="256M")
    pcp = k.page_alloc.pcp[0][1][0]
    assert (pcp.batch, pcp.high) == (15, 90)
    pages = [k.alloc_pages(GFP_KERNEL, 0) for _ in range(90)]
    assert pcp.count == 0
    for a in pages[:89]:
        k.free_pages(a, 0)
    assert pcp.count == 89
    k.free_pages(pages[89], 0)  # count reaches high: free_pcppages_bulk(batch)
    assert pcp.count == 90 - 15
    assert conserved(k)


def test_per_cpu_isolation():
    k = linuxmm.boot("2.6.28", mem="256M", cpus=2)
    a0 = k.alloc_pages(GFP_KERNEL, 0)
    with k.on_cpu(1):
        a1 = k.alloc_pages(GFP_KERNEL, 0)
        assert a1 != a0
        k.free_pages(a0, 0)  # freed on CPU 1: goes to CPU 1's list head
        assert k.alloc_pages(GFP_KERNEL, 0) == a0
    pa = k.page_alloc
    assert pa.pcp[0][1][0].count == 14 and pa.pcp[1][1][0].count == 14
    assert k.alloc_pages(GFP_KERNEL, 0) == a0 + PAGE_SIZE  # CPU 0's next page


def test_order_above_limit():
    k = linuxmm.boot("2.6.20", mem="256M")
    assert k.alloc_pages(GFP_KERNEL, 11) == 0
    assert not [l for l in k.dmesg if "WARNING" in l]  # 2.6.20 gfp.h returned NULL silently [V]
    k = linuxmm.boot("4.4", mem="256M")
    n = len(k.dmesg)
    assert k.alloc_pages(GFP_KERNEL | __GFP_NOWARN, 11) == 0
    assert len(k.dmesg) == n
    assert k.alloc_pages(GFP_KERNEL, 11) == 0
    # 4.4.11 kernel/panic.c: "WARNING: CPU: %d PID: %d at %s:%d %pS()" (line and offset not modelled)
    assert k.dmesg[n:] == ["------------[ cut here ]------------",
                           "WARNING: CPU: 0 PID: 1 at mm/page_alloc.c __alloc_pages_slowpath()"]
    assert k.alloc_pages(GFP_KERNEL, 12) == 0 and len(k.dmesg) == n + 2  # WARN_ON_ONCE
    assert k.alloc_pages(GFP_KERNEL, 10) != 0  # order 10 is the largest block
    k = linuxmm.boot("6.18", mem="256M")
    assert k.alloc_pages(GFP_KERNEL, 11) == 0
    # 6.14 and 6.18.2 mm/page_alloc.c: the check is in __alloc_frozen_pages_noprof
    assert k.dmesg[-1] == "WARNING: CPU: 0 PID: 1 at mm/page_alloc.c __alloc_frozen_pages_noprof"


def test_double_free_2620():
    k = linuxmm.boot("2.6.20", mem="256M")
    a = k.alloc_pages(GFP_KERNEL, 0)
    k.free_pages(a, 0)
    free = k.page_alloc.nr_free_pages()
    n = len(k.dmesg)
    k.free_pages(a, 0)  # put_page_testzero on a zero count: -1, silently (no CONFIG_DEBUG_VM)
    assert k.page_alloc.nr_free_pages() == free and len(k.dmesg) == n
    pfn = (a - k.page_alloc.page_offset) >> 12
    assert k.frames.count[pfn] == -1
    assert k.alloc_pages(GFP_KERNEL, 0) == a  # the head of the hot list: prep_new_page complains
    page = k.page_alloc.memmap_vaddr + pfn * 64
    assert k.dmesg[n:] == [
        "Bad page state in process 'linuxmm'",
        f"page:{page:016x} flags:0x0000000000000000 mapping:0000000000000000 mapcount:0 count:-1",
        "Trying to fix it up, but a reboot is needed",
        "Backtrace:",
    ]
    assert k.frames.count[pfn] == 1  # fixed up and used
    assert conserved(k)


def test_double_free_44_leaks_the_page():
    k = linuxmm.boot("4.4", mem="256M")
    a = k.alloc_pages(GFP_KERNEL, 0)
    k.free_pages(a, 0)
    k.free_pages(a, 0)
    reserved = k.page_alloc.reserved_pages()
    b = k.alloc_pages(GFP_KERNEL, 0)
    assert b != a
    pfn = (a - k.page_alloc.page_offset) >> 12
    assert k.dmesg[-3:] == [f"BUG: Bad page state in process linuxmm  pfn:{pfn:05x}",
                            f"page:{0xffffea0000000000 + pfn * 64:016x} count:-1 mapcount:0 "
                            "mapping:0000000000000000 index:0x0",
                            "page dumped because: nonzero _count"]
    assert k.page_alloc.reserved_pages() == reserved + 1
    assert conserved(k)


def test_wrong_order_free_is_stopped():
    k = linuxmm.boot("2.6.28", mem="256M")
    a = k.alloc_pages(GFP_KERNEL, 2)
    before = [nr_free(k, 0), nr_free(k, 1)]
    free = k.page_alloc.nr_free_pages()
    n = len(k.dmesg)
    with pytest.raises(LinuxmmError) as exc:
        k.free_pages(a, 3)
    assert str(exc.value) == (
        f"free_pages({a:#x}, 3) at v2.6.28: the block there has order 2; the kernel reports the pages above, "
        "fixes them up and frees them with the block, corrupting its free lists. The model refuses and leaves "
        "the block allocated")
    # pages a+4..a+7 are the order-2 buddy expand() put on a free list: a+4 is PG_buddy
    pfn = ((a - k.page_alloc.page_offset) >> 12) + 4
    assert k.dmesg[n:] == [
        "Bad page state in process 'linuxmm'",
        f"page:{0xffffea0000000000 + pfn * 64:016x} flags:0x0000000000080000 mapping:0000000000000000 "
        "mapcount:0 count:0",
        "Trying to fix it up, but a reboot is needed",
        "Backtrace:",
    ]
    assert [nr_free(k, 0), nr_free(k, 1)] == before and k.page_alloc.nr_free_pages() == free
    assert k.counters["refused_frees"] == 1
    k.free_pages(a, 2)  # still allocated: the right order frees it
    assert k.page_alloc.nr_free_pages() == free + 4
    assert conserved(k)


def test_wrong_order_free_from_2629_leaks_the_block():
    # 2.6.29+: free_pages_check's bad page stops the free; the block is never freed
    k = linuxmm.boot("4.4", mem="256M")
    a = k.alloc_pages(GFP_KERNEL, 2)
    free, used = k.page_alloc.nr_free_pages(), k.page_alloc.allocated_pages()
    k.free_pages(a, 3)
    pfn = ((a - k.page_alloc.page_offset) >> 12) + 4
    assert k.dmesg[-3:] == [f"BUG: Bad page state in process linuxmm  pfn:{pfn:05x}",
                            f"page:{0xffffea0000000000 + pfn * 64:016x} count:0 mapcount:0 "
                            "mapping:0000000000000000 index:0x0",
                            "page dumped because: PAGE_FLAGS_CHECK_AT_FREE flag(s) set"]
    assert k.page_alloc.nr_free_pages() == free and k.page_alloc.allocated_pages() == used
    assert k.frames.count[pfn - 4] == 0 and conserved(k)


@pytest.mark.parametrize("version", ["2.6.20", "4.4", "6.18"])
def test_wrong_order_free_over_the_inside_of_a_free_block_is_refused(version):
    # pages beyond an order-0 block that lie inside a larger free block pass free_pages_check:
    # every era would free them as part of the "block" and corrupt its lists; the model refuses
    k = linuxmm.boot(version, mem="256M")
    pa = k.page_alloc
    a = k.alloc_pages(GFP_KERNEL, 3)
    k.free_pages(a, 3)
    a = k.alloc_pages(GFP_KERNEL, 0)
    free = pa.nr_free_pages()
    with pytest.raises(LinuxmmError) as exc:
        k.free_pages(a, 1)
    assert "the block there has order 0; the kernel does not check the order: it would free 2 pages" in str(exc.value)
    assert pa.nr_free_pages() == free and k.counters["refused_frees"] == 1
    with pytest.raises(LinuxmmError) as exc:
        k.free_pages(a, 11)
    assert "above order 10 the kernel would check and free 2048 pages" in str(exc.value)
    k.free_pages(a, 0)
    assert pa.nr_free_pages() == free + 1 and conserved(k)


def test_smaller_order_free_leaks_the_rest_silently():
    k = linuxmm.boot("6.18", mem="256M")
    pa = k.page_alloc
    a = k.alloc_pages(GFP_KERNEL, 3)
    used, n = pa.allocated_pages(), len(k.dmesg)
    k.free_pages(a, 1)  # frees the first two pages; the kernel never looks at the other six again
    assert pa.allocated_pages() == used - 2 and len(k.dmesg) == n
    assert k.counters["leaked_pages"] == 6
    assert conserved(k)


def test_free_of_reserved_page_and_bad_address():
    k = linuxmm.boot("2.6.28", mem="256M")
    free = k.page_alloc.nr_free_pages()
    k.free_pages(k.page_alloc.page_offset + 600 * PAGE_SIZE, 0)  # a kernel-image page: PG_reserved
    assert k.dmesg[-3] == (f"page:{0xffffea0000000000 + 600 * 64:016x} flags:0x0000000000000400 "
                           "mapping:0000000000000000 mapcount:0 count:0")
    assert k.page_alloc.nr_free_pages() == free
    with pytest.raises(KernelBug):
        k.free_pages(k.page_alloc.page_offset + (256 << 20), 0)
    assert k.dmesg[-1] == "kernel BUG at mm/page_alloc.c!"
    k.free_pages(0, 0)  # free_pages(0) is a no-op
    assert k.page_alloc.nr_free_pages() == free


def test_zeroing_and_init_on_alloc():
    k = linuxmm.boot("5.3", mem="64M", cmdline="init_on_alloc=1")
    a = k.alloc_pages(GFP_KERNEL, 0)
    assert k.counters["bytes_zeroed"] == PAGE_SIZE
    k.memory.write(a, b"secret")
    k.free_pages(a, 0)
    assert k.alloc_pages(GFP_KERNEL, 0) == a
    assert k.memory.read(a, 6) == bytes(6)
    assert "mem auto-init: stack:off, heap alloc:on, heap free:off" in k.dmesg
    k = linuxmm.boot("5.2", mem="64M", cmdline="init_on_alloc=1")  # unknown there
    a = k.alloc_pages(GFP_KERNEL, 0)
    k.memory.write(a, b"secret")
    k.free_pages(a, 0)
    assert k.alloc_pages(GFP_KERNEL, 0) == a
    assert k.memory.read(a, 6) == b"secret"
    assert k.counters["bytes_zeroed"] == 0
    z = k.get_zeroed_page(GFP_KERNEL)
    k.memory.write(z, b"x")
    k.free_page(z)
    assert k.alloc_pages(GFP_KERNEL | __GFP_ZERO, 0) == z and k.memory.read(z, 1) == b"\0"


def test_show_mem_line():
    k = linuxmm.boot("2.6.20", mem="256M")
    assert k.page_alloc.show_mem().splitlines()[0] == (
        "Node 0 DMA: 1*4kB 1*8kB 1*16kB 1*32kB 1*64kB 2*128kB 1*256kB 0*512kB 1*1024kB 0*2048kB 2*4096kB = 9852kB")


def test_watermark_failure_returns_null():
    k = linuxmm.boot("2.6.20", mem="16M")
    got = []
    while True:
        a = k.alloc_pages(GFP_KERNEL, 0)
        if not a:
            break
        got.append(a)
    zone = k.page_alloc.zones[0]
    # the low watermark stops GFP_KERNEL, then the min one; nothing is reclaimed
    assert zone.free_pages <= zone.watermark[1]
    assert k.dmesg[-1] == "linuxmm: page allocation failure. order:0, mode:0xd0"
    assert k.alloc_pages(GFP_ATOMIC, 0) != 0  # __GFP_HIGH and !wait dig into the reserve
    assert conserved(k)


def test_boot_64g_is_cheap():
    k = linuxmm.boot("6.18", mem="64G", cpus=4)
    assert conserved(k)
    assert k.page_alloc.zones[2].nr_free[10] == 15360


OPS = st.lists(st.tuples(st.sampled_from(["alloc", "free"]), st.integers(0, 4),
                         st.sampled_from([GFP_KERNEL, GFP_ATOMIC, GFP_DMA, GFP_HIGHUSER_MOVABLE]),
                         st.integers(0, 2), st.integers(0, 10_000)), max_size=60)


@pytest.mark.parametrize("version", ["2.6.20", "2.6.28", "2.6.33", "4.4", "6.18"])
@settings(max_examples=40, deadline=None)
@given(ops=OPS)
def test_conservation(version, ops):
    k = linuxmm.boot(version, mem="32M", cpus=3)
    pa = k.page_alloc
    boot = [list(z.nr_free) for z in pa.zones]
    held = []
    for op, order, gfp, cpu, pick in ops:
        with k.on_cpu(cpu):
            if op == "alloc" or not held:
                a = k.alloc_pages(gfp, order)
                if a:
                    held.append((a, order))
            else:
                a, o = held.pop(pick % len(held))
                k.free_pages(a, o)
        assert conserved(k)
        for z in pa.zones:  # nr_free matches the lists, free_pages matches nr_free
            assert [sum(len(fl) for fl in area) for area in z.free_area] == z.nr_free
            assert z.free_pages == sum(n << o for o, n in enumerate(z.nr_free))
    for a, o in held:
        k.free_pages(a, o)
    pa.drain_all_pages()
    assert pa.allocated_pages() == 0
    assert pa.nr_free_pages() + pa.reserved_pages() == pa.nr_pages
    assert [z.nr_free for z in pa.zones] == boot  # every block merged back


def test_double_free_report_names_refcount_from_46():
    k = linuxmm.boot("6.18", mem="256M")
    a = k.alloc_pages(GFP_KERNEL, 0)
    k.free_pages(a, 0)
    k.free_pages(a, 0)
    k.alloc_pages(GFP_KERNEL, 0)
    assert k.dmesg[-1] == "page dumped because: nonzero _refcount"


@pytest.mark.parametrize("version", ["2.6.28", "4.4", "6.18"])
def test_free_follows_a_pageblock_type_change_on_every_cpu(version):
    # A page freed to the per-CPU lists carries its pageblock's type at the time of the free
    # (set_page_private); the fast free path must see a type changed by stealing.
    k = linuxmm.boot(version, cpus=2)
    pa = k.page_alloc
    a = k.alloc_pages(GFP_KERNEL, 0)
    pfn = (a - pa.page_offset) >> 12
    assert pa._pb_mt(pfn) == pa.MIGRATE_UNMOVABLE
    pa.set_pageblock_migratetype(pfn, pa.MIGRATE_MOVABLE)
    with k.on_cpu(1):
        k.free_pages(a, 0)
    assert pa._pmt[pfn] == pa.MIGRATE_MOVABLE
    pcp = pa.pcp[1][pa.page_zone(pfn).idx][0]
    lst = pcp.lists[pa.MIGRATE_MOVABLE] if pa.pcp_per_mt else pcp.lists[0]
    assert lst[-1] == pfn


def test_show_mem_migratetype_letters():
    # 4.4 mm/page_alloc.c and 6.x mm/show_mem.c: "(%s) " after every non-zero count, letters U M E H I
    k = linuxmm.boot("6.18", mem="256M")
    assert k.page_alloc.show_mem().splitlines() == [
        "Node 0 DMA: 1*4kB (M) 1*8kB (M) 1*16kB (M) 1*32kB (M) 1*64kB (M) 2*128kB (M) 1*256kB (M) 0*512kB "
        "1*1024kB (M) 0*2048kB 2*4096kB (M) = 9852kB",
        "Node 0 DMA32: 0*4kB 0*8kB 0*16kB 0*32kB 0*64kB 0*128kB 0*256kB 0*512kB 0*1024kB 0*2048kB "
        "59*4096kB (M) = 241664kB",
    ]
    k.alloc_pages(GFP_KERNEL, 3)  # steals a Movable order-10 block for Unmovable
    assert k.page_alloc.show_mem().splitlines()[1].startswith(
        "Node 0 DMA32: 0*4kB 0*8kB 0*16kB 1*32kB (U) 1*64kB (U) ")
    # before 0aaa29a56e4f the enum is U, E(reclaimable), M, R(eserve), I [S: letters]
    line = linuxmm.boot("3.10", mem="256M").page_alloc.show_mem().splitlines()[0]
    assert line.endswith(" 0*2048kB 2*4096kB (MR) = 9852kB")


def test_alloc_harder_needs_gfp_high_from_44():
    # 2.6.20 __alloc_pages: any !__GFP_WAIT caller gets ALLOC_HARDER (min - min/4);
    # from 4.4 only __GFP_ATOMIC (GFP_ATOMIC) does, so GFP_NOWAIT stops at the min watermark
    for version, gets_page in (("2.6.20", True), ("4.4", False), ("6.18", False)):
        k = linuxmm.boot(version, mem="16M")
        zone = k.page_alloc.zones[0]
        while k.alloc_pages(GFP_KERNEL, 0):
            pass
        assert zone.free_pages == zone.watermark[0]  # GFP_KERNEL stopped exactly at pages_min
        assert (k.alloc_pages(0, 0) != 0) is gets_page
        assert k.alloc_pages(GFP_ATOMIC, 0) != 0
        assert conserved(k)


def test_highatomic_reserve_44():
    from linuxmm_plugins.mm_page_alloc import ALLOC_HARDER
    k = linuxmm.boot("4.4", mem="256M")
    pa = k.page_alloc
    zone = pa.zones[1]
    a = k.alloc_pages(GFP_ATOMIC, 1)
    pfn = (a - pa.page_offset) >> 12
    assert pfn == 64512
    low_mark = pa._alloctabs[pa._cpu][GFP_KERNEL & 15][1]
    pa.reserve_highatomic_pageblock(zone, pfn)
    ha = pa.MIGRATE_HIGHATOMIC
    assert zone.nr_reserved_highatomic == 512 and pa._pb_mt(pfn) == ha
    # the expand() pieces of orders 1..8 in that pageblock moved to the HighAtomic lists
    assert [len(zone.free_area[o][ha]) for o in range(11)] == [0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0]
    # __zone_watermark_ok without ALLOC_HARDER does not count the reserve; the fast path agrees
    free = zone.free_pages
    assert pa.zone_watermark_ok(zone, 0, free - 513, 1, 0)
    assert not pa.zone_watermark_ok(zone, 0, free - 512, 1, 0)
    assert pa.zone_watermark_ok(zone, 0, free - 512, 1, ALLOC_HARDER)
    assert pa._alloctabs[pa._cpu][GFP_KERNEL & 15][1] == low_mark + 512 and k.alloc_pages == pa.alloc_pages
    # buffered_rmqueue with ALLOC_HARDER and order > 0 takes the reserve first
    assert pa.buffered_rmqueue(zone, 1, GFP_ATOMIC, pa.MIGRATE_UNMOVABLE, ALLOC_HARDER) == 64514
    # without it, the Unmovable order-9 piece in the other pageblock is split (lowest pages kept)
    assert pa.buffered_rmqueue(zone, 1, GFP_ATOMIC, pa.MIGRATE_UNMOVABLE, 0) == 64512 + 512


@pytest.mark.parametrize("version,movable,left", [("4.4", 80, [10, 65, 0]), ("6.18", 600, [20, 566, 0])])
def test_pcp_drain_order_by_era(version, movable, left):
    # 4.4 free_pcppages_bulk: round-robin, batch_free grows on empty lists; 6.x: the list of the
    # page just freed (Movable) is drained first, from its tail, before any other list
    k = linuxmm.boot(version, mem="256M")
    pa = k.page_alloc
    pcp = pa.pcp[0][1][0]
    unmovable = [k.alloc_pages(GFP_KERNEL, 0) for _ in range(20)]
    mov = [k.alloc_pages(GFP_HIGHUSER_MOVABLE, 0) for _ in range(movable)]
    pa.drain_all_pages()
    for a in unmovable:
        k.free_pages(a, 0)
    free = pa.zones[1].free_pages
    freed = 0
    while pa.zones[1].free_pages == free:
        k.free_pages(mov[freed], 0)
        freed += 1
    assert freed == pcp.high - 20
    assert [len(lst) for lst in pcp.lists] == left
    assert pa.zones[1].free_pages - free == pcp.batch == 15
    if version == "6.18":
        base = pa.page_offset
        assert [base + (p << 12) for p in pcp.lists[1]] == mov[15:freed]  # the 15 oldest went back
    assert conserved(k)


def test_failure_line_mode_of_the_model_mask_zero():
    # the model's 0 is 2.6's GFP_NOWAIT; from d0164adc89f6 (4.4.1 gfp.h) that is __GFP_KSWAPD_RECLAIM,
    # 0x2000000 in 4.4, 0x800 from 5.1 (5.2.1 gfp.h); 4.4.11 printed "mode:0x%x"; from 16f5dfbc851b (6.8
    # gfp_types.h) GFP_NOWAIT also has __GFP_NOWARN, so 0x800 alone is named by its bit (6.18.2 mmflags.h)
    for version, line in (("4.4", "linuxmm: page allocation failure: order:0, mode:0x2000000"),
                          ("6.18", "linuxmm: page allocation failure: order:0, mode:0x800(__GFP_KSWAPD_RECLAIM), "
                                   "nodemask=(null),cpuset=/,mems_allowed=0")):
        k = linuxmm.boot(version, mem="16M")
        while k.alloc_pages(0, 0):
            pass
        assert k.dmesg[-1] == line

def test_init_on_alloc_zeroes_a_page_asked_for_with_a_mask_of_0():
    # GFP_NOWAIT is 0 in the model's 2.6 values: it must not slip past init_on_alloc's zeroing
    k = linuxmm.boot("6.1", mem="64M", cmdline="init_on_alloc=1")
    a = k.alloc_pages(GFP_KERNEL, 0)
    k.memory.write(a, b"\xaa" * 64)
    k.free_pages(a, 0)
    b = k.alloc_pages(0, 0)
    assert b == a and k.memory.read(b, 64) == bytes(64)


def test_a_double_free_rebinds_the_page_calls_vmalloc_holds():
    """After a free of a free page the allocator's fast paths check every count; vmalloc's bound
    page calls are rebound with them, so its pages pass the same checks."""
    k = linuxmm.boot("6.12")
    vm = k.subsystems["vmalloc"]
    before = vm._alloc_pages
    p = k.alloc_pages(linuxmm.GFP_KERNEL, 0)
    k.free_pages(p, 0)
    k.free_pages(p, 0)  # count below 0: "Bad page state" from here on every fast path checks
    assert k.subsystems["page_alloc"]._check_new
    assert vm._alloc_pages is not before
    assert k.this_cpu == 0
    a = k.vmalloc(4 * 4096)
    k.vfree(a)
    assert k.violations() == []
