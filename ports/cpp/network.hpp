// The network of "Neural Networks from Scratch", chapters 2 to 22, in C++17, the book's way:
// its classes with their names, members and methods (forward, backward, output, dinputs,
// dweights, dbiases, pre_update_params, predictions, calculate_accumulated, get_parameters,
// ...), on nnfs::Matrix and std::vector<double> where the book has NumPy arrays. Nothing here
// checks inputs: the kit has done that.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

#include "nnfs_kit.hpp"

using nnfs::IntMatrix;
using nnfs::Labels;
using nnfs::Matrix;
using nnfs::Vector;

// ---------------------------------------------------------------------------------------------
// The few NumPy calls the book makes

// np.dot(a, b)
inline Matrix dot(const Matrix& a, const Matrix& b) {
    Matrix result(a.rows, b.cols);
    for (std::size_t i = 0; i < a.rows; i++)
        for (std::size_t k = 0; k < a.cols; k++)
            for (std::size_t j = 0; j < b.cols; j++) result(i, j) += a(i, k) * b(k, j);
    return result;
}

// a.T
inline Matrix transpose(const Matrix& a) {
    Matrix result(a.cols, a.rows);
    for (std::size_t i = 0; i < a.rows; i++)
        for (std::size_t j = 0; j < a.cols; j++) result(j, i) = a(i, j);
    return result;
}

// np.mean(values)
inline double mean(const Vector& values) {
    double total = 0;
    for (double v : values) total += v;
    return total / static_cast<double>(values.size());
}

// np.clip(p, 1e-7, 1 - 1e-7); a NaN stays NaN, as in NumPy.
inline double clip(double p) { return p < 1e-7 ? 1e-7 : p > 1 - 1e-7 ? 1 - 1e-7 : p; }

// np.argmax(row)
// NOTE: the FIRST maximum wins on ties, and a NaN counts as the maximum, as in NumPy.
inline int argmax(const Matrix& m, std::size_t row) {
    std::size_t best = 0;
    for (std::size_t c = 0; c < m.cols; c++) {
        if (std::isnan(m(row, c))) return static_cast<int>(c);
        if (m(row, c) > m(row, best)) best = c;
    }
    return static_cast<int>(best);
}

// X[start:end], rows past the end left out as NumPy's slices do.
inline Matrix slice(const Matrix& X, std::size_t start, std::size_t end) {
    end = std::min(end, X.rows);
    Matrix rows(end - start, X.cols);
    std::copy(X.data.begin() + start * X.cols, X.data.begin() + end * X.cols, rows.data.begin());
    return rows;
}

inline Labels slice(const Labels& y, std::size_t start, std::size_t end) {
    if (const auto* sparse = std::get_if<std::vector<int>>(&y)) {
        end = std::min(end, sparse->size());
        return std::vector<int>(sparse->begin() + start, sparse->begin() + end);
    }
    return slice(std::get<Matrix>(y), start, end);
}

// y_true as class indices: sparse labels as they are, one-hot rows through np.argmax.
inline std::vector<int> class_targets(const Labels& y_true) {
    if (const auto* sparse = std::get_if<std::vector<int>>(&y_true)) return *sparse;
    const Matrix& onehot = std::get<Matrix>(y_true);
    std::vector<int> classes;
    for (std::size_t b = 0; b < onehot.rows; b++) classes.push_back(argmax(onehot, b));
    return classes;
}

// ---------------------------------------------------------------------------------------------
// Chapter 2: a neuron and a layer of neurons, with plain loops

inline double neuron_output(const Vector& inputs, const Vector& weights, double bias) {
    double output = 0;
    for (std::size_t i = 0; i < inputs.size(); i++) output += inputs[i] * weights[i];
    return output + bias;
}

// weights: one row per neuron (neurons x inputs), as chapter 2 lists them.
inline Vector layer_outputs(const Vector& inputs, const Matrix& weights, const Vector& biases) {
    Vector outputs;
    for (std::size_t n = 0; n < weights.rows; n++) {
        double neuron_output = 0;
        for (std::size_t i = 0; i < inputs.size(); i++) neuron_output += inputs[i] * weights(n, i);
        outputs.push_back(neuron_output + biases[n]);
    }
    return outputs;
}

// ---------------------------------------------------------------------------------------------
// What the book's layers and activations share: forward and backward, output and dinputs. The
// Model (chapter 18) chains them through it.

class Layer {
public:
    Matrix output, dinputs;
    virtual ~Layer() = default;
    virtual void forward(const Matrix& inputs) = 0;
    virtual void backward(const Matrix& dvalues) = 0;
};

// ---------------------------------------------------------------------------------------------
// Layer_Dense (chapters 3, 9 and 14)

