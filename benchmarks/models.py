"""Forward+backward throughput of the registered models.

For each model: images/second of a training step (forward, cross-entropy, backward) at a fixed batch size,
the median step time over --iters timed steps (after --warmup), the multiply-accumulates of one image's forward pass (torch.utils.flop_counter.FlopCounterMode, flops/2), and
the MACs per second that gives (forward MACs x images/s). A model whose MACs/s is far below the others is slow
for reasons its op count does not show (memory-bound concatenations, many small layers, shifts...).

    python benchmarks/models.py --models densenet_nano resnet18 wrn_16_2 --bs 64 --iters 5

Writes JSON to benchmarks/results/models.json (atomically). Not a test.
"""
from __future__ import annotations
import argparse, json, os, platform, sys, tempfile, time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch.utils.flop_counter import FlopCounterMode

from micronet_fa.models import create_model, count_params, list_models


def parse_options(items):
    "['conv=shift', 'groups=2'] -> {'conv': 'shift', 'groups': 2} (values parsed as JSON when they can be)."
    out = {}
    for it in items or []:
        k, _, v = it.partition('=')
        try: out[k] = json.loads(v)
        except json.JSONDecodeError: out[k] = v
    return out


def macs_per_image(model, device):
    model.eval()
    x = torch.randn(1, 3, 32, 32, device=device)
    with torch.no_grad(), FlopCounterMode(display=False) as fc: model(x)
    return fc.get_total_flops() // 2


def bench(name, options, bs, iters, warmup, device, channels_last, amp):
    torch.manual_seed(0)
    model = create_model(name, 10, **options).to(device)
    macs = macs_per_image(model, device)
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    model = model.to(memory_format=fmt).train()
    x = torch.randn(bs, 3, 32, 32, device=device).to(memory_format=fmt)
    y = torch.randint(0, 10, (bs,), device=device)
    def step():
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp):
            loss = F.cross_entropy(model(x), y)
        model.zero_grad(set_to_none=True)
        loss.backward()
    sync = torch.cuda.synchronize if device.type == 'cuda' else (lambda: None)
    for _ in range(warmup): step()
    times = []
    for _ in range(iters):
        sync(); t0 = time.perf_counter(); step(); sync(); times.append(time.perf_counter() - t0)
    med = sorted(times)[len(times) // 2]   # the median step: robust to a noisy neighbour on a shared machine
    ips = bs / med
    return dict(name=name, options=options, params=sum(p.numel() for p in model.parameters()), macs_per_image=macs,
                images_per_s=ips, step_ms=1000 * med, best_step_ms=1000 * min(times),
                step_ms_all=[round(1000 * t, 2) for t in times], fwd_macs_per_s=macs * ips)


def write_json(path, obj):
    path = Path(path); path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f'.{path.name}.', suffix='.tmp')
    try:
        with os.fdopen(fd, 'w') as f: json.dump(obj, f, indent=1)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True); raise


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--models', nargs='*', help='model names (default: every registered model under --max-params)')
    p.add_argument('--option', nargs='*', default=[], help="options for every model, e.g. conv=shift groups=2")
    p.add_argument('--bs', type=int, default=64)
    p.add_argument('--iters', type=int, default=10)
    p.add_argument('--warmup', type=int, default=2)
    p.add_argument('--max-params', type=float, default=15e6, help='skip models with more parameters (10 classes)')
    p.add_argument('--device', default='cpu')
    p.add_argument('--threads', type=int, default=None, help='torch.set_num_threads')
    p.add_argument('--channels-last', action='store_true')
    p.add_argument('--amp', action='store_true', help='bfloat16 autocast')
    p.add_argument('--out', default=str(Path(__file__).parent / 'results' / 'models.json'))
    a = p.parse_args(argv)
    if a.threads: torch.set_num_threads(a.threads)
    device = torch.device(a.device)
    options = parse_options(a.option)
    names = a.models or list(list_models().name)
    rows, skipped = [], []
    for n in names:
        if count_params(n, 10, **options) > a.max_params:
            skipped.append(n); print(f"{n:18s} skipped: {count_params(n, 10, **options):,} params > --max-params"); continue
        r = bench(n, options, a.bs, a.iters, a.warmup, device, a.channels_last, a.amp)
        rows.append(r)
        print(f"{n:18s} {r['params']:>11,} params {r['macs_per_image']/1e6:9.1f} MMACs/img "
              f"{r['images_per_s']:9.1f} img/s {r['step_ms']:9.1f} ms/step (best {r['best_step_ms']:.1f}) {r['fwd_macs_per_s']/1e9:7.2f} GMAC/s (fwd)", flush=True)
    if rows:
        med = sorted(r['fwd_macs_per_s'] for r in rows)[len(rows) // 2]
        for r in rows:
            r['macs_per_s_vs_median'] = r['fwd_macs_per_s'] / med
            if r['macs_per_s_vs_median'] < 0.5:
                print(f"note: {r['name']} runs at {r['macs_per_s_vs_median']:.2f}x the median MACs/s: slower than its op count says")
    write_json(a.out, dict(device=str(device), device_name=(torch.cuda.get_device_name(device) if device.type == 'cuda'
                                                            else platform.processor() or platform.machine()),
                           threads=torch.get_num_threads(), torch=torch.__version__, bs=a.bs, iters=a.iters,
                           warmup=a.warmup, channels_last=a.channels_last, amp=a.amp, options=options,
                           results=rows, skipped=skipped, time=time.strftime('%Y-%m-%dT%H:%M:%S')))
    print(f"wrote {a.out}")


if __name__ == '__main__': main()
