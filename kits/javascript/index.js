// nnfs-kit: the protocol of nnfs-conformance, so a JavaScript learner writes only the network.
//
// The kit reads JSON Lines on stdin, checks every input against the stage's declaration below
// (the error kinds of docs/STAGES.md), calls the learner's function with plain arrays of
// numbers, checks the shapes it returns and writes one reply line. Importing it moves the
// learner's prints (console.log, process.stdout.write) to stderr, so they never corrupt a reply.

const STDOUT_WRITE = process.stdout.write.bind(process.stdout); // the replies, and only them
process.stdout.write = process.stderr.write.bind(process.stderr);

// ---------------------------------------------------------------------------------------------
// The stages, declared once: the inputs in the order they are checked, the outputs, the params.
//   name[K,N]  an array of numbers of those dimensions; a letter is bound where it is first seen
//              and must agree everywhere after. B, D and M are batches (repeated_forward's
//              second is D, model_training's validation set M): an input that first shows one as
//              `[]` is empty_batch. An output's letter that no input binds (batches' S) is bound
//              by the first output that shows it
//   name[*]    an array of rank 1 or 2; every later [*] has the same shape
//   name       one number
//   name:type  a checked value: labels (sparse [B] or one-hot [B,C], by label_format; [M] for
//              another batch's), binary (0/1 targets, else invalid_label), mask (0/1, else
//              invalid_value), rate ([0, 1)), factor (>= 0), iterations (an integer >= 0),
//              steps (an integer >= 1, binds S), size (an integer >= 1: a batch size), byte
//              (integers 0-255, else invalid_value), integer (integers, else shape_mismatch),
//              key (a permutation of 0..B-1, else invalid_value); the book tier's int (integers
//              >= 0, else shape_mismatch, as the reference) and calls (int pairs [kind, count],
//              kind 0, 1 or 2)
//   name[...]  an output whose shape the stage's fourth entry computes from its checked inputs
//              and params, and the sizes they bound (predictions' by its activation, preprocess'
//              flattened images; the book tier: how many values rng draws, how many keys shuffle
//              returns, which value chapters prints)
// A digit in the dims is that size: rng's [kind, count] pairs are [R,2].
// Params: the values each may take, or NUMBER. label_format and weights_layout only choose how an
// input is written, so the kit consumes them; the others (path, optimizer, ...) are passed to the
// learner.

const LAYER = "weights[K,N] biases[N] dweights[K,N] dbiases[N]";
const LOSS = "sample_losses[B] loss dinputs[B,O]";
const LABELS = { label_format: ["sparse", "onehot"] };
const TRAINED = "weights1[S,K,H] biases1[S,H] weights2[S,H,C] biases2[S,C]";
const LAYERS = "weights1[K,H] biases1[H] weights2[H,C] biases2[C]"; // the book's two dense layers
const ADAM = "learning_rate decay epsilon beta_1 beta_2";
const REGULARIZERS = "weight_regularizer_l1:factor weight_regularizer_l2:factor "
  + "bias_regularizer_l1:factor bias_regularizer_l2:factor";
const OPTIMIZER = { optimizer: ["sgd", "adagrad", "rmsprop", "adam"] };
const NUMBER = "number"; // a param that is a JSON number, not a choice

// What `chapters` prints, by params.printed: the shape of its value (R is the first five rows of
// the spiral batch, H the hidden units, C the classes; biases are one row, as the book's).
const PRINTED = {
  dense1_output: "R,H", softmax_output: "R,C", loss: "", accuracy: "", learning_rate: "",
  dweights1: "2,H", dbiases1: "1,H", dweights2: "H,C", dbiases2: "1,C",
  weights1: "2,H", biases1: "1,H", weights2: "H,C", biases2: "1,C",
};

function printedShape({ samples, classes, hidden, printed }) {
  const size = { R: Math.min(5, samples * classes), H: hidden, C: classes };
  return PRINTED[printed].split(",").filter(Boolean).map((d) => size[d] ?? Number(d));
}

