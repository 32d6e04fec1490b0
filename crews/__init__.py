"""crews layer."""
