"""slub_debug: the layout it gives objects, the boot parameter's syntax, and the BUG reports of each era."""

import pytest

import linuxmm
from linuxmm import GFP_KERNEL
from linuxmm import workload


def boot(version, cmdline, **kw):
    k = linuxmm.boot(version, cmdline=cmdline, **kw)
    k.kfree(0)  # finish boot: the log below holds only what the test causes
    return k, len(k.dmesg)


def test_layout_of_a_debugged_kmalloc_64_at_612():
    # 64 + a red-zone word (72, inuse) + the free pointer (80) + 2 tracks of 32 + orig_size (148)
    # + an empty word (156) + the left red zone (164), aligned to 8: 168, 24 per order-0 slab
    k = linuxmm.boot("6.12", cmdline="slub_debug=FZPU")
    s = k.slab.find_cache("kmalloc-64")
    assert (s.size, s.inuse, s.offset, s.red_left_pad, s.objects, s.order) == (168, 72, 72, 8, 24, 0)
    line = [l for l in k.proc("slabinfo").splitlines() if l.startswith("kmalloc-64 ")][0]
    assert line.split()[3:6] == ["168", "24", "1"]


def test_double_free_report_612():
    k, mark = boot("6.12", "slub_debug=FZPU")
    p = k.kmalloc(64, GFP_KERNEL)
    k.kfree(p)
    k.kfree(p)
    assert k.dmesg[mark:] == [
        "=============================================================================",
        "BUG kmalloc-64 (Not tainted): Object already free",
        "-----------------------------------------------------------------------------",
        "",
        "Allocated in kmalloc age=0 cpu=0 pid=1",
        "Freed in kfree age=0 cpu=0 pid=1",
        "Slab 0xffffea0000050200 objects=24 used=0 fp=0xffff888001408008 flags=0x4000000000000000(node=0|zone=1)",
        "Object 0xffff888001408008 @offset=8 fp=0xffff8880014080b0",
        "",
        "Redzone  ffff888001408000: bb bb bb bb bb bb bb bb                          ........",
        "Object   ffff888001408008: 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b  kkkkkkkkkkkkkkkk",
        "Object   ffff888001408018: 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b  kkkkkkkkkkkkkkkk",
        "Object   ffff888001408028: 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b  kkkkkkkkkkkkkkkk",
        "Object   ffff888001408038: 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b a5  kkkkkkkkkkkkkkk.",
        "Redzone  ffff888001408048: bb bb bb bb bb bb bb bb                          ........",
        "Padding  ffff88800140809c: 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a              ZZZZZZZZZZZZ",
        "CPU: 0 UID: 0 PID: 1 Comm: linuxmm Not tainted 6.12.0 #1",
        "Call Trace:",
        " dump_stack_lvl",
        " print_trailer",
        " object_err",
        " free_debug_processing",
        " free_to_partial_list",
        " __slab_free",
        " slab_free",
        " kfree",
        "FIX kmalloc-64: Object at 0xffff888001408008 not freed",
    ]
    # the object stays free once; the kernel is tainted with B from now on
    assert k.slab.audit() == [] and k.slab.taint_text() == "Tainted: G    B             "


def test_kmalloc_redzone_612():
    # 6.2: with Z and U a kmalloc cache red-zones the bytes past the request (orig_size)
    k, mark = boot("6.12", "slub_debug=FZPU")
    p = k.kmalloc(50, GFP_KERNEL)
    assert k.memory.read(p, 64) == b"\x6b" * 49 + b"\xa5" + b"\xcc" * 14
    k.memory.write(p + 56, b"!!")
    k.kfree(p)
    log = k.dmesg[mark:]
    assert log[:6] == [
        "=============================================================================",
        "BUG kmalloc-64 (Not tainted): kmalloc Redzone overwritten",
        "-----------------------------------------------------------------------------",
        "",
        "0xffff888001408040-0xffff888001408041 @offset=64. First byte 0x21 instead of 0xcc",
        "FIX kmalloc-64: Restoring kmalloc Redzone 0xffff888001408040-0xffff888001408041=0xcc",
    ]
    assert "Object   ffff888001408038: 6b a5 cc cc cc cc cc cc cc cc cc cc cc cc cc cc  k..............." in log
    assert log[-1] == "FIX kmalloc-64: Object at 0xffff888001408008 not freed"


