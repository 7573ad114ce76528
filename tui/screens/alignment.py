"""The alignment view: translation left, original right, one row per alignment group.

Rows are coloured by kind (matched, added, dropped, moved), flags sit beside their group,
matched figures are green and mismatched ones red. Every action is a key and is saved at
once through provenance.review with the reviewer's name; ``z`` undoes the last one.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import Any

from rich.markup import escape
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.geometry import Size
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Header, Static

from provenance.errors import ProvenanceError
from provenance.labels import flag_label
from provenance.review import Review, StaleDecision
from provenance.text.anchors import extract_anchors
from provenance.views import AlignedPair, FlagView, GroupView, ParagraphView
from provenance.vocab import FlagStatus, GroupKind, LinkStatus
from tui.bidi import display_lines, is_rtl, visual_ltr_line
from tui.bindings import bindings_for
from tui.reach import provenance_app
from tui.widgets.keybar import KeyBar
from tui.widgets.note import AskModal, ConfirmModal, reject_question
from tui.widgets.paragraph import Figures, figure_keys, figure_values, highlight

FLAGS_WIDTH = 30
GAP = 3
WIDE = 110
"""Narrowest row that keeps a flags column; narrower, a group's flags go under its text."""


Line = tuple[str, Figures | None, bool]
"""A drawn line: its text, the figures of its paragraph (None: a label), in visual order."""


def side_numbers(paragraphs: list[ParagraphView], lang: str) -> set[str]:
    """The figure keys of one side of a group (``n:3500``), as the anchors read them."""
    return {f"n:{n}" for p in paragraphs for n in extract_anchors(p.text, p.lang or lang).numbers}


