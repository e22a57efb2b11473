/* Chapters 18-22 of Neural Networks from Scratch in C11 with float32: what the Model object
 * adds around the network of nnfs.c. The data set's preprocessing (chapter 19), Model.train's
 * mini-batches, the output activations' predictions, Model.evaluate's accumulated loss and
 * accuracy, and saving the parameters to a file and loading them into a fresh model
 * (chapter 21). The kit has checked every input and allocated every output. */
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

bool evaluate(Matrix y_pred, Labels y_true, size_t batch_size, Evaluation *output) {
    /* Model.evaluate: loss.new_pass() and accuracy.new_pass(), then per batch calculate(),
     * which adds the batch's sample losses and hits to accumulated sums and its samples to a
     * count; at the end calculate_accumulated(): sum / count.
     * NOTE: not the mean of the batch means, which weighs a short last batch too much. */
    float accumulated_loss = 0.0f;
    size_t accumulated_hits = 0, accumulated_count = 0;
    size_t steps = train_steps(y_pred.rows, batch_size);
    Loss loss = {.sample_losses = new_vector(batch_size < y_pred.rows ? batch_size : y_pred.rows)};
    Accuracy accuracy_of_batch = {.predictions = calloc(loss.sample_losses.len, sizeof(size_t))};
    if (accuracy_of_batch.predictions == NULL) {
        free(loss.sample_losses.values);
        return nnfs_fail("out of memory");
    }
    for (size_t step = 0; step < steps; step++) {
        size_t first = step * batch_size;
        size_t rows = y_pred.rows - first < batch_size ? y_pred.rows - first : batch_size;
        Matrix batch_pred = {rows, y_pred.cols, row(y_pred, first)};
        Labels batch_true = y_true;
        if (y_true.format == SPARSE)
            batch_true.sparse = y_true.sparse + first;
        else
            batch_true.onehot = (Matrix){rows, y_true.onehot.cols, row(y_true.onehot, first)};
        loss.sample_losses.len = rows;
        categorical_crossentropy(batch_pred, batch_true, &loss);
        accuracy(batch_pred, batch_true, &accuracy_of_batch);
        for (size_t b = 0; b < rows; b++) {
            accumulated_loss += loss.sample_losses.values[b];
            accumulated_hits += accuracy_of_batch.predictions[b] == nnfs_label(batch_true, b);
        }
        accumulated_count += rows;
    }
    output->loss = accumulated_loss / (float)accumulated_count;
    output->accuracy = (float)accumulated_hits / (float)accumulated_count;
    free(loss.sample_losses.values);
    free(accuracy_of_batch.predictions);
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