const DECLARED = {
  neuron: ["inputs[K] weights[K] bias", "output"],
  layer: ["inputs[K] weights[N,K] biases[N]", "output[N]"],
  dense_batch: ["inputs[B,K] weights[K,N] biases[N]", "output[B,N]",
    { weights_layout: ["inputs_neurons", "neurons_inputs"] }],
  relu: ["inputs[*]", "output[*]"],
  dense_relu: ["inputs[B,K] weights[K,N] biases[N]", "dense[B,N] relu[B,N]"],
  softmax: ["inputs[B,C]", "output[B,C]"],
  dense_relu_dense_softmax: [`inputs[B,K] ${LAYERS}`,
    "dense1[B,H] relu1[B,H] dense2[B,C] softmax[B,C]"],
  categorical_crossentropy: ["y_pred[B,C] y_true:labels", "sample_losses[B] loss", LABELS],
  accuracy: ["y_pred[B,C] y_true:labels", "predictions[B] accuracy", LABELS],
  forward: ["inputs[B,K] weights1[K,H] biases1[H] weights2[H,C] biases2[C] y_true:labels",
    "dense1[B,H] relu1[B,H] dense2[B,C] softmax[B,C] sample_losses[B] loss predictions[B] accuracy",
    LABELS],
  dense_backward: ["inputs[B,K] weights[K,N] dvalues[B,N]",
    "dweights[K,N] dbiases[N] dinputs[B,K]"],
  relu_backward: ["inputs[*] dvalues[*]", "dinputs[*]"],
  // NOTE: two batches of their own sizes, B and D; the backward pass is the second's.
  repeated_forward: ["inputs1[B,K] inputs2[D,K] weights[K,N] biases[N] dvalues[D,N]",
    "output1[B,N] output2[D,N] dweights[K,N] dbiases[N] dinputs[D,K]"],
  softmax_backward: ["output[B,C] dvalues[B,C]", "dinputs[B,C]"],
  categorical_crossentropy_backward: ["y_pred[B,C] y_true:labels", "dinputs[B,C]", LABELS],
  softmax_crossentropy_backward: ["y_pred[B,C] y_true:labels", "dinputs[B,C]",
    { ...LABELS, path: ["combined", "separate"] }],
  regularization: [`weights[K,N] biases[N] ${REGULARIZERS}`, "loss dweights[K,N] dbiases[N]"],
  dropout: ["inputs[B,N] mask[B,N]:mask dvalues[B,N] rate:rate", "output[B,N] dinputs[B,N]"],
  sigmoid: ["inputs[B,N] dvalues[B,N]", "output[B,N] dinputs[B,N]"],
  binary_crossentropy: ["y_pred[B,O] y_true[B,O]:binary", LOSS],
  binary_accuracy: ["y_pred[B,O] y_true[B,O]:binary", "predictions[B,O] accuracy"],
  linear: ["inputs[B,N] dvalues[B,N]", "output[B,N] dinputs[B,N]"],
  mean_squared_error: ["y_pred[B,O] y_true[B,O]", LOSS],
  mean_absolute_error: ["y_pred[B,O] y_true[B,O]", LOSS],
  regression_accuracy: ["y_pred[B,O] y_true[B,O] precision:factor", "accuracy"],
  sgd_step: [`${LAYER} weight_momentums[K,N] bias_momentums[N] iterations:iterations `
    + "learning_rate decay momentum",
  "weights[K,N] biases[N] weight_momentums[K,N] bias_momentums[N] learning_rate iterations"],
  adagrad_step: [`${LAYER} weight_cache[K,N] bias_cache[N] iterations:iterations `
    + "learning_rate decay epsilon",
  "weights[K,N] biases[N] weight_cache[K,N] bias_cache[N] learning_rate iterations"],
  rmsprop_step: [`${LAYER} weight_cache[K,N] bias_cache[N] iterations:iterations `
    + "learning_rate decay epsilon rho",
  "weights[K,N] biases[N] weight_cache[K,N] bias_cache[N] learning_rate iterations"],
  adam_step: [`${LAYER} weight_momentums[K,N] bias_momentums[N] weight_cache[K,N] bias_cache[N] `
    + "iterations:iterations learning_rate decay epsilon beta_1 beta_2",
  "weights[K,N] biases[N] weight_momentums[K,N] bias_momentums[N] weight_cache[K,N] "
    + "bias_cache[N] learning_rate iterations"],
  shared_optimizer: [`${LAYERS} dweights1[K,H] dbiases1[H] dweights2[H,C] dbiases2[C] `
    + `steps:steps ${ADAM}`, LAYERS],
  // NOTE: y_true is checked after biases2, which gives C, and steps gives S for the outputs.
  training: ["inputs[B,K] weights1[K,H] biases1[H] weights2[H,C] biases2[C] y_true:labels "
    + "steps:steps learning_rate decay momentum epsilon rho beta_1 beta_2",
  `loss[S] accuracy[S] learning_rate[S] ${TRAINED}`, { ...LABELS, ...OPTIMIZER }],
  // NOTE: a second batch, the validation set's M samples, with its own labels; the epochs
  //       give S, one value per epoch.
  model_training: [`inputs[B,K] validation_inputs[M,K] ${LAYERS} y_true:labels `
    + `validation_y_true[M]:labels epochs:steps batch_size:size ${REGULARIZERS} `
    + "learning_rate decay momentum epsilon rho beta_1 beta_2",
  "loss[S] data_loss[S] regularization_loss[S] accuracy[S] learning_rate[S] validation_loss[S] "
    + `validation_accuracy[S] ${LAYERS}`, { ...LABELS, ...OPTIMIZER }],
  // The Model (chapters 18-22): what it adds around the network.
  // NOTE: H and W are an image's rows and columns here; x is each image flattened.
  preprocess: ["images[B,H,W]:byte labels[B]:integer keys[B]:key", "x[...] y[B]", {},
    (_, { B, H, W }) => ({ x: [B, H * W] })],
  // NOTE: S, the number of steps, is not known from the inputs: batch_sizes binds it.
  batches: ["inputs[B,K] batch_size:size", "steps batch_sizes[S] first_rows[S,K] last_rows[S,K]"],
  // NOTE: the output activation decides the shape: class indices, 0/1 per output, or numbers.
  predictions: ["inputs[B,N]", "predictions[...]", { activation: ["softmax", "sigmoid", "linear"] },
    ({ activation }, { B, N }) => ({ predictions: activation === "softmax" ? [B] : [B, N] })],
  evaluate: ["y_pred[B,C] y_true:labels batch_size:size", "loss accuracy", LABELS],
  parameters: [`inputs[B,K] ${LAYERS}`, `${LAYERS} output[B,C]`],
  // The book tier (docs/BOOK.md): integers in, the book's own numbers out.
  rng: ["seed:int calls[R,2]:calls", "values[...]", {},
    ({ calls }) => ({ values: [calls.reduce((total, [, count]) => total + count, 0)] })],
  datasets: ["seed:int samples:int classes:int", "x[...] y[...]",
    { dataset: ["spiral", "vertical", "sine"] },
    ({ samples, classes, dataset }) => (dataset === "sine"
      ? { x: [samples, 1], y: [samples, 1] }         // sine_data: float rows of one value
      : { x: [samples * classes, 2], y: [samples * classes] })],  // labels
  init: ["seed:int skip:int shapes[L,2]:int", "weights[...]", { scale: NUMBER },
    ({ shapes }) => ({ weights: [shapes.reduce((total, [n, m]) => total + n * m, 0)] })],
  shuffle: ["seed:int samples:int", "keys[...]", {}, ({ samples }) => ({ keys: [samples] })],
  chapters: ["seed:int samples:int classes:int hidden:int steps:int", "value[...]",
    { printed: Object.keys(PRINTED), ...OPTIMIZER, learning_rate: NUMBER, decay: NUMBER,
      momentum: NUMBER },
    (args) => ({ value: printedShape(args) })],
};

