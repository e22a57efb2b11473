// cpp-book: the book's network (network.hpp) graded by nnfs-conformance through the C++ kit.
//
// Each stage is what the book's scripts (and, from chapter 18, its Model's methods) do with its
// classes: make the objects, set what the case gives (weights, the state an optimizer keeps),
// call forward/backward, read the results.
// The book tier (rng, datasets, init, shuffle, chapters) is book.cpp's, in the book's float32.
// The kit (kits/cpp) does the protocol, the JSON and every input check.

#include <cstdio>
#include <memory>

#include "book.hpp"
#include "network.hpp"
#include "nnfs_kit.hpp"

// ---------------------------------------------------------------------------------------------
// Chapters 2-5: the forward pass

Matrix dense_batch(const Matrix& inputs, const Matrix& weights, const Vector& biases) {
    LayerDense dense(weights.rows, weights.cols);
    dense.weights = weights;
    dense.biases = biases;
    dense.forward(inputs);
    return dense.output;
}

Matrix relu(const Matrix& inputs) {
    ActivationReLU activation;
    activation.forward(inputs);
    return activation.output;
}

// Chapter 4's first chain: a layer's output, then ReLU of it.
nnfs::DenseReluOutput dense_relu(const Matrix& X, const Matrix& weights, const Vector& biases) {
    LayerDense dense1(weights.rows, weights.cols);
    dense1.weights = weights;
    dense1.biases = biases;
    ActivationReLU activation1;
    dense1.forward(X);
    activation1.forward(dense1.output);
    return {dense1.output, activation1.output};
}

Matrix softmax(const Matrix& inputs) {
    ActivationSoftmax activation;
    activation.forward(inputs);
    return activation.output;
}

// Chapter 4's whole network, before chapter 5 adds the loss.
nnfs::NetworkOutput dense_relu_dense_softmax(const Matrix& X, const Matrix& weights1,
                                             const Vector& biases1, const Matrix& weights2,
                                             const Vector& biases2) {
    LayerDense dense1(weights1.rows, weights1.cols);
    dense1.weights = weights1;
    dense1.biases = biases1;
    ActivationReLU activation1;
    LayerDense dense2(weights2.rows, weights2.cols);
    dense2.weights = weights2;
    dense2.biases = biases2;
    ActivationSoftmax activation2;

    dense1.forward(X);
    activation1.forward(dense1.output);
    dense2.forward(activation1.output);
    activation2.forward(dense2.output);
    return {dense1.output, activation1.output, dense2.output, activation2.output};
}

nnfs::LossOutput categorical_crossentropy(const Matrix& y_pred, const Labels& y_true) {
    LossCategoricalCrossentropy loss_function;
    return {loss_function.forward(y_pred, y_true), loss_function.calculate(y_pred, y_true)};
}

nnfs::AccuracyOutput accuracy_of(const Matrix& y_pred, const Labels& y_true) {
    PredictionsAndAccuracy result = accuracy(y_pred, y_true);
    return {result.predictions, result.accuracy};
}

// Chapter 5's network: Dense, ReLU, Dense, Softmax, then the loss and the accuracy.
nnfs::ForwardOutput forward(const Matrix& X, const Matrix& weights1, const Vector& biases1,
                            const Matrix& weights2, const Vector& biases2, const Labels& y) {
    LayerDense dense1(weights1.rows, weights1.cols);
    dense1.weights = weights1;
    dense1.biases = biases1;
    ActivationReLU activation1;
    LayerDense dense2(weights2.rows, weights2.cols);
    dense2.weights = weights2;
    dense2.biases = biases2;
    ActivationSoftmax activation2;
    LossCategoricalCrossentropy loss_function;

    dense1.forward(X);
    activation1.forward(dense1.output);
    dense2.forward(activation1.output);
    activation2.forward(dense2.output);
    double loss = loss_function.calculate(activation2.output, y);
    PredictionsAndAccuracy result = accuracy(activation2.output, y);
    return {dense1.output, activation1.output, dense2.output, activation2.output,
            loss_function.forward(activation2.output, y), loss, result.predictions,
            result.accuracy};
}

