"""The vmap layer from 2.6.28: lazy purge, vmap blocks, the free-space tree of 5.2."""

import math

import pytest

import linuxmm
from linuxmm import GFP_KERNEL

START_OLD = 0xFFFFC20000000000
START = 0xFFFFC90000000000
PAGE = 4096


def vm(k):
    return k.subsystems["vmalloc"]


@pytest.mark.parametrize("cpus, pages", [(1, 8192), (2, 16384), (4, 24576), (8, 32768), (16, 40960)])
def test_lazy_max_pages(cpus, pages):
    assert vm(linuxmm.boot("2.6.28", cpus=cpus)).lazy_max_pages() == pages
    assert vm(linuxmm.boot("6.12", cpus=cpus)).lazy_max_pages() == pages


@pytest.mark.parametrize("version", ["3.10", "6.12"])
@pytest.mark.parametrize("cpus", [1, 2, 4, 8, 16])
def test_no_flush_until_the_lazy_threshold(version, cpus):
    k = linuxmm.boot(version, cpus=cpus)
    limit = vm(k).lazy_max_pages()
    # each 4-page vmalloc takes 5 pages of address space (the guard page): the purge comes with
    # the vfree that takes vmap_lazy_nr past lazy_max_pages()
    first = limit // 5 + 1
    for n in range(1, first):
        k.vfree(k.vmalloc(4 * PAGE))
    assert (k.counters["tlb_flushes"], k.counters["ipis"], k.counters["lazy_purges"]) == (0, 0, 0)
    assert vm(k).vmap_lazy_nr == 5 * (first - 1)
    k.vfree(k.vmalloc(4 * PAGE))
    assert (k.counters["tlb_flushes"], k.counters["ipis"], k.counters["lazy_purges"]) == (1, cpus - 1, 1)
    assert vm(k).vmap_lazy_nr == 0


def test_the_first_lazy_purge_of_2628():
    k = linuxmm.boot("2.6.28", cpus=2)
    for _ in range(3276):
        k.vfree(k.vmalloc(4 * PAGE))
    assert k.counters["tlb_flushes"] == 0
    # 2.6.28 leaves a page between vmap areas, and the lazy areas stay in the busy tree: each
    # new area goes above the last, 6 pages further on
    assert k.vmalloc(4 * PAGE) == START_OLD + 3276 * 6 * PAGE
    k.vfree(START_OLD + 3276 * 6 * PAGE)
    assert (k.counters["tlb_flushes"], k.counters["ipis"]) == (1, 1)
    assert k.vmalloc(4 * PAGE) == START_OLD  # the purge gave everything back


def test_a_lazily_freed_page_is_still_mapped_in_2628():
    k = linuxmm.boot("2.6.28", cpus=2)
    a = k.vmalloc(PAGE)
    k.memory.write(a, b"secret")
    page = k.page_alloc.pfn_to_virt(k.find_vm_area(a).pages[0])
    k.vfree(a)
    # the page went back to the page allocator, but the PTE stays until the purge: every CPU can
    # still read and write it through the old address (an alias vm_unmap_aliases() exists for)
    with k.on_cpu(1):
        assert k.memory.read(a, 6) == b"secret"
    k.memory.write(page, b"reused")
    assert k.memory.read(a, 6) == b"reused"
    k.vm_unmap_aliases()
    assert (k.counters["tlb_flushes"], k.counters["ipis"]) == (1, 1)
    with pytest.raises(linuxmm.PageFault):
        k.memory.read(a, 1)


def test_a_stale_tlb_entry_after_a_lazy_free():
    # from the eager clearing of PTEs (2.6.37 in the model) only a CPU that cached the
    # translation still reaches the page; the others fault
    k = linuxmm.boot("6.12", cpus=4)
    a = k.vmalloc(PAGE)
    with k.on_cpu(2):
        k.memory.write(a, b"cached")
    k.vfree(a)
    with k.on_cpu(2):
        assert k.memory.read(a, 6) == b"cached"
    with k.on_cpu(1), pytest.raises(linuxmm.PageFault,
                                     match=r"^BUG: unable to handle page fault for address: ffffc90000000000$"):
        k.memory.read(a, 1)
    k.vm_unmap_aliases()
    with k.on_cpu(2), pytest.raises(linuxmm.PageFault):
        k.memory.read(a, 1)


def test_exhaustion_purges_and_retries_then_fails_with_the_eras_message():
    for version, line in [
        ("2.6.28", "vmap allocation for size 20480 failed: use vmalloc=<size> to increase size."),
        ("6.12", "vmalloc_node_range for size 20480 failed: Address range restricted to 0xffffc90000000000 - "
                 "0xffffc9000000efff")]:
        k = linuxmm.boot(version)
        v = vm(k)
        v.VMALLOC_END = v.VMALLOC_START + 15 * PAGE - 1
        v._build_fast_paths()
        k.rebind()
        a = k.vmalloc(4 * PAGE)
        b = k.vmalloc(4 * PAGE)
        k.vfree(a)  # lazily freed: the space is not free yet
        assert k.vmalloc(4 * PAGE) == a  # alloc_vmap_area fails, purges, retries
        assert k.counters["lazy_purges"] == 1
        assert k.vmalloc(4 * PAGE) == 0
        assert line in k.dmesg
        k.vfree(b)


