"""The alignment view: translation left, original right, one row per alignment group.

Rows are coloured by kind (matched, added, dropped, moved), flags sit beside their group,
matched figures are green and mismatched ones red. Every action is a key and is saved at
once through provenance.review with the reviewer's name; ``z`` undoes the last one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from provenance.errors import ProvenanceError
from provenance.store import AlignedPair, FlagView, GroupView
from tui.bindings import bindings_for
from tui.widgets.note import AskModal
from tui.widgets.paragraph import ParagraphText


class GroupRow(Horizontal):
    """One group: the translation's paragraphs, the original's, and the flags."""

    def __init__(
        self, group: GroupView, pair: AlignedPair, flags: list[FlagView], mode: str
    ) -> None:
        super().__init__(classes=f"group -{group.kind}")
        self.group = group
        self.pair = pair
        self.flags = flags
        self.mode = mode

    def compose(self) -> ComposeResult:
        matched = set(self.group.anchors.get("matched", []))
        mismatched = {
            f"n:{f.evidence.get(side)}"
            for f in self.flags
            if f.kind == "number_mismatch"
            for side in ("translation", "original")
        }
        t_text = {p.index: p.text for p in self.pair.translation}
        o_text = {p.index: p.text for p in self.pair.original}
        with Vertical(classes="side translation"):
            yield Static(
                f"{self.group.kind}  " + " ".join(f"[{i}]" for i in self.group.translation),
                classes="label",
            )
            for i in self.group.translation:
                yield ParagraphText(
                    t_text.get(i, ""), mode=self.mode, matched=matched, mismatched=mismatched
                )
        with Vertical(classes="side original"):
            yield Static(" ".join(f"[{j}]" for j in self.group.original), classes="label -right")
            for j in self.group.original:
                yield ParagraphText(
                    o_text.get(j, ""), mode=self.mode, matched=matched, mismatched=mismatched
                )
        yield Static(self.flag_text(), classes="flags")

    def flag_text(self) -> str:
        lines = []
        for f in self.flags:
            detail = (
                f" {f.evidence.get('translation')} ≠ {f.evidence.get('original')}"
                if "mismatch" in f.kind
                else ""
            )
            state = "" if f.status == "open" else f" ({f.status}{': ' + f.note if f.note else ''})"
            lines.append(f"{'●' if f.status == 'open' else '○'} {f.kind}{detail}{state}")
        return "\n".join(lines)


class AlignmentScreen(Screen[None]):
    SCREEN_NAME = "alignment"
    BINDINGS = bindings_for("alignment")

    def __init__(self, article_id: int) -> None:
        super().__init__()
        self.article_id = article_id
        self.pair: AlignedPair | None = None
        self.current = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="pair-header")
        yield VerticalScroll(id="groups")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_pair()

    @property
    def store(self) -> Any:
        return self.app.store  # type: ignore[attr-defined]

    def refresh_pair(self, keep: int | None = None) -> None:
        """Read the pair again (after an action) and redraw, keeping the current group."""
        detail = self.store.article_detail(self.article_id)
        self.pair = self.store.aligned_pair(self.article_id)
        header = self.query_one("#pair-header", Static)
        title = detail.article.title
        if self.pair is None:
            header.update(
                f"[b]{title}[/b]\nNot aligned yet: no linked original (press t for candidates)."
            )
            self.query_one("#groups", VerticalScroll).remove_children()
            return
        link = self.pair.link
        header.update(
            f"[b]{title}[/b]\n{detail.article.outlet} · credits {detail.article.credit or '—'} · "
            f"original: {link.original_url} · link {link.status} ({link.score:.2f})"
        )
        by_group: dict[int | None, list[FlagView]] = {}
        for flag in self.pair.flags:
            by_group.setdefault(flag.group_id, []).append(flag)
        container = self.query_one("#groups", VerticalScroll)
        container.remove_children()
        rows = [
            GroupRow(g, self.pair, by_group.get(g.id, []), self.app.bidi_mode)
            for g in self.pair.groups
        ]  # type: ignore[attr-defined]
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
