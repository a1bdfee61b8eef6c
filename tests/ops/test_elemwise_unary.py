import numpy as np

from .harness import Sample, parametrize, run_sample

SAMPLES = [
    Sample("negative", [(3, 4)], ref=lambda x: -x),
    Sample("abs", [(3, 4)], ref=np.abs),
    Sample("sign", [(3, 4)], ref=np.sign),
    Sample("exp", [(3, 4)], ref=np.exp),
    Sample("sigmoid", [(3, 4)], ref=lambda x: 1 / (1 + np.exp(-x))),
    Sample("relu", [(3, 4)], ref=lambda x: np.maximum(x, 0)),
    Sample("_copy", [(2, 3)], ref=lambda x: x.copy()),
    Sample("Cast", [(2, 3)], {"dtype": "float64"}, ref=lambda x, dtype: x.astype(dtype)),
]


@parametrize(SAMPLES)
def test_op(sample):
    run_sample(sample)
