"""What moto 5.2 lacks of the security services, for the in-process moto server: GuardDuty's organization
configuration and members (:func:`install`), IAM Access Analyzer and Security Hub's finding aggregators
(:func:`serve_analyzers_and_finding_aggregators`); and the security services of a well-built organization.

moto implements GuardDuty detectors and administrator designations but not DescribeOrganizationConfiguration /
UpdateOrganizationConfiguration, which is exactly what tells "auto-enabled for ALL members" from "delegated and
nothing more". The audit tests and the provision-then-audit engine test run moto in this process
(ThreadedMotoServer), so :func:`install` adds the two operations to moto's GuardDuty here, storing the configuration
on moto's detector object: the audit then reads it over HTTP with boto3 as it would on AWS, and a test changes it
over HTTP as a user would (`aws guardduty update-organization-configuration`). Call it before the server answers
its first GuardDuty request (moto builds each service's routes once).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

ADMIN_PATH = "{0}/detector/(?P<detector_id>[^/]+)/admin$"
MEMBER_PATH = "{0}/detector/(?P<detector_id>[^/]+)/member$"


def install() -> None:
    """GuardDuty's organization configuration and its members (CreateMembers, ListMembers: moto answers a bare
    404), kept on moto's detector object. Idempotent."""
    from moto.guardduty import urls
    from moto.guardduty.responses import GuardDutyResponse

    if ADMIN_PATH in urls.url_paths:
        return

    def detector(self: Any) -> Any:
        return self.guardduty_backend.get_detector(self.path.split("/")[-2])

    def describe_organization_configuration(self: Any) -> str:
        found = detector(self)
        stored = getattr(found, "organization_configuration", None) or {}
        auto = stored.get("autoEnableOrganizationMembers", "NONE")
        return json.dumps({"autoEnable": auto != "NONE", "autoEnableOrganizationMembers": auto,
                           "memberAccountLimitReached": False, "features": stored.get("features", [])})

    def update_organization_configuration(self: Any) -> str:
        found = detector(self)
        stored = dict(getattr(found, "organization_configuration", None) or {})
        members = self._get_param("autoEnableOrganizationMembers")
        if members is None and self._get_param("autoEnable") is not None:
            members = "NEW" if self._get_param("autoEnable") else "NONE"
        if members is not None:
            stored["autoEnableOrganizationMembers"] = members
        features = {f["name"]: f for f in stored.get("features", [])}
        for feature in self._get_param("features") or []:
            features[feature["name"]] = feature
        stored["features"] = list(features.values())
        found.organization_configuration = stored
        return "{}"

    def create_members(self: Any) -> str:
        # The administrator adds organization accounts: they are enabled at once (no invitation), as on AWS.
        found = detector(self)
        members = dict(getattr(found, "members", None) or {})
        for item in self._get_param("accountDetails") or []:
            members[item["accountId"]] = {"accountId": item["accountId"], "email": item.get("email", ""),
                                          "detectorId": found.id, "masterId": self.current_account,
                                          "administratorId": self.current_account, "relationshipStatus": "Enabled",
                                          "updatedAt": "2026-01-01T00:00:00Z"}
        found.members = members
        return json.dumps({"unprocessedAccounts": []})

    def list_members(self: Any) -> str:
        return json.dumps({"members": list((getattr(detector(self), "members", None) or {}).values())})

    GuardDutyResponse.describe_organization_configuration = describe_organization_configuration  # type: ignore
    GuardDutyResponse.update_organization_configuration = update_organization_configuration  # type: ignore
    GuardDutyResponse.create_members = create_members  # type: ignore[attr-defined]
    GuardDutyResponse.list_members = list_members  # type: ignore[attr-defined]
    urls.url_paths[ADMIN_PATH] = GuardDutyResponse.dispatch
    urls.url_paths[MEMBER_PATH] = GuardDutyResponse.dispatch


# ---- IAM Access Analyzer and Security Hub's finding aggregators -------------------------------------------------

