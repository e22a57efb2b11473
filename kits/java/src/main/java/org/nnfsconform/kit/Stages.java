package org.nnfsconform.kit;

import org.nnfsconform.kit.Types.Activation;
import org.nnfsconform.kit.Types.Dataset;
import org.nnfsconform.kit.Types.DenseGradients;
import org.nnfsconform.kit.Types.Hyperparameters;
import org.nnfsconform.kit.Types.Labels;
import org.nnfsconform.kit.Types.LayerShape;
import org.nnfsconform.kit.Types.Loss;
import org.nnfsconform.kit.Types.LossGradient;
import org.nnfsconform.kit.Types.Params;
import org.nnfsconform.kit.Types.Printed;
import org.nnfsconform.kit.Types.RngCall;
import org.nnfsconform.kit.Types.Step;
import org.nnfsconform.kit.Types.Trajectory;

/**
 * One signature per stage (docs/STAGES.md), given to {@link Kit}'s method of the same name,
 * usually as a method reference: {@code .denseBatch(Network::denseBatch)}. Every argument has
 * been checked by the kit: batches are not empty, rows are not ragged, the dimensions agree,
 * labels are in range and domains hold, so the learner's code can read like the book's.
 * Shapes: B samples, K inputs, N neurons, C classes, H hidden units, O outputs.
 *
 * <p>The book tier (docs/BOOK.md: {@link Rng}, {@link Datasets}, {@link Init},
 * {@link Shuffle}, {@link Chapters}) takes integers, each checked to be one (seeds below 2^32), and returns
 * the book's own values; the kit checks their sizes against what the inputs imply.
 */
public final class Stages {
    private Stages() {}

    /** inputs (K), weights (K), bias -> output. */
    @FunctionalInterface
    public interface Neuron {
        double neuron(double[] inputs, double[] weights, double bias) throws Exception;
    }

    /** inputs (K), weights (N, K): one row per neuron (chapter 2), biases (N) -> output (N). */
    @FunctionalInterface
    public interface Layer {
        double[] layer(double[] inputs, double[][] weights, double[] biases) throws Exception;
    }

    /**
     * inputs (B, K), weights (K, N) as Layer_Dense keeps them, biases (N) -> output (B, N).
     * The kit transposes the per-neuron rows of {@code weights_layout: neurons_inputs}.
     */
    @FunctionalInterface
    public interface DenseBatch {
        double[][] denseBatch(double[][] inputs, double[][] weights, double[] biases)
                throws Exception;
    }

    /** inputs (B, K) -> output (B, K). A rank-1 input arrives as one row and leaves as one. */
    @FunctionalInterface
    public interface Relu {
        double[][] relu(double[][] inputs) throws Exception;
    }

    /** Chapter 4's first chain: inputs (B, K), weights (K, N), biases (N) -> dense, relu. */
    @FunctionalInterface
    public interface DenseRelu {
        Types.DenseRelu denseRelu(double[][] inputs, double[][] weights, double[] biases)
                throws Exception;
    }

    /** inputs (B, C) logits -> output (B, C). */
    @FunctionalInterface
    public interface Softmax {
        double[][] softmax(double[][] inputs) throws Exception;
    }

    /** Chapter 4's network: dense -> ReLU -> dense -> softmax, every intermediate. */
    @FunctionalInterface
    public interface DenseReluDenseSoftmax {
        Types.DenseReluDenseSoftmax denseReluDenseSoftmax(double[][] inputs, double[][] weights1,
                                                          double[] biases1, double[][] weights2,
                                                          double[] biases2) throws Exception;
    }

    /** y_pred (B, C), y_true -> sample_losses (B), loss (their mean). */
    @FunctionalInterface
    public interface CategoricalCrossentropy {
        Loss categoricalCrossentropy(double[][] yPred, Labels yTrue) throws Exception;
    }

    /** y_pred (B, C), y_true -> predictions (B), accuracy. */
    @FunctionalInterface
    public interface Accuracy {
        Types.Accuracy accuracy(double[][] yPred, Labels yTrue) throws Exception;
    }

    /** The chapter 5 network: dense -> ReLU -> dense -> softmax -> loss and accuracy. */
    @FunctionalInterface
    public interface Forward {
        Types.Forward forward(double[][] inputs, double[][] weights1, double[] biases1,
                              double[][] weights2, double[] biases2, Labels yTrue)
                throws Exception;
    }

    /** inputs (B, K), weights (K, N), dvalues (B, N) -> dweights, dbiases, dinputs. */
    @FunctionalInterface
    public interface DenseBackward {
        DenseGradients denseBackward(double[][] inputs, double[][] weights, double[][] dvalues)
                throws Exception;
    }

