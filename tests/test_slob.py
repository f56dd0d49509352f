"""SLOB (mm/slob.c): 2.6.16-2.6.22's K&R heap, 2.6.23-6.3's page lists; Kconfig, per-era quirks, accounting."""

import pytest
from hypothesis import given, settings, strategies as st

import linuxmm
from linuxmm import GFP_KERNEL, ZERO_SIZE_PTR
from linuxmm.errors import ConfigError, KernelBug, KernelOops, NotInThisKernel
from linuxmm.gfp import __GFP_ZERO
from linuxmm.machine import PAGE_SIZE
from linuxmm.slab import SLAB_DESTROY_BY_RCU, SLAB_HWCACHE_ALIGN, SLAB_MUST_HWCACHE_ALIGN

SLOB_26 = ["SLOB=y", "EMBEDDED=y"]  # 2.6.22-2.6.38
SLOB_39 = ["SLOB=y", "EXPERT=y"]  # 2.6.39-6.1
SLOB_62 = ["SLOB_DEPRECATED=y", "EXPERT=y"]  # 6.2-6.3


def slob(version, **kw):
    cfg = (["SLAB=n", "EMBEDDED=y"] if version in ("2.6.16", "2.6.20", "2.6.21")
           else SLOB_62 if version.startswith(("6.2", "6.3"))
           else SLOB_39 if version >= "2.6.39" and not version.startswith("2.6.2") and not version.startswith("2.6.3")
           else SLOB_26)
    k = linuxmm.boot(version, config=cfg, **kw)
    assert k.implementations["slab"].name == "slob"
    return k


def page_of(addr):
    return addr & ~(PAGE_SIZE - 1)


# -- which allocator when ------------------------------------------------------------------------------
def test_slob_is_what_slab_n_gives_on_embedded_2616_2621():
    k = linuxmm.boot("2.6.20", config=["SLAB=n", "EMBEDDED=y"])
    assert type(k.slab).__name__ == "Slob16"
    assert linuxmm.boot("2.6.20").implementations["slab"].name == "slab"
    with pytest.raises(ConfigError) as exc:
        linuxmm.boot("2.6.20", config=["SLAB=n", "EMBEDDED=y"], cpus=2)
    assert str(exc.value) == ("SLOB at v2.6.20 needs a uniprocessor kernel: its Kconfig entry depends on !SMP until "
                              "v2.6.22 (81819f0fc828); boot with --cpus 1")
    with pytest.raises(ConfigError) as exc:
        linuxmm.boot("2.6.15", config=["SLOB=y"])
    assert str(exc.value).startswith('CONFIG_SLOB is not in v2.6.15: it appeared in v2.6.16-rc1 (10cef6029502 '
                                     '"[PATCH] slob: introduce the SLOB allocator")')


def test_slob_choice_per_era():
    assert type(linuxmm.boot("2.6.22", config=SLOB_26, cpus=2).slab).__name__ == "Slob16"  # SMP allowed now
    assert type(linuxmm.boot("2.6.23", config=SLOB_26).slab).__name__ == "Slob23"
    with pytest.raises(ConfigError) as exc:
        linuxmm.boot("2.6.22", config=["SLOB=y"])
    assert str(exc.value) == ("CONFIG_SLOB=y is impossible at v2.6.22: it depends on EMBEDDED && !SPARSEMEM "
                              "(CONFIG_EMBEDDED=n, CONFIG_SPARSEMEM is not in this release)")
    with pytest.raises(ConfigError) as exc:
        linuxmm.boot("2.6.30", config=["SLOB=y"])
    assert str(exc.value).startswith("CONFIG_SLOB=y is impossible at v2.6.30: it depends on EMBEDDED")
    # 2.6.39: EMBEDDED became "Embedded system", which selects EXPERT
    assert linuxmm.boot("2.6.39", config=["SLOB=y", "EMBEDDED=y"]).implementations["slab"].name == "slob"
    assert linuxmm.boot("6.1", config=SLOB_39).implementations["slab"].name == "slob"
    with pytest.raises(ConfigError) as exc:
        linuxmm.boot("6.1", config=["SLOB=y", "SLUB=y", "EXPERT=y"])
    assert str(exc.value) == "CONFIG_SLOB and CONFIG_SLUB are alternatives; choose one"


