// {{name}}: the book's network in C++17, graded by nnfs-conformance through the kit in kit/.
//
// Write the book's classes here, then give each stage you have to the kit in main(): the kit
// reads the runner's requests, checks every input, calls your function with nnfs::Matrix and
// std::vector<double>, and writes the reply. Print debug output freely: it goes to stderr.
// Throw any std::exception to fail a case with its message; throw nnfs::Unsupported("why")
// to decline one (an optimizer not written yet).

#include <cstddef>

#include "nnfs_kit.hpp"

using nnfs::Labels;
using nnfs::Matrix;
using nnfs::Vector;

// Chapter 2: one neuron.
double neuron(const Vector& inputs, const Vector& weights, double bias) {
    double output = 0;
    for (std::size_t i = 0; i < inputs.size(); i++) output += inputs[i] * weights[i];
    return output + bias;
}

// Chapter 3: Layer_Dense. The book draws 0.01 * np.random.randn weights; every case sets them.
class LayerDense {
public:
    Matrix weights;  // (n_inputs, n_neurons)
    Vector biases;   // (n_neurons)
    Matrix output;

    LayerDense(std::size_t n_inputs, std::size_t n_neurons)
        : weights(n_inputs, n_neurons), biases(n_neurons, 0.0) {}

    // np.dot(inputs, self.weights) + self.biases
    void forward(const Matrix& inputs) {
        output = Matrix(inputs.rows, weights.cols);
        for (std::size_t b = 0; b < inputs.rows; b++)
            for (std::size_t n = 0; n < weights.cols; n++) {
                for (std::size_t k = 0; k < inputs.cols; k++)
                    output(b, n) += inputs(b, k) * weights(k, n);
                output(b, n) += biases[n];
            }
    }
};

// The dense_batch stage: a batch through one Layer_Dense (weights always (inputs, neurons)).
Matrix dense_batch(const Matrix& inputs, const Matrix& weights, const Vector& biases) {
    LayerDense dense(weights.rows, weights.cols);
    dense.weights = weights;
    dense.biases = biases;
    dense.forward(inputs);
    return dense.output;
}

