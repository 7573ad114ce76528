"""A real HTTP server on 127.0.0.1 serving fixture pages and every way a site misbehaves."""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.conftest import FIXTURES

PAGES = FIXTURES / "html"

ARABIC_PAGE = """<!doctype html><html lang="ar" dir="rtl"><head><meta charset="windows-1256">
<title>ارتفاع أسعار الخبز في حلب</title><link rel="canonical" href="https://www.enabbaladi.net/archives/990001"></head>
<body><nav>الرئيسية سياسة اقتصاد</nav><article><h1>ارتفاع أسعار الخبز في حلب</h1>
<p>ارتفع سعر ربطة الخبز في مدينة حلب إلى 3500 ليرة سورية، بحسب ما رصدته عنب بلدي في أسواق المدينة يوم الأحد.</p>
<p>وقال أصحاب أفران إن ارتفاع سعر الطحين والمازوت دفعهم إلى رفع الأسعار، في ظل تراجع قيمة الليرة أمام الدولار.</p>
<p>ويشتكي سكان الأحياء الشرقية من طول الطوابير أمام الأفران منذ مطلع الشهر الحالي، وسط غياب أي حلول من المجلس المحلي.</p>
</article><footer>جميع الحقوق محفوظة</footer></body></html>"""


def story(version: int) -> str:
    figure = "3,500" if version == 1 else "3,800"
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bread Prices Rise in Aleppo</title>
<link rel="canonical" href="https://syrianobserver.com/news/990002/bread-prices-rise-in-aleppo.html"></head>
<body><header><nav>News Opinion Reports</nav></header><article><h1>Bread Prices Rise in Aleppo</h1>
<p>The price of a bundle of bread in Aleppo rose to {figure} Syrian pounds on Sunday, according to Enab Baladi.</p>
<p>Bakery owners said higher prices of flour and diesel forced them to raise prices as the pound fell against the dollar.</p>
<p>Residents of the eastern neighbourhoods complain of long queues in front of bakeries since the start of the month.</p>
</article><footer>Copyright The Syrian Observer</footer></body></html>"""


class Site:
    """Shared state of the fake site, readable and changeable by tests."""

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.user_agents: set[str] = set()
        self.version = 1
        self.base = ""


def handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:  # quiet
            pass

        def send(
            self,
            status: int,
            body: bytes = b"",
            ctype: str = "text/html; charset=utf-8",
            **headers: str,
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.end_headers()
            if body:
                self.wfile.write(body)

        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            site.hits[path] += 1
            site.user_agents.add(self.headers.get("User-Agent", ""))
            if path == "/robots.txt":
                self.send(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
            elif path.startswith("/page/"):
                name = path.removeprefix("/page/")
                body = (PAGES / name).read_bytes()
                etag = f'"{name}-v1"'
                if self.headers.get("If-None-Match") == etag:
                    self.send(304, ETag=etag)
                else:
                    self.send(200, body, ETag=etag, Last_Modified="Wed, 21 Sep 2022 10:00:00 GMT")
            elif path.startswith("/bulk/"):
                n = path.removeprefix("/bulk/")
                page = (
                    story(1)
                    .replace("990002/bread-prices-rise-in-aleppo", f"bulk/{n}")
                    .replace("3,500", f"{3500 + int(n)}")
                )
                self.send(200, page.encode())
            elif path == "/story":
                etag = f'"story-v{site.version}"'
                if self.headers.get("If-None-Match") == etag:
                    self.send(304, ETag=etag)
                else:
                    self.send(200, story(site.version).encode(), ETag=etag)
            elif path == "/r1":
                self.send(301, Location="/r2")
            elif path == "/r2":
                self.send(302, Location=f"{site.base}/page/so-hamas-relations.html")
            elif path == "/loop-a":
                self.send(302, Location="/loop-b")
            elif path == "/loop-b":
                self.send(302, Location="/loop-a")
            elif path == "/to-file":
                self.send(302, Location="file:///etc/passwd")
            elif path == "/gone404":
                self.send(404, b"not found")
            elif path == "/gone410":
                self.send(410, b"gone")
            elif path == "/busy":
                if site.hits[path] == 1:
                    self.send(429, b"slow down", Retry_After="1")
                else:
                    self.send(200, (PAGES / "enab-exchange-rate.html").read_bytes())
            elif path == "/flaky":
                if site.hits[path] == 1:
                    self.send(500, b"oops")
                else:
                    self.send(200, (PAGES / "so-exchange-rate.html").read_bytes())
            elif path == "/slow":
                time.sleep(2.0)
                self.send(200, story(1).encode())
            elif path == "/reset":
                self.connection.shutdown(2)
                self.connection.close()
            elif path == "/huge":
                self.send(200, b"<html><body><p>" + b"x" * 300_000 + b"</p></body></html>")
            elif path == "/pdf":
                self.send(200, b"%PDF-1.4 not a page", "application/pdf")
            elif path == "/cp1256":
                self.send(200, ARABIC_PAGE.encode("cp1256"), "text/html; charset=windows-1256")
            elif path == "/cp1256-meta":
                self.send(200, ARABIC_PAGE.encode("cp1256"), "text/html")
            elif path.startswith("/private/"):
                self.send(200, story(1).encode())
            elif path == "/feed.xml":
                rss = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>
<item><title>a</title><link>{site.base}/page/enab-hamas-relations.html</link></item>
<item><title>b</title><link>{site.base}/page/enab-exchange-rate.html</link></item></channel></rss>"""
                self.send(200, rss.encode(), "application/rss+xml")
            elif path == "/atom.xml":
                atom = f"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>x</title>
<entry><title>a</title><link rel="alternate" href="{site.base}/page/so-exchange-rate.html"/></entry></feed>"""
                self.send(200, atom.encode(), "application/atom+xml")
            elif path == "/sitemap.xml":
                index = f"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>{site.base}/sitemap-1.xml</loc></sitemap></sitemapindex>"""
                self.send(200, index.encode(), "application/xml")
            elif path == "/sitemap-1.xml":
                urls = f"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>{site.base}/page/aawsat-turkey-talks.html</loc></url><url><loc>{site.base}/page/so-no-article-tag.html</loc></url></urlset>"""
                self.send(200, urls.encode(), "application/xml")
            else:
                self.send(404, b"no such page")

    return Handler


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up mid-request (a fetch that gave up on a slow or huge page, as
        the tests mean it to) is not the server's error: no traceback in the test output."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def serve() -> Iterator[Site]:
    site = Site()
    server = _Server(("127.0.0.1", 0), handler(site))
    server.daemon_threads = True
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
