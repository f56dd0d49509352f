"""What the callers do with an injected NULL: slab growth, kmalloc, vmalloc halfway, workloads and soak runs."""

import pytest

import linuxmm
from linuxmm import GFP_ATOMIC, GFP_KERNEL
from linuxmm.cli import main
from linuxmm.soak import soak

FI = ["FAULT_INJECTION=y", "FAILSLAB=y", "FAIL_PAGE_ALLOC=y"]


def quiet(k, *names, **knobs):
    for name in names:
        attr = k.fault_attr(name)
        attr.verbose = 0
        for knob, value in knobs.items():
            setattr(attr, knob, value)


def test_slub_falls_back_to_the_minimum_order_when_the_slab_order_fails():
    k = linuxmm.boot("6.12", config=FI, cmdline="fail_page_alloc=1,100,0,1")
    s = k.slab.find_cache("kmalloc-4k")
    assert (s.order, s.objects) == (3, 8)
    p = k.kmalloc(4096, GFP_ATOMIC)  # order 3 fails (injected); order 0 is below min-order
    assert p != 0
    assert [(sl.order, sl.objects) for sl in k.slab.slabs.values() if sl.cache is s] == [(0, 1)]
    k.check()


@pytest.mark.parametrize("version, first", [
    ("2.6.32", "SLUB: Unable to allocate memory on node -1 (gfp=0x20)"),
    ("4.4", "SLUB: Unable to allocate memory on node -1 (gfp=0x2080020)"),
    ("5.4", "SLUB: Unable to allocate memory on node -1, gfp=0xa20(GFP_ATOMIC)"),
    ("6.12", "SLUB: Unable to allocate memory on CPU 0 (of node 0) on node -1, gfp=0x820(GFP_ATOMIC)"),
])
def test_slub_growth_failing_returns_null_reports_and_stays_consistent(version, first):
    k = linuxmm.boot(version, config=FI, cmdline="fail_page_alloc=1,100,0,-1")
    quiet(k, "fail_page_alloc", min_order=0)
    mark = len(k.dmesg)
    assert k.kmalloc(4000, GFP_ATOMIC) == 0
    name = "kmalloc-4k" if version == "6.12" or version == "5.4" else "kmalloc-4096"
    assert k.dmesg[mark:] == [first,
                              f"  cache: {name}, object size: 4096, buffer size: 4096, default order: 3, min order: 0",
                              "  node 0: slabs: 0, objs: 0, free: 0"]
    assert k.kmalloc(4000, GFP_ATOMIC | linuxmm.__GFP_NOWARN) == 0
    assert len(k.dmesg) == mark + 3  # __GFP_NOWARN: no report
    k.check()
    k.fault_attr("fail_page_alloc").probability = 0
    p = k.kmalloc(4000, GFP_ATOMIC)
    assert p != 0
    k.kfree(p)
    k.check()


def test_slub_oom_reports_are_rate_limited_to_ten():
    k = linuxmm.boot("6.12", config=FI, cmdline="fail_page_alloc=1,100,0,-1")
    quiet(k, "fail_page_alloc", min_order=0)
    mark = len(k.dmesg)
    for _ in range(15):
        assert k.kmalloc(4000, GFP_ATOMIC) == 0
    assert sum(1 for line in k.dmesg[mark:] if line.startswith("SLUB: Unable")) == 10


def test_slab_cache_grow_failing_leaves_the_cache_consistent():
    k = linuxmm.boot("2.6.28", config=FI + ["SLAB=y"], cmdline="fail_page_alloc=1,100,0,-1")
    quiet(k, "fail_page_alloc", min_order=0)
    c = k.kmem_cache_create("fi_objs", 200)
    assert k.kmem_cache_alloc(c, GFP_ATOMIC) == 0
    k.check()
    assert c.stat[4] == 0  # GROWN: no slab came of it
    k.fault_attr("fail_page_alloc").probability = 0
    p = k.kmem_cache_alloc(c, GFP_ATOMIC)
    assert p != 0
    k.kmem_cache_free(c, p)
    k.check()


def test_slab_off_slab_management_failing_gives_the_pages_back():
    # objects of 1024 keep their struct slab off the slab (a size-N object): the second call to
    # should_failslab() in one allocation is that management object's, and it fails
    k = linuxmm.boot("2.6.28", config=FI + ["SLAB=y"], cmdline="failslab=2,100,0,1")
    quiet(k, "failslab")
    c = k.kmem_cache_create("fi_big", 1024)
    assert c.off_slab
    pages = k.slab.slab_pages()
    assert k.kmem_cache_alloc(c, GFP_ATOMIC) == 0
    assert k.fault_attr("failslab").failures == 1 and k.slab.slab_pages() == pages
    k.check()
    assert k.kmem_cache_alloc(c, GFP_ATOMIC) != 0  # times 1: used up
    k.check()


