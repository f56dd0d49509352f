"""KASAN with SLAB (7ed2f9e66385, v4.6): slab objects are checked as SLUB's are, in each era's report."""

from __future__ import annotations

import pytest

import linuxmm
from linuxmm import GFP_KERNEL
from linuxmm.kasan import BANNER


def slab_kasan(version: str, cmdline: str | None = None):
    slab = "SLAB_DEPRECATED" if version in ("6.5", "6.6", "6.7") else "SLAB"  # eb07c4f39c3e
    return linuxmm.boot(version, config={slab: True, "KASAN": True}, cmdline=cmdline)


def report(k, start: int) -> list[str]:
    lines = list(k.dmesg)[start:]
    i = lines.index(BANNER)
    return lines[i:lines.index(BANNER, i + 1) + 1]


def slab_oob_write(k, addr):
    k.memory.write(addr, b"x")


def slab_uaf_read(k, addr):
    k.memory.read(addr, 1)


@pytest.mark.parametrize("version", ["4.6", "5.10", "6.1", "6.3", "6.7"])
def test_kmalloc_64_write_past_the_end(version):
    k = slab_kasan(version)
    assert k.slab.name == "SLAB"
    p = k.kmalloc(64, GFP_KERNEL)
    assert k.kasan.shadow_byte(p + 56) == 0 and k.kasan.shadow_byte(p + 64) == 0xFC
    start = len(k.dmesg)
    slab_oob_write(k, p + 64)
    lines = report(k, start)
    if version == "4.6":  # the address on the first line until v4.12
        assert lines[:3] == [BANNER, f"BUG: KASAN: slab-out-of-bounds in slab_oob_write at addr {p + 64:016x}",
                             "Write of size 1 by task linuxmm/1"]
    else:
        assert lines[:4] == [BANNER, "BUG: KASAN: slab-out-of-bounds in slab_oob_write",
                             f"Write of size 1 at addr {p + 64:016x} by task linuxmm/1", ""]
        assert lines[5] == " which belongs to the cache kmalloc-64 of size 64"
    assert k.counters["kasan_reports"] == 1
    k.check()


@pytest.mark.parametrize("version,kind,region", [
    ("4.6", "use-after-free", None),
    ("5.10", "use-after-free", " 64-byte region [{p}, {end})"),
    ("6.3", "slab-use-after-free", " freed 64-byte region [{p}, {end})"),
    ("6.7", "slab-use-after-free", " freed 64-byte region [{p}, {end})"),
])
def test_use_after_kfree(version, kind, region):
    k = slab_kasan(version)
    p = k.kmalloc(64, GFP_KERNEL)
    k.kfree(p)
    assert k.kasan.shadow_byte(p) == (0xFA if version != "4.6" else 0xFB)
    assert k.kasan.shadow_byte(p + 8) == 0xFB
    start = len(k.dmesg)
    slab_uaf_read(k, p + 8)
    lines = report(k, start)
    if region is None:
        assert lines[1:3] == [f"BUG: KASAN: {kind} in slab_uaf_read at addr {p + 8:016x}",
                              "Read of size 1 by task linuxmm/1"]
    else:
        assert lines[1:9] == [f"BUG: KASAN: {kind} in slab_uaf_read",
                              f"Read of size 1 at addr {p + 8:016x} by task linuxmm/1", "",
                              f"The buggy address belongs to the object at {p:016x}",
                              " which belongs to the cache kmalloc-64 of size 64",
                              "The buggy address is located 8 bytes inside of",
                              region.format(p=f"{p:016x}", end=f"{p + 64:016x}"), ""]
    k.check()


# double and invalid frees: test_kasan.test_double_free_reports runs with SLAB too


def test_kmem_cache_alloc_unpoisons_the_object_size():
    k = slab_kasan("5.10")
    c = k.kmem_cache_create("foo", 40, 0, 0, None)
    o = k.kmem_cache_alloc(c, GFP_KERNEL)
    assert [k.kasan.shadow_byte(o + i) for i in range(0, 48, 8)] == [0, 0, 0, 0, 0, 0xFC]
    start = len(k.dmesg)
    slab_uaf_read(k, o + 40)
    assert report(k, start)[1:3] == ["BUG: KASAN: slab-out-of-bounds in slab_uaf_read",
                                     f"Read of size 1 at addr {o + 40:016x} by task linuxmm/1"]
    k.kmem_cache_free(c, o)
    assert k.kasan.shadow_byte(o + 8) == 0xFB
    k.check()


def test_churn_with_slab_destruction_reports_nothing():
    k = slab_kasan("5.10")
    start = len(k.dmesg)
    ptrs = [k.kmalloc(n, GFP_KERNEL) for n in (8, 64, 100, 500, 2000) * 200]
    for p, n in zip(ptrs, (8, 64, 100, 500, 2000) * 200):
        k.memory.write(p, b"\x01" * n)
    for p in ptrs:
        k.kfree(p)
    assert BANNER not in list(k.dmesg)[start:] and k.counters["kasan_reports"] == 0
    assert k.check() is None


def test_without_kasan_nothing_is_installed():
    k = linuxmm.boot("5.10", config={"SLAB": True})
    assert k.kasan is None and k.memory.checkers == []
    slab = k.slab
    assert slab.kasan is None and slab.alloc_hooks == []
    p = k.kmalloc(64, GFP_KERNEL)
    start = len(k.dmesg)
    k.memory.write(p + 64, b"x")
    k.kfree(p)
    k.memory.read(p, 8)
    assert list(k.dmesg)[start:] == []
    k.check()
