"""`parkmatch`: run services and operate the broker.

  parkmatch run SERVICE              run one service (migrates its database first)
  parkmatch up                       the whole system with demo data (see README)
  parkmatch migrate [SERVICE ...]    apply database migrations
  parkmatch topology                 declare exchanges and queues
  parkmatch queues                   queue depths and consumer counts
  parkmatch dead-letters list        show dead letters (all consumers or --consumer)
  parkmatch dead-letters replay --consumer C [--event-id ID]
  parkmatch relay SERVICE            publish a service's outbox from its own process
  parkmatch demo load --url URL      load the reference data through the HTTP API
  parkmatch demo receiver --port N   a webhook receiver that prints verified alerts
  parkmatch allocate [--demand ID ...] [--park ID]
                                     run an allocation round through the HTTP API (operator)
"""
import argparse
import json
import sys


def _cmd_run(args):
    from . import runner
    runner.run(args.service, migrate=not args.no_migrate)


def _cmd_migrate(args):
    from services.platform import migrations, settings

    from .catalog import STATEFUL
    unknown = set(args.services) - set(STATEFUL)
    if unknown:
        sys.exit(f"unknown service(s) {sorted(unknown)}; one of {', '.join(STATEFUL)}")
    for service in args.services or STATEFUL:
        migrations.upgrade(service, settings.database_url(service))
        print(f"{service}: migrated")


def _cmd_topology(args):
    from services.platform import broker, settings
    connection = broker.connect(settings.amqp_uri())
    try:
        broker.declare_topology(connection.channel())
    finally:
        connection.close()
    print("topology declared")


def _cmd_queues(args):
    from services.platform import broker, settings
    rows = broker.queue_depths(settings.amqp_uri())
    width = max(len(name) for name, _, _ in rows)
    print(f"{'queue'.ljust(width)}  messages  consumers")
    for name, messages, consumers in rows:
        print(f"{name.ljust(width)}  {messages:8d}  {consumers:9d}")


def _cmd_dead_letters(args):
    from services.contracts.topology import CONSUMERS
    from services.platform import broker, settings
    if args.consumer and args.consumer not in CONSUMERS:
        sys.exit(f"unknown consumer {args.consumer!r}; one of: {', '.join(CONSUMERS)}")
    if args.action == "list":
        letters = broker.list_dead_letters(settings.amqp_uri(),
                                           [args.consumer] if args.consumer else None)
        for letter in letters:
            print(json.dumps(letter, ensure_ascii=False, default=str))
        print(f"{len(letters)} dead letter(s)", file=sys.stderr)
    else:
        if not args.consumer:
            sys.exit("replay needs --consumer")
        replayed = broker.replay_dead_letters(settings.amqp_uri(), args.consumer,
                                              args.event_id)
        for letter in replayed:
            print(json.dumps(letter, ensure_ascii=False, default=str))
        print(f"{len(replayed)} dead letter(s) replayed", file=sys.stderr)


def _cmd_relay(args):
    import time

    from services.platform import settings
    from services.platform.db import Database
    from services.platform.relay import OutboxRelay
    relay = OutboxRelay(Database(settings.database_url(args.service), args.service),
                        settings.amqp_uri())
    print(f"relaying the {args.service} outbox; Ctrl-C to stop", file=sys.stderr)
    try:
        relay.run_forever(wait=lambda: time.sleep(args.interval))
    except KeyboardInterrupt:
        relay.close()


def _cmd_demo(args):
    from . import demo
    if args.action == "load":
        demo.load(args.url, args.operator_key, receiver_url=args.receiver_url,
                  secrets_file=args.secrets_file)
    else:
        demo.serve_receiver(args.port, args.secrets_file)


def _cmd_up(args):
    from . import supervisor
    supervisor.up(args)


def _cmd_allocate(args):
    from . import allocate
    sys.exit(allocate.run(args.demand, args.park, lang=args.lang, url=args.url,
                          operator_key=args.operator_key, as_json=args.json))


