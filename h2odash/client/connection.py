"""HTTP transport for the h2odash client: one session, retries, timeouts, typed errors.

This module knows nothing about H2O endpoints; :mod:`h2odash.client.api` builds on it.
It speaks the dialect real H2O-3 understands: parameters go form-encoded (query
string for GET/DELETE), and lists or dicts are sent as JSON text inside a field.
"""
from __future__ import annotations

import json
import random
import time
from typing import Any, Mapping
from urllib.parse import quote

import requests

from .errors import H2OConnectionError, H2OServerError

# Statuses where the server said "try again later" without having done the work.
RETRYABLE_STATUSES = frozenset({502, 503, 504})


def encode_value(value: Any) -> str:
    """Encode one parameter value the way H2O-3's REST layer parses it.

    Booleans become ``true``/``false`` (Java's parser), lists and dicts become JSON
    text, everything else its ``str``.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value)
    return str(value)


def encode_params(params: Mapping[str, Any] | None) -> dict[str, str] | None:
    """Drop ``None`` values (so server defaults apply) and encode the rest."""
    if not params:
        return None
    return {key: encode_value(value) for key, value in params.items() if value is not None}


def drop_none(value: Any) -> Any:
    """A copy of a JSON body without ``None`` entries at any depth, as h2o-py sends AutoML specs:
    a field left out gets the server's default, while a JSON ``null`` would be read as a value."""
    if isinstance(value, Mapping):
        return {key: drop_none(item) for key, item in value.items() if item is not None}
    if isinstance(value, (list, tuple)):
        return [drop_none(item) for item in value]
    return value


def path_segment(value: Any) -> str:
    """URL-encode one path segment: job keys hold ``$``, raw frame keys hold ``/`` and ``:``."""
    return quote(str(value), safe="")


def build_path(*parts: Any) -> str:
    """Join ``/3``-style route pieces, encoding everything after the route prefix.

    >>> build_path("/3/Jobs", "$0301$_x", "cancel")
    '/3/Jobs/%240301%24_x/cancel'
    """
    head, *rest = parts
    return "/".join([str(head).rstrip("/")] + [path_segment(p) for p in rest])


