"""The site's settings: its base address and the repository's, and their fingerprint."""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import urlsplit

import orjson

from scenariokit import __version__
from scenariokit.files.git import repository_url
from scenariokit.website.pages import (
    SiteContext,
)
from scenariokit.website.theme import fingerprint


def site_context(root: Path, base_url: str) -> SiteContext:
    """What every page is rendered with: where the site lives, and its repository's address."""
    parts = urlsplit(base_url)
    base = parts.path.rstrip("/")
    site_url = f"{parts.scheme}://{parts.netloc}{base}" if parts.scheme and parts.netloc else ""
    repository, branch = repository_url(root)
    return SiteContext(
        base=base,
        site_url=site_url,
        repository_url=repository,
        branch=branch,
    )


def context_fingerprint(context: SiteContext) -> str:
    """Everything every page depends on: a change rebuilds every page."""
    inputs = orjson.dumps([context, fingerprint(), __version__])
    return hashlib.sha256(inputs).hexdigest()
