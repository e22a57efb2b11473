//! Every stage's signature, declared once: its params, its inputs in the order they are checked,
//! and its outputs, each with its shape. The kit checks a request's inputs against this table
//! before calling the learner (docs/STAGES.md, "Errors") and the learner's outputs after.
//!
//! A shape is one letter per axis: `"BK"` is B rows of K numbers, `""` a single number. A letter
//! takes its size where it first appears, and every later use must agree.

use crate::json::{self, describe, has};
use crate::{Float, Labels};
use serde_json::{Map, Value};
use Domain::*;
use Shape::*;

/// The stages, in pipeline order (the hello lists them in this order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Stage {
    Neuron,
    Layer,
    DenseBatch,
    Relu,
    DenseRelu,
    Softmax,
    DenseReluDenseSoftmax,
    CategoricalCrossentropy,
    Accuracy,
    Forward,
    DenseBackward,
    ReluBackward,
    RepeatedForward,
    SoftmaxBackward,
    CategoricalCrossentropyBackward,
    SoftmaxCrossentropyBackward,
    Regularization,
    Dropout,
    Sigmoid,
    BinaryCrossentropy,
    BinaryAccuracy,
    Linear,
    MeanSquaredError,
    MeanAbsoluteError,
    RegressionAccuracy,
    SgdStep,
    AdagradStep,
    RmspropStep,
    AdamStep,
    SharedOptimizer,
    Training,
    // The Model's chapters (18 to 22)
    ModelTraining,
    Preprocess,
    Batches,
    Predictions,
    Evaluate,
    Parameters,
    // The book tier
    Rng,
    Datasets,
    Init,
    Shuffle,
    Chapters,
}

/// The shape an input must have.
#[derive(Debug)]
pub(crate) enum Shape {
    /// These axes (see the module's notes).
    Dims(&'static str),
    /// Dims whose first axis is the batch: `[]` is `empty_batch` (checked first).
    Batch(&'static str),
    /// A layer's weights K×N, sent N×K (and transposed by the kit) when `weights_layout` is
    /// `neurons_inputs`.
    Weights(&'static str),
    /// Rank 1 or 2, any size (ReLU's "any shape"); the learner gets rows.
    AnyRank,
    /// The shape of an earlier input.
    Like(&'static str),
    /// `y_true`, by `label_format`: sparse `[B]` of integers in `[0, C)`, or one-hot `[B, C]`.
    Labels(&'static str),
    /// The book tier: a list of at least one `[integer, integer]` pair (`calls`, `shapes`).
    Pairs,
    /// An output of the book tier, sized by the request's integers (see `Args::plan`).
    Planned,
}

/// The values an input may hold, checked on the numbers as sent (before rounding to the dtype).
#[derive(Debug)]
pub(crate) enum Domain {
    Real,
    /// Only 0 and 1, else this kind: binary targets (`invalid_label`), a mask (`invalid_value`).
    ZeroOne(Kind),
    /// `>= 0` (a regularization factor, a precision).
    NonNegative,
    /// In `[0, 1)` (a dropout rate).
    Rate,
    /// An integer `>= least` (`iterations`, `steps`), giving its value to a letter if any.
    Count(u64, Option<char>),
    /// The book tier: integers `>= 0`, else `shape_mismatch`, as the reference's `integer`;
    /// one past `u32::MAX` (NumPy's largest seed) declines the case.
    Integer,
    /// `rng`'s calls: integer pairs whose first is a kind 0, 1 or 2 (else `shape_mismatch`).
    Calls,
    /// Integers 0 to 255 (a picture's pixels), else `invalid_value`.
    Bytes,
    /// Integers of either sign (a data set's labels), else `shape_mismatch`, as other numbers
    /// that are not of their kind.
    Ints,
    /// The integers `0..n` in any order, n the length (chapter 19's shuffled keys), else
    /// `invalid_value`.
    Permutation,
}

/// One stage's signature.
pub(crate) struct Spec {
    pub stage: Stage,
    pub name: &'static str,
    /// Each param and the values it may take (another value is not the protocol); [`NUMBER`]:
    /// any JSON number (the book tier's scale and hyperparameters, as the script's floats).
    pub params: &'static [(&'static str, &'static [&'static str])],
    pub inputs: &'static [(&'static str, Shape, Domain)],
    pub outputs: &'static [(&'static str, Shape)],
}

const LABEL_FORMAT: (&str, &[&str]) = ("label_format", &["sparse", "onehot"]);
/// A param that is a number, not one of some names.
const NUMBER: &[&str] = &[];
/// What `chapters` may print (`Printed`).
pub(crate) const PRINTED: &[&str] = &[
    "dense1_output",
    "softmax_output",
    "loss",
    "accuracy",
    "dweights1",
    "dbiases1",
    "dweights2",
    "dbiases2",
    "weights1",
    "biases1",
    "weights2",
    "biases2",
    "learning_rate",
];
/// A batch and the book's two dense layers, Dense(K, H) and Dense(H, C).
const LAYERS: &[(&str, Shape, Domain)] = &[
    ("inputs", Batch("BK"), Real),
    ("weights1", Dims("KH"), Real),
    ("biases1", Dims("H"), Real),
    ("weights2", Dims("HC"), Real),
    ("biases2", Dims("C"), Real),
];
const LOSS: &[(&str, Shape)] = &[
    ("sample_losses", Dims("B")),
    ("loss", Dims("")),
    ("dinputs", Dims("BO")),
];

/// An optimizer step's signature: the layer, its gradients, its state arrays, the schedule and
/// its own hyperparameters; it returns the layer, the state, the rate it used and `iterations`.
macro_rules! optimizer_step {
    ($stage:ident, $name:literal, [$(($weights:literal, $biases:literal)),*], [$($hyper:literal),*]) => {
        Spec { stage: Stage::$stage, name: $name, params: &[],
            inputs: &[("weights", Dims("KN"), Real), ("biases", Dims("N"), Real),
                ("dweights", Dims("KN"), Real), ("dbiases", Dims("N"), Real),
                $(($weights, Dims("KN"), Real), ($biases, Dims("N"), Real),)*
                ("iterations", Dims(""), Count(0, None)),
                ("learning_rate", Dims(""), Real), ("decay", Dims(""), Real), $(($hyper, Dims(""), Real),)*],
            outputs: &[("weights", Dims("KN")), ("biases", Dims("N")),
                $(($weights, Dims("KN")), ($biases, Dims("N")),)*
                ("learning_rate", Dims("")), ("iterations", Dims(""))] }
    };
}

