/* nnfs_kit: the protocol of nnfs-conformance, so a C learner writes only the network.
 *
 * Write one function per stage, as the book's chapters do, fill the ones you have in an
 * nnfs_port and serve it:
 *
 *     int main(void) {
 *         nnfs_port port = {.name = "my-port", .dtype = "float32",
 *                           .stages = {.neuron = neuron, .dense_batch = dense_batch}};
 *         return nnfs_serve(&port);
 *     }
 *
 * The rules:
 * - INPUTS are checked by the kit before your function is called (shapes, ragged rows, empty
 *   batches, labels, domains: docs/STAGES.md), so your code can read like the book, which
 *   checks nothing. Every number is rounded to nnfs_real once, as the dtype says.
 * - OUTPUTS are allocated by the kit, zeroed, in the shapes the stage returns; you write into
 *   them (never replace or free an output or input array; the kit frees them after the reply).
 *   A struct of outputs (Loss, Forward, ...) arrives with every array in place.
 * - RETURN true when done. To fail, `return nnfs_fail("printf-style %s", "message");`: the
 *   reply is the error kind `exception` with your message. To decline a case you cannot
 *   compute yet, `return nnfs_unsupported("Optimizer_Adam is not written yet");`.
 * - PRINT freely: stdout is sent to stderr, the kit keeps the real stdout for its replies.
 * - Allocate your own scratch arrays with malloc and free them yourself.
 */
#ifndef NNFS_KIT_H
#define NNFS_KIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The element type, chosen at compile time: float (dtype float32) unless NNFS_FLOAT64 is
 * defined (-DNNFS_FLOAT64: double, dtype float64). */
#ifdef NNFS_FLOAT64
typedef double nnfs_real;
#define NNFS_DTYPE "float64"
#else
typedef float nnfs_real;
#define NNFS_DTYPE "float32"
#endif

typedef struct {
    size_t len;
    nnfs_real *values;
} Vector;

typedef struct {
    size_t rows, cols;
    nnfs_real *values; /* row-major: row r is values[r * cols ...] */
} Matrix;

static inline nnfs_real *row(Matrix m, size_t r) { return m.values + r * m.cols; }

/* y_true: class indices (sparse) or one-hot rows (onehot), as the book's losses accept both.
 * The kit has checked them: indices in [0, C), one-hot rows exactly one 1 among 0s. */
typedef enum { SPARSE, ONEHOT } LabelFormat;
typedef struct {
    LabelFormat format;
    size_t *sparse; /* SPARSE: B class indices */
    Matrix onehot;  /* ONEHOT: B x C */
} Labels;

/* The class of sample b, whichever the format. */
static inline size_t nnfs_label(Labels y_true, size_t b) {
    if (y_true.format == SPARSE)
        return y_true.sparse[b];
    size_t c = 0;
    while (c + 1 < y_true.onehot.cols && row(y_true.onehot, b)[c] != 1)
        c++;
    return c;
}

/* ------------------------------------------------------------------------------------------
 * Outputs of the stages with more than one (allocated by the kit, you fill them) */

typedef struct {
    Vector sample_losses; /* B */
    nnfs_real loss;       /* the mean */
} Loss;

typedef struct {
    size_t *predictions; /* B class indices */
    nnfs_real accuracy;
} Accuracy;

typedef struct {
    Matrix dense1, relu1; /* B x H */
    Matrix dense2, softmax; /* B x C */
    Loss loss;
    Accuracy accuracy;
} Forward;

typedef struct {
    Matrix dweights; /* K x N */
    Vector dbiases;  /* N */
    Matrix dinputs;  /* B x K */
} DenseGradients;

/* The regularizers of Layer_Dense, each >= 0 (checked). */
typedef struct {
    nnfs_real weight_l1, weight_l2, bias_l1, bias_l2;
} Regularizers;

