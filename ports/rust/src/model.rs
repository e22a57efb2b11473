//! The book's chapters 18 to 22 in plain Rust and `f32`: what the `Model` adds around the
//! network. `Model.train` over epochs of mini-batches, chapter 19's data preparation, the
//! output activations' `predictions()`, `Model.evaluate`, and chapter 21's saved parameters.
//!
//! One function per stage, named as in the suite. The kit has checked the inputs (bytes,
//! permutation keys, labels, batch sizes).

use crate::nnfs::{argmax, categorical_crossentropy, dense_relu_dense_softmax};
use crate::training::{
    dense_backward, optimize, regularization, relu_backward, softmax_crossentropy_backward,
};
use nnfs_kit::{
    Activation, Dense, Epochs, Labels, Matrix, Model, Optimizer, Parameters, Predictions, Result,
    SoftmaxLossPath,
};
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

// ---------------------------------------------------------------------------------------------
// Chapters 18 and 19: Model.train

/// `model.train(X, y, epochs=epochs, batch_size=batch_size, validation_data=(X_val, y_val))`
/// on Dense(K, H) -> ReLU -> Dense(H, C) -> softmax with the categorical cross-entropy: trains
/// the model in place and returns what each epoch prints
pub fn model_training(
    model: &mut Model<f32>,
    x: &[Vec<f32>],
    y: &Labels<f32>,
    epochs: u64,
    batch_size: usize,
    validation_data: (&[Vec<f32>], &Labels<f32>),
) -> Result<Epochs<f32>> {
    let mut printed = Epochs::default();
    // NOTE: the batches are taken in the order given (the book shuffles the data set once,
    //       before training); the optimizer's iterations keep counting across epochs.
    for _ in 0..epochs {
        let (mut loss, mut accuracy) = (Accumulated::default(), Accumulated::default());
        for step in 0..train_steps(x.len(), batch_size) {
            let batch_x = batch(x, step, batch_size);
            let batch_y = batch_labels(y, step, batch_size);
            let output = model_forward(model, batch_x)?;
            accumulate(&mut loss, &mut accuracy, &output.softmax, &batch_y)?;
            model_backward(model, batch_x, &output, &batch_y)?;
            optimize(&mut model.optimizer, &mut model.dense1, &mut model.dense2);
        }
        // NOTE: the epoch's data loss and accuracy are accumulated over its batches; its
        //       regularization loss is taken now, from the parameters after the last update.
        let data_loss = loss.calculate_accumulated();
        let regularization_loss =
            regularization_loss(&model.dense1)? + regularization_loss(&model.dense2)?;
        printed.loss.push(data_loss + regularization_loss);
        printed.data_loss.push(data_loss);
        printed.regularization_loss.push(regularization_loss);
        printed.accuracy.push(accuracy.calculate_accumulated());
        printed
            .learning_rate
            .push(current_learning_rate(&model.optimizer));
        let (x_val, y_val) = validation_data;
        let (validation_loss, validation_accuracy) =
            model_evaluate(model, x_val, y_val, batch_size)?;
        printed.validation_loss.push(validation_loss);
        printed.validation_accuracy.push(validation_accuracy);
    }
    Ok(printed)
}

/// What a forward pass of the model keeps for its backward pass.
struct ModelOutput {
    dense1: Matrix<f32>,
    relu1: Matrix<f32>,
    softmax: Matrix<f32>,
}

/// `Model.forward(X, training)`: Dense -> ReLU -> Dense -> softmax
fn model_forward(model: &Model<f32>, x: &[Vec<f32>]) -> Result<ModelOutput> {
    let (dense1, relu1, _, softmax) = dense_relu_dense_softmax(
        x,
        &model.dense1.weights,
        &model.dense1.biases,
        &model.dense2.weights,
        &model.dense2.biases,
    )?;
    Ok(ModelOutput {
        dense1,
        relu1,
        softmax,
    })
}

/// `Model.backward(output, y)`: the combined softmax and cross-entropy gradient, then each
/// layer's `backward`, which sets its `dweights` and `dbiases`
fn model_backward(
    model: &mut Model<f32>,
    x: &[Vec<f32>],
    output: &ModelOutput,
    y: &Labels<f32>,
) -> Result<()> {
    let dvalues = softmax_crossentropy_backward(&output.softmax, y, SoftmaxLossPath::Combined)?;
    let drelu1 = layer_dense_backward(&mut model.dense2, &output.relu1, &dvalues)?;
    let ddense1 = relu_backward(&output.dense1, &drelu1)?;
    layer_dense_backward(&mut model.dense1, x, &ddense1)?;
    Ok(())
}

