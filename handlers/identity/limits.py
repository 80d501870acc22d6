"""How long the pre token generation trigger's lookup may take, and why (the function's
timeout and memory are in handlers/shared/functions.py with the other functions').

Cognito waits 5 seconds for a trigger and fails the sign-in if it does not answer, for every
user, not only admins. So the single AdminGetUser call gets at most two 1-second tries: a slow
Cognito API drops the admin group (fail closed) long before Cognito gives up on the trigger.
"""

from __future__ import annotations

from typing import Final

LOOKUP_CONNECT_TIMEOUT_SECONDS: Final = 1.0
LOOKUP_READ_TIMEOUT_SECONDS: Final = 1.0
LOOKUP_ATTEMPTS: Final = 2
