// The JavaScript port of nnfs-conformance: the stages of nnfs.js served by nnfs-kit, which owns
// the protocol (JSON Lines on stdin and stdout, input checks, error replies).
// Run it under the suite's runner:  nnfs-conform run -- node ports/javascript/port.js
import { serve } from "nnfs-kit";
import * as book from "./book.js";
import * as nnfs from "./nnfs.js";

serve({
  name: "javascript-plain",
  dtype: "float64",
  version: "0.1.0",
  stages: {
    neuron: nnfs.neuron,
    layer: nnfs.layer,
    dense_batch: nnfs.dense_batch,
    relu: nnfs.relu,
    dense_relu: nnfs.dense_relu,
    softmax: nnfs.softmax,
    dense_relu_dense_softmax: nnfs.dense_relu_dense_softmax,
    categorical_crossentropy: nnfs.categorical_crossentropy,
    accuracy: nnfs.accuracy,
    forward: nnfs.forward,
    dense_backward: nnfs.dense_backward,
    relu_backward: nnfs.relu_backward,
    repeated_forward: nnfs.repeated_forward,
    softmax_backward: nnfs.softmax_backward,
    categorical_crossentropy_backward: nnfs.categorical_crossentropy_backward,
    softmax_crossentropy_backward: nnfs.softmax_crossentropy_backward,
    regularization: nnfs.regularization,
    dropout: nnfs.dropout,
    sigmoid: nnfs.sigmoid,
    binary_crossentropy: nnfs.binary_crossentropy,
    binary_accuracy: nnfs.binary_accuracy,
    linear: nnfs.linear,
    mean_squared_error: nnfs.mean_squared_error,
    mean_absolute_error: nnfs.mean_absolute_error,
    regression_accuracy: nnfs.regression_accuracy,
    sgd_step: nnfs.sgd_step,
    adagrad_step: nnfs.adagrad_step,
    rmsprop_step: nnfs.rmsprop_step,
    adam_step: nnfs.adam_step,
    shared_optimizer: nnfs.shared_optimizer,
    training: nnfs.training,
    model_training: nnfs.model_training,
    // the Model (chapters 18-22)
    preprocess: nnfs.preprocess,
    batches: nnfs.batches,
    predictions: nnfs.predictions,
    evaluate: nnfs.evaluate,
    parameters: nnfs.parameters,
    // the book tier (docs/BOOK.md): the book's own random numbers and printed float32 values
    rng: book.rng,
    datasets: book.datasets,
    init: book.init,
    shuffle: book.shuffle,
    chapters: book.chapters,
  },
});
