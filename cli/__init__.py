"""The ``hirecrew`` command line."""
