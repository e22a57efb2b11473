// The stages of Neural Networks from Scratch, chapters 1 to 5 and 9 to 17, in plain JavaScript.
//
// One function per stage, named as in the suite. Each takes one object of named inputs (nested
// arrays of numbers) and params (strings) and returns an object of named outputs. Invalid
// inputs throw a StageError. No dependencies: loops over arrays, Math.exp and Math.log, as in
// the book's first chapters. JavaScript numbers are float64, the port's dtype.

// Invalid inputs: `kind` is one of the suite's error kinds.
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
// Training: backward passes, regularization, more losses, optimizers (chapters 9 to 17)
//
// Every stage is pure: what the book keeps on a layer object (its forward inputs or output, a
// dropout mask, optimizer state) is an input, and what it updates is an output.

export function dense_backward({ inputs, weights, dvalues }) {
  // inputs (B, K), weights (K, N) as Layer_Dense keeps them, dvalues (B, N)
  // -> dweights (K, N), dbiases (N), dinputs (B, K)
  const [b, k] = batchShape("inputs", inputs);
  const [rows, n] = shapeOf("weights", weights);
  if (rows !== k || n === undefined) {
    throw new StageError("shape_mismatch", `weights must have shape [${k}, N]`);
  }
  sameShape("dvalues", dvalues, [b, n], "the layer's output");
  const dweights = dot(transpose(inputs, k), dvalues, n);
  // NOTE: the bias gradient is the SUM over the batch (axis 0), one value per neuron.
  const dbiases = new Array(n).fill(0.0);
  for (const row of dvalues) {
    for (let j = 0; j < n; j++) dbiases[j] += row[j];
  }
  const dinputs = dot(dvalues, transpose(weights, n), k);
  return { dweights, dbiases, dinputs };
}

export function relu_backward({ inputs, dvalues }) {
  // inputs: the forward pass's inputs, rank 1 or 2; dvalues the same shape -> dinputs
  // NOTE: the gradient is 0 where the INPUT is <= 0, including exactly 0 and -0.0: the mask is
  //       taken on the forward inputs, never on dvalues.
  const dims = shapeOf("inputs", inputs);
  if (dims.length !== 1 && dims.length !== 2) {
    throw new StageError("shape_mismatch", `inputs must have rank 1 or 2, has rank ${dims.length}`);
  }
  sameShape("dvalues", dvalues, dims, "inputs");
  return { dinputs: each((x, dv) => (x <= 0 ? 0 : dv), inputs, dvalues) };
}

export function softmax_backward({ output, dvalues }) {
  // output (B, C): the softmax's forward output, dvalues (B, C) -> dinputs (B, C)
  // NOTE: each sample through its Jacobian diag(p) - p·pᵀ, as the book writes it.
  const dims = batchShape("output", output);
  sameShape("dvalues", dvalues, dims, "output");
  const dinputs = [];
  for (let b = 0; b < output.length; b++) {
    const p = output[b];
    const row = [];
    for (let i = 0; i < p.length; i++) {
      let total = 0.0;
      for (let j = 0; j < p.length; j++) {
        const jacobian = (i === j ? p[i] : 0) - p[i] * p[j];
        total += jacobian * dvalues[b][j];
      }
      row.push(total);
    }
    dinputs.push(row);
  }
  return { dinputs };
}

export function categorical_crossentropy_backward({ y_pred, y_true, label_format }) {
  // y_pred (B, C), y_true (B) class indices or (B, C) one-hot rows -> dinputs (B, C)
  // NOTE: -y_true / y_pred / samples, NOT clipped (the book does not clip here).
  const [samples, classes] = batchShape("y_pred", y_pred);
  const targets = oneHot(y_true, label_format, samples, classes);
  return { dinputs: each((y, p) => -y / p / samples, targets, y_pred) };
}

