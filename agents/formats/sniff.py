"""Raw bytes → which format, decoded how: the cheap first step shared by `parse_article` and
`message_key`. Nothing here walks a document; it decides what the payload is and refuses what
cannot be read, each refusal a typed `StageError`.

How a payload is recognised, from its first non-blank character:
- `{` / `[` → JSON. An object with `headline`/`body`/`text`/`format` is our raw-article
  envelope; one with ninjs fields (`uri`, `headlines`, `bodies`, `body_text`, `versioncreated`,
  …) and no envelope fields is an IPTC ninjs item.
- `<` → markup. The root element decides: `newsItem` / `newsMessage` → NewsML-G2; `html` (or a
  `<!DOCTYPE html>`, or any tag without an XML declaration) → HTML; other XML (RSS, Atom, a
  NewsML `packageItem`) → `UnsupportedFormat`.
- anything else → raw text like the seed.
An envelope's `text` is sniffed the same way (markup or raw text) unless `format` says.
"""

import codecs
import re
from dataclasses import dataclass, field
from typing import Any

import orjson
from pydantic import ValidationError

from agents.errors import (
    BinaryData,
    EmptyArticle,
    InvalidEncoding,
    InvalidJson,
    InvalidShape,
    TooDeep,
    UnsupportedFormat,
)
from schemas.records import InputFormat, RawArticle

MAX_JSON_DEPTH = 32  # our envelope needs 3 levels, a ninjs item with associations about 8
_MAX_ENVELOPE_NESTING = 2  # {"format": "json", "text": "<a JSON article>"} and no deeper
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BINARY_CONTROLS = 8  # more control characters than this in the first 4 KB: not text
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)

# The XML declaration, and what precedes the root element: comments, PIs, a DOCTYPE (with an
# internal subset in brackets, as XML bombs have).
_XML_DECLARATION = re.compile(r"^\s*<\?xml\b[^>]*?\?>", re.IGNORECASE)
_DECLARED_ENCODING = re.compile(rb"^\s*<\?xml\b[^>]*?\bencoding\s*=\s*[\"']([A-Za-z0-9._:-]{1,40})")
_META_CHARSET = re.compile(rb"<meta\b[^>]*?\bcharset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]{1,40})", re.I)
_PROLOG_ITEM = re.compile(
    r"\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE\b[^\[>]*(?:\[.*?\])?\s*>", re.IGNORECASE | re.DOTALL
)
_ROOT_TAG = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
_SNIFF_CHARS = 65_536
_NEWSML_ROOTS = {"newsitem", "newsmessage"}
_FEED_ROOTS = {"rss", "feed", "rdf"}
_NINJS_KEYS = frozenset(
    "uri headlines bodies body_text body_html body_xml versioncreated firstcreated "
    "contentcreated copyrightholder infosources altids renditions associations".split()
)
_ENVELOPE_KEYS = frozenset({"headline", "body", "text", "format", "comments"})


@dataclass(frozen=True, slots=True)
class Opened:
    """A payload recognised: its format, the envelope's fields (empty for a bare document; the
    whole article for our JSON) and the document to read (text or a ninjs object)."""

    format: InputFormat
    envelope: RawArticle = field(default_factory=RawArticle)
    document: str | dict[str, Any] = ""


def open_payload(payload: bytes) -> Opened:
    """Decode and recognise `payload`; typed errors for what is not an article at all."""
    text = decode(payload)
    stripped = text.strip()
    if not stripped:
        raise EmptyArticle("empty payload")
    if len(_CONTROL.findall(text[:4096])) > _BINARY_CONTROLS:
        raise BinaryData("binary data: control characters in the payload")
    if stripped[0] in "{[":
        data = load_json(stripped)
        if not isinstance(data, dict):
            raise InvalidShape(f"expected one JSON object per message, got {type(data).__name__}")
        return open_object(data)
    return Opened(sniff_text(stripped), document=stripped)


def decode(payload: bytes) -> str:
    """Bytes → text. UTF-8 unless the document says otherwise in the way its format allows: an
    XML declaration's `encoding`, an HTML `<meta charset>`, or a UTF-16 byte-order mark."""
    if payload[:2] in _UTF16_BOMS:
        try:
            with_bom = payload.decode("utf-16")
        except UnicodeDecodeError:
            with_bom = ""
        if with_bom.lstrip()[:1] == "<":
            return with_bom  # markup in UTF-16; anything else must be UTF-8 like all the rest
    head = payload.removeprefix(codecs.BOM_UTF8)[:2048]
    name = None
    if xml := _DECLARED_ENCODING.match(head):
        name = xml.group(1).decode("ascii")
    elif head.lstrip()[:1] == b"<" and (meta := _META_CHARSET.search(head)):
        name = meta.group(1).decode("ascii")
        # A page whose bytes we could read this far is not UTF-16, whatever it says (WHATWG).
        name = "utf-8" if name.lower().replace("-", "").startswith("utf16") else name
    if name:
        return _decode_as(payload, name, f"declared encoding {name!r}").removeprefix("\ufeff")
    return _decode_as(payload, "utf-8", "not UTF-8").removeprefix("\ufeff")


