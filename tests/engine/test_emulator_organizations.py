"""The emulated plugin under the real engine: organization, OUs, accounts, SCPs, delegated administrators.

Create, update in place, replace, refresh after an out-of-band change, and delete; every step checked in moto.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as paws
import pytest
from botocore.exceptions import ClientError
from pulumi.automation import errors as auto_errors

from .emulator_programs import opts, provider, scp


def organization_program(endpoint: str, spec: dict[str, Any]):  # type: ignore[no-untyped-def]
    def program() -> None:
        mgmt = provider("management", endpoint)
        org = paws.organizations.Organization(
            "org",
            feature_set="ALL",
            aws_service_access_principals=["cloudtrail.amazonaws.com", "guardduty.amazonaws.com"],
            enabled_policy_types=["SERVICE_CONTROL_POLICY"],
            opts=opts(mgmt),
        )
        root = org.roots[0].id
        security_ou = paws.organizations.OrganizationalUnit(
            "security", name=spec["security_ou_name"], parent_id=root, opts=opts(mgmt)
        )
        workloads = paws.organizations.OrganizationalUnit(
            "workloads", name="Workloads", parent_id=root, opts=opts(mgmt)
        )
        security = paws.organizations.Account(
            "security",
            name="Security",
            email="security@example.com",
            parent_id=security_ou.id,
            role_name="OrganizationAccountAccessRole",
            close_on_deletion=False,
            opts=opts(mgmt),
        )
        prod = paws.organizations.Account(
            "prod",
            name="Prod",
            email=spec["prod_email"],
            parent_id=workloads.id if spec["prod_in_workloads"] else security_ou.id,
            role_name="OrganizationAccountAccessRole",
            close_on_deletion=False,
            opts=opts(mgmt),
        )
        deny = paws.organizations.Policy(
            "deny-leave",
            name="deny-leave-organization",
            description="no leaving",
            content=spec["scp"],
            type="SERVICE_CONTROL_POLICY",
            opts=opts(mgmt, depends_on=[org]),
        )
        paws.organizations.PolicyAttachment(
            "deny-leave-attachment",
            policy_id=deny.id,
            target_id=workloads.id if spec["attach_to_workloads"] else root,
            opts=opts(mgmt),
        )
        paws.organizations.DelegatedAdministrator(
            "guardduty-admin",
            account_id=security.id,
            service_principal="guardduty.amazonaws.com",
            opts=opts(mgmt),
        )
        paws.organizations.DelegatedAdministrator(
            "securityhub-admin",
            account_id=security.id,
            service_principal="securityhub.amazonaws.com",
            opts=opts(mgmt),
        )
        paws.cloudtrail.OrganizationDelegatedAdminAccount("cloudtrail-admin", account_id=security.id, opts=opts(mgmt))
        pulumi.export("organization_id", org.id)
        pulumi.export("root_id", root)
        pulumi.export("master_account_id", org.master_account_id)
        pulumi.export("ou_ids", {"Security": security_ou.id, "Workloads": workloads.id})
        pulumi.export("account_ids", {"Security": security.id, "Prod": prod.id})
        pulumi.export("policy_id", deny.id)

    return program


def outputs(result: Any) -> dict[str, Any]:
    return {k: v.value for k, v in result.outputs.items()}


def parent_of(org: Any, child: str) -> str:
    return str(org.list_parents(ChildId=child)["Parents"][0]["Id"])


def targets_of(org: Any, policy_id: str) -> set[str]:
    return {t["TargetId"] for t in org.list_targets_for_policy(PolicyId=policy_id)["Targets"]}


def test_organization_create_update_replace_refresh_delete(inline_stack: Any, aws: Any, engine_env: Any) -> None:
    spec = {
        "security_ou_name": "Security",
        "prod_email": "prod@example.com",
        "prod_in_workloads": True,
        "scp": scp("organizations:LeaveOrganization"),
        "attach_to_workloads": False,
    }
    stack = inline_stack(organization_program(aws.endpoint, spec), stack="organization")
    org = aws.client("organizations")

    preview = stack.preview()
    assert preview.change_summary.get("create") == 12  # stack + provider + 10 resources

    out = outputs(stack.up())
    desc = org.describe_organization()["Organization"]
    assert out["organization_id"] == desc["Id"] and out["master_account_id"] == desc["MasterAccountId"]
    assert out["root_id"] == org.list_roots()["Roots"][0]["Id"]
    assert {
        p["ServicePrincipal"] for p in org.list_aws_service_access_for_organization()["EnabledServicePrincipals"]
    } == {"cloudtrail.amazonaws.com", "guardduty.amazonaws.com"}
    ous = out["ou_ids"]
    accounts = out["account_ids"]
    assert parent_of(org, accounts["Security"]) == ous["Security"]
    assert parent_of(org, accounts["Prod"]) == ous["Workloads"]
    assert org.describe_account(AccountId=accounts["Prod"])["Account"]["Email"] == "prod@example.com"
    assert targets_of(org, out["policy_id"]) == {out["root_id"]}
    admins = org.list_delegated_administrators(ServicePrincipal="guardduty.amazonaws.com")["DelegatedAdministrators"]
    assert [a["Id"] for a in admins] == [accounts["Security"]]
    # securityhub and the CloudTrail registration are refused by moto: they live in the emulator's state file.
    state = engine_env["LANDINGZONE_EMULATOR_STATE"]
    text = open(state).read()
    assert f'"{accounts["Security"]}/securityhub.amazonaws.com"' in text
    assert f'"{desc["MasterAccountId"]}": "{accounts["Security"]}"' in text

    # Right after an up, nothing to do.
    assert stack.preview().change_summary == {"same": 12}

    # Updates in place: SCP content, OU name, account moved; replacements: account email, attachment target.
    spec.update(
        security_ou_name="Security-Tooling",
        prod_in_workloads=False,
        attach_to_workloads=True,
        scp=scp("organizations:LeaveOrganization", "account:CloseAccount"),
        prod_email="prod2@example.com",
    )
    preview = stack.preview(diff=True)
    assert preview.change_summary == {"same": 8, "update": 2, "replace": 2}, preview.stdout
    out2 = outputs(stack.up())
    assert out2["policy_id"] == out["policy_id"]
    assert "account:CloseAccount" in org.describe_policy(PolicyId=out["policy_id"])["Policy"]["Content"]
    assert out2["ou_ids"] == ous
    assert (
        org.describe_organizational_unit(OrganizationalUnitId=ous["Security"])["OrganizationalUnit"]["Name"]
        == "Security-Tooling"
    )
    new_prod = out2["account_ids"]["Prod"]
    assert new_prod != accounts["Prod"]
    assert parent_of(org, new_prod) == ous["Security"]
    assert org.describe_account(AccountId=new_prod)["Account"]["Email"] == "prod2@example.com"
    assert accounts["Prod"] not in {a["Id"] for a in org.list_accounts()["Accounts"]}
    assert targets_of(org, out["policy_id"]) == {ous["Workloads"]}
    assert stack.preview().change_summary == {"same": 12}

    # Out of band: the SCP detached by hand. A refresh sees it gone; the next up attaches it again.
    org.detach_policy(PolicyId=out["policy_id"], TargetId=ous["Workloads"])
    refresh = stack.refresh()
    assert refresh.summary.resource_changes.get("delete") == 1, refresh.stdout
    assert stack.preview().change_summary.get("create") == 1
    stack.up()
    assert targets_of(org, out["policy_id"]) == {ous["Workloads"]}

    # Out of band: the SCP's content edited by hand. A refresh records it; up puts the program's content back.
    org.update_policy(PolicyId=out["policy_id"], Content=scp("s3:*"))
    refresh = stack.refresh()
    assert refresh.summary.resource_changes.get("update") == 1, refresh.stdout
    assert stack.preview().change_summary.get("update") == 1
    stack.up()
    assert "account:CloseAccount" in org.describe_policy(PolicyId=out["policy_id"])["Policy"]["Content"]

    stack.destroy()
    with pytest.raises(ClientError):
        org.describe_policy(PolicyId=out["policy_id"])
    with pytest.raises(ClientError):
        org.describe_organization()
    assert "securityhub" not in open(state).read()


def test_brownfield_import_reads_existing_organization(inline_stack: Any, aws: Any) -> None:
    """`import_` on the organization, an OU and an account (as the organization stage does for existing ones):
    the engine calls Read with the id only, and the program's inputs must match what was read."""
    org = aws.client("organizations")
    desc = org.create_organization(FeatureSet="ALL")["Organization"]
    org.enable_aws_service_access(ServicePrincipal="cloudtrail.amazonaws.com")
    root = org.list_roots()["Roots"][0]["Id"]
    org.enable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")
    ou = org.create_organizational_unit(ParentId=root, Name="Workloads")["OrganizationalUnit"]["Id"]
    status = org.create_account(Email="legacy@example.com", AccountName="Legacy")["CreateAccountStatus"]
    account = org.describe_create_account_status(CreateAccountRequestId=status["Id"])["CreateAccountStatus"][
        "AccountId"
    ]
    org.move_account(AccountId=account, SourceParentId=root, DestinationParentId=ou)

    def program() -> None:
        mgmt = provider("management", aws.endpoint)
        organization = paws.organizations.Organization(
            "org",
            feature_set="ALL",
            aws_service_access_principals=["cloudtrail.amazonaws.com"],
            enabled_policy_types=["SERVICE_CONTROL_POLICY"],
            opts=opts(mgmt, protect=True, import_=desc["Id"]),
        )
        workloads = paws.organizations.OrganizationalUnit(
            "workloads", name="Workloads", parent_id=organization.roots[0].id, opts=opts(mgmt, import_=ou)
        )
        paws.organizations.Account(
            "legacy",
            name="Legacy",
            email="legacy@example.com",
            parent_id=workloads.id,
            role_name="OrganizationAccountAccessRole",
            close_on_deletion=False,
            opts=opts(mgmt, protect=True, import_=account, ignore_changes=["roleName"]),
        )

    stack = inline_stack(program, stack="brownfield")
    preview = stack.preview()
    assert preview.change_summary == {"create": 2, "import": 3}, preview.stdout
    stack.up()
    assert stack.preview().change_summary == {"same": 5}
    # Protect is the engine's business: a destroy refuses to delete the imported organization and account.
    with pytest.raises(Exception, match="protect"):
        stack.destroy()
    assert org.describe_account(AccountId=account)["Account"]["Name"] == "Legacy"


