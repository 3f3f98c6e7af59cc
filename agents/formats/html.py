"""An HTML page (menus, ads, share buttons, a comment thread) → `Document`.

The article text, headline, author and site name come from trafilatura (`bare_extraction` with
comments and metadata); it works on the string it is given and fetches nothing. Around it, this
module reads what trafilatura does not keep: the canonical URL, a publication time with its
zone (trafilatura's date is a day only), and the comment thread as separate, threaded comments
(see `html_comments`). The page is parsed once by lxml; everything read from the tree is read
before trafilatura, which prunes the tree it is given.
"""

import logging
from urllib.parse import urljoin, urlsplit

import orjson
import trafilatura
from lxml.html import HtmlElement
from trafilatura.settings import Document as Extracted
from trafilatura.utils import load_html

from agents.errors import NoArticleContent
from agents.formats.dates import normalise_datetime
from agents.formats.document import Document, DraftComment, Identity
from agents.formats.html_comments import comment_thread
from agents.formats.sniff import strip_xml_declaration
from schemas.records import RawArticle

# trafilatura and htmldate log every page they cannot use at ERROR; the parse stage reports
# that itself, once, as a dead letter with a reason, so their lines would only be noise.
for _name in ("trafilatura", "htmldate", "courlan"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)

_PUBLISHED_XPATHS = (
    "//meta[@property='article:published_time']/@content",
    "//meta[@itemprop='datePublished']/@content",
    "//*[@itemprop='datePublished']/@datetime",
    "//meta[@name='pubdate' or @name='publishdate' or @name='publish-date' or @name='date'"
    " or @name='DC.date.issued' or @name='dcterms.created' or @name='parsely-pub-date'"
    " or @name='sailthru.date']/@content",
    "//time[@pubdate]/@datetime",
    "//time[contains(@class, 'published')]/@datetime",
)
_JSON_LD = "//script[@type='application/ld+json']/text()"
_MIN_SENTENCE_CHARS = 40  # an article has at least one paragraph this long (CJK: ~a sentence)
_MAX_JSON_LD = 100_000  # characters; structured data bigger than this is not about one article


def parse_page(text: str) -> HtmlElement:
    try:
        tree = load_html(strip_xml_declaration(text))
    except (ValueError, TypeError):
        tree = None
    if tree is None:
        raise NoArticleContent("not an HTML page that can be read")
    return tree


def identity(text: str, envelope: RawArticle) -> Identity:
    return _identity(parse_page(text), envelope)


def read(text: str, envelope: RawArticle) -> Document:
    tree = parse_page(text)
    page = _identity(tree, envelope)
    canonical = _canonical(tree, envelope.url)
    published = normalise_datetime(envelope.published_at) or _published(tree)
    comments = comment_thread(tree)  # before trafilatura prunes the tree
    extracted = trafilatura.bare_extraction(
        tree,
        url=envelope.url or canonical,
        include_comments=True,
        with_metadata=True,
        date_extraction_params={"extensive_search": False},  # we read the time ourselves
    )
    if not isinstance(extracted, Extracted) or not extracted.text:
        raise NoArticleContent("no article text found in the HTML page")
    headline = (extracted.title or page.headline or "").strip()
    paragraphs = [line.strip() for line in extracted.text.splitlines() if line.strip()]
    if paragraphs and " ".join(paragraphs[0].split()) == " ".join(headline.split()):
        paragraphs = paragraphs[1:]  # trafilatura keeps the page's <h1>: it is the headline
    if not any(len(p) >= _MIN_SENTENCE_CHARS for p in paragraphs):
        # What is left of an index page is its menu: "News", "Sport", … — no sentence at all.
        raise NoArticleContent("no article text in the HTML page (only short lines, if any)")
    if not comments:
        comments = _fallback_comments(extracted.comments)
    url = envelope.url or canonical
    return Document(
        format="html",
        identity=page,
        headline=headline,
        paragraphs=paragraphs,
        comments=comments,
        version=envelope.version,
        source=envelope.source or extracted.sitename or _site_name(tree) or _hostname(url),
        url=url,
        canonical_url=canonical,
        published_at=published,
        byline=envelope.byline or extracted.author or _meta(tree, "author"),
    )


def _identity(tree: HtmlElement, envelope: RawArticle) -> Identity:
    """Id basis: the page's canonical URL when it declares one (the same story reached through
    tracking links keeps one id), else the envelope's URL, else its title."""
    return Identity(
        id=envelope.id,
        source=envelope.source or _site_name(tree),
        url=_canonical(tree, envelope.url) or envelope.url,
        headline=_property(tree, "og:title") or _title(tree),
    )


def _first(tree: HtmlElement, xpath: str) -> str | None:
    for value in tree.xpath(xpath):
        text = " ".join(str(value).split())
        if text:
            return text
    return None


def _property(tree: HtmlElement, name: str) -> str | None:
    return _first(tree, f"//meta[@property='{name}']/@content")


def _meta(tree: HtmlElement, name: str) -> str | None:
    return _first(tree, f"//meta[@name='{name}']/@content")


def _title(tree: HtmlElement) -> str:
    return _first(tree, "//h1") or _first(tree, "//title/text()") or ""


def _site_name(tree: HtmlElement) -> str | None:
    return _property(tree, "og:site_name") or _meta(tree, "application-name")


def _canonical(tree: HtmlElement, base: str | None) -> str | None:
    """`<link rel="canonical">`, else `og:url`; relative links resolved against `base`."""
    for candidate in (
        _first(tree, "//link[contains(concat(' ', @rel, ' '), ' canonical ')]/@href"),
        _property(tree, "og:url"),
    ):
        if not candidate:
            continue
        try:
            absolute = urljoin(base, candidate) if base else candidate
        except ValueError:  # e.g. a malformed IPv6 host
            continue
        if absolute.lower().startswith(("http://", "https://")) and len(absolute) <= 4000:
            return absolute
    return None


def _published(tree: HtmlElement) -> str | None:
    for xpath in _PUBLISHED_XPATHS:
        for value in tree.xpath(xpath):
            if published := normalise_datetime(str(value)):
                return published
    return _json_ld_published(tree)


def _json_ld_published(tree: HtmlElement) -> str | None:
    """schema.org `datePublished` from JSON-LD: a top-level object, a list, or an `@graph`."""
    for script in tree.xpath(_JSON_LD):
        if len(script) > _MAX_JSON_LD:
            continue
        try:
            data = orjson.loads(str(script))
        except orjson.JSONDecodeError:
            continue
        nodes = data if isinstance(data, list) else [data]
        graphs = [d.get("@graph") for d in nodes if isinstance(d, dict)]
        nodes += [node for graph in graphs if isinstance(graph, list) for node in graph]
        for node in nodes:
            if isinstance(node, dict) and (found := normalise_datetime(node.get("datePublished"))):
                return found
    return None


def _fallback_comments(text: str | None) -> list[DraftComment]:
    """trafilatura's comment block when the page has no recognisable comment markup: one
    comment per line (a comment of several paragraphs becomes several; nothing better is known)."""
    lines = (line.strip() for line in (text or "").splitlines())
    return [DraftComment(text=line) for line in lines if line]


def _hostname(url: str | None) -> str | None:
    try:
        host = urlsplit(url).hostname if url else None
    except ValueError:
        return None
    return host.removeprefix("www.") if host else None
