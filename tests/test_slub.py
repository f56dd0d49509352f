"""SLUB (mm/slub.c, 2.6.22-6.18): slab orders, objects per slab, slabinfo lines, merging, kmalloc limits, accounting."""

import pytest
from hypothesis import given, settings, strategies as st

import linuxmm
from linuxmm import GFP_DMA, GFP_KERNEL, ZERO_SIZE_PTR, __GFP_RECLAIMABLE, __GFP_ZERO
from linuxmm.errors import ArgumentError, ConfigError, KernelBug

BASE_612 = 0xFFFF888000000000


def slabinfo_line(k, name):
    lines = [l for l in k.proc("slabinfo").splitlines() if l.split()[0] == name]
    assert len(lines) == 1, name
    return lines[0]


def geometry(k, name):
    """(object size, objects per slab, pages per slab) as /proc/slabinfo prints them."""
    f = slabinfo_line(k, name).split()
    return int(f[3]), int(f[4]), int(f[5])


def test_kmalloc_geometry_612_one_cpu():
    # calculate_order with min_objects = 4 * (fls(1) + 1) = 8, slub_max_order 3 (6.12 mm/slub.c)
    k = linuxmm.boot("6.12")
    assert geometry(k, "kmalloc-8") == (8, 512, 1)
    assert geometry(k, "kmalloc-96") == (96, 42, 1)
    assert geometry(k, "kmalloc-192") == (192, 21, 1)
    assert geometry(k, "kmalloc-512") == (512, 8, 1)
    assert geometry(k, "kmalloc-1k") == (1024, 8, 2)  # get_order(8 * 1024) = 1
    assert geometry(k, "kmalloc-2k") == (2048, 8, 4)
    assert geometry(k, "kmalloc-4k") == (4096, 8, 8)
    assert geometry(k, "kmalloc-8k") == (8192, 4, 8)  # min_objects capped at the 4 that fit in order 3


def test_kmalloc_geometry_612_four_cpus():
    # min_objects = 4 * (fls(4) + 1) = 16
    k = linuxmm.boot("6.12", cpus=4)
    assert geometry(k, "kmalloc-512") == (512, 16, 2)
    assert geometry(k, "kmalloc-1k") == (1024, 16, 4)
    assert geometry(k, "kmalloc-2k") == (2048, 16, 8)


def test_kmalloc_geometry_2624():
    # 2.6.24: slub_min_objects 4, slub_max_order 1, fractions 1/8 then 1/4; caches only up to 2048
    k = linuxmm.boot("2.6.24")
    assert geometry(k, "kmalloc-1024") == (1024, 4, 1)
    assert geometry(k, "kmalloc-2048") == (2048, 4, 2)
    assert "kmalloc-4096" not in k.proc("slabinfo")


@pytest.mark.parametrize("version, size, order, objects", [
    ("2.6.22", 1500, 1, 5),   # min_objects 4 -> order 1; 8192 % 1500 = 692 <= 8192/8
    ("2.6.22", 3000, 0, 1),   # no order <= 1 fits two: one object per page
    ("2.6.26", 3000, 3, 10),  # min_objects 8, max order 3; 32768 % 3000 = 2768 <= 32768/8
    ("6.5", 11008, 2, 1),     # min_objects capped at 2, no fraction fits; one object at order 2
    ("6.8", 11008, 3, 2),     # the 6.7 refactor: fraction 1/2 accepts order 3 with 2 objects
])
def test_calculate_order_by_era(version, size, order, objects):
    cfg = ["SLUB=y"] if not linuxmm.history().resolve(version).has("16a1d968358a") else None
    k = linuxmm.boot(version, config=cfg, cmdline="slub_nomerge")
    s = k.kmem_cache_create("test", size)
    assert (s.order, s.objects) == (order, objects)


