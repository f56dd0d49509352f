"""``WARN()``/``WARN_ON()`` as each era printed it, and ``panic_on_warn``.

Every subsystem of the model that warns (the page allocator's order check,
vmalloc's bad frees and failures, KASAN's misaligned poisoning) prints
through :func:`warn`, so the format changes over the years live in one
place.  The source line (``%s:%d``) and the ``+off/size`` of ``%pS`` are not
modelled: the model has no line numbers, so the function is printed bare.

* 2.6.0-2.6.18: ``Badness in <func> at <file>`` [S] (the kernel added ``:<line>``);
* 2.6.19-2.6.24: ``BUG: warning at <file>/<func>()`` [S];
* 2.6.25: ``WARNING: at <file> <func>()`` (``warn_on_slowpath``) [S], with
  the ``------------[ cut here ]------------`` line before it from 2.6.26 [S];
* 3.11: ``WARNING: CPU: <n> PID: <pid> at <file> <func>()`` [V: mm_page_alloc's
  sources; S for the release];
* 4.6: the same without ``()``, as ``%pS`` prints it [S: 4.5 unread].

Then ``panic_on_warn=1`` panics, with ``kernel: panic_on_warn set ...`` from
v6.2 (``check_panic_on_warn(origin)``) and ``panic_on_warn set ...`` before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:  # pragma: no cover
    from .kernel import Kernel

#: The simulated task's pid in reports.
PID = 1


def warning_templates(kernel: "Kernel", path: str, func: str) -> tuple[str, ...]:
    """The lines a ``WARN`` prints before its message in the booted era's format, with ``{cpu}``
    where the CPU goes (none before 2.6).  Resolved once, a call site that warns on an
    allocation path never asks ``kernel.has()`` there (see :func:`warn_printer`)."""
    has = kernel.has
    path, func = path.replace("{", "{{").replace("}", "}}"), func.replace("{", "{{").replace("}", "}}")
    if not has("v2.6.0"):
        return ()
    if not has("v2.6.19"):
        return (f"Badness in {func} at {path}",)
    if not has("v2.6.25"):
        return (f"BUG: warning at {path}/{func}()",)
    lines = ["------------[ cut here ]------------"] if has("v2.6.26") else []
    if has("v4.6"):
        lines.append(f"WARNING: CPU: {{cpu}} PID: {PID} at {path} {func}")
    elif has("v3.11"):
        lines.append(f"WARNING: CPU: {{cpu}} PID: {PID} at {path} {func}()")
    else:
        lines.append(f"WARNING: at {path} {func}()")
    return tuple(lines)


def warning_lines(kernel: "Kernel", path: str, func: str) -> list[str]:
    """The lines a ``WARN`` prints before its message, in the booted era's format (none before 2.6)."""
    cpu = kernel.this_cpu
    return [line.format(cpu=cpu) for line in warning_templates(kernel, path, func)]


def warn(kernel: "Kernel", path: str, func: str, message: str | None = None) -> None:
    """``WARN(1, message)`` (or ``WARN_ON`` when ``message`` is None), then ``panic_on_warn``."""
    _print(kernel, warning_lines(kernel, path, func), message)


def warn_printer(kernel: "Kernel", path: str, func: str) -> Callable[[str | None], None]:
    """:func:`warn` for one call site, its era's format resolved now (at boot): the returned
    ``print_warn(message=None)`` prints with the current CPU and asks ``kernel.has()`` nothing
    (unless ``panic_on_warn`` is set, when the panic message is looked up)."""
    templates = warning_templates(kernel, path, func)

    def print_warn(message: str | None = None) -> None:
        cpu = kernel.this_cpu
        _print(kernel, [line.format(cpu=cpu) for line in templates], message)

    return print_warn


def _print(kernel: "Kernel", lines: list[str], message: str | None) -> None:
    for line in lines:
        kernel.dmesg.printk(line)
    if message:
        kernel.dmesg.printk(message)
    check_panic_on_warn(kernel, "kernel")


def check_panic_on_warn(kernel: "Kernel", origin: str) -> None:
    """kernel/panic.c: panic after a warning when ``panic_on_warn=1`` (``origin: `` from v6.2)."""
    if kernel.cmdline.get("panic_on_warn", 0):
        kernel.panic(f"{origin}: panic_on_warn set ..." if kernel.has("v6.2") else "panic_on_warn set ...")
