//! The Rust port of nnfs-conformance: protocol 1, JSON Lines over stdin and stdout, in float32.
//!
//! Reads one message a line, answers each with one line, and flushes. Serves both transports:
//! a session (many messages, then {"cmd": "bye"}) and one-shot (one message, then end of input).
//! Run it under the suite's runner:  nnfs-conform run -- ports/rust/target/release/nnfs-port

mod nnfs;
mod training;

use nnfs::{fail, ErrorKind::*, Labels, Matrix, StageError, WeightsLayout};
use serde_json::{json, Map, Value};
use std::io::{self, BufRead, Write};
use std::process::ExitCode;
use training::{Layer, Optimizer, Regularizers, SoftmaxLossPath};

const STAGES: [&str; 24] = [
    "neuron",
    "layer",
    "dense_batch",
    "relu",
    "softmax",
    "categorical_crossentropy",
    "accuracy",
    "forward",
    "dense_backward",
    "relu_backward",
    "softmax_backward",
    "categorical_crossentropy_backward",
    "softmax_crossentropy_backward",
    "regularization",
    "dropout",
    "sigmoid",
    "binary_crossentropy",
    "mean_squared_error",
    "mean_absolute_error",
    "sgd_step",
    "adagrad_step",
    "rmsprop_step",
    "adam_step",
    "training",
];

fn hello() -> Value {
    json!({
        "protocol": 1,
        "name": "rust-float32",
        "language": "rust",
        "dtype": "float32",
        "stages": STAGES,
        "label_formats": ["sparse", "onehot"],
        "checks_inputs": true,
        "version": env!("CARGO_PKG_VERSION"),
    })
}

fn main() -> ExitCode {
    match serve() {
        Ok(()) => ExitCode::SUCCESS,
        Err(why) => {
            // A bad request or a bug in this port. The protocol has no error kind for that, so
            // say why on stderr (one line) and exit non-zero: the runner restarts us.
            eprintln!("nnfs-port: {why}");
            ExitCode::FAILURE
        }
    }
}

/// Answers every line until bye or end of input (the one-shot transport, or the runner left).
fn serve() -> Result<(), String> {
    let mut stdout = io::stdout().lock();
    for line in io::stdin().lock().lines() {
        let line = line.map_err(|e| format!("cannot read a line: {e}"))?;
        if line.trim().is_empty() {
            continue;
        }
        let request: String = line.chars().take(200).collect();
        let Some(reply) = answer(&line).map_err(|why| format!("{why}; cannot answer {request}"))?
        else {
            return Ok(()); // bye
        };
        writeln!(stdout, "{reply}")
            .and_then(|()| stdout.flush())
            .map_err(|e| format!("cannot write a reply: {e}"))?;
    }
    Ok(())
}

/// The reply to one line, or None for bye. Anything that is not the protocol is an Err.
fn answer(line: &str) -> Result<Option<Value>, String> {
    let message: Value = serde_json::from_str(line).map_err(|e| format!("not JSON: {e}"))?;
    match message["cmd"].as_str() {
        Some("hello") => Ok(Some(hello())),
        Some("run") => run(&message).map(Some),
        Some("bye") => Ok(None),
        _ => Err(format!("unknown cmd {}", message["cmd"])),
    }
}

/// Why a run has no outputs: its inputs are invalid (a reply), or it is not the protocol (exit).
enum Failure {
    Invalid(StageError),
    Protocol(String),
}

impl From<StageError> for Failure {
    fn from(error: StageError) -> Self {
        Failure::Invalid(error)
    }
}

/// Answers a run message: the stage's outputs, or the kind of error its inputs have.
fn run(message: &Value) -> Result<Value, String> {
    let seq = message["seq"].as_u64().ok_or("no seq")?;
    let stage = message["stage"].as_str().ok_or("no stage")?;
    let inputs = message["inputs"].as_object().ok_or("no inputs")?;
    let params = message["params"].as_object().ok_or("no params")?;
    match compute(stage, &Inputs(inputs), params) {
        Ok(outputs) => Ok(json!({"seq": seq, "outputs": outputs})),
        Err(Failure::Invalid(error)) => Ok(json!({
            "seq": seq,
            "error": {"kind": error.kind.name(), "message": error.message},
        })),
        Err(Failure::Protocol(why)) => Err(why),
    }
}

