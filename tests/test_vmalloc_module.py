"""test_vmalloc (the kernel module's test cases), the vmalloc workloads, and the CLI examples of the issue."""

import re

import pytest

import linuxmm
from linuxmm.cli import main
from linuxmm.host import get_host

from linuxmm_plugins import mm_vmalloc_workloads as wl
from linuxmm_plugins import test_vmalloc as tv

SUMMARY = re.compile(r"^Summary: (\w+) passed: (\d+) failed: (\d+)( xfailed: (\d+))? repeat: (\d+) loops: (\d+) "
                     r"avg: \d+ usec$")


def params(**kw):
    p = {"run_test_mask": None, "test_loop_count": 20, "test_repeat_count": 1, "sequential_test_order": True,
         "nr_pages": 0, "use_huge": False, "nr_threads": None, "single_cpu_test": None}
    p.update(kw)
    return p


def summaries(lines):
    out = {}
    for line in lines:
        m = SUMMARY.match(line)
        if m:
            out[m.group(1)] = (int(m.group(2)), int(m.group(3)), m.group(5) and int(m.group(5)))
    return out


def test_cli_runs_the_issue_example(capsys):
    assert main(["--kernel-version", "6.12", "test_vmalloc", "--run-test-mask", "7", "--test-loop-count", "50"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert summaries(lines) == {"fix_size_alloc_test": (1, 0, None), "full_fit_alloc_test": (1, 0, None),
                                "long_busy_list_alloc_test": (1, 0, None)}
    assert re.match(r"^All test took worker0=\d+ cycles$", lines[-1])


def test_every_test_case_of_the_2026_copy():
    k = linuxmm.boot("6.18", mem="256M", cpus=2)
    out = []
    tv.run(k, params(run_test_mask=0x1FFF, nr_threads=2, nr_pages=3), out=out.append)
    got = summaries(out)
    expected_ok = ["fix_size_alloc_test", "full_fit_alloc_test", "long_busy_list_alloc_test",
                   "random_size_alloc_test", "fix_align_alloc_test", "random_size_align_alloc_test",
                   "kvfree_rcu_1_arg_vmalloc_test", "kvfree_rcu_2_arg_vmalloc_test", "vm_map_ram_test",
                   "vrealloc_test"]
    for name in expected_ok:
        assert got[name] == (1, 0, 0), name
    assert got["align_shift_alloc_test"] == (0, 0, 1)  # expected to fail: xfailed
    # the model's GFP_ATOMIC vmalloc does not fail (no might_sleep, no page-table allocation): the
    # xfail test passes, which the module counts as a failure
    assert got["no_block_alloc_test"] == (0, 1, 0)
    assert "test_vmalloc: pcpu_alloc_test not modelled (no percpu allocator in the model), skipped" in out
    assert [line for line in out if line.startswith("All test took")][1].startswith("All test took worker1=")
    assert k.subsystems["vmalloc"].mapped_pages() == 0


def test_defaults_and_parameters_by_era():
    k = linuxmm.boot("6.18")
    out = []
    tv.run(k, params(), out=out.append)  # run_test_mask 7 in the 2026 copy
    assert list(summaries(out)) == ["fix_size_alloc_test", "full_fit_alloc_test", "long_busy_list_alloc_test"]
    k = linuxmm.boot("5.1", cpus=2)
    out = []
    tv.run(k, params(run_test_mask=1, single_cpu_test=False), out=out.append)  # one worker per CPU
    assert [line.split("=")[0] for line in out if line.startswith("All")] == ["All test took worker0",
                                                                              "All test took worker1"]
    assert summaries(out)["fix_size_alloc_test"] == (1, 0, None)  # no xfailed column before the 2026 copy
    for argv, message in [
        (["--kernel-version", "5.1", "test_vmalloc", "--nr-threads", "2"],
         "test_vmalloc: nr_threads is not a parameter at v5.1: it appeared in v5.13"),
        (["--kernel-version", "5.13", "test_vmalloc", "--single-cpu-test", "1"],
         "test_vmalloc: single_cpu_test is not a parameter at v5.13: nr_threads replaced it in v5.13"),
        (["--kernel-version", "5.13", "test_vmalloc", "--use-huge", "1"],
         "test_vmalloc: use_huge is not a parameter at v5.13: it appeared in v5.18-rc4 (559089e0a93d, which "
         "added vmalloc_huge)"),
        (["test_vmalloc", "--test-loop-count", "many"], "test_vmalloc: test_loop_count must be an integer, not 'many'"),
    ]:
        assert main(argv) == 2


def test_backport_before_51_says_so():
    k = linuxmm.boot("2.6.27")
    out = []
    tv.run(k, params(run_test_mask=0x11), out=out.append)
    assert out[0] == ("test_vmalloc: a backport for comparison: the module appeared in v5.1, and v2.6.27 runs it "
                      "against its own vmalloc")
    assert summaries(out) == {"fix_size_alloc_test": (1, 0, None), "fix_align_alloc_test": (0, 1, None)}
    assert any("__vmalloc_node() of v2.6.27 takes no alignment" in line for line in out)


def test_churn_flushes_per_vfree():
    lines = {}
    for version in ("2.6.27", "2.6.28"):
        k = linuxmm.boot(version, cpus=8)
        lines[version] = wl.churn(k, 0).splitlines()
    assert lines["2.6.27"][2] == "TLB flushes 1900, IPIs 13300, lazy purges 0; per vfree: 1.000 flushes, 7.000 IPIs"
    assert lines["2.6.28"][2] == "TLB flushes 0, IPIs 0, lazy purges 0; per vfree: 0.000 flushes, 0.000 IPIs"
    assert lines["2.6.28"][-1] == "lazy_max_pages 32768, lazily freed now 18084 pages"


def test_map_touch_unmap_counts():
    k = linuxmm.boot("2.6.27", cpus=8)
    out = wl.map_touch_unmap(k, 0, loops=10).splitlines()
    assert out[2] == ("1 thread(s): 10 map+touch+unmap, 10 TLB flushes, 70 IPIs, 0 lazy purges; per operation "
                      "1.0000 flushes, 7.0000 IPIs")
    assert out[5].startswith("8 thread(s): 80 map+touch+unmap, 80 TLB flushes, 560 IPIs")
    k = linuxmm.boot("2.6.28", cpus=8)
    out = wl.map_touch_unmap(k, 0, loops=10).splitlines()
    assert out[1].startswith("each thread: 10 x (vm_map_ram 4 pages")
    assert out[5].startswith("8 thread(s): 80 map+touch+unmap, 0 TLB flushes, 0 IPIs")


def test_big_vmalloc_issue_examples(capsys):
    assert main(["--kernel-version", "5.13", "--config", "HAVE_ARCH_HUGE_VMALLOC=y", "run", "big-vmalloc"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].startswith("what-if: CONFIG_HAVE_ARCH_HUGE_VMALLOC=y: x86_64 did not select")
    assert out[2] == ("vmalloc(64M) = 0xffffc90000000000: 16384 pages of order 9 (PMD mappings); TLB entries needed: "
                      "0 of 4K, 32 of 2M; TLB fills touching every page: 32")
    assert main(["--kernel-version", "5.18", "run", "big-vmalloc"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].endswith("16384 pages of order 0 (PTE mappings); TLB entries needed: 16384 of 4K, 0 of 2M; "
                           "TLB fills touching every page: 16384")
    assert out[2].startswith("vmalloc_huge(64M) = 0xffffc90000000000: 16384 pages of order 9")


def test_vmallocinfo_cli(capsys):
    assert main(["--kernel-version", "2.6.27", "proc", "vmallocinfo"]) == 0
    assert capsys.readouterr().out == ""  # nothing vmalloc'ed in a freshly booted model
    assert main(["--kernel-version", "2.6.25", "proc", "vmallocinfo"]) == 2
    assert capsys.readouterr().err == ("linuxmm: error: /proc/vmallocinfo is not in v2.6.25: it appeared in "
                                       "v2.6.26\n")


def test_busy_list_steps_and_bench_cases():
    k = linuxmm.boot("5.2", mem="1G")
    assert wl.busy_list_steps(k, 1000) == 33
    cases = get_host().bench_cases
    assert cases["vmalloc4-vfree-6.12"].target == 60.0 and cases["vmalloc4-vfree-6.12"].group == "vmalloc"
    assert {"vm_map_ram4-2.6.28", "vm_map_ram4-6.12", "vmalloc-busy-100k-5.2"} <= set(cases)
    g = cases["vm_map_ram4-6.12"].setup()
    exec(cases["vm_map_ram4-6.12"].stmt, g)
