"""The SCP library: one JSON data file per guardrail, and the code that renders, lints and simulates them.

- :mod:`landingzone.policies.catalog`: ``GuardrailCatalog``, ``render``, ``RenderContext``, ``plan_attachments``.
- :mod:`landingzone.policies.lint`: ``lint(policy_text) -> list[Finding]`` against the real IAM action catalogue.
- :mod:`landingzone.policies.simulator`: ``simulate(...) -> Verdict`` over root -> OUs -> account.

Import the submodules directly; this package imports nothing at import time. The catalog imports no
``landingzone.config`` at run time (only its types), so the configuration's rules can use the catalog.
"""
