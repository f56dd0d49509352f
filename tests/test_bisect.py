"""`linuxmm bisect`: git bisect's semantics over the modelled history, line by line.

The lines asserted here are git 2.39.5's (compared against the real binary in
tests/test_bisect_git.py); these tests pin the model's side: which point is tested, the
state file, `log`/`replay`, custom terms, the pre-git releases, and every bad input.

Which point a bisection tests depends on every point in its range, and the history grows as
allocators are added. So these tests run on a frozen history: the mainline releases and the
commits listed in FROZEN_COMMITS, as the plugins declare them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import linuxmm
from linuxmm import bisect as lb
from linuxmm.cli import main

LIVE = linuxmm.history()
#: The commits of the frozen history (their details come from the plugins that declare them).
FROZEN_COMMITS = ("a2f1b4249007", "10cef6029502", "8a8b6502fb66", "81819f0fc828", "2a1e274acf0b", "a0acd8208076",
                  "b2a0ac8875a0", "e12ba74d8ff3", "467c996c1e19", "3dfa5721f12c", "db64fe02258f", "418589663d60",
                  "5f8dcc21211a", "6dda9d55bf54", "0b24becc810d", "0aaa29a56e4f", "795ae7a0de6b", "d52888aa2753",
                  "68ad4a330433", "6471384af2a6", "3c5c3cfb9ef4", "121e6f3258fe", "44042b449872", "149b6fa228ed",
                  "6630e950d532", "c9929f0e344a", "23baf831a32c", "eb07c4f39c3e", "16a1d968358a", "5e0a760b4441",
                  "fd37721803c6", "3ddc2fefe6f3", "d699440f58ce", "a0309faf1cb0", "70d1eb031a68", "f7a35a3c36d1")


def _frozen():
    from linuxmm.history import History
    from linuxmm_plugins.mainline import MAINLINE_TAGS
    from linuxmm.records import Release

    return History([LIVE.commit(sha) for sha in FROZEN_COMMITS], [Release(tag) for tag in MAINLINE_TAGS])


HISTORY = _frozen()
LABELS = [lb.Line(HISTORY).info[i].label for i in range(len(HISTORY.points))]


@pytest.fixture(autouse=True)
def _frozen_history(monkeypatch):
    from linuxmm.host import get_host

    monkeypatch.setattr(get_host(), "history", HISTORY)


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LINUXMM_KERNEL_VERSION", raising=False)
    monkeypatch.delenv(lb.STATE_ENV, raising=False)


def bad_from(label: str) -> str:
    """A shell `case` pattern matching ``label`` and every later point (a monotonic test)."""
    return "|".join(LABELS[LABELS.index(label):])


def bisect(capsys, *argv):
    capsys.readouterr()
    status = main(["bisect", *argv])
    out, err = capsys.readouterr()
    return status, out.splitlines(), err.splitlines()


def script(tmp_path: Path, body: str) -> str:
    """A test script that records every version it is run at in ./seen."""
    path = tmp_path / "t.sh"
    path.write_text('echo "$LINUXMM_KERNEL_VERSION" >> seen\n' + body)
    return str(path)


# -- git's arithmetic -----------------------------------------------------------------
@pytest.mark.parametrize("all_, steps", [(0, 0), (1, 0), (2, 0), (3, 1), (4, 1), (5, 1), (6, 2), (7, 2),
                                         (8, 2), (11, 3), (12, 3), (13, 3), (100, 6), (165, 6), (192, 7), (200, 7)])
def test_estimate_bisect_steps(all_, steps):
    assert lb.estimate_bisect_steps(all_) == steps


def test_midpoint_on_a_linear_history():
    """git's approx_halfway: the oldest point within one of half; 1 and 2 points pick the oldest."""
    reaches = [lb.find_bisection(list(range(n)), set(), False, n - 1).reaches for n in range(1, 12)]
    assert reaches == [1, 1, 2, 2, 2, 3, 3, 4, 4, 5, 5]


