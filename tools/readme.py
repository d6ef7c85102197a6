#!/usr/bin/env python
"""Write README.md from nbs/index.ipynb (nbdev's own `nbdev-readme` needs Quarto, which these machines lack).

    python tools/readme.py          # write README.md
    python tools/readme.py --check  # exit 1 if README.md is not what index.ipynb says

Markdown cells are copied (links relative to nbs/, `](../x)`, made relative to the root); code cells become ```python blocks followed by their text output; cells marked
`#| hide` are left out."""
import json, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

def render(nb_path=ROOT/'nbs'/'index.ipynb') -> str:
    nb = json.loads(Path(nb_path).read_text())
    parts = []
    for c in nb['cells']:
        src = ''.join(c['source']).rstrip()
        if c['cell_type'] == 'markdown': parts.append(src.replace('](../', '](')); continue   # links from nbs/ -> from the root
        lines = src.splitlines()
        if any(l.strip() in ('#| hide', '#|hide') for l in lines): continue
        code = '\n'.join(l for l in lines if not l.startswith('#|')).strip()
        if code: parts.append(f"```python\n{code}\n```")
        out = ''
        for o in c.get('outputs', []):
            if o.get('output_type') == 'stream': out += ''.join(o['text'])
            elif 'text/plain' in o.get('data', {}): out += ''.join(o['data']['text/plain']) + '\n'
        if out.strip(): parts.append(f"```\n{out.rstrip()}\n```")
    return '\n\n'.join(parts) + '\n'

if __name__ == '__main__':
    text, readme = render(), ROOT/'README.md'
    if '--check' in sys.argv:
        ok = readme.exists() and readme.read_text() == text
        if not ok: print("README.md is out of date with nbs/index.ipynb: run `python tools/readme.py`")
        sys.exit(0 if ok else 1)
    readme.write_text(text)
