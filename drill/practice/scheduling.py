"""Which templates are due for spaced review (the cards themselves are in drill.store.scheduling)."""

from __future__ import annotations

from typing import Collection, Sequence

Card = tuple[str, float, int]  # (question id, due as Unix seconds, reviews), as the store lists them


def review_cards(cards: Sequence[Card], known: Collection[str], count: int, now: float) -> tuple[list[Card], list[Card]]:
    """(the due cards, most overdue first, at most ``count``; every card of a question in the bank,
    soonest due first). ``cards`` come soonest due first; a card whose question is gone is left out."""
    kept = [c for c in cards if c[0] in known]
    return [c for c in kept if c[1] <= now][:count], kept


def next_due(cards: Sequence[Card], now: float, n: int = 3) -> str:
    """'id in 8 min, id in 2 days, …' for the first ``n`` cards."""
    from drill.store.scheduling import until

    return ", ".join(f"{qid} in {until(when - now)}" for qid, when, _ in cards[:n])
