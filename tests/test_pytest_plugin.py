"""The pytest plugin: --kernel-version, the `kernel` fixture and the markers, run through pytester."""

from __future__ import annotations

import hypothesis  # noqa: F401  (imported once here: pytester drops modules first imported inside a run)
import pytest

import linuxmm
from linuxmm.history import parse_version

pytest_plugins = ["pytester"]

RELEASES = linuxmm.history().modelled_releases()


@pytest.fixture(autouse=True)
def _no_env_version(monkeypatch):
    monkeypatch.delenv("LINUXMM_KERNEL_VERSION", raising=False)


def skip_reasons(reprec) -> list[str]:
    """The reason of every skipped test, as pytest reports it (without the "Skipped: " prefix)."""
    out = []
    for rep in reprec.getreports("pytest_runtest_logreport"):
        if rep.skipped:
            reason = rep.longrepr[2]
            out.append(reason.removeprefix("Skipped: "))
    return out


def test_kernel_fixture_defaults_to_latest(pytester):
    pytester.makepyfile("""
        def test_v(kernel):
            assert kernel.version == "v6.18"
    """)
    pytester.runpytest_inprocess("--strict-markers").assert_outcomes(passed=1)


def test_option_and_env(pytester, monkeypatch):
    pytester.makepyfile("""
        import os
        def test_v(kernel):
            assert kernel.version == os.environ["WANT"]
    """)
    monkeypatch.setenv("WANT", "v2.6.27")
    pytester.runpytest_inprocess("--kernel-version", "2.6.27").assert_outcomes(passed=1)
    monkeypatch.setenv("LINUXMM_KERNEL_VERSION", "v1.0")
    monkeypatch.setenv("WANT", "v1.0")
    pytester.runpytest_inprocess().assert_outcomes(passed=1)
    monkeypatch.setenv("WANT", "v2.6.28")  # the option beats the environment
    pytester.runpytest_inprocess("--kernel-version=v2.6.28").assert_outcomes(passed=1)


def test_kernel_boot_marker(pytester):
    pytester.makepyfile("""
        import pytest
        @pytest.mark.kernel_boot(cpus=3, config={"KASAN": True}, cmdline="foo=1", seed=9)
        def test_boot(kernel):
            assert kernel.version == "v4.4"
            assert kernel.nr_cpus == 3
            assert kernel.config["KASAN"] is True
            assert kernel.cmdline.unknown == ["foo=1"]
            assert kernel.seed == 9
    """)
    pytester.runpytest_inprocess("--kernel-version", "4.4", "--strict-markers").assert_outcomes(passed=1)


def test_kernel_boot_error_is_a_test_error(pytester):
    pytester.makepyfile("""
        import pytest
        @pytest.mark.kernel_boot(config={"KASAN": True})
        def test_boot(kernel):
            pass
    """)
    result = pytester.runpytest_inprocess("--kernel-version", "3.19")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*ConfigError: CONFIG_KASAN is not in v3.19: it appeared in v4.0-rc1*"])


def test_kernel_versions_skip_reason_names_the_commit(pytester):
    pytester.makepyfile("""
        import pytest
        @pytest.mark.kernel_versions(">=db64fe02258f")
        def test_vmap(kernel):
            pass
    """)
    reprec = pytester.inline_run("--kernel-version", "2.6.27", "--strict-markers")
    reprec.assertoutcome(passed=0, skipped=1)
    assert skip_reasons(reprec) == ['needs >= v2.6.28-rc1 (db64fe02258f "mm: rewrite vmap layer"); kernel is v2.6.27']
    pytester.inline_run("--kernel-version", "2.6.28-rc1").assertoutcome(passed=1)
    pytester.inline_run("--kernel-version", "db64fe02258f").assertoutcome(passed=1)


