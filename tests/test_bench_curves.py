"""`linuxmm bench --curves` beyond the page allocators: the step counts of each allocator's pair
against live objects, exact at 10^2 and 10^3 live, and the complexity class they show (no timing
assertions: the curve's time is measured, never asserted)."""

from __future__ import annotations

import json

import pytest

import linuxmm
from linuxmm import bench
from linuxmm.cli import main
from linuxmm.records import BenchCurve

SMALL = bench.Settings("quick", rounds=1, round_s=0.0002, curve_rounds=1, curve_sizes=(100, 1000))


def _curves() -> dict[str, BenchCurve]:
    return {cv.name: cv for cv in bench.plugin_curves()}


def _points(name: str, sizes=SMALL.curve_sizes) -> list[dict]:
    cv = _curves()[name]
    return bench.curve_points(cv.setup, cv.stmt, cv.steps, sizes, SMALL, cv.live_limit, cv.limit_note)


def _steps(points: list[dict], counter: str) -> list[int]:
    return [p["steps"][counter] for p in points]


# -- kmalloc(64) + kfree against N kmalloc(64) objects with 16-byte holes between them ---------
@pytest.mark.parametrize("name", ["curve-kmalloc64-kmalloc.c-1.0", "curve-kmalloc64-kmalloc.c-2.0",
                                  "curve-kmalloc64-slab-2.2", "curve-kmalloc64-slab-2.6.28",
                                  "curve-kmalloc64-slub-6.12"])
def test_kmalloc_pair_is_flat_where_the_kernel_takes_the_first_free_object(name):
    # mm/kmalloc.c's bucket head, SLAB's slab/array_cache and SLUB's per-CPU freelist: no walk, and
    # the model executes the same Python lines whatever is live
    points = _points(name)
    assert _steps(points, "list_walks") == [0, 0]
    assert points[0]["lines"] == points[1]["lines"] > 0
    assert _curves()[name].complexity == "O(1)"


def test_slob_page_lists_walk_every_page_with_free_units():
    # 2.6.28: each page holds 42 (64-byte object + 16-byte hole) pairs, so 100 objects fill 3
    # pages and 1000 fill 24; every one has free units (the holes) but no run of 36 units, so
    # slob_alloc steps over all of them before taking a fresh page: linear in the pages
    points = _points("curve-kmalloc64-slob-2.6.28")
    assert _steps(points, "list_walks") == [3, 24]
    assert points[1]["lines"] > points[0]["lines"]


def test_slob_kr_heap_pair_starts_at_the_rover():
    # 2.6.20: the lap over every hole happens once (the first pair after the heap filled), then
    # the rover sits at the fresh page and each pair steps over the same three blocks
    points = _points("curve-kmalloc64-slob-2.6.20")
    assert _steps(points, "list_walks") == [3, 3]
    assert points[0]["lines"] == points[1]["lines"]


def test_slab_curves_cover_every_allocator_and_era():
    names = sorted(n for n, cv in _curves().items() if cv.group == "slab")
    assert names == ["curve-kmalloc64-kmalloc.c-1.0", "curve-kmalloc64-kmalloc.c-2.0", "curve-kmalloc64-slab-2.2",
                     "curve-kmalloc64-slab-2.6.28", "curve-kmalloc64-slob-2.6.20", "curve-kmalloc64-slob-2.6.28",
                     "curve-kmalloc64-slub-6.12"]
    assert all(cv.steps == ("list_walks",) for n, cv in _curves().items() if n in names)


def test_the_fragmented_heap_holds_its_objects():
    from linuxmm_plugins.mm_slab_workloads import fragmented_heap

    k = linuxmm.boot("2.6.28", config=["SLOB=y", "EMBEDDED=y"])
    held = fragmented_heap(k, 100, fill_tail=True)
    # 100 objects of 64 bytes (72 with the header) and 100 holes of 24 bytes fill two pages and
    # 16 pairs of a third; 37 more objects of 72 bytes take the rest of the third page but 64 bytes
    assert len(held) == 137 and len({a >> 12 for a in held}) == 3
    # all three pages stay on the small list (the holes are free units) and none has a free run of
    # the 36 units (72 bytes) a kmalloc(64) needs
    assert k.slab.pages_held() == 3 and len(k.slab.free_slob_small) == 3
    assert max(units for sp in k.slab.free_slob_small for _, units in sp.free) == 32


