package nnfs;

/**
 * The stages of Neural Networks from Scratch, chapters 1 to 5, in plain Java.
 *
 * <p>One method per stage, named as in the suite. They take arrays of doubles and return the
 * stage's outputs; inputs that do not fit the stage throw {@link StageError}. Plain loops,
 * Math.exp and Math.log, as in the book's first chapters. Reading JSON into rectangular arrays
 * (and the rank and ragged-row checks that needs) is the protocol's job: see {@link Port}.
 */
public final class Nnfs {
    private Nnfs() {}

    /** The true labels of a batch: class indices ("sparse") or one-hot rows ("onehot"). */
    public sealed interface Labels {
        record Sparse(double[] classes) implements Labels {}

        record OneHot(double[][] rows) implements Labels {}
    }

    public record Loss(double[] sampleLosses, double loss) {}

    public record Accuracy(int[] predictions, double accuracy) {}

    public record Forward(double[][] dense1, double[][] relu1, double[][] dense2,
                          double[][] softmax, Loss loss, Accuracy accuracy) {}

    // -----------------------------------------------------------------------------------------
    // The stages

    /** inputs (K), weights (K), bias -> output (scalar). */
    public static double neuron(double[] inputs, double[] weights, double bias) {
        if (inputs.length != weights.length) {
            throw new StageError("shape_mismatch",
                    "inputs has " + inputs.length + " values, weights has " + weights.length);
        }
        double output = 0.0;
        for (int k = 0; k < inputs.length; k++) {
            output += inputs[k] * weights[k];
        }
        return output + bias;
    }

    /** inputs (K), weights (N, K): one row per neuron, biases (N) -> output (N). */
    public static double[] layer(double[] inputs, double[][] weights, double[] biases) {
        checkDense(inputs.length, "inputs", weights, "weights", biases, "biases", true);
        double[] output = new double[weights.length];
        for (int n = 0; n < weights.length; n++) {
            double total = 0.0;
            for (int k = 0; k < inputs.length; k++) {
                total += inputs[k] * weights[n][k];
            }
            output[n] = total + biases[n];
        }
        return output;
    }

    /**
     * inputs (B, K); weights (K, N) as Layer_Dense keeps them ("inputs_neurons"), or (N, K),
     * one row per neuron as in chapter 2 ("neurons_inputs"); biases (N)
     * -> output (B, N) = inputs @ weights + biases (weights transposed for "neurons_inputs").
     */
    public static double[][] denseBatch(double[][] inputs, double[][] weights, double[] biases,
                                        String weightsLayout) {
        checkBatch("inputs", inputs);
        int k = inputs[0].length;
        if (weightsLayout.equals("neurons_inputs")) {
            checkDense(k, "inputs", weights, "weights", biases, "biases", true);
            weights = transpose(weights, k);
        } else if (weightsLayout.equals("inputs_neurons")) {
            checkDense(k, "inputs", weights, "weights", biases, "biases", false);
        } else {
            throw new IllegalArgumentException("unknown weights_layout " + weightsLayout);
        }
        double[][] output = new double[inputs.length][biases.length];
        for (int b = 0; b < inputs.length; b++) {
            for (int n = 0; n < biases.length; n++) {
                double total = 0.0;
                for (int i = 0; i < k; i++) {
                    total += inputs[b][i] * weights[i][n];
                }
                output[b][n] = total + biases[n];
            }
        }
        return output;
    }

    /** max(0, x) per element. NOTE: {@code x < 0 ? 0.0 : x} lets NaN through, as np.maximum. */
    public static double[] relu(double[] inputs) {
        double[] output = new double[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            output[i] = inputs[i] < 0 ? 0.0 : inputs[i];
        }
        return output;
    }

    /** ReLU of a batch (B, K) -> (B, K). */
    public static double[][] relu(double[][] inputs) {
        double[][] output = new double[inputs.length][];
        for (int b = 0; b < inputs.length; b++) {
            output[b] = relu(inputs[b]);
        }
        return output;
    }

