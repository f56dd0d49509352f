"""Bisection exercises: each one's test fails where it says, its bisection finds its hidden answer, and
`linuxmm exercise list | show | check` and the docs pages agree with the files.

Which points a bisection visits depends on every point in its range, and the history grows as
allocators are added, so the exact lines of each exercise's bisection are not written here: they
are git's. Each exercise's test is evaluated at every point of its range, and a real `git bisect
run` on the mirror repository of tests/test_bisect_git.py, driven by that table, gives the lines
`linuxmm bisect` must print.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import hypothesis  # noqa: F401  (imported once here: pytester drops modules first imported inside a run)
import pytest

import linuxmm
import linuxmm_plugins.exercises as exm
import test_bisect_git as tg
from linuxmm import bisect as lb
from linuxmm.cli import main
from linuxmm.errors import LinuxmmError

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = exm.all_exercises(ROOT / "tests" / "exercises")  # this checkout's, wherever linuxmm is installed
BY_NUMBER = {ex.number: ex for ex in EXERCISES}

#: What each bisection names (the lines before it are git's, see test_same_lines_as_git_bisect_run).
EXPECTED = {
    1: "6dda9d55bf54 is the first bad commit",
    2: "5f8dcc21211a is the first fixed commit",
    3: "23baf831a32c is the first bad commit",
    4: "0aaa29a56e4f is the first bad commit",
    5: "e12ba74d8ff3 is the first new commit",
    6: "v3.5 is the first bad commit",
    7: "init_on_free=1 is the first bad setting",
    8: "d699440f58ce is the first fixed commit",
    9: "a0309faf1cb0 is the first bad commit",
    10: "f7a35a3c36d1 is the first fixed commit",
    11: "70d1eb031a68 is the first new commit",
    12: "db64fe02258f is the first fixed commit",
    13: "68ad4a330433 is the first fast commit",
    14: "559089e0a93d is the first bad commit",
    15: "149b6fa228ed is the first bad commit",
    16: "16a1d968358a is the first bad commit",
}
#: The config exercise bisects its own settings, which no other change can move: its run, exactly.
SETTING_STEPS = {7: ["console=ttyS0", "INIT_ON_ALLOC_DEFAULT_ON=n", "init_on_free=1"]}
COMMIT_EXERCISES = [ex for ex in EXERCISES if ex.kind == "commit"]
LIVE = linuxmm.history()
LINE = lb.Line(LIVE)


def _module(ex: exm.Exercise):
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"exercise_{ex.slug.replace('-', '_')}", ex.path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_TABLES: dict[int, dict[str, int]] = {}


def table(ex: exm.Exercise) -> dict[str, int]:
    """The exit status pytest gives the exercise's test file at each point of its range (as a bisect run
    would see it: 0 pass, 1 fail, 125 every test skipped for the kernel's version), computed by calling
    the test functions with a kernel booted as the plugin's fixture boots it."""
    if ex.number in _TABLES:
        return _TABLES[ex.number]
    from linuxmm.pytest_plugin import check_spec

    module = _module(ex)
    tests = [fn for name, fn in vars(module).items() if name.startswith("test_") and callable(fn)]
    lo, hi = LINE.resolve(ex.good), LINE.resolve(ex.bad)
    out = {}
    for index in range(lo, hi + 1):
        label = LINE.info[index].label
        results = []
        for fn in tests:
            marks = {m.name: m for m in getattr(fn, "pytestmark", [])}
            rev = LIVE.resolve(label)
            if "kernel_versions" in marks and any(check_spec(rev, spec) for spec in marks["kernel_versions"].args):
                results.append("skip")
                continue
            try:
                kernel = linuxmm.boot(label, **(marks["kernel_boot"].kwargs if "kernel_boot" in marks else {}))
            except linuxmm.LinuxmmError:  # the fixture cannot boot it (a config the kernel refuses): it fails the test
                results.append("fail")
                continue
            try:
                fn(kernel)
                results.append("pass")
            except AssertionError:
                results.append("fail")
        out[label] = 125 if all(r == "skip" for r in results) else 1 if "fail" in results else 0
    _TABLES[ex.number] = out
    return out


