"""The REST routes, one module per resource; ``server.app`` mounts them under ``/api``."""
