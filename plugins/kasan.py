"""KASAN (generic) across the eras: Kconfig, boot parameters, and attaching it to a booted kernel.

The mechanism -- shadow memory, the check of every access through
``kernel.memory``, the report -- is :mod:`linuxmm.kasan`.  This plugin
declares what the record says about when each piece existed, and attaches
KASAN to a kernel booted with ``CONFIG_KASAN=y``: it creates the
:class:`~linuxmm.kasan.Kasan` object (``kernel.kasan``; ``None`` without
KASAN), prints the era's boot line, and hands the object to every subsystem
that has a ``kasan_init(kasan)`` method -- the page allocator poisons its free
pages and sends allocations and frees through its slow paths, where
``kasan_alloc_pages``/``kasan_free_pages`` run -- then registers the checker.

Kconfig on x86_64, as each era's ``lib/Kconfig.kasan`` wrote it [V: the trees
listed in docs/sources.md, S where marked]:

* ``KASAN`` (0b24becc810d, v4.0-rc1): ``depends on SLUB_DEBUG`` (modelled as
  SLUB) up to v4.5; ``SLUB_DEBUG || (SLAB && !DEBUG_SLAB)`` from v4.6 (SLAB
  support; 4.4.1 vs 4.6.2 trees); ``(SLUB && SYSFS) || (SLAB && !DEBUG_SLAB)``
  from v4.9; ``!SLUB_TINY`` joined the SLUB side in v6.2 (6.2.1 tree); SLAB's
  side went with SLAB in v6.8.  DEBUG_SLAB and SYSFS are not modelled (off and
  on).  No default.
* ``KASAN_GENERIC`` (v5.0, the "KASAN mode" choice of 2bd926b4 [S]; 4.20 and
  5.0.1 trees): the only mode x86_64 offers, so the choice always picks it.
* ``HAVE_ARCH_KASAN_VMALLOC``: selected by x86_64 from v5.5 (hidden).
* ``KASAN_VMALLOC`` (3c5c3cfb9ef4, v5.5-rc1): ``depends on KASAN &&
  HAVE_ARCH_KASAN_VMALLOC`` [V: the patch]; ``KASAN_GENERIC &&
  HAVE_ARCH_KASAN_VMALLOC`` inside ``if KASAN`` from v5.11 (the 5.11-5.17
  trees; the tag-based modes could not back vmalloc yet); ``HAVE_ARCH_KASAN_VMALLOC``
  inside ``if KASAN`` from v5.18 [S release; 5.19 tree], with the prompt
  "Check accesses to vmalloc allocations".  **No default**: vmalloc space has
  no real shadow unless the symbol is set (syzbot's configs set it).

Boot parameters: ``kasan.fault=report|panic`` (an ``early_param`` of
mm/kasan/report.c from v5.15 for the generic mode -- 5.12-5.14 had it in
hw_tags.c only; ``panic_on_write`` from v6.8 [S]); ``kasan_multi_shot``
(v4.11: report every bad access, not only the first); ``panic_on_warn``
(kernel/panic.c, 9e3961a09798 in v3.19 [S]; KASAN reports honour it from
v4.10, WARNs of the model that go through :func:`linuxmm.kasan.warn` always).
The ``kasan.*`` parameters live in KASAN's own code: without ``CONFIG_KASAN``
the kernel does not know them and passes them on to user space, as the model
then reports.

Boot line: ``kasan: KernelAddressSanitizer initialized`` (arch/x86/mm/kasan_init_64.c
[V 4.4 ... 6.14]); ``... initialized (generic)`` from mm/kasan/generic.c in
v6.18 [V 6.18.2; S for the release, 6.15-6.17 not read].
"""

from __future__ import annotations

from typing import Any

from linuxmm import hookimpl
from linuxmm.config import parse_bool
from linuxmm.kasan import Kasan
from linuxmm.records import BootParam, Commit, ConfigSymbol, Release

