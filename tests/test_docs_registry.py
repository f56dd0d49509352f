"""The pages generated from the plugin registry: matrix, timeline, bugs, commits, CLI reference, markers.

The registry functions are checked against the modelled facts; the directives in small Sphinx
projects built here (html, -W), including with a plugin that adds an implementation,
a subcommand and a /proc file, to show that what a plugin registers reaches the docs by itself.
"""

import pytest

import linuxmm
import linuxmm.host
from linuxmm import hookimpl
from linuxmm.host import Host, get_host
from linuxmm.records import Command, Commit, ConfigSymbol, Implementation, ProcFile
from linuxmm.sphinx_registry import fixes_of, live_bugs, matrix, plugin_models, release_span, timeline


def _at(host, tag, title, **kw):
    """The matrix cell of ``title`` in the row that holds release ``tag``."""
    titles, rows, _ = matrix(host, **kw)
    order = host.history.modelled_releases()
    for row in rows:
        if order.index(row.first) <= order.index(tag) <= order.index(row.last):
            return dict(zip(titles, row.cells))[title]
    raise AssertionError(f"{tag} is in no row")


SLAB_CHOICE = "SLAB_ALLOCATOR choice (default in bold)"


def test_matrix_cells_at_known_releases():
    host = get_host()
    assert _at(host, "v1.2.0", "page allocator") == (("code", "buddy-bitmap-1.1"),)
    assert _at(host, "v2.6.10", "/proc") == (("code", "buddyinfo"), ", ", ("code", "meminfo"), ", ",
                                            ("code", "slabinfo"))
    assert _at(host, "v2.6.20", SLAB_CHOICE) == (("strong", "SLAB"), ", ", ("code", "SLOB"))
    assert ("code", "SLOB") not in _at(host, "v6.4", SLAB_CHOICE)  # c9929f0e344a
    # SLAB gone with 16a1d968358a, and with it the choice: 6.8's CONFIG_SLUB is def_bool y
    assert _at(host, "v6.10", SLAB_CHOICE) == ("—",)
    assert _at(host, "v6.7", SLAB_CHOICE) == (("code", "SLAB_DEPRECATED"), ", ", ("strong", "SLUB"))
    assert _at(host, "v4.4", "KASAN")[0] == ("code", "KASAN")
    assert _at(host, "v3.19", "KASAN") == ("—",)


def test_matrix_merges_identical_releases_and_leaves_out_empty_columns():
    host = get_host()
    titles, rows, empty = matrix(host, columns=["page allocator", "vrealloc"], until="v2.6.11")
    assert titles == ["page allocator"] and [t for t, _ in empty] == ["vrealloc"]  # no vrealloc() before 6.12
    assert [(r.first, r.last) for r in rows][-2:] == [("v2.4.0", "v2.4.0"), ("v2.6.0", "v2.6.11")]
    assert sum(r.count for r in rows) == host.history.modelled_releases().index("v2.6.11") + 1


def test_matrix_known_bugs_follow_the_fixes_tags():
    host = get_host()
    bugs = "known bugs present"
    assert _at(host, "v6.11", bugs) == ("—",)
    assert _at(host, "v6.12", bugs)[:5] == (
        ("commit", "3ddc2fefe6f3"), " (fixed by ", ("commit", "d699440f58ce"), ", ", ("commit", "a0309faf1cb0"))
    assert _at(host, "v6.13", bugs)[:3] == (("commit", "3ddc2fefe6f3"), " (fixed by ", ("commit", "a0309faf1cb0"))
    assert ("commit", "a0309faf1cb0") in _at(host, "v6.15-rc6", bugs)
    assert not {("commit", "a0309faf1cb0"), ("commit", "3ddc2fefe6f3")} & set(_at(host, "v6.15", bugs))


def test_matrix_refuses_an_unknown_column():
    with pytest.raises(ValueError, match="unknown matrix column"):
        matrix(get_host(), columns=["slab allocator"])


