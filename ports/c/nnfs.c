/* The stages of Neural Networks from Scratch, chapters 1 to 17, in C11 with float32:
 * loops over arrays of float, expf and logf, as in the book's chapters. */
#include "nnfs.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
static void *need(void *allocated);
static Matrix new_matrix(size_t rows, size_t cols);
static Vector new_vector(size_t len);
static Matrix copy_matrix(Matrix m);
static Vector copy_vector(Vector v);
static bool same_shape(const char *name, Matrix m, size_t rows, size_t cols, Error *error);
static float mean(Vector v);
static float sum_abs(const float *values, size_t count);
static float sum_squares(const float *values, size_t count);
static void regularization_gradient(const float *values, size_t count, float l1, float l2,
                                    float *gradient);
static void new_loss_gradients(Matrix y_pred, LossGradients *output);
static float current_learning_rate(Optimizer optimizer, double iterations);
static void sgd_update(float *w, const float *g, float *m, size_t count, float lr,
                       float momentum);
static void cache_update(float *w, const float *g, float *cache, size_t count, float lr,
                         float epsilon, float keep, float add);
static void adam_update(float *w, const float *g, float *m, float *v, size_t count, float lr,
                        Optimizer optimizer, const float corrections[2]);
static bool check_layer(const Layer *layer, bool momentums, bool cache, Error *error);
static Layer new_layer(Matrix weights, Vector biases);
static void set_gradients(Layer *layer, DenseGradients gradients);
static void free_layer(Layer *layer);

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
 * Chapter 9: the backward passes. Each takes what the book's layer saved in its forward pass
 * (the inputs for dense and ReLU, the output for softmax) and the gradient flowing in. */

bool dense_backward(Matrix inputs, Matrix weights, Matrix dvalues, DenseGradients *output,
                    Error *error) {
    /* inputs (B, K) the forward inputs, weights (K, N) as Layer_Dense keeps them, dvalues (B, N)
     * -> dweights (K, N) = inputs.T @ dvalues, dbiases (N), dinputs (B, K) = dvalues @ weights.T
     * NOTE: dbiases is the SUM of dvalues over the batch (axis 0), one value per neuron. */
    if (inputs.rows == 0)
        return fail(error, "empty_batch", "inputs has no samples");
    if (weights.rows == 0 || weights.rows != inputs.cols)
        return fail(error, "shape_mismatch", "weights have %zu rows, inputs have %zu columns",
                    weights.rows, inputs.cols);
    if (!same_shape("dvalues", dvalues, inputs.rows, weights.cols, error))
        return false;
    output->dweights = new_matrix(weights.rows, weights.cols);
    output->dbiases = new_vector(weights.cols);
    output->dinputs = new_matrix(inputs.rows, inputs.cols);
    for (size_t k = 0; k < weights.rows; k++) {
        for (size_t n = 0; n < weights.cols; n++) {
            float total = 0.0f;
            for (size_t b = 0; b < inputs.rows; b++)
                total += row(inputs, b)[k] * row(dvalues, b)[n];
            row(output->dweights, k)[n] = total;
        }
    }
    for (size_t n = 0; n < weights.cols; n++) {
        float total = 0.0f;
        for (size_t b = 0; b < inputs.rows; b++)
            total += row(dvalues, b)[n];
        output->dbiases.values[n] = total;
    }
    for (size_t b = 0; b < inputs.rows; b++) {
        for (size_t k = 0; k < weights.rows; k++) {
            float total = 0.0f;
            for (size_t n = 0; n < weights.cols; n++)
                total += row(dvalues, b)[n] * row(weights, k)[n];
            row(output->dinputs, b)[k] = total;
        }
    }
    return true;
}

bool relu_backward(Matrix inputs, Matrix dvalues, Matrix *dinputs, Error *error) {
    /* inputs: the forward inputs (any shape), dvalues (the same shape) -> dinputs
     * NOTE: the gradient is 0 where the INPUT is <= 0, including 0 and -0.0; the mask is taken
     *       on the forward inputs, never on dvalues. */
    if (!same_shape("dvalues", dvalues, inputs.rows, inputs.cols, error))
        return false;
    size_t count = inputs.rows * inputs.cols;
    *dinputs = new_matrix(inputs.rows, inputs.cols);
    for (size_t i = 0; i < count; i++)
        dinputs->values[i] = inputs.values[i] <= 0.0f ? 0.0f : dvalues.values[i];
    return true;
}

