#!/usr/bin/env bash
# The GPU check (about 3-5 minutes on a CUDA machine): see benchmarks/gpu_check.py. Writes benchmarks/results/gpu_check.json.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python )}
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || { echo "gpu_check: no nvidia-smi: not a CUDA machine"; exit 2; }
exec timeout 300 "$PY" benchmarks/gpu_check.py "$@"