    /** inputs: the forward inputs (B, K), dvalues (B, K) -> dinputs (rank 1 as for Relu). */
    @FunctionalInterface
    public interface ReluBackward {
        double[][] reluBackward(double[][] inputs, double[][] dvalues) throws Exception;
    }

    /**
     * One Layer_Dense (weights (K, N), biases (N)) and one ReLU called on inputs1 (B, K), then
     * on inputs2 (D, K), then backward(dvalues (D, N)) -> output1, output2 and the gradients.
     */
    @FunctionalInterface
    public interface RepeatedForward {
        Types.RepeatedForward repeatedForward(double[][] inputs1, double[][] inputs2,
                                              double[][] weights, double[] biases,
                                              double[][] dvalues) throws Exception;
    }

    /** output: the softmax's forward output (B, C), dvalues (B, C) -> dinputs (B, C). */
    @FunctionalInterface
    public interface SoftmaxBackward {
        double[][] softmaxBackward(double[][] output, double[][] dvalues) throws Exception;
    }

    /** y_pred (B, C), y_true -> dinputs (B, C). */
    @FunctionalInterface
    public interface CategoricalCrossentropyBackward {
        double[][] categoricalCrossentropyBackward(double[][] yPred, Labels yTrue)
                throws Exception;
    }

    /** y_pred: softmax outputs (B, C), y_true, path "combined" or "separate" -> dinputs. */
    @FunctionalInterface
    public interface SoftmaxCrossentropyBackward {
        double[][] softmaxCrossentropyBackward(double[][] yPred, Labels yTrue, String path)
                throws Exception;
    }

    /** weights (K, N), biases (N), four factors >= 0 -> loss, dweights, dbiases. */
    @FunctionalInterface
    public interface Regularization {
        Types.Regularization regularization(double[][] weights, double[] biases,
                                            double weightL1, double weightL2,
                                            double biasL1, double biasL2) throws Exception;
    }

    /** inputs (B, N), mask (B, N) of 0s and 1s, rate in [0, 1), dvalues -> output, dinputs. */
    @FunctionalInterface
    public interface Dropout {
        Activation dropout(double[][] inputs, double[][] mask, double rate, double[][] dvalues)
                throws Exception;
    }

    /** inputs (B, N), dvalues (B, N) -> output, dinputs. */
    @FunctionalInterface
    public interface Sigmoid {
        Activation sigmoid(double[][] inputs, double[][] dvalues) throws Exception;
    }

    /** y_pred (B, O), y_true (B, O): 0s and 1s for binary cross-entropy, numbers otherwise. */
    @FunctionalInterface
    public interface LossWithGradient {
        LossGradient loss(double[][] yPred, double[][] yTrue) throws Exception;
    }

    /** y_pred (B, O) sigmoid outputs, y_true (B, O) of 0s and 1s -> predictions, accuracy. */
    @FunctionalInterface
    public interface BinaryAccuracy {
        Types.BinaryAccuracy binaryAccuracy(double[][] yPred, double[][] yTrue) throws Exception;
    }

    /** Activation_Linear: inputs (B, N), dvalues (B, N) -> output, dinputs. */
    @FunctionalInterface
    public interface Linear {
        Activation linear(double[][] inputs, double[][] dvalues) throws Exception;
    }

    /** y_pred (B, O), y_true (B, O), precision &gt;= 0 -> the accuracy. */
    @FunctionalInterface
    public interface RegressionAccuracy {
        double regressionAccuracy(double[][] yPred, double[][] yTrue, double precision)
                throws Exception;
    }

    /** SGD: momentums are returned unchanged when momentum is 0. */
    @FunctionalInterface
    public interface SgdStep {
        Step sgdStep(Params params, Params grads, Params momentums, long iterations,
                     double learningRate, double decay, double momentum) throws Exception;
    }

    @FunctionalInterface
    public interface AdagradStep {
        Step adagradStep(Params params, Params grads, Params cache, long iterations,
                         double learningRate, double decay, double epsilon) throws Exception;
    }

    @FunctionalInterface
    public interface RmspropStep {
        Step rmspropStep(Params params, Params grads, Params cache, long iterations,
                         double learningRate, double decay, double epsilon, double rho)
                throws Exception;
    }

    @FunctionalInterface
    public interface AdamStep {
        Step adamStep(Params params, Params grads, Params momentums, Params cache,
                      long iterations, double learningRate, double decay, double epsilon,
                      double beta1, double beta2) throws Exception;
    }

    /**
     * One Optimizer_Adam for two layers, steps &gt;= 1 steps with the same gradients, each
     * layer's momentums and cache starting at zeros -> both layers after the last step.
     */
    @FunctionalInterface
    public interface SharedOptimizer {
        Types.Layers sharedOptimizer(Params layer1, Params layer2, Params grads1, Params grads2,
                                     int steps, double learningRate, double decay,
                                     double epsilon, double beta1, double beta2)
                throws Exception;
    }