def test_slob_deprecated_62_63_and_removed_64():
    assert linuxmm.boot("6.3", config=SLOB_62).implementations["slab"].name == "slob"
    with pytest.raises(ConfigError) as exc:
        linuxmm.boot("6.3", config=["SLOB=y"])
    msg = str(exc.value)
    assert msg.startswith("CONFIG_SLOB cannot be set at v6.3: it has no prompt there; its value follows "
                          "SLOB_DEPRECATED (")
    assert "choose CONFIG_SLOB_DEPRECATED (needs CONFIG_EXPERT; 149b6fa228ed)" in msg
    with pytest.raises(ConfigError) as exc:
        linuxmm.boot("6.3", config=["SLOB_DEPRECATED=y"])
    assert str(exc.value) == ("CONFIG_SLOB_DEPRECATED=y is impossible at v6.3: it depends on EXPERT && !PREEMPT_RT "
                              "(CONFIG_EXPERT=n, CONFIG_PREEMPT_RT is not in this release)")
    with pytest.raises(ConfigError) as exc:
        linuxmm.boot("6.4", config=["SLOB=y"])
    msg = str(exc.value)
    assert msg.startswith('CONFIG_SLOB is not in v6.4: it was removed in v6.4-rc1 (c9929f0e344a "mm/slob: remove '
                          'CONFIG_SLOB")')
    assert "mm/slob.c with 6630e950d532" in msg
    with pytest.raises(ConfigError) as exc:
        linuxmm.boot("6.4", config=["SLOB_DEPRECATED=y"])
    assert str(exc.value).startswith("CONFIG_SLOB_DEPRECATED is not in v6.4: it was removed in v6.4-rc1")


def test_slub_parameters_are_refused_and_no_slabinfo():
    with pytest.raises(ConfigError) as exc:
        linuxmm.boot("2.6.28", config=SLOB_26, cmdline="slub_debug=FZ")
    assert str(exc.value) == ("slub_debug= is a SLUB parameter (mm/slub.c); this kernel runs SLOB, which does not "
                              "know it (the kernel would pass it on to init)")
    k = slob("2.6.28")
    with pytest.raises(NotInThisKernel) as exc:
        k.proc("slabinfo")
    assert str(exc.value) == ("/proc/slabinfo is not in this v2.6.28 kernel: SLOB does not provide it (the file "
                              "needs CONFIG_SLAB, later CONFIG_SLAB or CONFIG_SLUB_DEBUG)")


# -- 2.6.16-2.6.22: the K&R heap -----------------------------------------------------------------------
def test_kr_heap_layout_2620():
    k = slob("2.6.20")
    a = k.kmalloc(64, GFP_KERNEL)
    base = page_of(a)
    assert a == base + 16  # one 16-byte header unit
    b = k.kmalloc(100, GFP_KERNEL)
    assert b == base + 80 + 16  # 64 + 16 is five units
    assert k.ksize(a) == 80 and k.ksize(b) == 128  # the units, header included
    assert k.memory.read(a - 16, 4) == (5).to_bytes(4, "little")  # the header holds the units
    assert k.slab.fstarts == [base + 208] and k.slab.funits == {base + 208: 256 - 13}
    k.kfree(a)
    k.kfree(b)
    assert k.slab.funits == {base: 256}  # merged back into one page-long block
    assert k.page_alloc.allocated_pages() == 1  # pages stay in the heap...
    assert k.slab.slob_timer_cbk() == base  # ...until the timer takes a whole free page back
    assert k.page_alloc.allocated_pages() == 0 and k.slab.slob_timer_cbk() == 0
    k.check()


