"""The outlet registry (data/outlets.json): names, Arabic names, hosts and aliases.

Ingest uses it to name the outlet of a URL; credit reading uses every spelling in it to
recognise "according to Enab Baladi" or "بحسب عنب بلدي".
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

from provenance.errors import ConfigError
from provenance.text.normalize import normalize


@dataclass(frozen=True)
class OutletInfo:
    """One registry entry."""

    name: str
    lang: str | None = None
    role: str = "source"
    hosts: tuple[str, ...] = ()
    arabic_names: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    spellings: tuple[str, ...] = field(default=(), repr=False)
    """Every normalised way the outlet is written, longest first (for matching)."""


class OutletRegistry:
    """Lookups by host and by any spelling of a name."""

    def __init__(self, outlets: list[OutletInfo]) -> None:
        self.outlets = outlets
        self._by_host: dict[str, OutletInfo] = {}
        self._by_spelling: dict[str, OutletInfo] = {}
        for outlet in outlets:
            for host in outlet.hosts:
                self._by_host[host.lower().removeprefix("www.")] = outlet
            for spelling in outlet.spellings:
                self._by_spelling.setdefault(spelling, outlet)

    def by_host(self, host: str) -> OutletInfo | None:
        """The outlet serving ``host`` or one of its parent domains."""
        host = host.lower().removeprefix("www.")
        while host:
            if host in self._by_host:
                return self._by_host[host]
            _, _, host = host.partition(".")
        return None

    def by_name(self, name: str) -> OutletInfo | None:
        """The outlet with this name, alias or Arabic name (any case or spelling fold)."""
        return self._by_spelling.get(normalize(name))

    def spellings(self) -> list[tuple[str, OutletInfo]]:
        """All (normalised spelling, outlet) pairs, longest spelling first."""
        return sorted(self._by_spelling.items(), key=lambda item: -len(item[0]))


def _entry(raw: dict[str, object], where: str) -> OutletInfo:
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{where}: an outlet has no name")

    def strings(key: str) -> tuple[str, ...]:
        value = raw.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise ConfigError(
                f"{where}: outlet {name!r}: {key} must be a list of non-empty strings"
            )
        return tuple(value)

    arabic, aliases = strings("arabic_names"), strings("aliases")
    spellings = {normalize(s) for s in (name, *arabic, *aliases)}
    lang = raw.get("lang")
    return OutletInfo(
        name=name,
        lang=lang if isinstance(lang, str) else None,
        role=str(raw.get("role") or "source"),
        hosts=strings("hosts"),
        arabic_names=arabic,
        aliases=aliases,
        spellings=tuple(sorted(spellings, key=len, reverse=True)),
    )


@cache
def registry() -> OutletRegistry:
    """The registry shipped in provenance/data/outlets.json, loaded once and validated."""
    where = "provenance/data/outlets.json"
    raw = json.loads(files("provenance.data").joinpath("outlets.json").read_text("utf-8"))
    outlets = [_entry(item, where) for item in raw]
    names = [o.name for o in outlets]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise ConfigError(f"{where}: duplicate outlet names: {', '.join(sorted(dupes))}")
    return OutletRegistry(outlets)