// "name[K,N]:type" -> { name, dims: ["K", "N"] (or "*", "..." or []), type }
function parse(declaration) {
  return declaration.split(" ").map((word) => {
    const [, name, dims, type] = /^(\w+)(?:\[([\w,*]+|\.\.\.)\])?(?::(\w+))?$/.exec(word);
    return {
      name, dims: dims === "*" || dims === "..." ? dims : dims ? dims.split(",") : [],
      type: type ?? "number",
    };
  });
}

const STAGES = Object.fromEntries(Object.entries(DECLARED).map(
  ([stage, [inputs, outputs, params = {}, shapes]]) =>
    [stage, { inputs: parse(inputs), outputs: parse(outputs), params, shapes }]));

// NOTE: Layer_Dense keeps weights (K, N); chapter 2's per-neuron rows (N, K) are checked as
//       such and transposed, so the learner's dense_batch always receives (K, N).
const PER_NEURON = parse("inputs[B,K] weights[N,K] biases[N]");

// ---------------------------------------------------------------------------------------------
// What the learner throws or gets back

/** Thrown by a stage to decline a case: the reply is {"seq":N,"unsupported":reason}. */
export class Unsupported extends Error {
  constructor(reason) {
    super(reason);
    this.name = "Unsupported";
  }
}