bool softmax_backward(Matrix output, Matrix dvalues, Matrix *dinputs, Error *error) {
    /* output (B, C): the softmax's forward output, dvalues (B, C) -> dinputs (B, C)
     * NOTE: through each sample's Jacobian diag(p) - p·pᵀ, as the book writes it. */
    if (output.rows == 0)
        return fail(error, "empty_batch", "output has no samples");
    if (!same_shape("dvalues", dvalues, output.rows, output.cols, error))
        return false;
    *dinputs = new_matrix(output.rows, output.cols);
    for (size_t b = 0; b < output.rows; b++) {
        const float *p = row(output, b), *dv = row(dvalues, b);
        for (size_t i = 0; i < output.cols; i++) {
            float total = 0.0f;
            for (size_t j = 0; j < output.cols; j++) {
                float jacobian = (i == j ? p[i] : 0.0f) - p[i] * p[j];
                total += jacobian * dv[j];
            }
            row(*dinputs, b)[i] = total;
        }
    }
    return true;
}

bool categorical_crossentropy_backward(Matrix y_pred, Labels y_true, Matrix *dinputs,
                                       Error *error) {
    /* y_pred (B, C), y_true (B) class indices or (B, C) one-hot rows -> dinputs (B, C)
     * NOTE: -y_true / y_pred / samples, NOT clipped (the book does not clip here). */
    if (y_pred.rows == 0)
        return fail(error, "empty_batch", "y_pred has no samples");
    if (!check_labels(y_true, y_pred.rows, y_pred.cols, error))
        return false;
    float samples = (float)y_pred.rows;
    *dinputs = new_matrix(y_pred.rows, y_pred.cols);
    for (size_t b = 0; b < y_pred.rows; b++) {
        for (size_t c = 0; c < y_pred.cols; c++) {
            float y = label(y_true, b) == c ? 1.0f : 0.0f;
            row(*dinputs, b)[c] = -y / row(y_pred, b)[c] / samples;
        }
    }
    return true;
}

bool softmax_crossentropy_backward(Matrix y_pred, Labels y_true, Matrix *dinputs, Error *error) {
    /* y_pred (B, C): the SOFTMAX OUTPUT, y_true -> dinputs (B, C), the combined backward pass
     * NOTE: (y_pred - y_true) / samples: divided by the number of SAMPLES, not classes. */
    if (y_pred.rows == 0)
        return fail(error, "empty_batch", "y_pred has no samples");
    if (!check_labels(y_true, y_pred.rows, y_pred.cols, error))
        return false;
    float samples = (float)y_pred.rows;
    *dinputs = new_matrix(y_pred.rows, y_pred.cols);
    for (size_t b = 0; b < y_pred.rows; b++) {
        for (size_t c = 0; c < y_pred.cols; c++) {
            float gradient = row(y_pred, b)[c];
            if (label(y_true, b) == c)
                gradient -= 1.0f;
            row(*dinputs, b)[c] = gradient / samples;
        }
    }
    return true;
}

/* ------------------------------------------------------------------------------------------
 * Chapters 14-15: L1 and L2 regularization, dropout */

bool regularization(Matrix weights, Vector biases, Regularizers factors, Regularization *output,
                    Error *error) {
    /* weights (K, N), biases (N), four factors >= 0 -> loss, dweights (K, N), dbiases (N): the
     * regularization's own share, which Layer_Dense.backward adds to the data gradients */
    if (weights.rows == 0)
        return fail(error, "shape_mismatch", "weights must be a matrix (K, N)");
    if (biases.len != weights.cols)
        return fail(error, "shape_mismatch", "biases have %zu values for %zu neurons",
                    biases.len, weights.cols);
    const double all[] = {factors.weight_l1, factors.weight_l2, factors.bias_l1, factors.bias_l2};
    for (size_t i = 0; i < 4; i++)
        if (all[i] < 0.0)
            return fail(error, "invalid_value", "a regularization factor is %g, negative",
                        all[i]);
    float weight_l1 = (float)factors.weight_l1, weight_l2 = (float)factors.weight_l2;
    float bias_l1 = (float)factors.bias_l1, bias_l2 = (float)factors.bias_l2;
    size_t count = weights.rows * weights.cols;
    output->loss = weight_l1 * sum_abs(weights.values, count) +
                   weight_l2 * sum_squares(weights.values, count) +
                   bias_l1 * sum_abs(biases.values, biases.len) +
                   bias_l2 * sum_squares(biases.values, biases.len);
    output->dweights = new_matrix(weights.rows, weights.cols);
    output->dbiases = new_vector(biases.len);
    regularization_gradient(weights.values, count, weight_l1, weight_l2,
                            output->dweights.values);
    regularization_gradient(biases.values, biases.len, bias_l1, bias_l2, output->dbiases.values);
    return true;
}