def test_slabinfo_lines_after_100_kmallocs_and_50_frees():
    k = linuxmm.boot("6.12")
    ps = [k.kmalloc(64, GFP_KERNEL) for _ in range(100)]
    # the first slab's objects in address order, the second slab the next page
    assert ps[:2] == [0xFFFF888001403000, 0xFFFF888001403040] and ps[64] == 0xFFFF888001404000
    # SLUB counts the CPU slab's free objects as active: 2 slabs x 64
    assert slabinfo_line(k, "kmalloc-64") == (
        "kmalloc-64           128    128     64   64    1 : tunables    0    0    0 : slabdata      2      2      0")
    for p in ps[:50]:
        k.kfree(p)  # the full first slab becomes partial: its 50 free objects are no longer active
    assert slabinfo_line(k, "kmalloc-64") == (
        "kmalloc-64            78    128     64   64    1 : tunables    0    0    0 : slabdata      2      2      0")
    # kmem_cache holds the 41 boot caches' struct kmem_cache (2 slabs of 21)
    assert slabinfo_line(k, "kmem_cache") == (
        "kmem_cache            42     42    192   21    1 : tunables    0    0    0 : slabdata      2      2      0")
    assert k.slab.meminfo() == {"Slab": 20, "SReclaimable": 0, "SUnreclaim": 20}
    assert k.slab.audit() == []


def test_slabinfo_header_and_order_newest_first():
    k = linuxmm.boot("6.12")
    k.kmem_cache_create("mine", 300)
    lines = k.proc("slabinfo").splitlines()
    assert lines[0] == "slabinfo - version: 2.1"
    assert lines[1] == ("# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : "
                        "tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> "
                        "<sharedavail>")
    names = [l.split()[0] for l in lines[2:]]
    assert names[0] == "mine" and names[1] == "dma-kmalloc-8k" and names[-3:] == [
        "kmalloc-96", "kmem_cache_node", "kmem_cache"]


def test_no_slabinfo_before_2624():
    k = linuxmm.boot("2.6.22", config=["SLUB=y"])
    with pytest.raises(linuxmm.NotInThisKernel) as exc:
        k.proc("slabinfo")
    assert "SLUB provides it from v2.6.24" in str(exc.value)


def test_counters_fast_and_slow_paths():
    k = linuxmm.boot("6.12")
    for _ in range(10):
        k.kfree(k.kmalloc(64, GFP_KERNEL))
    st = k.slab.cache_stats("kmalloc-64")
    assert (st["alloc_slowpath"], st["alloc_fastpath"], st["free_fastpath"], st["free_slowpath"]) == (1, 9, 10, 0)
    assert (st["allocs"], st["frees"], st["slabs_created"], st["slabs_destroyed"]) == (10, 10, 1, 0)


def test_free_on_another_cpu_is_a_slow_path_free_into_a_frozen_slab():
    k = linuxmm.boot("6.12", cpus=2)
    p = k.kmalloc(64, GFP_KERNEL)
    with k.on_cpu(1):
        k.kfree(p)
    st = k.slab.cache_stats("kmalloc-64")
    assert st["free_slowpath"] == 1 and st["free_frozen"] == 1 and st["free_fastpath"] == 0
    # CPU 0 finds the object again when its freelist runs dry (ALLOC_REFILL)
    got = [k.kmalloc(64, GFP_KERNEL) for _ in range(64)]
    assert got[-1] == p and k.slab.cache_stats("kmalloc-64")["alloc_refill"] == 1
    assert k.slab.audit() == []


def test_merging_and_slab_nomerge():
    k = linuxmm.boot("6.12")
    foo = k.kmem_cache_create("foo", 60)
    assert foo.name == "kmalloc-64" and foo.aliases == ["foo"]
    assert k.slab.find_cache("foo") is foo
    assert k.kmem_cache_create("ctor", 60, ctor=lambda p: None).name == "ctor"  # a constructor never merges
    k = linuxmm.boot("6.12", cmdline="slab_nomerge")
    assert k.kmem_cache_create("foo", 60).name == "foo"
    k = linuxmm.boot("3.10", cmdline="slub_nomerge")
    assert k.kmem_cache_create("foo", 60).name == "foo"
    # 3.10 had no slab_nomerge: the word is unknown to it and merging stays on
    k = linuxmm.boot("3.10", cmdline="slab_nomerge")
    assert k.kmem_cache_create("foo", 60).name == "kmalloc-64"


