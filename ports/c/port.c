/* The C port of nnfs-conformance: protocol 1, JSON Lines over stdin and stdout.
 *
 * Reads one message a line, answers each with one line, and flushes. Serves both transports:
 * a session (many messages, then {"cmd":"bye"}) and one-shot (one message, then end of input).
 * Run it under the suite's runner:  nnfs-conform run -- ports/c/nnfs_port
 */
#define _POSIX_C_SOURCE 200809L /* getline */

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "book.h"
#include "nnfs.h"

#define COUNT(array) (sizeof(array) / sizeof(array[0]))

static const char *const LABEL_FORMATS[] = {"sparse", "onehot"};

/* A request this port cannot understand: say why on stderr, in one line, and exit non-zero;
 * the runner marks the case and restarts the port. */
static _Noreturn void die(const char *format, ...) {
    char message[300];
    va_list args;
    va_start(args, format);
    vsnprintf(message, sizeof message, format, args);
    va_end(args);
    for (char *c = message; *c != '\0'; c++)
        if (*c == '\n' || *c == '\r')
            *c = ' ';
    fprintf(stderr, "nnfs_port: cannot answer: %s\n", message);
    exit(1);
}

static void *need(void *allocated) {
    if (allocated == NULL)
        die("out of memory");
    return allocated;
}

/* ------------------------------------------------------------------------------------------
 * Reading inputs. JSON has no NaN or infinities: the protocol writes them as strings. Every
 * number is read as the nearest double (cJSON uses strtod), then rounded to float. */

static bool read_double(const cJSON *json, double *value) {
    if (cJSON_IsNumber(json))
        *value = json->valuedouble;
    else if (cJSON_IsString(json) && strcmp(json->valuestring, "NaN") == 0)
        *value = NAN;
    else if (cJSON_IsString(json) && strcmp(json->valuestring, "Infinity") == 0)
        *value = INFINITY;
    else if (cJSON_IsString(json) && strcmp(json->valuestring, "-Infinity") == 0)
        *value = -INFINITY;
    else
        return false;
    return true;
}

static bool read_number(const cJSON *json, float *value) {
    double number;
    if (!read_double(json, &number))
        return false;
    *value = (float)number;
    return true;
}

/* The shape of a nested list, as the suite's reference computes it: false when the lists at
 * one depth differ in length or in depth (ragged rows). Dimensions past MAX_RANK are only
 * counted. */
enum { MAX_RANK = 4 };
typedef struct {
    size_t rank, dims[MAX_RANK];
} Shape;

static bool same_dims(Shape a, Shape b) {
    if (a.rank != b.rank)
        return false;
    for (size_t i = 0; i < a.rank && i < MAX_RANK; i++)
        if (a.dims[i] != b.dims[i])
            return false;
    return true;
}

static bool shape_of(const cJSON *json, Shape *shape) {
    *shape = (Shape){0};
    if (!cJSON_IsArray(json))
        return true;
    Shape first = {0}, other;
    size_t count = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, json) {
        if (!shape_of(item, count == 0 ? &first : &other))
            return false;
        if (count > 0 && !same_dims(first, other))
            return false;
        count++;
    }
    shape->rank = first.rank + 1;
    shape->dims[0] = count;
    for (size_t i = 1; i < shape->rank && i < MAX_RANK; i++)
        shape->dims[i] = first.dims[i - 1];
    return true;
}

static bool not_ragged(const cJSON *json, const char *name, Error *error) {
    Shape shape;
    if (!shape_of(json, &shape))
        return fail(error, "ragged_rows", "%s has rows of different lengths", name);
    return true;
}

static size_t length(const cJSON *array) {
    size_t count = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, array) count++;
    return count;
}

static bool read_scalar(const cJSON *json, const char *name, float *value, Error *error) {
    if (!not_ragged(json, name, error))
        return false;
    if (!read_number(json, value))
        return fail(error, "shape_mismatch", "%s must be a single number", name);
    return true;
}

static bool read_scalar_double(const cJSON *json, const char *name, double *value,
                               Error *error) {
    /* a scalar whose domain is checked before it is rounded to float (rate, regularizers) */
    if (!not_ragged(json, name, error))
        return false;
    if (!read_double(json, value))
        return fail(error, "shape_mismatch", "%s must be a single number", name);
    return true;
}

static bool read_count(const cJSON *json, const char *name, double least, double *count,
                       Error *error) {
    /* iterations or steps: a JSON integer >= least, or invalid_value (a list, a boolean, 1.5) */
    if (!cJSON_IsNumber(json) || !isfinite(json->valuedouble) ||
        json->valuedouble != floor(json->valuedouble) || json->valuedouble < least)
        return fail(error, "invalid_value", "%s must be an integer >= %g", name, least);
    *count = json->valuedouble;
    return true;
}

static bool read_vector(const cJSON *json, const char *name, Vector *vector, Error *error) {
    /* a rank-1 input: a list of numbers */
    if (!not_ragged(json, name, error))
        return false;
    if (!cJSON_IsArray(json))
        return fail(error, "shape_mismatch", "%s must be a list of numbers (rank 1)", name);
    vector->len = length(json);
    vector->values = need(calloc(vector->len + 1, sizeof(float)));
    size_t i = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, json) {
        if (cJSON_IsArray(item))
            return fail(error, "shape_mismatch", "%s must be rank 1, %s[%zu] is a list", name,
                        name, i);
        if (!read_number(item, &vector->values[i]))
            return fail(error, "shape_mismatch", "%s[%zu] is not a number", name, i);
        i++;
    }
    return true;
}

