"""Training speed on this machine: every CPU path one after the other, and the fastai Learner against a plain loop.

    python benchmarks/train.py [--models fastnet,densenet_nano,resnet18] [--bs 128] [--batches 8] [--repeats 3]
                               [--no-compile] [--accuracy-epochs 0] [--out benchmarks/results/train.json]

1. Paths. For each model, a plain PyTorch training loop (Nesterov SGD, cross-entropy) times `--batches` batches
   after a warm-up, `--repeats` times, under: fp32 eager; channels_last; bf16 autocast; channels_last + bf16;
   channels_last + bf16 + torch.compile (with its compile time); and the chosen path with one thread instead
   of two. The figure is the median images/second. Achieved GFLOP/s = the counter's forward ops per image
   (micronet rules, multiplications + additions) x 3 (forward, input gradients, weight gradients) x images/s.
2. Learner overhead. Under the default path (what `TrainConfig()` gives on this CPU), the fastai Learner that
   `micronet_fa.train` builds against the plain loop doing by hand what its callbacks do, both drawing their
   batches from the same loader (its augmentation inside the timing), alternated, median of each; goal:
   Learner time / plain time <= 1.05.
3. Accuracy (with `--accuracy-epochs N`): FastNet (width 32) trained N epochs on the real CIFAR-10 through
   `micronet_fa.train.train`, fp32 and bf16, both channels_last, same seed: the two top-1 accuracies.

Real CIFAR-10 batches when found (MICRONET_DATA or ./data), else synthetic ones; writes JSON."""
import argparse, json, os, platform, statistics, tempfile, time
from pathlib import Path
import torch, torch.nn.functional as F

PATHS = {'fp32 eager': dict(cl=False, bf16=False, compile=False), 'channels_last': dict(cl=True, bf16=False, compile=False),
         'bf16': dict(cl=False, bf16=True, compile=False), 'channels_last + bf16': dict(cl=True, bf16=True, compile=False),
         'channels_last + bf16 + compile': dict(cl=True, bf16=True, compile=True)}

def drawn(dl, n):
    "n batches drawn from `dl` as the loop goes (the loader's augmentation paid inside the timing), as plain tensors."
    done = 0
    while done < n:
        for x, y in dl:
            yield x.as_subclass(torch.Tensor), y.as_subclass(torch.Tensor)
            done += 1
            if done == n: return

def batches(dl, n):
    "n batches from `dl`, as plain tensors (cycled)."
    out = []
    while len(out) < n:
        for x, y in dl:
            out.append((x.as_subclass(torch.Tensor), y.as_subclass(torch.Tensor)))
            if len(out) == n: break
    return out

def _sync(dev):
    if torch.device(dev).type == 'cuda': torch.cuda.synchronize()

def plain_loop(model, data, warmup, cl, bf16, amp=None, dev='cpu'):
    "Images/second of a hand-written training loop over `data` (the first `warmup` batches untimed)."
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4)
    dtype = amp or (torch.bfloat16 if bf16 else None)
    scaler = torch.amp.GradScaler(torch.device(dev).type, enabled=dtype == torch.float16)
    model.train(); n = 0
    for i, (x, y) in enumerate(data):
        if i == warmup: _sync(dev); t0, n = time.perf_counter(), 0
        x, y = x.to(dev), y.to(dev)
        if cl: x = x.contiguous(memory_format=torch.channels_last)
        with torch.autocast(torch.device(dev).type, dtype=dtype or torch.bfloat16, enabled=dtype is not None):
            out = model(x)
        loss = F.cross_entropy(out.float(), y)
        opt.zero_grad(); scaler.scale(loss).backward(); scaler.step(opt); scaler.update()
        n += len(y)
    _sync(dev)
    return n / (time.perf_counter() - t0)

def plain_loop_device(model, data, warmup, amp, dev):
    "The plain loop on `dev` with autocast to `amp` and channels_last (the GPU check)."
    return plain_loop(model, data, warmup, True, False, amp=amp, dev=dev)

