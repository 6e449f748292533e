"""Deploy the site folder to an S3 bucket (or any S3-compatible API) with boto3.

Only new and changed files are uploaded: each object carries the sha256 of its
local file in ``x-amz-meta-sha256`` (objects uploaded by other tools are compared
by ETag, the md5 of a plain upload), and headers are compared too so a changed
Cache-Control or encoding setting re-uploads.

Uploads go in dependency order: assets (styles, images, fonts), item pages,
listing pages (topics, tags, sources, archives, pagination), feeds, and the home
page last, so whatever is online links only to what is already there: an
interrupted deploy never leaves a feed or the home page pointing at a missing
item. Stale objects are deleted only after every upload succeeded, and a re-run
resumes where it stopped.

Only the files of the verified manifest are uploaded, each re-hashed as it is
read, so a file changed after the check is refused rather than published.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    PartialCredentialsError,
)

from newsdigest.deploy.result import DeployResult, Site
from newsdigest.problems import DigestError
from newsdigest.publishing.compress import (
    compress,
    is_compressible,
    is_sibling,
)
from newsdigest.publishing.hosts import cache_class

log = logging.getLogger(__name__)

TEXT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".xml": "application/xml",
    ".json": "application/json",
    ".svg": "image/svg+xml",
}
FEED_TYPES = {".atom.xml": "application/atom+xml", ".rss.xml": "application/rss+xml"}
# Upload ranks: what is linked to goes up before what links to it.
ASSETS, ITEM_PAGES, LISTINGS, FEEDS, HOME = range(5)
LISTING_FOLDERS = frozenset(
    {"topics", "tags", "sources", "archive", "categories", "authors", "page"}
)
PAGE_NUMBER = re.compile(r"(^|/)page/\d+/")
ACCESS_DENIED = {
    "AccessDenied",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "InvalidToken",
    "ExpiredToken",
    "403",
}
DELETE_BATCH = 1000  # the most keys DeleteObjects accepts


@dataclass(frozen=True)
class LocalFile:
    """One site file and the object it should become."""

    path: str
    key: str
    source: Path
    sha256: str
    content_type: str
    cache_control: str
    encoding: str | None


def content_type(path: str) -> str:
    name = path.lower()
    for suffix, mime in FEED_TYPES.items():
        if name.endswith(suffix):
            return mime
    suffix = Path(name).suffix
    if suffix in TEXT_TYPES:
        return TEXT_TYPES[suffix]
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def upload_rank(path: str) -> int:
    """Where a file goes in the upload order (see the module docstring)."""
    suffix = Path(path).suffix.lower()
    if suffix in (".xml", ".json"):
        return FEEDS
    if suffix not in (".html", ".htm"):
        return ASSETS
    if path == "index.html":
        return HOME
    top = path.split("/", 1)[0]
    if "/" not in path or top in LISTING_FOLDERS or PAGE_NUMBER.search(path):
        return LISTINGS  # 404.html, archives.html, topics/..., page/2/...
    return ITEM_PAGES


def object_prefix(prefix: str) -> str:
    prefix = prefix.strip("/")
    return f"{prefix}/" if prefix else ""


def make_client(options: dict[str, Any]) -> Any:
    config = Config(
        connect_timeout=10,
        read_timeout=60,
        retries={"max_attempts": 3, "mode": "standard"},
    )
    return boto3.client(
        "s3",
        endpoint_url=options["endpoint_url"],
        region_name=options["region"],
        config=config,
    )


def has_credentials() -> bool:
    """Whether boto3 finds credentials (environment, ~/.aws, instance role)."""
    return boto3.session.Session().get_credentials() is not None


def deploy(
    site: Site, name: str, options: dict[str, Any], *, dry_run: bool = False
) -> DeployResult:
    bucket = options["bucket"]
    prefix = object_prefix(options["prefix"])
    result = DeployResult(target=name, kind="s3", dry_run=dry_run)
    files = local_files(site, prefix, options)
    if not has_credentials():
        if dry_run:
            return _plan_without_bucket(files, result, bucket)
        raise DigestError(
            f"S3 target {name!r}: no AWS credentials found, so nothing was "
            "uploaded. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or "
            "AWS_PROFILE, or ~/.aws/credentials) and deploy again."
        )
    uploading = False
    try:
        client = make_client(options)
        remote = remote_objects(client, bucket, prefix)
        plan(client, bucket, files, remote, result)
        if options["delete"]:
            result.deleted = stale_paths(remote, files, prefix)
        if not dry_run:
            uploading = True
            _apply(client, bucket, files, result, prefix)
    except (BotoCoreError, ClientError) as error:
        raise DigestError(
            failure_message(name, bucket, options["endpoint_url"], error, uploading)
        ) from None
    log.info("s3: %s", result.summary())
    return result


def _plan_without_bucket(
    files: list[LocalFile], result: DeployResult, bucket: str
) -> DeployResult:
    """A dry run without credentials: every file of the manifest, in order."""
    result.uploaded = [file.path for file in files]
    result.notes.append(
        f"no AWS credentials: listed every file of the build; comparing with "
        f"bucket {bucket!r} (changed, unchanged, to delete) needs credentials"
    )
    log.warning("s3: %s", result.notes[-1])
    return result


def failure_message(
    name: str,
    bucket: str,
    endpoint: str | None,
    error: Exception,
    uploading: bool,
) -> str:
    """What failed, in words a site owner can act on."""
    where = f"S3 target {name!r} (bucket {bucket!r}"
    where += f" at {endpoint})" if endpoint else ")"
    if isinstance(error, (EndpointConnectionError, ConnectTimeoutError)):
        what = (
            f"cannot reach the S3 endpoint ({error}). Check 'endpoint_url' and "
            "'region' and that the service is up"
        )
    elif isinstance(error, (NoCredentialsError, PartialCredentialsError)):
        what = f"credentials are missing or incomplete ({error}). Set them"
    elif isinstance(error, ClientError):
        code = str(error.response.get("Error", {}).get("Code", ""))
        if code in ("NoSuchBucket", "404") or (code == "NotFound" and not uploading):
            what = (
                "the bucket does not exist. Create it, or fix the target's "
                "'bucket', 'region' or 'endpoint_url'"
            )
        elif code in ACCESS_DENIED:
            what = (
                f"access denied ({code}). Check the credentials and that their "
                "policy allows s3:ListBucket, s3:GetObject, s3:PutObject and "
                "s3:DeleteObject on the bucket"
            )
        else:
            what = f"the S3 API answered {code or 'an error'}: {error}"
    else:
        what = f"{error}"
    after = (
        " Some files may be uploaded already; stale objects are deleted only after "
        "every upload succeeded, so the old site still works: deploy again to finish."
        if uploading
        else " Nothing was uploaded."
    )
    return f"{where}: {what}.{after}"


def local_files(site: Site, prefix: str, options: dict[str, Any]) -> list[LocalFile]:
    """The manifest's files in upload order; ``.gz``/``.br`` siblings are left out
    (the S3 target compresses bodies itself with ``precompressed``)."""
    files = []
    for path, sha256 in site.files.items():
        if is_sibling(path, site.files):
            continue
        wants_encoding = options["precompressed"] and is_compressible(path)
        files.append(
            LocalFile(
                path=path,
                key=prefix + path,
                source=site.folder / path,
                sha256=sha256,
                content_type=content_type(path),
                cache_control=options["cache_control"][cache_class(path)],
                encoding=options["precompressed"] if wants_encoding else None,
            )
        )
    return sorted(files, key=lambda f: (upload_rank(f.path), f.path))


def remote_objects(client: Any, bucket: str, prefix: str) -> dict[str, str]:
    """Key → ETag of every object under ``prefix``."""
    objects = {}
    for page in client.get_paginator("list_objects_v2").paginate(
        Bucket=bucket, Prefix=prefix
    ):
        for item in page.get("Contents", []):
            objects[item["Key"]] = item["ETag"].strip('"')
    return objects


def plan(
    client: Any,
    bucket: str,
    files: list[LocalFile],
    remote: dict[str, str],
    result: DeployResult,
) -> None:
    """Sort each local file into ``result`` as new, changed or unchanged."""
    for file in files:
        if file.key not in remote:
            result.uploaded.append(file.path)
        elif _is_current(client, bucket, file, remote[file.key]):
            result.unchanged.append(file.path)
        else:
            result.updated.append(file.path)


def stale_paths(
    remote: dict[str, str], files: list[LocalFile], prefix: str
) -> list[str]:
    """Site paths of remote objects the site no longer has."""
    stale = remote.keys() - {file.key for file in files}
    return sorted(key.removeprefix(prefix) for key in stale)


def _is_current(client: Any, bucket: str, file: LocalFile, etag: str) -> bool:
    head = client.head_object(Bucket=bucket, Key=file.key)
    stored = head.get("Metadata", {}).get("sha256")
    if stored:
        same_content = stored == file.sha256
    else:
        same_content = file.encoding is None and etag == _md5(file.source)
    return (
        same_content
        and head.get("ContentType") == file.content_type
        and head.get("CacheControl") == file.cache_control
        and head.get("ContentEncoding") == file.encoding
    )


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()


def _apply(
    client: Any, bucket: str, files: list[LocalFile], result: DeployResult, prefix: str
) -> None:
    """Upload in order, then (and only then) delete what the site no longer has."""
    pending = {*result.uploaded, *result.updated}
    for file in files:
        if file.path in pending:
            _upload(client, bucket, file)
    keys = [prefix + path for path in result.deleted]
    for start in range(0, len(keys), DELETE_BATCH):
        _delete(client, bucket, keys[start : start + DELETE_BATCH])


def read_verified(file: LocalFile) -> bytes:
    """The file's bytes, refused unless they are the ones the manifest recorded."""
    try:
        fd = os.open(file.source, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as handle:
            body = handle.read()
    except OSError as error:
        raise DigestError(
            f"Cannot read {file.path} for upload ({error.strerror}); the build "
            "changed during the deploy. Run `invoke publish` and deploy again."
        ) from None
    if hashlib.sha256(body).hexdigest() != file.sha256:
        raise DigestError(
            f"Refusing to upload {file.path}: it changed after the build was "
            "verified. Run `invoke publish` and deploy again."
        )
    return body


def _upload(client: Any, bucket: str, file: LocalFile) -> None:
    body = read_verified(file)
    extra = {}
    if file.encoding:
        body = compress(body, file.encoding)
        extra["ContentEncoding"] = file.encoding
    log.debug("s3: put %s (%s)", file.key, file.content_type)
    client.put_object(
        Bucket=bucket,
        Key=file.key,
        Body=body,
        ContentType=file.content_type,
        CacheControl=file.cache_control,
        Metadata={"sha256": file.sha256},
        **extra,
    )


def _delete(client: Any, bucket: str, keys: list[str]) -> None:
    response = client.delete_objects(
        Bucket=bucket, Delete={"Objects": [{"Key": key} for key in keys], "Quiet": True}
    )
    errors = response.get("Errors", [])
    if errors:
        failed = ", ".join(
            f"{e['Key']} ({e.get('Message', e.get('Code'))})" for e in errors
        )
        raise DigestError(f"S3 could not delete: {failed}.")
