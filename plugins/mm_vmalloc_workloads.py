"""Workloads and bench cases of the vmalloc model.

Workloads (``linuxmm run NAME``), deterministic for a seed:

``vmalloc-churn``
    4000 steps of ``vmalloc`` (1 to 16 pages) and ``vfree`` of a random live
    area; reports the TLB flushes and IPIs per ``vfree`` -- one broadcast
    each before 2.6.28, none until the lazy threshold after -- the purges,
    the search steps and the pages.
``big-vmalloc``
    ``vmalloc`` of 64 MiB, every page touched once: the page order behind the
    mapping, the TLB entries it needs (4K and 2M) and the TLB fills the
    touching took; from 559089e0a93d also ``vmalloc_huge``.  What-if settings
    (``HAVE_ARCH_HUGE_VMALLOC`` at 5.13-5.17) are printed with the output.
``map-touch-unmap``
    The test of db64fe02258f's commit message: each thread maps 4 pages,
    writes each page, and unmaps them, in a loop; 1, 2, 4 and 8 threads (as
    many as the machine has CPUs) interleaved round-robin, on CPUs 0..n-1.
    The mapping call is ``vm_map_ram``/``vm_unmap_ram`` where the era has it
    (the interface the rewrite added for this use, with per-CPU blocks) and
    ``vmap``/``vunmap`` before.  Reports flushes and IPIs per
    map+touch+unmap.
``busy-list``
    The busy-list cost curve: ``vmap_steps`` of one 3-page ``vmalloc`` among
    n live 1-page areas with n holes too small for it, for n = 1k, 2k, 5k
    and 10k (the live areas need ``--mem 1G``).

Bench cases (``linuxmm_bench_cases``): ``vmalloc(4 pages)`` + ``vfree`` per
era (target 60x the floor at 6.x), ``vm_map_ram(4 pages)`` +
``vm_unmap_ram``, and the busy-list search at 1k, 10k and 100k live areas.
"""

from __future__ import annotations

import random
from typing import Any

from linuxmm import hookimpl
from linuxmm.errors import NotInThisKernel, WorkloadError
from linuxmm.gfp import GFP_KERNEL
from linuxmm.records import BenchCase, Workload

PAGE = 4096
MB = 1 << 20


def _vmalloc_sys(kernel: Any) -> Any:
    if "vmalloc" not in kernel.implementations or kernel.implementations["vmalloc"].name == "none":
        raise NotInThisKernel(f"{kernel.version} has no vmalloc (mm/vmalloc.c is first in the modelled 1.0 tree)")
    return kernel.subsystems["vmalloc"]


def _whatifs(kernel: Any) -> list[str]:
    return [f"what-if: {note}" for note in kernel.config.whatifs]


def _head(kernel: Any, name: str) -> list[str]:
    impl = kernel.implementations["vmalloc"].name
    return [f"{name} at {kernel.version}: vmalloc={impl}, {kernel.nr_cpus} CPU(s)"] + _whatifs(kernel)


def churn(kernel: Any, seed: int) -> str:
    """vmalloc/vfree churn; the flush cost of vfree per era."""
    vm = _vmalloc_sys(kernel)
    rng = random.Random(seed)
    c = kernel.counters
    live: list[int] = []
    failed = 0
    start = dict(c)
    for _ in range(4000):
        if live and (rng.random() < 0.45 or len(live) > 200):
            kernel.vfree(live.pop(rng.randrange(len(live))))
        else:
            addr = kernel.vmalloc(rng.randint(1, 16) * PAGE)
            if addr:
                live.append(addr)
            else:
                failed += 1
    d = {k: c[k] - start.get(k, 0) for k in c}
    frees = d["vfree_calls"]
    out = _head(kernel, "vmalloc-churn")
    out += [f"vmalloc calls {d['vmalloc_calls']}, vfree calls {frees}, failed {failed}, live areas {len(live)}",
            f"TLB flushes {d['tlb_flushes']}, IPIs {d['ipis']}, lazy purges {d['lazy_purges']}"
            + (f"; per vfree: {d['tlb_flushes'] / frees:.3f} flushes, {d['ipis'] / frees:.3f} IPIs" if frees else ""),
            f"search steps {d['vmap_steps']} (vmap_steps), vmlist steps {d['vmlist_steps']}",
            f"pages taken {d['vmalloc_pages_allocated']}, given back {d['vmalloc_pages_freed']}, "
            f"held now {vm.mapped_pages()}"]
    if hasattr(vm, "lazy_max_pages"):
        out.append(f"lazy_max_pages {vm.lazy_max_pages()}, lazily freed now {vm.vmap_lazy_nr} pages")
    return "\n".join(out)


