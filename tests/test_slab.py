"""SLAB (mm/slab.c): 2.2's chain, 2.4 and 2.6-6.7's per-CPU arrays; geometry, slabinfo 1.0/1.1/2.x, accounting."""

import pytest
from hypothesis import given, settings, strategies as st

import linuxmm
from linuxmm import GFP_KERNEL, ZERO_SIZE_PTR
from linuxmm.errors import ConfigError, KernelBug, NotInThisKernel


def row(k, name):
    return [l for l in k.proc("slabinfo").splitlines() if l.split()[0] == name][0]


def geometry(k, name):
    f = row(k, name).split()
    return int(f[3]), int(f[4]), int(f[5])


def test_the_implementation_per_era():
    assert linuxmm.boot("2.2").implementations["slab"].name == "slab"
    assert type(linuxmm.boot("2.2").slab).__name__ == "Slab22"
    assert type(linuxmm.boot("2.4").slab).__name__ == "Slab26"
    assert linuxmm.boot("2.6.22").implementations["slab"].name == "slab"  # still the default
    assert linuxmm.boot("2.0").implementations.get("slab") is None or \
        linuxmm.boot("2.0").implementations["slab"].name != "slab"


def test_geometry_2620():
    # struct slab (48 bytes) + a 4-byte bufctl per object on the slab, HWCACHE_ALIGN general caches,
    # off slab from 512 bytes; the break order is 1 above 32 MB of RAM [2.6.20 mm/slab.c]
    k = linuxmm.boot("2.6.20")
    assert geometry(k, "size-32") == (32, 112, 1)
    assert geometry(k, "size-64") == (64, 59, 1)
    assert geometry(k, "size-128") == (128, 30, 1)
    assert geometry(k, "size-192") == (192, 20, 1)
    assert geometry(k, "size-256") == (256, 15, 1)
    assert geometry(k, "size-512") == (512, 8, 1)
    assert geometry(k, "size-1024") == (1024, 4, 1)
    assert geometry(k, "size-4096") == (4096, 1, 1)
    assert geometry(k, "size-8192") == (8192, 1, 2)
    assert geometry(k, "size-131072") == (131072, 1, 32)
    assert geometry(k, "kmem_cache") == (384, 10, 1)
    assert "size-96" not in k.proc("slabinfo")  # L1_CACHE_BYTES is 64 on x86_64
    c = k.slab.find_cache("size-512")
    assert c.off_slab and c.slabp_cache.name == "size-128"


def test_tunables_and_shared_arrays():
    k = linuxmm.boot("2.6.20", cpus=2)
    assert row(k, "size-64").split(":")[1].split() == ["tunables", "120", "60", "8"]
    assert row(k, "size-512").split(":")[1].split() == ["tunables", "54", "27", "8"]
    assert row(k, "size-2048").split(":")[1].split() == ["tunables", "24", "12", "8"]
    assert row(k, "size-8192").split(":")[1].split() == ["tunables", "8", "4", "0"]  # no shared above a page
    k = linuxmm.boot("2.6.20")
    assert row(k, "size-64").split(":")[1].split() == ["tunables", "120", "60", "0"]  # UP: no shared array


def test_refill_and_lifo_2620():
    k = linuxmm.boot("2.6.20")
    k.kfree(0)  # boot: size-1024's off-slab descriptors took 3 objects of size-64 (a refill of 16)
    c = k.slab.find_cache("size-64")
    assert len(c.array[0].entry) == 13
    p = k.kmalloc(64, GFP_KERNEL)
    slab = k.slab.slab_of[p >> 12]
    assert slab.s_mem == slab.addr + 320 and p == slab.s_mem + 12 * 64  # the last object taken comes first
    ps = [p] + [k.kmalloc(64, GFP_KERNEL) for _ in range(99)]
    assert row(k, "size-64") == ("size-64              118    118     64   59    1 : tunables  120   60    0 : "
                                 "slabdata      2      2      0")
    for q in ps:
        k.kfree(q)
    # 120 fit in the array; each free past that flushes the oldest 60 to the slabs
    assert len(c.array[0].entry) <= 120 and k.slab.audit() == []
    st = k.slab.cache_stats("size-64")
    assert st["allochit"] + st["allocmiss"] == st["allocs"] and st["slabs_created"] == 2


