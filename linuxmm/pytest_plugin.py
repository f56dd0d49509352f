"""pytest plugin (entry point ``pytest11``): test code against any modelled kernel.

* ``--kernel-version V`` (default: ``$LINUXMM_KERNEL_VERSION``, else
  ``latest``) takes one version, a comma list (``6.12,6.14,a0309faf1cb0``),
  a range (``6.12..6.15``: every modelled release from the first to the
  second, both included) or ``all`` (every modelled release).  With more
  than one version, every test that uses ``kernel`` runs once per version,
  with the version as its test id (``test_x[v6.14]``); this works under
  pytest-xdist (``-n auto``).
* Fixture ``kernel``: a kernel booted at that version, fresh for each test.
  ``@pytest.mark.kernel_boot(mem="64M", cpus=2, config={...}, cmdline="...")``
  customises the boot.  ``$LINUXMM_CONFIG`` (``"KASAN=y INIT_ON_FREE_DEFAULT_ON=y"``)
  and ``$LINUXMM_CMDLINE`` add settings on top of the marker's: ``linuxmm
  config-bisect`` sets them; a setting the kernel refuses then ends the run
  with exit status 125 ("cannot be tested"), as a bisection expects.
* ``@pytest.mark.kernel_versions(">=v2.6.28", "<v6.4")``: the test runs only
  on kernels inside the range; elsewhere it is skipped, saying why::

      needs >= v2.6.28-rc1 (db64fe02258f "mm: rewrite vmap layer"); kernel is v2.6.27

  A spec is ``>=REF``, ``>REF``, ``<=REF``, ``<REF`` or ``==REF``; REF is a
  release tag (with or without ``v``) or a modelled commit's sha prefix.  A
  spec that is not a string (``kernel_versions(2.6)``) is a collection error.
* ``@pytest.mark.kernel_configs({"KASAN": True}, {"KASAN": False})``: the
  test's ``kernel`` runs once per configuration (ids ``KASAN=y``,
  ``KASAN=n``), on top of ``kernel_boot``'s; a configuration the version
  cannot have is skipped, saying why.
* ``@pytest.mark.every_release``: the test's ``kernel`` is parametrized over
  every modelled release (test ids are the tags), whatever the option.
* Under ``linuxmm bisect run`` (which sets ``$LINUXMM_BISECT_RUN``), a run
  in which every test was skipped by ``kernel_versions`` (the kernel lacks
  what the tests need) exits with status 125, so the bisection skips that
  revision instead of calling it good.
* When a test fails at some versions and passes at others, the run ends with
  a "linuxmm: where failures start" section: for each failing version, the
  nearest passing one, the modelled commits that separate them, and the
  ``linuxmm bisect run`` line that searches between them.

Example::

    import pytest

    @pytest.mark.kernel_versions(">=2.6.0")
    @pytest.mark.kernel_boot(mem="64M")
    def test_buddyinfo_has_eleven_orders(kernel):
        assert len(kernel.proc("buddyinfo").split()) >= 4 + 11
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

import pytest

from .kconfig import show_value

OPTION = "linuxmm_kernel_version"
#: The keywords ``@pytest.mark.kernel_boot`` passes on to :func:`linuxmm.boot`.
BOOT_KEYWORDS = ("mem", "cpus", "config", "cmdline", "seed")
#: Environment variables with settings added on top of ``kernel_boot`` (set by ``linuxmm config-bisect``).
CONFIG_ENV = "LINUXMM_CONFIG"
CMDLINE_ENV = "LINUXMM_CMDLINE"
#: Exit status of a run whose environment settings the kernel refuses: git bisect's "skip".
CANNOT_TEST = 125
_SPEC_RE = re.compile(r"^\s*(>=|<=|==|>|<)\s*(\S+)\s*$")
_OUTCOMES = pytest.StashKey[list]()
_RUNS = pytest.StashKey[dict]()
#: Set by ``linuxmm bisect run`` for the command it runs.
BISECT_ENV = "LINUXMM_BISECT_RUN"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("linuxmm", "linuxmm kernel model")
    group.addoption("--kernel-version", dest=OPTION, default=None, metavar="V",
                    help="kernel version(s) for the `kernel` fixture: a release or commit sha prefix, 'latest', "
                         "a comma list (6.12,6.14), a range (6.12..6.15) or 'all' (every modelled release); "
                         "default $LINUXMM_KERNEL_VERSION, else latest")


def _check_option(config: pytest.Config) -> None:
    """A bad ``--kernel-version`` (or ``$LINUXMM_KERNEL_VERSION``) stops the run at once, on one line.

    Only checked when one of them is set, so sessions that do not use
    linuxmm never load its plugins.
    """
    given = config.getoption(OPTION, None)
    env = os.environ.get("LINUXMM_KERNEL_VERSION")
    if given is not None:
        value, source = given, f"--kernel-version {given}"
    elif env is not None:  # set but empty is a mistake, as on the command line
        value, source = env, f"LINUXMM_KERNEL_VERSION={env}"
    else:
        return
    from .errors import LinuxmmError

    message = None
    if not value.strip():
        message = (f"{source.strip()}: empty; give a release such as 2.6.28, a commit sha prefix, 'latest', "
                   f"a list (6.12,6.14), a range (6.12..6.15) or 'all'")
    else:
        try:
            if versions_matrix(value) is None:
                _history().resolve(value)
        except LinuxmmError as exc:
            message = f"{source}: {exc}"
    if message:
        raise pytest.UsageError(message)


def pytest_configure(config: pytest.Config) -> None:
    _check_option(config)
    config.stash[_OUTCOMES] = []
    config.stash[_RUNS] = {"called": 0, "version_skips": 0}
    config.pluginmanager.register(_Recorder(config.stash[_OUTCOMES], config.stash[_RUNS]),
                                  f"linuxmm-recorder-{id(config)}")
    config.addinivalue_line("markers", "kernel_boot(mem=None, cpus=1, config=None, cmdline=None, seed=0): "
                                       "how the `kernel` fixture boots")
    config.addinivalue_line("markers", "kernel_versions(*specs): run only on kernels in range, e.g. "
                                       "kernel_versions('>=v2.6.28', '<6.4'); skip elsewhere")
    config.addinivalue_line("markers", "kernel_configs(*configs): run the test's `kernel` once per config "
                                       "dict, e.g. kernel_configs({'KASAN': True}, {'KASAN': False})")
    config.addinivalue_line("markers", "every_release: run the test's `kernel` at every modelled release")


def _option(config: pytest.Config) -> str:
    return config.getoption(OPTION, None) or os.environ.get("LINUXMM_KERNEL_VERSION") or "latest"


def _history():
    import linuxmm

    return linuxmm.history()


def versions_matrix(value: str) -> list[str] | None:
    """The versions ``value`` names, oldest first, or None when it names a single version.

    ``all``: every modelled release.  ``A..B``: the modelled releases from A
    to B, both included (A and B themselves even when they are commits or
    stable releases).  ``X,Y,...``: each item, which may itself be a range.
    Items are checked as ``--kernel-version`` is; duplicates are dropped.
    """
    text = value.strip()
    if text != "all" and "," not in text and ".." not in text:
        return None
    history = _history()
    key = (id(history), text)
    if key not in _MATRICES:
        _MATRICES[key] = _matrix(history, text)
    return list(_MATRICES[key])


_MATRICES: dict[tuple[int, str], list[str]] = {}


def _matrix(history: Any, text: str) -> list[str]:
    from .errors import VersionError

    if text == "all":
        return history.modelled_releases()
    out: list[str] = []
    for item in text.split(","):
        item = item.strip()
        if not item:
            raise VersionError(f"{text!r}: an empty item in the list")
        if ".." in item:
            a, _, b = item.partition("..")
            if not a.strip() or not b.strip():
                raise VersionError(f"{item!r}: a range needs both ends, as in 6.12..6.15")
            ra, rb = history.resolve(a.strip()), history.resolve(b.strip())
            lo, hi = ra.index, rb.index  # a stable release sits at its mainline base
            if (lo, ra.key) > (hi, rb.key):
                raise VersionError(f"{item!r}: {ra.name} is newer than {rb.name} (write the older one first)")
            names = [ra.name]
            for tag in history.modelled_releases():
                rev = history.resolve(tag)
                if lo <= rev.index <= hi and tag not in (ra.name, rb.name):
                    if rev.index == hi and rb.name not in history.tag_index and rev.key > rb.key:
                        continue
                    names.append(tag)
            names.append(rb.name)
        else:
            names = [history.resolve(item).name]
        for name in names:
            if name not in out:
                out.append(name)
    out.sort(key=lambda name: _sort_key(history, name))
    return out


def _sort_key(history: Any, name: str) -> tuple:
    rev = history.resolve(name)
    return (rev.index, rev.key, name)


def _uses_our_fixture(metafunc: pytest.Metafunc) -> bool:
    defs = getattr(metafunc, "_arg2fixturedefs", {}).get("kernel")
    if not defs:
        return False
    return getattr(defs[-1].func, "__module__", None) == __name__


def _check_markers(metafunc: pytest.Metafunc) -> None:
    """Marker arguments of the wrong type are collection errors (one clear line)."""
    where = metafunc.definition.nodeid
    for mark in metafunc.definition.iter_markers("kernel_versions"):
        if mark.kwargs:
            raise pytest.Collector.CollectError(
                f"{where}: kernel_versions takes range specs as strings, not keywords ({', '.join(mark.kwargs)})")
        if not mark.args:
            raise pytest.Collector.CollectError(f"{where}: kernel_versions needs at least one spec, e.g. '>=v2.6.28'")
        for spec in mark.args:
            if not isinstance(spec, str):
                raise pytest.Collector.CollectError(
                    f"{where}: kernel_versions spec {spec!r} is a {type(spec).__name__}, not a string: write "
                    f"'>={spec}' or '=={spec}' (a float cannot name a kernel: 2.6 and 2.60 are the same float)")
    for mark in metafunc.definition.iter_markers("kernel_configs"):
        if mark.kwargs or not mark.args or not all(isinstance(c, dict) for c in mark.args):
            raise pytest.Collector.CollectError(
                f"{where}: kernel_configs takes config dicts, e.g. kernel_configs({{'KASAN': True}}, {{}})")
    for mark in metafunc.definition.iter_markers("kernel_boot"):
        if mark.args:
            raise pytest.Collector.CollectError(
                f"{where}: kernel_boot takes keyword arguments only (mem=, cpus=, config=, cmdline=, seed=)")


def config_id(config: dict) -> str:
    """Test id of a configuration: ``KASAN=y-SLUB_DEBUG=n``; ``defaults`` for an empty one."""
    parts = []
    for name, value in config.items():
        v = "y" if value is True else "n" if value is False or value is None else str(value)
        parts.append(f"{name.removeprefix('CONFIG_')}={v}")
    return "-".join(parts) or "defaults"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    _check_markers(metafunc)
    if "kernel" not in metafunc.fixturenames or not _uses_our_fixture(metafunc):
        return
    every = metafunc.definition.get_closest_marker("every_release") is not None
    versions = _history().modelled_releases() if every else versions_matrix(_option(metafunc.config))
    if versions is not None:
        metafunc.parametrize("kernel", versions, indirect=True, ids=versions)
    mark = metafunc.definition.get_closest_marker("kernel_configs")
    if mark is not None:
        configs = list(mark.args)
        metafunc.parametrize("linuxmm_kernel_config", configs, indirect=True, ids=[config_id(c) for c in configs])


def _item_version(item: pytest.Item) -> str:
    callspec = getattr(item, "callspec", None)
    if callspec is not None and "kernel" in callspec.params:
        return callspec.params["kernel"]
    version = _option(item.config)
    return "latest" if versions_matrix(version) is not None else version


def check_spec(rev: Any, spec: str) -> str | None:
    """None if ``rev`` satisfies ``spec`` (``>=REF`` ...), else why not (``needs ... ; kernel is ...``)."""
    from .history import _SHA_RE, tag_of
    from .host import get_host

    if not isinstance(spec, str):
        raise ValueError(f"{spec!r} is a {type(spec).__name__}, not a range spec string")
    m = _SPEC_RE.match(spec)
    if not m:
        raise ValueError(f"{spec!r} is not a range spec (use >=REF, >REF, <=REF, <REF or ==REF)")
    op, ref = m.groups()
    host = get_host()
    history = rev.history
    is_sha = bool(_SHA_RE.match(ref.lower())) and not re.match(r"^v?\d+\.\d+", ref)
    if is_sha:
        sha = history.commit(ref.lower()).sha
        has = rev.has(sha)
        same = rev.index == history.ref_index(sha) and not rev.stable_tag and not rev.backports
        ref = sha
    else:
        tag = tag_of(ref)
        history.resolve(tag)  # validates (a real, modelled version)
        has = rev.has(tag)
        if tag in history.stable:
            same = rev.stable_tag == tag
        else:
            same = tag in history.tag_index and rev.index == history.tag_index[tag] and not rev.stable_tag
        ref = tag
    ok = {">=": has, "<": not has, "==": same, ">": has and not same, "<=": (not has) or same}[op]
    if ok:
        return None
    return f"needs {op} {host.describe_ref(ref)}; kernel is {rev.describe}"


def pytest_runtest_setup(item: pytest.Item) -> None:
    markers = list(item.iter_markers("kernel_versions"))
    if not markers:
        return
    from .errors import LinuxmmError

    why = failure = None
    try:
        rev = _history().resolve(_item_version(item))
        for mark in markers:
            for spec in mark.args:
                why = check_spec(rev, spec)
                if why:
                    break
            if why:
                break
    except (LinuxmmError, ValueError) as exc:
        failure = f"kernel_versions: {exc}"
    # outside the except block, so the report is one line, not a chained traceback
    if failure:
        pytest.fail(failure, pytrace=False)
    if why:
        runs = item.config.stash.get(_RUNS, None)
        if runs is not None:
            runs["version_skips"] += 1
        pytest.skip(why)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Under ``linuxmm bisect run``: a run whose every test was skipped for the kernel's version cannot tell
    good from bad, so it exits with 125, which the bisection takes as "skip this revision"."""
    runs = session.config.stash.get(_RUNS, None)
    if not os.environ.get(BISECT_ENV) or runs is None:
        return
    if exitstatus == 0 and runs["version_skips"] and not runs["called"]:
        session.exitstatus = CANNOT_TEST