def test_slab_never_fails_its_own_cache_cache():
    k = linuxmm.boot("2.6.28", config=FI + ["SLAB=y"], cmdline="failslab=1,100,0,-1")
    quiet(k, "failslab", ignore_gfp_wait=False)
    assert k.kmalloc(100, GFP_KERNEL) == 0
    assert k.kmem_cache_alloc(k.slab.cache_cache, GFP_KERNEL) != 0
    assert k.fault_attr("failslab").failures == 1
    k.check()


def failing_pages(version, times):
    """A kernel failing every fourth page allocation ``times`` times, vmalloc used once before."""
    k = linuxmm.boot(version, config=["FAULT_INJECTION=y", "FAIL_PAGE_ALLOC=y"],
                     cmdline=f"fail_page_alloc=4,100,0,{times}")
    k.vfree(k.vmalloc(4096))  # the vmalloc model's first use, before the knobs change
    quiet(k, "fail_page_alloc", min_order=0, ignore_gfp_wait=False, ignore_gfp_highmem=False)
    return k


@pytest.mark.parametrize("version, times, first, count, report", [
    ("2.6.28", 1, 0, 4, []),
    ("3.10", 1, 0, 4, ["vmalloc: allocation failure, allocated 12288 of 36864 bytes",
                       "linuxmm: page allocation failure: order:0, mode:0xd2"]),
    ("5.10", 1, 0, 4, ["linuxmm: vmalloc: allocation failure, allocated 12288 of 36864 bytes, "
                       "mode:0xcc0(GFP_KERNEL), nodemask=(null),cpuset=/,mems_allowed=0"]),
    ("5.13", 1, 0, 4, ["linuxmm: vmalloc error: size 32768, page order 0, failed to allocate pages, "
                       "mode:0xcc0(GFP_KERNEL), nodemask=(null),cpuset=/,mems_allowed=0"]),
    # 5c1f4e690eec (5.14-rc1): the bulk call asks should_fail_alloc_page once for the eight pages.
    # Made the fourth call (after three single pages), it fails and populates nothing;
    # 12b9f873a5d0 then takes the pages one by one, each asking again: the fourth of them fails
    ("6.12", 2, 3, 8, ["linuxmm: vmalloc error: size 32768, failed to allocate pages, mode:0xcc0(GFP_KERNEL), "
                       "nodemask=(null),cpuset=/,mems_allowed=0"]),
])
def test_vmalloc_failing_halfway_frees_what_it_took(version, times, first, count, report):
    k = failing_pages(version, times)
    assert all(k.alloc_pages(GFP_KERNEL, 0) for _ in range(first))  # should_fail's count 1 to first
    free = k.page_alloc.nr_free_pages()
    mark = len(k.dmesg)
    assert k.vmalloc(8 * 4096) == 0  # three pages taken, the fourth fails
    assert k.dmesg[mark:] == report
    assert k.page_alloc.nr_free_pages() == free  # the three pages went back
    attr = k.fault_attr("fail_page_alloc")
    assert (attr.count, attr.failures) == (count, times)
    k.check()
    addr = k.vmalloc(8 * 4096)  # times: used up
    assert addr != 0
    k.vfree(addr)
    k.check()


def test_vmalloc_bulk_allocation_asks_should_fail_once():
    # from 5c1f4e690eec the 5.13 case above (every fourth page fails) takes all eight pages
    k = failing_pages("6.12", 1)
    addr = k.vmalloc(8 * 4096)
    assert addr != 0
    attr = k.fault_attr("fail_page_alloc")
    assert (attr.count, attr.failures) == (1, 0)
    k.vfree(addr)
    k.check()


@pytest.mark.parametrize("workload", ["kmalloc-mix", "slab-churn", "default", "churn0", "vmalloc-churn"])
def test_workloads_under_injected_failures_keep_the_invariants(workload):
    k = linuxmm.boot("6.12", config=FI, cmdline="failslab=1,20,0,-1 fail_page_alloc=1,20,0,-1")
    quiet(k, "failslab", "fail_page_alloc", ignore_gfp_wait=False)
    quiet(k, "fail_page_alloc", min_order=0, ignore_gfp_highmem=False)
    k.host.workloads[workload].run(k, 0)
    k.check()
    failed = k.fault_attr("failslab").failures + k.fault_attr("fail_page_alloc").failures
    assert failed > 0


def soak_report(version, cmdline, config=FI, steps=3000):
    k = linuxmm.boot(version, config=config, cmdline=cmdline, seed=7)
    report = soak(k, steps, seed=7, check_every=250)
    return report, k


@pytest.mark.parametrize("version, config", [("6.12", FI), ("4.19", FI), ("2.6.28", FI + ["SLAB=y"]),
                                             ("2.6.20", FI + ["PROVE_LOCKING=y"])])
def test_soak_under_injected_failures_finds_nothing_wrong(version, config):
    report, k = soak_report(version, "failslab=1,30,0,-1 fail_page_alloc=1,30,0,-1", config)
    assert report.ok, report.lines()
    assert report.failed.get("alloc pages", 0) > 0  # GFP_ATOMIC pages of order 1-3 fail
    # the soak's pages, and the pages of slabs grown for GFP_ATOMIC kmallocs
    assert k.fault_attr("fail_page_alloc").failures >= report.failed["alloc pages"]
    # GFP_ATOMIC kmallocs fail, except in 4.4-5.2 where ignore-gfp-wait spares them
    assert (report.failed.get("alloc kmalloc", 0) > 0) == (version != "4.19")
    assert report.failed.get("alloc kmalloc", 0) <= k.fault_attr("failslab").failures + \
        k.fault_attr("fail_page_alloc").failures
    k.check()


