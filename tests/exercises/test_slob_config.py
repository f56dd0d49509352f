"""The config that no longer boots.

A small board has run the SLOB allocator for years, configured with
``--config SLOB=y EXPERT=y`` (SLOB is offered only to experts). The config
boots v6.1. On v6.4 ``linuxmm`` refuses it: that kernel has no SLOB any
more.

The test boots with that config (the ``kernel_boot`` marker) and checks that
SLOB is the slab allocator. Where the config cannot be had, the ``kernel``
fixture fails the test, so those points are bad.

Which commit made the config impossible? Before you check your answer, read
the subject of the commit you found, and then what ``linuxmm log`` lists
after it up to v6.4. Is it the commit that removed SLOB? A bisection names
the first point where *the test* fails, and this test fails as soon as
``SLOB=y`` can no longer be written, whatever happened to SLOB itself: what
you find is the first commit that broke this config, which may not be the
change you had in mind. (Exercise 16 asks the same question of SLAB with a
test that keeps up with such changes.)
"""

import pytest

EXERCISE = {
    "number": 15,
    "title": "The config that no longer boots",
    "kind": "commit",
    "good": "v6.1",
    "bad": "v6.4",
    "answer": "sha256:d8863cc5:cb5f92d6c6038632acf423bae035cfaba9d58821ff2eaba085622d442460553e",
}


@pytest.mark.kernel_boot(config={"SLOB": True, "EXPERT": True})
def test_the_board_config_gives_slob(kernel):
    assert kernel.implementations["slab"].name == "slob"
