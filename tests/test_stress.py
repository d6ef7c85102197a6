"""Killed at random moments, resumed, and nothing lost: 20 short runs (slow; run with `pytest -m slow tests/test_stress.py`)."""
import json, os, random, signal, subprocess, time
from pathlib import Path
import pytest, torch
from conftest import cli, BIN

ARGS = ['train', 'densenet_nano', '--epochs', '3', '--bs', '32', '--cutout', '1,8', '--mixup', '0.4', '--lr', '0.05']

def _weights(path): return torch.load(path, weights_only=True)['state_dict']

def _leftovers(*folders):
    return [p for f in folders if Path(f).exists() for p in Path(f).rglob('*')
            if p.name.endswith('.tmp') or '.tmp@' in p.name or p.name == '.micronet.lock']

@pytest.mark.slow
def test_twenty_kills_then_resumes_end_where_an_uninterrupted_run_does(env, data10, tmp_path):
    full = tmp_path/'full'
    cli(*ARGS, '--data', data10, '--out', full, env=env)
    want = _weights(full/'model.pth')
    rng = random.Random(0)
    for i in range(20):
        out, cache = tmp_path/f'cut{i}', Path(env['MICRONET_CACHE'])
        if i % 5 == 0:                              # also kill a data preparation midway, into a fresh cache
            e = dict(env, MICRONET_CACHE=str(tmp_path/f'cache{i}'))
            p = subprocess.Popen([str(BIN/'micronet-fa'), 'data', 'prepare', '--data', str(data10)], env=e,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(1.0, 4.0)); p.send_signal(signal.SIGKILL); p.wait()
            cache = Path(e['MICRONET_CACHE'])
        else: e = env
        p = subprocess.Popen([str(BIN/'micronet-fa'), *ARGS, '--data', str(data10), '--out', str(out)], env=e,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(3.0, 14.0))          # anywhere: start-up, an epoch, a checkpoint save, the final score
        p.send_signal(signal.SIGKILL); p.wait()
        r = cli(*ARGS, '--data', data10, '--out', out, '--resume', env=e)
        got = _weights(out/'model.pth')
        assert got.keys() == want.keys() and all(torch.equal(got[k], want[k]) for k in want), f"run {i}: {r.stdout[-500:]}"
        assert not _leftovers(out, cache), _leftovers(out, cache)
