"""The CLI when its run is cut short: Ctrl-C, a closed pipe, a full disk; help that lists what is accepted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

CLI = [sys.executable, "-m", "linuxmm.cli"]


def _env():
    env = dict(os.environ)
    env.pop("LINUXMM_KERNEL_VERSION", None)
    return env


def test_ctrl_c_is_one_line_and_status_130(tmp_path):
    slow = tmp_path / "slow.toml"
    slow.write_text("".join('[[op]]\nalloc = "p"\nrepeat = 1000000\n' for _ in range(60)))
    proc = subprocess.Popen(CLI + ["--kernel-version", "2.6.28", "run", str(slow)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=_env())
    first = proc.stdout.readline()  # "# <file> at v2.6.28": the run has started
    assert first.startswith("# ") and "at v2.6.28" in first
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert err == "linuxmm: interrupted\n"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full on this system")
def test_full_disk_on_stdout_is_one_line():
    with open("/dev/full", "w") as full:
        proc = subprocess.run(CLI + ["log"], stdout=full, stderr=subprocess.PIPE, text=True, env=_env())
    assert proc.returncode == 74
    assert proc.stderr == "linuxmm: error: cannot write the output: No space left on device\n"


def test_closed_pipe_ends_quietly(tmp_path):
    chatty = tmp_path / "chatty.toml"  # far more output than a pipe holds
    chatty.write_text("".join(f'[[op]]\necho = "{"x" * 200}"\n' for _ in range(5000)))
    proc = subprocess.Popen(CLI + ["--kernel-version", "0.01", "run", str(chatty)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=_env())
    proc.stdout.read(10)
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 141
    assert err == b""


def test_help_of_commands_that_boot_nothing_lists_only_their_options(capsys):
    from linuxmm.cli import main

    assert main(["bench", "--help"]) == 0
    text = capsys.readouterr().out
    assert "--check" in text and "--quick" in text
    for flag in ("--kernel-version", "--mem", "--cpus", "--config", "--cmdline", "--seed"):
        assert flag not in text
    assert main(["info", "--help"]) == 0
    assert "--kernel-version" in capsys.readouterr().out
