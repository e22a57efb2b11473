// node --test: the kit's JSON, input checks and protocol, through a learner run as a program
// (importing the kit moves stdout to stderr, so the tests talk to it as the runner does).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const LEARNER = fileURLToPath(new URL("../fixtures/learner.js", import.meta.url));

// Start the learner, write these lines (strings as they are, objects as JSON), wait for exit.
function port(lines, ...args) {
  const input = lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l)) + "\n").join("");
  const done = spawnSync(process.execPath, [LEARNER, ...args], { input });
  return {
    replies: done.stdout.toString().split("\n").filter(Boolean),
    stderr: done.stderr.toString(),
    status: done.status,
  };
}

const run = (stage, inputs, params = {}) =>
  ({ cmd: "run", seq: 7, id: "t", stage, inputs, params });

// The reply to one run request (an object, or a line of JSON text), and its raw text.
function answer(message, ...args) {
  const { replies, status, stderr } = port([message], ...args);
  assert.equal(status, 0, stderr);
  assert.equal(replies.length, 1);
  return { text: replies[0], ...JSON.parse(replies[0]) };
}

const errorKind = (stage, inputs, params) => answer(run(stage, inputs, params)).error?.kind;

// The replies to several run requests of one stage, in one process: each parsed.
function answers(stage, cases, params = {}) {
  const { replies, status, stderr } = port(cases.map((inputs) => run(stage, inputs, params)));
  assert.equal(status, 0, stderr);
  assert.equal(replies.length, cases.length);
  return replies.map((reply) => JSON.parse(reply));
}

test("hard numbers are read as the nearest double and written back as themselves", () => {
  const line = '{"cmd":"run","seq":7,"id":"t","stage":"relu","params":{},"inputs":{"inputs":'
    + '[5e-324,1e+23,9007199254740993,-0.0,0.1,1e21,"NaN","Infinity","-Infinity"]}}';
  assert.equal(answer(line).text, '{"seq":7,"outputs":{"output":'
    + '[5e-324,1e+23,9007199254740992,-0.0,0.1,1e+21,"NaN","Infinity","-Infinity"]}}');
});

test("every double printed reads back as the same double", () => {
  const bits = new DataView(new ArrayBuffer(8));
  const values = Array.from({ length: 2000 }, (_, i) => {
    bits.setUint32(0, (i * 2654435761) >>> 0);
    bits.setUint32(4, (i * 40503 + 12345) >>> 0);
    return bits.getFloat64(0);
  }).filter(Number.isFinite);
  const { outputs } = answer(run("relu", { inputs: values }));
  assert.deepEqual(outputs.output, values);
});

test("a float32 port receives every input rounded to float32", () => {
  const { outputs } = answer(run("relu", { inputs: [0.1, 1e-46, 3.4028234663852886e38, 16777217] }),
    "float32");
  assert.deepEqual(outputs.output, [Math.fround(0.1), 0, 3.4028234663852886e38, 16777216]);
});

test("the hello names exactly the stages given, in the suite's order, and checks inputs", () => {
  const [hello] = port([{ cmd: "hello", protocol: 1 }]).replies.map((r) => JSON.parse(r));
  assert.deepEqual(hello, {
    protocol: 1, name: "kit-test", language: "javascript", dtype: "float64",
    stages: ["neuron", "dense_batch", "relu", "softmax", "accuracy", "relu_backward",
      "repeated_forward", "regression_accuracy", "model_training", "preprocess", "batches",
      "predictions", "evaluate", "rng", "shuffle", "chapters"],
    label_formats: ["sparse", "onehot"], checks_inputs: true,
  });
});

test("invalid inputs are answered by the kit, in the order of docs/STAGES.md", () => {
  assert.equal(errorKind("softmax", { inputs: [] }), "empty_batch");
  assert.equal(errorKind("softmax", { inputs: [[1, 2], [3]] }), "ragged_rows");
  assert.equal(errorKind("softmax", { inputs: [[1, 2], 3] }), "ragged_rows");
  assert.equal(errorKind("softmax", { inputs: [1, 2] }), "shape_mismatch");
  assert.equal(errorKind("neuron", { inputs: [1, 2], weights: [1], bias: 0 }), "shape_mismatch");
  assert.equal(errorKind("neuron", { inputs: [1], weights: [1], bias: [0] }), "shape_mismatch");
  assert.equal(errorKind("neuron", { inputs: [1, "x"], weights: [1, 1], bias: 0 }),
    "shape_mismatch");
  const predictions = [[0.5, 0.5], [0.9, 0.1]];
  const labels = (y_true, label_format) =>
    errorKind("accuracy", { y_pred: predictions, y_true }, { label_format });
  assert.equal(labels([0, 2], "sparse"), "label_out_of_range");
  assert.equal(labels([0, -1], "sparse"), "label_out_of_range");
  assert.equal(labels([0, 0.5], "sparse"), "invalid_label");
  assert.equal(labels([0], "sparse"), "shape_mismatch");
  assert.equal(labels([[1, 0], [0, 1]], "sparse"), "shape_mismatch");
  assert.equal(labels([[1, 0], [1, 1]], "onehot"), "invalid_label");
  assert.equal(labels([[1, 0], [0, 0]], "onehot"), "invalid_label");
  assert.equal(labels([[1, 0, 0], [0, 1, 0]], "onehot"), "shape_mismatch");
});

