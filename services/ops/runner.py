"""Run one Parkmatch service as its own process."""
import warnings

warnings.filterwarnings("ignore", message="\nEventlet is deprecated")
import eventlet  # noqa: E402

eventlet.monkey_patch()  # noqa: E402  must precede every other import

import importlib  # noqa: E402
import logging  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402

from psycogreen.eventlet import patch_psycopg  # noqa: E402

from services.platform import migrations, settings  # noqa: E402

from .catalog import OWN_HTTP_ADDRESS, SERVICES, STATEFUL  # noqa: E402

log = logging.getLogger("parkmatch")


def _load(reference):
    module, _, attribute = reference.partition(":")
    return getattr(importlib.import_module(module), attribute)


def service_class(name):
    return _load(SERVICES[name])


def configure_logging():
    logging.basicConfig(
        level=settings.env("PARKMATCH_LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s [%(name)s] %(message)s",
        stream=sys.stdout,
    )


def run(name, migrate=True):
    """Migrate the service's database, then serve until SIGINT or SIGTERM."""
    from nameko.runners import ServiceRunner

    configure_logging()
    patch_psycopg()  # psycopg2 waits cooperatively instead of blocking the hub
    if migrate and name in STATEFUL:
        migrations.upgrade(name, settings.database_url(name))
    config = settings.nameko_config()
    if name in OWN_HTTP_ADDRESS:
        config["WEB_SERVER_ADDRESS"] = _load(OWN_HTTP_ADDRESS[name])()
    runner = ServiceRunner(config)
    runner.add_service(service_class(name))

    stopping = []

    def shutdown(signum, frame):
        if stopping:  # second signal: don't wait any longer
            eventlet.spawn_n(runner.kill)
            return
        stopping.append(signum)
        eventlet.spawn_n(runner.stop)

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    runner.start()
    log.info("%s started (broker %s)", name, _redacted(config["AMQP_URI"]))
    waiter = eventlet.spawn(runner.wait)
    while True:
        try:
            waiter.wait()
            break
        except OSError:
            continue  # EINTR from the signal arriving while the hub waited
    log.info("%s stopped", name)


def _redacted(uri):
    """The broker URI without its password, for logs."""
    if "@" not in uri:
        return uri
    scheme, rest = uri.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"
