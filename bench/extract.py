"""Extraction quality on the fixture pages: our extractor (trafilatura) beside a plain
selectolax baseline, scored on the text that must and must not come out
(tests/data/extract_expected.json). Prints one JSON object.
Usage: python bench/extract.py
"""

from __future__ import annotations

import json
import time

from common import ROOT, emit

from provenance.eval import extraction_accuracy
from provenance.extract import article_from_html

PAGES = ROOT / "fixtures" / "html"
EXPECTED = json.loads((ROOT / "tests" / "data" / "extract_expected.json").read_text("utf-8"))


def ours(html: bytes) -> str:
    article = article_from_html(html, where="bench", fallback_url="file:///bench")
    return "\n".join([article.title, *article.paragraphs])


def selectolax_baseline(html: bytes) -> str:
    """Paragraph text of <p> elements outside nav, header, footer, aside, script and style."""
    from selectolax.lexbor import LexborHTMLParser as HTMLParser

    tree = HTMLParser(html)
    for selector in ("script", "style", "nav", "header", "footer", "aside", "form", "noscript"):
        for node in tree.css(selector):
            node.decompose()
    title = tree.css_first("h1")
    paragraphs = [p.text(strip=True) for p in tree.css("p") if p.text(strip=True)]
    return "\n".join([title.text(strip=True) if title else "", *paragraphs])


def score(extract) -> dict[str, float]:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    accuracy, checks = extraction_accuracy(EXPECTED, PAGES, extract)
    ms = 1000 * (time.perf_counter() - start) / len(EXPECTED)
    return {"accuracy": round(accuracy, 4), "checks": checks, "ms_per_page": round(ms, 1)}


def main() -> None:
    result = {"benchmark": "extract", "pages": len(EXPECTED), "ours_trafilatura": score(ours)}
    try:
        result["selectolax_baseline"] = score(selectolax_baseline)
    except ImportError:
        result["selectolax_baseline"] = "not installed (pip install selectolax)"
    emit(result)


if __name__ == "__main__":
    main()
