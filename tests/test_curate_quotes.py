"""Quotations and their speakers (newsdigest.curate.quotes), in six languages.

Each row is one paragraph as outlets write it, and the speaker the draft must
credit (None: the quotation is left out, because nobody is named).
"""

from __future__ import annotations

import time

import pytest

from newsdigest.curate.quotes import find_quotes, quotations

ATTRIBUTED = [
    # English
    (
        '"We will not accept cuts to any hospital budget," said Ana Ortega.',
        "Ana Ortega",
    ),
    ('"We will not accept cuts to any hospital budget," Ms Ortega said.', "Ms Ortega"),
    ('Jane Doe said: "We will not accept cuts to any hospital budget."', "Jane Doe"),
    (
        "Ana Ortega, the minister, declared that "
        '"we will not accept any cut to any hospital budget."',
        "Ana Ortega",
    ),
    (
        '"We are ready to talk to anyone who wants peace," Jane Doe told Reuters.',
        "Jane Doe",
    ),
    (
        "According to Jane Doe, “the budget will not be cut this year at all.”",
        "Jane Doe",
    ),
    (
        "“The numbers are encouraging but not a licence,” warned Tom Okafor, "
        "a researcher.",
        "Tom Okafor",
    ),
    (
        '"Our proposals aim at a new system of agreements," Foreign Minister '
        "Sergei Lavrov stated.",
        "Sergei Lavrov",
    ),
    # German
    ("„Das ist ein guter Tag für Europa“, sagte Merkel.", "Merkel"),
    (
        "Merkel sagte: „Das ist ein guter Tag für Europa und für uns.“",
        "Merkel",
    ),
    (
        "„Wir müssen jetzt handeln, sonst ist es zu spät“, so Scholz.",
        "Scholz",
    ),
    (
        "Dazu erklärte der Außenminister Heiko Maas: "
        "„Wir werden nicht nachgeben, niemals.“",
        "Heiko Maas",
    ),
    (
        "»Wir werden das Gesetz zurücknehmen, ganz sicher«, betonte "
        "Wirtschaftsminister Robert Habeck.",
        "Robert Habeck",
    ),
    (
        "„Das Verfahren war von Anfang an falsch angelegt“, sagte die "
        "Präsidentin der Kommission, Ursula von der Leyen.",
        "Ursula von der Leyen",
    ),
    # French
    (
        "« Nous ne reculerons pas devant cette réforme », a déclaré "
        "Emmanuel Macron lundi.",
        "Emmanuel Macron",
    ),
    (
        "Selon Marine Le Pen, « ce gouvernement a perdu toute légitimité ».",
        "Marine Le Pen",
    ),
    (
        "« Le texte a été largement amendé par le Sénat », a "
        "expliqué à l\u2019AFP le porte-parole du gouvernement, Olivier Véran.",
        "Olivier Véran",
    ),
    # Spanish
    (
        '"No vamos a permitir que esto vuelva a ocurrir", dijo a EL PAÍS la '
        "ministra Teresa Ribera.",
        "Teresa Ribera",
    ),
    (
        "“Es la mejor opción para la convivencia”, ha afirmado el presidente "
        "del Gobierno, Pedro Sánchez, en el Congreso.",
        "Pedro Sánchez",
    ),
    (
        "Según el líder del PP, Alberto Núñez Feijóo, “esta ley "
        "es el precio que paga el Gobierno”.",
        "Alberto Núñez Feijóo",
    ),
    # Portuguese
    (
        "«Este é um compromisso que assumimos com todos», afirmou o "
        "primeiro-ministro, António Costa.",
        "António Costa",
    ),
    (
        'Segundo Fernando Haddad, "o arcabouço fiscal será cumprido este ano".',
        "Fernando Haddad",
    ),
    (
        '"É um aumento que chega tarde demais", disse à Lusa a presidente da '
        "associação, Maria do Rosário Gama.",
        "Maria do Rosário Gama",
    ),
    # Italian
    (
        "«Non possiamo permetterci di aspettare ancora», ha detto Mario Draghi.",
        "Mario Draghi",
    ),
    (
        "«I conti sono in ordine e non ci sarà nessun taglio», ha detto il "
        "ministro dell'Economia Giancarlo Giorgetti.",
        "Giancarlo Giorgetti",
    ),
    (
        "Secondo la segretaria del Pd, Elly Schlein, «questa manovra non dà "
        "risposte alle famiglie».",
        "Elly Schlein",
    ),
    # adverbs, interviews, possessives, companies, long names
    ('"We will keep going whatever happens," Smith also said.', "Smith"),
    ('Smith said in an interview that "we will keep going whatever happens".', "Smith"),
    (
        '"We will keep going whatever happens," said Siemens Energy chief '
        "Christian Bruch.",
        "Christian Bruch",
    ),
    (
        '"We will keep going whatever happens," said Luiz Inácio Lula da Silva.',
        "Luiz Inácio Lula da Silva",
    ),
    ('"We will keep going whatever happens," said Dr. Jane Smith.', "Dr. Jane Smith"),
    (
        "Merkel sagte am Montag in Berlin: „Wir werden das schaffen, ganz sicher.“",
        "Merkel",
    ),
    (
        "„Das ist ein großer Fehler der Regierung“, sagte die Virologin Sandra Ciesek.",
        "Sandra Ciesek",
    ),
    ("„Wir werden nicht nachgeben, niemals“, fügte Merz hinzu.", "Merz"),
    (
        "« Nous irons jusqu\u2019au bout de ce combat », dénonce Jean-Luc Mélenchon.",
        "Jean-Luc Mélenchon",
    ),
    (
        "Según ha explicado el ministro José Manuel Albares, "
        '"es un día muy importante para el país".',
        "José Manuel Albares",
    ),
    (
        "«È una giornata importante per il Paese», ha spiegato a Repubblica il "
        "sindaco Giuseppe Sala.",
        "Giuseppe Sala",
    ),
]

