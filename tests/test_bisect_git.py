"""`linuxmm bisect` against a real `git bisect` on a repository that mirrors the modelled history.

The mirror has one commit per point of `History.points` (every modelled commit and every
release tag), oldest first, each recording the point it stands for in its author e-mail
(``<label>@linuxmm``).  Object names are ground to grow with age, so git's tie-break between
equally good midpoints (by object name, which matters once a point is skipped) is the model's
(the older point).  The same test script, driven by a table of exit statuses per point, runs
under `git bisect run` and `linuxmm bisect run`; both must name the same point after the same
steps.  With git 2.39.5 (the version the output is pinned to) every output line must match
too, shas replaced by the labels they stand for.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest

import linuxmm
from linuxmm import bisect as lb

GIT = shutil.which("git")
pytestmark = pytest.mark.skipif(GIT is None, reason="git is not installed")

HISTORY = linuxmm.history()
LINE = lb.Line(HISTORY)
LABELS = [i.label for i in LINE.info]


def git_version() -> str:
    out = subprocess.run([GIT, "--version"], capture_output=True, text=True).stdout
    return out.split()[-1]


EXACT = GIT is not None and git_version() == lb.GIT_VERSION


def _write_object(gitdir: Path, kind: str, body: bytes) -> str:
    data = f"{kind} {len(body)}\0".encode() + body
    sha = hashlib.sha1(data).hexdigest()
    path = gitdir / "objects" / sha[:2] / sha[2:]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(zlib.compress(data))
    return sha


def _message(index: int) -> str:
    """The commit message: the body of the point's details as linuxmm shows them."""
    details = LINE.details(index)
    body = details[details.index("") + 1:]
    return "\n".join(line[4:] if line.startswith("    ") else line for line in body) + "\n"


def build_mirror(path: Path) -> dict[str, str]:
    """A git repository with one commit per point (its file POINT holds the label); label -> full sha."""
    subprocess.run([GIT, "init", "-q", "-b", "main", str(path)], check=True)
    gitdir = path / ".git"
    n = len(LABELS)
    parent = None
    shas: dict[str, str] = {}
    for i, info in enumerate(LINE.info):
        point = HISTORY.points[i]
        author = point.commit.author if point.commit else "Linus Torvalds"
        lo, hi = (i << 16) // n, ((i + 1) << 16) // n  # object names grow with age
        when = 1_000_000_000 + i * 100_000
        blob = _write_object(gitdir, "blob", f"{info.label}\n".encode())
        tree = _write_object(gitdir, "tree", b"100644 POINT\0" + bytes.fromhex(blob))
        head = f"tree {tree}\n" + (f"parent {parent}\n" if parent else "")
        msg = _message(i)
        for nonce in range(1_000_000):
            body = (head + f"author {author} <{info.label}@linuxmm> {when} +0000\n"
                    f"committer linuxmm <mirror@linuxmm> {when + nonce} +0000\n\n{msg}").encode()
            data = f"commit {len(body)}\0".encode() + body
            sha = hashlib.sha1(data).hexdigest()
            if lo <= int(sha[:4], 16) < hi:
                break
        parent = _write_object(gitdir, "commit", body)
        assert parent == sha
        shas[info.label] = sha
    (gitdir / "refs" / "heads" / "main").write_text(parent + "\n")
    return shas


@pytest.fixture(scope="module")
def mirror(tmp_path_factory):
    path = tmp_path_factory.mktemp("mirror") / "linux"
    shas = build_mirror(path)
    ordered = [shas[label] for label in LABELS]
    assert ordered == sorted(ordered), "object names must grow with age"
    return path, shas


SCRIPT = """\
v=${LINUXMM_KERNEL_VERSION:-$(git log -1 --format=%ae | sed 's/@linuxmm$//')}
code=$(sed -n "s/^$v //p" "$(dirname "$0")/table")
exit ${code:-0}
"""


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "LINUXMM_"))}
    env.update(HOME=str(home), GIT_CONFIG_NOSYSTEM="1", LC_ALL="C", LANG="C")
    return env


