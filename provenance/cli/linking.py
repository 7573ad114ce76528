"""Commands that pair translations with their originals: link (store a decision), candidates
(show the ranking, store nothing) and align (paragraph groups and flags of linked pairs)."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from provenance.cli.app import (
    embedder,
    open_store,
    read_store,
    semantic_in_workers,
    state,
    worker_count,
)
from provenance.cli.options import (
    FormatOpt,
    JsonOpt,
    OutputFormat,
    SemanticOpt,
    WorkersOpt,
    chosen_format,
)
from provenance.cli.render import (
    bare_url,
    ellipsis,
    emit,
    err,
    every_key,
    out,
    plain_table,
    print_listing,
    say_error,
    short_url,
)

LINK_DECISIONS = ("auto", "suggested", "none", "kept")
"""What link decided for each translation (provenance.link.decide, and kept by a reviewer)."""
LINK_COLUMNS = ["translation", "translation_id", "credit", "decision", "original",
                "original_title", "original_outlet", "score", "candidates", "note"]  # fmt: skip
CANDIDATE_COLUMNS = ["rank", "score", "url", "title", "outlet", "published", "credited", "days",
                     "coverage", "matched_terms", "also_published_by"]  # fmt: skip
ALIGN_COLUMNS = ["link", "translation", "original", "groups", "flags", "coverage"]


def link(
    translation: Annotated[str | None, typer.Argument(help="Translation URL or id.")] = None,
    everything: Annotated[
        bool, typer.Option("--all", help="Link every translation in the database.")
    ] = False,
    top: Annotated[
        int, typer.Option("--top", help="Keep this many ranked candidates per translation.")
    ] = 5,
    semantic: SemanticOpt = None,
    workers: WorkersOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    as_json: JsonOpt = False,
) -> None:
    """Find each translation's original and store the decision: auto, suggested or none.

    Links a reviewer confirmed or rejected are never changed.

    Example: `provenance link --all`
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from provenance.pipeline import link_translations

    if (translation is None) == (not everything):
        raise typer.BadParameter("give a translation URL or --all")
    store = open_store()
    total = 1 if translation is not None else len(store.translation_ids())
    progress = Progress(TextColumn("link"), BarColumn(), MofNCompleteColumn(), console=err, transient=True,
                        disable=total < 20 or not err.is_terminal)  # fmt: skip
    processes = worker_count(workers) if everything else 1
    with progress:
        task = progress.add_task("link", total=total)
        if processes > 1:
            from provenance.workers import link_in_processes

            report = link_in_processes(
                store, workers=processes, top=top, settings=state.settings,
                semantic=semantic_in_workers(semantic, near_ties_only=True),
                on_result=lambda _r: progress.advance(task),
            )  # fmt: skip
        else:
            report = link_translations(
                store, translation=translation, everything=everything, top=top, settings=state.settings,
                embedder=embedder(semantic, near_ties_only=True), on_result=lambda _r: progress.advance(task),
            )  # fmt: skip
    fmt = chosen_format(fmt, as_json)
    if fmt is not OutputFormat.table:
        data = report.to_json()
        data["decisions"] = every_key(data["decisions"], LINK_DECISIONS)
        emit(data, fmt, flat=[_link_row(r) for r in data["results"]], columns=LINK_COLUMNS)
        return
    rows = []
    for result in report.results:
        best = result.candidates[0] if result.candidates else None
        rows.append([result.decision, bare_url(result.translation_url), bare_url(best.url) if best else "—",
                     f"{best.score:.2f}" if best else ""])  # fmt: skip
    if rows:
        print_listing(["decision", "translation", "best original", "score"], rows, flexible={1, 2})
    counts = report.counts()
    err.print(", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "no translations to link")


def _link_row(result: dict[str, Any]) -> dict[str, Any]:
    """One translation's decision as a CSV row: its best candidate, and how many there were."""
    best = result["candidates"][0] if result["candidates"] else {}
    return {**result, "original": best.get("url"), "original_title": best.get("title"),
            "original_outlet": best.get("outlet"), "score": best.get("score"),
            "candidates": len(result["candidates"])}  # fmt: skip


def candidates(
    translation: Annotated[str, typer.Argument(help="Translation URL or id.")],
    semantic: SemanticOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    as_json: JsonOpt = False,
) -> None:
    """Print the ranked candidate originals of a translation with their scores and reasons.

    Nothing is stored.

    Example: `provenance candidates https://syrianobserver.com/news/79101/hamas-confirms-resumption-of-relations-with-regime-syrian-disregard.html`
    """
    from provenance.link import candidates_for

    result = candidates_for(
        read_store()[0],
        translation,
        settings=state.settings,
        embedder=embedder(semantic, near_ties_only=True),
    )
    fmt = chosen_format(fmt, as_json)
    if fmt is not OutputFormat.table:
        data = result.to_json()
        emit(data, fmt, flat=data["candidates"], columns=CANDIDATE_COLUMNS)
        return
    out.print(
        f"[bold]{result.translation_url}[/bold]  credit: {result.credit or '—'}  decision: {result.decision}",
        highlight=False,
    )
    out.print(_candidate_table(result.candidates))
    for c in result.candidates:
        if c.also_published_by:
            copies = ", ".join(copy["url"] for copy in c.also_published_by)
            out.print(f"#{c.rank} also published by: {copies}", highlight=False)
    if result.note:
        err.print(f"note: {result.note}")
    if not result.candidates:
        out.print("no source found")


def _candidate_table(ranked: list[Any]) -> Table:
    """The ranking: score, title over its short URL, outlet, days apart, coverage, and the
    words both sides share (those that made the score)."""
    from rich.markup import escape

    from provenance.link import shared_words

    table = plain_table()
    for name in ("#", "score", "title", "outlet", "days", "coverage", "shared"):
        table.add_column(name, overflow="fold")
    for c in ranked:
        coverage = "" if c.coverage is None else f"{c.coverage:.0%}"
        days = "" if c.days is None else f"{c.days:+.1f}"
        title = f"{escape(ellipsis(c.title, 60))}\n[dim]{escape(short_url(c.url, 60))}[/dim]"
        table.add_row(str(c.rank), f"{c.score:.2f}", title, (c.outlet or "") + (" (credited)" if c.credited else ""),
                      days, coverage, ", ".join(shared_words(c.matched_terms, 6)))  # fmt: skip
    return table


def align(
    translation: Annotated[str | None, typer.Argument(help="Translation URL or id.")] = None,
    original: Annotated[
        str | None, typer.Option("--original", help="Link the translation to this original first.")
    ] = None,
    everything: Annotated[
        bool, typer.Option("--all", help="Align every link that needs it.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Re-align even when neither side changed.")
    ] = False,
    semantic: SemanticOpt = None,
    workers: WorkersOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    as_json: JsonOpt = False,
) -> None:
    """Align linked translations with their originals and store groups and flags.

    Only links never aligned, or with a side revised since, are redone; decisions a reviewer
    made are kept.

    Example: `provenance align --all`
    """
    from provenance.pipeline import align_links

    if (translation is None) == (not everything):
        raise typer.BadParameter("give a translation URL or --all")
    store = open_store()
    if original is not None:
        if translation is None:
            raise typer.BadParameter("--original needs a translation URL")
        store.link(store.find_article(translation).id or 0, store.find_article(original).id or 0)
    processes = worker_count(workers) if everything else 1
    if processes > 1:
        from provenance.workers import align_in_processes

        report = align_in_processes(store, workers=processes, settings=state.settings,
                                    semantic=semantic_in_workers(semantic), force=force)  # fmt: skip
    else:
        report = align_links(
            store,
            translation=translation,
            everything=everything,
            embedder=embedder(semantic),
            force=force,
            max_cells=state.settings.max_align_cells,
        )
    for skipped in report.skipped:
        say_error(f"{skipped['translation']}: {skipped['reason']}")
    fmt = chosen_format(fmt, as_json)
    if fmt is not OutputFormat.table:
        data = report.to_json()
        emit(data, fmt, flat=data["aligned"], columns=ALIGN_COLUMNS)
    else:
        _print_aligned_summary(report)
    if report.skipped:
        raise typer.Exit(1)


def _print_aligned_summary(report: Any) -> None:
    """The links aligned in this run (none: no table), then the run's counts on stderr."""
    if report.aligned:
        rows = [[str(row["link"]), bare_url(row["translation"]), str(row["groups"]), str(row["flags"]),
                 f"{row['coverage']:.0%}"] for row in report.aligned]  # fmt: skip
        print_listing(["link", "translation", "groups", "flags", "coverage"], rows, flexible={1})
    err.print(
        f"{len(report.aligned)} aligned, {report.unchanged} unchanged, {len(report.kept)} kept as reviewed"
        + (f", {len(report.skipped)} skipped" if report.skipped else "")
    )
