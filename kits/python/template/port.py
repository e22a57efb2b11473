"""{{name}}: Neural Networks from Scratch in plain Python, graded by nnfs-conformance.

One function per stage over plain lists: the book's code without NumPy. The kit (kit/) speaks
the protocol and checks every input before your function is called, so your code, like the
book's, checks nothing. Run it:  nnfs-conform run -- python3 port.py
"""

import random

from kit.nnfs_kit import Labels, Matrix, Unsupported, Vector, serve  # noqa: F401 (for the stubs)


def dot(a: Vector, b: Vector) -> float:
    # np.dot of two vectors: the sum of their products
    total = 0.0
    for x, y in zip(a, b):
        total += x * y
    return total


# Chapter 1: a neuron
def neuron(inputs: Vector, weights: Vector, bias: float) -> float:
    """inputs (K), weights (K), bias -> output: inputs[0]*weights[0] + ... + bias."""
    return dot(inputs, weights) + bias


# Chapter 3: a layer of neurons, as the book's Layer_Dense (lists instead of NumPy arrays)
class Layer_Dense:
    def __init__(self, n_inputs: int, n_neurons: int):
        self.weights = [
            [0.01 * random.gauss(0, 1) for _ in range(n_neurons)] for _ in range(n_inputs)
        ]
        self.biases = [0.0] * n_neurons

    def forward(self, inputs: Matrix):
        # output = inputs @ weights + biases: a row per sample, a column per neuron
        columns = list(zip(*self.weights))
        self.output = [
            [dot(row, column) + bias for column, bias in zip(columns, self.biases)]
            for row in inputs
        ]


def dense_batch(inputs: Matrix, weights: Matrix, biases: Vector) -> Matrix:
    """inputs (B, K), weights (K, N) as Layer_Dense keeps them, biases (N) -> output (B, N)."""
    dense = Layer_Dense(len(weights), len(biases))
    dense.weights, dense.biases = weights, biases  # the case's, not random ones
    dense.forward(inputs)
    return dense.output


