"""Kconfig semantics: prompts, depends on, select, choice, what-ifs and unmodelled symbols."""

import pytest

import linuxmm
from linuxmm import hookimpl
from linuxmm.errors import ArgumentError, ConfigError
from linuxmm.host import Host
from linuxmm.kconfig import eval_expr, parse_expr, resolve
from linuxmm.records import BenchCase, Command, ConfigSymbol


class KconfigToy:
    """Symbols shaped like the record's slab and KASAN ones, bounded by modelled releases."""

    @hookimpl
    def linuxmm_config_symbols(self):
        old = lambda rev: not rev.has("v6.2")  # noqa: E731
        return [
            ConfigSymbol("T_EXPERT", introduced="v2.6.0"),
            ConfigSymbol("T_SLAB", introduced="v2.6.0", choice="T_ALLOC", default=old),
            ConfigSymbol("T_SLUB", introduced="v2.6.0", choice="T_ALLOC", default=lambda rev: not old(rev)),
            # before 6.2 a choice member; from 6.2 hidden, following T_SLOB_DEPRECATED
            ConfigSymbol("T_SLOB", introduced="v2.6.0", choice=lambda rev: "T_ALLOC" if old(rev) else None,
                         prompt=old, default=lambda rev: not old(rev),
                         depends_on=lambda rev: "T_EXPERT" if old(rev) else "T_SLOB_DEPRECATED",
                         note="choose T_SLOB_DEPRECATED (needs T_EXPERT)"),
            ConfigSymbol("T_SLOB_DEPRECATED", introduced="v6.2", choice="T_ALLOC", depends_on="T_EXPERT"),
            ConfigSymbol("T_KASAN", introduced="v4.0", select=("T_STACKDEPOT",)),
            ConfigSymbol("T_STACKDEPOT", introduced="v2.6.0", prompt=False),
            ConfigSymbol("T_KASAN_VMALLOC", introduced="v5.5", depends_on="T_KASAN && (T_ARCH || T_EXPERT)",
                         modelled=False),
            ConfigSymbol("T_ARCH", introduced="v2.6.0", prompt=False, whatif="x86_64 selected it only later"),
        ]


@pytest.fixture(scope="module")
def host():
    return Host(extra_plugins=[KconfigToy()])


def res(host, version, given):
    return resolve(host, host.history.resolve(version), given)


def test_expressions():
    node = parse_expr("A && !(B || C)")
    assert eval_expr(node, {"A": True}) is True
    assert eval_expr(node, {"A": True, "C": True}) is False
    assert eval_expr(parse_expr(""), {}) is True
    with pytest.raises(ValueError):
        parse_expr("A &&")


def test_choice_defaults_and_alternatives(host):
    c = res(host, "6.1", {})
    assert (c["T_SLAB"], c["T_SLUB"], c["T_SLOB"]) == (True, False, False)
    c = res(host, "6.1", ["T_EXPERT=y", "T_SLOB=y"])
    assert (c["T_SLAB"], c["T_SLUB"], c["T_SLOB"]) == (False, False, True)
    with pytest.raises(ConfigError) as exc:
        res(host, "6.1", ["T_SLOB=y"])
    assert str(exc.value) == "CONFIG_T_SLOB=y is impossible at v6.1: it depends on T_EXPERT"
    with pytest.raises(ConfigError) as exc:
        res(host, "6.1", ["T_SLUB=y", "T_SLAB=y"])
    assert str(exc.value) == "CONFIG_T_SLUB and CONFIG_T_SLAB are alternatives; choose one"


def test_empty_choice_is_refused(host):
    with pytest.raises(ConfigError) as exc:
        res(host, "6.1", ["T_SLAB=n", "T_SLUB=n"])
    assert str(exc.value) == ("CONFIG_T_SLAB=n leaves the T_ALLOC choice empty: set one of CONFIG_T_SLOB to y "
                              "instead (and what it depends on)")
    with pytest.raises(ConfigError) as exc:
        res(host, "6.1", ["T_SLAB=n", "T_SLUB=n", "T_SLOB=n"])
    assert str(exc.value) == ("CONFIG_T_SLAB=n leaves the T_ALLOC choice empty: at v6.1 it offers only "
                              "CONFIG_T_SLAB, CONFIG_T_SLUB, CONFIG_T_SLOB")
    # SLAB=n alone: the first other member whose dependencies hold
    assert res(host, "6.1", ["T_SLAB=n"])["T_SLUB"] is True


