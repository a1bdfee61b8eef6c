"""Test-wide settings: MIXNET_TEST_CTX=gpu runs every test with gpu(0) as the default
context (MXNet's tests/python/gpu convention), for the device machine."""
import os

import pytest

import mixnet as mx


@pytest.fixture(autouse=True)
def _default_context():
    if os.environ.get("MIXNET_TEST_CTX", "cpu") != "gpu":
        yield
        return
    prev = mx.Context.default_ctx
    mx.Context.default_ctx = mx.gpu(0)
    try:
        yield
    finally:
        mx.Context.default_ctx = prev
