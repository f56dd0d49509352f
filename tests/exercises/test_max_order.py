"""Half the buffer.

A driver sizes its largest buffer as ``MAX_ORDER - 1``: for fifteen years that
was the largest order the buddy allocator hands out, 4 MB on x86-64. After an
upgrade from v6.3 to v6.7 the driver still works, but its buffer is 2 MB. The
constant kept its name; something changed what it means.

Which commit?
"""

import pytest

from linuxmm import GFP_KERNEL

EXERCISE = {
    "number": 3,
    "title": "Half the buffer",
    "kind": "commit",
    "good": "v6.3",
    "bad": "v6.7",
    "answer": "sha256:90a8cde2:5bb9ba7f2cfe03b5f95efd4e51fbe65e5248860f8dbef2f543315aa9e480227c",
}


@pytest.mark.kernel_boot(mem="256M")
def test_largest_buffer_is_4mb(kernel):
    order = kernel.page_alloc.MAX_ORDER - 1
    buf = kernel.alloc_pages(GFP_KERNEL, order)
    assert buf != 0
    assert (4096 << order) == 4 << 20
