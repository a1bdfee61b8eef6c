#!/usr/bin/env bash
# GPU check for the device machine: the GPU smoke tests, then the op harness with
# gpu(0) as the default context (MXNet's tests/python/gpu convention).
set -u
cd "$(dirname "$0")/../.."
python3 -c "import cupy; print('cupy', cupy.__version__)" || exit 1
timeout 120 python3 -m pytest tests/gpu -q -p no:cacheprovider -x 2>&1 | tail -15
MIXNET_TEST_CTX=gpu timeout 300 python3 -m pytest tests/ops -q -p no:cacheprovider \
  --deselect tests/ops/test_registry_complete.py 2>&1 | tail -15
