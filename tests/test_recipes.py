"""Recipes from the command line: a run end to end, a killed run resumed, reports against their schema, compare."""
import json, re, signal, subprocess, time
from pathlib import Path
import jsonschema, pytest, torch
from conftest import cli, BIN
from micronet_fa.recipes import REPORT_SCHEMA

TINY = ['--epochs-scale', '0.001', '--n-train', '128', '--n-valid', '64']

def test_recipes_lists_all_five(env):
    r = cli('recipes', env=env)
    for name in ('wrn22_mixup_cifar100', 'sparse_googlenet_cifar100', 'densenet_nano_cifar10', 'densenet_groups_cifar10', 'wrn_kd_cifar100'):
        assert name in r.stdout
    assert '0.0357' in r.stdout and '0.4634' in r.stdout

def test_run_killed_then_resumed_continues_from_its_stage(env, data10, tmp_path):
    start = tmp_path/'start'; start.mkdir()
    out = start/'runs'/'nano'                  # started with a relative --out from one directory ...
    args = ['run', 'densenet_nano_cifar10', '--data', data10, *TINY]
    p = subprocess.Popen([str(BIN/'micronet-fa'), *map(str, args), '--out', 'runs/nano'], env=env, cwd=start,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    for line in p.stdout:
        if "stage 3/4 'retrain'" in line: break
    time.sleep(1); p.send_signal(signal.SIGKILL); p.wait()
    state = json.loads((out/'state.json').read_text())
    assert set(state['stages']) == {'train', 'prune'} and not (out/'report.json').exists()
    args += ['--out', out]
    r = cli(*args, '--resume', env=env)        # ... resumed from another one, --out given in full
    assert "stage 1/4" not in r.stdout and "stage 3/4 'retrain'" in r.stdout, r.stdout
    rep = json.loads((out/'report.json').read_text())
    jsonschema.validate(rep, REPORT_SCHEMA)
    assert (rep['params'], rep['ops'], round(rep['score'], 4)) == (47_837, 22_675_830, 0.0357)
    assert [s['name'] for s in rep['stages']] == ['train', 'prune', 'retrain', 'half']
    assert rep['stages'][0]['seconds'] == state['stages']['train']['seconds']   # not run again
    r = cli(*args, env=env, check=False)                                         # same folder without --resume
    assert r.returncode == 2 and '--resume' in r.stderr

def test_cifar100_recipe_and_compare(env, data100, data10, tmp_path):
    a, b = tmp_path/'kd', tmp_path/'nano'
    cli('run', 'wrn_kd_cifar100', '--data', data100, '--out', a, *TINY, '--set', 'teacher.model=wrn_16_1',
        '--set', 'student.model=wrn_16_1', env=env)
    rep = json.loads((a/'report.json').read_text())
    jsonschema.validate(rep, REPORT_SCHEMA)
    assert rep['rules'] == 'micronet' and rep['track'] == 'cifar100' and rep['freebie'] is False   # binary weights
    assert rep['plan']['overrides'] == {'teacher.model': 'wrn_16_1', 'student.model': 'wrn_16_1'}
    assert len(rep['stages']) == 9 and all(s['score'] > 0 for s in rep['stages'])
    cli('run', 'densenet_nano_cifar10', '--data', data10, '--out', b, *TINY, env=env)
    r = cli('compare', tmp_path, '--out', tmp_path/'cmp.png', env=env)
    assert (tmp_path/'cmp.png').stat().st_size > 5000
    assert 'wrn_kd_cifar100' in r.stdout and 'densenet_nano_cifar10' in r.stdout

def test_cifar100_missing_says_how_to_get_it(env, tmp_path):
    r = cli('run', 'sparse_googlenet_cifar100', '--data', tmp_path/'empty', '--out', tmp_path/'x', *TINY, env=env, check=False)
    assert r.returncode == 2
    assert 'cifar-100-python.tar.gz' in r.stderr and 'recipe sparse_googlenet_cifar100 needs cifar100' in r.stderr

def test_prune_and_quantize_checkpoints(env, data10, tmp_path):
    base = tmp_path/'base'
    cli('train', 'densenet_nano', '--data', data10, '--epochs', '1', '--bs', '64', '--out', base, env=env)
    r = cli('prune', base/'model.pth', '--method', 'l1', '--amount', '0.197', '--which', 'all', '--out', tmp_path/'p', env=env)
    assert 'score 0.03574' in r.stdout
    assert json.loads((tmp_path/'p'/'score.json').read_text())['score']['params'] == 47_837
    r = cli('prune', tmp_path/'p'/'model.pth', '--method', 'filter', '--amount', '0.5', '--out', tmp_path/'f',
            '--data', data10, '--epochs', '1', '--bs', '64', env=env)
    s = json.loads(cli('score', tmp_path/'f'/'model.pth', '--json', env=env).stdout)
    assert s['ops'] < 22_675_830 * 0.8                                            # channels really removed
    cli('prune', base/'model.pth', '--method', 'soft', '--amount', '0.25', '--out', tmp_path/'s', '--data', data10,
        '--epochs', '1', '--bs', '64', env=env)                                  # soft pruning, then fine-tuning
    from micronet_fa.checkpoint import load_checkpoint
    soft, _ = load_checkpoint(tmp_path/'s'/'model.pth')
    convs = [m for m in soft.modules() if isinstance(m, torch.nn.Conv2d)]
    for m in convs:                                                              # the zeroed filters stayed zero
        zero = int((m.weight.flatten(1).abs().sum(1) == 0).sum())
        assert zero == int(0.25 * m.out_channels) and hasattr(m, 'weight_mask'), (m, zero)
    r = cli('quantize', base/'model.pth', '--bits', '16', '--data', data10, '--out', tmp_path/'h', env=env)
    m = re.search(r"fp32 top-1 ([0-9.]+), bfloat16 top-1 ([0-9.]+) \(change [-+0-9.]+\): 16-bit freebie (justified|NOT justified)", r.stdout)
    assert m, r.stdout
    assert m.group(3) == ('justified' if float(m.group(1)) - float(m.group(2)) <= 0.005 else 'NOT justified'), m.group(0)
    r = cli('quantize', base/'model.pth', '--bits', '8', '--data', data10, '--calib-batches', '1', '--out', tmp_path/'q8', env=env)
    assert 'int8' in r.stdout

    from micronet_fa.quantize import load_int8
    prog = load_int8(tmp_path/'q8'/'model_int8.pt2')                               # the exported int8 program runs
    assert prog(torch.randn(3, 3, 32, 32)).shape == (3, 10)
    assert not list(tmp_path.joinpath('q8').glob('*.tmp'))                        # nothing half written left behind
    q8 = json.loads(cli('score', tmp_path/'q8'/'model.pth', '--rules', 'micronet', '--json', env=env).stdout)
    full = json.loads(cli('score', base/'model.pth', '--rules', 'micronet', '--no-freebie', '--json', env=env).stdout)
    assert q8['params'] == full['params'] / 4                                     # every parameter at 8 bits
    r = cli('quantize', base/'model.pth', '--bits', '1', '--method', 'bwn', '--out', tmp_path/'b', '--data', data10,
            '--epochs', '1', '--bs', '64', '--rules', 'micronet', env=env)
    b = json.loads((tmp_path/'b'/'score.json').read_text())
    assert b['score']['freebie'] is False and b['score']['min_bits'] == 1

def test_leaderboard_measures_accuracy_on_cifar100(env, data100):
    from micronet_fa.winners import winners_dir, WINNER_FILES
    if not all((winners_dir()/f).is_file() for f in WINNER_FILES): pytest.skip(f"the winners' checkpoints are not in {winners_dir()}")
    rows = json.loads(cli('leaderboard', '--data', data100, '--json', env=env).stdout)
    assert [r['team'] for r in rows] == ['RIAIR', 'KAIST AI', 'OSI AI']
    assert all(0 <= r['accuracy'] <= 1 and r['images'] == 200 for r in rows) and 0 <= rows[2]['exit_ratio'] <= 1
    assert rows[0]['reproduced'] == 0.004169 and rows[2]['reproduced'] == 0.005798
    r = cli('leaderboard', '--data', data100, env=env)
    assert 'accuracy' in r.stdout and 'published_exit_ratio' in r.stdout
