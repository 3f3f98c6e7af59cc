"""Layout of a raw article as scraped from a news site (like the seed): headline, byline and
time lines, paragraphs, agency attribution, dateline, site boilerplate, and where the reader
comment block starts (its counted header: «تعليق واحد», "3 comments", «12 commentaires», …).
Pure text in, `RawLayout` out; the comment block itself is split by
`agents.formats.text_comments`.

Patterns are per language where sites word things differently (ar, en, fr, de, es, it, pt, ru,
tr, zh, fa). Every boilerplate pattern matches a whole, short line only: a sentence that merely
starts with "Share" ("Share prices fell …") is copy, not a share button.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from agents.formats.dates import normalise_datetime

# Inline ad slots such as «[ads3]» left by the site's template.
AD_MARKER = re.compile(
    r"\[\s*(?:ads?|advert\w*|advertisement|إعلان|اعلان|anzeige|publicité|реклама|reklam|广告)"
    r"\s*\d*\s*\]",
    re.IGNORECASE,
)

_BOILERPLATE = [
    # Comment disclaimers: "the comments do not reflect the opinion of …".
    r"التعليقات\ المنشورة\ لا\ تعبر.* | (?:الآراء|التعليقات)\ الواردة.{0,40}لا\ تعبر.*",
    r"(?:comments?|the\ views)\ (?:are|do\ not|expressed).{0,80}(?:opinion|views?).*",
    r"les\ commentaires\ (?:publiés\ )?n['’]engagent.* | les\ propos\ tenus.{0,60}n['’]engagent.*",
    r"(?:die\ )?kommentare\ (?:geben|spiegeln)\ nicht.{0,60}(?:meinung|wider).*",
    r"los\ comentarios\ .{0,60}no\ (?:reflejan|representan).*",
    r"мнение\ редакции\ может\ не\ совпадать.* | комментарии\ .{0,40}не\ отражают.*",
    r"(?:okur\ )?yorumlar(?:ın|ı)?\ .{0,60}(?:sorumlu|ait\ değil|yansıtmaz).*",
    r"网友评论仅供其表达个人看法.* | 本站不保证评论.*",
    # Share, follow, subscribe, read-also.
    r"(?:share|tweet|email|e-mail|print|pin\ it)(?:\ (?:this|the))?"
    r"(?:\ (?:article|story|page|post))?(?:\ (?:on|via|to|with)\ [\w\ ]{1,20})?\s*:?",
    r"(?:(?:facebook|twitter|x|whatsapp|telegram|linkedin|email|e-mail|print|reddit|pinterest"
    r"|messenger|copy\ link)[\s|·•,/]*){2,}",
    r"(?:subscribe|sign\ up|register|join)\b.{0,60}"
    r"\b(?:newsletter|updates|alerts|inbox|free)\b.{0,30}",
    r"subscribe(?:\ (?:now|here|today))?!?",
    r"follow\ us\b.{0,60}",
    r"(?:read\ more|read\ also|related(?:\ (?:articles|stories|news|content|topics))?|see\ also"
    r"|more\ on\ this(?:\ story)?|recommended(?:\ for\ you)?|most\ read|trending(?:\ now)?"
    r"|you\ may\ also\ like)\b\s*:?.{0,100}",
    r"(?:partager|partagez)(?:\ (?:sur|cet\ article|l['’]article)\b.{0,40})?\s*:?",
    r"abonnez-vous\b.{0,60}",
    r"(?:à\ )?lire\ aussi\b\s*:?.{0,100} | newsletter\ .{0,40}inscri.{0,40}",
    r"(?:artikel\ |jetzt\ )?teilen(?:\ (?:auf|per|via)\ \w+)?\s*:?",
    r"lesen\ sie\ (?:auch|mehr)\b.{0,100}",
    r"mehr\ zum\ thema\b.{0,100} | (?:jetzt|newsletter)\ abonnieren\b.{0,40}",
    r"compartir(?:\ en\ \w+)?\s*:? | (?:lee|lea)\ (?:también|más)\b.{0,100} | suscríbete\b.{0,60}",
    r"te\ puede\ interesar\b.{0,100} | leggi\ anche\b.{0,100} | condividi(?:\ su\ \w+)?\s*:?",
    r"leia\ (?:também|mais)\b.{0,100} | compartilh(?:e|ar)(?:\ no\ \w+)?\s*:?",
    r"поделиться(?:\ в\ \w+)?\s*:? | читайте\ (?:также|еще|ещё)\b.{0,100}",
    r"подпи(?:сывайтесь|шитесь)\b.{0,80}",
    r"paylaş\s*:? | (?:ilgili\ haberler|ayrıca\ okuyun|ilginizi\ çekebilir)\b.{0,100}",
    r"abone\ ol\b.{0,40}",
    r"(?:شارك|شاركها|شارك\ الخبر|شارك\ المقال|شارك\ على\ \w+)\s*:? | تابعونا\b.{0,60}",
    r"(?:اقرأ\ أيضا|اقرأ\ أيضاً|اقرأ\ المزيد|إقرأ\ أيضا|اقرأ\ ايضا)\b.{0,100}",
    r"تابعنا\ على\b.{0,40}",
    r"اشترك(?:\ في\ النشرة.{0,40}|\ الآن)? | اضغط\ هنا\b.{0,60}",
    r"بیشتر\ بخوانید\b.{0,100} | اشتراک\ گذاری\s*:?",
    r"分享到.{0,40} | (?:相关阅读|延伸阅读|相关新闻|推荐阅读)\s*[:：]?.{0,100}",
    r"责任编辑\s*[:：].{0,40}",
    r"(?:点击|扫码)关注.{0,40}",
    # Ads, cookies, copyright.
    r"[-—–\s]*(?:advertisement|advertising|sponsored(?:\ content)?|anzeige|werbung|publicité"
    r"|publicidad|pubblicità|реклама|reklam|إعلان|اعلان|تبليغات|广告|スポンサーリンク)[-—–\s]*",
    r"we\ use\ cookies\b.{0,200} | (?:©|\(c\)|copyright)\s.{0,120}",
    # Comment-form and thread controls.
    r"(?:leave\ a\ (?:reply|comment)|add\ (?:a\ )?comment|post\ (?:a\ )?comment|write\ a\ comment"
    r"|log\ in\ to\ comment|(?:load|show|view)\ (?:more|all)\ comments)\s*:?",
    # Action rows under each comment: «Reply · Like · 3», «رد | إعجاب».
    r"(?:(?:reply|like|report|رد|إعجاب|إبلاغ|répondre|j['’]aime|signaler|antworten|gefällt\ mir"
    r"|melden|responder|me\ gusta|denunciar|ответить|нравится|пожаловаться|yanıtla|beğen"
    r"|şikayet\ et|回复|点赞|举报)[\s·•|:]*\d*[\s·•|]*){1,4}",
    r"(?:أضف\ تعليق(?:اً|ا)?|اترك\ تعليقا|ajouter\ un\ commentaire|laisser\ un\ commentaire"
    r"|kommentar\ schreiben|deja\ (?:un|tu)\ comentario|написать\ комментарий"
    r"|оставить\ комментарий|yorum\ (?:yap|yaz)|发表评论)\s*:?",
    # A line of nothing but punctuation: "___", "* * *", "—".
    r"[\W_]{1,20}",
]
_BOILERPLATE_MAX_CHARS = 300
# Anywhere in a short line. Plain substring tests: as a leading `.{0,80}` in the pattern above
# this cost more than all the other patterns together, and as a regex search still 5 µs a line.
RIGHTS_RESERVED = (
    "all rights reserved", "tous droits réservés", "alle rechte vorbehalten",
    "todos los derechos reservados", "все права защищены", "tüm hakları saklıdır",
    "جميع الحقوق محفوظة", "版权所有",
)  # fmt: skip
_RIGHTS_LINE_MAX_CHARS = 160
BOILERPLATE_LINE = re.compile("^(?:" + " | ".join(_BOILERPLATE) + ")$", re.IGNORECASE | re.VERBOSE)

# The counted header that opens the comment thread.
COMMENT_HEADER = re.compile(
    r"""^(?:
        تعليق\ واحد | تعليقان | لا\ توجد\ تعليقات | \d+\ تعليقا?ت? |
        (?:التعليقات|تعليقات)\ ?\(\d+\) |
        (?:one|1)\ (?:comment|response|reply|reaction) |
        (?:\d+|no|zero)\ (?:comments|responses|replies|reactions) |
        \d+\ (?:thoughts?|responses?)\ (?:on|to)\ .{1,200} |
        (?:\d+|un|aucun)\ (?:commentaires?|réactions?) | (?:\d+|ein|keine)\ kommentare? |
        (?:\d+|un|ningún)\ comentarios? | \d+\ comentários? | (?:\d+|un)\ comment[oi] |
        (?:\d+|один)\ комментари\w* | \d+\ yorum | bir\ yorum |
        \d+\ ?条评论 | \d+件のコメント | \d+\ (?:نظر|دیدگاه) |
        (?:comments|commentaires|kommentare|comentarios|commenti|comentários|комментарии|yorumlar
           |التعليقات|评论|コメント|نظرات)\s*[(:（]?\s*\d+\s*[)）]?
    )\s*:?$""",
    re.IGNORECASE | re.VERBOSE,
)

# Trailing agency attribution: «… هناك. (ANADOLU)», «(AFP)», «(رويترز)». Letters only: «(2014)»
# is not an agency, and neither is «(marché couvert)»: see `is_agency`.
AGENCY_TAIL = re.compile(r"\s*[(\[](?P<agency>[^\W\d_][^()\[\]\d]{1,24})[)\]]\s*$")
# Agencies whose names are not written in capitals, or not in Latin letters.
KNOWN_AGENCIES = frozenset(
    "reuters dpa efe xinhua ansa anadolu kyodo yonhap interfax bernama "
    "الأناضول رويترز سانا واس وام قنا كونا وفا إرنا شينخوا الفرنسية".split()
) | {"أ ف ب", "د ب أ", "europa press", "associated press", "agence france-presse"}

# «WASHINGTON (AP) — », «PARIS, 12 mars (AFP) - », «İSTANBUL (AA) - », «МОСКВА, 22 ноя - »: a
# capitalised place (checked in code: scripts differ), optional date and agency, then a dash.
DATELINE = re.compile(
    r"^(?P<place>[^\W\d_][^\W\d_ .'’-]*(?:[ .'’-]{1,2}[^\W\d_]+){0,3}?)(?:,\s*[^()—–-]{1,25}?)?\s*"
    r"(?:\((?P<agency>[^()\d]{1,15})\))?\s*\.?[—–-]{1,2}\s+"
)
# «МОСКВА, 22 ноября. /ТАСС/.», «MOSCOW, Nov 22 /TASS/.»: the agency between slashes.
SLASH_DATELINE = re.compile(
    r"^(?P<place>[^\W\d_][^\W\d_ .'’-]{1,40}?),\s*[^/]{1,25}?\s*/(?P<agency>[^/\d]{2,15})/\.?\s+"
)
ARABIC_DATELINE = re.compile(
    r"^(?P<place>[\u0600-\u06FF]{2,15}(?: [\u0600-\u06FF]{2,15})?)\s*"
    r"(?:\((?P<agency>[^()\d]{1,15})\))?\s*[—–-]\s+"
)
# «新华社北京11月24日电（记者 张三）»: agency, place, date, optional reporter.
CHINESE_DATELINE = re.compile(
    r"^(?P<agency>新华社|中新社|中新网|人民网|央视新闻)(?P<place>[\u4e00-\u9fff]{2,8}?)"
    r"\d{1,2}月\d{1,2}日(?:电|讯)(?:\s*[（(](?:记者)?\s*(?P<byline>[^）)]{1,40})[）)])?"
)
# A byline line under the headline: «By Jane Doe», «Par Jean Dupont», «بقلم: …».
BYLINE_LINE = re.compile(
    r"^(?:by|par|von|por|di|door|от|автор|yazan|بقلم|بواسطة|作者|记者)\s*[:：]?\s*"
    r"(?P<name>[^\d,.;:!?()]{2,60}?)(?:(?:\s*[,|]|\s+[–—-])\s*[^\d]{1,50})?$",
    re.IGNORECASE,
)
_PLACE_PARTICLES = {"de", "da", "do", "del", "della", "di", "la", "le", "les", "el", "al", "am"}
_PLACE_PARTICLES |= {"an", "on", "upon", "sur", "en", "du", "des", "van", "von", "der", "y", "i"}
_NAME_CONNECTORS = {"and", "&", "und", "et", "y", "e", "и", "ve", "و", "van", "de", "der", "von"}
# «Published: Tue, 24 Nov 2026 07:45 GMT», «Publié le 2026-11-24T07:45:00+01:00».
TIME_LINE_LABEL = re.compile(
    r"^(?:published|updated|posted|publié(?:\ le)?|mis\ à\ jour(?:\ le)?|veröffentlicht(?:\ am)?"
    r"|aktualisiert(?:\ am)?|publicado(?:\ el)?|actualizado|pubblicato|опубликовано|обновлено"
    r"|yayınlanma(?:\ tarihi)?|güncelleme|نشر\ في|تاريخ\ النشر|发布时间|更新时间)\s*[:：]?\s*",
    re.IGNORECASE | re.VERBOSE,
)
_COMMENT_HEADER_MAX_CHARS = 250  # «3 thoughts on “<a headline>”» is the longest form
_HEADER_LINES = 3  # byline and time lines are looked for this far under the headline

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200b\u2060\ufeff]")


@dataclass(slots=True)
class RawLayout:
    headline: str
    paragraphs: list[str]  # the story under the headline, attribution still in place
    comment_lines: list[str] = field(default_factory=list)
    byline: str | None = None
    published_at: str | None = None


@dataclass(slots=True)
class Attribution:
    paragraphs: list[str]
    agency: str | None = None
    dateline: str | None = None
    byline: str | None = None


def normalise(text: str) -> str:
    """NFC, ad markers and zero-width characters removed, runs of spaces collapsed, trimmed."""
    text = AD_MARKER.sub(" ", _INVISIBLE.sub("", unicodedata.normalize("NFC", text)))
    return _SPACES.sub(" ", text).strip()


def headline_of(text: str) -> str:
    """The first non-empty line: also what a feeder uses to derive a stable id."""
    for line in text.splitlines():
        if (cleaned := normalise(line)) and not is_boilerplate(cleaned):
            return cleaned
    return ""


def is_boilerplate(line: str) -> bool:
    # Site furniture is short; a long line is copy. Skipping the pattern for those is most of
    # the parse stage's regex time on long paragraphs.
    if len(line) > _BOILERPLATE_MAX_CHARS:
        return False
    if len(line) <= _RIGHTS_LINE_MAX_CHARS:
        folded = line.casefold()
        if any(phrase in folded for phrase in RIGHTS_RESERVED):
            return True
    return bool(BOILERPLATE_LINE.match(line))


def is_comment_header(line: str) -> bool:
    return len(line) <= _COMMENT_HEADER_MAX_CHARS and bool(COMMENT_HEADER.match(line))


def split_paragraphs(text: str) -> list[str]:
    """Every non-empty, non-boilerplate line is a paragraph (sites use one or two newlines)."""
    lines = (normalise(line) for line in text.splitlines())
    return [line for line in lines if line and not is_boilerplate(line)]


def parse_layout(text: str) -> RawLayout:
    lines = [normalise(line) for line in text.splitlines()]
    header_at = next((i for i, line in enumerate(lines) if is_comment_header(line)), None)
    story_lines = lines if header_at is None else lines[:header_at]
    comment_lines = [] if header_at is None else lines[header_at + 1 :]
    paragraphs = [line for line in story_lines if line and not is_boilerplate(line)]
    if not paragraphs:
        return RawLayout(headline="", paragraphs=[], comment_lines=comment_lines)
    layout = RawLayout(paragraphs[0], paragraphs[1:], comment_lines)
    _take_header_lines(layout)
    return layout


def _take_header_lines(layout: RawLayout) -> None:
    """A byline or a publication-time line right under the headline is data, not copy."""
    for line in list(layout.paragraphs[:_HEADER_LINES]):
        if layout.byline is None and (byline := byline_of(line)):
            layout.byline = byline
        elif layout.published_at is None and (
            published := normalise_datetime(TIME_LINE_LABEL.sub("", line, count=1))
        ):
            layout.published_at = published
        else:
            break
        layout.paragraphs.remove(line)


def byline_of(line: str) -> str | None:
    """The name(s) in a byline line. In cased scripts every name is capitalised, so "By noon
    the rain had stopped" stays copy; a one-word name takes no trailing clause, so "By Monday,
    the port had reopened." does too."""
    match = BYLINE_LINE.match(line)
    if not match:
        return None
    name, tail = match["name"].strip(), line[match.end("name") :].strip()
    words = [w for w in name.split() if w.lower() not in _NAME_CONNECTORS]
    cased = [w for w in words if w[0].lower() != w[0].upper()]
    if not words or any(not w[0].isupper() for w in cased):
        return None
    if tail and (len(words) < 2 or tail.endswith((".", "!", "?"))):
        return None
    return name


