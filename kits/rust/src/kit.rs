//! The learner's side: `Kit::<f32>::new("name")`, then one line per stage, then `.serve()`.
//!
//! Each method takes the learner's function with the stage's typed signature (the book's
//! arguments in the order of docs/STAGES.md, natural Rust types) and wraps it in an adapter that
//! reads the checked inputs and names the outputs. A stage is declared in the hello exactly when
//! its method was called: the builder is the list of what the learner implemented.

use crate::json::Encode;
use crate::spec::{Args, Stage};
use crate::{
    Activation, Dataset, Dense, Draw, Epochs, Float, Forward, Labels, LayerShape, Matrix, Model,
    Optimizer, OptimizerAdagrad, OptimizerAdam, OptimizerKind, OptimizerRmsprop, OptimizerSgd,
    Parameters, Predictions, Printed, Printout, Regularizers, Result, Script, SoftmaxLossPath,
    Trajectory,
};
use serde_json::Value;
use std::error::Error;
use std::fs::File;

/// The outputs of one case, by name.
pub(crate) type Outputs = Vec<(&'static str, Value)>;
/// A stage's adapter: the learner's function behind the checked inputs.
pub(crate) type Handler<T> = Box<dyn Fn(&mut Args<T>) -> Result<Outputs>>;

macro_rules! outputs {
    ($($name:literal => $value:expr),* $(,)?) => {
        Ok(vec![$(($name, $value.encode())),*])
    };
}

/// A port under construction: its name, its dtype `T` (`f32` or `f64`), its stages.
pub struct Kit<T: Float> {
    pub(crate) name: String,
    pub(crate) version: Option<String>,
    pub(crate) handlers: Vec<(Stage, Handler<T>)>,
    /// The real stdin and stdout, kept for the protocol (None in tests).
    pub(crate) wire: Option<(File, File)>,
}

impl<T: Float> Kit<T> {
    /// A port named `name` (shown in reports, e.g. "rust-float32"), of dtype `T`. From here on
    /// whatever the program prints on stdout goes to stderr, and its stdin reads end of file:
    /// the protocol keeps both for itself.
    pub fn new(name: impl Into<String>) -> Self {
        let mut kit = Self::unguarded(name);
        kit.wire = crate::serve::guard();
        kit
    }

    pub(crate) fn unguarded(name: impl Into<String>) -> Self {
        Kit {
            name: name.into(),
            version: None,
            handlers: Vec::new(),
            wire: None,
        }
    }

    /// The port's version, shown in reports (optional).
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.version = Some(version.into());
        self
    }

    fn with(
        mut self,
        stage: Stage,
        handler: impl Fn(&mut Args<T>) -> Result<Outputs> + 'static,
    ) -> Self {
        self.handlers.retain(|(s, _)| *s != stage);
        self.handlers.push((stage, Box::new(handler)));
        self.handlers.sort_by_key(|(s, _)| *s);
        self
    }

    // ---- Chapters 1 to 5 -----------------------------------------------------------------

    /// `neuron(inputs (K), weights (K), bias) -> output`
    pub fn neuron<E: Into<Box<dyn Error>>>(
        self,
        f: impl Fn(&[T], &[T], T) -> Result<T, E> + 'static,
    ) -> Self {
        self.with(Stage::Neuron, move |a| {
            let output = f(&a.vector("inputs"), &a.vector("weights"), a.number("bias"))
                .map_err(Into::into)?;
            outputs!["output" => output]
        })
    }

    /// `layer(inputs (K), weights (N×K, one row per neuron), biases (N)) -> output (N)`
    pub fn layer<E: Into<Box<dyn Error>>>(
        self,
        f: impl Fn(&[T], &[Vec<T>], &[T]) -> Result<Vec<T>, E> + 'static,
    ) -> Self {
        self.with(Stage::Layer, move |a| {
            let output = f(
                &a.vector("inputs"),
                &a.matrix("weights"),
                &a.vector("biases"),
            )
            .map_err(Into::into)?;
            outputs!["output" => output]
        })
    }

    /// `dense_batch(inputs (B×K), weights (K×N, Layer_Dense's), biases (N)) -> output (B×N)`;
    /// the kit transposes the weights of a `neurons_inputs` case.
    pub fn dense_batch<E: Into<Box<dyn Error>>>(
        self,
        f: impl Fn(&[Vec<T>], &[Vec<T>], &[T]) -> Result<Matrix<T>, E> + 'static,
    ) -> Self {
        self.with(Stage::DenseBatch, move |a| {
            let output = f(
                &a.matrix("inputs"),
                &a.matrix("weights"),
                &a.vector("biases"),
            )
            .map_err(Into::into)?;
            outputs!["output" => output]
        })
    }

    /// `relu(inputs (rows)) -> output (rows)`: a rank-1 input comes as one row.
    pub fn relu<E: Into<Box<dyn Error>>>(
        self,
        f: impl Fn(&[Vec<T>]) -> Result<Matrix<T>, E> + 'static,
    ) -> Self {
        self.with(Stage::Relu, move |a| {
            let (inputs, rank1) = a.rows("inputs");
            let output = f(&inputs).map_err(Into::into)?;
            Ok(vec![("output", unrows(output, rank1))])
        })
    }

    /// `dense_relu(inputs (B×K), weights (K×N), biases (N)) -> (dense (B×N), relu (B×N))`:
    /// chapter 4's first chain, a `Layer_Dense` then ReLU of its output.
    #[allow(clippy::type_complexity)]
    pub fn dense_relu<E: Into<Box<dyn Error>>>(
        self,
        f: impl Fn(&[Vec<T>], &[Vec<T>], &[T]) -> Result<(Matrix<T>, Matrix<T>), E> + 'static,
    ) -> Self {
        self.with(Stage::DenseRelu, move |a| {
            let (inputs, weights, biases) =
                (a.matrix("inputs"), a.matrix("weights"), a.vector("biases"));
            let (dense, relu) = f(&inputs, &weights, &biases).map_err(Into::into)?;
            outputs!["dense" => dense, "relu" => relu]
        })
    }

    /// `softmax(inputs (B×C)) -> output (B×C)`
    pub fn softmax<E: Into<Box<dyn Error>>>(
        self,
        f: impl Fn(&[Vec<T>]) -> Result<Matrix<T>, E> + 'static,
    ) -> Self {
        self.with(Stage::Softmax, move |a| {
            let output = f(&a.matrix("inputs")).map_err(Into::into)?;
            outputs!["output" => output]
        })
    }

    /// `dense_relu_dense_softmax(inputs (B×K), weights1 (K×H), biases1 (H), weights2 (H×C),`
    /// `biases2 (C)) -> (dense1 (B×H), relu1 (B×H), dense2 (B×C), softmax (B×C))`: chapter 4's
    /// network before the loss exists.
    #[allow(clippy::type_complexity)]
    pub fn dense_relu_dense_softmax<E: Into<Box<dyn Error>>>(
        self,
        f: impl Fn(
                &[Vec<T>],
                &[Vec<T>],
                &[T],
                &[Vec<T>],
                &[T],
            ) -> Result<(Matrix<T>, Matrix<T>, Matrix<T>, Matrix<T>), E>
            + 'static,
    ) -> Self {
        self.with(Stage::DenseReluDenseSoftmax, move |a| {
            let (inputs, [(weights1, biases1), (weights2, biases2)]) = layers(a);
            let (dense1, relu1, dense2, softmax) =
                f(&inputs, &weights1, &biases1, &weights2, &biases2).map_err(Into::into)?;
            outputs![
                "dense1" => dense1,
                "relu1" => relu1,
                "dense2" => dense2,
                "softmax" => softmax,
            ]
        })
    }

    /// `categorical_crossentropy(y_pred (B×C), y_true) -> (sample_losses (B), loss)`
    pub fn categorical_crossentropy<E: Into<Box<dyn Error>>>(
        self,
        f: impl Fn(&[Vec<T>], &Labels<T>) -> Result<(Vec<T>, T), E> + 'static,
    ) -> Self {
        self.with(Stage::CategoricalCrossentropy, move |a| {
            let (sample_losses, loss) =
                f(&a.matrix("y_pred"), &a.labels("y_true")).map_err(Into::into)?;
            outputs!["sample_losses" => sample_losses, "loss" => loss]
        })
    }

    /// `accuracy(y_pred (B×C), y_true) -> (predictions (B), accuracy)`
    pub fn accuracy<E: Into<Box<dyn Error>>>(
        self,
        f: impl Fn(&[Vec<T>], &Labels<T>) -> Result<(Vec<usize>, T), E> + 'static,
    ) -> Self {
        self.with(Stage::Accuracy, move |a| {
            let (predictions, accuracy) =
                f(&a.matrix("y_pred"), &a.labels("y_true")).map_err(Into::into)?;
            outputs!["predictions" => predictions, "accuracy" => accuracy]
        })
    }

    /// `forward(inputs (B×K), weights1 (K×H), biases1 (H), weights2 (H×C), biases2 (C), y_true)`
    /// `-> Forward`: the book's chapter 5 network, every intermediate by name.
    #[allow(clippy::type_complexity)]
    pub fn forward<E: Into<Box<dyn Error>>>(
        self,
        f: impl Fn(&[Vec<T>], &[Vec<T>], &[T], &[Vec<T>], &[T], &Labels<T>) -> Result<Forward<T>, E>
            + 'static,
    ) -> Self {
        self.with(Stage::Forward, move |a| {
            let (inputs, weights1, biases1) = (
                a.matrix("inputs"),
                a.matrix("weights1"),
                a.vector("biases1"),
            );
            let (weights2, biases2, y_true) = (
                a.matrix("weights2"),
                a.vector("biases2"),
                a.labels("y_true"),
            );
            let out = f(&inputs, &weights1, &biases1, &weights2, &biases2, &y_true)
                .map_err(Into::into)?;
            outputs![
                "dense1" => out.dense1,
                "relu1" => out.relu1,
                "dense2" => out.dense2,
                "softmax" => out.softmax,
                "sample_losses" => out.sample_losses,
                "loss" => out.loss,
                "predictions" => out.predictions,
                "accuracy" => out.accuracy,
            ]
        })
    }

    // ---- Chapters 9 to 17 ----------------------------------------------------------------

    /// `dense_backward(inputs (B×K), weights (K×N), dvalues (B×N))`
    /// `-> (dweights (K×N), dbiases (N), dinputs (B×K))`
    #[allow(clippy::type_complexity)]
    pub fn dense_backward<E: Into<Box<dyn Error>>>(
        self,
        f: impl Fn(&[Vec<T>], &[Vec<T>], &[Vec<T>]) -> Result<(Matrix<T>, Vec<T>, Matrix<T>), E>
            + 'static,
    ) -> Self {
        self.with(Stage::DenseBackward, move |a| {
            let (inputs, weights, dvalues) =
                (a.matrix("inputs"), a.matrix("weights"), a.matrix("dvalues"));
            let (dweights, dbiases, dinputs) =
                f(&inputs, &weights, &dvalues).map_err(Into::into)?;
            outputs!["dweights" => dweights, "dbiases" => dbiases, "dinputs" => dinputs]
        })
    }

    /// `relu_backward(inputs (rows: the forward inputs), dvalues (rows)) -> dinputs (rows)`:
    /// a rank-1 case comes as one row.
    pub fn relu_backward<E: Into<Box<dyn Error>>>(
        self,
        f: impl Fn(&[Vec<T>], &[Vec<T>]) -> Result<Matrix<T>, E> + 'static,
    ) -> Self {
        self.with(Stage::ReluBackward, move |a| {
            let ((inputs, rank1), (dvalues, _)) = (a.rows("inputs"), a.rows("dvalues"));
            let dinputs = f(&inputs, &dvalues).map_err(Into::into)?;
            Ok(vec![("dinputs", unrows(dinputs, rank1))])
        })
    }

    /// `repeated_forward(inputs1 (B×K), inputs2 (D×K), weights (K×N), biases (N), dvalues (D×N))`
    /// `-> (output1 (B×N), output2 (D×N), dweights (K×N), dbiases (N), dinputs (D×K))`: one
    /// `Layer_Dense` and one `Activation_ReLU` called on the first batch, then the second, then
    /// `backward(dvalues)`; what follows the second call comes from the second batch alone.
    #[allow(clippy::type_complexity)]
    pub fn repeated_forward<E: Into<Box<dyn Error>>>(
        self,
        f: impl Fn(
                &[Vec<T>],
                &[Vec<T>],
                &[Vec<T>],
                &[T],
                &[Vec<T>],
            ) -> Result<(Matrix<T>, Matrix<T>, Matrix<T>, Vec<T>, Matrix<T>), E>
            + 'static,
    ) -> Self {
        self.with(Stage::RepeatedForward, move |a| {
            let (inputs1, inputs2) = (a.matrix("inputs1"), a.matrix("inputs2"));
            let (weights, biases, dvalues) =
                (a.matrix("weights"), a.vector("biases"), a.matrix("dvalues"));
            let (output1, output2, dweights, dbiases, dinputs) =
                f(&inputs1, &inputs2, &weights, &biases, &dvalues).map_err(Into::into)?;
            outputs![
                "output1" => output1,
                "output2" => output2,
                "dweights" => dweights,
                "dbiases" => dbiases,
                "dinputs" => dinputs,
            ]
        })
    }

    /// `softmax_backward(output (B×C: the softmax's forward output), dvalues (B×C)) -> dinputs`
    pub fn softmax_backward<E: Into<Box<dyn Error>>>(
        self,
        f: impl Fn(&[Vec<T>], &[Vec<T>]) -> Result<Matrix<T>, E> + 'static,
    ) -> Self {
        self.with(Stage::SoftmaxBackward, move |a| {
            let dinputs = f(&a.matrix("output"), &a.matrix("dvalues")).map_err(Into::into)?;
            outputs!["dinputs" => dinputs]
        })
    }

    /// `categorical_crossentropy_backward(y_pred (B×C), y_true) -> dinputs (B×C)`
    pub fn categorical_crossentropy_backward<E: Into<Box<dyn Error>>>(
        self,
        f: impl Fn(&[Vec<T>], &Labels<T>) -> Result<Matrix<T>, E> + 'static,
    ) -> Self {
        self.with(Stage::CategoricalCrossentropyBackward, move |a| {
            let dinputs = f(&a.matrix("y_pred"), &a.labels("y_true")).map_err(Into::into)?;
            outputs!["dinputs" => dinputs]
        })
    }

    /// `softmax_crossentropy_backward(y_pred (B×C: softmax outputs), y_true, path) -> dinputs`
    pub fn softmax_crossentropy_backward<E: Into<Box<dyn Error>>>(
        self,
        f: impl Fn(&[Vec<T>], &Labels<T>, SoftmaxLossPath) -> Result<Matrix<T>, E> + 'static,
    ) -> Self {
        self.with(Stage::SoftmaxCrossentropyBackward, move |a| {
            let path = match a.param("path") {
                "separate" => SoftmaxLossPath::Separate,
                _ => SoftmaxLossPath::Combined,
            };
            let dinputs = f(&a.matrix("y_pred"), &a.labels("y_true"), path).map_err(Into::into)?;
            outputs!["dinputs" => dinputs]
        })
    }

    /// `regularization(weights (K×N), biases (N), factors) -> (loss, dweights, dbiases)`
    #[allow(clippy::type_complexity)]
    pub fn regularization<E: Into<Box<dyn Error>>>(
        self,
        f: impl Fn(&[Vec<T>], &[T], Regularizers<T>) -> Result<(T, Matrix<T>, Vec<T>), E> + 'static,
    ) -> Self {
        self.with(Stage::Regularization, move |a| {
            let (weights, biases) = (a.matrix("weights"), a.vector("biases"));
            let factors = Regularizers {
                weight_regularizer_l1: a.number("weight_regularizer_l1"),
                weight_regularizer_l2: a.number("weight_regularizer_l2"),
                bias_regularizer_l1: a.number("bias_regularizer_l1"),
                bias_regularizer_l2: a.number("bias_regularizer_l2"),
            };
            let (loss, dweights, dbiases) = f(&weights, &biases, factors).map_err(Into::into)?;
            outputs!["loss" => loss, "dweights" => dweights, "dbiases" => dbiases]
        })
    }

    /// `dropout(inputs (B×N), mask (B×N of 0 and 1), rate (the drop rate), dvalues (B×N))`
    /// `-> (output, dinputs)`
    #[allow(clippy::type_complexity)]
    pub fn dropout<E: Into<Box<dyn Error>>>(
        self,
        f: impl Fn(&[Vec<T>], &[Vec<T>], T, &[Vec<T>]) -> Result<(Matrix<T>, Matrix<T>), E> + 'static,
    ) -> Self {
        self.with(Stage::Dropout, move |a| {
            let (inputs, mask, rate) = (a.matrix("inputs"), a.matrix("mask"), a.number("rate"));
            let (output, dinputs) =
                f(&inputs, &mask, rate, &a.matrix("dvalues")).map_err(Into::into)?;
            outputs!["output" => output, "dinputs" => dinputs]
        })
    }

    /// `sigmoid(inputs (B×N), dvalues (B×N)) -> (output, dinputs)`
    #[allow(clippy::type_complexity)]
    pub fn sigmoid<E: Into<Box<dyn Error>>>(
        self,
        f: impl Fn(&[Vec<T>], &[Vec<T>]) -> Result<(Matrix<T>, Matrix<T>), E> + 'static,
    ) -> Self {
        self.with(Stage::Sigmoid, move |a| {
            let (output, dinputs) =
                f(&a.matrix("inputs"), &a.matrix("dvalues")).map_err(Into::into)?;
            outputs!["output" => output, "dinputs" => dinputs]
        })
    }

    /// `binary_crossentropy(y_pred (B×O), y_true (B×O of 0 and 1)) -> (sample_losses, loss, dinputs)`
    #[allow(clippy::type_complexity)]
    pub fn binary_crossentropy<E: Into<Box<dyn Error>>>(
        self,
        f: impl Fn(&[Vec<T>], &[Vec<T>]) -> Result<(Vec<T>, T, Matrix<T>), E> + 'static,
    ) -> Self {
        self.with(Stage::BinaryCrossentropy, loss_adapter(f))
    }

    /// `binary_accuracy(y_pred (B×O), y_true (B×O of 0 and 1)) -> (predictions (B×O of 0 and 1),`
    /// `accuracy)`: `y_pred > 0.5` is class 1, and every output counts.
    #[allow(clippy::type_complexity)]
    pub fn binary_accuracy<E: Into<Box<dyn Error>>>(
        self,
        f: impl Fn(&[Vec<T>], &[Vec<T>]) -> Result<(Matrix<usize>, T), E> + 'static,
    ) -> Self {
        self.with(Stage::BinaryAccuracy, move |a| {
            let (predictions, accuracy) =
                f(&a.matrix("y_pred"), &a.matrix("y_true")).map_err(Into::into)?;
            outputs!["predictions" => predictions, "accuracy" => accuracy]
        })
    }

    /// `linear(inputs (B×N), dvalues (B×N)) -> (output, dinputs)`: `Activation_Linear`.
    #[allow(clippy::type_complexity)]
    pub fn linear<E: Into<Box<dyn Error>>>(
        self,
        f: impl Fn(&[Vec<T>], &[Vec<T>]) -> Result<(Matrix<T>, Matrix<T>), E> + 'static,
    ) -> Self {
        self.with(Stage::Linear, move |a| {
            let (output, dinputs) =
                f(&a.matrix("inputs"), &a.matrix("dvalues")).map_err(Into::into)?;
            outputs!["output" => output, "dinputs" => dinputs]
        })
    }

    /// `mean_squared_error(y_pred (B×O), y_true (B×O)) -> (sample_losses, loss, dinputs)`
    #[allow(clippy::type_complexity)]
    pub fn mean_squared_error<E: Into<Box<dyn Error>>>(
        self,
        f: impl Fn(&[Vec<T>], &[Vec<T>]) -> Result<(Vec<T>, T, Matrix<T>), E> + 'static,
    ) -> Self {
        self.with(Stage::MeanSquaredError, loss_adapter(f))
    }

    /// `mean_absolute_error(y_pred (B×O), y_true (B×O)) -> (sample_losses, loss, dinputs)`
    #[allow(clippy::type_complexity)]
    pub fn mean_absolute_error<E: Into<Box<dyn Error>>>(
        self,
        f: impl Fn(&[Vec<T>], &[Vec<T>]) -> Result<(Vec<T>, T, Matrix<T>), E> + 'static,
    ) -> Self {
        self.with(Stage::MeanAbsoluteError, loss_adapter(f))
    }

    /// `regression_accuracy(y_pred (B×O), y_true (B×O), precision (>= 0)) -> accuracy`:
    /// `Accuracy_Regression`, the share of outputs strictly within `precision` of their target.
    pub fn regression_accuracy<E: Into<Box<dyn Error>>>(
        self,
        f: impl Fn(&[Vec<T>], &[Vec<T>], T) -> Result<T, E> + 'static,
    ) -> Self {
        self.with(Stage::RegressionAccuracy, move |a| {
            let (y_pred, y_true) = (a.matrix("y_pred"), a.matrix("y_true"));
            let accuracy = f(&y_pred, &y_true, a.number("precision")).map_err(Into::into)?;
            outputs!["accuracy" => accuracy]
        })
    }

    // ---- The optimizers: one step, as pre_update_params, update_params, post_update_params ----

    /// `sgd_step(optimizer, layer)`: updates `layer.weights`, `biases` and the momentums from
    /// `dweights`, `dbiases`; sets `current_learning_rate` and adds 1 to `iterations`.
    pub fn sgd_step<E: Into<Box<dyn Error>>>(
        self,
        f: impl Fn(&mut OptimizerSgd<T>, &mut Dense<T>) -> Result<(), E> + 'static,
    ) -> Self {
        self.with(Stage::SgdStep, move |a| {
            let mut layer = dense(a, true, false);
            let (learning_rate, decay, iterations) = schedule(a);
            let momentum = a.number("momentum");
            let current_learning_rate = learning_rate;
            let mut optimizer = OptimizerSgd {
                learning_rate,
                current_learning_rate,
                decay,
                iterations,
                momentum,
            };
            f(&mut optimizer, &mut layer).map_err(Into::into)?;
            outputs![
                "weights" => layer.weights,
                "biases" => layer.biases,
                "weight_momentums" => layer.weight_momentums,
                "bias_momentums" => layer.bias_momentums,
                "learning_rate" => optimizer.current_learning_rate,
                "iterations" => optimizer.iterations,
            ]
        })
    }

    /// `adagrad_step(optimizer, layer)`: as `sgd_step`, with the caches.
    pub fn adagrad_step<E: Into<Box<dyn Error>>>(
        self,
        f: impl Fn(&mut OptimizerAdagrad<T>, &mut Dense<T>) -> Result<(), E> + 'static,
    ) -> Self {
        self.with(Stage::AdagradStep, move |a| {
            let mut layer = dense(a, false, true);
            let (learning_rate, decay, iterations) = schedule(a);
            let epsilon = a.number("epsilon");
            let current_learning_rate = learning_rate;
            let mut optimizer = OptimizerAdagrad {
                learning_rate,
                current_learning_rate,
                decay,
                iterations,
                epsilon,
            };
            f(&mut optimizer, &mut layer).map_err(Into::into)?;
            outputs![
                "weights" => layer.weights,
                "biases" => layer.biases,
                "weight_cache" => layer.weight_cache,
                "bias_cache" => layer.bias_cache,
                "learning_rate" => optimizer.current_learning_rate,
                "iterations" => optimizer.iterations,
            ]
        })
    }

    /// `rmsprop_step(optimizer, layer)`: as `sgd_step`, with the caches.
    pub fn rmsprop_step<E: Into<Box<dyn Error>>>(
        self,
        f: impl Fn(&mut OptimizerRmsprop<T>, &mut Dense<T>) -> Result<(), E> + 'static,
    ) -> Self {
        self.with(Stage::RmspropStep, move |a| {
            let mut layer = dense(a, false, true);
            let (learning_rate, decay, iterations) = schedule(a);
            let (epsilon, rho) = (a.number("epsilon"), a.number("rho"));
            let current_learning_rate = learning_rate;
            let mut optimizer = OptimizerRmsprop {
                learning_rate,
                current_learning_rate,
                decay,
                iterations,
                epsilon,
                rho,
            };
            f(&mut optimizer, &mut layer).map_err(Into::into)?;
            outputs![
                "weights" => layer.weights,
                "biases" => layer.biases,
                "weight_cache" => layer.weight_cache,
                "bias_cache" => layer.bias_cache,
                "learning_rate" => optimizer.current_learning_rate,
                "iterations" => optimizer.iterations,
            ]
        })
    }

    /// `adam_step(optimizer, layer)`: as `sgd_step`, with the momentums and the caches.
    pub fn adam_step<E: Into<Box<dyn Error>>>(
        self,
        f: impl Fn(&mut OptimizerAdam<T>, &mut Dense<T>) -> Result<(), E> + 'static,
    ) -> Self {
        self.with(Stage::AdamStep, move |a| {
            let mut layer = dense(a, true, true);
            let (learning_rate, decay, iterations) = schedule(a);
            let (epsilon, beta_1, beta_2) =
                (a.number("epsilon"), a.number("beta_1"), a.number("beta_2"));
            let current_learning_rate = learning_rate;
            let mut optimizer = OptimizerAdam {
                learning_rate,
                current_learning_rate,
                decay,
                iterations,
                epsilon,
                beta_1,
                beta_2,
            };
            f(&mut optimizer, &mut layer).map_err(Into::into)?;
            outputs![
                "weights" => layer.weights,
                "biases" => layer.biases,
                "weight_momentums" => layer.weight_momentums,
                "bias_momentums" => layer.bias_momentums,
                "weight_cache" => layer.weight_cache,
                "bias_cache" => layer.bias_cache,
                "learning_rate" => optimizer.current_learning_rate,
                "iterations" => optimizer.iterations,
            ]
        })
    }

    /// `shared_optimizer(optimizer, dense1, dense2, steps)`: one `Optimizer_Adam` for two layers,
    /// `steps` times `pre_update_params`, `update_params` of each layer, `post_update_params`,
    /// with the same gradients each step (`dweights`, `dbiases` of each layer). Each layer's
    /// momentums and caches start at zeros, the optimizer at iteration 0; the kit answers the
    /// layers' weights and biases after the last step.
    pub fn shared_optimizer<E: Into<Box<dyn Error>>>(
        self,
        f: impl Fn(&mut OptimizerAdam<T>, &mut Dense<T>, &mut Dense<T>, u64) -> Result<(), E> + 'static,
    ) -> Self {
        self.with(Stage::SharedOptimizer, move |a| {
            let mut dense1 = Dense::new(a.matrix("weights1"), a.vector("biases1"));
            let mut dense2 = Dense::new(a.matrix("weights2"), a.vector("biases2"));
            (dense1.dweights, dense1.dbiases) = (a.matrix("dweights1"), a.vector("dbiases1"));
            (dense2.dweights, dense2.dbiases) = (a.matrix("dweights2"), a.vector("dbiases2"));
            let steps = a.count("steps");
            let (learning_rate, decay) = (a.number("learning_rate"), a.number("decay"));
            let (epsilon, beta_1, beta_2) =
                (a.number("epsilon"), a.number("beta_1"), a.number("beta_2"));
            let mut optimizer = OptimizerAdam {
                learning_rate,
                current_learning_rate: learning_rate,
                decay,
                iterations: 0,
                epsilon,
                beta_1,
                beta_2,
            };
            f(&mut optimizer, &mut dense1, &mut dense2, steps).map_err(Into::into)?;
            outputs![
                "weights1" => dense1.weights,
                "biases1" => dense1.biases,
                "weights2" => dense2.weights,
                "biases2" => dense2.biases,
            ]
        })
    }

    /// `training(inputs (B×K), y_true, dense1 (K×H), dense2 (H×C), optimizer, steps) -> Trajectory`:
    /// the layers' gradients and optimizer state start at zeros, the optimizer at iteration 0.
    #[allow(clippy::type_complexity)]
    pub fn training<E: Into<Box<dyn Error>>>(
        self,
        f: impl Fn(
                &[Vec<T>],
                &Labels<T>,
                Dense<T>,
                Dense<T>,
                Optimizer<T>,
                u64,
            ) -> Result<Trajectory<T>, E>
            + 'static,
    ) -> Self {
        self.with(Stage::Training, move |a| {
            let (inputs, y_true) = (a.matrix("inputs"), a.labels("y_true"));
            let dense1 = Dense::new(a.matrix("weights1"), a.vector("biases1"));
            let dense2 = Dense::new(a.matrix("weights2"), a.vector("biases2"));
            let steps = a.count("steps");
            let optimizer = optimizer(a);
            let t = f(&inputs, &y_true, dense1, dense2, optimizer, steps).map_err(Into::into)?;
            outputs![
                "loss" => t.loss,
                "accuracy" => t.accuracy,
                "learning_rate" => t.learning_rate,
                "weights1" => t.weights1,
                "biases1" => t.biases1,
                "weights2" => t.weights2,
                "biases2" => t.biases2,
            ]
        })
    }
}

