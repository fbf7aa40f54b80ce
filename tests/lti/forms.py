"""Read a form out of an HTML page (what a browser would submit)."""

from __future__ import annotations

from html.parser import HTMLParser


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        data = dict(attrs)
        if tag == "form":
            self.forms.append({"action": data.get("action"), "fields": {}})
        elif tag == "input" and self.forms and data.get("name"):
            if data.get("type") in {"checkbox", "radio"} and "checked" not in data:
                return  # a browser sends unchecked boxes not at all
            self.forms[-1]["fields"][data["name"]] = data.get("value") or ""


def forms(html: bytes | str) -> list[dict]:
    parser = _FormParser()
    parser.feed(html.decode() if isinstance(html, bytes) else html)
    return parser.forms
