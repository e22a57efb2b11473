"""The book tier in the book's own style: NumPy, the `nnfs` package's float32 rules, legacy RNG.

What `nnfs.init()` does, written out (docs/BOOK.md):
- `np.random.seed(seed)`: NumPy's legacy MT19937 stream (RandomState), polar Gaussian with a
  cached second value;
- `np.random.randn` returns float32 (the float64 Gaussian, then `.astype('float32')`);
- `np.zeros` returns float32, so parameters and activations are float32;
- `np.dot` casts its arguments to float64, computes, and rounds the result once to float32.
Python scalars meet float32 arrays as float32 (NumPy 2's NEP 50, NumPy 1's value-based casting
agree here), so `0.01 * randn` is a float32 product of float32(0.01). One deliberate departure:
exp and log are computed in float64 and rounded to float32 (correctly rounded but for rare
double roundings), because NumPy's SIMD float32 kernels are not (up to 2 and 4 ULPs).
"""

import numpy as np

F32 = np.float32


def dot(a, b):
    # NOTE: the nnfs package's np.dot: float64 products and sums, rounded once to float32
    return np.dot(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)).astype(F32)


def exp32(x):
    # NOTE: correctly rounded expf, as the book's NumPy 1.18 gave (not NumPy's SIMD expf)
    return np.exp(x.astype(np.float64)).astype(F32)


def log32(x):
    # NOTE: correctly rounded logf, likewise
    return np.log(x.astype(np.float64)).astype(F32)


def randn(rs, *shape):
    # NOTE: nnfs.init() makes randn float32: the float64 Gaussian rounded once
    return rs.randn(*shape).astype(F32)


def rng_values(seed, calls):
    """Draw from np.random.seed(seed)'s stream: [kind, count] with 0 u32, 1 double, 2 randn."""
    rs = np.random.RandomState(int(seed))
    values = []
    for kind, count in calls:
        count = int(count)
        if kind == 0:  # the raw 32-bit outputs of the shared MT19937 (no Gaussian cache touched)
            values += [int(v) for v in rs._bit_generator.random_raw(count)]
        elif kind == 1:  # genrand_res53: (a >> 5, b >> 6) -> 53-bit double
            values += rs.random_sample(count).tolist()
        else:  # the legacy polar Gaussian; an odd count leaves the second value cached
            values += rs.randn(count).tolist()
    return values


def spiral_data(rs, samples, classes):
    """nnfs.datasets.spiral_data (Andrej Karpathy's cs231n spiral)."""
    X = np.zeros((samples * classes, 2), dtype=F32)
    y = np.zeros(samples * classes, dtype="uint8")
    for class_number in range(classes):
        ix = range(samples * class_number, samples * (class_number + 1))
        r = np.linspace(0.0, 1, samples)
        # NOTE: float32 noise times 0.2 is a float32 product; t itself is float64
        t = (
            np.linspace(class_number * 4, (class_number + 1) * 4, samples)
            + randn(rs, samples) * 0.2
        )
        X[ix] = np.c_[r * np.sin(t * 2.5), r * np.cos(t * 2.5)]  # float64, stored as float32
        y[ix] = class_number
    return X, y


def vertical_data(rs, samples, classes):
    X = np.zeros((samples * classes, 2), dtype=F32)
    y = np.zeros(samples * classes, dtype="uint8")
    for class_number in range(classes):
        ix = range(samples * class_number, samples * (class_number + 1))
        # NOTE: float32 arithmetic throughout: the Python scalars are rounded to float32
        X[ix] = np.c_[randn(rs, samples) * 0.1 + (class_number) / 3, randn(rs, samples) * 0.1 + 0.5]
        y[ix] = class_number
    return X, y


def sine_data(samples):
    # NOTE: float64: np.arange is not patched by nnfs.init()
    X = np.arange(samples).reshape(-1, 1) / samples
    y = np.sin(2 * np.pi * X).reshape(-1, 1)
    return X, y


def dataset(name, seed, samples, classes):
    if name == "sine":
        return sine_data(samples)
    rs = np.random.RandomState(int(seed))
    return (spiral_data if name == "spiral" else vertical_data)(rs, samples, classes)


def init_weights(seed, skip, shapes, scale):
    """Layer_Dense weights, `scale * randn(n_inputs, n_neurons)`, after `skip` Gaussians."""
    rs = np.random.RandomState(int(seed))
    if skip:
        rs.randn(int(skip))
    flat = []
    for n_inputs, n_neurons in shapes:
        # NOTE: float32(scale) * float32(randn): one float32 product
        flat += (F32(scale) * randn(rs, int(n_inputs), int(n_neurons))).ravel().tolist()
    return flat


def shuffle_keys(seed, samples):
    """Chapter 19's shuffle: `keys = np.array(range(samples)); np.random.shuffle(keys)`."""
    rs = np.random.RandomState(int(seed))
    keys = np.array(range(int(samples)))
    rs.shuffle(keys)
    return keys.tolist()


class Layer_Dense:
    def __init__(self, rs, n_inputs, n_neurons):
        self.weights = F32(0.01) * randn(rs, n_inputs, n_neurons)
        self.biases = np.zeros((1, n_neurons), dtype=F32)

    def forward(self, inputs):
        self.inputs = inputs
        self.output = dot(inputs, self.weights) + self.biases

    def backward(self, dvalues):
        self.dweights = dot(self.inputs.T, dvalues)
        self.dbiases = np.sum(dvalues, axis=0, keepdims=True)  # float32, row by row
        self.dinputs = dot(dvalues, self.weights.T)