/// Calls the stage with its inputs and params; returns its outputs by name.
fn compute(stage: &str, inputs: &Inputs, params: &Map<String, Value>) -> Result<Value, Failure> {
    Ok(match stage {
        "neuron" => {
            let output = nnfs::neuron(
                &inputs.vector("inputs")?,
                &inputs.vector("weights")?,
                inputs.scalar("bias")?,
            )?;
            json!({"output": output.encode()})
        }
        "layer" => {
            let output = nnfs::layer(
                &inputs.vector("inputs")?,
                &inputs.matrix("weights")?,
                &inputs.vector("biases")?,
            )?;
            json!({"output": output.encode()})
        }
        "dense_batch" => {
            let layout = match param(params, "weights_layout")? {
                "inputs_neurons" => WeightsLayout::InputsNeurons,
                "neurons_inputs" => WeightsLayout::NeuronsInputs,
                other => return Err(Failure::Protocol(format!("unknown weights_layout {other}"))),
            };
            let output = nnfs::dense_batch(
                &inputs.matrix("inputs")?,
                &inputs.matrix("weights")?,
                &inputs.vector("biases")?,
                layout,
            )?;
            json!({"output": output.encode()})
        }
        "relu" => {
            let (rows, rank) = inputs.any_rank("inputs")?;
            let output: Matrix = rows.iter().map(|row| nnfs::relu(row)).collect();
            json!({"output": encode_rank(&output, rank)})
        }
        "softmax" => json!({"output": nnfs::softmax(&inputs.matrix("inputs")?)?.encode()}),
        "categorical_crossentropy" => {
            let y_pred = inputs.matrix("y_pred")?;
            let y_true = inputs.labels(param(params, "label_format")?)?;
            let (sample_losses, loss) = nnfs::categorical_crossentropy(&y_pred, &y_true)?;
            json!({"sample_losses": sample_losses.encode(), "loss": loss.encode()})
        }
        "accuracy" => {
            let y_pred = inputs.matrix("y_pred")?;
            let y_true = inputs.labels(param(params, "label_format")?)?;
            let (predictions, accuracy) = nnfs::accuracy(&y_pred, &y_true)?;
            json!({"predictions": predictions, "accuracy": accuracy.encode()})
        }
        "forward" => {
            let out = nnfs::forward(
                &inputs.matrix("inputs")?,
                &inputs.matrix("weights1")?,
                &inputs.vector("biases1")?,
                &inputs.matrix("weights2")?,
                &inputs.vector("biases2")?,
                &inputs.labels(param(params, "label_format")?)?,
            )?;
            json!({
                "dense1": out.dense1.encode(),
                "relu1": out.relu1.encode(),
                "dense2": out.dense2.encode(),
                "softmax": out.softmax.encode(),
                "sample_losses": out.sample_losses.encode(),
                "loss": out.loss.encode(),
                "predictions": out.predictions,
                "accuracy": out.accuracy.encode(),
            })
        }
        // The book's chapters 9 to 17 (training.rs)
        "dense_backward" => {
            let (dweights, dbiases, dinputs) = training::dense_backward(
                &inputs.matrix("inputs")?,
                &inputs.matrix("weights")?,
                &inputs.matrix("dvalues")?,
            )?;
            json!({
                "dweights": dweights.encode(),
                "dbiases": dbiases.encode(),
                "dinputs": dinputs.encode(),
            })
        }
        "relu_backward" => {
            let (rows, rank) = inputs.any_rank("inputs")?;
            let (dvalues, dvalues_rank) = inputs.any_rank("dvalues")?;
            if dvalues_rank != rank {
                let why = "dvalues must have the rank of inputs".to_string();
                return Ok(fail(ShapeMismatch, why)?);
            }
            let dinputs = training::relu_backward(&rows, &dvalues)?;
            json!({"dinputs": encode_rank(&dinputs, rank)})
        }
        "softmax_backward" => {
            let output = inputs.matrix("output")?;
            let dinputs = training::softmax_backward(&output, &inputs.matrix("dvalues")?)?;
            json!({"dinputs": dinputs.encode()})
        }
        "categorical_crossentropy_backward" => {
            let y_pred = inputs.matrix("y_pred")?;
            let y_true = inputs.labels(param(params, "label_format")?)?;
            let dinputs = training::categorical_crossentropy_backward(&y_pred, &y_true)?;
            json!({"dinputs": dinputs.encode()})
        }
        "softmax_crossentropy_backward" => {
            let path = match param(params, "path")? {
                "combined" => SoftmaxLossPath::Combined,
                "separate" => SoftmaxLossPath::Separate,
                other => return Err(Failure::Protocol(format!("unknown path {other}"))),
            };
            let y_pred = inputs.matrix("y_pred")?;
            let y_true = inputs.labels(param(params, "label_format")?)?;
            let dinputs = training::softmax_crossentropy_backward(&y_pred, &y_true, path)?;
            json!({"dinputs": dinputs.encode()})
        }
        "regularization" => {
            let factors = Regularizers {
                weight_l1: inputs.scalar_as_sent("weight_regularizer_l1")?,
                weight_l2: inputs.scalar_as_sent("weight_regularizer_l2")?,
                bias_l1: inputs.scalar_as_sent("bias_regularizer_l1")?,
                bias_l2: inputs.scalar_as_sent("bias_regularizer_l2")?,
            };
            let weights = inputs.matrix("weights")?;
            let biases = inputs.vector("biases")?;
            let (loss, dweights, dbiases) = training::regularization(&weights, &biases, factors)?;
            json!({"loss": loss.encode(), "dweights": dweights.encode(), "dbiases": dbiases.encode()})
        }
        "dropout" => {
            let (output, dinputs) = training::dropout(
                &inputs.matrix("inputs")?,
                &inputs.matrix_as_sent("mask")?,
                inputs.scalar_as_sent("rate")?,
                &inputs.matrix("dvalues")?,
            )?;
            json!({"output": output.encode(), "dinputs": dinputs.encode()})
        }
        "sigmoid" => {
            let output_and_dinputs =
                training::sigmoid(&inputs.matrix("inputs")?, &inputs.matrix("dvalues")?)?;
            let (output, dinputs) = output_and_dinputs;
            json!({"output": output.encode(), "dinputs": dinputs.encode()})
        }
        "binary_crossentropy" | "mean_squared_error" | "mean_absolute_error" => {
            let y_pred = inputs.matrix("y_pred")?;
            let out = match stage {
                "binary_crossentropy" => {
                    training::binary_crossentropy(&y_pred, &inputs.matrix_as_sent("y_true")?)?
                }
                "mean_squared_error" => {
                    training::mean_squared_error(&y_pred, &inputs.matrix("y_true")?)?
                }
                _ => training::mean_absolute_error(&y_pred, &inputs.matrix("y_true")?)?,
            };
            json!({
                "sample_losses": out.sample_losses.encode(),
                "loss": out.loss.encode(),
                "dinputs": out.dinputs.encode(),
            })
        }
        "sgd_step" | "adagrad_step" | "rmsprop_step" | "adam_step" => {
            let optimizer = optimizer(stage.trim_end_matches("_step"), inputs)?;
            let layer = inputs.layer("weights", "biases")?;
            let grads = inputs.layer("dweights", "dbiases")?;
            let names = optimizer.state_names();
            let state: Vec<Layer> = names
                .iter()
                .map(|&(weights, biases)| inputs.layer(weights, biases))
                .collect::<Result<_, _>>()?;
            let iterations = inputs.count("iterations", 0)?;
            let (learning_rate, decay) = (inputs.scalar("learning_rate")?, inputs.scalar("decay")?);
            let step = optimizer.step(&layer, &grads, &state, iterations, learning_rate, decay)?;
            let mut outputs = json!({
                "weights": step.layer.weights.encode(),
                "biases": step.layer.biases.encode(),
                "learning_rate": step.learning_rate.encode(),
                "iterations": step.iterations,
            });
            for (&(weights, biases), array) in names.iter().zip(&step.state) {
                outputs[weights] = array.weights.encode();
                outputs[biases] = array.biases.encode();
            }
            outputs
        }
        "training" => {
            // Every hyperparameter is sent, used or not; each must be a number.
            for name in HYPERPARAMETERS {
                inputs.scalar(name)?;
            }
            let trajectory = training::training(
                &inputs.matrix("inputs")?,
                &inputs.labels(param(params, "label_format")?)?,
                inputs.layer("weights1", "biases1")?,
                inputs.layer("weights2", "biases2")?,
                inputs.count("steps", 1)?,
                (inputs.scalar("learning_rate")?, inputs.scalar("decay")?),
                optimizer(param(params, "optimizer")?, inputs)?,
            )?;
            json!({
                "loss": trajectory.loss.encode(),
                "accuracy": trajectory.accuracy.encode(),
                "learning_rate": trajectory.learning_rate.encode(),
                "weights1": trajectory.weights1.encode(),
                "biases1": trajectory.biases1.encode(),
                "weights2": trajectory.weights2.encode(),
                "biases2": trajectory.biases2.encode(),
            })
        }
        other => return Err(Failure::Protocol(format!("unknown stage {other}"))),
    })
}

