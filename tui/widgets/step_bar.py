"""The breadcrumb of wizard steps: where you are and what comes next."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widget import Widget


class StepBar(Widget):
    """Numbered steps, the current one highlighted. Narrow terminals show only numbers, except for the
    current step."""

    DEFAULT_CSS = "StepBar { height: 1; }"

    def __init__(self, current: str, steps: Sequence[tuple[str, str]]) -> None:
        """``steps``: (key, title) of every step, in order (tui/app.py's STEPS)."""
        super().__init__()
        self.current = current
        self.titles = dict(steps)

    def render(self) -> Text:
        keys = list(self.titles)
        wide = self.size.width >= 130
        text = Text(no_wrap=True, overflow="ellipsis")
        for i, key in enumerate(keys, start=1):
            here = key == self.current
            label = f" {i} {self.titles[key]} " if (wide or here) else f" {i} "
            style = "bold reverse" if here else ("dim" if keys.index(key) > keys.index(self.current) else "")
            text.append(label, style=style)
            if i < len(keys):
                text.append("›", style="dim")
        return text
