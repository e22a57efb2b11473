/* The stages of Neural Networks from Scratch, chapters 1 to 17, in C11 with float32.
 *
 * One function per stage, named as in the suite. Inputs are Vectors and row-major Matrices of
 * float; the stage allocates its outputs (free each .values, or call the free_ function). A
 * stage returns false and fills *error, one of the suite's six error kinds, when its inputs do
 * not fit. The optimizer steps update a Layer in place, as the book's update_params does.
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

/* kind: shape_mismatch, ragged_rows, empty_batch, label_out_of_range, invalid_label or
 * invalid_value */
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

/* ------------------------------------------------------------------------------------------
 * Chapters 9-17: backward passes, regularization, more losses, optimizers, training */

typedef struct {
    Matrix dweights;
    Vector dbiases;
    Matrix dinputs;
} DenseGradients;

/* The regularizers of Layer_Dense, each >= 0 (double: checked before rounding to float). */
typedef struct {
    double weight_l1, weight_l2, bias_l1, bias_l2;
} Regularizers;

typedef struct {
    float loss;
    Matrix dweights;
    Vector dbiases;
} Regularization;

/* What a stage with a forward and a backward pass gives: dropout, sigmoid. */
typedef struct {
    Matrix output, dinputs;
} Passes;

/* What a loss with its backward pass gives: binary cross-entropy, MSE, MAE. */
typedef struct {
    Vector sample_losses;
    float loss;
    Matrix dinputs;
} LossGradients;

/* A Layer_Dense as an optimizer sees it: parameters, gradients and the optimizer's state. */
typedef struct {
    Matrix weights, dweights, weight_momentums, weight_cache;
    Vector biases, dbiases, bias_momentums, bias_cache;
} Layer;

typedef enum { SGD, ADAGRAD, RMSPROP, ADAM } OptimizerKind;

/* The hyperparameters; each optimizer reads only its own. */
typedef struct {
    float learning_rate, decay, momentum, epsilon, rho, beta_1, beta_2;
} Optimizer;

/* Per step s of training: loss and accuracy before the update, the rate it used, and the
 * parameters after it. */
typedef struct {
    size_t steps;
    float *loss, *accuracy, *learning_rate;
    Matrix *weights1, *weights2;
    Vector *biases1, *biases2;
} Training;

bool dense_backward(Matrix inputs, Matrix weights, Matrix dvalues, DenseGradients *output,
                    Error *error);
bool relu_backward(Matrix inputs, Matrix dvalues, Matrix *dinputs, Error *error);
bool softmax_backward(Matrix output, Matrix dvalues, Matrix *dinputs, Error *error);
bool categorical_crossentropy_backward(Matrix y_pred, Labels y_true, Matrix *dinputs,
                                       Error *error);
bool softmax_crossentropy_backward(Matrix y_pred, Labels y_true, Matrix *dinputs, Error *error);
bool regularization(Matrix weights, Vector biases, Regularizers factors, Regularization *output,
                    Error *error);
bool dropout(Matrix inputs, Matrix mask, double rate, Matrix dvalues, Passes *output,
             Error *error);
bool sigmoid(Matrix inputs, Matrix dvalues, Passes *output, Error *error);
bool binary_crossentropy(Matrix y_pred, Matrix y_true, LossGradients *output, Error *error);
bool mean_squared_error(Matrix y_pred, Matrix y_true, LossGradients *output, Error *error);
bool mean_absolute_error(Matrix y_pred, Matrix y_true, LossGradients *output, Error *error);
/* iterations: the steps already taken (an integer >= 0); *learning_rate: the rate this step
 * used. The caller counts iterations + 1 afterwards, as post_update_params. */
bool sgd_step(Layer *layer, double iterations, Optimizer optimizer, float *learning_rate,
              Error *error);
bool adagrad_step(Layer *layer, double iterations, Optimizer optimizer, float *learning_rate,
                  Error *error);
bool rmsprop_step(Layer *layer, double iterations, Optimizer optimizer, float *learning_rate,
                  Error *error);
bool adam_step(Layer *layer, double iterations, Optimizer optimizer, float *learning_rate,
               Error *error);
bool training(Matrix inputs, Labels y_true, Matrix weights1, Vector biases1, Matrix weights2,
              Vector biases2, size_t steps, OptimizerKind kind, Optimizer optimizer,
              Training *output, Error *error);
void free_training(Training *output);

/* Fill *error and return false: `return fail(error, "shape_mismatch", "...", ...);` */
bool fail(Error *error, const char *kind, const char *format, ...);

#endif
