"""Judging a file: the schema, the repository's rules, and diagnostics with their place."""
