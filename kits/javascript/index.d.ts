// nnfs-kit: the types of a port's stages. Each stage is a plain function: it receives one object
// of its named inputs (checked by the kit: the shapes fit, labels are in range) and returns one
// object of its named outputs, as docs/STAGES.md names them. B samples, K inputs, N neurons,
// C classes, H hidden units, O outputs per sample, S steps.

/** A rank-1 array of numbers. */
export type Vector = number[];
/** A rank-2 array of numbers, row-major: rows of equal length. */
export type Matrix = number[][];

/**
 * Class labels, in either form the book's losses accept: sparse class indices (B) or one-hot
 * rows (B, C). Test which with `if (y_true.sparse)`, as the book tests `len(y_true.shape) == 1`.
 */
export type Labels =
  | { sparse: number[]; onehot?: undefined }
  | { onehot: number[][]; sparse?: undefined };

/** Layer_Dense's parameters: weights (K, N) and biases (N). */
export interface DenseParameters {
  weights: Matrix;
  biases: Vector;
}

/** An optimizer step's inputs: one layer, its gradients, and the count of steps already taken. */
export interface OptimizerInputs extends DenseParameters {
  dweights: Matrix;
  dbiases: Vector;
  iterations: number;
  learning_rate: number;
  decay: number;
}

/** An optimizer step's outputs: the updated layer, the rate this step used, iterations + 1. */
export interface OptimizerOutputs extends DenseParameters {
  learning_rate: number;
  iterations: number;
}

export interface Momentums {
  weight_momentums: Matrix;
  bias_momentums: Vector;
}

export interface Cache {
  weight_cache: Matrix;
  bias_cache: Vector;
}

/** The book's model's two Layer_Dense: weights1 (K, H), biases1 (H), weights2 (H, C),
 *  biases2 (C). */
export interface TwoLayers {
  weights1: Matrix;
  biases1: Vector;
  weights2: Matrix;
  biases2: Vector;
}

/** The per-sample losses (B), their mean and the gradient (B, O) of the loss. */
export interface LossOutputs {
  sample_losses: Vector;
  loss: number;
  dinputs: Matrix;
}

