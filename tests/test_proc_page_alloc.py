"""/proc/buddyinfo and /proc/pagetypeinfo of buddy-2.6."""

import pytest

import linuxmm
from linuxmm import GFP_KERNEL, NotInThisKernel

# mem=256M: free after boot = pfns 1-159, 256-511, 2048-4095 (DMA) and 5120-65535 (DMA32)
DMA_ROW = "Node 0, zone      DMA      1      1      1      1      1      2      1      0      1      0      2 "
DMA32_ROW = "Node 0, zone    DMA32      0      0      0      0      0      0      0      0      0      0     59 "


@pytest.mark.parametrize("version", ["2.6.28", "6.18"])
def test_buddyinfo_after_boot(version):
    k = linuxmm.boot(version, mem="256M")
    assert k.proc("buddyinfo") == DMA_ROW + "\n" + DMA32_ROW + "\n"


def test_buddyinfo_before_dma32():
    k = linuxmm.boot("2.6.14", mem="256M")
    assert k.proc("/proc/buddyinfo") == (
        DMA_ROW + "\n" + DMA32_ROW.replace("   DMA32", "  Normal") + "\n")


def test_buddyinfo_64g_has_three_zones():
    k = linuxmm.boot("2.6.28", mem="64G")
    rows = k.proc("buddyinfo").splitlines()
    # DMA32 [16M, 4G) minus the 1 GB mem_map at 16M; Normal = 60 GB = 15360 blocks of 4 MB
    assert rows[1].endswith("   764 ")
    assert rows[2] == "Node 0, zone   Normal" + "      0" * 10 + "  15360 "


def test_buddyinfo_leaves_out_pcp_pages():
    k = linuxmm.boot("2.6.28", mem="256M")
    k.alloc_pages(GFP_KERNEL, 0)
    # one order-0 request pulled batch=15 pages: a 1024 block split into 512+256+...+16 and 15 pages gone
    assert k.proc("buddyinfo").splitlines()[1] == (
        "Node 0, zone    DMA32      1      0      0      0      1      1      1      1      1      1     58 ")


def test_buddyinfo_not_in_24():
    k = linuxmm.boot("2.4.0")
    with pytest.raises(NotInThisKernel, match="v2.6.0"):
        k.proc("buddyinfo")


def test_pagetypeinfo_not_in_2623():
    k = linuxmm.boot("2.6.23", mem="256M")
    with pytest.raises(NotInThisKernel, match="467c996c1e19"):
        k.proc("pagetypeinfo")


def test_pagetypeinfo_2624():
    text = linuxmm.boot("2.6.24", mem="256M").proc("pagetypeinfo").splitlines()
    assert text[:5] == [
        "Page block order: 9",
        "Pages per block:  512",
        "",
        "Free pages count per migrate type at order       0      1      2      3      4      5      6      7      8"
        "      9     10 ",
        "Node    0, zone      DMA, type    Unmovable      0      0      0      0      0      0      0      0      0"
        "      0      0 ",
    ]
    assert text[6] == ("Node    0, zone      DMA, type      Movable      1      1      1      1      1      2      1"
                       "      0      1      0      1 ")
    # the first free pageblock (pfn 2048) became MIGRATE_RESERVE, with its order-10 block
    assert text[7].startswith("Node    0, zone      DMA, type      Reserve      0")
    assert text[7].endswith("     1 ")
    assert text[-3] == ("Number of blocks type     Unmovable  Reclaimable      Movable      Reserve      Isolate ")
    assert text[-2] == "Node 0, zone      DMA            0            0            7            1            0 "
    assert text[-1] == "Node 0, zone    DMA32            0            0          119            1            0 "


def test_pagetypeinfo_618_type_names():
    text = linuxmm.boot("6.18", mem="256M").proc("pagetypeinfo")
    names = [line.split("type")[1].split()[0] for line in text.splitlines() if ", type " in line][:5]
    assert names == ["Unmovable", "Movable", "Reclaimable", "HighAtomic", "Isolate"]
    assert "Reserve" not in text
