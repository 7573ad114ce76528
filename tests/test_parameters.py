"""Parameters as data: the flag and link thresholds are parameters that change what is
flagged and how candidates score, each flag kind's severity is written once (data/severity.toml)
and read by both the alignment flags and the change flags, and outlet rules find their outlet
by the hosts of data/outlets.json."""

from __future__ import annotations

from provenance.align import Group, Paragraph
from provenance.extract import outlet_lead
from provenance.flags import FlagParams, ProposedFlag, flags_for_alignment
from provenance.link import Candidate, LinkParams, combined_score
from provenance.verification import ADDITION_FLAGS, change_flag
from provenance.vocab import FlagKind, ParagraphKind, Severity


def _pair(english: str, arabic: str) -> tuple[list[Paragraph], list[Paragraph]]:
    return [Paragraph(0, english, "body", "en")], [Paragraph(0, arabic, "body", "ar")]


def _kinds(flags: list[ProposedFlag]) -> list[str]:
    return [f.kind for f in flags]


def test_a_rounded_figure_is_a_mismatch_only_beyond_the_rounding_parameter() -> None:
    t, o = _pair("About 3.3 million Syrians live in Turkey.", "يعيش في تركيا 3,270,000 سوري.")
    group = [Group((0,), (0,), "matched")]
    assert _kinds(flags_for_alignment(group, t, o)) == []
    strict = FlagParams(rounding=0.001)
    assert _kinds(flags_for_alignment(group, t, o, params=strict)) == ["number_mismatch"]


def test_a_short_translation_is_condensed_below_the_share_parameter() -> None:
    t, o = _pair("A short summary.", "نص طويل " * 60)
    group = [Group((0,), (0,), "matched")]
    assert _kinds(flags_for_alignment(group, t, o)) == ["condensed"]
    lenient = FlagParams(condensed_share=0.01)
    assert _kinds(flags_for_alignment(group, t, o, params=lenient)) == []


def test_every_flag_kind_has_its_severity_and_a_change_flag_shares_it() -> None:
    severities = {kind: ProposedFlag(kind, "group").severity for kind in FlagKind}
    assert {k for k, s in severities.items() if s == Severity.high} == {
        "number_mismatch", "date_mismatch", "name_mismatch", "source_changed",
        "translation_changed",
    }  # fmt: skip
    assert {k for k, s in severities.items() if s == Severity.medium} == {"dropped", "condensed"}
    for translation_side in (True, False):
        flag = change_flag(translation_side, "https://example.org/a", 2, "diff")
        assert flag["severity"] == severities[flag["kind"]] == Severity.high


def test_a_report_counts_as_additions_exactly_the_kinds_unmatched_paragraphs_get() -> None:
    kinds = [str(k) for k in ParagraphKind]
    t = [Paragraph(i, f"Paragraph {i}.", kind, "en") for i, kind in enumerate(kinds)]
    groups = [Group((i,), (), "added") for i in range(len(t))]
    added = set(_kinds(flags_for_alignment(groups, t, [])))
    assert added == set(ADDITION_FLAGS)


def test_the_credit_bonus_is_a_link_parameter() -> None:
    base = Candidate(1, "u", None, "", None, term_score=0.5, coverage=0.8, original_coverage=0.6)
    credited = Candidate(**{**base.__dict__, "credited": True})
    assert combined_score(credited) == round(combined_score(base) + 0.05, 4)
    assert combined_score(credited, LinkParams(weight_credit=0.0)) == combined_score(base)


def test_an_outlet_rule_applies_on_every_host_the_outlet_registry_lists() -> None:
    html = b"""<html><body><div class="post-excerpt">Prices rose in Aleppo, traders said.</div>
<article><p>Body.</p></article></body></html>"""
    lead = ["Prices rose in Aleppo, traders said."]
    assert outlet_lead(html, "https://english.enabbaladi.net/archives/2023/01/x/") == lead
    assert outlet_lead(html, "https://www.enabbaladi.net/archives/604512") == lead
    assert outlet_lead(html, "https://example.org/news/1") == []