/** The stages a port can implement: give the kit those you wrote. */
export interface Stages {
  /** Chapter 2: sum of inputs (K) times weights (K), plus the bias. */
  neuron?: (x: { inputs: Vector; weights: Vector; bias: number }) => { output: number };
  /** Chapter 2: weights (N, K), one row per neuron; output (N). */
  layer?: (x: { inputs: Vector; weights: Matrix; biases: Vector }) => { output: Vector };
  /** Layer_Dense.forward: inputs (B, K) @ weights (K, N) + biases (N); output (B, N). */
  dense_batch?: (x: { inputs: Matrix; weights: Matrix; biases: Vector }) => { output: Matrix };
  /** Activation_ReLU.forward: inputs (B, K), a rank-1 case as one row; output (B, K). */
  relu?: (x: { inputs: Matrix }) => { output: Matrix };
  /** Chapter 4's first chain: Layer_Dense, then ReLU of its output; both (B, N). */
  dense_relu?: (x: { inputs: Matrix; weights: Matrix; biases: Vector }) =>
    { dense: Matrix; relu: Matrix };
  /** Activation_Softmax.forward: logits (B, C); output (B, C). */
  softmax?: (x: { inputs: Matrix }) => { output: Matrix };
  /** Chapter 4's network before the loss: Dense(K, H), ReLU, Dense(H, C), softmax. */
  dense_relu_dense_softmax?: (x: TwoLayers & { inputs: Matrix }) =>
    { dense1: Matrix; relu1: Matrix; dense2: Matrix; softmax: Matrix };
  /** Loss_CategoricalCrossentropy: y_pred (B, C); sample_losses (B) and their mean. */
  categorical_crossentropy?: (x: { y_pred: Matrix; y_true: Labels }) =>
    { sample_losses: Vector; loss: number };
  /** Predictions (B) are the argmax of each row (the first maximum), accuracy their hit rate. */
  accuracy?: (x: { y_pred: Matrix; y_true: Labels }) =>
    { predictions: Vector; accuracy: number };
  /** Chapter 5's network: Dense(K, H), ReLU, Dense(H, C), softmax, loss and accuracy. */
  forward?: (x: {
    inputs: Matrix; weights1: Matrix; biases1: Vector; weights2: Matrix; biases2: Vector;
    y_true: Labels;
  }) => {
    dense1: Matrix; relu1: Matrix; dense2: Matrix; softmax: Matrix;
    sample_losses: Vector; loss: number; predictions: Vector; accuracy: number;
  };
  /** Layer_Dense.backward: inputs (B, K), weights (K, N), dvalues (B, N). */
  dense_backward?: (x: { inputs: Matrix; weights: Matrix; dvalues: Matrix }) =>
    { dweights: Matrix; dbiases: Vector; dinputs: Matrix };
  /** Activation_ReLU.backward: the forward inputs and dvalues (B, K), a rank-1 case as one row. */
  relu_backward?: (x: { inputs: Matrix; dvalues: Matrix }) => { dinputs: Matrix };
  /** One Layer_Dense and one Activation_ReLU called on inputs1 (B, K), then on inputs2 (D, K),
   *  then backward(dvalues (D, N)): everything after the second call is inputs2's alone. */
  repeated_forward?: (x: {
    inputs1: Matrix; inputs2: Matrix; weights: Matrix; biases: Vector; dvalues: Matrix;
  }) => { output1: Matrix; output2: Matrix; dweights: Matrix; dbiases: Vector; dinputs: Matrix };
  /** Activation_Softmax.backward: the forward output (B, C) and dvalues (B, C). */
  softmax_backward?: (x: { output: Matrix; dvalues: Matrix }) => { dinputs: Matrix };
  /** Loss_CategoricalCrossentropy.backward: -y_true / y_pred / B, unclipped. */
  categorical_crossentropy_backward?: (x: { y_pred: Matrix; y_true: Labels }) =>
    { dinputs: Matrix };
  /** Activation_Softmax_Loss_CategoricalCrossentropy.backward, or the two chained. */
  softmax_crossentropy_backward?: (x: {
    y_pred: Matrix; y_true: Labels; path: "combined" | "separate";
  }) => { dinputs: Matrix };
  /** The regularization's own loss and gradients, for weights (K, N) and biases (N). */
  regularization?: (x: DenseParameters & {
    weight_regularizer_l1: number; weight_regularizer_l2: number;
    bias_regularizer_l1: number; bias_regularizer_l2: number;
  }) => { loss: number; dweights: Matrix; dbiases: Vector };
  /** Layer_Dropout(rate): the mask (B, N) of 0/1 draws is given; rate is in [0, 1). */
  dropout?: (x: { inputs: Matrix; mask: Matrix; rate: number; dvalues: Matrix }) =>
    { output: Matrix; dinputs: Matrix };
  /** Activation_Sigmoid.forward, then .backward with dvalues (B, N). */
  sigmoid?: (x: { inputs: Matrix; dvalues: Matrix }) => { output: Matrix; dinputs: Matrix };
  /** Loss_BinaryCrossentropy: y_pred (B, O), y_true (B, O) of 0s and 1s. */
  binary_crossentropy?: (x: { y_pred: Matrix; y_true: Matrix }) => LossOutputs;
  /** Accuracy of sigmoid outputs: predictions (B, O) are y_pred > 0.5 as 0/1 (0.5 is 0). */
  binary_accuracy?: (x: { y_pred: Matrix; y_true: Matrix }) =>
    { predictions: Matrix; accuracy: number };
  /** Activation_Linear.forward, then .backward: both unchanged copies (B, N). */
  linear?: (x: { inputs: Matrix; dvalues: Matrix }) => { output: Matrix; dinputs: Matrix };
  /** Loss_MeanSquaredError: y_pred (B, O), y_true (B, O). */
  mean_squared_error?: (x: { y_pred: Matrix; y_true: Matrix }) => LossOutputs;
  /** Loss_MeanAbsoluteError: y_pred (B, O), y_true (B, O). */
  mean_absolute_error?: (x: { y_pred: Matrix; y_true: Matrix }) => LossOutputs;
  /** Accuracy_Regression: the share of |y_pred - y_true| < precision (strictly; precision >= 0). */
  regression_accuracy?: (x: { y_pred: Matrix; y_true: Matrix; precision: number }) =>
    { accuracy: number };
  /** Optimizer_SGD: pre_update_params, update_params, post_update_params for one layer. */
  sgd_step?: (x: OptimizerInputs & Momentums & { momentum: number }) =>
    OptimizerOutputs & Momentums;
  /** Optimizer_Adagrad, likewise. */
  adagrad_step?: (x: OptimizerInputs & Cache & { epsilon: number }) => OptimizerOutputs & Cache;
  /** Optimizer_RMSprop, likewise. */
  rmsprop_step?: (x: OptimizerInputs & Cache & { epsilon: number; rho: number }) =>
    OptimizerOutputs & Cache;
  /** Optimizer_Adam, likewise. */
  adam_step?: (x: OptimizerInputs & Momentums & Cache & {
    epsilon: number; beta_1: number; beta_2: number;
  }) => OptimizerOutputs & Momentums & Cache;
  /** One Optimizer_Adam for both layers, `steps` steps (an integer >= 1) with the same gradients;
   *  each layer's momentums and caches start at zeros. */
  shared_optimizer?: (x: TwoLayers & {
    dweights1: Matrix; dbiases1: Vector; dweights2: Matrix; dbiases2: Vector; steps: number;
    learning_rate: number; decay: number; epsilon: number; beta_1: number; beta_2: number;
  }) => TwoLayers;
  /** The book's training loop, full batch, for `steps` steps: what each step records. */
  training?: (x: {
    inputs: Matrix; y_true: Labels; weights1: Matrix; biases1: Vector; weights2: Matrix;
    biases2: Vector; steps: number; optimizer: "sgd" | "adagrad" | "rmsprop" | "adam";
    learning_rate: number; decay: number; momentum: number; epsilon: number; rho: number;
    beta_1: number; beta_2: number;
  }) => {
    loss: Vector; accuracy: Vector; learning_rate: Vector;
    weights1: number[][][]; biases1: Matrix; weights2: number[][][]; biases2: Matrix;
  };

