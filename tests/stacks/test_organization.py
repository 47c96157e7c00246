from __future__ import annotations

from landingzone.config import SecurityService

from .helpers import config, run_stage

ACCOUNT = "aws:organizations/account:Account"
OU = "aws:organizations/organizationalUnit:OrganizationalUnit"
ORG = "aws:organizations/organization:Organization"


def test_organization_all_features_scps_and_trusted_services() -> None:
    cfg = config("medium")
    plan = run_stage("organization", cfg, upstream={})
    org = plan.named("organization")
    assert org.inputs["featureSet"] == "ALL"
    # The medium preset uses an RCP, an EC2 declarative policy and the S3 policy: every type it uses is enabled.
    assert org.inputs["enabledPolicyTypes"] == ["SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY",
                                                "DECLARATIVE_POLICY_EC2", "S3_POLICY"]
    # The delegated security services, IAM (centralized root access) and Account Management (stage governance),
    # EC2 (the declarative policies' account status report).
    assert org.inputs["awsServiceAccessPrincipals"] == sorted(
        [s.service_principal for s in cfg.organization.security_services]
        + ["iam.amazonaws.com", "account.amazonaws.com", "ec2.amazonaws.com"])
    assert "cloudtrail.amazonaws.com" in org.inputs["awsServiceAccessPrincipals"]
    assert org.provider == "management"


def test_only_the_policy_types_in_use_are_enabled() -> None:
    small = run_stage("organization", config("small"), upstream={}).named("organization")
    assert small.inputs["enabledPolicyTypes"] == ["SERVICE_CONTROL_POLICY"]
    assert "ec2.amazonaws.com" not in small.inputs["awsServiceAccessPrincipals"]  # only with declarative policies
    cfg = config("small", guardrails=[{"id": "deny-root-user", "targets": ["Root"]},
                                      {"id": "rcp-s3-require-tls", "targets": ["Root"]}])
    org = run_stage("organization", cfg, upstream={}).named("organization")
    assert org.inputs["enabledPolicyTypes"] == ["SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"]


def test_organization_and_accounts_are_protected_and_keep_role_name() -> None:
    cfg = config("medium")
    plan = run_stage("organization", cfg, upstream={})
    assert plan.named("organization").protect
    accounts = plan.of_type(ACCOUNT)
    assert {a.inputs["name"] for a in accounts} == {a.name for a in cfg.accounts}
    for acct in accounts:
        assert acct.protect, acct.name
        assert acct.inputs["roleName"] == cfg.access_role_name
        assert acct.ignore_changes == ("roleName",)
        assert acct.inputs["closeOnDeletion"] is False
        assert acct.import_id is None
    # OUs are not protected (an OU with accounts cannot be deleted anyway) and nothing is imported.
    assert all(not ou.protect and ou.import_id is None for ou in plan.of_type(OU))


def test_close_on_deletion_only_where_configured() -> None:
    data_cfg = config("small")
    accounts = [a.model_dump(mode="json") for a in data_cfg.accounts]
    accounts[2]["close_on_deletion"] = True
    cfg = config("small", accounts=accounts)
    plan = run_stage("organization", cfg, upstream={})
    closing = {a.inputs["name"] for a in plan.of_type(ACCOUNT) if a.inputs["closeOnDeletion"]}
    assert closing == {accounts[2]["name"]}


def test_ou_tree_and_account_placement() -> None:
    cfg = config("medium")
    plan = run_stage("organization", cfg, upstream={})
    ou_ids = plan.outputs["ou_ids"]
    assert set(ou_ids) == set(cfg.ou_paths())
    prod_ou = plan.named("ou-Workloads/Prod")
    assert prod_ou.inputs["name"] == "Prod"
    assert prod_ou.inputs["parentId"] == ou_ids["Workloads"]
    assert plan.named("ou-Workloads").inputs["parentId"] == plan.outputs["root_id"]
    for acct in cfg.accounts:
        assert plan.named(f"account-{acct.name}").inputs["parentId"] == ou_ids[acct.ou]
    assert set(plan.outputs["account_ids"]) == {a.name for a in cfg.accounts}
    assert plan.outputs["management_account_id"]


def test_brownfield_adopts_with_import_ids() -> None:
    base = config("medium")
    ous = [ou.model_dump(mode="json", exclude_defaults=True) for ou in base.organizational_units]
    ous[2]["existing_id"] = "ou-ab12-11111111"  # Workloads
    accounts = [a.model_dump(mode="json", exclude_defaults=True) for a in base.accounts]
    accounts[3]["existing_id"] = "222222222222"  # production
    cfg = config("medium", organizational_units=ous, accounts=accounts,
                 organization={"existing_id": "o-existing000", "existing_root_id": "r-exis"})
    plan = run_stage("organization", cfg, upstream={})
    org = plan.named("organization")
    assert org.import_id == "o-existing000" and org.protect
    assert plan.named("ou-Workloads").import_id == "ou-ab12-11111111"
    assert plan.named("ou-Security").import_id is None
    production = plan.named("account-production")
    assert production.import_id == "222222222222" and production.protect
    assert plan.named("account-development").import_id is None
    # The adopted root id is used as given, not read from the organization.
    assert plan.named("ou-Workloads").inputs["parentId"] == "r-exis"
    assert plan.outputs["organization_id"] == "o-existing000"
    assert plan.outputs["root_id"] == "r-exis"
    # An OU below an adopted OU hangs under the adopted OU's id.
    assert plan.named("ou-Workloads/Prod").inputs["parentId"] == "ou-ab12-11111111"


def test_only_chosen_services_are_trusted() -> None:
    cfg = config("small", organization={"security_services": ["guardduty"]})
    plan = run_stage("organization", cfg, upstream={})
    assert plan.named("organization").inputs["awsServiceAccessPrincipals"] == [
        "account.amazonaws.com", SecurityService.CLOUDTRAIL.service_principal,
        SecurityService.GUARDDUTY.service_principal, "iam.amazonaws.com"]  # stage governance: the first, the last
