//! The stages of Neural Networks from Scratch, chapters 1 to 5, in plain Rust and `f32`.
//!
//! One function per stage, named as in the suite. Each takes slices of numbers (a batch is a
//! slice of rows) and returns its outputs, or a `StageError` when the inputs do not fit together.
//! Plain loops, `f32::exp` and `f32::ln`, as in the book's first chapters.

use ErrorKind::*;

/// A rank-2 array: a list of rows, all of one length (checked when it is read).
pub type Matrix = Vec<Vec<f32>>;

/// The suite's six kinds of invalid input (docs/STAGES.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    ShapeMismatch,
    RaggedRows,
    EmptyBatch,
    LabelOutOfRange,
    InvalidLabel,
    InvalidValue,
}

impl ErrorKind {
    /// The kind's name on the wire.
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::ShapeMismatch => "shape_mismatch",
            ErrorKind::RaggedRows => "ragged_rows",
            ErrorKind::EmptyBatch => "empty_batch",
            ErrorKind::LabelOutOfRange => "label_out_of_range",
            ErrorKind::InvalidLabel => "invalid_label",
            ErrorKind::InvalidValue => "invalid_value",
        }
    }
}

/// Invalid inputs: what kind of defect, and a message naming the input.
#[derive(Debug, PartialEq)]
pub struct StageError {
    pub kind: ErrorKind,
    pub message: String,
}

/// `Err(StageError)` of one kind, for `return fail(...)`.
pub fn fail<T>(kind: ErrorKind, message: String) -> Result<T, StageError> {
    Err(StageError { kind, message })
}

/// How `dense_batch` receives its weights.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WeightsLayout {
    /// K×N, as `Layer_Dense` keeps them: `inputs @ weights`.
    InputsNeurons,
    /// N×K, one row per neuron as in chapter 2: `inputs @ weights.T`.
    NeuronsInputs,
}

/// The labels `y_true` as sent: class indices (`sparse`) or one-hot rows (`onehot`).
/// Kept as `f64` until checked, so that a label of `1.5` or `-1` can be told apart.
#[derive(Clone, Debug, PartialEq)]
pub enum Labels {
    Sparse(Vec<f64>),
    OneHot(Vec<Vec<f64>>),
}

// ---------------------------------------------------------------------------------------------
// The stages

/// inputs (K), weights (K), bias -> output: `Σ inputs[k]·weights[k] + bias`
pub fn neuron(inputs: &[f32], weights: &[f32], bias: f32) -> Result<f32, StageError> {
    if inputs.len() != weights.len() {
        let (k, w) = (inputs.len(), weights.len());
        let why = format!("inputs has {k} values, weights has {w}");
        return fail(ShapeMismatch, why);
    }
    let mut output = 0.0;
    for k in 0..inputs.len() {
        output += inputs[k] * weights[k];
    }
    Ok(output + bias)
}

/// inputs (K), weights (N×K: one row per neuron), biases (N) -> output (N)
pub fn layer(inputs: &[f32], weights: &[Vec<f32>], biases: &[f32]) -> Result<Vec<f32>, StageError> {
    if biases.len() != weights.len() {
        let (b, n) = (biases.len(), weights.len());
        let why = format!("biases has {b} values, weights has {n} neurons");
        return fail(ShapeMismatch, why);
    }
    let mut output = Vec::new();
    for (neuron_weights, &bias) in weights.iter().zip(biases) {
        output.push(neuron(inputs, neuron_weights, bias)?);
    }
    Ok(output)
}

/// inputs (B×K), weights (K×N or N×K, see `WeightsLayout`), biases (N) -> output (B×N):
/// `inputs @ weights + biases`
pub fn dense_batch(
    inputs: &[Vec<f32>],
    weights: &[Vec<f32>],
    biases: &[f32],
    layout: WeightsLayout,
) -> Result<Matrix, StageError> {
    check_batch("inputs", inputs)?;
    let k = inputs[0].len();
    let per_neuron = match layout {
        WeightsLayout::NeuronsInputs => weights.to_vec(),
        WeightsLayout::InputsNeurons => {
            if weights.len() != k {
                let w = weights.len();
                let why = format!("weights has {w} rows, inputs has {k} columns");
                return fail(ShapeMismatch, why);
            }
            transpose(weights)
        }
    };
    let mut output = Vec::new();
    for row in inputs {
        output.push(layer(row, &per_neuron, biases)?);
    }
    Ok(output)
}