export function softmax_crossentropy_backward({ y_pred, y_true, label_format, path }) {
  // y_pred (B, C): the SOFTMAX OUTPUT, y_true (B) or (B, C) -> dinputs (B, C)
  // "combined": (y_pred - y_true) / samples, divided by the number of SAMPLES, not classes;
  // "separate": the two backward passes chained, the same number computed the long way.
  const [samples, classes] = batchShape("y_pred", y_pred);
  const targets = oneHot(y_true, label_format, samples, classes);
  if (path === "separate") {
    const dvalues = categorical_crossentropy_backward({ y_pred, y_true, label_format }).dinputs;
    return softmax_backward({ output: y_pred, dvalues });
  }
  if (path !== "combined") throw new Error(`unknown path ${JSON.stringify(path)}`);
  return { dinputs: each((p, y) => (y === 1 ? p - 1 : p) / samples, y_pred, targets) };
}

export function regularization({
  weights, biases, weight_regularizer_l1, weight_regularizer_l2,
  bias_regularizer_l1, bias_regularizer_l2,
}) {
  // weights (K, N), biases (N), four factors >= 0 -> loss (scalar), dweights (K, N), dbiases (N):
  // the regularization's own share, which Layer_Dense.backward adds to the data gradients
  layerShape("weights", weights, "biases", biases);
  const l1w = factor("weight_regularizer_l1", weight_regularizer_l1);
  const l2w = factor("weight_regularizer_l2", weight_regularizer_l2);
  const l1b = factor("bias_regularizer_l1", bias_regularizer_l1);
  const l2b = factor("bias_regularizer_l2", bias_regularizer_l2);
  const values = weights.flat();
  const loss = l1w * sum(values.map(Math.abs)) + l2w * sum(values.map((w) => w * w))
    + l1b * sum(biases.map(Math.abs)) + l2b * sum(biases.map((b) => b * b));
  // NOTE: d|w|/dw is +1 where w >= 0, including 0 and -0.0 (the book's dL1); L2 gives 2·l2·w.
  const gradient = (l1, l2) => (w) => l1 * (w < 0 ? -1 : 1) + 2 * l2 * w;
  return {
    loss,
    dweights: each(gradient(l1w, l2w), weights),
    dbiases: each(gradient(l1b, l2b), biases),
  };
}

export function dropout({ inputs, mask, rate, dvalues }) {
  // inputs (B, N), mask (B, N) of 0/1 draws (1 keeps), rate: the DROP rate of
  // Layer_Dropout(rate), dvalues (B, N) -> output, dinputs (B, N)
  // NOTE: inverted dropout: kept values are scaled by 1 / (1 - rate). The book draws the mask
  //       with np.random.binomial(1, 1 - rate, size); here it is an input.
  const dims = batchShape("inputs", inputs);
  sameShape("mask", mask, dims, "inputs");
  sameShape("dvalues", dvalues, dims, "inputs");
  mask.forEach((row, i) => row.forEach((m, j) => {
    if (m !== 0 && m !== 1) {
      throw new StageError("invalid_value", `mask[${i}][${j}] is ${JSON.stringify(m)}, not 0 or 1`);
    }
  }));
  rate = scalar("rate", rate);
  if (!(rate >= 0 && rate < 1)) {
    throw new StageError("invalid_value", `rate is ${rate}, not in [0, 1)`);
  }
  const binaryMask = each((m) => m / (1 - rate), mask);
  return {
    output: each((x, m) => x * m, inputs, binaryMask),
    dinputs: each((dv, m) => dv * m, dvalues, binaryMask),
  };
}

export function sigmoid({ inputs, dvalues }) {
  // inputs (B, N), dvalues (B, N) -> output, dinputs (B, N)
  // NOTE: the backward reuses the output: dvalues·(1 - s)·s.
  const dims = batchShape("inputs", inputs);
  sameShape("dvalues", dvalues, dims, "inputs");
  const output = each((x) => 1 / (1 + Math.exp(-x)), inputs);
  return { output, dinputs: each((dv, s) => dv * (1 - s) * s, dvalues, output) };
}

