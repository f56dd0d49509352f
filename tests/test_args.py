"""Kernel calls of the page allocators refuse arguments of the wrong type, at every era.

``alloc_pages(GFP_KERNEL, None)`` would not compile in C; here it raises
:class:`linuxmm.errors.ArgumentError` naming the function and the parameter, with
nothing changed in the kernel -- never a Python ``TypeError`` from inside the
allocator, and never a float or a bool taken as the int it equals (``order=0.0``,
``order=False``, ``gfp_mask=True``), however fast the path that meets it.
"""

from __future__ import annotations

import enum

import pytest

import linuxmm
from linuxmm import GFP_KERNEL, ArgumentError

#: Values of the wrong type, and how the message shows each.
BAD = [(None, "None"), (1.5, "float 1.5"), ("0", "str '0'"), (True, "a bool (True)")]
#: The wrong types that compare equal to 0: the fast paths must not take them for order 0.
ZERO_LIKE = [(0.0, "float 0.0"), (False, "a bool (False)")]

BOOT = {"0.01": None, "0.11": None, "1.0": "64M", "1.2.0": "64M", "2.0": "64M", "2.2.0": "64M",
        "2.4.0": "64M", "2.6.20": None, "2.6.28": None, "4.4": None, "6.18": None}

#: Per era: (kernel call, its parameters in order).  "gfp_mask" and "order" are taken
#: GFP_KERNEL and 0 when not under test; "addr"/"page" an allocated order-0 block.
CALLS = {
    "0.01": [("free_page", ("addr",))],
    "0.11": [("free_page", ("addr",))],
    "1.0": [("__get_free_page", ("gfp_mask",)), ("get_free_page", ("gfp_mask",)), ("free_page", ("addr",))],
}
_OLD = [("__get_free_pages", ("gfp_mask", "order")), ("__get_free_page", ("gfp_mask",)),
        ("get_free_page", ("gfp_mask",)), ("__get_dma_pages", ("gfp_mask", "order")),
        ("free_pages", ("addr", "order")), ("free_page", ("addr",))]
CALLS.update({"1.2.0": _OLD, "2.0": _OLD, "2.2.0": _OLD})
CALLS["2.4.0"] = [("alloc_pages", ("gfp_mask", "order")), ("alloc_page", ("gfp_mask",)),
                  ("__get_free_pages", ("gfp_mask", "order")), ("__get_free_page", ("gfp_mask",)),
                  ("get_zeroed_page", ("gfp_mask",)), ("get_free_page", ("gfp_mask",)),
                  ("__get_dma_pages", ("gfp_mask", "order")), ("__free_pages", ("page", "order")),
                  ("__free_page", ("page",)), ("free_pages", ("addr", "order")), ("free_page", ("addr",))]
_BUDDY = [("alloc_pages", ("gfp_mask", "order")), ("alloc_page", ("gfp_mask",)),
          ("__get_free_pages", ("gfp_mask", "order")), ("__get_free_page", ("gfp_mask",)),
          ("get_zeroed_page", ("gfp_mask",)), ("__free_pages", ("page", "order")),
          ("free_pages", ("addr", "order")), ("free_page", ("addr",))]
CALLS.update({"2.6.20": _BUDDY, "2.6.28": _BUDDY, "4.4": _BUDDY, "6.18": _BUDDY})

#: 2.4's get_free_page is mm.h's #define of get_zeroed_page: the call that runs is that one.
NAMED = {("2.4.0", "get_free_page"): "get_zeroed_page"}


def _boot(version):
    return linuxmm.boot(version, mem=BOOT[version])


def _block(k):
    """An allocated order-0 block's address, with the era's own call."""
    return k.page_alloc.alloc_block(0, GFP_KERNEL)


def _state(k):
    pa = k.page_alloc
    return pa.nr_free_pages(), pa.allocated_pages(), list(k.dmesg), dict(k.counters)


def _cases():
    for version, calls in CALLS.items():
        for func, params in calls:
            for i, param in enumerate(params):
                bad = BAD + (ZERO_LIKE if param == "order" else [])
                for value, shown in bad:
                    yield pytest.param(version, func, params, i, value, shown,
                                       id=f"{version}-{func}-{param}={value!r}")


