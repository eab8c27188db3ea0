"""The OAuth 2.1 authorization server's rules and storage (SPEC §10), one module per section:
``clients`` (registration), ``authorization`` (requests, sign-in, consent), ``tokens`` (codes, access and
refresh tokens, revocation, bearer authentication) and ``connectors`` (the account's connected clients);
``core.oauth`` holds one of each (``service.py``).

The HTTP door speaks the protocol (``comstack_http.oauth``, on the mcp SDK's handlers); every record
and every decision — which redirect URIs and resources are acceptable, who signed in, when a code or
token is dead, what a replay revokes, who a bearer token is — is made here, on the core's clock.

Secrets handed out (codes, tokens, sign-in handles, CSRF tokens, browser bindings) are random
(``secrets.token_urlsafe``) and stored only as SHA-256 digests (:func:`comstack_core.auth.hash_secret`).
"""
