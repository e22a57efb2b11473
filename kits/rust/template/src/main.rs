//! {{name}}: the network of Neural Networks from Scratch in Rust, graded by nnfs-conformance.
//!
//! Each stage is a plain function with the book's arguments; `main` registers the ones you have
//! written, one line each. The kit (`kit/`) speaks the protocol and checks every input before
//! calling you, so a function here only ever gets well-formed arrays, as the book's code does.

use nnfs_kit::{Kit, Result};
// The types the other stages use, when you write them:
// use nnfs_kit::{unsupported, Dense, Forward, Labels, Optimizer, OptimizerAdagrad, OptimizerAdam,
//     OptimizerRmsprop, OptimizerSgd, Regularizers, SoftmaxLossPath, Trajectory};
// the Model's (chapters 18-22): use nnfs_kit::{Activation, Epochs, Model, Parameters, Predictions};
// and the book tier's: use nnfs_kit::{Dataset, Draw, LayerShape, Printout, Script};

/// Chapter 1: one neuron, `inputs · weights + bias`.
fn neuron(inputs: &[f64], weights: &[f64], bias: f64) -> Result<f64> {
    let mut output = 0.0;
    for (input, weight) in inputs.iter().zip(weights) {
        output += input * weight;
    }
    Ok(output + bias)
}

/// Chapter 3's `Layer_Dense`: weights (n_inputs × n_neurons) and biases (n_neurons).
struct LayerDense {
    weights: Vec<Vec<f64>>,
    biases: Vec<f64>,
    output: Vec<Vec<f64>>,
}

impl LayerDense {
    fn new(weights: Vec<Vec<f64>>, biases: Vec<f64>) -> Self {
        LayerDense { weights, biases, output: Vec::new() }
    }

    /// `self.output = inputs @ self.weights + self.biases`
    fn forward(&mut self, inputs: &[Vec<f64>]) {
        self.output = Vec::new();
        for sample in inputs {
            let mut row = Vec::new();
            for (neuron, bias) in self.biases.iter().enumerate() {
                let mut output = 0.0;
                for (input, weights) in sample.iter().zip(&self.weights) {
                    output += input * weights[neuron];
                }
                row.push(output + bias);
            }
            self.output.push(row);
        }
    }
}

/// `dense_batch`: a batch of samples (B × K) through a `LayerDense` (its weights K × N).
fn dense_batch(inputs: &[Vec<f64>], weights: &[Vec<f64>], biases: &[f64]) -> Result<Vec<Vec<f64>>> {
    let mut dense1 = LayerDense::new(weights.to_vec(), biases.to_vec());
    dense1.forward(inputs);
    Ok(dense1.output)
}

fn main() {
    Kit::<f64>::new("{{name}}")
        .neuron(neuron)
        .dense_batch(dense_batch)
        // .layer(layer)
        // .relu(relu)
        // .dense_relu(dense_relu)
        // .softmax(softmax)
        // .dense_relu_dense_softmax(dense_relu_dense_softmax)
        // .categorical_crossentropy(categorical_crossentropy)
        // .accuracy(accuracy)
        // .forward(forward)
        // .dense_backward(dense_backward)
        // .relu_backward(relu_backward)
        // .repeated_forward(repeated_forward)
        // .softmax_backward(softmax_backward)
        // .categorical_crossentropy_backward(categorical_crossentropy_backward)
        // .softmax_crossentropy_backward(softmax_crossentropy_backward)
        // .regularization(regularization)
        // .dropout(dropout)
        // .sigmoid(sigmoid)
        // .binary_crossentropy(binary_crossentropy)
        // .binary_accuracy(binary_accuracy)
        // .linear(linear)
        // .mean_squared_error(mean_squared_error)
        // .mean_absolute_error(mean_absolute_error)
        // .regression_accuracy(regression_accuracy)
        // .sgd_step(sgd_step)
        // .adagrad_step(adagrad_step)
        // .rmsprop_step(rmsprop_step)
        // .adam_step(adam_step)
        // .shared_optimizer(shared_optimizer)
        // .training(training)
        // .model_training(model_training)
        // .preprocess(preprocess)
        // .batches(batches)
        // .predictions(predictions)
        // .evaluate(evaluate)
        // .parameters(parameters)
        // .rng(rng)
        // .datasets(datasets)
        // .init(init)
        // .shuffle(shuffle)
        // .chapters(chapters)
        .serve()
}

// ---- The other stages: write one, then uncomment its line in main() ------------------------
// Shapes: B samples, K inputs, N neurons, C classes, H hidden units, O outputs per sample.
// docs/STAGES.md of the suite has every formula and convention.