def test_skip_mode_sorts_by_distance_and_jumps_away_from_a_skipped_best():
    # 8 candidates (points 10..17); by distance: weights 4, 3, 5, 2, 6, 1, 7, 8; the best (weight 4) is skipped
    c = lb.find_bisection(list(range(10, 18)), {13}, True, 17)
    assert (c.reaches, c.tried) == (4, [13])
    assert lb.get_prn(7) == 19564 and lb.sqrti(19564) == 139 and lb.sqrti(32768) == 181
    # skip_away: index = (7 * 19564 // 32768) * 139 // 181 = 3, the fourth of [12, 14, 11, 15, 10, 16, 17]
    assert c.point == 15
    # with nothing skipped, skip mode still sorts: the first of the two at distance 4 wins (ties go to the older)
    assert lb.find_bisection(list(range(10, 18)), set(), True, 17).point == 13
    # when the pick would be the bad point, its neighbour in the list is taken instead
    assert lb.skip_away([10, 17, 11, 12, 13], 5, 17) == 10  # index 1 is the bad point
    assert lb.skip_away([17, 16], 2, 17) == 17  # index 0 and no neighbour before it: git gives up there


def test_sq_quote_is_gits():
    assert lb.sq_quote_argv(["sh", "-c", "don't", "a!b"]) == " 'sh' '-c' 'don'\\''t' 'a'\\!'b'"


# -- a run, exactly ---------------------------------------------------------------------
def test_run_finds_a_commit_with_gits_lines(capsys, tmp_path):
    t = script(tmp_path, 'case "$LINUXMM_KERNEL_VERSION" in v6.15-rc6|70d1eb031a68|f7a35a3c36d1|v6.15) exit 1;; esac\n')
    status, out, err = bisect(capsys, "run", "--good", "v6.14", "--bad", "v6.15", "--", "sh", t)
    assert (status, err) == (0, [])
    assert out == [
        "Bisecting: 2 revisions left to test after this (roughly 1 step)",
        "[v6.15-rc6] Linux 6.15-rc6",
        f"running  'sh' '{t}'",
        "Bisecting: 0 revisions left to test after this (roughly 0 steps)",
        "[a0309faf1cb0] mm: vmalloc: support more granular vrealloc() sizing",
        f"running  'sh' '{t}'",
        "v6.15-rc6 is the first bad commit",
        "tag v6.15-rc6",
        "",
        "    Linux 6.15-rc6",
        "    ",
        "    The model does not list the commits between a0309faf1cb0 and v6.15-rc6 one by one:",
        "    the change is one of them.",
        "bisect found first bad commit",
    ]
    assert (tmp_path / "seen").read_text().split() == ["v6.15-rc6", "a0309faf1cb0"]


def test_run_names_a_commit_with_its_details(capsys, tmp_path):
    t = script(tmp_path, 'case "$LINUXMM_KERNEL_VERSION" in v6.14|a0309faf1cb0) exit 0;; esac; exit 1\n')
    status, out, _ = bisect(capsys, "run", "--good", "v6.14", "--bad", "v6.15", "--", "sh", t)
    assert status == 0 and out[-8] == "v6.15-rc6 is the first bad commit"
    t = script(tmp_path, 'case "$LINUXMM_KERNEL_VERSION" in v6.14) exit 0;; esac; exit 1\n')
    status, out, _ = bisect(capsys, "run", "--good", "v6.14", "--bad", "v6.15", "--", "sh", t)
    assert out[-9:] == [
        "a0309faf1cb0 is the first bad commit",
        "commit a0309faf1cb0",
        "Author: Kees Cook",
        "Date:   2025-04-25",
        "",
        "    mm: vmalloc: support more granular vrealloc() sizing",
        "    ",
        '    Fixes: 3ddc2fefe6f3 ("mm: vmalloc: implement vrealloc()")',
        "bisect found first bad commit",
    ]