class LayerDense : public Layer {
public:
    Matrix weights;  // (n_inputs, n_neurons)
    Vector biases;   // (n_neurons)
    double weight_regularizer_l1, weight_regularizer_l2;
    double bias_regularizer_l1, bias_regularizer_l2;
    Matrix inputs, dweights;
    Vector dbiases;
    // What the optimizers keep on the layer (the book adds them when they are first needed).
    Matrix weight_momentums, weight_cache;
    Vector bias_momentums, bias_cache;

    // The book draws 0.01 * np.random.randn weights; here every case sets them.
    LayerDense(std::size_t n_inputs, std::size_t n_neurons, double weight_regularizer_l1 = 0,
               double weight_regularizer_l2 = 0, double bias_regularizer_l1 = 0,
               double bias_regularizer_l2 = 0)
        : weights(n_inputs, n_neurons), biases(n_neurons, 0.0),
          weight_regularizer_l1(weight_regularizer_l1),
          weight_regularizer_l2(weight_regularizer_l2),
          bias_regularizer_l1(bias_regularizer_l1), bias_regularizer_l2(bias_regularizer_l2) {}

    void forward(const Matrix& inputs) override {
        this->inputs = inputs;
        output = dot(inputs, weights);
        for (std::size_t b = 0; b < output.rows; b++)
            for (std::size_t n = 0; n < output.cols; n++) output(b, n) += biases[n];
    }

    void backward(const Matrix& dvalues) override {
        dweights = dot(transpose(inputs), dvalues);
        // NOTE: the bias gradient is the SUM over the batch, one value per neuron.
        dbiases.assign(dvalues.cols, 0.0);
        for (std::size_t b = 0; b < dvalues.rows; b++)
            for (std::size_t n = 0; n < dvalues.cols; n++) dbiases[n] += dvalues(b, n);

        // NOTE: dL1 is +1 where the value is >= 0, including 0 and -0.0, and -1 below.
        if (weight_regularizer_l1 > 0)
            for (std::size_t i = 0; i < weights.data.size(); i++)
                dweights.data[i] += weight_regularizer_l1 * (weights.data[i] < 0 ? -1.0 : 1.0);
        if (weight_regularizer_l2 > 0)
            for (std::size_t i = 0; i < weights.data.size(); i++)
                dweights.data[i] += 2 * weight_regularizer_l2 * weights.data[i];
        if (bias_regularizer_l1 > 0)
            for (std::size_t n = 0; n < biases.size(); n++)
                dbiases[n] += bias_regularizer_l1 * (biases[n] < 0 ? -1.0 : 1.0);
        if (bias_regularizer_l2 > 0)
            for (std::size_t n = 0; n < biases.size(); n++)
                dbiases[n] += 2 * bias_regularizer_l2 * biases[n];

        dinputs = dot(dvalues, transpose(weights));
    }

    // Chapter 21: what Model.get_parameters collects from each trainable layer, and sets back.
    std::pair<Matrix, Vector> get_parameters() const { return {weights, biases}; }
    void set_parameters(const Matrix& weights, const Vector& biases) {
        this->weights = weights;
        this->biases = biases;
    }
};

// ---------------------------------------------------------------------------------------------
// Activation_ReLU and Activation_Softmax (chapters 4 and 9)

class ActivationReLU : public Layer {
public:
    Matrix inputs;

    void forward(const Matrix& inputs) override {
        this->inputs = inputs;
        output = inputs;
        for (double& x : output.data) x = x < 0 ? 0 : x;  // np.maximum(0, x); NaN stays NaN
    }

    // NOTE: the gradient is 0 where the INPUT is <= 0, exactly 0 included.
    void backward(const Matrix& dvalues) override {
        dinputs = dvalues;
        for (std::size_t i = 0; i < inputs.data.size(); i++)
            if (inputs.data[i] <= 0) dinputs.data[i] = 0;
    }
};

class ActivationSoftmax : public Layer {
public:
    // NOTE: subtracts each row's maximum first, so exp never overflows.
    void forward(const Matrix& inputs) override {
        output = Matrix(inputs.rows, inputs.cols);
        for (std::size_t b = 0; b < inputs.rows; b++) {
            double largest = -INFINITY;
            for (std::size_t c = 0; c < inputs.cols; c++)
                largest = std::fmax(largest, inputs(b, c));
            double total = 0;
            for (std::size_t c = 0; c < inputs.cols; c++)
                total += output(b, c) = std::exp(inputs(b, c) - largest);
            for (std::size_t c = 0; c < inputs.cols; c++) output(b, c) /= total;
        }
    }

