"""The alignment view: translation left, original right, one row per alignment group.

Rows are coloured by kind (matched, added, dropped, moved), flags sit beside their group,
matched figures are green and mismatched ones red. Every action is a key and is saved at
once through provenance.review with the reviewer's name; ``z`` undoes the last one.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.geometry import Size
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Header, Static

from provenance.errors import ProvenanceError
from provenance.store import AlignedPair, FlagView, GroupView
from tui.bidi import display_lines, visual_ltr_line
from tui.bindings import bindings_for
from tui.widgets.note import AskModal
from tui.widgets.paragraph import figure_keys, highlight

FLAGS_WIDTH = 30
GAP = 3


class GroupRow(Widget):
    """One group drawn as three columns: translation, original (right-aligned), flags.

    One widget per group, drawing its own columns: a screen of twenty groups mounts twenty
    widgets, not a hundred, and opens in well under 200 ms.
    """

    DEFAULT_CSS = "GroupRow { height: auto; }"

    def __init__(
        self, group: GroupView, pair: AlignedPair, flags: list[FlagView], mode: str
    ) -> None:
        super().__init__(classes=f"group -{group.kind}")
        self.group = group
        self.pair = pair
        self.flags = flags
        self.mode = mode
        self.matched = set(group.anchors.get("matched", []))
        self.mismatched = {
            key
            for f in flags
            if f.kind == "number_mismatch"
            for side in ("translation", "original")
            for key in figure_keys(str(f.evidence.get(side, "")))
        }
        t_text = {p.index: p.text for p in pair.translation}
        o_text = {p.index: p.text for p in pair.original}
        self._layouts: dict[int, tuple[int, list[str], list[str], list[str]]] = {}
        self.left_texts = [t_text.get(i, "") for i in group.translation]
        self.right_texts = [o_text.get(j, "") for j in group.original]

    def _columns(self, width: int) -> tuple[int, int]:
        side = max((width - FLAGS_WIDTH - 2 * GAP) // 2, 12)
        return side, side

    def _side(self, label: str, texts: list[str], width: int) -> list[str]:
        lines = [label]
        for n, text in enumerate(texts):
            if n:
                lines.append("")
            lines += display_lines(text, width, self.mode)
        return lines

    def _layout(self, width: int) -> tuple[int, list[str], list[str], list[str]]:
        """Wrapped (and, for Arabic, reordered) lines of the three columns, cached per width."""
        cached = self._layouts.get(width)
        if cached is None:
            cached = self._layouts[width] = self._compute_layout(width)
        return cached

    def _compute_layout(self, width: int) -> tuple[int, list[str], list[str], list[str]]:
        left_w, right_w = self._columns(width)
        label = f"{self.group.kind}  " + " ".join(f"[{i}]" for i in self.group.translation)
        left = self._side(label, self.left_texts, left_w)
        right = self._side(
            " ".join(f"[{j}]" for j in self.group.original), self.right_texts, right_w
        )
        flags = [""] + [
            visual_ltr_line(line) if self.mode == "app" else line
            for f in self.flags
            for line in textwrap.wrap(self._flag_line(f), FLAGS_WIDTH)
        ]
        return left_w, left, right, flags

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        _, left, right, flags = self._layout(width)
        return max(len(left), len(right), len(flags))

    @staticmethod
    def _flag_line(f: FlagView) -> str:
        detail = (
            f" {f.evidence.get('translation')} ≠ {f.evidence.get('original')}"
            if "mismatch" in f.kind
            else ""
        )
        state = "" if f.status == "open" else f" ({f.status}{': ' + f.note if f.note else ''})"
        return f"{'●' if f.status == 'open' else '○'} {f.kind}{detail}{state}"

    def flag_text(self) -> str:
        return "\n".join(self._flag_line(f) for f in self.flags)

    def _cell(self, line: str, *, label: bool) -> Text:
        """A paragraph line with its figures coloured; the group's label line stays plain."""
        return Text(line, style="dim") if label else highlight(line, self.matched, self.mismatched)

    def render(self) -> Text:
        width = self.content_size.width or 100
        side, left, right, flags = self._layout(width)
        height = max(len(left), len(right), len(flags))
        out = Text(no_wrap=True, overflow="crop")
        for n in range(height):
            if n:
                out.append("\n")
            left_line = left[n] if n < len(left) else ""
            right_line = right[n] if n < len(right) else ""
            out.append_text(self._cell(left_line.ljust(side), label=n == 0))
            out.append(" " * GAP)
            out.append_text(self._cell(right_line.rjust(side), label=n == 0))
            out.append(" " * GAP)
            flag_line = flags[n] if n < len(flags) else ""
            out.append(flag_line, style="bold" if flag_line.startswith("●") else "dim")
        return out


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
        yield Footer()

    def on_mount(self) -> None:
        self._highlight()

    @property
    def store(self) -> Any:
        return self.app.store  # type: ignore[attr-defined]

    def _read(self) -> tuple[str, list[GroupRow]]:
        """The header text and one row per group, read through the library."""
        detail = self.store.article_detail(self.article_id)
        self.pair = self.store.aligned_pair(self.article_id)
        title = detail.article.title
        if self.pair is None:
            return (
                f"[b]{title}[/b]\nNot aligned yet: no linked original (press t for candidates).",
                [],
            )
        link = self.pair.link
        header = (
            f"[b]{title}[/b]\n{detail.article.outlet} · credits {detail.article.credit or '—'} · "
            f"original: {link.original_url} · link {link.status} ({link.score:.2f})"
        )
        by_group: dict[int | None, list[FlagView]] = {}
        for flag in self.pair.flags:
            by_group.setdefault(flag.group_id, []).append(flag)
        mode = self.app.bidi_mode  # type: ignore[attr-defined]
        return header, [
            GroupRow(g, self.pair, by_group.get(g.id, []), mode) for g in self.pair.groups
        ]

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
            row.set_class(n == self.current, "-current")
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
            if any(f.status == "open" for f in rows[n].flags):
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
        except ProvenanceError as error:
            self.app.show_error(str(error))  # type: ignore[attr-defined]
            return
        self.notify(done)
        self.refresh_pair(keep=self.current)

    def action_confirm_link(self) -> None:
        if self.pair:
            link_id = self.pair.link.id
            self._do(lambda: self.app.review.confirm_link(link_id), "link confirmed")  # type: ignore[attr-defined]

    def action_reject_link(self) -> None:
        if self.pair:
            link_id = self.pair.link.id
            self._do(lambda: self.app.review.reject_link(link_id), "link rejected")  # type: ignore[attr-defined]

    def _open_flag(self) -> FlagView | None:
        row = self.current_group()
        flag = next((f for f in row.flags if f.status == "open"), None) if row else None
        if flag is None:
            self.notify("no open flag on this group", severity="warning")
        return flag

    def action_accept_flag(self) -> None:
        flag = self._open_flag()
        if flag is not None:
            self._do(lambda: self.app.review.accept_flag(flag.id), f"{flag.kind} accepted")  # type: ignore[attr-defined]

    def action_dismiss_flag(self) -> None:
        flag = self._open_flag()
        if flag is None:
            return

        def dismissed(note: str | None) -> None:
            if note is not None:
                self._do(
                    lambda: self.app.review.dismiss_flag(flag.id, note or None),
                    f"{flag.kind} dismissed",
                )  # type: ignore[attr-defined]

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
            self._do(lambda: self.app.review.merge_groups(ids), "groups merged")  # type: ignore[attr-defined]

    def action_split_group(self) -> None:
        row = self.current_group()
        if row:
            gid = row.group.id
            self._do(lambda: self.app.review.split_group(gid), "group split")  # type: ignore[attr-defined]

    def action_unlink_group(self) -> None:
        row = self.current_group()
        if row:
            gid = row.group.id
            self._do(lambda: self.app.review.unlink_group(gid), "group unlinked")  # type: ignore[attr-defined]

    def action_relink_next(self) -> None:
        row = self.current_group()
        rows = self.rows()
        drop = next((r for r in rows[self.current + 1 :] if r.group.kind == "dropped"), None)
        if row and drop:
            ids = (row.group.id, drop.group.id)
            self._do(lambda: self.app.review.relink_groups(*ids), "groups relinked")  # type: ignore[attr-defined]

    def action_undo(self) -> None:
        self._do(lambda: self.app.review.undo(), "undone")  # type: ignore[attr-defined]

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
