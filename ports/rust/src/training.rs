//! The book's chapters 9 to 17 in plain Rust and `f32`: backward passes (and a layer used
//! twice), regularization, dropout, sigmoid, linear, more losses and accuracies, optimizer
//! steps (and one Adam shared by two layers) and a training loop.
//!
//! One function per stage, named as in the suite. Every stage is pure but the optimizers, which
//! update a layer's arrays in place as the book's `update_params(layer)` does. The kit has
//! checked the inputs (shapes, labels, masks, rates, factors, counts).

use crate::nnfs::{clip, dense_batch, forward, map_rows, mean, relu, transpose};
use nnfs_kit::{
    Dense, Labels, Matrix, Optimizer, OptimizerAdagrad, OptimizerAdam, OptimizerRmsprop,
    OptimizerSgd, Regularizers, Result, SoftmaxLossPath, Trajectory,
};

// ---------------------------------------------------------------------------------------------
// Chapter 9: backward passes

/// inputs (B×K), weights (K×N, Layer_Dense), dvalues (B×N)
/// -> (dweights (K×N): `inputs.T @ dvalues`, dbiases (N), dinputs (B×K): `dvalues @ weights.T`)
pub fn dense_backward(
    inputs: &[Vec<f32>],
    weights: &[Vec<f32>],
    dvalues: &[Vec<f32>],
) -> Result<(Matrix<f32>, Vec<f32>, Matrix<f32>)> {
    let dweights = times_transpose(&transpose(inputs), &transpose(dvalues));
    // NOTE: the bias gradient is the SUM over the batch (axis 0), one value per neuron.
    let dbiases = transpose(dvalues)
        .iter()
        .map(|column| column.iter().sum())
        .collect();
    let dinputs = times_transpose(dvalues, weights);
    Ok((dweights, dbiases, dinputs))
}

/// inputs (the forward inputs, as rows), dvalues (same shape) -> dinputs (same shape)
pub fn relu_backward(inputs: &[Vec<f32>], dvalues: &[Vec<f32>]) -> Result<Matrix<f32>> {
    // NOTE: the gradient is 0 where the INPUT is <= 0, including 0 and -0.0: the mask is taken
    //       on the forward inputs, never on dvalues.
    Ok(zip_rows(
        inputs,
        dvalues,
        |x, dv| if x <= 0.0 { 0.0 } else { dv },
    ))
}

/// What a layer used twice gives: (output1 (B×N), output2 (D×N), dweights (K×N), dbiases (N),
/// dinputs (D×K)).
pub type Repeated = (Matrix<f32>, Matrix<f32>, Matrix<f32>, Vec<f32>, Matrix<f32>);

/// One `Layer_Dense` and one `Activation_ReLU`, called on two batches in a row, then backward.
/// inputs1 (B×K), inputs2 (D×K), weights (K×N), biases (N), dvalues (D×N) -> Repeated
pub fn repeated_forward(
    inputs1: &[Vec<f32>],
    inputs2: &[Vec<f32>],
    weights: &[Vec<f32>],
    biases: &[f32],
    dvalues: &[Vec<f32>],
) -> Result<Repeated> {
    // NOTE: each call starts afresh: nothing is appended to the first call's output, and the
    //       backward pass uses the inputs of the SECOND call (what the layer saved last).
    let output1 = relu(&dense_batch(inputs1, weights, biases)?)?;
    let dense2 = dense_batch(inputs2, weights, biases)?;
    let output2 = relu(&dense2)?;
    let drelu = relu_backward(&dense2, dvalues)?;
    let (dweights, dbiases, dinputs) = dense_backward(inputs2, weights, &drelu)?;
    Ok((output1, output2, dweights, dbiases, dinputs))
}