def test_soak_runs_are_reproducible_under_injection():
    one, k1 = soak_report("6.12", "fail_page_alloc=1,50,0,-1")
    two, k2 = soak_report("6.12", "fail_page_alloc=1,50,0,-1")
    assert one.lines() == two.lines() and list(k1.dmesg) == list(k2.dmesg)
    assert one.failed == two.failed and one.failed["alloc pages"] > 0


def test_cli_soak_with_the_boot_parameters(capsys):
    argv = ["--kernel-version", "6.12", "--config", "FAULT_INJECTION=y", "--config", "FAILSLAB=y", "--config",
            "FAIL_PAGE_ALLOC=y", "--cmdline", "failslab=1,50,0,-1 fail_page_alloc=1,50,0,-1", "run", "--soak",
            "2000"]
    assert main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == "soak: no violation"
    assert "(NULL returned: alloc kmalloc " in lines[-3] and ", alloc pages " in lines[-3]
    # the symbols are needed: without FAIL_PAGE_ALLOC the word is passed on and no page fails
    # (failslab still fails the GFP_ATOMIC kmallocs)
    assert main(argv[:6] + argv[8:]) == 0
    lines = capsys.readouterr().out.splitlines()
    nulls = lines[-3].partition("NULL returned: ")[2]
    assert nulls.startswith("alloc kmalloc ") and "pages" not in nulls and lines[-1] == "soak: no violation"


def test_cli_info_shows_unknown_fault_words(capsys):
    assert main(["--kernel-version", "6.12", "info", "--cmdline", "fail_page_alloc=1,100,0,-1"]) == 0
    assert ("unknown:     fail_page_alloc=1,100,0,-1 (v6.12 did not take them: passed to user space)"
            in capsys.readouterr().out.splitlines())


@pytest.mark.parametrize("version, lines", [
    ("2.6.32", []),
    ("3.10", ["kmem_cache_create(fi_cache) failed with error -12", "CPU: 0 PID: 1 Comm: linuxmm Not tainted 3.10.0 #1",
              "Call Trace:", " dump_stack", " kmem_cache_create"]),
    ("6.12", ["__kmem_cache_create_args(fi_cache) failed with error -12",
              "CPU: 0 UID: 0 PID: 1 Comm: linuxmm Not tainted 6.12.0 #1", "Call Trace:", " dump_stack_lvl",
              " __kmem_cache_create_args"]),
])
def test_kmem_cache_create_fails_cleanly_when_its_structures_cannot_be_allocated(version, lines):
    k = linuxmm.boot(version, config=FI, cmdline="failslab=1,100,0,-1")
    quiet(k, "failslab", ignore_gfp_wait=False)
    pages = k.slab.pages_held()
    mark = len(k.dmesg)
    assert k.kmem_cache_create("fi_cache", 100) is None
    assert k.dmesg[mark:] == lines
    assert k.slab.pages_held() == pages and not any(c.name == "fi_cache" for c in k.slab.caches())
    k.check()
    k.fault_attr("failslab").probability = 0
    c = k.kmem_cache_create("fi_cache", 100)
    assert c is not None
    k.kmem_cache_destroy(c)
    k.check()
    with pytest.raises(linuxmm.KernelPanic):
        k.fault_attr("failslab").probability = 100
        k.kmem_cache_create("fi_panic", 100, 0, linuxmm.slab.SLAB_PANIC)


@pytest.mark.parametrize("version, report", [
    ("3.1", []),
    ("3.10", ["SLAB: Unable to allocate memory on node 0 (gfp=0x20)", "  cache: fi_objs, object size: 200, order: 0",
              "  node 0: slabs: 1/1, objs: 19/19, free: 0"]),
    ("4.4", []),  # under "#if DEBUG" from then on; CONFIG_DEBUG_SLAB is off
])
def test_slab_growth_failure_report_by_era(version, report):
    k = linuxmm.boot(version, config=FI + ["SLAB=y"], cmdline="fail_page_alloc=1,100,0,-1")
    quiet(k, "fail_page_alloc", probability=0, min_order=0)
    c = k.kmem_cache_create("fi_objs", 200)
    held = [k.kmem_cache_alloc(c, GFP_ATOMIC) for _ in range(c.num)]  # one full slab
    k.fault_attr("fail_page_alloc").probability = 100
    mark = len(k.dmesg)
    assert k.kmem_cache_alloc(c, GFP_ATOMIC) == 0
    assert k.dmesg[mark:] == report
    assert k.kmem_cache_alloc(c, GFP_ATOMIC | linuxmm.__GFP_NOWARN) == 0
    assert len(k.dmesg) == mark + len(report)
    for p in held:
        k.kmem_cache_free(c, p)
    k.check()