// /// Chapter 2: a layer of N neurons, weights as one row per neuron (N × K) -> output (N).
// fn layer(inputs: &[f64], weights: &[Vec<f64>], biases: &[f64]) -> Result<Vec<f64>> {
//     todo!()
// }

// /// Chapter 4: max(0, x) per element. A rank-1 case comes as one row.
// fn relu(inputs: &[Vec<f64>]) -> Result<Vec<Vec<f64>>> {
//     todo!()
// }

// /// Chapter 4's first chain: a LayerDense, then ReLU of its output -> (dense, relu), both B × N.
// fn dense_relu(
//     inputs: &[Vec<f64>],
//     weights: &[Vec<f64>],
//     biases: &[f64],
// ) -> Result<(Vec<Vec<f64>>, Vec<Vec<f64>>)> {
//     todo!()
// }

// /// Chapter 4: per row, exp(x - max(x)) / sum (B × C).
// fn softmax(inputs: &[Vec<f64>]) -> Result<Vec<Vec<f64>>> {
//     todo!()
// }

// /// Chapter 4's network before the loss: Dense(K, H) -> ReLU -> Dense(H, C) -> softmax
// /// -> (dense1, relu1, dense2, softmax).
// fn dense_relu_dense_softmax(
//     inputs: &[Vec<f64>],
//     weights1: &[Vec<f64>],
//     biases1: &[f64],
//     weights2: &[Vec<f64>],
//     biases2: &[f64],
// ) -> Result<(Vec<Vec<f64>>, Vec<Vec<f64>>, Vec<Vec<f64>>, Vec<Vec<f64>>)> {
//     todo!()
// }

// /// Chapter 5: -ln(clip(confidence of the right class)) per sample, and their mean.
// /// `Labels::Sparse(classes)` or `Labels::OneHot(rows)`; `y_true.classes()` gives the classes.
// fn categorical_crossentropy(y_pred: &[Vec<f64>], y_true: &Labels<f64>) -> Result<(Vec<f64>, f64)> {
//     todo!()
// }

// /// Chapter 5: argmax of each row (the first maximum wins), and the fraction right.
// fn accuracy(y_pred: &[Vec<f64>], y_true: &Labels<f64>) -> Result<(Vec<usize>, f64)> {
//     todo!()
// }

// /// Chapter 5: Dense(K, H) -> ReLU -> Dense(H, C) -> softmax -> loss and accuracy.
// fn forward(
//     inputs: &[Vec<f64>],
//     weights1: &[Vec<f64>],
//     biases1: &[f64],
//     weights2: &[Vec<f64>],
//     biases2: &[f64],
//     y_true: &Labels<f64>,
// ) -> Result<Forward<f64>> {
//     todo!() // Ok(Forward { dense1, relu1, dense2, softmax, sample_losses, loss, predictions, accuracy })
// }

// /// Chapter 9: Layer_Dense.backward -> (dweights (K × N), dbiases (N), dinputs (B × K)).
// fn dense_backward(
//     inputs: &[Vec<f64>],
//     weights: &[Vec<f64>],
//     dvalues: &[Vec<f64>],
// ) -> Result<(Vec<Vec<f64>>, Vec<f64>, Vec<Vec<f64>>)> {
//     todo!()
// }

// /// Chapter 9: Activation_ReLU.backward, the mask taken on the forward inputs (as rows).
// fn relu_backward(inputs: &[Vec<f64>], dvalues: &[Vec<f64>]) -> Result<Vec<Vec<f64>>> {
//     todo!()
// }

// /// Chapter 9: one LayerDense and one ReLU called on inputs1 (B × K), then on inputs2 (D × K),
// /// then backward(dvalues (D × N)) -> (output1 (B × N), output2 (D × N), dweights, dbiases,
// /// dinputs (D × K)): what follows the second call comes from inputs2 alone.
// fn repeated_forward(
//     inputs1: &[Vec<f64>],
//     inputs2: &[Vec<f64>],
//     weights: &[Vec<f64>],
//     biases: &[f64],
//     dvalues: &[Vec<f64>],
// ) -> Result<(Vec<Vec<f64>>, Vec<Vec<f64>>, Vec<Vec<f64>>, Vec<f64>, Vec<Vec<f64>>)> {
//     todo!()
// }

// /// Chapter 9: Activation_Softmax.backward, from its forward output.
// fn softmax_backward(output: &[Vec<f64>], dvalues: &[Vec<f64>]) -> Result<Vec<Vec<f64>>> {
//     todo!()
// }

