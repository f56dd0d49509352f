"""Fault injection as ``lib/fault-inject.c`` has it: ``struct fault_attr``, ``should_fail()``, the boot option.

Two capabilities use it in the model, each from the release the record
gives: ``failslab`` (8a8b6502fb66, v2.6.20-rc1: ``kmalloc()`` and
``kmem_cache_alloc()`` fail) and ``fail_page_alloc`` (933e312e73f8, the
next commit: ``alloc_pages()`` fails).  Each is a :class:`FaultAttr` with the
knobs of its debugfs directory (``/sys/kernel/debug/failslab/...``), reached
through :meth:`linuxmm.kernel.Kernel.fault_attr`; the boot parameters
``failslab=`` and ``fail_page_alloc=`` set four of them.  The kernel
configuration decides whether a capability exists at all
(``CONFIG_FAULT_INJECTION`` and ``CONFIG_FAILSLAB`` / ``CONFIG_FAIL_PAGE_ALLOC``):
without its symbol, the boot parameter is a word the kernel does not know.

``should_fail(attr, size)`` as each era wrote it [V: ``lib/fault-inject.c`` of
2.6.20, 2.6.22, 2.6.23, 2.6.27, 2.6.29, 2.6.32, 2.6.34, 2.6.39, 3.1, 3.10,
3.13, 4.4, 4.12, 4.20, 5.2, 5.4, 5.11, 5.19, 6.1, 6.3, 6.8, 6.12, 6.14 and
6.18 trees; the release boundaries between two trees read are [S]]:

* the order of its tests: (from 4.13 [S: 4.12 tree without, 4.20 with], the
  task's ``fail-nth`` countdown, which fails the Nth call whatever the other
  knobs say); (from 3.10 [S: 3.1 tree without, 3.10 with]) a probability of
  0 returns at once; the task filter (``task-filter`` and the task's
  ``make-it-fail``); ``times`` at 0; the ``space`` budget, which swallows
  ``size`` per call until it is used up; the ``interval`` counter; the
  probability, in percent, against a random number below 100 (percent in
  every era: the test is ``probability <= random % 100`` from 2.6.20 to 6.18,
  with no finer scale); then the failure: ``fail_dump()`` and one ``times``
  used up (unless ``times`` is -1);
* ``fail_dump()``: 2.6.20 prints ``FAULT_INJECTION: forcing a failure`` at
  ``verbose`` 1 and adds ``dump_stack()`` at 2 (the default); from v4.4 [S:
  3.13 tree without, 4.4.1 with] the line ends in a full stop and a second
  line names the capability and its knobs
  (``name failslab, interval 1, probability 50, space 0, times -1``, the
  values before the failure is counted), and the message is rate limited by
  ``verbose_ratelimit_interval_ms``/``verbose_ratelimit_burst`` (disabled by
  default; the model's clock stands still after boot, so once the burst is
  spent the rest are suppressed);
* ``__GFP_NOWARN``: ignored until 5.19; in 5.19-6.0 [S releases: 5.17 tree
  without, 5.19 with, 6.1 without] a ``__GFP_NOWARN`` request that reaches
  ``should_fail()`` sets the attribute's ``no_warn`` for good, silencing
  every later report of that capability; from 6.1 (``should_fail_ex()`` and
  ``FAULT_NOWARN``) only that request's report is left out;
* the stacktrace filter (``stacktrace-depth``, ``require-*``, ``reject-*``)
  is not modelled: the model keeps no return addresses.  On x86_64 it exists
  in 2.6.20 (where ``FAULT_INJECTION`` depends on ``STACKTRACE``) with
  defaults that let every call through, which the model reproduces; from
  v2.6.21 [S] it is a separate option that ``depends on !X86_64`` until 6.3
  [V 6.1 and 6.3 Kconfig], not offered by the model.

Randomness comes only from a generator of each capability seeded with the
kernel's ``seed`` and the capability's name: two boots with the same seed
fail the same calls.  (The kernel used ``random32()``, ``prandom_u32()``,
``get_random_u32_below()`` and, from 6.14, a per-CPU ``prandom`` state: not
reproducible, and not imitated.)

The model has one task, pid 1 (``linuxmm``), never in interrupt context:
:class:`FaultTask` holds its ``/proc/self/make-it-fail`` and, from 4.13,
``/proc/self/fail-nth``.
"""

from __future__ import annotations

import random
import shlex
from typing import TYPE_CHECKING, Any, Callable

from .checks import check_gfp, check_int, check_order
from .errors import ArgumentError, LinuxmmError, NotInThisKernel
from .gfp import __GFP_NOWARN, era_gfp, gfp_era