def test_right_and_left_redzones_and_poison_612():
    k, mark = boot("6.12", "slub_debug=FZPU")
    p = k.kmalloc(64, GFP_KERNEL)
    k.memory.write(p + 64, b"x")
    k.memory.write(p - 1, b"y")
    k.kfree(p)
    bugs = [l for l in k.dmesg[mark:] if l.startswith("BUG ")]
    assert bugs == ["BUG kmalloc-64 (Not tainted): Left Redzone overwritten",
                    "BUG kmalloc-64 (Tainted: G    B             ): Right Redzone overwritten"] or bugs == [
        "BUG kmalloc-64 (Not tainted): Left Redzone overwritten",
        "BUG kmalloc-64 (Not tainted): Right Redzone overwritten"]
    # use after free: the poison is checked when the object is handed out again
    k, mark = boot("6.12", "slub_debug=FZPU")
    p = k.kmalloc(64, GFP_KERNEL)
    k.kfree(p)
    k.memory.write(p + 8, b"use-after-free")
    q = k.kmalloc(64, GFP_KERNEL)
    log = k.dmesg[mark:]
    assert log[1] == "BUG kmalloc-64 (Not tainted): Poison overwritten"
    assert log[4] == "0xffff888001408010-0xffff88800140801d @offset=16. First byte 0x75 instead of 0x6b"
    assert log[-1] == "FIX kmalloc-64: Marking all objects used"
    assert q != p and q >> 12 != p >> 12  # the corrupted slab is not used again
    assert " alloc_single_from_partial" in log and " alloc_debug_processing" in log


def test_invalid_pointer_612():
    k, mark = boot("6.12", "slub_debug=F")
    p = k.kmalloc(64, GFP_KERNEL)
    k.kfree(p + 8)
    log = k.dmesg[mark:]
    assert log[1] == f"BUG kmalloc-64 (Not tainted): Invalid object pointer 0x{p + 8:016x}"
    assert log[4].startswith("Slab 0xffffea")
    assert log[-1] == f"FIX kmalloc-64: Object at 0x{p + 8:016x} not freed"


def test_double_free_report_44():
    k, mark = boot("4.4", "slub_debug=FZPU")
    p = k.kmalloc(64, GFP_KERNEL)
    k.kfree(p)
    k.kfree(p)
    assert k.dmesg[mark:] == [
        "=============================================================================",
        "BUG kmalloc-64 (Not tainted): Object already free",
        "-----------------------------------------------------------------------------",
        "",
        "INFO: Allocated in kmalloc age=0 cpu=0 pid=1",
        "INFO: Freed in kfree age=0 cpu=0 pid=1",
        "INFO: Slab 0xffffea00003f0180 objects=10 used=0 fp=0xffff88000fc06000 flags=0x4000000000000200",
        "INFO: Object 0xffff88000fc06000 @offset=0 fp=0xffff88000fc06188",
        "",
        "Object ffff88000fc06000: 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b  kkkkkkkkkkkkkkkk",
        "Object ffff88000fc06010: 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b  kkkkkkkkkkkkkkkk",
        "Object ffff88000fc06020: 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b  kkkkkkkkkkkkkkkk",
        "Object ffff88000fc06030: 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b a5  kkkkkkkkkkkkkkk.",
        "Redzone ffff88000fc06040: bb bb bb bb bb bb bb bb                          ........",
        "Padding ffff88000fc06180: 5a 5a 5a 5a 5a 5a 5a 5a                          ZZZZZZZZ",
        "CPU: 0 PID: 1 Comm: linuxmm Not tainted 4.4.0 #1",
        "Call Trace:",
        " dump_stack",
        " print_trailer",
        " object_err",
        " free_debug_processing",
        " __slab_free",
        " slab_free",
        " kfree",
        "FIX kmalloc-64: Object at 0xffff88000fc06000 not freed",
    ]


