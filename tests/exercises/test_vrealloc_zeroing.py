"""Zeroing what is already zero.

A hardened fleet boots with ``init_on_alloc=1``: the page allocator zeroes
every page it hands out, so a fresh vmalloc block reads as zeros to its last
byte. On such a v6.14 machine a profile of a program that grows ``vrealloc``
buffers still shows ``memset`` under ``vrealloc``: when a grow fits in the
pages the block already has, vrealloc zeroes bytes that the page allocator
zeroed a moment before. On v6.15 that ``memset`` is gone from grows; zeroing
happens when a block shrinks, the only time stale bytes can be left behind.

The model counts the kernel's zeroing in the ``bytes_zeroed`` counter: the
page allocator's (4096 bytes for each new page under ``init_on_alloc=1``) and
vrealloc's own ``memset``, which it also counts apart as
``vrealloc_bytes_zeroed``. The test asserts the old behaviour, so bisect with
``--old v6.14 --new v6.15``: a run that exits 0 is "old".

Which commit stopped the redundant zeroing? Between v6.14 and v6.15 vrealloc
changed more than once, and one of those changes also moves the block on
every grow (exercise 9): the page allocator then zeroes a new page, which is
why the test reads vrealloc's own counter.
"""

import pytest

from linuxmm import GFP_KERNEL

EXERCISE = {
    "number": 11,
    "title": "Zeroing what is already zero",
    "kind": "commit",
    "old": "v6.14",
    "new": "v6.15",
    "terms": ["old", "new"],
    "answer": "sha256:00c13067:52a8cbaa987571b8146471ed84a84127b77bdb4af371a11ab8c2dce26143216e",
}


@pytest.mark.kernel_versions(">=3ddc2fefe6f3")  # vrealloc()
@pytest.mark.kernel_boot(cmdline="init_on_alloc=1")
def test_vrealloc_zeroes_bytes_that_are_already_zero(kernel):
    p = kernel.vmalloc(64)
    assert kernel.counters["bytes_zeroed"] == 4096  # init_on_alloc: the page allocator zeroed the page
    assert kernel.memory.read(p, 4096) == bytes(4096)
    kernel.vrealloc(p, 256, GFP_KERNEL)
    assert kernel.counters["vrealloc_bytes_zeroed"] > 0  # vrealloc's memset ran over those zeros
