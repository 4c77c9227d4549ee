"""Mail templates: every message has a plain-text part and an HTML part, rendered from files.

``templates/<name>.txt`` opens with a ``Subject:`` line and a blank line, then the text body;
``templates/<name>.html`` is the HTML body, placed inside ``templates/layout.html``.
Placeholders are ``$key`` or ``${key}`` (:class:`string.Template`). In the HTML part every value
is HTML-escaped, quotes included. A missing key is an error, never a silent gap.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from string import Template

TEMPLATES_DIR = Path(__file__).with_name("templates")
LAYOUT = "layout.html"


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    text: str
    html: str


@dataclass(frozen=True, slots=True)
class MailTemplate:
    name: str
    subject: Template
    text: Template
    html: Template
    layout: Template

    @property
    def keys(self) -> frozenset[str]:
        """The context keys this template needs."""
        found: set[str] = set()
        for part in (self.subject, self.text, self.html):
            found.update(part.get_identifiers())
        return frozenset(found)

    def render(self, context: Mapping[str, str]) -> Rendered:
        missing = self.keys - context.keys()
        if missing:
            raise KeyError(f"{self.name}: missing {', '.join(sorted(missing))}")
        escaped = {key: html.escape(value, quote=True) for key, value in context.items()}
        subject = self.subject.substitute(context)
        body = self.html.substitute(escaped)
        page = self.layout.substitute(title=html.escape(subject, quote=True), body=body)
        return Rendered(subject=subject, text=self.text.substitute(context), html=page)


def _parse_text(name: str, source: str) -> tuple[Template, Template]:
    head, sep, body = source.partition("\n\n")
    if not sep or not head.startswith("Subject:") or "\n" in head:
        raise ValueError(f"{name}.txt must open with one 'Subject:' line and a blank line")
    return Template(head.removeprefix("Subject:").strip()), Template(body)


def load(directory: Path = TEMPLATES_DIR) -> dict[str, MailTemplate]:
    """Every ``<name>.txt`` with its ``<name>.html``, checked for valid placeholders."""
    layout = Template((directory / LAYOUT).read_text(encoding="utf-8"))
    templates: dict[str, MailTemplate] = {}
    for text_file in sorted(directory.glob("*.txt")):
        name = text_file.stem
        subject, text = _parse_text(name, text_file.read_text(encoding="utf-8"))
        html_part = Template(text_file.with_suffix(".html").read_text(encoding="utf-8"))
        template = MailTemplate(name, subject, text, html_part, layout)
        for part in (subject, text, html_part, layout):
            if not part.is_valid():
                raise ValueError(f"{name}: a placeholder is malformed")
        templates[name] = template
    return templates


TEMPLATES = load()
