"""The repository keeps its promises: README in sync with its notebook, CI running the README's command, modules exported."""
import filecmp, re, shutil, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

def test_readme_is_written_from_index():
    r = subprocess.run([sys.executable, str(ROOT/'tools'/'readme.py'), '--check'], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout

def test_quick_start_is_two_commands_and_ci_runs_the_test_one():
    text = (ROOT/'README.md').read_text()
    qs = text.split('## Quick start', 1)[1].split('\n## ', 1)[0]
    blocks = [b.strip() for b in re.findall(r"```sh\n(.*?)\n```", qs, re.S)]
    assert len(blocks) == 2 and all('\n' not in b for b in blocks), blocks
    main, tests = blocks
    assert main.startswith('bash setup.sh && ') and 'micronet-fa' in main
    assert tests.startswith('bash setup.sh && ') and 'nbdev-test' in tests and 'pytest' in tests
    assert 'README.md' in (ROOT/'.ci'/'run').read_text()

def test_modules_are_exported_from_the_notebooks(tmp_path):
    "Every module has its notebook, and running `nbdev-export` on a copy of the notebooks gives exactly the modules here."
    nbs = {p.stem.split('_', 1)[1] for p in (ROOT/'nbs').glob('[0-9][0-9]*_*.ipynb')}
    mods = {p.stem for p in (ROOT/'micronet_fa').glob('*.py')} - {'__init__', '_modidx'}
    assert mods <= nbs, mods - nbs
    for d in ('nbs', 'micronet_fa'): shutil.copytree(ROOT/d, tmp_path/d, ignore=shutil.ignore_patterns('__pycache__', '_runs', 'runs'))
    shutil.copy(ROOT/'pyproject.toml', tmp_path)
    for p in (tmp_path/'micronet_fa').glob('*.py'):
        if p.name != '__init__.py': p.unlink()               # exported afresh from the notebooks
    r = subprocess.run([str(Path(sys.executable).parent/'nbdev-export')], cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    for p in sorted((ROOT/'micronet_fa').glob('*.py')):
        assert (tmp_path/'micronet_fa'/p.name).exists(), f"{p.name} is not exported by any notebook"
        assert filecmp.cmp(p, tmp_path/'micronet_fa'/p.name, shallow=False), \
            f"micronet_fa/{p.name} differs from what nbdev-export writes from the notebooks: run nbdev-export and commit both"

def _run_nbs():
    import importlib.util
    spec = importlib.util.spec_from_file_location('run_nbs', ROOT/'tools'/'run_nbs.py')
    mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
    return mod

def test_notebooks_are_committed_with_current_outputs():
    "Every notebook's stored outputs come from a run of its current code (tools/run_nbs.py stamps them when it runs one)."
    bad = [p for nb in sorted((ROOT/'nbs').glob('[0-9i]*.ipynb')) for p in _run_nbs().problems(nb)]
    assert not bad, '\n'.join(bad)

def test_the_outputs_check_sees_stale_and_missing_outputs(tmp_path):
    import json
    rn, src = _run_nbs(), ROOT/'nbs'/'01e_googlenet.ipynb'
    nb = json.loads(src.read_text())
    code = [c for c in nb['cells'] if c['cell_type'] == 'code']
    p = tmp_path/src.name
    p.write_text(json.dumps(nb)); assert rn.problems(p) == []
    code[-1]['source'] = ''.join(code[-1]['source']) + '\n1 + 1'                   # the code changed after the run
    p.write_text(json.dumps(nb)); assert 'its code changed after its outputs were made' in rn.problems(p)[0]
    nb = json.loads(src.read_text())
    for c in nb['cells']: c['outputs'] = [] if c['cell_type'] == 'code' else c.get('outputs')
    p.write_text(json.dumps(nb)); assert 'that produced output have none now' in rn.problems(p)[0]
    del nb['metadata']['micronet_fa']
    p.write_text(json.dumps(nb)); assert 'no stored outputs' in rn.problems(p)[0]