def test_find_order_halves_the_size_until_2622():
    k = slob("2.6.20")
    p = k.kmalloc(8193, GFP_KERNEL)
    assert k.ksize(p) == 8192  # find_order(8193) is 1: the block is a byte short
    k22 = slob("2.6.22")
    assert k22.ksize(k22.kmalloc(8193, GFP_KERNEL)) == 16384  # get_order
    k.kfree(p)
    k.check()


def test_kmalloc_zero_and_kfree_zero_size_ptr_2622():
    k = slob("2.6.22")
    p = k.kmalloc(0, GFP_KERNEL)
    assert p > ZERO_SIZE_PTR and k.ksize(p) == 16  # a one-unit block: the header alone
    k.kfree(p)
    k.kfree(0)
    with pytest.raises(KernelOops):
        k.kfree(ZERO_SIZE_PTR)  # no ZERO_SIZE_PTR yet: slob_free reads the units at address 0
    assert list(k.dmesg)[-3:] == ["Unable to handle kernel NULL pointer dereference at 0000000000000000 RIP: ",
                                  " [<ffffffff80000000>] slob_free", "Oops: 0000 [1] "]


def test_hwcache_align_flag_2620_vs_2622():
    k = slob("2.6.20")
    c = k.kmem_cache_create("plain", 40, 0, SLAB_HWCACHE_ALIGN)  # 2.6.20 aligns only SLAB_MUST_HWCACHE_ALIGN
    f = k.kmem_cache_create("forced", 40, 0, SLAB_MUST_HWCACHE_ALIGN)
    assert (c.align, f.align) == (0, 64)
    assert k.kmem_cache_alloc(f, GFP_KERNEL) % 64 == 0
    k = slob("2.6.22")
    assert k.kmem_cache_create("plain", 40, 0, SLAB_HWCACHE_ALIGN).align == 64
    assert k.kmem_cache_create("rcu", 40, 0, SLAB_DESTROY_BY_RCU).size == 64  # the slob_rcu footer


def test_kzalloc_and_krealloc_2622():
    k = slob("2.6.22")
    p = k.kmalloc(40, GFP_KERNEL)
    k.memory.write(p, b"\xaa" * 40)
    k.kfree(p)
    q = k.kmalloc(40, GFP_KERNEL | __GFP_ZERO)
    assert q == p and k.memory.read(q, 40) == b"\xaa" * 40  # __GFP_ZERO is not SLOB's business yet
    k.kfree(q)
    z = k.kzalloc(40, GFP_KERNEL)
    assert z == p and k.memory.read(z, 40) == bytes(40)  # __kzalloc memsets
    assert k.krealloc(z, 0, GFP_KERNEL) == 0  # NULL, not ZERO_SIZE_PTR
    with pytest.raises(NotInThisKernel):
        slob("2.6.21").krealloc(0, 10, GFP_KERNEL)


# -- 2.6.23 onwards: pages on lists --------------------------------------------------------------------
def test_page_lists_layout_2628():
    k = slob("2.6.28")
    a = k.kmalloc(64, GFP_KERNEL)
    base = page_of(a)
    assert a == base + 8  # the 8-byte header holds the size
    b = k.kmalloc(100, GFP_KERNEL)
    assert b == base + 72 + 8
    assert k.memory.read(b - 8, 4) == (100).to_bytes(4, "little")
    assert k.ksize(a) == 64 and k.ksize(b) == 100 and k.ksize(k.kmalloc(101, GFP_KERNEL)) == 102
    sp = k.slab.pages[base >> 12]
    # 101 + 8 bytes are 55 units; aligned to 8, the block starts two units on, which stay free
    assert sp.free == [[90, 2], [147, 1901]] and sp.units == 1903
    assert k.kmalloc(0, GFP_KERNEL) == ZERO_SIZE_PTR
    k.kfree(ZERO_SIZE_PTR)
    # three lists from 2.6.26: 100 + 8 bytes is small, 500 + 8 is medium
    m = k.kmalloc(500, GFP_KERNEL)
    assert page_of(m) != base
    k24 = slob("2.6.24")
    assert page_of(k24.kmalloc(500, GFP_KERNEL)) == page_of(k24.kmalloc(100, GFP_KERNEL))


