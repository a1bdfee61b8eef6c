"""Every MXNET_* environment variable mixnet reads, with its default and meaning.

Nothing else in the package reads ``os.environ`` for MXNet settings: add new ones here.
Values are read when asked for (``get``), so tests can change them with
``mx.test_utils.environment``.
"""
import os

__all__ = ["get", "VARIABLES"]

# name -> (default, type, one-line doc)
VARIABLES = {
    "MXNET_ENGINE_TYPE": ("ThreadedEngine", str,
                          "ThreadedEngine (default, asynchronous) or NaiveEngine (synchronous)."),
    "MXNET_CPU_WORKER_NTHREADS": (2, int,
                                  "Worker threads per CPU device in the threaded engine."),
    "MXNET_GPU_WORKER_NTHREADS": (2, int, "Worker threads per GPU device."),
    "MXNET_ENGINE_INLINE_SIZE": (65536, int,
                                 "Ops touching fewer elements than this run on the pushing "
                                 "thread when their inputs are ready (saves a thread hand-off)."),
    "MXNET_ENGINE_MAX_PENDING": (128, int,
                                 "Pending ops after which pushing waits (bounds memory)."),
    "MXNET_OPTIMIZER_AGGREGATION_SIZE": (None, int,
                                         "Weights per aggregated optimizer update."),
    "MXNET_EXEC_BULK_EXEC_TRAIN": (1, int, "Bulk execution of ops in training (accepted)."),
    "MXNET_EXEC_BULK_EXEC_MAX_NODE_TRAIN": (15, int, "Max nodes in one bulk segment."),
    "MXNET_TEST_SEED": (None, int, "Seed used by the test helpers' with_seed()."),
    "MXNET_MODULE_SEED": (None, int, "Module-level seed for the test helpers."),
    "MXNET_TEST_COUNT": (None, int, "Repeat count for tests that honour it."),
    "MXNET_KVSTORE_BIGARRAY_BOUND": (1000000, int,
                                     "Arrays larger than this are split across servers."),
    "MXNET_ELIMINATE_COMMON_EXPR": (1, int, "Merge duplicate subexpressions when binding."),
    "MXNET_BACKWARD_DO_MIRROR": (0, int, "Recompute cheap nodes in backward (memonger)."),
    "MXNET_ENFORCE_DETERMINISM": (0, int, "Prefer deterministic kernels."),
    "MXNET_SAFE_ACCUMULATION": (0, int, "Accumulate float16 reductions in float32."),
    "MXNET_STORAGE_FALLBACK_LOG_VERBOSE": (1, int, "Log sparse storage fallbacks."),
    "MXNET_UPDATE_ON_KVSTORE": (1, int, "Run optimizer updates inside the kvstore."),
    "MXNET_UPDATE_AGGREGATION_SIZE": (16, int, "Max parameters aggregated in one update."),
    "MXNET_HOME": (os.path.join("~", ".mxnet"), str, "Data and model cache folder."),
}


def get(name):
    """Return the current value of MXNet environment variable ``name`` (typed)."""
    default, typ, _ = VARIABLES[name]
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return typ(raw)
    except ValueError as err:
        raise ValueError(f"environment variable {name}={raw!r} is not a valid {typ.__name__}") from err
