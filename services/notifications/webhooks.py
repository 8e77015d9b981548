"""Sending one signed webhook request. HTTP only: no database, no nameko.

The caller passes the body already serialised, so the bytes that are signed
are exactly the bytes that are sent."""
import time
from dataclasses import dataclass

import requests

from . import signing

USER_AGENT = "Parkmatch-Webhooks/1"


@dataclass(frozen=True)
class Outcome:
    status_code: int | None   # None: no HTTP response came back
    error: str | None         # why no response came back
    latency_ms: int


def post(url, body, message_id, secret, timeout, now=time.time):
    """POST `body` (JSON text) to `url`, signed with `secret`; never raises
    for network trouble, which is reported in the Outcome instead."""
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        **signing.webhook_headers(secret, message_id, int(now()), body),
    }
    started = time.monotonic()
    try:
        # Redirects are not followed: the partner registered this URL, and a
        # redirect could send the signed alert somewhere else. stream=True:
        # only the status matters, the response body is never read.
        response = requests.post(url, data=body.encode("utf-8"), headers=headers,
                                 timeout=timeout, allow_redirects=False, stream=True)
        response.close()
        return Outcome(response.status_code, None, _elapsed_ms(started))
    except requests.RequestException as exc:
        return Outcome(None, f"{type(exc).__name__}: {exc}"[:1000], _elapsed_ms(started))


def _elapsed_ms(started):
    return int((time.monotonic() - started) * 1000)
