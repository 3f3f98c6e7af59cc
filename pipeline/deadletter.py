"""Dead-letter records: the failing stage, the error class and message, and the original bytes."""

import base64

from agents.errors import StageError
from agents.stage import now
from schemas import DeadLetter

MAX_MESSAGE_CHARS = 2000


def dead_letter(
    stage: str,
    error: BaseException,
    original: bytes,
    *,
    key: str | None,
    topic: str,
    partition: int,
    offset: int,
) -> DeadLetter:
    message = str(error) if isinstance(error, StageError) else f"{type(error).__name__}: {error}"
    return DeadLetter(
        stage=stage,
        error=type(error).__name__,
        message=message[:MAX_MESSAGE_CHARS],
        original=base64.b64encode(original).decode("ascii"),
        key=key,
        topic=topic,
        partition=partition,
        offset=offset,
        failed_at=now(),
    )