/// output (B×C, the softmax's forward output), dvalues (B×C) -> dinputs (B×C):
/// per row `(diag(p) - p·pᵀ) @ dvalues[b]`
pub fn softmax_backward(output: &[Vec<f32>], dvalues: &[Vec<f32>]) -> Result<Matrix<f32>> {
    let mut dinputs = Vec::new();
    for (p, dv) in output.iter().zip(dvalues) {
        // The Jacobian of this sample, row by row, times its dvalues.
        let row = (0..p.len()).map(|i| {
            let diagonal = |j| if i == j { p[i] } else { 0.0 };
            let jacobian_row: Vec<f32> = (0..p.len()).map(|j| diagonal(j) - p[i] * p[j]).collect();
            dot(&jacobian_row, dv)
        });
        dinputs.push(row.collect());
    }
    Ok(dinputs)
}

/// y_pred (B×C), y_true -> dinputs (B×C): `-y_true_onehot / y_pred / B`
pub fn categorical_crossentropy_backward(
    y_pred: &[Vec<f32>],
    y_true: &Labels<f32>,
) -> Result<Matrix<f32>> {
    // NOTE: no clipping here (the book does not clip in the backward pass).
    let samples = y_pred.len() as f32;
    let dinputs = y_pred.iter().zip(y_true.classes()).map(|(row, class)| {
        let one_hot = |c| if c == class { 1.0 } else { 0.0 };
        row.iter()
            .enumerate()
            .map(|(c, &p)| -one_hot(c) / p / samples)
            .collect()
    });
    Ok(dinputs.collect())
}

/// y_pred (B×C, softmax outputs), y_true -> dinputs (B×C): `(y_pred - y_true_onehot) / B`
pub fn softmax_crossentropy_backward(
    y_pred: &[Vec<f32>],
    y_true: &Labels<f32>,
    path: SoftmaxLossPath,
) -> Result<Matrix<f32>> {
    if path == SoftmaxLossPath::Separate {
        let dvalues = categorical_crossentropy_backward(y_pred, y_true)?;
        return softmax_backward(y_pred, &dvalues);
    }
    // NOTE: divided by the number of SAMPLES, not of classes.
    let samples = y_pred.len() as f32;
    let dinputs = y_pred.iter().zip(y_true.classes()).map(|(row, class)| {
        let one_hot = |c| if c == class { 1.0 } else { 0.0 };
        row.iter()
            .enumerate()
            .map(|(c, &p)| (p - one_hot(c)) / samples)
            .collect()
    });
    Ok(dinputs.collect())
}

// ---------------------------------------------------------------------------------------------
// Chapters 14 and 15: L1 and L2 regularization, dropout

/// weights (K×N), biases (N), the factors -> (loss, dweights (K×N), dbiases (N)):
/// `loss = l1_w·Σ|w| + l2_w·Σw² + l1_b·Σ|b| + l2_b·Σb²`, `dw = l1·sign(w) + 2·l2·w`
pub fn regularization(
    weights: &[Vec<f32>],
    biases: &[f32],
    factors: Regularizers<f32>,
) -> Result<(f32, Matrix<f32>, Vec<f32>)> {
    let Regularizers {
        weight_regularizer_l1: weight_l1,
        weight_regularizer_l2: weight_l2,
        bias_regularizer_l1: bias_l1,
        bias_regularizer_l2: bias_l2,
    } = factors;
    let weights_flat = weights.concat();
    let total = |values: &[f32], f: fn(f32) -> f32| values.iter().map(|&x| f(x)).sum::<f32>();
    let loss = weight_l1 * total(&weights_flat, f32::abs)
        + weight_l2 * total(&weights_flat, |w| w * w)
        + bias_l1 * total(biases, f32::abs)
        + bias_l2 * total(biases, |b| b * b);
    let dweights = map_rows(weights, |w| {
        regularization_gradient(w, weight_l1, weight_l2)
    });
    let dbiases = biases
        .iter()
        .map(|&b| regularization_gradient(b, bias_l1, bias_l2))
        .collect();
    Ok((loss, dweights, dbiases))
}

