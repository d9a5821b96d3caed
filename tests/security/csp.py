"""What a page must not contain or lack for its Content-Security-Policy to hold.

The policy (settings.CONTENT_SECURITY_POLICY) allows scripts from the site's own
files only. A page that still carries an inline script, an event-handler attribute or
a `javascript:` link would have that part silently blocked by the browser — a button
that does nothing — so the access matrix checks every HTML answer for them, and for
the header itself.
"""

from __future__ import annotations

from html.parser import HTMLParser

# <script> types a browser does not run: data for a script file to read.
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json", "text/template"}


class _InlineCode(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and not values.get("src"):
            kind = (values.get("type") or "").strip().lower()
            if kind not in DATA_SCRIPT_TYPES:
                self.found.append(f"inline <script id={values.get('id')!r}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name in {"href", "src", "action", "formaction"} and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:…>")


def inline_code(html: str) -> list[str]:
    """The inline scripts, handlers and javascript: URLs in an HTML page."""
    parser = _InlineCode()
    parser.feed(html)
    parser.close()
    return parser.found


def policy_problems(header: str | None) -> list[str]:
    """What is wrong with a Content-Security-Policy header for an HTML page."""
    if not header:
        return ["no Content-Security-Policy header"]
    directives = {
        name: rest
        for name, _space, rest in (part.strip().partition(" ") for part in header.split(";"))
        if name
    }
    scripts = directives.get("script-src", directives.get("default-src"))
    problems = []
    if scripts is None:
        problems.append("no script-src or default-src")
    elif "'unsafe-inline'" in scripts or "'unsafe-eval'" in scripts or "*" in scripts.split():
        problems.append(f"script-src {scripts}")
    if "frame-ancestors" not in directives:
        problems.append("no frame-ancestors")
    return problems


def csp_problems(response) -> list[str]:
    """For an HTML answer: a missing or weak policy, and inline code it would block."""
    if not response.get("Content-Type", "").startswith("text/html") or response.streaming:
        return []
    return policy_problems(response.get("Content-Security-Policy")) + inline_code(
        response.content.decode("utf-8", "replace")
    )
