"""Figures drawn while the docs build, from deterministic runs of the model.

A figure is one function, decorated with :func:`figure`, that takes no
arguments, runs the model, and returns the matplotlib figure and the numbers
it plotted::

    from linuxmm.sphinx_figures import figure

    @figure
    def purge_flushes():
        \"\"\"TLB flushes against CPUs at 2.6.27 and 2.6.28.\"\"\"
        from matplotlib.figure import Figure   # import matplotlib inside the function
        ...                                     # boot kernels, run, count
        fig = Figure(figsize=(7, 3.5))
        ax = fig.add_subplot()
        ax.plot(cpus, flushes_27, label="v2.6.27")
        return fig, {"cpus": cpus, "v2.6.27 tlb_flushes": flushes_27}

A page shows it with ``{linuxmm-figure} module:function`` (the caption is the
directive's content, else the docstring's first paragraph).  The page shows
the plotted numbers under the figure and the command that redraws it::

    python -m linuxmm.sphinx_figures module:function out.png

Rules that keep the site honest and the build fast: the run is deterministic
(fixed versions, sizes and seeds; no clock, no randomness without a seed);
it takes well under a few seconds; the returned numbers are exactly what is
plotted, so a test can assert them; matplotlib is imported inside the
function (it is a docs and test extra, not a dependency); use
``matplotlib.figure.Figure`` rather than pyplot, so no display or global state
is involved (the Agg backend is selected anyway).
"""

from __future__ import annotations

import importlib
import re
import os
import sys
from pathlib import Path
from typing import Any, Callable, Mapping

#: Every figure function defined so far, by ``module:qualname``.
FIGURES: dict[str, Callable[[], tuple[Any, Mapping[str, Any]]]] = {}


def figure(fn: Callable[[], tuple[Any, Mapping[str, Any]]]) -> Callable[[], tuple[Any, Mapping[str, Any]]]:
    """Mark ``fn`` as a figure the ``linuxmm-figure`` directive may draw."""
    fn.__linuxmm_figure__ = True  # type: ignore[attr-defined]
    FIGURES[f"{fn.__module__}:{fn.__qualname__}"] = fn
    return fn


def load(spec: str) -> Callable[[], tuple[Any, Mapping[str, Any]]]:
    """The figure function named ``module:function`` (ValueError if it is not one)."""
    module_name, sep, name = spec.strip().partition(":")
    if not sep or not module_name or not name:
        raise ValueError(f"{spec!r}: expected module:function, e.g. linuxmm.sphinx_figures:free_blocks_per_order")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ValueError(f"{spec!r}: cannot import {module_name}: {exc}") from None
    fn: Any = module
    for part in name.split("."):
        fn = getattr(fn, part, None)
    if fn is None or not getattr(fn, "__linuxmm_figure__", False):
        raise ValueError(f"{spec!r} is not a function decorated with @linuxmm.sphinx_figures.figure")
    return fn


def draw(spec: str, path: str | os.PathLike) -> dict[str, Any]:
    """Run the figure ``spec``, write its PNG to ``path``, and return the numbers it plotted."""
    import matplotlib

    matplotlib.use("Agg")
    fn = load(spec)
    fig, data = fn()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, metadata={"Software": None})
    try:
        import matplotlib.pyplot as plt

        plt.close(fig)
    except Exception:  # a Figure made without pyplot is not pyplot's to close
        pass
    return dict(data)


def regenerate_command(spec: str) -> str:
    """The shell command that redraws a figure."""
    name = spec.partition(":")[2].rsplit(".", 1)[-1]
    return f"python -m linuxmm.sphinx_figures {spec} {name}.png"


def format_value(value: Any) -> str:
    """A plotted value as the page shows it."""
    if isinstance(value, (list, tuple)):
        return " ".join(format_value(v) for v in value)
    return str(value)


# -- the directive ---------------------------------------------------------------
try:  # the directive needs Sphinx; the figure functions and the command line do not
    from docutils import nodes
    from sphinx.util.docutils import SphinxDirective
except ImportError:  # pragma: no cover
    SphinxDirective = object  # type: ignore[assignment,misc]


