"""Fault injection: should_fail() per era, the boot parameters, the knobs, and failslab/fail_page_alloc."""

import pytest

import linuxmm
from linuxmm import GFP_ATOMIC, GFP_KERNEL, __GFP_NOFAIL, __GFP_NOWARN
from linuxmm.errors import ArgumentError, ConfigError, LinuxmmError, NotInThisKernel
from linuxmm.fault_inject import setup_fault_attr

FI = ("FAULT_INJECTION=y", "FAILSLAB=y", "FAIL_PAGE_ALLOC=y")
FPA = ("FAULT_INJECTION=y", "FAIL_PAGE_ALLOC=y")


def boot(version="6.12", config=FI, cmdline=None, **kw):
    k = linuxmm.boot(version, config=list(config), cmdline=cmdline, **kw)
    return k, len(k.dmesg)


def page_pattern(k, n, order=1, gfp=GFP_ATOMIC):
    """'1' for each allocation that succeeded (and was freed again), '0' for each NULL."""
    out = []
    for _ in range(n):
        addr = k.alloc_pages(gfp, order)
        out.append("1" if addr else "0")
        if addr:
            k.free_pages(addr, order)
    k.check()
    return "".join(out)


# -- setup_fault_attr: sscanf("%lu,%lu,%d,%d") ---------------------------------------------------
@pytest.mark.parametrize("text, values", [
    ("10,100,0,-1", (10, 100, 0, -1)),
    ("1,50,4096,5", (1, 50, 4096, 5)),
    ("1, 2, 3, 4", (1, 2, 3, 4)),  # white space before each number is skipped
    ("1,100,0,5junk", (1, 100, 0, 5)),  # what follows the fourth number is ignored
    ("1,100,0,5,6", (1, 100, 0, 5)),
    ("18446744073709551617,1,0,1", (1, 1, 0, 1)),  # unsigned long wraps, no overflow check
    ("1,1,4294967297,-4294967297", (1, 1, 1, -1)),  # an int keeps its low 32 bits
])
def test_setup_fault_attr_parses_as_the_kernels_sscanf(text, values):
    assert setup_fault_attr(text) == values


@pytest.mark.parametrize("text", ["", "1,100,0", "1,-100,0,1", "-1,100,0,1", "1;100;0;1", "a,1,2,3", "1,100,0,+1",
                                  "1,100,0,"])
def test_setup_fault_attr_refuses_what_sscanf_cannot_convert(text):
    assert setup_fault_attr(text) is None


# -- boot parameters and Kconfig -------------------------------------------------------------------
def test_boot_parameters_set_interval_probability_space_times():
    k, _ = boot(cmdline="failslab=10,50,4096,-1 fail_page_alloc=3,100,0,4")
    fs, fpa = k.fault_attr("failslab"), k.fault_attr("fail_page_alloc")
    assert (fs.interval, fs.probability, fs.space, fs.times) == (10, 50, 4096, -1)
    assert (fpa.interval, fpa.probability, fpa.space, fpa.times) == (3, 100, 0, 4)
    # the rest as FAULT_ATTR_INITIALIZER and the capabilities' own initialisers left them
    assert (fs.verbose, fs.task_filter, fs.ignore_gfp_wait, fs.cache_filter) == (2, False, True, False)
    assert (fpa.ignore_gfp_wait, fpa.ignore_gfp_highmem, fpa.min_order) == (True, True, 1)
    assert not k.cmdline.unknown and not k.cmdline.unmodelled


def test_knobs_before_any_setting():
    k, _ = boot()
    assert k.fault_attr("fail_page_alloc").knobs() == {
        "probability": 0, "interval": 1, "times": 1, "space": 0, "verbose": 2,
        "verbose_ratelimit_interval_ms": 0, "verbose_ratelimit_burst": 10, "task-filter": False,
        "ignore-gfp-wait": True, "ignore-gfp-highmem": True, "min-order": 1}
    k, _ = boot("2.6.20", config=FI + ("PROVE_LOCKING=y", "SLAB=y"))
    assert k.fault_attr("failslab").knobs() == {
        "probability": 0, "interval": 1, "times": 1, "space": 0, "verbose": 2, "task-filter": False,
        "stacktrace-depth": 32, "require-start": 0, "require-end": 2 ** 64 - 1, "reject-start": 0,
        "reject-end": 0, "ignore-gfp-wait": True}