def test_redzone_report_2624():
    # 2.6.24: no taint in the BUG line, SLUB's own hex dump, the trailer printed by each failed check
    k, mark = boot("2.6.24", "slub_debug=FZPU")
    p = k.kmalloc(64, GFP_KERNEL)
    k.memory.write(p + 64, b"!!")
    k.kfree(p)
    assert k.dmesg[mark:] == [
        "=============================================================================",
        "BUG kmalloc-64: Redzone overwritten",
        "-----------------------------------------------------------------------------",
        "",
        "INFO: 0xffff81000fc00040-0xffff81000fc00041. First byte 0x21 instead of 0xcc",
        "INFO: Allocated in kmalloc age=0 cpu=0 pid=1",
        "INFO: Slab 0xffffea00003f0000 used=1 fp=0xffff81000fc00088 flags=0x4000000000000200",
        "INFO: Object 0xffff81000fc00000 @offset=0 fp=0xffff81000fc00088",
        "",
        "  Object 0xffff81000fc00000:  6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b kkkkkkkkkkkkkkkk",
        "  Object 0xffff81000fc00010:  6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b kkkkkkkkkkkkkkkk",
        "  Object 0xffff81000fc00020:  6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b kkkkkkkkkkkkkkkk",
        "  Object 0xffff81000fc00030:  6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b a5 kkkkkkkkkkkkkkk.",
        " Redzone 0xffff81000fc00040:  21 21 cc cc cc cc cc cc                         !!......        ",
        " Padding 0xffff81000fc00080:  5a 5a 5a 5a 5a 5a 5a 5a                         ZZZZZZZZ        ",
        "Call Trace:",
        " dump_stack",
        " print_trailer",
        " check_bytes_and_report",
        " check_object",
        " free_debug_processing",
        " __slab_free",
        " slab_free",
        " kfree",
        "FIX kmalloc-64: Restoring 0xffff81000fc00040-0xffff81000fc00041=0xcc",
        "",
        "FIX kmalloc-64: Object at 0xffff81000fc00000 not freed",
    ]


def test_hashed_pointers_411():
    # 4.15-5.11: %p is hashed (the model's key comes from the boot seed); 5.12 forces raw pointers
    k, mark = boot("5.4", "slub_debug=FZPU")
    p = k.kmalloc(64, GFP_KERNEL)
    k.kfree(p)
    k.kfree(p)
    obj = [l for l in k.dmesg[mark:] if l.startswith("INFO: Object 0x")][0]
    assert f"{p:016x}" not in obj and obj.startswith("INFO: Object 0x00000000")
    k, mark = boot("5.12", "slub_debug=FZPU")
    assert "** This system shows unhashed kernel memory addresses   **" in k.dmesg


@pytest.mark.parametrize("cmdline, flags", [
    ("slub_debug", {"kmalloc-64": "FZPU", "kmalloc-128": "FZPU"}),
    ("slub_debug=-", {"kmalloc-64": "", "kmalloc-128": ""}),
    ("slub_debug=P", {"kmalloc-64": "P", "kmalloc-128": "P"}),
    ("slub_debug=P,kmalloc-64", {"kmalloc-64": "P", "kmalloc-128": ""}),
    ("slub_debug=,kmalloc-64", {"kmalloc-64": "FZPU", "kmalloc-128": ""}),
    ("slub_debug=FZ;P,kmalloc-12*", {"kmalloc-64": "FZ", "kmalloc-128": "P"}),
])
def test_slub_debug_syntax(cmdline, flags):
    k = linuxmm.boot("6.12", cmdline=cmdline)
    from linuxmm_plugins.mm_slub import DEBUG_LETTERS
    for name, letters in flags.items():
        s = k.slab.find_cache(name)
        got = "".join(c.upper() for c in "fzpu" if s.flags & DEBUG_LETTERS[c])
        assert got == letters, name


def test_unknown_letter_is_logged():
    k = linuxmm.boot("6.12", cmdline="slub_debug=FQ")
    assert "slab_debug option 'Q' unknown. skipped" in k.dmesg
    k = linuxmm.boot("6.1", cmdline="slub_debug=FQ")
    assert "slub_debug option 'Q' unknown. skipped" in k.dmesg


def test_debug_caches_do_not_merge():
    k = linuxmm.boot("6.12", cmdline="slub_debug=FZPU")
    assert k.kmem_cache_create("mine", 60).name == "mine"