def fastai_loop(model, dls, nb, warmup):
    "Images/second of the Learner `micronet_fa.train.get_learner` builds with the default configuration."
    from fastai.callback.core import Callback, CancelFitException
    from micronet_fa.train import get_learner, TrainConfig
    class Timer(Callback):
        order = 100
        def before_fit(self): self.done, self.n, self.t0 = 0, 0, None
        def before_batch(self):
            if self.training and self.done == warmup: _sync(self.dls.device or 'cpu'); self.t0, self.n = time.perf_counter(), 0
        def after_batch(self):
            if not self.training: return
            self.done += 1; self.n += len(self.learn.yb[0])
            if self.done == nb + warmup: _sync(self.dls.device or 'cpu'); self.dt = time.perf_counter() - self.t0; raise CancelFitException()
    t = Timer()
    learn = get_learner(model, dls, TrainConfig(lr=0.05, wd=5e-4), line=True, cbs=[t])
    learn.fit(1000, lr=0.05)
    return t.n / t.dt

def make(name, cl, compiled):
    from micronet_fa.models import create_model
    import micronet_fa.fastnet  # noqa: registers fastnet
    torch.manual_seed(0)
    m = create_model(name, 10, **({'width': 32} if name == 'fastnet' else {}))
    if cl: m = m.to(memory_format=torch.channels_last)
    return torch.compile(m) if compiled else m

def fwd_ops(name):
    from micronet_fa.score import count
    c = count(make(name, False, False), rules='micronet')
    return int(c.totals['mults'] + c.totals['adds'])