def test_next_fit_rotates_the_serving_page_to_the_front():
    k = slob("6.2")
    c = k.kmem_cache_create("obj200", 200)  # 100 units, small list; the 56-byte descriptor takes 28 units
    objs = [k.kmem_cache_alloc(c, GFP_KERNEL) for _ in range(40)]
    a, b = page_of(objs[0]), page_of(objs[39])
    assert [page_of(o) for o in objs].count(a) == 20  # 2048 - 28 units: 20 objects, 20 units left
    small = k.slab.free_slob_small
    assert [sp.addr for sp in small] == [b, a]  # a new page goes to the head
    k.kmem_cache_free(c, objs[1])  # a hole of 100 units in the second page
    assert k.kmem_cache_alloc(c, GFP_KERNEL) == objs[1]
    assert [sp.addr for sp in small] == [a, b]  # the page that served comes first
    new = k.kmem_cache_alloc(c, GFP_KERNEL)
    assert [sp.addr for sp in small] == [page_of(new), a, b]


def test_ksize_2623_reads_the_wrong_bytes_and_krealloc_copies_two():
    k = slob("2.6.23")
    p = k.kmalloc(100, GFP_KERNEL)
    assert k.ksize(p) == 2  # the s16 before the object (bytes 6-7 of the header, zero) plus 2
    k.memory.write(p, bytes(range(100)))
    q = k.krealloc(p, 200, GFP_KERNEL)
    assert q != p and k.memory.read(q, 4) == bytes([0, 1, 0, 0])  # only ksize() == 2 bytes were copied
    k = slob("2.6.27")
    assert k.ksize(k.kmalloc(100, GFP_KERNEL)) == 100


def test_ksize_null():
    assert slob("2.6.23").ksize(0) == 0
    with pytest.raises(KernelBug):
        slob("2.6.24").ksize(0)  # BUG_ON(!block)
    assert slob("6.2").ksize(0) == 0  # 6.1's ksize() checks first


def test_failed_kmalloc_returns_8_until_2626():
    for version, want in (("2.6.24", 8), ("2.6.26", 0)):
        k = slob(version, mem="16M")
        pa = k.page_alloc
        for order in range(10, -1, -1):
            while pa.alloc_block(order, GFP_KERNEL):
                pass
        assert k.kmalloc(64, GFP_KERNEL) == want  # (void *)m + align with m NULL
        k.kfree(want)  # ZERO_OR_NULL_PTR: a no-op


def test_large_kmalloc_and_ksize():
    k = slob("2.6.28")
    p = k.kmalloc(PAGE_SIZE - 8, GFP_KERNEL)  # from PAGE_SIZE - 8: pages of its own
    assert p == page_of(p) and k.ksize(p) == PAGE_SIZE - 8  # page->private
    big = k.kmalloc(10000, GFP_KERNEL)
    assert k.ksize(big) == 10000
    k.kfree(big)
    k.kfree(p)
    assert k.page_alloc.allocated_pages() == 0
    k = slob("3.10")
    assert k.ksize(k.kmalloc(10000, GFP_KERNEL)) == 16384  # PAGE_SIZE << compound_order


def test_natural_alignment_from_54():
    k = slob("5.3")
    assert k.kmalloc(64, GFP_KERNEL) % PAGE_SIZE == 8
    k = slob("5.4")
    p = k.kmalloc(64, GFP_KERNEL)
    assert p % PAGE_SIZE == 64  # the header at 56, the object aligned to 64
    sp = k.slab.pages[p >> 12]
    assert sp.free[0] == [0, 28]  # the unaligned head stays free
    assert k.kmalloc(24, GFP_KERNEL) % PAGE_SIZE == 8  # not a power of two: it fills the head