/// inputs (any shape, here one row) -> output (the same shape): `max(0, x)` per element
pub fn relu(inputs: &[f32]) -> Vec<f32> {
    // NOTE: `if x < 0`, not `x.max(0.0)`: f32::max turns NaN into 0; this lets NaN through,
    //       as np.maximum does.
    inputs
        .iter()
        .map(|&x| if x < 0.0 { 0.0 } else { x })
        .collect()
}

/// inputs (B×C) logits -> output (B×C): per row `exp(x - max(x)) / Σ exp(x - max(x))`
pub fn softmax(inputs: &[Vec<f32>]) -> Result<Matrix, StageError> {
    // NOTE: subtracts the row maximum first, so exp never overflows; the running maximum
    //       starts at -Infinity, not at 0 (a row of negative logits).
    check_batch("inputs", inputs)?;
    let mut output = Vec::new();
    for row in inputs {
        let largest = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let exp_values: Vec<f32> = row.iter().map(|&x| (x - largest).exp()).collect();
        let total: f32 = exp_values.iter().sum();
        output.push(exp_values.iter().map(|&e| e / total).collect());
    }
    Ok(output)
}

/// The clip bounds, rounded to f32: 1.0000000116860974e-07 and 0.9999998807907104.
pub const CLIP_LOW: f32 = 1e-7;
pub const CLIP_HIGH: f32 = 1.0 - 1e-7;

/// y_pred (B×C) probabilities, y_true -> (sample_losses (B), loss: their mean)
/// sparse: `-ln(clip(y_pred[b][y_true[b]]))`; one-hot: `-ln(Σ_c clip(y_pred[b][c])·y_true[b][c])`
pub fn categorical_crossentropy(
    y_pred: &[Vec<f32>],
    y_true: &Labels,
) -> Result<(Vec<f32>, f32), StageError> {
    // NOTE: y_pred is clipped to [1e-7, 1 - 1e-7] so ln(0) never happens; natural log.
    check_batch("y_pred", y_pred)?;
    let classes = check_labels(y_true, y_pred.len(), y_pred[0].len())?;
    let mut sample_losses = Vec::new();
    for (b, row) in y_pred.iter().enumerate() {
        let correct_confidence: f32 = match y_true {
            Labels::Sparse(_) => clip(row[classes[b]]),
            Labels::OneHot(rows) => row
                .iter()
                .zip(&rows[b])
                .map(|(&p, &y)| clip(p) * y as f32)
                .sum(),
        };
        sample_losses.push(-correct_confidence.ln());
    }
    let loss = mean(&sample_losses);
    Ok((sample_losses, loss))
}

/// y_pred (B×C), y_true -> (predictions (B): argmax of each row, accuracy: the fraction right)
pub fn accuracy(y_pred: &[Vec<f32>], y_true: &Labels) -> Result<(Vec<usize>, f32), StageError> {
    check_batch("y_pred", y_pred)?;
    let classes = check_labels(y_true, y_pred.len(), y_pred[0].len())?;
    let predictions: Vec<usize> = y_pred.iter().map(|row| argmax(row)).collect();
    let matches = predictions
        .iter()
        .zip(&classes)
        .filter(|(p, c)| p == c)
        .count();
    let accuracy = matches as f32 / predictions.len() as f32;
    Ok((predictions, accuracy))
}

/// The outputs of `forward`, one field per output.
#[derive(Debug)]
pub struct Forward {
    pub dense1: Matrix,
    pub relu1: Matrix,
    pub dense2: Matrix,
    pub softmax: Matrix,
    pub sample_losses: Vec<f32>,
    pub loss: f32,
    pub predictions: Vec<usize>,
    pub accuracy: f32,
}

