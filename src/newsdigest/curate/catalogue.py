"""What a digest already holds: topics, tags, sources, originals and titles.

Imports are matched against this so that a draft reuses the digest's own
spelling of a tag, files itself under a topic the digest declares, names an
outlet as earlier items did, and a second import of one article says where the
first one is. Items are read leniently (a broken file is skipped, the build
reports it), because a curator must be able to import while a draft is half
written.
"""

from __future__ import annotations

import difflib
import logging
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from newsdigest.curate.drafts import Draft, slugify
from newsdigest.model.frontmatter import FrontMatterError, read_source, split
from newsdigest.model.schema import tag_key
from newsdigest.model.topics import Topic, load_topics
from newsdigest.problems import Problem
from newsdigest.urls import host_of, normalise_url

logger = logging.getLogger(__name__)

TITLE_SIMILARITY = 0.9
MAX_SUGGESTED_TAGS = 6
# Words of a topic's description that say nothing about its subject.
TOPIC_STOPWORDS = frozenset(
    [
        "about",
        "also",
        "and",
        "are",
        "between",
        "from",
        "into",
        "more",
        "news",
        "other",
        "over",
        "people",
        "that",
        "their",
        "them",
        "they",
        "this",
        "those",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "with",
        "world",
        "build",
        "builds",
    ]
)


@dataclass(frozen=True)
class TopicGuess:
    """A suggested topic and what it rests on, for the curator note."""

    slug: str
    reason: str
    confidence: str  # "high", "medium" or "low"

    def note(self) -> str:
        return (
            f"topic: {self.slug} (guessed from {self.reason}, "
            f"{self.confidence} confidence)"
        )


