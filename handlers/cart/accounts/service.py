"""What the account routes do, on top of Cognito (Identity) and the sessions table: sign-in
makes a session (tokens server-side), a request with the session cookie becomes the user (the
access token refreshed server-side when it is about to expire, then verified like a bearer
token), sign-out revokes the refresh token and deletes the session."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from handlers.cart.accounts.sessions import Session, SessionStore, Tokens
from handlers.cart.api.problems import Problem, unauthorized

if TYPE_CHECKING:
    from handlers.cart.accounts.identity import Identity
    from handlers.cart.api.tokens import TokenVerifier

REFRESH_MARGIN_S: Final = 60  # refresh an access token this close to its expiry


@dataclass
class Accounts:
    identity: Identity
    sessions: SessionStore
    verifier: TokenVerifier

    def open_session(self, email: str, tokens: Tokens) -> Session:
        sub = self.verifier.subject(tokens.access_token)
        return self.sessions.create(sub, email, tokens)

    def current(self, session_id: str) -> Session:
        """The live session (tokens refreshed if due), or a 401 saying to sign in again."""
        session = self.sessions.get(session_id)
        if session is None:
            raise unauthorized("the session has ended: sign in again")
        if session.tokens.expires_at - REFRESH_MARGIN_S <= time.time():
            session = self.sessions.replace_tokens(session, self.identity.refresh(session.tokens))
        if self.verifier.subject(session.tokens.access_token) != session.sub:
            raise unauthorized("the session's token belongs to another user: sign in again")
        return session

    def close(self, session_id: str) -> None:
        """Revoke the refresh token (a fresh access token first, if due) and delete the
        session; an unknown or ended session is simply deleted."""
        try:
            session = self.current(session_id)
        except Problem:
            session = None
        if session is not None:
            self.identity.revoke(session.tokens)
        self.sessions.delete(session_id)
