"""The pages generated from the plugin registry: matrix, timeline, bugs, commits, CLI reference, markers.

The registry functions are checked against the modelled facts; the directives in small Sphinx
projects built here (text builder, -W), including with a plugin that adds a slab implementation,
a subcommand and a /proc file, to show that what a plugin registers reaches the docs by itself.
"""

import pytest

import linuxmm
import linuxmm.host
from linuxmm import hookimpl
from linuxmm.host import Host, get_host
from linuxmm.records import Command, Commit, Implementation, ProcFile
from linuxmm.sphinx_registry import fixes_of, live_bugs, matrix, plugin_models, release_span, timeline


def _rows(host, **kw):
    titles, rows, empty = matrix(host, **kw)
    return titles, {(r.first, r.last): dict(zip(titles, r.cells)) for r in rows}, empty


def test_matrix_merges_releases_and_leaves_out_what_is_not_modelled():
    titles, rows, empty = _rows(get_host())
    assert titles[0] == "page allocator" and titles[-1] == "/proc"
    assert ("small objects", "not modelled") in empty and ("vmalloc", "not modelled") in empty
    assert rows[("v1.1.89", "v2.0")]["page allocator"] == (("code", "buddy-bitmap-1.1"),)
    assert rows[("v2.6.0", "v2.6.15")]["/proc"] == (("code", "buddyinfo"),)
    slab = "SLAB_ALLOCATOR choice (default in bold)"
    assert rows[("v2.6.16-rc1", "v2.6.21")][slab] == (("strong", "SLAB"), ", ", ("code", "SLOB"))
    assert rows[("v6.8-rc1", "v6.11")][slab] == (("strong", "SLUB"),)  # SLAB gone with 16a1d968358a
    assert rows[("v6.4-rc1", "v6.7")][slab] == (("code", "SLAB"), ", ", ("strong", "SLUB"))  # SLOB gone


def test_matrix_known_bugs_follow_the_fixes_tags():
    _, rows, _ = _rows(get_host(), columns=["known bugs"], since="v6.10")
    assert list(rows) == [("v6.10", "v6.11"), ("v6.12-rc1", "v6.12"), ("v6.13-rc2", "v6.14"),
                          ("v6.15-rc6", "v6.15-rc6"), ("v6.15", "v6.18")]
    assert rows[("v6.12-rc1", "v6.12")]["known bugs present"] == (
        ("commit", "3ddc2fefe6f3"), " (fixed by ", ("commit", "d699440f58ce"), ", ", ("commit", "a0309faf1cb0"), ")")
    assert rows[("v6.15-rc6", "v6.15-rc6")]["known bugs present"][0] == ("commit", "a0309faf1cb0")
    assert rows[("v6.15", "v6.18")]["known bugs present"] == ("—",)


def test_matrix_refuses_an_unknown_column():
    with pytest.raises(ValueError, match="unknown matrix column"):
        matrix(get_host(), columns=["slab allocator"])


def test_live_bugs_and_fixes():
    history = get_host().history
    assert live_bugs(history, history.resolve("6.12")) == [("3ddc2fefe6f3", ["d699440f58ce", "a0309faf1cb0"])]
    assert live_bugs(history, history.resolve("6.15-rc7")) == [("a0309faf1cb0", ["70d1eb031a68", "f7a35a3c36d1"])]
    assert live_bugs(history, history.resolve("6.15")) == []
    assert [(bad.sha, [f.sha for f in fixes]) for bad, fixes in fixes_of(history)] == [
        ("3ddc2fefe6f3", ["d699440f58ce", "a0309faf1cb0"]), ("a0309faf1cb0", ["70d1eb031a68", "f7a35a3c36d1"])]
    assert release_span(["v6.12-rc1", "v6.12"]) == "v6.12-rc1, v6.12"
    assert release_span(["a", "b", "c", "d"]) == "a … d (4 modelled releases)"


