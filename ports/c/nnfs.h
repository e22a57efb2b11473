/* The stages of Neural Networks from Scratch, chapters 1 to 22, in C11 with float32.
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
bool dense_relu(Matrix inputs, Matrix weights, Vector biases, DenseReLU *output);
bool softmax(Matrix inputs, Matrix output);
bool dense_relu_dense_softmax(Matrix inputs, Matrix weights1, Vector biases1, Matrix weights2,
                              Vector biases2, Network *output);
bool categorical_crossentropy(Matrix y_pred, Labels y_true, Loss *output);
bool accuracy(Matrix y_pred, Labels y_true, Accuracy *output);
bool forward(Matrix inputs, Matrix weights1, Vector biases1, Matrix weights2, Vector biases2,
             Labels y_true, Forward *output);

/* Chapters 9-17: backward passes, regularization, more losses, optimizers, training */
bool dense_backward(Matrix inputs, Matrix weights, Matrix dvalues, DenseGradients *output);
bool relu_backward(Matrix inputs, Matrix dvalues, Matrix dinputs);
bool repeated_forward(Matrix inputs1, Matrix inputs2, Matrix weights, Vector biases,
                      Matrix dvalues, RepeatedForward *output);
bool softmax_backward(Matrix output, Matrix dvalues, Matrix dinputs);
bool categorical_crossentropy_backward(Matrix y_pred, Labels y_true, Matrix dinputs);
bool softmax_crossentropy_backward(Matrix y_pred, Labels y_true, Matrix dinputs);
bool regularization(Matrix weights, Vector biases, Regularizers factors,
                    Regularization *output);
bool dropout(Matrix inputs, Matrix mask, float rate, Matrix dvalues, Passes *output);
bool sigmoid(Matrix inputs, Matrix dvalues, Passes *output);
bool binary_crossentropy(Matrix y_pred, Matrix y_true, LossGradients *output);
bool binary_accuracy(Matrix y_pred, Matrix y_true, BinaryAccuracy *output);
bool linear(Matrix inputs, Matrix dvalues, Passes *output);
bool mean_squared_error(Matrix y_pred, Matrix y_true, LossGradients *output);
bool mean_absolute_error(Matrix y_pred, Matrix y_true, LossGradients *output);
bool regression_accuracy(Matrix y_pred, Matrix y_true, float precision, float *accuracy);
/* iterations: the steps already taken; *learning_rate: the rate this step used */
bool sgd_step(Layer *layer, size_t iterations, Optimizer optimizer, float *learning_rate);
bool adagrad_step(Layer *layer, size_t iterations, Optimizer optimizer, float *learning_rate);
bool rmsprop_step(Layer *layer, size_t iterations, Optimizer optimizer, float *learning_rate);
bool adam_step(Layer *layer, size_t iterations, Optimizer optimizer, float *learning_rate);
bool shared_optimizer(Layer *layer1, Layer *layer2, size_t steps, Optimizer optimizer);
bool training(Matrix inputs, Labels y_true, Matrix weights1, Vector biases1, Matrix weights2,
              Vector biases2, size_t steps, OptimizerKind kind, Optimizer optimizer,
              Training *output);

/* Chapters 18-22 (model.c): what the Model adds around the network */
bool model_training(Matrix inputs, Labels y_true, Matrix validation_inputs,
                    Labels validation_y_true, Matrix weights1, Vector biases1, Matrix weights2,
                    Vector biases2, size_t epochs, size_t batch_size, Regularizers regularizers,
                    OptimizerKind kind, Optimizer optimizer, ModelTraining *output);
bool preprocess(Images images, const int64_t *labels, const size_t *keys,
                Preprocessed *output);
bool batches(Matrix inputs, size_t batch_size, Batches *output);
bool predictions(Matrix inputs, OutputActivation activation, Predictions *output);
bool evaluate(Matrix y_pred, Labels y_true, size_t batch_size, Evaluation *output);
bool parameters(Matrix inputs, Matrix weights1, Vector biases1, Matrix weights2,
                Vector biases2, LoadedModel *output);

/* Helpers of nnfs.c that model.c shares */
size_t argmax(const float *values, size_t count); /* the first maximum wins */
Matrix new_matrix(size_t rows, size_t cols);      /* zeroed; free(m.values) */
Vector new_vector(size_t len);
Layer new_layer(Matrix weights, Vector biases); /* copies; gradients and state at zeros */
void free_layer(Layer *layer);
/* the step of the optimizer `kind`: sgd_step, adagrad_step, rmsprop_step or adam_step */
bool optimizer_step(OptimizerKind kind, Layer *layer, size_t iterations, Optimizer optimizer,
                    float *learning_rate);

#endif