def test_kmalloc_zero_null_and_zero_size_ptr():
    k = linuxmm.boot("6.12")
    assert k.kmalloc(0, GFP_KERNEL) == ZERO_SIZE_PTR == 16
    k.kfree(0)
    k.kfree(ZERO_SIZE_PTR)
    assert k.ksize(ZERO_SIZE_PTR) == 0
    assert linuxmm.boot("2.6.22", config=["SLUB=y"]).kmalloc(0, GFP_KERNEL) == 16


@pytest.mark.parametrize("version, biggest_cache, first_large", [
    ("2.6.24", 2048, 2049),   # > PAGE_SIZE/2 goes to the page allocator
    ("2.6.26", 4096, 4097),   # > PAGE_SIZE
    ("2.6.30", 8192, 8193),   # > 2 * PAGE_SIZE (SLUB_MAX_SIZE)
    ("6.12", 8192, 8193),     # KMALLOC_MAX_CACHE_SIZE
])
def test_large_kmalloc_cutoff_by_era(version, biggest_cache, first_large):
    cfg = ["SLUB=y"] if version.startswith("2.") else None
    k = linuxmm.boot(version, config=cfg)
    small = k.kmalloc(biggest_cache, GFP_KERNEL)
    assert k.slab.slab_of[small >> 12].cache.object_size == biggest_cache
    big = k.kmalloc(first_large, GFP_KERNEL)
    assert big % 4096 == 0 and (big >> 12) not in k.slab.slab_of
    order = (first_large - 1).bit_length() - 12
    assert k.ksize(big) == 4096 << order
    used = k.page_alloc.allocated_pages()
    k.kfree(big)
    assert k.page_alloc.allocated_pages() == used - (1 << order)


def test_oversize_kmalloc_by_era():
    # 2.6.22: caches up to KMALLOC_MAX_SIZE (4 MB); kmalloc_index() is -1 beyond and get_slab() BUG_ONs
    k = linuxmm.boot("2.6.22", config=["SLUB=y"])
    assert k.slab.slab_of[k.kmalloc(4 << 20, GFP_KERNEL) >> 12].cache.name == "kmalloc-4194304"
    with pytest.raises(KernelBug):
        k.kmalloc((4 << 20) + 1, GFP_KERNEL)
    assert k.dmesg[-1] == "kernel BUG at mm/slub.c:2187!"
    # 6.12: the page allocator refuses order 11 with its warning, and kmalloc returns NULL
    k = linuxmm.boot("6.12")
    assert k.kmalloc(8 << 20, GFP_KERNEL) == 0


def test_dma_and_reclaimable_kmalloc_caches():
    k = linuxmm.boot("6.12")
    p = k.kmalloc(100, GFP_DMA)
    assert k.slab.slab_of[p >> 12].cache.name == "dma-kmalloc-128"
    assert p - BASE_612 < 16 << 20  # ZONE_DMA
    q = k.kmalloc(100, GFP_KERNEL | __GFP_RECLAIMABLE)
    assert k.slab.slab_of[q >> 12].cache.name == "kmalloc-rcl-128"
    assert k.slab.meminfo()["SReclaimable"] == 4
    # 2.6.30: the DMA cache is made on first use
    k = linuxmm.boot("2.6.30")
    assert "kmalloc_dma-128" not in k.proc("slabinfo")
    k.kmalloc(100, GFP_DMA)
    assert k.proc("slabinfo").splitlines()[2].startswith("kmalloc_dma-128 ")


def test_kzalloc_krealloc_ksize():
    k = linuxmm.boot("6.12")
    p = k.kmalloc(50, GFP_KERNEL)
    k.memory.write(p, b"x" * 64)
    k.kfree(p)
    z = k.kzalloc(50, GFP_KERNEL)
    assert z == p and k.memory.read(z, 64) == bytes(64)  # the whole kmalloc-64 object is cleared
    assert k.ksize(z) == 64
    k.memory.write(z, b"hello")
    assert k.krealloc(z, 60, GFP_KERNEL) == z  # fits in ksize: same object
    w = k.krealloc(z, 100, GFP_KERNEL)
    assert w != z and k.memory.read(w, 5) == b"hello" and k.ksize(w) == 128
    assert k.krealloc(w, 0, GFP_KERNEL) == ZERO_SIZE_PTR
    assert k.slab.audit() == []


