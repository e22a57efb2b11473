/* The stages of Neural Networks from Scratch, chapters 1 to 17, in C11 with float32:
 * loops over arrays of float, expf and logf, as in the book's chapters. The kit has checked
 * every input and allocated every output (kits/c/nnfs_kit.h). Chapters 18-22 are in model.c. */
#include "nnfs.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* y_pred is clipped to [1e-7, 1 - 1e-7], both bounds rounded to float32:
 * 1.0000000116860974e-07 and 0.9999998807907104. */
static const float CLIP_LOW = 1e-7f;
static const float CLIP_HIGH = (float)(1.0 - 1e-7);

static float clip(float p);
static float mean(Vector v);
static float sum_abs(const float *values, size_t count);
static float sum_squares(const float *values, size_t count);
static void regularization_gradient(const float *values, size_t count, float l1, float l2,
                                    float *gradient);
static float current_learning_rate(Optimizer optimizer, size_t iterations);
static void sgd_update(float *w, const float *g, float *m, size_t count, float lr,
                       float momentum);
static void cache_update(float *w, const float *g, float *cache, size_t count, float lr,
                         float epsilon, float keep, float add);
static void adam_update(float *w, const float *g, float *m, float *v, size_t count, float lr,
                        Optimizer optimizer, const float corrections[2]);
static void *need(void *allocated);
static void copy_matrix(Matrix to, Matrix from);
static void copy_vector(Vector to, Vector from);

/* ------------------------------------------------------------------------------------------
 * Chapters 1-5: the forward pass */

bool neuron(Vector inputs, Vector weights, float bias, float *output) {
    /* inputs (K), weights (K), bias -> output: sum of inputs[k] * weights[k], plus bias */
    float total = 0.0f;
    for (size_t k = 0; k < inputs.len; k++)
        total += inputs.values[k] * weights.values[k];
    *output = total + bias;
    return true;
}

bool layer(Vector inputs, Matrix weights, Vector biases, Vector output) {
    /* inputs (K), weights (N, K): one row per neuron, biases (N) -> output (N) */
    for (size_t n = 0; n < weights.rows; n++) {
        float total = 0.0f;
        for (size_t k = 0; k < inputs.len; k++)
            total += inputs.values[k] * row(weights, n)[k];
        output.values[n] = total + biases.values[n];
    }
    return true;
}

bool dense_batch(Matrix inputs, Matrix weights, Vector biases, Matrix output) {
    /* inputs (B, K), weights (K, N) as Layer_Dense keeps them, biases (N)
     * -> output (B, N) = inputs @ weights + biases */
    for (size_t b = 0; b < inputs.rows; b++) {
        for (size_t n = 0; n < biases.len; n++) {
            float total = 0.0f;
            for (size_t k = 0; k < inputs.cols; k++)
                total += row(inputs, b)[k] * row(weights, k)[n];
            row(output, b)[n] = total + biases.values[n];
        }
    }
    return true;
}

bool relu(Matrix inputs, Matrix output) {
    /* any shape -> the same shape, max(0, x) per element (a NaN passes through) */
    for (size_t i = 0; i < inputs.rows * inputs.cols; i++)
        output.values[i] = inputs.values[i] < 0.0f ? 0.0f : inputs.values[i];
    return true;
}

bool dense_relu(Matrix inputs, Matrix weights, Vector biases, DenseReLU *output) {
    /* chapter 4's first chain: dense1.forward(X), then activation1.forward(dense1.output)
     * NOTE: ReLU applies to the layer's OUTPUT, not to its inputs. */
    dense_batch(inputs, weights, biases, output->dense);
    relu(output->dense, output->relu);
    return true;
}