/// The table: one entry per stage, in pipeline order; inputs in the order they are checked.
#[rustfmt::skip]
pub(crate) const SPECS: &[Spec] = &[
    Spec { stage: Stage::Neuron, name: "neuron", params: &[],
        inputs: &[("inputs", Dims("K"), Real), ("weights", Dims("K"), Real), ("bias", Dims(""), Real)],
        outputs: &[("output", Dims(""))] },
    Spec { stage: Stage::Layer, name: "layer", params: &[],
        inputs: &[("inputs", Dims("K"), Real), ("weights", Dims("NK"), Real), ("biases", Dims("N"), Real)],
        outputs: &[("output", Dims("N"))] },
    Spec { stage: Stage::DenseBatch, name: "dense_batch",
        params: &[("weights_layout", &["inputs_neurons", "neurons_inputs"])],
        inputs: &[("inputs", Batch("BK"), Real), ("weights", Weights("KN"), Real), ("biases", Dims("N"), Real)],
        outputs: &[("output", Dims("BN"))] },
    Spec { stage: Stage::Relu, name: "relu", params: &[],
        inputs: &[("inputs", AnyRank, Real)],
        outputs: &[("output", Like("inputs"))] },
    Spec { stage: Stage::DenseRelu, name: "dense_relu", params: &[],
        inputs: &[("inputs", Batch("BK"), Real), ("weights", Dims("KN"), Real), ("biases", Dims("N"), Real)],
        outputs: &[("dense", Dims("BN")), ("relu", Dims("BN"))] },
    Spec { stage: Stage::Softmax, name: "softmax", params: &[],
        inputs: &[("inputs", Batch("BC"), Real)],
        outputs: &[("output", Dims("BC"))] },
    Spec { stage: Stage::DenseReluDenseSoftmax, name: "dense_relu_dense_softmax", params: &[],
        inputs: LAYERS,
        outputs: &[("dense1", Dims("BH")), ("relu1", Dims("BH")), ("dense2", Dims("BC")), ("softmax", Dims("BC"))] },
    Spec { stage: Stage::CategoricalCrossentropy, name: "categorical_crossentropy", params: &[LABEL_FORMAT],
        inputs: &[("y_pred", Batch("BC"), Real), ("y_true", Labels("BC"), Real)],
        outputs: &[("sample_losses", Dims("B")), ("loss", Dims(""))] },
    Spec { stage: Stage::Accuracy, name: "accuracy", params: &[LABEL_FORMAT],
        inputs: &[("y_pred", Batch("BC"), Real), ("y_true", Labels("BC"), Real)],
        outputs: &[("predictions", Dims("B")), ("accuracy", Dims(""))] },
    Spec { stage: Stage::Forward, name: "forward", params: &[LABEL_FORMAT],
        inputs: &[("inputs", Batch("BK"), Real), ("weights1", Dims("KH"), Real), ("biases1", Dims("H"), Real),
            ("weights2", Dims("HC"), Real), ("biases2", Dims("C"), Real), ("y_true", Labels("BC"), Real)],
        outputs: &[("dense1", Dims("BH")), ("relu1", Dims("BH")), ("dense2", Dims("BC")), ("softmax", Dims("BC")),
            ("sample_losses", Dims("B")), ("loss", Dims("")), ("predictions", Dims("B")), ("accuracy", Dims(""))] },
    // The book's chapters 9 to 17
    Spec { stage: Stage::DenseBackward, name: "dense_backward", params: &[],
        inputs: &[("inputs", Batch("BK"), Real), ("weights", Dims("KN"), Real), ("dvalues", Dims("BN"), Real)],
        outputs: &[("dweights", Dims("KN")), ("dbiases", Dims("N")), ("dinputs", Dims("BK"))] },
    Spec { stage: Stage::ReluBackward, name: "relu_backward", params: &[],
        inputs: &[("inputs", AnyRank, Real), ("dvalues", Like("inputs"), Real)],
        outputs: &[("dinputs", Like("inputs"))] },
    // NOTE: two batches, B and D samples; everything after the second call is sized by D.
    Spec { stage: Stage::RepeatedForward, name: "repeated_forward", params: &[],
        inputs: &[("inputs1", Batch("BK"), Real), ("inputs2", Batch("DK"), Real), ("weights", Dims("KN"), Real),
            ("biases", Dims("N"), Real), ("dvalues", Dims("DN"), Real)],
        outputs: &[("output1", Dims("BN")), ("output2", Dims("DN")), ("dweights", Dims("KN")), ("dbiases", Dims("N")),
            ("dinputs", Dims("DK"))] },
    Spec { stage: Stage::SoftmaxBackward, name: "softmax_backward", params: &[],
        inputs: &[("output", Batch("BC"), Real), ("dvalues", Dims("BC"), Real)],
        outputs: &[("dinputs", Dims("BC"))] },
    Spec { stage: Stage::CategoricalCrossentropyBackward, name: "categorical_crossentropy_backward",
        params: &[LABEL_FORMAT],
        inputs: &[("y_pred", Batch("BC"), Real), ("y_true", Labels("BC"), Real)],
        outputs: &[("dinputs", Dims("BC"))] },
    Spec { stage: Stage::SoftmaxCrossentropyBackward, name: "softmax_crossentropy_backward",
        params: &[LABEL_FORMAT, ("path", &["combined", "separate"])],
        inputs: &[("y_pred", Batch("BC"), Real), ("y_true", Labels("BC"), Real)],
        outputs: &[("dinputs", Dims("BC"))] },
    Spec { stage: Stage::Regularization, name: "regularization", params: &[],
        inputs: &[("weights", Dims("KN"), Real), ("biases", Dims("N"), Real),
            ("weight_regularizer_l1", Dims(""), NonNegative), ("weight_regularizer_l2", Dims(""), NonNegative),
            ("bias_regularizer_l1", Dims(""), NonNegative), ("bias_regularizer_l2", Dims(""), NonNegative)],
        outputs: &[("loss", Dims("")), ("dweights", Dims("KN")), ("dbiases", Dims("N"))] },
    Spec { stage: Stage::Dropout, name: "dropout", params: &[],
        inputs: &[("inputs", Batch("BN"), Real), ("mask", Dims("BN"), ZeroOne(Kind::InvalidValue)),
            ("rate", Dims(""), Rate), ("dvalues", Dims("BN"), Real)],
        outputs: &[("output", Dims("BN")), ("dinputs", Dims("BN"))] },
    Spec { stage: Stage::Sigmoid, name: "sigmoid", params: &[],
        inputs: &[("inputs", Batch("BN"), Real), ("dvalues", Dims("BN"), Real)],
        outputs: &[("output", Dims("BN")), ("dinputs", Dims("BN"))] },
    Spec { stage: Stage::BinaryCrossentropy, name: "binary_crossentropy", params: &[],
        inputs: &[("y_pred", Batch("BO"), Real), ("y_true", Dims("BO"), ZeroOne(Kind::InvalidLabel))],
        outputs: LOSS },
    Spec { stage: Stage::BinaryAccuracy, name: "binary_accuracy", params: &[],
        inputs: &[("y_pred", Batch("BO"), Real), ("y_true", Dims("BO"), ZeroOne(Kind::InvalidLabel))],
        outputs: &[("predictions", Dims("BO")), ("accuracy", Dims(""))] },
    Spec { stage: Stage::Linear, name: "linear", params: &[],
        inputs: &[("inputs", Batch("BN"), Real), ("dvalues", Dims("BN"), Real)],
        outputs: &[("output", Dims("BN")), ("dinputs", Dims("BN"))] },
    Spec { stage: Stage::MeanSquaredError, name: "mean_squared_error", params: &[],
        inputs: &[("y_pred", Batch("BO"), Real), ("y_true", Dims("BO"), Real)],
        outputs: LOSS },
    Spec { stage: Stage::MeanAbsoluteError, name: "mean_absolute_error", params: &[],
        inputs: &[("y_pred", Batch("BO"), Real), ("y_true", Dims("BO"), Real)],
        outputs: LOSS },
    Spec { stage: Stage::RegressionAccuracy, name: "regression_accuracy", params: &[],
        inputs: &[("y_pred", Batch("BO"), Real), ("y_true", Dims("BO"), Real), ("precision", Dims(""), NonNegative)],
        outputs: &[("accuracy", Dims(""))] },
    optimizer_step!(SgdStep, "sgd_step", [("weight_momentums", "bias_momentums")], ["momentum"]),
    optimizer_step!(AdagradStep, "adagrad_step", [("weight_cache", "bias_cache")], ["epsilon"]),
    optimizer_step!(RmspropStep, "rmsprop_step", [("weight_cache", "bias_cache")], ["epsilon", "rho"]),
    optimizer_step!(AdamStep, "adam_step", [("weight_momentums", "bias_momentums"), ("weight_cache", "bias_cache")],
        ["epsilon", "beta_1", "beta_2"]),
    Spec { stage: Stage::SharedOptimizer, name: "shared_optimizer", params: &[],
        inputs: &[("weights1", Dims("KH"), Real), ("biases1", Dims("H"), Real),
            ("weights2", Dims("HC"), Real), ("biases2", Dims("C"), Real),
            ("dweights1", Dims("KH"), Real), ("dbiases1", Dims("H"), Real),
            ("dweights2", Dims("HC"), Real), ("dbiases2", Dims("C"), Real),
            ("steps", Dims(""), Count(1, None)),
            ("learning_rate", Dims(""), Real), ("decay", Dims(""), Real), ("epsilon", Dims(""), Real),
            ("beta_1", Dims(""), Real), ("beta_2", Dims(""), Real)],
        outputs: &[("weights1", Dims("KH")), ("biases1", Dims("H")), ("weights2", Dims("HC")), ("biases2", Dims("C"))] },
    // NOTE: y_true after the arrays that give C (biases2), as the reference checks it.
    Spec { stage: Stage::Training, name: "training",
        params: &[LABEL_FORMAT, ("optimizer", &["sgd", "adagrad", "rmsprop", "adam"])],
        inputs: &[("inputs", Batch("BK"), Real), ("weights1", Dims("KH"), Real), ("biases1", Dims("H"), Real),
            ("weights2", Dims("HC"), Real), ("biases2", Dims("C"), Real), ("y_true", Labels("BC"), Real),
            ("steps", Dims(""), Count(1, Some('S'))),
            ("learning_rate", Dims(""), Real), ("decay", Dims(""), Real), ("momentum", Dims(""), Real),
            ("epsilon", Dims(""), Real), ("rho", Dims(""), Real), ("beta_1", Dims(""), Real), ("beta_2", Dims(""), Real)],
        outputs: &[("loss", Dims("S")), ("accuracy", Dims("S")), ("learning_rate", Dims("S")),
            ("weights1", Dims("SKH")), ("biases1", Dims("SH")), ("weights2", Dims("SHC")), ("biases2", Dims("SC"))] },
    // The Model's chapters (18 to 22)
    // NOTE: the labels after the arrays that give C (biases2), as the reference checks them;
    //       the validation set has its own count of samples, M.
    Spec { stage: Stage::ModelTraining, name: "model_training",
        params: &[LABEL_FORMAT, ("optimizer", &["sgd", "adagrad", "rmsprop", "adam"])],
        inputs: &[("inputs", Batch("BK"), Real), ("weights1", Dims("KH"), Real), ("biases1", Dims("H"), Real),
            ("weights2", Dims("HC"), Real), ("biases2", Dims("C"), Real), ("y_true", Labels("BC"), Real),
            ("validation_inputs", Batch("MK"), Real), ("validation_y_true", Labels("MC"), Real),
            ("epochs", Dims(""), Count(1, Some('E'))), ("batch_size", Dims(""), Count(1, None)),
            ("weight_regularizer_l1", Dims(""), NonNegative), ("weight_regularizer_l2", Dims(""), NonNegative),
            ("bias_regularizer_l1", Dims(""), NonNegative), ("bias_regularizer_l2", Dims(""), NonNegative),
            ("learning_rate", Dims(""), Real), ("decay", Dims(""), Real), ("momentum", Dims(""), Real),
            ("epsilon", Dims(""), Real), ("rho", Dims(""), Real), ("beta_1", Dims(""), Real), ("beta_2", Dims(""), Real)],
        outputs: &[("loss", Dims("E")), ("data_loss", Dims("E")), ("regularization_loss", Dims("E")),
            ("accuracy", Dims("E")), ("learning_rate", Dims("E")), ("validation_loss", Dims("E")),
            ("validation_accuracy", Dims("E")),
            ("weights1", Dims("KH")), ("biases1", Dims("H")), ("weights2", Dims("HC")), ("biases2", Dims("C"))] },
    // NOTE: P, a flattened image's pixels, is H·W (set by `Args::plan`).
    Spec { stage: Stage::Preprocess, name: "preprocess", params: &[],
        inputs: &[("images", Batch("BHW"), Bytes), ("labels", Dims("B"), Ints), ("keys", Dims("B"), Permutation)],
        outputs: &[("x", Dims("BP")), ("y", Dims("B"))] },
    // NOTE: S, the number of steps, is the learner's to say: the outputs must agree on it.
    Spec { stage: Stage::Batches, name: "batches", params: &[],
        inputs: &[("inputs", Batch("BK"), Real), ("batch_size", Dims(""), Count(1, None))],
        outputs: &[("steps", Dims("")), ("batch_sizes", Dims("S")), ("first_rows", Dims("SK")), ("last_rows", Dims("SK"))] },
    Spec { stage: Stage::Predictions, name: "predictions", params: &[("activation", &["softmax", "sigmoid", "linear"])],
        inputs: &[("inputs", Batch("BN"), Real)],
        outputs: &[("predictions", Planned)] },
    Spec { stage: Stage::Evaluate, name: "evaluate", params: &[LABEL_FORMAT],
        inputs: &[("y_pred", Batch("BC"), Real), ("y_true", Labels("BC"), Real), ("batch_size", Dims(""), Count(1, None))],
        outputs: &[("loss", Dims("")), ("accuracy", Dims(""))] },
    Spec { stage: Stage::Parameters, name: "parameters", params: &[],
        inputs: LAYERS,
        outputs: &[("weights1", Dims("KH")), ("biases1", Dims("H")), ("weights2", Dims("HC")), ("biases2", Dims("C")),
            ("output", Dims("BC"))] },
    // The book tier (docs/BOOK.md): integers in, the book's values out, sized by the integers.
    Spec { stage: Stage::Rng, name: "rng", params: &[],
        inputs: &[("seed", Dims(""), Integer), ("calls", Pairs, Calls)],
        outputs: &[("values", Planned)] },
    Spec { stage: Stage::Datasets, name: "datasets", params: &[("dataset", &["spiral", "vertical", "sine"])],
        inputs: &[("seed", Dims(""), Integer), ("samples", Dims(""), Integer), ("classes", Dims(""), Integer)],
        outputs: &[("x", Planned), ("y", Planned)] },
    Spec { stage: Stage::Init, name: "init", params: &[("scale", NUMBER)],
        inputs: &[("seed", Dims(""), Integer), ("skip", Dims(""), Integer), ("shapes", Pairs, Integer)],
        outputs: &[("weights", Planned)] },
    Spec { stage: Stage::Shuffle, name: "shuffle", params: &[],
        inputs: &[("seed", Dims(""), Integer), ("samples", Dims(""), Integer)],
        outputs: &[("keys", Planned)] },
    Spec { stage: Stage::Chapters, name: "chapters",
        params: &[("printed", PRINTED), ("optimizer", &["sgd", "adagrad", "rmsprop", "adam"]),
            ("learning_rate", NUMBER), ("decay", NUMBER), ("momentum", NUMBER)],
        inputs: &[("seed", Dims(""), Integer), ("samples", Dims(""), Integer), ("classes", Dims(""), Integer),
            ("hidden", Dims(""), Integer), ("steps", Dims(""), Integer)],
        outputs: &[("value", Planned)] },
];