@pytest.mark.parametrize("spec, version, reason", [
    (">=v2.6.28", "2.6.27", "needs >= v2.6.28; kernel is v2.6.27"),
    (">=2.6.28", "2.6.28", None),
    ("<v2.6.28", "2.6.28", "needs < v2.6.28; kernel is v2.6.28"),
    ("<v2.6.28", "2.6.28-rc1", None),
    ("<v2.6.28", "db64fe02258f", None),
    (">v2.6.27", "2.6.27", "needs > v2.6.27; kernel is v2.6.27"),
    (">v2.6.27", "db64fe02258f", None),
    ("<=v2.6.27", "2.6.27", None),
    ("<=v2.6.27", "db64fe02258f", "needs <= v2.6.27; kernel is v2.6.27-gdb64fe02258f"),
    ("==v2.6.27", "2.6.27", None),
    ("==v2.6.27", "2.6.26", "needs == v2.6.27; kernel is v2.6.26"),
    ("== db64fe02258f", "db64fe02258f", None),
    ("==db64fe02258f", "2.6.28-rc1", 'needs == v2.6.28-rc1 (db64fe02258f "mm: rewrite vmap layer"); kernel is v2.6.28-rc1'),
    ("<db64fe02258f", "0.01", None),
    ("<db64fe02258f", "6.18", 'needs < v2.6.28-rc1 (db64fe02258f "mm: rewrite vmap layer"); kernel is v6.18'),
])
def test_range_specs(pytester, spec, version, reason):
    pytester.makepyfile(f"""
        import pytest
        @pytest.mark.kernel_versions({spec!r})
        def test_it(kernel):
            pass
    """)
    reprec = pytester.inline_run("--kernel-version", version)
    if reason is None:
        reprec.assertoutcome(passed=1)
    else:
        reprec.assertoutcome(skipped=1)
        assert skip_reasons(reprec) == [reason]


def test_several_specs_make_a_range_and_apply_without_the_fixture(pytester):
    pytester.makepyfile("""
        import pytest
        pytestmark = pytest.mark.kernel_versions(">=v2.6.0", "<v3.0")
        def test_plain():
            pass
    """)
    pytester.inline_run("--kernel-version", "2.6.39").assertoutcome(passed=1)
    reprec = pytester.inline_run("--kernel-version", "3.0")
    assert skip_reasons(reprec) == ["needs < v3.0; kernel is v3.0"]
    reprec = pytester.inline_run("--kernel-version", "2.4.0")
    assert skip_reasons(reprec) == ["needs >= v2.6.0; kernel is v2.4.0"]


def test_bad_spec_fails_the_test_clearly(pytester):
    pytester.makepyfile("""
        import pytest
        @pytest.mark.kernel_versions("~v2.6.28")
        def test_a(kernel):
            pass
        @pytest.mark.kernel_versions(">=deadbeef1234")
        def test_b(kernel):
            pass
    """)
    result = pytester.runpytest_inprocess()
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines([
        "*kernel_versions: '~v2.6.28' is not a range spec*",
        "*kernel_versions: deadbeef1234 is not a modelled commit*",
    ])


def test_all_runs_every_release(pytester):
    pytester.makepyfile("""
        import pytest
        @pytest.mark.kernel_boot(cmdline="quiet")
        def test_each(kernel):
            assert kernel.cmdline.text == "quiet"

        @pytest.mark.kernel_versions(">=v2.6.28", "<v3.0")
        def test_range(kernel):
            assert kernel.has("db64fe02258f")

        def test_no_kernel():
            pass
    """)
    reprec = pytester.inline_run("--kernel-version", "all", "--strict-markers")
    in_range = [t for t in RELEASES if parse_version("v2.6.28") <= parse_version(t) < parse_version("v3.0")]
    assert {"v2.6.28", "v2.6.39"} <= set(in_range) and "v3.0" not in in_range and "v2.6.27" not in in_range
    n = len(RELEASES)
    passed, skipped, failed = reprec.listoutcomes()
    assert (len(passed), len(skipped), len(failed)) == (n + len(in_range) + 1, n - len(in_range), 0)
    ids = sorted(rep.nodeid.split("::")[-1] for rep in passed if "test_each" in rep.nodeid)
    assert ids == sorted(f"test_each[{tag}]" for tag in RELEASES)
    reasons = skip_reasons(reprec)
    assert reasons.count("needs >= v2.6.28; kernel is v2.6.27") == 1
    assert reasons.count("needs < v3.0; kernel is v3.0") == 1


def test_every_release_marker(pytester):
    pytester.makepyfile("""
        import pytest
        SEEN = []
        @pytest.mark.every_release
        def test_each(kernel):
            SEEN.append(kernel.version)

        def test_seen():
            import linuxmm
            assert SEEN == linuxmm.history().modelled_releases()

        def test_once(kernel):
            assert kernel.version == "v2.6.28"
    """)
    reprec = pytester.inline_run("--kernel-version", "2.6.28", "--strict-markers", "-p", "no:randomly")
    reprec.assertoutcome(passed=len(RELEASES) + 2)


