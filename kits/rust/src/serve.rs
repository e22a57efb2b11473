//! The protocol loop (docs/PROTOCOL.md): one JSON line in, one JSON line out, flushed, until
//! `bye` or end of input. A line that is not the protocol stops the port with one line on stderr.

use crate::kit::Kit;
use crate::spec::{self, Args, Refusal};
use crate::{Float, Unsupported};
use serde_json::{json, Map, Value};
use std::cell::RefCell;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Write};
use std::panic::{self, AssertUnwindSafe};

impl<T: Float> Kit<T> {
    /// Answers the runner until `bye` or end of input (exit 0). A request that is not the
    /// protocol ends the port with one line on stderr and exit status 2.
    pub fn serve(self) -> ! {
        report_panics();
        let (input, output): (Box<dyn BufRead>, Box<dyn Write>) = match &self.wire {
            Some((input, output)) => (
                Box::new(BufReader::new(
                    input.try_clone().expect("the protocol's stdin"),
                )),
                Box::new(io::BufWriter::new(
                    output.try_clone().expect("the protocol's stdout"),
                )),
            ),
            None => (Box::new(io::stdin().lock()), Box::new(io::stdout().lock())),
        };
        let status = match self.serve_on(input, output) {
            Ok(()) => 0,
            Err(why) => {
                eprintln!("nnfs-kit: {why}");
                2
            }
        };
        let _ = io::stdout().flush(); // the learner's prints, on stderr
        std::process::exit(status)
    }

    fn serve_on(&self, mut input: impl BufRead, mut output: impl Write) -> Result<(), String> {
        let mut line = String::new();
        loop {
            line.clear();
            match input.read_line(&mut line) {
                Ok(0) => return Ok(()), // end of input: the one-shot transport, or the runner left
                Ok(_) => {}
                Err(e) => return Err(format!("cannot read a request: {e}")),
            }
            if line.trim().is_empty() {
                continue;
            }
            let Some(reply) = self.answer(&line)? else {
                return Ok(()); // bye
            };
            writeln!(output, "{reply}")
                .and_then(|()| output.flush())
                .map_err(|e| format!("cannot write a reply: {e}"))?;
        }
    }

    /// The reply to one line, None for bye, or why the line is not the protocol.
    pub(crate) fn answer(&self, line: &str) -> Result<Option<Value>, String> {
        let excerpt = || {
            let text: String = line.trim_end().chars().take(200).collect();
            if text.len() < line.trim_end().len() {
                format!("{text}...")
            } else {
                text
            }
        };
        let message: Value = serde_json::from_str(line)
            .map_err(|e| format!("a request is not JSON ({e}): {}", excerpt()))?;
        let Value::Object(message) = message else {
            return Err(format!("a request is not a JSON object: {}", excerpt()));
        };
        match message.get("cmd").and_then(Value::as_str) {
            Some("hello") => Ok(Some(self.hello())),
            Some("run") => self
                .run(&message)
                .map(Some)
                .map_err(|why| format!("{why}: {}", excerpt())),
            Some("bye") => Ok(None),
            _ => Err(format!(
                "a request has no known cmd (hello, run or bye): {}",
                excerpt()
            )),
        }
    }

    fn hello(&self) -> Value {
        let stages: Vec<&str> = self
            .handlers
            .iter()
            .map(|(stage, _)| spec::spec(*stage).name)
            .collect();
        let mut hello = json!({
            "protocol": 1,
            "name": self.name,
            "language": "rust",
            "dtype": T::DTYPE,
            "stages": stages,
            "label_formats": ["sparse", "onehot"],
            "checks_inputs": true,
        });
        if let Some(version) = &self.version {
            hello["version"] = json!(version);
        }
        hello
    }

