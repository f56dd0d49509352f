"""The grow that stays put: find the fix.

Exercise 9 found the commit after which every ``vrealloc`` that grows a
block moves it, even when the new size fits in the pages the block already
has. That commit did make room for growing in place: it records the size the
caller asked for (``requested_size``) and has a branch for a grow that fits,
which tells KASAN about the new bytes and records the new size... and then,
instead of returning the block, carries on into the allocate-copy-free path.
v6.15-rc6 and -rc7 have the bug; v6.15 does not.

Find the commit that fixed it. The test asserts the bug (``--term-old
broken``, a run that exits 0): a grow from 64 to 256 bytes returns a new
block and copies the 64 old bytes. Two fixes went in on the same day, just
before v6.15, and only one of them is the answer: read the subject of the
one you find.
"""

import pytest

from linuxmm import GFP_KERNEL

EXERCISE = {
    "number": 10,
    "title": "The grow that stays put",
    "kind": "commit",
    "old": "v6.15-rc6",
    "new": "v6.15",
    "terms": ["broken", "fixed"],
    "answer": "sha256:d0edde4c:6fb62509e7f66e14dd62e0a0fcf0c2d17ef4361e51a583128d76db3dedaf5bcd",
}


@pytest.mark.kernel_versions(">=3ddc2fefe6f3")  # vrealloc()
def test_a_grow_that_fits_still_moves_the_block(kernel):
    p = kernel.vmalloc(64)
    kernel.memory.write(p, b"A" * 64)
    q = kernel.vrealloc(p, 256, GFP_KERNEL)
    assert kernel.memory.read(q, 64) == b"A" * 64
    assert q != p  # a new block...
    assert kernel.counters["bytes_copied"] == 64  # ...and the old bytes copied into it
    assert kernel.counters["vfree_calls"] == 1  # the old block freed
