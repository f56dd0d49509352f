"""Era plugins built into linuxmm (installed as ``linuxmm_plugins``).

Each module is registered through the ``linuxmm`` entry-point group exactly
as a third-party plugin would be, and is named after the kernel file it
models.
"""