ANALYZERS: dict[tuple[str, str], dict[str, dict[str, str]]] = {}
"""(account id, region) -> analyzer name -> the analyzer as ListAnalyzers returns it (``serve_analyzers_and_finding
_aggregators``; moto 5.2 has no IAM Access Analyzer at all: every request to it answers HTTP 500)."""
FINDING_AGGREGATORS: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
"""(account id, region) -> aggregator ARN -> the aggregator as GetFindingAggregator returns it (moto's Security
Hub lacks the finding aggregators: a bare 404)."""
AGGREGATOR_PATHS = ("{0}/findingAggregator/create$", "{0}/findingAggregator/list$",
                    "{0}/findingAggregator/get/(?P<arn>.+)$")
_CREATED_AT = "2026-01-01T00:00:00Z"


def serve_analyzers_and_finding_aggregators() -> None:
    """Answer IAM Access Analyzer CreateAnalyzer / ListAnalyzers and Security Hub CreateFindingAggregator /
    ListFindingAggregators / GetFindingAggregator, which moto lacks, from ANALYZERS and FINDING_AGGREGATORS (per
    account and region, cleared with :func:`reset_analyzers_and_finding_aggregators`).

    The tests run moto's server in this process: the Security Hub operations are added to moto's Security Hub
    responses (routes, like :func:`install`'s); Access Analyzer, a service moto does not know, is answered by a
    response class of its own that moto's request dispatcher hands every request signed for ``access-analyzer``.
    Both take the account and region from the request's credentials, as moto does. Call it before the server
    answers its first Security Hub request (moto builds each service's routes once). Idempotent."""
    from flask import Flask
    from moto.core.responses import BaseResponse
    from moto.core.utils import convert_to_flask_response
    from moto.moto_server.werkzeug_app import BackendRequest, DomainDispatcherApplication
    from moto.securityhub import urls
    from moto.securityhub.responses import SecurityHubResponse

    if AGGREGATOR_PATHS[0] in urls.url_paths:
        return

    def create_finding_aggregator(self: Any) -> str:
        mode = self._get_param("RegionLinkingMode")
        arn = (f"arn:aws:securityhub:{self.region}:{self.current_account}:finding-aggregator/"
               f"moto-{len(FINDING_AGGREGATORS) + 1}")
        record = {"FindingAggregatorArn": arn, "FindingAggregationRegion": self.region, "RegionLinkingMode": mode,
                  "Regions": list(self._get_param("Regions") or [])}
        FINDING_AGGREGATORS.setdefault((self.current_account, self.region), {})[arn] = record
        return json.dumps(record)

    def list_finding_aggregators(self: Any) -> str:
        mine = FINDING_AGGREGATORS.get((self.current_account, self.region), {})
        return json.dumps({"FindingAggregators": [{"FindingAggregatorArn": arn} for arn in mine]})

    def get_finding_aggregator(self: Any) -> Any:
        arn = unquote(self.path.split("/findingAggregator/get/", 1)[1])
        record = FINDING_AGGREGATORS.get((self.current_account, self.region), {}).get(arn)
        if record is None:
            return 404, {}, json.dumps({"__type": "ResourceNotFoundException", "message": f"{arn} not found"})
        return json.dumps(record)

    SecurityHubResponse.create_finding_aggregator = create_finding_aggregator  # type: ignore[attr-defined]
    SecurityHubResponse.list_finding_aggregators = list_finding_aggregators  # type: ignore[attr-defined]
    SecurityHubResponse.get_finding_aggregator = get_finding_aggregator  # type: ignore[attr-defined]
    for path in AGGREGATOR_PATHS:
        urls.url_paths[path] = SecurityHubResponse.dispatch

    class AccessAnalyzerResponse(BaseResponse):
        def __init__(self) -> None:
            super().__init__(service_name="accessanalyzer")

        def create_analyzer(self) -> str:
            body = json.loads(self.body or "{}")
            name = str(body["analyzerName"])
            arn = f"arn:aws:access-analyzer:{self.region}:{self.current_account}:analyzer/{name}"
            ANALYZERS.setdefault((self.current_account, self.region), {})[name] = {
                "arn": arn, "name": name, "type": str(body["type"]), "createdAt": _CREATED_AT, "status": "ACTIVE"}
            return json.dumps({"arn": arn})

        def list_analyzers(self) -> str:
            wanted = self.querystring.get("type", [None])[0]
            found = [a for a in ANALYZERS.get((self.current_account, self.region), {}).values()
                     if wanted is None or a["type"] == wanted]
            return json.dumps({"analyzers": found})

    app = Flask("moto-access-analyzer")
    app.request_class = BackendRequest
    view = convert_to_flask_response(AccessAnalyzerResponse.dispatch)
    app.add_url_rule("/<path:path>", "access-analyzer", view, methods=["GET", "PUT", "POST", "DELETE"])
    dispatch_to = DomainDispatcherApplication.get_application

    def get_application(self: Any, environ: dict[str, Any]) -> Any:
        if "/access-analyzer/aws4_request" in environ.get("HTTP_AUTHORIZATION", ""):
            return app
        return dispatch_to(self, environ)

    DomainDispatcherApplication.get_application = get_application  # type: ignore[method-assign]