impl<T: Float> Kit<T> {
    // ---- The Model's chapters (18 to 22) ----------------------------------------------------

    /// `model_training(model, inputs (B×K), y_true, epochs, batch_size, (validation_inputs (M×K),`
    /// `validation_y_true)) -> Epochs`: the book's `model.train(X, y, epochs=E, batch_size=S,`
    /// `validation_data=(X_val, y_val))`. The model is trained in place (the kit answers its
    /// parameters after the last epoch); the function returns what each epoch prints. Its first
    /// layer carries the regularizers; the optimizer starts at iteration 0, every state at zeros.
    #[allow(clippy::type_complexity)]
    pub fn model_training<E: Into<Box<dyn Error>>>(
        self,
        f: impl Fn(
                &mut Model<T>,
                &[Vec<T>],
                &Labels<T>,
                u64,
                usize,
                (&[Vec<T>], &Labels<T>),
            ) -> Result<Epochs<T>, E>
            + 'static,
    ) -> Self {
        self.with(Stage::ModelTraining, move |a| {
            let (inputs, [(weights1, biases1), (weights2, biases2)]) = layers(a);
            let (y_true, validation_inputs, validation_y_true) = (
                a.labels("y_true"),
                a.matrix("validation_inputs"),
                a.labels("validation_y_true"),
            );
            let (epochs, batch_size) = (a.count("epochs"), a.count("batch_size") as usize);
            let mut dense1 = Dense::new(weights1, biases1);
            dense1.regularizers = Regularizers {
                weight_regularizer_l1: a.number("weight_regularizer_l1"),
                weight_regularizer_l2: a.number("weight_regularizer_l2"),
                bias_regularizer_l1: a.number("bias_regularizer_l1"),
                bias_regularizer_l2: a.number("bias_regularizer_l2"),
            };
            let dense2 = Dense::new(weights2, biases2);
            let optimizer = optimizer(a);
            let mut model = Model {
                dense1,
                dense2,
                optimizer,
            };
            let validation_data = (validation_inputs.as_slice(), &validation_y_true);
            let epochs = f(
                &mut model,
                &inputs,
                &y_true,
                epochs,
                batch_size,
                validation_data,
            )
            .map_err(Into::into)?;
            outputs![
                "loss" => epochs.loss,
                "data_loss" => epochs.data_loss,
                "regularization_loss" => epochs.regularization_loss,
                "accuracy" => epochs.accuracy,
                "learning_rate" => epochs.learning_rate,
                "validation_loss" => epochs.validation_loss,
                "validation_accuracy" => epochs.validation_accuracy,
                "weights1" => model.dense1.weights,
                "biases1" => model.dense1.biases,
                "weights2" => model.dense2.weights,
                "biases2" => model.dense2.biases,
            ]
        })
    }

