"""scripts/check-lock-fresh: when a Django or allauth patch release makes CI fail."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from importlib.machinery import SourceFileLoader
from importlib.util import module_from_spec, spec_from_loader
from pathlib import Path
from types import ModuleType

import pytest

pytestmark = pytest.mark.security

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "check-lock-fresh"
TODAY = date(2026, 3, 20)


def _load() -> ModuleType:
    loader = SourceFileLoader("check_lock_fresh", str(SCRIPT))
    spec = spec_from_loader("check_lock_fresh", loader)
    assert spec is not None
    module = module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    loader.exec_module(module)
    return module


script = _load()


def _level(pinned: str, releases: dict[str, date]) -> str:
    verdict = script.decide("django", pinned, releases, TODAY)
    return str(verdict.level)


def test_the_newest_patch_is_fine() -> None:
    assert _level("6.1.3", {"6.1.2": date(2026, 1, 5), "6.1.3": date(2026, 2, 1)}) == "ok"


def test_a_patch_offered_for_more_than_a_week_fails() -> None:
    verdict = script.decide("django", "6.1.3", {"6.1.4": date(2026, 3, 12)}, TODAY)
    assert verdict.level == "fail"
    assert "6.1.4" in verdict.message
    assert "--upgrade-package django" in verdict.message


def test_a_patch_younger_than_a_week_warns() -> None:
    assert _level("6.1.3", {"6.1.4": date(2026, 3, 13)}) == "warn"  # 7 days: not more


def test_an_old_patch_fails_even_when_a_newer_one_is_young() -> None:
    releases = {"6.1.4": date(2026, 3, 1), "6.1.5": date(2026, 3, 19)}
    assert _level("6.1.3", releases) == "fail"


def test_other_series_and_pre_releases_do_not_count() -> None:
    releases = {
        "6.2.0": date(2026, 1, 1),  # a new minor series is an upgrade decision, not a fix
        "7.0": date(2026, 1, 1),
        "6.1.4rc1": date(2026, 1, 1),
        "6.0.9": date(2026, 1, 1),
    }
    assert _level("6.1.3", releases) == "ok"


def test_allauth_versions_are_series_too() -> None:
    verdict = script.decide("django-allauth", "65.21.1", {"65.21.2": date(2026, 2, 1)}, TODAY)
    assert verdict.level == "fail"


def test_pins_are_read_from_the_lock_file() -> None:
    pins = script.pinned_versions(
        "django==6.1.3 \\\n    --hash=sha256:ab\n"
        "django-allauth[mfa]==65.22.1 \\\n    # via -r requirements.in\n"
        "Django_Tasks.DB==0.13.0\n"
    )
    assert pins == {"django": "6.1.3", "django-allauth": "65.22.1", "django-tasks-db": "0.13.0"}


def test_upload_days_skip_yanked_files() -> None:
    document = {
        "releases": {
            "6.1.3": [
                {"upload_time_iso_8601": "2026-02-01T10:00:00.000000Z", "yanked": False},
                {"upload_time_iso_8601": "2026-02-02T10:00:00.000000Z", "yanked": False},
            ],
            "6.1.4": [{"upload_time_iso_8601": "2026-03-01T10:00:00Z", "yanked": True}],
        }
    }
    assert script.release_days(document) == {"6.1.3": date(2026, 2, 1)}


def test_an_index_that_does_not_answer_skips(tmp_path: Path) -> None:
    lock = tmp_path / "requirements.lock"
    lock.write_text("django==6.1.3\ndjango-allauth==65.22.1\n")
    result = subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [sys.executable, str(SCRIPT), str(lock)],
        env={"KEEPCERT_INDEX_JSON_URL": "http://127.0.0.1:9"},  # nothing listens on port 9
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0
    assert result.stdout.startswith("SKIP")