/// The book's chapter 5 network: dense -> ReLU -> dense -> softmax -> loss and accuracy.
/// inputs (B×K), weights1 (K×H), biases1 (H), weights2 (H×C), biases2 (C), y_true
pub fn forward(
    inputs: &[Vec<f32>],
    weights1: &[Vec<f32>],
    biases1: &[f32],
    weights2: &[Vec<f32>],
    biases2: &[f32],
    y_true: &Labels,
) -> Result<Forward, StageError> {
    let dense1 = dense_batch(inputs, weights1, biases1, WeightsLayout::InputsNeurons)?;
    let relu1: Matrix = dense1.iter().map(|row| relu(row)).collect();
    let dense2 = dense_batch(&relu1, weights2, biases2, WeightsLayout::InputsNeurons)?;
    let softmax = softmax(&dense2)?;
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

fn argmax(row: &[f32]) -> usize {
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

pub(crate) fn transpose(rows: &[Vec<f32>]) -> Matrix {
    let columns = rows.first().map_or(0, Vec::len);
    (0..columns)
        .map(|c| rows.iter().map(|row| row[c]).collect())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Input checks (ranks and ragged rows are checked when the inputs are read, see main.rs)

/// A batch has at least one sample (row).
pub(crate) fn check_batch(name: &str, rows: &[Vec<f32>]) -> Result<(), StageError> {
    if rows.is_empty() {
        return fail(EmptyBatch, format!("{name} has no samples"));
    }
    Ok(())
}

/// Checks `y_true` against a batch of `samples` rows of `classes` values and returns the class
/// of each sample. sparse: `samples` integers in [0, classes); onehot: `samples` rows of
/// `classes` values, exactly one 1 among 0s.
pub(crate) fn check_labels(
    y_true: &Labels,
    samples: usize,
    classes: usize,
) -> Result<Vec<usize>, StageError> {
    match y_true {
        Labels::Sparse(labels) => {
            if labels.len() != samples {
                let n = labels.len();
                let why = format!("y_true has {n} labels for {samples} samples");
                return fail(ShapeMismatch, why);
            }
            let mut indices = Vec::new();
            for (b, &y) in labels.iter().enumerate() {
                if y.fract() != 0.0 {
                    return fail(InvalidLabel, format!("y_true[{b}] is {y}, not an integer"));
                }
                if y < 0.0 || y >= classes as f64 {
                    let why = format!("y_true[{b}] is {y}, not in [0, {classes})");
                    return fail(LabelOutOfRange, why);
                }
                indices.push(y as usize);
            }
            Ok(indices)
        }
        Labels::OneHot(rows) => {
            if rows.len() != samples {
                let n = rows.len();
                let why = format!("y_true has {n} rows for {samples} samples");
                return fail(ShapeMismatch, why);
            }
            let mut indices = Vec::new();
            for (b, row) in rows.iter().enumerate() {
                if row.len() != classes {
                    let n = row.len();
                    let why = format!("y_true rows have {n} values for {classes} classes");
                    return fail(ShapeMismatch, why);
                }
                if row.iter().any(|&y| y != 0.0 && y != 1.0) {
                    let why = format!("y_true[{b}] holds a value not 0 or 1");
                    return fail(InvalidLabel, why);
                }
                let ones: Vec<usize> = (0..classes).filter(|&c| row[c] == 1.0).collect();
                if ones.len() != 1 {
                    let n = ones.len();
                    return fail(InvalidLabel, format!("y_true[{b}] holds {n} ones, not one"));
                }
                indices.push(ones[0]);
            }
            Ok(indices)
        }
    }
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
    fn invalid_labels_have_their_kinds() {
        let y_pred = vec![vec![0.5, 0.5]];
        let kind = |labels| categorical_crossentropy(&y_pred, &labels).unwrap_err().kind;
        assert_eq!(kind(Labels::Sparse(vec![1.5])), InvalidLabel);
        assert_eq!(kind(Labels::Sparse(vec![2.0])), LabelOutOfRange);
        assert_eq!(kind(Labels::OneHot(vec![vec![1.0, 1.0]])), InvalidLabel);
        assert_eq!(kind(Labels::Sparse(vec![0.0, 1.0])), ShapeMismatch);
    }
}