def test_find_the_fix_with_custom_terms(capsys, tmp_path):
    """As in git: exit 0 means the old term, so the test asserts the bug is still there."""
    t = script(tmp_path, 'case "$LINUXMM_KERNEL_VERSION" in f7a35a3c36d1|70d1eb031a68|v6.15) exit 1;; esac\n')
    status, out, _ = bisect(capsys, "run", "--term-old", "broken", "--term-new", "fixed",
                            "--old", "v6.15-rc6", "--new", "v6.15", "--", "sh", t)
    assert status == 0
    assert "f7a35a3c36d1 is the first fixed commit" in out and out[-1] == "bisect found first bad commit"
    status, out, _ = bisect(capsys, "log")
    assert out[:3] == ["# fixed: [v6.15] Linux 6.15", "# broken: [v6.15-rc6] Linux 6.15-rc6",
                       "linuxmm bisect start '--term-old' 'broken' '--term-new' 'fixed' 'v6.15' 'v6.15-rc6'"]
    assert out[-1] == "# first fixed commit: [f7a35a3c36d1] mm: vmalloc: actually use the in-place vrealloc region"
    assert bisect(capsys, "terms")[1] == ["Your current terms are broken for the old state",
                                          "and fixed for the new state."]
    assert bisect(capsys, "terms", "--term-new")[1] == ["fixed"]
    assert bisect(capsys, "bad") == (1, [], ["error: Invalid command: you're currently in a fixed/broken bisect"])


def test_exit_codes_as_git(capsys, tmp_path):
    """0 good, 125 skip, 1..127 bad except 125; the run sees each point once."""
    t = script(tmp_path, 'case "$LINUXMM_KERNEL_VERSION" in v3.9) exit 125;; v3.[6-8]|v3.1[0-9]) exit 42;; esac\n')
    status, out, _ = bisect(capsys, "run", "--good", "v3.0", "--bad", "v3.19", "--", "sh", t)
    assert status == 0 and "v3.6 is the first bad commit" in out
    seen = (tmp_path / "seen").read_text().split()
    assert len(seen) == len(set(seen)) and "v3.9" in seen
    assert "linuxmm bisect skip v3.9" in bisect(capsys, "log")[1]


@pytest.mark.parametrize("code, status", [(128, 128), (200, 56), (255, 1)])
def test_abort_codes(capsys, tmp_path, code, status):
    """< 0 or >= 128 aborts; git 2.39.5 exits with -code & 0xff (200 -> 56)."""
    t = script(tmp_path, f"exit {code}\n")
    s, out, err = bisect(capsys, "run", "--good", "v3.0", "--bad", "v3.19", "--", "sh", t)
    assert s == status
    assert err == [f"error: bisect run failed: exit code {code} from ' 'sh' '{t}'' is < 0 or >= 128"]
    assert bisect(capsys, "log")[1][-1].startswith("linuxmm bisect start")  # nothing was marked


def test_first_126_or_127_is_checked_on_a_good_revision(capsys, tmp_path):
    t = script(tmp_path, 'case "$LINUXMM_KERNEL_VERSION" in v3.0|v3.[1-9]) exit 0;; esac; exit 127\n')
    status, out, _ = bisect(capsys, "run", "--good", "v3.0", "--bad", "v3.19", "--", "sh", t)
    assert status == 0 and "v3.10 is the first bad commit" in out
    seen = (tmp_path / "seen").read_text().split()
    first_127 = next(i for i, v in enumerate(seen) if v not in {f"v3.{n}" for n in range(10)})
    assert seen[first_127 + 1] == "v3.0"  # the re-check, on the (oldest) good revision
    i = out.index("[v3.0] Linux 3.0")
    assert out[i + 1].startswith("running ") and out[i + 2] == f"[{seen[first_127]}] Linux {seen[first_127][1:]}"
    assert seen.count("v3.0") == 1


def test_a_command_that_cannot_be_run(capfd, tmp_path):
    status, out, err = bisect(capfd, "run", "--good", "v3.0", "--bad", "v3.19", "--", "./no-such-test")
    assert status == 1
    assert out[-3:] == ["[v3.0] Linux 3.0", "running  './no-such-test'", "[v3.9] Linux 3.9"]
    assert err[-1] == "error: bogus exit code 127 for good revision"
    assert any("not found" in line for line in err)  # the shell's own word for it


