"""The longer the list, the slower the vmalloc.

A server keeps thousands of vmalloc areas alive at once (loaded modules, BPF
programs, and since 4.9 the kernel stack of every thread). On v4.20 each new
``vmalloc`` there gets slower the more areas are alive: to find a hole the
allocator walks the busy areas one after another, in address order, until
one is followed by a gap large enough. On v5.3 the cost hardly depends on how
many areas there are.

The model counts the areas the allocator visits in ``vmap_steps``. The test
keeps 100, then 400 one-page areas alive with a hole between each two,
asks for three pages (no hole fits them), and asserts the walk: each
additional live area costs at least one more step.

The test passes while vmalloc is slow, and "old" is whatever a run that
exits 0 stands for: here, pick terms that say so, ``--term-old slow
--term-new fast``. Any two words git accepts as terms will do.

Which commit made the cost stop growing with the number of live areas?
"""

import pytest

import linuxmm

EXERCISE = {
    "number": 13,
    "title": "The longer the list, the slower the vmalloc",
    "kind": "commit",
    "old": "v4.20",
    "new": "v5.3",
    "terms": ["slow", "fast"],
    "answer": "sha256:333948e2:48a91b9af6e4470f1fa4f454b4c589872c4463800963b3f8401988766ccfe7e4",
}

PAGE = 4096


def steps_among(kernel, live):
    """vmap_steps of one 3-page vmalloc among ``live`` one-page areas with a small hole before each."""
    areas = [kernel.vmalloc(PAGE) for _ in range(2 * live)]
    for addr in areas[::2]:
        kernel.vfree(addr)
    kernel.vm_unmap_aliases()  # flush the lazily freed areas: the holes are free now
    before = kernel.counters["vmap_steps"]
    assert kernel.vmalloc(3 * PAGE) > areas[-1]  # no hole fits: it goes above every live area
    return kernel.counters["vmap_steps"] - before


@pytest.mark.kernel_boot(mem="256M")
def test_each_live_area_costs_a_step(kernel):
    few = steps_among(kernel, 100)
    many = steps_among(linuxmm.boot(kernel.revision.name, mem="256M"), 400)  # the same kernel, booted again
    assert many - few >= 300