@pytest.mark.parametrize("duplicate", ["ou", "account"])
def test_duplicates_are_refused_like_aws(inline_stack: Any, aws: Any, duplicate: str) -> None:
    """AWS refuses a second OU of one name under a parent and a second account with one email (moto does not):
    a re-run after an interrupted up must fail loudly rather than leave duplicates."""
    org = aws.client("organizations")
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    org.create_organizational_unit(ParentId=root, Name="Workloads")
    org.create_account(Email="prod@example.com", AccountName="Prod")

    def program() -> None:
        mgmt = provider("management", aws.endpoint)
        if duplicate == "ou":
            paws.organizations.OrganizationalUnit("workloads", name="Workloads", parent_id=root, opts=opts(mgmt))
        else:
            paws.organizations.Account("prod", name="Prod", email="prod@example.com", parent_id=root, opts=opts(mgmt))

    stack = inline_stack(program, stack=f"duplicate-{duplicate}")
    expected = "DuplicateOrganizationalUnitException" if duplicate == "ou" else "EMAIL_ALREADY_EXISTS"
    with pytest.raises(auto_errors.CommandError, match=expected):
        stack.up()
    assert len(org.list_organizational_units_for_parent(ParentId=root)["OrganizationalUnits"]) == 1
    assert [a["Email"] for a in org.list_accounts()["Accounts"]].count("prod@example.com") == 1
