"""The guardrail library (SCPs, RCPs, declarative policies for EC2, Organizations S3 policies): one JSON data file
per guardrail, data files for the policy types and the region deny's global services (data/), and the code that
renders, lints and simulates them.

- :mod:`landingzone.policies.catalog`: ``GuardrailCatalog``, ``render``, ``RenderContext``, ``plan_attachments``.
- :mod:`landingzone.policies.lint`: ``lint(policy_text, policy_type_name=...) -> list[PolicyFinding]`` (SCP, RCP,
  declarative and S3 policy grammar, the IAM action catalogue, quotas per type); :mod:`...lint_plan` for a plan.
- :mod:`landingzone.policies.simulator`: ``simulate(...) -> Verdict`` over root -> OUs -> account (SCPs);
  :mod:`landingzone.policies.resource_simulator`: ``simulate_request`` adds the RCPs on the resource's path.

Import the submodules directly; this package imports nothing at import time. The catalog imports no
``landingzone.config`` at run time (only its types), so the configuration's rules can use the catalog.
"""
