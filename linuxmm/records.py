"""Typed records that plugins hand to the host.

Every hook in :mod:`linuxmm.hookspecs` yields instances of these classes.  They
are plain frozen dataclasses: the host sorts, checks and indexes them once at
start-up, and nothing here is touched on an allocation path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:  # pragma: no cover
    from .kernel import Kernel


@dataclass(frozen=True)
class Commit:
    """One upstream commit that the model knows about.

    ``sha`` is an abbreviated upstream hash (12 hex digits, as the kernel's
    ``Fixes:`` tags print them).  ``tag`` is the first release tag that
    contains the commit (what ``git describe --contains`` names), which fixes
    the commit's place in the linear history.  ``mark`` is ``"V"`` when the
    fields were checked against primary text, ``"S"`` otherwise.
    """

    sha: str
    subject: str
    author: str
    date: str  # author date, YYYY-MM-DD
    tag: str  # first tag containing it, e.g. "v2.6.28-rc1"
    fixes: tuple[str, ...] = ()
    mark: str = "V"
    source: str = ""
    #: Order among commits of the same date and tag, where the record gives it (0 first);
    #: commits that tie on (date, seq) are ordered by sha.
    seq: int = 0


@dataclass(frozen=True)
class Release:
    """A release tag placed on the history.

    Mainline tags (``v2.6.28``, ``v6.15-rc6``) need only ``tag``.  A stable
    release (``v6.12.5``) is its mainline ``base`` plus the named
    ``backports`` (upstream shas), where the record gives them.  Releases
    before v2.6.12-rc2 predate git: they have no sha and the model never
    invents one.
    """

    tag: str
    date: str = ""
    base: str | None = None
    backports: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Implementation:
    """One era's implementation of a subsystem (``page_alloc``, ``slab`` ...).

    ``introduced``/``removed`` are history references: a sha prefix of a
    modelled commit or a release tag.  An implementation is available at a
    revision when the revision has ``introduced`` and lacks ``removed``.
    Where several are available, the one whose ``kconfig`` symbol is set wins;
    otherwise the one marked ``default``.  ``factory(kernel)`` builds the
    object whose methods become the kernel's API; ``api`` names the kernel
    functions it provides (``{"alloc_pages": "alloc_pages", ...}``: kernel
    name to attribute of the built object).
    """

    subsystem: str
    name: str
    factory: Callable[["Kernel"], Any]
    introduced: str
    removed: str | None = None
    kconfig: str | None = None
    default: bool = True
    api: tuple[str, ...] = ()
    summary: str = ""


@dataclass(frozen=True)
class ConfigSymbol:
    """A Kconfig symbol (named without the ``CONFIG_`` prefix), with Kconfig's semantics.

    ``kind`` is ``"bool"``, ``"int"`` or ``"str"``.  These attributes may
    each be a value or a callable of the revision, since Kconfig files
    changed over the years (see :mod:`linuxmm.kconfig` for how they combine):

    * ``default``: the value when the user sets nothing (dependencies permitting);
    * ``prompt``: whether a user may set it (``False`` for a hidden symbol
      that arch code or another symbol sets);
    * ``depends_on``: a Kconfig expression, ``"KASAN && !KASAN_SW_TAGS"``;
    * ``select``: symbols forced to ``y`` when this one is ``y``;
    * ``choice``: the name of the mutually exclusive group it belongs to
      (``"SLAB_ALLOCATOR"``); a choice always ends with exactly one member set.

    ``whatif`` lets a user set a hidden symbol anyway, as an experiment the
    record never shipped; its text is shown with the output.  ``modelled``
    is ``False`` for a symbol the model accepts but whose effect it does not
    model yet: ``linuxmm info`` lists such settings as "accepted, no effect
    in this model".  ``note`` is added to errors about the symbol.
    """

    name: str
    introduced: str
    removed: str | None = None
    kind: str = "bool"
    default: Any = False
    choice: Any = None
    help: str = ""
    prompt: Any = True
    depends_on: Any = ""
    select: Any = ()
    whatif: str = ""
    modelled: bool = True
    note: str = ""


@dataclass(frozen=True)
class BootParam:
    """A kernel command-line parameter (``init_on_alloc=``, ``nohugevmalloc``, ``quiet``).

    ``parse(value)`` turns the text after ``=`` (``None`` for a bare flag)
    into the stored value, raising ``ValueError`` with a message for a bad
    value.  ``introduced``/``removed`` are history references.  A parameter
    the kernel knew but whose effect the model does not model (``quiet``,
    ``root=``, or an MM parameter not modelled yet) has ``modelled=False``:
    it is not reported as unknown, and ``linuxmm info`` lists it as
    "accepted, no effect in this model".  ``early`` marks an ``early_param``
    (2.6+): a bad value is logged as "Malformed early option"; a bad value of
    any other parameter makes the kernel pass the word on to user space, as
    an unknown one.
    """

    name: str
    introduced: str
    removed: str | None = None
    parse: Callable[[str | None], Any] = field(default=lambda v: True if v is None else v)
    help: str = ""
    modelled: bool = True
    early: bool = False


@dataclass(frozen=True)
class ProcFile:
    """A /proc file: ``render(kernel)`` returns its whole text."""

    name: str
    render: Callable[["Kernel"], str]
    introduced: str
    removed: str | None = None
    help: str = ""


@dataclass(frozen=True)
class Workload:
    """A named, built-in workload: ``run(kernel, seed)`` returns a summary."""

    name: str
    run: Callable[["Kernel", int], str]
    help: str = ""


@dataclass(frozen=True)
class Command:
    """A ``linuxmm`` subcommand a plugin adds (``slabtop``, ``test_vmalloc``, ``exercise``).

    ``configure(parser)`` adds the command's own arguments to its argparse
    parser (the global kernel options are already there).  ``run(args,
    boot)`` does the work and returns the exit status; ``boot()`` boots the
    kernel the global options describe.  A command with ``boots=False``
    boots no kernel of the user's choosing, so the CLI refuses kernel
    options given to it.  Errors are raised as
    :class:`~linuxmm.errors.LinuxmmError` (one line, exit status 2).
    """

    name: str
    help: str
    run: Callable[[Any, Callable[[], "Kernel"]], int]
    configure: Callable[[Any], None] = field(default=lambda parser: None)
    example: str = ""
    boots: bool = True


@dataclass(frozen=True)
class BenchCase:
    """A case of ``linuxmm bench``: a statement timed against the CPython floor.

    ``setup()`` returns the globals the statement runs with (it boots the
    kernel: ``{"k": linuxmm.boot("6.12"), "GFP_KERNEL": ...}``); ``stmt``
    is one operation pair (``"p = k.kmalloc(64, GFP_KERNEL); k.kfree(p)"``).
    ``target`` is the ratio to the floor the case must stay under (None:
    measured and reported only).  ``group`` gathers cases in the report
    (``page``, ``slab``, ``vmalloc``).
    """

    name: str
    stmt: str
    setup: Callable[[], dict]
    target: float | None = None
    group: str = ""
    help: str = ""
