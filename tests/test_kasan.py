"""Generic KASAN: symbols and parameters per era, shadow values, the page allocator's annotations,
the report in each era's layout, and what happens after a report."""

from __future__ import annotations

import pytest

import linuxmm
from linuxmm import GFP_KERNEL, ConfigError, KernelPanic
from linuxmm.kasan import BANNER, Kasan

BOOT_LINE = "kasan: KernelAddressSanitizer initialized"


def kasan_kernel(version: str, cmdline: str | None = None, **config):
    return linuxmm.boot(version, config={"KASAN": True, **config}, cmdline=cmdline)


def report(k, start: int = 0) -> list[str]:
    """The lines of the first report in dmesg after line ``start``."""
    lines = list(k.dmesg)[start:]
    i = lines.index(BANNER)
    j = lines.index(BANNER, i + 1)
    return lines[i:j + 1]


def read_freed_page(k, off: int = 16, n: int = 8) -> int:
    addr = k.alloc_pages(GFP_KERNEL, 0)
    k.free_pages(addr, 0)
    touch_freed_page(k, addr + off, n)
    return addr


def touch_freed_page(k, addr, n):
    k.memory.read(addr, n)


# -- without KASAN nothing changes --------------------------------------------------------------
def test_off_by_default_costs_nothing():
    k = linuxmm.boot("6.12")
    assert k.kasan is None and k.memory.checkers == []
    addr = k.alloc_pages(GFP_KERNEL, 0)
    k.free_pages(addr, 0)
    k.memory.read(addr, 8)  # a use-after-free nobody checks
    assert BANNER not in k.dmesg and BOOT_LINE not in k.dmesg


def test_symbols_by_era():
    with pytest.raises(ConfigError) as exc:
        linuxmm.boot("3.19", config={"KASAN": True})
    assert str(exc.value) == ("CONFIG_KASAN is not in v3.19: it appeared in v4.0-rc1 (0b24becc810d \"kasan: add "
                              "kernel address sanitizer infrastructure\")")
    with pytest.raises(ConfigError) as exc:
        linuxmm.boot("5.4", config={"KASAN": True, "KASAN_VMALLOC": True})
    assert str(exc.value).startswith("CONFIG_KASAN_VMALLOC is not in v5.4: it appeared in v5.5-rc1 (3c5c3cfb9ef4")
    # KASAN_VMALLOC has no default: KASAN alone leaves it off
    k = kasan_kernel("6.12")
    assert k.config["KASAN_VMALLOC"] is False and k.config["KASAN_GENERIC"] is True
    assert k.config["HAVE_ARCH_KASAN_VMALLOC"] is True
    assert k.kasan.vmalloc is False
    assert kasan_kernel("6.12", KASAN_VMALLOC=True).config["KASAN_VMALLOC"] is True
    assert "KASAN_GENERIC" not in kasan_kernel("4.20").config
    assert kasan_kernel("5.0").config["KASAN_GENERIC"] is True


@pytest.mark.parametrize("version,depends", [
    ("5.5", "KASAN && HAVE_ARCH_KASAN_VMALLOC"),
    ("5.10", "KASAN && HAVE_ARCH_KASAN_VMALLOC"),
    ("5.11", "KASAN && KASAN_GENERIC && HAVE_ARCH_KASAN_VMALLOC"),
    ("5.17", "KASAN && KASAN_GENERIC && HAVE_ARCH_KASAN_VMALLOC"),
    ("5.18", "KASAN && HAVE_ARCH_KASAN_VMALLOC"),
    ("6.15", "KASAN && HAVE_ARCH_KASAN_VMALLOC"),
])
def test_kasan_vmalloc_depends_on_per_era(version, depends):
    with pytest.raises(ConfigError) as exc:
        linuxmm.boot(version, config={"KASAN_VMALLOC": True})
    assert str(exc.value).startswith(f"CONFIG_KASAN_VMALLOC=y is impossible at v{version}: it depends on {depends} (")


def test_kasan_generic_is_the_only_mode():
    with pytest.raises(ConfigError) as exc:
        linuxmm.boot("6.12", config={"KASAN": True, "KASAN_GENERIC": False})
    assert str(exc.value) == ("CONFIG_KASAN_GENERIC=n leaves the KASAN_MODE choice empty: at v6.12 it offers only "
                              "CONFIG_KASAN_GENERIC")


