"""Every step screen with valid and invalid input; the messages are the config model's own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import Checkbox, DataTable, Input, OptionList, RadioButton, RadioSet, Select, Static, TextArea

from landingzone.config import validate_config
from tests.tui.conftest import open_step, problem_text, run, set_value, settle, text_of
from tui.app import WizardApp, make_app
from tui.screens.accounts import AccountsScreen
from tui.screens.base import AnyStepScreen
from tui.screens.guardrails import GuardrailsScreen
from tui.screens.ous import OusScreen
from tui.widgets.ou_tree import AccountNode, OuNode, OuTree


def wizard(tmp_path: Path) -> WizardApp:
    return make_app(None, config_path=tmp_path / "landingzone.yaml")


def drive(app: WizardApp, body: Any, size: tuple[int, int] = (100, 30)) -> None:
    async def go() -> None:
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await body(pilot)

    run(go())


async def next_is_refused(pilot: Any, screen: AnyStepScreen) -> None:
    await pilot.press("ctrl+n")
    await pilot.pause()
    assert pilot.app.screen is screen, "Next left a step that has problems"


# ---- 1 welcome ---------------------------------------------------------------------------------------------


def test_welcome_runs_doctor_in_a_worker_and_validates_adoption(tmp_path: Path) -> None:
    app = wizard(tmp_path)

    async def body(pilot: Any) -> None:
        screen = app.screen
        doctor = text_of(screen.query_one("#doctor", Static))
        assert "no AWS credentials found" in doctor and "pulumi" in doctor
        assert "nothing to discover" in text_of(screen.query_one("#discovery", Static))
        adopt = next(b for b in screen.query(RadioButton) if b.name == "adopt")
        await set_value(pilot, adopt, True)
        assert screen.query_one("#adopt-ids").display
        assert "adopting an existing organization needs its id" in problem_text(screen)
        await set_value(pilot, screen.query_one("#existing-id", Input), "o-bad")
        text = problem_text(screen)
        assert "'o-bad' is not an organization id" in text
        await next_is_refused(pilot, screen)
        await set_value(pilot, screen.query_one("#existing-id", Input), "o-abcdefghij")
        assert "needs its root id" in problem_text(screen)
        await set_value(pilot, screen.query_one("#existing-root-id", Input), "r-ab12")
        assert screen.problems == []
        assert app.state.data["organization"]["existing_id"] == "o-abcdefghij"
        # Adopting an existing organization lifts the new-and-empty requirement (the audit checks it instead).
        app.state.data["management_account"]["new_and_empty"] = False
        assert not [p for p in app.state.problems() if p.path == "management_account.new_and_empty"]
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert app.screen.STEP == "organization"

    drive(app, body)


def test_welcome_preset_choice_replaces_the_draft(tmp_path: Path) -> None:
    app = wizard(tmp_path)

    async def body(pilot: Any) -> None:
        screen = app.screen
        small = next(b for b in screen.query_one("#preset", RadioSet).query(RadioButton) if b.name == "small")
        await set_value(pilot, small, True)
        assert app.state.preset_name == "small"
        assert [a["name"] for a in app.state.data["accounts"]] == ["security", "production", "development"]
        assert app.state.data["organizational_units"] == []

    drive(app, body)


# ---- 2 organization ----------------------------------------------------------------------------------------


def test_organization_checklist_regions_and_email(tmp_path: Path) -> None:
    app = wizard(tmp_path)

    async def body(pilot: Any) -> None:
        screen = await open_step(pilot, "organization")
        assert screen.problems == []
        await set_value(pilot, screen.query_one("#new-and-empty", Checkbox), False)
        assert "confirm that the management account is new" in problem_text(screen)
        assert screen.query_one("#new-and-empty").has_class("-invalid")
        await set_value(pilot, screen.query_one("#minimal-access", Checkbox), False)
        assert "only the few administrators" in problem_text(screen)
        await next_is_refused(pilot, screen)
        await set_value(pilot, screen.query_one("#new-and-empty", Checkbox), True)
        await set_value(pilot, screen.query_one("#minimal-access", Checkbox), True)
        await set_value(pilot, screen.query_one("#mgmt-email", Input), "admin-at-example")
        assert "is not an email address" in problem_text(screen)
        await set_value(pilot, screen.query_one("#mgmt-email", Input), "root@example.org")
        await set_value(pilot, screen.query_one("#home-region", Input), "mars-north-1")
        assert "'mars-north-1' is not a known AWS region" in problem_text(screen)
        await set_value(pilot, screen.query_one("#home-region", Input), "eu-west-1")
        assert "must be one of the governed regions" in problem_text(screen)
        await set_value(pilot, screen.query_one("#governed-regions", Input), "eu-west-1, eu-central-1")
        assert screen.problems == []
        assert app.state.data["governed_regions"] == ["eu-west-1", "eu-central-1"]
        assert app.state.data["management_account"]["email"] == "root@example.org"

    drive(app, body)


def test_organization_governance_panel_root_access_contact_budget(tmp_path: Path) -> None:
    app = wizard(tmp_path)

    async def body(pilot: Any) -> None:
        screen = await open_step(pilot, "organization")
        assert screen.query_one("#root-access", Checkbox).value  # centralized root access is on by default
        await set_value(pilot, screen.query_one("#contact-name", Input), "Security team")
        # A half-filled contact names the missing fields, on their widgets.
        assert "governance.alternate_contacts.security.email" in problem_text(screen)
        assert screen.query_one("#contact-email").has_class("-invalid")
        await next_is_refused(pilot, screen)
        for key, value in (("title", "Security"), ("email", "security@example.com"), ("phone", "+1 206 555 0100")):
            await set_value(pilot, screen.query_one(f"#contact-{key}", Input), value)
        assert screen.problems == []
        await set_value(pilot, screen.query_one("#budget-limit", Input), "250")
        assert "a budget needs at least one address" in problem_text(screen)
        assert screen.query_one("#budget-emails").has_class("-invalid")
        await set_value(pilot, screen.query_one("#budget-emails", Input), "finops@example.com, cfo@example.com")
        await set_value(pilot, screen.query_one("#root-access", Checkbox), False)
        assert screen.problems == []
        gov = app.state.data["governance"]
        assert gov["root_access"] == {"centralized": False}
        assert gov["alternate_contacts"]["security"] == {
            "name": "Security team", "title": "Security", "email": "security@example.com", "phone": "+1 206 555 0100"}
        assert gov["budgets"]["default"] == {"monthly_limit_usd": 250.0,
                                             "emails": ["finops@example.com", "cfo@example.com"]}
        cfg = validate_config(app.state.data)
        assert not cfg.governance.root_access.centralized and cfg.governance.budgets.default is not None
        # Back to the defaults.
        await set_value(pilot, screen.query_one("#root-access", Checkbox), True)
        for key in ("name", "title", "email", "phone"):
            await set_value(pilot, screen.query_one(f"#contact-{key}", Input), "")
        await set_value(pilot, screen.query_one("#budget-limit", Input), "")
        await set_value(pilot, screen.query_one("#budget-emails", Input), "")
        from landingzone.config import GovernanceConfig

        assert validate_config(app.state.data).governance == GovernanceConfig()

    drive(app, body, size=(120, 60))


# ---- 3 accounts --------------------------------------------------------------------------------------------


def test_accounts_table_validates_as_you_type(tmp_path: Path) -> None:
    app = wizard(tmp_path)

    async def body(pilot: Any) -> None:
        screen = await open_step(pilot, "accounts")
        assert isinstance(screen, AccountsScreen)
        table = screen.query_one("#accounts-table", DataTable)
        assert table.row_count == 5
        table.focus()
        await pilot.press("down")  # log-archive
        await pilot.pause()
        assert screen.query_one("#acct-name", Input).value == "log-archive"
        await set_value(pilot, screen.query_one("#acct-email", Input), "aws-security@example.com")
        assert "is already the email of accounts[0]" in problem_text(screen)
        assert str(table.get_cell_at((1, 0))) == "✗"
        await set_value(pilot, screen.query_one("#acct-email", Input), "aws-logs@example.com")
        await set_value(pilot, screen.query_one("#acct-kind", Select), "security")
        assert "exactly one account of kind 'security' is needed, found 2" in problem_text(screen)
        await next_is_refused(pilot, screen)
        await set_value(pilot, screen.query_one("#acct-kind", Select), "log-archive")
        assert screen.problems == []
        await pilot.press("ctrl+t")  # add an account: it starts without an email
        await pilot.pause()
        assert table.row_count == 6
        assert "accounts[5].email" in problem_text(screen)
        await set_value(pilot, screen.query_one("#acct-name", Input), "data-platform")
        await set_value(pilot, screen.query_one("#acct-email", Input), "aws-data@example.com")
        assert screen.problems == []
        assert app.state.data["accounts"][5]["name"] == "data-platform"
        await pilot.press("ctrl+r")  # remove it again
        await pilot.pause()
        assert table.row_count == 5 and len(app.state.data["accounts"]) == 5
        assert app.state.data["accounts"][1]["email"] == "aws-logs@example.com"

    drive(app, body)


# ---- 4 OUs -------------------------------------------------------------------------------------------------


def test_ou_tree_keyboard_moves_rename_and_presets(tmp_path: Path) -> None:
    app = wizard(tmp_path)

    async def body(pilot: Any) -> None:
        screen = await open_step(pilot, "ous")
        assert isinstance(screen, OusScreen)
        tree = screen.query_one(OuTree)
        tree.select_data(AccountNode("development"))
        await pilot.pause()
        await pilot.press("left_square_bracket")  # previous OU: Workloads/Prod
        await pilot.pause()
        assert app.state.data["accounts"][4]["ou"] == "Workloads/Prod"
        await pilot.press("right_square_bracket", "right_square_bracket")  # NonProd, then Sandbox
        await pilot.pause()
        assert app.state.data["accounts"][4]["ou"] == "Sandbox"
        # Rename Workloads: accounts and guardrail targets under it follow.
        tree.select_data(OuNode("Workloads"))
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        name = screen.query_one("#ou-name", Input)
        name.value = "Apps"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert app.state.data["accounts"][3]["ou"] == "Apps/Prod"
        assert any("Apps" in g["targets"] for g in app.state.data["guardrails"])
        assert screen.problems == []
        # A second OU named Security under Root is refused with the model's message.
        tree.select_data(OuNode("Root"))
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        screen.query_one("#ou-name", Input).value = "Security"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert "'Security' appears twice under the same parent" in problem_text(screen)
        await next_is_refused(pilot, screen)
        tree.select_data(OuNode("Security"))
        await pilot.pause()
        await pilot.press("x")  # removes the first Security OU; its accounts move up to Root
        await pilot.pause()
        await pilot.pause()
        assert "appears twice" not in problem_text(screen)
        # Start again from the large preset's tree: accounts placed by kind.
        await pilot.press("3")
        await pilot.pause()
        await pilot.pause()
        assert "Policy-Staging" in [ou["name"] for ou in app.state.data["organizational_units"]]
        assert app.state.data["accounts"][0]["ou"] == "Security"
        assert screen.problems == [] or "guardrails" in problem_text(screen)

    drive(app, body)


# ---- 5 guardrails ------------------------------------------------------------------------------------------


def test_guardrails_toggle_params_quota_and_simulator(tmp_path: Path) -> None:
    app = wizard(tmp_path)

    async def body(pilot: Any) -> None:
        screen = await open_step(pilot, "guardrails")
        assert isinstance(screen, GuardrailsScreen)
        verdict = text_of(screen.query_one("#sim-verdict", Static))
        assert verdict.startswith("DENIED") and "deny-leave-organization" in verdict
        await set_value(pilot, screen.query_one("#sim-action", Input), "s3:ListAllMyBuckets")
        assert text_of(screen.query_one("#sim-verdict", Static)).startswith("ALLOWED")
        options = screen.query_one("#guardrail-list", OptionList)
        options.focus()
        options.highlighted = screen.catalog.ids().index("deny-iam-users")
        await pilot.pause()
        assert "Deny IAM users" in text_of(screen.query_one("#guardrail-description", Static))
        await pilot.press("space")
        await pilot.pause()
        assert app.state.data["guardrails"][-1] == {"id": "deny-iam-users", "parameters": {}, "targets": ["Root"]}
        await set_value(pilot, screen.query_one("#guardrail-targets", Input), "Workloads/Prod, Nowhere")
        assert "'Nowhere' is neither 'Root', an OU path nor an account name" in problem_text(screen)
        await set_value(pilot, screen.query_one("#guardrail-targets", Input), "Workloads/Prod")
        await set_value(pilot, screen.query_one("#guardrail-params", Input), '{"exempt_principal_arns": ')
        assert "not JSON" in problem_text(screen)
        await set_value(pilot, screen.query_one("#guardrail-params", Input), '{"colour": "blue"}')
        assert "has no parameter 'colour'" in problem_text(screen)
        await set_value(pilot, screen.query_one("#guardrail-params", Input), "")
        assert screen.problems == []
        # Quota: every other guardrail of the library on Root (deny-iam-users stays on Workloads/Prod, as its
        # editor says) plus FullAWSAccess is over the 10 SCPs per target; the RCPs have their own quota.
        for gid in screen.catalog.ids():
            assignment = screen._assignment(gid)
            if assignment is None:
                screen.assignments.append({"id": gid, "parameters": {}, "targets": ["Root"]})
            elif "Root" not in assignment["targets"]:
                assignment["targets"].append("Root")
        screen.revalidate()
        scps = 1 + sum(1 for g in screen.catalog if g.policy_type == "SERVICE_CONTROL_POLICY"
                       and g.id != "deny-iam-users")
        rcps = 1 + sum(1 for g in screen.catalog if g.policy_type == "RESOURCE_CONTROL_POLICY")
        assert scps > 10 and rcps <= 5
        assert f"'Root' would have {scps} SCPs attached" in problem_text(screen)
        await next_is_refused(pilot, screen)
        meter = text_of(screen.query_one("#quota-meter", Static))
        assert f"{scps}/10" in meter and f"{rcps}/5" in meter and "RCP" in meter

    drive(app, body, size=(160, 48))


def test_guardrails_show_policy_types_and_simulate_rcps_for_a_resource(tmp_path: Path) -> None:
    app = wizard(tmp_path)

    async def body(pilot: Any) -> None:
        screen = await open_step(pilot, "guardrails")
        options = screen.query_one("#guardrail-list", OptionList)
        options.focus()
        options.highlighted = screen.catalog.ids().index("rcp-protect-organization-trail")
        await pilot.pause()
        description = text_of(screen.query_one("#guardrail-description", Static))
        assert "RCP (RESOURCE_CONTROL_POLICY)" in description
        rendered = text_of(screen.query_one("#guardrail-json", Static))
        assert '"Principal": "*"' in rendered
        options.highlighted = screen.catalog.ids().index("ec2-declarative-baseline")
        await pilot.pause()
        assert "declarative (EC2)" in text_of(screen.query_one("#guardrail-description", Static))
        assert "Fallback: require-imdsv2" in text_of(screen.query_one("#guardrail-description", Static))
        # Would this request to this resource be denied? A principal outside the organization, the trail bucket.
        await set_value(pilot, screen.query_one("#sim-account", Input), "")
        await set_value(pilot, screen.query_one("#sim-principal", Input), "arn:aws:iam::444455556666:role/partner")
        await set_value(pilot, screen.query_one("#sim-action", Input), "s3:GetObject")
        await set_value(pilot, screen.query_one("#sim-resource", Input),
                        "arn:aws:s3:::acme-landing-zone-org-trail-1/AWSLogs/log.json.gz")
        await set_value(pilot, screen.query_one("#sim-resource-account", Input), "log-archive")
        verdict = text_of(screen.query_one("#sim-verdict", Static))
        assert verdict.startswith("DENIED [RCP]") and "rcp-protect-organization-trail" in verdict, verdict
        # The same request from a principal of the organization's production account is allowed.
        await set_value(pilot, screen.query_one("#sim-principal", Input), "arn:aws:iam::111122223333:role/Developer")
        await set_value(pilot, screen.query_one("#sim-account", Input), "production")
        verdict = text_of(screen.query_one("#sim-verdict", Static))
        assert verdict.startswith("ALLOWED"), verdict
        meter = text_of(screen.query_one("#quota-meter", Static))
        assert "RCP" in meter and "S3 policy" in meter

    drive(app, body, size=(160, 48))


# ---- 6 logging ---------------------------------------------------------------------------------------------


def test_logging_athena_default_lake_only_for_existing_users(tmp_path: Path) -> None:
    app = wizard(tmp_path)

    async def body(pilot: Any) -> None:
        screen = await open_step(pilot, "logging")
        lake = next(b for b in screen.query(RadioButton) if b.name == "lake")
        assert lake.disabled
        assert "2026-05-31" in text_of(screen.query_one("#lake-note", Static))
        assert screen.query_one("#query-layer", RadioSet).pressed_button.name == "athena"
        await set_value(pilot, screen.query_one("#bucket-retention", Input), "a year")
        assert "logging.bucket_retention_days" in problem_text(screen)
        await next_is_refused(pilot, screen)
        await set_value(pilot, screen.query_one("#bucket-retention", Input), "400")
        assert screen.problems == []
        await set_value(pilot, screen.query_one("#lake-in-use", Checkbox), True)
        assert not lake.disabled
        await set_value(pilot, lake, True)
        assert screen.query_one("#lake-retention-row").display
        await set_value(pilot, screen.query_one("#lake-retention", Input), "5")
        assert "outside 7..3653 days" in problem_text(screen)
        await set_value(pilot, screen.query_one("#lake-retention", Input), "3650")
        assert screen.problems == []
        assert app.state.data["logging"]["query_layer"] == "lake"
        await set_value(pilot, screen.query_one("#lake-in-use", Checkbox), False)
        assert app.state.data["logging"]["query_layer"] == "athena"

    drive(app, body)


# ---- 7 network ---------------------------------------------------------------------------------------------


def test_network_rules_parse_validate_and_draw(tmp_path: Path) -> None:
    app = wizard(tmp_path)

    async def body(pilot: Any) -> None:
        screen = await open_step(pilot, "network")
        graph = text_of(screen.query_one("#net-graph", Static))
        assert "[web] ──8080/tcp──▶ [app]" in graph.replace("  ", " ") or "──8080/tcp──▶ [app]" in graph
        assert "0.0.0.0/0" in graph
        rules = screen.query_one("#rules", TextArea)
        rules.text = "web -> app 8080\napp -> cache 6379"
        await pilot.pause()
        await pilot.pause()
        assert "'cache' is not a declared role" in problem_text(screen)
        rules.text = "web => app"
        await pilot.pause()
        await pilot.pause()
        assert "does not read as 'source -> target port" in problem_text(screen)
        await next_is_refused(pilot, screen)
        rules.text = "web -> app 8080\napp -> db 5432"
        edges = screen.query_one("#edges", TextArea)
        edges.text = "0.0.0.0/0 -> web 22  # ssh"
        await pilot.pause()
        await pilot.pause()
        assert "opens admin port 22 to the whole internet" in problem_text(screen)
        edges.text = "0.0.0.0/0 -> web 443  # HTTPS from the internet"
        await pilot.pause()
        await pilot.pause()
        assert screen.problems == []
        # The development account's editor keeps its own roles.
        await set_value(pilot, screen.query_one("#net-account", Select), "development")
        assert "web: Load balancer" in screen.query_one("#roles", TextArea).text
        await set_value(pilot, screen.query_one("#net-account", Select), "shared-services")
        assert not screen.query_one("#net-enabled", Checkbox).value

    drive(app, body, size=(160, 48))


def test_network_switch_for_default_security_groups(tmp_path: Path) -> None:
    app = wizard(tmp_path)

    async def body(pilot: Any) -> None:
        screen = await open_step(pilot, "network")
        switch = screen.query_one("#close-defaults", Checkbox)
        assert switch.value and "close_default_security_groups" not in app.state.data  # secure default, implicit
        await set_value(pilot, switch, False)
        await pilot.pause()
        assert app.state.data["close_default_security_groups"] is False
        assert validate_config(app.state.data).close_default_security_groups is False
        await set_value(pilot, switch, True)
        await pilot.pause()
        assert "close_default_security_groups" not in app.state.data
        assert validate_config(app.state.data).close_default_security_groups is True

    drive(app, body, size=(160, 48))


def test_network_step_has_the_baseline_switches(tmp_path: Path) -> None:
    """The baseline block: every switch on and implicit by default; one turned off is written as false, and the
    other baseline settings of the file are kept."""
    app = wizard(tmp_path)
    app.state.data["baseline"] = {"assume_role_wait_seconds": 120}

    async def body(pilot: Any) -> None:
        screen = await open_step(pilot, "network")
        ids = ["org-admin-roles", "ebs-encryption-by-default", "s3-account-public-access-block", "imds-defaults",
               "password-policy", "deny-admin-ports-in-default-network-acls"]
        switches = [screen.query_one(f"#baseline-{i}", Checkbox) for i in ids]
        assert all(s.value for s in switches)
        await set_value(pilot, switches[3], False)
        await pilot.pause()
        assert app.state.data["baseline"] == {"assume_role_wait_seconds": 120, "imds_defaults": False}
        cfg = validate_config(app.state.data)
        assert cfg.baseline.imds_defaults is False and cfg.baseline.ebs_encryption_by_default is True
        await set_value(pilot, switches[3], True)
        await pilot.pause()
        assert app.state.data["baseline"] == {"assume_role_wait_seconds": 120}

    drive(app, body, size=(160, 48))


# ---- 8 review, 11 done -------------------------------------------------------------------------------------


def test_review_shows_tree_quotas_and_the_offline_plan(tmp_path: Path) -> None:
    app = wizard(tmp_path)

    async def body(pilot: Any) -> None:
        screen = await open_step(pilot, "review")
        await settle(pilot)
        plan = text_of(screen.query_one("#review-plan", Static))
        assert "organization" in plan and "network[production]" in plan and "total" in plan
        assert "Workloads" in text_of(screen.query_one("#review-quotas", Static))
        assert "acme-landing-zone" in text_of(screen.query_one("#review-summary", Static))

    drive(app, body, size=(160, 48))


def test_review_reports_an_invalid_configuration(tmp_path: Path) -> None:
    app = wizard(tmp_path)
    app.state.data["accounts"][0]["kind"] = "production"  # no security account left

    async def body(pilot: Any) -> None:
        screen = await open_step(pilot, "review")
        assert "exactly one account of kind 'security'" in problem_text(screen)
        assert "problem(s) to fix" in text_of(screen.query_one("#review-summary", Static))

    drive(app, body)


def test_done_lists_next_steps(tmp_path: Path) -> None:
    app = wizard(tmp_path)

    async def body(pilot: Any) -> None:
        screen = await open_step(pilot, "done")
        markdown = screen.query_one("#next-steps")
        text = str(getattr(markdown, "source", ""))
        assert "landingzone audit" in text and "--detailed-exitcode" in text

    drive(app, body)
