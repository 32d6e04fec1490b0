"""Entities and pure recruiting logic: no crewai, no web, no database."""
