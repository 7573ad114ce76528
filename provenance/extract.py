"""Article text from an HTML page: title, date, author and paragraphs, without the chrome.

trafilatura does the extraction (it drops navigation, scripts, share widgets and related
lists, and reads dates from meta tags, JSON-LD and ``<time>``); this module turns its result
into an ``ArticleInput`` and keeps the page's declared language and canonical URL.
"""

from __future__ import annotations

import re
import tomllib
from datetime import UTC, datetime
from functools import cache
from importlib.resources import files
from typing import Any
from urllib.parse import urlsplit

from provenance.article import ArticleInput, clean_text, parse_published
from provenance.errors import ConfigError, InputError
from provenance.outlets import registry

_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([\w-]+)", re.IGNORECASE)
_HTML_LANG = re.compile(rb"<html[^>]*\blang\s*=\s*[\"']?([A-Za-z]{2,3})", re.IGNORECASE)


def decode(body: bytes, charset: str | None) -> str:
    """Text of a page: the declared charset (header, then <meta>), else detected."""
    declared = charset
    if not declared:
        match = _META_CHARSET.search(body[:4096])
        declared = match.group(1).decode("ascii", "ignore") if match else None
    if declared:
        try:
            return body.decode(declared)
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(body).best()
        return str(best) if best is not None else body.decode("utf-8", "replace")


def page_language(html: bytes) -> str | None:
    """The language the page declares on its <html> element, if any."""
    match = _HTML_LANG.search(html[:4096])
    return match.group(1).decode("ascii").lower() if match else None


def article_from_html(html: bytes | str, *, where: str, fallback_url: str) -> ArticleInput:
    """Extract one article; raises InputError when the page holds no article text."""
    import trafilatura
    from trafilatura.settings import Document

    data = clean_text(html).encode("utf-8") if isinstance(html, str) else html
    try:
        doc = trafilatura.bare_extraction(
            data,
            url=None,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            include_images=False,
            deduplicate=False,
        )
    except Exception as err:  # lxml raises several kinds on broken markup
        raise InputError(where, f"HTML could not be parsed: {err}") from None
    if not isinstance(doc, Document) or not (doc.text or "").strip():
        raise InputError(where, "no article text found in the HTML page")
    paragraphs = [line.strip() for line in (doc.text or "").split("\n") if line.strip()]
    url = doc.url or fallback_url
    lead = [p for p in outlet_lead(data, url) if p not in paragraphs]
    return ArticleInput(
        url=url,
        paragraphs=lead + paragraphs,
        lang=page_language(data),
        published=parse_published(doc.date, where) if doc.date else written_date(data),
        title=(doc.title or "").strip(),
        author=doc.author or None,
        source=where,
    )


@cache
def _rules() -> dict[str, dict[str, Any]]:
    """The outlet rules by outlet name; the outlet's hosts are those of data/outlets.json."""
    raw = tomllib.loads(files("provenance.data").joinpath("extract_rules.toml").read_text("utf-8"))
    rules = {str(rule.get("outlet")): rule for rule in raw.get("outlet", [])}
    known = {outlet.name for outlet in registry().outlets}
    unknown = sorted(set(rules) - known)
    if unknown:
        raise ConfigError(
            f"provenance/data/extract_rules.toml: not in data/outlets.json: {', '.join(unknown)}"
        )
    return rules


def outlet_lead(html: bytes, url: str) -> list[str]:
    """Lead text (a standfirst) of outlets whose markup keeps it apart from the body."""
    outlet = registry().by_host(urlsplit(url).hostname or "")
    rule = _rules().get(outlet.name) if outlet is not None else None
    if rule is None:
        return []
    import lxml.html

    tree = lxml.html.fromstring(decode(html, None))
    tests = " or ".join(
        f"contains(concat(' ', normalize-space(@class), ' '), ' {c} ')"
        for c in rule["lead_classes"]
    )
    texts = [" ".join(e.text_content().split()) for e in tree.xpath(f"//*[{tests}]")]
    return [t for t in dict.fromkeys(texts) if t]


def written_date(html: bytes) -> datetime | None:
    """A date written out in the page ("الخميس 15 أيلول 2022", "15 September 2022"), read with
    the calendar of the anchors, when no meta tag, JSON-LD or <time> gave one."""
    import lxml.html

    from provenance.text.anchors import extract_anchors

    tree = lxml.html.fromstring(decode(html, None))
    candidates = [e.text_content() for e in tree.xpath("//time|//*[contains(@class, 'date')]")]
    candidates.append(" ".join(tree.xpath("//body//text()"))[:3000])
    for text in candidates:
        for lang in ("ar", "en"):
            dates = extract_anchors(" ".join(text.split()), lang).dates
            days = sorted(d for d in dates if d.startswith("d:"))
            years = sorted(d for d in dates if d.startswith("y:"))
            if days and years:
                month, day = days[0][2:].split("-")
                try:
                    return datetime(int(years[0][2:]), int(month), int(day), tzinfo=UTC)
                except ValueError:
                    continue
    return None
