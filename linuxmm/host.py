"""The plugin host: load era plugins, gather their records, resolve a kernel.

Built-in plugins live in ``linuxmm_plugins`` and are registered through the
``linuxmm`` entry-point group, exactly like a third-party plugin.  When the
package metadata is missing (running from a source tree that was never
installed), the host falls back to importing :data:`BUILTIN_PLUGINS`.
"""

from __future__ import annotations

import importlib
import os
from collections import defaultdict
from typing import Any, Iterable

import pluggy

from . import hookspecs
from .errors import ConfigError, PluginError
from .history import History, Revision, tag_of, _SHA_RE
from .records import BenchCase, BootParam, Command, ConfigSymbol, Implementation, ProcFile, Workload

#: Modules registered when the entry points are not installed.
BUILTIN_PLUGINS = (
    "linuxmm_plugins.mainline",
    "linuxmm_plugins.kconfig",
    "linuxmm_plugins.init_main",
    "linuxmm_plugins.mm_memory_001",
    "linuxmm_plugins.mm_swap_10",
    "linuxmm_plugins.mm_buddy_bitmap",
    "linuxmm_plugins.mm_page_alloc",
    "linuxmm_plugins.proc_page_alloc",
    "linuxmm_plugins.mm_kmalloc",
    "linuxmm_plugins.proc_meminfo",
    "linuxmm_plugins.workloads_kmalloc",
    "linuxmm_plugins.workloads",
    "linuxmm_plugins.mm_slab_kconfig",
    "linuxmm_plugins.mm_slub",
    "linuxmm_plugins.mm_slab",
    "linuxmm_plugins.mm_slob",
    "linuxmm_plugins.proc_slabinfo",
    "linuxmm_plugins.slabtop",
    "linuxmm_plugins.mm_slab_workloads",
    "linuxmm_plugins.exercises",
    "linuxmm_plugins.mm_vmalloc",
    "linuxmm_plugins.mm_vmalloc_vmlist",
    "linuxmm_plugins.mm_vmalloc_vmap",
    "linuxmm_plugins.proc_vmallocinfo",
    "linuxmm_plugins.test_vmalloc",
    "linuxmm_plugins.mm_vmalloc_workloads",
    "linuxmm_plugins.kasan",
    "linuxmm_plugins.stable",
    "linuxmm_plugins.kasan_test",
    "linuxmm_plugins.mm_vrealloc",
    "linuxmm_plugins.mm_vrealloc_workloads",
    "linuxmm_plugins.history_results",
    "linuxmm_plugins.fault_inject",
)

#: Order in which subsystems are built at boot (later ones may use earlier ones).
SUBSYSTEM_ORDER = ("page_alloc", "slab", "vmalloc")


def _flatten(results: Iterable[Iterable[Any] | None]) -> list[Any]:
    out: list[Any] = []
    for result in results:
        if result:
            out.extend(result)
    return out


