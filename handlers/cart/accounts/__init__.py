"""Shopper accounts, backend-for-frontend: Cognito sign-up/sign-in on the server, tokens kept
server-side in the sessions table, the browser holding only a random session id."""
