"""vrealloc() at every modelled point: the releases and backports that decide its behaviour."""

from __future__ import annotations

import pytest

import linuxmm

KASAN_FIX, GRANULAR, IN_PLACE, ZERO_SHRINK = "d699440f58ce", "a0309faf1cb0", "f7a35a3c36d1", "70d1eb031a68"


@pytest.mark.parametrize("version,kasan_fix,granular,fixes", [
    ("6.11", False, False, False),
    ("6.12", False, False, False),
    ("6.12.4", False, False, False),  # resolves to v6.12: no backport before 6.12.5
    ("6.12.5", True, False, False),
    ("6.12.28", True, False, False),  # 6.12.5's state
    ("6.12.29", True, True, False),
    ("6.12.30", True, True, False),
    ("6.12.31", True, True, True),
    ("6.13-rc1", False, False, False),
    ("6.13-rc2", True, False, False),
    ("6.13", True, False, False),
    ("6.14", True, False, False),
    ("6.14.6", True, False, False),
    ("6.14.7", True, True, False),
    ("6.14.8", True, True, False),
    ("6.14.9", True, True, True),
    ("6.15-rc5", True, False, False),
    ("6.15-rc6", True, True, False),
    ("6.15-rc7", True, True, False),
    ("6.15", True, True, True),
    ("6.18", True, True, True),
])
def test_which_vrealloc_commits_each_release_has(version, kasan_fix, granular, fixes):
    rev = linuxmm.history().resolve(version)
    assert rev.has(KASAN_FIX) is kasan_fix
    assert rev.has(GRANULAR) is granular
    assert rev.has(IN_PLACE) is fixes and rev.has(ZERO_SHRINK) is fixes
    assert rev.has("3ddc2fefe6f3") is (version != "6.11")


def test_stable_releases_are_mainline_plus_backports():
    hist = linuxmm.history()
    rel = hist.stable["v6.14.7"]
    assert (rel.base, rel.backports) == ("v6.14", (GRANULAR,))
    assert hist.stable["v6.12.31"].backports == (KASAN_FIX, GRANULAR, IN_PLACE, ZERO_SHRINK)
    assert hist.resolve("6.12.30").note == ("6.12.30 is not modelled: resolved to v6.12.29, the newest modelled "
                                            "6.12.y release at or before it (v6.12 plus its recorded backports)")


# -- the behaviour at each point ------------------------------------------------------------------
from linuxmm import GFP_KERNEL, NotInThisKernel, KernelPanic  # noqa: E402
from linuxmm.kasan import BANNER  # noqa: E402

PAGE = 4096
BUG_GROW = "BUG: KASAN: vmalloc-out-of-bounds in vrealloc_grow"
BUG_COPY = "BUG: KASAN: vmalloc-out-of-bounds in vrealloc_noprof"

#: version -> (first KASAN line of vrealloc-grow with KASAN_VMALLOC, returned == p, bytes copied,
#: vrealloc's memset bytes under init_on_alloc=1)
GROW = {
    "6.12": (BUG_GROW, True, 0, 3840),
    "6.12.5": (None, True, 0, 3840),
    "6.12.29": (None, False, 64, 192),
    "6.12.31": (None, True, 0, 0),
    "6.13-rc1": (BUG_GROW, True, 0, 3840),
    "6.13-rc2": (None, True, 0, 3840),
    "6.13": (None, True, 0, 3840),
    "6.14": (None, True, 0, 3840),
    "6.14.7": (None, False, 64, 192),
    "6.14.9": (None, True, 0, 0),
    "6.15-rc5": (None, True, 0, 3840),
    "6.15-rc6": (None, False, 64, 192),
    "6.15-rc7": (None, False, 64, 192),
    "6.15": (None, True, 0, 0),
    "6.18": (None, True, 0, 0),
}


def run(version, workload, config=(), cmdline=None):
    k = linuxmm.boot(version, config=list(config), cmdline=cmdline)
    return k, k.host.workloads[workload].run(k, 0)


def kasan_lines(out):
    return [line for line in out.splitlines() if line.startswith("BUG: KASAN:")]


@pytest.mark.parametrize("version", sorted(GROW))
def test_vrealloc_grow_at_each_point(version):
    bug, same, copied, _ = GROW[version]
    k, out = run(version, "vrealloc-grow", ["KASAN=y", "KASAN_VMALLOC=y"])
    assert kasan_lines(out)[:1] == ([bug] if bug else [])
    assert ("KASAN: no report" in out) is (bug is None)
    assert f"returned pointer == p: {'yes' if same else 'no'}" in out.splitlines()
    assert k.counters["bytes_copied"] == copied
    assert "contents kept: yes" in out


