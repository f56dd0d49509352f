"""The "page allocation failure" report and the max-order WARNING, as each era printed them.

Every expected value comes from a source named beside it: a tree's own file (read from the
public mirrors listed in docs/sources.md: 2.6.11, 2.6.20, 2.6.23.17, 2.6.24-2.6.30,
2.6.32.9, 2.6.39.3, 3.1.10, 3.10.105, 3.11, 4.4.11, 4.6.2, 4.7.4, 4.8.15, 4.9, 4.10.17,
4.12, 4.14.177, 4.15.18, 4.18.0, 4.19.304, 4.20.0, 5.0.1, 5.2.1, 5.3.1, 5.4.0, 5.14-rc5,
5.15.55, 5.17-rc5, 5.19, 6.1-rc7, 6.2.1, 6.3.8, 6.5, 6.6.47, 6.8, 6.12, 6.13.7, 6.14,
6.18.2) or a real log line quoted in a public bug report.
"""

import pytest

import linuxmm
from linuxmm import (GFP_ATOMIC, GFP_HIGHUSER_MOVABLE, GFP_KERNEL, ArgumentError, __GFP_COLD, __GFP_COMP,
                     __GFP_MOVABLE, __GFP_NOWARN, __GFP_ZERO)
from linuxmm.gfp import GfpEra, era_gfp, format_flags, format_gfp, gfp_era

FAIL = "linuxmm: page allocation failure"
CPUSET_LINE = "linuxmm cpuset=/ mems_allowed=0"
INLINE = ", nodemask=(null),cpuset=/,mems_allowed=0"


def era(version):
    return gfp_era(linuxmm.history().resolve(version).has)


def first_failure(version, mask):
    """Exhaust a 16 MB machine with ``mask``; the dmesg lines of its first failure."""
    k = linuxmm.boot(version, mem="16M")
    n = None
    while True:
        mark = len(k.dmesg)
        if not k.alloc_pages(mask, 0):
            n = mark
            break
    return list(k.dmesg)[n:]


