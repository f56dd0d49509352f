"""Sphinx directives whose content is computed from the plugin registry at build time.

Everything here reads the :class:`linuxmm.host.Host` the plugins built --
commits, releases, implementations, config symbols, boot parameters, /proc
files, subcommands -- so a plugin that lands adds its rows, markers and
reference entries without a docs edit.

Directives (MyST syntax)::

    ```{linuxmm-timeline}            modelled releases and commits, oldest first
    ```{linuxmm-matrix}              releases x features, identical neighbours merged
    ```{linuxmm-commits}             all modelled commits (:all:), or what each plugin models
    ```{linuxmm-implementations} slab  every implementation of a subsystem, with its lifetime
    ```{linuxmm-lifetime} buddy-2.6  the added/removed markers of one implementation
    ```{linuxmm-api} vrealloc        which implementations provide a kernel function
    ```{linuxmm-symbols} KASAN       config symbols: lifetime and what setting them does
    ```{linuxmm-proc-files}          the /proc files and the eras that have them
    ```{linuxmm-bugs}                bugs the record fixes, and the releases that shipped them
    ```{linuxmm-cli}                 the command-line reference, from the argparse parser
    ```{linuxmm-pages}               links to the listed pages that exist

and the version markers ``kernel-added``, ``kernel-changed``,
``kernel-deprecated``, ``kernel-removed`` and ``kernel-deprecated-removed``
(two references), in the manner of CPython's ``deprecated-removed``: each
takes history references (a modelled commit's sha prefix or a release tag),
which must exist in the registry -- a wrong one fails the strict build.
"""

from __future__ import annotations

import argparse
import inspect
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

#: Where a modelled commit is linked to.
COMMIT_URL = "https://git.kernel.org/linus/{sha}"

_HEX = re.compile(r"(?<![0-9a-fA-F])([0-9a-f]{12})(?![0-9a-fA-F])")
_HAS_TAG = re.compile(r"""has\(\s*["'](v\d+\.\d+(?:\.\d+)?(?:-rc\d+)?)["']\s*\)""")

#: A table cell: a sequence of fragments, each plain text or a (kind, text) pair
#: with kind "code", "strong", "em" or "commit".
Cell = tuple


def _host():
    from .host import get_host

    return get_host()


# -- the registry, computed ------------------------------------------------------
@dataclass
class ReleaseState:
    """What the model is at one modelled release, with the default configuration."""

    tag: str
    rev: Any
    config: dict
    impls: dict
    api: frozenset
    error: str = ""


def release_states(host: Any) -> list[ReleaseState]:
    """One :class:`ReleaseState` per modelled release (stable ones after their base), oldest first."""
    from .errors import LinuxmmError
    from .kconfig import resolve

    states = []
    for tag in host.history.modelled_releases():
        rev = host.history.resolve(tag)
        try:
            config = resolve(host, rev, {})
            impls = host.implementations_for(rev, config)
            error = ""
        except LinuxmmError as exc:
            config, impls, error = {}, {}, str(exc)
        api = frozenset(name for impl in impls.values() for name in _api_at(impl, rev))
        states.append(ReleaseState(tag, rev, config, impls, api, error))
    return states


def _api_at(impl: Any, rev: Any) -> list[str]:
    """The kernel functions ``impl`` provides at ``rev``: its ``api``, less the calls its factory's
    ``API_INTRODUCED`` (kernel name -> history reference, if it has one) says came later."""
    later = getattr(impl.factory, "API_INTRODUCED", None) or {}
    names = [entry.partition(":")[0] for entry in impl.api]
    return [n for n in names if not (later.get(n) and not rev.has(later[n]))]


def live_bugs(history: Any, rev: Any) -> list[tuple[str, list[str]]]:
    """Modelled commits in ``rev`` that a modelled ``Fixes:`` names, with the fixes ``rev`` lacks.

    ``[(buggy sha, [missing fix shas])]`` in history order; a commit whose
    every modelled fix is in ``rev`` is not listed.
    """
    out = []
    for bad, fixes in fixes_of(history):
        missing = [f.sha for f in fixes if not rev.has(f.sha)]
        if rev.has(bad.sha) and missing:
            out.append((bad.sha, missing))
    return out


def release_span(tags: Sequence[str]) -> str:
    """``v6.12-rc1, v6.12`` -- or ``v6.12-rc1 … v6.14 (5 modelled releases)`` for a longer run."""
    if not tags:
        return "none"
    if len(tags) <= 3:
        return ", ".join(tags)
    return f"{tags[0]} … {tags[-1]} ({len(tags)} modelled releases)"


def fixes_of(history: Any) -> list[tuple[Any, list[Any]]]:
    """``[(buggy commit, [its modelled fixes])]`` in history order."""
    table: dict[str, list[Any]] = {}
    for fix in history.commits.values():
        for ref in fix.fixes:
            bad = next((c for sha, c in history.commits.items() if sha.startswith(ref) or ref.startswith(sha)),
                       None)
            if bad is not None:
                table.setdefault(bad.sha, []).append(fix)
    order = sorted(table, key=history.commit_index)
    return [(history.commits[sha], sorted(table[sha], key=lambda c: history.commit_index(c.sha)))
            for sha in order]


def _choice_groups(host: Any, states: Sequence[ReleaseState]) -> list[str]:
    from .kconfig import at

    groups: list[str] = []
    for sym in host.symbols.values():
        for st in states:
            if host.available(sym, st.rev):
                group = at(sym.choice, st.rev)
                if group and group not in groups:
                    groups.append(group)
    return groups