def test_only_skipped_left(capsys, tmp_path):
    t = script(tmp_path, 'case "$LINUXMM_KERNEL_VERSION" in v4.1*) exit 125;; v4.[2-9]*) exit 1;; esac\n')
    status, out, err = bisect(capsys, "run", "--good", "v4.0", "--bad", "v4.4", "--", "sh", t)
    assert status == 2
    assert out[-5:] == ["There are only 'skip'ped commits left to test.", "The first bad commit could be any of:",
                        "v4.1", "v4.2", "We cannot bisect more!"]
    assert err == ["error: bisect run cannot continue any more"]
    log = bisect(capsys, "log")[1]
    assert log[-3:] == ["# only skipped commits left to test", "# possible first bad commit: [v4.2] Linux 4.2",
                        "# possible first bad commit: [v4.1] Linux 4.1"]


# -- pre-git releases -----------------------------------------------------------------------
def test_before_git_the_first_bad_release_is_named_and_why_once(capsys, tmp_path):
    t = script(tmp_path, 'case "$LINUXMM_KERNEL_VERSION" in v0.*|v1.0) exit 0;; esac; exit 1\n')
    status, out, _ = bisect(capsys, "run", "--good", "v0.01", "--bad", "v2.6.28", "--", "sh", t)
    assert status == 0
    note = [line for line in out if "predate git" in line]
    assert note == ["Releases before v2.6.12-rc2 predate git: there are no commits to test there, so those "
                    "steps test the modelled releases and name the first bad release."]
    assert out[-8:] == ["v1.1.89 is the first bad release", "tag v1.1.89", "", "    Linux 1.1.89", "    ",
                        "    The model does not list the changes between v1.0 and v1.1.89 one by one:",
                        "    the change is one of them.", "bisect found first bad release"]


# -- interactive, state file, log and replay ---------------------------------------------------
def test_interactive_session_is_resumable(capsys, tmp_path):
    assert bisect(capsys, "start") == (0, ["status: waiting for both good and bad commits"], [])
    assert bisect(capsys, "bad", "v6.18") == (0, ["status: waiting for good commit(s), bad commit known"], [])
    state = json.loads((tmp_path / ".linuxmm-bisect.json").read_text())
    assert state["bad"] == "v6.18" and state["goods"] == []
    status, out, _ = bisect(capsys, "good", "6dda9d55bf54")
    n = len(HISTORY.points) - 1 - LABELS.index("6dda9d55bf54")
    assert out[0] == (f"Bisecting: {n - n // 2 - 1} revisions left to test after this "
                      f"(roughly {lb.estimate_bisect_steps(n)} steps)")
    current = out[1][1:].split("]")[0]
    assert LABELS.index(current) == LABELS.index("6dda9d55bf54") + n // 2
    # a fresh process picks the session up from the file: `good` with no revision marks the current point
    status, out, _ = bisect(capsys, "good")
    assert status == 0 and out[0].startswith("Bisecting: ")
    log = bisect(capsys, "log")[1]
    assert log == [
        "linuxmm bisect start",
        "# status: waiting for both good and bad commits",
        "# bad: [v6.18] Linux 6.18",
        "linuxmm bisect bad v6.18",
        "# status: waiting for good commit(s), bad commit known",
        "# good: [6dda9d55bf54] page allocator: reduce fragmentation in buddy allocator by adding buddies that "
        "are merging to the tail of the free lists",
        "linuxmm bisect good 6dda9d55bf54",
        f"# good: [{current}] Linux {current[1:]}",
        f"linuxmm bisect good {current}",
    ]
    view = bisect(capsys, "view", "--oneline")[1]
    assert view[0] == "v6.18 Linux 6.18" and view[-1] == f"{LABELS[LABELS.index(current) + 1]} " \
        f"{lb.Line(HISTORY).info[LABELS.index(current) + 1].subject}"
    assert bisect(capsys, "reset") == (0, [], [])
    assert not (tmp_path / ".linuxmm-bisect.json").exists()
    assert bisect(capsys, "reset") == (0, ["We are not bisecting."], [])
    assert bisect(capsys, "log") == (1, [], ["error: We are not bisecting."])


