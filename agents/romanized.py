"""Languages written in Latin letters that no detector here was trained on.

fastText lid.176, CLD2 and lingua learned Arabic and Hindi in their own scripts only, so
transliterated text gets a random Latin-script answer (romanised Hindi came out as sn, st, en,
sw, ts, ... in HateCheck hi; Arabizi likewise). Two hand-made signals (chosen a priori from the
languages' grammar, not tuned on data) catch the common cases:

* Arabizi: digits used as letters inside words (3=ع, 7=ح, 2=ء ...) or distinctive Arabic words.
  No component here reads it, so the pipeline answers "und" rather than a wrong language.
* Romanised Hindi ("Hinglish"): the function words of Hindi grammar (postpositions, pronouns,
  auxiliaries, negation) written in Latin letters. The pipeline answers "hi": moderation has a
  model for romanised Hindi.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")

_ARABIZI_DIGIT_WORD = re.compile(
    r"\b(?:[a-z]+[235679][a-z]+|[235679](?!aad\b)[a-z]{3,})\b"
)  # lower-case only:
# "ma3ak", "ba7ebak", "7abibi", "3ala"; not "3kg", "5th", "3G", "N9ne", "6Piano", Somali "7aad"
_ARABIZI_WORDS = frozenset(
    """habibi habibti inshallah inshalla insha'allah wallah wallahi yalla
yallah shukran mashallah alhamdulillah hamdulillah el7amdulillah akhi ukhti mabrook mabruk
bahebak bahebek ba7ebak ba7ebek enta enti ahlan marhaba salam""".split()
)

# Hindi words that are rare or absent as words of the European, African and Austronesian
# languages the detectors confuse Hinglish with: auxiliaries, pronouns, postpositions, negation,
# question words and the commonest verbs, in the usual spellings.
_HINDI_STRONG = frozenset(
    """hai hain hoon nahi nahin nhi mujhe mujhko humko hume humein tumhe tumko tumhara
tumhari tumhare aapka aapki aapke hamara hamari hamare uska uski
uske iska iski iske unka unki unke inka inki inke unko inko unhe inhe jinhe jinko kya kyun kyon
kaise kaisa kahan kaun kuch bahut bohot bahot lekin sirf jaise jaisa jaisi chahiye sakta sakte
sakti karna karne karte karta karti kiya kiye hota hote hoti hona rahe rahi gaya gaye gayi
wale wala waale waala logon hamesha kabhi abhi yahan wahan aur bhi tha thi yeh woh liye chahta
chahti chahte sabse saath sath kyunki phir bilkul zyada jyada unhone maine humne tumne aapne apne
apna apni khud kisi kisiko dena karo karke hoga hogi honge hua hui huye diya diye liya wahi yahi
tarah accha achha aisa aisi aise kitna kitne mujhse tumse unse inse humse samajh matlab""".split()
)
# Frequent in Hindi but also words elsewhere (main, to, se, par, log ...): they only add to a
# text that already has strong words.
_HINDI_WEAK = frozenset(
    """ko ka ki ke se mein main mai me ye wo vo ho hum tum aap ap sab koi log par pe na mat ji
to hi jo jab tab agar toh kar de le hun hu mera meri mere tera teri tere raha wali jana hue kam
pata""".split()
)
# Two strong words in a text that is 30 % Hindi function words, or one in a text that is 40 %
# (short comments: "gays keede hain."). A priori, like the lists.
HINDI_SHARE_FOR_STRONG = {1: 0.4, 2: 0.3}


def looks_arabizi(flat: str) -> bool:
    if _ARABIZI_DIGIT_WORD.search(flat):
        return True
    return any(w in _ARABIZI_WORDS for w in _WORD.findall(flat.lower()))


def romanized_hindi_share(flat: str) -> float:
    """Share of the words that are Hindi function words; 0.0 when the text has too few
    unambiguous ones for its length (see HINDI_SHARE_FOR_STRONG)."""
    words = _WORD.findall(flat.lower())
    strong = sum(w in _HINDI_STRONG for w in words)
    if not strong:
        return 0.0
    share = (strong + sum(w in _HINDI_WEAK for w in words)) / len(words)
    return share if share >= HINDI_SHARE_FOR_STRONG[min(strong, 2)] else 0.0