// An invalid input: the reply is an error of one of the suite's kinds.
class InputError extends Error {
  constructor(kind, message) {
    super(message);
    this.kind = kind;
  }
}

// What the learner returned does not fit the stage: an exception reply naming the output.
class OutputError extends Error {}

// A request that is not the protocol: one line on stderr, exit status 1.
class ProtocolError extends Error {}

const mismatch = (message) => new InputError("shape_mismatch", message);
const show = (dims) => `[${dims.join(", ")}]`;

// ---------------------------------------------------------------------------------------------
// Input checks, in the order of docs/STAGES.md: for each input an empty batch, ragged rows,
// rank and shape; then, input by input, labels (integers, range) and the domains.

// JSON has no NaN or infinities: the protocol writes them as these strings.
const NON_FINITE = { "NaN": NaN, "Infinity": Infinity, "-Infinity": -Infinity };

// A number as sent: a JSON number, or one of the strings above.
function number(name, value) {
  if (typeof value === "number") return value;
  if (typeof value === "string" && Object.hasOwn(NON_FINITE, value)) return NON_FINITE[value];
  throw mismatch(`${name} holds ${JSON.stringify(value) ?? String(value)}, not a number`);
}

// The shape of a nested array as NumPy sees it ([] for a number); rows of different shapes
// are ragged_rows. With `numbers`, every leaf is read as a number, in place.
function shapeOf(name, value, numbers) {
  if (!Array.isArray(value)) return [];
  let inner;
  for (let i = 0; i < value.length; i++) {
    const item = value[i];
    let dims;
    if (Array.isArray(item)) {
      dims = shapeOf(name, item, numbers);
    } else {
      dims = [];
      if (numbers && typeof item !== "number") value[i] = number(name, item);
    }
    if (i === 0) inner = dims;
    else if (dims.length !== inner.length || dims.some((d, j) => d !== inner[j])) {
      throw new InputError("ragged_rows", `${name} has rows of different shapes`);
    }
  }
  return [value.length, ...(inner ?? [])];
}

// Bind or compare each letter of `want` with the shape `got` of input `name`.
function fit(name, got, want, sizes) {
  if (want === "*") {
    if (sizes["*"] === undefined) {
      if (got.length !== 1 && got.length !== 2) {
        throw mismatch(`${name} must have rank 1 or 2, has shape ${show(got)}`);
      }
      sizes["*"] = { size: got, from: name };
    } else if (got.join() !== sizes["*"].size.join() || got.length !== sizes["*"].size.length) {
      throw mismatch(`${name} has shape ${show(got)}, not the shape of ${sizes["*"].from}, `
        + show(sizes["*"].size));
    }
    return;
  }
  if (got.length !== want.length) {
    throw mismatch(want.length === 0 ? `${name} must be a single number, has shape ${show(got)}`
      : `${name} must have shape ${show(want)} (rank ${want.length}), has shape ${show(got)}`);
  }
  want.forEach((letter, i) => {
    if (/^\d+$/.test(letter)) {
      if (got[i] !== Number(letter)) {
        throw mismatch(`${name} has shape ${show(got)}, wanted ${show(want)}`);
      }
      return;
    }
    const known = sizes[letter];
    if (known === undefined) sizes[letter] = { size: got[i], from: name };
    else if (known.size !== got[i]) {
      throw mismatch(`${name} has shape ${show(got)}, wanted ${show(want)} with `
        + `${letter} = ${known.size} (from ${known.from})`);
    }
  });
}

