"""Align the paragraphs of a translation with those of its original.

The approach (docs/design.md, "Aligning paragraphs"):

1. Paragraphs tagged at ingest as chrome, disclaimers, read-also lines, repeated headlines
   or standfirsts are known additions: they are set aside before anything is scored.
2. A dynamic programme over the remaining paragraphs, in order, with moves 1-1, 1-0, 0-1,
   1-2, 2-1, 1-3 and 3-1. A group that links paragraphs must earn it: its score is the
   evidence (semantic similarity normalised for this pair of documents, anchor coverage,
   length, position) minus a threshold, while leaving a paragraph unpaired scores zero. A
   link with no evidence is therefore worse than two gaps.
3. A second pass pairs leftover paragraphs out of order (moved), with a stricter threshold.

Every group keeps its score, its signals and the anchors that matched, so a reviewer can see
why it was made.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from provenance.embed import EMBED_BATCH, Embedder, embed_everything, embed_texts, group_vector
from provenance.text.anchors import Anchors, anchors_from_json, extract_anchors
from provenance.text.segment import CHROME_KINDS
from provenance.vocab import GroupKind, ParagraphKind

KNOWN_ADDITION_KINDS = frozenset(
    CHROME_KINDS
    | {ParagraphKind.standfirst, ParagraphKind.translator_note, ParagraphKind.attribution}
)
"""Translation paragraphs that enter alignment as additions (docs/design.md, "Flags")."""

MOVES = ((1, 1), (1, 0), (0, 1), (1, 2), (2, 1), (1, 3), (3, 1))
"""(translation paragraphs, original paragraphs) consumed by one step of the DP."""


@dataclass(frozen=True)
class Paragraph:
    """A paragraph to align: its position in the article, text, kind (from ingest), language."""

    index: int
    text: str
    kind: str = "body"
    lang: str = "en"
    anchors: Anchors | None = field(default=None, compare=False, repr=False)
    """As stored at ingest; None: extracted when needed."""


def anchors_of(paragraph: Paragraph, default_lang: str) -> Anchors:
    """The paragraph's anchors: stored ones when it has them, else extracted (cached by text)."""
    if paragraph.anchors is not None:
        return paragraph.anchors
    return extract_anchors(paragraph.text, paragraph.lang or default_lang)


@dataclass
class Group:
    """One alignment group: which paragraphs of each side say the same thing (or nothing)."""

    translation: tuple[int, ...]
    original: tuple[int, ...]
    kind: str
    """matched, added, dropped or moved."""
    score: float = 0.0
    signals: dict[str, float] = field(default_factory=dict)
    anchors: dict[str, list[str]] = field(default_factory=dict)
    """matched, translation_only and original_only anchors, for reviewers and flags."""

    def to_json(self) -> dict[str, Any]:
        return {
            "translation": list(self.translation),
            "original": list(self.original),
            "kind": self.kind,
            "score": round(self.score, 4),
            "signals": {k: round(v, 4) for k, v in self.signals.items()},
            "anchors": self.anchors,
        }


@dataclass(frozen=True)
class AlignParams:
    """The aligner's weights. Group score = evidence - threshold; a gap scores 0.

    The weights are the log-odds of a logistic model of "these paragraphs are a link" fitted
    on the 1-1 candidates of fixtures/pairs (README, "How the aligner works"); two sets,
    since without the semantic backend the anchors must carry the whole decision.
    """

    length_ratio: float = 1.2
    """English characters per Arabic character (Gale-Church mean)."""
    length_variance: float = 20.0
    """Gale-Church variance per character (edited news varies far more than parliament)."""
    weight_semantic: float = 3.5
    weight_anchors: float = 3.6
    weight_length: float = 0.3
    weight_position: float = 1.5
    threshold: float = 5.0
    merge_cost: float = 0.0
    """Extra cost per additional paragraph in a 1-2, 2-1, 1-3 or 3-1 group."""
    gap_coverage: float = 0.6
    """A leftover translation paragraph whose anchors are this well covered by a leftover
    original paragraph in the same gap between links is their (condensed) translation."""
    gap_mass: float = 0.7
    """... provided the matched anchors weigh at least this much."""
    gap_relief: float = 1.0
    """How much the threshold is lowered for links inside a gap bounded by two links (or an
    article's end): their position is evidence in itself."""
    absorb_share: float = 0.3
    """... and at least this share of the neighbour's own anchors must be on the other side."""
    absorb_gain: float = 0.0
    """How much a leftover neighbour must raise a link's evidence to be absorbed into it."""
    facing_anchors: float = 0.25
    """Anchor evidence (0..1) that one leftover paragraph facing another between two links
    needs to be linked to it."""
    move_threshold: float = 1.5
    """Leftover paragraphs are paired out of order (moved) when their score exceeds this."""
    semantic_cap: float = 4.0
    semantic_prior_mean: float = 0.80
    semantic_prior_spread: float = 0.03
    """Cosine of unrelated paragraph pairs under multilingual-e5-small, and its spread
    (measured on fixtures/pairs and the development set): the normalisation's prior."""
    semantic_prior_weight: float = 3.0
    """How many paragraphs' worth of evidence the prior counts for."""
    length_floor: float = -10.0

    @classmethod
    def without_semantics(cls, **overrides: float) -> AlignParams:
        values: dict[str, float] = {
            "weight_semantic": 0.0,
            "weight_anchors": 8.2,
            "weight_position": 2.9,
            "threshold": 1.5,
            "gap_relief": 0.5,
        }
        values.update(overrides)
        return cls(**values)


# -- signals ---------------------------------------------------------------------------------

CONCEPT_WEIGHTS = {
    "noun": 0.2,
    "verb": 0.2,
    "adj": 0.15,
    "unit": 0.3,
    "currency": 0.4,
    "event": 0.4,
}


DATE_WEIGHTS = {"d": 1.0, "m": 0.35, "y": 0.35, "wd": 0.5}
"""Base weight of a date anchor by its prefix (a day says more than a month or a year)."""


def anchor_keys(anchors: Anchors, *, names: bool) -> dict[str, float]:
    """Anchor key -> base weight (before rarity). Names only where they can be counted.

    Kept with the anchors object (one dict, shared: only read it), since a paragraph is
    scored against several candidates when linking, twice on the semantic path, and each
    time ``align --all`` meets an outlet's recurring lines (whose anchors are shared too:
    extraction and stored anchors are cached). Not in a cache keyed by the anchors: looking
    one up compares equal anchors of other paragraphs field by field."""
    slot = "_keys_with_names" if names else "_keys"
    memo = anchors.__dict__  # a frozen dataclass's own dict: the memo is not a field
    keys = memo.get(slot)
    if keys is None:
        keys = memo[slot] = _anchor_keys(anchors, names)
    return keys


def _anchor_keys(anchors: Anchors, names: bool) -> dict[str, float]:
    keys = {
        f"n:{number}": 0.5
        if (number.isdigit() and int(number) <= 10) or number.startswith("~")
        else 1.0
        for number in anchors.numbers
    }
    # (update, as assignment would: a later kind's key that repeats one keeps its place)
    keys.update({date: DATE_WEIGHTS.get(date.partition(":")[0], 0.5) for date in anchors.dates})
    categories = anchors.concept_categories
    keys.update(
        {
            f"c:{concept}": CONCEPT_WEIGHTS.get(categories.get(concept, ""), 0.6)
            for concept in anchors.concepts
        }
    )
    if names:
        keys.update({f"p:{name}": 0.6 if len(name) >= 3 else 0.3 for name in anchors.names})
    return keys


