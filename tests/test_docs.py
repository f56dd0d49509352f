"""The strict docs build, and the README's promise of two commands."""

import pathlib
import re

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


def test_strict_docs_build(tmp_path):
    from sphinx.cmd.build import build_main

    status = build_main(["-n", "-W", "--keep-going", "-q", "-b", "html",
                               str(ROOT / "docs"), str(tmp_path / "html")])
    assert status == 0
    assert (tmp_path / "html" / "record-vs-legend.html").exists()


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
