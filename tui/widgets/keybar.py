"""The footer of every screen: as many whole keys as the width holds, never a word cut.

Textual's Footer scrolls its keys sideways and, on an 80-column terminal, cuts the last one
mid-word ("q Q"). This footer drops keys from the end of the screen's list instead (the
list in tui/bindings.py is in order of use), always keeps ``? Help``, which lists every key,
and shows the command palette key only when everything else fits.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.events import Resize
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

ALWAYS = frozenset({"help", "app.help"})


def key_width(key: FooterKey) -> int:
    """Cells a key takes in the footer: " k " then "description "."""
    return len(key.key_display) + 2 + (len(key.description) + 1 if key.description else 0)


def fitting(keys: list[FooterKey], width: int) -> list[FooterKey]:
    """The keys to show in ``width`` cells: the always-shown ones, then the others in order
    while they fit whole; the command palette key last, only if room is left."""
    palette = [k for k in keys if k.has_class("-command-palette")]
    rest = [k for k in keys if not k.has_class("-command-palette")]
    budget = width - sum(key_width(k) for k in rest if k.action in ALWAYS)
    shown = []
    for key in rest:
        if key.action in ALWAYS:
            shown.append(key)
        elif key_width(key) <= budget:
            shown.append(key)
            budget -= key_width(key)
        else:
            budget = -1  # keep the order: once a key is left out, the later ones are too
    if len(shown) == len(rest):
        shown += [k for k in palette if key_width(k) + 1 <= budget]
    return shown


class KeyBar(Footer):
    """A Footer that fits its width (see the module docstring)."""

    def compose(self) -> ComposeResult:
        keys = [k for k in super().compose() if isinstance(k, FooterKey)]
        yield from fitting(keys, self.size.width or self.app.size.width)

    def on_resize(self, event: Resize) -> None:
        self.refresh(recompose=True)