def start_args(ex: exm.Exercise) -> list[str]:
    return (["--term-old", ex.terms[0], "--term-new", ex.terms[1]] if ex.terms else []) + [ex.bad, ex.good]


mirror = tg.mirror  # the same module-scoped fixture: one mirror repository for this module


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch, tmp_path):
    monkeypatch.setenv(exm.DIR_ENV, str(ROOT / "tests" / "exercises"))
    for name in ("LINUXMM_KERNEL_VERSION", "LINUXMM_CONFIG", "LINUXMM_CMDLINE", "LINUXMM_BISECT_RUN",
                 lb.STATE_ENV):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(lb.STATE_ENV, str(tmp_path / "bisect.json"))


def run_test(pytester, monkeypatch, ex: exm.Exercise, env: dict[str, str]) -> int:
    """Run the exercise's test file in-process with these environment variables; its exit status."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    try:
        return int(pytester.inline_run(str(ex.path), "-p", "no:cacheprovider").ret)
    finally:
        for name in env:
            monkeypatch.delenv(name, raising=False)


def test_the_exercises_are_numbered_one_to_n():
    assert [ex.number for ex in EXERCISES] == list(range(1, len(EXERCISES) + 1))
    assert set(EXPECTED) == set(BY_NUMBER)


@pytest.mark.parametrize("ex", EXERCISES, ids=[ex.slug for ex in EXERCISES])
def test_the_test_passes_at_good_and_fails_at_bad(pytester, monkeypatch, ex):
    if ex.kind == "setting":
        good = {"LINUXMM_KERNEL_VERSION": ex.version, "LINUXMM_CONFIG": "", "LINUXMM_CMDLINE": ""}
        line = lb.SettingsLine(ex.good.split(), ex.bad.split())
        bad = {"LINUXMM_KERNEL_VERSION": ex.version, **line.env(line.info[-1].label)}
    else:
        good, bad = {"LINUXMM_KERNEL_VERSION": ex.good}, {"LINUXMM_KERNEL_VERSION": ex.bad}
    assert run_test(pytester, monkeypatch, ex, good) == 0
    assert run_test(pytester, monkeypatch, ex, bad) == 1


@pytest.mark.parametrize("ex", COMMIT_EXERCISES, ids=[ex.slug for ex in COMMIT_EXERCISES])
def test_same_lines_as_git_bisect_run(mirror, tmp_path, ex):
    """The exercise's bisection, driven by its test's results at every point, against git's."""
    repo, shas = mirror
    codes = table(ex)
    assert codes[LINE.info[LINE.resolve(ex.good)].label] in (0, 125) and codes[LINE.info[LINE.resolve(ex.bad)].label] == 1
    script = tmp_path / "test.sh"
    script.write_text(tg.SCRIPT)
    (tmp_path / "table").write_text(tg.table_for(codes) + tg.table_for({shas[k]: v for k, v in codes.items()}))
    git_status, git_lines = tg.run_git(repo, tmp_path, [shas.get(a, a) for a in start_args(ex)], script)
    out: list[str] = []
    b = lb.Bisect(out=out.append, err=out.append, runner=lambda cmd, label: codes[label],
                  state_path=str(tmp_path / "state.json"))
    res = b.cmd_start(start_args(ex))
    if res == lb.BISECT_OK:
        res = b.cmd_run(["sh", str(script)])
    assert lb.exit_status(res) == git_status == 0
    ours, theirs = tg.normalise_linuxmm(out), tg.normalise_git(git_lines, shas)
    assert EXPECTED[ex.number] in ours
    assert tg._culprit(ours) == tg._culprit(theirs)
    assert tg._steps(ours) == tg._steps(theirs)
    if tg.EXACT:
        assert ours == theirs
    assert exm.is_answer(ex, EXPECTED[ex.number].split()[0])


