/* {{name}}: the network of "Neural Networks from Scratch" in C, graded by nnfs-conformance.
 *
 * One function per stage, as the book's chapters write it. The kit (kit/nnfs_kit.h) reads the
 * runner's requests, checks every input and allocates every output in its shape: a stage only
 * computes and writes into its outputs. nnfs_real is double here (the Makefile's
 * -DNNFS_FLOAT64). To add a stage: uncomment its stub below, write it, uncomment its line in
 * main. Print anything you like: stdout goes to stderr.
 *
 *     make && nnfs-conform run -- ./nnfs-port
 */
#include <math.h>

#include "nnfs_kit.h"

/* Chapter 1: one neuron. inputs (K), weights (K), bias -> output */
static bool neuron(Vector inputs, Vector weights, nnfs_real bias, nnfs_real *output) {
    nnfs_real total = 0;
    for (size_t k = 0; k < inputs.len; k++)
        total += inputs.values[k] * weights.values[k];
    *output = total + bias;
    return true;
}

/* Chapter 3: Layer_Dense, weights (K, N) and biases (N); forward(inputs (B, K)) sets output
 * (B, N) = inputs @ weights + biases */
typedef struct {
    Matrix weights;
    Vector biases;
    Matrix output;
} LayerDense;

static void layer_dense_forward(LayerDense *layer, Matrix inputs) {
    for (size_t b = 0; b < inputs.rows; b++) {
        for (size_t n = 0; n < layer->weights.cols; n++) {
            nnfs_real total = 0;
            for (size_t k = 0; k < inputs.cols; k++)
                total += row(inputs, b)[k] * row(layer->weights, k)[n];
            row(layer->output, b)[n] = total + layer->biases.values[n];
        }
    }
}

static bool dense_batch(Matrix inputs, Matrix weights, Vector biases, Matrix output) {
    LayerDense dense1 = {weights, biases, output};
    layer_dense_forward(&dense1, inputs);
    return true;
}