if TYPE_CHECKING:  # pragma: no cover
    from .kernel import Kernel

ULONG_MAX = (1 << 64) - 1
MAX_STACK_TRACE_DEPTH = 32
#: ``DEFAULT_RATELIMIT_BURST`` of ``RATELIMIT_STATE_INIT_DISABLED``
DEFAULT_RATELIMIT_BURST = 10

#: The commits that added the two capabilities (both v2.6.20-rc1).
FAILSLAB_INTRO = "8a8b6502fb66"
FAIL_PAGE_ALLOC_INTRO = "933e312e73f8"
#: Capability name -> (the commit that added it, its Kconfig symbol).
CAPABILITIES = {"failslab": (FAILSLAB_INTRO, "FAILSLAB"), "fail_page_alloc": (FAIL_PAGE_ALLOC_INTRO, "FAIL_PAGE_ALLOC")}

#: SLAB_FAILSLAB (include/linux/slab.h, 2.6.34+): the cache is one ``cache-filter`` lets fail
SLAB_FAILSLAB = 0x02000000


def c_int(value: int) -> int:
    """``value`` stored in a 32-bit ``int`` (``atomic_t``): two's complement wrap."""
    return ((value + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)


def setup_fault_attr(text: str) -> tuple[int, int, int, int] | None:
    """``sscanf(str, "%lu,%lu,%d,%d", &interval, &probability, &space, &times)``; None when fewer than 4 convert.

    The kernel's ``vsscanf``: white space is skipped before each number; the
    unsigned fields take digits only (no sign), the signed ones an optional
    ``-``; each comma must be there; digits are read until the first
    non-digit and anything after the fourth number is ignored.  Values wrap
    as C's ``unsigned long`` and ``int`` do (``simple_strtoul`` has no
    overflow check).

    >>> setup_fault_attr("10,100,0,-1")
    (10, 100, 0, -1)
    >>> setup_fault_attr("1,-5,0,1") is None
    True
    """
    pos, n = 0, len(text)
    out: list[int] = []
    for i, signed in enumerate((False, False, True, True)):
        if i:
            if pos >= n or text[pos] != ",":
                return None
            pos += 1
        while pos < n and text[pos] in " \t\n\v\f\r":
            pos += 1
        neg = signed and pos < n and text[pos] == "-"
        if neg:
            pos += 1
        end = pos
        while end < n and text[end] in "0123456789":
            end += 1
        if end == pos:
            return None
        value = int(text[pos:end]) & ULONG_MAX
        pos = end
        if signed:
            value = c_int(-value if neg else value)  # (int) simple_strtol(): a long cut to an int
        out.append(value)
    return out[0], out[1], out[2], out[3]


class FaultEra:
    """What changed in fault injection, as flags computed once at boot from ``kernel.has``."""

    def __init__(self, has: Callable[[str], bool], describe: str) -> None:
        self.stack_filter = not has("v2.6.21")  # 2.6.20: always built, FAULT_INJECTION depends on STACKTRACE
        self.min_order = has("v2.6.23-rc1")  # fail_page_alloc's min-order [V 2.6.22.15 without, 2.6.23.17 with]
        self.slub_failslab = has("v2.6.29")  # mm/failslab.c, SLUB support [V 2.6.28 without, 2.6.29 with]
        self.cache_filter = has("v2.6.34")  # cache-filter, SLAB_FAILSLAB, slub_debug=A [V 2.6.32.9 / 2.6.34-rc7]
        self.slab_object_size = has("v3.6")  # SLAB passes object_size, not obj_size()=buffer_size [V 2.6.39/3.10]
        self.prob_zero_first = has("v3.10")  # probability 0 returns before the other tests [V 3.1 / 3.10]
        self.ratelimit = has("v4.4")  # the name line and the rate limit [V 3.13 / 4.4.1]
        self.kmem_cache_exempt = has("v4.9")  # failslab.c skips the bootstrap kmem_cache [V 4.4.1 / 4.9]
        self.fail_nth = has("v4.13")  # /proc/<pid>/fail-nth [V 4.12 without, 4.20 with]
        self.reclaim_bits = has("d0164adc89f6")  # __GFP_WAIT became the two reclaim bits (4.4)
        self.failslab_direct = has("v5.3")  # failslab tests __GFP_DIRECT_RECLAIM [V 5.2.1 / 5.3.1]
        self.sticky_nowarn = has("v5.19") and not has("v6.1")  # attr->no_warn [V 5.17 / 5.19 / 6.1.0]
        self.nowarn = has("v6.1")  # should_fail_ex(..., FAULT_NOWARN) [V 6.1.0]
        # alloc_pages: the order limit is checked after should_fail_alloc_page only in 2.6.31-4.19
        # (before: gfp.h's check; from 4.20 the check opens __alloc_pages_nodemask) [V 2.6.20, 2.6.32, 4.20]
        self.fail_before_order_check = has("b3c466ce5129") and not has("v4.20")
        # dump_stack()'s header, as the SLUB model prints it (mm_slub.py)
        self.dump_pid_line = has("v2.6.28")
        self.dump_cpu_line = has("v3.10")
        self.dump_uid = has("v6.10")
        self.dump_stack_lvl = has("v5.13")
        rel = describe.lstrip("v")
        base, dash, rc = rel.partition("-")
        if not base.startswith("2.") and base.count(".") == 1:
            base += ".0"
        self.uts_release = base + dash + rc


class FaultTask:
    """The model's one task (pid 1, ``linuxmm``): its ``make-it-fail`` and ``fail-nth`` files.

    ``make_it_fail`` (``/proc/self/make-it-fail``, 2.6.20+) lets a capability
    whose ``task_filter`` is on fail this task's calls.  ``fail_nth``
    (``/proc/self/fail-nth``, 4.13+): N > 0 makes the Nth call that reaches
    ``should_fail()`` (of any capability) fail, whatever the knobs say; it
    counts down to 0.
    """

    def __init__(self, era: FaultEra, version: str) -> None:
        self._era = era
        self._version = version
        self._make_it_fail = 0
        self._fail_nth = 0

    @property
    def make_it_fail(self) -> int:
        return self._make_it_fail

    @make_it_fail.setter
    def make_it_fail(self, value: Any) -> None:
        if isinstance(value, bool):
            value = int(value)
        self._make_it_fail = check_int(value, "make_it_fail", "/proc/self/make-it-fail", 0, 1)

    @property
    def fail_nth(self) -> int:
        self._need_fail_nth()
        return self._fail_nth

    @fail_nth.setter
    def fail_nth(self, value: Any) -> None:
        self._need_fail_nth()
        self._fail_nth = check_int(value, "fail_nth", "/proc/self/fail-nth", 0, 0xFFFFFFFF)

    def _need_fail_nth(self) -> None:
        if not self._era.fail_nth:
            raise NotInThisKernel(f"/proc/self/fail-nth is not in {self._version}: it appeared in v4.13 "
                                  f"(\"fault-inject: support systematic fault injection\")")

    def __repr__(self) -> str:
        nth = f" fail_nth={self._fail_nth}" if self._era.fail_nth else ""
        return f"<task 1 (linuxmm): make_it_fail={self._make_it_fail}{nth}>"


class _Knob:
    """A debugfs file of a fault_attr: checked on write, absent in the eras without it."""

    def __init__(self, debugfs: str, kind: str, since: str | None = None, why: str = "") -> None:
        self.debugfs = debugfs
        self.kind = kind
        self.since = since  # a FaultEra flag name, None: every era
        self.why = why  # where it appeared, for the error
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, cls: type | None = None) -> Any:
        if obj is None:
            return self
        obj._have(self)
        return obj.__dict__["_" + self.name]

    def __set__(self, obj: Any, value: Any) -> None:
        obj._have(self)
        obj.__dict__["_" + self.name] = obj._check(self, value)


