"""Allocation rounds (issue #3 §6), grouped like a service of their own:
`domain` holds the rules (plain Python), `usecases` reads and stores,
`schemas` says what the RPC methods accept and return."""
