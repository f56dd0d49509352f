"""vmalloc's order-0 pages from the bulk allocator (5c1f4e690eec, 5.14-rc1; 387ba26fb1cb, 5.13-rc1)."""

import pytest

import linuxmm
from linuxmm import GFP_KERNEL
from linuxmm.gfp import __GFP_HIGHMEM, __GFP_NOWARN

PAGE = 4096
VMALLOC_PAGE_GFP = GFP_KERNEL | __GFP_HIGHMEM | __GFP_NOWARN


def vm(k):
    return k.subsystems["vmalloc"]


@pytest.mark.parametrize("version, bulk", [("5.2", False), ("5.13", False), ("5.14", True), ("6.12", True)])
def test_the_bulk_allocator_by_era(version, bulk):
    k = linuxmm.boot(version, mem="64M")
    assert k.page_alloc.has_bulk is (version != "5.2")  # 387ba26fb1cb: v5.13-rc1
    assert vm(k).bulk_pages is bulk


@pytest.mark.parametrize("nr", [2, 4, 37])
def test_bulk_takes_the_pages_single_calls_would(nr):
    # the same pages, in the same order, with the same counters and free counts
    bulk, single = linuxmm.boot("6.12", mem="64M"), linuxmm.boot("6.12", mem="64M")
    for k in (bulk, single):
        k.vfree(k.vmalloc(PAGE))  # the per-CPU list filled once
    addr = bulk.vmalloc(nr * PAGE)
    vm_struct = vm(bulk).find_vm_area(addr)
    pfns = [(single.alloc_pages(VMALLOC_PAGE_GFP, 0) - single.page_alloc.page_offset) >> 12 for _ in range(nr)]
    assert vm_struct.pages == pfns
    assert bulk.page_alloc.nr_free_pages() == single.page_alloc.nr_free_pages()
    assert [bulk.frames.count[p] for p in pfns] == [1] * nr
    bulk.check()
    bulk.vfree(addr)
    bulk.check()


def test_alloc_pages_bulk_counts_and_falls_back():
    k = linuxmm.boot("6.12", mem="64M")
    pa = k.page_alloc
    out: list[int] = []
    assert pa.alloc_pages_bulk(GFP_KERNEL, 0, out) == 0 and out == []
    assert pa.alloc_pages_bulk(GFP_KERNEL, 1, out) == 1 and len(out) == 1  # the single-page allocator
    # more than the per-CPU list holds: page by page, refilling it as the kernel's loop does
    assert pa.alloc_pages_bulk(GFP_KERNEL, 3000, out) == 3000
    assert len(set(out)) == 3001
    free = pa.nr_free_pages()
    for pfn in out:
        k.free_pages(pa.page_offset + (pfn << 12), 0)
    assert pa.nr_free_pages() == free + 3001
    k.check()


def test_alloc_pages_bulk_asks_the_watermark_with_the_request_to_spare():
    k = linuxmm.boot("6.12", mem="16M")
    pa = k.page_alloc
    out: list[int] = []
    # short of the watermark with the request to spare: one page, from the single-page allocator
    assert pa.alloc_pages_bulk(GFP_KERNEL, 1 << 20, out) == 1 and len(out) == 1
    free = pa.nr_free_pages()
    assert pa.alloc_pages_bulk(GFP_KERNEL, free // 2, out) == free // 2  # within it: all of them
    k.check()


@pytest.mark.parametrize("cmdline, config", [("init_on_alloc=1", ()), (None, ("KASAN=y",))])
def test_bulk_pages_are_zeroed_and_unpoisoned_where_every_page_is(cmdline, config):
    k = linuxmm.boot("6.12", mem="64M", cmdline=cmdline, config=list(config))
    a = k.vmalloc(4 * PAGE)
    k.memory.write(a, b"\xaa" * (4 * PAGE))
    k.vfree(a)
    k.vm_unmap_aliases()  # the pages' old mapping gone; the frames keep their bytes
    mark = len(k.dmesg)
    b = k.vmalloc(4 * PAGE)
    if cmdline:  # init_on_alloc: prep_new_page zeroes each page the bulk loop takes
        assert k.memory.read(b, 4 * PAGE) == bytes(4 * PAGE)
    else:  # KASAN: each page unpoisoned (kasan_alloc_pages), so no report for using them
        for pfn in vm(k).find_vm_area(b).pages:
            k.memory.write(k.page_alloc.page_offset + (pfn << 12), b"\x55" * PAGE)
        assert not [line for line in k.dmesg[mark:] if "KASAN" in line]
    k.vfree(b)
    k.check()


def test_bulk_pages_with_a_mask_of_0_are_zeroed_under_init_on_alloc():
    # as the single-page allocator (95e52be's fix): a mask of 0 has no bit that sends it to the
    # slow path, and init_on_alloc must zero it all the same
    k = linuxmm.boot("6.12", mem="64M", cmdline="init_on_alloc=1")
    pa = k.page_alloc
    out: list[int] = []
    assert pa.alloc_pages_bulk(GFP_KERNEL, 8, out) == 8
    for pfn in out:
        k.memory.write(pa.page_offset + (pfn << 12), b"\xaa" * PAGE)
    pa.free_pages_each(out)
    again: list[int] = []
    assert pa.alloc_pages_bulk(0, 8, again) == 8
    assert sorted(again) == sorted(out)
    assert all(k.memory.read(pa.page_offset + (pfn << 12), PAGE) == bytes(PAGE) for pfn in again)
    k.check()
