// The stages of Neural Networks from Scratch, chapters 1 to 22, in plain JavaScript.
//
// One function per stage, named as in the suite. Each takes one object of named inputs (nested
// arrays of numbers) and params (strings) and returns an object of named outputs. The inputs
// arrive checked by nnfs-kit (kits/javascript): well-formed, of fitting shapes, labels in range,
// so this code checks nothing, like the book. Labels come as { sparse: [...] } or
// { onehot: [[...]] }. No dependencies: loops over arrays, Math.exp and Math.log, as in the
// book's first chapters, and Node's own fs and v8 for chapter 21's file. JavaScript numbers are
// float64, the port's dtype.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deserialize, serialize } from "node:v8";

// ---------------------------------------------------------------------------------------------
// The stages

export function neuron({ inputs, weights, bias }) {
  // inputs (K), weights (K), bias (scalar) -> output (scalar)
  let output = 0.0;
  for (let k = 0; k < inputs.length; k++) {
    output += inputs[k] * weights[k];
  }
  return { output: output + bias };
}

export function layer({ inputs, weights, biases }) {
  // inputs (K), weights (N, K): one row per neuron, biases (N) -> output (N)
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

export function dense_batch({ inputs, weights, biases }) {
  // inputs (B, K); weights (K, N) as Layer_Dense keeps them (the kit transposes chapter 2's
  // per-neuron rows); biases (N) -> output (B, N) = inputs @ weights + biases
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
  // inputs (B, K) (the kit gives a rank-1 case as one row) -> output (B, K)
  // NOTE: Math.max(0, x) lets NaN through, as np.maximum does.
  return { output: each((x) => Math.max(0, x), inputs) };
}

export function dense_relu({ inputs, weights, biases }) {
  // chapter 4's first chain, before any loss: the layer's output and ReLU of it
  const dense = dense_batch({ inputs, weights, biases }).output;
  return { dense, relu: relu({ inputs: dense }).output };
}

export function softmax({ inputs }) {
  // inputs (B, C) logits -> output (B, C), each row sums to 1
  // NOTE: subtracts the row maximum first, so exp never overflows; the running maximum
  //       starts at the row's first element, not at 0 (a row of negative logits).
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

export function dense_relu_dense_softmax({ inputs, weights1, biases1, weights2, biases2 }) {
  // chapter 4's whole network, before chapter 5 adds the loss
  const { dense: dense1, relu: relu1 } = dense_relu({ inputs, weights: weights1, biases: biases1 });
  const dense2 = dense_batch({ inputs: relu1, weights: weights2, biases: biases2 }).output;
  return { dense1, relu1, dense2, softmax: softmax({ inputs: dense2 }).output };
}

const CLIP_LOW = 1e-7;
const CLIP_HIGH = 1 - 1e-7;

export function categorical_crossentropy({ y_pred, y_true }) {
  // y_pred (B, C) probabilities; y_true { sparse: (B) class indices } or { onehot: (B, C) rows }
  // -> sample_losses (B), loss (scalar: the mean, not the sum)
  // NOTE: y_pred is clipped to [1e-7, 1 - 1e-7] so log(0) never happens; natural log.
  const classes = y_pred[0].length;
  const sample_losses = [];
  for (let b = 0; b < y_pred.length; b++) {
    const clipped = y_pred[b].map(clip);
    let correctConfidence;
    if (y_true.sparse) {
      correctConfidence = clipped[y_true.sparse[b]];
    } else {
      correctConfidence = 0.0;
      for (let c = 0; c < classes; c++) {
        correctConfidence += clipped[c] * y_true.onehot[b][c];
      }
    }
    sample_losses.push(-Math.log(correctConfidence));
  }
  return { sample_losses, loss: mean(sample_losses) };
}

export function accuracy({ y_pred, y_true }) {
  // y_pred (B, C); y_true { sparse: (B) class indices } or { onehot: (B, C) rows }
  // -> predictions (B) integers, accuracy (scalar): the fraction of predictions that match
  const targets = y_true.sparse ?? y_true.onehot.map(argmax);
  const predictions = y_pred.map(argmax);
  let matches = 0;
  for (let b = 0; b < predictions.length; b++) {
    if (predictions[b] === targets[b]) matches += 1;
  }
  return { predictions, accuracy: matches / predictions.length };
}

export function forward({ inputs, weights1, biases1, weights2, biases2, y_true }) {
  // inputs (B, K), weights1 (K, H), biases1 (H), weights2 (H, C), biases2 (C),
  // y_true (B) or (B, C): the chapter 5 network, dense -> ReLU -> dense -> softmax -> loss
  // -> dense1, relu1 (B, H); dense2, softmax (B, C); sample_losses, predictions (B);
  //    loss, accuracy (scalars)
  const dense1 = dense_batch({ inputs, weights: weights1, biases: biases1 }).output;
  const relu1 = relu({ inputs: dense1 }).output;
  const dense2 = dense_batch({ inputs: relu1, weights: weights2, biases: biases2 }).output;
  const probabilities = softmax({ inputs: dense2 }).output;
  const loss = categorical_crossentropy({ y_pred: probabilities, y_true });
  const acc = accuracy({ y_pred: probabilities, y_true });
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
  const k = weights.length;
  const n = weights[0].length;
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
  // inputs: the forward pass's inputs (B, K); dvalues (B, K) -> dinputs (B, K)
  // NOTE: the gradient is 0 where the INPUT is <= 0, including exactly 0 and -0.0: the mask is
  //       taken on the forward inputs, never on dvalues.
  return { dinputs: each((x, dv) => (x <= 0 ? 0 : dv), inputs, dvalues) };
}

export function repeated_forward({ inputs1, inputs2, weights, biases, dvalues }) {
  // one Layer_Dense and one Activation_ReLU, called on two batches in a row, then backward:
  // each call starts afresh, so everything after the second comes from inputs2 alone
  // -> output1 (B, N), output2 (D, N), dweights (K, N), dbiases (N), dinputs (D, K)
  const output1 = relu({ inputs: dense_batch({ inputs: inputs1, weights, biases }).output }).output;
  const dense2 = dense_batch({ inputs: inputs2, weights, biases }).output;
  const output2 = relu({ inputs: dense2 }).output;
  const drelu = relu_backward({ inputs: dense2, dvalues }).dinputs;
  const { dweights, dbiases, dinputs } =
    dense_backward({ inputs: inputs2, weights, dvalues: drelu });
  return { output1, output2, dweights, dbiases, dinputs };
}

export function softmax_backward({ output, dvalues }) {
  // output (B, C): the softmax's forward output, dvalues (B, C) -> dinputs (B, C)
  // NOTE: each sample through its Jacobian diag(p) - p·pᵀ, as the book writes it.
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

export function categorical_crossentropy_backward({ y_pred, y_true }) {
  // y_pred (B, C), y_true { sparse: (B) } or { onehot: (B, C) } -> dinputs (B, C)
  // NOTE: -y_true / y_pred / samples, NOT clipped (the book does not clip here).
  const samples = y_pred.length;
  const targets = oneHot(y_true, y_pred[0].length);
  return { dinputs: each((y, p) => -y / p / samples, targets, y_pred) };
}

export function softmax_crossentropy_backward({ y_pred, y_true, path }) {
  // y_pred (B, C): the SOFTMAX OUTPUT, y_true { sparse } or { onehot } -> dinputs (B, C)
  // "combined": (y_pred - y_true) / samples, divided by the number of SAMPLES, not classes;
  // "separate": the two backward passes chained, the same number computed the long way.
  const samples = y_pred.length;
  const targets = oneHot(y_true, y_pred[0].length);
  if (path === "separate") {
    const dvalues = categorical_crossentropy_backward({ y_pred, y_true }).dinputs;
    return softmax_backward({ output: y_pred, dvalues });
  }
  return { dinputs: each((p, y) => (y === 1 ? p - 1 : p) / samples, y_pred, targets) };
}

export function regularization({
  weights, biases, weight_regularizer_l1, weight_regularizer_l2,
  bias_regularizer_l1, bias_regularizer_l2,
}) {
  // weights (K, N), biases (N), four factors >= 0 -> loss (scalar), dweights (K, N), dbiases (N):
  // the regularization's own share, which Layer_Dense.backward adds to the data gradients
  const [l1w, l2w] = [weight_regularizer_l1, weight_regularizer_l2];
  const [l1b, l2b] = [bias_regularizer_l1, bias_regularizer_l2];
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
  const binaryMask = each((m) => m / (1 - rate), mask);
  return {
    output: each((x, m) => x * m, inputs, binaryMask),
    dinputs: each((dv, m) => dv * m, dvalues, binaryMask),
  };
}

export function sigmoid({ inputs, dvalues }) {
  // inputs (B, N), dvalues (B, N) -> output, dinputs (B, N)
  // NOTE: the backward reuses the output: dvalues·(1 - s)·s.
  const output = each((x) => 1 / (1 + Math.exp(-x)), inputs);
  return { output, dinputs: each((dv, s) => dv * (1 - s) * s, dvalues, output) };
}

export function binary_crossentropy({ y_pred, y_true }) {
  // y_pred (B, O) sigmoid outputs, y_true (B, O) of 0/1 -> sample_losses (B), loss, dinputs (B, O)
  // NOTE: clipped to [1e-7, 1 - 1e-7] in the forward AND the backward pass; each sample's loss
  //       is the mean over its O outputs.
  const [samples, outputs] = [y_pred.length, y_pred[0].length];
  const clipped = each(clip, y_pred);
  const sample_losses = clipped.map((row, b) => mean(row.map(
    (c, o) => -(y_true[b][o] * Math.log(c) + (1 - y_true[b][o]) * Math.log(1 - c)))));
  const dinputs = each((y, c) => -(y / c - (1 - y) / (1 - c)) / outputs / samples, y_true, clipped);
  return { sample_losses, loss: mean(sample_losses), dinputs };
}

export function binary_accuracy({ y_pred, y_true }) {
  // y_pred (B, O) sigmoid outputs, y_true (B, O) of 0/1 -> predictions (B, O), accuracy
  // NOTE: strictly above 0.5 is class 1 (the book's `output > 0.5`); every output counts.
  const predictions = each((p) => (p > 0.5 ? 1 : 0), y_pred);
  const matches = each((p, y) => (p === y ? 1 : 0), predictions, y_true).flat();
  return { predictions, accuracy: mean(matches) };
}

export function linear({ inputs, dvalues }) {
  // Activation_Linear: forward returns the inputs, backward passes dvalues unchanged
  return { output: each((x) => x, inputs), dinputs: each((dv) => dv, dvalues) };
}

export function mean_squared_error({ y_pred, y_true }) {
  // y_pred (B, O), y_true (B, O) measurements -> sample_losses (B), loss, dinputs (B, O)
  const [samples, outputs] = [y_pred.length, y_pred[0].length];
  const sample_losses = y_pred.map((row, b) => mean(row.map((p, o) => (y_true[b][o] - p) ** 2)));
  const dinputs = each((p, y) => -2 * (y - p) / outputs / samples, y_pred, y_true);
  return { sample_losses, loss: mean(sample_losses), dinputs };
}

export function mean_absolute_error({ y_pred, y_true }) {
  // y_pred (B, O), y_true (B, O) measurements -> sample_losses (B), loss, dinputs (B, O)
  // NOTE: the gradient of |y_pred - y_true| is sign(y_pred - y_true), 0 where they are equal.
  //       The book's np.sign(y_true - dvalues) has the wrong sign (mae-gradient-sign-flipped).
  const [samples, outputs] = [y_pred.length, y_pred[0].length];
  const sample_losses = y_pred.map((row, b) => mean(row.map((p, o) => Math.abs(y_true[b][o] - p))));
  const dinputs = each((p, y) => Math.sign(p - y) / outputs / samples, y_pred, y_true);
  return { sample_losses, loss: mean(sample_losses), dinputs };
}

export function regression_accuracy({ y_pred, y_true, precision }) {
  // Accuracy_Regression: the share of outputs within precision (strictly) of their target
  const hits = each((p, y) => (Math.abs(p - y) < precision ? 1 : 0), y_pred, y_true).flat();
  return { accuracy: mean(hits) };
}

// The optimizers (chapter 10): the book's pre_update_params, update_params and
// post_update_params for one layer, with its whole state in and out.

export function sgd_step(layer) {
  // weights (K, N), biases (N), dweights, dbiases, weight_momentums, bias_momentums,
  // iterations, learning_rate, decay, momentum -> the updated parameters and momentums,
  // learning_rate (the rate this step used), iterations + 1
  const { iterations, learning_rate, decay, momentum } = layer;
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
  const { iterations, learning_rate, decay, epsilon } = layer;
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
  const { iterations, learning_rate, decay, epsilon, rho } = layer;
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
  const { iterations, learning_rate, decay, epsilon, beta_1, beta_2 } = layer;
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

export function shared_optimizer({
  weights1, biases1, weights2, biases2, dweights1, dbiases1, dweights2, dbiases2, steps, ...hyper
}) {
  // one Optimizer_Adam for two layers, the same gradients each step -> weights1, biases1,
  // weights2, biases2 after `steps` steps
  // NOTE: each layer keeps its own momentums and caches (zeros at first); the iteration count
  //       rises once per step (post_update_params), not once per layer.
  const layers = [
    { weights: weights1, biases: biases1, dweights: dweights1, dbiases: dbiases1 },
    { weights: weights2, biases: biases2, dweights: dweights2, dbiases: dbiases2 },
  ];
  for (const layer of layers) {
    layer.weight_momentums = layer.weight_cache = each(() => 0.0, layer.weights);
    layer.bias_momentums = layer.bias_cache = each(() => 0.0, layer.biases);
  }
  const updated = ["weights", "biases", "weight_momentums", "bias_momentums", "weight_cache",
    "bias_cache"];
  for (let iterations = 0; iterations < steps; iterations++) {
    for (const layer of layers) {
      const result = adam_step({ ...layer, iterations, ...hyper });
      for (const name of updated) layer[name] = result[name];
    }
  }
  const [layer1, layer2] = layers;
  return { weights1: layer1.weights, biases1: layer1.biases,
    weights2: layer2.weights, biases2: layer2.biases };
}

// optimizer name -> [step function, the names of its state arrays]
const OPTIMIZERS = {
  sgd: [sgd_step, ["weight_momentums", "bias_momentums"]],
  adagrad: [adagrad_step, ["weight_cache", "bias_cache"]],
  rmsprop: [rmsprop_step, ["weight_cache", "bias_cache"]],
  adam: [adam_step, ["weight_momentums", "bias_momentums", "weight_cache", "bias_cache"]],
};

export function training({
  inputs, y_true, weights1, biases1, weights2, biases2, steps, optimizer, ...hyper
}) {
  // inputs (B, K), y_true, weights1 (K, H), biases1 (H), weights2 (H, C), biases2 (C), steps,
  // learning_rate, decay, momentum, epsilon, rho, beta_1, beta_2
  // -> per step: loss, accuracy, learning_rate (S); weights1 (S, K, H), biases1 (S, H),
  //    weights2 (S, H, C), biases2 (S, C)
  // The book's model, full batch: Dense(K, H) -> ReLU -> Dense(H, C) -> softmax + cross-entropy.
  // NOTE: loss and accuracy are measured BEFORE the step, the parameters recorded AFTER it;
  //       optimizer state starts at zeros, and both layers are updated with iterations = s (the
  //       count rises once per step, not once per layer).
  const layers = newLayers(weights1, biases1, weights2, biases2, optimizer);
  const record = {
    loss: [], accuracy: [], learning_rate: [], weights1: [], biases1: [], weights2: [], biases2: [],
  };
  for (let s = 0; s < steps; s++) {
    const { probabilities, learningRate } = trainStep(layers, inputs, y_true, s, optimizer, hyper);
    const predicted = { y_pred: probabilities, y_true };
    record.loss.push(categorical_crossentropy(predicted).loss);
    record.accuracy.push(accuracy(predicted).accuracy);
    record.learning_rate.push(learningRate);
    layers.forEach((layer, i) => {
      record[`weights${i + 1}`].push(layer.weights);
      record[`biases${i + 1}`].push(layer.biases);
    });
  }
  return record;
}

// The two Layer_Dense of the book's model, each with its optimizer state at zeros and its
// regularizers [weight l1, weight l2, bias l1, bias l2]; the second layer has none.
function newLayers(weights1, biases1, weights2, biases2, optimizer, regularizers = [0, 0, 0, 0]) {
  const [, state] = OPTIMIZERS[optimizer];
  const layers = [
    { weights: weights1, biases: biases1, regularizers },
    { weights: weights2, biases: biases2, regularizers: [0, 0, 0, 0] },
  ];
  for (const layer of layers) {
    for (const name of state) {
      layer[name] = each(() => 0.0, name.startsWith("weight") ? layer.weights : layer.biases);
    }
  }
  return layers;
}

// One step of the book's loop on one batch: the forward pass, the backward pass (the combined
// softmax + cross-entropy gradient; each layer adds its regularization gradients), then the
// optimizer on both layers with the same iteration count. Updates `layers`; returns the
// probabilities of the forward pass (before the update) and the rate the step used.
function trainStep(layers, inputs, y_true, iterations, optimizer, hyper) {
  const [step, state] = OPTIMIZERS[optimizer];
  const [layer1, layer2] = layers;
  const dense1 = dense_batch({ inputs, weights: layer1.weights, biases: layer1.biases }).output;
  const relu1 = relu({ inputs: dense1 }).output;
  const dense2 = dense_batch({ inputs: relu1, weights: layer2.weights, biases: layer2.biases })
    .output;
  const probabilities = softmax({ inputs: dense2 }).output;

  const dvalues = softmax_crossentropy_backward({ y_pred: probabilities, y_true, path: "combined" })
    .dinputs;
  const grads2 = dense_backward({ inputs: relu1, weights: layer2.weights, dvalues });
  const drelu1 = relu_backward({ inputs: dense1, dvalues: grads2.dinputs }).dinputs;
  const grads1 = dense_backward({ inputs, weights: layer1.weights, dvalues: drelu1 });

  let result;
  for (const [layer, grads] of [[layer1, grads1], [layer2, grads2]]) {
    result = step({ ...layer, ...regularized(layer, grads), iterations, ...hyper });
    for (const name of ["weights", "biases", ...state]) layer[name] = result[name];
  }
  return { probabilities, learningRate: result.learning_rate };
}

// Layer_Dense.backward's regularization: each term added to the data gradients only when its
// factor is > 0, as the book writes it.
function regularized({ weights, biases, regularizers }, { dweights, dbiases }) {
  const [weightL1, weightL2, biasL1, biasL2] = regularizers;
  // NOTE: d|w|/dw is +1 where w >= 0, including 0 and -0.0 (the book's dL1).
  const dl1 = (w) => (w < 0 ? -1 : 1);
  if (weightL1 > 0) dweights = each((g, w) => g + weightL1 * dl1(w), dweights, weights);
  if (weightL2 > 0) dweights = each((g, w) => g + 2 * weightL2 * w, dweights, weights);
  if (biasL1 > 0) dbiases = each((g, b) => g + biasL1 * dl1(b), dbiases, biases);
  if (biasL2 > 0) dbiases = each((g, b) => g + 2 * biasL2 * b, dbiases, biases);
  return { dweights, dbiases };
}

// ---------------------------------------------------------------------------------------------
// Chapters 18-22: what the Model adds around the network

export function model_training({
  inputs, y_true, validation_inputs, validation_y_true, weights1, biases1, weights2, biases2,
  epochs, batch_size, weight_regularizer_l1, weight_regularizer_l2, bias_regularizer_l1,
  bias_regularizer_l2, optimizer, ...hyper
}) {
  // Model.train(X, y, epochs, batch_size, validation_data=(X_val, y_val)) on Dense(K, H, the
  // four regularizers) -> ReLU -> Dense(H, C) -> Softmax with the categorical cross-entropy
  // -> per epoch (E): loss (data + regularization, as printed), data_loss, regularization_loss,
  //    accuracy, learning_rate, validation_loss, validation_accuracy; then weights1 (K, H),
  //    biases1 (H), weights2 (H, C), biases2 (C) after the last epoch
  const regularizers = [weight_regularizer_l1, weight_regularizer_l2, bias_regularizer_l1,
    bias_regularizer_l2];
  const layers = newLayers(weights1, biases1, weights2, biases2, optimizer, regularizers);
  const record = {
    loss: [], data_loss: [], regularization_loss: [], accuracy: [], learning_rate: [],
    validation_loss: [], validation_accuracy: [],
  };
  let iterations = 0; // NOTE: counts the steps across epochs: the rate keeps decaying
  for (let epoch = 0; epoch < epochs; epoch++) {
    const dataLoss = new Accumulated(); // the book's new_pass()
    const epochAccuracy = new Accumulated();
    let learningRate;
    for (const [batchX, batchY] of batchesOf(inputs, y_true, batch_size)) {
      const step = trainStep(layers, batchX, batchY, iterations, optimizer, hyper);
      const predicted = { y_pred: step.probabilities, y_true: batchY };
      dataLoss.add(categorical_crossentropy(predicted).sample_losses);
      epochAccuracy.add(hits(predicted));
      learningRate = step.learningRate;
      iterations += 1;
    }
    // NOTE: the regularization loss is taken at the END of the epoch, from the parameters after
    //       its last update; the printed loss adds it to the accumulated data loss.
    const regularizationLoss = regularization({
      weights: layers[0].weights, biases: layers[0].biases,
      weight_regularizer_l1, weight_regularizer_l2, bias_regularizer_l1, bias_regularizer_l2,
    }).loss;
    record.loss.push(dataLoss.value() + regularizationLoss);
    record.data_loss.push(dataLoss.value());
    record.regularization_loss.push(regularizationLoss);
    record.accuracy.push(epochAccuracy.value());
    record.learning_rate.push(learningRate); // current_learning_rate: the last step's
    const validation = evaluateModel(layers, validation_inputs, validation_y_true, batch_size);
    record.validation_loss.push(validation.loss);
    record.validation_accuracy.push(validation.accuracy);
  }
  const [layer1, layer2] = layers;
  return { ...record, weights1: layer1.weights, biases1: layer1.biases,
    weights2: layer2.weights, biases2: layer2.biases };
}

// Model.evaluate: the same batches, forward only; the accumulated data loss (NOTE: no
// regularization) and accuracy.
function evaluateModel([layer1, layer2], inputs, y_true, batch_size) {
  const dataLoss = new Accumulated();
  const hitRate = new Accumulated();
  for (const [batchX, batchY] of batchesOf(inputs, y_true, batch_size)) {
    const probabilities = dense_relu_dense_softmax({ inputs: batchX, weights1: layer1.weights,
      biases1: layer1.biases, weights2: layer2.weights, biases2: layer2.biases }).softmax;
    const predicted = { y_pred: probabilities, y_true: batchY };
    dataLoss.add(categorical_crossentropy(predicted).sample_losses);
    hitRate.add(hits(predicted));
  }
  return { loss: dataLoss.value(), accuracy: hitRate.value() };
}

// What the book's Loss and Accuracy count since new_pass(): a sum over every sample of the pass
// and the number of samples.
// NOTE: the pass's value is the sum over the count, NOT the mean of the batches' means, so a
//       short last batch weighs as many samples as it has.
class Accumulated {
  constructor() {
    this.total = 0.0;
    this.count = 0;
  }

  add(values) {
    this.total += sum(values);
    this.count += values.length;
  }

  value() {
    return this.total / this.count;
  }
}

// Model.train's batches of inputs and their labels: batch `step` is rows
// [step·batch_size, (step + 1)·batch_size) in the order given, a short last batch included.
function* batchesOf(inputs, y_true, batch_size) {
  const { steps } = batches({ inputs, batch_size });
  for (let step = 0; step < steps; step++) {
    const [start, end] = [step * batch_size, (step + 1) * batch_size];
    yield [inputs.slice(start, end), y_true.sparse ? { sparse: y_true.sparse.slice(start, end) }
      : { onehot: y_true.onehot.slice(start, end) }];
  }
}

// 1 per sample whose prediction is its label, else 0 (the book's comparisons).
function hits({ y_pred, y_true }) {
  const labels = y_true.sparse ?? y_true.onehot.map(argmax);
  return accuracy({ y_pred, y_true }).predictions.map((p, b) => (p === labels[b] ? 1 : 0));
}

export function preprocess({ images, labels, keys }) {
  // images (B, H, W) bytes, labels (B), keys (B) a permutation -> x (B, H·W), y (B)
  // chapter 19: each image flattened row by row and scaled to [-1, 1], then X[keys], y[keys]
  const X = images.map((image) => image.flat().map((pixel) => (pixel - 127.5) / 127.5));
  return { x: keys.map((key) => X[key]), y: keys.map((key) => labels[key]) };
}

export function batches({ inputs, batch_size }) {
  // Model.train's steps and the slices it takes: a short last batch is a step of its own
  // -> steps, batch_sizes (steps), first_rows and last_rows (steps, K)
  let steps = Math.floor(inputs.length / batch_size);
  if (steps * batch_size < inputs.length) steps += 1;
  const taken = [];
  for (let step = 0; step < steps; step++) {
    taken.push(inputs.slice(step * batch_size, (step + 1) * batch_size));
  }
  return {
    steps,
    batch_sizes: taken.map((batch) => batch.length),
    first_rows: taken.map((batch) => batch[0]),
    last_rows: taken.map((batch) => batch[batch.length - 1]),
  };
}

export function predictions({ inputs, activation }) {
  // the output activation's predictions(): Softmax, Sigmoid or Linear
  if (activation === "softmax") return { predictions: inputs.map(argmax) };
  if (activation === "sigmoid") return { predictions: each((x) => (x > 0.5 ? 1 : 0), inputs) };
  return { predictions: each((x) => x, inputs) };
}

export function evaluate({ y_pred, y_true, batch_size }) {
  // Model.evaluate: y_pred (B, C) softmax outputs, y_true, batch_size -> loss, accuracy
  // NOTE: the sums and counts are accumulated over the batches and divided once at the end,
  //       not the mean of the batch means (they differ when the last batch is short).
  const dataLoss = new Accumulated();
  const hitRate = new Accumulated();
  for (const [batchPredictions, batchY] of batchesOf(y_pred, y_true, batch_size)) {
    const predicted = { y_pred: batchPredictions, y_true: batchY };
    dataLoss.add(categorical_crossentropy(predicted).sample_losses);
    hitRate.add(hits(predicted));
  }
  return { loss: dataLoss.value(), accuracy: hitRate.value() };
}

export function parameters({ inputs, weights1, biases1, weights2, biases2 }) {
  // chapter 21: get_parameters, save them to a file, load them into a fresh model with
  // set_parameters, then use it -> the loaded weights1, biases1, weights2, biases2 and the
  // softmax output (B, C) of the loaded model on inputs
  // NOTE: the book pickles [(weights, biases), ...]; v8.serialize is Node's pickle: it writes
  //       each number as its 8 bytes, so every digit (and -0.0) comes back.
  const folder = mkdtempSync(join(tmpdir(), "nnfs-parameters-"));
  const path = join(folder, "model.params");
  let loaded;
  try {
    writeFileSync(path, serialize([[weights1, biases1], [weights2, biases2]]));
    loaded = deserialize(readFileSync(path));
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  const [[w1, b1], [w2, b2]] = loaded;
  const output = dense_relu_dense_softmax({
    inputs, weights1: w1, biases1: b1, weights2: w2, biases2: b2,
  }).softmax;
  return { weights1: w1, biases1: b1, weights2: w2, biases2: b2, output };
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

// Sparse labels or one-hot rows, as one-hot rows of 0s and 1s.
function oneHot(yTrue, classes) {
  if (yTrue.onehot) return yTrue.onehot;
  return yTrue.sparse.map((label) =>
    Array.from({ length: classes }, (_, c) => (c === label ? 1 : 0)));
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
