"""The one exception tree of provenance.

    ProvenanceError            base: carries a one-line message; the CLI prints it and exits 1
    ├── ConfigError            a setting or option has a value the tool cannot use
    ├── InputError             a file, record or field cannot be read (names the file and line)
    │   └── PairError          a gold pair breaks docs/formats.md §2 (indices, partition)
    ├── NotFoundError          an article, link or group asked for does not exist
    ├── MigrationError         the database schema cannot be brought to the current revision
    ├── DatabaseError          the database cannot be reached, read or written (names it and why)
    └── FetchError             an HTTP fetch failed after its retries (names the URL)

The CLI catches ProvenanceError once, at its edge, and prints ``error: <message>`` on stderr;
the TUI shows the same message in a modal.
"""

from __future__ import annotations


class ProvenanceError(Exception):
    """Base class: ``str(err)`` is a complete one-line message for the user."""

    exit_code = 1


class ConfigError(ProvenanceError):
    """A setting, option or environment variable has an unusable value."""


class InputError(ProvenanceError):
    """A file or record cannot be read; the message starts with where it came from."""

    def __init__(self, where: str, problem: str) -> None:
        self.where = where
        self.problem = problem
        super().__init__(f"{where}: {problem}")


class PairError(InputError):
    """A gold pair file whose alignment or flags do not fit its paragraphs."""


class NotFoundError(ProvenanceError):
    """An article, link, group or flag that was asked for is not in the database."""


class MigrationError(ProvenanceError):
    """The database cannot be upgraded to the schema this code expects."""


class DatabaseError(ProvenanceError):
    """The database refused the work: server down, wrong credentials, file read-only or locked,
    disk full. The message names the database (password hidden) and the cause in one line."""


class FetchError(ProvenanceError):
    """A URL could not be fetched; the message names the URL and the reason."""
