"""Nothing lost, nothing trusted unchecked: run folders, bad values and a damaged cache, from the command line."""
import json, os, subprocess, sys, time
from pathlib import Path
import numpy as np
from conftest import cli, BIN

TINY = ['--epochs', '1', '--bs', '64', '--n-train', '128', '--n-valid', '64']

def _snapshot(folder):
    return {p.name: p.read_bytes() for p in Path(folder).iterdir() if p.is_file()}

def test_a_folder_holding_a_run_is_never_overwritten_unasked(env, data10, tmp_path):
    out = tmp_path/'r'
    cli('train', 'densenet_nano', '--data', data10, *TINY, '--out', out, env=env)
    before = _snapshot(out)
    r = cli('train', 'densenet_nano', '--data', data10, *TINY, '--out', out, env=env, check=False)
    assert r.returncode == 2 and 'already holds a run' in r.stderr and '--overwrite' in r.stderr, r.stderr
    assert 'epoch' not in r.stdout and _snapshot(out) == before                   # refused before anything ran
    # pruning into the folder of its own input: refused, the input intact
    r = cli('prune', out/'model.pth', '--method', 'l1', '--amount', '0.3', '--out', out, env=env, check=False)
    assert r.returncode == 2 and 'already holds a result' in r.stderr, r.stderr
    assert _snapshot(out) == before
    # asked for: replaced, and no file of the old run is left beside the new one
    cli('prune', out/'model.pth', '--method', 'l1', '--amount', '0.3', '--out', out, '--overwrite', env=env)
    assert sorted(p.name for p in out.iterdir()) == ['model.pth', 'score.json', 'score.md']
    cli('train', 'densenet_nano', '--data', data10, *TINY, '--out', out, '--overwrite', env=env)
    assert (out/'last.pth').exists()