    // Chapter 18: the class each sample is most confident in (np.argmax, first maximum).
    std::vector<int> predictions(const Matrix& outputs) const {
        std::vector<int> classes;
        for (std::size_t b = 0; b < outputs.rows; b++) classes.push_back(argmax(outputs, b));
        return classes;
    }

    // Each sample's dvalues through its Jacobian, diagflat(p) - p p^T.
    void backward(const Matrix& dvalues) override {
        dinputs = Matrix(dvalues.rows, dvalues.cols);
        for (std::size_t b = 0; b < output.rows; b++)
            for (std::size_t i = 0; i < output.cols; i++)
                for (std::size_t j = 0; j < output.cols; j++) {
                    double jacobian = (i == j ? output(b, i) : 0.0) - output(b, i) * output(b, j);
                    dinputs(b, i) += jacobian * dvalues(b, j);
                }
    }
};

// ---------------------------------------------------------------------------------------------
// Loss (chapters 5 and 14) and Loss_CategoricalCrossentropy (chapters 5 and 9)

template <typename Targets>
class Loss {
public:
    Matrix dinputs;
    virtual ~Loss() = default;
    virtual Vector forward(const Matrix& y_pred, const Targets& y_true) = 0;

    // Chapter 18 also keeps the sums across batches, for calculate_accumulated.
    double accumulated_sum = 0;
    std::size_t accumulated_count = 0;

    double calculate(const Matrix& output, const Targets& y) {
        Vector sample_losses = forward(output, y);
        double data_loss = mean(sample_losses);
        double sum = 0;
        for (double loss : sample_losses) sum += loss;  // np.sum(sample_losses)
        accumulated_sum += sum;
        accumulated_count += sample_losses.size();
        return data_loss;
    }

    // NOTE: the sum of every sample's loss over the count, not the mean of the batch means
    // (they differ when the last batch is short).
    double calculate_accumulated() const {
        return accumulated_sum / static_cast<double>(accumulated_count);
    }

    void new_pass() {
        accumulated_sum = 0;
        accumulated_count = 0;
    }

    // Chapter 18: the Model tells the loss its trainable layers, whose penalties it adds up.
    std::vector<const LayerDense*> trainable_layers;

    void remember_trainable_layers(const std::vector<LayerDense*>& layers) {
        trainable_layers.assign(layers.begin(), layers.end());
    }

    double regularization_loss() const {
        double regularization_loss = 0;
        for (const LayerDense* layer : trainable_layers)
            regularization_loss += this->regularization_loss(*layer);
        return regularization_loss;
    }

    double regularization_loss(const LayerDense& layer) const {
        double regularization_loss = 0;
        double abs_weights = 0, squared_weights = 0, abs_biases = 0, squared_biases = 0;
        for (double w : layer.weights.data) abs_weights += std::fabs(w), squared_weights += w * w;
        for (double b : layer.biases) abs_biases += std::fabs(b), squared_biases += b * b;
        if (layer.weight_regularizer_l1 > 0)
            regularization_loss += layer.weight_regularizer_l1 * abs_weights;
        if (layer.weight_regularizer_l2 > 0)
            regularization_loss += layer.weight_regularizer_l2 * squared_weights;
        if (layer.bias_regularizer_l1 > 0)
            regularization_loss += layer.bias_regularizer_l1 * abs_biases;
        if (layer.bias_regularizer_l2 > 0)
            regularization_loss += layer.bias_regularizer_l2 * squared_biases;
        return regularization_loss;
    }
};

class LossCategoricalCrossentropy : public Loss<Labels> {
public:
    // NOTE: y_pred is clipped to [1e-7, 1 - 1e-7] so the log never sees 0.
    Vector forward(const Matrix& y_pred, const Labels& y_true) override {
        Vector negative_log_likelihoods;
        for (std::size_t b = 0; b < y_pred.rows; b++) {
            double correct_confidence = 0;
            if (const auto* sparse = std::get_if<std::vector<int>>(&y_true)) {
                correct_confidence = clip(y_pred(b, static_cast<std::size_t>((*sparse)[b])));
            } else {
                const Matrix& onehot = std::get<Matrix>(y_true);
                for (std::size_t c = 0; c < y_pred.cols; c++)
                    correct_confidence += clip(y_pred(b, c)) * onehot(b, c);
            }
            negative_log_likelihoods.push_back(-std::log(correct_confidence));
        }
        return negative_log_likelihoods;
    }