def test_own_kernel_fixture_is_left_alone(pytester):
    pytester.makepyfile("""
        import pytest
        @pytest.fixture
        def kernel():
            return "mine"
        def test_mine(kernel):
            assert kernel == "mine"
    """)
    pytester.inline_run("--kernel-version", "all").assertoutcome(passed=1)


def test_markers_are_registered_and_option_documented(pytester):
    result = pytester.runpytest_inprocess("--markers")
    result.stdout.fnmatch_lines([
        "@pytest.mark.kernel_boot(*",
        "@pytest.mark.kernel_versions(*",
        "@pytest.mark.every_release:*",
    ])
    result = pytester.runpytest_inprocess("--help")
    result.stdout.fnmatch_lines(["linuxmm kernel model:", "*--kernel-version=V*"])


def test_bad_version_option_is_a_usage_error(pytester):
    pytester.makepyfile("""
        def test_v(kernel):
            pass
    """)
    result = pytester.runpytest_inprocess("--kernel-version", "9.99")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert result.errlines[0] == ("ERROR: --kernel-version 9.99: 9.99 is newer than the newest modelled release "
                                  "(v6.18); nearest: v6.16, v6.17, v6.18")
    assert "Traceback" not in result.stdout.str() + result.stderr.str()


def test_bad_env_version_is_a_usage_error_naming_the_variable(pytester, monkeypatch):
    pytester.makepyfile("""
        def test_v(kernel):
            pass
    """)
    monkeypatch.setenv("LINUXMM_KERNEL_VERSION", "bogus")
    result = pytester.runpytest_inprocess()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert result.errlines[0] == (
        "ERROR: LINUXMM_KERNEL_VERSION=bogus: 'bogus' is not a kernel version; expected a release such as 0.01, "
        "2.6.28, 6.15-rc6 or 6.12.5, a commit sha prefix (>= 7 hex digits), or 'latest' (see `linuxmm versions`)")
    # the option beats the variable, so the bad value is never read
    pytester.runpytest_inprocess("--kernel-version", "2.6.28").assert_outcomes(passed=1)


def test_empty_version_option_is_a_usage_error(pytester):
    pytester.makepyfile("def test_v(kernel):\n    pass\n")
    result = pytester.runpytest_inprocess("--kernel-version=")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert result.errlines[0] == ("ERROR: --kernel-version: empty; give a release such as 2.6.28, a commit sha "
                                  "prefix, 'latest', a list (6.12,6.14), a range (6.12..6.15) or 'all'")


def test_boot_failures_are_one_line_test_errors(pytester):
    pytester.makepyfile("""
        import pytest
        @pytest.mark.kernel_boot(mem="lots")
        def test_mem(kernel):
            pass
        @pytest.mark.kernel_boot(memory="64M")
        def test_keyword(kernel):
            pass
        @pytest.mark.kernel_versions("~2.6")
        def test_spec(kernel):
            pass
    """)
    result = pytester.runpytest_inprocess("--kernel-version", "2.6.28")
    result.assert_outcomes(errors=3)
    text = result.stdout.str()
    assert "Traceback" not in text and "During handling" not in text and "linuxmm/__init__.py" not in text
    lines = result.stdout.lines
    assert ("kernel fixture: cannot boot 2.6.28: LinuxmmError: mem: lots: not a size (expected a number with "
            "an optional K, M, G or T suffix, e.g. 256M)") in lines
    assert "kernel_boot: unknown keyword 'memory' (it takes mem=, cpus=, config=, cmdline=, seed=)" in lines
    assert "kernel_versions: '~2.6' is not a range spec (use >=REF, >REF, <=REF, <REF or ==REF)" in lines


# -- version matrices -----------------------------------------------------------------------
# Other allocators add commits and rc tags as they land, so what lies between two releases is read from
# the history here rather than written down.
HISTORY = linuxmm.history()


def releases(a: str, b: str) -> list[str]:
    """The modelled releases from a to b, both included (a stable release sits beside its base)."""
    lo, hi = HISTORY.tag_index[a], HISTORY.tag_index[b]
    return [t for t in RELEASES if lo <= HISTORY.ref_index(t) <= hi]