def test_live_bugs_and_fixes():
    history = get_host().history
    assert ("3ddc2fefe6f3", ["d699440f58ce", "a0309faf1cb0"]) in live_bugs(history, history.resolve("6.12"))
    assert ("a0309faf1cb0", ["f7a35a3c36d1", "70d1eb031a68"]) in live_bugs(history, history.resolve("6.15-rc7"))
    assert not {"3ddc2fefe6f3", "a0309faf1cb0"} & {sha for sha, _ in live_bugs(history, history.resolve("6.15"))}
    table = {bad.sha: [f.sha for f in fixes] for bad, fixes in fixes_of(history)}
    assert table["3ddc2fefe6f3"][:2] == ["d699440f58ce", "a0309faf1cb0"]
    assert table["a0309faf1cb0"] == ["f7a35a3c36d1", "70d1eb031a68"]
    assert release_span(["v6.12-rc1", "v6.12"]) == "v6.12-rc1, v6.12"
    assert release_span(["a", "b", "c", "d"]) == "a … d (4 modelled releases)"


def test_timeline_keeps_the_releases_where_something_happens():
    entries = {e.tag: e for e in timeline(get_host())}
    assert list(entries)[:3] == ["v0.01", "v0.11", "v1.0"]
    assert "v2.6.1" not in entries  # nothing happens there
    assert entries["v1.1.89"].events[0][:4] == ("page_alloc: ", ("code", "swap.c-1.0"), " → ",
                                                ("code", "buddy-bitmap-1.1"))
    flip = ("default of the SLAB_ALLOCATOR choice: ", ("code", "SLAB"), " → ", ("code", "SLUB"))
    assert [tag for tag, e in entries.items() if flip in e.events] in (["v2.6.23"], ["v2.6.23-rc1"])
    slob = dict(entries["v2.6.16-rc1"].commits)
    assert ("config symbols ", ("code", "CONFIG_SLAB"), ", ", ("code", "CONFIG_SLOB"), " appear") in next(
        events for c, events in slob.items() if c.sha == "10cef6029502")
    commits = dict(entries["v6.13-rc2"].commits)
    fix, = [c for c in commits if c.sha == "d699440f58ce"]
    assert ("fixes ", ("commit", "3ddc2fefe6f3"), " (v6.12-rc1)") in commits[fix]
    assert {"70d1eb031a68", "f7a35a3c36d1"} <= {c.sha for c, _ in entries["v6.15"].commits}
    # ca29a0bf1221 (the %pGg table in bit order) is in v6.15-rc1
    assert [e.tag for e in timeline(get_host(), since="v6.14", until="v6.15")] == ["v6.15-rc1", "v6.15-rc6", "v6.15"]


def test_plugin_models_names_the_commits_each_plugin_keys_on():
    models = {m["name"].rpartition(".")[2]: m for m in plugin_models(get_host())}
    from linuxmm_plugins.commits import COMMITS

    assert len(models["mainline"]["declared"]) == len(COMMITS)  # other plugins declare their own too
    page = models["mm_page_alloc"]
    assert {"a2f1b4249007", "5f8dcc21211a", "23baf831a32c", "fd37721803c6"} <= set(page["commits"])
    assert page["refs"]["5f8dcc21211a"] == ["named in its source"]
    assert "v2.6.0" in page["tags"] and page["refs"]["v2.6.0"] == ["implementation buddy-2.6 from"]
    assert models["proc_page_alloc"]["refs"]["467c996c1e19"] == ["/proc/pagetypeinfo from", "named in its source"]
    assert models["mm_memory_001"]["commits"] == [] and models["mm_memory_001"]["tags"] == ["v0.01", "v0.11", "v1.0"]


# -- a plugin that lands later: its records reach the docs without a docs edit ---------------
class _Slab:
    def __init__(self, kernel):
        self.kernel = kernel

    def kmalloc(self, size, gfp):
        return 0


def _toytop(args, boot):
    print(f"toytop at {boot().version}")
    return 0