class GroupRow(Widget):
    """One group drawn as three columns: translation, original (right-aligned), flags.

    One widget per group, drawing its own columns: a screen of twenty groups mounts twenty
    widgets, not a hundred, and opens in well under 200 ms. The selected group is marked
    three ways: a ▶ before its label, a bright left edge and a tinted background.
    """

    DEFAULT_CSS = "GroupRow { height: auto; }"

    def __init__(
        self,
        group: GroupView,
        pair: AlignedPair,
        flags: list[FlagView],
        mode: str,
        story_flags: bool = True,
    ) -> None:
        super().__init__(classes=f"group -{group.kind}")
        self.story_flags = story_flags
        """Whether any group of the story has a flag: without any, no flags column at all."""
        self.group = group
        self.pair = pair
        self.flags = flags
        self.mode = mode
        t_paras = {p.index: p for p in pair.translation}
        o_paras = {p.index: p for p in pair.original}
        self.left = [t_paras[i] for i in group.translation if i in t_paras]
        self.right = [o_paras[j] for j in group.original if j in o_paras]
        # matched: said on both sides (reviewer groups have no stored anchors, so read them)
        self.matched = set(group.anchors.get("matched", [])) | (
            side_numbers(self.left, "en") & side_numbers(self.right, "ar")
        )
        self.mismatched = {
            key
            for f in flags
            if f.kind == "number_mismatch"
            for side in ("translation", "original")
            for key in figure_keys(str(f.evidence.get(side, "")))
        }
        self._layouts: dict[int, tuple[int, list[Line], list[Line], list[str]]] = {}

    @property
    def left_texts(self) -> list[str]:
        return [p.text for p in self.left]

    @property
    def right_texts(self) -> list[str]:
        return [p.text for p in self.right]

    def flags_column(self, width: int) -> bool:
        """The flags sit in a column of their own only on a wide row of a flagged story; else
        the column collapses and the text takes the width (flags, if any, under it)."""
        return self.story_flags and width >= WIDE

    def _columns(self, width: int) -> tuple[int, int]:
        beside = FLAGS_WIDTH + GAP if self.flags_column(width) else 0
        side = max((width - beside - GAP) // 2, 12)
        return side, side

    def _side(
        self, label: str, paragraphs: list[ParagraphView], width: int, lang: str
    ) -> list[Line]:
        lines: list[Line] = [(label, None, False)]
        for n, paragraph in enumerate(paragraphs):
            if n:
                lines.append(("", None, False))
            figures = figure_values(paragraph.text, paragraph.lang or lang)
            visual = self.mode == "app" and is_rtl(paragraph.text)
            lines += [
                (line, figures, visual) for line in display_lines(paragraph.text, width, self.mode)
            ]
        return lines

    def _layout(self, width: int) -> tuple[int, list[Line], list[Line], list[str]]:
        """Wrapped (and, for Arabic, reordered) lines of the three columns, cached per width."""
        cached = self._layouts.get(width)
        if cached is None:
            cached = self._layouts[width] = self._compute_layout(width)
        return cached

    def _compute_layout(self, width: int) -> tuple[int, list[Line], list[Line], list[str]]:
        left_w, right_w = self._columns(width)
        label = f"{self.group.kind}  " + " ".join(f"[{i}]" for i in self.group.translation)
        left = self._side(label, self.left, left_w, "en")
        right = self._side(
            " ".join(f"[{j}]" for j in self.group.original), self.right, right_w, "ar"
        )
        column = self.flags_column(width)
        flags = [
            visual_ltr_line(line) if self.mode == "app" else line
            for f in self.flags
            for line in textwrap.wrap(self._flag_line(f), FLAGS_WIDTH if column else width)
        ]
        if column:
            return left_w, left, right, ["", *flags]
        height = max(len(left), len(right))  # under the text: pad the columns down to them
        blank: Line = ("", None, False)
        left += [blank] * (height - len(left) + len(flags))
        right += [blank] * (height - len(right) + len(flags))
        return left_w, left, right, [""] * height + flags

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        _, left, right, flags = self._layout(width)
        return max(len(left), len(right), len(flags))

    @staticmethod
    def _flag_line(f: FlagView) -> str:
        mark = "●" if f.status == FlagStatus.open else "○"
        return f"{mark} {flag_label(f.kind, f.evidence, f.status, f.note)}"

    def flag_text(self) -> str:
        return "\n".join(self._flag_line(f) for f in self.flags)

    def _cell(self, line: Line, width: int, *, right: bool) -> Text:
        """A paragraph line with its figures coloured; the group's label line stays plain."""
        text, figures, visual = line
        padded = text.rjust(width) if right else text.ljust(width)
        if figures is None:
            return Text(padded, style="dim")
        offset = len(padded) - len(text) if right else 0
        painted = highlight(text, self.matched, self.mismatched, figures=figures, visual=visual)
        out = Text(padded)
        for span in painted.spans:
            out.stylize(span.style, span.start + offset, span.end + offset)
        return out

    def render(self) -> Text:
        width = self.content_size.width or 100
        side, left, right, flags = self._layout(width)
        height = max(len(left), len(right), len(flags))
        current = self.has_class("-current")
        column = self.flags_column(width)
        out = Text(no_wrap=True, overflow="crop")
        blank: Line = ("", None, False)
        for n in range(height):
            if n:
                out.append("\n")
            flag_line = flags[n] if n < len(flags) else ""
            if flag_line and not column:  # under the text, from the left edge
                out.append(flag_line, style="bold" if flag_line.startswith("●") else "dim")
                continue
            left_line = left[n] if n < len(left) else blank
            if n == 0:
                marker = "▶ " if current else ""
                left_line = (marker + left_line[0], None, False)
            right_line = right[n] if n < len(right) else blank
            cell = self._cell(left_line, side, right=False)
            if n == 0 and current:
                cell.stylize("bold reverse", 0, 1)
            out.append_text(cell)
            out.append(" " * GAP)
            out.append_text(self._cell(right_line, side, right=True))
            out.append(" " * GAP)
            out.append(flag_line, style="bold" if flag_line.startswith("●") else "dim")
        return out


class SoloParagraph(Widget):
    """A paragraph of a story that has no aligned original: its index and kind, then its text."""

    DEFAULT_CSS = "SoloParagraph { height: auto; }"

    def __init__(self, paragraph: ParagraphView, mode: str) -> None:
        super().__init__(classes="group -solo")
        self.paragraph = paragraph
        self.mode = mode

    def _lines(self, width: int) -> list[str]:
        return display_lines(self.paragraph.text, width, self.mode)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return 1 + len(self._lines(width))

    def render(self) -> Text:
        text = Text()
        text.append(f"[{self.paragraph.index}] {self.paragraph.kind}", style="dim")
        for line in self._lines(self.content_size.width or 80):
            text.append("\n" + line)
        return text


class AlignmentScreen(Screen[None]):
    SCREEN_NAME = "alignment"
    BINDINGS = bindings_for("alignment")

    def __init__(self, article_id: int) -> None:
        super().__init__()
        self.article_id = article_id
        self.pair: AlignedPair | None = None
        self.current = 0

    def compose(self) -> ComposeResult:
        # The first drawing is composed, not mounted afterwards: one layout pass, not two.
        header, rows = self._read()
        yield Header()
        yield Static(header, id="pair-header")
        with VerticalScroll(id="groups"):
            yield from rows
        yield KeyBar()

    def on_mount(self) -> None:
        self._highlight()

    @property
    def review(self) -> Review:
        return provenance_app(self).review

    def _read(self) -> tuple[str, list[Widget]]:
        """The header text and one row per group, read through the library. A story without
        an aligned original shows its own paragraphs, each with the kind ingest gave it."""
        detail = self.review.article(self.article_id)
        self.pair = self.review.aligned_pair(self.article_id)
        mode = provenance_app(self).bidi_mode
        title = escape(detail.article.title)
        if self.pair is None:
            return f"[b]{title}[/b]\n{escape(self._why_alone())}", [
                SoloParagraph(p, mode) for p in detail.paragraphs
            ]
        link = self.pair.link
        header = (
            f"[b]{title}[/b]\n{detail.article.outlet} · credits {detail.article.credit or '—'} · "
            f"original: {link.original_url} · link {link.status} ({link.score:.2f})"
        )
        by_group: dict[int | None, list[FlagView]] = {}
        for flag in self.pair.flags:
            by_group.setdefault(flag.group_id, []).append(flag)
        shown = {g.id for g in self.pair.groups}
        story_flags = any(flag.group_id in shown for flag in self.pair.flags)
        return header, [
            GroupRow(g, self.pair, by_group.get(g.id, []), mode, story_flags)
            for g in self.pair.groups
        ]

    def _why_alone(self) -> str:
        """Why there is no alignment to show, and what to do about it."""
        links = [
            link
            for link in self.review.links_of(self.article_id)
            if link.status != LinkStatus.rejected
        ]
        if links:
            return (
                f"Linked to {links[0].original_url} ({links[0].status}), not aligned: press t "
                "and confirm an original to align it. Its own text, with each paragraph's kind:"
            )
        return "No linked original: press t for the candidates. Its own text, with each paragraph's kind:"

    def refresh_pair(self, keep: int | None = None) -> None:
        """Read the pair again (after an action) and redraw, keeping the current group."""
        header, rows = self._read()
        self.query_one("#pair-header", Static).update(header)
        container = self.query_one("#groups", VerticalScroll)
        container.remove_children()
        container.mount_all(rows)
        self.current = min(keep if keep is not None else 0, max(len(rows) - 1, 0))
        self.call_after_refresh(self._highlight)

    # -- moving -----------------------------------------------------------------------------

    def rows(self) -> list[GroupRow]:
        return list(self.query(GroupRow))

    def _highlight(self) -> None:
        rows = self.rows()
        for n, row in enumerate(rows):
            if row.has_class("-current") != (n == self.current):
                row.set_class(n == self.current, "-current")
                row.refresh(layout=True)
        if rows:
            rows[self.current].scroll_visible(animate=False)

    def action_next_group(self) -> None:
        self.current = min(self.current + 1, max(len(self.rows()) - 1, 0))
        self._highlight()

    def action_previous_group(self) -> None:
        self.current = max(self.current - 1, 0)
        self._highlight()

    def action_next_flag(self) -> None:
        rows = self.rows()
        for offset in range(1, len(rows) + 1):
            n = (self.current + offset) % len(rows)
            if any(f.status == FlagStatus.open for f in rows[n].flags):
                self.current = n
                self._highlight()
                return
        self.notify("no open flags")

    def current_group(self) -> GroupRow | None:
        rows = self.rows()
        return rows[self.current] if rows else None

    # -- actions ------------------------------------------------------------------------------

    def _do(self, action: Callable[[], Any], done: str) -> None:
        try:
            action()
        except StaleDecision as error:  # another reviewer decided first: show theirs
            provenance_app(self).show_error(str(error))
            self.refresh_pair(keep=self.current)
            return
        except ProvenanceError as error:
            provenance_app(self).show_error(str(error))
            return
        self.notify(done)
        self.refresh_pair(keep=self.current)

    def action_confirm_link(self) -> None:
        if self.pair:
            link_id, seen = self.pair.link.id, self.pair.link.status
            self._do(lambda: self.review.confirm_link(link_id, seen=seen), "link confirmed")

    def action_reject_link(self) -> None:
        """Rejecting says "this is not the original": asked first, since the story then loses
        its alignment (undo with z)."""
        if not self.pair:
            return
        link = self.pair.link

        def answered(yes: bool | None) -> None:
            if yes:
                self._do(
                    lambda: self.review.reject_link(link.id, seen=link.status), "link rejected"
                )

        self.app.push_screen(ConfirmModal(reject_question(link.original_url)), answered)

    def _open_flag(self) -> FlagView | None:
        row = self.current_group()
        flag = next((f for f in row.flags if f.status == FlagStatus.open), None) if row else None
        if flag is None:
            self.notify("no open flag on this group", severity="warning")
        return flag

    def action_accept_flag(self) -> None:
        flag = self._open_flag()
        if flag is not None:
            self._do(
                lambda: self.review.accept_flag(flag.id, seen=flag.status),
                f"{flag.kind} accepted",
            )

    def action_dismiss_flag(self) -> None:
        flag = self._open_flag()
        if flag is None:
            return

        def dismissed(note: str | None) -> None:
            if note is not None:
                self._do(
                    lambda: self.review.dismiss_flag(flag.id, note or None, seen=flag.status),
                    f"{flag.kind} dismissed",
                )

        self.app.push_screen(
            AskModal(f"Dismiss {flag.kind}: note (Enter to save, Esc to cancel)", "why"), dismissed
        )

    def _neighbour(self) -> GroupRow | None:
        rows = self.rows()
        return rows[self.current + 1] if self.current + 1 < len(rows) else None

    def action_merge_next(self) -> None:
        row, nxt = self.current_group(), self._neighbour()
        if row and nxt:
            ids = [row.group.id, nxt.group.id]
            self._do(lambda: self.review.merge_groups(ids), "groups merged")

    def action_split_group(self) -> None:
        row = self.current_group()
        if row:
            gid = row.group.id
            self._do(lambda: self.review.split_group(gid), "group split")

    def action_unlink_group(self) -> None:
        row = self.current_group()
        if row:
            gid = row.group.id
            self._do(lambda: self.review.unlink_group(gid), "group unlinked")

    def action_relink_next(self) -> None:
        row = self.current_group()
        rows = self.rows()
        drop = next(
            (r for r in rows[self.current + 1 :] if r.group.kind == GroupKind.dropped), None
        )
        if row and drop:
            ids = (row.group.id, drop.group.id)
            self._do(lambda: self.review.relink_groups(*ids), "groups relinked")

    def action_undo(self) -> None:
        try:
            event = self.review.undo()
        except ProvenanceError as error:
            provenance_app(self).show_error(str(error))
            return
        self.notify(f"Undone: {event.describe()}")
        self.refresh_pair(keep=self.current)

    def action_candidates(self) -> None:
        from tui.screens.candidates import CandidatesScreen

        self.app.push_screen(
            CandidatesScreen(self.article_id), lambda _result: self.refresh_pair(keep=self.current)
        )

    def action_revisions(self) -> None:
        from tui.screens.diff import DiffScreen

        original_id = self.pair.link.original_id if self.pair else None
        self.app.push_screen(DiffScreen(self.article_id, original_id))

    def action_back(self) -> None:
        self.dismiss(None)
