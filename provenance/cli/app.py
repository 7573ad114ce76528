"""The Typer app: its error handling, its global options (--db, --version) and the state they
leave for the commands (settings, the stores a command opened).

Errors are handled at two edges: a command's ProvenanceError or database error becomes one
``error:`` line and its exit code (``_Commands``); anything else becomes one "internal error"
line (``main``). No traceback reaches a user.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from provenance import __version__
from provenance.cli.render import err, say_error
from provenance.config import Settings, load_settings
from provenance.errors import ConfigError, ProvenanceError
from provenance.store import Store


class _Commands(TyperGroup):
    """Prints any ProvenanceError, and any error of the database (down, locked, read-only,
    full), as one line on stderr and exits with its code: no traceback reaches a user."""

    def invoke(self, ctx: Any) -> Any:
        from provenance.store import database_errors

        try:
            with database_errors(lambda: state.settings.db):  # --db is read as it begins
                return super().invoke(ctx)
        except ProvenanceError as error:
            say_error(str(error))
            raise typer.Exit(error.exit_code) from None
        finally:
            while state.stores:
                state.stores.pop().close()

    def get_params(self, ctx: Any) -> Any:
        return _untyped_flags(super().get_params(ctx))

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            _untyped_flags(command.get_params(ctx))
        return command


def _untyped_flags(params: list[Any]) -> list[Any]:
    """On/off flags take no value: help shows them without a ``<bool>`` type."""
    for param in params:
        if getattr(param, "is_flag", False):  # typer's own click, not the installed one
            param.metavar = ""
    return params


app = typer.Typer(
    cls=_Commands,
    name="provenance",
    help="Link translated news to its originals, align paragraphs, flag what changed.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
    pretty_exceptions_enable=False,
)


class State:
    settings: Settings = Settings()
    stores: list[Store] = []
    """The stores a command opened: closed when it ends, whatever the outcome."""


state = State()


def _version(value: bool) -> None:
    if value:
        print(f"provenance {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Database URL (default: $PROVENANCE_DB or sqlite:///./provenance.db). "
            "Commands that only read never create it.",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Translation provenance: ingest articles, link and align translations, review, audit."""
    state.settings = load_settings().with_overrides(db=db)


def open_store() -> Store:
    """The database, created when missing (init, ingest, fetch, link, align...)."""
    store = Store.open(state.settings.db, state.settings.busy_timeout_ms)
    state.stores.append(store)
    return store


def read_store(outlet: str | None = None) -> tuple[Store, str | None]:
    """The database for a command that only reads: a missing one is an error, never created.
    ``--outlet`` must name a known outlet (the error lists the closest names); returned as
    stored."""
    store = Store.open(state.settings.db, state.settings.busy_timeout_ms, create=False)
    state.stores.append(store)
    return store, store.outlet_named(outlet) if outlet else None


def worker_count(workers: int | None) -> int:
    """``--workers``, else PROVENANCE_WORKERS; at least one."""
    count = state.settings.workers if workers is None else workers
    if count < 1:
        raise ConfigError(f"PROVENANCE_WORKERS={count} is not a number of processes (1 or more)")
    return count


def embedder(semantic: bool | None, *, near_ties_only: bool = False) -> Any:
    """The semantic backend when wanted and installed; a one-line notice when it is missing."""
    from provenance.embed import default_embedder, semantic_available

    wanted = state.settings.semantic if semantic is None else semantic
    if not wanted:
        return None
    if not semantic_available():
        if not near_ties_only:
            err.print(
                "notice: semantic backend not installed (pip install 'provenance[semantic]'); "
                "aligning on anchors, concepts and length"
            )
        return None
    return default_embedder()


def semantic_in_workers(semantic: bool | None, *, near_ties_only: bool = False) -> bool | None:
    """The ``--semantic`` choice for worker processes, which load the model themselves; the
    notice about a missing backend is printed here, once."""
    from provenance.embed import semantic_available

    if not semantic_available():
        embedder(semantic, near_ties_only=near_ties_only)
        return False
    return semantic


def main() -> None:
    """Console entry point: whatever goes wrong, the user reads one line, never a traceback
    (``PROVENANCE_DEBUG=1`` shows it, for a bug report)."""
    import os

    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted", highlight=False)
        sys.exit(130)
    except BrokenPipeError:  # `provenance dump | head`: the reader has all it wanted
        sys.stderr.close()
        sys.exit(1)
    except Exception as error:
        if os.environ.get("PROVENANCE_DEBUG"):
            raise
        first_line = str(error).splitlines()[0] if str(error) else ""
        say_error(
            f"internal error: {type(error).__name__}: {first_line} (a bug: please report it "
            "with the output of the same command run with PROVENANCE_DEBUG=1)"
        )
        sys.exit(1)
