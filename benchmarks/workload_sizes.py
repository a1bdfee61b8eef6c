"""Workload sizes, shared by every worker so all frameworks do exactly the same work."""

DISPATCH_OPS = 20000  # dispatch_add: tiny adds per timing
CHAIN_SIZE = (1000, 1000)  # chain20: array shape
CHAIN_REPS = 5  # chain20: 20-op chains per timing
MLP_BATCH, MLP_IN, MLP_HIDDEN, MLP_OUT = 128, 784, 256, 10  # mlp_autograd
MLP_ITERS = 20  # mlp_autograd: training steps per timing
MATMUL_N = 2000  # engine_parallel: two N x N matmuls per timing