def test_boot_line_by_era():
    assert BOOT_LINE in kasan_kernel("4.0").dmesg
    assert BOOT_LINE in kasan_kernel("6.15").dmesg
    assert BOOT_LINE + " (generic)" in kasan_kernel("6.18").dmesg


# -- shadow values ------------------------------------------------------------------------------
@pytest.mark.parametrize("version,vmalloc_invalid,global_redzone,free_meta", [
    ("4.4", None, 0xFA, None),
    ("5.5", 0xF9, 0xFA, None),
    ("5.8", 0xF9, 0xFA, None),
    ("5.9", 0xF8, 0xF9, 0xFA),
    ("6.12", 0xF8, 0xF9, 0xFA),
])
def test_shadow_values_per_era(version, vmalloc_invalid, global_redzone, free_meta):
    kasan = kasan_kernel(version).kasan
    assert (kasan.KASAN_PAGE_FREE, kasan.KASAN_PAGE_REDZONE, kasan.KASAN_SLAB_REDZONE, kasan.KASAN_SLAB_FREE) == \
        (0xFF, 0xFE, 0xFC, 0xFB)
    assert kasan.KASAN_VMALLOC_INVALID == vmalloc_invalid
    assert kasan.KASAN_GLOBAL_REDZONE == global_redzone
    assert kasan.KASAN_SLAB_FREE_META == free_meta


def test_page_allocator_poisons_free_pages_and_unpoisons_allocated_ones():
    k = kasan_kernel("6.12")
    kasan = k.kasan
    addr = k.alloc_pages(GFP_KERNEL, 2)
    assert all(kasan.shadow_byte(addr + i) == 0 for i in range(0, 4 * 4096, 8))
    k.free_pages(addr, 2)
    assert all(kasan.shadow_byte(addr + i) == 0xFF for i in range(0, 4 * 4096, 8))
    # a page that has only ever been free (freed at boot) is poisoned too
    other = k.alloc_pages(GFP_KERNEL, 0)
    k.free_pages(other, 0)
    again = k.alloc_pages(GFP_KERNEL, 0)
    assert again == other and kasan.shadow_byte(again) == 0
    k.memory.write(again, b"fine")
    assert BANNER not in k.dmesg


def test_unpoison_partial_granule_and_poison_alignment():
    k = kasan_kernel("6.12")
    kasan = k.kasan
    addr = k.alloc_pages(GFP_KERNEL, 0)
    kasan.kasan_poison(addr, 4096, 0xFE)
    kasan.kasan_unpoison(addr, 13)
    assert [kasan.shadow_byte(addr + i) for i in (0, 8, 16)] == [0, 5, 0xFE]
    # 5.12 on: an unaligned start or size is a WARN_ON and nothing is poisoned
    before = len(k.dmesg)
    kasan.kasan_poison(addr + 4, 8, 0xF8)
    assert list(k.dmesg)[before:] == ["------------[ cut here ]------------",
                                      "WARNING: CPU: 0 PID: 1 at mm/kasan/shadow.c kasan_poison"]
    assert kasan.shadow_byte(addr) == 0
    # before 5.12 the shadow from the start's granule to the end's granule was set
    old = kasan_kernel("5.11")
    a = old.alloc_pages(GFP_KERNEL, 0)
    old.kasan.kasan_poison(a + 4, 12, 0xFE)
    assert [old.kasan.shadow_byte(a + i) for i in (0, 8, 16)] == [0xFE, 0xFE, 0]


# -- reports --------------------------------------------------------------------------------------
def test_use_after_free_of_a_page_6_12():
    k = kasan_kernel("6.12")
    start = len(k.dmesg)
    addr = read_freed_page(k)
    row = addr - 256
    assert report(k, start) == [
        BANNER,
        "BUG: KASAN: use-after-free in touch_freed_page",
        f"Read of size 8 at addr {addr + 16:016x} by task linuxmm/1",
        "",
        "Memory state around the buggy address:",
        f" {row:016x}: " + " ".join(["00"] * 16),
        f" {row + 128:016x}: " + " ".join(["00"] * 16),
        f">{addr:016x}: " + " ".join(["ff"] * 16),
        " " * 25 + "^",
        f" {addr + 128:016x}: " + " ".join(["ff"] * 16),
        f" {addr + 256:016x}: " + " ".join(["ff"] * 16),
        BANNER,
    ]