    // -y_true / dvalues / samples, y_true one-hot. NOTE: no clipping here, as in the book.
    void backward(const Matrix& dvalues, const Labels& y_true) {
        std::vector<int> classes = class_targets(y_true);
        double samples = static_cast<double>(dvalues.rows);
        dinputs = Matrix(dvalues.rows, dvalues.cols);
        for (std::size_t b = 0; b < dvalues.rows; b++)
            for (std::size_t c = 0; c < dvalues.cols; c++) {
                double one_hot = static_cast<int>(c) == classes[b] ? 1.0 : 0.0;
                dinputs(b, c) = -one_hot / dvalues(b, c) / samples;
            }
    }
};

// Chapter 5's accuracy: the most confident class of each sample against the targets.
struct PredictionsAndAccuracy {
    std::vector<int> predictions;
    double accuracy;
};

inline PredictionsAndAccuracy accuracy(const Matrix& softmax_outputs, const Labels& y_true) {
    std::vector<int> class_targets = ::class_targets(y_true);
    PredictionsAndAccuracy result{{}, 0.0};
    double correct = 0;
    for (std::size_t b = 0; b < softmax_outputs.rows; b++) {
        result.predictions.push_back(argmax(softmax_outputs, b));
        correct += result.predictions[b] == class_targets[b];
    }
    result.accuracy = correct / static_cast<double>(softmax_outputs.rows);
    return result;
}

// Activation_Softmax_Loss_CategoricalCrossentropy (chapter 9): the shortcut backward pass.
class ActivationSoftmaxLossCategoricalCrossentropy {
public:
    ActivationSoftmax activation;
    LossCategoricalCrossentropy loss;
    Matrix output, dinputs;

    double forward(const Matrix& inputs, const Labels& y_true) {
        activation.forward(inputs);
        output = activation.output;
        return loss.calculate(output, y_true);
    }

    // NOTE: (dvalues - y_true) / samples: divided by the SAMPLES, not the classes.
    void backward(const Matrix& dvalues, const Labels& y_true) {
        std::vector<int> classes = class_targets(y_true);
        double samples = static_cast<double>(dvalues.rows);
        dinputs = dvalues;
        for (std::size_t b = 0; b < dvalues.rows; b++)
            dinputs(b, static_cast<std::size_t>(classes[b])) -= 1;
        for (double& d : dinputs.data) d = d / samples;
    }
};

// ---------------------------------------------------------------------------------------------
// Optimizers (chapter 10). Each keeps the book's members and three calls per step.

class Optimizer {
public:
    double learning_rate, current_learning_rate, decay;
    long iterations = 0;

    Optimizer(double learning_rate, double decay)
        : learning_rate(learning_rate), current_learning_rate(learning_rate), decay(decay) {}
    virtual ~Optimizer() = default;

    // NOTE: lr0 / (1 + decay * iterations), from the initial rate, never compounded.
    void pre_update_params() {
        if (decay != 0)
            current_learning_rate =
                learning_rate * (1. / (1. + decay * static_cast<double>(iterations)));
    }
    virtual void update_params(LayerDense& layer) = 0;
    void post_update_params() { iterations += 1; }

protected:
    // Every parameter (weights, then biases) with its gradient and its two state slots.
    template <typename Rule>
    static void each_parameter(LayerDense& layer, Rule rule) {
        if (layer.weight_momentums.data.empty())
            layer.weight_momentums = Matrix(layer.weights.rows, layer.weights.cols);
        if (layer.weight_cache.data.empty())
            layer.weight_cache = Matrix(layer.weights.rows, layer.weights.cols);
        layer.bias_momentums.resize(layer.biases.size());
        layer.bias_cache.resize(layer.biases.size());
        for (std::size_t i = 0; i < layer.weights.data.size(); i++)
            rule(layer.weights.data[i], layer.dweights.data[i], layer.weight_momentums.data[i],
                 layer.weight_cache.data[i]);
        for (std::size_t n = 0; n < layer.biases.size(); n++)
            rule(layer.biases[n], layer.dbiases[n], layer.bias_momentums[n], layer.bias_cache[n]);
    }
};

class OptimizerSGD : public Optimizer {
public:
    double momentum;

    explicit OptimizerSGD(double learning_rate = 1., double decay = 0., double momentum = 0.)
        : Optimizer(learning_rate, decay), momentum(momentum) {}

    // NOTE: the book's momentum, m = momentum * m - lr * g; w += m. Without momentum the
    // momentum arrays are left as they are.
    void update_params(LayerDense& layer) override {
        double lr = current_learning_rate, mu = momentum;
        each_parameter(layer, [lr, mu](double& p, double g, double& momentums, double&) {
            if (mu != 0) {
                momentums = mu * momentums - lr * g;
                p += momentums;
            } else {
                p += -lr * g;
            }
        });
    }
};

class OptimizerAdagrad : public Optimizer {
public:
    double epsilon;