/// `l1·sign(x) + 2·l2·x`, the gradient of `l1·|x| + l2·x²`
fn regularization_gradient(x: f32, l1: f32, l2: f32) -> f32 {
    // NOTE: sign(x) is +1 where x >= 0, including 0 and -0.0 (the book's dL1 = ones, -1 where
    //       x < 0); the L2 term keeps its factor 2.
    let sign = if x < 0.0 { -1.0 } else { 1.0 };
    l1 * sign + 2.0 * l2 * x
}

/// inputs (B×N), mask (B×N of 0 or 1: 1 keeps), rate (the DROP rate, in [0, 1)), dvalues (B×N)
/// -> (output: `inputs·mask / (1 - rate)`, dinputs: `dvalues·mask / (1 - rate)`)
pub fn dropout(
    inputs: &[Vec<f32>],
    mask: &[Vec<f32>],
    rate: f32,
    dvalues: &[Vec<f32>],
) -> Result<(Matrix<f32>, Matrix<f32>)> {
    // NOTE: inverted dropout: what is kept is scaled by 1 / (1 - rate) at training time.
    let scaled_mask = map_rows(mask, |m| m / (1.0 - rate));
    let output = zip_rows(inputs, &scaled_mask, |x, m| x * m);
    let dinputs = zip_rows(dvalues, &scaled_mask, |dv, m| dv * m);
    Ok((output, dinputs))
}

// ---------------------------------------------------------------------------------------------
// Chapters 16 and 17: sigmoid, binary cross-entropy, mean squared and mean absolute error

/// inputs (B×N), dvalues (B×N) -> (output: `1 / (1 + exp(-x))`, dinputs: `dvalues·(1 - s)·s`)
pub fn sigmoid(inputs: &[Vec<f32>], dvalues: &[Vec<f32>]) -> Result<(Matrix<f32>, Matrix<f32>)> {
    let output = map_rows(inputs, |x| 1.0 / (1.0 + (-x).exp()));
    let dinputs = zip_rows(dvalues, &output, |dv, s| dv * (1.0 - s) * s);
    Ok((output, dinputs))
}

/// A loss with its backward pass: (sample_losses (B): each the mean over its O outputs, loss:
/// their mean, dinputs (B×O): the gradient with respect to y_pred).
pub type Loss = (Vec<f32>, f32, Matrix<f32>);

/// y_pred (B×O), y_true (B×O of 0 or 1) -> sample losses `mean_o -(y·ln c + (1-y)·ln(1-c))`
/// and dinputs `-(y/c - (1-y)/(1-c)) / O / B`, where `c = clip(y_pred)`
pub fn binary_crossentropy(y_pred: &[Vec<f32>], y_true: &[Vec<f32>]) -> Result<Loss> {
    // NOTE: clipped to [1e-7, 1 - 1e-7] (f32 bounds) in the forward AND the backward pass.
    let loss = |p: f32, y: f32| -(y * clip(p).ln() + (1.0 - y) * (1.0 - clip(p)).ln());
    let gradient = |p: f32, y: f32| -(y / clip(p) - (1.0 - y) / (1.0 - clip(p)));
    Ok(elementwise_loss(y_pred, y_true, loss, gradient))
}

/// y_pred (B×O) sigmoid outputs, y_true (B×O of 0 or 1)
/// -> (predictions (B×O): `y_pred > 0.5`, accuracy: the share of outputs predicted right)
pub fn binary_accuracy(y_pred: &[Vec<f32>], y_true: &[Vec<f32>]) -> Result<(Matrix<usize>, f32)> {
    // NOTE: strictly above 0.5 is class 1 (the book's `output > 0.5`); every output counts.
    let predictions: Matrix<usize> = y_pred
        .iter()
        .map(|row| row.iter().map(|&p| usize::from(p > 0.5)).collect())
        .collect();
    let (mut matches, mut count) = (0, 0);
    for (prediction_row, true_row) in predictions.iter().zip(y_true) {
        for (&prediction, &y) in prediction_row.iter().zip(true_row) {
            matches += usize::from(prediction as f32 == y);
            count += 1;
        }
    }
    Ok((predictions, matches as f32 / count as f32))
}

