"""Kconfig-like symbols and the boot command line.

Symbols are named with or without the ``CONFIG_`` prefix and validated
against the booted revision: a symbol that did not exist yet, or no longer
existed, is an error naming the commit or release that added or removed it.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from .errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    from .history import Revision
    from .host import Host

_SIZE_RE = re.compile(r"^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)([kKmMgGtTpP]?)[bB]?$")
_SUFFIX = {"": 0, "k": 10, "m": 20, "g": 30, "t": 40, "p": 50}


def memparse(text: str) -> int:
    """Parse a size the way the kernel's ``memparse`` does: ``256M``, ``64G``, ``4096``, ``0x800000``.

    The number is read with base detection (``0x`` hex, a leading ``0`` octal),
    then an optional K, M, G or T suffix scales it.
    """
    m = _SIZE_RE.match(str(text).strip())
    if not m:
        raise ValueError(f"{text!r} is not a size (expected a number with an optional K, M, G or T suffix)")
    digits = m.group(1)
    if digits[:2].lower() == "0x":
        number = int(digits, 16)
    elif digits.startswith("0"):
        number = int(digits, 8)
    else:
        number = int(digits)
    return number << _SUFFIX[m.group(2).lower()]


#: The largest machine the model boots: 256G boots in about a second (page frames are
#: compact arrays); 1024 CPUs keep the per-CPU lists of a large machine affordable.
MAX_MEM = 256 << 30
MAX_CPUS = 1024


def _size_text(nbytes: int) -> str:
    for unit, shift in (("T", 40), ("G", 30), ("M", 20), ("K", 10)):
        if nbytes >= 1 << shift and nbytes % (1 << shift) == 0:
            return f"{nbytes >> shift}{unit}"
    return str(nbytes)


def check_mem(value: Any) -> int:
    """A RAM size (``"256M"`` or a byte count) within the model's bounds, in bytes.

    ``ValueError("<value>: <why>")`` when it is not a size, is less than one
    4K page, or is more than :data:`MAX_MEM`.
    """
    shown = str(value).strip() if isinstance(value, str) else repr(value)
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError(f"{shown}: not a size (expected a number with an optional K, M, G or T suffix, e.g. 256M)")
    if isinstance(value, int):
        size = value
    else:
        try:
            size = memparse(value)
        except ValueError:
            raise ValueError(f"{shown or repr(value)}: not a size (expected a number with an optional K, M, G "
                             f"or T suffix, e.g. 256M)") from None
    if size < 4096:
        raise ValueError(f"{shown}: less than one 4K page")
    if size > MAX_MEM:
        raise ValueError(f"{shown}: more than this model simulates (at most {_size_text(MAX_MEM)})")
    return size


def check_cpus(value: Any) -> int:
    """A CPU count from 1 to :data:`MAX_CPUS`; ``ValueError("<value>: <why>")`` otherwise."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{value!r}: not an integer")
    if value < 1:
        raise ValueError(f"{value}: must be at least 1")
    if value > MAX_CPUS:
        raise ValueError(f"{value}: this model simulates at most {MAX_CPUS} CPUs")
    return value


def check_era_cpus(cpus: int, limit: int | None, version: str, why: str) -> None:
    """Refuse a machine of more CPUs than the booted era allowed (its ``NR_CPUS``).

    Era plugins call this from their implementation with the era's own limit
    and where it comes from (``why``: "NR_CPUS 32 on i386, include/linux/threads.h");
    ``limit`` None means the era allows more than the model simulates
    (:data:`MAX_CPUS`).  The error names the limit:
    ``cpus=64: v2.4.0 allows at most 32 CPUs (NR_CPUS 32 on i386, ...)``.
    """
    from .errors import LinuxmmError

    if limit is not None and cpus > limit:
        raise LinuxmmError(f"cpus={cpus}: {version} allows at most {limit} CPUs ({why})")


def parse_bool(value: str | None) -> bool:
    """``kstrtobool``: 1/y/Y/on and 0/n/N/off; a bare flag means true."""
    if value is None:
        return True
    v = value.strip().lower()
    if v in ("1", "y", "yes", "on", "true"):
        return True
    if v in ("0", "n", "no", "off", "false"):
        return False
    raise ValueError(f"expected 0 or 1, not {value!r}")


def parse_config_items(items: Iterable[str]) -> dict[str, str]:
    """Turn ``["KASAN=y", "CONFIG_SLOB=y", "KASAN"]`` into a dict."""
    from .kconfig import parse_items

    return parse_items(items)


def resolve_config(host: "Host", rev: "Revision", given: Mapping[str, Any] | Iterable[str] | None):
    """The full config for ``rev`` with Kconfig's semantics (see :mod:`linuxmm.kconfig`)."""
    from .kconfig import resolve

    return resolve(host, rev, given)


@dataclass
class Cmdline:
    """A parsed boot command line."""

    text: str = ""
    values: dict[str, Any] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    malformed: list[str] = field(default_factory=list)
    #: parameters the kernel knew that the model accepts without modelling their effect
    unmodelled: list[str] = field(default_factory=list)

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)

    def __contains__(self, name: str) -> bool:
        return name in self.values


def parse_cmdline(host: "Host", rev: "Revision", text: str | None) -> Cmdline:
    """Split ``text`` into known parameters (validated) and unknown words.

    A parameter the booted kernel did not know yet is unknown to it, exactly
    as it would have been; a known parameter with a bad value is
    ``malformed`` (the kernel logs it and carries on).
    """
    if text is not None and not isinstance(text, str):
        raise ConfigError(f"the command line is a string such as \"quiet init_on_alloc=1\", not "
                          f"{type(text).__name__} {text!r}")
    text = (text or "").strip()
    cmd = Cmdline(text=text)
    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise ConfigError(f"--cmdline {text!r}: {exc}") from None
    for word in words:
        name, sep, value = word.partition("=")
        param = host.params.get(name)
        if param is None or not host.available(param, rev):
            cmd.unknown.append(word)
            continue
        try:
            cmd.values[name] = param.parse(value if sep else None)
        except ValueError:
            if param.early:
                cmd.malformed.append(name)
            else:  # obsolete_checksetup: a handler that refuses the value leaves the word to user space
                cmd.unknown.append(word)
            continue
        if not param.modelled and name not in cmd.unmodelled:
            cmd.unmodelled.append(name)
    return cmd
