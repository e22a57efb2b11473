/* The C port of nnfs-conformance: the stages of nnfs.c, model.c and book.c, served by the C kit
 * (kits/c), which owns the protocol, the input checks and the JSON.
 * Run it under the suite's runner:  nnfs-conform run -- ports/c/nnfs_port
 */
#include "book.h"
#include "nnfs.h"
#include "nnfs_kit.h"

int main(void) {
    nnfs_port port = {
        .name = "c-float32",
        .dtype = "float32",
        .version = "0.1.0",
        .stages = {
            .neuron = neuron,
            .layer = layer,
            .dense_batch = dense_batch,
            .relu = relu,
            .dense_relu = dense_relu,
            .softmax = softmax,
            .dense_relu_dense_softmax = dense_relu_dense_softmax,
            .categorical_crossentropy = categorical_crossentropy,
            .accuracy = accuracy,
            .forward = forward,
            .dense_backward = dense_backward,
            .relu_backward = relu_backward,
            .repeated_forward = repeated_forward,
            .softmax_backward = softmax_backward,
            .categorical_crossentropy_backward = categorical_crossentropy_backward,
            .softmax_crossentropy_backward = softmax_crossentropy_backward,
            .regularization = regularization,
            .dropout = dropout,
            .sigmoid = sigmoid,
            .binary_crossentropy = binary_crossentropy,
            .binary_accuracy = binary_accuracy,
            .linear = linear,
            .mean_squared_error = mean_squared_error,
            .mean_absolute_error = mean_absolute_error,
            .regression_accuracy = regression_accuracy,
            .sgd_step = sgd_step,
            .adagrad_step = adagrad_step,
            .rmsprop_step = rmsprop_step,
            .adam_step = adam_step,
            .shared_optimizer = shared_optimizer,
            .training = training,
            .model_training = model_training,
            .preprocess = preprocess,
            .batches = batches,
            .predictions = predictions,
            .evaluate = evaluate,
            .parameters = parameters,
            .rng = rng,
            .datasets = datasets,
            .init = init,
            .shuffle = shuffle,
            .chapters = chapters,
        }};
    return nnfs_serve(&port);
}