@dataclass
class PairContext:
    """Everything the scores need about one translation/original pair, computed once."""

    translation: list[Paragraph]
    original: list[Paragraph]
    params: AlignParams
    t_anchors: list[Anchors]
    o_anchors: list[Anchors]
    t_keys: list[dict[str, float]]
    o_keys: list[dict[str, float]]
    o_names: list[frozenset[str]]
    rarity: dict[str, float]
    """Anchor key -> its weight for being common in the article, for the keys below 1."""
    t_vectors: np.ndarray | None = None
    o_vectors: np.ndarray | None = None
    cos_spread: float = 1.0
    t_embedded: np.ndarray | None = None
    o_embedded: np.ndarray | None = None
    """Which paragraphs have a vector (rows of the others are zero): the semantic signal is
    spent only where it can change a decision (``align_pairs``)."""
    t_weights: list[dict[str, float]] = field(init=False, repr=False)
    o_weights: list[dict[str, float]] = field(init=False, repr=False)
    """Each paragraph's anchor keys with their weights (base x rarity): every coverage below
    sums these, so each product is computed once a pair rather than once a candidate."""
    o_found: list[set[str]] = field(init=False, repr=False)
    """The translation keys each original paragraph answers: its own keys, and its names as
    ``p:`` keys (``p:`` keys match names only)."""
    o_share: list[set[str]] = field(init=False, repr=False)
    """Its keys and its names as ``p:`` keys (what ``_share_found`` counts as found)."""
    key_weights: dict[str, float] = field(init=False, repr=False)
    """One weight per key for the matrices: the base of the first translation paragraph
    that has it (else the first original one) x rarity."""

    def __post_init__(self) -> None:
        # Most keys have rarity 1 and weigh their base (x 1.0 is exact): a paragraph with no
        # rarer key keeps its own dict.
        rare = {key: value for key, value in self.rarity.items() if value != 1.0}
        self.t_weights = [_weighted(keys, rare) for keys in self.t_keys]
        self.o_weights = [_weighted(keys, rare) for keys in self.o_keys]
        # An Arabic paragraph's names (the skeleton of every word) matter only where a
        # translation paragraph has them as a name key.
        # (the translation's name keys are ``p:`` and its anchors' names: anchor_keys)
        t_names = set().union(*(anchors.names for anchors in self.t_anchors))
        self.o_found, self.o_share = [], []
        clash = _has_name_keys(self.o_keys)
        for keys, names in zip(self.o_keys, self.o_names, strict=True):
            share = keys.keys() | {f"p:{name}" for name in names & t_names}
            self.o_share.append(share)
            if clash and _has_name_keys([keys]):  # p: keys match names only
                share = {key for key in keys if not key.startswith("p:")}
                share |= {f"p:{name}" for name in names & t_names}
            self.o_found.append(share)
        bases: dict[str, float] = {}
        for keys in reversed((*self.t_keys, *self.o_keys)):
            bases.update(keys)  # the first paragraph's base wins
        self.key_weights = _weighted(bases, rare)

    @classmethod
    def build(
        cls,
        translation: list[Paragraph],
        original: list[Paragraph],
        params: AlignParams,
        embedder: Embedder | None = None,
        vectors: dict[str, np.ndarray] | None = None,
    ) -> PairContext:
        """``vectors`` (text -> vector, from ``embed_texts``) instead of an ``embedder``: the
        paragraphs whose text is missing there have no semantic signal."""
        t_anchors = [anchors_of(p, "en") for p in translation]
        o_anchors = [anchors_of(p, "ar") for p in original]
        t_keys = [anchor_keys(a, names=True) for a in t_anchors]
        o_keys = [anchor_keys(a, names=False) for a in o_anchors]
        o_names = [a.names for a in o_anchors]
        t_names = set().union(*(a.names for a in t_anchors))
        df = _key_counts(t_keys, o_keys, o_names, t_names)
        # Rarity: an anchor in one paragraph of each side is worth 1; in many, much less.
        # Only the rarer keys are kept: every lookup defaults to 1.
        rarity = {k: min(1.0, 2.0 / c) ** 0.5 for k, c in df.items() if c > 2}
        ctx = cls(
            translation, original, params, t_anchors, o_anchors, t_keys, o_keys, o_names, rarity
        )
        if embedder is not None and vectors is None:
            vectors = embed_texts(embedder, [p.text for p in [*translation, *original]])
        if vectors is not None and translation and original:
            ctx.t_vectors, ctx.t_embedded = _stack(vectors, translation)
            ctx.o_vectors, ctx.o_embedded = _stack(vectors, original)
            if ctx.t_embedded.any() and ctx.o_embedded.any():
                cos = ctx.t_vectors[ctx.t_embedded] @ ctx.o_vectors[ctx.o_embedded].T
                ctx.cos_spread = _shrunk_spread(cos, params)
            else:
                ctx.t_vectors = ctx.o_vectors = None
        return ctx

    # -- one group's evidence ---------------------------------------------------------------

    def semantic(self, ts: Sequence[int], os: Sequence[int]) -> float | None:
        """Cosine of the group's vectors, normalised against this document pair (CSLS-style)."""
        if self.t_vectors is None or self.o_vectors is None:
            return None
        assert self.t_embedded is not None and self.o_embedded is not None
        if not (all(self.t_embedded[i] for i in ts) and all(self.o_embedded[j] for j in os)):
            return None
        t_vec = group_vector(self.t_vectors[i] for i in ts)
        o_vec = group_vector(self.o_vectors[j] for j in os)
        o_all, t_all = self.o_vectors[self.o_embedded], self.t_vectors[self.t_embedded]
        mean_t = float(_shrunk_mean((o_all @ t_vec)[None, :], self.params)[0])
        mean_o = float(_shrunk_mean((t_all @ o_vec)[None, :], self.params)[0])
        cos = float(t_vec @ o_vec)
        value = (2 * cos - mean_t - mean_o) / (2 * self.cos_spread)
        return max(-self.params.semantic_cap, min(self.params.semantic_cap, value))

    def evidence(self, ts: Sequence[int], os: Sequence[int], *, length: bool = True) -> float:
        """A group's evidence on the scale of the DP's scores, position left out: for groups
        of any shape, which the matrices do not hold. ``length=False``: only what the two
        sides share (a condensed translation is short by design)."""
        p = self.params
        total = p.weight_anchors * self._coverage(ts, os)[0]
        if length:
            total += p.weight_length * max(self.length_logprob(ts, os), p.length_floor)
        semantic = self.semantic(ts, os) if p.weight_semantic else None
        return total + (p.weight_semantic * semantic if semantic is not None else 0.0)

    def anchor_evidence(
        self, ts: Sequence[int], os: Sequence[int]
    ) -> tuple[float, dict[str, list[str]]]:
        """Coverage of each side's anchors by the other, weighted by rarity (0..1)."""
        value, matched, t_only, o_only = self._coverage(ts, os)
        details = {
            "matched": sorted(matched),
            "translation_only": sorted(t_only),
            "original_only": sorted(o_only),
        }
        return value, details

    def _coverage(
        self, ts: Sequence[int], os: Sequence[int]
    ) -> tuple[float, list[str], list[str], list[str]]:
        """``anchor_evidence`` with its keys unsorted (``evidence`` needs only the value)."""
        t_keys = _merged(self.t_weights, ts)
        o_keys = _merged(self.o_weights, os)
        found = self.o_found[os[0]] if len(os) == 1 else set().union(*(self.o_found[j] for j in os))
        matched, t_only = [], []
        m_t = tot_t = 0.0
        for key, w in t_keys.items():
            tot_t += w
            if key in found:
                m_t += w
                matched.append(key)
            else:
                t_only.append(key)
        m_o = tot_o = 0.0
        o_only = []
        for key, w in o_keys.items():
            tot_o += w
            if key in t_keys:
                m_o += w
            else:
                o_only.append(key)
        if not tot_t or not tot_o:
            coverage = 0.0
        else:
            coverage = math.sqrt((m_t / tot_t) * (m_o / tot_o)) if m_o else 0.5 * m_t / tot_t
        strength = 1.0 - math.exp(-(m_t + m_o) / 2.0)
        return coverage * strength, matched, t_only, o_only

    def length_logprob(self, ts: Sequence[int], os: Sequence[int]) -> float:
        """Gale-Church: log-probability of the length difference, from 0 (perfect) down."""
        l_t = sum(len(self.translation[i].text) for i in ts)
        l_o = sum(len(self.original[j].text) for j in os)
        c, s2 = self.params.length_ratio, self.params.length_variance
        mean = (l_o + l_t / c) / 2
        delta = (l_t - l_o * c) / math.sqrt(max(mean, 1.0) * s2)
        p = max(2 * (1 - _phi(abs(delta))), 1e-12)
        return math.log(p)


