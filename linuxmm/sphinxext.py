"""Sphinx extension: documentation whose examples the model itself produces.

The ``linuxmm`` directive runs a ``linuxmm`` command line while the docs are
built and shows it with its output, so an example can never drift from the
model::

    ```{linuxmm} --kernel-version 2.6.28 --mem 64M proc buddyinfo
    :real: cat /proc/buddyinfo
    ```

A command that fails (exit status other than 0) is a build warning, which the
strict build (``-W``) turns into an error -- unless the directive says
``:error:``, in which case the command must fail and its one-line error is
shown instead.  ``:real:`` names what a reader would type on a real Linux
system for the same output; it is shown above the example.

``:pending:`` is for an example whose command the model does not have yet (a
plugin subcommand such as ``slabtop``, or a ``/proc`` file no plugin
renders): while that is so, the example is shown as pending, without output.
As soon as a plugin provides the command or the file, the example runs like
any other, and a failure fails the build.  A pending example whose command
does exist but fails is never hidden.

This module is the one extension ``conf.py`` names: it also loads
:mod:`linuxmm.sphinx_registry` (pages generated from the plugin registry)
and :mod:`linuxmm.sphinx_figures` (figures drawn from deterministic runs).
"""

from __future__ import annotations

import contextlib
import io
import shlex

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

#: Global options that take a value (used to find the subcommand in an argv).
_VALUE_OPTIONS = {"--kernel-version", "--config", "--cmdline", "--mem", "--cpus", "--seed"}


def missing_command(argv: list[str]) -> str | None:
    """What ``linuxmm ARGV`` needs that no plugin provides yet, or None if it can run.

    The subcommand must be one the parser knows (built-in or from a plugin's
    ``linuxmm_commands``); for ``proc FILE``, some plugin must render FILE.
    """
    from .cli import build_parser
    from .host import get_host

    words = iter(argv)
    command = None
    rest: list[str] = []
    for word in words:
        if command is None:
            if word in _VALUE_OPTIONS:
                next(words, None)
            elif not word.startswith("-"):
                command = word
        else:
            rest.append(word)
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices  # argparse's subparsers
    if command is None or command not in commands:
        return f"the command `linuxmm {command}`"
    if command == "proc":
        files = [w for w in rest if not w.startswith("-")]
        if files and files[0].removeprefix("/proc/") not in get_host().proc_files:
            return f"/proc/{files[0].removeprefix('/proc/')}"
    return None


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    """Run ``linuxmm ARGV`` in this process: (exit status, stdout, stderr)."""
    from .cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(argv)
    return status, out.getvalue(), err.getvalue()


class LinuxmmDirective(SphinxDirective):
    """``{linuxmm} ARGS``: run ``linuxmm ARGS`` and show the command and its output."""

    required_arguments = 1
    final_argument_whitespace = True
    has_content = False
    option_spec = {"error": lambda value: True, "pending": lambda value: True,
                   "real": lambda value: (value or "").strip()}

    def run(self) -> list[nodes.Node]:
        argv = shlex.split(self.arguments[0])
        shown: list[nodes.Node] = []
        if self.options.get("real"):
            para = nodes.paragraph()
            para += nodes.Text("On Linux: ")
            para += nodes.literal(self.options["real"], self.options["real"])
            para += nodes.Text(" — in linuxmm:")
            para["classes"].append("linuxmm-real")
            shown.append(para)
        if "pending" in self.options:
            missing = missing_command(argv)
            if missing is not None:
                logger.info(f"linuxmm {self.arguments[0]}: pending ({missing} is not in linuxmm yet)",
                            location=(self.env.docname, self.lineno))
                note = nodes.admonition(classes=["linuxmm-pending"])
                note += nodes.title("", "Not modelled yet")
                para = nodes.paragraph()
                para += nodes.Text(f"{missing[0].upper()}{missing[1:]} is not in linuxmm yet. Once it is, "
                                   "this example runs while the site is built, like every other one:")
                note += para
                text = f"$ linuxmm {self.arguments[0]}"
                block = nodes.literal_block(text, text)
                block["language"] = "text"
                note += block
                return shown + [note]
        status, out, err = run_cli(argv)
        expect_error = "error" in self.options
        if (status != 0) != expect_error:
            message = err.strip() or f"exit status {status}"
            if expect_error:
                message = "expected an error, but the command succeeded"
            return [self.state.document.reporter.warning(
                f"linuxmm {self.arguments[0]}: {message}", line=self.lineno)]
        output = err if expect_error else out
        text = f"$ linuxmm {self.arguments[0]}\n{output.rstrip()}"
        block = nodes.literal_block(text, text)
        block["language"] = "text"  # kernel output as it is: no shell colouring of its numbers
        return shown + [block]


def setup(app: Sphinx) -> dict:
    app.add_directive("linuxmm", LinuxmmDirective)
    app.setup_extension("linuxmm.sphinx_registry")
    app.setup_extension("linuxmm.sphinx_figures")
    return {"version": "2", "parallel_read_safe": True, "parallel_write_safe": True}
