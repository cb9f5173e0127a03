"""Every SQL statement on the cache lives in store/ (or query/, the read models): a grep over the
package for calls that execute SQL, so a statement written anywhere else fails here."""

from __future__ import annotations

import re

from tests.support.paths import REPO

PACKAGE = REPO / "src" / "wirereader"
EXECUTES = re.compile(r"\.execute(?:many|script)?\(|\bexecute_rows\(|\bselect_in\(")
SQL_HOMES = ("store", "query")


def _executing_sql() -> set[str]:
    found = set()
    for path in PACKAGE.rglob("*.py"):
        if EXECUTES.search(path.read_text("utf-8")):
            found.add(path.relative_to(PACKAGE).as_posix())
    return found


def test_no_module_outside_store_and_query_executes_sql() -> None:
    outside = {p for p in _executing_sql() if p.split("/")[0] not in SQL_HOMES}
    assert outside == set()


def test_the_grep_finds_sql_where_it_is() -> None:
    """The check can fail: the store's own modules are found by the same pattern."""
    assert {"store/db.py", "store/reading.py", "query/timeline.py"} <= _executing_sql()