def matrix_columns(host: Any, states: Sequence[ReleaseState]) -> list[tuple[str, Callable[[ReleaseState], Cell]]]:
    """The era x feature matrix's columns: (title, cell of a release)."""
    from .kconfig import at

    def impl(subsystem: str) -> Callable[[ReleaseState], Cell]:
        def cell(st: ReleaseState) -> Cell:
            if subsystem in st.impls:
                return (("code", st.impls[subsystem].name),)
            return ("not modelled",) if not host.by_subsystem.get(subsystem) else ("—",)
        return cell

    def choice(group: str) -> Callable[[ReleaseState], Cell]:
        def cell(st: ReleaseState) -> Cell:
            members = [s for s in host.symbols.values()
                       if host.available(s, st.rev) and at(s.choice, st.rev) == group]
            out: list[Any] = []
            for s in members:
                if out:
                    out.append(", ")
                out.append(("strong" if st.config.get(s.name) is True else "code", s.name))
            return tuple(out) or ("—",)
        return cell

    def api_or_param(api: str, param: str | None = None) -> Callable[[ReleaseState], Cell]:
        def cell(st: ReleaseState) -> Cell:
            out: list[Any] = []
            if api in st.api:
                out.append(("code", f"{api}()"))
            if param and param in host.params and host.available(host.params[param], st.rev):
                out += [", "] if out else []
                out.append(("code", param))
            if out:
                return tuple(out)
            return ("—",) if api in host.api_names or (param and param in host.params) else ("not modelled",)
        return cell

    def symbols(prefix: str) -> Callable[[ReleaseState], Cell]:
        def cell(st: ReleaseState) -> Cell:
            out: list[Any] = []
            unmodelled = False
            for s in sorted(host.symbols.values(), key=lambda s: s.name):
                if s.name.startswith(prefix) and host.available(s, st.rev):
                    out += [", "] if out else []
                    out.append(("code", s.name))
                    unmodelled = unmodelled or not s.modelled
            if unmodelled:
                out.append(" (accepted, no effect in the model yet)")
            return tuple(out) or ("—",)
        return cell

    def bugs(st: ReleaseState) -> Cell:
        out: list[Any] = []
        for sha, missing in live_bugs(host.history, st.rev):
            out += ["; "] if out else []
            out += [("commit", sha), " (fixed by "]
            for i, fix in enumerate(missing):
                out += [", "] if i else []
                out.append(("commit", fix))
            out.append(")")
        return tuple(out) or ("—",)

    def proc(st: ReleaseState) -> Cell:
        out: list[Any] = []
        for name in sorted(host.proc_files):
            if host.proc_file(name, st.rev) is not None:
                out += [", "] if out else []
                out.append(("code", name))
        return tuple(out) or ("—",)

    from .host import SUBSYSTEM_ORDER

    subsystems = list(SUBSYSTEM_ORDER) + sorted(s for s in host.by_subsystem if s not in SUBSYSTEM_ORDER)
    titles = {"page_alloc": "page allocator", "slab": "small objects", "vmalloc": "vmalloc"}
    cols: list[tuple[str, Callable[[ReleaseState], Cell]]] = [("page allocator", impl("page_alloc")),
                                                               ("small objects", impl("slab"))]
    for group in _choice_groups(host, states):
        cols.append((f"{group} choice (default in bold)", choice(group)))
    cols.append(("vmalloc", impl("vmalloc")))
    for s in subsystems[3:]:
        cols.append((titles.get(s, s), impl(s)))
    cols += [("huge vmalloc", api_or_param("vmalloc_huge", "nohugevmalloc")),
             ("vrealloc", api_or_param("vrealloc")),
             ("KASAN", symbols("KASAN")),
             ("known bugs present", bugs),
             ("/proc", proc)]
    return cols


@dataclass
class MatrixRow:
    first: str
    last: str
    cells: tuple
    count: int = 1


_EMPTY = (("not modelled",), ("—",))


def matrix(host: Any, since: str | None = None, columns: Sequence[str] | None = None,
           until: str | None = None) -> tuple[list[str], list[MatrixRow], list[tuple[str, str]]]:
    """The era x feature matrix: column titles, rows, and the columns left out for being empty.

    Consecutive releases with identical rows are merged.  A column that is
    empty in every row shown ("not modelled" or "—") is left out and
    returned as ``(title, what it said)``, so the table keeps its width for
    what the model has.
    """
    states = release_states(host)
    for st in states:
        if st.error:
            raise ValueError(f"{st.tag}: the default configuration does not resolve: {st.error}")
    cols = matrix_columns(host, states)
    if columns:
        wanted = [c.strip() for c in columns]
        unknown = [c for c in wanted if not any(title.startswith(c) for title, _ in cols)]
        if unknown:
            raise ValueError(f"unknown matrix column(s) {unknown}; columns are: "
                             + "; ".join(title for title, _ in cols))
        cols = [col for c in wanted for col in cols if col[0].startswith(c)]
    if since:
        start = host.history.resolve(since).index
        states = [st for st in states if st.rev.index >= start]
    if until:
        end = host.history.resolve(until).index
        states = [st for st in states if st.rev.index <= end]
    rows: list[MatrixRow] = []
    for st in states:
        cells = tuple(fn(st) for _, fn in cols)
        if rows and rows[-1].cells == cells:
            rows[-1].last = st.tag
            rows[-1].count += 1
        else:
            rows.append(MatrixRow(st.tag, st.tag, cells))
    keep = [i for i in range(len(cols)) if any(row.cells[i] not in _EMPTY for row in rows)]
    empty = [(cols[i][0], "not modelled" if any(row.cells[i] == _EMPTY[0] for row in rows) else "none")
             for i in range(len(cols)) if i not in keep]
    merged: list[MatrixRow] = []
    for row in rows:
        cells = tuple(row.cells[i] for i in keep)
        if merged and merged[-1].cells == cells:
            merged[-1].last = row.last
            merged[-1].count += row.count
        else:
            merged.append(MatrixRow(row.first, row.last, cells, row.count))
    return [cols[i][0] for i in keep], merged, empty