def _has_name_keys(key_dicts: Sequence[dict[str, float]]) -> bool:
    """Whether any key starts with ``p:`` (on the Arabic side only a date could), found in
    one pass over the joined keys; a key holding a line break may say yes wrongly, which
    only sends the caller down its exact general path."""
    return "\np:" in "\n" + "\n".join(itertools.chain.from_iterable(key_dicts))


def _key_counts(
    t_keys: list[dict[str, float]],
    o_keys: list[dict[str, float]],
    o_names: list[frozenset[str]],
    t_names: set[str],
) -> dict[str, float]:
    """How common each anchor key is in the article, as ``Counter.update`` has always counted
    it: a paragraph's key adds its base weight, an Arabic paragraph's name adds 1 to its
    ``p:`` key (in this order, paragraph by paragraph: the sums are exactly the same).

    Only keys a paragraph has are ever looked up, so an Arabic name counts only towards a
    ``p:`` key the translation has; an Arabic name is every word, and there are many."""
    counts: dict[str, float] = {}
    get = counts.get
    for keys in t_keys:
        for key, base in keys.items():
            counts[key] = base + get(key, 0)
    if _has_name_keys(o_keys):
        # an Arabic key that looks like a name: interleave as Counter did, every name counted
        for keys, names in zip(o_keys, o_names, strict=True):
            for key, base in keys.items():
                counts[key] = base + get(key, 0)
            for name in names:
                key = f"p:{name}"
                counts[key] = get(key, 0) + 1
        return counts
    for keys in o_keys:
        for key, base in keys.items():
            counts[key] = base + get(key, 0)
    # the translation's p: keys are its names (``t_names``, see anchor_keys); each Arabic
    # paragraph adds 1 to those it shares (one key's additions in paragraph order, as above)
    for names in o_names:
        for name in names & t_names:
            counts[f"p:{name}"] += 1
    return counts


def _weighted(keys: dict[str, float], rare: dict[str, float]) -> dict[str, float]:
    """Anchor keys with their weights, base x rarity in the article: ``keys`` itself when
    none is among the ``rare`` ones (rarity below 1)."""
    common = keys.keys() & rare.keys()
    if not common:
        return keys
    weighted = dict(keys)
    for key in common:
        weighted[key] = keys[key] * rare[key]
    return weighted


def _merged(weights: list[dict[str, float]], members: Sequence[int]) -> dict[str, float]:
    """The keys of a group of paragraphs (a later paragraph's weight wins, as ``dict.update``
    does); one paragraph's own dict, not a copy, as it is only read."""
    if len(members) == 1:
        return weights[members[0]]
    merged: dict[str, float] = {}
    for member in members:
        merged.update(weights[member])
    return merged


def _shrunk_mean(cos: np.ndarray, params: AlignParams) -> np.ndarray:
    """Each row's mean cosine, pulled towards the model's typical cosine of unrelated
    paragraphs: in a short article a row has too few cells to say what "unrelated" is."""
    weight = params.semantic_prior_weight
    return (cos.sum(axis=1) + weight * params.semantic_prior_mean) / (cos.shape[1] + weight)


def _shrunk_spread(cos: np.ndarray, params: AlignParams) -> float:
    """The spread of a pair's cosines, pulled towards the model's typical spread likewise."""
    weight = params.semantic_prior_weight * 3
    variance = (cos.size * float(cos.var()) + weight * params.semantic_prior_spread**2) / (
        cos.size + weight
    )
    return math.sqrt(variance) or 1.0


def _stack(
    vectors: dict[str, np.ndarray], paragraphs: list[Paragraph]
) -> tuple[np.ndarray, np.ndarray]:
    """The paragraphs' vectors as rows (zero where a text has none) and which rows are real."""
    dim = next(iter(vectors.values())).shape[0] if vectors else 384
    rows = np.zeros((len(paragraphs), dim), dtype=np.float32)
    present = np.zeros(len(paragraphs), dtype=bool)
    for n, p in enumerate(paragraphs):
        vector = vectors.get(p.text)
        if vector is not None:
            rows[n], present[n] = vector, True
    return rows, present


def _body_mask(embedded: np.ndarray | None, body: list[int]) -> np.ndarray:
    return embedded[body] if embedded is not None else np.ones(len(body), dtype=bool)


def _window_all(mask: np.ndarray, size: int) -> np.ndarray:
    """For each run of ``size`` consecutive rows: are they all set."""
    n = len(mask) - size + 1
    if n <= 0:
        return np.zeros(0, dtype=bool)
    return np.all([mask[k : k + n] for k in range(size)], axis=0)