def test_hidden_symbol_follows_its_dependency(host):
    c = res(host, "6.3", ["T_EXPERT=y", "T_SLOB_DEPRECATED=y"])
    assert c["T_SLOB"] is True and c["T_SLOB_DEPRECATED"] is True and c["T_SLUB"] is False
    assert res(host, "6.3", {})["T_SLOB"] is False
    with pytest.raises(ConfigError) as exc:
        res(host, "6.3", ["T_SLOB=y"])
    assert str(exc.value) == ("CONFIG_T_SLOB cannot be set at v6.3: it has no prompt there; its value follows "
                              "T_SLOB_DEPRECATED (choose T_SLOB_DEPRECATED (needs T_EXPERT))")


def test_select_forces_and_cannot_be_refused(host):
    assert res(host, "4.0", ["T_KASAN=y"])["T_STACKDEPOT"] is True
    assert res(host, "4.0", {})["T_STACKDEPOT"] is False
    with pytest.raises(ConfigError) as exc:
        res(host, "4.0", {"T_KASAN": True, "T_STACKDEPOT": False})
    # a no-prompt symbol cannot be set at all, so the prompt check speaks first
    assert "has no prompt" in str(exc.value)


def test_depends_names_what_is_missing(host):
    with pytest.raises(ConfigError) as exc:
        res(host, "5.5", ["T_KASAN_VMALLOC=y"])
    assert str(exc.value) == ("CONFIG_T_KASAN_VMALLOC=y is impossible at v5.5: it depends on T_KASAN && (T_ARCH "
                              "|| T_EXPERT) (CONFIG_T_KASAN=n, CONFIG_T_ARCH=n, CONFIG_T_EXPERT=n)")
    c = res(host, "5.5", ["T_KASAN=y", "T_EXPERT=y", "T_KASAN_VMALLOC=y"])
    assert c["T_KASAN_VMALLOC"] is True and c.unmodelled == ["T_KASAN_VMALLOC"]
    assert c.user == {"T_KASAN": True, "T_EXPERT": True, "T_KASAN_VMALLOC": True}


def test_whatif_on_a_hidden_symbol(host):
    c = res(host, "5.5", ["T_ARCH=y", "T_KASAN=y", "T_KASAN_VMALLOC=y"])
    assert c["T_ARCH"] is True
    assert c.whatifs == ["CONFIG_T_ARCH=y: x86_64 selected it only later"]


def test_config_given_as_a_bare_string_is_refused(host):
    with pytest.raises(ConfigError) as exc:
        res(host, "6.1", "T_SLAB=y")
    assert str(exc.value).startswith("config must be a mapping such as {'KASAN': True} or a list of")
    with pytest.raises(ConfigError) as exc:
        res(host, "6.1", [1])
    assert str(exc.value) == 'config item 1 is not a string: write "NAME=VALUE", e.g. "KASAN=y"'
    with pytest.raises(ConfigError) as exc:
        res(host, "6.1", {"T_SLAB": 1.5})
    assert str(exc.value) == "CONFIG_T_SLAB is a bool: use y or n, not 1.5"


def test_counters_refuse_unknown_names():
    k = linuxmm.boot("2.6.28")
    assert k.counters["tlb_flushes"] == 0
    with pytest.raises(ArgumentError) as exc:
        k.counters["tlb_flush"]
    assert str(exc.value).startswith("no counter named 'tlb_flush' in this kernel (its counters: bad_pages, ")
    k.counters.declare("vmap_steps")
    k.counters["vmap_steps"] += 2
    k.counters.declare("vmap_steps")
    assert k.counters["vmap_steps"] == 2


class ToolToy:
    @hookimpl
    def linuxmm_commands(self):
        def run(args, boot):
            print(f"toy {args.words} at {boot().version}")
            return 0

        yield Command("toy", help="print words", run=run, example="linuxmm toy a b",
                      configure=lambda p: p.add_argument("words", nargs="*"))
        yield Command("toynoboot", help="boots nothing", run=lambda args, boot: 0, boots=False)

    @hookimpl
    def linuxmm_bench_cases(self):
        yield BenchCase("toy", stmt="pass", setup=dict)


def test_plugin_commands_reach_the_cli(monkeypatch, capsys):
    import linuxmm.host as hostmod
    from linuxmm.cli import main

    monkeypatch.setattr(hostmod, "_HOST", Host(extra_plugins=[ToolToy()]))
    assert main(["--kernel-version", "2.6.28", "toy", "a", "b"]) == 0
    assert capsys.readouterr().out == "toy ['a', 'b'] at v2.6.28\n"
    assert main(["--mem", "1G", "toynoboot"]) == 2
    assert capsys.readouterr().err == ("linuxmm: error: toynoboot takes no kernel options (it boots nothing): "
                                       "drop --mem\n")
    assert "toy" in hostmod._HOST.bench_cases
