// The book tier in plain JavaScript: the book's random numbers, datasets and printed results.
//
// Follows ports/python/book.py function by function; docs/BOOK.md explains each rule. In short,
// `nnfs.init()` means
// - NumPy's legacy random stream: MT19937 seeded by init_genrand, 53-bit doubles, and the polar
//   Gaussian that caches its second value between calls;
// - float32 everywhere: every operation is done in double and rounded to float32 (f32 is
//   Math.fround), which gives exactly the float32 result for + - * / and sqrt; Python scalars
//   are rounded first;
// - np.dot: products and sums in double, rounded once to float32;
// - expf and logf correctly rounded: Math.exp and Math.log in double, rounded to float32.
import { log } from "./crlog.js";

const f32 = Math.fround;

// ---------------------------------------------------------------------------------------------
// np.random.seed(seed): NumPy's legacy MT19937 stream

export class RandomState {
  constructor(seed) {
    // NOTE: 32-bit words: a Uint32Array wraps every store, Math.imul multiplies modulo 2^32
    this.mt = new Uint32Array(624);
    this.mt[0] = seed >>> 0;
    for (let i = 1; i < 624; i++) { // init_genrand, as C++ std::mt19937(seed)
      const prev = this.mt[i - 1];
      this.mt[i] = Math.imul(1812433253, prev ^ (prev >>> 30)) + i;
    }
    this.index = 624;
    this.hasGauss = false;
    this.gauss = 0.0;
  }

