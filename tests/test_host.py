"""The plugin host: third-party plugins, conflicts, pending hooks."""

import pluggy
import pytest

import linuxmm
from linuxmm import hookimpl
from linuxmm.errors import ConfigError, NotInThisKernel, PluginError
from linuxmm.host import BUILTIN_PLUGINS, Host
from linuxmm.records import Implementation

import toyplugin


@pytest.fixture(scope="module")
def toy_host():
    return Host(extra_plugins=[toyplugin])


def test_builtin_plugins_load_through_entry_points():
    host = linuxmm.get_host()
    names = {host.pm.get_name(p) for p in host.pm.get_plugins()}
    for module in BUILTIN_PLUGINS:
        short = module.rsplit(".", 1)[1]
        assert short in names or module in names


def test_third_party_plugin_boots(toy_host):
    k = linuxmm.boot("2.6.29", config={"TOY_PAGE_ALLOC": True}, host=toy_host)
    assert k.implementations["page_alloc"].name == "toy"
    a = k.toy_get_page()
    assert a == 0x1000 + k.page_alloc.page_offset
    assert k.page_alloc.nr_free_pages() == 254
    k.toy_put_page(a)
    assert k.proc("toyinfo") == "free 255\n"


def test_third_party_symbol_is_bounded_by_its_commit(toy_host):
    with pytest.raises(ConfigError) as exc:
        linuxmm.boot("2.6.28", config={"CONFIG_TOY_PAGE_ALLOC": "y"}, host=toy_host)
    assert str(exc.value) == ('CONFIG_TOY_PAGE_ALLOC is not in v2.6.28: it appeared in '
                              'v2.6.29 (1234567890ab "toy: add the toy allocator")')


def test_stable_release_with_a_backport(toy_host):
    rev = toy_host.history.resolve("2.6.29.5")
    assert rev.name == "v2.6.29.2" and rev.has("1234567890ab") and rev.has("v2.6.29")
    assert not rev.has("v2.6.30")


def test_toy_calls_missing_elsewhere(toy_host):
    k = linuxmm.boot("2.6.28", host=toy_host)
    with pytest.raises(NotInThisKernel) as exc:
        k.toy_get_page()
    assert str(exc.value) == ('toy_get_page() is not in v2.6.28: it appeared with toy in '
                              'v2.6.29 (1234567890ab "toy: add the toy allocator")')


def test_two_plugins_claiming_one_name():
    class Twin:
        @hookimpl
        def linuxmm_implementations(self):
            return [Implementation(subsystem="page_alloc", name="toy", factory=object, introduced="v2.6.0",
                                   default=False, kconfig="TOY_PAGE_ALLOC")]

    with pytest.raises(PluginError) as exc:
        Host(extra_plugins=[toyplugin, Twin()])
    assert "implementation 'toy' is claimed by both" in str(exc.value)


def test_unknown_commit_reference_is_a_plugin_error():
    class Dangling:
        @hookimpl
        def linuxmm_implementations(self):
            return [Implementation(subsystem="x", name="dangling", factory=object, introduced="ffffffffffff")]

    with pytest.raises(PluginError) as exc:
        Host(extra_plugins=[Dangling()])
    assert "refers to ffffffffffff, which no plugin declares as a commit" in str(exc.value)


def test_check_pending_catches_a_misspelt_hook():
    class Typo:
        @hookimpl
        def linuxmm_implementation(self):  # missing "s"
            return []

    with pytest.raises(pluggy.PluginValidationError):
        Host(extra_plugins=[Typo()])


def _fake_entry_points(monkeypatch, extra):
    import importlib.metadata as md

    real = md.entry_points(group="linuxmm")
    fake = list(real) + [md.EntryPoint(name, value, "linuxmm") for name, value in extra]
    monkeypatch.setattr(md, "entry_points", lambda group=None: [ep for ep in fake if ep.group == group])


def test_linuxmm_plugins_restricts_third_party_plugins(monkeypatch):
    _fake_entry_points(monkeypatch, [("toy", "toyplugin")])
    monkeypatch.setenv("LINUXMM_PLUGINS", "toy")
    assert "toy" in Host().implementations
    monkeypatch.setenv("LINUXMM_PLUGINS", "")  # none beyond the built-in eras
    host = Host()
    assert "toy" not in host.implementations and "buddy-2.6" in host.implementations
    monkeypatch.setenv("LINUXMM_PLUGINS", "toy,nosuch")
    with pytest.raises(PluginError) as exc:
        Host()
    assert str(exc.value) == "LINUXMM_PLUGINS names nosuch, which no installed package provides (installed: toy)"
    monkeypatch.delenv("LINUXMM_PLUGINS")
    monkeypatch.setenv("LINUXMM_DISABLE_PLUGIN_AUTOLOAD", "1")
    assert "toy" not in Host().implementations