UNNAMED = [
    # a pronoun, a role, nobody: no name
    "“We will not accept cuts to any hospital budget,” she said.",
    '"We will not accept cuts to the budget of any hospital."',
    "„Wir haben die Sorgen ernst genommen“, sagte ein Sprecher des Ministeriums.",
    "« C\u2019est un aveu de faiblesse, clairement », a-t-elle ajouté.",
    '"Hemos escuchado a todos los grupos aquí", señaló.',
    '"Vamos continuar a lutar por pensões dignas", disse ela.',
    "«Abbiamo fatto scelte chiare e giuste», ha aggiunto.",
    # a place, the outlet or an organisation is not a speaker
    '"We sell out every autumn, before Christmas," said a waiter at The Kreuzberg.',
    '"Das Wetter ist heute wirklich sehr schön", sagte The Kreuzberg.',
    '"We measured every season for five years," said a spokesman for the ministry '
    "in Berlin.",
    '"The situation on the border is calm tonight," said DW.COM.',
    '"The situation on the border is calm tonight," the ministry said.',
    '"The results are worse than the models assumed," said Monday a report.',
    '"We are ready for this," according to a statement from the White House.',
    '"We will keep going whatever happens," the White House said.',
    '"We will keep going whatever happens," a spokesman for Siemens Energy said.',
    '"We will keep going whatever happens," Jane Doe\'s spokesman said.',
    '"É um dia muito importante para o país", disse o ministro à agência Lusa.',
    # quotation marks that are not speech
    'The book "A Short History of Nearly Everything in the World" sold well.',
    "They describe the wine as “a Pinot with a German accent and more.”",
]


@pytest.mark.parametrize(("paragraph", "speaker"), ATTRIBUTED)
def test_a_quotation_is_credited_to_the_person_named_next_to_it(paragraph, speaker):
    (quote,) = find_quotes([paragraph])
    assert quote.speaker == speaker
    # the quote is the text between the marks, never the attribution
    assert quote.text in paragraph and speaker not in quote.text


