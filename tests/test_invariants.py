"""kernel.check(), soak runs and determinism: the model watches its own state, and repeats itself exactly."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import linuxmm
from linuxmm import GFP_KERNEL
from linuxmm.errors import InvariantViolation
from linuxmm.machine.frames import PG_buddy
from linuxmm.soak import reproducer, soak

ERAS = ["0.01", "0.11", "1.0", "1.1.89", "2.0", "2.2", "2.4", "2.6.20", "2.6.28", "4.4", "6.18"]


@pytest.mark.parametrize("version", ERAS)
def test_soak_finds_nothing_wrong_in_any_era(version):
    k = linuxmm.boot(version, cpus=2 if version >= "2" else 1)
    report = soak(k, 3000, seed=7, check_every=250)
    assert report.ok, report.lines()
    assert report.steps == 3000 and report.checks == 13
    k.check()
    # everything was given back, except the pages a small-object allocator keeps once its objects
    # are freed (2.0's kmalloc_cache holds one area of each order 0..2)
    slab = getattr(k, "slab", None)
    kept = slab.pages_held() if hasattr(slab, "pages_held") else 0
    assert k.page_alloc.allocated_pages() == kept


def test_check_finds_a_page_marked_free_that_no_list_holds():
    k = linuxmm.boot("2.6.28", mem="64M")
    pa = k.page_alloc
    a = k.alloc_pages(GFP_KERNEL, 0)
    pfn = (a - pa.page_offset) >> 12
    k.check()
    pa.frames.flags[pfn] |= PG_buddy
    with pytest.raises(InvariantViolation) as exc:
        k.check()
    assert exc.value.violations == [
        f"page_alloc: 34 pages are marked PG_buddy but 33 free blocks are listed (pfn {pfn} on no list)"]
    assert str(exc.value) == exc.value.violations[0]


def test_check_finds_a_count_that_disagrees_with_the_lists_in_the_bitmap_eras():
    k = linuxmm.boot("2.2")
    k.page_alloc.area.free_pages += 1
    assert k.violations() == [
        "page_alloc: free 15918 + allocated 0 + reserved 467 = 16385, not the 16384 frames of the machine",
        "Memory: the lists hold 15917 pages but the count says 15918",
        "page_alloc: nr_free_pages() is 15918 but the lists hold 15917"]


def test_check_finds_a_lost_page():
    k = linuxmm.boot("6.18", mem="64M")
    zone = next(z for z in k.page_alloc.zones if z.populated)
    zone.free_pages -= 1
    assert k.violations() == [
        "page_alloc: free 14494 + allocated 0 + reserved 1889 = 16383, not the 16384 frames of the machine",
        "DMA: NR_FREE_PAGES is 2462 but the lists hold 2463 pages"]


def test_soak_reports_overlapping_allocations_with_a_reproducer():
    k = linuxmm.boot("2.6.28", mem="64M", cpus=2)
    pa = k.page_alloc
    real = pa.alloc_block
    fixed = real(0, GFP_KERNEL)
    pa.alloc_block = lambda order, gfp: fixed if order == 0 else real(order, gfp)  # a broken allocator
    report = soak(k, 1000, seed=3)
    assert not report.ok
    assert "its marker changed while it was allocated (another allocation overlaps it)" in report.violation
    assert report.reproducer == (f"linuxmm --kernel-version v2.6.28 --mem 64M --cpus 2 --seed 3 run --soak "
                                 f"{report.at_step}")


def test_reproducer_names_config_and_cmdline():
    k = linuxmm.boot("6.12", mem="128M", config={"KASAN": True}, cmdline="init_on_free=1")
    assert reproducer(k, 5, 10) == ("linuxmm --kernel-version v6.12 --mem 128M --config KASAN=y --cmdline "
                                    "'init_on_free=1' --seed 5 run --soak 10")


def _cli(*argv: str, hashseed: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "LINUXMM_KERNEL_VERSION"}
    env["PYTHONHASHSEED"] = hashseed
    return subprocess.run([sys.executable, "-m", "linuxmm.cli", *argv], capture_output=True, text=True, env=env)


@pytest.mark.parametrize("argv", [
    ("--kernel-version", "2.6.28", "--cpus", "2", "--seed", "11", "run", "fragment"),
    ("--kernel-version", "1.2", "--seed", "3", "run", "default"),
    ("--kernel-version", "6.18", "--cpus", "3", "--seed", "5", "run", "--soak", "2000"),
])
def test_same_inputs_give_byte_identical_output(argv):
    first, second = _cli(*argv, hashseed="1"), _cli(*argv, hashseed="2")
    assert first.returncode == second.returncode == 0, first.stderr
    assert first.stdout == second.stdout and first.stdout


def test_cli_soak_reports_and_refuses_nonsense(capsys):
    from linuxmm.cli import main

    assert main(["--kernel-version", "2.4", "run", "--soak", "500", "--check-every", "100"]) == 0
    assert capsys.readouterr().out.splitlines()[-2:] == ["soak: 6 invariant checks", "soak: no violation"]
    assert main(["run", "--soak", "0"]) == 2
    assert capsys.readouterr().err == ("linuxmm: error: soak: the number of operations must be an int from 1 to "
                                       "10_000_000, not 0\n")
    assert main(["run", "fragment", "--soak", "5"]) == 2
    assert main(["run", "--check-every", "5"]) == 2
    assert capsys.readouterr().err.endswith("linuxmm: error: run: --check-every goes with --soak\n")