def test_free_limit_destroys_slabs():
    k = linuxmm.boot("2.6.20", cmdline="")
    s = k.kmem_cache_create("big", 2000)
    assert (s.num, s.order, s.limit, s.batchcount) == (2, 0, 24, 12)
    objs = [k.kmem_cache_alloc(s, GFP_KERNEL) for _ in range(100)]
    for p in objs:
        k.kmem_cache_free(s, p)
    n = s.node
    # free_limit = (1 + cpus) * batchcount + num = 26: beyond it, emptied slabs go back to the pages
    assert n.free_limit == 26 and n.free_objects <= 26 + s.num
    assert k.kmem_cache_shrink(s) == 0 and len(s.array[0].entry) == 0
    k.kmem_cache_destroy(s)
    assert "big" not in k.proc("slabinfo") and k.slab.audit() == []


def test_kmalloc_zero_and_oversize_by_era():
    k = linuxmm.boot("2.6.22")
    p = k.kmalloc(0, GFP_KERNEL)
    assert p > ZERO_SIZE_PTR and k.slab.slab_of[p >> 12].cache.name == "size-32"
    assert linuxmm.boot("2.6.23", config=["SLAB=y"]).kmalloc(0, GFP_KERNEL) == ZERO_SIZE_PTR
    k = linuxmm.boot("2.6.20")
    assert k.kmalloc(131072, GFP_KERNEL) and k.kmalloc(131073, GFP_KERNEL) == 0  # NULL, silently
    k = linuxmm.boot("6.5", config=["SLAB_DEPRECATED=y"])
    big = k.kmalloc(8193, GFP_KERNEL)  # 6.1: above 8 KB to the page allocator
    assert big % 4096 == 0 and k.ksize(big) == 16384
    k.kfree(big)


def test_geometry_65():
    # 6.x: a byte-sized free index; in a free object when it fits (objfreelist), else at the slab's end
    k = linuxmm.boot("6.5", config=["SLAB_DEPRECATED=y"])
    assert geometry(k, "kmalloc-32") == (32, 124, 1)
    assert geometry(k, "kmalloc-64") == (64, 64, 1)
    assert geometry(k, "kmalloc-96") == (96, 42, 1)
    assert geometry(k, "kmalloc-192") == (192, 21, 1)
    assert geometry(k, "kmalloc-8192") == (8192, 1, 2)
    assert geometry(k, "kmem_cache") == (128, 32, 1)
    assert k.slab.find_cache("kmalloc-64").objfreelist


def test_slabinfo_10_and_the_22_chain():
    k = linuxmm.boot("2.2")
    ps = [k.kmalloc(64, GFP_KERNEL) for _ in range(100)]
    for p in ps[::3]:
        k.kfree(p)
    lines = k.proc("slabinfo").splitlines()
    assert lines[:3] == ["slabinfo - version: 1.0", "kmem_cache            14     42", "size-131072            0      0"]
    assert "size-64               66    126" in lines and lines[-1] == "slab_cache             0      0"
    c = k.slab.find_cache("size-64")
    # 64 + the bufctl word, padded to a 32-byte line: 96 bytes per object, 42 per page
    assert (c.stride, c.num, c.order, c.c_colour) == (96, 42, 0, 1)
    assert [s.inuse for s in c.chain] == [28, 28, 10]
    assert k.slab.audit() == []


def test_22_bad_kfree_oopses_and_missing_calls():
    k = linuxmm.boot("2.2")
    p = k.kmalloc(64, GFP_KERNEL)
    with pytest.raises(KernelBug):
        k.kfree(p + 40960)
    assert k.dmesg[-2:] == [f"kfree: Bad obj {p + 40960:08x}",
                            "Unable to handle kernel NULL pointer dereference at virtual address 00000000"]
    assert k.kmalloc(131073, GFP_KERNEL) == 0 and k.dmesg[-1] == "kmalloc: Size (131073) too large"
    with pytest.raises(NotInThisKernel) as exc:
        k.kzalloc(8, GFP_KERNEL)
    assert str(exc.value) == "kzalloc() is not in v2.2.0: it appeared in v2.6.14"
    with pytest.raises(NotInThisKernel):
        k.kmem_cache_destroy(None)


def test_slabinfo_11_smp():
    k = linuxmm.boot("2.4", cpus=2)
    lines = k.proc("slabinfo").splitlines()
    assert lines[0] == "slabinfo - version: 1.1 (SMP)"
    assert lines[1].startswith("kmem_cache ")
    assert row(k, "size-64").endswith(":  252  126") and row(k, "size-2048").endswith(":   60   30")
    assert row(k, "size-8192").endswith(":    0    0")
    k = linuxmm.boot("2.4")
    assert k.proc("slabinfo").splitlines()[0] == "slabinfo - version: 1.1"


