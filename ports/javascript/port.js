// The JavaScript port of nnfs-conformance: protocol 1, JSON Lines over stdin and stdout.
//
// Reads one message a line and answers each with one line. Serves both transports: a session
// (many messages, then {"cmd": "bye"}) and one-shot (one message, then end of input).
// Run it under the suite's runner:  nnfs-conform run -- node ports/javascript/port.js

import { realpathSync } from "node:fs";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import * as nnfs from "./nnfs.js";

export const HELLO = {
  protocol: 1,
  name: "javascript-plain",
  language: "javascript",
  dtype: "float64",
  stages: ["neuron", "layer", "dense_batch", "relu", "softmax",
    "categorical_crossentropy", "accuracy", "forward",
    "dense_backward", "relu_backward", "softmax_backward", "categorical_crossentropy_backward",
    "softmax_crossentropy_backward", "regularization", "dropout", "sigmoid",
    "binary_crossentropy", "mean_squared_error", "mean_absolute_error",
    "sgd_step", "adagrad_step", "rmsprop_step", "adam_step", "training"],
  label_formats: ["sparse", "onehot"],
  checks_inputs: true,
  version: "0.1.0",
};

const STAGES = Object.fromEntries(HELLO.stages.map((name) => [name, nnfs[name]]));

// JSON has no NaN or infinities: the protocol writes them as these strings.
const NON_FINITE = { "NaN": NaN, "Infinity": Infinity, "-Infinity": -Infinity };

// JSON.parse reviver: "NaN"/"Infinity"/"-Infinity" strings -> numbers.
// NOTE: JSON.parse reads every number as the nearest double (5e-324, 2^53 + 1, -0.0 too).
function decode(key, value) {
  return typeof value === "string" && Object.hasOwn(NON_FINITE, value) ? NON_FINITE[value] : value;
}

// JSON.stringify replacer, the inverse of decode: it would write NaN and the infinities as null.
function encode(key, value) {
  if (typeof value !== "number" || Number.isFinite(value)) return value;
  if (Number.isNaN(value)) return "NaN";
  return value > 0 ? "Infinity" : "-Infinity";
}

// Answer a run message: the stage's outputs, or the kind of error its inputs have.
function run(message) {
  if (!Object.hasOwn(STAGES, message.stage)) {
    throw new Error(`unknown stage ${JSON.stringify(message.stage)}`);
  }
  try {
    const outputs = STAGES[message.stage]({ ...message.inputs, ...message.params });
    return { seq: message.seq, outputs };
  } catch (error) {
    if (!(error instanceof nnfs.StageError)) throw error;
    return { seq: message.seq, error: { kind: error.kind, message: error.message } };
  }
}

// The reply line to one request line, or null for bye. Throws on anything that is not the
// protocol.
export function answer(line) {
  const message = JSON.parse(line, decode);
  let reply;
  if (message.cmd === "hello") reply = HELLO;
  else if (message.cmd === "run") reply = run(message);
  else if (message.cmd === "bye") return null;
  else throw new Error(`unknown cmd ${JSON.stringify(message.cmd)}`);
  return JSON.stringify(reply, encode);
}

async function main() {
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === "") continue;
    let reply;
    try {
      reply = answer(line);
    } catch (error) {
      // A bad request or a bug in this port. The protocol has no error kind for that, so say
      // why on stderr and exit non-zero: the runner marks the case and restarts us.
      const why = String(error.message).replace(/\s+/g, " ");
      process.stderr.write(`port.js: cannot answer (${why}): ${line.slice(0, 200)}\n`);
      process.exitCode = 1;
      break;
    }
    if (reply === null) break; // bye
    process.stdout.write(reply + "\n");
  }
  // End of input (one-shot transport), bye or a fatal error. Stop reading, so that Node exits
  // by itself once stdout has drained (process.exit() could cut a reply short).
  process.stdin.destroy();
}

// Run the loop when started as a program (`node port.js`), not when imported by the tests.
if (fileURLToPath(import.meta.url) === realpathSync(process.argv[1])) {
  await main();
}
