"""pytest plugin (entry point ``pytest11``): test code against any modelled kernel.

* ``--kernel-version V`` (default: ``$LINUXMM_KERNEL_VERSION``, else
  ``latest``; ``all`` runs every test that uses ``kernel`` once per
  modelled release).
* Fixture ``kernel``: a kernel booted at that version, fresh for each test.
  ``@pytest.mark.kernel_boot(mem="64M", cpus=2, config={...}, cmdline="...")``
  customises the boot.
* ``@pytest.mark.kernel_versions(">=v2.6.28", "<v6.4")``: the test runs only
  on kernels inside the range; elsewhere it is skipped, saying why::

      needs >= v2.6.28-rc1 (db64fe02258f "mm: rewrite vmap layer"); kernel is v2.6.27

  A spec is ``>=REF``, ``>REF``, ``<=REF``, ``<REF`` or ``==REF``; REF is a
  release tag (with or without ``v``) or a modelled commit's sha prefix.
* ``@pytest.mark.every_release``: the test's ``kernel`` is parametrized over
  every modelled release (test ids are the tags), whatever the option.

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
from typing import Any

import pytest

OPTION = "linuxmm_kernel_version"
#: The keywords ``@pytest.mark.kernel_boot`` passes on to :func:`linuxmm.boot`.
BOOT_KEYWORDS = ("mem", "cpus", "config", "cmdline", "seed")
_SPEC_RE = re.compile(r"^\s*(>=|<=|==|>|<)\s*(\S+)\s*$")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("linuxmm", "linuxmm kernel model")
    group.addoption("--kernel-version", dest=OPTION, default=None, metavar="V",
                    help="kernel version for the `kernel` fixture: a release, a commit sha prefix, 'latest' or "
                         "'all' (every modelled release); default $LINUXMM_KERNEL_VERSION, else latest")


def _check_option(config: pytest.Config) -> None:
    """A bad ``--kernel-version`` (or ``$LINUXMM_KERNEL_VERSION``) stops the run at once, on one line.

    Only checked when one of them is set, so sessions that do not use
    linuxmm never load its plugins.
    """
    given = config.getoption(OPTION, None)
    env = os.environ.get("LINUXMM_KERNEL_VERSION")
    if given is not None:
        value, source = given, f"--kernel-version {given}"
    elif env is not None and env.strip():
        value, source = env, f"LINUXMM_KERNEL_VERSION={env}"
    else:
        return
    if value == "all":
        return
    from .errors import LinuxmmError

    message = None
    if not value.strip():
        message = f"{source.strip()}: empty; give a release such as 2.6.28, a commit sha prefix, 'latest' or 'all'"
    else:
        try:
            _history().resolve(value)
        except LinuxmmError as exc:
            message = f"{source}: {exc}"
    if message:
        raise pytest.UsageError(message)


def pytest_configure(config: pytest.Config) -> None:
    _check_option(config)
    config.addinivalue_line("markers", "kernel_boot(mem=None, cpus=1, config=None, cmdline=None, seed=0): "
                                       "how the `kernel` fixture boots")
    config.addinivalue_line("markers", "kernel_versions(*specs): run only on kernels in range, e.g. "
                                       "kernel_versions('>=v2.6.28', '<6.4'); skip elsewhere")
    config.addinivalue_line("markers", "every_release: run the test's `kernel` at every modelled release")


def _option(config: pytest.Config) -> str:
    return config.getoption(OPTION, None) or os.environ.get("LINUXMM_KERNEL_VERSION") or "latest"


def _history():
    import linuxmm

    return linuxmm.history()


def _uses_our_fixture(metafunc: pytest.Metafunc) -> bool:
    defs = getattr(metafunc, "_arg2fixturedefs", {}).get("kernel")
    if not defs:
        return False
    return getattr(defs[-1].func, "__module__", None) == __name__


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "kernel" not in metafunc.fixturenames or not _uses_our_fixture(metafunc):
        return
    every = metafunc.definition.get_closest_marker("every_release") is not None
    if every or _option(metafunc.config) == "all":
        tags = _history().modelled_releases()
        metafunc.parametrize("kernel", tags, indirect=True, ids=tags)


def _item_version(item: pytest.Item) -> str:
    callspec = getattr(item, "callspec", None)
    if callspec is not None and "kernel" in callspec.params:
        return callspec.params["kernel"]
    version = _option(item.config)
    return "latest" if version == "all" else version


def check_spec(rev: Any, spec: str) -> str | None:
    """None if ``rev`` satisfies ``spec`` (``>=REF`` ...), else why not (``needs ... ; kernel is ...``)."""
    from .history import _SHA_RE, tag_of
    from .host import get_host

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
        pytest.skip(why)


@pytest.fixture
def kernel(request: pytest.FixtureRequest):
    """A kernel booted at ``--kernel-version`` (or the release this test is parametrized with)."""
    import linuxmm

    version = getattr(request, "param", None) or _option(request.config)
    if version == "all":
        version = "latest"
    mark = request.node.get_closest_marker("kernel_boot")
    opts: dict[str, Any] = dict(mark.kwargs) if mark else {}
    if mark and mark.args:
        raise pytest.UsageError("kernel_boot takes keyword arguments only (mem=, cpus=, config=, cmdline=, seed=)")
    unknown = sorted(set(opts) - set(BOOT_KEYWORDS))
    if unknown:
        pytest.fail(f"kernel_boot: unknown keyword {unknown[0]!r} (it takes "
                    f"{', '.join(k + '=' for k in BOOT_KEYWORDS)})", pytrace=False)
    failure = None
    try:
        return linuxmm.boot(version, **opts)
    except linuxmm.LinuxmmError as exc:  # a bad version or kernel_boot value: one line, no traceback
        failure = f"kernel fixture: cannot boot {version}: {type(exc).__name__}: {exc}"
    pytest.fail(failure, pytrace=False)


def pytest_report_header(config: pytest.Config) -> str:
    return f"linuxmm: --kernel-version {_option(config)}"
