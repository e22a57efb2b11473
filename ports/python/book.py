"""The book tier in plain Python: the book's random numbers, datasets and printed results.

Standard library only. docs/BOOK.md explains each rule; in short, `nnfs.init()` means
- NumPy's legacy random stream: MT19937 seeded by init_genrand, 53-bit doubles, and the polar
  Gaussian that caches its second value between calls;
- float32 everywhere: every operation is done in double and rounded to float32 (`f32`), which
  gives exactly the float32 result for + - * / and sqrt; Python scalars are rounded first;
- np.dot: products and sums in double, rounded once to float32;
- expf and logf correctly rounded: exp and log in double, rounded to float32.
"""

import math
import struct


def f32(x):
    """Round a double to the nearest float32 (struct rounds to nearest, ties to even)."""
    return struct.unpack("<f", struct.pack("<f", x))[0]


# ---------------------------------------------------------------------------------------------
# np.random.seed(seed): NumPy's legacy MT19937 stream


class RandomState:
    def __init__(self, seed):
        self.mt = [seed & 0xFFFFFFFF] + [0] * 623
        for i in range(1, 624):  # init_genrand, as C++ std::mt19937(seed) (not Python's random)
            prev = self.mt[i - 1]
            self.mt[i] = (1812433253 * (prev ^ (prev >> 30)) + i) & 0xFFFFFFFF
        self.index = 624
        self.has_gauss = False
        self.gauss = 0.0

    def u32(self):
        if self.index >= 624:  # twist: regenerate all 624 words
            mt = self.mt
            for i in range(624):
                y = (mt[i] & 0x80000000) | (mt[(i + 1) % 624] & 0x7FFFFFFF)
                mt[i] = mt[(i + 397) % 624] ^ (y >> 1) ^ (0x9908B0DF if y & 1 else 0)
            self.index = 0
        y = self.mt[self.index]
        self.index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C5680
        y ^= (y << 15) & 0xEFC60000
        y ^= y >> 18
        return y

    def double(self):
        a = self.u32() >> 5  # 27 bits
        b = self.u32() >> 6  # 26 bits
        return (a * 67108864.0 + b) / 9007199254740992.0

    def randn(self):
        # NOTE: the polar method makes two Gaussians; the second is cached and returned by the
        #       next call, whatever was drawn in between (doubles and u32 do not clear it).
        if self.has_gauss:
            self.has_gauss = False
            return self.gauss
        while True:
            x1 = 2.0 * self.double() - 1.0
            x2 = 2.0 * self.double() - 1.0
            r2 = x1 * x1 + x2 * x2
            if r2 < 1.0 and r2 != 0.0:
                break
        f = math.sqrt(-2.0 * math.log(r2) / r2)
        self.gauss = f * x1
        self.has_gauss = True
        return f * x2


def rng(seed, calls):
    # seed; calls: [[kind, count], ...], kind 0 = 32-bit output, 1 = double, 2 = randn
    # -> values: every draw, in call order
    state = RandomState(seed)
    draw = {0: state.u32, 1: state.double, 2: state.randn}
    values = []
    for kind, count in calls:
        values += [draw[kind]() for _ in range(count)]
    return values


# ---------------------------------------------------------------------------------------------
# nnfs.datasets


def linspace(start, stop, num):
    # np.linspace: i * step + start, and the last element exactly stop
    step = (stop - start) / (num - 1) if num > 1 else 0.0
    values = [i * step + start for i in range(num)]
    if num > 1:
        values[-1] = stop
    return values


def spiral_data(state, samples, classes):
    X, y = [], []
    for class_number in range(classes):
        r = linspace(0.0, 1.0, samples)
        # NOTE: randn is rounded to float32, then multiplied by float32(0.2) in float32
        noise = [f32(f32(state.randn()) * f32(0.2)) for _ in range(samples)]
        t = [
            a + b
            for a, b in zip(linspace(class_number * 4, (class_number + 1) * 4, samples), noise)
        ]
        for ri, ti in zip(r, t):
            # NOTE: t, sin, cos and the products are double; X stores them as float32
            X.append([f32(ri * math.sin(ti * 2.5)), f32(ri * math.cos(ti * 2.5))])
            y.append(class_number)
    return X, y


def vertical_data(state, samples, classes):
    X, y = [], []
    for class_number in range(classes):
        xs = [
            f32(f32(f32(state.randn()) * f32(0.1)) + f32(class_number / 3)) for _ in range(samples)
        ]
        ys = [f32(f32(f32(state.randn()) * f32(0.1)) + f32(0.5)) for _ in range(samples)]
        X += [[a, b] for a, b in zip(xs, ys)]
        y += [class_number] * samples
    return X, y


def sine_data(samples):
    # NOTE: float64, no random numbers (np.arange is not patched by nnfs.init)
    X = [[i / samples] for i in range(samples)]
    y = [[math.sin(2 * math.pi * x[0])] for x in X]
    return X, y


