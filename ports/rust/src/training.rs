//! The book's chapters 9 to 17 in plain Rust and `f32`: backward passes, regularization,
//! dropout, sigmoid, more losses, optimizer steps and a training loop.
//!
//! One function per stage, named as in the suite. Every stage is pure: what the book keeps on a
//! layer object (the forward inputs, a dropout mask, optimizer state) is an argument, and what it
//! updates is returned. The ranks and ragged rows are checked when the inputs are read (main.rs).

use crate::nnfs::{
    check_batch, check_labels, clip, fail, forward, mean, transpose, ErrorKind::*, Labels, Matrix,
    StageError,
};

// ---------------------------------------------------------------------------------------------
// Chapter 9: backward passes

/// inputs (B×K), weights (K×N, Layer_Dense), dvalues (B×N)
/// -> (dweights (K×N): `inputs.T @ dvalues`, dbiases (N), dinputs (B×K): `dvalues @ weights.T`)
pub fn dense_backward(
    inputs: &[Vec<f32>],
    weights: &[Vec<f32>],
    dvalues: &[Vec<f32>],
) -> Result<(Matrix, Vec<f32>, Matrix), StageError> {
    check_batch("inputs", inputs)?;
    let k = inputs[0].len();
    if weights.is_empty() || weights.len() != k {
        let why = format!("weights has {} rows, inputs has {k} columns", weights.len());
        return fail(ShapeMismatch, why);
    }
    check_shape("dvalues", dvalues, inputs.len(), weights[0].len())?;
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
pub fn relu_backward(inputs: &[Vec<f32>], dvalues: &[Vec<f32>]) -> Result<Matrix, StageError> {
    // NOTE: the gradient is 0 where the INPUT is <= 0, including 0 and -0.0: the mask is taken
    //       on the forward inputs, never on dvalues.
    check_same_shape("dvalues", dvalues, "inputs", inputs)?;
    let gradient = |x: f32, dv| if x <= 0.0 { 0.0 } else { dv };
    Ok(zip_rows(inputs, dvalues, gradient))
}

/// output (B×C, the softmax's forward output), dvalues (B×C) -> dinputs (B×C):
/// per row `(diag(p) - p·pᵀ) @ dvalues[b]`
pub fn softmax_backward(output: &[Vec<f32>], dvalues: &[Vec<f32>]) -> Result<Matrix, StageError> {
    check_batch("output", output)?;
    check_same_shape("dvalues", dvalues, "output", output)?;
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
    y_true: &Labels,
) -> Result<Matrix, StageError> {
    // NOTE: no clipping here (the book does not clip in the backward pass).
    check_batch("y_pred", y_pred)?;
    let classes = check_labels(y_true, y_pred.len(), y_pred[0].len())?;
    let samples = y_pred.len() as f32;
    let dinputs = y_pred.iter().zip(&classes).map(|(row, &class)| {
        let one_hot = |c| if c == class { 1.0 } else { 0.0 };
        let row = row
            .iter()
            .enumerate()
            .map(|(c, &p)| -one_hot(c) / p / samples);
        row.collect()
    });
    Ok(dinputs.collect())
}

/// How `softmax_crossentropy_backward` computes its gradient (the same number either way).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SoftmaxLossPath {
    /// The book's `Activation_Softmax_Loss_CategoricalCrossentropy.backward`.
    Combined,
    /// `softmax_backward` after `categorical_crossentropy_backward`.
    Separate,
}

/// y_pred (B×C, softmax outputs), y_true -> dinputs (B×C): `(y_pred - y_true_onehot) / B`
pub fn softmax_crossentropy_backward(
    y_pred: &[Vec<f32>],
    y_true: &Labels,
    path: SoftmaxLossPath,
) -> Result<Matrix, StageError> {
    if path == SoftmaxLossPath::Separate {
        let dvalues = categorical_crossentropy_backward(y_pred, y_true)?;
        return softmax_backward(y_pred, &dvalues);
    }
    // NOTE: divided by the number of SAMPLES, not of classes.
    check_batch("y_pred", y_pred)?;
    let classes = check_labels(y_true, y_pred.len(), y_pred[0].len())?;
    let samples = y_pred.len() as f32;
    let dinputs = y_pred.iter().zip(&classes).map(|(row, &class)| {
        let one_hot = |c| if c == class { 1.0 } else { 0.0 };
        let row = row
            .iter()
            .enumerate()
            .map(|(c, &p)| (p - one_hot(c)) / samples);
        row.collect()
    });
    Ok(dinputs.collect())
}

