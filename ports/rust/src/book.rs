//! The book tier in plain Rust: the book's random numbers, datasets and printed results.
//!
//! Standard library only, function by function as ports/python/book.py. docs/BOOK.md explains
//! each rule; in short, `nnfs.init()` means
//! - NumPy's legacy random stream: MT19937 seeded by init_genrand, 53-bit doubles, and the polar
//!   Gaussian that caches its second value between calls;
//! - float32 everywhere: `f32` arithmetic, which rounds every `+ - * /` and `sqrt` once, as
//!   NumPy's float32 does (Rust never fuses `a * b + c` into an FMA by itself); a Python scalar
//!   (an `f64` here) is rounded to `f32` first, with `as f32`;
//! - np.dot: products and sums in `f64`, rounded once to `f32`;
//! - expf and logf correctly rounded: `exp` and `ln` in `f64`, rounded to `f32` (`f32::exp` is the
//!   C library's expf, which may be 1 ULP off).

use nnfs_kit::{
    Dataset, Draw, LayerShape, Matrix, OptimizerKind, Printed, Printout, Result, Script,
};
use std::f64::consts::PI;

// ---------------------------------------------------------------------------------------------
// np.random.seed(seed): NumPy's legacy MT19937 stream

pub struct RandomState {
    mt: [u32; 624],
    index: usize,
    gauss: Option<f64>,
}

impl RandomState {
    pub fn new(seed: u32) -> Self {
        let mut mt = [0; 624];
        mt[0] = seed;
        for i in 1..624 {
            // init_genrand, as C++ std::mt19937(seed) (not Python's random.seed: init_by_array)
            let prev = mt[i - 1];
            mt[i] = 1812433253u32
                .wrapping_mul(prev ^ (prev >> 30))
                .wrapping_add(i as u32);
        }
        RandomState {
            mt,
            index: 624,
            gauss: None,
        }
    }

