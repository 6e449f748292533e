"""``newsdigest init`` and ``newsdigest theme copy``: a digest of your own.

A new site is written from the templates in ``newsdigest/skeleton/``, shipped
inside the package, so ``init`` works from an installed newsdigest anywhere. The
site reads the plugins, the address layout and the theme from the package
(``newsdigest.siteconf``), so it holds only its own settings and content; its
``tasks.py`` is this repository's own (the skeleton links to it). This
repository's ``pelicanconf.py`` is the same template rendered with the demo's
answers (a test keeps them equal), so the demo and new sites never drift apart.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import shutil
import sys
import tempfile
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
import jinja2
import yaml

from newsdigest import theme_path
from newsdigest.filemodes import PUBLIC_DIR, PUBLIC_FILE, fix_tree
from newsdigest.model.schema import LANG
from newsdigest.model.topics import SLUG
from newsdigest.settings import AUTHORITY
from newsdigest.urls import CONTROL_CHARS, is_absolute_http_url

logger = logging.getLogger(__name__)

SKELETON = Path(__file__).parent / "skeleton"
# Skeleton files whose name on disk differs from the site's (packaging tools
# drop dotfiles).
RENAMED = {"gitignore": ".gitignore"}
DEFAULT_FOOTER = "Built with newsdigest."
DEFAULT_TOPICS = "News"
LINE_LENGTH = 88  # ruff's default, and this project's


class InitError(ValueError):
    """An answer that cannot make a site; the message names it and the fix."""


# --- Answers, each checked with a message that says what to type ---------------


def check_site_name(value: str) -> str:
    text = " ".join(str(value).split())
    if not text or CONTROL_CHARS.search(str(value)):
        raise InitError("The site name must be some text, e.g. 'The Harbour Digest'.")
    return text


def check_site_url(value: str) -> str:
    text = str(value).strip()
    parts = urlsplit(text) if is_absolute_http_url(text) else None
    if not parts or parts.query or parts.fragment:
        raise InitError(
            f"{value!r} is not the site's public address; give the full "
            "https:// URL, e.g. https://digest.example.org"
        )
    return text.rstrip("/")


def default_authority(site_url: str, today: dt.date | None = None) -> str:
    """The site's host and this year: a tag: authority the site owner controls."""
    host = (urlsplit(site_url).hostname or "").lower()
    return f"{host},{(today or dt.date.today()).year}"


def check_authority(value: str) -> str:
    text = str(value).strip()
    if not AUTHORITY.match(text):
        raise InitError(
            f"{value!r} is not a tag: URI authority; give a domain you own and "
            "the year you started, e.g. digest.example.org,2026"
        )
    return text


def check_timezone(value: str) -> str:
    text = str(value).strip()
    try:
        if not text or text.startswith(("/", ".")):
            raise ValueError(text)
        zoneinfo.ZoneInfo(text)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        raise InitError(
            f"{value!r} is not a time zone; use an IANA name such as UTC, "
            "Europe/Lisbon or America/Sao_Paulo"
        ) from None
    return text


def check_language(value: str) -> str:
    text = str(value).strip()
    if not LANG.match(text):
        raise InitError(f"{value!r} is not a language tag; use e.g. en, fr, pt-BR")
    return text


def parse_topics(value: str) -> list[tuple[str, str]]:
    """``"World, Science and health"`` -> [("world", "World"), ...]."""
    from pelican.settings import DEFAULT_CONFIG
    from pelican.utils import slugify

    topics: list[tuple[str, str]] = []
    for raw in str(value).split(","):
        name = " ".join(raw.split())
        if not name:
            continue
        slug = slugify(name, regex_subs=DEFAULT_CONFIG["SLUG_REGEX_SUBSTITUTIONS"])
        if not SLUG.match(slug) or CONTROL_CHARS.search(name):
            raise InitError(
                f"The topic {name!r} has no letters or digits for its address."
            )
        if slug in {s for s, _ in topics}:
            raise InitError(
                f"Two topics make the address topics/{slug}/; name them apart."
            )
        topics.append((slug, name))
    if not topics:
        raise InitError("Give at least one topic, e.g. 'World, Science'.")
    return topics