    explicit OptimizerAdagrad(double learning_rate = 1., double decay = 0., double epsilon = 1e-7)
        : Optimizer(learning_rate, decay), epsilon(epsilon) {}

    // NOTE: epsilon is added OUTSIDE the square root.
    void update_params(LayerDense& layer) override {
        double lr = current_learning_rate, eps = epsilon;
        each_parameter(layer, [lr, eps](double& p, double g, double&, double& cache) {
            cache += g * g;
            p += -lr * g / (std::sqrt(cache) + eps);
        });
    }
};

class OptimizerRMSprop : public Optimizer {
public:
    double epsilon, rho;

    explicit OptimizerRMSprop(double learning_rate = 0.001, double decay = 0.,
                              double epsilon = 1e-7, double rho = 0.9)
        : Optimizer(learning_rate, decay), epsilon(epsilon), rho(rho) {}

    void update_params(LayerDense& layer) override {
        double lr = current_learning_rate, eps = epsilon, r = rho;
        each_parameter(layer, [lr, eps, r](double& p, double g, double&, double& cache) {
            cache = r * cache + (1 - r) * (g * g);
            p += -lr * g / (std::sqrt(cache) + eps);
        });
    }
};

class OptimizerAdam : public Optimizer {
public:
    double epsilon, beta_1, beta_2;

    explicit OptimizerAdam(double learning_rate = 0.001, double decay = 0., double epsilon = 1e-7,
                           double beta_1 = 0.9, double beta_2 = 0.999)
        : Optimizer(learning_rate, decay), epsilon(epsilon), beta_1(beta_1), beta_2(beta_2) {}

    // NOTE: the corrections divide by 1 - beta^(iterations + 1), and epsilon is added to the
    // square root of the CORRECTED cache.
    void update_params(LayerDense& layer) override {
        double lr = current_learning_rate, eps = epsilon, b1 = beta_1, b2 = beta_2;
        double correction_1 = 1 - std::pow(b1, static_cast<double>(iterations + 1));
        double correction_2 = 1 - std::pow(b2, static_cast<double>(iterations + 1));
        each_parameter(layer, [=](double& p, double g, double& momentums, double& cache) {
            momentums = b1 * momentums + (1 - b1) * g;
            double momentums_corrected = momentums / correction_1;
            cache = b2 * cache + (1 - b2) * (g * g);
            double cache_corrected = cache / correction_2;
            p += -lr * momentums_corrected / (std::sqrt(cache_corrected) + eps);
        });
    }
};

// ---------------------------------------------------------------------------------------------
// Layer_Dropout (chapter 15)

class LayerDropout {
public:
    double rate;  // the KEEP rate: Layer_Dropout(0.1) keeps 90 %
    Matrix inputs, binary_mask, output, dinputs;

    explicit LayerDropout(double rate) : rate(1 - rate) {}

    // draws: what np.random.binomial(1, self.rate, size=inputs.shape) drew (1 keeps).
    void forward(const Matrix& inputs, const Matrix& draws) {
        this->inputs = inputs;
        binary_mask = draws;
        for (double& m : binary_mask.data) m = m / rate;
        output = inputs;
        for (std::size_t i = 0; i < output.data.size(); i++) output.data[i] *= binary_mask.data[i];
    }

    void backward(const Matrix& dvalues) {
        dinputs = dvalues;
        for (std::size_t i = 0; i < dinputs.data.size(); i++)
            dinputs.data[i] *= binary_mask.data[i];
    }
};

// ---------------------------------------------------------------------------------------------
// Activation_Sigmoid and Loss_BinaryCrossentropy (chapter 16)

class ActivationSigmoid : public Layer {
public:
    Matrix inputs;

    void forward(const Matrix& inputs) override {
        this->inputs = inputs;
        output = inputs;
        for (double& x : output.data) x = 1 / (1 + std::exp(-x));
    }

    void backward(const Matrix& dvalues) override {
        dinputs = dvalues;
        for (std::size_t i = 0; i < dinputs.data.size(); i++)
            dinputs.data[i] *= (1 - output.data[i]) * output.data[i];
    }

    // Chapter 18: (outputs > 0.5) * 1. NOTE: exactly 0.5 is class 0.
    IntMatrix predictions(const Matrix& outputs) const {
        IntMatrix classes(outputs.rows, outputs.cols);
        for (std::size_t i = 0; i < outputs.data.size(); i++)
            classes.data[i] = outputs.data[i] > 0.5 ? 1 : 0;
        return classes;
    }
};