class FigureDirective(SphinxDirective):  # type: ignore[misc,valid-type]
    """``{linuxmm-figure} module:function``: draw a registered figure and show it with its numbers."""

    required_arguments = 1
    has_content = True
    option_spec = {"alt": lambda v: (v or "").strip(), "width": lambda v: (v or "").strip()}

    def run(self) -> list:
        from .sphinx_registry import make_table

        spec = self.arguments[0]
        self.env.note_reread()  # the figure depends on the model, not only on this page
        outdir = Path(self.env.doctreedir) / "linuxmm-figures"
        name = spec.replace(":", "-").replace(".", "-")
        png = outdir / f"{name}.png"
        try:
            data = draw(spec, png)
        except Exception as exc:  # any failure of a figure is a build failure under -W
            return [self.state.document.reporter.warning(f"linuxmm-figure {spec}: {exc}", line=self.lineno)]
        docdir = Path(self.env.doc2path(self.env.docname)).parent
        fig = nodes.figure(classes=["linuxmm-figure"])
        fn = load(spec)
        image = nodes.image(uri=os.path.relpath(png, docdir), alt=self.options.get("alt") or (fn.__doc__ or spec).strip().split("\n")[0])
        if self.options.get("width"):
            image["width"] = self.options["width"]
        fig += image
        caption = nodes.caption()
        if self.content:
            parsed = self.parse_content_to_nodes()
            for node in parsed:
                if isinstance(node, nodes.paragraph):
                    caption += node.children
                else:
                    fig += node
        else:  # the docstring's first paragraph, its reST literals written as Markdown ones
            text = " ".join((fn.__doc__ or spec).strip().split("\n\n")[0].split())
            inline, _ = self.parse_inline(re.sub(r"``(.+?)``", r"`\1`", text), lineno=self.lineno)
            caption += inline
        fig += caption
        legend = nodes.legend()
        rows = [[key, format_value(value)] for key, value in data.items()]
        legend += make_table(None, ["plotted", "values"], rows, classes=["linuxmm-figure-data"], widths=[1, 4])
        regen = nodes.paragraph()
        regen += nodes.Text("Redraw it: ")
        command = regenerate_command(spec)
        regen += nodes.literal(command, command)
        legend += regen
        fig += legend
        fig["ids"].append(nodes.make_id(f"figure-{name}"))
        return [fig]


def setup(app: Any) -> dict:
    app.add_directive("linuxmm-figure", FigureDirective)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}


# -- figures of the page allocator chapter --------------------------------------------------
FRAGMENT_VERSION, FRAGMENT_MEM = "2.6.28", "256M"


def _nr_free(kernel: Any) -> list[int]:
    """Free blocks per order, summed over the zones (what /proc/buddyinfo's columns add up to)."""
    zones = kernel.page_alloc.zone_info()
    return [sum(z.nr_free[order] for z in zones) for order in range(len(zones[0].nr_free))]


@figure
def free_blocks_per_order():
    """Free blocks per order at v2.6.28 with 256M, before and after the ``fragment`` workload.

    The workload fills memory with single pages and frees every other one:
    almost all free memory ends up in order-0 blocks, whose buddies are in use.
    """
    import linuxmm
    from matplotlib.figure import Figure

    k = linuxmm.boot(FRAGMENT_VERSION, mem=FRAGMENT_MEM)
    before = _nr_free(k)
    k.host.workloads["fragment"].run(k, 0)
    after = _nr_free(k)
    orders = list(range(len(before)))
    fig = Figure(figsize=(8, 3.6), layout="constrained")
    ax = fig.add_subplot()
    width = 0.4
    ax.bar([o - width / 2 for o in orders], before, width, label="after boot", color="#4878a8")
    ax.bar([o + width / 2 for o in orders], after, width, label="after fragment", color="#d9822b")
    ax.set_yscale("symlog", linthresh=1)
    ax.set_xticks(orders)
    ax.set_xlabel("order (block of 2^order pages)")
    ax.set_ylabel("free blocks (all zones)")
    ax.set_title(f"v{FRAGMENT_VERSION}, mem={FRAGMENT_MEM}: free blocks per order")
    ax.legend()
    ax.grid(axis="y", alpha=0.3)
    return fig, {"order": orders, "free blocks after boot": before, "free blocks after fragment": after}