    /// `preprocess(images (B×H×W bytes), labels (B), keys (B: a permutation of 0..B))`
    /// `-> (x (B×(H·W)), y (B))`: chapter 19's data set, each image flattened row by row and
    /// scaled `(X - 127.5) / 127.5`, then `X[keys]` and `y[keys]`.
    #[allow(clippy::type_complexity)]
    pub fn preprocess<E: Into<Box<dyn Error>>>(
        self,
        f: impl Fn(&[Matrix<u8>], &[i64], &[usize]) -> Result<(Matrix<T>, Vec<i64>), E> + 'static,
    ) -> Self {
        self.with(Stage::Preprocess, move |a| {
            let (images, labels, keys) = (a.images("images"), a.ints("labels"), a.keys("keys"));
            let (x, y) = f(&images, &labels, &keys).map_err(Into::into)?;
            outputs!["x" => x, "y" => y]
        })
    }

    /// `batches(inputs (B×K), batch_size (>= 1))`
    /// `-> (steps, batch_sizes (steps), first_rows (steps×K), last_rows (steps×K))`:
    /// `Model.train`'s steps and, for each batch it slices, its size, first and last row.
    #[allow(clippy::type_complexity)]
    pub fn batches<E: Into<Box<dyn Error>>>(
        self,
        f: impl Fn(&[Vec<T>], usize) -> Result<(usize, Vec<usize>, Matrix<T>, Matrix<T>), E> + 'static,
    ) -> Self {
        self.with(Stage::Batches, move |a| {
            let (inputs, batch_size) = (a.matrix("inputs"), a.count("batch_size"));
            let (steps, batch_sizes, first_rows, last_rows) =
                f(&inputs, batch_size as usize).map_err(Into::into)?;
            outputs![
                "steps" => steps,
                "batch_sizes" => batch_sizes,
                "first_rows" => first_rows,
                "last_rows" => last_rows,
            ]
        })
    }

