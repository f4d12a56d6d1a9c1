"""Real headless Chromium (Debian's package) driven by Playwright.

Playwright's own browser download does not work here, so the tests launch
/usr/bin/chromium. When it is missing they skip on a laptop and fail in CI.
"""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not shutil.which(CHROMIUM):
        message = f"Chromium is not installed at {CHROMIUM}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def shot(request, pytestconfig):
    """``shot(page, "step")`` saves a full-page screenshot of a journey step to
    <--output>/steps/<test>/NN-step.png (var/e2e-results/ by default; not
    committed), so a report can show each step a person would see."""
    from pathlib import Path

    folder = (
        Path(pytestconfig.getoption("output"))
        / "steps"
        / request.node.name.replace("[", "-").replace("]", "")
    )
    count = 0

    def take(page, name: str) -> Path:
        nonlocal count
        count += 1
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{count:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