test("the book tier's inputs are integers >= 0 and [kind, count] pairs, as the reference's", () => {
  const rng = (inputs) => errorKind("rng", inputs);
  for (const seed of [-1, 0.5, "0", "NaN", [0], null]) {
    assert.equal(rng({ seed, calls: [[0, 1]] }), "shape_mismatch", JSON.stringify(seed));
  }
  for (const calls of [[], [0, 1], [[0, 1, 2]], [[3, 1]], [[0, -1]], [[0, 1.5]], [[0, "1"]]]) {
    assert.equal(rng({ seed: 0, calls }), "shape_mismatch", JSON.stringify(calls));
  }
  assert.equal(rng({ seed: 0, calls: [[0, 1], [2]] }), "ragged_rows");
  assert.deepEqual(answer(run("rng", { seed: 4294967295, calls: [[2, 1], [0.0, 2]] })).outputs,
    { values: [2, 0, 0] });
});

test("the book tier's outputs have the sizes their inputs and params imply", () => {
  assert.deepEqual(answer(run("rng", { seed: 1, calls: [[1, 2], [2, 1]] })).error, {
    kind: "exception", message: "rng's values is an array of 2, not an array of 3 (the "
      + "output's shape is [3])",
  });
  assert.deepEqual(answer(run("shuffle", { seed: 0, samples: 3 })).outputs, { keys: [0, 1, 2] });
  assert.deepEqual(answer(run("shuffle", { seed: 0, samples: 0 })).outputs, { keys: [] });
  assert.equal(answer(run("shuffle", { seed: 1, samples: 2 })).error.message,
    "shuffle's keys[0] is \"0\", not a number");
  assert.equal(errorKind("shuffle", { seed: 0, samples: -1 }), "shape_mismatch");
  const chapters = (printed, classes) => answer(run("chapters",
    { seed: 0, samples: 100, classes, hidden: 3, steps: 0 },
    { printed, optimizer: "sgd", learning_rate: 1, decay: 0, momentum: 0 }));
  assert.deepEqual(chapters("biases2", 2).outputs, { value: [[1, 2]] });
  assert.equal(chapters("biases2", 3).error.kind, "exception");
  assert.equal(chapters("loss", 2).error.message,
    "chapters's value is an array of 1, not a number");
});

test("the book tier's params are checked: a choice, or a number", () => {
  const inputs = { seed: 0, samples: 100, classes: 3, hidden: 3, steps: 0 };
  const params = { printed: "loss", optimizer: "sgd", learning_rate: 1, decay: 0, momentum: 0 };
  for (const wrong of [{ printed: "los" }, { optimizer: "adamw" }, { learning_rate: "1" },
    { decay: undefined }]) {
    const { replies, stderr, status } = port([run("chapters", inputs, { ...params, ...wrong })]);
    assert.equal(status, 1, JSON.stringify(wrong));
    assert.deepEqual(replies, []);
    assert.match(stderr, /nnfs-kit: cannot answer .*chapters's param/);
  }
});

test("preprocess: images are bytes 0-255 and keys a permutation, else invalid_value", () => {
  const images = [[[0, 1], [2, 3]], [[4, 5], [6, 7]], [[8, 9], [10, 11]]];
  const good = { images, labels: [0, 1, 2], keys: [2, 0, 1] };
  const pixel = (byte) => ({ ...good, images: [images[0], [[4, 5], [6, byte]], images[2]] });
  const cases = [good,
    ...[256, -1, 1.5, "7", "NaN", null].map(pixel),
    ...[[0, 0, 1], [0, 1, 3], [0, 1, -1], [0, 1, 1.5], [0, 1, "2"], [2, 1, 2]].map((keys) =>
      ({ ...good, keys })),
    { ...good, images: [] }, { ...good, images: [[0, 1], [2, 3]] }, pixel([7]),
    { ...good, labels: [0, 1] }, { ...good, labels: [0, 1.5, 2] },
    { ...good, labels: [[0], [1], [2]] }, { ...good, keys: [2, 0] },
    { ...good, keys: [[2], [0], [1]] }];
  const [first, ...rest] = answers("preprocess", cases);
  assert.deepEqual(first.outputs,
    { x: [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]], y: [0, 1, 2] });
  assert.deepEqual(rest.map((reply) => reply.error?.kind), [
    ...Array(6).fill("invalid_value"), ...Array(6).fill("invalid_value"),
    "empty_batch", "shape_mismatch", "ragged_rows",
    "shape_mismatch", "shape_mismatch", "shape_mismatch", "shape_mismatch", "shape_mismatch"]);
});