@pytest.mark.parametrize("version, func, params, i, value, shown", list(_cases()))
def test_wrong_type_is_refused_by_name(version, func, params, i, value, shown):
    k = _boot(version)
    addr = _block(k)
    fill = {"gfp_mask": GFP_KERNEL, "order": 0, "addr": addr, "page": addr}
    args = [value if j == i else fill[p] for j, p in enumerate(params)]
    before = _state(k)
    with pytest.raises(ArgumentError) as err:
        getattr(k, func)(*args)
    name = NAMED.get((version, func), func)
    assert str(err.value) == f"{name}: {params[i]} must be an int, not {shown}"
    assert err.value.__suppress_context__ or err.value.__context__ is None  # one error, not a chain
    assert _state(k) == before  # nothing allocated, freed or logged
    k.page_alloc.free_block(addr, 0)  # the block is still the caller's
    assert k.violations() == []


@pytest.mark.parametrize("version", ["2.6.20", "2.6.28", "4.4", "6.18", "1.2.0", "2.2.0", "2.4.0"])
def test_fast_paths_refuse_zero_like_orders_after_warming_up(version):
    # the fast path has served order 0 many times; 0.0 and False still do not pass as 0
    k = _boot(version)
    alloc = getattr(k, "alloc_pages", None) if version.startswith(("2.4", "2.6", "4", "6")) else None
    alloc = alloc or getattr(k, "__get_free_pages")
    free = k.free_pages
    for _ in range(200):
        free(alloc(GFP_KERNEL, 0), 0)
    a = alloc(GFP_KERNEL, 0)
    before = _state(k)
    for order in (0.0, False):
        with pytest.raises(ArgumentError):
            alloc(GFP_KERNEL, order)
        with pytest.raises(ArgumentError):
            free(a, order)
    for mask in (float(GFP_KERNEL), True, False):
        with pytest.raises(ArgumentError, match="gfp_mask must be an int, not "):
            alloc(mask, 0)
    with pytest.raises(ArgumentError, match=r"addr must be an int, not float"):
        free(float(a), 0)
    assert _state(k) == before
    free(a, 0)
    assert k.violations() == []


def test_out_of_range_gfp_is_refused():
    k = linuxmm.boot("6.18")
    with pytest.raises(ArgumentError) as err:
        k.alloc_pages(-1, 0)
    assert str(err.value) == "alloc_pages: gfp_mask must be at least 0, not -1"
    with pytest.raises(ArgumentError) as err:
        k.alloc_pages(1 << 32, 0)
    assert str(err.value) == "alloc_pages: gfp_mask must be at most 4294967295, not 4294967296"


class Order(enum.IntEnum):
    ZERO = 0
    THREE = 3


@pytest.mark.parametrize("version", ["2.6.28", "6.18", "2.4.0", "1.2.0"])
def test_int_subclasses_are_ints(version):
    k = _boot(version)
    alloc = k.alloc_pages if version[0] in "246" and version != "2.2.0" else getattr(k, "__get_free_pages")
    a = alloc(GFP_KERNEL, Order.THREE)
    b = alloc(GFP_KERNEL, Order.ZERO)
    assert a and b
    k.free_pages(a, Order.THREE)
    k.free_pages(b, Order.ZERO)
    assert k.violations() == [] and k.page_alloc.allocated_pages() == 0


def test_a_negative_address_is_still_the_i386_wrap_around():
    # an int of the right type reaches the era: 0.01 reads -4096 as the unsigned 0xfffff000
    k = linuxmm.boot("0.01")
    with pytest.raises(linuxmm.KernelPanic):
        k.free_page(-4096)
    assert k.dmesg[-1] == "Kernel panic: trying to free nonexistent page"


def test_workload_files_are_checked_before_the_kernel_is_called(tmp_path, capsys):
    from linuxmm.cli import main

    path = tmp_path / "bad.toml"
    path.write_text('[kernel]\nversion = "6.18"\n\n[[op]]\nalloc = "a"\norder = 0.0\n')
    assert main(["run", str(path)]) == 2
    assert capsys.readouterr().err == (f"linuxmm: error: {path}:4: op[0]: alloc: order must be an integer >= 0, "
                                       f"not 0.0\n")


def test_the_api_error_is_one_cli_line(capsys, monkeypatch):
    # a plugin command that passes a float order through to the kernel: one line, exit 2
    from linuxmm import cli
    from linuxmm.records import Command

    def run(args, boot):
        boot().alloc_pages(GFP_KERNEL, 0.0)
        return 0

    host = cli._host()
    monkeypatch.setitem(host.commands, "float-order", Command("float-order", help="x", run=run))
    assert cli.main(["--kernel-version", "6.18", "float-order"]) == 2
    assert capsys.readouterr().err == "linuxmm: error: alloc_pages: order must be an int, not float 0.0\n"
