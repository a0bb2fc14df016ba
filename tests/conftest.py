"""Test-wide set-up: offscreen Qt by default, every test gets its own data dir."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CORPUS = PROJECT_ROOT.parent / "shared" / "arxos-corpus"


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory, monkeypatch):
    """Never touch the real per-user data dir: all state goes to a temp folder."""
    data = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("ARXCONSOLE_DATA_DIR", str(data))
    yield data


@pytest.fixture
def data_dir(_isolated_data_dir):
    from arxconsole.engine.datadir import DataDir

    return DataDir.resolve(_isolated_data_dir)


@pytest.fixture
def db(data_dir):
    from arxconsole.store import Database

    database = Database.open(data_dir.database_url)
    yield database
    database.close()


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"Arxos corpus not found at {CORPUS} (only present beside the project checkout)")
    return CORPUS
