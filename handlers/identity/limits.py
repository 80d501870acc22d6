"""How long the pre token generation trigger may take, and why.

Cognito waits 5 seconds for a trigger and fails the sign-in if it does not answer, for every
user, not only admins. So the single AdminGetUser call gets at most two 1-second tries: a slow
Cognito API drops the admin group (fail closed) long before Cognito gives up on the trigger.
"""

from __future__ import annotations

from typing import Final

COGNITO_TRIGGER_WAIT_SECONDS: Final = 5  # fixed by Cognito, not configurable
TRIGGER_TIMEOUT_SECONDS: Final = COGNITO_TRIGGER_WAIT_SECONDS
# boto3's import is most of a cold start; more memory is more CPU for it.
TRIGGER_MEMORY_MB: Final = 512
LOOKUP_CONNECT_TIMEOUT_SECONDS: Final = 1.0
LOOKUP_READ_TIMEOUT_SECONDS: Final = 1.0
LOOKUP_ATTEMPTS: Final = 2
