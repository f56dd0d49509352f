"""Boot parameters every kernel knew that are not memory management (init/main.c and friends).

The model boots no console, root filesystem or init process, so none of
these changes what it does: each is declared ``modelled=False`` — accepted,
listed by ``linuxmm info`` as "accepted, no effect in this model", and, as
in the real kernel, never reported as unknown.  What matters is *which*
kernel knew which word: from 5.14 the kernel logs the words it did not know
("Unknown kernel command line parameters ... will be passed to user space"),
and the model lists exactly those.

Each parameter is introduced at the earliest release whose source, read,
has it (a ``__setup``/``early_param`` or the pre-2.4 ``parse_options``
tests); it may be older than that [S for the lower bound]:

* 1.0 ``init/main.c`` [V]: ``root=``, ``ro``, ``rw``, ``debug``.
* 2.2.1 ``init/main.c`` [V]: ``init=``, ``console=``.
* 2.4.0 ``init/main.c``, ``kernel/panic.c``, ``arch/i386/kernel/smpboot.c`` [V]:
  ``quiet``, ``panic=``, ``nosmp``, ``maxcpus=``.
* 2.6.11 ``init/do_mounts.c``, ``init/main.c``, ``arch/x86_64/kernel/early_printk.c``
  [V]: ``rootflags=``, ``rootfstype=``, ``rootdelay=``, ``initcall_debug``,
  ``earlyprintk=``.
* 2.6.20 ``init/main.c``, ``kernel/printk.c`` [V]: ``loglevel=``, ``rdinit=``,
  ``ignore_loglevel`` (none of them in 2.6.11).
* 2.6.22 ``init/do_mounts.c`` [V]: ``rootwait``; a 2.6.27 stable tree [V]:
  ``earlycon=``; 2.6.39 ``kernel/smp.c`` [V]: ``nr_cpus=``.

Trees read: kalamangga-net/linux-1.0, linas/i370-linux-2.2.1,
rivsidn/linux-2.4.0, Antonio-Zhou/Linux-2.6.11, sagsango/linux-2.6.20,
galeksandrp-keenetic/linux-2.6.22-tc (2.6.22.15), caglar10ur/linux-2.6.27.y
(2.6.27.57), gpl-releases/linux-2.6.39.3 and gfunkmonk/linux-6.18.2 (which still has
them all).  Parameters with a value (``console=``) are unknown without one,
as the kernel's handlers leave such a word to user space.
"""

from __future__ import annotations

from linuxmm import hookimpl
from linuxmm.records import BootParam


def _flag(value: str | None) -> bool:
    if value is not None:
        raise ValueError("takes no value")
    return True


def _value(value: str | None) -> str:
    if value is None:
        raise ValueError("needs a value")
    return value


#: (name, takes a value, introduced, early_param in 2.6+, help)
_PARAMS = (
    ("root", True, "v1.0", False, "root filesystem device"),
    ("ro", False, "v1.0", False, "mount the root filesystem read-only"),
    ("rw", False, "v1.0", False, "mount the root filesystem read-write"),
    ("debug", False, "v1.0", True, "verbose kernel log"),
    ("init", True, "v2.2.0", False, "program to run as init"),
    ("console", True, "v2.2.0", False, "output console device and options"),
    ("quiet", False, "v2.4.0", True, "quiet kernel log"),
    ("panic", True, "v2.4.0", True, "seconds before rebooting after a panic"),
    ("nosmp", False, "v2.4.0", True, "use one CPU"),
    ("maxcpus", True, "v2.4.0", True, "bring up at most this many CPUs"),
    ("rootflags", True, "v2.6.11", False, "root filesystem mount options"),
    ("rootfstype", True, "v2.6.11", False, "root filesystem type"),
    ("rootdelay", True, "v2.6.11", False, "seconds to wait before mounting root"),
    ("initcall_debug", False, "v2.6.11", True, "trace initcalls"),
    ("earlyprintk", True, "v2.6.11", True, "early console (x86_64)"),
    ("loglevel", True, "v2.6.20", True, "console log level"),
    ("rdinit", True, "v2.6.20", False, "program to run from the initramfs"),
    ("ignore_loglevel", False, "v2.6.20", True, "print every kernel message to the console"),
    ("rootwait", False, "v2.6.22", False, "wait for the root device"),
    ("earlycon", True, "v2.6.27", True, "early serial console"),
    ("nr_cpus", True, "v2.6.39", True, "limit the number of possible CPUs"),
)


@hookimpl
def linuxmm_boot_params():
    return [BootParam(name, introduced=intro, parse=_value if takes else _flag, modelled=False, early=early,
                      help=f"{text} (accepted, no effect in this model)")
            for name, takes, intro, early, text in _PARAMS]
