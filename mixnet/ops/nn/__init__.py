"""Neural-network operators (one file per family); importing this registers them."""
from . import softmax, batch_norm, norms, activation, dropout, embedding, sequence, crop  # noqa: F401
from . import spatial, roi, correlation  # noqa: F401
from . import im2col, fully_connected, convolution, deconvolution, pooling, upsampling  # noqa: F401
from . import rnn, ctc  # noqa: F401
