"""``linuxmm run kasan_test``: the kernel's KASAN KUnit cases for the allocators the model has.

The suite is ``kasan`` (``CONFIG_KASAN_KUNIT_TEST``, KUnit from v5.10: lib/test_kasan.c, then
mm/kasan/kasan_test.c and kasan_test_c.c [V: the 5.10-6.18 trees]); the module it replaced is not
modelled.  During the suite every report is printed (the tests turn multi-shot on), and
``KUNIT_EXPECT_KASAN_FAIL(test, expr)`` passes when ``expr`` caused a report.  Cases, under their
own names and with each era's form:

* ``pagealloc_uaf`` (v5.12; ``page_alloc_uaf`` from v6.8 [V 6.3 vs 6.8 trees]): an order-4 block
  allocated and freed, then ``ptr[0]`` written (5.12) or read (6.x): a ``use-after-free``.
* ``pagealloc_oob_right`` (v5.12; ``page_alloc_oob_right`` from v6.8): skipped under generic KASAN,
  whose page allocations have no red zones -- ``kunit_info`` "skipping, CONFIG_KASAN_GENERIC
  enabled" until v5.13, a KUnit skip "Test requires CONFIG_KASAN_GENERIC=n" from v5.14.
* ``vmalloc_oob`` (v5.10 in KUnit; 3c5c3cfb9ef4 added it): before v5.18 [S release; the 5.17 tree
  has it] ``vmalloc(3000)`` and a read of byte 3100; from v5.18 (the 5.19 tree) ``vmalloc(2035)``
  (``PAGE_SIZE / 2 - KASAN_GRANULE_SIZE - 5``), in-bounds writes at 0 and 2034, reads of bytes 2035
  (unaligned, generic only) and 2040, and a write through the direct map to the physical page.
  Without ``CONFIG_KASAN_VMALLOC``: ``kunit_info`` "CONFIG_KASAN_VMALLOC is not enabled." (v5.10,
  v5.11), "skipping, CONFIG_KASAN_VMALLOC required" (v5.12, v5.13), a skip "Test requires
  CONFIG_KASAN_VMALLOC=y" from v5.14.

* ``kmalloc_oob_right`` (SLUB): ``kmalloc(123)`` and a write at byte 123 until v5.14; from v5.15
  (the 5.15 tree) ``kmalloc(115)`` with writes at 115 (unaligned, generic only) and 120 and a read
  at 123.
* ``kmalloc_uaf`` (SLUB): ``kmalloc(10)``, ``kfree``, then byte 8 written (until v5.14) or read.

The other slab cases (``kmalloc_double_kzfree``, the mempool and RCU ones ...) are not ported;
neither are SLAB's KASAN hooks, so under SLAB the slab cases are left out.  The output is KTAP version 1 as 6.x prints it
(earlier KUnit wrote ``ok 1 - name``; the model keeps one layout [S]), with the kernel log of each
case before its result line.
"""

from __future__ import annotations

from typing import Any, Callable

from linuxmm import hookimpl
from linuxmm.errors import LinuxmmError, NotInThisKernel
from linuxmm.gfp import GFP_KERNEL
from linuxmm.records import Workload

PAGE_SIZE = 4096
KASAN_GRANULE_SIZE = 8


class Skip(Exception):
    """``kunit_skip``."""