def _phi(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


# -- all groups of one shape at once -----------------------------------------------------------


@dataclass
class _Side:
    """One side's paragraphs as matrices over the pair's anchor vocabulary."""

    match: np.ndarray
    """(n, V) 1 where the paragraph has the anchor (names included on the Arabic side)."""
    keys: np.ndarray
    """(n, V) 1 where the anchor counts towards this side's total."""
    lengths: np.ndarray
    vectors: np.ndarray | None
    ranks: np.ndarray
    """Position of each body paragraph among the side's body paragraphs."""
    weighted: np.ndarray | None = None
    """(n, V) the anchors that count towards this side's total, times their weights."""
    total: np.ndarray | None = None
    """(n,) each row's total weight, 1 where it is 0 (its matched weight is 0 too, so the
    coverage is 0 either way)."""
    keyed: np.ndarray | None = None
    """(n,) whether the row has anchors of its own (a total above 0)."""
    scaled: np.ndarray | None = None
    """(n,) lengths in the other side's characters: / ratio (translation), x ratio (original)."""
    position: np.ndarray | None = None
    """(n,) where the row sits in its article, 0..1."""


def _windows(side: _Side, size: int) -> _Side:
    """The union of every run of ``size`` consecutive paragraphs, as one row each."""
    n = side.match.shape[0] - size + 1
    if n <= 0:
        empty = np.zeros((0, side.match.shape[1]), dtype=side.match.dtype)
        return _Side(
            empty,
            empty,
            np.zeros(0),
            None if side.vectors is None else np.zeros((0, side.vectors.shape[1])),
            np.zeros(0),
        )
    # elementwise maxima and sums of whole numbers: exact in any order, without stacking
    match, keys, lengths = side.match[:n], side.keys[:n], side.lengths[:n]
    for k in range(1, size):
        match = np.maximum(match, side.match[k : k + n])
        keys = match if side.keys is side.match else np.maximum(keys, side.keys[k : k + n])
        lengths = lengths + side.lengths[k : k + n]
    vectors = None
    if side.vectors is not None:
        summed = np.sum([side.vectors[k : k + n] for k in range(size)], axis=0)
        vectors = summed / np.maximum(np.linalg.norm(summed, axis=1, keepdims=True), 1e-9)
    ranks = (side.ranks[:n] + side.ranks[size - 1 : size - 1 + n]) / 2
    return _Side(match, keys, lengths, vectors, ranks)


class Scorer:
    """Scores every candidate group of a pair with a few matrix products."""

    def __init__(self, ctx: PairContext, t_body: list[int], o_body: list[int]) -> None:
        self.ctx = ctx
        self.params = ctx.params
        self.t_body, self.o_body = t_body, o_body
        # the pair's anchor vocabulary, numbered in order of first appearance
        t_rows, o_rows = [ctx.t_keys[i] for i in t_body], [ctx.o_keys[j] for j in o_body]
        order = dict.fromkeys(itertools.chain.from_iterable(t_rows))
        order.update(dict.fromkeys(itertools.chain.from_iterable(o_rows)))
        vocab = dict(zip(order, itertools.count()))
        t_columns = [list(map(vocab.__getitem__, keys)) for keys in t_rows]
        o_columns = [list(map(vocab.__getitem__, keys)) for keys in o_rows]
        self.weights = np.array([ctx.key_weights[key] for key in vocab], dtype=float)
        t_match = _incidence(t_columns, len(vocab))
        o_keys = _incidence(o_columns, len(vocab))
        # names count as found on the Arabic side, not towards its total
        o_match = _incidence(
            [[vocab[k] for k in ctx.o_share[j] if k in vocab] for j in o_body], len(vocab)
        )
        t_vec = ctx.t_vectors[t_body] if ctx.t_vectors is not None else None
        o_vec = ctx.o_vectors[o_body] if ctx.o_vectors is not None else None
        self.t_embedded = _body_mask(ctx.t_embedded, t_body)
        self.o_embedded = _body_mask(ctx.o_embedded, o_body)
        t_len = np.array([len(ctx.translation[i].text) for i in t_body], dtype=float)
        o_len = np.array([len(ctx.original[j].text) for j in o_body], dtype=float)
        self.t = _Side(t_match, t_match, t_len, t_vec, np.arange(len(t_body), dtype=float))
        self.o = _Side(o_match, o_keys, o_len, o_vec, np.arange(len(o_body), dtype=float))
        self.all_t_vec = t_vec[self.t_embedded] if t_vec is not None else None
        self.all_o_vec = o_vec[self.o_embedded] if o_vec is not None else None
        self.cos_spread = ctx.cos_spread
        self.t_rank = {i: r for r, i in enumerate(t_body)}
        self.o_rank = {j: r for r, j in enumerate(o_body)}
        self._window_cache: dict[tuple[str, int], _Side] = {}
        self.matrices: dict[tuple[int, int], np.ndarray] = {}
        self.parts: dict[tuple[int, int], dict[str, np.ndarray]] = {}
        for shape in MOVES:
            if shape[0] and shape[1]:
                self.matrices[shape] = self._score(shape)
        self.tables = {shape: matrix.tolist() for shape, matrix in self.matrices.items()}
        """The matrices as nested lists, for the DP's cell-by-cell loop."""

    def _window(self, side: str, size: int) -> _Side:
        """One side's windows of ``size`` paragraphs with their weighted anchors: each size
        serves several shapes (1 is in five of them), so it is built once."""
        key = (side, size)
        if key not in self._window_cache:
            whole = self.t if side == "t" else self.o
            window = _windows(whole, size)
            window.weighted = window.keys * self.weights
            total = window.weighted.sum(axis=1)
            window.keyed = total > 0
            window.total = np.where(window.keyed, total, 1.0)
            ratio = self.params.length_ratio
            window.scaled = window.lengths / ratio if side == "t" else window.lengths * ratio
            window.position = (window.ranks + 0.5) / max(len(whole.lengths), 1)
            self._window_cache[key] = window
        return self._window_cache[key]

    def _score(self, shape: tuple[int, int]) -> np.ndarray:
        p = self.params
        t, o = self._window("t", shape[0]), self._window("o", shape[1])
        if not len(t.lengths) or not len(o.lengths):
            return np.full((len(t.lengths), len(o.lengths)), -np.inf)
        assert t.weighted is not None and t.total is not None and t.scaled is not None
        assert o.weighted is not None and o.total is not None and o.scaled is not None
        assert t.position is not None and o.position is not None and o.keyed is not None
        m_t = t.weighted @ o.match.T
        m_o = t.match @ o.weighted.T
        cov_t = m_t / t.total[:, None]
        cov_o = m_o / o.total[None, :]
        coverage = np.where(m_o > 0, np.sqrt(cov_t * cov_o), 0.5 * cov_t)
        if not o.keyed.all():  # names alone do not cover an original with no anchors
            coverage = np.where(o.keyed[None, :], coverage, 0.0)
        anchors = coverage * (1 - np.exp(-(m_t + m_o) / 2))
        # Gale-Church length term
        mean = np.maximum((o.lengths[None, :] + t.scaled[:, None]) / 2, 1.0)
        delta = np.abs(t.lengths[:, None] - o.scaled[None, :]) / np.sqrt(mean * p.length_variance)
        length = _length_term(delta / math.sqrt(2), p.length_floor)
        # position: distance from the diagonal
        position = np.abs(t.position[:, None] - o.position[None, :])
        score = p.weight_anchors * anchors + p.weight_length * length - p.weight_position * position
        parts = {"anchors": anchors, "length": length, "position": position}
        if t.vectors is not None and o.vectors is not None and p.weight_semantic:
            assert self.all_t_vec is not None and self.all_o_vec is not None
            cos = t.vectors @ o.vectors.T
            mean_t = _shrunk_mean(t.vectors @ self.all_o_vec.T, p)[:, None]
            mean_o = _shrunk_mean(o.vectors @ self.all_t_vec.T, p)[None, :]
            semantic = np.clip(
                (2 * cos - mean_t - mean_o) / (2 * self.cos_spread), -p.semantic_cap, p.semantic_cap
            )
            score = score + p.weight_semantic * semantic
            parts["semantic"] = semantic
            # a group with a paragraph left unembedded (decided without the semantic signal,
            # see align_pairs) is not a candidate here
            t_ok = _window_all(self.t_embedded, shape[0])[:, None]
            o_ok = _window_all(self.o_embedded, shape[1])[None, :]
            score = np.where(t_ok & o_ok, score, -np.inf)
        extra = shape[0] + shape[1] - 2
        self.parts[shape] = parts
        return score - p.threshold - p.merge_cost * extra

    def group_score(self, shape: tuple[int, int], t_rank: int, o_rank: int) -> float:
        return float(self.matrices[shape][t_rank, o_rank])

    def signals(self, shape: tuple[int, int], t_rank: int, o_rank: int) -> dict[str, float]:
        return {name: float(values[t_rank, o_rank]) for name, values in self.parts[shape].items()}


def _length_term(x: np.ndarray, floor: float) -> np.ndarray:
    """Gale-Church log-probability, max(log(max(erfc(x), 1e-12)), floor), of every cell.

    numpy has no erfc, so it is ``math.erfc`` cell by cell, and only where it can matter:
    from ``_floor_from(floor)`` on the result is the floor whatever erfc's last digits."""
    out = np.full(x.shape, floor)
    start = _floor_from(floor)
    # (a NaN stays a NaN, as it always was)
    near = np.ones(x.shape, dtype=bool) if start is None else ~(x >= start)
    values = x[near]
    tail = np.fromiter(map(math.erfc, values.tolist()), dtype=float, count=values.size)
    out[near] = np.maximum(np.log(np.maximum(tail, 1e-12)), floor)
    return out


@functools.cache
def _floor_from(floor: float) -> float | None:
    """An x from which log(max(erfc(x), 1e-12)) is below ``floor`` with room to spare (erfc
    is under exp(floor - 1) there, erfc decreasing); None when the 1e-12 clamp alone could
    stay above the floor."""
    target = math.exp(floor - 1)
    if not target > 1e-12 * math.e:
        return None
    low, high = 0.0, 40.0  # erfc(40) is 0.0
    for _ in range(80):
        middle = (low + high) / 2
        low, high = (middle, high) if math.erfc(middle) > target else (low, middle)
    return high


def _incidence(columns: list[list[int]], width: int) -> np.ndarray:
    """(len(columns), width): 1 in each row's columns."""
    matrix = np.zeros((len(columns), width))
    rows = np.repeat(np.arange(len(columns)), [len(row) for row in columns])
    matrix[rows, list(itertools.chain.from_iterable(columns))] = 1
    return matrix


# -- the alignment ------------------------------------------------------------------------------


def _dp(
    scorer: Scorer,
    t_span: tuple[int, int] | None = None,
    o_span: tuple[int, int] | None = None,
    relief: float = 0.0,
) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Best monotone path over body ranks ``t_span`` x ``o_span`` (half-open; default: all),
    each link's score raised by ``relief``: list of (translation ranks, original ranks)."""
    t0, t1 = t_span or (0, len(scorer.t_body))
    o0, o1 = o_span or (0, len(scorer.o_body))
    n, m = t1 - t0, o1 - o0
    _best, back = _dp_table(scorer.tables, t0, o0, n, m, relief)
    steps = []
    i, j = n, m
    while (i, j) != (0, 0):
        dt, do = back[i][j]
        i, j = i - dt, j - do
        steps.append((tuple(range(t0 + i, t0 + i + dt)), tuple(range(o0 + j, o0 + j + do))))
    return steps[::-1]


def _dp_table(
    tables: dict[tuple[int, int], list[list[float]]],
    t0: int,
    o0: int,
    n: int,
    m: int,
    relief: float,
) -> tuple[list[list[float]], list[list[tuple[int, int]]]]:
    """The DP's best totals and back pointers over an n x m span starting at (t0, o0).

    Each cell takes the best of the steps that reach it. Its candidates are tried in the
    order a forward pass over MOVES would offer them (their source cells in reading order:
    3-1, 2-1, then 1-3, 1-2, 1-1 and 1-0 from the row above, 0-1 from the left) and a later
    one wins only if strictly better, so ties resolve as they always did. Written out per
    step, on plain lists: this loop runs (n+1)(m+1) times per DP.
    """
    s11, s12, s21 = tables[(1, 1)], tables[(1, 2)], tables[(2, 1)]
    s13, s31 = tables[(1, 3)], tables[(3, 1)]
    neg = float("-inf")
    # row 0 and column 0 are reached by gaps alone: 0, from the left or from above
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int]]] = [[(1, 0)] + [(0, 1)] * m for _ in range(n + 1)]
    back[0][0] = (0, 0)
    span = slice(o0, o0 + m)
    for i in range(1, n + 1):
        row, row_back, above = best[i], back[i], best[i - 1]
        # each step's scores along this row, indexed by the source column
        a11, a12, a13 = s11[t0 + i - 1][span], s12[t0 + i - 1][span], s13[t0 + i - 1][span]
        # 2-1 and 3-1 steps start two and three rows up (placeholders, unread, above that)
        b2, a21 = (best[i - 2], s21[t0 + i - 2][span]) if i >= 2 else (row, a11)
        b3, a31 = (best[i - 3], s31[t0 + i - 3][span]) if i >= 3 else (row, a11)
        for j in range(1, m + 1):
            k = j - 1
            value, move = neg, (0, 0)
            if i >= 3:
                total = b3[k] + a31[k] + relief
                if total > value:
                    value, move = total, (3, 1)
            if i >= 2:
                total = b2[k] + a21[k] + relief
                if total > value:
                    value, move = total, (2, 1)
            if j >= 3:
                total = above[j - 3] + a13[j - 3] + relief
                if total > value:
                    value, move = total, (1, 3)
            if j >= 2:
                total = above[j - 2] + a12[j - 2] + relief
                if total > value:
                    value, move = total, (1, 2)
            total = above[k] + a11[k] + relief
            if total > value:
                value, move = total, (1, 1)
            if above[j] > value:
                value, move = above[j], (1, 0)
            if row[k] > value:
                value, move = row[k], (0, 1)
            row[j], row_back[j] = value, move
    return best, back