class FaultAttr:
    """``struct fault_attr`` of one capability, and ``should_fail()`` (see the module docstring).

    The knobs are attributes named as the debugfs files are, with ``_`` for
    ``-`` (``attr.probability = 50``, ``attr.task_filter = True``); item
    access takes the debugfs names themselves (``attr["ignore-gfp-wait"]``).
    A value of the wrong type or outside the C type of its file is refused
    with :class:`~linuxmm.errors.ArgumentError` naming the knob; a knob the
    era did not have raises :class:`~linuxmm.errors.NotInThisKernel`.
    """

    probability = _Knob("probability", "ulong")
    interval = _Knob("interval", "ulong")
    times = _Knob("times", "atomic")
    space = _Knob("space", "atomic")
    verbose = _Knob("verbose", "ulong")
    verbose_ratelimit_interval_ms = _Knob("verbose_ratelimit_interval_ms", "u32", "ratelimit", "v4.4")
    verbose_ratelimit_burst = _Knob("verbose_ratelimit_burst", "u32", "ratelimit", "v4.4")
    task_filter = _Knob("task-filter", "bool")
    stacktrace_depth = _Knob("stacktrace-depth", "depth", "stack_filter", "")
    require_start = _Knob("require-start", "addr", "stack_filter", "")
    require_end = _Knob("require-end", "addr", "stack_filter", "")
    reject_start = _Knob("reject-start", "addr", "stack_filter", "")
    reject_end = _Knob("reject-end", "addr", "stack_filter", "")

    _STACK_DEFAULTS = {"require_start": 0, "require_end": ULONG_MAX, "reject_start": 0, "reject_end": 0}

    def __init__(self, fi: "FaultInjection", name: str) -> None:
        d = self.__dict__
        d["_fi"] = fi
        d["_era"] = fi.era
        d["name"] = name
        d["task"] = fi.task
        d["kernel"] = fi.kernel
        # FAULT_ATTR_INITIALIZER [V 2.6.20, 4.4, 6.14]
        d.update(_probability=0, _interval=1, _times=1, _space=0, _verbose=2, _task_filter=False,
                 _stacktrace_depth=MAX_STACK_TRACE_DEPTH, _require_start=0, _require_end=ULONG_MAX,
                 _reject_start=0, _reject_end=0, _verbose_ratelimit_interval_ms=0,
                 _verbose_ratelimit_burst=DEFAULT_RATELIMIT_BURST)
        d["count"] = 0  # the interval counter (not a debugfs file)
        d["no_warn"] = False  # 5.19-6.0 only
        d["_rl_printed"] = 0
        d["_rl_missed"] = 0
        d["failures"] = 0  # failures injected so far (the model's count, not a kernel field)
        d["_rand"] = random.Random(f"linuxmm fault injection:{fi.kernel.seed}:{name}")
        d["_masks"] = {}  # model gfp mask -> the era's mask

    # -- knobs ------------------------------------------------------------------------------
    @classmethod
    def _knobs(cls) -> dict[str, _Knob]:
        out: dict[str, _Knob] = {}
        for klass in reversed(cls.__mro__):
            for name, value in vars(klass).items():
                if isinstance(value, _Knob):
                    out[name] = value
        return out

    def _have(self, knob: _Knob) -> None:
        if knob.since is not None and not getattr(self._era, knob.since):
            if knob.since == "stack_filter":
                raise NotInThisKernel(
                    f"{self.name}: {knob.debugfs} is not in {self.kernel.version} on x86_64: the stacktrace filter "
                    f"is built into fault injection only in v2.6.20; from v2.6.21 it is "
                    f"CONFIG_FAULT_INJECTION_STACKTRACE_FILTER, which depends on !X86_64 until v6.3 and is not "
                    f"offered by the model")
            raise NotInThisKernel(f"{self.name}: {knob.debugfs} is not in {self.kernel.version}: it appeared in "
                                  f"{knob.why}")

    def _check(self, knob: _Knob, value: Any) -> Any:
        func, name, kind = self.name, knob.name, knob.kind
        if kind == "bool":
            if isinstance(value, bool):
                return value
            return bool(check_int(value, name, func, 0, 1))
        if isinstance(value, bool):
            raise ArgumentError(f"{func}: {name} must be an int, not a bool ({value})")
        if kind == "atomic":
            return check_int(value, name, func, -(1 << 31), (1 << 31) - 1)
        if kind == "u32":
            return check_int(value, name, func, 0, 0xFFFFFFFF)
        value = check_int(value, name, func, 0, ULONG_MAX)
        if kind == "depth":
            return min(value, MAX_STACK_TRACE_DEPTH)  # debugfs_stacktrace_depth_set
        if kind == "addr" and value != self.__dict__["_" + name]:
            raise LinuxmmError(f"{func}: {knob.debugfs} is not modelled: the model keeps no return addresses for "
                               f"the stacktrace filter, which with its defaults lets every call through")
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        knob = self._knobs().get(name)
        if knob is None:
            if name in ("count", "no_warn"):
                raise ArgumentError(f"{self.name}: {name} is the kernel's own state, not a debugfs file")
            raise NotInThisKernel(self._no_such(name))
        knob.__set__(self, value)

    def __getattr__(self, name: str) -> Any:  # only for names that are not attributes
        if name.startswith("__"):
            raise AttributeError(name)
        knob = self._knobs().get(name)
        if knob is not None:
            self._have(knob)  # a knob of another era: say when it existed
        raise NotInThisKernel(self._no_such(name))

    def _no_such(self, name: str) -> str:
        return (f"{self.name} has no knob {name!r} (its debugfs files here: "
                f"{', '.join(self.knobs())})")

    def _by_debugfs(self, debugfs: Any) -> _Knob:
        if not isinstance(debugfs, str):
            raise ArgumentError(f"{self.name}: a debugfs file name is a string, not {debugfs!r}")
        for knob in self._knobs().values():
            if knob.debugfs == debugfs:
                return knob
        raise NotInThisKernel(f"/sys/kernel/debug/{self.name}/{debugfs} does not exist "
                              f"(files here: {', '.join(self.knobs())})")

    def __getitem__(self, debugfs: str) -> Any:
        return getattr(self, self._by_debugfs(debugfs).name)

    def __setitem__(self, debugfs: str, value: Any) -> None:
        setattr(self, self._by_debugfs(debugfs).name, value)

    def knobs(self) -> dict[str, Any]:
        """The debugfs files of this capability in this era, name -> value (``ls`` order of creation)."""
        out = {}
        for knob in self._knobs().values():
            if knob.since is None or getattr(self._era, knob.since):
                out[knob.debugfs] = self.__dict__["_" + knob.name]
        return out

    def __repr__(self) -> str:
        shown = " ".join(f"{k}={v}" for k, v in self.knobs().items())
        return f"<fault_attr {self.name}: {shown}>"

    # -- should_fail() ------------------------------------------------------------------------
    def should_fail(self, size: int, nowarn: bool = False) -> bool:
        """``should_fail(attr, size)`` (``should_fail_ex(attr, size, FAULT_NOWARN)`` with ``nowarn``, 6.1+)."""
        d = self.__dict__
        era = self._era
        task = self.task
        if era.fail_nth and task._fail_nth:  # in_task(): the model never runs in interrupt context
            nth = task._fail_nth - 1
            task._fail_nth = nth
            if nth:
                return False
            return self._fail(nowarn)
        probability = d["_probability"]
        if era.prob_zero_first and not probability:
            return False
        if d["_task_filter"] and not task._make_it_fail:
            return False
        if d["_times"] == 0:
            return False
        space = d["_space"]
        if space > size:
            d["_space"] = c_int(space - size)
            return False
        interval = d["_interval"]
        if interval > 1:
            count = d["count"] = (d["count"] + 1) & ULONG_MAX
            if count % interval:
                return False
        if probability <= self._rand.getrandbits(32) % 100:
            return False
        return self._fail(nowarn)

    def _fail(self, nowarn: bool) -> bool:
        d = self.__dict__
        if not nowarn and not d["no_warn"]:
            self.fail_dump()
        times = d["_times"]
        if times != -1 and times != 0:  # atomic_dec_not_zero
            d["_times"] = c_int(times - 1)
        d["failures"] += 1
        return True

    def fail_dump(self) -> None:
        """The era's report of an injected failure (see the module docstring)."""
        d = self.__dict__
        verbose = d["_verbose"]
        if not verbose:
            return
        printk = self.kernel.dmesg.printk
        if not self._era.ratelimit:
            printk("FAULT_INJECTION: forcing a failure")
        else:
            if not self._ratelimit():
                return
            printk("FAULT_INJECTION: forcing a failure.")
            printk(f"name {self.name}, interval {d['_interval']}, probability {d['_probability']}, "
                   f"space {d['_space']}, times {d['_times']}")
        if verbose > 1:
            self._fi.dump_stack(self.frames())

    def _ratelimit(self) -> bool:
        """``__ratelimit()`` with the model's clock standing still after boot."""
        d = self.__dict__
        if not d["_verbose_ratelimit_interval_ms"]:
            return True
        burst = d["_verbose_ratelimit_burst"]
        if burst and burst > d["_rl_printed"]:
            d["_rl_printed"] += 1
            return True
        d["_rl_missed"] += 1
        return False

    def frames(self) -> tuple[str, ...]:
        """The call chain ``dump_stack()`` shows below itself, innermost first."""
        return ("should_fail_ex" if self._era.nowarn else "should_fail",)

    def era_mask(self, gfp_mask: int) -> int:
        """The mask a caller of this era passed where the model's caller passed ``gfp_mask``."""
        masks = self.__dict__["_masks"]
        got = masks.get(gfp_mask)
        if got is None:
            got = masks[gfp_mask] = era_gfp(gfp_mask, self._fi.gfp)
        return got

    def apply_boot(self, values: tuple[int, int, int, int]) -> None:
        """``setup_fault_attr()``'s stores: interval, probability, space, times."""
        d = self.__dict__
        d["_interval"], d["_probability"], d["_space"], d["_times"] = values


