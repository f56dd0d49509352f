"""Allocation flags as the model's public API spells them.

The numeric values are those of the 2.6.2x kernels (``include/linux/gfp.h``
before the 4.x renumbering), chosen once so that traces print familiar
masks (``GFP_KERNEL`` is ``0xd0``).  Every era interprets them in its own
terms: 0.01 ignores them; 1.0 to 2.2 map them onto the old priorities
(``GFP_ATOMIC`` never sleeps or reclaims, ``GFP_BUFFER`` gives up when the
free list is empty); zoned kernels take the zone from the low bits.

What a report prints is each era's own: :func:`gfp_era` describes an era's
bits and ``%pGg`` names, :func:`era_gfp` translates a mask to them and
:func:`format_gfp` renders it as that era's "page allocation failure" line
did (``0xcc0(GFP_KERNEL)`` from 5.1, ``0x24000c0(GFP_KERNEL)`` in 4.6-4.9,
``0xd0`` in 2.6).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

from .checks import check_gfp

__GFP_DMA = 0x01
__GFP_HIGHMEM = 0x02
__GFP_DMA32 = 0x04
__GFP_MOVABLE = 0x08
__GFP_WAIT = 0x10
__GFP_HIGH = 0x20
__GFP_IO = 0x40
__GFP_FS = 0x80
__GFP_COLD = 0x100
__GFP_NOWARN = 0x200
__GFP_REPEAT = 0x400
__GFP_NOFAIL = 0x800
__GFP_NORETRY = 0x1000
__GFP_COMP = 0x4000
__GFP_ZERO = 0x8000
__GFP_HARDWALL = 0x20000
__GFP_RECLAIMABLE = 0x80000

GFP_ZONEMASK = __GFP_DMA | __GFP_HIGHMEM | __GFP_DMA32 | __GFP_MOVABLE

GFP_ATOMIC = __GFP_HIGH
GFP_NOIO = __GFP_WAIT
GFP_NOFS = __GFP_WAIT | __GFP_IO
GFP_KERNEL = __GFP_WAIT | __GFP_IO | __GFP_FS
GFP_USER = GFP_KERNEL | __GFP_HARDWALL
GFP_HIGHUSER = GFP_USER | __GFP_HIGHMEM
GFP_HIGHUSER_MOVABLE = GFP_HIGHUSER | __GFP_MOVABLE
GFP_DMA = __GFP_DMA
GFP_DMA32 = __GFP_DMA32
#: 1.0's GFP_BUFFER: may not start I/O and gives up rather than reclaim.
GFP_BUFFER = GFP_NOIO

__all__ = [name for name in dir() if name.startswith(("GFP_", "__GFP_"))]


def gfp_names(mask: int) -> str:
    """Render a mask the way ``show_gfp_flags`` does: ``GFP_KERNEL|__GFP_ZERO``."""
    names = []
    rest = mask
    for combo in ("GFP_HIGHUSER_MOVABLE", "GFP_HIGHUSER", "GFP_USER", "GFP_KERNEL", "GFP_NOFS", "GFP_NOIO", "GFP_ATOMIC"):
        value = globals()[combo]
        if value and rest & value == value:
            names.append(combo)
            rest &= ~value
            break
    for name in sorted((n for n in __all__ if n.startswith("__GFP_")), key=lambda n: globals()[n]):
        if rest & globals()[name]:
            names.append(name)
            rest &= ~globals()[name]
    if rest:
        names.append(hex(rest))
    return "|".join(names) or "0"


# ---------------------------------------------------------------------------------------------
# Each era's own bit values and its ``%pGg``
# ---------------------------------------------------------------------------------------------
#
# The values above are the model's API and never change.  What a kernel *printed* is another
# matter: the bits were renumbered several times, and from 4.6 the failure report names them.
# ``gfp_era(kernel.has)`` describes one era (computed once, at boot); ``era_gfp`` turns a model
# mask into the mask a caller of that era passed; ``format_gfp`` renders it as the era's report
# did.  x86_64 with the defconfig's choices: no LOCKDEP, and no KASAN_HW_TAGS (an arm64 option),
# so the bits those options add are 0 and their names are not in the table.  Sources: the
# ``include/linux/gfp.h`` (later ``gfp_types.h``) and ``include/trace/events/mmflags.h`` of each
# tree listed in docs/sources.md.


def _step(layout: Mapping[str, int], drop: tuple[str, ...] = (), **add: int) -> dict[str, int]:
    new = {name: value for name, value in layout.items() if name not in drop}
    new.update(add)
    return new


#: 2.6.0-2.6.13: the bits the model's flags stand for, as the 2.6.11 and 2.6.20 trees define
#: them [V].  __GFP_ZERO is in the 2.6.11 tree; earlier 2.6 trees were not read [S].
_LAYOUT_2_6 = {"DMA": 0x01, "HIGHMEM": 0x02, "WAIT": 0x10, "HIGH": 0x20, "IO": 0x40, "FS": 0x80,
               "COLD": 0x100, "NOWARN": 0x200, "REPEAT": 0x400, "NOFAIL": 0x800, "NORETRY": 0x1000,
               "COMP": 0x4000, "ZERO": 0x8000}

#: d0164adc89f6 (4.4): __GFP_WAIT split into the two reclaim bits, __GFP_ATOMIC, and (same
#: series, 016c13daa5c9 [S sha]) __GFP_RECLAIMABLE moved next to __GFP_MOVABLE [V 4.4.1 tree;
#: NOACCOUNT there, ACCOUNT in the 4.6 tree, the same bit].
_LAYOUT_4_4 = {"DMA": 0x01, "HIGHMEM": 0x02, "DMA32": 0x04, "MOVABLE": 0x08, "RECLAIMABLE": 0x10,
               "HIGH": 0x20, "IO": 0x40, "FS": 0x80, "COLD": 0x100, "NOWARN": 0x200, "REPEAT": 0x400,
               "NOFAIL": 0x800, "NORETRY": 0x1000, "MEMALLOC": 0x2000, "COMP": 0x4000, "ZERO": 0x8000,
               "NOMEMALLOC": 0x10000, "HARDWALL": 0x20000, "THISNODE": 0x40000, "ATOMIC": 0x80000,
               "ACCOUNT": 0x100000, "NOTRACK": 0x200000, "DIRECT_RECLAIM": 0x400000,
               "OTHER_NODE": 0x800000, "WRITE": 0x1000000, "KSWAPD_RECLAIM": 0x2000000}

#: 5.1: "mm: shuffle GFP_* flags" (Alexey Dobriyan, posted 2019-01-09) packed GFP_KERNEL and
#: GFP_ATOMIC into the low 12 bits [V patch mail; 5.0.1 tree old, 5.2.1 and 5.4 trees new; 5.1
#: not read, sha not found].
_LAYOUT_5_1 = {"DMA": 0x01, "HIGHMEM": 0x02, "DMA32": 0x04, "MOVABLE": 0x08, "RECLAIMABLE": 0x10,
               "HIGH": 0x20, "IO": 0x40, "FS": 0x80, "ZERO": 0x100, "ATOMIC": 0x200,
               "DIRECT_RECLAIM": 0x400, "KSWAPD_RECLAIM": 0x800, "WRITE": 0x1000, "NOWARN": 0x2000,
               "RETRY_MAYFAIL": 0x4000, "NOFAIL": 0x8000, "NORETRY": 0x10000, "MEMALLOC": 0x20000,
               "COMP": 0x40000, "NOMEMALLOC": 0x80000, "HARDWALL": 0x100000, "THISNODE": 0x200000,
               "ACCOUNT": 0x400000}


def _layouts() -> tuple[tuple[str, Mapping[str, int]], ...]:
    steps: list[tuple[str, Mapping[str, int]]] = [("v2.6.0", _LAYOUT_2_6)]

    def then(ref: str, layout: Mapping[str, int]) -> None:
        steps.append((ref, layout))

    last = lambda: steps[-1][1]  # noqa: E731
    then("f90b1d2f1aaa", _step(last(), HARDWALL=0x20000))  # 2.6.14: cpusets
    then("a2f1b4249007", _step(last(), DMA32=0x04))  # 2.6.15: the x86_64 DMA32 zone
    then("769848c03895", _step(last(), MOVABLE=0x80000))  # 2.6.23 [V 2.6.23.17 tree]
    then("e12ba74d8ff3", _step(last(), RECLAIMABLE=0x80000, MOVABLE=0x100000))  # 2.6.24 [V 2.6.24-2.6.30]
    then("b70d94ee438b", _step(last(), MOVABLE=0x08))  # 2.6.31: a zone modifier [V 2.6.32.9, 3.10]
    then("d0164adc89f6", _LAYOUT_4_4)
    # 4.10: __GFP_OTHER_NODE gone, WRITE and KSWAPD_RECLAIM move down [V 4.9 / 4.10.17 trees]
    then("v4.10", _step(last(), ("OTHER_NODE",), WRITE=0x800000, KSWAPD_RECLAIM=0x1000000))
    # 4.13: __GFP_REPEAT becomes __GFP_RETRY_MAYFAIL, the same bit [V 4.12 / 4.14 trees; S release]
    then("v4.13", _step(last(), ("REPEAT",), RETRY_MAYFAIL=0x400))
    then("453f85d43fa9", _step(last(), ("COLD", "NOTRACK")))  # 4.15, with kmemcheck's removal
    # 4.18: the two stranded bits reused (Shakeel Butt, posted 2018-05-16) [V 4.15.18 / 4.18.0 trees]
    then("v4.18", _step(last(), WRITE=0x100, DIRECT_RECLAIM=0x200000, KSWAPD_RECLAIM=0x400000))
    then("v5.1", _LAYOUT_5_1)
    # 5.14: __GFP_ZEROTAGS, and __GFP_SKIP_KASAN_POISON set even without KASAN_HW_TAGS [V 5.14-rc5,
    # 5.15.55, 5.17-rc5 trees]; from 5.18 that bit is 0 without KASAN_HW_TAGS [V 5.19 tree; S release]
    then("v5.14", _step(last(), ZEROTAGS=0x800000, SKIP_KASAN_POISON=0x1000000))
    then("v5.18", _step(last(), ("SKIP_KASAN_POISON",)))
    # 6.3: __GFP_ATOMIC discarded, 0x200 left unused ("mm: discard __GFP_ATOMIC", NeilBrown, in Mel
    # Gorman's series; its mainline sha was not found) [V 6.2.1 / 6.3.8 trees]
    then("v6.3", _step(last(), ("ATOMIC",)))
    return tuple(steps)


#: The bit layouts, oldest first: (the commit or release that made the change, the layout after
#: it).  An era's layout is the last one whose reference the kernel has.
LAYOUTS: tuple[tuple[str, Mapping[str, int]], ...] = _layouts()

#: ``__def_gfpflag_names`` of 4.6 (the failure report names flags from 4.6-rc1, "mm, page_alloc: print
#: symbolic gfp_flags on allocation failure", Vlastimil Babka, in the since-4.5 mmotm branch
#: [V shortlog; 4.4.11 / 4.6.2 trees]): combinations first, then single flags; %pGg takes every
#: entry whose bits are all still unclaimed.
_NAMES_4_6 = ("GFP_TRANSHUGE", "GFP_HIGHUSER_MOVABLE", "GFP_HIGHUSER", "GFP_USER", "GFP_TEMPORARY",
              "GFP_KERNEL_ACCOUNT", "GFP_KERNEL", "GFP_NOFS", "GFP_ATOMIC", "GFP_NOIO", "GFP_NOWAIT",
              "GFP_DMA", "__GFP_HIGHMEM", "GFP_DMA32", "__GFP_HIGH", "__GFP_ATOMIC", "__GFP_IO",
              "__GFP_FS", "__GFP_COLD", "__GFP_NOWARN", "__GFP_REPEAT", "__GFP_NOFAIL", "__GFP_NORETRY",
              "__GFP_COMP", "__GFP_ZERO", "__GFP_NOMEMALLOC", "__GFP_MEMALLOC", "__GFP_HARDWALL",
              "__GFP_THISNODE", "__GFP_RECLAIMABLE", "__GFP_MOVABLE", "__GFP_ACCOUNT", "__GFP_NOTRACK",
              "__GFP_WRITE", "__GFP_RECLAIM", "__GFP_DIRECT_RECLAIM", "__GFP_KSWAPD_RECLAIM",
              "__GFP_OTHER_NODE")

#: ca29a0bf1221 (6.15): the combinations, then __GFP_RECLAIM, then every single flag in bit
#: order [V 6.18.2 tree, linux-mm tree].
_NAMES_6_15 = ("GFP_TRANSHUGE", "GFP_TRANSHUGE_LIGHT", "GFP_HIGHUSER_MOVABLE", "GFP_HIGHUSER", "GFP_USER",
               "GFP_KERNEL_ACCOUNT", "GFP_KERNEL", "GFP_NOFS", "GFP_ATOMIC", "GFP_NOIO", "GFP_NOWAIT",
               "GFP_DMA", "GFP_DMA32", "__GFP_RECLAIM", "__GFP_DMA", "__GFP_HIGHMEM", "__GFP_DMA32",
               "__GFP_MOVABLE", "__GFP_RECLAIMABLE", "__GFP_HIGH", "__GFP_IO", "__GFP_FS", "__GFP_ZERO",
               "__GFP_DIRECT_RECLAIM", "__GFP_KSWAPD_RECLAIM", "__GFP_WRITE", "__GFP_NOWARN",
               "__GFP_RETRY_MAYFAIL", "__GFP_NOFAIL", "__GFP_NORETRY", "__GFP_MEMALLOC", "__GFP_COMP",
               "__GFP_NOMEMALLOC", "__GFP_HARDWALL", "__GFP_THISNODE", "__GFP_ACCOUNT", "__GFP_ZEROTAGS")


def _edit(names: tuple[str, ...], drop: tuple[str, ...] = (), after: Mapping[str, str] | None = None,
          rename: Mapping[str, str] | None = None, append: tuple[str, ...] = ()) -> tuple[str, ...]:
    out: list[str] = []
    for name in names:
        if name in drop:
            continue
        out.append((rename or {}).get(name, name))
        for new, anchor in (after or {}).items():
            if anchor == name:
                out.append(new)
    return tuple(out) + append


def _name_tables() -> tuple[tuple[str, tuple[str, ...] | None], ...]:
    steps: list[tuple[str, tuple[str, ...] | None]] = [("v2.6.0", None), ("v4.6-rc1", _NAMES_4_6)]

    def then(ref: str, **edit) -> None:
        steps.append((ref, _edit(steps[-1][1], **edit)))

    then("v4.8", after={"GFP_TRANSHUGE_LIGHT": "GFP_TRANSHUGE"})  # [V 4.7.4 / 4.8.15 trees]
    then("v4.10", drop=("__GFP_OTHER_NODE",))  # [V 4.9 / 4.10.17 trees]
    then("v4.13", rename={"__GFP_REPEAT": "__GFP_RETRY_MAYFAIL"})  # [V 4.12 / 4.14; S release]
    then("0ee931c4e31a", drop=("GFP_TEMPORARY",))  # 4.14
    then("453f85d43fa9", drop=("__GFP_COLD", "__GFP_NOTRACK"))  # 4.15
    # two names appended [V 5.15.55 tree; the 5.14-rc5 table lacks them; S release]
    then("v5.15", append=("__GFP_ZEROTAGS", "__GFP_SKIP_KASAN_POISON"))
    # the KASAN names only with KASAN_HW_TAGS [V 5.19 tree; S release]
    then("v5.18", drop=("__GFP_SKIP_KASAN_POISON",))
    then("v6.3", drop=("__GFP_ATOMIC",))  # [V 6.2.1 / 6.3.8 trees]
    steps.append(("ca29a0bf1221", _NAMES_6_15))
    return tuple(steps)


#: The %pGg name tables, oldest first: (reference, names in table order).  None: the era's
#: failure report printed the mask in hex only.
NAME_TABLES: tuple[tuple[str, tuple[str, ...] | None], ...] = _name_tables()

#: The model's flags and the era flag each one is (__GFP_WAIT is handled apart).
_MODEL_FLAGS = (("DMA", __GFP_DMA), ("HIGHMEM", __GFP_HIGHMEM), ("DMA32", __GFP_DMA32),
                ("MOVABLE", __GFP_MOVABLE), ("HIGH", __GFP_HIGH), ("IO", __GFP_IO), ("FS", __GFP_FS),
                ("COLD", __GFP_COLD), ("NOWARN", __GFP_NOWARN), ("REPEAT", __GFP_REPEAT),
                ("NOFAIL", __GFP_NOFAIL), ("NORETRY", __GFP_NORETRY), ("COMP", __GFP_COMP),
                ("ZERO", __GFP_ZERO), ("HARDWALL", __GFP_HARDWALL), ("RECLAIMABLE", __GFP_RECLAIMABLE))


@dataclass(frozen=True, eq=False)
class GfpEra:
    """One era's GFP bits and ``%pGg`` table; build it with :func:`gfp_era` (once, at boot).

    ``refs`` are the layout's and the name table's references (commit shas or release
    tags); ``layout`` maps the era's flag names (without ``__GFP_``) to their bits;
    ``names`` is ``gfpflag_names`` as ``(name, bits)`` pairs in table order, empty where
    the era's failure report printed hex only.
    """

    refs: tuple[str, str]
    layout: Mapping[str, int]
    names: tuple[tuple[str, int], ...]
    direct: tuple[tuple[int, int], ...]
    wait: int
    kswapd: int
    atomic: int
    highuser_movable_extra: int

    def __repr__(self) -> str:
        return f"GfpEra(layout={self.refs[0]}, names={self.refs[1]})"


def _combinations(bits: Mapping[str, int], nowait_nowarn: bool, transhuge_light: bool) -> dict[str, int]:
    """The GFP_* combinations of an era with reclaim bits, as its gfp.h builds them."""
    get = bits.get
    reclaim = get("DIRECT_RECLAIM", 0) | get("KSWAPD_RECLAIM", 0)
    kernel = reclaim | bits["IO"] | bits["FS"]
    user = kernel | bits["HARDWALL"]
    highuser = user | bits["HIGHMEM"]
    movable = highuser | bits["MOVABLE"] | get("SKIP_KASAN_POISON", 0)
    if transhuge_light:  # 4.8 on [V 4.8.15, 5.x, 6.x]
        light = (movable | bits["COMP"] | bits["NOMEMALLOC"] | bits["NOWARN"]) & ~reclaim
        transhuge = light | bits["DIRECT_RECLAIM"]
    else:  # 4.6 [V 4.6.2]
        light = 0
        transhuge = (movable | bits["COMP"] | bits["NOMEMALLOC"] | bits["NORETRY"] | bits["NOWARN"]) & ~reclaim
    return {"GFP_TRANSHUGE": transhuge, "GFP_TRANSHUGE_LIGHT": light, "GFP_HIGHUSER_MOVABLE": movable,
            "GFP_HIGHUSER": highuser, "GFP_USER": user, "GFP_TEMPORARY": kernel | bits["RECLAIMABLE"],
            "GFP_KERNEL_ACCOUNT": kernel | bits["ACCOUNT"], "GFP_KERNEL": kernel, "GFP_NOFS": reclaim | bits["IO"],
            "GFP_ATOMIC": bits["HIGH"] | get("ATOMIC", 0) | bits["KSWAPD_RECLAIM"], "GFP_NOIO": reclaim,
            "GFP_NOWAIT": bits["KSWAPD_RECLAIM"] | (bits["NOWARN"] if nowait_nowarn else 0),
            "GFP_DMA": bits["DMA"], "GFP_DMA32": bits["DMA32"], "__GFP_RECLAIM": reclaim}


def _last(table, has: Callable[[str], bool]):
    chosen = table[0]
    for entry in table[1:]:
        if has(entry[0]):
            chosen = entry
    return chosen


def gfp_era(has: Callable[[str], bool]) -> GfpEra:
    """The GFP era of a kernel, from its ``has`` (``kernel.has``); call it once, at boot.

    >>> import linuxmm
    >>> era = gfp_era(linuxmm.history().resolve("5.4").has)
    >>> format_gfp(GFP_KERNEL | __GFP_ZERO, era)
    '0xdc0(GFP_KERNEL|__GFP_ZERO)'
    """
    layout_ref, layout = _last(LAYOUTS, has)
    names_ref, table = _last(NAME_TABLES, has)
    names: tuple[tuple[str, int], ...] = ()
    if table is not None:
        # 16f5dfbc851b (6.8): GFP_NOWAIT carries __GFP_NOWARN; v4.8: GFP_TRANSHUGE_LIGHT
        combos = _combinations(layout, has("16f5dfbc851b"), has("v4.8"))
        values = {**combos, **{"__GFP_" + name: bit for name, bit in layout.items()}}
        names = tuple((name, values[name]) for name in table)
        assert all(bits for _, bits in names), "a zero entry would be printed for any leftover bit"
    if "WAIT" in layout:
        wait = layout["WAIT"]
    else:  # d0164adc89f6: the 2.6 __GFP_WAIT callers became __GFP_RECLAIM (direct and kswapd)
        wait = layout["DIRECT_RECLAIM"] | layout["KSWAPD_RECLAIM"]
    direct = []
    for model_name, model_bit in _MODEL_FLAGS:
        if model_name == "REPEAT" and "RETRY_MAYFAIL" in layout:
            model_name = "RETRY_MAYFAIL"  # dcda9b04713c [S sha]: the same bit, renamed
        direct.append((model_bit, layout.get(model_name, 0)))
    extra = layout.get("SKIP_KASAN_POISON", 0)
    return GfpEra((layout_ref, names_ref), dict(layout), names, tuple(direct), wait,
                  layout.get("KSWAPD_RECLAIM", 0), layout.get("ATOMIC", 0), extra)


def era_gfp(mask: int, era: GfpEra) -> int:
    """The mask a caller of ``era`` passed where the model's caller passed ``mask``.

    Bit for bit, with what the renumberings changed in meaning: __GFP_WAIT is
    __GFP_RECLAIM (both reclaim bits) from d0164adc89f6; a mask without
    __GFP_WAIT carries __GFP_KSWAPD_RECLAIM from then on (every 2.6 allocation
    woke kswapd, and the model has no __GFP_NO_KSWAPD, so GFP_ATOMIC and the
    2.6 GFP_NOWAIT, 0, become the era's GFP_ATOMIC and GFP_NOWAIT); __GFP_HIGH
    without __GFP_WAIT (GFP_ATOMIC) adds __GFP_ATOMIC from 4.4 until 6.3; a full
    GFP_HIGHUSER_MOVABLE adds __GFP_SKIP_KASAN_POISON in 5.14-5.17, as that
    era's GFP_HIGHUSER_MOVABLE did.  Flags the era did not have (__GFP_MOVABLE
    before 2.6.23, __GFP_COLD from 4.15, ...) and bits no name of this module
    has are left out: no caller of that era could pass them.
    """
    mask = check_gfp(mask, "era_gfp")
    out = 0
    for model_bit, era_bits in era.direct:
        if mask & model_bit:
            out |= era_bits
    if mask & __GFP_WAIT:
        out |= era.wait
    else:
        out |= era.kswapd
        if mask & __GFP_HIGH:
            out |= era.atomic
    if mask & GFP_HIGHUSER_MOVABLE == GFP_HIGHUSER_MOVABLE:
        out |= era.highuser_movable_extra
    return out


def format_flags(flags: int, era: GfpEra) -> str:
    """``%pGg`` of an era-valued mask: lib/vsprintf.c ``format_flags`` over the era's table.

    Each entry whose bits are all still set is printed and its bits cleared,
    ``|`` between names; bits no entry claims end the string as ``0x..``
    (``%#lx``).  No flags, no text.  Eras before 4.6 have no table: ``""``.
    """
    flags = check_gfp(flags, "format_flags", "flags")
    if not era.names:
        return ""
    out = []
    for name, bits in era.names:
        if not flags:
            break
        if flags & bits == bits:
            out.append(name)
            flags &= ~bits
    if flags:
        out.append(f"{flags:#x}")
    return "|".join(out)


def format_gfp(mask: int, era: GfpEra) -> str:
    """The ``mode:`` value of the era's failure report for the model's ``mask``.

    ``0x%x`` before 4.6 (``0xd0``), ``%#x(%pGg)`` from 4.6 (``0xcc0(GFP_KERNEL)``).
    The kernel's ``%#x`` of 0 is ``0x0``, unlike C's printf (lib/vsprintf.c
    ``number()`` writes the prefix for base 16 whatever the value).
    """
    flags = era_gfp(mask, era)
    if not era.names:
        return f"0x{flags:x}"
    return f"{flags:#x}({format_flags(flags, era)})"