def _gaps(
    steps: list[tuple[tuple[int, ...], tuple[int, ...]]], n: int, m: int
) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """The stretches between consecutive links of a monotone path where both sides have
    paragraphs left over: (translation span, original span) in body ranks."""
    links = [(ts, os) for ts, os in steps if ts and os]
    if not links:  # no known position, except for a story told in one paragraph a side
        return [((0, n), (0, m))] if n == m == 1 else []
    bounds = [((-1,), (-1,)), *links, ((n,), (m,))]
    gaps = []
    for (t_before, o_before), (t_after, o_after) in itertools.pairwise(bounds):
        t_span, o_span = (t_before[-1] + 1, t_after[0]), (o_before[-1] + 1, o_after[0])
        if t_span[1] > t_span[0] and o_span[1] > o_span[0]:
            gaps.append((t_span, o_span))
    return gaps


def _facing_pair(
    scorer: Scorer, t_span: tuple[int, int], o_span: tuple[int, int]
) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """As many paragraphs left on each side between the same two links: the same passages in
    the same order, where each is the other's best match in the whole article and some
    anchors tie them (a plain 1-1 pair with few figures or names)."""
    size = t_span[1] - t_span[0]
    if size != o_span[1] - o_span[0]:
        return []
    matrix = scorer.matrices[(1, 1)]
    anchors = scorer.parts[(1, 1)]["anchors"]
    pairs: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
    for r, c in zip(range(*t_span), range(*o_span), strict=True):
        mutual = matrix[r, c] >= matrix[r, :].max() and matrix[r, c] >= matrix[:, c].max()
        # Similar topic is not enough (an added background paragraph beside a dropped one
        # reads alike): some of their figures, names or terms must be shared.
        if mutual and anchors[r, c] >= scorer.params.facing_anchors:
            pairs.append(((r,), (c,)))
    return pairs


