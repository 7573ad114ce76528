"""Every action of the review UI in one list: the footer, the help screen and the command
palette all read it, so a key is described once."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding, BindingType


@dataclass(frozen=True)
class Action:
    id: str
    key: str
    description: str
    screen: str
    """Where the action applies: app, stories, alignment, candidates, diff."""
    show: bool = True
    """Shown in the footer."""

    def binding(self) -> Binding:
        return Binding(
            self.key, self.id, self.description, show=self.show, id=f"{self.screen}.{self.id}"
        )


ACTIONS: tuple[Action, ...] = (
    Action("help", "question_mark", "Help", "app"),
    Action("command_palette", "ctrl+p", "Commands", "app", show=False),
    Action("quit", "q", "Quit", "app"),
    # story list
    Action("open_story", "enter", "Open", "stories"),
    Action("filter('all')", "1", "All", "stories"),
    Action("filter('unverified')", "2", "Unverified", "stories"),
    Action("filter('flagged')", "3", "Flagged", "stories"),
    Action("filter('unlinked')", "4", "Unlinked", "stories"),
    Action("search", "slash", "Search", "stories"),
    Action("cycle_sort", "o", "Sort", "stories"),
    Action("more", "pagedown", "More rows", "stories", show=False),
    # alignment view
    Action("next_group", "j", "Next group", "alignment", show=False),
    Action("previous_group", "k", "Previous group", "alignment", show=False),
    Action("next_flag", "n", "Next flag", "alignment"),
    Action("confirm_link", "c", "Confirm link", "alignment"),
    Action("reject_link", "x", "Reject link", "alignment"),
    Action("accept_flag", "a", "Accept flag", "alignment"),
    Action("dismiss_flag", "d", "Dismiss flag", "alignment"),
    Action("merge_next", "m", "Merge with next", "alignment", show=False),
    Action("split_group", "s", "Split", "alignment", show=False),
    Action("unlink_group", "u", "Unlink", "alignment", show=False),
    Action("relink_next", "l", "Relink with next drop", "alignment", show=False),
    Action("undo", "z", "Undo", "alignment"),
    Action("candidates", "t", "Candidates", "alignment"),
    Action("revisions", "v", "Revisions", "alignment"),
    Action("back", "escape", "Back", "alignment"),
    # candidates
    Action("confirm_candidate", "c", "Confirm", "candidates"),
    Action("reject_candidate", "x", "Reject", "candidates"),
    Action("link_url", "L", "Link by URL", "candidates"),
    Action("back", "escape", "Back", "candidates"),
    # diff
    Action("side('translation')", "e", "Translation", "diff"),
    Action("side('original')", "r", "Original", "diff"),
    Action("back", "escape", "Back", "diff"),
)


def bindings_for(screen: str) -> list[BindingType]:
    """Typed as Textual's ``BINDINGS`` is, so a screen's class attribute checks."""
    return [a.binding() for a in ACTIONS if a.screen == screen]


def actions_for(screen: str) -> list[Action]:
    return [a for a in ACTIONS if a.screen in (screen, "app")]