class KasanTest:
    def __init__(self, kernel: Any):
        self.k = kernel
        self.kasan = kernel.kasan
        self.log: list[str] = []
        self.failures: list[str] = []

    def info(self, name: str, text: str) -> None:
        self.log.append(f"    # {name}: {text}")

    def KUNIT_EXPECT_KASAN_FAIL(self, name: str, what: str, fn: Callable[[], Any]) -> None:  # noqa: N802
        """``KUNIT_EXPECT_KASAN_FAIL``: ``fn`` must cause a KASAN report."""
        counters = self.k.counters
        before = counters["kasan_reports"]
        fn()
        if counters["kasan_reports"] == before:
            self.failures.append(f"    # {name}: KASAN failure expected in \"{what}\", but none occurred")

    # -- the cases ----------------------------------------------------------------------------------
    def kmalloc_oob_right(self, name: str) -> None:
        k = self.k
        memory = k.memory
        if not k.has("v5.15"):
            size = 123
            ptr = k.kmalloc(size, GFP_KERNEL)
            self.KUNIT_EXPECT_KASAN_FAIL(name, "ptr[size + OOB_TAG_OFF] = 'x'", lambda: memory.write(ptr + size, b"x"))
            k.kfree(ptr)
            return
        size = 128 - KASAN_GRANULE_SIZE - 5
        ptr = k.kmalloc(size, GFP_KERNEL)
        self.KUNIT_EXPECT_KASAN_FAIL(name, "ptr[size] = 'x'", lambda: memory.write(ptr + size, b"x"))
        self.KUNIT_EXPECT_KASAN_FAIL(name, "ptr[size + 5] = 'y'", lambda: memory.write(ptr + size + 5, b"y"))
        self.KUNIT_EXPECT_KASAN_FAIL(name, "ptr[0] = ptr[size + KASAN_GRANULE_SIZE + 5]",
                                     lambda: memory.write(ptr, memory.read(ptr + size + KASAN_GRANULE_SIZE + 5, 1)))
        k.kfree(ptr)

    def kmalloc_uaf(self, name: str) -> None:
        k = self.k
        ptr = k.kmalloc(10, GFP_KERNEL)
        k.kfree(ptr)
        if k.has("v5.15"):
            self.KUNIT_EXPECT_KASAN_FAIL(name, "((volatile char *)ptr)[8]", lambda: k.memory.read(ptr + 8, 1))
        else:
            self.KUNIT_EXPECT_KASAN_FAIL(name, "*(ptr + 8) = 'x'", lambda: k.memory.write(ptr + 8, b"x"))

    def pagealloc_uaf(self, name: str) -> None:
        k = self.k
        order = 4
        ptr = k.alloc_pages(GFP_KERNEL, order)
        k.free_pages(ptr, order)
        if k.has("v6.8"):
            self.KUNIT_EXPECT_KASAN_FAIL(name, "((volatile char *)ptr)[0]", lambda: k.memory.read(ptr, 1))
        else:
            self.KUNIT_EXPECT_KASAN_FAIL(name, "ptr[0] = 0", lambda: k.memory.write(ptr, b"\0"))

    def pagealloc_oob_right(self, name: str) -> None:
        # generic KASAN: page allocations have no red zones
        if self.k.has("v5.14"):
            raise Skip("Test requires CONFIG_KASAN_GENERIC=n")
        self.info(name, "skipping, CONFIG_KASAN_GENERIC enabled")

    def vmalloc_oob(self, name: str) -> None:
        k = self.k
        if not self.kasan.vmalloc:
            if k.has("v5.14"):
                raise Skip("Test requires CONFIG_KASAN_VMALLOC=y")
            self.info(name, "skipping, CONFIG_KASAN_VMALLOC required" if k.has("v5.12")
                      else "CONFIG_KASAN_VMALLOC is not enabled.")
            return
        memory = k.memory
        if not k.has("v5.18"):
            area = k.vmalloc(3000)
            self.KUNIT_EXPECT_KASAN_FAIL(name, "((volatile char *)area)[3100]", lambda: memory.read(area + 3100, 1))
            k.vfree(area)
            return
        size = PAGE_SIZE // 2 - KASAN_GRANULE_SIZE - 5
        v_ptr = k.vmalloc(size)
        memory.write(v_ptr, b"\0")
        memory.write(v_ptr + size - 1, b"\0")
        self.KUNIT_EXPECT_KASAN_FAIL(name, "((volatile char *)v_ptr)[size]", lambda: memory.read(v_ptr + size, 1))
        self.KUNIT_EXPECT_KASAN_FAIL(name, "((volatile char *)v_ptr)[size + 5]",
                               lambda: memory.read(v_ptr + size + 5, 1))
        vm = k.subsystems["vmalloc"]
        p_ptr = vm.page_addr(k.vmalloc_to_pfn(v_ptr))
        memory.write(p_ptr, b"\0")  # the physical page through the direct map: valid
        k.vfree(v_ptr)