class Host:
    """Everything the plugins declared, checked and indexed once."""

    def __init__(self, extra_plugins: Iterable[Any] = (), load_entrypoints: bool = True):
        pm = pluggy.PluginManager("linuxmm")
        pm.add_hookspecs(hookspecs.HistorySpecs)
        pm.add_hookspecs(hookspecs.ImplementationSpecs)
        pm.add_hookspecs(hookspecs.ToolSpecs)
        pm.add_hookspecs(hookspecs.BootSpecs)
        if load_entrypoints and not os.environ.get("LINUXMM_DISABLE_PLUGIN_AUTOLOAD"):
            only = os.environ.get("LINUXMM_PLUGINS")
            if only is None:
                pm.load_setuptools_entrypoints("linuxmm")
            else:
                self._load_named_entrypoints(pm, [n.strip() for n in only.split(",") if n.strip()])
        for name in BUILTIN_PLUGINS:
            module = importlib.import_module(name)
            if not pm.is_registered(module):
                pm.register(module, name=name)
        for plugin in extra_plugins:
            pm.register(plugin)
        pm.check_pending()
        self.pm = pm
        hook = pm.hook
        self.history = History(_flatten(hook.linuxmm_commits()), _flatten(hook.linuxmm_releases()))

        self.implementations: dict[str, Implementation] = {}
        self.by_subsystem: dict[str, list[Implementation]] = defaultdict(list)
        owners: dict[str, str] = {}
        for impls, plugin in self._results_with_plugins("linuxmm_implementations"):
            for impl in impls:
                if impl.name in self.implementations:
                    raise PluginError(
                        f"implementation {impl.name!r} is claimed by both {owners[impl.name]} and {plugin}")
                self._check_ref(impl.introduced, f"implementation {impl.name!r}")
                if impl.removed:
                    self._check_ref(impl.removed, f"implementation {impl.name!r}")
                self.implementations[impl.name] = impl
                owners[impl.name] = plugin
                self.by_subsystem[impl.subsystem].append(impl)

        self.symbols: dict[str, ConfigSymbol] = {}
        for sym in _flatten(hook.linuxmm_config_symbols()):
            self._unique(self.symbols, sym.name, sym, "config symbol")
            self._check_ref(sym.introduced, f"config symbol {sym.name}")
        self.params: dict[str, BootParam] = {}
        for param in _flatten(hook.linuxmm_boot_params()):
            self._unique(self.params, param.name, param, "boot parameter")
            self._check_ref(param.introduced, f"boot parameter {param.name}")
        self.proc_files: dict[str, list[ProcFile]] = defaultdict(list)
        for pf in _flatten(hook.linuxmm_proc_files()):
            self._check_ref(pf.introduced, f"/proc/{pf.name}")
            self.proc_files[pf.name].append(pf)
        self.workloads: dict[str, Workload] = {}
        for wl in _flatten(hook.linuxmm_workloads()):
            self._unique(self.workloads, wl.name, wl, "workload")
        self.commands: dict[str, Command] = {}
        for cmd in _flatten(hook.linuxmm_commands()):
            self._unique(self.commands, cmd.name, cmd, "command")
        self.bench_cases: dict[str, BenchCase] = {}
        for case in _flatten(hook.linuxmm_bench_cases()):
            self._unique(self.bench_cases, case.name, case, "bench case")
        # kernel names only: an api entry "kernel_name:attribute" binds kernel_name
        self.api_names = sorted({entry.partition(":")[0] for impl in self.implementations.values() for entry in impl.api})

    # -- helpers ---------------------------------------------------------
    @staticmethod
    def _load_named_entrypoints(pm: pluggy.PluginManager, names: list[str]) -> None:
        """``LINUXMM_PLUGINS=a,b``: load only these third-party entry points (built-in eras always load)."""
        from importlib.metadata import entry_points

        available = {ep.name: ep for ep in entry_points(group="linuxmm")}
        builtin = {name.rpartition(".")[2] for name in BUILTIN_PLUGINS}
        unknown = [n for n in names if n not in available]
        if unknown:
            others = ", ".join(sorted(set(available) - builtin)) or "none beyond the built-in eras"
            raise PluginError(f"LINUXMM_PLUGINS names {', '.join(unknown)}, which no installed package provides "
                              f"(installed: {others})")
        for name in names:
            if name not in builtin and pm.get_plugin(name) is None:
                pm.register(available[name].load(), name=name)
    def _results_with_plugins(self, hookname: str):
        caller = getattr(self.pm.hook, hookname)
        for impl in caller.get_hookimpls():
            result = impl.function()
            yield (list(result) if result else []), (impl.plugin_name or repr(impl.plugin))

    @staticmethod
    def _unique(table: dict, name: str, record: Any, what: str) -> None:
        if name in table:
            raise PluginError(f"{what} {name!r} is declared by two plugins")
        table[name] = record

    def _check_ref(self, ref: str, what: str) -> None:
        if _SHA_RE.match(ref):
            try:
                self.history.commit(ref)
            except Exception:
                raise PluginError(f"{what} refers to {ref}, which no plugin declares as a commit") from None
        elif tag_of(ref) not in self.history.tag_index and tag_of(ref) not in self.history.stable:
            raise PluginError(f"{what} refers to {ref}, which is not a modelled release tag")

    def describe_ref(self, ref: str) -> str:
        """Human form of a history reference: ``v6.4-rc1 (6630e950d532 "mm/slob: remove slob.c")``."""
        if _SHA_RE.match(ref):
            c = self.history.commit(ref)
            return f"{c.tag} ({c.sha} \"{c.subject}\")"
        return tag_of(ref)

    def available(self, record: Any, rev: Revision) -> bool:
        """Whether a record bounded by ``introduced``/``removed`` exists at ``rev``."""
        if not rev.has(record.introduced):
            return False
        return not (record.removed and rev.has(record.removed))

    def era_error(self, what: str, record: Any, rev: Revision) -> str:
        """Sentence explaining why ``record`` is not in ``rev``."""
        if not rev.has(record.introduced):
            return f"{what} is not in {rev.describe}: it appeared in {self.describe_ref(record.introduced)}"
        return f"{what} is not in {rev.describe}: it was removed in {self.describe_ref(record.removed)}"

    # -- composing a kernel ------------------------------------------------
    def implementations_for(self, rev: Revision, config: dict[str, Any]) -> dict[str, Implementation]:
        """One implementation per subsystem for this revision and config."""
        chosen: dict[str, Implementation] = {}
        for subsystem, impls in self.by_subsystem.items():
            live = [i for i in impls if self.available(i, rev)]
            picked = [i for i in impls if i.kconfig and config.get(i.kconfig)]
            for impl in picked:
                if impl not in live:
                    raise ConfigError(self.era_error(f"CONFIG_{impl.kconfig} ({impl.name})", impl, rev))
            if len(picked) > 1:
                raise ConfigError(f"choose one {subsystem} implementation, not "
                                  + " and ".join(f"CONFIG_{i.kconfig}" for i in picked))
            if picked:
                chosen[subsystem] = picked[0]
                continue
            defaults = [i for i in live if i.default]
            if len(defaults) > 1:
                raise PluginError(f"{subsystem}: several defaults at {rev.describe}: "
                                  + ", ".join(i.name for i in defaults))
            if defaults:
                chosen[subsystem] = defaults[0]
            elif live:
                chosen[subsystem] = live[0]
        return {s: chosen[s] for s in sorted(chosen, key=lambda s: (SUBSYSTEM_ORDER + (s,)).index(s))}

    def proc_file(self, name: str, rev: Revision) -> ProcFile | None:
        for pf in self.proc_files.get(name, ()):
            if self.available(pf, rev):
                return pf
        return None


_HOST: Host | None = None


def get_host() -> Host:
    """The process-wide host, built on first use."""
    global _HOST
    if _HOST is None:
        _HOST = Host()
    return _HOST
