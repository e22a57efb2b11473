/* Chapters 18-22 of Neural Networks from Scratch in C11 with float32: what the Model object
 * adds around the network of nnfs.c. The data set's preprocessing (chapter 19), Model.train's
 * mini-batches, the output activations' predictions, Model.evaluate's accumulated loss and
 * accuracy, Model.train itself over epochs with regularization and validation, and saving
 * the parameters to a file and loading them into a fresh model (chapter 21). The kit has
 * checked every input and allocated every output. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nnfs.h"

bool preprocess(Images images, const int64_t *labels, const size_t *keys,
                Preprocessed *output) {
    /* chapter 19: X = (X.reshape(X.shape[0], -1).astype(np.float32) - 127.5) / 127.5, then
     * X = X[keys]; y = y[keys]
     * NOTE: each image is flattened row by row; row i of the result is image keys[i]. */
    size_t pixels = images.height * images.width;
    for (size_t i = 0; i < images.count; i++) {
        const uint8_t *image = images.pixels + keys[i] * pixels;
        for (size_t p = 0; p < pixels; p++)
            row(output->x, i)[p] = ((float)image[p] - 127.5f) / 127.5f;
        output->y[i] = labels[keys[i]];
    }
    return true;
}

static size_t train_steps(size_t samples, size_t batch_size) {
    /* Model.train: steps = len(X) // batch_size, and one more for a short last batch */
    size_t steps = samples / batch_size;
    if (steps * batch_size < samples)
        steps += 1;
    return steps;
}

bool batches(Matrix inputs, size_t batch_size, Batches *output) {
    /* the batches Model.train takes: batch `step` is X[step*batch_size:(step+1)*batch_size]
     * NOTE: the last one is short when batch_size does not divide the samples, and a
     *       batch_size past the samples is one batch of all of them. */
    output->steps = train_steps(inputs.rows, batch_size);
    for (size_t step = 0; step < output->steps; step++) {
        size_t first = step * batch_size;
        size_t end = inputs.rows - first < batch_size ? inputs.rows : first + batch_size;
        output->batch_sizes[step] = end - first;
        memcpy(row(output->first_rows, step), row(inputs, first), inputs.cols * sizeof(float));
        memcpy(row(output->last_rows, step), row(inputs, end - 1), inputs.cols * sizeof(float));
    }
    return true;
}

bool predictions(Matrix inputs, OutputActivation activation, Predictions *output) {
    /* the output activation's predictions(outputs):
     * Activation_Softmax: np.argmax(outputs, axis=1), the first maximum winning a tie;
     * Activation_Sigmoid: (outputs > 0.5) * 1, so exactly 0.5 is class 0;
     * Activation_Linear: the outputs themselves */
    size_t count = inputs.rows * inputs.cols;
    switch (activation) {
    case SOFTMAX:
        for (size_t b = 0; b < inputs.rows; b++)
            output->classes[b] = argmax(row(inputs, b), inputs.cols);
        break;
    case SIGMOID:
        for (size_t i = 0; i < count; i++)
            output->binary.values[i] = inputs.values[i] > 0.5f ? 1 : 0;
        break;
    case LINEAR:
        memcpy(output->values.values, inputs.values, count * sizeof(float));
        break;
    }
    return true;
}

/* What the book's Loss and Accuracy count since new_pass(): the sum of the sample losses, the
 * hits, and the samples seen. */
typedef struct {
    float loss_sum;
    size_t hits, count;
    Loss loss;          /* a batch's sample losses (room for the largest batch) */
    Accuracy accuracy;  /* a batch's predictions */
} Accumulated;

static Accumulated new_pass(size_t largest_batch) {
    Accumulated pass = {.loss = {.sample_losses = new_vector(largest_batch)},
                        .accuracy = {.predictions = calloc(largest_batch, sizeof(size_t))}};
    if (pass.accuracy.predictions == NULL) {
        fputs("nnfs: out of memory\n", stderr);
        exit(1);
    }
    return pass;
}

static void free_pass(Accumulated *pass) {
    free(pass->loss.sample_losses.values);
    free(pass->accuracy.predictions);
}

static void calculate(Accumulated *pass, Matrix y_pred, Labels y_true) {
    /* loss.calculate(output, y) and accuracy.calculate(predictions, y): the batch's sample
     * losses and hits are added to the sums, its samples to the count */
    pass->loss.sample_losses.len = y_pred.rows;
    categorical_crossentropy(y_pred, y_true, &pass->loss);
    accuracy(y_pred, y_true, &pass->accuracy);
    for (size_t b = 0; b < y_pred.rows; b++) {
        pass->loss_sum += pass->loss.sample_losses.values[b];
        pass->hits += pass->accuracy.predictions[b] == nnfs_label(y_true, b);
    }
    pass->count += y_pred.rows;
}