def _ref_events(host: Any) -> dict[str, list[Cell]]:
    """History reference (sha or tag) -> what the records say happens there."""
    from .history import tag_of, _SHA_RE

    events: dict[str, list[Cell]] = {}

    def key(ref: str) -> str:
        return host.history.commit(ref).sha if _SHA_RE.match(ref) else tag_of(ref)

    def add(ref: str | None, cell: Cell) -> None:
        if ref:
            events.setdefault(key(ref), []).append(cell)

    arrivals: dict[tuple[str, str], list[Any]] = {}
    departures: dict[tuple[str, str], list[Any]] = {}
    for impl in sorted(host.implementations.values(), key=lambda i: i.name):
        arrivals.setdefault((key(impl.introduced), impl.subsystem), []).append(impl)
        if impl.removed:
            departures.setdefault((key(impl.removed), impl.subsystem), []).append(impl)
    for (ref, subsystem), impls in sorted(arrivals.items()):
        gone = departures.pop((ref, subsystem), [])
        for impl in impls:
            cell: list[Any] = [f"{subsystem}: "]
            if len(gone) == 1 and len(impls) == 1:
                cell += [("code", gone[0].name), " → "]
            cell += [("code", impl.name), "" if gone and len(impls) == 1 else " arrives"]
            if impl.summary:
                cell.append(f" — {impl.summary}")
            add(ref, tuple(cell))
        if len(gone) != 1 or len(impls) != 1:
            for impl in gone:
                add(ref, (f"{subsystem}: ", ("code", impl.name), " leaves"))
    for (ref, subsystem), impls in sorted(departures.items()):
        for impl in impls:
            add(ref, (f"{subsystem}: ", ("code", impl.name), " leaves"))
    def grouped(records: Iterable[Any], one: str, many: str, label: Callable[[Any], str]) -> None:
        """One event per reference for all the records of a kind that appear (or go) there."""
        for attr, verb_one, verb_many in (("introduced", " appears", " appear"), ("removed", " is removed",
                                                                                  " are removed")):
            by_ref: dict[str, list[str]] = {}
            for record in records:
                ref = getattr(record, attr)
                if ref:
                    by_ref.setdefault(key(ref), []).append(label(record))
            for ref, names in by_ref.items():
                cell: list[Any] = [one if len(names) == 1 else many]
                for i, name in enumerate(sorted(names)):
                    cell += [", "] if i else []
                    cell.append(("code", name))
                cell.append(verb_one if len(names) == 1 else verb_many)
                add(ref, tuple(cell))

    grouped(host.symbols.values(), "config symbol ", "config symbols ", lambda s: f"CONFIG_{s.name}")
    grouped(host.params.values(), "boot parameter ", "boot parameters ", lambda p: p.name)
    for name in sorted(host.proc_files):
        for pf in host.proc_files[name]:
            add(pf.introduced, (("code", f"/proc/{name}"), " appears"))
            add(pf.removed, (("code", f"/proc/{name}"), " is removed"))
    for bad, fixes in fixes_of(host.history):
        for fix in fixes:
            add(fix.sha, ("fixes ", ("commit", bad.sha), f" ({bad.tag})"))
    return events


@dataclass
class TimelineEntry:
    """One release on the timeline: the commits that sit before it and what changes there."""

    tag: str
    commits: list = field(default_factory=list)  # [(Commit, [Cell])]
    events: list = field(default_factory=list)  # [Cell]


def timeline(host: Any, since: str | None = None, until: str | None = None) -> list[TimelineEntry]:
    """The modelled history, oldest first, keeping only releases where something happens.

    A release is kept when commits sit before it, when a record names it, or
    when the model's default choice changes there (an implementation, a
    Kconfig choice's default, the /proc files) -- computed from the matrix.
    """
    history = host.history
    events = _ref_events(host)
    states = {st.tag: st for st in release_states(host)}
    cols = matrix_columns(host, list(states.values()))
    watched = [(t, fn) for t, fn in cols if t.startswith(("page allocator", "small objects", "vmalloc"))
               or t.endswith("(default in bold)")]
    entries: list[TimelineEntry] = []
    pending: list = []
    previous: dict[str, Cell] = {}
    lo = history.ref_index(since) if since else 0
    hi = history.ref_index(until) if until else len(history.points) - 1
    for point in history.points:
        if point.commit:
            pending.append((point.commit, events.get(point.commit.sha, [])))
            continue
        tag = point.release.tag
        st = states.get(tag)
        changes: list[Cell] = []
        if st is not None and not st.error:
            for title, fn in watched:
                cell = fn(st)
                name = title.removesuffix(" (default in bold)")
                if title in previous and previous[title] != cell:
                    if title.endswith("(default in bold)"):
                        old = [f[1] for f in previous[title] if isinstance(f, tuple) and f[0] == "strong"]
                        new = [f[1] for f in cell if isinstance(f, tuple) and f[0] == "strong"]
                        if old != new and old and new:
                            changes.append((f"default of the {name}: ", ("code", old[0]), " → ", ("code", new[0])))
                    elif not any(isinstance(f, tuple) and f[0] == "code" and any(
                            isinstance(e, tuple) and e == f for ev in events.get(tag, []) for e in ev)
                            for f in cell):
                        changes.append((f"{name} by default: ", *previous[title], " → ", *cell))
                previous[title] = cell
        entry = TimelineEntry(tag, pending, events.get(tag, []) + changes)
        pending = []
        if (entry.commits or entry.events) and lo <= point.index <= hi:
            entries.append(entry)
    return entries