/// `Activation_Linear`: inputs (B×N), dvalues (B×N) -> (output, dinputs), both unchanged
pub fn linear(inputs: &[Vec<f32>], dvalues: &[Vec<f32>]) -> Result<(Matrix<f32>, Matrix<f32>)> {
    Ok((inputs.to_vec(), dvalues.to_vec()))
}

/// y_pred (B×O), y_true (B×O) -> sample losses `mean_o (y_true - y_pred)²`
/// and dinputs `-2·(y_true - y_pred) / O / B`
pub fn mean_squared_error(y_pred: &[Vec<f32>], y_true: &[Vec<f32>]) -> Result<Loss> {
    let loss = |p: f32, y: f32| (y - p) * (y - p);
    let gradient = |p: f32, y: f32| -2.0 * (y - p);
    Ok(elementwise_loss(y_pred, y_true, loss, gradient))
}

/// y_pred (B×O), y_true (B×O) -> sample losses `mean_o |y_true - y_pred|`
/// and dinputs `sign(y_pred - y_true) / O / B`
pub fn mean_absolute_error(y_pred: &[Vec<f32>], y_true: &[Vec<f32>]) -> Result<Loss> {
    // NOTE: sign(0) = 0, not f32::signum's 1; and not the book's sign(y_true - y_pred), which
    //       has the wrong sign (computed as -sign(y_true - y_pred), as the reference does).
    let loss = |p: f32, y: f32| (y - p).abs();
    let gradient = |p: f32, y: f32| -sign(y - p);
    Ok(elementwise_loss(y_pred, y_true, loss, gradient))
}

/// `Accuracy_Regression`: y_pred (B×O), y_true (B×O), precision -> the share of outputs
/// strictly within `precision` of their target (the book's precision is `std(y_true) / 250`)
pub fn regression_accuracy(
    y_pred: &[Vec<f32>],
    y_true: &[Vec<f32>],
    precision: f32,
) -> Result<f32> {
    let (mut hits, mut count) = (0, 0);
    for (prediction_row, true_row) in y_pred.iter().zip(y_true) {
        for (&prediction, &y) in prediction_row.iter().zip(true_row) {
            hits += usize::from((prediction - y).abs() < precision);
            count += 1;
        }
    }
    Ok(hits as f32 / count as f32)
}

/// A loss that is the mean over each sample's outputs of `loss(p, y)`, with the gradient
/// `gradient(p, y) / O / B` per element.
fn elementwise_loss(
    y_pred: &[Vec<f32>],
    y_true: &[Vec<f32>],
    loss: impl Fn(f32, f32) -> f32,
    gradient: impl Fn(f32, f32) -> f32,
) -> Loss {
    let samples = y_pred.len() as f32;
    let outputs = y_pred[0].len() as f32;
    let sample_losses: Vec<f32> = zip_rows(y_pred, y_true, loss)
        .iter()
        .map(|row| mean(row))
        .collect();
    let dinputs = zip_rows(y_pred, y_true, |p, y| gradient(p, y) / outputs / samples);
    let loss = mean(&sample_losses);
    (sample_losses, loss, dinputs)
}

// ---------------------------------------------------------------------------------------------
// Chapter 10: optimizers, one step on one dense layer, as the book's pre_update_params,
// update_params(layer), post_update_params

/// `learning_rate / (1 + decay·iterations)`, from the initial rate at every step (never
/// compounded); step 0 uses the initial rate.
fn current_learning_rate(learning_rate: f32, decay: f32, iterations: u64) -> f32 {
    if decay != 0.0 {
        return learning_rate * (1.0 / (1.0 + decay * iterations as f32));
    }
    learning_rate
}

