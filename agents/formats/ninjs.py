"""IPTC ninjs (News in JSON) 1.x, 2.x and 3.x item → `Document`.

1.x sends `headline`, `body_text` / `body_html` / `body_xml` and `byline`; 2.x `headlines` and
`bodies` lists of {value, contenttype, role} and `by`; 3.x the same in camelCase
(`versionCreated`, `contentType`). Keys are read case-insensitively, so all three work. Wrong
types where a field is present raise `InvalidShape`: a ninjs item with `"bodies": 3` is a broken
producer, and the dead-letter message should say so.
"""

from typing import Any

from agents.errors import InvalidShape
from agents.formats.dates import normalise_datetime
from agents.formats.document import Document, Identity, source_version
from agents.formats.markup import html_paragraphs
from schemas.records import RawArticle

_PUBLISHED_KEYS = ("firstcreated", "contentcreated", "versioncreated")  # first one that parses
_MAIN_ROLES = ("main", "", "richtext", "html", "body")
_RICH_TYPES = ("text/html", "application/xhtml+xml", "application/nitf+xml", "text/xml")


def identity(item: dict[str, Any], envelope: RawArticle) -> Identity:
    fields = _lower(item)
    return _identity(fields, envelope)


def read(item: dict[str, Any], envelope: RawArticle) -> Document:
    fields = _lower(item)
    published = next((t for k in _PUBLISHED_KEYS if (t := normalise_datetime(fields.get(k)))), None)
    return Document(
        format="ninjs",
        identity=_identity(fields, envelope),
        headline=_headline(fields),
        paragraphs=_body(fields),
        version=envelope.version or source_version(fields.get("version")),
        source=envelope.source or _source(fields),
        url=envelope.url,
        canonical_url=_web_uri(fields),
        published_at=normalise_datetime(envelope.published_at) or published,
        byline=envelope.byline or _byline(fields),
        dateline=_string(fields, "located") or _name(fields.get("located")),
    )


def _identity(fields: dict[str, Any], envelope: RawArticle) -> Identity:
    own_id = _string(fields, "uri") or _string(fields, "guid") or _string(fields, "id")
    return Identity(
        id=envelope.id or own_id,
        source=envelope.source or _source(fields),
        url=envelope.url,
        headline=_headline(fields),
    )


def _lower(item: dict[str, Any]) -> dict[str, Any]:
    return {key.lower(): value for key, value in item.items()}


def _string(fields: dict[str, Any], key: str) -> str | None:
    value = fields.get(key)
    if value is None or isinstance(value, dict | list):
        return None
    if not isinstance(value, str):
        raise InvalidShape(f"ninjs {key!r} must be a string, got {type(value).__name__}")
    return value.strip() or None


def _name(value: object) -> str | None:
    """A ninjs concept object ({name, uri, …}) → its name."""
    if isinstance(value, dict) and isinstance(name := value.get("name"), str):
        return name.strip() or None
    return None


def _texts(fields: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """A 2.x/3.x list of {value, contenttype, role} objects, keys lower-cased."""
    value = fields.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise InvalidShape(f"ninjs {key!r} must be a list of objects")
    entries = [_lower(v) for v in value]
    for entry in entries:
        if not isinstance(entry.get("value"), str):
            raise InvalidShape(f"ninjs {key!r}: every entry needs a string 'value'")
    return entries


def _role_rank(entry: dict[str, Any]) -> int:
    role = entry.get("role")
    role = role.lower() if isinstance(role, str) else ""
    return _MAIN_ROLES.index(role) if role in _MAIN_ROLES else len(_MAIN_ROLES)


def _headline(fields: dict[str, Any]) -> str:
    entries = sorted(_texts(fields, "headlines"), key=_role_rank)
    candidates = [e["value"] for e in entries] + [_string(fields, "headline") or ""]
    return next((c.strip() for c in candidates if c.strip()), "")


def _body(fields: dict[str, Any]) -> list[str]:
    def preference(entry: dict[str, Any]) -> tuple[bool, int]:
        kind = entry.get("contenttype")
        rich = isinstance(kind, str) and kind.lower().split(";")[0].strip() in _RICH_TYPES
        return (not rich, _role_rank(entry))  # rich text keeps the paragraphs

    for entry in sorted(_texts(fields, "bodies"), key=preference):
        kind = str(entry.get("contenttype") or "text/plain").lower()
        plain = kind.startswith("text/plain")
        paragraphs = _plain(entry["value"]) if plain else html_paragraphs(entry["value"])
        if paragraphs:
            return paragraphs
    for key in ("body_html", "body_xhtml", "body_xml"):
        if (markup := _string(fields, key)) and (paragraphs := html_paragraphs(markup)):
            return paragraphs
    return _plain(_string(fields, "body_text") or "")


def _plain(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _source(fields: dict[str, Any]) -> str | None:
    """The agency: 2.x/3.x `infosources` (or `provider`), else the copyright holder."""
    sources = fields.get("infosources")
    if isinstance(sources, list):
        for source in sources:
            if name := _name(source):
                return name
    for key in ("provider", "copyrightholder"):
        value = fields.get(key)
        if name := (_name(value) or (value.strip() if isinstance(value, str) else None)):
            return name
    return None


def _byline(fields: dict[str, Any]) -> str | None:
    return _string(fields, "by") or _string(fields, "byline")  # «By …» is taken off later


def _web_uri(fields: dict[str, Any]) -> str | None:
    """ninjs has no page URL; a `uri` that is a web address is the closest thing."""
    uri = _string(fields, "uri")
    return uri if uri and uri.lower().startswith(("http://", "https://")) else None