def test_replay_rebuilds_the_session(capsys, tmp_path):
    t = script(tmp_path, f'case "$LINUXMM_KERNEL_VERSION" in {bad_from("v5.10")}) exit 1;; esac\n')
    bisect(capsys, "run", "--good", "v4.0", "--bad", "v6.18", "--", "sh", t)
    log = bisect(capsys, "log")[1]
    (tmp_path / "saved.log").write_text("\n".join(log[:-3]) + "\n")  # stop three lines before the end
    status, out, _ = bisect(capsys, "replay", "saved.log")
    assert status == 0 and out[0].startswith("Bisecting: ")
    assert bisect(capsys, "log")[1] == [line for line in log[:-3]]
    status, out, _ = bisect(capsys, "run", "sh", t)
    assert status == 0 and "v5.10 is the first bad commit" in out
    assert bisect(capsys, "log")[1] == log
    # git's own log lines replay too
    (tmp_path / "git.log").write_text("git bisect start\n# a comment\ngit bisect bad v6.18\ngit bisect good v6.12\n")
    status, out, _ = bisect(capsys, "replay", "git.log")
    assert out == ["status: waiting for both good and bad commits",
                   "Bisecting: 5 revisions left to test after this (roughly 3 steps)",
                   "[v6.15-rc6] Linux 6.15-rc6"]
    assert bisect(capsys, "log")[1] == ["linuxmm bisect start",
                                        "# status: waiting for both good and bad commits",
                                        "# bad: [v6.18] Linux 6.18", "linuxmm bisect bad v6.18",
                                        "# good: [v6.12] Linux 6.12", "linuxmm bisect good v6.12"]


def test_replay_errors(capsys, tmp_path):
    assert bisect(capsys, "replay", "missing.log") == (1, [], ["error: cannot read file 'missing.log' for replaying"])
    (tmp_path / "bad.log").write_text("git bisect start\ngit bisect bad v6.18\ngit bisect frob v6.1\n")
    status, out, err = bisect(capsys, "replay", "bad.log")
    assert status == 1 and err == ["error: Invalid command: you're currently in a bad/good bisect"]