  u32() {
    if (this.index >= 624) { // twist: regenerate all 624 words
      const mt = this.mt;
      for (let i = 0; i < 624; i++) {
        const y = (mt[i] & 0x80000000) | (mt[(i + 1) % 624] & 0x7fffffff);
        mt[i] = mt[(i + 397) % 624] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.index = 0;
    }
    let y = this.mt[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0; // the bitwise operators give int32: back to unsigned
  }

  double() {
    const a = this.u32() >>> 5; // 27 bits
    const b = this.u32() >>> 6; // 26 bits
    return (a * 67108864.0 + b) / 9007199254740992.0;
  }

  randn() {
    // NOTE: the polar method makes two Gaussians; the second is cached and returned by the next
    //       call, whatever was drawn in between (doubles and u32 do not clear it).
    if (this.hasGauss) {
      this.hasGauss = false;
      return this.gauss;
    }
    let x1, x2, r2;
    do {
      x1 = 2.0 * this.double() - 1.0;
      x2 = 2.0 * this.double() - 1.0;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1.0 || r2 === 0.0);
    // NOTE: log correctly rounded (crlog.js), not Math.log: the Gaussian is compared as a double
    const f = Math.sqrt(-2.0 * log(r2) / r2);
    this.gauss = f * x1;
    this.hasGauss = true;
    return f * x2;
  }
}

export function rng({ seed, calls }) {
  // seed; calls: [[kind, count], ...], kind 0 = 32-bit output, 1 = double, 2 = randn
  // -> values: every draw, in call order
  const state = new RandomState(seed);
  const draw = [() => state.u32(), () => state.double(), () => state.randn()];
  const values = [];
  for (const [kind, count] of calls) {
    for (let i = 0; i < count; i++) values.push(draw[kind]());
  }
  return { values };
}

// ---------------------------------------------------------------------------------------------
// nnfs.datasets

function linspace(start, stop, num) {
  // np.linspace: i * step + start, and the last element exactly stop
  const step = num > 1 ? (stop - start) / (num - 1) : 0.0;
  const values = Array.from({ length: num }, (_, i) => i * step + start);
  if (num > 1) values[num - 1] = stop;
  return values;
}

function spiralData(state, samples, classes) {
  const X = [];
  const y = [];
  for (let classNumber = 0; classNumber < classes; classNumber++) {
    const r = linspace(0.0, 1.0, samples);
    // NOTE: randn is rounded to float32, then multiplied by float32(0.2) in float32
    const noise = Array.from({ length: samples }, () => f32(f32(state.randn()) * f32(0.2)));
    const t = linspace(classNumber * 4, (classNumber + 1) * 4, samples).map((a, i) => a + noise[i]);
    for (let i = 0; i < samples; i++) {
      // NOTE: t, sin, cos and the products are double; X stores them as float32
      X.push([f32(r[i] * Math.sin(t[i] * 2.5)), f32(r[i] * Math.cos(t[i] * 2.5))]);
      y.push(classNumber);
    }
  }
  return [X, y];
}

function verticalData(state, samples, classes) {
  const X = [];
  const y = [];
  for (let classNumber = 0; classNumber < classes; classNumber++) {
    // all x of the class first, then all y
    const xs = Array.from({ length: samples },
      () => f32(f32(f32(state.randn()) * f32(0.1)) + f32(classNumber / 3)));
    const ys = Array.from({ length: samples },
      () => f32(f32(f32(state.randn()) * f32(0.1)) + f32(0.5)));
    xs.forEach((a, i) => X.push([a, ys[i]]));
    for (let i = 0; i < samples; i++) y.push(classNumber);
  }
  return [X, y];
}

function sineData(samples) {
  // NOTE: float64, no random numbers (np.arange is not patched by nnfs.init)
  const X = Array.from({ length: samples }, (_, i) => [i / samples]);
  const y = X.map(([x]) => [Math.sin(2 * Math.PI * x)]);
  return [X, y];
}

export function datasets({ seed, samples, classes, dataset }) {
  // seed, samples, classes; dataset: "spiral", "vertical" or "sine" -> x (X), y
  if (dataset === "sine") {
    const [x, y] = sineData(samples);
    return { x, y };
  }
  const make = dataset === "spiral" ? spiralData : verticalData;
  const [x, y] = make(new RandomState(seed), samples, classes);
  return { x, y };
}

// ---------------------------------------------------------------------------------------------
// Layer_Dense initial weights

function layerWeights(state, nInputs, nNeurons, scale = 0.01) {
  // NOTE: 0.01 * randn(n_inputs, n_neurons): float32(0.01) times float32(randn), row-major
  return Array.from({ length: nInputs },
    () => Array.from({ length: nNeurons }, () => f32(f32(scale) * f32(state.randn()))));
}

export function init({ seed, skip, shapes, scale }) {
  // seed; skip: Gaussians drawn first (a dataset); shapes: [[n_inputs, n_neurons], ...]
  // -> weights: every layer's weights, row-major, concatenated in order
  const state = new RandomState(seed);
  for (let i = 0; i < skip; i++) state.randn();
  const weights = [];
  for (const [nInputs, nNeurons] of shapes) {
    for (const row of layerWeights(state, nInputs, nNeurons, scale)) weights.push(...row);
  }
  return { weights };
}

export function shuffle({ seed, samples }) {
  // seed, samples -> keys: chapter 19's np.random.shuffle(keys) of keys = range(samples)
  const state = new RandomState(seed);
  const keys = Array.from({ length: samples }, (_, i) => i);
  for (let i = samples - 1; i > 0; i--) {
    // NOTE: NumPy draws a 32-bit output masked to i's bits until it is at most i
    const mask = 2 ** (32 - Math.clz32(i)) - 1;
    let j;
    do {
      j = (state.u32() & mask) >>> 0; // unsigned, should i reach 2^31
    } while (j > i);
    [keys[i], keys[j]] = [keys[j], keys[i]];
  }
  return { keys };
}

// ---------------------------------------------------------------------------------------------
// The book's chapter 3-10 script

function dot(a, b) {
  // np.dot after nnfs.init(): (B, K) x (K, N), sums in double, rounded once to float32
  const columns = transpose(b);
  return a.map((row) => columns.map((col) => {
    let total = 0.0;
    for (let k = 0; k < row.length; k++) total += row[k] * col[k];
    return f32(total);
  }));
}

function transpose(m) {
  return m.length === 0 ? [] : m[0].map((_, j) => m.map((row) => row[j]));
}

export function pairwiseSum(values) {
  // np.sum / np.mean of a float32 vector: NumPy's pairwise summation, in float32
  const n = values.length;
  if (n < 8) {
    let total = 0.0;
    for (const v of values) total = f32(total + v);
    return total;
  }
  if (n <= 128) {
    // eight interleaved accumulators, then combined in pairs
    const r = values.slice(0, 8);
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (let j = 0; j < 8; j++) r[j] = f32(r[j] + values[i + j]);
    }
    let total = f32(f32(f32(r[0] + r[1]) + f32(r[2] + r[3]))
      + f32(f32(r[4] + r[5]) + f32(r[6] + r[7])));
    for (; i < n; i++) total = f32(total + values[i]);
    return total;
  }
  let half = Math.floor(n / 2);
  half -= half % 8;
  return f32(pairwiseSum(values.slice(0, half)) + pairwiseSum(values.slice(half)));
}

class LayerDense {
  constructor(state, nInputs, nNeurons) {
    this.weights = layerWeights(state, nInputs, nNeurons);
    this.biases = new Array(nNeurons).fill(0.0);
  }