def test_report_header_before_4_12():
    k = kasan_kernel("4.11")
    start = len(k.dmesg)
    addr = read_freed_page(k, off=8, n=4)
    lines = report(k, start)
    assert lines[1:3] == [f"BUG: KASAN: use-after-free in touch_freed_page at addr {addr + 8:016x}",
                          "Read of size 4 by task linuxmm/1"]
    assert lines[3] == "Memory state around the buggy address:"
    assert lines[7] == " " * 22 + "^"


def test_hashed_pointers_only_in_4_15():
    k = kasan_kernel("4.15")
    start = len(k.dmesg)
    addr = read_freed_page(k)
    line = report(k, start)[2]
    assert line.startswith("Read of size 8 at addr 00000000") and f"{addr + 16:016x}" not in line
    k = kasan_kernel("4.16")
    start = len(k.dmesg)
    addr = read_freed_page(k)
    assert report(k, start)[2] == f"Read of size 8 at addr {addr + 16:016x} by task linuxmm/1"


def test_only_the_first_report_from_4_11_unless_multi_shot():
    k = kasan_kernel("6.12")
    read_freed_page(k)
    read_freed_page(k)
    assert list(k.dmesg).count(BANNER) == 2 and k.counters["kasan_reports"] == 2
    k = kasan_kernel("6.12", cmdline="kasan_multi_shot")
    read_freed_page(k)
    read_freed_page(k)
    assert list(k.dmesg).count(BANNER) == 4
    k = kasan_kernel("4.10")
    read_freed_page(k)
    read_freed_page(k)
    assert list(k.dmesg).count(BANNER) == 4


def test_report_does_not_stop_the_kernel():
    k = kasan_kernel("6.12")
    addr = k.alloc_pages(GFP_KERNEL, 0)
    k.memory.write(addr, b"kept")
    k.free_pages(addr, 0)
    assert k.memory.read(addr, 4) == b"kept"  # reported, and the read still happens
    assert BANNER in k.dmesg
    k.free_pages(k.alloc_pages(GFP_KERNEL, 0), 0)


@pytest.mark.parametrize("version,cmdline,message", [
    ("6.12", "kasan.fault=panic", "kasan.fault=panic set ..."),
    ("6.12", "kasan.fault=panic_on_write", None),
    ("6.12", "panic_on_warn=1", "KASAN: panic_on_warn set ..."),
    ("6.1", "panic_on_warn=1", "panic_on_warn set ..."),
    ("4.10", "panic_on_warn=1", "panic_on_warn set ..."),
    ("4.9", "panic_on_warn=1", None),
    ("6.12", "panic_on_warn=1 kasan_multi_shot", None),
])
def test_panic_after_a_report(version, cmdline, message):
    k = kasan_kernel(version, cmdline=cmdline)
    if message is None:
        read_freed_page(k)  # a read: panic_on_write does not fire
        assert BANNER in k.dmesg
        return
    with pytest.raises(KernelPanic):
        read_freed_page(k)
    assert k.dmesg[-1] == f"Kernel panic - not syncing: {message}"
    assert k.dmesg[-2] == BANNER
    with pytest.raises(KernelPanic):
        k.alloc_pages(GFP_KERNEL, 0)


def test_panic_on_write():
    k = kasan_kernel("6.12", cmdline="kasan.fault=panic_on_write")
    addr = k.alloc_pages(GFP_KERNEL, 0)
    k.free_pages(addr, 0)
    with pytest.raises(KernelPanic):
        k.memory.write(addr, b"x")
    assert k.dmesg[-1] == "Kernel panic - not syncing: kasan.fault=panic_on_write set ..."


def test_kasan_parameters_by_era_and_config():
    # panic_on_write is v6.8's; earlier early_kasan_fault refuses it
    k = kasan_kernel("6.3", cmdline="kasan.fault=panic_on_write")
    assert "Malformed early option 'kasan.fault'" in k.dmesg and k.kasan.fault == "report"
    # before v5.15 generic KASAN has no kasan.fault (it was HW_TAGS-only in 5.12-5.14)
    k = kasan_kernel("5.14", cmdline="kasan.fault=panic")
    assert 'Unknown kernel command line parameters "kasan.fault=panic", will be passed to user space.' in k.dmesg
    # without CONFIG_KASAN the kernel has no kasan.* parameters at all
    k = linuxmm.boot("6.12", cmdline="quiet kasan.fault=panic foo=1 kasan_multi_shot")
    assert k.cmdline.unknown == ["kasan.fault=panic", "foo=1", "kasan_multi_shot"]
    assert [line for line in k.dmesg if line.startswith("Unknown")] == [
        'Unknown kernel command line parameters "kasan.fault=panic foo=1 kasan_multi_shot", will be passed to '
        'user space.']