// The letters of a batch's samples: repeated_forward's second batch is D, model_training's
// validation set M.
const BATCHES = new Set(["B", "D", "M"]);
// The counts: one number, whose domain (an integer >= 0 or >= 1) says it all.
const COUNTS = new Set(["iterations", "steps", "size"]);

// The first pass, for one input: empty batch, ragged rows, rank and shape. Returns the value
// with its numbers read.
function checkShape(input, value, sizes, params) {
  const { name, type } = input;
  let dims = input.dims;
  if (COUNTS.has(type)) return value;
  if (type === "labels") {  // the labels of batch B, or of the batch their one letter names
    const batch = dims[0] ?? "B";
    dims = params.label_format === "sparse" ? [batch] : [batch, "C"];
  }
  if (BATCHES.has(dims[0]) && sizes[dims[0]] === undefined && Array.isArray(value)
    && value.length === 0) {
    throw new InputError("empty_batch", `${name} has no samples`);
  }
  const numbers = type === "number" || type === "rate" || type === "factor";
  if (dims.length === 0 && numbers && !Array.isArray(value)) value = number(name, value);
  fit(name, shapeOf(name, value, numbers), dims, sizes);
  return value;
}

const isBit = (v) => v === 0 || v === 1;

// The second pass, for one input: labels and domains, checked on the numbers as sent.
const CHECK_VALUE = {
  labels(name, value, sizes, params) {
    const classes = sizes.C.size;
    if (params.label_format === "sparse") {
      value.forEach((label, b) => {
        if (!Number.isInteger(label)) {
          throw new InputError("invalid_label",
            `${name}[${b}] is ${JSON.stringify(label)}, not an integer`);
        }
        if (label < 0 || label >= classes) {
          throw new InputError("label_out_of_range",
            `${name}[${b}] is ${label}, not in [0, ${classes})`);
        }
      });
      return { sparse: value };
    }
    value.forEach((row, b) => {
      if (!row.every(isBit) || row.filter((v) => v === 1).length !== 1) {
        throw new InputError("invalid_label", `${name}[${b}] is not one 1 among 0s`);
      }
    });
    return { onehot: value };
  },
  binary: (name, value) => bits(name, value, "invalid_label"),
  mask: (name, value) => bits(name, value, "invalid_value"),
  rate: (name, value) => domain(name, value, value >= 0 && value < 1, "in [0, 1)"),
  factor: (name, value) => domain(name, value, value >= 0, ">= 0"),
  iterations: (name, value) => domain(name, value, Number.isInteger(value) && value >= 0,
    "an integer >= 0"),
  steps(name, value, sizes) {
    domain(name, value, Number.isInteger(value) && value >= 1, "an integer >= 1");
    sizes.S = { size: value, from: name };
    return value;
  },
  size: (name, value) => domain(name, value, Number.isInteger(value) && value >= 1,
    "an integer >= 1"),
  byte: (name, value) => everyNumber(value, (v, at) => {
    if (!(Number.isInteger(v) && v >= 0 && v <= 255)) {
      throw new InputError("invalid_value",
        `${name}${at} is ${JSON.stringify(v)}, not a byte 0-255`);
    }
  }),
  integer: (name, value) => everyNumber(value, (v, at) => {
    if (!Number.isInteger(v)) {
      throw mismatch(`${name}${at} is ${JSON.stringify(v)}, not an integer`);
    }
  }),
  key(name, value) {
    // NOTE: every index 0..B-1 exactly once; a repeat leaves another out (invalid_value).
    const seen = new Array(value.length).fill(false);
    value.forEach((k, i) => {
      if (!(Number.isInteger(k) && k >= 0 && k < value.length && !seen[k])) {
        throw new InputError("invalid_value", `${name}[${i}] is ${JSON.stringify(k)}: ${name} `
          + `must be a permutation of 0..${value.length - 1}`);
      }
      seen[k] = true;
    });
    return value;
  },
  int: (name, value) => integers(name, value),
  calls(name, value) {
    integers(name, value).forEach(([kind], i) => {
      if (kind > 2) throw mismatch(`${name}[${i}]: a call kind must be 0, 1 or 2, not ${kind}`);
    });
    return value;
  },
};

