//! The book's chapters 18 to 22 in plain Rust and `f32`: what the `Model` adds around the
//! network. Chapter 19's data preparation, `Model.train`'s mini-batches, the output
//! activations' `predictions()`, `Model.evaluate`, and chapter 21's saved parameters.
//!
//! One function per stage, named as in the suite. The kit has checked the inputs (bytes,
//! permutation keys, labels, batch sizes).

use crate::nnfs::{argmax, categorical_crossentropy, dense_relu_dense_softmax};
use nnfs_kit::{Activation, Labels, Matrix, Parameters, Predictions, Result};
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

// ---------------------------------------------------------------------------------------------
// Chapter 19: the data set

/// images (B×H×W bytes), labels (B), keys (B: a permutation of 0..B)
/// -> (x (B×(H·W)): each image flattened row by row and scaled to [-1, 1], then `X[keys]`,
///     y (B): `y[keys]`)
pub fn preprocess(
    images: &[Matrix<u8>],
    labels: &[i64],
    keys: &[usize],
) -> Result<(Matrix<f32>, Vec<i64>)> {
    // X = (X.reshape(X.shape[0], -1).astype(np.float32) - 127.5) / 127.5
    let x: Matrix<f32> = images
        .iter()
        .map(|image| {
            image
                .iter()
                .flatten()
                .map(|&pixel| (f32::from(pixel) - 127.5) / 127.5)
                .collect()
        })
        .collect();
    // X = X[keys]; y = y[keys]
    let shuffled_x = keys.iter().map(|&key| x[key].clone()).collect();
    let shuffled_y = keys.iter().map(|&key| labels[key]).collect();
    Ok((shuffled_x, shuffled_y))
}

// ---------------------------------------------------------------------------------------------
// Chapter 18: the Model's mini-batches, predictions and evaluation

/// `Model.train`'s steps: `len // batch_size`, plus one for a short last batch.
fn train_steps(samples: usize, batch_size: usize) -> usize {
    let mut steps = samples / batch_size;
    // NOTE: dividing rounds down, so a short last batch would be dropped: add it back.
    if steps * batch_size < samples {
        steps += 1;
    }
    steps
}

/// `X[step*batch_size:(step+1)*batch_size]`: the last batch may be short.
fn batch<T>(rows: &[T], step: usize, batch_size: usize) -> &[T] {
    let start = step * batch_size;
    let end = rows.len().min(start.saturating_add(batch_size));
    &rows[start..end]
}

/// The batches `Model.train` slices: (steps, batch_sizes (steps), first_rows, last_rows
/// (steps×K)), each batch by its size and its first and last row.
pub type Batches = (usize, Vec<usize>, Matrix<f32>, Matrix<f32>);

/// inputs (B×K), batch_size -> Batches
pub fn batches(inputs: &[Vec<f32>], batch_size: usize) -> Result<Batches> {
    let steps = train_steps(inputs.len(), batch_size);
    let (mut batch_sizes, mut first_rows, mut last_rows) = (Vec::new(), Vec::new(), Vec::new());
    for step in 0..steps {
        let batch_x = batch(inputs, step, batch_size);
        batch_sizes.push(batch_x.len());
        first_rows.push(batch_x[0].clone());
        last_rows.push(batch_x[batch_x.len() - 1].clone());
    }
    Ok((steps, batch_sizes, first_rows, last_rows))
}

/// outputs (B×N) of the output layer -> its activation's `predictions()`
pub fn predictions(outputs: &[Vec<f32>], activation: Activation) -> Result<Predictions<f32>> {
    Ok(match activation {
        // Activation_Softmax: np.argmax(outputs, axis=1), the first maximum winning
        Activation::Softmax => {
            Predictions::Classes(outputs.iter().map(|row| argmax(row)).collect())
        }
        // Activation_Sigmoid: (outputs > 0.5) * 1
        Activation::Sigmoid => Predictions::Binary(
            outputs
                .iter()
                .map(|row| row.iter().map(|&x| usize::from(x > 0.5)).collect())
                .collect(),
        ),
        // Activation_Linear: the outputs themselves
        Activation::Linear => Predictions::Values(outputs.to_vec()),
    })
}

/// `Model.evaluate` of a softmax classifier's outputs: y_pred (B×C), y_true, batch_size
/// -> (loss, accuracy), each accumulated over the batches
pub fn evaluate(
    y_pred: &[Vec<f32>],
    y_true: &Labels<f32>,
    batch_size: usize,
) -> Result<(f32, f32)> {
    // NOTE: the loss and accuracy are sums and counts accumulated over every batch, divided
    //       once at the end (calculate_accumulated), not the mean of the batches' means.
    let (mut accumulated_sum, mut accumulated_hits, mut accumulated_count) = (0.0f32, 0, 0);
    let classes = y_true.classes();
    for step in 0..train_steps(y_pred.len(), batch_size) {
        let batch_x = batch(y_pred, step, batch_size);
        let start = step * batch_size;
        let batch_y = y_true.slice(start..start + batch_x.len());
        let (sample_losses, _) = categorical_crossentropy(batch_x, &batch_y)?;
        accumulated_sum += sample_losses.iter().sum::<f32>();
        let batch_classes = batch(&classes, step, batch_size);
        for (row, &class) in batch_x.iter().zip(batch_classes) {
            accumulated_hits += usize::from(argmax(row) == class);
        }
        accumulated_count += sample_losses.len();
    }
    let loss = accumulated_sum / accumulated_count as f32;
    let accuracy = accumulated_hits as f32 / accumulated_count as f32;
    Ok((loss, accuracy))
}

