"""The bad-input catalogue: every way a user can get an input wrong, and exactly what happens.

Each entry of :data:`CASES` is run by one test, through the API (``linuxmm.boot`` and the
kernel's calls) or the CLI (``linuxmm ...``, in a temporary directory).  Three kinds of outcome:

* the model refuses the input (``raises ArgumentError`` and its kin, or ``exit 2`` with one
  line at the CLI): the message is asserted exactly, and a snapshot of the kernel's observable
  state -- counters, the kernel log, free and allocated pages, /proc/meminfo, slabinfo,
  vmallocinfo and buddyinfo, ``kernel.check()`` and every byte of memory -- is the same before
  and after the call;
* the input is one the kernel itself took (a double free, a foreign pointer, an oversized
  request, a boot parameter it did not know): the model does what that era's kernel did, and
  the entry asserts what the call returned, the exact lines it logged and what
  ``kernel.check()`` finds afterwards (a corruption the kernel did not notice);
* the simulated kernel dies (``raises KernelBug``/``KernelPanic``, or ``exit 1`` at the CLI,
  which prints the kernel log first): the log lines are asserted.

No entry may end in a Python ``TypeError`` or a traceback.  The catalogue is rendered as the
tables of docs/robustness.md (:func:`test_bad_input_harness.render`); a test keeps the page and
:data:`CASES` identical, and ``python tests/test_bad_input.py --write`` rewrites the page.
"""

from __future__ import annotations

import os
import re
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from linuxmm.host import get_host  # noqa: E402
from test_bad_input_harness import REFUSALS, Case as C, render, run_api, run_cli  # noqa: E402


def K(*spec: str) -> tuple[str, ...]:
    """A kernel: its version, then config items (``SLUB=y``) and ``cmdline=``/``cpus=`` settings."""
    return spec


def kfree_twice(kernel: tuple[str, ...], **expect) -> C:
    """A double ``kfree`` of a 64-byte ``kmalloc`` object (a second object keeps the slab or page in use)."""
    return C("Double frees", kernel, "k.kfree(p)", "returns None",
             setup="p = k.kmalloc(64, GFP_KERNEL); q = k.kmalloc(64, GFP_KERNEL); k.kfree(p)", **expect)


DOCS = os.path.join(os.path.dirname(__file__), os.pardir, "docs", "robustness.md")
BEGIN = "<!-- catalogue: generated from tests/test_bad_input.py; do not edit by hand -->"
END = "<!-- end of catalogue -->"

def _subcommands() -> str:
    """The CLI's subcommands, as argparse lists them (the built-in ones, then the plugins')."""
    import argparse

    from linuxmm.cli import build_parser

    for action in build_parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            return ", ".join(repr(name) for name in action.choices)
    raise AssertionError("no subcommands")  # pragma: no cover


# Lists that grow with every workload and command a plugin adds: the messages name them all, in order.
_WORKLOADS = ", ".join(sorted(get_host().workloads))
_COMMANDS = _subcommands()
assert _WORKLOADS.startswith("big-vmalloc, ") and _COMMANDS.startswith("'versions', 'log', 'info', 'run', ")

