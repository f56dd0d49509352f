"""Exceptions.

Everything a user can cause by a mistake (a bad version flag, an unknown
config symbol, a call that did not exist in the booted era) is a
:class:`LinuxmmError`: the CLI prints its message on one line and exits with
status 2, never a traceback.  :class:`KernelPanic` is different: it is the
simulated kernel dying, and it is raised to the caller after the panic line
has been logged.
"""


class LinuxmmError(Exception):
    """A user-facing error with a one-line message."""


class ArgumentError(LinuxmmError, ValueError):
    """An argument of the wrong type or out of range, given to a kernel call or API.

    The message always names the argument: ``alloc_pages: order must be an
    int, not None``.  It is the model refusing a call that C's types would
    have refused at compile time; an argument of the right type that the
    kernel itself mishandled is modelled as the kernel behaved instead.
    """


class ConcurrencyError(LinuxmmError):
    """A kernel called from a Python thread other than the one that booted it.

    A kernel is not thread-safe (its hot paths take no lock, as a CPU's own
    per-CPU lists need none); model concurrency with simulated CPUs
    (``kernel.on_cpu(i)``), or boot one kernel per thread.
    """


class VersionError(LinuxmmError):
    """A ``--kernel-version`` that names no modelled point."""


class ConfigError(LinuxmmError):
    """A config symbol or boot parameter that is unknown or out of its era."""


class NotInThisKernel(LinuxmmError, AttributeError):
    """A kernel call or /proc file that did not exist in the booted era."""


class PluginError(LinuxmmError):
    """Two plugins disagree (same implementation name, unknown commit ...)."""


class WorkloadError(LinuxmmError):
    """A workload file that cannot be parsed or run."""


class InvariantViolation(Exception):
    """:meth:`Kernel.check` found the model's state inconsistent: a bug in the model, never a user mistake.

    ``violations`` lists every finding, one sentence each.
    """

    def __init__(self, violations: list[str]):
        self.violations = list(violations)
        more = f" (and {len(self.violations) - 1} more)" if len(self.violations) > 1 else ""
        super().__init__(f"{self.violations[0]}{more}" if self.violations else "no violation")


class KernelPanic(Exception):
    """The simulated kernel panicked; it refuses every call afterwards."""


class KernelBug(Exception):
    """A ``BUG()``/``BUG_ON()`` fired in the simulated kernel (logged to dmesg)."""


class KernelOops(KernelBug):
    """The simulated kernel oopsed (a bad access in kernel mode): the task dies, the kernel goes on."""


class PageFault(LinuxmmError):
    """A read or write of an address that nothing maps."""
