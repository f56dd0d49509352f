"""``linuxmm bisect``: ``git bisect`` over the modelled history.

The candidates are the points of :attr:`linuxmm.history.History.points`, oldest
first: every modelled commit, and every release tag as a point of its own (a
tag stands for the release commit and for the commits between it and the
point before it that the model does not list one by one).  Before v2.6.12-rc2
there is no git history and the points are releases only, so a bisection there
tests releases and names the first bad *release*; that is said once per
session.

Everything else follows git 2.39.5 (``builtin/bisect--helper.c``, ``bisect.c``
and ``git-bisect.sh`` of that release; the tests compare against that binary):

* the same subcommands (``start``, ``bad``/``good``, ``new``/``old`` or custom
  terms, ``skip``, ``next``, ``run``, ``log``, ``replay``, ``reset``,
  ``terms``, ``visualize``/``view``), the same output lines on the same
  streams, the same log format and the same exit statuses;
* the same choice of the point to test.  Without skipped points git takes, on
  a linear history, the oldest point whose weight (the number of candidates
  at or before it) is within one of half of them, and reports
  ``all - weight - 1`` revisions left and :func:`estimate_bisect_steps`
  steps.  Once any point is skipped, git sorts every candidate by distance
  from the ends (``min(weight, all - weight)``, largest first) and, when the
  best is skipped, jumps to a pseudo-random other one (:func:`skip_away`).
  Git breaks ties between equal distances by object name; a release has no
  object name here, so ties go to the older point, which is what git does in
  a repository whose object names grow with age (the test suite builds one and
  compares).
* ``run`` runs its command through ``/bin/sh`` as git does (the arguments
  quoted with git's ``sq_quote_argv``, so 126 and 127 mean what the shell
  means), with ``LINUXMM_KERNEL_VERSION`` set to the point under test (a sha
  or a tag), which the CLI and the pytest plugin honour.  Exit status 0 marks
  the point good (old), 125 skips it, 1-127 mark it bad (new), and anything
  below 0 or from 128 aborts.  The first time the command returns 126 or 127,
  git runs it again on a good point and gives up if that fails too (in 2.39.5
  this is the first 126/127, not necessarily the first run).

Where git's behaviour is an accident of its own plumbing, this module says so
and does the useful thing: git 2.39.5 prints ``bisect found first bad
commit`` without a final newline (this module ends the line); ``run``,
``next`` and ``visualize`` without a good and a bad revision fail silently in
git (this module prints git's own "You need to give me at least one ..."
message, with git's exit status 1); ``start`` takes no pathspecs (the model
has no files), so a word that is not a revision is an error.

The state lives in one JSON file (``.linuxmm-bisect.json`` in the current
directory, or ``$LINUXMM_BISECT_STATE``, or ``--state FILE``); every command
reads and rewrites it, so a bisection can be resumed from another shell, and
``log``/``replay`` work as in git.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import struct
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

#: The git release whose output this module reproduces (and the tests compare against).
GIT_VERSION = "2.39.5"
#: git's SHELL_PATH on Linux.
SHELL_PATH = "/bin/sh"
#: Where git history begins; points before it are releases without commits.
FIRST_GIT_TAG = "v2.6.12-rc2"
#: Environment variable naming the state file.
STATE_ENV = "LINUXMM_BISECT_STATE"
DEFAULT_STATE = ".linuxmm-bisect.json"
ENV_VERSION = "LINUXMM_KERNEL_VERSION"
#: Set for the command ``run`` runs: the pytest plugin then turns "every test skipped for this version" into 125.
RUN_ENV = "LINUXMM_BISECT_RUN"

# enum bisect_error (bisect.h, git 2.39)
BISECT_OK = 0
BISECT_FAILED = -1
BISECT_ONLY_SKIPPED_LEFT = -2
BISECT_MERGE_BASE_CHECK = -3
BISECT_NO_TESTABLE_COMMIT = -4
BISECT_INTERNAL_SUCCESS_1ST_BAD_FOUND = -10
BISECT_INTERNAL_SUCCESS_MERGE_BASE = -11

PRN_MODULO = 32768
BUILTIN_WORDS = ("help", "start", "skip", "next", "reset", "visualize", "view", "replay", "log", "run", "terms")
USAGE = "usage: linuxmm bisect [help|start|bad|good|new|old|terms|skip|next|reset|visualize|view|replay|log|run]"
LONG_USAGE = """\
linuxmm bisect [--state FILE] <subcommand> ...

linuxmm bisect start [--term-{new,bad}=<term> --term-{old,good}=<term>] [<bad> [<good>...]]
\treset bisect state and start bisection.
linuxmm bisect (bad|new|<term-new>) [<rev>]
\tmark <rev> a known-bad revision / a revision after change in a given property.
linuxmm bisect (good|old|<term-old>) [<rev>...]
\tmark <rev>... known-good revisions / revisions before change in a given property.
linuxmm bisect terms [--term-good | --term-bad]
\tshow the terms used for old and new commits (default: bad, good)
linuxmm bisect skip [(<rev>|<range>)...]
\tmark <rev>... untestable revisions.
linuxmm bisect next
\tfind next bisection to test.
linuxmm bisect reset
\tfinish bisection search (removes the state file).
linuxmm bisect (visualize|view) [--oneline]
\tshow the revisions left to test.
linuxmm bisect replay <logfile>
\treplay bisection log.
linuxmm bisect log
\tshow bisect log.
linuxmm bisect run [--good REV]... [--bad REV] [--old REV]... [--new REV]
                   [--term-old TERM --term-new TERM] [--] <cmd>...
\tuse <cmd>... to automatically bisect (with --good/--bad: start first).

Revisions are release tags (v6.14, 2.6.28, v6.15-rc6) and sha prefixes of modelled
commits (see `linuxmm log --oneline`).  <cmd> runs through a shell (/bin/sh -c), as
git bisect run runs its command, with LINUXMM_KERNEL_VERSION set to the revision
under test; exit 0 means good (old), 125 skip, 1-127 bad (new); below 0 or from 128
aborts, as with git bisect run.  The state is kept in .linuxmm-bisect.json in the
current directory (--state FILE or $LINUXMM_BISECT_STATE elsewhere)."""

NEED_START = ('You need to start by "linuxmm bisect start".\n'
              'You then need to give me at least one {good} and {bad} revision.\n'
              'You can use "linuxmm bisect {good}" and "linuxmm bisect {bad}" for that.')
NEED_GOOD_BAD = ('You need to give me at least one {bad} and {good} revision.\n'
                 'You can use "linuxmm bisect {bad}" and "linuxmm bisect {good}" for that.')


# -- git's arithmetic ------------------------------------------------------------
def estimate_bisect_steps(all: int) -> int:
    """git's ``estimate_bisect_steps()``: about log2 of what is left after this step."""
    if all < 3:
        return 0
    n = all.bit_length() - 1
    e = 1 << n
    x = all - e
    return n if e < 3 * x else n - 1


