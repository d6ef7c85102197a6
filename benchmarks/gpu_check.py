"""The GPU check: mixed precision, channels_last, GPU batch augmentation, torch.compile, a resume and throughput
against a plain PyTorch loop, in one short run on a CUDA machine; writes JSON.

    bash benchmarks/gpu_check.sh            # or: python benchmarks/gpu_check.py [--out ...] [--allow-cpu --small]

Steps (each timed, each result in the JSON): (1) `train` FastNet 2 epochs with the default configuration
(mixed precision 'auto', channels_last) and the GPU batch augmentations (crop, flip, Cutout, AutoAugment),
the whole split on the GPU; (2) the same folder resumed to 3 epochs: the log must continue at epoch 3;
(3) one epoch with `compile=True` (compile time and the epoch after it); (4) the plain loop against the
Learner on the same batches. Without CUDA it stops with exit status 2 (`--allow-cpu --small` runs it on the
CPU on synthetic data, to check the script itself)."""
import argparse, csv, json, os, platform, statistics, sys, tempfile, time
from pathlib import Path
import torch, torch.nn.functional as F

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--out', default=str(Path(__file__).parent/'results'/'gpu_check.json'))
    p.add_argument('--allow-cpu', action='store_true'); p.add_argument('--small', action='store_true')
    a = p.parse_args()
    if not torch.cuda.is_available() and not a.allow_cpu:
        print("gpu_check: no CUDA device here; run it on a GPU machine (or --allow-cpu --small to check the script)"); return 2
    sys.path.insert(0, str(Path(__file__).parent))
    from train import plain_loop_device, batches
    from micronet_fa.data import load_cifar, synthetic_cifar, DataNotFoundError, cifar_dls
    from micronet_fa.train import train, TrainConfig, get_learner
    from micronet_fa.models import create_model
    import micronet_fa.fastnet  # noqa: registers fastnet
    dev = 'cuda' if torch.cuda.is_available() else 'cpu'
    try: arrays, source = (synthetic_cifar('cifar10', 1024, 256), 'synthetic') if a.small else (load_cifar('cifar10', download=False), 'cifar10')
    except DataNotFoundError: arrays, source = synthetic_cifar('cifar10', 10_000, 1000), 'synthetic'
    out = dict(benchmark='gpu_check', device=torch.cuda.get_device_name() if dev == 'cuda' else 'cpu', source=source,
               torch=torch.__version__, cuda=torch.version.cuda, machine=platform.machine(), steps={})
    bs = 64 if a.small else 512
    cfg = TrainConfig(epochs=2, bs=bs, lr=0.2, label_smoothing=0.2, cutout=(1, 8), autoaugment='cifar10', seed=0)
    with tempfile.TemporaryDirectory() as d:
        run = Path(d)/'run'
        t0 = time.perf_counter()
        r = train('fastnet', cfg, model_options=dict(width=64), out=run, arrays=arrays, line=True)
        learn = r['learn']
        mp = type(next((c for c in learn.cbs if 'Precision' in type(c).__name__), None)).__name__
        n_img = len(learn.dls.train.dataset)
        secs = [float(row['seconds']) for row in csv.DictReader(open(run/'log.csv'))]
        out['steps']['train'] = dict(seconds=round(time.perf_counter() - t0, 1), epoch_seconds=secs, accuracy=r['accuracy'],
                                     images_per_s_last_epoch=round(n_img / secs[-1], 1), mixed_precision=mp,
                                     channels_last=cfg.channels_last, batches_on=str(learn.dls.device))
        print('train', out['steps']['train'], flush=True)
        t0 = time.perf_counter()
        r2 = train('fastnet', cfg.replace(epochs=3), model_options=dict(width=64), out=run, arrays=arrays, line=True, resume=True)
        rows = list(csv.DictReader(open(run/'log.csv')))
        ok = [int(float(x['epoch'])) for x in rows] == [1, 2, 3]
        out['steps']['resume'] = dict(seconds=round(time.perf_counter() - t0, 1), epochs_in_log=len(rows), continued_at_epoch_3=ok,
                                      accuracy=r2['accuracy'])
        print('resume', out['steps']['resume'], flush=True)
        if not ok: print("gpu_check: the resumed log does not continue at epoch 3"); return 1
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        r = train('fastnet', cfg.replace(epochs=2, compile=True, autoaugment=None, cutout=None), model_options=dict(width=64),
                  out=Path(d)/'run', arrays=arrays, line=True)
        secs = [float(row['seconds']) for row in csv.DictReader(open(Path(d)/'run'/'log.csv'))]
        out['steps']['compile'] = dict(seconds=round(time.perf_counter() - t0, 1), epoch_seconds=secs,
                                       first_epoch_minus_second=round(secs[0] - secs[1], 1), accuracy=r['accuracy'])
        print('compile', out['steps']['compile'], flush=True)
    # plain loop against the Learner, same model, same batches, same precision and memory format
    dls = cifar_dls(arrays=arrays, bs=bs, seed=0, device=dev if dev == 'cuda' else None, n_valid=256)
    data = batches(dls.train, 22 if not a.small else 6)
    amp = torch.bfloat16 if (dev == 'cpu' or torch.cuda.is_bf16_supported()) else torch.float16
    res = {'plain': [], 'fastai': []}
    for _ in range(3):
        torch.manual_seed(0)
        res['plain'].append(plain_loop_device(create_model('fastnet', 10).to(dev).to(memory_format=torch.channels_last), data, 2, amp, dev))
        from train import fastai_loop
        torch.manual_seed(0)
        res['fastai'].append(fastai_loop(create_model('fastnet', 10).to(dev), dls, len(data) - 2, 2))
    med = {k: statistics.median(v) for k, v in res.items()}
    out['steps']['throughput'] = dict(images_per_s={k: round(v, 1) for k, v in med.items()}, runs=res,
                                      time_ratio_fastai_over_plain=round(med['plain'] / med['fastai'], 4))
    print('throughput', out['steps']['throughput'], flush=True)
    path = Path(a.out); path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix='.tmp'); os.close(fd)
    Path(tmp).write_text(json.dumps(out, indent=1)); os.replace(tmp, path)
    print(f"written to {path}")
    return 0

if __name__ == '__main__': sys.exit(main())
