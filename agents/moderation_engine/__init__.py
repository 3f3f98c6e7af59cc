"""Comment moderation engine (stage 4's model): see `moderator.py`. Rebuilt from public data by
the scripts in training/moderation/; measured by bench/moderation_eval.py."""

from agents.moderation_engine.moderator import CommentModerator, Verdict, primary_language

__all__ = ["CommentModerator", "Verdict", "primary_language"]