/// The hyperparameters of `training`: the initial rate, its decay, and every optimizer's own.
const HYPERPARAMETERS: [&str; 7] = [
    "learning_rate",
    "decay",
    "momentum",
    "epsilon",
    "rho",
    "beta_1",
    "beta_2",
];

/// The optimizer `sgd`, `adagrad`, `rmsprop` or `adam`, with its own hyperparameters.
fn optimizer(name: &str, inputs: &Inputs) -> Result<Optimizer, Failure> {
    Ok(match name {
        "sgd" => Optimizer::Sgd {
            momentum: inputs.scalar("momentum")?,
        },
        "adagrad" => Optimizer::Adagrad {
            epsilon: inputs.scalar("epsilon")?,
        },
        "rmsprop" => Optimizer::RmsProp {
            epsilon: inputs.scalar("epsilon")?,
            rho: inputs.scalar("rho")?,
        },
        "adam" => Optimizer::Adam {
            epsilon: inputs.scalar("epsilon")?,
            beta_1: inputs.scalar("beta_1")?,
            beta_2: inputs.scalar("beta_2")?,
        },
        other => return Err(Failure::Protocol(format!("unknown optimizer {other}"))),
    })
}

fn param<'a>(params: &'a Map<String, Value>, name: &str) -> Result<&'a str, Failure> {
    let value = params.get(name).and_then(Value::as_str);
    value.ok_or_else(|| Failure::Protocol(format!("missing param {name}")))
}

