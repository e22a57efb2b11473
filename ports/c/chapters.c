/* The book's chapter 3-10 script after nnfs.init(), in C11: the values it prints, bit for bit.
 *
 * nnfs.init() makes the book's arithmetic float32 (docs/BOOK.md, section 3), which in C is:
 * - parameters and activations are float, and every elementwise operation is a float
 *   operation (x86-64 and ARM evaluate float in float; the Makefile forbids fused multiply-add);
 * - a Python scalar is rounded to float first: (float)momentum * m, not momentum * m;
 * - np.dot sums its products in a double and rounds once (nnfs replaces np.dot);
 * - exp and log are done in double and rounded once: (float)exp(x), never expf(x);
 * - the learning rate's decay is Python float arithmetic: double.
 * Follows ports/python/book.py function by function.
 */
#include "book.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(sizeof(nnfs_real) == sizeof(float), "the book's script is float32");

static void *need(void *allocated) {
    if (allocated == NULL)
        abort();
    return allocated;
}

static Matrix zeros(size_t rows, size_t cols) {
    size_t count = rows * cols;
    return (Matrix){rows, cols, need(calloc(count > 0 ? count : 1, sizeof(float)))};
}

static Matrix transpose(Matrix m) {
    Matrix t = zeros(m.cols, m.rows);
    for (size_t i = 0; i < m.rows; i++)
        for (size_t j = 0; j < m.cols; j++)
            row(t, j)[i] = row(m, i)[j];
    return t;
}

static void dot(Matrix a, Matrix b, Matrix out) {
    /* np.dot after nnfs.init(): (B, K) x (K, N), each sum in double, rounded once to float.
     * NOTE: a float accumulator would be 1 ULP off in 11-60 % of the elements. */
    for (size_t i = 0; i < a.rows; i++)
        for (size_t j = 0; j < b.cols; j++) {
            double total = 0.0;
            for (size_t k = 0; k < a.cols; k++)
                total += (double)row(a, i)[k] * row(b, k)[j];
            row(out, i)[j] = (float)total;
        }
}

static float pairwise_sum(const float *values, size_t n) {
    /* np.sum / np.mean of a float32 vector: NumPy's pairwise summation, in float: 8
     * interleaved accumulators up to 128 values, two halves above */
    if (n < 8) {
        float total = 0.0f;
        for (size_t i = 0; i < n; i++)
            total += values[i];
        return total;
    }
    if (n <= 128) {
        float r[8];
        memcpy(r, values, sizeof r);
        size_t i = 8;
        for (; i < n - n % 8; i += 8)
            for (size_t j = 0; j < 8; j++)
                r[j] += values[i + j];
        float total = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++)
            total += values[i];
        return total;
    }
    size_t half = n / 2;
    half -= half % 8;
    return pairwise_sum(values, half) + pairwise_sum(values + half, n - half);
}

/* ------------------------------------------------------------------------------------------
 * Layer_Dense, with the optimizer's state kept on the layer as the book keeps it */

typedef struct {
    Matrix weights, biases; /* biases: 1 x N, as np.zeros((1, n_neurons)) */
    Matrix inputs;          /* borrowed from the previous layer */
    Matrix output, dweights, dbiases, dinputs;
    Matrix weight_momentums, bias_momentums, weight_cache, bias_cache;
} LayerDense;

static LayerDense layer_dense(RandomState *state, size_t n_inputs, size_t n_neurons,
                              size_t samples) {
    LayerDense layer = {.weights = zeros(n_inputs, n_neurons), .biases = zeros(1, n_neurons)};
    layer_weights(state, n_inputs, n_neurons, 0.01f, layer.weights.values);
    layer.output = zeros(samples, n_neurons);
    layer.dweights = zeros(n_inputs, n_neurons);
    layer.dbiases = zeros(1, n_neurons);
    layer.dinputs = zeros(samples, n_inputs);
    layer.weight_momentums = zeros(n_inputs, n_neurons);
    layer.bias_momentums = zeros(1, n_neurons);
    layer.weight_cache = zeros(n_inputs, n_neurons);
    layer.bias_cache = zeros(1, n_neurons);
    return layer;
}

