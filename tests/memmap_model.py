"""A reference model of the 0.01/0.11 ``mem_map`` allocator, shared by both eras' tests.

It replays a sequence of get/free/share operations against a booted kernel and a plain
dict of reference counts, asserting after every step that the kernel handed out the
highest free page and that free + allocated + reserved pages add up to every frame.
"""


def replay(k, seq, lo, hi):
    """Run ``seq`` on kernel ``k`` whose handed-out pages lie in ``[lo, hi)``; return the counts."""
    pa = k.page_alloc
    counts = {}  # page address -> reference count, for pages handed out
    for op, pick in seq:
        if op == "get":
            candidates = [a for a in range(lo, hi, 4096) if a not in counts]
            expect = max(candidates) if candidates else 0
            assert k.get_free_page() == expect
            if expect:
                counts[expect] = 1
        elif counts:
            addr = sorted(counts)[pick % len(counts)]
            if op == "share":
                counts[addr] += 1
                pa.get_page(addr)
            else:
                k.free_page(addr)
                counts[addr] -= 1
                if not counts[addr]:
                    del counts[addr]
        assert pa.nr_free_pages() + pa.allocated_pages() + pa.reserved_pages() == k.phys.nr_pages
    assert pa.allocated_pages() == len(counts)
    assert all(pa.page_count(a) == c for a, c in counts.items())
    # the free count is true: exactly that many more pages can be had
    free = pa.nr_free_pages()
    drained = 0
    while k.get_free_page():
        drained += 1
    assert drained == free == (hi - lo) // 4096 - len(counts)
    return counts