// ---------------------------------------------------------------------------------------------
// Chapters 9-17: backward passes, regularization, dropout, more losses

nnfs::DenseGradients dense_backward(const Matrix& inputs, const Matrix& weights,
                                    const Matrix& dvalues) {
    LayerDense dense(weights.rows, weights.cols);
    dense.weights = weights;
    dense.forward(inputs);
    dense.backward(dvalues);
    return {dense.dweights, dense.dbiases, dense.dinputs};
}

Matrix relu_backward(const Matrix& inputs, const Matrix& dvalues) {
    ActivationReLU activation;
    activation.forward(inputs);
    activation.backward(dvalues);
    return activation.dinputs;
}

// One layer and one activation used twice, as a training loop uses them every epoch: each
// forward pass replaces what the objects hold, so the backward pass sees the second batch only.
nnfs::RepeatedForwardOutput repeated_forward(const Matrix& inputs1, const Matrix& inputs2,
                                             const Matrix& weights, const Vector& biases,
                                             const Matrix& dvalues) {
    LayerDense dense(weights.rows, weights.cols);
    dense.weights = weights;
    dense.biases = biases;
    ActivationReLU activation;

    dense.forward(inputs1);
    activation.forward(dense.output);
    Matrix output1 = activation.output;
    dense.forward(inputs2);
    activation.forward(dense.output);
    activation.backward(dvalues);
    dense.backward(activation.dinputs);
    return {output1, activation.output, dense.dweights, dense.dbiases, dense.dinputs};
}

Matrix softmax_backward(const Matrix& output, const Matrix& dvalues) {
    ActivationSoftmax activation;
    activation.output = output;
    activation.backward(dvalues);
    return activation.dinputs;
}

Matrix categorical_crossentropy_backward(const Matrix& y_pred, const Labels& y_true) {
    LossCategoricalCrossentropy loss_function;
    loss_function.backward(y_pred, y_true);
    return loss_function.dinputs;
}

Matrix softmax_crossentropy_backward(const Matrix& y_pred, const Labels& y_true,
                                     const std::string& path) {
    if (path == "combined") {
        ActivationSoftmaxLossCategoricalCrossentropy softmax_loss;
        softmax_loss.backward(y_pred, y_true);
        return softmax_loss.dinputs;
    }
    LossCategoricalCrossentropy loss_function;
    loss_function.backward(y_pred, y_true);
    ActivationSoftmax activation;
    activation.output = y_pred;
    activation.backward(loss_function.dinputs);
    return activation.dinputs;
}

// The penalty from the loss's regularization_loss; the gradients from a backward pass with
// zero inputs and zero dvalues, so that only the regularization terms remain.
nnfs::RegularizationOutput regularization(const Matrix& weights, const Vector& biases,
                                          const nnfs::Regularizers& r) {
    LayerDense dense(weights.rows, weights.cols, r.weight_l1, r.weight_l2, r.bias_l1, r.bias_l2);
    dense.weights = weights;
    dense.biases = biases;
    dense.forward(Matrix(1, weights.rows));
    dense.backward(Matrix(1, weights.cols));
    double loss = LossCategoricalCrossentropy().regularization_loss(dense);
    return {loss, dense.dweights, dense.dbiases};
}

nnfs::OutputAndGradient dropout(const Matrix& inputs, const Matrix& mask, double rate,
                                const Matrix& dvalues) {
    LayerDropout dropout(rate);
    dropout.forward(inputs, mask);
    dropout.backward(dvalues);
    return {dropout.output, dropout.dinputs};
}

nnfs::OutputAndGradient sigmoid(const Matrix& inputs, const Matrix& dvalues) {
    ActivationSigmoid activation;
    activation.forward(inputs);
    activation.backward(dvalues);
    return {activation.output, activation.dinputs};
}

