"""Structured pruning (micronet_fa.prune.filter_prune, on Torch-Pruning's dependency graph) for every family:
what it removes and what it buys on this CPU.

For each model (one per registered family by default) and each --amounts value: the parameter count, the
counter's micronet ops (one 32x32 image, 16-bit freebie) and course ops, the inference images/second (eval,
no_grad, batch --bs, the median of --iters timed batches after --warmup), before and after
`filter_prune(model, amount)` removed that fraction of every dependency group's channels; and whether the
pruned model still trains (one SGD step: finite loss, a gradient on every parameter, the loss moves).

    python benchmarks/prune.py [--models wrn_16_2 resnet18 densenet_nano googlenet mobilenet_v2 fastnet]
                               [--amounts 0.25 0.5] [--bs 128] [--iters 5] [--threads N]

Writes JSON to benchmarks/results/prune.json (atomically). Not a test: nothing here asserts a timing.
"""
from __future__ import annotations
import argparse, json, os, platform, tempfile, time
from pathlib import Path

import torch
import torch.nn.functional as F

from micronet_fa.models import create_model, model_params
import micronet_fa.mobile, micronet_fa.fastnet  # noqa: register the inverted-residual families and FastNet
from micronet_fa.prune import filter_prune
from micronet_fa.score import count


def infer_times(model, bs, iters, warmup, device, channels_last):
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    model = model.to(device, memory_format=fmt).eval()
    x = torch.randn(bs, 3, 32, 32, device=device).to(memory_format=fmt)
    sync = torch.cuda.synchronize if device.type == 'cuda' else (lambda: None)
    times = []
    with torch.no_grad():
        for i in range(warmup + iters):
            sync(); t0 = time.perf_counter(); model(x); sync()
            if i >= warmup: times.append(time.perf_counter() - t0)
    return times


def trains(model, device):
    "One SGD step on a random batch: finite loss, a gradient on every parameter, and the loss on that batch moves."
    model = model.to(device).train()
    x, y = torch.randn(8, 3, 32, 32, device=device), torch.randint(0, 10, (8,), device=device)
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    loss = F.cross_entropy(model(x), y); opt.zero_grad(); loss.backward()
    ok = bool(torch.isfinite(loss)) and all(p.grad is not None and torch.isfinite(p.grad).all() for p in model.parameters())
    opt.step()
    with torch.no_grad(): after = F.cross_entropy(model(x), y)
    return ok and bool(after != loss)


def measure(model, bs, iters, warmup, device, channels_last):
    c, cc = count(model), count(model, rules='course')   # counted on the CPU, contiguous, before any channels_last
    times = infer_times(model, bs, iters, warmup, device, channels_last)
    med = sorted(times)[len(times) // 2]              # the median batch: robust to a noisy neighbour
    return dict(params=model_params(model), micronet_ops=float(c.totals['ops']), course_ops=float(cc.totals['ops']),
                images_per_s=bs / med, batch_ms=1000 * med, batch_ms_all=[round(1000 * t, 2) for t in times])


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
    p.add_argument('--models', nargs='*', default=['wrn_16_2', 'resnet18', 'densenet_nano', 'googlenet', 'mobilenet_v2', 'fastnet'])
    p.add_argument('--amounts', nargs='*', type=float, default=[0.25, 0.5], help="fractions of every group's channels to remove")
    p.add_argument('--importance', default='l1')
    p.add_argument('--bs', type=int, default=128)
    p.add_argument('--iters', type=int, default=5)
    p.add_argument('--warmup', type=int, default=2)
    p.add_argument('--device', default='cpu')
    p.add_argument('--threads', type=int, default=None, help='torch.set_num_threads')
    p.add_argument('--no-channels-last', dest='channels_last', action='store_false')
    p.add_argument('--out', default=str(Path(__file__).parent / 'results' / 'prune.json'))
    a = p.parse_args(argv)
    if a.threads: torch.set_num_threads(a.threads)
    device = torch.device(a.device)
    rows = []
    for n in a.models:
        torch.manual_seed(0)
        dense = measure(create_model(n, 10), a.bs, a.iters, a.warmup, device, a.channels_last)
        print(f"{n:14s} dense  {dense['params']:>11,} params {dense['micronet_ops']/1e6:9.1f} M micronet ops "
              f"{dense['course_ops']/1e6:9.1f} M course ops {dense['images_per_s']:8.1f} img/s", flush=True)
        for amount in a.amounts:
            torch.manual_seed(0)
            t0 = time.perf_counter(); m = filter_prune(create_model(n, 10), amount, importance=a.importance); took = time.perf_counter() - t0
            pruned = measure(m, a.bs, a.iters, a.warmup, device, a.channels_last)
            r = dict(name=n, amount=amount, importance=a.importance, prune_seconds=round(took, 2), dense=dense, pruned=pruned,
                     speedup=pruned['images_per_s'] / dense['images_per_s'], params_ratio=pruned['params'] / dense['params'],
                     ops_ratio=pruned['micronet_ops'] / dense['micronet_ops'], course_ops_ratio=pruned['course_ops'] / dense['course_ops'],
                     trains=trains(m, device))
            rows.append(r)
            print(f"{n:14s} {amount:<6g} {pruned['params']:>11,} params {pruned['micronet_ops']/1e6:9.1f} M micronet ops "
                  f"{pruned['course_ops']/1e6:9.1f} M course ops {pruned['images_per_s']:8.1f} img/s: {r['speedup']:.2f}x the "
                  f"images/s, {r['params_ratio']:.2f}x the params, {r['ops_ratio']:.2f}x the ops; trains: {r['trains']}", flush=True)
    write_json(a.out, dict(device=str(device), device_name=(torch.cuda.get_device_name(device) if device.type == 'cuda'
                                                            else platform.processor() or platform.machine()),
                           threads=torch.get_num_threads(), torch=torch.__version__, bs=a.bs, iters=a.iters,
                           warmup=a.warmup, channels_last=a.channels_last, results=rows,
                           time=time.strftime('%Y-%m-%dT%H:%M:%S')))
    print(f"wrote {a.out}")


if __name__ == '__main__': main()
