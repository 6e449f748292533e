"""The labels table (newsdigest.labels): checked once, and the only labels items may
take.
"""

from __future__ import annotations

from newsdigest.labels import DEFAULT_LABELS, label_problems
from tests.helpers import checked


# --- Labels and dates: the rules -------------------------------------------------
def test_labels_table_is_checked_once_with_the_key_named():
    assert label_problems(DEFAULT_LABELS) == []
    problems = label_problems(
        {"Fact Check": {"name": "Fact check"}, "opinion": "Opinion"}
    )
    fields = [p.field for p in problems]
    assert 'DIGEST_CONTENT["labels"]["Fact Check"]' in fields
    assert 'DIGEST_CONTENT["labels"]["opinion"]' in fields
    assert any("no 'news' label" in p.message for p in problems)
    assert label_problems([]) and label_problems({})


def test_items_accept_exactly_the_labels_of_the_table():
    labels = {"news": {}, "fact-check": {}}
    assert checked(label="fact-check", labels=labels).ok
    refused = checked(label="opinion", labels=labels)
    (problem,) = refused.problems
    assert "news, fact-check" in problem.fix
    assert not checked(label=["news"]).ok
