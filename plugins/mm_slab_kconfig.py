"""Which small-object allocator when: the Kconfig symbols and boot parameters of SLAB, SLOB and SLUB.

The allocator choice as each era's ``init/Kconfig`` (``mm/Kconfig`` from
6.x) wrote it [V: 2.6.20, 2.6.22.15, 2.6.23.17, 2.6.24, 2.6.30, 2.6.34, 3.10,
4.4, 6.2, 6.3, 6.5, 6.8, 6.12 read; docs/sources.md]:

* 2.2 to 2.6.15: ``mm/slab.c`` is always built; there is no ``CONFIG_SLAB``
  to set (the model's ``SLAB`` symbol exists, hidden, from v2.2.0, the first
  stable release with SLAB; ``mm/kmalloc.c`` served 1.0 to 2.0).
* 2.6.16 to 2.6.21 (10cef6029502): ``config SLAB`` "Use full SLAB
  allocator", default y, its prompt shown only ``if (EMBEDDED && !SMP &&
  !SPARSEMEM)``; ``config SLOB`` has no prompt and is ``default !SLAB``.  The
  model writes this as a choice of SLAB and a hidden SLOB that depends on
  those conditions: answering ``SLAB=n`` with ``EMBEDDED=y`` gives SLOB.
  SMP and SPARSEMEM are not symbols of the model: SLOB then refuses a
  machine with more than one CPU.
* 2.6.22 (81819f0fc828): the choice "Choose SLAB allocator" of SLAB, SLUB
  and SLOB, default SLAB; SLOB ``depends on EMBEDDED && !SPARSEMEM``.
* 2.6.23 (a0acd8208076): default SLUB; SLOB ``depends on EMBEDDED``.
* 2.6.39: EMBEDDED renamed EXPERT; SLOB ``depends on EXPERT``; EMBEDDED
  remains as "Embedded system", which selects EXPERT, until 6.6.
* 6.2 (149b6fa228ed, with e240e53ae0ab's SLUB_TINY): the choice member is
  ``SLOB_DEPRECATED`` ("SLOB (Simple Allocator - DEPRECATED)", ``depends on
  EXPERT`` and ``!PREEMPT_RT``); ``SLOB`` is a hidden ``default y`` that
  follows it.  SLAB ``depends on !PREEMPT_RT``.  ``SLUB_TINY`` ``depends on
  SLUB && EXPERT``.
* 6.4 (c9929f0e344a): SLOB and SLOB_DEPRECATED are gone.
* 6.5 (eb07c4f39c3e): the choice member is ``SLAB_DEPRECATED``; ``SLAB``
  is hidden and follows it.
* 6.8 (16a1d968358a): SLAB is gone; ``SLUB`` is ``def_bool y`` with no
  prompt, so ``SLUB=n`` is refused.

``PREEMPT_RT`` is not a symbol of the model: on x86_64 it could not be set
before 6.12, by when SLAB and SLOB were gone, so the ``!PREEMPT_RT``
dependencies never bite; they are written as the record has them.
"""

from __future__ import annotations

from linuxmm import hookimpl
from linuxmm.config import parse_bool
from linuxmm.records import BootParam, Commit, ConfigSymbol

SLOB_INTRO = "10cef6029502"
SLUB_INTRO = "81819f0fc828"
SLUB_DEFAULT = "a0acd8208076"
SLOB_DEPRECATE = "149b6fa228ed"
SLUB_TINY_INTRO = "e240e53ae0ab"
SLOB_REMOVE = "c9929f0e344a"
SLOB_FILE_REMOVE = "6630e950d532"
SLAB_DEPRECATE = "eb07c4f39c3e"
SLAB_REMOVE = "16a1d968358a"

SLAB_ARRIVAL = ("SLAB (mm/slab.c, Mark Hemment's allocator) arrived during the 2.1 development series; "
                "v2.2.0 is the first stable release with it, and 2.0 still uses mm/kmalloc.c")


def _slab_prompt(rev) -> bool:
    # no CONFIG_SLAB before SLOB; a choice member until eb07c4f39c3e hid it behind SLAB_DEPRECATED
    return rev.has(SLOB_INTRO) and not rev.has(SLAB_DEPRECATE)


def _slab_choice(rev):
    return "SLAB_ALLOCATOR" if rev.has(SLOB_INTRO) and not rev.has(SLAB_DEPRECATE) else None


def _slab_default(rev) -> bool:
    if rev.has(SLAB_DEPRECATE):
        return True  # hidden, "default y", depends on SLAB_DEPRECATED
    return not rev.has(SLUB_DEFAULT)


def _slab_depends(rev) -> str:
    if rev.has(SLAB_DEPRECATE):
        return "SLAB_DEPRECATED"
    if rev.has("v6.2"):
        return "!PREEMPT_RT"
    return ""