// Chapter 16's accuracy: the sigmoid's outputs above 0.5 against the 0/1 targets.
nnfs::BinaryAccuracyOutput binary_accuracy(const Matrix& y_pred, const Matrix& y_true) {
    ActivationSigmoid activation;
    IntMatrix predictions = activation.predictions(y_pred);
    AccuracyCategorical accuracy;  // binary=True
    return {predictions, accuracy.calculate(predictions, y_true)};
}

nnfs::OutputAndGradient linear(const Matrix& inputs, const Matrix& dvalues) {
    ActivationLinear activation;
    activation.forward(inputs);
    activation.backward(dvalues);
    return {activation.output, activation.dinputs};
}

double regression_accuracy(const Matrix& y_pred, const Matrix& y_true, double precision) {
    AccuracyRegression accuracy;
    accuracy.precision = precision;
    return accuracy.calculate(ActivationLinear().predictions(y_pred), y_true);
}

// Loss_BinaryCrossentropy, Loss_MeanSquaredError, Loss_MeanAbsoluteError alike.
template <typename LossFunction>
nnfs::LossGradients loss_and_gradient(const Matrix& y_pred, const Matrix& y_true) {
    LossFunction loss_function;
    Vector sample_losses = loss_function.forward(y_pred, y_true);
    double loss = loss_function.calculate(y_pred, y_true);
    loss_function.backward(y_pred, y_true);
    return {sample_losses, loss, loss_function.dinputs};
}

// ---------------------------------------------------------------------------------------------
// Chapter 10: optimizers and the training loop

std::unique_ptr<Optimizer> make_optimizer(const std::string& name, const nnfs::Hyperparameters& h) {
    if (name == "sgd") return std::make_unique<OptimizerSGD>(h.learning_rate, h.decay, h.momentum);
    if (name == "adagrad")
        return std::make_unique<OptimizerAdagrad>(h.learning_rate, h.decay, h.epsilon);
    if (name == "rmsprop")
        return std::make_unique<OptimizerRMSprop>(h.learning_rate, h.decay, h.epsilon, h.rho);
    return std::make_unique<OptimizerAdam>(h.learning_rate, h.decay, h.epsilon, h.beta_1,
                                           h.beta_2);
}

// One optimizer step on a layer whose parameters, gradients and state the case gives.
nnfs::Stages::OptimizerStep optimizer_step(const std::string& name) {
    return [name](nnfs::LayerState& state, long iterations, const nnfs::Hyperparameters& h) {
        LayerDense layer(state.weights.rows, state.weights.cols);
        layer.weights = state.weights;
        layer.biases = state.biases;
        layer.dweights = state.dweights;
        layer.dbiases = state.dbiases;
        layer.weight_momentums = state.weight_momentums;
        layer.bias_momentums = state.bias_momentums;
        layer.weight_cache = state.weight_cache;
        layer.bias_cache = state.bias_cache;

        std::unique_ptr<Optimizer> optimizer = make_optimizer(name, h);
        optimizer->iterations = iterations;
        optimizer->pre_update_params();
        optimizer->update_params(layer);
        optimizer->post_update_params();

        state = {layer.weights, layer.biases, layer.dweights, layer.dbiases,
                 layer.weight_momentums, layer.bias_momentums, layer.weight_cache,
                 layer.bias_cache};
        return nnfs::StepResult{optimizer->current_learning_rate, optimizer->iterations};
    };
}

