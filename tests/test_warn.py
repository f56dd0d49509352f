"""WARN()'s lines as each era printed them, and panic_on_warn."""

import pytest

import linuxmm
from linuxmm.errors import KernelPanic
from linuxmm.warn import warn, warn_printer, warning_lines


@pytest.mark.parametrize("version,lines", [
    ("2.4", []),
    ("2.6.18", ["Badness in vfree at mm/vmalloc.c"]),
    ("2.6.20", ["BUG: warning at mm/vmalloc.c/vfree()"]),
    ("2.6.25", ["WARNING: at mm/vmalloc.c vfree()"]),
    ("2.6.26", ["------------[ cut here ]------------", "WARNING: at mm/vmalloc.c vfree()"]),
    ("3.11", ["------------[ cut here ]------------", "WARNING: CPU: 0 PID: 1 at mm/vmalloc.c vfree()"]),
    ("4.6", ["------------[ cut here ]------------", "WARNING: CPU: 0 PID: 1 at mm/vmalloc.c vfree"]),
])
def test_warning_lines_by_era(version, lines):
    assert warning_lines(linuxmm.boot(version, mem="64M"), "mm/vmalloc.c", "vfree") == lines


def test_panic_on_warn():
    k = linuxmm.boot("6.2", mem="64M", cmdline="panic_on_warn=1")
    with pytest.raises(KernelPanic):
        warn(k, "mm/vmalloc.c", "vfree", "Trying to vfree() nonexistent vm area (0000000012345678)")
    assert k.dmesg[-2:] == ["Trying to vfree() nonexistent vm area (0000000012345678)",
                            "Kernel panic - not syncing: kernel: panic_on_warn set ..."]
    k = linuxmm.boot("6.1", mem="64M", cmdline="panic_on_warn=1")
    with pytest.raises(KernelPanic):
        warn(k, "mm/vmalloc.c", "vfree")
    assert k.dmesg[-1] == "Kernel panic - not syncing: panic_on_warn set ..."


def test_warn_printer_resolves_the_era_once(monkeypatch):
    k = linuxmm.boot("3.11", mem="64M", cpus=2)
    print_warn = warn_printer(k, "mm/page_alloc.c", "__alloc_pages_slowpath")

    def boom(ref):
        raise AssertionError(f"kernel.has({ref!r}) after the printer was built")
    monkeypatch.setattr(k, "has", boom)
    n = len(k.dmesg)
    with k.on_cpu(1):
        print_warn("message")
    assert k.dmesg[n:] == ["------------[ cut here ]------------",
                           "WARNING: CPU: 1 PID: 1 at mm/page_alloc.c __alloc_pages_slowpath()", "message"]
