"""Property-based, stateful tests of the allocators: any sequence of valid calls keeps the invariants.

Hypothesis drives allocate/free/write/switch-CPU sequences (bounded: a fixed number of examples
and steps, no deadline) against one representative release of each design, and after every step
the kernel's own ``check()`` must pass and every live block must still hold what was written
into it (so no two live blocks overlap).
"""

from __future__ import annotations

import pytest
from hypothesis import settings, strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, invariant, rule

import linuxmm
from linuxmm import GFP_ATOMIC, GFP_KERNEL, __GFP_NOWARN, __GFP_ZERO

# masks named outside the class body, where Python would mangle the double underscores
MASKS = [GFP_KERNEL, GFP_ATOMIC | __GFP_NOWARN, GFP_KERNEL | __GFP_ZERO]
DESIGNS = ["0.01", "0.11", "1.0", "1.2", "2.2", "2.4", "2.6.20", "2.6.24", "2.6.32", "4.4", "5.18", "6.18"]


def machine_for(version: str):
    class PageAllocatorMachine(RuleBasedStateMachine):
        blocks = Bundle("blocks")

        def __init__(self):
            super().__init__()
            smp = linuxmm.history().resolve(version).has("v2.0")
            self.k = linuxmm.boot(version, mem="32M" if version not in ("0.01", "0.11") else None,
                                  cpus=2 if smp else 1)
            self.pa = self.k.page_alloc
            self.top = min(self.pa.max_order, 4)
            self.serial = 0

        @rule(target=blocks, order=st.integers(0, 4), cpu=st.integers(0, 1),
              gfp=st.sampled_from(MASKS))
        def alloc(self, order, cpu, gfp):
            order = min(order, self.top)
            with self.k.on_cpu(cpu % self.k.nr_cpus):
                addr = self.pa.alloc_block(order, gfp)
            if not addr:
                return None
            self.serial += 1
            tag = self.serial.to_bytes(8, "little")
            self.k.memory.write(addr, tag)
            self.k.memory.write(addr + (4096 << order) - 8, tag)
            return (addr, order, tag)

        @rule(block=consumes(blocks), cpu=st.integers(0, 1))
        def free(self, block, cpu):
            if block is None:
                return
            addr, order, tag = block
            assert self.k.memory.read(addr, 8) == tag
            with self.k.on_cpu(cpu % self.k.nr_cpus):
                self.pa.free_block(addr, order)

        @invariant()
        def consistent(self):
            assert self.k.violations() == []

    PageAllocatorMachine.__name__ = f"PageAllocator_{version.replace('.', '_')}"
    return PageAllocatorMachine


@pytest.mark.parametrize("version", DESIGNS)
def test_page_allocator_sequences_keep_the_invariants(version):
    machine = machine_for(version)
    machine.TestCase.settings = settings(max_examples=12, stateful_step_count=30, deadline=None)
    machine.TestCase().runTest()