/* calculate_accumulated(): the sums over the count */
static float accumulated_loss(const Accumulated *pass) {
    return pass->loss_sum / (float)pass->count;
}

static float accumulated_accuracy(const Accumulated *pass) {
    return (float)pass->hits / (float)pass->count;
}

static Matrix batch_rows(Matrix m, size_t first, size_t count) {
    /* rows [first, first + count) of m, without a copy */
    return (Matrix){count, m.cols, row(m, first)};
}

static Labels batch_labels(Labels y, size_t first, size_t count) {
    if (y.format == SPARSE)
        y.sparse += first;
    else
        y.onehot = batch_rows(y.onehot, first, count);
    return y;
}

static size_t batch_length(size_t samples, size_t batch_size, size_t step) {
    /* the samples of batch `step`: batch_size, or what is left for a short last batch */
    size_t first = step * batch_size;
    return samples - first < batch_size ? samples - first : batch_size;
}

static size_t smaller(size_t a, size_t b) { return a < b ? a : b; }

bool evaluate(Matrix y_pred, Labels y_true, size_t batch_size, Evaluation *output) {
    /* Model.evaluate: loss.new_pass() and accuracy.new_pass(), then per batch calculate(),
     * which adds the batch's sample losses and hits to accumulated sums and its samples to a
     * count; at the end calculate_accumulated(): sum / count.
     * NOTE: not the mean of the batch means, which weighs a short last batch too much. */
    Accumulated pass = new_pass(smaller(batch_size, y_pred.rows));
    size_t steps = train_steps(y_pred.rows, batch_size);
    for (size_t step = 0; step < steps; step++) {
        size_t first = step * batch_size, rows = batch_length(y_pred.rows, batch_size, step);
        calculate(&pass, batch_rows(y_pred, first, rows), batch_labels(y_true, first, rows));
    }
    output->loss = accumulated_loss(&pass);
    output->accuracy = accumulated_accuracy(&pass);
    free_pass(&pass);
    return true;
}

/* ------------------------------------------------------------------------------------------
 * Chapters 18-19: Model.train over mini-batches and epochs, with validation. */

static float regularization_loss(const Layer *layer, Regularizers factors) {
    /* Loss.regularization_loss(): each term only where its factor is > 0 */
    size_t count = layer->weights.rows * layer->weights.cols;
    float loss = 0.0f, total;
    if (factors.weight_l1 > 0) {
        total = 0.0f;
        for (size_t i = 0; i < count; i++)
            total += fabsf(layer->weights.values[i]);
        loss += factors.weight_l1 * total;
    }
    if (factors.weight_l2 > 0) {
        total = 0.0f;
        for (size_t i = 0; i < count; i++)
            total += layer->weights.values[i] * layer->weights.values[i];
        loss += factors.weight_l2 * total;
    }
    if (factors.bias_l1 > 0) {
        total = 0.0f;
        for (size_t i = 0; i < layer->biases.len; i++)
            total += fabsf(layer->biases.values[i]);
        loss += factors.bias_l1 * total;
    }
    if (factors.bias_l2 > 0) {
        total = 0.0f;
        for (size_t i = 0; i < layer->biases.len; i++)
            total += layer->biases.values[i] * layer->biases.values[i];
        loss += factors.bias_l2 * total;
    }
    return loss;
}

static void add_regularization(const float *values, float *gradient, size_t count, float l1,
                               float l2) {
    /* Layer_Dense.backward: dL1 is 1, or -1 where the value < 0 (0 counts as positive); each
     * term added to the data gradient only where its factor is > 0 */
    if (l1 > 0)
        for (size_t i = 0; i < count; i++)
            gradient[i] += l1 * (values[i] < 0.0f ? -1.0f : 1.0f);
    if (l2 > 0)
        for (size_t i = 0; i < count; i++)
            gradient[i] += 2.0f * l2 * values[i];
}

static void regularize(Layer *layer, Regularizers factors) {
    add_regularization(layer->weights.values, layer->dweights.values,
                       layer->weights.rows * layer->weights.cols, factors.weight_l1,
                       factors.weight_l2);
    add_regularization(layer->biases.values, layer->dbiases.values, layer->biases.len,
                       factors.bias_l1, factors.bias_l2);
}

static Network forward_rows(Network room, size_t rows) {
    /* the first `rows` rows of scratch arrays with room for the largest batch */
    room.dense1.rows = room.relu1.rows = room.dense2.rows = room.softmax.rows = rows;
    return room;
}

static Matrix rows_of(Matrix room, size_t rows) {
    room.rows = rows;
    return room;
}

static void model_forward(const Layer layers[2], Matrix x, Network *pass) {
    /* Model.forward: Dense -> ReLU -> Dense -> Softmax */
    dense_relu_dense_softmax(x, layers[0].weights, layers[0].biases, layers[1].weights,
                             layers[1].biases, pass);
}

