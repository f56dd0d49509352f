"""`linuxmm bench`: the report's lines and figures (no timing assertions)."""

from __future__ import annotations

import re

import pytest

from linuxmm import bench
from linuxmm.cli import main

NUM = r"(\d+(?:\.\d+)?)"
EXPECTED = [
    r"linuxmm bench: v2\.6\.28, quick run, timeit best of 5",
    rf"floor: {NUM} ns per lst\.append\(x\); lst\.pop\(\) pair \(100000 pairs\)",
    rf"pair: {NUM} ns per alloc_pages\(GFP_KERNEL, 0\) \+ free_pages\(addr, 0\) at v2\.6\.28 \(5000 pairs\)",
    rf"ratio: {NUM}x floor",
    rf"boot: {NUM} s for mem=64G at v2\.6\.28 \(fresh process\)",
    rf"peak rss: {NUM} MB \(ru_maxrss of that process, interpreter included\)",
    rf"target pair <= 15x floor: {NUM}x (ok|MISSED)",
    rf"target boot <= 2 s: {NUM} s (ok|MISSED)",
    rf"target peak rss <= 300 MB: {NUM} MB (ok|MISSED)",
    r"targets: (\d) ok, (\d) missed",
]


@pytest.fixture(scope="module")
def report():
    lines: list[str] = []
    status = bench.run(quick=True, check=True, out=lines.append)
    return status, lines


CASE = rf"case \S+: {NUM} ns per '.*' \({NUM}x floor\)|target \S+ <= {NUM}x floor: {NUM}x (?P<verdict>ok|MISSED)"


def test_report_lines_and_figures(report):
    status, lines = report
    # plugin bench cases (linuxmm_bench_cases) come between the built-in targets and the total
    cases = lines[len(EXPECTED) - 1:-1]
    assert all(re.fullmatch(CASE, line) for line in cases), cases
    lines = lines[:len(EXPECTED) - 1] + lines[-1:]
    assert len(lines) == len(EXPECTED)
    m = [re.fullmatch(p, line) for p, line in zip(EXPECTED, lines)]
    assert all(m), [line for line, hit in zip(lines, m) if not hit]
    floor, pair, ratio = float(m[1].group(1)), float(m[2].group(1)), float(m[3].group(1))
    assert floor > 0 and pair > 0
    assert ratio == pytest.approx(pair / floor, rel=0.05, abs=0.06)  # printed rounded
    assert m[6].group(1) == m[3].group(1)
    boot, rss = float(m[4].group(1)), float(m[5].group(1))
    assert boot > 0 and rss > 0
    assert float(m[7].group(1)) == pytest.approx(boot, abs=0.001) and float(m[8].group(1)) == rss
    # each verdict follows from its figure
    assert (m[6].group(2) == "ok") == (ratio <= 15)
    assert (m[7].group(2) == "ok") == (float(m[7].group(1)) <= 2)
    assert (m[8].group(2) == "ok") == (rss <= 300)
    verdicts = [m[i].group(2) for i in (6, 7, 8)]
    verdicts += [re.fullmatch(CASE, line).group("verdict") for line in cases if line.startswith("target ")]
    assert (int(m[9].group(1)), int(m[9].group(2))) == (verdicts.count("ok"), verdicts.count("MISSED"))
    # --check: status 1 exactly when something was missed
    assert status == (1 if "MISSED" in verdicts else 0)


def test_cli_bench_without_check_exits_0(capsys, monkeypatch):
    # the measurements themselves are covered above; here only the CLI wiring and exit status
    monkeypatch.setattr(bench, "boot_in_subprocess", lambda: {"boot_s": 9.5, "maxrss_kib": 100_000})
    assert main(["bench", "--quick"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[4] == "boot: 9.500 s for mem=64G at v2.6.28 (fresh process)"
    assert out[5] == "peak rss: 102.4 MB (ru_maxrss of that process, interpreter included)"
    assert out[7] == "target boot <= 2 s: 9.500 s MISSED"
    assert out[8] == "target peak rss <= 300 MB: 102.4 MB ok"
    assert main(["bench", "--quick", "--check"]) == 1


def test_subprocess_failure_is_one_line_error(capsys, monkeypatch):
    monkeypatch.setattr(bench, "BOOT_MEM", "1X")
    status = main(["bench", "--quick"])
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("linuxmm: error: bench: booting mem=1X at 2.6.28 in a subprocess failed: ")
    assert len(err.splitlines()) == 1