    /// One 32-bit output.
    pub fn u32(&mut self) -> u32 {
        if self.index >= 624 {
            // twist: regenerate all 624 words
            for i in 0..624 {
                let y = (self.mt[i] & 0x8000_0000) | (self.mt[(i + 1) % 624] & 0x7FFF_FFFF);
                let odd = if y & 1 == 1 { 0x9908_B0DF } else { 0 };
                self.mt[i] = self.mt[(i + 397) % 624] ^ (y >> 1) ^ odd;
            }
            self.index = 0;
        }
        let mut y = self.mt[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9D2C_5680;
        y ^= (y << 15) & 0xEFC6_0000;
        y ^= y >> 18;
        y
    }

    /// `random_sample()`: 53 bits from two outputs.
    pub fn double(&mut self) -> f64 {
        let a = self.u32() >> 5; // 27 bits
        let b = self.u32() >> 6; // 26 bits
        (f64::from(a) * 67108864.0 + f64::from(b)) / 9007199254740992.0
    }

    /// `randn()`: the polar method.
    pub fn randn(&mut self) -> f64 {
        // NOTE: the polar method makes two Gaussians; the second is cached and returned by the
        //       next call, whatever was drawn in between (doubles and u32 do not clear it).
        if let Some(gauss) = self.gauss.take() {
            return gauss;
        }
        loop {
            let x1 = 2.0 * self.double() - 1.0;
            let x2 = 2.0 * self.double() - 1.0;
            let r2 = x1 * x1 + x2 * x2;
            if r2 < 1.0 && r2 != 0.0 {
                let f = (-2.0 * r2.ln() / r2).sqrt();
                self.gauss = Some(f * x1);
                return f * x2;
            }
        }
    }
}

/// seed; calls: what to draw and how many, in turn -> values: every draw, in call order
pub fn rng(seed: u32, calls: &[(Draw, usize)]) -> Result<Vec<f64>> {
    let mut state = RandomState::new(seed);
    let mut values = Vec::new();
    for &(draw, count) in calls {
        for _ in 0..count {
            values.push(match draw {
                Draw::U32 => f64::from(state.u32()),
                Draw::Double => state.double(),
                Draw::Randn => state.randn(),
            });
        }
    }
    Ok(values)
}

// ---------------------------------------------------------------------------------------------
// nnfs.datasets

/// np.linspace: `i * step + start`, and the last element exactly `stop`
fn linspace(start: f64, stop: f64, num: usize) -> Vec<f64> {
    let step = if num > 1 {
        (stop - start) / (num - 1) as f64
    } else {
        0.0
    };
    let mut values: Vec<f64> = (0..num).map(|i| i as f64 * step + start).collect();
    if num > 1 {
        values[num - 1] = stop;
    }
    values
}

pub fn spiral_data(
    state: &mut RandomState,
    samples: usize,
    classes: usize,
) -> (Matrix<f32>, Vec<usize>) {
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for class_number in 0..classes {
        let r = linspace(0.0, 1.0, samples);
        // NOTE: randn is rounded to f32, then multiplied by f32(0.2) in f32
        let noise: Vec<f32> = (0..samples)
            .map(|_| state.randn() as f32 * 0.2f32)
            .collect();
        let start = (class_number * 4) as f64;
        let t = linspace(start, start + 4.0, samples)
            .into_iter()
            .zip(noise)
            .map(|(a, b)| a + f64::from(b));
        for (ri, ti) in r.into_iter().zip(t) {
            // NOTE: t, sin, cos and the products are f64; X stores them as f32
            x.push(vec![
                (ri * (ti * 2.5).sin()) as f32,
                (ri * (ti * 2.5).cos()) as f32,
            ]);
            y.push(class_number);
        }
    }
    (x, y)
}

pub fn vertical_data(
    state: &mut RandomState,
    samples: usize,
    classes: usize,
) -> (Matrix<f32>, Vec<usize>) {
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for class_number in 0..classes {
        // every value float32: randn, 0.1, class_number / 3 and 0.5 rounded first
        let offset = (class_number as f64 / 3.0) as f32;
        let xs: Vec<f32> = (0..samples)
            .map(|_| state.randn() as f32 * 0.1f32 + offset)
            .collect();
        let ys: Vec<f32> = (0..samples)
            .map(|_| state.randn() as f32 * 0.1f32 + 0.5f32)
            .collect();
        x.extend(xs.into_iter().zip(ys).map(|(a, b)| vec![a, b]));
        y.extend(std::iter::repeat(class_number).take(samples));
    }
    (x, y)
}

/// -> X (samples × 1), y (one value per sample)
pub fn sine_data(samples: usize) -> (Matrix<f64>, Vec<f64>) {
    // NOTE: float64, no random numbers (np.arange is not patched by nnfs.init)
    let x: Vec<f64> = (0..samples).map(|i| i as f64 / samples as f64).collect();
    let y = x.iter().map(|&x| (2.0 * PI * x).sin()).collect();
    (x.into_iter().map(|x| vec![x]).collect(), y)
}

/// seed, samples, classes, dataset -> x (X), y (the labels, or sine's values)
pub fn datasets(
    seed: u32,
    samples: usize,
    classes: usize,
    dataset: Dataset,
) -> Result<(Matrix<f64>, Vec<f64>)> {
    let mut state = RandomState::new(seed);
    let (x, y) = match dataset {
        Dataset::Sine => return Ok(sine_data(samples)),
        Dataset::Spiral => spiral_data(&mut state, samples, classes),
        Dataset::Vertical => vertical_data(&mut state, samples, classes),
    };
    Ok((widen(&x), y.into_iter().map(|c| c as f64).collect()))
}

// ---------------------------------------------------------------------------------------------
// Layer_Dense initial weights

fn layer_weights(
    state: &mut RandomState,
    n_inputs: usize,
    n_neurons: usize,
    scale: f64,
) -> Matrix<f32> {
    // NOTE: 0.01 * randn(n_inputs, n_neurons): f32(0.01) times f32(randn), row-major
    (0..n_inputs)
        .map(|_| {
            (0..n_neurons)
                .map(|_| scale as f32 * state.randn() as f32)
                .collect()
        })
        .collect()
}

/// seed; skip: Gaussians drawn first (a dataset); shapes; scale
/// -> weights: every layer's weights, row-major, concatenated in order
pub fn init(seed: u32, skip: usize, shapes: &[LayerShape], scale: f64) -> Result<Vec<f64>> {
    let mut state = RandomState::new(seed);
    for _ in 0..skip {
        state.randn();
    }
    let mut weights = Vec::new();
    for shape in shapes {
        for row in layer_weights(&mut state, shape.n_inputs, shape.n_neurons, scale) {
            weights.extend(row.into_iter().map(f64::from));
        }
    }
    Ok(weights)
}

/// seed, samples -> keys: chapter 19's `np.random.shuffle(keys)` of `keys = range(samples)`
pub fn shuffle(seed: u32, samples: usize) -> Result<Vec<usize>> {
    let mut state = RandomState::new(seed);
    let mut keys: Vec<usize> = (0..samples).collect();
    for i in (1..samples).rev() {
        // NOTE: NumPy's legacy Fisher-Yates draws a 32-bit output masked to i's bits until it
        //       is at most i (i < 2^32: the kit passes no larger count)
        let mask = u32::MAX >> (i as u32).leading_zeros();
        let mut j = state.u32() & mask;
        while j as usize > i {
            j = state.u32() & mask;
        }
        keys.swap(i, j as usize);
    }
    Ok(keys)
}

// ---------------------------------------------------------------------------------------------
// The book's chapter 3-10 script

/// np.dot after nnfs.init(): (B, K) x (K, N), sums in f64, rounded once to f32
fn dot(a: &[Vec<f32>], b: &[Vec<f32>]) -> Matrix<f32> {
    let columns = transpose(b);
    a.iter()
        .map(|row| {
            columns
                .iter()
                .map(|column| {
                    let mut total = 0.0f64;
                    for (&x, &w) in row.iter().zip(column) {
                        total += f64::from(x) * f64::from(w);
                    }
                    total as f32
                })
                .collect()
        })
        .collect()
}

fn transpose(m: &[Vec<f32>]) -> Matrix<f32> {
    let columns = m.first().map_or(0, Vec::len);
    (0..columns)
        .map(|c| m.iter().map(|row| row[c]).collect())
        .collect()
}

/// np.sum / np.mean of a float32 vector: NumPy's pairwise summation, in f32
fn pairwise_sum(values: &[f32]) -> f32 {
    let n = values.len();
    if n < 8 {
        return values.iter().fold(0.0, |total, &v| total + v);
    }
    if n <= 128 {
        // 8 interleaved accumulators, then a tree of their sums, then the remainder
        let mut r = [0.0f32; 8];
        r.copy_from_slice(&values[..8]);
        let mut i = 8;
        while i < n - n % 8 {
            for (acc, &v) in r.iter_mut().zip(&values[i..i + 8]) {
                *acc += v;
            }
            i += 8;
        }
        let total = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        return values[i..].iter().fold(total, |total, &v| total + v);
    }
    let mut half = n / 2;
    half -= half % 8;
    pairwise_sum(&values[..half]) + pairwise_sum(&values[half..])
}

/// exp in f64, rounded once: the correctly rounded expf
fn exp(x: f32) -> f32 {
    f64::from(x).exp() as f32
}

/// ln in f64, rounded once: the correctly rounded logf
fn ln(x: f32) -> f32 {
    f64::from(x).ln() as f32
}

struct LayerDense {
    weights: Matrix<f32>,
    biases: Vec<f32>,
    inputs: Matrix<f32>,
    output: Matrix<f32>,
    dweights: Matrix<f32>,
    dbiases: Vec<f32>,
    dinputs: Matrix<f32>,
    // the optimizers' state, zeros until the first update (the book's `hasattr` checks)
    weight_momentums: Matrix<f32>,
    bias_momentums: Vec<f32>,
    weight_cache: Matrix<f32>,
    bias_cache: Vec<f32>,
}

impl LayerDense {
    fn new(state: &mut RandomState, n_inputs: usize, n_neurons: usize) -> Self {
        let zeros = vec![vec![0.0; n_neurons]; n_inputs];
        LayerDense {
            weights: layer_weights(state, n_inputs, n_neurons, 0.01),
            biases: vec![0.0; n_neurons],
            inputs: Vec::new(),
            output: Vec::new(),
            dweights: Vec::new(),
            dbiases: Vec::new(),
            dinputs: Vec::new(),
            weight_momentums: zeros.clone(),
            bias_momentums: vec![0.0; n_neurons],
            weight_cache: zeros,
            bias_cache: vec![0.0; n_neurons],
        }
    }

