/* The stages of Neural Networks from Scratch, chapters 1 to 5, in C11 with float32:
 * loops over arrays of float, expf and logf, as in the book's first chapters. */
#include "nnfs.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* y_pred is clipped to [1e-7, 1 - 1e-7], both bounds rounded to float32:
 * 1.0000000116860974e-07 and 0.9999998807907104. */
static const float CLIP_LOW = 1e-7f;
static const float CLIP_HIGH = (float)(1.0 - 1e-7);

static float *new_floats(size_t count);
static bool check_dense(size_t k, Matrix weights, Vector biases, WeightsLayout layout,
                        Error *error);
static bool check_labels(Labels y_true, size_t samples, size_t classes, Error *error);
static size_t label(Labels y_true, size_t b);
static size_t argmax(const float *values, size_t count);
static float clip(float p);

/* ------------------------------------------------------------------------------------------
 * The stages */

bool neuron(Vector inputs, Vector weights, float bias, float *output, Error *error) {
    /* inputs (K), weights (K), bias -> output: sum of inputs[k] * weights[k], plus bias */
    if (inputs.len != weights.len)
        return fail(error, "shape_mismatch", "inputs has %zu values, weights has %zu",
                    inputs.len, weights.len);
    float total = 0.0f;
    for (size_t k = 0; k < inputs.len; k++)
        total += inputs.values[k] * weights.values[k];
    *output = total + bias;
    return true;
}

bool layer(Vector inputs, Matrix weights, Vector biases, Vector *output, Error *error) {
    /* inputs (K), weights (N, K): one row per neuron, biases (N) -> output (N) */
    if (weights.rows > 0 && weights.cols != inputs.len)
        return fail(error, "shape_mismatch", "weights rows have %zu values, inputs has %zu",
                    weights.cols, inputs.len);
    if (biases.len != weights.rows)
        return fail(error, "shape_mismatch", "biases has %zu values, weights has %zu rows",
                    biases.len, weights.rows);
    output->len = weights.rows;
    output->values = new_floats(output->len);
    for (size_t n = 0; n < weights.rows; n++) {
        float total = 0.0f;
        for (size_t k = 0; k < inputs.len; k++)
            total += inputs.values[k] * row(weights, n)[k];
        output->values[n] = total + biases.values[n];
    }
    return true;
}

bool dense_batch(Matrix inputs, Matrix weights, Vector biases, WeightsLayout layout,
                 Matrix *output, Error *error) {
    /* inputs (B, K); weights (K, N) as Layer_Dense keeps them, or (N, K), one row per neuron
     * as in chapter 2; biases (N) -> output (B, N) = inputs @ weights + biases */
    if (inputs.rows == 0)
        return fail(error, "empty_batch", "inputs has no samples");
    if (!check_dense(inputs.cols, weights, biases, layout, error))
        return false;
    output->rows = inputs.rows;
    output->cols = biases.len;
    output->values = new_floats(output->rows * output->cols);
    for (size_t b = 0; b < inputs.rows; b++) {
        for (size_t n = 0; n < biases.len; n++) {
            float total = 0.0f;
            for (size_t k = 0; k < inputs.cols; k++) {
                float weight = layout == NEURONS_INPUTS ? row(weights, n)[k] : row(weights, k)[n];
                total += row(inputs, b)[k] * weight;
            }
            row(*output, b)[n] = total + biases.values[n];
        }
    }
    return true;
}

void relu(Matrix inputs, Matrix *output) {
    /* any shape -> the same shape, max(0, x) per element (a NaN passes through) */
    size_t count = inputs.rows * inputs.cols;
    *output = inputs;
    output->values = new_floats(count);
    for (size_t i = 0; i < count; i++)
        output->values[i] = inputs.values[i] < 0.0f ? 0.0f : inputs.values[i];
}

