"""Quotations in an article, and the person the text says spoke them.

A draft's "key quotes" must be what someone said: text inside quotation marks,
attributed by name with a speech verb next to it (``"…," said Jane Doe.``,
``Jane Doe said: "…"``, ``„…“, sagte Merkel.``, ``« … », a déclaré Jean
Dupont``, ``"…", dijo la ministra Teresa Ribera``, ``Segundo Lula, "…"``).
The outlet, the byline and places are never speakers. A quotation with no
named speaker is dropped, not kept anonymous: the curator is better served by
no quote than by one whose source they must hunt for (a continuation in the
same paragraph, ``"…," said X. "…"``, keeps X). No quotation, no quotes.

Written by hand because no maintained library attributes quotations across
these languages; every rule works on the shape of the text (marks, a speech
verb, capitalised name words, function words around them), not on one outlet's
wording. The ``regex`` module gives Unicode letter classes (``\\p{Lu}``), so
"Łukasz Świątek" and "Émilie Durand" are names like "Jane Doe".
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import regex


def _vocabulary(words: str) -> frozenset[str]:
    """A word list written as one string (lists in six languages stay readable)."""
    return frozenset(words.split())


MAX_QUOTES = 3
MAX_CANDIDATES = 100
QUOTE_MIN_WORDS = 4
QUOTE_MAX = 280

# Opening mark -> the marks that close it. A mark that is also a closer
# (“ closes „ in German, » closes « in French) closes first.
PAIRS = {
    "\u201e": "\u201c\u201d",  # German, Polish low-high double
    "\u201a": "\u2018\u2019",  # German low-high single
    "\u201c": "\u201d",  # English double
    "\u2018": "\u2019",  # English single
    "\u00ab": "\u00bb",  # French, Spanish, Italian, Portuguese guillemets
    "\u00bb": "\u00ab",  # German guillemets, pointing inwards
    "\u2039": "\u203a",  # single guillemets
    "\u203a": "\u2039",
    '"': '"',
    "'": "'",
}
MARKS = frozenset(PAIRS) | {"\u201d", "\u2019"}
# Apostrophes look like these; they close only before a non-letter.
APOSTROPHE_LIKE = frozenset({"'", "\u2019"})

_WORD = r"[\p{L}\p{M}][\p{L}\p{M}'\u2019\-]*"
# One star per pattern, so a hostile 100,000-letter "word" costs linear time.
NAME_WORD = regex.compile(r"^\p{Lu}[\p{L}\p{M}'\u2019\-]*$")
NAME_WORD_MAX = 40
TOKEN = regex.compile(rf"{_WORD}|\d+|[,;:]|[.!?]|[\u2014\u2013]")

# Speech verbs, lower case; multi-word ones are matched token by token.
SPEECH_VERBS = _vocabulary(
    """
    said says say stated states declared declares explained explains noted notes
    warned warns argued argues insisted insists stressed stresses announced
    announces wrote writes added adds continued recalled admitted acknowledged
    replied remarked commented emphasised emphasized emphasises emphasizes
    observed claimed claims maintained told tells asked tweeted recalls
    concluded urged cautioned admits admitted conceded
    sagte sagt sagten sagen erklärte erklärt erklärten betonte betont betonten
    meinte meint warnte warnt kritisierte kritisiert schrieb schreibt ergänzte
    ergänzt unterstrich forderte fordert mahnte mahnt berichtete berichtet
    versicherte sagte so laut fügte fügt antwortete antwortet erläuterte
    erläutert bekräftigte bekräftigt unterstreicht räumte
    déclaré déclare dit affirmé affirme expliqué explique souligné souligne
    estimé estime ajouté ajoute insisté insiste averti prévient indiqué indique
    assuré assure confié confie raconté raconte précisé précise martelé martèle
    lancé lance selon poursuit résume reconnaît dénonce tranche
    dijo dice afirmó afirma explicó explica aseguró asegura señaló señala
    declaró declara añadió añade indicó indica subrayó subraya advirtió advierte
    insistió sostuvo sostiene agregó agrega manifestó comentó apuntó recalcó
    según reconoció denunció lamentó concluyó recordó precisó aseveró expresó
    disse diz afirmou declarou explicou acrescentou acrescenta ressaltou
    destacou destaca garantiu assegurou sublinhou frisou referiu segundo
    adiantou considerou defendeu admitiu alertou lembrou contou salientou realçou
    detto dichiarato spiegato aggiunto affermato sottolineato commentato
    ribadito osservato spiega aggiunge afferma sottolinea commenta dichiara
    ribadisce osserva avverte secondo ricorda conclude ammette precisa replica
    racconta ricordato precisato concluso annunciato ammesso replicato
    gesagt betont erklärt gewarnt
    dicho afirmado señalado explicado asegurado subrayado declarado añadido
    indicado advertido manifestado comentado apuntado recalcado insistido
    dito afirmado declarado explicado acrescentado sublinhado
    """
)
# Verbs whose object is the listener ("told Reuters"): the speaker is never after them.
LISTENER_VERBS = frozenset({"told", "tells", "asked"})
# "according to X" words: the speaker follows them.
ACCORDING = frozenset({"so", "laut", "selon", "según", "segundo", "secondo"})
MULTIWORD = {
    ("according", "to"): "according to",
    ("d'après",): "selon",
    ("d\u2019après",): "selon",
    ("de", "acordo", "com"): "segundo",
    ("stando", "a"): "secondo",
}
AUXILIARIES = _vocabulary(
    "has had have hat hatte habe a avait ont ha aveva hanno había han tem tinha"
)
# German capitalises every noun: after these, a capitalised word is a role
# ("die Virologin Sandra Ciesek"); after "the", "le", "el" it is a proper noun.
GERMAN_ARTICLES = _vocabulary("der die das des dem den ein eine einer eines")
COMPLEMENTISERS = _vocabulary("that dass que che como comme wie")
ARTICLES = _vocabulary(
    """the a an der die das des dem den ein eine einer eines le la les l' un une
    el los las lo o os as um uma il gli i uno"""
)
PREPOSITIONS = _vocabulary(
    """to at in on for from with by of into near about
    zu gegenüber im am auf bei vor nach mit von aus für vom zum zur
    à au aux en dans sur pour avec par chez de du des
    al con por para del desde ante
    ao em no na nos nas com pelo pela do da dos das
    alla allo nel nella su per dal dalla di della dello"""
)
# Where a word follows one of these elsewhere in the text, it is a place.
LOCATIVES = _vocabulary("in at from im nach aus à dans en em no na nel nella desde")
NAME_PARTICLES = _vocabulary(
    "von van der den de del della di da do dos das du la le bin al ter zu"
)
PRONOUNS = _vocabulary(
    """i you he she it we they him her them this that who
    er sie es wir ihr man il elle ils elles on lui eux je nous vous
    él ella ellos ellas usted ele ela eles elas você lei loro io noi voi
    t-il t-elle -il -elle"""
)
# Capitalised words that start sentences or name days and months, never a person.
NOT_NAMES = (
    _vocabulary(
        """the a an this that these those but and or yet so then there here when
    while after before today yesterday tomorrow however meanwhile also
    monday tuesday wednesday thursday friday saturday sunday
    january february march april may june july august september october
    november december
    der die das ein eine und aber doch dann heute gestern morgen auch
    montag dienstag mittwoch donnerstag freitag samstag sonntag
    januar februar märz mai juni juli oktober dezember
    le la les un une et mais puis aujourd'hui hier demain
    lundi mardi mercredi jeudi vendredi samedi dimanche
    janvier février mars avril juin juillet août septembre octobre novembre
    décembre
    el los las una y pero hoy ayer mañana
    lunes martes miércoles jueves viernes sábado domingo
    enero febrero marzo abril mayo junio julio agosto septiembre octubre
    noviembre diciembre
    o os as uma mas hoje ontem amanhã
    segunda-feira terça-feira quarta-feira quinta-feira sexta-feira sábado
    janeiro fevereiro março maio junho julho setembro outubro novembro dezembro
    il lo gli uno ma oggi ieri domani
    lunedì martedì mercoledì giovedì venerdì sabato domenica
    gennaio febbraio aprile maggio giugno luglio settembre ottobre
    novembre dicembre"""
    )
    | PRONOUNS
)
# Titles before a name ("Foreign Minister Sergei Lavrov"): dropped when a name follows.
TITLES = _vocabulary(
    """mr mr. mrs mrs. ms ms. dr dr. prof prof. professor sir dame lord lady
    president minister prime foreign chancellor secretary senator governor mayor
    general chief justice judge king queen prince princess pope
    herr frau präsident präsidentin minister ministerin kanzler kanzlerin
    bundeskanzler bundeskanzlerin bürgermeister bürgermeisterin
    m. mme mme. monsieur madame président présidente ministre maire
    sr sr. sra sra. señor señora don doña presidente presidenta ministro
    ministra alcalde alcaldesa
    senhor senhora dona prefeito prefeita
    signor signora sindaco premier"""
)
# German and Romance compound offices: "Bundesgesundheitsministerin", "CDU-Chef".
TITLE_ENDINGS = (
    "minister",
    "ministerin",
    "kanzler",
    "kanzlerin",
    "präsident",
    "präsidentin",
    "chef",
    "chefin",
    "sprecher",
    "sprecherin",
    "vorsitzende",
    "vorsitzender",
    "-ministre",
    "presidente",
    "presidenta",
    "ministro",
    "ministra",
)
HONORIFICS = _vocabulary("mr mrs ms dr prof professor sir dame m mme sr sra")
ROLES = TITLES | _vocabulary(
    """spokesman spokeswoman spokesperson aide adviser advisor director head
    leader official commissioner sprecher sprecherin porte-parole portavoz
    porta-voz portavoce"""
)
# Words that make a capitalised phrase an organisation, not a person.
ORGANISATION_WORDS = _vocabulary(
    """ministry department government council commission agency police
    university institute office court parliament party company group bank
    ministerium regierung polizei universität institut behörde gericht partei
    ministère gouvernement police université institut agence tribunal parti
    ministerio gobierno policía universidad instituto agencia tribunal partido
    ministério governo polícia universidade agência
    ministero polizia università istituto agenzia partito"""
)
SENTENCE_END = frozenset(".!?")
ABBREVIATIONS = _vocabulary(
    "mr mrs ms dr prof st jr sr sra m mme gen col lt sen rep gov"
)


@dataclass
class Quote:
    text: str
    speaker: str | None


@dataclass(frozen=True)
class Span:
    """One quotation: ``start``/``end`` include the marks, ``text`` is inside them."""

    start: int
    end: int
    text: str


def quotations(paragraph: str) -> list[Span]:
    """The outermost quotations of one paragraph, in order.

    Marks are paired as each language pairs them (low-high German marks,
    guillemets either way round, English curly and straight marks, double and
    single); quotations inside a quotation stay part of it; a quotation not
    closed in the paragraph (it continues in the next one) is left out, and an
    apostrophe (it's, l'Etat, '90s) is not a mark.
    """
    found: list[Span] = []
    stack: list[tuple[str, int]] = []
    for index, char in enumerate(paragraph):
        if char not in MARKS:
            continue
        before = paragraph[index - 1] if index else " "
        after = paragraph[index + 1] if index + 1 < len(paragraph) else " "
        closes = next(
            (
                depth
                for depth in range(len(stack) - 1, -1, -1)
                if char in PAIRS[stack[depth][0]]
            ),
            None,
        )
        if closes is not None and not (
            char in APOSTROPHE_LIKE and (after.isalpha() or before.isspace())
        ):
            start = stack[closes][1]
            del stack[closes:]
            if not stack:
                found.append(Span(start, index + 1, paragraph[start + 1 : index]))
            continue
        if char not in PAIRS or char in ("\u201d", "\u2019") or len(stack) >= 4:
            continue  # prose nests two or three deep, never more
        if char in APOSTROPHE_LIKE and not (
            (before.isspace() or before in "([{\u2014\u2013-" or before in MARKS)
            and after.isalpha()
        ):
            continue  # an apostrophe: l'État, it's, rock'n'roll
        stack.append((char, index))
    return found


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if c.isalnum())


def _tokens(text: str) -> list[str]:
    return TOKEN.findall(text)


def _clause_after(paragraph: str, end: int, limit: int) -> str:
    """Text after a quotation up to the end of its sentence (or the next mark)."""
    text = paragraph[end:limit][:200]
    for index, char in enumerate(text):
        if char in SENTENCE_END and (index + 1 == len(text) or text[index + 1] == " "):
            word = regex.findall(r"[\p{L}]+$", text[:index])
            if word and (word[0].casefold() in ABBREVIATIONS or len(word[0]) == 1):
                continue
            return text[: index + 1]
    return text


def _clause_before(paragraph: str, start: int, limit: int) -> str:
    """Text before a quotation from the start of its sentence (or the last mark)."""
    text = paragraph[limit:start][-200:]
    cut = 0
    for index, char in enumerate(text):
        if char in SENTENCE_END and index + 1 < len(text) and text[index + 1] == " ":
            word = regex.findall(r"[\p{L}]+$", text[:index])
            if word and (word[0].casefold() in ABBREVIATIONS or len(word[0]) == 1):
                continue
            cut = index + 1
    return text[cut:]


def _verbs(tokens: list[str]) -> list[tuple[int, int, str]]:
    """(first token, past-the-end token, verb) of every speech verb in ``tokens``."""
    found = []
    lowered = [t.casefold() for t in tokens]
    index = 0
    while index < len(tokens):
        for words, verb in MULTIWORD.items():
            if tuple(lowered[index : index + len(words)]) == words:
                found.append((index, index + len(words), verb))
                index += len(words)
                break
        else:
            if lowered[index] in SPEECH_VERBS:
                found.append((index, index + 1, lowered[index]))
            index += 1
    return found


def _is_name_word(token: str) -> bool:
    """A capitalised word with a lower-case letter ("Näkel", "McDonald"; not
    "AFP"), that is not a day, a month or a sentence word."""
    return (
        len(token) <= NAME_WORD_MAX
        and bool(NAME_WORD.match(token))
        and not token.endswith(("'s", "\u2019s"))  # "Doe's spokesman"
        and any(c.islower() for c in token)
        and token.casefold() not in NOT_NAMES
    )


def _name_at(tokens: list[str], index: int) -> tuple[list[str], int]:
    """The name words starting at ``index`` ("Ursula von der Leyen"), and the end."""
    words: list[str] = []
    position = index
    while position < len(tokens) and len(words) < 6:
        token = tokens[position]
        dotted = position + 1 < len(tokens) and tokens[position + 1] == "."
        if (
            dotted
            and (len(token) == 1 or token.casefold() in ABBREVIATIONS)
            and token[:1].isupper()
            and (len(token) == 1 or not words)
        ):
            words.append(f"{token}.")  # "John F. Kennedy", "Dr. Lena Hart"
            position += 2
            continue
        if _is_name_word(token):
            words.append(token)
            position += 1
            continue
        particles = position
        while (
            particles < len(tokens) and tokens[particles].casefold() in NAME_PARTICLES
        ):
            particles += 1  # "Ursula von der Leyen", "Marine Le Pen"
        if (
            words
            and position < particles < len(tokens)
            and _is_name_word(tokens[particles])
            and tokens[particles].casefold() not in ORGANISATION_WORDS
        ):
            words += tokens[position:particles]
            position = particles
            continue
        break
    return words, position


def is_title(word: str) -> bool:
    """An office before a name ("Foreign", "Minister", "Wirtschaftsminister",
    "CDU-Chef", "vicepresidenta"), not an honorific ("Dr", "Ms")."""
    key = word.casefold().rstrip(".")
    if key in HONORIFICS:
        return False
    return key in TITLES or key.endswith(TITLE_ENDINGS)


def person(words: list[str], exclude: Iterable[str] = ()) -> str | None:
    """The words as a person's name, or None when they name something else.

    Titles of office go when a name follows them ("Foreign Minister Sergei
    Lavrov"); honorifics stay, as the text wrote them ("Ms Ortega", "Dr Lena
    Hart"). Outlets and
    authors (``exclude``), organisations, days and pronouns are not persons.
    """
    words = [w for w in words if w]
    while len(words) > 1 and is_title(words[0]):
        words = words[1:]
    if not words or len(words) > 5:
        return None
    if words[0].casefold() in NOT_NAMES or words[0].casefold() in ARTICLES:
        return None
    if all(w.casefold() in ROLES for w in words):
        return None
    if any(w.casefold() in ORGANISATION_WORDS for w in words):
        return None
    name = " ".join(words).rstrip(".,")
    folded = _fold(name)
    if len(folded) < 2:
        return None
    for other in exclude:
        others = {_fold(other), _fold(other.split(".")[0])}  # "Phys.org", "Phys"
        if len(words) == 1 and other.split():
            others.add(_fold(other.split()[-1]))
        if folded in others:
            return None
    return name


def _speaker_after_verb(
    tokens: list[str], verb: str, exclude: Iterable[str]
) -> str | None:
    """The speaker in the words after a speech verb ("said the minister Ana
    Ortega", "sagte der Außenminister Heiko Maas", "dijo a EL PAÍS la ministra
    Teresa Ribera"). A name after a preposition with no article or comma
    between is a place or a listener ("said in Berlin"), not the speaker."""
    if verb in LISTENER_VERBS:
        return None
    last = "verb"
    for index, token in enumerate(tokens[:12]):
        lowered = token.casefold()
        if token in SENTENCE_END or token in (";", "\u2014", "\u2013"):
            return None
        if lowered in ARTICLES:  # before pronouns: Italian "il" is an article
            last = "german article" if lowered in GERMAN_ARTICLES else "article"
            continue
        if lowered in PRONOUNS or lowered.startswith(("-t-", "t-")):
            return None
        if token == ",":
            last = "comma"
        elif lowered in PREPOSITIONS:
            last = "preposition"
        elif _is_name_word(token):
            if last == "german article" or (
                last == "article" and (is_title(token) or lowered in ROLES)
            ):
                last = "role"  # "der Sprecher", "the Minister": a common noun
                continue
            if last == "article":
                last = "object"  # "the White House", "The Kreuzberg": not a person
                continue
            if last == "preposition":
                # "für Siemens", "in Berlin": skip the whole name.
                last = "object"
                continue
            if last == "object":
                continue
            words, end = _name_at(tokens, index)
            if (
                end + 1 < len(tokens)
                and tokens[end].casefold() in ROLES
                and _is_name_word(tokens[end + 1])
            ):
                # "said Siemens Energy chief Christian Bruch": the company's chief
                words, end = _name_at(tokens, end + 1)
            if verb == "so" and end < len(tokens) and tokens[end] not in ",.;:!?":
                return None  # English "so": not "according to"
            return person(words, exclude)
        elif token.isupper():
            continue  # "a EL PAÍS", "à l'AFP": the listener's name
        else:
            last = "word" if last != "preposition" else "preposition"
    return None


def _speaker_before_verb(tokens: list[str], exclude: Iterable[str]) -> str | None:
    """The speaker in the words before a speech verb: the comma-separated part
    next to the verb that is a name ("Kremlin aide, Yuri Ushakov,"; "Ana
    Ortega, the minister,"; "Foreign Minister Sergei Lavrov")."""
    while tokens and tokens[-1].casefold() in AUXILIARIES:
        tokens = tokens[:-1]
    parts: list[list[str]] = [[]]
    for token in tokens:
        if token == ",":
            parts.append([])
        else:
            parts[-1].append(token)
    parts = [p for p in parts if p]
    for part in reversed(parts):
        while part and part[0].casefold() in PREPOSITIONS | ARTICLES:
            if len(part) > 1 and (
                _is_name_word(part[1]) and part[1].casefold() not in ROLES
            ):
                return None  # "the Kreuzberg", "in Berlin": not a person
            part = part[1:]
        while part and part[0].islower():
            if part[0] in PREPOSITIONS and len(part) > 1 and _is_name_word(part[1]):
                return None  # "a spokesman for Siemens": Siemens did not speak
            part = part[1:]  # "councillor Priya Shah", "the minister"
        while part and part[-1].islower():
            part = part[:-1]  # "Smith also said", "Merkel am Montag"
        if not part:
            continue
        words, end = _name_at(part, 0)
        if words and end == len(part):
            return person(words, exclude)
        if all(not _is_name_word(w) for w in part):
            continue  # an appositive: "the minister"
        return None
    return None


def _role(tokens: list[str]) -> str | None:
    """ "the Minister" before a speech verb: the role, for full_name to resolve."""
    while tokens and tokens[-1].casefold() in AUXILIARIES:
        tokens = tokens[:-1]
    if (
        2 <= len(tokens) <= 3
        and tokens[0].casefold() in ARTICLES
        and all(t.casefold() in ROLES for t in tokens[1:])
    ):
        return " ".join(tokens[1:])
    return None


def attribute(
    paragraph: str,
    span: Span,
    previous_end: int = 0,
    next_start: int | None = None,
    exclude: Iterable[str] = (),
    context: str = "",
) -> tuple[str | None, bool]:
    """Who the paragraph says spoke the quotation ``span``, and whether the
    attribution came after it (so a following quotation continues it)."""
    exclude = list(exclude)
    after = _tokens(_clause_after(paragraph, span.end, next_start or len(paragraph)))
    before = _tokens(_clause_before(paragraph, span.start, previous_end))
    # After: ", said X." / ", X said." / ", so X." / ", a déclaré X."
    verbs = _verbs(after[:10])
    if verbs:
        first, last, verb = verbs[0]
        head = [t for t in after[:first] if t not in (",", ":", "\u2014", "\u2013")]
        head_words = [t for t in head if t.casefold() not in AUXILIARIES]
        speaker = None
        if not head_words:
            speaker = _speaker_after_verb(after[last:], verb, exclude)
        elif verb not in ACCORDING and verb != "according to" and len(head) <= 12:
            role = _role(head)
            speaker = (
                resolve_role(role, context, exclude)
                if role
                else _speaker_before_verb(after[:first], exclude)
            )
        if speaker:
            return speaker, True
        # '"…" He added that "…"': the clause after is the next quotation's.
    # Before: "X said: " / "X a déclaré que " / "sagte Merkel: " / "Selon X, "
    tail = list(before)
    while tail and (tail[-1] in (",", ":") or tail[-1].casefold() in COMPLEMENTISERS):
        tail = tail[:-1]
    verbs = _verbs(tail)
    if not verbs:
        return None, False
    first, last, verb = verbs[-1]
    if last == len(tail):
        if verb in ACCORDING or verb == "according to":
            return None, False
        role = _role(tail[:first])
        if role:
            return resolve_role(role, context, exclude), False
        return _speaker_before_verb(tail[:first], exclude), False
    rest = tail[last:]
    if verb == "so":
        return None, False  # "so" before a quotation is English "so"
    words_after = [t for t in rest if t != ","]
    if len(words_after) > 8:
        return None, False
    speaker = _speaker_after_verb(rest, verb, exclude)
    if speaker is None and verb not in ACCORDING and verb != "according to":
        # "Smith said in an interview that", "Merkel sagte am Montag in Berlin:"
        speaker = _speaker_before_verb(tail[:first], exclude)
    return speaker, False


@functools.lru_cache(maxsize=8)
def _context_tokens(context: str) -> tuple[str, ...]:
    """The words of the article, lines kept apart (a headline's last word is
    not a given name of the paragraph's first)."""
    return tuple(TOKEN.findall(context.replace("\n", " . ")))


def _names_before(tokens: tuple[str, ...], end: int, most: int) -> list[str]:
    words: list[str] = []
    index = end - 1
    while index >= 0 and len(words) < most and _is_name_word(tokens[index]):
        words.insert(0, tokens[index])
        index -= 1
    return words


def resolve_role(role: str, context: str, exclude: Iterable[str] = ()) -> str | None:
    """The person the text names with ``role`` ("the Minister" -> "Sergei
    Lavrov" when the text says "Sergei Lavrov, Russian Foreign Minister" or
    "Foreign Minister Sergei Lavrov"); None when it names nobody.

    Read over the article's words, not with a regular expression over its
    text, so the cost stays linear whatever the page holds.
    """
    tokens = _context_tokens(context)
    wanted = [w.casefold() for w in role.split()]
    size = len(wanted)
    for index in range(len(tokens) - size + 1):
        if [t.casefold() for t in tokens[index : index + size]] != wanted:
            continue
        # "Sergei Lavrov, Russian Foreign Minister"
        for comma in range(index - 1, max(-1, index - 5), -1):
            if tokens[comma] == ",":
                words = _names_before(tokens, comma, 4)
                found = person(words, exclude) if len(words) >= 2 else None
                if found:
                    return found
                break
        # "Foreign Minister Sergei Lavrov"
        words, _end = _name_at(list(tokens[index + size : index + size + 6]), 0)
        if len(words) >= 2:
            found = person(words, exclude)
            if found:
                return found
    return None


def full_name(speaker: str, context: str) -> str:
    """The fullest name the text gives a speaker: "Lavrov" becomes "Sergei
    Lavrov" when the text says so somewhere. Titles are not given names, and
    neither is a capitalised word that only starts a sentence ("Winemaker
    Werner N\u00e4kel runs the estate" gives "Werner N\u00e4kel")."""
    if len(speaker.split()) != 1:
        return speaker
    tokens = _context_tokens(context)
    for index, token in enumerate(tokens):
        if token != speaker:
            continue
        given = _names_before(tokens, index, 2)
        start = index - len(given)
        if len(given) > 1 and (start == 0 or tokens[start - 1] in (".", "!", "?", ":")):
            given = given[1:]  # the sentence's first word
        kept = [
            w
            for w in given
            if not is_title(w) and w.casefold() not in NOT_NAMES | ROLES | ARTICLES
        ]
        if kept and kept == given[-len(kept) :]:
            return f"{' '.join(kept)} {speaker}"
    return speaker


def is_place(name: str, context: str) -> bool:
    """Whether the text uses ``name`` as a place elsewhere ("in Berlin")."""
    locatives = "|".join(sorted(LOCATIVES))
    return bool(
        regex.search(
            rf"(?i:\b(?:{locatives}))\s+(?:the\s+)?{regex.escape(name)}(?![\p{{L}}])",
            context,
        )
    )


def find_quotes(
    paragraphs: list[str],
    limit: int = MAX_QUOTES,
    context: str = "",
    exclude: Iterable[str] = (),
) -> list[Quote]:
    """Up to ``limit`` attributed quotations, in text order, those that fit in
    QUOTE_MAX characters first; the text is as published (not cut).

    ``context`` (title, standfirst, captions) helps name speakers in full;
    ``exclude`` are names that are never speakers (the outlet, the authors).
    """
    exclude = [e for e in exclude if e]
    context = "\n".join([context, *paragraphs])
    found: list[tuple[int, Quote, bool]] = []
    for paragraph in paragraphs:
        if len(found) >= MAX_CANDIDATES:
            break  # enough to choose from, whatever the page holds
        spans = quotations(paragraph)[:MAX_CANDIDATES]
        carried: str | None = None
        for number, span in enumerate(spans):
            previous_end = spans[number - 1].end if number else 0
            next_start = spans[number + 1].start if number + 1 < len(spans) else None
            speaker, after = attribute(
                paragraph, span, previous_end, next_start, exclude, context
            )
            between = paragraph[previous_end : span.start]
            if (
                speaker is None
                and carried
                and between.strip()
                == _clause_after(paragraph, previous_end, span.start).strip()
            ):
                # '"…," said X. "…"': the next quotation is X's too.
                speaker, after = carried, True
            if speaker:
                speaker = full_name(speaker, context)
                if len(speaker.split()) == 1 and is_place(speaker, context):
                    speaker = None
            carried = speaker if after else None
            text = " ".join(span.text.split()).strip(" ,")
            if not speaker or len(text.split()) < QUOTE_MIN_WORDS:
                continue
            found.append((len(found), Quote(text, speaker), len(text) <= QUOTE_MAX))
    # One quotation per speaker first, then more by the same speakers.
    turns: dict[str, int] = {}
    turn = {}
    for number, quote, _fits in found:
        turn[number] = turns.get(quote.speaker or "", 0)
        turns[quote.speaker or ""] = turn[number] + 1
    ranked = sorted(found, key=lambda f: (turn[f[0]] > 0, not f[2], f[0]))
    chosen = sorted(ranked[:limit], key=lambda f: f[0])
    return [q for _, q, _ in chosen]
