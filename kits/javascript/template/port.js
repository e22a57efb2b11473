// {{name}}: the network of Neural Networks from Scratch, in JavaScript.
//
// nnfs-kit answers the suite's runner: it checks every input (shapes, labels) before calling a
// stage, so the code below can read like the book, which checks none. Arrays are plain arrays
// of numbers: a Vector is number[], a Matrix number[][] (rows). console.log goes to stderr.
// Run: nnfs-conform run -- node port.js
// @ts-check
import { serve, Unsupported } from "nnfs-kit";

/** @param {number[]} a @param {number[]} b */
function dot(a, b) {
  let total = 0;
  for (let i = 0; i < a.length; i++) total += a[i] * b[i];
  return total;
}

// Chapter 2: one neuron, the dot product of its inputs and weights plus its bias.
function neuron({ inputs, weights, bias }) {
  const output = dot(inputs, weights) + bias;
  return { output };
}

// Chapter 3: a dense layer. The book fills weights (n_inputs, n_neurons) with
// 0.01 * np.random.randn and biases (n_neurons) with zeros; the suite gives them.
class LayerDense {
  /** @param {number[][]} weights @param {number[]} biases */
  constructor(weights, biases) {
    this.weights = weights;
    this.biases = biases;
  }

  /** @param {number[][]} inputs (samples, n_inputs) */
  forward(inputs) {
    // output (samples, n_neurons) = inputs @ weights + biases
    const columns = this.biases.map((_, n) => this.weights.map((row) => row[n]));
    this.output = inputs.map((sample) => columns.map((w, n) => dot(sample, w) + this.biases[n]));
  }
}