    /** The book's model trained `steps` full-batch steps with optimizer "sgd", "adagrad"... */
    @FunctionalInterface
    public interface Training {
        Trajectory train(double[][] inputs, Labels yTrue, double[][] weights1, double[] biases1,
                         double[][] weights2, double[] biases2, int steps, String optimizer,
                         Hyperparameters hyperparameters) throws Exception;
    }

    /**
     * Model.train(inputs, yTrue, epochs, batchSize, validation_data) on Dense(K, H, the
     * regularizers) -> ReLU -> Dense(H, C) -> Softmax with the categorical cross-entropy:
     * validation_inputs (M, K), validationYTrue the M samples' labels; epochs and batchSize
     * &gt;= 1; optimizer "sgd", "adagrad", "rmsprop" or "adam".
     */
    @FunctionalInterface
    public interface ModelTraining {
        Types.ModelTrajectory modelTraining(double[][] inputs, Labels yTrue,
                                            double[][] validationInputs, Labels validationYTrue,
                                            double[][] weights1, double[] biases1,
                                            double[][] weights2, double[] biases2, int epochs,
                                            int batchSize, Types.Regularizers regularizers,
                                            String optimizer, Hyperparameters hyperparameters)
                throws Exception;
    }

    /**
     * Chapter 19: images (B, H, W) of bytes 0-255, labels (B), keys (B) a permutation of
     * 0 .. B - 1 -> x (B, H·W) scaled by (X - 127.5) / 127.5, y, both in the order of keys.
     */
    @FunctionalInterface
    public interface Preprocess {
        Types.Preprocessed preprocess(int[][][] images, int[] labels, int[] keys)
                throws Exception;
    }

    /** Model.train's batches of inputs (B, K), batchSize &gt;= 1 -> steps and their slices. */
    @FunctionalInterface
    public interface Batches {
        Types.Batches batches(double[][] inputs, int batchSize) throws Exception;
    }

    /**
     * The output activation's predictions() of inputs (B, N), the output layer's outputs;
     * activation "softmax" -> Classes, "sigmoid" -> Binary, "linear" -> Values.
     */
    @FunctionalInterface
    public interface Predictions {
        Types.Predictions predictions(double[][] inputs, String activation) throws Exception;
    }

    /** Model.evaluate: y_pred (B, C) softmax outputs, y_true, batchSize &gt;= 1 -> loss, accuracy. */
    @FunctionalInterface
    public interface Evaluate {
        Types.Evaluation evaluate(double[][] yPred, Labels yTrue, int batchSize) throws Exception;
    }

    /**
     * Chapter 21: the two layers' parameters saved to a file and loaded into a fresh
     * Dense -> ReLU -> Dense -> Softmax model -> its parameters and its output on inputs (B, K).
     */
    @FunctionalInterface
    public interface Parameters {
        Types.Loaded parameters(double[][] inputs, Params layer1, Params layer2)
                throws Exception;
    }

    /**
     * np.random.seed(seed), then the calls in order -> every value drawn, in order (a 32-bit
     * output as a double: it is exact).
     */
    @FunctionalInterface
    public interface Rng {
        double[] rng(long seed, RngCall[] calls) throws Exception;
    }

    /**
     * dataset "spiral" or "vertical": spiral_data(samples, classes) after np.random.seed(seed),
     * R = samples * classes rows of 2; "sine": sine_data(samples), R = samples rows of 1
     * (seed and classes unused).
     */
    @FunctionalInterface
    public interface Datasets {
        Dataset datasets(long seed, int samples, int classes, String dataset) throws Exception;
    }

    /**
     * np.random.seed(seed), skip Gaussians drawn first (a dataset's), then one Layer_Dense per
     * shape with scale * randn weights -> every layer's weights, row-major, layers in order.
     */
    @FunctionalInterface
    public interface Init {
        double[] init(long seed, int skip, LayerShape[] shapes, double scale) throws Exception;
    }

    /**
     * Chapter 19's shuffle: keys = 0 .. samples - 1, np.random.shuffle(keys) after
     * np.random.seed(seed) -> keys (samples), in their shuffled order.
     */
    @FunctionalInterface
    public interface Shuffle {
        int[] shuffle(long seed, int samples) throws Exception;
    }

    /**
     * The book's chapter 3-10 script on spiral_data(samples, classes): Dense(2, hidden), ReLU,
     * Dense(hidden, classes), softmax + cross-entropy, steps optimizer steps ("sgd",
     * "adagrad", "rmsprop", "adam"), one more forward and backward pass -> what printed names
     * (docs/STAGES.md).
     */
    @FunctionalInterface
    public interface Chapters {
        Printed chapters(long seed, int samples, int classes, int hidden, int steps,
                         String printed, String optimizer, double learningRate, double decay,
                         double momentum) throws Exception;
    }
}
