"""Every modelled release boots, serves a seeded workload, and conserves its pages.

For each release: boot with the era's defaults, run a seeded mix of allocations and frees
of every order the era can serve through the era's own calls, and check after every step
that free + allocated + reserved pages add up to every frame.  Freeing everything must give
back exactly the free pages the kernel booted with.
"""

import random

import pytest

import linuxmm

RELEASES = linuxmm.history().modelled_releases()


def conserved(pa):
    return pa.nr_free_pages() + pa.allocated_pages() + pa.reserved_pages() == pa.nr_pages


def test_the_range_is_complete():
    assert RELEASES[0] == "v0.01" and RELEASES[-1] == "v6.18" and len(RELEASES) > 150


@pytest.mark.parametrize("tag", RELEASES)
def test_release_conserves_pages(tag):
    smp = linuxmm.history().resolve(tag).has("v2.0")
    cpus = 2 if smp else 1
    k = linuxmm.boot(tag, mem="64M" if tag not in ("v0.01", "v0.11") else None, cpus=cpus)
    pa = k.page_alloc
    assert k.version == tag and conserved(pa)
    boot_free = pa.nr_free_pages()
    rng = random.Random(tag)
    held = []
    for step in range(150):
        if held and rng.random() < 0.45:
            addr, order = held.pop(rng.randrange(len(held)))
            with k.on_cpu(step % cpus):
                pa.free_block(addr, order)
        else:
            order = rng.choice(range(min(pa.max_order, 4) + 1))
            with k.on_cpu(step % cpus):
                addr = pa.alloc_block(order, linuxmm.GFP_KERNEL)
            assert addr, f"{tag}: order-{order} allocation failed with plenty of memory free"
            held.append((addr, order))
        assert conserved(pa), f"{tag}: pages not conserved after step {step}"
    assert pa.allocated_pages() == sum(1 << order for _, order in held)
    k.check()  # lists, flags, counts and per-CPU pages agree, as well as the totals
    for addr, order in held:
        pa.free_block(addr, order)
    assert pa.allocated_pages() == 0 and pa.nr_free_pages() == boot_free and conserved(pa)
    k.check()
