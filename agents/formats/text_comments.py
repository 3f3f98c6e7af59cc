"""The reader-comment block of a raw-text article (the lines after its counted header) → one
`DraftComment` per comment, with author, time and reply-to where the text shows them.

A comment starts at a numbered or bulleted item («1. …», «- …», «• …»), at an author line
(«Ahmed — 2 hours ago», «Marie (il y a 3 heures)», «John says:», «يقول أحمد:»), or at a reply
marker («↳ …», «Reply to Ahmed: …», «1.1. …»). Other lines continue the current comment. A block
with none of these markers has one comment per paragraph.
"""

import re
from dataclasses import dataclass, field

from agents.formats.dates import normalise_datetime
from agents.formats.document import DraftComment
from agents.rawtext import is_boilerplate, normalise

ITEM = re.compile(r"^\s*(?P<marker>\d{1,4}(?:\.\d{1,3})*\s*[.)\-]|[-•*▪◦])\s+(?P<text>\S.*)$")
REPLY = re.compile(
    r"^(?:[↳↪└»>]\s*|(?:(?:reply|re|réponse|antwort|respuesta|ответ|yanıt|رد)\b|回复)"
    r"(?:\s*(?:to|à|an|a|على|на)\s+|\s*)@?(?P<target>[^:：\s][^:：]{0,39}?)?\s*[:：]\s*)",
    re.IGNORECASE,
)
_RELATIVE_TIME = r"""(?:
    (?:about\ |over\ |almost\ )?(?:\d+|an?|one)\s+(?:seconds?|secs?|minutes?|mins?|hours?|hrs?
        |days?|weeks?|months?|years?)\s+ago
  | just\ now | (?:yesterday|today)(?:\ at\ .{1,12})?
  | il\ y\ a\ (?:\d+|une?)\s+\w+ | hier(?:\ à\ .{1,8})? | aujourd['’]hui
  | vor\ (?:\d+|einer?|einem)\s+\w+ | gestern | heute
  | hace\ (?:\d+|una?)\s+\w+ | ayer | hoy | há\ \d+\s+\w+ | \d+\s+\w+\s+fa
  | (?:\d+\s+)?\w+\s+назад | вчера | сегодня
  | \d+\s+\w+\s+önce | dün | bugün
  | (?:منذ|قبل)\s+\S+(?:\s+\S+)? | أمس | اليوم
  | \d+\s*(?:秒|分钟|小时|天|周|个月|年)前 | 昨天 | 今天 | 刚刚
  | \d+\s+(?:دقیقه|ساعت|روز|هفته|ماه|سال)\s+پیش
)"""
_CLOCK = r"\d{1,2}[:.h]\d{2}(?:\s*[ap]\.?m\.?)?"
_ABSOLUTE_TIME = rf"""(?:
    \d{{4}}-\d{{2}}-\d{{2}}(?:[T\ ]\d{{2}}:\d{{2}}(?::\d{{2}})?(?:\.\d+)?
        (?:Z|\ ?[+-]\d{{2}}:?\d{{2}}|\ UTC|\ GMT)?)?
  | \d{{1,2}}[./-]\d{{1,2}}[./-]\d{{2,4}}(?:,?\s+(?:at\ |à\ |um\ |a\ las\ )?{_CLOCK})?
  | (?:\w+,?\s+)?\d{{1,2}}\.?\s+\w+\.?\s+\d{{4}}(?:,?\s+(?:at\ |à\ |um\ )?{_CLOCK})?
  | \w+\.?\s+\d{{1,2}},?\s+\d{{4}}(?:,?\s+(?:at\ )?{_CLOCK})?
  | {_CLOCK}
)"""
_TIME = f"(?:{_RELATIVE_TIME}|{_ABSOLUTE_TIME})"
TIME = re.compile(rf"^{_TIME}$", re.IGNORECASE | re.VERBOSE)
# «Ahmed — 2 hours ago», «Claire M. | 24/11/2026 10:02», «Marie (il y a 3 heures)».
AUTHOR_TIME = re.compile(
    rf"""^(?P<author>[^—–|·•:()]{{1,60}}?)\s*
        (?:[—–\-|·•,]\s*(?P<time>{_TIME}) | \(\s*(?P<time2>{_TIME})\s*\))\s*:?$""",
    re.IGNORECASE | re.VERBOSE,
)
# «John says:» alone on its line (with text after it, "My father says: …" is the comment).
SAYS = re.compile(
    r"^(?:(?P<author>[^:：]{1,60}?)\s+(?:says|said|wrote|writes|dit|a\ dit|a\ écrit|schreibt"
    r"|schrieb|sagt|dice|dijo|escribió|escreveu|scrive|пишет|написала?|yazdı|diyor|说|写道)"
    r"|(?:يقول|قال|كتب|كتبت)\s+(?P<author2>[^:：]{1,40}?))\s*[:：]\s*(?P<rest>.*)$",
    re.IGNORECASE | re.VERBOSE,
)
_MAX_AUTHOR_WORDS = 5