@pytest.mark.parametrize("paragraph", UNNAMED)
def test_a_quotation_without_a_named_person_is_left_out(paragraph):
    assert find_quotes([paragraph], exclude=["DW"]) == []


def test_the_outlet_and_the_byline_are_never_speakers():
    paragraphs = [
        '"The talks will resume next week in Geneva," said Andreas Illmer.',
        '"The talks will resume next week in Geneva," Phys.org said.',
    ]
    assert find_quotes(paragraphs, exclude=["Andreas Illmer", "Phys.org"]) == []


def test_a_place_used_as_a_place_in_the_text_is_not_a_speaker():
    paragraphs = [
        "Officials met in Berlin on Monday.",
        '"The numbers are very encouraging for us," Berlin said.',
    ]
    assert find_quotes(paragraphs) == []


def test_a_continuation_keeps_its_speaker_and_surnames_get_full_names():
    paragraphs = [
        "Winemaker Werner Näkel runs the estate.",
        '"It ripens two weeks before Pinot Noir," Näkel told DW. '
        '"In a cold year, that is what saves us."',
    ]
    quotes = find_quotes(paragraphs)
    assert [(q.speaker, q.text) for q in quotes] == [
        ("Werner Näkel", "It ripens two weeks before Pinot Noir"),
        ("Werner Näkel", "In a cold year, that is what saves us."),
    ]


@pytest.mark.parametrize(
    ("paragraph", "inside"),
    [
        (
            "„Er sagte \u201aüberhaupt nicht\u2018 dazu“, sagte Anna.",
            ["Er sagte \u201aüberhaupt nicht\u2018 dazu"],
        ),
        ("»Das geht so nicht«, sagte Anna.", ["Das geht so nicht"]),
        (
            "« L\u2019État n\u2019a pas le choix », dit-il.",
            ["L\u2019État n\u2019a pas le choix"],
        ),
        ("It's the '90s 'hot Jupiter' idea.", ["hot Jupiter"]),
        # a short quotation does not pair its closing mark with the next opening
        (
            '"No," he said, "we will not give in to this pressure."',
            ["No,", "we will not give in to this pressure."],
        ),
        # not closed in this paragraph: it goes on in the next one
        ('"The first part of a long statement goes on', []),
    ],
)
def test_quotation_marks_pair_as_each_language_writes_them(paragraph, inside):
    assert [span.text.strip() for span in quotations(paragraph)] == inside


def test_only_three_quotes_one_per_speaker_first():
    paragraphs = [
        '"Quote number one is long enough to count," said Ana Ortega.',
        '"Quote number two is long enough to count," said Ana Ortega.',
        '"Quote number three is long enough to count," said Pieter Jansen.',
        '"Quote number four is long enough to count," said Lena Hart.',
        '"Quote number five is long enough to count," said Tom Okafor.',
    ]
    assert [q.speaker for q in find_quotes(paragraphs)] == [
        "Ana Ortega",
        "Pieter Jansen",
        "Lena Hart",
    ]


@pytest.mark.parametrize(
    "paragraph",
    [
        "Ab" * 50_000 + ' "This is a long enough quotation here," said Merkel.',
        "\u201e" * 50_000 + "x" + "\u201c" * 50_000,
        '"a b c d e f," said Jane Doe. ' * 20_000,
        "Minister " * 50_000 + '"This is a long enough quotation," the Minister said.',
    ],
    ids=["huge-word", "deep-nesting", "many-quotes", "many-roles"],
)
def test_hostile_paragraphs_take_linear_time(paragraph):
    """Pages are hostile: these took minutes with backtracking patterns."""
    started = time.monotonic()
    quotes = find_quotes([paragraph])
    assert time.monotonic() - started < 5
    assert len(quotes) <= 3