# The expected report per release, for GFP_KERNEL, GFP_ATOMIC and GFP_KERNEL|__GFP_ZERO.
# Formats: 2.6.20 and 2.6.39.3 mm/page_alloc.c (nopage printk, "failure." and "0x%x"); 3.1.10 and
# 4.4.11 warn_alloc_failed() ("failure:"); 4.6.2-4.10.17 "mode:%#x(%pGg)"; 4.12-4.19.304 warn_alloc()
# ", nodemask=" + "(null)" and cpuset_print_current_mems_allowed()'s own line ("%s cpuset=" + "/" +
# " mems_allowed=%*pbl"); 5.0.1-6.18.2 the cpuset part appended with pr_cont(",cpuset=") (ef8444ea01d7).
# Values: 2.6.20 gfp.h (GFP_KERNEL 0xd0, GFP_ATOMIC 0x20, __GFP_ZERO 0x8000); 3.10.105 gfp.h (same);
# 4.4.1/4.9 gfp.h (RECLAIM 0x400000|0x2000000, ATOMIC 0x80000, ZERO 0x8000); 4.10.17/4.14.177 gfp.h
# (KSWAPD_RECLAIM 0x1000000); 4.18.0/4.19.304/5.0.1 gfp.h (DIRECT 0x200000, KSWAPD 0x400000); 5.2.1-6.2.1
# gfp.h (ZERO 0x100, ATOMIC 0x200, DIRECT 0x400, KSWAPD 0x800); 6.3.8-6.18.2 (no ATOMIC).  Names: the
# mmflags.h table of each tree.  Real logs agree: "mode:0x20" (3.0.35, UDOOboard/Kernel_Unico#8; 4.3.0,
# archlinuxarm/PKGBUILDs#1308), "mode:0x480020(GFP_ATOMIC), nodemask=(null)" then "swapper/100
# cpuset=/ mems_allowed=0-1" (patch mail "mm/page_alloc: boost watermarks on atomic allocation
# failure"), "mode:0x820(GFP_ATOMIC), nodemask=(null)" (6.8.0, jcmvbkbc/linux-xtensa#17, a kernel
# without cpusets), "mode:0x800(GFP_NOWAIT), nodemask=(null),cpuset=/,mems_allowed=0" (5.9,
# rfjakob/earlyoom#220), "failure. order:5, mode:0xd0" (prometheus/node_exporter#2990, a 2.6 kernel).
REPORTS = {
    "2.6.20": ([f"{FAIL}. order:0, mode:0xd0"], [f"{FAIL}. order:0, mode:0x20"], [f"{FAIL}. order:0, mode:0x80d0"]),
    "2.6.39": ([f"{FAIL}. order:0, mode:0xd0"], [f"{FAIL}. order:0, mode:0x20"], [f"{FAIL}. order:0, mode:0x80d0"]),
    "3.0": ([f"{FAIL}: order:0, mode:0xd0"], [f"{FAIL}: order:0, mode:0x20"], [f"{FAIL}: order:0, mode:0x80d0"]),
    "4.4": ([f"{FAIL}: order:0, mode:0x24000c0"], [f"{FAIL}: order:0, mode:0x2080020"],
            [f"{FAIL}: order:0, mode:0x24080c0"]),
    "4.9": ([f"{FAIL}: order:0, mode:0x24000c0(GFP_KERNEL)"], [f"{FAIL}: order:0, mode:0x2080020(GFP_ATOMIC)"],
            [f"{FAIL}: order:0, mode:0x24080c0(GFP_KERNEL|__GFP_ZERO)"]),
    "4.10": ([f"{FAIL}: order:0, mode:0x14000c0(GFP_KERNEL)"], [f"{FAIL}: order:0, mode:0x1080020(GFP_ATOMIC)"],
             [f"{FAIL}: order:0, mode:0x14080c0(GFP_KERNEL|__GFP_ZERO)"]),
    "4.14": ([f"{FAIL}: order:0, mode:0x14000c0(GFP_KERNEL), nodemask=(null)", CPUSET_LINE],
             [f"{FAIL}: order:0, mode:0x1080020(GFP_ATOMIC), nodemask=(null)", CPUSET_LINE],
             [f"{FAIL}: order:0, mode:0x14080c0(GFP_KERNEL|__GFP_ZERO), nodemask=(null)", CPUSET_LINE]),
    "4.19": ([f"{FAIL}: order:0, mode:0x6000c0(GFP_KERNEL), nodemask=(null)", CPUSET_LINE],
             [f"{FAIL}: order:0, mode:0x480020(GFP_ATOMIC), nodemask=(null)", CPUSET_LINE],
             [f"{FAIL}: order:0, mode:0x6080c0(GFP_KERNEL|__GFP_ZERO), nodemask=(null)", CPUSET_LINE]),
    "5.0": ([f"{FAIL}: order:0, mode:0x6000c0(GFP_KERNEL){INLINE}"], [f"{FAIL}: order:0, mode:0x480020(GFP_ATOMIC){INLINE}"],
            [f"{FAIL}: order:0, mode:0x6080c0(GFP_KERNEL|__GFP_ZERO){INLINE}"]),
    "5.4": ([f"{FAIL}: order:0, mode:0xcc0(GFP_KERNEL){INLINE}"], [f"{FAIL}: order:0, mode:0xa20(GFP_ATOMIC){INLINE}"],
            [f"{FAIL}: order:0, mode:0xdc0(GFP_KERNEL|__GFP_ZERO){INLINE}"]),
    "5.15": ([f"{FAIL}: order:0, mode:0xcc0(GFP_KERNEL){INLINE}"], [f"{FAIL}: order:0, mode:0xa20(GFP_ATOMIC){INLINE}"],
             [f"{FAIL}: order:0, mode:0xdc0(GFP_KERNEL|__GFP_ZERO){INLINE}"]),
    "6.1": ([f"{FAIL}: order:0, mode:0xcc0(GFP_KERNEL){INLINE}"], [f"{FAIL}: order:0, mode:0xa20(GFP_ATOMIC){INLINE}"],
            [f"{FAIL}: order:0, mode:0xdc0(GFP_KERNEL|__GFP_ZERO){INLINE}"]),
    "6.3": ([f"{FAIL}: order:0, mode:0xcc0(GFP_KERNEL){INLINE}"], [f"{FAIL}: order:0, mode:0x820(GFP_ATOMIC){INLINE}"],
            [f"{FAIL}: order:0, mode:0xdc0(GFP_KERNEL|__GFP_ZERO){INLINE}"]),
    "6.18": ([f"{FAIL}: order:0, mode:0xcc0(GFP_KERNEL){INLINE}"], [f"{FAIL}: order:0, mode:0x820(GFP_ATOMIC){INLINE}"],
             [f"{FAIL}: order:0, mode:0xdc0(GFP_KERNEL|__GFP_ZERO){INLINE}"]),
}