# -- kmem_cache pairs ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["kmem_cache192-slub", "kmem_cache192-slab", "kmem_cache192-slob"])
def test_kmem_cache_pairs_allocate_and_free(name):
    case = {c.name: c for c in bench.plugin_cases()}[name]
    assert case.target is None and case.group == "slab"
    globs = case.setup()
    k = globs["k"]
    pages = k.slab.pages_held()
    for _ in range(3):
        exec(case.stmt, globs)
    assert globs["p"] and k.slab.pages_held() == pages
    assert k.violations() == []


# -- the report ----------------------------------------------------------------------------------
def test_plugin_curves_in_the_json(monkeypatch, capsys):
    monkeypatch.setattr(bench, "QUICK", SMALL)
    assert main(["bench", "--quick", "--curves", "--json", "--only", "curve-kmalloc64-slub"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["schema"] == "linuxmm-bench/1" and data["cases"] == []
    (cv,) = data["curves"]
    assert set(cv) == {"name", "group", "help", "complexity", "stmt", "points"}
    assert cv["name"] == "curve-kmalloc64-slub-6.12" and cv["complexity"] == "O(1)"
    assert [(p["live"], p["steps"]) for p in cv["points"]] == [(100, {"list_walks": 0}), (1000, {"list_walks": 0})]
    assert all(set(p) == {"live", "ns", "ratio", "steps", "lines"} for p in cv["points"])


def test_a_curve_reports_sizes_beyond_its_limit():
    cv = BenchCurve("toy", stmt="pass", setup=lambda n: 1 / 0, live_limit=10, limit_note="too slow to build")
    assert bench.curve_points(cv.setup, cv.stmt, cv.steps, (100,), SMALL, cv.live_limit, cv.limit_note) == [
        {"live": 100, "skipped": "too slow to build"}]


# -- vmalloc(4 pages) + vfree against N one-page areas with a one-page hole between each two --------
#: (version, vmap_steps at 10^2 and 10^3 live, vmlist_steps at 10^2 and 10^3 live), with why:
VMALLOC_STEPS = [
    # get_vm_area steps over every live area to the gap above them; vfree walks vmlist to the
    # new area, the last entry: N + 1 -- linear
    ("2.4.0", [100, 1000], [101, 1001]),
    ("2.6.27", [100, 1000], [101, 1001]),
    # alloc_vmap_area walks the busy areas from VMALLOC_START every time (a few more nodes for
    # the tree descent); __get_vm_area_node and __remove_vm_area walk vmlist twice -- linear
    ("2.6.28", [109, 1012], [202, 2002]),
    # free_vmap_cache (89699605fe7c): the request (5 pages with the guard) is bigger than every
    # hole below the cache, so the walk starts at the cached area, whatever is live -- flat
    ("5.1", [1, 1], [0, 0]),
    # 68ad4a330433: N + 1 free ranges in an augmented tree; ten times the ranges (about 3.3 more
    # levels) cost 12 more nodes -- logarithmic
    ("5.2", [21, 33], [0, 0]),
    ("6.12", [21, 33], [0, 0]),
]


@pytest.mark.parametrize("version, vmap, vmlist", VMALLOC_STEPS, ids=[v[0] for v in VMALLOC_STEPS])
def test_vmalloc_search_steps_follow_each_eras_complexity(version, vmap, vmlist):
    points = _points(f"curve-vmalloc4-{version}")
    assert _steps(points, "vmap_steps") == vmap
    assert _steps(points, "vmlist_steps") == vmlist


def test_the_2_6_28_curve_stops_at_10_4():
    assert _curves()["curve-vmalloc4-2.6.28"].live_limit == 10_000


def test_the_2_4_vmalloc_space_holds_15359_one_page_areas():
    points = _points("curve-vmalloc4-2.4.0", sizes=(10_000,))
    assert points == [{"live": 10_000, "skipped": "only 15359 of 20000 one-page areas fit (vmalloc space or mem=1G)"}]
