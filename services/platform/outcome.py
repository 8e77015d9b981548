"""What one attempt to send something (a webhook, an e-mail) got back."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    status_code: int | None   # None: no response came back
    error: str | None         # why no response came back
    latency_ms: int
