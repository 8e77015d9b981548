"""No input produces a 500: schemathesis generates requests from the
gateway's own OpenAPI document (valid and invalid bodies, odd path ids,
stateful sequences) against the running system, as the operator."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import OPERATOR_KEY

pytestmark = pytest.mark.e2e

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


def test_generated_requests_never_get_a_server_error(system, tmp_path):
    run = subprocess.run(
        [str(SCHEMATHESIS), "run", f"{system.url}/api/openapi.json",
         "--checks", "not_a_server_error",
         "--max-examples", os.environ.get("PARKMATCH_FUZZ_EXAMPLES", "25"),
         "--seed", os.environ.get("PARKMATCH_FUZZ_SEED", "20261123"),
         "--request-timeout", "30", "--header", f"Authorization: Bearer {OPERATOR_KEY}"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path)
    summary = run.stdout[run.stdout.find("SUMMARY"):]
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "generated" in summary and "Server error" not in summary