    /// `predictions(inputs (B×N: the output layer's outputs), activation) -> Predictions`: the
    /// output activation's `predictions()`: `Classes` (B) for softmax, `Binary` (B×N) for
    /// sigmoid, `Values` (B×N) for linear (the kit checks the shape the activation calls for).
    pub fn predictions<E: Into<Box<dyn Error>>>(
        self,
        f: impl Fn(&[Vec<T>], Activation) -> Result<Predictions<T>, E> + 'static,
    ) -> Self {
        self.with(Stage::Predictions, move |a| {
            let activation = match a.param("activation") {
                "softmax" => Activation::Softmax,
                "sigmoid" => Activation::Sigmoid,
                _ => Activation::Linear,
            };
            let predictions = match f(&a.matrix("inputs"), activation).map_err(Into::into)? {
                Predictions::Classes(classes) => classes.encode(),
                Predictions::Binary(rows) => rows.encode(),
                Predictions::Values(rows) => rows.encode(),
            };
            Ok(vec![("predictions", predictions)])
        })
    }

    /// `evaluate(y_pred (B×C: softmax outputs), y_true, batch_size (>= 1)) -> (loss, accuracy)`:
    /// `Model.evaluate`, the sample losses and hits summed over the batches, divided once.
    #[allow(clippy::type_complexity)]
    pub fn evaluate<E: Into<Box<dyn Error>>>(
        self,
        f: impl Fn(&[Vec<T>], &Labels<T>, usize) -> Result<(T, T), E> + 'static,
    ) -> Self {
        self.with(Stage::Evaluate, move |a| {
            let (y_pred, y_true) = (a.matrix("y_pred"), a.labels("y_true"));
            let batch_size = a.count("batch_size") as usize;
            let (loss, accuracy) = f(&y_pred, &y_true, batch_size).map_err(Into::into)?;
            outputs!["loss" => loss, "accuracy" => accuracy]
        })
    }

