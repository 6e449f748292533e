"""A digest of your own: `newsdigest init`, `theme copy` and the packaged theme."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import newsdigest
from newsdigest.cli import cli
from newsdigest.scaffold import (
    Answers,
    InitError,
    check_authority,
    check_language,
    check_site_url,
    check_timezone,
    copy_theme,
    default_authority,
    parse_topics,
    python_literal,
    render_site,
    write_site,
)
from tests.helpers import (
    PINNED_ENV,
    REPO,
    Project,
    free_port,
    item,
    output_of,
    run_module,
)

# The demo site's answers: its pelicanconf.py is the init template rendered with them.
DEMO = Answers(
    site_name="The Sample Digest",
    site_url="https://digest.example.org",
    id_authority="digest.example.org,2026",
    description="Stories worth keeping, summarised by our curators, with a link "
    "to every original.",
    footer="Sample digest built with newsdigest.",
    build_date="2022-02-01T00:00:00+00:00",
)
FLAGS = [
    "--name",
    "Harbour Digest",
    "--url",
    "https://harbour.example.org/",
    "--timezone",
    "Europe/Lisbon",
    "--language",
    "pt-BR",
    "--topics",
    "World, Science & Health",
]
SITE_FILES = {
    ".gitignore",
    "README.md",
    "content/items/.gitkeep",
    "content/pages/about.md",
    "content/topics.yml",
    "pelicanconf.py",
    "publishconf.py",
    "tasks.py",
}


def run_init(directory: Path, *args: str, **kwargs):
    return CliRunner().invoke(cli, ["init", str(directory), *args], **kwargs)


# --- Answers --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://digest.example.org/", "https://digest.example.org"),
        ("http://example.com/digest", "http://example.com/digest"),
    ],
)
def test_site_url_is_kept_without_trailing_slash(value, expected):
    assert check_site_url(value) == expected


@pytest.mark.parametrize(
    "value",
    ["digest.example.org", "ftp://x.org", "javascript:alert(1)", "https://x.org/?a=1"],
)
def test_site_url_must_be_a_public_http_address(value):
    with pytest.raises(InitError, match="https://"):
        check_site_url(value)


@pytest.mark.parametrize(
    "value", ["Mars/Olympus", "../../etc/passwd", "/etc/localtime", "", "CEST"]
)
def test_timezone_must_be_an_iana_name(value):
    with pytest.raises(InitError, match="IANA"):
        check_timezone(value)


def test_timezone_and_language_accept_real_values():
    assert check_timezone("America/Sao_Paulo") == "America/Sao_Paulo"
    assert check_language("pt-BR") == "pt-BR"
    with pytest.raises(InitError):
        check_language("english please")


def test_default_authority_is_the_host_and_year():
    import datetime as dt

    today = dt.date(2027, 3, 1)
    assert default_authority("https://News.Example.org/x", today) == (
        "news.example.org,2027"
    )
    assert check_authority("news.example.org,2027") == "news.example.org,2027"
    with pytest.raises(InitError, match="tag: URI"):
        check_authority("https://news.example.org")


def test_topics_become_slugs_in_order():
    assert parse_topics(" World ,Science & Health,, ") == [
        ("world", "World"),
        ("science-health", "Science & Health"),
    ]
    with pytest.raises(InitError, match="topics/world/"):
        parse_topics("World, world")
    with pytest.raises(InitError, match="letters or digits"):
        parse_topics("World, ???")
    with pytest.raises(InitError, match="at least one"):
        parse_topics(" , ")


@pytest.mark.parametrize(
    "text",
    [
        "short",
        'quotes " and \\ backslashes',
        "a long line " * 12,
        "line\nbreak and a very long tail that must be wrapped somewhere " * 2,
    ],
)
def test_python_literal_reads_back_as_the_same_text(text):
    assert ast.literal_eval(python_literal(text, indent=4)) == text


# --- Rendering and writing --------------------------------------------------------


def test_demo_settings_are_the_init_template_rendered_with_its_answers():
    rendered = render_site(DEMO)["pelicanconf.py"]
    assert rendered == (REPO / "pelicanconf.py").read_text(), (
        "pelicanconf.py drifted from src/newsdigest/skeleton/pelicanconf.py.jinja: "
        "change the template, then write its rendering to pelicanconf.py."
    )


def test_site_tasks_are_this_repository_tasks():
    assert render_site(DEMO)["tasks.py"] == (REPO / "tasks.py").read_text()


def test_hostile_answers_stay_data(tmp_path):
    answers = Answers(
        site_name='Evil" + __import__("os").system("x") + "',
        site_url="https://x.example.org",
        id_authority="x.example.org,2026",
        description="*bold* <script>alert(1)</script>\n---\nstatus: draft",
        topics=[("world", 'World: "quoted"\n- list')],
    )
    files = render_site(answers)
    settings = {}
    tree = ast.parse(files["pelicanconf.py"])
    for node in tree.body:
        if isinstance(node, ast.Assign) and node.targets[0].id == "SITENAME":
            settings["SITENAME"] = ast.literal_eval(node.value)
    assert settings["SITENAME"] == answers.site_name
    assert (
        yaml.safe_load(files["content/topics.yml"])["world"]["name"]
        == (answers.topics[0][1])
    )
    front = files["content/pages/about.md"].split("---\n")[1]
    assert yaml.safe_load(front)["title"] == f"About {answers.site_name}"


def test_init_writes_every_file_and_refuses_a_non_empty_folder(tmp_path):
    site = tmp_path / "site"
    result = run_init(site, *FLAGS)
    assert result.exit_code == 0, result.output
    written = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    assert written == SITE_FILES
    assert "invoke serve" in result.output
    topics = yaml.safe_load((site / "content/topics.yml").read_text())
    assert list(topics) == ["world", "science-health"]
    # no made-up description ("Stories about World.") to be published
    assert topics["world"] == {"name": "World", "order": 1}
    conf = (site / "pelicanconf.py").read_text()
    assert '"harbour.example.org,' in conf and '"Europe/Lisbon"' in conf
    assert (
        'SITEURL = "https://harbour.example.org"'
        in (site / "publishconf.py").read_text()
    )
    before = (site / "pelicanconf.py").read_text()
    (site / "pelicanconf.py").write_text(before + "# mine\n")
    again = run_init(site, *FLAGS)
    assert again.exit_code == 1
    assert "not empty" in again.output and "Traceback" not in again.output
    assert (site / "pelicanconf.py").read_text() == before + "# mine\n"


def test_init_refuses_a_file_in_the_way(tmp_path):
    (tmp_path / "site").write_text("notes")
    result = run_init(tmp_path / "site", *FLAGS)
    assert result.exit_code == 2 and "is a file" in result.output
    assert (tmp_path / "site").read_text() == "notes"


def test_init_accepts_an_existing_empty_folder_and_leaves_no_temporary_files(
    tmp_path,
):
    site = tmp_path / "empty"
    site.mkdir()
    assert run_init(site, *FLAGS).exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty"]


def test_init_refuses_a_bad_timezone_in_one_line(tmp_path):
    flags = [*FLAGS]
    flags[flags.index("Europe/Lisbon")] = "Europe/Atlantis"
    result = run_init(tmp_path / "site", *flags)
    assert result.exit_code == 2
    assert "'Europe/Atlantis' is not a time zone" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "site").exists()


def test_init_needs_an_id_authority_when_the_host_cannot_make_one(tmp_path):
    flags = [*FLAGS]
    flags[flags.index("https://harbour.example.org/")] = "https://bücher.example/"
    result = run_init(tmp_path / "site", *flags)
    assert result.exit_code == 2
    assert "pass it with --id-authority" in result.output
    assert not (tmp_path / "site").exists()
    ok = run_init(tmp_path / "site", *flags, "--id-authority", "buecher.example,2026")
    assert ok.exit_code == 0, ok.output


def test_init_asks_for_what_is_not_given(tmp_path):
    answers = "\n".join(
        ["My Digest", "not a url", "https://my.example.org", "UTC", "en", "Local"]
    )
    result = run_init(tmp_path / "site", input=answers + "\n")
    assert result.exit_code == 0, result.output
    assert "is not the site's public address" in result.output  # asked again
    conf = (tmp_path / "site/pelicanconf.py").read_text()
    assert 'SITENAME = "My Digest"' in conf
    assert "local:" in (tmp_path / "site/content/topics.yml").read_text()


def test_write_site_never_leaves_half_a_site(tmp_path, monkeypatch):
    files = render_site(DEMO)
    calls = []
    real = Path.write_text

    def failing(self, *args, **kwargs):
        calls.append(self)
        if len(calls) == 3:
            raise OSError("disk full")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", failing)
    with pytest.raises(OSError, match="disk full"):
        write_site(tmp_path / "site", files)
    assert list(tmp_path.iterdir()) == []


def test_theme_copy_copies_and_never_overwrites(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli, ["theme", "copy"])
    assert result.exit_code == 0, result.output
    assert 'THEME = "themes/digest"' in result.output
    copied = tmp_path / "themes/digest"
    assert (copied / "templates/base.html").read_text() == (
        Path(newsdigest.theme_path()) / "templates/base.html"
    ).read_text()
    (copied / "templates/base.html").write_text("mine")
    again = runner.invoke(cli, ["theme", "copy"])
    assert again.exit_code == 1 and "never overwrites" in again.output
    assert (copied / "templates/base.html").read_text() == "mine"
    with pytest.raises(InitError):
        copy_theme(copied)


def test_theme_path_names_the_packaged_theme():
    assert Path(newsdigest.theme_path(), "templates", "redirect.html").is_file()
    with pytest.raises(ValueError, match="ships: digest"):
        newsdigest.theme_path("nope")


def test_the_theme_has_nothing_of_the_sample():
    theme = Path(newsdigest.theme_path())
    for path in theme.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace").lower()
            assert "sample" not in text, path
            assert "example.org" not in text, path


@pytest.mark.slow
def test_footer_text_comes_from_settings(make_project):
    project = make_project()
    result = project.build(DIGEST_CONTENT={"id_authority": "x.example.org,2026"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "<p>Built with newsdigest.</p>" in project.page("index.html")
    result = project.build(
        DIGEST_CONTENT={"id_authority": "x.example.org,2026", "footer": "Ours & yours"}
    )
    assert result.returncode == 0, result.stdout + result.stderr
    page = project.page("index.html")
    assert "<p>Ours &amp; yours</p>" in page and "Built with newsdigest" not in page


# --- From an installed package, outside this checkout -----------------------------


def _outside_env() -> dict[str, str]:
    """The environment of a user outside this checkout: no PYTHONPATH, no venv."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")
    }
    return {**env, **PINNED_ENV}