static void layer_dense_free(LayerDense *layer) {
    Matrix *owned[] = {&layer->weights,          &layer->biases,         &layer->output,
                       &layer->dweights,         &layer->dbiases,        &layer->dinputs,
                       &layer->weight_momentums, &layer->bias_momentums, &layer->weight_cache,
                       &layer->bias_cache};
    for (size_t i = 0; i < sizeof owned / sizeof owned[0]; i++)
        free(owned[i]->values);
}

static void layer_dense_forward(LayerDense *layer, Matrix inputs) {
    layer->inputs = inputs;
    dot(inputs, layer->weights, layer->output);
    for (size_t b = 0; b < layer->output.rows; b++)
        for (size_t n = 0; n < layer->output.cols; n++)
            row(layer->output, b)[n] += layer->biases.values[n]; /* a float addition */
}

static void layer_dense_backward(LayerDense *layer, Matrix dvalues) {
    Matrix inputs_t = transpose(layer->inputs), weights_t = transpose(layer->weights);
    dot(inputs_t, dvalues, layer->dweights);
    /* np.sum(dvalues, axis=0): row after row, in float */
    for (size_t n = 0; n < dvalues.cols; n++) {
        float total = 0.0f;
        for (size_t b = 0; b < dvalues.rows; b++)
            total += row(dvalues, b)[n];
        layer->dbiases.values[n] = total;
    }
    dot(dvalues, weights_t, layer->dinputs);
    free(inputs_t.values);
    free(weights_t.values);
}

/* ------------------------------------------------------------------------------------------
 * Activation_ReLU, Activation_Softmax, the loss and the accuracy */

static void relu_forward(Matrix inputs, Matrix output) {
    for (size_t i = 0; i < inputs.rows * inputs.cols; i++)
        output.values[i] = inputs.values[i] > 0 ? inputs.values[i] : 0.0f;
}

static void relu_backward(Matrix dvalues, Matrix inputs, Matrix dinputs) {
    for (size_t i = 0; i < inputs.rows * inputs.cols; i++)
        dinputs.values[i] = inputs.values[i] > 0 ? dvalues.values[i] : 0.0f;
}

static void softmax_forward(Matrix inputs, Matrix output) {
    for (size_t b = 0; b < inputs.rows; b++) {
        const float *x = row(inputs, b);
        float *exps = row(output, b);
        float largest = x[0];
        for (size_t c = 1; c < inputs.cols; c++)
            if (x[c] > largest)
                largest = x[c];
        float total = 0.0f;
        for (size_t c = 0; c < inputs.cols; c++) {
            /* NOTE: expf correctly rounded: the float difference, exp in double, rounded once
             *       (a libm's expf need not be correctly rounded) */
            exps[c] = (float)exp(x[c] - largest);
            total += exps[c];
        }
        for (size_t c = 0; c < inputs.cols; c++)
            exps[c] /= total;
    }
}

static size_t argmax(const float *values, size_t count) {
    size_t best = 0;
    for (size_t i = 1; i < count; i++)
        if (values[i] > values[best]) /* strictly greater: the first maximum wins */
            best = i;
    return best;
}

static float loss_of(Matrix probs, const int *y) {
    /* Loss_CategoricalCrossentropy.calculate: the clipped -log of the correct class, np.mean */
    const float clip_low = 1e-7f, clip_high = (float)(1 - 1e-7); /* Python floats, rounded */
    float *losses = need(calloc(probs.rows ? probs.rows : 1, sizeof *losses));
    for (size_t b = 0; b < probs.rows; b++) {
        float p = row(probs, b)[y[b]];
        p = p < clip_low ? clip_low : p > clip_high ? clip_high : p;
        losses[b] = -(float)log(p); /* logf correctly rounded: log in double, rounded once */
    }
    float loss = pairwise_sum(losses, probs.rows) / (float)probs.rows;
    free(losses);
    return loss;
}

