"""The modelled history and the --kernel-version rules."""

import pytest

import linuxmm
from linuxmm.errors import VersionError
from linuxmm.history import FINAL, VersionKey, parse_version


@pytest.fixture(scope="module")
def hist():
    return linuxmm.history()


@pytest.mark.parametrize("older,newer", [
    ("0.01", "0.11"), ("0.11", "0.95"), ("0.99.15", "1.0"), ("1.0", "1.1.89"), ("1.1.95", "1.2.0"),
    ("2.4.37", "2.6.0"), ("2.6.28-rc1", "2.6.28"), ("2.6.28", "2.6.28.10"), ("2.6.28.10", "2.6.29-rc1"),
    ("2.6.39", "3.0"), ("6.12", "6.12.5"), ("6.12.5", "6.13-rc1"), ("6.15-rc6", "6.15-rc7"), ("6.15-rc7", "6.15"),
])
def test_version_ordering(older, newer):
    assert parse_version(older) < parse_version(newer)


def test_version_keys():
    assert parse_version("v2.6.28-rc1") == VersionKey(2, 6, 28, 0, 1)
    assert parse_version("6.12.5") == VersionKey(6, 12, 5, 0, FINAL)
    assert parse_version("6.12.5").is_stable and parse_version("2.6.28.10").is_stable
    assert not parse_version("2.6.28").is_stable and not parse_version("1.1.89").is_stable
    assert parse_version("6.12.5").mainline == parse_version("6.12")


@pytest.mark.parametrize("bad", ["2.6.x", "2.7", "1.1.200", "3.25", "6.15-rc0", "", "six", "2.6.28.1.1"])
def test_malformed_versions(bad):
    with pytest.raises(VersionError):
        parse_version(bad)


def test_every_commit_sits_before_its_first_tag(hist):
    for p in hist.points:
        if p.commit:
            assert hist.tag_index[p.commit.tag] > p.index


def test_modelled_releases_are_ordered_and_bounded(hist):
    tags = hist.modelled_releases()
    assert tags[0] == "v0.01" and tags[-1] == "v6.18"
    assert tags.index("v2.6.28-rc1") < tags.index("v2.6.28") < tags.index("v2.6.29")
    assert "v1.1.89" in tags and "v6.15-rc6" in tags


@pytest.mark.parametrize("flag,name", [
    ("0.01", "v0.01"), ("v0.01", "v0.01"), ("0.95", "v0.11"), ("0.99.15", "v0.11"), ("1.1.50", "v1.0"),
    ("1.1.89", "v1.1.89"), ("1.3.100", "v1.2.0"), ("2.0.40", "v2.0"), ("2.5.75", "v2.4.0"),
    ("2.6.28", "v2.6.28"), ("2.6.28.10", "v2.6.28"), ("4.19", "v4.19"), ("4.19.300", "v4.19"),
    ("6.15-rc6", "v6.15-rc6"), ("6.15-rc7", "v6.15-rc7"), ("6.15-rc3", "v6.15-rc1"), ("6.15", "v6.15"), ("latest", "v6.18"),
])
def test_resolve_releases(hist, flag, name):
    assert hist.resolve(flag).name == name


def test_resolve_sha_prefix(hist):
    rev = hist.resolve("a0309fa")
    assert rev.name == "a0309faf1cb0"
    assert rev.has("a0309faf1cb0") and rev.has("3ddc2fefe6f3")
    assert not rev.has("f7a35a3c36d1") and not rev.has("v6.15-rc6")
    assert rev.has("v6.14")


def test_has_commits_and_tags(hist):
    rev = hist.resolve("2.6.28")
    assert rev.has("db64fe02258f") and rev.has("db64fe0") and rev.has("v2.6.28-rc1") and rev.has("2.6.27")
    assert not rev.has("5e0a760b4441") and not rev.has("v2.6.29")
    old = hist.resolve("2.6.27")
    assert not old.has("db64fe02258f")


def test_commit_order_follows_the_record(hist):
    # 6630e950d532 (slob.c removed) reached mainline before c9929f0e344a (CONFIG_SLOB removed).
    assert hist.commit_index("6630e950d532") < hist.commit_index("c9929f0e344a")
    # f7a35a3c36d1 and 70d1eb031a68 first appear in v6.15 itself, after v6.15-rc6.
    assert hist.tag_index["v6.15-rc6"] < hist.commit_index("f7a35a3c36d1") < hist.tag_index["v6.15"]


@pytest.mark.parametrize("flag,needle", [
    ("9.99", "newer than the newest modelled release (v6.18)"),
    ("6.19", "nearest: v6.16, v6.17, v6.18"),
    ("2.6.x", "'2.6.x' is not a kernel version; nearest modelled:"),
    ("2.7", "nearest modelled: v2.6.38, v2.6.39-rc1, v2.6.39, v3.0-rc1, v3.0, v3.1"),  # 89699605fe7c, a238ab5b0239
    ("deadbeef0", "deadbeef0 is not a modelled commit"),
])
def test_bad_flags_are_one_clear_line(hist, flag, needle):
    with pytest.raises(VersionError) as exc:
        hist.resolve(flag)
    message = str(exc.value)
    assert needle in message and "\n" not in message


def test_same_day_commits_follow_the_record(hist):
    # f7a35a3c36d1 then 70d1eb031a68: the zeroing patch was posted on top of the return-value fix
    assert hist.commit_index("f7a35a3c36d1") < hist.commit_index("70d1eb031a68")
