// nnfs_kit: the protocol of nnfs-conformance for a C++17 port, so the learner writes only the
// network of "Neural Networks from Scratch".
//
// The learner fills in an nnfs::Stages (one std::function per stage it has written) and calls
//     return nnfs::serve({/*name*/ "my-port", /*dtype*/ "float64"}, stages);
// The kit reads JSON Lines on stdin, answers the hello with the stages that are set, checks
// every input (an invalid one is answered with its error kind before any learner code runs),
// calls the stage with std::vector<double> / nnfs::Matrix, checks the shapes it returns and
// writes one reply line per request on the real stdout. The learner's own prints go to stderr.
//
// Errors: anything the learner throws becomes {"kind":"exception","message": what()}; throw
// nnfs::Unsupported("reason") to decline a case (not applicable, never a pass).

#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace nnfs {

// A rank-1 input or output: a bias vector, one sample, sample losses.
using Vector = std::vector<double>;

// A row-major matrix: a batch (samples x features), Layer_Dense weights (inputs x neurons).
struct Matrix {
    std::size_t rows = 0, cols = 0;
    std::vector<double> data;  // rows * cols values, row after row

    Matrix() = default;
    Matrix(std::size_t rows, std::size_t cols, double fill = 0.0)
        : rows(rows), cols(cols), data(rows * cols, fill) {}
    double& operator()(std::size_t r, std::size_t c) { return data[r * cols + c]; }
    double operator()(std::size_t r, std::size_t c) const { return data[r * cols + c]; }
};

// A row-major matrix of integers: 0/1 predictions (binary_accuracy, a sigmoid's predictions).
struct IntMatrix {
    std::size_t rows = 0, cols = 0;
    std::vector<int> data;  // rows * cols values, row after row

    IntMatrix() = default;
    IntMatrix(std::size_t rows, std::size_t cols, int fill = 0)
        : rows(rows), cols(cols), data(rows * cols, fill) {}
    int& operator()(std::size_t r, std::size_t c) { return data[r * cols + c]; }
    int operator()(std::size_t r, std::size_t c) const { return data[r * cols + c]; }
};

// Chapter 19's images as the book reads them from the PNG files: `samples` images of
// height x width bytes (0-255), row-major, image after image.
struct Images {
    std::size_t samples = 0, height = 0, width = 0;
    std::vector<std::uint8_t> data;  // samples * height * width bytes

    std::uint8_t operator()(std::size_t n, std::size_t r, std::size_t c) const {
        return data[(n * height + r) * width + c];
    }
};

// y_true as the book's losses accept it: one class index per sample (sparse), or one row per
// sample with a single 1 among 0s (one-hot). The kit has checked both against y_pred.
using Labels = std::variant<std::vector<int>, Matrix>;

// What a stage returns when it has more than one output. Field names are the output names.
struct LossOutput { Vector sample_losses; double loss = 0; };
struct AccuracyOutput { std::vector<int> predictions; double accuracy = 0; };
struct ForwardOutput {
    Matrix dense1, relu1, dense2, softmax;
    Vector sample_losses;
    double loss = 0;
    std::vector<int> predictions;
    double accuracy = 0;
};
struct DenseReluOutput { Matrix dense, relu; };                      // dense_relu
struct NetworkOutput { Matrix dense1, relu1, dense2, softmax; };     // dense_relu_dense_softmax
struct DenseGradients { Matrix dweights; Vector dbiases; Matrix dinputs; };
// repeated_forward: output1 from the first batch (B rows), the rest from the second (D rows).
struct RepeatedForwardOutput {
    Matrix output1, output2, dweights;
    Vector dbiases;
    Matrix dinputs;
};
struct Regularizers { double weight_l1 = 0, weight_l2 = 0, bias_l1 = 0, bias_l2 = 0; };
struct RegularizationOutput { double loss = 0; Matrix dweights; Vector dbiases; };
struct OutputAndGradient { Matrix output; Matrix dinputs; };           // dropout, sigmoid
struct LossGradients { Vector sample_losses; double loss = 0; Matrix dinputs; };
struct BinaryAccuracyOutput { IntMatrix predictions; double accuracy = 0; };