def test_a_bad_value_is_logged_and_left_to_user_space():
    k, _ = boot(cmdline="quiet failslab=1,100 splash")
    at = k.dmesg.index("Kernel command line: quiet failslab=1,100 splash")
    assert k.dmesg[at + 1:at + 3] == [
        "FAULT_INJECTION: failed to parse arguments",
        'Unknown kernel command line parameters "failslab=1,100 splash", will be passed to user space.']
    assert k.fault_attr("failslab").probability == 0


def test_without_its_symbol_the_word_is_unknown():
    k = linuxmm.boot("6.12", config=["FAULT_INJECTION=y", "FAIL_PAGE_ALLOC=y"],
                     cmdline="failslab=1,100,0,-1 fail_page_alloc=1,100,0,-1")
    assert k.cmdline.unknown == ["failslab=1,100,0,-1"]
    assert 'Unknown kernel command line parameters "failslab=1,100,0,-1", will be passed to user space.' in k.dmesg
    assert "FAULT_INJECTION: failed to parse arguments" not in k.dmesg
    with pytest.raises(NotInThisKernel) as exc:
        k.fault_attr("failslab")
    assert str(exc.value) == ("failslab is not in this kernel's configuration: it needs CONFIG_FAULT_INJECTION=y "
                              "and CONFIG_FAILSLAB=y")
    assert k.fault_attr("fail_page_alloc").times == -1


def test_kconfig_dependencies_by_era():
    with pytest.raises(ConfigError) as exc:
        linuxmm.boot("6.12", config=["FAULT_INJECTION=y", "DEBUG_KERNEL=n"])
    assert str(exc.value) == "CONFIG_FAULT_INJECTION=y is impossible at v6.12: it depends on DEBUG_KERNEL"
    # 2.6.20: FAULT_INJECTION depends on STACKTRACE, which only lock debugging selects
    with pytest.raises(ConfigError) as exc:
        linuxmm.boot("2.6.20", config=["FAULT_INJECTION=y"])
    assert str(exc.value).startswith("CONFIG_FAULT_INJECTION=y is impossible at v2.6.20: it depends on "
                                     "DEBUG_KERNEL && (PROVE_LOCKING || DEBUG_LOCK_ALLOC)")
    k = linuxmm.boot("2.6.20", config=["FAULT_INJECTION=y", "DEBUG_LOCK_ALLOC=y", "FAILSLAB=y"])
    assert k.config.unmodelled == ["DEBUG_LOCK_ALLOC"]
    linuxmm.boot("2.6.21", config=["FAULT_INJECTION=y", "FAILSLAB=y"])
    with pytest.raises(ConfigError) as exc:
        linuxmm.boot("2.6.19", config=["FAULT_INJECTION=y"])
    assert str(exc.value).startswith("CONFIG_FAULT_INJECTION is not in v2.6.19: it appeared in v2.6.20-rc1 "
                                     "(8a8b6502fb66")
    # from 2.6.29 FAILSLAB depends on SLAB || SLUB: not with SLOB
    with pytest.raises(ConfigError) as exc:
        linuxmm.boot("3.10", config=["FAULT_INJECTION=y", "FAILSLAB=y", "SLOB=y", "EXPERT=y"])
    assert str(exc.value) == ("CONFIG_FAILSLAB=y is impossible at v3.10: it depends on FAULT_INJECTION && "
                              "(SLAB || SLUB) (CONFIG_SLAB=n, CONFIG_SLUB=n)")
    linuxmm.boot("6.8", config=["FAULT_INJECTION=y", "FAILSLAB=y"])  # SLUB only: no SLAB || SLUB any more