@pytest.mark.parametrize("version", sorted(GROW))
def test_vrealloc_grow_zeroing_under_init_on_alloc(version):
    _, same, copied, memset = GROW[version]
    k, out = run(version, "vrealloc-grow", cmdline="init_on_alloc=1")
    assert k.counters["vrealloc_bytes_zeroed"] == memset
    # the page allocator zeroes every new page: one for vmalloc(64), one more when vrealloc moved
    assert k.counters["bytes_zeroed"] - memset == PAGE * (1 if same else 2)
    assert k.counters["bytes_copied"] == copied


def test_no_report_without_kasan_vmalloc_or_without_kasan():
    for config in (["KASAN=y"], []):
        k, out = run("6.12", "vrealloc-grow", config)
        assert kasan_lines(out) == [] and BANNER not in k.dmesg
    assert "KASAN: no report" in run("6.12", "vrealloc-grow", ["KASAN=y"])[1]


def test_the_2024_report_in_full():
    k, out = run("6.12", "vrealloc-grow", ["KASAN=y", "KASAN_VMALLOC=y"])
    start = list(k.dmesg).index(BANNER)
    report = list(k.dmesg)[start:start + 8]
    assert report == [
        BANNER,
        BUG_GROW,
        "Write of size 192 at addr ffffc90000000040 by task linuxmm/1",
        "",
        "The buggy address belongs to the virtual mapping at",
        " [ffffc90000000000, ffffc90000002000) created by:",
        " vrealloc_grow",
        "",
    ]
    assert list(k.dmesg)[start + 8:start + 14] == [
        "Memory state around the buggy address:",
        " ffffc8ffffffff00: " + " ".join(["00"] * 16),
        " ffffc8ffffffff80: " + " ".join(["00"] * 16),
        ">ffffc90000000000: " + " ".join(["00"] * 8 + ["f8"] * 8),
        " " * 43 + "^",
        " ffffc90000000080: " + " ".join(["f8"] * 16),
    ]


