"""Two CPU processes (gloo) through fastai's Accelerate integration end with identical weights."""
import os, subprocess, sys
from pathlib import Path
import pytest, torch

@pytest.mark.slow
def test_two_cpu_ranks_end_identical(tmp_path):
    env = dict(os.environ, OMP_NUM_THREADS='1', MICRONET_CACHE=str(tmp_path/'cache'))
    worker = Path(__file__).parent/'distributed_worker.py'
    r = subprocess.run([str(Path(sys.executable).parent/'torchrun'), '--nproc_per_node', '2', '--master_port', '29517',
                        str(worker), str(tmp_path)], env=env, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    a, b = torch.load(tmp_path/'rank0.pth'), torch.load(tmp_path/'rank1.pth')
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    init = torch.load(tmp_path/'init.pth')
    assert any(not torch.equal(a[k], init[k]) for k in a if k.endswith('weight'))   # it trained
    assert len((tmp_path/'run'/'log.csv').read_text().splitlines()) == 2              # rank 0 wrote the log, once