def test_kasan_object_standalone():
    k = kasan_kernel("6.12")
    assert isinstance(k.kasan, Kasan) and k.memory.checkers == [k.kasan.checker]
    assert k.kasan.bug_type(k.alloc_pages(GFP_KERNEL, 0)) == "out-of-bounds"


# -- the KUnit suite's cases ---------------------------------------------------------------------
def ktap(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.strip().startswith(("ok", "not ok", "#", "1..", "KTAP"))]


def test_kasan_kunit_cases_6_12_without_kasan_vmalloc():
    k = kasan_kernel("6.12")
    out = k.host.workloads["kasan_test"].run(k, 0)
    assert ktap(out) == [
        "KTAP version 1", "1..1", "    KTAP version 1", "    # Subtest: kasan", "    1..5",
        "    ok 1 kmalloc_oob_right",
        "    ok 2 page_alloc_oob_right # SKIP Test requires CONFIG_KASAN_GENERIC=n",
        "    ok 3 page_alloc_uaf",
        "    ok 4 kmalloc_uaf",
        "    ok 5 vmalloc_oob # SKIP Test requires CONFIG_KASAN_VMALLOC=y",
        "# kasan: pass:3 fail:0 skip:2 total:5", "# Totals: pass:3 fail:0 skip:2 total:5", "ok 1 kasan"]
    lines = out.splitlines()
    assert "    BUG: KASAN: use-after-free in page_alloc_uaf" in lines
    assert lines.count("    BUG: KASAN: slab-out-of-bounds in kmalloc_oob_right") == 3
    assert "    BUG: KASAN: slab-use-after-free in kmalloc_uaf" in lines
    assert k.kasan.multi_shot is False  # restored after the suite


def test_kasan_kunit_cases_by_era():
    k = kasan_kernel("5.12")
    out = k.host.workloads["kasan_test"].run(k, 0)
    assert ktap(out)[5:11] == ["    ok 1 kmalloc_oob_right",
                               "    # pagealloc_oob_right: skipping, CONFIG_KASAN_GENERIC enabled",
                               "    ok 2 pagealloc_oob_right", "    ok 3 pagealloc_uaf", "    ok 4 kmalloc_uaf",
                               "    # vmalloc_oob: skipping, CONFIG_KASAN_VMALLOC required"]
    assert out.splitlines().count("    BUG: KASAN: slab-out-of-bounds in kmalloc_oob_right") == 1  # one write
    assert "    BUG: KASAN: use-after-free in kmalloc_uaf" in out.splitlines()  # before slab-use-after-free
    assert "    BUG: KASAN: use-after-free in pagealloc_uaf" in out.splitlines()
    assert "    Write of size 1 at addr" in out  # 5.12 writes ptr[0]; 6.x reads it
    k = kasan_kernel("5.10")
    out = k.host.workloads["kasan_test"].run(k, 0)
    assert ktap(out)[4:9] == ["    1..3", "    ok 1 kmalloc_oob_right", "    ok 2 kmalloc_uaf",
                              "    # vmalloc_oob: CONFIG_KASAN_VMALLOC is not enabled.", "    ok 3 vmalloc_oob"]
    with pytest.raises(linuxmm.NotInThisKernel) as exc:
        k = kasan_kernel("5.9")
        k.host.workloads["kasan_test"].run(k, 0)
    assert str(exc.value).startswith("kasan_test: the KASAN KUnit suite is not in v5.9: it appeared in v5.10")
    with pytest.raises(linuxmm.LinuxmmError) as exc:
        k = linuxmm.boot("6.12")
        k.host.workloads["kasan_test"].run(k, 0)
    assert "needs CONFIG_KASAN=y" in str(exc.value)


# -- slab objects (SLUB) -------------------------------------------------------------------------------
def oob(k):
    p = k.kmalloc(115, GFP_KERNEL)
    kmalloc_oob_right(k, p)
    return p


