"""Paragraphs out of markup bodies: ninjs `body_html`, NewsML-G2 inline XHTML or NITF.

Works on both stdlib ElementTree and lxml elements (same `tag`/`text`/`tail`/children API), and
never recurses, so a document nested 100,000 deep costs a loop, not a RecursionError.
"""

import re
from collections.abc import Callable
from typing import Any

import lxml.etree
import lxml.html

# Elements that end a line of text: each block's text is one paragraph. `<br>` too: wire copy
# uses `<br><br>` between paragraphs as often as `<p>`.
BREAKING_TAGS = frozenset(
    "p div section article header footer aside main body h1 h2 h3 h4 h5 h6 ul ol li dl dd dt "
    "blockquote pre figure figcaption table caption tr td th br hr hl1 hl2 block "
    "body.head body.content body.end".split()
)
# Markup that is never copy.
SKIPPED_TAGS = frozenset("script style head title noscript template iframe object media".split())

Element = Any  # xml.etree.ElementTree.Element or lxml.etree._Element: the same duck type


_WHITESPACE = re.compile(r"\s+")


def local_name(element: Element) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""  # lxml comments and processing instructions
    return tag.rsplit("}", 1)[-1].lower()


def paragraphs_of(root: Element) -> list[str]:
    """One paragraph per block of text under `root`, in document order."""
    return [line.strip() for line in text_of(root).split("\n") if line.strip()]


def html_paragraphs(fragment: str) -> list[str]:
    """Paragraphs of an HTML fragment given as a string (ninjs `body_html`)."""
    if not fragment.strip():
        return []
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (lxml.etree.LxmlError, ValueError):
        return []
    return paragraphs_of(root)


def text_of(root: Element, skip: Callable[[Element], bool] | None = None) -> str:
    """All text under `root` in document order, a line break around every block element.
    Subtrees for which `skip` is true are left out (their tails are kept: not theirs)."""
    if local_name(root) in SKIPPED_TAGS:
        return ""
    # Newlines in the source are just white space in markup; "\n" in the result marks blocks.
    parts: list[str] = [_flat(root.text)]
    # (element, True): emit the element and its subtree; (element, False): emit only its tail.
    stack: list[tuple[Element, bool]] = [(child, True) for child in reversed(list(root))]
    while stack:
        element, entering = stack.pop()
        if not entering:
            parts.append(element.tail if element is _LINE_BREAK else _flat(element.tail))
            continue
        name = local_name(element)
        breaking = name in BREAKING_TAGS
        stack.append((element, False))
        if breaking:
            parts.append("\n")
            stack.append((_LINE_BREAK, False))  # popped after the children: ends the block
        if name in SKIPPED_TAGS or not isinstance(element.tag, str):
            continue
        if skip is not None and skip(element):
            continue
        parts.append(_flat(element.text))
        stack.extend((child, True) for child in reversed(list(element)))
    return "".join(parts)


def _flat(text: str | None) -> str:
    return _WHITESPACE.sub(" ", text) if text else ""


class _LineBreak:
    """Stands in for an element whose tail is a line break, to close a block in `text_of`."""

    tail = "\n"


_LINE_BREAK = _LineBreak()
