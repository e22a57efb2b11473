/* The stages of Neural Networks from Scratch, chapters 1 to 5, in C11 with float32.
 *
 * One function per stage, named as in the suite. Inputs are Vectors and row-major Matrices of
 * float; the stage allocates its outputs (free each .values, or call free_forward). A stage
 * returns false and fills *error, one of the suite's five error kinds, when its inputs do not
 * fit.
 */
#ifndef NNFS_H
#define NNFS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    size_t len;
    float *values;
} Vector;

typedef struct {
    size_t rows, cols;
    float *values; /* row r is values[r * cols ...] */
} Matrix;

static inline float *row(Matrix m, size_t r) { return m.values + r * m.cols; }

/* y_true: class indices (sparse), or one-hot rows (onehot). */
typedef enum { SPARSE, ONEHOT } LabelFormat;
typedef struct {
    LabelFormat format;
    Vector sparse;
    Matrix onehot;
} Labels;

/* dense_batch weights: K x N as Layer_Dense keeps them, or N x K, one row per neuron. */
typedef enum { INPUTS_NEURONS, NEURONS_INPUTS } WeightsLayout;

/* kind: shape_mismatch, ragged_rows, empty_batch, label_out_of_range or invalid_label */
typedef struct {
    const char *kind;
    char message[200];
} Error;

typedef struct {
    Vector sample_losses;
    float loss;
} Loss;

typedef struct {
    size_t count;
    size_t *predictions;
    float accuracy;
} Accuracy;

typedef struct {
    Matrix dense1, relu1, dense2, softmax;
    Loss loss;
    Accuracy accuracy;
} Forward;

bool neuron(Vector inputs, Vector weights, float bias, float *output, Error *error);
bool layer(Vector inputs, Matrix weights, Vector biases, Vector *output, Error *error);
bool dense_batch(Matrix inputs, Matrix weights, Vector biases, WeightsLayout layout,
                 Matrix *output, Error *error);
void relu(Matrix inputs, Matrix *output);
bool softmax(Matrix inputs, Matrix *output, Error *error);
bool categorical_crossentropy(Matrix y_pred, Labels y_true, Loss *output, Error *error);
bool accuracy(Matrix y_pred, Labels y_true, Accuracy *output, Error *error);
bool forward(Matrix inputs, Matrix weights1, Vector biases1, Matrix weights2, Vector biases2,
             Labels y_true, Forward *output, Error *error);
void free_forward(Forward *output);

/* Fill *error and return false: `return fail(error, "shape_mismatch", "...", ...);` */
bool fail(Error *error, const char *kind, const char *format, ...);

#endif
