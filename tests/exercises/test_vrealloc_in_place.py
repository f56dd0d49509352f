"""Every grow moves the block.

The BPF verifier's instruction history grows one 16-byte entry at a time. On
v6.14 that costs almost nothing: ``vrealloc`` sees that the new size still
fits in the page the buffer already has and returns the same block. On
v6.15-rc7, and on the 6.14.7 stable candidate, the BPF selftests slow down
until they time out, and a profile shows ``memcpy`` under ``vrealloc``: every
grow, even by one entry, allocates a new block, copies the history into it
and frees the old one.

The test grows a history to 64 entries and checks that vrealloc never moved
it: one ``vmalloc`` in all, and not one byte copied (the ``bytes_copied``
counter counts the kernel's ``memcpy``). Its ``kernel_versions`` marker skips
it on kernels without vrealloc (before v6.12-rc1): from a good point further
back, a bisection would skip those points (exit status 125) rather than take
the missing function for the regression.

Which commit made every grow move the block? (Exercise 10 looks for its fix.)
"""

import pytest

from linuxmm import GFP_KERNEL

EXERCISE = {
    "number": 9,
    "title": "Every grow moves the block",
    "kind": "commit",
    "good": "v6.14",
    "bad": "v6.15-rc7",
    "answer": "sha256:8f8faa03:fdbbb9265b84917c1bb8a3a9e52aea5086f32c0d5d9c6d7e0b09825496c92833",
}

ENTRY = 16  # sizeof(struct bpf_insn_hist_entry)


@pytest.mark.kernel_versions(">=3ddc2fefe6f3")  # vrealloc()
def test_growing_inside_the_page_keeps_the_block(kernel):
    hist = kernel.vrealloc(0, ENTRY, GFP_KERNEL)
    moved = 0
    for n in range(1, 64):
        grown = kernel.vrealloc(hist, (n + 1) * ENTRY, GFP_KERNEL)
        moved += grown != hist
        hist = grown
        kernel.memory.write(hist + n * ENTRY, n.to_bytes(4, "little"))
    assert kernel.memory.read(hist + 63 * ENTRY, 4) == (63).to_bytes(4, "little")
    assert moved == 0
    assert kernel.counters["vmalloc_calls"] == 1
    assert kernel.counters["bytes_copied"] == 0