class LaterPlugin:
    """A small-object allocator, its /proc file, a subcommand, a symbol and a fix, as a later plugin adds them."""

    @hookimpl
    def linuxmm_commits(self):
        return [Commit("abcabc123456", "toy: a small-object allocator", "A. Toymaker", "2007-05-01", "v2.6.22-rc1",
                       source="test"),
                Commit("abcdef123456", "toy: fix the small-object allocator", "A. Toymaker", "2007-06-01",
                       "v2.6.22", fixes=("abcabc123456",), source="test")]

    @hookimpl
    def linuxmm_implementations(self):
        return [Implementation("toy_slab", "toy-slub", factory=_Slab, introduced="abcabc123456",
                               api=("toy_kmalloc:kmalloc",), summary="a toy SLUB")]

    @hookimpl
    def linuxmm_proc_files(self):
        return [ProcFile("toyslabinfo", render=lambda k: "slabinfo - version: 2.1\n", introduced="abcabc123456")]

    @hookimpl
    def linuxmm_config_symbols(self):
        return [ConfigSymbol("TOY_NOTHING", introduced="v2.6.0", removed="v2.6.10", help="changes nothing")]

    @hookimpl
    def linuxmm_commands(self):
        return [Command("toytop", "show toy caches", run=_toytop)]


@pytest.fixture
def later_host(monkeypatch):
    host = Host(extra_plugins=[LaterPlugin()])
    monkeypatch.setattr(linuxmm.host, "_HOST", host)
    return host


def test_a_later_plugin_fills_the_matrix_and_timeline(later_host):
    assert _at(later_host, "v2.6.22-rc1", "toy_slab") == (("code", "toy-slub"),)
    assert _at(later_host, "v2.6.21", "toy_slab") == ("—",)
    assert _at(later_host, "v2.6.22-rc1", "known bugs present")[:3] == (
        ("commit", "abcabc123456"), " (fixed by ", ("commit", "abcdef123456"))
    assert ("commit", "abcabc123456") not in _at(later_host, "v2.6.22", "known bugs present")  # the toy fix
    assert _at(later_host, "v2.6.24", "/proc")[-1] == ("code", "toyslabinfo")
    assert ("code", "toyslabinfo") not in _at(later_host, "v2.6.21", "/proc")
    entries = {e.tag: e for e in timeline(later_host)}
    events, = [ev for c, ev in entries["v2.6.22-rc1"].commits if c.sha == "abcabc123456"]
    assert ("toy_slab: ", ("code", "toy-slub"), " arrives", " — a toy SLUB") in events
    assert (("code", "/proc/toyslabinfo"), " appears") in events


# -- the directives in small builds -----------------------------------------------------------
def _build(tmp_path, body):
    """Build ``body`` as index.md (html, -W); return the status and the page's text, whitespace collapsed."""
    import html
    import re

    from sphinx.cmd.build import build_main

    src = tmp_path / "src"
    src.mkdir(exist_ok=True)
    (src / "conf.py").write_text('extensions = ["myst_parser", "linuxmm.sphinxext"]\n')
    (src / "index.md").write_text(body)
    status = build_main(["-W", "-q", "-E", "-b", "html", str(src), str(tmp_path / "out")])
    out = tmp_path / "out" / "index.html"
    if not out.exists():
        return status, ""
    page = out.read_text()
    page = page[page.index('<div class="body"'):] if '<div class="body"' in page else page
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return status, re.sub(r"\(\s+", "(", re.sub(r"\s+([.,;)])", r"\1", " ".join(text.split())))


def test_kernel_markers_name_the_release_and_commit(tmp_path):
    status, text = _build(tmp_path, "# t\n\n```{kernel-deprecated-removed} 149b6fa228ed c9929f0e344a\n"
                                    ":what: SLOB\n```\n\n```{linuxmm-lifetime} buddy-bitmap-2.2\n```\n")
    assert status == 0
    assert "SLOB: Deprecated in v6.2-rc1, removed in v6.4-rc1 — 149b6fa228ed" in text
    assert "buddy-bitmap-2.2: In the kernel from v2.2.0, removed in v2.4.0." in text
    assert "buddy-bitmap-2.2: In the kernel from v2.2.0." not in text


