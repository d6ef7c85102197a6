"""Training throughput before and after structured filter pruning (micronet_fa.prune.filter_prune).

For each model: images/second of a training step (forward, cross-entropy, backward) at a fixed batch size,
the median step time over --iters timed steps (after --warmup), for the model as created and after
`filter_prune(model, --amount)` removed that fraction of the filters of every prunable conv; with the
parameter count and the counter's micronet ops of each (one 32x32 image, 16-bit freebie), and the speed-up.
Unstructured pruning (masks) is not benchmarked: a masked dense conv costs what the dense conv costs, plus
the mask multiplication.

    python benchmarks/prune.py --models wrn_16_2 resnet18 --bs 64 --iters 3 --threads 1

Writes JSON to benchmarks/results/prune.json (atomically). Not a test: nothing here asserts a timing.
"""
from __future__ import annotations
import argparse, json, os, platform, tempfile, time
from pathlib import Path

import torch
import torch.nn.functional as F

from micronet_fa.models import create_model, model_params
from micronet_fa.prune import filter_prune
from micronet_fa.score import count


def step_times(model, bs, iters, warmup, device, channels_last):
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    model = model.to(device, memory_format=fmt).train()
    x = torch.randn(bs, 3, 32, 32, device=device).to(memory_format=fmt)
    y = torch.randint(0, 10, (bs,), device=device)
    def step():
        loss = F.cross_entropy(model(x), y)
        model.zero_grad(set_to_none=True)
        loss.backward()
    sync = torch.cuda.synchronize if device.type == 'cuda' else (lambda: None)
    for _ in range(warmup): step()
    times = []
    for _ in range(iters):
        sync(); t0 = time.perf_counter(); step(); sync(); times.append(time.perf_counter() - t0)
    return times


def measure(model, bs, iters, warmup, device, channels_last):
    c = count(model)                                  # counted on the CPU, contiguous, before any channels_last
    times = step_times(model, bs, iters, warmup, device, channels_last)
    med = sorted(times)[len(times) // 2]              # the median step: robust to a noisy neighbour
    return dict(params=model_params(model), micronet_ops=float(c.totals['ops']), images_per_s=bs / med,
                step_ms=1000 * med, best_step_ms=1000 * min(times), step_ms_all=[round(1000 * t, 2) for t in times])


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
    p.add_argument('--models', nargs='*', default=['wrn_16_2', 'resnet18'])
    p.add_argument('--amount', type=float, default=0.5, help='fraction of the filters of every prunable conv to remove')
    p.add_argument('--bs', type=int, default=64)
    p.add_argument('--iters', type=int, default=3)
    p.add_argument('--warmup', type=int, default=1)
    p.add_argument('--device', default='cpu')
    p.add_argument('--threads', type=int, default=None, help='torch.set_num_threads')
    p.add_argument('--channels-last', action='store_true')
    p.add_argument('--out', default=str(Path(__file__).parent / 'results' / 'prune.json'))
    a = p.parse_args(argv)
    if a.threads: torch.set_num_threads(a.threads)
    device = torch.device(a.device)
    rows = []
    for n in a.models:
        torch.manual_seed(0)
        dense = measure(create_model(n, 10), a.bs, a.iters, a.warmup, device, a.channels_last)
        torch.manual_seed(0)
        pruned = measure(filter_prune(create_model(n, 10), a.amount), a.bs, a.iters, a.warmup, device, a.channels_last)
        r = dict(name=n, amount=a.amount, dense=dense, pruned=pruned, speedup=pruned['images_per_s'] / dense['images_per_s'],
                 params_ratio=pruned['params'] / dense['params'], ops_ratio=pruned['micronet_ops'] / dense['micronet_ops'])
        rows.append(r)
        for k, v in (('dense', dense), ('pruned', pruned)):
            print(f"{n:12s} {k:6s} {v['params']:>11,} params {v['micronet_ops']/1e6:9.1f} M micronet ops "
                  f"{v['images_per_s']:8.1f} img/s {v['step_ms']:9.1f} ms/step (best {v['best_step_ms']:.1f})", flush=True)
        print(f"{n:12s} filter_prune({a.amount}): {r['speedup']:.2f}x the images/s, {r['params_ratio']:.2f}x the params, "
              f"{r['ops_ratio']:.2f}x the ops", flush=True)
    write_json(a.out, dict(device=str(device), device_name=(torch.cuda.get_device_name(device) if device.type == 'cuda'
                                                            else platform.processor() or platform.machine()),
                           threads=torch.get_num_threads(), torch=torch.__version__, bs=a.bs, iters=a.iters,
                           warmup=a.warmup, channels_last=a.channels_last, results=rows,
                           time=time.strftime('%Y-%m-%dT%H:%M:%S')))
    print(f"wrote {a.out}")


if __name__ == '__main__': main()
