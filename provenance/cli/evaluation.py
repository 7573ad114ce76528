"""``provenance eval``: the aligner scored against gold pairs, beside the Gale-Church baseline,
with each pair's errors on request (``--details``)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from provenance.cli.app import embedder
from provenance.cli.options import (
    FormatOpt,
    JsonOpt,
    OutputFormat,
    SemanticOpt,
    chosen_format,
    no_csv,
)
from provenance.cli.render import emit, err, out, plain_table

SCORE_COLUMNS = ["method", "measure", "precision", "recall", "f1"]


class EvalMethod(StrEnum):
    """The aligners ``eval`` scores (provenance.eval.METHODS): a typo is a usage error, exit 2."""

    ours = "ours"
    gale_church = "gale-church"


def evaluate_pairs(
    paths: Annotated[list[Path], typer.Argument(help="Gold pair files or directories.")],
    method: Annotated[
        EvalMethod,
        typer.Option("--method", help="ours or gale-church (the JSON reports this one)."),
    ] = EvalMethod.ours,
    semantic: SemanticOpt = None,
    details: Annotated[
        bool,
        typer.Option(
            "--details", help="Per pair: the wrong groups (predicted against gold), flag errors."
        ),
    ] = False,
    fmt: FormatOpt = OutputFormat.table,
    as_json: JsonOpt = False,
) -> None:
    """Score alignment, additions, drops, flags and linking against gold pairs.

    With --json, prints exactly the object of docs/formats.md §3 for --method (with --details, a
    "details" list beside it); as a table, ours and the Gale-Church baseline side by side.

    Example: `provenance eval fixtures/pairs --details`
    """
    from provenance.eval import evaluate

    fmt = chosen_format(fmt, as_json)
    if details:
        no_csv(fmt, "eval --details (scores and each pair's errors)")
    model = embedder(semantic)
    per_pair: list[dict[str, Any]] | None = [] if details else None
    if fmt is not OutputFormat.table:
        result = evaluate(paths, method=method.value, embedder=model, details=per_pair)
        emit({**result, "details": per_pair} if details else result, fmt,
             flat=_score_rows(result, method), columns=SCORE_COLUMNS)  # fmt: skip
        return
    ours = evaluate(paths, method="ours", embedder=model, details=per_pair)
    if per_pair:
        out.print(_details_table(per_pair))
    baseline = evaluate(paths, method="gale-church")
    out.print(_scores_table(ours, baseline, semantic=model is not None))
    if ours.get("linking"):
        link = ours["linking"]
        out.print(
            f"linking: {link['queries']} queries over {link['candidates']} candidates, top-1 {link['top1']:.3f}, MRR {link['mrr']:.3f}"
        )
    err.print(f"{ours['seconds']:.1f} s (ours), {baseline['seconds']:.1f} s (gale-church)")


def _scores_table(ours: dict[str, Any], baseline: dict[str, Any], *, semantic: bool) -> Table:
    """Precision, recall and F1 of each measure, ours and the baseline side by side."""
    label = "semantic" if semantic else "no semantic"
    table = plain_table(title=f"{ours['pairs']} gold pairs: ours ({label}) and gale-church")
    table.add_column("measure", no_wrap=True)
    for name in ("ours P", "R", "F1", "g-c P", "R", "F1"):
        table.add_column(name, justify="right", no_wrap=True)
    rows = [(name, ours[name], baseline[name]) for name in ("alignment", "added", "dropped")]
    for kind in sorted(set(ours["flags"]) | set(baseline["flags"])):
        rows.append((f"flag {kind}", ours["flags"].get(kind), baseline["flags"].get(kind)))
    for name, a, b in rows:
        table.add_row(name, *_score_cells(a), *_score_cells(b))
    return table


def _score_cells(scores: dict[str, float] | None) -> list[str]:
    """A method that neither predicted nor missed a kind has nothing to score: a dash."""
    if scores is None:
        return ["–"] * 3
    return [f"{scores[k]:.3f}" for k in ("precision", "recall", "f1")]


def _score_rows(result: dict[str, Any], method: str) -> list[dict[str, Any]]:
    """The scores of one method as CSV rows, one per measure (as the table shows them)."""
    measures = [(name, result[name]) for name in ("alignment", "added", "dropped")]
    measures += [(f"flag {kind}", scores) for kind, scores in sorted(result["flags"].items())]
    return [{"method": method, "measure": name, **scores} for name, scores in measures]


def _side(indices: list[int] | int | None) -> str:
    if isinstance(indices, list):
        return ",".join(map(str, indices)) or "–"
    return "–" if indices is None else str(indices)


def _group(ts: list[int] | int | None, os: list[int] | int | None) -> str:
    """A group as ``translation↔original`` paragraph indices, "–" for an empty side."""
    return f"{_side(ts)}↔{_side(os)}"


def _details_table(per_pair: list[dict[str, Any]]) -> Table:
    """The errors of each pair that has any: wrong groups against gold, wrong or missed flags."""
    table = plain_table(title="errors by pair (translation↔original paragraphs)")
    for name in ("pair", "F1", "error", "predicted", "gold"):
        table.add_column(name, no_wrap=name != "gold")
    for pair in per_pair:
        rows = [
            (
                f"group ({wrong['kind']})",
                _group(*wrong["predicted"]),
                ", ".join(_group(*g) for g in wrong["gold"]),
            )
            for wrong in pair["wrong_groups"]
        ]
        for flag in pair["flag_errors"]:
            where = _group(flag["translation"], flag["original"])
            rows.append((f"{flag['error']} {flag['kind']}",
                         where if flag["error"] == "false" else "",
                         where if flag["error"] == "missed" else ""))  # fmt: skip
        for n, (error, predicted, gold) in enumerate(rows):
            f1 = f"{pair['alignment']['f1']:.2f}" if n == 0 else ""
            table.add_row(pair["id"] if n == 0 else "", f1, error, predicted, gold)
    return table
