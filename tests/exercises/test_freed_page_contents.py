"""Which setting wiped the evidence? (a config bisect)

A forensic test frees a page and allocates it again: the old bytes should
still be there, as they are on a default v6.12 kernel. On the production
kernel, booted with a handful of extra settings, the page comes back zeroed.

Bisect the settings, not the history: ``linuxmm config-bisect`` applies the
bad settings one at a time on top of the good ones (none here), as ktest's
config bisect does, and names the first that makes the test fail.
"""

import pytest

from linuxmm import GFP_KERNEL

EXERCISE = {
    "number": 7,
    "title": "Which setting wiped the evidence?",
    "kind": "setting",
    "version": "6.12",
    "good": "",
    "bad": "quiet loglevel=7 console=ttyS0 KASAN=y INIT_ON_ALLOC_DEFAULT_ON=n init_on_free=1 nohugevmalloc",
    "answer": "sha256:fd0b3cc9:1dfc2fbe1ddc3f8484485fbf5f1d59374bd85e16cbba4c9f879790c703354bfc",
}


@pytest.mark.kernel_boot(mem="64M")
def test_freed_page_keeps_its_bytes(kernel):
    page = kernel.alloc_pages(GFP_KERNEL, 0)
    kernel.memory.write(page, b"evidence")
    kernel.free_pages(page, 0)
    again = kernel.alloc_pages(GFP_KERNEL, 0)
    assert again == page  # the per-CPU list hands back the page just freed
    assert kernel.memory.read(again, 8) == b"evidence"
