"""Identity over the recorded graph: one Cognito user pool in the primary region, configured
for e-mail sign-in, optional TOTP, threat protection and e-mail-only recovery; a public PKCE
app client whose issuer reaches every region's cart Lambda; social providers from config; the
pre token generation trigger that keeps the admin group out of tokens without a TOTP sign-in."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from pulumi.runtime import rpc

from components.lambda_function import VPC_ACCESS_POLICY, XRAY_WRITE_POLICY
from handlers.shared import env
from handlers.shared.auth_flows import CLIENT_AUTH_FLOWS
from handlers.shared.functions import COGNITO_TRIGGER_WAIT_SECONDS
from handlers.shared.groups import ADMIN_GROUP, SELLER_GROUP
from lambda_packaging.targets import ENTRY_POINTS
from offline.mocks import CALLS
from offline.runner import ProgramRun, RecordedResource
from policy import tokens as t
from stack_config.config import CALLBACK_PATH, ConfigError, parse_config
from tests.unit.conftest import ProgramFactory

USER_POOL = t.USER_POOL
CLIENT = t.USER_POOL_CLIENT
DOMAIN = t.USER_POOL_DOMAIN
GROUP = t.COGNITO_USER_GROUP
IDP = t.COGNITO_IDENTITY_PROVIDER
FUNCTION = t.FUNCTION
# How the engine's wire format marks a secret value (pulumi.runtime.rpc).
SECRET_SIG, SECRET_MARK = rpc._special_sig_key, rpc._special_secret_sig
SOCIAL = {
    "identityProviders": [
        "Google clientId=google-client.apps.googleusercontent.com",
        "SignInWithApple clientId=com.shop3d.web teamId=TEAM123 keyId=KEY456 "
        "secret=arn:aws:secretsmanager:us-east-1:123456789012:secret:apple-p8",
    ]
}


def secret_value(value: object) -> Any:
    """The value inside a Pulumi secret as recorded (fails if it was not marked secret)."""
    assert isinstance(value, dict) and value.get(SECRET_SIG) == SECRET_MARK, value
    return value["value"]


def only(run: ProgramRun, type_: str) -> RecordedResource:
    (resource,) = run.of_type(type_)
    return resource


def cart_functions(run: ProgramRun) -> list[RecordedResource]:
    """The functions that verify sign-in tokens: those given the trusted issuer."""
    return [
        f
        for f in run.of_type(FUNCTION)
        if env.AUTH_ISSUER in ((f.inputs.get("environment") or {}).get("variables") or {})
    ]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_one_user_pool_in_the_primary_region(program: ProgramFactory, stack: str) -> None:
    run = program(stack)
    pool = only(run, USER_POOL)
    assert pool.region == run.outputs["primaryRegion"]
    assert pool.inputs["usernameAttributes"] == ["email"]
    assert pool.inputs["autoVerifiedAttributes"] == ["email"]
    # TOTP offered to everyone, required of nobody at pool level (shoppers may skip it).
    assert pool.inputs["mfaConfiguration"] == "OPTIONAL"
    assert pool.inputs["softwareTokenMfaConfiguration"] == {"enabled": True}
    assert pool.inputs["userPoolAddOns"] == {"advancedSecurityMode": "ENFORCED"}
    assert pool.inputs["userPoolTier"] == "PLUS"
    assert pool.inputs["accountRecoverySetting"]["recoveryMechanisms"] == [
        {"name": "verified_email", "priority": 1}
    ]
    policy = pool.inputs["passwordPolicy"]
    assert policy["minimumLength"] >= 12
    assert all(
        policy[k]
        for k in ("requireLowercase", "requireUppercase", "requireNumbers", "requireSymbols")
    )
    (risk,) = run.of_type(t.COGNITO_RISK_CONFIGURATION)
    actions = risk.inputs["accountTakeoverRiskConfiguration"]["actions"]
    assert actions["mediumAction"]["eventAction"] == "MFA_IF_CONFIGURED"
    assert actions["highAction"]["eventAction"] == "BLOCK"
    assert risk.inputs["compromisedCredentialsRiskConfiguration"]["actions"] == {
        "eventAction": "BLOCK"
    }
    groups = {g.inputs["name"]: g for g in run.of_type(GROUP)}
    assert set(groups) == {ADMIN_GROUP, SELLER_GROUP}
    assert all(g.parent == pool.parent for g in groups.values())


def test_prod_protects_the_pool_and_dev_does_not(program: ProgramFactory) -> None:
    prod, dev = only(program("prod"), USER_POOL), only(program("dev"), USER_POOL)
    assert prod.inputs["deletionProtection"] == "ACTIVE" and prod.protect
    assert dev.inputs["deletionProtection"] == "INACTIVE" and not dev.protect


def test_storefront_client_is_public_code_flow(program: ProgramFactory) -> None:
    run = program("prod")
    client = only(run, CLIENT)
    assert client.inputs["generateSecret"] is False
    assert client.inputs["allowedOauthFlows"] == ["code"]
    assert client.inputs["allowedOauthFlowsUserPoolClient"] is True
    assert "openid" in client.inputs["allowedOauthScopes"]
    assert client.inputs["callbackUrls"] == [f"https://shop3d.example.com{CALLBACK_PATH}"]
    assert client.inputs["logoutUrls"] == ["https://shop3d.example.com/"]
    assert client.inputs["supportedIdentityProviders"] == ["COGNITO"]
    assert client.inputs["preventUserExistenceErrors"] == "ENABLED"
    assert client.inputs["enableTokenRevocation"] is True
    assert client.inputs["explicitAuthFlows"] == [
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
    ]
    assert (client.inputs["accessTokenValidity"], client.inputs["refreshTokenValidity"]) == (60, 30)
    assert only(run, DOMAIN).inputs["domain"] == "shop3d-prod-auth"


def test_token_lifetimes_domain_and_callbacks_come_from_config(program: ProgramFactory) -> None:
    run = program(
        "dev",
        {
            "authTokenMinutes": 15,
            "authRefreshTokenDays": 7,
            "authDomainPrefix": "acme-shop-dev",
            "authCallbackUrls": ["https://preview.acme.test/api/account/callback"],
        },
    )
    client = only(run, CLIENT)
    assert client.inputs["accessTokenValidity"] == 15
    assert client.inputs["idTokenValidity"] == 15
    assert client.inputs["refreshTokenValidity"] == 7
    assert client.inputs["tokenValidityUnits"] == {
        "accessToken": "minutes",
        "idToken": "minutes",
        "refreshToken": "days",
    }
    assert client.inputs["callbackUrls"] == ["https://preview.acme.test/api/account/callback"]
    assert only(run, DOMAIN).inputs["domain"] == "acme-shop-dev"
    assert (
        run.outputs["authHostedUiUrl"] == "https://acme-shop-dev.auth.us-east-1.amazoncognito.com"
    )


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_cart_lambda_trusts_the_pool(program: ProgramFactory, stack: str) -> None:
    run = program(stack)
    primary = run.outputs["primaryRegion"]
    issuer = run.outputs["authIssuerUrl"]
    assert issuer == f"https://cognito-idp.{primary}.amazonaws.com/{run.outputs['userPoolId']}"
    assert run.outputs["authJwksUrl"] == f"{issuer}/.well-known/jwks.json"
    functions = cart_functions(run)
    # Every region's cart, and the primary's order jobs (the cart's code and variables).
    assert sorted(str(f.region) for f in functions) == sorted([*run.outputs["regions"], primary])
    for function in functions:
        variables = function.inputs["environment"]["variables"]
        assert variables[env.AUTH_ISSUER] == issuer
        assert variables[env.AUTH_JWKS_URL] == run.outputs["authJwksUrl"]
        assert variables[env.AUTH_CLIENT_ID] == run.outputs["userPoolClientId"]


def test_social_providers_from_config_with_secrets_manager(program: ProgramFactory) -> None:
    run = program("dev", SOCIAL)
    providers = {p.inputs["providerName"]: p for p in run.of_type(IDP)}
    assert sorted(providers) == ["Google", "SignInWithApple"]
    placeholder = CALLS["aws:secretsmanager/getSecretVersion:getSecretVersion"]({}, "us-east-1")[
        "secretString"
    ]
    assert providers["Google"].inputs["providerType"] == "Google"
    # The details hold the client secret: kept secret (encrypted) in the stack's state.
    google = secret_value(providers["Google"].inputs["providerDetails"])
    assert google["client_id"] == "google-client.apps.googleusercontent.com"
    # The secret is the one read from Secrets Manager, never a config value.
    assert google["client_secret"] == placeholder
    apple = secret_value(providers["SignInWithApple"].inputs["providerDetails"])
    assert (apple["team_id"], apple["key_id"], apple["private_key"]) == (
        "TEAM123",
        "KEY456",
        placeholder,
    )
    assert "client_secret" not in apple
    client = only(run, CLIENT)
    assert client.inputs["supportedIdentityProviders"] == ["COGNITO", "Google", "SignInWithApple"]
    # The client names the providers, so it is created after them.
    assert {p.urn for p in providers.values()} <= set(client.dependencies)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"identityProviders": ["Twitter clientId=x"]}, "expected one of 'Google', 'Facebook'"),
        ({"identityProviders": ["SignInWithApple clientId=x"]}, "teamId=... keyId=..."),
        ({"identityProviders": ["Google clientId=a", "Google clientId=b"]}, "each provider once"),
        ({"identityProviders": ["Google clientId=a colour=blue"]}, "clientId=... secret=..."),
        ({"authCallbackUrls": ["http://shop.example.com/cb"]}, "an https:// URL"),
        ({"authDomainPrefix": "my-aws-shop"}, "without the words aws"),
        ({"threatProtection": "OFF"}, "one of 'AUDIT', 'ENFORCED'"),
        ({"authTokenMinutes": 2}, "an integer from 5 to 1440"),
    ],
)
def test_bad_identity_config_is_refused(raw: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match="shop3d:") as error:
        parse_config(raw)
    assert message in str(error.value)


def test_a_stack_with_no_callback_url_is_refused_when_parsed() -> None:
    with pytest.raises(ConfigError, match=r"shop3d:authCallbackUrls: \[\] .*shop3d:domain"):
        parse_config({"environment": "dev", "authCallbackUrls": []})
    with_domain = parse_config(
        {
            "environment": "dev",
            "authCallbackUrls": [],
            "domain": "shop.example.com",
            "hostedZoneId": "Z1",
        }
    )
    assert with_domain.callback_urls == (f"https://shop.example.com{CALLBACK_PATH}",)


# --- the admin group's MFA: the pre token generation trigger ---------------------------------

PERMISSION = t.PERMISSION
ROLE_POLICY = t.IAM_ROLE_POLICY
ATTACHMENT = t.IAM_ROLE_POLICY_ATTACHMENT
TRIGGER_STACKS = [("dev", None), ("prod", None), ("dev", {"regions": ["eu-west-1"]})]


def pre_token_trigger(run: ProgramRun) -> tuple[RecordedResource, RecordedResource]:
    """(user pool, the function its pre token generation config names)."""
    pool = only(run, USER_POOL)
    config = pool.inputs["lambdaConfig"]["preTokenGenerationConfig"]
    (function,) = [
        f for f in run.of_type(FUNCTION) if config["lambdaArn"].endswith(f":{f.inputs['name']}")
    ]
    return pool, function


def role_statements(run: ProgramRun, function: RecordedResource) -> list[dict[str, Any]]:
    """Every inline statement of the function's role; its managed policies are the builder's
    two (VPC ENIs, X-Ray segments), which touch no data."""
    (role,) = [r for r in run.of_type(t.IAM_ROLE) if r.urn in function.dependencies]
    policies = [p for p in run.of_type(ROLE_POLICY) if role.urn in p.dependencies]
    assert len(policies) == 2  # the builder's (logs, key) and the pool's, made after the pool
    attached = {
        a.inputs["policyArn"] for a in run.of_type(ATTACHMENT) if role.urn in a.dependencies
    }
    assert attached == {VPC_ACCESS_POLICY, XRAY_WRITE_POLICY}
    return [s for p in policies for s in json.loads(p.inputs["policy"])["Statement"]]


@pytest.mark.parametrize(("stack", "overrides"), TRIGGER_STACKS)
def test_the_pool_sends_v2_events_to_the_admin_mfa_trigger(
    program: ProgramFactory, stack: str, overrides: dict[str, object] | None
) -> None:
    run = program(stack, overrides)
    pool, function = pre_token_trigger(run)
    # V2_0: the answer reaches the access token, which is what the cart service verifies.
    assert pool.inputs["lambdaConfig"]["preTokenGenerationConfig"]["lambdaVersion"] == "V2_0"
    assert pool.inputs["userPoolTier"] in {"ESSENTIALS", "PLUS"}  # V2_0 needs one of them
    assert function.region == pool.region == run.outputs["primaryRegion"]
    assert function.inputs["handler"] == ENTRY_POINTS["identity"]
    assert function.inputs["layers"] == []  # boto3 comes with the runtime
    # Cognito waits 5 s for a trigger: the function must answer (or fail closed) within it.
    assert function.inputs["timeout"] <= COGNITO_TRIGGER_WAIT_SECONDS
    # Synchronous only: no dead-letter queue; no environment (the event names the pool).
    assert "deadLetterConfig" not in function.inputs and "environment" not in function.inputs
    # In the primary cell's private subnets, like every shop3d function.
    subnets = function.inputs["vpcConfig"]["subnetIds"]
    assert len(subnets) >= 2 and all(f"private-{pool.region}" in s for s in subnets)
    assert function.inputs["tracingConfig"] == {"mode": "Active"}
    assert "reservedConcurrentExecutions" not in function.inputs
    key = f"arn:aws:kms:{pool.region}:"
    assert function.inputs["kmsKeyArn"].startswith(key)
    (logs,) = [
        g
        for g in run.of_type(t.LOG_GROUP)
        if g.region == pool.region
        and g.inputs.get("name") == function.inputs["loggingConfig"]["logGroup"]
    ]
    assert logs.inputs["kmsKeyId"].startswith(key)
    assert logs.inputs["retentionInDays"] == (365 if stack == "prod" else 14)


@pytest.mark.parametrize(("stack", "overrides"), TRIGGER_STACKS)
def test_only_this_pool_may_invoke_the_trigger_and_it_may_only_read_its_users(
    program: ProgramFactory, stack: str, overrides: dict[str, object] | None
) -> None:
    run = program(stack, overrides)
    pool, function = pre_token_trigger(run)
    invokers = [
        p for p in run.of_type(PERMISSION) if p.inputs["function"] == function.inputs["name"]
    ]
    (permission,) = invokers
    assert permission.inputs["principal"] == "cognito-idp.amazonaws.com"
    assert permission.inputs["action"] == "lambda:InvokeFunction"
    pool_arn = permission.inputs["sourceArn"]
    assert pool.urn in permission.dependencies and pool.inputs["name"] in pool_arn
    statements = role_statements(run, function)
    cognito = [s for s in statements if any(a.startswith("cognito-idp:") for a in s["Action"])]
    assert cognito == [
        {
            "Effect": "Allow",
            "Action": ["cognito-idp:AdminGetUser"],
            "Resource": [pool_arn],
            "Sid": "ReadThisPoolsUsers",
        }
    ]
    assert not any("*" in a for s in statements for a in s["Action"])
    assert not any(r == "*" for s in statements for r in s["Resource"])
    # No way to send messages anywhere: it has no dead-letter queue to write to.
    assert not any(a.startswith("sqs:") for s in statements for a in s["Action"])


def test_the_admin_group_maps_to_no_iam_role(program: ProgramFactory) -> None:
    """The trigger removes the group from tokens and keeps IAM roles as they are: that is only
    safe while the admin group carries no role."""
    groups = program("prod").of_type(GROUP)
    assert {g.inputs["name"] for g in groups} == {ADMIN_GROUP, SELLER_GROUP}
    assert not any(g.inputs.get("roleArn") for g in groups)


UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}


def _integer(value: float) -> int:
    """The engine's wire format carries numbers as floats; the provider sends the integer."""
    assert value == int(value), value
    return int(value)