def datasets(seed, samples, classes, dataset):
    # seed, samples, classes; dataset: "spiral", "vertical" or "sine" -> x (X), y
    if dataset == "sine":
        return sine_data(samples)
    make = spiral_data if dataset == "spiral" else vertical_data
    return make(RandomState(seed), samples, classes)


# ---------------------------------------------------------------------------------------------
# Layer_Dense initial weights


def layer_weights(state, n_inputs, n_neurons, scale=0.01):
    # NOTE: 0.01 * randn(n_inputs, n_neurons): float32(0.01) times float32(randn), row-major
    return [
        [f32(f32(scale) * f32(state.randn())) for _ in range(n_neurons)] for _ in range(n_inputs)
    ]


def init(seed, skip, shapes, scale):
    # seed; skip: Gaussians drawn first (a dataset); shapes: [[n_inputs, n_neurons], ...]
    # -> weights: every layer's weights, row-major, concatenated in order
    state = RandomState(seed)
    for _ in range(skip):
        state.randn()
    weights = []
    for n_inputs, n_neurons in shapes:
        for row in layer_weights(state, n_inputs, n_neurons, scale):
            weights += row
    return weights


def shuffle(seed, samples):
    # seed, samples -> keys: chapter 19's np.random.shuffle(keys) of keys = range(samples)
    state = RandomState(seed)
    keys = list(range(samples))
    for i in range(samples - 1, 0, -1):
        # NOTE: NumPy draws a 32-bit output masked to i's bits until it is at most i
        mask = (1 << i.bit_length()) - 1
        j = state.u32() & mask
        while j > i:
            j = state.u32() & mask
        keys[i], keys[j] = keys[j], keys[i]
    return keys


# ---------------------------------------------------------------------------------------------
# The book's chapter 3-10 script


def dot(a, b):
    # np.dot after nnfs.init(): (B, K) x (K, N), sums in double, rounded once to float32
    columns = list(zip(*b))
    out = []
    for row in a:
        out_row = []
        for col in columns:
            total = 0.0
            for x, w in zip(row, col):
                total += x * w
            out_row.append(f32(total))
        out.append(out_row)
    return out


def transpose(m):
    return [list(col) for col in zip(*m)]


def pairwise_sum(values):
    # np.sum / np.mean of a float32 vector: NumPy's pairwise summation, in float32
    n = len(values)
    if n < 8:
        total = 0.0
        for v in values:
            total = f32(total + v)
        return total
    if n <= 128:
        r = list(values[:8])
        i = 8
        while i < n - n % 8:
            r = [f32(r[j] + values[i + j]) for j in range(8)]
            i += 8
        total = f32(
            f32(f32(r[0] + r[1]) + f32(r[2] + r[3])) + f32(f32(r[4] + r[5]) + f32(r[6] + r[7]))
        )
        for v in values[i:]:
            total = f32(total + v)
        return total
    half = n // 2
    half -= half % 8
    return f32(pairwise_sum(values[:half]) + pairwise_sum(values[half:]))


class Layer_Dense:
    def __init__(self, state, n_inputs, n_neurons):
        self.weights = layer_weights(state, n_inputs, n_neurons)
        self.biases = [0.0] * n_neurons

    def forward(self, inputs):
        self.inputs = inputs
        self.output = [
            [f32(v + b) for v, b in zip(row, self.biases)] for row in dot(inputs, self.weights)
        ]

    def backward(self, dvalues):
        self.dweights = dot(transpose(self.inputs), dvalues)
        self.dbiases = []
        for col in transpose(dvalues):  # np.sum(axis=0): row after row, in float32
            total = 0.0
            for v in col:
                total = f32(total + v)
            self.dbiases.append(total)
        self.dinputs = dot(dvalues, transpose(self.weights))


def relu_forward(inputs):
    return [[x if x > 0 else 0.0 for x in row] for row in inputs]


def softmax_forward(inputs):
    out = []
    for row in inputs:
        largest = max(row)
        # NOTE: expf correctly rounded: exp in double, rounded once
        exps = [f32(math.exp(f32(x - largest))) for x in row]
        total = 0.0
        for e in exps:
            total = f32(total + e)
        out.append([f32(e / total) for e in exps])
    return out


def argmax(row):
    best = 0
    for i, v in enumerate(row):
        if v > row[best]:  # strictly greater: the first maximum wins
            best = i
    return best


CLIP_LOW, CLIP_HIGH = f32(1e-7), f32(1 - 1e-7)


def loss_of(probs, y):
    losses = []
    for row, label in zip(probs, y):
        p = min(max(row[label], CLIP_LOW), CLIP_HIGH)
        losses.append(f32(-f32(math.log(p))))  # logf correctly rounded
    return f32(pairwise_sum(losses) / len(losses))


def combined_backward(probs, y):
    samples = len(probs)
    dinputs = []
    for row, label in zip(probs, y):
        row = list(row)
        row[label] = f32(row[label] - 1.0)
        dinputs.append([f32(v / samples) for v in row])
    return dinputs


