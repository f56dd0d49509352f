"""/proc/vmallocinfo in each era's format, and the Vmalloc fields for /proc/meminfo."""

import pytest

import linuxmm
from linuxmm import GFP_KERNEL, NotInThisKernel

PAGE = 4096


def setup(version, caller="drv_init+0x1c/0x90 [drv]"):
    k = linuxmm.boot(version, mem="64M")
    k.subsystems["vmalloc"].caller = caller
    return k


def test_not_before_2626():
    with pytest.raises(NotInThisKernel, match=r"^/proc/vmallocinfo is not in v2\.6\.25: it appeared in v2\.6\.26$"):
        linuxmm.boot("2.6.25").proc("vmallocinfo")


def test_2626_format_guard_page_included():
    k = setup("2.6.27")
    a = k.vmalloc(3 * PAGE)
    k.vmalloc_user(PAGE)
    pages = [k.alloc_pages(GFP_KERNEL, 0) for _ in range(2)]
    k.vmap(pages, 2)
    k.subsystems["vmalloc"].caller = None
    k.vmalloc(PAGE)
    k.vfree(a)
    # a (freed) left its range; the last area, with no caller, prints none
    assert k.proc("vmallocinfo") == (
        "0xffffc20000004000-0xffffc20000006000    8192 drv_init+0x1c/0x90 [drv] pages=1 vmalloc user N0=1\n"
        "0xffffc20000006000-0xffffc20000009000   12288 drv_init+0x1c/0x90 [drv] vmap\n"
        "0xffffc20000009000-0xffffc2000000b000    8192 pages=1 vmalloc N0=1\n")


def test_first_fit_reuses_the_hole_in_2627_listing():
    k = setup("2.6.27")
    a = k.vmalloc(PAGE)
    k.vmalloc(PAGE)
    k.vfree(a)
    k.vmalloc(PAGE)
    assert k.proc("vmallocinfo").splitlines()[0].startswith("0xffffc20000000000-0xffffc20000002000    8192")


def test_a_big_area_and_its_page_array():
    k = setup("2.6.28")
    k.vmalloc(600 * PAGE)
    assert k.proc("vmallocinfo") == (
        "0xffffc20000000000-0xffffc20000259000 2461696 drv_init+0x1c/0x90 [drv] pages=600 vmalloc vpages N0=600\n"
        "0xffffc2000025a000-0xffffc2000025d000   12288 drv_init+0x1c/0x90 [drv] pages=2 vmalloc N0=2\n")


def test_lazy_and_vm_map_ram_lines():
    for version, lines in [
        ("4.12", ["0xffffc90000002000-0xffffc90000004000    8192 drv_init+0x1c/0x90 [drv] pages=1 vmalloc N0=1"]),
        ("4.13", ["0xffffc90000000000-0xffffc90000002000    8192 unpurged vm_area",
                  "0xffffc90000002000-0xffffc90000004000    8192 drv_init+0x1c/0x90 [drv] pages=1 vmalloc N0=1",
                  "0xffffc90000400000-0xffffc90000800000 4194304 vm_map_ram"]),
        ("5.4", ["0xffffc90000002000-0xffffc90000004000    8192 drv_init+0x1c/0x90 [drv] pages=1 vmalloc N0=1",
                 "0xffffc90000400000-0xffffc90000800000 4194304 vm_map_ram",
                 "0xffffc90000000000-0xffffc90000002000    8192 unpurged vm_area"]),
    ]:
        k = setup(version)
        a = k.vmalloc(PAGE)
        k.vmalloc(PAGE)
        k.vm_map_ram([k.alloc_pages(GFP_KERNEL, 0)], 1)
        k.vfree(a)
        assert k.proc("vmallocinfo").splitlines() == lines, version


def test_meminfo_fields_by_era():
    k = setup("2.6.27")
    k.vmalloc(3 * PAGE)
    total = 34359738367
    assert k.subsystems["vmalloc"].meminfo() == {"VmallocTotal": total, "VmallocUsed": 16,
                                                   "VmallocChunk": total - 16}
    assert setup("2.4").subsystems["vmalloc"].meminfo() == {}
    k = setup("6.12")
    k.vmalloc(3 * PAGE)
    k.vfree(k.vmalloc(PAGE))
    assert k.subsystems["vmalloc"].meminfo() == {"VmallocTotal": total, "VmallocUsed": 12, "VmallocChunk": 0}
