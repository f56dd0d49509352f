"""The strict docs build, and the README's promise of two commands."""

import html
import pathlib
import re
import shutil
import subprocess
import tempfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_readme_starts_with_the_two_commands():
    text = (ROOT / "README.md").read_text()
    block = re.search(r"```sh\n(.*?)```", text, re.S)
    assert block and text.index(block.group(0)) < text.index("linuxmm is Linux")
    assert block.group(1).splitlines() == [
        "pip install . && linuxmm --kernel-version 0.01 run",
        'pip install ".[test]" && pytest',
    ]


def test_ci_runs_the_readme_test_command():
    script = (ROOT / ".ci" / "run").read_text()
    assert "sed -n 2p" in script and "sphinx-build -n -W" in script


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The whole site, built once for this module the way CI builds it: -n -W --keep-going."""
    from sphinx.cmd.build import build_main

    out = tmp_path_factory.mktemp("site") / "html"
    status = build_main(["-n", "-W", "--keep-going", "-q", "-b", "html", str(ROOT / "docs"), str(out)])
    return status, out


def test_strict_docs_build(site):
    status, out = site
    assert status == 0
    for page in ("record-vs-legend", "timeline", "matrix", "commits", "cli", "api", "changelog",
                 "getting-started", "book/page-allocation", "book/slab", "book/vmalloc", "book/vrealloc",
                 "book/kasan", "war-stories/index", "eras/page-allocators"):
        assert (out / f"{page}.html").exists(), page


def _text(path):
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", path.read_text())).split())
    return re.sub(r"\s+([.,;)])", r"\1", text)


def test_site_pages_carry_the_generated_facts(site):
    _, out = site
    timeline = _text(out / "timeline.html")
    assert "default of the SLAB_ALLOCATOR choice: SLAB → SLUB" in timeline
    assert "d699440f58ce mm: fix vrealloc()'s KASAN poisoning logic" in timeline
    matrix = _text(out / "matrix.html")
    assert "v1.1.89 – v1.2.0 buddy-bitmap-1.1 kmalloc.c-1.1" in matrix and "buddy-2.6" in matrix
    assert "3ddc2fefe6f3 (fixed by d699440f58ce, a0309faf1cb0)" in matrix
    book = (out / "book" / "page-allocation.html").read_text()
    assert book.count('class="linuxmm-figure') == 2 and book.count("../_images/linuxmm-sphinx_figures-") == 2
    assert (out / "_images" / "linuxmm-sphinx_figures-free_blocks_per_order.png").exists()
    assert "Unreleased" in _text(out / "changelog.html")  # CHANGELOG.md is part of the site
    cli = _text(out / "cli.html")
    assert "linuxmm extfrag" in cli and "--index {unusable,fragmentation}" in cli


def test_site_loads_nothing_from_the_network(site):
    _, out = site
    for page in out.rglob("*.html"):
        text = page.read_text()
        assert not re.search(r"<(script|link|img)[^>]+(src|href)=\"(https?:)?//", text), page
    for css in out.rglob("*.css"):
        assert not re.search(r"@import|url\((['\"]?)(https?:)?//", css.read_text()), css


def test_getting_started_has_the_readme_commands():
    readme = re.search(r"```sh\n(.*?)```", (ROOT / "README.md").read_text(), re.S).group(1)
    page = (ROOT / "docs" / "getting-started.md").read_text()
    block = re.search(r"```sh\n(.*?)```", page, re.S).group(1)
    assert block == readme


def test_docs_makefile_runs_the_strict_build():
    makefile = (ROOT / "docs" / "Makefile").read_text()
    assert "SPHINXOPTS  ?= -n -W --keep-going" in makefile and "-b html . $(BUILDDIR)/html" in makefile


def _screenshot(url, path, height):
    profile = tempfile.mkdtemp()
    try:
        subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
                        f"--user-data-dir={profile}", f"--screenshot={path}", f"--window-size=1400,{height}", url],
                       check=True, capture_output=True, timeout=120)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    from matplotlib.image import imread

    return imread(path)


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium package is not installed (apt-get install chromium)")
def test_rendered_pages_show_the_timeline_and_a_figure(site, tmp_path):
    """A person's view: the timeline draws its rule, the figure's bars are on the page, output is not squeezed."""
    pytest.importorskip("matplotlib")
    _, out = site
    shot = _screenshot((out / "timeline.html").as_uri(), tmp_path / "timeline.png", 1000)
    rgb = shot[..., :3]
    blue = (rgb[..., 2] > 0.8) & (rgb[..., 0] < 0.35) & (rgb[..., 1] < 0.55)
    assert blue.sum(axis=0).max() > 600  # one column of the brand blue down most of the page: the rule
    shot = _screenshot((out / "book" / "page-allocation.html").as_uri(), tmp_path / "book.png", 9000)
    rgb = shot[..., :3]
    orange = (abs(rgb[..., 0] - 0xd9 / 255) < 0.05) & (abs(rgb[..., 1] - 0x82 / 255) < 0.05) & (
        abs(rgb[..., 2] - 0x2b / 255) < 0.05)
    assert orange.sum() > 2000  # the "after fragment" bars of the free-blocks figure
    rows, cols = orange.nonzero()
    assert cols.max() - cols.min() > 500  # the figure spans a wide column, not a thumbnail


def test_readme_python_example_runs_as_shown():
    import linuxmm

    code = re.search(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S).group(1)
    body, _, last = code.rpartition('linuxmm.boot("2.6.28", config={"KASAN": True})')
    namespace = {}
    exec(body, namespace)
    k = namespace["k"]
    assert k.version == "v2.6.28" and k.has("db64fe02258f") and k.proc("buddyinfo").startswith("Node 0, zone")
    try:
        linuxmm.boot("2.6.28", config={"KASAN": True})
    except linuxmm.ConfigError as exc:
        assert str(exc) == ('CONFIG_KASAN is not in v2.6.28: it appeared in v4.0-rc1 '
                            '(0b24becc810d "kasan: add kernel address sanitizer infrastructure")')
    else:
        raise AssertionError("KASAN at 2.6.28 should be refused")


def _build(tmp_path, body):
    from sphinx.cmd.build import build_main

    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text('extensions = ["myst_parser", "linuxmm.sphinxext"]\n')
    (src / "index.md").write_text(body)
    return build_main(["-W", "-q", "-b", "text", str(src), str(tmp_path / "out")])


def test_directive_shows_the_models_output(tmp_path):
    assert _build(tmp_path, "# t\n\n```{linuxmm} --kernel-version 0.01 show-mem\n```\n") == 0
    assert "1536 pages free (of 1536)" in (tmp_path / "out" / "index.txt").read_text()


def test_directive_fails_the_strict_build_when_the_command_fails(tmp_path):
    assert _build(tmp_path, "# t\n\n```{linuxmm} --kernel-version 9.99 show-mem\n```\n") != 0


def test_directive_error_option_shows_the_error(tmp_path):
    body = "# t\n\n```{linuxmm} --kernel-version 2.4 proc buddyinfo\n:error:\n```\n"
    assert _build(tmp_path, body) == 0
    text = (tmp_path / "out" / "index.txt").read_text()
    assert "linuxmm: error: /proc/buddyinfo is not in v2.4.0: it appeared in v2.6.0" in text