def plugin_models(host: Any) -> list[dict]:
    """For each registered plugin: its name, first docstring line, and the history it refers to.

    ``declared`` are the commits its ``linuxmm_commits`` returns; ``refs``
    maps each modelled commit sha or release tag the plugin refers to --
    through its records' ``introduced``/``removed`` or in its source (era
    flags such as ``has("5f8dcc21211a")``) -- to how it refers to it.
    """
    from .history import tag_of, _SHA_RE

    history = host.history
    per: dict[str, dict] = {}
    for name, plugin in host.pm.list_name_plugin():
        if plugin is None:
            continue
        doc = (inspect.getdoc(plugin) or "").strip().splitlines()
        per[name] = {"name": name, "plugin": plugin, "doc": doc[0] if doc else "", "declared": [], "refs": {}}

    def note(name: str, ref: str | None, how: str) -> None:
        if not ref or name not in per:
            return
        if _SHA_RE.match(ref):
            try:
                ref = history.commit(ref).sha
            except Exception:
                return
        else:
            ref = tag_of(ref)
        hows = per[name]["refs"].setdefault(ref, [])
        if how not in hows:
            hows.append(how)

    for hookname in ("linuxmm_commits", "linuxmm_implementations", "linuxmm_config_symbols",
                     "linuxmm_boot_params", "linuxmm_proc_files"):
        for hookimpl in getattr(host.pm.hook, hookname).get_hookimpls():
            name = hookimpl.plugin_name
            for record in hookimpl.function() or ():
                if hookname == "linuxmm_commits":
                    per[name]["declared"].append(record.sha)
                    continue
                label = {"linuxmm_implementations": f"implementation {record.name}",
                         "linuxmm_config_symbols": f"CONFIG_{record.name}",
                         "linuxmm_boot_params": f"boot parameter {record.name}",
                         "linuxmm_proc_files": f"/proc/{record.name}"}[hookname]
                note(name, record.introduced, f"{label} from")
                note(name, getattr(record, "removed", None), f"{label} until")
    for name, info in per.items():
        plugin = info["plugin"]
        if not inspect.ismodule(plugin):
            continue
        try:
            source = inspect.getsource(plugin)
        except (OSError, TypeError):
            continue
        for sha in _HEX.findall(source):
            if sha in history.commits:
                note(name, sha, "named in its source")
        for tag in _HAS_TAG.findall(source):
            if tag in history.tag_index:
                note(name, tag, "named in its source")
    out = []
    for info in per.values():
        refs = info["refs"]
        info["commits"] = sorted((r for r in refs if r in history.commits), key=history.commit_index)
        info["tags"] = sorted((r for r in refs if r not in history.commits), key=history.ref_index)
        if info["declared"] or refs:
            out.append(info)
    return out


# -- rendering helpers ---------------------------------------------------------------
def commit_link(host: Any, sha: str, with_subject: bool = False) -> list[nodes.Node]:
    """``sha`` as a literal linked to the commit (the subject as its title)."""
    commit = host.history.commit(sha)
    ref = nodes.reference("", "", internal=False, refuri=COMMIT_URL.format(sha=commit.sha),
                          reftitle=commit.subject, classes=["linuxmm-sha"])
    ref += nodes.literal(commit.sha, commit.sha)
    out: list[nodes.Node] = [ref]
    if with_subject:
        out.append(nodes.Text(f" “{commit.subject}”"))
    return out


def describe_ref(host: Any, ref: str) -> list[nodes.Node]:
    """A history reference as nodes: ``v6.4-rc1 (c9929f0e344a “mm/slob: remove CONFIG_SLOB”)``, or a tag."""
    from .history import tag_of, _SHA_RE

    if _SHA_RE.match(ref):
        commit = host.history.commit(ref)
        return [nodes.Text(f"{commit.tag} ("), *commit_link(host, commit.sha, with_subject=True), nodes.Text(")")]
    return [nodes.Text(tag_of(ref))]


def render_cell(host: Any, cell: Any) -> list[nodes.Node]:
    if isinstance(cell, nodes.Node):
        return [cell]
    if isinstance(cell, str):
        return [nodes.Text(cell)]
    out: list[nodes.Node] = []
    for frag in cell:
        if isinstance(frag, nodes.Node):
            out.append(frag)
        elif isinstance(frag, str):
            out.append(nodes.Text(frag))
        else:
            kind, text = frag
            if kind == "code":
                out.append(nodes.literal(text, text))
            elif kind == "strong":
                out.append(nodes.strong("", "", nodes.literal(text, text)))
            elif kind == "em":
                out.append(nodes.emphasis(text, text))
            elif kind == "commit":
                out += commit_link(host, text)
            else:  # pragma: no cover - a programming error
                raise ValueError(kind)
    return out


def make_table(host: Any, headers: Sequence[str], rows: Iterable[Sequence[Any]], classes: Sequence[str] = (),
               widths: Sequence[int] | None = None) -> nodes.table:
    """A docutils table; each cell is text, a node, or a :data:`Cell`."""
    table = nodes.table(classes=["linuxmm-table", *classes])
    group = nodes.tgroup(cols=len(headers))
    table += group
    for i in range(len(headers)):
        group += nodes.colspec(colwidth=widths[i] if widths else 1)
    head = nodes.thead()
    group += head
    row = nodes.row()
    for title in headers:
        row += nodes.entry("", nodes.paragraph("", "", nodes.Text(title)))
    head += row
    body = nodes.tbody()
    group += body
    for cells in rows:
        row = nodes.row()
        for cell in cells:
            row += nodes.entry("", nodes.paragraph("", "", *render_cell(host, cell)))
        body += row
    return table


def lifetime_nodes(host: Any, introduced: str | None, removed: str | None, what: str = "") -> list[nodes.Node]:
    """One marker for a record bounded by two history references, like CPython's ``deprecated-removed``.

    "In the kernel from X" (green) while it lasts; "In the kernel from X, removed in Y" (red) for
    one that left.
    """
    if not introduced:
        return []
    if removed:
        return [version_box(host, "added-removed", [introduced, removed], what)]
    return [version_box(host, "versionadded", [introduced], what)]


_LABELS = {
    "versionadded": ("added", "In the kernel from {0}"),
    "versionchanged": ("changed", "Changed in {0}"),
    "deprecated": ("deprecated", "Deprecated in {0}"),
    "versionremoved": ("removed", "Removed in {0}"),
    "deprecated-removed": ("deprecated", "Deprecated in {0}, removed in {1}"),
    "added-removed": ("removed", "In the kernel from {0}, removed in {1}"),
}


def version_box(host: Any, kind: str, refs: Sequence[str], what: str = "",
                body: Sequence[nodes.Node] = ()) -> nodes.Node:
    """A ``versionmodified`` node (styled like Sphinx's ``versionadded``) naming history references."""
    from .history import tag_of, _SHA_RE

    css, template = _LABELS[kind]
    node = addnodes.versionmodified()
    node["type"] = {"deprecated-removed": "deprecated", "added-removed": "versionremoved"}.get(kind, kind)
    node["version"] = tag_of(host.history.commit(refs[0]).tag if _SHA_RE.match(refs[0]) else refs[0])
    para = nodes.paragraph()
    tags = []
    for ref in refs:
        tags.append(host.history.commit(ref).tag if _SHA_RE.match(ref) else tag_of(ref))
    label = template.format(*tags)
    para += nodes.inline("", (f"{what}: " if what else "") + label, classes=["versionmodified", css])
    commits = [ref for ref in refs if _SHA_RE.match(ref)]
    if commits:
        para += nodes.Text(" — ")
        for i, ref in enumerate(commits):
            if i:
                para += nodes.Text("; ")
            para += commit_link(host, ref, with_subject=True)
    para += nodes.Text(".")
    node += para
    node += list(body)
    return node