def test_a_marker_with_an_unknown_commit_fails_the_build(tmp_path):
    status, _ = _build(tmp_path, "# t\n\n```{kernel-added} e64f42036ef4\n```\n")
    assert status != 0


def test_implementations_say_plainly_when_none_is_modelled(tmp_path, later_host):
    status, text = _build(tmp_path, "# t\n\n```{linuxmm-implementations} toy_subsystem\n```\n\n"
                                    "```{linuxmm-implementations} toy_slab\n```\n")
    assert status == 0
    assert "No toy_subsystem implementation is modelled yet" in text
    assert "toy-slub a toy SLUB from v2.6.22-rc1 (abcabc123456 “toy: a small-object allocator”)" in text
    assert "toy_kmalloc" in text


PENDING = "# t\n\n```{linuxmm} --kernel-version 2.6.28 toytop\n:pending:\n```\n"


def test_pending_example_waits_for_its_command(tmp_path):
    status, text = _build(tmp_path, PENDING)
    assert status == 0
    assert "Not modelled yet" in text and "$ linuxmm --kernel-version 2.6.28 toytop" in text


def test_pending_example_runs_once_the_command_exists(tmp_path, later_host):
    status, text = _build(tmp_path, PENDING)
    assert status == 0
    assert "toytop at v2.6.28" in text and "Not modelled yet" not in text


def test_pending_example_fails_the_build_once_its_command_exists_and_fails(tmp_path, later_host):
    status, _ = _build(tmp_path, "# t\n\n```{linuxmm} --kernel-version 2.6.20 proc toyslabinfo\n:pending:\n```\n")
    assert status != 0  # the file exists now, but not at 2.6.20


def test_pending_proc_file(tmp_path):
    status, text = _build(tmp_path, "# t\n\n```{linuxmm} proc toyinfo\n:pending:\n:real: cat /proc/toyinfo\n```\n")
    assert status == 0
    assert "/proc/toyinfo is not in linuxmm yet" in text
    assert "On Linux: cat /proc/toyinfo" in text


def test_cli_reference_lists_every_command_plugins_included(tmp_path, later_host):
    from linuxmm.cli import build_parser

    status, text = _build(tmp_path, "# t\n\n```{linuxmm-cli}\n```\n")
    assert status == 0
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    for name in sub.choices:
        assert f"linuxmm {name} ¶" in text
    assert "Show toy caches. (from a plugin)" in text
    assert "--kernel-version V" in text and "--tags-only" in text


def test_symbols_say_what_setting_them_changes(tmp_path):
    status, text = _build(tmp_path, "# t\n\n```{linuxmm-symbols} KASAN SLUB NOSUCH\n```\n")
    assert status == 0
    flat = text
    assert "CONFIG_KASAN Kernel address sanitizer" in flat
    assert "changes checks on every memory access, the boot log (at v6.18)" in flat  # KASAN is modelled
    assert "chooses slub" in flat  # CONFIG_SLUB picks the slub implementation
    assert "CONFIG_NOSUCH" in flat and "not declared by any plugin yet" in flat


def test_symbol_effect_compares_two_boots(later_host):
    from linuxmm.sphinx_registry import symbol_effect

    host = later_host
    assert symbol_effect(host, host.symbols["INIT_ON_ALLOC_DEFAULT_ON"]) == "changes the boot log (at v6.18)"
    assert symbol_effect(host, host.symbols["TOY_NOTHING"]) == ("boots the same implementations, memory checks and boot log "
                                        "either way (at v2.6.9)")


def test_pages_lists_only_pages_that_exist(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "era.md").write_text("# An era\n")
    status, text = _build(tmp_path, "# t\n\n```{toctree}\nera\n```\n\n```{linuxmm-pages}\nera\nmissing\n```\n")
    assert status == 0
    assert "An era" in text and "missing" not in text
