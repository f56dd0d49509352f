"""The last kernel with SLAB.

A benchmark harness compares the SLAB and SLUB allocators on every new
kernel. It boots each one with ``SLAB=y``; when a kernel refuses that
because the choice is now spelled differently, it tries ``SLAB_DEPRECATED=y``
instead (the name under which SLAB was still offered for a few releases).
On v6.4 SLAB boots. On v6.8 neither setting can be had.

Unlike exercise 15's test, this one keeps up with a renamed option, so what
it finds is the point where SLAB could no longer be chosen at all. The
harness's own boots decide: the ``kernel`` fixture only says which version
is under test.

Which commit removed SLAB?
"""

import linuxmm
from linuxmm import ConfigError

EXERCISE = {
    "number": 16,
    "title": "The last kernel with SLAB",
    "kind": "commit",
    "good": "v6.4",
    "bad": "v6.8",
    "answer": "sha256:2e1fe116:0eebe1f0aca0b20eaa1f795a28f8ec09f4bb51d1c130877c18faaf90acf21c9c",
}


def boot_with_slab(version):
    """A kernel booted with SLAB=y or, where that is refused, SLAB_DEPRECATED=y; None if neither boots."""
    for config in ({"SLAB": True}, {"SLAB_DEPRECATED": True}):
        try:
            return linuxmm.boot(version, config=config)
        except ConfigError:
            continue
    return None


def test_slab_can_still_be_chosen(kernel):
    slab = boot_with_slab(kernel.revision.name)
    assert slab is not None
    assert slab.implementations["slab"].name == "slab"
