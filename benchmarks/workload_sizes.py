"""Workload sizes, shared by every worker so all frameworks do exactly the same work."""

DISPATCH_OPS = 20000  # dispatch_add: tiny adds per timing
CHAIN_SIZE = (1000, 1000)  # chain20: array shape
CHAIN_REPS = 5  # chain20: 20-op chains per timing
MLP_BATCH, MLP_IN, MLP_HIDDEN, MLP_OUT = 128, 784, 256, 10  # mlp_autograd
MLP_ITERS = 20  # mlp_autograd: training steps per timing
MATMUL_N = 2000  # engine_parallel: two N x N matmuls per timing
# module_mlp / module_lenet: Module-style training on random data (MODULE_SAMPLES examples)
MODULE_SAMPLES, MODULE_CLASSES = 4096, 10
MODULE_MLP_LAYERS = (784, 512, 256, 10)  # module_mlp: relu MLP
MODULE_MLP_BATCH, MODULE_MLP_ITERS = 128, 64  # batches timed per measurement (2 epochs)
MODULE_LENET_SHAPE = (1, 28, 28)  # module_lenet: one input image (C, H, W)
MODULE_LENET_BATCH, MODULE_LENET_ITERS = 64, 32
MODULE_LR, MODULE_MOMENTUM = 0.01, 0.9  # SGD
MODULE_WARMUP = 3  # untimed batches before each measurement
# a measurement stops early (after at least MODULE_MIN_ITERS batches) once its timed loop has
# run MODULE_MAX_SECONDS, so a slow or contended machine stays within ~20 s per column
MODULE_MIN_ITERS, MODULE_MAX_SECONDS = 4, 2.5