def accuracy_check(epochs, bs):
    from micronet_fa.train import train, TrainConfig
    import micronet_fa.fastnet  # noqa
    res = {}
    for mp in (None, 'bf16'):
        with tempfile.TemporaryDirectory() as d:
            t0 = time.perf_counter()
            r = train('fastnet', TrainConfig(epochs=epochs, bs=bs, lr=0.2, label_smoothing=0.2, mixed_precision=mp, seed=0),
                      model_options=dict(width=32), out=Path(d)/'run', line=True)
            res['fp32' if mp is None else 'bf16'] = dict(accuracy=r['accuracy'], seconds=round(time.perf_counter() - t0, 1))
            print(f"accuracy {'fp32' if mp is None else 'bf16'}: {r['accuracy']:.4f} in {res['fp32' if mp is None else 'bf16']['seconds']} s", flush=True)
    return res

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--models', default='fastnet,densenet_nano,resnet18'); p.add_argument('--bs', type=int, default=128)
    p.add_argument('--batches', type=int, default=8); p.add_argument('--warmup', type=int, default=2)
    p.add_argument('--repeats', type=int, default=3); p.add_argument('--no-compile', action='store_true')
    p.add_argument('--overhead-batches', type=int, default=20, help='timed batches for the Learner-vs-plain comparison')
    p.add_argument('--accuracy-epochs', type=int, default=0, help='also train FastNet this many epochs, fp32 and bf16 (real CIFAR-10)')
    p.add_argument('--parts', default='paths,overhead', help="what to measure: paths, overhead (and accuracy with --accuracy-epochs); "
                   "the parts not measured are kept from the existing --out file")
    p.add_argument('--out', default=str(Path(__file__).parent/'results'/'train.json'))
    a = p.parse_args()
    parts = set(a.parts.split(',')) | ({'accuracy'} if a.accuracy_epochs else set())
    old = json.loads(Path(a.out).read_text()) if Path(a.out).exists() else {}
    from micronet_fa.data import cifar_dls, load_cifar, synthetic_cifar, DataNotFoundError
    from micronet_fa.train import cpu_has_bf16, TrainConfig
    try: arrays, source = load_cifar('cifar10', download=False), 'cifar10'
    except DataNotFoundError: arrays, source = synthetic_cifar('cifar10', 10_000, 256), 'synthetic'
    nb = a.warmup + a.batches
    dls = cifar_dls(arrays=arrays, bs=a.bs, seed=0, n_train=a.bs*(max(nb, a.overhead_batches + a.warmup) + 2), n_valid=256)
    data = batches(dls.train, nb)
    threads = torch.get_num_threads()
    rows, ops = [], {}
    for name in (a.models.split(',') if 'paths' in parts else []):
        ops[name] = fwd_ops(name)
        for path, o in PATHS.items():
            if o['compile'] and a.no_compile: continue
            for th in ([threads, 1] if path == 'channels_last + bf16' and threads > 1 else [threads]):
                torch.set_num_threads(th)
                m, compile_s = make(name, o['cl'], o['compile']), None
                if o['compile']:
                    t0 = time.perf_counter(); plain_loop(m, data[:a.warmup + 1], a.warmup, o['cl'], o['bf16'])
                    compile_s = round(time.perf_counter() - t0, 1)
                ips = [plain_loop(m, data, a.warmup, o['cl'], o['bf16']) for _ in range(a.repeats)]
                med = statistics.median(ips)
                rows.append(dict(model=name, path=path, threads=th, images_per_s=round(med, 1), runs=[round(v, 1) for v in ips],
                                 gflops=round(3*ops[name]*med/1e9, 1), compile_seconds=compile_s))
                print(f"{name:14s} {path:32s} {th} threads {med:8.1f} img/s  {3*ops[name]*med/1e9:6.1f} GFLOP/s"
                      + (f"  (compile {compile_s} s)" if compile_s else ''), flush=True)
            torch.set_num_threads(threads)
    base = {r['model']: r['images_per_s'] for r in rows if r['path'] == 'fp32 eager'}
    if rows: print(f"paths measured with {a.bs}-image batches, median of {a.repeats} runs of {a.batches} batches")
    for r in rows: r['speedup_over_fp32_eager'] = round(r['images_per_s'] / base[r['model']], 2)
    # the Learner against the plain loop, under the default configuration's path on this CPU
    cfg = TrainConfig()
    bf16 = cfg.mixed_precision == 'bf16' or (cfg.mixed_precision == 'auto' and cpu_has_bf16())
    over = {}
    for name in (a.models.split(',') if 'overhead' in parts else []):
        if name == 'resnet18': continue      # minutes per repeat in fp32 here; the two small nets show the overhead
        res = {'plain': [], 'fastai': []}
        for _ in range(a.repeats):
            res['plain'].append(plain_loop(make(name, cfg.channels_last, False), drawn(dls.train, a.warmup + a.overhead_batches),
                                           a.warmup, cfg.channels_last, bf16))
            res['fastai'].append(fastai_loop(make(name, cfg.channels_last, False), dls, a.overhead_batches, a.warmup))
        med = {k: statistics.median(v) for k, v in res.items()}
        over[name] = dict(runs={k: [round(x, 1) for x in v] for k, v in res.items()}, median={k: round(v, 1) for k, v in med.items()},
                          time_ratio_fastai_over_plain=round(med['plain'] / med['fastai'], 4))
        print(f"{name}: fastai Learner {med['fastai']:.1f} img/s, plain loop {med['plain']:.1f} img/s: "
              f"time ratio {med['plain']/med['fastai']:.3f} (goal <= 1.05)", flush=True)
    acc = accuracy_check(a.accuracy_epochs, 256) if a.accuracy_epochs else None
    out = dict(benchmark='train', source=source, bs=a.bs, batches=a.batches, repeats=a.repeats, threads=threads,
               cpu_has_bf16=cpu_has_bf16(), default_path=('channels_last + ' if cfg.channels_last else '') + ('bf16' if bf16 else 'fp32'),
               torch=torch.__version__, machine=platform.machine(), processor=platform.processor(), cpus=os.cpu_count(),
               forward_ops_per_image=ops or old.get('forward_ops_per_image'), paths=rows or old.get('paths'),
               learner_vs_plain=over or old.get('learner_vs_plain'), accuracy=acc or old.get('accuracy'))
    path = Path(a.out); path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix='.tmp'); os.close(fd)
    Path(tmp).write_text(json.dumps(out, indent=1)); os.replace(tmp, path)
    print(f"written to {path}")

if __name__ == '__main__': main()
