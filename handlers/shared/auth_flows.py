"""The Cognito auth flows the cart service's backend-for-frontend runs, and so the ones the
storefront's app client allows (components/identity.py; locally local/cognito.py): nothing else.

The server signs in with USER_PASSWORD_AUTH, not SRP: the password reaches the cart Lambda over
TLS in the sign-in request either way (the browser never talks to Cognito), so SRP would only
hide it from Cognito's endpoint, which also sits behind TLS, at the cost of a second round trip
and an SRP implementation in the Lambda. Managed login (authorization code + PKCE) needs no
explicit auth flow: it is the OAuth side of the same client.
"""

from __future__ import annotations

from typing import Final

# Names of Cognito AuthFlow values, not credentials.
USER_PASSWORD_AUTH: Final = "USER_PASSWORD_AUTH"  # noqa: S105
REFRESH_TOKEN_AUTH: Final = "REFRESH_TOKEN_AUTH"  # noqa: S105
# The app client's ExplicitAuthFlows: each flow above, as Cognito names the permission.
CLIENT_AUTH_FLOWS: Final = (f"ALLOW_{USER_PASSWORD_AUTH}", f"ALLOW_{REFRESH_TOKEN_AUTH}")