// A dense layer as an optimizer sees it: parameters, gradients and the optimizer's state (the
// state an optimizer does not keep comes in as zeros and is not sent back).
struct LayerState {
    Matrix weights; Vector biases;
    Matrix dweights; Vector dbiases;
    Matrix weight_momentums; Vector bias_momentums;
    Matrix weight_cache; Vector bias_cache;
};
// The optimizers' hyperparameters, at the book's defaults; a case sends the ones it uses.
struct Hyperparameters {
    double learning_rate = 1.0, decay = 0.0, momentum = 0.0, epsilon = 1e-7, rho = 0.9,
           beta_1 = 0.9, beta_2 = 0.999;
};
// What an optimizer step reports: the rate it used (current_learning_rate) and the iterations
// after post_update_params.
struct StepResult { double learning_rate = 0; long iterations = 0; };
// What training records at each of its S steps (docs/STAGES.md, `training`).
struct Trajectory {
    Vector loss, accuracy, learning_rate;
    std::vector<Matrix> weights1, weights2;
    std::vector<Vector> biases1, biases2;
};

// What model_training records: per epoch (E values each) what Model.train prints and what its
// Model.evaluate of the validation data gives; then the parameters after the last epoch.
struct ModelTrainingOutput {
    Vector loss, data_loss, regularization_loss, accuracy, learning_rate;
    Vector validation_loss, validation_accuracy;
    Matrix weights1;
    Vector biases1;
    Matrix weights2;
    Vector biases2;
};

// The Model's chapters (18-22).
struct PreprocessOutput { Matrix x; std::vector<int> y; };  // x: samples x (height * width)
// Model.train's steps: their count, each batch's size, first row and last row.
struct BatchesOutput {
    long steps = 0;
    std::vector<long> batch_sizes;
    Matrix first_rows, last_rows;
};
// An output activation's predictions(): Softmax's class indices (B), Sigmoid's 0/1 (B x N),
// Linear's outputs themselves (B x N).
using Predictions = std::variant<std::vector<int>, IntMatrix, Matrix>;
struct EvaluateOutput { double loss = 0, accuracy = 0; };
// parameters: what the fresh model holds after loading, and its softmax output.
struct ParametersOutput {
    Matrix weights1;
    Vector biases1;
    Matrix weights2;
    Vector biases2;
    Matrix output;
};

// The book tier (docs/BOOK.md): integers in, the book's own values out. Its values are the
// book's float32 ones (the random stream, sine_data and learning rates are double), widened to
// double; they are the same whichever dtype the port declares.
struct RngCall { int kind = 0; std::size_t count = 0; };  // kind 0: u32, 1: double, 2: randn
struct LayerShape { std::size_t n_inputs = 0, n_neurons = 0; };
// X: samples * classes rows of 2 (sine: samples rows of 1); y: each row's class (spiral,
// vertical), or one column of values (sine).
struct Dataset { Matrix x; std::variant<std::vector<int>, Matrix> y; };
// What the chapter script prints: a number (loss, accuracy, learning_rate) or rows (the rest:
// the first 5 rows of dense1_output and softmax_output, weights, gradients, biases as one row).
using Printed = std::variant<double, Matrix>;