// ---------------------------------------------------------------------------------------------
// Chapters 14 and 15: L1 and L2 regularization, dropout

/// The four factors of `Layer_Dense(..., weight_regularizer_l1, ...)`, as sent (`>= 0`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Regularizers {
    pub weight_l1: f64,
    pub weight_l2: f64,
    pub bias_l1: f64,
    pub bias_l2: f64,
}

/// weights (K×N), biases (N), the factors -> (loss, dweights (K×N), dbiases (N)):
/// `loss = l1_w·Σ|w| + l2_w·Σw² + l1_b·Σ|b| + l2_b·Σb²`, `dw = l1·sign(w) + 2·l2·w`
pub fn regularization(
    weights: &[Vec<f32>],
    biases: &[f32],
    factors: Regularizers,
) -> Result<(f32, Matrix, Vec<f32>), StageError> {
    check_layer(("weights", "biases"), weights, biases)?;
    let named = [
        ("weight_regularizer_l1", factors.weight_l1),
        ("weight_regularizer_l2", factors.weight_l2),
        ("bias_regularizer_l1", factors.bias_l1),
        ("bias_regularizer_l2", factors.bias_l2),
    ];
    for (name, factor) in named {
        if factor < 0.0 {
            return fail(InvalidValue, format!("{name} is {factor}, negative"));
        }
    }
    let [weight_l1, weight_l2, bias_l1, bias_l2] = named.map(|(_, factor)| factor as f32);
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
    mask: &[Vec<f64>],
    rate: f64,
    dvalues: &[Vec<f32>],
) -> Result<(Matrix, Matrix), StageError> {
    check_batch("inputs", inputs)?;
    check_same_shape("mask", mask, "inputs", inputs)?;
    check_same_shape("dvalues", dvalues, "inputs", inputs)?;
    for (b, row) in mask.iter().enumerate() {
        if let Some(n) = row.iter().position(|&m| m != 0.0 && m != 1.0) {
            let why = format!("mask[{b}][{n}] is {}, not 0 or 1", row[n]);
            return fail(InvalidValue, why);
        }
    }
    if !(0.0..1.0).contains(&rate) {
        return fail(InvalidValue, format!("rate is {rate}, not in [0, 1)"));
    }
    // NOTE: inverted dropout: what is kept is scaled by 1 / (1 - rate) at training time.
    let rate = rate as f32;
    let scaled_mask = map_rows(mask, |m| m as f32 / (1.0 - rate));
    let output = zip_rows(inputs, &scaled_mask, |x, m| x * m);
    let dinputs = zip_rows(dvalues, &scaled_mask, |dv, m| dv * m);
    Ok((output, dinputs))
}

// ---------------------------------------------------------------------------------------------
// Chapters 16 and 17: sigmoid, binary cross-entropy, mean squared and mean absolute error

/// inputs (B×N), dvalues (B×N) -> (output: `1 / (1 + exp(-x))`, dinputs: `dvalues·(1 - s)·s`)
pub fn sigmoid(inputs: &[Vec<f32>], dvalues: &[Vec<f32>]) -> Result<(Matrix, Matrix), StageError> {
    check_batch("inputs", inputs)?;
    check_same_shape("dvalues", dvalues, "inputs", inputs)?;
    let output = map_rows(inputs, |x| 1.0 / (1.0 + (-x).exp()));
    let dinputs = zip_rows(dvalues, &output, |dv, s| dv * (1.0 - s) * s);
    Ok((output, dinputs))
}

/// The outputs of a loss with its backward pass.
#[derive(Debug, PartialEq)]
pub struct Loss {
    /// Each sample's loss: the mean over its O outputs (B).
    pub sample_losses: Vec<f32>,
    /// The mean of the sample losses.
    pub loss: f32,
    /// The gradient with respect to y_pred (B×O).
    pub dinputs: Matrix,
}

