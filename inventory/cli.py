"""CLI commands of the inventory package (import)."""

commands: list = []
