"""Hostile servers on 127.0.0.1 (issue 13, point 4): robots.txt that fails, a slow-loris page,
redirects to other schemes. Each URL fails with one clear reason and the batch goes on.

No test reaches any address other than 127.0.0.1.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import ThreadingHTTPServer
from typing import Any

import pytest

from provenance.fetch import FetchOptions, fetch_urls
from provenance.store import Store
from tests.conftest import CLI
from tests.httpserver import Site, handler

FAST = FetchOptions(delay=0.0, backoff=0.05, retries=3, read_timeout=0.5, connect_timeout=1.0,
                    total_timeout=2.0, max_bytes=100_000, max_retry_after=1.0)  # fmt: skip


def hostile(site: Site, robots_status: int) -> type:
    """The fixture site, with a robots.txt answering ``robots_status`` and hostile pages."""
    base = handler(site)

    class Hostile(base):  # type: ignore[misc, valid-type]
        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            if path == "/robots.txt" and robots_status == 0:  # 0: the connection drops
                site.hits[path] += 1
                self.connection.shutdown(2)
                self.connection.close()
            elif path == "/robots.txt" and robots_status != 200:
                site.hits[path] += 1
                self.send(robots_status, b"oops", "text/plain")
            elif path == "/loris":  # a byte every 0.3 s: never a read timeout, never done
                site.hits[path] += 1
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", "100000")
                self.end_headers()
                try:
                    for _ in range(400):
                        self.wfile.write(b"<")
                        self.wfile.flush()
                        time.sleep(0.3)
                except OSError:
                    pass
            elif path.startswith("/to/"):
                targets = {"js": "javascript:alert(document.cookie)", "data": "data:text/html,<p>x</p>",
                           "v6": "http://[::1/x", "port": "http://127.0.0.1:99999/x",
                           "ftp": "ftp://127.0.0.1/x"}  # fmt: skip
                self.send(302, Location=targets[path.removeprefix("/to/")])
            else:
                super().do_GET()

    return Hostile


@contextmanager
def serve(robots_status: int = 200) -> Iterator[Site]:
    site = Site()
    server = ThreadingHTTPServer(("127.0.0.1", 0), hostile(site, robots_status))
    server.daemon_threads = True
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()


def results(store: Store, urls: list[str], options: FetchOptions = FAST) -> dict[str, Any]:
    return {r.url: r for r in fetch_urls(store, urls, options).results}


@pytest.mark.parametrize("status", [500, 503])
def test_a_robots_txt_answering_5xx_disallows_the_site(store: Store, status: int) -> None:
    with serve(robots_status=status) as site:
        url = f"{site.base}/page/enab-hamas-relations.html"
        (result,) = results(store, [url]).values()
        assert result.status == "failed"
        assert result.reason == (
            f"disallowed: robots.txt answered HTTP {status} (RFC 9309; --ignore-robots to override)"
        )
        assert site.hits["/page/enab-hamas-relations.html"] == 0


def test_an_unreachable_robots_txt_disallows_and_is_asked_again_on_each_retry(
    store: Store,
) -> None:
    with serve(robots_status=0) as site:
        (result,) = results(store, [f"{site.base}/page/enab-hamas-relations.html"]).values()
        assert result.status == "failed"
        assert result.reason.startswith("disallowed: robots.txt could not be read ("), result.reason
        assert site.hits["/robots.txt"] == 1 + FAST.retries
        assert site.hits["/page/enab-hamas-relations.html"] == 0


def test_a_robots_txt_answering_404_allows_everything(store: Store) -> None:
    with serve(robots_status=404) as site:
        (result,) = results(store, [f"{site.base}/page/enab-hamas-relations.html"]).values()
        assert result.status == "fetched", result.reason


def test_ignore_robots_fetches_despite_a_failing_robots_txt(cli: CLI) -> None:
    with serve(robots_status=500) as site:
        url = f"{site.base}/page/enab-hamas-relations.html"
        cli("fetch", url, "--delay", "0", "--ignore-robots")
        assert site.hits["/robots.txt"] == 0


def test_a_slow_loris_page_is_dropped_at_the_deadline_not_after_every_retry(
    store: Store,
) -> None:
    with serve() as site:
        start = time.monotonic()
        found = results(store, [f"{site.base}/loris", f"{site.base}/page/so-hamas-relations.html"])
        took = time.monotonic() - start
    loris = found[f"{site.base}/loris"]
    assert loris.status == "failed"
    assert "timed out: no complete answer within the 2 s deadline per URL" in loris.reason
    assert took < FAST.total_timeout + 1.5  # one deadline, not (retries + 1) x timeouts
    assert found[f"{site.base}/page/so-hamas-relations.html"].status == "fetched"


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("js", "redirect to javascript:alert(document.cookie) refused: unsupported scheme 'javascript'"),
        ("data", "redirect to data:text/html,<p>x</p> refused: unsupported scheme 'data'"),
        ("ftp", "redirect to ftp://127.0.0.1/x refused: unsupported scheme 'ftp'"),
        ("v6", "redirect to http://[::1/x refused: not a valid URL: invalid IPv6 URL"),
        ("port", "redirect to http://127.0.0.1:99999/x refused: not a valid URL: port out of range"),
    ],
)  # fmt: skip
def test_a_redirect_to_another_scheme_is_refused_by_name(
    store: Store, target: str, reason: str
) -> None:
    with serve() as site:
        (result,) = results(store, [f"{site.base}/to/{target}"]).values()
    assert result.status == "failed" and result.reason.startswith(reason), result.reason
    assert "internal error" not in result.reason


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://[::1/x", "not a valid URL: invalid IPv6 URL"),
        ("http://127.0.0.1:abc/x", "not a valid URL: port could not be cast"),
        ("http://127.0.0.1:99999/x", "not a valid URL: port out of range"),
        ("javascript:alert(1)", "unsupported scheme 'javascript'"),
    ],
)
def test_a_malformed_url_given_is_refused_by_name(store: Store, url: str, reason: str) -> None:
    (result,) = results(store, [url]).values()
    assert result.status == "failed" and reason in result.reason, result.reason