static bool read_matrix(const cJSON *json, const char *name, Matrix *matrix, Error *error) {
    /* a rank-2 input: a list of rows of numbers, all of the same length */
    if (!not_ragged(json, name, error))
        return false;
    if (!cJSON_IsArray(json))
        return fail(error, "shape_mismatch", "%s must be a list of rows (rank 2)", name);
    size_t rows = 0, lists = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, json) {
        rows++;
        if (cJSON_IsArray(item))
            lists++;
    }
    if (rows > 0 && lists == 0)
        return fail(error, "shape_mismatch", "%s must be a list of rows (rank 2), got a list "
                    "of %zu numbers", name, rows);
    if (lists != rows)
        return fail(error, "ragged_rows", "%s mixes rows and single numbers", name);
    matrix->rows = rows;
    matrix->cols = rows > 0 ? length(json->child) : 0;
    size_t r = 0;
    cJSON_ArrayForEach(item, json) {
        if (length(item) != matrix->cols)
            return fail(error, "ragged_rows", "%s[0] has %zu values, %s[%zu] has %zu", name,
                        matrix->cols, name, r, length(item));
        r++;
    }
    matrix->values = need(calloc(rows * matrix->cols + 1, sizeof(float)));
    r = 0;
    cJSON_ArrayForEach(item, json) {
        size_t c = 0;
        const cJSON *value;
        cJSON_ArrayForEach(value, item) {
            if (!read_number(value, &row(*matrix, r)[c]))
                return fail(error, "shape_mismatch", "%s[%zu][%zu] is not a number", name, r,
                            c);
            c++;
        }
        r++;
    }
    return true;
}

static bool read_zeros_ones(const cJSON *json, const char *name, const char *kind,
                            Matrix *matrix, Error *error) {
    /* a rank-2 input of integers 0 and 1 (a dropout mask, binary targets), checked as written,
     * never rounded to float first: 0.99999999 or true is not 1; else an error of `kind` */
    const cJSON *line, *item;
    cJSON_ArrayForEach(line, json) {
        if (!cJSON_IsArray(line))
            continue;
        cJSON_ArrayForEach(item, line) {
            if (cJSON_IsArray(item))
                continue;
            if (!cJSON_IsNumber(item) || (item->valuedouble != 0.0 && item->valuedouble != 1.0))
                return fail(error, kind, "%s must hold only 0 and 1", name);
        }
    }
    return read_matrix(json, name, matrix, error);
}

static bool read_rank_1_or_2(const cJSON *json, const char *name, Matrix *matrix, bool *nested,
                             Error *error) {
    /* any rank-1 or rank-2 shape: a list that holds a list is rank 2; rank 1 is one row */
    *nested = false;
    const cJSON *item;
    cJSON_ArrayForEach(item, json) *nested = *nested || cJSON_IsArray(item);
    if (*nested)
        return read_matrix(json, name, matrix, error);
    Vector values = {0};
    bool ok = read_vector(json, name, &values, error);
    *matrix = (Matrix){.rows = 1, .cols = values.len, .values = values.values};
    return ok;
}

static const char *param(const cJSON *params, const char *name) {
    /* a string parameter, or NULL if it is not given */
    const cJSON *value = cJSON_GetObjectItemCaseSensitive(params, name);
    if (value != NULL && !cJSON_IsString(value))
        die("params.%s is not a string", name);
    return value != NULL ? value->valuestring : NULL;
}

static bool read_labels(const cJSON *json, const cJSON *params, Labels *labels, Error *error) {
    /* class indices or one-hot rows, as params.label_format says; without it the rank
     * decides, as in the book */
    const char *format = param(params, "label_format");
    if (format == NULL) {
        bool nested = false;
        const cJSON *item;
        cJSON_ArrayForEach(item, json) nested = nested || cJSON_IsArray(item);
        format = nested ? "onehot" : "sparse";
    }
    if (strcmp(format, "sparse") == 0) {
        labels->format = SPARSE;
        return read_vector(json, "y_true", &labels->sparse, error);
    }
    if (strcmp(format, "onehot") == 0) {
        labels->format = ONEHOT;
        return read_matrix(json, "y_true", &labels->onehot, error);
    }
    die("unknown label_format \"%s\"", format);
}

static void free_labels(Labels *labels) {
    free(labels->sparse.values);
    free(labels->onehot.values);
}

/* ------------------------------------------------------------------------------------------
 * Writing outputs: non-finite numbers become the protocol's strings. */

static cJSON *number_json(double x) {
    if (isnan(x))
        return need(cJSON_CreateString("NaN"));
    if (isinf(x))
        return need(cJSON_CreateString(x > 0 ? "Infinity" : "-Infinity"));
    /* NOTE: not cJSON_CreateNumber: cJSON 1.7 prints 15 digits when they come back within
     *       an epsilon, which loses the last bits. 17 significant digits always round-trip. */
    char text[32];
    snprintf(text, sizeof text, "%.17g", x);
    return need(cJSON_CreateRaw(text));
}

static cJSON *floats_json(const float *values, size_t count) {
    cJSON *array = need(cJSON_CreateArray());
    for (size_t i = 0; i < count; i++)
        cJSON_AddItemToArray(array, number_json(values[i]));
    return array;
}

static cJSON *matrix_json(Matrix m) {
    cJSON *array = need(cJSON_CreateArray());
    for (size_t r = 0; r < m.rows; r++)
        cJSON_AddItemToArray(array, floats_json(row(m, r), m.cols));
    return array;
}

static cJSON *rank_1_or_2_json(Matrix m, bool nested) {
    /* as read_rank_1_or_2 read it: rank 1 is one row */
    return nested ? matrix_json(m) : floats_json(m.values, m.cols);
}

static cJSON *matrices_json(const Matrix *matrices, size_t count) {
    cJSON *array = need(cJSON_CreateArray());
    for (size_t i = 0; i < count; i++)
        cJSON_AddItemToArray(array, matrix_json(matrices[i]));
    return array;
}

static cJSON *vectors_json(const Vector *vectors, size_t count) {
    cJSON *array = need(cJSON_CreateArray());
    for (size_t i = 0; i < count; i++)
        cJSON_AddItemToArray(array, floats_json(vectors[i].values, vectors[i].len));
    return array;
}