def build_parser():
    parser = argparse.ArgumentParser(prog="parkmatch", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    # in the order `parkmatch --help` lists them
    _add_run(commands)
    _add_migrate(commands)
    _add_broker_commands(commands)
    _add_relay(commands)
    _add_demo(commands)
    _add_up(commands)
    _add_allocate(commands)
    return parser


def _add_run(commands):
    from .catalog import SERVICES
    run = commands.add_parser("run", help="run one service")
    run.add_argument("service", choices=sorted(SERVICES))
    run.add_argument("--no-migrate", action="store_true")
    run.set_defaults(func=_cmd_run)


def _add_migrate(commands):
    from .catalog import STATEFUL
    migrate = commands.add_parser("migrate", help="apply database migrations")
    migrate.add_argument("services", nargs="*", metavar="SERVICE",
                         help=f"any of {', '.join(STATEFUL)}; default all")
    migrate.set_defaults(func=_cmd_migrate)


def _add_broker_commands(commands):
    """topology, queues and dead-letters."""
    commands.add_parser("topology", help="declare exchanges and queues").set_defaults(
        func=_cmd_topology)
    commands.add_parser("queues", help="queue depths").set_defaults(func=_cmd_queues)

    dead = commands.add_parser("dead-letters", help="list or replay dead letters")
    dead.add_argument("action", choices=("list", "replay"))
    dead.add_argument("--consumer")
    dead.add_argument("--event-id")
    dead.set_defaults(func=_cmd_dead_letters)


def _add_relay(commands):
    from .catalog import STATEFUL
    relay = commands.add_parser("relay", help="publish a service's outbox")
    relay.add_argument("service", choices=STATEFUL)
    relay.add_argument("--interval", type=float, default=0.5)
    relay.set_defaults(func=_cmd_relay)


def _add_demo(commands):
    demo = commands.add_parser("demo", help="demo data and a webhook receiver")
    demo.add_argument("action", choices=("load", "receiver"))
    demo.add_argument("--url", default="http://127.0.0.1:8000")
    demo.add_argument("--operator-key", default=None,
                      help="defaults to $PARKMATCH_OPERATOR_KEY")
    demo.add_argument("--port", type=int, default=8099)
    demo.add_argument("--receiver-url", default="http://127.0.0.1:8099",
                      help="where demo partners' webhooks point")
    demo.add_argument("--secrets-file", default=None,
                      help="JSON file of the demo partners' webhook secrets "
                           "(written by `load`, read by `receiver`)")
    demo.set_defaults(func=_cmd_demo)


def _add_up(commands):
    up = commands.add_parser("up", help="run the whole system with demo data")
    up.add_argument("--port", type=int, default=8000, help="gateway HTTP port")
    up.add_argument("--receiver-port", type=int, default=8099)
    up.add_argument("--no-demo", action="store_true", help="start empty")
    up.add_argument("--fresh", action="store_true", help="delete the local SQLite data first")
    up.set_defaults(func=_cmd_up)


def _add_allocate(commands):
    allocate = commands.add_parser(
        "allocate", help="run an allocation round through the HTTP API (operator key)")
    allocate.add_argument("--demand", action="append", metavar="ID",
                          help="only this demand (repeat for more); default every open demand")
    allocate.add_argument("--park", metavar="ID", help="only this park's demands")
    allocate.add_argument("--lang", choices=("en", "ko", "zh"), default="en",
                          help="language of the why-not texts")
    allocate.add_argument("--url", default=None,
                          help="the gateway; default $PARKMATCH_API_URL, else "
                               "$PARKMATCH_HTTP_ADDRESS, else http://127.0.0.1:8000")
    allocate.add_argument("--operator-key", default=None,
                          help="defaults to $PARKMATCH_OPERATOR_KEY")
    allocate.add_argument("--json", action="store_true", help="print the round as JSON")
    allocate.set_defaults(func=_cmd_allocate)


def main(argv=None):
    args = build_parser().parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
