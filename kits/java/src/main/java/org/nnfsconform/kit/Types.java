package org.nnfsconform.kit;

/**
 * The values the stages' signatures use besides double, double[] and double[][]: labels, the
 * outputs of stages that have several, and a layer's parameters. Import them all with
 * {@code import org.nnfsconform.kit.Types.*;}.
 */
public final class Types {
    private Types() {}

    /**
     * The true labels of a batch, in either form the book's losses accept. The kit has checked
     * them: B of them, each class in [0, C), each one-hot row exactly one 1 among 0s.
     */
    public sealed interface Labels {
        /** The class of each sample: the labels themselves, or where each one-hot row has its 1. */
        int[] classes();

        /** One row of C values per sample, a single 1 at its class (np.eye(C)[y_true]). */
        double[][] oneHot(int classes);

        /** Class indices, one per sample ("sparse"). */
        record Sparse(int[] classes) implements Labels {
            @Override
            public double[][] oneHot(int count) {
                double[][] rows = new double[classes.length][count];
                for (int b = 0; b < classes.length; b++) {
                    rows[b][classes[b]] = 1.0;
                }
                return rows;
            }
        }

        /** One row per sample, 1 at its class and 0 elsewhere ("onehot"). */
        record OneHot(double[][] rows) implements Labels {
            @Override
            public int[] classes() {
                int[] classes = new int[rows.length];
                for (int b = 0; b < rows.length; b++) {
                    while (rows[b][classes[b]] != 1) {
                        classes[b]++;
                    }
                }
                return classes;
            }

            @Override
            public double[][] oneHot(int count) {
                return rows;
            }
        }
    }

    /** A loss's per-sample values (B) and their mean. */
    public record Loss(double[] sampleLosses, double loss) {}

    /** The predicted class of each sample (B) and the fraction that match the labels. */
    public record Accuracy(int[] predictions, double accuracy) {}

    /** Chapter 4's first chain: Layer_Dense's output (B, N) and ReLU of it (B, N). */
    public record DenseRelu(double[][] dense, double[][] relu) {}

    /** Chapter 4's network before the loss: dense1, relu1 (B, H), dense2, softmax (B, C). */
    public record DenseReluDenseSoftmax(double[][] dense1, double[][] relu1, double[][] dense2,
                                        double[][] softmax) {}

    /** Every value of the chapter 5 network's forward pass. */
    public record Forward(double[][] dense1, double[][] relu1, double[][] dense2,
                          double[][] softmax, Loss loss, Accuracy accuracy) {}

    /** Layer_Dense.backward: dweights (K, N), dbiases (N), dinputs (B, K). */
    public record DenseGradients(double[][] dweights, double[] dbiases, double[][] dinputs) {}

    /**
     * One Layer_Dense and ReLU called on two batches, then backward: output1 (B, N) of the
     * first call, output2 (D, N) of the second, and the gradients of the second.
     */
    public record RepeatedForward(double[][] output1, double[][] output2, double[][] dweights,
                                  double[] dbiases, double[][] dinputs) {}

    /** The regularization's own loss and gradients. */
    public record Regularization(double loss, double[][] dweights, double[] dbiases) {}

    /** A forward output and its backward gradient (dropout, sigmoid), both (B, N). */
    public record Activation(double[][] output, double[][] dinputs) {}

    /** A loss with its gradient: sample_losses (B), loss, dinputs (B, O). */
    public record LossGradient(double[] sampleLosses, double loss, double[][] dinputs) {}

    /** Each output's class, 0 or 1 (B, O), and the fraction of outputs that match. */
    public record BinaryAccuracy(int[][] predictions, double accuracy) {}

    /** A dense layer's weights (K, N) and biases (N), or arrays shaped like them. */
    public record Params(double[][] weights, double[] biases) {}

    /**
     * One optimizer step on one layer: the parameters after it, the state the optimizer keeps
     * (null where it keeps none: SGD no cache, Adagrad and RMSprop no momentums), the learning
     * rate the step used and the iteration count after it.
     */
    public record Step(Params params, Params momentums, Params cache, double learningRate,
                       long iterations) {}