class FailPageAlloc(FaultAttr):
    """``fail_page_alloc``: ``should_fail_alloc_page()`` of mm/page_alloc.c (mm/fail_page_alloc.c from 6.8).

    933e312e73f8 (v2.6.20-rc1) [V 2.6.20, 2.6.27, 3.10, 4.4, 5.4, 5.19, 6.1,
    6.8, 6.12, 6.18]: order below ``min-order`` (v2.6.23-rc1, default 1: no
    order-0 page ever fails unless it is lowered), ``__GFP_NOFAIL``,
    ``__GFP_HIGHMEM`` with ``ignore-gfp-highmem`` (default Y) and
    ``__GFP_WAIT`` (``__GFP_DIRECT_RECLAIM`` from 4.4) with ``ignore-gfp-wait``
    (default Y) are never failed; the rest go to ``should_fail()`` with a size
    of ``1 << order`` pages.  The allocation then returns NULL at once, before
    any zone is tried: no "page allocation failure" report in any era.
    """

    ignore_gfp_wait = _Knob("ignore-gfp-wait", "bool")
    ignore_gfp_highmem = _Knob("ignore-gfp-highmem", "bool")
    min_order = _Knob("min-order", "u32", "min_order", "v2.6.23")

    def __init__(self, fi: "FaultInjection", name: str = "fail_page_alloc") -> None:
        super().__init__(fi, name)
        layout = fi.gfp.layout
        d = self.__dict__
        d.update(_ignore_gfp_wait=True, _ignore_gfp_highmem=True, _min_order=1 if fi.era.min_order else 0)
        d["_nofail"] = layout["NOFAIL"]
        d["_highmem"] = layout["HIGHMEM"]
        d["_wait"] = layout["DIRECT_RECLAIM"] if fi.era.reclaim_bits else layout["WAIT"]
        d["_nowarn_bit"] = layout["NOWARN"]

    def frames(self) -> tuple[str, ...]:
        return super().frames() + ("should_fail_alloc_page",)

    def should_fail_alloc_page(self, gfp_mask: Any, order: Any) -> bool:
        """True if this allocation is to fail (the page allocator then returns NULL)."""
        if type(gfp_mask) is not int or type(order) is not int:
            check_gfp(gfp_mask, "alloc_pages")
            check_order(order, "alloc_pages")
        d = self.__dict__
        pa = self.kernel.page_alloc
        if (order < 0 or order > pa.order_limit) and not self._era.fail_before_order_check:
            return False  # the era refuses the order before should_fail_alloc_page
        if (order & 0xFFFFFFFF) < d["_min_order"]:
            return False
        mask = self.era_mask(gfp_mask)
        if mask & d["_nofail"]:
            return False
        if d["_ignore_gfp_highmem"] and mask & d["_highmem"]:
            return False
        if d["_ignore_gfp_wait"] and mask & d["_wait"]:
            return False
        nowarn = bool(mask & d["_nowarn_bit"])
        if nowarn and self._era.sticky_nowarn:
            d["no_warn"] = True
        # 1 << order as C computes it for an int (x86 masks the shift count to 5 bits)
        return self.should_fail(c_int(1 << (order & 31)), nowarn and self._era.nowarn)


