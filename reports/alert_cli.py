"""CLI: flask alerts run, flask scheduler."""

commands: list = []