@dataclass(slots=True)
class _Line:
    text: str
    item: bool = False
    reply: bool = False
    reply_to: str | None = None  # «Reply to Ahmed:»: the author replied to
    author: str | None = None
    time: str | None = None

    @property
    def is_head(self) -> bool:
        return self.author is not None


@dataclass(slots=True)
class _Comment:
    lines: list[str] = field(default_factory=list)
    author: str | None = None
    time: str | None = None
    parent: int | None = None


def split_comments(lines: list[str]) -> list[DraftComment]:
    marked = [line for raw in lines if (line := _mark(raw)) is not None]
    has_markers = any(line.item or line.is_head or line.reply for line in marked)
    comments: list[_Comment] = []
    last_top: int | None = None
    for line in marked:
        starts = line.item or line.is_head or line.reply or not has_markers or not comments
        if starts and not (comments and _awaits_text(comments[-1], line)):
            parent = _replied_to(comments, line.reply_to, last_top) if line.reply else None
            comments.append(_Comment(parent=parent))
            if not line.reply:
                last_top = len(comments) - 1
        current = comments[-1]
        if line.is_head and current.author is None:
            current.author, current.time = line.author, line.time
        if line.text:
            current.lines.append(line.text)
    return _drafts(comments)


def _replied_to(comments: list[_Comment], author: str | None, last_top: int | None) -> int | None:
    """The latest comment by `author` when the reply names one, else the latest top-level one."""
    if author is not None:
        for n in range(len(comments) - 1, -1, -1):
            if (comments[n].author or "").casefold() == author.casefold():
                return n
    return last_top


def _awaits_text(comment: _Comment, line: _Line) -> bool:
    """A numbered item right under an author line («Ahmed — 2 hours ago» / «1. Great piece»)
    is that author's text, not a new comment."""
    return not comment.lines and comment.author is not None and not line.is_head and not line.reply


def _mark(raw: str) -> _Line | None:
    text = normalise(raw)
    if not text or is_boilerplate(text):
        return None
    line = _Line(text)
    if item := ITEM.match(text):
        line.item, line.text = True, item["text"]
        line.reply = "." in item["marker"].rstrip(".)- ")  # «1.1.»: a reply to comment 1
    if reply := REPLY.match(line.text):
        line.reply, line.text = True, line.text[reply.end() :].strip()
        line.reply_to = (reply["target"] or "").strip() or None
    if head := AUTHOR_TIME.match(line.text):
        author = head["author"].strip()
        if 0 < len(author.split()) <= _MAX_AUTHOR_WORDS:
            line.author, line.time, line.text = author, head["time"] or head["time2"], ""
    elif says := SAYS.match(line.text):
        author, rest = (says["author"] or says["author2"] or "").strip(), says["rest"].strip()
        if 0 < len(author.split()) <= _MAX_AUTHOR_WORDS and (not rest or TIME.match(rest)):
            line.author, line.time, line.text = author, rest or None, ""
    return line


def _drafts(comments: list[_Comment]) -> list[DraftComment]:
    """Drop header-only comments, renumbering reply links to the kept ones."""
    kept: dict[int, int] = {}
    drafts: list[DraftComment] = []
    for n, comment in enumerate(comments):
        if not comment.lines:
            continue
        kept[n] = len(drafts)
        published = normalise_datetime(comment.time)
        drafts.append(
            DraftComment(
                text="\n".join(comment.lines),
                author=comment.author,
                published_at=published,
                published_label=None if published else comment.time,
                parent_index=kept.get(comment.parent) if comment.parent is not None else None,
            )
        )
    return drafts
