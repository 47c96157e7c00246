"""`landingzone`: a thin Typer layer over the library, one module per command group.

- :mod:`~landingzone.cli.app`: the application, the root callback (the wizard) and :func:`main`;
- :mod:`~landingzone.cli.options`: the consoles, the --config option and the enums of every choice;
- :mod:`~landingzone.cli.configuration`: `init`, `validate`, `schema`;
- :mod:`~landingzone.cli.doctor`: `doctor`;
- :mod:`~landingzone.cli.engine`: `preview`, `up`, `refresh`, `destroy`, `outputs` (rendering in
  :mod:`~landingzone.cli.render`);
- :mod:`~landingzone.cli.stacks`: `stacks` (every stack in dependency order);
- :mod:`~landingzone.cli.plan`: `plan`; :mod:`~landingzone.cli.audit`: `audit`;
  :mod:`~landingzone.cli.policies`: `policies list|show|lint|simulate`;
- :mod:`~landingzone.cli.root_credentials`: `root-credentials`.

Every command registers with ``@app.command()`` and takes its help from its docstring, which ends in an
``Example:`` block. Importing the command modules below registers them, in the order `--help` lists them.
"""

from landingzone.cli.app import app, main

# The import order is the order of the commands in `landingzone --help`.
# isort: off
from landingzone.cli import configuration, doctor, engine, stacks, plan, audit, policies, root_credentials
# isort: on

COMMAND_MODULES = (configuration, doctor, engine, stacks, plan, audit, policies, root_credentials)
"""The modules whose import registers the commands (in this order)."""

__all__ = ["COMMAND_MODULES", "app", "main"]
