"""A corpus of hostile resumes (prompt injection, hidden text), each with a clean twin."""