def test_timeline_keeps_the_releases_where_something_happens():
    entries = {e.tag: e for e in timeline(get_host())}
    assert list(entries)[:3] == ["v0.01", "v0.11", "v1.0"]
    assert "v2.6.1" not in entries  # nothing happens there
    assert entries["v1.1.89"].events[0][:4] == ("page_alloc: ", ("code", "swap.c-1.0"), " → ",
                                                ("code", "buddy-bitmap-1.1"))
    assert entries["v2.6.23"].events == [("default of the SLAB_ALLOCATOR choice: ", ("code", "SLAB"), " → ",
                                          ("code", "SLUB"))]
    (commit, events), = entries["v6.13-rc2"].commits
    assert commit.sha == "d699440f58ce" and events == [("fixes ", ("commit", "3ddc2fefe6f3"), " (v6.12-rc1)")]
    assert [c.sha for c, _ in entries["v6.15"].commits] == ["70d1eb031a68", "f7a35a3c36d1"]
    assert [e.tag for e in timeline(get_host(), since="v6.13", until="v6.15")] == ["v6.15-rc6", "v6.15"]


def test_plugin_models_names_the_commits_each_plugin_keys_on():
    models = {m["name"].rpartition(".")[2]: m for m in plugin_models(get_host())}
    assert len(models["mainline"]["declared"]) == len(get_host().history.commits)
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


def _slabtop(args, boot):
    print(f"slabtop at {boot().version}")
    return 0


class LaterPlugin:
    """A slab allocator, its /proc file, a subcommand and a fix, as a later plugin would add them."""

    @hookimpl
    def linuxmm_commits(self):
        return [Commit("81819f0fc828", "SLUB core", "Christoph Lameter", "2007-05-06", "v2.6.22-rc1",
                       mark="V", source="many 'Fixes: 81819f0fc828 (\"SLUB core\")' tags; tag/date from "
                                        "recollection (date S)"),
                Commit("abcdef123456", "toy: fix SLUB core", "A. Toymaker", "2007-06-01", "v2.6.22",
                       fixes=("81819f0fc828",), source="test")]

    @hookimpl
    def linuxmm_implementations(self):
        return [Implementation("slab", "toy-slub", factory=_Slab, introduced="81819f0fc828", kconfig="SLUB",
                               api=("kmalloc",), summary="a toy SLUB")]

    @hookimpl
    def linuxmm_proc_files(self):
        return [ProcFile("toyslabinfo", render=lambda k: "slabinfo - version: 2.1\n", introduced="81819f0fc828")]

    @hookimpl
    def linuxmm_commands(self):
        return [Command("slabtop", "show slab caches", run=_slabtop)]


@pytest.fixture
def later_host(monkeypatch):
    host = Host(extra_plugins=[LaterPlugin()])
    monkeypatch.setattr(linuxmm.host, "_HOST", host)
    return host


def test_a_later_plugin_fills_the_matrix_and_timeline(later_host):
    titles, rows, empty = _rows(later_host, columns=["small objects", "known bugs", "/proc"], since="v2.6.21")
    assert ("small objects", "not modelled") not in empty
    assert rows[("v2.6.21", "v2.6.21")]["small objects"] == ("—",)
    assert rows[("v2.6.22-rc1", "v2.6.22-rc1")]["known bugs present"][0] == ("commit", "81819f0fc828")
    assert rows[("v2.6.22-rc1", "v2.6.22-rc1")]["small objects"] == (("code", "toy-slub"),)
    assert rows[("v2.6.22", "v2.6.23")]["known bugs present"] == ("—",)  # the toy fix is in v2.6.22
    assert rows[("v2.6.24-rc1", "v6.11")]["/proc"][-1] == ("code", "toyslabinfo")
    entries = {e.tag: e for e in timeline(later_host)}
    (commit, events), = entries["v2.6.22-rc1"].commits
    assert ("slab: ", ("code", "toy-slub"), " arrives", " — a toy SLUB") in events
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
    return status, re.sub(r"\s+([.,;)])", r"\1", " ".join(text.split()))


