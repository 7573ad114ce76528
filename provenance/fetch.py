"""Fetching articles over HTTP: polite to the sites, resilient to them, tracking revisions.

Politeness: a global and a per-host concurrency limit, a delay between requests to one host,
robots.txt obeyed (unless told otherwise), a User-Agent that names the tool, conditional
requests (ETag, Last-Modified) so an unchanged page costs the site a 304. Resilience:
connect and read timeouts and a total deadline per URL (all attempts and retry waits
together); retries with exponential backoff and jitter on connection errors, 429 and 5xx,
honouring Retry-After; a body-size cap; a redirect limit; http and https only, before and after
every redirect (a redirect elsewhere, ``javascript:`` say, is refused by name). A robots.txt
that answers 5xx or cannot be reached disallows the site (RFC 9309, 2.3.1.4). Pages are
decoded by their declared charset, else by detection (Arabic pages in windows-1256 exist), extracted (provenance.extract) and stored
through ingest: a changed text becomes a revision, and when the article belongs to a link a
``source_changed`` or ``translation_changed`` flag opens with the diff.

A failed URL never stops the batch: each gets one line in the report.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import httpx

from provenance.errors import InputError
from provenance.extract import decode
from provenance.store import DATABASE_ERRORS
from provenance.urls import shown_url, url_problem

if TYPE_CHECKING:
    from provenance.ports import FetchingStore

HTML_TYPES = ("text/html", "application/xhtml+xml")
FEED_TYPES = ("xml", "rss", "atom")
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


def user_agent() -> str:
    from provenance import __version__

    return f"provenance/{__version__} (translation-provenance tracker; +https://pypi.org/project/provenance/)"


@dataclass(frozen=True)
class FetchOptions:
    """How politely and how patiently to fetch (the defaults suit live news sites)."""

    concurrency: int = 8
    per_host: int = 2
    delay: float = 1.0
    """Seconds between two requests to the same host."""
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0
    """Deadline per URL: its requests (robots.txt and redirects included) and its retry waits,
    all attempts together; time queued behind other URLs is not counted."""
    retries: int = 3
    backoff: float = 1.0
    """First retry waits about this long; each next one twice as long, with jitter."""
    max_retry_after: float = 60.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    robots: bool = True
    user_agent: str = field(default_factory=user_agent)


@dataclass
class FetchResult:
    """One URL's outcome: fetched (created or revised), unchanged, or failed with a reason."""

    url: str
    status: str
    reason: str = ""
    final_url: str | None = None
    article_id: int | None = None
    revision: int | None = None
    flags: list[str] = field(default_factory=list)


@dataclass
class FetchReport:
    results: list[FetchResult] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return dict(Counter(r.status for r in self.results))

    @property
    def failed(self) -> list[FetchResult]:
        return [r for r in self.results if r.status == "failed"]

    def to_json(self) -> dict[str, Any]:
        return {
            "counts": self.counts(),
            "results": [r.__dict__ for r in self.results],
        }


class FetchFailure(Exception):
    """A URL that cannot be fetched; ``retry`` says whether trying again may help."""

    def __init__(self, reason: str, *, retry: bool = False, wait: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry = retry
        self.wait = wait


@dataclass
class Page:
    url: str
    final_url: str
    status: int
    body: bytes
    content_type: str
    charset: str | None
    etag: str | None
    last_modified: str | None


def check_scheme(url: str) -> None:
    """Refuse anything but a well-formed http(s) URL, naming why."""
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme not in ("http", "https"):
        raise FetchFailure(
            f"unsupported scheme {scheme[:20] or '(none)'!r}: only http and https are fetched"
        )
    problem = url_problem(url)
    if problem:
        raise FetchFailure(problem)


def redirect_target(current: str, location: str) -> str:
    """Where a redirect leads, or a FetchFailure naming a target that is not http(s) or not
    a URL at all (``javascript:``, ``data:``, a port of 99999)."""
    try:
        target = urljoin(current, location.strip())
    except ValueError:
        target = location.strip()
    try:
        check_scheme(target)
    except FetchFailure as failure:
        raise FetchFailure(
            f"redirect to {shown_url(target, 80)} refused: {failure.reason}"
        ) from None
    return target


async def _refuse_bad_redirect(response: httpx.Response) -> None:
    """httpx hook, run before httpx parses a Location header itself (which fails with an
    ``InvalidURL`` for ``javascript:`` targets): a bad target is refused by name."""
    if response.has_redirect_location:
        redirect_target(str(response.request.url), response.headers["location"])


class DeadlineExceeded(FetchFailure):
    """The URL's total deadline ran out (never retried)."""


class Deadline:
    """Seconds one URL may still take: spent while its requests run and while it waits to
    retry, not while it queues behind other URLs, so a slow-loris server cannot hold one URL
    for attempts x timeout but a long queue does not time out URLs that never started."""

    def __init__(self, seconds: float) -> None:
        self.total = seconds
        self.left = seconds

    def failure(self) -> DeadlineExceeded:
        return DeadlineExceeded(
            f"timed out: no complete answer within the {self.total:g} s deadline per URL"
        )

    @asynccontextmanager
    async def spend(self) -> AsyncIterator[None]:
        if self.left <= 0:
            raise self.failure()
        start = time.monotonic()
        try:
            async with asyncio.timeout(self.left):
                yield
        except TimeoutError:
            raise self.failure() from None
        finally:
            self.left -= time.monotonic() - start


def retry_after(value: str | None, cap: float) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date), capped."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), cap)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return min(max(when.timestamp() - time.time(), 0.0), cap)


