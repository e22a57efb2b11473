package nnfs;

import nnfs.Book.Data;
import nnfs.Book.RandomState;
import org.nnfsconform.kit.Types.Printed;

/**
 * The book tier, part two (docs/BOOK.md): the script of chapters 3 to 10 after
 * {@code nnfs.init()}, whose printed values the suite compares digit for digit.
 *
 * <p>Everything the book keeps in a NumPy array is a {@code float} here, and every elementwise
 * operation is Java's float operation, which is float32's. The exceptions are the book's:
 * {@code np.dot} (the nnfs package computes it in float64: a double accumulator, rounded once),
 * exp and log (double, rounded once: the correctly rounded expf and logf), {@code np.mean}
 * (NumPy's pairwise float32 sum) and the learning rate's decay (Python floats: double).
 */
public final class Chapters {
    private Chapters() {}

    /** np.dot(a, b) after nnfs.init(): (B, K) x (K, N), products summed in double. */
    static float[][] dot(float[][] a, float[][] b) {
        float[][] out = new float[a.length][b[0].length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < b[0].length; j++) {
                double total = 0.0; // a float product is exact in a double
                for (int k = 0; k < b.length; k++) {
                    total += (double) a[i][k] * b[k][j];
                }
                out[i][j] = (float) total;
            }
        }
        return out;
    }

    static float[][] transpose(float[][] m) {
        float[][] t = new float[m[0].length][m.length];
        for (int i = 0; i < m.length; i++) {
            for (int j = 0; j < m[0].length; j++) {
                t[j][i] = m[i][j];
            }
        }
        return t;
    }

    /**
     * np.sum or np.mean of a float32 vector: NumPy's pairwise summation, in float32. Under 8
     * values one after another; up to 128, eight interleaved sums added in a fixed tree;
     * above, the two halves (the first a multiple of 8) summed alike and added.
     */
    static float pairwiseSum(float[] values, int from, int n) {
        if (n < 8) {
            float total = 0f;
            for (int i = from; i < from + n; i++) {
                total += values[i];
            }
            return total;
        }
        if (n <= 128) {
            float[] r = new float[8];
            System.arraycopy(values, from, r, 0, 8);
            int i = 8;
            for (; i < n - n % 8; i += 8) {
                for (int j = 0; j < 8; j++) {
                    r[j] += values[from + i + j];
                }
            }
            float total = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++) {
                total += values[from + i];
            }
            return total;
        }
        int half = n / 2;
        half -= half % 8;
        return pairwiseSum(values, from, half) + pairwiseSum(values, from + half, n - half);
    }

    /** Layer_Dense in float32; the optimizers' state lives on it, as in the book. */
    static final class LayerDense {
        float[][] weights;
        float[] biases;
        float[][] inputs;
        float[][] output;
        float[][] dweights;
        float[] dbiases;
        float[][] dinputs;
        float[][] weightMomentums;
        float[] biasMomentums;
        float[][] weightCache;
        float[] biasCache;

        LayerDense(RandomState state, int nInputs, int nNeurons) {
            weights = Book.layerWeights(state, nInputs, nNeurons, 0.01);
            biases = new float[nNeurons];
        }

        void forward(float[][] inputs) {
            this.inputs = inputs;
            output = dot(inputs, weights);
            for (float[] row : output) {
                for (int n = 0; n < biases.length; n++) {
                    row[n] += biases[n];
                }
            }
        }

        void backward(float[][] dvalues) {
            dweights = dot(transpose(inputs), dvalues);
            dbiases = new float[biases.length];
            for (float[] row : dvalues) { // np.sum(axis=0): row after row, in float32
                for (int n = 0; n < dbiases.length; n++) {
                    dbiases[n] += row[n];
                }
            }
            dinputs = dot(dvalues, transpose(weights));
        }
    }

    static float[][] reluForward(float[][] inputs) {
        float[][] output = new float[inputs.length][];
        for (int b = 0; b < inputs.length; b++) {
            output[b] = new float[inputs[b].length];
            for (int i = 0; i < inputs[b].length; i++) {
                output[b][i] = inputs[b][i] > 0 ? inputs[b][i] : 0f;
            }
        }
        return output;
    }

    static float[][] softmaxForward(float[][] inputs) {
        float[][] output = new float[inputs.length][];
        for (int b = 0; b < inputs.length; b++) {
            float largest = inputs[b][0];
            for (float x : inputs[b]) {
                largest = Math.max(largest, x);
            }
            float[] exps = new float[inputs[b].length];
            float total = 0f;
            for (int i = 0; i < exps.length; i++) {
                // NOTE: expf correctly rounded: exp in double, rounded once
                exps[i] = (float) Math.exp(inputs[b][i] - largest);
                total += exps[i];
            }
            output[b] = new float[exps.length];
            for (int i = 0; i < exps.length; i++) {
                output[b][i] = exps[i] / total;
            }
        }
        return output;
    }

    /** np.argmax: strictly greater, so the first maximum wins a tie. */
    static int argmax(float[] row) {
        int best = 0;
        for (int i = 1; i < row.length; i++) {
            if (row[i] > row[best]) {
                best = i;
            }
        }
        return best;
    }

    /** The clip bounds are Python floats rounded to float32, as np.clip casts them. */
    static final float CLIP_LOW = (float) 1e-7;
    static final float CLIP_HIGH = (float) (1 - 1e-7);

    /** Loss_CategoricalCrossentropy.calculate: the mean of -log(clipped p_true). */
    static float loss(float[][] probs, int[] y) {
        float[] losses = new float[probs.length];
        for (int b = 0; b < probs.length; b++) {
            float p = Math.min(Math.max(probs[b][y[b]], CLIP_LOW), CLIP_HIGH);
            losses[b] = -(float) Math.log(p); // logf correctly rounded
        }
        return pairwiseSum(losses, 0, losses.length) / losses.length;
    }

    /** Activation_Softmax_Loss_CategoricalCrossentropy.backward: (p - y) / samples. */
    static float[][] combinedBackward(float[][] probs, int[] y) {
        float[][] dinputs = new float[probs.length][];
        for (int b = 0; b < probs.length; b++) {
            dinputs[b] = probs[b].clone();
            dinputs[b][y[b]] -= 1f;
            for (int c = 0; c < dinputs[b].length; c++) {
                dinputs[b][c] /= probs.length;
            }
        }
        return dinputs;
    }

    /** The four optimizers of chapter 10, with the book's defaults. */
    static final class Optimizer {
        final String kind;
        final double learningRate;
        final double decay;
        final double momentum;
        double currentLearningRate;
        long iterations;
        final double epsilon = 1e-7;
        final double rho = 0.9;
        final double beta1 = 0.9;
        final double beta2 = 0.999;

        Optimizer(String kind, double learningRate, double decay, double momentum) {
            this.kind = kind;
            this.learningRate = learningRate;
            this.decay = decay;
            this.momentum = momentum;
            this.currentLearningRate = learningRate;
        }

        void preUpdateParams() {
            if (decay != 0) { // double arithmetic, like the book's Python floats
                currentLearningRate = learningRate * (1.0 / (1.0 + decay * iterations));
            }
        }

        void updateParams(LayerDense layer) {
            if (layer.weightMomentums == null) {
                layer.weightMomentums = new float[layer.weights.length][layer.biases.length];
                layer.weightCache = new float[layer.weights.length][layer.biases.length];
                layer.biasMomentums = new float[layer.biases.length];
                layer.biasCache = new float[layer.biases.length];
            }
            for (int i = 0; i < layer.weights.length; i++) {
                update(layer.weights[i], layer.dweights[i], layer.weightMomentums[i],
                        layer.weightCache[i]);
            }
            update(layer.biases, layer.dbiases, layer.biasMomentums, layer.biasCache);
        }

        /**
         * One row of parameters, updated in place in float32. Every Python scalar is rounded
         * to float32 first: (float) lr, (float) (1 - beta1), ...; 1 - beta ** t is double.
         */
        void update(float[] params, float[] grads, float[] m, float[] c) {
            float lr = (float) currentLearningRate;
            float eps = (float) epsilon;
            long t = iterations + 1;
            for (int j = 0; j < params.length; j++) {
                float g = grads[j];
                float update;
                switch (kind) {
                    case "sgd" -> {
                        if (momentum != 0) {
                            update = (float) momentum * m[j] - lr * g;
                            m[j] = update;
                        } else {
                            update = -lr * g;
                        }
                    }
                    case "adagrad" -> {
                        c[j] += g * g;
                        update = -lr * g / ((float) Math.sqrt(c[j]) + eps);
                    }
                    case "rmsprop" -> {
                        c[j] = (float) rho * c[j] + (float) (1 - rho) * (g * g);
                        update = -lr * g / ((float) Math.sqrt(c[j]) + eps);
                    }
                    default -> { // adam
                        m[j] = (float) beta1 * m[j] + (float) (1 - beta1) * g;
                        float mHat = m[j] / (float) (1 - Math.pow(beta1, t));
                        c[j] = (float) beta2 * c[j] + (float) (1 - beta2) * (g * g);
                        float cHat = c[j] / (float) (1 - Math.pow(beta2, t));
                        update = -lr * mHat / ((float) Math.sqrt(cHat) + eps);
                    }
                }
                params[j] += update;
            }
        }

        void postUpdateParams() {
            iterations++;
        }
    }

    /**
     * Stage chapters: the book's script. nnfs.init(); spiral_data; Dense(2, hidden), ReLU,
     * Dense(hidden, classes), softmax + cross-entropy; steps optimizer steps; then one forward
     * and backward pass -> what printed names (the first five rows of an output).
     */
    public static Printed chapters(long seed, int samples, int classes, int hidden, int steps,
                                   String printed, String optimizerName, double learningRate,
                                   double decay, double momentum) {
        Optimizer optimizer = new Optimizer(optimizerName, learningRate, decay, momentum);
        if (printed.equals("learning_rate")) { // the epoch line's lr: no data needed
            for (int step = 0; step < steps; step++) {
                optimizer.preUpdateParams();
                optimizer.postUpdateParams();
            }
            return new Printed.Scalar(optimizer.currentLearningRate);
        }
        RandomState state = new RandomState(seed);
        Data data = Book.spiralData(state, samples, classes);
        int[] y = data.y();
        LayerDense dense1 = new LayerDense(state, 2, hidden);
        LayerDense dense2 = new LayerDense(state, hidden, classes);
        float[][] probs = null;
        for (int step = 0; step <= steps; step++) {
            dense1.forward(data.x());
            float[][] relu = reluForward(dense1.output);
            dense2.forward(relu);
            probs = softmaxForward(dense2.output);
            dense2.backward(combinedBackward(probs, y));
            float[][] drelu = new float[relu.length][];
            for (int b = 0; b < relu.length; b++) { // masked on ReLU's input
                drelu[b] = dense2.dinputs[b].clone();
                for (int h = 0; h < hidden; h++) {
                    if (!(dense1.output[b][h] > 0)) {
                        drelu[b][h] = 0f;
                    }
                }
            }
            dense1.backward(drelu);
            if (step < steps) {
                optimizer.preUpdateParams();
                optimizer.updateParams(dense1);
                optimizer.updateParams(dense2);
                optimizer.postUpdateParams();
            }
        }
        return switch (printed) {
            case "loss" -> new Printed.Scalar(loss(probs, y));
            case "accuracy" -> {
                int hits = 0;
                for (int b = 0; b < probs.length; b++) {
                    hits += argmax(probs[b]) == y[b] ? 1 : 0;
                }
                yield new Printed.Scalar((double) hits / y.length);
            }
            case "dense1_output" -> rows(firstFive(dense1.output));
            case "softmax_output" -> rows(firstFive(probs));
            case "dweights1" -> rows(dense1.dweights);
            case "dbiases1" -> rows(new float[][] {dense1.dbiases});
            case "dweights2" -> rows(dense2.dweights);
            case "dbiases2" -> rows(new float[][] {dense2.dbiases});
            case "weights1" -> rows(dense1.weights);
            case "biases1" -> rows(new float[][] {dense1.biases});
            case "weights2" -> rows(dense2.weights);
            case "biases2" -> rows(new float[][] {dense2.biases});
            default -> throw new IllegalArgumentException("printed " + printed);
        };
    }

    static float[][] firstFive(float[][] rows) {
        float[][] first = new float[Math.min(5, rows.length)][];
        System.arraycopy(rows, 0, first, 0, first.length);
        return first;
    }

    /** float32 rows as the kit's doubles (exact). */
    static Printed rows(float[][] rows) {
        double[][] out = new double[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = new double[rows[i].length];
            for (int j = 0; j < rows[i].length; j++) {
                out[i][j] = rows[i][j];
            }
        }
        return new Printed.Rows(out);
    }
}