/// `m = momentum·m - lr·g; w += m`, or without momentum `w += -lr·g`
fn sgd_update_params(optimizer: &OptimizerSgd<f32>, layer: &mut Dense<f32>) {
    let (lr, momentum) = (optimizer.current_learning_rate, optimizer.momentum);
    if momentum != 0.0 {
        // NOTE: the book's form: the decayed rate is inside the momentum.
        update(&mut layer.weight_momentums, &layer.dweights, |m, g| {
            momentum * m - lr * g
        });
        update(&mut layer.weights, &layer.weight_momentums, |w, m| w + m);
        update_row(&mut layer.bias_momentums, &layer.dbiases, |m, g| {
            momentum * m - lr * g
        });
        update_row(&mut layer.biases, &layer.bias_momentums, |b, m| b + m);
    } else {
        // NOTE: without momentum the book keeps none: the arrays come back unchanged.
        update(&mut layer.weights, &layer.dweights, |w, g| w + -lr * g);
        update_row(&mut layer.biases, &layer.dbiases, |b, g| b + -lr * g);
    }
}

/// `cache += g²; w += -lr·g / (sqrt(cache) + epsilon)`
fn adagrad_update_params(optimizer: &OptimizerAdagrad<f32>, layer: &mut Dense<f32>) {
    let (lr, epsilon) = (optimizer.current_learning_rate, optimizer.epsilon);
    update(&mut layer.weight_cache, &layer.dweights, |c, g| c + g * g);
    update_row(&mut layer.bias_cache, &layer.dbiases, |c, g| c + g * g);
    // NOTE: epsilon is added OUTSIDE the square root.
    step_by_cache(layer, |g, c| -lr * g / (c.sqrt() + epsilon));
}

/// `cache = rho·cache + (1 - rho)·g²; w += -lr·g / (sqrt(cache) + epsilon)`
fn rmsprop_update_params(optimizer: &OptimizerRmsprop<f32>, layer: &mut Dense<f32>) {
    let (lr, epsilon, rho) = (
        optimizer.current_learning_rate,
        optimizer.epsilon,
        optimizer.rho,
    );
    update(&mut layer.weight_cache, &layer.dweights, |c, g| {
        rho * c + (1.0 - rho) * (g * g)
    });
    update_row(&mut layer.bias_cache, &layer.dbiases, |c, g| {
        rho * c + (1.0 - rho) * (g * g)
    });
    step_by_cache(layer, |g, c| -lr * g / (c.sqrt() + epsilon));
}

/// `m = β1·m + (1-β1)·g; v = β2·v + (1-β2)·g²;`
/// `w += -lr·(m / (1 - β1^(t+1))) / (sqrt(v / (1 - β2^(t+1))) + epsilon)`, t = iterations
fn adam_update_params(optimizer: &OptimizerAdam<f32>, layer: &mut Dense<f32>) {
    let OptimizerAdam {
        epsilon,
        beta_1,
        beta_2,
        iterations,
        ..
    } = *optimizer;
    let lr = optimizer.current_learning_rate;
    // NOTE: the bias correction uses the 1-based step count t + 1, and undecayed betas.
    let correction_1 = 1.0 - beta_1.powf((iterations + 1) as f32);
    let correction_2 = 1.0 - beta_2.powf((iterations + 1) as f32);
    let momentum = |m: f32, g: f32| beta_1 * m + (1.0 - beta_1) * g;
    let cache = |v: f32, g: f32| beta_2 * v + (1.0 - beta_2) * (g * g);
    update(&mut layer.weight_momentums, &layer.dweights, momentum);
    update_row(&mut layer.bias_momentums, &layer.dbiases, momentum);
    update(&mut layer.weight_cache, &layer.dweights, cache);
    update_row(&mut layer.bias_cache, &layer.dbiases, cache);
    // NOTE: epsilon is added to the square root of the CORRECTED cache, outside the root.
    let step = |m: f32, v: f32| -lr * (m / correction_1) / ((v / correction_2).sqrt() + epsilon);
    let weight_steps = zip_rows(&layer.weight_momentums, &layer.weight_cache, step);
    let bias_steps = zip(&layer.bias_momentums, &layer.bias_cache, step);
    update(&mut layer.weights, &weight_steps, |w, u| w + u);
    update_row(&mut layer.biases, &bias_steps, |b, u| b + u);
}

