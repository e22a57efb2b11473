// npm test: a few checks with Node's built-in test runner; the full suite is nnfs-conform.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import * as nnfs from "../nnfs.js";

const PORT = fileURLToPath(new URL("../port.js", import.meta.url));

// The port's reply to one request line, parsed.
function answer(line) {
  const done = spawnSync(process.execPath, [PORT], { input: `${line}\n` });
  assert.equal(done.status, 0, done.stderr.toString());
  return JSON.parse(done.stdout.toString());
}

test("the book's first neuron outputs 35.7", () => {
  const { output } = nnfs.neuron({ inputs: [1.2, 5.1, 2.1], weights: [3.1, 2.1, 8.7], bias: 3 });
  assert.ok(Math.abs(output - 35.7) < 1e-12);
});

test("hard numbers are parsed as the nearest double and written back exactly", () => {
  // The numbers as the runner writes them: a lossy parser gets these wrong.
  const reply = answer('{"cmd":"run","seq":1,"id":"relu/test","stage":"relu","params":{},'
    + '"inputs":{"inputs":[5e-324,1e+23,9007199254740993,-0.0,0.1,"NaN","Infinity"]}}');
  assert.deepEqual(reply.outputs.output, [5e-324, 1e23, 2 ** 53, 0, 0.1, "NaN", "Infinity"]);
});

test("a ragged batch is ragged_rows, as an error reply from the kit", () => {
  const reply = answer('{"cmd":"run","seq":7,"id":"softmax/test","stage":"softmax",'
    + '"inputs":{"inputs":[[1.0,2.0],[3.0]]},"params":{}}');
  assert.equal(reply.seq, 7);
  assert.equal(reply.error.kind, "ragged_rows");
});

test("accuracy takes sparse labels and one-hot rows alike", () => {
  const y_pred = [[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]];
  assert.equal(nnfs.accuracy({ y_pred, y_true: { sparse: [0, 1] } }).accuracy, 0.5);
  assert.equal(nnfs.accuracy({ y_pred, y_true: { onehot: [[1, 0, 0], [0, 0, 1]] } }).accuracy, 1);
});

test("relu_backward masks on the inputs, zero and -0.0 included", () => {
  const { dinputs } = nnfs.relu_backward({ inputs: [2, 0, -0, -1], dvalues: [5, 6, 7, 8] });
  assert.deepEqual(dinputs, [5, 0, 0, 0]);
});

test("sgd_step without momentum returns the momentums unchanged", () => {
  const result = nnfs.sgd_step({
    weights: [[1]], biases: [1], dweights: [[2]], dbiases: [4],
    weight_momentums: [[0.5]], bias_momentums: [0.25],
    iterations: 1, learning_rate: 1, decay: 1, momentum: 0,
  });
  assert.deepEqual(result, {
    weights: [[0]], biases: [-1], weight_momentums: [[0.5]], bias_momentums: [0.25],
    learning_rate: 0.5, iterations: 2,
  });
});