def test_kernel_markers_name_the_release_and_commit(tmp_path):
    status, text = _build(tmp_path, "# t\n\n```{kernel-deprecated-removed} 149b6fa228ed c9929f0e344a\n"
                                    ":what: SLOB\n```\n\n```{linuxmm-lifetime} buddy-bitmap-2.2\n```\n")
    assert status == 0
    assert "SLOB: Deprecated in v6.2-rc1, removed in v6.4-rc1 — 149b6fa228ed" in text
    assert "buddy-bitmap-2.2: In the kernel from v2.2.0." in text
    assert "buddy-bitmap-2.2: Removed in v2.4.0." in text


def test_a_marker_with_an_unknown_commit_fails_the_build(tmp_path):
    status, _ = _build(tmp_path, "# t\n\n```{kernel-added} e64f42036ef4\n```\n")
    assert status != 0


def test_implementations_say_plainly_when_none_is_modelled(tmp_path, later_host):
    status, text = _build(tmp_path, "# t\n\n```{linuxmm-implementations} vmalloc\n```\n\n"
                                    "```{linuxmm-implementations} slab\n```\n")
    assert status == 0
    assert "No vmalloc implementation is modelled yet" in text
    assert "toy-slub" in text and "In the kernel from v2.6.22-rc1" in text and "CONFIG_SLUB=y" in text


PENDING = "# t\n\n```{linuxmm} --kernel-version 2.6.28 slabtop\n:pending:\n```\n"


def test_pending_example_waits_for_its_command(tmp_path):
    status, text = _build(tmp_path, PENDING)
    assert status == 0
    assert "Not modelled yet" in text and "$ linuxmm --kernel-version 2.6.28 slabtop" in text


def test_pending_example_runs_once_the_command_exists(tmp_path, later_host):
    status, text = _build(tmp_path, PENDING)
    assert status == 0
    assert "slabtop at v2.6.28" in text and "Not modelled yet" not in text


def test_pending_example_fails_the_build_once_its_command_exists_and_fails(tmp_path, later_host):
    status, _ = _build(tmp_path, "# t\n\n```{linuxmm} --kernel-version 2.6.20 proc toyslabinfo\n:pending:\n```\n")
    assert status != 0  # the file exists now, but not at 2.6.20


def test_pending_proc_file(tmp_path):
    status, text = _build(tmp_path, "# t\n\n```{linuxmm} proc slabinfo\n:pending:\n:real: cat /proc/slabinfo\n```\n")
    assert status == 0
    assert "/proc/slabinfo is not in linuxmm yet" in text
    assert "On Linux: cat /proc/slabinfo" in text


def test_cli_reference_lists_every_command_plugins_included(tmp_path, later_host):
    from linuxmm.cli import build_parser

    status, text = _build(tmp_path, "# t\n\n```{linuxmm-cli}\n```\n")
    assert status == 0
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    for name in sub.choices:
        assert f"linuxmm {name} ¶" in text
    assert "Show slab caches. (from a plugin)" in text
    assert "--kernel-version V" in text and "--tags-only" in text


def test_symbols_say_what_setting_them_changes(tmp_path):
    status, text = _build(tmp_path, "# t\n\n```{linuxmm-symbols} KASAN SLUB NOSUCH\n```\n")
    assert status == 0
    flat = text
    assert "no effect in the model yet (checked at v6.18)" in flat  # KASAN: nothing reads it yet
    assert "CONFIG_NOSUCH" in flat and "not declared by any plugin yet" in flat


def test_pages_lists_only_pages_that_exist(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "era.md").write_text("# An era\n")
    status, text = _build(tmp_path, "# t\n\n```{toctree}\nera\n```\n\n```{linuxmm-pages}\nera\nmissing\n```\n")
    assert status == 0
    assert "An era" in text and "missing" not in text