bool softmax(Matrix inputs, Matrix *output, Error *error) {
    /* inputs (B, C) logits -> output (B, C), each row sums to 1.
     * NOTE: subtracts the row maximum first, so expf never overflows; the running maximum
     *       starts at the row's first element, not at 0 (a row of negative logits). */
    if (inputs.rows == 0)
        return fail(error, "empty_batch", "inputs has no samples");
    *output = inputs;
    output->values = new_floats(inputs.rows * inputs.cols);
    for (size_t b = 0; b < inputs.rows; b++) {
        const float *logits = row(inputs, b);
        float *probabilities = row(*output, b);
        float largest = inputs.cols > 0 ? logits[0] : 0.0f;
        for (size_t c = 0; c < inputs.cols; c++)
            if (logits[c] > largest)
                largest = logits[c];
        float total = 0.0f;
        for (size_t c = 0; c < inputs.cols; c++) {
            probabilities[c] = expf(logits[c] - largest);
            total += probabilities[c];
        }
        for (size_t c = 0; c < inputs.cols; c++)
            probabilities[c] /= total;
    }
    return true;
}

bool categorical_crossentropy(Matrix y_pred, Labels y_true, Loss *output, Error *error) {
    /* y_pred (B, C) probabilities; y_true (B) class indices or (B, C) one-hot rows
     * -> sample_losses (B), loss: the mean, not the sum.
     * NOTE: y_pred is clipped so logf(0) never happens; natural logarithm. */
    if (y_pred.rows == 0)
        return fail(error, "empty_batch", "y_pred has no samples");
    if (!check_labels(y_true, y_pred.rows, y_pred.cols, error))
        return false;
    output->sample_losses.len = y_pred.rows;
    output->sample_losses.values = new_floats(y_pred.rows);
    float total = 0.0f;
    for (size_t b = 0; b < y_pred.rows; b++) {
        float correct_confidence = 0.0f;
        if (y_true.format == SPARSE) {
            correct_confidence = clip(row(y_pred, b)[label(y_true, b)]);
        } else {
            for (size_t c = 0; c < y_pred.cols; c++)
                correct_confidence += clip(row(y_pred, b)[c]) * row(y_true.onehot, b)[c];
        }
        output->sample_losses.values[b] = -logf(correct_confidence);
        total += output->sample_losses.values[b];
    }
    output->loss = total / (float)y_pred.rows;
    return true;
}

bool accuracy(Matrix y_pred, Labels y_true, Accuracy *output, Error *error) {
    /* y_pred (B, C); y_true (B) class indices or (B, C) one-hot rows
     * -> predictions (B) class indices, accuracy: the fraction that match */
    if (y_pred.rows == 0)
        return fail(error, "empty_batch", "y_pred has no samples");
    if (!check_labels(y_true, y_pred.rows, y_pred.cols, error))
        return false;
    output->count = y_pred.rows;
    output->predictions = calloc(y_pred.rows, sizeof *output->predictions);
    if (output->predictions == NULL) {
        fputs("nnfs: out of memory\n", stderr);
        exit(1);
    }
    size_t matches = 0;
    for (size_t b = 0; b < y_pred.rows; b++) {
        output->predictions[b] = argmax(row(y_pred, b), y_pred.cols);
        if (output->predictions[b] == label(y_true, b))
            matches++;
    }
    output->accuracy = (float)matches / (float)y_pred.rows;
    return true;
}

bool forward(Matrix inputs, Matrix weights1, Vector biases1, Matrix weights2, Vector biases2,
             Labels y_true, Forward *output, Error *error) {
    /* inputs (B, K), weights1 (K, H), biases1 (H), weights2 (H, C), biases2 (C), y_true:
     * the chapter 5 network, dense -> ReLU -> dense -> softmax -> loss and accuracy */
    if (inputs.rows == 0)
        return fail(error, "empty_batch", "inputs has no samples");
    if (!check_dense(inputs.cols, weights1, biases1, INPUTS_NEURONS, error) ||
        !check_dense(biases1.len, weights2, biases2, INPUTS_NEURONS, error) ||
        !check_labels(y_true, inputs.rows, biases2.len, error))
        return false;
    /* the checks above passed, so none of these can fail */
    dense_batch(inputs, weights1, biases1, INPUTS_NEURONS, &output->dense1, error);
    relu(output->dense1, &output->relu1);
    dense_batch(output->relu1, weights2, biases2, INPUTS_NEURONS, &output->dense2, error);
    softmax(output->dense2, &output->softmax, error);
    categorical_crossentropy(output->softmax, y_true, &output->loss, error);
    accuracy(output->softmax, y_true, &output->accuracy, error);
    return true;
}

void free_forward(Forward *output) {
    free(output->dense1.values);
    free(output->relu1.values);
    free(output->dense2.values);
    free(output->softmax.values);
    free(output->loss.sample_losses.values);
    free(output->accuracy.predictions);
}

