//! The kit's behaviour on whole request lines, with a small learner written in the tests.

use crate::kit::Kit;
use crate::spec::SPECS;
use crate::{
    unsupported, Activation, Dataset, Draw, Epochs, Labels, LayerShape, Matrix, Model, Optimizer,
    Parameters, Predictions, Printed, Printout, Result, Script,
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

// ---- The Model's chapters: bytes, keys, a second batch, shapes the outputs or a param decide ----

/// A learner of the new stages that echoes what it was given, and errs in shape on demand.
#[allow(clippy::type_complexity)]
fn model_kit() -> Kit<f64> {
    crate::serve::report_panics();
    Kit::<f64>::unguarded("model-port")
        .preprocess(
            |images: &[Matrix<u8>],
             labels: &[i64],
             keys: &[usize]|
             -> Result<(Matrix<f64>, Vec<i64>)> {
                let flat =
                    |image: &Matrix<u8>| image.iter().flatten().map(|&p| f64::from(p)).collect();
                let x = keys.iter().map(|&k| flat(&images[k])).collect();
                let y = keys.iter().map(|&k| labels[k]).collect();
                // a pixel too few for labels[0] == 99, to see the kit catch it
                if labels[0] == 99 {
                    return Ok((vec![vec![0.0]; images.len()], y));
                }
                Ok((x, y))
            },
        )
        .repeated_forward(
            |inputs1: &[Vec<f64>],
             inputs2: &[Vec<f64>],
             weights: &[Vec<f64>],
             biases: &[f64],
             _: &[Vec<f64>]|
             -> Result<(Matrix<f64>, Matrix<f64>, Matrix<f64>, Vec<f64>, Matrix<f64>)> {
                let n = biases.len();
                // the stale mistake on demand: the second output sized by the first batch
                let second = if inputs2[0][0] == 7.0 {
                    inputs1
                } else {
                    inputs2
                };
                Ok((
                    vec![vec![1.0; n]; inputs1.len()],
                    vec![vec![2.0; n]; second.len()],
                    weights.to_vec(),
                    biases.to_vec(),
                    inputs2.to_vec(),
                ))
            },
        )
        .batches(
            |inputs: &[Vec<f64>],
             batch_size: usize|
             -> Result<(usize, Vec<usize>, Matrix<f64>, Matrix<f64>)> {
                let taken: Vec<&[Vec<f64>]> = inputs.chunks(batch_size).collect();
                let mut last_rows: Matrix<f64> =
                    taken.iter().map(|b| b[b.len() - 1].clone()).collect();
                if batch_size == 3 {
                    last_rows.pop(); // one row too few for the others' S
                }
                Ok((
                    taken.len(),
                    taken.iter().map(|b| b.len()).collect(),
                    taken.iter().map(|b| b[0].clone()).collect(),
                    last_rows,
                ))
            },
        )
        .predictions(
            |inputs: &[Vec<f64>], activation: Activation| -> Result<Predictions<f64>> {
                Ok(match activation {
                    Activation::Softmax => Predictions::Classes(vec![1; inputs.len()]),
                    Activation::Sigmoid if inputs[0][0] == 7.0 => {
                        Predictions::Classes(vec![1; inputs.len()]) // the wrong kind
                    }
                    Activation::Sigmoid => Predictions::Binary(
                        inputs
                            .iter()
                            .map(|row| row.iter().map(|&x| usize::from(x > 0.5)).collect())
                            .collect(),
                    ),
                    Activation::Linear => Predictions::Values(inputs.to_vec()),
                })
            },
        )
        .regression_accuracy(
            |_: &[Vec<f64>], _: &[Vec<f64>], precision: f64| -> Result<f64> { Ok(precision) },
        )
        .evaluate(
            |_: &[Vec<f64>], y_true: &Labels<f64>, batch_size: usize| -> Result<(f64, f64)> {
                Ok((batch_size as f64, y_true.slice(1..2).classes()[0] as f64))
            },
        )
        .parameters(
            |inputs: &[Vec<f64>],
             layers: &[(Matrix<f64>, Vec<f64>)]|
             -> Result<(Parameters<f64>, Matrix<f64>)> {
                let classes = layers[1].1.len();
                let mut loaded = layers.to_vec();
                if inputs[0][0] == 7.0 {
                    loaded.push(layers[0].clone());
                }
                Ok((loaded, vec![vec![0.5; classes]; inputs.len()]))
            },
        )
}

fn outputs_or_error(kit: &Kit<f64>, stage: &str, inputs: Value, params: Value) -> Value {
    let reply = reply(kit, run(stage, inputs, params));
    match reply.get("outputs") {
        Some(outputs) => outputs.clone(),
        None => reply["error"].clone(),
    }
}

fn refused(kind: &str, message: &str) -> Value {
    json!({"kind": kind, "message": message})
}

#[test]
fn the_model_stages_are_declared_in_pipeline_order() {
    let hello = reply(&model_kit(), json!({"cmd": "hello", "protocol": 1}));
    let stages = json!([
        "repeated_forward",
        "regression_accuracy",
        "preprocess",
        "batches",
        "predictions",
        "evaluate",
        "parameters"
    ]);
    assert_eq!(hello["stages"], stages);
}

#[test]
fn preprocess_takes_bytes_integer_labels_and_a_permutation_of_keys() {
    let kit = model_kit();
    let preprocess = |images: Value, labels: Value, keys: Value| {
        let inputs = json!({"images": images, "labels": labels, "keys": keys});
        outputs_or_error(&kit, "preprocess", inputs, json!({}))
    };
    let two = json!([[[0, 255], [1, 2]], [[3, 4], [5, 6]]]);
    assert_eq!(
        preprocess(two.clone(), json!([-4, 9.0]), json!([1, 0.0])),
        json!({"x": [[3.0, 4.0, 5.0, 6.0], [0.0, 255.0, 1.0, 2.0]], "y": [9, -4]})
    );
    let byte = "invalid_value";
    assert_eq!(
        preprocess(json!([[[0, 256]]]), json!([0]), json!([0])),
        refused(byte, "images[0][0][1] must be a byte 0-255, is 256")
    );
    assert_eq!(
        preprocess(json!([[[0], [0.5]]]), json!([0]), json!([0])),
        refused(byte, "images[0][1][0] must be a byte 0-255, is 0.5")
    );
    assert_eq!(
        preprocess(json!([[[-1]]]), json!([0]), json!([0]))["kind"],
        byte
    );
    assert_eq!(
        preprocess(json!([[[true]]]), json!([0]), json!([0]))["kind"],
        byte
    );
    assert_eq!(
        preprocess(json!([[["7"]]]), json!([0]), json!([0]))["kind"],
        byte
    );
    assert_eq!(
        preprocess(json!([[0, 1]]), json!([0]), json!([0])),
        refused(
            "shape_mismatch",
            "images must have shape [B, H, W], has shape [1, 2]"
        )
    );
    assert_eq!(
        preprocess(json!([]), json!([]), json!([])),
        refused("empty_batch", "images has no samples")
    );
    assert_eq!(
        preprocess(json!([[[0, 1], [2]]]), json!([0]), json!([0]))["kind"],
        "ragged_rows"
    );
    assert_eq!(
        preprocess(two.clone(), json!([0]), json!([0, 1])),
        refused(
            "shape_mismatch",
            "labels must have shape [2], has shape [1]"
        )
    );
    assert_eq!(
        preprocess(two.clone(), json!([0, 0.5]), json!([0, 1])),
        refused("shape_mismatch", "labels[1] must be an integer, is 0.5")
    );
    let key = |keys: Value, message: &str| {
        assert_eq!(
            preprocess(two.clone(), json!([0, 1]), keys),
            refused("invalid_value", message)
        );
    };
    key(
        json!([0, 0]),
        "keys must be a permutation of 0..2, holds 0 twice",
    );
    key(
        json!([0, 2]),
        "keys must be a permutation of 0..2, holds 2 (out of range)",
    );
    key(
        json!([-1, 0]),
        "keys must be a permutation of 0..2, holds -1 (out of range)",
    );
    key(
        json!([0, 1.5]),
        "keys must be a permutation of 0..2, holds 1.5",
    );
    key(
        json!([0, false]),
        "keys must be a permutation of 0..2, holds NaN",
    );
    assert_eq!(
        preprocess(two.clone(), json!([0, 1]), json!([0, 1, 2])),
        refused("shape_mismatch", "keys must have shape [2], has shape [3]")
    );
    // x is B rows of H·W pixels: the learner's 1-pixel rows are its mistake
    assert_eq!(
        preprocess(two, json!([99, 1]), json!([0, 1])),
        refused(
            "exception",
            "preprocess returned x of shape [2, 1], wanted shape [2, 4]"
        )
    );
}

#[test]
fn repeated_forward_sizes_what_follows_the_second_call_by_the_second_batch() {
    let kit = model_kit();
    let repeated = |inputs2: Value, dvalues: Value| {
        let inputs = json!({"inputs1": [[1, 2], [3, 4]], "inputs2": inputs2,
                            "weights": [[1], [1]], "biases": [0], "dvalues": dvalues});
        outputs_or_error(&kit, "repeated_forward", inputs, json!({}))
    };
    let three = json!([[1, 1], [2, 2], [3, 3]]);
    let outputs = repeated(three.clone(), json!([[1], [1], [1]]));
    assert_eq!(outputs["output1"], json!([[1.0], [1.0]]));
    assert_eq!(outputs["output2"], json!([[2.0], [2.0], [2.0]]));
    assert_eq!(
        repeated(three.clone(), json!([[1], [1]])),
        refused(
            "shape_mismatch",
            "dvalues must have shape [3, 1], has shape [2, 1]"
        )
    );
    assert_eq!(
        repeated(json!([[1, 2, 3]]), json!([[1]])),
        refused(
            "shape_mismatch",
            "inputs2 must have shape [D, 2], has shape [1, 3]"
        )
    );
    assert_eq!(
        repeated(json!([]), json!([])),
        refused("empty_batch", "inputs2 has no samples")
    );
    // the first batch's size where the second's is due
    assert_eq!(
        repeated(json!([[7, 7], [7, 7], [7, 7]]), json!([[1], [1], [1]])),
        refused(
            "exception",
            "repeated_forward returned output2 of shape [2, 1], wanted shape [3, 1]"
        )
    );
}

#[test]
fn batches_takes_its_steps_from_the_outputs_which_must_agree() {
    let kit = model_kit();
    let batches = |batch_size: Value| {
        let inputs = json!({"inputs": [[0, 0], [1, -1], [2, -2], [3, -3], [4, -4]],
                            "batch_size": batch_size});
        outputs_or_error(&kit, "batches", inputs, json!({}))
    };
    assert_eq!(
        batches(json!(2)),
        json!({"steps": 3, "batch_sizes": [2, 2, 1],
               "first_rows": [[0.0, 0.0], [2.0, -2.0], [4.0, -4.0]],
               "last_rows": [[1.0, -1.0], [3.0, -3.0], [4.0, -4.0]]})
    );
    assert_eq!(batches(json!(9))["steps"], json!(1));
    assert_eq!(
        batches(json!(3)),
        refused(
            "exception",
            "batches returned last_rows of shape [1, 2], wanted shape [2, 2]"
        )
    );
    for size in [
        json!(0),
        json!(-2),
        json!(2.5),
        json!(true),
        json!([2]),
        json!("NaN"),
    ] {
        let got = batches(size.clone());
        assert_eq!(got["kind"], "invalid_value", "batch_size {size}: {got}");
    }
}

#[test]
fn predictions_are_shaped_by_the_activation_param() {
    let kit = model_kit();
    let predictions = |inputs: Value, activation: &str| {
        let params = json!({"activation": activation});
        outputs_or_error(&kit, "predictions", json!({"inputs": inputs}), params)
    };
    let outputs = json!([[0.25, 0.5, 0.75], [1.0, 0.0, 0.5]]);
    assert_eq!(
        predictions(outputs.clone(), "softmax"),
        json!({"predictions": [1, 1]})
    );
    assert_eq!(
        predictions(outputs.clone(), "sigmoid"),
        json!({"predictions": [[0, 0, 1], [1, 0, 0]]})
    );
    assert_eq!(
        predictions(outputs.clone(), "linear"),
        json!({"predictions": [[0.25, 0.5, 0.75], [1.0, 0.0, 0.5]]})
    );
    // a class per sample where a 0/1 per output is due
    assert_eq!(
        predictions(json!([[7, 0, 0]]), "sigmoid"),
        refused(
            "exception",
            "predictions returned predictions of shape [1], wanted shape [1, 3]"
        )
    );
    assert_eq!(
        predictions(json!([0.5, 0.25]), "linear"),
        refused(
            "shape_mismatch",
            "inputs must have shape [B, N], has shape [2]"
        )
    );
    let line = run(
        "predictions",
        json!({"inputs": [[1]]}),
        json!({"activation": "relu"}),
    );
    let unknown = kit.answer(&line.to_string()).unwrap_err();
    assert!(
        unknown.starts_with("param activation must be one of"),
        "{unknown}"
    );
}

#[test]
fn a_precision_is_a_number_at_least_zero() {
    let kit = model_kit();
    let accuracy = |precision: Value| {
        let inputs = json!({"y_pred": [[1.0]], "y_true": [[1.0]], "precision": precision});
        outputs_or_error(&kit, "regression_accuracy", inputs, json!({}))
    };
    assert_eq!(accuracy(json!(0)), json!({"accuracy": 0.0}));
    assert_eq!(
        accuracy(json!(-0.5)),
        refused("invalid_value", "precision must be >= 0, is -0.5")
    );
    assert_eq!(accuracy(json!("NaN"))["kind"], "invalid_value");
    assert_eq!(
        accuracy(json!([0.5])),
        refused(
            "shape_mismatch",
            "precision must be a single number, has shape [1]"
        )
    );
    assert_eq!(
        accuracy(json!(true)),
        refused("shape_mismatch", "precision must be a number, is true")
    );
}

#[test]
fn evaluate_gets_its_labels_and_batch_size_and_labels_slice_by_rows() {
    let kit = model_kit();
    let evaluate = |y_true: Value, format: &str, batch_size: Value| {
        let inputs = json!({"y_pred": [[0.5, 0.5], [0.25, 0.75], [1, 0]], "y_true": y_true,
                            "batch_size": batch_size});
        outputs_or_error(&kit, "evaluate", inputs, json!({"label_format": format}))
    };
    assert_eq!(
        evaluate(json!([0, 1, 0]), "sparse", json!(2)),
        json!({"loss": 2.0, "accuracy": 1.0})
    );
    let one_hot = json!([[1, 0], [0, 1], [1, 0]]);
    assert_eq!(
        evaluate(one_hot.clone(), "onehot", json!(4))["accuracy"],
        json!(1.0)
    );
    assert_eq!(
        evaluate(one_hot, "onehot", json!(0))["kind"],
        "invalid_value"
    );
    assert_eq!(
        evaluate(json!([0, 2, 0]), "sparse", json!(1))["kind"],
        "label_out_of_range"
    );
    assert_eq!(
        evaluate(json!([0, 1]), "sparse", json!(1))["kind"],
        "shape_mismatch"
    );
    let labels = Labels::<f32>::OneHot(vec![vec![1.0, 0.0], vec![0.0, 1.0], vec![0.0, 1.0]]);
    assert_eq!(labels.slice(1..3).classes(), vec![1, 1]);
    assert_eq!(
        Labels::<f32>::Sparse(vec![2, 0, 1]).slice(0..2),
        Labels::Sparse(vec![2, 0])
    );
}

#[test]
fn parameters_come_back_as_two_layers_and_the_models_output() {
    let kit = model_kit();
    let parameters = |x: f64| {
        let inputs = json!({"inputs": [[x, 2.0]], "weights1": [[1, 0, 0], [0, 1, 0]],
                            "biases1": [0, 0, 0], "weights2": [[1], [1], [1]], "biases2": [0.5]});
        outputs_or_error(&kit, "parameters", inputs, json!({}))
    };
    let outputs = parameters(1.0);
    assert_eq!(outputs["weights2"], json!([[1.0], [1.0], [1.0]]));
    assert_eq!(outputs["biases2"], json!([0.5]));
    assert_eq!(outputs["output"], json!([[0.5]]));
    assert_eq!(
        parameters(7.0),
        refused(
            "exception",
            "parameters returned the parameters of 3 layers, wanted 2"
        )
    );
}

#[test]
fn model_training_gets_a_model_a_validation_set_of_its_own_size_and_answers_per_epoch() {
    crate::serve::report_panics();
    let kit = Kit::<f64>::unguarded("train").model_training(
        |model: &mut Model<f64>,
         x: &[Vec<f64>],
         y: &Labels<f64>,
         epochs: u64,
         batch_size: usize,
         (x_val, y_val): (&[Vec<f64>], &Labels<f64>)|
         -> Result<Epochs<f64>> {
            // what the learner got, echoed: sizes, the regularizers, the optimizer
            let Optimizer::Adam(adam) = model.optimizer else {
                return Err("not adam".into());
            };
            let echo = [
                x.len() as f64,
                y.len() as f64,
                x_val.len() as f64,
                y_val.classes()[0] as f64,
                batch_size as f64,
                model.dense1.regularizers.weight_regularizer_l2,
                model.dense2.regularizers.weight_regularizer_l2,
                adam.iterations as f64,
            ];
            model.dense2.biases[0] = 9.0; // trained in place
            let per_epoch = |i: usize| vec![echo[i]; epochs as usize];
            Ok(Epochs {
                loss: per_epoch(0),
                data_loss: per_epoch(1),
                regularization_loss: per_epoch(2),
                accuracy: per_epoch(3),
                learning_rate: per_epoch(4),
                validation_loss: per_epoch(5),
                // one epoch short when batch_size is 3, to see the kit catch it
                validation_accuracy: vec![echo[7]; epochs as usize - usize::from(batch_size == 3)],
            })
        },
    );
    let train = |validation_inputs: Value, validation_y_true: Value, batch_size: Value| {
        let mut inputs = json!({
            "inputs": [[1, 2], [3, 4], [5, 6]], "y_true": [0, 1, 1],
            "validation_inputs": validation_inputs, "validation_y_true": validation_y_true,
            "weights1": [[1, 0], [0, 1]], "biases1": [0, 0], "weights2": [[1, 0], [0, 1]],
            "biases2": [0, 0], "epochs": 2, "batch_size": batch_size,
            "weight_regularizer_l1": 0, "weight_regularizer_l2": 5e-4,
            "bias_regularizer_l1": 0, "bias_regularizer_l2": 5e-4});
        for name in [
            "learning_rate",
            "decay",
            "momentum",
            "epsilon",
            "rho",
            "beta_1",
            "beta_2",
        ] {
            inputs[name] = json!(0.5);
        }
        let params = json!({"label_format": "sparse", "optimizer": "adam"});
        outputs_or_error(&kit, "model_training", inputs, params)
    };
    let outputs = train(json!([[1, 1]]), json!([1]), json!(2));
    assert_eq!(outputs["loss"], json!([3.0, 3.0]));
    assert_eq!(outputs["regularization_loss"], json!([1.0, 1.0]));
    assert_eq!(outputs["accuracy"], json!([1.0, 1.0]));
    assert_eq!(outputs["validation_loss"], json!([5e-4, 5e-4]));
    assert_eq!(outputs["validation_accuracy"], json!([0.0, 0.0]));
    assert_eq!(outputs["biases2"], json!([9.0, 0.0]));
    assert_eq!(outputs["weights1"], json!([[1.0, 0.0], [0.0, 1.0]]));
    assert_eq!(
        train(json!([[1, 1]]), json!([1, 0]), json!(2)),
        refused(
            "shape_mismatch",
            "validation_y_true must have shape [1], has shape [2]"
        )
    );
    assert_eq!(
        train(json!([[1, 1]]), json!([2]), json!(2))["kind"],
        "label_out_of_range"
    );
    assert_eq!(
        train(json!([[1, 1, 1]]), json!([1]), json!(2)),
        refused(
            "shape_mismatch",
            "validation_inputs must have shape [M, 2], has shape [1, 3]"
        )
    );
    assert_eq!(
        train(json!([]), json!([]), json!(2)),
        refused("empty_batch", "validation_inputs has no samples")
    );
    assert_eq!(
        train(json!([[1, 1]]), json!([1]), json!(0))["kind"],
        "invalid_value"
    );
    assert_eq!(
        train(json!([[1, 1]]), json!([1]), json!(3)),
        refused(
            "exception",
            "model_training returned validation_accuracy of shape [1], wanted shape [2]"
        )
    );
}
