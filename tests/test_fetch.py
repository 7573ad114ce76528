"""Fetching against a real HTTP server on 127.0.0.1: success, every failure, revisions, feeds.

No test reaches any address other than 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from provenance.fetch import FetchOptions, check_scheme, decode, fetch_urls, retry_after
from provenance.store import Store
from tests.conftest import CLI
from tests.httpserver import Site, serve

FAST = FetchOptions(delay=0.0, backoff=0.05, retries=2, read_timeout=0.7, connect_timeout=1.0, total_timeout=1.5,
                    max_bytes=100_000, max_retry_after=2.0)  # fmt: skip


@pytest.fixture
def site() -> Iterator[Site]:
    with serve() as running:
        yield running


def one(store: Store, url: str, options: FetchOptions = FAST):  # type: ignore[no-untyped-def]
    (result,) = fetch_urls(store, [url], options).results
    return result


def test_success_uses_the_canonical_url_and_names_the_tool(store: Store, site: Site) -> None:
    result = one(store, f"{site.base}/page/enab-hamas-relations.html")
    assert result.status == "fetched" and result.reason == "created"
    assert (
        result.final_url == "https://www.enabbaladi.net/archives/604512"
    )  # <link rel="canonical">
    detail = store.article_detail(result.article_id)
    assert detail.article.lang == "ar" and detail.article.outlet == "Enab Baladi"
    assert any("هنية" in p.text for p in detail.paragraphs)
    assert any(ua.startswith("provenance/") for ua in site.user_agents)


def test_redirect_chain(store: Store, site: Site) -> None:
    result = one(store, f"{site.base}/r1")
    assert result.status == "fetched" and "syrianobserver.com" in (result.final_url or "")


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/loop-a", "redirect loop"),
        ("/to-file", "unsupported scheme 'file'"),
        ("/gone404", "HTTP 404"),
        ("/gone410", "HTTP 410"),
        ("/huge", "body over the 0 MB limit"),
        ("/pdf", "content type application/pdf is not"),
        ("/private/story", "disallowed by robots.txt"),
        ("/slow", "timed out"),
        ("/reset", "connection failed"),
    ],
)
def test_failures_have_a_reason(store: Store, site: Site, path: str, reason: str) -> None:
    result = one(store, f"{site.base}{path}")
    assert result.status == "failed" and reason in result.reason, result.reason


def test_no_retry_on_404_but_retries_on_reset(store: Store, site: Site) -> None:
    one(store, f"{site.base}/gone404")
    one(store, f"{site.base}/reset")
    assert site.hits["/gone404"] == 1 and site.hits["/reset"] == 1 + FAST.retries


def test_429_waits_for_retry_after_then_succeeds(store: Store, site: Site) -> None:
    import time

    start = time.monotonic()
    result = one(store, f"{site.base}/busy")
    assert result.status == "fetched" and site.hits["/busy"] == 2
    assert time.monotonic() - start >= 0.9  # Retry-After: 1


def test_500_then_success(store: Store, site: Site) -> None:
    result = one(store, f"{site.base}/flaky")
    assert result.status == "fetched" and site.hits["/flaky"] == 2


@pytest.mark.parametrize("path", ["/cp1256", "/cp1256-meta"])
def test_windows_1256_page(store: Store, site: Site, path: str) -> None:
    result = one(store, f"{site.base}{path}")
    assert result.status == "fetched"
    detail = store.article_detail(result.article_id)
    assert detail.article.title == "ارتفاع أسعار الخبز في حلب"
    assert any("3500 ليرة سورية" in p.text for p in detail.paragraphs)


def test_robots_can_be_ignored(store: Store, site: Site) -> None:
    options = FetchOptions(**{**FAST.__dict__, "robots": False})
    assert one(store, f"{site.base}/private/story", options).status == "fetched"


def test_304_on_etag_adds_no_revision(store: Store, site: Site) -> None:
    url = f"{site.base}/page/so-exchange-rate.html"
    first = one(store, url)
    second = one(store, url)
    assert (first.status, second.status, second.reason) == (
        "fetched",
        "unchanged",
        "304 not modified",
    )
    assert [r.number for r in store.article_detail(first.article_id).revisions] == [1]


def test_a_changed_page_becomes_a_revision_and_flags_its_link(store: Store, site: Site) -> None:
    from provenance.formats import ArticleInput
    from provenance.ingest import ingest_article

    first = one(store, f"{site.base}/story")
    original = ingest_article(
        store,
        ArticleInput(
            url="https://www.enabbaladi.net/archives/990001",
            lang="ar",
            title="خبز",
            paragraphs=["ارتفع سعر ربطة الخبز في مدينة حلب إلى 3500 ليرة سورية."],
        ),
    )
    link = store.link(first.article_id, original.article_id, status="confirmed")
    site.version = 2
    result = one(store, f"{site.base}/story")
    assert (result.status, result.reason, result.revision) == ("fetched", "revised", 2)
    assert result.flags == ["translation_changed"]
    (flag,) = [f for f in store.flags(link_id=link.id) if f.kind == "translation_changed"]
    assert flag.severity == "high" and "-5\n+8" in flag.evidence["patch"]  # 3,500 -> 3,800


def test_a_failed_url_does_not_stop_the_batch(store: Store, site: Site) -> None:
    report = fetch_urls(
        store,
        [f"{site.base}/gone404", f"{site.base}/page/so-hamas-relations.html", "ftp://x/y"],
        FAST,
    )
    assert report.counts() == {"failed": 2, "fetched": 1}
    assert {r.reason for r in report.failed} == {
        "HTTP 404",
        "unsupported scheme 'ftp': only http and https are fetched",
    }


def test_per_host_limit_and_delay(store: Store, site: Site) -> None:
    import time

    options = FetchOptions(**{**FAST.__dict__, "delay": 0.3, "per_host": 1})
    start = time.monotonic()
    fetch_urls(
        store,
        [f"{site.base}/page/enab-hamas-relations.html", f"{site.base}/page/so-exchange-rate.html"],
        options,
    )
    assert time.monotonic() - start >= 0.55  # robots, page, page: three requests 0.3 s apart


def test_fetch_command_with_a_url_file_and_feeds(cli: CLI, site: Site, tmp_path) -> None:  # type: ignore[no-untyped-def]
    urls = tmp_path / "urls.txt"
    urls.write_text(
        f"# this week\n{site.base}/page/so-hamas-relations.html\n{site.base}/gone410\n", "utf-8"
    )
    result = cli("fetch", "--urls", str(urls), "--delay", "0", "--retries", "0", code=1)
    assert "1 fetched, 0 unchanged, 1 failed" in result.stderr and "HTTP 410" in result.stderr
    report = cli.json(
        "fetch",
        "--feed",
        f"{site.base}/feed.xml",
        "--feed",
        f"{site.base}/atom.xml",
        "--delay",
        "0",
    )
    assert report["counts"] == {"fetched": 3, "unchanged": 0, "failed": 0}
    report = cli.json("fetch", "--feed", f"{site.base}/sitemap.xml", "--delay", "0")
    assert report["counts"] == {"fetched": 2, "unchanged": 0, "failed": 0}
    again = cli("fetch", "--feed", f"{site.base}/feed.xml", "--delay", "0", code=None)
    assert "0 new article(s) listed" in again.stderr


def test_refresh_and_diff_commands(cli: CLI, site: Site) -> None:
    cli("fetch", f"{site.base}/story", "--delay", "0")
    site.version = 2
    result = cli("refresh", "--delay", "0")
    assert "1 fetched" in result.stderr
    shown = cli(
        "diff", "https://syrianobserver.com/news/990002/bread-prices-rise-in-aleppo.html"
    ).stdout
    assert "revision 1 → 2" in shown and "[-3,500-]{+3,800+}" in shown  # the figure, whole
    data = cli.json(
        "diff",
        "https://syrianobserver.com/news/990002/bread-prices-rise-in-aleppo.html",
        "--from",
        "1",
        "--to",
        "2",
    )
    assert {"op": -1, "text": "3,500"} in data["changes"]
    assert {"op": 1, "text": "3,800"} in data["changes"]
    assert "nothing to refresh" in cli("refresh", "--older-than", "7d").stderr


def test_helpers() -> None:
    assert (
        retry_after("5", 60) == 5 and retry_after("500", 60) == 60 and retry_after(None, 60) is None
    )
    with pytest.raises(Exception, match="unsupported scheme"):
        check_scheme("file:///etc/passwd")
    assert decode("قصف".encode("cp1256"), "windows-1256") == "قصف"
    assert decode("<meta charset='windows-1256'>قصف".encode("cp1256"), None).endswith("قصف")
