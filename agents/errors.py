"""Typed failures. A stage raises these for bad input; the agent dead-letters them with `reason`
(a bounded metric label). Anything else a stage raises is a bug and is dead-lettered as
`internal_error`, so one poisoned record never stops a worker."""


class StageError(Exception):
    reason = "stage_error"


class InvalidEncoding(StageError):
    reason = "invalid_encoding"


class InvalidJson(StageError):
    reason = "invalid_json"


class InvalidShape(StageError):
    reason = "invalid_shape"


class EmptyArticle(StageError):
    reason = "empty_article"


class TooLarge(StageError):
    reason = "too_large"


INTERNAL_ERROR = "internal_error"
DEAD_LETTER_REASONS = (
    StageError.reason,
    InvalidEncoding.reason,
    InvalidJson.reason,
    InvalidShape.reason,
    EmptyArticle.reason,
    TooLarge.reason,
    INTERNAL_ERROR,
)


def reason_of(error: BaseException) -> str:
    return error.reason if isinstance(error, StageError) else INTERNAL_ERROR