@pytest.mark.parametrize("version", sorted(REPORTS, key=lambda v: tuple(map(int, v.split(".")))))
@pytest.mark.parametrize("which, mask", [(0, GFP_KERNEL), (1, GFP_ATOMIC), (2, GFP_KERNEL | __GFP_ZERO)])
def test_failure_report(version, which, mask):
    assert first_failure(version, mask) == REPORTS[version][which]


def test_report_boundaries_at_the_commits():
    # a238ab5b0239 is in 3.0-rc1 (git log of a full-history mirror): 2.6.39 still printed "failure."
    assert first_failure("3.0-rc1", GFP_KERNEL) == [f"{FAIL}: order:0, mode:0xd0"]
    # d0164adc89f6 (4.4-rc1): 4.4.1 gfp.h already has the split reclaim bits, 4.4.11 still "mode:0x%x"
    assert first_failure("4.4-rc1", GFP_KERNEL) == [f"{FAIL}: order:0, mode:0x24000c0"]
    # %pGg from 4.6-rc1: the since-4.5 mmotm branch is what went into the 4.6 merge window (4.6.2
    # warn_alloc_failed "mode:%#x(%pGg)"); 4.6-rc1 is a modelled point (795ae7a0de6b)
    assert first_failure("4.5", GFP_KERNEL) == [f"{FAIL}: order:0, mode:0x24000c0"]
    assert first_failure("4.6-rc1", GFP_KERNEL) == [f"{FAIL}: order:0, mode:0x24000c0(GFP_KERNEL)"]
    # nodemask from 4.11-rc1 (the since-4.10 mmotm branch; 4.10.17 without, 4.12 with)
    assert first_failure("4.11", GFP_KERNEL) == [f"{FAIL}: order:0, mode:0x14000c0(GFP_KERNEL), nodemask=(null)",
                                                 CPUSET_LINE]
    # 4.18.0 gfp.h: __GFP_WRITE 0x100, DIRECT_RECLAIM 0x200000, KSWAPD_RECLAIM 0x400000; 4.20.0 the same
    assert first_failure("4.20", GFP_KERNEL) == [f"{FAIL}: order:0, mode:0x6000c0(GFP_KERNEL), nodemask=(null)",
                                                 CPUSET_LINE]
    # ef8444ea01d7 is in 5.0-rc1 (quoted git log "v5.0-rc1-107^2~63" names its merge)
    assert first_failure("5.0-rc1", GFP_ATOMIC) == [f"{FAIL}: order:0, mode:0x480020(GFP_ATOMIC){INLINE}"]


def test_failure_report_orders_and_names_of_the_era():
    # order 3, GFP_ATOMIC|__GFP_COMP at 5.13: "mode:0x40a20(GFP_ATOMIC|__GFP_COMP), nodemask=(null)" in a
    # 5.13.14 log (lkrg-org/lkrg#106; that kernel had no cpusets); 5.14-rc5 gfp.h __GFP_COMP 0x40000
    k = linuxmm.boot("5.13", mem="16M")
    while k.alloc_pages(GFP_ATOMIC | __GFP_COMP, 3):
        pass
    assert k.dmesg[-1] == f"{FAIL}: order:3, mode:0x40a20(GFP_ATOMIC|__GFP_COMP){INLINE}"
    # 4.9.24 log (coreos/bugs#1106): "mode:0x2084120(GFP_ATOMIC|__GFP_COLD|__GFP_COMP)"
    k = linuxmm.boot("4.9", mem="16M")
    while k.alloc_pages(GFP_ATOMIC | __GFP_COLD | __GFP_COMP, 1):
        pass
    assert k.dmesg[-1] == f"{FAIL}: order:1, mode:0x2084120(GFP_ATOMIC|__GFP_COLD|__GFP_COMP)"


def test_nowarn_prints_nothing():
    k = linuxmm.boot("6.18", mem="16M")
    n = len(k.dmesg)
    while k.alloc_pages(GFP_ATOMIC | __GFP_NOWARN, 0):
        pass
    assert len(k.dmesg) == n  # 6.18.2 warn_alloc returns at once for __GFP_NOWARN