// One Optimizer_Adam for two layers, as the Model uses it: its three calls per step, each
// layer keeping its own momentums and caches, the same gradients every step.
void shared_optimizer(nnfs::LayerState& state1, nnfs::LayerState& state2, long steps,
                      const nnfs::Hyperparameters& h) {
    LayerDense layer1(state1.weights.rows, state1.weights.cols);
    LayerDense layer2(state2.weights.rows, state2.weights.cols);
    for (auto [layer, state] : {std::pair{&layer1, &state1}, std::pair{&layer2, &state2}}) {
        layer->weights = state->weights;
        layer->biases = state->biases;
        layer->dweights = state->dweights;
        layer->dbiases = state->dbiases;
    }
    OptimizerAdam optimizer(h.learning_rate, h.decay, h.epsilon, h.beta_1, h.beta_2);
    for (long step = 0; step < steps; step++) {
        // NOTE: iterations rises once per step (post_update_params), not once per layer.
        optimizer.pre_update_params();
        optimizer.update_params(layer1);
        optimizer.update_params(layer2);
        optimizer.post_update_params();
    }
    for (auto [layer, state] : {std::pair{&layer1, &state1}, std::pair{&layer2, &state2}}) {
        state->weights = layer->weights;
        state->biases = layer->biases;
    }
}

// The book's chapter 10 loop, full batch, recording each step.
nnfs::Trajectory training(const Matrix& X, const Labels& y, const Matrix& weights1,
                          const Vector& biases1, const Matrix& weights2, const Vector& biases2,
                          long steps, const std::string& optimizer_name,
                          const nnfs::Hyperparameters& h) {
    LayerDense dense1(weights1.rows, weights1.cols);
    dense1.weights = weights1;
    dense1.biases = biases1;
    ActivationReLU activation1;
    LayerDense dense2(weights2.rows, weights2.cols);
    dense2.weights = weights2;
    dense2.biases = biases2;
    ActivationSoftmaxLossCategoricalCrossentropy loss_activation;
    std::unique_ptr<Optimizer> optimizer = make_optimizer(optimizer_name, h);

    nnfs::Trajectory record;
    for (long epoch = 0; epoch < steps; epoch++) {
        dense1.forward(X);
        activation1.forward(dense1.output);
        dense2.forward(activation1.output);
        double loss = loss_activation.forward(dense2.output, y);
        record.loss.push_back(loss);
        record.accuracy.push_back(accuracy(loss_activation.output, y).accuracy);

        loss_activation.backward(loss_activation.output, y);
        dense2.backward(loss_activation.dinputs);
        activation1.backward(dense2.dinputs);
        dense1.backward(activation1.dinputs);

        // NOTE: iterations rises once per step (post_update_params), not once per layer.
        optimizer->pre_update_params();
        optimizer->update_params(dense1);
        optimizer->update_params(dense2);
        optimizer->post_update_params();

        record.learning_rate.push_back(optimizer->current_learning_rate);
        record.weights1.push_back(dense1.weights);
        record.biases1.push_back(dense1.biases);
        record.weights2.push_back(dense2.weights);
        record.biases2.push_back(dense2.biases);
    }
    return record;
}

// ---------------------------------------------------------------------------------------------
// Chapters 18-22: what the Model adds around the network

// Chapters 18-19: the book's Model trains the network in mini-batches, with L1/L2 on the
// first layer, and evaluates the validation data after every epoch.
nnfs::ModelTrainingOutput model_training(
    const Matrix& X, const Labels& y, const Matrix& X_val, const Labels& y_val,
    const Matrix& weights1, const Vector& biases1, const Matrix& weights2, const Vector& biases2,
    long epochs, long batch_size, const nnfs::Regularizers& r, const std::string& optimizer_name,
    const nnfs::Hyperparameters& h) {
    LayerDense dense1(weights1.rows, weights1.cols, r.weight_l1, r.weight_l2, r.bias_l1,
                      r.bias_l2);
    dense1.set_parameters(weights1, biases1);
    ActivationReLU activation1;
    LayerDense dense2(weights2.rows, weights2.cols);
    dense2.set_parameters(weights2, biases2);
    ActivationSoftmax activation2;
    LossCategoricalCrossentropy loss;
    std::unique_ptr<Optimizer> optimizer = make_optimizer(optimizer_name, h);
    AccuracyCategorical accuracy;

    Model model;
    model.add(dense1);
    model.add(activation1);
    model.add(dense2);
    model.add(activation2);
    model.set(loss, *optimizer, accuracy);
    model.finalize();
    std::vector<Model::Epoch> printed = model.train(X, y, epochs, batch_size, X_val, y_val);

    nnfs::ModelTrainingOutput record;
    for (const Model::Epoch& epoch : printed) {
        record.loss.push_back(epoch.loss);
        record.data_loss.push_back(epoch.data_loss);
        record.regularization_loss.push_back(epoch.regularization_loss);
        record.accuracy.push_back(epoch.accuracy);
        record.learning_rate.push_back(epoch.learning_rate);
        record.validation_loss.push_back(epoch.validation_loss);
        record.validation_accuracy.push_back(epoch.validation_accuracy);
    }
    record.weights1 = dense1.weights;
    record.biases1 = dense1.biases;
    record.weights2 = dense2.weights;
    record.biases2 = dense2.biases;
    return record;
}