CASES: list[C] = [
    C("Versions", None,
      'linuxmm.boot("9.99")',
      "raises VersionError",
      "9.99 is newer than the newest modelled release (v6.18); nearest: v6.16, v6.17, v6.18"),
    C("Versions", None,
      "linuxmm.boot(6.10)",
      "raises VersionError",
      "a kernel version is a string such as '6.10', not float 6.1 (write it as a string: '6.1' could mean "
      "another release)"),
    C("Versions", None,
      'linuxmm.boot("")',
      "raises VersionError",
      "the kernel version is empty: give a release such as 2.6.28, a commit sha prefix, or 'latest' (see "
      "`linuxmm versions`)"),
    C("Versions", None,
      'linuxmm.boot("2.06.28")',
      "raises VersionError",
      "'2.06.28' is not a Linux release (version numbers have no leading zeros); nearest modelled: v2.6.27, "
      "v2.6.28-rc1, v2.6.28, v2.6.29, v2.6.30, v2.6.31-rc1; expected a release such as 0.01, 2.6.28, 6.15-rc6 "
      "or 6.12.5, a commit sha prefix (>= 7 hex digits), or 'latest' (see `linuxmm versions`)"),
    C("Versions", None,
      'linuxmm.boot("6.12.999")',
      "raises VersionError",
      "'6.12.999' is not a Linux release the model knows of (no stable series has reached 6.12.999; the "
      "record's highest stable numbers are in the 300s); nearest modelled: v6.11, v6.12-rc1, v6.12, v6.13-rc1, "
      "v6.13-rc2, v6.13; expected a release such as 0.01, 2.6.28, 6.15-rc6 or 6.12.5, a commit sha prefix (>= 7 "
      "hex digits), or 'latest' (see `linuxmm versions`)"),
    C("Versions", None,
      'linuxmm.boot("deadbeef00")',
      "raises VersionError",
      "deadbeef00 is not a modelled commit (modelled ones include 0aaa29a56e4f, 0b24becc810d, 0e301731f558, "
      "...; see `linuxmm log --oneline`)"),
    C("Versions", None,
      "linuxmm --kernel-version 2.06.28 info",
      "exit 2",
      "linuxmm: error: '2.06.28' is not a Linux release (version numbers have no leading zeros); nearest "
      "modelled: v2.6.27, v2.6.28-rc1, v2.6.28, v2.6.29, v2.6.30, v2.6.31-rc1; expected a release such as 0.01, "
      "2.6.28, 6.15-rc6 or 6.12.5, a commit sha prefix (>= 7 hex digits), or 'latest' (see `linuxmm versions`)"),
    C("Versions", None,
      "linuxmm --kernel-version '' info",
      "exit 2",
      "linuxmm: error: --kernel-version is empty: give a release such as 2.6.28, a commit sha prefix, or "
      "'latest' (see `linuxmm versions`)"),
    C("Versions", None,
      "linuxmm info",
      "exit 2",
      "linuxmm: error: LINUXMM_KERNEL_VERSION=0.001: '0.001' is not a Linux release (did you mean 0.01?); "
      "nearest modelled: v0.01, v0.11, v1.0, v1.1.89; expected a release such as 0.01, 2.6.28, 6.15-rc6 or "
      "6.12.5, a commit sha prefix (>= 7 hex digits), or 'latest' (see `linuxmm versions`)",
      env=(('LINUXMM_KERNEL_VERSION', '0.001'),)),
    C("Configs", None,
      'linuxmm.boot("2.6.28", config=["NO_SUCH=y"])',
      "raises ConfigError",
      "unknown config symbol CONFIG_NO_SUCH (see `linuxmm info --symbols`)"),
    C("Configs", None,
      'linuxmm.boot("2.6.20", config=["SLUB=y"])',
      "raises ConfigError",
      'CONFIG_SLUB is not in v2.6.20: it appeared in v2.6.22-rc1 (81819f0fc828 "SLUB core"); from v6.8 '
      "(16a1d968358a) SLUB is the only slab allocator: CONFIG_SLUB is def_bool y"),
    C("Configs", None,
      'linuxmm.boot("6.8", config=["SLAB=y"])',
      "raises ConfigError",
      'CONFIG_SLAB is not in v6.8: it was removed in v6.8-rc1 (16a1d968358a "mm/slab: remove mm/slab.c and '
      'slab_def.h"); SLAB (mm/slab.c, Mark Hemment\'s allocator) arrived during the 2.1 development series; '
      "v2.2.0 is the first stable release with it, and 2.0 still uses mm/kmalloc.c; until v2.6.16 "
      "(10cef6029502) mm/slab.c was always built, with no CONFIG_SLAB to set; at v6.5-v6.7 it follows "
      "CONFIG_SLAB_DEPRECATED (eb07c4f39c3e), and v6.8 removed it (16a1d968358a)"),
    C("Configs", None,
      'linuxmm.boot("6.8", config=["SLUB=n"])',
      "raises ConfigError",
      "CONFIG_SLUB cannot be set at v6.8: it has no prompt there (from v6.8 (16a1d968358a) SLUB is the only "
      "slab allocator: CONFIG_SLUB is def_bool y)"),
    C("Configs", None,
      'linuxmm.boot("2.6.30", config=["SLOB=y"])',
      "raises ConfigError",
      "CONFIG_SLOB=y is impossible at v2.6.30: it depends on EMBEDDED"),
    C("Configs", None,
      'linuxmm.boot("2.6.28", config="SLUB=y")',
      "raises ConfigError",
      'config must be a mapping such as {\'KASAN\': True} or a list of "NAME=VALUE" strings, not the string '
      "'SLUB=y'"),
    C("Configs", None,
      'linuxmm.boot("6.12", config=["KASAN_VMALLOC=y"])',
      "raises ConfigError",
      "CONFIG_KASAN_VMALLOC=y is impossible at v6.12: it depends on KASAN && HAVE_ARCH_KASAN_VMALLOC "
      "(CONFIG_KASAN=n)"),
    C("Configs", None,
      'linuxmm.boot("2.6.20", config=["SLAB=maybe"])',
      "raises ConfigError",
      "CONFIG_SLAB is a bool: use y or n, not 'maybe'"),
    C("Configs", None,
      "linuxmm --kernel-version 2.6.16 --config SLAB=n --config EMBEDDED=y --cpus 2 info",
      "exit 2",
      "linuxmm: error: SLOB at v2.6.16 needs a uniprocessor kernel: its Kconfig entry depends on !SMP until "
      "v2.6.22 (81819f0fc828); boot with --cpus 1"),
    C("Configs", None,
      "linuxmm --kernel-version 6.12 --config NO_SUCH=y info",
      "exit 2",
      "linuxmm: error: unknown config symbol CONFIG_NO_SUCH (see `linuxmm info --symbols`)"),
    C("Boot parameters", None,
      'linuxmm.boot("2.6.28", config=["SLAB=y"], cmdline="slub_debug=FZ")',
      "raises ConfigError",
      "slub_debug= is a SLUB parameter (mm/slub.c); this kernel runs SLAB, which does not know it (the kernel "
      "would pass it on to init)"),
    C("Boot parameters", None,
      'linuxmm.boot("6.12", cmdline=5)',
      "raises ConfigError",
      'the command line is a string such as "quiet init_on_alloc=1", not int 5'),
    C("Boot parameters", K("6.12", "cmdline=nosuchparam=1 quiet"),
      "k.dmesg[1]",
      'returns \'Unknown kernel command line parameters "nosuchparam=1", will be passed to user space.\''),
    C("Boot parameters", K("6.12", "cmdline=slub_debug=X"),
      '[l for l in k.dmesg if "option" in l]',
      'returns ["slab_debug option \'X\' unknown. skipped"]'),
    C("Boot parameters", K("2.6.28", "cmdline=kasan.fault=panic"),
      "k.cmdline.unknown",
      "returns ['kasan.fault=panic']"),
    C("Boot parameters", K("2.4", "cmdline=slub_debug"), "k.cmdline.unknown", "returns ['slub_debug']"),
    C("/proc files", K("6.12"),
      'k.proc("nosuch")',
      "raises NotInThisKernel",
      "/proc/nosuch is not modelled (known: buddyinfo, meminfo, pagetypeinfo, slabinfo, vmallocinfo)"),
    C("/proc files", K("1.0"),
      'k.proc("slabinfo")',
      "raises NotInThisKernel",
      "/proc/slabinfo is not in v1.0: it appeared in v2.2.0"),
    C("/proc files", K("2.6.22", "SLUB=y"),
      'k.proc("slabinfo")',
      "raises NotInThisKernel",
      "/proc/slabinfo is not in v2.6.22 with SLUB: SLUB provides it from v2.6.24; v2.6.22 and v2.6.23 have it "
      "only with CONFIG_SLAB"),
    C("/proc files", K("2.6.23", "SLOB=y", "EMBEDDED=y"),
      'k.proc("slabinfo")',
      "raises NotInThisKernel",
      "/proc/slabinfo is not in this v2.6.23 kernel: SLOB does not provide it (the file needs CONFIG_SLAB, "
      "later CONFIG_SLAB or CONFIG_SLUB_DEBUG)"),
    C("/proc files", K("2.6.20"),
      'k.proc("vmallocinfo")',
      "raises NotInThisKernel",
      "/proc/vmallocinfo is not in v2.6.20: it appeared in v2.6.26"),
    C("/proc files", K("6.12"),
      "k.proc(5)",
      "raises ArgumentError",
      "proc: the file name must be a string, not int 5"),
    C("/proc files", None,
      "linuxmm --kernel-version 2.4 proc buddyinfo",
      "exit 2",
      "linuxmm: error: /proc/buddyinfo is not in v2.4.0: it appeared in v2.6.0"),
    C("/proc files", None,
      "linuxmm --kernel-version 2.6.16 --config SLAB=n --config EMBEDDED=y slabtop",
      "exit 2",
      "linuxmm: error: /proc/slabinfo is not in this v2.6.16 kernel: SLOB does not provide it (the file needs "
      "CONFIG_SLAB, later CONFIG_SLAB or CONFIG_SLUB_DEBUG)"),
    C("Workloads", None,
      "linuxmm run nosuch",
      "exit 2",
      f"linuxmm: error: unknown workload 'nosuch' (built-in: {_WORKLOADS}; or give a path to a .toml file)"),
    C("Workloads", None,
      "linuxmm run missing.toml",
      "exit 2",
      "linuxmm: error: missing.toml: cannot read workload file: No such file or directory"),
    C("Workloads", None,
      "linuxmm run bad.toml",
      "exit 2",
      "linuxmm: error: bad.toml: invalid TOML: Expected ']]' at the end of an array declaration (at line 4, "
      "column 5)",
      files=(('bad.toml', '[[op]]\nalloc = "a"\n\n[[op]\n'),)),
    C("Workloads", None,
      "linuxmm run bad.toml",
      "exit 2",
      "linuxmm: error: bad.toml: invalid TOML: Invalid value (at line 3, column 9)",
      files=(('bad.toml', '[[op]]\nalloc = "a"\norder = \n'),)),
    C("Workloads", None,
      "linuxmm run bad.toml",
      "exit 2",
      "linuxmm: error: bad.toml: invalid TOML: Cannot overwrite a value (at line 3, column 12)",
      files=(('bad.toml', '[[op]]\nalloc = "a"\nalloc = "b"\n'),)),
    C("Workloads", None,
      "linuxmm run latin1.toml",
      "exit 2",
      "linuxmm: error: latin1.toml: not UTF-8 text (invalid continuation byte at byte 11)",
      files=(('latin1.toml', b'echo = "caf\xe9"\n'),)),
    C("Workloads", None,
      "linuxmm run w.toml",
      "exit 2",
      "linuxmm: error: w.toml:1: op[0]: unknown op 'allocate' (expected one of alloc, free, write, read, proc, "
      "show_mem, dmesg, echo, kmalloc, kfree, kmem_cache_create, kmem_cache_alloc, kmem_cache_free, "
      "kmem_cache_destroy)",
      files=(('w.toml', '[[op]]\nallocate = "a"\n'),)),
    C("Workloads", None,
      "linuxmm run w.toml",
      "exit 2",
      "linuxmm: error: w.toml:1: op[0]: alloc: unknown field 'size' (this op takes cpu, gfp, order, repeat)",
      files=(('w.toml', '[[op]]\nalloc = "a"\nsize = 3\n'),)),
    C("Workloads", None,
      "linuxmm run w.toml",
      "exit 2",
      "linuxmm: error: w.toml:1: op[0]: alloc: unknown gfp flag 'GFP_KERNAL' (known: GFP_KERNEL, GFP_ATOMIC, "
      "__GFP_ZERO, ... as in linuxmm.gfp)",
      files=(('w.toml', '[[op]]\nalloc = "a"\ngfp = "GFP_KERNAL"\n'),)),
    C("Workloads", None,
      "linuxmm run w.toml",
      "exit 2",
      "linuxmm: error: w.toml:1: op[0]: alloc: repeat must be at most 1_000_000 (a bound that keeps a run "
      "short), not 2_000_000",
      files=(('w.toml', '[[op]]\nalloc = "a"\nrepeat = 2000000\n'),)),
    C("Workloads", None,
      "linuxmm run w.toml",
      "exit 2",
      "linuxmm: error: w.toml:3: op[1]: read: expect '0xzz' starts with 0x but is not hex bytes (two hex digits "
      "per byte, e.g. 0x68656c6c6f)",
      files=(('w.toml', '[[op]]\nalloc = "a"\n[[op]]\nread = "a"\nsize = 2\nexpect = "0xzz"\n'),)),
    C("Workloads", None,
      "linuxmm run w.toml",
      "exit 2",
      "linuxmm: error: w.toml:1: op[0]: free of unknown handle 'a' (no handle is allocated at this point)",
      files=(('w.toml', '[[op]]\nfree = "a"\n'),)),
    C("Workloads", None,
      "linuxmm --kernel-version 2.6.28 run w.toml",
      "exit 2",
      "linuxmm: error: w.toml:1: op[0]: CPU 3 does not exist (this kernel has cpus=0..0; boot with --cpus 4 or "
      "set cpus in [kernel])",
      files=(('w.toml', '[[op]]\nalloc = "a"\ncpu = 3\n'),)),
    C("Workloads", None,
      "linuxmm --kernel-version 1.0 run w.toml",
      "exit 2",
      "linuxmm: error: w.toml:1: op[0]: kmem_cache_create() is not in v1.0: it appeared with slab in v2.2.0",
      files=(('w.toml', '[[op]]\nkmem_cache_create = "c"\nsize = 64\n'),)),
    C("Workloads", None,
      "linuxmm run w.toml",
      "exit 2",
      "linuxmm: error: w.toml:1: [kernel]: mem 1T: more than this model simulates (at most 256G)",
      files=(('w.toml', '[kernel]\nmem = "1T"\n[[op]]\nalloc = "a"\n'),)),
    C("Workloads", None,
      "linuxmm run w.toml",
      "exit 2",
      "linuxmm: error: w.toml:1: [kernel]: unknown key 'swap' (expected version, mem, cpus, config, cmdline, "
      "seed)",
      files=(('w.toml', '[kernel]\nversion = "2.6.28"\nswap = true\n[[op]]\nalloc = "a"\n'),)),
    C("Workloads", None,
      "linuxmm run w.toml",
      "exit 2",
      "linuxmm: error: w.toml: no [[op]] tables: nothing to run",
      files=(('w.toml', 'description = "nothing"\n'),)),
    C("Workloads", None,
      "linuxmm run w.toml",
      "exit 2",
      "linuxmm: error: w.toml:1: op[0]: kmalloc: size must be an integer >= 0, not -8",
      files=(('w.toml', '[[op]]\nkmalloc = "a"\nsize = -8\n'),)),
    C("Workloads", None,
      'workload.loads("[[op]]\\nalloc = 7\\n", "w.toml")',
      "raises WorkloadError",
      "w.toml:1: op[0]: alloc needs a handle name (a string), not 7"),
    C("Sizes", K("6.12"),
      "k.kmalloc(-1, GFP_KERNEL)",
      "raises ArgumentError",
      "kmalloc: size must be at least 0, not -1"),
    C("Sizes", K("2.6.24"),
      "k.kmalloc(-1, GFP_KERNEL)",
      "raises ArgumentError",
      "kmalloc: size must be at least 0, not -1"),
    C("Sizes", K("6.12"),
      "k.kmalloc(1 << 64, GFP_KERNEL)",
      "raises ArgumentError",
      "kmalloc: size must be at most 18446744073709551615, not 18446744073709551616"),
    C("Sizes", K("6.1", "SLOB=y", "EXPERT=y"),
      "k.kmalloc(1 << 64, GFP_KERNEL)",
      "raises ArgumentError",
      "kmalloc: size must be at most 18446744073709551615, not 18446744073709551616"),
    C("Sizes", K("1.0"),
      "k.kmalloc(1 << 32, GFP_KERNEL)",
      "raises ArgumentError",
      "kmalloc: size must be at most 4294967295, not 4294967296"),
    C("Sizes", K("6.12"),
      "k.kmalloc(1 << 40, GFP_KERNEL)",
      "returns 0",
      dmesg=("------------[ cut here ]------------",
             "WARNING: CPU: 0 PID: 1 at mm/page_alloc.c __alloc_pages_noprof")),
    C("Sizes", K("2.6.20"), "k.kmalloc(1 << 40, GFP_KERNEL)", "returns 0"),
    C("Sizes", K("1.0"),
      "k.kmalloc(5000, GFP_KERNEL)",
      "returns 0",
      dmesg=("kmalloc: I refuse to allocate 5000 bytes (for now max = 4096).",)),
    C("Sizes", K("1.0"),
      "k.kmalloc(4090, GFP_KERNEL)",
      "returns 0",
      dmesg=("kmalloc of too large a block (4090 bytes).",)),
    C("Sizes", K("1.2"),
      "k.kmalloc(200000, GFP_KERNEL)",
      "returns 0",
      dmesg=("kmalloc of too large a block (200000 bytes).",)),
    C("Sizes", K("2.6.20"), "k.kmalloc(0, GFP_KERNEL)", "returns an address"),
    C("Sizes", K("2.6.24"), "k.kmalloc(0, GFP_KERNEL)", "returns 16"),
    C("Sizes", K("1.0"), "k.kmalloc(0, GFP_KERNEL)", "returns an address"),
    C("Sizes", K("6.12"),
      'k.kmem_cache_create("x", 0, 0, 0)',
      "returns None",
      dmesg=("kmem_cache_create(x) integrity check failed",)),
    C("Sizes", K("6.12"),
      'k.kmem_cache_create("x", 0, 0, SLAB_PANIC)',
      "raises KernelPanic",
      "the kernel has panicked: kmem_cache_create: Failed to create slab 'x'. Error -22",
      dmesg=("Kernel panic - not syncing: kmem_cache_create: Failed to create slab 'x'. Error -22",)),
    C("Sizes", K("2.6.20"),
      'k.kmem_cache_create("x", 4, 0, 0)',
      "raises KernelBug",
      "kernel BUG at mm/slab.c!",
      dmesg=("kmem_cache_create: Early error in slab x", "kernel BUG at mm/slab.c!")),
    C("Sizes", K("6.5", "SLAB_DEPRECATED=y"), 'k.kmem_cache_create("x", 4, 0, 0)', "returns KmemCache"),
    C("Sizes", K("6.12"),
      'k.kmem_cache_create("x", 64, 3, 0)',
      "raises ArgumentError",
      "kmem_cache_create: align must be 0 or a power of two, not 3"),
    C("Sizes", K("6.12"),
      "k.vmalloc(0)",
      "returns 0",
      dmesg=("------------[ cut here ]------------",
             "WARNING: CPU: 0 PID: 1 at mm/vmalloc.c __vmalloc_node_range_noprof")),
    C("Sizes", K("2.4"),
      "k.vmalloc(0)",
      "raises KernelBug",
      "kernel BUG at vmalloc.c!",
      dmesg=("kernel BUG at vmalloc.c!",)),
    C("Sizes", K("6.12"),
      "k.vmalloc(-4096)",
      "raises ArgumentError",
      "vmalloc: size must be at least 0, not -4096"),
    C("Sizes", K("6.12"),
      "k.vmalloc(1 << 50)",
      "returns 0",
      dmesg=("linuxmm: vmalloc error: size 1125899906842624, exceeds total pages, mode:0xcc0(GFP_KERNEL), "
             "nodemask=(null),cpuset=/,mems_allowed=0",)),
    C("Sizes", K("6.12"),
      "k.vfree(p + 1)",
      "returns None",
      dmesg=("------------[ cut here ]------------",
             "WARNING: CPU: 0 PID: 1 at mm/vmalloc.c remove_vm_area",
             "Trying to vfree() bad address (0000000005a0469e)",
             "------------[ cut here ]------------",
             "WARNING: CPU: 0 PID: 1 at mm/vmalloc.c vfree",
             "Trying to vfree() nonexistent vm area (0000000005a0469e)"),
      setup="p = k.vmalloc(8192)"),
    C("Sizes", K("2.6.20"),
      "k.vfree(p + 1)",
      "returns None",
      dmesg=("Trying to vfree() bad address (ffffc20000000001)", "BUG: warning at mm/vmalloc.c/__vunmap()"),
      setup="p = k.vmalloc(8192)"),
    C("Sizes", K("2.6.28"), "k.free_pages(p + 1, 0)", "returns None", setup="p = k.alloc_pages(GFP_KERNEL, 0)"),
    C("Sizes", K("6.12"),
      "k.memory.read(p, -1)",
      "raises ArgumentError",
      "memory.read: n must be at least 0, not -1",
      setup="p = k.kmalloc(64, GFP_KERNEL)"),
    C("Orders", K("6.12"),
      "k.alloc_pages(GFP_KERNEL, 11)",
      "returns 0",
      dmesg=("------------[ cut here ]------------",
             "WARNING: CPU: 0 PID: 1 at mm/page_alloc.c __alloc_pages_noprof")),
    C("Orders", K("2.6.28"), "k.alloc_pages(GFP_KERNEL, 11)", "returns 0"),
    C("Orders", K("2.2"), "k.__get_free_pages(GFP_KERNEL, 6)", "returns 0"),
    C("Orders", K("1.0"),
      "k.__get_free_pages(GFP_KERNEL, 1)",
      "raises NotInThisKernel",
      "__get_free_pages() is not in v1.0: it appeared with buddy-bitmap-1.1 in v1.1.89"),
    C("Orders", K("2.6.28"),
      "k.free_pages(p, 1)",
      "raises LinuxmmError",
      "free_pages(0xffff880001c00000, 1) at v2.6.28: the block there has order 0; the kernel reports the pages "
      "above, fixes them up and frees them with the block, corrupting its free lists. The model refuses and "
      "leaves the block allocated",
      dmesg=("Bad page state in process 'linuxmm'",
             "page:ffffea0000070040 flags:0x0000000000080000 mapping:0000000000000000 mapcount:0 count:0",
             "Trying to fix it up, but a reboot is needed",
             "Backtrace:"),
      setup="p = k.alloc_pages(GFP_KERNEL, 0)",
      changes=("dmesg", "counters.bad_pages", "counters.refused_frees"),
      note="bad_page()'s report is logged as 2.6.28 printed it; the free that followed would corrupt the free "
           "lists, so the model stops there: the page stays allocated, only the log and two counters change"),
    C("Orders", K("2.4"),
      "k.free_pages(p, 1)",
      "raises LinuxmmError",
      "__free_pages(0xc1061000, 1): that page was allocated with order 0; this kernel does not check and would "
      "corrupt its free lists, so the model refuses",
      setup="p = k.__get_free_pages(GFP_KERNEL, 0)"),
    C("Orders", K("6.12"),
      "k.alloc_pages(GFP_KERNEL, -1)",
      "returns 0",
      dmesg=("------------[ cut here ]------------",
             "WARNING: CPU: 0 PID: 1 at mm/page_alloc.c __alloc_pages_noprof")),
    kfree_twice(K("1.0"),
      dmesg=("kfree of non-kmalloced memory: 01FFF010, next= 00000000, order=2",)),
    kfree_twice(K("1.2"),
      dmesg=("kfree of non-kmalloced memory: 0009e010, next= 00000000, order=2",)),
    kfree_twice(K("2.0"),
      dmesg=("kfree of non-kmalloced memory: 001c9010, next= 00000000, order=2",)),
    kfree_twice(K("2.2"),
      check=("slab: size-64: slab 0xc009e000: 0 in use, 42 free, 42 per slab",)),
    kfree_twice(K("2.4"),
      check=("slab: size-64: slab 0xc1063000: an object is free twice",)),
    kfree_twice(K("2.6.20"),
      check=("slab: size-64: an object is in the per-CPU arrays twice (freed twice)",)),
    kfree_twice(K("6.5", "SLAB_DEPRECATED=y"),
      check=("slab: kmalloc-64: an object is in the per-CPU arrays twice (freed twice)",)),
    kfree_twice(K("2.6.16", "SLAB=n", "EMBEDDED=y"),
      check=("slab: kfree(0xffff810001080010) of a block kmalloc did not return (or one freed already); SLOB "
             "does not check this and corrupts its free list (the model left its heap unchanged)",)),
    kfree_twice(K("2.6.23", "SLOB=y", "EMBEDDED=y"),
      check=("slab: kfree(0xffff810001080008) of a block that is free (a double free); SLOB does not check this "
             "and corrupts its free list (the model left its heap unchanged)",)),
    kfree_twice(K("6.1", "SLOB=y", "EXPERT=y"),
      check=("slab: kfree(0xffff888001400040) of a block that is free (a double free); SLOB does not check this "
             "and corrupts its free list (the model left its heap unchanged)",)),
    kfree_twice(K("2.6.22", "SLUB=y"),
      check=("slab: kmalloc-64: slab 0xffff810001080000: an object is free twice (on a CPU's freelist)",)),
    kfree_twice(K("2.6.24"),
      check=("slab: kmalloc-64: slab 0xffff810001c00000: an object is free twice (on a CPU's freelist)",)),
    kfree_twice(K("6.12"),
      check=("slab: kmalloc-64: slab 0xffff888001403000: an object is free twice (on a CPU's freelist)",)),
    kfree_twice(K("2.6.22", "SLUB=y", "cmdline=slub_debug"),
      dmesg=("=============================================================================",
             "BUG kmalloc-64: Object already free",
             "-----------------------------------------------------------------------------",
             "",
             "INFO: Allocated in kmalloc age=0 cpu=0 pid=1",
             "INFO: Freed in kfree age=0 cpu=0 pid=1",
             "INFO: Slab 0xffff810001042000 used=1 fp=0xffff810001080000 flags=0x4000000000000200",
             "INFO: Object 0xffff810001080000 @offset=0 fp=0xffff810001080110"),
      more=True),
    kfree_twice(K("2.6.24", "cmdline=slub_debug=FZPU"),
      dmesg=("=============================================================================",
             "BUG kmalloc-64: Object already free",
             "-----------------------------------------------------------------------------",
             "",
             "INFO: Allocated in kmalloc age=0 cpu=0 pid=1",
             "INFO: Freed in kfree age=0 cpu=0 pid=1",
             "INFO: Slab 0xffffea0000070000 used=1 fp=0xffff810001c00000 flags=0x4000000000000200",
             "INFO: Object 0xffff810001c00000 @offset=0 fp=0xffff810001c00110"),
      more=True),
    kfree_twice(K("6.12", "cmdline=slub_debug=FZPU"),
      dmesg=("=============================================================================",
             "BUG kmalloc-64 (Not tainted): Object already free",
             "-----------------------------------------------------------------------------",
             "",
             "Allocated in kmalloc age=0 cpu=0 pid=1",
             "Freed in kfree age=0 cpu=0 pid=1",
             "Slab 0xffffea0000050200 objects=24 used=1 fp=0xffff888001408008 "
             "flags=0x4000000000000000(node=0|zone=1)",
             "Object 0xffff888001408008 @offset=8 fp=0xffff888001408158"),
      more=True),
    kfree_twice(K("6.12", "KASAN=y"),
      dmesg=("==================================================================",
             "BUG: KASAN: double-free in caller",
             "Free of addr ffff888001403000 by task linuxmm/1",
             "",
             "The buggy address belongs to the object at ffff888001403000",
             " which belongs to the cache kmalloc-64 of size 64",
             "The buggy address is located 0 bytes inside of",
             " 64-byte region [ffff888001403000, ffff888001403040)"),
      more=True),
    C("Double frees", K("6.12", "cmdline=slub_debug=FZPU"),
      "k.kmem_cache_free(c, o)",
      "returns None",
      dmesg=("=============================================================================",
             "BUG thing (Not tainted): Object already free",
             "-----------------------------------------------------------------------------",
             "",
             "Allocated in kmem_cache_alloc age=0 cpu=0 pid=1",
             "Freed in kmem_cache_free age=0 cpu=0 pid=1",
             "Slab 0xffffea0000050200 objects=30 used=0 fp=0xffff888001408008 "
             "flags=0x4000000000000000(node=0|zone=1)",
             "Object 0xffff888001408008 @offset=8 fp=0xffff888001408090"),
      more=True,
      setup='c = k.kmem_cache_create("thing", 40, 0, 0); o = k.kmem_cache_alloc(c, GFP_KERNEL); '
            "k.kmem_cache_free(c, o)"),
    C("Double frees", K("0.01"),
      "k.free_page(p)",
      "raises KernelPanic",
      "the kernel has panicked: trying to free free page",
      dmesg=("Kernel panic: trying to free free page",),
      setup="p = k.get_free_page(); k.free_page(p)"),
    C("Double frees", K("0.11"),
      "k.free_page(p)",
      "raises KernelPanic",
      "the kernel has panicked: trying to free free page",
      dmesg=("Kernel panic: trying to free free page",),
      setup="p = k.get_free_page(); k.free_page(p)"),
    C("Double frees", K("1.0"),
      "k.free_page(p)",
      "returns None",
      dmesg=("Trying to free free memory (01fff000): memory probabably corrupted",),
      setup="p = k.__get_free_page(GFP_KERNEL); k.free_page(p)"),
    C("Double frees", K("1.2"),
      "k.free_pages(p, 0)",
      "returns None",
      dmesg=("Trying to free free memory (0009e000): memory probably corrupted",),
      setup="p = k.__get_free_pages(GFP_KERNEL, 0); k.free_pages(p, 0)"),
    C("Double frees", K("2.2"),
      "k.free_pages(p, 0)",
      "returns None",
      setup="p = k.__get_free_pages(GFP_KERNEL, 0); k.free_pages(p, 0)"),
    C("Double frees", K("2.4"),
      "k.free_pages(p, 0)",
      "returns None",
      setup="p = k.__get_free_pages(GFP_KERNEL, 0); k.free_pages(p, 0)"),
    C("Double frees", K("2.6.28"),
      "k.free_pages(p, 0)",
      "returns None",
      setup="p = k.alloc_pages(GFP_KERNEL, 0); k.free_pages(p, 0)"),
    C("Double frees", K("6.12"),
      "k.free_pages(p, 0)",
      "returns None",
      setup="p = k.alloc_pages(GFP_KERNEL, 0); k.free_pages(p, 0)"),
    C("Double frees", K("1.0"),
      "k.vfree(p)",
      "returns None",
      dmesg=("Trying to vfree() nonexistent vm area (02800000)",),
      setup="p = k.vmalloc(8192); k.vfree(p)"),
    C("Double frees", K("2.2"),
      "k.vfree(p)",
      "returns None",
      dmesg=("Trying to vfree() nonexistent vm area (c2800000)",),
      setup="p = k.vmalloc(8192); k.vfree(p)"),
    C("Double frees", K("2.4"),
      "k.vfree(p)",
      "returns None",
      dmesg=("Trying to vfree() nonexistent vm area (c2800000)",),
      setup="p = k.vmalloc(8192); k.vfree(p)"),
    C("Double frees", K("2.6.20"),
      "k.vfree(p)",
      "returns None",
      dmesg=("Trying to vfree() nonexistent vm area (ffffc20000000000)", "BUG: warning at mm/vmalloc.c/__vunmap()"),
      setup="p = k.vmalloc(8192); k.vfree(p)"),
    C("Double frees", K("2.6.28"),
      "k.vfree(p)",
      "returns None",
      dmesg=("------------[ cut here ]------------",
             "WARNING: at mm/vmalloc.c __vunmap()",
             "Trying to vfree() nonexistent vm area (ffffc20000000000)"),
      setup="p = k.vmalloc(8192); k.vfree(p)"),
    C("Double frees", K("5.2"),
      "k.vfree(p)",
      "returns None",
      dmesg=("------------[ cut here ]------------",
             "WARNING: CPU: 0 PID: 1 at mm/vmalloc.c __vunmap",
             "Trying to vfree() nonexistent vm area (00000000d81566ca)"),
      setup="p = k.vmalloc(8192); k.vfree(p)"),
    C("Double frees", K("6.12"),
      "k.vfree(p)",
      "returns None",
      dmesg=("------------[ cut here ]------------",
             "WARNING: CPU: 0 PID: 1 at mm/vmalloc.c vfree",
             "Trying to vfree() nonexistent vm area (00000000d81566ca)"),
      setup="p = k.vmalloc(8192); k.vfree(p)"),
    C("Foreign pointers", K("1.0"),
      "k.kfree(p + 64)",
      "returns None",
      dmesg=("kfree of non-kmalloced memory: 01FFF038, next= 01FFE000, order=0",),
      setup="p = k.page_alloc.alloc_block(0, GFP_KERNEL)"),
    C("Foreign pointers", K("2.0"),
      "k.kfree(p + 64)",
      "returns None",
      dmesg=("kfree of non-kmalloced memory: 001c9038, next= 00000000, order=0",),
      setup="p = k.page_alloc.alloc_block(0, GFP_KERNEL)"),
    C("Foreign pointers", K("2.2"),
      "k.kfree(p + 64)",
      "raises KernelBug",
      "Oops: the forced NULL dereference after kfree: Bad obj c0221040",
      dmesg=("kfree: Bad obj c0221040",
             "Unable to handle kernel NULL pointer dereference at virtual address 00000000"),
      setup="p = k.page_alloc.alloc_block(0, GFP_KERNEL)"),
    C("Foreign pointers", K("2.4"),
      "k.kfree(p + 64)",
      "raises KernelBug",
      "kernel BUG at mm/slab.c!",
      dmesg=("kernel BUG at mm/slab.c!",),
      setup="p = k.page_alloc.alloc_block(0, GFP_KERNEL)"),
    C("Foreign pointers", K("2.6.20"),
      "k.kfree(p + 64)",
      "raises KernelBug",
      "kernel BUG at mm/slab.c!",
      dmesg=("kernel BUG at mm/slab.c!",),
      setup="p = k.page_alloc.alloc_block(0, GFP_KERNEL)"),
    C("Foreign pointers", K("6.5", "SLAB_DEPRECATED=y"),
      "k.kfree(p + 64)",
      "raises KernelBug",
      "kernel BUG at mm/slab.c!",
      dmesg=("kernel BUG at mm/slab.c!",),
      setup="p = k.page_alloc.alloc_block(0, GFP_KERNEL)"),
    C("Foreign pointers", K("2.6.16", "SLAB=n", "EMBEDDED=y"),
      "k.kfree(p + 64)",
      "returns None",
      check=("slab: kfree(0xffff810001080040) of a block kmalloc did not return (or one freed already); SLOB "
             "does not check this and corrupts its free list (the model left its heap unchanged)",),
      setup="p = k.page_alloc.alloc_block(0, GFP_KERNEL)"),
    C("Foreign pointers", K("2.6.23", "SLOB=y", "EMBEDDED=y"),
      "k.kfree(p + 64)",
      "returns None",
      check=("slab: kfree(0xffff810001080040) of a pointer in no SLOB page and no kmalloc'd block; SLOB does "
             "not check this and frees that page to the page allocator (the model left its heap unchanged)",),
      setup="p = k.page_alloc.alloc_block(0, GFP_KERNEL)"),
    C("Foreign pointers", K("2.6.24"),
      "k.kfree(p + 64)",
      "returns None",
      setup="p = k.page_alloc.alloc_block(0, GFP_KERNEL)"),
    C("Foreign pointers", K("6.12"),
      "k.kfree(p + 64)",
      "returns None",
      dmesg=("WARNING: CPU: 0 PID: 1 at mm/slub.c free_large_kmalloc", "object pointer: 0xffff888001400040"),
      setup="p = k.page_alloc.alloc_block(0, GFP_KERNEL)"),
    C("Foreign pointers", K("6.12", "cmdline=slub_debug=FZPU"),
      "k.kmem_cache_free(c, p)",
      "returns None",
      dmesg=("cache_from_obj: Wrong slab cache. thing but object is from kmalloc-64",),
      setup='c = k.kmem_cache_create("thing", 40, 0, 0); p = k.kmalloc(40, GFP_KERNEL)'),
    C("Foreign pointers", K("2.6.20"),
      "k.kmem_cache_free(c, p)",
      "raises KernelBug",
      "kernel BUG at mm/slab.c!",
      dmesg=("kernel BUG at mm/slab.c!",),
      setup='c = k.kmem_cache_create("thing", 40, 0, 0); p = k.kmalloc(40, GFP_KERNEL)'),
    C("Foreign pointers", K("6.12"),
      "k.vfree(p)",
      "returns None",
      dmesg=("------------[ cut here ]------------",
             "WARNING: CPU: 0 PID: 1 at mm/vmalloc.c vfree",
             "Trying to vfree() nonexistent vm area (00000000c497b2b4)"),
      setup="p = k.kmalloc(64, GFP_KERNEL)"),
    C("Foreign pointers", K("2.6.20"),
      "k.vfree(p)",
      "returns None",
      dmesg=("Trying to vfree() bad address (ffff810001084440)", "BUG: warning at mm/vmalloc.c/__vunmap()"),
      setup="p = k.kmalloc(64, GFP_KERNEL)"),
    C("Foreign pointers", K("2.2"),
      "k.vfree(p)",
      "returns None",
      dmesg=("Trying to vfree() bad address (c009e020)",),
      setup="p = k.kmalloc(64, GFP_KERNEL)"),
    C("Foreign pointers", K("6.12"),
      "k.kfree(p)",
      "raises KernelBug",
      "kernel BUG at mm/slub.c!",
      dmesg=("kernel BUG at mm/slub.c!",),
      setup="p = k.vmalloc(8192)"),
    C("Foreign pointers", K("6.12"),
      "k.vm_unmap_ram(p, 1)",
      "raises KernelBug",
      "kernel BUG at mm/vmalloc.c!",
      dmesg=("kernel BUG at mm/vmalloc.c!",),
      setup="p = k.vmalloc(8192)"),
    C("Foreign pointers", K("2.6.28"), "k.free_pages(p, 0)", "returns None", setup="p = k.kmalloc(64, GFP_KERNEL)"),
    C("Calls the era lacks", K("0.11"),
      "k.kmalloc(64, GFP_KERNEL)",
      "raises NotInThisKernel",
      "kmalloc() is not in v0.11: kmalloc() first appeared in 0.98.4 (November 1992; before it lib/malloc.c "
      "offered malloc() and free_s()); the earliest modelled release with kmalloc() is v1.0"),
    C("Calls the era lacks", K("0.11"),
      "k.vmalloc(4096)",
      "raises NotInThisKernel",
      "vmalloc() is not in v0.11: it appeared in v1.0 (mm/vmalloc.c is first in the modelled 1.0 tree)"),
    C("Calls the era lacks", K("2.0"),
      'k.kmem_cache_create("x", 64, 0, 0)',
      "raises NotInThisKernel",
      "kmem_cache_create() is not in v2.0: it appeared with slab in v2.2.0"),
    C("Calls the era lacks", K("2.2"),
      "k.kmem_cache_destroy(c)",
      "raises NotInThisKernel",
      "kmem_cache_destroy() is not in v2.2.0: it appeared in v2.4.0",
      setup='c = k.kmem_cache_create("x", 64, 0, 0)'),
    C("Calls the era lacks", K("2.6.13"),
      "k.kzalloc(64, GFP_KERNEL)",
      "raises NotInThisKernel",
      "kzalloc() is not in v2.6.13: it appeared in v2.6.14"),
    C("Calls the era lacks", K("2.6.20"),
      "k.krealloc(0, 64, GFP_KERNEL)",
      "raises NotInThisKernel",
      "krealloc() is not in v2.6.20: it appeared in v2.6.22"),
    C("Calls the era lacks", K("2.6.16"),
      "k.kmem_cache_zalloc(c, GFP_KERNEL)",
      "raises NotInThisKernel",
      "kmem_cache_zalloc() is not in v2.6.16: it appeared in v2.6.17",
      setup='c = k.kmem_cache_create("x", 64, 0, 0)'),
    C("Calls the era lacks", K("2.2"),
      "k.kfree_s(p, 64)",
      "raises NotInThisKernel",
      "kfree_s() is not in v2.2.0: it was removed in v2.2.0",
      setup="p = k.kmalloc(64, GFP_KERNEL)"),
    C("Calls the era lacks", K("2.2"),
      "k.alloc_pages(GFP_KERNEL, 0)",
      "raises NotInThisKernel",
      "alloc_pages() is not in v2.2.0: it appeared with buddy-zoned-2.4 in v2.4.0"),
    C("Calls the era lacks", K("1.0"),
      "k.free_pages(0, 0)",
      "raises NotInThisKernel",
      "free_pages() is not in v1.0: it appeared with buddy-bitmap-1.1 in v1.1.89"),
    C("Calls the era lacks", K("2.6.27"),
      "k.vm_map_ram([], 0)",
      "raises NotInThisKernel",
      'vm_map_ram() is not in v2.6.27: it appeared in v2.6.28-rc1 (db64fe02258f "mm: rewrite vmap layer")'),
    C("Calls the era lacks", K("2.6.28"),
      "k.vzalloc(4096)",
      "raises NotInThisKernel",
      'vzalloc() is not in v2.6.28: it appeared in v2.6.37-rc1 (e1ca7788dec6 "mm: add vzalloc() and '
      'vzalloc_node() helpers")'),
    C("Calls the era lacks", K("4.11"),
      "k.kvmalloc(64, GFP_KERNEL)",
      "raises NotInThisKernel",
      'kvmalloc() is not in v4.11: it appeared in v4.12-rc1 (a7c3e901a46f "mm: introduce kv[mz]alloc helpers")'),
    C("Calls the era lacks", K("6.11"),
      "k.vrealloc(0, 64, GFP_KERNEL)",
      "raises NotInThisKernel",
      'vrealloc() is not in v6.11: it appeared in v6.12-rc1 (3ddc2fefe6f3 "mm: vmalloc: implement vrealloc()")'),
    C("Calls the era lacks", K("5.17"),
      "k.vmalloc_huge(1 << 21, GFP_KERNEL)",
      "raises NotInThisKernel",
      'vmalloc_huge() is not in v5.17: it appeared in v5.18-rc4 (559089e0a93d "vmalloc: replace VM_NO_HUGE_VMAP '
      'with VM_ALLOW_HUGE_VMAP")'),
    C("Calls the era lacks", None,
      "linuxmm --kernel-version 5.4 run kasan_test",
      "exit 2",
      "linuxmm: error: kasan_test: the KASAN KUnit suite is not in v5.4: it appeared in v5.10 (the test_kasan "
      "module before it is not modelled)"),
    C("Argument types", K("6.12"),
      "k.kmalloc(None, GFP_KERNEL)",
      "raises ArgumentError",
      "kmalloc: size must be an int, not None"),
    C("Argument types", K("2.6.20"),
      "k.kmalloc(64, None)",
      "raises ArgumentError",
      "kmalloc: flags must be an int, not None"),
    C("Argument types", K("2.6.23", "SLOB=y", "EMBEDDED=y"),
      "k.kmalloc(1.5, GFP_KERNEL)",
      "raises ArgumentError",
      "kmalloc: size must be an int, not float 1.5"),
    C("Argument types", K("1.0"),
      'k.kmalloc("64", GFP_KERNEL)',
      "raises ArgumentError",
      "kmalloc: size must be an int, not str '64'"),
    C("Argument types", K("2.2"),
      "k.kmalloc(True, GFP_KERNEL)",
      "raises ArgumentError",
      "kmalloc: size must be an int, not a bool (True)"),
    C("Argument types", K("2.0"),
      'k.kmalloc(64, "GFP_KERNEL")',
      "raises ArgumentError",
      "kmalloc: priority must be an int, not str 'GFP_KERNEL'"),
    C("Argument types", K("6.12"),
      "k.kzalloc(None, GFP_KERNEL)",
      "raises ArgumentError",
      "kzalloc: size must be an int, not None"),
    C("Argument types", K("2.6.16", "SLAB=n", "EMBEDDED=y"),
      "k.kzalloc(64, 1.0)",
      "raises ArgumentError",
      "kzalloc: flags must be an int, not float 1.0"),
    C("Argument types", K("6.12"), "k.kfree(None)", "raises ArgumentError", "kfree: objp must be an int, not None"),
    C("Argument types", K("1.0"),
      'k.kfree("0x1000")',
      "raises ArgumentError",
      "kfree_s: ptr must be an int, not str '0x1000'"),
    C("Argument types", K("2.6.24"),
      "k.kfree(-1)",
      "raises ArgumentError",
      "kfree: objp must be at least 0, not -1"),
    C("Argument types", K("6.1", "SLOB=y", "EXPERT=y"),
      "k.kfree(1 << 64)",
      "raises ArgumentError",
      "kfree: objp must be at most 18446744073709551615, not 18446744073709551616"),
    C("Argument types", K("1.0"),
      "k.kfree_s(p, None)",
      "raises ArgumentError",
      "kfree_s: size must be an int, not None",
      setup="p = k.kmalloc(64, GFP_KERNEL)"),
    C("Argument types", K("2.6.24"),
      "k.ksize(None)",
      "raises ArgumentError",
      "ksize: objp must be an int, not None"),
    C("Argument types", K("6.12"),
      "k.krealloc(None, 64, GFP_KERNEL)",
      "raises ArgumentError",
      "krealloc: objp must be an int, not None"),
    C("Argument types", K("6.12"),
      "k.krealloc(p, 1.5, GFP_KERNEL)",
      "raises ArgumentError",
      "krealloc: size must be an int, not float 1.5",
      setup="p = k.kmalloc(64, GFP_KERNEL)"),
    C("Argument types", K("2.6.24"),
      'k.krealloc(p, 128, "GFP_KERNEL")',
      "raises ArgumentError",
      "krealloc: flags must be an int, not str 'GFP_KERNEL'",
      setup="p = k.kmalloc(64, GFP_KERNEL)"),
    C("Argument types", K("6.12"),
      "k.kmem_cache_create(5, 64, 0, 0)",
      "raises ArgumentError",
      "kmem_cache_create: name must be a non-empty string, not 5"),
    C("Argument types", K("2.2"),
      'k.kmem_cache_create("", 64, 0, 0)',
      "raises ArgumentError",
      "kmem_cache_create: name must be a non-empty string, not ''"),
    C("Argument types", K("2.6.20"),
      'k.kmem_cache_create("x", 64.0, 0, 0)',
      "raises ArgumentError",
      "kmem_cache_create: size must be an int, not float 64.0"),
    C("Argument types", K("6.1", "SLOB=y", "EXPERT=y"),
      'k.kmem_cache_create("x", 64, None, 0)',
      "raises ArgumentError",
      "kmem_cache_create: align must be an int, not None"),
    C("Argument types", K("2.4"),
      'k.kmem_cache_create("x", 64, 0, None)',
      "raises ArgumentError",
      "kmem_cache_create: flags must be an int, not None"),
    C("Argument types", K("6.12"),
      'k.kmem_cache_create("x", 64, 0, 0x80000000)',
      "raises ArgumentError",
      "kmem_cache_create: flags has bits no SLAB_* flag of linuxmm.slab names (0x80000000)"),
    C("Argument types", K("6.12"),
      'k.kmem_cache_create("x", 64, 0, 0, "ctor")',
      "raises ArgumentError",
      "kmem_cache_create: ctor must be callable (it is called with the object's address), not str"),
    C("Argument types", K("6.12"),
      "k.kmem_cache_alloc(None, GFP_KERNEL)",
      "raises ArgumentError",
      "kmem_cache_alloc: cachep must be a cache from kmem_cache_create() of this kernel, not NoneType"),
    C("Argument types", K("2.6.20"),
      "k.kmem_cache_alloc(c, 1 << 64)",
      "raises ArgumentError",
      "kmem_cache_alloc: flags must be at most 4294967295, not 18446744073709551616",
      setup='c = k.kmem_cache_create("x", 64, 0, 0)'),
    C("Argument types", K("6.12"),
      "k.kmem_cache_zalloc(c, True)",
      "raises ArgumentError",
      "kmem_cache_zalloc: flags must be an int, not a bool (True)",
      setup='c = k.kmem_cache_create("x", 64, 0, 0)'),
    C("Argument types", K("2.6.23", "SLOB=y", "EMBEDDED=y"),
      'k.kmem_cache_alloc("x", GFP_KERNEL)',
      "raises ArgumentError",
      "kmem_cache_alloc: cachep must be a cache from kmem_cache_create() of this kernel, not str"),
    C("Argument types", K("2.2"),
      "k.kmem_cache_free(None, p)",
      "raises ArgumentError",
      "kmem_cache_free: cachep must be a cache from kmem_cache_create() of this kernel, not NoneType",
      setup='c = k.kmem_cache_create("x", 64, 0, 0); p = k.kmem_cache_alloc(c, GFP_KERNEL)'),
    C("Argument types", K("6.12"),
      'k.kmem_cache_free(c, "p")',
      "raises ArgumentError",
      "kmem_cache_free: objp must be an int, not str 'p'",
      setup='c = k.kmem_cache_create("x", 64, 0, 0)'),
    C("Argument types", K("2.4"),
      'k.kmem_cache_destroy("x")',
      "raises ArgumentError",
      "kmem_cache_destroy: cachep must be a cache from kmem_cache_create() of this kernel, not str"),
    C("Argument types", K("6.12"),
      "k.kmem_cache_shrink(None)",
      "raises ArgumentError",
      "kmem_cache_shrink: cachep must be a cache from kmem_cache_create() of this kernel, not NoneType"),
    C("Argument types", K("6.12"),
      "k.kmem_cache_alloc(c, GFP_KERNEL)",
      "raises ArgumentError",
      "kmem_cache_alloc: cache 'x' was destroyed by kmem_cache_destroy(); the model does not follow a use of "
      "its freed struct kmem_cache",
      setup='c = k.kmem_cache_create("x", 64, 0, SLAB_HWCACHE_ALIGN | SLAB_POISON); k.kmem_cache_destroy(c)'),
    C("Argument types", K("6.12"),
      "k.vmalloc(None)",
      "raises ArgumentError",
      "vmalloc: size must be an int, not None"),
    C("Argument types", K("6.12"),
      'k.vfree("p")',
      "raises ArgumentError",
      "vfree: addr must be an int, not str 'p'"),
    C("Argument types", K("6.12"),
      'k.vm_map_ram("pages", 1)',
      "raises ArgumentError",
      "vm_map_ram: pages must be a list of page addresses, not str"),
    C("Argument types", K("6.12"),
      "k.proc(None)",
      "raises ArgumentError",
      "proc: the file name must be a string, not NoneType None"),
    C("Argument types", K("6.12", "cpus=2"),
      'k.on_cpu("1").__enter__()',
      "raises ArgumentError",
      "on_cpu: cpu must be an int, not str '1'"),
    C("Argument types", K("6.12", "cpus=2"),
      "k.on_cpu(2).__enter__()",
      "raises LinuxmmError",
      "CPU 2 does not exist (this kernel has cpus=0..1)"),
    C("Argument types", K("6.12"),
      'k.memory.write(p, "text")',
      "raises ArgumentError",
      "memory.write: data must be bytes, not str 'text'",
      setup="p = k.kmalloc(64, GFP_KERNEL)"),
    C("Argument types", K("6.12"),
      'k.counters["tlb_flush"]',
      "raises ArgumentError",
      "no counter named 'tlb_flush' in this kernel (its counters: bad_pages, bytes_copied, bytes_zeroed, "
      "huge_vmalloc_fallbacks, huge_vmalloc_mappings, ipis, lazy_purges, leaked_pages, list_walks, "
      "refused_frees, slab_pages_allocated, slab_pages_freed, tlb_fills, tlb_flushes, vfree_calls, "
      "vmalloc_calls, vmalloc_pages_allocated, vmalloc_pages_freed, vmap_steps, vmlist_steps, "
      "vrealloc_bytes_zeroed, vrealloc_calls)"),
    C("Argument types", K("6.12"),
      'k.has(["v6.0"])',
      "raises VersionError",
      "has(['v6.0']): a commit sha prefix or a release is a string, not list"),
    C("The command line", None,
      "linuxmm --mem 1T info",
      "exit 2",
      "linuxmm: error: --mem 1T: more than this model simulates (at most 256G)"),
    C("The command line", None, "linuxmm --cpus 0 info", "exit 2", "linuxmm: error: --cpus 0: must be at least 1"),
    C("The command line", None,
      "linuxmm --kernel-version 1.0 --cpus 2 info",
      "exit 2",
      "linuxmm: error: cpus=2: v1.0 has no SMP support; it arrived in v2.0"),
    C("The command line", None,
      "linuxmm frobnicate",
      "exit 2",
      f"linuxmm: error: argument COMMAND: invalid choice: 'frobnicate' (choose from {_COMMANDS})"),
    C("The command line", None,
      "linuxmm --mem 1G versions",
      "exit 2",
      "linuxmm: error: versions takes no kernel options (it lists every modelled release): drop --mem"),
    C("The command line", None,
      "linuxmm run --soak 0",
      "exit 2",
      "linuxmm: error: soak: the number of operations must be an int from 1 to 10_000_000, not 0"),
    C("The command line", None, "linuxmm log -n -1", "exit 2", "linuxmm: error: log: -n must be 0 or more, not -1"),
    C("The command line", None,
      "linuxmm --kernel-version 2.6.20 run w.toml",
      "exit 1",
      "linuxmm: kernel BUG at mm/slab.c!",
      dmesg=("kmem_cache_create: Early error in slab c", "kernel BUG at mm/slab.c!"),
      files=(('w.toml', '[[op]]\nkmem_cache_create = "c"\nsize = 4\n'),)),
    C("The command line", None,
      "linuxmm --kernel-version 6.12 run w.toml",
      "exit 1",
      "linuxmm: the kernel panicked: kmem_cache_create: Failed to create slab 'c'. Error -22",
      dmesg=("Kernel panic - not syncing: kmem_cache_create: Failed to create slab 'c'. Error -22",),
      files=(('w.toml', '[[op]]\nkmem_cache_create = "c"\nsize = 0\nflags = "SLAB_PANIC"\n'),)),
    C("The command line", None,
      "linuxmm --kernel-version 2.2 run w.toml",
      "exit 0",
      files=(('w.toml', '[[op]]\nkmalloc = "a"\nsize = 64\n[[op]]\nkfree = "a"\n[[op]]\nkfree = "a"\ndouble = true\n[[op]]\ndmesg = true\n'),)),
]