def points(a: str, b: str) -> list[str]:
    """The points after a up to b (sha or tag), as the summary lists them."""
    lo, hi = HISTORY.ref_index(a), HISTORY.ref_index(b)
    return [p.commit.sha + " " + p.commit.subject if p.commit else p.release.tag for p in HISTORY.points[lo + 1: hi + 1]]


def _ids(reprec, name):
    return [rep.nodeid.split("::")[-1] for rep in reprec.getreports("pytest_runtest_logreport")
            if rep.when == "call" and name in rep.nodeid]


def test_comma_list_and_range_parametrize_the_kernel(pytester):
    pytester.makepyfile("""
        def test_v(kernel):
            assert kernel.version
    """)
    reprec = pytester.inline_run("--kernel-version", "6.14,a0309faf1cb0,2.6.28")
    assert _ids(reprec, "test_v") == ["test_v[v2.6.28]", "test_v[v6.14]", "test_v[a0309faf1cb0]"]  # history order
    reprec = pytester.inline_run("--kernel-version", "6.13..6.15")
    span = releases("v6.13", "v6.15")
    assert {"v6.13", "v6.14", "v6.15-rc6", "v6.15"} <= set(span) and "v6.12" not in span and "v6.16" not in span
    assert _ids(reprec, "test_v") == [f"test_v[{t}]" for t in span]
    reprec = pytester.inline_run("--kernel-version", "6.12..6.13,6.15-rc6..6.15,6.13")
    assert _ids(reprec, "test_v") == [f"test_v[{t}]" for t in releases("v6.12", "v6.13") + releases("v6.15-rc6", "v6.15")]
    # a range from a commit starts at the commit
    reprec = pytester.inline_run("--kernel-version", "a0309faf1cb0..6.15")
    assert _ids(reprec, "test_v") == ["test_v[a0309faf1cb0]"] + [f"test_v[{t}]" for t in releases("v6.15-rc6", "v6.15")]


def test_matrix_order_is_the_historys(pytester):
    from linuxmm.pytest_plugin import versions_matrix

    assert versions_matrix("6.14,a0309faf1cb0,2.6.28") == ["v2.6.28", "v6.14", "a0309faf1cb0"]
    assert versions_matrix("2.6.28") is None
    assert versions_matrix("all") == RELEASES


@pytest.mark.parametrize("value, message", [
    ("6.15..6.12", "--kernel-version 6.15..6.12: '6.15..6.12': v6.15 is newer than v6.12 (write the older one "
                   "first)"),
    ("6.12,,6.14", "--kernel-version 6.12,,6.14: '6.12,,6.14': an empty item in the list"),
    ("6.12..", "--kernel-version 6.12..: '6.12..': a range needs both ends, as in 6.12..6.15"),
    ("6.12,9.99", "--kernel-version 6.12,9.99: 9.99 is newer than the newest modelled release (v6.18); nearest: "
                  "v6.16, v6.17, v6.18"),
])
def test_bad_matrices_are_usage_errors(pytester, value, message):
    pytester.makepyfile("def test_v(kernel):\n    pass\n")
    result = pytester.runpytest_inprocess("--kernel-version", value)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert result.errlines[0] == "ERROR: " + message


def test_header_lists_the_matrix(pytester):
    pytester.makepyfile("def test_v(kernel):\n    pass\n")
    result = pytester.runpytest_inprocess("--kernel-version", "6.14..6.15")
    span = releases("v6.14", "v6.15")
    assert (f"linuxmm: --kernel-version 6.14..6.15 ({len(span)} versions: {', '.join(span)})"
            in result.stdout.lines)