// One optional function per stage, named as the suite names the stage. Weights are always
// Layer_Dense's (inputs x neurons), except `layer`'s per-neuron rows (neurons x inputs).
struct Stages {
    std::function<double(const Vector& inputs, const Vector& weights, double bias)> neuron;
    std::function<Vector(const Vector& inputs, const Matrix& weights, const Vector& biases)> layer;
    std::function<Matrix(const Matrix& inputs, const Matrix& weights, const Vector& biases)>
        dense_batch;
    // relu and relu_backward: a rank-1 input arrives as a 1 x K matrix (and goes back flat).
    std::function<Matrix(const Matrix& inputs)> relu;
    // Chapter 4's chains before any loss: Dense then ReLU; Dense, ReLU, Dense, Softmax.
    std::function<DenseReluOutput(const Matrix& inputs, const Matrix& weights,
                                  const Vector& biases)> dense_relu;
    std::function<Matrix(const Matrix& inputs)> softmax;
    std::function<NetworkOutput(const Matrix& inputs, const Matrix& weights1,
                                const Vector& biases1, const Matrix& weights2,
                                const Vector& biases2)> dense_relu_dense_softmax;
    std::function<LossOutput(const Matrix& y_pred, const Labels& y_true)>
        categorical_crossentropy;
    std::function<AccuracyOutput(const Matrix& y_pred, const Labels& y_true)> accuracy;
    std::function<ForwardOutput(const Matrix& inputs, const Matrix& weights1,
                                const Vector& biases1, const Matrix& weights2,
                                const Vector& biases2, const Labels& y_true)> forward;
    std::function<DenseGradients(const Matrix& inputs, const Matrix& weights,
                                 const Matrix& dvalues)> dense_backward;
    std::function<Matrix(const Matrix& inputs, const Matrix& dvalues)> relu_backward;
    // One Layer_Dense and one Activation_ReLU called on inputs1 (B rows), then on inputs2
    // (D rows), then backward(dvalues) (D rows).
    std::function<RepeatedForwardOutput(const Matrix& inputs1, const Matrix& inputs2,
                                        const Matrix& weights, const Vector& biases,
                                        const Matrix& dvalues)> repeated_forward;
    std::function<Matrix(const Matrix& output, const Matrix& dvalues)> softmax_backward;
    std::function<Matrix(const Matrix& y_pred, const Labels& y_true)>
        categorical_crossentropy_backward;
    // path: "combined" (Activation_Softmax_Loss_CategoricalCrossentropy) or "separate".
    std::function<Matrix(const Matrix& y_pred, const Labels& y_true, const std::string& path)>
        softmax_crossentropy_backward;
    std::function<RegularizationOutput(const Matrix& weights, const Vector& biases,
                                       const Regularizers& factors)> regularization;
    std::function<OutputAndGradient(const Matrix& inputs, const Matrix& mask, double rate,
                                    const Matrix& dvalues)> dropout;
    std::function<OutputAndGradient(const Matrix& inputs, const Matrix& dvalues)> sigmoid;
    std::function<LossGradients(const Matrix& y_pred, const Matrix& y_true)>
        binary_crossentropy, mean_squared_error, mean_absolute_error;
    // y_true: 0s and 1s, as binary_crossentropy's.
    std::function<BinaryAccuracyOutput(const Matrix& y_pred, const Matrix& y_true)>
        binary_accuracy;
    std::function<OutputAndGradient(const Matrix& inputs, const Matrix& dvalues)> linear;
    // The share of outputs within precision (>= 0) of their targets.
    std::function<double(const Matrix& y_pred, const Matrix& y_true, double precision)>
        regression_accuracy;
    // One optimizer step on `layer`, updated in place; `iterations` is the count before it.
    using OptimizerStep =
        std::function<StepResult(LayerState& layer, long iterations, const Hyperparameters& h)>;
    OptimizerStep sgd_step, adagrad_step, rmsprop_step, adam_step;
    // One Optimizer_Adam for two layers, `steps` (>= 1) steps with the same gradients; both
    // layers come with zero momentums and caches and are updated in place.
    std::function<void(LayerState& layer1, LayerState& layer2, long steps,
                       const Hyperparameters& h)> shared_optimizer;
    // optimizer: "sgd", "adagrad", "rmsprop" or "adam".
    std::function<Trajectory(const Matrix& inputs, const Labels& y_true, const Matrix& weights1,
                             const Vector& biases1, const Matrix& weights2,
                             const Vector& biases2, long steps, const std::string& optimizer,
                             const Hyperparameters& h)> training;