COMMITS = (
    Commit(sha="7ed2f9e66385", subject="mm, kasan: SLAB support", author="Alexander Potapenko",
           date="2016-03-25", tag="v4.6-rc1", mark="V",
           source="'Fixes: 7ed2f9e663854db (\"mm, kasan: SLAB support\")' in Alexander Potapenko's 2016-07 SLUB "
                  "follow-up; the patch series on linux-mm (v1 2016-01-27 to v5 2016-03); a shortlog with it among "
                  "the 4.6 merge-window mm patches (date and tag S)"),
    Commit(sha="e4b7818b9aa8", subject="kasan: record and print the free track", author="Walter Wu",
           date="2020-08-06", tag="v5.9-rc1", mark="V",
           source="commit page (sha, subject, 'Add a macro KASAN_KMALLOC_FREETRACK', Linus' sign-off; patch Link "
                  "2020-06-01); the 0xFA/0xF9/0xF8 values read in the 5.4 and 5.10 trees' kasan.h; merge window "
                  "from the akpm/Linus sign-offs (date S)"),
    Commit(sha="0e301731f558", subject="kasan: infer allocation size by scanning metadata", author="Kuan-Ying Lee",
           date="2023-01-28", tag="v6.3-rc1", mark="V",
           source="Fixes: 0e301731f558 (\"kasan: infer allocation size by scanning metadata\") in Arnd Bergmann's "
                  "follow-up; patch v3 of 2023-01-28 ('Introduce slab-use-after-free report type', 'freed'/"
                  "'allocated' region); 6.2.1 tree without it, 6.3.8 tree with it (tag from that, date S)"),
)

#: rc tags the record needs: the vrealloc history has a point at each.
RC_TAGS = ("v6.13-rc1", "v6.15-rc5", "v6.15-rc7")


def _kasan_depends(rev: Any) -> str:
    if rev.has("v6.8"):  # SLAB removed (16a1d968358a); SLUB && SYSFS && !SLUB_TINY [V 6.8]
        return "SLUB && !SLUB_TINY"
    if rev.has("v6.2"):  # [V 6.2.1]
        return "(SLUB && !SLUB_TINY) || SLAB"
    if rev.has("v4.6"):  # SLUB_DEBUG || (SLAB && !DEBUG_SLAB) [V 4.6.2]; (SLUB && SYSFS) || ... [V 4.9]
        return "SLUB || SLAB"
    return "SLUB"  # SLUB_DEBUG [V 4.4.1]


def _kasan_vmalloc_depends(rev: Any) -> str:
    if rev.has("v5.18"):  # inside "if KASAN": HAVE_ARCH_KASAN_VMALLOC [V 5.19, S release]
        return "KASAN && HAVE_ARCH_KASAN_VMALLOC"
    if rev.has("v5.11"):  # inside "if KASAN": KASAN_GENERIC && HAVE_ARCH_KASAN_VMALLOC [V 5.11-5.17]
        return "KASAN && KASAN_GENERIC && HAVE_ARCH_KASAN_VMALLOC"
    return "KASAN && HAVE_ARCH_KASAN_VMALLOC"  # 3c5c3cfb9ef4 [V patch]


def _fault(value: str | None) -> str:
    if value not in ("report", "panic", "panic_on_write"):
        raise ValueError("expects report or panic")
    return value


def _int(value: str | None) -> int:
    if value is None:
        raise ValueError("needs a value")
    return int(value, 0)


def _flag(value: str | None) -> bool:
    if value is not None:
        raise ValueError("takes no value")
    return True


@hookimpl
def linuxmm_commits():
    return COMMITS


@hookimpl
def linuxmm_releases():
    return [Release(tag) for tag in RC_TAGS]