/* The other stages (kit/nnfs_kit.h has their structs). `return nnfs_fail("...")` reports an
 * error; `return nnfs_unsupported("...")` declines a case you cannot compute yet.
 *
 * // weights (N, K): one row per neuron -> output (N)
 * static bool layer(Vector inputs, Matrix weights, Vector biases, Vector output) {
 *     return nnfs_fail("not written yet");
 * }
 * // rank 1 inputs arrive as one row (1, K)
 * static bool relu(Matrix inputs, Matrix output) {
 *     return nnfs_fail("not written yet");
 * }
 * // chapter 4: dense1.forward(X), then ReLU of dense1.output: output->dense, output->relu
 * static bool dense_relu(Matrix inputs, Matrix weights, Vector biases, DenseReLU *output) {
 *     return nnfs_fail("not written yet");
 * }
 * static bool softmax(Matrix inputs, Matrix output) {
 *     return nnfs_fail("not written yet");
 * }
 * // chapter 4's network without a loss: dense1, relu1, dense2, softmax
 * static bool dense_relu_dense_softmax(Matrix inputs, Matrix weights1, Vector biases1,
 *                                      Matrix weights2, Vector biases2, Network *output) {
 *     return nnfs_fail("not written yet");
 * }
 * // y_true.format is SPARSE (y_true.sparse[b]) or ONEHOT (y_true.onehot); nnfs_label(y_true, b)
 * static bool categorical_crossentropy(Matrix y_pred, Labels y_true, Loss *output) {
 *     return nnfs_fail("not written yet");
 * }
 * static bool accuracy(Matrix y_pred, Labels y_true, Accuracy *output) {
 *     return nnfs_fail("not written yet");
 * }
 * static bool forward(Matrix inputs, Matrix weights1, Vector biases1, Matrix weights2,
 *                     Vector biases2, Labels y_true, Forward *output) {
 *     return nnfs_fail("not written yet");
 * }
 * static bool dense_backward(Matrix inputs, Matrix weights, Matrix dvalues,
 *                            DenseGradients *output) {
 *     return nnfs_fail("not written yet");
 * }
 * static bool relu_backward(Matrix inputs, Matrix dvalues, Matrix dinputs) {
 *     return nnfs_fail("not written yet");
 * }
 * // one Layer_Dense and one Activation_ReLU called on inputs1 (B, K), then inputs2 (D, K),
 * // then backward(dvalues (D, N)): what the objects kept from the first call must not leak
 * static bool repeated_forward(Matrix inputs1, Matrix inputs2, Matrix weights, Vector biases,
 *                              Matrix dvalues, RepeatedForward *output) {
 *     return nnfs_fail("not written yet");
 * }
 * static bool softmax_backward(Matrix output, Matrix dvalues, Matrix dinputs) {
 *     return nnfs_fail("not written yet");
 * }
 * static bool categorical_crossentropy_backward(Matrix y_pred, Labels y_true,
 *                                               Matrix dinputs) {
 *     return nnfs_fail("not written yet");
 * }
 * static bool softmax_crossentropy_backward(Matrix y_pred, Labels y_true, Matrix dinputs) {
 *     return nnfs_fail("not written yet");
 * }
 * static bool regularization(Matrix weights, Vector biases, Regularizers factors,
 *                            Regularization *output) {
 *     return nnfs_fail("not written yet");
 * }
 * static bool dropout(Matrix inputs, Matrix mask, nnfs_real rate, Matrix dvalues,
 *                     Passes *output) {
 *     return nnfs_fail("not written yet");
 * }
 * static bool sigmoid(Matrix inputs, Matrix dvalues, Passes *output) {
 *     return nnfs_fail("not written yet");
 * }
 * static bool binary_crossentropy(Matrix y_pred, Matrix y_true, LossGradients *output) {
 *     return nnfs_fail("not written yet");
 * }
 * // output->predictions.values[i]: 1 where y_pred > 0.5, else 0
 * static bool binary_accuracy(Matrix y_pred, Matrix y_true, BinaryAccuracy *output) {
 *     return nnfs_fail("not written yet");
 * }
 * static bool linear(Matrix inputs, Matrix dvalues, Passes *output) {
 *     return nnfs_fail("not written yet");
 * }
 * static bool mean_squared_error(Matrix y_pred, Matrix y_true, LossGradients *output) {
 *     return nnfs_fail("not written yet");
 * }
 * static bool mean_absolute_error(Matrix y_pred, Matrix y_true, LossGradients *output) {
 *     return nnfs_fail("not written yet");
 * }
 * static bool regression_accuracy(Matrix y_pred, Matrix y_true, nnfs_real precision,
 *                                 nnfs_real *accuracy) {
 *     return nnfs_fail("not written yet");
 * }
 * // update layer->weights, ->biases and the optimizer's state in place
 * static bool sgd_step(Layer *layer, size_t iterations, Optimizer optimizer,
 *                      nnfs_real *learning_rate) {
 *     return nnfs_fail("not written yet");
 * }
 * static bool adagrad_step(Layer *layer, size_t iterations, Optimizer optimizer,
 *                          nnfs_real *learning_rate) {
 *     return nnfs_fail("not written yet");
 * }
 * static bool rmsprop_step(Layer *layer, size_t iterations, Optimizer optimizer,
 *                          nnfs_real *learning_rate) {
 *     return nnfs_fail("not written yet");
 * }
 * static bool adam_step(Layer *layer, size_t iterations, Optimizer optimizer,
 *                       nnfs_real *learning_rate) {
 *     return nnfs_fail("not written yet");
 * }
 * // one Optimizer_Adam, `steps` steps over both layers (their Adam state arrives zeroed)
 * static bool shared_optimizer(Layer *layer1, Layer *layer2, size_t steps,
 *                              Optimizer optimizer) {
 *     return nnfs_fail("not written yet");
 * }
 * static bool training(Matrix inputs, Labels y_true, Matrix weights1, Vector biases1,
 *                      Matrix weights2, Vector biases2, size_t steps, OptimizerKind kind,
 *                      Optimizer optimizer, Training *output) {
 *     return nnfs_fail("not written yet");
 * }
 * // chapters 18-19: Model.train over epochs of batches, the first layer regularized, the
 * // validation set evaluated after each epoch; fill the record of each epoch and the parameters
 * static bool model_training(Matrix inputs, Labels y_true, Matrix validation_inputs,
 *                            Labels validation_y_true, Matrix weights1, Vector biases1,
 *                            Matrix weights2, Vector biases2, size_t epochs, size_t batch_size,
 *                            Regularizers regularizers, OptimizerKind kind,
 *                            Optimizer optimizer, ModelTraining *output) {
 *     return nnfs_fail("not written yet");
 * }
 * // chapters 18-22, the Model. Chapter 19: scale, flatten, then X[keys], y[keys]
 * static bool preprocess(Images images, const int64_t *labels, const size_t *keys,
 *                        Preprocessed *output) {
 *     return nnfs_fail("not written yet");
 * }
 * // Model.train's steps: set output->steps, then each step's batch size, first and last row
 * static bool batches(Matrix inputs, size_t batch_size, Batches *output) {
 *     return nnfs_fail("not written yet");
 * }
 * // fill output->classes (SOFTMAX), output->binary (SIGMOID) or output->values (LINEAR)
 * static bool predictions(Matrix inputs, OutputActivation activation, Predictions *output) {
 *     return nnfs_fail("not written yet");
 * }
 * static bool evaluate(Matrix y_pred, Labels y_true, size_t batch_size, Evaluation *output) {
 *     return nnfs_fail("not written yet");
 * }
 * // chapter 21: save the parameters to a file, load them into a fresh model, run it
 * static bool parameters(Matrix inputs, Matrix weights1, Vector biases1, Matrix weights2,
 *                        Vector biases2, LoadedModel *output) {
 *     return nnfs_fail("not written yet");
 * }
 * // the book tier (docs/BOOK.md): NumPy's random stream, the nnfs datasets, Layer_Dense init
 * static bool rng(uint32_t seed, const RngCall *calls, size_t count, double *values) {
 *     return nnfs_fail("not written yet");
 * }
 * static bool datasets(DatasetKind dataset, uint32_t seed, size_t samples, size_t classes,
 *                      double *x, double *y) {
 *     return nnfs_fail("not written yet");
 * }
 * static bool init(uint32_t seed, size_t skip, const LayerShape *shapes, size_t count,
 *                  double scale, double *weights) {
 *     return nnfs_fail("not written yet");
 * }
 * // chapter 19's np.random.shuffle(keys) of keys = 0 .. samples-1, after np.random.seed(seed)
 * static bool shuffle(uint32_t seed, size_t samples, size_t *keys) {
 *     return nnfs_fail("not written yet");
 * }
 * // the book's chapter 3-10 script: *value, or the matrix in the shape Printed names
 * static bool chapters(uint32_t seed, size_t samples, size_t classes, size_t hidden,
 *                      size_t steps, Printed printed, OptimizerKind optimizer,
 *                      double learning_rate, double decay, double momentum, double *value) {
 *     return nnfs_fail("not written yet");
 * }
 */