bool softmax(Matrix inputs, Matrix output) {
    /* inputs (B, C) logits -> output (B, C), each row sums to 1.
     * NOTE: subtracts the row maximum first, so expf never overflows; the running maximum
     *       starts at the row's first element, not at 0 (a row of negative logits). */
    for (size_t b = 0; b < inputs.rows; b++) {
        const float *logits = row(inputs, b);
        float *probabilities = row(output, b);
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

bool dense_relu_dense_softmax(Matrix inputs, Matrix weights1, Vector biases1, Matrix weights2,
                              Vector biases2, Network *output) {
    /* chapter 4's network before any loss: dense1 -> ReLU -> dense2 -> softmax, every
     * intermediate kept as the book's objects keep their .output */
    dense_batch(inputs, weights1, biases1, output->dense1);
    relu(output->dense1, output->relu1);
    dense_batch(output->relu1, weights2, biases2, output->dense2);
    softmax(output->dense2, output->softmax);
    return true;
}

bool categorical_crossentropy(Matrix y_pred, Labels y_true, Loss *output) {
    /* y_pred (B, C) probabilities; y_true (B) class indices or (B, C) one-hot rows
     * -> sample_losses (B), loss: the mean, not the sum.
     * NOTE: y_pred is clipped so logf(0) never happens; natural logarithm. */
    float total = 0.0f;
    for (size_t b = 0; b < y_pred.rows; b++) {
        float correct_confidence = 0.0f;
        if (y_true.format == SPARSE) {
            correct_confidence = clip(row(y_pred, b)[y_true.sparse[b]]);
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

bool accuracy(Matrix y_pred, Labels y_true, Accuracy *output) {
    /* y_pred (B, C); y_true (B) class indices or (B, C) one-hot rows
     * -> predictions (B) class indices, accuracy: the fraction that match */
    size_t matches = 0;
    for (size_t b = 0; b < y_pred.rows; b++) {
        output->predictions[b] = argmax(row(y_pred, b), y_pred.cols);
        if (output->predictions[b] == nnfs_label(y_true, b))
            matches++;
    }
    output->accuracy = (float)matches / (float)y_pred.rows;
    return true;
}

bool forward(Matrix inputs, Matrix weights1, Vector biases1, Matrix weights2, Vector biases2,
             Labels y_true, Forward *output) {
    /* inputs (B, K), weights1 (K, H), biases1 (H), weights2 (H, C), biases2 (C), y_true:
     * the chapter 5 network, dense -> ReLU -> dense -> softmax -> loss and accuracy */
    dense_batch(inputs, weights1, biases1, output->dense1);
    relu(output->dense1, output->relu1);
    dense_batch(output->relu1, weights2, biases2, output->dense2);
    softmax(output->dense2, output->softmax);
    categorical_crossentropy(output->softmax, y_true, &output->loss);
    accuracy(output->softmax, y_true, &output->accuracy);
    return true;
}

/* ------------------------------------------------------------------------------------------
 * Chapter 9: the backward passes. Each takes what the book's layer saved in its forward pass
 * (the inputs for dense and ReLU, the output for softmax) and the gradient flowing in. */

bool dense_backward(Matrix inputs, Matrix weights, Matrix dvalues, DenseGradients *output) {
    /* inputs (B, K) the forward inputs, weights (K, N) as Layer_Dense keeps them, dvalues (B, N)
     * -> dweights (K, N) = inputs.T @ dvalues, dbiases (N), dinputs (B, K) = dvalues @ weights.T
     * NOTE: dbiases is the SUM of dvalues over the batch (axis 0), one value per neuron. */
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

bool relu_backward(Matrix inputs, Matrix dvalues, Matrix dinputs) {
    /* inputs: the forward inputs (any shape), dvalues (the same shape) -> dinputs
     * NOTE: the gradient is 0 where the INPUT is <= 0, including 0 and -0.0; the mask is taken
     *       on the forward inputs, never on dvalues. */
    for (size_t i = 0; i < inputs.rows * inputs.cols; i++)
        dinputs.values[i] = inputs.values[i] <= 0.0f ? 0.0f : dvalues.values[i];
    return true;
}

/* The book's objects remember their last forward call: Layer_Dense keeps self.inputs, and
 * Activation_ReLU too, and backward reads them. */
typedef struct {
    Matrix weights; /* K x N */
    Vector biases;  /* N */
    Matrix inputs, output; /* of the last forward call */
} LayerDense;

typedef struct {
    Matrix inputs, output; /* of the last forward call */
} ActivationReLU;

static void layer_dense_forward(LayerDense *layer, Matrix inputs, Matrix output) {
    layer->inputs = inputs;
    layer->output = output;
    dense_batch(inputs, layer->weights, layer->biases, output);
}

static void layer_dense_backward(LayerDense *layer, Matrix dvalues, DenseGradients *gradients) {
    dense_backward(layer->inputs, layer->weights, dvalues, gradients);
}

static void activation_relu_forward(ActivationReLU *activation, Matrix inputs, Matrix output) {
    activation->inputs = inputs;
    activation->output = output;
    relu(inputs, output);
}

static void activation_relu_backward(ActivationReLU *activation, Matrix dvalues,
                                     Matrix dinputs) {
    relu_backward(activation->inputs, dvalues, dinputs);
}

bool repeated_forward(Matrix inputs1, Matrix inputs2, Matrix weights, Vector biases,
                      Matrix dvalues, RepeatedForward *output) {
    /* one Layer_Dense and one Activation_ReLU called on inputs1 (B, K), then on inputs2 (D, K),
     * then backward from dvalues (D, N)
     * NOTE: each forward call replaces what the objects saved: the backward pass sees the
     *       second batch only (its inputs for dweights, its dense output for the ReLU mask). */
    LayerDense dense1 = {.weights = weights, .biases = biases};
    ActivationReLU activation1 = {0};
    Matrix dense_first = new_matrix(inputs1.rows, weights.cols);
    Matrix dense_second = new_matrix(inputs2.rows, weights.cols);
    Matrix drelu = new_matrix(inputs2.rows, weights.cols);
    layer_dense_forward(&dense1, inputs1, dense_first);
    activation_relu_forward(&activation1, dense1.output, output->output1);
    layer_dense_forward(&dense1, inputs2, dense_second);
    activation_relu_forward(&activation1, dense1.output, output->output2);
    activation_relu_backward(&activation1, dvalues, drelu);
    DenseGradients gradients = {output->dweights, output->dbiases, output->dinputs};
    layer_dense_backward(&dense1, drelu, &gradients);
    free(dense_first.values);
    free(dense_second.values);
    free(drelu.values);
    return true;
}

bool softmax_backward(Matrix output, Matrix dvalues, Matrix dinputs) {
    /* output (B, C): the softmax's forward output, dvalues (B, C) -> dinputs (B, C)
     * NOTE: through each sample's Jacobian diag(p) - p·pᵀ, as the book writes it. */
    for (size_t b = 0; b < output.rows; b++) {
        const float *p = row(output, b), *dv = row(dvalues, b);
        for (size_t i = 0; i < output.cols; i++) {
            float total = 0.0f;
            for (size_t j = 0; j < output.cols; j++) {
                float jacobian = (i == j ? p[i] : 0.0f) - p[i] * p[j];
                total += jacobian * dv[j];
            }
            row(dinputs, b)[i] = total;
        }
    }
    return true;
}

bool categorical_crossentropy_backward(Matrix y_pred, Labels y_true, Matrix dinputs) {
    /* y_pred (B, C), y_true (B) class indices or (B, C) one-hot rows -> dinputs (B, C)
     * NOTE: -y_true / y_pred / samples, NOT clipped (the book does not clip here). */
    float samples = (float)y_pred.rows;
    for (size_t b = 0; b < y_pred.rows; b++) {
        for (size_t c = 0; c < y_pred.cols; c++) {
            float y = nnfs_label(y_true, b) == c ? 1.0f : 0.0f;
            row(dinputs, b)[c] = -y / row(y_pred, b)[c] / samples;
        }
    }
    return true;
}

bool softmax_crossentropy_backward(Matrix y_pred, Labels y_true, Matrix dinputs) {
    /* y_pred (B, C): the SOFTMAX OUTPUT, y_true -> dinputs (B, C), the combined backward pass
     * NOTE: (y_pred - y_true) / samples: divided by the number of SAMPLES, not classes. */
    float samples = (float)y_pred.rows;
    for (size_t b = 0; b < y_pred.rows; b++) {
        for (size_t c = 0; c < y_pred.cols; c++) {
            float gradient = row(y_pred, b)[c];
            if (nnfs_label(y_true, b) == c)
                gradient -= 1.0f;
            row(dinputs, b)[c] = gradient / samples;
        }
    }
    return true;
}

/* ------------------------------------------------------------------------------------------
 * Chapters 14-15: L1 and L2 regularization, dropout */

bool regularization(Matrix weights, Vector biases, Regularizers factors,
                    Regularization *output) {
    /* weights (K, N), biases (N), four factors >= 0 -> loss, dweights (K, N), dbiases (N): the
     * regularization's own share, which Layer_Dense.backward adds to the data gradients */
    size_t count = weights.rows * weights.cols;
    output->loss = factors.weight_l1 * sum_abs(weights.values, count) +
                   factors.weight_l2 * sum_squares(weights.values, count) +
                   factors.bias_l1 * sum_abs(biases.values, biases.len) +
                   factors.bias_l2 * sum_squares(biases.values, biases.len);
    regularization_gradient(weights.values, count, factors.weight_l1, factors.weight_l2,
                            output->dweights.values);
    regularization_gradient(biases.values, biases.len, factors.bias_l1, factors.bias_l2,
                            output->dbiases.values);
    return true;
}

bool dropout(Matrix inputs, Matrix mask, float rate, Matrix dvalues, Passes *output) {
    /* inputs (B, N), mask (B, N) of 0 and 1 (1 keeps), rate: the DROP rate in [0, 1), as in
     * Layer_Dropout(rate), dvalues (B, N) -> output, dinputs (B, N)
     * NOTE: inverted dropout: kept values are scaled by 1 / (1 - rate). The mask is given, so
     *       nothing is random; the book draws it with np.random.binomial(1, 1 - rate, size). */
    float keep = 1.0f - rate;
    for (size_t i = 0; i < inputs.rows * inputs.cols; i++) {
        float binary_mask = mask.values[i] / keep;
        output->output.values[i] = inputs.values[i] * binary_mask;
        output->dinputs.values[i] = dvalues.values[i] * binary_mask;
    }
    return true;
}

/* ------------------------------------------------------------------------------------------
 * Chapters 16-17: sigmoid and binary cross-entropy; mean squared and mean absolute error */

bool sigmoid(Matrix inputs, Matrix dvalues, Passes *output) {
    /* inputs (B, N), dvalues (B, N) -> output = 1 / (1 + exp(-x)), dinputs = dvalues·(1 - s)·s */
    for (size_t i = 0; i < inputs.rows * inputs.cols; i++) {
        float s = 1.0f / (1.0f + expf(-inputs.values[i]));
        output->output.values[i] = s;
        output->dinputs.values[i] = dvalues.values[i] * (1.0f - s) * s;
    }
    return true;
}

bool binary_crossentropy(Matrix y_pred, Matrix y_true, LossGradients *output) {
    /* y_pred (B, O) sigmoid outputs, y_true (B, O) of 0 and 1 -> sample_losses (B): the mean
     * over the O outputs, loss: their mean, dinputs (B, O)
     * NOTE: y_pred is clipped in the forward AND the backward pass. */
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

bool binary_accuracy(Matrix y_pred, Matrix y_true, BinaryAccuracy *output) {
    /* y_pred (B, O) sigmoid outputs, y_true (B, O) of 0 and 1 -> predictions (B, O) of 0 and 1,
     * accuracy: the share of every output that matches
     * NOTE: (output > 0.5) * 1: exactly 0.5 is class 0. */
    size_t count = y_pred.rows * y_pred.cols, matches = 0;
    for (size_t i = 0; i < count; i++) {
        output->predictions.values[i] = y_pred.values[i] > 0.5f ? 1 : 0;
        if ((float)output->predictions.values[i] == y_true.values[i])
            matches++;
    }
    output->accuracy = (float)matches / (float)count;
    return true;
}

bool linear(Matrix inputs, Matrix dvalues, Passes *output) {
    /* Activation_Linear: forward copies the inputs, backward copies dvalues */
    copy_matrix(output->output, inputs);
    copy_matrix(output->dinputs, dvalues);
    return true;
}

bool mean_squared_error(Matrix y_pred, Matrix y_true, LossGradients *output) {
    /* y_pred (B, O), y_true (B, O) -> sample_losses (B): mean over O of (y_true - y_pred)²,
     * loss, dinputs = -2·(y_true - y_pred) / O / B */
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

bool mean_absolute_error(Matrix y_pred, Matrix y_true, LossGradients *output) {
    /* y_pred (B, O), y_true (B, O) -> sample_losses (B): mean over O of |y_true - y_pred|,
     * loss, dinputs = sign(y_pred - y_true) / O / B
     * NOTE: sign(0) = 0, and NOT the book's np.sign(y_true - y_pred), which has the wrong sign
     *       (mistake mae-gradient-sign-flipped). */
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

bool regression_accuracy(Matrix y_pred, Matrix y_true, float precision, float *accuracy) {
    /* Accuracy_Regression: the share of outputs within precision of their target
     * NOTE: strictly within (<); the book's precision is np.std(y) / 250, given here. */
    size_t count = y_pred.rows * y_pred.cols, hits = 0;
    for (size_t i = 0; i < count; i++)
        if (fabsf(y_pred.values[i] - y_true.values[i]) < precision)
            hits++;
    *accuracy = (float)hits / (float)count;
    return true;
}

/* ------------------------------------------------------------------------------------------
 * Chapter 10: optimizers. One step is the book's pre_update_params and update_params on one
 * layer; the caller does post_update_params (iterations + 1). */

bool sgd_step(Layer *layer, size_t iterations, Optimizer optimizer, float *learning_rate) {
    /* NOTE: the book's momentum, m = momentum·m - lr·g; w += m (the decayed rate inside m).
     *       Without momentum the book keeps no momentums: they are left unchanged. */
    float lr = *learning_rate = current_learning_rate(optimizer, iterations);
    sgd_update(layer->weights.values, layer->dweights.values, layer->weight_momentums.values,
               layer->weights.rows * layer->weights.cols, lr, optimizer.momentum);
    sgd_update(layer->biases.values, layer->dbiases.values, layer->bias_momentums.values,
               layer->biases.len, lr, optimizer.momentum);
    return true;
}

bool adagrad_step(Layer *layer, size_t iterations, Optimizer optimizer, float *learning_rate) {
    /* cache += g²; w += -lr·g / (sqrt(cache) + epsilon) */
    float lr = *learning_rate = current_learning_rate(optimizer, iterations);
    cache_update(layer->weights.values, layer->dweights.values, layer->weight_cache.values,
                 layer->weights.rows * layer->weights.cols, lr, optimizer.epsilon, 1.0f, 1.0f);
    cache_update(layer->biases.values, layer->dbiases.values, layer->bias_cache.values,
                 layer->biases.len, lr, optimizer.epsilon, 1.0f, 1.0f);
    return true;
}

bool rmsprop_step(Layer *layer, size_t iterations, Optimizer optimizer, float *learning_rate) {
    /* cache = rho·cache + (1 - rho)·g²; w += -lr·g / (sqrt(cache) + epsilon) */
    float lr = *learning_rate = current_learning_rate(optimizer, iterations);
    float rho = optimizer.rho;
    cache_update(layer->weights.values, layer->dweights.values, layer->weight_cache.values,
                 layer->weights.rows * layer->weights.cols, lr, optimizer.epsilon, rho,
                 1.0f - rho);
    cache_update(layer->biases.values, layer->dbiases.values, layer->bias_cache.values,
                 layer->biases.len, lr, optimizer.epsilon, rho, 1.0f - rho);
    return true;
}

bool adam_step(Layer *layer, size_t iterations, Optimizer optimizer, float *learning_rate) {
    /* m = β1·m + (1 - β1)·g; v = β2·v + (1 - β2)·g²; w += -lr·m̂ / (sqrt(v̂) + epsilon)
     * NOTE: the corrections divide by 1 - β^(iterations + 1) (1-based, betas never decayed);
     *       epsilon is added to the square root of the CORRECTED cache. */
    float lr = *learning_rate = current_learning_rate(optimizer, iterations);
    float t = (float)(iterations + 1);
    float corrections[2] = {1.0f - powf(optimizer.beta_1, t), 1.0f - powf(optimizer.beta_2, t)};
    adam_update(layer->weights.values, layer->dweights.values, layer->weight_momentums.values,
                layer->weight_cache.values, layer->weights.rows * layer->weights.cols, lr,
                optimizer, corrections);
    adam_update(layer->biases.values, layer->dbiases.values, layer->bias_momentums.values,
                layer->bias_cache.values, layer->biases.len, lr, optimizer, corrections);
    return true;
}

bool shared_optimizer(Layer *layer1, Layer *layer2, size_t steps, Optimizer optimizer) {
    /* one Optimizer_Adam for two layers, as the Model's train loop uses it: per step
     * pre_update_params, update_params(layer) for each layer, post_update_params
     * NOTE: each layer keeps its own momentums and caches (the kit hands them zeroed), and the
     *       iteration count rises once per step, not once per layer. */
    Layer *layers[2] = {layer1, layer2};
    for (size_t iterations = 0; iterations < steps; iterations++) {
        float learning_rate;
        for (size_t l = 0; l < 2; l++)
            adam_step(layers[l], iterations, optimizer, &learning_rate);
    }
    return true;
}

/* ------------------------------------------------------------------------------------------
 * Chapter 10's training loop */

static bool (*const OPTIMIZER_STEPS[])(Layer *, size_t, Optimizer, float *) = {
    [SGD] = sgd_step, [ADAGRAD] = adagrad_step, [RMSPROP] = rmsprop_step, [ADAM] = adam_step};

bool optimizer_step(OptimizerKind kind, Layer *layer, size_t iterations, Optimizer optimizer,
                    float *learning_rate) {
    return OPTIMIZER_STEPS[kind](layer, iterations, optimizer, learning_rate);
}

Layer new_layer(Matrix weights, Vector biases) {
    /* copies of the parameters; every gradient and state array starts at zeros */
    Layer layer = {.weights = new_matrix(weights.rows, weights.cols),
                   .biases = new_vector(biases.len),
                   .dweights = new_matrix(weights.rows, weights.cols),
                   .dbiases = new_vector(biases.len),
                   .weight_momentums = new_matrix(weights.rows, weights.cols),
                   .bias_momentums = new_vector(biases.len),
                   .weight_cache = new_matrix(weights.rows, weights.cols),
                   .bias_cache = new_vector(biases.len)};
    copy_matrix(layer.weights, weights);
    copy_vector(layer.biases, biases);
    return layer;
}

void free_layer(Layer *layer) {
    free(layer->weights.values);
    free(layer->biases.values);
    free(layer->dweights.values);
    free(layer->dbiases.values);
    free(layer->weight_momentums.values);
    free(layer->bias_momentums.values);
    free(layer->weight_cache.values);
    free(layer->bias_cache.values);
}

bool training(Matrix inputs, Labels y_true, Matrix weights1, Vector biases1, Matrix weights2,
              Vector biases2, size_t steps, OptimizerKind kind, Optimizer optimizer,
              Training *output) {
    /* Dense(K, H) -> ReLU -> Dense(H, C) -> softmax + cross-entropy, full batch, `steps` steps
     * -> per step: loss and accuracy measured BEFORE the update, the rate the step used, and
     *    every parameter AFTER the update.
     * NOTE: optimizer state starts at zeros; both layers step with iterations = s: the count
     *       rises once per step (post_update_params), not once per layer. */
    size_t samples = inputs.rows, hidden = biases1.len, classes = biases2.len;
    Layer layers[2] = {new_layer(weights1, biases1), new_layer(weights2, biases2)};
    Forward pass = {
        .dense1 = new_matrix(samples, hidden), .relu1 = new_matrix(samples, hidden),
        .dense2 = new_matrix(samples, classes), .softmax = new_matrix(samples, classes),
        .loss = {.sample_losses = new_vector(samples)},
        .accuracy = {.predictions = need(calloc(samples, sizeof(size_t)))}};
    Matrix dvalues = new_matrix(samples, classes), ddense1 = new_matrix(samples, hidden);
    /* Layer_Dense.backward sets the layer's own dweights and dbiases */
    DenseGradients dense2 = {layers[1].dweights, layers[1].dbiases,
                             new_matrix(samples, hidden)};
    DenseGradients dense1 = {layers[0].dweights, layers[0].dbiases,
                             new_matrix(samples, inputs.cols)};
    for (size_t s = 0; s < steps; s++) {
        forward(inputs, layers[0].weights, layers[0].biases, layers[1].weights, layers[1].biases,
                y_true, &pass);
        output->loss.values[s] = pass.loss.loss;
        output->accuracy.values[s] = pass.accuracy.accuracy;
        softmax_crossentropy_backward(pass.softmax, y_true, dvalues);
        dense_backward(pass.relu1, layers[1].weights, dvalues, &dense2);
        relu_backward(pass.dense1, dense2.dinputs, ddense1);
        dense_backward(inputs, layers[0].weights, ddense1, &dense1);
        for (size_t l = 0; l < 2; l++)
            OPTIMIZER_STEPS[kind](&layers[l], s, optimizer, &output->learning_rate.values[s]);
        copy_matrix(output->weights1[s], layers[0].weights);
        copy_vector(output->biases1[s], layers[0].biases);
        copy_matrix(output->weights2[s], layers[1].weights);
        copy_vector(output->biases2[s], layers[1].biases);
    }
    free_layer(&layers[0]);
    free_layer(&layers[1]);
    free(pass.dense1.values);
    free(pass.relu1.values);
    free(pass.dense2.values);
    free(pass.softmax.values);
    free(pass.loss.sample_losses.values);
    free(pass.accuracy.predictions);
    free(dvalues.values);
    free(ddense1.values);
    free(dense2.dinputs.values);
    free(dense1.dinputs.values);
    return true;
}

/* ------------------------------------------------------------------------------------------
 * Small helpers */

static void *need(void *allocated) {
    if (allocated == NULL) {
        fputs("nnfs: out of memory\n", stderr);
        exit(1);
    }
    return allocated;
}

Matrix new_matrix(size_t rows, size_t cols) {
    size_t count = rows * cols > 0 ? rows * cols : 1;
    return (Matrix){.rows = rows, .cols = cols, .values = need(calloc(count, sizeof(float)))};
}

Vector new_vector(size_t len) {
    return (Vector){.len = len, .values = need(calloc(len > 0 ? len : 1, sizeof(float)))};
}

static void copy_matrix(Matrix to, Matrix from) {
    memcpy(to.values, from.values, from.rows * from.cols * sizeof(float));
}

static void copy_vector(Vector to, Vector from) {
    memcpy(to.values, from.values, from.len * sizeof(float));
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

static float current_learning_rate(Optimizer optimizer, size_t iterations) {
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

static float clip(float p) {
    /* NOTE: a NaN fails both comparisons and stays NaN, as in np.clip. */
    if (p < CLIP_LOW)
        return CLIP_LOW;
    if (p > CLIP_HIGH)
        return CLIP_HIGH;
    return p;
}

size_t argmax(const float *values, size_t count) {
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
