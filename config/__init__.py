"""Settings and the YAML role configuration that configuration editors edit.

The YAML files beside this module (agents.yaml, tasks.yaml, crews.yaml) are the default crew
definitions; ``config.loader`` reads any directory of them into typed, validated specs.
"""

from pathlib import Path

DEFAULT_CONFIG_DIR = Path(__file__).resolve().parent