def test_failslab_before_2_6_29_exists_only_under_slab():
    k = linuxmm.boot("2.6.25", config=["FAULT_INJECTION=y", "FAILSLAB=y"], cmdline="failslab=1,100,0,-1")
    assert k.implementations["slab"].name == "slub"
    assert k.cmdline.unknown == ["failslab=1,100,0,-1"]
    assert k.config.unmodelled == ["FAILSLAB"]  # the option builds nothing with SLUB: info lists it
    with pytest.raises(NotInThisKernel) as exc:
        k.fault_attr("failslab")
    assert str(exc.value) == ("failslab is not in this v2.6.25 kernel: until v2.6.29 its code is in mm/slab.c, and "
                              "this kernel runs SLUB; CONFIG_FAILSLAB=y builds nothing here, as in the kernel")
    assert k.kmalloc(64, GFP_ATOMIC)
    k = linuxmm.boot("2.6.25", config=["FAULT_INJECTION=y", "FAILSLAB=y", "SLAB=y"], cmdline="failslab=1,100,0,-1")
    assert k.kmalloc(64, GFP_ATOMIC) == 0 and k.fault_attr("failslab").failures == 1


def test_fault_attr_names_what_is_missing():
    k, _ = boot(config=())
    with pytest.raises(NotInThisKernel) as exc:
        k.fault_attr("fail_page_alloc")
    assert "needs CONFIG_FAULT_INJECTION=y and CONFIG_FAIL_PAGE_ALLOC=y" in str(exc.value)
    with pytest.raises(ArgumentError) as exc:
        k.fault_attr("fail_make_request")
    assert str(exc.value) == ("fault_attr: the model has no fault-injection capability 'fail_make_request' (it has: "
                              "failslab, fail_page_alloc)")
    with pytest.raises(ArgumentError):
        k.fault_attr(None)
    k = linuxmm.boot("2.6.18")
    with pytest.raises(NotInThisKernel) as exc:
        k.fault_attr("fail_page_alloc")
    assert str(exc.value) == ("fail_page_alloc is not in v2.6.18: it appeared in v2.6.20-rc1 (933e312e73f8 "
                              "\"[PATCH] fault-injection capability for alloc_pages()\")")


# -- the knobs: checked, era by era -----------------------------------------------------------------
def test_knobs_are_checked_by_type_and_range():
    k, _ = boot()
    fpa = k.fault_attr("fail_page_alloc")
    with pytest.raises(ArgumentError) as exc:
        fpa.probability = "50"
    assert str(exc.value) == "fail_page_alloc: probability must be an int, not str '50'"
    with pytest.raises(ArgumentError) as exc:
        fpa.times = 2 ** 31
    assert str(exc.value) == "fail_page_alloc: times must be at most 2147483647, not 2147483648"
    with pytest.raises(ArgumentError) as exc:
        fpa.interval = -1
    assert str(exc.value) == "fail_page_alloc: interval must be at least 0, not -1"
    with pytest.raises(ArgumentError) as exc:
        fpa.min_order = True
    assert str(exc.value) == "fail_page_alloc: min_order must be an int, not a bool (True)"
    with pytest.raises(ArgumentError) as exc:
        fpa.ignore_gfp_wait = 2
    assert str(exc.value) == "fail_page_alloc: ignore_gfp_wait must be at most 1, not 2"
    with pytest.raises(NotInThisKernel) as exc:
        fpa.probabilty = 5
    assert str(exc.value).startswith("fail_page_alloc has no knob 'probabilty' (its debugfs files here: probability, ")
    with pytest.raises(ArgumentError):
        fpa.count = 3
    fpa["ignore-gfp-wait"] = 0
    assert fpa.ignore_gfp_wait is False and fpa["ignore-gfp-wait"] is False
    with pytest.raises(NotInThisKernel):
        fpa["cache-filter"]
    assert fpa.knobs()["min-order"] == 1  # nothing changed by the refused writes


def test_knobs_of_other_eras():
    k, _ = boot("2.6.22", config=FI + ("SLAB=y",))
    fpa = k.fault_attr("fail_page_alloc")
    with pytest.raises(NotInThisKernel) as exc:
        fpa.min_order = 0
    assert str(exc.value) == "fail_page_alloc: min-order is not in v2.6.22: it appeared in v2.6.23"
    assert not hasattr(fpa, "min_order") and not hasattr(fpa, "verbose_ratelimit_burst")
    with pytest.raises(NotInThisKernel) as exc:
        fpa.stacktrace_depth
    assert "depends on !X86_64 until v6.3" in str(exc.value)
    k, _ = boot("2.6.32")
    assert not hasattr(k.fault_attr("failslab"), "cache_filter")
    k, _ = boot("2.6.34")
    assert k.fault_attr("failslab").cache_filter is False


