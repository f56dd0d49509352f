"""/proc/slabinfo read by procps: ``linuxmm slabtop`` and the real ``slabtop``/``vmstat -m`` agree with the model.

The real tools read the model's file through a bind mount over /proc/slabinfo in a
private mount namespace (``unshare -m``); those tests skip, saying why, where that is
not possible (no unshare or mount, no root, no procps).
"""

import shutil
import subprocess

import pytest

import linuxmm
from linuxmm import GFP_KERNEL
from linuxmm.cli import main
from linuxmm_plugins.slabtop import render


def busy_kernel():
    k = linuxmm.boot("6.12", cmdline="slab_nomerge")
    c = k.kmem_cache_create("test_cache", 100)
    for _ in range(50):
        k.kmem_cache_alloc(c, GFP_KERNEL)
    ps = [k.kmalloc(64, GFP_KERNEL) for _ in range(100)]
    for p in ps[::2]:
        k.kfree(p)
    return k


def test_linuxmm_slabtop_screen():
    lines = render(busy_kernel().proc("slabinfo")).splitlines()
    assert lines[:11] == [
        " Active / Total Objects (% used)    : 280 / 312 (89.7%)",
        " Active / Total Slabs (% used)      : 7 / 7 (100.0%)",
        " Active / Total Caches (% used)     : 4 / 42 (9.5%)",
        " Active / Total Size (% used)       : 25.80K / 27.80K (92.8%)",
        " Minimum / Average / Maximum Object : 0.01K / 0.09K / 8.00K",
        "",
        "  OBJS ACTIVE  USE OBJ SIZE  SLABS OBJ/SLAB CACHE SIZE NAME                   ",
        # kmalloc-64: 32 of the first slab's objects freed into it (partial, not active); the CPU
        # slab's 18 freed objects sit on the CPU freelist and SLUB counts them as active
        "   128     96  75%    0.06K      2       64         8K kmalloc-64             ",
        "    78     78 100%    0.10K      2       39         8K test_cache             ",
        "    64     64 100%    0.06K      1       64         4K kmem_cache_node        ",
        "    42     42 100%    0.19K      2       21         8K kmem_cache             ",
    ]
    assert len(lines) == 7 + 42


def test_linuxmm_slabtop_sort_keys():
    text = busy_kernel().proc("slabinfo")
    by_size = [l.split()[-1] for l in render(text, "c").splitlines()[7:11]]
    assert by_size == ["test_cache", "kmalloc-64", "kmem_cache", "kmem_cache_node"]  # ties keep file order
    by_name = render(text, "n").splitlines()[7].split()[-1]
    assert by_name == "dma-kmalloc-128"


def test_slabtop_command(capsys):
    assert main(["--kernel-version", "6.12", "slabtop", "-o", "-s", "c"]) == 0
    out = capsys.readouterr().out.splitlines()
    # a freshly booted kernel's first slab call is the read: the boot caches' own objects only
    assert out[0] == " Active / Total Objects (% used)    : 106 / 106 (100.0%)"
    assert out[7].split()[-1] == "kmem_cache" and out[8].split()[-1] == "kmem_cache_node"


def test_slabtop_command_errors(capsys):
    assert main(["--kernel-version", "6.12", "slabtop", "--run", "nosuch"]) == 2
    assert capsys.readouterr().err.strip() == ("linuxmm: error: slabtop: no built-in workload 'nosuch' "
                                               "(see `linuxmm run --list`)")
    assert main(["--kernel-version", "6.12", "slabtop", "-o", "-s", "x"]) == 2
    assert "unknown sort key 'x'" in capsys.readouterr().err


def _namespace_problem() -> str | None:
    if shutil.which("unshare") is None or shutil.which("mount") is None:
        return "unshare or mount is not installed"
    if shutil.which("slabtop") is None or shutil.which("vmstat") is None:
        return "procps (slabtop, vmstat) is not installed"
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount --bind /dev/null /proc/slabinfo"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        return f"cannot bind-mount over /proc/slabinfo in a private mount namespace: {probe.stderr.strip()}"
    return None


def _with_slabinfo(tmp_path, text: str, command: str) -> str:
    path = tmp_path / "slabinfo"
    path.write_text(text)
    proc = subprocess.run(["unshare", "-m", "sh", "-c", f"mount --bind {path} /proc/slabinfo && {command}"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.fixture(scope="module")
def procps():
    problem = _namespace_problem()
    if problem:
        pytest.skip(problem)


@pytest.mark.parametrize("key", list("abclvnopsu"))
def test_real_slabtop_reads_the_model(tmp_path, procps, key):
    text = busy_kernel().proc("slabinfo")
    assert _with_slabinfo(tmp_path, text, f"slabtop -o -s {key}") == render(text, key)


@pytest.mark.parametrize("version, config", [("2.6.24", None), ("4.4", None), ("6.18", ["EXPERT=y"])])
def test_real_vmstat_m_shows_the_model_numbers(tmp_path, procps, version, config):
    k = linuxmm.boot(version, config=config)
    for size in (30, 64, 100, 700, 3000):
        k.kmalloc(size, GFP_KERNEL)
    rows = {r.name: r for r in k.slab.slabinfo_rows()}
    out = _with_slabinfo(tmp_path, k.proc("slabinfo"), "vmstat -m").splitlines()
    assert out[0].split() == ["Cache", "Num", "Total", "Size", "Pages"]
    seen = set()
    for line in out[1:]:
        if line.split()[0] == "Cache":  # vmstat repeats its header every screenful
            continue
        name, num, total, size, pages = line.split()
        r = rows[name]
        assert (int(num), int(total), int(size), int(pages)) == (r.active_objs, r.num_objs, r.objsize, r.objperslab)
        seen.add(name)
    assert seen == set(rows)