  // The Model (chapters 18-22): what it adds around the network.
  /** Model.train(inputs, y_true, epochs, batch_size, validation_data) on Dense(K, H, the four
   *  regularizers) -> ReLU -> Dense(H, C) -> Softmax: per epoch (E values each) its accumulated
   *  losses and accuracy, its last step's rate and the validation set's (M samples) loss and
   *  accuracy; the parameters after the last epoch. */
  model_training?: (x: TwoLayers & {
    inputs: Matrix; y_true: Labels; validation_inputs: Matrix; validation_y_true: Labels;
    epochs: number; batch_size: number; optimizer: "sgd" | "adagrad" | "rmsprop" | "adam";
    weight_regularizer_l1: number; weight_regularizer_l2: number;
    bias_regularizer_l1: number; bias_regularizer_l2: number;
    learning_rate: number; decay: number; momentum: number; epsilon: number; rho: number;
    beta_1: number; beta_2: number;
  }) => TwoLayers & {
    loss: Vector; data_loss: Vector; regularization_loss: Vector; accuracy: Vector;
    learning_rate: Vector; validation_loss: Vector; validation_accuracy: Vector;
  };
  /** Chapter 19: images (B, H, W) of integer bytes 0-255, flattened row by row and scaled to
   *  (X - 127.5) / 127.5, then taken in the order of keys (a permutation of 0..B-1), with the
   *  integer labels (B): x (B, H·W), y (B). */
  preprocess?: (x: { images: number[][][]; labels: Vector; keys: Vector }) =>
    { x: Matrix; y: Vector };
  /** Model.train's steps for batch_size (an integer >= 1): ceil(B / batch_size) slices; each
   *  one's size and its first and last rows (S, K). */
  batches?: (x: { inputs: Matrix; batch_size: number }) =>
    { steps: number; batch_sizes: Vector; first_rows: Matrix; last_rows: Matrix };
  /** The output activation's predictions(): softmax's argmax (B) class indices, sigmoid's
   *  > 0.5 (B, N) of 0/1, linear's outputs (B, N) themselves. */
  predictions?: (x: { inputs: Matrix; activation: "softmax" | "sigmoid" | "linear" }) =>
    { predictions: Vector | Matrix };
  /** Model.evaluate over batches of batch_size: the accumulated sample losses and hits, each
   *  divided once by the sample count. */
  evaluate?: (x: { y_pred: Matrix; y_true: Labels; batch_size: number }) =>
    { loss: number; accuracy: number };
  /** Chapter 21: the parameters saved to a file and loaded into a fresh model, every digit
   *  kept; that model's softmax output (B, C) on inputs. */
  parameters?: (x: TwoLayers & { inputs: Matrix }) => TwoLayers & { output: Matrix };