def run_git(repo: Path, workdir: Path, start: list[str], script: Path) -> tuple[int, list[str]]:
    env = _env(workdir)
    subprocess.run([GIT, "bisect", "reset"], cwd=repo, env=env, capture_output=True)
    first = subprocess.run([GIT, "bisect", "start", *start], cwd=repo, env=env, capture_output=True, text=True)
    if first.returncode:
        return first.returncode, first.stdout.splitlines()
    run = subprocess.run([GIT, "bisect", "run", "sh", str(script)], cwd=repo, env=env,
                         capture_output=True, text=True)
    subprocess.run([GIT, "bisect", "reset"], cwd=repo, env=env, capture_output=True)
    return run.returncode, (first.stdout + run.stdout).splitlines()


def run_linuxmm(workdir: Path, start: list[str], script: Path, capsys=None) -> tuple[int, list[str]]:
    """``linuxmm bisect run`` in a subprocess, or in this process when ``capsys`` is given (faster)."""
    argv = ["bisect", "run", *run_options(start), "--", "sh", str(script)]
    if capsys is not None:
        from linuxmm.cli import main

        capsys.readouterr()
        status = main(argv)
        return status, capsys.readouterr().out.splitlines()
    env = _env(workdir)
    env[lb.STATE_ENV] = str(workdir / "state.json")
    import sys

    proc = subprocess.run([sys.executable, "-m", "linuxmm.cli", *argv], cwd=workdir, env=env,
                          capture_output=True, text=True)
    return proc.returncode, proc.stdout.splitlines()


def run_options(start: list[str]) -> list[str]:
    """``git bisect start`` arguments (terms, then bad, then goods) as ``linuxmm bisect run`` options."""
    opts, revs, it = [], [], iter(start)
    for arg in it:
        if arg in ("--term-old", "--term-new"):
            opts += [arg, next(it)]
        elif arg.startswith("--term-"):
            opts.append(arg)
        else:
            revs.append(arg)
    return opts + ["--bad", revs[0]] + [x for g in revs[1:] for x in ("--good", g)]


def normalise_git(lines: list[str], shas: dict[str, str]) -> list[str]:
    by_sha = {sha: label for label, sha in shas.items()}
    text = "\n".join(lines)
    text = re.sub(r"[0-9a-f]{40}", lambda m: by_sha.get(m.group(0), m.group(0)), text)
    stat = re.compile(r"^ (POINT \| |1 file changed|create mode )")
    lines = text.splitlines()
    lines = [ln for i, ln in enumerate(lines) if not stat.match(ln)
             and not (ln == "" and i + 1 < len(lines) and stat.match(lines[i + 1]))]
    return _drop_headers(lines)


def _drop_headers(lines: list[str]) -> list[str]:
    """Drop the header of the first bad point's details (commit/tag, Author, Date): they differ by nature."""
    out, skipping = [], False
    for line in lines:
        if re.match(r"^(commit|tag) \S+$", line):
            skipping = True
            continue
        if skipping:
            if line == "":
                skipping = False
            continue
        out.append(line)
    return out


def normalise_linuxmm(lines: list[str]) -> list[str]:
    lines = [ln for ln in lines if not ln.startswith("Releases before v2.6.12-rc2 predate git")]
    lines = [ln.replace(" release", " commit").replace("'skip'ped releases", "'skip'ped commits")
             for ln in lines]
    return _drop_headers(lines)


def table_for(codes: dict[str, int]) -> str:
    return "".join(f"{label} {code}\n" for label, code in codes.items())


def _after(label: str) -> list[str]:
    return LABELS[LABELS.index(label):]


def _between(a: str, b: str) -> list[str]:
    return LABELS[LABELS.index(a): LABELS.index(b) + 1]


