"""Canonical URLs: the identity of an article (FORMATS.md §1).

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


def canonical_url(url: str) -> str:
    """The canonical form of an http(s) URL; raises InputError for anything else."""
    raw = url.strip()
    parts = urlsplit(raw)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https", "urn", "file") or (
        scheme in DEFAULT_PORTS and not parts.hostname
    ):
        raise InputError(raw or "(empty)", "not an http(s) URL")
    if scheme in ("urn", "file"):
        return raw
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
    """The host of a URL without a leading ``www.`` (how the outlet registry lists hosts)."""
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")