    /// `parameters(inputs (B×K), parameters) -> (parameters, output (B×C))`: chapter 21. The
    /// parameters are a Dense(K, H) → ReLU → Dense(H, C) → softmax model's `get_parameters()`,
    /// `[(weights1, biases1), (weights2, biases2)]`; save them to a file, load them into a fresh
    /// model with `set_parameters()`, and answer its `get_parameters()` and its softmax output
    /// on `inputs`. Every digit must survive the file.
    #[allow(clippy::type_complexity)]
    pub fn parameters<E: Into<Box<dyn Error>>>(
        self,
        f: impl Fn(&[Vec<T>], &[(Matrix<T>, Vec<T>)]) -> Result<(Parameters<T>, Matrix<T>), E> + 'static,
    ) -> Self {
        self.with(Stage::Parameters, move |a| {
            let (inputs, layers) = layers(a);
            let (loaded, output) = f(&inputs, &layers).map_err(Into::into)?;
            let [(weights1, biases1), (weights2, biases2)] =
                <[_; 2]>::try_from(loaded).map_err(|loaded| {
                    format!(
                        "parameters returned the parameters of {} layers, wanted 2",
                        loaded.len()
                    )
                })?;
            outputs![
                "weights1" => weights1,
                "biases1" => biases1,
                "weights2" => weights2,
                "biases2" => biases2,
                "output" => output,
            ]
        })
    }
}