def test_rate_limit_with_a_clock_that_stands_still():
    # 2.6.20 kernel/printk.c: printk_ratelimit() is 5 s with a burst of 10 (the bucket starts full)
    k = linuxmm.boot("2.6.20", mem="16M")
    while k.alloc_pages(GFP_KERNEL, 0):
        pass
    for _ in range(12):
        assert k.alloc_pages(GFP_KERNEL, 0) == 0
    assert sum(line.startswith(FAIL) for line in k.dmesg) == 10
    # 3.10.105 warn_alloc_failed: its own nopage_rs, DEFAULT_RATELIMIT_INTERVAL/BURST (5 s, 10)
    k = linuxmm.boot("3.10", mem="16M")
    while k.alloc_pages(GFP_KERNEL, 0):
        pass
    for _ in range(12):
        k.alloc_pages(GFP_KERNEL, 0)
    assert sum(line.startswith(FAIL) for line in k.dmesg) == 10
    # 5.4.0 warn_alloc: DEFINE_RATELIMIT_STATE(nopage_rs, 10*HZ, 1); 5.3.1 still the defaults
    for version, reports in (("5.3", 10), ("5.4", 1), ("6.18", 1)):
        k = linuxmm.boot(version, mem="16M")
        while k.alloc_pages(GFP_KERNEL, 0):
            pass
        for _ in range(12):
            k.alloc_pages(GFP_KERNEL, 0)
        assert sum(line.startswith(FAIL) for line in k.dmesg) == reports, version


# -- the max-order WARNING ----------------------------------------------------------------------
CUT = "------------[ cut here ]------------"

# kernel/panic.c: "WARNING: at %s:%d %pS()" in 2.6.32.9, 2.6.39.3, 3.1.10, 3.10.105; "WARNING: CPU: %d
# PID: %d at %s:%d %pS()" in 3.11 and 4.4.11; "... %pS" in 4.6.2 to 6.18.2.  The function holding the
# order check (mm/page_alloc.c): __alloc_pages_slowpath (2.6.32.9 .. 4.18.0), __alloc_pages_nodemask
# (4.20.0, 5.0.1, 5.4.0, 5.12.9), __alloc_pages (5.14-rc5 .. 6.8), __alloc_pages_noprof (6.12, 6.13.7),
# __alloc_frozen_pages_noprof (6.14, 6.18.2).  5.4 log (Xilinx/dma_ip_drivers#112): "WARNING: CPU: 3
# PID: 19257 at mm/page_alloc.c:4724 __alloc_pages_nodemask+0x1ee/0x320"; line and offset not modelled.
WARNINGS = {
    "2.6.31": "WARNING: at mm/page_alloc.c __alloc_pages_slowpath()",
    "3.10": "WARNING: at mm/page_alloc.c __alloc_pages_slowpath()",
    "3.11": "WARNING: CPU: 0 PID: 1 at mm/page_alloc.c __alloc_pages_slowpath()",
    "4.4": "WARNING: CPU: 0 PID: 1 at mm/page_alloc.c __alloc_pages_slowpath()",
    "4.6": "WARNING: CPU: 0 PID: 1 at mm/page_alloc.c __alloc_pages_slowpath",
    "4.19": "WARNING: CPU: 0 PID: 1 at mm/page_alloc.c __alloc_pages_slowpath",
    "4.20": "WARNING: CPU: 0 PID: 1 at mm/page_alloc.c __alloc_pages_nodemask",
    "5.4": "WARNING: CPU: 0 PID: 1 at mm/page_alloc.c __alloc_pages_nodemask",
    "5.13": "WARNING: CPU: 0 PID: 1 at mm/page_alloc.c __alloc_pages",
    "6.8": "WARNING: CPU: 0 PID: 1 at mm/page_alloc.c __alloc_pages",
    "6.10": "WARNING: CPU: 0 PID: 1 at mm/page_alloc.c __alloc_pages_noprof",
    "6.13": "WARNING: CPU: 0 PID: 1 at mm/page_alloc.c __alloc_pages_noprof",
    "6.14": "WARNING: CPU: 0 PID: 1 at mm/page_alloc.c __alloc_frozen_pages_noprof",
    "6.18": "WARNING: CPU: 0 PID: 1 at mm/page_alloc.c __alloc_frozen_pages_noprof",
}


