"""Property: no sequence of vmalloc calls leaks a page or overlaps two areas, in any era."""

import pytest
from hypothesis import given, settings, strategies as st

import linuxmm
from linuxmm import GFP_KERNEL

PAGE = 4096
VERSIONS = ["1.0", "2.0", "2.2", "2.4", "2.6.27", "2.6.28", "3.10", "5.1", "5.2", "6.12"]

ops = st.lists(st.one_of(
    st.tuples(st.just("alloc"), st.integers(0, 40)),
    st.tuples(st.just("free"), st.integers(0, 50)),
    st.tuples(st.just("bad"), st.integers(1, 4095)),
    st.tuples(st.just("ram"), st.integers(1, 70)),
    st.tuples(st.just("unram"), st.integers(0, 50)),
    st.tuples(st.just("purge"), st.just(0)),
), max_size=40)


def check_areas(v):
    spans = v.areas()
    for (a0, a1), (b0, b1) in zip(spans, spans[1:]):
        assert a0 < a1 <= b0 < b1, (hex(a0), hex(a1), hex(b0), hex(b1))


@pytest.mark.parametrize("version", VERSIONS)
@settings(max_examples=25, deadline=None)
@given(seq=ops)
def test_no_leak_no_overlap(version, seq):
    k = linuxmm.boot(version, mem="32M", cpus=2 if version >= "2.0" else 1)
    v = k.subsystems["vmalloc"]
    pa = k.page_alloc
    free0 = pa.nr_free_pages()
    live: list[tuple[int, int]] = []
    rams: list[tuple[int, list[int]]] = []
    has_ram = k.has("db64fe02258f")
    for op, arg in seq:
        if op == "alloc":
            if not arg and version == "2.4":
                continue  # 2.4.0's __vmalloc BUG()s on a size of 0 (tested in test_vmalloc_old)
            a = k.vmalloc(arg * PAGE)
            if a:
                live.append((a, arg))
                k.memory.write(a, a.to_bytes(8, "little"))
                k.memory.write(a + arg * PAGE - 8, a.to_bytes(8, "little"))
        elif op == "free" and live:
            a, n = live.pop(arg % len(live))
            assert k.memory.read(a, 8) == a.to_bytes(8, "little")  # nothing else wrote over it
            assert k.memory.read(a + n * PAGE - 8, 8) == a.to_bytes(8, "little")
            k.vfree(a)
        elif op == "bad" and live:
            before = (pa.nr_free_pages(), v.areas())
            k.vfree(live[0][0] + arg)
            assert (pa.nr_free_pages(), v.areas()) == before
        elif op == "ram" and has_ram:
            pages = [p for p in (k.alloc_pages(GFP_KERNEL, 0) for _ in range(arg)) if p]
            addr = k.vm_map_ram(pages, len(pages)) if pages else 0
            if addr:
                rams.append((addr, pages))
            else:
                for p in pages:
                    k.free_pages(p, 0)
        elif op == "unram" and rams:
            addr, pages = rams.pop(arg % len(rams))
            k.vm_unmap_ram(addr, len(pages))
            for p in pages:
                k.free_pages(p, 0)
        elif op == "purge" and has_ram:
            k.vm_unmap_aliases()
        check_areas(v)
        held = sum(len(p) for _, p in rams)
        assert pa.nr_free_pages() + v.mapped_pages() + held == free0
    for a, _ in live:
        k.vfree(a)
    for addr, pages in rams:
        k.vm_unmap_ram(addr, len(pages))
        for p in pages:
            k.free_pages(p, 0)
    if has_ram:
        k.vm_unmap_aliases()
    assert pa.nr_free_pages() == free0 and v.mapped_pages() == 0
    if has_ram and hasattr(v, "free_blocks"):
        v.free.check()
        assert v.free_blocks()[-1][1] == (1 << 64) - 1
