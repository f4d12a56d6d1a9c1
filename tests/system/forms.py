"""The forms of a rendered page, read with the standard library's HTML parser."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    hidden: set[str] = field(default_factory=set)


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[Form] = []
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(
                Form(
                    action=attrs.get("action") or "",
                    method=(attrs.get("method") or "get").lower(),
                )
            )
            return
        if not self.forms:
            return
        form, name = self.forms[-1], attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind == "file":
                form.files.append(name)
            elif kind in ("submit", "button", "image", "reset"):
                return
            else:
                form.fields.setdefault(name, attrs.get("value") or "")
                if kind == "hidden":
                    form.hidden.add(name)
        elif tag == "textarea" and name:
            form.fields.setdefault(name, "")
        elif tag == "select" and name:
            form.fields.setdefault(name, "")
            self._select = name
        elif tag == "option" and self._select and not form.fields[self._select]:
            form.fields[self._select] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def page_forms(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms
