"""The record's performance results, reproduced by the model's counters (docs/history-reproduced.md)."""

import pytest

import linuxmm
from linuxmm.cli import main
from linuxmm.errors import ArgumentError
from linuxmm_plugins import history_results as hr

PAGE = 4096


# -- db64fe02258f ------------------------------------------------------------------------------
def test_vmap_rewrite_counters():
    r = hr.vmap_rewrite()
    old, new = r["2.6.27"], r["2.6.28"]
    assert old["ops"] == new["ops"] == [256, 512, 1024, 2048]
    # 2.6.27: every vunmap flushes every TLB (flush_tlb_all: 7 IPIs on 8 CPUs), under vmlist_lock,
    # which vmap and vunmap each take once; from two threads on, every operation takes it over
    # from another CPU
    assert old["tlb_flushes"] == [256, 512, 1024, 2048]
    assert old["ipis"] == [1792, 3584, 7168, 14336]
    assert old["vmlist_lock"] == old["lock acquisitions"] == [512, 1024, 2048, 4096]
    assert old["lock_handoffs"] == [0, 511, 1023, 2047]
    assert old["lazy_purges"] == [0, 0, 0, 0]
    # 2.6.28: vm_map_ram serves 4 pages from this CPU's 1024-page block; one vmap_area_lock and
    # one vmap_block_tree_lock for the block, one vmap_block_tree_lock when its last range is
    # unmapped; no flush before lazy_max_pages is passed
    assert new["tlb_flushes"] == new["ipis"] == new["lazy_purges"] == [0, 0, 0, 0]
    assert new["vmap_area_lock"] == [1, 2, 4, 8]
    assert new["vmap_block_tree_lock"] == [2, 4, 8, 16]
    assert new["vmlist_lock"] == new["purge_lock"] == [0, 0, 0, 0]
    assert new["lock acquisitions"] == [3, 6, 12, 24]
    assert new["lock_handoffs"] == [0, 4, 10, 22]


def test_lazy_flush_interval():
    assert hr.lazy_flush_interval() == {"cpus": 8, "lazy_max_pages": 32768, "ops": 8448, "tlb_flushes": 1,
                                        "ipis": 7, "lazy_purges": 1}


def test_vmap_rewrite_by_cpus():
    r = hr.vmap_rewrite_by_cpus()
    old, new = r["2.6.27"], r["2.6.28"]
    # 2.6.27: a flush on every unmap, an IPI to each other CPU
    assert old["tlb_flushes"] == [16384] * 5
    assert old["ipis"] == [16384 * (cpus - 1) for cpus in (1, 2, 4, 8, 16)] == [0, 16384, 49152, 114688, 245760]
    assert old["lazy_purges"] == old["lazy_max_pages"] == [0] * 5
    # 2.6.28: fls(cpus) * 32 MiB of pages; a purge once that many pages of 1024-page blocks are
    # freed (the 9th, 17th, 25th, 33rd, 41st block: every 2304, 4352, 6400, 8448, 10496 operations)
    assert new["lazy_max_pages"] == [8192, 16384, 24576, 32768, 40960]
    assert new["lazy_purges"] == new["tlb_flushes"] == [7, 3, 2, 1, 1]
    assert new["ipis"] == [0, 3, 6, 7, 15]


def test_vmap_rewrite_by_cpus_figure_plots_the_counters():
    pytest.importorskip("matplotlib")
    fig, data = hr.vmap_rewrite_flushes_by_cpus()
    r = hr.vmap_rewrite_by_cpus()
    assert data["cpus"] == [1, 2, 4, 8, 16]
    assert data["v2.6.28 tlb_flushes"] == r["2.6.28"]["tlb_flushes"]
    assert [list(line.get_ydata()) for line in fig.axes[1].lines] == [[0.5, 16384, 49152, 114688, 245760],
                                                                      [0.5, 3, 6, 7, 15]]


