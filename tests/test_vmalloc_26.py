"""vmalloc of 2.6.0 to 2.6.27: vmlist first fit, the guard page, and a TLB flush on every vfree."""

import pytest

import linuxmm
from linuxmm import GFP_KERNEL, NotInThisKernel

START = 0xFFFFC20000000000


def boot(version="2.6.27", **kw):
    return linuxmm.boot(version, **kw)


def test_first_fit_with_guard_pages():
    k = boot()
    assert k.implementations["vmalloc"].name == "vmlist-2.6"
    a = k.vmalloc(1)
    b = k.vmalloc(3 * 4096)
    c = k.vmalloc(4096)
    assert (a, b, c) == (START, START + 2 * 4096, START + 6 * 4096)
    k.vfree(b)
    # a 2-page request fits the hole b left (4 pages with its guard); a 4-page one does not
    assert k.vmalloc(2 * 4096) == START + 2 * 4096
    assert k.vmalloc(4 * 4096) == START + 8 * 4096
    assert k.subsystems["vmalloc"].areas() == [
        (START, START + 8192), (START + 8192, START + 20480), (START + 24576, START + 32768),
        (START + 32768, START + 53248)]


def test_every_vfree_flushes_all_tlbs_with_ipis():
    for cpus in (1, 2, 4, 8, 16):
        k = boot(cpus=cpus)
        addrs = [k.vmalloc(4 * 4096) for _ in range(10)]
        assert (k.counters["tlb_flushes"], k.counters["ipis"]) == (0, 0)  # mapping does not flush on x86
        for n, a in enumerate(addrs, 1):
            k.vfree(a)
            assert k.counters["tlb_flushes"] == n
            assert k.counters["ipis"] == n * (cpus - 1)


def test_vmap_and_vunmap_flush_too_and_leave_the_pages():
    k = boot(cpus=4)
    pages = [k.alloc_pages(GFP_KERNEL, 0) for _ in range(3)]
    addr = k.vmap(pages, 3)
    k.memory.write(addr + 4096, b"through vmap")
    assert k.memory.read(pages[1], 12) == b"through vmap"
    k.vunmap(addr)
    assert (k.counters["tlb_flushes"], k.counters["ipis"]) == (1, 3)
    assert k.memory.read(pages[1], 12) == b"through vmap"  # the caller's pages are untouched
    with pytest.raises(linuxmm.PageFault, match=r"^BUG: unable to handle kernel paging request at ffffc20000001000$"):
        k.memory.read(addr + 4096, 1)


def test_writes_land_in_the_pages_vmalloc_took():
    k = boot("2.6.20")
    a = k.vmalloc(3 * 4096)
    vm = k.find_vm_area(a)
    assert vm.nr_pages == 3 and vm.size == 4 * 4096 and vm.caller is None  # no caller before 2.6.26
    k.memory.write(a + 8190, b"xyzw")
    pa = k.page_alloc
    assert k.memory.read(pa.pfn_to_virt(vm.pages[1]) + 4094, 2) == b"xy"
    assert k.memory.read(pa.pfn_to_virt(vm.pages[2]), 2) == b"zw"
    with pytest.raises(linuxmm.PageFault, match=r"^Unable to handle kernel paging request at ffffc20000003000 RIP: $"):
        k.memory.read(a + 3 * 4096, 1)  # the guard page


def test_bad_and_unknown_addresses_warn_and_change_nothing():
    k = boot("2.6.20")
    a = k.vmalloc(4096)
    before = (k.page_alloc.nr_free_pages(), k.subsystems["vmalloc"].areas())
    k.vfree(a + 8)
    k.vfree(START + 0x100000)
    assert k.dmesg[-4:] == [
        "Trying to vfree() bad address (ffffc20000000008)", "BUG: warning at mm/vmalloc.c/__vunmap()",
        "Trying to vfree() nonexistent vm area (ffffc20000100000)", "BUG: warning at mm/vmalloc.c/__vunmap()"]
    assert (k.page_alloc.nr_free_pages(), k.subsystems["vmalloc"].areas()) == before
    assert k.counters["tlb_flushes"] == 0
    k.vfree(a)
    k.vfree(a)  # double free: the area is gone
    assert k.dmesg[-2:] == ["Trying to vfree() nonexistent vm area (ffffc20000000000)",
                            "BUG: warning at mm/vmalloc.c/__vunmap()"]
    k = boot("2.6.27")
    k.vfree(START + 4096)
    assert k.dmesg[-3:] == ["Trying to vfree() nonexistent vm area (ffffc20000001000)",
                            "------------[ cut here ]------------", "WARNING: at mm/vmalloc.c __vunmap()"]


