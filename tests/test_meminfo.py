"""/proc/meminfo: each era's layout and field set, values that balance, and procps reading it."""

import os
import re
import shutil
import subprocess

import pytest

import linuxmm
from linuxmm import GFP_KERNEL, NotInThisKernel

from linuxmm_plugins.proc_meminfo import FIELDS_26, totalram_pages


def names(text):
    return [line.split(":")[0] for line in text.splitlines()]


def kb(text, name):
    m = re.search(rf"^{re.escape(name)}:\s+(\d+)", text, re.M)
    assert m, name
    return int(m.group(1))


@pytest.mark.parametrize("version", ["0.01", "0.11"])
def test_no_meminfo_before_10(version):
    with pytest.raises(NotInThisKernel) as exc:
        linuxmm.boot(version).proc("meminfo")
    assert str(exc.value) == f"/proc/meminfo is not in v{version}: it appeared in v1.0"


def test_10_table_after_kmalloc_and_a_shared_page():
    k = linuxmm.boot("1.0")
    ptrs = [k.kmalloc(1000, GFP_KERNEL) for _ in range(5)]  # 4 per page: two pages
    k.page_alloc.get_page(ptrs[0] & ~0xFFF)  # one extra reference: 4096 bytes "shared"
    assert k.proc("meminfo") == (
        "        total:   used:    free:   shared:  buffers:\n"
        "Mem:  15859712     8192 15851520     4096        0\n"
        "Swap:        0        0        0\n")
    # totalram: every non-reserved mem_map entry (3872 free pages at boot), in bytes
    assert 15859712 == 3872 * 4096 == totalram_pages(k.page_alloc) * 4096


def test_12_has_the_10_layout():
    text = linuxmm.boot("1.2").proc("meminfo")
    assert text.splitlines()[0] == "        total:   used:    free:   shared:  buffers:"
    assert len(text.splitlines()) == 3


def test_20_table_and_tagged_lines():
    k = linuxmm.boot("2.0")
    assert k.proc("meminfo") == (
        "        total:    used:    free:  shared: buffers:  cached:\n"
        "Mem:  15732736        0 15732736        0        0        0\n"
        "Swap:        0        0        0\n"
        "MemTotal:     15364 kB\n"
        "MemFree:      15364 kB\n"
        "MemShared:        0 kB\n"
        "Buffers:          0 kB\n"
        "Cached:           0 kB\n"
        "SwapTotal:        0 kB\n"
        "SwapFree:         0 kB\n")
    p = k.kmalloc(100, GFP_KERNEL)
    text = k.proc("meminfo")
    assert kb(text, "MemFree") == 15364 - 4 and "Mem:  15732736     4096 15728640" in text
    k.kfree(p)  # the page stays in kmalloc_cache[0]: still used
    assert kb(k.proc("meminfo"), "MemFree") == 15360


def test_22_same_layout_as_20():
    k = linuxmm.boot("2.2")
    for _ in range(3):
        k.page_alloc.alloc_block(1, GFP_KERNEL)
    assert k.proc("meminfo") == (
        "        total:    used:    free:  shared: buffers:  cached:\n"
        "Mem:  65196032    24576 65171456        0        0        0\n"
        "Swap:        0        0        0\n"
        "MemTotal:     63668 kB\n"
        "MemFree:      63644 kB\n"
        "MemShared:        0 kB\n"
        "Buffers:          0 kB\n"
        "Cached:           0 kB\n"
        "SwapTotal:        0 kB\n"
        "SwapFree:         0 kB\n")


def test_24_fields_and_highmem():
    k = linuxmm.boot("2.4", mem="1G")
    text = k.proc("meminfo")
    assert names(text)[3:] == ["MemTotal", "MemFree", "MemShared", "Buffers", "Cached", "Active", "Inact_dirty",
                               "Inact_clean", "Inact_target", "HighTotal", "HighFree", "LowTotal", "LowFree",
                               "SwapTotal", "SwapFree"]
    assert "HighTotal:      131072 kB\n" in text  # 1024M - 896M of HighMem
    assert "LowTotal:       903412 kB\n" in text and "MemTotal:      1034484 kB\n" in text
    assert text.splitlines()[1] == "Mem:  1059311616        0 1059311616        0        0        0"


