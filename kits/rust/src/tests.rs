//! The kit's behaviour on whole request lines, with a small learner written in the tests.

use crate::kit::Kit;
use crate::spec::SPECS;
use crate::{
    unsupported, Dataset, Draw, Labels, LayerShape, Matrix, Printed, Printout, Result, Script,
};
use serde_json::{json, Value};

fn kit() -> Kit<f64> {
    crate::serve::report_panics();
    Kit::unguarded("test-port")
        .relu(|rows: &[Vec<f64>]| -> Result<Matrix<f64>> {
            Ok(rows
                .iter()
                .map(|row| row.iter().map(|&x| x.max(0.0)).collect())
                .collect())
        })
        .neuron(
            |inputs: &[f64], weights: &[f64], bias: f64| -> Result<f64> {
                Ok(inputs.iter().zip(weights).map(|(x, w)| x * w).sum::<f64>() + bias)
            },
        )
        .dense_batch(
            |inputs: &[Vec<f64>], weights: &[Vec<f64>], _: &[f64]| -> Result<Matrix<f64>> {
                // The weights as received (K×N), and a panic or an error on demand.
                match inputs[0][0] {
                    7.0 => panic!("index out of bounds: the len is 2 but the index is 2"),
                    8.0 => Err("weights are not ready".into()),
                    9.0 => Err(unsupported("dense_batch is not written yet")),
                    _ => Ok(weights.to_vec()),
                }
            },
        )
        .softmax(|inputs: &[Vec<f64>]| -> Result<Matrix<f64>> { Ok(inputs[..1].to_vec()) })
        .accuracy(
            |_: &[Vec<f64>], y_true: &Labels<f64>| -> Result<(Vec<usize>, f64)> {
                Ok((y_true.classes(), 1.0))
            },
        )
}

fn reply<T: crate::Float>(kit: &Kit<T>, line: Value) -> Value {
    kit.answer(&line.to_string()).unwrap().unwrap()
}

fn run(stage: &str, inputs: Value, params: Value) -> Value {
    json!({"cmd": "run", "seq": 4, "stage": stage, "inputs": inputs, "params": params})
}

fn error(kind: &str, message: &str) -> Value {
    json!({"seq": 4, "error": {"kind": kind, "message": message}})
}

#[test]
fn the_table_is_in_pipeline_order() {
    for (i, spec) in SPECS.iter().enumerate() {
        assert_eq!(spec.stage as usize, i, "{}", spec.name);
    }
}

#[test]
fn the_hello_declares_exactly_the_registered_stages_in_pipeline_order() {
    let hello = reply(&kit(), json!({"cmd": "hello", "protocol": 1}));
    let stages = json!(["neuron", "dense_batch", "relu", "softmax", "accuracy"]);
    assert_eq!(hello["stages"], stages);
    assert_eq!(
        (&hello["dtype"], &hello["checks_inputs"]),
        (&json!("float64"), &json!(true))
    );
    assert_eq!(hello["label_formats"], json!(["sparse", "onehot"]));
}

#[test]
fn invalid_inputs_get_the_kind_of_their_one_defect_before_the_learner_runs() {
    let kit = kit();
    let neuron = |inputs, weights, bias| {
        reply(
            &kit,
            run(
                "neuron",
                json!({"inputs": inputs, "weights": weights, "bias": bias}),
                json!({}),
            ),
        )
    };
    let shape = "shape_mismatch";
    assert_eq!(
        neuron(json!([1, 2, 3]), json!([1, 2]), json!(1)),
        error(shape, "weights must have shape [3], has shape [2]")
    );
    assert_eq!(
        neuron(json!([[1, 2]]), json!([1, 2]), json!(1)),
        error(shape, "inputs must have shape [K], has shape [1, 2]")
    );
    assert_eq!(
        neuron(json!([1]), json!([1]), json!([1, 2])),
        error(shape, "bias must be a single number, has shape [2]")
    );
    let dense = |inputs, weights| {
        let params = json!({"weights_layout": "inputs_neurons"});
        reply(
            &kit,
            run(
                "dense_batch",
                json!({"inputs": inputs, "weights": weights, "biases": [1]}),
                params,
            ),
        )
    };
    // NOTE: [] is empty_batch, not a rank-1 shape_mismatch: the empty check comes first.
    assert_eq!(
        dense(json!([]), json!([[1]])),
        error("empty_batch", "inputs has no samples")
    );
    let ragged = "inputs[1] has shape [1], inputs[0] has shape [2]";
    assert_eq!(
        dense(json!([[1, 2], [3]]), json!([[1]])),
        error("ragged_rows", ragged)
    );
    let accuracy = |y_true, format| {
        let inputs = json!({"y_pred": [[0.5, 0.5], [0.5, 0.5]], "y_true": y_true});
        reply(
            &kit,
            run("accuracy", inputs, json!({"label_format": format})),
        )
    };
    assert_eq!(
        accuracy(json!([0, 1.5]), "sparse")["error"]["kind"],
        "invalid_label"
    );
    assert_eq!(
        accuracy(json!([0, 2]), "sparse")["error"]["kind"],
        "label_out_of_range"
    );
    assert_eq!(
        accuracy(json!([true, 1]), "sparse")["error"]["kind"],
        "invalid_label"
    );
    assert_eq!(
        accuracy(json!([[1, 0], [1, 1]]), "onehot")["error"]["kind"],
        "invalid_label"
    );
    assert_eq!(
        accuracy(json!([[1, 0], [0, 1]]), "sparse")["error"]["kind"],
        shape
    );
    assert_eq!(
        accuracy(json!([[0, 1], [1, 0]]), "onehot")["outputs"]["predictions"],
        json!([1, 0])
    );
}