// The book tier's integers (a number, or an array of them): shape_mismatch, as the reference.
function integers(name, value) {
  if (Array.isArray(value)) {
    value.forEach((v, i) => integers(`${name}[${i}]`, v));
  } else if (!(Number.isInteger(value) && value >= 0)) {
    throw mismatch(`${name} is ${JSON.stringify(value)}, not an integer >= 0`);
  }
  return value;
}

// f(v, "[i][j]") for every element of a nested array; returns the array.
function everyNumber(value, f, at = "") {
  if (Array.isArray(value)) value.forEach((v, i) => everyNumber(v, f, `${at}[${i}]`));
  else f(value, at);
  return value;
}

function bits(name, value, kind) {
  value.forEach((row, i) => row.forEach((v, j) => {
    if (!isBit(v)) {
      throw new InputError(kind, `${name}[${i}][${j}] is ${JSON.stringify(v)}, not 0 or 1`);
    }
  }));
  return value;
}

function domain(name, value, ok, what) {
  if (!ok) {
    throw new InputError("invalid_value", `${name} is ${JSON.stringify(value)}, not ${what}`);
  }
  return value;
}

const round32 = (value) => (Array.isArray(value) ? value.map(round32) : Math.fround(value));

// The learner's arguments: every input checked and read, and the params it is given.
function checkInputs(stage, spec, inputs, params, dtype) {
  const declared = stage === "dense_batch" && params.weights_layout === "neurons_inputs"
    ? PER_NEURON : spec.inputs;
  const sizes = {};
  const args = {};
  for (const input of declared) {
    args[input.name] = checkShape(input, inputs[input.name], sizes, params);
  }
  for (const { name, type } of declared) {
    if (Object.hasOwn(CHECK_VALUE, type)) {
      args[name] = CHECK_VALUE[type](name, args[name], sizes, params);
    }
    // NOTE: a float32 port reads every real number rounded to float32, after its domain check.
    if (dtype === "float32" && (type === "number" || type === "rate" || type === "factor")) {
      args[name] = round32(args[name]);
    }
  }
  if (declared === PER_NEURON) {
    const rows = args.weights;
    args.weights = Array.from({ length: sizes.K.size }, (_, k) => rows.map((row) => row[k]));
  }
  // NOTE: a rank-1 array of a [*] stage (relu on chapter 4's list) reaches the learner as one
  //       row, as in every kit, so a batch ReLU passes it; its output goes back as rank 1.
  if (sizes["*"] !== undefined && sizes["*"].size.length === 1) {
    for (const { name, dims } of declared) if (dims === "*") args[name] = [args[name]];
    sizes["*"] = { ...sizes["*"], size: [1, sizes["*"].size[0]], rank1: true };
  }
  for (const name of Object.keys(spec.params)) {
    if (name !== "label_format" && name !== "weights_layout") args[name] = params[name];
  }
  return { args, sizes };
}

// ---------------------------------------------------------------------------------------------
// Output: checked against the declared shapes and written as exact JSON in one pass.

// NOTE: String(x) is ECMAScript's shortest round-trip form, so every double reads back as
//       itself; -0.0 keeps its sign (JSON.stringify writes 0) and non-finite numbers are strings.
function numberText(x) {
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0";
  if (Number.isFinite(x)) return String(x);
  if (Number.isNaN(x)) return '"NaN"';
  return x > 0 ? '"Infinity"' : '"-Infinity"';
}

function describe(value) {
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === "string") return JSON.stringify(value).slice(0, 40);
  return String(value);
}