def test_the_stacktrace_filter_of_2_6_20_keeps_its_defaults():
    k, _ = boot("2.6.20", config=FI + ("PROVE_LOCKING=y",))
    fs = k.fault_attr("failslab")
    fs.stacktrace_depth = 100
    assert fs.stacktrace_depth == 32  # capped at MAX_STACK_TRACE_DEPTH
    fs.require_end = 2 ** 64 - 1  # the default: accepted
    with pytest.raises(LinuxmmError) as exc:
        fs.reject_end = 0xFFFFFFFF80000000
    assert "the model keeps no return addresses" in str(exc.value)


# -- should_fail(): the order of its tests, exact counts ------------------------------------------------
def test_interval_probability_times():
    k, _ = boot(config=FPA, cmdline="fail_page_alloc=3,100,0,4")
    assert page_pattern(k, 30) == "110110110110" + "1" * 18
    assert k.fault_attr("fail_page_alloc").times == 0 and k.fault_attr("fail_page_alloc").failures == 4


def test_space_is_a_budget_in_pages():
    # each order-1 request costs 2 pages of a budget of 10; failing starts when the budget is not above the size
    k, _ = boot(config=FPA, cmdline="fail_page_alloc=1,100,10,-1")
    assert page_pattern(k, 30) == "1111" + "0" * 26
    assert k.fault_attr("fail_page_alloc").space == 2


def test_probability_in_percent_with_a_seeded_generator():
    k, _ = boot(config=FPA, cmdline="fail_page_alloc=1,50,0,-1")
    first = page_pattern(k, 100)
    assert first.count("0") == 42
    assert first[:16] == "1111111111000011"
    k2, _ = boot(config=FPA, cmdline="fail_page_alloc=1,50,0,-1")
    assert page_pattern(k2, 100) == first  # same seed, same failures
    k3, _ = boot(config=FPA, cmdline="fail_page_alloc=1,50,0,-1", seed=1)
    assert page_pattern(k3, 100).count("0") == 51
    k4, _ = boot(config=FPA, cmdline="fail_page_alloc=1,100,0,-1")
    assert page_pattern(k4, 20) == "0" * 20
    k4.fault_attr("fail_page_alloc").probability = 101  # above 100: every call, as with 100
    assert page_pattern(k4, 5) == "00000"


def test_interval_and_probability_together():
    k, _ = boot(config=FPA, cmdline="fail_page_alloc=2,50,0,5")
    got = page_pattern(k, 60)
    assert got == "111111111111111111111010101011111011111111111111111111111111"
    assert got.count("0") == 5 and all(i % 2 for i, c in enumerate(got) if c == "0")


def test_probability_zero_returns_first_from_3_10():
    # before 3.10 a probability of 0 still spends the space budget; from 3.10 it returns at once
    for version, space in (("3.1", 10 - 2 * 4), ("3.10", 10)):
        k, _ = boot(version, config=FPA, cmdline="fail_page_alloc=1,0,10,-1")
        assert page_pattern(k, 4) == "1111"
        assert k.fault_attr("fail_page_alloc").space == space


def test_what_fail_page_alloc_never_fails():
    k, _ = boot(config=FPA, cmdline="fail_page_alloc=1,100,0,-1")
    fpa = k.fault_attr("fail_page_alloc")
    assert page_pattern(k, 3, order=0) == "111"  # min-order 1
    assert page_pattern(k, 3, gfp=GFP_KERNEL) == "111"  # may sleep: ignore-gfp-wait
    assert page_pattern(k, 3, gfp=GFP_ATOMIC | __GFP_NOFAIL) == "111"
    assert page_pattern(k, 3, gfp=GFP_ATOMIC | linuxmm.__GFP_HIGHMEM) == "111"
    assert fpa.failures == 0
    fpa.min_order = 0
    fpa.ignore_gfp_wait = False
    fpa.ignore_gfp_highmem = False
    assert page_pattern(k, 2, order=0, gfp=GFP_KERNEL) == "00"
    assert page_pattern(k, 2, gfp=GFP_ATOMIC | linuxmm.__GFP_HIGHMEM) == "00"
    assert page_pattern(k, 2, gfp=0) == "00"  # even a mask of 0 meets the hook
    assert page_pattern(k, 2, gfp=GFP_ATOMIC | __GFP_NOFAIL) == "11"
    assert fpa.failures == 6


