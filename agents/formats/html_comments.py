"""The reader-comment thread of an HTML page, one `DraftComment` per comment, threaded.

trafilatura returns a page's comments as one block of text: no boundaries between comments, no
authors, times or replies (on seeds/012_html_site.html: 5 lines for 4 comments, 0 authors, 0
times, 0 replies). This reads the markup that comment systems actually emit — WordPress
(`li.comment` / `ol.children`), schema.org `Comment` microdata, generic `.comment` blocks with
`id="comment-123"` — and the HTML reader falls back to trafilatura's text when a page has none.
"""

import re

from lxml.html import HtmlElement

from agents.formats.dates import normalise_datetime
from agents.formats.document import DraftComment
from agents.formats.markup import text_of

# An element is one comment when its class list has one of these tokens, its id looks like
# "comment-123", or it is schema.org Comment microdata.
_ITEM_CLASSES = frozenset(
    "comment comment-item commentitem comments__item comment-thread-item c-comment "
    "js-comment reader-comment user-comment".split()
)
_ITEM_ID = re.compile(r"^(?:comment|li-comment|div-comment)[-_]?\d+$", re.IGNORECASE)
_CANDIDATES = (
    "//*[contains(@class, 'omment') or contains(@id, 'omment')"
    " or contains(@itemtype, 'schema.org/Comment')]"
)
_CONTENT = (
    ".//*[@itemprop='text' or contains(@class, 'comment-content')"
    " or contains(@class, 'comment-text') or contains(@class, 'comment__text')"
    " or contains(@class, 'comment-message') or contains(@class, 'comment__body')]"
)
# Inside a comment: who, when, and what is not the comment's text.
_AUTHOR_CLASSES = frozenset("fn comment-author author username user-name commenter".split())
_TIME_CLASSES = frozenset("comment-date comment-time date timestamp".split())
_META_CLASSES = (
    frozenset(
        "comment-meta comment-metadata comment-author vcard reply comment-reply-link says "
        "comment-actions comment-footer comment-header".split()
    )
    | _TIME_CLASSES
)
_META_TAGS = frozenset({"footer", "header", "time", "cite", "button", "form", "script", "style"})
_SAYS = re.compile(r"\s*(?:says|said|wrote|dit|schreibt|dice|пишет|yazdı|يقول|كتب)\s*:?\s*$")
MAX_COMMENTS = 10_000  # more is not a comment thread; the parse stage's cap refuses it anyway


def comment_thread(tree: HtmlElement) -> list[DraftComment]:
    items = [e for e in tree.xpath(_CANDIDATES) if _is_item(e)][: MAX_COMMENTS + 1]
    slot: dict[int, int] = {}  # id(item element) → index in `comments`
    comments: list[DraftComment] = []
    for item in items:
        text = _comment_text(item)
        if not text:
            continue  # a wrapper around the real comment, or an empty one
        published_at, label = _time(item)
        parent = _enclosing_comment(item, slot)
        slot[id(item)] = len(comments)
        comments.append(
            DraftComment(
                text=text,
                id=(item.get("id") or item.get("data-comment-id") or "").strip()[:200] or None,
                author=_author(item),
                published_at=published_at,
                published_label=label,
                parent_index=parent,
            )
        )
    return comments


def _classes(element: HtmlElement) -> set[str]:
    return set((element.get("class") or "").lower().split())


def _is_item(element: HtmlElement) -> bool:
    if "schema.org/Comment" in (element.get("itemtype") or ""):
        return True
    return bool(_classes(element) & _ITEM_CLASSES) or bool(_ITEM_ID.match(element.get("id") or ""))


def _is_meta(element: HtmlElement) -> bool:
    return element.tag in _META_TAGS or bool(_classes(element) & _META_CLASSES)


def _enclosing_comment(item: HtmlElement, slot: dict[int, int]) -> int | None:
    """The nearest ancestor that became a comment: the one this item replies to."""
    ancestor = item.getparent()
    while ancestor is not None:
        if (index := slot.get(id(ancestor))) is not None:
            return index
        ancestor = ancestor.getparent()
    return None


def _owner(element: HtmlElement) -> HtmlElement | None:
    ancestor = element.getparent()
    while ancestor is not None and not _is_item(ancestor):
        ancestor = ancestor.getparent()
    return ancestor


def _comment_text(item: HtmlElement) -> str:
    """The comment's own text: its `.comment-content`-like element if it has one, else the
    item's text without metadata and without nested comments (replies are their own)."""
    content = [c for c in item.xpath(_CONTENT) if _owner(c) is item]
    root = content[0] if content else item
    text = text_of(root, skip=lambda e: _is_item(e) or _is_meta(e))
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _own_elements(item: HtmlElement) -> list[HtmlElement]:
    """The item's elements up to its first reply: where its author and time are."""
    own = []
    for element in item.iterdescendants():
        if _is_item(element):
            break
        if isinstance(element.tag, str):
            own.append(element)
    return own


def _author(item: HtmlElement) -> str | None:
    for element in _own_elements(item):
        if element.get("itemprop") == "author" or _classes(element) & _AUTHOR_CLASSES:
            name = _SAYS.sub("", " ".join(element.text_content().split())).strip()
            if 0 < len(name) <= 200:
                return name
    return None


def _time(item: HtmlElement) -> tuple[str | None, str | None]:
    """(normalised time, label as shown when there is no zoned time)."""
    for element in _own_elements(item):
        stamp = element.get("datetime")
        if element.get("itemprop") in {"dateCreated", "datePublished"}:
            stamp = stamp or element.get("content")
        if stamp or element.tag == "time" or _classes(element) & _TIME_CLASSES:
            published = normalise_datetime(stamp)
            label = " ".join(element.text_content().split())[:100] or stamp
            return published, None if published else label
    return None, None
