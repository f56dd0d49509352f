"""Config symbols and boot parameters that are not owned by one era plugin.

Each symbol and parameter is bounded by the commit that introduced (or
removed) it; those commits are listed in :mod:`linuxmm_plugins.commits`.
"""

from __future__ import annotations

from linuxmm import hookimpl
from linuxmm.config import memparse, parse_bool
from linuxmm.records import BootParam, ConfigSymbol


@hookimpl
def linuxmm_config_symbols():
    return [
        ConfigSymbol("INIT_ON_ALLOC_DEFAULT_ON", introduced="6471384af2a6", help="init_on_alloc=1 by default."),
        ConfigSymbol("INIT_ON_FREE_DEFAULT_ON", introduced="6471384af2a6", help="init_on_free=1 by default."),
    ]


def _mem(value: str | None) -> int:
    if value is None:
        raise ValueError("mem= needs a size")
    return memparse(value)


@hookimpl
def linuxmm_boot_params():
    return [
        BootParam("mem", introduced="v1.0", parse=_mem, early=True,
                  help="Limit usable RAM, e.g. mem=64M [S: since 1.x]."),
        BootParam("init_on_alloc", introduced="6471384af2a6", parse=parse_bool, early=True,
                  help="Zero pages and objects on allocation."),
        BootParam("init_on_free", introduced="6471384af2a6", parse=parse_bool, early=True,
                  help="Zero pages and objects on free."),
    ]
