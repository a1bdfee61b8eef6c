"""Random generators, one per context, seeded by ``mx.random.seed``.

Each generator is only used by ops running on the engine under that context's RNG
variable, so draws are ordered and reproducible.
"""
import threading

import numpy as np

__all__ = ["generator", "seed"]

_lock = threading.Lock()
_generators = {}
_global_seed = [None]


def _make(ctx, seed_state):
    if ctx.device_typeid == 2:
        import cupy
        # CuPy's RandomState takes one integer seed
        state = None if seed_state is None else \
            int(np.random.SeedSequence(seed_state).generate_state(1, np.uint64)[0] >> 1)
        with cupy.cuda.Device(ctx.device_id):
            return cupy.random.RandomState(state)
    return np.random.Generator(np.random.PCG64(seed_state))


def generator(ctx):
    """The random generator of ``ctx`` (created on first use)."""
    gen = _generators.get(ctx)
    if gen is None:
        with _lock:
            gen = _generators.get(ctx)
            if gen is None:
                base = _global_seed[0]
                state = None if base is None else _mix(base, ctx)
                gen = _generators[ctx] = _make(ctx, state)
    return gen


def _mix(seed_state, ctx):
    # NOTE: each device gets its own stream derived from the seed, as MXNet seeds
    # every device's generator from the one global seed.
    return [int(seed_state) & 0xFFFFFFFF, ctx.device_typeid, ctx.device_id]


def seed(seed_state, ctx="all"):
    """Reseed the generator of ``ctx`` (or every context when ``ctx == 'all'``)."""
    with _lock:
        if ctx == "all":
            _global_seed[0] = seed_state
            _generators.clear()
        else:
            _generators[ctx] = _make(ctx, _mix(seed_state, ctx))