@pytest.fixture
def linuxmm_kernel_config(request: pytest.FixtureRequest) -> dict:
    """The configuration ``@pytest.mark.kernel_configs`` gives this test run (empty without the marker)."""
    return dict(getattr(request, "param", None) or {})


def _env_settings() -> tuple[list[str], str]:
    items = os.environ.get(CONFIG_ENV, "").split()
    return items, os.environ.get(CMDLINE_ENV, "").strip()


@pytest.fixture
def kernel(request: pytest.FixtureRequest, linuxmm_kernel_config: dict):
    """A kernel booted at ``--kernel-version`` (or the release this test is parametrized with)."""
    import linuxmm

    version = getattr(request, "param", None) or _option(request.config)
    if versions_matrix(version) is not None:
        version = "latest"
    mark = request.node.get_closest_marker("kernel_boot")
    opts: dict[str, Any] = dict(mark.kwargs) if mark else {}
    if mark and mark.args:
        raise pytest.UsageError("kernel_boot takes keyword arguments only (mem=, cpus=, config=, cmdline=, seed=)")
    unknown = sorted(set(opts) - set(BOOT_KEYWORDS))
    if unknown:
        pytest.fail(f"kernel_boot: unknown keyword {unknown[0]!r} (it takes "
                    f"{', '.join(k + '=' for k in BOOT_KEYWORDS)})", pytrace=False)
    if linuxmm_kernel_config:
        opts["config"] = {**dict(opts.get("config") or {}), **linuxmm_kernel_config}
    env_config, env_cmdline = _env_settings()
    if env_config:
        base = opts.get("config") or {}
        base = [f"{k}={show_value(v)}" for k, v in base.items()] if isinstance(base, dict) else list(base)
        opts["config"] = base + env_config
    if env_cmdline:
        opts["cmdline"] = " ".join(x for x in (opts.get("cmdline") or "", env_cmdline) if x)
    failure = skip = None
    try:
        return linuxmm.boot(version, **opts)
    except linuxmm.LinuxmmError as exc:  # a bad version or kernel_boot value: one line, no traceback
        if env_config or env_cmdline:
            failure = (f"kernel fixture: cannot boot {version} with ${CONFIG_ENV}/${CMDLINE_ENV}: "
                       f"{type(exc).__name__}: {exc}")
        elif linuxmm_kernel_config and isinstance(exc, linuxmm.ConfigError):
            skip = f"kernel_configs: {exc}"
        else:
            failure = f"kernel fixture: cannot boot {version}: {type(exc).__name__}: {exc}"
    if skip:
        pytest.skip(skip)
    if env_config or env_cmdline:
        pytest.exit(failure, returncode=CANNOT_TEST)
    pytest.fail(failure, pytrace=False)