def test_state_file_location(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv(lb.STATE_ENV, str(tmp_path / "elsewhere.json"))
    bisect(capsys, "start", "v6.18", "v6.12")
    assert (tmp_path / "elsewhere.json").exists() and not (tmp_path / ".linuxmm-bisect.json").exists()
    assert bisect(capsys, "--state", str(tmp_path / "third.json"), "log") == (1, [], ["error: We are not bisecting."])
    (tmp_path / "junk.json").write_text("{}")
    status, _, err = bisect(capsys, "--state", "junk.json", "log")
    assert status == 128 and err[0].startswith("fatal: 'junk.json' is not a linuxmm bisect state file")
    assert bisect(capsys, "--state", "junk.json", "reset") == (0, [], [])  # reset drops it all the same
    assert not (tmp_path / "junk.json").exists()
    status, _, err = bisect(capsys, "--state", str(tmp_path / "missing" / "s.json"), "start")
    assert status == 128
    assert err == [f"fatal: cannot write bisect state '{tmp_path / 'missing' / 's.json'}': No such file or directory"]


# -- bad input ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("argv, status, out, err", [
    (["good", "v6.1"], 1, [], ['You need to start by "linuxmm bisect start"', ""]),
    (["start", "v9.99"], 128, [], ["fatal: 'v9.99' does not appear to be a valid revision (v9.99 is newer than the "
                                   "newest modelled release (v6.18); nearest: v6.16, v6.17, v6.18)"]),
    (["start", "v6.18", "v6.14.3"], 128, [], ["fatal: 'v6.14.3' does not appear to be a valid revision (v6.14.3 is a "
                                              "stable release, not a point on the mainline history (the model has no "
                                              "backports for it); bisect between mainline points such as v6.14)"]),
    (["start", "v6.18", "deadbeef12"], 128, [], ["fatal: 'deadbeef12' does not appear to be a valid revision "
                                                 "(deadbeef12 is not a modelled commit (modelled ones include "
                                                 "0aaa29a56e4f, 0b24becc810d, 10cef6029502, ...; see `linuxmm log "
                                                 "--oneline`))"]),
    (["start", "v2.6.27", "v2.6.28"], 1, [], ["Some good revs are not ancestors of the bad rev.",
                                              "linuxmm bisect cannot work properly in this case.",
                                              "Maybe you mistook good and bad revs?"]),
    (["start", "v2.6.28", "2.6.28"], 1, ["v2.6.28 was both good and bad"], []),
    (["start", "--term-old", "x", "--term-new", "x"], 1, [], ["error: please use two different terms"]),
    (["start", "--term-old", "skip", "--term-new", "y"], 1, [], ["error: can't use the builtin command 'skip' as a term"]),
    (["start", "--term-old", "bad", "--term-new", "y"], 1, [], ["error: can't change the meaning of the term 'bad'"]),
    (["start", "--term-old", "a b", "--term-new", "y"], 1, [], ["error: 'a b' is not a valid term"]),
    (["start", "--frob"], 1, [], ["error: unrecognized option: '--frob'"]),
    (["frob"], 129, [], ["error: unknown subcommand: `frob'", lb.USAGE]),
    ([], 1, [], [lb.USAGE]),
    (["run"], 1, [], ["error: You need to start by \"linuxmm bisect start\".",
                      "You then need to give me at least one good|old and bad|new revision.",
                      "You can use \"linuxmm bisect good|old\" and \"linuxmm bisect bad|new\" for that."]),
    (["run", "--good", "v6.1", "--bad", "v6.2"], 1, [], ["error: bisect run failed: no command provided."]),
    (["run", "--good", "v6.1", "--", "true"], 129, [],
     ["error: 'linuxmm bisect run' needs --bad (or --new) with --good (or --old)"]),
    (["terms"], 1, [], ["error: no terms defined"]),
])
def test_bad_input(capsys, argv, status, out, err):
    assert bisect(capsys, *argv) == (status, out, err)


def test_bad_input_during_a_session(capsys):
    bisect(capsys, "start", "v6.16", "v6.12")
    assert bisect(capsys, "bad", "v6.14", "v6.13") == (1, [], ["error: 'linuxmm bisect bad' can take only one argument."])
    assert bisect(capsys, "good", "v6.13", "nope") == (1, [], [
        "error: Bad rev input: nope: 'nope' is not a kernel version; expected a release such as 0.01, 2.6.28, "
        "6.15-rc6 or 6.12.5, a commit sha prefix (>= 7 hex digits), or 'latest' (see `linuxmm versions`)"])
    assert "# good: [v6.13] Linux 6.13" not in bisect(capsys, "log")[1]  # nothing was marked
    assert bisect(capsys, "new") == (1, [], ["error: Invalid command: you're currently in a bad/good bisect"])
    assert bisect(capsys, "good", "v6.16") == (1, ["v6.16 was both good and bad"], [])
    assert bisect(capsys, "good", "v6.18") == (1, [], ["Some good revs are not ancestors of the bad rev.",
                                                      "linuxmm bisect cannot work properly in this case.",
                                                      "Maybe you mistook good and bad revs?"])
    status, out, err = bisect(capsys, "run")
    assert (status, err) == (1, ["error: bisect run failed: no command provided."])


def test_kernel_options_are_refused(capsys):
    status = main(["--mem", "1G", "bisect", "log"])
    _, err = capsys.readouterr()
    assert status == 2
    assert err == ("linuxmm: error: bisect takes no kernel options (it sets LINUXMM_KERNEL_VERSION for the "
                   "command it runs): drop --mem\n")


