"""Plumbing every service shares: database and unit of work, transactional
outbox and relay, idempotent inbox, reliable event consumption."""
