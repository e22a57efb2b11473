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
//!
//! The book tier (`rng`, `datasets`, `init`, `shuffle`, `chapters`; the suite's docs/BOOK.md) is the same
//! at both dtypes: its functions take integers and return the book's values as `f64`.

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

    /// The labels of some samples, in the same format: a batch's, `y_true[start:end]` in the
    /// book's `Model.train` and `Model.evaluate`. Panics if the range is past the samples, as
    /// slicing does.
    pub fn slice(&self, rows: std::ops::Range<usize>) -> Labels<T> {
        match self {
            Labels::Sparse(classes) => Labels::Sparse(classes[rows].to_vec()),
            Labels::OneHot(one_hot) => Labels::OneHot(one_hot[rows].to_vec()),
        }
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
/// (K×N), biases (N), their gradients, momentums and caches (each of the same shape); and the
/// layer's regularization factors (zeros but in `model_training`'s first layer).
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
    pub regularizers: Regularizers<T>,
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
            regularizers: Regularizers::default(),
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

// ---- The Model's chapters (18 to 22) ---------------------------------------------------------

/// The book's chapter 18 `Model` that `model_training` trains: Dense(K, H) (with its
/// regularizers) → ReLU → Dense(H, C) → softmax, the categorical cross-entropy (the combined
/// backward), `Accuracy_Categorical`, and the optimizer (at iteration 0; the layers' state at
/// zeros).
#[derive(Debug, Clone, PartialEq)]
pub struct Model<T> {
    pub dense1: Dense<T>,
    pub dense2: Dense<T>,
    pub optimizer: Optimizer<T>,
}

/// What `Model.train` prints after each epoch, one entry per epoch: the loss (`data_loss +
/// regularization_loss`), the data loss and accuracy accumulated over the epoch's batches, the
/// regularization loss of the parameters after its last step, the rate that step used, and
/// `Model.evaluate`'s loss and accuracy on the validation data.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Epochs<T> {
    pub loss: Vec<T>,
    pub data_loss: Vec<T>,
    pub regularization_loss: Vec<T>,
    pub accuracy: Vec<T>,
    pub learning_rate: Vec<T>,
    pub validation_loss: Vec<T>,
    pub validation_accuracy: Vec<T>,
}

/// The output activation whose `predictions()` a `predictions` case asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    Softmax,
    Sigmoid,
    Linear,
}

/// What an output activation's `predictions()` returns; the kit checks that its shape is the
/// one the case's activation calls for.
#[derive(Debug, Clone, PartialEq)]
pub enum Predictions<T> {
    /// `Activation_Softmax`: the class of each sample (B), the first maximum winning.
    Classes(Vec<usize>),
    /// `Activation_Sigmoid`: 1 where an output is `> 0.5`, else 0 (B×N).
    Binary(Matrix<usize>),
    /// `Activation_Linear`: the outputs themselves (B×N).
    Values(Matrix<T>),
}

/// A model's parameters as `Model.get_parameters()` returns them and `set_parameters()` takes
/// them: one `(weights, biases)` pair per dense layer, in the model's order.
pub type Parameters<T> = Vec<(Matrix<T>, Vec<T>)>;

// ---- The book tier (docs/BOOK.md): integers in, the book's exact values out, as f64 ----------

/// What one call of `rng` draws from `np.random.seed(seed)`'s stream (kinds 0, 1, 2 on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Draw {
    /// A 32-bit MT19937 output (its value is an integer).
    U32,
    /// `np.random.random_sample()`: a 53-bit double in [0, 1).
    Double,
    /// `np.random.randn()`: the polar Gaussian, its second value cached across calls.
    Randn,
}

/// The `nnfs` package's dataset a `datasets` case asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dataset {
    /// `spiral_data(samples, classes)`: x (samples·classes × 2), y the class of each row.
    Spiral,
    /// `vertical_data(samples, classes)`: as spiral.
    Vertical,
    /// `sine_data(samples)`: x (samples × 1), y one value per row (seed and classes unused).
    Sine,
}

/// `Layer_Dense(n_inputs, n_neurons)`: the shape of one layer's weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayerShape {
    pub n_inputs: usize,
    pub n_neurons: usize,
}

/// The optimizer of the book's chapter 10 script (book defaults for the rest: epsilon 1e-7,
/// rho 0.9, beta_1 0.9, beta_2 0.999).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptimizerKind {
    Sgd,
    Adagrad,
    Rmsprop,
    Adam,
}

/// What a `chapters` case asks the script to print (the first 5 rows of a batch output; the
/// biases as one row).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Printed {
    Dense1Output,
    SoftmaxOutput,
    Loss,
    Accuracy,
    Dweights1,
    Dbiases1,
    Dweights2,
    Dbiases2,
    Weights1,
    Biases1,
    Weights2,
    Biases2,
    /// The rate the epoch line prints after `steps` steps (needs no data or training).
    LearningRate,
}

/// One `chapters` case: the book's chapter 3-10 script. `nnfs.init()`, `np.random.seed(seed)`,
/// `spiral_data(samples, classes)`, `Layer_Dense(2, hidden)`, ReLU, `Layer_Dense(hidden,
/// classes)`, softmax with cross-entropy; `steps` optimizer steps, then one forward and backward
/// pass; the result is what `printed` names. The hyperparameters are the script's Python floats.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Script {
    pub seed: u32,
    pub samples: usize,
    pub classes: usize,
    pub hidden: usize,
    pub steps: usize,
    pub printed: Printed,
    pub optimizer: OptimizerKind,
    pub learning_rate: f64,
    pub decay: f64,
    pub momentum: f64,
}

/// What the script prints: a number (loss, accuracy, learning rate) or rows of numbers.
#[derive(Debug, Clone, PartialEq)]
pub enum Printout {
    Number(f64),
    Rows(Matrix<f64>),
}

impl From<f64> for Printout {
    fn from(x: f64) -> Self {
        Printout::Number(x)
    }
}

impl From<Matrix<f64>> for Printout {
    fn from(rows: Matrix<f64>) -> Self {
        Printout::Rows(rows)
    }
}
