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
    softmax: nnfs.softmax,
    categorical_crossentropy: nnfs.categorical_crossentropy,
    accuracy: nnfs.accuracy,
    forward: nnfs.forward,
    dense_backward: nnfs.dense_backward,
    relu_backward: nnfs.relu_backward,
    softmax_backward: nnfs.softmax_backward,
    categorical_crossentropy_backward: nnfs.categorical_crossentropy_backward,
    softmax_crossentropy_backward: nnfs.softmax_crossentropy_backward,
    regularization: nnfs.regularization,
    dropout: nnfs.dropout,
    sigmoid: nnfs.sigmoid,
    binary_crossentropy: nnfs.binary_crossentropy,
    mean_squared_error: nnfs.mean_squared_error,
    mean_absolute_error: nnfs.mean_absolute_error,
    sgd_step: nnfs.sgd_step,
    adagrad_step: nnfs.adagrad_step,
    rmsprop_step: nnfs.rmsprop_step,
    adam_step: nnfs.adam_step,
    training: nnfs.training,
    // the book tier (docs/BOOK.md): the book's own random numbers and printed float32 values
    rng: book.rng,
    datasets: book.datasets,
    init: book.init,
    shuffle: book.shuffle,
    chapters: book.chapters,
  },
});