def get_prn(count: int) -> int:
    """git's pseudo-random number for ``skip_away()`` (``man 3 rand``'s generator, seeded by ``count``)."""
    count = (count * 1103515245 + 12345) & 0xFFFFFFFF
    return (count // 65536) % PRN_MODULO


def _f32(x: float) -> float:
    return struct.unpack("f", struct.pack("f", x))[0]


def sqrti(val: int) -> int:
    """git's ``sqrti()``: Newton's method in single-precision floats, truncated."""
    if not val:
        return 0
    x = _f32(float(val))
    v = _f32(float(val))
    while True:
        y = _f32(_f32(x + _f32(v / x)) / 2)
        d = _f32(y - x) if y > x else _f32(x - y)
        x = y
        if not d >= 0.5:
            break
    return int(x)


def skip_away(filtered: list[int], count: int, bad: int) -> int | None:
    """git's ``skip_away()``: a candidate some way into the list, never the bad one if avoidable."""
    prn = get_prn(count)
    index = (count * prn // PRN_MODULO) * sqrti(prn) // sqrti(PRN_MODULO)
    previous = None
    for i, cur in enumerate(filtered):
        if i == index:
            if cur != bad:
                return cur
            if previous is not None:
                return previous
            return filtered[0]
        previous = cur
    return filtered[0] if filtered else None


@dataclass
class Choice:
    """What ``bisect_next_all()`` found: the point to test (or None), ``all``, ``reaches`` and
    the skipped candidates git calls ``tried`` (non-empty only when the best one was skipped)."""

    point: int | None
    all: int
    reaches: int
    tried: list[int] = field(default_factory=list)


def find_bisection(candidates: Sequence[int], skipped: set[int], skip_mode: bool, bad: int) -> Choice:
    """git's ``find_bisection()`` and ``managed_skipped()`` on a linear history.

    ``candidates`` are the points after the newest good one up to the bad
    one, oldest first, so a candidate's weight is its 1-based position.
    ``skip_mode`` is true when any point at all is marked skip (git then
    sorts every candidate, ``FIND_BISECTION_ALL``).
    """
    n = len(candidates)
    if n == 0:
        return Choice(None, 0, 0)
    if not skip_mode:
        best = None
        for w in range(2, n + 1):  # the first one (weight 1) is never checked for halfway
            if -1 <= 2 * w - n <= 1:
                best = w
                break
        if best is None:  # best_bisection(): the first largest distance
            best_distance = -1
            for w in range(1, n + 1):
                distance = min(w, n - w)
                if distance > best_distance:
                    best, best_distance = w, distance
        return Choice(candidates[best - 1], n, best)
    order = sorted(range(1, n + 1), key=lambda w: (-min(w, n - w), w))
    ranked = [candidates[w - 1] for w in order]
    reaches = order[0]
    if ranked[0] not in skipped:
        return Choice(ranked[0], n, reaches)
    tried = [p for p in ranked if p in skipped]
    filtered = [p for p in ranked if p not in skipped]
    return Choice(skip_away(filtered, len(filtered), bad), n, reaches, tried)


# -- quoting -------------------------------------------------------------------------
def sq_quote(arg: str) -> str:
    """git's ``sq_quote_buf()``: single quotes, with ``'`` and ``!`` escaped outside them."""
    out = ["'"]
    for ch in arg:
        if ch in "'!":
            out.append("'\\" + ch + "'")
        else:
            out.append(ch)
    out.append("'")
    return "".join(out)


def sq_quote_argv(argv: Sequence[str]) -> str:
    """git's ``sq_quote_argv()``: each argument quoted and preceded by a space."""
    return "".join(" " + sq_quote(a) for a in argv)


# -- the history as bisection candidates ------------------------------------------------
class BadRev(Exception):
    """A revision that names no point of the modelled history."""


@dataclass(frozen=True)
class PointInfo:
    index: int
    label: str  # 12-hex sha or tag: what LINUXMM_KERNEL_VERSION gets
    subject: str
    pre_git: bool


class Line:
    """The modelled history as a line of candidates, with git-like names for its points."""

    unit = "revision"

    def __init__(self, history: Any):
        from .history import parse_version

        self.history = history
        self.points = history.points
        first_git = parse_version(FIRST_GIT_TAG)
        self.info: list[PointInfo] = []
        for p in self.points:
            if p.commit:
                self.info.append(PointInfo(p.index, p.commit.sha, p.commit.subject, False))
            else:
                tag = p.release.tag
                self.info.append(PointInfo(p.index, tag, f"Linux {tag[1:]}", parse_version(tag) < first_git))
        self.by_label = {i.label: i.index for i in self.info}

    def resolve(self, text: str) -> int:
        """The point a revision names: a tag on the line or a modelled commit's sha prefix.

        A real mainline release the model has no point for (``v6.15-rc7``) names
        the point at or before it, as ``--kernel-version`` does; a stable release
        is refused (it is a base plus backports, not a point on the line).
        """
        from .errors import LinuxmmError
        from .history import _SHA_RE, _VERSION_RE, parse_version, tag_of

        t = text.strip()
        if not t:
            raise BadRev("an empty revision")
        if _SHA_RE.match(t.lower()) and not _VERSION_RE.match(t):
            try:
                return self.history.commit_index(self.history.commit(t.lower()).sha)
            except LinuxmmError as exc:
                raise BadRev(str(exc)) from None
        tag = tag_of(t)
        if tag in self.history.tag_index:
            return self.history.tag_index[tag]
        if tag in self.history.stable:
            rel = self.history.stable[tag]
            base = tag_of(rel.base) if rel.base else "its mainline release"
            raise BadRev(f"{tag} is a stable release ({base} plus backports), not a point on the mainline "
                         f"history; bisect between mainline points")
        try:
            rev = self.history.resolve(t)
        except LinuxmmError as exc:
            raise BadRev(str(exc)) from None
        if rev.stable_tag or parse_version(tag).is_stable:
            raise BadRev(f"{tag} is a stable release, not a point on the mainline history (the model has no "
                         f"backports for it); bisect between mainline points such as {rev.name}")
        # a real release the model has no point for (v6.15-rc7): the model's state there is the point
        # at or before it, as for --kernel-version
        return rev.index

    def noun(self, indexes: Sequence[int]) -> str:
        """"release" when every point named predates git, else "commit"."""
        return "release" if indexes and all(self.info[i].pre_git for i in indexes) else "commit"

    def details(self, index: int) -> list[str]:
        """The point as ``linuxmm log`` shows it (git shows the first bad commit this way)."""
        p = self.points[index]
        if p.commit:
            c = p.commit
            lines = [f"commit {c.sha}", f"Author: {c.author}", f"Date:   {c.date}", "", f"    {c.subject}"]
            if c.fixes:
                lines.append("    ")  # git indents the message's blank lines too
                for sha in c.fixes:
                    try:
                        fixed = self.history.commit(sha)
                        lines.append(f"    Fixes: {sha} (\"{fixed.subject}\")")
                    except Exception:
                        lines.append(f"    Fixes: {sha}")
            return lines
        tag = p.release.tag
        lines = [f"tag {tag}"]
        if p.release.date:
            lines.append(f"Date:   {p.release.date}")
        lines += ["", f"    Linux {tag[1:]}"]
        if index > 0:
            prev = self.info[index - 1].label
            what = "changes" if self.info[index].pre_git else "commits"
            lines += ["    ", f"    The model does not list the {what} between {prev} and {tag} one by one:",
                      "    the change is one of them."]
        return lines


# -- state ------------------------------------------------------------------------------
@dataclass
class State:
    """What git keeps in ``.git/BISECT_*`` and ``refs/bisect/``, as labels."""

    started: bool = False
    terms: tuple[str, str] | None = None  # (bad, good) once BISECT_TERMS is written
    bad: str | None = None
    goods: list[str] = field(default_factory=list)
    skips: list[str] = field(default_factory=list)
    current: str | None = None  # what git would have checked out (HEAD)
    expected: str | None = None  # BISECT_EXPECTED_REV
    noted_pre_git: bool = False
    log: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"format": "linuxmm-bisect 1", "git": GIT_VERSION, "terms": list(self.terms) if self.terms else None,
                "bad": self.bad, "goods": self.goods, "skips": self.skips, "current": self.current,
                "expected": self.expected, "noted_pre_git": self.noted_pre_git, "log": self.log}

    @classmethod
    def from_json(cls, data: dict) -> "State":
        if not isinstance(data, dict) or data.get("format") != "linuxmm-bisect 1":
            raise ValueError("not a linuxmm bisect state file")
        terms = data.get("terms")
        return cls(started=True, terms=tuple(terms) if terms else None, bad=data.get("bad"),
                   goods=list(data.get("goods") or []), skips=list(data.get("skips") or []),
                   current=data.get("current"), expected=data.get("expected"),
                   noted_pre_git=bool(data.get("noted_pre_git")), log=list(data.get("log") or []))


class Fatal(Exception):
    """Stop the command: ``message`` (already formatted) on stderr, exit status ``status``."""

    def __init__(self, message: str, status: int = 1):
        super().__init__(message)
        self.status = status


class Bisect:
    """One ``linuxmm bisect`` invocation working on a state file.

    ``out`` and ``err`` receive whole lines (without newlines).  ``runner``
    runs a shell command line for ``run`` and returns its exit status (the
    default runs ``/bin/sh -c`` with ``LINUXMM_KERNEL_VERSION`` set).
    """

    def __init__(self, history: Any = None, state_path: str | None = None,
                 out: Callable[[str], None] | None = None, err: Callable[[str], None] | None = None,
                 runner: Callable[[str, str], int] | None = None, line: Any = None):
        if line is None:
            if history is None:
                from .host import get_host

                history = get_host().history
            line = Line(history)
        self.line = line
        self.persist = line.unit == "revision"  # a settings bisection lives in memory only
        self.path = state_path or os.environ.get(STATE_ENV) or DEFAULT_STATE
        self.out = out or _stdout
        self.err = err or _stderr
        self.runner = runner or run_shell
        self.state = self._load() if self.persist else State()

    # -- persistence ----------------------------------------------------------------
    def _load(self) -> State:
        try:
            with open(self.path, encoding="utf-8") as f:
                text = f.read()
        except FileNotFoundError:
            return State()
        except OSError as exc:
            raise Fatal(f"fatal: cannot read bisect state '{self.path}': {exc.strerror}", 128) from None
        try:
            state = State.from_json(json.loads(text))
        except (ValueError, TypeError) as exc:
            raise Fatal(f"fatal: '{self.path}' is not a linuxmm bisect state file ({exc}); "
                        f"remove it or run `linuxmm bisect reset`", 128) from None
        for label in [state.bad, state.current, state.expected, *state.goods, *state.skips]:
            if label is not None and label not in self.line.by_label:
                raise Fatal(f"fatal: '{self.path}' names {label}, which is not a point of the modelled history "
                            f"(run `linuxmm bisect reset`)", 128)
        return state

    def save(self) -> None:
        if not self.persist:
            return
        if not self.state.started:
            try:
                os.unlink(self.path)
            except FileNotFoundError:
                pass
            return
        tmp = self.path + ".tmp"
        try:
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump(self.state.to_json(), f, indent=1)
                f.write("\n")
            os.replace(tmp, self.path)
        except OSError as exc:
            raise Fatal(f"fatal: cannot write bisect state '{self.path}': {exc.strerror}", 128) from None

    # -- helpers ----------------------------------------------------------------------
    @property
    def term_bad(self) -> str:
        return self.state.terms[0] if self.state.terms else "bad"

    @property
    def term_good(self) -> str:
        return self.state.terms[1] if self.state.terms else "good"

    def idx(self, label: str) -> int:
        return self.line.by_label[label]

    def label(self, index: int) -> str:
        return self.line.info[index].label

    def subject(self, index: int) -> str:
        return self.line.info[index].subject

    def error(self, message: str) -> int:
        self.err("error: " + message)
        return BISECT_FAILED

    def log_append(self, text: str) -> None:
        self.state.log.append(text)

    def log_printf(self, text: str) -> None:
        """git's ``bisect_log_printf()``: on stdout and, as a comment, in the log."""
        self.out(text)
        self.log_append("# " + text)

    def checkout(self, index: int) -> None:
        """git's ``bisect_checkout()``: the point becomes the one under test."""
        self.state.expected = self.state.current = self.label(index)
        self.out(f"[{self.label(index)}] {self.subject(index)}")

    def write_terms(self, bad: str, good: str) -> int:
        if bad == good:
            return self.error("please use two different terms")
        for term, orig in ((bad, "bad"), (good, "good")):
            if not _valid_ref_component(term):
                return self.error(f"'{term}' is not a valid term")
            if term in BUILTIN_WORDS:
                return self.error(f"can't use the builtin command '{term}' as a term")
            if (orig != "bad" and term in ("bad", "new")) or (orig != "good" and term in ("good", "old")):
                return self.error(f"can't change the meaning of the term '{term}'")
        self.state.terms = (bad, good)
        return BISECT_OK

    def check_and_set_terms(self, cmd: str) -> int:
        if cmd in ("skip", "start", "terms"):
            return BISECT_OK
        if self.state.terms and cmd not in self.state.terms:
            return self.error(f"Invalid command: you're currently in a {self.term_bad}/{self.term_good} bisect")
        if not self.state.terms:
            if cmd in ("bad", "good"):
                return self.write_terms("bad", "good")
            if cmd in ("new", "old"):
                return self.write_terms("new", "old")
        return BISECT_OK

    def resolve(self, text: str) -> int:
        try:
            return self.line.resolve(text)
        except BadRev as exc:
            raise _BadRevInput(text, str(exc)) from None

    # -- git's bisect_write / status / next ---------------------------------------------
    def bisect_write(self, state: str, rev_text: str, index: int, nolog: bool) -> int:
        label = self.label(index)
        if state == self.term_bad:
            self.state.bad = label
        elif state == self.term_good:
            if label not in self.state.goods:
                self.state.goods.append(label)
        elif state == "skip":
            if label not in self.state.skips:
                self.state.skips.append(label)
        else:
            return self.error(f"Bad bisect_write argument: {state}")
        self.log_append(f"# {state}: [{label}] {self.subject(index)}")
        if not nolog:
            self.log_append(f"linuxmm bisect {state} {rev_text}")
        return BISECT_OK

    def next_check(self, current_term: str | None) -> int:
        """git's ``bisect_next_check()``; ``loud`` adds the message git leaves out for run/visualize."""
        missing_bad = self.state.bad is None
        missing_good = not self.state.goods
        if not missing_good and not missing_bad:
            return BISECT_OK
        if current_term is None:
            return BISECT_FAILED
        if missing_good and not missing_bad and current_term == self.term_good:
            self.err(f"warning: bisecting only with a {self.term_bad} commit")
            return BISECT_OK  # git asks "Are you sure [Y/n]?" only on a terminal
        return self.need_revisions()

    def need_revisions(self) -> int:
        vocab = {"bad": "bad|new", "good": "good|old"}
        if self.state.started:
            return self.error(NEED_GOOD_BAD.format(**vocab))
        return self.error(NEED_START.format(**vocab))

    def print_status(self, default_words: bool = False) -> None:
        """git's ``bisect_print_status()``; from ``start`` git 2.39.5 names good and bad whatever the terms."""
        nr_good, nr_bad = len(self.state.goods), self.state.bad is not None
        if nr_good and nr_bad:
            return
        if not nr_good and not nr_bad:
            good, bad = ("good", "bad") if default_words else (self.term_good, self.term_bad)
            self.log_printf(f"status: waiting for both {good} and {bad} commits")
        elif nr_good:
            self.log_printf(f"status: waiting for bad commit, {nr_good} good commit{'' if nr_good == 1 else 's'} known")
        else:
            self.log_printf("status: waiting for good commit(s), bad commit known")

    def auto_next(self, default_words: bool = False) -> int:
        if self.next_check(None):
            self.print_status(default_words)
            return BISECT_OK
        return self.bisect_next()

    def autostart(self) -> int:
        if self.state.started:
            return BISECT_OK
        self.err('You need to start by "linuxmm bisect start"\n')
        return BISECT_FAILED

    def bisect_next(self) -> int:
        if self.autostart():
            return BISECT_FAILED
        if self.next_check(self.term_good):
            return BISECT_FAILED
        res = self.next_all()
        if res == BISECT_INTERNAL_SUCCESS_1ST_BAD_FOUND:
            bad = self.idx(self.state.bad)
            self.log_append(f"# first {self.term_bad} commit: [{self.label(bad)}] {self.subject(bad)}")
        elif res == BISECT_ONLY_SKIPPED_LEFT:
            self.log_append("# only skipped commits left to test")
            bad = self.idx(self.state.bad)
            lo = self._good_bound()
            for i in range(bad, lo, -1):
                self.log_append(f"# possible first {self.term_bad} commit: [{self.label(i)}] {self.subject(i)}")
        return res

    def _good_bound(self) -> int:
        return max((self.idx(g) for g in self.state.goods), default=-1)

    def next_all(self) -> int:
        """git's ``bisect_next_all()`` on the linear history."""
        bad = self.idx(self.state.bad)
        goods = [self.idx(g) for g in self.state.goods]
        if any(g > bad for g in goods):
            self.err(f"Some {self.term_good} revs are not ancestors of the {self.term_bad} rev.\n"
                     f"linuxmm bisect cannot work properly in this case.\n"
                     f"Maybe you mistook {self.term_good} and {self.term_bad} revs?")
            return BISECT_FAILED
        lo = max(goods, default=-1)
        candidates = list(range(lo + 1, bad + 1))
        skipped = {self.idx(s) for s in self.state.skips}
        choice = find_bisection(candidates, skipped, bool(self.state.skips), bad)
        if choice.point is None:
            if choice.tried:
                return self._only_skipped(choice.tried, None)
            self.out(f"{self.label(bad)} was both {self.term_good} and {self.term_bad}")
            return BISECT_FAILED
        self._note_pre_git(candidates)
        if choice.point == bad:
            if choice.tried:
                return self._only_skipped(choice.tried, bad)
            self.out(f"{self.label(bad)} is the first {self.term_bad} {self.line.noun([bad])}")
            for text in self.line.details(bad):
                self.out(text)
            return BISECT_INTERNAL_SUCCESS_1ST_BAD_FOUND
        nr = choice.all - choice.reaches - 1
        steps = estimate_bisect_steps(choice.all)
        steps_msg = f"(roughly {steps} step{'' if steps == 1 else 's'})"
        unit = self.line.unit
        self.out(f"Bisecting: {nr} {unit}{'' if nr == 1 else 's'} left to test after this {steps_msg}")
        self.checkout(choice.point)
        return BISECT_OK

    def _note_pre_git(self, candidates: list[int]) -> None:
        if self.state.noted_pre_git or not any(self.line.info[i].pre_git for i in candidates):
            return
        self.state.noted_pre_git = True
        self.out(f"Releases before {FIRST_GIT_TAG} predate git: there are no commits to test there, "
                 f"so those steps test the modelled releases and name the first {self.term_bad} release.")

    def _only_skipped(self, tried: list[int], bad: int | None) -> int:
        named = tried + ([bad] if bad is not None else [])
        noun = self.line.noun(named)
        self.out(f"There are only 'skip'ped {noun}s left to test.")
        self.out(f"The first {self.term_bad} {noun} could be any of:")
        for i in named:
            self.out(self.label(i))
        self.out("We cannot bisect more!")
        return BISECT_ONLY_SKIPPED_LEFT

    # -- subcommands -----------------------------------------------------------------------
    def cmd_start(self, argv: list[str]) -> int:
        term_bad, term_good = "bad", "good"
        must_write_terms = False
        revs: list[tuple[str, int]] = []
        i = 0
        while i < len(argv):
            arg = argv[i]
            if arg == "--":
                break
            if arg in ("--no-checkout", "--first-parent"):
                return self.error(f"{arg} is not supported: the modelled history is linear and has no checkout")
            if arg in ("--term-good", "--term-old", "--term-bad", "--term-new"):
                i += 1
                if i >= len(argv):
                    return self.error("'' is not a valid term")
                must_write_terms = True
                if arg in ("--term-good", "--term-old"):
                    term_good = argv[i]
                else:
                    term_bad = argv[i]
            elif arg.startswith(("--term-good=", "--term-old=")):
                must_write_terms, term_good = True, arg.split("=", 1)[1]
            elif arg.startswith(("--term-bad=", "--term-new=")):
                must_write_terms, term_bad = True, arg.split("=", 1)[1]
            elif arg.startswith("--"):
                return self.error(f"unrecognized option: '{arg}'")
            else:
                try:
                    revs.append((arg, self.line.resolve(arg)))
                except BadRev as exc:
                    raise Fatal(f"fatal: '{arg}' does not appear to be a valid revision ({exc})", 128) from None
            i += 1
        if i < len(argv) and argv[i] == "--" and argv[i + 1:]:
            return self.error("pathspecs are not supported: the model has no files ("
                              + " ".join(argv[i + 1:]) + ")")
        if revs:
            must_write_terms = True
        # get rid of any old bisect state
        self.state = State(started=True)
        if must_write_terms and self.write_terms(term_bad, term_good):
            self.state = State()
            return BISECT_FAILED
        if not revs:
            self.log_append("linuxmm bisect start" + sq_quote_argv(argv))
        for n, (text, index) in enumerate(revs):
            self.bisect_write(self.term_bad if n == 0 else self.term_good, text, index, True)
        if revs:
            self.log_append("linuxmm bisect start" + sq_quote_argv(argv))
        res = self.auto_next(default_words=True)
        if res not in (BISECT_OK, BISECT_INTERNAL_SUCCESS_1ST_BAD_FOUND, BISECT_INTERNAL_SUCCESS_MERGE_BASE):
            self.state = State()
        return res

    def cmd_state(self, state: str, argv: list[str]) -> int:
        if self.autostart():
            return BISECT_FAILED
        if self.check_and_set_terms(state) or state not in (self.term_good, self.term_bad, "skip"):
            return BISECT_FAILED
        if len(argv) > 1 and state == self.term_bad:
            return self.error(f"'linuxmm bisect {self.term_bad}' can take only one argument.")
        targets: list[tuple[str, int]] = []
        if not argv:
            if self.state.current is None:
                return self.error("Bad rev input: nothing is under test yet; name the revision "
                                  f"(linuxmm bisect {state} REV)")
            targets.append((self.state.current, self.idx(self.state.current)))
        for text in argv:
            targets.append((text, self.resolve(text)))
        verify_expected = self.state.expected is not None
        for text, index in targets:
            self.bisect_write(state, self.label(index), index, False)
            if verify_expected and self.label(index) != self.state.expected:
                self.state.expected = None
                verify_expected = False
        return self.auto_next()

    def cmd_skip(self, argv: list[str]) -> int:
        expanded: list[str] = []
        for arg in argv:
            if ".." in arg:
                a, _, b = arg.partition("..")
                lo = self.resolve(a) if a else -1
                hi = self.resolve(b) if b else (self.idx(self.state.current) if self.state.current
                                                else len(self.line.points) - 1)
                expanded.extend(self.label(i) for i in range(hi, lo, -1))
            else:
                expanded.append(arg)
        return self.cmd_state("skip", expanded)

    def cmd_next(self, argv: list[str]) -> int:
        if argv:
            return self.error("'linuxmm bisect next' takes no arguments")
        return self.bisect_next()

    def cmd_terms(self, argv: list[str]) -> int:
        if len(argv) > 1:
            return self.error("--bisect-terms requires 0 or 1 argument")
        if not self.state.terms:
            return self.error("no terms defined")
        if not argv:
            self.out(f"Your current terms are {self.term_good} for the old state\n"
                     f"and {self.term_bad} for the new state.")
            return BISECT_OK
        opt = argv[0]
        if opt in ("--term-good", "--term-old"):
            self.out(self.term_good)
        elif opt in ("--term-bad", "--term-new"):
            self.out(self.term_bad)
        else:
            return self.error(f"invalid argument {opt} for 'linuxmm bisect terms'.\n"
                              f"Supported options are: --term-good|--term-old and --term-bad|--term-new.")
        return BISECT_OK

    def cmd_log(self, argv: list[str]) -> int:
        if argv:
            return self.error("'linuxmm bisect log' takes no arguments")
        if not self.state.started:
            return self.error("We are not bisecting.")
        for text in self.state.log:
            self.out(text)
        return BISECT_OK

    def cmd_reset(self, argv: list[str]) -> int:
        if argv:
            return self.error("'linuxmm bisect reset' takes no revision: there is no checkout to go back to")
        if not self.state.started:
            self.out("We are not bisecting.")
            return BISECT_OK
        self.state = State()
        return BISECT_OK

    def cmd_visualize(self, argv: list[str]) -> int:
        oneline = False
        for arg in argv:
            if arg == "--oneline":
                oneline = True
            else:
                return self.error(f"unknown option for visualize: '{arg}' (only --oneline)")
        if not self.state.started:
            return self.error("We are not bisecting.")
        if self.state.bad is None:
            return self.need_revisions()
        bad = self.idx(self.state.bad)
        lo = self._good_bound()
        blocks = []
        for i in range(bad, lo, -1):
            if oneline:
                blocks.append(f"{self.label(i)} {self.subject(i)}")
            else:
                blocks.append("\n".join(self.line.details(i)))
        if blocks:
            self.out(("\n" if oneline else "\n\n").join(blocks))
        return BISECT_OK

    def cmd_replay(self, argv: list[str]) -> int:
        if len(argv) != 1:
            return self.error("no logfile given")
        path = argv[0]
        try:
            with open(path, encoding="utf-8") as f:
                lines = f.read().splitlines()
        except OSError:
            lines = []
        if not lines:
            return self.error(f"cannot read file '{path}' for replaying")
        self.cmd_reset([])
        for raw in lines:
            res = self._replay_line(raw)
            if res:
                return BISECT_FAILED
        return self.auto_next()

    def _replay_line(self, raw: str) -> int:
        p = raw.lstrip(" \t")
        for prefix in ("linuxmm bisect", "git bisect", "git-bisect"):
            if p.startswith(prefix) and p[len(prefix): len(prefix) + 1].isspace():
                p = p[len(prefix):].lstrip(" \t")
                break
        else:
            return BISECT_OK
        word, _, rest = p.partition(" ")
        rest = rest.strip(" \t")
        if self.check_and_set_terms(word):
            return BISECT_FAILED
        if word == "start":
            try:
                args = shlex.split(rest)
            except ValueError:
                return self.error(f"cannot parse the start line: {raw}")
            return _failed(self.cmd_start(args))
        if word in (self.term_good, self.term_bad, "skip"):
            if not self.state.started:
                self.state.started = True
            try:
                index = self.resolve(rest)
            except _BadRevInput as exc:
                return self.error(f"Bad rev input: {exc.text}: {exc.reason}")
            return self.bisect_write(word, rest, index, False)
        if word == "terms":
            return self.cmd_terms(shlex.split(rest)[:1])
        return self.error(f"'{word}'?? what are you talking about?")

    # -- run --------------------------------------------------------------------------------
    def cmd_run(self, argv: list[str]) -> int:
        start_args, command = _split_run_args(argv)
        if start_args is not None:
            if not command:
                return self.error("bisect run failed: no command provided.")
            res = self.cmd_start(start_args)
            if res not in (BISECT_OK,):
                return res
            self.save()
        if self.next_check(None):
            return self.need_revisions()  # git 2.39.5 fails here without a word
        if not command:
            return self.error("bisect run failed: no command provided.")
        cmd = sq_quote_argv(command)
        is_first_run = True
        while True:
            res = self._do_run(cmd, self.state.current)
            if is_first_run and res in (126, 127):
                rc = self._verify_good(cmd)
                is_first_run = False
                if rc < 0 or rc >= 128:
                    self.error(f"unable to verify '{cmd}' on good revision")
                    res = BISECT_FAILED
                    break
                if rc == res:
                    self.error(f"bogus exit code {rc} for good revision")
                    res = BISECT_FAILED
                    break
            if res < 0 or res >= 128:
                self.error(f"bisect run failed: exit code {res} from '{cmd}' is < 0 or >= 128")
                break
            if res == 125:
                new_state = "skip"
            elif res == 0:
                new_state = self.term_good
            else:
                new_state = self.term_bad
            res = self.cmd_state(new_state, [])
            self.save()
            if res == BISECT_ONLY_SKIPPED_LEFT:
                self.error("bisect run cannot continue any more")
            elif res == BISECT_INTERNAL_SUCCESS_MERGE_BASE:
                self.out("bisect run success")
                res = BISECT_OK
            elif res == BISECT_INTERNAL_SUCCESS_1ST_BAD_FOUND:
                bad = self.idx(self.state.bad)
                self.out(f"bisect found first bad {self.line.noun([bad])}")
                res = BISECT_OK
            elif res:
                self.error(f"bisect run failed: 'linuxmm bisect {new_state}' exited with error code {res}")
            else:
                continue
            break
        return res

    def _do_run(self, cmd: str, label: str | None) -> int:
        self.out(f"running {cmd}")
        _flush()
        return self.runner(cmd, label or "")

    def _verify_good(self, cmd: str) -> int:
        current = self.state.current
        good = min(self.state.goods, key=self.idx)  # refs/bisect/good-* in name order: the oldest here
        self.checkout(self.idx(good))
        rc = self._do_run(cmd, good)
        if current is not None:
            self.checkout(self.idx(current))
        return rc

    # -- dispatch ---------------------------------------------------------------------------
    def main(self, argv: list[str]) -> int:
        if not argv:
            raise Fatal(USAGE, 1)
        cmd, rest = argv[0], argv[1:]
        if cmd in ("help", "-h", "--help"):
            self.out(LONG_USAGE)
            return BISECT_OK
        handlers = {"start": self.cmd_start, "skip": self.cmd_skip, "next": self.cmd_next,
                    "visualize": self.cmd_visualize, "view": self.cmd_visualize, "reset": self.cmd_reset,
                    "replay": self.cmd_replay, "log": self.cmd_log, "run": self.cmd_run, "terms": self.cmd_terms}
        if cmd in handlers:
            return handlers[cmd](rest)
        if cmd in ("bad", "good", "new", "old", self.term_bad, self.term_good):
            return self.cmd_state(cmd, rest)
        raise Fatal(f"error: unknown subcommand: `{cmd}'\n{USAGE}", 129)


class _BadRevInput(Exception):
    def __init__(self, text: str, reason: str):
        super().__init__(text)
        self.text = text
        self.reason = reason


def _failed(res: int) -> int:
    return BISECT_OK if res in (BISECT_OK, BISECT_INTERNAL_SUCCESS_1ST_BAD_FOUND,
                                BISECT_INTERNAL_SUCCESS_MERGE_BASE) else res


def _valid_ref_component(term: str) -> bool:
    """Whether ``refs/bisect/<term>`` passes git's ``check_refname_format()`` (the parts a term can break)."""
    if not term or term.startswith(".") or term.endswith((".", ".lock")) or ".." in term or "@{" in term:
        return False
    if term == "@" or term.endswith("/") or "//" in term:
        return False
    return not any(ord(ch) < 0x21 or ch in "\x7f~^:?*[\\" for ch in term)


def _split_run_args(argv: list[str]) -> tuple[list[str] | None, list[str]]:
    """``run``'s own options (``--good``, ``--bad``, ``--old``, ``--new``, ``--term-old``, ``--term-new``)
    become the arguments of a ``start``; the rest is the command."""
    goods: list[str] = []
    bad: list[str] = []
    terms: list[str] = []
    i = 0
    valued = {"--good", "--old", "--bad", "--new", "--term-old", "--term-new", "--term-good", "--term-bad"}
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            i += 1
            break
        name, eq, value = arg.partition("=")
        if name not in valued:
            break
        if not eq:
            i += 1
            if i >= len(argv):
                raise Fatal(f"error: option '{name}' requires a value", 129)
            value = argv[i]
        if name in ("--good", "--old"):
            goods.append(value)
        elif name in ("--bad", "--new"):
            if bad:
                raise Fatal(f"error: 'linuxmm bisect run' takes one {name[2:]} revision", 129)
            bad.append(value)
        else:
            terms += [name, value]
        i += 1
    command = argv[i:]
    if not (goods or bad or terms):
        return None, command
    if not terms and any(arg.partition("=")[0] in ("--old", "--new") for arg in argv[:i]):
        terms = ["--term-old", "old", "--term-new", "new"]  # --old/--new speak of old and new, as git's terms do
    if goods and not bad:
        raise Fatal("error: 'linuxmm bisect run' needs --bad (or --new) with --good (or --old)", 129)
    return terms + bad + goods, command


def _stdout(text: str) -> None:
    sys.stdout.write(text + "\n")


def _stderr(text: str) -> None:
    sys.stdout.flush()
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def _flush() -> None:
    sys.stdout.flush()
    sys.stderr.flush()


def run_shell(cmd: str, version: str, extra: dict[str, str] | None = None) -> int:
    """Run ``cmd`` as git's ``run_command`` with ``use_shell`` does, with the version in the environment.

    ``version`` (when not empty) becomes ``LINUXMM_KERNEL_VERSION``;
    ``extra`` adds more variables.  Returns the exit status; a shell killed
    by a signal gives 128 + the signal number (git's ``wait_or_whine()``),
    and a shell that cannot be started gives -1.
    """
    env = dict(os.environ)
    if version:
        env[ENV_VERSION] = version
    env[RUN_ENV] = "1"
    env.update(extra or {})
    try:
        proc = subprocess.run([SHELL_PATH, "-c", cmd, cmd], env=env)
    except OSError as exc:
        _stderr(f"error: cannot run {SHELL_PATH}: {exc.strerror}")
        return -1
    code = proc.returncode
    if code < 0:
        sig = -code
        if sig not in (signal.SIGINT, signal.SIGQUIT, signal.SIGPIPE):
            _stderr(f"error: {SHELL_PATH} died of signal {sig}")
        code = sig + 128
    return code


def exit_status(res: int) -> int:
    """git's exit status for a result: 0 on success, else ``-res`` as the shell sees it (& 0xff)."""
    if res in (BISECT_OK, BISECT_INTERNAL_SUCCESS_1ST_BAD_FOUND, BISECT_INTERNAL_SUCCESS_MERGE_BASE):
        return 0
    return (-res) & 0xFF


def main(argv: Sequence[str], state_path: str | None = None, runner: Callable[[str, str], int] | None = None) -> int:
    """Run ``linuxmm bisect ARGV`` and return git's exit status."""
    argv = list(argv)
    while argv and (argv[0] == "--state" or argv[0].startswith("--state=")):
        if argv[0] == "--state":
            if len(argv) < 2:
                _stderr("error: option '--state' requires a value")
                return 129
            state_path, argv = argv[1], argv[2:]
        else:
            state_path, argv = argv[0].split("=", 1)[1], argv[1:]
    try:
        try:
            b = Bisect(state_path=state_path, runner=runner)
        except Fatal:
            if argv[:1] == ["reset"] and len(argv) == 1:  # a state file that cannot be read can still be dropped
                os.unlink(state_path or os.environ.get(STATE_ENV) or DEFAULT_STATE)
                return 0
            raise
        try:
            res = b.main(argv)
        finally:
            if b.state.started or os.path.exists(b.path):
                b.save()
    except Fatal as exc:
        _stderr(str(exc))
        return exc.status
    except _BadRevInput as exc:
        _stderr(f"error: Bad rev input: {exc.text}: {exc.reason}")
        return 1
    return exit_status(res)


# -- settings: ktest's config bisect ---------------------------------------------------------------
CONFIG_ENV = "LINUXMM_CONFIG"
CMDLINE_ENV = "LINUXMM_CMDLINE"


def _setting_key(item: str) -> tuple[str, str]:
    """``("config", "KASAN")`` for a Kconfig item (upper case, CONFIG_ optional), else ``("cmdline", name)``."""
    name = item.split("=", 1)[0]
    bare = name.removeprefix("CONFIG_")
    if name.startswith("CONFIG_") or (bare and bare == bare.upper() and any(c.isalpha() for c in bare)):
        if "=" not in item:
            raise BadRev(f"{item!r}: a config symbol needs a value, as in {bare}=y")
        return ("config", bare)
    return ("cmdline", name)


class SettingsLine:
    """Settings applied one at a time on top of a good set: a line to bisect, as ktest's config bisect.

    Point 0 is the good settings; point ``i`` adds the ``i``-th setting that
    the bad set has and the good one lacks (in the bad set's order), so the
    last point is the bad set.  A setting is a Kconfig item (``KASAN=y``,
    ``CONFIG_SLUB=y``: upper case) or a boot parameter (``init_on_free=1``,
    ``quiet``).  The first bad point names the setting that makes the
    difference, provided the test's result flips once along the line.
    """

    unit = "setting"

    def __init__(self, good: Sequence[str], bad: Sequence[str]):
        good_map: dict[tuple[str, str], str] = {}
        for item in good:
            good_map[_setting_key(item)] = item
        bad_map: dict[tuple[str, str], str] = {}
        for item in bad:
            key = _setting_key(item)
            if key in bad_map:
                raise BadRev(f"{item!r}: {key[1]} is set twice in the bad settings")
            bad_map[key] = item
        missing = [good_map[k] for k in good_map if k not in bad_map]
        if missing:
            raise BadRev(f"{missing[0]!r} is in the good settings but not in the bad ones: the bad settings are "
                         f"applied on top of the good ones, so repeat it there (or drop it)")
        self.changes = [item for key, item in bad_map.items() if good_map.get(key) != item]
        if not self.changes:
            raise BadRev("the good and the bad settings are the same: nothing to bisect")
        self.settings: list[dict[tuple[str, str], str]] = []
        current = dict(good_map)
        self.settings.append(dict(current))
        for item in self.changes:
            current[_setting_key(item)] = item
            self.settings.append(dict(current))
        self.info = [PointInfo(0, "(good)", self._describe(0), False)]
        for i, item in enumerate(self.changes, 1):
            self.info.append(PointInfo(i, item, self._describe(i), False))
        self.points = self.info
        self.by_label = {p.label: p.index for p in self.info}

    def _describe(self, index: int) -> str:
        return " ".join(self.settings[index].values()) or "(defaults)"

    def env(self, label: str) -> dict[str, str]:
        values = self.settings[self.by_label[label]]
        return {CONFIG_ENV: " ".join(v for k, v in values.items() if k[0] == "config"),
                CMDLINE_ENV: " ".join(v for k, v in values.items() if k[0] == "cmdline")}

    def resolve(self, text: str) -> int:
        if text in self.by_label:
            return self.by_label[text]
        raise BadRev(f"{text!r} is not one of the settings being bisected")

    def noun(self, indexes: Sequence[int]) -> str:
        return "setting"

    def details(self, index: int) -> list[str]:
        prev = self._describe(index - 1) if index else ""
        return [f"setting {self.info[index].label}", "", f"    on top of: {prev}"]


def config_bisect(version: str | None, good: Sequence[str], bad: Sequence[str], command: Sequence[str],
                  terms: tuple[str, str] | None = None,
                  runner: Callable[[str, dict[str, str]], int] | None = None) -> int:
    """Find which setting of ``bad`` (on top of ``good``) changes the command's result; returns git's exit status.

    The command runs through ``/bin/sh`` with ``LINUXMM_CONFIG`` and
    ``LINUXMM_CMDLINE`` holding the settings of the point under test (the
    pytest plugin's ``kernel`` fixture adds them to its boot) and, when
    ``version`` is given, ``LINUXMM_KERNEL_VERSION``.
    """
    try:
        line = SettingsLine(good, bad)
        if version is not None:
            _check_settings(version, line)
    except BadRev as exc:
        _stderr(f"error: {exc}")
        return 1
    if not command:
        _stderr("error: bisect run failed: no command provided.")
        return 1
    run_env = runner or (lambda cmd, env: run_shell(cmd, env.pop(ENV_VERSION, ""), env))

    def run(cmd: str, label: str) -> int:
        env = line.env(label)
        if version is not None:
            env[ENV_VERSION] = version
        return run_env(cmd, env)

    b = Bisect(line=line, runner=run)
    start = (["--term-old", terms[0], "--term-new", terms[1]] if terms else []) + [line.info[-1].label, "(good)"]
    res = b.cmd_start(start)
    if res == BISECT_OK:
        res = b.cmd_run(list(command))
    return exit_status(res)


def _check_settings(version: str, line: SettingsLine) -> None:
    """Both ends must boot at ``version``; points in between may not (the pytest plugin then exits 125)."""
    import linuxmm
    from .errors import LinuxmmError

    for which, index in (("good", 0), ("bad", len(line.info) - 1)):
        env = line.env(line.info[index].label)
        try:
            linuxmm.boot(version, config=env[CONFIG_ENV].split(), cmdline=env[CMDLINE_ENV] or None)
        except LinuxmmError as exc:
            raise BadRev(f"the {which} settings do not boot {version}: {exc}") from None


# -- CLI glue ---------------------------------------------------------------------------------
def add_subcommand(subs: Any) -> argparse.ArgumentParser:
    """Add ``linuxmm bisect`` and ``linuxmm config-bisect`` to the CLI's subparsers.

    ``bisect`` takes git's grammar, parsed here rather than by argparse.
    """
    p = subs.add_parser("bisect", help="find the commit that changed a test's result, as git bisect does",
                        description="Find the commit that changed a test's result, as `git bisect` does, over "
                                    "the modelled history.\n\n" + LONG_USAGE,
                        epilog="example:\n  linuxmm bisect run --good v2.6.32 --bad v3.0 -- "
                               "pytest -q tests/exercises/test_tail_merging.py",
                        formatter_class=argparse.RawDescriptionHelpFormatter, add_help=False,
                        prefix_chars="\x1f")  # no word is an option to argparse: git's grammar is parsed here
    p.add_argument("bisect_args", nargs="*", metavar="SUBCOMMAND ...")
    p.set_defaults(func=_cli)

    c = subs.add_parser("config-bisect", help="find which config symbol or boot parameter changes a test's result",
                        description="Find which setting of --bad, applied one at a time on top of --good, changes\n"
                                    "the command's result (ktest's config bisect). A setting is a Kconfig item\n"
                                    "(KASAN=y, upper case) or a boot parameter (init_on_free=1, quiet). The command\n"
                                    "runs through /bin/sh with $LINUXMM_CONFIG and $LINUXMM_CMDLINE set to the\n"
                                    "settings under test (the pytest plugin's `kernel` fixture boots with them) and\n"
                                    "$LINUXMM_KERNEL_VERSION to --kernel-version when given. Exit statuses and\n"
                                    "output lines are those of `linuxmm bisect run`.",
                        epilog="example:\n  linuxmm config-bisect --kernel-version 6.12 --bad 'quiet init_on_free=1' "
                               "-- pytest -q tests/exercises/test_freed_page_contents.py",
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_argument("--kernel-version", dest="cb_version", metavar="V", default=None,
                   help="the kernel to test (default: $LINUXMM_KERNEL_VERSION as the command sees it)")
    c.add_argument("--good", default="", metavar="SETTINGS", help="settings that pass (default: none)")
    c.add_argument("--bad", required=True, metavar="SETTINGS", help="settings that fail")
    c.add_argument("--term-old", metavar="TERM", help="the term for a passing result (default: good)")
    c.add_argument("--term-new", metavar="TERM", help="the term for a failing result (default: bad)")
    c.add_argument("cb_command", nargs=argparse.REMAINDER, metavar="-- CMD ...")
    c.set_defaults(func=_config_cli)
    return p


def _refuse_kernel_options(args: argparse.Namespace, command: str, why: str, allow_version: bool = False) -> None:
    given = [flag for flag, value in (("--kernel-version", args.kernel_version), ("--mem", args.mem),
                                      ("--cpus", args.cpus), ("--cmdline", args.cmdline), ("--seed", args.seed))
             if value is not None and not (allow_version and flag == "--kernel-version")]
    if getattr(args, "config", None):
        given.append("--config")
    if given:
        from .errors import LinuxmmError

        raise LinuxmmError(f"{command} takes no kernel options ({why}): drop {', '.join(given)}")


def _cli(args: argparse.Namespace) -> int:
    _refuse_kernel_options(args, "bisect", f"it sets {ENV_VERSION} for the command it runs")
    return main(args.bisect_args)


def _config_cli(args: argparse.Namespace) -> int:
    _refuse_kernel_options(args, "config-bisect", "give the settings with --good and --bad", allow_version=True)
    version = args.cb_version or args.kernel_version
    if version is not None:
        from .host import get_host

        get_host().history.resolve(version)  # a bad version is a usage error (exit 2)
    command = list(args.cb_command)
    if command[:1] == ["--"]:
        command = command[1:]
    if (args.term_old is None) != (args.term_new is None):
        from .errors import LinuxmmError

        raise LinuxmmError("config-bisect: give both --term-old and --term-new, or neither")
    terms = (args.term_old, args.term_new) if args.term_old else None
    return config_bisect(version, args.good.split(), args.bad.split(), command, terms)