def test_vmap_rewrite_figure_plots_the_counters():
    pytest.importorskip("matplotlib")
    fig, data = hr.vmap_rewrite_flushes_by_threads()
    r = hr.vmap_rewrite()
    assert data["threads"] == [1, 2, 4, 8]
    for key in ("tlb_flushes", "ipis", "lock_handoffs"):
        for version in ("2.6.27", "2.6.28"):
            assert data[f"v{version} {key}"] == r[version][key]
    assert [list(line.get_ydata()) for line in fig.axes[1].lines] == [r["2.6.27"]["ipis"], r["2.6.28"]["ipis"]]


def test_lock_counters_follow_the_source():
    k = linuxmm.boot("2.6.27", cpus=2)
    a = k.vmalloc(PAGE)
    with k.on_cpu(1):
        k.vfree(a)  # __get_vm_area_node on CPU 0, remove_vm_area on CPU 1
    assert (k.counters["vmlist_lock"], k.counters["lock_handoffs"]) == (2, 1)
    k = linuxmm.boot("2.6.28")
    k.vfree(k.vmalloc(PAGE))
    # alloc_vmap_area, then vmlist linking; find_vmap_area, then vmlist unlinking
    assert (k.counters["vmap_area_lock"], k.counters["vmlist_lock"], k.counters["purge_lock"]) == (2, 2, 0)
    k.vm_unmap_aliases()  # a purge: purge_lock, then vmap_area_lock to give the area back
    assert (k.counters["vmap_area_lock"], k.counters["purge_lock"], k.counters["lock_handoffs"]) == (3, 1, 0)
    k = linuxmm.boot("3.10")
    k.vfree(k.vmalloc(PAGE))
    with pytest.raises(ArgumentError, match="no counter named 'vmlist_lock'"):
        k.counters["vmlist_lock"]  # vmlist is gone
    assert k.counters["vmap_area_lock"] == 2
    with pytest.raises(ArgumentError, match="no counter named 'vmap_area_lock'"):
        linuxmm.boot("5.2").counters["vmap_area_lock"]  # the free-space tree does not count locks


# -- 68ad4a330433 --------------------------------------------------------------------------------
def test_long_busy_list_steps_per_allocation():
    r = hr.long_busy_list()
    assert (r["pinned"], r["loops"], r["allocations"]) == (15000, 40, 80)
    # 5.1, after fix_size and full_fit: once a purge has left a hole the 100-page request skips,
    # cached_hole_size sends the next 1-page request back to VMALLOC_START, past every pinned area
    assert r["v5.1 steps"] == 242544  # 3031.8 per allocation
    assert r["v5.1 walks past every pinned area"] == 16 and r["v5.1 largest"] == 15079
    # 5.2: a descent of the free-space tree, whatever the busy areas
    assert r["v5.2 steps"] == 832  # 10.4 per allocation
    assert r["v5.2 walks past every pinned area"] == 0 and r["v5.2 largest"] == 20
    # pinning: 89699605fe7c's cache makes each of 5.1's one step; 5.2 descends the fragmented tree
    assert (r["v5.1 pin steps"], r["v5.2 pin steps"]) == (15008, 119982)


def test_long_busy_list_body_is_the_modules_test():
    from linuxmm_plugins import test_vmalloc

    k = hr.performance_mode_kernel("5.1")
    before = k.counters["vmap_steps"]
    test_vmalloc.run(k, hr.test_vmalloc_params(4, hr.BUSY_LOOPS), out=lambda line: None)
    r = hr.long_busy_list()
    assert k.counters["vmap_steps"] - before == r["v5.1 pin steps"] + r["v5.1 steps"]


def test_busy_cost_curve_linear_then_flat():
    r = hr.busy_cost_curve()
    assert r["pinned"] == [100, 1000, 10000, 100000] and r["allocations"] == 8
    assert r["v5.1 steps"] == [886, 8112, 80140, 800172]
    assert r["v5.2 steps"] == [30, 34, 35, 35]
    pytest.importorskip("matplotlib")
    _, data = hr.busy_areas_allocation_cost()
    assert data["v5.1 steps per allocation"] == [110.75, 1014.0, 10017.5, 100021.5]
    assert data["v5.2 steps per allocation"] == [3.75, 4.25, 4.375, 4.375]