static cJSON *indices_json(const size_t *values, size_t count) {
    cJSON *array = need(cJSON_CreateArray());
    for (size_t i = 0; i < count; i++)
        cJSON_AddItemToArray(array, number_json((double)values[i]));
    return array;
}

/* ------------------------------------------------------------------------------------------
 * One function per stage: read its inputs, run it, write its outputs. Returns false with
 * *error filled when the inputs are invalid. */

static const cJSON *input(const cJSON *inputs, const char *name) {
    const cJSON *value = cJSON_GetObjectItemCaseSensitive(inputs, name);
    if (value == NULL)
        die("the run message has no input \"%s\"", name);
    return value;
}

static bool run_neuron(const cJSON *in, const cJSON *params, cJSON *out, Error *error) {
    (void)params;
    Vector inputs = {0}, weights = {0};
    float bias, output;
    bool ok = read_vector(input(in, "inputs"), "inputs", &inputs, error) &&
              read_vector(input(in, "weights"), "weights", &weights, error) &&
              read_scalar(input(in, "bias"), "bias", &bias, error) &&
              neuron(inputs, weights, bias, &output, error);
    if (ok)
        cJSON_AddItemToObject(out, "output", number_json(output));
    free(inputs.values);
    free(weights.values);
    return ok;
}

static bool run_layer(const cJSON *in, const cJSON *params, cJSON *out, Error *error) {
    (void)params;
    Vector inputs = {0}, biases = {0}, output = {0};
    Matrix weights = {0};
    bool ok = read_vector(input(in, "inputs"), "inputs", &inputs, error) &&
              read_matrix(input(in, "weights"), "weights", &weights, error) &&
              read_vector(input(in, "biases"), "biases", &biases, error) &&
              layer(inputs, weights, biases, &output, error);
    if (ok)
        cJSON_AddItemToObject(out, "output", floats_json(output.values, output.len));
    free(inputs.values);
    free(weights.values);
    free(biases.values);
    free(output.values);
    return ok;
}

static bool run_dense_batch(const cJSON *in, const cJSON *params, cJSON *out, Error *error) {
    const char *layout = param(params, "weights_layout");
    WeightsLayout weights_layout = INPUTS_NEURONS;
    if (layout != NULL && strcmp(layout, "neurons_inputs") == 0)
        weights_layout = NEURONS_INPUTS;
    else if (layout != NULL && strcmp(layout, "inputs_neurons") != 0)
        die("unknown weights_layout \"%s\"", layout);
    Matrix inputs = {0}, weights = {0}, output = {0};
    Vector biases = {0};
    bool ok = read_matrix(input(in, "inputs"), "inputs", &inputs, error) &&
              read_matrix(input(in, "weights"), "weights", &weights, error) &&
              read_vector(input(in, "biases"), "biases", &biases, error) &&
              dense_batch(inputs, weights, biases, weights_layout, &output, error);
    if (ok)
        cJSON_AddItemToObject(out, "output", matrix_json(output));
    free(inputs.values);
    free(weights.values);
    free(biases.values);
    free(output.values);
    return ok;
}

static bool run_relu(const cJSON *in, const cJSON *params, cJSON *out, Error *error) {
    (void)params;
    Matrix inputs = {0}, output = {0};
    bool nested;
    bool ok = read_rank_1_or_2(input(in, "inputs"), "inputs", &inputs, &nested, error);
    if (ok) {
        relu(inputs, &output);
        cJSON_AddItemToObject(out, "output", rank_1_or_2_json(output, nested));
    }
    free(inputs.values);
    free(output.values);
    return ok;
}

static bool run_softmax(const cJSON *in, const cJSON *params, cJSON *out, Error *error) {
    (void)params;
    Matrix inputs = {0}, output = {0};
    bool ok = read_matrix(input(in, "inputs"), "inputs", &inputs, error) &&
              softmax(inputs, &output, error);
    if (ok)
        cJSON_AddItemToObject(out, "output", matrix_json(output));
    free(inputs.values);
    free(output.values);
    return ok;
}

static bool run_categorical_crossentropy(const cJSON *in, const cJSON *params, cJSON *out,
                                         Error *error) {
    Matrix y_pred = {0};
    Labels y_true = {0};
    Loss output = {0};
    bool ok = read_matrix(input(in, "y_pred"), "y_pred", &y_pred, error) &&
              read_labels(input(in, "y_true"), params, &y_true, error) &&
              categorical_crossentropy(y_pred, y_true, &output, error);
    if (ok) {
        cJSON_AddItemToObject(out, "sample_losses",
                              floats_json(output.sample_losses.values, output.sample_losses.len));
        cJSON_AddItemToObject(out, "loss", number_json(output.loss));
    }
    free(y_pred.values);
    free_labels(&y_true);
    free(output.sample_losses.values);
    return ok;
}

static bool run_accuracy(const cJSON *in, const cJSON *params, cJSON *out, Error *error) {
    Matrix y_pred = {0};
    Labels y_true = {0};
    Accuracy output = {0};
    bool ok = read_matrix(input(in, "y_pred"), "y_pred", &y_pred, error) &&
              read_labels(input(in, "y_true"), params, &y_true, error) &&
              accuracy(y_pred, y_true, &output, error);
    if (ok) {
        cJSON_AddItemToObject(out, "predictions", indices_json(output.predictions, output.count));
        cJSON_AddItemToObject(out, "accuracy", number_json(output.accuracy));
    }
    free(y_pred.values);
    free_labels(&y_true);
    free(output.predictions);
    return ok;
}