@pytest.mark.parametrize("version,entries_moved,copied", [
    ("6.12", 0, 0), ("6.13", 0, 0), ("6.14", 0, 0), ("6.15-rc5", 0, 0),
    ("6.15-rc6", 255, 16 * 256 * 255 // 2), ("6.15-rc7", 255, 522240), ("6.14.7", 255, 522240),
    ("6.12.29", 255, 522240), ("6.15", 0, 0), ("6.14.9", 0, 0), ("6.12.31", 0, 0),
])
def test_bpf_insn_history_copies(version, entries_moved, copied):
    k, out = run(version, "bpf-insn-history")
    assert (f"after the first, vrealloc returned the same block {255 - entries_moved} times and a new block "
            f"{entries_moved} times") in out
    assert k.counters["bytes_copied"] == copied
    assert k.counters["vmalloc_calls"] == 1 + entries_moved
    assert "entries intact: yes" in out


def test_bpf_insn_history_kasan_report_names_push_insn_history():
    _, out = run("6.12", "bpf-insn-history", ["KASAN=y", "KASAN_VMALLOC=y"])
    assert kasan_lines(out) == ["BUG: KASAN: vmalloc-out-of-bounds in push_insn_history"]
    assert "Write of size 4 at addr ffffc90000000010 by task linuxmm/1" in out
    for version in ("6.12.5", "6.13", "6.15-rc6", "6.15"):
        assert "KASAN: no report" in run(version, "bpf-insn-history", ["KASAN=y", "KASAN_VMALLOC=y"])[1]


@pytest.mark.parametrize("version,bug,copied", [
    ("6.12", True, 4096), ("6.12.5", True, 4096), ("6.13", True, 4096), ("6.14", True, 4096),
    ("6.15-rc5", True, 4096), ("6.15-rc6", False, 64), ("6.14.7", False, 64), ("6.12.29", False, 64),
    ("6.15", False, 64),
])
def test_grow_beyond_the_area_copies_the_poisoned_tail(version, bug, copied):
    """The 2025-04-08 report: memcpy of the whole old area reads the bytes KASAN poisoned."""
    k, out = run(version, "vrealloc-grow-beyond", ["KASAN=y", "KASAN_VMALLOC=y"])
    assert kasan_lines(out) == ([BUG_COPY] if bug else [])
    if bug:
        assert "Read of size 4096 at addr ffffc90000000000 by task linuxmm/1" in out
    assert k.counters["bytes_copied"] == copied


CONTRACT = {  # version group -> {(init_on_alloc, init_on_free): tail after shrink and regrow, GFP_KERNEL}
    "area": {(0, 0): "all 0xaa (the block's old contents)", (1, 0): "all zero",
             (0, 1): "all 0xaa (the block's old contents)", (1, 1): "all zero"},
    "fallthrough": {(0, 0): "all 0x55 (another user's freed page)", (1, 0): "all zero",
                    (0, 1): "all zero", (1, 1): "all zero"},
    "fixed": {(0, 0): "all 0xaa (the block's old contents)", (1, 0): "all zero",
              (0, 1): "all zero", (1, 1): "all zero"},
}


@pytest.mark.parametrize("version,group", [
    ("6.12", "area"), ("6.13", "area"), ("6.14", "area"), ("6.15-rc5", "area"), ("6.12.5", "area"),
    ("6.15-rc6", "fallthrough"), ("6.15-rc7", "fallthrough"), ("6.14.7", "fallthrough"),
    ("6.12.29", "fallthrough"), ("6.15", "fixed"), ("6.14.9", "fixed"), ("6.12.31", "fixed"),
])
@pytest.mark.parametrize("init", [(0, 0), (1, 0), (0, 1), (1, 1)])
def test_shrink_then_regrow_contents(version, group, init):
    cmdline = f"init_on_alloc={init[0]} init_on_free={init[1]}"
    _, out = run(version, "vrealloc-shrink-regrow", cmdline=cmdline)
    tails = [line for line in out.splitlines() if line.startswith("  bytes 100..4095")]
    # with GFP_KERNEL, then with __GFP_ZERO on every call: the kernel-doc's contract holds in every era
    assert tails == [f"  bytes 100..4095 after the regrow: {CONTRACT[group][init]}",
                     "  bytes 100..4095 after the regrow: all zero"]
    assert "  bytes 0..99: all 0xaa (the block's old contents)" in out


def test_basic_contract():
    k = linuxmm.boot("6.15")
    p = k.vrealloc(0, 100)  # NULL: like vmalloc
    assert k.subsystems["vmalloc"].find_vm_area(p).requested_size == 100
    assert k.vrealloc(p, 0) == 0  # size 0 frees
    assert k.counters["vfree_calls"] == 1
    with pytest.raises(NotInThisKernel) as exc:
        linuxmm.boot("6.11").vrealloc(0, 100)
    assert str(exc.value) == ("vrealloc() is not in v6.11: it appeared in v6.12-rc1 (3ddc2fefe6f3 \"mm: vmalloc: "
                              "implement vrealloc()\")")


def test_warn_paths():
    k = linuxmm.boot("6.15")
    p = k.vmalloc(100)
    assert k.vrealloc(p + 4096 * 10, 200) == 0
    assert k.dmesg[-3:] == ["------------[ cut here ]------------",
                            "WARNING: CPU: 0 PID: 1 at mm/vmalloc.c vrealloc_noprof",
                            f"Trying to vrealloc() nonexistent vm area ({k.subsystems['vmalloc'].ptr(p + 40960)})"]
    vm = k.subsystems["vmalloc"].find_vm_area(p)
    vm.requested_size = 3 * 4096  # a vm_struct whose requested size exceeds its area
    assert k.vrealloc(p, 200) == 0
    assert k.dmesg[-1] == f"vrealloc() has mismatched area vs requested sizes ({k.subsystems['vmalloc'].ptr(p)})"
    # before a0309faf1cb0 there is no requested size to disagree with
    k = linuxmm.boot("6.14")
    p = k.vmalloc(100)
    k.subsystems["vmalloc"].find_vm_area(p).requested_size = 3 * 4096
    assert k.vrealloc(p, 200) == p


def test_unaligned_sizes_warn_in_kasan_poison_from_the_kasan_fix_on():
    """d699440f58ce and later poison from p + size: a size that is not a multiple of 8 is kasan_poison's WARN."""
    for version, warned in (("6.12", False), ("6.13", True), ("6.15-rc6", True), ("6.15", True)):
        k = linuxmm.boot(version, config={"KASAN": True, "KASAN_VMALLOC": True})
        p = k.vmalloc(4096)
        k.vrealloc(p, 100)
        assert ("WARNING: CPU: 0 PID: 1 at mm/kasan/shadow.c kasan_poison" in k.dmesg) is warned


def test_panic_on_warn_applies_to_vrealloc_warnings():
    k = linuxmm.boot("6.15", cmdline="panic_on_warn=1")
    with pytest.raises(KernelPanic):
        k.vrealloc(k.vmalloc(100) + 8192, 10)
    assert k.dmesg[-1] == "Kernel panic - not syncing: kernel: panic_on_warn set ..."


def test_vrealloc_test_sequence_at_every_release_with_vrealloc():
    for version in ("6.12", "6.13", "6.15-rc6", "6.15", "6.18"):
        _, out = run(version, "vrealloc_test", ["KASAN=y", "KASAN_VMALLOC=y"])
        assert "vrealloc_test: passed" in out


def test_kvrealloc_by_era():
    with pytest.raises(NotInThisKernel) as exc:
        linuxmm.boot("5.14").kvrealloc(0, 0, 64, GFP_KERNEL)
    assert str(exc.value) == "kvrealloc() is not in v5.14: it appeared in v5.15"
    k = linuxmm.boot("6.11")
    p = k.kvmalloc(8192, GFP_KERNEL)
    assert k.kvrealloc(p, 8192, 4096, GFP_KERNEL) == p  # oldsize >= newsize: nothing to do
    q = k.kvrealloc(p, 8192, 16384, GFP_KERNEL)
    assert q != p and k.counters["bytes_copied"] == 8192
    with pytest.raises(NotInThisKernel):
        k.kvrealloc(q, 100, GFP_KERNEL)  # the 6.12 form
    k = linuxmm.boot("6.12")
    p = k.vmalloc(8192)
    assert k.kvrealloc(p, 100, GFP_KERNEL) == p  # a vmalloc address: vrealloc
    assert k.counters["vrealloc_calls"] == 1
    q = k.kvrealloc(0, 100, GFP_KERNEL)  # anything else: krealloc, here kmalloc(100)
    assert not k.is_vmalloc_addr(q) and k.ksize(q) == 128 and k.counters["vrealloc_calls"] == 1
    k.memory.write(q, b"kept")
    r = k.kvrealloc(q, 1000, GFP_KERNEL)  # krealloc to a larger kmalloc cache copies
    assert r != q and k.memory.read(r, 4) == b"kept"


def test_figure_numbers():
    pytest.importorskip("matplotlib")
    from linuxmm_plugins.mm_vrealloc_workloads import bytes_copied_by_history_length

    _, numbers = bytes_copied_by_history_length()
    assert numbers["entries"] == [32, 64, 128, 192, 256, 320, 384]
    assert numbers["v6.15-rc6 bytes_copied"] == [16 * n * (n - 1) // 2 for n in numbers["entries"]]
    assert numbers["v6.14 bytes_copied"] == numbers["v6.15 bytes_copied"] == [0, 0, 0, 0, 0, 4096, 4096]


def test_test_vmalloc_runs_vrealloc_test_at_bit_4096():
    from linuxmm_plugins import test_vmalloc

    k = linuxmm.boot("6.18")
    params = {"run_test_mask": 4096, "test_loop_count": 2, "test_repeat_count": 1, "nr_threads": 1,
              "sequential_test_order": True, "nr_pages": 0, "use_huge": False, "nr_pcpu_objects": 35000}
    out: list[str] = []
    test_vmalloc.run(k, params, out.append)
    assert any(line.startswith("Summary: vrealloc_test passed: 1 failed: 0 xfailed: 0 repeat: 1 loops: 2 avg: ")
               for line in out)
    assert k.counters["vrealloc_calls"] == 8


@pytest.mark.parametrize("version", ["6.15-rc1", "6.16", "6.17"])
def test_vrealloc_grow_at_the_points_around(version):
    bug, same, copied, _ = GROW["6.15-rc5" if version == "6.15-rc1" else "6.18"]
    k, out = run(version, "vrealloc-grow", ["KASAN=y", "KASAN_VMALLOC=y"])
    assert kasan_lines(out) == [] and f"returned pointer == p: {'yes' if same else 'no'}" in out
    assert k.counters["bytes_copied"] == copied


def test_vmalloc_oob_with_kasan_vmalloc():
    for version, reads in (("5.15", ["Read of size 1 at addr ffffc90000000c1c by task linuxmm/1"]),
                           ("6.12", ["Read of size 1 at addr ffffc900000007f3 by task linuxmm/1",
                                     "Read of size 1 at addr ffffc900000007f8 by task linuxmm/1"])):
        k = linuxmm.boot(version, config={"KASAN": True, "KASAN_VMALLOC": True})
        out = k.host.workloads["kasan_test"].run(k, 0)
        assert [line.strip() for line in out.splitlines() if "Read of size" in line and "ffffc9" in line] == reads
        assert [line for line in out.splitlines() if "vmalloc_oob" in line][-1].endswith(" vmalloc_oob")
        assert "not ok" not in out


@pytest.mark.parametrize("version,bug", [("6.12.5", True), ("6.13", True), ("6.15-rc5", True), ("6.15-rc6", False),
                                         ("6.15", False)])
def test_zeroing_memset_over_the_poisoned_tail(version, bug):
    """Before a0309faf1cb0 the memset of a grow in place runs over bytes KASAN has poisoned."""
    k, out = run(version, "vrealloc-grow", ["KASAN=y", "KASAN_VMALLOC=y"], cmdline="init_on_alloc=1")
    assert kasan_lines(out) == (["BUG: KASAN: vmalloc-out-of-bounds in vrealloc_noprof"] if bug else [])
    if bug:
        assert "Write of size 3840 at addr ffffc90000000100 by task linuxmm/1" in out
