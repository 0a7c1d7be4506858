"""Fuzzy matching for the quick-add popup (pure: no Qt).

A query matches a candidate when its characters appear in order in it
(``"cv2"`` matches ``"Conv2d"``). Scores reward matches at the start of the
text and of words and runs of consecutive characters, like the "go to file"
boxes of code editors.
"""

from __future__ import annotations

from collections.abc import Iterable


def fuzzy_score(query: str, text: str) -> float | None:
    """Score how well ``query`` matches ``text``; None when it does not.

    Parameters
    ----------
    query
        What the user typed; case and spaces are ignored.
    text
        The candidate, e.g. a layer title.

    Returns
    -------
    float or None
        Higher is better; None when the characters of ``query`` do not all
        occur in order in ``text``.

    Examples
    --------
    >>> fuzzy_score("cv2", "Conv2d") is not None
    True
    >>> fuzzy_score("xyz", "Conv2d") is None
    True
    """
    q = query.lower().replace(" ", "")
    t = text.lower()
    if not q:
        return 0.0
    if q == t:
        return 1000.0
    score = 0.0
    pos = 0
    previous = -2
    for ch in q:
        found = t.find(ch, pos)
        if found < 0:
            return None
        if found == 0:
            score += 8
        elif not t[found - 1].isalnum() or (text[found].isupper() and text[found - 1].islower()):
            score += 6  # start of a word or of a CamelCase part
        if found == previous + 1:
            score += 4  # a run of consecutive characters
        score += 1 - 0.01 * (found - pos)  # small penalty for gaps
        previous, pos = found, found + 1
    if t.startswith(q):
        score += 20
    return score - 0.05 * len(t)


def fuzzy_filter(query: str, candidates: Iterable[tuple[str, ...]], limit: int = 50) -> list[str]:
    """The keys of the best matching candidates, best first.

    Parameters
    ----------
    query
        What the user typed.
    candidates
        ``(key, text, *more_texts)`` tuples; the best score over the texts
        counts (e.g. a layer's title and its type id).
    limit
        At most this many keys are returned.

    Returns
    -------
    list of str
        Keys ordered by score, ties kept in input order.
    """
    scored = []
    for index, (key, *texts) in enumerate(candidates):
        scores = [s for s in (fuzzy_score(query, t) for t in texts) if s is not None]
        if scores:
            scored.append((-max(scores), index, key))
    scored.sort()
    return [key for _, _, key in scored[:limit]]
