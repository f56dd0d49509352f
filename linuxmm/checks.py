"""Argument checks at the model's boundary: one error class, a message naming the argument.

C's types refuse ``alloc_pages(GFP_KERNEL, None)`` at compile time; Python
would raise a ``TypeError`` from somewhere inside the allocator, or worse,
carry on with a float.  Every kernel call of the model checks its arguments
with these helpers, which raise :class:`~linuxmm.errors.ArgumentError`
(``alloc_pages: order must be an int, not None``).

The hot paths do not call them on every call: a fast path is written so that
an argument of the wrong type either fails a cheap test that sends it to the
slow path (which checks), or raises ``TypeError`` inside a ``try`` whose
handler calls :func:`explain` to raise the proper error.  Both cost nothing
when the arguments are right.
"""

from __future__ import annotations

from typing import Any, NoReturn

from .errors import ArgumentError


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _kind(value: Any) -> str:
    if value is None:
        return "None"
    if isinstance(value, bool):
        return f"a bool ({value})"
    return f"{type(value).__name__} {_shown(value)}"


def check_int(value: Any, name: str, func: str, lo: int | None = None, hi: int | None = None) -> int:
    """``value`` as an int in ``[lo, hi]``; bools, floats, strings and None are refused."""
    if type(value) is not int:
        if isinstance(value, int) and not isinstance(value, bool):  # an int subclass (IntEnum ...)
            value = int(value)
        else:
            raise ArgumentError(f"{func}: {name} must be an int, not {_kind(value)}")
    if lo is not None and value < lo:
        raise ArgumentError(f"{func}: {name} must be at least {lo}, not {value}")
    if hi is not None and value > hi:
        raise ArgumentError(f"{func}: {name} must be at most {hi}, not {value}")
    return value


def check_gfp(value: Any, func: str, name: str = "gfp_mask") -> int:
    """A GFP mask: a non-negative int below 2**32 (which bits an era reads is the era's business)."""
    return check_int(value, name, func, 0, 0xFFFFFFFF)


def check_order(value: Any, func: str, name: str = "order") -> int:
    """An allocation order: an int.  Its range is the era's (too large is the kernel's NULL or WARN)."""
    return check_int(value, name, func)


def check_addr(value: Any, func: str, name: str = "addr") -> int:
    """A kernel address: an int from 0 (NULL) to 2**64 - 1."""
    return check_int(value, name, func, 0, (1 << 64) - 1)


def check_size(value: Any, func: str, name: str = "size") -> int:
    """A byte count: an int from 0 to 2**64 - 1 (C's ``size_t``); what the era does with it is the era's."""
    return check_int(value, name, func, 0, (1 << 64) - 1)


def check_bytes(value: Any, func: str, name: str = "data") -> bytes:
    """Bytes to store: ``bytes``, ``bytearray`` or ``memoryview``; text is refused (encode it first)."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    raise ArgumentError(f"{func}: {name} must be bytes, not {_kind(value)}")


def explain(func: str, **args: tuple[Any, str]) -> NoReturn:
    """Raise the :class:`ArgumentError` for the first bad argument of a call that raised ``TypeError``.

    ``explain("alloc_pages", gfp_mask=(gfp_mask, "gfp"), order=(order, "order"))``:
    each keyword is an argument's value and its kind (``gfp``, ``order``,
    ``addr``, ``size``, ``int``).  When every argument passes its check the
    ``TypeError`` came from elsewhere (a bug in the model): it is re-raised
    as it was, so call this only inside the ``except TypeError`` handler.
    """
    checks = {"gfp": check_gfp, "order": check_order, "addr": check_addr, "size": check_size}
    for name, (value, kind) in args.items():
        if kind == "int":
            check_int(value, name, func)
        else:
            checks[kind](value, func, name)
    raise  # noqa: PLE0704  (the TypeError being handled)
