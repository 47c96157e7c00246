"""Step 11: what to do next: keep the file in git, preview in CI, audit the organization regularly."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Markdown

from tui.screens.base import StepScreen
from tui.state import WizardState

CI_WORKFLOW = """\
name: landingzone
on: [pull_request, push]
jobs:
  preview:
    runs-on: ubuntu-latest
    permissions: {{id-token: write, contents: read}}
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with: {{python-version: "3.11"}}
      - run: pip install landingzone
      - run: landingzone validate --config {config}
      - run: landingzone preview --config {config} --detailed-exitcode
        env:
          LANDINGZONE_PASSPHRASE: ${{{{ secrets.LANDINGZONE_PASSPHRASE }}}}
"""


@dataclass(frozen=True)
class DoneAnswers:
    def apply(self, state: WizardState) -> None:
        return None


class DoneScreen(StepScreen[DoneAnswers]):
    STEP = "done"
    TITLE_TEXT = "Done"
    HELP = "Next steps: CI workflow, audit"

    BINDINGS: ClassVar[list[BindingType]] = [Binding("q", "app.quit", "Quit")]

    def compose_body(self) -> ComposeResult:
        path = self.state.config_path
        saved = "saved" if self.state.saved else "not saved yet (ctrl+s saves it)"
        text = f"""\
## Next steps

Your configuration is **{path}** ({saved}). Commit it: it is the landing zone.

1. **Preview in CI** on every pull request, apply only from the main branch:

```yaml
{CI_WORKFLOW.format(config=path)}```

2. **Audit** the organization regularly; it checks the same practices from outside:
   `landingzone audit --config {path}`
3. **Replace the example.com emails** before the first apply, if you have not.
4. **Change things** by editing the file or running `landingzone --config {path}` again, then
   `landingzone preview --config {path}` and `landingzone up --config {path}`.
"""
        with Vertical(classes="panel"):
            yield Markdown(text, id="next-steps")

    def collect(self) -> DoneAnswers:
        return DoneAnswers()
