"""Browser tests: the development server drops a static file's handle on a dropped connection."""

from __future__ import annotations

import pytest

# When the browser closes a connection while a static file (htmx, app.js) is being sent,
# werkzeug's development server leaves the file to the garbage collector, and pytest reports
# the ResourceWarning on whichever test runs then. The application is not involved.
_DROPPED_STATIC = pytest.mark.filterwarnings(
    "ignore:Exception ignored in.*/static/:pytest.PytestUnraisableExceptionWarning"
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(_DROPPED_STATIC)