def test_vm_map_ram_uses_per_cpu_blocks():
    k = linuxmm.boot("2.6.28", cpus=2)
    pages = [k.alloc_pages(GFP_KERNEL, 0) for _ in range(8)]
    a = k.vm_map_ram(pages[:3], 3)  # order 2: four pages of the block
    b = k.vm_map_ram(pages[:1], 1)
    with k.on_cpu(1):
        c = k.vm_map_ram(pages[:1], 1)
    v = vm(k)
    block = v.vmap_blocks[v._vb_idx(a)]
    assert block.va.va_end - block.va.va_start == 1024 * PAGE  # VMAP_BBMAP_BITS pages
    assert (a - block.va.va_start, b - a) == (0, 4 * PAGE)
    # CPU 1's own block, aligned to its 4M size: 2.6.28's extra page after each area pushes it a whole
    # block further (the waste 248ac0e1 "remove guard page from between vmap blocks" removed)
    assert c == block.va.va_start + 2 * 1024 * PAGE
    k.memory.write(a + 2 * PAGE, b"mapped")
    assert k.memory.read(pages[2], 6) == b"mapped"
    k.vm_unmap_ram(a, 3)
    k.vm_unmap_ram(b, 1)
    assert k.counters["tlb_flushes"] == 0  # dirty ranges wait for vm_unmap_aliases or a purge
    k.vm_unmap_aliases()
    assert k.counters["tlb_flushes"] == 1 and k.counters["ipis"] == 1
    big = k.vm_map_ram(pages * 9, 72)  # more than VMAP_MAX_ALLOC: an area of its own
    assert big and v._vb_idx(big) not in v.vmap_blocks


def test_vmallocs_page_array_and_caller_from_2628():
    k = linuxmm.boot("2.6.28", mem="64M")
    v = vm(k)
    v.caller = "test_caller+0x0/0x0"
    a = k.vmalloc(600 * PAGE)
    area = k.find_vm_area(a)
    assert area.caller == "test_caller+0x0/0x0" and area.pages_addr == a + 602 * PAGE
    assert k.find_vm_area(area.pages_addr).caller == "test_caller+0x0/0x0"


# -- 5.2: the free-space tree ------------------------------------------------------------------
def test_free_tree_lowest_fit_and_merging():
    k = linuxmm.boot("5.2")
    v = vm(k)
    assert v.free_blocks() == [(1, (1 << 64) - 1)]
    a = k.vmalloc(PAGE)
    assert a == START
    assert v.free_blocks() == [(1, START), (START + 2 * PAGE, (1 << 64) - 1)]  # NE fit: split in two
    b = k.vmalloc(3 * PAGE)
    c = k.vmalloc(PAGE)
    assert (b, c) == (START + 2 * PAGE, START + 6 * PAGE)
    k.vfree(b)
    k.vm_unmap_aliases()  # purge: b's 4 pages go back and make a hole
    assert v.free_blocks() == [(1, START), (START + 2 * PAGE, START + 6 * PAGE), (START + 8 * PAGE, (1 << 64) - 1)]
    assert k.vmalloc(PAGE) == START + 2 * PAGE  # LE fit in the hole
    assert k.vmalloc(2 * PAGE) == START + 8 * PAGE  # does not fit the 2 pages left: the tail
    k.vfree(a)
    k.vfree(c)
    k.vm_unmap_aliases()
    # a's range merges with the space below it, c's with the hole's rest next to it
    assert v.free_blocks() == [(1, START + 2 * PAGE), (START + 4 * PAGE, START + 8 * PAGE),
                               (START + 11 * PAGE, (1 << 64) - 1)]
    v.free.check()


def busy_list_steps(version, n):
    """vmap_steps of one 3-page vmalloc among n live 1-page areas and n holes too small for it."""
    k = linuxmm.boot(version, mem="1G")
    addrs = [k.vmalloc(PAGE) for _ in range(2 * n)]
    for a in addrs[::2]:
        k.vfree(a)
    k.vm_unmap_aliases()  # purge: the holes are free now
    before = k.counters["vmap_steps"]
    assert k.vmalloc(3 * PAGE) > addrs[-1]  # above every live area: no hole fits it
    return k.counters["vmap_steps"] - before


def test_busy_list_cost_linear_before_52_logarithmic_after():
    sizes = (100, 400, 1600)
    old = [busy_list_steps("5.1", n) for n in sizes]
    new = [busy_list_steps("5.2", n) for n in sizes]
    # 5.1: a descent of the busy tree to the search's start, then a walk past every live area
    assert old == [107, 409, 1611]
    # 5.2: a descent of the free tree (n holes, the tail, the low block); the low block's huge
    # subtree_max_size draws the left-first search down and back up, as in the kernel
    assert new == [21, 29, 37]
    assert new[1] - new[0] == new[2] - new[1] == 8  # four times the areas, the same few steps more
    for n, steps in zip(sizes, new):
        assert steps <= 4 * math.log2(2 * n + 2)


