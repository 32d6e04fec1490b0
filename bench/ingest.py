"""Benchmark: ingest every shared resume PDF into a temporary candidate store.

Reports files per second, how many were imported, already present (same text), refused and
flagged, with the reasons grouped. Baseline, measured in the same run on a sample: plain
pdfplumber ``extract_text`` per page (no hidden-text checks, no profile, no store), so the
cost of the checks and the profile is visible. Writes bench/results/ingest.json.

    .venv/bin/python bench/ingest.py --workers 2
"""

from __future__ import annotations

import argparse
import json
import os
import re
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pdfplumber

from domain.candidate_store import CandidateStore
from domain.ingest import ingest_file, ingest_paths

ROOT = Path(__file__).resolve().parents[1]
PDF_DIR = ROOT.parent / "shared" / "data" / "resumes" / "pdf"
RESULTS = ROOT / "bench" / "results" / "ingest.json"


def _reason_group(text: str) -> str:
    """A flag or reason without its numbers and quotes, so like ones group together."""
    text = re.sub(r": '.*'$", "", text)
    return re.sub(r"\d+(?:\.\d+)?", "N", text)


def _baseline(files: list[Path]) -> tuple[float, float]:
    """Files/second of plain pdfplumber and of ``ingest_file``, one process, back to back.

    Both run on the same sample right after each other, so load from other processes on a
    shared machine affects both alike; the full run's figure above is not comparable to it.
    """
    start = time.perf_counter()
    for path in files:
        with pdfplumber.open(path) as pdf:
            "\n".join(page.extract_text() for page in pdf.pages)
    plain = len(files) / (time.perf_counter() - start)
    start = time.perf_counter()
    for path in files:
        ingest_file(path)
    ours = len(files) / (time.perf_counter() - start)
    return plain, ours


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pdf-dir", type=Path, default=PDF_DIR)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit", type=int, default=0, help="only the first N files (0: all)")
    parser.add_argument("--baseline-sample", type=int, default=100)
    args = parser.parse_args()
    if not args.pdf_dir.is_dir():
        raise SystemExit(f"no resume PDFs at {args.pdf_dir}")
    files = sorted(args.pdf_dir.rglob("*.pdf"))
    if args.limit:
        files = files[: args.limit]

    refused: Counter[str] = Counter()
    flags: Counter[str] = Counter()
    examples: dict[str, str] = {}
    flagged = produced = 0
    years_known = skills_found = 0
    with tempfile.TemporaryDirectory() as tmp:
        store = CandidateStore(Path(tmp))
        start = time.perf_counter()
        batch = []
        for outcome in ingest_paths(files, workers=args.workers):
            if outcome.candidate is None:
                group = _reason_group(outcome.refused or "")
                refused[group] += 1
                examples.setdefault(group, f"{outcome.source}: {outcome.refused}")
                continue
            produced += 1
            years_known += outcome.candidate.years_experience is not None
            skills_found += bool(outcome.candidate.skills)
            if outcome.flags:
                flagged += 1
                for flag in outcome.flags:
                    group = _reason_group(flag)
                    flags[group] += 1
                    examples.setdefault(group, f"{outcome.source}: {flag}")
            batch.append(outcome.candidate)
        imported = len(store.add(batch))
        elapsed = time.perf_counter() - start
    sample = files[:: max(1, len(files) // args.baseline_sample)][: args.baseline_sample]
    baseline_fps, sample_fps = _baseline(sample)
    ours_fps = len(files) / elapsed
    result: dict[str, Any] = {
        "measured_at": datetime.now(UTC).isoformat(),
        "command": f"python bench/ingest.py --workers {args.workers}",
        "cpu_count": os.cpu_count(),
        "workers": args.workers,
        "files": len(files),
        "seconds": round(elapsed, 2),
        "files_per_second": round(ours_fps, 2),
        "imported": imported,
        "duplicates": produced - imported,
        "refused": sum(refused.values()),
        "flagged": flagged,
        "years_experience_found": years_known,
        "skills_found": skills_found,
        "refused_reasons": dict(refused.most_common()),
        "flag_kinds": dict(flags.most_common()),
        "examples": examples,
        "baseline": {
            "what": "pdfplumber extract_text only vs ingest_file, 1 process, same sample, "
            "back to back",
            "sample_files": len(sample),
            "files_per_second": round(baseline_fps, 2),
            "ours_same_sample_files_per_second": round(sample_fps, 2),
            "ours_vs_baseline": round(sample_fps / baseline_fps, 2),
        },
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "examples"}, indent=2))


if __name__ == "__main__":
    main()