    /**
     * inputs (B, C) logits -> output (B, C), each row sums to 1.
     * NOTE: subtracts the row maximum first, so exp never overflows; the running maximum
     * starts at the row's first element, not at 0 (a row of negative logits).
     */
    public static double[][] softmax(double[][] inputs) {
        checkBatch("inputs", inputs);
        double[][] output = new double[inputs.length][];
        for (int b = 0; b < inputs.length; b++) {
            double[] row = inputs[b];
            double largest = row.length > 0 ? row[0] : 0.0;
            for (double x : row) {
                if (x > largest) {
                    largest = x;
                }
            }
            double[] expValues = new double[row.length];
            double total = 0.0;
            for (int c = 0; c < row.length; c++) {
                expValues[c] = Math.exp(row[c] - largest);
                total += expValues[c];
            }
            output[b] = new double[row.length];
            for (int c = 0; c < row.length; c++) {
                output[b][c] = expValues[c] / total;
            }
        }
        return output;
    }

    public static final double CLIP_LOW = 1e-7;
    public static final double CLIP_HIGH = 1 - 1e-7;

    /**
     * y_pred (B, C) probabilities; y_true class indices or one-hot rows
     * -> sample_losses (B), loss (the mean, not the sum).
     * NOTE: y_pred is clipped to [1e-7, 1 - 1e-7] so log(0) never happens; natural log.
     */
    public static Loss categoricalCrossentropy(double[][] yPred, Labels yTrue) {
        checkBatch("y_pred", yPred);
        checkLabels(yTrue, yPred.length, yPred[0].length);
        double[] sampleLosses = new double[yPred.length];
        for (int b = 0; b < yPred.length; b++) {
            double correctConfidence;
            if (yTrue instanceof Labels.OneHot oneHot) {
                correctConfidence = 0.0;
                for (int c = 0; c < yPred[b].length; c++) {
                    correctConfidence += clip(yPred[b][c]) * oneHot.rows()[b][c];
                }
            } else {
                int label = (int) ((Labels.Sparse) yTrue).classes()[b];
                correctConfidence = clip(yPred[b][label]);
            }
            sampleLosses[b] = -Math.log(correctConfidence);
        }
        return new Loss(sampleLosses, mean(sampleLosses));
    }

    /**
     * y_pred (B, C); y_true class indices or one-hot rows
     * -> predictions (B), accuracy: the fraction of predictions that match.
     */
    public static Accuracy accuracy(double[][] yPred, Labels yTrue) {
        checkBatch("y_pred", yPred);
        checkLabels(yTrue, yPred.length, yPred[0].length);
        int[] predictions = new int[yPred.length];
        int matches = 0;
        for (int b = 0; b < yPred.length; b++) {
            predictions[b] = argmax(yPred[b]);
            int label = yTrue instanceof Labels.OneHot oneHot
                    ? argmax(oneHot.rows()[b])
                    : (int) ((Labels.Sparse) yTrue).classes()[b];
            if (predictions[b] == label) {
                matches++;
            }
        }
        return new Accuracy(predictions, (double) matches / yPred.length);
    }

    /**
     * The chapter 5 network: dense -> ReLU -> dense -> softmax -> loss and accuracy.
     * inputs (B, K), weights1 (K, H), biases1 (H), weights2 (H, C), biases2 (C), y_true.
     */
    public static Forward forward(double[][] inputs, double[][] weights1, double[] biases1,
                                  double[][] weights2, double[] biases2, Labels yTrue) {
        checkBatch("inputs", inputs);
        checkDense(inputs[0].length, "inputs", weights1, "weights1", biases1, "biases1", false);
        checkDense(biases1.length, "relu1", weights2, "weights2", biases2, "biases2", false);
        checkLabels(yTrue, inputs.length, biases2.length);

        double[][] dense1 = denseBatch(inputs, weights1, biases1, "inputs_neurons");
        double[][] relu1 = relu(dense1);
        double[][] dense2 = denseBatch(relu1, weights2, biases2, "inputs_neurons");
        double[][] probabilities = softmax(dense2);
        return new Forward(dense1, relu1, dense2, probabilities,
                categoricalCrossentropy(probabilities, yTrue), accuracy(probabilities, yTrue));
    }

    // -----------------------------------------------------------------------------------------
    // Small helpers

