"""The block that did not come back.

A driver allocates order-2 blocks (16 KB) and keeps a small pool of them. Its
test frees a block and expects the very next order-2 allocation to return the
same block: it is still warm in the CPU caches, and the buddy allocator has
always put a freed block at the head of its free list. On v2.6.32 the test
passes; on v3.0 the next allocation hands out a different block.

The test frees, in order: two neighbouring blocks that merge into a free
order-3 block; a block whose buddy is busy and whose order-3 neighbour is
busy too; then the block under test, whose buddy is busy but whose order-3
neighbour is the free block made first. Then it allocates one order-2 block.

Which change made the allocator set that block aside?
"""

import pytest

from linuxmm import GFP_KERNEL

EXERCISE = {
    "number": 1,
    "title": "The block that did not come back",
    "kind": "commit",
    "good": "v2.6.32",
    "bad": "v3.0",
    "answer": "sha256:4e6c0d94:65e81ad409bdcaaecca4275c9c5a158725b6c7acdf0f0e846ece8e74798b5fd9",
}


@pytest.mark.kernel_boot(mem="64M")
def test_freed_block_is_handed_out_again_first(kernel):
    blocks = [kernel.alloc_pages(GFP_KERNEL, 2) for _ in range(8)]
    pfns = [b >> 12 for b in blocks]
    assert pfns == list(range(pfns[0], pfns[0] + 32, 4)) and pfns[0] % 32 == 0  # one aligned order-5 run
    b0, b1, b2, b3, b4, b5, b6, b7 = blocks
    kernel.free_pages(b2, 2)
    kernel.free_pages(b3, 2)  # b2 and b3 merge: a free order-3 block
    kernel.free_pages(b5, 2)  # buddy b4 busy; its order-3 neighbour (b6, b7) busy
    kernel.free_pages(b0, 2)  # buddy b1 busy; its order-3 neighbour (b2, b3) free
    assert kernel.alloc_pages(GFP_KERNEL, 2) == b0
