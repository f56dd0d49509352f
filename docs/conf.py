"""Sphinx configuration for the linuxmm history site (built with -n -W in CI)."""

project = "linuxmm"
author = "the linuxmm developers"
copyright = "2026, the linuxmm developers"

extensions = ["myst_parser", "sphinx.ext.autodoc", "linuxmm.sphinxext"]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
exclude_patterns = ["_build"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

autodoc_typehints = "none"
autodoc_member_order = "bysource"
nitpicky = True
nitpick_ignore_regex = [(r"py:.*", r".*Kernel.*"), (r"py:class", r"(Iterable|Callable|Any)\b.*")]

html_theme = "alabaster"
html_title = "linuxmm"
linkcheck_ignore = [r"https?://.*"]  # no network in CI