@pytest.mark.parametrize("version", list(WARNINGS))
def test_order_warning(version):
    k = linuxmm.boot(version, mem="64M", cpus=2)
    n = len(k.dmesg)
    with k.on_cpu(1):
        assert k.alloc_pages(GFP_KERNEL, 11) == 0
    assert k.dmesg[n:] == [CUT, WARNINGS[version].replace("CPU: 0", "CPU: 1")]
    assert k.alloc_pages(GFP_KERNEL, 12) == 0 and len(k.dmesg) == n + 2  # WARN_ON_ONCE


def test_order_warning_and_nowarn_by_commit():
    # 2.6.30: the order check is alloc_pages_node()'s, NULL without a word (2.6.20 gfp.h the same)
    k = linuxmm.boot("2.6.30", mem="64M")
    n = len(k.dmesg)
    assert k.alloc_pages(GFP_KERNEL, 11) == 0 and len(k.dmesg) == n
    # b3c466ce5129 (2.6.31-rc1): WARN_ON_ONCE(order >= MAX_ORDER), __GFP_NOWARN or not
    k = linuxmm.boot("2.6.31-rc1", mem="64M")
    n = len(k.dmesg)
    assert k.alloc_pages(GFP_KERNEL | __GFP_NOWARN, 11) == 0
    assert k.dmesg[n:] == [CUT, "WARNING: at mm/page_alloc.c __alloc_pages_slowpath()"]
    # 1fc28b70fe2d (2.6.31-rc5): WARN_ON_ONCE(!(gfp_mask & __GFP_NOWARN)), the once kept for later
    k = linuxmm.boot("2.6.31-rc5", mem="64M")
    n = len(k.dmesg)
    assert k.alloc_pages(GFP_KERNEL | __GFP_NOWARN, 11) == 0 and len(k.dmesg) == n
    assert k.alloc_pages(GFP_KERNEL, 11) == 0
    assert k.dmesg[n:] == [CUT, "WARNING: at mm/page_alloc.c __alloc_pages_slowpath()"]


# -- the bit values and %pGg by themselves ------------------------------------------------------
def test_public_values_do_not_change():
    # the model's API keeps the 2.6.2x values (2.6.20 gfp.h) whatever era is booted
    assert (GFP_KERNEL, GFP_ATOMIC, __GFP_ZERO, __GFP_MOVABLE) == (0xd0, 0x20, 0x8000, 0x08)
    assert not [name for name in linuxmm.gfp.__all__ if not name.startswith(("GFP_", "__GFP_"))]


@pytest.mark.parametrize("version, value", [
    ("2.6.20", 0x200d2),     # 2.6.20 gfp.h: no __GFP_MOVABLE yet; HARDWALL 0x20000 (f90b1d2f1aaa, 2.6.14)
    ("2.6.13", 0xd2),        # before f90b1d2f1aaa: no __GFP_HARDWALL (2.6.11 gfp.h)
    ("2.6.23", 0xa00d2),     # 2.6.23.17 gfp.h: __GFP_MOVABLE 0x80000
    ("2.6.24", 0x1200d2),    # 2.6.24 gfp.h: __GFP_MOVABLE 0x100000 (RECLAIMABLE took 0x80000)
    ("2.6.31", 0x200da),     # 2.6.32.9 gfp.h: __GFP_MOVABLE 0x08 (b70d94ee438b)
    ("4.4", 0x24200ca),      # 4.4.1 gfp.h; also the 4.6 page_owner example "0x24213ca(GFP_HIGHUSER_MOVABLE|...)"
    ("4.10", 0x14200ca),     # 4.10.17 gfp.h
    ("4.18", 0x6200ca),      # 4.18.0 gfp.h
    ("5.1", 0x100cca),       # 5.2.1 gfp.h (the shuffle, posted 2019-01-09)
    ("5.15", 0x1100cca),     # 5.15.55 gfp.h: GFP_HIGHUSER_MOVABLE has __GFP_SKIP_KASAN_POISON 0x1000000
    ("5.19", 0x100cca),      # 5.19 gfp.h: that bit is 0 without KASAN_HW_TAGS
    ("6.18", 0x100cca),      # 6.18.2 gfp_types.h: __GFP_SKIP_KASAN is 0 without KASAN_HW_TAGS
])
def test_era_values_of_gfp_highuser_movable(version, value):
    assert era_gfp(GFP_HIGHUSER_MOVABLE, era(version)) == value