# -- markers: wrong types are collection errors ---------------------------------------------------
@pytest.mark.parametrize("marker, message", [
    ("kernel_versions(2.6)", "kernel_versions spec 2.6 is a float, not a string: write '>=2.6' or '==2.6' (a float "
                             "cannot name a kernel: 2.6 and 2.60 are the same float)"),
    ("kernel_versions('>=v2.6.0', 3)", "kernel_versions spec 3 is a int, not a string: write '>=3' or '==3' (a float "
                                      "cannot name a kernel: 2.6 and 2.60 are the same float)"),
    ("kernel_versions(min='2.6')", "kernel_versions takes range specs as strings, not keywords (min)"),
    ("kernel_versions()", "kernel_versions needs at least one spec, e.g. '>=v2.6.28'"),
    ("kernel_configs('KASAN=y')", "kernel_configs takes config dicts, e.g. kernel_configs({'KASAN': True}, {})"),
    ("kernel_boot('64M')", "kernel_boot takes keyword arguments only (mem=, cpus=, config=, cmdline=, seed=)"),
])
def test_marker_of_the_wrong_type_is_a_collection_error(pytester, marker, message):
    pytester.makepyfile(f"""
        import pytest
        @pytest.mark.{marker}
        def test_it():
            pass
    """)
    result = pytester.runpytest_inprocess()
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.assert_outcomes(errors=1)
    assert f"test_marker_of_the_wrong_type_is_a_collection_error.py::test_it: {message}" in result.stdout.lines
    assert "Traceback" not in result.stdout.str()


def test_kernel_configs_marker(pytester):
    pytester.makepyfile("""
        import pytest
        @pytest.mark.kernel_configs({"KASAN": True}, {})
        @pytest.mark.kernel_boot(cmdline="quiet")
        def test_c(kernel, linuxmm_kernel_config):
            assert kernel.config.get("KASAN", False) is bool(linuxmm_kernel_config)
            assert kernel.cmdline.text == "quiet"
    """)
    reprec = pytester.inline_run("--kernel-version", "3.19,4.4")
    passed, skipped, failed = reprec.listoutcomes()
    assert sorted(r.nodeid.split("::")[-1] for r in passed) == ["test_c[v3.19-defaults]", "test_c[v4.4-KASAN=y]",
                                                               "test_c[v4.4-defaults]"]
    assert failed == [] and skip_reasons(reprec) == [
        'kernel_configs: CONFIG_KASAN is not in v3.19: it appeared in v4.0-rc1 (0b24becc810d "kasan: add kernel '
        'address sanitizer infrastructure")']


# -- where failures start -------------------------------------------------------------------
FLIP = """
    def test_in_place(kernel):
        assert not (kernel.has("a0309faf1cb0") and not kernel.has("f7a35a3c36d1"))
"""

BETWEEN = points("v6.14", "v6.15-rc6")
SUMMARY = [
    "{m}::test_in_place[v6.15-rc6] fails at v6.15-rc6; nearest passing: v6.14; " + f"{len(BETWEEN)} points between "
    "(introduced by one of them):",
    *[f"    {p}" for p in BETWEEN],
    "    linuxmm bisect run --good v6.14 --bad v6.15-rc6 -- pytest -q '{m}::test_in_place'",
]
assert "    a0309faf1cb0 mm: vmalloc: support more granular vrealloc() sizing" in SUMMARY and SUMMARY[-2] == "    v6.15-rc6"


def has_lines(result, lines, module):
    """``lines`` (with ``{m}`` for the test module's file name) appear consecutively, exactly, after the section."""
    out = result.stdout.lines
    lines = [line.format(m=module) for line in lines]
    start = next(i for i, line in enumerate(out) if "linuxmm: where failures start" in line)
    return out[start + 1: start + 1 + len(lines)] == lines


def test_failure_report_names_the_kernel_and_what_separates_it_from_a_pass(pytester):
    pytester.makepyfile(FLIP)
    result = pytester.runpytest_inprocess("--kernel-version", "6.14,6.15-rc6")
    result.assert_outcomes(passed=1, failed=1)
    assert len(BETWEEN) <= 8  # all listed (more would end with "... and N more")
    result.stdout.fnmatch_lines(["*- linuxmm -*", "kernel v6.15-rc6"])
    assert has_lines(result, SUMMARY, "test_failure_report_names_the_kernel_and_what_separates_it_from_a_pass.py")


def test_a_fix_is_reported_the_other_way(pytester):
    pytester.makepyfile(FLIP)
    result = pytester.runpytest_inprocess("--kernel-version", "6.15-rc6,6.16")
    fixed = points("v6.15-rc6", "v6.16")
    assert "    f7a35a3c36d1 mm: vmalloc: actually use the in-place vrealloc region" in [f"    {p}" for p in fixed]
    assert has_lines(result, [
        "{m}::test_in_place[v6.15-rc6] fails at v6.15-rc6; nearest passing: v6.16; " + f"{len(fixed)} points "
        "between (fixed by one of them):",
        *[f"    {p}" for p in fixed][:8],
        *([f"    ... and {len(fixed) - 8} more (linuxmm log --oneline v6.15-rc6..v6.16)"] if len(fixed) > 8 else []),
        "    linuxmm bisect run --term-old broken --term-new fixed --old v6.15-rc6 --new v6.16 -- pytest -q "
        "'{m}::test_in_place'   # the test must pass while broken",
    ], "test_a_fix_is_reported_the_other_way.py")


