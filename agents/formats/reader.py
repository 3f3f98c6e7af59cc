"""Dispatch a recognised payload to its format's reader.

`identify` is the cheap path to the article's id basis, used for Kafka keys; `read_document` the
full one. Both call the same per-format identity function, so a message's key and its parsed
record's id cannot disagree."""

from agents.formats import html, newsml, ninjs, text
from agents.formats.document import Document, Identity
from agents.formats.sniff import Opened


def identify(opened: Opened) -> Identity:
    envelope, document = opened.envelope, opened.document
    if envelope.id and envelope.id.strip():
        # The producer's id wins over anything in the document: no need to read it.
        return Identity(envelope.id, envelope.source, envelope.url, envelope.headline or "")
    if isinstance(document, dict):
        return ninjs.identity(document, envelope)
    if opened.format == "newsml":
        return newsml.identity(document, envelope)
    if opened.format == "html":
        return html.identity(document, envelope)
    if opened.format == "text":
        return text.identity(document, envelope)
    return text.json_identity(envelope)


def read_document(opened: Opened) -> Document:
    envelope, document = opened.envelope, opened.document
    if isinstance(document, dict):
        return ninjs.read(document, envelope)
    if opened.format == "newsml":
        return newsml.read(document, envelope)
    if opened.format == "html":
        return html.read(document, envelope)
    if opened.format == "text":
        return text.read(document, envelope)
    return text.read_json(envelope)