@dataclass(frozen=True)
class Answers:
    """What a new site is made of."""

    site_name: str
    site_url: str
    id_authority: str
    timezone: str = "UTC"
    language: str = "en"
    topics: list[tuple[str, str]] = field(default_factory=lambda: [("news", "News")])
    description: str = ""
    footer: str = DEFAULT_FOOTER
    build_date: str | None = None  # pinned only for reproducible demo sites


# --- Rendering ---------------------------------------------------------------------


def python_literal(value: Any, indent: int = 0, prefix: int = 0) -> str:
    """A Python literal for a settings file. Text that does not fit on its line
    (``prefix`` characters come before it, a comma after) is wrapped the way
    ``ruff format`` writes it, so generated files pass the linter."""
    if not isinstance(value, str):
        return repr(value)
    literal = json.dumps(value, ensure_ascii=False)  # also a valid Python literal
    if prefix + len(literal) + 1 <= LINE_LENGTH:
        return literal
    width = LINE_LENGTH - indent - 4 - 2  # indented one level, in quotes
    lines, current = [], ""
    for word in re.findall(r"\S+\s*", value):
        if current and len(json.dumps(current + word, ensure_ascii=False)) > width:
            lines.append(current)
            current = ""
        current += word
    lines.append(current)
    inner = " " * (indent + 4)
    body = "\n".join(inner + json.dumps(line, ensure_ascii=False) for line in lines)
    return f"(\n{body}\n{' ' * indent})"


def _yaml_scalar(value: str) -> str:
    return (
        yaml.safe_dump(value, allow_unicode=True, width=1000)
        .removesuffix("\n...\n")
        .strip()
    )


def _markdown_text(value: str) -> str:
    """Plain text inside Markdown: characters with a meaning are escaped."""
    return re.sub(r"([\\`*_{}\[\]<>()#+!|~])", r"\\\1", value)


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(SKELETON)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # Python, YAML and Markdown: each has its own filter
    )
    env.filters.update(py=python_literal, yaml=_yaml_scalar, md=_markdown_text)
    return env


def topics_yaml(topics: list[tuple[str, str]]) -> str:
    """The topics file ``init`` writes: names and order only. A description is
    the curator's to write (a made-up "Stories about World." would be published
    on the topic's page and in its feed); the comment says how."""
    data = {
        slug: {"name": name, "order": order}
        for order, (slug, name) in enumerate(topics, start=1)
    }
    return (
        "# Topics, keyed by the slug used in addresses and in items' `topic`.\n"
        "# Optional: give a topic a line about it, shown on its page, e.g.\n"
        "#   description: Diplomacy, security and relations between states.\n"
        + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    )


