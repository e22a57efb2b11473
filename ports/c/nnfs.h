/* The stages of Neural Networks from Scratch, chapters 1 to 17, in C11 with float32.
 *
 * One function per stage, named as in the suite, over the kit's Vector and row-major Matrix of
 * float (kits/c/nnfs_kit.h). The kit checks every input before a stage runs and allocates its
 * outputs; a stage writes into them. The optimizer steps update a Layer in place, as the
 * book's update_params does.
 */
#ifndef NNFS_H
#define NNFS_H

#include "nnfs_kit.h"

bool neuron(Vector inputs, Vector weights, float bias, float *output);
bool layer(Vector inputs, Matrix weights, Vector biases, Vector output);
bool dense_batch(Matrix inputs, Matrix weights, Vector biases, Matrix output);
bool relu(Matrix inputs, Matrix output);
bool softmax(Matrix inputs, Matrix output);
bool categorical_crossentropy(Matrix y_pred, Labels y_true, Loss *output);
bool accuracy(Matrix y_pred, Labels y_true, Accuracy *output);
bool forward(Matrix inputs, Matrix weights1, Vector biases1, Matrix weights2, Vector biases2,
             Labels y_true, Forward *output);

/* Chapters 9-17: backward passes, regularization, more losses, optimizers, training */
bool dense_backward(Matrix inputs, Matrix weights, Matrix dvalues, DenseGradients *output);
bool relu_backward(Matrix inputs, Matrix dvalues, Matrix dinputs);
bool softmax_backward(Matrix output, Matrix dvalues, Matrix dinputs);
bool categorical_crossentropy_backward(Matrix y_pred, Labels y_true, Matrix dinputs);
bool softmax_crossentropy_backward(Matrix y_pred, Labels y_true, Matrix dinputs);
bool regularization(Matrix weights, Vector biases, Regularizers factors,
                    Regularization *output);
bool dropout(Matrix inputs, Matrix mask, float rate, Matrix dvalues, Passes *output);
bool sigmoid(Matrix inputs, Matrix dvalues, Passes *output);
bool binary_crossentropy(Matrix y_pred, Matrix y_true, LossGradients *output);
bool mean_squared_error(Matrix y_pred, Matrix y_true, LossGradients *output);
bool mean_absolute_error(Matrix y_pred, Matrix y_true, LossGradients *output);
/* iterations: the steps already taken; *learning_rate: the rate this step used */
bool sgd_step(Layer *layer, size_t iterations, Optimizer optimizer, float *learning_rate);
bool adagrad_step(Layer *layer, size_t iterations, Optimizer optimizer, float *learning_rate);
bool rmsprop_step(Layer *layer, size_t iterations, Optimizer optimizer, float *learning_rate);
bool adam_step(Layer *layer, size_t iterations, Optimizer optimizer, float *learning_rate);
bool training(Matrix inputs, Labels y_true, Matrix weights1, Vector biases1, Matrix weights2,
              Vector biases2, size_t steps, OptimizerKind kind, Optimizer optimizer,
              Training *output);

#endif
