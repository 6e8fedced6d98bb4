"""Access control for the server: token or basic authentication on every route.

The server has no accounts: whoever holds the secret may do everything, like H2O-3's hash
login. Without a secret it must stay on the loopback interface (the CLI enforces that).
"""

import base64
import hmac
from dataclasses import dataclass

from h2odash.server.schemas import error_v3, to_json_bytes


@dataclass(frozen=True)
class Credentials:
    """What a request must present: a bearer token, or a user and password (basic auth)."""

    token: str = None
    user: str = None
    password: str = None

    @classmethod
    def parse(cls, spec):
        """``token:<secret>`` or ``basic:<user>:<password>``."""
        kind, _, rest = (spec or "").partition(":")
        if kind == "token" and rest:
            return cls(token=rest)
        if kind == "basic" and ":" in rest:
            user, _, password = rest.partition(":")
            if user and password:
                return cls(user=user, password=password)
        raise ValueError("--auth takes token:<secret> or basic:<user>:<password>")

    def accepts(self, header):
        """True when an Authorization header carries these credentials."""
        scheme, _, value = (header or "").partition(" ")
        scheme = scheme.lower()
        if self.token is not None:
            return scheme == "bearer" and hmac.compare_digest(value.strip().encode(), self.token.encode())
        if scheme != "basic":
            return False
        try:
            user, _, password = base64.b64decode(value.strip(), validate=True).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        # Compare both parts even when the first differs, so timing tells nothing.
        ok_user = hmac.compare_digest(user.encode(), self.user.encode())
        ok_password = hmac.compare_digest(password.encode(), self.password.encode())
        return ok_user and ok_password


class AuthMiddleware:
    """ASGI middleware refusing every HTTP request without the credentials (401, H2OErrorV3)."""

    def __init__(self, app, credentials):
        self.app = app
        self.credentials = credentials

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        header = headers.get(b"authorization", b"").decode("latin-1")
        if self.credentials.accepts(header):
            return await self.app(scope, receive, send)
        body = to_json_bytes(error_v3(
            401, "Authentication required: this server needs the token or user and password it was started with.",
            scope.get("path", ""), "water.exceptions.H2OAuthenticationException",
        ))
        challenge = b'Bearer realm="h2odash"' if self.credentials.token else b'Basic realm="h2odash"'
        await send({"type": "http.response.start", "status": 401, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
            (b"www-authenticate", challenge),
        ]})
        await send({"type": "http.response.body", "body": body})