def test_an_injected_page_failure_prints_no_allocation_failure_report():
    k, mark = boot(config=FPA, cmdline="fail_page_alloc=1,100,0,-1")
    k.fault_attr("fail_page_alloc").verbose = 0
    assert k.alloc_pages(GFP_ATOMIC, 2) == 0
    assert k.dmesg[mark:] == []


def test_task_filter_and_make_it_fail():
    k, _ = boot(config=FPA, cmdline="fail_page_alloc=1,100,0,-1")
    fpa = k.fault_attr("fail_page_alloc")
    fpa.task_filter = True
    assert page_pattern(k, 3) == "111"
    fpa.task.make_it_fail = 1
    assert page_pattern(k, 3) == "000"
    with pytest.raises(ArgumentError) as exc:
        fpa.task.make_it_fail = 2
    assert str(exc.value) == "/proc/self/make-it-fail: make_it_fail must be at most 1, not 2"


def test_fail_nth_from_4_13():
    k, _ = boot("4.12", config=FPA)
    with pytest.raises(NotInThisKernel):
        k.fault_attr("fail_page_alloc").task.fail_nth = 3
    k, _ = boot("4.13", config=FPA)
    fpa = k.fault_attr("fail_page_alloc")
    assert fpa.probability == 0
    fpa.task.fail_nth = 3  # the third call that reaches should_fail() fails, whatever the knobs say
    assert page_pattern(k, 6) == "110111"
    assert fpa.task.fail_nth == 0 and fpa.times == 0  # the failure used up the one time
    assert page_pattern(k, 3, order=0) == "111"  # order 0 never reaches should_fail()


def test_a_page_allocation_order_above_the_limit_by_era():
    # 2.6.31-4.19 test should_fail_alloc_page before the order; other eras refuse the order first
    for version, spent in (("2.6.30", 0), ("2.6.31", 1), ("4.19", 1), ("4.20", 0)):
        k, _ = boot(version, config=FPA, cmdline="fail_page_alloc=1,100,0,-1")
        k.fault_attr("fail_page_alloc").verbose = 0
        assert k.alloc_pages(GFP_ATOMIC | __GFP_NOWARN, 11) == 0
        assert k.fault_attr("fail_page_alloc").failures == spent, version


# -- fail_dump(): the reports ---------------------------------------------------------------------------
def test_report_2_6_20():
    k, mark = boot("2.6.20", config=FI + ("PROVE_LOCKING=y",), cmdline="failslab=1,100,0,1")
    assert k.kmalloc(64, GFP_ATOMIC) == 0
    assert k.dmesg[mark:] == ["FAULT_INJECTION: forcing a failure", "Call Trace:", " dump_stack", " should_fail",
                              " should_failslab"]
    assert k.kmalloc(64, GFP_ATOMIC) != 0  # times 1: used up


def test_report_3_10_and_verbose_levels():
    k, mark = boot("3.10", cmdline="failslab=1,100,0,-1")
    assert k.kmalloc(100, GFP_ATOMIC) == 0
    assert k.dmesg[mark:] == ["FAULT_INJECTION: forcing a failure", "CPU: 0 PID: 1 Comm: linuxmm Not tainted 3.10.0 #1",
                              "Call Trace:", " dump_stack", " should_fail", " should_failslab", " kmalloc"]
    fs = k.fault_attr("failslab")
    fs.verbose = 1
    mark = len(k.dmesg)
    assert k.kmalloc(100, GFP_ATOMIC) == 0
    assert k.dmesg[mark:] == ["FAULT_INJECTION: forcing a failure"]
    fs.verbose = 0
    assert k.kmalloc(100, GFP_ATOMIC) == 0 and len(k.dmesg) == mark + 1