class _RegistryDirective(SphinxDirective):
    """Base: a directive that reads the host and turns registry errors into build warnings."""

    def warn(self, message: str) -> list[nodes.Node]:
        return [self.state.document.reporter.warning(f"{self.name}: {message}", line=self.lineno)]

    @property
    def host(self) -> Any:
        # Generated pages depend on the registry, not only on their source: read them on every build.
        self.env.note_reread()
        return _host()

    def section(self, title: str, *children: nodes.Node, ident: str | None = None) -> nodes.section:
        section = nodes.section()
        section["ids"].append(nodes.make_id(ident or title))
        section["names"].append(nodes.fully_normalize_name(ident or title))
        section += nodes.title(title, title)
        for child in children:
            section += child
        return section


def _tag(host: Any, ref: str) -> str:
    """The release tag of a history reference (a commit's first tag)."""
    from .history import tag_of, _SHA_RE

    return host.history.commit(ref).tag if _SHA_RE.match(ref) else tag_of(ref)


def _checked(ref: str) -> str:
    from .errors import LinuxmmError
    from .history import tag_of, _SHA_RE

    host = _host()
    if _SHA_RE.match(ref):
        try:
            host.history.commit(ref)
        except LinuxmmError as exc:
            raise ValueError(str(exc)) from None
        return ref
    if tag_of(ref) not in host.history.tag_index and tag_of(ref) not in host.history.stable:
        raise ValueError(f"{ref} is not a modelled release tag or commit")
    return ref


# -- directives --------------------------------------------------------------------
class KernelVersionChange(_RegistryDirective):
    """``kernel-added REF``, ``kernel-removed REF``, ``kernel-deprecated-removed REF REF`` ...

    The arguments are history references the registry knows; the content
    (optional) explains the change.
    """

    has_content = True
    required_arguments = 1
    optional_arguments = 1
    option_spec = {"what": directives.unchanged}
    kinds = {"kernel-added": "versionadded", "kernel-changed": "versionchanged",
             "kernel-deprecated": "deprecated", "kernel-removed": "versionremoved",
             "kernel-deprecated-removed": "deprecated-removed"}

    def run(self) -> list[nodes.Node]:
        kind = self.kinds[self.name]
        wanted = 2 if kind == "deprecated-removed" else 1
        if len(self.arguments) != wanted:
            return self.warn(f"takes {wanted} history reference(s), not {len(self.arguments)}")
        try:
            refs = [_checked(a) for a in self.arguments]
        except ValueError as exc:
            return self.warn(str(exc))
        body = self.parse_content_to_nodes() if self.content else []
        return [version_box(self.host, kind, refs, self.options.get("what", ""), body)]


class LifetimeDirective(_RegistryDirective):
    """``linuxmm-lifetime NAME``: the added/removed markers of one implementation, from its record."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        impl = self.host.implementations.get(self.arguments[0])
        if impl is None:
            return self.warn(f"no implementation {self.arguments[0]!r} (known: "
                             + ", ".join(sorted(self.host.implementations)) + ")")
        return lifetime_nodes(self.host, impl.introduced, impl.removed, impl.name)


class ImplementationsDirective(_RegistryDirective):
    """``linuxmm-implementations SUBSYSTEM``: every implementation of a subsystem, oldest first."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        host = self.host
        subsystem = self.arguments[0]
        impls = sorted(host.by_subsystem.get(subsystem, ()),
                       key=lambda i: (host.history.ref_index(i.introduced), i.name))
        if not impls:
            para = nodes.paragraph()
            para += nodes.Text("No ")
            para += nodes.literal(subsystem, subsystem)
            para += nodes.Text(" implementation is modelled yet, so no kernel booted by linuxmm has one. "
                               "This list is generated from the plugins' records and fills in when one is "
                               "registered.")
            return [nodes.admonition("", nodes.title("", "Not modelled yet"), para,
                                     classes=["linuxmm-pending"])]
        owners = {}
        for hookimpl in host.pm.hook.linuxmm_implementations.get_hookimpls():
            for record in hookimpl.function() or ():
                owners[record.name] = hookimpl.plugin_name
        rows = []
        for impl in impls:
            span: list[nodes.Node] = [nodes.Text("from "), *describe_ref(host, impl.introduced)]
            if impl.removed:
                span += [nodes.Text(", removed in "), *describe_ref(host, impl.removed)]
            if impl.kconfig:
                chosen = [nodes.literal("", f"CONFIG_{impl.kconfig}=y")]
                if impl.default:
                    chosen.append(nodes.Text(", or by default"))
            else:
                chosen = [nodes.Text("whenever it is in the kernel" if impl.default else
                                     "when no default implementation is")]
            api: list[nodes.Node] = []
            for name in (e.partition(":")[0] for e in impl.api):
                if api:
                    api.append(nodes.Text(", "))
                api.append(nodes.literal(name, name))
            name_cell = nodes.inline("", "", nodes.literal(impl.name, impl.name))
            name_cell["ids"].append(nodes.make_id(f"impl-{impl.name}"))
            rows.append([name_cell, impl.summary or "—", nodes.inline("", "", *span),
                         nodes.inline("", "", *chosen), nodes.inline("", "", *api) if api else "—",
                         (("code", owners.get(impl.name, "?")),)])
        return [make_table(host, ["implementation", "what it is", "in the kernel", "chosen with",
                                  "kernel functions", "plugin"], rows,
                           classes=["linuxmm-implementations"], widths=[2, 4, 4, 2, 3, 2])]


def _field(name: str, body: Sequence[nodes.Node]) -> nodes.field:
    field_node = nodes.field()
    field_node += nodes.field_name(name, name)
    field_node += nodes.field_body("", nodes.paragraph("", "", *body))
    return field_node


