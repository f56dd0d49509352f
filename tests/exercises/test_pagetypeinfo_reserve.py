"""The Reserve column vanished.

A monitoring script has read ``/proc/pagetypeinfo`` since 2.6.24 and graphs
how many pageblocks each zone keeps in the ``Reserve`` migratetype. On v3.0 it
works. On v4.4 the column is gone from the "Number of blocks type" table, and
a new one, ``HighAtomic``, is there instead.

Which commit replaced the reserve?
"""

import pytest

EXERCISE = {
    "number": 4,
    "title": "The Reserve column vanished",
    "kind": "commit",
    "good": "v3.0",
    "bad": "v4.4",
    "answer": "sha256:68a6f188:f83e49d6498f181611a1ace9d74a3f89137aacf41413540c53ea4198ecc1789a",
}


@pytest.mark.kernel_boot(mem="64M")
def test_pagetypeinfo_counts_reserve_blocks(kernel):
    lines = kernel.proc("pagetypeinfo").splitlines()
    header = next(line for line in lines if line.startswith("Number of blocks type"))
    columns = header.split()[4:]
    assert "Reserve" in columns
    row = lines[lines.index(header) + 1].split()
    assert int(row[4 + columns.index("Reserve")]) >= 1  # Node 0, zone DMA: at least one reserved block