impl<T: Float> Kit<T> {
    // ---- The book tier (docs/BOOK.md): the same at both dtypes ----------------------------
    // Integers in (a seed is a u32, as NumPy's), the book's exact values out as f64: float32
    // values widen exactly, and the random stream, sine_data and the rates are doubles.

    /// `rng(seed, calls) -> values`: every draw of `np.random.seed(seed)`'s stream, in call
    /// order (a `Draw::U32` as its integer value).
    pub fn rng<E: Into<Box<dyn Error>>>(
        self,
        f: impl Fn(u32, &[(Draw, usize)]) -> Result<Vec<f64>, E> + 'static,
    ) -> Self {
        self.with(Stage::Rng, move |a| {
            let seed = a.count("seed") as u32;
            let draws = [Draw::U32, Draw::Double, Draw::Randn];
            let calls: Vec<(Draw, usize)> = a
                .pairs("calls")
                .into_iter()
                .map(|(kind, count)| (draws[kind as usize], count as usize))
                .collect();
            let values = f(seed, &calls).map_err(Into::into)?;
            outputs!["values" => values]
        })
    }

    /// `datasets(seed, samples, classes, dataset) -> (x, y)`: x has one row per point (2
    /// numbers, sine's 1), y one number per row (its class, or sine's value).
    pub fn datasets<E: Into<Box<dyn Error>>>(
        self,
        f: impl Fn(u32, usize, usize, Dataset) -> Result<(Matrix<f64>, Vec<f64>), E> + 'static,
    ) -> Self {
        self.with(Stage::Datasets, move |a| {
            let (seed, samples, classes) =
                (a.count("seed"), a.count("samples"), a.count("classes"));
            let dataset = match a.param("dataset") {
                "spiral" => Dataset::Spiral,
                "vertical" => Dataset::Vertical,
                _ => Dataset::Sine,
            };
            let (x, y) =
                f(seed as u32, samples as usize, classes as usize, dataset).map_err(Into::into)?;
            // NOTE: sine_data's y is a column (samples × 1), as the nnfs package returns it.
            if dataset == Dataset::Sine {
                let y: Matrix<f64> = y.into_iter().map(|v| vec![v]).collect();
                return outputs!["x" => x, "y" => y];
            }
            outputs!["x" => x, "y" => y]
        })
    }

