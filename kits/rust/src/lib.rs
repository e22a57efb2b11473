//! nnfs-kit: the nnfs-conformance protocol for a Rust port of Neural Networks from Scratch.
//!
//! The learner writes the network, one plain function per stage, and registers each with one
//! line; the kit owns everything else: the JSON Lines loop, exact numbers, the hello, the input
//! checks (docs/STAGES.md), the shapes of what the learner returns, errors, panics and stdout.
//!
//! ```no_run
//! use nnfs_kit::{Kit, Result};
//!
//! fn neuron(inputs: &[f64], weights: &[f64], bias: f64) -> Result<f64> {
//!     Ok(inputs.iter().zip(weights).map(|(x, w)| x * w).sum::<f64>() + bias)
//! }
//!
//! fn main() {
//!     Kit::<f64>::new("my-port").neuron(neuron).serve()
//! }
//! ```
//!
//! The element type `T` (`f32` or `f64`) is the port's dtype: every input is rounded to it and
//! the hello declares it. Every function receives only well-formed arrays (the kit answers an
//! invalid input itself), returns `Ok(outputs)`, `Err(anything that is an error)` (answered as
//! the kind `exception` with its text) or `Err(unsupported("reason"))` (the case is declined).
//! A panic is caught and answered as `exception` too.

mod json;
mod kit;
mod serve;
mod spec;
#[cfg(test)]
mod tests;

pub use kit::Kit;

/// A rank-2 array: a list of rows, all of one length.
pub type Matrix<T> = Vec<Vec<T>>;

/// What a stage function returns: its outputs, or any error (`?` converts them all).
pub type Result<T, E = Box<dyn std::error::Error>> = std::result::Result<T, E>;

/// The error that declines one case (`{"seq":N,"unsupported":"reason"}`): not applicable, never
/// a pass. `return Err(unsupported("Optimizer_Adam is not written yet"))`.
pub fn unsupported(reason: impl Into<String>) -> Box<dyn std::error::Error> {
    Box::new(Unsupported(reason.into()))
}

/// See [`unsupported`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported(pub String);

impl std::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unsupported {}

/// The element type of a port: `f32` (dtype `float32`) or `f64` (dtype `float64`).
pub trait Float: Copy + Default + PartialOrd + std::fmt::Debug + 'static + sealed::Sealed {
    /// The dtype the hello declares.
    const DTYPE: &'static str;
    /// The input as sent (the nearest f64), rounded to this type.
    fn from_f64(x: f64) -> Self;
    /// Exact: an f32 widens to the f64 of the same value.
    fn to_f64(self) -> f64;
}

impl Float for f32 {
    const DTYPE: &'static str = "float32";
    fn from_f64(x: f64) -> Self {
        x as f32
    }
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
}

impl Float for f64 {
    const DTYPE: &'static str = "float64";
    fn from_f64(x: f64) -> Self {
        x
    }
    fn to_f64(self) -> f64 {
        self
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

/// `y_true` as the book's losses accept it: class indices (`sparse`) or one-hot rows (`onehot`).
/// The kit has checked them: `samples` labels in `[0, classes)`, or rows of one 1 among 0s.
#[derive(Debug, Clone, PartialEq)]
pub enum Labels<T> {
    Sparse(Vec<usize>),
    OneHot(Matrix<T>),
}

impl<T: Float> Labels<T> {
    /// The class of each sample: the sparse labels, or where each one-hot row holds its 1
    /// (the book's `np.argmax(y_true, axis=1)`).
    pub fn classes(&self) -> Vec<usize> {
        match self {
            Labels::Sparse(classes) => classes.clone(),
            Labels::OneHot(rows) => rows
                .iter()
                .map(|row| row.iter().position(|&y| y.to_f64() == 1.0).unwrap_or(0))
                .collect(),
        }
    }

    /// The number of samples.
    pub fn len(&self) -> usize {
        match self {
            Labels::Sparse(classes) => classes.len(),
            Labels::OneHot(rows) => rows.len(),
        }
    }

    /// Never true: the kit answers an empty batch itself.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What `forward` returns: the book's chapter 5 network, every intermediate by name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Forward<T> {
    pub dense1: Matrix<T>,
    pub relu1: Matrix<T>,
    pub dense2: Matrix<T>,
    pub softmax: Matrix<T>,
    pub sample_losses: Vec<T>,
    pub loss: T,
    pub predictions: Vec<usize>,
    pub accuracy: T,
}

/// How `softmax_crossentropy_backward` is asked to compute (the same number either way).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SoftmaxLossPath {
    /// `Activation_Softmax_Loss_CategoricalCrossentropy.backward`: `(y_pred - y_true) / B`.
    Combined,
    /// `Loss_CategoricalCrossentropy.backward`, then `Activation_Softmax.backward`.
    Separate,
}

/// The four factors of `Layer_Dense(n_inputs, n_neurons, weight_regularizer_l1=..., ...)`,
/// each `>= 0` (checked by the kit).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Regularizers<T> {
    pub weight_regularizer_l1: T,
    pub weight_regularizer_l2: T,
    pub bias_regularizer_l1: T,
    pub bias_regularizer_l2: T,
}

