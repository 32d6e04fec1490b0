"""Run ``hirecrew`` as a user does: a real subprocess with its own data directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_hirecrew(
    *args: str, data_dir: Path, timeout: int = 120
) -> subprocess.CompletedProcess[str]:
    """``python -m cli ARGS`` with ``HIRECREW_DATA_DIR`` set; never raises on a non-zero exit."""
    env = {**os.environ, "HIRECREW_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )
