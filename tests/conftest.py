import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


@pytest.fixture(scope="session")
def reviewer_instance():
    from reviewer import Reviewer

    return Reviewer()


def sample_cases():
    from reviewer.evaluate import find_cases

    return find_cases(SAMPLES)
