"""Test-wide set-up: crewai and Mem0 stay offline and write under a temporary directory.

The environment is set before any test module imports crewai (which reads it at import).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_SESSION_DIR = Path(tempfile.mkdtemp(prefix="hirecrew-tests-"))
os.environ["HIRECREW_DATA_DIR"] = str(_SESSION_DIR)
# Search indexes are rebuildable: every test (and CLI subprocess) shares one cache, so the demo
# pool is embedded once per session rather than once per test.
os.environ["HIRECREW_CACHE_DIR"] = str(_SESSION_DIR / "cache")

from config.settings import Settings, quiet_environment  # noqa: E402

quiet_environment(Settings(data_dir=_SESSION_DIR))