// Each sample's loss is the mean over its outputs (np.mean(..., axis=-1)).
inline Vector mean_over_outputs(const Matrix& losses) {
    Vector sample_losses;
    for (std::size_t b = 0; b < losses.rows; b++)
        sample_losses.push_back(mean(Vector(losses.data.begin() + b * losses.cols,
                                            losses.data.begin() + (b + 1) * losses.cols)));
    return sample_losses;
}

class LossBinaryCrossentropy : public Loss<Matrix> {
public:
    Vector forward(const Matrix& y_pred, const Matrix& y_true) override {
        Matrix losses(y_pred.rows, y_pred.cols);
        for (std::size_t i = 0; i < losses.data.size(); i++) {
            double p = clip(y_pred.data[i]), y = y_true.data[i];
            losses.data[i] = -(y * std::log(p) + (1 - y) * std::log(1 - p));
        }
        return mean_over_outputs(losses);
    }

    // NOTE: the predictions are clipped in the backward pass too.
    void backward(const Matrix& dvalues, const Matrix& y_true) {
        double samples = static_cast<double>(dvalues.rows);
        double outputs = static_cast<double>(dvalues.cols);
        dinputs = Matrix(dvalues.rows, dvalues.cols);
        for (std::size_t i = 0; i < dinputs.data.size(); i++) {
            double clipped_dvalues = clip(dvalues.data[i]), y = y_true.data[i];
            dinputs.data[i] = -(y / clipped_dvalues - (1 - y) / (1 - clipped_dvalues)) / outputs;
            dinputs.data[i] = dinputs.data[i] / samples;
        }
    }
};

// ---------------------------------------------------------------------------------------------
// Loss_MeanSquaredError and Loss_MeanAbsoluteError (chapter 17)

class LossMeanSquaredError : public Loss<Matrix> {
public:
    Vector forward(const Matrix& y_pred, const Matrix& y_true) override {
        Matrix losses(y_pred.rows, y_pred.cols);
        for (std::size_t i = 0; i < losses.data.size(); i++)
            losses.data[i] = (y_true.data[i] - y_pred.data[i]) * (y_true.data[i] - y_pred.data[i]);
        return mean_over_outputs(losses);
    }

    void backward(const Matrix& dvalues, const Matrix& y_true) {
        double samples = static_cast<double>(dvalues.rows);
        double outputs = static_cast<double>(dvalues.cols);
        dinputs = Matrix(dvalues.rows, dvalues.cols);
        for (std::size_t i = 0; i < dinputs.data.size(); i++)
            dinputs.data[i] = -2 * (y_true.data[i] - dvalues.data[i]) / outputs / samples;
    }
};

// np.sign: -1, 0 or 1 (sign(0) = 0).
inline double sign(double x) { return x > 0 ? 1.0 : x < 0 ? -1.0 : x; }

class LossMeanAbsoluteError : public Loss<Matrix> {
public:
    Vector forward(const Matrix& y_pred, const Matrix& y_true) override {
        Matrix losses(y_pred.rows, y_pred.cols);
        for (std::size_t i = 0; i < losses.data.size(); i++)
            losses.data[i] = std::fabs(y_true.data[i] - y_pred.data[i]);
        return mean_over_outputs(losses);
    }

    // NOTE: sign(y_pred - y_true), the true gradient; the book's np.sign(y_true - dvalues)
    // has the wrong sign.
    void backward(const Matrix& dvalues, const Matrix& y_true) {
        double samples = static_cast<double>(dvalues.rows);
        double outputs = static_cast<double>(dvalues.cols);
        dinputs = Matrix(dvalues.rows, dvalues.cols);
        for (std::size_t i = 0; i < dinputs.data.size(); i++)
            dinputs.data[i] = sign(dvalues.data[i] - y_true.data[i]) / outputs / samples;
    }
};

// ---------------------------------------------------------------------------------------------
// Activation_Linear (chapter 17): the identity, for a regression's output layer

class ActivationLinear : public Layer {
public:
    Matrix inputs;

    void forward(const Matrix& inputs) override {
        this->inputs = inputs;
        output = inputs;
    }

    // The derivative is 1: dvalues pass unchanged.
    void backward(const Matrix& dvalues) override { dinputs = dvalues; }

    // Chapter 18: a regression's predictions are the outputs themselves.
    Matrix predictions(const Matrix& outputs) const { return outputs; }
};

// ---------------------------------------------------------------------------------------------
// Accuracy, Accuracy_Categorical and Accuracy_Regression (chapter 18)

// The common class: a batch's accuracy is the mean of its comparisons, and the comparisons are
// summed across the batches of a pass for calculate_accumulated.
class Accuracy {
public:
    double accumulated_sum = 0;
    std::size_t accumulated_count = 0;

