"""The command line end to end: what a user types, in a fresh process."""
import json, os, signal, subprocess, sys, time
from pathlib import Path
import torch
from conftest import cli, BIN

def test_help_and_unknown_option(env):
    r = cli('--help', env=env)
    for c in ('data', 'models', 'score', 'train'): assert c in r.stdout
    r = cli('train', 'densenet_nano', '--epoch', '1', env=env, check=False)
    assert r.returncode == 2
    assert '--epochs' in r.stderr and 'valid options' in r.stderr

def test_data_check(env, data10):
    r = cli('data', 'check', '--data', data10, env=env, check=False)
    assert r.returncode == 1 and 'PROBLEM' in r.stdout            # not the official 50,000/10,000
    r = cli('data', 'check', '--partial', '--data', data10, env=env)
    assert '256 train' in r.stdout and 'OK' in r.stdout

def test_score_published_figures(env):
    r = json.loads(cli('score', 'wrn_22', '--classes', '100', '--rules', 'torchstat', '--json', env=env).stdout)
    assert (r['params'], r['mults'], r['adds'], r['ops']) == (9_693_108, 1_384_601_472, 1_383_404_956, 2_075_705_692)
    assert round(r['score'], 5) == 0.46344 and r['rules'] == 'torchstat' and r['track'] == 'cifar100'
    r = json.loads(cli('score', 'densenet_cifar', '--json', env=env).stdout)
    assert (r['params'], r['ops'], round(r['score'], 4)) == (500_309, 192_701_558, 0.3205)

def test_train_writes_everything_and_scores(env, data10, tmp_path):
    out = tmp_path/'run'
    r = cli('train', 'densenet_nano', '--data', data10, '--epochs', '2', '--bs', '64', '--cutout', '1,8', '--mixup', '0.2',
            '--out', out, env=env)
    assert 'score 0.0378' in r.stdout and 'epoch   2/2' in r.stdout, r.stdout
    for f in ('log.csv', 'curve.png', 'last.pth', 'best.pth', 'model.pth', 'score.json', 'score.md'): assert (out/f).exists(), f
    assert len((out/'log.csv').read_text().splitlines()) == 3
    rep = json.loads((out/'score.json').read_text())
    assert rep['score']['params'] == 59_573 and 0 <= rep['accuracy'] <= 1
    s = json.loads(cli('score', out/'model.pth', '--json', env=env).stdout)
    assert s['params'] == 59_573 and s['track'] == 'cifar10'

def _weights(path):
    return torch.load(path, weights_only=True)['state_dict']

def test_kill9_then_resume_gives_the_same_weights(env, data10, tmp_path):
    "A run killed with SIGKILL in its third epoch resumes from its last checkpoint and ends where an uninterrupted run does."
    args = ['train', 'densenet_nano', '--data', data10, '--epochs', '4', '--bs', '32', '--cutout', '1,8', '--mixup', '0.4',
            '--schedule', 'cosine', '--lr', '0.05']
    full = tmp_path/'full'; cli(*args, '--out', full, env=env)
    cut = tmp_path/'cut'
    p = subprocess.Popen([str(BIN/'micronet-fa'), *map(str, args), '--out', str(cut)], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    for line in p.stdout:                      # an epoch's line is printed once its checkpoint is on disk, so
        if line.startswith('epoch   2/4'): break   # killing right after it lands in epoch 3 with last.pth at epoch 2
    p.send_signal(signal.SIGKILL); p.wait()
    assert p.returncode == -signal.SIGKILL
    ckpt = torch.load(cut/'last.pth', weights_only=True)
    assert ckpt['train_state']['epoch'] == 2 and not (cut/'model.pth').exists()
    assert not list(cut.glob('.*.tmp'))         # nothing half written
    r = cli(*args, '--out', cut, '--resume', env=env)
    assert 'epoch   3/4' in r.stdout and 'epoch   1/4' not in r.stdout
    a, b = _weights(full/'model.pth'), _weights(cut/'model.pth')
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    rows = lambda f: [l.rsplit(',', 1)[0] for l in (f/'log.csv').read_text().splitlines()]   # all but the seconds
    assert rows(full) == rows(cut) and len(rows(cut)) == 5

def test_resume_with_other_options_is_refused(env, data10, tmp_path):
    out = tmp_path/'r'
    cli('train', 'densenet_nano', '--data', data10, '--epochs', '1', '--bs', '64', '--out', out, env=env)
    r = cli('train', 'densenet_nano', '--data', data10, '--epochs', '1', '--bs', '32', '--out', out, '--resume', env=env, check=False)
    assert r.returncode == 2 and 'bs: 64 there, 32 now' in r.stderr

def test_cifar100_from_an_official_format_archive(env, data100, tmp_path):
    out = tmp_path/'c100'
    r = cli('train', 'wrn_16_1', '--dataset', 'cifar100', '--data', data100, '--epochs', '1', '--bs', '64', '--out', out, env=env)
    rep = json.loads((out/'score.json').read_text())
    assert rep['score']['rules'] == 'micronet' and rep['score']['track'] == 'cifar100'
    assert rep['score']['freebie'] is True

def test_progress_bars_in_a_terminal_one_line_per_epoch_elsewhere(env, data10, tmp_path):
    import pty, select
    args = [str(BIN/'micronet-fa'), 'train', 'densenet_nano', '--data', str(data10), '--epochs', '2', '--bs', '64']
    master, slave = pty.openpty()
    p = subprocess.Popen([*args, '--out', str(tmp_path/'tty')], env=env, stdout=slave, stderr=slave)
    os.close(slave); got = b''
    while True:
        r, _, _ = select.select([master], [], [], 300)
        if not r: break
        try: chunk = os.read(master, 1 << 16)
        except OSError: break                    # the child closed the terminal
        if not chunk: break
        got += chunk
    p.wait(timeout=300); os.close(master)
    text = got.decode(errors='replace')
    assert p.returncode == 0, text[-2000:]
    assert '%' in text and '<' in text and 'epoch   1/2' not in text, text[-2000:]     # fastprogress: percent, time left
    r = cli(*args[1:], '--out', tmp_path/'pipe', env=env)
    assert 'epoch   1/2' in r.stdout and 'epoch   2/2' in r.stdout and '%' not in r.stdout