def test_workload_double_free(capsys):
    from linuxmm.cli import main
    assert main(["--kernel-version", "6.12", "--cmdline", "slub_debug=FZPU", "run", "double-free"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "kmalloc(64) -> 0xffff8880014080b0; kfree twice"  # the second object of the slab
    assert out[1:4] == ["$ dmesg", "=" * 77, "BUG kmalloc-64 (Not tainted): Object already free"]
    assert main(["--kernel-version", "6.12", "run", "double-free"]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == [
        "(no kernel log lines: this allocator did not check (boot with --cmdline slub_debug=FZPU for SLUB's report))",
        "model check: slab: kmalloc-64: slab 0xffff888001403000: an object is free twice (on a CPU's freelist)"]


TOML = """
[kernel]
version = "6.12"
cmdline = "slub_debug=FZPU"

[[op]]
kmem_cache_create = "c"
size = 100
flags = "SLAB_HWCACHE_ALIGN"

[[op]]
kmem_cache_alloc = "o"
cache = "c"

[[op]]
write = "o"
data = "!"
offset = 100

[[op]]
kmem_cache_free = "o"

[[op]]
kmalloc = "a"
size = 64

[[op]]
kfree = "a"

[[op]]
kfree = "a"
double = true

[[op]]
dmesg = true
"""


def test_toml_slab_ops():
    wl = workload.loads(TOML, "t.toml")
    k = linuxmm.boot("6.12", cmdline="slub_debug=FZPU")
    lines = []
    assert workload.run(k, wl, lines.append) == 0
    # 104 + free pointer + 2 tracks + a word, then a left red zone of a whole 64-byte line: 256
    assert lines[0] == "kmem_cache_create c size=100 -> object size 256, 16 per slab, order 0"
    assert lines[1].startswith("kmem_cache_alloc o from c -> 0xffff")
    bugs = [l for l in lines if l.startswith("BUG ")]
    assert bugs == ["BUG c (Not tainted): Right Redzone overwritten",
                    "BUG kmalloc-64 (Tainted: G    B             ): Object already free"]


@pytest.mark.parametrize("text, message", [
    ('[[op]]\nkmalloc = "a"\n', "t.toml:1: op[0]: kmalloc needs size = N (bytes)"),
    ('[[op]]\nkfree = "a"\n', "t.toml:1: op[0]: kfree of unknown kmalloc handle 'a' (no handle is allocated at "
                              "this point)"),
    ('[[op]]\nkmalloc = "a"\nsize = 8\n[[op]]\nkfree = "a"\ndouble = true\n',
     "t.toml:4: op[1]: kfree with double = true needs a kmalloc handle that was freed already, not 'a'"),
    ('[[op]]\nkmalloc = "a"\nsize = 8\n[[op]]\nfree = "a"\n',
     "t.toml:4: op[1]: free is for pages; 'a' is a kmalloc handle (use kfree or kmem_cache_free)"),
    ('[[op]]\nkmem_cache_alloc = "o"\ncache = "c"\n',
     "t.toml:1: op[0]: kmem_cache_alloc of unknown cache handle 'c' (no handle is allocated at this point)"),
    ('[[op]]\nkmem_cache_create = "c"\nsize = 8\nflags = "SLAB_NOPE"\n',
     "t.toml:1: op[0]: kmem_cache_create: unknown flag 'SLAB_NOPE' (known: SLAB_DEBUG_FREE, SLAB_DEBUG_INITIAL, "
     "SLAB_RED_ZONE, SLAB_POISON, SLAB_NO_REAP, SLAB_HWCACHE_ALIGN, SLAB_CACHE_DMA, SLAB_MUST_HWCACHE_ALIGN, "
     "SLAB_STORE_USER, SLAB_RECLAIM_ACCOUNT, SLAB_PANIC, SLAB_DESTROY_BY_RCU, SLAB_MEM_SPREAD, SLAB_TRACE, "
     "SLAB_NOLEAKTRACE, SLAB_FAILSLAB)"),
    ('[[op]]\nkmalloc = "a"\nsize = 99999999999\n',
     "t.toml:1: op[0]: kmalloc: size must be at most 33554432 (32 MB), not 99999999999"),
])
def test_toml_slab_op_errors(text, message):
    with pytest.raises(linuxmm.WorkloadError) as exc:
        workload.loads(text, "t.toml")
    assert str(exc.value) == message


def test_toml_slab_ops_refused_before_kmalloc_existed():
    wl = workload.loads('[[op]]\nkmalloc = "a"\nsize = 8\n', "t.toml")
    k = linuxmm.boot("0.11")
    with pytest.raises(linuxmm.WorkloadError) as exc:
        workload.run(k, wl, lambda line: None)
    assert str(exc.value).startswith("t.toml:1: op[0]: kmalloc() is not in v0.11")