/// y_pred (B×O), y_true (B×O of 0 or 1) -> sample losses `mean_o -(y·ln c + (1-y)·ln(1-c))`
/// and dinputs `-(y/c - (1-y)/(1-c)) / O / B`, where `c = clip(y_pred)`
pub fn binary_crossentropy(y_pred: &[Vec<f32>], y_true: &[Vec<f64>]) -> Result<Loss, StageError> {
    // NOTE: clipped to [1e-7, 1 - 1e-7] (f32 bounds) in the forward AND the backward pass.
    check_batch("y_pred", y_pred)?;
    check_same_shape("y_true", y_true, "y_pred", y_pred)?;
    for (b, row) in y_true.iter().enumerate() {
        if let Some(o) = row.iter().position(|&y| y != 0.0 && y != 1.0) {
            let why = format!("y_true[{b}][{o}] is {}, not 0 or 1", row[o]);
            return fail(InvalidLabel, why);
        }
    }
    let y_true = map_rows(y_true, |y| y as f32);
    let loss = |p: f32, y: f32| -(y * clip(p).ln() + (1.0 - y) * (1.0 - clip(p)).ln());
    let gradient = |p: f32, y: f32| -(y / clip(p) - (1.0 - y) / (1.0 - clip(p)));
    Ok(elementwise_loss(y_pred, &y_true, loss, gradient))
}

/// y_pred (B×O), y_true (B×O) -> sample losses `mean_o (y_true - y_pred)²`
/// and dinputs `-2·(y_true - y_pred) / O / B`
pub fn mean_squared_error(y_pred: &[Vec<f32>], y_true: &[Vec<f32>]) -> Result<Loss, StageError> {
    check_batch("y_pred", y_pred)?;
    check_same_shape("y_true", y_true, "y_pred", y_pred)?;
    let loss = |p: f32, y: f32| (y - p) * (y - p);
    let gradient = |p: f32, y: f32| -2.0 * (y - p);
    Ok(elementwise_loss(y_pred, y_true, loss, gradient))
}

/// y_pred (B×O), y_true (B×O) -> sample losses `mean_o |y_true - y_pred|`
/// and dinputs `sign(y_pred - y_true) / O / B`
pub fn mean_absolute_error(y_pred: &[Vec<f32>], y_true: &[Vec<f32>]) -> Result<Loss, StageError> {
    // NOTE: sign(0) = 0, not f32::signum's 1; and not the book's sign(y_true - y_pred), which
    //       has the wrong sign (computed as -sign(y_true - y_pred), as the reference does).
    check_batch("y_pred", y_pred)?;
    check_same_shape("y_true", y_true, "y_pred", y_pred)?;
    let loss = |p: f32, y: f32| (y - p).abs();
    let gradient = |p: f32, y: f32| -sign(y - p);
    Ok(elementwise_loss(y_pred, y_true, loss, gradient))
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
    Loss {
        loss: mean(&sample_losses),
        sample_losses,
        dinputs,
    }
}

// ---------------------------------------------------------------------------------------------
// Chapter 10: optimizers, one step on one dense layer

/// A dense layer's weights (K×N) and biases (N), or anything shaped like them: their
/// gradients, momentums or caches.
#[derive(Clone, Debug, PartialEq)]
pub struct Layer {
    pub weights: Matrix,
    pub biases: Vec<f32>,
}

impl Layer {
    /// `f` on every element.
    fn map(&self, f: impl Fn(f32) -> f32) -> Layer {
        Layer {
            weights: map_rows(&self.weights, &f),
            biases: self.biases.iter().map(|&x| f(x)).collect(),
        }
    }

    /// `f` on every element and the one of `other` at the same place.
    fn zip_with(&self, other: &Layer, f: impl Fn(f32, f32) -> f32) -> Layer {
        Layer {
            weights: zip_rows(&self.weights, &other.weights, &f),
            biases: zip(&self.biases, &other.biases, &f),
        }
    }

