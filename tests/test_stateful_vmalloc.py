"""Property-based, stateful tests of vmalloc in every design, and of KASAN's shadow.

Hypothesis drives ``vmalloc``/``vzalloc``/``vfree``, ``vmalloc_huge``, ``vrealloc``,
``vm_map_ram``/``vm_unmap_ram``/``vm_unmap_aliases`` (each where the booted era has it),
``kmalloc``/``kfree``, page allocations, CPU switches, reads and writes, against one kernel
per vmalloc design (1.0's and 2.0's vmlist, 2.2 and 2.4's ``get_vm_area``, 2.6's guard page
and synchronous flush, 2.6.28's lazily purged ``vmap_area`` tree, 5.2's free-space tree,
5.13's huge mappings) and against KASAN kernels.  Bounded: fixed examples and steps, no
deadline.  After every step:

* ``kernel.violations() == []``: besides each subsystem's own accounting this includes
  vmalloc's mapping checks (every live area maps exactly its pages, its guard page stays
  unmapped, every page-table entry lies in an area, no TLB contradicts the tables);
* every live area, object and page holds what was last written into it (read back through
  the page tables and the current CPU's TLB), and no two live areas overlap in virtual space
  nor two live allocations in physical memory;
* the page allocator's pages are the test's own, the slab allocator's, and vmalloc's
  (``nr_vmalloc_pages``): nothing leaks;
* with KASAN (where ``vrealloc`` is left out: its KASAN calls are the record's own bugs at every
  modelled point, see :mod:`linuxmm_plugins.mm_vrealloc`): no report was printed, the bytes of every live allocation are unpoisoned and
  the partial granule after each is poisoned; a freed object, page or area is poisoned at
  once.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

import linuxmm
from linuxmm import GFP_KERNEL
from linuxmm.slab import ZERO_SIZE_PTR

PAGE = 4096
PICK = st.integers(0, 1 << 16)
VSIZES = st.one_of(st.integers(1, 3 * PAGE), st.sampled_from([PAGE, 8 * PAGE - 1, 40 * PAGE, 600 * PAGE]))
KSIZES = st.one_of(st.integers(1, 256), st.sampled_from([1000, 2048, 4000]))

#: (id, version, config, cmdline, cpus)
DESIGNS = [
    ("vmlist-1.0", "1.0", [], "", 1),
    ("vmlist-2.0", "2.0", [], "", 2),
    ("vmlist-2.2", "2.2", [], "", 2),
    ("vmlist-2.4", "2.4", [], "", 2),
    ("vmlist-2.6", "2.6.20", [], "", 2),
    ("vmap-2.6.28", "2.6.28", [], "", 2),
    ("vmap-3.x", "3.10", [], "", 2),
    ("free-tree-5.2", "5.2", [], "", 2),
    ("huge-6.x", "6.12", [], "", 2),
    ("huge-6.18", "6.18", [], "", 2),
    ("kasan-4.x", "4.4", ["KASAN=y"], "kasan_multi_shot", 2),
    ("kasan-vmalloc-5.x", "5.10", ["KASAN=y", "KASAN_VMALLOC=y"], "kasan_multi_shot", 2),
    ("kasan-vmalloc-6.x", "6.12", ["KASAN=y", "KASAN_VMALLOC=y"], "kasan_multi_shot", 2),
]


def _fill(serial: int, size: int) -> bytes:
    tag = serial.to_bytes(4, "little") + b"\x5e\xc1\x0d\x77"
    return (tag * (size // 8 + 1))[:size]


def machine_for(design: str, version: str, config: list[str], cmdline: str, cpus: int):
    class VmallocMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.k = k = linuxmm.boot(version, config=config, cmdline=cmdline, mem="64M", cpus=cpus)
            self.vm = k.subsystems["vmalloc"]
            self.pa = k.page_alloc
            self.slab = getattr(k, "slab", None)
            self.kasan = getattr(k, "kasan", None)
            self.cpu = 0
            self.serial = 0
            self.areas: dict[int, tuple[int, bytes]] = {}  # vmalloc address -> (size, data)
            self.rams: dict[int, tuple[list[int], bytes]] = {}  # vm_map_ram address -> (pages, data)
            self.objs: dict[int, tuple[int, bytes]] = {}  # kmalloc address -> (size, data)
            self.pages: dict[int, tuple[int, bytes]] = {}  # page address -> (order, data)
            self.has = {n: k.provides(n) for n in ("vzalloc", "vrealloc", "vmalloc_huge", "vm_map_ram",
                                                   "vm_unmap_aliases", "kmalloc")}
            self.kfree_null_ok = k.revision.has("v2.0")
            self.top = min(self.pa.max_order, 3)
            # 2.4.0's __vmalloc BUG()s on a size of 0; 1.0-2.2 return NULL: the sizes drawn start at 1

        def _next(self, size: int) -> bytes:
            self.serial += 1
            return _fill(self.serial, size)

        def _poisoned(self, addr: int, size: int) -> bool:
            return self.kasan is not None and self.kasan.has_shadow(addr) and self.kasan.memory_is_poisoned(addr, size)

        def _freed_poisoned(self, addr: int) -> None:
            if self.kasan is not None and self.kasan.has_shadow(addr):
                assert self.kasan.memory_is_poisoned(addr, 1), f"{addr:#x} freed but not poisoned"

        # -- vmalloc ----------------------------------------------------------------------------
        @rule(size=VSIZES, zero=st.booleans())
        def vmalloc(self, size, zero):
            if self.kasan is not None:
                size = min(size, 40 * PAGE)  # every access is checked granule by granule: keep areas small
            zero = zero and self.has["vzalloc"]
            with self.k.on_cpu(self.cpu):
                addr = self.k.vzalloc(size) if zero else self.k.vmalloc(size)
            if not addr:
                return
            assert addr not in self.areas and self.k.is_vmalloc_addr(addr) if self.k.provides("is_vmalloc_addr") \
                else addr not in self.areas
            if zero:
                assert self.k.memory.read(addr, size) == bytes(size)
            data = self._next(size)
            self.k.memory.write(addr, data)
            self.areas[addr] = (size, data)

        @precondition(lambda self: self.has["vmalloc_huge"] and self.kasan is None)
        @rule(size=st.sampled_from([PAGE, 2 << 20, (2 << 20) + 1, 5 << 20]))
        def vmalloc_huge(self, size):
            with self.k.on_cpu(self.cpu):
                addr = self.k.vmalloc_huge(size, GFP_KERNEL)
            if addr:
                data = self._next(size)
                self.k.memory.write(addr, data)
                self.areas[addr] = (size, data)

        @precondition(lambda self: self.areas)
        @rule(pick=PICK)
        def vfree(self, pick):
            addr = sorted(self.areas)[pick % len(self.areas)]
            size, data = self.areas.pop(addr)
            assert self.k.memory.read(addr, size) == data
            with self.k.on_cpu(self.cpu):
                self.k.vfree(addr)
            self._freed_poisoned(addr)

        @precondition(lambda self: self.areas and self.has["vrealloc"] and self.kasan is None)
        @rule(pick=PICK, size=VSIZES)
        def vrealloc(self, pick, size):
            addr = sorted(self.areas)[pick % len(self.areas)]
            old, data = self.areas[addr]
            with self.k.on_cpu(self.cpu):
                new = self.k.vrealloc(addr, size, GFP_KERNEL)
            if not new:
                return
            del self.areas[addr]
            kept = min(old, size)
            assert self.k.memory.read(new, kept) == data[:kept]
            data = self._next(size)
            self.k.memory.write(new, data)
            self.areas[new] = (size, data)

        @precondition(lambda self: self.has["vm_map_ram"])
        @rule(count=st.integers(1, 6))
        def vm_map_ram(self, count):
            with self.k.on_cpu(self.cpu):
                pages = [p for p in (self.k.alloc_pages(GFP_KERNEL, 0) for _ in range(count)) if p]
                addr = self.k.vm_map_ram(pages, len(pages)) if pages else 0
                if not addr:
                    for p in pages:
                        self.k.free_pages(p, 0)
                    return
            data = self._next(len(pages) * PAGE)
            self.k.memory.write(addr, data)
            for i, p in enumerate(pages):  # the direct map sees the same bytes
                assert self.k.memory.read(p, PAGE) == data[i * PAGE:(i + 1) * PAGE]
            self.rams[addr] = (pages, data)

        @precondition(lambda self: self.rams)
        @rule(pick=PICK)
        def vm_unmap_ram(self, pick):
            addr = sorted(self.rams)[pick % len(self.rams)]
            pages, data = self.rams.pop(addr)
            assert self.k.memory.read(addr, len(data)) == data
            with self.k.on_cpu(self.cpu):
                self.k.vm_unmap_ram(addr, len(pages))
                for p in pages:
                    self.k.free_pages(p, 0)

        @precondition(lambda self: self.has["vm_unmap_aliases"])
        @rule()
        def vm_unmap_aliases(self):
            with self.k.on_cpu(self.cpu):
                self.k.vm_unmap_aliases()

        # -- kmalloc and pages ---------------------------------------------------------------------
        @precondition(lambda self: self.has["kmalloc"])
        @rule(size=KSIZES)
        def kmalloc(self, size):
            with self.k.on_cpu(self.cpu):
                addr = self.k.kmalloc(size, GFP_KERNEL)
            if addr > ZERO_SIZE_PTR:
                data = self._next(size)
                self.k.memory.write(addr, data)
                self.objs[addr] = (size, data)

        @precondition(lambda self: self.objs)
        @rule(pick=PICK)
        def kfree(self, pick):
            addr = sorted(self.objs)[pick % len(self.objs)]
            size, data = self.objs.pop(addr)
            assert self.k.memory.read(addr, size) == data
            with self.k.on_cpu(self.cpu):
                self.k.kfree(addr)
            self._freed_poisoned(addr)

        @rule(order=st.integers(0, 3))
        def alloc_pages(self, order):
            order = min(order, self.top)
            with self.k.on_cpu(self.cpu):
                addr = self.pa.alloc_block(order, GFP_KERNEL)
            if addr:
                data = self._next(16)
                self.k.memory.write(addr, data)
                self.k.memory.write(addr + (PAGE << order) - 16, data)
                self.pages[addr] = (order, data)

        @precondition(lambda self: self.pages)
        @rule(pick=PICK)
        def free_pages(self, pick):
            addr = sorted(self.pages)[pick % len(self.pages)]
            order, _ = self.pages.pop(addr)
            with self.k.on_cpu(self.cpu):
                self.pa.free_block(addr, order)
            self._freed_poisoned(addr)

        @precondition(lambda self: self.k.nr_cpus > 1)
        @rule(cpu=st.integers(0, 1))
        def switch_cpu(self, cpu):
            self.cpu = cpu

        @precondition(lambda self: self.areas)
        @rule(pick=PICK)
        def write(self, pick):
            addr = sorted(self.areas)[pick % len(self.areas)]
            size, _ = self.areas[addr]
            data = self._next(size)
            with self.k.on_cpu(self.cpu):
                self.k.memory.write(addr, data)
            self.areas[addr] = (size, data)

        # -- invariants ------------------------------------------------------------------------------
        @invariant()
        def model_checks_pass(self):
            assert self.k.violations() == []

        @invariant()
        def contents_kept_and_nothing_overlaps(self):
            with self.k.on_cpu(self.cpu):
                virt = []
                for addr, (size, data) in self.areas.items():
                    assert self.k.memory.read(addr, size) == data, f"area {addr:#x} changed"
                    virt.append((addr, size))
                for addr, (pages, data) in self.rams.items():
                    assert self.k.memory.read(addr, len(data)) == data, f"vm_map_ram {addr:#x} changed"
                    virt.append((addr, len(data)))
                phys = []
                for addr, (size, data) in self.objs.items():
                    assert self.k.memory.read(addr, size) == data, f"object {addr:#x} changed"
                    phys.append((addr, size))
                for addr, (order, data) in self.pages.items():
                    assert self.k.memory.read(addr, 16) == data
                    phys.append((addr, PAGE << order))
            for spans in (virt, phys):
                spans.sort()
                for (a, n), (b, _) in zip(spans, spans[1:]):
                    assert a + n <= b, f"{a:#x}+{n} overlaps {b:#x}"

        @invariant()
        def no_page_leaks(self):
            mine = sum(1 << order for order, _ in self.pages.values()) + sum(len(p) for p, _ in self.rams.values())
            slab = self.slab
            held = (slab.pages_held() + getattr(slab, "large_pages", 0)) if slab is not None else 0
            assert self.pa.allocated_pages() == mine + held + self.vm.nr_vmalloc_pages

        @invariant()
        def kasan_shadow_agrees(self):
            if self.kasan is None:
                return
            assert self.k.counters["kasan_reports"] == 0, [l for l in self.k.dmesg if "KASAN" in l]
            live = list(self.objs.items()) + list(self.areas.items())
            for addr, (size, _) in live:
                if not self.kasan.has_shadow(addr):
                    continue
                assert not self.kasan.memory_is_poisoned(addr, size), f"live {addr:#x}+{size} is poisoned"
                if size % 8:
                    assert self.kasan.memory_is_poisoned(addr + size, 1), f"the byte after {addr:#x}+{size} is not"
            for addr, (order, _) in self.pages.items():
                assert not self._poisoned(addr, PAGE << order)

    VmallocMachine.__name__ = "Vmalloc_" + re.sub(r"\W", "_", design)
    return VmallocMachine


@pytest.mark.parametrize("design,version,config,cmdline,cpus", DESIGNS, ids=[d[0] for d in DESIGNS])
def test_vmalloc_sequences_keep_the_invariants(design, version, config, cmdline, cpus):
    machine = machine_for(design, version, config, cmdline, cpus)
    machine.TestCase.settings = settings(max_examples=8, stateful_step_count=35, deadline=None,
                                         suppress_health_check=[HealthCheck.too_slow])
    machine.TestCase().runTest()


def test_the_designs_are_the_implementations_they_name():
    want = {"vmlist-1.0": "vmlist-1.0", "vmlist-2.0": "vmlist-1.0", "vmlist-2.2": "vmlist-2.2",
            "vmlist-2.4": "vmlist-2.2", "vmlist-2.6": "vmlist-2.6", "vmap-2.6.28": "vmap-area-2.6.28",
            "vmap-3.x": "vmap-area-2.6.28", "free-tree-5.2": "vmap-free-tree-5.2", "huge-6.x": "vmap-huge-5.13",
            "huge-6.18": "vmap-huge-5.13", "kasan-4.x": "vmap-area-2.6.28", "kasan-vmalloc-5.x": "vmap-free-tree-5.2",
            "kasan-vmalloc-6.x": "vmap-huge-5.13"}
    for design, version, config, cmdline, cpus in DESIGNS:
        k = linuxmm.boot(version, config=config, cmdline=cmdline, mem="64M", cpus=cpus)
        assert k.implementations["vmalloc"].name == want[design], design
        assert (k.kasan is not None) == design.startswith("kasan"), design
        if design.startswith("kasan-vmalloc"):
            assert k.kasan.vmalloc


# -- the mapping checks find what they are for -------------------------------------------------------
def _kernel_with_an_area(version: str = "6.12"):
    k = linuxmm.boot(version, mem="64M", cpus=2)
    addr = k.vmalloc(3 * PAGE)
    k.memory.write(addr, b"x")
    assert k.violations() == []
    return k, addr, k.subsystems["vmalloc"]


def test_check_finds_a_mapped_guard_page():
    k, addr, vm = _kernel_with_an_area()
    vm.pt.map_pages(addr + 3 * PAGE, [5])
    assert k.violations() == [
        f"vmalloc: area {addr:#x}: its guard page {addr + 3 * PAGE:#x} is mapped",
        f"vmalloc: area {addr:#x}: 4 page-table entries for its 3 pages"]


def test_check_finds_a_page_table_entry_that_disagrees_with_its_area():
    k, addr, vm = _kernel_with_an_area("2.6.20")
    pfn = vm.pt.pte[(addr >> 12) + 1]
    vm.pt.pte[(addr >> 12) + 1] = pfn + 1
    assert k.violations() == [f"vmalloc: area {addr:#x}: page 1 should map pfn {pfn}, the tables map pfn {pfn + 1}"]


def test_check_finds_a_mapping_outside_every_area_and_a_tlb_that_contradicts_the_tables():
    k, addr, vm = _kernel_with_an_area()
    far = (vm.VMALLOC_END - 64 * PAGE) & ~(PAGE - 1)
    vm.pt.map_pages(far, [7])
    k.cpus[1].tlb[addr >> 12] = 99
    assert k.violations() == [
        f"vmalloc: {far:#x} is mapped (pfn 7) but lies in no area",
        f"vmalloc: CPU 1's TLB maps {addr:#x} to pfn 99, the tables to pfn {vm.pt.pte[addr >> 12]}"]


def test_check_finds_a_vmalloc_page_the_page_allocator_has_as_free():
    k, addr, vm = _kernel_with_an_area("2.6.28")
    area = vm.live_vms()[0]
    k.page_alloc.free_block(k.page_alloc.page_offset + (area.pages[2] << 12), 0)
    found = k.violations()
    assert f"vmalloc: area {addr:#x}: its pfn {area.pages[2]} is free in the page allocator" in found


@pytest.mark.parametrize("version", ["5.10", "6.12"])
def test_kasan_vmalloc_unpoisons_vm_map_ram_and_poisons_it_again(version):
    k = linuxmm.boot(version, config=["KASAN=y", "KASAN_VMALLOC=y"], mem="64M")
    pages = [k.alloc_pages(GFP_KERNEL, 0) for _ in range(3)]
    addr = k.vm_map_ram(pages, 3)
    assert not k.kasan.memory_is_poisoned(addr, 3 * PAGE)
    k.memory.write(addr, b"z" * (3 * PAGE))
    assert k.counters["kasan_reports"] == 0
    k.vm_unmap_ram(addr, 3)
    assert k.kasan.shadow_row(addr, 4) == bytes([k.kasan.KASAN_VMALLOC_INVALID]) * 4


def test_kasan_vmalloc_unpoisons_a_huge_mapping():
    k = linuxmm.boot("6.12", config=["KASAN=y", "KASAN_VMALLOC=y"], mem="64M")
    addr = k.vmalloc_huge((2 << 20) + 3, GFP_KERNEL)
    assert k.subsystems["vmalloc"].live_vms()[0].page_order == 9
    assert not k.kasan.memory_is_poisoned(addr, (2 << 20) + 3)
    assert k.kasan.shadow_byte(addr + (2 << 20)) == 3 and k.kasan.memory_is_poisoned(addr + (2 << 20) + 3, 1)
    k.memory.write(addr + (2 << 20), b"end")
    assert k.counters["kasan_reports"] == 0
    k.vfree(addr)
    assert k.kasan.memory_is_poisoned(addr, 1)
