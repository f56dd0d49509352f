"""Bisection exercises: one file each (story, starting points, hidden answer, failing test).

See ``linuxmm exercise list`` and docs/exercises/.  Installed as the package
``linuxmm_exercises`` so that ``linuxmm exercise show`` works from any
installation.
"""