def _renamed(fn: Callable[..., Any], name: str) -> Callable[..., Any]:
    """The same test under the name a later era gave it (reports name the function that accessed)."""
    code = fn.__code__.replace(co_name=name, co_qualname=f"KasanTest.{name}")
    return type(fn)(code, fn.__globals__, name, fn.__defaults__, fn.__closure__)


KasanTest.page_alloc_uaf = _renamed(KasanTest.pagealloc_uaf, "page_alloc_uaf")  # type: ignore[attr-defined]
KasanTest.page_alloc_oob_right = _renamed(KasanTest.pagealloc_oob_right,  # type: ignore[attr-defined]
                                          "page_alloc_oob_right")


def cases(kernel: Any) -> list[tuple[str, str]]:
    """(name in this era, method) of the modelled cases, in the suite's order."""
    new_names = kernel.has("v6.8")
    slab = hasattr(kernel.subsystems.get("slab"), "kasan_object")  # KASAN's slab hooks: SLUB
    out = [("kmalloc_oob_right", "kmalloc_oob_right")] if slab else []
    if kernel.has("v5.12"):
        oob, uaf = ("page_alloc_oob_right", "page_alloc_uaf") if new_names else ("pagealloc_oob_right",
                                                                                 "pagealloc_uaf")
        out.append((oob, oob))
        out.append((uaf, uaf))
    if slab:
        out.append(("kmalloc_uaf", "kmalloc_uaf"))
    out.append(("vmalloc_oob", "vmalloc_oob"))
    return out


def kasan_test(kernel: Any, seed: int) -> str:
    """Run the modelled cases of the KASAN KUnit suite; KTAP lines with each case's kernel log."""
    if not kernel.has("v5.10"):
        raise NotInThisKernel(f"kasan_test: the KASAN KUnit suite is not in {kernel.version}: it appeared in v5.10 "
                              f"(the test_kasan module before it is not modelled)")
    kasan = getattr(kernel, "kasan", None)
    if kasan is None:
        raise LinuxmmError("kasan_test: the suite needs CONFIG_KASAN=y (KASAN_KUNIT_TEST depends on KASAN)")
    run = cases(kernel)
    lines = ["KTAP version 1", "1..1", "    KTAP version 1", "    # Subtest: kasan", f"    1..{len(run)}"]
    saved = kasan.multi_shot
    kasan.multi_shot = True  # kasan_save_enable_multi_shot() for the suite
    passed = failed = skipped = 0
    try:
        for i, (name, method) in enumerate(run, 1):
            t = KasanTest(kernel)
            mark = len(kernel.dmesg)
            result = f"    ok {i} {name}"
            vm = kernel.subsystems.get("vmalloc")
            saved_caller = getattr(vm, "caller", None)
            if vm is not None:
                vm.caller = f"{name} [kasan_test]"  # %pS of the test function, in the module
            try:
                getattr(t, method)(name)
            except Skip as exc:
                result += f" # SKIP {exc}"
            finally:
                if vm is not None:
                    vm.caller = saved_caller
            lines.extend(f"    {line}" if line else "" for line in list(kernel.dmesg)[mark:])
            lines.extend(t.log)
            if result.endswith(name) and t.failures:
                lines.extend(t.failures)
                result = f"    not ok {i} {name}"
                failed += 1
            elif "# SKIP" in result:
                skipped += 1
            else:
                passed += 1
            lines.append(result)
    finally:
        kasan.multi_shot = saved
    total = passed + failed + skipped
    lines.append(f"# kasan: pass:{passed} fail:{failed} skip:{skipped} total:{total}")
    lines.append(f"# Totals: pass:{passed} fail:{failed} skip:{skipped} total:{total}")
    lines.append(f"{'not ok' if failed else 'ok'} 1 kasan")
    return "\n".join(lines) + "\n"


@hookimpl
def linuxmm_workloads():
    return [Workload("kasan_test", run=kasan_test,
                     help="the KASAN KUnit cases for page and vmalloc memory, each era's form (v5.10+, KASAN=y)")]