FIX_MARGIN = 0.5
"""A link the anchors, length and position alone score at least this far above their
threshold is kept without embedding its paragraphs. On the gold sets (172 such links) the
semantic signal never undid a link scored above -0.15, and undid one at -0.36; halfway from
there to 1.0, which was first chosen without that measure, every alignment stays the one
embedding everything gives (README, "How the aligner works")."""


def align_paragraphs(
    translation: Sequence[Paragraph],
    original: Sequence[Paragraph],
    *,
    params: AlignParams | None = None,
    embedder: Embedder | None = None,
    embed_all: bool | None = None,
) -> list[Group]:
    """Alignment groups covering every paragraph of both sides exactly once.

    Without an embedder the semantic signal is absent and the no-semantic weights apply
    (unless ``params`` are given). With one, see ``align_pairs``.
    """
    return align_pairs(
        [(translation, original)], params=[params], embedder=embedder, embed_all=embed_all
    )[0]


def align_pairs(
    pairs: Sequence[tuple[Sequence[Paragraph], Sequence[Paragraph]]],
    *,
    params: Sequence[AlignParams | None] | None = None,
    embedder: Embedder | None = None,
    embed_all: bool | None = None,
    batch: int = EMBED_BATCH,
) -> list[list[Group]]:
    """Align many pairs, embedding the paragraphs of all of them together in batches.

    The semantic signal costs tens of milliseconds a paragraph, so it is spent only where it
    can change a decision: each pair is aligned first on anchors, length and position, and
    the links that evidence already carries with a margin (``FIX_MARGIN``) are kept; the
    other paragraphs (weak links, leftovers, and links a leftover neighbour could merge into)
    are embedded and aligned with the semantic signal between the kept links.
    ``embed_all`` (default: $PROVENANCE_EMBED_ALL) embeds every paragraph instead.
    """
    embed_all = embed_everything(embed_all)
    plans = [
        _Plan.make(list(t), list(o), p, embedder, embed_all)
        for (t, o), p in zip(pairs, params or [None] * len(pairs), strict=True)
    ]
    vectors = (
        embed_texts(embedder, [text for plan in plans for text in plan.texts], batch)
        if embedder is not None
        else {}
    )
    return [plan.finish(vectors) for plan in plans]


@dataclass
class _Plan:
    """One pair on its way through ``align_pairs``: what is decided, what needs vectors."""

    translation: list[Paragraph]
    original: list[Paragraph]
    params: AlignParams
    texts: list[str]
    """Paragraphs to embed."""
    groups: list[Group] | None = None
    """The answer, when no vector can change it."""
    fixed: list[Group] = field(default_factory=list)

    @classmethod
    def make(
        cls,
        translation: list[Paragraph],
        original: list[Paragraph],
        params: AlignParams | None,
        embedder: Embedder | None,
        embed_all: bool,
    ) -> _Plan:
        if params is None:
            params = AlignParams() if embedder is not None else AlignParams.without_semantics()
        if embedder is None or not params.weight_semantic:
            groups = _align(translation, original, params)
            return cls(translation, original, params, [], groups)
        if embed_all:
            return cls(translation, original, params, [p.text for p in translation + original])
        plain = AlignParams.without_semantics(
            length_ratio=params.length_ratio, length_variance=params.length_variance
        )
        ctx = PairContext.build(translation, original, plain)
        first = _align(translation, original, plain, ctx)
        fixed = _fixed_links(ctx, first)
        held_t = {i for g in fixed for i in g.translation}
        held_o = {j for g in fixed for j in g.original}
        open_t = [p.text for p in translation if _is_body(p, "t") and p.index not in held_t]
        open_o = [p.text for p in original if _is_body(p, "o") and p.index not in held_o]
        if not open_t or not open_o:  # nothing left on one side for a vector to pair
            return cls(translation, original, params, [], first)
        return cls(translation, original, params, open_t + open_o, None, fixed)

    def finish(self, vectors: dict[str, np.ndarray]) -> list[Group]:
        if self.groups is not None:
            return self.groups
        wanted = {text: vectors[text] for text in self.texts if text in vectors}
        ctx = PairContext.build(self.translation, self.original, self.params, vectors=wanted)
        return _align(self.translation, self.original, self.params, ctx, self.fixed)


def _is_body(paragraph: Paragraph, side: str) -> bool:
    """Whether the paragraph enters the DP (the rest are known additions or non-body)."""
    if side == "t":
        return paragraph.kind not in KNOWN_ADDITION_KINDS
    return paragraph.kind == ParagraphKind.body


def _fixed_links(ctx: PairContext, groups: list[Group]) -> list[Group]:
    """The links of a first, vector-free alignment that no vector would undo: scored well
    above the threshold, in order (or moved), and with no leftover neighbour that shares
    enough of its anchors to be merged into them (a merge is weighed with the semantic
    signal)."""
    chain = sorted(
        (g for g in groups if g.kind == GroupKind.matched and g.score >= FIX_MARGIN),
        key=lambda g: g.translation,
    )
    fixed = [
        g
        for n, g in enumerate(chain)
        if all(g.original[0] > h.original[-1] for h in chain[:n])
        and all(g.original[-1] < h.original[0] for h in chain[n + 1 :])
    ]
    fixed += [g for g in groups if g.kind == GroupKind.moved and g.score >= FIX_MARGIN]
    t_body = [p.index for p in ctx.translation if _is_body(p, "t")]
    o_body = [p.index for p in ctx.original if _is_body(p, "o")]
    changed = True
    while changed:
        held_t = {i for g in fixed for i in g.translation}
        held_o = {j for g in fixed for j in g.original}
        kept = [g for g in fixed if not _merge_candidate(ctx, g, t_body, o_body, held_t, held_o)]
        changed = len(kept) != len(fixed)
        fixed = kept
    return fixed


def _merge_candidate(
    ctx: PairContext,
    group: Group,
    t_body: list[int],
    o_body: list[int],
    held_t: set[int],
    held_o: set[int],
) -> bool:
    """Whether a paragraph beside the group, not held by another link, could be absorbed."""
    for side, members, body, held, other in (
        ("t", group.translation, t_body, held_t, group.original),
        ("o", group.original, o_body, held_o, group.translation),
    ):
        ranks = [body.index(m) for m in members]
        for r in (min(ranks) - 1, max(ranks) + 1):
            if (
                0 <= r < len(body)
                and body[r] not in held
                and _share_found(ctx, side, body[r], other) >= ctx.params.absorb_share
            ):
                return True
    return False