def test_git_version_pin_is_stated():
    assert lb.GIT_VERSION == "2.39.5" and "2.39.5" in lb.__doc__


def test_every_point_boots(monkeypatch):
    """A bisection may land on any modelled commit, not only on releases: each one boots and allocates."""
    from linuxmm.errors import LinuxmmError
    from linuxmm.host import get_host

    monkeypatch.setattr(get_host(), "history", LIVE)  # the whole history, not the frozen one

    failures = []
    for label in [lb.Line(LIVE).info[i].label for i in range(len(LIVE.points))]:
        try:
            k = linuxmm.boot(label, mem="64M" if label != "v0.01" else None)
            if k.has("v2.6.0"):
                k.free_pages(k.alloc_pages(linuxmm.GFP_KERNEL, 0), 0)
        except (LinuxmmError, Exception) as exc:  # noqa: BLE001 - any failure is what this test looks for
            failures.append(f"{label}: {type(exc).__name__}: {exc}")
    assert failures == []


def test_a_release_without_a_point_is_the_point_before_it(capsys):
    """v6.15-rc7 is a real release the model has no point for: its state is v6.15-rc6's, as for --kernel-version."""
    status, out, _ = bisect(capsys, "start", "v6.15-rc7", "v6.14")
    assert status == 0
    log = bisect(capsys, "log")[1]
    assert log[:3] == ["# bad: [v6.15-rc6] Linux 6.15-rc6", "# good: [v6.14] Linux 6.14",
                       "linuxmm bisect start 'v6.15-rc7' 'v6.14'"]


def test_a_range_of_one_needs_no_run(capsys, tmp_path):
    """Good right before bad: the answer is known at start, and the command never runs."""
    status, out, err = bisect(capsys, "run", "--good", "v4.4-rc1", "--bad", "v4.4", "--", "sh", "-c", "touch ran")
    assert (status, err) == (0, [])
    assert out[0] == "v4.4 is the first bad commit" and not (tmp_path / "ran").exists()
    assert bisect(capsys, "log")[1][-1] == "# first bad commit: [v4.4] Linux 4.4"


def test_skip_a_range_next_and_view(capsys):
    bisect(capsys, "start", "v4.4", "v4.3")
    # A..B is what `git rev-list A..B` lists: after A, up to B, newest first
    status, out, _ = bisect(capsys, "skip", "0aaa29a56e4f..v4.4")
    assert status == 0
    log = bisect(capsys, "log")[1]
    assert log[-4:] == ["# skip: [v4.4] Linux 4.4", "linuxmm bisect skip v4.4",
                        "# skip: [v4.4-rc1] Linux 4.4-rc1", "linuxmm bisect skip v4.4-rc1"]
    assert out == ["Bisecting: 1 revision left to test after this (roughly 1 step)",
                   "[0aaa29a56e4f] mm, page_alloc: reserve pageblocks for high-order atomic allocations on demand"]
    assert bisect(capsys, "next") == (0, out, [])
    assert bisect(capsys, "view", "--oneline")[1] == [
        "v4.4 Linux 4.4", "v4.4-rc1 Linux 4.4-rc1",
        "0aaa29a56e4f mm, page_alloc: reserve pageblocks for high-order atomic allocations on demand"]
    assert bisect(capsys, "view", "--stat") == (1, [], ["error: unknown option for visualize: '--stat' (only --oneline)"])
    assert bisect(capsys, "terms", "--foo") == (1, [], [
        "error: invalid argument --foo for 'linuxmm bisect terms'.",
        "Supported options are: --term-good|--term-old and --term-bad|--term-new."])