bool model_training(Matrix inputs, Labels y_true, Matrix validation_inputs,
                    Labels validation_y_true, Matrix weights1, Vector biases1, Matrix weights2,
                    Vector biases2, size_t epochs, size_t batch_size, Regularizers regularizers,
                    OptimizerKind kind, Optimizer optimizer, ModelTraining *output) {
    /* model.train(X, y, epochs=epochs, batch_size=batch_size, validation_data=(X_val, y_val))
     * on Dense(K, H, regularizers) -> ReLU -> Dense(H, C) -> Softmax, the categorical
     * cross-entropy with the combined backward pass, Accuracy_Categorical.
     * NOTE: steps take the batches in the order given; the iteration count rises once per
     *       step (both layers share it) and runs on across epochs, so the rate keeps decaying;
     *       an epoch's loss and accuracy are accumulated over its batches (sums / samples),
     *       and its regularization loss is taken after its last update. The validation loss
     *       is the data loss alone. */
    size_t hidden = biases1.len, classes = biases2.len;
    size_t largest = smaller(batch_size, inputs.rows > validation_inputs.rows
                                             ? inputs.rows
                                             : validation_inputs.rows);
    Layer layers[2] = {new_layer(weights1, biases1), new_layer(weights2, biases2)};
    Network room = {new_matrix(largest, hidden), new_matrix(largest, hidden),
                    new_matrix(largest, classes), new_matrix(largest, classes)};
    Matrix dvalues = new_matrix(largest, classes), drelu1 = new_matrix(largest, hidden);
    Matrix ddense1 = new_matrix(largest, hidden), dinputs = new_matrix(largest, inputs.cols);
    Accumulated pass = new_pass(largest);
    size_t iterations = 0, steps = train_steps(inputs.rows, batch_size);
    for (size_t epoch = 0; epoch < epochs; epoch++) {
        pass.loss_sum = 0.0f, pass.hits = pass.count = 0; /* new_pass() */
        float learning_rate = optimizer.learning_rate;
        for (size_t step = 0; step < steps; step++) {
            size_t first = step * batch_size, rows = batch_length(inputs.rows, batch_size, step);
            Matrix x = batch_rows(inputs, first, rows);
            Labels y = batch_labels(y_true, first, rows);
            Network forward = forward_rows(room, rows);
            model_forward(layers, x, &forward);
            calculate(&pass, forward.softmax, y);
            /* backward: the combined softmax + cross-entropy, then each layer in reverse */
            softmax_crossentropy_backward(forward.softmax, y, rows_of(dvalues, rows));
            DenseGradients dense2 = {layers[1].dweights, layers[1].dbiases,
                                     rows_of(drelu1, rows)};
            dense_backward(forward.relu1, layers[1].weights, rows_of(dvalues, rows), &dense2);
            relu_backward(forward.dense1, dense2.dinputs, rows_of(ddense1, rows));
            DenseGradients dense1 = {layers[0].dweights, layers[0].dbiases,
                                     rows_of(dinputs, rows)};
            dense_backward(x, layers[0].weights, rows_of(ddense1, rows), &dense1);
            regularize(&layers[0], regularizers); /* the second layer has none */
            /* pre_update_params, update_params of each layer, post_update_params */
            for (size_t l = 0; l < 2; l++)
                optimizer_step(kind, &layers[l], iterations, optimizer, &learning_rate);
            iterations++;
        }
        float data_loss = accumulated_loss(&pass);
        float regularization = regularization_loss(&layers[0], regularizers);
        output->data_loss.values[epoch] = data_loss;
        output->regularization_loss.values[epoch] = regularization;
        output->loss.values[epoch] = data_loss + regularization;
        output->accuracy.values[epoch] = accumulated_accuracy(&pass);
        output->learning_rate.values[epoch] = learning_rate;
        /* Model.evaluate(X_val, y_val, batch_size): forward only, accumulated */
        pass.loss_sum = 0.0f, pass.hits = pass.count = 0;
        size_t validation_steps = train_steps(validation_inputs.rows, batch_size);
        for (size_t step = 0; step < validation_steps; step++) {
            size_t first = step * batch_size;
            size_t rows = batch_length(validation_inputs.rows, batch_size, step);
            Network forward = forward_rows(room, rows);
            model_forward(layers, batch_rows(validation_inputs, first, rows), &forward);
            calculate(&pass, forward.softmax, batch_labels(validation_y_true, first, rows));
        }
        output->validation_loss.values[epoch] = accumulated_loss(&pass);
        output->validation_accuracy.values[epoch] = accumulated_accuracy(&pass);
    }
    memcpy(output->weights1.values, layers[0].weights.values,
           weights1.rows * weights1.cols * sizeof(float));
    memcpy(output->biases1.values, layers[0].biases.values, hidden * sizeof(float));
    memcpy(output->weights2.values, layers[1].weights.values,
           weights2.rows * weights2.cols * sizeof(float));
    memcpy(output->biases2.values, layers[1].biases.values, classes * sizeof(float));
    free_layer(&layers[0]);
    free_layer(&layers[1]);
    free(room.dense1.values);
    free(room.relu1.values);
    free(room.dense2.values);
    free(room.softmax.values);
    free(dvalues.values);
    free(drelu1.values);
    free(ddense1.values);
    free(dinputs.values);
    free_pass(&pass);
    return true;
}

