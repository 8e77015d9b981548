"""Operator tooling: the `parkmatch` command."""
