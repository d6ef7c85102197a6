"""Launched twice by tests/test_distributed.py (one process per rank): a tiny run of `train` inside fastai's
Accelerate integration; each rank saves its final weights so the test can compare them."""
import sys, os, torch
from pathlib import Path
from micronet_fa.data import synthetic_cifar
from micronet_fa.train import train

out = Path(sys.argv[1])
rank = int(os.environ.get('RANK', 0))
if rank == 0:
    from micronet_fa.models import create_model
    torch.manual_seed(0)
    torch.save(create_model('densenet_nano').state_dict(), out/'init.pth')   # the weights train() starts from (seed 0)
r = train('densenet_nano', epochs=1, bs=32, arrays=synthetic_cifar('cifar10', 256, 64, seed=0), out=out/'run',
          mixup=0.2, seed=0, line=False)
torch.save({k: v.cpu() for k, v in r['learn'].model.state_dict().items()}, out/f'rank{rank}.pth')
