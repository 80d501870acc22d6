"""Cognito's public (unauthenticated and access-token) user pool API, as the backend-for-frontend
calls it: sign-up and its e-mail confirmation, password sign-in (with a TOTP challenge when the
user enrolled one), refresh, TOTP enrolment, password reset, token revocation. Cognito's answers
become problems that say what to do; nothing here is specific to moto or to AWS.

The flows are handlers/shared/auth_flows.py's, the ones the program's app client allows.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import quote

from botocore.exceptions import ClientError

from handlers.cart.accounts.sessions import Tokens
from handlers.cart.api.problems import Problem, bad_request, conflict, unauthorized
from handlers.shared.auth_flows import REFRESH_TOKEN_AUTH, USER_PASSWORD_AUTH

ISSUER_NAME: Final = "shop3d"
# Cognito error codes and the answer each becomes (everything else is a 502: Cognito failed).
_ANSWERS: Final = {
    "UsernameExistsException": (409, "an account with this e-mail exists: sign in instead"),
    "InvalidPasswordException": (422, "the password breaks the pool's password policy"),
    "InvalidParameterException": (422, "a field is not accepted by the user pool"),
    "CodeMismatchException": (422, "the code is wrong: check it or ask for a new one"),
    "ExpiredCodeException": (422, "the code has expired: ask for a new one"),
    # One answer for both: which e-mails have accounts is not told (user existence errors off).
    "NotAuthorizedException": (401, "the e-mail, the password or the code is wrong"),
    "UserNotFoundException": (401, "the e-mail, the password or the code is wrong"),
    # moto answers this for an unknown user or challenge where Cognito says NotAuthorized or
    # UserNotFound; a missing app client would also land here (and fail every call alike).
    "ResourceNotFoundException": (401, "the e-mail, the password or the code is wrong"),
    "UserNotConfirmedException": (403, "confirm the e-mail first (the code was sent to it)"),
    "PasswordResetRequiredException": (403, "reset the password first"),
    "EnableSoftwareTokenMFAException": (422, "the authenticator code does not match"),
    "LimitExceededException": (429, "too many attempts: wait a little and retry"),
    "TooManyRequestsException": (429, "too many attempts: wait a little and retry"),
}


@dataclass(frozen=True)
class SignInResult:
    tokens: Tokens | None  # None while a TOTP challenge is open
    challenge_session: str | None = None


def _problem(error: ClientError) -> Problem:
    code = str(error.response.get("Error", {}).get("Code", ""))
    status, detail = _ANSWERS.get(code, (502, "the identity service failed; retry later"))
    if status == 409:
        return conflict(detail)
    if status == 401:
        return unauthorized(detail)
    return Problem(status, code or "identity-error", detail)


def _tokens(result: dict[str, Any], refresh_token: str | None = None) -> Tokens:
    return Tokens(
        access_token=result["AccessToken"],
        refresh_token=result.get("RefreshToken") or refresh_token or "",
        expires_at=int(time.time()) + int(result.get("ExpiresIn", 3600)),
    )


class Identity:
    def __init__(self, client: Any, client_id: str) -> None:
        self._client = client
        self.client_id = client_id

    def _call(self, operation: str, **arguments: Any) -> dict[str, Any]:
        try:
            answer: dict[str, Any] = getattr(self._client, operation)(**arguments)
        except ClientError as error:
            raise _problem(error) from None
        return answer

    def sign_up(self, email: str, password: str) -> None:
        self._call(
            "sign_up",
            ClientId=self.client_id,
            Username=email,
            Password=password,
            UserAttributes=[{"Name": "email", "Value": email}],
        )

    def confirm_sign_up(self, email: str, code: str) -> None:
        self._call(
            "confirm_sign_up", ClientId=self.client_id, Username=email, ConfirmationCode=code
        )

    def sign_in(self, email: str, password: str) -> SignInResult:
        answer = self._call(
            "initiate_auth",
            ClientId=self.client_id,
            AuthFlow=USER_PASSWORD_AUTH,
            AuthParameters={"USERNAME": email, "PASSWORD": password},
        )
        if answer.get("ChallengeName") == "SOFTWARE_TOKEN_MFA":
            return SignInResult(None, answer["Session"])
        if "AuthenticationResult" not in answer:
            raise bad_request(f"sign-in needs {answer.get('ChallengeName')!r}, not offered here")
        return SignInResult(_tokens(answer["AuthenticationResult"]))

    def answer_totp(self, email: str, challenge_session: str, code: str) -> Tokens:
        answer = self._call(
            "respond_to_auth_challenge",
            ClientId=self.client_id,
            ChallengeName="SOFTWARE_TOKEN_MFA",
            Session=challenge_session,
            ChallengeResponses={"USERNAME": email, "SOFTWARE_TOKEN_MFA_CODE": code},
        )
        return _tokens(answer["AuthenticationResult"])

    def refresh(self, tokens: Tokens) -> Tokens:
        answer = self._call(
            "initiate_auth",
            ClientId=self.client_id,
            AuthFlow=REFRESH_TOKEN_AUTH,
            AuthParameters={"REFRESH_TOKEN": tokens.refresh_token},
        )
        return _tokens(answer["AuthenticationResult"], tokens.refresh_token)

    def revoke(self, tokens: Tokens) -> None:
        """GlobalSignOut: Cognito revokes the user's refresh tokens (this session's and the
        user's other sessions'). RevokeToken would end only this one, but moto's Cognito does
        not serve it, and one call that works in both places beats a branch."""
        self._call("global_sign_out", AccessToken=tokens.access_token)

    def start_totp(self, tokens: Tokens, email: str) -> dict[str, str]:
        secret = self._call("associate_software_token", AccessToken=tokens.access_token)[
            "SecretCode"
        ]
        uri = f"otpauth://totp/{ISSUER_NAME}:{quote(email)}?secret={secret}&issuer={ISSUER_NAME}"
        return {"secret": secret, "otpauth_uri": uri}

    def verify_totp(self, tokens: Tokens, code: str) -> None:
        answer = self._call("verify_software_token", AccessToken=tokens.access_token, UserCode=code)
        if answer.get("Status") != "SUCCESS":
            raise Problem(422, "totp-not-verified", "the authenticator code does not match")
        self._call(
            "set_user_mfa_preference",
            AccessToken=tokens.access_token,
            SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True},
        )

    def forgot_password(self, email: str) -> None:
        self._call("forgot_password", ClientId=self.client_id, Username=email)

    def reset_password(self, email: str, code: str, password: str) -> None:
        self._call(
            "confirm_forgot_password",
            ClientId=self.client_id,
            Username=email,
            ConfirmationCode=code,
            Password=password,
        )