typedef struct {
    nnfs_real loss;
    Matrix dweights; /* K x N */
    Vector dbiases;  /* N */
} Regularization;

/* A forward and a backward pass (dropout, sigmoid): both B x N. */
typedef struct {
    Matrix output, dinputs;
} Passes;

/* A loss with its backward pass (binary cross-entropy, MSE, MAE). */
typedef struct {
    Vector sample_losses; /* B */
    nnfs_real loss;
    Matrix dinputs; /* B x O */
} LossGradients;

/* A Layer_Dense as an optimizer sees it. The kit fills the arrays the optimizer uses (SGD:
 * momentums; AdaGrad, RMSprop: cache; Adam: both) and replies with them after your step
 * updates them IN PLACE, as the book's update_params does; the others are empty. */
typedef struct {
    Matrix weights, dweights, weight_momentums, weight_cache;
    Vector biases, dbiases, bias_momentums, bias_cache;
} Layer;

typedef enum { SGD, ADAGRAD, RMSPROP, ADAM } OptimizerKind;

/* The hyperparameters; an optimizer step gets only its own (the rest are 0), training all. */
typedef struct {
    nnfs_real learning_rate, decay, momentum, epsilon, rho, beta_1, beta_2;
} Optimizer;

/* A matrix of class indices: binary predictions, 0 or 1 per output (B x O). */
typedef struct {
    size_t rows, cols;
    size_t *values; /* row-major */
} ClassMatrix;

/* Chapter 4's first chain: Layer_Dense, then ReLU of its output (both B x N). */
typedef struct {
    Matrix dense, relu;
} DenseReLU;

/* Chapter 4's network before the loss: every intermediate. */
typedef struct {
    Matrix dense1, relu1; /* B x H */
    Matrix dense2, softmax; /* B x C */
} Network;

/* One Layer_Dense and one Activation_ReLU called on a batch of B samples, then on one of D;
 * then backward from the second call's dvalues (D x N). */
typedef struct {
    Matrix output1;  /* B x N: the first call's ReLU output */
    Matrix output2;  /* D x N: the second call's */
    Matrix dweights; /* K x N */
    Vector dbiases;  /* N */
    Matrix dinputs;  /* D x K */
} RepeatedForward;

typedef struct {
    ClassMatrix predictions; /* B x O: 1 where y_pred > 0.5 */
    nnfs_real accuracy;
} BinaryAccuracy;

/* Per step s of training (S = steps): loss and accuracy before the update, the rate the step
 * used, every parameter after it. */
typedef struct {
    Vector loss, accuracy, learning_rate; /* S */
    Matrix *weights1, *weights2;          /* S matrices: K x H, H x C */
    Vector *biases1, *biases2;            /* S vectors: H, C */
} Training;

/* Chapters 18-22: the Model. */

/* Model.train's record: per epoch (E = epochs), then every parameter after the last epoch. */
typedef struct {
    Vector loss;                /* E: data_loss + regularization_loss, as the epoch prints it */
    Vector data_loss, accuracy; /* E: accumulated over the epoch's batches (sums / samples) */
    Vector regularization_loss; /* E: the first layer's, after the epoch's last update */
    Vector learning_rate;       /* E: the rate the epoch's last step used */
    Vector validation_loss, validation_accuracy; /* E: Model.evaluate after the epoch */
    Matrix weights1; /* K x H */
    Vector biases1;  /* H */
    Matrix weights2; /* H x C */
    Vector biases2;  /* C */
} ModelTraining;

/* B images of H x W bytes (0-255), as chapter 19 reads them: image i, row r, column c is
 * pixels[(i * height + r) * width + c]. */
typedef struct {
    size_t count, height, width;
    const uint8_t *pixels;
} Images;

typedef struct {
    Matrix x;   /* B x (H·W): each image flattened row by row and scaled, in the keys' order */
    int64_t *y; /* B labels, in the keys' order */
} Preprocessed;

