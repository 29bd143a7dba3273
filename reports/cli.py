"""CLI commands of the reports package (export, alerts, scheduler)."""

commands: list = []