test("preprocess: x must be (B, H·W), the images flattened", () => {
  const { error } = answer(run("preprocess",
    { images: [[[255, 1], [2, 3]]], labels: [0], keys: [0] }));
  assert.deepEqual(error, { kind: "exception", message: "preprocess's x[0] is an array of 3, "
    + "not an array of 4 (the output's shape is [1, 4])" });
});

test("repeated_forward's second batch has its own size D: outputs are shaped by each batch", () => {
  const weights = [[1], [1]];
  const twoThenThree = { inputs1: [[1, 2], [3, 4]], inputs2: [[1, 2], [3, 4], [5, 6]], weights,
    biases: [0], dvalues: [[1], [1], [1]] };
  const [good, ...rest] = answers("repeated_forward", [twoThenThree,
    { ...twoThenThree, inputs1: [] }, { ...twoThenThree, inputs2: [] },
    { ...twoThenThree, dvalues: [[1], [1]] }, { ...twoThenThree, dvalues: [] },
    { ...twoThenThree, inputs2: [[1, 2, 3]] }, { ...twoThenThree, inputs2: [[1, 2], [3]] }]);
  assert.deepEqual(good.outputs, { output1: [[2], [2]], output2: [[3], [3], [3]],
    dweights: [[3], [3]], dbiases: [3], dinputs: [[3, 3], [3, 3], [3, 3]] });
  assert.deepEqual(rest.map((reply) => reply.error?.kind), ["empty_batch", "empty_batch",
    "shape_mismatch", "shape_mismatch", "shape_mismatch", "ragged_rows"]);
});

test("batches: batch_size is an integer >= 1, and the first output binds the steps S", () => {
  const inputs = [[0, 0], [1, -1], [2, -2], [3, -3], [4, -4]];
  const [two, eight, ...rest] = answers("batches", [2, 8, 0, -4, 2.5, "2", [2], null, 3]
    .map((batch_size) => ({ inputs, batch_size })));
  assert.deepEqual(two.outputs, { steps: 3, batch_sizes: [2, 2, 1],
    first_rows: [[0, 0], [2, -2], [4, -4]], last_rows: [[1, -1], [3, -3], [4, -4]] });
  assert.deepEqual(eight.outputs, { steps: 1, batch_sizes: [5], first_rows: [[0, 0]],
    last_rows: [[4, -4]] });
  assert.deepEqual(rest.slice(0, -1).map((reply) => reply.error?.kind),
    Array(6).fill("invalid_value"));
  assert.deepEqual(rest.at(-1).error, { kind: "exception", message: "batches's first_rows is "
    + "an array of 1, not an array of 2 (the output's shape is [2, 2])" });
  assert.equal(errorKind("batches", { inputs: [], batch_size: 1 }), "empty_batch");
});

test("predictions: the activation decides the output's shape", () => {
  const inputs = [[0.25, 0.75, 0], [1, 0, 0]];
  const shaped = (activation) => answers("predictions", [{ inputs }], { activation })[0];
  assert.deepEqual(shaped("sigmoid").outputs, { predictions: [[0, 1, 0], [1, 0, 0]] });
  assert.deepEqual(shaped("linear").outputs, { predictions: [[0, 1, 0], [1, 0, 0]] });
  assert.deepEqual(shaped("softmax").error, { kind: "exception", message: "predictions's "
    + "predictions[0] is an array of 3, not a number" });
  const { replies, stderr, status } =
    port([run("predictions", { inputs }, { activation: "relu" })]);
  assert.deepEqual([status, replies], [1, []]);
  assert.match(stderr, /param activation is "relu", not one of softmax, sigmoid, linear/);
});