def _venv_with_wheel(tmp: Path) -> Path:
    """A fresh venv holding newsdigest from a wheel built from this checkout;
    its dependencies are this environment's (a .pth line, not an install)."""
    source = tmp / "source"
    shutil.copytree(
        REPO / "src",
        source / "src",
        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"),
    )
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    wheels = tmp / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-q",
            "-w",
            str(wheels),
            str(source),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("newsdigest-*.whl")
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    site_packages = Path(
        subprocess.run(
            [
                str(python),
                "-c",
                "import sysconfig; print(sysconfig.get_paths()['purelib'])",
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    # The venv's own pip installs the wheel, so the `newsdigest` script runs
    # the venv's Python; without PYTHONPATH, which may hold this checkout.
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-index",
            "-q",
            str(wheel),
        ],
        check=True,
        capture_output=True,
        env=_outside_env(),
    )
    # Then the dependencies: this environment's site-packages as a plain path
    # (after the install, so pip does not take this environment's editable
    # newsdigest for the one to install; its own .pth is not read).
    (site_packages / "_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


@pytest.mark.slow
def test_init_from_the_installed_package_builds_publishes_and_checks(tmp_path):
    python = _venv_with_wheel(tmp_path)
    env = _outside_env()
    env["PATH"] = f"{python.parent}{os.pathsep}{env.get('PATH', '')}"
    work = tmp_path / "elsewhere"
    work.mkdir()

    def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        command = [str(python), *args] if args[0].startswith("-") else list(args)
        result = subprocess.run(
            command, cwd=cwd, env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result

    where = run("-c", "import newsdigest; print(newsdigest.__file__)", cwd=work)
    assert where.stdout.startswith(str(tmp_path / "venv")), where.stdout
    # The console script the wheel installs, from a folder outside this checkout.
    run(str(python.parent / "newsdigest"), "init", "mysite", *FLAGS, cwd=work)
    site = Project(work / "mysite")
    site.write(
        "content/items/first.md",
        item(title="First story", topic="world", date="2022-01-10"),
    )
    site.write(
        "content/items/later.md",
        item(
            title="Not yet",
            topic="world",
            status="draft",
            source_url="https://example.com/later",
        ),
    )
    dev = run("-m", "invoke", "build", cwd=site.root)
    assert "draft preview: Not yet -> http://127.0.0.1:8000/drafts/not-yet/" in (
        dev.stdout
    )
    published = run("-m", "pelican", "content", "-s", "publishconf.py", cwd=site.root)
    site.settings = "publishconf.py"  # its output/ is the one looked at now
    assert "newsdigest: 1 items" in published.stdout
    page = site.page("2022/01/first-story/index.html")
    assert "Harbour Digest" in page and "Built with newsdigest." in page
    assert "Sample" not in page
    assert not (site.output / "drafts").exists()
    assert (site.output / "theme/css/digest.css").is_file()
    run(str(python.parent / "newsdigest"), "check", cwd=site.root)
    assert run("-m", "invoke", "publish", cwd=site.root).returncode == 0


@pytest.mark.slow
def test_a_copied_theme_is_used_once_set(make_project, monkeypatch):
    project = make_project()
    monkeypatch.chdir(project.root)
    assert CliRunner().invoke(cli, ["theme", "copy"]).exit_code == 0
    header = project.root / "themes/digest/templates/partials/site_header.html"
    header.write_text(header.read_text().replace("Skip to content", "Skip ahead"))
    with (project.root / "pelicanconf.py").open("a") as conf:
        conf.write('THEME = "themes/digest"\n')
    result = project.build()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Skip ahead" in project.page("index.html")


def test_generated_settings_fit_the_line_length_whatever_the_answers():
    answers = Answers(
        site_name="A very long digest name that goes on and on "
        "for quite a while, really",
        site_url="https://digest.example.org/with/a/rather/long/path/to/the/site/root",
        id_authority="digest.example.org,2026",
        description="word " * 40 + "Überlänge " * 8,
    )
    files = render_site(answers)
    for name in ("pelicanconf.py", "publishconf.py", "tasks.py"):
        ast.parse(files[name])
        long = [line for line in files[name].splitlines() if len(line) > 88]
        assert not long, (name, long)


# --- Every task of a site made by init works there --------------------------------

SITE_TASKS = {
    "add",
    "build",
    "check",
    "clean",
    "deploy",
    "ingest",
    "livereload",
    "new",
    "publish",
    "rebuild",
    "serve",
}


def _serve_once(site: Path, port: int) -> str:
    """``invoke serve``: wait for the home page, then stop it as Ctrl-C does."""
    import signal
    import time
    import urllib.request

    process = subprocess.Popen(
        [sys.executable, "-m", "invoke", "serve", "--port", str(port)],
        cwd=site,
        env={**os.environ, **PINNED_ENV},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, process.communicate()[0]
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/") as reply:
                    home = reply.read().decode()
                break
            except OSError:
                assert time.monotonic() < deadline, "invoke serve never answered"
                time.sleep(0.3)
        os.killpg(process.pid, signal.SIGINT)
        log = process.communicate(timeout=30)[0]
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == 0, log
    assert "Stopped." in log and "Traceback" not in log
    return home


@pytest.mark.slow
def test_every_task_of_a_site_made_by_init_works_there(tmp_path):
    site = tmp_path / "site"
    assert run_init(site, *FLAGS).exit_code == 0
    www = tmp_path / "www"
    with (site / "publishconf.py").open("a") as conf:
        conf.write(
            f'\nDIGEST_DEPLOY = {{"targets": {{"local": {{"kind": "rsync", '
            f'"destination": "{www}", "delete": True}}}}}}\n'
        )
    Project(site).write(
        "content/items/first.md",
        item(title="First story", topic="world", date="2022-01-10"),
    )

    def task(*args: str) -> str:
        done = run_module("invoke", *args, cwd=site)
        assert done.returncode == 0, f"invoke {' '.join(args)}:\n{output_of(done)}"
        assert "Traceback" not in output_of(done)
        return output_of(done)

    # "  name   help": wrapped help lines are indented further.
    listed = {
        line.split()[0]
        for line in task("--list").splitlines()[1:]
        if line.startswith("  ") and not line.startswith("   ")
    }
    assert listed == SITE_TASKS  # no task of this repository's checkout
    for name in sorted(listed):
        assert "Docstring:" in task("--help", name)

    made = task("new", "A curator's draft", "--topic", "World")
    assert "content/items/" in made
    task("build")
    assert (site / "output-dev" / "index.html").is_file()
    task("rebuild")
    assert "Harbour Digest" in _serve_once(site, free_port())
    task("publish")
    task("build")  # a preview after publishing
    task("check")
    assert "[dry run] would deploy to local (rsync)" in task(
        "deploy", "local", "--dry-run"
    )
    assert not www.exists()
    task("deploy", "local")
    assert (www / "index.html").is_file()
    task("clean")
    assert not (site / "output-dev").exists() and (site / "output").exists()
