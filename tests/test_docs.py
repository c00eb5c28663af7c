"""The README's tables are generated from the code and must not drift from it."""

from pathlib import Path

from gl_env.docs import render_readme, tables

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_tables_match_the_code():
    text = README.read_text()
    for name in tables():
        assert f"<!-- table:{name} -->" in text, f"README lacks the {name} table"
    assert render_readme(text) == text, "README tables are stale: run `python -m gl_env.docs README.md`"
