"""The answer engine: normalise, triage, retrieve, decide. Pure Python, no Discord."""

from bot.engine.engine import Candidate, Decision, Engine, Learned, Outcome
from bot.engine.index import BM25Params
from bot.engine.render import Card, Reply, render_decision, reply_text

__all__ = [
    "BM25Params",
    "Candidate",
    "Card",
    "Decision",
    "Engine",
    "Learned",
    "Outcome",
    "Reply",
    "render_decision",
    "reply_text",
]
