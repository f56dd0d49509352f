"""Built-in workloads (plugins/workloads.py) and workload files (linuxmm/workload.py)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import linuxmm
from linuxmm import workload
from linuxmm.errors import WorkloadError
from linuxmm.gfp import GFP_ATOMIC, GFP_KERNEL, __GFP_ZERO
from linuxmm_plugins import workloads as wl

RELEASES = linuxmm.history().modelled_releases()
#: One release per page-allocator era, and the points where the rules changed.
ERAS = ["v0.01", "v0.11", "v1.0", "v1.1.89", "v2.0", "v2.2.0", "v2.4.0", "v2.6.0", "v2.6.28", "v4.4", "v6.18"]

_COUNTS = re.compile(r"^pages: free (\d+) \+ allocated (\d+) \+ reserved (\d+) = (\d+) pages$", re.M)


def boot_small(tag, **kw):
    """16M of RAM, except at 0.01, whose memory size is fixed when it is compiled (8M)."""
    return linuxmm.boot(tag, mem=None if tag == "v0.01" else "16M", **kw)


def totals(k):
    pa = k.page_alloc
    return pa.nr_free_pages(), pa.allocated_pages(), pa.reserved_pages()


def test_builtin_workloads_are_registered():
    host = linuxmm.host.get_host()
    assert {"churn0", "default", "fragment"} <= set(host.workloads)  # other plugins add their own
    assert host.workloads["default"].run is wl.churn
    assert all(w.help for w in host.workloads.values())


# -- every workload at every modelled release ---------------------------------------------
@pytest.mark.parametrize("tag", RELEASES)
def test_every_workload_runs_at_every_release(tag):
    k = boot_small(tag)
    free0, used0, reserved0 = totals(k)
    total = free0 + used0 + reserved0
    top = min(3, k.page_alloc.max_order)
    out = wl.churn(k, 5, steps=300)
    assert out.splitlines()[0] == f"workload default: seed 5, 300 steps, orders 0..{top} at {k.version}"
    free, used, reserved = totals(k)
    assert free + used + reserved == total
    m = _COUNTS.search(out)
    assert m and int(m.group(4)) == total
    out = wl.fragment(k, 0)
    assert sum(totals(k)) == total
    largest = re.search(r"^largest order still allocatable: (\d+|none) \(of 0\.\.(\d+)\)$", out, re.M)
    assert largest and int(largest.group(2)) == k.page_alloc.max_order
    # the last block is the era's free-memory report
    has_buddyinfo = k.has("v2.6.0")
    assert ("$ cat /proc/buddyinfo\n" in out) == has_buddyinfo
    assert ("$ show_mem\n" in out) == (not has_buddyinfo)


def test_churn_never_asks_001_for_more_than_one_page():
    k = linuxmm.boot("0.01")
    out = wl.churn(k, 1)
    assert out.splitlines()[0] == "workload default: seed 1, 4000 steps, orders 0..0 at v0.01"


def test_orders_capped_at_the_era():
    assert wl.churn(linuxmm.boot("1.1.89"), 0, steps=10).splitlines()[0].endswith("orders 0..3 at v1.1.89")


def test_default_workload_is_deterministic_and_seeded():
    run = linuxmm.host.get_host().workloads["default"].run
    a = run(linuxmm.boot("2.6.28", mem="32M"), 11)
    b = run(linuxmm.boot("2.6.28", mem="32M"), 11)
    c = run(linuxmm.boot("2.6.28", mem="32M"), 12)
    assert a == b
    assert a != c


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), tag=st.sampled_from(ERAS), steps=st.integers(1, 400),
       orders=st.integers(0, 5))
def test_churn_conserves_pages(seed, tag, steps, orders):
    k = boot_small(tag)
    free0, used0, reserved0 = totals(k)
    out = wl.churn(k, seed, orders=orders, steps=steps)
    live = int(re.search(r"^still allocated: \d+ blocks, (\d+) pages$", out, re.M).group(1))
    free, used, reserved = totals(k)
    assert free + used + reserved == free0 + used0 + reserved0
    assert free == free0 - live
    assert used == used0 + live


def test_fragment_at_001_fills_all_1536_pages():
    # 0.01: PAGING_PAGES = (HIGH_MEMORY - LOW_MEM) / 4096 = 1536 with the default config [V]
    out = wl.fragment(linuxmm.boot("0.01"), 0)
    lines = out.splitlines()
    assert lines[1] == "filled: 1536 order-0 pages allocated (1536 free before, 0 left free)"
    assert lines[2] == "freed every other page: 768 pages; free pages now 768"
    assert lines[3] == "largest order still allocatable: 0 (of 0..0)"
    assert lines[-2] == "$ show_mem"


def test_fragment_on_a_buddy_allocator_frees_every_other_page():
    k = linuxmm.boot("2.6.28", mem="32M")
    out = wl.fragment(k, 0)
    m = re.search(r"^filled: (\d+) order-0 pages allocated \((\d+) free before, (\d+) left free\)$", out, re.M)
    filled, before, left = map(int, m.groups())
    assert filled + left == before
    assert f"freed every other page: {(filled + 1) // 2} pages; free pages now {left + (filled + 1) // 2}" in out


def test_free_memory_report_per_era():
    assert wl.free_memory_report(linuxmm.boot("2.4.0")).startswith("$ show_mem\n")
    k = linuxmm.boot("2.6.0", mem="32M")
    assert wl.free_memory_report(k) == "$ cat /proc/buddyinfo\n" + k.proc("buddyinfo").rstrip("\n")


# -- workload files: parsing ------------------------------------------------------------------
def test_parse_gfp():
    assert workload.parse_gfp("GFP_KERNEL|__GFP_ZERO") == GFP_KERNEL | __GFP_ZERO == 0x80d0
    assert workload.parse_gfp(" GFP_ATOMIC ") == GFP_ATOMIC
    assert workload.parse_gfp("GFP_KERNEL|0x100") == 0xd0 | 0x100
    with pytest.raises(ValueError, match="unknown gfp flag 'GFP_NOPE'"):
        workload.parse_gfp("GFP_KERNEL|GFP_NOPE")
    with pytest.raises(ValueError):
        workload.parse_gfp(True)


def test_loads_a_full_file():
    text = '''description = "d"
[kernel]
version = "2.6.28"
mem = "32M"
cpus = 2
config = { KASAN = false }

[[op]]
alloc = "a"
order = 2
gfp = "GFP_KERNEL|__GFP_ZERO"
cpu = 1

[[op]]
write = "a"
data = "hi"
offset = 8

[[op]]
read = "a"
size = 2
offset = 8
expect = "0x6869"

[[op]]
free = "a"

[[op]]
alloc = "x"
repeat = 3
'''
    f = workload.loads(text, "t.toml")
    assert f.description == "d"
    assert f.kernel == {"version": "2.6.28", "mem": "32M", "cpus": 2, "config": {"KASAN": False}}
    assert [(o.index, o.line, o.kind, o.arg) for o in f.ops] == [
        (0, 8, "alloc", "a"), (1, 14, "write", "a"), (2, 19, "read", "a"), (3, 25, "free", "a"), (4, 28, "alloc", "x")]
    assert f.ops[0].fields == {"order": 2, "gfp": 0x80d0}
    assert f.ops[0].cpu == 1
    assert f.ops[2].fields["expect"] == b"hi"
    assert f.ops[4].fields["repeat"] == 3


@pytest.mark.parametrize("text, message", [
    ('[[op]]\nalloc = "a"\n[[op]]\nalloc = "a"\n',
     "t.toml:3: op[1]: handle 'a' is still allocated (by op[0]); free it first or use another name"),
    ('[[op]]\nfree = "zz"\n', "t.toml:1: op[0]: free of unknown handle 'zz' (no handle is allocated at this point)"),
    ('[[op]]\nalloc = "a"\nfree = "a"\n', "t.toml:1: op[0]: one op per [[op]] table, not alloc and free"),
    ('[[op]]\nalloc = "a"\norder = -1\n', "t.toml:1: op[0]: alloc: order must be an integer >= 0, not -1"),
    ('[[op]]\nalloc = "a"\n\n[[op]]\nread = "a"\nsize = 2\nexpect = "abc"\n',
     "t.toml:4: op[1]: read: expect has 3 bytes but size is 2"),
    ('[[op]]\nalloc = "a"\n[[op]]\nread = "a"\n', "t.toml:3: op[1]: read: size must be an integer >= 1, not -1"),
    ('[[op]]\nalloc = "a"\n[[op]]\nwrite = "a"\n', "t.toml:3: op[1]: write needs data = \"...\" (a string)"),
    ('[[op]]\nshow_mem = "yes"\n', "t.toml:1: op[0]: write show_mem = true"),
    ('[[op]]\nproc = "buddyinfo"\ncpu = "0"\n', "t.toml:1: op[0]: cpu must be a CPU number (0, 1, ...), not '0'"),
    ('[[op]]\nbogus = 1\n', "t.toml:1: op[0]: unknown op 'bogus' (expected one of alloc, free, write, read, proc, "
                            "show_mem, dmesg, echo, kmalloc, kfree, kmem_cache_create, kmem_cache_alloc, "
                            "kmem_cache_free, kmem_cache_destroy)"),
    ('x = 1\n[[op]]\necho = "a"\n', "t.toml: unknown top-level key 'x' (expected description, kernel, op)"),
    ('[kernel]\nversoin = "1.0"\n[[op]]\necho = "a"\n',
     "t.toml:1: [kernel]: unknown key 'versoin' (expected version, mem, cpus, config, cmdline, seed)"),
    ('[kernel]\ncpus = "2"\n[[op]]\necho = "a"\n', "t.toml:1: [kernel]: cpus must be an integer"),
    ('description = "nothing"\n', "t.toml: no [[op]] tables: nothing to run"),
])
def test_semantic_errors(text, message):
    with pytest.raises(WorkloadError) as info:
        workload.loads(text, "t.toml")
    assert str(info.value) == message


def test_syntax_error_names_line():
    with pytest.raises(WorkloadError) as info:
        workload.loads('[[op]]\nalloc = "a"\n\n[[op]\n', "t.toml")
    assert str(info.value).startswith("t.toml: invalid TOML: ")
    assert "(at line 4, column" in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(WorkloadError, match=r"cannot read workload file: No such file or directory"):
        workload.load(str(tmp_path / "none.toml"))


# -- workload files: running -------------------------------------------------------------------------
def test_run_ops_at_001():
    f = workload.loads('[[op]]\nalloc = "a"\n[[op]]\nwrite = "a"\ndata = "abc"\noffset = 4093\n'
                       '[[op]]\nread = "a"\nsize = 3\noffset = 4093\nexpect = "abc"\n'
                       '[[op]]\nread = "a"\nsize = 1\nexpect = "z"\n[[op]]\nfree = "a"\n', "t.toml")
    k = linuxmm.boot("0.01")
    lines: list[str] = []
    status = workload.run(k, f, out=lines.append)
    assert status == 1  # the second read did not find "z"
    top = k.page_alloc.pfn_to_virt(2047)  # 0.01 hands out the highest page first [V]
    assert lines == [
        f"alloc a order=0 gfp=GFP_KERNEL -> {top:#x}",
        "write a+4093: 3 bytes",
        "read a+4093: 616263 \"abc\" (as expected)",
        "read a+0: 00 \".\" MISMATCH: expected 7a \"z\"",
        f"free a ({top:#x}, order 0)",
    ]
    assert sum(totals(k)) == 2048 and k.page_alloc.allocated_pages() == 0


def test_write_past_the_block_is_an_error_naming_the_op():
    # caught when the file is read, before anything runs
    with pytest.raises(WorkloadError) as info:
        workload.loads('[[op]]\nalloc = "a"\n\n[[op]]\nwrite = "a"\ndata = "xy"\noffset = 4095\n', "t.toml")
    assert str(info.value) == "t.toml:4: op[1]: write of 2 bytes at offset 4095 runs past the end of 'a' (4096 bytes)"
    with pytest.raises(WorkloadError) as info:
        workload.loads('[[op]]\nalloc = "a"\norder = 1\n[[op]]\nread = "a"\nsize = 2\noffset = 8191\n', "t.toml")
    assert str(info.value) == "t.toml:4: op[1]: read of 2 bytes at offset 8191 runs past the end of 'a' (8192 bytes)"


def test_expect_that_looks_like_hex_must_be_hex():
    with pytest.raises(WorkloadError) as info:
        workload.loads('[[op]]\nalloc = "a"\n[[op]]\nread = "a"\nsize = 2\nexpect = "0xZZ"\n', "t.toml")
    assert str(info.value) == ("t.toml:3: op[1]: read: expect '0xZZ' starts with 0x but is not hex bytes (two hex "
                               "digits per byte, e.g. 0x68656c6c6f)")
    with pytest.raises(WorkloadError) as info:
        workload.loads('[[op]]\nalloc = "a"\n[[op]]\nread = "a"\nsize = 1\nexpect = "0x123"\n', "t.toml")
    assert "starts with 0x but is not hex bytes" in str(info.value)


def test_a_files_whole_cost_is_bounded():
    one = '[[op]]\nalloc = "p"\norder = 10\nrepeat = 65536\n'
    assert workload.loads(one, "t.toml").ops[0].fields["repeat"] == 65536  # 2**26 pages exactly
    with pytest.raises(WorkloadError) as info:
        workload.loads(one + '[[op]]\nalloc = "q"\n', "t.toml")
    assert str(info.value) == ("t.toml:5: op[1]: the file would move more than 67_108_864 pages in all (the sum of "
                               "repeat x 2**order over its alloc ops), a bound that keeps a run to seconds; lower a "
                               "repeat or an order")
    # an order no era serves fails at once, so it costs what the largest block would
    assert workload.loads('[[op]]\nalloc = "p"\norder = 99\nrepeat = 30000\n', "t.toml")


def test_nothing_runs_when_an_op_cannot_run_in_this_era():
    f = workload.loads('[[op]]\nalloc = "a"\n[[op]]\nproc = "buddyinfo"\n', "t.toml")
    k = linuxmm.boot("2.4")
    lines: list[str] = []
    with pytest.raises(WorkloadError) as info:
        workload.run(k, f, out=lines.append)
    assert str(info.value).startswith("t.toml:3: op[1]: /proc/buddyinfo is not in v2.4.0: it appeared in v2.6.0")
    assert lines == [] and k.page_alloc.allocated_pages() == 0
    f = workload.loads('[[op]]\nalloc = "a"\n[[op]]\nalloc = "b"\norder = 1\n', "t.toml")
    k = linuxmm.boot("1.0")
    with pytest.raises(WorkloadError) as info:
        workload.run(k, f, out=lines.append)
    assert str(info.value).startswith("t.toml:3: op[1]: order-1 allocation is not in v1.0")
    assert lines == [] and k.page_alloc.allocated_pages() == 0


def test_repeat_and_cpu_ops():
    f = workload.loads('[[op]]\nalloc = "p"\nrepeat = 5\ncpu = 1\n', "t.toml")
    k = linuxmm.boot("2.6.28", mem="32M", cpus=2)
    lines: list[str] = []
    assert workload.run(k, f, out=lines.append) == 0
    assert len(lines) == 1
    assert re.fullmatch(r"alloc\+free p order=0 gfp=GFP_KERNEL x5 \[cpu 1\]: first 0x[0-9a-f]+, last 0x[0-9a-f]+, "
                        r"\d distinct, 0 failed", lines[0]), lines[0]
    assert k.page_alloc.allocated_pages() == 0
    # a CPU the machine lacks is refused before any op runs (nothing printed, nothing allocated)
    bad = workload.loads('[[op]]\necho = "first"\n[[op]]\nalloc = "p"\ncpu = 2\n', "t.toml")
    printed: list[str] = []
    with pytest.raises(WorkloadError) as info:
        workload.run(k, bad, out=printed.append)
    assert str(info.value) == ("t.toml:3: op[1]: CPU 2 does not exist (this kernel has cpus=0..1; "
                               "boot with --cpus 3 or set cpus in [kernel])")
    assert printed == [] and k.page_alloc.allocated_pages() == 0


# -- bounds and odd values ----------------------------------------------------------------------
def test_parse_gfp_refuses_negative_and_unknown_bits():
    assert workload.parse_gfp(0x80d0) == 0x80d0
    assert workload.parse_gfp(0) == 0
    assert workload.GFP_KNOWN_BITS == 0xadfff  # every __GFP_* bit of linuxmm.gfp
    with pytest.raises(ValueError) as info:
        workload.parse_gfp(-1)
    assert str(info.value) == "gfp must not be negative, not -1"
    with pytest.raises(ValueError) as info:
        workload.parse_gfp(0x10000 | GFP_KERNEL)  # 0x10000 is no flag of linuxmm.gfp
    assert str(info.value) == "gfp 65744 has bits no flag of linuxmm.gfp names (0x10000)"
    with pytest.raises(ValueError) as info:
        workload.parse_gfp("GFP_KERNEL|-0x1")
    assert str(info.value) == "gfp must not be negative, not '-0x1'"


@pytest.mark.parametrize("value, size", [("4K", 4096), (4096, 4096), ("256G", 256 << 30), (" 64M ", 64 << 20)])
def test_check_mem_accepts(value, size):
    assert workload.check_mem(value) == size


@pytest.mark.parametrize("value, message", [
    ("0", "0: less than one 4K page"),
    (4095, "4095: less than one 4K page"),
    (-5, "-5: less than one 4K page"),
    ("257G", "257G: more than this model simulates (at most 256G)"),
    ((256 << 30) + 4096, "274877911040: more than this model simulates (at most 256G)"),
    ("1.5G", "1.5G: not a size (expected a number with an optional K, M, G or T suffix, e.g. 256M)"),
    (True, "True: not a size (expected a number with an optional K, M, G or T suffix, e.g. 256M)"),
])
def test_check_mem_refuses(value, message):
    with pytest.raises(ValueError) as info:
        workload.check_mem(value)
    assert str(info.value) == message


def test_check_cpus():
    assert workload.check_cpus(1) == 1 and workload.check_cpus(1024) == 1024
    for value, message in [(0, "0: must be at least 1"), (1025, "1025: this model simulates at most 1024 CPUs"),
                           (True, "True: not an integer"), ("2", "'2': not an integer")]:
        with pytest.raises(ValueError) as info:
            workload.check_cpus(value)
        assert str(info.value) == message


def test_repeat_limit_and_failures_are_counted():
    f = workload.loads(f'[[op]]\nalloc = "p"\nrepeat = {workload.MAX_REPEAT}\n', "t.toml")
    assert f.ops[0].fields["repeat"] == 1_000_000
    with pytest.raises(WorkloadError) as info:
        workload.loads(f'[[op]]\nalloc = "p"\nrepeat = {workload.MAX_REPEAT + 1}\n', "t.toml")
    assert str(info.value) == ("t.toml:1: op[0]: alloc: repeat must be at most 1_000_000 (a bound that keeps a "
                               "run short), not 1_000_001")
    # an order the era refuses: every try fails, nothing is left allocated
    k = linuxmm.boot("2.6.28", mem="32M")
    lines: list[str] = []
    failing = workload.loads('[[op]]\nalloc = "p"\norder = 11\nrepeat = 5\n', "t.toml")
    assert workload.run(k, failing, out=lines.append) == 0
    assert lines == ["alloc+free p order=11 gfp=GFP_KERNEL x5: first 0x0, last 0x0, 0 distinct, 5 failed"]
    assert k.page_alloc.allocated_pages() == 0


def test_fragment_refuses_more_than_4g_without_touching_the_allocator():
    k = linuxmm.boot("2.6.28", mem="8G")
    before = totals(k)
    with pytest.raises(WorkloadError) as info:
        wl.fragment(k, 0)
    assert str(info.value) == ("workload fragment allocates every page one call at a time: at most 1048576 "
                               "pages (4G); this kernel has 2097152 (boot with --mem 4G or less)")
    assert totals(k) == before