def test_flags_the_era_did_not_have_are_left_out():
    assert era_gfp(GFP_KERNEL | __GFP_MOVABLE, era("2.6.20")) == 0xd0  # 2.6.20 gfp.h: no __GFP_MOVABLE
    assert era_gfp(GFP_KERNEL | __GFP_COLD, era("4.14")) == 0x14001c0  # 4.14.177 gfp.h: __GFP_COLD 0x100
    assert era_gfp(GFP_KERNEL | __GFP_COLD, era("4.15")) == 0x14000c0  # 453f85d43fa9 (4.15.18: no COLD)
    assert era_gfp(0x10000, era("6.18")) == 0x800  # a bit no linuxmm.gfp name has: only kswapd's bit


@pytest.mark.parametrize("version, flags, text", [
    # 4.6 page_owner example in 60f30350fd69's message
    ("4.6", 0x24213ca, "GFP_HIGHUSER_MOVABLE|__GFP_COLD|__GFP_NOWARN|__GFP_NORETRY"),
    ("4.9", 0x2084120, "GFP_ATOMIC|__GFP_COLD|__GFP_COMP"),      # 4.9.24 log, coreos/bugs#1106
    ("4.19", 0x480020, "GFP_ATOMIC"),                             # 4.x log in a 2026 patch mail
    ("5.9", 0x800, "GFP_NOWAIT"),                                 # 5.9 log, rfjakob/earlyoom#220
    ("5.13", 0x40a20, "GFP_ATOMIC|__GFP_COMP"),                   # 5.13.14 log, lkrg-org/lkrg#106
    ("6.8", 0x820, "GFP_ATOMIC"),                                 # 6.8.0 log, jcmvbkbc/linux-xtensa#17
    ("4.12", 0x14000d0, "GFP_TEMPORARY"),                         # 4.12 mmflags.h and gfp.h
    ("4.14", 0x14000d0, "GFP_KERNEL|__GFP_RECLAIMABLE"),          # 0ee931c4e31a removed GFP_TEMPORARY
    ("6.14", 0x40920, "GFP_ATOMIC|__GFP_COMP|__GFP_ZERO"),        # 6.14 mmflags.h: COMP before ZERO
    ("6.15", 0x40920, "GFP_ATOMIC|__GFP_ZERO|__GFP_COMP"),        # ca29a0bf1221: bit order (6.18.2)
    ("6.18", 0xec0, "GFP_KERNEL|0x200"),                          # 0x200 unused from 6.3; vsprintf "%#lx"
    ("6.18", 0, ""),                                              # format_flags prints nothing for 0
])
def test_format_flags_against_real_reports(version, flags, text):
    assert format_flags(flags, era(version)) == text


def test_format_gfp_and_the_kernel_hex():
    # lib/vsprintf.c number(): with SPECIAL and base 16 the "0x" is written even for 0 (6.18.2)
    e = era("6.18")
    assert format_gfp(GFP_KERNEL | __GFP_ZERO, e) == "0xdc0(GFP_KERNEL|__GFP_ZERO)"
    assert format_flags(0, e) == "" and f"{0:#x}" == "0x0"
    assert format_gfp(GFP_KERNEL, era("4.4")) == "0x24000c0"  # 4.4.11: "mode:0x%x", no names yet
    assert format_gfp(GFP_KERNEL, era("2.6.20")) == "0xd0"


def test_era_is_computed_at_boot_and_never_on_an_allocation(monkeypatch):
    k = linuxmm.boot("6.18", mem="16M")
    assert isinstance(k.page_alloc.gfp_era, GfpEra)
    assert repr(k.page_alloc.gfp_era) == "GfpEra(layout=v6.3, names=ca29a0bf1221)"

    def boom(ref):
        raise AssertionError(f"kernel.has({ref!r}) after boot")
    monkeypatch.setattr(k, "has", boom)
    while k.alloc_pages(GFP_KERNEL, 0):
        pass
    assert k.alloc_pages(GFP_KERNEL, 11) == 0
    assert k.dmesg[-1].startswith("WARNING: CPU: 0 PID: 1 at mm/page_alloc.c")


def test_arguments_are_checked():
    with pytest.raises(ArgumentError, match="era_gfp: gfp_mask must be an int, not None"):
        era_gfp(None, era("6.18"))
    with pytest.raises(ArgumentError, match="format_flags: flags must be at most"):
        format_flags(1 << 40, era("6.18"))
