"""Layout of a raw article as scraped from a news site (like the seed): headline, paragraphs,
agency attribution, dateline, boilerplate, and the reader-comment block after its counted
header («تعليق واحد», "3 comments", …). Pure text in, `RawLayout` out."""

import re
import unicodedata
from dataclasses import dataclass, field

from schemas import RawComment

# Inline ad slots such as «[ads3]» left by the site's template.
AD_MARKER = re.compile(r"\[\s*(?:ads?|advert\w*|advertisement|إعلان)\s*\d*\s*\]", re.IGNORECASE)

# Whole lines that belong to the site, not the story.
BOILERPLATE_LINE = re.compile(
    r"""^(?:
        التعليقات\ المنشورة\ لا\ تعبر.* |
        (?:comments?|the\ views)\ (?:are|do\ not|expressed).{0,80}(?:opinion|views?).* |
        les\ commentaires\ (?:publiés\ )?n['’]engagent.* |
        (?:share|tweet|email|print|subscribe|follow\ us|read\ more|related)\b.{0,60} |
        (?:partager|abonnez-vous|lire\ aussi)\b.{0,60} |
        (?:شارك|شاركها|اقرأ\ أيضا|اقرأ\ أيضاً|تابعونا)\b.{0,60} |
        advertisement | إعلان
    )$""",
    re.IGNORECASE | re.VERBOSE,
)

# The counted header that opens the comment thread.
COMMENT_HEADER = re.compile(
    r"""^(?:
        تعليق\ واحد | تعليقان | لا\ توجد\ تعليقات | \d+\ تعليقا?ت? |
        (?:\d+|one|no)\ comments? | (?:\d+|un|aucun)\ commentaires? |
        (?:\d+|ein|keine)\ kommentare? | (?:\d+|un|ningún)\ comentarios? |
        \d+\ комментари\w*
    )\s*:?$""",
    re.IGNORECASE | re.VERBOSE,
)

# «1. text», «2) text», «- text», «• text».
COMMENT_ITEM = re.compile(r"^\s*(?:\d{1,4}\s*[.)\-]|[-•*])\s+(?P<text>\S.*)$")

# Trailing agency attribution: «… هناك. (ANADOLU)», «(AFP)», «(رويترز)». Letters only: «(2014)»
# is not an agency.
AGENCY_TAIL = re.compile(r"\s*[(\[](?P<agency>[^\W\d_][^()\[\]\d]{1,24})[)\]]\s*$")

# «WASHINGTON (AP) — », «PARIS, 12 mars (AFP) - »: a capitalised place, optional agency, dash.
DATELINE = re.compile(
    r"^(?P<place>[A-ZÀ-Þ][A-ZÀ-Þa-zß-ÿ .'’-]{1,40}?)(?:,\s*[^()—–-]{1,25}?)?\s*"
    r"(?:\((?P<agency>[^()\d]{1,15})\))?\s*\.?[—–-]{1,2}\s+"
)
ARABIC_DATELINE = re.compile(
    r"^(?P<place>[\u0600-\u06FF]{2,15}(?: [\u0600-\u06FF]{2,15})?)\s*"
    r"(?:\((?P<agency>[^()\d]{1,15})\))?\s*[—–-]\s+"
)

_SPACES = re.compile(r"[ \t\u00a0]+")


@dataclass(slots=True)
class RawLayout:
    headline: str
    paragraphs: list[str]
    comments: list[RawComment] = field(default_factory=list)
    agency: str | None = None
    dateline: str | None = None


def normalise(text: str) -> str:
    """NFC, ad markers removed, runs of spaces collapsed, trimmed."""
    text = AD_MARKER.sub(" ", unicodedata.normalize("NFC", text))
    return _SPACES.sub(" ", text).strip()


def headline_of(text: str) -> str:
    """The first non-empty line: also what a feeder uses to derive a stable id."""
    for line in text.splitlines():
        if (cleaned := normalise(line)) and not is_boilerplate(cleaned):
            return cleaned
    return ""


def is_boilerplate(line: str) -> bool:
    return bool(BOILERPLATE_LINE.match(line))


def split_paragraphs(text: str) -> list[str]:
    """Every non-empty, non-boilerplate line is a paragraph (sites use one or two newlines)."""
    lines = (normalise(line) for line in text.splitlines())
    return [line for line in lines if line and not is_boilerplate(line)]


def parse_layout(text: str) -> RawLayout:
    lines = text.splitlines()
    header_at = next(
        (i for i, line in enumerate(lines) if COMMENT_HEADER.match(normalise(line))), None
    )
    story_lines = lines if header_at is None else lines[:header_at]
    comments = [] if header_at is None else split_comments(lines[header_at + 1 :])

    paragraphs = split_paragraphs("\n".join(story_lines))
    if not paragraphs:
        return RawLayout(headline="", paragraphs=[], comments=comments)
    body, agency, dateline = extract_attribution(paragraphs[1:])
    return RawLayout(paragraphs[0], body, comments, agency, dateline)


def extract_attribution(paragraphs: list[str]) -> tuple[list[str], str | None, str | None]:
    """Take the trailing agency attribution off the body and read the dateline, if any.
    The dateline stays in the text (it is part of the copy); the attribution is data."""
    body = list(paragraphs)
    agency = dateline = None
    if body and (match := AGENCY_TAIL.search(body[-1])):
        agency = match["agency"].strip()
        body[-1] = body[-1][: match.start()].rstrip()
        if not body[-1]:
            body.pop()
    if body and (match := DATELINE.match(body[0]) or ARABIC_DATELINE.match(body[0])):
        dateline = match["place"].strip()
        agency = agency or (match["agency"].strip() if match["agency"] else None)
    return body, agency, dateline


def split_comments(lines: list[str]) -> list[RawComment]:
    """Numbered or bulleted items start a comment; other lines continue the current one. Without
    any item markers, each paragraph is one comment."""
    comments: list[list[str]] = []
    has_items = any(COMMENT_ITEM.match(line) for line in lines)
    for raw_line in lines:
        line = normalise(raw_line)
        if not line or is_boilerplate(line):
            continue
        item = COMMENT_ITEM.match(line)
        if item or not has_items or not comments:
            comments.append([item["text"] if item else line])
        else:
            comments[-1].append(line)
    return [RawComment(text="\n".join(parts)) for parts in comments]