# (name, start arguments (bad first), {label: exit status}) -- every unlisted point exits 0
CASES = [
    ("cause-commit", ["v6.18", "v0.01"], {x: 1 for x in _after("5f8dcc21211a")}),
    ("cause-tag", ["v6.18", "v2.6.0"], {x: 1 for x in _after("v3.8")}),
    ("cause-pre-git-release", ["v2.6.28", "v0.01"], {x: 1 for x in _after("v2.2.0")}),
    ("cause-is-bad", ["v4.4", "v4.3"], {"v4.4": 1}),
    ("cause-next-to-good", ["v6.18", "v6.12"], {x: 1 for x in _after("3ddc2fefe6f3")}),
    ("cause-small-range", ["v6.15", "v6.14"], {x: 1 for x in _after("70d1eb031a68")}),
    ("fix-with-terms", ["--term-old", "broken", "--term-new", "fixed", "v6.15", "v6.14"],
     {x: 1 for x in _after("f7a35a3c36d1")}),
    ("old-new", ["--term-new=new", "--term-old=old", "v6.18", "v4.0"], {x: 1 for x in _after("0aaa29a56e4f")}),
    ("fix-with-terms-and-skips", ["--term-old", "broken", "--term-new", "fixed", "v6.18", "v5.0"],
     {**{x: 1 for x in _after("v6.2")}, **{x: 125 for x in _between("v5.10", "v5.19")}}),
    ("skip-some", ["v6.18", "v2.6.0"],
     {**{x: 1 for x in _after("6dda9d55bf54")}, **{x: 125 for x in _between("v2.6.30", "v2.6.33")}}),
    ("skip-after-culprit", ["v6.18", "v2.6.0"],
     {**{x: 1 for x in _after("v4.4")}, **{x: 125 for x in _between("v4.5", "v4.9")}}),
    ("skip-around-culprit", ["v6.18", "v2.6.0"],
     {**{x: 1 for x in _after("v4.4")}, **{x: 125 for x in _between("v4.1", "v4.6")}}),
    ("skip-only-left", ["v6.18", "v4.0"],
     {**{x: 1 for x in _after("v4.12")}, **{x: 125 for x in _between("v4.10", "v4.14")}}),
    ("skip-pre-git", ["v2.6.20", "v0.01"],
     {**{x: 1 for x in _after("v2.0")}, **{x: 125 for x in _between("v1.2.0", "v2.4.0")}}),
    ("abort-200", ["v6.18", "v2.6.0"], {x: 200 for x in _after("v4.4")}),
    ("code-127-then-good-verified", ["v6.18", "v2.6.0"], {**{x: 127 for x in _after("v4.4")}}),
    ("code-126-on-good-too", ["v6.18", "v2.6.0"], {**{x: 126 for x in LABELS}}),
    ("code-3-is-bad", ["v6.18", "v2.6.0"], {x: 3 for x in _after("v5.10")}),
]


def _culprit(lines: list[str]) -> str | None:
    for line in lines:
        m = re.match(r"^(\S+) is the first \S+ (commit|release)$", line)
        if m:
            return m.group(1)
    return None


def _steps(lines: list[str]) -> int:
    return sum(1 for line in lines if line.startswith("running "))


@pytest.mark.parametrize("name, start, codes", CASES, ids=[c[0] for c in CASES])
def test_same_result_as_git_bisect_run(mirror, tmp_path, monkeypatch, capsys, name, start, codes):
    repo, shas = mirror
    script = tmp_path / "test.sh"
    script.write_text(SCRIPT)
    table = tmp_path / "table"
    git_codes = {shas[label]: code for label, code in codes.items()}
    table.write_text(table_for(codes) + table_for(git_codes))
    git_start = [shas.get(a, a) if a in shas else a for a in start]
    git_status, git_lines = run_git(repo, tmp_path, git_start, script)
    git_lines = [ln.replace(str(script), "SCRIPT") for ln in git_lines]
    monkeypatch.delenv("LINUXMM_KERNEL_VERSION", raising=False)
    monkeypatch.setenv(lb.STATE_ENV, str(tmp_path / "state.json"))
    in_process = capsys if name != "cause-commit" else None  # one case through the installed command
    our_status, our_lines = run_linuxmm(tmp_path, start, script, in_process)
    our_lines = [ln.replace(str(script), "SCRIPT") for ln in our_lines]
    ours = normalise_linuxmm(our_lines)
    theirs = normalise_git(git_lines, shas)
    assert our_status == git_status
    assert _culprit(ours) == _culprit(theirs)
    assert _steps(ours) == _steps(theirs)
    if EXACT:
        assert ours == theirs


def test_cases_cover_every_ending(mirror):
    """The table is not vacuous: it reaches a commit, a tag, a pre-git release, skips and aborts."""
    culprits = {"cause-commit": "5f8dcc21211a", "cause-tag": "v3.8", "cause-pre-git-release": "v2.2.0",
                "fix-with-terms": "f7a35a3c36d1", "skip-some": "6dda9d55bf54"}
    for name, start, codes in CASES:
        if name in culprits:
            res = simulate(start, codes)
            assert res[0] == culprits[name], name