def test_init_on_alloc_and_free():
    k = linuxmm.boot("6.12", cmdline="init_on_free=1")
    p = k.kmalloc(32, GFP_KERNEL)
    k.memory.write(p, b"secret")
    k.kfree(p)
    assert k.memory.read(p, 6) == bytes(6)
    k = linuxmm.boot("6.12", cmdline="init_on_alloc=1")
    p = k.kmalloc(32, GFP_KERNEL)
    k.memory.write(p, b"secret")
    k.kfree(p)
    q = k.kmalloc(32, GFP_KERNEL)
    assert q == p and k.memory.read(q, 6) == bytes(6)


def test_kmem_cache_lifecycle():
    k = linuxmm.boot("6.12", cmdline="slab_nomerge")
    s = k.kmem_cache_create("thing", 200, 0, 0)
    objs = [k.kmem_cache_alloc(s, GFP_KERNEL) for _ in range(30)]
    assert (s.objects, s.order) == (20, 0)
    assert slabinfo_line(k, "thing").split()[1:3] == ["40", "40"]
    z = k.kmem_cache_zalloc(s, GFP_KERNEL)
    assert k.memory.read(z, 200) == bytes(200)
    for p in objs + [z]:
        k.kmem_cache_free(s, p)
    assert k.kmem_cache_shrink(s) == 0
    used = k.page_alloc.allocated_pages()
    k.kmem_cache_destroy(s)
    assert "thing" not in k.proc("slabinfo") and k.page_alloc.allocated_pages() <= used
    with pytest.raises(ArgumentError) as exc:
        k.kmem_cache_alloc(s, GFP_KERNEL)
    assert "was destroyed" in str(exc.value)
    assert k.slab.audit() == []


def test_destroy_with_objects_left():
    k = linuxmm.boot("6.12", cmdline="slab_nomerge")
    s = k.kmem_cache_create("leaky", 100)
    k.kmem_cache_alloc(s, GFP_KERNEL)
    k.kmem_cache_destroy(s)
    assert "kmem_cache_destroy leaky: Slab cache still has objects" in k.dmesg
    assert "leaky" in k.proc("slabinfo")


def test_argument_errors_are_one_line():
    k = linuxmm.boot("6.12")
    for call, message in [
        (lambda: k.kmalloc(64.0, GFP_KERNEL), "kmalloc: size must be an int, not float 64.0"),
        (lambda: k.kmalloc(True, GFP_KERNEL), "kmalloc: size must be an int, not a bool (True)"),
        (lambda: k.kmalloc(-1, GFP_KERNEL), "kmalloc: size must be at least 0, not -1"),
        (lambda: k.kmalloc(64, None), "kmalloc: flags must be an int, not None"),
        (lambda: k.kfree("x"), "kfree: objp must be an int, not str 'x'"),
        (lambda: k.kmem_cache_alloc("cache", GFP_KERNEL),
         "kmem_cache_alloc: cachep must be a cache from kmem_cache_create() of this kernel, not str"),
        (lambda: k.kmem_cache_create("", 10), "kmem_cache_create: name must be a non-empty string, not ''"),
        (lambda: k.kmem_cache_create("a", 10, 3), "kmem_cache_create: align must be 0 or a power of two, not 3"),
    ]:
        with pytest.raises(ArgumentError) as exc:
            call()
        assert str(exc.value) == message


def test_boot_line_and_no_pages_until_first_use():
    k = linuxmm.boot("6.12", cpus=2)
    assert "SLUB: HWalign=64, Order=0-3, MinObjects=0, CPUs=2, Nodes=1" in k.dmesg
    assert k.slab.slab_pages() == 0  # kmem_cache_init's own objects come at the first call
    k.kfree(0)
    assert k.slab.slab_pages() == 3
    k = linuxmm.boot("2.6.24")
    assert "SLUB: Genslabs=11, HWalign=64, Order=0-1, MinObjects=4, CPUs=1, Nodes=1" in k.dmesg