# -- which versions failed, and what separates them from the nearest passing one ----------
@dataclass(frozen=True)
class Outcome:
    group: str  # the test without its kernel version
    nodeid: str
    version: str
    passed: bool


def _group(item: pytest.Item) -> str:
    callspec = getattr(item, "callspec", None)
    base = item.nodeid.split("[", 1)[0]
    if callspec is None:
        return base
    others = [f"{k}={v!r}" for k, v in sorted(callspec.params.items()) if k != "kernel"]
    return base + (f"[{', '.join(others)}]" if others else "")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if "kernel" not in getattr(item, "fixturenames", ()):
        return report
    info = getattr(item, "_fixtureinfo", None)
    defs = info.name2fixturedefs.get("kernel") if info is not None else None
    if not defs or getattr(defs[-1].func, "__module__", None) != __name__:
        return report
    version = _item_version(item)
    if report.when == "call" or (report.failed and report.when == "setup"):
        report.user_properties.append(("linuxmm_kernel", version))
        report.user_properties.append(("linuxmm_group", _group(item)))
        if report.failed:
            try:
                rev = _history().resolve(version)
                text = f"kernel {rev.describe}" + (f" ({rev.name})" if rev.name != rev.describe else "")
            except Exception:  # a bad version is reported by the fixture itself
                text = f"kernel {version}"
            report.sections.append(("linuxmm", text))
    return report


