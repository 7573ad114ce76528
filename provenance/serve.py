"""The review UI in a browser (``provenance review --serve``).

textual-serve runs a web server; each browser tab that connects starts its own
``provenance review`` process and talks to it over a websocket, so the browser shows the very
app the terminal shows, with the same keys. This module only builds that command and starts
the server: the app itself is unchanged.

The database URL reaches each session through ``PROVENANCE_DB`` in the environment the
sessions inherit, not on their command line, so a PostgreSQL password never shows in ``ps``.
The server listens on the loopback interface unless told otherwise; it has no authentication
of its own, which is a reverse proxy's job (README, "Reviewing in a browser").
"""

from __future__ import annotations

import os
import shlex
import sys
from typing import Any

from provenance.config import Settings
from provenance.errors import ConfigError
from provenance.review import Review, reviewer_name
from provenance.store import database_name

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
LOOPBACK = ("127.0.0.1", "::1", "localhost")


def review_command(reviewer: str, *, bidi: str | None = None, story: str | None = None) -> str:
    """The shell command each browser session runs: this interpreter's ``provenance review``
    with the reviewer's name, so every decision made in the browser is signed with it."""
    args = [sys.executable, "-m", "provenance.cli", "review", "--reviewer", reviewer]
    if bidi:
        args += ["--bidi", bidi]
    if story:
        args.append(story)
    return shlex.join(args)


def check_database(settings: Settings, story: str | None) -> None:
    """Fail before serving, in one line, when the database is missing or the story unknown:
    a browser would otherwise only see each session end at once."""
    review = Review.open(settings)  # opened as each session opens it: never created
    try:
        if story:
            review.story_id(story)
    finally:
        review.close()


def serve_review(
    settings: Settings,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    reviewer: str | None = None,
    bidi: str | None = None,
    story: str | None = None,
    public_url: str | None = None,
) -> None:
    """Serve the review app until Ctrl+C. ``public_url`` is the address browsers use when a
    reverse proxy stands in front (the page tells the browser where the websocket is)."""
    try:
        from textual_serve.server import Server
    except ImportError:
        raise ConfigError("review --serve needs textual-serve: pip install textual-serve") from None
    check_database(settings, story)
    name = reviewer_name(reviewer or settings.reviewer or None)
    os.environ["PROVENANCE_DB"] = settings.db  # inherited by every session, see the docstring
    server = _server_class(Server)(
        review_command(name, bidi=bidi, story=story),
        host=host,
        port=port,
        title="provenance review",
        public_url=public_url.rstrip("/") if public_url else None,
    )
    server.banner = (
        f"serving the review UI on {server.public_url} for reviewer {name}, database "
        f"{database_name(settings.db)}; Ctrl+C stops it"
    )
    if host not in LOOPBACK:
        server.banner += (
            f"\nwarning: listening on {host} without authentication; put it behind a reverse "
            "proxy that asks for a password (README, 'Reviewing in a browser')"
        )
    try:
        _check_port(host, port)
        server.serve()
    except OSError as error:
        raise ConfigError(
            f"cannot serve the review UI on {host}:{port}: "
            f"{os.strerror(error.errno) if error.errno else error}"
        ) from None


def _check_port(host: str, port: int) -> None:
    """Bind once before starting, so a port in use is an error before any "serving" line."""
    import socket

    with socket.create_server((host, port)):
        pass


def _server_class(base: Any) -> Any:
    """textual-serve's Server with a one-line start message on stderr instead of its logo."""

    class ReviewServer(base):
        banner = ""

        async def on_startup(self, app: Any) -> None:
            print(self.banner, file=sys.stderr, flush=True)

    return ReviewServer