def test_report_4_4_names_the_capability_and_its_knobs():
    k, mark = boot("4.4", cmdline="fail_page_alloc=1,100,0,3")
    with k.on_cpu(0):
        assert k.alloc_pages(GFP_ATOMIC, 2) == 0
    assert k.dmesg[mark:] == ["FAULT_INJECTION: forcing a failure.",
                              "name fail_page_alloc, interval 1, probability 100, space 0, times 3",
                              "CPU: 0 PID: 1 Comm: linuxmm Not tainted 4.4.0 #1",
                              "Call Trace:", " dump_stack", " should_fail", " should_fail_alloc_page"]


def test_report_6_12():
    k, mark = boot("6.12", cmdline="failslab=1,100,0,-1")
    cache = k.kmem_cache_create("fi_test", 200)
    mark = len(k.dmesg)
    assert k.kmem_cache_alloc(cache, GFP_ATOMIC) == 0
    assert k.dmesg[mark:] == ["FAULT_INJECTION: forcing a failure.",
                              "name failslab, interval 1, probability 100, space 0, times -1",
                              "CPU: 0 UID: 0 PID: 1 Comm: linuxmm Not tainted 6.12.0 #1",
                              "Call Trace:", " dump_stack_lvl", " should_fail_ex", " should_failslab",
                              " kmem_cache_alloc"]


def test_ratelimit_from_4_4_with_the_clock_standing_still():
    k, _ = boot("4.4", config=FPA, cmdline="fail_page_alloc=1,100,0,-1")
    fpa = k.fault_attr("fail_page_alloc")
    fpa.verbose = 1
    fpa.verbose_ratelimit_interval_ms = 5000
    fpa.verbose_ratelimit_burst = 2
    mark = len(k.dmesg)
    assert page_pattern(k, 5) == "00000"
    assert k.dmesg[mark:].count("FAULT_INJECTION: forcing a failure.") == 2 and fpa.failures == 5


@pytest.mark.parametrize("version, reports", [("5.4", 3), ("5.19", 1), ("6.1", 2)])
def test_gfp_nowarn_and_the_report_by_era(version, reports):
    # 5.4: __GFP_NOWARN changes nothing; 5.19: it silences the capability for good; 6.1: that call only
    k, mark = boot(version, config=FPA, cmdline="fail_page_alloc=1,100,0,-1")
    k.fault_attr("fail_page_alloc").verbose = 1
    assert [k.alloc_pages(g, 1) for g in (GFP_ATOMIC, GFP_ATOMIC | __GFP_NOWARN, GFP_ATOMIC)] == [0, 0, 0]
    assert sum(1 for line in k.dmesg[mark:] if line.startswith("FAULT_INJECTION")) == reports


# -- failslab ------------------------------------------------------------------------------------------
def test_failslab_default_spares_sleeping_callers_and_the_4_4_to_5_2_quirk():
    # ignore-gfp-wait: GFP_KERNEL never fails.  4.4-5.2 test __GFP_RECLAIM, which GFP_ATOMIC carries
    # (__GFP_KSWAPD_RECLAIM): nothing fails there until ignore-gfp-wait is turned off
    for version, atomic_fails in (("2.6.28", True), ("4.3", True), ("4.4", False), ("5.2", False), ("5.3", True)):
        config = FI + (("SLAB=y",) if version == "2.6.28" else ())
        k, _ = boot(version, config=config, cmdline="failslab=1,100,0,-1")
        k.fault_attr("failslab").verbose = 0
        assert k.kmalloc(64, GFP_KERNEL) != 0, version
        assert (k.kmalloc(64, GFP_ATOMIC) == 0) == atomic_fails, version
        k.fault_attr("failslab").ignore_gfp_wait = False
        assert k.kmalloc(64, GFP_KERNEL) == 0, version
        k.check()


def test_failslab_never_fails_the_bootstrap_cache_from_4_9():
    for version, cache_fails in (("4.8", True), ("4.9", False)):
        k, _ = boot(version, cmdline="failslab=1,100,0,-1")
        fs = k.fault_attr("failslab")
        fs.verbose = 0
        fs.ignore_gfp_wait = False
        assert (k.kmem_cache_alloc(k.slab.kmem_cache_cache, GFP_KERNEL) == 0) == cache_fails, version