/* Model.train's mini-batches. steps is yours to compute; the arrays have room for B steps
 * (the most a batch size >= 1 gives) and the kit replies with the first `steps` of each. */
typedef struct {
    size_t steps;
    size_t *batch_sizes;          /* per step: the samples in its batch */
    Matrix first_rows, last_rows; /* per step: its batch's first and last row (room: B x K) */
} Batches;

/* The output layer's activation, whose predictions() the `predictions` stage is. */
typedef enum { SOFTMAX, SIGMOID, LINEAR } OutputActivation;

/* Only the field of the activation is allocated (the others are empty). */
typedef struct {
    size_t *classes;    /* SOFTMAX: B class indices, argmax (the first maximum wins) */
    ClassMatrix binary; /* SIGMOID: B x N, 1 where the output > 0.5, else 0 */
    Matrix values;      /* LINEAR: B x N, the outputs themselves */
} Predictions;

/* Model.evaluate: accumulated over the batches. */
typedef struct {
    nnfs_real loss, accuracy;
} Evaluation;

/* A fresh Dense -> ReLU -> Dense -> Softmax model after set_parameters with what was saved:
 * its parameters and its softmax output on the inputs. */
typedef struct {
    Matrix weights1; /* K x H */
    Vector biases1;  /* H */
    Matrix weights2; /* H x C */
    Vector biases2;  /* C */
    Matrix output;   /* B x C */
} LoadedModel;

/* The book tier (docs/BOOK.md): integers in, the book's exact values out, as doubles. */
typedef struct {
    unsigned kind; /* 0: a 32-bit MT19937 output, 1: random_sample, 2: randn */
    size_t count;
} RngCall;

typedef enum { SPIRAL, VERTICAL, SINE } DatasetKind;

typedef struct {
    size_t n_inputs, n_neurons;
} LayerShape;

/* What the book's chapter 3-10 script prints (params.printed), and its shape: R = the first
 * min(5, samples * classes) rows, H hidden units, C classes. */
typedef enum {
    PRINTED_DENSE1_OUTPUT,  /* dense1.output[:5]: R x H */
    PRINTED_SOFTMAX_OUTPUT, /* activation2.output[:5]: R x C */
    PRINTED_LOSS,           /* one number */
    PRINTED_ACCURACY,       /* one number */
    PRINTED_DWEIGHTS1,      /* 2 x H */
    PRINTED_DBIASES1,       /* 1 x H */
    PRINTED_DWEIGHTS2,      /* H x C */
    PRINTED_DBIASES2,       /* 1 x C */
    PRINTED_WEIGHTS1,       /* 2 x H */
    PRINTED_BIASES1,        /* 1 x H */
    PRINTED_WEIGHTS2,       /* H x C */
    PRINTED_BIASES2,        /* 1 x C */
    PRINTED_LEARNING_RATE,  /* one number: current_learning_rate */
} Printed;

/* ------------------------------------------------------------------------------------------
 * The stages: fill the ones you have. Shapes: B samples (D: a second batch, M: validation
 * samples), K inputs, N neurons, C classes, H hidden units, O outputs, S steps, E epochs. */