/* ------------------------------------------------------------------------------------------
 * Chapter 21: save_parameters and load_parameters. The book pickles get_parameters(), a list
 * of (weights, biases) per trainable layer; here the file is the same list as JSON text,
 * [[weights1, biases1], [weights2, biases2]], each float in the shortest decimal that strtof
 * reads back as the same float, so no digit is lost. */

static void save_float(FILE *file, float x) {
    if (isnan(x)) {
        fputs("\"NaN\"", file);
        return;
    }
    if (isinf(x)) {
        fputs(x > 0 ? "\"Infinity\"" : "\"-Infinity\"", file);
        return;
    }
    char text[32];
    for (int digits = 1; digits <= 9; digits++) { /* 9 digits always read back (FLT_DECIMAL_DIG) */
        snprintf(text, sizeof text, "%.*g", digits, (double)x);
        if (strtof(text, NULL) == x)
            break;
    }
    fputs(text, file);
}

static void save_list(FILE *file, const float *values, size_t count) {
    fputc('[', file);
    for (size_t i = 0; i < count; i++) {
        if (i > 0)
            fputc(',', file);
        save_float(file, values[i]);
    }
    fputc(']', file);
}

static void save_layer(FILE *file, Matrix weights, Vector biases) {
    fputc('[', file);
    fputc('[', file);
    for (size_t k = 0; k < weights.rows; k++) {
        if (k > 0)
            fputc(',', file);
        save_list(file, row(weights, k), weights.cols);
    }
    fputs("],", file);
    save_list(file, biases.values, biases.len);
    fputc(']', file);
}

static bool load_floats(const char **text, float *values, size_t count) {
    /* the next `count` numbers of the file, in order; the brackets only separate them */
    for (size_t i = 0; i < count; i++) {
        *text += strspn(*text, "[], \"\n");
        char *end;
        values[i] = strtof(*text, &end);
        if (end == *text)
            return false;
        *text = end;
    }
    return true;
}

static char *read_all(FILE *file) {
    if (fseek(file, 0, SEEK_END) != 0)
        return NULL;
    long size = ftell(file);
    if (size < 0 || fseek(file, 0, SEEK_SET) != 0)
        return NULL;
    char *text = malloc((size_t)size + 1);
    if (text == NULL)
        return NULL;
    if (fread(text, 1, (size_t)size, file) != (size_t)size) {
        free(text);
        return NULL;
    }
    text[size] = '\0';
    return text;
}

bool parameters(Matrix inputs, Matrix weights1, Vector biases1, Matrix weights2,
                Vector biases2, LoadedModel *output) {
    /* model.save_parameters(path), then a fresh model of the same layers:
     * model.load_parameters(path), and its forward pass on the inputs
     * NOTE: the fresh model's parameters are the output arrays, filled only from the file. */
    FILE *file = tmpfile();
    if (file == NULL)
        return nnfs_fail("cannot create the parameters file: %s", strerror(errno));
    fputc('[', file);
    save_layer(file, weights1, biases1);
    fputc(',', file);
    save_layer(file, weights2, biases2);
    fputs("]\n", file);
    char *saved = read_all(file);
    fclose(file);
    if (saved == NULL)
        return nnfs_fail("cannot read the parameters file back");
    const char *text = saved;
    bool loaded =
        load_floats(&text, output->weights1.values, weights1.rows * weights1.cols) &&
        load_floats(&text, output->biases1.values, biases1.len) &&
        load_floats(&text, output->weights2.values, weights2.rows * weights2.cols) &&
        load_floats(&text, output->biases2.values, biases2.len) &&
        text[strspn(text, "] \n")] == '\0';
    free(saved);
    if (!loaded)
        return nnfs_fail("the parameters file does not hold the model's parameters");
    Network model = {new_matrix(inputs.rows, biases1.len), new_matrix(inputs.rows, biases1.len),
                     new_matrix(inputs.rows, biases2.len), output->output};
    dense_relu_dense_softmax(inputs, output->weights1, output->biases1, output->weights2,
                             output->biases2, &model);
    free(model.dense1.values);
    free(model.relu1.values);
    free(model.dense2.values);
    return true;
}