// The JSON text of `value`, which must have the shape `dims` and hold numbers; `at` is the
// index of each enclosing array, for the message when it does not fit. A letter in `dims` is a
// size no input bound: the first array at its place binds it in `sizes`, and `dims` with it.
function outputText(value, dims, name, sizes, at = []) {
  const where = () => `${name}${at.map((i) => `[${i}]`).join("")}`;
  if (at.length === dims.length) {
    if (typeof value !== "number") {
      throw new OutputError(`${where()} is ${describe(value)}, not a number`);
    }
    return numberText(value);
  }
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) value = Array.from(value);
  const letter = dims[at.length];
  if (typeof letter === "string" && Array.isArray(value)) {
    sizes[letter] = { size: value.length, from: name };
    dims[at.length] = value.length;
  }
  if (!Array.isArray(value) || value.length !== dims[at.length]) {
    throw new OutputError(`${where()} is ${describe(value)}, not an array of ${dims[at.length]} `
      + `(the output's shape is ${show(dims)})`);
  }
  let text = "[";
  for (let i = 0; i < value.length; i++) {
    if (i > 0) text += ",";
    at.push(i);
    text += outputText(value[i], dims, name, sizes, at);
    at.pop();
  }
  return text + "]";
}

// {"name":value,...} for the declared outputs of the learner's result; `shaped` holds the
// shapes of the [...] outputs.
function outputsText(stage, spec, result, sizes, shaped) {
  const names = spec.outputs.map((o) => o.name).join(", ");
  if (result === null || typeof result !== "object" || Array.isArray(result)) {
    throw new OutputError(`${stage} returned ${describe(result)}, not an object of its `
      + `outputs {${names}}`);
  }
  if (typeof result.then === "function") {
    throw new OutputError(`${stage} returned a Promise: stages are plain functions, not async`);
  }
  const parts = spec.outputs.map(({ name, dims }) => {
    if (result[name] === undefined) {
      throw new OutputError(`${stage} returned no ${name} (its outputs are ${names})`);
    }
    const shape = dims === "..." ? shaped[name]
      : dims === "*" ? sizes["*"].size : dims.map((letter) => sizes[letter]?.size ?? letter);
    const text = outputText(result[name], shape, `${stage}'s ${name}`, sizes);
    const rank1 = dims === "*" && sizes["*"].rank1;  // one row back to the list it came from
    return `${JSON.stringify(name)}:${rank1 ? text.slice(1, -1) : text}`;
  });
  return `{${parts.join(",")}}`;
}

// The learner's error as a message: its own text, its type unless a plain Error, and where.
function errorMessage(error) {
  if (!(error instanceof Error)) return String(error);
  if (error instanceof OutputError) return error.message;
  const type = error.name && error.name !== "Error" ? `${error.name}: ` : "";
  const frame = /\n\s+at (?:.*\()?(?:file:\/\/)?(?:.*\/)?([^/\s()]+:\d+):\d+\)?/.exec(
    String(error.stack));
  return `${type}${error.message}${frame ? ` (at ${frame[1]})` : ""}`;
}

// ---------------------------------------------------------------------------------------------
// The protocol

const PORTS = new WeakMap();

// The learner's declaration, checked once: a mistake in it stops the port before any case.
function prepare(port) {
  if (PORTS.has(port)) return PORTS.get(port);
  const problem = (why) => new ProtocolError(`serve(): ${why}`);
  if (port === null || typeof port !== "object") throw problem("give it { name, dtype, stages }");
  const { name, dtype, stages, label_formats = ["sparse", "onehot"], version } = port;
  if (typeof name !== "string" || name === "") throw problem("name must be a non-empty string");
  if (dtype !== "float64" && dtype !== "float32") {
    throw problem(`dtype is ${JSON.stringify(dtype)}: "float64" or "float32"`);
  }
  if (stages === null || typeof stages !== "object") throw problem("stages must be an object");
  if (!Array.isArray(label_formats) || label_formats.length === 0
    || !label_formats.every((f) => f === "sparse" || f === "onehot")) {
    throw problem('label_formats must list "sparse", "onehot" or both');
  }
  for (const [stage, fn] of Object.entries(stages)) {
    if (!Object.hasOwn(STAGES, stage)) {
      throw problem(`no stage is named ${JSON.stringify(stage)}; the stages are `
        + Object.keys(STAGES).join(", "));
    }
    if (typeof fn !== "function") throw problem(`stages.${stage} is not a function`);
  }
  const hello = {
    protocol: 1, name, language: "javascript", dtype,
    stages: Object.keys(STAGES).filter((stage) => Object.hasOwn(stages, stage)),
    label_formats, checks_inputs: true,
  };
  if (version !== undefined) hello.version = String(version);
  const prepared = { hello: JSON.stringify(hello), stages, dtype };
  PORTS.set(port, prepared);
  return prepared;
}