/// The spec of a stage named on the wire.
pub(crate) fn find(name: &str) -> Option<&'static Spec> {
    SPECS.iter().find(|spec| spec.name == name)
}

pub(crate) fn spec(stage: Stage) -> &'static Spec {
    &SPECS[stage as usize]
}

/// The suite's six kinds of invalid input (docs/STAGES.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    ShapeMismatch,
    RaggedRows,
    EmptyBatch,
    LabelOutOfRange,
    InvalidLabel,
    InvalidValue,
}

impl Kind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::ShapeMismatch => "shape_mismatch",
            Kind::RaggedRows => "ragged_rows",
            Kind::EmptyBatch => "empty_batch",
            Kind::LabelOutOfRange => "label_out_of_range",
            Kind::InvalidLabel => "invalid_label",
            Kind::InvalidValue => "invalid_value",
        }
    }
}

/// Why a request gets no outputs.
#[derive(Debug, PartialEq)]
pub(crate) enum Refusal {
    /// Invalid inputs: an error reply of this kind.
    Invalid(Kind, String),
    /// Not the protocol (a missing input, an unknown param value): the port stops.
    Protocol(String),
    /// Valid, but past what the kit passes (a book integer over `u32::MAX`): the case is declined.
    Declined(String),
}

fn invalid<T>(kind: Kind, message: String) -> Result<T, Refusal> {
    Err(Refusal::Invalid(kind, message))
}