def test_zero_and_oversize_requests_return_null():
    k = boot(mem="64M")
    before = len(k.dmesg)
    assert k.vmalloc(0) == 0
    assert k.vmalloc((16384 + 1) * 4096) == 0  # more pages than the machine has
    assert len(k.dmesg) == before


def test_out_of_vmalloc_space_message():
    k = boot(mem="64M")
    vm = k.subsystems["vmalloc"]
    vm.VMALLOC_END = START + 10 * 4096 - 1  # a small space, as vmalloc=<size> on i386 would give
    assert k.vmalloc(4 * 4096) == START
    assert k.vmalloc(4 * 4096) == 0
    assert k.dmesg[-1] == "allocation failed: out of vmalloc space - use vmalloc=<size> to increase size."


def test_a_large_area_vmallocs_its_page_array():
    k = boot(mem="64M", cpus=2)
    a = k.vmalloc(600 * 4096)  # 600 pointers of 8 bytes: more than a page
    vm = k.find_vm_area(a)
    assert vm.flags & 0x10 and vm.pages_addr == a + 601 * 4096  # VM_VPAGES, the array's area after it
    assert k.find_vm_area(vm.pages_addr).nr_pages == 2
    free = k.page_alloc.nr_free_pages()
    k.vfree(a)
    assert k.page_alloc.nr_free_pages() == free + 602
    assert k.counters["tlb_flushes"] == 2  # the area and its array: two remove_vm_area calls


def test_failing_halfway_returns_every_page():
    k = boot(mem="32M")
    free = k.page_alloc.nr_free_pages()
    assert k.vmalloc(free * 4096) == 0  # watermarks stop the page allocator before the last pages
    assert k.page_alloc.nr_free_pages() == free
    assert k.subsystems["vmalloc"].areas() == []
    assert k.counters["tlb_flushes"] == 2  # vfree of the area and of its page array


def test_calls_of_later_eras_name_their_commit():
    k = boot()
    with pytest.raises(NotInThisKernel, match=r"^vzalloc\(\) is not in v2\.6\.27: it appeared in v2\.6\.37-rc1 "
                                              r"\(e1ca7788dec6 \"mm: add vzalloc\(\) and vzalloc_node\(\) helpers\"\)$"):
        k.vzalloc(4096)
    with pytest.raises(NotInThisKernel, match=r"vm_map_ram\(\) is not in v2\.6\.27: it appeared in v2\.6\.28-rc1"):
        k.vm_map_ram([], 0)
    with pytest.raises(NotInThisKernel, match=r"is_vmalloc_addr\(\) is not in v2\.6\.24: it appeared in v2\.6\.25"):
        boot("2.6.24").is_vmalloc_addr(START)
    assert k.is_vmalloc_addr(START) and not k.is_vmalloc_addr(START - 1)
    with pytest.raises(NotInThisKernel, match=r"takes no alignment"):
        k.__vmalloc_node(4096, 8192, GFP_KERNEL, -1)
    assert k.__vmalloc_node(4096, 4096, GFP_KERNEL, 0) == START


def test_arguments_are_checked():
    k = boot()
    for bad in (None, "4096", 1.5, True, -1, 1 << 64):
        with pytest.raises(linuxmm.LinuxmmError, match=r"^vmalloc: size must be"):
            k.vmalloc(bad)
    with pytest.raises(linuxmm.LinuxmmError, match=r"^vfree: addr must be an int, not str"):
        k.vfree("0x1000")
    with pytest.raises(linuxmm.LinuxmmError, match=r"^__vmalloc_node: node must be -1 \(NUMA_NO_NODE\) or 0"):
        k.__vmalloc_node(4096, 1, GFP_KERNEL, 3)
    with pytest.raises(linuxmm.LinuxmmError, match=r"^vmap: pages\[0\] = 0x1000 is not the address of a page"):
        k.vmap([0x1000], 1)
