"""Knowledge distillation on the real CIFAR-10: the same small student trained with and without a teacher, curves and scores.

    python benchmarks/distill.py [--teacher CKPT] [--width 8] [--epochs 10] [--alpha 0.5] [--T 4] [--out DIR]

The teacher is the committed `fastnet_cpu_cifar10` model (FastNet width 20, 90.90% top-1); the student is a
FastNet of width `--width`, trained twice with the recipe's own settings (one-cycle Nesterov SGD to lr 0.2, batch
256, label smoothing 0.2, whitened stem, bf16 where the CPU has it) and the same seed: once alone, once with
`KnowledgeDistillation` (loss = (1 - alpha) x the learner's loss + alpha x T^2 KL of the softened outputs). The
teacher's cost (its forward pass in every training batch) is part of the distilled run's wall time. Needs the real
CIFAR-10 (MICRONET_DATA or ./data); writes distill_fastnet<width>_<epochs>ep.json and .md."""
import argparse, json, os, platform, shutil, tempfile, time
from pathlib import Path
import torch

ROOT = Path(__file__).resolve().parent

def run(label, cfg, width, cbs):
    from micronet_fa.train import train
    import micronet_fa.fastnet   # registers the student's family
    d = Path(tempfile.mkdtemp(prefix=f'distill_{label}_'))
    t0 = time.perf_counter()
    try: r = train('fastnet', cfg, out=d, model_options=dict(width=width), cbs=cbs, rules='course')
    finally: shutil.rmtree(d, ignore_errors=True)
    wall = time.perf_counter() - t0
    rows = [dict(x) for x in r['learn'].epoch_log.rows]
    return dict(run=label, accuracy=r['accuracy'], params=r.get('params'), ops=r.get('ops'), score=r.get('score'),
                wall_seconds=round(wall, 1), per_epoch=rows)

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--teacher', default=str(ROOT/'results'/'fastnet_cpu_cifar10'/'train'/'model.pth'))
    p.add_argument('--width', type=int, default=8); p.add_argument('--epochs', type=int, default=10)
    p.add_argument('--alpha', type=float, default=0.5); p.add_argument('--T', type=float, default=4.)
    p.add_argument('--seed', type=int, default=0); p.add_argument('--out', default=str(ROOT/'results'))
    p.add_argument('--n-train', type=int, default=None, help='a subset (a smoke test; the figures then mean nothing)')
    p.add_argument('--n-valid', type=int, default=None)
    a = p.parse_args()
    from micronet_fa.train import TrainConfig
    from micronet_fa.distill import kd_callback
    cfg = TrainConfig(dataset='cifar10', epochs=a.epochs, bs=256, opt='sgd', lr=0.2, wd=5e-4, schedule='one-cycle',
                      label_smoothing=0.2, whiten=True, seed=a.seed, n_train=a.n_train, n_valid=a.n_valid)
    kd = kd_callback(a.teacher, T=a.T, alpha=a.alpha)
    teacher_acc = torch.load(a.teacher, weights_only=True).get('metrics', {}).get('valid_acc')
    runs = [run('alone', cfg, a.width, []), run('distilled', cfg, a.width, [kd])]
    res = dict(benchmark='distill', teacher=str(Path(a.teacher).relative_to(ROOT.parent)) if Path(a.teacher).is_relative_to(ROOT.parent) else a.teacher,
               teacher_accuracy=teacher_acc, student=f'fastnet width {a.width}', epochs=a.epochs, alpha=a.alpha, T=a.T,
               seed=a.seed, n_train=a.n_train, n_valid=a.n_valid, config=cfg.to_dict(),
               threads=torch.get_num_threads(), torch=torch.__version__, machine=platform.machine(), cpus=os.cpu_count(), runs=runs)
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    stem = f"distill_fastnet{a.width}_{a.epochs}ep" + ('_smoke' if a.n_train else '')
    md = [f"# FastNet width {a.width}, {a.epochs} epochs on CIFAR-10: alone and distilled from FastNet width 20 "
          f"({teacher_acc:.2%})" if teacher_acc else f"# FastNet width {a.width}: alone and distilled", '',
          f"KnowledgeDistillation alpha {a.alpha}, T {a.T}; seed {a.seed}; {torch.get_num_threads()} threads.", '',
          '| epoch | ' + ' | '.join(f"{r['run']} valid acc" for r in runs) + ' |', '|---|' + '---|'*len(runs)]
    for i in range(a.epochs):
        md.append(f"| {i + 1} | " + ' | '.join(f"{r['per_epoch'][i]['valid_acc']:.2%}" for r in runs) + ' |')
    md += [''] + [f"{r['run']}: top-1 {r['accuracy']:.2%}, course score {r['score']:.4f} ({r['params']:,.0f} params, "
                  f"{r['ops']:,.0f} ops), {r['wall_seconds']:.0f} s" for r in runs] + ['']
    for name, text in ((stem + '.json', json.dumps(res, indent=1, default=str)), (stem + '.md', '\n'.join(md))):
        fd, tmp = tempfile.mkstemp(dir=out, suffix='.tmp'); os.close(fd)
        Path(tmp).write_text(text); os.replace(tmp, out/name)
    print('\n'.join(md)); print(f"written to {out/stem}.json and .md")

if __name__ == '__main__': main()