class Connection:
    """A ``requests`` session bound to one server.

    Parameters
    ----------
    url : str
        Base URL, e.g. ``http://127.0.0.1:54321``.
    auth : str or (str, str), optional
        A token (sent as ``Authorization: Bearer <token>``) or a ``(user, password)``
        pair for HTTP basic auth.
    timeout : float
        Seconds to wait for the server to answer one request.
    max_retries : int
        Extra attempts for requests that :meth:`should_retry` allows.
    backoff : float
        Base delay in seconds before the first retry; doubles every attempt.
    """

    def __init__(self, url: str, auth: str | tuple[str, str] | None = None, timeout: float = 60,
                 max_retries: int = 3, backoff: float = 0.2):
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.session = requests.Session()
        self.session.headers["User-Agent"] = "h2odash-client"
        if isinstance(auth, str):
            self.session.headers["Authorization"] = f"Bearer {auth}"
        elif auth is not None:
            user, password = auth
            self.session.auth = (user, password)

    # -- retry policy -------------------------------------------------------------------
    def should_retry(self, method: str, attempt: int, error: Exception | None = None,
                     status: int | None = None) -> bool:
        """Decide whether a failed attempt is repeated — the single place that decides.

        Only reads (GET) are retried, because repeating a POST could start a second
        parse or model. Connection failures, read timeouts and 502/503/504 answers
        are retried; any other HTTP status is the server's final word.

        Parameters
        ----------
        method : str
            HTTP method of the request.
        attempt : int
            Number of attempts made so far (1 after the first failure).
        error : Exception, optional
            The ``requests`` exception raised by the attempt, if any.
        status : int, optional
            The HTTP status received, if any.
        """
        if attempt > self.max_retries or method.upper() != "GET":
            return False
        if error is not None:
            return isinstance(error, (requests.ConnectionError, requests.Timeout))
        return status in RETRYABLE_STATUSES

    def retry_delay(self, attempt: int) -> float:
        """Seconds to sleep before retry number ``attempt`` (exponential, with jitter)."""
        return self.backoff * (2 ** (attempt - 1)) * self.jitter()

    def jitter(self) -> float:
        """Random factor in [0.5, 1) so that many clients do not retry in lockstep.

        Kept in its own method so tests can pin it.
        """
        return 0.5 + random.random() / 2

    # -- requests -----------------------------------------------------------------------
    def request(self, method: str, route: str, params: Mapping[str, Any] | None = None,
                data: Mapping[str, Any] | None = None, files: Any = None, body: bytes | None = None,
                json_body: Mapping[str, Any] | None = None, timeout: float | None = None,
                text: bool = False, binary: bool = False) -> Any:
        """Send one request and return its decoded JSON body (or its text, with ``text=True``, or
        its bytes, with ``binary=True``).

        Parameters
        ----------
        method : str
            ``GET``, ``POST``, ``DELETE``...
        route : str
            Path below the base URL, already encoded (see :func:`build_path`).
        params : mapping, optional
            Query parameters; ``None`` values are dropped.
        data : mapping, optional
            Form fields for the body; ``None`` values are dropped.
        files : optional
            ``requests``-style multipart files.
        body : bytes, optional
            A raw request body (mutually exclusive with ``data``/``files``).
        json_body : mapping, optional
            A body sent as JSON (``Content-Type: application/json``); ``None`` entries are
            dropped at every depth. For the few routes H2O-3 reads as JSON (AutoMLBuilder).
        timeout : float, optional
            Overrides the connection's timeout for this request.
        text : bool
            Return a successful answer's body as text: for routes that answer CSV
            (``/3/DownloadDataset``). Errors are still decoded from H2O's JSON.
        binary : bool
            Return a successful answer's body as bytes: for routes that answer a file
            (``/3/Models.fetch.bin``). Errors are still decoded from H2O's JSON.

        Returns
        -------
        dict or list or str or bytes or None
            The JSON body as decoded (a fresh object; nothing is modified), the text or the bytes.

        Raises
        ------
        H2OConnectionError
            When no answer came after the allowed retries.
        H2OServerError
            For every non-2xx answer (404 → H2ONotFoundError, 400 → H2OBadRequestError).
        """
        url = self.url + route
        kwargs = dict(params=encode_params(params), timeout=timeout or self.timeout)
        if body is not None:
            kwargs["data"] = body
        elif json_body is not None:
            kwargs["json"] = drop_none(json_body)
        elif files is not None:
            kwargs["files"] = files
            kwargs["data"] = encode_params(data)
        else:
            kwargs["data"] = encode_params(data)
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self.session.request(method, url, **kwargs)
            except requests.RequestException as exc:
                if self.should_retry(method, attempt, error=exc):
                    time.sleep(self.retry_delay(attempt))
                    continue
                raise H2OConnectionError(f"{method} {url}: {exc}") from exc
            if not response.ok and self.should_retry(method, attempt, status=response.status_code):
                time.sleep(self.retry_delay(attempt))
                continue
            if text or binary:
                self._raise_for_status(response, method, url)
                return response.text if text else response.content
            return self._decode(response, method, url)

    @staticmethod
    def _payload(response: requests.Response) -> Any:
        try:
            return response.json() if response.content else None
        except ValueError:
            return response.text

    @classmethod
    def _raise_for_status(cls, response: requests.Response, method: str, url: str) -> None:
        """Raise the typed error for a non-2xx answer, built from its ``H2OErrorV3`` body."""
        if not response.ok:
            raise H2OServerError.from_response(response.status_code, cls._payload(response), f"{method} {url}")

    @classmethod
    def _decode(cls, response: requests.Response, method: str, url: str) -> Any:
        cls._raise_for_status(response, method, url)
        payload = cls._payload(response)
        if isinstance(payload, str):
            # A 2xx that is not JSON is not an H2O answer (a proxy page, a wrong port...).
            raise H2OServerError(response.status_code, f"expected JSON, got: {payload[:200]!r}",
                                 body=payload, url=f"{method} {url}")
        return payload

    def get(self, route: str, **params: Any) -> Any:
        """``GET route`` with query ``params``."""
        return self.request("GET", route, params=params)

    def get_text(self, route: str, **params: Any) -> str:
        """``GET route`` whose answer is text (CSV), not JSON."""
        return self.request("GET", route, params=params, text=True)

    def get_bytes(self, route: str, **params: Any) -> bytes:
        """``GET route`` whose answer is a file's bytes, not JSON."""
        return self.request("GET", route, params=params, binary=True)

    def post(self, route: str, **data: Any) -> Any:
        """``POST route`` with form-encoded ``data``."""
        return self.request("POST", route, data=data)

    def post_json(self, route: str, body: Mapping[str, Any]) -> Any:
        """``POST route`` with ``body`` sent as JSON (nested specs such as AutoML's)."""
        return self.request("POST", route, json_body=body)

    def delete(self, route: str, **params: Any) -> Any:
        """``DELETE route`` with query ``params``."""
        return self.request("DELETE", route, params=params)

    def close(self) -> None:
        """Release the session's pooled sockets."""
        self.session.close()
