"""The command palette: every action of the current screen, from tui/bindings.py."""

from __future__ import annotations

from functools import partial

from textual.command import Hit, Hits, Provider

from tui.bindings import actions_for


class ActionCommands(Provider):
    async def search(self, query: str) -> Hits:
        screen = self.screen
        name = getattr(screen, "SCREEN_NAME", "app")
        matcher = self.matcher(query)
        for action in actions_for(name):
            if action.id == "command_palette":
                continue
            score = matcher.match(action.description)
            if score > 0:
                yield Hit(score, matcher.highlight(action.description), partial(self.run, action.id),
                          help=f"key: {action.key}")  # fmt: skip

    async def run(self, action: str) -> None:
        target = self.app if action in ("help", "quit") else self.screen
        await target.run_action(action)