// ---------------------------------------------------------------------------------------------
// Reading inputs: every number is read as the nearest f64, then rounded to f32 (`as f32`).
// The ranks and ragged rows are checked here, since only here can a row be missing.

/// The `inputs` object of a run message.
struct Inputs<'a>(&'a Map<String, Value>);

impl Inputs<'_> {
    fn get(&self, name: &str) -> Result<&Value, Failure> {
        let value = self.0.get(name);
        value.ok_or_else(|| Failure::Protocol(format!("missing input {name}")))
    }

    fn scalar(&self, name: &str) -> Result<f32, Failure> {
        Ok(scalar(name, self.get(name)?)? as f32)
    }

    fn vector(&self, name: &str) -> Result<Vec<f32>, Failure> {
        Ok(float32(vector(name, self.get(name)?)?))
    }

    fn matrix(&self, name: &str) -> Result<Matrix, Failure> {
        let rows = matrix(name, self.get(name)?)?;
        Ok(rows.into_iter().map(float32).collect())
    }

    /// A rank-1 or rank-2 input as rows (a rank-1 input is one row), and its rank.
    fn any_rank(&self, name: &str) -> Result<(Matrix, Rank), Failure> {
        // A list holding a list is a matrix.
        let value = self.get(name)?;
        if value
            .as_array()
            .is_some_and(|v| v.iter().any(Value::is_array))
        {
            Ok((self.matrix(name)?, Rank::Two))
        } else {
            Ok((vec![self.vector(name)?], Rank::One))
        }
    }

    /// A number whose domain the stage checks (a rate, a factor): kept as sent, in f64.
    fn scalar_as_sent(&self, name: &str) -> Result<f64, Failure> {
        Ok(scalar(name, self.get(name)?)?)
    }

    /// A matrix of integers 0 and 1 (a dropout mask, binary targets): kept as sent until checked.
    fn matrix_as_sent(&self, name: &str) -> Result<Vec<Vec<f64>>, Failure> {
        Ok(matrix(name, self.get(name)?)?)
    }

    /// A count (`iterations`, `steps`): an integer `>= least`, else `invalid_value`.
    fn count(&self, name: &str, least: u64) -> Result<u64, Failure> {
        match number(self.get(name)?) {
            Some(x) if x.fract() == 0.0 && x >= least as f64 => Ok(x as u64),
            _ => {
                let why = format!("{name} must be an integer >= {least}");
                Ok(fail(InvalidValue, why)?)
            }
        }
    }

    /// A dense layer's weights (K×N) and biases (N), or arrays of their shapes.
    fn layer(&self, weights: &str, biases: &str) -> Result<Layer, Failure> {
        Ok(Layer {
            weights: self.matrix(weights)?,
            biases: self.vector(biases)?,
        })
    }

    /// `y_true`, as class indices or one-hot rows; checked against y_pred by the stage.
    fn labels(&self, label_format: &str) -> Result<Labels, Failure> {
        let y_true = self.get("y_true")?;
        match label_format {
            "sparse" => Ok(Labels::Sparse(vector("y_true", y_true)?)),
            "onehot" => Ok(Labels::OneHot(matrix("y_true", y_true)?)),
            other => Err(Failure::Protocol(format!("unknown label_format {other}"))),
        }
    }
}

