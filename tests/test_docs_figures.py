"""The figures of the site plot exactly the numbers the model gives, and redraw from the command line."""

import pytest

import linuxmm
from linuxmm import sphinx_figures
from linuxmm.sphinx_figures import draw, format_value, free_blocks_per_order, fragmentation_over_workload, load, main

pytest.importorskip("matplotlib")


def _buddyinfo_sums(text):
    rows = [list(map(int, line.split()[4:])) for line in text.splitlines()]
    return [sum(col) for col in zip(*rows)]


def test_free_blocks_figure_plots_buddyinfo_before_and_after_fragment():
    fig, data = free_blocks_per_order()
    assert data["order"] == list(range(11))
    # boot at 2.6.28 with 256M: DMA 1 1 1 1 1 2 1 0 1 0 2, DMA32 59 blocks of order 10
    assert data["free blocks after boot"] == [1, 1, 1, 1, 1, 2, 1, 0, 1, 0, 61]
    # after `run fragment`: DMA 1106 1 0 1 1 1 1 1 0 0 0 and DMA32 30031 1 1 1 1 1 0 1 0 0 0
    assert data["free blocks after fragment"] == [31137, 2, 1, 2, 2, 2, 1, 2, 0, 0, 0]
    k = linuxmm.boot("2.6.28", mem="256M")
    assert _buddyinfo_sums(k.proc("buddyinfo")) == data["free blocks after boot"]
    k.host.workloads["fragment"].run(k, 0)
    assert _buddyinfo_sums(k.proc("buddyinfo")) == data["free blocks after fragment"]
    ax, = fig.axes
    assert [round(p.get_height()) for p in ax.patches[11:]] == data["free blocks after fragment"]


def test_fragmentation_figure_samples_the_kernels_indexes():
    fig, data = fragmentation_over_workload()
    steps = data["step"]
    assert steps[:3] == [0, 1024, 2048] and data["phase ends at step"] == [14352, 21528]
    assert steps[-1] == 28704  # every page allocated, then every one freed
    # fresh boot: order-9 blocks serve order 9; the index says so
    assert data["unusable index order 9 (thousandths)"][0] == 21
    assert data["fragmentation index order 9 (thousandths)"][0] == -1000
    # every other page freed: nothing of order 3 or more is left, and the failure is fragmentation
    at = steps.index(20480)
    assert data["unusable index order 3 (thousandths)"][at] == 987
    assert data["unusable index order 9 (thousandths)"][at] == 1000
    assert data["fragmentation index order 9 (thousandths)"][at] == 998
    assert len(fig.axes[0].lines) == 3 + 2  # two indexes, the defined extfrag points, two phase rules


def test_figures_must_be_registered():
    assert sphinx_figures.FIGURES["linuxmm.sphinx_figures:free_blocks_per_order"] is free_blocks_per_order
    with pytest.raises(ValueError, match="not a function decorated"):
        load("linuxmm.sphinx_figures:draw")
    with pytest.raises(ValueError, match="expected module:function"):
        load("linuxmm.sphinx_figures")
    with pytest.raises(ValueError, match="cannot import"):
        load("linuxmm.nosuchmodule:figure")


def test_redraw_from_the_command_line(tmp_path, capsys):
    out = tmp_path / "f.png"
    assert main(["linuxmm.sphinx_figures:free_blocks_per_order", str(out)]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    printed = capsys.readouterr().out
    assert "free blocks after fragment: 31137 2 1 2 2 2 1 2 0 0 0\n" in printed
    assert main(["linuxmm.sphinx_figures:nothing", str(out)]) == 2
    assert format_value([1, [2, 3]]) == "1 2 3"


def test_same_run_same_png(tmp_path):
    a, b = tmp_path / "a.png", tmp_path / "b.png"
    draw("linuxmm.sphinx_figures:fragmentation_over_workload", a)
    draw("linuxmm.sphinx_figures:fragmentation_over_workload", b)
    assert a.read_bytes() == b.read_bytes()


def test_figure_directive_shows_image_numbers_and_redraw_command(tmp_path):
    from test_docs_registry import _build

    status, text = _build(tmp_path, "# t\n\n```{linuxmm-figure} linuxmm.sphinx_figures:free_blocks_per_order\n```\n")
    assert status == 0
    assert "free blocks after fragment 31137 2 1 2 2 2 1 2 0 0 0" in text
    assert ("python -m linuxmm.sphinx_figures linuxmm.sphinx_figures:free_blocks_per_order "
            "free_blocks_per_order.png") in text
    assert (tmp_path / "out" / "_images" / "linuxmm-sphinx_figures-free_blocks_per_order.png").exists()


def test_a_failing_figure_fails_the_build(tmp_path):
    from test_docs_registry import _build

    status, _ = _build(tmp_path, "# t\n\n```{linuxmm-figure} linuxmm.sphinx_figures:draw\n```\n")
    assert status != 0
