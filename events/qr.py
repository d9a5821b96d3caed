"""QR codes of check-in codes, drawn on the server with segno (pure Python, pinned):
SVG for pages (inline, as a data: URI the site's CSP allows) and PNG for emails
(attached, since mail programs show attachments where they block remote images)."""

from __future__ import annotations

import io

import segno


def _qr(text: str) -> segno.QRCode:
    # Level M survives a crease or a cracked phone screen.
    return segno.make(text, error="m", micro=False)


def svg_data_uri(text: str, *, scale: int = 6) -> str:
    return _qr(text).svg_data_uri(scale=scale, border=2)


def svg(text: str, *, scale: int = 6) -> str:
    buffer = io.BytesIO()
    _qr(text).save(buffer, kind="svg", scale=scale, border=2, xmldecl=False)
    return buffer.getvalue().decode()


def png(text: str, *, scale: int = 8) -> bytes:
    buffer = io.BytesIO()
    _qr(text).save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()