def test_the_nearest_pass_is_the_closest_point_either_way(pytester):
    pytester.makepyfile(FLIP)
    result = pytester.runpytest_inprocess("--kernel-version", "6.14,6.15-rc6,6.16")
    before, after = points("v6.14", "v6.15-rc6"), points("v6.15-rc6", "v6.16")
    nearest = "v6.14" if len(before) <= len(after) else "v6.16"
    assert any(line.endswith(f"fails at v6.15-rc6; nearest passing: {nearest}; "
                             f"{len(before) if nearest == 'v6.14' else len(after)} points between "
                             f"({'introduced' if nearest == 'v6.14' else 'fixed'} by one of them):")
               for line in result.stdout.lines)


def test_no_summary_when_nothing_passes_or_nothing_fails(pytester):
    pytester.makepyfile(FLIP)
    result = pytester.runpytest_inprocess("--kernel-version", "6.14,6.16")
    assert "where failures start" not in result.stdout.str()
    result = pytester.runpytest_inprocess("--kernel-version", "6.15-rc6")
    assert "where failures start" not in result.stdout.str()


def test_matrix_under_xdist(pytester):
    pytest.importorskip("xdist")
    pytester.makepyfile(FLIP + """
    import pytest
    @pytest.mark.kernel_versions(">=v6.15")
    def test_late(kernel):
        pass
    """)
    result = pytester.runpytest_subprocess("-n", "2", "-p", "no:cacheprovider", "--kernel-version", "6.14,6.15-rc6")
    result.assert_outcomes(passed=1, failed=1, skipped=2)
    result.stdout.fnmatch_lines(["*2 workers*"])
    assert has_lines(result, SUMMARY, "test_matrix_under_xdist.py")


# -- under `linuxmm bisect run` ------------------------------------------------------------------
def test_all_skipped_for_the_version_is_125_under_bisect(pytester, monkeypatch):
    pytester.makepyfile("""
        import pytest
        @pytest.mark.kernel_versions(">=467c996c1e19")
        def test_p(kernel):
            assert "Reclaimable" not in kernel.proc("pagetypeinfo")
    """)
    monkeypatch.setenv("LINUXMM_BISECT_RUN", "1")
    assert pytester.runpytest_inprocess("--kernel-version", "2.6.20").ret == 125
    assert pytester.runpytest_inprocess("--kernel-version", "2.6.24").ret == 1
    assert pytester.runpytest_inprocess("--kernel-version", "2.6.24-rc1").ret == 1
    monkeypatch.delenv("LINUXMM_BISECT_RUN")
    assert pytester.runpytest_inprocess("--kernel-version", "2.6.20").ret == 0


def test_settings_from_the_environment(pytester, monkeypatch):
    pytester.makepyfile("""
        import pytest
        @pytest.mark.kernel_boot(config={"KASAN": True}, cmdline="quiet")
        def test_s(kernel):
            assert kernel.config["KASAN"] is True and kernel.config["INIT_ON_FREE_DEFAULT_ON"] is True
            assert kernel.cmdline.text == "quiet init_on_alloc=1"
    """)
    monkeypatch.setenv("LINUXMM_CONFIG", "INIT_ON_FREE_DEFAULT_ON=y")
    monkeypatch.setenv("LINUXMM_CMDLINE", "init_on_alloc=1")
    pytester.runpytest_inprocess("--kernel-version", "6.12").assert_outcomes(passed=1)
    # a setting the kernel refuses: the run cannot test this point (git bisect's skip)
    monkeypatch.setenv("LINUXMM_CONFIG", "NO_SUCH_SYMBOL=y")
    result = pytester.runpytest_inprocess("--kernel-version", "6.12")
    assert result.ret == 125
    result.stdout.fnmatch_lines(["*kernel fixture: cannot boot 6.12 with $LINUXMM_CONFIG/$LINUXMM_CMDLINE: "
                                 "ConfigError: *NO_SUCH_SYMBOL*"])
