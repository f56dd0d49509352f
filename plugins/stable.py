"""Stable releases the record gives: mainline plus named backports.

Only the stable points that matter to a modelled change are declared; any
other stable version resolves to the newest declared one of its series at or
before it (6.12.30 is 6.12.29 plus nothing the model knows), or to its
mainline base when the series has none.

* **6.12.5** = v6.12 + d699440f58ce (the vrealloc KASAN fix): the 6.12.5-rc2
  review of 2024-12-13 lists "Andrii Nakryiko: mm: fix vrealloc()'s KASAN
  poisoning logic" [V: review mail, "commit d699440f58ce... upstream"].
* **6.12.29** = 6.12.5's backport + a0309faf1cb0: "[PATCH 6.12 074/184] mm:
  vmalloc: support more granular vrealloc() sizing", review of 2025-05-12,
  "commit a0309faf1cb0... upstream" [V: review mail; the release number is
  V-inferred from the 184-patch series reviewed beside 6.14.7's 197 on the
  same day].  Its diff removes d699440f58ce's ``kasan_unpoison_vmalloc`` call,
  so the 6.12 line had that fix first.
* **6.12.31** = + f7a35a3c36d1 and 70d1eb031a68: "[PATCH 6.12 601/626]" and
  "[PATCH 6.12 602/626]", review of 2025-05-27 [V: review mails; release
  number S: the 626-patch series released on 2025-05-29].
* **6.14.7** = v6.14 + a0309faf1cb0: "[PATCH 6.14 075/197]", review of
  2025-05-12; the BPF slowdown was reported on 6.14.7-rc2 [V].  v6.14 already
  has d699440f58ce (v6.13-rc2).
* **6.14.9** = + f7a35a3c36d1 and 70d1eb031a68: "[PATCH 6.14 761/783]" and
  "[PATCH 6.14 762/783]", review of 2025-05-27 [V: review mails; release
  number S].

So the granular-sizing fall-through shipped in 6.12.29-6.12.30 and
6.14.7-6.14.8, while in mainline it lived only in v6.15-rc6 and -rc7.
"""

from __future__ import annotations

from linuxmm import hookimpl
from linuxmm.records import Release

KASAN_FIX = "d699440f58ce"
GRANULAR = "a0309faf1cb0"
IN_PLACE = "f7a35a3c36d1"
ZERO_SHRINK = "70d1eb031a68"

STABLE_RELEASES = (
    Release("v6.12.5", date="2024-12-14", base="v6.12", backports=(KASAN_FIX,),
            note="the vrealloc KASAN fix, in mainline from v6.13-rc2"),
    Release("v6.12.29", date="2025-05-18", base="v6.12", backports=(KASAN_FIX, GRANULAR),
            note="vrealloc's requested_size, with the grow-in-place fall-through"),
    Release("v6.12.31", date="2025-05-29", base="v6.12", backports=(KASAN_FIX, GRANULAR, IN_PLACE, ZERO_SHRINK),
            note="both fixes of the fall-through"),
    Release("v6.14.7", date="2025-05-18", base="v6.14", backports=(GRANULAR,),
            note="vrealloc's requested_size, with the grow-in-place fall-through"),
    Release("v6.14.9", date="2025-05-29", base="v6.14", backports=(GRANULAR, IN_PLACE, ZERO_SHRINK),
            note="both fixes of the fall-through"),
)


@hookimpl
def linuxmm_releases():
    return STABLE_RELEASES
