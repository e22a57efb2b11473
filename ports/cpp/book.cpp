// The book tier in C++17, function by function as ports/python/book.py (docs/BOOK.md).
//
// After nnfs.init() the book computes in float32, so everything here is `float`: C++ does each
// float + - * / and sqrt in float32, correctly rounded, which is what NumPy does. The traps
// are C++'s own:
// - a float meeting a double is promoted to double: the book's Python scalars (0.01, lr, ...)
//   are rounded to float first, with f32(), so that the operation stays a float32 one;
// - std::exp(float) and std::log(float) are the float overloads (expf, logf), not correctly
//   rounded: the book's exp and log are done in double and rounded once (exp32, log32);
// - a compiler may fuse a * b + c into one FMA, which rounds once instead of twice: the
//   Makefile builds this file with -ffp-contract=off.

#include "book.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <utility>

namespace book {

// ---------------------------------------------------------------------------------------------
// np.random.seed(seed): NumPy's legacy stream

double RandomState::random_sample() {
    // NumPy's random_sample: 27 bits, then 26 bits, of two outputs make one 53-bit double
    double a = u32() >> 5, b = u32() >> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
}

double RandomState::randn() {
    // NOTE: the polar method makes two Gaussians; the second is cached and returned by the
    //       next call, whatever was drawn in between (doubles and u32 do not clear it).
    if (has_gauss_) {
        has_gauss_ = false;
        return gauss_;
    }
    double x1, x2, r2;
    do {
        x1 = 2.0 * random_sample() - 1.0;
        x2 = 2.0 * random_sample() - 1.0;
        r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1.0 || r2 == 0.0);
    double f = std::sqrt(-2.0 * std::log(r2) / r2);
    gauss_ = f * x1;
    has_gauss_ = true;
    return f * x2;
}

nnfs::Vector rng(std::uint32_t seed, const std::vector<nnfs::RngCall>& calls) {
    // kind 0 a 32-bit output, 1 a double, 2 a Gaussian: every draw, in call order
    RandomState state(seed);
    nnfs::Vector values;
    for (const auto& call : calls)
        for (std::size_t i = 0; i < call.count; i++)
            values.push_back(call.kind == 0   ? state.u32()
                             : call.kind == 1 ? state.random_sample()
                                              : state.randn());
    return values;
}

// ---------------------------------------------------------------------------------------------
// float32, the book's dtype after nnfs.init()

// A Python scalar (or a double result) as NumPy meets it in a float32 array: rounded once.
inline float f32(double x) { return static_cast<float>(x); }

// NOTE: exp and log correctly rounded, in double then rounded once (never std::exp(float)).
inline float exp32(float x) { return f32(std::exp(static_cast<double>(x))); }
inline float log32(float x) { return f32(std::log(static_cast<double>(x))); }

// A float32 NumPy array of rank 2, row-major (samples x features, inputs x neurons).
struct Array32 {
    std::size_t rows = 0, cols = 0;
    std::vector<float> data;

