//! The stages of Neural Networks from Scratch, chapters 1 to 5, in plain Rust and `f32`.
//!
//! One function per stage, named as in the suite. Each takes slices of numbers (a batch is a
//! slice of rows) and returns its outputs. The kit has checked the inputs (shapes, labels), so
//! this code reads like the book's: plain loops, `f32::exp` and `f32::ln`.

use nnfs_kit::{Forward, Labels, Matrix, Result};

/// inputs (K), weights (K), bias -> output: `Σ inputs[k]·weights[k] + bias`
pub fn neuron(inputs: &[f32], weights: &[f32], bias: f32) -> Result<f32> {
    let mut output = 0.0;
    for k in 0..inputs.len() {
        output += inputs[k] * weights[k];
    }
    Ok(output + bias)
}

/// inputs (K), weights (N×K: one row per neuron), biases (N) -> output (N)
pub fn layer(inputs: &[f32], weights: &[Vec<f32>], biases: &[f32]) -> Result<Vec<f32>> {
    let mut output = Vec::new();
    for (neuron_weights, &bias) in weights.iter().zip(biases) {
        output.push(neuron(inputs, neuron_weights, bias)?);
    }
    Ok(output)
}

/// inputs (B×K), weights (K×N, as `Layer_Dense` keeps them), biases (N) -> output (B×N):
/// `inputs @ weights + biases`
pub fn dense_batch(
    inputs: &[Vec<f32>],
    weights: &[Vec<f32>],
    biases: &[f32],
) -> Result<Matrix<f32>> {
    let per_neuron = transpose(weights);
    let mut output = Vec::new();
    for row in inputs {
        output.push(layer(row, &per_neuron, biases)?);
    }
    Ok(output)
}

/// inputs (rows, any shape) -> output (the same shape): `max(0, x)` per element
pub fn relu(inputs: &[Vec<f32>]) -> Result<Matrix<f32>> {
    // NOTE: `if x < 0`, not `x.max(0.0)`: f32::max turns NaN into 0; this lets NaN through,
    //       as np.maximum does.
    Ok(map_rows(inputs, |x| if x < 0.0 { 0.0 } else { x }))
}

/// Chapter 4's first chain: a `Layer_Dense`, then ReLU of its output.
/// inputs (B×K), weights (K×N), biases (N) -> (dense (B×N), relu (B×N))
pub fn dense_relu(
    inputs: &[Vec<f32>],
    weights: &[Vec<f32>],
    biases: &[f32],
) -> Result<(Matrix<f32>, Matrix<f32>)> {
    let dense = dense_batch(inputs, weights, biases)?;
    let relu = relu(&dense)?;
    Ok((dense, relu))
}

/// inputs (B×C) logits -> output (B×C): per row `exp(x - max(x)) / Σ exp(x - max(x))`
pub fn softmax(inputs: &[Vec<f32>]) -> Result<Matrix<f32>> {
    // NOTE: subtracts the row maximum first, so exp never overflows; the running maximum
    //       starts at -Infinity, not at 0 (a row of negative logits).
    let mut output = Vec::new();
    for row in inputs {
        let largest = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let exp_values: Vec<f32> = row.iter().map(|&x| (x - largest).exp()).collect();
        let total: f32 = exp_values.iter().sum();
        output.push(exp_values.iter().map(|&e| e / total).collect());
    }
    Ok(output)
}

/// What chapter 4's network computes: (dense1 (B×H), relu1 (B×H), dense2 (B×C), softmax (B×C)).
pub type Network = (Matrix<f32>, Matrix<f32>, Matrix<f32>, Matrix<f32>);

/// Chapter 4's whole network, before chapter 5 adds the loss: dense -> ReLU -> dense -> softmax.
/// inputs (B×K), weights1 (K×H), biases1 (H), weights2 (H×C), biases2 (C) -> Network
pub fn dense_relu_dense_softmax(
    inputs: &[Vec<f32>],
    weights1: &[Vec<f32>],
    biases1: &[f32],
    weights2: &[Vec<f32>],
    biases2: &[f32],
) -> Result<Network> {
    let (dense1, relu1) = dense_relu(inputs, weights1, biases1)?;
    let dense2 = dense_batch(&relu1, weights2, biases2)?;
    let softmax = softmax(&dense2)?;
    Ok((dense1, relu1, dense2, softmax))
}

/// The clip bounds, rounded to f32: 1.0000000116860974e-07 and 0.9999998807907104.
pub const CLIP_LOW: f32 = 1e-7;
pub const CLIP_HIGH: f32 = 1.0 - 1e-7;