# Every other stage, as a signature. Uncomment one, write it as the book does, and uncomment
# its line in serve() below. A stage with several outputs returns them as a tuple, in this
# order. Labels are class indices (a list of ints) or one-hot rows, as the book's losses take.
#
# def layer(inputs: Vector, weights: Matrix, biases: Vector) -> Vector:
#     """Chapter 2: weights (N, K), one row per neuron; biases (N) -> output (N)."""
# def relu(inputs):
#     """inputs (B, K) (a list comes as one row) -> output (B, K): max(0, x)."""
# def dense_relu(inputs: Matrix, weights: Matrix, biases: Vector):
#     """Chapter 4's first chain -> dense (B, N), relu (B, N)."""
# def softmax(inputs: Matrix) -> Matrix:
#     """inputs (B, C) -> output (B, C): exp(x - row max), divided by the row's sum."""
# def dense_relu_dense_softmax(inputs: Matrix, weights1: Matrix, biases1: Vector,
#                              weights2: Matrix, biases2: Vector):
#     """Chapter 4's network without a loss -> dense1, relu1, dense2, softmax."""
# def categorical_crossentropy(y_pred: Matrix, y_true: Labels) -> tuple[Vector, float]:
#     """y_pred (B, C), y_true -> sample_losses (B), loss: clip to [1e-7, 1 - 1e-7], -log."""
# def accuracy(y_pred: Matrix, y_true: Labels) -> tuple[list[int], float]:
#     """-> predictions (B): argmax of each row, the first maximum wins; accuracy."""
# def forward(inputs: Matrix, weights1: Matrix, biases1: Vector, weights2: Matrix,
#             biases2: Vector, y_true: Labels):
#     """Chapter 5's network -> dense1, relu1, dense2, softmax, sample_losses, loss,
#     predictions, accuracy."""
# def dense_backward(inputs: Matrix, weights: Matrix, dvalues: Matrix):
#     """Chapter 9 -> dweights (K, N), dbiases (N), dinputs (B, K)."""
# def relu_backward(inputs, dvalues):
#     """-> dinputs: dvalues where the forward inputs are > 0, else 0."""
# def repeated_forward(inputs1: Matrix, inputs2: Matrix, weights: Matrix, biases: Vector,
#                      dvalues: Matrix):
#     """One Layer_Dense and one Activation_ReLU called on inputs1, then inputs2, then
#     backward(dvalues) -> output1, output2, dweights, dbiases, dinputs."""
# def softmax_backward(output: Matrix, dvalues: Matrix) -> Matrix:
#     """output: the softmax's forward output -> dinputs (B, C)."""
# def categorical_crossentropy_backward(y_pred: Matrix, y_true: Labels) -> Matrix:
#     """-> dinputs (B, C): -y_true / y_pred / B, no clipping."""
# def softmax_crossentropy_backward(y_pred: Matrix, y_true: Labels, path: str) -> Matrix:
#     """path "combined": (y_pred - y_true) / B; "separate": the two backward passes."""
# def regularization(weights: Matrix, biases: Vector, weight_regularizer_l1: float,
#                    weight_regularizer_l2: float, bias_regularizer_l1: float,
#                    bias_regularizer_l2: float):
#     """Chapter 14 -> loss, dweights (K, N), dbiases (N): the regularization's own terms."""
# def dropout(inputs: Matrix, mask: list[list[int]], rate: float, dvalues: Matrix):
#     """Chapter 15: mask of 0 and 1 (1 keeps), rate the drop rate -> output, dinputs."""
# def sigmoid(inputs: Matrix, dvalues: Matrix):
#     """Chapter 16 -> output, dinputs."""
# def binary_crossentropy(y_pred: Matrix, y_true: list[list[int]]):
#     """-> sample_losses (B), loss, dinputs (B, O)."""
# def binary_accuracy(y_pred: Matrix, y_true: list[list[int]]):
#     """-> predictions (B, O): 1 where output > 0.5, else 0; accuracy over every output."""
# def linear(inputs: Matrix, dvalues: Matrix):
#     """Activation_Linear -> output, dinputs: both unchanged."""
# def mean_squared_error(y_pred: Matrix, y_true: Matrix):
#     """Chapter 17 -> sample_losses (B), loss, dinputs (B, O)."""
# def mean_absolute_error(y_pred: Matrix, y_true: Matrix):
#     """-> sample_losses (B), loss, dinputs (B, O): sign(y_pred - y_true) / O / B."""
# def regression_accuracy(y_pred: Matrix, y_true: Matrix, precision: float) -> float:
#     """Accuracy_Regression: the share of |y_pred - y_true| < precision."""
# def sgd_step(weights, biases, dweights, dbiases, weight_momentums, bias_momentums,
#              iterations: int, learning_rate, decay, momentum):
#     """Chapter 10, one step -> weights, biases, weight_momentums, bias_momentums,
#     learning_rate (the one this step used), iterations + 1."""
# def adagrad_step(weights, biases, dweights, dbiases, weight_cache, bias_cache,
#                  iterations: int, learning_rate, decay, epsilon):
#     """-> weights, biases, weight_cache, bias_cache, learning_rate, iterations + 1."""
# def rmsprop_step(weights, biases, dweights, dbiases, weight_cache, bias_cache,
#                  iterations: int, learning_rate, decay, epsilon, rho):
#     """-> weights, biases, weight_cache, bias_cache, learning_rate, iterations + 1."""
# def adam_step(weights, biases, dweights, dbiases, weight_momentums, bias_momentums,
#               weight_cache, bias_cache, iterations: int, learning_rate, decay, epsilon,
#               beta_1, beta_2):
#     """-> weights, biases, weight_momentums, bias_momentums, weight_cache, bias_cache,
#     learning_rate, iterations + 1."""
# def shared_optimizer(weights1, biases1, weights2, biases2, dweights1, dbiases1, dweights2,
#                      dbiases2, steps: int, learning_rate, decay, epsilon, beta_1, beta_2):
#     """One Optimizer_Adam for both layers, `steps` steps -> weights1, biases1, weights2,
#     biases2."""
# def training(inputs, y_true, weights1, biases1, weights2, biases2, steps: int,
#              learning_rate, decay, momentum, epsilon, rho, beta_1, beta_2, optimizer: str):
#     """The model trained `steps` steps -> per step: loss, accuracy, learning_rate, weights1,
#     biases1, weights2, biases2. raise Unsupported(...) for an optimizer not written yet."""
# def preprocess(images: list[list[list[int]]], labels: list[int], keys: list[int]):
#     """Chapter 19: (X - 127.5) / 127.5, each image one row, then X[keys] -> x, y[keys]."""
# def batches(inputs: Matrix, batch_size: int):
#     """Model.train's steps -> steps, batch_sizes, first_rows, last_rows."""
# def predictions(inputs: Matrix, activation: str):
#     """The output activation's predictions(): "softmax", "sigmoid" or "linear"."""
# def evaluate(y_pred: Matrix, y_true: Labels, batch_size: int):
#     """Model.evaluate -> loss, accuracy: accumulated over batches, divided once."""
# def model_training(inputs, y_true, validation_inputs, validation_y_true, weights1, biases1,
#                    weights2, biases2, epochs: int, batch_size: int, weight_regularizer_l1,
#                    weight_regularizer_l2, bias_regularizer_l1, bias_regularizer_l2,
#                    learning_rate, decay, momentum, epsilon, rho, beta_1, beta_2, optimizer: str):
#     """Chapters 18-19, Model.train with mini-batches and validation -> per epoch: loss,
#     data_loss, regularization_loss, accuracy, learning_rate, validation_loss,
#     validation_accuracy; then weights1, biases1, weights2, biases2 after the last epoch."""
# def parameters(inputs: Matrix, weights1: Matrix, biases1: Vector, weights2: Matrix,
#                biases2: Vector):
#     """Chapter 21: save the parameters, load them into a fresh model -> weights1, biases1,
#     weights2, biases2, output (its softmax on inputs)."""
# def rng(seed: int, calls: list[list[int]]) -> list:
#     """The book tier (docs/BOOK.md): np.random.seed(seed)'s stream -> values."""
# def datasets(seed: int, samples: int, classes: int, dataset: str):
#     """spiral_data, vertical_data or sine_data -> x, y."""
# def init(seed: int, skip: int, shapes: list[list[int]], scale: float) -> Vector:
#     """Layer_Dense's initial weights -> weights, flat."""
# def shuffle(seed: int, samples: int) -> list[int]:
#     """Chapter 19: np.random.shuffle of range(samples) after np.random.seed(seed) -> keys."""
# def chapters(seed: int, samples: int, classes: int, hidden: int, steps: int, printed: str,
#              optimizer: str, learning_rate: float, decay: float, momentum: float):
#     """The book's chapter 3-10 script -> value: what `printed` names."""