def extract_attribution(paragraphs: list[str]) -> Attribution:
    """Take the trailing agency attribution off the body and read the dateline, if any.
    The dateline stays in the text (it is part of the copy); the attribution is data."""
    body = list(paragraphs)
    found = Attribution(body)
    if body and (match := AGENCY_TAIL.search(body[-1])) and is_agency(match["agency"]):
        found.agency = match["agency"].strip()
        body[-1] = body[-1][: match.start()].rstrip()
        if not body[-1]:
            body.pop()
    if not body:
        return found
    first = body[0]
    if match := CHINESE_DATELINE.match(first):
        found.agency = found.agency or match["agency"]
        found.dateline, found.byline = match["place"], match["byline"]
        return found
    for pattern in (DATELINE, SLASH_DATELINE, ARABIC_DATELINE):
        match = pattern.match(first)
        if match and (pattern is ARABIC_DATELINE or _is_place(match["place"])):
            found.dateline = match["place"].strip()
            agency = match["agency"].strip() if match["agency"] else None
            found.agency = found.agency or agency
            break
    return found


def is_agency(name: str) -> bool:
    """An attribution in brackets names an agency when it is a known one or written in capitals
    like a wire credit («ANADOLU», «AFP», «A.A.»); «(marché couvert)» is just a bracket."""
    name = name.strip()
    if name.casefold() in KNOWN_AGENCIES:
        return True
    letters = [c for c in name if c.isalpha()]
    return bool(letters) and len(name.split()) <= 3 and all(c.isupper() for c in letters)


def _is_place(place: str) -> bool:
    """A dateline's place is capitalised: «PARIS», «Berlin», «Rio de Janeiro», not «He said»."""
    words = place.split()
    if not words or len(words) > 4 or not words[-1][0].isupper():
        return False
    return all(w[0].isupper() or w.lower() in _PLACE_PARTICLES for w in words)