#[test]
fn the_learner_always_gets_layer_dense_weights() {
    let params = json!({"weights_layout": "neurons_inputs"});
    let inputs =
        json!({"inputs": [[1, 2, 3]], "weights": [[1, 2, 3], [4, 5, 6]], "biases": [0, 0]});
    let reply = reply(&kit(), run("dense_batch", inputs, params));
    // The learner returns the weights it got: K×N, transposed from the N×K sent; the output's
    // shape (B×N = 1×2) is then wrong, which the kit reports as the learner's mistake.
    let message = "dense_batch returned output of shape [3, 2], wanted shape [1, 2]";
    assert_eq!(reply, error("exception", message));
}

#[test]
fn a_rank_1_relu_input_comes_back_rank_1() {
    let reply = reply(
        &kit(),
        run(
            "relu",
            json!({"inputs": [-1.5, 2, "-Infinity", "NaN"]}),
            json!({}),
        ),
    );
    assert_eq!(reply["outputs"]["output"], json!([0.0, 2.0, 0.0, 0.0]));
}

#[test]
fn errors_panics_and_declines_are_replies_and_the_run_goes_on() {
    let kit = kit();
    let dense = |x: f64| {
        let inputs = json!({"inputs": [[x]], "weights": [[1]], "biases": [1]});
        reply(
            &kit,
            run(
                "dense_batch",
                inputs,
                json!({"weights_layout": "inputs_neurons"}),
            ),
        )
    };
    assert_eq!(dense(8.0), error("exception", "weights are not ready"));
    let panicked = dense(7.0);
    let message = panicked["error"]["message"].as_str().unwrap();
    assert_eq!(panicked["error"]["kind"], "exception");
    assert!(
        message.starts_with("panicked at src/tests.rs:"),
        "{message}"
    );
    assert!(
        message.ends_with(": index out of bounds: the len is 2 but the index is 2"),
        "{message}"
    );
    assert_eq!(
        dense(9.0),
        json!({"seq": 4, "unsupported": "dense_batch is not written yet"})
    );
    assert_eq!(
        dense(1.0),
        json!({"seq": 4, "outputs": {"output": [[1.0]]}})
    );
}

#[test]
fn a_learner_may_return_its_own_error_type() {
    let kit = Kit::<f32>::unguarded("strings").layer(
        |_: &[f32], _: &[Vec<f32>], _: &[f32]| -> std::result::Result<Vec<f32>, String> {
            Err(format!("layer {} is not written", 2))
        },
    );
    let inputs = json!({"inputs": [1], "weights": [[1]], "biases": [1]});
    let got = kit
        .answer(&run("layer", inputs, json!({})).to_string())
        .unwrap()
        .unwrap();
    assert_eq!(got, error("exception", "layer 2 is not written"));
}

#[test]
fn a_wrong_shaped_output_is_an_exception_naming_the_stage_and_output() {
    let reply = reply(
        &kit(),
        run("softmax", json!({"inputs": [[1, 2], [3, 4]]}), json!({})),
    );
    let message = "softmax returned output of shape [1, 2], wanted shape [2, 2]";
    assert_eq!(reply, error("exception", message));
}