/// The arrays the book keeps on a `Layer_Dense` and its optimizers read and update: weights
/// (K×N), biases (N), their gradients, momentums and caches (each of the same shape).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dense<T> {
    pub weights: Matrix<T>,
    pub biases: Vec<T>,
    pub dweights: Matrix<T>,
    pub dbiases: Vec<T>,
    pub weight_momentums: Matrix<T>,
    pub bias_momentums: Vec<T>,
    pub weight_cache: Matrix<T>,
    pub bias_cache: Vec<T>,
}

impl<T: Float> Dense<T> {
    /// A layer with these weights and biases, every other array zeros of their shape.
    pub fn new(weights: Matrix<T>, biases: Vec<T>) -> Self {
        let zero_weights = vec![vec![T::default(); biases.len()]; weights.len()];
        let zero_biases = vec![T::default(); biases.len()];
        Dense {
            dweights: zero_weights.clone(),
            dbiases: zero_biases.clone(),
            weight_momentums: zero_weights.clone(),
            bias_momentums: zero_biases.clone(),
            weight_cache: zero_weights,
            bias_cache: zero_biases,
            weights,
            biases,
        }
    }
}

/// `Optimizer_SGD(learning_rate, decay, momentum)` after `iterations` steps.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct OptimizerSgd<T> {
    pub learning_rate: T,
    pub current_learning_rate: T,
    pub decay: T,
    pub iterations: u64,
    pub momentum: T,
}

/// `Optimizer_Adagrad(learning_rate, decay, epsilon)` after `iterations` steps.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct OptimizerAdagrad<T> {
    pub learning_rate: T,
    pub current_learning_rate: T,
    pub decay: T,
    pub iterations: u64,
    pub epsilon: T,
}

/// `Optimizer_RMSprop(learning_rate, decay, epsilon, rho)` after `iterations` steps.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct OptimizerRmsprop<T> {
    pub learning_rate: T,
    pub current_learning_rate: T,
    pub decay: T,
    pub iterations: u64,
    pub epsilon: T,
    pub rho: T,
}

/// `Optimizer_Adam(learning_rate, decay, epsilon, beta_1, beta_2)` after `iterations` steps.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct OptimizerAdam<T> {
    pub learning_rate: T,
    pub current_learning_rate: T,
    pub decay: T,
    pub iterations: u64,
    pub epsilon: T,
    pub beta_1: T,
    pub beta_2: T,
}

/// The optimizer a `training` case names, built with its hyperparameters, `iterations` 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Optimizer<T> {
    Sgd(OptimizerSgd<T>),
    Adagrad(OptimizerAdagrad<T>),
    Rmsprop(OptimizerRmsprop<T>),
    Adam(OptimizerAdam<T>),
}

/// What `training` records, one entry per step: `loss` and `accuracy` measured BEFORE the
/// step's update, the rate the step used, and the parameters AFTER the update.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Trajectory<T> {
    pub loss: Vec<T>,
    pub accuracy: Vec<T>,
    pub learning_rate: Vec<T>,
    pub weights1: Vec<Matrix<T>>,
    pub biases1: Vec<Vec<T>>,
    pub weights2: Vec<Matrix<T>>,
    pub biases2: Vec<Vec<T>>,
}
