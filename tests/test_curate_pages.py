"""Imports of news pages in six languages, as their outlets publish them
(tests/fixtures/pages/<lang>-<outlet>.html): the headline without furniture,
the outlet's name, the publication date, and quotes that are quotations
credited to the people who spoke them.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from newsdigest.curate.article import draft_from_article
from newsdigest.curate.catalogue import Catalogue
from newsdigest.curate.extract import extract_article
from newsdigest.model.topics import Topic
from tests.helpers import body, front, published_problems, run, written

PAGES = Path(__file__).parent / "fixtures" / "pages"
TOPICS = {
    "world": Topic("world", "World", "International news and diplomacy.", 1),
    "science": Topic(
        "science", "Science", "Research, space, astronomy and discoveries.", 2
    ),
    "politics": Topic(
        "politics", "Politics", "Governments, parliaments, elections and laws.", 3
    ),
    "economy": Topic(
        "economy", "Economy", "Markets, budgets, taxes, pensions and jobs.", 4
    ),
}
TOPICS_YML = "".join(
    f"{t.slug}:\n  name: {t.name}\n  description: {t.description}\n  order: {t.order}\n"
    for t in TOPICS.values()
)
EXPECTED = {
    "en-dw": {
        "title": "Uncork the mystery of Germany's Frühburgunder",
        "slug": "uncork-the-mystery-of-germanys-fruhburgunder",
        "source": "DW",
        "source_date": "2013-06-10",  # 09:41 without an offset: the day only
        "speakers": ["Werner Näkel", "Werner Näkel", "Professor Ernst Rühl"],
    },
    "en-nature": {
        "title": "Giant planet found orbiting a tiny red dwarf star",
        "slug": "giant-planet-found-orbiting-a-tiny-red-dwarf-star",
        "source": "Nature",
        "source_date": "2019-06-20",
        "speakers": [],  # a paper title in quotation marks is not a quote
    },
    "de-spiegel": {
        "title": "Heizungsgesetz: Bundestag beschließt Gebäudeenergiegesetz",
        "slug": "heizungsgesetz-bundestag-beschliesst-gebaudeenergiegesetz",
        "source": "DER SPIEGEL",
        "source_date": "2023-09-08T13:25:00+02:00",
        "speakers": ["Robert Habeck", "Friedrich Merz", "Friedrich Merz"],
    },
    "fr-lemonde": {
        "title": "Réforme des retraites : Elisabeth Borne engage la responsabilité "
        "du gouvernement avec le 49.3",
        "slug": "reforme-des-retraites-elisabeth-borne-engage-la",
        "source": "Le Monde",
        "source_date": "2023-03-16T15:27:31+01:00",
        "speakers": ["Elisabeth Borne", "Marine Le Pen", "Olivier Véran"],
    },
    "es-elpais": {
        "title": "Sánchez defiende la ley de amnistía ante el Congreso: "
        "\u201cEs la mejor opción para la convivencia\u201d",
        "slug": "sanchez-defiende-la-ley-de-amnistia-ante-el-congreso-es-la",
        "source": "EL PAÍS",
        "source_date": "2023-11-15T12:30:00+01:00",
        "speakers": ["Pedro Sánchez", "Alberto Núñez Feijóo", "Cuca Gamarra"],
    },
    "pt-publico": {
        "title": "Governo aprova aumento extraordinário das pensões a partir de julho",
        "slug": "governo-aprova-aumento-extraordinario-das-pensoes-a-partir",
        "source": "PÚBLICO",
        "source_date": "2023-05-11T18:45:00+01:00",
        "speakers": ["António Costa", "Fernando Medina", "Maria do Rosário Gama"],
    },
    "it-corriere": {
        "title": "Manovra, Giorgetti: «Conti in ordine, nessun taglio alla sanità»",
        "slug": "manovra-giorgetti-conti-in-ordine-nessun-taglio-alla-sanita",
        "source": "Corriere della Sera",
        "source_date": "2023-10-16",  # 21:10 without an offset or a declared zone
        "speakers": ["Giancarlo Giorgetti", "Elly Schlein", "Maurizio Leo"],
    },
}
OPENING_MARK = "[\u201e\u201c\u201d\u00ab\u00bb\"']\\s?"


def page_text(name: str) -> str:
    return (PAGES / f"{name}.html").read_text(encoding="utf-8")


def quoted_in_page(text: str, page: str) -> bool:
    """The quote is the page's text right after an opening quotation mark."""
    text = text.removesuffix(" [\u2026]")
    return re.search(OPENING_MARK + re.escape(text), page) is not None


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_page_to_draft(name, tmp_path):
    expected = EXPECTED[name]
    article = extract_article((PAGES / f"{name}.html").read_bytes(), "")
    catalogue = Catalogue(tmp_path, topics=dict(TOPICS))
    draft, notes = draft_from_article(
        article, catalogue, now=dt.datetime(2024, 1, 2, tzinfo=dt.UTC)
    )
    assert draft.title == expected["title"]
    assert draft.slug == expected["slug"]
    assert draft.source == expected["source"]
    assert draft.front_matter()["source_date"] == expected["source_date"]
    speakers = re.findall(r"^\u2014 (.+), via ", draft.body, flags=re.M)
    assert speakers == expected["speakers"]
    quotes = re.findall(r"^> \u201c(.+)\u201d$", draft.body, flags=re.M)
    assert len(quotes) == len(speakers)
    page = page_text(name)
    for quote in quotes:
        assert quoted_in_page(quote, page), quote
        assert quote not in article.description  # never the standfirst
    assert (
        "summary: the outlet's own description, to be rewritten in our words." in notes
    )


def test_a_section_matched_to_a_declared_topic_says_how_sure(tmp_path):
    article = extract_article((PAGES / "en-nature.html").read_bytes(), "")
    catalogue = Catalogue(tmp_path, topics=dict(TOPICS))
    draft, notes = draft_from_article(
        article, catalogue, now=dt.datetime(2024, 1, 2, tzinfo=dt.UTC)
    )
    assert draft.topic == "science"
    assert (
        "topic: science (guessed from section 'Astronomy and astrophysics', "
        "low confidence)"
    ) in notes


@pytest.fixture
def digest(make_project):
    project = make_project()
    project.write("content/topics.yml", TOPICS_YML)
    return project


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_add_each_language_over_http(name, digest, http_server):
    """`newsdigest add URL` of each page served by a real HTTP server."""
    expected = EXPECTED[name]
    if name == "it-corriere":
        # The outlet's timezone, declared once, makes its offset-less times exact.
        digest.write(
            "content/sources.yml",
            "Corriere della Sera:\n"
            "  homepage: https://www.corriere.it/\n"
            "  feed: https://xml2.corriereobjects.it/rss/homepage.xml\n"
            "  timezone: Europe/Rome\n",
        )
        expected = {**expected, "source_date": "2023-10-16T21:10:00+02:00"}
    url = http_server.add(f"/{name}", body=(PAGES / f"{name}.html").read_bytes())
    path = written(digest, run(digest, "add", "--allow-private-network", url))
    meta = front(path)
    assert meta["title"] == expected["title"]
    assert meta["slug"] == expected["slug"]
    assert meta["source"] == expected["source"]
    assert meta["source_date"] == expected["source_date"]
    assert meta["status"] == "draft"
    text = body(path)
    assert re.findall(r"^\u2014 (.+), via ", text, flags=re.M) == expected["speakers"]
    assert any(
        "summary: the outlet's own description" in note
        for note in meta["curator_notes"]
    )
    assert published_problems(digest, path) == []
