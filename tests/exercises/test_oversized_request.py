"""A warning in the log.

A test suite boots the kernel, runs a driver's probe and fails the run if the
kernel log has a ``WARNING``. The probe asks for an order-11 block (8 MB), one
order more than the buddy allocator has, and copes with the NULL it gets. On
v2.6.28 the log is clean; on v2.6.35 a WARNING names ``__alloc_pages_slowpath``.

Where did the warning come from? The model does not list every commit: if the
first bad point is a release, that is the answer (the change is one of the
commits between it and the point before).
"""

import pytest

from linuxmm import GFP_KERNEL

EXERCISE = {
    "number": 6,
    "title": "A warning in the log",
    "kind": "commit",
    "good": "v2.6.28",
    "bad": "v2.6.35",
    "answer": "sha256:34e2ccb6:c089f13cc2af65b2448d7f060d95ddc35df119465742f6b15e7b18fdd423ef9c",
}


@pytest.mark.kernel_boot(mem="64M")
def test_oversized_request_fails_quietly(kernel):
    assert kernel.alloc_pages(GFP_KERNEL, 11) == 0
    assert not [line for line in kernel.dmesg if "WARNING" in line]
