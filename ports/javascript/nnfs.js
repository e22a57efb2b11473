// The stages of Neural Networks from Scratch, chapters 1 to 5, in plain JavaScript.
//
// One function per stage, named as in the suite. Each takes one object of named inputs (nested
// arrays of numbers) and params (strings) and returns an object of named outputs. Invalid
// inputs throw a StageError. No dependencies: loops over arrays, Math.exp and Math.log, as in
// the book's first chapters. JavaScript numbers are float64, the port's dtype.

// Invalid inputs: `kind` is one of the suite's five error kinds.
export class StageError extends Error {
  constructor(kind, message) {
    super(message);
    this.name = "StageError";
    this.kind = kind;
  }
}

// ---------------------------------------------------------------------------------------------
// The stages

export function neuron({ inputs, weights, bias }) {
  // inputs (K), weights (K), bias (scalar) -> output (scalar)
  inputs = vector("inputs", inputs);
  weights = vector("weights", weights);
  bias = scalar("bias", bias);
  if (inputs.length !== weights.length) {
    throw new StageError("shape_mismatch",
      `inputs has ${inputs.length} values, weights has ${weights.length}`);
  }
  let output = 0.0;
  for (let k = 0; k < inputs.length; k++) {
    output += inputs[k] * weights[k];
  }
  return { output: output + bias };
}

export function layer({ inputs, weights, biases }) {
  // inputs (K), weights (N, K): one row per neuron, biases (N) -> output (N)
  inputs = vector("inputs", inputs);
  weights = matrix("weights", weights);
  biases = vector("biases", biases);
  for (const row of weights) {
    if (row.length !== inputs.length) {
      throw new StageError("shape_mismatch",
        `weights rows have ${row.length} values, inputs has ${inputs.length}`);
    }
  }
  if (biases.length !== weights.length) {
    throw new StageError("shape_mismatch",
      `biases has ${biases.length} values, weights has ${weights.length} rows (neurons)`);
  }
  const output = [];
  for (let n = 0; n < weights.length; n++) {
    let total = 0.0;
    for (let k = 0; k < inputs.length; k++) {
      total += inputs[k] * weights[n][k];
    }
    output.push(total + biases[n]);
  }
  return { output };
}

export function dense_batch({ inputs, weights, biases, weights_layout = "inputs_neurons" }) {
  // inputs (B, K); weights (K, N) as Layer_Dense keeps them ("inputs_neurons"),
  // or (N, K), one row per neuron as in chapter 2 ("neurons_inputs"); biases (N)
  // output (B, N) = inputs @ weights + biases (with weights transposed for "neurons_inputs")
  inputs = batch("inputs", inputs);
  weights = matrix("weights", weights);
  biases = vector("biases", biases);
  const k = inputs[0].length;
  if (weights_layout === "neurons_inputs") {
    checkDense(k, "inputs", "weights", weights, "biases", biases, true);
    weights = transpose(weights, k);
  } else if (weights_layout === "inputs_neurons") {
    checkDense(k, "inputs", "weights", weights, "biases", biases, false);
  } else {
    throw new Error(`unknown weights_layout ${JSON.stringify(weights_layout)}`);
  }
  const output = [];
  for (const row of inputs) {
    const outRow = [];
    for (let n = 0; n < biases.length; n++) {
      let total = 0.0;
      for (let k = 0; k < row.length; k++) {
        total += row[k] * weights[k][n];
      }
      outRow.push(total + biases[n]);
    }
    output.push(outRow);
  }
  return { output };
}

export function relu({ inputs }) {
  // inputs: any rank-1 (K) or rank-2 (B, K) shape -> output: the same shape
  // NOTE: Math.max(0, x) lets NaN through, as np.maximum does.
  if (Array.isArray(inputs) && inputs.some(Array.isArray)) {
    const rows = matrix("inputs", inputs);
    return { output: rows.map((row) => row.map((x) => Math.max(0, x))) };
  }
  const values = vector("inputs", inputs);
  return { output: values.map((x) => Math.max(0, x)) };
}

export function softmax({ inputs }) {
  // inputs (B, C) logits -> output (B, C), each row sums to 1
  // NOTE: subtracts the row maximum first, so exp never overflows; the running maximum
  //       starts at the row's first element, not at 0 (a row of negative logits).
  inputs = batch("inputs", inputs);
  const output = [];
  for (const row of inputs) {
    let largest = row.length > 0 ? row[0] : 0.0;
    for (const x of row) {
      if (x > largest) largest = x;
    }
    const expValues = row.map((x) => Math.exp(x - largest));
    let total = 0.0;
    for (const e of expValues) total += e;
    output.push(expValues.map((e) => e / total));
  }
  return { output };
}

const CLIP_LOW = 1e-7;
const CLIP_HIGH = 1 - 1e-7;

