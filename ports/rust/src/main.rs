//! The Rust port of nnfs-conformance, in float32: the book's network (nnfs.rs, training.rs,
//! model.rs) and the book tier (book.rs: its random numbers, datasets and printed results),
//! registered with the kit (kits/rust), which speaks the protocol and checks every input.
//! Run it under the suite's runner:  nnfs-conform run -- ports/rust/target/release/nnfs-port

mod book;
mod model;
mod nnfs;
mod training;

use nnfs_kit::Kit;

fn main() {
    Kit::<f32>::new("rust-float32")
        .version(env!("CARGO_PKG_VERSION"))
        .neuron(nnfs::neuron)
        .layer(nnfs::layer)
        .dense_batch(nnfs::dense_batch)
        .relu(nnfs::relu)
        .dense_relu(nnfs::dense_relu)
        .softmax(nnfs::softmax)
        .dense_relu_dense_softmax(nnfs::dense_relu_dense_softmax)
        .categorical_crossentropy(nnfs::categorical_crossentropy)
        .accuracy(nnfs::accuracy)
        .forward(nnfs::forward)
        .dense_backward(training::dense_backward)
        .relu_backward(training::relu_backward)
        .repeated_forward(training::repeated_forward)
        .softmax_backward(training::softmax_backward)
        .categorical_crossentropy_backward(training::categorical_crossentropy_backward)
        .softmax_crossentropy_backward(training::softmax_crossentropy_backward)
        .regularization(training::regularization)
        .dropout(training::dropout)
        .sigmoid(training::sigmoid)
        .binary_crossentropy(training::binary_crossentropy)
        .binary_accuracy(training::binary_accuracy)
        .linear(training::linear)
        .mean_squared_error(training::mean_squared_error)
        .mean_absolute_error(training::mean_absolute_error)
        .regression_accuracy(training::regression_accuracy)
        .sgd_step(training::sgd_step)
        .adagrad_step(training::adagrad_step)
        .rmsprop_step(training::rmsprop_step)
        .adam_step(training::adam_step)
        .shared_optimizer(training::shared_optimizer)
        .training(training::training)
        .model_training(model::model_training)
        .preprocess(model::preprocess)
        .batches(model::batches)
        .predictions(model::predictions)
        .evaluate(model::evaluate)
        .parameters(model::parameters)
        .rng(book::rng)
        .datasets(book::datasets)
        .init(book::init)
        .shuffle(book::shuffle)
        .chapters(book::chapters)
        .serve()
}