def _align(
    translation: list[Paragraph],
    original: list[Paragraph],
    params: AlignParams,
    ctx: PairContext | None = None,
    fixed: Sequence[Group] = (),
) -> list[Group]:
    """One pair's alignment; ``fixed`` links are kept as they are and the DP runs between
    them (their paragraphs have no vectors, their cells none of the DP's candidates)."""
    t_body = [p.index for p in translation if _is_body(p, "t")]
    o_body = [p.index for p in original if _is_body(p, "o")]
    if ctx is None:
        ctx = PairContext.build(translation, original, params)
    scorer = Scorer(ctx, t_body, o_body)
    t_rank, o_rank = scorer.t_rank, scorer.o_rank
    in_order = [g for g in fixed if g.kind == GroupKind.matched]
    held = [
        (tuple(t_rank[i] for i in g.translation), tuple(o_rank[j] for j in g.original))
        for g in in_order
    ]
    steps = []
    for t_span, o_span in _between(held, len(t_body), len(o_body)):
        steps += [s for s in _dp(scorer, t_span, o_span) if s[0] and s[1]]
    # Between two links the position of a leftover pair is known on both sides, so less
    # evidence is needed to link it: a second pass over each such gap, threshold relieved.
    for t_span, o_span in _gaps(sorted(steps + held), len(t_body), len(o_body)):
        found = [s for s in _dp(scorer, t_span, o_span, params.gap_relief) if s[0] and s[1]]
        steps += found or _facing_pair(scorer, t_span, o_span)
    linked: list[Group] = list(in_order)
    for t_ranks, o_ranks in sorted(steps):
        ts = tuple(t_body[r] for r in t_ranks)
        os = tuple(o_body[r] for r in o_ranks)
        shape = (len(ts), len(os))
        score = scorer.group_score(shape, t_ranks[0], o_ranks[0])
        signals = scorer.signals(shape, t_ranks[0], o_ranks[0])
        linked.append(_group(ctx, ts, os, GroupKind.matched, score, signals))
    linked = _absorb(ctx, scorer, linked)
    linked += _fill_gaps(ctx, scorer, linked)
    linked += [g for g in fixed if g.kind == GroupKind.moved]
    linked += _moves(ctx, scorer, linked)
    return _complete(translation, original, linked)


def _between(
    held: list[tuple[tuple[int, ...], tuple[int, ...]]], n: int, m: int
) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """The spans (body ranks) before, between and after the held links: the whole pair when
    none is held."""
    bounds = [((-1,), (-1,)), *sorted(held), ((n,), (m,))]
    return [
        ((t_before[-1] + 1, t_after[0]), (o_before[-1] + 1, o_after[0]))
        for (t_before, o_before), (t_after, o_after) in itertools.pairwise(bounds)
    ]


def _group(
    ctx: PairContext,
    ts: tuple[int, ...],
    os: tuple[int, ...],
    kind: str,
    score: float,
    signals: dict[str, float],
) -> Group:
    _, anchors = ctx.anchor_evidence(ts, os)
    return Group(ts, os, kind, score, signals, anchors)


def _absorb(ctx: PairContext, scorer: Scorer, linked: list[Group]) -> list[Group]:
    """Grow each link over the leftover paragraphs beside it while its evidence improves: a
    paragraph condensed into (or split out of) its neighbour is part of the same group, not a
    drop or an addition beside it. The DP's shapes stop at three paragraphs a side."""
    used_t = {i for g in linked for i in g.translation}
    used_o = {j for g in linked for j in g.original}
    grown = []
    for group in sorted(linked, key=lambda g: g.translation):
        ts, os = list(group.translation), list(group.original)
        while True:
            options = []
            for side, members, body, rank, used in (
                ("t", ts, scorer.t_body, scorer.t_rank, used_t),
                ("o", os, scorer.o_body, scorer.o_rank, used_o),
            ):
                for neighbour in (rank[members[0]] - 1, rank[members[-1]] + 1):
                    if 0 <= neighbour < len(body) and body[neighbour] not in used:
                        options.append((side, body[neighbour]))
            scored = []
            current: dict[bool, float] = {}  # the link's own evidence, with and without length
            for side, index in options:
                new_ts = sorted([*ts, index]) if side == "t" else ts
                new_os = sorted([*os, index]) if side == "o" else os
                # the neighbour must share content with the other side, not only even out
                # the lengths: enough of its own anchors are found there
                other = os if side == "t" else ts
                if _share_found(ctx, side, index, other) < ctx.params.absorb_share:
                    continue
                # one paragraph condensing several originals is short by design: its length
                # says nothing against the merge
                length = not (side == "o" and len(ts) == 1)
                if length not in current:
                    current[length] = ctx.evidence(ts, os, length=length)
                gain = ctx.evidence(new_ts, new_os, length=length) - current[length]
                scored.append((gain, side, index))
            if not scored or max(scored)[0] <= ctx.params.absorb_gain:
                break
            _gain, side, index = max(scored)
            (ts if side == "t" else os).append(index)
            (used_t if side == "t" else used_o).add(index)
            ts.sort()
            os.sort()
        if (tuple(ts), tuple(os)) == (group.translation, group.original):
            grown.append(group)
        else:
            signals = {**group.signals, "absorbed_evidence": ctx.evidence(ts, os)}
            grown.append(_group(ctx, tuple(ts), tuple(os), group.kind, group.score, signals))
    return grown


def _share_found(ctx: PairContext, side: str, index: int, others: Sequence[int]) -> float:
    """Share (by weight) of one paragraph's anchors found in the paragraphs of the other side."""
    if side == "t":
        weights = ctx.t_weights[index]
        found: set[str] = set().union(*(ctx.o_share[j] for j in others))
    else:
        weights = ctx.o_weights[index]
        found = set().union(*(ctx.t_keys[i].keys() for i in others))
    total = sum(weights.values())
    hit = sum(w for k, w in weights.items() if k in found)
    return hit / total if total else 0.0


def _translation_coverage(ctx: PairContext, i: int, j: int) -> tuple[float, float]:
    """Share (and weight) of translation paragraph i's anchors found in original paragraph j."""
    found = ctx.o_found[j]
    total = matched = 0.0
    for key, weight in ctx.t_weights[i].items():
        total += weight
        if key in found:
            matched += weight
    return (matched / total if total else 0.0), matched


def _fill_gaps(ctx: PairContext, scorer: Scorer, linked: list[Group]) -> list[Group]:
    """Link leftovers that face each other between the same two links when the translation
    paragraph's anchors are nearly all in the original one: a condensed translation, which
    the length model alone would call an addition beside a drop."""
    links = sorted(
        (g for g in linked if g.translation and g.original), key=lambda g: g.translation[0]
    )
    used_t = {i for g in linked for i in g.translation}
    used_o = {j for g in linked for j in g.original}
    t_ends = [g.translation[-1] for g in links]
    o_ends = [g.original[-1] for g in links]
    # which gap between links each leftover is in: how many links end before it
    o_gaps = [(j, sum(1 for end in o_ends if end < j)) for j in scorer.o_body if j not in used_o]
    candidates = []
    for i in scorer.t_body:
        if i in used_t:
            continue
        t_gap = sum(1 for end in t_ends if end < i)
        for j, o_gap in o_gaps:
            if o_gap != t_gap:
                continue
            coverage, mass = _translation_coverage(ctx, i, j)
            if coverage >= ctx.params.gap_coverage and mass >= ctx.params.gap_mass:
                candidates.append(((coverage, mass), i, j, coverage))
    filled = []
    for _rank, i, j, coverage in _best_first(candidates, used_t, used_o):
        r, c = scorer.t_rank[i], scorer.o_rank[j]
        signals = {**scorer.signals((1, 1), r, c), "translation_coverage": coverage}
        filled.append(
            _group(
                ctx, (i,), (j,), GroupKind.matched, float(scorer.matrices[(1, 1)][r, c]), signals
            )
        )
    return filled