def map_and_touch(kernel: Any, call: Any, size: int = 64 * MB) -> tuple[int, int, int, int, int, int] | None:
    """``call()`` allocates ``size`` bytes; every page is read once on this CPU, then it is freed.

    Returns (address, pages, page order, 4K TLB entries, 2M TLB entries, TLB fills the touching
    took), or None when the allocation failed.
    """
    vm = _vmalloc_sys(kernel)
    c = kernel.counters
    addr = call()
    if not addr:
        return None
    area = vm.find_vm_area(addr)
    fills = c["tlb_fills"]
    for off in range(0, size, PAGE):
        kernel.memory.read(addr + off, 1)
    fills = c["tlb_fills"] - fills
    small, huge = vm.pt.leaves(area.addr, area.addr + area.size - PAGE)
    result = (addr, area.nr_pages, area.page_order, small, huge, fills)
    kernel.vfree(addr)
    return result


def big_vmalloc(kernel: Any, seed: int) -> str:
    """64 MiB of vmalloc, every page touched: the page order and the TLB entries."""
    _vmalloc_sys(kernel)
    out = _head(kernel, "big-vmalloc")
    calls = [("vmalloc", lambda: kernel.vmalloc(64 * MB))]
    if kernel.has("559089e0a93d"):
        calls.append(("vmalloc_huge", lambda: kernel.vmalloc_huge(64 * MB, GFP_KERNEL)))
    for name, call in calls:
        got = map_and_touch(kernel, call)
        if got is None:
            out.append(f"{name}(64M) failed (see the kernel log); try --mem 256M or more")
            continue
        addr, nr_pages, order, small, huge, fills = got
        out.append(f"{name}(64M) = {addr:#x}: {nr_pages} pages of order {order} "
                   f"({'PMD' if order else 'PTE'} mappings); TLB entries needed: {small} of 4K, {huge} of 2M; "
                   f"TLB fills touching every page: {fills}")
    return "\n".join(out)


def map_touch_unmap_counts(kernel: Any, threads: int, loops: int) -> dict[str, int]:
    """db64fe02258f's loop: each of ``threads`` threads (on CPUs 0..threads-1, interleaved
    round-robin) maps 4 pages, writes each page and unmaps them, ``loops`` times.

    The calls are ``vm_map_ram``/``vm_unmap_ram`` where the era has them, ``vmap``/``vunmap``
    before.  Returns how much each counter of the kernel grew (every counter it keeps).
    """
    ram = kernel.has("db64fe02258f")
    c = kernel.counters
    pages = [[kernel.alloc_pages(GFP_KERNEL, 0) for _ in range(4)] for _ in range(threads)]
    before = dict(c)
    write = kernel.memory.write
    for _ in range(loops):
        for t in range(threads):
            with kernel.on_cpu(t):
                addr = kernel.vm_map_ram(pages[t], 4) if ram else kernel.vmap(pages[t], 4)
                for i in range(4):
                    write(addr + i * PAGE, b"x")
                if ram:
                    kernel.vm_unmap_ram(addr, 4)
                else:
                    kernel.vunmap(addr)
    delta = {name: c[name] - before.get(name, 0) for name in c}
    for group in pages:
        for p in group:
            kernel.free_pages(p, 0)
    return delta


def map_touch_unmap(kernel: Any, seed: int, loops: int = 2000) -> str:
    """db64fe02258f's test: vmap 4 pages, touch them, vunmap, per thread; 1, 2, 4, 8 threads."""
    _vmalloc_sys(kernel)
    if not kernel.has("v2.6.0"):
        raise NotInThisKernel(f"vmap() is not in {kernel.version}: it appeared in v2.6.0")
    out = _head(kernel, "map-touch-unmap")
    ram = kernel.has("db64fe02258f")
    name = "vm_map_ram" if ram else "vmap"
    out.append(f"each thread: {loops} x ({name} 4 pages, write each page, {'vm_unmap_ram' if ram else 'vunmap'}); "
               f"threads interleaved round-robin")
    for threads in (1, 2, 4, 8):
        if threads > kernel.nr_cpus:
            break
        d = map_touch_unmap_counts(kernel, threads, loops)
        ops = loops * threads
        flushes, ipis, purges = d["tlb_flushes"], d["ipis"], d["lazy_purges"]
        out.append(f"{threads} thread(s): {ops} map+touch+unmap, {flushes} TLB flushes, {ipis} IPIs, "
                   f"{purges} lazy purges; per operation {flushes / ops:.4f} flushes, {ipis / ops:.4f} IPIs")
    return "\n".join(out)