test("a precision is one number >= 0, a batch size an integer >= 1", () => {
  const y = [[1, 2]];
  assert.deepEqual(answers("regression_accuracy", [0.5, 0, -0.5, "NaN", [0.5], "-Infinity"]
    .map((precision) => ({ y_pred: y, y_true: y, precision })))
    .map((reply) => reply.error?.kind ?? reply.outputs.accuracy),
  [0.5, 0, "invalid_value", "invalid_value", "shape_mismatch", "invalid_value"]);
  const y_pred = [[0.5, 0.5], [0.9, 0.1], [0.2, 0.8]];
  assert.deepEqual(answers("evaluate", [2, 3, 0, 1.5].map((batch_size) =>
    ({ y_pred, y_true: [1, 0, 1], batch_size })), { label_format: "sparse" })
    .map((reply) => reply.error?.kind ?? reply.outputs.loss),
  [2, 3, "invalid_value", "invalid_value"]);
  const onehot = { y_pred, y_true: [[0, 1], [1, 0], [0, 1]], batch_size: 1 };
  assert.equal(answer(run("evaluate", onehot, { label_format: "onehot" })).outputs.accuracy, 1);
  assert.equal(errorKind("evaluate", { y_pred, y_true: [1, 2, 1], batch_size: 1 },
    { label_format: "sparse" }), "label_out_of_range");
});

test("model_training: the validation set is a batch of its own, M samples and labels", () => {
  const good = {
    inputs: [[1, 2], [3, 4], [5, 6]], y_true: [0, 1, 0],
    validation_inputs: [[1, 2], [3, 4]], validation_y_true: [1, 1],
    weights1: [[1], [1]], biases1: [0], weights2: [[1, 1]], biases2: [0, 0],
    epochs: 2, batch_size: 2, weight_regularizer_l1: 0, weight_regularizer_l2: 5e-4,
    bias_regularizer_l1: 0, bias_regularizer_l2: 5e-4, learning_rate: 1, decay: 0, momentum: 0,
    epsilon: 1e-7, rho: 0.9, beta_1: 0.9, beta_2: 0.999,
  };
  const params = { label_format: "sparse", optimizer: "sgd" };
  const [first, ...rest] = answers("model_training", [good,
    { ...good, validation_inputs: [], validation_y_true: [] },
    { ...good, validation_inputs: [[1, 2, 3], [4, 5, 6]] },
    { ...good, validation_inputs: [[1, 2], [3]] },
    { ...good, validation_y_true: [1, 1, 0] }, { ...good, validation_y_true: [1, 2] },
    { ...good, validation_y_true: [1, 0.5] }, { ...good, epochs: 0 }, { ...good, batch_size: 0 },
    { ...good, bias_regularizer_l2: -1 }, { ...good, inputs: [], y_true: [] }], params);
  const two = [2, 2];
  assert.deepEqual(first.outputs, { loss: two, data_loss: two, regularization_loss: two,
    accuracy: two, learning_rate: two, validation_loss: two, validation_accuracy: two,
    weights1: [[1], [1]], biases1: [0], weights2: [[1, 1]], biases2: [0, 0] });
  assert.deepEqual(rest.map((reply) => reply.error?.kind), ["empty_batch", "shape_mismatch",
    "ragged_rows", "shape_mismatch", "label_out_of_range", "invalid_label", "invalid_value",
    "invalid_value", "invalid_value", "empty_batch"]);
  const onehot = (validation_y_true) => answers("model_training",
    [{ ...good, y_true: [[1, 0], [0, 1], [1, 0]], validation_y_true }],
    { ...params, label_format: "onehot" })[0];
  assert.deepEqual(onehot([[0, 1], [1, 0]]).outputs.loss, two);
  assert.equal(onehot([[0, 1, 0], [1, 0, 0]]).error.kind, "shape_mismatch");
  assert.equal(onehot([[0, 1], [1, 1]]).error.kind, "invalid_label");
});

test("labels reach the learner as { sparse } or { onehot }", () => {
  const predictions = [[0.5, 0.5], [0.9, 0.1]];
  const sparse = answer(run("accuracy", { y_pred: predictions, y_true: [1, 0] },
    { label_format: "sparse" }));
  assert.deepEqual(sparse.outputs, { predictions: [1, 0], accuracy: 0 });
  const onehot = answer(run("accuracy", { y_pred: predictions, y_true: [[0, 1], [1, 0]] },
    { label_format: "onehot" }));
  assert.deepEqual(onehot.outputs, { predictions: [1, 0], accuracy: 1 });
});

