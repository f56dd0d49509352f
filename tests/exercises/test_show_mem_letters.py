"""Letters in the free-memory report.

A log scraper reads the free-memory report that the kernel prints on SysRq-m
and in out-of-memory reports (``show_mem``), one line per zone with the free
blocks of each order: ``Node 0 DMA: 1*4kB 1*8kB ... 2*4096kB = 9852kB``. On
v3.0 its regular expression matches every line. On v3.10 it matches none: the
counts are followed by letters in brackets, ``1*4kB (M)``.

Which change added them? The model does not list every commit: when the first
bad point is a release, that release is the answer (the change is one of the
commits between it and the point before it).
"""

import re

import pytest

EXERCISE = {
    "number": 6,
    "title": "Letters in the free-memory report",
    "kind": "commit",
    "good": "v3.0",
    "bad": "v3.10",
    "answer": "sha256:34e2ccb6:8db5cd5729152fb879ee7bf8dc59a85641f094969af1382a32132b17c0e53090",
}

ZONE_LINE = re.compile(r"^Node 0 (DMA|DMA32|Normal): (\d+\*\d+kB ){11}= \d+kB$")


@pytest.mark.kernel_boot(mem="64M")
def test_scraper_reads_every_zone_line(kernel):
    lines = [line for line in kernel.page_alloc.show_mem().splitlines() if line.startswith("Node 0 ")]
    assert lines and all(ZONE_LINE.match(line) for line in lines)
