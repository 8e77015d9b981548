"""The one public HTTP API; calls the owning services over RPC."""