export function categorical_crossentropy({ y_pred, y_true, label_format }) {
  // y_pred (B, C) probabilities; y_true (B) class indices ("sparse") or (B, C) one-hot rows
  // -> sample_losses (B), loss (scalar: the mean, not the sum)
  // NOTE: y_pred is clipped to [1e-7, 1 - 1e-7] so log(0) never happens; natural log.
  y_pred = batch("y_pred", y_pred);
  const classes = y_pred[0].length;
  [label_format, y_true] = labels(y_true, label_format, y_pred.length, classes);
  const sample_losses = [];
  for (let b = 0; b < y_pred.length; b++) {
    const clipped = y_pred[b].map(clip);
    let correctConfidence;
    if (label_format === "sparse") {
      correctConfidence = clipped[y_true[b]];
    } else {
      correctConfidence = 0.0;
      for (let c = 0; c < classes; c++) {
        correctConfidence += clipped[c] * y_true[b][c];
      }
    }
    sample_losses.push(-Math.log(correctConfidence));
  }
  return { sample_losses, loss: mean(sample_losses) };
}

export function accuracy({ y_pred, y_true, label_format }) {
  // y_pred (B, C); y_true (B) class indices or (B, C) one-hot rows
  // -> predictions (B) integers, accuracy (scalar): the fraction of predictions that match
  y_pred = batch("y_pred", y_pred);
  [label_format, y_true] = labels(y_true, label_format, y_pred.length, y_pred[0].length);
  if (label_format === "onehot") {
    y_true = y_true.map(argmax);
  }
  const predictions = y_pred.map(argmax);
  let matches = 0;
  for (let b = 0; b < predictions.length; b++) {
    if (predictions[b] === y_true[b]) matches += 1;
  }
  return { predictions, accuracy: matches / predictions.length };
}