const isObject = (value) => value !== null && typeof value === "object" && !Array.isArray(value);

// The reply to one run message, as a JSON line without its newline.
function run(port, message) {
  const { seq, stage, inputs, params = {} } = message;
  if (!Number.isSafeInteger(seq) || seq < 0) throw new ProtocolError("seq is not an integer >= 0");
  if (!Object.hasOwn(port.stages, stage)) {
    throw new ProtocolError(`a run for stage ${JSON.stringify(stage)}, which this port does not `
      + "declare");
  }
  if (!isObject(inputs) || !isObject(params)) {
    throw new ProtocolError("inputs and params must be objects");
  }
  const spec = STAGES[stage];
  for (const { name } of spec.inputs) {
    if (!Object.hasOwn(inputs, name)) throw new ProtocolError(`${stage} needs the input ${name}`);
  }
  for (const [name, values] of Object.entries(spec.params)) {
    if (values === NUMBER ? typeof params[name] !== "number" : !values.includes(params[name])) {
      throw new ProtocolError(`${stage}'s param ${name} is ${JSON.stringify(params[name])}, `
        + `not ${values === NUMBER ? "a number" : `one of ${values.join(", ")}`}`);
    }
  }
  let checked;
  try {
    checked = checkInputs(stage, spec, inputs, params, port.dtype);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return JSON.stringify({ seq, error: { kind: error.kind, message: error.message } });
  }
  const shaped = spec.shapes?.(checked.args,
    Object.fromEntries(Object.entries(checked.sizes).map(([letter, { size }]) => [letter, size])));
  try {
    const result = port.stages[stage](checked.args);
    return `{"seq":${seq},"outputs":${outputsText(stage, spec, result, checked.sizes, shaped)}}`;
  } catch (error) {
    if (error instanceof Unsupported) return JSON.stringify({ seq, unsupported: error.message });
    return JSON.stringify({ seq, error: { kind: "exception", message: errorMessage(error) } });
  }
}

/**
 * The reply line (without its newline) to one request line, or null for bye. Throws an Error
 * for a line that is not the protocol.
 */
export function answer(port, line) {
  const prepared = prepare(port);
  let message;
  try {
    message = JSON.parse(line);
  } catch (error) {
    throw new ProtocolError(`not JSON (${error.message})`);
  }
  if (!isObject(message)) throw new ProtocolError("not a JSON object");
  if (message.cmd === "hello") return prepared.hello;
  if (message.cmd === "run") return run(prepared, message);
  if (message.cmd === "bye") return null;
  throw new ProtocolError(`unknown cmd ${JSON.stringify(message.cmd)}`);
}

// One line on stderr and the exit status, once every reply written is flushed.
function stop(status, why) {
  if (why) process.stderr.write(`nnfs-kit: ${why.replace(/\s+/g, " ")}\n`);
  STDOUT_WRITE("", () => process.exit(status));
}

/**
 * Serve the protocol on stdin and stdout until bye or the end of input (exit status 0). A line
 * that is not the protocol stops the port: one line on stderr, exit status 1.
 */
export async function serve(port) {
  try {
    prepare(port);
  } catch (error) {
    return stop(2, error.message);
  }
  process.stdout.on("error", () => process.exit(1)); // the runner went away
  const { createInterface } = await import("node:readline");
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === "") continue;
    let reply;
    try {
      reply = answer(port, line);
    } catch (error) {
      const why = error instanceof ProtocolError ? error.message : `kit error: ${error.stack}`;
      return stop(1, `cannot answer ${JSON.stringify(line.slice(0, 120))}: ${why}`);
    }
    if (reply === null) break;
    STDOUT_WRITE(reply + "\n");
  }
  return stop(0);
}
