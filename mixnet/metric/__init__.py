"""``mx.metric``: online evaluation metrics (EvalMetric and its registry), as in MXNet 1.x."""
from .base import (EvalMetric, CompositeEvalMetric, CustomMetric, register, alias, create,
                   check_label_shapes, np)
from .classification import Accuracy, TopKAccuracy, F1, MCC, PCC
from .regression import MAE, MSE, RMSE, PearsonCorrelation
from .loss import Perplexity, CrossEntropy, NegativeLogLikelihood, Loss, Torch, Caffe

__all__ = ["EvalMetric", "CompositeEvalMetric", "CustomMetric", "register", "alias", "create",
           "check_label_shapes", "np", "Accuracy", "TopKAccuracy", "F1", "MCC", "PCC", "MAE",
           "MSE", "RMSE", "PearsonCorrelation", "Perplexity", "CrossEntropy",
           "NegativeLogLikelihood", "Loss", "Torch", "Caffe"]