static void combined_backward(Matrix probs, const int *y, Matrix dinputs) {
    /* Activation_Softmax_Loss_CategoricalCrossentropy.backward: (p - one_hot) / samples */
    float samples = (float)probs.rows;
    memcpy(dinputs.values, probs.values, probs.rows * probs.cols * sizeof(float));
    for (size_t b = 0; b < probs.rows; b++) {
        row(dinputs, b)[y[b]] -= 1.0f;
        for (size_t c = 0; c < probs.cols; c++)
            row(dinputs, b)[c] /= samples;
    }
}

/* ------------------------------------------------------------------------------------------
 * Optimizer_SGD, Optimizer_Adagrad, Optimizer_RMSprop, Optimizer_Adam */

typedef struct {
    OptimizerKind kind;
    double learning_rate, current_learning_rate, decay, momentum;
    double epsilon, rho, beta_1, beta_2; /* the book's defaults */
    size_t iterations;
} BookOptimizer;

static BookOptimizer book_optimizer(OptimizerKind kind, double learning_rate, double decay,
                                    double momentum) {
    return (BookOptimizer){kind, learning_rate, learning_rate, decay, momentum,
                           1e-7, 0.9, 0.9, 0.999, 0};
}

static void pre_update_params(BookOptimizer *o) {
    if (o->decay != 0) /* double arithmetic, like the book's Python floats */
        o->current_learning_rate =
            o->learning_rate * (1.0 / (1.0 + o->decay * (double)o->iterations));
}

static void post_update_params(BookOptimizer *o) { o->iterations++; }

static void update_array(const BookOptimizer *o, Matrix params, Matrix grads,
                         Matrix momentums, Matrix cache) {
    /* one parameter array, in float, every Python scalar rounded to float first */
    float lr = (float)o->current_learning_rate, eps = (float)o->epsilon;
    double t = (double)(o->iterations + 1);
    for (size_t i = 0; i < params.rows * params.cols; i++) {
        float g = grads.values[i], *m = &momentums.values[i], *c = &cache.values[i];
        float update;
        switch (o->kind) {
        case SGD:
            if (o->momentum != 0) {
                update = (float)o->momentum * *m - lr * g;
                *m = update;
            } else {
                update = -lr * g;
            }
            break;
        case ADAGRAD:
            *c += g * g;
            update = -lr * g / (sqrtf(*c) + eps);
            break;
        case RMSPROP:
            *c = (float)o->rho * *c + (float)(1 - o->rho) * (g * g);
            update = -lr * g / (sqrtf(*c) + eps);
            break;
        case ADAM:
        default: {
            /* NOTE: 1 - beta**t is Python's double arithmetic (pow), rounded to float after */
            *m = (float)o->beta_1 * *m + (float)(1 - o->beta_1) * g;
            float m_hat = *m / (float)(1 - pow(o->beta_1, t));
            *c = (float)o->beta_2 * *c + (float)(1 - o->beta_2) * (g * g);
            float c_hat = *c / (float)(1 - pow(o->beta_2, t));
            update = -lr * m_hat / (sqrtf(c_hat) + eps);
            break;
        }
        }
        params.values[i] += update;
    }
}

static void update_params(const BookOptimizer *o, LayerDense *layer) {
    update_array(o, layer->weights, layer->dweights, layer->weight_momentums, layer->weight_cache);
    update_array(o, layer->biases, layer->dbiases, layer->bias_momentums, layer->bias_cache);
}

/* ------------------------------------------------------------------------------------------
 * The script */