typedef struct {
    /* chapters 1-5 */
    bool (*neuron)(Vector inputs, Vector weights, nnfs_real bias, nnfs_real *output);
    bool (*layer)(Vector inputs, Matrix weights /* N x K */, Vector biases, Vector output);
    /* weights K x N as Layer_Dense keeps them: the kit transposes chapter 2's N x K rows */
    bool (*dense_batch)(Matrix inputs, Matrix weights, Vector biases, Matrix output);
    /* a rank-1 input arrives as one row (1 x K) */
    bool (*relu)(Matrix inputs, Matrix output);
    /* inputs (B x K), weights (K x N), biases (N) */
    bool (*dense_relu)(Matrix inputs, Matrix weights, Vector biases, DenseReLU *output);
    bool (*softmax)(Matrix inputs, Matrix output);
    bool (*dense_relu_dense_softmax)(Matrix inputs, Matrix weights1, Vector biases1,
                                     Matrix weights2, Vector biases2, Network *output);
    bool (*categorical_crossentropy)(Matrix y_pred, Labels y_true, Loss *output);
    bool (*accuracy)(Matrix y_pred, Labels y_true, Accuracy *output);
    bool (*forward)(Matrix inputs, Matrix weights1, Vector biases1, Matrix weights2,
                    Vector biases2, Labels y_true, Forward *output);
    /* chapters 9-17 */
    bool (*dense_backward)(Matrix inputs, Matrix weights, Matrix dvalues,
                           DenseGradients *output);
    bool (*relu_backward)(Matrix inputs, Matrix dvalues, Matrix dinputs);
    /* inputs1 (B x K), inputs2 (D x K), weights (K x N), biases (N), dvalues (D x N) */
    bool (*repeated_forward)(Matrix inputs1, Matrix inputs2, Matrix weights, Vector biases,
                             Matrix dvalues, RepeatedForward *output);
    bool (*softmax_backward)(Matrix output, Matrix dvalues, Matrix dinputs);
    bool (*categorical_crossentropy_backward)(Matrix y_pred, Labels y_true, Matrix dinputs);
    /* the combined pass; path "separate" is answered by chaining your two stages above */
    bool (*softmax_crossentropy_backward)(Matrix y_pred, Labels y_true, Matrix dinputs);
    bool (*regularization)(Matrix weights, Vector biases, Regularizers factors,
                           Regularization *output);
    bool (*dropout)(Matrix inputs, Matrix mask, nnfs_real rate, Matrix dvalues,
                    Passes *output);
    bool (*sigmoid)(Matrix inputs, Matrix dvalues, Passes *output);
    bool (*binary_crossentropy)(Matrix y_pred, Matrix y_true, LossGradients *output);
    /* y_true: 0 and 1 (checked) */
    bool (*binary_accuracy)(Matrix y_pred, Matrix y_true, BinaryAccuracy *output);
    /* Activation_Linear: output = inputs, dinputs = dvalues */
    bool (*linear)(Matrix inputs, Matrix dvalues, Passes *output);
    bool (*mean_squared_error)(Matrix y_pred, Matrix y_true, LossGradients *output);
    bool (*mean_absolute_error)(Matrix y_pred, Matrix y_true, LossGradients *output);
    /* precision >= 0 (checked): the share of outputs with |y_pred - y_true| < precision */
    bool (*regression_accuracy)(Matrix y_pred, Matrix y_true, nnfs_real precision,
                                nnfs_real *accuracy);
    /* iterations: the steps taken before this one; *learning_rate: the rate this step used.
     * The kit replies iterations + 1, as post_update_params counts. */
    bool (*sgd_step)(Layer *layer, size_t iterations, Optimizer optimizer,
                     nnfs_real *learning_rate);
    bool (*adagrad_step)(Layer *layer, size_t iterations, Optimizer optimizer,
                         nnfs_real *learning_rate);
    bool (*rmsprop_step)(Layer *layer, size_t iterations, Optimizer optimizer,
                         nnfs_real *learning_rate);
    bool (*adam_step)(Layer *layer, size_t iterations, Optimizer optimizer,
                      nnfs_real *learning_rate);
    /* one Optimizer_Adam for two layers, `steps` >= 1 steps with the same gradients. Each
     * Layer has its weights, biases, dweights, dbiases and its own Adam state, zeroed; update
     * them IN PLACE: the kit replies with each layer's weights and biases. */
    bool (*shared_optimizer)(Layer *layer1, Layer *layer2, size_t steps, Optimizer optimizer);
    bool (*training)(Matrix inputs, Labels y_true, Matrix weights1, Vector biases1,
                     Matrix weights2, Vector biases2, size_t steps, OptimizerKind kind,
                     Optimizer optimizer, Training *output);
    /* chapters 18-22: the Model */
    /* Model.train(inputs, y_true, epochs, batch_size, validation_data) on Dense(K, H, with the
     * regularizers) -> ReLU -> Dense(H, C) -> softmax with the categorical cross-entropy;
     * validation_inputs: M x K. epochs and batch_size >= 1 and the regularizers >= 0 (checked);
     * the optimizer's state starts at zeros; hyperparameters it does not use are sent anyway */
    bool (*model_training)(Matrix inputs, Labels y_true, Matrix validation_inputs,
                           Labels validation_y_true, Matrix weights1, Vector biases1,
                           Matrix weights2, Vector biases2, size_t epochs, size_t batch_size,
                           Regularizers regularizers, OptimizerKind kind, Optimizer optimizer,
                           ModelTraining *output);
    /* labels: B integers as sent; keys: a permutation of 0 .. B-1 (checked) */
    bool (*preprocess)(Images images, const int64_t *labels, const size_t *keys,
                       Preprocessed *output);
    /* inputs (B x K), batch_size >= 1 (checked) */
    bool (*batches)(Matrix inputs, size_t batch_size, Batches *output);
    /* inputs (B x N): the output layer's outputs */
    bool (*predictions)(Matrix inputs, OutputActivation activation, Predictions *output);
    /* y_pred (B x C) softmax outputs, batch_size >= 1 (checked) */
    bool (*evaluate)(Matrix y_pred, Labels y_true, size_t batch_size, Evaluation *output);
    /* save the parameters to a file keeping every digit, load them into a fresh model */
    bool (*parameters)(Matrix inputs, Matrix weights1, Vector biases1, Matrix weights2,
                       Vector biases2, LoadedModel *output);
    /* the book tier */
    bool (*rng)(uint32_t seed, const RngCall *calls, size_t count, double *values);
    /* x: rows x 2 (sine: samples x 1), row-major; y: the rows' labels (sine: the values);
     * rows = samples * classes (sine: samples) */
    bool (*datasets)(DatasetKind dataset, uint32_t seed, size_t samples, size_t classes,
                     double *x, double *y);
    /* weights: every layer's n_inputs x n_neurons, row-major, layers in order */
    bool (*init)(uint32_t seed, size_t skip, const LayerShape *shapes, size_t count,
                 double scale, double *weights);
    /* keys: 0 .. samples-1, shuffled as np.random.shuffle does after np.random.seed(seed) */
    bool (*shuffle)(uint32_t seed, size_t samples, size_t *keys);
    /* the book's script: spiral_data(samples, classes), Dense(2, hidden), ReLU,
     * Dense(hidden, classes), softmax with cross-entropy; `steps` optimizer steps, then one
     * more forward and backward pass. value: what `printed` names (its shape at Printed),
     * row-major; hyperparameters as the script writes them (Python floats) */
    bool (*chapters)(uint32_t seed, size_t samples, size_t classes, size_t hidden, size_t steps,
                     Printed printed, OptimizerKind optimizer, double learning_rate,
                     double decay, double momentum, double *value);
} nnfs_stages;

typedef struct {
    const char *name;    /* free text shown in reports, e.g. "c-float32" */
    const char *dtype;   /* "float32" or "float64": must be NNFS_DTYPE (NULL: NNFS_DTYPE) */
    const char *version; /* optional */
    nnfs_stages stages;
} nnfs_port;

/* Answer the runner on stdin/stdout until {"cmd":"bye"} or end of input; returns 0 (the exit
 * status). A request it cannot understand ends the process with one line on stderr. */
int nnfs_serve(const nnfs_port *port);

/* Inside a stage: `return nnfs_fail(...)` -> error kind "exception" with your message;
 * `return nnfs_unsupported(...)` -> the case is declined (not applicable). Both return false. */
bool nnfs_fail(const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
bool nnfs_unsupported(const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

#endif
