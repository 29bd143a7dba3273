"""Benchmarks (not run as tests): python -m benchmarks.excel."""
