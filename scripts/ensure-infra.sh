#!/usr/bin/env bash
# Make sure RabbitMQ (with its management API) and PostgreSQL answer on this
# machine; start them if they are installed but stopped. Exits non-zero, saying
# what is missing, if that is not possible.
set -uo pipefail

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() { for _ in $(seq 1 "${2:-60}"); do port_open "$1" && return 0; sleep 1; done; return 1; }

if ! port_open 5672; then
  if command -v rabbitmq-server >/dev/null; then
    echo "starting RabbitMQ…"
    rabbitmq-server -detached >/dev/null 2>&1 || true
    wait_port 5672 90 || { echo "RabbitMQ did not come up on 5672" >&2; exit 1; }
  else
    echo "RabbitMQ is not running on 127.0.0.1:5672 and rabbitmq-server is not installed" \
         "(apt-get install rabbitmq-server, or run deploy/docker-compose.yml)" >&2
    exit 1
  fi
fi

if ! port_open 15672; then
  if command -v rabbitmq-plugins >/dev/null; then
    echo "enabling rabbitmq_management (tests create a vhost per test through it)…"
    rabbitmq-plugins enable rabbitmq_management >/dev/null
    wait_port 15672 60 || { echo "RabbitMQ management API did not come up on 15672" >&2; exit 1; }
  else
    echo "RabbitMQ management API (port 15672) is off and rabbitmq-plugins is missing" >&2
    exit 1
  fi
fi

if [ "${PARKMATCH_NEED_POSTGRES:-1}" = "1" ] && ! port_open 5432; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    echo "starting PostgreSQL…"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    wait_port 5432 60 || { echo "PostgreSQL did not come up on 5432" >&2; exit 1; }
  else
    echo "PostgreSQL is not running on 127.0.0.1:5432 and no cluster is installed" >&2
    exit 1
  fi
fi
echo "infrastructure ready: RabbitMQ 5672 (+15672)$( [ "${PARKMATCH_NEED_POSTGRES:-1}" = 1 ] && echo ', PostgreSQL 5432')"
