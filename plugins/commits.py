"""Upstream commits the model knows, with where each fact was checked."""
from linuxmm.records import Commit

# Ordered by tag, then author date.  mark="V": sha+subject seen together in
# primary text (patch mail / Fixes: tag / stable "commit X upstream" / git log
# or blame output).  Dates marked "(date S)" in `source` are best recollection.
# The evidence behind each entry is summarised in its `source`; see docs/sources.md.
COMMITS: tuple[Commit, ...] = (
    Commit(sha="f90b1d2f1aaa", subject="[PATCH] cpusets: new __GFP_HARDWALL flag", author="Paul Jackson",
           date="2005-09-06", tag="v2.6.14-rc1", fixes=(), mark="V",
           source="git log of a full-history mirror (kangsterizer/linux-3.1.y-rsbac): sha, subject, author, date; "
                  "an ancestor of 'Linux 2.6.14-rc1'; the 2.6.20 tree has __GFP_HARDWALL 0x20000"),
    Commit(sha="a2f1b4249007", subject="[PATCH] x86_64: Add 4GB DMA32 zone", author="Andi Kleen",
           date="2005-11-05", tag="v2.6.15-rc2", fixes=(), mark="V",
           source="tig log (sha+subject+author date); listed in Linus' 'Linux 2.6.15-rc2' shortlog, "
                  "which says the x86-64 merge missed -rc1"),
    Commit(sha="10cef6029502", subject="[PATCH] slob: introduce the SLOB allocator", author="Matt Mackall",
           date="2006-01-08", tag="v2.6.16-rc1", fixes=(), mark="V",
           source="tig log (sha+subject+date) and 0-day blame of include/linux/slab.h; tag from date (S)"),
    Commit(sha="8a8b6502fb66", subject="[PATCH] fault-injection capability for kmalloc", author="Akinobu Mita",
           date="2006-12-08", tag="v2.6.20-rc1", fixes=(), mark="S",
           source="sha only in git.kernel.org links in mails; subject from patch mail '[patch 3/7] fault-injection "
                  "capability for kmalloc' (Nov 2006); 2.6.20 page_alloc.c has fail_page_alloc (date S)"),
    Commit(sha="81819f0fc828", subject="SLUB core", author="Christoph Lameter",
           date="2007-05-06", tag="v2.6.22-rc1", fixes=(), mark="V",
           source="many 'Fixes: 81819f0fc828 (\"SLUB core\")' tags; tag/date from recollection (date S)"),
    Commit(sha="769848c03895",
           subject="Add __GFP_MOVABLE for callers to flag allocations from high memory that may be migrated",
           author="Mel Gorman", date="2007-07-17", tag="v2.6.23-rc1", fixes=(), mark="V",
           source="git log -S of full-history mirrors (gpl-releases/linux-2.6.39.3, kangsterizer/linux-3.1.y-rsbac): "
                  "first in 'Linux 2.6.23-rc1'; the 2.6.23.17 tree has __GFP_MOVABLE 0x80000"),
    Commit(sha="2a1e274acf0b", subject="Create the ZONE_MOVABLE zone", author="Mel Gorman",
           date="2007-07-17", tag="v2.6.23-rc1", fixes=(), mark="V",
           source="Fixes: tag in Alistair Popple 2022 patch mail; tag/date from recollection (date S)"),
    Commit(sha="a0acd8208076", subject="SLUB: Make SLUB the default slab allocator", author="Christoph Lameter",
           date="2007-07-17", tag="v2.6.23-rc1", fixes=(), mark="S",
           source="full sha a0acd820807680d2ccc4ef3448387fcdbf152c73 in git.kernel.org links ('default since "
                  "2.6.23'); exact upstream subject and date not seen"),
    Commit(sha="b2a0ac8875a0", subject="Split the free lists for movable and unmovable allocations", author="Mel Gorman",
           date="2007-10-16", tag="v2.6.24-rc1", fixes=(), mark="V",
           source="gitweb commitdiff of child 535131e6925b (X-Git-Tag v2.6.24-rc1~1141, parent hp=b2a0ac88...); "
                  "patch mail [PATCH 4/13] same subject; blog quotes sha+subject"),
    Commit(sha="e12ba74d8ff3", subject="Group short-lived and reclaimable kernel allocations", author="Mel Gorman",
           date="2007-10-16", tag="v2.6.24-rc1", fixes=(), mark="V",
           source="git show quote: 'Refs: v2.6.23-4359-ge12ba74d8ff3', AuthorDate Tue Oct 16 2007; Michal Hocko mails"),
    Commit(sha="467c996c1e19",
           subject="Print out statistics in relation to fragmentation avoidance to /proc/pagetypeinfo",
           author="Mel Gorman", date="2007-10-16", tag="v2.6.24-rc1", fixes=(), mark="V",
           source="Fixes: tags (Michal Hocko 2019, SeongJae Park); same Oct-2007 series (date S)"),
    Commit(sha="3dfa5721f12c", subject="Page allocator: get rid of the list of cold pages", author="Christoph Lameter",
           date="2008-02-04", tag="v2.6.25-rc1", fixes=(), mark="V",
           source="0-day blame (sha, author, 2008-02-04); linux-mm 2009 thread 'kernels 2.6.25 and above' with "
                  "full-sha gitweb link; subject from blog link text"),
    Commit(sha="db64fe02258f", subject="mm: rewrite vmap layer", author="Nick Piggin",
           date="2008-10-18", tag="v2.6.28-rc1", fixes=(), mark="V",
           source="Fixes: tags and mails ('back in linux-2.6.28'); blame date 2008-10-18 (mailmap: Nicholas Piggin)"),
    Commit(sha="b70d94ee438b",
           subject="page-allocator: use integer fields lookup for gfp_zone and check for errors in flags passed to "
                   "the page allocator",
           author="Christoph Lameter", date="2009-06-16", tag="v2.6.31-rc1", fixes=(), mark="V",
           source="git log -S of full-history mirrors: moves __GFP_MOVABLE to 0x08; an ancestor of 'Linux "
                  "2.6.31-rc1'; the 2.6.30 tree has 0x100000, the 2.6.32.9 tree 0x08"),
    Commit(sha="b3c466ce5129", subject="page allocator: do not sanity check order in the fast path",
           author="Mel Gorman", date="2009-06-16", tag="v2.6.31-rc1", fixes=(), mark="V",
           source="git log -S 'order >= MAX_ORDER' of full-history mirrors: the gfp.h check that returned NULL "
                  "silently becomes WARN_ON_ONCE(order >= MAX_ORDER) in __alloc_pages_slowpath; before 'Linux 2.6.31-rc1'"),
    Commit(sha="418589663d60", subject="page allocator: use allocation flags as an index to the zone watermark",
           author="Mel Gorman", date="2009-06-16", tag="v2.6.31-rc1", fixes=(), mark="S",
           source="0-day blame shows 418589663d6011 Mel Gorman 2009-06-16 on min/low/high_wmark_pages lines; "
                  "patch mail subject 'Use allocation flags as an index to the zone watermark' (prefix not seen)"),
    Commit(sha="1fc28b70fe2d",
           subject="page-allocator: allow too high-order warning messages to be suppressed with __GFP_NOWARN",
           author="Mel Gorman", date="2009-07-29", tag="v2.6.31-rc5", fixes=(), mark="V",
           source="git show in full-history mirrors: the order check warns only without __GFP_NOWARN; an "
                  "ancestor of 'Linux 2.6.31-rc5', not of -rc4"),
    Commit(sha="5f8dcc21211a", subject="page-allocator: split per-cpu list into one-list-per-migrate-type",
           author="Mel Gorman", date="2009-09-21", tag="v2.6.32-rc1", fixes=(), mark="V",
           source="Fixes: tags; Hugh Dickins mail ('2.6.32's 5f8dcc21211a...'); blame date 2009-09-21"),
    Commit(sha="6dda9d55bf54",
           subject="page allocator: reduce fragmentation in buddy allocator by adding buddies that are merging "
                   "to the tail of the free lists",
           author="Corrado Zoccolo", date="2010-05-24", tag="v2.6.35-rc1", fixes=(), mark="V",
           source="bisect mail quoting 'commit 6dda9d55bf54... Author: Corrado Zoccolo' + subject, "
                  "'way back before 2.6.35-rc1' (date S)"),
    Commit(sha="a238ab5b0239", subject="mm: break out page allocation warning code", author="Dave Hansen",
           date="2011-05-24", tag="v3.0-rc1", fixes=(), mark="V",
           source="git show in a full-history mirror (kangsterizer/linux-3.1.y-rsbac): warn_alloc_failed() prints "
                  "'page allocation failure: order:' where the nopage printk said 'failure. order:'; in 'Linux 3.0-rc1'"),
    Commit(sha="0b24becc810d", subject="kasan: add kernel address sanitizer infrastructure", author="Andrey Ryabinin",
           date="2015-02-13", tag="v4.0-rc1", fixes=(), mark="V",
           source="Fixes: tags; 0-day 'first introduced by commit 0b24becc...'; blame 2015-02-13; 'in mainline since 4.0'"),
    Commit(sha="0aaa29a56e4f", subject="mm, page_alloc: reserve pageblocks for high-order atomic allocations on demand",
           author="Mel Gorman", date="2015-11-06", tag="v4.4-rc1", fixes=(), mark="V",
           source="mail quoting 'commit 0aaa29a56e4f... Date: Fri Nov 6 16:28:37 2015'; Fixes: tags, 'stable # 4.4+'"),
    Commit(sha="d0164adc89f6",
           subject="mm, page_alloc: distinguish between being unable to sleep, unwilling to sleep and avoiding "
                   "waking kswapd",
           author="Mel Gorman", date="2015-11-06", tag="v4.4-rc1", fixes=(), mark="V",
           source="gitiles page of the commit (msm-4.9 mirror) with sha and subject; the 4.4.1 tree has "
                  "__GFP_ATOMIC/__GFP_DIRECT_RECLAIM/__GFP_KSWAPD_RECLAIM, the 3.10 tree __GFP_WAIT; same series "
                  "as 0aaa29a56e4f (author, date S)"),
    Commit(sha="795ae7a0de6b", subject="mm: scale kswapd watermarks in proportion to memory", author="Johannes Weiner",
           date="2016-03-17", tag="v4.6-rc1", fixes=(), mark="V",
           source="Minchan Kim mail '(795ae7a0de6b, mm: scale kswapd watermarks...)'; blame 2016-03-17"),
    Commit(sha="0ee931c4e31a", subject="mm: treewide: remove GFP_TEMPORARY allocation flag",
           author="Michal Hocko", date="2017-09-13", tag="v4.14-rc1", fixes=(), mark="V",
           source="gitiles page of the commit (sha in the link) with its subject and message; the 4.12 tree has "
                  "GFP_TEMPORARY in mmflags.h, the 4.14.177 tree not (date and tag S)"),
    Commit(sha="453f85d43fa9", subject="mm: remove __GFP_COLD", author="Mel Gorman",
           date="2017-11-15", tag="v4.15-rc1", fixes=(), mark="V",
           source="sha and subject in a list of commits quoted in a mail; the 4.14.177 tree has ___GFP_COLD 0x100, "
                  "the 4.15.18 tree not (author, date and tag S)"),
    Commit(sha="d52888aa2753", subject="x86/mm: Move LDT remap out of KASLR region on 5-level paging",
           author="Kirill A. Shutemov", date="2018-10-26", tag="v4.20-rc2", fixes=("f55f0501cbf6",), mark="V",
           source="Fixes: tags; kexec-tools patch mail: moved direct map 0xffff880000000000 -> 0xffff888000000000, "
                  "'merged into v4.20-rc2'; patch mail PATCHv3 1/3 dated 2018-10-26 (Fixes: f55f0501cbf6)"),
    Commit(sha="ef8444ea01d7", subject="mm, oom: reorganize the oom report in dump_header", author="yuzhoujian",
           date="2018-12-28", tag="v5.0-rc1", fixes=(), mark="V",
           source="mail quoting 'commit ef8444ea01d7442652f8e1b8a8b94278cb57eafd ... Author: yuzhoujian ... Date: "
                  "Fri Dec 28 00:36:07 2018'; Fixes: tags; cpuset_print_current_mems_allowed() prints "
                  "',cpuset=...,mems_allowed=...' with pr_cont in the 5.0.1 tree, its own line in 4.20"),
    Commit(sha="68ad4a330433", subject="mm/vmalloc.c: keep track of free blocks for vmap allocation",
           author="Uladzislau Rezki (Sony)", date="2019-05-17", tag="v5.2-rc1", fixes=(), mark="V",
           source="Fixes: tags; 0-day blame 2019-05-17 (tag from date; 5.2-rc1 was 2019-05-19)"),
    Commit(sha="6471384af2a6", subject="mm: security: introduce init_on_alloc=1 and init_on_free=1 boot options",
           author="Alexander Potapenko", date="2019-07-11", tag="v5.3-rc1", fixes=(), mark="V",
           source="mail quoting 'commit 6471384af2a6... Date: Thu Jul 11 20:59:19 2019'; stable mails"),
    Commit(sha="3c5c3cfb9ef4", subject="kasan: support backing vmalloc space with real shadow memory",
           author="Daniel Axtens", date="2019-11-30", tag="v5.5-rc1", fixes=(), mark="V",
           source="Fixes: tags (Daniel Axtens, Andrey Ryabinin, Alexander Gordeev); tag/date from recollection (date S)"),
    Commit(sha="121e6f3258fe", subject="mm/vmalloc: hugepage vmalloc mappings", author="Nicholas Piggin",
           date="2021-04-29", tag="v5.13-rc1", fixes=(), mark="V",
           source="mail quoting 'commit 121e6f3258fe... Date: Thu Apr 29 22:58:49 2021'; Fixes: tags"),
    Commit(sha="44042b449872", subject="mm/page_alloc: allow high-order pages to be stored on the per-cpu lists",
           author="Mel Gorman", date="2021-06-28", tag="v5.14-rc1", fixes=(), mark="V",
           source="Fixes: tags; blame 2021-06-28; perf report 'bisect between 5.14 and 5.13' names it (NOT 5.13)"),
    Commit(sha="149b6fa228ed", subject="mm, slob: rename CONFIG_SLOB to CONFIG_SLOB_DEPRECATED",
           author="Vlastimil Babka", date="2022-11-21", tag="v6.2-rc1", fixes=(), mark="V",
           source="git log lines (slab/for-6.2 merge); drgn vmtest comment '(in v6.2)' (date S)"),
    Commit(sha="6630e950d532", subject="mm/slob: remove slob.c", author="Vlastimil Babka",
           date="2023-02-28", tag="v6.4-rc1", fixes=(), mark="V",
           source="mail quoting 'commit 6630e950d532 ... Date: Tue Feb 28 15:38:07 2023'; git log (slab/for-6.4)"),
    Commit(sha="c9929f0e344a", subject="mm/slob: remove CONFIG_SLOB", author="Vlastimil Babka",
           date="2023-02-28", tag="v6.4-rc1", fixes=(), mark="V",
           source="git log line (child of 6630e950d532 in slab/for-6.4); Lukas Bulwahn mail May 2023 (date S)"),
    Commit(sha="23baf831a32c", subject="mm, treewide: redefine MAX_ORDER sanely", author="Kirill A. Shutemov",
           date="2023-03-15", tag="v6.4-rc1", fixes=(), mark="V",
           source="git log line; linux-next conflict mail (mm-stable, Apr 2023); stable mail: not in 6.3.y (date S)"),
    Commit(sha="eb07c4f39c3e", subject="mm/slab: rename CONFIG_SLAB to CONFIG_SLAB_DEPRECATED",
           author="Vlastimil Babka", date="2023-05-23", tag="v6.5-rc1", fixes=(), mark="V",
           source="git log line; linux-next conflict mail (slab tree); drgn comment '(in v6.5)' (date S)"),
    Commit(sha="16a1d968358a", subject="mm/slab: remove mm/slab.c and slab_def.h", author="Vlastimil Babka",
           date="2023-10-02", tag="v6.8-rc1", fixes=(), mark="V",
           source="mail quoting 'commit 16a1d968358a ... Date: Mon Oct 2 20:43:43 2023'; 'removed as of v6.8-rc1'"),
    Commit(sha="16f5dfbc851b", subject="gfp: include __GFP_NOWARN in GFP_NOWAIT", author="Matthew Wilcox (Oracle)",
           date="2023-10-04", tag="v6.8-rc1", fixes=(), mark="V",
           source="mails quoting 'Commit 16f5dfbc851b (\"gfp: include __GFP_NOWARN in GFP_NOWAIT\")'; linux-next "
                  "logs of the 6.8 merge window; 6.6.47 tree without, 6.8 tree with (author and date S)"),
    Commit(sha="5e0a760b4441", subject="mm, treewide: rename MAX_ORDER to MAX_PAGE_ORDER", author="Kirill A. Shutemov",
           date="2023-12-28", tag="v6.8-rc1", fixes=(), mark="V",
           source="pr-tracker: mm-stable-2024-01-08 tip commit 5e0a760b4441; describe v6.7-rc4-422-g5e0a760b4441; "
                  "patch mail 2023-12-28; parent of fd37721803c6"),
    Commit(sha="fd37721803c6", subject="mm, treewide: introduce NR_PAGE_ORDERS", author="Kirill A. Shutemov",
           date="2023-12-28", tag="v6.8-rc1", fixes=(), mark="V",
           source="git log lines (fd37721803c6 directly after 5e0a760b4441); Stephen Rothwell linux-next mail"),
    Commit(sha="3ddc2fefe6f3", subject="mm: vmalloc: implement vrealloc()", author="Danilo Krummrich",
           date="2024-07-22", tag="v6.12-rc1", fixes=(), mark="V",
           source="git log line; many Fixes: tags; tag/date from recollection (date S)"),
    Commit(sha="d699440f58ce", subject="mm: fix vrealloc()'s KASAN poisoning logic", author="Andrii Nakryiko",
           date="2024-11-25", tag="v6.13-rc2", fixes=("3ddc2fefe6f3",), mark="V",
           source="git log line; applied patch text 'Fixes: 3ddc2fefe6f3', Link 20241126005206; tag S (mm-hotfixes "
                  "after 6.13-rc1), date S"),
    Commit(sha="ca29a0bf1221", subject="tracing: gfp: Remove duplication of recording GFP flags",
           author="Steven Rostedt", date="2025-03-07", tag="v6.15-rc1", fixes=(), mark="V",
           source="trace/for-next post-receive mail of 2025-03-07 (sha and subject); 'Fixes: ca29a0bf122145' in "
                  "Petr Mladek's mmflags.h fix; mmflags.h of the 6.14 tree old, of 6.18.2 new (author date S)"),
    Commit(sha="a0309faf1cb0", subject="mm: vmalloc: support more granular vrealloc() sizing", author="Kees Cook",
           date="2025-04-25", tag="v6.15-rc6", fixes=("3ddc2fefe6f3",), mark="V",
           source="6.14-stable review 'commit a0309faf1cb0... upstream' with Fixes: 3ddc2fefe6f3; chronological log "
                  "puts it before mm-hotfixes-stable-2025-05-10 merge and the -rc6 pulls (date S)"),
    Commit(sha="70d1eb031a68", subject="mm: vmalloc: only zero-init on vrealloc shrink", author="Kees Cook",
           date="2025-05-15", tag="v6.15", fixes=("a0309faf1cb0",), mark="V", seq=1,
           source="6.12-stable review 'commit 70d1eb031a68... upstream' (Fixes: a0309faf1cb0, 2025-05-15); stable "
                  "post-receive revlist: merged via mm-hotfixes-stable-2025-05-25 just before 'Linux 6.15'; after "
                  "f7a35a3c36d1: posted 'on top of' it, and numbered 602/626 after its 601/626 in 6.12-stable"),
    Commit(sha="f7a35a3c36d1", subject="mm: vmalloc: actually use the in-place vrealloc region", author="Kees Cook",
           date="2025-05-15", tag="v6.15", fixes=("a0309faf1cb0",), mark="V",
           source="6.14-stable review 'commit f7a35a3c36d1... upstream' (Fixes: a0309faf1cb0); same revlist as "
                  "70d1eb031a68, after 6.15-rc7, before 'Linux 6.15'"),
)
