"""Train a LeNet-style CNN with the symbolic API (Symbol + Module.fit) on digits.

    python examples/train_lenet.py [--epochs 15] [--prefix lenet]

scikit-learn's bundled 8x8 handwritten digits are upsampled to 16x16; the script logs
progress per epoch, reports validation accuracy (typically >= 97%) and writes an MXNet
checkpoint (``<prefix>-symbol.json`` + ``<prefix>-NNNN.params``) that MXNet 1.x loads.
"""
import argparse
import logging

import numpy as np
from sklearn.datasets import load_digits

import mixnet as mx


def load_data(seed=0):
    digits = load_digits()
    images = np.kron(digits.images, np.ones((2, 2))) / 16.0      # 8x8 -> 16x16
    x = images[:, None, :, :].astype(np.float32)
    y = digits.target.astype(np.float32)
    order = np.random.RandomState(seed).permutation(len(x))
    split = int(0.8 * len(x))
    return (x[order[:split]], y[order[:split]]), (x[order[split:]], y[order[split:]])


def lenet(num_classes=10):
    data = mx.sym.Variable("data")
    net = mx.sym.Convolution(data, kernel=(5, 5), num_filter=20, name="conv1")
    net = mx.sym.Activation(net, act_type="relu", name="relu1")
    net = mx.sym.Pooling(net, kernel=(2, 2), stride=(2, 2), pool_type="max", name="pool1")
    net = mx.sym.Convolution(net, kernel=(3, 3), num_filter=50, name="conv2")
    net = mx.sym.Activation(net, act_type="relu", name="relu2")
    net = mx.sym.Pooling(net, kernel=(2, 2), stride=(2, 2), pool_type="max", name="pool2")
    net = mx.sym.Flatten(net, name="flatten")
    net = mx.sym.FullyConnected(net, num_hidden=128, name="fc1")
    net = mx.sym.Activation(net, act_type="relu", name="relu3")
    net = mx.sym.FullyConnected(net, num_hidden=num_classes, name="fc2")
    return mx.sym.SoftmaxOutput(net, name="softmax")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--prefix", default="lenet")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    (x_train, y_train), (x_val, y_val) = load_data()
    train = mx.io.NDArrayIter(x_train, y_train, args.batch_size, shuffle=True)
    val = mx.io.NDArrayIter(x_val, y_val, args.batch_size)
    mx.random.seed(1)
    mod = mx.mod.Module(lenet(), context=mx.cpu())
    mod.fit(train, eval_data=val, num_epoch=args.epochs, optimizer="sgd",
            optimizer_params={"learning_rate": args.lr, "momentum": 0.9, "wd": 1e-4},
            initializer=mx.init.Xavier(magnitude=2.0), eval_metric="acc",
            batch_end_callback=mx.callback.Speedometer(args.batch_size, 20),
            epoch_end_callback=mx.callback.do_checkpoint(args.prefix, args.epochs))
    acc = mod.score(val, "acc")[0][1]
    print(f"final validation accuracy {acc:.4f}; checkpoint {args.prefix}-symbol.json, "
          f"{args.prefix}-{args.epochs:04d}.params")
    return acc


if __name__ == "__main__":
    main()