/// A JSON number, or one of the strings that stand for NaN and the infinities.
fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(x) => x.as_f64(),
        // NOTE: true and false are not numbers, but the reference reads them as single values
        //       and refuses them as labels, mask entries or counts: NaN fails all those checks.
        Value::Bool(_) => Some(f64::NAN),
        Value::String(s) if s == "NaN" => Some(f64::NAN),
        Value::String(s) if s == "Infinity" => Some(f64::INFINITY),
        Value::String(s) if s == "-Infinity" => Some(f64::NEG_INFINITY),
        _ => None,
    }
}

/// A rank-0 input: a single number.
fn scalar(name: &str, value: &Value) -> Result<f64, StageError> {
    match number(value) {
        Some(x) => Ok(x),
        None => fail(ShapeMismatch, format!("{name} must be a single number")),
    }
}

/// A rank-1 input: a list of numbers.
fn vector(name: &str, value: &Value) -> Result<Vec<f64>, StageError> {
    let Some(items) = value.as_array() else {
        let why = format!("{name} must be a list of numbers (rank 1)");
        return fail(ShapeMismatch, why);
    };
    let mut numbers = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if item.is_array() {
            let why = format!("{name} must be a list of numbers (rank 1), {name}[{i}] is a list");
            return fail(ShapeMismatch, why);
        }
        numbers.push(scalar(&format!("{name}[{i}]"), item)?);
    }
    Ok(numbers)
}