  forward(inputs) {
    this.inputs = inputs;
    this.output = dot(inputs, this.weights)
      .map((row) => row.map((v, n) => f32(v + this.biases[n])));
  }

  backward(dvalues) {
    this.dweights = dot(transpose(this.inputs), dvalues);
    // np.sum(axis=0): row after row, in float32
    this.dbiases = transpose(dvalues).map((col) => col.reduce((total, v) => f32(total + v), 0.0));
    this.dinputs = dot(dvalues, transpose(this.weights));
  }
}

function reluForward(inputs) {
  return inputs.map((row) => row.map((x) => (x > 0 ? x : 0.0)));
}

function softmaxForward(inputs) {
  return inputs.map((row) => {
    const largest = Math.max(...row);
    // NOTE: expf correctly rounded: exp in double, rounded once
    const exps = row.map((x) => f32(Math.exp(f32(x - largest))));
    const total = exps.reduce((sum, e) => f32(sum + e), 0.0);
    return exps.map((e) => f32(e / total));
  });
}

function argmax(row) {
  let best = 0;
  row.forEach((v, i) => {
    if (v > row[best]) best = i; // strictly greater: the first maximum wins
  });
  return best;
}

const CLIP_LOW = f32(1e-7);
const CLIP_HIGH = f32(1 - 1e-7);

function lossOf(probs, y) {
  const losses = probs.map((row, i) => {
    const p = Math.min(Math.max(row[y[i]], CLIP_LOW), CLIP_HIGH);
    return f32(-f32(Math.log(p))); // logf correctly rounded
  });
  return f32(pairwiseSum(losses) / losses.length);
}

function combinedBackward(probs, y) {
  const samples = probs.length;
  return probs.map((row, i) => {
    row = [...row];
    row[y[i]] = f32(row[y[i]] - 1.0);
    return row.map((v) => f32(v / samples));
  });
}

class Optimizer {
  constructor(kind, learningRate, decay, momentum) {
    this.kind = kind;
    this.learningRate = learningRate;
    this.decay = decay;
    this.momentum = momentum;
    this.currentLearningRate = learningRate;
    this.iterations = 0;
    this.epsilon = 1e-7;
    this.rho = 0.9;
    this.beta1 = 0.9;
    this.beta2 = 0.999;
    this.state = new Map();
  }

  preUpdateParams() {
    if (this.decay) { // double arithmetic, like the book's Python floats
      this.currentLearningRate = this.learningRate * (1.0 / (1.0 + this.decay * this.iterations));
    }
  }

  postUpdateParams() {
    this.iterations += 1;
  }

