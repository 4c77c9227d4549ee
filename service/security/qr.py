"""QR codes drawn on the server as SVG (no script, no image fetched elsewhere)."""

from __future__ import annotations

import io

import segno


def svg(data: str, *, title: str) -> str:
    """An inline ``<svg>`` element for ``data``, sized by its viewBox."""
    out = io.BytesIO()
    segno.make(data, error="m").save(
        out, kind="svg", scale=4, border=2, xmldecl=False, svgns=True, title=title, nl=False
    )
    return out.getvalue().decode()