    double calculate_accumulated() const {
        return accumulated_sum / static_cast<double>(accumulated_count);
    }

    void new_pass() {
        accumulated_sum = 0;
        accumulated_count = 0;
    }

protected:
    double calculate(const std::vector<bool>& comparisons) {
        double sum = 0;
        for (bool comparison : comparisons) sum += comparison;
        accumulated_sum += sum;
        accumulated_count += comparisons.size();
        return sum / static_cast<double>(comparisons.size());
    }
};

class AccuracyCategorical : public Accuracy {
public:
    // Model.train calls accuracy.init(y); a categorical accuracy has nothing to set up.
    void init(const Labels&) {}

    // Softmax's class indices against the targets (one-hot rows through np.argmax).
    double calculate(const std::vector<int>& predictions, const Labels& y) {
        std::vector<int> classes = class_targets(y);
        std::vector<bool> comparisons;
        for (std::size_t b = 0; b < predictions.size(); b++)
            comparisons.push_back(predictions[b] == classes[b]);
        return Accuracy::calculate(comparisons);
    }

    // binary=True: a sigmoid's 0/1 predictions against 0/1 targets, every output counted.
    double calculate(const IntMatrix& predictions, const Matrix& y) {
        std::vector<bool> comparisons;
        for (std::size_t i = 0; i < predictions.data.size(); i++)
            comparisons.push_back(predictions.data[i] == y.data[i]);
        return Accuracy::calculate(comparisons);
    }
};

class AccuracyRegression : public Accuracy {
public:
    // The book's init sets np.std(y) / 250; the cases give it.
    double precision = 0;

    // NOTE: strictly within the precision.
    double calculate(const Matrix& predictions, const Matrix& y) {
        std::vector<bool> comparisons;
        for (std::size_t i = 0; i < predictions.data.size(); i++)
            comparisons.push_back(std::fabs(predictions.data[i] - y.data[i]) < precision);
        return Accuracy::calculate(comparisons);
    }
};

// ---------------------------------------------------------------------------------------------
// Model.train's mini-batches (chapter 18)

// train_steps = len(X) // batch_size, plus one for a short last batch.
inline std::size_t batch_steps(std::size_t samples, std::size_t batch_size) {
    std::size_t steps = samples / batch_size;
    if (steps * batch_size < samples) steps += 1;
    return steps;
}

// ---------------------------------------------------------------------------------------------
// Model.save_parameters and Model.load_parameters (chapter 21)

// Model.get_parameters: one (weights, biases) pair per trainable layer, in order.
using Parameters = std::vector<std::pair<Matrix, Vector>>;

// The book pickles the list; here it goes to the file in binary, each array's shape and then
// its doubles as they are in memory, so every bit comes back.
inline void save_parameters(const Parameters& parameters, std::FILE* file) {
    auto write = [file](const void* data, std::size_t size, std::size_t count) {
        if (std::fwrite(data, size, count, file) != count)
            throw std::runtime_error("save_parameters: cannot write the file");
    };
    std::uint64_t layers = parameters.size();
    write(&layers, sizeof layers, 1);
    for (const auto& [weights, biases] : parameters) {
        std::uint64_t shape[3] = {weights.rows, weights.cols, biases.size()};
        write(shape, sizeof shape[0], 3);
        write(weights.data.data(), sizeof(double), weights.data.size());
        write(biases.data(), sizeof(double), biases.size());
    }
}

inline Parameters load_parameters(std::FILE* file) {
    auto read = [file](void* data, std::size_t size, std::size_t count) {
        if (std::fread(data, size, count, file) != count)
            throw std::runtime_error("load_parameters: the file ends too soon");
    };
    std::uint64_t layers = 0;
    read(&layers, sizeof layers, 1);
    Parameters parameters;
    for (std::uint64_t i = 0; i < layers; i++) {
        std::uint64_t shape[3];
        read(shape, sizeof shape[0], 3);
        Matrix weights(shape[0], shape[1]);
        Vector biases(shape[2]);
        read(weights.data.data(), sizeof(double), weights.data.size());
        read(biases.data(), sizeof(double), biases.size());
        parameters.emplace_back(std::move(weights), std::move(biases));
    }
    return parameters;
}

// ---------------------------------------------------------------------------------------------
// Model (chapters 18-19), for a classifier: layers ending in Softmax, the categorical
// cross-entropy with the combined backward pass, Accuracy_Categorical. It holds pointers to the
// caller's layers, loss, optimizer and accuracy, as the book's Model holds its objects.