# -- 121e6f3258fe --------------------------------------------------------------------------------
def test_huge_mappings_tlb_entries():
    r = hr.huge_mappings()
    assert r["case"] == [case[0] for case in hr.HUGE_CASES]
    assert r["page order"] == [0, 9, 0, 0, 9, 0]
    assert r["4K entries"] == [16384, 0, 16384, 16384, 0, 16384]
    assert r["2M entries"] == [0, 32, 0, 0, 32, 0]
    assert r["TLB fills"] == [16384, 32, 16384, 16384, 32, 16384]
    pytest.importorskip("matplotlib")
    fig, data = hr.huge_vmalloc_tlb_entries()
    assert data == {"case": r["case"], "4K entries": r["4K entries"], "2M entries": r["2M entries"]}
    assert [round(p.get_width()) for p in fig.axes[0].patches] == [16384, 32, 16384, 16384, 32, 16384]


# -- f7a35a3c36d1 --------------------------------------------------------------------------------
def test_vrealloc_grow_bytes_copied():
    r = hr.vrealloc_grow()
    n, size = r["entries"], r["entry bytes"]
    # 6.15-rc6: every grow allocates, copies all it holds and frees: 16 * n(n-1)/2 bytes
    assert r["v6.15-rc6 bytes_copied"] == size * n * (n - 1) // 2 == 8380416
    assert (r["v6.15-rc6 vmalloc_calls"], r["v6.15-rc6 vfree_calls"], r["v6.15-rc6 moved"]) == (1024, 1023, 1023)
    # 6.15: only the grows past a page boundary move: after 1, 2 and 3 pages
    assert r["v6.15 bytes_copied"] == 4096 + 8192 + 12288
    assert (r["v6.15 vmalloc_calls"], r["v6.15 vfree_calls"], r["v6.15 grown in place"]) == (4, 3, 1020)
    assert r["v6.15-rc6 vrealloc_calls"] == r["v6.15 vrealloc_calls"] == 1024
    assert r["v6.15-rc6 vrealloc_bytes_zeroed"] == r["v6.15 vrealloc_bytes_zeroed"] == 0
    assert r["v6.15-rc6 seconds"] > 0 and r["v6.15 seconds"] > 0  # measured, not compared


# -- the command ---------------------------------------------------------------------------------
def test_history_results_prints_the_asserted_numbers(capsys):
    assert main(["history-results", "--no-times"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == hr.report(times=False)
    assert "v2.6.27 ipis: 1792 3584 7168 14336" in out
    assert "v5.1 steps: 242544" in out
    assert "2M entries: 0 32 0 0 32 0" in out
    assert "v6.15-rc6 bytes_copied: 8380416" in out
    assert not any("seconds" in line or line.startswith("python:") for line in out)


def test_history_results_times_machine_and_figures(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    assert main(["history-results", "--figures", str(tmp_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    at = out.index("== machine")
    assert [line.split(":")[0] for line in out[at + 1:at + 5]] == ["nproc", "cpu", "python", "date"]
    times = out[out.index("== wall times (measured, not asserted)") + 1:at]
    assert [line.rpartition(":")[0] for line in times] == [
        "long_busy_list_alloc_test, 15000 pinned: v5.1 seconds per allocation",
        "long_busy_list_alloc_test, 15000 pinned: v5.2 seconds per allocation",
        "long_busy_list_alloc_test, 100 1000 10000 100000 pinned: v5.1 seconds per allocation",
        "long_busy_list_alloc_test, 100 1000 10000 100000 pinned: v5.2 seconds per allocation",
        "BPF instruction history, 1024 grows: v6.15-rc6 seconds",
        "BPF instruction history, 1024 grows: v6.15 seconds"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        spec.rpartition(":")[2] + ".png" for spec in hr.FIGURE_SPECS)
    capsys.readouterr()
    assert main(["--kernel-version", "6.1", "history-results"]) == 2  # it boots its own kernels
    assert capsys.readouterr().err.startswith(
        "linuxmm: error: history-results takes no kernel options (it reruns the record's performance results ")