/// A rank-2 input: a list of rows of numbers, all of the same length.
fn matrix(name: &str, value: &Value) -> Result<Vec<Vec<f64>>, StageError> {
    let Some(rows) = value.as_array() else {
        let why = format!("{name} must be a list of rows (rank 2)");
        return fail(ShapeMismatch, why);
    };
    let lists = rows.iter().filter(|row| row.is_array()).count();
    if lists == 0 && !rows.is_empty() {
        let n = rows.len();
        let why = format!("{name} must be a list of rows (rank 2), got a list of {n} numbers");
        return fail(ShapeMismatch, why);
    }
    if lists != rows.len() {
        return fail(RaggedRows, format!("{name} mixes rows and single numbers"));
    }
    let mut matrix = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        matrix.push(vector(&format!("{name}[{i}]"), row)?);
        if matrix[i].len() != matrix[0].len() {
            let (first, this) = (matrix[0].len(), matrix[i].len());
            let why = format!("{name}[0] has {first} values, {name}[{i}] has {this}");
            return fail(RaggedRows, why);
        }
    }
    Ok(matrix)
}

fn float32(values: Vec<f64>) -> Vec<f32> {
    values.into_iter().map(|x| x as f32).collect()
}

/// The rank of an input that may be rank 1 or rank 2.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Rank {
    One,
    Two,
}

// ---------------------------------------------------------------------------------------------
// Writing outputs: f32 -> f64 is exact; NaN and the infinities travel as strings.

trait Encode {
    fn encode(&self) -> Value;
}

impl Encode for f32 {
    fn encode(&self) -> Value {
        match f64::from(*self) {
            x if x.is_nan() => json!("NaN"),
            x if x == f64::INFINITY => json!("Infinity"),
            x if x == f64::NEG_INFINITY => json!("-Infinity"),
            x => json!(x),
        }
    }
}

impl<T: Encode> Encode for Vec<T> {
    fn encode(&self) -> Value {
        Value::Array(self.iter().map(Encode::encode).collect())
    }
}

/// Rows of a rank-1 or rank-2 input's shape: a rank-1 input was read as one row.
fn encode_rank(rows: &Matrix, rank: Rank) -> Value {
    match rank {
        Rank::One => rows[0].encode(),
        Rank::Two => rows.encode(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hard_numbers_parse_to_the_nearest_double() {
        let line = r#"[5e-324, 2.2250738585072014e-308, 1e+23, -0.0, 9007199254740993,
                      2.225073858507201e-308, 0.30000000000000004, "-Infinity"]"#;
        let parsed = vector("inputs", &serde_json::from_str(line).unwrap()).unwrap();
        let want = [
            f64::from_bits(1),
            f64::MIN_POSITIVE,
            1e23,
            -0.0,
            9007199254740992.0,
            f64::from_bits(0x000F_FFFF_FFFF_FFFF),
            0.1 + 0.2,
            f64::NEG_INFINITY,
        ];
        for (got, want) in parsed.iter().zip(want) {
            assert_eq!(got.to_bits(), want.to_bits(), "{got} != {want}");
        }
    }

    #[test]
    fn a_run_with_a_ragged_batch_gets_an_error_reply() {
        let line = r#"{"cmd":"run","seq":3,"id":"x","stage":"softmax",
                       "inputs":{"inputs":[[1.0,2.0],[3.0]]},"params":{}}"#;
        let reply = answer(line).unwrap().unwrap();
        let message = "inputs[0] has 2 values, inputs[1] has 1";
        let error = json!({"kind": "ragged_rows", "message": message});
        assert_eq!(reply, json!({"seq": 3, "error": error}));
    }

    #[test]
    fn non_finite_outputs_are_strings() {
        let out = vec![f32::NAN, f32::INFINITY, -0.0, 0.1].encode();
        assert_eq!(
            out.to_string(),
            r#"["NaN","Infinity",-0.0,0.10000000149011612]"#
        );
    }
}
