"""`parkmatch up`: every service as its own process, a demo webhook receiver,
the reference data loaded through the API, then wait for Ctrl-C."""
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from services.platform import secretbox, settings

from . import demo
from .catalog import SERVICES

VAR = Path("var")
DEMO_MAILBOX_PORT = 8025


def _operator_key():
    key = settings.env("PARKMATCH_OPERATOR_KEY")
    if key:
        return key
    path = VAR / "operator-key"
    if not path.exists():
        path.write_text(f"op_{secrets.token_urlsafe(24)}")
        path.chmod(0o600)
    return path.read_text().strip()


def _secrets_key():
    """PARKMATCH_SECRETS_KEY, else the demo's own, made once in var/ (local
    demo only: a deployment sets the variable; docs/decisions.md)."""
    key = settings.env(secretbox.KEY_VARIABLE)
    if key:
        return key
    path = VAR / "secrets-key"
    if not path.exists():
        path.write_text(secretbox.new_key_text())
        path.chmod(0o600)
    return path.read_text().strip()


def _start(args, log_path, env):
    log_file = open(log_path, "ab")
    return subprocess.Popen(args, stdout=log_file, stderr=subprocess.STDOUT, env=env,
                            start_new_session=True)


def _wait_for_gateway(url, processes, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name, process in processes.items():
            if process.poll() is not None:
                raise SystemExit(f"{name} exited with {process.returncode}; see var/log/{name}.log")
        try:
            if requests.get(f"{url}/health", timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the gateway did not answer on {url} within {timeout}s")


def stop_all(processes):
    for process in processes.values():
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)  # SIGINT stops nameko in ~2 s
    deadline = time.monotonic() + 20
    for process in processes.values():
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def _port_taken(port):
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def up(args):
    for port in (args.port, args.receiver_port, DEMO_MAILBOX_PORT):
        if _port_taken(port):
            raise SystemExit(f"port {port} is already in use (another Parkmatch running?); "
                             "stop it or pick another with --port / --receiver-port")
    signal.signal(signal.SIGTERM, _interrupt)  # stop the children on SIGTERM too
    if args.fresh and (VAR / "data").exists():
        shutil.rmtree(VAR / "data")
    (VAR / "log").mkdir(parents=True, exist_ok=True)
    (VAR / "data").mkdir(parents=True, exist_ok=True)
    operator_key = _operator_key()
    env = dict(_demo_environment(args, operator_key), PARKMATCH_SECRETS_KEY=_secrets_key())
    secrets_file = VAR / "demo-webhook-secrets.json"
    processes = _start_demo_helpers(args, env, secrets_file)
    for name in SERVICES:
        processes[name] = _start([sys.executable, "-m", "services.ops.cli", "run", name],
                                 VAR / "log" / f"{name}.log", env)
    try:
        url = f"http://127.0.0.1:{args.port}"
        _wait_for_gateway(url, processes)
        print(f"all services up; logs in {VAR / 'log'}", flush=True)
        if not args.no_demo:
            demo.load(url, operator_key, receiver_url=f"http://127.0.0.1:{args.receiver_port}",
                      secrets_file=secrets_file)
        web_url = env.get("PARKMATCH_WEB_URL") or "http://127.0.0.1:8080"
        print(f"""
Parkmatch is running at {url}  (OpenAPI: {url}/api/openapi.json)
Operator key: export PARKMATCH_OPERATOR_KEY={operator_key}
Web app: {web_url}  (sign in with a demo address above; the link is printed here)
Alerts the demo partners receive, and every e-mail, are printed here as they arrive.
Try the walk-through in README.md ("Use it"). Ctrl-C stops everything.
""", flush=True)
        while all(p.poll() is None for p in processes.values()):
            time.sleep(1)
        dead = [name for name, p in processes.items() if p.poll() is not None]
        print(f"stopping: {', '.join(dead)} exited; see var/log/", flush=True)
    except KeyboardInterrupt:
        print("\nstopping…", flush=True)
    finally:
        stop_all(processes)


def _demo_environment(args, operator_key):
    return dict(os.environ,
                PARKMATCH_OPERATOR_KEY=operator_key,
                PARKMATCH_DATA_DIR=str((VAR / "data").resolve()),
                PARKMATCH_HTTP_ADDRESS=f"127.0.0.1:{args.port}",
                # the demo webhook receiver listens on 127.0.0.1 (local demo only)
                PARKMATCH_WEBHOOK_ALLOW_LOOPBACK=os.environ.get(
                    "PARKMATCH_WEBHOOK_ALLOW_LOOPBACK", "1"),
                # e-mail goes to the demo mailbox, which prints it, unless a real
                # SMTP server is configured
                PARKMATCH_SMTP_HOST=os.environ.get("PARKMATCH_SMTP_HOST", "127.0.0.1"),
                PARKMATCH_SMTP_PORT=os.environ.get("PARKMATCH_SMTP_PORT",
                                                   str(DEMO_MAILBOX_PORT)),
                # who may sign in to the web app as the operator (demo only)
                PARKMATCH_OPERATOR_EMAILS=os.environ.get("PARKMATCH_OPERATOR_EMAILS",
                                                         "operator@demo.parkmatch.example"),
                PYTHONUNBUFFERED="1")


def _start_demo_helpers(args, env, secrets_file):
    """The demo's webhook receiver, and its mailbox unless real SMTP is set."""
    python = sys.executable
    processes = {
        "receiver": subprocess.Popen(
            [python, "-m", "services.ops.cli", "demo", "receiver",
             "--port", str(args.receiver_port), "--secrets-file", str(secrets_file)],
            env=env, start_new_session=True),
    }
    if "PARKMATCH_SMTP_HOST" not in os.environ:
        processes["mailbox"] = subprocess.Popen(
            [python, "-m", "services.ops.demo_mailbox", "--port", str(DEMO_MAILBOX_PORT)],
            env=env, start_new_session=True)
    return processes