#: Added to every error about CONFIG_SLAB (a note is one text for all eras).
SLAB_NOTE = (SLAB_ARRIVAL + "; until v2.6.16 (10cef6029502) mm/slab.c was always built, with no CONFIG_SLAB to "
             "set; at v6.5-v6.7 it follows CONFIG_SLAB_DEPRECATED (eb07c4f39c3e), and v6.8 removed it "
             "(16a1d968358a)")


def _slub_default(rev) -> bool:
    return rev.has(SLUB_DEFAULT)


def _slub_prompt(rev) -> bool:
    return not rev.has(SLAB_REMOVE)  # 6.8: def_bool y


def _slub_choice(rev):
    return None if rev.has(SLAB_REMOVE) else "SLAB_ALLOCATOR"


def _slob_prompt(rev) -> bool:
    # 2.6.16-2.6.21: no prompt (default !SLAB); 2.6.22-6.1: a choice member; 6.2-6.3: hidden again
    return rev.has(SLUB_INTRO) and not rev.has(SLOB_DEPRECATE)


def _slob_choice(rev):
    return None if rev.has(SLOB_DEPRECATE) else "SLAB_ALLOCATOR"


def _slob_default(rev) -> bool:
    return rev.has(SLOB_DEPRECATE)  # hidden "default y" under SLOB_DEPRECATED


def _slob_depends(rev) -> str:
    if rev.has(SLOB_DEPRECATE):
        return "SLOB_DEPRECATED"
    if rev.has("v2.6.39"):
        return "EXPERT"
    if rev.has("v2.6.23"):
        return "EMBEDDED"
    if rev.has(SLUB_INTRO):
        return "EMBEDDED && !SPARSEMEM"
    return "EMBEDDED && !SMP && !SPARSEMEM"


#: Added to every error about CONFIG_SLOB.
SLOB_NOTE = ("SLOB needs CONFIG_EMBEDDED (CONFIG_EXPERT from v2.6.39); in v2.6.16-v2.6.21 it is what SLAB=n gives "
             "with EMBEDDED=y; at v6.2-v6.3 it has no prompt: choose CONFIG_SLOB_DEPRECATED (needs CONFIG_EXPERT; "
             "149b6fa228ed), or CONFIG_SLUB_TINY (e240e53ae0ab); v6.4 removed it (c9929f0e344a, and mm/slob.c with "
             "6630e950d532)")


def _slub_tiny_depends(rev) -> str:
    return "EXPERT" if rev.has(SLAB_REMOVE) else "SLUB && EXPERT"


def _slub_debug_depends(rev) -> str:
    return "SLUB && !SLUB_TINY" if rev.has(SLUB_TINY_INTRO) else "SLUB"