    /// The step: `self + updates`.
    fn plus(&self, updates: &Layer) -> Layer {
        self.zip_with(updates, |w, u| w + u)
    }
}

/// The optimizer of `sgd_step` to `adam_step` and `training`, with the hyperparameters of its own.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Optimizer {
    Sgd {
        momentum: f32,
    },
    Adagrad {
        epsilon: f32,
    },
    RmsProp {
        epsilon: f32,
        rho: f32,
    },
    Adam {
        epsilon: f32,
        beta_1: f32,
        beta_2: f32,
    },
}

const MOMENTUMS: (&str, &str) = ("weight_momentums", "bias_momentums");
const CACHE: (&str, &str) = ("weight_cache", "bias_cache");

impl Optimizer {
    /// The names of its state arrays (for the weights, for the biases), in the stage's order.
    pub fn state_names(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Optimizer::Sgd { .. } => &[MOMENTUMS],
            Optimizer::Adagrad { .. } | Optimizer::RmsProp { .. } => &[CACHE],
            Optimizer::Adam { .. } => &[MOMENTUMS, CACHE],
        }
    }

    /// One step of this optimizer: `state` holds its arrays in the order of `state_names`.
    pub fn step(
        self,
        layer: &Layer,
        grads: &Layer,
        state: &[Layer],
        iterations: u64,
        learning_rate: f32,
        decay: f32,
    ) -> Result<Step, StageError> {
        let schedule = (iterations, learning_rate, decay);
        match self {
            Optimizer::Sgd { momentum } => sgd_step(layer, grads, &state[0], schedule, momentum),
            Optimizer::Adagrad { epsilon } => {
                adagrad_step(layer, grads, &state[0], schedule, epsilon)
            }
            Optimizer::RmsProp { epsilon, rho } => {
                rmsprop_step(layer, grads, &state[0], schedule, epsilon, rho)
            }
            Optimizer::Adam {
                epsilon,
                beta_1,
                beta_2,
            } => adam_step(layer, grads, state, schedule, epsilon, (beta_1, beta_2)),
        }
    }
}

/// `iterations` (the steps taken before this one), the initial learning rate, its decay.
pub type Schedule = (u64, f32, f32);

/// What an optimizer step returns.
#[derive(Debug, PartialEq)]
pub struct Step {
    /// The updated weights and biases.
    pub layer: Layer,
    /// The updated state arrays, in the order of `Optimizer::state_names`.
    pub state: Vec<Layer>,
    /// The rate this step used.
    pub learning_rate: f32,
    /// `iterations + 1`.
    pub iterations: u64,
}

/// `lr = learning_rate / (1 + decay·iterations)`; with momentum `m = momentum·m - lr·g; w += m`,
/// without `w += -lr·g`
pub fn sgd_step(
    layer: &Layer,
    grads: &Layer,
    momentums: &Layer,
    (iterations, learning_rate, decay): Schedule,
    momentum: f32,
) -> Result<Step, StageError> {
    check_state(layer, grads, &[(MOMENTUMS, momentums)])?;
    let lr = current_learning_rate(learning_rate, decay, iterations);
    let (updates, momentums) = if momentum != 0.0 {
        // NOTE: the book's form: the decayed rate is inside the momentum.
        let momentums = momentums.zip_with(grads, |m, g| momentum * m - lr * g);
        (momentums.clone(), momentums)
    } else {
        // NOTE: without momentum the book keeps none: the arrays come back unchanged.
        (grads.map(|g| -lr * g), momentums.clone())
    };
    Ok(Step {
        layer: layer.plus(&updates),
        state: vec![momentums],
        learning_rate: lr,
        iterations: iterations + 1,
    })
}

/// `cache += g²; w += -lr·g / (sqrt(cache) + epsilon)`
pub fn adagrad_step(
    layer: &Layer,
    grads: &Layer,
    cache: &Layer,
    (iterations, learning_rate, decay): Schedule,
    epsilon: f32,
) -> Result<Step, StageError> {
    check_state(layer, grads, &[(CACHE, cache)])?;
    let lr = current_learning_rate(learning_rate, decay, iterations);
    let cache = cache.zip_with(grads, |c, g| c + g * g);
    // NOTE: epsilon is added OUTSIDE the square root.
    let updates = grads.zip_with(&cache, |g, c| -lr * g / (c.sqrt() + epsilon));
    Ok(Step {
        layer: layer.plus(&updates),
        state: vec![cache],
        learning_rate: lr,
        iterations: iterations + 1,
    })
}

