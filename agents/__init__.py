"""The stages, in pipeline order: each module holds a pure function and its `STAGE` spec."""

from agents import entities, language, moderation, parse
from agents.stage import AnyStage

STAGES: tuple[AnyStage, ...] = (parse.STAGE, language.STAGE, entities.STAGE, moderation.STAGE)

__all__ = ["STAGES"]