static bool run_forward(const cJSON *in, const cJSON *params, cJSON *out, Error *error) {
    Matrix inputs = {0}, weights1 = {0}, weights2 = {0};
    Vector biases1 = {0}, biases2 = {0};
    Labels y_true = {0};
    Forward output = {0};
    bool ok = read_matrix(input(in, "inputs"), "inputs", &inputs, error) &&
              read_matrix(input(in, "weights1"), "weights1", &weights1, error) &&
              read_vector(input(in, "biases1"), "biases1", &biases1, error) &&
              read_matrix(input(in, "weights2"), "weights2", &weights2, error) &&
              read_vector(input(in, "biases2"), "biases2", &biases2, error) &&
              read_labels(input(in, "y_true"), params, &y_true, error) &&
              forward(inputs, weights1, biases1, weights2, biases2, y_true, &output, error);
    if (ok) {
        cJSON_AddItemToObject(out, "dense1", matrix_json(output.dense1));
        cJSON_AddItemToObject(out, "relu1", matrix_json(output.relu1));
        cJSON_AddItemToObject(out, "dense2", matrix_json(output.dense2));
        cJSON_AddItemToObject(out, "softmax", matrix_json(output.softmax));
        cJSON_AddItemToObject(out, "sample_losses", floats_json(output.loss.sample_losses.values,
                                                                output.loss.sample_losses.len));
        cJSON_AddItemToObject(out, "loss", number_json(output.loss.loss));
        cJSON_AddItemToObject(out, "predictions", indices_json(output.accuracy.predictions,
                                                               output.accuracy.count));
        cJSON_AddItemToObject(out, "accuracy", number_json(output.accuracy.accuracy));
    }
    free(inputs.values);
    free(weights1.values);
    free(biases1.values);
    free(weights2.values);
    free(biases2.values);
    free_labels(&y_true);
    free_forward(&output);
    return ok;
}

/* Chapters 9-17: backward passes, regularization, more losses, optimizers, training. */

static bool run_dense_backward(const cJSON *in, const cJSON *params, cJSON *out, Error *error) {
    (void)params;
    Matrix inputs = {0}, weights = {0}, dvalues = {0};
    DenseGradients output = {0};
    bool ok = read_matrix(input(in, "inputs"), "inputs", &inputs, error) &&
              read_matrix(input(in, "weights"), "weights", &weights, error) &&
              read_matrix(input(in, "dvalues"), "dvalues", &dvalues, error) &&
              dense_backward(inputs, weights, dvalues, &output, error);
    if (ok) {
        cJSON_AddItemToObject(out, "dweights", matrix_json(output.dweights));
        cJSON_AddItemToObject(out, "dbiases",
                              floats_json(output.dbiases.values, output.dbiases.len));
        cJSON_AddItemToObject(out, "dinputs", matrix_json(output.dinputs));
    }
    free(inputs.values);
    free(weights.values);
    free(dvalues.values);
    free(output.dweights.values);
    free(output.dbiases.values);
    free(output.dinputs.values);
    return ok;
}

static bool run_relu_backward(const cJSON *in, const cJSON *params, cJSON *out, Error *error) {
    (void)params;
    Matrix inputs = {0}, dvalues = {0}, dinputs = {0};
    bool nested, dvalues_nested;
    bool ok = read_rank_1_or_2(input(in, "inputs"), "inputs", &inputs, &nested, error) &&
              read_rank_1_or_2(input(in, "dvalues"), "dvalues", &dvalues, &dvalues_nested,
                               error);
    if (ok && nested != dvalues_nested)
        ok = fail(error, "shape_mismatch", "inputs and dvalues differ in rank");
    ok = ok && relu_backward(inputs, dvalues, &dinputs, error);
    if (ok)
        cJSON_AddItemToObject(out, "dinputs", rank_1_or_2_json(dinputs, nested));
    free(inputs.values);
    free(dvalues.values);
    free(dinputs.values);
    return ok;
}

static bool run_softmax_backward(const cJSON *in, const cJSON *params, cJSON *out,
                                 Error *error) {
    (void)params;
    Matrix output = {0}, dvalues = {0}, dinputs = {0};
    bool ok = read_matrix(input(in, "output"), "output", &output, error) &&
              read_matrix(input(in, "dvalues"), "dvalues", &dvalues, error) &&
              softmax_backward(output, dvalues, &dinputs, error);
    if (ok)
        cJSON_AddItemToObject(out, "dinputs", matrix_json(dinputs));
    free(output.values);
    free(dvalues.values);
    free(dinputs.values);
    return ok;
}

static bool run_categorical_crossentropy_backward(const cJSON *in, const cJSON *params,
                                                  cJSON *out, Error *error) {
    Matrix y_pred = {0}, dinputs = {0};
    Labels y_true = {0};
    bool ok = read_matrix(input(in, "y_pred"), "y_pred", &y_pred, error) &&
              read_labels(input(in, "y_true"), params, &y_true, error) &&
              categorical_crossentropy_backward(y_pred, y_true, &dinputs, error);
    if (ok)
        cJSON_AddItemToObject(out, "dinputs", matrix_json(dinputs));
    free(y_pred.values);
    free_labels(&y_true);
    free(dinputs.values);
    return ok;
}

static bool run_softmax_crossentropy_backward(const cJSON *in, const cJSON *params, cJSON *out,
                                              Error *error) {
    /* path "combined": the book's combined backward pass; "separate": the two backward passes
     * chained, softmax_backward(y_pred, categorical_crossentropy_backward(y_pred, y_true)) */
    const char *path = param(params, "path");
    bool separate = path != NULL && strcmp(path, "separate") == 0;
    if (path != NULL && !separate && strcmp(path, "combined") != 0)
        die("unknown path \"%s\"", path);
    Matrix y_pred = {0}, dvalues = {0}, dinputs = {0};
    Labels y_true = {0};
    bool ok = read_matrix(input(in, "y_pred"), "y_pred", &y_pred, error) &&
              read_labels(input(in, "y_true"), params, &y_true, error);
    if (ok && separate)
        ok = categorical_crossentropy_backward(y_pred, y_true, &dvalues, error) &&
             softmax_backward(y_pred, dvalues, &dinputs, error);
    else if (ok)
        ok = softmax_crossentropy_backward(y_pred, y_true, &dinputs, error);
    if (ok)
        cJSON_AddItemToObject(out, "dinputs", matrix_json(dinputs));
    free(y_pred.values);
    free_labels(&y_true);
    free(dvalues.values);
    free(dinputs.values);
    return ok;
}

