// npm test: a few checks with Node's built-in test runner; the full suite is nnfs-conform.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import * as book from "../book.js";
import { log } from "../crlog.js";
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

test("parameters go through a real file and come back with every bit, -0.0 included", () => {
  const weights1 = [[0.1, -0], [1e-300, 5e-324]];
  const weights2 = [[1 / 3], [-2 / 3]];
  const result = nnfs.parameters({ inputs: [[1, 2]], weights1, biases1: [0.2, -0.3],
    weights2, biases2: [Math.PI] });
  assert.deepEqual(result.weights1, weights1);
  assert.ok(Object.is(result.weights1[0][1], -0));
  assert.deepEqual([result.biases1, result.weights2, result.biases2],
    [[0.2, -0.3], weights2, [Math.PI]]);
  assert.deepEqual(result.output, [[1]]);
});

test("batches: a short last batch is a step of its own", () => {
  const inputs = [[0], [1], [2], [3], [4]];
  assert.deepEqual(nnfs.batches({ inputs, batch_size: 2 }), {
    steps: 3, batch_sizes: [2, 2, 1], first_rows: [[0], [2], [4]], last_rows: [[1], [3], [4]],
  });
  assert.deepEqual(nnfs.batches({ inputs, batch_size: 8 }).batch_sizes, [5]);
});

test("evaluate divides the accumulated sums once, not the mean of batch means", () => {
  const y_pred = [[0.5, 0.5], [0.25, 0.75], [1, 0]];
  const y_true = { sparse: [0, 0, 0] };
  const { loss, accuracy } = nnfs.evaluate({ y_pred, y_true, batch_size: 2 });
  assert.equal(accuracy, 2 / 3);  // the batch means' mean is (1/2 + 1) / 2
  assert.equal(loss, (-Math.log(0.5) - Math.log(0.25) - Math.log(1 - 1e-7)) / 3);
});

test("predictions: argmax, > 0.5 and the outputs themselves", () => {
  const inputs = [[0.25, 0.5, 0.5], [0.75, 0.5, -1]];
  assert.deepEqual(nnfs.predictions({ inputs, activation: "softmax" }).predictions, [1, 0]);
  assert.deepEqual(nnfs.predictions({ inputs, activation: "sigmoid" }).predictions,
    [[0, 0, 0], [1, 0, 0]]);
  assert.deepEqual(nnfs.predictions({ inputs, activation: "linear" }).predictions, inputs);
});

test("the port declares the book tier", () => {
  const hello = answer('{"cmd":"hello","protocol":1}');
  assert.deepEqual(hello.stages.slice(-5), ["rng", "datasets", "init", "shuffle", "chapters"]);
});

test("log is correctly rounded where V8's Math.log is one ULP off", () => {
  // [x, ln(x) rounded to nearest] (mpmath at 200 bits); Math.log gives the neighbouring double
  for (const [x, nearest] of [[0.35827209454785824, -1.0264625406295804],
    [0.8499417636664569, -0.16258744517850068], [0.8196245514738739, -0.19890890763184302]]) {
    assert.notEqual(Math.log(x), nearest);
    assert.equal(log(x), nearest);
  }
  assert.equal(log(2), Math.LN2);
  assert.equal(log(1), 0);
  for (let x = 1e-30; x < 1e30; x *= 1.37) {
    const ulp = Math.abs(Math.log(x)) * 2 ** -52;
    assert.ok(Math.abs(log(x) - Math.log(x)) <= ulp, String(x));
  }
});

test("np.random.seed(0)'s stream starts as the book's does", () => {
  // docs/BOOK.md: the first 32-bit outputs, doubles and Gaussians
  assert.deepEqual(book.rng({ seed: 0, calls: [[0, 3]] }).values,
    [2357136044, 2546248239, 3071714933]);
  assert.deepEqual(book.rng({ seed: 0, calls: [[1, 2]] }).values,
    [0.5488135039273248, 0.7151893663724195]);
  assert.deepEqual(book.rng({ seed: 0, calls: [[2, 3]] }).values,
    [1.764052345967664, 0.4001572083672233, 0.9787379841057392]);
  // the cached Gaussian survives between calls: randn(3) then randn(2) is randn(5)
  assert.deepEqual(book.rng({ seed: 0, calls: [[2, 3], [2, 2]] }),
    book.rng({ seed: 0, calls: [[2, 5]] }));
});

test("np.random.seed(0); np.random.shuffle(range(10)) gives 2, 8, 4, 9, 1, 6, 7, 3, 0, 5", () => {
  assert.deepEqual(book.shuffle({ seed: 0, samples: 10 }).keys, [2, 8, 4, 9, 1, 6, 7, 3, 0, 5]);
});

test("the float32 sum of np.mean is NumPy's pairwise one, not a running sum", () => {
  const values = Array.from({ length: 300 }, (_, i) => Math.fround(1 + i / 7));
  let running = 0;
  for (const v of values) running = Math.fround(running + v);
  // np.sum(np.float32(1 + np.arange(300) / 7)) is 6707.142578125; a running sum 6707.14306640625
  assert.equal(book.pairwiseSum(values), 6707.142578125);
  assert.equal(running, 6707.14306640625);
});