class FailSlab(FaultAttr):
    """``failslab``: ``should_failslab()`` (mm/slab.c until 2.6.28, mm/failslab.c from 2.6.29).

    8a8b6502fb66 (v2.6.20-rc1) [V 2.6.20, 2.6.22, 2.6.27, 2.6.29, 2.6.32,
    2.6.34, 2.6.39, 3.1, 3.10, 4.4, 4.9, 4.12, 4.20, 5.2, 5.3, 5.4, 5.19, 6.1,
    6.8, 6.12]: SLAB only until 2.6.28 (the code lived in mm/slab.c), SLAB and
    SLUB from 2.6.29.  Never failed: SLAB's own ``cache_cache`` (2.6.20-4.8),
    the bootstrap ``kmem_cache`` of either allocator (4.9+), ``__GFP_NOFAIL``,
    requests that may sleep with ``ignore-gfp-wait`` (default Y): ``__GFP_WAIT``
    until 4.3; from 4.4 (the __GFP_WAIT split, 71baba4b92dc in d0164adc89f6's
    series) ``__GFP_RECLAIM``, either reclaim bit, which every GFP_ATOMIC and
    GFP_NOWAIT request also carries (``__GFP_KSWAPD_RECLAIM``), so until 5.2
    the default lets *nothing* fail; from 5.3 ``__GFP_DIRECT_RECLAIM``
    ("mm/failslab.c: by default, do not fail allocations with direct reclaim
    only" [S sha]); and from 2.6.34 with ``cache-filter`` on, caches without
    ``SLAB_FAILSLAB``.  The size is the cache's object size (SLAB until 3.5:
    ``obj_size()``, its aligned ``buffer_size``).  A failed call returns NULL
    before the CPU's freelist or array is touched.
    """

    ignore_gfp_wait = _Knob("ignore-gfp-wait", "bool")
    cache_filter = _Knob("cache-filter", "bool", "cache_filter", "v2.6.34")

    def __init__(self, fi: "FaultInjection", name: str = "failslab") -> None:
        super().__init__(fi, name)
        layout = fi.gfp.layout
        era = fi.era
        d = self.__dict__
        d.update(_ignore_gfp_wait=True, _cache_filter=False)
        d["_nofail"] = layout["NOFAIL"]
        if not era.reclaim_bits:
            d["_wait"] = layout["WAIT"]
        elif era.failslab_direct:
            d["_wait"] = layout["DIRECT_RECLAIM"]
        else:
            d["_wait"] = layout["DIRECT_RECLAIM"] | layout["KSWAPD_RECLAIM"]
        d["_nowarn_bit"] = layout["NOWARN"]
        d["_exempt"] = None  # the cache never failed (set when the slab allocator is attached)
        d["_buffer_size"] = False  # SLAB before 3.6: obj_size() is the aligned buffer_size
        d["_slab"] = None

    def frames(self) -> tuple[str, ...]:
        slab = self.__dict__["_slab"]
        caller = getattr(slab, "_caller", None)
        return super().frames() + ("should_failslab",) + ((caller,) if caller else ())

    def should_failslab(self, s: Any, gfp: int) -> bool:
        """True if this object allocation from cache ``s`` is to fail (the hook the slab allocators call)."""
        d = self.__dict__
        if s is d["_exempt"]:
            return False
        mask = self.era_mask(gfp)
        if mask & d["_nofail"]:
            return False
        if d["_ignore_gfp_wait"] and mask & d["_wait"]:
            return False
        if d["_cache_filter"] and not s.flags & SLAB_FAILSLAB:
            return False
        nowarn = bool(mask & d["_nowarn_bit"])
        if nowarn and self._era.sticky_nowarn:
            d["no_warn"] = True
        return self.should_fail(s.size if d["_buffer_size"] else s.object_size, nowarn and self._era.nowarn)


