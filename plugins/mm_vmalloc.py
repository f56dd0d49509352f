"""vmalloc across the eras: what every era shares, the commits it rests on, and 0.01 to 0.99.

``mm/vmalloc.c`` (copyright 1993) is first in the modelled 1.0 tree.  Its
implementations, one per design era, live beside this module:

* :mod:`linuxmm_plugins.mm_vmalloc_vmlist` -- the address-sorted ``vmlist``:
  1.0 to 2.0 (no lock, no end check), 2.2 and 2.4 (``get_vm_area`` with an
  end check, and in 2.4 the ``vmlist_lock`` rwlock), 2.6.0 to 2.6.27
  (``__get_vm_area_node`` and a synchronous ``flush_tlb_kernel_range`` on
  every ``vfree``/``vunmap``);
* :mod:`linuxmm_plugins.mm_vmalloc_vmap` -- db64fe02258f's ``vmap_area``
  layer from 2.6.28 (busy rbtree, lazy purge, per-CPU ``vmap_block``),
  68ad4a330433's free-space tree from 5.2, and huge mappings from
  121e6f3258fe (5.13; opt-in with 559089e0a93d in 5.18).

This module holds what they share: the ``vm_struct`` record, the address
range per architecture and era, the kernel page tables and their TLB policy
(:mod:`linuxmm.machine.pagetable`), the binding to the booted page allocator,
the era's formats for ``%p``, WARN and failure messages, the argument
checks of the Python API, ``kvmalloc``/``kvfree``, and the stub that names
the commit or release for a call the booted era did not have yet.

What the model leaves out everywhere: ``ioremap`` and ``VM_IOREMAP``
alignment; the ``kmalloc`` of ``vm_struct``/``vmap_area`` records and of
small page arrays (Python objects here: only vmalloc'ed page arrays, which
take address space and pages, are modelled); page-table pages, which the
kernel takes with ``pte_alloc_kernel`` (see :mod:`linuxmm.machine.pagetable`);
NUMA (one node, node 0: ``N0=`` counts in /proc/vmallocinfo as a NUMA build
prints them).
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from typing import TYPE_CHECKING, Any, Callable

from linuxmm import hookimpl
from linuxmm.checks import check_addr, check_gfp, check_int, check_size
from linuxmm.config import parse_bool
from linuxmm.errors import ArgumentError, LinuxmmError, NotInThisKernel
from linuxmm.gfp import GFP_KERNEL, __GFP_HIGHMEM, __GFP_NOWARN, __GFP_ZERO, format_gfp, gfp_era
from linuxmm.warn import check_panic_on_warn, warn
from linuxmm.machine.pagetable import KernelPageTable, fault_message_for
from linuxmm.records import BootParam, Commit, ConfigSymbol, Implementation

if TYPE_CHECKING:  # pragma: no cover
    from linuxmm.kernel import Kernel

PAGE_SHIFT = 12
PAGE_SIZE = 1 << PAGE_SHIFT
PAGE_MASK = ~(PAGE_SIZE - 1)
NUMA_NO_NODE = -1
ZERO_SIZE_PTR = 16
#: The simulated task's name in messages that print ``current->comm`` (as mm_page_alloc).
COMM = "linuxmm"

# vm_struct flags.  The model uses one set of values in every era (the kernel
# renumbered them over time; only their meaning is shown, never their value).
VM_IOREMAP = 0x1
VM_ALLOC = 0x2
VM_MAP = 0x4
VM_USERMAP = 0x8
VM_VPAGES = 0x10  # 2.6.x: the pages array was vmalloc'ed (later: is_vmalloc_addr(pages))
VM_UNINITIALIZED = 0x20
VM_NO_GUARD = 0x40
VM_ALLOW_HUGE_VMAP = 0x400  # 559089e0a93d
VM_NO_HUGE_VMAP = 0x800  # 121e6f3258fe .. 559089e0a93d

_GFP_HIGHMEM = __GFP_HIGHMEM
_GFP_ZERO = __GFP_ZERO
_GFP_NOWARN = __GFP_NOWARN
_ULONG = (1 << 64) - 1


def page_align(size: int) -> int:
    return (size + PAGE_SIZE - 1) & PAGE_MASK


def fls(x: int) -> int:
    return x.bit_length()


class VmStruct:
    """``struct vm_struct``: one reserved range of kernel virtual addresses.

    ``size`` includes the guard page while the area is live (as every era's
    ``get_vm_area`` adds it; ``remove_vm_area`` takes it off again),
    ``pages`` lists the page frames (pfns) of the mapping, ``pages_addr`` is
    the address of the vmalloc'ed array holding them when it was too large
    for ``kmalloc`` (0 otherwise), ``caller`` the symbol /proc/vmallocinfo
    prints, ``page_order`` the order of the physical pages behind a huge
    mapping (121e6f3258fe) and ``requested_size`` the byte count the caller
    asked for (kept for vrealloc's a0309faf1cb0).
    """

    __slots__ = ("addr", "size", "flags", "pages", "nr_pages", "caller", "page_order", "pages_addr",
                 "requested_size", "va")

    def __init__(self, addr: int, size: int, flags: int, caller: str | None = None):
        self.addr = addr
        self.size = size
        self.flags = flags
        self.pages: list[int] | None = None
        self.nr_pages = 0
        self.caller = caller
        self.page_order = 0
        self.pages_addr = 0
        self.requested_size = size
        self.va: Any = None

    @property
    def end(self) -> int:
        return self.addr + self.size

    def __repr__(self) -> str:
        return (f"<vm_struct {self.addr:#x}-{self.addr + self.size:#x} size={self.size} "
                f"pages={self.nr_pages} flags={self.flags:#x}>")


# -- what appeared when -----------------------------------------------------------
#: The kernel functions of the model's vmalloc API, each with the history reference that
#: added it (None: as old as mm/vmalloc.c).  A booted era without one binds a stub that
#: raises NotInThisKernel naming it.
API_INTRODUCED: dict[str, str | None] = {
    "vmalloc": None,
    "vfree": None,
    "__vmalloc": "v2.4.0",  # [V 2.4.0 include/linux/vmalloc.h]
    "vmalloc_32": "v2.4.0",  # [V 2.4.0; not in 2.2.1]
    "vmap": "v2.6.0",  # Hellwig's vmap/vunmap rework, August 2002 (2.5) [V header; S release]
    "vunmap": "v2.6.0",
    "find_vm_area": "v2.6.0",  # 2.6.20's __find_vm_area; exported later [S]
    "vmalloc_to_pfn": "v2.6.0",  # [S release]
    "__vmalloc_node": "v2.6.13",  # NUMA awareness, Christoph Lameter, June 2005 [S release]
    "vmalloc_user": "v2.6.18",  # [S release]
    "is_vmalloc_addr": "v2.6.25",  # [S release; the commit was not pinned]
    "vm_map_ram": "db64fe02258f",
    "vm_unmap_ram": "db64fe02258f",
    "vm_unmap_aliases": "db64fe02258f",
    "vzalloc": "e1ca7788dec6",
    "kvfree": "v3.15",  # [S release; Al Viro's kvfree() from apparmor]
    "kvmalloc": "a7c3e901a46f",
    "vmalloc_huge": "559089e0a93d",
    # plugins/mm_vrealloc.py
    "kvrealloc": "v5.15",  # mm/util.c: not in the 5.14 tree, in 5.15's [V]
    "vrealloc": "3ddc2fefe6f3",
}

#: Kernel name -> attribute of the era object (``__vmalloc`` cannot be a method name).
API = tuple(f"{name}:{name.lstrip('_')}_" if name.startswith("__") else name for name in API_INTRODUCED)


class VmallocBase:
    """What every era's vmalloc shares (see the module docstring).

    Subclasses set ``arch`` and implement the era's own calls.  Built after the
    page allocator (``kernel.page_alloc``), from which every page comes.
    """

    #: For the docs registry: which of the API's calls came later than the implementation.
    API_INTRODUCED = API_INTRODUCED

    arch = "x86_64"
    pointer_bytes = 8

    def __init__(self, kernel: "Kernel"):
        self.kernel = kernel
        has = kernel.has
        pa = kernel.subsystems.get("page_alloc")
        if pa is None:  # pragma: no cover - every modelled era has one
            raise LinuxmmError(f"{kernel.version}: vmalloc needs a page allocator")
        self.pa = pa
        self.page_offset = pa.page_offset
        self.counters = kernel.counters
        self.dmesg = kernel.dmesg
        self.counters.declare("vmalloc_calls", "vfree_calls", "vmap_steps", "vmlist_steps", "lazy_purges",
                              "vmalloc_pages_allocated", "vmalloc_pages_freed")
        self.caller: str | None = None
        self.comm = COMM
        self.nr_vmalloc_pages = 0  # NR_VMALLOC (97105f0ab7b8); kept in every era for tests
        self.kasan: Any = None  # KASAN's vmalloc hooks, when a KASAN plugin attaches them
        # warn_alloc's layout: 0 silent, 1 two lines (3.0), 2 one line (4.9), 3 + nodemask and
        # a cpuset line (4.11), 4 all on one line (5.0)
        self._warn_alloc_era = (4 if has("ef8444ea01d7") else 3 if has("v4.11-rc1") else 2 if has("v4.9-rc1")
                                else 1 if has("a238ab5b0239") else 0)
        self._gfp_era = getattr(pa, "gfp_era", None) or gfp_era(has)
        # vmalloc()'s mask: GFP_KERNEL | __GFP_HIGHMEM until 19809c2da28a (4.12), which passes
        # GFP_KERNEL and adds __GFP_HIGHMEM only where the pages are allocated (the same zones
        # on x86-64, so the model's page calls do not change; the failure reports do)
        self.vmalloc_gfp = GFP_KERNEL if has("19809c2da28a") else GFP_KERNEL | _GFP_HIGHMEM
        self.hash_pointers = has("v4.15")  # ad67b74d2469 "printk: hash addresses printed with %p" [S]
        self._hash_key = kernel.seed.to_bytes(8, "little", signed=True)
        # the page allocator's calls, rebound on every CPU switch (its fast paths are per CPU)
        self._pa_attrs = {entry.partition(":")[0]: (entry.partition(":")[2] or entry.partition(":")[0])
                          for entry in kernel.implementations["page_alloc"].api}
        self._bind_page_alloc()
        self._install_absent_calls()

    # -- the page allocator ---------------------------------------------------------
    def _pa_call(self, name: str) -> Callable[..., Any]:
        """The page allocator's own ``name`` call; for one without it (a third-party allocator),
        its ``alloc_block``/``free_block`` contract methods."""
        attr = self._pa_attrs.get(name)
        if attr is not None:
            return getattr(self.pa, attr)
        pa = self.pa
        if name in ("alloc_pages", "alloc_page", "__get_free_page", "get_free_page"):
            zero = name == "get_free_page"

            def alloc(gfp: int, order: int = 0) -> int:
                addr = pa.alloc_block(order, gfp)
                if addr and zero:
                    pa.zero_pages(pa.virt_to_pfn(addr), 1 << order)
                return addr
            return alloc
        if name in ("free_pages", "__free_page", "free_page"):
            return lambda addr, order=0: pa.free_block(addr, order)
        raise LinuxmmError(f"{self.kernel.version}: the page allocator has no {name}()")

    def _bind_page_alloc(self) -> None:
        """Bind the era's page calls; subclasses name theirs (``get_free_page``, ``alloc_pages`` ...)."""

    def switch_cpu(self, cpu: int) -> None:
        self._bind_page_alloc()

    def totalram(self) -> int:
        """Pages the page allocator manages (free + allocated), the kernel's ``totalram_pages``."""
        pa = self.pa
        return pa.nr_free_pages() + pa.allocated_pages()

    def pfn_of(self, addr: int) -> int:
        return (addr - self.page_offset) >> PAGE_SHIFT

    def page_addr(self, pfn: int) -> int:
        return self.page_offset + (pfn << PAGE_SHIFT)

    def _vunmap(self, addr: int, deallocate_pages: bool) -> None:
        """``__vunmap`` (2.6 on): warn on a misaligned or unknown address; otherwise take the area
        out of the address space and, for ``vfree``, give its pages back (and a vmalloc'ed page
        array, ``VM_VPAGES``).  Eras that free otherwise override it."""
        if not addr:
            return
        if addr & (PAGE_SIZE - 1):
            self.warn("__vunmap", f"Trying to vfree() bad address ({self.ptr(addr)})")
            return
        vm = self.remove_vm_area(addr)
        if vm is None:
            self.warn("__vunmap", f"Trying to vfree() nonexistent vm area ({self.ptr(addr)})")
            return
        if deallocate_pages:
            free_pages, base = self._free_pages, self.page_offset
            for pfn in vm.pages or ():
                free_pages(base + (pfn << PAGE_SHIFT), 0)
            self.nr_vmalloc_pages -= vm.nr_pages
            self.counters["vmalloc_pages_freed"] += vm.nr_pages
            if vm.flags & VM_VPAGES and vm.pages_addr:
                self._vunmap(vm.pages_addr, True)

    # -- global locks ------------------------------------------------------------------
    def count_locks(self, *names: str) -> None:
        """Count acquisitions of the era's global locks ``names`` (one counter each, named as the
        lock) and ``lock_handoffs``: acquisitions of a lock whose previous holder was another CPU.

        The model has no concurrency: a lock is never contended, so what is counted is how often
        the era's code takes each global lock, and how often it changes hands between CPUs when
        calls of several CPUs are interleaved -- each hand-off moves the lock's cache line.
        Per-CPU and per-block locks are not counted.  Eras that do not call this count nothing
        (their ``_lock`` does nothing) and have no such counters.
        """
        self.counters.declare(*names, "lock_handoffs")
        self._lock_holder: dict[str, int] = {}
        self._lock = self._lock_counted  # type: ignore[method-assign]

    def _lock(self, name: str) -> None:
        """``spin_lock``/``write_lock`` of a global lock: counted where the era counts locks."""

    def _lock_counted(self, name: str) -> None:
        counters = self.counters
        counters[name] += 1
        cpu = self.kernel.this_cpu
        holder = self._lock_holder
        if holder.get(name, cpu) != cpu:
            counters["lock_handoffs"] += 1
        holder[name] = cpu

    # -- page tables -------------------------------------------------------------------
    def setup_pagetable(self, start: int, end: int, pmd_shift: int) -> KernelPageTable:
        kernel = self.kernel
        self.pt = KernelPageTable(kernel, start, end, pmd_shift=pmd_shift,
                                  fault_message=fault_message_for(kernel, self.arch))
        return self.pt

    # -- calls the era did not have -------------------------------------------------------
    def _install_absent_calls(self) -> None:
        kernel = self.kernel
        self._absent_names: list[str] = []
        for name, ref in API_INTRODUCED.items():
            attr = f"{name.lstrip('_')}_" if name.startswith("__") else name
            if ref is not None and not kernel.has(ref):
                setattr(self, attr, self._absent(name, ref))
                self._absent_names.append(name)
            elif not hasattr(self, attr):  # pragma: no cover - a programming error in an era class
                raise LinuxmmError(f"{type(self).__name__} provides no {name}() although {kernel.version} has it")

    def late_init(self) -> None:
        """Take the calls this era lacks out of ``kernel.provides()`` (their stubs stay bound, to
        raise NotInThisKernel with the commit or release that brought them)."""
        _withdraw(self.kernel, self._absent_names)

    def _absent(self, name: str, ref: str) -> Callable[..., Any]:
        kernel = self.kernel
        msg = f"{name}() is not in {kernel.version}: it appeared in {kernel.host.describe_ref(ref)}"

        def absent(*args: Any, **kwargs: Any) -> Any:
            raise NotInThisKernel(msg)

        absent.__name__ = name
        absent.__doc__ = msg
        return absent

    # -- the era's printk formats ----------------------------------------------------------
    def ptr(self, addr: int) -> str:
        """``%p`` as the era printed it: 8 or 16 hex digits; hashed from 4.15 (the model's key is the seed)."""
        if self.pointer_bytes == 4:
            return f"{addr & 0xFFFFFFFF:08x}"
        if self.hash_pointers:
            digest = hashlib.blake2b(addr.to_bytes(8, "little"), key=self._hash_key, digest_size=4).digest()
            return f"{int.from_bytes(digest, 'little'):016x}"
        return f"{addr & _ULONG:016x}"

    def warn(self, func: str, message: str) -> None:
        """A ``WARN`` about ``func`` of mm/vmalloc.c (linuxmm.warn), then ``panic_on_warn``.

        Before db64fe02258f the message was printed first (``printk(KERN_ERR ...)`` then
        ``WARN_ON(1)``); from it, ``WARN(1, ...)`` prints it after the warning line.  Before
        2.6 vmalloc printed the message alone.
        """
        kernel = self.kernel
        if func == "__vmalloc_node_range" and kernel.has("v6.10"):
            func += "_noprof"  # memory allocation profiling renamed the allocating calls (6.10 [S])
        if not kernel.has("v2.6.0"):
            self.dmesg.printk(message)
            check_panic_on_warn(kernel, "kernel")
        elif not kernel.has("db64fe02258f"):
            self.dmesg.printk(message)
            warn(kernel, "mm/vmalloc.c", func)
        else:
            warn(kernel, "mm/vmalloc.c", func, message)

    def warn_alloc(self, gfp: int, text: str) -> None:
        """``warn_alloc_failed``/``warn_alloc`` for a vmalloc failure, in the era's layout.

        Silent before 3.0.  a238ab5b0239 (3.0-rc1) added ``warn_alloc_failed`` and vmalloc's
        failure paths called it in the same series [S for the vmalloc callers]: the text on its
        own line, then the page allocator's ``page allocation failure: order:0, mode:...``
        line.  Michal Hocko's "mm: consolidate warn_alloc_failed users" (mmotm since-4.8
        branch, so v4.9-rc1 [V patch text, S release]) made it ``warn_alloc``: one line,
        ``comm: text, mode:...``.  The mode, the ``nodemask=(null)`` of 4.11 and the cpuset
        part (its own line until ef8444ea01d7, 5.0) are rendered as the page allocator renders
        its own report (:func:`linuxmm.gfp.format_gfp`, the era's GFP values).  The rate limit
        is the page allocator's ``nopage_rs``, shared with its reports as in mm/page_alloc.c.
        Silent with __GFP_NOWARN.
        """
        if gfp & _GFP_NOWARN or not self._warn_alloc_era:
            return
        pa = self.pa
        left = getattr(pa, "_nopage_left", None)  # nopage_rs, when the page allocator keeps one
        if left is not None:
            if not left:
                return
            pa._nopage_left = left - 1
        printk = self.dmesg.printk
        mode = format_gfp(gfp, self._gfp_era)
        if self._warn_alloc_era >= 2:
            line = f"{self.comm}: {text}, mode:{mode}"
        else:
            printk(text)
            line = f"{self.comm}: page allocation failure: order:0, mode:{mode}"
        if self._warn_alloc_era == 4:
            printk(line + ", nodemask=(null),cpuset=/,mems_allowed=0")
        elif self._warn_alloc_era == 3:
            printk(line + ", nodemask=(null)")
            printk(f"{self.comm} cpuset=/ mems_allowed=0")
        else:
            printk(line)

    # -- argument checks (slow path) -----------------------------------------------------------
    def _check_size(self, size: Any, func: str) -> int:
        return check_size(size, func)

    def _check_node(self, node: Any, func: str) -> int:
        node = check_int(node, "node", func)
        if node not in (NUMA_NO_NODE, 0):
            raise ArgumentError(f"{func}: node must be -1 (NUMA_NO_NODE) or 0 on this one-node machine, not {node}")
        return node

    def _check_align(self, align: Any, func: str) -> int:
        align = check_int(align, "align", func, 1)
        if align & (align - 1):
            raise ArgumentError(f"{func}: align must be a power of two, not {align}")
        return align

    def _page_list(self, pages: Any, count: Any, func: str) -> list[int]:
        """``struct page **pages`` as the model passes them: page addresses from the page allocator."""
        count = check_int(count, "count", func, 0, 0xFFFFFFFF)
        if not isinstance(pages, (list, tuple)):
            raise ArgumentError(f"{func}: pages must be a list of page addresses, not {type(pages).__name__}")
        if len(pages) < count:
            raise ArgumentError(f"{func}: count is {count} but pages holds only {len(pages)} addresses")
        nr = self.pa.nr_pages
        pfns = []
        for i, addr in enumerate(pages[:count]):
            addr = check_addr(addr, func, f"pages[{i}]")
            pfn = (addr - self.page_offset) >> PAGE_SHIFT
            if addr & ~PAGE_MASK or not 0 <= pfn < nr:
                raise ArgumentError(f"{func}: pages[{i}] = {addr:#x} is not the address of a page of this machine")
            pfns.append(pfn)
        return pfns

    # -- API shared by the eras that have it -------------------------------------------------
    def is_vmalloc_addr(self, addr: int) -> bool:
        """``is_vmalloc_addr(x)``: ``VMALLOC_START <= x < VMALLOC_END`` (2.6.25 [S])."""
        if type(addr) is not int:
            addr = check_addr(addr, "is_vmalloc_addr")
        return self.VMALLOC_START <= addr < self.VMALLOC_END

    def vmalloc_to_pfn(self, addr: int) -> int:
        """``vmalloc_to_pfn(addr)``: the page frame the page tables map at ``addr`` (0 if none)."""
        addr = check_addr(addr, "vmalloc_to_pfn")
        pfn = self.pt.lookup(addr)
        return 0 if pfn is None else pfn

    def kvmalloc(self, size: int, flags: int = GFP_KERNEL) -> int:
        """``kvmalloc(size, flags)`` (a7c3e901a4): ``kmalloc`` first, ``vmalloc`` if that fails.

        As 4.12's ``kvmalloc_node``: a mask that is not a superset of GFP_KERNEL goes to
        ``kmalloc`` only; above a page, ``kmalloc`` is tried with ``__GFP_NOWARN`` (and
        without retrying) and ``vmalloc`` takes over when it fails.  ``kmalloc`` is the booted
        era's slab allocator (``kernel.kmalloc``); were a kernel booted without one, every
        request would go to ``vmalloc`` (0 bytes giving ZERO_SIZE_PTR, as ``kmalloc(0)`` does).
        """
        size = check_size(size, "kvmalloc")
        flags = check_gfp(flags, "kvmalloc")
        kernel = self.kernel
        if kernel.provides("kmalloc"):
            if flags & GFP_KERNEL != GFP_KERNEL:
                return kernel.kmalloc(size, flags)
            ret = kernel.kmalloc(size, flags | (_GFP_NOWARN if size > PAGE_SIZE else 0))
            if ret or size <= PAGE_SIZE:
                return ret
        elif not size:
            return ZERO_SIZE_PTR
        return self.vmalloc_node_range(size, 1, flags, 0, NUMA_NO_NODE, self.caller)

    def kvfree(self, addr: int) -> None:
        """``kvfree(addr)``: ``vfree`` for a vmalloc address, ``kfree`` otherwise."""
        addr = check_addr(addr, "kvfree")
        if self.VMALLOC_START <= addr < self.VMALLOC_END:
            self.vfree(addr)
        elif self.kernel.provides("kfree"):
            self.kernel.kfree(addr)
        elif addr not in (0, ZERO_SIZE_PTR):
            raise LinuxmmError(f"kvfree({addr:#x}): not a vmalloc address, and {self.kernel.version} has no "
                               f"kmalloc modelled to have handed it out")

    # -- what subclasses provide -------------------------------------------------------------
    VMALLOC_START = 0
    VMALLOC_END = 0

    def vmalloc_node_range(self, size: int, align: int, gfp: int, vm_flags: int, node: int,
                           caller: str | None) -> int:  # pragma: no cover - abstract
        raise NotImplementedError

    def areas(self) -> list[tuple[int, int]]:
        """Every reserved range ``(start, end)`` (busy, lazily freed, blocks), sorted: for checks."""
        raise NotImplementedError

    def mapped_pages(self) -> int:
        """Pages the live areas hold (each counted once): what ``vfree`` of them all would return."""
        raise NotImplementedError

    def meminfo(self) -> dict[str, int]:
        """/proc/meminfo's Vmalloc fields in kB, with the era's meaning (see each era)."""
        return {}

    def check(self) -> list[str]:
        """The vmalloc layer's invariants (``Kernel.check``): reserved ranges apart and inside the
        space, the pages counted where the areas hold them; each era adds its own."""
        out = []
        spans = self.areas()
        for (a0, a1), (b0, b1) in zip(spans, spans[1:]):
            if a1 > b0:
                out.append(f"vmalloc: areas {a0:#x}-{a1:#x} and {b0:#x}-{b1:#x} overlap")
        for a0, a1 in spans:
            if a0 < self.VMALLOC_START or a1 > self.VMALLOC_END + 1 or a0 >= a1:
                out.append(f"vmalloc: area {a0:#x}-{a1:#x} outside {self.VMALLOC_START:#x}-{self.VMALLOC_END:#x}")
        held = self.mapped_pages()
        if held != self.nr_vmalloc_pages:
            out.append(f"vmalloc: the areas hold {held} pages but {self.nr_vmalloc_pages} are counted")
        out.extend(self.check_mappings(spans))
        return out

    # -- mappings: page tables, guard pages, TLBs ---------------------------------------------
    def live_vms(self) -> list[VmStruct]:
        """The live areas that have a ``vm_struct`` (lazily freed ones excluded), for :meth:`check`."""
        return []

    def check_mappings(self, spans: list[tuple[int, int]]) -> list[str]:
        """What the page tables and TLBs must agree on, whatever the era (part of :meth:`check`).

        Every live area maps exactly its ``nr_pages`` pages, in order, from its start, and
        nothing else in its range: its guard page (the last page of ``size``, unless
        ``VM_NO_GUARD``) stays unmapped.  The pages of a ``VM_ALLOC`` area are allocated in the
        page allocator and belong to no other ``VM_ALLOC`` area.  Every page-table entry lies
        inside a reserved range.  No CPU's TLB holds a translation that disagrees with a
        present entry (a stale entry for an unmapped address is what lazy purging allows; one
        that contradicts the tables would mean an address was remapped without a flush).
        """
        pt = getattr(self, "pt", None)
        if pt is None:
            return []
        out: list[str] = []
        lookup, shift = pt.lookup, PAGE_SHIFT
        counts = getattr(self.pa, "mem_map", None)
        if counts is None:
            frames = getattr(self.pa, "frames", None)
            counts = frames.count if frames is not None else None
        owner: dict[int, int] = {}
        for vm in self.live_vms():
            pages = vm.pages or []
            for i, pfn in enumerate(pages[:vm.nr_pages]):
                got = lookup(vm.addr + (i << shift))
                if got != pfn:
                    shown = "nothing" if got is None else f"pfn {got}"
                    out.append(f"vmalloc: area {vm.addr:#x}: page {i} should map pfn {pfn}, the tables map {shown}")
                    break
                if vm.flags & VM_ALLOC:
                    if pfn in owner:
                        out.append(f"vmalloc: pfn {pfn} belongs to the areas at {owner[pfn]:#x} and {vm.addr:#x}")
                        break
                    owner[pfn] = vm.addr
                    head = not i & ((1 << vm.page_order) - 1)  # a huge mapping's pages are counted at the head
                    if counts is not None and head and not counts[pfn]:
                        out.append(f"vmalloc: area {vm.addr:#x}: its pfn {pfn} is free in the page allocator")
                        break
            guarded = not vm.flags & VM_NO_GUARD
            if guarded and lookup(vm.addr + vm.size - PAGE_SIZE) is not None:
                out.append(f"vmalloc: area {vm.addr:#x}: its guard page {vm.addr + vm.size - PAGE_SIZE:#x} is mapped")
            if not vm.page_order:
                ptes, _ = pt.leaves(vm.addr, vm.addr + vm.size)
                if ptes != vm.nr_pages:
                    out.append(f"vmalloc: area {vm.addr:#x}: {ptes} page-table entries for its {vm.nr_pages} pages")
        starts = [a for a, _ in spans]
        for vpn in sorted(pt.pte):
            addr = vpn << shift
            i = bisect_right(starts, addr) - 1
            if i < 0 or addr >= spans[i][1]:
                out.append(f"vmalloc: {addr:#x} is mapped (pfn {pt.pte[vpn]}) but lies in no area")
                break
        for cpu in self.kernel.cpus:
            huge = (cpu.tlb_huge, pt.pmd, pt.pmd_shift, "the huge page ")
            for tlb, table, at, what in ((cpu.tlb, pt.pte, shift, ""), huge):
                for index, pfn in tlb.items():
                    present = table.get(index)
                    if present is not None and present != pfn:
                        out.append(f"vmalloc: CPU {cpu.id}'s TLB maps {what}{index << at:#x} to pfn {pfn}, the tables "
                                   f"to pfn {present}")
                        break
        return out


class NoVmalloc:
    """0.01 and 0.11: no ``mm/vmalloc.c`` yet; every call names the release that brought it."""

    #: For the docs registry: no call is here yet.
    API_INTRODUCED = {name: ref or "v1.0" for name, ref in API_INTRODUCED.items()}

    def __init__(self, kernel: "Kernel"):
        self.kernel = kernel
        for name in API_INTRODUCED:
            attr = f"{name.lstrip('_')}_" if name.startswith("__") else name
            ref = API_INTRODUCED[name] or "v1.0"
            msg = (f"{name}() is not in {kernel.version}: it appeared in {kernel.host.describe_ref(ref)}"
                   + (" (mm/vmalloc.c is first in the modelled 1.0 tree)" if ref == "v1.0" else ""))
            setattr(self, attr, _raiser(name, msg))

    def meminfo(self) -> dict[str, int]:
        return {}

    def late_init(self) -> None:
        _withdraw(self.kernel, list(API_INTRODUCED))


def _withdraw(kernel: "Kernel", names: list[str]) -> None:
    """Drop ``names`` from the kernel's list of provided calls (``Kernel.provides``)."""
    api = kernel._api
    for name in names:
        while name in api:
            api.remove(name)


def _raiser(name: str, msg: str) -> Callable[..., Any]:
    def absent(*args: Any, **kwargs: Any) -> Any:
        raise NotInThisKernel(msg)

    absent.__name__ = name
    absent.__doc__ = msg
    return absent


# -- records ---------------------------------------------------------------------------------
COMMITS = (
    Commit(sha="89699605fe7c", subject="mm: vmap area cache", author="Nick Piggin", date="2011-03-22",
           tag="v2.6.39-rc1", mark="V",
           source="full sha in a git.kernel.org commit link of the gatieme vmalloc table (2011/03/22); "
                  "'Commit 89699605fe (mm: vmap area cache)' in a 3.10 linux-mm thread; patch mails May-July "
                  "2010; tag from the date (S)"),
    Commit(sha="e1ca7788dec6", subject="mm: add vzalloc() and vzalloc_node() helpers", author="Dave Young",
           date="2010-10-26", tag="v2.6.37-rc1", mark="V",
           source="full sha and subject in a compat header ('#if LINUX_VERSION_CODE < KERNEL_VERSION(2, 6, 37)'); "
                  "date S"),
    Commit(sha="a7c3e901a46f", subject="mm: introduce kv[mz]alloc helpers", author="Michal Hocko",
           date="2017-05-08", tag="v4.12-rc1", mark="V",
           source="full sha and subject in driver compat code ('commit a7c3e901a46ff54c016d040847eda598a9e3e653'); "
                  "'v4.11-10655-ga7c3e901a46f' describe; blame date 2017-05-08"),
    Commit(sha="19809c2da28a", subject="mm, vmalloc: use __GFP_HIGHMEM implicitly", author="Michal Hocko",
           date="2017-05-08", tag="v4.12-rc1", mark="S",
           source="patch mail 2017-03-07 (linux-mm); sha and subject from the Fixes: line of 704b862f9efd's "
                  "patch; release from the mmotm window it went through [S]"),
    Commit(sha="a5ad88ce8c7f", subject="mm: get rid of 'vmalloc_info' from /proc/meminfo",
           author="Linus Torvalds", date="2015-10-02", tag="v4.4-rc1", mark="S",
           source="doc patch quoting 'commit a5ad88ce8c7f (\"mm: get rid of 'vmalloc_info' from /proc/meminfo\")' "
                  "and 'v4.4 removes the expensive vmalloc_info bookkeeping'; author and date S"),
    Commit(sha="97105f0ab7b8", subject="mm: vmalloc: show number of vmalloc pages in /proc/meminfo",
           author="Roman Gushchin", date="2019-07-11", tag="v5.3-rc1", mark="V",
           source="'commit 97105f0ab7b8 (\"mm: vmalloc: show number of vmalloc pages in /proc/meminfo\")' in "
                  "later patches and the meminfo doc patch ('v5.3 reintroduces VmallocUsed'); date S"),
    Commit(sha="fac54e2bfb5b", subject="x86/Kconfig: select HAVE_ARCH_HUGE_VMALLOC with HAVE_ARCH_HUGE_VMAP",
           author="Song Liu", date="2022-02-04", tag="v5.18-rc1", mark="S",
           source="vmalloc fact sheet section 3.1 (x86_64 selected the symbol in 5.18-rc via fac54e2bfb5b, "
                  "for bpf_prog_pack; regressions reported by Thorsten Leemhuis); subject and date S"),
    Commit(sha="387ba26fb1cb", subject="mm/page_alloc: add a bulk page allocator", author="Mel Gorman",
           date="2021-04-29", tag="v5.13-rc1", mark="S",
           source="sha and subject in the Fixes: line of Vasily Averin's 'Enable memory accounting for bulk "
                  "page allocator' (2021-10, cgroups list); the series' patch mails March-April 2021; date and "
                  "tag from the 5.13 merge window (S)"),
    Commit(sha="5c1f4e690eec", subject="mm/vmalloc: switch to bulk allocator in __vmalloc_area_node()",
           author="Uladzislau Rezki (Sony)", date="2021-06-28", tag="v5.14-rc1", mark="V",
           source="'commit 5c1f4e690eecc795b2e4d4408e87302040fceca4 ... Date: Mon Jun 28 19:40:14 2021' quoted in a "
                  "linux-mm reply; the full sha in a kernel.org push log of the 5.14 merge window (after v5.13 of "
                  "2021-06-27, so v5.14-rc1, not 5.13); Shakeel Butt's __GFP_ACCOUNT fix names it"),
    Commit(sha="12b9f873a5d0", subject="mm/vmalloc: fallback to a single page allocator",
           author="Uladzislau Rezki (Sony)", date="2021-06-28", tag="v5.14-rc1", mark="S", seq=1,
           source="full sha in the same kernel.org push log of the 5.14 merge window, listed after "
                  "5c1f4e690eec (the log runs oldest first: the bulk helper a2afc59fb250 precedes its user); the "
                  "patch mail of 2021-05-21; date S"),
    Commit(sha="559089e0a93d", subject="vmalloc: replace VM_NO_HUGE_VMAP with VM_ALLOW_HUGE_VMAP",
           author="Song Liu", date="2022-04-15", tag="v5.18-rc4", mark="V",
           source="vmalloc fact sheet section 3.2: merged after 'Merge tag spi-fix-v5.18-rc3' (2022-04-19/20), "
                  "so in v5.18-rc4 (V-inferred); date S"),
)


def _huge_vmalloc_selected(rev: Any) -> bool:
    # x86_64 selects HAVE_ARCH_HUGE_VMALLOC from fac54e2bfb5b (5.18-rc1) [S].
    return rev.has("fac54e2bfb5b")


@hookimpl
def linuxmm_commits():
    return COMMITS


@hookimpl
def linuxmm_config_symbols():
    return [
        ConfigSymbol(
            "HAVE_ARCH_HUGE_VMALLOC", introduced="121e6f3258fe", prompt=False, default=_huge_vmalloc_selected,
            help="Architecture supports PMD-sized vmalloc mappings (x86_64 selects it from 5.18).",
            whatif="x86_64 did not select HAVE_ARCH_HUGE_VMALLOC before fac54e2bfb5b (v5.18-rc1); at 5.13-5.17 "
                   "only powerpc had it, so huge vmalloc mappings on x86_64 here are an experiment the record "
                   "never shipped",
            note="x86_64 selects it from v5.18-rc1 (fac54e2bfb5b)"),
    ]


@hookimpl
def linuxmm_boot_params():
    return [
        BootParam("nohugevmalloc", introduced="121e6f3258fe", parse=parse_bool,
                  help="Disable huge vmalloc mappings (vmap_allow_huge = false)."),
    ]


@hookimpl
def linuxmm_implementations():
    return [Implementation(
        subsystem="vmalloc", name="none", factory=NoVmalloc, introduced="v0.01", removed="v1.0", api=API,
        summary="no vmalloc yet: mm/vmalloc.c is first in the modelled 1.0 tree")]
