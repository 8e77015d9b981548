"""The layering rule: domain logic, contracts and the other pure modules
import no transport or storage library, nor their own service's storage,
use cases or entrypoints, so they stay testable without a broker or a
database."""
import ast
from pathlib import Path

import pytest

SERVICES = Path(__file__).resolve().parents[2] / "services"
FORBIDDEN = {"nameko", "kombu", "pika", "sqlalchemy", "eventlet", "amqp", "psycopg2",
             "alembic", "urllib3", "requests", "smtplib"}
# modules of a service that a pure module must not reach into (they hold
# transport or storage)
IMPURE_SIBLINGS = {"storage", "service", "usecases", "migrations", "nameko_ext", "db",
                   "outbox", "relay", "inbox", "broker"}

PURE_GLOBS = (
    "*/domain.py", "*/domain/*.py", "contracts/*.py",
    "gateway/http_api.py", "gateway/routes.py", "gateway/route_spec.py", "gateway/openapi.py",
    "gateway/sectors.py", "gateway/request_body.py",
    "matching/engine.py", "matching/vectorised.py", "matching/messages.py",
    "matching/allocation/domain.py",
    "notifications/templates.py", "notifications/signing.py",
    "platform/clock.py", "platform/lifecycle.py", "platform/records.py", "platform/i18n.py",
    "platform/outcome.py", "platform/pages.py", "platform/time_zones.py",
    "web/pages/*.py",
)
PURE_MODULES = sorted({path for pattern in PURE_GLOBS for path in SERVICES.glob(pattern)})


def imported_names(path):
    """(absolute roots, relative module names) imported by the module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots, relative = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
            relative |= {part for alias in node.names for part in alias.name.split(".")}
        elif isinstance(node, ast.ImportFrom):
            parts = (node.module or "").split(".")
            if node.level == 0:
                roots.add(parts[0])
            relative |= set(parts) | {alias.name for alias in node.names}
    return roots, relative


def imported_roots(path):
    return imported_names(path)[0]


def test_the_pure_module_list_is_not_empty_and_covers_every_domain():
    assert len(PURE_MODULES) > 30
    for service in ("profiles", "matching", "notifications", "agreements", "accounts"):
        assert any(service in path.parts for path in PURE_MODULES), service


@pytest.mark.parametrize("path", PURE_MODULES, ids=lambda p: str(p.relative_to(SERVICES)))
def test_pure_module_imports_no_transport_or_storage(path):
    roots, names = imported_names(path)
    assert not FORBIDDEN & roots
    assert not IMPURE_SIBLINGS & names, f"{path.name} reaches into {IMPURE_SIBLINGS & names}"


def test_every_service_has_the_same_shape():
    for service in ("profiles", "matching", "notifications", "agreements", "accounts"):
        for module in ("config.py", "domain.py", "schemas.py", "storage.py", "usecases.py",
                       "service.py", "migrations/env.py"):
            # a module may have grown into a package of the same name
            package = SERVICES / service / module.removesuffix(".py") / "__init__.py"
            assert (SERVICES / service / module).exists() or package.exists(), \
                f"{service}/{module}"
