"""IPTC NewsML-G2 `newsItem` (alone or as the one item of a `newsMessage`) → `Document`.

Parsed with defusedxml over the stdlib expat parser with DTDs forbidden: NewsML-G2 never needs
one, and every XML bomb (billion laughs, quadratic blowup) and external-entity attack (XXE)
starts with a DOCTYPE, so each is refused with `UnsafeXml` before any expansion happens.
Elements are matched by local name, so any namespace prefix (or none) works.
"""

import xml.etree.ElementTree as ElementTree

import defusedxml
import defusedxml.ElementTree

from agents.errors import InvalidShape, InvalidXml, UnsafeXml, UnsupportedFormat
from agents.formats.dates import normalise_datetime
from agents.formats.document import Document, Identity, source_version
from agents.formats.markup import local_name, paragraphs_of
from agents.formats.sniff import strip_xml_declaration
from schemas.records import RawArticle

_TEXT_TYPES = ("text/plain", "")
_MAIN_HEADLINE_ROLES = ("", "hld:main", "main")


def parse_item(text: str) -> ElementTree.Element:
    """The `newsItem` element of a NewsML-G2 document (already decoded to text)."""
    data = strip_xml_declaration(text).encode("utf-8")
    try:
        root = defusedxml.ElementTree.fromstring(data, forbid_dtd=True)
    except defusedxml.DefusedXmlException as error:
        raise UnsafeXml(f"refused XML: {type(error).__name__} (DTDs and entities)") from None
    except ElementTree.ParseError as error:
        raise InvalidXml(f"malformed XML: {error}") from None
    name = local_name(root)
    if name == "newsmessage":
        items = [e for e in root.iter() if local_name(e) == "newsitem"]
        if len(items) != 1:
            raise InvalidShape(
                f"a newsMessage with {len(items)} newsItems: publish one newsItem per message"
            )
        return items[0]
    if name != "newsitem":
        raise UnsupportedFormat(f"XML document <{name}>: expected a NewsML-G2 newsItem")
    return root


def identity(text: str, envelope: RawArticle) -> Identity:
    return _identity(parse_item(text), envelope)


def read(text: str, envelope: RawArticle) -> Document:
    item = parse_item(text)
    item_meta, content_meta = _child(item, "itemmeta"), _child(item, "contentmeta")
    # The first creation is the publication; later versions keep it. First one that parses.
    stamps = [
        (item_meta, "firstcreated"),
        (content_meta, "contentcreated"),
        (item_meta, "versioncreated"),
    ]
    published = next(
        (t for parent, name in stamps if (t := normalise_datetime(_text(_child(parent, name))))),
        None,
    )
    dateline = _text(_child(content_meta, "dateline"))
    return Document(
        format="newsml",
        identity=_identity(item, envelope),
        headline=_headline(content_meta),
        paragraphs=_body(item),
        version=envelope.version or source_version(item.get("version")),
        source=envelope.source or _provider(item_meta),
        url=envelope.url,
        published_at=normalise_datetime(envelope.published_at) or published,
        byline=envelope.byline or _name(_child(content_meta, "creator")),
        dateline=_place(dateline) or _name(_child(content_meta, "located")),
    )


def _identity(item: ElementTree.Element, envelope: RawArticle) -> Identity:
    guid = (item.get("guid") or "").strip()
    content_meta = _child(item, "contentmeta")
    return Identity(
        id=envelope.id or guid or None,
        source=envelope.source or _provider(_child(item, "itemmeta")),
        url=envelope.url,
        headline=_headline(content_meta),
    )


def _child(parent: ElementTree.Element | None, name: str) -> ElementTree.Element | None:
    if parent is None:
        return None
    return next((child for child in parent if local_name(child) == name), None)


def _text(element: ElementTree.Element | None) -> str | None:
    if element is None:
        return None
    text = " ".join("".join(element.itertext()).split())
    return text or None


def _name(element: ElementTree.Element | None) -> str | None:
    """A NewsML-G2 concept: its `<name>`, else its `literal`, else its qcode's code."""
    if element is None:
        return None
    named = _text(_child(element, "name"))
    qcode = (element.get("qcode") or "").partition(":")[2]
    return named or element.get("literal") or qcode or _text(element)


def _provider(item_meta: ElementTree.Element | None) -> str | None:
    provider = _child(item_meta, "provider")
    if provider is None:
        return None
    # The short form ("AFP", from literal or nprov:AFP) is what `source` holds elsewhere.
    qcode = (provider.get("qcode") or "").partition(":")[2]
    return provider.get("literal") or qcode or _name(provider)


def _headline(content_meta: ElementTree.Element | None) -> str:
    if content_meta is None:
        return ""
    headlines = [e for e in content_meta if local_name(e) == "headline"]
    main = [e for e in headlines if (e.get("role") or "").lower() in _MAIN_HEADLINE_ROLES]
    return next((t for e in main + headlines if (t := _text(e))), "")


def _body(item: ElementTree.Element) -> list[str]:
    content_set = _child(item, "contentset")
    if content_set is None:
        return []
    inline = [e for e in content_set if local_name(e) in {"inlinexml", "inlinedata"}]
    # Rich text first (paragraph structure), then plain text.
    inline.sort(key=lambda e: (e.get("contenttype") or "").lower() in _TEXT_TYPES)
    for element in inline:
        if local_name(element) == "inlinedata":
            paragraphs = [p.strip() for p in (element.text or "").splitlines() if p.strip()]
        else:
            paragraphs = paragraphs_of(element)
        if paragraphs:
            return paragraphs
    return []


def _place(dateline: str | None) -> str | None:
    """`LYON, 24 nov 2026 (AFP)` → `LYON`: the place is what the record's `dateline` holds."""
    if not dateline:
        return None
    place = dateline.split(",", 1)[0].split("(", 1)[0].strip()
    return place or None
