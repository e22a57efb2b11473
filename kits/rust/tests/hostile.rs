//! The kit under a hostile learner and hostile input, in a real process: this binary runs itself
//! with `--port` as a port whose stages print on stdout, fail, panic and return wrong shapes.

use nnfs_kit::{Kit, Matrix, Result};
use std::io::Write;
use std::process::{Command, Stdio};

fn port() -> ! {
    Kit::<f64>::new("hostile")
        .relu(|rows: &[Vec<f64>]| -> Result<Matrix<f64>> {
            println!("debug print from relu");
            print!("and one without a newline");
            Command::new("echo")
                .arg("a child process prints too")
                .status()?;
            Ok(rows.to_vec())
        })
        .softmax(|_: &[Vec<f64>]| -> Result<Matrix<f64>> {
            Err("the learner's own message".into())
        })
        .neuron(|_: &[f64], _: &[f64], _: f64| -> Result<f64> { panic!("boom") })
        .dense_batch(
            |inputs: &[Vec<f64>], _: &[Vec<f64>], _: &[f64]| -> Result<Matrix<f64>> {
                Ok(vec![vec![1.0]; inputs.len() + 1])
            },
        )
        .serve()
}

/// Runs the port on `input`: (exit status, stdout lines, stderr lines).
fn talk(input: &str) -> (i32, Vec<String>, Vec<String>) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .arg("--port")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let lines = |bytes: Vec<u8>| {
        String::from_utf8(bytes)
            .unwrap()
            .lines()
            .map(String::from)
            .collect()
    };
    (
        out.status.code().unwrap_or(-1),
        lines(out.stdout),
        lines(out.stderr),
    )
}

fn run(seq: u64, stage: &str, inputs: &str, params: &str) -> String {
    format!(r#"{{"cmd":"run","seq":{seq},"stage":"{stage}","inputs":{inputs},"params":{params}}}"#)
}

fn a_session_survives_prints_errors_panics_and_wrong_shapes() {
    let relu = run(1, "relu", r#"{"inputs":[[-1,2]]}"#, "{}");
    let lines = [
        r#"{"cmd":"hello","protocol":1}"#.to_string(),
        relu.clone(),
        run(2, "softmax", r#"{"inputs":[[1,2]]}"#, "{}"),
        run(
            3,
            "neuron",
            r#"{"inputs":[1],"weights":[1],"bias":0}"#,
            "{}",
        ),
        run(
            4,
            "dense_batch",
            r#"{"inputs":[[1]],"weights":[[1]],"biases":[0]}"#,
            r#"{"weights_layout":"inputs_neurons"}"#,
        ),
        String::new(),
        relu.replace(r#""seq":1"#, r#""seq":5"#),
        r#"{"cmd":"bye"}"#.to_string(),
    ];
    let (status, stdout, stderr) = talk(&(lines.join("\n") + "\n"));
    assert_eq!(status, 0, "{stderr:?}");
    assert_eq!(
        stdout.len(),
        6,
        "one reply per request, nothing else: {stdout:#?}"
    );
    assert!(
        stdout[0].contains(r#""stages":["neuron","dense_batch","relu","softmax"]"#),
        "{}",
        stdout[0]
    );
    assert_eq!(stdout[1], r#"{"outputs":{"output":[[-1.0,2.0]]},"seq":1}"#);
    assert_eq!(
        stdout[2],
        r#"{"error":{"kind":"exception","message":"the learner's own message"},"seq":2}"#
    );
    assert!(stdout[3]
        .starts_with(r#"{"error":{"kind":"exception","message":"panicked at tests/hostile.rs:"#));
    assert!(stdout[3].ends_with(r#": boom"},"seq":3}"#), "{}", stdout[3]);
    let wrong = "dense_batch returned output of shape [2, 1], wanted shape [1, 1]";
    assert_eq!(
        stdout[4],
        format!(r#"{{"error":{{"kind":"exception","message":"{wrong}"}},"seq":4}}"#)
    );
    assert!(stdout[5].ends_with(r#""seq":5}"#));
    for print in ["debug print from relu", "a child process prints too"] {
        assert!(
            stderr.iter().any(|line| line.contains(print)),
            "{print} not on stderr: {stderr:#?}"
        );
    }
}

fn what_is_not_the_protocol_ends_the_port_with_one_stderr_line() {
    let hello = r#"{"cmd":"hello","protocol":1}"#;
    for (bad, why) in [
        ("loss 1.09", "a request is not JSON"),
        (
            r#"{"cmd":"run","seq":1,"stage":"re"#,
            "a request is not JSON",
        ),
        (r#"{"cmd":"run"}"#, "a run without a seq"),
        (
            r#"{"cmd":"run","seq":1,"stage":"sigmoid","inputs":{},"params":{}}"#,
            "which this port does not declare",
        ),
    ] {
        let (status, stdout, stderr) = talk(&format!("{hello}\n{bad}\n{hello}\n"));
        assert_eq!(status, 2, "{bad}");
        assert_eq!(stdout.len(), 1, "only the hello was answered: {stdout:?}");
        assert_eq!(stderr.len(), 1, "one line: {stderr:?}");
        assert!(
            stderr[0].starts_with("nnfs-kit: ") && stderr[0].contains(why),
            "{bad}: {}",
            stderr[0]
        );
    }
}

fn end_of_input_without_bye_is_a_clean_exit() {
    let (status, stdout, stderr) = talk(r#"{"cmd":"hello","protocol":1}"#);
    assert_eq!((status, stdout.len(), stderr.len()), (0, 1, 0));
}

fn main() {
    if std::env::args().nth(1).as_deref() == Some("--port") {
        port();
    }
    a_session_survives_prints_errors_panics_and_wrong_shapes();
    what_is_not_the_protocol_ends_the_port_with_one_stderr_line();
    end_of_input_without_bye_is_a_clean_exit();
    println!("hostile: 3 passed");
}