class Optimizer:
    def __init__(self, kind, learning_rate, decay, momentum):
        self.kind, self.learning_rate = kind, learning_rate
        self.decay, self.momentum = decay, momentum
        self.current_learning_rate = learning_rate
        self.iterations = 0
        self.epsilon, self.rho, self.beta_1, self.beta_2 = 1e-7, 0.9, 0.9, 0.999
        self.state = {}

    def pre_update_params(self):
        if self.decay:  # double arithmetic, like the book's Python floats
            self.current_learning_rate = self.learning_rate * (
                1.0 / (1.0 + self.decay * self.iterations)
            )

    def post_update_params(self):
        self.iterations += 1

    def update(self, key, params, grads):
        # one parameter array (rows), updated in float32 with every scalar rounded to float32
        lr, eps = f32(self.current_learning_rate), f32(self.epsilon)
        st = self.state.setdefault(
            key, {"m": [[0.0] * len(r) for r in params], "c": [[0.0] * len(r) for r in params]}
        )
        m, c = st["m"], st["c"]
        t = self.iterations + 1
        out = []
        for i, (prow, grow) in enumerate(zip(params, grads)):
            new = []
            for j, (p, g) in enumerate(zip(prow, grow)):
                if self.kind == "sgd" and self.momentum:
                    update = f32(f32(f32(self.momentum) * m[i][j]) - f32(lr * g))
                    m[i][j] = update
                elif self.kind == "sgd":
                    update = f32(-lr * g)
                elif self.kind == "adagrad":
                    c[i][j] = f32(c[i][j] + f32(g * g))
                    update = f32(f32(-lr * g) / f32(f32(math.sqrt(c[i][j])) + eps))
                elif self.kind == "rmsprop":
                    c[i][j] = f32(
                        f32(f32(self.rho) * c[i][j]) + f32(f32(1 - self.rho) * f32(g * g))
                    )
                    update = f32(f32(-lr * g) / f32(f32(math.sqrt(c[i][j])) + eps))
                else:  # adam
                    m[i][j] = f32(f32(f32(self.beta_1) * m[i][j]) + f32(f32(1 - self.beta_1) * g))
                    m_hat = f32(m[i][j] / f32(1 - self.beta_1**t))
                    c[i][j] = f32(
                        f32(f32(self.beta_2) * c[i][j]) + f32(f32(1 - self.beta_2) * f32(g * g))
                    )
                    c_hat = f32(c[i][j] / f32(1 - self.beta_2**t))
                    update = f32(f32(-lr * m_hat) / f32(f32(math.sqrt(c_hat)) + eps))
                new.append(f32(p + update))
            out.append(new)
        return out

    def update_params(self, name, layer):
        layer.weights = self.update(name + ".w", layer.weights, layer.dweights)
        layer.biases = self.update(name + ".b", [layer.biases], [layer.dbiases])[0]


def chapters(
    seed, samples, classes, hidden, steps, printed, optimizer, learning_rate, decay, momentum
):
    # the book's script: nnfs.init(); spiral_data; Dense(2, hidden), ReLU, Dense(hidden, classes),
    # softmax + cross-entropy; `steps` optimizer steps; then one forward and backward pass
    # -> value: what `printed` names (the first five rows of a batch output)
    opt = Optimizer(optimizer, learning_rate, decay, momentum)
    if printed == "learning_rate":
        for _ in range(steps):
            opt.pre_update_params()
            opt.post_update_params()
        return opt.current_learning_rate
    state = RandomState(seed)
    X, y = spiral_data(state, samples, classes)
    dense1 = Layer_Dense(state, 2, hidden)
    dense2 = Layer_Dense(state, hidden, classes)
    for step in range(steps + 1):
        dense1.forward(X)
        relu = relu_forward(dense1.output)
        dense2.forward(relu)
        probs = softmax_forward(dense2.output)
        dense2.backward(combined_backward(probs, y))
        drelu = [
            [d if x > 0 else 0.0 for d, x in zip(drow, xrow)]
            for drow, xrow in zip(dense2.dinputs, dense1.output)
        ]
        dense1.backward(drelu)
        if step < steps:
            opt.pre_update_params()
            opt.update_params("dense1", dense1)
            opt.update_params("dense2", dense2)
            opt.post_update_params()
    if printed == "loss":
        return loss_of(probs, y)
    if printed == "accuracy":
        hits = sum(1 for row, label in zip(probs, y) if argmax(row) == label)
        return hits / len(y)
    return {
        "dense1_output": dense1.output[:5],
        "softmax_output": probs[:5],
        "dweights1": dense1.dweights,
        "dbiases1": [dense1.dbiases],
        "dweights2": dense2.dweights,
        "dbiases2": [dense2.dbiases],
        "weights1": dense1.weights,
        "biases1": [dense1.biases],
        "weights2": dense2.weights,
        "biases2": [dense2.biases],
    }[printed]
