"""Fragmentation indexes (mm/vmstat.c) with hand-computed numbers."""

import linuxmm
from linuxmm.fragmentation import (ContigPageInfo, fill_contig_block_info, format_index, fragmentation_index,
                                   render_extfrag_index, render_unusable_index, unusable_free_index)

# 4 free order-0 blocks and one order-2 block: 8 free pages in 5 blocks
NR_FREE = [4, 0, 1]


def test_fill_contig_block_info():
    info = fill_contig_block_info(NR_FREE, 1)
    assert (info.free_pages, info.free_blocks_total, info.free_blocks_suitable) == (8, 5, 2)
    assert fill_contig_block_info(NR_FREE, 3).free_blocks_suitable == 0


def test_unusable_free_index_by_hand():
    assert unusable_free_index(0, fill_contig_block_info(NR_FREE, 0)) == 0  # (8 - 8) * 1000 / 8
    assert unusable_free_index(1, fill_contig_block_info(NR_FREE, 1)) == 500  # (8 - 2*2) * 1000 / 8
    assert unusable_free_index(2, fill_contig_block_info(NR_FREE, 2)) == 500  # (8 - 1*4) * 1000 / 8
    assert unusable_free_index(3, fill_contig_block_info(NR_FREE, 3)) == 1000  # nothing usable
    assert unusable_free_index(0, ContigPageInfo()) == 1000  # no free page at all


def test_fragmentation_index_by_hand():
    assert fragmentation_index(1, fill_contig_block_info(NR_FREE, 1)) == -1000  # a block exists
    # 1000 - (1000 + 8*1000/8) / 5 = 1000 - 400
    assert fragmentation_index(3, fill_contig_block_info(NR_FREE, 3)) == 600
    # order 4: 1000 - (1000 + 8000/16) / 5 = 1000 - 300
    assert fragmentation_index(4, fill_contig_block_info(NR_FREE, 4)) == 700
    assert fragmentation_index(2, ContigPageInfo()) == 0  # no free block


def test_format_is_c_division():
    assert format_index(-1000) == "-1.000 "
    assert format_index(600) == "0.600 "
    assert format_index(1000) == "1.000 "
    assert format_index(64) == "0.064 "


def test_debugfs_renders_at_2628():
    k = linuxmm.boot("2.6.28", mem="256M")
    unusable = render_unusable_index(k).splitlines()
    extfrag = render_extfrag_index(k).splitlines()
    # DMA: 2463 free pages in [1,1,1,1,1,2,1,0,1,0,2]; order 10: (2463 - 2*1024)*1000/2463 = 168
    # order 8: suitable = 1 + 2*4 = 9 blocks of 256: (2463 - 2304)*1000/2463 = 64
    assert unusable[0].startswith("Node 0, zone      DMA 0.000 ")
    assert unusable[0].split()[4 + 8] == "0.064"
    assert unusable[0].split()[4 + 10] == "0.168"
    assert unusable[1] == "Node 0, zone    DMA32 " + "0.000 " * 11  # 59 max-order blocks only
    assert extfrag[1] == "Node 0, zone    DMA32 " + "-1.000 " * 11
    assert len(unusable) == 2  # Normal is not populated
