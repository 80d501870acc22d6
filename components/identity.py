"""Identity (`shop3d:identity:Identity`): the Cognito user pool shoppers and staff sign in to.

A component of its own rather than part of GlobalData: it lives in the primary region only,
its outputs are consumed by every cell (the cart Lambdas verify its tokens), and its
lifecycle (sign-in policy, app clients, social providers) changes for reasons that have
nothing to do with tables and buckets.

The pool signs in by e-mail, offers TOTP MFA (optional for shoppers), recovers accounts by
verified e-mail only and runs threat protection (AUDIT or ENFORCED from config). The
storefront's app client is public (no client secret): the cart's backend-for-frontend signs in
with the user's password on the server (handlers/shared/auth_flows.py says why not SRP) and
refreshes there; managed login (social providers) uses the authorization code flow with PKCE.
Social providers read their client secrets from Secrets Manager at deploy time.

Cognito has no per-group MFA, so the admin group's is enforced by a pre token generation
trigger (handlers/identity, V2_0 events so that it reaches the access token): it removes
`admins` from the tokens of any user who did not sign in with TOTP. The trigger runs in the
primary region's cell network (private subnets; Cognito's API, which has no VPC endpoint there,
through the NAT gateway) and may read users of this pool only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import pulumi
import pulumi_aws as aws

from components import iam
from components.artifacts import lambda_artifact
from components.code_signing import RegionCodeSigning
from components.interfaces import IdentityOutputs, NetworkOutputs
from components.lambda_function import ComponentHost, FunctionSpec, HostedFunction, hosted_function
from components.naming import global_name, physical
from components.options import child, stateful
from handlers.shared.auth_flows import CLIENT_AUTH_FLOWS
from handlers.shared.functions import PRE_TOKEN_MEMORY_MB, PRE_TOKEN_TIMEOUT_SECONDS
from handlers.shared.groups import GROUPS
from stack_config.config import (
    CALLBACK_PATH,
    SocialIdentityProvider,
    SocialProvider,
    StackConfig,
)

# The trigger event version whose answer reaches the access token (needs Essentials or Plus).
TRIGGER_EVENT_VERSION: Final = "V2_0"
OAUTH_SCOPES: Final = ("openid", "email", "profile")
PASSWORD_MIN_LENGTH: Final = 12
PASSWORD_HISTORY: Final = 5
TEMPORARY_PASSWORD_DAYS: Final = 3
# Scopes each social provider is asked for, and how its claims map onto the pool's.
SOCIAL_SCOPES: Final[dict[SocialProvider, str]] = {
    "Google": "openid email profile",
    "Facebook": "public_profile,email",
    "SignInWithApple": "email name",
}
SOCIAL_ATTRIBUTES: Final[dict[SocialProvider, dict[str, str]]] = {
    "Google": {"email": "email", "email_verified": "email_verified", "username": "sub"},
    "Facebook": {"email": "email", "username": "id"},
    "SignInWithApple": {"email": "email", "username": "sub"},
}


def issuer_url(region: str, user_pool_id: pulumi.Input[str]) -> pulumi.Output[str]:
    """The `iss` claim of the pool's tokens."""
    return pulumi.Output.concat("https://cognito-idp.", region, ".amazonaws.com/", user_pool_id)


def jwks_url(issuer: pulumi.Input[str]) -> pulumi.Output[str]:
    return pulumi.Output.concat(issuer, "/.well-known/jwks.json")


def social_secret_name(provider: SocialProvider) -> str:
    """Default Secrets Manager name of a provider's client secret (Apple: private key)."""
    return f"shop3d/{pulumi.get_stack()}/identity/{provider.lower()}"


def logout_urls(callbacks: list[str]) -> list[str]:
    """Sign-out returns to the site root of each callback URL."""
    return sorted({url.split(CALLBACK_PATH)[0] + "/" for url in callbacks})


