"""Count every classification model torchvision ships (and timm's small ones, when timm is installed).

For each model: counted under the `micronet` rules, or refused (with the op no rule covers); the multiplications
of its convolutions and matrix products against PyTorch's `FlopCounterMode` (which counts 2 FLOPs per
multiply-accumulate; attention's fused kernel is left out of both sides, since our attention rule also counts
its scaling and softmax); and the seconds the count took. Two things make the product counts differ from
FlopCounterMode's for reasons that are right, so the comparison allows for them: a weight matrix that is all
zeros costs no multiplications under the sparsity rule (torchvision zero-initialises the ViT head), so such
matrices are re-initialised with random values first; and a product of constants (Swin-v2's relative-position
MLP) is folded before inference, so the multiply-accumulates the counter reports as done once (in the row's
rule text) are added back before comparing. CNNs at 32x32, the vision transformers (ViT, Swin,
MaxViT) at 224x224, and the few CNNs that cannot run on a 32x32 image at the smallest size they take.

    python benchmarks/count_zoo.py [--timm] [--only resnet18 vit_b_16]

Prints a markdown table and writes benchmarks/results/count_zoo.json (atomically). Not a test.
"""
from __future__ import annotations
import argparse, json, platform, re, statistics, time, warnings
from pathlib import Path

import torch
from torch.utils.flop_counter import FlopCounterMode

from micronet_fa.core import atomic_write
from micronet_fa.score import count, CountError

warnings.filterwarnings('ignore')
SIZES = {'alexnet': 64, 'inception_v3': 75, 'googlenet': 32}
TIMM = ['resnet18', 'mobilenetv3_small_050', 'mobilenetv2_050', 'efficientnet_b0', 'mixnet_s', 'regnetx_002',
        'convnext_atto', 'vit_tiny_patch16_224', 'deit_tiny_patch16_224']
PRODUCTS = ('conv2d', 'conv_transpose2d', 'linear', 'matmul')


def size_of(name):
    if any(k in name for k in ('vit', 'swin', 'maxvit', 'deit')): return 224
    return SIZES.get(name, 32)


def flop_macs(model, size):
    "Multiply-accumulates of convolutions and matrix products, by FlopCounterMode (fused attention left out)."
    fast = torch.backends.mha.get_fastpath_enabled()
    torch.backends.mha.set_fastpath_enabled(False)
    try:
        with torch.no_grad(), FlopCounterMode(display=False) as fc: model(torch.randn(1, 3, size, size))
    finally: torch.backends.mha.set_fastpath_enabled(fast)
    return sum(v for k, v in fc.get_flop_counts()['Global'].items() if 'attention' not in str(k)) // 2


FOLDED = re.compile(r'\(([\d,]+) multiply-accumulates done once')


def unzero(model):
    "Re-initialise every all-zero weight matrix (a zero-initialised head would cost nothing under the sparsity rule)."
    with torch.no_grad():
        for p in model.parameters():
            if p.dim() >= 2 and not p.any(): p.normal_(0, 0.02)


def folded_macs(table):
    "Multiply-accumulates of constant products, folded before inference (parsed from the rows' rule text)."
    return sum(int(m.group(1).replace(',', '')) for r in table.rule if (m := FOLDED.search(str(r))))


def one(name, model):
    size = size_of(name)
    model.eval()
    unzero(model)
    t0 = time.perf_counter()
    try: c = count(model, (1, 3, size, size), rules='micronet')
    except CountError as e:
        return dict(model=name, size=size, status='refused', reason=str(e)[:160], seconds=round(time.perf_counter() - t0, 3))
    secs = time.perf_counter() - t0
    t = c.table
    folded = folded_macs(t)
    mine = int(t[t.op.isin(PRODUCTS) & t.counted].mults.sum()) + folded
    ref = flop_macs(model, size)
    # a counted row that costs nothing and whose rule does not say why (a one-value pooling window says so)
    silent = int(((t.counted) & (t.mults + t.adds + t.other == 0) & (t.params == 0) & ~t.rule.str.contains('no comparison')).sum())
    return dict(model=name, size=size, status='counted', params=float(c.totals['params']), mults=c.totals['mults'],
                adds=c.totals['adds'], product_mults=mine, folded_macs=folded, flopcounter_macs=ref, agree=mine == ref,
                silent_zero_rows=silent, seconds=round(secs, 3))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--timm', action='store_true', help="also timm's small models (needs timm)")
    ap.add_argument('--only', nargs='*', default=None, help='only these models')
    ap.add_argument('--out', default=str(Path(__file__).parent/'results'/'count_zoo.json'))
    a = ap.parse_args()
    torch.set_num_threads(2)
    import torchvision
    names = [('torchvision', n) for n in torchvision.models.list_models(module=torchvision.models)]
    if a.timm:
        import timm
        names += [('timm', n) for n in TIMM]
    rows = []
    for src, n in names:
        if a.only and n not in a.only: continue
        m = (torchvision.models.get_model(n, weights=None, num_classes=10) if src == 'torchvision'
             else __import__('timm').create_model(n, pretrained=False, num_classes=10))
        r = dict(source=src, **one(n, m)); rows.append(r); del m
        print(f"{src}:{n:28s} {r['status']:8s} {r.get('mults', ''):>14} {'agree' if r.get('agree') else r.get('reason', 'DIFFER')} "
              f"{r['seconds']:.2f}s", flush=True)
    counted = [r for r in rows if r['status'] == 'counted']
    summary = dict(models=len(rows), counted=len(counted), refused=len(rows) - len(counted),
                   mults_agree=sum(r['agree'] for r in counted), silent_zero_rows=sum(r['silent_zero_rows'] for r in counted),
                   median_seconds=statistics.median(r['seconds'] for r in rows) if rows else None,
                   host=platform.processor() or platform.machine(), torch=torch.__version__)
    print('\n| model | size | status | params | mults | adds | product mults (+ folded) = FlopCounterMode MACs | s |\n|---|---|---|---|---|---|---|---|')
    for r in rows:
        if r['status'] == 'counted':
            print(f"| {r['source']}:{r['model']} | {r['size']} | counted | {r['params']:,.0f} | {r['mults']:,} | {r['adds']:,} | "
                  f"{('yes (incl. %s folded)' % format(r['folded_macs'], ',')) if r['agree'] and r['folded_macs'] else 'yes' if r['agree'] else 'NO: %s vs %s' % (r['product_mults'], r['flopcounter_macs'])} | {r['seconds']:.2f} |")
        else: print(f"| {r['source']}:{r['model']} | {r['size']} | refused: {r['reason']} | | | | | {r['seconds']:.2f} |")
    print(f"\n{summary}")
    atomic_write(a.out, lambda p: Path(p).write_text(json.dumps(dict(summary=summary, rows=rows), indent=1)))


if __name__ == '__main__': main()
