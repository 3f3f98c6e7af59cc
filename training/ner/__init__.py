"""Rebuild the entity tagger's shipped files (agents/ner/data/) from ../shared/data."""
