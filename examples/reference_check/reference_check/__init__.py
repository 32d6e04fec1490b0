"""A hirecrew plugin: summarise a candidate's references (the docs/new-crew.md example)."""
