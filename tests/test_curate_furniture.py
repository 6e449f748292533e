"""Headlines without site furniture, and outlets by their own names
(newsdigest.curate.furniture). The titles are the <title> and og:title strings
of real outlets' pages."""

from __future__ import annotations

import pytest

from newsdigest.curate.furniture import clean_headline, host_label, outlet_name


@pytest.mark.parametrize(
    ("title", "names", "sections", "references", "headline"),
    [
        (
            "Uncork the mystery of Germany's Frühburgunder | DW | 10.06.2013",
            ["DW.COM", "Deutsche Welle", "dw"],
            [],
            [],
            "Uncork the mystery of Germany's Frühburgunder",
        ),
        (
            "Heizungsgesetz: Bundestag beschließt Gebäudeenergiegesetz - DER SPIEGEL",
            ["DER SPIEGEL", "spiegel"],
            ["Politik"],
            [],
            "Heizungsgesetz: Bundestag beschließt Gebäudeenergiegesetz",
        ),
        (
            "Sánchez defiende la amnistía | España | EL PAÍS",
            ["EL PAÍS", "elpais"],
            ["España"],
            [],
            "Sánchez defiende la amnistía",
        ),
        (
            "Governo aprova aumento das pensões | Política | PÚBLICO",
            ["PÚBLICO", "publico"],
            [],
            [],
            "Governo aprova aumento das pensões",
        ),
        (
            "Manovra, Giorgetti: «Conti in ordine» - Corriere.it",
            ["Corriere della Sera", "corriere"],
            [],
            [],
            "Manovra, Giorgetti: «Conti in ordine»",
        ),
        (
            "Giant planet found orbiting a tiny red dwarf star | Nature",
            ["Nature", "nature"],
            [],
            [],
            "Giant planet found orbiting a tiny red dwarf star",
        ),
        (
            "Le Monde :: Politique :: Réforme des retraites : le 49.3",
            ["Le Monde", "lemonde"],
            ["Politique"],
            [],
            "Réforme des retraites : le 49.3",
        ),
        (
            "Ukraine war latest: talks resume — Reuters · 20 June 2019",
            ["Reuters", "reuters"],
            [],
            [],
            "Ukraine war latest: talks resume",
        ),
        (
            "Scientists map the ocean floor / Phys.org",
            ["Phys.org", "phys"],
            [],
            [],
            "Scientists map the ocean floor",
        ),
        # the visible <h1> says where the headline ends, whatever the suffix
        (
            "Wetlands store more carbon - Coastal edition \u2013 Coastal Times Group",
            ["The Coastal Times"],
            [],
            ["Wetlands store more carbon"],
            "Wetlands store more carbon",
        ),
        # a logo in <h1> is not the headline
        (
            "Wetlands store more carbon | DW",
            ["DW"],
            [],
            ["DW"],
            "Wetlands store more carbon",
        ),
        (
            "Gaza talks resume | World news | The Guardian",
            ["The Guardian"],
            [],
            [],
            "Gaza talks resume",
        ),
        ("Gaza talks resume - Guardian", ["The Guardian"], [], [], "Gaza talks resume"),
        ("Governo cai - Ultima Ora - Ansa.it", ["ANSA"], [], [], "Governo cai"),
        ("Titel der Meldung | 20.06.2019, 07:30 Uhr", [], [], [], "Titel der Meldung"),
        (
            "Giant planet found : Nature News & Comment",
            ["Nature News & Comment"],
            [],
            [],
            "Giant planet found",
        ),
        # a colon is the headline's own unless the outlet's name follows it
        (
            "Réforme des retraites : le 49.3",
            ["Le Monde"],
            [],
            [],
            "Réforme des retraites : le 49.3",
        ),
        # unknown segments stay: "Biden - Putin" is the headline
        (
            "Biden - Putin summit ends early",
            ["Reuters"],
            [],
            [],
            "Biden - Putin summit ends early",
        ),
        ("Nature", ["Nature"], [], [], "Nature"),
        (
            "Self-driving cars 2019/06/20 test",
            ["X"],
            [],
            [],
            "Self-driving cars 2019/06/20 test",
        ),
    ],
)
def test_headline_without_furniture(title, names, sections, references, headline):
    assert (
        clean_headline(title, names=names, sections=sections, references=references)
        == headline
    )


@pytest.mark.parametrize(
    ("site_names", "url", "title", "outlet"),
    [
        (
            ["DW.COM", "Deutsche Welle"],
            "https://www.dw.com/en/a-1",
            "X | DW | 10.06.2013",
            "DW",
        ),
        (["DW.COM"], "https://www.dw.com/en/a-1", "X", "DW"),
        (["Phys.org"], "https://phys.org/news/1.html", "", "Phys.org"),
        (["Le Monde.fr", "Le Monde"], "https://www.lemonde.fr/a", "", "Le Monde"),
        (["EL PAÍS"], "https://elpais.com/a", "", "EL PAÍS"),
        (
            ["Folha de S.Paulo"],
            "https://www1.folha.uol.com.br/a",
            "",
            "Folha de S.Paulo",
        ),
        (["lemonde.fr"], "https://www.lemonde.fr/a", "", "Lemonde"),
        (
            [None, ""],
            "https://elpais.com/a",
            "Sánchez defiende | España | EL PAÍS",
            "EL PAÍS",
        ),
        ([], "https://www.bbc.co.uk/news/x", "", "BBC"),
        ([], "https://www.reuters.com/world/x", "", "Reuters"),
        ([], "https://m.faz.net/aktuell/x", "", "FAZ"),
        ([], "https://ports.example/strike", "", "Ports"),
        ([], "", "", "unknown source"),
    ],
)
def test_outlet_name(site_names, url, title, outlet):
    assert outlet_name(site_names, url, title) == outlet


@pytest.mark.parametrize(
    ("url", "label"),
    [
        ("https://www.bbc.co.uk/news", "bbc"),
        ("https://www.publico.pt/2023/x", "publico"),
        ("https://edition.cnn.com/x", "cnn"),
        ("https://news.example/x", "news"),
        ("not a url", ""),
    ],
)
def test_host_label(url, label):
    assert host_label(url) == label
