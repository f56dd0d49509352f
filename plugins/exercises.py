"""Bisection exercises: ``linuxmm exercise list | show N | check N ANSWER``.

An exercise is one file, ``tests/exercises/test_<slug>.py`` (installed as the
package ``linuxmm_exercises``): its module docstring is the story, a literal
``EXERCISE = {...}`` dict gives the starting points and the hidden answer,
and its test functions are the failing test, run with the ``kernel``
fixture of the pytest plugin.  Adding an exercise is adding such a file (and
a one-line docs page, which the test suite asks for).

``EXERCISE`` keys:

* ``number`` (int, unique), ``title``;
* ``kind``: ``"commit"`` (bisect the history with ``linuxmm bisect run``) or
  ``"setting"`` (bisect config symbols and boot parameters with ``linuxmm
  config-bisect``, as ktest's config bisect does);
* for ``"commit"``: ``good`` and ``bad`` (revisions), or ``old`` and ``new``
  with ``terms = ["old-term", "new-term"]`` (as ``git bisect --term-old``);
* for ``"setting"``: ``version``, ``good`` and ``bad`` (space-separated
  settings);
* ``answer``: ``"sha256:SALT:HEX"``, the SHA-256 of ``SALT:CANONICAL``, where
  CANONICAL is the point's label (a 12-digit sha or a tag) or, for a setting,
  ``config:NAME`` / ``cmdline:name``.  ``check`` hashes what it is given the
  same way, so it can say "right" without the answer being written anywhere.
  (The modelled history is small: anyone who wants to can try every point.
  The hash keeps the answer from being read by accident, not from a search.)

The files are read with :mod:`ast` (nothing in them runs when listing).
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from linuxmm import hookimpl
from linuxmm.errors import LinuxmmError
from linuxmm.records import Command

PACKAGE = "linuxmm_exercises"
KINDS = ("commit", "setting")


@dataclass(frozen=True)
class Exercise:
    """One exercise, as its file declares it."""

    number: int
    slug: str
    title: str
    kind: str
    story: str
    path: Path
    answer: str
    good: str = ""
    bad: str = ""
    terms: tuple[str, str] | None = None
    version: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def source(self) -> str:
        return self.path.read_text(encoding="utf-8")

    def shown_path(self) -> str:
        """The test file as a user would type it: ``tests/exercises/...`` in a source checkout (when that
        file is this one), else relative to the current directory when inside it, else absolute."""
        checkout = Path("tests") / "exercises" / self.path.name
        try:
            if checkout.is_file() and checkout.read_bytes() == self.path.read_bytes():
                return str(checkout)
            rel = os.path.relpath(self.path)
        except (OSError, ValueError):
            return str(self.path)
        return rel if not rel.startswith("..") else str(self.path)

    def bisect_command(self) -> str:
        test = f"pytest -q {self.shown_path()}"
        if self.kind == "setting":
            return (f"linuxmm config-bisect --kernel-version {self.version} --good '{self.good}' "
                    f"--bad '{self.bad}' -- {test}")
        if self.terms == ("old", "new"):
            return f"linuxmm bisect run --old {self.good} --new {self.bad} -- {test}"
        if self.terms:
            return (f"linuxmm bisect run --term-old {self.terms[0]} --term-new {self.terms[1]} "
                    f"--old {self.good} --new {self.bad} -- {test}")
        return f"linuxmm bisect run --good {self.good} --bad {self.bad} -- {test}"


#: Names another directory of exercise files (for writing new ones, and for tests).
DIR_ENV = "LINUXMM_EXERCISES"


def exercises_dir() -> Path:
    """Where the exercise files are: ``$LINUXMM_EXERCISES``, else the source tree beside ``plugins/`` (a
    checkout or an editable install), else the installed package ``linuxmm_exercises``."""
    if os.environ.get(DIR_ENV):
        return Path(os.environ[DIR_ENV])
    source = Path(__file__).resolve().parent.parent / "tests" / "exercises"
    if source.is_dir():
        return source
    spec = importlib.util.find_spec(PACKAGE)
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    raise LinuxmmError(f"no exercises found: {PACKAGE} is not installed and there is no {source}")


def _literal(tree: ast.Module, name: str) -> Any:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return ast.literal_eval(node.value)
    return None


def load(path: Path) -> Exercise:
    """Read one exercise file; a malformed one is a :class:`LinuxmmError` naming the file and the key."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    meta = _literal(tree, "EXERCISE")
    where = path.name
    if not isinstance(meta, dict):
        raise LinuxmmError(f"exercise {where}: no EXERCISE = {{...}} dict")
    story = ast.get_docstring(tree) or ""
    need = ["number", "title", "kind", "answer"]
    kind = meta.get("kind")
    if kind not in KINDS:
        raise LinuxmmError(f"exercise {where}: kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if kind == "setting":
        need += ["version", "bad"]
    elif "terms" in meta:
        need += ["old", "new", "terms"]
    else:
        need += ["good", "bad"]
    missing = [k for k in need if k not in meta]
    if missing:
        raise LinuxmmError(f"exercise {where}: EXERCISE lacks {', '.join(missing)}")
    if not isinstance(meta["number"], int) or not str(meta["answer"]).startswith("sha256:"):
        raise LinuxmmError(f"exercise {where}: number must be an int and answer 'sha256:SALT:HEX'")
    if not story:
        raise LinuxmmError(f"exercise {where}: the module docstring (the story) is empty")
    terms = tuple(meta["terms"]) if meta.get("terms") else None
    return Exercise(number=meta["number"], slug=path.stem.removeprefix("test_").replace("_", "-"),
                    title=meta["title"], kind=kind, story=story, path=path, answer=meta["answer"],
                    good=str(meta.get("old", meta.get("good", ""))), bad=str(meta.get("new", meta.get("bad", ""))),
                    terms=terms, version=meta.get("version"),
                    extra={k: v for k, v in meta.items() if k not in need and k not in ("good", "bad")})


def all_exercises(directory: Path | None = None) -> list[Exercise]:
    """Every exercise, by number; two files with one number is an error."""
    directory = directory or exercises_dir()
    found: dict[int, Exercise] = {}
    for path in sorted(directory.glob("test_*.py")):
        ex = load(path)
        if ex.number in found:
            raise LinuxmmError(f"exercises {found[ex.number].path.name} and {path.name} both have number {ex.number}")
        found[ex.number] = ex
    return [found[n] for n in sorted(found)]


def find(spec: str, exercises: list[Exercise] | None = None) -> Exercise:
    exercises = all_exercises() if exercises is None else exercises
    for ex in exercises:
        if spec.strip() in (str(ex.number), ex.slug):
            return ex
    known = ", ".join(f"{ex.number} ({ex.slug})" for ex in exercises) or "none"
    raise LinuxmmError(f"no exercise {spec!r} (there are: {known}; see `linuxmm exercise list`)")


def canonical(ex: Exercise, answer: str) -> str:
    """What the hidden answer is a hash of: a point's label, or ``config:NAME``/``cmdline:name``."""
    text = answer.strip()
    if not text:
        raise LinuxmmError("check: the answer is empty")
    if ex.kind == "setting":
        from linuxmm.bisect import BadRev, _setting_key

        probe = text if "=" in text or not text.removeprefix("CONFIG_").isupper() else text + "=y"
        try:
            kind, name = _setting_key(probe)
        except BadRev as exc:
            raise LinuxmmError(f"check: {exc}") from None
        return f"{kind}:{name}"
    from linuxmm.bisect import BadRev, Line
    from linuxmm.host import get_host

    line = Line(get_host().history)
    try:
        return line.info[line.resolve(text)].label
    except BadRev as exc:
        raise LinuxmmError(f"check: {text} is not a point of the modelled history: {exc}") from None


def answer_hash(salt: str, canonical_answer: str) -> str:
    return hashlib.sha256(f"{salt}:{canonical_answer}".encode()).hexdigest()


def make_answer(salt: str, canonical_answer: str) -> str:
    """The ``answer`` value of an EXERCISE dict (for writing new exercises)."""
    return f"sha256:{salt}:{answer_hash(salt, canonical_answer)}"


def is_answer(ex: Exercise, answer: str) -> bool:
    _, salt, digest = ex.answer.split(":", 2)
    return answer_hash(salt, canonical(ex, answer)) == digest


# -- the command ------------------------------------------------------------------------------
def render_list(exercises: list[Exercise]) -> str:
    rows = []
    for ex in exercises:
        if ex.kind == "setting":
            where = f"settings at {ex.version}"
        else:
            where = f"{ex.good}..{ex.bad}" + (f", {ex.terms[0]}/{ex.terms[1]}" if ex.terms else "")
        rows.append(f"{ex.number:>2}  {ex.slug:<24} {ex.title}  ({where})")
    return "\n".join(rows)


def render_show(ex: Exercise) -> str:
    out = [f"Exercise {ex.number}: {ex.title}", "", ex.story, ""]
    if ex.kind == "setting":
        out += [f"Kernel:         {ex.version}",
                f"Good settings:  {ex.good or '(none)'}",
                f"Bad settings:   {ex.bad}"]
        what = "Which setting makes the test fail?"
    elif ex.terms:
        if ex.terms == ("old", "new"):
            out += [f"Old: {ex.good}", f"New: {ex.bad}"]
        else:
            out += [f"Old ({ex.terms[0]}): {ex.good}", f"New ({ex.terms[1]}): {ex.bad}"]
        what = f"Which point is the first {ex.terms[1]} one?"
    else:
        out += [f"Good: {ex.good}", f"Bad:  {ex.bad}"]
        what = "Which point is the first bad one?"
    out += ["", what, "", f"The test ({ex.shown_path()}, after its story):", ""]
    out += ["    " + line if line else "" for line in _without_docstring(ex.source).splitlines()]
    out += ["", "To bisect it:", "", f"    {ex.bisect_command()}", "",
            f"To check your answer: linuxmm exercise check {ex.number} ANSWER"]
    return "\n".join(out)


def _without_docstring(source: str) -> str:
    tree = ast.parse(source)
    first = tree.body[0] if tree.body else None
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        lines = source.splitlines()
        return "\n".join(lines[first.end_lineno:]).strip("\n")
    return source.strip("\n")


def _configure(parser: Any) -> None:
    sub = parser.add_subparsers(dest="exercise_command", metavar="ACTION")
    sub.required = True
    sub.add_parser("list", help="list the exercises")
    p = sub.add_parser("show", help="show an exercise: story, starting points, the failing test")
    p.add_argument("exercise", metavar="N", help="its number or name")
    p = sub.add_parser("check", help="check an answer (a sha prefix or tag; a setting for config exercises)")
    p.add_argument("exercise", metavar="N", help="its number or name")
    p.add_argument("answer", metavar="ANSWER")


def _run(args: Any, boot: Any) -> int:
    if args.exercise_command == "list":
        print(render_list(all_exercises()))
        return 0
    ex = find(args.exercise)
    if args.exercise_command == "show":
        print(render_show(ex))
        return 0
    given = args.answer.strip()
    if is_answer(ex, given):
        print(f"Right: {given} is the answer to exercise {ex.number}.")
        return 0
    print(f"Not the answer: {given} is not what exercise {ex.number} looks for.")
    return 1


@hookimpl
def linuxmm_commands():
    yield Command("exercise", help="bisection exercises: list them, show one, check an answer",
                  run=_run, configure=_configure, boots=False,
                  example="linuxmm exercise list\n  linuxmm exercise show 1\n  linuxmm exercise check 1 0123abcd4567")