export function forward({ inputs, weights1, biases1, weights2, biases2, y_true, label_format }) {
  // inputs (B, K), weights1 (K, H), biases1 (H), weights2 (H, C), biases2 (C),
  // y_true (B) or (B, C): the chapter 5 network, dense -> ReLU -> dense -> softmax -> loss
  // -> dense1, relu1 (B, H); dense2, softmax (B, C); sample_losses, predictions (B);
  //    loss, accuracy (scalars)
  inputs = batch("inputs", inputs);
  weights1 = matrix("weights1", weights1);
  biases1 = vector("biases1", biases1);
  weights2 = matrix("weights2", weights2);
  biases2 = vector("biases2", biases2);
  checkDense(inputs[0].length, "inputs", "weights1", weights1, "biases1", biases1, false);
  checkDense(biases1.length, "relu1", "weights2", weights2, "biases2", biases2, false);
  labels(y_true, label_format, inputs.length, biases2.length);

  const dense1 = dense_batch({ inputs, weights: weights1, biases: biases1 }).output;
  const relu1 = relu({ inputs: dense1 }).output;
  const dense2 = dense_batch({ inputs: relu1, weights: weights2, biases: biases2 }).output;
  const probabilities = softmax({ inputs: dense2 }).output;
  const loss = categorical_crossentropy({ y_pred: probabilities, y_true, label_format });
  const acc = accuracy({ y_pred: probabilities, y_true, label_format });
  return {
    dense1, relu1, dense2, softmax: probabilities,
    sample_losses: loss.sample_losses, loss: loss.loss,
    predictions: acc.predictions, accuracy: acc.accuracy,
  };
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function clip(p) {
  // NOTE: a NaN fails both comparisons and stays NaN, as in np.clip.
  if (p < CLIP_LOW) return CLIP_LOW;
  if (p > CLIP_HIGH) return CLIP_HIGH;
  return p;
}

function mean(values) {
  let total = 0.0;
  for (const v of values) total += v;
  return total / values.length;
}

function argmax(row) {
  // NOTE: the FIRST maximum wins on ties (`>`, not `>=`), as np.argmax; like np.argmax,
  //       a NaN counts as the maximum.
  let best = 0;
  for (let c = 0; c < row.length; c++) {
    if (Number.isNaN(row[c])) return c;
    if (row[c] > row[best]) best = c;
  }
  return best;
}

function transpose(rows, columns) {
  const result = [];
  for (let k = 0; k < columns; k++) {
    result.push(rows.map((row) => row[k]));
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Input checks: each returns the input, or throws a StageError naming the input.

const isNumber = (x) => typeof x === "number";

function scalar(name, value) {
  if (!isNumber(value)) {
    throw new StageError("shape_mismatch", `${name} must be a single number`);
  }
  return value;
}

// A rank-1 input: an array of numbers.
function vector(name, value) {
  if (!Array.isArray(value)) {
    throw new StageError("shape_mismatch", `${name} must be a list of numbers (rank 1)`);
  }
  for (let i = 0; i < value.length; i++) {
    if (Array.isArray(value[i])) {
      throw new StageError("shape_mismatch",
        `${name} must be a list of numbers (rank 1), ${name}[${i}] is a list`);
    }
    if (!isNumber(value[i])) {
      throw new StageError("shape_mismatch", `${name}[${i}] is not a number`);
    }
  }
  return value;
}

// The rows of a rank-2 input: an array of arrays, all of the same length.
function rowsOf(name, value) {
  if (!Array.isArray(value)) {
    throw new StageError("shape_mismatch", `${name} must be a list of rows (rank 2)`);
  }
  if (value.length > 0 && !value.some(Array.isArray)) {
    throw new StageError("shape_mismatch",
      `${name} must be a list of rows (rank 2), got a list of ${value.length} numbers`);
  }
  if (!value.every(Array.isArray)) {
    throw new StageError("ragged_rows", `${name} mixes rows and single numbers`);
  }
  for (let i = 1; i < value.length; i++) {
    if (value[i].length !== value[0].length) {
      throw new StageError("ragged_rows",
        `${name}[0] has ${value[0].length} values, ${name}[${i}] has ${value[i].length}`);
    }
  }
  return value;
}

// A rank-2 input of numbers.
function matrix(name, value) {
  return rowsOf(name, value).map((row, i) => vector(`${name}[${i}]`, row));
}

// A batch: a rank-2 input with at least one sample (row).
function batch(name, value) {
  const rows = matrix(name, value);
  if (rows.length === 0) {
    throw new StageError("empty_batch", `${name} has no samples`);
  }
  return rows;
}

// Inputs with k columns fit weights (k, N), or (N, k) when perNeuron; biases hold N.
function checkDense(k, inputsName, weightsName, weights, biasesName, biases, perNeuron) {
  let neurons;
  if (perNeuron) {
    neurons = weights.length;
    for (const row of weights) {
      if (row.length !== k) {
        throw new StageError("shape_mismatch", `${weightsName} rows (neurons) have `
          + `${row.length} weights, ${inputsName} has ${k} columns`);
      }
    }
  } else {
    neurons = weights.length > 0 ? weights[0].length : 0;
    if (weights.length !== k) {
      throw new StageError("shape_mismatch",
        `${weightsName} has ${weights.length} rows, ${inputsName} has ${k} columns`);
    }
  }
  if (biases.length !== neurons) {
    throw new StageError("shape_mismatch",
      `${biasesName} has ${biases.length} values, ${weightsName} has ${neurons} neurons`);
  }
}

// Check y_true against a batch of `samples` rows of `classes` values.
//
// sparse: an array of `samples` integers in [0, classes); onehot: `samples` rows of `classes`
// values, exactly one 1 among 0s. Returns [labelFormat, labels]. Without a label_format the
// rank decides, as in the book.
function labels(yTrue, labelFormat, samples, classes) {
  const nested = Array.isArray(yTrue) && yTrue.some(Array.isArray);
  labelFormat ??= nested ? "onehot" : "sparse";
  if (labelFormat === "sparse") {
    if (!Array.isArray(yTrue) || nested) {
      throw new StageError("shape_mismatch",
        "y_true must be a list of class indices when label_format is sparse");
    }
    if (yTrue.length !== samples) {
      throw new StageError("shape_mismatch",
        `y_true has ${yTrue.length} labels for ${samples} samples`);
    }
    for (let b = 0; b < samples; b++) {
      const y = yTrue[b];
      if (!Number.isInteger(y)) {
        throw new StageError("invalid_label",
          `y_true[${b}] is ${JSON.stringify(y)}, not an integer`);
      }
      if (!(y >= 0 && y < classes)) {
        throw new StageError("label_out_of_range", `y_true[${b}] is ${y}, not in [0, ${classes})`);
      }
    }
    return [labelFormat, yTrue];
  }
  if (labelFormat === "onehot") {
    if (Array.isArray(yTrue) && yTrue.length > 0 && !nested) {
      throw new StageError("shape_mismatch",
        "y_true must be a list of one-hot rows when label_format is onehot");
    }
    const rows = rowsOf("y_true", yTrue);
    if (rows.length !== samples) {
      throw new StageError("shape_mismatch",
        `y_true has ${rows.length} rows for ${samples} samples`);
    }
    if (rows[0].length !== classes) {
      throw new StageError("shape_mismatch",
        `y_true rows have ${rows[0].length} values for ${classes} classes`);
    }
    for (let b = 0; b < samples; b++) {
      let ones = 0;
      for (const y of rows[b]) {
        if (y !== 0 && y !== 1) {
          throw new StageError("invalid_label",
            `y_true[${b}] holds ${JSON.stringify(y)}, not 0 or 1`);
        }
        if (y === 1) ones += 1;
      }
      if (ones !== 1) {
        throw new StageError("invalid_label", `y_true[${b}] holds ${ones} ones, not one`);
      }
    }
    return [labelFormat, rows];
  }
  throw new Error(`unknown label_format ${JSON.stringify(labelFormat)}`);
}