def _create_user_pool_client_request(inputs: dict[str, Any]) -> dict[str, Any]:
    """The CreateUserPoolClient request the provider sends for the recorded client's inputs."""
    units = inputs["tokenValidityUnits"]
    return {
        "UserPoolId": "us-east-1_abcdefghi",
        "ClientName": inputs["name"],
        "GenerateSecret": inputs["generateSecret"],
        "ExplicitAuthFlows": inputs["explicitAuthFlows"],
        "PreventUserExistenceErrors": inputs["preventUserExistenceErrors"],
        "EnableTokenRevocation": inputs["enableTokenRevocation"],
        "AccessTokenValidity": _integer(inputs["accessTokenValidity"]),
        "IdTokenValidity": _integer(inputs["idTokenValidity"]),
        "RefreshTokenValidity": _integer(inputs["refreshTokenValidity"]),
        "TokenValidityUnits": {
            "AccessToken": units["accessToken"],
            "IdToken": units["idToken"],
            "RefreshToken": units["refreshToken"],
        },
        "AllowedOAuthFlowsUserPoolClient": inputs["allowedOauthFlowsUserPoolClient"],
        "AllowedOAuthFlows": inputs["allowedOauthFlows"],
        "AllowedOAuthScopes": inputs["allowedOauthScopes"],
        "CallbackURLs": inputs["callbackUrls"],
        "LogoutURLs": inputs["logoutUrls"],
        "SupportedIdentityProviders": inputs["supportedIdentityProviders"],
    }