static bool run_regularization(const cJSON *in, const cJSON *params, cJSON *out, Error *error) {
    (void)params;
    Matrix weights = {0};
    Vector biases = {0};
    Regularizers factors;
    Regularization output = {0};
    bool ok = read_matrix(input(in, "weights"), "weights", &weights, error) &&
              read_vector(input(in, "biases"), "biases", &biases, error) &&
              read_scalar_double(input(in, "weight_regularizer_l1"), "weight_regularizer_l1",
                                 &factors.weight_l1, error) &&
              read_scalar_double(input(in, "weight_regularizer_l2"), "weight_regularizer_l2",
                                 &factors.weight_l2, error) &&
              read_scalar_double(input(in, "bias_regularizer_l1"), "bias_regularizer_l1",
                                 &factors.bias_l1, error) &&
              read_scalar_double(input(in, "bias_regularizer_l2"), "bias_regularizer_l2",
                                 &factors.bias_l2, error) &&
              regularization(weights, biases, factors, &output, error);
    if (ok) {
        cJSON_AddItemToObject(out, "loss", number_json(output.loss));
        cJSON_AddItemToObject(out, "dweights", matrix_json(output.dweights));
        cJSON_AddItemToObject(out, "dbiases",
                              floats_json(output.dbiases.values, output.dbiases.len));
    }
    free(weights.values);
    free(biases.values);
    free(output.dweights.values);
    free(output.dbiases.values);
    return ok;
}

static bool run_dropout(const cJSON *in, const cJSON *params, cJSON *out, Error *error) {
    (void)params;
    Matrix inputs = {0}, mask = {0}, dvalues = {0};
    double rate;
    Passes output = {0};
    bool ok = read_matrix(input(in, "inputs"), "inputs", &inputs, error) &&
              read_zeros_ones(input(in, "mask"), "mask", "invalid_value", &mask, error) &&
              read_scalar_double(input(in, "rate"), "rate", &rate, error) &&
              read_matrix(input(in, "dvalues"), "dvalues", &dvalues, error) &&
              dropout(inputs, mask, rate, dvalues, &output, error);
    if (ok) {
        cJSON_AddItemToObject(out, "output", matrix_json(output.output));
        cJSON_AddItemToObject(out, "dinputs", matrix_json(output.dinputs));
    }
    free(inputs.values);
    free(mask.values);
    free(dvalues.values);
    free(output.output.values);
    free(output.dinputs.values);
    return ok;
}

static bool run_sigmoid(const cJSON *in, const cJSON *params, cJSON *out, Error *error) {
    (void)params;
    Matrix inputs = {0}, dvalues = {0};
    Passes output = {0};
    bool ok = read_matrix(input(in, "inputs"), "inputs", &inputs, error) &&
              read_matrix(input(in, "dvalues"), "dvalues", &dvalues, error) &&
              sigmoid(inputs, dvalues, &output, error);
    if (ok) {
        cJSON_AddItemToObject(out, "output", matrix_json(output.output));
        cJSON_AddItemToObject(out, "dinputs", matrix_json(output.dinputs));
    }
    free(inputs.values);
    free(dvalues.values);
    free(output.output.values);
    free(output.dinputs.values);
    return ok;
}

static void add_loss_gradients(cJSON *out, LossGradients output) {
    cJSON_AddItemToObject(out, "sample_losses",
                          floats_json(output.sample_losses.values, output.sample_losses.len));
    cJSON_AddItemToObject(out, "loss", number_json(output.loss));
    cJSON_AddItemToObject(out, "dinputs", matrix_json(output.dinputs));
}

static bool run_binary_crossentropy(const cJSON *in, const cJSON *params, cJSON *out,
                                    Error *error) {
    (void)params;
    Matrix y_pred = {0}, y_true = {0};
    LossGradients output = {0};
    bool ok = read_matrix(input(in, "y_pred"), "y_pred", &y_pred, error) &&
              read_zeros_ones(input(in, "y_true"), "y_true", "invalid_label", &y_true, error) &&
              binary_crossentropy(y_pred, y_true, &output, error);
    if (ok)
        add_loss_gradients(out, output);
    free(y_pred.values);
    free(y_true.values);
    free(output.sample_losses.values);
    free(output.dinputs.values);
    return ok;
}

static bool run_regression_loss(const cJSON *in, cJSON *out, Error *error,
                                bool (*loss)(Matrix, Matrix, LossGradients *, Error *)) {
    /* y_true holds measurements: numbers read like any other */
    Matrix y_pred = {0}, y_true = {0};
    LossGradients output = {0};
    bool ok = read_matrix(input(in, "y_pred"), "y_pred", &y_pred, error) &&
              read_matrix(input(in, "y_true"), "y_true", &y_true, error) &&
              loss(y_pred, y_true, &output, error);
    if (ok)
        add_loss_gradients(out, output);
    free(y_pred.values);
    free(y_true.values);
    free(output.sample_losses.values);
    free(output.dinputs.values);
    return ok;
}

static bool run_mean_squared_error(const cJSON *in, const cJSON *params, cJSON *out,
                                   Error *error) {
    (void)params;
    return run_regression_loss(in, out, error, mean_squared_error);
}

static bool run_mean_absolute_error(const cJSON *in, const cJSON *params, cJSON *out,
                                    Error *error) {
    (void)params;
    return run_regression_loss(in, out, error, mean_absolute_error);
}