// /// Chapter 9: Loss_CategoricalCrossentropy.backward.
// fn categorical_crossentropy_backward(y_pred: &[Vec<f64>], y_true: &Labels<f64>) -> Result<Vec<Vec<f64>>> {
//     todo!()
// }

// /// Chapter 9: Activation_Softmax_Loss_CategoricalCrossentropy.backward (Combined), or the two
// /// backward passes above one after the other (Separate).
// fn softmax_crossentropy_backward(
//     y_pred: &[Vec<f64>],
//     y_true: &Labels<f64>,
//     path: SoftmaxLossPath,
// ) -> Result<Vec<Vec<f64>>> {
//     todo!()
// }

// /// Chapter 14: L1 and L2 -> (loss, dweights, dbiases).
// fn regularization(
//     weights: &[Vec<f64>],
//     biases: &[f64],
//     factors: Regularizers<f64>,
// ) -> Result<(f64, Vec<Vec<f64>>, Vec<f64>)> {
//     todo!()
// }

// /// Chapter 15: Layer_Dropout(rate) forward and backward with this mask -> (output, dinputs).
// fn dropout(
//     inputs: &[Vec<f64>],
//     mask: &[Vec<f64>],
//     rate: f64,
//     dvalues: &[Vec<f64>],
// ) -> Result<(Vec<Vec<f64>>, Vec<Vec<f64>>)> {
//     todo!()
// }

// /// Chapter 16: Activation_Sigmoid forward and backward -> (output, dinputs).
// fn sigmoid(inputs: &[Vec<f64>], dvalues: &[Vec<f64>]) -> Result<(Vec<Vec<f64>>, Vec<Vec<f64>>)> {
//     todo!()
// }

// /// Chapters 16 and 17: a loss forward and backward -> (sample_losses, loss, dinputs).
// fn binary_crossentropy(y_pred: &[Vec<f64>], y_true: &[Vec<f64>]) -> Result<(Vec<f64>, f64, Vec<Vec<f64>>)> {
//     todo!()
// }
// /// Chapter 16: y_pred > 0.5 per output (0 or 1), and the share of outputs right.
// fn binary_accuracy(y_pred: &[Vec<f64>], y_true: &[Vec<f64>]) -> Result<(Vec<Vec<usize>>, f64)> {
//     todo!()
// }

// /// Chapter 17: Activation_Linear forward and backward -> (output, dinputs), both unchanged.
// fn linear(inputs: &[Vec<f64>], dvalues: &[Vec<f64>]) -> Result<(Vec<Vec<f64>>, Vec<Vec<f64>>)> {
//     todo!()
// }
// fn mean_squared_error(y_pred: &[Vec<f64>], y_true: &[Vec<f64>]) -> Result<(Vec<f64>, f64, Vec<Vec<f64>>)> {
//     todo!()
// }
// fn mean_absolute_error(y_pred: &[Vec<f64>], y_true: &[Vec<f64>]) -> Result<(Vec<f64>, f64, Vec<Vec<f64>>)> {
//     todo!()
// }

// /// Chapter 17: Accuracy_Regression, the share of outputs with |y_pred - y_true| < precision.
// fn regression_accuracy(y_pred: &[Vec<f64>], y_true: &[Vec<f64>], precision: f64) -> Result<f64> {
//     todo!()
// }

// /// Chapter 10: pre_update_params, update_params(layer), post_update_params: update
// /// layer.weights, layer.biases and the state from layer.dweights, layer.dbiases; set
// /// optimizer.current_learning_rate and add 1 to optimizer.iterations.
// fn sgd_step(optimizer: &mut OptimizerSgd<f64>, layer: &mut Dense<f64>) -> Result<()> {
//     todo!()
// }
// fn adagrad_step(optimizer: &mut OptimizerAdagrad<f64>, layer: &mut Dense<f64>) -> Result<()> {
//     todo!()
// }
// fn rmsprop_step(optimizer: &mut OptimizerRmsprop<f64>, layer: &mut Dense<f64>) -> Result<()> {
//     todo!()
// }
// fn adam_step(optimizer: &mut OptimizerAdam<f64>, layer: &mut Dense<f64>) -> Result<()> {
//     todo!()
// }

// /// One Optimizer_Adam for two layers, `steps` times: pre_update_params, update_params(dense1),
// /// update_params(dense2), post_update_params, with the same gradients every step.
// fn shared_optimizer(
//     optimizer: &mut OptimizerAdam<f64>,
//     dense1: &mut Dense<f64>,
//     dense2: &mut Dense<f64>,
//     steps: u64,
// ) -> Result<()> {
//     todo!()
// }