def _best_first(
    candidates: list[tuple[Any, int, int, Any]], used_t: set[int], used_o: set[int]
) -> list[tuple[Any, int, int, Any]]:
    """Greedy one-to-one pairing of (rank, translation, original, payload) candidates, best
    rank first, each paragraph used once; ``used_t`` and ``used_o`` are updated."""
    chosen = []
    for candidate in sorted(candidates, key=lambda c: c[:3], reverse=True):
        _rank, i, j, _payload = candidate
        if i in used_t or j in used_o:
            continue
        used_t.add(i)
        used_o.add(j)
        chosen.append(candidate)
    return chosen


def _moves(ctx: PairContext, scorer: Scorer, linked: list[Group]) -> list[Group]:
    """Pair leftover paragraphs out of order, best first, when the evidence is strong."""
    used_t = {i for g in linked for i in g.translation}
    used_o = {j for g in linked for j in g.original}
    candidates = []
    if (1, 1) in scorer.parts:
        # position does not count against a paragraph that was moved on purpose
        matrix, position = scorer.matrices[(1, 1)], scorer.parts[(1, 1)]["position"]
        moved = matrix + ctx.params.weight_position * position
        free_t = np.array([i not in used_t for i in scorer.t_body], dtype=bool)
        free_o = np.array([j not in used_o for j in scorer.o_body], dtype=bool)
        strong = (moved > ctx.params.move_threshold) & free_t[:, None] & free_o[None, :]
        for r, c in zip(*np.nonzero(strong), strict=True):
            i, j = scorer.t_body[r], scorer.o_body[c]
            candidates.append((float(moved[r, c]), i, j, (r, c)))
    # the signals of the chosen ones only: most candidates lose to a better one
    return [
        _group(ctx, (i,), (j,), GroupKind.moved, score, scorer.signals((1, 1), *cell))
        for score, i, j, cell in _best_first(candidates, used_t, used_o)
    ]


def _complete(
    translation: list[Paragraph], original: list[Paragraph], linked: list[Group]
) -> list[Group]:
    """Add every unlinked paragraph as an addition or a drop, in reading order."""
    used_t = {i for g in linked for i in g.translation}
    used_o = {j for g in linked for j in g.original}
    groups = list(linked)
    for p in translation:
        if p.index not in used_t:
            groups.append(Group((p.index,), (), GroupKind.added, 0.0, {}, {}))
    for p in original:
        if p.index not in used_o:
            groups.append(Group((), (p.index,), GroupKind.dropped, 0.0, {}, {}))
    return sorted(groups, key=_reading_position(linked))


def _reading_position(linked: list[Group]) -> Callable[[Group], tuple[float, float]]:
    """Translation order; a drop sits just before the next link after it in the original
    (the first translation paragraph of the links that start later in the original)."""
    starts = sorted(
        (g.original[0], g.translation[0])
        for g in linked
        if g.kind == GroupKind.matched and g.original and g.translation
    )
    firsts = [o for o, _ in starts]
    # the earliest translation paragraph among the links from each one on
    earliest = list(itertools.accumulate(reversed([t for _, t in starts]), min))[::-1]

    def position(group: Group) -> tuple[float, float]:
        if group.translation:
            return (group.translation[0], 0.0)
        j = group.original[0]
        k = bisect.bisect_right(firsts, j)
        return (earliest[k] - 0.5 if k < len(earliest) else float("inf"), j / 1000)

    return position


# -- the classic baseline -------------------------------------------------------------------

GALE_CHURCH_PRIORS = {(1, 1): 0.89, (1, 0): 0.0099, (0, 1): 0.0099, (1, 2): 0.089, (2, 1): 0.089}


def gale_church(
    translation: Sequence[Paragraph],
    original: Sequence[Paragraph],
    *,
    length_ratio: float = 1.2,
    length_variance: float = 20.0,
) -> list[Group]:
    """Gale and Church (1993): length only, every paragraph, no notion of chrome.

    Kept as a public baseline so that ``provenance eval --method gale-church`` can show what
    the classic approach scores on the same pairs.
    """
    t, o = list(translation), list(original)
    n, m = len(t), len(o)
    cost = np.full((n + 1, m + 1), np.inf)
    back: dict[tuple[int, int], tuple[int, int]] = {}
    cost[0, 0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            if cost[i, j] == np.inf:
                continue
            for (dt, do), prior in GALE_CHURCH_PRIORS.items():
                ni, nj = i + dt, j + do
                if ni > n or nj > m:
                    continue
                l_t = sum(len(p.text) for p in t[i:ni])
                l_o = sum(len(p.text) for p in o[j:nj])
                mean = max((l_o + l_t / length_ratio) / 2, 1.0)
                delta = abs(l_t - l_o * length_ratio) / math.sqrt(mean * length_variance)
                step = -math.log(prior) - math.log(max(math.erfc(delta / math.sqrt(2)), 1e-12))
                if cost[i, j] + step < cost[ni, nj]:
                    cost[ni, nj] = cost[i, j] + step
                    back[(ni, nj)] = (dt, do)
    groups: list[Group] = []
    i, j = n, m
    while (i, j) != (0, 0):
        dt, do = back[(i, j)]
        i, j = i - dt, j - do
        ts = tuple(p.index for p in t[i : i + dt])
        os = tuple(p.index for p in o[j : j + do])
        kind = GroupKind.matched if ts and os else (GroupKind.added if ts else GroupKind.dropped)
        groups.append(Group(ts, os, kind))
    return groups[::-1]


# -- the length model, and stored paragraphs as input -------------------------------------


def estimate_length_params(
    samples: Sequence[tuple[int, int]], default: AlignParams, minimum: int = 30
) -> tuple[float, float]:
    """Gale-Church ratio and variance from (translation, original) lengths of links a reviewer confirmed.

    Robust to condensed paragraphs: the ratio is a median and the variance a trimmed mean of
    the squared residuals. Too few samples: the defaults.
    """
    usable = [(t, o) for t, o in samples if t > 0 and o > 0]
    if len(usable) < minimum:
        return default.length_ratio, default.length_variance
    ratio = float(np.median([t / o for t, o in usable]))
    residuals = sorted((t - ratio * o) ** 2 / o for t, o in usable)
    kept = residuals[: max(1, int(len(residuals) * 0.9))]
    return ratio, max(float(np.mean(kept)), 1.0)


def to_paragraphs(views: Sequence[Any], default_lang: str) -> list[Paragraph]:
    """Stored paragraphs as the aligner's input, with their stored anchors when they have
    them (and they were extracted in the language the aligner would use)."""
    return [
        Paragraph(
            v.index,
            v.text,
            v.kind,
            v.lang or default_lang,
            anchors_from_json(getattr(v, "anchors", None)) if v.lang else None,
        )
        for v in views
    ]
