"""``hirecrew schedule``: slots from PANEL.yaml and CANDIDATE.yaml, as a script sees them."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.cli.support import run_hirecrew

NOW = "2026-06-08T07:00:00+00:00"  # Monday 08:00 in London

PANEL = """\
duration_minutes: 60
interviewers:
  - name: Ana
    email: ana@example.com
    timezone: Europe/Berlin
    working_hours: "09:00-17:00"
    busy:
      - {start: 2026-06-08T09:00:00+02:00, end: 2026-06-08T12:00:00+02:00}
  - name: Bo
    email: bo@example.com
    timezone: America/New_York
    working_hours: "08:00-16:00"
    busy_ics: bo.ics
"""

BO_ICS = """\
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:standup
DTSTART;TZID=America/New_York:20260608T080000
DTEND;TZID=America/New_York:20260608T090000
END:VEVENT
END:VCALENDAR
"""

CANDIDATE = """\
name: Cy
email: cy@example.com
timezone: Europe/London
availability:
  - {start: "2026-06-08T08:00:00+01:00", end: "2026-06-10T18:00:00+01:00"}
"""


def schedule(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_hirecrew("schedule", *args, data_dir=tmp_path / "data")


def files(tmp_path: Path, panel: str = PANEL, candidate: str = CANDIDATE) -> list[str]:
    (tmp_path / "panel.yaml").write_text(panel, encoding="utf-8")
    (tmp_path / "bo.ics").write_text(BO_ICS, encoding="utf-8")
    (tmp_path / "candidate.yaml").write_text(candidate, encoding="utf-8")
    return [
        "--panel",
        str(tmp_path / "panel.yaml"),
        "--candidate",
        str(tmp_path / "candidate.yaml"),
    ]


def test_json_lists_slots_best_first(tmp_path: Path) -> None:
    done = schedule(tmp_path, *files(tmp_path), "--json", "--now", NOW, "--limit", "3")
    assert done.returncode == 0, done.stderr
    slots = json.loads(done.stdout)["slots"]
    assert len(slots) == 3
    for slot in slots:
        assert set(slot) == {"start", "end", "interviewers"}
        assert slot["interviewers"] == ["ana@example.com", "bo@example.com"]
    # Ana is busy until 10:00 UTC and Bo's stand-up (from his .ics) until 13:00 UTC; Ana's day
    # ends at 15:00 UTC: the 13:00 and 14:00 slots on Monday come first, then Tuesday.
    assert [s["start"] for s in slots] == [
        "2026-06-08T13:00:00+00:00",
        "2026-06-08T14:00:00+00:00",
        "2026-06-09T12:00:00+00:00",
    ]
    table = schedule(tmp_path, *files(tmp_path), "--now", NOW, "--limit", "1")
    assert table.returncode == 0
    assert table.stdout.startswith("1. Mon 2026-06-08 14:00-15:00 Europe/London")


def test_bad_yaml_names_file_key_and_line(tmp_path: Path) -> None:
    bad = CANDIDATE.replace("Europe/London", "Mars/Base").replace('08:00:00+01:00"', '08:00:00"')
    done = schedule(tmp_path, *files(tmp_path, candidate=bad + "colour: red\n"))
    assert done.returncode == 2
    path = tmp_path / "candidate.yaml"
    assert f"{path}:3: timezone: Unknown time zone 'Mars/Base'" in done.stderr
    assert f"{path}:5: availability.0.start: Input should have timezone info" in done.stderr
    assert f"{path}:6: colour: unknown key" in done.stderr
    assert "Traceback" not in done.stderr

    broken = schedule(tmp_path, *files(tmp_path, panel=PANEL.replace("- name: Bo", "- name: [Bo")))
    assert broken.returncode == 2
    assert f"{tmp_path / 'panel.yaml'}:" in broken.stderr and "invalid YAML" in broken.stderr
    assert "near key interviewers" in broken.stderr and "Traceback" not in broken.stderr

    hours = schedule(tmp_path, *files(tmp_path, panel=PANEL.replace('"08:00-16:00"', "nine")))
    assert hours.returncode == 2
    assert "panel.yaml:12: interviewers.1.working_hours: Working hours 'nine'" in hours.stderr

    missing = schedule(tmp_path, *files(tmp_path, panel="interviewers: []\n"))
    assert missing.returncode == 2 and "duration_minutes: required key is missing" in missing.stderr


def test_infeasible_exits_1_with_the_blocking_constraint(tmp_path: Path) -> None:
    evening = CANDIDATE.replace(
        '{start: "2026-06-08T08:00:00+01:00", end: "2026-06-10T18:00:00+01:00"}',
        '{start: "2026-06-08T17:00:00+01:00", end: "2026-06-08T19:00:00+01:00"}',
    )
    done = schedule(tmp_path, *files(tmp_path, candidate=evening), "--now", NOW)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "no interview slot fits" in done.stderr
    assert "Ana's working hours (09:00-17:00 Europe/Berlin" in done.stderr
    assert "Traceback" not in done.stderr


def test_any_of_picks_part_of_the_panel(tmp_path: Path) -> None:
    panel = "any_of: 1\n" + PANEL
    done = schedule(tmp_path, *files(tmp_path, panel=panel), "--json", "--now", NOW)
    assert done.returncode == 0, done.stderr
    first = json.loads(done.stdout)["slots"][0]
    # From 08:00 London only Ana is free (Bo has not started): she is picked alone at 10:00 UTC.
    assert first == {
        "start": "2026-06-08T10:00:00+00:00",
        "end": "2026-06-08T11:00:00+00:00",
        "interviewers": ["ana@example.com"],
    }