/* The optimizer steps: which state arrays and hyperparameters each one reads. */
enum { HYPERPARAMETERS = 5 };
static const struct {
    const char *name;
    bool (*step)(Layer *, double, Optimizer, float *, Error *);
    bool momentums, cache;
    const char *hyperparameters[HYPERPARAMETERS];
} OPTIMIZERS[] = {
    [SGD] = {"sgd", sgd_step, true, false, {"learning_rate", "decay", "momentum"}},
    [ADAGRAD] = {"adagrad", adagrad_step, false, true, {"learning_rate", "decay", "epsilon"}},
    [RMSPROP] = {"rmsprop", rmsprop_step, false, true,
                 {"learning_rate", "decay", "epsilon", "rho"}},
    [ADAM] = {"adam", adam_step, true, true,
              {"learning_rate", "decay", "epsilon", "beta_1", "beta_2"}},
};

static float *hyperparameter(Optimizer *optimizer, const char *name) {
    /* the field of *optimizer that `name` names */
    if (strcmp(name, "learning_rate") == 0)
        return &optimizer->learning_rate;
    if (strcmp(name, "decay") == 0)
        return &optimizer->decay;
    if (strcmp(name, "momentum") == 0)
        return &optimizer->momentum;
    if (strcmp(name, "epsilon") == 0)
        return &optimizer->epsilon;
    if (strcmp(name, "rho") == 0)
        return &optimizer->rho;
    if (strcmp(name, "beta_1") == 0)
        return &optimizer->beta_1;
    return &optimizer->beta_2;
}

static bool read_hyperparameters(const cJSON *in, const char *const *names,
                                 Optimizer *optimizer, Error *error) {
    for (size_t i = 0; i < HYPERPARAMETERS && names[i] != NULL; i++)
        if (!read_scalar(input(in, names[i]), names[i], hyperparameter(optimizer, names[i]),
                         error))
            return false;
    return true;
}

static bool run_optimizer_step(const cJSON *in, cJSON *out, Error *error, OptimizerKind kind) {
    bool momentums = OPTIMIZERS[kind].momentums, cache = OPTIMIZERS[kind].cache;
    Layer layer = {0};
    Optimizer optimizer = {0};
    double iterations;
    float learning_rate;
    bool ok = read_matrix(input(in, "weights"), "weights", &layer.weights, error) &&
              read_vector(input(in, "biases"), "biases", &layer.biases, error) &&
              read_matrix(input(in, "dweights"), "dweights", &layer.dweights, error) &&
              read_vector(input(in, "dbiases"), "dbiases", &layer.dbiases, error);
    if (ok && momentums)
        ok = read_matrix(input(in, "weight_momentums"), "weight_momentums",
                         &layer.weight_momentums, error) &&
             read_vector(input(in, "bias_momentums"), "bias_momentums", &layer.bias_momentums,
                         error);
    if (ok && cache)
        ok = read_matrix(input(in, "weight_cache"), "weight_cache", &layer.weight_cache,
                         error) &&
             read_vector(input(in, "bias_cache"), "bias_cache", &layer.bias_cache, error);
    ok = ok && read_count(input(in, "iterations"), "iterations", 0, &iterations, error) &&
         read_hyperparameters(in, OPTIMIZERS[kind].hyperparameters, &optimizer, error) &&
         OPTIMIZERS[kind].step(&layer, iterations, optimizer, &learning_rate, error);
    if (ok) {
        cJSON_AddItemToObject(out, "weights", matrix_json(layer.weights));
        cJSON_AddItemToObject(out, "biases", floats_json(layer.biases.values, layer.biases.len));
        if (momentums) {
            cJSON_AddItemToObject(out, "weight_momentums", matrix_json(layer.weight_momentums));
            cJSON_AddItemToObject(out, "bias_momentums", floats_json(layer.bias_momentums.values,
                                                                     layer.bias_momentums.len));
        }
        if (cache) {
            cJSON_AddItemToObject(out, "weight_cache", matrix_json(layer.weight_cache));
            cJSON_AddItemToObject(out, "bias_cache", floats_json(layer.bias_cache.values,
                                                                 layer.bias_cache.len));
        }
        cJSON_AddItemToObject(out, "learning_rate", number_json(learning_rate));
        cJSON_AddItemToObject(out, "iterations", number_json(iterations + 1));
    }
    free(layer.weights.values);
    free(layer.biases.values);
    free(layer.dweights.values);
    free(layer.dbiases.values);
    free(layer.weight_momentums.values);
    free(layer.bias_momentums.values);
    free(layer.weight_cache.values);
    free(layer.bias_cache.values);
    return ok;
}

static bool run_sgd_step(const cJSON *in, const cJSON *params, cJSON *out, Error *error) {
    (void)params;
    return run_optimizer_step(in, out, error, SGD);
}

static bool run_adagrad_step(const cJSON *in, const cJSON *params, cJSON *out, Error *error) {
    (void)params;
    return run_optimizer_step(in, out, error, ADAGRAD);
}

static bool run_rmsprop_step(const cJSON *in, const cJSON *params, cJSON *out, Error *error) {
    (void)params;
    return run_optimizer_step(in, out, error, RMSPROP);
}

static bool run_adam_step(const cJSON *in, const cJSON *params, cJSON *out, Error *error) {
    (void)params;
    return run_optimizer_step(in, out, error, ADAM);
}

