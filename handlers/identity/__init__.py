"""Identity triggers of the Cognito user pool: the pre token generation trigger that keeps the
admin group out of tokens of users who did not sign in with TOTP."""
