"""Data resolution: folder order, sha256 checks, and clear errors offline."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sim.core.errors import DataError
from sim.data import fetch
from sim.data.fetch import data_path, locate

FILE = "parliament_psephology/ge2015_constituencies.noheader.csv"


def _real_file(data_dir: Path | None) -> Path:
    return data_path(FILE, data_dir)


def test_explicit_folder_comes_before_environment(
    tmp_path: Path, data_dir: Path | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _real_file(data_dir)
    mine = tmp_path / "mine"
    (mine / Path(FILE).parent).mkdir(parents=True)
    shutil.copy(source, mine / FILE)
    monkeypatch.setenv("SWINGOMETER_DATA_DIR", str(source.parent.parent))
    found = locate(FILE, mine)
    assert found.source == "data-dir"
    assert found.path == mine / FILE
    assert locate(FILE).source == "env"


def test_tampered_file_is_an_error_naming_file_and_fix(tmp_path: Path, data_dir: Path | None) -> None:
    source = _real_file(data_dir)
    target = tmp_path / FILE
    target.parent.mkdir(parents=True)
    shutil.copy(source, target)
    with target.open("r+b") as fh:
        fh.seek(100)
        byte = fh.read(1)
        fh.seek(100)
        fh.write(bytes([byte[0] ^ 1]))
    with pytest.raises(DataError) as info:
        data_path(FILE, tmp_path)
    message = str(info.value)
    assert str(target) in message
    assert "sha256" in message
    assert "swingometer data fetch" in message
    assert target.exists(), "the user's file must not be deleted"


def test_offline_and_missing_names_file_folders_and_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SWINGOMETER_DATA_DIR", raising=False)
    monkeypatch.delenv("SWINGOMETER_OFFLINE", raising=False)
    monkeypatch.setenv("SWINGOMETER_CACHE_DIR", str(tmp_path / "cache"))

    def no_network(*args: object, **kwargs: object) -> str:
        raise ConnectionError("network is unreachable")

    import pooch

    monkeypatch.setattr(pooch, "retrieve", no_network)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DataError) as info:
        data_path(FILE, empty)
    message = str(info.value)
    assert FILE in message
    assert str(empty / FILE) in message
    assert str(tmp_path / "cache" / "data" / FILE) in message
    assert "--data-dir" in message and "SWINGOMETER_DATA_DIR" in message
    assert "network is unreachable" in message


def test_download_goes_to_cache_and_is_verified(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data_dir: Path | None
) -> None:
    """A simulated download (copying the real file) lands in the cache and passes the check."""
    source = _real_file(data_dir)
    monkeypatch.delenv("SWINGOMETER_DATA_DIR", raising=False)
    monkeypatch.delenv("SWINGOMETER_OFFLINE", raising=False)
    monkeypatch.setenv("SWINGOMETER_CACHE_DIR", str(tmp_path / "cache"))
    import pooch

    def fake_retrieve(url: str, known_hash: str, fname: str, path: Path, progressbar: bool) -> str:
        assert url == fetch.BY_PATH[FILE].url
        assert known_hash == f"sha256:{fetch.BY_PATH[FILE].sha256}"
        Path(path).mkdir(parents=True, exist_ok=True)
        shutil.copy(source, Path(path) / fname)
        return str(Path(path) / fname)

    monkeypatch.setattr(pooch, "retrieve", fake_retrieve)
    path = data_path(FILE)
    assert path == tmp_path / "cache" / "data" / FILE
    assert locate(FILE).source == "cache"


def test_registry_urls_are_pinned_raw_files() -> None:
    for entry in fetch.all_files():
        assert entry.url.startswith("https://raw.githubusercontent.com/")
        commit = entry.url.split("/")[5]
        assert len(commit) == 40 and all(c in "0123456789abcdef" for c in commit)
        assert len(entry.sha256) == 64
        assert "with_header" not in entry.path, "derived files are not registered"
