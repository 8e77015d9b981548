"""Errors that cross the RPC boundary between a service and the gateway.

They carry structured, JSON-ready arguments so the gateway can turn them into
the right HTTP status and body (registered with nameko by
`services.platform.rpc_errors`, so RPC callers get the same class back)."""


class ParkmatchError(Exception):
    status = 400

    def __init__(self, message, details=None):
        # nameko stringifies None arguments on the way back: leave them out.
        super().__init__(*((message,) if details is None else (message, details)))
        self.message = message
        self.details = details

    def __str__(self):
        return self.message

    def to_body(self):
        body = {"error": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body

    @property
    def code(self):
        return type(self).__name__


class InvalidInput(ParkmatchError):
    """`details` maps each bad field to the reasons it was refused."""
    status = 422

    def __init__(self, details, message="the request has invalid fields"):
        super().__init__(message, details)
        self.args = (details, message)  # the order nameko passes back in


class NotFound(ParkmatchError):
    status = 404


class Unauthenticated(ParkmatchError):
    status = 401


class Forbidden(ParkmatchError):
    status = 403


class Conflict(ParkmatchError):
    status = 409


class Gone(ParkmatchError):
    """A one-time link that was used already or has expired."""
    status = 410


class TooManyRequests(ParkmatchError):
    """`details` name the limit that was hit and `retry_after` (whole seconds)."""
    status = 429
    NUMBERS = ("retry_after", "max_requests", "window_seconds")

    def __init__(self, message, details=None):
        # nameko sends error arguments as text: numbers come back as strings
        if details:
            details = {key: int(value) if key in self.NUMBERS and str(value).isdigit()
                       else value for key, value in details.items()}
        super().__init__(message, details)

    @property
    def retry_after(self):
        return (self.details or {}).get("retry_after")


ALL = (ParkmatchError, InvalidInput, NotFound, Unauthenticated, Forbidden, Conflict, Gone,
       TooManyRequests)


class ServiceUnavailable(Exception):
    """An owning service did not answer in time (raised by the front doors'
    timed RPC proxies; not a ParkmatchError: nothing was refused, so callers
    answer 503 and may retry)."""