/// `w += update(g, cache)` for the weights and the biases (AdaGrad, RMSprop).
fn step_by_cache(layer: &mut Dense<f32>, step: impl Fn(f32, f32) -> f32) {
    let weight_steps = zip_rows(&layer.dweights, &layer.weight_cache, &step);
    let bias_steps = zip(&layer.dbiases, &layer.bias_cache, &step);
    update(&mut layer.weights, &weight_steps, |w, u| w + u);
    update_row(&mut layer.biases, &bias_steps, |b, u| b + u);
}

/// One SGD step: the rate for this step, the update, then the count.
pub fn sgd_step(optimizer: &mut OptimizerSgd<f32>, layer: &mut Dense<f32>) -> Result<()> {
    optimizer.current_learning_rate = current_learning_rate(
        optimizer.learning_rate,
        optimizer.decay,
        optimizer.iterations,
    );
    sgd_update_params(optimizer, layer);
    optimizer.iterations += 1;
    Ok(())
}

/// One AdaGrad step.
pub fn adagrad_step(optimizer: &mut OptimizerAdagrad<f32>, layer: &mut Dense<f32>) -> Result<()> {
    optimizer.current_learning_rate = current_learning_rate(
        optimizer.learning_rate,
        optimizer.decay,
        optimizer.iterations,
    );
    adagrad_update_params(optimizer, layer);
    optimizer.iterations += 1;
    Ok(())
}

/// One RMSprop step.
pub fn rmsprop_step(optimizer: &mut OptimizerRmsprop<f32>, layer: &mut Dense<f32>) -> Result<()> {
    optimizer.current_learning_rate = current_learning_rate(
        optimizer.learning_rate,
        optimizer.decay,
        optimizer.iterations,
    );
    rmsprop_update_params(optimizer, layer);
    optimizer.iterations += 1;
    Ok(())
}

/// One Adam step.
pub fn adam_step(optimizer: &mut OptimizerAdam<f32>, layer: &mut Dense<f32>) -> Result<()> {
    optimizer.current_learning_rate = current_learning_rate(
        optimizer.learning_rate,
        optimizer.decay,
        optimizer.iterations,
    );
    adam_update_params(optimizer, layer);
    optimizer.iterations += 1;
    Ok(())
}