class Fetcher:
    """One polite HTTP client: limits, delays, robots and retries shared by every URL."""

    def __init__(
        self, options: FetchOptions, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.options = options
        self.client = httpx.AsyncClient(
            headers={
                "User-Agent": options.user_agent,
                "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.5",
            },
            timeout=httpx.Timeout(options.read_timeout, connect=options.connect_timeout),
            follow_redirects=False,
            transport=transport,
            event_hooks={"response": [_refuse_bad_redirect]},
        )
        self.all = asyncio.Semaphore(options.concurrency)
        self.hosts: dict[str, asyncio.Semaphore] = {}
        self.last: dict[str, float] = {}
        self.host_locks: dict[str, asyncio.Lock] = {}
        self.robots: dict[str, Any] = {}
        """Per origin: its parsed robots.txt, or why it counts as disallowing everything."""

    async def close(self) -> None:
        await self.client.aclose()

    async def _pace(self, host: str) -> None:
        """Wait until this host's delay since its last request has passed."""
        lock = self.host_locks.setdefault(host, asyncio.Lock())
        async with lock:
            wait = self.last.get(host, 0.0) + self.options.delay - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            self.last[host] = time.monotonic()

    async def _check_robots(self, url: str, deadline: Deadline) -> None:
        """Raise FetchFailure when robots.txt disallows ``url``. RFC 9309: a 4xx robots.txt
        allows everything; a 5xx one, or none reachable, disallows the whole site."""
        if not self.options.robots:
            return
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self.robots:  # a robots.txt that could not be read is not kept
            self.robots[origin] = await self._robots(origin, deadline)
        rules = self.robots[origin]
        if isinstance(rules, str):
            raise FetchFailure(f"disallowed: {rules} (RFC 9309; --ignore-robots to override)")
        if not rules.can_fetch(url, self.options.user_agent):
            raise FetchFailure("disallowed by robots.txt")

    async def _robots(self, origin: str, deadline: Deadline) -> Any:
        """The origin's parsed robots.txt, or the reason it counts as a full disallow."""
        from protego import Protego

        try:
            response = await self._get(f"{origin}/robots.txt", {}, deadline)
        except DeadlineExceeded:
            raise  # the URL's own deadline ran out: say so, do not blame the site
        except (httpx.HTTPError, FetchFailure) as error:
            # unreachable: disallowed for now, asked again on the URL's next attempt
            reason = error.reason if isinstance(error, FetchFailure) else type(error).__name__
            raise FetchFailure(
                f"disallowed: robots.txt could not be read ({reason}; RFC 9309)", retry=True
            ) from None
        if response.status_code >= 500:
            return f"robots.txt answered HTTP {response.status_code}"
        return Protego.parse(response.text if response.status_code == 200 else "")

    async def _get(self, url: str, headers: dict[str, str], deadline: Deadline) -> httpx.Response:
        host = urlsplit(url).netloc
        semaphore = self.hosts.setdefault(host, asyncio.Semaphore(self.options.per_host))
        async with self.all, semaphore:
            await self._pace(host)
            async with deadline.spend():
                return await self._send(url, headers)

    async def _send(self, url: str, headers: dict[str, str]) -> httpx.Response:
        """One GET with its body read whole, within the body-size cap."""
        request = self.client.build_request("GET", url, headers=headers)
        response = await self.client.send(request, stream=True)
        try:
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > self.options.max_bytes:
                    raise FetchFailure(f"body over the {self.options.max_bytes / 1e6:.0f} MB limit")
            response._content = bytes(body)
        finally:
            await response.aclose()
        return response

    async def _follow(
        self, url: str, headers: dict[str, str], deadline: Deadline
    ) -> tuple[httpx.Response, str]:
        """GET with redirects followed by hand: a limit, loop detection, http(s) only."""
        seen = {url}
        current = url
        for _ in range(self.options.max_redirects + 1):
            check_scheme(current)
            await self._check_robots(current, deadline)
            response = await self._get(current, headers, deadline)
            if response.status_code in (301, 302, 303, 307, 308) and "location" in response.headers:
                target = redirect_target(current, response.headers["location"])
                if target in seen:
                    raise FetchFailure(f"redirect loop at {target}")
                seen.add(target)
                current = target
                continue
            return response, current
        raise FetchFailure(f"more than {self.options.max_redirects} redirects")

    async def page(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
                   accept: tuple[str, ...] = HTML_TYPES) -> Page | None:  # fmt: skip
        """The page at ``url`` (None: 304 Not Modified), retried as the options say."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        attempt = 0
        deadline = Deadline(self.options.total_timeout)
        while True:
            try:
                return await self._once(url, headers, accept, deadline)
            except httpx.TimeoutException:
                failure = FetchFailure("timed out", retry=True)
            except httpx.TransportError as error:
                failure = FetchFailure(f"connection failed: {type(error).__name__}", retry=True)
            except FetchFailure as error:
                failure = error
            attempt += 1
            if not failure.retry or attempt > self.options.retries:
                raise failure
            wait = failure.wait
            if wait is None:
                wait = self.options.backoff * 2 ** (attempt - 1) * random.uniform(0.5, 1.5)
            if wait >= deadline.left:  # no time left for another attempt: say why it failed
                raise FetchFailure(
                    f"{failure.reason} (no time left to retry within the "
                    f"{deadline.total:g} s deadline)"
                )
            async with deadline.spend():
                await asyncio.sleep(wait)

    async def _once(
        self, url: str, headers: dict[str, str], accept: tuple[str, ...], deadline: Deadline
    ) -> Page | None:
        response, final = await self._follow(url, headers, deadline)
        status = response.status_code
        if status == 304:
            return None
        if status in RETRY_STATUSES:
            raise FetchFailure(
                f"HTTP {status}",
                retry=True,
                wait=retry_after(response.headers.get("retry-after"), self.options.max_retry_after),
            )
        if status >= 400:
            raise FetchFailure(f"HTTP {status}")
        content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if not any(kind in content_type for kind in accept):
            raise FetchFailure(
                f"content type {content_type or '(none)'} is not {' or '.join(accept)}"
            )
        return Page(
            url=url, final_url=final, status=status, body=response.content, content_type=content_type,
            charset=response.charset_encoding, etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
        )  # fmt: skip


# -- storing what was fetched -------------------------------------------------------------------


def _store_page(store: FetchingStore, url: str, page: Page) -> FetchResult:
    from provenance.extract import article_from_html
    from provenance.ingest import ingest_article

    text = decode(page.body, page.charset)
    try:
        article = article_from_html(text, where=url, fallback_url=page.final_url)
    except InputError as error:
        return FetchResult(url, "failed", error.problem, page.final_url)
    if not article.url.startswith(("http://", "https://")):
        article.url = page.final_url
    article.source = page.final_url
    article.etag, article.last_modified = page.etag, page.last_modified
    try:
        outcome = ingest_article(store, article)
    except InputError as error:
        return FetchResult(url, "failed", error.problem, page.final_url)
    flags = store.open_change_flags(outcome.article_id) if outcome.status == "revised" else []
    status = "unchanged" if outcome.status == "unchanged" else "fetched"
    return FetchResult(
        url, status, outcome.status, outcome.url, outcome.article_id, outcome.revision, flags
    )


async def _fetch_one(
    fetcher: Fetcher, store: FetchingStore, url: str, writing: asyncio.Lock
) -> FetchResult:
    from provenance.urls import canonical_url

    try:
        check_scheme(url)
        known = store.validators(canonical_url(url))
    except (FetchFailure, InputError) as error:
        reason = error.reason if isinstance(error, FetchFailure) else error.problem
        return FetchResult(url, "failed", reason)
    try:
        page = await fetcher.page(
            url, etag=known[0] if known else None, last_modified=known[1] if known else None
        )
    except FetchFailure as error:
        return FetchResult(url, "failed", error.reason)
    if page is None:
        return FetchResult(url, "unchanged", "304 not modified")
    async with writing:  # one writer at a time: SQLite serialises writes anyway
        return await asyncio.to_thread(_store_page, store, url, page)


async def fetch_async(
    store: FetchingStore,
    urls: Iterable[str],
    options: FetchOptions | None = None,
    *,
    on_result: Callable[[FetchResult], None] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> FetchReport:
    options = options or FetchOptions()
    fetcher = Fetcher(options, transport)
    report = FetchReport()
    writing = asyncio.Lock()
    try:

        async def run(url: str) -> None:
            try:
                result = await _fetch_one(fetcher, store, url, writing)
            except DATABASE_ERRORS:  # the database, not the URL: every next URL would fail too
                raise
            except Exception as error:  # one URL's bug must not end the batch
                result = FetchResult(
                    url, "failed", f"internal error: {type(error).__name__}: {error}"
                )
            report.results.append(result)
            if on_result:
                on_result(result)

        await asyncio.gather(*(run(u) for u in dict.fromkeys(u.strip() for u in urls if u.strip())))
    finally:
        await fetcher.close()
    return report


def fetch_urls(
    store: FetchingStore, urls: Iterable[str], options: FetchOptions | None = None, **kwargs: Any
) -> FetchReport:
    """Fetch, extract and store every URL; failures are reported, never raised."""
    return asyncio.run(fetch_async(store, list(urls), options, **kwargs))


# -- discovery -----------------------------------------------------------------------------------


def feed_links(xml: bytes, base: str) -> tuple[list[str], list[str]]:
    """Article URLs and nested sitemap URLs listed in an RSS, Atom or sitemap document."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
    root = etree.fromstring(xml, parser=parser)
    if root is None:
        raise FetchFailure("not an XML feed or sitemap")
    articles: list[str] = []
    sitemaps: list[str] = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tag = etree.QName(element).localname.lower()
        parent = element.getparent()
        parent_tag = (
            etree.QName(parent).localname.lower()
            if parent is not None and isinstance(parent.tag, str)
            else ""
        )
        if tag == "loc" and element.text:
            (sitemaps if parent_tag == "sitemap" else articles).append(
                urljoin(base, element.text.strip())
            )
        elif tag == "link" and parent_tag in ("item", "entry"):
            href = element.get("href") if element.get("href") else (element.text or "").strip()
            rel = element.get("rel", "alternate")
            if href and rel == "alternate":
                articles.append(urljoin(base, href))
    return list(dict.fromkeys(articles)), list(dict.fromkeys(sitemaps))


async def discover_async(store: FetchingStore, feed: str, options: FetchOptions, transport: httpx.AsyncBaseTransport | None = None,
                         max_sitemaps: int = 50) -> tuple[list[str], list[str]]:  # fmt: skip
    """(new article URLs, errors) from a feed or sitemap (sitemap indexes followed)."""
    fetcher = Fetcher(options, transport)
    found: list[str] = []
    errors: list[str] = []
    queue, seen = [feed], set[str]()
    try:
        while queue and len(seen) < max_sitemaps:
            url = queue.pop(0)
            if url in seen:
                continue
            seen.add(url)
            try:
                page = await fetcher.page(url, accept=FEED_TYPES)
            except FetchFailure as error:
                errors.append(f"{url}: {error.reason}")
                continue
            if page is None:
                continue
            articles, sitemaps = feed_links(page.body, page.final_url)
            found += articles
            queue += sitemaps
    finally:
        await fetcher.close()
    return [u for u in dict.fromkeys(found) if not store.has_url(u)], errors