def test_failslab_size_is_the_object_size_for_the_space_budget():
    # SLAB before 3.6 passes obj_size(), the aligned buffer_size: 100 bytes -> 128; SLUB merges the cache
    # into kmalloc-128, whose object size is 128
    for version, config, left in (("2.6.28", FI + ("SLAB=y",), 1000 - 128), ("3.10", FI + ("SLAB=y",), 1000 - 100),
                                  ("3.10", FI, 1000 - 128)):
        k, _ = boot(version, config=config, cmdline="failslab=1,100,1000,-1")
        c = k.kmem_cache_create("hundred", 100, 0, linuxmm.slab.SLAB_HWCACHE_ALIGN)
        assert k.kmem_cache_alloc(c, GFP_ATOMIC) != 0
        assert k.fault_attr("failslab").space == left, (version, config)


def test_cache_filter_and_slub_debug_a():
    k, _ = boot("6.12", cmdline="failslab=1,100,0,-1 slub_debug=A,kmalloc-64")
    fs = k.fault_attr("failslab")
    fs.verbose = 0
    fs.cache_filter = True
    assert k.kmalloc(64, GFP_ATOMIC) == 0
    assert k.kmalloc(128, GFP_ATOMIC) != 0
    c = k.kmem_cache_create("marked", 40, 0, linuxmm.slab.SLAB_FAILSLAB)
    assert k.kmem_cache_alloc(c, GFP_ATOMIC) == 0
    # 2.6.32 has no 'A': the letter is unknown and skipped
    k = linuxmm.boot("2.6.32", cmdline="slub_debug=A")
    assert "slub_debug option 'A' unknown. skipped" in k.dmesg
    assert "slub_debug option 'A' unknown. skipped" not in linuxmm.boot("2.6.34", cmdline="slub_debug=A").dmesg


def test_no_fault_injection_no_cost_on_the_fast_paths():
    plain = linuxmm.boot("6.12")
    assert plain.page_alloc.fail_page_alloc is None
    assert plain.alloc_pages.__name__ == "alloc_pages"  # the per-CPU closure
    plain.kfree(plain.kmalloc(64, GFP_KERNEL))
    assert plain.slab.alloc_hooks == []
    k, _ = boot()
    assert k.alloc_pages == k.page_alloc._alloc_pages_failing
    assert k.slab.alloc_hooks == [k.fault_attr("failslab").should_failslab]
    with k.on_cpu(0):
        assert k.alloc_pages == k.page_alloc._alloc_pages_failing


def test_wrong_types_reach_the_checks_with_fault_injection_on():
    k, _ = boot()
    with pytest.raises(ArgumentError) as exc:
        k.alloc_pages(None, 0)
    assert str(exc.value) == "alloc_pages: gfp_mask must be an int, not None"
    with pytest.raises(ArgumentError):
        k.alloc_pages(GFP_KERNEL, 1.0)


def test_the_fault_injection_workload(capsys):
    from linuxmm.cli import main

    assert main(["--kernel-version", "2.6.20", "--config", "FAULT_INJECTION=y", "--config", "PROVE_LOCKING=y",
                 "--config", "FAILSLAB=y", "--cmdline", "failslab=5,100,0,2 fail_page_alloc=1,100", "run",
                 "fault-injection"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "kmalloc(64, GFP_ATOMIC)     11110111101111111111",
        "kmalloc(64, GFP_KERNEL)     11111111111111111111",
        "alloc_pages(GFP_ATOMIC, 1)  11111111111111111111",
        "alloc_pages(GFP_ATOMIC, 0)  11111111111111111111",
        "(20 calls each; 1: an object or page, 0: NULL)",
        "failslab: probability 100, interval 5, times 0, space 0, verbose 2; 2 failures injected",
        "fail_page_alloc: fail_page_alloc is not in this kernel's configuration: it needs CONFIG_FAULT_INJECTION=y "
        "and CONFIG_FAIL_PAGE_ALLOC=y",
        "$ dmesg (the first report)",
        "FAULT_INJECTION: forcing a failure",
        "Call Trace:",
        " dump_stack",
        " should_fail",
        " should_failslab",
        "(1 more reports)",
        "model check: no violation",
    ]