class _Recorder:
    """Collects each kernel-using test's outcome per version (on the xdist controller too)."""

    def __init__(self, outcomes: list, runs: dict):
        self.outcomes = outcomes
        self.runs = runs

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call":
            self.runs["called"] += 1
        props = dict(report.user_properties)
        if "linuxmm_kernel" not in props or report.skipped:
            return
        if report.when == "call" or report.failed:
            self.outcomes.append(Outcome(props["linuxmm_group"], report.nodeid, props["linuxmm_kernel"],
                                         report.passed))


def where_failures_start(outcomes: list[Outcome], max_points: int = 8) -> list[str]:
    """For each failing version of a test, the nearest passing version and what lies between them."""
    history = _history()
    groups: dict[str, list[Outcome]] = {}
    for o in outcomes:
        groups.setdefault(o.group, []).append(o)
    lines: list[str] = []
    for group, results in groups.items():
        final: dict[str, bool] = {}
        nodeids: dict[str, str] = {}
        for o in results:  # a setup failure and a call result: failed wins
            final[o.version] = final.get(o.version, True) and o.passed
            nodeids[o.version] = o.nodeid
        passing = [v for v, ok in final.items() if ok]
        failing = [v for v, ok in final.items() if not ok]
        if not passing or not failing:
            continue
        pos = {v: history.resolve(v).index for v in final}
        for bad in sorted(failing, key=lambda v: _sort_key(history, v)):
            good = min(passing, key=lambda v: (abs(pos[v] - pos[bad]), pos[v] > pos[bad]))
            lo, hi = sorted((pos[good], pos[bad]))
            between = history.points[lo + 1: hi + 1]
            labels = [p.commit.sha + " " + p.commit.subject if p.commit else p.release.tag for p in between]
            direction = "introduced" if pos[good] < pos[bad] else "fixed"
            if not between:
                head = (f"{nodeids[bad]} fails at {bad} and passes at {good}, the same point of the history "
                        f"(a stable backport, a config or the test itself makes the difference)")
                lines.append(head)
                continue
            lines.append(f"{nodeids[bad]} fails at {bad}; nearest passing: {good}; {len(between)} point"
                         f"{'s' if len(between) != 1 else ''} between ({direction} by one of them):")
            for label in labels[:max_points]:
                lines.append(f"    {label}")
            if len(labels) > max_points:
                lines.append(f"    ... and {len(labels) - max_points} more (linuxmm log --oneline "
                             f"{_label(history, lo)}..{_label(history, hi)})")
            old, new = (good, bad) if pos[good] < pos[bad] else (bad, good)
            test = group.split("[", 1)[0]
            if direction == "introduced":
                lines.append(f"    linuxmm bisect run --good {old} --bad {new} -- pytest -q '{test}'")
            else:
                lines.append(f"    linuxmm bisect run --term-old broken --term-new fixed --old {old} --new {new} "
                             f"-- pytest -q '{test}'   # the test must pass while broken")
    return lines


def _label(history: Any, index: int) -> str:
    p = history.points[index]
    return p.commit.sha if p.commit else p.release.tag


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    lines = where_failures_start(config.stash.get(_OUTCOMES, []))
    if not lines:
        return
    terminalreporter.section("linuxmm: where failures start")
    for line in lines:
        terminalreporter.write_line(line)


def pytest_report_header(config: pytest.Config) -> str:
    value = _option(config)
    matrix = versions_matrix(value) if value.strip() else None
    if matrix is not None and value.strip() != "all":
        return f"linuxmm: --kernel-version {value} ({len(matrix)} versions: {', '.join(matrix)})"
    return f"linuxmm: --kernel-version {value}"