def kmalloc_oob_right(k, p):
    k.memory.write(p + 115, b"x")


def kmalloc_double_free(k, p):
    k.kfree(p)


def test_slab_out_of_bounds_report_6_12():
    k = kasan_kernel("6.12")
    start = len(k.dmesg)
    p = oob(k)
    lines = report(k, start)
    assert lines[:9] == [
        BANNER,
        "BUG: KASAN: slab-out-of-bounds in kmalloc_oob_right",
        f"Write of size 1 at addr {p + 115:016x} by task linuxmm/1",
        "",
        f"The buggy address belongs to the object at {p:016x}",
        " which belongs to the cache kmalloc-128 of size 128",
        "The buggy address is located 0 bytes to the right of",
        f" allocated 115-byte region [{p:016x}, {p + 115:016x})",
        "",
    ]
    assert lines[11:14] == [f" {p - 128:016x}: " + " ".join(["fc"] * 16),
                            f">{p:016x}: " + " ".join(["00"] * 14 + ["03", "fc"]),
                            " " * 61 + "^"]


def test_slab_report_before_the_allocation_size_was_inferred():
    k = kasan_kernel("6.2")
    start = len(k.dmesg)
    p = oob(k)
    assert report(k, start)[6:8] == ["The buggy address is located 115 bytes inside of",
                                     f" 128-byte region [{p:016x}, {p + 128:016x})"]


@pytest.mark.parametrize("version,first,second", [
    ("4.7", None, None),  # no double-free check before 4.8
    ("4.10", "BUG: Double free or freeing an invalid pointer", "Unexpected shadow byte: 0xFB"),
    ("4.12", "BUG: KASAN: double-free or invalid-free in kmalloc_double_free", ""),
    ("6.0", "BUG: KASAN: double-free or invalid-free in kmalloc_double_free", ""),
    ("6.1", "BUG: KASAN: double-free in kmalloc_double_free", "Free of addr {p} by task linuxmm/1"),
])
@pytest.mark.parametrize("allocator", ["SLUB", "SLAB"])  # SLAB from v4.6 (7ed2f9e66385)
def test_double_free_reports(version, first, second, allocator):
    k = kasan_kernel(version, **{allocator: True})
    assert k.slab.name == allocator
    p = k.kmalloc(16, GFP_KERNEL)
    k.kfree(p)
    start = len(k.dmesg)
    kmalloc_double_free(k, p)
    if first is None:
        assert BANNER not in list(k.dmesg)[start:]
        return
    assert report(k, start)[1:3] == [first, second.format(p=f"{p:016x}")]
    assert k.kmalloc(16, GFP_KERNEL) == p  # the object was not freed twice: handed out once


def test_invalid_free_and_slab_use_after_free():
    k = kasan_kernel("6.12", cmdline="kasan_multi_shot")
    p = k.kmalloc(64, GFP_KERNEL)
    start = len(k.dmesg)
    kmalloc_double_free(k, p + 8)
    assert report(k, start)[1] == "BUG: KASAN: invalid-free in kmalloc_double_free"
    k.kfree(p)
    start = len(k.dmesg)
    touch_freed_page(k, p + 8, 1)
    lines = report(k, start)
    assert lines[1] == "BUG: KASAN: slab-use-after-free in touch_freed_page"
    assert lines[6:8] == ["The buggy address is located 8 bytes inside of",
                          f" freed 64-byte region [{p:016x}, {p + 64:016x})"]
    k = kasan_kernel("6.2")
    p = k.kmalloc(64, GFP_KERNEL)
    k.kfree(p)
    start = len(k.dmesg)
    touch_freed_page(k, p, 1)
    assert report(k, start)[1] == "BUG: KASAN: use-after-free in touch_freed_page"


def test_kmalloc_large_has_a_page_redzone():
    k = kasan_kernel("6.12")
    p = k.kmalloc(3 * 4096, GFP_KERNEL)  # above KMALLOC_MAX_CACHE_SIZE: pages
    assert k.kasan.shadow_byte(p + 3 * 4096 - 8) == 0 and k.kasan.shadow_byte(p + 3 * 4096) == 0xFE
    start = len(k.dmesg)
    touch_freed_page(k, p + 3 * 4096, 1)
    assert report(k, start)[1] == "BUG: KASAN: slab-out-of-bounds in touch_freed_page"
