"""Profile extraction from resume text: sections, periods, years, titles, places."""

from __future__ import annotations

from datetime import date

from domain.ingest import parse_profile

TODAY = date(2024, 6, 15)

RESUME = """SENIOR DATA ENGINEER
Jane Q. Example
jane@example.org | +1 555 010 9999
Austin, TX
Summary
Data engineer building Python and Spark pipelines on AWS.
Experience
Senior Data Engineer
01/2019 - Present
Acme Analytics Inc. - Austin, TX
Built Kafka and Airflow pipelines.
Data Engineer, Initech LLC
July 2015 to March 2020
Maintained SQL warehouses.
Education
Bachelor of Science : Computer Science, 2011 - 2015
State University
Skills
Python, SQL, Docker
"""


def test_sections_keep_their_headings_and_text() -> None:
    profile = parse_profile(RESUME, today=TODAY)
    assert list(profile.sections) == ["", "Summary", "Experience", "Education", "Skills"]
    assert profile.sections["Skills"] == "Python, SQL, Docker"
    assert profile.sections[""].startswith("SENIOR DATA ENGINEER")


def test_overlapping_periods_merge_and_education_does_not_count() -> None:
    profile = parse_profile(RESUME, today=TODAY)
    # July 2015 .. June 2024 with the overlap counted once = 9 years; 2011-2015 is an
    # education period and must not add four more.
    assert profile.years_experience == 9
    assert [r.text for r in profile.date_ranges] == ["01/2019 - Present", "July 2015 to March 2020"]
    assert profile.date_ranges[0].current and profile.date_ranges[0].end == "2024-06"
    assert profile.date_ranges[1].start == "2015-07" and profile.date_ranges[1].end == "2020-03"


def test_titles_employers_headline_contact_and_location() -> None:
    profile = parse_profile(RESUME, today=TODAY)
    assert profile.headline == "SENIOR DATA ENGINEER"
    assert profile.name == "Jane Q. Example"
    assert profile.emails == ["jane@example.org"]
    assert "Senior Data Engineer" in profile.titles and "Data Engineer" in profile.titles
    assert "Acme Analytics Inc." in profile.employers and "Initech LLC" in profile.employers
    assert profile.locations[0] == "Austin, TX"
    assert profile.education[0].startswith("Bachelor of Science")
    assert {"python", "spark", "aws", "kafka", "airflow", "sql", "docker"} <= set(profile.skills)


def test_periods_split_over_lines_and_placeholders_as_in_the_shared_resumes() -> None:
    text = (
        "ACCOUNTANT\nExperience\nCompany Name\n \nJuly 2011\n \nto \nNovember 2012\n \n"
        "Accountant\n \nCity\n \n, \nState\nCompany Name April 2010 to June 2011 Resource Advisor"
        " City , State\n"
    )
    profile = parse_profile(text, today=TODAY)
    assert [r.text for r in profile.date_ranges] == [
        "July 2011 to November 2012",
        "April 2010 to June 2011",
    ]
    assert profile.years_experience == 2  # April 2010 .. November 2012 = 2 years 8 months
    assert profile.employers == [] and profile.locations == []  # placeholders are not data
    assert "Accountant" in profile.titles and "Resource Advisor" in profile.titles


def test_no_dates_means_unknown_years_and_bare_years_count_whole_years() -> None:
    assert parse_profile("Nurse with a caring attitude", today=TODAY).years_experience is None
    profile = parse_profile("Experience\nTeacher 2015 - 2018\nTutor 2018 – 2018", today=TODAY)
    assert profile.years_experience == 4  # 2015..2018 plus all of 2018 once
    # A phone number or an implausible period is not experience.
    assert parse_profile("Call 1900-2099 now", today=TODAY).years_experience is None
