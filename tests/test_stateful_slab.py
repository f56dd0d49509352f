"""Property-based, stateful tests of every selectable small-object allocator.

Hypothesis drives sequences of ``kmalloc``/``kzalloc``/``krealloc``/``kfree``,
``kmem_cache_create``/``alloc``/``zalloc``/``free``/``shrink``/``destroy``, page
allocations, CPU switches and writes into live objects -- each call only where
the booted era has it (``kernel.provides``) -- against one kernel per allocator
design: ``mm/kmalloc.c`` of 1.0, 1.1 and 2.0; SLAB of 2.2, 2.4, 2.6 and 6.x;
SLOB of 2.6.16, 2.6.23 and 2.6.26 on; SLUB of 2.6.22, 2.6.24, 3.x and 6.x, with
and without ``slub_debug``.  Runs are bounded (a fixed number of examples and
steps, no deadline).  After every step:

* ``kernel.violations() == []`` (every subsystem's own ``check()``);
* every live object and page holds exactly what was last written into it, and
  no two live allocations overlap;
* the pages the page allocator has handed out are the test's own pages plus
  the pages the small-object allocator holds (``pages_held()``) plus its
  kmalloc blocks passed straight to the page allocator (``large_pages``);
* where the era has /proc/slabinfo, its rows (parsed as text) are consistent
  (``num_objs = num_slabs * objperslab``, active <= total), their slabs add up
  to the pages the allocator holds in slabs, every cache the test created is
  listed and holds at least the objects the test has from it;
* where the era's /proc/meminfo has the ``Slab:`` line, it is those slab pages
  (plus large kmalloc blocks from 5.4, 6a486c0ad4dc; SLOB counted nothing
  before that), and ``SReclaimable + SUnreclaim = Slab``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

import linuxmm
from linuxmm import GFP_ATOMIC, GFP_KERNEL, __GFP_NOWARN
from linuxmm.slab import SLAB_HWCACHE_ALIGN, SLAB_RECLAIM_ACCOUNT, ZERO_SIZE_PTR

ALLOC_MASKS = [GFP_KERNEL, GFP_ATOMIC | __GFP_NOWARN]

#: (id, version, config, cmdline, cpus): one kernel per allocator design.
DESIGNS = [
    ("kmalloc.c-1.0", "1.0", [], "", 1),
    ("kmalloc.c-1.1", "1.1.89", [], "", 1),
    ("kmalloc.c-1.2", "1.2", [], "", 1),
    ("kmalloc.c-2.0", "2.0", [], "", 2),
    ("slab-2.2", "2.2", [], "", 2),
    ("slab-2.4", "2.4", [], "", 2),
    ("slab-2.6", "2.6.20", [], "", 2),
    ("slab-6.x", "6.5", ["SLAB_DEPRECATED=y"], "", 2),
    ("slob-2.6.16", "2.6.16", ["SLAB=n", "EMBEDDED=y"], "", 1),
    ("slob-2.6.23", "2.6.23", ["SLOB=y", "EMBEDDED=y"], "", 2),
    ("slob-2.6.26", "2.6.26", ["SLOB=y", "EMBEDDED=y"], "", 2),
    ("slob-6.x", "6.1", ["SLOB=y", "EXPERT=y"], "", 2),
    ("slub-2.6.22", "2.6.22", ["SLUB=y"], "", 2),
    ("slub-2.6.24", "2.6.24", [], "", 2),
    ("slub-3.x", "3.10", [], "", 2),
    ("slub-6.x", "6.12", [], "", 2),
    ("slub-2.6.22-debug", "2.6.22", ["SLUB=y"], "slub_debug", 2),
    ("slub-2.6.24-debug", "2.6.24", [], "slub_debug", 2),
    ("slub-3.x-debug", "3.10", [], "slub_debug=FZPU", 2),
    ("slub-6.x-debug", "6.12", [], "slub_debug", 2),
]

#: kmalloc sizes: small ones often, every class boundary and the large path sometimes
SIZES = st.one_of(st.integers(0, 300), st.sampled_from([
    511, 512, 513, 1024, 2040, 2048, 2049, 4000, 4072, 4096, 4097, 8192, 8193, 20000, 70000]))
CACHE_SIZES = st.one_of(st.integers(8, 600), st.sampled_from([1000, 2048, 3000, 4096, 5000, 20000]))
PICK = st.integers(0, 1 << 16)


# -- /proc parsing (the text, as a tool would read it) ------------------------------------------------
@dataclass
class Row:
    name: str
    active_objs: int
    num_objs: int
    objsize: int | None = None
    objperslab: int | None = None
    pagesperslab: int | None = None
    active_slabs: int | None = None
    num_slabs: int | None = None


def parse_slabinfo(text: str) -> tuple[str, dict[str, Row]]:
    """``(version, {name: Row})`` from /proc/slabinfo of format 1.0, 1.1 or 2.x."""
    lines = text.splitlines()
    m = re.fullmatch(r"slabinfo - version: (\d\.\d)( \(SMP\))?", lines[0])
    assert m, lines[0]
    version = m.group(1)
    rows: dict[str, Row] = {}
    for line in lines[1:]:
        if line.startswith("#"):
            continue
        name, *nums = line.split()
        assert name not in rows, f"{name} listed twice"
        if version == "1.0":
            rows[name] = Row(name, int(nums[0]), int(nums[1]))
        elif version == "1.1":
            a, n, size, aslabs, slabs, pps = map(int, nums[:6])
            rows[name] = Row(name, a, n, size, None, pps, aslabs, slabs)
        else:
            values = [int(x) for x in nums if x not in (":", "tunables", "slabdata")]
            a, n, size, per, pps = values[:5]
            aslabs, slabs = values[8], values[9]
            rows[name] = Row(name, a, n, size, per, pps, aslabs, slabs)
    return version, rows


def parse_meminfo_kb(text: str) -> dict[str, int]:
    out = {}
    for line in text.splitlines():
        m = re.fullmatch(r"(\w+):\s+(\d+) kB", line)
        if m:
            out[m.group(1)] = int(m.group(2))
    return out


# -- the machine ------------------------------------------------------------------------------------
@dataclass
class Obj:
    addr: int
    size: int
    data: bytes
    cache: "CacheRec | None" = None  # None: kmalloc
    small: bool = False  # a kmalloc block of 1..2048 bytes: every era serves it from a cache


@dataclass
class CacheRec:
    name: str
    cache: Any
    size: int
    objects: set[int] = field(default_factory=set)


def _fill(serial: int, size: int) -> bytes:
    """Bytes unique to one write: the serial number repeated (so an overlap changes them)."""
    tag = serial.to_bytes(4, "little") + b"\xa7\x3c\x51\x99"
    return (tag * (size // 8 + 1))[:size]


def machine_for(design: str, version: str, config: list[str], cmdline: str, cpus: int):
    class SlabMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.k = k = linuxmm.boot(version, config=config, cmdline=cmdline, mem="32M", cpus=cpus)
            self.slab = k.slab
            self.pa = k.page_alloc
            self.cpu = 0
            self.serial = 0
            self.objs: dict[int, Obj] = {}
            self.caches: list[CacheRec] = []
            self.pages: dict[int, tuple[int, bytes]] = {}
            self.has = {name: k.provides(name) for name in (
                "kzalloc", "krealloc", "ksize", "kmem_cache_create", "kmem_cache_zalloc", "kmem_cache_destroy",
                "kmem_cache_shrink")}
            # kfree(NULL) is a fault in 1.0-1.2 (no NULL test in kfree_s); from 2.0 it returns at once
            self.kfree_null_ok = k.revision.has("v2.0")
            self.top = min(self.pa.max_order, 3)
            # 2.6.23-2.6.26 SLOB's ksize reads two bytes of the kmalloc header, not the size (the era's bug):
            # krealloc then copies that many bytes, or keeps a block too small in place; neither is tested here
            self.short_ksize = design in ("slob-2.6.23", "slob-2.6.26")
            # 2.6.16-2.6.21 SLOB's find_order halves the size while it is above 4096: kmalloc(8193) gets 8192
            # bytes and kzalloc(8193) zeroes a byte past them (the era's bug); the test asks for powers of two there
            self.find_order_bug = design == "slob-2.6.16"
            self.cache_serial = 0
            self.slabinfo = self._slabinfo_available()
            self.slab_lines = "Slab" in parse_meminfo_kb(k.proc("meminfo")) if self._has_meminfo() else False

        def _has_meminfo(self) -> bool:
            try:
                self.k.proc_file("meminfo")
            except linuxmm.errors.NotInThisKernel:
                return False
            return True

        def _slabinfo_available(self) -> bool:
            try:
                self.k.proc("slabinfo")
            except linuxmm.errors.NotInThisKernel:
                return False
            return True

        def _next(self, size: int) -> bytes:
            self.serial += 1
            return _fill(self.serial, size)

        def _keep(self, addr: int, size: int, cache: CacheRec | None, small: bool | None = None) -> None:
            data = self._next(size)
            if size:
                assert not any(o.addr == addr and o.size for o in self.objs.values()), f"{addr:#x} handed out twice"
                self.k.memory.write(addr, data)
            if small is None:
                small = cache is None and 0 < size <= 2048
            self.objs[self.serial] = Obj(addr, size, data, cache, small)
            if cache is not None:
                cache.objects.add(self.serial)

        def _size(self, size: int) -> int:
            if self.find_order_bug and size > 4096:
                return 1 << (size - 1).bit_length()
            return size

        def _pick(self, pick: int, kind: str) -> tuple[int, Obj] | tuple[None, None]:
            pool = sorted(i for i, o in self.objs.items() if (o.cache is None) == (kind == "kmalloc"))
            if not pool:
                return None, None
            i = pool[pick % len(pool)]
            return i, self.objs[i]

        # -- rules: kmalloc family ---------------------------------------------------------------
        @rule(size=SIZES, gfp=st.sampled_from(ALLOC_MASKS))
        def kmalloc(self, size, gfp):
            size = self._size(size)
            with self.k.on_cpu(self.cpu):
                addr = self.k.kmalloc(size, gfp)
            if addr > ZERO_SIZE_PTR:
                self._keep(addr, size, None)
            else:
                assert addr == 0 or (addr == ZERO_SIZE_PTR and size == 0), (size, addr)

        @precondition(lambda self: self.has["kzalloc"])
        @rule(size=SIZES)
        def kzalloc(self, size):
            size = self._size(size)
            with self.k.on_cpu(self.cpu):
                addr = self.k.kzalloc(size, GFP_KERNEL)
            if addr > ZERO_SIZE_PTR:
                assert self.k.memory.read(addr, size) == bytes(size)
                self._keep(addr, size, None)

        @rule(pick=PICK)
        def kfree(self, pick):
            i, obj = self._pick(pick, "kmalloc")
            if obj is None:
                return
            assert self.k.memory.read(obj.addr, obj.size) == obj.data
            with self.k.on_cpu(self.cpu):
                self.k.kfree(obj.addr)
            del self.objs[i]

        @precondition(lambda self: self.kfree_null_ok)
        @rule()
        def kfree_null(self):
            with self.k.on_cpu(self.cpu):
                self.k.kfree(0)

        @precondition(lambda self: self.has["krealloc"] and not self.short_ksize)
        @rule(pick=PICK, size=SIZES)
        def krealloc(self, pick, size):
            i, obj = self._pick(pick, "kmalloc")
            if obj is None:
                return
            # krealloc copies ksize(p) bytes at most
            ks = self.k.ksize(obj.addr) if self.has["ksize"] else obj.size
            with self.k.on_cpu(self.cpu):
                new = self.k.krealloc(obj.addr, size, GFP_KERNEL)
            if not new:  # failed: the old object is untouched
                return
            del self.objs[i]
            if new == ZERO_SIZE_PTR:
                assert size == 0
                return
            kept = min(obj.size, size, ks)
            assert self.k.memory.read(new, kept) == obj.data[:kept]
            # kept in place, a block stays where it was served from (a large one shrunk stays large)
            self._keep(new, size, None, obj.small if new == obj.addr else None)

        @precondition(lambda self: self.has["ksize"])
        @rule(pick=PICK)
        def ksize(self, pick):
            _, obj = self._pick(pick, "kmalloc")
            if obj is not None and not self.short_ksize:
                assert self.k.ksize(obj.addr) >= obj.size

        # -- rules: caches -------------------------------------------------------------------------
        @precondition(lambda self: self.has["kmem_cache_create"] and len(self.caches) < 6)
        @rule(size=CACHE_SIZES, align=st.sampled_from([0, 0, 8, 64]),
              flags=st.sampled_from([0, 0, SLAB_HWCACHE_ALIGN, SLAB_RECLAIM_ACCOUNT]))
        def kmem_cache_create(self, size, align, flags):
            self.cache_serial += 1
            name = f"test_cache_{self.cache_serial}"
            with self.k.on_cpu(self.cpu):
                c = self.k.kmem_cache_create(name, size, align, flags)
            if c is not None:
                self.caches.append(CacheRec(name, c, size))

        @precondition(lambda self: self.caches)
        @rule(pick=PICK, zero=st.booleans())
        def kmem_cache_alloc(self, pick, zero):
            rec = self.caches[pick % len(self.caches)]
            zero = zero and self.has["kmem_cache_zalloc"]
            with self.k.on_cpu(self.cpu):
                if zero:
                    addr = self.k.kmem_cache_zalloc(rec.cache, GFP_KERNEL)
                else:
                    addr = self.k.kmem_cache_alloc(rec.cache, GFP_KERNEL)
            if addr:
                if zero:
                    assert self.k.memory.read(addr, rec.size) == bytes(rec.size)
                self._keep(addr, rec.size, rec)

        @rule(pick=PICK)
        def kmem_cache_free(self, pick):
            i, obj = self._pick(pick, "cache")
            if obj is None:
                return
            assert self.k.memory.read(obj.addr, obj.size) == obj.data
            with self.k.on_cpu(self.cpu):
                self.k.kmem_cache_free(obj.cache.cache, obj.addr)
            obj.cache.objects.discard(i)
            del self.objs[i]

        @precondition(lambda self: self.caches and self.has["kmem_cache_shrink"])
        @rule(pick=PICK)
        def kmem_cache_shrink(self, pick):
            rec = self.caches[pick % len(self.caches)]
            with self.k.on_cpu(self.cpu):
                self.k.kmem_cache_shrink(rec.cache)

        @precondition(lambda self: self.caches and self.has["kmem_cache_destroy"])
        @rule(pick=PICK)
        def kmem_cache_destroy(self, pick):
            rec = self.caches.pop(pick % len(self.caches))
            with self.k.on_cpu(self.cpu):
                for i in sorted(rec.objects):
                    self.k.kmem_cache_free(rec.cache, self.objs.pop(i).addr)
                mark = len(self.k.dmesg)
                self.k.kmem_cache_destroy(rec.cache)
            assert self.k.dmesg[mark:] == []  # an empty cache goes without a complaint

        # -- rules: pages, CPUs, writes --------------------------------------------------------------
        @rule(order=st.integers(0, 3), gfp=st.sampled_from(ALLOC_MASKS))
        def alloc_pages(self, order, gfp):
            order = min(order, self.top)
            with self.k.on_cpu(self.cpu):
                addr = self.pa.alloc_block(order, gfp)
            if addr:
                data = self._next(16)
                self.k.memory.write(addr, data)
                self.k.memory.write(addr + (4096 << order) - 16, data)
                self.pages[addr] = (order, data)

        @precondition(lambda self: self.pages)
        @rule(pick=PICK)
        def free_pages(self, pick):
            addr = sorted(self.pages)[pick % len(self.pages)]
            order, _ = self.pages.pop(addr)
            with self.k.on_cpu(self.cpu):
                self.pa.free_block(addr, order)

        @precondition(lambda self: self.k.nr_cpus > 1)
        @rule(cpu=st.integers(0, 1))
        def switch_cpu(self, cpu):
            self.cpu = cpu

        @precondition(lambda self: self.objs)
        @rule(pick=PICK)
        def write(self, pick):
            obj = self.objs[sorted(self.objs)[pick % len(self.objs)]]
            obj.data = self._next(obj.size)
            self.k.memory.write(obj.addr, obj.data)

        # -- invariants ------------------------------------------------------------------------------
        @invariant()
        def model_checks_pass(self):
            assert self.k.violations() == []

        @invariant()
        def contents_kept_and_nothing_overlaps(self):
            spans = []
            for obj in self.objs.values():
                assert self.k.memory.read(obj.addr, obj.size) == obj.data, f"object {obj.addr:#x} changed"
                if obj.size:  # a kmalloc(0) block has no bytes to overlap with (2.6.16's points past its header)
                    spans.append((obj.addr, obj.size))
            for addr, (order, data) in self.pages.items():
                size = 4096 << order
                assert self.k.memory.read(addr, 16) == data and self.k.memory.read(addr + size - 16, 16) == data
                spans.append((addr, size))
            spans.sort()
            for (a, n), (b, _) in zip(spans, spans[1:]):
                assert a + n <= b, f"{a:#x}+{n} overlaps {b:#x}"

        @invariant()
        def pages_are_accounted_for(self):
            mine = sum(1 << order for order, _ in self.pages.values())
            large = getattr(self.slab, "large_pages", 0)
            assert self.pa.allocated_pages() == mine + self.slab.pages_held() + large

        @invariant()
        def slabinfo_and_meminfo_agree(self):
            slab_pages = self.slab.slab_pages() if hasattr(self.slab, "slab_pages") else None
            if self.slabinfo:
                version, rows = parse_slabinfo(self.k.proc("slabinfo"))
                for r in rows.values():
                    assert 0 <= r.active_objs <= r.num_objs, r
                    if r.num_slabs is not None:
                        assert 0 <= r.active_slabs <= r.num_slabs, r
                    if r.objperslab is not None:
                        assert r.num_objs == r.num_slabs * r.objperslab, r
                if version != "1.0":
                    assert sum(r.num_slabs * r.pagesperslab for r in rows.values()) == slab_pages
                # every cache the test made is listed (under its own name, or the one it was merged into)
                # and holds at least the test's objects from it
                held: dict[str, int] = {}
                for rec in self.caches:
                    target = rec.cache.name
                    assert target in rows, f"{rec.name} ({target}) not in /proc/slabinfo"
                    held[target] = held.get(target, 0) + len(rec.objects)
                for target, n in held.items():
                    assert rows[target].active_objs >= n, (target, rows[target], n)
                small = sum(1 for o in self.objs.values() if o.small)
                assert sum(r.active_objs for r in rows.values()) >= small + sum(held.values())
            if self.slab_lines:
                kb = parse_meminfo_kb(self.k.proc("meminfo"))
                slob = type(self.slab).__name__.startswith("Slob")
                account_large = getattr(self.slab, "account_large", False)
                want = 0 if slob and not account_large else slab_pages
                if account_large:
                    want += self.slab.large_pages
                assert kb["Slab"] == want * 4
                if "SReclaimable" in kb:
                    assert kb["SReclaimable"] + kb["SUnreclaim"] == kb["Slab"]

    SlabMachine.__name__ = "Slab_" + re.sub(r"\W", "_", design)
    return SlabMachine


@pytest.mark.parametrize("design,version,config,cmdline,cpus", DESIGNS, ids=[d[0] for d in DESIGNS])
def test_small_object_allocator_sequences_keep_the_invariants(design, version, config, cmdline, cpus):
    machine = machine_for(design, version, config, cmdline, cpus)
    machine.TestCase.settings = settings(max_examples=8, stateful_step_count=40, deadline=None,
                                         suppress_health_check=[HealthCheck.too_slow])
    machine.TestCase().runTest()


def test_the_designs_are_the_allocators_they_name():
    """Each entry of DESIGNS boots the allocator it is named after (so a Kconfig change cannot retarget it)."""
    want = {"kmalloc.c-1.0": "Kmalloc10", "kmalloc.c-1.1": "Kmalloc11", "kmalloc.c-1.2": "Kmalloc11",
            "kmalloc.c-2.0": "Kmalloc20", "slab-2.2": "Slab22", "slob-2.6.16": "Slob16"}
    for design, version, config, cmdline, cpus in DESIGNS:
        k = linuxmm.boot(version, config=config, cmdline=cmdline, mem="32M", cpus=cpus)
        kind = design.split("-")[0]
        name = type(k.slab).__name__
        assert name == want.get(design, {"slab": "Slab26", "slob": "Slob23", "slub": "Slub"}.get(kind)), design
        debug = design.endswith("-debug")
        if kind == "slub":
            assert bool(k.slab.slub_debug) == debug, design


def test_slub_debug_leaves_objects_of_512k_and_more_alone_until_2_6_24():
    """2.6.22-2.6.24 gave no slub_debug flags to caches of 65535 words or more (a 16-bit offset field):
    2.6.22's kmalloc caches of 512 KB to 4 MB stay undebugged, so ``slub_debug`` boots."""
    from linuxmm.slab import SLAB_POISON, SLAB_RED_ZONE, SLAB_STORE_USER

    k = linuxmm.boot("2.6.22", config=["SLUB=y"], cmdline="slub_debug", mem="32M")
    debug = SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER
    assert k.slab.find_cache("kmalloc-262144").flags & debug == debug
    assert k.slab.find_cache("kmalloc-524288").flags & debug == 0
    assert k.slab.find_cache("kmalloc-4194304").flags & debug == 0
    k = linuxmm.boot("2.6.24", cmdline="slub_debug", mem="32M")
    assert k.kmem_cache_create("big", 524280, 0, 0).flags & debug == 0
    assert k.kmem_cache_create("small", 524279, 0, 0).flags & debug == debug
    k = linuxmm.boot("2.6.26", cmdline="slub_debug", mem="32M")
    assert k.kmem_cache_create("big", 524280, 0, 0).flags & debug == debug


def test_provides_is_false_for_a_call_the_era_did_not_have_yet():
    k = linuxmm.boot("2.2", mem="32M")
    assert k.provides("kmalloc") and k.provides("kmem_cache_create")
    for name in ("krealloc", "kzalloc", "ksize", "kmem_cache_zalloc", "kmem_cache_destroy"):
        assert not k.provides(name), name
        with pytest.raises(linuxmm.errors.NotInThisKernel):
            getattr(k, name)()
    assert not linuxmm.boot("1.0").provides("kzalloc")
    assert linuxmm.boot("2.6.24", mem="32M").provides("krealloc")
    assert not linuxmm.boot("0.11").provides("kmalloc")