def test_next_with_only_a_bad_revision_bisects_from_the_start(capsys):
    bisect(capsys, "start")
    assert bisect(capsys, "next") == (1, [], [
        "error: You need to give me at least one bad|new and good|old revision.",
        'You can use "linuxmm bisect bad|new" and "linuxmm bisect good|old" for that.'])
    bisect(capsys, "bad", "v2.6.28")
    status, out, err = bisect(capsys, "next")
    assert status == 0 and err == ["warning: bisecting only with a bad commit"]
    n = LABELS.index("v2.6.28") + 1  # every point up to the bad one
    assert out[0].startswith("Releases before v2.6.12-rc2 predate git")
    assert out[1] == (f"Bisecting: {n - n // 2 - 1} revisions left to test after this "
                      f"(roughly {lb.estimate_bisect_steps(n)} steps)")
    assert out[2] == f"[{LABELS[n // 2 - 1]}] Linux {LABELS[n // 2 - 1][1:]}"


# -- config-bisect ------------------------------------------------------------------------------------
@pytest.fixture
def live(monkeypatch):
    """config-bisect boots kernels: the whole history, not the frozen one."""
    from linuxmm.host import get_host

    monkeypatch.setattr(get_host(), "history", LIVE)


def config_bisect(capsys, *argv):
    capsys.readouterr()
    status = main(["config-bisect", *argv])
    out, err = capsys.readouterr()
    return status, out.splitlines(), err.splitlines()


def test_config_bisect_finds_the_setting(capsys, tmp_path, live):
    t = tmp_path / "t.sh"
    t.write_text('echo "$LINUXMM_KERNEL_VERSION|$LINUXMM_CONFIG|$LINUXMM_CMDLINE" >> seen\n'
                 'case " $LINUXMM_CMDLINE " in *" init_on_free=1 "*) exit 1;; esac\n')
    status, out, err = config_bisect(capsys, "--kernel-version", "6.12", "--good", "quiet",
                                     "--bad", "quiet KASAN=y init_on_free=1 loglevel=7", "--", "sh", str(t))
    assert (status, err) == (0, [])
    assert out == [
        "Bisecting: 0 settings left to test after this (roughly 1 step)",
        "[init_on_free=1] quiet KASAN=y init_on_free=1",
        f"running  'sh' '{t}'",
        "Bisecting: 0 settings left to test after this (roughly 0 steps)",
        "[KASAN=y] quiet KASAN=y",
        f"running  'sh' '{t}'",
        "init_on_free=1 is the first bad setting",
        "setting init_on_free=1",
        "",
        "    on top of: quiet KASAN=y",
        "bisect found first bad setting",
    ]
    assert (tmp_path / "seen").read_text().splitlines() == ["6.12|KASAN=y|quiet init_on_free=1", "6.12|KASAN=y|quiet"]
    assert not (tmp_path / ".linuxmm-bisect.json").exists()  # a settings bisection keeps no state


@pytest.mark.parametrize("argv, status, err", [
    (["--bad", "quiet", "--good", "quiet", "--", "true"], 1,
     ["error: the good and the bad settings are the same: nothing to bisect"]),
    (["--bad", "KASAN=y", "--good", "quiet", "--", "true"], 1,
     ["error: 'quiet' is in the good settings but not in the bad ones: the bad settings are applied on top of the "
      "good ones, so repeat it there (or drop it)"]),
    (["--bad", "KASAN", "--", "true"], 1, ["error: 'KASAN': a config symbol needs a value, as in KASAN=y"]),
    (["--kernel-version", "3.19", "--bad", "KASAN=y", "--", "true"], 1,
     ['error: the bad settings do not boot 3.19: CONFIG_KASAN is not in v3.19: it appeared in v4.0-rc1 '
      '(0b24becc810d "kasan: add kernel address sanitizer infrastructure")']),
    (["--bad", "KASAN=y"], 1, ["error: bisect run failed: no command provided."]),
    (["--kernel-version", "9.99", "--bad", "KASAN=y", "--", "true"], 2,
     ["linuxmm: error: 9.99 is newer than the newest modelled release (v6.18); nearest: v6.16, v6.17, v6.18"]),
    (["--bad", "x=1", "--term-old", "a", "--", "true"], 2,
     ["linuxmm: error: config-bisect: give both --term-old and --term-new, or neither"]),
])
def test_config_bisect_bad_input(capsys, live, argv, status, err):
    assert config_bisect(capsys, *argv) == (status, [], err)