class FaultInjection:
    """The fault-injection state of one kernel: its capabilities, its task, what the command line set."""

    def __init__(self, kernel: "Kernel") -> None:
        self.kernel = kernel
        self.era = FaultEra(kernel.has, kernel.version)
        self.gfp = gfp_era(kernel.has)
        self.task = FaultTask(self.era, kernel.version)
        self.attrs: dict[str, FaultAttr] = {}
        self.missing: dict[str, str] = {}  # capability -> why this kernel has none
        self.boot_lines: list[str] = []  # printed by the __setup handlers, after "Kernel command line:"

    def dump_stack(self, frames: tuple[str, ...]) -> None:
        """``dump_stack()``: the era's header, then the call chain, innermost first (no addresses)."""
        era, k = self.era, self.kernel
        printk = k.dmesg.printk
        slab = k.subsystems.get("slab")
        taint_text = getattr(slab, "taint_text", None)
        taint = taint_text() if taint_text is not None else "Not tainted"
        tainted = taint != "Not tainted"
        if era.dump_uid:
            printk(f"CPU: {k.this_cpu} UID: 0 PID: 1 Comm: linuxmm {taint} {era.uts_release} #1")
            if tainted and taint_text is not None:
                printk(taint_text(verbose=True))
        elif era.dump_cpu_line:
            printk(f"CPU: {k.this_cpu} PID: 1 Comm: linuxmm {taint} {era.uts_release} #1")
        elif era.dump_pid_line:
            printk(f"Pid: 1, comm: linuxmm {taint} {era.uts_release} #1")
        printk("Call Trace:")
        for fn in ("dump_stack_lvl" if era.dump_stack_lvl else "dump_stack",) + frames:
            printk(f" {fn}")

    # -- boot ------------------------------------------------------------------------------------
    def parse_cmdline(self, name: str, built: bool) -> tuple[int, int, int, int] | None:
        """The ``name=`` word of the command line: the values its ``__setup`` handler stored, or None.

        A kernel without the capability does not know the word, and a value
        the handler cannot parse (it warns and returns 0) leaves the word to
        user space: both become unknown words, in their command-line order.
        """
        cmd = self.kernel.cmdline
        if name not in cmd.values:
            return None
        text = cmd.values.pop(name)
        values = setup_fault_attr(text) if built else None
        if built and values is None:
            self.boot_lines.append("FAULT_INJECTION: failed to parse arguments")
        if values is None:
            moved = f"{name}={text}"
            unknown = set(cmd.unknown) | {moved}
            try:
                words = shlex.split(cmd.text)
            except ValueError:  # pragma: no cover - parse_cmdline already split it
                words = cmd.unknown + [moved]
            cmd.unknown[:] = [w for w in words if w in unknown]
        return values

    def attach(self) -> None:
        """Once the kernel is built: the failslab hook, and the lines the handlers printed."""
        k = self.kernel
        if self.boot_lines:
            at = next((i + 1 for i, line in enumerate(k.dmesg) if line.startswith("Kernel command line:")), 0)
            k.dmesg[at:at] = self.boot_lines
            self.boot_lines = []
        slab = k.subsystems.get("slab")
        if slab is None or not self.attrs:
            return
        # kmem_cache_init's own objects are allocated before the knobs can be touched
        ensure = getattr(slab, "ensure_booted", None)
        if ensure is not None:
            ensure()
        fs = self.attrs.get("failslab")
        if fs is not None:
            d = fs.__dict__
            d["_slab"] = slab
            if slab.name == "SLAB":
                d["_exempt"] = slab.cache_cache
                d["_buffer_size"] = not self.era.slab_object_size
            elif self.era.kmem_cache_exempt:
                d["_exempt"] = getattr(slab, "kmem_cache_cache", None)
            slab.register_alloc_hook(fs.should_failslab)