    /// `init(seed, skip, shapes, scale) -> weights`: each `Layer_Dense`'s initial weights,
    /// row-major, layers in order, after `skip` Gaussians (a dataset's).
    pub fn init<E: Into<Box<dyn Error>>>(
        self,
        f: impl Fn(u32, usize, &[LayerShape], f64) -> Result<Vec<f64>, E> + 'static,
    ) -> Self {
        self.with(Stage::Init, move |a| {
            let (seed, skip) = (a.count("seed"), a.count("skip"));
            let shapes: Vec<LayerShape> = a
                .pairs("shapes")
                .into_iter()
                .map(|(n_inputs, n_neurons)| LayerShape {
                    n_inputs: n_inputs as usize,
                    n_neurons: n_neurons as usize,
                })
                .collect();
            let scale = a.param_number("scale");
            let weights = f(seed as u32, skip as usize, &shapes, scale).map_err(Into::into)?;
            outputs!["weights" => weights]
        })
    }

    /// `shuffle(seed, samples) -> keys`: chapter 19's `keys = np.array(range(samples));
    /// np.random.shuffle(keys)` after `np.random.seed(seed)`.
    pub fn shuffle<E: Into<Box<dyn Error>>>(
        self,
        f: impl Fn(u32, usize) -> Result<Vec<usize>, E> + 'static,
    ) -> Self {
        self.with(Stage::Shuffle, move |a| {
            let (seed, samples) = (a.count("seed"), a.count("samples"));
            let keys = f(seed as u32, samples as usize).map_err(Into::into)?;
            outputs!["keys" => keys]
        })
    }

