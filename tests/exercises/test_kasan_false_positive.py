"""A false alarm from KASAN: find the fix.

The BPF verifier of the 6.13 development cycle keeps a history of the
instructions it has checked, in a buffer it grows by one 16-byte entry at a
time (``kvrealloc``, which hands a vmalloc address on to ``vrealloc``, new in
v6.12) before writing the new entry at its end. Fuzzing kernels built with
``KASAN=y`` and ``KASAN_VMALLOC=y`` (vmalloc space then has real shadow
memory, so its accesses are checked), syzbot reports::

    BUG: KASAN: vmalloc-out-of-bounds in push_insn_history

The write is inside the size the verifier asked for. The verifier is not to
blame: the test below does to ``vrealloc`` what the verifier does, and on
v6.12, the release that brought vrealloc, it gets the same report. On v6.14
the report is gone. When the new size still fits in the pages the area
already has, vrealloc returns the same block, and at first it did so without
telling KASAN that the bytes up to the new size are now in bounds.

Find the commit that fixed it. As in exercise 2, a run that exits 0 is "old",
so the test asserts the false report is there: it passes while the bug is
(``--term-old broken``) and fails once it is fixed (``--term-new fixed``).
Its ``kernel_boot`` marker builds the kernel with KASAN and KASAN_VMALLOC; its
``kernel_versions`` marker skips it on kernels that have no vrealloc.
"""

import pytest

from linuxmm import GFP_KERNEL

EXERCISE = {
    "number": 8,
    "title": "A false alarm from KASAN",
    "kind": "commit",
    "old": "v6.12",
    "new": "v6.14",
    "terms": ["broken", "fixed"],
    "answer": "sha256:ebbd97ef:9cc549bc012a7a69d47e7c24e7771f15583f8db95de1e126f177ede2fca7c8f0",
}

ENTRY = 16  # sizeof(struct bpf_insn_hist_entry)


def push_insn_history(kernel, hist, n):
    """Grow the history to n + 1 entries and write entry n, as the verifier does."""
    hist = kernel.vrealloc(hist, (n + 1) * ENTRY, GFP_KERNEL)
    kernel.memory.write(hist + n * ENTRY, n.to_bytes(4, "little") + bytes(ENTRY - 4))
    return hist


@pytest.mark.kernel_versions(">=3ddc2fefe6f3")  # vrealloc()
@pytest.mark.kernel_boot(config={"KASAN": True, "KASAN_VMALLOC": True})
def test_kasan_reports_the_verifier_writing_its_own_entry(kernel):
    hist = 0
    for n in range(8):
        hist = push_insn_history(kernel, hist, n)
    assert kernel.memory.read(hist + 7 * ENTRY, 4) == (7).to_bytes(4, "little")
    reports = [line for line in kernel.dmesg if line.startswith("BUG: KASAN:")]
    assert reports == ["BUG: KASAN: vmalloc-out-of-bounds in push_insn_history"]
