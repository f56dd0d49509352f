"""Sphinx configuration for the linuxmm history site (built with -n -W in CI, offline)."""

project = "linuxmm"
author = "the linuxmm developers"
copyright = "2026, the linuxmm developers"

extensions = ["myst_parser", "sphinx.ext.autodoc", "linuxmm.sphinxext"]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
exclude_patterns = ["_build", "Makefile"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

autodoc_typehints = "none"
autodoc_member_order = "bysource"
nitpicky = True
nitpick_ignore_regex = [(r"py:.*", r".*Kernel.*"), (r"py:class", r"(Iterable|Callable|Any)\b.*")]

# Furo: a wide main column for kernel output, a light and a dark scheme, and no scripts or fonts
# from the network (everything it uses is installed with the docs extra).
# Kernel text (commit subjects, messages) is shown as it is: no typographic quotes.
smartquotes = False

html_theme = "furo"
html_title = "linuxmm"
html_static_path = ["_static"]
html_css_files = ["linuxmm.css"]
html_theme_options = {"top_of_page_buttons": [], "navigation_with_keys": True}
html_last_updated_fmt = None
html_copy_source = False

linkcheck_ignore = [r"https?://.*"]  # no network in CI
