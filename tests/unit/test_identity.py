"""Identity over the recorded graph: one Cognito user pool in the primary region, configured
for e-mail sign-in, optional TOTP, threat protection and e-mail-only recovery; a public PKCE
app client whose issuer reaches every region's cart Lambda; social providers from config."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.runtime import rpc

from components.identity import ADMIN_GROUP, CALLBACK_PATH, callback_urls
from handlers.shared import env
from offline.mocks import CALLS
from offline.runner import ProgramRun, RecordedResource
from regions.config import ConfigError, parse_config
from tests.unit.conftest import ProgramFactory

USER_POOL = "aws:cognito/userPool:UserPool"
CLIENT = "aws:cognito/userPoolClient:UserPoolClient"
DOMAIN = "aws:cognito/userPoolDomain:UserPoolDomain"
GROUP = "aws:cognito/userGroup:UserGroup"
IDP = "aws:cognito/identityProvider:IdentityProvider"
FUNCTION = "aws:lambda/function:Function"
# How the engine's wire format marks a secret value (pulumi.runtime.rpc).
SECRET_SIG, SECRET_MARK = rpc._special_sig_key, rpc._special_secret_sig
SOCIAL = {"identityProviders": [
    "Google clientId=google-client.apps.googleusercontent.com",
    "SignInWithApple clientId=com.shop3d.web teamId=TEAM123 keyId=KEY456 "
    "secret=arn:aws:secretsmanager:us-east-1:123456789012:secret:apple-p8",
]}


def secret_value(value: object) -> Any:
    """The value inside a Pulumi secret as recorded (fails if it was not marked secret)."""
    assert isinstance(value, dict) and value.get(SECRET_SIG) == SECRET_MARK, value
    return value["value"]


def only(run: ProgramRun, type_: str) -> RecordedResource:
    (resource,) = run.of_type(type_)
    return resource


def cart_functions(run: ProgramRun) -> list[RecordedResource]:
    """The functions that verify sign-in tokens: those given the trusted issuer."""
    return [f for f in run.of_type(FUNCTION)
            if env.AUTH_ISSUER in ((f.inputs.get("environment") or {}).get("variables") or {})]


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
        {"name": "verified_email", "priority": 1}]
    policy = pool.inputs["passwordPolicy"]
    assert policy["minimumLength"] >= 12
    assert all(policy[k] for k in ("requireLowercase", "requireUppercase", "requireNumbers",
                                   "requireSymbols"))
    (risk,) = run.of_type("aws:cognito/riskConfiguration:RiskConfiguration")
    actions = risk.inputs["accountTakeoverRiskConfiguration"]["actions"]
    assert actions["mediumAction"]["eventAction"] == "MFA_IF_CONFIGURED"
    assert actions["highAction"]["eventAction"] == "BLOCK"
    assert risk.inputs["compromisedCredentialsRiskConfiguration"]["actions"] == {
        "eventAction": "BLOCK"}
    (group,) = run.of_type(GROUP)
    assert group.inputs["name"] == ADMIN_GROUP and group.parent == pool.parent


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
    assert not any("PASSWORD_AUTH" in flow and "SRP" not in flow
                   for flow in client.inputs["explicitAuthFlows"])
    assert (client.inputs["accessTokenValidity"], client.inputs["refreshTokenValidity"]) == (60, 30)
    assert only(run, DOMAIN).inputs["domain"] == "shop3d-prod-auth"


def test_token_lifetimes_domain_and_callbacks_come_from_config(program: ProgramFactory) -> None:
    run = program("dev", {"authTokenMinutes": 15, "authRefreshTokenDays": 7,
                          "authDomainPrefix": "acme-shop-dev",
                          "authCallbackUrls": ["https://preview.acme.test/auth/callback"]})
    client = only(run, CLIENT)
    assert client.inputs["accessTokenValidity"] == 15
    assert client.inputs["idTokenValidity"] == 15
    assert client.inputs["refreshTokenValidity"] == 7
    assert client.inputs["tokenValidityUnits"] == {
        "accessToken": "minutes", "idToken": "minutes", "refreshToken": "days"}
    assert client.inputs["callbackUrls"] == ["https://preview.acme.test/auth/callback"]
    assert only(run, DOMAIN).inputs["domain"] == "acme-shop-dev"
    assert run.outputs["authHostedUiUrl"] == "https://acme-shop-dev.auth.us-east-1.amazoncognito.com"


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_cart_lambda_trusts_the_pool(program: ProgramFactory, stack: str) -> None:
    run = program(stack)
    primary = run.outputs["primaryRegion"]
    issuer = run.outputs["authIssuerUrl"]
    assert issuer == f"https://cognito-idp.{primary}.amazonaws.com/{run.outputs['userPoolId']}"
    assert run.outputs["authJwksUrl"] == f"{issuer}/.well-known/jwks.json"
    functions = cart_functions(run)
    assert sorted(str(f.region) for f in functions) == sorted(run.outputs["regions"])
    for function in functions:
        variables = function.inputs["environment"]["variables"]
        assert variables[env.AUTH_ISSUER] == issuer
        assert variables[env.AUTH_JWKS_URL] == run.outputs["authJwksUrl"]
        assert variables[env.AUTH_CLIENT_ID] == run.outputs["userPoolClientId"]


def test_social_providers_from_config_with_secrets_manager(program: ProgramFactory) -> None:
    run = program("dev", SOCIAL)
    providers = {p.inputs["providerName"]: p for p in run.of_type(IDP)}
    assert sorted(providers) == ["Google", "SignInWithApple"]
    placeholder = CALLS["aws:secretsmanager/getSecretVersion:getSecretVersion"](
        {}, "us-east-1")["secretString"]
    assert providers["Google"].inputs["providerType"] == "Google"
    # The details hold the client secret: kept secret (encrypted) in the stack's state.
    google = secret_value(providers["Google"].inputs["providerDetails"])
    assert google["client_id"] == "google-client.apps.googleusercontent.com"
    # The secret is the one read from Secrets Manager, never a config value.
    assert google["client_secret"] == placeholder
    apple = secret_value(providers["SignInWithApple"].inputs["providerDetails"])
    assert (apple["team_id"], apple["key_id"], apple["private_key"]) == (
        "TEAM123", "KEY456", placeholder)
    assert "client_secret" not in apple
    client = only(run, CLIENT)
    assert client.inputs["supportedIdentityProviders"] == ["COGNITO", "Google",
                                                           "SignInWithApple"]
    # The client names the providers, so it is created after them.
    assert {p.urn for p in providers.values()} <= set(client.dependencies)


@pytest.mark.parametrize(("raw", "message"), [
    ({"identityProviders": ["Twitter clientId=x"]}, "expected one of 'Google', 'Facebook'"),
    ({"identityProviders": ["SignInWithApple clientId=x"]}, "teamId=... keyId=..."),
    ({"identityProviders": ["Google clientId=a", "Google clientId=b"]}, "each provider once"),
    ({"identityProviders": ["Google clientId=a colour=blue"]}, "clientId=... secret=..."),
    ({"authCallbackUrls": ["http://shop.example.com/cb"]}, "an https:// URL"),
    ({"authDomainPrefix": "my-aws-shop"}, "without the words aws"),
    ({"threatProtection": "OFF"}, "one of 'AUDIT', 'ENFORCED'"),
    ({"authTokenMinutes": 2}, "an integer from 5 to 1440"),
])
def test_bad_identity_config_is_refused(raw: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match="shop3d:") as error:
        parse_config(raw)
    assert message in str(error.value)


def test_a_stack_with_no_callback_url_is_refused() -> None:
    config = parse_config({"environment": "dev", "authCallbackUrls": []})
    with pytest.raises(ConfigError, match=r"shop3d:authCallbackUrls.*shop3d:domain"):
        callback_urls(config)
    with_domain = parse_config({"environment": "dev", "authCallbackUrls": [],
                                "domain": "shop.example.com"})
    assert callback_urls(with_domain) == [f"https://shop.example.com{CALLBACK_PATH}"]
