"""The list of configuration problems under a step's fields, in the config model's own words."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from landingzone.errors import ConfigProblem


class ProblemList(Static):
    """Shows nothing when the step is valid; otherwise one line per problem: field path, then the message."""

    def show(self, problems: list[ConfigProblem]) -> None:
        self.set_class(not problems, "-empty")
        if not problems:
            self.update("")
            return
        text = Text()
        for i, problem in enumerate(problems[:6]):
            if i:
                text.append("\n")
            text.append("✗ ", style="bold red")
            text.append(problem.path or "configuration", style="bold")
            text.append(f": {problem.message}")
        if len(problems) > 6:
            text.append(f"\n… and {len(problems) - 6} more", style="italic")
        self.update(text)

    @property
    def lines(self) -> list[str]:
        return str(self.render()).splitlines()