class Activation_ReLU:
    def forward(self, inputs):
        self.inputs = inputs
        self.output = np.maximum(F32(0), inputs)

    def backward(self, dvalues):
        self.dinputs = dvalues.copy()
        self.dinputs[self.inputs <= 0] = 0


class Activation_Softmax_Loss_CategoricalCrossentropy:
    def forward(self, inputs, y_true):
        exp_values = exp32(inputs - np.max(inputs, axis=1, keepdims=True))
        self.output = exp_values / np.sum(exp_values, axis=1, keepdims=True)
        clipped = np.clip(self.output, F32(1e-7), F32(1 - 1e-7))
        losses = -log32(clipped[range(len(clipped)), y_true])
        return np.mean(losses)  # float32 pairwise sum, one float32 division

    def backward(self, dvalues, y_true):
        samples = len(dvalues)
        self.dinputs = dvalues.copy()
        self.dinputs[range(samples), y_true] -= 1
        self.dinputs = self.dinputs / samples


class Optimizer:
    """Chapter 10's SGD (with momentum), Adagrad, RMSprop and Adam, book defaults."""

    def __init__(self, kind, learning_rate, decay, momentum):
        self.kind, self.learning_rate, self.decay, self.momentum = (
            kind,
            learning_rate,
            decay,
            momentum,
        )
        self.current_learning_rate = learning_rate
        self.iterations = 0
        self.epsilon, self.rho, self.beta_1, self.beta_2 = 1e-7, 0.9, 0.9, 0.999

    def pre_update_params(self):
        if self.decay:
            self.current_learning_rate = self.learning_rate * (
                1.0 / (1.0 + self.decay * self.iterations)
            )

    def post_update_params(self):
        self.iterations += 1

    def update_params(self, layer):
        lr = self.current_learning_rate
        if not hasattr(layer, "weight_cache"):
            layer.weight_momentums = np.zeros_like(layer.weights)
            layer.weight_cache = np.zeros_like(layer.weights)
            layer.bias_momentums = np.zeros_like(layer.biases)
            layer.bias_cache = np.zeros_like(layer.biases)
        for p, g, m, c in (
            ("weights", "dweights", "weight_momentums", "weight_cache"),
            ("biases", "dbiases", "bias_momentums", "bias_cache"),
        ):
            grad = getattr(layer, g)
            if self.kind == "sgd" and self.momentum:
                update = self.momentum * getattr(layer, m) - lr * grad
                setattr(layer, m, update)
            elif self.kind == "sgd":
                update = -lr * grad
            elif self.kind == "adagrad":
                setattr(layer, c, getattr(layer, c) + grad**2)
                update = -lr * grad / (np.sqrt(getattr(layer, c)) + self.epsilon)
            elif self.kind == "rmsprop":
                setattr(layer, c, self.rho * getattr(layer, c) + (1 - self.rho) * grad**2)
                update = -lr * grad / (np.sqrt(getattr(layer, c)) + self.epsilon)
            else:  # adam
                t = self.iterations + 1
                setattr(layer, m, self.beta_1 * getattr(layer, m) + (1 - self.beta_1) * grad)
                setattr(layer, c, self.beta_2 * getattr(layer, c) + (1 - self.beta_2) * grad**2)
                m_hat = getattr(layer, m) / (1 - self.beta_1**t)
                c_hat = getattr(layer, c) / (1 - self.beta_2**t)
                update = -lr * m_hat / (np.sqrt(c_hat) + self.epsilon)
            setattr(layer, p, getattr(layer, p) + update)


def chapters(
    seed, samples, classes, hidden, steps, printed, optimizer, learning_rate, decay, momentum
):
    """One printed value of the chapter 3-10 script, after `steps` optimizer steps."""
    optimizer = Optimizer(optimizer, learning_rate, decay, momentum)
    if printed == "learning_rate":
        for _ in range(steps):
            optimizer.pre_update_params()
            optimizer.post_update_params()
        return optimizer.current_learning_rate
    rs = np.random.RandomState(int(seed))  # nnfs.init()
    X, y = spiral_data(rs, samples, classes)
    dense1 = Layer_Dense(rs, 2, hidden)
    activation1 = Activation_ReLU()
    dense2 = Layer_Dense(rs, hidden, classes)
    loss_activation = Activation_Softmax_Loss_CategoricalCrossentropy()
    for step in range(steps + 1):
        dense1.forward(X)
        activation1.forward(dense1.output)
        dense2.forward(activation1.output)
        loss = loss_activation.forward(dense2.output, y)
        predictions = np.argmax(loss_activation.output, axis=1)  # the first maximum wins
        accuracy = np.mean(predictions == y)
        loss_activation.backward(loss_activation.output, y)
        dense2.backward(loss_activation.dinputs)
        activation1.backward(dense2.dinputs)
        dense1.backward(activation1.dinputs)
        if step < steps:
            optimizer.pre_update_params()
            optimizer.update_params(dense1)
            optimizer.update_params(dense2)
            optimizer.post_update_params()
    return {
        "dense1_output": dense1.output[:5],
        "softmax_output": loss_activation.output[:5],
        "loss": loss,
        "accuracy": accuracy,
        "dweights1": dense1.dweights,
        "dbiases1": dense1.dbiases,
        "dweights2": dense2.dweights,
        "dbiases2": dense2.dbiases,
        "weights1": dense1.weights,
        "biases1": dense1.biases,
        "weights2": dense2.weights,
        "biases2": dense2.biases,
    }[printed]
