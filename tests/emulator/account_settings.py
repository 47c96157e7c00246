"""Account-level settings of stage baseline: EBS encryption by default (and its default key), S3 account Block
Public Access, EC2 instance metadata defaults, the IAM account password policy.

Registered into resources.HANDLERS on import (provider.py imports this module). Where moto lacks the API the
setting lives in the emulator's state file, per account and region (README.md lists them).
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError
from resources import Connection, Handler, Outs, code, register

PUBLIC_ACCESS_KEYS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")


@register("aws:ebs/encryptionByDefault:EncryptionByDefault")
class EncryptionByDefault(Handler):
    """moto: Enable/Disable/GetEbsEncryptionByDefault, per account and region. The id is the region (one
    setting per region)."""

    defaults = {"enabled": True}

    def _set(self, conn: Connection, enabled: bool) -> Outs:
        ec2 = conn.client("ec2")
        if enabled:
            ec2.enable_ebs_encryption_by_default()
        else:
            ec2.disable_ebs_encryption_by_default()
        return {"enabled": bool(ec2.get_ebs_encryption_by_default()["EbsEncryptionByDefault"])}

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        return conn.region, self._set(conn, bool(ins.get("enabled", True)))

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        return {"enabled": bool(conn.client("ec2").get_ebs_encryption_by_default()["EbsEncryptionByDefault"])}

    def update(
        self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any], changed: list[str]
    ) -> Outs:
        return self._set(conn, bool(news.get("enabled", True)))

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        # pulumi-aws disables the setting when the resource goes away.
        conn.client("ec2").disable_ebs_encryption_by_default()


def _account_region_key(conn: Connection) -> str:
    return f"{conn.account_id}/{conn.region}"


class StoredSetting(Handler):
    """A per-account (and region) setting moto lacks, kept in the state file under ``section``."""

    section = ""
    regional = True

    def _key(self, conn: Connection) -> str:
        return _account_region_key(conn) if self.regional else conn.account_id

    def _fields(self, ins: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in ins.items() if k not in ("region", "__defaults")}

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        key = self._key(conn)
        with conn.store.edit() as data:
            data.setdefault(self.section, {})[key] = self._fields(ins)
        return (conn.region if self.regional else conn.account_id), self._fields(ins)

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        record = conn.store.read().get(self.section, {}).get(self._key(conn))
        return None if record is None else dict(record)

    def update(
        self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any], changed: list[str]
    ) -> Outs:
        with conn.store.edit() as data:
            data.setdefault(self.section, {})[self._key(conn)] = self._fields(news)
        return self._fields(news)

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        with conn.store.edit() as data:
            data.setdefault(self.section, {}).pop(self._key(conn), None)


@register("aws:ebs/defaultKmsKey:DefaultKmsKey")
class DefaultKmsKey(StoredSetting):
    """moto has ModifyEbsDefaultKmsKeyId but neither Get nor Reset: the key is also kept in the state file."""

    required = ("keyArn",)
    section = "ebs_default_kms_keys"

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        conn.client("ec2").modify_ebs_default_kms_key_id(KmsKeyId=ins["keyArn"])
        _, outs = super().create(conn, ins)
        return str(ins["keyArn"]), outs


@register("aws:ec2/instanceMetadataDefaults:InstanceMetadataDefaults")
class InstanceMetadataDefaults(StoredSetting):
    """moto has no Modify/GetInstanceMetadataDefaults: the account defaults live in the state file, per account
    and region, with AWS's "no-preference" for what is not set."""

    section = "instance_metadata_defaults"
    defaults = {"httpEndpoint": "no-preference", "httpTokens": "no-preference", "httpPutResponseHopLimit": -1,
                "instanceMetadataTags": "no-preference"}

    def check(self, inputs: dict[str, Any]) -> list[tuple[str, str]]:
        limit = inputs.get("httpPutResponseHopLimit")
        if isinstance(limit, int) and limit != -1 and not 1 <= limit <= 64:
            return [("httpPutResponseHopLimit", f"httpPutResponseHopLimit must be -1 or 1..64, got {limit}")]
        if inputs.get("httpTokens") not in (None, "optional", "required", "no-preference"):
            return [("httpTokens", "httpTokens must be optional, required or no-preference")]
        return []


@register("aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock")
class AccountPublicAccessBlock(Handler):
    """moto's S3 Control Put/Get/DeletePublicAccessBlock. The id is the account id."""

    defaults = dict.fromkeys(PUBLIC_ACCESS_KEYS, False)
    computed = frozenset({"accountId"})
    replace_on = frozenset({"accountId"})

    def _put(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        account = str(ins.get("accountId") or conn.account_id)
        settings = {key[0].upper() + key[1:]: bool(ins.get(key, False)) for key in PUBLIC_ACCESS_KEYS}
        conn.client("s3control").put_public_access_block(AccountId=account,
                                                         PublicAccessBlockConfiguration=settings)
        outs = self.read(conn, account, ins)
        assert outs is not None
        return account, outs

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        return self._put(conn, ins)

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        try:
            got = conn.client("s3control").get_public_access_block(AccountId=id_)["PublicAccessBlockConfiguration"]
        except ClientError as exc:
            if code(exc) in ("NoSuchPublicAccessBlockConfiguration", "NoSuchPublicAccessBlock"):
                return None
            raise
        return {"accountId": id_, **{key: bool(got.get(key[0].upper() + key[1:])) for key in PUBLIC_ACCESS_KEYS}}

    def update(
        self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any], changed: list[str]
    ) -> Outs:
        return self._put(conn, {**news, "accountId": id_})[1]

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        conn.client("s3control").delete_public_access_block(AccountId=id_)


PASSWORD_KEYS = {
    "minimumPasswordLength": "MinimumPasswordLength",
    "requireSymbols": "RequireSymbols",
    "requireNumbers": "RequireNumbers",
    "requireUppercaseCharacters": "RequireUppercaseCharacters",
    "requireLowercaseCharacters": "RequireLowercaseCharacters",
    "allowUsersToChangePassword": "AllowUsersToChangePassword",
    "maxPasswordAge": "MaxPasswordAge",
    "passwordReusePrevention": "PasswordReusePrevention",
    "hardExpiry": "HardExpiry",
}


@register("aws:iam/accountPasswordPolicy:AccountPasswordPolicy")
class AccountPasswordPolicy(Handler):
    """moto's IAM Update/Get/DeleteAccountPasswordPolicy. The id is "iam-account-password-policy" as in
    pulumi-aws."""

    outputs = ("expirePasswords",)

    def _put(self, conn: Connection, ins: dict[str, Any]) -> Outs:
        args = {aws: ins[key] for key, aws in PASSWORD_KEYS.items() if ins.get(key) is not None}
        conn.client("iam").update_account_password_policy(**args)
        outs = self.read(conn, "iam-account-password-policy", ins)
        assert outs is not None
        return outs

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        return "iam-account-password-policy", self._put(conn, ins)

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        try:
            got = conn.client("iam").get_account_password_policy()["PasswordPolicy"]
        except ClientError as exc:
            if code(exc) == "NoSuchEntity":
                return None
            raise
        outs = {key: got[aws] for key, aws in PASSWORD_KEYS.items() if aws in got and key in state}
        outs["expirePasswords"] = bool(got.get("ExpirePasswords", False))
        return outs

    def update(
        self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any], changed: list[str]
    ) -> Outs:
        return self._put(conn, news)

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        conn.client("iam").delete_account_password_policy()