def render_site(answers: Answers) -> dict[str, str]:
    """Every file of the new site: relative path -> text."""
    env = environment()
    context = vars(answers)
    files: dict[str, str] = {}
    for path in sorted(SKELETON.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        rel = path.relative_to(SKELETON).as_posix()
        rel = RENAMED.get(rel, rel)
        if rel.endswith(".jinja"):
            files[rel.removesuffix(".jinja")] = env.get_template(
                path.relative_to(SKELETON).as_posix()
            ).render(context)
        else:
            files[rel] = path.read_text(encoding="utf-8")
    files["content/topics.yml"] = topics_yaml(answers.topics)
    files["content/items/.gitkeep"] = ""
    return files


def write_site(dest: Path, files: dict[str, str]) -> None:
    """Write the site into ``dest`` (absent or empty) all at once: the files
    go to a temporary folder beside it, which is then renamed into place."""
    dest = dest.absolute()
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        what = "is not empty" if dest.is_dir() else "is a file"
        raise InitError(
            f"{dest} {what}; newsdigest init never overwrites files. "
            "Choose a new folder."
        )
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.init-", dir=dest.parent))
    try:
        for rel, text in files.items():
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        # The project's code (pelicanconf.py) must never be writable by others,
        # whatever the umask: 0755 folders, 0644 files.
        fix_tree(staging, PUBLIC_DIR, PUBLIC_FILE)
        if dest.exists():
            dest.rmdir()  # empty, checked above
        staging.rename(dest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def copy_theme(dest: Path, name: str = "digest") -> Path:
    """Copy a packaged theme for customising; never over an existing path."""
    if dest.exists() or dest.is_symlink():
        raise InitError(
            f"{dest} already exists; newsdigest theme copy never overwrites. "
            "Remove it or choose another folder."
        )
    shutil.copytree(
        theme_path(name), dest, ignore=shutil.ignore_patterns("__pycache__")
    )
    return dest


# --- Commands -----------------------------------------------------------------------


def _checked(check: Callable[[str], Any]) -> Callable[..., Any]:
    """A click callback that turns an InitError into a one-line usage error."""

    def callback(_ctx: click.Context, _param: click.Parameter, value: Any) -> Any:
        if value is None:
            return None
        try:
            return check(value)
        except InitError as exc:
            raise click.BadParameter(str(exc)) from None

    return callback


def _prompt_check(check: Callable[[str], Any]) -> Callable[[str], Any]:
    def convert(value: str) -> Any:
        try:
            return check(value)
        except InitError as exc:
            raise click.UsageError(str(exc)) from None

    return convert


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--name",
    "site_name",
    prompt="Site name",
    callback=_checked(check_site_name),
    help="The digest's name, shown in every page's header and title.",
)
@click.option(
    "--url",
    "site_url",
    prompt="Public address (https://...)",
    callback=_checked(check_site_url),
    help="Where the published site lives, e.g. https://digest.example.org.",
)
@click.option(
    "--id-authority",
    callback=_checked(check_authority),
    help="tag: URI authority for item ids: a domain you own and a year "
    "[default: the URL's host and this year]. Never change it after publishing.",
)
@click.option(
    "--timezone",
    prompt="Time zone",
    default="UTC",
    show_default=True,
    callback=_checked(check_timezone),
    help="IANA time zone for dates written without an offset, e.g. Europe/Lisbon.",
)
@click.option(
    "--language",
    prompt="Language",
    default="en",
    show_default=True,
    callback=_checked(check_language),
    help="The site's language tag, e.g. en, fr, pt-BR.",
)
@click.option(
    "--topics",
    prompt="Topics (comma-separated)",
    default=DEFAULT_TOPICS,
    show_default=True,
    # Checked here, parsed in the command: click converts a prompted value
    # back to text after its callback, so the callback must return text.
    callback=_checked(lambda text: parse_topics(text) and text),
    help="The digest's topics, comma-separated, e.g. 'World, Science, Health'.",
)
@click.option(
    "--description",
    default="",
    help="One line about the digest (meta description, home page lede).",
)
def init(
    directory: Path,
    site_name: str,
    site_url: str,
    id_authority: str | None,
    timezone: str,
    language: str,
    topics: str,
    description: str,
) -> None:
    """Start a digest of your own in DIRECTORY (new or empty).

    Writes pelicanconf.py, publishconf.py, tasks.py, content/topics.yml, an About
    page, .gitignore and a README. The theme and plugins stay in the installed
    newsdigest package. Options not given are asked for.
    """
    if id_authority is None:
        suggested = default_authority(site_url)
        if sys.stdin.isatty():
            id_authority = click.prompt(
                "Item id authority (a domain you own, a year)",
                default=suggested,
                value_proc=_prompt_check(check_authority),
            )
        else:
            id_authority = suggested
    try:
        id_authority = check_authority(id_authority)
    except InitError as exc:
        raise click.UsageError(f"{exc}; pass it with --id-authority.") from None
    answers = Answers(
        site_name=site_name,
        site_url=site_url,
        id_authority=id_authority,
        timezone=timezone,
        language=language,
        topics=parse_topics(topics),
        description=" ".join(description.split()),
    )
    try:
        write_site(directory, render_site(answers))
    except (InitError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Created {site_name!r} in {directory}.")
    click.echo(f"Next: cd {directory} && python3 -m invoke serve")
    click.echo(f"Item ids use {answers.id_authority}: never change it once published.")


@click.group()
def theme() -> None:
    """The packaged digest theme: copy it to customise it."""


@theme.command("copy", short_help="Copy the digest theme into the project to edit it.")
@click.argument(
    "dest",
    type=click.Path(path_type=Path),
    default=Path("themes") / "digest",
    required=False,
)
def theme_copy(dest: Path) -> None:
    """Copy the digest theme to DEST (default themes/digest); never overwrites.

    Then set THEME in pelicanconf.py to DEST, after the siteconf import.
    """
    try:
        copy_theme(dest)
    except (InitError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    shown = dest.as_posix()
    click.echo(f"Copied the digest theme to {shown}.")
    click.echo(f'Now set THEME = "{shown}" in pelicanconf.py (below the imports).')