bool dropout(Matrix inputs, Matrix mask, double rate, Matrix dvalues, Passes *output,
             Error *error) {
    /* inputs (B, N), mask (B, N) of 0 and 1 (1 keeps), rate: the DROP rate in [0, 1), as in
     * Layer_Dropout(rate), dvalues (B, N) -> output, dinputs (B, N)
     * NOTE: inverted dropout: kept values are scaled by 1 / (1 - rate). The mask is given, so
     *       nothing is random; the book draws it with np.random.binomial(1, 1 - rate, size). */
    if (inputs.rows == 0)
        return fail(error, "empty_batch", "inputs has no samples");
    if (!same_shape("mask", mask, inputs.rows, inputs.cols, error) ||
        !same_shape("dvalues", dvalues, inputs.rows, inputs.cols, error))
        return false;
    size_t count = inputs.rows * inputs.cols;
    for (size_t i = 0; i < count; i++)
        if (mask.values[i] != 0.0f && mask.values[i] != 1.0f)
            return fail(error, "invalid_value", "mask holds %g, not 0 or 1",
                        (double)mask.values[i]);
    if (!(rate >= 0.0 && rate < 1.0))
        return fail(error, "invalid_value", "rate is %g, not in [0, 1)", rate);
    float keep = 1.0f - (float)rate;
    output->output = new_matrix(inputs.rows, inputs.cols);
    output->dinputs = new_matrix(inputs.rows, inputs.cols);
    for (size_t i = 0; i < count; i++) {
        float binary_mask = mask.values[i] / keep;
        output->output.values[i] = inputs.values[i] * binary_mask;
        output->dinputs.values[i] = dvalues.values[i] * binary_mask;
    }
    return true;
}

/* ------------------------------------------------------------------------------------------
 * Chapters 16-17: sigmoid and binary cross-entropy; mean squared and mean absolute error */

bool sigmoid(Matrix inputs, Matrix dvalues, Passes *output, Error *error) {
    /* inputs (B, N), dvalues (B, N) -> output = 1 / (1 + exp(-x)), dinputs = dvalues·(1 - s)·s */
    if (inputs.rows == 0)
        return fail(error, "empty_batch", "inputs has no samples");
    if (!same_shape("dvalues", dvalues, inputs.rows, inputs.cols, error))
        return false;
    size_t count = inputs.rows * inputs.cols;
    output->output = new_matrix(inputs.rows, inputs.cols);
    output->dinputs = new_matrix(inputs.rows, inputs.cols);
    for (size_t i = 0; i < count; i++) {
        float s = 1.0f / (1.0f + expf(-inputs.values[i]));
        output->output.values[i] = s;
        output->dinputs.values[i] = dvalues.values[i] * (1.0f - s) * s;
    }
    return true;
}

bool binary_crossentropy(Matrix y_pred, Matrix y_true, LossGradients *output, Error *error) {
    /* y_pred (B, O) sigmoid outputs, y_true (B, O) of 0 and 1 -> sample_losses (B): the mean
     * over the O outputs, loss: their mean, dinputs (B, O)
     * NOTE: y_pred is clipped in the forward AND the backward pass. */
    if (y_pred.rows == 0)
        return fail(error, "empty_batch", "y_pred has no samples");
    if (!same_shape("y_true", y_true, y_pred.rows, y_pred.cols, error))
        return false;
    for (size_t i = 0; i < y_true.rows * y_true.cols; i++)
        if (y_true.values[i] != 0.0f && y_true.values[i] != 1.0f)
            return fail(error, "invalid_label", "y_true holds %g, not 0 or 1",
                        (double)y_true.values[i]);
    new_loss_gradients(y_pred, output);
    float outputs = (float)y_pred.cols, samples = (float)y_pred.rows;
    for (size_t b = 0; b < y_pred.rows; b++) {
        float total = 0.0f;
        for (size_t o = 0; o < y_pred.cols; o++) {
            float c = clip(row(y_pred, b)[o]), y = row(y_true, b)[o];
            total += -(y * logf(c) + (1.0f - y) * logf(1.0f - c));
            row(output->dinputs, b)[o] = -(y / c - (1.0f - y) / (1.0f - c)) / outputs / samples;
        }
        output->sample_losses.values[b] = total / outputs;
    }
    output->loss = mean(output->sample_losses);
    return true;
}

