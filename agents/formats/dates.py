"""Dates as sources send them → ISO 8601 with a UTC offset, or None.

Accepted: ISO 8601 / RFC 3339 (`2026-11-24T07:45:00+01:00`, `…Z`, fractions, `20261124T074500Z`
as NewsML and ninjs send them), RFC 822 / 2822 (`Tue, 24 Nov 2026 07:45:00 GMT`, RSS) and the
common `2026-11-24 07:45:00 +0100`. The source's own offset is kept. A time without a zone, a
date without a time, or anything unparseable gives None: a guessed zone would be an invented
fact, and consumers would not be able to tell it from a real one.
"""

import re
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

# A compact ISO basic form (20261124T074500Z) → extended form that fromisoformat reads.
_BASIC = re.compile(
    r"^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$", re.IGNORECASE
)
# `2026-11-24 07:45:00 +0100` / `… GMT` / `… UTC`.
_SPACED_ZONE = re.compile(
    r"^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2})$",
    re.IGNORECASE,
)
_MAX_LENGTH = 64
_EARLIEST_YEAR = 1800  # older "publication dates" are data errors, not news


def normalise_datetime(value: object) -> str | None:
    """`value` as `YYYY-MM-DDTHH:MM:SS[.ffffff]±HH:MM`, or None when it is not a zoned time."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > _MAX_LENGTH:
        return None
    parsed = _parse_iso(text) or _parse_rfc822(text)
    if parsed is None or parsed.tzinfo is None or parsed.year < _EARLIEST_YEAR:
        return None
    offset = parsed.utcoffset()
    if offset is None or abs(offset) >= timedelta(hours=24):
        return None
    return parsed.isoformat()


def _parse_iso(text: str) -> datetime | None:
    if basic := _BASIC.match(text):
        year, month, day, hour, minute, second, fraction, zone = basic.groups()
        zone = zone or ""
        if zone and zone.upper() != "Z" and ":" not in zone:
            zone = f"{zone[:3]}:{zone[3:]}"
        text = f"{year}-{month}-{day}T{hour}:{minute}:{second}{fraction or ''}{zone}"
    elif spaced := _SPACED_ZONE.match(text):
        stamp, zone = spaced.groups()
        zone = "+00:00" if zone.upper() in {"Z", "UTC", "GMT"} else zone
        text = f"{stamp}{zone}"
    if "T" not in text.upper() and " " not in text:
        return None  # a bare date: no time of day to report
    try:
        return datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        return None


def _parse_rfc822(text: str) -> datetime | None:
    if not any(c.isalpha() for c in text):
        return None  # RFC 822 names a month (and usually a day); saves an exception per number
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    # email.utils reads "-0000" (and a missing zone) as "no zone information": naive.
    return parsed if parsed.tzinfo is not None else None