    fn forward(&mut self, inputs: &[Vec<f32>]) {
        self.inputs = inputs.to_vec();
        self.output = dot(inputs, &self.weights)
            .into_iter()
            .map(|row| row.iter().zip(&self.biases).map(|(v, b)| v + b).collect())
            .collect();
    }

    fn backward(&mut self, dvalues: &[Vec<f32>]) {
        self.dweights = dot(&transpose(&self.inputs), dvalues);
        // np.sum(axis=0): row after row, in f32
        self.dbiases = vec![0.0; self.biases.len()];
        for row in dvalues {
            for (total, v) in self.dbiases.iter_mut().zip(row) {
                *total += v;
            }
        }
        self.dinputs = dot(dvalues, &transpose(&self.weights));
    }
}

fn relu_forward(inputs: &[Vec<f32>]) -> Matrix<f32> {
    let relu = |x: f32| if x > 0.0 { x } else { 0.0 };
    inputs
        .iter()
        .map(|row| row.iter().map(|&x| relu(x)).collect())
        .collect()
}

fn softmax_forward(inputs: &[Vec<f32>]) -> Matrix<f32> {
    inputs
        .iter()
        .map(|row| {
            let largest = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            // NOTE: expf correctly rounded: exp in f64, rounded once
            let exps: Vec<f32> = row.iter().map(|&x| exp(x - largest)).collect();
            let total = exps.iter().fold(0.0f32, |total, &e| total + e);
            exps.iter().map(|&e| e / total).collect()
        })
        .collect()
}

/// The index of the largest value: strictly greater, so the first maximum wins.
fn argmax(row: &[f32]) -> usize {
    let mut best = 0;
    for (i, &v) in row.iter().enumerate() {
        if v > row[best] {
            best = i;
        }
    }
    best
}

/// The clip bounds: Python's 1e-7 and 1 - 1e-7 (a double), rounded to f32.
const CLIP_LOW: f32 = 1e-7;
const CLIP_HIGH: f32 = (1.0 - 1e-7_f64) as f32;

fn loss_of(probs: &[Vec<f32>], y: &[usize]) -> f32 {
    let losses: Vec<f32> = probs
        .iter()
        .zip(y)
        .map(|(row, &label)| -ln(row[label].clamp(CLIP_LOW, CLIP_HIGH))) // logf correctly rounded
        .collect();
    // np.mean: the pairwise f32 sum, then one f32 division by the count
    pairwise_sum(&losses) / losses.len() as f32
}

/// Activation_Softmax_Loss_CategoricalCrossentropy.backward: `(p - y) / samples`
fn combined_backward(probs: &[Vec<f32>], y: &[usize]) -> Matrix<f32> {
    let samples = probs.len() as f32;
    probs
        .iter()
        .zip(y)
        .map(|(row, &label)| {
            let mut row = row.clone();
            row[label] -= 1.0;
            row.iter().map(|v| v / samples).collect()
        })
        .collect()
}

struct Optimizer {
    kind: OptimizerKind,
    learning_rate: f64,
    current_learning_rate: f64,
    decay: f64,
    iterations: u64,
    momentum: f64,
    epsilon: f64,
    rho: f64,
    beta_1: f64,
    beta_2: f64,
}

impl Optimizer {
    fn new(kind: OptimizerKind, learning_rate: f64, decay: f64, momentum: f64) -> Self {
        Optimizer {
            kind,
            learning_rate,
            current_learning_rate: learning_rate,
            decay,
            iterations: 0,
            momentum,
            // the book's defaults
            epsilon: 1e-7,
            rho: 0.9,
            beta_1: 0.9,
            beta_2: 0.999,
        }
    }