    Array32() = default;
    Array32(std::size_t rows, std::size_t cols) : rows(rows), cols(cols), data(rows * cols) {}
    float& operator()(std::size_t r, std::size_t c) { return data[r * cols + c]; }
    float operator()(std::size_t r, std::size_t c) const { return data[r * cols + c]; }
};

// What the kit sends back: the float32 values widened to double, exactly.
nnfs::Matrix widen(const Array32& a, std::size_t rows) {
    nnfs::Matrix m(rows, a.cols);
    std::copy(a.data.begin(), a.data.begin() + static_cast<std::ptrdiff_t>(rows * a.cols),
              m.data.begin());
    return m;
}
nnfs::Matrix widen(const Array32& a) { return widen(a, a.rows); }

// ---------------------------------------------------------------------------------------------
// nnfs.datasets

// np.linspace(start, stop, num)[i]: i * step + start, and the last element exactly stop
double linspace(double start, double stop, std::size_t num, std::size_t i) {
    if (num > 1 && i == num - 1) return stop;
    double step = num > 1 ? (stop - start) / static_cast<double>(num - 1) : 0.0;
    return static_cast<double>(i) * step + start;
}

struct Data {
    Array32 X;
    std::vector<int> y;
};

Data spiral_data(RandomState& state, std::size_t samples, std::size_t classes) {
    Data data{Array32(samples * classes, 2), std::vector<int>(samples * classes)};
    for (std::size_t class_number = 0; class_number < classes; class_number++) {
        double start = 4.0 * static_cast<double>(class_number), stop = start + 4.0;
        for (std::size_t i = 0; i < samples; i++) {
            // NOTE: randn is rounded to float32, then multiplied by float32(0.2) in float32
            float noise = f32(state.randn()) * f32(0.2);
            double r = linspace(0.0, 1.0, samples, i);
            double t = linspace(start, stop, samples, i) + noise;
            // NOTE: t, sin, cos and the products are double; X stores them as float32
            std::size_t row = class_number * samples + i;
            data.X(row, 0) = f32(r * std::sin(t * 2.5));
            data.X(row, 1) = f32(r * std::cos(t * 2.5));
            data.y[row] = static_cast<int>(class_number);
        }
    }
    return data;
}

Data vertical_data(RandomState& state, std::size_t samples, std::size_t classes) {
    Data data{Array32(samples * classes, 2), std::vector<int>(samples * classes)};
    for (std::size_t class_number = 0; class_number < classes; class_number++) {
        std::size_t first = class_number * samples;
        float shift = f32(static_cast<double>(class_number) / 3);
        // NOTE: all the class's x first, then all its y
        for (std::size_t i = 0; i < samples; i++)
            data.X(first + i, 0) = f32(state.randn()) * f32(0.1) + shift;
        for (std::size_t i = 0; i < samples; i++) {
            data.X(first + i, 1) = f32(state.randn()) * f32(0.1) + f32(0.5);
            data.y[first + i] = static_cast<int>(class_number);
        }
    }
    return data;
}

nnfs::Dataset sine_data(std::size_t samples) {
    // NOTE: float64, no random numbers (np.arange is not patched by nnfs.init)
    nnfs::Matrix X(samples, 1), y(samples, 1);
    for (std::size_t i = 0; i < samples; i++) {
        X(i, 0) = static_cast<double>(i) / static_cast<double>(samples);
        y(i, 0) = std::sin(2 * 3.141592653589793 * X(i, 0));
    }
    return {X, y};
}

nnfs::Dataset datasets(std::uint32_t seed, std::size_t samples, std::size_t classes,
                       const std::string& dataset) {
    if (dataset == "sine") return sine_data(samples);
    RandomState state(seed);
    Data data = dataset == "spiral" ? spiral_data(state, samples, classes)
                                    : vertical_data(state, samples, classes);
    return {widen(data.X), data.y};
}

// ---------------------------------------------------------------------------------------------
// Layer_Dense's initial weights

Array32 layer_weights(RandomState& state, std::size_t n_inputs, std::size_t n_neurons,
                      double scale = 0.01) {
    // NOTE: 0.01 * randn(n_inputs, n_neurons): float32(0.01) times float32(randn), row-major
    Array32 weights(n_inputs, n_neurons);
    for (float& w : weights.data) w = f32(scale) * f32(state.randn());
    return weights;
}

nnfs::Vector init(std::uint32_t seed, std::size_t skip,
                  const std::vector<nnfs::LayerShape>& shapes, double scale) {
    // `skip` Gaussians first (the dataset's), then each layer's weights in order
    RandomState state(seed);
    for (std::size_t i = 0; i < skip; i++) state.randn();
    nnfs::Vector weights;
    for (const auto& shape : shapes) {
        Array32 layer = layer_weights(state, shape.n_inputs, shape.n_neurons, scale);
        weights.insert(weights.end(), layer.data.begin(), layer.data.end());
    }
    return weights;
}

// ---------------------------------------------------------------------------------------------
// Chapter 19: np.random.shuffle(keys)

std::vector<std::size_t> shuffle(std::uint32_t seed, std::size_t samples) {
    // NumPy's legacy Fisher-Yates (not std::shuffle, whose draws differ): from the last key
    // down, the partner j of key i is a 32-bit output masked to i's bits, drawn again while
    // it is above i.
    RandomState state(seed);
    std::vector<std::size_t> keys(samples);
    std::iota(keys.begin(), keys.end(), std::size_t{0});
    for (std::size_t i = samples; i-- > 1;) {
        std::uint32_t mask = static_cast<std::uint32_t>(i);
        for (int shift : {1, 2, 4, 8, 16}) mask |= mask >> shift;
        std::uint32_t j;
        do {
            j = state.u32() & mask;
        } while (j > i);
        std::swap(keys[i], keys[j]);
    }
    return keys;
}

// ---------------------------------------------------------------------------------------------
// The book's chapter 3-10 script

// np.dot after nnfs.init(): (B, K) x (K, N), products and sums in double, rounded once
Array32 dot(const Array32& a, const Array32& b) {
    Array32 out(a.rows, b.cols);
    for (std::size_t i = 0; i < a.rows; i++)
        for (std::size_t j = 0; j < b.cols; j++) {
            double total = 0.0;
            for (std::size_t k = 0; k < a.cols; k++)
                total += static_cast<double>(a(i, k)) * static_cast<double>(b(k, j));
            out(i, j) = f32(total);
        }
    return out;
}

Array32 transpose(const Array32& a) {
    Array32 out(a.cols, a.rows);
    for (std::size_t i = 0; i < a.rows; i++)
        for (std::size_t j = 0; j < a.cols; j++) out(j, i) = a(i, j);
    return out;
}

// np.sum / np.mean of a float32 vector: NumPy's pairwise summation, in float32: 8
// accumulators up to 128 values, halves (at a multiple of 8) above.
float pairwise_sum(const float* values, std::size_t n) {
    if (n < 8) {
        float total = 0.0f;
        for (std::size_t i = 0; i < n; i++) total += values[i];
        return total;
    }
    if (n <= 128) {
        float r[8];
        std::copy(values, values + 8, r);
        std::size_t i = 8;
        for (; i < n - n % 8; i += 8)
            for (std::size_t j = 0; j < 8; j++) r[j] += values[i + j];
        float total = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++) total += values[i];
        return total;
    }
    std::size_t half = n / 2;
    half -= half % 8;
    return pairwise_sum(values, half) + pairwise_sum(values + half, n - half);
}