/* ------------------------------------------------------------------------------------------
 * Small helpers */

bool fail(Error *error, const char *kind, const char *format, ...) {
    va_list args;
    va_start(args, format);
    error->kind = kind;
    vsnprintf(error->message, sizeof error->message, format, args);
    va_end(args);
    return false;
}

static float *new_floats(size_t count) {
    float *values = calloc(count > 0 ? count : 1, sizeof *values);
    if (values == NULL) {
        fputs("nnfs: out of memory\n", stderr);
        exit(1);
    }
    return values;
}

static float clip(float p) {
    /* NOTE: a NaN fails both comparisons and stays NaN, as in np.clip. */
    if (p < CLIP_LOW)
        return CLIP_LOW;
    if (p > CLIP_HIGH)
        return CLIP_HIGH;
    return p;
}

static size_t argmax(const float *values, size_t count) {
    /* NOTE: the FIRST maximum wins on ties (`>`, not `>=`), as np.argmax; like np.argmax,
     *       a NaN counts as the maximum. */
    size_t best = 0;
    for (size_t c = 0; c < count; c++) {
        if (isnan(values[c]))
            return c;
        if (values[c] > values[best])
            best = c;
    }
    return best;
}

static size_t label(Labels y_true, size_t b) {
    /* the class of sample b (labels already checked) */
    if (y_true.format == SPARSE)
        return (size_t)y_true.sparse.values[b];
    return argmax(row(y_true.onehot, b), y_true.onehot.cols);
}

static bool check_dense(size_t k, Matrix weights, Vector biases, WeightsLayout layout,
                        Error *error) {
    /* inputs with k columns fit weights (k, N), or (N, k) one row per neuron; biases hold N */
    size_t neurons;
    if (layout == NEURONS_INPUTS) {
        neurons = weights.rows;
        if (weights.rows > 0 && weights.cols != k)
            return fail(error, "shape_mismatch",
                        "weights rows (neurons) have %zu weights, inputs have %zu columns",
                        weights.cols, k);
    } else {
        neurons = weights.rows > 0 ? weights.cols : 0;
        if (weights.rows != k)
            return fail(error, "shape_mismatch", "weights have %zu rows, inputs have %zu columns",
                        weights.rows, k);
    }
    if (biases.len != neurons)
        return fail(error, "shape_mismatch", "biases have %zu values for %zu neurons",
                    biases.len, neurons);
    return true;
}

static bool check_labels(Labels y_true, size_t samples, size_t classes, Error *error) {
    /* sparse: `samples` integers in [0, classes);
     * onehot: `samples` rows of `classes` values, exactly one 1 among 0s */
    if (y_true.format == SPARSE) {
        if (y_true.sparse.len != samples)
            return fail(error, "shape_mismatch", "y_true has %zu labels for %zu samples",
                        y_true.sparse.len, samples);
        for (size_t b = 0; b < samples; b++) {
            float y = y_true.sparse.values[b];
            if (!isfinite(y) || floorf(y) != y)
                return fail(error, "invalid_label", "y_true[%zu] is %g, not an integer", b,
                            (double)y);
            if (y < 0.0f || y >= (float)classes)
                return fail(error, "label_out_of_range", "y_true[%zu] is %g, not in [0, %zu)",
                            b, (double)y, classes);
        }
        return true;
    }
    if (y_true.onehot.rows != samples)
        return fail(error, "shape_mismatch", "y_true has %zu rows for %zu samples",
                    y_true.onehot.rows, samples);
    if (y_true.onehot.cols != classes)
        return fail(error, "shape_mismatch", "y_true rows have %zu values for %zu classes",
                    y_true.onehot.cols, classes);
    for (size_t b = 0; b < samples; b++) {
        size_t ones = 0;
        for (size_t c = 0; c < classes; c++) {
            float y = row(y_true.onehot, b)[c];
            if (y != 0.0f && y != 1.0f)
                return fail(error, "invalid_label", "y_true[%zu] holds %g, not 0 or 1", b,
                            (double)y);
            if (y == 1.0f)
                ones++;
        }
        if (ones != 1)
            return fail(error, "invalid_label", "y_true[%zu] holds %zu ones, not one", b, ones);
    }
    return true;
}