def simulate(start: list[str], codes: dict[str, int]) -> tuple[str | None, int, int]:
    """Run linuxmm's bisection in-process with a table instead of a shell: (culprit, runs, status)."""
    seen = []

    def runner(cmd, version):
        seen.append(version)
        return codes.get(version, 0)

    out: list[str] = []
    b = lb.Bisect(history=HISTORY, state_path=os.devnull + "-unused", out=out.append, err=out.append,
                  runner=runner)
    b.save = lambda: None  # type: ignore[method-assign]
    res = b.cmd_start(start)
    if res == lb.BISECT_OK:
        res = b.cmd_run(["true"])
    return _culprit(out), len(seen), lb.exit_status(res)


def test_git_version_is_the_pinned_one():
    """The exact-line comparisons above need git 2.39.5; a different git still checks culprit and steps."""
    if not EXACT:
        pytest.skip(f"exact output is pinned to git {lb.GIT_VERSION}; found git {git_version()}")
    assert git_version() == "2.39.5"


# -- interactive sessions and bad input, command by command -----------------------------------------------
def _git_lines(text: str, shas: dict[str, str]) -> list[str]:
    by_sha = {sha: label for label, sha in shas.items()}
    text = re.sub(r"[0-9a-f]{40}", lambda m: by_sha.get(m.group(0), m.group(0)), text)
    return [ln.replace("git bisect", "linuxmm bisect") for ln in text.splitlines()
            if not ln.startswith(("Previous HEAD position", "Switched to branch", "HEAD is now at", "Already on"))]


SESSIONS = [
    ("interactive", [["start"], ["bad", "v6.18"], ["good", "v2.6.30"], ["good"], ["skip"], ["bad"], ["good"],
                     ["skip", "v5.4..v5.6"], ["bad"], ["log"]]),
    ("terms", [["start", "--term-old", "broken", "--term-new", "fixed"], ["broken", "v4.0"], ["fixed", "v4.4"],
               ["fixed"], ["broken"], ["bad"], ["terms"], ["log"]]),
    ("old-new-by-first-word", [["start"], ["new", "v6.18"], ["old", "v6.12"], ["old"], ["new"], ["log"]]),
    ("good-newer-than-bad", [["start", "v2.6.27", "v2.6.28"]]),
    ("same-point", [["start", "v2.6.28", "v2.6.28"]]),
    ("next-to-each-other", [["start", "v4.4", "v4.4-rc1"], ["log"]]),
    ("bad-takes-one", [["start", "v6.18", "v6.12"], ["bad", "v6.14", "v6.13"], ["new"], ["log"]]),
    ("only-skips-left", [["start", "v4.4", "v4.0"], ["skip", "v4.0..v4.3"], ["skip"], ["skip"], ["skip"],
                         ["skip"], ["bad"], ["log"]]),
]


@pytest.mark.parametrize("name, commands", SESSIONS, ids=[s[0] for s in SESSIONS])
def test_session_matches_git_command_by_command(mirror, tmp_path, monkeypatch, capsys, name, commands):
    from linuxmm.cli import main

    repo, shas = mirror
    env = _env(tmp_path)
    subprocess.run([GIT, "bisect", "reset"], cwd=repo, env=env, capture_output=True)
    monkeypatch.setenv(lb.STATE_ENV, str(tmp_path / "state.json"))
    monkeypatch.delenv("LINUXMM_KERNEL_VERSION", raising=False)
    try:
        for argv in commands:
            git_argv = [shas.get(a, a) if ".." not in a else "..".join(shas[x] for x in a.split(".."))
                        for a in argv]
            g = subprocess.run([GIT, "bisect", *git_argv], cwd=repo, env=env, capture_output=True, text=True)
            capsys.readouterr()
            status = main(["bisect", *argv])
            out, err = capsys.readouterr()
            ours = normalise_linuxmm(out.splitlines()), err.splitlines()
            theirs = normalise_git(_git_lines(g.stdout, shas), shas), _git_lines(g.stderr, shas)
            assert status == g.returncode, (argv, g.stderr)
            assert ours[0] == theirs[0], argv
            if EXACT:
                assert ours[1] == [ln for ln in theirs[1] if not ln.startswith(("warning: ", "Note:"))], argv
    finally:
        subprocess.run([GIT, "bisect", "reset"], cwd=repo, env=env, capture_output=True)
