"""Kconfig symbols and the boot command line, validated against the revision."""

import pytest

import linuxmm
from linuxmm.config import memparse, parse_cmdline, resolve_config
from linuxmm.errors import ConfigError


@pytest.fixture(scope="module")
def host():
    return linuxmm.get_host()


def cfg(host, version, given):
    return resolve_config(host, host.history.resolve(version), given)


def test_prefix_is_optional_and_values_coerce(host):
    assert cfg(host, "4.0", ["CONFIG_KASAN=y"])["KASAN"] is True
    assert cfg(host, "4.0", ["kasan=y"])["KASAN"] is True
    assert cfg(host, "4.0", {"KASAN": True})["KASAN"] is True
    assert cfg(host, "4.0", {})["KASAN"] is False


def test_symbol_before_it_existed(host):
    with pytest.raises(ConfigError) as exc:
        cfg(host, "3.19", ["KASAN=y"])
    assert str(exc.value) == ('CONFIG_KASAN is not in v3.19: it appeared in v4.0-rc1 '
                              '(0b24becc810d "kasan: add kernel address sanitizer infrastructure")')


def test_symbol_after_it_was_removed(host):
    with pytest.raises(ConfigError) as exc:
        cfg(host, "6.4", ["SLOB=y"])
    assert str(exc.value).startswith('CONFIG_SLOB is not in v6.4: it was removed in v6.4-rc1 '
                                     '(c9929f0e344a "mm/slob: remove CONFIG_SLOB"); ')
    # Asking for "off" where the symbol does not exist is harmless.
    assert "SLOB" not in cfg(host, "6.4", ["SLOB=n"])


def test_choice_group(host):
    values = cfg(host, "6.1", ["SLOB=y", "EXPERT=y"])  # SLOB depends on EXPERT from 2.6.39
    assert values["SLOB"] is True and values["SLUB"] is False and values["SLAB"] is False
    assert cfg(host, "6.1", {})["SLUB"] is True
    assert cfg(host, "2.6.22", {})["SLAB"] is True and cfg(host, "2.6.22", {})["SLUB"] is False
    with pytest.raises(ConfigError) as exc:
        cfg(host, "6.1", ["SLOB=y", "SLUB=y"])
    assert str(exc.value) == "CONFIG_SLOB and CONFIG_SLUB are alternatives; choose one"


def test_unknown_symbol_and_bad_value(host):
    with pytest.raises(ConfigError) as exc:
        cfg(host, "6.1", ["KASANN=y"])
    assert str(exc.value).startswith("unknown config symbol CONFIG_KASANN; known symbols like it: CONFIG_KASAN")
    with pytest.raises(ConfigError) as exc:
        cfg(host, "6.1", ["KASAN=maybe"])
    assert str(exc.value) == "CONFIG_KASAN is a bool: use y or n, not 'maybe'"


def test_cmdline_known_unknown_and_malformed(host):
    rev = host.history.resolve("5.3")
    cmd = parse_cmdline(host, rev, "init_on_alloc=1 init_on_free=maybe quiet splash mem=64M")
    assert cmd.values == {"init_on_alloc": True, "quiet": True, "mem": 64 << 20}
    assert cmd.malformed == ["init_on_free"]
    assert cmd.unknown == ["splash"]  # every kernel since 2.4.0 knows quiet; none knows splash
    assert cmd.unmodelled == ["quiet"]
    old = parse_cmdline(host, host.history.resolve("5.2"), "init_on_alloc=1")
    assert old.values == {} and old.unknown == ["init_on_alloc=1"]


@pytest.mark.parametrize("text,value", [("4096", 4096), ("64K", 65536), ("256M", 256 << 20), ("64G", 64 << 30),
                                        ("1t", 1 << 40), ("8MB", 8 << 20), ("0x800000", 8 << 20), ("0x10M", 16 << 20),
                                        ("010", 8), ("0", 0)])
def test_memparse(text, value):
    assert memparse(text) == value


@pytest.mark.parametrize("text", ["", "lots", "12Q", "-1M", "08", "0xM"])
def test_memparse_rejects(text):
    with pytest.raises(ValueError):
        memparse(text)


@pytest.mark.parametrize("version,unknown", [
    # the words each era did not know, from its own init/main.c and friends (plugins/init_main.py)
    ("1.0", ["init=/bin/sh", "console=ttyS0", "quiet", "loglevel=7", "earlyprintk=serial", "rootwait"]),
    ("2.2", ["quiet", "loglevel=7", "earlyprintk=serial", "rootwait"]),
    ("2.4", ["loglevel=7", "earlyprintk=serial", "rootwait"]),
    ("2.6.11", ["loglevel=7", "rootwait"]),
    ("2.6.20", ["rootwait"]),
    ("6.18", []),
])
def test_common_parameters_are_known_per_era(host, version, unknown):
    text = "root=/dev/sda1 ro init=/bin/sh console=ttyS0 quiet loglevel=7 earlyprintk=serial rootwait"
    cmd = parse_cmdline(host, host.history.resolve(version), text)
    assert cmd.unknown == unknown
    assert "root" in cmd.unmodelled and "ro" in cmd.unmodelled


def test_unknown_parameters_line_from_514(host):
    k = linuxmm.boot("5.14", cmdline="quiet ro root=/dev/sda1 splash BOOT_IMAGE=/vmlinuz console")
    assert k.dmesg[:2] == [
        "Kernel command line: quiet ro root=/dev/sda1 splash BOOT_IMAGE=/vmlinuz console",
        # a parameter that takes a value is not known without one: it goes to user space
        'Unknown kernel command line parameters "splash BOOT_IMAGE=/vmlinuz console", will be passed to user space.']
    k = linuxmm.boot("5.13", cmdline="splash")
    assert not any("Unknown kernel command line" in line for line in k.dmesg)


def test_cmdline_must_be_text(host):
    with pytest.raises(ConfigError) as exc:
        linuxmm.boot("6.1", cmdline=["quiet"])
    assert str(exc.value) == "the command line is a string such as \"quiet init_on_alloc=1\", not list ['quiet']"


def test_unmodelled_symbols_and_parameters_are_listed(host):
    k = linuxmm.boot("6.12", config={"KASAN": True, "PROVE_LOCKING": True}, cmdline="quiet failslab=1,100,0,-1")
    assert k.config.unmodelled == ["PROVE_LOCKING"] and k.cmdline.unmodelled == ["quiet"]
    # without CONFIG_FAILSLAB the kernel has no failslab= handler: the word goes to user space
    assert k.cmdline.unknown == ["failslab=1,100,0,-1"]
    with pytest.raises(ConfigError) as exc:
        linuxmm.boot("6.12", config=["KASAN_VMALLOC=y"])
    assert str(exc.value) == ("CONFIG_KASAN_VMALLOC=y is impossible at v6.12: it depends on KASAN && "
                              "HAVE_ARCH_KASAN_VMALLOC (CONFIG_KASAN=n)")
    with pytest.raises(ConfigError) as exc:
        linuxmm.boot("6.12", config=["FAILSLAB=y"])
    assert str(exc.value) == "CONFIG_FAILSLAB=y is impossible at v6.12: it depends on FAULT_INJECTION"
