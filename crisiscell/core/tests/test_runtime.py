"""The server process keeps its start-up objects out of the garbage collector's way."""

from __future__ import annotations

import gc
import subprocess
import sys

from crisiscell.core.runtime import YOUNG_THRESHOLD, settle_after_startup


def test_settling_freezes_what_exists_and_collects_the_young_generation_less_often():
    before = gc.get_threshold()
    try:
        settle_after_startup()
        assert gc.get_freeze_count() > 10_000  # Django and crisiscell are loaded by now
        assert gc.get_threshold()[0] == YOUNG_THRESHOLD
        # A cycle made afterwards is still collected.
        cycle: list[object] = []
        cycle.append(cycle)
        del cycle
        assert gc.collect() >= 1
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_a_server_worker_loads_the_pdf_renderer_before_its_first_request():
    """Without it, the first PDF after a restart (a label sheet, at night) waited two seconds."""
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, crisiscell.wsgi; print('weasyprint' in sys.modules)"],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    assert loaded.stdout.strip() == "True"
