"""A real local SMTP server (aiosmtpd) for e-mail tests, run as its own
process (aiosmtpd's asyncio loop and the tests' eventlet monkey-patching do
not share a process well). Each message it accepts is written to a file;
`SmtpSink.messages()` parses them back.

    python -m tests.smtp_sink --port 2525 --dir /tmp/mail
"""
import argparse
import email
import email.policy
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _serve(port, directory):
    from aiosmtpd.controller import Controller

    class Keep:
        count = 0

        async def handle_DATA(self, server, session, envelope):
            Keep.count += 1
            name = Path(directory) / f"{time.time_ns()}-{Keep.count}.eml"
            tmp = name.with_suffix(".tmp")
            tmp.write_bytes(envelope.original_content or envelope.content)
            os.replace(tmp, name)
            return "250 OK"

    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


class SmtpSink:
    def __init__(self, directory):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.smtp_sink", "--port", str(self.port),
             "--dir", str(self.directory)], cwd=ROOT, start_new_session=True)
        deadline = time.monotonic() + 20
        while True:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    break
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError("the local SMTP server did not start")
            time.sleep(0.05)

    def env(self):
        return {"PARKMATCH_SMTP_HOST": "127.0.0.1", "PARKMATCH_SMTP_PORT": str(self.port),
                "PARKMATCH_SMTP_FROM": "Parkmatch <alerts@parkmatch.test>"}

    def messages(self):
        """Every message received so far, oldest first, as EmailMessage."""
        return [email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
                for path in sorted(self.directory.glob("*.eml"),
                                   key=lambda p: int(p.name.split("-")[0]))]

    def close(self):
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture
def smtp_sink(tmp_path):
    sink = SmtpSink(tmp_path / "mail")
    yield sink
    sink.close()


def parts_of(message):
    """(plain text, HTML) of a multipart/alternative message."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    arguments = parser.parse_args()
    _serve(arguments.port, arguments.dir)
