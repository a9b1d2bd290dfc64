"""Every page, in every state, at desktop and phone widths: zero axe-core violations."""

import pytest

from tests.browser.conftest import DESKTOP, PHONE, run_axe
from tests.pages import CASES


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize(("case", "clock", "path"), CASES, ids=[c[0] for c in CASES])
def test_no_axe_violations(page, live_server, axe_source, at, viewport, case, clock, path):
    at(clock)
    page.set_viewport_size(viewport)
    page.goto(live_server + path)
    assert run_axe(page, axe_source) == []
