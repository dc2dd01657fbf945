"""The gallery's disk cache: off unless MLSD_GALLERY_CACHE is set; when on, a second call reads
what the first stored, the same numbers; a change of the kit starts a new folder and drops the old."""

import numpy as np
import pytest

from mlsd.cases import gallery
from mlsd.explore import cache

SIZES = dict(n_impressions=20_000, n_events=10_000, n_feed_impressions=20_000, n_searches=2_000,
             n_orders=5_000)

calls = []


@cache.cached_inputs
def counted(seed, n):
    calls.append((seed, n))
    return {"sample": np.random.default_rng(seed).normal(size=n)}


@pytest.fixture(autouse=True)
def fresh(monkeypatch):
    calls.clear()
    cache._memory.cache_clear()
    monkeypatch.delenv(cache.CACHE_VARIABLE, raising=False)


def test_without_the_variable_every_call_computes():
    first, second = counted(1, 5), counted(1, 5)
    assert calls == [(1, 5), (1, 5)]
    np.testing.assert_array_equal(first["sample"], second["sample"])


def test_with_the_variable_a_second_call_reads_the_first_ones_result(tmp_path, monkeypatch):
    monkeypatch.setenv(cache.CACHE_VARIABLE, str(tmp_path))
    first = counted(1, 5)
    again, other = counted(1, 5), counted(2, 5)
    assert calls == [(1, 5), (2, 5)]
    np.testing.assert_array_equal(first["sample"], again["sample"])
    assert (tmp_path / cache.kit_fingerprint()).is_dir()


def test_a_changed_kit_starts_a_new_folder_and_removes_the_old(tmp_path, monkeypatch):
    monkeypatch.setenv(cache.CACHE_VARIABLE, str(tmp_path))
    counted(1, 5)
    old = tmp_path / cache.kit_fingerprint()
    cache._memory.cache_clear()
    monkeypatch.setattr(cache, "kit_fingerprint", lambda: "0" * 16)
    counted(1, 5)
    assert calls == [(1, 5), (1, 5)]
    assert not old.exists() and (tmp_path / ("0" * 16)).is_dir()


def test_the_fingerprint_covers_the_kits_code_and_library_versions():
    fingerprint = cache.kit_fingerprint()
    assert len(fingerprint) == 16 and int(fingerprint, 16) >= 0
    assert {"numpy", "scikit-learn", "lightgbm"} <= set(cache.LIBRARIES)


def test_the_gallery_starts_at_the_same_numbers_computed_and_from_the_cache(tmp_path, monkeypatch):
    computed = {tab.title: tab.start for tab in gallery.gallery_tabs(3, **SIZES)}
    monkeypatch.setenv(cache.CACHE_VARIABLE, str(tmp_path))
    stored = {tab.title: tab.start for tab in gallery.gallery_tabs(3, **SIZES)}
    read = {tab.title: tab.start for tab in gallery.gallery_tabs(3, **SIZES)}
    assert computed == stored == read
    assert len(list((tmp_path / cache.kit_fingerprint()).rglob("output.pkl"))) == 5


def test_the_default_folder_follows_xdg_cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.default_folder() == tmp_path / "mlsd" / "gallery"
