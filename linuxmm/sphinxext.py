"""Sphinx extension: documentation whose examples the model itself produces.

The ``linuxmm`` directive runs a ``linuxmm`` command line while the docs are
built and shows it with its output, so an example can never drift from the
model::

    ```{linuxmm} --kernel-version 2.6.28 --mem 64M proc buddyinfo
    ```

A command that fails (exit status other than 0) is a build warning, which the
strict build (``-W``) turns into an error -- unless the directive says
``:error:``, in which case the command must fail and its one-line error is
shown instead.
"""

from __future__ import annotations

import contextlib
import io
import shlex

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective


class LinuxmmDirective(SphinxDirective):
    """``{linuxmm} ARGS``: run ``linuxmm ARGS`` and show the command and its output."""

    required_arguments = 1
    final_argument_whitespace = True
    has_content = False
    option_spec = {"error": lambda value: True}

    def run(self) -> list[nodes.Node]:
        from .cli import main

        argv = shlex.split(self.arguments[0])
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main(argv)
        expect_error = "error" in self.options
        if (status != 0) != expect_error:
            message = err.getvalue().strip() or f"exit status {status}"
            if expect_error:
                message = "expected an error, but the command succeeded"
            return [self.state.document.reporter.warning(
                f"linuxmm {self.arguments[0]}: {message}", line=self.lineno)]
        shown = err.getvalue() if expect_error else out.getvalue()
        text = f"$ linuxmm {self.arguments[0]}\n{shown.rstrip()}"
        block = nodes.literal_block(text, text)
        block["language"] = "console"
        return [block]


def setup(app: Sphinx) -> dict:
    app.add_directive("linuxmm", LinuxmmDirective)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
