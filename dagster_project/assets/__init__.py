"""Assets, one module per domain; each module's assets share a group named after it."""
