"""The ``provenance`` command: parses options, calls the library, prints with Rich.

No logic lives here. Data goes to stdout (a table, or one JSON document with ``--json``);
progress and messages go to stderr, so ``provenance list --json | jq`` stays clean.

The package, one file a concern:

- ``app``: the Typer app, its error handling, --db/--version, ``open_store``, ``main``;
- ``options``: the options several commands share (format, politeness, period, workers);
- ``render``: how data and messages are printed (tables, documents, flag labels);
- the commands by area: ``articles``, ``fetching``, ``linking``, ``evaluation``,
  ``auditing`` and ``admin``, registered below in the order ``provenance --help`` lists them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from provenance.cli import admin, articles, auditing, evaluation, fetching, linking
from provenance.cli.app import app, main
from provenance.cli.linking import LINK_DECISIONS
from provenance.cli.render import ellipsis, err, out

COMMANDS: list[tuple[str, Callable[..., Any]]] = [
    ("init", articles.init),
    ("ingest", articles.ingest),
    ("list", articles.list_articles),
    ("show", articles.show),
    ("fetch", fetching.fetch),
    ("refresh", fetching.refresh),
    ("diff", articles.diff),
    ("link", linking.link),
    ("candidates", linking.candidates),
    ("align", linking.align),
    ("eval", evaluation.evaluate_pairs),
    ("review", auditing.review),
    ("audit", auditing.audit),
    ("report", auditing.report),
    ("export", auditing.export),
    ("stats", articles.stats),
    ("index", admin.index),
    ("dump", admin.dump),
    ("load", admin.load),
    ("enqueue", admin.enqueue),
    ("worker", admin.worker),
    ("jobs", admin.jobs),
]
"""Every command and the function it runs, in the order of ``provenance --help``."""

for _name, _function in COMMANDS:
    app.command(_name)(_function)

__all__ = ["COMMANDS", "LINK_DECISIONS", "app", "ellipsis", "err", "main", "out"]