// Chapter 19's create_data_mnist and its preparation: the images as rows of floats scaled to
// [-1, 1], then shuffled with the keys (X[keys], y[keys]).
nnfs::PreprocessOutput preprocess(const nnfs::Images& images, const std::vector<int>& labels,
                                  const std::vector<std::size_t>& keys) {
    // X = (X.reshape(X.shape[0], -1) - 127.5) / 127.5
    Matrix X(images.samples, images.height * images.width);
    for (std::size_t n = 0; n < images.samples; n++)
        for (std::size_t r = 0; r < images.height; r++)
            for (std::size_t c = 0; c < images.width; c++)
                X(n, r * images.width + c) = (images(n, r, c) - 127.5) / 127.5;
    nnfs::PreprocessOutput shuffled{Matrix(X.rows, X.cols), {}};
    for (std::size_t i = 0; i < keys.size(); i++) {
        std::copy(X.data.begin() + keys[i] * X.cols, X.data.begin() + (keys[i] + 1) * X.cols,
                  shuffled.x.data.begin() + i * X.cols);
        shuffled.y.push_back(labels[keys[i]]);
    }
    return shuffled;
}

// Model.train's steps and the batch each one takes.
nnfs::BatchesOutput batches(const Matrix& X, long batch_size) {
    std::size_t size = static_cast<std::size_t>(batch_size);
    std::size_t train_steps = batch_steps(X.rows, size);
    nnfs::BatchesOutput taken{static_cast<long>(train_steps), {}, Matrix(train_steps, X.cols),
                              Matrix(train_steps, X.cols)};
    for (std::size_t step = 0; step < train_steps; step++) {
        Matrix batch_X = slice(X, step * size, (step + 1) * size);
        taken.batch_sizes.push_back(static_cast<long>(batch_X.rows));
        for (std::size_t k = 0; k < X.cols; k++) {
            taken.first_rows(step, k) = batch_X(0, k);
            taken.last_rows(step, k) = batch_X(batch_X.rows - 1, k);
        }
    }
    return taken;
}

// The output layer's activation turns its outputs into predictions (Model.predict).
nnfs::Predictions predictions(const Matrix& outputs, const std::string& activation) {
    if (activation == "softmax") return ActivationSoftmax().predictions(outputs);
    if (activation == "sigmoid") return ActivationSigmoid().predictions(outputs);
    return ActivationLinear().predictions(outputs);
}

// Model.evaluate on a softmax output layer's outputs: per batch, the loss and the accuracy add
// to their running sums; the results are the accumulated ones.
nnfs::EvaluateOutput evaluate(const Matrix& outputs, const Labels& y_val, long batch_size) {
    std::size_t size = static_cast<std::size_t>(batch_size);
    ActivationSoftmax output_layer_activation;
    LossCategoricalCrossentropy loss;
    AccuracyCategorical accuracy;
    loss.new_pass();
    accuracy.new_pass();
    std::size_t validation_steps = batch_steps(outputs.rows, size);
    for (std::size_t step = 0; step < validation_steps; step++) {
        Matrix output = slice(outputs, step * size, (step + 1) * size);
        Labels batch_y = slice(y_val, step * size, (step + 1) * size);
        loss.calculate(output, batch_y);
        accuracy.calculate(output_layer_activation.predictions(output), batch_y);
    }
    return {loss.calculate_accumulated(), accuracy.calculate_accumulated()};
}