class LayerDense {
public:
    Array32 weights, biases;  // (n_inputs, n_neurons), (1, n_neurons)
    Array32 inputs, output, dweights, dbiases, dinputs;
    // What the optimizers keep on the layer, as the book adds them.
    Array32 weight_momentums, weight_cache, bias_momentums, bias_cache;

    LayerDense(RandomState& state, std::size_t n_inputs, std::size_t n_neurons)
        : weights(layer_weights(state, n_inputs, n_neurons)), biases(1, n_neurons) {}

    void forward(const Array32& inputs) {
        this->inputs = inputs;
        output = dot(inputs, weights);
        for (std::size_t b = 0; b < output.rows; b++)
            for (std::size_t n = 0; n < output.cols; n++) output(b, n) += biases(0, n);
    }

    void backward(const Array32& dvalues) {
        dweights = dot(transpose(inputs), dvalues);
        // NOTE: np.sum(axis=0): row after row, in float32
        dbiases = Array32(1, dvalues.cols);
        for (std::size_t b = 0; b < dvalues.rows; b++)
            for (std::size_t n = 0; n < dvalues.cols; n++) dbiases(0, n) += dvalues(b, n);
        dinputs = dot(dvalues, transpose(weights));
    }
};

Array32 relu_forward(const Array32& inputs) {
    Array32 output = inputs;
    for (float& x : output.data) x = x > 0 ? x : 0.0f;
    return output;
}

