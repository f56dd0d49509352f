"""The booted kernel: composed once from what the hooks return.

After boot, ``kernel.alloc_pages(...)`` and friends are the chosen
implementation's bound methods, set as instance attributes: a call is one
Python method call, with no plugin dispatch in between.  A kernel call that
did not exist in the booted era is bound to a stub that raises
:class:`~linuxmm.errors.NotInThisKernel` naming when it appeared or left.
After a panic every kernel call raises :class:`~linuxmm.errors.KernelPanic`.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import weakref
from typing import TYPE_CHECKING, Any, Iterator

from .config import Cmdline
from .dmesg import Dmesg
from .errors import (ArgumentError, ConcurrencyError, InvariantViolation, KernelBug, KernelOops, KernelPanic,
                     LinuxmmError, NotInThisKernel)
from .machine import CPU, Counters, Memory, PageFrames, PhysicalMemory

if TYPE_CHECKING:  # pragma: no cover
    from .history import Revision
    from .host import Host
    from .records import Implementation


#: Kernels alive in this process, told when a new Python thread starts (see :meth:`Kernel.guard_threads`).
_LIVE: "weakref.WeakSet[Kernel]" = weakref.WeakSet()
_HOOKED = False


def _watch_new_threads() -> None:
    """Have every thread started from the threading module tell the live kernels, once, as it starts.

    ``threading.setprofile`` installs a profile function in each new thread
    before its ``run()``; ours guards the live kernels and then hands the
    thread the profile function that was set before it (usually none), so the
    cost is one call per new thread and nothing in a single-threaded program.
    """
    global _HOOKED
    if _HOOKED:
        return
    _HOOKED = True
    previous = threading.getprofile()

    def on_new_thread(frame: Any, event: str, arg: Any) -> Any:
        sys.setprofile(previous)
        for kernel in list(_LIVE):
            kernel.guard_threads()
        if previous is not None:
            return previous(frame, event, arg)
        return None

    threading.setprofile(on_new_thread)


def _api_pairs(impl: "Implementation"):
    for entry in impl.api:
        name, _, attr = entry.partition(":")
        yield name, (attr or name)


class Kernel:
    """A kernel at one revision, with one implementation per subsystem."""

    def __init__(self, host: "Host", revision: "Revision", config: dict[str, Any], cmdline: Cmdline,
                 mem: int | None = None, cpus: int = 1, seed: int = 0):
        if cpus < 1:
            raise LinuxmmError(f"cpus must be at least 1, not {cpus}")
        if cpus > 1 and not revision.has("v2.0"):
            # SMP support came with the 1.3 development series; 2.0 is its first release [S].
            raise LinuxmmError(f"cpus={cpus}: {revision.describe} has no SMP support; it arrived in v2.0")
        self.host = host
        self.revision = revision
        self.version = revision.describe
        self.config = config
        self.cmdline = cmdline
        self.mem_request = mem
        self.seed = seed
        self.dmesg = Dmesg()
        self.counters = Counters()
        self.cpus = [CPU(i) for i in range(cpus)]
        self.nr_cpus = cpus
        self.this_cpu = 0
        self.panicked: str | None = None
        self.owner = threading.get_ident()
        self._guarded = False
        self._has_cache: dict[str, bool] = {}
        self.phys: PhysicalMemory | None = None
        self.memory: Memory | None = None
        self.frames: PageFrames | None = None
        self.implementations = host.implementations_for(revision, config)
        self.subsystems: dict[str, Any] = {}
        self._api: list[str] = []
        self._cpu_listeners: list[Any] = []
        # (kernel attribute, implementation object, its attribute): what rebind() reads again
        self._bindings: list[tuple[str, Any, str]] = []
        for subsystem, impl in self.implementations.items():
            obj = impl.factory(self)
            self.subsystems[subsystem] = obj
            setattr(self, subsystem, obj)
            for name, attr in _api_pairs(impl):
                setattr(self, name, getattr(obj, attr))
                self._api.append(name)
                self._bindings.append((name, obj, attr))
            if hasattr(obj, "switch_cpu"):
                self._cpu_listeners.append(obj.switch_cpu)
        for name in host.api_names:
            if name not in self._api:
                setattr(self, name, self._missing_call(name))
        self._report_cmdline()
        for obj in self.subsystems.values():
            late_init = getattr(obj, "late_init", None)
            if late_init is not None:
                late_init()
        host.pm.hook.linuxmm_kernel_booted(kernel=self)
        _LIVE.add(self)
        _watch_new_threads()
        if threading.active_count() > 1:
            self.guard_threads()

    # -- composition helpers ------------------------------------------------
    def setup_memory(self, size: int, page_offset: int = 0) -> Memory:
        """Create physical memory, page frames and the direct map (called by the page allocator)."""
        self.phys = PhysicalMemory(size)
        self.frames = PageFrames(self.phys.nr_pages)
        self.memory = Memory(self.phys, page_offset)
        return self.memory

    def _missing_call(self, name: str):
        host, rev = self.host, self.revision
        providers = [i for i in host.implementations.values() if name in dict(_api_pairs(i))]
        future = [i for i in providers if not rev.has(i.introduced)]
        removed = [i for i in providers if i.removed and rev.has(i.removed)]
        if future:
            first = min(future, key=lambda i: host.history.ref_index(i.introduced))
            msg = (f"{name}() is not in {rev.describe}: it appeared with {first.name} in "
                   f"{host.describe_ref(first.introduced)}")
        elif removed:
            last = max(removed, key=lambda i: host.history.ref_index(i.removed or ""))
            msg = host.era_error(f"{name}()", last, rev)
        else:
            needs = [f"CONFIG_{i.kconfig}" for i in providers if i.kconfig]
            msg = f"{name}() is not in this kernel's configuration" + (f" (needs {' or '.join(needs)})" if needs else "")

        def missing(*args: Any, **kwargs: Any) -> Any:
            raise NotInThisKernel(msg)

        missing.__name__ = name
        missing.__doc__ = msg
        missing.not_in_this_kernel = True  # type: ignore[attr-defined]  (for provides())
        return missing

    def _report_cmdline(self) -> None:
        cmd = self.cmdline
        # The "Kernel command line:" line is printed from 2.2 on in the model [S]; the report of
        # unknown parameters ("init: print out unknown kernel parameters") from 5.14 [S]; its
        # format, all words in one quoted list, is as real 5.17-6.16 boot logs show it.
        if self.has("v2.2.0"):
            self.dmesg.printk(f"Kernel command line: {cmd.text}")
        if self.has("v2.6.0"):  # do_early_param's complaint [S: the 2.6 form]
            for name in cmd.malformed:
                self.dmesg.printk(f"Malformed early option '{name}'")
        if cmd.unknown and self.has("v5.14"):
            words = " ".join(cmd.unknown)
            self.dmesg.printk(f'Unknown kernel command line parameters "{words}", will be passed to user space.')

    # -- public API ---------------------------------------------------------
    def has(self, ref: str) -> bool:
        """True if this kernel contains the commit (sha prefix) or release tag ``ref``."""
        try:
            hit = self._has_cache.get(ref)
        except TypeError:  # an unhashable ref (a list ...): the revision's check names the mistake
            return self.revision.has(ref)
        if hit is None:
            hit = self._has_cache[ref] = self.revision.has(ref)
        return hit

    def proc(self, name: str) -> str:
        """The text of /proc/``name`` as this era's kernel printed it."""
        if self._guarded and threading.get_ident() != self.owner:
            self._refuse_thread()
        return self.proc_file(name).render(self)

    def proc_file(self, name: str):
        """The :class:`~linuxmm.records.ProcFile` behind /proc/``name`` in this era (an error if none)."""
        if not isinstance(name, str):
            raise ArgumentError(f"proc: the file name must be a string, not {type(name).__name__} {name!r}")
        name = name.removeprefix("/proc/")
        pf = self.host.proc_file(name, self.revision)
        if pf is None:
            known = self.host.proc_files.get(name)
            if not known:
                raise NotInThisKernel(f"/proc/{name} is not modelled (known: "
                                      + ", ".join(sorted(self.host.proc_files)) + ")")
            raise NotInThisKernel(self.host.era_error(f"/proc/{name}", known[0], self.revision))
        return pf

    @contextlib.contextmanager
    def on_cpu(self, cpu: int) -> Iterator["Kernel"]:
        """Run the calls in the ``with`` block as CPU ``cpu``."""
        if self._guarded and threading.get_ident() != self.owner:
            self._refuse_thread()
        if type(cpu) is not int:
            raise ArgumentError(f"on_cpu: cpu must be an int, not {type(cpu).__name__} {cpu!r}")
        if not 0 <= cpu < self.nr_cpus:
            raise LinuxmmError(f"CPU {cpu} does not exist (this kernel has cpus=0..{self.nr_cpus - 1})")
        previous = self.this_cpu
        self._switch(cpu)
        try:
            yield self
        finally:
            self._switch(previous)

    def _switch(self, cpu: int) -> None:
        self.this_cpu = cpu
        for listener in self._cpu_listeners:
            listener(cpu)
        self.rebind()

    def refresh(self) -> None:
        """Run every CPU listener again for the current CPU, then :meth:`rebind`: what an
        implementation calls after rebuilding per-CPU state that other subsystems bind (as after an
        ``on_cpu`` switch)."""
        self._switch(self.this_cpu)

    def rebind(self) -> None:
        """Read every implementation's API again into the kernel's attributes.

        An implementation that rebuilds its fast paths (per CPU, or after its
        tables change) calls this; ``on_cpu`` does it after every switch.  A
        panicked kernel stays refusing.
        """
        if self.panicked is not None:
            return
        if self._guarded:
            guard = self._owner_only
            for name, obj, attr in self._bindings:
                setattr(self, name, guard(getattr(obj, attr)))
        else:
            for name, obj, attr in self._bindings:
                setattr(self, name, getattr(obj, attr))

    def fault_attr(self, name: str) -> Any:
        """The fault-injection knobs of capability ``name``, named as its debugfs files are.

        ``name`` is ``"failslab"`` or ``"fail_page_alloc"``; the kernel needs
        CONFIG_FAULT_INJECTION and the capability's own symbol.  The object's
        attributes are ``/sys/kernel/debug/<name>/*`` with ``_`` for ``-``
        (``probability``, ``interval``, ``times``, ``space``, ``verbose``,
        ``task_filter``, ``ignore_gfp_wait`` ...), checked when set; ``task``
        is the model's one task (``make_it_fail``, ``fail_nth``).  See
        :mod:`linuxmm.fault_inject`.
        """
        from .fault_inject import fault_attr

        return fault_attr(self, name)

    def provides(self, name: str) -> bool:
        """Whether this kernel has the kernel function ``name`` (``"kmalloc"``, ``"vrealloc"`` ...).

        False for a call the booted era did not have yet (or any more), even
        where an implementation binds a stub that says so
        (``krealloc()`` at 2.2: :class:`~linuxmm.errors.NotInThisKernel`).
        """
        if name not in self._api:
            return False
        fn = getattr(self, name, None)
        return not getattr(getattr(fn, "__wrapped__", fn), "not_in_this_kernel", False)

    # -- invariants ------------------------------------------------------------
    def violations(self) -> list[str]:
        """Every inconsistency each subsystem finds in its own state (``check()`` of each)."""
        out: list[str] = []
        for obj in self.subsystems.values():
            check = getattr(obj, "check", None)
            if check is not None:
                out.extend(check())
        return out

    def check(self) -> None:
        """Raise :class:`~linuxmm.errors.InvariantViolation` if any subsystem's state is inconsistent.

        The invariants are the kernel's own: pages are conserved, free blocks
        are aligned and on the right lists, buddies are merged where the era
        merges, slab and vmalloc accounting balance.  A violation is a bug in
        the model; tests and ``linuxmm run --soak`` call this.
        """
        found = self.violations()
        if found:
            raise InvariantViolation(found)

    # -- threads ---------------------------------------------------------------
    def guard_threads(self) -> None:
        """From now on, refuse kernel calls from any thread but the one that booted this kernel.

        Called when a second Python thread starts (or at boot, when one is
        already running): the kernel's API attributes, ``memory.read/write``,
        ``proc`` and ``on_cpu`` then check the calling thread, which costs a
        little on every call, so a single-threaded program never pays it.
        Calls from another thread raise
        :class:`~linuxmm.errors.ConcurrencyError`; the kernel is unchanged.
        """
        if self._guarded:
            return
        self._guarded = True
        self.rebind()
        memory = self.memory
        if memory is not None:
            memory.read = self._owner_only(type(memory).read.__get__(memory))
            memory.write = self._owner_only(type(memory).write.__get__(memory))

    def _refuse_thread(self) -> None:
        me = threading.current_thread().name
        owner = next((t.name for t in threading.enumerate() if t.ident == self.owner), f"thread {self.owner}")
        raise ConcurrencyError(f"this kernel was booted in {owner} and was called from {me}: a kernel is not "
                               f"thread-safe; boot one kernel per thread, or model concurrency with simulated "
                               f"CPUs (kernel.on_cpu(i))")

    def _owner_only(self, fn: Any) -> Any:
        owner, get_ident, refuse = self.owner, threading.get_ident, self._refuse_thread

        def call(*args: Any, **kwargs: Any) -> Any:
            if get_ident() != owner:
                refuse()
            return fn(*args, **kwargs)

        call.__name__ = getattr(fn, "__name__", "call")
        call.__doc__ = getattr(fn, "__doc__", None)
        call.__wrapped__ = fn  # type: ignore[attr-defined]
        return call

    # -- TLB flushes (the machine's; linuxmm.machine.pagetable sets the arch's policy) --------
    #: Up to this many pages, ``flush_tlb_kernel_range`` drops just the range's entries on
    #: each CPU; above it (and when 0, the arch flushing everything) it flushes whole TLBs.
    tlb_flush_ceiling = 0
    #: log2 of the size a huge TLB entry covers (x86-64: 2M; i386 without PAE: 4M).
    tlb_pmd_shift = 21

    def flush_tlb_all(self) -> None:
        """Flush every CPU's TLB: one flush, and an IPI to each other CPU."""
        for cpu in self.cpus:
            cpu.flush()
        self.counters["tlb_flushes"] += 1
        self.counters["ipis"] += self.nr_cpus - 1

    def flush_tlb_kernel_range(self, start: int, end: int) -> None:
        """``flush_tlb_kernel_range(start, end)``: one flush, and an IPI to each other CPU.

        Architectures that define it as ``flush_tlb_all`` (i386 and x86-64 in 2.6.x) drop
        every entry; with a ranged flush (``tlb_flush_ceiling`` pages or fewer) only the
        entries of ``[start, end)`` go.  Either way it is one flush and ``nr_cpus - 1``
        IPIs, the broadcast that made unmapping expensive before the lazy purge.
        """
        if end - start <= self.tlb_flush_ceiling << 12:
            shift = self.tlb_pmd_shift
            for cpu in self.cpus:
                cpu.flush_range(start, end, shift)
        else:
            for cpu in self.cpus:
                cpu.flush()
        self.counters["tlb_flushes"] += 1
        self.counters["ipis"] += self.nr_cpus - 1

    def local_flush_tlb_all(self) -> None:
        """Flush this CPU's TLB only (``__flush_tlb_all``; 1.x's ``invalidate()``): no IPI."""
        self.cpus[self.this_cpu].flush()
        self.counters["tlb_flushes"] += 1

    def panic(self, message: str) -> None:
        """Log the era's panic line, refuse every later call, and raise KernelPanic."""
        if self.has("v2.6.0"):
            self.dmesg.printk(f"Kernel panic - not syncing: {message}")
        else:  # 0.01 kernel/panic.c prints "Kernel panic: %s"
            self.dmesg.printk(f"Kernel panic: {message}")
        self.panicked = message
        dead = KernelPanic(f"the kernel has panicked: {message}")

        def refuse(*args: Any, **kwargs: Any) -> Any:
            raise KernelPanic(f"the kernel has panicked ({message}); boot a new one")

        for name in self._api:
            setattr(self, name, refuse)
        raise dead

    def oops_null_write(self, address: int) -> None:
        """An i386 kernel-mode write to an unmapped low address: the oops, then the task dies.

        The lines are those of 2.x ``do_page_fault``/``die`` that do not depend
        on registers the model does not have (the eip and register dump are
        left out).  Raises :class:`~linuxmm.errors.KernelOops`.
        """
        printk = self.dmesg.printk
        what = "NULL pointer dereference" if address < 4096 else "paging request"
        printk(f"Unable to handle kernel {what} at virtual address {address:08x}")
        printk("*pde = 00000000")
        printk("Oops: 0002")  # not present, write, kernel mode
        raise KernelOops(f"Oops: 0002 (kernel {what} at virtual address {address:08x}); the task was killed")

    def bug(self, where: str) -> None:
        """``BUG()``: log ``kernel BUG at <where>!`` and raise :class:`KernelBug`."""
        self.dmesg.printk(f"kernel BUG at {where}!")
        raise KernelBug(f"kernel BUG at {where}!")

    def __repr__(self) -> str:
        impls = ", ".join(f"{s}={i.name}" for s, i in self.implementations.items())
        return f"<Kernel {self.version} cpus={self.nr_cpus} {impls}>"
