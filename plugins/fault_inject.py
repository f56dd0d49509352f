"""Fault injection (``failslab``, ``fail_page_alloc``): its Kconfig symbols, boot parameters and wiring.

The mechanism is :mod:`linuxmm.fault_inject`; this module declares what a
user configures and attaches the capabilities to the allocators at boot.

Kconfig [V: ``lib/Kconfig.debug`` of 2.6.20, 2.6.22, 2.6.27, 2.6.29, 2.6.32,
2.6.39, 3.10, 4.4, 5.4, 6.1, 6.3, 6.5, 6.8, 6.12 and 6.18; x86_64 defconfigs
of 2.6.20, 3.10 and 6.12]:

* ``FAULT_INJECTION`` "Fault-injection framework" depends on ``DEBUG_KERNEL``;
  in 2.6.20 also on ``STACKTRACE``, a hidden symbol only ``LOCKDEP`` selected,
  which in turn only ``PROVE_LOCKING`` and ``DEBUG_LOCK_ALLOC`` selected: the
  model writes that dependency as ``DEBUG_KERNEL && (PROVE_LOCKING ||
  DEBUG_LOCK_ALLOC)``.  The 2.6.22 tree has no such dependency (dropped in
  v2.6.21 [S]).
* ``FAILSLAB`` "Fault-injection capability for kmalloc" depends on
  ``FAULT_INJECTION``; from 2.6.29 (SLUB support) also on ``SLAB || SLUB``,
  until SLAB's removal (16a1d968358a, 6.8).  Before 2.6.29 the option is
  accepted with SLUB or SLOB but builds nothing: its code is in mm/slab.c.
* ``FAIL_PAGE_ALLOC`` "Fault-injection capabilitiy for alloc_pages()" (sic
  until 6.1) depends on ``FAULT_INJECTION``.
* ``DEBUG_KERNEL`` "Kernel debugging": the x86_64 defconfig of every tree
  read sets it, so the model's default is y.

Workload ``fault-injection`` (``linuxmm run fault-injection``): twenty calls
each of ``kmalloc(64, GFP_ATOMIC)``, ``kmalloc(64, GFP_KERNEL)``,
``alloc_pages(GFP_ATOMIC, 1)`` and ``alloc_pages(GFP_ATOMIC, 0)``, each result
written as ``1`` (an object) or ``0`` (NULL), then the knobs, the first
report an injected failure printed, and the model's invariant check.

Boot parameters: ``failslab=`` and ``fail_page_alloc=``, ``__setup``
handlers that take ``<interval>,<probability>,<space>,<times>`` in every
release [V: the record's patches and every tree read].  A kernel built
without the capability does not know the word (it goes to user space, and
from 5.14 the kernel lists it as unknown); a value the handler cannot parse
is logged (``FAULT_INJECTION: failed to parse arguments``) and the word goes
to user space too.
"""

from __future__ import annotations

from typing import Any

from linuxmm import hookimpl
from linuxmm.errors import NotInThisKernel
from linuxmm.fault_inject import FAIL_PAGE_ALLOC_INTRO, FAILSLAB_INTRO, fault_attr
from linuxmm.gfp import GFP_ATOMIC, GFP_KERNEL
from linuxmm.records import BenchCase, BootParam, Commit, ConfigSymbol, Workload

SLAB_REMOVE = "16a1d968358a"


@hookimpl
def linuxmm_commits():
    return [
        Commit(sha="933e312e73f8", subject="[PATCH] fault-injection capability for alloc_pages()",
               author="Akinobu Mita", date="2006-12-08", tag="v2.6.20-rc1", mark="V",
               source="gitweb commit page (karo-tx-linux): full sha 933e312e73f8fc39652bd4d216a5393cc3a014b9, "
                      "subject, author, AuthorDate Fri 8 Dec 2006, parent 8a8b6502fb66 ('[PATCH] fault-injection "
                      "capability for kmalloc'); merged with the fault-injection series before v2.6.20-rc1 (tag S)"),
    ]


def _fault_injection_depends(rev) -> str:
    if rev.has("v2.6.21"):
        return "DEBUG_KERNEL"
    # 2.6.20: "depends on STACKTRACE", which only LOCKDEP selected (through these two)
    return "DEBUG_KERNEL && (PROVE_LOCKING || DEBUG_LOCK_ALLOC)"