serve(
    name="{{name}}",
    dtype="float64",
    stages={
        "neuron": neuron,
        "dense_batch": dense_batch,
        # "layer": layer,
        # "relu": relu,
        # "dense_relu": dense_relu,
        # "softmax": softmax,
        # "dense_relu_dense_softmax": dense_relu_dense_softmax,
        # "categorical_crossentropy": categorical_crossentropy,
        # "accuracy": accuracy,
        # "forward": forward,
        # "dense_backward": dense_backward,
        # "relu_backward": relu_backward,
        # "repeated_forward": repeated_forward,
        # "softmax_backward": softmax_backward,
        # "categorical_crossentropy_backward": categorical_crossentropy_backward,
        # "softmax_crossentropy_backward": softmax_crossentropy_backward,
        # "regularization": regularization,
        # "dropout": dropout,
        # "sigmoid": sigmoid,
        # "binary_crossentropy": binary_crossentropy,
        # "binary_accuracy": binary_accuracy,
        # "linear": linear,
        # "mean_squared_error": mean_squared_error,
        # "mean_absolute_error": mean_absolute_error,
        # "regression_accuracy": regression_accuracy,
        # "sgd_step": sgd_step,
        # "adagrad_step": adagrad_step,
        # "rmsprop_step": rmsprop_step,
        # "adam_step": adam_step,
        # "shared_optimizer": shared_optimizer,
        # "training": training,
        # "preprocess": preprocess,
        # "batches": batches,
        # "predictions": predictions,
        # "evaluate": evaluate,
        # "model_training": model_training,
        # "parameters": parameters,
        # "rng": rng,
        # "datasets": datasets,
        # "init": init,
        # "shuffle": shuffle,
        # "chapters": chapters,
    },
)
