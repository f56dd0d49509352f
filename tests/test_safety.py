"""Safety: workload files are data, plugins come only from entry points, nothing is written unasked.

* A workload file is TOML: Python in it is a syntax error, Python in its strings is text, and
  the module that reads it calls nothing that could run code.
* Plugins load from installed ``linuxmm`` entry points only: modules lying in the current
  directory under a plugin's name are never imported; ``LINUXMM_PLUGINS`` and
  ``LINUXMM_DISABLE_PLUGIN_AUTOLOAD`` restrict them (tests/test_host.py checks both in detail).
* ``bisect run`` runs its command through a shell, as ``git bisect run`` does, and its help says so.
* The commands write only to their standard output and error (``bisect`` to the state file its
  help names): run from a scratch directory with ``HOME`` and the temporary directory pointed
  at empty ones, no file appears, changes or disappears in any of them.
"""

from __future__ import annotations

import ast
import contextlib
import io
import os
import subprocess
import sys

import pytest

import linuxmm.workload
from linuxmm.cli import main

LINUXMM = os.path.join(os.path.dirname(sys.executable), "linuxmm")

#: Python that leaves a file behind if anything ever imports or executes it.
TRAP = "import pathlib\npathlib.Path({path!r}).write_text('executed')\n"


def _env(tmp_path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LINUXMM_", "PYTHON"))}
    for name in ("home", "tmp"):
        (tmp_path / name).mkdir(exist_ok=True)
    env.update(HOME=str(tmp_path / "home"), TMPDIR=str(tmp_path / "tmp"), PYTHONDONTWRITEBYTECODE="1", **extra)
    return env


def _cli(argv: list[str], cwd, env) -> subprocess.CompletedProcess:
    return subprocess.run([LINUXMM, *argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def _tree(root) -> dict[str, bytes]:
    out = {}
    for base, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(base, name)
            rel = os.path.relpath(path, root)
            out[rel] = b"<dir>" if os.path.isdir(path) else open(path, "rb").read()
    return out


# -- workload files are data ------------------------------------------------------------------------
def test_python_in_a_workload_file_is_a_toml_error_and_never_runs(tmp_path, monkeypatch, capsys):
    marker = tmp_path / "executed"
    (tmp_path / "evil.toml").write_text(TRAP.format(path=str(marker)))
    monkeypatch.chdir(tmp_path)
    assert main(["--kernel-version", "2.6.28", "run", "evil.toml"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("linuxmm: error: evil.toml: invalid TOML: ") and err.count("\n") == 1
    assert not marker.exists()


def test_python_in_a_workload_files_strings_is_text(tmp_path, monkeypatch, capsys):
    marker = tmp_path / "executed"
    code = f"__import__('pathlib').Path({str(marker)!r}).write_text('x')"
    (tmp_path / "w.toml").write_text(f'description = "{code}"\n[[op]]\necho = "{code}"\n'
                                     f'[[op]]\nkmalloc = "{code}"\nsize = 64\n[[op]]\nkfree = "{code}"\n')
    monkeypatch.chdir(tmp_path)
    assert main(["--kernel-version", "2.6.28", "run", "w.toml"]) == 0
    assert code in capsys.readouterr().out.splitlines()
    assert not marker.exists()


def test_the_workload_reader_calls_nothing_that_runs_code():
    """linuxmm/workload.py parses with tomllib and never evaluates, imports by name or starts a process."""
    with open(linuxmm.workload.__file__, encoding="utf-8") as fh:
        tree = ast.parse(fh.read())
    forbidden = {"eval", "exec", "compile", "__import__", "import_module", "exec_module", "system", "popen",
                 "Popen", "call", "check_output", "spawn", "execv", "execvp"}
    calls = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
            owner = f.value.id if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) else ""
            if name in forbidden and owner not in ("tomllib", "re"):  # re.compile builds a pattern
                calls.add(f"{owner}.{name}" if owner else name)
    imported = {a.name for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}
    imported |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert calls == set()
    assert not imported & {"subprocess", "importlib", "pickle", "marshal", "runpy", "shlex"}
    assert "tomllib" in imported


# -- plugins only from entry points ------------------------------------------------------------------
def test_modules_in_the_current_directory_are_never_loaded_as_plugins(tmp_path):
    work = tmp_path / "work"
    marker = tmp_path / "imported"
    for name in ("linuxmm_plugins/__init__.py", "linuxmm_plugins/mm_slub.py", "mm_slub.py", "toyplugin.py",
                 "conftest.py", "sitecustomize.py", "linuxmm_plugins.py"):
        path = work / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(TRAP.format(path=str(marker)))
    env = _env(tmp_path)
    res = _cli(["--kernel-version", "6.12", "run", "slab-churn"], work, env)
    assert res.returncode == 0 and "Traceback" not in res.stderr, res.stderr
    assert not marker.exists()
    res = _cli(["--kernel-version", "6.12", "info"], work, {**env, "LINUXMM_DISABLE_PLUGIN_AUTOLOAD": "1"})
    assert res.returncode == 0 and res.stdout.startswith("version:     v6.12\n")  # the built-in eras still load
    res = _cli(["--kernel-version", "6.12", "info"], work, {**env, "LINUXMM_PLUGINS": "nosuch"})
    assert res.returncode == 2 and res.stderr.count("\n") == 1  # one line, no traceback
    assert res.stderr.startswith("linuxmm: error: LINUXMM_PLUGINS names nosuch, which no installed package "
                                 "provides")
    assert not marker.exists()


# -- bisect run and the shell ------------------------------------------------------------------------
def test_bisect_help_says_the_command_runs_through_a_shell_as_git_does(capsys):
    assert main(["bisect", "--help"]) == 0
    help_text = " ".join(capsys.readouterr().out.split())
    assert "<cmd> runs through a shell (/bin/sh -c), as git bisect run runs its command," in help_text
    assert "The state is kept in .linuxmm-bisect.json in the current directory" in help_text


# -- nothing written outside the named paths ----------------------------------------------------------
WORKLOAD = '[[op]]\nkmalloc = "a"\nsize = 100\n[[op]]\nkfree = "a"\n[[op]]\nproc = "meminfo"\n'

COMMANDS = [
    ["versions"],
    ["log", "-n", "3"],
    ["--kernel-version", "2.6.28", "info"],
    ["--kernel-version", "2.6.28", "run", "default"],
    ["--kernel-version", "6.12", "run", "w.toml"],
    ["--kernel-version", "6.12", "run", "nosuch.toml"],
    ["--kernel-version", "6.12", "--cmdline", "failslab=1,50,0,-1", "--config", "FAULT_INJECTION=y",
     "--config", "FAILSLAB=y", "run", "--soak", "2000", "--check-every", "1000"],
    ["--kernel-version", "6.12", "proc", "slabinfo"],
    ["--kernel-version", "6.12", "show-mem"],
    ["--kernel-version", "6.12", "slabtop", "--run", "slab-churn"],
    ["--kernel-version", "6.12", "test_vmalloc", "--test-loop-count", "3", "--run-test-mask", "1"],
]


def test_commands_write_nothing_but_their_output(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    (work / "w.toml").write_text(WORKLOAD)
    env = _env(tmp_path)
    before = {d: _tree(tmp_path / d) for d in ("work", "home", "tmp")}
    for argv in COMMANDS:
        res = _cli(argv, work, env)
        assert "Traceback" not in res.stderr, (argv, res.stderr)
        assert res.returncode == (2 if "nosuch.toml" in argv else 0), (argv, res.stderr)
    assert {d: _tree(tmp_path / d) for d in ("work", "home", "tmp")} == before


def test_bisect_writes_only_its_state_file_and_reset_removes_it(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    env = _env(tmp_path)
    res = _cli(["bisect", "start", "v6.18", "v6.12"], work, env)
    assert res.returncode == 0, res.stderr
    assert sorted(_tree(work)) == [".linuxmm-bisect.json"] and _tree(tmp_path / "home") == {}
    assert _cli(["bisect", "reset"], work, env).returncode == 0
    assert _tree(work) == {} and _tree(tmp_path / "home") == {} and _tree(tmp_path / "tmp") == {}