def _words(text: str) -> set[str]:
    """Accent-folded lower-case words of four letters or more."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return {w for w in re.findall(r"[^\W\d_]{4,}", plain) if w not in TOPIC_STOPWORDS}


def same_word(page: str, topic: str) -> bool:
    """One word, across inflections and close languages: "astronomy" and
    "astronomical", "clima" and "climate", "energia" and "energy", but not
    "relations" and "relativity" or "internet" and "international" (the shared
    start must be all but two letters of the shorter word and most of the
    longer one)."""
    if page == topic:
        return True
    common = 0
    for a, b in zip(page, topic, strict=False):
        if a != b:
            break
        common += 1
    short, long = sorted((len(page), len(topic)))
    return common >= max(4, short - 2) and common >= 0.6 * long


def guess_topic(
    topics: dict[str, Topic],
    sections: list[str],
    keywords: list[str],
    text: str = "",
) -> TopicGuess | None:
    """The declared topic whose name and description share most words with the
    page's sections (weighted 3), keywords (2) and headline/standfirst (1).

    A section or keyword that is a topic's name or slug is a sure match (high);
    shared words from sections or keywords are medium with two words or more,
    else low; from the headline and standfirst alone, low.
    """
    for kind, values in (("section", sections), ("keyword", keywords)):
        for value in values:
            for part in re.split(r"\s*[>/|,;]\s*", value):
                key = part.strip().casefold()
                for slug, topic in topics.items():
                    if key and key in (slug.casefold(), topic.name.casefold()):
                        return TopicGuess(slug, f"{kind} '{part.strip()}'", "high")
    best: tuple[float, int, str, str, str] | None = None
    for order, (slug, topic) in enumerate(topics.items()):
        vocabulary = _words(f"{slug} {topic.name} {topic.description}")
        score = 0.0
        reasons: list[tuple[str, str]] = []
        matched: set[str] = set()
        for kind, weight, values in (
            ("section", 3, sections),
            ("keyword", 2, keywords),
            ("text", 1, [text]),
        ):
            for value in values:
                hits = {t for w in _words(value) for t in vocabulary if same_word(w, t)}
                if hits - matched:
                    score += weight * len(hits - matched)
                    matched |= hits
                    reasons.append((kind, value))
        if score and (best is None or score > best[0]):
            kind, value = reasons[0]
            confidence = "low" if kind == "text" or len(matched) < 2 else "medium"
            shown = value if len(value) <= 60 else value[:57] + "..."
            best = (score, order, slug, f"{kind} '{shown}'", confidence)
    if best is None:
        return None
    return TopicGuess(best[2], best[3], best[4])


@dataclass
class Catalogue:
    """An index of one project's content, built once per command."""

    root: Path
    topics: dict[str, Topic] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    by_url: dict[str, Path] = field(default_factory=dict)
    titles: dict[str, tuple[str, Path]] = field(default_factory=dict)
    tag_spellings: dict[str, Counter[str]] = field(
        default_factory=lambda: defaultdict(Counter)
    )
    tag_topics: dict[str, Counter[str]] = field(
        default_factory=lambda: defaultdict(Counter)
    )
    source_by_host: dict[str, Counter[str]] = field(
        default_factory=lambda: defaultdict(Counter)
    )
    slugs: set[str] = field(default_factory=set)

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def items_dir(self) -> Path:
        return self.content / "items"

    def shown(self, path: Path) -> str:
        """A path as the curator sees it: relative to the project."""
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)

    def add_draft(self, path: Path, draft: Draft) -> None:
        """Record a draft just written (by ``add`` or ``ingest``), so the next
        import in the same run sees it as a duplicate or a similar title."""
        self.add_item(
            path,
            title=draft.title,
            source_url=draft.source_url,
            topic=draft.topic,
            tags=draft.tags,
            source=draft.source,
            slug=draft.slug,
        )

    def add_item(
        self,
        path: Path,
        *,
        title: str,
        source_url: str,
        topic: str | None = None,
        tags: list[str] | None = None,
        source: str | None = None,
        slug: str | None = None,
    ) -> None:
        """Record one item (read from disk, or a draft just written)."""
        if source_url:
            self.by_url.setdefault(normalise_url(source_url), path)
            host = host_of(source_url)
            if source and host:
                self.source_by_host[host][source] += 1
        if title:
            self.titles.setdefault(_title_key(title), (title, path))
        for tag in tags or []:
            key = tag_key(tag)
            self.tag_spellings[key][" ".join(tag.split())] += 1
            if topic:
                self.tag_topics[key][topic] += 1
        self.slugs.add(slug or slugify(title) if (slug or title) else path.stem)

    def duplicate_of(self, url: str) -> Path | None:
        """The item already about this original, whatever tracking noise the URL has."""
        return self.by_url.get(normalise_url(url))

    def similar_titles(self, title: str) -> list[tuple[str, Path]]:
        """Items whose titles are nearly the same (a warning, not a refusal)."""
        key = _title_key(title)
        return [
            (known, path)
            for other, (known, path) in sorted(self.titles.items())
            if difflib.SequenceMatcher(None, key, other).ratio() >= TITLE_SIMILARITY
        ]

    def tag(self, name: str) -> str | None:
        """The digest's most used spelling of a tag, or None if it has no such tag."""
        spellings = self.tag_spellings.get(tag_key(name))
        if not spellings:
            return None
        return sorted(spellings.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]

    def source_for(self, url: str) -> str | None:
        """The outlet name earlier items from this host used (``teleSUR English``)."""
        names = self.source_by_host.get(host_of(url) or "")
        if not names:
            return None
        return sorted(names.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]

    def topic_for(self, name: str) -> str | None:
        """A declared topic matching a section or keyword by slug or name."""
        key = name.strip().casefold()
        for slug, topic in self.topics.items():
            if key in (slug.casefold(), topic.name.casefold()):
                return slug
        return None

    def suggest(
        self, candidates: list[str], text: str = ""
    ) -> tuple[str | None, list[str]]:
        """A topic and tags from a page's sections and keywords, and its headline.

        Only the digest's own vocabulary is suggested: a candidate that names a
        topic picks it; a candidate that is an existing tag becomes that tag;
        existing tags named in ``text`` (whole words) are added. With no topic
        named, the topic most often used with the suggested tags wins.
        """
        topic: str | None = None
        tags: list[str] = []
        for candidate in candidates:
            for part in re.split(r"\s*[>/|,;]\s*", candidate):
                if not part.strip():
                    continue
                topic = topic or self.topic_for(part)
                known = self.tag(part)
                if known and known not in tags:
                    tags.append(known)
        folded = text.casefold()
        for key in sorted(self.tag_spellings):
            known = self.tag(key)
            if not known:
                continue
            # Short tags are acronyms ("US", "EU"): matched as spelled, so the
            # word "us" does not suggest "US".
            haystack, needle = (text, known) if len(key) <= 3 else (folded, key)
            if not re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", haystack):
                continue
            if known not in tags:
                tags.append(known)
        tags = tags[:MAX_SUGGESTED_TAGS]
        if topic is None and tags:
            votes: Counter[str] = Counter()
            for tag in tags:
                votes.update(self.tag_topics.get(tag_key(tag), Counter()))
            ranked = sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))
            topic = next((slug for slug, _ in ranked if slug in self.topics), None)
        return topic, tags


def _title_key(title: str) -> str:
    return " ".join(re.findall(r"\w+", title.casefold()))


def load_catalogue(root: Path, topics_file: str = "topics.yml") -> Catalogue:
    """Index ``root/content``: its topics and every item's front matter."""
    catalogue = Catalogue(root=root)
    topics_path = catalogue.content / topics_file
    if topics_path.is_file():
        catalogue.topics, catalogue.problems = load_topics(
            topics_path, catalogue.shown(topics_path)
        )
    else:
        catalogue.problems.append(
            Problem(
                catalogue.shown(topics_path),
                message="does not exist.",
                fix="Run the command in the digest's folder, or pass --project DIR.",
            )
        )
    if catalogue.items_dir.is_dir():
        for path in sorted(catalogue.items_dir.rglob("*.md")):
            _read_item(catalogue, path)
    return catalogue


def _read_item(catalogue: Catalogue, path: Path) -> None:
    try:
        doc = split(read_source(path, catalogue.shown(path)), catalogue.shown(path))
    except FrontMatterError as error:
        logger.debug("skipping %s: %s", path, error)
        return
    meta = doc.metadata

    def text(key: str) -> str:
        value = meta.get(key)
        return value if isinstance(value, str) else ""

    tags = meta.get("tags")
    tags = [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []
    catalogue.add_item(
        path,
        title=text("title"),
        source_url=text("source_url"),
        topic=text("topic") or None,
        tags=tags,
        source=text("source") or None,
        slug=text("slug") or None,
    )