// /// Chapter 10's loop, `steps` times: forward, the combined backward, one optimizer step on
// /// both layers; record loss and accuracy before the update, the rate and parameters after.
// fn training(
//     inputs: &[Vec<f64>],
//     y_true: &Labels<f64>,
//     dense1: Dense<f64>,
//     dense2: Dense<f64>,
//     optimizer: Optimizer<f64>,
//     steps: u64,
// ) -> Result<Trajectory<f64>> {
//     if let Optimizer::Adam(_) = optimizer {
//         return Err(unsupported("Optimizer_Adam is not written yet")); // declines the case
//     }
//     todo!()
// }

// ---- The Model (chapters 18 to 22) ----------------------------------------------------------

// /// Chapters 18 and 19: model.train(X, y, epochs=epochs, batch_size=batch_size,
// /// validation_data=(X_val, y_val)). Train model.dense1 (with its regularizers), model.dense2
// /// and model.optimizer in place; per epoch, record what it prints in Epochs: the loss and
// /// accuracy accumulated over the batches, the regularization loss after the last step, the
// /// rate, and Model.evaluate's validation loss and accuracy.
// fn model_training(
//     model: &mut Model<f64>,
//     x: &[Vec<f64>],
//     y: &Labels<f64>,
//     epochs: u64,
//     batch_size: usize,
//     validation_data: (&[Vec<f64>], &Labels<f64>),
// ) -> Result<Epochs<f64>> {
//     todo!()
// }

// /// Chapter 19: each image (H × W bytes) flattened row by row and scaled (x - 127.5) / 127.5,
// /// then X[keys] and y[keys] -> (x (B × H·W), y (B)).
// fn preprocess(images: &[Vec<Vec<u8>>], labels: &[i64], keys: &[usize]) -> Result<(Vec<Vec<f64>>, Vec<i64>)> {
//     todo!()
// }

// /// Chapter 18: Model.train's steps (a short last batch is one more) and, for each batch it
// /// slices, its size, first row and last row -> (steps, batch_sizes, first_rows, last_rows).
// fn batches(inputs: &[Vec<f64>], batch_size: usize) -> Result<(usize, Vec<usize>, Vec<Vec<f64>>, Vec<Vec<f64>>)> {
//     todo!()
// }

// /// Chapter 18: the output activation's predictions(): Predictions::Classes (argmax, softmax),
// /// Predictions::Binary (> 0.5, sigmoid) or Predictions::Values (the outputs, linear).
// fn predictions(inputs: &[Vec<f64>], activation: Activation) -> Result<Predictions<f64>> {
//     todo!()
// }

// /// Chapter 18: Model.evaluate, the loss and accuracy summed over the batches, divided once.
// /// `y_true.slice(start..end)` gives a batch's labels.
// fn evaluate(y_pred: &[Vec<f64>], y_true: &Labels<f64>, batch_size: usize) -> Result<(f64, f64)> {
//     todo!()
// }

// /// Chapter 21: save get_parameters() ([(weights, biases)] per layer) to a file, load them into
// /// a fresh Dense -> ReLU -> Dense -> softmax model -> (its parameters, its output on inputs).
// /// Keep every digit: the bytes of each float, or text that reads back exactly.
// fn parameters(inputs: &[Vec<f64>], parameters: &[(Vec<Vec<f64>>, Vec<f64>)]) -> Result<(Parameters<f64>, Vec<Vec<f64>>)> {
//     todo!()
// }

// ---- The book tier (the suite's docs/BOOK.md): the book's own numbers, digit for digit -------
// Integers in, the book's values out as f64 (its float32 values widen exactly).

// /// np.random.seed(seed)'s legacy stream: each (draw, count) in turn -> every value drawn.
// fn rng(seed: u32, calls: &[(Draw, usize)]) -> Result<Vec<f64>> {
//     todo!()
// }

// /// nnfs's spiral_data, vertical_data or sine_data -> (x: a row per point, y: one per row).
// fn datasets(seed: u32, samples: usize, classes: usize, dataset: Dataset) -> Result<(Vec<Vec<f64>>, Vec<f64>)> {
//     todo!()
// }

// /// Layer_Dense's initial weights after `skip` Gaussians -> every layer's, row-major, in order.
// fn init(seed: u32, skip: usize, shapes: &[LayerShape], scale: f64) -> Result<Vec<f64>> {
//     todo!()
// }

// /// Chapter 19: np.random.shuffle(keys) of keys = 0..samples after np.random.seed(seed).
// fn shuffle(seed: u32, samples: usize) -> Result<Vec<usize>> {
//     todo!()
// }

// /// The book's chapter 3-10 script -> what script.printed names (a number, or rows).
// fn chapters(script: Script) -> Result<Printout> {
//     todo!()
// }