/// `cache = rho·cache + (1 - rho)·g²; w += -lr·g / (sqrt(cache) + epsilon)`
pub fn rmsprop_step(
    layer: &Layer,
    grads: &Layer,
    cache: &Layer,
    (iterations, learning_rate, decay): Schedule,
    epsilon: f32,
    rho: f32,
) -> Result<Step, StageError> {
    check_state(layer, grads, &[(CACHE, cache)])?;
    let lr = current_learning_rate(learning_rate, decay, iterations);
    let cache = cache.zip_with(grads, |c, g| rho * c + (1.0 - rho) * (g * g));
    let updates = grads.zip_with(&cache, |g, c| -lr * g / (c.sqrt() + epsilon));
    Ok(Step {
        layer: layer.plus(&updates),
        state: vec![cache],
        learning_rate: lr,
        iterations: iterations + 1,
    })
}

/// `m = β1·m + (1-β1)·g; v = β2·v + (1-β2)·g²;`
/// `w += -lr·(m / (1 - β1^(t+1))) / (sqrt(v / (1 - β2^(t+1))) + epsilon)`, t = iterations;
/// `state` is `[momentums, cache]`
pub fn adam_step(
    layer: &Layer,
    grads: &Layer,
    state: &[Layer],
    (iterations, learning_rate, decay): Schedule,
    epsilon: f32,
    (beta_1, beta_2): (f32, f32),
) -> Result<Step, StageError> {
    let [momentums, cache] = state else {
        unreachable!("adam keeps momentums and a cache");
    };
    check_state(layer, grads, &[(MOMENTUMS, momentums), (CACHE, cache)])?;
    let lr = current_learning_rate(learning_rate, decay, iterations);
    // NOTE: the bias correction uses the 1-based step count t + 1, and undecayed betas.
    let correction_1 = 1.0 - beta_1.powf((iterations + 1) as f32);
    let correction_2 = 1.0 - beta_2.powf((iterations + 1) as f32);
    let momentums = momentums.zip_with(grads, |m, g| beta_1 * m + (1.0 - beta_1) * g);
    let cache = cache.zip_with(grads, |v, g| beta_2 * v + (1.0 - beta_2) * (g * g));
    // NOTE: epsilon is added to the square root of the CORRECTED cache, outside the root.
    let updates = momentums.zip_with(&cache, |m, v| {
        -lr * (m / correction_1) / ((v / correction_2).sqrt() + epsilon)
    });
    Ok(Step {
        layer: layer.plus(&updates),
        state: vec![momentums, cache],
        learning_rate: lr,
        iterations: iterations + 1,
    })
}

/// `learning_rate / (1 + decay·iterations)`, from the initial rate at every step (never
/// compounded); step 0 uses the initial rate.
fn current_learning_rate(learning_rate: f32, decay: f32, iterations: u64) -> f32 {
    if decay != 0.0 {
        return learning_rate * (1.0 / (1.0 + decay * iterations as f32));
    }
    learning_rate
}

// ---------------------------------------------------------------------------------------------
// Chapter 10: the training loop

/// What `training` records, one entry per step.
#[derive(Debug, Default, PartialEq)]
pub struct Trajectory {
    /// The mean data loss, measured BEFORE the step's update.
    pub loss: Vec<f32>,
    /// The accuracy, measured BEFORE the step's update.
    pub accuracy: Vec<f32>,
    /// The rate the step used.
    pub learning_rate: Vec<f32>,
    /// The parameters AFTER the step's update.
    pub weights1: Vec<Matrix>,
    pub biases1: Vec<Vec<f32>>,
    pub weights2: Vec<Matrix>,
    pub biases2: Vec<Vec<f32>>,
}

