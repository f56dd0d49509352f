"""vrealloc() at every modelled point: the releases and backports that decide its behaviour."""

from __future__ import annotations

import pytest

import linuxmm

KASAN_FIX, GRANULAR, IN_PLACE, ZERO_SHRINK = "d699440f58ce", "a0309faf1cb0", "f7a35a3c36d1", "70d1eb031a68"


@pytest.mark.parametrize("version,kasan_fix,granular,fixes", [
    ("6.11", False, False, False),
    ("6.12", False, False, False),
    ("6.12.4", False, False, False),  # resolves to v6.12: no backport before 6.12.5
    ("6.12.5", True, False, False),
    ("6.12.28", True, False, False),  # 6.12.5's state
    ("6.12.29", True, True, False),
    ("6.12.30", True, True, False),
    ("6.12.31", True, True, True),
    ("6.13-rc1", False, False, False),
    ("6.13-rc2", True, False, False),
    ("6.13", True, False, False),
    ("6.14", True, False, False),
    ("6.14.6", True, False, False),
    ("6.14.7", True, True, False),
    ("6.14.8", True, True, False),
    ("6.14.9", True, True, True),
    ("6.15-rc5", True, False, False),
    ("6.15-rc6", True, True, False),
    ("6.15-rc7", True, True, False),
    ("6.15", True, True, True),
    ("6.18", True, True, True),
])
def test_which_vrealloc_commits_each_release_has(version, kasan_fix, granular, fixes):
    rev = linuxmm.history().resolve(version)
    assert rev.has(KASAN_FIX) is kasan_fix
    assert rev.has(GRANULAR) is granular
    assert rev.has(IN_PLACE) is fixes and rev.has(ZERO_SHRINK) is fixes
    assert rev.has("3ddc2fefe6f3") is (version != "6.11")


def test_stable_releases_are_mainline_plus_backports():
    hist = linuxmm.history()
    rel = hist.stable["v6.14.7"]
    assert (rel.base, rel.backports) == ("v6.14", (GRANULAR,))
    assert hist.stable["v6.12.31"].backports == (KASAN_FIX, GRANULAR, IN_PLACE, ZERO_SHRINK)
    assert hist.resolve("6.12.30").note == ("6.12.30 is not modelled: resolved to v6.12.29, the newest modelled "
                                            "6.12.y release at or before it (v6.12 plus its recorded backports)")