def test_2620_exact():
    assert linuxmm.boot("2.6.20", mem="64M").proc("meminfo") == (
        "MemTotal:        57980 kB\nMemFree:         57980 kB\nBuffers:             0 kB\nCached:              0 kB\n"
        "SwapCached:          0 kB\nActive:              0 kB\nInactive:            0 kB\nSwapTotal:           0 kB\n"
        "SwapFree:            0 kB\nDirty:               0 kB\nWriteback:           0 kB\nAnonPages:           0 kB\n"
        "Mapped:              0 kB\nSlab:                0 kB\nSReclaimable:        0 kB\nSUnreclaim:          0 kB\n"
        "PageTables:          0 kB\nNFS_Unstable:        0 kB\nBounce:              0 kB\nCommitLimit:     28988 kB\n"
        "Committed_AS:        0 kB\nVmallocTotal: 34359738367 kB\nVmallocUsed:         0 kB\nVmallocChunk: 34359738367 kB\n"
        "HugePages_Total:     0\nHugePages_Free:      0\nHugePages_Rsvd:      0\nHugepagesize:     2048 kB\n")


@pytest.mark.parametrize("version,expected", [
    ("2.6.0", ["MemTotal", "MemFree", "Buffers", "Cached", "SwapCached", "Active", "Inactive", "HighTotal",
               "HighFree", "LowTotal", "LowFree", "SwapTotal", "SwapFree", "Dirty", "Writeback", "Mapped", "Slab",
               "Committed_AS", "PageTables", "VmallocTotal", "VmallocUsed", "VmallocChunk", "HugePages_Total",
               "HugePages_Free", "Hugepagesize"]),
    ("2.6.9", ["MemTotal", "MemFree", "Buffers", "Cached", "SwapCached", "Active", "Inactive", "HighTotal",
               "HighFree", "LowTotal", "LowFree", "SwapTotal", "SwapFree", "Dirty", "Writeback", "Mapped", "Slab",
               "CommitLimit", "Committed_AS", "PageTables", "VmallocTotal", "VmallocUsed", "VmallocChunk",
               "HugePages_Total", "HugePages_Free", "Hugepagesize"]),
    ("6.18", ["MemTotal", "MemFree", "MemAvailable", "Buffers", "Cached", "SwapCached", "Active", "Inactive",
              "Active(anon)", "Inactive(anon)", "Active(file)", "Inactive(file)", "Unevictable", "Mlocked",
              "SwapTotal", "SwapFree", "Dirty", "Writeback", "AnonPages", "Mapped", "Shmem", "KReclaimable", "Slab",
              "SReclaimable", "SUnreclaim", "KernelStack", "PageTables", "SecPageTables", "NFS_Unstable", "Bounce",
              "WritebackTmp", "CommitLimit", "Committed_AS", "VmallocTotal", "VmallocUsed", "VmallocChunk", "Percpu",
              "Balloon", "HugePages_Total", "HugePages_Free", "HugePages_Rsvd", "HugePages_Surp", "Hugepagesize",
              "Hugetlb", "DirectMap4k", "DirectMap2M"]),
])
def test_field_sets(version, expected):
    assert names(linuxmm.boot(version, mem="64M").proc("meminfo")) == expected


def test_fields_arrive_with_their_releases():
    def has(version, name):
        return name in names(linuxmm.boot(version, mem="64M").proc("meminfo"))

    assert not has("3.13", "MemAvailable") and has("3.14", "MemAvailable")
    assert not has("2.6.27", "Active(anon)") and has("2.6.28", "Active(anon)")
    assert has("2.6.18", "HighTotal") and not has("2.6.19", "HighTotal")
    assert not has("2.6.18", "SReclaimable") and has("2.6.19", "SReclaimable")
    assert not has("4.19", "KReclaimable") and has("4.20", "KReclaimable")
    assert not has("6.0", "SecPageTables") and has("6.1", "SecPageTables")


def test_label_width_14_then_16():
    assert linuxmm.boot("2.6.27", mem="64M").proc("meminfo").splitlines()[0] == "MemTotal:        57980 kB"
    text = linuxmm.boot("2.6.28", mem="64M").proc("meminfo")
    assert text.splitlines()[0] == "MemTotal:          57980 kB"
    assert "Inactive(anon):        0 kB\n" in text and "HugePages_Total:       0\n" in text
    assert "Hugepagesize:       2048 kB\n" in text


def test_memavailable_3_14_low_watermarks_then_totalreserve():
    k = linuxmm.boot("3.14", mem="256M")
    pa = k.page_alloc
    free = sum(z.free_pages for z in pa.zones)
    low = sum(z.watermark[1] for z in pa.zones)
    assert kb(k.proc("meminfo"), "MemAvailable") == (free - low) * 4 == 249020
    k = linuxmm.boot("6.18", mem="256M")
    pa = k.page_alloc
    free = sum(z.free_pages for z in pa.zones)
    assert kb(k.proc("meminfo"), "MemAvailable") == (free - pa.totalreserve_pages) * 4 == 247580