/// The book's model, full batch: Dense(K, H) → ReLU → Dense(H, C) → softmax + cross-entropy,
/// `steps` optimizer steps from the given parameters, the optimizer's state starting at zeros.
/// inputs (B×K), y_true, layer1 (K×H, H), layer2 (H×C, C)
pub fn training(
    inputs: &[Vec<f32>],
    y_true: &Labels,
    layer1: Layer,
    layer2: Layer,
    steps: u64,
    (learning_rate, decay): (f32, f32),
    optimizer: Optimizer,
) -> Result<Trajectory, StageError> {
    check_batch("inputs", inputs)?;
    check_layer(("weights1", "biases1"), &layer1.weights, &layer1.biases)?;
    check_layer(("weights2", "biases2"), &layer2.weights, &layer2.biases)?;
    let (k, h) = (inputs[0].len(), layer1.biases.len());
    if layer1.weights.len() != k {
        let why = format!("weights1 has {} rows for {k} inputs", layer1.weights.len());
        return fail(ShapeMismatch, why);
    }
    if layer2.weights.len() != h {
        let why = format!(
            "weights2 has {} rows for {h} hidden units",
            layer2.weights.len()
        );
        return fail(ShapeMismatch, why);
    }
    check_labels(y_true, inputs.len(), layer2.biases.len())?;

    let zeros = |layer: &Layer| vec![layer.map(|_| 0.0); optimizer.state_names().len()];
    let mut states = [zeros(&layer1), zeros(&layer2)];
    let mut layers = [layer1, layer2];
    let mut trajectory = Trajectory::default();
    for step in 0..steps {
        let [layer1, layer2] = &layers;
        let out = forward(
            inputs,
            &layer1.weights,
            &layer1.biases,
            &layer2.weights,
            &layer2.biases,
            y_true,
        )?;
        trajectory.loss.push(out.loss);
        trajectory.accuracy.push(out.accuracy);

        let path = SoftmaxLossPath::Combined;
        let dvalues = softmax_crossentropy_backward(&out.softmax, y_true, path)?;
        let (dweights2, dbiases2, drelu1) = dense_backward(&out.relu1, &layer2.weights, &dvalues)?;
        let ddense1 = relu_backward(&out.dense1, &drelu1)?;
        let (dweights1, dbiases1, _) = dense_backward(inputs, &layer1.weights, &ddense1)?;
        let grads = [(dweights1, dbiases1), (dweights2, dbiases2)];

        // NOTE: both layers step with iterations = step: the count rises once per step.
        let mut rate_used = learning_rate;
        for ((layer, state), (weights, biases)) in layers.iter_mut().zip(&mut states).zip(grads) {
            let grads = Layer { weights, biases };
            let update = optimizer.step(layer, &grads, state, step, learning_rate, decay)?;
            (*layer, *state, rate_used) = (update.layer, update.state, update.learning_rate);
        }
        trajectory.learning_rate.push(rate_used);
        let [layer1, layer2] = &layers;
        trajectory.weights1.push(layer1.weights.clone());
        trajectory.biases1.push(layer1.biases.clone());
        trajectory.weights2.push(layer2.weights.clone());
        trajectory.biases2.push(layer2.biases.clone());
    }
    Ok(trajectory)
}