@dataclass(frozen=True)
class IdentityArgs:
    config: StackConfig
    # The primary region's cell network and KMS key: the admin-MFA trigger runs there.
    network: NetworkOutputs
    key_arn: pulumi.Output[str]
    # The primary region's code signing: the trigger is a signed Zip function.
    code_signing: RegionCodeSigning


class Identity(pulumi.ComponentResource):
    user_pool: aws.cognito.UserPool
    client: aws.cognito.UserPoolClient
    domain: aws.cognito.UserPoolDomain
    outputs: IdentityOutputs

    def __init__(
        self, name: str, args: IdentityArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("shop3d:identity:Identity", name, None, opts)
        config = args.config
        region = config.primary.name
        protect = config.deletion_protection

        host = ComponentHost(
            parent=self,
            scope=name,
            region=region,
            config=config,
            network=args.network,
            key_arn=args.key_arn,
            code_signing=args.code_signing,
        )
        self.pre_token_trigger = self._pre_token_trigger(host)
        self.user_pool = self._user_pool(name, config, protect, self.pre_token_trigger)
        self._let_the_pool_use(host, self.pre_token_trigger)
        # No role_arn on either: the trigger drops admins from tokens and leaves IAM roles alone.
        for group in GROUPS:
            aws.cognito.UserGroup(
                global_name(name, group.name),
                user_pool_id=self.user_pool.id,
                name=group.name,
                description=group.description,
                precedence=group.precedence,
                opts=child(self),
            )
        self._risk_responses(name)
        providers = [self._social_provider(name, p) for p in config.identity_providers]
        callbacks = list(config.callback_urls)
        self.client = aws.cognito.UserPoolClient(
            global_name(name, "storefront-client"),
            name=physical("storefront"),
            user_pool_id=self.user_pool.id,
            # A browser app cannot keep a secret: a public client, code flow with PKCE.
            generate_secret=False,
            allowed_oauth_flows_user_pool_client=True,
            allowed_oauth_flows=["code"],
            allowed_oauth_scopes=list(OAUTH_SCOPES),
            callback_urls=callbacks,
            logout_urls=logout_urls(callbacks),
            supported_identity_providers=[
                "COGNITO",
                *(p.provider for p in config.identity_providers),
            ],
            # What the cart's backend-for-frontend signs in and refreshes with, nothing more.
            explicit_auth_flows=list(CLIENT_AUTH_FLOWS),
            prevent_user_existence_errors="ENABLED",
            enable_token_revocation=True,
            access_token_validity=config.auth_token_minutes,
            id_token_validity=config.auth_token_minutes,
            refresh_token_validity=config.auth_refresh_token_days,
            # Units of the three lifetimes above, not credentials.
            token_validity_units=aws.cognito.UserPoolClientTokenValidityUnitsArgs(
                access_token="minutes",  # noqa: S106
                id_token="minutes",  # noqa: S106
                refresh_token="days",  # noqa: S106
            ),
            # The client names the providers: they must exist first.
            opts=child(self, depends_on=providers),
        )
        self.domain = aws.cognito.UserPoolDomain(
            global_name(name, "domain"),
            domain=config.auth_domain_prefix or physical("auth"),
            user_pool_id=self.user_pool.id,
            opts=child(self),
        )
        issuer = issuer_url(region, self.user_pool.id)
        self.hosted_ui_url = pulumi.Output.concat(
            "https://", self.domain.domain, ".auth.", region, ".amazoncognito.com"
        )
        self.outputs = IdentityOutputs(
            user_pool_id=self.user_pool.id,
            client_id=self.client.id,
            issuer_url=issuer,
            jwks_url=jwks_url(issuer),
            domain_url=self.hosted_ui_url,
            # The site's own (https://<domain>...) when the stack has a domain, else the first
            # configured one.
            callback_url=callbacks[0],
        )
        self.register_outputs(
            {
                "userPoolId": self.outputs.user_pool_id,
                "clientId": self.outputs.client_id,
                "issuerUrl": self.outputs.issuer_url,
                "jwksUrl": self.outputs.jwks_url,
                "hostedUiUrl": self.hosted_ui_url,
            }
        )

    @staticmethod
    def _pre_token_trigger(host: ComponentHost) -> HostedFunction:
        """The Lambda that keeps the admin group out of tokens without a TOTP sign-in. Its role
        gets AdminGetUser on the pool once the pool exists (_let_the_pool_use): the pool needs
        the function's ARN first. Cognito waits for it, so it has no dead-letter queue."""
        config = host.config
        return hosted_function(
            host,
            FunctionSpec(
                role="pre-token",
                artifact=lambda_artifact("identity", config.lambda_architecture),
                description="shop3d pre token generation: admins group only after a TOTP sign-in",
                memory_mb=PRE_TOKEN_MEMORY_MB,
                timeout_seconds=PRE_TOKEN_TIMEOUT_SECONDS,
                environment={},
                statements=[],
            ),
            dead_letter_arn=None,
        )

    def _let_the_pool_use(self, host: ComponentHost, trigger: HostedFunction) -> None:
        """Cognito may invoke the trigger for this pool only; the trigger may read this pool's
        users (AdminGetUser) and nothing else of Cognito."""
        aws.lambda_.Permission(
            host.name("pre-token", "invoke"),
            action="lambda:InvokeFunction",
            function=trigger.function.name,
            principal="cognito-idp.amazonaws.com",
            source_arn=self.user_pool.arn,
            opts=host.opts(),
        )
        aws.iam.RolePolicy(
            host.name("pre-token", "role", "pool"),
            role=trigger.role.id,
            policy=iam.document(
                [
                    iam.allow(
                        ["cognito-idp:AdminGetUser"], [self.user_pool.arn], sid="ReadThisPoolsUsers"
                    )
                ]
            ),
            opts=host.opts(),
        )

    def _user_pool(
        self, name: str, config: StackConfig, protect: bool, trigger: HostedFunction
    ) -> aws.cognito.UserPool:
        lambda_config = aws.cognito.UserPoolLambdaConfigArgs(
            pre_token_generation_config=aws.cognito.UserPoolLambdaConfigPreTokenGenerationConfigArgs(
                lambda_arn=trigger.function.arn, lambda_version=TRIGGER_EVENT_VERSION
            )
        )
        return aws.cognito.UserPool(
            global_name(name, "user-pool"),
            name=physical("users"),
            username_attributes=["email"],
            auto_verified_attributes=["email"],
            username_configuration=aws.cognito.UserPoolUsernameConfigurationArgs(
                case_sensitive=False
            ),
            schemas=[
                aws.cognito.UserPoolSchemaArgs(
                    name="email",
                    attribute_data_type="String",
                    required=True,
                    mutable=True,
                    string_attribute_constraints=aws.cognito.UserPoolSchemaStringAttributeConstraintsArgs(
                        min_length="3", max_length="254"
                    ),
                )
            ],
            # TOTP is offered to everyone; Cognito has no per-group MFA switch: the admin group's
            # is the pre token generation trigger's job (lambda_config).
            mfa_configuration="OPTIONAL",
            software_token_mfa_configuration=aws.cognito.UserPoolSoftwareTokenMfaConfigurationArgs(
                enabled=True
            ),
            password_policy=aws.cognito.UserPoolPasswordPolicyArgs(
                minimum_length=PASSWORD_MIN_LENGTH,
                require_lowercase=True,
                require_uppercase=True,
                require_numbers=True,
                require_symbols=True,
                password_history_size=PASSWORD_HISTORY,
                temporary_password_validity_days=TEMPORARY_PASSWORD_DAYS,
            ),
            # Recovery by a verified e-mail only: SMS recovery is open to SIM swapping.
            account_recovery_setting=aws.cognito.UserPoolAccountRecoverySettingArgs(
                recovery_mechanisms=[
                    aws.cognito.UserPoolAccountRecoverySettingRecoveryMechanismArgs(
                        name="verified_email", priority=1
                    )
                ]
            ),
            user_attribute_update_settings=aws.cognito.UserPoolUserAttributeUpdateSettingsArgs(
                attributes_require_verification_before_updates=["email"]
            ),
            admin_create_user_config=aws.cognito.UserPoolAdminCreateUserConfigArgs(
                allow_admin_create_user_only=False
            ),
            verification_message_template=aws.cognito.UserPoolVerificationMessageTemplateArgs(
                default_email_option="CONFIRM_WITH_CODE"
            ),
            # Threat protection and password history need the Plus feature plan (V2_0 trigger
            # events, which reach the access token, need Essentials or Plus).
            user_pool_tier="PLUS",
            user_pool_add_ons=aws.cognito.UserPoolUserPoolAddOnsArgs(
                advanced_security_mode=config.threat_protection
            ),
            deletion_protection="ACTIVE" if protect else "INACTIVE",
            lambda_config=lambda_config,
            opts=stateful(self, protect),
        )

    def _risk_responses(self, name: str) -> aws.cognito.RiskConfiguration:
        """What ENFORCED threat protection does (AUDIT only logs): a sign-in that looks like an
        account takeover must pass MFA at medium risk and is blocked at high risk; a password
        found in a breach corpus is refused. No e-mail notices (they need an SES identity)."""
        takeover = aws.cognito.RiskConfigurationAccountTakeoverRiskConfigurationActionsArgs
        return aws.cognito.RiskConfiguration(
            global_name(name, "risk-responses"),
            user_pool_id=self.user_pool.id,
            account_takeover_risk_configuration=aws.cognito.RiskConfigurationAccountTakeoverRiskConfigurationArgs(
                actions=takeover(
                    low_action=aws.cognito.RiskConfigurationAccountTakeoverRiskConfigurationActionsLowActionArgs(
                        event_action="NO_ACTION", notify=False
                    ),
                    medium_action=aws.cognito.RiskConfigurationAccountTakeoverRiskConfigurationActionsMediumActionArgs(
                        event_action="MFA_IF_CONFIGURED", notify=False
                    ),
                    high_action=aws.cognito.RiskConfigurationAccountTakeoverRiskConfigurationActionsHighActionArgs(
                        event_action="BLOCK", notify=False
                    ),
                )
            ),
            compromised_credentials_risk_configuration=aws.cognito.RiskConfigurationCompromisedCredentialsRiskConfigurationArgs(
                event_filters=["SIGN_IN", "SIGN_UP", "PASSWORD_CHANGE"],
                actions=aws.cognito.RiskConfigurationCompromisedCredentialsRiskConfigurationActionsArgs(
                    event_action="BLOCK"
                ),
            ),
            opts=child(self),
        )

    def _social_provider(
        self, name: str, settings: SocialIdentityProvider
    ) -> aws.cognito.IdentityProvider:
        secret = aws.secretsmanager.get_secret_version_output(
            secret_id=settings.secret or social_secret_name(settings.provider),
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        # The client secret ends up in the provider's state: keep it encrypted there.
        secret_value: pulumi.Output[str] = pulumi.Output.secret(secret.secret_string)
        details: dict[str, pulumi.Input[str]] = {
            "client_id": settings.client_id,
            "authorize_scopes": SOCIAL_SCOPES[settings.provider],
        }
        if settings.provider == "SignInWithApple":
            details.update(
                team_id=settings.team_id or "",
                key_id=settings.key_id or "",
                private_key=secret_value,
            )
        else:
            details["client_secret"] = secret_value
        return aws.cognito.IdentityProvider(
            global_name(name, "idp", settings.provider.lower()),
            user_pool_id=self.user_pool.id,
            provider_name=settings.provider,
            provider_type=settings.provider,
            provider_details=details,
            attribute_mapping=SOCIAL_ATTRIBUTES[settings.provider],
            opts=child(self),
        )
