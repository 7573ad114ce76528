"""Canonical URLs: the identity of an article (docs/formats.md §1).

w3lib (Scrapy's URL library) does the fiddly part: percent-encoding of non-ASCII paths,
query argument order. We add what identity needs on top: lower-cased scheme and host, no
default port, no fragment, no tracking parameters, no trailing slash.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url as _w3lib_canonicalize

from provenance.errors import InputError

TRACKING_PARAMS = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|yclid|_ga|_gl|ref|ref_src|"
    r"amp|output|share|s_cid|cmpid|spm)$",
    re.IGNORECASE,
)
DEFAULT_PORTS = {"http": 80, "https": 443}


_CONTROL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
"""Characters no URL may hold: C0 controls, DEL and lone surrogates (which no encoder takes)."""


def url_problem(url: str) -> str | None:
    """Why ``url`` is not a usable http(s) URL (None when it is): a bracket left open, a port
    that is no number or out of range, no host, a control character, a space in the host.
    ``urlsplit`` raises ValueError for some of these only when ``.port`` is read."""
    if _CONTROL.search(url):
        return "not a valid URL: it contains a control character or a lone surrogate"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port such as 99999 or "abc"
    except ValueError as error:
        reason = str(error)
        return f"not a valid URL: {reason[:1].lower()}{reason[1:]}"
    if parts.scheme.lower() not in DEFAULT_PORTS:
        return f"not an http(s) URL (scheme {parts.scheme.lower() or '(none)'!r})"
    if not parts.hostname:
        return "not a valid URL: no host"
    if " " in parts.netloc:
        return "not a valid URL: a space in the host"
    return None


def canonical_url(url: str) -> str:
    """The canonical form of an http(s) URL; raises InputError for anything else."""
    raw = url.strip()
    scheme = raw.split(":", 1)[0].lower() if ":" in raw else ""
    if scheme in ("urn", "file") and not _CONTROL.search(raw):
        return raw
    problem = url_problem(raw)
    if problem:
        raise InputError(shown_url(raw) or "(empty)", problem)
    parts = urlsplit(raw)
    query = urlencode(
        [
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not TRACKING_PARAMS.match(k)
        ]
    )
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = parts.path or "/"
    rebuilt = urlunsplit((scheme, netloc, path, query, ""))
    canonical = _w3lib_canonicalize(rebuilt, keep_fragments=False)
    parts = urlsplit(canonical)
    path = parts.path
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def host_of(url: str) -> str:
    """The host of a URL without a leading ``www.`` (how the outlet registry lists hosts);
    empty for a URL that has none or cannot be parsed."""
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
    return host.removeprefix("www.")


def shown_url(url: str, width: int = 200) -> str:
    """A URL as an error message names it: control characters escaped, cut to ``width``, so
    that a hostile value stays one readable line."""
    text = url.encode("unicode_escape").decode("ascii") if _CONTROL.search(url) else url
    return text if len(text) <= width else text[: width - 1] + "…"
