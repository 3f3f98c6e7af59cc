"""An entity mention as the tagger returns it, and the clean-ups that work on mentions."""

from __future__ import annotations

from dataclasses import dataclass, replace

from agents.ner.text import lookup_key


@dataclass(frozen=True, slots=True)
class Mention:
    text: str
    type: str  # PER | ORG | LOC | MISC
    start: int
    end: int
    confidence: float
    canonical: str
    creator: str  # component@version


def link_name_parts(mentions: list[Mention], profile: str) -> list[Mention]:
    """«وأضاف وارين» after «ستيف وارين»: a one-word person mention that is a word of exactly one
    longer person name in the same text gets that name's canonical value."""
    owners: dict[str, set[str]] = {}
    for m in mentions:
        words = lookup_key(m.text, profile).split(" ")
        if m.type == "PER" and len(words) >= 2:
            for word in words:
                owners.setdefault(word, set()).add(m.canonical)
    if not owners:
        return mentions
    linked = []
    for m in mentions:
        key = lookup_key(m.text, profile)
        names = owners.get(key, set()) if m.type == "PER" and " " not in key else set()
        linked.append(replace(m, canonical=next(iter(names))) if len(names) == 1 else m)
    return linked
