"""The kernel log: a list of lines in the kernel's own formats."""

from __future__ import annotations


class Dmesg(list):
    """``kernel.dmesg`` is a list of lines; ``printk`` appends (and splits on newlines)."""

    def printk(self, text: str) -> None:
        for line in text.rstrip("\n").split("\n"):
            self.append(line.rstrip("\r"))

    def __str__(self) -> str:
        return "\n".join(self) + ("\n" if self else "")
