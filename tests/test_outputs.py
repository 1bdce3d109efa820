"""Output files: the streamed Parquet file, committed with the others or removed with them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from sim.core.output import Outputs
from sim.montecarlo.results import draws_frame

PARTIES = ("CON", "LAB")


def _batch(first: int, n: int) -> tuple[int, np.ndarray, np.ndarray]:
    counts = np.arange(first, first + 2 * n, dtype=np.int32).reshape(n, 2)
    return first, counts, np.full((n, 2), 0.5, dtype=np.float32)


def test_a_streamed_parquet_file_holds_every_batch_and_its_provenance(tmp_path: Path) -> None:
    import pandas as pd
    import pyarrow.parquet as pq

    path, other = tmp_path / "draws.parquet", tmp_path / "r.json"
    with Outputs(False, [path, other], provenance={"seed": 3}) as out:
        stream = out.stream_parquet(path)
        assert stream is not None
        for first, n in ((0, 4), (4, 3)):
            stream.write(draws_frame(PARTIES, *_batch(first, n)))
        assert not path.exists()  # nothing in place before the commit
        out.add(other, '{"a": 1}')
        assert sorted(out.commit()) == sorted([path, other])
    frame = pd.read_parquet(path)
    assert frame.index.name == "draw" and frame.index.tolist() == list(range(7))
    assert frame.columns.tolist() == ["CON", "LAB", "share_CON", "share_LAB"]
    assert frame["CON"].tolist() == [0, 2, 4, 6, 4, 6, 8]  # rows of both batches, in order
    assert pq.ParquetFile(path).metadata.num_row_groups == 2
    assert json.loads(pq.read_schema(path).metadata[b"swingometer"]) == {"seed": 3}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["draws.parquet", "r.json"]


def test_an_error_before_the_commit_leaves_nothing_behind(tmp_path: Path) -> None:
    path = tmp_path / "draws.parquet"
    with pytest.raises(KeyboardInterrupt), Outputs(False, [path]) as out:
        stream = out.stream_parquet(path)
        assert stream is not None
        stream.write(draws_frame(PARTIES, *_batch(0, 5)))
        raise KeyboardInterrupt  # as Ctrl-C in the middle of a run
    assert list(tmp_path.iterdir()) == []


def test_the_same_draws_make_the_same_file_streamed_or_kept(tmp_path: Path) -> None:
    import pandas as pd

    _, counts, shares = _batch(0, 6)
    kept, streamed = tmp_path / "kept.parquet", tmp_path / "streamed.parquet"
    out = Outputs(False, [kept, streamed])
    out.add_parquet(kept, draws_frame(PARTIES, 0, counts, shares))
    stream = out.stream_parquet(streamed)
    assert stream is not None
    stream.write(draws_frame(PARTIES, 0, counts[:4], shares[:4]))
    stream.write(draws_frame(PARTIES, 4, counts[4:], shares[4:]))
    out.commit()
    pd.testing.assert_frame_equal(pd.read_parquet(kept), pd.read_parquet(streamed))


@pytest.mark.slow
def test_a_terminated_run_leaves_no_partial_parquet_file(tmp_path: Path) -> None:
    """SIGTERM in the middle of `run --parquet`: exit 143 and no temporary file left in the folder."""
    import os
    import signal
    import subprocess
    import sys
    import time

    root = Path(__file__).resolve().parent.parent
    out = tmp_path / "d.parquet"
    command = [sys.executable, "-c", "from cli.entry import main; main()", "run",
               str(root / "scenarios" / "baseline-2019.toml"), "--draws", "5000000", "--parquet", str(out)]  # fmt: skip
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=os.environ.copy())
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob(".*.part")) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.1)
    assert list(tmp_path.glob(".*.part")), "the run never started its parquet file"
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + signal.SIGTERM, err.decode()
    assert list(tmp_path.iterdir()) == []
