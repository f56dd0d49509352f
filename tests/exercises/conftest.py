"""Exercise tests fail by design at their bad revision, so a plain ``pytest`` run leaves them alone.

They are collected only when named on the command line (a file here, or this
directory), as ``linuxmm bisect run ... -- pytest -q tests/exercises/test_x.py``
does; tests/test_bisect_exercises.py runs each of them at its starting points.
"""

from pathlib import Path

HERE = Path(__file__).resolve().parent


def pytest_ignore_collect(collection_path, config):
    if collection_path.suffix != ".py" or not collection_path.name.startswith("test_"):
        return None
    for arg in config.args:
        target = Path(arg.split("::", 1)[0]).resolve()
        if target == collection_path.resolve() or target == HERE:
            return None
    return True