  update(key, params, grads) {
    // one parameter array (rows), updated in float32 with every scalar rounded to float32
    const lr = f32(this.currentLearningRate);
    const eps = f32(this.epsilon);
    if (!this.state.has(key)) {
      const zeros = () => params.map((row) => row.map(() => 0.0));
      this.state.set(key, { m: zeros(), c: zeros() });
    }
    const { m, c } = this.state.get(key);
    const t = this.iterations + 1;
    return params.map((prow, i) => prow.map((p, j) => {
      const g = grads[i][j];
      let update;
      if (this.kind === "sgd" && this.momentum) {
        update = f32(f32(f32(this.momentum) * m[i][j]) - f32(lr * g));
        m[i][j] = update;
      } else if (this.kind === "sgd") {
        update = f32(-lr * g);
      } else if (this.kind === "adagrad") {
        c[i][j] = f32(c[i][j] + f32(g * g));
        update = f32(f32(-lr * g) / f32(f32(Math.sqrt(c[i][j])) + eps));
      } else if (this.kind === "rmsprop") {
        c[i][j] = f32(f32(f32(this.rho) * c[i][j]) + f32(f32(1 - this.rho) * f32(g * g)));
        update = f32(f32(-lr * g) / f32(f32(Math.sqrt(c[i][j])) + eps));
      } else { // adam
        m[i][j] = f32(f32(f32(this.beta1) * m[i][j]) + f32(f32(1 - this.beta1) * g));
        const mHat = f32(m[i][j] / f32(1 - this.beta1 ** t));
        c[i][j] = f32(f32(f32(this.beta2) * c[i][j]) + f32(f32(1 - this.beta2) * f32(g * g)));
        const cHat = f32(c[i][j] / f32(1 - this.beta2 ** t));
        update = f32(f32(-lr * mHat) / f32(f32(Math.sqrt(cHat)) + eps));
      }
      return f32(p + update);
    }));
  }

  updateParams(name, layer) {
    layer.weights = this.update(`${name}.w`, layer.weights, layer.dweights);
    [layer.biases] = this.update(`${name}.b`, [layer.biases], [layer.dbiases]);
  }
}

export function chapters({
  seed, samples, classes, hidden, steps, printed, optimizer, learning_rate, decay, momentum,
}) {
  // the book's script: nnfs.init(); spiral_data; Dense(2, hidden), ReLU, Dense(hidden, classes),
  // softmax + cross-entropy; `steps` optimizer steps; then one forward and backward pass
  // -> value: what `printed` names (the first five rows of a batch output)
  const opt = new Optimizer(optimizer, learning_rate, decay, momentum);
  if (printed === "learning_rate") {
    for (let step = 0; step < steps; step++) {
      opt.preUpdateParams();
      opt.postUpdateParams();
    }
    return { value: opt.currentLearningRate };
  }
  const state = new RandomState(seed);
  const [X, y] = spiralData(state, samples, classes);
  const dense1 = new LayerDense(state, 2, hidden);
  const dense2 = new LayerDense(state, hidden, classes);
  let probs;
  for (let step = 0; step <= steps; step++) {
    dense1.forward(X);
    const relu = reluForward(dense1.output);
    dense2.forward(relu);
    probs = softmaxForward(dense2.output);
    dense2.backward(combinedBackward(probs, y));
    const drelu = dense2.dinputs.map((drow, i) =>
      drow.map((d, j) => (dense1.output[i][j] > 0 ? d : 0.0)));
    dense1.backward(drelu);
    if (step < steps) {
      opt.preUpdateParams();
      opt.updateParams("dense1", dense1);
      opt.updateParams("dense2", dense2);
      opt.postUpdateParams();
    }
  }
  if (printed === "loss") return { value: lossOf(probs, y) };
  if (printed === "accuracy") {
    const hits = probs.filter((row, i) => argmax(row) === y[i]).length;
    return { value: hits / y.length };
  }
  const value = {
    dense1_output: () => dense1.output.slice(0, 5),
    softmax_output: () => probs.slice(0, 5),
    dweights1: () => dense1.dweights,
    dbiases1: () => [dense1.dbiases],
    dweights2: () => dense2.dweights,
    dbiases2: () => [dense2.dbiases],
    weights1: () => dense1.weights,
    biases1: () => [dense1.biases],
    weights2: () => dense2.weights,
    biases2: () => [dense2.biases],
  }[printed]();
  return { value };
}