class Model {
public:
    std::vector<Layer*> layers;
    std::vector<LayerDense*> trainable_layers;
    LossCategoricalCrossentropy* loss = nullptr;
    Optimizer* optimizer = nullptr;
    AccuracyCategorical* accuracy = nullptr;
    ActivationSoftmax* output_layer_activation = nullptr;
    ActivationSoftmaxLossCategoricalCrossentropy softmax_classifier_output;

    // What train prints after each epoch, and evaluate after it.
    struct Epoch {
        double loss, data_loss, regularization_loss, accuracy, learning_rate;
        double validation_loss, validation_accuracy;
    };

    void add(Layer& layer) { layers.push_back(&layer); }

    void set(LossCategoricalCrossentropy& loss, Optimizer& optimizer,
             AccuracyCategorical& accuracy) {
        this->loss = &loss;
        this->optimizer = &optimizer;
        this->accuracy = &accuracy;
    }

    void finalize() {
        trainable_layers.clear();
        for (Layer* layer : layers)
            if (auto* dense = dynamic_cast<LayerDense*>(layer)) trainable_layers.push_back(dense);
        output_layer_activation = dynamic_cast<ActivationSoftmax*>(layers.back());
        if (output_layer_activation == nullptr)
            throw std::logic_error("Model: this port's Model ends in Activation_Softmax");
        loss->remember_trainable_layers(trainable_layers);
    }

    // NOTE: each step takes the next batch_size rows in the order given (the book shuffles the
    // data once, before training); a short last batch is a step of its own.
    std::vector<Epoch> train(const Matrix& X, const Labels& y, long epochs, long batch_size,
                             const Matrix& X_val, const Labels& y_val) {
        accuracy->init(y);
        std::size_t size = static_cast<std::size_t>(batch_size);
        std::size_t train_steps = batch_steps(X.rows, size);
        std::vector<Epoch> printed;
        for (long epoch = 1; epoch <= epochs; epoch++) {
            loss->new_pass();
            accuracy->new_pass();
            for (std::size_t step = 0; step < train_steps; step++) {
                Matrix batch_X = slice(X, step * size, (step + 1) * size);
                Labels batch_y = slice(y, step * size, (step + 1) * size);
                const Matrix& output = forward(batch_X);
                loss->calculate(output, batch_y);
                accuracy->calculate(output_layer_activation->predictions(output), batch_y);
                backward(output, batch_y);
                // NOTE: iterations rises once per step, across epochs: the rate keeps decaying.
                optimizer->pre_update_params();
                for (LayerDense* layer : trainable_layers) optimizer->update_params(*layer);
                optimizer->post_update_params();
            }
            // NOTE: accumulated over the epoch's samples, not the mean of the batch means; the
            // regularization loss from the parameters after the epoch's last update.
            double epoch_data_loss = loss->calculate_accumulated();
            double epoch_regularization_loss = loss->regularization_loss();
            Epoch line{epoch_data_loss + epoch_regularization_loss, epoch_data_loss,
                       epoch_regularization_loss, accuracy->calculate_accumulated(),
                       optimizer->current_learning_rate, 0, 0};
            std::tie(line.validation_loss, line.validation_accuracy) =
                evaluate(X_val, y_val, batch_size);
            printed.push_back(line);
        }
        return printed;
    }

    // The validation data in batches, forward only: the accumulated data loss (NOTE: no
    // regularization) and accuracy.
    std::pair<double, double> evaluate(const Matrix& X_val, const Labels& y_val, long batch_size) {
        std::size_t size = static_cast<std::size_t>(batch_size);
        std::size_t validation_steps = batch_steps(X_val.rows, size);
        loss->new_pass();
        accuracy->new_pass();
        for (std::size_t step = 0; step < validation_steps; step++) {
            Matrix batch_X = slice(X_val, step * size, (step + 1) * size);
            Labels batch_y = slice(y_val, step * size, (step + 1) * size);
            const Matrix& output = forward(batch_X);
            loss->calculate(output, batch_y);
            accuracy->calculate(output_layer_activation->predictions(output), batch_y);
        }
        return {loss->calculate_accumulated(), accuracy->calculate_accumulated()};
    }

    const Matrix& forward(const Matrix& X) {
        layers[0]->forward(X);
        for (std::size_t i = 1; i < layers.size(); i++) layers[i]->forward(layers[i - 1]->output);
        return layers.back()->output;
    }

    // The combined softmax and cross-entropy gradient goes to the last layer's dinputs; the
    // rest flow back through the layers before it.
    void backward(const Matrix& output, const Labels& y) {
        softmax_classifier_output.backward(output, y);
        layers.back()->dinputs = softmax_classifier_output.dinputs;
        for (std::size_t i = layers.size() - 1; i-- > 0;)
            layers[i]->backward(layers[i + 1]->dinputs);
    }
};