Array32 softmax_forward(const Array32& inputs) {
    Array32 output(inputs.rows, inputs.cols);
    for (std::size_t b = 0; b < inputs.rows; b++) {
        float largest = inputs(b, 0);
        for (std::size_t c = 1; c < inputs.cols; c++) largest = std::max(largest, inputs(b, c));
        float total = 0.0f;
        for (std::size_t c = 0; c < inputs.cols; c++) {
            output(b, c) = exp32(inputs(b, c) - largest);
            total += output(b, c);
        }
        for (std::size_t c = 0; c < inputs.cols; c++) output(b, c) /= total;
    }
    return output;
}

// np.argmax(row): strictly greater, so the FIRST maximum wins (chapter 5's ties give 0.34)
std::size_t argmax(const Array32& m, std::size_t row) {
    std::size_t best = 0;
    for (std::size_t c = 1; c < m.cols; c++)
        if (m(row, c) > m(row, best)) best = c;
    return best;
}

// Loss_CategoricalCrossentropy.calculate: the mean of -log(clip(p_true, 1e-7, 1 - 1e-7))
float loss_of(const Array32& probs, const std::vector<int>& y) {
    const float clip_low = f32(1e-7), clip_high = f32(1 - 1e-7);
    std::vector<float> losses;
    for (std::size_t b = 0; b < probs.rows; b++) {
        float p = std::min(std::max(probs(b, static_cast<std::size_t>(y[b])), clip_low),
                           clip_high);
        losses.push_back(-log32(p));
    }
    // NOTE: np.mean: the pairwise sum, then one division by the count
    return f32(pairwise_sum(losses.data(), losses.size()) / static_cast<double>(losses.size()));
}

// Activation_Softmax_Loss_CategoricalCrossentropy.backward: (p - y) / samples
Array32 combined_backward(const Array32& probs, const std::vector<int>& y) {
    Array32 dinputs = probs;
    double samples = static_cast<double>(probs.rows);
    for (std::size_t b = 0; b < probs.rows; b++) {
        dinputs(b, static_cast<std::size_t>(y[b])) -= 1.0f;
        for (std::size_t c = 0; c < probs.cols; c++) dinputs(b, c) = f32(dinputs(b, c) / samples);
    }
    return dinputs;
}

// The chapter 10 optimizers: one update rule per kind, with the book's default epsilon, rho
// and betas (nnfs::Hyperparameters' defaults); every scalar rounded to float32 where it meets
// the float32 parameters.
class Optimizer {
public:
    std::string kind;
    double learning_rate, current_learning_rate, decay, momentum, epsilon, rho, beta_1, beta_2;
    long iterations = 0;

    Optimizer(std::string kind, const nnfs::Hyperparameters& h)
        : kind(std::move(kind)), learning_rate(h.learning_rate),
          current_learning_rate(h.learning_rate), decay(h.decay), momentum(h.momentum),
          epsilon(h.epsilon), rho(h.rho), beta_1(h.beta_1), beta_2(h.beta_2) {}

    // NOTE: double arithmetic, like the book's Python floats
    void pre_update_params() {
        if (decay != 0)
            current_learning_rate =
                learning_rate * (1.0 / (1.0 + decay * static_cast<double>(iterations)));
    }

    void update_params(LayerDense& layer) {
        update(layer.weights, layer.dweights, layer.weight_momentums, layer.weight_cache);
        update(layer.biases, layer.dbiases, layer.bias_momentums, layer.bias_cache);
    }

