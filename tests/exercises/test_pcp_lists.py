"""One block short: find the fix.

From 2.6.24 the page allocator groups pages by mobility (migratetype), but its
per-CPU lists stayed single lists with pages of every type mixed together. A
workload that frees movable and unmovable pages one after the other, far
beyond what the per-CPU list holds, then finds its 256 MB machine with 57 free
4 MB blocks in DMA32 instead of the 58 that 2.6.23 gave back. A later release
gives the 58th block back again.

Find the commit that fixed it. As with ``git bisect``, a run that exits 0 is
"old", so this test asserts the broken behaviour: it passes while the bug is
there (``--term-old broken``) and fails once it is fixed (``--term-new
fixed``).
"""

import pytest

from linuxmm import GFP_HIGHUSER_MOVABLE, GFP_KERNEL

EXERCISE = {
    "number": 2,
    "title": "One block short",
    "kind": "commit",
    "old": "v2.6.24",
    "new": "v2.6.34",
    "terms": ["broken", "fixed"],
    "answer": "sha256:1035ad84:549e8372659d315cd4989d947f25c86e10bb1e0e0a80b3ee5b34ac22263dd4a4",
}


@pytest.mark.kernel_boot(mem="256M")
def test_interleaved_frees_leave_a_4mb_block_short(kernel):
    movable = [kernel.alloc_pages(GFP_HIGHUSER_MOVABLE, 0) for _ in range(200)]
    unmovable = [kernel.alloc_pages(GFP_KERNEL, 0) for _ in range(200)]
    for m, u in zip(movable, unmovable):
        kernel.free_pages(m, 0)
        kernel.free_pages(u, 0)
    dma32 = kernel.proc("buddyinfo").splitlines()[-1].split()
    assert dma32[3] == "DMA32"
    assert int(dma32[-1]) == 57  # order-10 blocks: the bug leaves one short of 58