bool mean_squared_error(Matrix y_pred, Matrix y_true, LossGradients *output, Error *error) {
    /* y_pred (B, O), y_true (B, O) -> sample_losses (B): mean over O of (y_true - y_pred)²,
     * loss, dinputs = -2·(y_true - y_pred) / O / B */
    if (y_pred.rows == 0)
        return fail(error, "empty_batch", "y_pred has no samples");
    if (!same_shape("y_true", y_true, y_pred.rows, y_pred.cols, error))
        return false;
    new_loss_gradients(y_pred, output);
    float outputs = (float)y_pred.cols, samples = (float)y_pred.rows;
    for (size_t b = 0; b < y_pred.rows; b++) {
        float total = 0.0f;
        for (size_t o = 0; o < y_pred.cols; o++) {
            float difference = row(y_true, b)[o] - row(y_pred, b)[o];
            total += difference * difference;
            row(output->dinputs, b)[o] = -2.0f * difference / outputs / samples;
        }
        output->sample_losses.values[b] = total / outputs;
    }
    output->loss = mean(output->sample_losses);
    return true;
}

bool mean_absolute_error(Matrix y_pred, Matrix y_true, LossGradients *output, Error *error) {
    /* y_pred (B, O), y_true (B, O) -> sample_losses (B): mean over O of |y_true - y_pred|,
     * loss, dinputs = sign(y_pred - y_true) / O / B
     * NOTE: sign(0) = 0, and NOT the book's np.sign(y_true - y_pred), which has the wrong sign
     *       (mistake mae-gradient-sign-flipped). */
    if (y_pred.rows == 0)
        return fail(error, "empty_batch", "y_pred has no samples");
    if (!same_shape("y_true", y_true, y_pred.rows, y_pred.cols, error))
        return false;
    new_loss_gradients(y_pred, output);
    float outputs = (float)y_pred.cols, samples = (float)y_pred.rows;
    for (size_t b = 0; b < y_pred.rows; b++) {
        float total = 0.0f;
        for (size_t o = 0; o < y_pred.cols; o++) {
            float difference = row(y_pred, b)[o] - row(y_true, b)[o];
            total += fabsf(difference);
            float sign = difference > 0.0f ? 1.0f : difference < 0.0f ? -1.0f : 0.0f;
            row(output->dinputs, b)[o] = sign / outputs / samples;
        }
        output->sample_losses.values[b] = total / outputs;
    }
    output->loss = mean(output->sample_losses);
    return true;
}

/* ------------------------------------------------------------------------------------------
 * Chapter 10: optimizers. One step is the book's pre_update_params and update_params on one
 * layer; the caller does post_update_params (iterations + 1). */

bool sgd_step(Layer *layer, double iterations, Optimizer optimizer, float *learning_rate,
              Error *error) {
    /* NOTE: the book's momentum, m = momentum·m - lr·g; w += m (the decayed rate inside m).
     *       Without momentum the book keeps no momentums: they are left unchanged. */
    if (!check_layer(layer, true, false, error))
        return false;
    float lr = *learning_rate = current_learning_rate(optimizer, iterations);
    sgd_update(layer->weights.values, layer->dweights.values, layer->weight_momentums.values,
               layer->weights.rows * layer->weights.cols, lr, optimizer.momentum);
    sgd_update(layer->biases.values, layer->dbiases.values, layer->bias_momentums.values,
               layer->biases.len, lr, optimizer.momentum);
    return true;
}

bool adagrad_step(Layer *layer, double iterations, Optimizer optimizer, float *learning_rate,
                  Error *error) {
    /* cache += g²; w += -lr·g / (sqrt(cache) + epsilon) */
    if (!check_layer(layer, false, true, error))
        return false;
    float lr = *learning_rate = current_learning_rate(optimizer, iterations);
    cache_update(layer->weights.values, layer->dweights.values, layer->weight_cache.values,
                 layer->weights.rows * layer->weights.cols, lr, optimizer.epsilon, 1.0f, 1.0f);
    cache_update(layer->biases.values, layer->dbiases.values, layer->bias_cache.values,
                 layer->biases.len, lr, optimizer.epsilon, 1.0f, 1.0f);
    return true;
}