def _biggest_zone(kernel: Any) -> Any:
    return max(kernel.page_alloc.zone_info(), key=lambda z: z.present_pages)


@figure
def fragmentation_over_workload():
    """The unusable-free-space index (orders 3 and 9) and the fragmentation index (order 9) of
    the largest zone at v2.6.28 with 64M, sampled every 1024 steps of a workload that fills
    memory with single pages, frees every other one, then frees the rest.

    An index of 1.0 means none of the free memory can serve the order; the fragmentation index
    (``extfrag_index``) is only defined while the order cannot be served, and is shown there.
    """
    import linuxmm
    from matplotlib.figure import Figure

    from .fragmentation import fill_contig_block_info, fragmentation_index, unusable_free_index

    k = linuxmm.boot(FRAGMENT_VERSION, mem="64M")
    pa = k.page_alloc
    gfp = linuxmm.GFP_ATOMIC | linuxmm.__GFP_NOWARN
    step = 1024
    steps: list[int] = []
    unusable3: list[int] = []
    unusable9: list[int] = []
    extfrag9: list[int] = []
    count = 0

    def sample() -> None:
        zone = _biggest_zone(k)
        steps.append(count)
        unusable3.append(unusable_free_index(3, fill_contig_block_info(zone.nr_free, 3)))
        unusable9.append(unusable_free_index(9, fill_contig_block_info(zone.nr_free, 9)))
        extfrag9.append(fragmentation_index(9, fill_contig_block_info(zone.nr_free, 9)))

    sample()
    pages: list[int] = []
    phases = []
    while True:
        addr = pa.alloc_block(0, gfp)
        if not addr:
            break
        pages.append(addr)
        count += 1
        if count % step == 0:
            sample()
    phases.append(count)
    for addr in pages[::2] + pages[1::2]:
        pa.free_block(addr, 0)
        count += 1
        if count % step == 0:
            sample()
        if count - phases[0] == len(pages[::2]):
            phases.append(count)
    sample()
    fig = Figure(figsize=(8, 3.6), layout="constrained")
    ax = fig.add_subplot()
    ax.plot(steps, [v / 1000 for v in unusable3], marker=".", label="unusable index, order 3")
    ax.plot(steps, [v / 1000 for v in unusable9], marker=".", label="unusable index, order 9")
    shown = [(s, v / 1000) for s, v in zip(steps, extfrag9) if v >= 0]
    if shown:
        ax.plot([s for s, _ in shown], [v for _, v in shown], "x", color="#b03030",
                label="fragmentation index, order 9 (where defined)")
    for at, label in zip(phases, ("every page allocated", "every other page freed")):
        ax.axvline(at, color="grey", linestyle=":", linewidth=1)
        ax.annotate(label, (at, 1.02), fontsize=8, ha="center", va="bottom", annotation_clip=False)
    ax.set_ylim(-0.05, 1.12)
    ax.set_xlabel("workload step (one allocation or free)")
    ax.set_ylabel("index")
    ax.set_title(f"v{FRAGMENT_VERSION}, mem=64M, zone {_biggest_zone(k).name}", pad=16)
    ax.legend(loc="center left", fontsize=8)
    return fig, {"step": steps, "unusable index order 3 (thousandths)": unusable3,
                 "unusable index order 9 (thousandths)": unusable9,
                 "fragmentation index order 9 (thousandths)": extfrag9, "phase ends at step": phases}


def main(argv: list[str] | None = None) -> int:
    """``python -m linuxmm.sphinx_figures module:function out.png``: redraw one figure and print its numbers."""
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        print("usage: python -m linuxmm.sphinx_figures module:function out.png", file=sys.stderr)
        return 2
    try:
        data = draw(argv[0], argv[1])
    except ValueError as exc:
        print(f"linuxmm.sphinx_figures: error: {exc}", file=sys.stderr)
        return 2
    for key, value in data.items():
        print(f"{key}: {format_value(value)}")
    print(f"wrote {argv[1]}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