def test_meminfo_slab_from_54():
    k = slob("5.3")
    k.kmalloc(64, GFP_KERNEL)
    k.kmalloc(10000, GFP_KERNEL)
    assert k.slab.meminfo() == {"Slab": 0, "SReclaimable": 0, "SUnreclaim": 0}  # SLOB counted nothing
    assert "Slab:                  0 kB" in k.proc("meminfo")
    k = slob("5.4")
    k.kmalloc(64, GFP_KERNEL)
    assert k.slab.meminfo() == {"Slab": 4, "SReclaimable": 0, "SUnreclaim": 4}
    k.kmalloc(10000, GFP_KERNEL)
    assert k.slab.meminfo()["SUnreclaim"] == 4 + 16  # 6a486c0ad4dc: large kmallocs too


def test_kmem_cache_descriptor_per_era():
    # 2.6.28: a 32-byte descriptor block, objects aligned to the line with SLAB_HWCACHE_ALIGN
    k = slob("2.6.28")
    c = k.kmem_cache_create("foo", 40, 0, SLAB_HWCACHE_ALIGN)
    base = page_of(c.addr)
    assert c.addr == base and (c.size, c.align) == (40, 64)
    assert k.kmem_cache_alloc(c, GFP_KERNEL) == base + 64
    # 3.10: the descriptor (64 bytes) from kmem_cache_boot, the name kstrdup'd by kmalloc
    k = slob("3.10")
    c = k.kmem_cache_create("foo", 40, 0, SLAB_HWCACHE_ALIGN)
    base = page_of(c.addr)
    assert c.addr == base and c.name_addr == base + 72 and k.memory.read(c.name_addr, 4) == b"foo\0"
    assert k.kmem_cache_alloc(c, GFP_KERNEL) == base + 128
    # 4.4: kstrdup_const keeps the literal; 6.2: a 56-byte descriptor, halved line for small objects
    k = slob("4.4")
    c = k.kmem_cache_create("foo", 40, 0, SLAB_HWCACHE_ALIGN)
    assert c.name_addr == 0 and k.kmem_cache_alloc(c, GFP_KERNEL) == c.addr + 64
    k = slob("6.2")
    c = k.kmem_cache_create("small", 24, 0, SLAB_HWCACHE_ALIGN)
    assert c.align == 32 and k.kmem_cache_alloc(c, GFP_KERNEL) == c.addr + 64
    c = k.kmem_cache_create("odd", 23)
    assert (c.object_size, c.size) == (23, 24)  # 6.1 rounds to the unit


def test_kmem_cache_ctor_every_time_and_large_objects():
    k = slob("2.6.28")
    seen = []
    c = k.kmem_cache_create("ctor", 100, 0, 0, seen.append)
    x = k.kmem_cache_alloc(c, GFP_KERNEL)
    k.kmem_cache_free(c, x)
    y = k.kmem_cache_alloc(c, GFP_KERNEL)
    assert seen == [x, y] and x == y  # the constructor runs on every allocation
    big = k.kmem_cache_create("big", 5000)
    assert big.summary() == "object size 5000, aligned to 8, from pages of order 1"
    o = k.kmem_cache_alloc(big, GFP_KERNEL)
    assert o == page_of(o)
    k.kmem_cache_free(big, o)
    k.kmem_cache_destroy(big)
    st = k.slab.cache_stats("ctor")
    assert (st["allocs"], st["frees"]) == (2, 1)
    k.check()


def test_what_slob_never_checked():
    k = slob("6.2")
    keep = k.kmalloc(64, GFP_KERNEL)  # keeps the page in the heap
    p = k.kmalloc(64, GFP_KERNEL)
    k.kfree(p)
    before = list(k.dmesg)
    k.kfree(p)  # a double free: the kernel says nothing
    c = k.kmem_cache_create("c", 64)
    o = k.kmem_cache_alloc(c, GFP_KERNEL)
    k.kfree(o)  # kfree of a kmem_cache_alloc object: SLOB reads a size that is not there
    assert list(k.dmesg) == before
    problems = k.violations()
    assert problems[0].startswith(f"slab: kfree({p:#x}) of a block that is free (a double free); SLOB does not check")
    assert problems[1].startswith(f"slab: kfree({o:#x}) of a kmem_cache_alloc object")
    k.kfree(keep + 5 * PAGE_SIZE)
    assert k.violations()[2] == (f"slab: kfree({keep + 5 * PAGE_SIZE:#x}) of a pointer in no SLOB page and no "
                                 f"kmalloc'd block; SLOB does not check this and frees that page to the page "
                                 f"allocator (the model left its heap unchanged)")


