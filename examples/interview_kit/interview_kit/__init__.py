"""A hirecrew plugin: a structured interview kit, a stage of the hiring flow (docs/new-stage.md)."""
