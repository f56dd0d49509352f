"""The hook contract between the host and era plugins.

Every hook returns (or yields) typed records from :mod:`linuxmm.records`.
The host calls them once, when it starts, and composes a kernel from the
answers at boot; no hook is ever called on an allocation path.

A plugin is any module or object with ``@hookimpl`` functions, registered
through the ``linuxmm`` entry-point group::

    [project.entry-points.linuxmm]
    myera = "mypackage.myera"
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

import pluggy

if TYPE_CHECKING:  # pragma: no cover
    from .kernel import Kernel
    from .records import (BenchCase, BootParam, Command, Commit, ConfigSymbol, Implementation, ProcFile, Release,
                          Workload)

hookspec = pluggy.HookspecMarker("linuxmm")
hookimpl = pluggy.HookimplMarker("linuxmm")


class HistorySpecs:
    @hookspec
    def linuxmm_commits(self) -> "Iterable[Commit]":
        """Yield the upstream commits this plugin models.

        Example::

            from linuxmm import hookimpl
            from linuxmm.records import Commit

            @hookimpl
            def linuxmm_commits():
                yield Commit(sha="db64fe02258f", subject="mm: rewrite vmap layer",
                             author="Nick Piggin", date="2008-10-18", tag="v2.6.28-rc1")
        """

    @hookspec
    def linuxmm_releases(self) -> "Iterable[Release]":
        """Yield release tags to place on the history.

        Example::

            @hookimpl
            def linuxmm_releases():
                yield Release("v2.6.28")
                yield Release("v6.12.5", base="v6.12", backports=("d699440f58ce",))
        """


class ImplementationSpecs:
    @hookspec
    def linuxmm_implementations(self) -> "Iterable[Implementation]":
        """Yield the subsystem implementations this plugin provides.

        Names are unique across all plugins; the host raises
        :class:`~linuxmm.errors.PluginError` when two plugins claim one.

        Example::

            @hookimpl
            def linuxmm_implementations():
                yield Implementation(
                    subsystem="page_alloc", name="toy", factory=ToyAllocator,
                    introduced="v2.6.28", api=("alloc_pages", "free_pages"),
                    summary="a one-list toy page allocator")
        """

    @hookspec
    def linuxmm_config_symbols(self) -> "Iterable[ConfigSymbol]":
        """Yield Kconfig-like symbols and the history points that bound them.

        Example::

            @hookimpl
            def linuxmm_config_symbols():
                yield ConfigSymbol("KASAN", introduced="0b24becc810d",
                                   help="kernel address sanitizer")
        """

    @hookspec
    def linuxmm_boot_params(self) -> "Iterable[BootParam]":
        """Yield boot parameters this plugin understands.

        Example::

            @hookimpl
            def linuxmm_boot_params():
                yield BootParam("init_on_alloc", introduced="6471384af2a6", parse=parse_bool)
        """

    @hookspec
    def linuxmm_proc_files(self) -> "Iterable[ProcFile]":
        """Yield /proc files: a name, the point it appeared, and a renderer.

        Example::

            @hookimpl
            def linuxmm_proc_files():
                yield ProcFile("buddyinfo", render=render_buddyinfo, introduced="v2.6.0")
        """

    @hookspec
    def linuxmm_workloads(self) -> "Iterable[Workload]":
        """Yield named workloads for ``linuxmm run NAME``.

        Example::

            @hookimpl
            def linuxmm_workloads():
                yield Workload("churn", run=churn, help="allocate and free order-0 pages")
        """


class ToolSpecs:
    @hookspec
    def linuxmm_commands(self) -> "Iterable[Command]":
        """Yield ``linuxmm`` subcommands (a subsystem's tools live beside its plugin).

        Example::

            from linuxmm.records import Command

            def _configure(parser):
                parser.add_argument("-o", "--once", action="store_true", help="print once and exit")

            def _run(args, boot):
                kernel = boot()
                print(kernel.proc("slabinfo"), end="")
                return 0

            @hookimpl
            def linuxmm_commands():
                yield Command("slabtop", help="show slab caches like procps' slabtop", run=_run,
                              configure=_configure, example="linuxmm --kernel-version 6.12 slabtop -o")
        """

    @hookspec
    def linuxmm_bench_cases(self) -> "Iterable[BenchCase]":
        """Yield cases for ``linuxmm bench``: a statement timed against the CPython floor.

        A :class:`~linuxmm.records.BenchCurve` yielded here is a curve of ``--curves``
        (the pair against 10^2..10^5 live objects) instead of a case.

        Example::

            from linuxmm.records import BenchCase

            def _setup():
                import linuxmm
                return {"k": linuxmm.boot("6.12"), "GFP_KERNEL": linuxmm.GFP_KERNEL}

            @hookimpl
            def linuxmm_bench_cases():
                yield BenchCase("kmalloc64-slub", stmt="p = k.kmalloc(64, GFP_KERNEL); k.kfree(p)",
                                setup=_setup, target=15.0, group="slab")
        """


class BootSpecs:
    @hookspec
    def linuxmm_kernel_booted(self, kernel: "Kernel") -> None:
        """Called once after a kernel is composed; observers may attach here.

        Example::

            @hookimpl
            def linuxmm_kernel_booted(kernel):
                kernel.dmesg.printk("mytool: attached")
        """
