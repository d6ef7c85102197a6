"""Training-pipeline throughput on the CPU: images/second through `cifar_dls`'s training loader at batch 256.

    python benchmarks/data.py [--data DIR] [--bs 256] [--batches 60] [--threads N] [--out benchmarks/results/data.json]

Measures (1) crop + flip + cutout + normalise, the pipeline of every recipe, and (2) the same with AutoAugment,
(3) with fastai's aug_transforms (seed 002). Uses the real CIFAR-10 when it is found (MICRONET_DATA or --data),
else synthetic images of the same shape. Prints a table and writes JSON."""
import argparse, json, os, platform, sys, time, tempfile
from pathlib import Path
import torch

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', default=None); p.add_argument('--bs', type=int, default=256)
    p.add_argument('--batches', type=int, default=60)
    p.add_argument('--threads', type=int, nargs='*', default=None, help='torch thread counts to measure (default: 1 and all)')
    p.add_argument('--out', default=str(Path(__file__).parent/'results'/'data.json'))
    a = p.parse_args()
    threads = a.threads or sorted({1, torch.get_num_threads()})
    from micronet_fa.data import cifar_dls, load_cifar, synthetic_cifar, DataNotFoundError
    try: arrays, source = load_cifar('cifar10', a.data, download=False), 'cifar10'
    except DataNotFoundError: arrays, source = synthetic_cifar('cifar10', 50_000, 1000), 'synthetic'
    configs = {'crop+flip+cutout+normalise': dict(cutout=(1, 8)),
               '+ AutoAugment': dict(cutout=(1, 8), autoaugment=True),
               '+ fastai aug_transforms': dict(fastai_augs=True)}
    rows = []
    for nt in threads:
      torch.set_num_threads(nt)
      for name, kw in configs.items():
        dls = cifar_dls(arrays=arrays, bs=a.bs, seed=0, **kw)
        it = iter(dls.train)
        for _ in range(3): next(it)                         # warm up
        n, t0 = 0, time.perf_counter()
        for i, (x, y) in enumerate(dls.train):
            n += len(x)
            if i + 1 == a.batches: break
        dt = time.perf_counter() - t0
        rows.append(dict(pipeline=name, threads=nt, images=n, seconds=round(dt, 3), images_per_s=round(n/dt)))
        print(f"{name:32s} {nt} thread(s) {n/dt:10,.0f} img/s  ({n} images in {dt:.2f} s)", flush=True)
    res = dict(benchmark='data', source=source, bs=a.bs, torch=torch.__version__,
               machine=platform.machine(), cpus=os.cpu_count(), results=rows)
    out = Path(a.out); out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, suffix='.tmp'); os.close(fd)
    Path(tmp).write_text(json.dumps(res, indent=1)); os.replace(tmp, out)
    print(f"written to {out}")

if __name__ == '__main__': main()