    /// `chapters(script) -> value`: what the book's chapter 3-10 script prints, as `printed`
    /// names it (a number, or rows: the first 5 of a batch output, biases as one row).
    pub fn chapters<E: Into<Box<dyn Error>>>(
        self,
        f: impl Fn(Script) -> Result<Printout, E> + 'static,
    ) -> Self {
        self.with(Stage::Chapters, move |a| {
            let printed = match a.param("printed") {
                "dense1_output" => Printed::Dense1Output,
                "softmax_output" => Printed::SoftmaxOutput,
                "loss" => Printed::Loss,
                "accuracy" => Printed::Accuracy,
                "dweights1" => Printed::Dweights1,
                "dbiases1" => Printed::Dbiases1,
                "dweights2" => Printed::Dweights2,
                "dbiases2" => Printed::Dbiases2,
                "weights1" => Printed::Weights1,
                "biases1" => Printed::Biases1,
                "weights2" => Printed::Weights2,
                "biases2" => Printed::Biases2,
                _ => Printed::LearningRate,
            };
            let optimizer = match a.param("optimizer") {
                "sgd" => OptimizerKind::Sgd,
                "adagrad" => OptimizerKind::Adagrad,
                "rmsprop" => OptimizerKind::Rmsprop,
                _ => OptimizerKind::Adam,
            };
            let script = Script {
                seed: a.count("seed") as u32,
                samples: a.count("samples") as usize,
                classes: a.count("classes") as usize,
                hidden: a.count("hidden") as usize,
                steps: a.count("steps") as usize,
                printed,
                optimizer,
                learning_rate: a.param_number("learning_rate"),
                decay: a.param_number("decay"),
                momentum: a.param_number("momentum"),
            };
            let value = f(script).map_err(Into::into)?;
            outputs!["value" => value]
        })
    }
}

/// The adapter of the three losses with a backward pass: `(y_pred, y_true)`.
#[allow(clippy::type_complexity)]
fn loss_adapter<T: Float, E: Into<Box<dyn Error>>>(
    f: impl Fn(&[Vec<T>], &[Vec<T>]) -> Result<(Vec<T>, T, Matrix<T>), E> + 'static,
) -> impl Fn(&mut Args<T>) -> Result<Outputs> + 'static {
    move |a| {
        let (sample_losses, loss, dinputs) =
            f(&a.matrix("y_pred"), &a.matrix("y_true")).map_err(Into::into)?;
        outputs!["sample_losses" => sample_losses, "loss" => loss, "dinputs" => dinputs]
    }
}

/// A batch and the parameters of the book's two dense layers, `[(weights1, biases1),
/// (weights2, biases2)]`.
#[allow(clippy::type_complexity)]
fn layers<T: Float>(a: &mut Args<T>) -> (Matrix<T>, [(Matrix<T>, Vec<T>); 2]) {
    let (inputs, weights1, biases1) = (
        a.matrix("inputs"),
        a.matrix("weights1"),
        a.vector("biases1"),
    );
    let (weights2, biases2) = (a.matrix("weights2"), a.vector("biases2"));
    (inputs, [(weights1, biases1), (weights2, biases2)])
}

/// The optimizer `params.optimizer` names, with its hyperparameters, at iteration 0.
fn optimizer<T: Float>(a: &mut Args<T>) -> Optimizer<T> {
    let (learning_rate, decay) = (a.number("learning_rate"), a.number("decay"));
    let (current_learning_rate, iterations) = (learning_rate, 0);
    let (momentum, epsilon, rho) = (a.number("momentum"), a.number("epsilon"), a.number("rho"));
    let (beta_1, beta_2) = (a.number("beta_1"), a.number("beta_2"));
    match a.param("optimizer") {
        "sgd" => Optimizer::Sgd(OptimizerSgd {
            learning_rate,
            current_learning_rate,
            decay,
            iterations,
            momentum,
        }),
        "adagrad" => Optimizer::Adagrad(OptimizerAdagrad {
            learning_rate,
            current_learning_rate,
            decay,
            iterations,
            epsilon,
        }),
        "rmsprop" => Optimizer::Rmsprop(OptimizerRmsprop {
            learning_rate,
            current_learning_rate,
            decay,
            iterations,
            epsilon,
            rho,
        }),
        _ => Optimizer::Adam(OptimizerAdam {
            learning_rate,
            current_learning_rate,
            decay,
            iterations,
            epsilon,
            beta_1,
            beta_2,
        }),
    }
}

/// An optimizer step's layer: its parameters, gradients and the state arrays it was sent.
fn dense<T: Float>(a: &mut Args<T>, momentums: bool, cache: bool) -> Dense<T> {
    let mut layer = Dense::new(a.matrix("weights"), a.vector("biases"));
    (layer.dweights, layer.dbiases) = (a.matrix("dweights"), a.vector("dbiases"));
    if momentums {
        (layer.weight_momentums, layer.bias_momentums) =
            (a.matrix("weight_momentums"), a.vector("bias_momentums"));
    }
    if cache {
        (layer.weight_cache, layer.bias_cache) = (a.matrix("weight_cache"), a.vector("bias_cache"));
    }
    layer
}

/// `(learning_rate, decay, iterations)` of an optimizer step.
fn schedule<T: Float>(a: &mut Args<T>) -> (T, T, u64) {
    (
        a.number("learning_rate"),
        a.number("decay"),
        a.count("iterations"),
    )
}

/// Rows back to the input's rank: a rank-1 input was passed as one row.
fn unrows<T: Float>(rows: Matrix<T>, rank1: bool) -> Value {
    match rows.as_slice() {
        [row] if rank1 => row.encode(),
        _ => rows.encode(),
    }
}
