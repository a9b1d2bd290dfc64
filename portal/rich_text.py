"""Formatted text written by organisations (a campaign's story, its updates), made safe to show.

Plain text becomes paragraphs; HTML keeps only a small set of tags, and links only to
http, https and mailto addresses, marked ``rel="nofollow noopener"``. Everything else is
stripped by nh3 (scripts and styles with their content, event handlers, styles, images).
"""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

import nh3
from markupsafe import Markup

TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "h3", "blockquote"}
ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow noopener"

# Text with something that looks like a tag or a comment is read as HTML; anything else as plain text.
_LOOKS_LIKE_HTML = re.compile(r"<\s*/?\s*[a-zA-Z!]")
_BLANK_LINE = re.compile(r"\n[ \t]*\n+")
# HTML without any block of its own (a few <strong> words in plain text) still gets its paragraphs.
_EMPTY_PARAGRAPH = re.compile(r"<p>(\s|<br>)*</p>")
_HAS_BLOCKS = re.compile(r"<\s*(p|ul|ol|h[1-6]|blockquote|div|table|pre)\b", re.IGNORECASE)


def sanitise(text: str | None) -> Markup:
    """Safe HTML for `text`: plain text as paragraphs, or HTML with only the allowed tags."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip()
    if not text:
        return Markup("")
    if not _LOOKS_LIKE_HTML.search(text):
        return Markup(_paragraphs(text, escape))
    if not _HAS_BLOCKS.search(text):
        text = _paragraphs(text, str)
    cleaned = nh3.clean(
        text,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        url_relative="deny",
        link_rel=LINK_REL,
        strip_comments=True,
    )
    return Markup(_EMPTY_PARAGRAPH.sub("", _without_empty_links(cleaned)).strip())


def has_text(html: str) -> bool:
    """Whether sanitised HTML says anything once its tags are gone."""
    return bool(re.sub(r"<[^>]*>|&nbsp;|\s", "", html))


def _paragraphs(text: str, quote) -> str:
    """Blank lines separate paragraphs, a single line break stays a line break."""
    blocks = (block.strip() for block in _BLANK_LINE.split(text))
    return "\n".join(f"<p>{'<br>'.join(quote(line.strip()) for line in block.splitlines())}</p>" for block in blocks)


class _LinkUnwrapper(HTMLParser):
    """Re-emit nh3's (well-formed) output, keeping the text of links whose address was
    refused: an `a` with no `href` is not a link, and its `rel` would be invalid HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.dropped: list[bool] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            keep = any(name == "href" for name, _ in attrs)
            self.dropped.append(not keep)
            if not keep:
                return
        self.out.append(self.get_starttag_text())

    def handle_startendtag(self, tag, attrs):
        self.out.append(self.get_starttag_text())

    def handle_endtag(self, tag):
        if tag == "a" and self.dropped and self.dropped.pop():
            return
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        self.out.append(data)

    def handle_entityref(self, name):
        self.out.append(f"&{name};")

    def handle_charref(self, name):
        self.out.append(f"&#{name};")


def _without_empty_links(html: str) -> str:
    if "<a " not in html:
        return html
    parser = _LinkUnwrapper()
    parser.feed(html)
    parser.close()
    return "".join(parser.out)
