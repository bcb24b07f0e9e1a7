"""A lab's check module, loaded the way lab_runner loads checks, for unit tests of its helpers
and messages on recorded traces."""

import importlib.util
from pathlib import Path

LABS = Path(__file__).parent.parent.parent / "labs"


def load(folder: str, name: str):
    """labs/FOLDER/checks/NAME.py as a module of its own."""
    path = LABS / folder / "checks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"{folder}_checks_for_a_unit_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
