"""linuxmm: Linux kernel memory management as it was at each point of its history.

Boot a kernel at a version and call its allocators by their kernel names::

    import linuxmm
    k = linuxmm.boot("2.6.28", mem="256M", cpus=4)
    addr = k.alloc_pages(linuxmm.GFP_KERNEL, 3)
    k.free_pages(addr, 3)
    print(k.proc("buddyinfo"))
"""

from __future__ import annotations

import os
from typing import Any, Iterable, Mapping

from .config import check_cpus, check_mem, parse_cmdline, resolve_config
from .errors import (ArgumentError, ConcurrencyError, ConfigError, InvariantViolation, KernelBug, KernelOops,
                     KernelPanic, LinuxmmError, NotInThisKernel, PageFault,
                     PluginError, VersionError, WorkloadError)
from .gfp import *  # noqa: F401,F403  (GFP_KERNEL, __GFP_ZERO, ...)
from .gfp import __all__ as _gfp_all
from .hookspecs import hookimpl
from .host import Host, get_host
from .kernel import Kernel
from .machine import PAGE_SHIFT, PAGE_SIZE

__version__ = "0.1.0"

#: The C null pointer, as the model's addresses are plain integers.
NULL = 0
#: What ``kmalloc(0)`` returns: a non-NULL pointer that faults on access.
ZERO_SIZE_PTR = 16


def history():
    """The modelled history (commits and release tags, oldest first)."""
    return get_host().history


ENV_VERSION = "LINUXMM_KERNEL_VERSION"
#: Settings for kernels booted without explicit ones (``linuxmm config-bisect`` sets them):
#: ``LINUXMM_CONFIG="KASAN=y INIT_ON_FREE_DEFAULT_ON=y"`` and ``LINUXMM_CMDLINE="init_on_free=1"``.
ENV_CONFIG = "LINUXMM_CONFIG"
ENV_CMDLINE = "LINUXMM_CMDLINE"


def resolve_env(host: Host | None = None):
    """The revision ``$LINUXMM_KERNEL_VERSION`` names (``latest`` when it is unset).

    Set but empty is a mistake, as on the command line; errors name the variable.
    """
    host = host or get_host()
    env = os.environ.get(ENV_VERSION)
    if env is None:
        return host.history.resolve("latest")
    if not env.strip():
        raise VersionError(f"{ENV_VERSION} is set but empty: give a release such as 2.6.28, a commit sha "
                           f"prefix, or 'latest' (or unset it)")
    try:
        return host.history.resolve(env)
    except VersionError as exc:
        raise VersionError(f"{ENV_VERSION}={env}: {exc}") from None


def boot(version: str | None = None, *, mem: str | int | None = None, cpus: int = 1,
         config: Mapping[str, Any] | Iterable[str] | None = None, cmdline: str | None = None,
         seed: int = 0, host: Host | None = None) -> Kernel:
    """Boot a kernel.

    ``version`` is a string: a release (``"0.01"``, ``"2.6.28"``, ``"6.15-rc6"``),
    a modelled commit's sha prefix, or ``"latest"``; ``None`` reads
    ``LINUXMM_KERNEL_VERSION`` and defaults to ``latest``.  A number is
    refused (``6.10`` as a float is ``6.1``).  ``mem`` is the
    machine's RAM (``"256M"``; the era's default when ``None``); ``config``
    maps Kconfig symbols (with or without ``CONFIG_``) to values;
    ``cmdline`` is the boot command line.  ``config`` and ``cmdline`` left
    as ``None`` read ``LINUXMM_CONFIG`` (space-separated ``NAME=VALUE``) and
    ``LINUXMM_CMDLINE``.
    """
    host = host or get_host()
    if config is None and os.environ.get(ENV_CONFIG, "").strip():
        config = os.environ[ENV_CONFIG].split()
    if cmdline is None:
        cmdline = os.environ.get(ENV_CMDLINE)
    if version is None:
        rev = resolve_env(host)
    else:
        rev = host.history.resolve(version)
    values = resolve_config(host, rev, config)
    cmd = parse_cmdline(host, rev, cmdline)
    size = None
    try:
        if mem is not None:
            size = check_mem(mem)
        check_cpus(cpus)
    except ValueError as exc:
        raise LinuxmmError(f"{'mem' if mem is not None and size is None else 'cpus'}: {exc}") from None
    return Kernel(host, rev, values, cmd, mem=size, cpus=cpus, seed=seed)


__all__ = ["boot", "history", "hookimpl", "Host", "Kernel", "NULL", "ZERO_SIZE_PTR", "PAGE_SIZE",
           "PAGE_SHIFT", "LinuxmmError", "VersionError", "ConfigError", "NotInThisKernel", "PluginError",
           "WorkloadError", "KernelPanic", "KernelBug", "KernelOops", "PageFault", "ArgumentError",
           "ConcurrencyError", "InvariantViolation", *_gfp_all]