/// One checked input, read into the learner's types.
#[derive(Debug)]
pub(crate) enum Arg<T> {
    Number(T),
    Vector(Vec<T>),
    Matrix(Vec<Vec<T>>),
    /// A rank-1 or rank-2 input as rows, and whether it was rank 1 (one row).
    Rows(Vec<Vec<T>>, bool),
    Labels(Labels<T>),
    /// A count, or an integer of the book tier.
    Count(u64),
    /// The book tier's `[integer, integer]` pairs.
    Pairs(Vec<(u64, u64)>),
    /// Pictures of bytes: rows of pixels.
    Images(Vec<Vec<Vec<u8>>>),
    /// Integers of either sign.
    Ints(Vec<i64>),
    /// A permutation of `0..n`.
    Keys(Vec<usize>),
}

/// A request's inputs, checked against its spec and read: what the learner is called with.
pub(crate) struct Args<T> {
    pub stage: &'static str,
    args: Vec<(&'static str, Arg<T>)>,
    params: Vec<(&'static str, &'static str)>,
    /// The params that are numbers ([`NUMBER`]), as sent.
    numbers: Vec<(&'static str, f64)>,
    shapes: Vec<(&'static str, Vec<usize>)>,
    /// The shapes of the `Planned` outputs, from the request's integers.
    planned: Vec<(&'static str, Vec<usize>)>,
    sizes: Sizes,
}

impl<T: Float> Args<T> {
    /// Checks `inputs` and `params` against `spec`, in the table's order: for each input, an
    /// empty batch, then ragged rows, then its rank and shape, then its values.
    pub(crate) fn check(
        spec: &'static Spec,
        inputs: &Map<String, Value>,
        params: &Map<String, Value>,
    ) -> Result<Self, Refusal> {
        let mut args = Args {
            stage: spec.name,
            args: Vec::with_capacity(spec.inputs.len()),
            params: Vec::with_capacity(spec.params.len()),
            numbers: Vec::new(),
            shapes: Vec::with_capacity(spec.inputs.len()),
            planned: Vec::new(),
            sizes: Sizes::default(),
        };
        for &(name, allowed) in spec.params {
            if allowed.is_empty() {
                let Some(x) = params.get(name).and_then(Value::as_f64) else {
                    let why = format!("param {name} must be a number, is {:?}", params.get(name));
                    return Err(Refusal::Protocol(why));
                };
                args.numbers.push((name, x));
                continue;
            }
            let sent = params.get(name).and_then(Value::as_str);
            let Some(&value) = allowed.iter().find(|&&v| Some(v) == sent) else {
                let why = format!(
                    "param {name} must be one of {allowed:?}, is {:?}",
                    params.get(name)
                );
                return Err(Refusal::Protocol(why));
            };
            args.params.push((name, value));
        }
        for (name, shape, domain) in spec.inputs {
            let Some(value) = inputs.get(*name) else {
                return Err(Refusal::Protocol(format!(
                    "{} has no input {name}",
                    spec.name
                )));
            };
            let arg = args.read(name, shape, domain, value)?;
            args.args.push((name, arg));
        }
        args.plan(spec);
        Ok(args)
    }

    /// The shapes of the book tier's outputs, which its integers imply (the reference's).
    fn plan(&mut self, spec: &Spec) {
        let integer = |name| match self.args.iter().find(|(n, _)| *n == name) {
            Some((_, Arg::Count(n))) => *n as usize,
            _ => 0,
        };
        let pairs = |name| match self.args.iter().find(|(n, _)| *n == name) {
            Some((_, Arg::Pairs(pairs))) => pairs.clone(),
            _ => Vec::new(),
        };
        let (samples, classes, hidden) =
            (integer("samples"), integer("classes"), integer("hidden"));
        let rows = samples.saturating_mul(classes);
        self.planned = match spec.stage {
            // one value per draw
            Stage::Rng => {
                let draws = pairs("calls")
                    .iter()
                    .fold(0u64, |n, (_, count)| n.saturating_add(*count));
                vec![("values", vec![draws as usize])]
            }
            // sine: samples rows of one x and one y; the others: samples·classes points, a class each
            Stage::Datasets if self.param("dataset") == "sine" => {
                vec![("x", vec![samples, 1]), ("y", vec![samples, 1])]
            }
            Stage::Datasets => vec![("x", vec![rows, 2]), ("y", vec![rows])],
            // every layer's weights, row-major, one after another
            Stage::Init => {
                let weights = pairs("shapes").iter().fold(0u64, |n, (inputs, neurons)| {
                    n.saturating_add(inputs * neurons)
                });
                vec![("weights", vec![weights as usize])]
            }
            // every key once
            Stage::Shuffle => vec![("keys", vec![samples])],
            // a class per sample (softmax), or a 0/1 or a value per output
            Stage::Predictions => {
                let (b, n) = (self.sizes.get('B'), self.sizes.get('N'));
                let (b, n) = (b.unwrap_or(0), n.unwrap_or(0));
                match self.param("activation") {
                    "softmax" => vec![("predictions", vec![b])],
                    _ => vec![("predictions", vec![b, n])],
                }
            }
            // each picture flattened, row by row: P = H·W
            Stage::Preprocess => {
                let (h, w) = (self.sizes.get('H'), self.sizes.get('W'));
                let pixels = h.unwrap_or(0).saturating_mul(w.unwrap_or(0));
                self.sizes.0.push(('P', pixels));
                Vec::new()
            }
            Stage::Chapters => {
                let value = match self.param("printed") {
                    "loss" | "accuracy" | "learning_rate" => vec![],
                    "dense1_output" => vec![rows.min(5), hidden],
                    "softmax_output" => vec![rows.min(5), classes],
                    "dweights1" | "weights1" => vec![2, hidden],
                    "dbiases1" | "biases1" => vec![1, hidden],
                    "dweights2" | "weights2" => vec![hidden, classes],
                    _ => vec![1, classes], // dbiases2, biases2: one row
                };
                vec![("value", value)]
            }
            _ => Vec::new(),
        };
    }

    fn read(
        &mut self,
        name: &'static str,
        shape: &Shape,
        domain: &Domain,
        value: &Value,
    ) -> Result<Arg<T>, Refusal> {
        use Kind::*;
        if let Count(least, letter) = *domain {
            // NOTE: a count is checked as the number sent: anything but an integer >= least
            //       (a list, 1.5, -1, NaN) is invalid_value, as the reference's _count.
            let count = json::number(value).filter(|x| x.fract() == 0.0 && *x >= least as f64);
            let Some(count) = count else {
                return invalid(
                    InvalidValue,
                    format!("{name} must be an integer >= {least}, is {value}"),
                );
            };
            let count = count as u64;
            if let Some(letter) = letter {
                self.sizes.0.push((letter, count as usize));
            }
            return Ok(Arg::Count(count));
        }
        if let (Dims(""), Integer) = (shape, domain) {
            return Ok(Arg::Count(integer(name, value)?));
        }
        if let Pairs = shape {
            return self.read_pairs(name, value, domain);
        }
        if matches!(shape, Batch(_)) && value.as_array().is_some_and(Vec::is_empty) {
            return invalid(EmptyBatch, format!("{name} has no samples"));
        }
        let dims =
            json::shape(value).or_else(|ragged| invalid(RaggedRows, ragged.message(name)))?;
        let layout = self.param("weights_layout");
        let mismatch = |wanted: String| {
            let must = if wanted.starts_with("shape") {
                "have"
            } else {
                "be"
            };
            invalid(
                ShapeMismatch,
                format!("{name} must {must} {wanted}, {}", has(&dims)),
            )
        };
        let sparse = self.param("label_format") == "sparse";
        let letters: String = match shape {
            Dims(letters) | Batch(letters) => letters.to_string(),
            Weights(letters) if layout == "neurons_inputs" => letters.chars().rev().collect(),
            Weights(letters) => letters.to_string(),
            Labels(letters) if sparse => letters[..1].to_string(),
            Labels(letters) => letters.to_string(),
            AnyRank if matches!(dims.len(), 1 | 2) => String::new(),
            AnyRank => {
                let why = format!("{name} must have rank 1 or 2, {}", has(&dims));
                return invalid(ShapeMismatch, why);
            }
            Pairs | Planned => unreachable!("pairs are read above; planned shapes are outputs"),
            Like(other) => {
                let like = self.shape_of(other);
                if dims != like {
                    return mismatch(format!("{} (the shape of {other})", describe(like)));
                }
                String::new()
            }
        };
        if !matches!(shape, AnyRank | Like(_)) && !self.sizes.fit(&letters, &dims) {
            return mismatch(self.sizes.describe(&letters));
        }
        self.shapes.push((name, dims.clone()));
        match domain {
            Real | Count(..) | Integer | Calls => {}
            Bytes | Ints | Permutation => return self.integers(name, value, &dims, domain),
            ZeroOne(kind) => {
                let mut numbers = Vec::new();
                json::leaves(value, &mut numbers);
                let bad = numbers
                    .iter()
                    .position(|x| !matches!(x, Some(v) if *v == 0.0 || *v == 1.0));
                if let Some(at) = bad {
                    let x = numbers[at].map_or("not a number".into(), |x| x.to_string());
                    let at = json::index(at, &dims);
                    return invalid(*kind, format!("{name}{at} must be 0 or 1, is {x}"));
                }
            }
            NonNegative | Rate => {
                // NOTE: a bool, a list or a string other than "NaN", "Infinity" and "-Infinity"
                //       is no number (shape_mismatch, as the reference's scalar); NaN is
                //       outside every domain.
                let x = match value {
                    Value::Bool(_) => None,
                    _ => json::number(value),
                };
                let Some(x) = x else {
                    return invalid(
                        ShapeMismatch,
                        format!("{name} must be a number, is {value}"),
                    );
                };
                if matches!(domain, NonNegative) && (x.is_nan() || x < 0.0) {
                    return invalid(InvalidValue, format!("{name} must be >= 0, is {x}"));
                }
                if matches!(domain, Rate) && !(0.0..1.0).contains(&x) {
                    return invalid(InvalidValue, format!("{name} must be in [0, 1), is {x}"));
                }
            }
        }
        let unreadable = |why| Refusal::Invalid(ShapeMismatch, why);
        Ok(match shape {
            Labels(_) if sparse => {
                Arg::Labels(crate::Labels::Sparse(self.sparse_labels(name, value)?))
            }
            Labels(_) => {
                // NOTE: checked as sent (f64), so 1.00000001 is not 1 even if it rounds to 1f32.
                let rows = json::matrix::<f64>(name, value).map_err(unreadable)?;
                for (b, row) in rows.iter().enumerate() {
                    let ones = row.iter().filter(|&&y| y == 1.0).count();
                    let zeros = row.iter().filter(|&&y| y == 0.0).count();
                    if ones != 1 || ones + zeros != row.len() {
                        let why = format!("{name}[{b}] must be one 1 among 0s, is {}", value[b]);
                        return invalid(InvalidLabel, why);
                    }
                }
                let rows = rows
                    .iter()
                    .map(|row| row.iter().map(|&y| T::from_f64(y)).collect());
                Arg::Labels(crate::Labels::OneHot(rows.collect()))
            }
            AnyRank | Like(_) if dims.len() == 1 => {
                Arg::Rows(vec![json::vector(name, value).map_err(unreadable)?], true)
            }
            AnyRank | Like(_) => Arg::Rows(json::matrix(name, value).map_err(unreadable)?, false),
            Weights(_) if layout == "neurons_inputs" => {
                Arg::Matrix(transpose(json::matrix(name, value).map_err(unreadable)?))
            }
            _ => match dims.len() {
                0 => Arg::Number(json::scalar(name, value).map_err(unreadable)?),
                1 => Arg::Vector(json::vector(name, value).map_err(unreadable)?),
                _ => Arg::Matrix(json::matrix(name, value).map_err(unreadable)?),
            },
        })
    }

    /// `[[integer, integer], ...]`: ragged rows, then the shape, then each integer in turn.
    fn read_pairs(
        &mut self,
        name: &'static str,
        value: &Value,
        domain: &Domain,
    ) -> Result<Arg<T>, Refusal> {
        let dims =
            json::shape(value).or_else(|ragged| invalid(Kind::RaggedRows, ragged.message(name)))?;
        if dims.len() != 2 || dims[1] != 2 {
            let why = format!(
                "{name} must be a list of [integer, integer] pairs, {}",
                has(&dims)
            );
            return invalid(Kind::ShapeMismatch, why);
        }
        let rows = value.as_array().map(Vec::as_slice).unwrap_or_default();
        let mut pairs = Vec::with_capacity(rows.len());
        for (i, row) in rows.iter().enumerate() {
            let first = integer(&format!("{name}[{i}][0]"), &row[0])?;
            let second = integer(&format!("{name}[{i}][1]"), &row[1])?;
            if matches!(domain, Calls) && first > 2 {
                let why = format!("{name}[{i}]: a call kind must be 0, 1 or 2, is {first}");
                return invalid(Kind::ShapeMismatch, why);
            }
            pairs.push((first, second));
        }
        self.shapes.push((name, dims));
        Ok(Arg::Pairs(pairs))
    }

    /// The inputs of integers (their shape checked): pixels 0 to 255, any integer, or a
    /// permutation of `0..n`, each refused with its own kind.
    fn integers(
        &self,
        name: &'static str,
        value: &Value,
        dims: &[usize],
        domain: &Domain,
    ) -> Result<Arg<T>, Refusal> {
        let mut numbers = Vec::new();
        json::leaves(value, &mut numbers);
        // NOTE: true and false read as NaN (json::number), so they are no integer here.
        let whole = |x: &Option<f64>| matches!(x, Some(v) if v.fract() == 0.0);
        let bad = match domain {
            Bytes => numbers
                .iter()
                .position(|x| !(whole(x) && (0.0..=255.0).contains(&x.unwrap_or(-1.0)))),
            // NOTE: within i64, so 1e300 is refused rather than clamped.
            _ => numbers.iter().position(|x| {
                !(whole(x) && x.is_some_and(|v| v.abs() < 9_223_372_036_854_775_808.0))
            }),
        };
        if let Some(at) = bad {
            let x = numbers[at].map_or("not a number".into(), |x| x.to_string());
            let at = json::index(at, dims);
            return match domain {
                Bytes => invalid(
                    Kind::InvalidValue,
                    format!("{name}{at} must be a byte 0-255, is {x}"),
                ),
                Ints => invalid(
                    Kind::ShapeMismatch,
                    format!("{name}{at} must be an integer, is {x}"),
                ),
                _ => invalid(
                    Kind::InvalidValue,
                    format!(
                        "{name} must be a permutation of 0..{}, holds {x}",
                        numbers.len()
                    ),
                ),
            };
        }
        let ints = numbers.iter().map(|x| x.unwrap_or_default() as i64);
        Ok(match domain {
            Bytes => {
                let mut pixels = ints.map(|x| x as u8);
                let (h, w) = (dims[1], dims[2]);
                let image = |_| (0..h).map(|_| pixels.by_ref().take(w).collect()).collect();
                Arg::Images((0..dims[0]).map(image).collect())
            }
            Ints => Arg::Ints(ints.collect()),
            _ => {
                let keys: Vec<i64> = ints.collect();
                let mut seen = vec![false; keys.len()];
                for &key in &keys {
                    let fresh = usize::try_from(key)
                        .ok()
                        .and_then(|k| seen.get_mut(k))
                        .is_some_and(|seen| !std::mem::replace(seen, true));
                    if !fresh {
                        let why = format!(
                            "{name} must be a permutation of 0..{}, holds {key} {}",
                            keys.len(),
                            if key >= 0 && (key as usize) < keys.len() {
                                "twice"
                            } else {
                                "(out of range)"
                            }
                        );
                        return invalid(Kind::InvalidValue, why);
                    }
                }
                Arg::Keys(keys.iter().map(|&k| k as usize).collect())
            }
        })
    }

    /// Sparse labels: integers (not booleans), then in `[0, C)`.
    fn sparse_labels(&self, name: &str, value: &Value) -> Result<Vec<usize>, Refusal> {
        let classes = self.sizes.get('C').unwrap_or(0);
        let items = value.as_array().map(Vec::as_slice).unwrap_or_default();
        let mut labels = Vec::with_capacity(items.len());
        for (b, item) in items.iter().enumerate() {
            let y = json::number(item).unwrap_or(f64::NAN);
            if y.fract() != 0.0 {
                return invalid(
                    Kind::InvalidLabel,
                    format!("{name}[{b}] must be an integer, is {item}"),
                );
            }
            if y < 0.0 || y >= classes as f64 {
                let why = format!("{name}[{b}] must be in [0, {classes}), is {item}");
                return invalid(Kind::LabelOutOfRange, why);
            }
            labels.push(y as usize);
        }
        Ok(labels)
    }

    /// The value of a param of this stage ("" if it has none of that name).
    pub(crate) fn param(&self, name: &str) -> &'static str {
        self.params
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, v)| v)
    }

    /// The value of a numeric param of this stage (NaN if it has none of that name).
    pub(crate) fn param_number(&self, name: &str) -> f64 {
        self.numbers
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(f64::NAN, |(_, x)| *x)
    }

    fn shape_of(&self, name: &str) -> &[usize] {
        self.shapes
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(&[], |(_, s)| s)
    }

    /// Takes an input out (each is taken once, by the stage's adapter in kit.rs).
    fn take(&mut self, name: &str) -> Arg<T> {
        let at = self.args.iter().position(|(n, _)| *n == name);
        let at = at.unwrap_or_else(|| panic!("nnfs-kit: {} has no input {name}", self.stage));
        self.args.swap_remove(at).1
    }

    pub(crate) fn number(&mut self, name: &str) -> T {
        match self.take(name) {
            Arg::Number(x) => x,
            other => panic!("nnfs-kit: {name} is not a number: {other:?}"),
        }
    }

    pub(crate) fn vector(&mut self, name: &str) -> Vec<T> {
        match self.take(name) {
            Arg::Vector(x) => x,
            other => panic!("nnfs-kit: {name} is not a vector: {other:?}"),
        }
    }

    pub(crate) fn matrix(&mut self, name: &str) -> Vec<Vec<T>> {
        match self.take(name) {
            Arg::Matrix(x) => x,
            other => panic!("nnfs-kit: {name} is not a matrix: {other:?}"),
        }
    }

    /// A rank-1 or rank-2 input as rows, and whether it was rank 1.
    pub(crate) fn rows(&mut self, name: &str) -> (Vec<Vec<T>>, bool) {
        match self.take(name) {
            Arg::Rows(rows, rank1) => (rows, rank1),
            other => panic!("nnfs-kit: {name} is not rows: {other:?}"),
        }
    }

    pub(crate) fn labels(&mut self, name: &str) -> Labels<T> {
        match self.take(name) {
            Arg::Labels(labels) => labels,
            other => panic!("nnfs-kit: {name} is not labels: {other:?}"),
        }
    }

    pub(crate) fn count(&mut self, name: &str) -> u64 {
        match self.take(name) {
            Arg::Count(n) => n,
            other => panic!("nnfs-kit: {name} is not a count: {other:?}"),
        }
    }

    pub(crate) fn pairs(&mut self, name: &str) -> Vec<(u64, u64)> {
        match self.take(name) {
            Arg::Pairs(pairs) => pairs,
            other => panic!("nnfs-kit: {name} is not pairs: {other:?}"),
        }
    }

    pub(crate) fn images(&mut self, name: &str) -> Vec<Vec<Vec<u8>>> {
        match self.take(name) {
            Arg::Images(images) => images,
            other => panic!("nnfs-kit: {name} is not images: {other:?}"),
        }
    }

    pub(crate) fn ints(&mut self, name: &str) -> Vec<i64> {
        match self.take(name) {
            Arg::Ints(ints) => ints,
            other => panic!("nnfs-kit: {name} is not integers: {other:?}"),
        }
    }

    pub(crate) fn keys(&mut self, name: &str) -> Vec<usize> {
        match self.take(name) {
            Arg::Keys(keys) => keys,
            other => panic!("nnfs-kit: {name} is not keys: {other:?}"),
        }
    }

    /// Checks the learner's outputs against the spec: every output, of its shape. A letter no
    /// input sized (`batches`' steps S) takes its size from the first output that shows it.
    pub(crate) fn check_outputs(
        &self,
        spec: &Spec,
        outputs: &[(&str, Value)],
    ) -> Result<(), String> {
        let mut sizes = self.sizes.clone();
        for (name, shape) in spec.outputs {
            let Some((_, value)) = outputs.iter().find(|(n, _)| n == name) else {
                return Err(format!("{} returned no {name}", spec.name));
            };
            let wanted = match shape {
                Like(other) => describe(self.shape_of(other)),
                Dims(letters) => sizes.describe(letters),
                Planned => describe(
                    self.planned
                        .iter()
                        .find(|(n, _)| n == name)
                        .map_or(&[], |(_, s)| s),
                ),
                _ => unreachable!("outputs are Dims, Like or Planned"),
            };
            let got = match json::shape(value) {
                Ok(dims) => match shape {
                    Dims(letters) if sizes.fit(letters, &dims) => wanted.clone(),
                    _ => describe(&dims),
                },
                Err(ragged) => format!("rows of different lengths ({})", ragged.message(name)),
            };
            if got != wanted {
                return Err(format!(
                    "{} returned {name} of {got}, wanted {wanted}",
                    spec.name
                ));
            }
        }
        Ok(())
    }
}

/// An integer of the book tier: `>= 0`, else `shape_mismatch` (a bool, a fraction, a list, as the
/// reference's `integer`); past `u32::MAX` the case is declined, as NumPy refuses such a seed.
fn integer(name: &str, value: &Value) -> Result<u64, Refusal> {
    let x = json::number(value).filter(|x| x.fract() == 0.0 && *x >= 0.0);
    let Some(x) = x else {
        return invalid(
            Kind::ShapeMismatch,
            format!("{name} must be an integer >= 0, is {value}"),
        );
    };
    if x > f64::from(u32::MAX) {
        let why =
            format!("{name} = {value}: the Rust kit passes the book's integers up to 2^32 - 1");
        return Err(Refusal::Declined(why));
    }
    Ok(x as u64)
}

/// The size each letter took where it first appeared.
#[derive(Default, Clone)]
struct Sizes(Vec<(char, usize)>);

impl Sizes {
    fn get(&self, letter: char) -> Option<usize> {
        self.0.iter().find(|(l, _)| *l == letter).map(|(_, n)| *n)
    }

    /// Whether `dims` has one axis per letter, each of the letter's size; gives new letters theirs.
    fn fit(&mut self, letters: &str, dims: &[usize]) -> bool {
        if letters.chars().count() != dims.len() {
            return false;
        }
        let fits = letters
            .chars()
            .zip(dims)
            .all(|(l, &n)| self.get(l).map_or(true, |size| size == n));
        if fits {
            for (l, &n) in letters.chars().zip(dims) {
                if self.get(l).is_none() {
                    self.0.push((l, n));
                }
            }
        }
        fits
    }

    /// `shape [2, N]`: known sizes as numbers, the others as their letters.
    fn describe(&self, letters: &str) -> String {
        if letters.is_empty() {
            return "a single number".into();
        }
        let dims: Vec<String> = letters
            .chars()
            .map(|l| self.get(l).map_or(l.to_string(), |n| n.to_string()))
            .collect();
        format!("shape [{}]", dims.join(", "))
    }
}

fn transpose<T: Copy>(rows: Vec<Vec<T>>) -> Vec<Vec<T>> {
    let columns = rows.first().map_or(0, Vec::len);
    (0..columns)
        .map(|c| rows.iter().map(|row| row[c]).collect())
        .collect()
}