/// One `Optimizer_Adam` for two layers, `steps` times, with the same gradients each step.
pub fn shared_optimizer(
    optimizer: &mut OptimizerAdam<f32>,
    dense1: &mut Dense<f32>,
    dense2: &mut Dense<f32>,
    steps: u64,
) -> Result<()> {
    for _ in 0..steps {
        // NOTE: one pre_update_params, each layer with its own momentums and caches, one
        //       post_update_params: the count rises once per step, not per layer.
        optimizer.current_learning_rate = current_learning_rate(
            optimizer.learning_rate,
            optimizer.decay,
            optimizer.iterations,
        );
        adam_update_params(optimizer, dense1);
        adam_update_params(optimizer, dense2);
        optimizer.iterations += 1;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Chapter 10: the training loop

/// The book's model, full batch: Dense(K, H) → ReLU → Dense(H, C) → softmax + cross-entropy,
/// `steps` optimizer steps from the given layers (their optimizer state at zeros).
/// inputs (B×K), y_true, dense1 (K×H, H), dense2 (H×C, C)
pub fn training(
    inputs: &[Vec<f32>],
    y_true: &Labels<f32>,
    mut dense1: Dense<f32>,
    mut dense2: Dense<f32>,
    mut optimizer: Optimizer<f32>,
    steps: u64,
) -> Result<Trajectory<f32>> {
    let mut trajectory = Trajectory::default();
    for _ in 0..steps {
        let out = forward(
            inputs,
            &dense1.weights,
            &dense1.biases,
            &dense2.weights,
            &dense2.biases,
            y_true,
        )?;
        trajectory.loss.push(out.loss);
        trajectory.accuracy.push(out.accuracy);

        let path = SoftmaxLossPath::Combined;
        let dvalues = softmax_crossentropy_backward(&out.softmax, y_true, path)?;
        let drelu1;
        (dense2.dweights, dense2.dbiases, drelu1) =
            dense_backward(&out.relu1, &dense2.weights, &dvalues)?;
        let ddense1 = relu_backward(&out.dense1, &drelu1)?;
        (dense1.dweights, dense1.dbiases, _) = dense_backward(inputs, &dense1.weights, &ddense1)?;

        let rate_used = optimize(&mut optimizer, &mut dense1, &mut dense2);
        trajectory.learning_rate.push(rate_used);
        trajectory.weights1.push(dense1.weights.clone());
        trajectory.biases1.push(dense1.biases.clone());
        trajectory.weights2.push(dense2.weights.clone());
        trajectory.biases2.push(dense2.biases.clone());
    }
    Ok(trajectory)
}

/// One step of the optimizer on both layers, from their `dweights` and `dbiases`; the rate it
/// used. The book's `pre_update_params`, `update_params` of each layer, `post_update_params`.
pub(crate) fn optimize(
    optimizer: &mut Optimizer<f32>,
    dense1: &mut Dense<f32>,
    dense2: &mut Dense<f32>,
) -> f32 {
    // NOTE: one pre_update_params, both layers, one post_update_params: the count rises once
    //       per step, not per layer.
    match optimizer {
        Optimizer::Sgd(o) => {
            o.current_learning_rate = current_learning_rate(o.learning_rate, o.decay, o.iterations);
            sgd_update_params(o, dense1);
            sgd_update_params(o, dense2);
            o.iterations += 1;
            o.current_learning_rate
        }
        Optimizer::Adagrad(o) => {
            o.current_learning_rate = current_learning_rate(o.learning_rate, o.decay, o.iterations);
            adagrad_update_params(o, dense1);
            adagrad_update_params(o, dense2);
            o.iterations += 1;
            o.current_learning_rate
        }
        Optimizer::Rmsprop(o) => {
            o.current_learning_rate = current_learning_rate(o.learning_rate, o.decay, o.iterations);
            rmsprop_update_params(o, dense1);
            rmsprop_update_params(o, dense2);
            o.iterations += 1;
            o.current_learning_rate
        }
        Optimizer::Adam(o) => {
            o.current_learning_rate = current_learning_rate(o.learning_rate, o.decay, o.iterations);
            adam_update_params(o, dense1);
            adam_update_params(o, dense2);
            o.iterations += 1;
            o.current_learning_rate
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Small helpers

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// `a @ b.T`: every row of `a` dotted with every row of `b`.
fn times_transpose(a: &[Vec<f32>], b: &[Vec<f32>]) -> Matrix<f32> {
    a.iter()
        .map(|row| b.iter().map(|column| dot(row, column)).collect())
        .collect()
}

fn sign(x: f32) -> f32 {
    // NOTE: 0 at 0 (np.sign), where f32::signum gives ±1.
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        x
    }
}

fn zip(a: &[f32], b: &[f32], f: impl Fn(f32, f32) -> f32) -> Vec<f32> {
    a.iter().zip(b).map(|(&x, &y)| f(x, y)).collect()
}

fn zip_rows(a: &[Vec<f32>], b: &[Vec<f32>], f: impl Fn(f32, f32) -> f32) -> Matrix<f32> {
    a.iter().zip(b).map(|(x, y)| zip(x, y, &f)).collect()
}

/// `a[i] = f(a[i], b[i])` for every element.
fn update_row(a: &mut [f32], b: &[f32], f: impl Fn(f32, f32) -> f32) {
    a.iter_mut().zip(b).for_each(|(x, &y)| *x = f(*x, y));
}

fn update(a: &mut [Vec<f32>], b: &[Vec<f32>], f: impl Fn(f32, f32) -> f32) {
    a.iter_mut().zip(b).for_each(|(x, y)| update_row(x, y, &f));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relu_backward_masks_on_the_inputs_including_zero() {
        let inputs = vec![vec![-1.0, 0.0, -0.0, 2.0]];
        let dinputs = relu_backward(&inputs, &[vec![5.0, 5.0, 5.0, -5.0]]).unwrap();
        assert_eq!(dinputs, vec![vec![0.0, 0.0, 0.0, -5.0]]);
    }

    #[test]
    fn dense_backward_sums_the_bias_gradient_over_the_batch() {
        let inputs = vec![vec![1.0, 2.0], vec![3.0, 4.0]];
        let weights = vec![vec![1.0], vec![-1.0]];
        let dvalues = vec![vec![0.5], vec![2.0]];
        let (dweights, dbiases, dinputs) = dense_backward(&inputs, &weights, &dvalues).unwrap();
        assert_eq!(dweights, vec![vec![6.5], vec![9.0]]);
        assert_eq!(dbiases, vec![2.5]);
        assert_eq!(dinputs, vec![vec![0.5, -0.5], vec![2.0, -2.0]]);
    }

    #[test]
    fn the_l1_gradient_of_zero_is_plus_one() {
        let factors = Regularizers {
            weight_regularizer_l1: 0.5,
            weight_regularizer_l2: 0.0,
            bias_regularizer_l1: 0.0,
            bias_regularizer_l2: 1.0,
        };
        let (loss, dweights, dbiases) =
            regularization(&[vec![0.0, -0.0, -2.0]], &[1.0, 2.0, 3.0], factors).unwrap();
        assert_eq!(loss, 0.5 * 2.0 + 14.0);
        assert_eq!(dweights, vec![vec![0.5, 0.5, -0.5]]);
        assert_eq!(dbiases, vec![2.0, 4.0, 6.0]);
    }

    #[test]
    fn mean_absolute_error_has_no_gradient_where_right() {
        let (_, _, dinputs) =
            mean_absolute_error(&[vec![1.0, 3.0, 2.0]], &[vec![1.0, 2.0, 4.0]]).unwrap();
        assert_eq!(dinputs, vec![vec![0.0, 1.0 / 3.0, -1.0 / 3.0]]);
    }

    #[test]
    fn sgd_without_momentum_leaves_the_momentums_alone() {
        let mut layer = Dense::new(vec![vec![1.0]], vec![1.0]);
        (layer.dweights, layer.dbiases) = (vec![vec![1.0]], vec![1.0]);
        (layer.weight_momentums, layer.bias_momentums) = (vec![vec![7.0]], vec![7.0]);
        let mut optimizer = OptimizerSgd {
            learning_rate: 0.5,
            ..Default::default()
        };
        sgd_step(&mut optimizer, &mut layer).unwrap();
        assert_eq!(
            (layer.weight_momentums, layer.bias_momentums),
            (vec![vec![7.0]], vec![7.0])
        );
        assert_eq!((layer.weights, layer.biases), (vec![vec![0.5]], vec![0.5]));
        assert_eq!(
            (optimizer.current_learning_rate, optimizer.iterations),
            (0.5, 1)
        );
    }
}