def boot(kernel: "Kernel") -> Callable[[Any, Any], bool] | None:
    """Set up fault injection while the kernel boots (``parse_args`` runs before the allocators are set up).

    Called by the 2.6+ page allocator as it boots.  Returns the page
    allocator's ``should_fail_alloc_page`` when CONFIG_FAIL_PAGE_ALLOC is
    set, else None.  The capabilities are in ``kernel.fault_inject``.
    """
    if not kernel.has(FAILSLAB_INTRO):
        return None
    fi = FaultInjection(kernel)
    kernel.fault_inject = fi  # type: ignore[attr-defined]
    cfg = kernel.config
    on = bool(cfg.get("FAULT_INJECTION"))
    slab = kernel.implementations.get("slab")
    slab_name = slab.name if slab is not None else ""
    failslab_cfg = on and bool(cfg.get("FAILSLAB"))
    failslab_built = failslab_cfg and (slab_name == "slab" or (slab_name == "slub" and fi.era.slub_failslab))
    if failslab_cfg and not failslab_built:
        fi.missing["failslab"] = (f"failslab is not in this {kernel.version} kernel: until v2.6.29 its code is in "
                                  f"mm/slab.c, and this kernel runs {slab_name.upper() or 'no slab allocator'}; "
                                  f"CONFIG_FAILSLAB=y builds nothing here, as in the kernel")
        unmodelled = getattr(cfg, "unmodelled", None)
        if unmodelled is not None and "FAILSLAB" not in unmodelled:
            unmodelled.append("FAILSLAB")
            unmodelled.sort()
    if failslab_built:
        fi.attrs["failslab"] = FailSlab(fi)
    if on and cfg.get("FAIL_PAGE_ALLOC"):
        fi.attrs["fail_page_alloc"] = FailPageAlloc(fi)
    for name in ("failslab", "fail_page_alloc"):
        values = fi.parse_cmdline(name, name in fi.attrs)
        if values is not None:
            fi.attrs[name].apply_boot(values)
    fpa = fi.attrs.get("fail_page_alloc")
    return fpa.should_fail_alloc_page if fpa is not None else None


def fault_attr(kernel: "Kernel", name: Any) -> FaultAttr:
    """The :class:`FaultAttr` of capability ``name`` in ``kernel`` (see :meth:`linuxmm.kernel.Kernel.fault_attr`)."""
    if not isinstance(name, str):
        raise ArgumentError(f"fault_attr: name must be a string such as 'failslab', not {name!r}")
    if name not in CAPABILITIES:
        raise ArgumentError(f"fault_attr: the model has no fault-injection capability {name!r} (it has: "
                            f"{', '.join(CAPABILITIES)})")
    intro, symbol = CAPABILITIES[name]
    if not kernel.has(intro):
        raise NotInThisKernel(f"{name} is not in {kernel.version}: it appeared in "
                              f"{kernel.host.describe_ref(intro)}")
    fi = kernel.__dict__.get("fault_inject")
    if fi is not None:
        attr = fi.attrs.get(name)
        if attr is not None:
            return attr
        if name in fi.missing:
            raise NotInThisKernel(fi.missing[name])
    raise NotInThisKernel(f"{name} is not in this kernel's configuration: it needs CONFIG_FAULT_INJECTION=y and "
                          f"CONFIG_{symbol}=y")
