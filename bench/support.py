"""Plumbing shared by the benchmark scripts: Django set-up, the schema, and a timer.

Imported by ``bench/populate.py`` and ``bench/run.py`` as a sibling module (``python
bench/run.py`` puts ``bench/`` first on ``sys.path``). Django models are imported inside
functions because Django must be set up, from the environment, before any model import.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from keepcert.program.models import Program

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PROGRAM_FILE = ROOT / "programs" / "amt-ccp.toml"
DEFAULT_SQLITE = OUT / "bench.sqlite3"


def setup_django(*, default_database_url: str | None = None) -> str:
    """Configure Django from the environment and return the DATABASE_URL in use.

    ``default_database_url`` applies only when DATABASE_URL is not set, so a benchmark
    never touches the developer's local database (var/keepcert.sqlite3) by accident.
    """
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    if default_database_url is not None:
        os.environ.setdefault("DATABASE_URL", default_database_url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keepcert.settings")
    OUT.mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    return os.environ.get("DATABASE_URL", "(settings default)")


def sqlite_url(path: Path) -> str:
    """A DATABASE_URL for an absolute SQLite path (``sqlite:////abs/path``)."""
    return f"sqlite:///{path.resolve()}"


def ensure_schema() -> Program:
    """Migrate, create the cache table, load programs/amt-ccp.toml; return the program.

    Every step is idempotent, so the scripts call it on each run.
    """
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.exceptions import InconsistentMigrationHistory

    from keepcert.program.models import Program
    from keepcert.program.services import load_program_file

    try:
        call_command("migrate", verbosity=0, interactive=False)
    except InconsistentMigrationHistory as error:
        raise SystemExit(
            f"The benchmark database ({connection.settings_dict['NAME']}) was migrated with "
            f"an older migration history ({error}). It holds only generated data: delete it "
            "(or drop and create the PostgreSQL database) and run again."
        ) from error
    call_command("createcachetable", verbosity=0)
    load_program_file(path=PROGRAM_FILE)
    return Program.objects.get(code=settings.KEEPCERT_PROGRAM)


def database_label() -> str:
    """What the benchmark ran against, for the printed header and the JSON file."""
    from django.db import connection

    name = connection.settings_dict["NAME"]
    return f"{connection.vendor} {name}"


@dataclass(frozen=True)
class Timing:
    """The median time of one call, over ``repetitions`` runs of ``loops`` calls each."""

    seconds: float
    repetitions: int
    loops: int

    def as_json(self) -> dict[str, float | int]:
        return {"seconds": self.seconds, "repetitions": self.repetitions, "loops": self.loops}


def measure(
    call: Callable[[], object], *, repetitions: int = 7, min_seconds: float = 0.2
) -> Timing:
    """Time ``call`` like ``timeit``: calibrate a loop count, then take the median.

    The loop count grows until one repetition lasts ``min_seconds``, so fast calls are
    not lost in timer resolution; the median of the repetitions ignores a stray slow one
    (a garbage collection, another process).
    """
    timings = measure_interleaved({"call": call}, repetitions=repetitions, min_seconds=min_seconds)
    return timings["call"]


def measure_interleaved(
    calls: dict[str, Callable[[], object]], *, repetitions: int = 7, min_seconds: float = 0.2
) -> dict[str, Timing]:
    """`measure` for several calls timed in turn, each repetition one loop of each, so a
    change in a shared machine's load touches a figure and its floor alike."""
    loops = {name: _calibrate(call, min_seconds) for name, call in calls.items()}
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(repetitions):
        for name, call in calls.items():
            started = time.perf_counter()
            for _ in range(loops[name]):
                call()
            samples[name].append((time.perf_counter() - started) / loops[name])
    return {
        name: Timing(statistics.median(samples[name]), repetitions, loops[name]) for name in calls
    }


def _calibrate(call: Callable[[], object], min_seconds: float) -> int:
    """The loop count for which one repetition of ``call`` lasts ``min_seconds``."""
    call()  # warm-up: imports, template compilation, caches
    loops = 1
    while True:
        started = time.perf_counter()
        for _ in range(loops):
            call()
        elapsed = time.perf_counter() - started
        if elapsed >= min_seconds or loops >= 1_000_000:
            return loops
        loops *= 10 if elapsed < min_seconds / 10 else 2


def measure_once[T](call: Callable[[], T], *, repetitions: int = 3) -> tuple[Timing, T]:
    """Median of ``repetitions`` single calls, for calls that take seconds (the sweep).

    Returns the last call's result too, so a long computation is not run once more
    just to report what it found.
    """
    samples = []
    result: T | None = None
    for _ in range(repetitions):
        started = time.perf_counter()
        result = call()
        samples.append(time.perf_counter() - started)
    assert result is not None or repetitions > 0
    return Timing(statistics.median(samples), repetitions, 1), result  # type: ignore[return-value]