static bool run_training(const cJSON *in, const cJSON *params, cJSON *out, Error *error) {
    /* every hyperparameter is sent, whichever optimizer reads it */
    static const char *const ALL[] = {"learning_rate", "decay", "momentum", "epsilon", "rho",
                                      "beta_1", "beta_2"};
    const char *name = param(params, "optimizer");
    size_t kind = 0;
    while (kind < COUNT(OPTIMIZERS) && (name == NULL || strcmp(OPTIMIZERS[kind].name, name) != 0))
        kind++;
    if (kind == COUNT(OPTIMIZERS))
        die("unknown optimizer \"%s\"", name != NULL ? name : "(none)");
    Matrix inputs = {0}, weights1 = {0}, weights2 = {0};
    Vector biases1 = {0}, biases2 = {0};
    Labels y_true = {0};
    double steps;
    Optimizer optimizer = {0};
    Training output = {0};
    bool ok = read_matrix(input(in, "inputs"), "inputs", &inputs, error) &&
              read_labels(input(in, "y_true"), params, &y_true, error) &&
              read_matrix(input(in, "weights1"), "weights1", &weights1, error) &&
              read_vector(input(in, "biases1"), "biases1", &biases1, error) &&
              read_matrix(input(in, "weights2"), "weights2", &weights2, error) &&
              read_vector(input(in, "biases2"), "biases2", &biases2, error) &&
              read_count(input(in, "steps"), "steps", 1, &steps, error);
    for (size_t i = 0; ok && i < COUNT(ALL); i++)
        ok = read_scalar(input(in, ALL[i]), ALL[i], hyperparameter(&optimizer, ALL[i]), error);
    ok = ok && training(inputs, y_true, weights1, biases1, weights2, biases2, (size_t)steps,
                        (OptimizerKind)kind, optimizer, &output, error);
    if (ok) {
        cJSON_AddItemToObject(out, "loss", floats_json(output.loss, output.steps));
        cJSON_AddItemToObject(out, "accuracy", floats_json(output.accuracy, output.steps));
        cJSON_AddItemToObject(out, "learning_rate",
                              floats_json(output.learning_rate, output.steps));
        cJSON_AddItemToObject(out, "weights1", matrices_json(output.weights1, output.steps));
        cJSON_AddItemToObject(out, "biases1", vectors_json(output.biases1, output.steps));
        cJSON_AddItemToObject(out, "weights2", matrices_json(output.weights2, output.steps));
        cJSON_AddItemToObject(out, "biases2", vectors_json(output.biases2, output.steps));
    }
    free(inputs.values);
    free_labels(&y_true);
    free(weights1.values);
    free(biases1.values);
    free(weights2.values);
    free(biases2.values);
    free_training(&output);
    return ok;
}

/* The book tier: integers in, the book's exact values out (docs/BOOK.md). */

static uint64_t integer_input(const cJSON *in, const char *name) {
    const cJSON *value = input(in, name);
    if (!cJSON_IsNumber(value) || value->valuedouble < 0)
        die("input \"%s\" must be a non-negative integer", name);
    return (uint64_t)value->valuedouble;
}

static uint64_t pair_item(const cJSON *pair, int which) {
    const cJSON *item = cJSON_GetArrayItem(pair, which);
    if (!cJSON_IsNumber(item) || item->valuedouble < 0)
        die("a pair must hold two non-negative integers");
    return (uint64_t)item->valuedouble;
}

static bool run_rng(const cJSON *in, const cJSON *params, cJSON *out, Error *error) {
    (void)params, (void)error;
    RandomState state;
    random_seed(&state, (uint32_t)integer_input(in, "seed"));
    cJSON *values = need(cJSON_CreateArray());
    const cJSON *call;
    cJSON_ArrayForEach(call, input(in, "calls")) {
        uint64_t kind = pair_item(call, 0), count = pair_item(call, 1);
        for (uint64_t i = 0; i < count; i++) {
            double v = kind == 0   ? (double)random_u32(&state)
                       : kind == 1 ? random_double(&state)
                                   : random_gauss(&state);
            cJSON_AddItemToArray(values, number_json(v));
        }
    }
    cJSON_AddItemToObject(out, "values", values);
    return true;
}

static bool run_datasets(const cJSON *in, const cJSON *params, cJSON *out, Error *error) {
    (void)error;
    size_t samples = integer_input(in, "samples"), classes = integer_input(in, "classes");
    const char *name = param(params, "dataset");
    cJSON *x = need(cJSON_CreateArray()), *y = need(cJSON_CreateArray());
    if (name != NULL && strcmp(name, "sine") == 0) {
        double *X = need(calloc(samples ? samples : 1, sizeof *X));
        double *Y = need(calloc(samples ? samples : 1, sizeof *Y));
        sine_data(samples, X, Y);
        for (size_t i = 0; i < samples; i++) {
            cJSON *xrow = need(cJSON_CreateArray()), *yrow = need(cJSON_CreateArray());
            cJSON_AddItemToArray(xrow, number_json(X[i]));
            cJSON_AddItemToArray(yrow, number_json(Y[i]));
            cJSON_AddItemToArray(x, xrow);
            cJSON_AddItemToArray(y, yrow);
        }
        free(X);
        free(Y);
    } else {
        size_t rows = samples * classes;
        float *X = need(calloc(rows ? 2 * rows : 1, sizeof *X));
        int *labels = need(calloc(rows ? rows : 1, sizeof *labels));
        RandomState state;
        random_seed(&state, (uint32_t)integer_input(in, "seed"));
        if (name != NULL && strcmp(name, "vertical") == 0)
            vertical_data(&state, samples, classes, X, labels);
        else
            spiral_data(&state, samples, classes, X, labels);
        for (size_t r = 0; r < rows; r++) {
            cJSON_AddItemToArray(x, floats_json(X + 2 * r, 2));
            cJSON_AddItemToArray(y, number_json(labels[r]));
        }
        free(X);
        free(labels);
    }
    cJSON_AddItemToObject(out, "x", x);
    cJSON_AddItemToObject(out, "y", y);
    return true;
}