int main(void) {
    nnfs_port port = {
        .name = "{{name}}",
        .dtype = "float64",
        .stages = {
            .neuron = neuron,
            .dense_batch = dense_batch,
            // .layer = layer,
            // .relu = relu,
            // .dense_relu = dense_relu,
            // .softmax = softmax,
            // .dense_relu_dense_softmax = dense_relu_dense_softmax,
            // .categorical_crossentropy = categorical_crossentropy,
            // .accuracy = accuracy,
            // .forward = forward,
            // .dense_backward = dense_backward,
            // .relu_backward = relu_backward,
            // .repeated_forward = repeated_forward,
            // .softmax_backward = softmax_backward,
            // .categorical_crossentropy_backward = categorical_crossentropy_backward,
            // .softmax_crossentropy_backward = softmax_crossentropy_backward,
            // .regularization = regularization,
            // .dropout = dropout,
            // .sigmoid = sigmoid,
            // .binary_crossentropy = binary_crossentropy,
            // .binary_accuracy = binary_accuracy,
            // .linear = linear,
            // .mean_squared_error = mean_squared_error,
            // .mean_absolute_error = mean_absolute_error,
            // .regression_accuracy = regression_accuracy,
            // .sgd_step = sgd_step,
            // .adagrad_step = adagrad_step,
            // .rmsprop_step = rmsprop_step,
            // .adam_step = adam_step,
            // .shared_optimizer = shared_optimizer,
            // .training = training,
            // .model_training = model_training,
            // .preprocess = preprocess,
            // .batches = batches,
            // .predictions = predictions,
            // .evaluate = evaluate,
            // .parameters = parameters,
            // .rng = rng,
            // .datasets = datasets,
            // .init = init,
            // .shuffle = shuffle,
            // .chapters = chapters,
        }};
    return nnfs_serve(&port);
}