def _decode_as(payload: bytes, encoding: str, what: str) -> str:
    try:
        return payload.decode(encoding)
    except LookupError:
        raise InvalidEncoding(f"unknown encoding {encoding!r}") from None
    except UnicodeDecodeError as error:
        raise InvalidEncoding(f"{what}: {error.reason} at byte {error.start}") from None


def load_json(text: str) -> Any:
    """orjson, with nesting refused beyond `MAX_JSON_DEPTH` (orjson itself stops at 1024)."""
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError as error:
        if "depth limit" in str(error):
            raise TooDeep(f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from None
        raise InvalidJson(f"invalid JSON: {error}") from None
    # Counting brackets is cheap and bounds the depth: most payloads skip the walk.
    if text.count("{") + text.count("[") > MAX_JSON_DEPTH and json_depth(data) > MAX_JSON_DEPTH:
        raise TooDeep(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    return data


def json_depth(data: Any) -> int:
    """Nesting depth of containers, without recursion (so no RecursionError on any input)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_JSON_DEPTH:
            return deepest
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest


def open_object(data: dict[str, Any], nesting: int = 0) -> Opened:
    """A JSON object: our envelope / structured article, or a bare ninjs item."""
    if "format" not in data and looks_like_ninjs(data):
        return Opened("ninjs", document=data)
    try:
        envelope = RawArticle.model_validate(data)
    except ValidationError as error:
        raise InvalidShape(f"not a raw article: {first_error(error)}") from None
    hint = envelope.format
    if envelope.text is not None:
        kind = hint or sniff_text(envelope.text)
        if hint is None and kind == "text" and envelope.text.lstrip()[:1] == "{":
            kind = _embedded_json_kind(envelope.text)
        if kind in {"json", "ninjs"}:
            return _open_embedded_json(envelope, kind, nesting)
        return Opened(kind, envelope, envelope.text)
    if hint == "ninjs":
        return Opened("ninjs", envelope, data)
    if hint not in {None, "json"}:
        raise InvalidShape(f"format {hint!r} needs the document in 'text'")
    if not (envelope.headline and envelope.body):
        raise InvalidShape("a raw article needs 'text', or 'headline' and 'body'")
    return Opened("json", envelope)


def _open_embedded_json(envelope: RawArticle, kind: InputFormat, nesting: int) -> Opened:
    """`{"format": "ninjs"|"json", "text": "<JSON document>"}`: the envelope's fields win."""
    if nesting >= _MAX_ENVELOPE_NESTING:
        raise InvalidShape("an envelope inside an envelope inside an envelope")
    inner = load_json(envelope.text or "")
    if not isinstance(inner, dict):
        raise InvalidShape(f"format {kind!r}: 'text' must hold a JSON object")
    if kind == "ninjs":
        return Opened("ninjs", envelope, inner)
    opened = open_object(inner, nesting + 1)
    overrides = envelope.model_dump(
        include={"id", "version", "source", "url", "published_at", "byline"}, exclude_none=True
    )
    return Opened(opened.format, opened.envelope.model_copy(update=overrides), opened.document)


def _embedded_json_kind(text: str) -> InputFormat:
    """`{"text": "<a JSON object>"}` without a hint (a body wrapped as it came): ninjs or our
    JSON if it is one, else it is raw text that happens to start with a brace."""
    try:
        inner = orjson.loads(text)
    except orjson.JSONDecodeError:
        return "text"
    if not isinstance(inner, dict):
        return "text"
    return "ninjs" if "format" not in inner and looks_like_ninjs(inner) else "json"


def looks_like_ninjs(data: dict[str, Any]) -> bool:
    keys = {key.lower() for key in data}
    return not (keys & _ENVELOPE_KEYS - {"headline"}) and bool(keys & _NINJS_KEYS)


def sniff_text(text: str) -> InputFormat:
    """Markup or raw text, for a document already known not to be JSON."""
    head = text.lstrip()[:_SNIFF_CHARS]
    if not head.startswith("<"):
        return "text"
    return sniff_markup(head)


def sniff_markup(head: str) -> InputFormat:
    position, doctype_html, declared_xml = 0, False, bool(_XML_DECLARATION.match(head))
    while item := _PROLOG_ITEM.match(head, position):
        if not item.group():
            break
        doctype_html = doctype_html or item.group().lower().startswith("<!doctype html")
        position = item.end()
    root = _ROOT_TAG.match(head, position)
    if root is None:
        if doctype_html:
            return "html"
        if declared_xml or head[:9].upper() == "<!DOCTYPE":
            return "newsml"  # a prolog too long to skip here: the XML parser has the last word
        return "text"  # "<3 this team": text that starts with "<"
    name = root.group(1).lower()
    if name in _NEWSML_ROOTS:
        return "newsml"
    if name == "html" or doctype_html or not declared_xml:
        return "html"
    if name in _FEED_ROOTS:
        raise UnsupportedFormat(f"a <{root.group(1)}> feed: publish its items one per message")
    raise UnsupportedFormat(f"XML document <{root.group(1)}>: expected a NewsML-G2 newsItem")


def strip_xml_declaration(text: str) -> str:
    """Once decoded, the declaration's `encoding` no longer applies (and lxml refuses it)."""
    return _XML_DECLARATION.sub("", text, count=1)


def first_error(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "record"
    return f"{where}: {first['msg']}"