static bool run_init(const cJSON *in, const cJSON *params, cJSON *out, Error *error) {
    (void)error;
    const cJSON *scale = cJSON_GetObjectItemCaseSensitive(params, "scale");
    if (!cJSON_IsNumber(scale))
        die("init needs a numeric param \"scale\"");
    RandomState state;
    random_seed(&state, (uint32_t)integer_input(in, "seed"));
    for (uint64_t i = integer_input(in, "skip"); i > 0; i--)
        random_gauss(&state);
    cJSON *weights = need(cJSON_CreateArray());
    const cJSON *shape;
    cJSON_ArrayForEach(shape, input(in, "shapes")) {
        size_t n_inputs = pair_item(shape, 0), n_neurons = pair_item(shape, 1);
        size_t count = n_inputs * n_neurons;
        float *w = need(calloc(count ? count : 1, sizeof *w));
        /* NOTE: the Python scalar is rounded to float32 before the float32 product */
        layer_weights(&state, n_inputs, n_neurons, (float)scale->valuedouble, w);
        for (size_t i = 0; i < count; i++)
            cJSON_AddItemToArray(weights, number_json(w[i]));
        free(w);
    }
    cJSON_AddItemToObject(out, "weights", weights);
    return true;
}

static const struct {
    const char *name;
    bool (*run)(const cJSON *inputs, const cJSON *params, cJSON *outputs, Error *error);
} STAGES[] = {
    {"neuron", run_neuron},
    {"layer", run_layer},
    {"dense_batch", run_dense_batch},
    {"relu", run_relu},
    {"softmax", run_softmax},
    {"categorical_crossentropy", run_categorical_crossentropy},
    {"accuracy", run_accuracy},
    {"forward", run_forward},
    {"dense_backward", run_dense_backward},
    {"relu_backward", run_relu_backward},
    {"softmax_backward", run_softmax_backward},
    {"categorical_crossentropy_backward", run_categorical_crossentropy_backward},
    {"softmax_crossentropy_backward", run_softmax_crossentropy_backward},
    {"regularization", run_regularization},
    {"dropout", run_dropout},
    {"sigmoid", run_sigmoid},
    {"binary_crossentropy", run_binary_crossentropy},
    {"mean_squared_error", run_mean_squared_error},
    {"mean_absolute_error", run_mean_absolute_error},
    {"sgd_step", run_sgd_step},
    {"adagrad_step", run_adagrad_step},
    {"rmsprop_step", run_rmsprop_step},
    {"adam_step", run_adam_step},
    {"training", run_training},
    {"rng", run_rng},
    {"datasets", run_datasets},
    {"init", run_init},
};

/* ------------------------------------------------------------------------------------------
 * The protocol */

static cJSON *hello(void) {
    cJSON *reply = need(cJSON_CreateObject());
    cJSON_AddNumberToObject(reply, "protocol", 1);
    cJSON_AddStringToObject(reply, "name", "c-float32");
    cJSON_AddStringToObject(reply, "language", "c");
    cJSON_AddStringToObject(reply, "dtype", "float32");
    cJSON *stages = cJSON_AddArrayToObject(reply, "stages");
    for (size_t i = 0; i < COUNT(STAGES); i++)
        cJSON_AddItemToArray(stages, need(cJSON_CreateString(STAGES[i].name)));
    cJSON_AddItemToObject(reply, "label_formats",
                          need(cJSON_CreateStringArray(LABEL_FORMATS, COUNT(LABEL_FORMATS))));
    cJSON_AddBoolToObject(reply, "checks_inputs", 1);
    cJSON_AddStringToObject(reply, "version", "0.1.0");
    return reply;
}

static cJSON *run(const cJSON *message) {
    /* the stage's outputs, or the kind of error its inputs have */
    const cJSON *seq = cJSON_GetObjectItemCaseSensitive(message, "seq");
    const cJSON *stage = cJSON_GetObjectItemCaseSensitive(message, "stage");
    const cJSON *inputs = cJSON_GetObjectItemCaseSensitive(message, "inputs");
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(message, "params");
    if (!cJSON_IsNumber(seq) || !cJSON_IsString(stage) || !cJSON_IsObject(inputs))
        die("a run message needs seq, stage and inputs");
    size_t i = 0;
    while (i < COUNT(STAGES) && strcmp(STAGES[i].name, stage->valuestring) != 0)
        i++;
    if (i == COUNT(STAGES))
        die("unknown stage \"%s\"", stage->valuestring);

    cJSON *reply = need(cJSON_CreateObject());
    cJSON_AddItemToObject(reply, "seq", need(cJSON_Duplicate(seq, false)));
    cJSON *outputs = need(cJSON_CreateObject());
    Error error = {0};
    if (STAGES[i].run(inputs, params, outputs, &error)) {
        cJSON_AddItemToObject(reply, "outputs", outputs);
    } else {
        cJSON_Delete(outputs);
        cJSON *json = cJSON_AddObjectToObject(reply, "error");
        cJSON_AddStringToObject(json, "kind", error.kind);
        cJSON_AddStringToObject(json, "message", error.message);
    }
    return reply;
}

static bool blank(const char *line) {
    return line[strspn(line, " \t\r\n")] == '\0';
}

int main(void) {
    char *line = NULL;
    size_t capacity = 0;
    ssize_t read;
    while ((read = getline(&line, &capacity, stdin)) != -1) {
        if (blank(line))
            continue;
        /* the line with its terminating NUL; nothing but whitespace may follow the message */
        cJSON *message = cJSON_ParseWithLengthOpts(line, (size_t)read + 1, NULL, true);
        if (message == NULL)
            die("not a JSON message: %.200s", line);
        const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(message, "cmd");
        cJSON *reply;
        if (cJSON_IsString(cmd) && strcmp(cmd->valuestring, "hello") == 0)
            reply = hello();
        else if (cJSON_IsString(cmd) && strcmp(cmd->valuestring, "run") == 0)
            reply = run(message);
        else if (cJSON_IsString(cmd) && strcmp(cmd->valuestring, "bye") == 0) {
            cJSON_Delete(message);
            break;
        }
        else
            die("unknown cmd: %.200s", line);
        char *text = need(cJSON_PrintUnformatted(reply));
        printf("%s\n", text);
        fflush(stdout);
        free(text);
        cJSON_Delete(reply);
        cJSON_Delete(message);
    }
    free(line);
    return 0;
}
