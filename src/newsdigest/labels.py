"""Labels: what kind of piece an item is (news, opinion, ...), one table for all.

The schema accepts only the labels declared here or in
``DIGEST_CONTENT["labels"]``, and the theme shows each label's name and
description from the same table, so a label cannot be valid but unnamed, or
named in the theme but refused by the schema.
"""

from __future__ import annotations

import re
from typing import Any

from newsdigest.problems import Problem

DEFAULT_LABELS: dict[str, dict[str, str]] = {
    "news": {
        "name": "News",
        "description": "Reporting of events and facts.",
    },
    "opinion": {
        "name": "Opinion",
        "description": "The writer's own view, argued.",
    },
    "analysis": {
        "name": "Analysis",
        "description": "Interpretation of the news by a specialist.",
    },
    "interview": {
        "name": "Interview",
        "description": "A conversation, in questions and answers.",
    },
    "explainer": {
        "name": "Explainer",
        "description": "Background that helps readers understand a subject.",
    },
}
DEFAULT_LABEL = "news"
KEY = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def label_problems(labels: Any) -> list[Problem]:
    """Why a ``DIGEST_CONTENT["labels"]`` table cannot be used, if it cannot."""
    field = 'DIGEST_CONTENT["labels"]'
    example = "{'news': {'name': 'News', 'description': 'Reporting of events.'}}"
    if not isinstance(labels, dict) or not labels:
        return [
            Problem(
                "settings",
                field=field,
                message="must be a non-empty mapping of label keys to name and "
                "description.",
                fix=f"Write e.g. {example}, or remove the key for the defaults.",
                check="settings",
            )
        ]
    problems = []
    for key, entry in labels.items():
        where = f'{field}["{key}"]'
        if not isinstance(key, str) or not KEY.match(key):
            problems.append(
                Problem(
                    "settings",
                    field=where,
                    message="is not a label key.",
                    fix="Use lowercase letters, digits and hyphens, e.g. 'fact-check'.",
                    check="settings",
                )
            )
        if (
            not isinstance(entry, dict)
            or set(entry) != {"name", "description"}
            or not all(isinstance(v, str) and v.strip() for v in entry.values())
        ):
            problems.append(
                Problem(
                    "settings",
                    field=where,
                    message="must have exactly a 'name' and a 'description', as text.",
                    fix=f"Write e.g. {example}.",
                    check="settings",
                )
            )
    if DEFAULT_LABEL not in labels:
        problems.append(
            Problem(
                "settings",
                field=field,
                message=f"has no '{DEFAULT_LABEL}' label, which items without a "
                "'label' get.",
                fix=f"Keep a '{DEFAULT_LABEL}' entry.",
                check="settings",
            )
        )
    return problems


def label_name(label: str, labels: dict[str, dict[str, str]] | None = None) -> str:
    """The label's display name; an unknown key (older theme data) is titled."""
    entry = (labels or DEFAULT_LABELS).get(label)
    return entry["name"] if entry else label.title()


def label_description(
    label: str, labels: dict[str, dict[str, str]] | None = None
) -> str:
    entry = (labels or DEFAULT_LABELS).get(label)
    return entry["description"] if entry else ""
