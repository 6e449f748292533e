"""s3 target against a real S3 API (moto's server on 127.0.0.1)."""

from __future__ import annotations

import gzip
import socket
import uuid

import boto3
import brotli
import moto.settings
import pytest
from botocore.exceptions import EndpointConnectionError
from moto.server import ThreadedMotoServer

from newsdigest.deploy import Site, deploy, s3
from newsdigest.problems import DigestError
from tests.helpers import SITE, make_site, republish


@pytest.fixture(scope="module")
def endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{server._server.server_port}"
    server.stop()


@pytest.fixture
def client(endpoint, monkeypatch, tmp_path):
    """A client with dummy credentials; no AWS config file is read."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return boto3.client("s3", endpoint_url=endpoint)


@pytest.fixture
def bucket(client):
    name = f"digest-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name)
    return name


@pytest.fixture
def bucket_settings(endpoint, bucket):
    def make(**target) -> dict:
        options = {"kind": "s3", "bucket": bucket, "endpoint_url": endpoint, **target}
        return {"DIGEST_DEPLOY": {"targets": {"bucket": options}}}

    return make


def objects(client, bucket) -> dict[str, bytes]:
    listing = client.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {
        item["Key"]: client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
        for item in listing
    }


@pytest.mark.slow
def test_first_deploy_uploads_everything_with_headers(
    tmp_path, bucket, client, bucket_settings
):
    site = make_site(tmp_path / "output")

    result = deploy(site, bucket_settings(precompressed="gzip"), "bucket")

    s3_client = client
    assert sorted(result.uploaded) == sorted(SITE)
    assert set(objects(s3_client, bucket)) == set(SITE)
    expected = {
        "index.html": ("text/html; charset=utf-8", "public, max-age=300", "gzip"),
        "feeds/all.atom.xml": ("application/atom+xml", "public, max-age=300", "gzip"),
        "feeds/all.rss.xml": ("application/rss+xml", "public, max-age=300", "gzip"),
        "theme/css/style.3f2a9c1b.css": (
            "text/css; charset=utf-8",
            "public, max-age=31536000, immutable",
            "gzip",
        ),
        "theme/js/menu.js": (
            "text/javascript; charset=utf-8",
            "public, max-age=3600",
            "gzip",
        ),
        "images/logo.png": ("image/png", "public, max-age=3600", None),
    }
    for key, (content_type, cache_control, encoding) in expected.items():
        head = s3_client.head_object(Bucket=bucket, Key=key)
        assert (
            head["ContentType"],
            head["CacheControl"],
            head.get("ContentEncoding"),
        ) == (
            content_type,
            cache_control,
            encoding,
        ), key
    body = s3_client.get_object(Bucket=bucket, Key="index.html")["Body"].read()
    assert gzip.decompress(body) == SITE["index.html"].encode()


@pytest.mark.slow
def test_brotli_bodies_decompress_to_the_site_files(
    tmp_path, bucket, client, bucket_settings
):
    site = make_site(tmp_path / "output")

    deploy(site, bucket_settings(precompressed="br", prefix="/digest/"), "bucket")

    s3_client = client
    head = s3_client.head_object(Bucket=bucket, Key="digest/feeds/all.rss.xml")
    body = s3_client.get_object(Bucket=bucket, Key="digest/feeds/all.rss.xml")[
        "Body"
    ].read()
    assert head["ContentEncoding"] == "br"
    assert brotli.decompress(body) == SITE["feeds/all.rss.xml"].encode()


@pytest.mark.slow
def test_second_deploy_uploads_nothing(tmp_path, bucket_settings):
    site = make_site(tmp_path / "output")
    deploy(site, bucket_settings(precompressed="gzip"), "bucket")

    result = deploy(site, bucket_settings(precompressed="gzip"), "bucket")

    assert result.counts == {"uploaded": 0, "updated": 0, "deleted": 0, "unchanged": 8}


@pytest.mark.slow
def test_changed_file_and_changed_header_are_uploaded_alone(tmp_path, bucket_settings):
    site = make_site(tmp_path / "output")
    deploy(site, bucket_settings(), "bucket")
    (site / "robots.txt").write_text("User-agent: *\nDisallow: /\n")
    republish(site)
    settings = bucket_settings(cache_control={"feeds": "no-cache"})

    result = deploy(site, settings, "bucket")

    assert sorted(result.updated) == [
        "feeds/all.atom.xml",
        "feeds/all.rss.xml",
        "robots.txt",
    ]
    assert result.uploaded == []


@pytest.mark.slow
def test_removed_file_is_deleted_only_with_delete(
    tmp_path, bucket, client, bucket_settings
):
    site = make_site(tmp_path / "output")
    deploy(site, bucket_settings(), "bucket")
    (site / "archives.html").unlink()
    republish(site)

    kept = deploy(site, bucket_settings(), "bucket")
    assert "archives.html" in objects(client, bucket)
    result = deploy(site, bucket_settings(delete=True), "bucket")

    assert kept.deleted == []
    assert result.deleted == ["archives.html"]
    assert "archives.html" not in objects(client, bucket)


@pytest.mark.slow
def test_dry_run_touches_nothing(tmp_path, bucket, client, bucket_settings):
    site = make_site(tmp_path / "output")
    client.put_object(Bucket=bucket, Key="old.html", Body=b"stale")

    result = deploy(site, bucket_settings(delete=True), "bucket", dry_run=True)

    assert objects(client, bucket) == {"old.html": b"stale"}
    assert sorted(result.uploaded) == sorted(SITE)
    assert result.deleted == ["old.html"]


@pytest.mark.slow
def test_a_dry_run_lists_each_file_it_would_send_and_delete(
    tmp_path, bucket, client, bucket_settings
):
    site = make_site(tmp_path / "output")
    deploy(site, bucket_settings(), "bucket")
    (site / "robots.txt").write_text("changed\n")
    (site / "new.html").write_text("<p>new</p>")
    republish(site)
    client.put_object(Bucket=bucket, Key="old.html", Body=b"stale")

    result = deploy(site, bucket_settings(delete=True), "bucket", dry_run=True)

    assert result.summary().splitlines()[1:] == [
        "  would upload: new.html",
        "  would update: robots.txt",
        "  would delete: old.html",
    ]


@pytest.mark.slow
def test_plain_upload_is_recognised_by_etag(tmp_path, bucket, client, bucket_settings):
    site = make_site(tmp_path / "output", {"index.html": SITE["index.html"]})
    client.put_object(
        Bucket=bucket,
        Key="index.html",
        Body=SITE["index.html"].encode(),
        ContentType="text/html; charset=utf-8",
        CacheControl="public, max-age=300",
    )

    result = deploy(site, bucket_settings(), "bucket")

    assert result.unchanged == ["index.html"]


# A site as newsdigest builds it, in the order its files must go up.
ORDERED_SITE = {
    "fonts/serif.woff2": b"wOF2",
    "images/harbour.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
    "theme/css/digest.css": "body { margin: 0 }",
    "2022/01/harbour-expansion/index.html": "<p>item</p>",
    "about/index.html": "<p>page</p>",
    "404.html": "<p>listing</p>",
    "archive/2022/01/index.html": "<p>listing</p>",
    "page/2/index.html": "<p>listing</p>",
    "tags/nato/index.html": "<p>listing</p>",
    "topics/climate/index.html": "<p>listing</p>",
    "topics/climate/page/2/index.html": "<p>listing</p>",
    "feeds/all.atom.xml": "<feed/>",
    "feeds/topics/climate.rss.xml": "<rss/>",
    "index.html": "<p>home</p>",
}


def record_calls(monkeypatch) -> list[tuple[str, str]]:
    """(operation, key) of every S3 write the deploy sends, in order."""
    calls: list[tuple[str, str]] = []
    real_make_client = s3.make_client

    def recording_client(options):
        s3_client = real_make_client(options)

        def record(params, model, **_):
            key = params.get("Key") or ",".join(
                o["Key"] for o in params.get("Delete", {}).get("Objects", [])
            )
            calls.append((model.name, key))

        for operation in ("PutObject", "DeleteObjects"):
            s3_client.meta.events.register(
                f"provide-client-params.s3.{operation}", record
            )
        return s3_client

    monkeypatch.setattr(s3, "make_client", recording_client)
    return calls


@pytest.mark.slow
def test_uploads_go_in_dependency_order_and_home_last(
    tmp_path, bucket, client, bucket_settings, monkeypatch
):
    client.put_object(Bucket=bucket, Key="2021/12/gone/index.html", Body=b"old")
    site = make_site(tmp_path / "output", ORDERED_SITE)
    calls = record_calls(monkeypatch)

    deploy(site, bucket_settings(delete=True), "bucket")

    assert calls == [
        *(("PutObject", path) for path in ORDERED_SITE),
        ("DeleteObjects", "2021/12/gone/index.html"),
    ]
    assert [s3.upload_rank(path) for path in ORDERED_SITE] == sorted(
        s3.upload_rank(path) for path in ORDERED_SITE
    )


@pytest.mark.slow
def test_interrupted_deploy_deletes_nothing_and_resumes(
    tmp_path, bucket, client, bucket_settings, monkeypatch
):
    site = make_site(tmp_path / "output")
    deploy(site, bucket_settings(), "bucket")
    before = objects(client, bucket)
    (site / "archives.html").unlink()  # stale remotely from now on
    for name in ("index.html", "robots.txt", "theme/js/menu.js", "images/logo.png"):
        (site / name).write_bytes((site / name).read_bytes() + b"\n/* v2 */")
    republish(site)
    real_make_client = s3.make_client

    def failing_client(options):
        """A real client whose third PutObject never reaches the server."""
        s3_client = real_make_client(options)
        calls = []

        def fail_third(**kwargs):
            calls.append(kwargs["params"]["Key"])
            if len(calls) == 3:
                raise EndpointConnectionError(endpoint_url=options["endpoint_url"])

        s3_client.meta.events.register(
            "before-parameter-build.s3.PutObject", fail_third
        )
        return s3_client

    monkeypatch.setattr(s3, "make_client", failing_client)
    with pytest.raises(DigestError, match="deploy again to finish"):
        deploy(site, bucket_settings(delete=True), "bucket")
    after = objects(client, bucket)
    monkeypatch.setattr(s3, "make_client", real_make_client)
    resumed = deploy(site, bucket_settings(delete=True), "bucket")

    assert set(after) == set(before)  # archives.html still there
    changed = [name for name in after if after[name] != before[name]]
    assert changed == ["images/logo.png", "robots.txt"]  # the first two uploads
    assert after["index.html"] == before["index.html"]  # old page intact
    assert resumed.updated == ["theme/js/menu.js", "index.html"]
    assert resumed.uploaded == []
    assert resumed.deleted == ["archives.html"]
    assert objects(client, bucket)["index.html"] == (site / "index.html").read_bytes()


def test_cache_classes_and_content_types():
    assert s3.cache_class("theme/app-9f86d081884c.js") == "assets"
    assert s3.cache_class("images/photo.20240115.jpg") == "default"  # a date
    assert s3.cache_class("search.json") == "feeds"
    assert s3.content_type("feeds/all.xml") == "application/xml"
    assert s3.content_type("search.json") == "application/json"
    assert s3.content_type("logo.svg") == "image/svg+xml"
    assert s3.content_type("blob") == "application/octet-stream"


@pytest.mark.slow
def test_names_with_spaces_and_unicode_become_the_same_keys(
    tmp_path, bucket, client, bucket_settings
):
    names = {"sp ace/é ü.html": "<p>x</p>", "índice.html": "<p>y</p>"}
    site = make_site(tmp_path / "output", {**SITE, **names})

    deploy(site, bucket_settings(prefix="digest"), "bucket")

    keys = set(objects(client, bucket))
    assert {f"digest/{name}" for name in names} <= keys


@pytest.mark.slow
@pytest.mark.parametrize("prefix", ["../other", "a/../../b", "./x", "a//b", "a\\b"])
def test_prefixes_that_climb_or_hide_segments_are_refused(
    tmp_path, bucket, client, bucket_settings, prefix
):
    site = make_site(tmp_path / "output")

    with pytest.raises(DigestError, match=r'\["prefix"\]'):
        deploy(site, bucket_settings(prefix=prefix), "bucket")
    assert objects(client, bucket) == {}


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_endpoint_down_is_a_clear_message(tmp_path, client, bucket_settings):
    site = make_site(tmp_path / "output")
    down = f"http://127.0.0.1:{closed_port()}"

    with pytest.raises(DigestError) as failed:
        deploy(site, bucket_settings(endpoint_url=down), "bucket")

    message = str(failed.value)
    assert "S3 target 'bucket'" in message and down in message
    assert "cannot reach the S3 endpoint" in message
    assert "Nothing was uploaded" in message


@pytest.mark.slow
def test_missing_bucket_is_a_clear_message(tmp_path, client, bucket_settings):
    site = make_site(tmp_path / "output")

    with pytest.raises(DigestError, match=r"the bucket does not exist\. Create it"):
        deploy(site, bucket_settings(bucket="no-such-digest-bucket"), "bucket")


@pytest.mark.slow
def test_access_denied_is_a_clear_message(
    tmp_path, bucket, client, bucket_settings, monkeypatch
):
    """moto checks credentials when asked to: ours are unknown to it."""
    site = make_site(tmp_path / "output")
    monkeypatch.setattr(moto.settings, "INITIAL_NO_AUTH_ACTION_COUNT", 0)

    with pytest.raises(DigestError, match=r"access denied \(InvalidAccessKeyId\)"):
        deploy(site, bucket_settings(), "bucket")


@pytest.fixture
def no_credentials(monkeypatch, tmp_path):
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def test_dry_run_without_credentials_lists_the_build(tmp_path, no_credentials):
    site = make_site(tmp_path / "output", {**SITE, "index.html.gz": b"gz"})
    settings = {
        "DIGEST_DEPLOY": {"targets": {"bucket": {"kind": "s3", "bucket": "digest"}}}
    }

    result = deploy(site, settings, "bucket", dry_run=True)

    assert sorted(result.uploaded) == sorted(SITE)  # not the .gz sibling
    assert result.uploaded[-1] == "index.html"
    assert "comparing with bucket 'digest'" in result.summary()
    assert "needs credentials" in result.summary()


def test_deploy_without_credentials_is_refused_clearly(tmp_path, no_credentials):
    site = make_site(tmp_path / "output")
    settings = {
        "DIGEST_DEPLOY": {"targets": {"bucket": {"kind": "s3", "bucket": "digest"}}}
    }

    with pytest.raises(
        DigestError, match=r"no AWS credentials found.*AWS_ACCESS_KEY_ID"
    ):
        deploy(site, settings, "bucket")


def test_a_file_changed_after_verification_is_not_uploaded(tmp_path):
    site = make_site(tmp_path / "output")
    (local,) = [
        f
        for f in s3.local_files(
            Site(site, {"robots.txt": "0" * 64}),
            "",
            {"precompressed": None, "cache_control": {"default": "x"}},
        )
    ]

    with pytest.raises(DigestError, match=r"robots\.txt: it changed after"):
        s3.read_verified(local)