export function binary_crossentropy({ y_pred, y_true }) {
  // y_pred (B, O) sigmoid outputs, y_true (B, O) of 0/1 -> sample_losses (B), loss, dinputs (B, O)
  // NOTE: clipped to [1e-7, 1 - 1e-7] in the forward AND the backward pass; each sample's loss
  //       is the mean over its O outputs.
  const [samples, outputs] = batchShape("y_pred", y_pred);
  sameShape("y_true", y_true, [samples, outputs], "y_pred");
  y_true.forEach((row, i) => row.forEach((y, j) => {
    if (y !== 0 && y !== 1) {
      throw new StageError("invalid_label",
        `y_true[${i}][${j}] is ${JSON.stringify(y)}, not 0 or 1`);
    }
  }));
  const clipped = each(clip, y_pred);
  const sample_losses = clipped.map((row, b) => mean(row.map(
    (c, o) => -(y_true[b][o] * Math.log(c) + (1 - y_true[b][o]) * Math.log(1 - c)))));
  const dinputs = each((y, c) => -(y / c - (1 - y) / (1 - c)) / outputs / samples, y_true, clipped);
  return { sample_losses, loss: mean(sample_losses), dinputs };
}

export function mean_squared_error({ y_pred, y_true }) {
  // y_pred (B, O), y_true (B, O) measurements -> sample_losses (B), loss, dinputs (B, O)
  const [samples, outputs] = batchShape("y_pred", y_pred);
  sameShape("y_true", y_true, [samples, outputs], "y_pred");
  const sample_losses = y_pred.map((row, b) => mean(row.map((p, o) => (y_true[b][o] - p) ** 2)));
  const dinputs = each((p, y) => -2 * (y - p) / outputs / samples, y_pred, y_true);
  return { sample_losses, loss: mean(sample_losses), dinputs };
}

export function mean_absolute_error({ y_pred, y_true }) {
  // y_pred (B, O), y_true (B, O) measurements -> sample_losses (B), loss, dinputs (B, O)
  // NOTE: the gradient of |y_pred - y_true| is sign(y_pred - y_true), 0 where they are equal.
  //       The book's np.sign(y_true - dvalues) has the wrong sign (mae-gradient-sign-flipped).
  const [samples, outputs] = batchShape("y_pred", y_pred);
  sameShape("y_true", y_true, [samples, outputs], "y_pred");
  const sample_losses = y_pred.map((row, b) => mean(row.map((p, o) => Math.abs(y_true[b][o] - p))));
  const dinputs = each((p, y) => Math.sign(p - y) / outputs / samples, y_pred, y_true);
  return { sample_losses, loss: mean(sample_losses), dinputs };
}

// The optimizers (chapter 10): the book's pre_update_params, update_params and
// post_update_params for one layer, with its whole state in and out.

export function sgd_step(layer) {
  // weights (K, N), biases (N), dweights, dbiases, weight_momentums, bias_momentums,
  // iterations, learning_rate, decay, momentum -> the updated parameters and momentums,
  // learning_rate (the rate this step used), iterations + 1
  const { iterations, learning_rate, decay, momentum } =
    optimizerInputs(layer, ["weight_momentums", "bias_momentums"],
      ["learning_rate", "decay", "momentum"]);
  const lr = currentLearningRate(learning_rate, decay, iterations);
  const update = (values, gradients, momentums) => {
    if (momentum === 0) {
      // NOTE: without momentum the book keeps no momentum arrays: they come back unchanged.
      return [each((w, g) => w + -lr * g, values, gradients), momentums];
    }
    // NOTE: m = momentum·m - lr·g; w += m (the decayed rate is inside the momentum).
    momentums = each((m, g) => momentum * m - lr * g, momentums, gradients);
    return [each((w, m) => w + m, values, momentums), momentums];
  };
  const [weights, weight_momentums] =
    update(layer.weights, layer.dweights, layer.weight_momentums);
  const [biases, bias_momentums] = update(layer.biases, layer.dbiases, layer.bias_momentums);
  return {
    weights, biases, weight_momentums, bias_momentums,
    learning_rate: lr, iterations: iterations + 1,
  };
}