def _failslab_depends(rev) -> str:
    if rev.has("v2.6.29") and not rev.has(SLAB_REMOVE):
        return "FAULT_INJECTION && (SLAB || SLUB)"
    return "FAULT_INJECTION"


@hookimpl
def linuxmm_config_symbols():
    return [
        ConfigSymbol("DEBUG_KERNEL", introduced="v2.6.0", default=True,
                     help="\"Kernel debugging\": shows the debugging options (set by the x86_64 defconfig of every "
                          "tree read, so y by default here).  In this model its effect is that "
                          "CONFIG_FAULT_INJECTION depends on it."),
        ConfigSymbol("PROVE_LOCKING", introduced="v2.6.18", depends_on="DEBUG_KERNEL", select=("DEBUG_LOCK_ALLOC",),
                     modelled=False,
                     help="\"Lock debugging: prove locking correctness\" (lockdep).  Not modelled; at v2.6.20 "
                          "CONFIG_FAULT_INJECTION needs it or CONFIG_DEBUG_LOCK_ALLOC (through STACKTRACE)."),
        ConfigSymbol("DEBUG_LOCK_ALLOC", introduced="v2.6.18", depends_on="DEBUG_KERNEL", modelled=False,
                     help="\"Lock debugging: detect incorrect freeing of live locks\".  Not modelled; at v2.6.20 "
                          "it selects LOCKDEP and STACKTRACE, which CONFIG_FAULT_INJECTION needs."),
        ConfigSymbol("FAULT_INJECTION", introduced=FAILSLAB_INTRO, depends_on=_fault_injection_depends,
                     note="at v2.6.20 it also depends on STACKTRACE, which only lock debugging (PROVE_LOCKING or "
                          "DEBUG_LOCK_ALLOC) selects",
                     help="Fault-injection framework (lib/fault-inject.c): should_fail() and the knobs of each "
                          "capability."),
        ConfigSymbol("FAILSLAB", introduced=FAILSLAB_INTRO, depends_on=_failslab_depends,
                     help="Fault-injection capability for kmalloc: failslab= and kernel.fault_attr('failslab') "
                          "(SLAB; SLUB from v2.6.29)."),
        ConfigSymbol("FAIL_PAGE_ALLOC", introduced=FAIL_PAGE_ALLOC_INTRO, depends_on="FAULT_INJECTION",
                     help="Fault-injection capability for alloc_pages(): fail_page_alloc= and "
                          "kernel.fault_attr('fail_page_alloc')."),
    ]


def _fault_attr_text(value: str | None) -> str:
    # __setup("failslab=", ...): a bare "failslab" is not this parameter; the value is parsed at boot,
    # where the handler's warning and the configuration are known (linuxmm.fault_inject.boot)
    if value is None:
        raise ValueError("expects <interval>,<probability>,<space>,<times>")
    return value


@hookimpl
def linuxmm_boot_params():
    return [
        BootParam("failslab", introduced=FAILSLAB_INTRO, parse=_fault_attr_text,
                  help="Fault injection for kmalloc (CONFIG_FAILSLAB): <interval>,<probability>,<space>,<times>."),
        BootParam("fail_page_alloc", introduced=FAIL_PAGE_ALLOC_INTRO, parse=_fault_attr_text,
                  help="Fault injection for alloc_pages() (CONFIG_FAIL_PAGE_ALLOC): "
                       "<interval>,<probability>,<space>,<times>."),
    ]


@hookimpl
def linuxmm_kernel_booted(kernel):
    fi = kernel.__dict__.get("fault_inject")
    if fi is not None:
        fi.attach()


CALLS = 20


def _knobs_line(kernel: Any, name: str) -> str:
    try:
        attr = fault_attr(kernel, name)
    except NotInThisKernel as exc:
        return f"{name}: {exc}"
    return (f"{name}: probability {attr.probability}, interval {attr.interval}, times {attr.times}, "
            f"space {attr.space}, verbose {attr.verbose}; {attr.failures} failures injected")


