"""Train a small MLP on scikit-learn's bundled handwritten digits with mixnet's autograd.

    python examples/train_digits.py [--epochs 30] [--hidden 64] [--lr 0.1]

Shows the loss going down and the validation accuracy going up (typically > 95%).
"""
import argparse
import time

import numpy as np
from sklearn.datasets import load_digits

import mixnet as mx
from mixnet import autograd, nd


def load_data(seed=0):
    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    y = digits.target.astype(np.float32)
    order = np.random.RandomState(seed).permutation(len(x))
    x, y = x[order], y[order]
    split = int(0.8 * len(x))
    return (x[:split], y[:split]), (x[split:], y[split:])


def init_params(n_in, n_hidden, n_out):
    mx.random.seed(42)
    params = [nd.random.normal(0, (2.0 / n_in) ** 0.5, shape=(n_in, n_hidden)),
              nd.zeros((n_hidden,)),
              nd.random.normal(0, (2.0 / n_hidden) ** 0.5, shape=(n_hidden, n_out)),
              nd.zeros((n_out,))]
    for p in params:
        p.attach_grad()
    return params


def forward(params, x):
    w1, b1, w2, b2 = params
    h = nd.relu(nd.dot(x, w1) + b1)
    return nd.dot(h, w2) + b2


def cross_entropy(logits, labels):
    return -nd.pick(nd.log_softmax(logits, axis=-1), labels, axis=-1).mean()


def accuracy(params, x, y):
    pred = nd.argmax(forward(params, nd.array(x)), axis=1).asnumpy()
    return float((pred == y).mean())


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.1)
    args = parser.parse_args()

    (x_train, y_train), (x_val, y_val) = load_data()
    params = init_params(x_train.shape[1], args.hidden, 10)
    print(f"digits: {len(x_train)} train / {len(x_val)} validation images of 8x8 pixels")
    start = time.time()
    for epoch in range(args.epochs):
        order = np.random.RandomState(epoch).permutation(len(x_train))
        total = 0.0
        for i in range(0, len(order), args.batch_size):
            idx = order[i:i + args.batch_size]
            x, y = nd.array(x_train[idx]), nd.array(y_train[idx])
            with autograd.record():
                loss = cross_entropy(forward(params, x), y)
            loss.backward()
            for p in params:
                nd.sgd_update(p, p.grad, lr=args.lr, out=p)
            total += loss.asscalar() * len(idx)
        if epoch % 5 == 4 or epoch == 0:
            print(f"epoch {epoch + 1:3d}  loss {total / len(x_train):.4f}  "
                  f"val accuracy {accuracy(params, x_val, y_val):.3f}")
    acc = accuracy(params, x_val, y_val)
    print(f"final validation accuracy {acc:.3f} ({time.time() - start:.1f}s)")
    return acc


if __name__ == "__main__":
    main()