#[test]
fn what_is_not_the_protocol_is_refused_with_a_reason() {
    let kit = kit();
    let refusal = |line: &str| kit.answer(line).unwrap_err();
    assert!(refusal("loss 1.09").starts_with("a request is not JSON"));
    assert!(refusal(r#"{"cmd":"run","seq":1,"stage":"re"#).starts_with("a request is not JSON"));
    assert!(refusal("[1, 2]").starts_with("a request is not a JSON object"));
    assert!(refusal(r#"{"cmd":"run"}"#).starts_with("a run without a seq"));
    assert!(refusal(r#"{"cmd":"dance"}"#).starts_with("a request has no known cmd"));
    let undeclared = r#"{"cmd":"run","seq":1,"stage":"sigmoid","inputs":{},"params":{}}"#;
    assert!(refusal(undeclared)
        .starts_with("a run for the stage sigmoid, which this port does not declare"));
    let layout = r#"{"cmd":"run","seq":1,"stage":"dense_batch","inputs":{},"params":{"weights_layout":"x"}}"#;
    assert!(refusal(layout).starts_with("param weights_layout must be one of"));
    assert_eq!(kit.answer(r#"{"cmd":"bye"}"#), Ok(None));
}

// ---- The book tier ----------------------------------------------------------------------------

/// A learner of the book tier that echoes what it was given, so the tests see what the kit passes.
fn book_kit() -> Kit<f32> {
    crate::serve::report_panics();
    Kit::<f32>::unguarded("book-port")
        .chapters(|script: Script| -> Result<Printout> {
            Ok(match script.printed {
                Printed::Loss => script.learning_rate.into(),
                Printed::Biases2 => vec![vec![script.decay; script.classes]].into(),
                // the wrong shape: 5 rows of `hidden` are due
                _ => vec![vec![script.momentum; script.hidden]].into(),
            })
        })
        .init(
            |seed: u32, skip: usize, shapes: &[LayerShape], scale: f64| -> Result<Vec<f64>> {
                let mut weights = vec![f64::from(seed), skip as f64, scale];
                for shape in shapes {
                    weights.extend([shape.n_inputs as f64, shape.n_neurons as f64]);
                }
                weights.truncate(shapes.iter().map(|s| s.n_inputs * s.n_neurons).sum());
                Ok(weights)
            },
        )
        .rng(|seed: u32, calls: &[(Draw, usize)]| -> Result<Vec<f64>> {
            let mut values = vec![f64::from(seed)];
            for &(draw, count) in calls {
                values.extend(std::iter::repeat(draw as usize as f64).take(count));
            }
            values.remove(0);
            Ok(values)
        })
        .shuffle(|seed: u32, samples: usize| -> Result<Vec<usize>> {
            // one key too many for seed 1, to see the kit catch it
            Ok((0..samples + seed as usize).rev().collect())
        })
        .datasets(
            |seed: u32,
             samples: usize,
             classes: usize,
             dataset: Dataset|
             -> Result<(Matrix<f64>, Vec<f64>)> {
                let rows = if dataset == Dataset::Sine {
                    samples
                } else {
                    samples * classes
                };
                let width = if dataset == Dataset::Sine { 1 } else { 2 };
                Ok((vec![vec![f64::from(seed); width]; rows], vec![0.5; rows]))
            },
        )
}

#[test]
fn the_book_stages_are_declared_only_when_registered_after_the_core_ones() {
    let hello = reply(&book_kit(), json!({"cmd": "hello", "protocol": 1}));
    let book = json!(["rng", "datasets", "init", "shuffle", "chapters"]);
    assert_eq!(hello["stages"], book);
    let core = reply(&kit(), json!({"cmd": "hello", "protocol": 1}));
    assert!(!core["stages"].to_string().contains("rng"), "{core}");
    let both = Kit::<f64>::unguarded("both")
        .rng(|_: u32, _: &[(Draw, usize)]| -> Result<Vec<f64>> { Ok(vec![]) })
        .relu(|rows: &[Vec<f64>]| -> Result<Matrix<f64>> { Ok(rows.to_vec()) });
    let hello = reply(&both, json!({"cmd": "hello", "protocol": 1}));
    assert_eq!(hello["stages"], json!(["relu", "rng"]));
}

#[test]
fn the_book_tier_gets_its_integers_and_its_outputs_are_sized_by_them() {
    let kit = book_kit();
    let rng = |seed: Value, calls: Value| {
        reply(
            &kit,
            run("rng", json!({"seed": seed, "calls": calls}), json!({})),
        )
    };
    assert_eq!(
        rng(json!(4294967295u32), json!([[0, 1], [2, 2], [1, 0]])),
        json!({"seq": 4, "outputs": {"values": [0.0, 2.0, 2.0]}})
    );
    let mismatch = |seed, calls, message: &str| {
        assert_eq!(rng(seed, calls), error("shape_mismatch", message));
    };
    mismatch(
        json!(1.5),
        json!([[0, 1]]),
        "seed must be an integer >= 0, is 1.5",
    );
    mismatch(
        json!(-1),
        json!([[0, 1]]),
        "seed must be an integer >= 0, is -1",
    );
    mismatch(
        json!(true),
        json!([[0, 1]]),
        "seed must be an integer >= 0, is true",
    );
    mismatch(
        json!([0]),
        json!([[0, 1]]),
        "seed must be an integer >= 0, is [0]",
    );
    let pairs = "calls must be a list of [integer, integer] pairs";
    mismatch(json!(0), json!([]), &format!("{pairs}, has shape [0]"));
    mismatch(
        json!(0),
        json!([[0, 1, 2]]),
        &format!("{pairs}, has shape [1, 3]"),
    );
    mismatch(
        json!(0),
        json!([[3, 1]]),
        "calls[0]: a call kind must be 0, 1 or 2, is 3",
    );
    mismatch(
        json!(0),
        json!([[0, 0.5]]),
        "calls[0][1] must be an integer >= 0, is 0.5",
    );
    assert_eq!(
        rng(json!(0), json!([[0, 1], [1]])),
        error(
            "ragged_rows",
            "calls[1] has shape [1], calls[0] has shape [2]"
        )
    );
    // NumPy refuses a seed past 2^32 - 1: the case is declined, never a pass.
    let past = rng(json!(4294967296u64), json!([[0, 1]]));
    assert!(
        past["unsupported"]
            .as_str()
            .unwrap()
            .starts_with("seed = 4294967296"),
        "{past}"
    );

    let init = reply(
        &kit,
        run(
            "init",
            json!({"seed": 3, "skip": 300, "shapes": [[2, 3], [1, 1]]}),
            json!({"scale": 0.01}),
        ),
    );
    let weights = json!([3.0, 300.0, 0.01, 2.0, 3.0, 1.0, 1.0]);
    assert_eq!(init, json!({"seq": 4, "outputs": {"weights": weights}}));

    let shuffle = |seed, samples| {
        let inputs = json!({"seed": seed, "samples": samples});
        reply(&kit, run("shuffle", inputs, json!({})))
    };
    assert_eq!(
        shuffle(0, 3),
        json!({"seq": 4, "outputs": {"keys": [2, 1, 0]}})
    );
    assert_eq!(shuffle(0, 0), json!({"seq": 4, "outputs": {"keys": []}}));
    let message = "shuffle returned keys of shape [4], wanted shape [3]";
    assert_eq!(shuffle(1, 3), error("exception", message));
}

#[test]
fn sine_data_answers_columns_and_the_others_one_label_per_point() {
    let kit = book_kit();
    let datasets = |dataset| {
        let inputs = json!({"seed": 7, "samples": 2, "classes": 3});
        reply(&kit, run("datasets", inputs, json!({"dataset": dataset})))["outputs"].clone()
    };
    assert_eq!(
        datasets("sine"),
        json!({"x": [[7.0], [7.0]], "y": [[0.5], [0.5]]})
    );
    let spiral = datasets("spiral");
    assert_eq!(spiral["x"].as_array().unwrap().len(), 6);
    assert_eq!(spiral["y"], json!(vec![0.5; 6]));
    assert_eq!(datasets("vertical")["x"][5], json!([7.0, 7.0]));
}

#[test]
fn chapters_gets_its_script_and_prints_a_number_or_rows_of_the_printed_shape() {
    let kit = book_kit();
    let chapters = |printed: &str, decay: Value| {
        let inputs = json!({"seed": 0, "samples": 100, "classes": 3, "hidden": 64, "steps": 1});
        let params = json!({"printed": printed, "optimizer": "adam", "learning_rate": 0.05,
                            "decay": decay, "momentum": 0.9});
        kit.answer(&run("chapters", inputs, params).to_string())
    };
    let value =
        |printed, decay| chapters(printed, decay).unwrap().unwrap()["outputs"]["value"].clone();
    // the script's floats are f64, not rounded to the port's f32
    assert_eq!(value("loss", json!(0.1)), json!(0.05));
    assert_eq!(value("biases2", json!(5e-7)), json!([[5e-7, 5e-7, 5e-7]]));
    let wrong = chapters("dense1_output", json!(0)).unwrap().unwrap();
    let message = "chapters returned value of shape [1, 64], wanted shape [5, 64]";
    assert_eq!(wrong, error("exception", message));
    let missing = chapters("loss", json!("0.1")).unwrap_err();
    assert!(
        missing.starts_with("param decay must be a number"),
        "{missing}"
    );
    let unknown = chapters("lr", json!(0)).unwrap_err();
    assert!(
        unknown.starts_with("param printed must be one of"),
        "{unknown}"
    );
}