def test_kconfig_slab_where_it_was():
    with pytest.raises(ConfigError) as exc:
        linuxmm.boot("2.0", config=["SLAB=y"])
    assert str(exc.value).startswith(
        "CONFIG_SLAB is not in v2.0: it appeared in v2.6.16-rc1 (10cef6029502 \"[PATCH] slob: introduce the SLOB "
        "allocator\"); SLAB (mm/slab.c, Mark Hemment's allocator) arrived "
        "during the 2.1 development series; v2.2.0 is the first stable release with it, and 2.0 still uses "
        "mm/kmalloc.c")
    with pytest.raises(ConfigError) as exc:
        linuxmm.boot("2.4", config=["SLAB=y"])
    assert str(exc.value).startswith("CONFIG_SLAB is not in v2.4.0: it appeared in v2.6.16-rc1")
    assert "until v2.6.16 (10cef6029502) mm/slab.c was always built, with no CONFIG_SLAB to set" in str(exc.value)
    with pytest.raises(ConfigError) as exc:
        linuxmm.boot("6.5", config=["SLAB=y"])
    assert str(exc.value).startswith("CONFIG_SLAB cannot be set at v6.5: it has no prompt there; its value follows "
                                     "SLAB_DEPRECATED")
    with pytest.raises(ConfigError) as exc:
        linuxmm.boot("6.8", config=["SLAB=y"])
    assert str(exc.value).startswith('CONFIG_SLAB is not in v6.8: it was removed in v6.8-rc1 (16a1d968358a '
                                     '"mm/slab: remove mm/slab.c and slab_def.h")')
    assert linuxmm.boot("6.7", config=["SLAB_DEPRECATED=y"]).implementations["slab"].name == "slab"


ACTIONS = st.lists(st.tuples(st.sampled_from(["kmalloc", "kfree", "cache_alloc", "cache_free", "cpu", "reap"]),
                             st.integers(0, 5000), st.integers(0, 10_000)), max_size=150)


@settings(max_examples=25, deadline=None)
@given(version=st.sampled_from(["2.2", "2.4", "2.6.20", "3.10", "6.5"]), actions=ACTIONS)
def test_accounting_always_balances(version, actions):
    cfg = ["SLAB_DEPRECATED=y"] if version == "6.5" else ["SLAB=y"] if version == "3.10" else None
    cpus = 1 if version == "2.2" else 2
    k = linuxmm.boot(version, cpus=cpus, config=cfg, mem="64M")
    pa = k.page_alloc
    s = k.kmem_cache_create("prop", 136)
    held, objs = [], []
    for what, size, pick in actions:
        if what == "kmalloc":
            p = k.kmalloc(size % 3000 + 1, GFP_KERNEL)
            if p > ZERO_SIZE_PTR:
                held.append(p)
        elif what == "kfree" and held:
            k.kfree(held.pop(pick % len(held)))
        elif what == "cache_alloc":
            objs.append(k.kmem_cache_alloc(s, GFP_KERNEL))
        elif what == "cache_free" and objs:
            k.kmem_cache_free(s, objs.pop(pick % len(objs)))
        elif what == "cpu" and cpus > 1:
            k.slab.switch_cpu(pick % cpus)
            k.rebind()
        elif what == "reap":
            getattr(k.slab, "cache_reap", getattr(k.slab, "kmem_cache_reap", None))()
        assert k.slab.audit() == []
        assert pa.nr_free_pages() + pa.allocated_pages() + pa.reserved_pages() == pa.nr_pages
    rows = k.slab.slabinfo_rows()
    assert sum(r.num_slabs * r.pagesperslab for r in rows) == k.slab.slab_pages()
    assert k.slab.meminfo()["Slab"] == k.slab.slab_pages() * 4
    live = sum(r.active_objs for r in rows)
    assert live >= len(held) + len(objs)


def test_slub_parameters_are_refused_under_slab():
    with pytest.raises(ConfigError) as exc:
        linuxmm.boot("2.6.28", config=["SLAB=y"], cmdline="slub_min_objects=8")
    assert str(exc.value) == ("slub_min_objects= is a SLUB parameter (mm/slub.c); this kernel runs SLAB, which does "
                              "not know it (the kernel would pass it on to init)")