def test_memfree_leaves_out_per_cpu_pages():
    k = linuxmm.boot("6.18", mem="256M", cpus=2)
    k.free_pages(k.__get_free_pages(GFP_KERNEL, 0), 0)  # the page (and its batch) stay on the pcp list
    pa = k.page_alloc
    assert pa.pcp_pages() > 0
    assert kb(k.proc("meminfo"), "MemFree") == (pa.nr_free_pages() - pa.pcp_pages()) * 4


class _Reporter:
    """A subsystem that knows some meminfo fields (as slab and vmalloc will)."""

    def __init__(self, fields):
        self.fields = fields

    def meminfo(self):
        return dict(self.fields)


def test_subsystem_fields_fill_the_era_lines_only():
    fields = {"Slab": 100, "SReclaimable": 32, "SUnreclaim": 68, "VmallocTotal": 34359738367,
              "VmallocUsed": 12, "VmallocChunk": 0, "Zswap": 5}
    k = linuxmm.boot("6.18", mem="256M")
    k.subsystems["reporter"] = _Reporter(fields)
    text = k.proc("meminfo")
    assert "Slab:                100 kB\n" in text and "SReclaimable:         32 kB\n" in text
    assert "KReclaimable:         32 kB\n" in text and "VmallocTotal:   34359738367 kB\n" in text
    assert "Zswap" not in text  # CONFIG_ZSWAP is off in the model's configuration
    pa = k.page_alloc
    free = sum(z.free_pages for z in pa.zones)
    low = sum(z.watermark[1] for z in pa.zones)
    assert kb(text, "MemAvailable") == (free - pa.totalreserve_pages + 8 - min(4, low)) * 4
    k = linuxmm.boot("2.6.18", mem="64M")
    k.subsystems["reporter"] = _Reporter(fields)
    text = k.proc("meminfo")
    assert "Slab:              100 kB\n" in text and "SReclaimable" not in text


def test_every_field_has_a_mark():
    for f in FIELDS_26:
        assert f.mark in ("V", "S")
        assert f.mark == "V" or f.introduced.startswith("v") or f.removed


# ---------------------------------------------------------------------------------------------
# procps reads the file
# ---------------------------------------------------------------------------------------------
def _with_meminfo(tmp_path, text, command):
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which(command[0]):
        pytest.skip(f"needs root, unshare(1) and {command[0]} to bind-mount a file over /proc/meminfo")
    path = tmp_path / "meminfo"
    path.write_text(text)
    script = f"mount --bind {path} /proc/meminfo && exec {' '.join(command)}"
    run = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True)
    if run.returncode and "mount" in run.stderr + run.stdout:
        pytest.skip(f"cannot bind-mount over /proc/meminfo here: {run.stderr.strip()}")
    assert run.returncode == 0, run.stderr
    return run.stdout


@pytest.mark.parametrize("version,mem", [("2.0", None), ("2.4", "1G"), ("2.6.20", "64M"), ("6.18", "256M")])
def test_procps_free_shows_the_model(tmp_path, version, mem):
    k = linuxmm.boot(version, mem=mem)
    for _ in range(7):
        k.page_alloc.alloc_block(2, GFP_KERNEL)
    text = k.proc("meminfo")
    out = _with_meminfo(tmp_path, text, ["free", "-k"])
    row = next(line for line in out.splitlines() if line.startswith("Mem:")).split()
    total, used, free, shared, buffcache, available = map(int, row[1:7])
    assert (total, free, shared, buffcache) == (kb(text, "MemTotal"), kb(text, "MemFree"), 0, 0)
    assert free == total - 7 * 16  # seven order-2 blocks
    if "MemAvailable" in text:
        assert available == kb(text, "MemAvailable")
    assert used == total - available  # procps 4: used is what is not available


def test_procps_vmstat_s_shows_the_model(tmp_path):
    k = linuxmm.boot("2.6.28", mem="64M")
    k.alloc_pages(GFP_KERNEL, 3)
    text = k.proc("meminfo")
    out = _with_meminfo(tmp_path, text, ["vmstat", "-s"])
    assert f"{kb(text, 'MemTotal'):>13} K total memory" in out
    assert f"{kb(text, 'MemFree'):>13} K free memory" in out
    assert f"{0:>13} K total swap" in out