int main() {
    nnfs::Stages stages;
    stages.neuron = neuron;
    stages.dense_batch = dense_batch;
    // Every other stage, with its signature: write it, then uncomment its line. Labels is
    // std::variant<std::vector<int>, Matrix>: sparse class indices or one-hot rows.
    //
    // stages.layer = [](const Vector& inputs, const Matrix& weights /* (neurons, inputs) */,
    //                   const Vector& biases) -> Vector { ... };
    // stages.relu = [](const Matrix& inputs) -> Matrix { ... };  // rank 1 comes as one row
    // stages.dense_relu = [](const Matrix& inputs, const Matrix& weights, const Vector& biases)
    //     -> nnfs::DenseReluOutput { ... };                       // {dense, relu}
    // stages.softmax = [](const Matrix& inputs) -> Matrix { ... };
    // stages.dense_relu_dense_softmax = [](const Matrix& inputs, const Matrix& weights1,
    //     const Vector& biases1, const Matrix& weights2, const Vector& biases2)
    //     -> nnfs::NetworkOutput { ... };          // {dense1, relu1, dense2, softmax}
    // stages.categorical_crossentropy = [](const Matrix& y_pred, const Labels& y_true)
    //     -> nnfs::LossOutput { ... };                            // {sample_losses, loss}
    // stages.accuracy = [](const Matrix& y_pred, const Labels& y_true)
    //     -> nnfs::AccuracyOutput { ... };                        // {predictions, accuracy}
    // stages.forward = [](const Matrix& inputs, const Matrix& weights1, const Vector& biases1,
    //                     const Matrix& weights2, const Vector& biases2, const Labels& y_true)
    //     -> nnfs::ForwardOutput { ... };  // {dense1, relu1, dense2, softmax, sample_losses,
    //                                      //  loss, predictions, accuracy}
    // stages.dense_backward = [](const Matrix& inputs, const Matrix& weights,
    //                            const Matrix& dvalues) -> nnfs::DenseGradients { ... };
    // stages.relu_backward = [](const Matrix& inputs, const Matrix& dvalues) -> Matrix { ... };
    // stages.repeated_forward = [](const Matrix& inputs1 /* B rows */,
    //     const Matrix& inputs2 /* D rows */, const Matrix& weights, const Vector& biases,
    //     const Matrix& dvalues /* D rows */) -> nnfs::RepeatedForwardOutput { ... };
    //     // {output1, output2, dweights, dbiases, dinputs}: one layer and one ReLU used twice
    // stages.softmax_backward = [](const Matrix& output, const Matrix& dvalues) -> Matrix { ... };
    // stages.categorical_crossentropy_backward = [](const Matrix& y_pred, const Labels& y_true)
    //     -> Matrix { ... };
    // stages.softmax_crossentropy_backward = [](const Matrix& y_pred, const Labels& y_true,
    //     const std::string& path /* "combined" or "separate" */) -> Matrix { ... };
    // stages.regularization = [](const Matrix& weights, const Vector& biases,
    //     const nnfs::Regularizers& r /* weight_l1, weight_l2, bias_l1, bias_l2 */)
    //     -> nnfs::RegularizationOutput { ... };                  // {loss, dweights, dbiases}
    // stages.dropout = [](const Matrix& inputs, const Matrix& mask /* 1 keeps */, double rate,
    //                     const Matrix& dvalues) -> nnfs::OutputAndGradient { ... };
    // stages.sigmoid = [](const Matrix& inputs, const Matrix& dvalues)
    //     -> nnfs::OutputAndGradient { ... };                     // {output, dinputs}
    // stages.binary_crossentropy = [](const Matrix& y_pred, const Matrix& y_true)
    //     -> nnfs::LossGradients { ... };                         // {sample_losses, loss, dinputs}
    // stages.binary_accuracy = [](const Matrix& y_pred, const Matrix& y_true /* 0s and 1s */)
    //     -> nnfs::BinaryAccuracyOutput { ... };   // {predictions (an IntMatrix), accuracy}
    // stages.linear = [](const Matrix& inputs, const Matrix& dvalues)
    //     -> nnfs::OutputAndGradient { ... };                     // {output, dinputs}
    // stages.mean_squared_error = ... the same signature as binary_crossentropy
    // stages.mean_absolute_error = ... the same signature
    // stages.regression_accuracy = [](const Matrix& y_pred, const Matrix& y_true,
    //     double precision) -> double { ... };
    // stages.sgd_step = [](nnfs::LayerState& layer /* weights, biases, dweights, dbiases,
    //     weight_momentums, bias_momentums, weight_cache, bias_cache: update in place */,
    //     long iterations, const nnfs::Hyperparameters& h) -> nnfs::StepResult { ... };
    //                                        // {current_learning_rate, iterations after it}
    // stages.adagrad_step = stages.rmsprop_step = stages.adam_step = ... the same signature
    // stages.shared_optimizer = [](nnfs::LayerState& layer1, nnfs::LayerState& layer2,
    //     long steps, const nnfs::Hyperparameters& h) { ... };  // one Adam; update both
    // stages.training = [](const Matrix& inputs, const Labels& y_true, const Matrix& weights1,
    //     const Vector& biases1, const Matrix& weights2, const Vector& biases2, long steps,
    //     const std::string& optimizer /* sgd, adagrad, rmsprop, adam */,
    //     const nnfs::Hyperparameters& h) -> nnfs::Trajectory { ... };
    //
    // The Model's chapters (18-22).
    // stages.model_training = [](const Matrix& inputs, const Labels& y_true,
    //     const Matrix& validation_inputs, const Labels& validation_y_true,
    //     const Matrix& weights1, const Vector& biases1, const Matrix& weights2,
    //     const Vector& biases2, long epochs, long batch_size,
    //     const nnfs::Regularizers& r /* the first layer's */, const std::string& optimizer,
    //     const nnfs::Hyperparameters& h) -> nnfs::ModelTrainingOutput { ... };
    //     // per epoch: {loss, data_loss, regularization_loss, accuracy, learning_rate,
    //     //  validation_loss, validation_accuracy}; then {weights1, biases1, weights2, biases2}
    // stages.preprocess = [](const nnfs::Images& images /* images(n, row, col): bytes */,
    //     const std::vector<int>& labels, const std::vector<std::size_t>& keys)
    //     -> nnfs::PreprocessOutput { ... };                      // {x, y}
    // stages.batches = [](const Matrix& inputs, long batch_size)
    //     -> nnfs::BatchesOutput { ... };        // {steps, batch_sizes, first_rows, last_rows}
    // stages.predictions = [](const Matrix& inputs,
    //     const std::string& activation /* softmax, sigmoid, linear */) -> nnfs::Predictions {
    //     ... };  // std::vector<int> class indices, IntMatrix of 0/1, or Matrix of the outputs
    // stages.evaluate = [](const Matrix& y_pred, const Labels& y_true, long batch_size)
    //     -> nnfs::EvaluateOutput { ... };                        // {loss, accuracy}
    // stages.parameters = [](const Matrix& inputs, const Matrix& weights1,
    //     const Vector& biases1, const Matrix& weights2, const Vector& biases2)
    //     -> nnfs::ParametersOutput { ... };  // save, load into fresh layers, use them:
    //                                         // {weights1, biases1, weights2, biases2, output}
    //
    // The book tier (docs/BOOK.md): the book's own random numbers and printed float32 values.
    // stages.rng = [](std::uint32_t seed, const std::vector<nnfs::RngCall>& calls /* kind 0 a
    //     32-bit output, 1 a double, 2 randn; count */) -> Vector { ... };
    // stages.datasets = [](std::uint32_t seed, std::size_t samples, std::size_t classes,
    //     const std::string& dataset /* spiral, vertical, sine */) -> nnfs::Dataset { ... };
    // stages.init = [](std::uint32_t seed, std::size_t skip,
    //     const std::vector<nnfs::LayerShape>& shapes, double scale) -> Vector { ... };
    // stages.shuffle = [](std::uint32_t seed, std::size_t samples)
    //     -> std::vector<std::size_t> { ... };
    // stages.chapters = [](std::uint32_t seed, std::size_t samples, std::size_t classes,
    //     std::size_t hidden, std::size_t steps, const std::string& printed,
    //     const std::string& optimizer, const nnfs::Hyperparameters& h)
    //     -> nnfs::Printed { ... };                               // a number or a Matrix
    return nnfs::serve({/*name*/ "{{name}}", /*dtype*/ "float64"}, stages);
}
