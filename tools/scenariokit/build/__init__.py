"""Compiling the repository into the SQLite index and the static site, atomically."""