@hookimpl
def linuxmm_config_symbols():
    return [
        ConfigSymbol(
            "SLAB", introduced=SLOB_INTRO, removed=SLAB_REMOVE, choice=_slab_choice, default=_slab_default,
            prompt=_slab_prompt, depends_on=_slab_depends, note=SLAB_NOTE,
            help="The SLAB allocator (mm/slab.c): \"SLAB\" in the choice of 2.6.22-6.4, \"Use full SLAB allocator\" "
                 "in 2.6.16-2.6.21; always built before 2.6.16; hidden behind SLAB_DEPRECATED in 6.5-6.7."),
        ConfigSymbol(
            "SLAB_DEPRECATED", introduced=SLAB_DEPRECATE, removed=SLAB_REMOVE, choice="SLAB_ALLOCATOR",
            depends_on="!PREEMPT_RT", help="\"SLAB (DEPRECATED)\" (6.5-6.7): choosing it sets the hidden SLAB."),
        ConfigSymbol(
            "SLUB", introduced=SLUB_INTRO, choice=_slub_choice, default=_slub_default,
            prompt=_slub_prompt,
            note="from v6.8 (16a1d968358a) SLUB is the only slab allocator: CONFIG_SLUB is def_bool y",
            help="\"SLUB (Unqueued Allocator)\": default from 2.6.23 (a0acd8208076); the only allocator from 6.8."),
        ConfigSymbol(
            "SLOB", introduced=SLOB_INTRO, removed=SLOB_REMOVE, choice=_slob_choice, default=_slob_default,
            prompt=_slob_prompt, depends_on=_slob_depends, note=SLOB_NOTE,
            help="\"SLOB (Simple Allocator)\" for small systems: hidden and default !SLAB in 2.6.16-2.6.21, a choice "
                 "member in 2.6.22-6.1, hidden behind SLOB_DEPRECATED in 6.2-6.3, removed in 6.4."),
        ConfigSymbol(
            "SLOB_DEPRECATED", introduced=SLOB_DEPRECATE, removed=SLOB_REMOVE, choice="SLAB_ALLOCATOR",
            depends_on="EXPERT && !PREEMPT_RT",
            help="\"SLOB (Simple Allocator - DEPRECATED)\" (6.2-6.3): choosing it sets the hidden SLOB."),
        ConfigSymbol(
            "SLUB_TINY", introduced=SLUB_TINY_INTRO, depends_on=_slub_tiny_depends,
            help="\"Configure SLUB for minimal memory footprint\": no per-CPU slabs, no debugging, slub_max_order 1."),
        ConfigSymbol(
            "SLUB_DEBUG", introduced=SLUB_INTRO, default=True, depends_on=_slub_debug_depends,
            note="its prompt shows only with CONFIG_EMBEDDED=y (CONFIG_EXPERT from v2.6.39)",
            help="\"Enable SLUB debugging support\" (default y): slub_debug= and, from 3.x, /proc/slabinfo need it."),
        ConfigSymbol(
            "SLUB_DEBUG_ON", introduced=SLUB_INTRO, depends_on="SLUB_DEBUG",
            help="\"SLUB debugging on by default\": slub_debug's F, Z, P and U on every cache unless slub_debug=-."),
        ConfigSymbol(
            "EMBEDDED", introduced="v2.6.0", removed="v6.6",
            select=lambda rev: ("EXPERT",) if rev.has("v2.6.39") else (),
            help="\"Configure standard kernel features (for small systems)\"; from 2.6.39 \"Embedded system\", which "
                 "selects EXPERT.  In this model its effect is on which slab allocators may be chosen."),
        ConfigSymbol(
            "EXPERT", introduced="v2.6.39",
            help="\"Configure standard kernel features (expert users)\" (EMBEDDED's successor, 2.6.39).  In this "
                 "model its effect is on which slab allocators may be chosen (SLOB, SLUB_TINY)."),
    ]


def _text(value: str | None) -> str:
    return "" if value is None else value


def _flag(value: str | None) -> bool:
    if value is None:
        return True
    return parse_bool(value)


def _uint(value: str | None) -> int:
    if value is None:
        raise ValueError("needs a number")
    n = int(value, 0)
    if n < 0:
        raise ValueError("must not be negative")
    return n


@hookimpl
def linuxmm_boot_params():
    return [
        BootParam("slub_debug", introduced=SLUB_INTRO, parse=_text,
                  help="SLUB debugging: slub_debug (everything), slub_debug=FZPU, =-, =P,kmalloc-64, =FZ;U,dentry"),
        BootParam("slub_nomerge", introduced=SLUB_INTRO, parse=_flag, help="SLUB: never merge caches."),
        BootParam("slab_nomerge", introduced="v3.19", parse=_flag,
                  help="Never merge slab caches (slab_common.c, 3.19 [S])."),
        BootParam("slub_min_order", introduced=SLUB_INTRO, parse=_uint, help="SLUB: smallest slab order."),
        BootParam("slub_max_order", introduced=SLUB_INTRO, parse=_uint,
                  help="SLUB: largest slab order calculate_order() prefers."),
        BootParam("slub_min_objects", introduced=SLUB_INTRO, parse=_uint,
                  help="SLUB: objects per slab calculate_order() aims for."),
    ]


@hookimpl
def linuxmm_commits():
    return [
        Commit(sha="e240e53ae0ab", subject="mm, slub: add CONFIG_SLUB_TINY", author="Vlastimil Babka",
               date="2022-11-21", tag="v6.2-rc1", mark="V",
               source="merged with 149b6fa228ed in slab/for-6.2 (fact sheet [V]); 6.2.1 mm/Kconfig has SLUB_TINY "
                      "(date S)"),
        Commit(sha="6a486c0ad4dc", subject="mm, sl[ou]b: improve memory accounting", author="Vlastimil Babka",
               date="2019-08-26", tag="v5.4-rc1", mark="V",
               source="patch mail [PATCH v2 1/2] of 2019-08-26 and later Fixes: tags naming the sha; 5.3.1 "
                      "mm/slob.c lacks NR_SLAB_UNRECLAIMABLE, 5.4 has it (date: the mail's)"),
        Commit(sha="59bb47985c1d", subject="mm, sl[aou]b: guarantee natural alignment for kmalloc(power-of-two)",
               author="Vlastimil Babka", date="2019-08-26", tag="v5.4-rc1", mark="V",
               source="patch mail [PATCH v2 2/2] of 2019-08-26 and later citations of the sha; 5.4 mm/slob.c "
                      "aligns power-of-two kmalloc (date: the mail's)"),
    ]
