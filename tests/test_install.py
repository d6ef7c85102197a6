"""Installed as a user installs it: the wheel, without extras, in a fresh virtual environment."""
import os, subprocess, sys, venv
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]

def _run(*args, **kw):
    r = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=900, **kw)
    assert r.returncode == 0, f"{' '.join(map(str, args))} exited {r.returncode}:\n{r.stdout[-2000:]}\n{r.stderr[-3000:]}"
    return r

def test_the_wheel_works_without_extras(tmp_path):
    import torch, torchvision
    _run(sys.executable, '-m', 'pip', 'wheel', '-q', '--no-deps', '--no-build-isolation', ROOT, '-w', tmp_path/'wheel')
    wheel = next((tmp_path/'wheel').glob('micronet_fa-*.whl'))
    venv.create(tmp_path/'env', with_pip=True)
    py, bin_ = tmp_path/'env'/'bin'/'python', tmp_path/'env'/'bin'
    pins = [f"torch=={torch.__version__.split('+')[0]}", f"torchvision=={torchvision.__version__.split('+')[0]}"]
    _run(py, '-m', 'pip', 'install', '-q', *pins)                      # torch first, as the README says
    _run(py, '-m', 'pip', 'install', '-q', wheel)                      # then the wheel, no extras
    extras = _run(py, '-c', "import importlib.util as u; print([m for m in ('torchao', 'accelerate', 'timm', 'nbdev', 'pytest') if u.find_spec(m)])")
    assert extras.stdout.strip() == '[]', extras.stdout                # really without the optional extras
    env = dict(os.environ, MICRONET_CACHE=str(tmp_path/'cache'), PYTHONWARNINGS='ignore')
    _run(py, '-c', 'import micronet_fa, micronet_fa.train, micronet_fa.recipes, micronet_fa.cli', cwd=tmp_path, env=env)
    r = _run(bin_/'micronet-fa', 'models', cwd=tmp_path, env=env)
    assert 'densenet_nano' in r.stdout and 'mobilenet_v2' in r.stdout
    r = _run(bin_/'micronet-fa', 'score', 'densenet_nano', cwd=tmp_path, env=env)
    assert 'score 0.03784' in r.stdout, r.stdout
    r = subprocess.run([str(bin_/'micronet-fa'), 'score', 'timm:resnet18'], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert r.returncode == 2 and "pip install 'micronet_fa[timm]'" in r.stderr and 'Traceback' not in r.stderr, r.stderr
