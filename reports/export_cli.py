"""CLI: flask export."""

commands: list = []