def test_workload_ops_on_slob():
    from linuxmm import workload

    wl = workload.loads('[[op]]\nkmem_cache_create = "c"\nsize = 40\nflags = "SLAB_HWCACHE_ALIGN"\n'
                        '[[op]]\nkmem_cache_alloc = "o"\ncache = "c"\n[[op]]\nkmalloc = "m"\nsize = 0\n', "t.toml")
    lines = []
    assert workload.run(slob("2.6.28"), wl, lines.append) == 0
    out = "\n".join(lines)
    assert "kmem_cache_create c size=40 -> object size 40, aligned to 64, from the shared SLOB heap" in out
    assert "kmalloc m size=0 gfp=GFP_KERNEL -> ZERO_SIZE_PTR" in out


# -- accounting always balances ---------------------------------------------------------------------------
ACTIONS = st.lists(st.tuples(st.sampled_from(["kmalloc", "kfree", "cache_alloc", "cache_free", "zalloc", "tick"]),
                             st.integers(0, 9000), st.integers(0, 10_000)), max_size=120)


@settings(max_examples=30, deadline=None)
@given(version=st.sampled_from(["2.6.20", "2.6.22", "2.6.24", "2.6.28", "3.10", "5.4", "6.3"]), actions=ACTIONS)
def test_accounting_always_balances(version, actions):
    k = slob(version, mem="64M")
    pa = k.page_alloc
    caches = [k.kmem_cache_create("prop", 136, 0, SLAB_HWCACHE_ALIGN), k.kmem_cache_create("wide", 600, 256)]
    held, objs = [], []
    for what, size, pick in actions:
        if what in ("kmalloc", "zalloc"):
            n = size % 5000
            p = (k.kmalloc if what == "kmalloc" else k.kzalloc)(n, GFP_KERNEL)
            if p and (p != ZERO_SIZE_PTR or not k.slab.zero_size_ptr):
                held.append(p)
                if what == "zalloc":
                    assert k.memory.read(p, n) == bytes(n)
        elif what == "kfree" and held:
            k.kfree(held.pop(pick % len(held)))
        elif what == "cache_alloc":
            c = caches[pick % 2]
            o = k.kmem_cache_alloc(c, GFP_KERNEL)
            assert o % max(c.align, 1) == 0
            objs.append((c, o))
        elif what == "cache_free" and objs:
            k.kmem_cache_free(*objs.pop(pick % len(objs)))
        elif what == "tick" and hasattr(k.slab, "slob_timer_cbk"):
            k.slab.slob_timer_cbk()
        assert k.slab.audit() == []
        assert pa.allocated_pages() == k.slab.pages_held() + k.slab.large_pages
    for p in held:
        k.kfree(p)
    for c, o in objs:
        k.kmem_cache_free(c, o)
    for c in caches:
        k.kmem_cache_destroy(c)
    assert k.slab.audit() == [] and k.slab.large_pages == 0
    if type(k.slab).__name__ == "Slob23":
        assert pa.allocated_pages() == 0  # every page goes back once its last unit is free


def test_slob_on_another_cpu_shares_its_heap():
    """SLOB has no per-CPU state: ``on_cpu`` changes nothing but the CPU, and a block freed there is reused."""
    k = slob("2.6.26", cpus=2)
    with k.on_cpu(1):
        p = k.kmalloc(100, GFP_KERNEL)
    with k.on_cpu(0):
        k.kfree(p)
        assert k.kmalloc(100, GFP_KERNEL) == p
    assert k.slab.cpu == 0 and k.violations() == []
