"""``python -m newsdigest.sitecheck SITE_DIR``: check a built site from a shell or CI.

Thin on purpose: the ``newsdigest`` CLI calls ``check_site`` itself.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from newsdigest.sitecheck import CHECKS, check_site


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newsdigest.sitecheck")
    parser.add_argument("site_dir", type=Path, help="the built site folder")
    parser.add_argument("--site-url", default="", help="production SITEURL")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--check", action="append", choices=list(CHECKS))
    parser.add_argument(
        "--no-html5",
        dest="html5",
        action="store_false",
        help="report libxml2's markup errors, as a build does, not html5lib's",
    )
    args = parser.parse_args(argv)
    if not args.site_dir.is_dir():
        parser.error(f"{args.site_dir} is not a folder")
    report = check_site(
        args.site_dir, site_url=args.site_url, checks=args.check, html5=args.html5
    )
    print(report.format_json() if args.format == "json" else report.format_text())
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