export function adagrad_step(layer) {
  // as sgd_step, with weight_cache, bias_cache for the momentums and epsilon for momentum
  const { iterations, learning_rate, decay, epsilon } =
    optimizerInputs(layer, ["weight_cache", "bias_cache"], ["learning_rate", "decay", "epsilon"]);
  const lr = currentLearningRate(learning_rate, decay, iterations);
  const update = (values, gradients, cache) => {
    cache = each((c, g) => c + g ** 2, cache, gradients);
    // NOTE: epsilon is added OUTSIDE the square root.
    return [each((w, g, c) => w + -lr * g / (Math.sqrt(c) + epsilon), values, gradients, cache),
      cache];
  };
  const [weights, weight_cache] = update(layer.weights, layer.dweights, layer.weight_cache);
  const [biases, bias_cache] = update(layer.biases, layer.dbiases, layer.bias_cache);
  return {
    weights, biases, weight_cache, bias_cache, learning_rate: lr, iterations: iterations + 1,
  };
}

export function rmsprop_step(layer) {
  // as adagrad_step, plus rho
  const { iterations, learning_rate, decay, epsilon, rho } =
    optimizerInputs(layer, ["weight_cache", "bias_cache"],
      ["learning_rate", "decay", "epsilon", "rho"]);
  const lr = currentLearningRate(learning_rate, decay, iterations);
  const update = (values, gradients, cache) => {
    cache = each((c, g) => rho * c + (1 - rho) * g ** 2, cache, gradients);
    return [each((w, g, c) => w + -lr * g / (Math.sqrt(c) + epsilon), values, gradients, cache),
      cache];
  };
  const [weights, weight_cache] = update(layer.weights, layer.dweights, layer.weight_cache);
  const [biases, bias_cache] = update(layer.biases, layer.dbiases, layer.bias_cache);
  return {
    weights, biases, weight_cache, bias_cache, learning_rate: lr, iterations: iterations + 1,
  };
}

export function adam_step(layer) {
  // weights, biases, dweights, dbiases, weight_momentums, bias_momentums, weight_cache,
  // bias_cache, iterations, learning_rate, decay, epsilon, beta_1, beta_2
  // -> the updated parameters, momentums and caches, learning_rate, iterations + 1
  const { iterations, learning_rate, decay, epsilon, beta_1, beta_2 } =
    optimizerInputs(layer, ["weight_momentums", "bias_momentums", "weight_cache", "bias_cache"],
      ["learning_rate", "decay", "epsilon", "beta_1", "beta_2"]);
  const lr = currentLearningRate(learning_rate, decay, iterations);
  // NOTE: the bias correction divides by 1 - beta^(iterations + 1): the step count is 1-based
  //       there, and the betas are never decayed.
  const correction1 = 1 - beta_1 ** (iterations + 1);
  const correction2 = 1 - beta_2 ** (iterations + 1);
  const update = (values, gradients, momentums, cache) => {
    momentums = each((m, g) => beta_1 * m + (1 - beta_1) * g, momentums, gradients);
    cache = each((c, g) => beta_2 * c + (1 - beta_2) * g ** 2, cache, gradients);
    // NOTE: epsilon is added to the square root of the CORRECTED cache, outside the root.
    values = each((w, m, c) => w + -lr * (m / correction1) / (Math.sqrt(c / correction2) + epsilon),
      values, momentums, cache);
    return [values, momentums, cache];
  };
  const [weights, weight_momentums, weight_cache] =
    update(layer.weights, layer.dweights, layer.weight_momentums, layer.weight_cache);
  const [biases, bias_momentums, bias_cache] =
    update(layer.biases, layer.dbiases, layer.bias_momentums, layer.bias_cache);
  return {
    weights, biases, weight_momentums, bias_momentums, weight_cache, bias_cache,
    learning_rate: lr, iterations: iterations + 1,
  };
}

// optimizer name -> [step function, the names of its state arrays]
const OPTIMIZERS = {
  sgd: [sgd_step, ["weight_momentums", "bias_momentums"]],
  adagrad: [adagrad_step, ["weight_cache", "bias_cache"]],
  rmsprop: [rmsprop_step, ["weight_cache", "bias_cache"]],
  adam: [adam_step, ["weight_momentums", "bias_momentums", "weight_cache", "bias_cache"]],
};