    /** NOTE: a NaN fails both comparisons and stays NaN, as in np.clip. */
    static double clip(double p) {
        if (p < CLIP_LOW) {
            return CLIP_LOW;
        }
        if (p > CLIP_HIGH) {
            return CLIP_HIGH;
        }
        return p;
    }

    static double mean(double[] values) {
        double total = 0.0;
        for (double v : values) {
            total += v;
        }
        return total / values.length;
    }

    /** NOTE: the FIRST maximum wins on ties ({@code >}, not {@code >=}), and a NaN counts as
     *  the maximum, as np.argmax. */
    static int argmax(double[] row) {
        int best = 0;
        for (int c = 0; c < row.length; c++) {
            if (Double.isNaN(row[c])) {
                return c;
            }
            if (row[c] > row[best]) {
                best = c;
            }
        }
        return best;
    }

    static double[][] transpose(double[][] rows, int columns) {
        double[][] result = new double[columns][rows.length];
        for (int r = 0; r < rows.length; r++) {
            for (int c = 0; c < columns; c++) {
                result[c][r] = rows[r][c];
            }
        }
        return result;
    }

    // -----------------------------------------------------------------------------------------
    // Checks that the inputs fit the stage: each throws StageError naming the input.

    /** A batch has at least one sample (row). */
    static void checkBatch(String name, double[][] batch) {
        if (batch.length == 0) {
            throw new StageError("empty_batch", name + " has no samples");
        }
    }

    /** Inputs with k columns fit weights (k, N), or (N, k) when perNeuron; biases hold N. */
    static void checkDense(int k, String inputsName, double[][] weights, String weightsName,
                           double[] biases, String biasesName, boolean perNeuron) {
        int neurons;
        if (perNeuron) {
            neurons = weights.length;
            for (double[] row : weights) {
                if (row.length != k) {
                    throw new StageError("shape_mismatch", weightsName + " rows (neurons) have "
                            + row.length + " weights, " + inputsName + " has " + k + " values");
                }
            }
        } else {
            neurons = weights.length > 0 ? weights[0].length : 0;
            if (weights.length != k) {
                throw new StageError("shape_mismatch", weightsName + " has " + weights.length
                        + " rows, " + inputsName + " has " + k + " columns");
            }
        }
        if (biases.length != neurons) {
            throw new StageError("shape_mismatch", biasesName + " has " + biases.length
                    + " values, " + weightsName + " has " + neurons + " neurons");
        }
    }

    /**
     * Labels for a batch of `samples` rows of `classes` values. Sparse: integers in
     * [0, classes); one-hot: rows of `classes` values, exactly one 1 among 0s.
     */
    static void checkLabels(Labels yTrue, int samples, int classes) {
        if (yTrue instanceof Labels.Sparse sparse) {
            double[] labels = sparse.classes();
            if (labels.length != samples) {
                throw new StageError("shape_mismatch",
                        "y_true has " + labels.length + " labels for " + samples + " samples");
            }
            for (int b = 0; b < samples; b++) {
                double y = labels[b];
                if (!Double.isFinite(y) || y != Math.rint(y)) {
                    throw new StageError("invalid_label",
                            "y_true[" + b + "] is " + y + ", not an integer");
                }
                if (y < 0 || y >= classes) {
                    throw new StageError("label_out_of_range",
                            "y_true[" + b + "] is " + y + ", not in [0, " + classes + ")");
                }
            }
            return;
        }
        double[][] rows = ((Labels.OneHot) yTrue).rows();
        if (rows.length != samples) {
            throw new StageError("shape_mismatch",
                    "y_true has " + rows.length + " rows for " + samples + " samples");
        }
        if (rows[0].length != classes) {
            throw new StageError("shape_mismatch",
                    "y_true rows have " + rows[0].length + " values for " + classes + " classes");
        }
        for (int b = 0; b < samples; b++) {
            int ones = 0;
            for (double y : rows[b]) {
                if (y != 0 && y != 1) {
                    throw new StageError("invalid_label",
                            "y_true[" + b + "] holds " + y + ", not 0 or 1");
                }
                if (y == 1) {
                    ones++;
                }
            }
            if (ones != 1) {
                throw new StageError("invalid_label",
                        "y_true[" + b + "] holds " + ones + " ones, not one");
            }
        }
    }
}
