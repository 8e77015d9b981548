"""The demo's mailbox: a local SMTP server (aiosmtpd) that prints every
e-mail Parkmatch sends — sign-in links, invitations, alerts — to the
terminal, so a newcomer can sign in to the web app without a mail server.
Local demo only: it listens on 127.0.0.1 and keeps nothing.

    python -m services.ops.demo_mailbox --port 8025
"""
import argparse
import email
import email.policy
import time


def printable(raw):
    """The lines of one message worth printing: who, what, and its text part."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    part = message.get_body(preferencelist=("plain",))
    text = part.get_content().strip() if part is not None else ""
    return [f"[mail to {message['To']}] {message['Subject']}",
            *(f"    {line}" for line in text.splitlines())]


def serve(port):
    from aiosmtpd.controller import Controller

    class PrintEach:
        async def handle_DATA(self, server, session, envelope):
            print("\n".join(printable(envelope.original_content or envelope.content)),
                  flush=True)
            return "250 OK"

    controller = Controller(PrintEach(), hostname="127.0.0.1", port=port)
    controller.start()
    print(f"demo mailbox on smtp://127.0.0.1:{port}: e-mails are printed here", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8025)
    serve(parser.parse_args(argv).port)


if __name__ == "__main__":
    main()
