"""Shared fixtures: small CIFAR archives in the official format, built by the tests themselves, and a private cache."""
import os, sys, subprocess
from pathlib import Path
import pytest
from micronet_fa.data import synthetic_cifar, write_python_archive

BIN = Path(sys.executable).parent

@pytest.fixture
def env(tmp_path):
    "Environment for command-line runs: a private data cache, one thread (deterministic and fast on 2 cores)."
    e = dict(os.environ, MICRONET_CACHE=str(tmp_path/'cache'), OMP_NUM_THREADS='1', PYTHONWARNINGS='ignore')
    e.pop('MICRONET_DATA', None)
    return e

@pytest.fixture
def data10(tmp_path):
    "A data folder holding a small CIFAR-10 python archive (official format)."
    d = tmp_path/'data10'
    write_python_archive(synthetic_cifar('cifar10', 256, 128, seed=0), d/'cifar-10-python.tar.gz')
    return d

@pytest.fixture
def data100(tmp_path):
    "A data folder holding a small CIFAR-100 python archive (official format)."
    d = tmp_path/'data100'
    write_python_archive(synthetic_cifar('cifar100', 400, 200, seed=0), d/'cifar-100-python.tar.gz')
    return d

def cli(*args, env=None, check=True, timeout=600):
    "Run `micronet-fa ARGS`; returns the CompletedProcess."
    r = subprocess.run([str(BIN/'micronet-fa'), *map(str, args)], capture_output=True, text=True, env=env, timeout=timeout)
    if check and r.returncode != 0:
        raise AssertionError(f"micronet-fa {' '.join(map(str, args))} exited {r.returncode}:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")
    return r