bool rmsprop_step(Layer *layer, double iterations, Optimizer optimizer, float *learning_rate,
                  Error *error) {
    /* cache = rho·cache + (1 - rho)·g²; w += -lr·g / (sqrt(cache) + epsilon) */
    if (!check_layer(layer, false, true, error))
        return false;
    float lr = *learning_rate = current_learning_rate(optimizer, iterations);
    float rho = optimizer.rho;
    cache_update(layer->weights.values, layer->dweights.values, layer->weight_cache.values,
                 layer->weights.rows * layer->weights.cols, lr, optimizer.epsilon, rho,
                 1.0f - rho);
    cache_update(layer->biases.values, layer->dbiases.values, layer->bias_cache.values,
                 layer->biases.len, lr, optimizer.epsilon, rho, 1.0f - rho);
    return true;
}

bool adam_step(Layer *layer, double iterations, Optimizer optimizer, float *learning_rate,
               Error *error) {
    /* m = β1·m + (1 - β1)·g; v = β2·v + (1 - β2)·g²; w += -lr·m̂ / (sqrt(v̂) + epsilon)
     * NOTE: the corrections divide by 1 - β^(iterations + 1) (1-based, betas never decayed);
     *       epsilon is added to the square root of the CORRECTED cache. */
    if (!check_layer(layer, true, true, error))
        return false;
    float lr = *learning_rate = current_learning_rate(optimizer, iterations);
    float t = (float)(iterations + 1.0);
    float corrections[2] = {1.0f - powf(optimizer.beta_1, t), 1.0f - powf(optimizer.beta_2, t)};
    adam_update(layer->weights.values, layer->dweights.values, layer->weight_momentums.values,
                layer->weight_cache.values, layer->weights.rows * layer->weights.cols, lr,
                optimizer, corrections);
    adam_update(layer->biases.values, layer->dbiases.values, layer->bias_momentums.values,
                layer->bias_cache.values, layer->biases.len, lr, optimizer, corrections);
    return true;
}

/* ------------------------------------------------------------------------------------------
 * Chapter 10's training loop */

static bool (*const OPTIMIZER_STEPS[])(Layer *, double, Optimizer, float *, Error *) = {
    [SGD] = sgd_step, [ADAGRAD] = adagrad_step, [RMSPROP] = rmsprop_step, [ADAM] = adam_step};

bool training(Matrix inputs, Labels y_true, Matrix weights1, Vector biases1, Matrix weights2,
              Vector biases2, size_t steps, OptimizerKind kind, Optimizer optimizer,
              Training *output, Error *error) {
    /* Dense(K, H) -> ReLU -> Dense(H, C) -> softmax + cross-entropy, full batch, `steps` steps
     * -> per step: loss and accuracy measured BEFORE the update, the rate the step used, and
     *    every parameter AFTER the update.
     * NOTE: optimizer state starts at zeros; both layers step with iterations = s: the count
     *       rises once per step (post_update_params), not once per layer. */
    if (inputs.rows == 0)
        return fail(error, "empty_batch", "inputs has no samples");
    if (!check_dense(inputs.cols, weights1, biases1, INPUTS_NEURONS, error) ||
        !check_dense(biases1.len, weights2, biases2, INPUTS_NEURONS, error) ||
        !check_labels(y_true, inputs.rows, biases2.len, error))
        return false;
    if (steps < 1)
        return fail(error, "invalid_value", "steps is 0, not an integer >= 1");
    Layer layers[2] = {new_layer(weights1, biases1), new_layer(weights2, biases2)};
    output->steps = steps;
    output->loss = new_floats(steps);
    output->accuracy = new_floats(steps);
    output->learning_rate = new_floats(steps);
    output->weights1 = need(calloc(steps, sizeof(Matrix)));
    output->weights2 = need(calloc(steps, sizeof(Matrix)));
    output->biases1 = need(calloc(steps, sizeof(Vector)));
    output->biases2 = need(calloc(steps, sizeof(Vector)));
    /* the checks above passed, so none of the calls below can fail */
    for (size_t s = 0; s < steps; s++) {
        Forward pass = {0};
        forward(inputs, layers[0].weights, layers[0].biases, layers[1].weights, layers[1].biases,
                y_true, &pass, error);
        output->loss[s] = pass.loss.loss;
        output->accuracy[s] = pass.accuracy.accuracy;
        Matrix dvalues, ddense1;
        DenseGradients dense2, dense1;
        softmax_crossentropy_backward(pass.softmax, y_true, &dvalues, error);
        dense_backward(pass.relu1, layers[1].weights, dvalues, &dense2, error);
        relu_backward(pass.dense1, dense2.dinputs, &ddense1, error);
        dense_backward(inputs, layers[0].weights, ddense1, &dense1, error);
        set_gradients(&layers[0], dense1);
        set_gradients(&layers[1], dense2);
        for (size_t l = 0; l < 2; l++)
            OPTIMIZER_STEPS[kind](&layers[l], (double)s, optimizer, &output->learning_rate[s],
                                  error);
        output->weights1[s] = copy_matrix(layers[0].weights);
        output->biases1[s] = copy_vector(layers[0].biases);
        output->weights2[s] = copy_matrix(layers[1].weights);
        output->biases2[s] = copy_vector(layers[1].biases);
        free(dvalues.values);
        free(ddense1.values);
        free_forward(&pass);
    }
    free_layer(&layers[0]);
    free_layer(&layers[1]);
    return true;
}

