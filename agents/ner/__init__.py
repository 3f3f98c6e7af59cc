"""Multilingual named-entity tagging (the engine of the entities stage): see tagger.py."""

from agents.ner.mentions import Mention
from agents.ner.tagger import VERSION, EntityTagger, primary_language

__all__ = ["VERSION", "EntityTagger", "Mention", "primary_language"]