@hookimpl
def linuxmm_config_symbols():
    return [
        ConfigSymbol("KASAN", introduced="0b24becc810d", depends_on=_kasan_depends,
                     help="Kernel address sanitizer: every access through kernel.memory is checked against "
                          "shadow memory (generic mode, one shadow byte per 8 bytes)."),
        ConfigSymbol("KASAN_GENERIC", introduced="v5.0", choice="KASAN_MODE", default=True, depends_on="KASAN",
                     help="Generic KASAN, the only mode x86_64 offers (the tag-based ones are arm64's)."),
        ConfigSymbol("HAVE_ARCH_KASAN_VMALLOC", introduced="3c5c3cfb9ef4", prompt=False, default=True,
                     help="x86_64 can back vmalloc space with real KASAN shadow (selected by the arch)."),
        ConfigSymbol("KASAN_VMALLOC", introduced="3c5c3cfb9ef4", depends_on=_kasan_vmalloc_depends,
                     help="Back vmalloc space with real shadow memory, so vmalloc accesses are checked. "
                          "No default: off unless set."),
    ]


@hookimpl
def linuxmm_boot_params():
    return [
        BootParam("kasan.fault", introduced="v5.15", parse=_fault, early=True,
                  help="What a KASAN report does next: report (carry on) or panic; panic_on_write from v6.8."),
        BootParam("kasan_multi_shot", introduced="v4.11", parse=_flag,
                  help="Print every KASAN report, not only the first."),
        BootParam("panic_on_warn", introduced="v3.19", parse=_int,
                  help="Panic after a WARN or a KASAN report (kernel/panic.c)."),
    ]


_KASAN_PARAMS = ("kasan.fault", "kasan_multi_shot")


def _unknown_without_kasan(kernel: Any) -> None:
    """Without CONFIG_KASAN the kernel has no kasan.* parameters: the words go to user space."""
    cmd = kernel.cmdline
    words = [w for w in cmd.text.split() if w.partition("=")[0] in _KASAN_PARAMS and w.partition("=")[0] in cmd]
    if not words:
        return
    for word in words:
        cmd.values.pop(word.partition("=")[0], None)
    order = [w for w in cmd.text.split() if w in cmd.unknown or w in words]
    cmd.unknown[:] = order
    if kernel.has("v5.14"):
        dmesg = kernel.dmesg
        prefix = "Unknown kernel command line parameters "
        for i, line in enumerate(dmesg):
            if line.startswith(prefix):
                del dmesg[i]
                break
        dmesg.printk(f'{prefix}"{" ".join(order)}", will be passed to user space.')


def _malformed(kernel: Any, name: str) -> None:
    kernel.cmdline.malformed.append(name)
    kernel.dmesg.printk(f"Malformed early option '{name}'")


@hookimpl
def linuxmm_kernel_booted(kernel):
    if not kernel.config.get("KASAN"):
        kernel.kasan = None
        _unknown_without_kasan(kernel)
        return
    cmd = kernel.cmdline
    if cmd.get("kasan.fault") == "panic_on_write" and not kernel.has("v6.8"):
        cmd.values.pop("kasan.fault")  # early_kasan_fault returns -EINVAL before v6.8 [S]
        _malformed(kernel, "kasan.fault")
    kasan = Kasan(kernel, vmalloc=bool(kernel.config.get("KASAN_VMALLOC")))
    kernel.kasan = kasan
    kernel.dmesg.printk("kasan: KernelAddressSanitizer initialized" + (" (generic)" if kernel.has("v6.18") else ""))
    for obj in kernel.subsystems.values():
        init = getattr(obj, "kasan_init", None)
        if init is not None:
            init(kasan)
    vmalloc = kernel.subsystems.get("vmalloc")
    if vmalloc is not None and hasattr(vmalloc, "kasan"):
        vmalloc.kasan = kasan  # kasan_populate_vmalloc, kasan_unpoison_vmalloc, kasan_poison_vmalloc
    kasan.attach()
    # every subsystem rebinds the page allocator's (now slow-path) calls, the kernel its API
    with kernel.on_cpu(kernel.this_cpu):
        pass