  // The book tier (docs/BOOK.md): integers in, the book's own numbers out, the same at both
  // tiers (a float64 port rounds to float32 where the book does).
  /** np.random.seed(seed)'s legacy stream: each call [kind, count] draws count 32-bit outputs
   *  (kind 0), 53-bit doubles (1) or cached polar Gaussians (2); values in call order. */
  rng?: (x: { seed: number; calls: [number, number][] }) => { values: Vector };
  /** nnfs's spiral_data and vertical_data: x (samples * classes, 2), y the labels; sine_data:
   *  x and y (samples, 1), seed and classes unused. */
  datasets?: (x: {
    seed: number; samples: number; classes: number; dataset: "spiral" | "vertical" | "sine";
  }) => { x: Matrix; y: Vector | Matrix };
  /** Layer_Dense's weights, float32(scale) * float32(randn), for each [n_inputs, n_neurons]
   *  after `skip` Gaussians: every layer row-major, concatenated. */
  init?: (x: { seed: number; skip: number; shapes: [number, number][]; scale: number }) =>
    { weights: Vector };
  /** Chapter 19's np.random.shuffle(keys) of keys = range(samples), after np.random.seed(seed):
   *  NumPy's legacy Fisher-Yates; keys are integers. */
  shuffle?: (x: { seed: number; samples: number }) => { keys: Vector };
  /** The book's chapter 3-10 script, `steps` optimizer steps, then what `printed` names: a
   *  number (loss, accuracy, learning_rate) or rows (the first 5 of a batch output; biases as
   *  one row). */
  chapters?: (x: {
    seed: number; samples: number; classes: number; hidden: number; steps: number;
    printed: Printed; optimizer: "sgd" | "adagrad" | "rmsprop" | "adam";
    learning_rate: number; decay: number; momentum: number;
  }) => { value: number | Matrix };
}

/** What the book's chapter 3-10 script prints, for the `chapters` stage. */
export type Printed =
  | "dense1_output" | "softmax_output" | "loss" | "accuracy" | "learning_rate"
  | "dweights1" | "dbiases1" | "dweights2" | "dbiases2"
  | "weights1" | "biases1" | "weights2" | "biases2";

/** What a port declares: shown in reports, and the stages it implements. */
export interface Port {
  /** Free text shown in reports, e.g. "my-port". */
  name: string;
  /**
   * "float64" (JavaScript's numbers), or "float32": the kit then rounds every real input with
   * Math.fround, and the stages compute in float32 (Math.fround after each operation).
   */
  dtype: "float64" | "float32";
  stages: Stages;
  /** The label formats the stages accept; both by default. */
  label_formats?: ("sparse" | "onehot")[];
  /** Shown in reports. */
  version?: string;
}

/**
 * Answer the runner on stdin and stdout until bye or the end of input, then exit 0. A line that
 * is not the protocol stops the port with one line on stderr and exit status 1; a mistake in
 * `port` stops it before the first line, exit status 2.
 */
export function serve(port: Port): Promise<void>;

/** The reply line to one request line (without its newline), or null for bye. */
export function answer(port: Port, line: string): string | null;

/** Throw it from a stage to decline a case: not applicable, with this reason. */
export class Unsupported extends Error {
  constructor(reason: string);
}
