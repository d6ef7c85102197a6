"""The benchmark scripts run and say what they measured (timings are never asserted)."""
import json, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parent.parent

def _log(path, accs, secs=10.):
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = ['epoch,train_loss,train_acc,valid_loss,valid_acc,valid_top5,lr,seconds']
    rows += [f"{i+1},1.0,0.5,1.0,{a},0.9,0.1,{secs}" for i, a in enumerate(accs)]
    path.write_text('\n'.join(rows) + '\n')

def test_time_to_accuracy_reads_the_stages_in_order(tmp_path):
    run = tmp_path/'myrun'
    _log(run/'train'/'log.csv', [0.70, 0.82, 0.86])
    _log(run/'retrain'/'log.csv', [0.89, 0.905], secs=20.)
    (run/'report.json').write_text(json.dumps({'stages': [{'name': 'train'}, {'name': 'prune'}, {'name': 'retrain'}]}))
    out = tmp_path/'tta.json'
    r = subprocess.run([sys.executable, str(ROOT/'benchmarks'/'time_to_accuracy.py'), str(run), '--out', str(out)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    res = json.loads(out.read_text())['runs'][0]
    assert res['seconds_to'] == {'80%': 20.0, '85%': 30.0, '88%': 50.0, '90%': 70.0}
    assert res['final_accuracy'] == 0.905 and res['epochs'] == 5
    assert out.with_suffix('.md').exists() and out.with_suffix('.png').exists()
    bad = subprocess.run([sys.executable, str(ROOT/'benchmarks'/'time_to_accuracy.py'), str(tmp_path/'nothing'), '--out', str(out)],
                         capture_output=True, text=True)
    assert bad.returncode != 0 and 'no */log.csv' in bad.stderr

@pytest.mark.slow
def test_gpu_check_runs_on_the_cpu_when_asked(tmp_path):
    "The GPU check cannot run in CI; its script is checked on the CPU on synthetic data (without CUDA it refuses)."
    import torch
    if not torch.cuda.is_available():
        r = subprocess.run([sys.executable, str(ROOT/'benchmarks'/'gpu_check.py')], capture_output=True, text=True)
        assert r.returncode == 2 and 'no CUDA device' in r.stdout
    out = tmp_path/'g.json'
    r = subprocess.run([sys.executable, str(ROOT/'benchmarks'/'gpu_check.py'), '--allow-cpu', '--small', '--out', str(out)],
                       capture_output=True, text=True, timeout=1200)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    res = json.loads(out.read_text())
    assert res['steps']['resume']['continued_at_epoch_3'] and res['steps']['throughput']['time_ratio_fastai_over_plain'] > 0

def test_distill_benchmark_trains_the_student_alone_and_distilled(tmp_path, env, data10):
    "benchmarks/distill.py on a small synthetic CIFAR-10 (the path, not the figures), with the committed teacher."
    e = dict(env, MICRONET_DATA=str(data10))
    r = subprocess.run([sys.executable, str(ROOT/'benchmarks'/'distill.py'), '--epochs', '1', '--n-train', '256', '--n-valid', '128',
                        '--out', str(tmp_path)], capture_output=True, text=True, env=e, timeout=600)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    res = json.loads((tmp_path/'distill_fastnet8_1ep_smoke.json').read_text())
    assert [x['run'] for x in res['runs']] == ['alone', 'distilled'] and res['teacher_accuracy'] > 0.9
    assert res['runs'][0]['params'] == res['runs'][1]['params'] and all(len(x['per_epoch']) == 1 for x in res['runs'])
    assert (tmp_path/'distill_fastnet8_1ep_smoke.md').exists() and not list(tmp_path.glob('*.tmp'))