@pytest.mark.parametrize("ex", EXERCISES, ids=[ex.slug for ex in EXERCISES])
def test_bisection_with_pytest_finds_the_hidden_answer(pytester, monkeypatch, ex):
    """The same bisection with pytest itself running the exercise file at each point."""
    steps: list[str] = []
    out: list[str] = []
    cmd = f"pytest -q {ex.shown_path()}"
    if ex.kind == "setting":
        line = lb.SettingsLine(ex.good.split(), ex.bad.split())

        def runner(command, env):
            steps.append(next(label for label in line.by_label
                              if line.env(label) == {k: v for k, v in env.items() if k != lb.ENV_VERSION}))
            return run_test(pytester, monkeypatch, ex, {**env, "LINUXMM_BISECT_RUN": "1"})

        import io
        from contextlib import redirect_stdout

        buf = io.StringIO()
        with redirect_stdout(buf):
            status = lb.config_bisect(ex.version, ex.good.split(), ex.bad.split(), cmd.split(), runner=runner)
        out = buf.getvalue().splitlines()
        assert steps == SETTING_STEPS[ex.number]
    else:
        def run(command, label):
            steps.append(label)
            return run_test(pytester, monkeypatch, ex, {"LINUXMM_KERNEL_VERSION": label, "LINUXMM_BISECT_RUN": "1"})

        b = lb.Bisect(out=out.append, err=out.append, runner=run)
        res = b.cmd_start(start_args(ex))
        if res == lb.BISECT_OK:
            res = b.cmd_run(cmd.split())
        status = lb.exit_status(res)
        assert [table(ex)[label] for label in steps] == [run_test(pytester, monkeypatch, ex, {
            "LINUXMM_KERNEL_VERSION": label, "LINUXMM_BISECT_RUN": "1"}) for label in steps]
    assert status == 0
    assert EXPECTED[ex.number] in out
    assert exm.is_answer(ex, EXPECTED[ex.number].split()[0])
    assert sum(line.startswith("running ") for line in out) == len(steps)


def test_the_skip_exercise_skips(mirror):
    """Exercise 5 is there to practise 125: its range holds points where the test cannot run."""
    ex = BY_NUMBER[5]
    assert 125 in table(ex).values() and 0 in table(ex).values()


VREALLOC_EXERCISES = ["kasan-false-positive", "vrealloc-in-place", "vrealloc-in-place-fix", "vrealloc-zeroing"]


@pytest.mark.parametrize("slug", VREALLOC_EXERCISES)
def test_the_vrealloc_exercises_skip_where_there_is_no_vrealloc(pytester, monkeypatch, slug):
    """Their `kernel_versions` marker: before 3ddc2fefe6f3 a bisect run of the file exits 125, not 1."""
    ex = exm.find(slug, EXERCISES)
    assert run_test(pytester, monkeypatch, ex, {"LINUXMM_KERNEL_VERSION": "v6.11", "LINUXMM_BISECT_RUN": "1"}) == 125
    assert run_test(pytester, monkeypatch, ex, {"LINUXMM_KERNEL_VERSION": "3ddc2fefe6f3",
                                                "LINUXMM_BISECT_RUN": "1"}) in (0, 1)