def reset_analyzers_and_finding_aggregators(analyzers: dict[str, dict[str, str]] | None = None,
                                            aggregators: dict[str, dict[str, Any]] | None = None) -> None:
    """Forget every account's analyzers and aggregators, then keep the ones given ("account/region" -> name ->
    type; "account/region" -> {"RegionLinkingMode", "Regions"})."""
    ANALYZERS.clear()
    FINDING_AGGREGATORS.clear()
    for key, named in (analyzers or {}).items():
        account, region = key.split("/", 1)
        ANALYZERS[(account, region)] = {
            name: {"arn": f"arn:aws:access-analyzer:{region}:{account}:analyzer/{name}", "name": name, "type": kind,
                   "createdAt": _CREATED_AT, "status": "ACTIVE"} for name, kind in named.items()}
    for key, record in (aggregators or {}).items():
        account, region = key.split("/", 1)
        arn = f"arn:aws:securityhub:{region}:{account}:finding-aggregator/kept"
        FINDING_AGGREGATORS[(account, region)] = {arn: {
            "FindingAggregatorArn": arn, "FindingAggregationRegion": region,
            "RegionLinkingMode": record["RegionLinkingMode"], "Regions": list(record.get("Regions") or [])}}


# ---- the security services of a well-built organization --------------------------------------------------------

SERVICE_BREAKS = frozenset({"guardduty-auto-enable-off", "guardduty-plan-off", "securityhub-not-auto-enabled",
                            "no-finding-aggregator", "no-config-aggregator", "no-access-analyzer",
                            "no-findings-route", "config-recorder-stopped"})
PLANS = ("S3_DATA_EVENTS", "EKS_AUDIT_LOGS", "EBS_MALWARE_PROTECTION", "RDS_LOGIN_EVENTS", "LAMBDA_NETWORK_LOGS")