test("a rank-1 relu case reaches the learner as one row and goes back as a list", () => {
  const flat = answer(run("relu_backward", { inputs: [1, -2, 3], dvalues: [1, 1, 1] }));
  assert.deepEqual(flat.outputs, { dinputs: [1, 1, 1] });
  const batch = answer(run("relu_backward", { inputs: [[1, -2], [3, 4]], dvalues: [[1, 1], [1, 1]] }));
  assert.deepEqual(batch.outputs, { dinputs: [[2, 2], [2, 2]] });
});

test("per-neuron weights (N, K) reach dense_batch transposed to Layer_Dense's (K, N)", () => {
  const inputs = { inputs: [[1, 2, 3], [4, 5, 6], [7, 8, 9]], weights: [[1, 2, 3], [4, 5, 6]],
    biases: [0, 0] };
  const { outputs } = answer(run("dense_batch", inputs, { weights_layout: "neurons_inputs" }));
  assert.deepEqual(outputs.output, [[1, 4], [2, 5], [3, 6]]);
});

test("the learner's prints go to stderr and the replies stay whole", () => {
  const { replies, stderr, status } = port([{ cmd: "hello", protocol: 1 },
    run("neuron", { inputs: [2], weights: [3], bias: 1 }), { cmd: "bye" }]);
  assert.equal(status, 0);
  assert.equal(replies.length, 2);
  assert.deepEqual(JSON.parse(replies[1]), { seq: 7, outputs: { output: 7 } });
  for (const print of ["a print while the module loads", "console.log from a stage",
    "console.info from a stage", "process.stdout.write from a stage"]) {
    assert.ok(stderr.includes(print), print);
  }
});

test("a learner's error is an exception reply with its message, and the run goes on", () => {
  const { replies, status } = port([run("neuron", { inputs: [1], weights: [1], bias: 2 }),
    run("neuron", { inputs: [1], weights: [1], bias: 0 })]);
  assert.equal(status, 0);
  const { error } = JSON.parse(replies[0]);
  assert.equal(error.kind, "exception");
  assert.match(error.message, /^the learner's own message \(at learner\.js:\d+\)$/);
  assert.deepEqual(JSON.parse(replies[1]).outputs, { output: 1 });
});

test("throwing Unsupported declines the case", () => {
  const reply = answer(run("neuron", { inputs: [1], weights: [1], bias: 3 }));
  assert.deepEqual({ seq: reply.seq, unsupported: reply.unsupported },
    { seq: 7, unsupported: "not written yet" });
});

test("an output of the wrong shape, name or kind is an exception naming the stage", () => {
  const message = (bias) => answer(run("neuron", { inputs: [1], weights: [1], bias })).error;
  assert.deepEqual(message(4),
    { kind: "exception", message: "neuron's output is an array of 2, not a number" });
  assert.match(message(5).message, /^neuron returned no output/);
  assert.match(message(6).message, /^neuron returned a Promise/);
});

test("a line that is not the protocol stops the port: one line on stderr, exit status 1", () => {
  for (const line of ["loss 1.09", '{"cmd":"run","seq":1,', '{"cmd":"run"}', "[1]",
    '{"cmd":"dance"}', JSON.stringify(run("sigmoid", { inputs: [[1]], dvalues: [[1]] })),
    JSON.stringify(run("dense_batch", { inputs: [[1]], weights: [[1]], biases: [1] }))]) {
    const { replies, stderr, status } = port([line, { cmd: "hello", protocol: 1 }]);
    assert.equal(status, 1, line);
    assert.deepEqual(replies, [], line);
    const lines = stderr.split("\n").filter((l) => l && !l.startsWith("a print while"));
    assert.equal(lines.length, 1, stderr);
    assert.match(lines[0], /^nnfs-kit: cannot answer/);
  }
});

test("the port exits 0 at bye and at the end of its input", () => {
  const bye = port([{ cmd: "bye" }, { cmd: "hello", protocol: 1 }]);
  assert.deepEqual([bye.status, bye.replies], [0, []]);
  const eof = port([{ cmd: "hello", protocol: 1 }]);
  assert.deepEqual([eof.status, eof.replies.length], [0, 1]);
});

test("a mistake in serve()'s declaration stops the port before any line: exit status 2", () => {
  const kit = new URL("../index.js", import.meta.url).href;
  const done = spawnSync(process.execPath, ["--input-type=module", "-e",
    `import { serve } from ${JSON.stringify(kit)};
     serve({ name: "x", dtype: "float64", stages: { relu_bacward: () => ({}) } });`],
  { input: '{"cmd":"hello","protocol":1}\n' });
  assert.equal(done.status, 2);
  assert.equal(done.stdout.toString(), "");
  assert.match(done.stderr.toString(),
    /^nnfs-kit: serve\(\): no stage is named "relu_bacward"; [^\n]*\n$/);
});