    /** The book's two dense layers: Dense(K, H) and Dense(H, C). */
    public record Layers(Params layer1, Params layer2) {}

    /** Every hyperparameter of the four optimizers, as the training stage sends them. */
    public record Hyperparameters(double learningRate, double decay, double momentum,
                                  double epsilon, double rho, double beta1, double beta2) {}

    /** The first layer's four regularization factors, each &gt;= 0. */
    public record Regularizers(double weightL1, double weightL2, double biasL1, double biasL2) {}

    /**
     * Model.train's record: per epoch (E) the loss it prints (data + regularization), the data
     * loss, the regularization loss, the accuracy, the learning rate, the validation loss and
     * accuracy; then both layers after the last epoch.
     */
    public record ModelTrajectory(double[] loss, double[] dataLoss, double[] regularizationLoss,
                                  double[] accuracy, double[] learningRate,
                                  double[] validationLoss, double[] validationAccuracy,
                                  Params layer1, Params layer2) {}

    /** The training stage's record, one entry per step (S = steps). */
    public record Trajectory(double[] loss, double[] accuracy, double[] learningRate,
                             double[][][] weights1, double[][] biases1,
                             double[][][] weights2, double[][] biases2) {}

    // -----------------------------------------------------------------------------------------
    // The Model (chapters 18-22)

    /** Chapter 19's data: x (B, H·W) scaled to [-1, 1], y (B), both in the order of keys. */
    public record Preprocessed(double[][] x, int[] y) {}

    /**
     * Model.train's batches: how many steps, each batch's size (S) and its first and last
     * rows (S, K).
     */
    public record Batches(int steps, int[] batchSizes, double[][] firstRows,
                          double[][] lastRows) {}

    /**
     * What the output activation's predictions() gives, one of three by params.activation:
     * Classes for "softmax", Binary for "sigmoid", Values for "linear". The kit checks which.
     */
    public sealed interface Predictions {
        /** softmax: the class of each sample (B), the first maximum on a tie. */
        record Classes(int[] classes) implements Predictions {}

        /** sigmoid: 0 or 1 per output (B, N), 1 where the output is above 0.5. */
        record Binary(int[][] values) implements Predictions {}

        /** linear: the outputs themselves (B, N). */
        record Values(double[][] values) implements Predictions {}
    }

    /** Model.evaluate's loss and accuracy over every batch. */
    public record Evaluation(double loss, double accuracy) {}

    /** The two layers' parameters as loaded from the saved file, and the loaded model's
     *  softmax output (B, C). */
    public record Loaded(Params layer1, Params layer2, double[][] output) {}

    // -----------------------------------------------------------------------------------------
    // The book tier (docs/BOOK.md): integers in, the book's exact values out.

    /**
     * One call on NumPy's random stream: count draws of one kind, 0 a 32-bit MT19937 output,
     * 1 a double (np.random.random_sample), 2 a Gaussian (np.random.randn).
     */
    public record RngCall(int kind, int count) {}

    /** The shape of one Layer_Dense(nInputs, nNeurons): its weights are nInputs x nNeurons. */
    public record LayerShape(int nInputs, int nNeurons) {}

    /**
     * One of the nnfs package's datasets: x has R rows of 2 values (sine: of 1); y has each
     * row's class (sine: its value, which the kit sends as a row of one, as sine_data does).
     */
    public record Dataset(double[][] x, double[] y) {}

    /**
     * What the book's chapter 3-10 script prints: one number (loss, accuracy, learning_rate)
     * or rows (the rest: the first 5 rows of an output, a layer's weights, its biases as one
     * row). The kit knows which from params.printed and checks the shape.
     */
    public sealed interface Printed {
        /** loss, accuracy or learning_rate. */
        record Scalar(double value) implements Printed {}

        /** dense1_output, softmax_output, weights, biases and their gradients. */
        record Rows(double[][] rows) implements Printed {}
    }
}