_PREFIX = {"Versions": "V", "Configs": "C", "Boot parameters": "P", "/proc files": "F", "Workloads": "W",
           "Sizes": "S", "Orders": "O", "Double frees": "D", "Foreign pointers": "X", "Calls the era lacks": "N",
           "Argument types": "A", "The command line": "L"}


def _ids(cases: list[C]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for case in cases:
        prefix = _PREFIX[case.area]
        seen[prefix] = seen.get(prefix, 0) + 1
        out.append(f"{prefix}{seen[prefix]}")
    return out


IDS = _ids(CASES)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_bad_input(case, tmp_path, monkeypatch):
    if case.via == "CLI":
        res = run_cli(case, str(tmp_path), monkeypatch)
        assert "Traceback" not in res.stderr
        assert (res.outcome, res.message) == (case.outcome, case.message)
        if case.outcome == "exit 2":  # a usage mistake: one line on stderr, no output of a run
            assert res.stderr == case.message + "\n" and res.stdout.count("\n") <= 1
        assert tuple(res.dmesg) == case.dmesg  # the kernel log printed before the last line (exit 1)
        return
    res = run_api(case)
    assert (res.outcome, res.message) == (case.outcome, case.message)
    assert not res.outcome.startswith("raises TypeError")
    if case.more:
        assert tuple(res.dmesg[:len(case.dmesg)]) == case.dmesg and len(res.dmesg) > len(case.dmesg)
    else:
        assert tuple(res.dmesg) == case.dmesg
    assert tuple(res.check) == case.check
    if res.before is not None and res.outcome.split()[-1] in REFUSALS:
        before, after = res.before, res.after
        allowed = set(case.changes)
        for key in before:
            if key == "counters":
                changed = {n for n in set(before[key]) | set(after[key])
                           if before[key].get(n) != after[key].get(n)}
                assert {f"counters.{n}" for n in changed} <= allowed, changed
            elif key not in allowed:
                assert before[key] == after[key], f"{key} changed after a refused call"


def _page_table(text: str) -> str:
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    return text[start:end].strip("\n") + "\n"


def test_docs_page_is_the_catalogue():
    with open(DOCS, encoding="utf-8") as fh:
        page = fh.read()
    assert _page_table(page) == render(CASES, IDS), "run: python tests/test_bad_input.py --write"


_NAMED = re.compile(r"`(tests/[\w/]+\.py)::(\w+)(?:\[([^\]]+)\])?`")


def test_every_test_the_page_names_exists():
    """Each row of the catalogue names its test; every one named must be a test of the suite."""
    with open(DOCS, encoding="utf-8") as fh:
        page = fh.read()
    named = _NAMED.findall(page)
    root = os.path.join(os.path.dirname(__file__), os.pardir)
    assert {n[2] for n in named if n[:2] == ("tests/test_bad_input.py", "test_bad_input")} == set(IDS)
    assert len(named) > len(CASES) + 20  # the catalogue rows, then the ones that live with their features
    missing = []
    for path, name, param in named:
        try:
            with open(os.path.join(root, path), encoding="utf-8") as fh:
                source = fh.read()
        except FileNotFoundError:
            missing.append(path)
            continue
        if not re.search(rf"^def {name}\(", source, re.M):
            missing.append(f"{path}::{name}")
        elif param and path == "tests/test_bad_input.py" and param not in IDS:
            missing.append(f"{path}::{name}[{param}]")
    assert missing == []
    rows = [line for line in page.splitlines() if re.match(r"\| [A-Z]\d+ \|", line)]
    assert rows and all(_NAMED.search(line) for line in rows)  # no row without its test


def test_every_area_and_allocator_is_covered():
    areas = {c.area for c in CASES}
    assert areas == set(_PREFIX)
    kernels = {c.kernel for c in CASES if c.area in ("Double frees", "Foreign pointers")}
    for version in ("1.0", "1.2", "2.0", "2.2", "2.4", "2.6.20", "2.6.24", "6.12"):
        assert any(k and k[0] == version for k in kernels), version
    assert any(k and "SLOB=y" in k for k in kernels) and any(k and "SLAB=n" in k for k in kernels)
    assert any(k and any("slub_debug" in x for x in k) for k in kernels)


def write() -> None:
    with open(DOCS, encoding="utf-8") as fh:
        page = fh.read()
    start, end = page.index(BEGIN) + len(BEGIN), page.index(END)
    page = page[:start] + "\n" + render(CASES, IDS) + page[end:]
    with open(DOCS, "w", encoding="utf-8") as fh:
        fh.write(page)


if __name__ == "__main__":  # pragma: no cover
    if sys.argv[1:] == ["--write"]:
        write()
    else:
        print(render(CASES, IDS))