def test_two_writers_into_one_folder(env, data10, tmp_path):
    out = tmp_path/'busy'
    # long enough that the second command (seconds of imports) finds the first still writing
    first = ['train', 'densenet_nano', '--data', str(data10), '--epochs', '40', '--bs', '32', '--out', str(out)]
    p = subprocess.Popen([str(BIN/'micronet-fa'), *first], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        t0 = time.time()
        while not (out/'.micronet.lock').exists():
            assert p.poll() is None and time.time() - t0 < 120, p.communicate()
            time.sleep(0.05)
        r = cli('train', 'densenet_nano', '--data', data10, *TINY, '--out', out, env=env, check=False)
        assert r.returncode == 2 and 'is in use by another micronet-fa' in r.stderr and f'pid {p.pid}' in r.stderr, r.stderr
    finally: p.wait(timeout=600)
    assert p.returncode == 0 and not (out/'.micronet.lock').exists()
    r = cli(*first, '--resume', env=env)                                          # the lock went with it
    assert 'all 40 epochs are already done' in r.stdout, r.stdout

def test_resume_without_a_checkpoint_says_so(env, data10, tmp_path):
    r = cli('train', 'densenet_nano', '--data', data10, *TINY, '--out', tmp_path/'new', '--resume', env=env)
    assert 'no last.pth to resume from, so training starts at epoch 1' in r.stdout, r.stdout

def test_unwritable_out_is_refused_before_training(env, data10, tmp_path):
    (tmp_path/'file').write_text('')
    r = cli('train', 'densenet_nano', '--data', data10, *TINY, '--out', tmp_path/'file'/'run', env=env, check=False)
    assert r.returncode == 2 and 'cannot write to' in r.stderr and 'Traceback' not in r.stderr, r.stderr
    assert 'epoch' not in r.stdout

def test_bad_values_are_refused(env, data10, tmp_path):
    for args, says in [(['--n-train', '999999'], 'n_train=999,999: the train split has only 256 images'),
                       (['--epochs', '0'], 'epochs=0'), (['--bs', '0'], 'bs=0'), (['--lr', 'inf'], 'lr=inf'),
                       (['--cutout', '1,64'], 'a hole must fit'), (['--mixup', '-1'], 'mixup=-1'),
                       (['--label-smoothing', '1.5'], 'label_smoothing=1.5')]:
        r = cli('train', 'densenet_nano', '--data', data10, '--epochs', '1', *args, '--out', tmp_path/'bad', env=env, check=False)
        assert r.returncode == 2 and says in r.stderr and 'Traceback' not in r.stderr, (args, r.stderr)
    assert not (tmp_path/'bad'/'model.pth').exists()
    for args, says in [(['--epochs', '0'], 'epochs=0: the main training stage needs at least one epoch'),
                       (['--set', 'trian.lr=0.1'], "no stage 'trian' (did you mean train?)")]:
        r = cli('run', 'densenet_nano_cifar10', '--data', data10, *args, '--out', tmp_path/'badrun', env=env, check=False)
        assert r.returncode == 2 and says in r.stderr and 'Traceback' not in r.stderr, (args, r.stderr)
    (tmp_path/'afile').write_text('')                                             # a cache that cannot be written
    r = cli('train', 'densenet_nano', '--data', data10, *TINY, '--out', tmp_path/'nocache',
            env=dict(env, MICRONET_CACHE=str(tmp_path/'afile'/'cache')), check=False)
    assert r.returncode == 2 and 'cannot write the data cache' in r.stderr and 'MICRONET_CACHE' in r.stderr, r.stderr
    r = cli('score', 'densenet_nano', '--classes', '0', env=env, check=False)
    assert r.returncode == 2 and 'positive number of classes' in r.stderr
    r = cli('prune', tmp_path/'none.pth', '--method', 'l2', '--amount', '0.5', env=env, check=False)
    assert r.returncode == 2 and "did you mean l1?" in r.stderr, r.stderr
    r = cli('prune', tmp_path/'none.pth', '--method', 'L1', env=env, check=False)          # case-insensitive; a missing option named
    assert r.returncode == 2 and 'required: --amount' in r.stderr and 'did you mean' not in r.stderr, r.stderr

def test_a_diverging_run_stops_with_a_message(env, data10, tmp_path):
    r = cli('train', 'densenet_nano', '--data', data10, '--epochs', '2', '--bs', '64', '--n-train', '64', '--n-valid', '32',
            '--lr', '1e30', '--out', tmp_path/'nan', env=env, check=False)
    assert r.returncode == 2 and ('became nan' in r.stderr or 'became inf' in r.stderr), (r.stdout, r.stderr)
    assert 'no checkpoint to go back to' in r.stderr and not (tmp_path/'nan'/'model.pth').exists()

def test_compare_skips_a_bad_report_and_names_it(env, data10, tmp_path):
    cli('run', 'densenet_nano_cifar10', '--data', data10, '--out', tmp_path/'good', '--epochs-scale', '0.001',
        '--n-train', '64', '--n-valid', '32', env=env)
    (tmp_path/'broken').mkdir(); (tmp_path/'broken'/'report.json').write_text('{bad')
    r = cli('compare', tmp_path, '--out', tmp_path/'c.png', env=env)
    assert 'densenet_nano_cifar10' in r.stdout and f"{tmp_path/'broken'/'report.json'}: skipped" in r.stderr, r.stderr

def test_a_damaged_cache_is_rebuilt_not_used(env, data10, tmp_path):
    cli('data', 'prepare', '--data', data10, env=env)
    cache = next(Path(env['MICRONET_CACHE']).glob('cifar10-*'))
    f = cache/'train_x.npy'; raw = bytearray(f.read_bytes()); raw[-3000:] = bytes(3000); f.write_bytes(bytes(raw))
    r = cli('train', 'densenet_nano', '--data', data10, *TINY, '--out', tmp_path/'t', env=env)
    assert 'train_x.npy does not match its SHA-256' in r.stderr and 'rebuilding it from' in r.stderr, r.stderr
    r = cli('data', 'check', '--partial', '--data', data10, env=env)
    assert 'OK' in r.stdout and 'rebuilding' not in r.stderr
    # a second data folder with the same archive shares the one decoded copy
    other = tmp_path/'other'; other.mkdir(); (other/'cifar-10-python.tar.gz').write_bytes((Path(data10)/'cifar-10-python.tar.gz').read_bytes())
    cli('data', 'prepare', '--data', other, env=env)
    assert len(list(Path(env['MICRONET_CACHE']).glob('cifar10-*'))) == 1
