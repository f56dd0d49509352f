"""Only real versions, spelled as the kernel spelled them, name a kernel: API, CLI, environment, pytest."""

import pytest

import linuxmm
from linuxmm.cli import main
from linuxmm.errors import VersionError

pytest_plugins = ["pytester"]


@pytest.mark.parametrize("given,message", [
    (6.10, "a kernel version is a string such as '6.10', not float 6.1 (write it as a string: '6.1' could mean "
           "another release)"),
    (6, "a kernel version is a string such as '6.10', not int 6"),
    ("", "the kernel version is empty: give a release such as 2.6.28, a commit sha prefix, or 'latest' "
         "(see `linuxmm versions`)"),
    ("   ", "the kernel version is empty: give a release such as 2.6.28, a commit sha prefix, or 'latest' "
            "(see `linuxmm versions`)"),
])
def test_api_versions_are_nonempty_strings(given, message):
    with pytest.raises(VersionError) as exc:
        linuxmm.boot(given)
    assert str(exc.value) == message


@pytest.mark.parametrize("given,reason", [
    ("0.001", "'0.001' is not a Linux release (did you mean 0.01?)"),
    ("0.5", "'0.5' is not a Linux release (0.x releases: 0.01, 0.02, 0.03, 0.10, 0.11, 0.12, 0.95, 0.96, "
            "0.97, 0.98, 0.99)"),
    ("0.1", "'0.1' is not a Linux release (did you mean 0.01?)"),
    ("01.0", "'01.0' is not a Linux release (version numbers have no leading zeros)"),
    ("2.06.28", "'2.06.28' is not a Linux release (version numbers have no leading zeros)"),
    ("6.12.999", "'6.12.999' is not a Linux release the model knows of (no stable series has reached "
                 "6.12.999; the record's highest stable numbers are in the 300s)"),
    ("4.9.338", "'4.9.338' is not a Linux release (the 4.9.y stable series ended at 4.9.337)"),
    ("2.6.9.1", "'2.6.9.1' is not a Linux release (2.6.9 had no stable releases)"),
    ("6.12.5-rc1", "'6.12.5-rc1' is not a Linux release (stable releases have no -rc tags)"),
    ("２.6.28", "'２.6.28' is not a kernel version"),
    ("2.٦.28", "'2.٦.28' is not a kernel version"),
])
def test_versions_that_never_existed(given, reason):
    with pytest.raises(VersionError) as exc:
        linuxmm.boot(given)
    assert str(exc.value).startswith(reason)


def test_real_versions_between_modelled_points_say_what_they_resolved_to():
    k = linuxmm.boot("6.11.5")
    assert k.version == "v6.11" and k.revision.note == (
        "6.11.5 is a stable release the model has no backports for: resolved to v6.11, the mainline release it "
        "is based on")
    assert linuxmm.boot("2.5.75").revision.note == ("2.5.75 is not a modelled release: resolved to v2.4.0, the "
                                                    "newest modelled release at or before it")
    assert linuxmm.boot("4.9.337").version == "v4.9"
    assert linuxmm.boot("2.6.28").revision.note == ""


def test_cli_prints_what_a_version_resolved_to(capsys):
    assert main(["--kernel-version", "6.11.5", "--mem", "64M", "info"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == ["version:     v6.11", "resolved:    6.11.5 is a stable release the model has no backports "
                                                "for: resolved to v6.11, the mainline release it is based on"]
    assert main(["--kernel-version", "2.06.28", "info"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("linuxmm: error: '2.06.28' is not a Linux release (version numbers have no leading zeros)")


def test_environment_variable_is_checked_the_same_way(monkeypatch):
    monkeypatch.setenv("LINUXMM_KERNEL_VERSION", "01.0")
    with pytest.raises(VersionError) as exc:
        linuxmm.boot()
    assert str(exc.value).startswith("LINUXMM_KERNEL_VERSION=01.0: '01.0' is not a Linux release")
    monkeypatch.setenv("LINUXMM_KERNEL_VERSION", "")
    with pytest.raises(VersionError) as exc:
        linuxmm.boot()
    assert str(exc.value) == ("LINUXMM_KERNEL_VERSION is set but empty: give a release such as 2.6.28, a commit "
                              "sha prefix, or 'latest' (or unset it)")
    monkeypatch.setenv("LINUXMM_KERNEL_VERSION", "2.6.28")
    assert linuxmm.boot(mem="64M").version == "v2.6.28"


def test_has_takes_what_the_flag_takes():
    k = linuxmm.boot("2.6.28", mem="64M")
    assert k.has("db64fe0") and k.has("v2.6.28-rc1") and k.has("2.6.27") and k.has("2.6.27.10")
    assert not k.has("2.6.29")
    with pytest.raises(VersionError) as exc:
        k.has("db64fe")
    assert str(exc.value) == ("has('db64fe'): not a release (such as 2.6.28 or v6.15-rc6) nor a modelled commit's "
                              "sha prefix of 7 or more hex digits")
    with pytest.raises(VersionError) as exc:
        k.has("deadbeef00")
    assert str(exc.value).startswith("has('deadbeef00'): deadbeef00 is not a modelled commit")
    with pytest.raises(VersionError) as exc:
        k.has("2.06.28")
    assert str(exc.value) == "has('2.06.28'): '2.06.28' is not a Linux release (version numbers have no leading zeros)"
    with pytest.raises(VersionError) as exc:
        k.has(2.6)
    assert str(exc.value) == "has(2.6): a commit sha prefix or a release is a string, not float"


def test_pytest_option_refuses_never_released_versions(pytester, monkeypatch):
    pytester.makepyfile("def test_x(kernel):\n    assert kernel\n")
    monkeypatch.delenv("LINUXMM_KERNEL_VERSION", raising=False)
    result = pytester.runpytest("--kernel-version", "2.06.28")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--kernel-version 2.06.28: '2.06.28' is not a Linux release (version numbers have "
                                 "no leading zeros)*"])


def test_pytest_refuses_an_empty_environment_version(pytester, monkeypatch):
    pytester.makepyfile("def test_x(kernel):\n    assert kernel\n")
    monkeypatch.setenv("LINUXMM_KERNEL_VERSION", "")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*LINUXMM_KERNEL_VERSION=: empty; give a release such as 2.6.28*"])
