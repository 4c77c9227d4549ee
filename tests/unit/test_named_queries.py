"""Named queries: a module reading a query its file lacks fails to import; none goes unused."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import pkgutil
from pathlib import Path
from types import ModuleType

import pytest

import service
from service.db.queries import Queries, bindings, load, parse, uses

SERVICE = Path(service.__file__).parent
SQL = "-- name: one\nSELECT 1;\n\n-- name: two\nSELECT 2;\n"


def module_at(folder: Path, source: str, sql: str = SQL, sql_name: str = "queries.sql") -> Path:
    (folder / sql_name).write_text(sql, encoding="utf-8")
    path = folder / "repo.py"
    path.write_text(source, encoding="utf-8")
    return path


def run(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"named_queries_{path.parent.name}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_module_reading_a_missing_query_fails_to_import(tmp_path: Path) -> None:
    path = module_at(
        tmp_path,
        "from service.db.queries import load\n"
        "q = load(__file__)\n"
        "def later():\n"
        "    return q.one, q.three\n",
    )
    with pytest.raises(LookupError, match=r"no query three in .*queries\.sql"):
        run(path)


def test_names_are_checked_whatever_the_binding_alias_and_file(tmp_path: Path) -> None:
    path = module_at(
        tmp_path,
        "from service.db.queries import load as load_queries\n"
        "keys: object = load_queries(__file__, 'keys.sql')\n"
        "def later():\n"
        "    return keys.one, keys.to\n",
        sql_name="keys.sql",
    )
    with pytest.raises(LookupError, match="no query to in"):
        run(path)


def test_a_module_reading_only_defined_queries_imports(tmp_path: Path) -> None:
    path = module_at(
        tmp_path,
        "from service.db.queries import load\n"
        "queries = load(__file__)\n"
        "NAMES = queries.names()\n"
        "def later():\n"
        "    return queries.one, queries.two\n",
    )
    module = run(path)
    assert module.NAMES == ["one", "two"]
    assert module.later() == ("SELECT 1;", "SELECT 2;")


def test_a_load_whose_result_is_not_bound_to_a_name_is_refused(tmp_path: Path) -> None:
    path = module_at(
        tmp_path,
        "from service.db.queries import load\nQUERIES = [load(__file__)]\n",
    )
    with pytest.raises(LookupError, match="bind the queries to a name"):
        run(path)


def test_uses_tells_reads_apart_from_the_objects_own_attributes() -> None:
    source = (
        "from service.db.queries import load\n"
        "from somewhere import load as other\n"
        "q = load(__file__)\n"
        "signing = load(__file__, filename='signing.sql')\n"
        "t = other(__file__)\n"
        "x = q.one, q.names(), q._queries, signing.two, t.three\n"
    )
    assert uses(source) == {"queries.sql": {"one"}, "signing.sql": {"two"}}


def test_every_query_file_is_loaded_and_every_query_in_it_used() -> None:
    used: dict[Path, set[str]] = {}
    for path in SERVICE.rglob("*.py"):
        for filename, names in uses(path.read_text(encoding="utf-8")).items():
            used.setdefault(path.with_name(filename), set()).update(names)
    problems = []
    for sql in sorted(SERVICE.rglob("*.sql")):
        defined = set(parse(sql.read_text(encoding="utf-8"), str(sql)).names())
        if sql not in used:
            problems.append(f"{sql}: no module loads it")
            continue
        problems += [f"{sql}: {name} is used by no module" for name in defined - used[sql]]
        problems += [f"{sql}: {name} is not defined" for name in used[sql] - defined]
    assert problems == []


def test_only_the_module_that_loads_a_file_reads_from_it() -> None:
    """So that every read is checked when that module is imported: none borrows another's."""
    borrowed = []
    for info in pkgutil.walk_packages(service.__path__, "service."):
        module = importlib.import_module(info.name)
        if not getattr(module, "__file__", None):
            continue
        own = bindings(ast.parse(Path(module.__file__ or "").read_text(encoding="utf-8")))
        borrowed += [
            f"{info.name}.{name}"
            for name, value in vars(module).items()
            if isinstance(value, Queries) and name not in own
        ]
    assert borrowed == []


def test_load_without_a_module_source_only_parses(tmp_path: Path) -> None:
    (tmp_path / "queries.sql").write_text(SQL, encoding="utf-8")
    assert load(str(tmp_path / "repo.pyc")).names() == ["one", "two"]
