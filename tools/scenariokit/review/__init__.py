"""Reviewing a pull request: what it changes, who may change it, and the report."""
