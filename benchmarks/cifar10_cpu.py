"""A real CIFAR-10 run on the CPU with a fixed budget: accuracy per epoch and wall time, as JSON and markdown.

    python benchmarks/cifar10_cpu.py [--model densenet_nano] [--epochs 10] [--compile] [--threads N] [--keep DIR]
                                     [--filter-prune AMOUNT [--prune-steps 3] [--prune-start 1] [--round-to N]]

The settings are those of the plain PyTorch loop measured on this machine when the project was planned
(densenet_nano, one-cycle to lr 0.2, Nesterov SGD, wd 5e-4, batch 128, crop + flip, channels_last), run through
`micronet_fa.train.train`, and compared with that loop's curve (55.2% after 1 epoch, 70.4% after 4, 86.6% after
10, about 335 img/s compiled) and with seed 001's log (70.6% after 10 epochs, 79.2% after 30). Needs the real
CIFAR-10 (MICRONET_DATA or ./data).

With --filter-prune the same run removes channels as it trains (`micronet_fa.prune.FilterPrune`: AMOUNT of every
dependency group's channels, in --prune-steps removals one epoch apart from epoch --prune-start on, the epochs
after them fine-tuning), so that the two runs compare accuracy and course score at the same budget."""
import argparse, json, os, platform, shutil, tempfile, time
from pathlib import Path
import torch

PLAIN, SEED001 = 'plain PyTorch loop (compiled)', "seed 001's log"
REFERENCE = {PLAIN: {1: 0.552, 4: 0.704, 10: 0.866}, SEED001: {10: 0.706, 30: 0.792}}

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--model', default='densenet_nano'); p.add_argument('--epochs', type=int, default=10)
    p.add_argument('--bs', type=int, default=128); p.add_argument('--lr', type=float, default=0.2)
    p.add_argument('--compile', action='store_true'); p.add_argument('--threads', type=int, default=None)
    p.add_argument('--out', default=str(Path(__file__).parent/'results'))
    p.add_argument('--keep', default=None, help='keep the run (checkpoints, log, curve) in this folder; default: deleted')
    p.add_argument('--filter-prune', type=float, default=None, help="structured pruning during training: this fraction of each group's channels")
    p.add_argument('--prune-steps', type=int, default=3); p.add_argument('--prune-start', type=int, default=1)
    p.add_argument('--n-train', type=int, default=None, help='a subset (a smoke test; the figures then mean nothing)')
    p.add_argument('--n-valid', type=int, default=None)
    p.add_argument('--round-to', type=int, default=None, help='keep pruned channel counts multiples of this')
    a = p.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    from micronet_fa.train import train, TrainConfig
    cbs = []
    if a.filter_prune:
        from micronet_fa.prune import FilterPrune
        cbs = [FilterPrune(a.filter_prune, steps=a.prune_steps, every=1, start=a.prune_start, round_to=a.round_to)]
    run_dir = Path(a.keep) if a.keep else Path(tempfile.mkdtemp(prefix='cifar10_cpu_'))
    t0 = time.perf_counter()
    try:
        cfg = TrainConfig(dataset='cifar10', epochs=a.epochs, bs=a.bs, lr=a.lr, opt='sgd', schedule='one-cycle', wd=5e-4,
                          compile=a.compile, channels_last=True, seed=0, n_train=a.n_train, n_valid=a.n_valid)
        r = train(a.model, cfg, out=run_dir, cbs=cbs)
    finally:
        if not a.keep: shutil.rmtree(run_dir, ignore_errors=True)
    wall = time.perf_counter() - t0
    rows = [dict(l) for l in r['learn'].cbs.filter(lambda c: type(c).__name__ == 'EpochLog')[0].rows]
    train_s = sum(x['seconds'] for x in rows)
    ips = 50_000*len(rows)/train_s
    res = dict(benchmark='cifar10_cpu', model=a.model, mixed_precision=cfg.mixed_precision, epochs=a.epochs, bs=a.bs, lr=a.lr, compiled=a.compile,
               threads=torch.get_num_threads(), torch=torch.__version__, machine=platform.machine(), cpus=os.cpu_count(),
               wall_seconds=round(wall, 1), epoch_seconds_total=round(train_s, 1), images_per_s_incl_valid=round(ips, 1),
               filter_prune=dict(amount=a.filter_prune, steps=a.prune_steps, start=a.prune_start, round_to=a.round_to) if a.filter_prune else None,
               params=r.get('params'), ops=r.get('ops'), per_epoch=rows, final_accuracy=r['accuracy'], score=r.get('score'), reference=REFERENCE)
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    stem = (f"cifar10_cpu_{a.model}_{a.epochs}ep" + ('_compiled' if a.compile else '')
            + (f"_filter{a.filter_prune:g}" + (f"_r{a.round_to}" if a.round_to else '') if a.filter_prune else ''))
    how = (f"; FilterPrune {a.filter_prune:g} in {a.prune_steps} steps from epoch {a.prune_start}"
           + (f", round_to {a.round_to}" if a.round_to else '')) if a.filter_prune else ''
    md = [f"# {a.model} on CIFAR-10, {a.epochs} epochs on the CPU ({'compiled' if a.compile else 'eager'}, {torch.get_num_threads()} threads{how})", '',
          '| epoch | train loss | train acc | valid acc | seconds | plain loop | seed 001 |', '|---|---|---|---|---|---|---|']
    for x in rows:
        e = x['epoch']
        ref = lambda k: f"{REFERENCE[k][e]:.1%}" if e in REFERENCE[k] else ''
        md.append(f"| {e} | {x['train_loss']:.3f} | {x['train_acc']:.1%} | {x['valid_acc']:.1%} | {x['seconds']:.0f} | "
                  f"{ref(PLAIN)} | {ref(SEED001)} |")
    md += ['', f"Wall time {wall:.0f} s (data preparation and model creation included); {ips:.0f} img/s over the epochs "
           f"(validation included). Final top-1 {r['accuracy']:.2%}; course score {r.get('score', float('nan')):.4f} "
           f"({r.get('params', float('nan')):,.0f} params, {r.get('ops', float('nan')):,.0f} ops).", '']
    for name, text in ((stem + '.json', json.dumps(res, indent=1)), (stem + '.md', '\n'.join(md))):
        fd, tmp = tempfile.mkstemp(dir=out, suffix='.tmp'); os.close(fd)
        Path(tmp).write_text(text); os.replace(tmp, out/name)
    print('\n'.join(md)); print(f"written to {out/stem}.json and .md")

if __name__ == '__main__': main()