def fault_injection(kernel: Any, seed: int) -> str:
    """GFP_ATOMIC and GFP_KERNEL kmalloc(64) and page allocations of order 1 and 0: which came back NULL."""
    mark = len(kernel.dmesg)
    lines = []
    runs = []
    if kernel.provides("kmalloc"):
        runs += [("kmalloc(64, GFP_ATOMIC)", lambda: kernel.kmalloc(64, GFP_ATOMIC), kernel.kfree),
                 ("kmalloc(64, GFP_KERNEL)", lambda: kernel.kmalloc(64, GFP_KERNEL), kernel.kfree)]
    if kernel.provides("alloc_pages"):
        for order in (1, 0):
            runs.append((f"alloc_pages(GFP_ATOMIC, {order})",
                         lambda order=order: kernel.alloc_pages(GFP_ATOMIC, order),
                         lambda addr, order=order: kernel.free_pages(addr, order)))
    if not runs:
        raise NotInThisKernel(f"{kernel.version} has neither kmalloc() nor alloc_pages()")
    width = max(len(label) for label, _, _ in runs)
    for label, alloc, free in runs:
        got = [alloc() for _ in range(CALLS)]
        lines.append(f"{label:<{width}}  " + "".join("1" if a else "0" for a in got))
        for a in got:
            if a:
                free(a)
    lines.append(f"({CALLS} calls each; 1: an object or page, 0: NULL)")
    for name in ("failslab", "fail_page_alloc"):
        lines.append(_knobs_line(kernel, name))
    boot = [line for line in kernel.dmesg[:mark] if line.startswith(("FAULT_INJECTION", "Unknown kernel command"))]
    new = list(kernel.dmesg[mark:])
    first = next((i for i, line in enumerate(new) if line.startswith("FAULT_INJECTION")), None)
    if boot:
        lines += ["$ dmesg (at boot)"] + boot
    if first is not None:
        end = next((i for i in range(first + 1, len(new)) if new[i].startswith("FAULT_INJECTION")), len(new))
        more = sum(1 for line in new[end:] if line.startswith("FAULT_INJECTION: forcing"))
        lines += ["$ dmesg (the first report)"] + new[first:end]
        if more:
            lines.append(f"({more} more reports)")
    bad = kernel.violations()
    lines.append("model check: " + ("; ".join(bad) if bad else "no violation"))
    return "\n".join(lines)


@hookimpl
def linuxmm_workloads():
    return [Workload("fault-injection", run=fault_injection,
                     help="GFP_ATOMIC/GFP_KERNEL kmalloc(64) and order-1/0 pages, 20 each: which fail under fault "
                          "injection, the knobs and the first report")]


def _setup(version: str, config: tuple[str, ...] = (), cmdline: str | None = None):
    def setup() -> dict:
        import linuxmm

        k = linuxmm.boot(version, config=list(config), cmdline=cmdline)
        return {"k": k, "GFP_KERNEL": linuxmm.GFP_KERNEL}

    return setup


_FI = ("FAULT_INJECTION=y", "FAILSLAB=y", "FAIL_PAGE_ALLOC=y")
_KMALLOC = "p = k.kmalloc(64, GFP_KERNEL); k.kfree(p)"
_PAGE = "a = k.alloc_pages(GFP_KERNEL, 0); k.free_pages(a, 0)"


@hookimpl
def linuxmm_bench_cases():
    # the same pairs with fault injection configured (knobs at their defaults: nothing fails);
    # the kernels without it are the other groups' cases
    return [
        BenchCase("kmalloc64-slub-faults", stmt=_KMALLOC, setup=_setup("6.12", _FI), group="faults",
                  help="kmalloc(64)+kfree at 6.12 with FAILSLAB and FAIL_PAGE_ALLOC built in"),
        BenchCase("kmalloc64-slub-nofaults", stmt=_KMALLOC, setup=_setup("6.12"), group="faults",
                  help="kmalloc(64)+kfree at 6.12 without fault injection"),
        BenchCase("order0-faults", stmt=_PAGE, setup=_setup("6.12", _FI), group="faults",
                  help="alloc_pages(GFP_KERNEL, 0)+free at 6.12 with FAIL_PAGE_ALLOC built in"),
        BenchCase("order0-nofaults", stmt=_PAGE, setup=_setup("6.12"), group="faults",
                  help="alloc_pages(GFP_KERNEL, 0)+free at 6.12 without fault injection"),
    ]