    void post_update_params() { iterations += 1; }

private:
    void update(Array32& params, const Array32& grads, Array32& m, Array32& c) const {
        if (m.data.empty()) m = Array32(params.rows, params.cols);  // np.zeros_like
        if (c.data.empty()) c = Array32(params.rows, params.cols);
        const float lr = f32(current_learning_rate), eps = f32(epsilon);
        // NOTE: the Python expressions 1 - rho and 1 - beta ** t are doubles, then rounded
        const double t = static_cast<double>(iterations + 1);
        const float correction_1 = f32(1 - std::pow(beta_1, t));
        const float correction_2 = f32(1 - std::pow(beta_2, t));
        for (std::size_t i = 0; i < params.data.size(); i++) {
            float g = grads.data[i], update;
            if (kind == "sgd" && momentum != 0) {
                m.data[i] = f32(momentum) * m.data[i] - lr * g;
                update = m.data[i];
            } else if (kind == "sgd") {
                update = -lr * g;
            } else if (kind == "adagrad") {
                c.data[i] += g * g;
                update = -lr * g / (std::sqrt(c.data[i]) + eps);  // sqrt(float): exact
            } else if (kind == "rmsprop") {
                c.data[i] = f32(rho) * c.data[i] + f32(1 - rho) * (g * g);
                update = -lr * g / (std::sqrt(c.data[i]) + eps);
            } else {  // adam
                m.data[i] = f32(beta_1) * m.data[i] + f32(1 - beta_1) * g;
                float m_hat = m.data[i] / correction_1;
                c.data[i] = f32(beta_2) * c.data[i] + f32(1 - beta_2) * (g * g);
                float c_hat = c.data[i] / correction_2;
                update = -lr * m_hat / (std::sqrt(c_hat) + eps);
            }
            params.data[i] += update;
        }
    }
};

nnfs::Printed chapters(std::uint32_t seed, std::size_t samples, std::size_t classes,
                       std::size_t hidden, std::size_t steps, const std::string& printed,
                       const std::string& optimizer, const nnfs::Hyperparameters& h) {
    // nnfs.init(); spiral_data; Dense(2, hidden), ReLU, Dense(hidden, classes), softmax and
    // cross-entropy; `steps` optimizer steps; then one more forward and backward pass
    Optimizer opt(optimizer, h);
    if (printed == "learning_rate") {  // the epoch line's lr: no data, no training
        for (std::size_t step = 0; step < steps; step++) {
            opt.pre_update_params();
            opt.post_update_params();
        }
        return opt.current_learning_rate;
    }
    RandomState state(seed);
    Data data = spiral_data(state, samples, classes);
    const Array32& X = data.X;
    const std::vector<int>& y = data.y;
    LayerDense dense1(state, 2, hidden);
    LayerDense dense2(state, hidden, classes);
    Array32 probs;
    for (std::size_t step = 0; step <= steps; step++) {
        dense1.forward(X);
        Array32 relu = relu_forward(dense1.output);
        dense2.forward(relu);
        probs = softmax_forward(dense2.output);
        dense2.backward(combined_backward(probs, y));
        Array32 drelu = dense2.dinputs;  // ReLU's backward: 0 where its input is <= 0
        for (std::size_t i = 0; i < drelu.data.size(); i++)
            if (!(dense1.output.data[i] > 0)) drelu.data[i] = 0.0f;
        dense1.backward(drelu);
        if (step < steps) {
            opt.pre_update_params();
            opt.update_params(dense1);
            opt.update_params(dense2);
            opt.post_update_params();
        }
    }
    if (printed == "loss") return static_cast<double>(loss_of(probs, y));
    if (printed == "accuracy") {
        std::size_t hits = 0;
        for (std::size_t b = 0; b < probs.rows; b++)
            hits += argmax(probs, b) == static_cast<std::size_t>(y[b]);
        return static_cast<double>(hits) / static_cast<double>(y.size());  // np.mean: double
    }
    if (printed == "dense1_output") return widen(dense1.output, std::min<std::size_t>(5, X.rows));
    if (printed == "softmax_output") return widen(probs, std::min<std::size_t>(5, X.rows));
    if (printed == "dweights1") return widen(dense1.dweights);
    if (printed == "dbiases1") return widen(dense1.dbiases);
    if (printed == "dweights2") return widen(dense2.dweights);
    if (printed == "dbiases2") return widen(dense2.dbiases);
    if (printed == "weights1") return widen(dense1.weights);
    if (printed == "biases1") return widen(dense1.biases);
    if (printed == "weights2") return widen(dense2.weights);
    if (printed == "biases2") return widen(dense2.biases);
    throw std::invalid_argument("the chapter script prints no " + printed);
}

}  // namespace book