def build_security_services(org: Any, *, security: str, guardduty_admin: str, regions: tuple[str, ...],
                            broken: frozenset[str], register_delegated_admin: Any) -> None:
    """GuardDuty, Security Hub, Config and the findings route as stage security_services builds them (through
    boto3 over HTTP), minus what ``broken`` names. Security Hub is auto-enabled here (moto has no configuration
    policies to read back, so central configuration would leave nothing for the audit to check)."""
    orgs = org.client("organizations")
    for principal in ("securityhub.amazonaws.com", "config.amazonaws.com"):
        orgs.enable_aws_service_access(ServicePrincipal=principal)
        register_delegated_admin(security, principal)
    home = regions[0]
    for region in regions:
        org.client("guardduty", region=region).enable_organization_admin_account(AdminAccountId=guardduty_admin)
        guardduty = org.client("guardduty", guardduty_admin, region)
        detector = guardduty.create_detector(Enable=True, FindingPublishingFrequency="FIFTEEN_MINUTES")["DetectorId"]
        plans = [p for p in PLANS if not ("guardduty-plan-off" in broken and p == "RDS_LOGIN_EVENTS")]
        guardduty.update_organization_configuration(
            DetectorId=detector,
            AutoEnableOrganizationMembers="NONE" if "guardduty-auto-enable-off" in broken else "ALL",
            Features=[{"Name": p, "AutoEnable": "ALL"} for p in plans])
    org.client("securityhub", region=home).enable_organization_admin_account(AdminAccountId=security)
    hub = org.client("securityhub", security, home)
    hub.enable_security_hub(EnableDefaultStandards=False)
    hub.update_organization_configuration(AutoEnable="securityhub-not-auto-enabled" not in broken,
                                          AutoEnableStandards="DEFAULT")
    if "no-finding-aggregator" not in broken:  # served by serve_analyzers_and_finding_aggregators
        others = [r for r in regions if r != home]
        hub.create_finding_aggregator(RegionLinkingMode="SPECIFIED_REGIONS", Regions=others) if others else (
            hub.create_finding_aggregator(RegionLinkingMode="NO_REGIONS"))
    if "no-access-analyzer" not in broken:  # served by serve_analyzers_and_finding_aggregators
        for region in regions:
            org.client("accessanalyzer", security, region).create_analyzer(analyzerName="organization",
                                                                           type="ORGANIZATION")
    if "no-config-aggregator" not in broken:
        role = f"arn:aws:iam::{security}:role/config-aggregator"
        org.client("config", security, home).put_configuration_aggregator(
            ConfigurationAggregatorName="organization",
            OrganizationAggregationSource={"RoleArn": role, "AwsRegions": list(regions), "AllAwsRegions": False})
    if "no-findings-route" in broken:
        return
    key = org.client("kms", security, home).create_key(Description="findings topic")["KeyMetadata"]["Arn"]
    sns = org.client("sns", security, home)
    topic = sns.create_topic(Name="security-findings", Attributes={"KmsMasterKeyId": key})["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="security-alerts@example.com")
    events = org.client("events", security, home)
    for name, source in (("securityhub-findings", "aws.securityhub"), ("guardduty-findings", "aws.guardduty")):
        events.put_rule(Name=name, EventPattern=json.dumps({"source": [source]}), State="ENABLED")
        events.put_targets(Rule=name, Targets=[{"Id": "topic", "Arn": topic}])


def build_config_recording(org: Any, *, accounts: list[str], log_archive: str, organization_id: str,
                           regions: tuple[str, ...], broken: frozenset[str], breaks_in: str) -> str:
    """AWS Config as stage baseline sets it up (through boto3 over HTTP): in every account and region a recorder
    of all supported types (the global ones in the home region only), a delivery channel to a Config bucket in
    the log-archive account, the recorder started; ``config-recorder-stopped`` leaves the home region's recorder
    of account ``breaks_in`` stopped. Returns the bucket's name."""
    from stacks.config_recording import config_bucket_policy, service_linked_role_arn_for

    home = regions[0]
    bucket = f"{organization_id}-config"
    s3 = org.client("s3", log_archive)
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=config_bucket_policy(f"arn:aws:s3:::{bucket}", organization_id))
    for account in accounts:
        for region in regions:
            config = org.client("config", account, region)
            config.put_configuration_recorder(ConfigurationRecorder={
                "name": "default", "roleARN": service_linked_role_arn_for("aws", account),
                "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": region == home}})
            config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": bucket})
            if not ("config-recorder-stopped" in broken and account == breaks_in and region == home):
                config.start_configuration_recorder(ConfigurationRecorderName="default")
    return bucket
