"""A kernel belongs to the thread that booted it: other threads are refused, not allowed to corrupt it."""

import threading

import pytest

import linuxmm
from linuxmm import GFP_KERNEL
from linuxmm.errors import ConcurrencyError


def _in_thread(fn):
    out = []

    def run():
        try:
            out.append(fn())
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            out.append(exc)

    t = threading.Thread(target=run, name="worker")
    t.start()
    t.join()
    return out[0]


def conserved(k):
    pa = k.page_alloc
    return pa.nr_free_pages() + pa.allocated_pages() + pa.reserved_pages() == pa.nr_pages


@pytest.mark.parametrize("call", [
    lambda k: k.alloc_pages(GFP_KERNEL, 0),
    lambda k: k.free_pages(k.page_alloc.page_offset + (4096 << 12), 0),
    lambda k: k.memory.read(k.page_alloc.page_offset, 4),
    lambda k: k.proc("buddyinfo"),
    lambda k: k.on_cpu(0).__enter__(),
])
def test_calls_from_another_thread_are_refused(call):
    k = linuxmm.boot("2.6.28", mem="64M")
    free = k.page_alloc.nr_free_pages()
    exc = _in_thread(lambda: call(k))
    assert isinstance(exc, ConcurrencyError)
    assert str(exc) == ("this kernel was booted in MainThread and was called from worker: a kernel is not "
                        "thread-safe; boot one kernel per thread, or model concurrency with simulated CPUs "
                        "(kernel.on_cpu(i))")
    assert k.page_alloc.nr_free_pages() == free and conserved(k)
    # the owner goes on as before, through the same attributes
    a = k.alloc_pages(GFP_KERNEL, 0)
    k.memory.write(a, b"ok")
    assert k.memory.read(a, 2) == b"ok"
    with k.on_cpu(0):
        k.free_pages(a, 0)
    assert conserved(k)


def test_a_kernel_per_thread_is_fine():
    def own():
        k = linuxmm.boot("6.18", mem="64M", cpus=2)
        addrs = [k.alloc_pages(GFP_KERNEL, 0) for _ in range(100)]
        with k.on_cpu(1):
            for a in addrs:
                k.free_pages(a, 0)
        return conserved(k) and k.page_alloc.allocated_pages() == 0

    assert _in_thread(own) is True


def test_single_threaded_kernels_are_not_wrapped():
    # nothing to pay when no second thread ever starts: the API is the allocator's own function
    k = linuxmm.boot("2.6.28", mem="64M")
    if threading.active_count() == 1:
        assert not k._guarded
        assert getattr(k.alloc_pages, "__wrapped__", None) is None
    k.guard_threads()
    assert k.alloc_pages.__wrapped__ is k.page_alloc.alloc_pages