static void widen(Matrix m, size_t rows, double *value) {
    /* the first rows of a float array, as the kit's doubles (widened from float storage) */
    for (size_t i = 0; i < rows * m.cols; i++)
        value[i] = m.values[i];
}

bool chapters(uint32_t seed, size_t samples, size_t classes, size_t hidden, size_t steps,
              Printed printed, OptimizerKind kind, double learning_rate, double decay,
              double momentum, double *value) {
    BookOptimizer optimizer = book_optimizer(kind, learning_rate, decay, momentum);
    if (printed == PRINTED_LEARNING_RATE) { /* the lr: column needs no network */
        for (size_t step = 0; step < steps; step++) {
            pre_update_params(&optimizer);
            post_update_params(&optimizer);
        }
        *value = optimizer.current_learning_rate;
        return true;
    }
    RandomState state;
    random_seed(&state, seed);
    size_t rows = samples * classes;
    Matrix X = zeros(rows, 2);
    int *y = need(calloc(rows ? rows : 1, sizeof *y));
    spiral_data(&state, samples, classes, X.values, y);
    /* NOTE: the draws go on from the dataset's: dense1's weights, then dense2's */
    LayerDense dense1 = layer_dense(&state, 2, hidden, rows);
    LayerDense dense2 = layer_dense(&state, hidden, classes, rows);
    Matrix activation1 = zeros(rows, hidden), probs = zeros(rows, classes);
    Matrix dsoftmax = zeros(rows, classes), drelu = zeros(rows, hidden);

    for (size_t step = 0; step <= steps; step++) {
        layer_dense_forward(&dense1, X);
        relu_forward(dense1.output, activation1);
        layer_dense_forward(&dense2, activation1);
        softmax_forward(dense2.output, probs);
        combined_backward(probs, y, dsoftmax);
        layer_dense_backward(&dense2, dsoftmax);
        relu_backward(dense2.dinputs, dense1.output, drelu);
        layer_dense_backward(&dense1, drelu);
        if (step < steps) {
            pre_update_params(&optimizer);
            update_params(&optimizer, &dense1);
            update_params(&optimizer, &dense2);
            post_update_params(&optimizer);
        }
    }

    size_t first = rows < 5 ? rows : 5; /* the book prints [:5] */
    size_t hits = 0;
    switch (printed) {
    case PRINTED_DENSE1_OUTPUT:
        widen(dense1.output, first, value);
        break;
    case PRINTED_SOFTMAX_OUTPUT:
        widen(probs, first, value);
        break;
    case PRINTED_LOSS:
        *value = loss_of(probs, y);
        break;
    case PRINTED_ACCURACY:
        for (size_t b = 0; b < rows; b++)
            hits += argmax(row(probs, b), classes) == (size_t)y[b];
        *value = (double)hits / (double)rows; /* np.mean of booleans is a float64 */
        break;
    case PRINTED_DWEIGHTS1:
        widen(dense1.dweights, 2, value);
        break;
    case PRINTED_DBIASES1:
        widen(dense1.dbiases, 1, value);
        break;
    case PRINTED_DWEIGHTS2:
        widen(dense2.dweights, hidden, value);
        break;
    case PRINTED_DBIASES2:
        widen(dense2.dbiases, 1, value);
        break;
    case PRINTED_WEIGHTS1:
        widen(dense1.weights, 2, value);
        break;
    case PRINTED_BIASES1:
        widen(dense1.biases, 1, value);
        break;
    case PRINTED_WEIGHTS2:
        widen(dense2.weights, hidden, value);
        break;
    case PRINTED_BIASES2:
        widen(dense2.biases, 1, value);
        break;
    case PRINTED_LEARNING_RATE:
        break; /* answered above */
    }

    layer_dense_free(&dense1);
    layer_dense_free(&dense2);
    free(X.values);
    free(y);
    free(activation1.values);
    free(probs.values);
    free(dsoftmax.values);
    free(drelu.values);
    return true;
}