def busy_list_steps(kernel: Any, n: int) -> int:
    """``vmap_steps`` of one 3-page vmalloc among n live 1-page areas and n holes too small for it."""
    addrs = [kernel.vmalloc(PAGE) for _ in range(2 * n)]
    if not all(addrs):
        raise WorkloadError(f"busy-list: {2 * n} one-page areas do not fit this machine; give --mem 1G or more")
    for a in addrs[::2]:
        kernel.vfree(a)
    if kernel.has("db64fe02258f"):
        kernel.vm_unmap_aliases()
    before = kernel.counters["vmap_steps"]
    kernel.vmalloc(3 * PAGE)
    return kernel.counters["vmap_steps"] - before


def busy_list(kernel: Any, seed: int) -> str:
    import linuxmm

    _vmalloc_sys(kernel)
    out = _head(kernel, "busy-list")
    sizes = (1000, 2000, 5000, 10000)
    if kernel.has("db64fe02258f") and not kernel.has("89699605fe7c"):
        # every allocation of 2.6.28-2.6.38 walks the busy areas from VMALLOC_START: building
        # the live set is quadratic, so this era's curve stops earlier
        sizes = (250, 500, 1000, 2000)
        out.append("(2.6.28-2.6.38 search from VMALLOC_START every time: smaller sizes, the build is quadratic)")
    out.append("live areas  search steps of one 3-page vmalloc (vmap_steps)")
    for n in sizes:
        k = linuxmm.boot(kernel.revision.name, mem=max(kernel.phys.size, 1 << 30), cpus=kernel.nr_cpus,
                         config=dict(kernel.config.user), cmdline=kernel.cmdline.text or None, seed=seed)
        out.append(f"{n:>10}  {busy_list_steps(k, n)}")
    return "\n".join(out)


@hookimpl
def linuxmm_workloads():
    return [
        Workload("vmalloc-churn", run=churn, help="vmalloc/vfree churn: TLB flushes and IPIs per vfree"),
        Workload("big-vmalloc", run=big_vmalloc, help="64M vmalloc, every page touched: page order, TLB entries"),
        Workload("map-touch-unmap", run=map_touch_unmap,
                 help="db64fe02258f's test: vmap 4 pages, touch, vunmap, for 1-8 threads"),
        Workload("busy-list", run=busy_list, help="search steps of one vmalloc among 1k-10k live areas"),
    ]


# -- bench cases ---------------------------------------------------------------------------------
def _setup_pair(version: str):
    def setup() -> dict:
        import linuxmm

        k = linuxmm.boot(version)
        for _ in range(1000):  # warm the per-CPU page lists and the lazy list
            k.vfree(k.vmalloc(4 * PAGE))
        return {"k": k}
    return setup


def _setup_map_ram(version: str):
    def setup() -> dict:
        import linuxmm

        k = linuxmm.boot(version)
        pages = [k.alloc_pages(GFP_KERNEL, 0) for _ in range(4)]
        return {"k": k, "pages": pages}
    return setup


def _setup_busy(version: str, n: int):
    def setup() -> dict:
        import linuxmm

        k = linuxmm.boot(version, mem="1G" if n <= 10000 else "2G")
        for _ in range(n):
            k.vmalloc(PAGE)
        return {"k": k}
    return setup


@hookimpl
def linuxmm_bench_cases():
    cases = []
    for version in ("2.6.27", "2.6.28", "5.1", "5.2", "6.12"):
        cases.append(BenchCase(f"vmalloc4-vfree-{version}", stmt="a = k.vmalloc(16384); k.vfree(a)",
                               setup=_setup_pair(version), target=60.0 if version == "6.12" else None,
                               group="vmalloc", help=f"vmalloc(4 pages) + vfree at v{version}"))
    for version in ("2.6.28", "6.12"):
        cases.append(BenchCase(f"vm_map_ram4-{version}", stmt="a = k.vm_map_ram(pages, 4); k.vm_unmap_ram(a, 4)",
                               setup=_setup_map_ram(version), group="vmalloc",
                               help=f"vm_map_ram(4 pages) + vm_unmap_ram at v{version}"))
    for version in ("5.1", "5.2"):
        for n in (1000, 10000, 100000):
            cases.append(BenchCase(f"vmalloc-busy-{n // 1000}k-{version}", stmt="a = k.vmalloc(16384); k.vfree(a)",
                                   setup=_setup_busy(version, n), group="vmalloc",
                                   help=f"vmalloc(4 pages) + vfree with {n} live areas at v{version}"))
    return cases