// ---------------------------------------------------------------------------------------------
// Chapter 21: saving and loading the parameters

/// inputs (B×K) and a Dense(K, H) -> ReLU -> Dense(H, C) -> softmax model's `get_parameters()`
/// -> (the parameters of a fresh model loaded from the saved file, its softmax output)
pub fn parameters(
    inputs: &[Vec<f32>],
    parameters: &[(Matrix<f32>, Vec<f32>)],
) -> Result<(Parameters<f32>, Matrix<f32>)> {
    let path = parameters_file();
    let saved = save_parameters(parameters, &path);
    let loaded = saved.and_then(|()| load_parameters(&path));
    let _ = fs::remove_file(&path);
    // model = Model.load / set_parameters: a fresh model with what the file held
    let loaded = loaded?;
    let [(weights1, biases1), (weights2, biases2)] = loaded.as_slice() else {
        return Err(format!("the file held {} layers, the model has 2", loaded.len()).into());
    };
    let (_, _, _, output) = dense_relu_dense_softmax(inputs, weights1, biases1, weights2, biases2)?;
    Ok((loaded, output))
}

/// A file of its own for each save, in the system's temporary folder.
fn parameters_file() -> PathBuf {
    static SAVES: AtomicUsize = AtomicUsize::new(0);
    let save = SAVES.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("nnfs-port-{}-{save}.params", std::process::id()))
}

/// `Model.save_parameters(path)`: where the book pickles the list of (weights, biases) pairs,
/// this writes each layer as its sizes and every float32 as its 4 bytes (little-endian), so
/// every digit is kept, as pickle keeps NumPy's arrays.
fn save_parameters(parameters: &[(Matrix<f32>, Vec<f32>)], path: &Path) -> io::Result<()> {
    let mut file = BufWriter::new(File::create(path)?);
    file.write_all(&(parameters.len() as u64).to_le_bytes())?;
    for (weights, biases) in parameters {
        let columns = weights.first().map_or(biases.len(), Vec::len);
        file.write_all(&(weights.len() as u64).to_le_bytes())?;
        file.write_all(&(columns as u64).to_le_bytes())?;
        for x in weights.iter().flatten() {
            file.write_all(&x.to_le_bytes())?;
        }
        file.write_all(&(biases.len() as u64).to_le_bytes())?;
        for x in biases {
            file.write_all(&x.to_le_bytes())?;
        }
    }
    file.flush()
}

/// `Model.load_parameters(path)`: the list of (weights, biases) pairs `save_parameters` wrote.
fn load_parameters(path: &Path) -> io::Result<Parameters<f32>> {
    let bytes = fs::read(path)?;
    let mut reader = Reader { bytes: &bytes };
    let layers = reader.size()?;
    let mut parameters = Vec::new();
    for _ in 0..layers {
        let (rows, columns) = (reader.size()?, reader.size()?);
        let mut weights = Vec::new();
        for _ in 0..rows {
            weights.push(reader.floats(columns)?);
        }
        let biases = reader.size().and_then(|n| reader.floats(n))?;
        parameters.push((weights, biases));
    }
    Ok(parameters)
}

/// Reads the saved file from its start: sizes (u64) and float32s, little-endian.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> io::Result<[u8; N]> {
        if self.bytes.len() < N {
            let why = "the file ends early";
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, why));
        }
        let (head, rest) = self.bytes.split_at(N);
        self.bytes = rest;
        Ok(head.try_into().expect("N bytes"))
    }

    fn size(&mut self) -> io::Result<usize> {
        Ok(u64::from_le_bytes(self.take()?) as usize)
    }

    fn floats(&mut self, count: usize) -> io::Result<Vec<f32>> {
        (0..count)
            .map(|_| self.take().map(f32::from_le_bytes))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_last_batch_is_a_step_of_its_own() {
        let inputs: Matrix<f32> = (0..5).map(|i| vec![i as f32]).collect();
        let (steps, sizes, first, last) = batches(&inputs, 2).unwrap();
        assert_eq!((steps, sizes), (3, vec![2, 2, 1]));
        assert_eq!(first, vec![vec![0.0], vec![2.0], vec![4.0]]);
        assert_eq!(last, vec![vec![1.0], vec![3.0], vec![4.0]]);
    }

    #[test]
    fn evaluate_accumulates_rather_than_averaging_the_batches() {
        // batches of 2 and 1: the mean of the batch means would weigh the last sample double
        let y_pred = vec![vec![0.5, 0.5], vec![0.25, 0.75], vec![1.0, 0.0]];
        let (_, accuracy) = evaluate(&y_pred, &Labels::Sparse(vec![1, 1, 1]), 2).unwrap();
        assert_eq!(accuracy, 1.0 / 3.0);
    }

    #[test]
    fn saved_parameters_come_back_bit_for_bit() {
        let tiny = f32::from_bits(1);
        let layers = vec![
            (vec![vec![0.1, -0.0, tiny]], vec![1e-38, f32::MAX, -3.5]),
            (
                vec![vec![1.0], vec![f32::MIN_POSITIVE], vec![0.3]],
                vec![7.0],
            ),
        ];
        let path = parameters_file();
        save_parameters(&layers, &path).unwrap();
        let loaded = load_parameters(&path).unwrap();
        fs::remove_file(&path).unwrap();
        let bits = |p: &Parameters<f32>| -> Vec<u32> {
            p.iter()
                .flat_map(|(w, b)| w.iter().flatten().chain(b).map(|x| x.to_bits()))
                .collect()
        };
        assert_eq!(bits(&loaded), bits(&layers));
        assert_eq!(loaded.len(), 2);
    }
}
