"""Before the file existed: skip what cannot be tested.

When did the page allocator start keeping short-lived kernel allocations
(dentries, inodes) in their own "Reclaimable" pageblocks? The probe is
``/proc/pagetypeinfo``, which lists the migratetypes the kernel has. You know
v2.6.21 had no such thing and v2.6.28 has it, so you bisect with ``old`` and
``new``: ``linuxmm bisect run --old v2.6.21 --new v2.6.28``.

But /proc/pagetypeinfo itself only appeared in 2.6.24. On earlier points the
test cannot tell old from new: its ``kernel_versions`` marker skips it there,
and under ``linuxmm bisect run`` a run whose every test was skipped for the
kernel's version exits with 125, git bisect's "cannot test this one", so the
bisection skips those points and keeps going.

Which commit introduced the Reclaimable migratetype?
"""

import pytest

EXERCISE = {
    "number": 5,
    "title": "Before the file existed",
    "kind": "commit",
    "old": "v2.6.21",
    "new": "v2.6.28",
    "terms": ["old", "new"],
    "answer": "sha256:49f68842:5f9ab352b28de19393e8de307b61906b0021d027d5a57a38b6959cc67f6c4459",
}


@pytest.mark.kernel_versions(">=467c996c1e19")  # /proc/pagetypeinfo
@pytest.mark.kernel_boot(mem="64M")
def test_no_reclaimable_migratetype_yet(kernel):
    assert "Reclaimable" not in kernel.proc("pagetypeinfo")