void free_training(Training *output) {
    for (size_t s = 0; output->weights1 != NULL && s < output->steps; s++) {
        free(output->weights1[s].values);
        free(output->biases1[s].values);
        free(output->weights2[s].values);
        free(output->biases2[s].values);
    }
    free(output->loss);
    free(output->accuracy);
    free(output->learning_rate);
    free(output->weights1);
    free(output->biases1);
    free(output->weights2);
    free(output->biases2);
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

static void *need(void *allocated) {
    if (allocated == NULL) {
        fputs("nnfs: out of memory\n", stderr);
        exit(1);
    }
    return allocated;
}

static Matrix new_matrix(size_t rows, size_t cols) {
    return (Matrix){.rows = rows, .cols = cols, .values = new_floats(rows * cols)};
}

static Vector new_vector(size_t len) {
    return (Vector){.len = len, .values = new_floats(len)};
}

static Matrix copy_matrix(Matrix m) {
    Matrix copy = new_matrix(m.rows, m.cols);
    memcpy(copy.values, m.values, m.rows * m.cols * sizeof(float));
    return copy;
}

static Vector copy_vector(Vector v) {
    Vector copy = new_vector(v.len);
    memcpy(copy.values, v.values, v.len * sizeof(float));
    return copy;
}

static bool same_shape(const char *name, Matrix m, size_t rows, size_t cols, Error *error) {
    if (m.rows != rows || m.cols != cols)
        return fail(error, "shape_mismatch", "%s is %zu x %zu, must be %zu x %zu", name, m.rows,
                    m.cols, rows, cols);
    return true;
}

static float mean(Vector v) {
    float total = 0.0f;
    for (size_t i = 0; i < v.len; i++)
        total += v.values[i];
    return total / (float)v.len;
}

static float sum_abs(const float *values, size_t count) {
    float total = 0.0f;
    for (size_t i = 0; i < count; i++)
        total += fabsf(values[i]);
    return total;
}

static float sum_squares(const float *values, size_t count) {
    float total = 0.0f;
    for (size_t i = 0; i < count; i++)
        total += values[i] * values[i];
    return total;
}

static void regularization_gradient(const float *values, size_t count, float l1, float l2,
                                    float *gradient) {
    /* NOTE: d|w|/dw is +1 at w == 0 and at -0.0, as the book's dL1 (-1 only where w < 0);
     *       the L2 term is 2·l2·w, with its factor 2. */
    for (size_t i = 0; i < count; i++) {
        float dl1 = values[i] < 0.0f ? -1.0f : 1.0f;
        gradient[i] = l1 * dl1 + 2.0f * l2 * values[i];
    }
}

static void new_loss_gradients(Matrix y_pred, LossGradients *output) {
    output->sample_losses = new_vector(y_pred.rows);
    output->dinputs = new_matrix(y_pred.rows, y_pred.cols);
}

static float current_learning_rate(Optimizer optimizer, double iterations) {
    /* NOTE: lr / (1 + decay·iterations), from the initial rate at every step (never
     *       compounded); iterations counts the steps before this one, so step 0 uses lr. */
    if (optimizer.decay != 0.0f)
        return optimizer.learning_rate *
               (1.0f / (1.0f + optimizer.decay * (float)iterations));
    return optimizer.learning_rate;
}

static void sgd_update(float *w, const float *g, float *m, size_t count, float lr,
                       float momentum) {
    for (size_t i = 0; i < count; i++) {
        if (momentum != 0.0f) {
            m[i] = momentum * m[i] - lr * g[i];
            w[i] += m[i];
        } else {
            w[i] += -lr * g[i];
        }
    }
}

static void cache_update(float *w, const float *g, float *cache, size_t count, float lr,
                         float epsilon, float keep, float add) {
    /* cache = keep·cache + add·g² (Adagrad: keep = add = 1, exactly cache += g²; RMSprop:
     * keep = rho, add = 1 - rho), then w += -lr·g / (sqrt(cache) + epsilon)
     * NOTE: epsilon is added OUTSIDE the square root. */
    for (size_t i = 0; i < count; i++) {
        cache[i] = keep * cache[i] + add * (g[i] * g[i]);
        w[i] += -lr * g[i] / (sqrtf(cache[i]) + epsilon);
    }
}

static void adam_update(float *w, const float *g, float *m, float *v, size_t count, float lr,
                        Optimizer optimizer, const float corrections[2]) {
    float beta_1 = optimizer.beta_1, beta_2 = optimizer.beta_2;
    for (size_t i = 0; i < count; i++) {
        m[i] = beta_1 * m[i] + (1.0f - beta_1) * g[i];
        v[i] = beta_2 * v[i] + (1.0f - beta_2) * (g[i] * g[i]);
        float m_corrected = m[i] / corrections[0], v_corrected = v[i] / corrections[1];
        w[i] += -lr * m_corrected / (sqrtf(v_corrected) + optimizer.epsilon);
    }
}

static bool check_layer(const Layer *layer, bool momentums, bool cache, Error *error) {
    /* weights (K, N), biases (N), and the gradients and state the optimizer uses, of the
     * same shapes */
    Matrix w = layer->weights;
    if (w.rows == 0)
        return fail(error, "shape_mismatch", "weights must be a matrix (K, N)");
    if (layer->biases.len != w.cols)
        return fail(error, "shape_mismatch", "biases have %zu values for %zu neurons",
                    layer->biases.len, w.cols);
    const struct {
        const char *name;
        bool used;
        Matrix weights;
        Vector biases;
    } arrays[] = {{"gradients", true, layer->dweights, layer->dbiases},
                  {"momentums", momentums, layer->weight_momentums, layer->bias_momentums},
                  {"cache", cache, layer->weight_cache, layer->bias_cache}};
    for (size_t i = 0; i < 3; i++) {
        if (!arrays[i].used)
            continue;
        if (!same_shape(arrays[i].name, arrays[i].weights, w.rows, w.cols, error))
            return false;
        if (arrays[i].biases.len != w.cols)
            return fail(error, "shape_mismatch", "the bias %s have %zu values for %zu neurons",
                        arrays[i].name, arrays[i].biases.len, w.cols);
    }
    return true;
}

static Layer new_layer(Matrix weights, Vector biases) {
    /* copies of the parameters; every state array starts at zeros */
    return (Layer){.weights = copy_matrix(weights),
                   .biases = copy_vector(biases),
                   .dweights = new_matrix(weights.rows, weights.cols),
                   .dbiases = new_vector(biases.len),
                   .weight_momentums = new_matrix(weights.rows, weights.cols),
                   .bias_momentums = new_vector(biases.len),
                   .weight_cache = new_matrix(weights.rows, weights.cols),
                   .bias_cache = new_vector(biases.len)};
}

static void set_gradients(Layer *layer, DenseGradients gradients) {
    /* the layer keeps dweights and dbiases (as Layer_Dense.backward sets them) */
    free(layer->dweights.values);
    free(layer->dbiases.values);
    free(gradients.dinputs.values);
    layer->dweights = gradients.dweights;
    layer->dbiases = gradients.dbiases;
}

static void free_layer(Layer *layer) {
    free(layer->weights.values);
    free(layer->biases.values);
    free(layer->dweights.values);
    free(layer->dbiases.values);
    free(layer->weight_momentums.values);
    free(layer->bias_momentums.values);
    free(layer->weight_cache.values);
    free(layer->bias_cache.values);
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
