"""How a screen reaches its app: one typed accessor instead of ``self.app.<name>`` with the
type checker told to look away, so a renamed attribute fails the type check, not a reviewer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.dom import DOMNode

if TYPE_CHECKING:
    from tui.app import ProvenanceApp


def provenance_app(node: DOMNode) -> ProvenanceApp:
    """The review app ``node`` runs in. A screen of this package only ever runs in one, so
    anything else is a programming error, said at once rather than as a missing attribute."""
    from tui.app import ProvenanceApp  # here, not above: tui.app imports every screen

    app = node.app
    if not isinstance(app, ProvenanceApp):
        raise TypeError(f"{type(node).__name__} runs outside the review app ({type(app).__name__})")
    return app
