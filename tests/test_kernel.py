"""The composed kernel: API binding, panics, CPUs, dmesg."""

import pytest

import linuxmm
from linuxmm.errors import KernelPanic, LinuxmmError
from linuxmm.host import Host

import toyplugin


@pytest.fixture(scope="module")
def toy_host():
    return Host(extra_plugins=[toyplugin])


def boot_toy(host, version="2.6.29", **kw):
    return linuxmm.boot(version, config={"TOY_PAGE_ALLOC": True}, host=host, **kw)


def test_api_is_bound_directly(toy_host):
    k = boot_toy(toy_host)
    # A kernel call is the implementation's own bound method: no dispatch in between (unless a
    # second Python thread runs, as under pytest-xdist: then calls check the thread first).
    call = getattr(k.toy_get_page, "__wrapped__", k.toy_get_page)
    assert call.__self__ is k.page_alloc
    assert call.__func__ is toyplugin.ToyAllocator.toy_get_page


def test_panic_logs_and_refuses_later_calls(toy_host):
    k = boot_toy(toy_host)
    with pytest.raises(KernelPanic):
        k.panic("trying to free free page")
    assert k.dmesg[-1] == "Kernel panic - not syncing: trying to free free page"
    assert k.panicked == "trying to free free page"
    with pytest.raises(KernelPanic) as exc:
        k.toy_get_page()
    assert "boot a new one" in str(exc.value)


def test_on_cpu_switches_and_restores(toy_host):
    k = boot_toy(toy_host, cpus=4)
    seen = []
    k._cpu_listeners.append(seen.append)
    with k.on_cpu(3):
        assert k.this_cpu == 3
        with k.on_cpu(1):
            assert k.this_cpu == 1
        assert k.this_cpu == 3
    assert k.this_cpu == 0 and seen == [3, 1, 3, 0]
    with pytest.raises(LinuxmmError) as exc:
        with k.on_cpu(4):
            pass
    assert str(exc.value) == "CPU 4 does not exist (this kernel has cpus=0..3)"


def test_flush_tlb_all_counts_ipis(toy_host):
    k = boot_toy(toy_host, cpus=4)
    k.cpus[2].tlb[7] = 7
    k.flush_tlb_all()
    assert k.counters["tlb_flushes"] == 1 and k.counters["ipis"] == 3 and not k.cpus[2].tlb


def test_command_line_in_dmesg(toy_host):
    k = boot_toy(toy_host, cmdline="quiet")
    assert "Kernel command line: quiet" in k.dmesg
    assert not any(line.startswith("Unknown kernel command line") for line in k.dmesg)


def test_memory_reads_and_writes_through_the_direct_map(toy_host):
    k = boot_toy(toy_host)
    a = k.toy_get_page()
    k.memory.write(a + 4090, b"hello world")  # crosses into the next page
    assert k.memory.read(a + 4090, 11) == b"hello world"
    with pytest.raises(linuxmm.PageFault):
        k.memory.read(k.page_alloc.page_offset + (1 << 20), 1)


def test_boot_log_order_follows_start_kernel():
    # setup_arch's zone lines, then the command line, then mem_init's report.
    k = linuxmm.boot("2.4", cmdline="quiet")
    lines = list(k.dmesg)
    assert lines.index("zone(1): 28672 pages.") < lines.index("Kernel command line: quiet")
    assert lines[-1].startswith("Memory: ") and lines[-2] == "Kernel command line: quiet"
    k = linuxmm.boot("6.18", cmdline="init_on_alloc=1 foo")
    assert list(k.dmesg) == [
        "Kernel command line: init_on_alloc=1 foo",
        'Unknown kernel command line parameters "foo", will be passed to user space.',
        "mem auto-init: stack:off, heap alloc:on, heap free:off",
        "SLUB: HWalign=64, Order=0-3, MinObjects=0, CPUs=1, Nodes=1",  # kmem_cache_init, after mem_init
    ]


def test_no_smp_before_20():
    with pytest.raises(LinuxmmError) as exc:
        linuxmm.boot("1.2", cpus=2)
    assert str(exc.value) == "cpus=2: v1.2.0 has no SMP support; it arrived in v2.0"
    assert linuxmm.boot("2.0", cpus=2).nr_cpus == 2