export function training({
  inputs, y_true, weights1, biases1, weights2, biases2, steps, label_format, optimizer,
  ...hyperparameters
}) {
  // inputs (B, K), y_true, weights1 (K, H), biases1 (H), weights2 (H, C), biases2 (C), steps,
  // learning_rate, decay, momentum, epsilon, rho, beta_1, beta_2
  // -> per step: loss, accuracy, learning_rate (S); weights1 (S, K, H), biases1 (S, H),
  //    weights2 (S, H, C), biases2 (S, C)
  // The book's model, full batch: Dense(K, H) -> ReLU -> Dense(H, C) -> softmax + cross-entropy.
  // NOTE: loss and accuracy are measured BEFORE the step, the parameters recorded AFTER it;
  //       optimizer state starts at zeros, and both layers are updated with iterations = s (the
  //       count rises once per step, not once per layer).
  const [samples, k] = batchShape("inputs", inputs);
  const h = layerShape("weights1", weights1, "biases1", biases1, k);
  const classes = layerShape("weights2", weights2, "biases2", biases2, h);
  labels(y_true, label_format, samples, classes);
  steps = count("steps", steps, 1);
  const hyper = {};
  for (const name of ["learning_rate", "decay", "momentum", "epsilon", "rho", "beta_1", "beta_2"]) {
    hyper[name] = scalar(name, hyperparameters[name]);
  }
  if (!Object.hasOwn(OPTIMIZERS, optimizer)) {
    throw new Error(`unknown optimizer ${JSON.stringify(optimizer)}`);
  }
  const [step, state] = OPTIMIZERS[optimizer];
  const layers = [{ weights: weights1, biases: biases1 }, { weights: weights2, biases: biases2 }];
  for (const layer of layers) {
    for (const name of state) {
      layer[name] = each(() => 0.0, name.startsWith("weight") ? layer.weights : layer.biases);
    }
  }
  const record = {
    loss: [], accuracy: [], learning_rate: [], weights1: [], biases1: [], weights2: [], biases2: [],
  };
  const [layer1, layer2] = layers;
  for (let s = 0; s < steps; s++) {
    const dense1 = dense_batch({ inputs, weights: layer1.weights, biases: layer1.biases }).output;
    const relu1 = relu({ inputs: dense1 }).output;
    const dense2 = dense_batch({ inputs: relu1, weights: layer2.weights, biases: layer2.biases })
      .output;
    const probabilities = softmax({ inputs: dense2 }).output;
    const predicted = { y_pred: probabilities, y_true, label_format };
    record.loss.push(categorical_crossentropy(predicted).loss);
    record.accuracy.push(accuracy(predicted).accuracy);

    const dvalues = softmax_crossentropy_backward({ ...predicted, path: "combined" }).dinputs;
    const grads2 = dense_backward({ inputs: relu1, weights: layer2.weights, dvalues });
    const drelu1 = relu_backward({ inputs: dense1, dvalues: grads2.dinputs }).dinputs;
    const grads1 = dense_backward({ inputs, weights: layer1.weights, dvalues: drelu1 });

    let result;
    for (const [layer, grads] of [[layer1, grads1], [layer2, grads2]]) {
      result = step({ ...layer, dweights: grads.dweights, dbiases: grads.dbiases,
        iterations: s, ...hyper });
      for (const name of ["weights", "biases", ...state]) layer[name] = result[name];
    }
    record.learning_rate.push(result.learning_rate);
    record.weights1.push(layer1.weights);
    record.biases1.push(layer1.biases);
    record.weights2.push(layer2.weights);
    record.biases2.push(layer2.biases);
  }
  return record;
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

function sum(values) {
  let total = 0.0;
  for (const v of values) total += v;
  return total;
}

// f applied element by element to arrays of one shape (numbers, lists or lists of lists).
function each(f, ...arrays) {
  if (!Array.isArray(arrays[0])) return f(...arrays);
  return arrays[0].map((_, i) => each(f, ...arrays.map((array) => array[i])));
}

// The matrix product of a (I, J) and b (J, columns).
function dot(a, b, columns) {
  return a.map((row) => {
    const out = new Array(columns).fill(0.0);
    for (let j = 0; j < row.length; j++) {
      for (let c = 0; c < columns; c++) out[c] += row[j] * b[j][c];
    }
    return out;
  });
}

// Sparse labels or one-hot rows, checked, as one-hot rows of 0s and 1s.
function oneHot(yTrue, labelFormat, samples, classes) {
  const [format, checked] = labels(yTrue, labelFormat, samples, classes);
  if (format === "onehot") return checked;
  return checked.map((label) => Array.from({ length: classes }, (_, c) => (c === label ? 1 : 0)));
}

function currentLearningRate(learningRate, decay, iterations) {
  // NOTE: lr / (1 + decay·iterations), recomputed from the initial rate at every step (never
  //       compounded), with iterations counted BEFORE this step: step 0 uses the initial rate.
  return decay === 0 ? learningRate : learningRate * (1 / (1 + decay * iterations));
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

// The shape of a nested array as NumPy sees it: [] for a number, [B] for a list of numbers,
// [B, K] for a list of rows, and so on. Rows of different lengths are ragged_rows.
function shapeOf(name, value) {
  if (!Array.isArray(value)) return [];
  const inner = value.map((v) => shapeOf(name, v));
  for (let i = 1; i < inner.length; i++) {
    if (inner[i].join() !== inner[0].join()) {
      throw new StageError("ragged_rows", `${name} has rows of different shapes`);
    }
  }
  return [value.length, ...(inner[0] ?? [])];
}

function sameShape(name, value, dims, of) {
  const got = shapeOf(name, value);
  if (got.join() !== dims.join() || got.length !== dims.length) {
    throw new StageError("shape_mismatch",
      `${name} has shape [${got}], not the shape of ${of}, [${dims}]`);
  }
}

// The shape [B, K] of a batch: a rank-2 input with at least one sample.
function batchShape(name, value) {
  if (Array.isArray(value) && value.length === 0) {
    throw new StageError("empty_batch", `${name} has no samples`);
  }
  const dims = shapeOf(name, value);
  if (dims.length !== 2) {
    throw new StageError("shape_mismatch", `${name} must have rank 2, has shape [${dims}]`);
  }
  return dims;
}

// Weights (K, N) and biases (N) of one layer, with K = rows when given; returns N.
function layerShape(weightsName, weights, biasesName, biases, rows = undefined) {
  const dims = shapeOf(weightsName, weights);
  if (dims.length !== 2 || (rows !== undefined && dims[0] !== rows)) {
    throw new StageError("shape_mismatch",
      `${weightsName} must have shape [${rows ?? "K"}, N], has [${dims}]`);
  }
  sameShape(biasesName, biases, [dims[1]], `${weightsName}' neurons`);
  return dims[1];
}

// A regularization factor: a number >= 0.
function factor(name, value) {
  if (scalar(name, value) < 0) {
    throw new StageError("invalid_value", `${name} is ${value}, negative`);
  }
  return value;
}

// An iteration or step count: an integer >= least.
function count(name, value, least) {
  if (!Number.isInteger(value) || value < least) {
    throw new StageError("invalid_value",
      `${name} is ${JSON.stringify(value)}, not an integer >= ${least}`);
  }
  return value;
}

// An optimizer step's inputs: weights (K, N), biases (N), their gradients and the state arrays
// of the same shapes, iterations, and the hyperparameters (numbers). Returns the numbers.
function optimizerInputs(layer, state, hyperparameters) {
  const n = layerShape("weights", layer.weights, "biases", layer.biases);
  const dims = { weights: shapeOf("weights", layer.weights), biases: [n] };
  for (const name of ["dweights", "dbiases", ...state]) {
    const of = name.startsWith("weight") || name === "dweights" ? "weights" : "biases";
    sameShape(name, layer[name], dims[of], of);
  }
  const numbers = { iterations: count("iterations", layer.iterations, 0) };
  for (const name of hyperparameters) numbers[name] = scalar(name, layer[name]);
  return numbers;
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