    fn pre_update_params(&mut self) {
        if self.decay != 0.0 {
            // f64 arithmetic, like the book's Python floats
            self.current_learning_rate =
                self.learning_rate * (1.0 / (1.0 + self.decay * self.iterations as f64));
        }
    }

    fn post_update_params(&mut self) {
        self.iterations += 1;
    }

    /// One parameter, updated in f32 with every Python scalar rounded to f32 first.
    fn update(&self, param: &mut f32, grad: f32, momentum: &mut f32, cache: &mut f32) {
        let (lr, eps) = (self.current_learning_rate as f32, self.epsilon as f32);
        // NOTE: beta ** t is Python's pow on doubles (powf is C's pow; powi may differ)
        let t = (self.iterations + 1) as f64;
        let g = grad;
        let update = match self.kind {
            OptimizerKind::Sgd if self.momentum != 0.0 => {
                *momentum = self.momentum as f32 * *momentum - lr * g;
                *momentum
            }
            OptimizerKind::Sgd => -lr * g,
            OptimizerKind::Adagrad => {
                *cache += g * g;
                -lr * g / (cache.sqrt() + eps)
            }
            OptimizerKind::Rmsprop => {
                *cache = self.rho as f32 * *cache + (1.0 - self.rho) as f32 * (g * g);
                -lr * g / (cache.sqrt() + eps)
            }
            OptimizerKind::Adam => {
                *momentum = self.beta_1 as f32 * *momentum + (1.0 - self.beta_1) as f32 * g;
                let momentum_corrected = *momentum / (1.0 - self.beta_1.powf(t)) as f32;
                *cache = self.beta_2 as f32 * *cache + (1.0 - self.beta_2) as f32 * (g * g);
                let cache_corrected = *cache / (1.0 - self.beta_2.powf(t)) as f32;
                -lr * momentum_corrected / (cache_corrected.sqrt() + eps)
            }
        };
        *param += update;
    }

