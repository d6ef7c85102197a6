"""fastai Learner against a plain PyTorch loop: same model, data, optimiser and MixUp, timed in one run.

    python benchmarks/train.py [--model densenet_nano] [--bs 128] [--batches 30] [--compile] [--threads N]
                               [--out benchmarks/results/train.json]

Both sides train `--batches` batches from the same `cifar_dls` training loader (real CIFAR-10 when found, else
synthetic images), with Nesterov SGD, MixUp (alpha 0.4) and channels_last, after a warm-up of a few batches
(with `--compile`, after compiling both). The plain loop does by hand what the Learner's callbacks do: MixUp
(Beta-sampled lambda, shuffled partner, mixed loss) and the optimiser step. Prints images/second for each and
the Learner's time over the plain loop's (goal: at most 1.05), and writes JSON."""
import argparse, json, os, platform, time, tempfile
from pathlib import Path
import torch, torch.nn.functional as F

def plain_loop(model, dl, batches, lr, warmup):
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, nesterov=True, weight_decay=5e-4)
    beta = torch.distributions.Beta(torch.tensor(0.4), torch.tensor(0.4))
    model.train()
    n = done = 0; t0 = None
    while done < batches + warmup:
        for x, y in dl:
            if done == warmup: t0 = time.perf_counter(); n = 0
            x, y = x.as_subclass(torch.Tensor), y.as_subclass(torch.Tensor)
            lam = beta.sample((len(y),)); lam = torch.max(lam, 1 - lam)
            perm = torch.randperm(len(y))
            xm = torch.lerp(x[perm], x, lam.view(-1, 1, 1, 1))
            out = model(xm)
            loss = torch.lerp(F.cross_entropy(out, y[perm], reduction='none'), F.cross_entropy(out, y, reduction='none'), lam).mean()
            opt.zero_grad(); loss.backward(); opt.step()
            n += len(y); done += 1
            if done == batches + warmup: break
    return n / (time.perf_counter() - t0)

def fastai_loop(model, dls, batches, lr, warmup):
    from fastai.callback.core import Callback, CancelFitException
    from micronet_fa.train import get_learner
    class Timer(Callback):
        order = 100
        def before_fit(self): self.done, self.n, self.t0 = 0, 0, None
        def before_batch(self):
            if self.training and self.done == warmup: self.t0, self.n = time.perf_counter(), 0
        def after_batch(self):
            if not self.training: return
            self.done += 1; self.n += len(self.learn.yb[0])
            if self.done == batches + warmup: self.dt = time.perf_counter() - self.t0; raise CancelFitException()
    t = Timer()
    learn = get_learner(model, dls, lr=lr, mixup=0.4, channels_last=True, line=True, cbs=[t])
    learn.fit(1000, lr=lr)
    return t.n / t.dt

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--model', default='densenet_nano'); p.add_argument('--bs', type=int, default=128)
    p.add_argument('--batches', type=int, default=30); p.add_argument('--warmup', type=int, default=5)
    p.add_argument('--compile', action='store_true'); p.add_argument('--threads', type=int, default=None)
    p.add_argument('--repeats', type=int, default=2, help='alternate the two loops this many times each')
    p.add_argument('--out', default=str(Path(__file__).parent/'results'/'train.json'))
    a = p.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    from micronet_fa.data import cifar_dls, load_cifar, synthetic_cifar, DataNotFoundError
    from micronet_fa.models import create_model
    try: arrays, source = load_cifar('cifar10', download=False), 'cifar10'
    except DataNotFoundError: arrays, source = synthetic_cifar('cifar10', 10_000, 256), 'synthetic'
    dls = cifar_dls(arrays=arrays, bs=a.bs, seed=0, n_train=a.bs*(a.batches + a.warmup + 2), n_valid=256)
    def make():
        torch.manual_seed(0)
        m = create_model(a.model, 10).to(memory_format=torch.channels_last)
        return torch.compile(m) if a.compile else m
    res = {'fastai': [], 'plain': []}
    for r in range(a.repeats):
        for name in ('plain', 'fastai'):
            m = make()
            t0 = time.perf_counter()
            ips = (plain_loop(m, dls.train, a.batches, 0.05, a.warmup) if name == 'plain'
                   else fastai_loop(m, dls, a.batches, 0.05, a.warmup))
            res[name].append(ips)
            print(f"{name:7s} {'compiled' if a.compile else 'eager':8s} {ips:8.1f} img/s  (run {r+1}, {time.perf_counter()-t0:.0f} s with warm-up)", flush=True)
    best = {k: max(v) for k, v in res.items()}
    ratio = best['plain'] / best['fastai']
    print(f"fastai Learner time / plain loop time = {ratio:.3f} (best of {a.repeats} each; goal <= 1.05)")
    out = dict(benchmark='train', model=a.model, bs=a.bs, batches=a.batches, compiled=a.compile, source=source,
               threads=torch.get_num_threads(), torch=torch.__version__, machine=platform.machine(), cpus=os.cpu_count(),
               images_per_s=res, best=best, time_ratio_fastai_over_plain=round(ratio, 4))
    path = Path(a.out)
    if a.compile: path = path.with_name(path.stem + '_compiled' + path.suffix)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix='.tmp'); os.close(fd)
    Path(tmp).write_text(json.dumps(out, indent=1)); os.replace(tmp, path)
    print(f"written to {path}")

if __name__ == '__main__': main()
