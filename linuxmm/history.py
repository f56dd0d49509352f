"""The modelled history: one linear list of real commits with release tags.

Commits are ordered by when they reached mainline: a commit sits after the
tag before its first containing tag and before that tag.  Releases before
v2.6.12-rc2 (where mainline git history begins) are tags with no commits of
their own.  Stable releases (``v6.12.5``) sit beside the line: their
revision is their mainline base plus named backports.

A :class:`Revision` is what a ``--kernel-version`` flag resolves to.  Its
``has(ref)`` answers "is this commit (or release) in this kernel?", and is
meant to be called at boot, never on an allocation path.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Iterable

from .errors import PluginError, VersionError
from .records import Commit, Release

FINAL = 1 << 20  # sorts a final release after all of its -rc tags

_VERSION_RE = re.compile(r"^v?([0-9]+)\.([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?(?:-rc([0-9]+))?$", re.ASCII)
_SHA_RE = re.compile(r"^[0-9a-f]{7,40}$", re.ASCII)
#: The 0.x releases were numbered with two digits after the point (0.01, 0.02, 0.03, 0.10, 0.11,
#: 0.12, 0.95 ... 0.99); no other spelling names one.
_ZERO_SERIES = ("01", "02", "03", "10", "11", "12", "95", "96", "97", "98", "99")

# Highest minor (or patchlevel) each series reached; used to reject versions
# that never existed ("2.7", "3.25", "1.1.200").
_SERIES_LIMITS = {
    (0,): {1, 2, 3, 10, 11, 12, 95, 96, 97, 98, 99},
    (1,): range(0, 4),
    (2,): range(0, 7),
    (3,): range(0, 20),
    (4,): range(0, 21),
    (5,): range(0, 20),
}
_PATCHLEVEL_LIMITS = {(0, 99): 15, (1, 1): 95, (1, 2): 13, (1, 3): 100, (2, 0): 40, (2, 1): 132,
                      (2, 2): 26, (2, 3): 99, (2, 4): 37, (2, 5): 75, (2, 6): 39}

# The last stable release of each stable series [S: kernel.org's release history as the
# model knows it].  For 2.6 the key is (2, 6, c) and the value the last 2.6.c.d; from 3.0 on
# (a, b) and the last a.b.c.  A stable number above it never existed and is refused.
_STABLE_LAST = {
    (2, 6, 0): 0, (2, 6, 1): 0, (2, 6, 2): 0, (2, 6, 3): 0, (2, 6, 4): 0, (2, 6, 5): 0, (2, 6, 6): 0,
    (2, 6, 7): 0, (2, 6, 9): 0, (2, 6, 10): 0, (2, 6, 8): 1, (2, 6, 11): 12, (2, 6, 12): 6, (2, 6, 13): 5, (2, 6, 14): 7, (2, 6, 15): 7,
    (2, 6, 16): 62, (2, 6, 17): 14, (2, 6, 18): 8, (2, 6, 19): 7, (2, 6, 20): 21, (2, 6, 21): 7,
    (2, 6, 22): 19, (2, 6, 23): 17, (2, 6, 24): 7, (2, 6, 25): 20, (2, 6, 26): 8, (2, 6, 27): 62,
    (2, 6, 28): 10, (2, 6, 29): 6, (2, 6, 30): 10, (2, 6, 31): 14, (2, 6, 32): 71, (2, 6, 33): 20,
    (2, 6, 34): 15, (2, 6, 35): 14, (2, 6, 36): 4, (2, 6, 37): 6, (2, 6, 38): 8, (2, 6, 39): 4,
    (3, 0): 101, (3, 1): 10, (3, 2): 102, (3, 3): 8, (3, 4): 113, (3, 5): 7, (3, 6): 11, (3, 7): 10,
    (3, 8): 13, (3, 9): 11, (3, 10): 108, (3, 11): 10, (3, 12): 74, (3, 13): 11, (3, 14): 79,
    (3, 15): 10, (3, 16): 85, (3, 17): 8, (3, 18): 140, (3, 19): 8,
    (4, 0): 9, (4, 1): 52, (4, 2): 8, (4, 3): 6, (4, 4): 302, (4, 5): 7, (4, 6): 7, (4, 7): 10,
    (4, 8): 17, (4, 9): 337, (4, 10): 17, (4, 11): 12, (4, 12): 14, (4, 13): 16, (4, 14): 336,
    (4, 15): 18, (4, 16): 18, (4, 17): 19, (4, 18): 20, (4, 19): 325, (4, 20): 17,
    (5, 0): 21, (5, 1): 21, (5, 2): 21, (5, 3): 18, (5, 5): 19, (5, 6): 19, (5, 7): 19, (5, 8): 18,
    (5, 9): 16, (5, 11): 22, (5, 12): 19, (5, 13): 19, (5, 14): 21, (5, 16): 20, (5, 17): 15,
    (5, 18): 19, (5, 19): 17, (6, 0): 19, (6, 2): 16, (6, 3): 13, (6, 4): 16, (6, 5): 13, (6, 7): 12,
    (6, 8): 12, (6, 9): 12, (6, 10): 14, (6, 11): 11, (6, 13): 12, (6, 14): 11,
}
#: Series whose stable releases the model does not know to the last one (long-term series still
#: maintained, and recent ones): a stable number above this bound is refused as one the model
#: cannot vouch for.  No stable series of the record has passed 340.
_STABLE_UNKNOWN_LIMIT = 340


@dataclass(frozen=True, order=True)
class VersionKey:
    """Sortable form of a kernel version: ``(a, b, c, d, rc)``; final releases use rc=FINAL."""

    a: int
    b: int
    c: int
    d: int
    rc: int

    @property
    def is_stable(self) -> bool:
        """A stable point release: 2.6.N.M, or x.y.z from 3.0 on."""
        if self.rc != FINAL:
            return False
        if self.a >= 3:
            return self.c > 0
        return (self.a, self.b) == (2, 6) and self.d > 0

    @property
    def mainline(self) -> "VersionKey":
        """The mainline release a stable release is based on."""
        if not self.is_stable:
            return self
        if self.a >= 3:
            return VersionKey(self.a, self.b, 0, 0, FINAL)
        return VersionKey(self.a, self.b, self.c, 0, FINAL)


def parse_version(text: str) -> VersionKey:
    """Parse ``0.01``, ``v1.1.89``, ``2.6.28-rc1``, ``6.12.5``, ``2.6.28.10``.

    Raises :class:`VersionError` for text that is not a kernel version or a
    version that never existed (``2.7``, ``2.6.x``).
    """
    if not isinstance(text, str):
        raise VersionError(f"a kernel version is a string such as '6.10', not {type(text).__name__} {text!r}")
    m = _VERSION_RE.match(text.strip())
    if not m:
        raise VersionError(f"{text!r} is not a kernel version")
    groups = [g for g in m.groups() if g is not None]
    a, b = int(m.group(1)), int(m.group(2))
    if a == 0:
        if m.group(2) not in _ZERO_SERIES:
            near = f"0.{b:02d}" if b < 100 and f"{b:02d}" in _ZERO_SERIES else None
            hint = f" (did you mean {near}?)" if near else " (0.x releases: " + ", ".join(
                "0." + s for s in _ZERO_SERIES) + ")"
            raise VersionError(f"{text!r} is not a Linux release{hint}")
        lead = groups[2:]
    else:
        lead = groups[1:]
    if any(len(g) > 1 and g.startswith("0") for g in [groups[0]] + lead):
        raise VersionError(f"{text!r} is not a Linux release (version numbers have no leading zeros)")
    c = int(m.group(3) or 0)
    d = int(m.group(4) or 0)
    rc = int(m.group(5)) if m.group(5) else FINAL
    allowed = _SERIES_LIMITS.get((a,))
    if (allowed is not None and b not in allowed) or (rc != FINAL and not 1 <= rc <= 10):
        raise VersionError(f"{text!r} is not a Linux release")
    limit = _PATCHLEVEL_LIMITS.get((a, b))
    if a <= 2 and limit is not None and c > limit:
        raise VersionError(f"{text!r} is not a Linux release ({a}.{b} ended at {a}.{b}.{limit})")
    if a >= 3 and m.group(4):
        raise VersionError(f"{text!r} is not a Linux release (from 3.0 on, versions have at most three numbers)")
    if (a, b) == (2, 6) and d or a >= 3 and c:
        series, number = ((2, 6, c), d) if a == 2 else ((a, b), c)
        name = ".".join(map(str, series))
        if rc != FINAL:
            raise VersionError(f"{text!r} is not a Linux release (stable releases have no -rc tags)")
        last = _STABLE_LAST.get(series)
        if last == 0:
            raise VersionError(f"{text!r} is not a Linux release ({name} had no stable releases)")
        if last is not None and number > last:
            raise VersionError(f"{text!r} is not a Linux release (the {name}.y stable series ended at {name}.{last})")
        if last is None and number > _STABLE_UNKNOWN_LIMIT:
            raise VersionError(f"{text!r} is not a Linux release the model knows of (no stable series has "
                               f"reached {name}.{number}; the record's highest stable numbers are in the 300s)")
    elif a == 2 and b != 6 and d:
        raise VersionError(f"{text!r} is not a Linux release (only 2.6 had four-number stable releases)")
    return VersionKey(a, b, c, d, rc)


def tag_of(text: str) -> str:
    """Canonical tag spelling: ``v`` + the version as written (``v0.01``, ``v6.15-rc6``)."""
    text = text.strip()
    return text if text.startswith("v") else "v" + text


@dataclass(frozen=True)
class Point:
    """One place on the linear history: a commit or a release tag."""

    index: int
    commit: Commit | None = None
    release: Release | None = None

    @property
    def label(self) -> str:
        return self.commit.sha if self.commit else self.release.tag  # type: ignore[union-attr]


class Revision:
    """A resolved kernel: everything up to one point, plus stable backports."""

    def __init__(self, history: "History", index: int, name: str, describe: str,
                 key: VersionKey, extra: Iterable[str] = (), stable_tag: str | None = None, note: str = ""):
        self.history = history
        #: How the flag was resolved when it did not name a modelled point itself (else "").
        self.note = note
        self.index = index
        self.name = name
        self.describe = describe
        self.key = key
        self.stable_tag = stable_tag
        shas = {p.commit.sha for p in history.points[: index + 1] if p.commit}
        shas.update(extra)
        self.backports = tuple(extra)
        self.shas = frozenset(shas)

    def has(self, ref: str) -> bool:
        """True if this kernel contains ``ref``: a modelled commit's sha prefix (7 or more hex
        digits) or a release, written as for ``--kernel-version`` (``2.6.28``, ``v6.15-rc6``).

        A release that is not a modelled point (``4.19.5``) is compared by version.  Errors are
        :class:`~linuxmm.errors.VersionError` naming ``ref`` as given.
        """
        if not isinstance(ref, str):
            raise VersionError(f"has({ref!r}): a commit sha prefix or a release is a string, "
                               f"not {type(ref).__name__}")
        text = ref.strip()
        low = text.lower()
        if _SHA_RE.match(low) and not _VERSION_RE.match(text):
            try:
                return self.history.commit(low).sha in self.shas
            except VersionError as exc:
                raise VersionError(f"has({ref!r}): {exc}") from None
        if not _VERSION_RE.match(text):
            raise VersionError(f"has({ref!r}): not a release (such as 2.6.28 or v6.15-rc6) nor a modelled "
                               f"commit's sha prefix of 7 or more hex digits")
        tag = tag_of(text)
        if tag == self.stable_tag:
            return True
        pos = self.history.tag_index.get(tag)
        if pos is not None:
            return pos <= self.index
        try:
            key = parse_version(text)
        except VersionError as exc:
            raise VersionError(f"has({ref!r}): {exc}") from None
        return key <= self.key

    def __repr__(self) -> str:
        return f"Revision({self.name!r})"

    def __str__(self) -> str:
        return self.name


class History:
    """The ordered commits and releases gathered from every plugin."""

    def __init__(self, commits: Iterable[Commit], releases: Iterable[Release]):
        releases = list(releases)
        commits = list(commits)
        by_tag: dict[str, Release] = {}
        for rel in releases:
            parse_version(rel.tag)  # validates
            by_tag.setdefault(rel.tag, rel)
        self.stable: dict[str, Release] = {t: r for t, r in by_tag.items() if parse_version(t).is_stable}
        for commit in commits:
            if commit.tag not in by_tag:  # an rc tag only a commit needs
                by_tag[commit.tag] = Release(commit.tag)
        seen: dict[str, Commit] = {}
        for commit in commits:
            if commit.sha in seen and seen[commit.sha] != commit:
                raise PluginError(f"commit {commit.sha} is declared twice with different details")
            seen[commit.sha] = commit
        mainline = sorted((t for t in by_tag if t not in self.stable), key=parse_version)
        grouped: dict[str, list[Commit]] = {}
        for commit in seen.values():
            grouped.setdefault(commit.tag, []).append(commit)
        points: list[Point] = []
        for tag in mainline:
            for commit in sorted(grouped.get(tag, ()), key=lambda c: (c.date, c.seq, c.sha)):
                points.append(Point(len(points), commit=commit))
            points.append(Point(len(points), release=by_tag[tag]))
        self.points = points
        self.releases = by_tag
        self.tag_index = {p.release.tag: p.index for p in points if p.release}
        self.commits = seen
        self._keys = [parse_version(p.release.tag) for p in points if p.release]
        self._tag_positions = [p.index for p in points if p.release]
        for rel in self.stable.values():
            for sha in rel.backports:
                self.commit(sha)

    # -- lookups -------------------------------------------------------
    def commit(self, prefix: str) -> Commit:
        """The modelled commit whose sha starts with ``prefix`` (>= 7 hex digits)."""
        prefix = prefix.lower()
        hits = [c for sha, c in self.commits.items() if sha.startswith(prefix) or prefix.startswith(sha)]
        if len(hits) == 1 and (hits[0].sha.startswith(prefix) or len(prefix) >= len(hits[0].sha)):
            return hits[0]
        if len(hits) > 1:
            raise VersionError(f"{prefix} is ambiguous: " + ", ".join(sorted(c.sha for c in hits)))
        some = ", ".join(sorted(self.commits)[:3])
        raise VersionError(f"{prefix} is not a modelled commit (modelled ones include {some}, ...; "
                           f"see `linuxmm log --oneline`)")

    def ref_index(self, ref: str) -> int:
        """Position of a sha prefix or a release tag on the line (stable tags: their base)."""
        if _SHA_RE.match(ref):
            return self.commit_index(self.commit(ref).sha)
        tag = tag_of(ref)
        if tag in self.stable:
            rel = self.stable[tag]
            return self.tag_index[tag_of(rel.base)] if rel.base else self.resolve(tag).index
        return self.tag_index[tag]

    def commit_index(self, sha: str) -> int:
        for p in self.points:
            if p.commit and p.commit.sha == sha:
                return p.index
        raise KeyError(sha)

    @property
    def latest(self) -> str:
        return self.points[-1].release.tag  # type: ignore[union-attr]

    def modelled_releases(self) -> list[str]:
        """Every tag, oldest first; stable releases after their base."""
        out = []
        for p in self.points:
            if p.release:
                out.append(p.release.tag)
                out.extend(sorted((t for t in self.stable if parse_version(t).mainline == parse_version(p.release.tag)),
                                  key=parse_version))
        return out

    def describe(self, index: int) -> str:
        """``git describe``-like name of a point: the tag, or ``<tag>-g<sha>``."""
        point = self.points[index]
        if point.release:
            return point.release.tag
        for p in reversed(self.points[:index]):
            if p.release:
                return f"{p.release.tag}-g{point.commit.sha}"  # type: ignore[union-attr]
        return point.commit.sha  # type: ignore[union-attr]

    def _nearby(self, key: VersionKey, n: int = 3) -> str:
        i = bisect_right(self._keys, key)
        tags = [self.points[j].release.tag for j in self._tag_positions[max(0, i - n): i + n]]  # type: ignore[union-attr]
        return ", ".join(tags)

    # -- the version flag ----------------------------------------------
    def resolve(self, flag: str | None) -> Revision:
        """Resolve a ``--kernel-version`` value to a :class:`Revision`.

        Accepts ``latest``, a release tag with or without ``v``, any real
        version inside the modelled range (the latest modelled point at or
        before it), or a sha prefix of >= 7 hex digits of a modelled commit.
        ``None`` means ``latest``; anything else that is not a non-empty string
        is a :class:`~linuxmm.errors.VersionError`.  When the flag names no
        modelled point itself, the revision's ``note`` says what it resolved to
        and why.
        """
        if flag is None:
            flag = "latest"
        if not isinstance(flag, str):
            hint = f" (write it as a string: '{flag}' could mean another release)" if isinstance(flag, float) else ""
            raise VersionError(f"a kernel version is a string such as '6.10', not {type(flag).__name__} "
                               f"{flag!r}{hint}")
        text = flag.strip()
        if not text:
            raise VersionError("the kernel version is empty: give a release such as 2.6.28, a commit sha prefix, "
                               "or 'latest' (see `linuxmm versions`)")
        if text == "latest":
            text = self.latest
        low = text.lower()
        if _SHA_RE.match(low) and not _VERSION_RE.match(text):
            commit = self.commit(low)
            index = self.commit_index(commit.sha)
            key = self._key_at(index)
            return Revision(self, index, commit.sha, self.describe(index), key)
        first = self._keys[0]
        last = self._keys[-1]
        try:
            key = parse_version(text)
        except VersionError as exc:
            loose = re.match(r"^v?([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?", text, re.ASCII)
            near = ""
            if loose:
                guess = VersionKey(int(loose.group(1)), int(loose.group(2) or 0), int(loose.group(3) or 0), 0, FINAL)
                near = f"; nearest modelled: {self._nearby(min(guess, last))}"
            raise VersionError(
                f"{exc}{near}; expected a release such as 0.01, 2.6.28, 6.15-rc6 or 6.12.5, "
                f"a commit sha prefix (>= 7 hex digits), or 'latest' (see `linuxmm versions`)") from None
        if key < first:
            raise VersionError(f"{text} is older than the oldest modelled release ({self.points[0].release.tag})")  # type: ignore[union-attr]
        if key.mainline > last:
            raise VersionError(f"{text} is newer than the newest modelled release ({self.latest}); "
                               f"nearest: {self._nearby(last)}")
        if key.is_stable:
            candidates = [t for t in self.stable if parse_version(t).mainline == key.mainline and parse_version(t) <= key]
            series = f"{key.a}.{key.b}" + (f".{key.c}" if key.a == 2 else "")
            if candidates:
                tag = max(candidates, key=parse_version)
                rel = self.stable[tag]
                base = tag_of(rel.base) if rel.base else self._tag_for(key.mainline)
                index = self.tag_index[base]
                note = ""
                if parse_version(tag) != key:
                    note = (f"{text} is not modelled: resolved to {tag}, the newest modelled {series}.y release "
                            f"at or before it ({base} plus its recorded backports)")
                return Revision(self, index, tag, tag, parse_version(tag), rel.backports, stable_tag=tag, note=note)
            key = key.mainline
            i = bisect_right(self._keys, key) - 1
            index = self._tag_positions[i]
            tag = self.points[index].release.tag  # type: ignore[union-attr]
            return Revision(self, index, tag, tag, self._keys[i],
                            note=f"{text} is a stable release the model has no backports for: resolved to "
                                 f"{tag}, the mainline release it is based on")
        i = bisect_right(self._keys, key) - 1
        index = self._tag_positions[i]
        tag = self.points[index].release.tag  # type: ignore[union-attr]
        note = ""
        if self._keys[i] != key:
            note = (f"{text} is not a modelled release: resolved to {tag}, the newest modelled release at or "
                    f"before it")
        return Revision(self, index, tag, tag, self._keys[i], note=note)

    def _tag_for(self, key: VersionKey) -> str:
        i = bisect_right(self._keys, key) - 1
        return self.points[self._tag_positions[i]].release.tag  # type: ignore[union-attr]

    def _key_at(self, index: int) -> VersionKey:
        for p in reversed(self.points[: index + 1]):
            if p.release:
                return parse_version(p.release.tag)
        return self._keys[0]
