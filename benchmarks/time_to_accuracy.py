"""Wall seconds to 80%, 85%, 88% and 90% top-1 for finished or running recipe runs, from their per-epoch logs.

    python benchmarks/time_to_accuracy.py RUN [RUN ...] [--levels 0.8,0.85,0.88,0.9]
                                          [--out benchmarks/results/time_to_accuracy.json]

A RUN is a recipe run's folder, or a JSON written by `benchmarks/cifar10_cpu.py` (its `per_epoch` rows). A
run's clock is the sum of its training stages' epoch times as `log.csv` records them (training and the
validation pass of each epoch; data preparation and model creation excluded), stage after stage. A level is
reached at the end of the first epoch whose validation top-1 (the 10,000 test images) is at or above it;
"not reached" is written as null. Writes JSON, a markdown table beside it and a PNG of the curves."""
import argparse, csv, json, os, tempfile
from pathlib import Path

def curve(run:Path):
    "[(cumulative seconds, top-1)] over the run's training stages, in the order the recipe ran them."
    if run.is_file():
        rows = json.loads(run.read_text()).get('per_epoch')
        if not rows: raise SystemExit(f"{run}: not a benchmarks/cifar10_cpu.py JSON (no per_epoch rows)")
        t, pts = 0., []
        for row in rows: t += float(row['seconds']); pts.append((round(t, 1), float(row['valid_acc'])))
        return pts
    rep = run/'report.json'
    order = [s['name'] for s in json.loads(rep.read_text())['stages']] if rep.exists() else None
    logs = {p.parent.name: p for p in run.glob('*/log.csv')}
    if not logs: raise SystemExit(f"{run}: no */log.csv (give the folder of a recipe run, e.g. runs/fastnet_cpu_cifar10)")
    names = [n for n in order if n in logs] if order else sorted(logs, key=lambda n: logs[n].stat().st_mtime)
    t, pts = 0., []
    for n in names:
        with open(logs[n]) as f:
            for row in csv.DictReader(f):
                t += float(row['seconds']); pts.append((round(t, 1), float(row['valid_acc'])))
    return pts

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('runs', nargs='+'); p.add_argument('--levels', default='0.8,0.85,0.88,0.9')
    p.add_argument('--out', default=str(Path(__file__).parent/'results'/'time_to_accuracy.json'))
    a = p.parse_args()
    levels = [float(v) for v in a.levels.split(',')]
    res = []
    for r in map(Path, a.runs):
        pts = curve(r)
        hit = {f"{l:.0%}": next((t for t, acc in pts if acc >= l), None) for l in levels}
        res.append(dict(run=str(r), name=r.stem if r.is_file() else r.name, final_accuracy=pts[-1][1], seconds=pts[-1][0], epochs=len(pts),
                        seconds_to=hit, curve=pts))
        print(f"{res[-1]['name']}: " + ', '.join(f"{k} at {'—' if v is None else f'{v:.0f} s'}" for k, v in hit.items())
              + f"; final {pts[-1][1]:.2%} after {pts[-1][0]:.0f} s ({len(pts)} epochs)")
    out = Path(a.out); out.parent.mkdir(parents=True, exist_ok=True)
    def put(path, text):
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix='.tmp'); os.close(fd)
        Path(tmp).write_text(text); os.replace(tmp, path)
    put(out, json.dumps(dict(benchmark='time_to_accuracy', levels=levels, runs=res), indent=1))
    md = ['| run | ' + ' | '.join(f"to {l:.0%}" for l in levels) + ' | final top-1 | seconds | epochs |',
          '|---|' + '---|'*(len(levels) + 3)]
    for r in res:
        md.append(f"| {r['name']} | " + ' | '.join('—' if v is None else f"{v:.0f} s" for v in r['seconds_to'].values())
                  + f" | {r['final_accuracy']:.2%} | {r['seconds']:.0f} | {r['epochs']} |")
    put(out.with_suffix('.md'), '\n'.join(md) + '\n')
    import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6, 4))
    for r in res: ax.plot([t/60 for t, _ in r['curve']], [acc for _, acc in r['curve']], marker='.', label=r['name'])
    for l in levels: ax.axhline(l, color='grey', lw=.5, ls=':')
    ax.axvline(60, color='red', lw=.8, ls='--'); ax.set_ylim(0.5, 1)
    ax.set_xlabel('wall minutes (epochs incl. validation)'); ax.set_ylabel('top-1 (CIFAR-10 test)'); ax.legend(); ax.grid(alpha=.3)
    fig.tight_layout(); fig.savefig(out.with_suffix('.png'), dpi=90)
    print(f"written to {out} (and .md, .png)")

if __name__ == '__main__': main()
