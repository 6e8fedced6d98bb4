"""Typed errors raised by the h2odash client.

Every error a server can report reaches the caller as an :class:`H2OServerError`
(or one of its subclasses) carrying the server's ``http_status``, ``msg``,
``dev_msg``, ``exception_type`` and the untouched JSON ``body`` — so a panel can
show the human message while a developer can still dig into the stack trace.
"""
from __future__ import annotations

import re
from typing import Any

# H2O-3 wraps its messages as "\n\nERROR MESSAGE:\n\n<text>\n\n"; the banner is noise for a user.
_BANNER = re.compile(r"^\s*ERROR MESSAGE:\s*", re.IGNORECASE)


def clean_message(text: Any) -> str:
    """Return ``text`` without H2O's ``ERROR MESSAGE:`` banner and surrounding blank lines."""
    if text is None:
        return ""
    return _BANNER.sub("", str(text)).strip()


class H2OError(Exception):
    """Base class of every error raised by :mod:`h2odash.client`."""


class H2OConnectionError(H2OError):
    """No usable answer from the server: refused connection, timeout, DNS failure."""


class H2OServerError(H2OError):
    """The server answered with a non-2xx status.

    Parameters
    ----------
    http_status : int
        HTTP status of the response.
    msg : str
        Human message (``H2OErrorV3.msg`` without H2O's ``ERROR MESSAGE:`` banner),
        or the start of the body when the server did not answer with JSON.
    dev_msg : str
        Developer message (``H2OErrorV3.dev_msg``, cleaned the same way).
    exception_type : str or None
        Server-side exception class, e.g. ``water.exceptions.H2OKeyNotFoundArgumentException``.
    body : dict or str
        The decoded JSON body exactly as received, or the raw text for non-JSON answers.
    url : str, optional
        The URL of the request, for the message.
    """

    def __init__(self, http_status: int, msg: str, dev_msg: str = "", exception_type: str | None = None,
                 body: Any = None, url: str | None = None):
        self.http_status = http_status
        self.msg = msg
        self.dev_msg = dev_msg
        self.exception_type = exception_type
        self.body = body
        self.url = url
        where = f" ({url})" if url else ""
        super().__init__(f"HTTP {http_status}{where}: {msg}")

    @classmethod
    def from_response(cls, http_status: int, body: Any, url: str | None = None) -> "H2OServerError":
        """Build the most specific error class for ``http_status`` from a response body.

        ``body`` is an ``H2OErrorV3`` dict when the server followed H2O's conventions,
        otherwise any JSON value or plain text; it is stored as is, never modified.
        """
        error_class = _BY_STATUS.get(http_status, cls)
        if isinstance(body, dict):
            msg = clean_message(body.get("msg") or body.get("exception_msg") or "")
            dev_msg = clean_message(body.get("dev_msg") or "")
            exception_type = body.get("exception_type")
        else:
            msg, dev_msg, exception_type = str(body or "").strip()[:1000], "", None
        return error_class(http_status, msg or f"HTTP {http_status}", dev_msg, exception_type, body, url)


class H2OBadRequestError(H2OServerError):
    """HTTP 400: the server refused the parameters."""


class H2ONotFoundError(H2OServerError):
    """HTTP 404: no such frame, model, job or route."""


_BY_STATUS = {400: H2OBadRequestError, 404: H2ONotFoundError}


class H2OJobError(H2OError):
    """A job ended FAILED or CANCELLED.

    Parameters
    ----------
    job : dict
        The final ``JobV3`` dict; ``status``, ``exception`` and ``stacktrace`` come from it.
    """

    def __init__(self, job: dict):
        self.job = job
        self.status = job.get("status")
        self.exception = job.get("exception")
        self.job_id = (job.get("key") or {}).get("name")
        text = clean_message(self.exception) or "no exception text"
        super().__init__(f"job {self.job_id} ({job.get('description')}) {self.status}: {text}")


class H2OJobTimeoutError(H2OError, TimeoutError):
    """Waiting for a job took longer than the caller allowed; the job keeps running."""

    def __init__(self, job: dict, timeout: float):
        self.job = job
        self.timeout = timeout
        name = (job.get("key") or {}).get("name")
        super().__init__(f"job {name} still {job.get('status')} after {timeout:g} s "
                         f"(progress {job.get('progress')})")


class H2OImportError(H2OError):
    """ImportFiles answered but listed paths it could not import (its ``fails`` list)."""

    def __init__(self, fails: list, body: dict):
        self.fails = fails
        self.body = body
        super().__init__(f"could not import: {', '.join(map(str, fails))}")
