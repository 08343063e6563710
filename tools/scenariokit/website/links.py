"""Page-relative links, for a site opened from a folder (`build --relative-links`).

Pages are rendered with root-relative addresses (`href="/categories/"`): this turns each one
into an address relative to the page (`href="../categories/index.html"` on a scenario's
page), so the site works unzipped from an artifact and from `file://`, where no server maps
a folder to its `index.html`: a link to a folder names its `index.html`. The scripts' base
(`data-base`) becomes the way up to the site's root (`.` on the home page, `../..` on a
scenario's), so what they fetch and link to is relative too.

Scripts are loaded only over http(s). From `file://`, Chromium refuses ES modules and
`fetch` (the origin is null): each `<script src>` becomes an inline script that writes the
same tag in its place (`document.write`, so it stays parser-inserted: deferred and in order
as before) unless the page is a file. From a folder, the pages, styles and links work and no
request fails; search, flashcards, the builder and Review need `python3 -m http.server`,
which the preview's banner says.

Only attributes and script tags are rewritten. A scenario's own words never reach either
unescaped: Jinja escapes every `"` and `<`, so a text can never start an `href="/` or a
`<script` of its own.
"""

from __future__ import annotations

import json
import re

# An attribute holding an address on the site (no scheme, not `//host/`, not `#part`).
_LOCAL = re.compile(
    r'(\s(?:href|src|action|data-api)=")(?![a-zA-Z][a-zA-Z0-9+.-]*:|//|#)([^"#?]*)([^"]*)"'
)
_BASE = ' data-base=""'
_SCRIPT = re.compile(r'<script\b[^>]*\ssrc="[^"]*"[^>]*></script>')


def relative_links(html: str, page: str) -> str:
    """`html`, the page written at `page` (relative to the site), with relative links.

    A root-relative address (`/categories/`) goes up to the root first; any address of a
    folder (`/categories/`, `./`) names its `index.html`. An address that is only a query
    or empty (`?blank`, the page itself) stays as it is.
    """
    up = "../" * page.count("/")

    def relative(match: re.Match[str]) -> str:
        attribute, path, rest = match.groups()
        if path.startswith("/"):
            path = up + path[1:]
            if path == "" or path.endswith("/"):
                path += "index.html"
        elif path.endswith("/"):
            path += "index.html"
        return f'{attribute}{path}{rest}"'

    html = _LOCAL.sub(relative, html).replace(_BASE, f' data-base="{up.rstrip("/") or "."}"')
    return _SCRIPT.sub(_served_only, html)


def _served_only(match: re.Match[str]) -> str:
    """A `<script src>` tag that is written only where the page is not a file."""
    tag = json.dumps(match.group(0)).replace("</", "<\\/")
    return f'<script>if (location.protocol !== "file:") document.write({tag});</script>'