// ---------------------------------------------------------------------------------------------
// Small helpers

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// `a @ b.T`: every row of `a` dotted with every row of `b`.
fn times_transpose(a: &[Vec<f32>], b: &[Vec<f32>]) -> Matrix {
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

fn zip_rows(a: &[Vec<f32>], b: &[Vec<f32>], f: impl Fn(f32, f32) -> f32) -> Matrix {
    a.iter().zip(b).map(|(x, y)| zip(x, y, &f)).collect()
}

fn map_rows<T: Copy>(rows: &[Vec<T>], f: impl Fn(T) -> f32) -> Matrix {
    rows.iter()
        .map(|row| row.iter().map(|&x| f(x)).collect())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Input checks

/// `rows` has `samples` rows of `width` values.
fn check_shape(
    name: &str,
    rows: &[Vec<f32>],
    samples: usize,
    width: usize,
) -> Result<(), StageError> {
    if rows.len() != samples || rows.iter().any(|row| row.len() != width) {
        let why = format!("{name} must have shape [{samples}, {width}]");
        return fail(ShapeMismatch, why);
    }
    Ok(())
}

/// `rows` has the shape of `like` (not empty, or not ragged: checked before).
fn check_same_shape<T, U>(
    name: &str,
    rows: &[Vec<T>],
    like_name: &str,
    like: &[Vec<U>],
) -> Result<(), StageError> {
    let same = rows.len() == like.len() && rows.iter().zip(like).all(|(r, l)| r.len() == l.len());
    if !same {
        return fail(
            ShapeMismatch,
            format!("{name} must have the shape of {like_name}"),
        );
    }
    Ok(())
}

/// Weights are a matrix (K×N, at least one row) and the biases N values.
fn check_layer(
    (weights_name, biases_name): (&str, &str),
    weights: &[Vec<f32>],
    biases: &[f32],
) -> Result<(), StageError> {
    if weights.is_empty() {
        return fail(
            ShapeMismatch,
            format!("{weights_name} must be a matrix (rank 2)"),
        );
    }
    let n = weights[0].len();
    if biases.len() != n {
        let why = format!(
            "{biases_name} has {} values, {weights_name} has {n} neurons",
            biases.len()
        );
        return fail(ShapeMismatch, why);
    }
    Ok(())
}

/// An optimizer's layer, and its gradients and state arrays of the layer's shapes.
fn check_state(
    layer: &Layer,
    grads: &Layer,
    state: &[((&str, &str), &Layer)],
) -> Result<(), StageError> {
    check_layer(("weights", "biases"), &layer.weights, &layer.biases)?;
    let (k, n) = (layer.weights.len(), layer.biases.len());
    let arrays = [(("dweights", "dbiases"), grads)].into_iter();
    for ((weights_name, biases_name), array) in arrays.chain(state.iter().copied()) {
        check_shape(weights_name, &array.weights, k, n)?;
        if array.biases.len() != n {
            return fail(ShapeMismatch, format!("{biases_name} must have {n} values"));
        }
    }
    Ok(())
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
            weight_l1: 0.5,
            weight_l2: 0.0,
            bias_l1: 0.0,
            bias_l2: 1.0,
        };
        let (loss, dweights, dbiases) =
            regularization(&[vec![0.0, -0.0, -2.0]], &[1.0, 2.0, 3.0], factors).unwrap();
        assert_eq!(loss, 0.5 * 2.0 + 14.0);
        assert_eq!(dweights, vec![vec![0.5, 0.5, -0.5]]);
        assert_eq!(dbiases, vec![2.0, 4.0, 6.0]);
    }

    #[test]
    fn mean_absolute_error_has_no_gradient_where_right() {
        let out = mean_absolute_error(&[vec![1.0, 3.0, 2.0]], &[vec![1.0, 2.0, 4.0]]).unwrap();
        assert_eq!(out.dinputs, vec![vec![0.0, 1.0 / 3.0, -1.0 / 3.0]]);
    }

    #[test]
    fn sgd_without_momentum_leaves_the_momentums_alone() {
        let layer = Layer {
            weights: vec![vec![1.0]],
            biases: vec![1.0],
        };
        let momentums = layer.map(|_| 7.0);
        let step = sgd_step(&layer, &layer, &momentums, (0, 0.5, 0.0), 0.0).unwrap();
        assert_eq!(step.state, vec![momentums]);
        assert_eq!(step.layer, layer.map(|_| 0.5));
        assert_eq!((step.learning_rate, step.iterations), (0.5, 1));
    }

    #[test]
    fn invalid_values_have_their_kind() {
        let ones = vec![vec![1.0, 1.0]];
        let kind = |mask: &[Vec<f64>], rate| dropout(&ones, mask, rate, &ones).unwrap_err().kind;
        assert_eq!(kind(&[vec![1.0, 0.5]], 0.5), InvalidValue);
        assert_eq!(kind(&[vec![1.0, 0.0]], 1.0), InvalidValue);
        assert_eq!(kind(&[vec![1.0, 0.0]], -0.1), InvalidValue);
    }
}