class ApiDirective(_RegistryDirective):
    """``linuxmm-api NAME...``: which implementations provide each kernel function, and when."""

    required_arguments = 1
    final_argument_whitespace = True

    def run(self) -> list[nodes.Node]:
        host = self.host
        rows = []
        for name in self.arguments[0].split():
            providers = [i for i in host.implementations.values()
                         if name in (e.partition(":")[0] for e in i.api)]
            if not providers:
                rows.append([(("code", f"{name}()"),), "not modelled yet", "—", "—"])
                continue
            for impl in sorted(providers, key=lambda i: host.history.ref_index(i.introduced)):
                since = impl.introduced
                later = (getattr(impl.factory, "API_INTRODUCED", None) or {}).get(name)
                if later and host.history.ref_index(later) > host.history.ref_index(since):
                    if impl.removed and host.history.ref_index(later) >= host.history.ref_index(impl.removed):
                        continue  # the call came after this implementation's time
                    since = later
                rows.append([(("code", f"{name}()"),), (("code", impl.name),),
                             describe_ref(host, since),
                             describe_ref(host, impl.removed) if impl.removed else "—"])
        rows = [[c if not isinstance(c, list) else nodes.inline("", "", *c) for c in r] for r in rows]
        return [make_table(host, ["function", "implementation", "from", "until"], rows, widths=[2, 2, 5, 5])]


def symbol_effect(host: Any, sym: Any) -> str:
    """What setting a bool symbol changes when the model boots, at the newest release that has it.

    The kernel is booted with the symbol off and on and the two compared: the
    implementations chosen, the memory-access checks installed, the boot log.
    A symbol whose effect lies on later calls only shows no difference here.
    """
    import linuxmm
    from .errors import LinuxmmError

    if sym.kind != "bool":
        return "not a bool symbol"
    tags = [t for t in host.history.modelled_releases() if host.available(sym, host.history.resolve(t))]
    if not tags:
        return "in no modelled release"
    tag = tags[-1]
    if any(i.kconfig == sym.name for i in host.implementations.values()):
        chosen = [i.name for i in host.implementations.values() if i.kconfig == sym.name]
        return "chooses " + ", ".join(chosen)
    kernels = {}
    for value in (False, True):
        try:
            kernels[value] = linuxmm.boot(tag, config={sym.name: value})
        except LinuxmmError as exc:
            kernels[value] = str(exc)
    on, off = kernels[True], kernels[False]
    if isinstance(on, str):
        return f"cannot be set to y at {tag}: {on}"
    if isinstance(off, str):
        return f"cannot be set to n at {tag}: {off}"
    changes = []
    if {s: i.name for s, i in on.implementations.items()} != {s: i.name for s, i in off.implementations.items()}:
        changes.append("the implementations chosen")
    if len(on.memory.checkers) != len(off.memory.checkers):
        changes.append("checks on every memory access")
    if len(on.memory.translators) != len(off.memory.translators):
        changes.append("address translation")
    if list(on.dmesg) != list(off.dmesg):
        changes.append("the boot log")
    if not changes:
        return f"boots the same implementations, memory checks and boot log either way (at {tag})"
    return f"changes {', '.join(changes)} (at {tag})"


class SymbolsDirective(_RegistryDirective):
    """``linuxmm-symbols NAME...``: config symbols, their lifetime, and what setting them does in the model."""

    required_arguments = 1
    final_argument_whitespace = True

    def run(self) -> list[nodes.Node]:
        host = self.host
        rows = []
        for name in self.arguments[0].split():
            sym = host.symbols.get(name)
            if sym is None:
                rows.append([(("code", f"CONFIG_{name}"),), "not declared by any plugin yet", "—", "—"])
                continue
            effect = symbol_effect(host, sym) if sym.modelled else "accepted, no effect in this model"
            rows.append([(("code", f"CONFIG_{name}"),), sym.help or "—",
                         nodes.inline("", "", *describe_ref(host, sym.introduced)),
                         effect if not sym.removed else nodes.inline(
                             "", "", nodes.Text(f"{effect}; removed in "), *describe_ref(host, sym.removed))])
        return [make_table(host, ["symbol", "what it is", "in the kernel from", "setting it in linuxmm"],
                           rows, widths=[2, 4, 4, 4])]


class ProcFilesDirective(_RegistryDirective):
    """``linuxmm-proc-files``: every /proc file a plugin renders, with its era and a command to print it."""

    def run(self) -> list[nodes.Node]:
        host = self.host
        rows = []
        for name in sorted(host.proc_files):
            for pf in host.proc_files[name]:
                first = _tag(host, pf.introduced)
                rows.append([(("code", f"/proc/{name}"),), pf.help or "—",
                             nodes.inline("", "", *describe_ref(host, pf.introduced)),
                             nodes.inline("", "", *describe_ref(host, pf.removed)) if pf.removed else "—",
                             (("code", f"linuxmm --kernel-version {first.removeprefix('v')} proc {name}"),)])
        return [make_table(host, ["file", "what it shows", "from", "until", "print it"], rows,
                           widths=[2, 4, 4, 2, 4])]


class BugsDirective(_RegistryDirective):
    """``linuxmm-bugs``: every modelled commit a modelled ``Fixes:`` names, and the releases that had it."""

    def run(self) -> list[nodes.Node]:
        host = self.host
        history = host.history
        states = release_states(host)
        rows = []
        for bad, fixes in fixes_of(history):
            by_tag: dict[str, list[Any]] = {}
            for fix in fixes:
                by_tag.setdefault(fix.tag, []).append(fix)
            for tag, group in by_tag.items():
                shipped = [st.tag for st in states if st.rev.has(bad.sha) and not st.rev.has(group[0].sha)]
                fix_cell: list[nodes.Node] = []
                for fix in group:
                    if fix_cell:
                        fix_cell.append(nodes.Text("; "))
                    fix_cell += commit_link(host, fix.sha, with_subject=True)
                rows.append([nodes.inline("", "", *commit_link(host, bad.sha, with_subject=True)), bad.tag,
                             nodes.inline("", "", *fix_cell), tag, release_span(shipped)])
        if not rows:
            return [nodes.paragraph("", "No modelled commit fixes another modelled commit yet.")]
        return [make_table(host, ["the commit", "first tag", "fixed by", "fix's first tag",
                                  "modelled releases with the commit and without the fix"],
                           rows, widths=[5, 2, 5, 2, 3])]