@pytest.mark.parametrize(
    "overrides",
    [{}, {"authTokenMinutes": 5, "authRefreshTokenDays": 1}, {"authTokenMinutes": 1440}],
)
def test_the_storefront_client_matches_cognitos_documented_request_shape(
    program: ProgramFactory, overrides: dict[str, object]
) -> None:
    """Checked against Cognito's own service model as botocore ships it (CreateUserPoolClient:
    enums, types, ranges) and the token lifetimes of the Cognito developer guide ("Using the
    access token" / "Refresh tokens": access and ID tokens 5 minutes to 1 day, refresh tokens
    60 minutes to 10 years, and longer than the access token)."""
    from botocore.validate import validate_parameters

    client = only(program("prod", overrides), CLIENT)
    request = _create_user_pool_client_request(client.inputs)
    model = boto3.client("cognito-idp", region_name="us-east-1").meta.service_model
    shape = model.operation_model("CreateUserPoolClient").input_shape
    validate_parameters(request, shape)  # raises ParamValidationError naming the field
    allowed_flows = shape.members["ExplicitAuthFlows"].member.enum
    assert set(request["ExplicitAuthFlows"]) <= set(allowed_flows)
    # The backend-for-frontend's flows exactly: password sign-in and refresh on the server.
    assert request["ExplicitAuthFlows"] == list(CLIENT_AUTH_FLOWS)
    assert request["PreventUserExistenceErrors"] in shape.members["PreventUserExistenceErrors"].enum
    assert request["PreventUserExistenceErrors"] == "ENABLED"
    assert request["EnableTokenRevocation"] is True
    assert request["GenerateSecret"] is False
    lifetimes = {}
    for token in ("AccessToken", "IdToken", "RefreshToken"):
        unit = request["TokenValidityUnits"][token]
        assert unit in shape.members["TokenValidityUnits"].members[token].enum
        seconds = request[f"{token}Validity"] * UNIT_SECONDS[unit]
        bounds = shape.members[f"{token}Validity"].metadata
        assert bounds["min"] <= seconds <= bounds["max"], token
        lifetimes[token] = seconds
    assert 300 <= lifetimes["AccessToken"] <= 86400
    assert 300 <= lifetimes["IdToken"] <= 86400
    assert 3600 <= lifetimes["RefreshToken"] <= 10 * 365 * 86400
    assert lifetimes["RefreshToken"] > lifetimes["AccessToken"]
    assert set(request["AllowedOAuthFlows"]) <= set(shape.members["AllowedOAuthFlows"].member.enum)
