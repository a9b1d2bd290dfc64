import pytest


@pytest.fixture(autouse=True)
def _seeded(data):
    """Web tests start from the real editions and events."""
