"""The GPU check (infra/gpu/check_real_size.py) runs end to end: here at the tiny shape on CPU."""
import importlib.util

import pytest

from tests.conftest import REPO


@pytest.mark.slow
def test_the_real_size_check_trains_and_reports_speed_and_memory():
    spec = importlib.util.spec_from_file_location("check_real_size", REPO / "infra" / "gpu" / "check_real_size.py")
    check = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(check)
    report = check.main(["--shape", "tiny", "--steps", "2", "--batch", "2"])
    assert report["steps"] == 2 and report["tokens_per_second"] > 0 and report["peak_rss_bytes"] > 0
    assert 0 < report["trainable_parameters"] < report["total_parameters"]
    from dataclasses import fields

    from fragmentforge.config.schema import TinyModelParams

    assert set(check.SHAPES["qwen2-vl-2b"]) <= {f.name for f in fields(TinyModelParams)}  # every 2B size is a param
