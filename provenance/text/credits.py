"""Read the source credit in a standfirst or lead: "according to Enab Baladi", "SANA reports"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from provenance.outlets import OutletInfo, registry
from provenance.text.normalize import normalize
from provenance.text.rules import rules


@dataclass(frozen=True)
class Credit:
    """An outlet named as the source, and the words that named it."""

    outlet: str
    phrase: str


@cache
def _credit_regex() -> tuple[re.Pattern[str], dict[str, OutletInfo]]:
    spellings = registry().spellings()
    lookup = {spelling: outlet for spelling, outlet in spellings}
    names = "|".join(re.escape(spelling) for spelling, _ in spellings)
    outlet_group = rf"(?P<outlet>{names})(?![\w])"
    alternatives = [
        f"(?:{p.replace('{outlet}', outlet_group, 1)})" for p in rules().credit_patterns
    ]
    # Each alternative defines the named group once; give them distinct names.
    parts = [alt.replace("(?P<outlet>", f"(?P<o{i}>", 1) for i, alt in enumerate(alternatives)]
    return re.compile("|".join(parts)), lookup


def find_credit(text: str) -> Credit | None:
    """The first outlet credited in ``text``, if any phrase of data/rules.toml names one."""
    pattern, lookup = _credit_regex()
    normalised = normalize(text)
    match = pattern.search(normalised)
    if match is None:
        return None
    for name, value in match.groupdict().items():
        if name.startswith("o") and value:
            outlet = lookup.get(value)
            if outlet is not None:
                return Credit(outlet=outlet.name, phrase=match.group(0))
    return None
