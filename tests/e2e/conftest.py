"""Fixtures of the browser tests; the helpers they use are in tests/e2e/pages.py.

- `chat_page`: one fresh chat page for this test, closed after it.
- `_checks` (autouse): fails the test if a page opened with `open_chat` logged a console
  error, showed a `.py-error` banner or contacted a foreign origin during it;
  `_module_checks` does the same for pages a module-scoped fixture closes at its end.
"""

from __future__ import annotations

import pytest

from tests.e2e.pages import check_pages, close_chat, open_chat


@pytest.fixture
def chat_page(browser, directus):
    """One fresh chat page for this test, closed after it."""
    chat = open_chat(browser, directus)
    yield chat
    close_chat(chat)


def _fail_on_problems() -> None:
    problems = check_pages()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture(autouse=True)
def _checks():
    yield
    _fail_on_problems()


@pytest.fixture(scope="module", autouse=True)
def _module_checks():
    yield
    _fail_on_problems()