    fn update_params(&self, layer: &mut LayerDense) {
        for (i, row) in layer.weights.iter_mut().enumerate() {
            for (j, weight) in row.iter_mut().enumerate() {
                let (m, c) = (
                    &mut layer.weight_momentums[i][j],
                    &mut layer.weight_cache[i][j],
                );
                self.update(weight, layer.dweights[i][j], m, c);
            }
        }
        for (j, bias) in layer.biases.iter_mut().enumerate() {
            let (m, c) = (&mut layer.bias_momentums[j], &mut layer.bias_cache[j]);
            self.update(bias, layer.dbiases[j], m, c);
        }
    }
}

/// The book's script: nnfs.init(); spiral_data; Dense(2, hidden), ReLU, Dense(hidden, classes),
/// softmax + cross-entropy; `steps` optimizer steps; then one forward and backward pass
/// -> what `printed` names (the first five rows of a batch output; biases as one row)
pub fn chapters(script: Script) -> Result<Printout> {
    let mut optimizer = Optimizer::new(
        script.optimizer,
        script.learning_rate,
        script.decay,
        script.momentum,
    );
    if script.printed == Printed::LearningRate {
        // the epoch line's rate is plain f64 arithmetic: no data or training needed
        for _ in 0..script.steps {
            optimizer.pre_update_params();
            optimizer.post_update_params();
        }
        return Ok(optimizer.current_learning_rate.into());
    }
    let mut state = RandomState::new(script.seed);
    let (x, y) = spiral_data(&mut state, script.samples, script.classes);
    let mut dense1 = LayerDense::new(&mut state, 2, script.hidden);
    let mut dense2 = LayerDense::new(&mut state, script.hidden, script.classes);
    let mut probs = Vec::new();
    for step in 0..=script.steps {
        dense1.forward(&x);
        let relu = relu_forward(&dense1.output);
        dense2.forward(&relu);
        probs = softmax_forward(&dense2.output);
        dense2.backward(&combined_backward(&probs, &y));
        // ReLU's backward pass: the gradient where its input was positive
        let drelu: Matrix<f32> = dense2
            .dinputs
            .iter()
            .zip(&dense1.output)
            .map(|(drow, xrow)| {
                let mask = |(&d, &x): (&f32, &f32)| if x > 0.0 { d } else { 0.0 };
                drow.iter().zip(xrow).map(mask).collect()
            })
            .collect();
        dense1.backward(&drelu);
        if step < script.steps {
            optimizer.pre_update_params();
            optimizer.update_params(&mut dense1);
            optimizer.update_params(&mut dense2);
            optimizer.post_update_params();
        }
    }
    let first_five = |m: &Matrix<f32>| widen(&m[..m.len().min(5)]);
    Ok(match script.printed {
        Printed::Dense1Output => first_five(&dense1.output).into(),
        Printed::SoftmaxOutput => first_five(&probs).into(),
        Printed::Loss => f64::from(loss_of(&probs, &y)).into(),
        Printed::Accuracy => {
            let hits = probs
                .iter()
                .zip(&y)
                .filter(|(row, &label)| argmax(row) == label)
                .count();
            (hits as f64 / y.len() as f64).into()
        }
        Printed::Dweights1 => widen(&dense1.dweights).into(),
        Printed::Dbiases1 => widen(&[dense1.dbiases]).into(),
        Printed::Dweights2 => widen(&dense2.dweights).into(),
        Printed::Dbiases2 => widen(&[dense2.dbiases]).into(),
        Printed::Weights1 => widen(&dense1.weights).into(),
        Printed::Biases1 => widen(&[dense1.biases]).into(),
        Printed::Weights2 => widen(&dense2.weights).into(),
        Printed::Biases2 => widen(&[dense2.biases]).into(),
        // the same rate as above, the steps having been taken
        Printed::LearningRate => optimizer.current_learning_rate.into(),
    })
}

/// f32 rows as the f64 values they are exactly (the kit sends the book tier as f64).
fn widen(m: &[Vec<f32>]) -> Matrix<f64> {
    m.iter()
        .map(|row| row.iter().map(|&v| f64::from(v)).collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stream_is_init_genrand_and_randn_keeps_its_second_value() {
        // docs/BOOK.md: MT19937(0)'s first outputs, as C++ std::mt19937(0)
        let mut state = RandomState::new(0);
        let first: Vec<u32> = (0..3).map(|_| state.u32()).collect();
        assert_eq!(first, [2357136044, 2546248239, 3071714933]);
        // randn(3) then randn(2) is randn(5), and doubles drawn between keep the cache
        let randn = |calls: &[(Draw, usize)]| rng(0, calls).unwrap();
        let five = randn(&[(Draw::Randn, 5)]);
        assert_eq!(randn(&[(Draw::Randn, 3), (Draw::Randn, 2)]), five);
        let between = randn(&[(Draw::Randn, 1), (Draw::Double, 1), (Draw::Randn, 1)]);
        assert_eq!([between[0], between[2]], [five[0], five[1]]);
    }

    #[test]
    fn shuffle_is_a_permutation_and_numpys_for_seed_0() {
        // docs/BOOK.md: seed 0 shuffles range(10) into 2, 8, 4, 9, 1, 6, 7, 3, 0, 5
        assert_eq!(shuffle(0, 10).unwrap(), [2, 8, 4, 9, 1, 6, 7, 3, 0, 5]);
        let mut keys = shuffle(7, 1000).unwrap();
        keys.sort_unstable();
        assert_eq!(keys, (0..1000).collect::<Vec<_>>());
    }

    #[test]
    fn pairwise_sum_is_exact_where_every_partial_sum_is() {
        for n in [0, 7, 8, 9, 127, 128, 129, 300, 1000] {
            let values: Vec<f32> = (1..=n).map(|i| i as f32).collect();
            assert_eq!(pairwise_sum(&values), (n * (n + 1) / 2) as f32, "n = {n}");
        }
    }

    #[test]
    fn argmax_takes_the_first_maximum_and_linspace_ends_on_stop() {
        assert_eq!(argmax(&[0.0, 0.5, 0.5, 0.1]), 1);
        assert_eq!(argmax(&[0.0, 0.0, 0.0]), 0);
        let values = linspace(0.0, 1.0, 7);
        assert_eq!((values[0], values[6], values.len()), (0.0, 1.0, 7));
    }
}