// Chapter 21: get_parameters of a Dense, ReLU, Dense, Softmax model, saved to a file, loaded
// into a fresh model with set_parameters, and the fresh model used on the inputs.
nnfs::ParametersOutput parameters(const Matrix& X, const Matrix& weights1, const Vector& biases1,
                                  const Matrix& weights2, const Vector& biases2) {
    LayerDense dense1(weights1.rows, weights1.cols), dense2(weights2.rows, weights2.cols);
    dense1.set_parameters(weights1, biases1);
    dense2.set_parameters(weights2, biases2);

    std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::tmpfile(), &std::fclose);
    if (!file) throw std::runtime_error("parameters: cannot make a temporary file");
    save_parameters({dense1.get_parameters(), dense2.get_parameters()}, file.get());
    std::rewind(file.get());
    Parameters loaded = load_parameters(file.get());

    LayerDense fresh1(weights1.rows, weights1.cols), fresh2(weights2.rows, weights2.cols);
    fresh1.set_parameters(loaded[0].first, loaded[0].second);
    fresh2.set_parameters(loaded[1].first, loaded[1].second);
    ActivationReLU activation1;
    ActivationSoftmax activation2;
    fresh1.forward(X);
    activation1.forward(fresh1.output);
    fresh2.forward(activation1.output);
    activation2.forward(fresh2.output);
    return {fresh1.weights, fresh1.biases, fresh2.weights, fresh2.biases, activation2.output};
}

// ---------------------------------------------------------------------------------------------
// The wiring: one line per stage

int main() {
    nnfs::Stages stages;
    stages.neuron = neuron_output;
    stages.layer = layer_outputs;
    stages.dense_batch = dense_batch;
    stages.relu = relu;
    stages.dense_relu = dense_relu;
    stages.softmax = softmax;
    stages.dense_relu_dense_softmax = dense_relu_dense_softmax;
    stages.categorical_crossentropy = categorical_crossentropy;
    stages.accuracy = accuracy_of;
    stages.forward = forward;
    stages.dense_backward = dense_backward;
    stages.relu_backward = relu_backward;
    stages.repeated_forward = repeated_forward;
    stages.softmax_backward = softmax_backward;
    stages.categorical_crossentropy_backward = categorical_crossentropy_backward;
    stages.softmax_crossentropy_backward = softmax_crossentropy_backward;
    stages.regularization = regularization;
    stages.dropout = dropout;
    stages.sigmoid = sigmoid;
    stages.binary_crossentropy = loss_and_gradient<LossBinaryCrossentropy>;
    stages.binary_accuracy = binary_accuracy;
    stages.linear = linear;
    stages.mean_squared_error = loss_and_gradient<LossMeanSquaredError>;
    stages.mean_absolute_error = loss_and_gradient<LossMeanAbsoluteError>;
    stages.regression_accuracy = regression_accuracy;
    stages.sgd_step = optimizer_step("sgd");
    stages.adagrad_step = optimizer_step("adagrad");
    stages.rmsprop_step = optimizer_step("rmsprop");
    stages.adam_step = optimizer_step("adam");
    stages.shared_optimizer = shared_optimizer;
    stages.training = training;
    stages.model_training = model_training;
    stages.preprocess = preprocess;
    stages.batches = batches;
    stages.predictions = predictions;
    stages.evaluate = evaluate;
    stages.parameters = parameters;
    stages.rng = book::rng;
    stages.datasets = book::datasets;
    stages.init = book::init;
    stages.shuffle = book::shuffle;
    stages.chapters = book::chapters;
    return nnfs::serve({/*name*/ "cpp-book", /*dtype*/ "float64", /*version*/ "0.1.0"}, stages);
}