    // The Model's chapters (18-22).
    // Model.train(inputs, y_true, epochs, batch_size, validation_data) on Dense(K, H, with the
    // regularizers r) -> ReLU -> Dense(H, C) -> Softmax and the categorical cross-entropy;
    // epochs and batch_size are integers >= 1; optimizer: "sgd", "adagrad", "rmsprop", "adam".
    std::function<ModelTrainingOutput(
        const Matrix& inputs, const Labels& y_true, const Matrix& validation_inputs,
        const Labels& validation_y_true, const Matrix& weights1, const Vector& biases1,
        const Matrix& weights2, const Vector& biases2, long epochs, long batch_size,
        const Regularizers& r, const std::string& optimizer, const Hyperparameters& h)>
        model_training;
    // Chapter 19: images flattened row by row and scaled to [-1, 1], then X[keys], y[keys];
    // labels: one integer per image; keys: a permutation of 0 .. samples - 1.
    std::function<PreprocessOutput(const Images& images, const std::vector<int>& labels,
                                   const std::vector<std::size_t>& keys)> preprocess;
    // batch_size: an integer >= 1.
    std::function<BatchesOutput(const Matrix& inputs, long batch_size)> batches;
    // activation: "softmax", "sigmoid" or "linear"; the kit checks the matching alternative's
    // shape: class indices (B), 0/1 rows (B x N), or the outputs (B x N).
    std::function<Predictions(const Matrix& inputs, const std::string& activation)> predictions;
    // Model.evaluate on softmax outputs: the loss and accuracy accumulated over the batches.
    std::function<EvaluateOutput(const Matrix& y_pred, const Labels& y_true, long batch_size)>
        evaluate;
    // Chapter 21: the parameters saved to a file, loaded into a fresh model, used on inputs.
    std::function<ParametersOutput(const Matrix& inputs, const Matrix& weights1,
                                   const Vector& biases1, const Matrix& weights2,
                                   const Vector& biases2)> parameters;

    // The book tier. seed: np.random.seed's (0 to 2^32 - 1); counts are integers >= 0.
    std::function<Vector(std::uint32_t seed, const std::vector<RngCall>& calls)> rng;
    // dataset: "spiral", "vertical" or "sine" (seed and classes unused).
    std::function<Dataset(std::uint32_t seed, std::size_t samples, std::size_t classes,
                          const std::string& dataset)> datasets;
    // weights: every layer's n_inputs x n_neurons, row-major, layers in order, after `skip`
    // Gaussians (a dataset's samples * classes).
    std::function<Vector(std::uint32_t seed, std::size_t skip,
                         const std::vector<LayerShape>& shapes, double scale)> init;
    // keys: np.random.shuffle of 0 .. samples - 1.
    std::function<std::vector<std::size_t>(std::uint32_t seed, std::size_t samples)> shuffle;
    // The chapter 3-10 script: spiral_data(samples, classes), Dense(2, hidden), ReLU,
    // Dense(hidden, classes), softmax and cross-entropy, `steps` optimizer steps (optimizer:
    // "sgd", "adagrad", "rmsprop" or "adam"; h: learning_rate, decay and momentum from the
    // case, the book's defaults for the rest), then one more forward and backward pass.
    // printed: dense1_output, softmax_output, loss, accuracy, dweights1, dbiases1, dweights2,
    // dbiases2, weights1, biases1, weights2, biases2 or learning_rate.
    std::function<Printed(std::uint32_t seed, std::size_t samples, std::size_t classes,
                          std::size_t hidden, std::size_t steps, const std::string& printed,
                          const std::string& optimizer, const Hyperparameters& h)> chapters;
};

// Who the port is, for the hello. dtype must be "float64": the kit hands the learner doubles.
struct Info {
    std::string name;
    std::string dtype = "float64";
    std::string version = "";
};

// Throw it to decline one case: the reply is {"seq":N,"unsupported":"<reason>"}.
struct Unsupported : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Serve the protocol on stdin/stdout until bye or the end of input; returns main's exit
// status: 0, or 1 after one line on stderr naming a request it cannot understand.
int serve(const Info& info, const Stages& stages);

// The same loop on given streams, without touching the process's stdout (for tests).
int serve(const Info& info, const Stages& stages, std::istream& in, std::ostream& out,
          std::ostream& err);

}  // namespace nnfs