    /// A run's reply: the outputs, an error of the kind the inputs call for, the learner's
    /// error or panic as `exception`, or `unsupported`.
    fn run(&self, message: &Map<String, Value>) -> Result<Value, String> {
        let seq = message
            .get("seq")
            .and_then(Value::as_u64)
            .ok_or("a run without a seq (an integer >= 0)")?;
        let name = message
            .get("stage")
            .and_then(Value::as_str)
            .ok_or("a run without a stage")?;
        let spec = spec::find(name).ok_or_else(|| {
            format!("a run for the stage {name:?}, which the suite does not have")
        })?;
        let Some((_, handler)) = self.handlers.iter().find(|(stage, _)| *stage == spec.stage)
        else {
            return Err(format!(
                "a run for the stage {name}, which this port does not declare"
            ));
        };
        let object = |key: &str| {
            message
                .get(key)
                .and_then(Value::as_object)
                .ok_or(format!("a run without {key}"))
        };
        let (inputs, params) = (object("inputs")?, object("params")?);
        let mut args = match Args::<T>::check(spec, inputs, params) {
            Ok(args) => args,
            Err(Refusal::Invalid(kind, message)) => {
                return Ok(json!({"seq": seq, "error": {"kind": kind.name(), "message": message}}));
            }
            Err(Refusal::Protocol(why)) => return Err(why),
            Err(Refusal::Declined(reason)) => {
                return Ok(json!({"seq": seq, "unsupported": reason}))
            }
        };
        let exception = |message: String| json!({"seq": seq, "error": {"kind": "exception", "message": message}});
        LAST_PANIC.with(|last| last.borrow_mut().take());
        Ok(
            match panic::catch_unwind(AssertUnwindSafe(|| handler(&mut args))) {
                Ok(Ok(outputs)) => match args.check_outputs(spec, &outputs) {
                    Ok(()) => {
                        json!({"seq": seq, "outputs": Map::from_iter(outputs.into_iter().map(|(k, v)| (k.to_owned(), v)))})
                    }
                    Err(why) => exception(why),
                },
                Ok(Err(error)) => match error.downcast_ref::<Unsupported>() {
                    Some(Unsupported(reason)) => json!({"seq": seq, "unsupported": reason}),
                    None => exception(error.to_string()),
                },
                Err(payload) => {
                    let text = LAST_PANIC.with(|last| last.borrow_mut().take());
                    exception(
                        text.unwrap_or_else(|| format!("panicked: {}", payload_text(&*payload))),
                    )
                }
            },
        )
    }
}

/// A panic prints one line on stderr and is kept for the reply: `panicked at FILE:LINE:COL: MESSAGE`.
pub(crate) fn report_panics() {
    panic::set_hook(Box::new(|info| {
        let message = payload_text(info.payload());
        let at = info.location().map_or(String::new(), |l| {
            format!(" at {}:{}:{}", l.file(), l.line(), l.column())
        });
        let text = format!("panicked{at}: {message}");
        eprintln!("nnfs-kit: {text}");
        LAST_PANIC.with(|last| *last.borrow_mut() = Some(text));
    }));
}

thread_local! {
    /// The last panic's message and place, as the hook saw it.
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn payload_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        text.to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "(a panic without a message)".into()
    }
}

/// Keeps the real stdin and stdout for the protocol: fd 1 becomes a copy of stderr (so
/// `println!` and a C library's printf land on stderr) and fd 0 reads /dev/null. None where
/// that cannot be done (not Unix), and the protocol uses the plain streams.
#[cfg(unix)]
pub(crate) fn guard() -> Option<(File, File)> {
    use std::os::fd::{AsFd, AsRawFd};
    extern "C" {
        fn dup2(from: i32, to: i32) -> i32; // from the C library std links already
    }
    let _ = io::stdout().flush();
    let input = File::from(io::stdin().as_fd().try_clone_to_owned().ok()?);
    let output = File::from(io::stdout().as_fd().try_clone_to_owned().ok()?);
    let null = File::open("/dev/null").ok()?;
    // SAFETY: dup2 on descriptors this process owns; 0 and 1 stay open, now other files.
    let moved =
        unsafe { dup2(io::stderr().as_fd().as_raw_fd(), 1) >= 0 && dup2(null.as_raw_fd(), 0) >= 0 };
    moved.then_some((input, output))
}

#[cfg(not(unix))]
pub(crate) fn guard() -> Option<(File, File)> {
    None
}
