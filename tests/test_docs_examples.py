"""The Python examples on the site run as shown.

Every ```python block in docs/ is executed (the blocks of one page in order, in one namespace);
every ```pycon block is run as a doctest and its output compared, whitespace-normalised.
Illustrations that must not run use the {code-block} directive instead.
"""

import doctest
import pathlib
import re

import pytest

DOCS = pathlib.Path(__file__).resolve().parent.parent / "docs"
FENCE = re.compile(r"^(?P<indent>[ ]*)```(?P<lang>python|pycon)[ ]*\n(?P<body>.*?)^(?P=indent)```[ ]*$", re.M | re.S)


def _pages():
    pages = []
    for path in sorted(DOCS.rglob("*.md")):
        if "_build" in path.parts:
            continue
        blocks = [(m.group("lang"), _dedent(m.group("body"), len(m.group("indent"))),
                   path.read_text()[: m.start()].count("\n") + 1)
                  for m in FENCE.finditer(path.read_text())]
        if blocks:
            pages.append(pytest.param(path, blocks, id=str(path.relative_to(DOCS))))
    return pages


def _dedent(body, n):
    return "".join(line[n:] if line[:n].strip() == "" else line for line in body.splitlines(True))


def test_the_site_has_examples_to_check():
    found = {p.id for p in _pages()}
    assert {"usage.md", "getting-started.md", "book/page-allocation.md"} <= found


@pytest.mark.parametrize("path,blocks", _pages())
def test_examples_run_as_shown(path, blocks):
    namespace = {"__name__": "__docs__"}
    parser = doctest.DocTestParser()
    flags = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    for lang, body, line in blocks:
        where = f"{path.relative_to(DOCS)}:{line}"
        if lang == "python":
            exec(compile(body, where, "exec"), namespace)
            continue
        test = parser.get_doctest(body, namespace, where, str(path), line)
        runner = doctest.DocTestRunner(optionflags=flags)
        out: list[str] = []
        runner.run(test, out=out.append, clear_globs=False)
        assert runner.failures == 0, "".join(out)
        assert runner.tries > 0, f"{where}: a pycon block without examples"