class TimelineDirective(_RegistryDirective):
    """``linuxmm-timeline``: the modelled history, oldest first (``:since:``, ``:until:`` narrow it)."""

    option_spec = {"since": directives.unchanged, "until": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        host = self.host
        try:
            entries = timeline(host, self.options.get("since"), self.options.get("until"))
        except Exception as exc:  # a bad :since:, or a registry that does not resolve
            return self.warn(str(exc))
        outer = nodes.container(classes=["linuxmm-timeline"])
        for entry in entries:
            box = nodes.container(classes=["linuxmm-timeline-release"])
            title = nodes.paragraph(classes=["linuxmm-timeline-tag"])
            title += nodes.strong(entry.tag, entry.tag)
            if entry.tag in host.history.stable:
                rel = host.history.stable[entry.tag]
                title += nodes.Text(f" — stable, {rel.base} plus backports")
            box += title
            items = nodes.bullet_list()
            for commit, events in entry.commits:
                item = nodes.list_item()
                para = nodes.paragraph()
                para += commit_link(host, commit.sha)
                para += nodes.Text(f" {commit.subject} ")
                para += nodes.inline("", f"{commit.author}, {commit.date} [{commit.mark}]",
                                     classes=["linuxmm-timeline-meta"])
                item += para
                if events:
                    sub = nodes.bullet_list()
                    for ev in events:
                        sub += nodes.list_item("", nodes.paragraph("", "", *render_cell(host, ev)))
                    item += sub
                items += item
            for ev in entry.events:
                items += nodes.list_item("", nodes.paragraph("", "", *render_cell(host, ev)))
            box += items
            outer += box
        return [outer]


class MatrixDirective(_RegistryDirective):
    """``linuxmm-matrix``: releases x features (``:since:``, ``:until:`` and ``:columns: a; b`` select a part).

    A column is named by the start of its title (``SLAB_ALLOCATOR`` for the
    slab choice's column).
    """

    option_spec = {"since": directives.unchanged, "until": directives.unchanged, "columns": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        host = self.host
        columns = [c for c in self.options.get("columns", "").split(";") if c.strip()] or None
        try:
            titles, rows, empty = matrix(host, self.options.get("since"), columns, self.options.get("until"))
        except Exception as exc:
            return self.warn(str(exc))
        out: list[nodes.Node] = []
        if titles:
            body = []
            for row in rows:
                label = row.first if row.first == row.last else f"{row.first} – {row.last}"
                body.append([(label,), *row.cells])
            out.append(make_table(host, ["releases", *titles], body, classes=["linuxmm-matrix"]))
        if empty:
            para = nodes.paragraph(classes=["linuxmm-matrix-empty"])
            absent = [t.removesuffix(" (default in bold)") for t, why in empty if why == "not modelled"]
            none = [t.removesuffix(" (default in bold)") for t, why in empty if why != "not modelled"]
            if absent:
                para += nodes.Text("Not modelled at any of these releases yet, so left out: "
                                   + ", ".join(absent) + ". ")
            if none:
                para += nodes.Text("In none of these releases, so left out: " + ", ".join(none) + ".")
            out.append(para)
        return out


class CommitsDirective(_RegistryDirective):
    """``linuxmm-commits``: ``:all:`` lists every modelled commit; otherwise what each plugin models.

    ``:plugin: NAME`` narrows it to one plugin, ``:subsystem: NAME`` to the
    plugins that register implementations of that subsystem.
    """

    option_spec = {"all": directives.flag, "plugin": directives.unchanged, "subsystem": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        host = self.host
        history = host.history
        if "all" in self.options:
            rows = []
            for point in history.points:
                if not point.commit:
                    continue
                c = point.commit
                fixes: list[nodes.Node] = []
                for ref in c.fixes:
                    if fixes:
                        fixes.append(nodes.Text(", "))
                    fixes += commit_link(host, ref) if ref in history.commits else [nodes.literal(ref, ref)]
                rows.append([nodes.inline("", "", *commit_link(host, c.sha)), c.subject, f"{c.author}, {c.date}",
                             c.tag, c.mark, nodes.inline("", "", *fixes) if fixes else "", c.source])
            return [make_table(host, ["sha", "subject", "author, date", "first tag", "mark", "fixes", "source"],
                               rows, classes=["linuxmm-commits"], widths=[2, 5, 3, 2, 1, 2, 6])]
        wanted = self.options.get("plugin")
        models = plugin_models(host)
        if wanted:
            models = [m for m in models if m["name"] == wanted]
            if not models:
                return self.warn(f"no plugin {wanted!r} refers to the history")
        subsystem = self.options.get("subsystem")
        if subsystem:
            owners = {hookimpl.plugin_name for hookimpl in host.pm.hook.linuxmm_implementations.get_hookimpls()
                      if any(r.subsystem == subsystem for r in hookimpl.function() or ())}
            models = [m for m in models if m["name"] in owners]
            if not models:
                text = f"No plugin models the {subsystem} subsystem yet."
                return [nodes.paragraph(text, text)]
        out: list[nodes.Node] = []
        for info in models:
            parts: list[nodes.Node] = []
            if info["doc"]:
                parts.append(nodes.paragraph(info["doc"], info["doc"]))
            if info["declared"]:
                parts.append(nodes.paragraph("", f"Declares {len(info['declared'])} of the modelled commits."))
            if info["tags"]:
                para = nodes.paragraph()
                para += nodes.Text("Releases it refers to: ")
                for i, tag in enumerate(info["tags"]):
                    if i:
                        para += nodes.Text(", ")
                    para += nodes.literal(tag, tag)
                    para += nodes.Text(f" ({'; '.join(info['refs'][tag])})")
                parts.append(para)
            if info["commits"]:
                rows = []
                for sha in info["commits"]:
                    c = history.commits[sha]
                    rows.append([nodes.inline("", "", *commit_link(host, sha)), c.subject, c.tag, c.mark,
                                 "; ".join(info["refs"][sha]), c.source])
                parts.append(make_table(host, ["sha", "subject", "first tag", "mark", "how the plugin uses it",
                                               "source"], rows, classes=["linuxmm-commits"],
                                        widths=[2, 5, 2, 1, 3, 6]))
            elif not info["declared"]:
                parts.append(nodes.paragraph("", "It models releases before git, which have no commit sha."))
            out.append(self.section(info["name"], *parts, ident=f"plugin-{info['name']}"))
        return out


class PagesDirective(_RegistryDirective):
    """``linuxmm-pages``: a list of links to the listed documents that exist (one docname a line).

    A chapter names the era pages that belong to it; a page that does not
    exist yet is left out, and the list says so when none exists.
    """

    has_content = True
    option_spec = {"none": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        found = self.env.found_docs
        items = nodes.bullet_list()
        for line in self.content:
            docname = line.strip()
            if not docname:
                continue
            target = docname.lstrip("/")
            if target not in found:
                continue
            ref = addnodes.pending_xref("", refdomain="std", reftype="doc", reftarget="/" + target,
                                        refexplicit=False, refwarn=True)
            ref += nodes.inline(target, target)
            items += nodes.list_item("", nodes.paragraph("", "", ref))
        if not len(items):
            text = self.options.get("none") or "No era page yet."
            return [nodes.paragraph(text, text)]
        return [items]


# -- the command-line reference ------------------------------------------------------
class CliDirective(_RegistryDirective):
    """``linuxmm-cli``: the command-line reference, from :func:`linuxmm.cli.build_parser`.

    Plugin subcommands (``linuxmm_commands``) are part of the parser, so they
    appear here as soon as a plugin registers one.
    """

    def run(self) -> list[nodes.Node]:
        from .cli import build_parser

        parser = build_parser()
        sub_action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        plugin_commands = set(self.host.commands)
        out: list[nodes.Node] = []
        top = [self._usage(parser), nodes.paragraph("", parser.description or "")]
        top += self._arguments(parser, skip_dests={"command"})
        out.append(self.section("linuxmm", *top, ident="cli-linuxmm"))
        helps = {a.dest: a.help for a in sub_action._choices_actions}
        for name, sub in sub_action.choices.items():
            parts: list[nodes.Node] = [self._usage(sub)]
            text = helps.get(name) or ""
            para = nodes.paragraph("", (text[:1].upper() + text[1:] + ".") if text else "")
            if name in plugin_commands:
                para += nodes.Text(" (from a plugin)")
            parts.append(para)
            parts += self._arguments(sub, skip_group_titles=("kernel options",))
            if sub.epilog:
                example = sub.epilog.removeprefix("example:\n").rstrip()
                lines = "\n".join("$ " + line.strip() for line in example.splitlines())
                block = nodes.literal_block(lines, lines)
                block["language"] = "text"
                parts += [nodes.rubric("", "Example"), block]
            out.append(self.section(f"linuxmm {name}", *parts, ident=f"cli-{name}"))
        return out

    @staticmethod
    def _usage(parser: argparse.ArgumentParser) -> nodes.Node:
        usage = " ".join(parser.format_usage().split())  # one line; argparse wraps at the terminal width
        usage = usage.removeprefix("usage: ")
        block = nodes.literal_block(usage, usage)
        block["language"] = "text"
        return block

    def _arguments(self, parser: argparse.ArgumentParser, skip_dests: set | None = None,
                   skip_group_titles: tuple = ()) -> list[nodes.Node]:
        out: list[nodes.Node] = []
        for group in parser._action_groups:
            if group.title and group.title.startswith(skip_group_titles):
                continue
            rows = []
            for action in group._group_actions:
                if action.dest in (skip_dests or ()) or action.help == argparse.SUPPRESS:
                    continue
                if isinstance(action, argparse._HelpAction):
                    continue
                if action.option_strings:
                    name = ", ".join(action.option_strings)
                    if action.nargs != 0:
                        metavar = action.metavar or action.dest.upper()
                        name += f" {metavar}"
                else:
                    name = action.metavar or action.dest
                help_text = (action.help or "").replace("%(default)s", str(action.default))
                if action.choices and not isinstance(action, argparse._SubParsersAction):
                    help_text += f" (one of: {', '.join(map(str, action.choices))})"
                rows.append([(("code", name),), help_text])
            if rows:
                title = {"positional arguments": "Arguments", "options": "Options"}.get(group.title or "",
                                                                                        group.title or "")
                out.append(nodes.rubric("", title[:1].upper() + title[1:]))
                out.append(make_table(self.host, ["argument", "meaning"], rows, widths=[2, 5]))
        return out


def _resolve_error_names(app: Sphinx, env: Any, node: Any, contnode: Any) -> Any:
    """Let docstrings name linuxmm's errors unqualified (:class:`VersionError`): link them to linuxmm.errors."""
    from . import errors

    target = node.get("reftarget", "")
    if node.get("refdomain") != "py" or "." in target or not isinstance(getattr(errors, target, None), type):
        return None
    node["reftarget"] = f"linuxmm.errors.{target}"
    domain = env.domains.python_domain
    return domain.resolve_xref(env, node["refdoc"], app.builder, node["reftype"], node["reftarget"], node, contnode)


def setup(app: Sphinx) -> dict:
    app.connect("missing-reference", _resolve_error_names)
    for name in KernelVersionChange.kinds:
        app.add_directive(name, KernelVersionChange)
    app.add_directive("linuxmm-lifetime", LifetimeDirective)
    app.add_directive("linuxmm-implementations", ImplementationsDirective)
    app.add_directive("linuxmm-api", ApiDirective)
    app.add_directive("linuxmm-symbols", SymbolsDirective)
    app.add_directive("linuxmm-proc-files", ProcFilesDirective)
    app.add_directive("linuxmm-bugs", BugsDirective)
    app.add_directive("linuxmm-timeline", TimelineDirective)
    app.add_directive("linuxmm-matrix", MatrixDirective)
    app.add_directive("linuxmm-commits", CommitsDirective)
    app.add_directive("linuxmm-pages", PagesDirective)
    app.add_directive("linuxmm-cli", CliDirective)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