/// y_pred (B×C) probabilities, y_true -> (sample_losses (B), loss: their mean)
/// sparse: `-ln(clip(y_pred[b][y_true[b]]))`; one-hot: `-ln(Σ_c clip(y_pred[b][c])·y_true[b][c])`
pub fn categorical_crossentropy(
    y_pred: &[Vec<f32>],
    y_true: &Labels<f32>,
) -> Result<(Vec<f32>, f32)> {
    // NOTE: y_pred is clipped to [1e-7, 1 - 1e-7] so ln(0) never happens; natural log.
    let mut sample_losses = Vec::new();
    for (b, row) in y_pred.iter().enumerate() {
        let correct_confidence: f32 = match y_true {
            Labels::Sparse(classes) => clip(row[classes[b]]),
            Labels::OneHot(rows) => row.iter().zip(&rows[b]).map(|(&p, &y)| clip(p) * y).sum(),
        };
        sample_losses.push(-correct_confidence.ln());
    }
    let loss = mean(&sample_losses);
    Ok((sample_losses, loss))
}

/// y_pred (B×C), y_true -> (predictions (B): argmax of each row, accuracy: the fraction right)
pub fn accuracy(y_pred: &[Vec<f32>], y_true: &Labels<f32>) -> Result<(Vec<usize>, f32)> {
    let predictions: Vec<usize> = y_pred.iter().map(|row| argmax(row)).collect();
    let classes = y_true.classes();
    let matches = predictions
        .iter()
        .zip(&classes)
        .filter(|(p, c)| p == c)
        .count();
    let accuracy = matches as f32 / predictions.len() as f32;
    Ok((predictions, accuracy))
}

/// The book's chapter 5 network: dense -> ReLU -> dense -> softmax -> loss and accuracy.
/// inputs (B×K), weights1 (K×H), biases1 (H), weights2 (H×C), biases2 (C), y_true
pub fn forward(
    inputs: &[Vec<f32>],
    weights1: &[Vec<f32>],
    biases1: &[f32],
    weights2: &[Vec<f32>],
    biases2: &[f32],
    y_true: &Labels<f32>,
) -> Result<Forward<f32>> {
    let (dense1, relu1, dense2, softmax) =
        dense_relu_dense_softmax(inputs, weights1, biases1, weights2, biases2)?;
    let (sample_losses, loss) = categorical_crossentropy(&softmax, y_true)?;
    let (predictions, accuracy) = accuracy(&softmax, y_true)?;
    Ok(Forward {
        dense1,
        relu1,
        dense2,
        softmax,
        sample_losses,
        loss,
        predictions,
        accuracy,
    })
}

// ---------------------------------------------------------------------------------------------
// Small helpers

pub(crate) fn clip(p: f32) -> f32 {
    // NOTE: f32::clamp keeps a NaN a NaN, as np.clip does.
    p.clamp(CLIP_LOW, CLIP_HIGH)
}

pub(crate) fn mean(values: &[f32]) -> f32 {
    values.iter().sum::<f32>() / values.len() as f32
}

pub(crate) fn argmax(row: &[f32]) -> usize {
    // NOTE: the FIRST maximum wins on ties (`>`, not `>=`), as np.argmax; like np.argmax,
    //       a NaN counts as the maximum.
    let mut best = 0;
    for (c, &x) in row.iter().enumerate() {
        if x.is_nan() {
            return c;
        }
        if x > row[best] {
            best = c;
        }
    }
    best
}

pub(crate) fn transpose(rows: &[Vec<f32>]) -> Matrix<f32> {
    let columns = rows.first().map_or(0, Vec::len);
    (0..columns)
        .map(|c| rows.iter().map(|row| row[c]).collect())
        .collect()
}

pub(crate) fn map_rows<T: Copy>(rows: &[Vec<T>], f: impl Fn(T) -> f32) -> Matrix<f32> {
    rows.iter()
        .map(|row| row.iter().map(|&x| f(x)).collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_books_first_neuron_gives_35_7() {
        // Chapter 1: 1.2·3.1 + 5.1·2.1 + 2.1·8.7 + 3, in f32.
        let output = neuron(&[1.2, 5.1, 2.1], &[3.1, 2.1, 8.7], 3.0).unwrap();
        assert!((output - 35.7).abs() < 1e-5, "{output}");
    }

    #[test]
    fn clip_bounds_are_rounded_to_f32() {
        assert_eq!(f64::from(CLIP_LOW), 1.0000000116860974e-07);
        assert_eq!(f64::from(CLIP_HIGH), 0.9999998807907104);
    }

    #[test]
    fn one_hot_and_sparse_labels_give_the_same_loss() {
        let y_pred = vec![vec![0.25, 0.75], vec![0.5, 0.5]];
        let sparse = categorical_crossentropy(&y_pred, &Labels::Sparse(vec![1, 0])).unwrap();
        let rows = vec![vec![0.0, 1.0], vec![1.0, 0.0]];
        let one_hot = categorical_crossentropy(&y_pred, &Labels::OneHot(rows)).unwrap();
        assert_eq!(sparse, one_hot);
    }
}
