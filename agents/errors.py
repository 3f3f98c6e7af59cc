"""Typed failures. A stage raises these for bad input; the agent dead-letters them with `reason`
(a bounded metric label). Anything else a stage raises is a bug and is dead-lettered as
`internal_error`, so one poisoned record never stops a worker."""


class StageError(Exception):
    reason = "stage_error"


class InvalidEncoding(StageError):
    reason = "invalid_encoding"


class InvalidJson(StageError):
    reason = "invalid_json"


class TooDeep(InvalidJson):
    """JSON nested deeper than any article needs: refused before anything walks it."""

    reason = "too_deep"


class InvalidShape(StageError):
    reason = "invalid_shape"


class BinaryData(InvalidShape):
    reason = "binary_data"


class UnsupportedFormat(InvalidShape):
    """Well-formed input of a kind the parser does not read (an RSS feed, a NewsML package)."""

    reason = "unsupported_format"


class InvalidXml(StageError):
    reason = "invalid_xml"


class UnsafeXml(InvalidXml):
    """A DTD, entity declaration or external reference: the shape of XML bombs and XXE."""

    reason = "unsafe_xml"


class EmptyArticle(StageError):
    reason = "empty_article"


class NoArticleContent(EmptyArticle):
    """An HTML page from which no article text could be extracted (a menu, an index page)."""

    reason = "no_article_content"


class TooLarge(StageError):
    reason = "too_large"


INTERNAL_ERROR = "internal_error"
DEAD_LETTER_REASONS = (
    StageError.reason,
    InvalidEncoding.reason,
    InvalidJson.reason,
    TooDeep.reason,
    InvalidShape.reason,
    BinaryData.reason,
    UnsupportedFormat.reason,
    InvalidXml.reason,
    UnsafeXml.reason,
    EmptyArticle.reason,
    NoArticleContent.reason,
    TooLarge.reason,
    INTERNAL_ERROR,
)


def reason_of(error: BaseException) -> str:
    return error.reason if isinstance(error, StageError) else INTERNAL_ERROR
