"""Large machines: per-CPU state built when a CPU first runs, lazily zeroed frames, NR_CPUS by era.

No timing or memory assertions here (those are ``linuxmm bench``'s scale and boot cases):
the tests check the structure that makes a 1024-CPU, 256G machine cheap, and that the
model's answers do not depend on it.
"""

from __future__ import annotations

import mmap

import pytest

import linuxmm
from linuxmm import GFP_HIGHUSER_MOVABLE, GFP_KERNEL, LinuxmmError


def conserved(k):
    pa = k.page_alloc
    return pa.nr_free_pages() + pa.allocated_pages() + pa.reserved_pages() == pa.nr_pages


def test_1024_cpus_build_only_the_cpus_that_run():
    k = linuxmm.boot("6.18", mem="256G", cpus=1024)
    pa = k.page_alloc
    assert len(pa.pcp) == 1024
    assert [cpu for cpu, _ in pa.pcp.built()] == [0]
    a = k.alloc_pages(GFP_KERNEL, 0)
    with k.on_cpu(1023):
        b = k.alloc_pages(GFP_KERNEL, 0)
        k.free_pages(a, 0)  # freed on CPU 1023: onto its list
    assert [cpu for cpu, _ in pa.pcp.built()] == [0, 1023]
    assert [cpu for cpu, _ in pa._fast_paths.built()] == [0, 1023]
    # the page freed on CPU 1023 is at the head of that CPU's list, not CPU 0's
    pfn = (a - pa.page_offset) >> 12
    mt = pa._pb_mt(pfn)
    assert pa.pcp[1023][2][0].lists[mt][-1] == pfn
    assert pfn not in pa.pcp[0][2][0].lists[mt]
    k.free_pages(b, 0)
    assert conserved(k) and k.violations() == []
    pa.drain_all_pages()
    assert pa.pcp_pages() == 0 and conserved(k)
    assert [cpu for cpu, _ in pa.pcp.built()] == [0, 1023]  # draining looked at no other CPU


def test_cpus_that_never_ran_have_empty_lists():
    k = linuxmm.boot("4.4", mem="1G", cpus=64)
    pa = k.page_alloc
    for cpu in (0, 7, 63):
        with k.on_cpu(cpu):
            for _ in range(3):
                k.free_pages(k.alloc_pages(GFP_HIGHUSER_MOVABLE, 0), 0)
    assert [cpu for cpu, _ in pa.pcp.built()] == [0, 7, 63]
    # reading another CPU's row builds it, empty, as the kernel's never-used pageset is
    assert pa.pcp[5][1][0].count == 0 and [c for c, _ in pa.pcp.built()] == [0, 5, 7, 63]
    with pytest.raises(IndexError):
        pa.pcp[64]
    assert conserved(k) and k.violations() == []


def test_the_same_answers_with_one_cpu_or_a_thousand():
    def run(cpus):
        k = linuxmm.boot("6.18", mem="256M", cpus=cpus)
        out = []
        for i in range(300):
            out.append(k.alloc_pages(GFP_KERNEL, i % 3))
            if i % 4 == 3:
                k.free_pages(out[-2], (i - 1) % 3)
        return out, k.proc("buddyinfo")
    one, thousand = run(1), run(1000)
    assert one[0] == thousand[0]
    # pcp->high depends on the number of CPUs from 5.14 (zone_highsize): the buddy lists agree anyway
    assert one[1] == thousand[1]


def test_page_frames_are_lazily_zeroed_memory():
    k = linuxmm.boot("6.18", mem="64G")
    f = k.frames
    for view in (f.flags, f.order, f.migratetype):
        assert isinstance(view, memoryview) and isinstance(view.obj, mmap.mmap) and len(view) == f.nr
    assert f.count.raw.format == "i" and isinstance(f.count.raw.obj, mmap.mmap)


def test_0_11_ignores_ram_above_16m_without_building_it():
    k = linuxmm.boot("0.11", mem="256G")
    pa = k.page_alloc
    assert pa.nr_pages == 64 << 20
    assert pa.HIGH_MEMORY == 16 << 20 and pa.nr_free_pages() == 3072
    assert pa.reserved_pages() == pa.nr_pages - 3072
    assert k.frames.flags[(16 << 20) >> 12] == 0 and k.frames.flags[pa.nr_pages - 1] == 0
    a = k.get_free_page()
    assert a == (16 << 20) - 4096 and conserved(k)


@pytest.mark.parametrize("version, cpus, message", [
    ("2.0", 33, "cpus=33: v2.0 allows at most 32 CPUs (NR_CPUS 32 on i386 SMP kernels of the era)"),
    ("2.2.0", 64, "cpus=64: v2.2.0 allows at most 32 CPUs (NR_CPUS 32 on i386 SMP kernels of the era)"),
    ("2.4.0", 33, "cpus=33: v2.4.0 allows at most 32 CPUs (NR_CPUS 32 on i386 SMP kernels of the era)"),
    ("2.6.15", 257, "cpus=257: v2.6.15 allows at most 256 CPUs (NR_CPUS: range 2 256 in the era's "
                    "arch/x86_64/Kconfig)"),
    ("2.6.20", 256, "cpus=256: v2.6.20 allows at most 255 CPUs (NR_CPUS: range 2 255 in the era's "
                    "arch/x86_64/Kconfig)"),
    ("1.2.0", 2, "cpus=2: v1.2.0 has no SMP support; it arrived in v2.0"),
])
def test_nr_cpus_by_era(version, cpus, message):
    with pytest.raises(LinuxmmError) as err:
        linuxmm.boot(version, mem="64M", cpus=cpus)
    assert str(err.value) == message


@pytest.mark.parametrize("version, cpus", [("2.0", 32), ("2.2.0", 32), ("2.4.0", 32), ("2.6.15", 256),
                                           ("2.6.25", 255), ("2.6.26", 1024), ("6.18", 1024)])
def test_nr_cpus_at_the_limit_boot(version, cpus):
    assert linuxmm.boot(version, mem="64M", cpus=cpus).nr_cpus == cpus


def test_nr_cpus_error_through_the_cli(capsys):
    from linuxmm.cli import main

    assert main(["--kernel-version", "2.4.0", "--mem", "64M", "--cpus", "64", "show-mem"]) == 2
    assert capsys.readouterr().err == ("linuxmm: error: cpus=64: v2.4.0 allows at most 32 CPUs "
                                       "(NR_CPUS 32 on i386 SMP kernels of the era)\n")
