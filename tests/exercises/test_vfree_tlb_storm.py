"""The interrupt storm of vfree: find the fix.

On an 8-CPU machine running v2.6.24, a filesystem that maps and unmaps small
buffers in kernel virtual memory all the time spends more and more of its
time in TLB flushing as CPUs are added. The profile is clear: each ``vfree``
(and ``vunmap``) unmaps its range and then flushes the kernel's TLB entries on
every CPU at once, which on x86 means an inter-processor interrupt to each
of the other seven CPUs, every time. v2.6.30 frees the same buffers without a
single flush: freed ranges wait, and are flushed together, once, when enough
of them have piled up.

The model counts the flushes (``tlb_flushes``) and the interrupts they send
(``ipis``). The test frees 16 areas on 8 CPUs and asserts the storm: 16
flushes, 112 interrupts. It passes while the behaviour is the old one, so
bisect with ``--term-old broken --term-new fixed``.

Which commit stopped flushing on every vfree?
"""

import pytest

EXERCISE = {
    "number": 12,
    "title": "The interrupt storm of vfree",
    "kind": "commit",
    "old": "v2.6.24",
    "new": "v2.6.30",
    "terms": ["broken", "fixed"],
    "answer": "sha256:165fd840:00d02315748b4b61879f7d0ddae1585b844b7f588015e4ef0103f0f9c5fde9c6",
}


@pytest.mark.kernel_boot(mem="64M", cpus=8)
def test_every_vfree_interrupts_every_other_cpu(kernel):
    areas = [kernel.vmalloc(4 * 4096) for _ in range(16)]
    assert (kernel.counters["tlb_flushes"], kernel.counters["ipis"]) == (0, 0)  # mapping flushes nothing
    for addr in areas:
        kernel.vfree(addr)
    assert kernel.counters["tlb_flushes"] == 16  # one flush per vfree...
    assert kernel.counters["ipis"] == 16 * 7  # ...and an interrupt to each of the other 7 CPUs