/// `Layer_Dense.backward(dvalues)`: the gradients on its parameters, plus its regularization's
/// (as the `regularization` stage's), and the gradient on its inputs
fn layer_dense_backward(
    layer: &mut Dense<f32>,
    inputs: &[Vec<f32>],
    dvalues: &[Vec<f32>],
) -> Result<Matrix<f32>> {
    let (dweights, dbiases, dinputs) = dense_backward(inputs, &layer.weights, dvalues)?;
    let (_, regularization_dweights, regularization_dbiases) =
        regularization(&layer.weights, &layer.biases, layer.regularizers)?;
    layer.dweights = dweights
        .iter()
        .zip(&regularization_dweights)
        .map(|(row, extra)| row.iter().zip(extra).map(|(g, r)| g + r).collect())
        .collect();
    layer.dbiases = dbiases
        .iter()
        .zip(&regularization_dbiases)
        .map(|(g, r)| g + r)
        .collect();
    Ok(dinputs)
}

/// `Loss.regularization_loss(layer)`: the L1 and L2 terms of its weights and biases
fn regularization_loss(layer: &Dense<f32>) -> Result<f32> {
    let (loss, _, _) = regularization(&layer.weights, &layer.biases, layer.regularizers)?;
    Ok(loss)
}

/// `Model.evaluate(X_val, y_val, batch_size)`: the same batches, forward only; the accumulated
/// data loss (no regularization) and accuracy
fn model_evaluate(
    model: &Model<f32>,
    x_val: &[Vec<f32>],
    y_val: &Labels<f32>,
    batch_size: usize,
) -> Result<(f32, f32)> {
    let (mut loss, mut accuracy) = (Accumulated::default(), Accumulated::default());
    for step in 0..train_steps(x_val.len(), batch_size) {
        let batch_x = batch(x_val, step, batch_size);
        let batch_y = batch_labels(y_val, step, batch_size);
        let output = model_forward(model, batch_x)?;
        accumulate(&mut loss, &mut accuracy, &output.softmax, &batch_y)?;
    }
    Ok((
        loss.calculate_accumulated(),
        accuracy.calculate_accumulated(),
    ))
}

/// `optimizer.current_learning_rate`: the rate its last step used.
fn current_learning_rate(optimizer: &Optimizer<f32>) -> f32 {
    match optimizer {
        Optimizer::Sgd(o) => o.current_learning_rate,
        Optimizer::Adagrad(o) => o.current_learning_rate,
        Optimizer::Rmsprop(o) => o.current_learning_rate,
        Optimizer::Adam(o) => o.current_learning_rate,
    }
}

/// The book's `Loss` and `Accuracy` since `new_pass()`: a running sum over every sample of the
/// pass, and the count of samples.
#[derive(Default)]
struct Accumulated {
    accumulated_sum: f32,
    accumulated_count: usize,
}

impl Accumulated {
    fn add(&mut self, values: &[f32]) {
        self.accumulated_sum += values.iter().sum::<f32>();
        self.accumulated_count += values.len();
    }

    /// NOTE: the sum over the samples divided by their count, NOT the mean of the batches'
    ///       means: a short last batch weighs its samples, not itself.
    fn calculate_accumulated(&self) -> f32 {
        self.accumulated_sum / self.accumulated_count as f32
    }
}

/// A batch's sample losses and right answers, added to the pass's.
fn accumulate(
    loss: &mut Accumulated,
    accuracy: &mut Accumulated,
    output: &[Vec<f32>],
    y: &Labels<f32>,
) -> Result<()> {
    let (sample_losses, _) = categorical_crossentropy(output, y)?;
    loss.add(&sample_losses);
    let classes = y.classes();
    let compare: Vec<f32> = output
        .iter()
        .zip(&classes)
        .map(|(row, &class)| if argmax(row) == class { 1.0 } else { 0.0 })
        .collect();
    accuracy.add(&compare);
    Ok(())
}

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

/// `y[step*batch_size:(step+1)*batch_size]`, in the format the labels came in.
fn batch_labels(y: &Labels<f32>, step: usize, batch_size: usize) -> Labels<f32> {
    let start = step * batch_size;
    y.slice(start..y.len().min(start.saturating_add(batch_size)))
}

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
    let (mut loss, mut accuracy) = (Accumulated::default(), Accumulated::default());
    for step in 0..train_steps(y_pred.len(), batch_size) {
        let batch_y = batch_labels(y_true, step, batch_size);
        accumulate(
            &mut loss,
            &mut accuracy,
            batch(y_pred, step, batch_size),
            &batch_y,
        )?;
    }
    Ok((
        loss.calculate_accumulated(),
        accuracy.calculate_accumulated(),
    ))
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