ACTIONS = st.lists(st.tuples(st.sampled_from(["kmalloc", "kfree", "cache_alloc", "cache_free", "cpu"]),
                             st.integers(0, 5000), st.integers(0, 10_000)), max_size=150)


@settings(max_examples=25, deadline=None)
@given(version=st.sampled_from(["2.6.22", "2.6.24", "2.6.30", "4.4", "6.12"]), actions=ACTIONS)
def test_accounting_always_balances(version, actions):
    cfg = ["SLUB=y"] if version.startswith("2.") else None
    k = linuxmm.boot(version, cpus=2, config=cfg, mem="64M")
    pa = k.page_alloc
    s = k.kmem_cache_create("prop", 136)
    held, objs = [], []
    for what, size, pick in actions:
        if what == "kmalloc":
            p = k.kmalloc(size % 3000, GFP_KERNEL)
            if p > ZERO_SIZE_PTR:
                held.append(p)
        elif what == "kfree" and held:
            k.kfree(held.pop(pick % len(held)))
        elif what == "cache_alloc":
            objs.append(k.kmem_cache_alloc(s, GFP_KERNEL))
        elif what == "cache_free" and objs:
            k.kmem_cache_free(s, objs.pop(pick % len(objs)))
        elif what == "cpu":
            k.slab.switch_cpu(pick % 2)
            k.rebind()
        assert k.slab.audit() == []
        assert pa.nr_free_pages() + pa.allocated_pages() + pa.reserved_pages() == pa.nr_pages
    rows = {r.name: r for r in k.slab.slabinfo_rows()}
    assert sum(r.num_slabs * r.pagesperslab for r in rows.values()) == k.slab.slab_pages()
    assert k.slab.meminfo()["Slab"] == k.slab.slab_pages() * 4
    for p in held:
        k.kfree(p)
    for p in objs:
        k.kmem_cache_free(s, p)
    assert k.slab.large_pages == 0 and k.slab.audit() == []


def test_kconfig_choice_per_era():
    assert linuxmm.boot("2.6.22").implementations["slab"].name == "slab"  # SLAB is the default
    assert linuxmm.boot("2.6.22", config=["SLUB=y"]).implementations["slab"].name == "slub"
    assert linuxmm.boot("2.6.23").implementations["slab"].name == "slub"  # a0acd8208076
    with pytest.raises(ConfigError) as exc:
        linuxmm.boot("2.6.21", config=["SLUB=y"])
    assert str(exc.value).startswith("CONFIG_SLUB is not in v2.6.21: it appeared in v2.6.22-rc1 (81819f0fc828")
    with pytest.raises(ConfigError) as exc:
        linuxmm.boot("6.8", config=["SLUB=n"])
    assert str(exc.value) == ("CONFIG_SLUB cannot be set at v6.8: it has no prompt there (from v6.8 (16a1d968358a) "
                              "SLUB is the only slab allocator: CONFIG_SLUB is def_bool y)")
    with pytest.raises(ConfigError) as exc:
        linuxmm.boot("6.1", config=["SLAB=y", "SLUB=y"])
    assert str(exc.value) == "CONFIG_SLAB and CONFIG_SLUB are alternatives; choose one"
    with pytest.raises(ConfigError) as exc:
        linuxmm.boot("6.12", config=["SLUB_TINY=y"])
    assert str(exc.value) == "CONFIG_SLUB_TINY=y is impossible at v6.12: it depends on EXPERT"
    tiny = linuxmm.boot("6.12", config=["SLUB_TINY=y", "EXPERT=y"]).slab
    assert tiny.slub_max_order == 1


def test_slub_debug_needs_config_slub_debug():
    with pytest.raises(ConfigError) as exc:
        linuxmm.boot("6.12", config=["SLUB_DEBUG=n"])
    assert "CONFIG_SLUB_DEBUG=n needs its prompt" in str(exc.value)
    k = linuxmm.boot("6.12", config=["SLUB_DEBUG=n", "EXPERT=y"])
    with pytest.raises(linuxmm.NotInThisKernel):
        k.proc("slabinfo")
