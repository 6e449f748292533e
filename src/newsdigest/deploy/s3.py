"""Deploy the site folder to an S3 bucket (or any S3-compatible API) with boto3.

Only new and changed files are uploaded: each object carries the sha256 of its
local file in ``x-amz-meta-sha256`` (objects uploaded by other tools are compared
by ETag, the md5 of a plain upload), and headers are compared too so a changed
Cache-Control or encoding setting re-uploads. Uploads go assets first, then feeds,
then HTML, so a published page never points at an asset that is not there yet;
stale objects are deleted only after every upload succeeded, so an interrupted
deploy leaves the old site working and a re-run resumes where it stopped.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from newsdigest.deploy.compress import compress, is_compressible, is_sibling
from newsdigest.deploy.result import DeployResult
from newsdigest.problems import DigestError

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
FINGERPRINT = re.compile(r"[.-]([0-9a-f]{8,})\.[^/]+$")
UPLOAD_ORDER = {"assets": 0, "default": 0, "feeds": 1, "html": 2}
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


def cache_class(path: str) -> str:
    """ "html", "feeds", "assets" (fingerprinted, never change) or "default"."""
    suffix = Path(path).suffix.lower()
    if suffix in (".html", ".htm"):
        return "html"
    if suffix in (".xml", ".json"):
        return "feeds"
    match = FINGERPRINT.search(Path(path).name.lower())
    if match and not match.group(1).isdigit():  # all digits is a date, not a hash
        return "assets"
    return "default"


def object_prefix(prefix: str) -> str:
    prefix = prefix.strip("/")
    return f"{prefix}/" if prefix else ""


def make_client(options: dict[str, Any]) -> Any:
    return boto3.client(
        "s3", endpoint_url=options["endpoint_url"], region_name=options["region"]
    )


def deploy(
    site_dir: Path, name: str, options: dict[str, Any], *, dry_run: bool = False
) -> DeployResult:
    bucket = options["bucket"]
    prefix = object_prefix(options["prefix"])
    result = DeployResult(target=name, kind="s3", dry_run=dry_run)
    try:
        client = make_client(options)
        files = local_files(site_dir, prefix, options)
        remote = remote_objects(client, bucket, prefix)
        plan(client, bucket, files, remote, result)
        if options["delete"]:
            result.deleted = stale_paths(remote, files, prefix)
        if not dry_run:
            _apply(client, bucket, files, result, prefix)
    except (BotoCoreError, ClientError) as error:
        raise DigestError(
            f"S3 deploy to bucket {bucket!r} failed: {error}. Stale objects are "
            "deleted only after every upload succeeded; deploy again to finish."
        ) from error
    log.info("s3: %s", result.summary())
    return result


def local_files(
    site_dir: Path, prefix: str, options: dict[str, Any]
) -> list[LocalFile]:
    """Site files in upload order; ``.gz``/``.br`` siblings are left out."""
    files = []
    for source in sorted(site_dir.rglob("*")):
        if not source.is_file() or is_sibling(source):
            continue
        path = source.relative_to(site_dir).as_posix()
        wants_encoding = options["precompressed"] and is_compressible(source)
        files.append(
            LocalFile(
                path=path,
                key=prefix + path,
                source=source,
                sha256=hashlib.sha256(source.read_bytes()).hexdigest(),
                content_type=content_type(path),
                cache_control=options["cache_control"][cache_class(path)],
                encoding=options["precompressed"] if wants_encoding else None,
            )
        )
    return sorted(files, key=lambda f: (UPLOAD_ORDER[cache_class(f.path)], f.path))


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


def _upload(client: Any, bucket: str, file: LocalFile) -> None:
    body = file.source.read_bytes()
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
