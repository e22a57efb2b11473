package nnfs;

import org.nnfsconform.kit.Types.Accuracy;
import org.nnfsconform.kit.Types.DenseRelu;
import org.nnfsconform.kit.Types.DenseReluDenseSoftmax;
import org.nnfsconform.kit.Types.Forward;
import org.nnfsconform.kit.Types.Labels;
import org.nnfsconform.kit.Types.Loss;

/**
 * The stages of Neural Networks from Scratch, chapters 1 to 5, in plain Java.
 *
 * <p>One method per stage, named as in the suite. They take arrays of doubles and return the
 * stage's outputs. Plain loops, Math.exp and Math.log, as in the book's first chapters; like
 * the book they check no inputs: the kit has (see {@link Port}).
 */
public final class Nnfs {
    private Nnfs() {}

    // -----------------------------------------------------------------------------------------
    // The stages

    /** inputs (K), weights (K), bias -> output (scalar). */
    public static double neuron(double[] inputs, double[] weights, double bias) {
        double output = 0.0;
        for (int k = 0; k < inputs.length; k++) {
            output += inputs[k] * weights[k];
        }
        return output + bias;
    }

    /** inputs (K), weights (N, K): one row per neuron, biases (N) -> output (N). */
    public static double[] layer(double[] inputs, double[][] weights, double[] biases) {
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
     * inputs (B, K); weights (K, N) as Layer_Dense keeps them; biases (N)
     * -> output (B, N) = inputs @ weights + biases. (The kit transposes chapter 2's per-neuron
     * rows, "neurons_inputs", before they get here.)
     */
    public static double[][] denseBatch(double[][] inputs, double[][] weights, double[] biases) {
        int k = inputs[0].length;
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

    /** Chapter 4's first chain, before any loss: the layer's output and ReLU of it. */
    public static DenseRelu denseRelu(double[][] inputs, double[][] weights, double[] biases) {
        double[][] dense = denseBatch(inputs, weights, biases);
        return new DenseRelu(dense, relu(dense));
    }

    /**
     * inputs (B, C) logits -> output (B, C), each row sums to 1.
     * NOTE: subtracts the row maximum first, so exp never overflows; the running maximum
     * starts at the row's first element, not at 0 (a row of negative logits).
     */
    public static double[][] softmax(double[][] inputs) {
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

    /** Chapter 4's whole network, before chapter 5 adds the loss. */
    public static DenseReluDenseSoftmax denseReluDenseSoftmax(double[][] inputs,
                                                              double[][] weights1,
                                                              double[] biases1,
                                                              double[][] weights2,
                                                              double[] biases2) {
        DenseRelu first = denseRelu(inputs, weights1, biases1);
        double[][] dense2 = denseBatch(first.relu(), weights2, biases2);
        return new DenseReluDenseSoftmax(first.dense(), first.relu(), dense2, softmax(dense2));
    }

    public static final double CLIP_LOW = 1e-7;
    public static final double CLIP_HIGH = 1 - 1e-7;

    /**
     * y_pred (B, C) probabilities; y_true class indices or one-hot rows
     * -> sample_losses (B), loss (the mean, not the sum).
     * NOTE: y_pred is clipped to [1e-7, 1 - 1e-7] so log(0) never happens; natural log.
     */
    public static Loss categoricalCrossentropy(double[][] yPred, Labels yTrue) {
        double[] sampleLosses = new double[yPred.length];
        for (int b = 0; b < yPred.length; b++) {
            double correctConfidence;
            if (yTrue instanceof Labels.OneHot oneHot) {
                correctConfidence = 0.0;
                for (int c = 0; c < yPred[b].length; c++) {
                    correctConfidence += clip(yPred[b][c]) * oneHot.rows()[b][c];
                }
            } else {
                int label = yTrue.classes()[b];
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
        int[] labels = yTrue.classes(); // one-hot rows: np.argmax(y_true, axis=1)
        int[] predictions = new int[yPred.length];
        int matches = 0;
        for (int b = 0; b < yPred.length; b++) {
            predictions[b] = argmax(yPred[b]);
            if (predictions[b] == labels[b]) {
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
        double[][] dense1 = denseBatch(inputs, weights1, biases1);
        double[][] relu1 = relu(dense1);
        double[][] dense2 = denseBatch(relu1, weights2, biases2);
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
}
