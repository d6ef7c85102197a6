#!/usr/bin/env python
"""Run the notebooks top to bottom and keep their outputs, stamped so that a test can tell they are current.

    python tools/run_nbs.py [NB ...] [--small]   # run (default: every nbs/*.ipynb), keep the outputs, stamp
    python tools/run_nbs.py --check [NB ...]     # exit 1 naming each notebook whose outputs are missing or stale

The notebooks are the documentation, so they are committed with their outputs, as fastai's are. Each runs in a fresh
process as `nbdev-test` runs it (execnb's shell, in nbs/, the cells flagged `slow` or `notest` left out), but with
`IN_TEST` unset: the recipe notebooks then take their real-data path where the data is here (`SMALL` is
True only under `nbdev-test` or when the dataset is absent). `--small` sets `IN_TEST=1`, the path
`nbdev-test` takes. A notebook that raises is left as it was.

The stamp (notebook metadata `micronet_fa.outputs`) holds the SHA-256 of the notebook's code cells as they
ran, the ids of the cells that produced output, and how the run went (date, seconds, small or real, torch).
`--check` (and tests/test_repo.py) fails when a notebook has no stamp, when its code changed after its
outputs were made (the exported module included: it is the exported cells), or when a cell that produced
output has lost it. Afterwards run `nbdev-clean` (it keeps the outputs and the stamp)."""
import hashlib, json, os, platform, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NBS = ROOT/'nbs'
SKIP = {'slow', 'notest'}          # pyproject's tst_flags: what nbdev-test leaves out

def directives(src: str) -> dict:
    "The `#| key: value` lines at the top of a cell."
    out = {}
    for line in src.splitlines():
        if not line.startswith('#|'):
            if line.strip(): break
            continue
        body = line[2:].strip()
        key, _, val = body.partition(':') if ':' in body else (body.split(' ')[0], '', ' '.join(body.split(' ')[1:]))
        out[key.strip()] = val.strip()
    return out

def skipped(cell) -> bool:
    if cell['cell_type'] != 'code': return True
    d = directives(''.join(cell['source']))
    return bool(SKIP & set(d)) or d.get('eval', '').lower() == 'false'

def code_hash(nb: dict) -> str:
    "SHA-256 of the code cells' sources, in order (a change of any, exported or not, makes the outputs stale)."
    h = hashlib.sha256()
    for c in nb['cells']:
        if c['cell_type'] == 'code': h.update(''.join(c['source']).encode() + b'\0')
    return h.hexdigest()

def problems(path: Path) -> list:
    "What is wrong with the stored outputs of the notebook at `path` (empty: they are current)."
    nb = json.loads(Path(path).read_text())
    st = nb.get('metadata', {}).get('micronet_fa', {}).get('outputs')
    run = f"run `python tools/run_nbs.py nbs/{Path(path).name}`"
    if not st: return [f"{Path(path).name}: no stored outputs (no run stamp): {run}"]
    out = []
    if st.get('code_sha256') != code_hash(nb):
        out.append(f"{Path(path).name}: its code changed after its outputs were made ({st.get('ran')}): {run}")
    have = {c.get('id') for c in nb['cells'] if c['cell_type'] == 'code' and c.get('outputs')}
    lost = [i for i in st.get('cells_with_output', []) if i not in have]
    if lost: out.append(f"{Path(path).name}: {len(lost)} cell(s) that produced output have none now (first: id {lost[0]}): {run}")
    if not st.get('cells_with_output') and any(not skipped(c) for c in nb['cells']):
        out.append(f"{Path(path).name}: the stamp records no cell with output: {run}")
    return out

def run_one(path: Path, small: bool) -> bool:
    from fastcore.nbio import read_nb, write_nb
    from execnb.shell import CaptureShell
    nb = read_nb(path)
    for c in nb.cells:                       # outputs of cells left out are cleared, so none is older than the run
        if c.cell_type == 'code' and skipped(c): c.outputs, c.execution_count = [], None
    prev = os.environ.get('IN_TEST')
    if small: os.environ['IN_TEST'] = '1'
    else: os.environ.pop('IN_TEST', None)
    cwd, t0 = os.getcwd(), time.time()
    try:
        os.chdir(path.parent)
        sh = CaptureShell(path)
        sh.run_all(nb, exc_stop=True, preproc=skipped)
    except BaseException as e:
        print(f"{path.name}: FAILED ({type(e).__name__}: {str(e)[:300]}); left as it was", file=sys.stderr)
        return False
    finally:
        os.chdir(cwd)
        if prev is None: os.environ.pop('IN_TEST', None)
        else: os.environ['IN_TEST'] = prev
    import torch
    raw = json.loads(Path(path).read_text())              # the hash of what ran: the file's code cells, unchanged by the run
    nb.metadata.setdefault('micronet_fa', {})['outputs'] = dict(
        code_sha256=code_hash(raw), cells_with_output=[c.id for c in nb.cells if c.cell_type == 'code' and c.get('outputs')],
        ran=time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime()), seconds=round(time.time() - t0, 1), small=small,
        torch=torch.__version__, machine=f"{platform.machine()}, {os.cpu_count()} cpus")
    tmp = path.with_name(f'.{path.name}.tmp')
    write_nb(nb, tmp); os.replace(tmp, path)
    print(f"{path.name}: {time.time() - t0:.0f} s, {len(nb.metadata['micronet_fa']['outputs']['cells_with_output'])} cells with output")
    return True

def main(argv):
    check, small = '--check' in argv, '--small' in argv
    paths = [Path(a).resolve() for a in argv if not a.startswith('--')] or sorted(NBS.glob('[0-9i]*.ipynb'))
    if check:
        bad = [p for path in paths for p in problems(path)]
        print('\n'.join(bad) if bad else f"{len(paths)} notebooks: outputs current")
        return 1 if bad else 0
    if '--one' in argv: return 0 if run_one(paths[0], small) else 1
    import subprocess                         # each notebook in a fresh process, as "Restart & Run All" would
    ok = [subprocess.run([sys.executable, __file__, '--one', str(p)] + (['--small'] if small else [])).returncode == 0 for p in paths]
    return 0 if all(ok) else 1

if __name__ == '__main__': sys.exit(main(sys.argv[1:]))
