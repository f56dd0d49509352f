"""The `linuxmm` command line: exact lines, exit statuses and one-line errors."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import linuxmm
import linuxmm.host
from linuxmm import hookimpl
from linuxmm.cli import main
from linuxmm.records import Workload

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


@pytest.fixture(autouse=True)
def _no_env_version(monkeypatch):
    monkeypatch.delenv("LINUXMM_KERNEL_VERSION", raising=False)


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def one_error_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("linuxmm: error: "), err
    assert "Traceback" not in err
    return lines[0]


# -- versions -------------------------------------------------------------------
def test_versions_tags_only_oldest_first(capsys):
    status, out, err = run(capsys, "versions", "--tags-only")
    assert status == 0 and err == ""
    lines = out.splitlines()
    assert lines[:9] == ["v0.01", "v0.11", "v1.0", "v1.1.89", "v1.2.0", "v2.0", "v2.2.0", "v2.4.0", "v2.6.0"]
    assert lines[-1] == "v6.18"
    assert lines == linuxmm.history().modelled_releases()
    assert lines.index("v2.6.28-rc1") + 1 == lines.index("v2.6.28")


def test_versions_names_the_page_allocator_of_each_release(capsys):
    status, out, _ = run(capsys, "versions")
    assert status == 0
    lines = out.splitlines()
    assert lines[0].startswith("v0.01       page_alloc=memory.c-0.01")
    # every modelled release has exactly one page allocator (the contract), named in its line
    assert len(lines) == len(linuxmm.history().modelled_releases())
    for line in lines:
        assert re.match(r"^v\S+ +page_alloc=\S+", line), line
        assert line.count("page_alloc=") == 1


# -- log --------------------------------------------------------------------------
def test_log_oneline_commit_and_tag_lines(capsys):
    status, out, _ = run(capsys, "log", "--oneline")
    assert status == 0
    lines = out.splitlines()
    assert lines.count("db64fe02258f mm: rewrite vmap layer") == 1
    tag_line = " " * 12 + " (tag: v2.6.28) Linux 2.6.28"
    assert lines.count(tag_line) == 1
    assert lines[0] == " " * 12 + " (tag: v6.18) Linux 6.18"  # newest first
    assert lines[-1] == " " * 12 + " (tag: v0.01) Linux 0.01"
    # newest first: the v2.6.28-rc1 tag, then the commit it contains
    rc1 = lines.index(" " * 12 + " (tag: v2.6.28-rc1) Linux 2.6.28-rc1")
    assert lines[rc1 + 1] == "db64fe02258f mm: rewrite vmap layer"
    assert lines.index(tag_line) == rc1 - 1
    # no invented sha for a release: every tag line has a blank sha column
    for line in lines:
        assert re.match(r"^([0-9a-f]{12} \S.*| {12} \(tag: v[0-9.rc-]+\) Linux [0-9.rc-]+)$", line), line


def test_log_range_and_count(capsys):
    status, out, _ = run(capsys, "log", "--oneline", "v2.6.27..v2.6.28")
    assert status == 0
    assert out.splitlines() == [
        " " * 12 + " (tag: v2.6.28) Linux 2.6.28",
        " " * 12 + " (tag: v2.6.28-rc1) Linux 2.6.28-rc1",
        "db64fe02258f mm: rewrite vmap layer",
    ]
    status, out, _ = run(capsys, "log", "--oneline", "-n", "2", "v2.6.27..db64fe02258f")
    assert out.splitlines() == ["db64fe02258f mm: rewrite vmap layer"]
    status, out, _ = run(capsys, "log", "--oneline", "-n", "2")
    assert out.splitlines() == [" " * 12 + " (tag: v6.18) Linux 6.18", " " * 12 + " (tag: v6.17) Linux 6.17"]


def test_log_medium_format(capsys):
    status, out, _ = run(capsys, "log", "v2.6.27..v2.6.28")
    assert status == 0
    assert out == ("tag v2.6.28\n\n    Linux 2.6.28\n\n"
                   "tag v2.6.28-rc1\n\n    Linux 2.6.28-rc1\n\n"
                   "commit db64fe02258f\nAuthor: Nick Piggin\nDate:   2008-10-18\n\n    mm: rewrite vmap layer\n")


def test_log_medium_format_fixes_lines(capsys):
    status, out, _ = run(capsys, "log", "v6.12..v6.13-rc2")
    assert status == 0
    assert ("commit d699440f58ce\nAuthor: Andrii Nakryiko\nDate:   2024-11-25\n\n"
            "    mm: fix vrealloc()'s KASAN poisoning logic\n\n"
            "    Fixes: 3ddc2fefe6f3 (\"mm: vmalloc: implement vrealloc()\")\n") in out
    status, out, _ = run(capsys, "log", "v4.19..v4.20-rc2")
    # the fixed commit is not modelled: its sha alone, no invented subject
    assert "\n    Fixes: f55f0501cbf6\n" in out


def test_log_bad_range_is_one_line_error(capsys):
    status, _, err = run(capsys, "log", "v2.6.27..v9.9")
    assert status == 2
    assert "v9.9" in one_error_line(err)


# -- version flag errors ------------------------------------------------------------
def test_bad_version_names_newest(capsys):
    status, out, err = run(capsys, "--kernel-version", "9.99", "info")
    assert status == 2 and out == ""
    line = one_error_line(err)
    assert "9.99" in line and "v6.18" in line


def test_malformed_version(capsys):
    status, _, err = run(capsys, "info", "--kernel-version", "2.6.x")
    assert status == 2
    assert "'2.6.x' is not a kernel version" in one_error_line(err)


def test_unknown_sha(capsys):
    status, _, err = run(capsys, "--kernel-version", "deadbeef1234", "proc", "buddyinfo")
    assert status == 2
    assert one_error_line(err).startswith("linuxmm: error: deadbeef1234 is not a modelled commit")


def test_unknown_config_symbol(capsys):
    status, _, err = run(capsys, "--config", "CONFIG_NO_SUCH_THING=y", "info")
    assert status == 2
    assert "unknown config symbol CONFIG_NO_SUCH_THING" in one_error_line(err)


def test_config_out_of_its_era(capsys):
    status, _, err = run(capsys, "--kernel-version", "3.19", "info", "--config", "KASAN=y")
    assert status == 2
    assert one_error_line(err) == ("linuxmm: error: CONFIG_KASAN is not in v3.19: it appeared in "
                                   "v4.0-rc1 (0b24becc810d \"kasan: add kernel address sanitizer infrastructure\")")


def test_usage_error_exits_2(capsys):
    status, out, err = run(capsys, "frobnicate")
    assert status == 2 and out == ""
    assert err.splitlines()[-1].startswith("linuxmm: error: argument COMMAND: invalid choice: 'frobnicate'")
    status, _, err = run(capsys, "--cpus", "two", "info")
    assert status == 2
    assert "invalid int value: 'two'" in err


# -- global options in both places, env ---------------------------------------------
def test_env_version_honoured(capsys, monkeypatch):
    monkeypatch.setenv("LINUXMM_KERNEL_VERSION", "2.6.27")
    status, out, _ = run(capsys, "info")
    assert status == 0
    assert out.splitlines()[0] == "version:     v2.6.27"
    # the flag beats the environment, before or after the command
    assert run(capsys, "--kernel-version", "2.6.28", "info")[1].splitlines()[0] == "version:     v2.6.28"
    assert run(capsys, "info", "--kernel-version", "v1.0")[1].splitlines()[0] == "version:     v1.0"


def test_env_bad_version_is_an_error(capsys, monkeypatch):
    monkeypatch.setenv("LINUXMM_KERNEL_VERSION", "2.7")
    status, _, err = run(capsys, "info")
    assert status == 2
    assert one_error_line(err).startswith("linuxmm: error: LINUXMM_KERNEL_VERSION=2.7: '2.7' is not a Linux release")


def test_config_before_and_after_command_both_apply(capsys):
    status, out, _ = run(capsys, "--kernel-version", "4.4", "--config", "KASAN=y", "info", "--config",
                         "CONFIG_FAILSLAB=y", "--config", "FAULT_INJECTION=y", "--cpus", "3", "--cmdline",
                         "nohugevmalloc foo=bar")
    assert status == 0
    lines = out.splitlines()
    assert "config:      CONFIG_FAILSLAB=y CONFIG_FAULT_INJECTION=y CONFIG_KASAN=y" in lines
    assert not any(line.startswith("accepted, no effect") for line in lines)  # all three are modelled
    assert "cpus:        3" in lines
    assert "cmdline:     nohugevmalloc foo=bar" in lines
    # nohugevmalloc arrived in 5.x (121e6f3258fe): 4.4 did not know it either
    assert "unknown:     nohugevmalloc foo=bar (v4.4 did not take them: passed to user space)" in lines


def test_info_memory_and_zones(capsys):
    status, out, _ = run(capsys, "--kernel-version", "2.6.28", "--mem", "64M", "info")
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == "version:     v2.6.28"
    assert lines[1].startswith("page_alloc:  ")
    assert "memory:      64M (16384 pages of 4K)" in lines
    assert "max order:   10" in lines  # MAX_ORDER 11, orders 0..10 [V]
    assert lines[lines.index("max order:   10") + 1].split() == ["zones:", "name", "start_pfn", "end_pfn",
                                                                    "present", "free"]
    rows = [line.split() for line in lines if line.startswith("             ")]
    k = linuxmm.boot("2.6.28", mem="64M")  # the same machine, freshly booted
    assert rows == [[z.name, str(z.start_pfn), str(z.end_pfn), str(z.present_pages), str(z.free_pages)]
                    for z in k.page_alloc.zone_info()]
    assert "config:      (defaults)" in lines
    assert "cmdline:     (empty)" in lines


def test_info_symbols_lists_live_symbols_only(capsys):
    status, out, _ = run(capsys, "--kernel-version", "2.6.28", "info", "--symbols")
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == "config symbols at v2.6.28:"
    names = [line.split()[0] for line in lines if line.startswith("  CONFIG_")]
    assert "CONFIG_SLUB=y" in names and "CONFIG_SLAB=n" in names
    assert not any(n.startswith("CONFIG_KASAN") for n in names)  # 4.0
    assert "boot parameters at v2.6.28:" in lines
    params = [line.split()[0] for line in lines[lines.index("boot parameters at v2.6.28:") + 1:]]
    assert "slub_debug" in params and "init_on_alloc" not in params


# -- proc, show-mem, extfrag ----------------------------------------------------------
def test_proc_buddyinfo_before_26_names_v260(capsys):
    status, out, err = run(capsys, "--kernel-version", "2.4.0", "proc", "buddyinfo")
    assert status == 2 and out == ""
    assert one_error_line(err) == "linuxmm: error: /proc/buddyinfo is not in v2.4.0: it appeared in v2.6.0"


def test_proc_prints_file_exactly(capsys):
    status, out, _ = run(capsys, "--kernel-version", "2.6.28", "--mem", "64M", "proc", "/proc/buddyinfo")
    assert status == 0
    assert out == linuxmm.boot("2.6.28", mem="64M").proc("buddyinfo")
    for line in out.splitlines():
        assert re.fullmatch(r"Node 0, zone [ \w]{8} (?:[ \d]{5}\d ){11}", line), line  # "%6lu " x 11 [V]


def test_show_mem_prints_the_era_report(capsys):
    status, out, _ = run(capsys, "show-mem", "--kernel-version", "1.2.0")
    assert status == 0
    text = linuxmm.boot("1.2.0").page_alloc.show_mem()
    assert out == (text if text.endswith("\n") else text + "\n")


@pytest.mark.parametrize("index, render", [("unusable", "render_unusable_index"),
                                           ("fragmentation", "render_extfrag_index")])
def test_extfrag_prints_the_index(capsys, index, render):
    from linuxmm import fragmentation

    status, out, _ = run(capsys, "--kernel-version", "2.6.28", "--mem", "64M", "extfrag", "--index", index)
    assert status == 0
    assert out == getattr(fragmentation, render)(linuxmm.boot("2.6.28", mem="64M"))
    assert out.startswith("Node 0, zone      DMA ")


def test_extfrag_default_is_unusable(capsys):
    assert run(capsys, "extfrag", "--kernel-version", "4.4")[1] == run(
        capsys, "extfrag", "--kernel-version", "4.4", "--index", "unusable")[1]


def test_extfrag_without_buddy_is_clear_error(capsys):
    status, _, err = run(capsys, "--kernel-version", "0.01", "extfrag")
    assert status == 2
    assert "v0.01 has no buddy allocator" in one_error_line(err)


# -- run ---------------------------------------------------------------------------------
def test_run_unknown_workload(capsys):
    status, _, err = run(capsys, "run", "no-such-workload")
    assert status == 2
    names = ", ".join(sorted(linuxmm.host.get_host().workloads))
    assert one_error_line(err) == (f"linuxmm: error: unknown workload 'no-such-workload' (built-in: {names}; "
                                   "or give a path to a .toml file)")


def test_run_list(capsys):
    status, out, _ = run(capsys, "run", "--list")
    assert status == 0
    assert [line.split()[0] for line in out.splitlines()] == sorted(linuxmm.host.get_host().workloads)
    assert {"churn0", "default", "fragment"} <= {line.split()[0] for line in out.splitlines()}


def test_run_default_is_seeded(capsys):
    a = run(capsys, "--kernel-version", "2.6.28", "--mem", "32M", "run", "--seed", "7")
    b = run(capsys, "--kernel-version", "2.6.28", "--mem", "32M", "--seed", "7", "run", "default")
    c = run(capsys, "--kernel-version", "2.6.28", "--mem", "32M", "--seed", "8", "run")
    assert a[0] == b[0] == c[0] == 0
    assert a[1] == b[1]
    assert a[1] != c[1]
    assert a[1].splitlines()[0] == "workload default: seed 7, 4000 steps, orders 0..3 at v2.6.28"


def test_toml_syntax_error_names_file_and_line(capsys, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[kernel]\nversion = "2.6.28"\n\n[[op]]\nalloc = \n')
    status, out, err = run(capsys, "run", str(bad))
    assert status == 2 and out == ""
    line = one_error_line(err)
    assert line.startswith(f"linuxmm: error: {bad}: invalid TOML: ")
    assert "at line 5" in line


def test_toml_semantic_error_names_op_and_line(capsys, tmp_path):
    bad = tmp_path / "sem.toml"
    bad.write_text('# comment\n[kernel]\nversion = "2.6.28"\n\n[[op]]\nalloc = "a"\n\n[[op]]\nfree = "a"\n\n'
                   '[[op]]\nread = "a"\nsize = 4\n')
    status, out, err = run(capsys, "run", str(bad))
    assert status == 2 and out == ""  # checked before anything runs
    assert one_error_line(err) == (f"linuxmm: error: {bad}:11: op[2]: read of unknown handle 'a' "
                                   f"(no handle is allocated at this point)")


def test_toml_unknown_gfp_flag(capsys, tmp_path):
    bad = tmp_path / "gfp.toml"
    bad.write_text('[[op]]\nalloc = "a"\n\n[[op]]\nalloc = "b"\ngfp = "GFP_KERNEL | __GFP_SHINY"\n')
    status, _, err = run(capsys, "--kernel-version", "2.6.28", "run", str(bad))
    assert status == 2
    assert one_error_line(err).startswith(f"linuxmm: error: {bad}:4: op[1]: alloc: unknown gfp flag '__GFP_SHINY'")


def test_toml_runtime_error_names_op(capsys, tmp_path):
    f = tmp_path / "big.toml"
    f.write_text('[kernel]\nversion = "0.01"\n\n[[op]]\nalloc = "a"\norder = 1\n')
    status, _, err = run(capsys, "run", str(f))
    # 0.01 cannot be asked for two pages at once: NotInThisKernel, or a NULL the file then reports
    if status == 2:
        assert one_error_line(err).startswith(f"linuxmm: error: {f}:4: op[0]: ")
    else:
        assert status == 0


def test_toml_cli_flags_override_kernel_table(capsys, tmp_path):
    f = tmp_path / "v.toml"
    f.write_text('[kernel]\nversion = "0.01"\n\n[[op]]\necho = "hi"\n')
    status, out, _ = run(capsys, "run", str(f))
    assert status == 0 and out.splitlines() == [f"# {f} at v0.01", "hi"]
    status, out, _ = run(capsys, "--kernel-version", "2.6.28", "run", str(f))
    assert out.splitlines()[0] == f"# {f} at v2.6.28"


# -- the examples ---------------------------------------------------------------------
def _allocs(out: str) -> dict[str, int]:
    return {m.group(1): int(m.group(2), 16)
            for m in re.finditer(r"^alloc (\S+) order=\d+ gfp=\S+(?: \[cpu \d+\])? -> (0x[0-9a-f]+)$", out, re.M)}


def test_example_downward_scan_001(capsys):
    status, out, err = run(capsys, "run", str(EXAMPLES / "downward-scan-0.01.toml"))
    assert (status, err) == (0, "")
    a = _allocs(out)
    assert a["a"] - a["b"] == 4096 and a["b"] - a["c"] == 4096  # scanning down from the top [V]
    assert a["d"] == a["b"]  # the freed page is the highest free one again
    assert "read d+0: 0000000000 \".....\" (as expected)" in out.splitlines()  # get_free_page clears [V]


def test_example_buddy_split_merge_2628(capsys):
    status, out, err = run(capsys, "run", str(EXAMPLES / "buddy-split-merge-2.6.28.toml"))
    assert (status, err) == (0, "")
    blocks = out.split("$ cat /proc/buddyinfo\n")[1:]
    infos = [[line for line in b.splitlines() if line.startswith("Node ")] for b in blocks]
    assert all(infos)
    assert len(infos) == 3
    assert infos[0] != infos[1]  # the order-3 request split a larger block
    assert infos[0] == infos[2]  # freeing both order-3 halves merged everything back


def test_example_percpu_2628(capsys):
    status, out, err = run(capsys, "run", str(EXAMPLES / "percpu-2.6.28.toml"))
    assert (status, err) == (0, "")
    a = _allocs(out)
    assert a["b"] == a["a"]  # cpu 0 hands back the page it just freed
    assert a["c"] != a["b"]
    assert any(line.startswith("read z+0: ") and line.endswith("(as expected)") for line in out.splitlines())


# -- panics -------------------------------------------------------------------------------
class _PanicPlugin:
    @hookimpl
    def linuxmm_workloads(self):
        def boom(kernel, seed):
            kernel.dmesg.printk("test: about to die")
            kernel.panic("test panic")

        return [Workload("panic-now", run=boom, help="panics")]


def test_panic_prints_log_and_exits_1(capsys, monkeypatch):
    monkeypatch.setattr(linuxmm.host, "_HOST", linuxmm.host.Host(extra_plugins=[_PanicPlugin()]))
    status, out, err = run(capsys, "--kernel-version", "2.6.28", "run", "panic-now")
    assert status == 1 and out == ""
    assert err.splitlines() == ["test: about to die", "Kernel panic - not syncing: test panic",
                                "linuxmm: the kernel panicked: test panic"]


# -- help and version ---------------------------------------------------------------------
@pytest.mark.parametrize("command", ["versions", "log", "info", "run", "proc", "show-mem", "extfrag", "bench"])
def test_every_command_has_help_with_example(capsys, command):
    status, out, _ = run(capsys, command, "--help")
    assert status == 0
    assert out.startswith(f"usage: linuxmm {command} ")
    assert "\nexample:\n  linuxmm " in out
    # commands that boot nothing refuse the kernel options, so their help does not list them
    assert ("--kernel-version V" in out) == (command not in ("versions", "log", "bench"))


def test_top_help_lists_commands_with_descriptions(capsys):
    status, out, _ = run(capsys, "--help")
    assert status == 0
    for command in ["versions", "log", "info", "run", "proc", "show-mem", "extfrag", "bench"]:
        assert re.search(rf"^    {command} +\S", out, re.M), command


def test_version(capsys):
    assert run(capsys, "--version") == (0, f"linuxmm {linuxmm.__version__}\n", "")


# -- the installed script --------------------------------------------------------------------
def test_installed_script():
    exe = shutil.which("linuxmm")
    cmd = [exe] if exe else [sys.executable, "-m", "linuxmm.cli"]
    env = {k: v for k, v in os.environ.items() if k != "LINUXMM_KERNEL_VERSION"}
    ok = subprocess.run(cmd + ["versions", "--tags-only"], capture_output=True, text=True, env=env, timeout=60)
    assert ok.returncode == 0 and ok.stderr == ""
    assert ok.stdout.splitlines()[:2] == ["v0.01", "v0.11"]
    bad = subprocess.run(cmd + ["--kernel-version", "9.99", "info"], capture_output=True, text=True, env=env,
                         timeout=60)
    assert bad.returncode == 2 and bad.stdout == ""
    assert len(bad.stderr.splitlines()) == 1 and bad.stderr.startswith("linuxmm: error: ")
    assert "v6.18" in bad.stderr


# -- a demanding first-time user: one-line errors, exit 2, nothing run -------------------------
def error_of(capsys, *argv) -> str:
    """Run argv, expecting a user error: exit 2, nothing on stdout, one line on stderr."""
    status, out, err = run(capsys, *argv)
    assert status == 2, (status, out, err)
    assert out == ""
    return one_error_line(err)


@pytest.mark.parametrize("version", ["0.01", "2.6.28", "6.18"])
@pytest.mark.parametrize("mem, message", [
    ("0", "--mem 0: less than one 4K page"),
    ("1K", "--mem 1K: less than one 4K page"),
    ("-1", "--mem -1: not a size (expected a number with an optional K, M, G or T suffix, e.g. 256M)"),
    ("lots", "--mem lots: not a size (expected a number with an optional K, M, G or T suffix, e.g. 256M)"),
    ("", "--mem '': not a size (expected a number with an optional K, M, G or T suffix, e.g. 256M)"),
    ("65T", "--mem 65T: more than this model simulates (at most 256G)"),
    ("99999999999999999999999T", "--mem 99999999999999999999999T: more than this model simulates (at most 256G)"),
])
def test_bad_mem_is_refused_before_booting(capsys, version, mem, message):
    # 65T used to be a MemoryError traceback, 0 silently booted the era's default size
    assert error_of(capsys, "--kernel-version", version, "--mem", mem, "info") == f"linuxmm: error: {message}"


@pytest.mark.parametrize("cpus, message", [
    ("0", "--cpus 0: must be at least 1"),  # used to boot 1 CPU silently
    ("-1", "--cpus -1: must be at least 1"),
    ("9999", "--cpus 9999: this model simulates at most 1024 CPUs"),
    ("abc", "info: argument --cpus: invalid int value: 'abc'"),  # given after the command
])
def test_bad_cpus(capsys, cpus, message):
    assert error_of(capsys, "--kernel-version", "2.6.28", "info", "--cpus", cpus) == f"linuxmm: error: {message}"


def test_largest_machine_boots(capsys):
    status, out, _ = run(capsys, "--kernel-version", "2.6.28", "--mem", "256G", "--cpus", "2", "info")
    assert status == 0
    assert "memory:      256G (67108864 pages of 4K)" in out.splitlines()


@pytest.mark.parametrize("argv, message", [
    (["--cmdline", '"unterminated', "info"], "--cmdline '\"unterminated': No closing quotation"),
    (["--cmdline", "a='b", "info"], "--cmdline \"a='b\": No closing quotation"),
    (["--config", "garbage", "info"], "unknown config symbol CONFIG_GARBAGE (see `linuxmm info --symbols`)"),
    (["--config", "=y", "info"], "--config '=y': expected NAME=VALUE, e.g. KASAN=y"),
    (["--config", "KASAN=maybe", "info"], "CONFIG_KASAN is a bool: use y or n, not 'maybe'"),
    (["proc", "nosuch"], f"/proc/nosuch is not modelled (known: {', '.join(sorted(linuxmm.host.get_host().proc_files))})"),
    (["proc", "/proc/nosuch"], f"/proc/nosuch is not modelled (known: {', '.join(sorted(linuxmm.host.get_host().proc_files))})"),
    (["--kernel-version", "", "info"],
     "--kernel-version is empty: give a release such as 2.6.28, a commit sha prefix, or 'latest' "
     "(see `linuxmm versions`)"),
    (["log", "-n", "-1"], "log: -n must be 0 or more, not -1"),
    (["log", "-n", "abc"], "log: argument -n/--max-count: invalid int value: 'abc'"),
    (["log", "x..v2.6.28"], "x is not a modelled tag or commit (see `linuxmm versions`, `linuxmm log --oneline`)"),
    (["extfrag", "--index", "x"],
     "extfrag: argument --index: invalid choice: 'x' (choose from 'unusable', 'fragmentation')"),
])
def test_odd_inputs_are_one_line_errors(capsys, argv, message):
    assert error_of(capsys, *argv) == f"linuxmm: error: {message}"


def test_proc_accepts_the_proc_prefix(capsys):
    plain = run(capsys, "--kernel-version", "2.6.28", "proc", "buddyinfo")
    prefixed = run(capsys, "--kernel-version", "2.6.28", "proc", "/proc/buddyinfo")
    assert plain[0] == prefixed[0] == 0
    assert plain[1] == prefixed[1] != ""


def test_log_zero_count_prints_nothing(capsys):
    assert run(capsys, "log", "-n", "0") == (0, "", "")


@pytest.mark.parametrize("argv, message", [
    (["--kernel-version", "1.0", "bench"],
     "bench takes no kernel options (it boots its own kernels and machines for each case): drop --kernel-version"),
    (["versions", "--mem", "1G", "--cpus", "2"],
     "versions takes no kernel options (it lists every modelled release): drop --mem, --cpus"),
    (["--kernel-version", "2.6.28", "log", "--config", "KASAN=y"],
     "log takes no kernel options (it shows the modelled history; give a range such as v2.6.27..v2.6.28 to "
     "narrow it): drop --kernel-version, --config"),
])
def test_commands_that_boot_nothing_refuse_kernel_options(capsys, argv, message):
    assert error_of(capsys, *argv) == f"linuxmm: error: {message}"


def test_env_version_is_ignored_by_commands_that_boot_nothing(capsys, monkeypatch):
    monkeypatch.setenv("LINUXMM_KERNEL_VERSION", "bogus")
    status, out, err = run(capsys, "versions", "--tags-only")
    assert status == 0 and err == "" and out.splitlines()[0] == "v0.01"


def test_env_bad_version_names_the_variable(capsys, monkeypatch):
    monkeypatch.setenv("LINUXMM_KERNEL_VERSION", "9.9")
    expected = ("linuxmm: error: LINUXMM_KERNEL_VERSION=9.9: 9.9 is newer than the newest modelled release (v6.18); "
                "nearest: v6.16, v6.17, v6.18")
    assert error_of(capsys, "info") == expected
    assert error_of(capsys, "info", "--symbols") == expected
    assert error_of(capsys, "proc", "buddyinfo") == expected
    # the flag beats the variable, so the bad value is never read
    assert run(capsys, "--kernel-version", "2.6.28", "info")[0] == 0
    # set but empty is a mistake, as an empty --kernel-version is
    monkeypatch.setenv("LINUXMM_KERNEL_VERSION", "")
    assert error_of(capsys, "info") == ("linuxmm: error: LINUXMM_KERNEL_VERSION is set but empty: give a release "
                                        "such as 2.6.28, a commit sha prefix, or 'latest' (or unset it)")


def test_options_before_and_after_the_command_after_wins(capsys):
    status, out, _ = run(capsys, "--kernel-version", "1.0", "--mem", "64M", "--cpus", "2", "info",
                         "--kernel-version", "2.6.28", "--mem", "32M", "--cpus", "3")
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == "version:     v2.6.28"
    assert "memory:      32M (8192 pages of 4K)" in lines
    assert "cpus:        3" in lines
    # a bad value after the command is still caught, even if the one before was good
    assert error_of(capsys, "--mem", "64M", "info", "--mem", "0") == "linuxmm: error: --mem 0: less than one 4K page"


def test_subcommand_usage_errors_keep_the_linuxmm_prefix(capsys):
    assert error_of(capsys, "run", "--bogus") == "linuxmm: error: unrecognized arguments: --bogus"


# -- run: odd files ----------------------------------------------------------------------------
def test_run_missing_directory_and_empty_files(capsys, tmp_path):
    missing = tmp_path / "missing.toml"
    assert error_of(capsys, "run", str(missing)) == (
        f"linuxmm: error: {missing}: cannot read workload file: No such file or directory")
    assert error_of(capsys, "run", str(tmp_path)) == (
        f"linuxmm: error: {tmp_path}: cannot read workload file: Is a directory")
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    assert error_of(capsys, "run", str(empty)) == f"linuxmm: error: {empty}: no [[op]] tables: nothing to run"
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b"\xff\xfe")
    assert error_of(capsys, "run", str(binary)) == (
        f"linuxmm: error: {binary}: not UTF-8 text (invalid start byte at byte 0)")


@pytest.mark.parametrize("body, message", [
    ('alloc = "a"\norder = "three"', "op[0]: alloc: order must be an integer >= 0, not 'three'"),
    ('alloc = "a"\norder = -1', "op[0]: alloc: order must be an integer >= 0, not -1"),
    ('alloc = "a"\ngfp = -1', "op[0]: alloc: gfp must not be negative, not -1"),
    ('alloc = "a"\ngfp = 0x100000000', "op[0]: alloc: gfp 4294967296 has bits no flag of linuxmm.gfp names "
                                       "(0x100000000)"),
    ('alloc = "a"\ngfp = "GFP_KERNEL|0x40000"', "op[0]: alloc: gfp '0x40000' has bits no flag of linuxmm.gfp "
                                                "names (0x40000)"),
    ('alloc = "a"\nrepeat = 0', "op[0]: alloc: repeat must be an integer >= 1, not 0"),
    ('alloc = "a"\nrepeat = -3', "op[0]: alloc: repeat must be an integer >= 1, not -3"),
    ('alloc = "a"\nrepeat = 1000000000', "op[0]: alloc: repeat must be at most 1_000_000 (a bound that keeps a "
                                         "run short), not 1_000_000_000"),
    ('alloc = "a"\ncpu = -1', "op[0]: cpu must be a CPU number (0, 1, ...), not -1"),
    ('alloc = "a"\n[[op]]\nwrite = "a"\ndata = 123', "op[1]: write needs data = \"...\" (a string)"),
])
def test_run_file_with_wrong_field_types(capsys, tmp_path, body, message):
    f = tmp_path / "w.toml"
    f.write_text("[[op]]\n" + body + "\n")
    line = 3 if message.startswith("op[1]") else 1
    assert error_of(capsys, "--kernel-version", "2.6.28", "run", str(f)) == f"linuxmm: error: {f}:{line}: {message}"


@pytest.mark.parametrize("kernel, message", [
    ('mem = "lots"', "mem lots: not a size (expected a number with an optional K, M, G or T suffix, e.g. 256M)"),
    ("mem = 0", "mem 0: less than one 4K page"),
    ('mem = "65T"', "mem 65T: more than this model simulates (at most 256G)"),
    ("cpus = 0", "cpus 0: must be at least 1"),
    ("cpus = 100000", "cpus 100000: this model simulates at most 1024 CPUs"),
    ('version = ""', 'version is empty (give a release such as "2.6.28", or leave it out)'),
    ("config = {KASAN = [1]}", "config.KASAN must be a string, a boolean or an integer, not [1]"),
])
def test_run_file_with_a_bad_kernel_table(capsys, tmp_path, kernel, message):
    f = tmp_path / "k.toml"
    f.write_text(f"[kernel]\n{kernel}\n[[op]]\necho = \"x\"\n")
    assert error_of(capsys, "run", str(f)) == f"linuxmm: error: {f}:1: [kernel]: {message}"


def test_run_file_bad_version_names_the_file(capsys, tmp_path):
    f = tmp_path / "v.toml"
    f.write_text('[kernel]\nversion = "9.9"\n[[op]]\necho = "x"\n')
    assert error_of(capsys, "run", str(f)) == (
        f"linuxmm: error: {f}: [kernel] version '9.9': 9.9 is newer than the newest modelled release (v6.18); "
        f"nearest: v6.16, v6.17, v6.18")
    status, out, _ = run(capsys, "--kernel-version", "2.6.28", "run", str(f))  # the flag wins
    assert status == 0 and out == f"# {f} at v2.6.28\nx\n"


def test_run_file_cpu_that_does_not_exist_is_refused_before_any_op(capsys, tmp_path):
    f = tmp_path / "c.toml"
    f.write_text('[[op]]\nalloc = "a"\n[[op]]\nfree = "a"\ncpu = 99\n')
    status, out, err = run(capsys, "--kernel-version", "2.6.28", "--cpus", "2", "run", str(f))
    assert status == 2
    assert out == f"# {f} at v2.6.28\n"  # no op ran
    assert one_error_line(err) == (f"linuxmm: error: {f}:3: op[1]: CPU 99 does not exist (this kernel has "
                                   f"cpus=0..1; boot with --cpus 100 or set cpus in [kernel])")


def test_run_order_99_per_era(capsys, tmp_path):
    f = tmp_path / "o.toml"
    f.write_text('[[op]]\nalloc = "a"\norder = 99\n')
    # 0.01 has no way to ask for more than a page; 2.6.28 refuses order >= MAX_ORDER with NULL
    status, out, err = run(capsys, "--kernel-version", "0.01", "run", str(f))
    assert (status, out) == (2, f"# {f} at v0.01\n")
    assert one_error_line(err) == (
        f"linuxmm: error: {f}:1: op[0]: order-99 allocation is not in v0.01: this kernel allocates single pages "
        f"only; multi-page allocation arrived with the buddy allocator in v1.1.89")
    assert run(capsys, "--kernel-version", "2.6.28", "run", str(f)) == (
        0, f"# {f} at v2.6.28\nalloc a order=99 gfp=GFP_KERNEL -> NULL (failed)\n", "")


def test_run_repeat_at_the_limit_is_bounded(capsys, tmp_path):
    f = tmp_path / "r.toml"
    f.write_text('[[op]]\nalloc = "a"\nrepeat = 1000\n')
    status, out, _ = run(capsys, "--kernel-version", "2.6.28", "--mem", "32M", "run", str(f))
    assert status == 0
    assert re.fullmatch(rf"# {re.escape(str(f))} at v2\.6\.28\nalloc\+free a order=0 gfp=GFP_KERNEL x1000: "
                        r"first (0x[0-9a-f]+), last \1, 1 distinct, 0 failed\n", out), out


def test_builtin_workload_name_wins_over_a_file_of_that_name(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "churn0").mkdir()  # used to be read as a workload file: "Is a directory"
    status, out, _ = run(capsys, "--kernel-version", "0.01", "run", "churn0")
    assert status == 0
    assert out.splitlines()[0] == "workload churn0: seed 0, 4000 steps, orders 0..0 at v0.01"
    assert error_of(capsys, "run", "./churn0") == "linuxmm: error: ./churn0: cannot read workload file: Is a directory"


def test_fragment_refuses_machines_above_4g(capsys):
    assert error_of(capsys, "--kernel-version", "2.6.28", "--mem", "8G", "run", "fragment") == (
        "linuxmm: error: workload fragment allocates every page one call at a time: at most 1048576 pages (4G); "
        "this kernel has 2097152 (boot with --mem 4G or less)")


@pytest.mark.parametrize("version, report", [
    ("0.01", "$ show_mem"), ("1.0", "$ show_mem"), ("2.2", "$ show_mem"), ("2.4", "$ show_mem"),
    ("2.6.28", "$ cat /proc/buddyinfo"), ("6.18", "$ cat /proc/buddyinfo"),
])
def test_builtin_workloads_end_with_the_era_report(capsys, version, report):
    status, out, err = run(capsys, "--kernel-version", version, "run", "churn0")
    assert status == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith("workload churn0: seed 0, 4000 steps, orders 0..0 at v")
    assert report in lines
    after = lines[lines.index(report) + 1:]
    k = linuxmm.boot(version)
    # the report is the era's own text: same number of lines as on a freshly booted kernel
    fresh = (k.proc("buddyinfo") if report.startswith("$ cat") else k.page_alloc.show_mem()).rstrip("\n")
    assert len(after) == len(fresh.splitlines()) >= 1


def test_closed_pipe_is_not_a_traceback():
    """`linuxmm versions | head -1`: the reader is gone before linuxmm writes."""
    env = {k: v for k, v in os.environ.items() if k != "LINUXMM_KERNEL_VERSION"}
    for argv in (["versions"], ["log"]):
        proc = subprocess.Popen([sys.executable, "-m", "linuxmm.cli", *argv], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env)
        proc.stdout.close()
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=60) == 141  # as a shell reports a reader that went away (SIGPIPE)
        assert err == ""


def test_config_and_cmdline_from_the_environment(capsys, monkeypatch):
    # what linuxmm config-bisect sets for the command it runs: the CLI reads it as the pytest plugin does
    monkeypatch.setenv("LINUXMM_CONFIG", "KASAN=y INIT_ON_FREE_DEFAULT_ON=y")
    monkeypatch.setenv("LINUXMM_CMDLINE", "init_on_alloc=1 quiet")
    status, out, _ = run(capsys, "--kernel-version", "6.1", "--mem", "64M", "info")
    lines = out.splitlines()
    assert "config:      CONFIG_INIT_ON_FREE_DEFAULT_ON=y CONFIG_KASAN=y CONFIG_KASAN_GENERIC=y" in lines
    assert "cmdline:     init_on_alloc=1 quiet" in lines
    # flags win over the environment
    status, out, _ = run(capsys, "--kernel-version", "6.1", "--mem", "64M", "--config", "KASAN=n", "--cmdline",
                         "quiet", "info")
    lines = out.splitlines()
    assert "config:      CONFIG_INIT_ON_FREE_DEFAULT_ON=y" in lines and "cmdline:     quiet" in lines
    # commands that boot nothing are not refused for what the environment holds
    assert run(capsys, "versions", "--tags-only")[0] == 0
    k = linuxmm.boot("6.1", mem="64M")
    assert k.config["KASAN"] is True and k.cmdline.text == "init_on_alloc=1 quiet"
