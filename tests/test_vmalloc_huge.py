"""Huge vmalloc mappings: 121e6f3258fe (5.13), x86-64's HAVE_ARCH_HUGE_VMALLOC (5.18-rc1), opt-in (5.18-rc4)."""

import pytest

import linuxmm
from linuxmm import GFP_KERNEL, ConfigError, NotInThisKernel

MB = 1 << 20
START = 0xFFFFC90000000000


def leaves(k, addr):
    return k.subsystems["vmalloc"].tlb_entries(addr)


def test_513_x86_64_has_no_huge_vmalloc_by_default():
    k = linuxmm.boot("5.13", mem="256M")
    assert not k.config["HAVE_ARCH_HUGE_VMALLOC"]
    a = k.vmalloc(4 * MB)
    assert leaves(k, a) == (1024, 0) and k.find_vm_area(a).page_order == 0


def test_513_what_if_maps_with_pmds_and_says_so():
    k = linuxmm.boot("5.13", mem="256M", config={"HAVE_ARCH_HUGE_VMALLOC": True})
    assert k.config.whatifs == [
        "CONFIG_HAVE_ARCH_HUGE_VMALLOC=y: x86_64 did not select HAVE_ARCH_HUGE_VMALLOC before fac54e2bfb5b "
        "(v5.18-rc1); at 5.13-5.17 only powerpc had it, so huge vmalloc mappings on x86_64 here are an "
        "experiment the record never shipped"]
    a = k.vmalloc(3 * MB)  # rounded up to 2M pages: 4M, and 2M-aligned
    vm = k.find_vm_area(a)
    assert a % (2 * MB) == 0 and vm.size == 4 * MB + 4096 and vm.page_order == 9 and vm.nr_pages == 1024
    assert leaves(k, a) == (0, 2)
    k.memory.write(a + 3 * MB, b"huge")
    assert k.memory.read(k.page_alloc.pfn_to_virt(vm.pages[768]), 4) == b"huge"
    assert k.vmalloc(MB) and leaves(k, k.vmalloc(MB)) == (256, 0)  # under PMD_SIZE: small pages
    free = k.page_alloc.nr_free_pages()
    k.vfree(a)
    k.vm_unmap_aliases()
    assert k.page_alloc.nr_free_pages() == free + 1024 + 2  # and the 2 pages of its vmalloc'ed page array


def test_nohugevmalloc():
    k = linuxmm.boot("5.13", mem="256M", config={"HAVE_ARCH_HUGE_VMALLOC": True}, cmdline="nohugevmalloc")
    assert leaves(k, k.vmalloc(4 * MB)) == (1024, 0)
    k = linuxmm.boot("5.12", cmdline="nohugevmalloc")
    assert "nohugevmalloc" in k.cmdline.unknown


def test_5181_selects_the_symbol_and_every_big_vmalloc_goes_huge():
    k = linuxmm.boot("5.18-rc1", mem="256M")
    assert k.config["HAVE_ARCH_HUGE_VMALLOC"] and not k.config.whatifs
    assert leaves(k, k.vmalloc(4 * MB)) == (0, 2)
    with pytest.raises(NotInThisKernel, match=r"vmalloc_huge\(\) is not in v5\.18-rc1: it appeared in v5\.18-rc4"):
        k.vmalloc_huge(4 * MB, GFP_KERNEL)


def test_518_huge_is_opt_in():
    k = linuxmm.boot("5.18", mem="256M")
    assert leaves(k, k.vmalloc(4 * MB)) == (1024, 0)
    assert leaves(k, k.vmalloc_huge(4 * MB, GFP_KERNEL)) == (0, 2)
    assert k.counters["huge_vmalloc_mappings"] == 1


def test_before_513():
    with pytest.raises(ConfigError, match=r"CONFIG_HAVE_ARCH_HUGE_VMALLOC is not in v5\.12: it appeared in "
                                          r"v5\.13-rc1 \(121e6f3258fe"):
        linuxmm.boot("5.12", config={"HAVE_ARCH_HUGE_VMALLOC": True})
    with pytest.raises(NotInThisKernel, match=r"vmalloc_huge\(\) is not in v5\.12"):
        linuxmm.boot("5.12").vmalloc_huge(4 * MB, GFP_KERNEL)


def test_falls_back_to_small_pages_without_order_9_blocks():
    k = linuxmm.boot("6.12", mem="64M")
    held = []
    while True:  # take every free order-9 block
        block = k.alloc_pages(GFP_KERNEL | linuxmm.__GFP_NOWARN, 9)
        if not block:
            break
        held.append(block)
    for b in held[:2]:  # give back two blocks as 1024 single pages spread over them
        k.free_pages(b, 9)
        pages = [k.alloc_pages(GFP_KERNEL, 0) for _ in range(512)]
        for p in pages[::2]:
            k.free_pages(p, 0)
    a = k.vmalloc_huge(2 * MB, GFP_KERNEL)
    assert a and leaves(k, a) == (512, 0)
    assert k.counters["huge_vmalloc_fallbacks"] == 1 and k.counters["huge_vmalloc_mappings"] == 0


def test_tlb_entries_to_touch_64m():
    counts = {}
    for huge in (False, True):
        k = linuxmm.boot("6.12", mem="256M")
        a = k.vmalloc_huge(64 * MB, GFP_KERNEL) if huge else k.vmalloc(64 * MB)
        for off in range(0, 64 * MB, 4096):
            k.memory.read(a + off, 1)
        counts[huge] = k.counters["tlb_fills"]
    assert counts == {False: 16384, True: 32}