serve({
  name: "{{name}}",
  dtype: "float64",
  stages: {
    neuron,
    dense_batch: ({ inputs, weights, biases }) => {
      const dense1 = new LayerDense(weights, biases);
      dense1.forward(inputs);
      return { output: dense1.output };
    },
    // The other stages: uncomment one when you have written it. B samples, K inputs,
    // N neurons, C classes; labels y_true are { sparse: [B] } or { onehot: [B][C] }: test
    // `if (y_true.sparse)` as the book tests len(y_true.shape) == 1.
    // layer: ({ inputs, weights, biases }) => ({ output }),          // weights (N, K) per neuron
    // relu: ({ inputs }) => ({ output }),                            // (B, K); a list as one row
    // dense_relu: ({ inputs, weights, biases }) => ({ dense, relu }), // chapter 4: (B, N) each
    // softmax: ({ inputs }) => ({ output }),                         // (B, C) -> (B, C)
    // dense_relu_dense_softmax: ({ inputs, weights1, biases1, weights2, biases2 }) =>
    //   ({ dense1, relu1, dense2, softmax }),                        // chapter 4's network
    // categorical_crossentropy: ({ y_pred, y_true }) => ({ sample_losses, loss }),
    // accuracy: ({ y_pred, y_true }) => ({ predictions, accuracy }),
    // forward: ({ inputs, weights1, biases1, weights2, biases2, y_true }) =>
    //   ({ dense1, relu1, dense2, softmax, sample_losses, loss, predictions, accuracy }),
    // dense_backward: ({ inputs, weights, dvalues }) => ({ dweights, dbiases, dinputs }),
    // relu_backward: ({ inputs, dvalues }) => ({ dinputs }),
    // repeated_forward: ({ inputs1, inputs2, weights, biases, dvalues }) =>  // batches (B, K)
    //   ({ output1, output2, dweights, dbiases, dinputs }),   // and (D, K); dvalues (D, N)
    // softmax_backward: ({ output, dvalues }) => ({ dinputs }),
    // categorical_crossentropy_backward: ({ y_pred, y_true }) => ({ dinputs }),
    // softmax_crossentropy_backward: ({ y_pred, y_true, path }) => ({ dinputs }),  // "combined"
    //                                                                      // or "separate"
    // regularization: ({ weights, biases, weight_regularizer_l1, weight_regularizer_l2,
    //   bias_regularizer_l1, bias_regularizer_l2 }) => ({ loss, dweights, dbiases }),
    // dropout: ({ inputs, mask, rate, dvalues }) => ({ output, dinputs }),
    // sigmoid: ({ inputs, dvalues }) => ({ output, dinputs }),
    // binary_crossentropy: ({ y_pred, y_true }) => ({ sample_losses, loss, dinputs }),
    // binary_accuracy: ({ y_pred, y_true }) => ({ predictions, accuracy }), // > 0.5 is 1
    // linear: ({ inputs, dvalues }) => ({ output, dinputs }),        // Activation_Linear
    // mean_squared_error: ({ y_pred, y_true }) => ({ sample_losses, loss, dinputs }),
    // mean_absolute_error: ({ y_pred, y_true }) => ({ sample_losses, loss, dinputs }),
    // regression_accuracy: ({ y_pred, y_true, precision }) => ({ accuracy }),  // |p - y| < it
    // sgd_step: ({ weights, biases, dweights, dbiases, weight_momentums, bias_momentums,
    //   iterations, learning_rate, decay, momentum }) =>
    //   ({ weights, biases, weight_momentums, bias_momentums, learning_rate, iterations }),
    // adagrad_step: ({ weights, biases, dweights, dbiases, weight_cache, bias_cache,
    //   iterations, learning_rate, decay, epsilon }) =>
    //   ({ weights, biases, weight_cache, bias_cache, learning_rate, iterations }),
    // rmsprop_step: ({ weights, biases, dweights, dbiases, weight_cache, bias_cache,
    //   iterations, learning_rate, decay, epsilon, rho }) =>
    //   ({ weights, biases, weight_cache, bias_cache, learning_rate, iterations }),
    // adam_step: ({ weights, biases, dweights, dbiases, weight_momentums, bias_momentums,
    //   weight_cache, bias_cache, iterations, learning_rate, decay, epsilon, beta_1, beta_2 }) =>
    //   ({ weights, biases, weight_momentums, bias_momentums, weight_cache, bias_cache,
    //     learning_rate, iterations }),
    // shared_optimizer: ({ weights1, biases1, weights2, biases2, dweights1, dbiases1, dweights2,
    //   dbiases2, steps, learning_rate, decay, epsilon, beta_1, beta_2 }) =>
    //   ({ weights1, biases1, weights2, biases2 }),                  // one Adam, two layers
    // training: ({ inputs, y_true, weights1, biases1, weights2, biases2, steps, optimizer,
    //   learning_rate, decay, momentum, epsilon, rho, beta_1, beta_2 }) => {
    //   if (optimizer === "adam") throw new Unsupported("Optimizer_Adam is not written yet");
    //   ...  // per step: loss, accuracy, learning_rate, weights1, biases1, weights2, biases2
    // },
    // The Model (chapters 18-22):
    // model_training: ({ inputs, y_true, validation_inputs, validation_y_true, weights1, biases1,
    //   weights2, biases2, epochs, batch_size, weight_regularizer_l1, weight_regularizer_l2,
    //   bias_regularizer_l1, bias_regularizer_l2, optimizer, learning_rate, decay, momentum,
    //   epsilon, rho, beta_1, beta_2 }) => ({ loss, data_loss, regularization_loss, accuracy,
    //   learning_rate, validation_loss, validation_accuracy,   // one value per epoch
    //   weights1, biases1, weights2, biases2 }),                 // after the last epoch
    // preprocess: ({ images, labels, keys }) => ({ x, y }),          // (B, H, W) bytes -> (B, H·W)
    // batches: ({ inputs, batch_size }) => ({ steps, batch_sizes, first_rows, last_rows }),
    // predictions: ({ inputs, activation }) => ({ predictions }),    // "softmax": (B) indices;
    //                                           // "sigmoid": (B, N) 0/1; "linear": (B, N)
    // evaluate: ({ y_pred, y_true, batch_size }) => ({ loss, accuracy }),  // Model.evaluate
    // parameters: ({ inputs, weights1, biases1, weights2, biases2 }) =>  // saved to a file,
    //   ({ weights1, biases1, weights2, biases2, output }),      // loaded into a fresh model
    // The book tier (the suite's docs/BOOK.md): integers in, the book's own numbers out.
    // rng: ({ seed, calls }) => ({ values }),                        // np.random.seed's stream
    // datasets: ({ seed, samples, classes, dataset }) => ({ x, y }), // nnfs.datasets
    // init: ({ seed, skip, shapes, scale }) => ({ weights }),        // Layer_Dense's weights
    // shuffle: ({ seed, samples }) => ({ keys }),                    // np.random.shuffle
    // chapters: ({ seed, samples, classes, hidden, steps, printed, optimizer, learning_rate,
    //   decay, momentum }) => ({ value }),                           // what the book prints
  },
});