def test_a_whole_exercise_through_the_command_line(tmp_path):
    """Exercise 1 as a user runs it: `linuxmm bisect run` starting `pytest` on the exercise file at each step."""
    ex = BY_NUMBER[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINUXMM_")}
    env[lb.STATE_ENV] = str(tmp_path / "state.json")
    test = str(ex.path.relative_to(ROOT))
    cmd = [sys.executable, "-m", "linuxmm.cli", "bisect", "run", "--good", ex.good, "--bad", ex.bad, "--",
           sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    running = "running  " + lb.sq_quote_argv(cmd[cmd.index("--") + 1:])[1:]
    lines = proc.stdout.splitlines()
    ours = [line for line in lines
            if line.startswith(("Bisecting:", "[", "running ", "bisect ")) or " is the first " in line]
    # the same lines as the table-driven run (which agrees with git's, above), pytest's own output aside
    expected: list[str] = []
    codes = table(ex)
    b = lb.Bisect(out=expected.append, err=expected.append, runner=lambda c, label: codes[label],
                  state_path=str(tmp_path / "expected.json"))
    b.cmd_start(start_args(ex))
    b.cmd_run(cmd[cmd.index("--") + 1:])
    assert ours == [line for line in expected
                    if line.startswith(("Bisecting:", "[", "running ", "bisect ")) or " is the first " in line]
    assert running in ours and ours[-2:] == ["6dda9d55bf54 is the first bad commit", "bisect found first bad commit"]
    env[exm.DIR_ENV] = str(ROOT / "tests" / "exercises")
    check = subprocess.run([sys.executable, "-m", "linuxmm.cli", "exercise", "check", "1", "6dda9d55bf54"],
                           cwd=ROOT, env=env, capture_output=True, text=True)
    assert (check.returncode, check.stdout) == (0, "Right: 6dda9d55bf54 is the answer to exercise 1.\n")


# -- linuxmm exercise ------------------------------------------------------------------------------
def cli(capsys, *argv):
    capsys.readouterr()
    status = main(["exercise", *argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_list(capsys):
    status, out, err = cli(capsys, "list")
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        " 1  tail-merging             The block that did not come back  (v2.6.32..v3.0)",
        " 2  pcp-lists                One block short  (v2.6.24..v2.6.34, broken/fixed)",
        " 3  max-order                Half the buffer  (v6.3..v6.7)",
        " 4  pagetypeinfo-reserve     The Reserve column vanished  (v3.0..v4.4)",
        " 5  reclaimable-appears      Before the file existed  (v2.6.21..v2.6.28, old/new)",
        " 6  show-mem-letters         Letters in the free-memory report  (v3.0..v3.10)",
        " 7  freed-page-contents      Which setting wiped the evidence?  (settings at 6.12)",
        " 8  kasan-false-positive     A false alarm from KASAN  (v6.12..v6.14, broken/fixed)",
        " 9  vrealloc-in-place        Every grow moves the block  (v6.14..v6.15-rc7)",
        "10  vrealloc-in-place-fix    The grow that stays put  (v6.15-rc6..v6.15, broken/fixed)",
        "11  vrealloc-zeroing         Zeroing what is already zero  (v6.14..v6.15, old/new)",
        "12  vfree-tlb-storm          The interrupt storm of vfree  (v2.6.24..v2.6.30, broken/fixed)",
        "13  vmap-busy-list           The longer the list, the slower the vmalloc  (v4.20..v5.3, slow/fast)",
        "14  huge-vmalloc-opt-in      Small pages again  (v5.18-rc1..v6.1)",
        "15  slob-config              The config that no longer boots  (v6.1..v6.4)",
        "16  slab-removal             The last kernel with SLAB  (v6.4..v6.8)",
    ]


def test_show(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    status, out, _ = cli(capsys, "show", "pcp-lists")
    assert status == 0
    lines = out.splitlines()
    assert lines[:3] == ["Exercise 2: One block short", "", "One block short: find the fix."]
    assert "Old (broken): v2.6.24" in lines and "New (fixed): v2.6.34" in lines
    assert "Which point is the first fixed one?" in lines
    assert "The test (tests/exercises/test_pcp_lists.py, after its story):" in lines
    assert "    def test_interleaved_frees_leave_a_4mb_block_short(kernel):" in lines
    assert '"""One block short' not in out  # the story is shown once, above the code
    assert "answer" in out and "5f8dcc21211a" not in out  # the answer is in the file only as a salted hash
    assert ("    linuxmm bisect run --term-old broken --term-new fixed --old v2.6.24 --new v2.6.34 -- pytest -q "
            "tests/exercises/test_pcp_lists.py") in lines
    assert lines[-1] == "To check your answer: linuxmm exercise check 2 ANSWER"
    status, out, _ = cli(capsys, "show", "7")
    assert ("    linuxmm config-bisect --kernel-version 6.12 --good '' --bad 'quiet loglevel=7 console=ttyS0 KASAN=y "
            "INIT_ON_ALLOC_DEFAULT_ON=n init_on_free=1 nohugevmalloc' -- pytest -q "
            "tests/exercises/test_freed_page_contents.py") in out.splitlines()
    assert "    linuxmm bisect run --old v2.6.21 --new v2.6.28 -- pytest -q tests/exercises/test_reclaimable_appears.py" \
        in cli(capsys, "show", "5")[1].splitlines()


@pytest.mark.parametrize("argv, status, out, err", [
    (["check", "1", "6dda9d5"], 0, "Right: 6dda9d5 is the answer to exercise 1.\n", ""),
    (["check", "tail-merging", "v3.0"], 1, "Not the answer: v3.0 is not what exercise 1 looks for.\n", ""),
    (["check", "6", "3.5"], 0, "Right: 3.5 is the answer to exercise 6.\n", ""),
    (["check", "7", "init_on_free=1"], 0, "Right: init_on_free=1 is the answer to exercise 7.\n", ""),
    (["check", "7", "init_on_free"], 0, "Right: init_on_free is the answer to exercise 7.\n", ""),
    (["check", "7", "KASAN=y"], 1, "Not the answer: KASAN=y is not what exercise 7 looks for.\n", ""),
    # exercise 15's config fails first at the rename, before the removal of CONFIG_SLOB
    (["check", "15", "149b6fa228ed"], 0, "Right: 149b6fa228ed is the answer to exercise 15.\n", ""),
    (["check", "15", "c9929f0e344a"], 1, "Not the answer: c9929f0e344a is not what exercise 15 looks for.\n", ""),
    (["check", "vrealloc-zeroing", "f7a35a3"], 1,
     "Not the answer: f7a35a3 is not what exercise 11 looks for.\n", ""),
    (["check", "1", "deadbeef99"], 2, "", "linuxmm: error: check: deadbeef99 is not a point of the modelled "
                                         "history: deadbeef99 is not a modelled commit (modelled ones include *"),
    (["check", "99", "x"], 2, "", "linuxmm: error: no exercise '99' (there are: 1 (tail-merging), 2 (pcp-lists), "
                                  "3 (max-order), 4 (pagetypeinfo-reserve), 5 (reclaimable-appears), "
                                  "6 (show-mem-letters), 7 (freed-page-contents), 8 (kasan-false-positive), "
                                  "9 (vrealloc-in-place), 10 (vrealloc-in-place-fix), 11 (vrealloc-zeroing), "
                                  "12 (vfree-tlb-storm), 13 (vmap-busy-list), 14 (huge-vmalloc-opt-in), "
                                  "15 (slob-config), 16 (slab-removal); see `linuxmm exercise list`)\n"),
])
def test_check(capsys, argv, status, out, err):
    got = cli(capsys, *argv)
    if err.endswith("*"):  # the examples it names come from the growing list of commits
        assert got[:2] == (status, out) and got[2].startswith(err[:-1]) and got[2].endswith(
            "...; see `linuxmm log --oneline`)\n")
    else:
        assert got == (status, out, err)


def test_exercise_takes_no_kernel_options(capsys):
    status = main(["--kernel-version", "2.6.28", "exercise", "list"])
    assert status == 2
    assert capsys.readouterr().err.startswith("linuxmm: error: exercise takes no kernel options")


def test_every_answer_hash_matches_its_salt():
    for ex in EXERCISES:
        kind, salt, digest = ex.answer.split(":")
        assert kind == "sha256" and len(salt) == 8 and len(digest) == 64


# -- one file per exercise --------------------------------------------------------------------------
def test_malformed_exercise_files_are_named(tmp_path):
    bad = tmp_path / "test_bad.py"
    bad.write_text('"""story"""\nEXERCISE = {"number": 1, "title": "t", "kind": "commit", "answer": "sha256:a:b"}\n')
    with pytest.raises(LinuxmmError, match="^exercise test_bad.py: EXERCISE lacks good, bad$"):
        exm.load(bad)
    bad.write_text('"""story"""\nEXERCISE = {"number": 1, "title": "t", "kind": "cherry"}\n')
    with pytest.raises(LinuxmmError, match="^exercise test_bad.py: kind must be one of commit, setting, not 'cherry'$"):
        exm.load(bad)
    bad.write_text("X = 1\n")
    with pytest.raises(LinuxmmError, match=r"^exercise test_bad.py: no EXERCISE = \{...\} dict$"):
        exm.load(bad)
    ok = '"""s"""\nEXERCISE = {"number": 1, "title": "t", "kind": "commit", "good": "v1.0", "bad": "v2.0", ' \
         '"answer": "%s"}\n' % exm.make_answer("00", "v2.0")
    (tmp_path / "test_a.py").write_text(ok)
    (tmp_path / "test_b.py").write_text(ok)
    bad.unlink()
    with pytest.raises(LinuxmmError, match="^exercises test_a.py and test_b.py both have number 1$"):
        exm.all_exercises(tmp_path)


def test_a_new_exercise_is_one_file(tmp_path):
    """Dropping a file in the directory is all it takes (the docs page is checked below)."""
    (tmp_path / "test_new_thing.py").write_text(
        '"""A story."""\nEXERCISE = {"number": 8, "title": "New", "kind": "commit", "good": "v4.3", "bad": "v4.4", '
        f'"answer": "{exm.make_answer("ab", "0aaa29a56e4f")}"}}\n\ndef test_x(kernel):\n    pass\n')
    [ex] = exm.all_exercises(tmp_path)
    assert (ex.number, ex.slug, ex.story) == (8, "new-thing", "A story.")
    assert exm.is_answer(ex, "0aaa29a56e4f") and not exm.is_answer(ex, "v4.4")


def test_plain_pytest_leaves_exercises_alone(pytester):
    """They fail at their bad revision by design: collected only when named."""
    pytester.mkpydir("drills")  # not "exercises": that package is already imported in this session
    (pytester.path / "drills" / "conftest.py").write_text((ROOT / "tests/exercises/conftest.py").read_text())
    (pytester.path / "drills" / "test_x.py").write_text("def test_fails():\n    assert False\n")
    pytester.makepyfile(test_other="def test_ok():\n    pass\n")
    pytester.runpytest_inprocess().assert_outcomes(passed=1)
    pytester.runpytest_inprocess("drills/test_x.py").assert_outcomes(failed=1)
    pytester.runpytest_inprocess("drills").assert_outcomes(failed=1)


def test_every_exercise_has_a_docs_page():
    index = (ROOT / "docs/exercises/index.md").read_text()
    for ex in EXERCISES:
        page = ROOT / "docs/exercises" / f"{ex.slug}.md"
        assert page.exists(), f"docs/exercises/{ex.slug}.md is missing"
        text = page.read_text()
        assert f"{{linuxmm}} exercise show {ex.number}" in text
        assert ex.slug in index
        assert exm.canonical(ex, EXPECTED[ex.number].split()[0]) not in text  # no spoilers


def test_each_story_starts_with_its_title():
    for ex in EXERCISES:
        first = ast.get_docstring(ast.parse(ex.source)).splitlines()[0]
        assert re.match(re.escape(ex.title.rstrip("?")), first), (ex.slug, first)
