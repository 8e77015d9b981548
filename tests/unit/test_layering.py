"""The layering rule: domain logic and contracts import no transport or
storage library, so they stay testable without a broker or a database."""
import ast
from pathlib import Path

import pytest

SERVICES = Path(__file__).resolve().parents[2] / "services"
FORBIDDEN = {"nameko", "kombu", "pika", "sqlalchemy", "eventlet", "amqp", "psycopg2"}
PURE_MODULES = sorted(SERVICES.glob("*/domain.py")) + sorted(SERVICES.glob("*/domain/*.py")) \
    + sorted((SERVICES / "contracts").glob("*.py")) \
    + [SERVICES / "platform" / name for name in ("lifecycle.py", "records.py")] \
    + [SERVICES / "gateway" / name for name in ("http_api.py", "routes.py", "openapi.py")]


def imported_roots(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module.split(".")[0]


@pytest.mark.parametrize("path", PURE_MODULES,
                         ids=lambda p: str(p.relative_to(SERVICES)))
def test_pure_module_imports_no_transport_or_storage(path):
    assert not FORBIDDEN & set(imported_roots(path))


def test_every_service_has_the_same_shape():
    for service in ("profiles", "matching", "notifications", "agreements"):
        for module in ("config.py", "domain.py", "schemas.py", "storage.py", "usecases.py",
                       "service.py", "migrations/env.py"):
            # a module may have grown into a package of the same name
            package = SERVICES / service / module.removesuffix(".py") / "__init__.py"
            assert (SERVICES / service / module).exists() or package.exists(), \
                f"{service}/{module}"
