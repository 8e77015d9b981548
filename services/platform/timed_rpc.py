"""RPC proxies with a deadline, for the HTTP front doors (gateway, web): a
service that does not answer in time becomes ServiceUnavailable (a 503 or
an error page) instead of holding the request for nameko's whole timeout."""
import eventlet

from services.contracts.errors import ServiceUnavailable

__all__ = ["ServiceUnavailable", "TimedServices"]


class _TimedCall:
    def __init__(self, method, timeout, label):
        self.method, self.timeout, self.label = method, timeout, label

    def __call__(self, *args, **kwargs):
        try:
            with eventlet.Timeout(self.timeout):
                return self.method(*args, **kwargs)
        except eventlet.Timeout:
            raise ServiceUnavailable(f"{self.label} did not answer within "
                                     f"{self.timeout:.0f}s") from None


class _TimedService:
    def __init__(self, proxy, timeout, name):
        self.proxy, self.timeout, self.name = proxy, timeout, name

    def __getattr__(self, method):
        return _TimedCall(getattr(self.proxy, method), self.timeout, self.name)


class TimedServices:
    """`owner.<name>` (nameko RpcProxy attributes) for each of `names`, each
    call bounded by `timeout` seconds."""

    def __init__(self, owner, names, timeout):
        for name in names:
            setattr(self, name, _TimedService(getattr(owner, name), timeout, name))