def test_vmalloc_pages_in_meminfo_from_53():
    k = linuxmm.boot("5.3")
    k.vmalloc(10 * PAGE)
    assert vm(k).meminfo() == {"VmallocTotal": 34359738367, "VmallocUsed": 40, "VmallocChunk": 0}
    assert vm(linuxmm.boot("4.4")).meminfo() == {"VmallocTotal": 34359738367, "VmallocUsed": 0, "VmallocChunk": 0}
    k = linuxmm.boot("2.6.28")
    k.vmalloc(10 * PAGE)
    assert vm(k).meminfo() == {"VmallocTotal": 34359738367, "VmallocUsed": 44,
                               "VmallocChunk": 34359738367 - 44}


def test_zero_size_from_513_warns_once():
    k = linuxmm.boot("6.12")
    assert k.vmalloc(0) == 0
    assert k.dmesg[-2:] == ["------------[ cut here ]------------",
                            "WARNING: CPU: 0 PID: 1 at mm/vmalloc.c __vmalloc_node_range_noprof"]
    n = len(k.dmesg)
    assert k.vmalloc(0) == 0 and len(k.dmesg) == n
    k = linuxmm.boot("5.13")
    assert k.vmalloc(0) == 0
    assert k.dmesg[-1] == "WARNING: CPU: 0 PID: 1 at mm/vmalloc.c __vmalloc_node_range"
    k = linuxmm.boot("2.6.28")
    n = len(k.dmesg)
    assert k.vmalloc(0) == 0 and len(k.dmesg) == n  # silent before 3.0


@pytest.mark.parametrize("version, lines", [
    # 3.0 (a238ab5b0239): the text, then the page allocator's line with the era's GFP values
    ("3.0", ["vmalloc: allocation failure: 0 bytes", "linuxmm: page allocation failure: order:0, mode:0xd2"]),
    ("4.4", ["vmalloc: allocation failure: 0 bytes", "linuxmm: page allocation failure: order:0, mode:0x24000c2"]),
    ("4.8", ["vmalloc: allocation failure: 0 bytes",
             "linuxmm: page allocation failure: order:0, mode:0x24000c2(GFP_KERNEL|__GFP_HIGHMEM)"]),
    # 4.9: warn_alloc, one line
    ("4.9", ["linuxmm: vmalloc: allocation failure: 0 bytes, mode:0x24000c2(GFP_KERNEL|__GFP_HIGHMEM)"]),
    ("4.11", ["linuxmm: vmalloc: allocation failure: 0 bytes, mode:0x14000c2(GFP_KERNEL|__GFP_HIGHMEM), "
              "nodemask=(null)", "linuxmm cpuset=/ mems_allowed=0"]),
    # 19809c2da28a: vmalloc() passes GFP_KERNEL
    ("4.12", ["linuxmm: vmalloc: allocation failure: 0 bytes, mode:0x14000c0(GFP_KERNEL), nodemask=(null)",
              "linuxmm cpuset=/ mems_allowed=0"]),
    ("5.4", ["linuxmm: vmalloc: allocation failure: 0 bytes, mode:0xcc0(GFP_KERNEL), "
             "nodemask=(null),cpuset=/,mems_allowed=0"]),
])
def test_failure_report_per_era(version, lines):
    k = linuxmm.boot(version)
    n = len(k.dmesg)
    assert k.vmalloc(0) == 0
    assert k.dmesg[n:] == lines
    assert k.__vmalloc(0, linuxmm.GFP_KERNEL | linuxmm.__GFP_NOWARN) == 0
    assert k.dmesg[n:] == lines


@pytest.mark.parametrize("version, reports", [("4.4", 10), ("5.4", 1)])
def test_failure_reports_share_the_page_allocator_rate_limit(version, reports):
    k = linuxmm.boot(version)
    n = len(k.dmesg)
    for _ in range(12):
        assert k.vmalloc(0) == 0
    per = 2 if version == "4.4" else 1
    assert len(k.dmesg) - n == reports * per


def test_kvmalloc_tries_kmalloc_then_vmalloc():
    k = linuxmm.boot("6.12")
    a = k.kvmalloc(3 * PAGE)                # SLUB's large kmalloc serves it
    assert not k.is_vmalloc_addr(a)
    b = k.kvmalloc(8 << 20)                 # above KMALLOC_MAX_SIZE (4M): kmalloc fails quietly
    assert k.is_vmalloc_addr(b)
    assert k.kvmalloc(0) == 16              # kmalloc(0) is ZERO_SIZE_PTR
    k.kvfree(a)
    k.kvfree(b)
    k.kvfree(16)
    k.check()
    with pytest.raises(linuxmm.NotInThisKernel, match=r"kvmalloc\(\) is not in v4\.11: it appeared in v4\.12-rc1"):
        linuxmm.boot("4.11").kvmalloc(PAGE)
