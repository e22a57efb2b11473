package nnfs;

import java.util.function.DoubleBinaryOperator;
import org.nnfsconform.kit.Types.Activation;
import org.nnfsconform.kit.Types.BinaryAccuracy;
import org.nnfsconform.kit.Types.DenseGradients;
import org.nnfsconform.kit.Types.Hyperparameters;
import org.nnfsconform.kit.Types.Labels;
import org.nnfsconform.kit.Types.Layers;
import org.nnfsconform.kit.Types.LossGradient;
import org.nnfsconform.kit.Types.Params;
import org.nnfsconform.kit.Types.Regularization;
import org.nnfsconform.kit.Types.RepeatedForward;
import org.nnfsconform.kit.Types.Step;
import org.nnfsconform.kit.Types.Trajectory;

/**
 * The stages of Neural Networks from Scratch, chapters 9 to 17: backward passes,
 * regularization, dropout, sigmoid and three more losses, the optimizers, and the training loop.
 *
 * <p>Every stage is pure: what the book keeps on a layer object (the forward inputs or output,
 * a dropout mask, the optimizer's momentums and cache) comes in as an argument, and what it
 * updates goes out in the result. Plain loops over {@code double[]}, as in {@link Nnfs}; the
 * kit has checked the inputs.
 */
public final class Training {
    private Training() {}

    // -----------------------------------------------------------------------------------------
    // Chapter 9: backward passes

    /**
     * inputs (B, K), weights (K, N) as Layer_Dense keeps them, dvalues (B, N)
     * -> dweights = inputs.T @ dvalues, dbiases, dinputs = dvalues @ weights.T.
     * NOTE: dbiases is the SUM of dvalues over the batch, one value per neuron.
     */
    public static DenseGradients denseBackward(double[][] inputs, double[][] weights,
                                               double[][] dvalues) {
        int k = inputs[0].length;
        int n = weights[0].length;

        double[][] dweights = new double[k][n];
        double[] dbiases = new double[n];
        double[][] dinputs = new double[inputs.length][k];
        for (int b = 0; b < inputs.length; b++) {
            for (int j = 0; j < n; j++) {
                for (int i = 0; i < k; i++) {
                    dweights[i][j] += inputs[b][i] * dvalues[b][j];
                }
                dbiases[j] += dvalues[b][j];
            }
            for (int i = 0; i < k; i++) {
                double total = 0.0;
                for (int j = 0; j < n; j++) {
                    total += dvalues[b][j] * weights[i][j];
                }
                dinputs[b][i] = total;
            }
        }
        return new DenseGradients(dweights, dbiases, dinputs);
    }

    /**
     * inputs: the forward pass's inputs; dvalues of the same shape -> dinputs.
     * NOTE: the gradient is 0 where the INPUT is &lt;= 0, including 0 and -0.0: the mask is
     * taken on the forward inputs, never on dvalues.
     */
    public static double[] reluBackward(double[] inputs, double[] dvalues) {
        double[] dinputs = new double[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            dinputs[i] = inputs[i] <= 0 ? 0.0 : dvalues[i];
        }
        return dinputs;
    }

    /** The ReLU backward of a batch (B, K). */
    public static double[][] reluBackward(double[][] inputs, double[][] dvalues) {
        double[][] dinputs = new double[inputs.length][];
        for (int b = 0; b < inputs.length; b++) {
            dinputs[b] = reluBackward(inputs[b], dvalues[b]);
        }
        return dinputs;
    }

    /**
     * One Layer_Dense and one Activation_ReLU object, called on inputs1 (B, K), then on
     * inputs2 (D, K), then backward(dvalues (D, N)): each forward call starts afresh, so
     * everything after the second comes from inputs2 alone.
     */
    public static RepeatedForward repeatedForward(double[][] inputs1, double[][] inputs2,
                                                  double[][] weights, double[] biases,
                                                  double[][] dvalues) {
        LayerDense dense = new LayerDense(weights, biases);
        ActivationReLU activation = new ActivationReLU();
        dense.forward(inputs1);
        activation.forward(dense.output);
        double[][] output1 = activation.output;
        dense.forward(inputs2);
        activation.forward(dense.output);
        double[][] output2 = activation.output;
        activation.backward(dvalues);
        dense.backward(activation.dinputs);
        return new RepeatedForward(output1, output2, dense.dweights, dense.dbiases,
                dense.dinputs);
    }

    /**
     * output: the softmax's forward output (B, C); dvalues (B, C) -> dinputs (B, C).
     * Each sample goes through its Jacobian diag(p) - p·pᵀ, as the book writes it.
     */
    public static double[][] softmaxBackward(double[][] output, double[][] dvalues) {
        double[][] dinputs = new double[output.length][];
        for (int b = 0; b < output.length; b++) {
            double[] p = output[b];
            dinputs[b] = new double[p.length];
            for (int i = 0; i < p.length; i++) {
                double total = 0.0;
                for (int j = 0; j < p.length; j++) {
                    double jacobian = (i == j ? p[i] : 0.0) - p[i] * p[j];
                    total += jacobian * dvalues[b][j];
                }
                dinputs[b][i] = total;
            }
        }
        return dinputs;
    }

    /**
     * y_pred (B, C); y_true class indices or one-hot rows -> dinputs = -y_true / y_pred / B.
     * NOTE: no clipping here (the book does not clip in the backward pass).
     */
    public static double[][] categoricalCrossentropyBackward(double[][] yPred,
                                                             Labels yTrue) {
        int samples = yPred.length;
        double[][] oneHot = yTrue.oneHot(yPred[0].length); // np.eye(labels)[y_true]
        double[][] dinputs = new double[samples][];
        for (int b = 0; b < samples; b++) {
            dinputs[b] = new double[oneHot[b].length];
            for (int c = 0; c < oneHot[b].length; c++) {
                dinputs[b][c] = -oneHot[b][c] / yPred[b][c] / samples;
            }
        }
        return dinputs;
    }

    /**
     * y_pred (B, C): the softmax's OUTPUT; y_true -> dinputs (B, C).
     * "combined": (y_pred - y_true) / B, divided by the number of SAMPLES, not classes;
     * "separate": the softmax backward of the cross-entropy backward (the same number).
     */
    public static double[][] softmaxCrossentropyBackward(double[][] yPred, Labels yTrue,
                                                         String path) {
        if (path.equals("separate")) {
            return softmaxBackward(yPred, categoricalCrossentropyBackward(yPred, yTrue));
        }
        int samples = yPred.length;
        int[] labels = yTrue.classes(); // one-hot rows: np.argmax(y_true, axis=1)
        double[][] dinputs = new double[samples][];
        for (int b = 0; b < samples; b++) {
            dinputs[b] = yPred[b].clone();
            dinputs[b][labels[b]] -= 1;
            for (int c = 0; c < dinputs[b].length; c++) {
                dinputs[b][c] /= samples;
            }
        }
        return dinputs;
    }

    // -----------------------------------------------------------------------------------------
    // Chapters 14 and 15: regularization and dropout

    /**
     * weights (K, N), biases (N) and four factors &gt;= 0 -> the regularization's own loss and
     * gradients, which the book's Layer_Dense.backward adds to the data gradients.
     */
    public static Regularization regularization(double[][] weights, double[] biases,
                                                double weightL1, double weightL2,
                                                double biasL1, double biasL2) {
        double absWeights = 0.0;
        double squaredWeights = 0.0;
        double[][] dweights = new double[weights.length][];
        for (int k = 0; k < weights.length; k++) {
            for (double w : weights[k]) {
                absWeights += Math.abs(w);
                squaredWeights += w * w;
            }
            dweights[k] = regularizationGradient(weights[k], weightL1, weightL2);
        }
        double absBiases = 0.0;
        double squaredBiases = 0.0;
        for (double b : biases) {
            absBiases += Math.abs(b);
            squaredBiases += b * b;
        }
        double loss = weightL1 * absWeights + weightL2 * squaredWeights
                + biasL1 * absBiases + biasL2 * squaredBiases;
        return new Regularization(loss, dweights, regularizationGradient(biases, biasL1, biasL2));
    }

    /**
     * l1·sign(w) + 2·l2·w.
     * NOTE: sign(w) is +1 where w &gt;= 0, including 0 and -0.0, as the book's dL1.
     */
    static double[] regularizationGradient(double[] values, double l1, double l2) {
        double[] gradient = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            double dl1 = values[i] < 0 ? -1.0 : 1.0;
            gradient[i] = l1 * dl1 + 2 * l2 * values[i];
        }
        return gradient;
    }

    /**
     * inputs (B, N), mask (B, N) of 0s and 1s (the binomial draws, 1 keeps), rate: the DROP
     * rate in [0, 1), dvalues (B, N) -> output and dinputs.
     * NOTE: inverted dropout, the kept values are scaled by 1 / (1 - rate).
     */
    public static Activation dropout(double[][] inputs, double[][] mask, double rate,
                                     double[][] dvalues) {
        double[][] output = new double[inputs.length][];
        double[][] dinputs = new double[inputs.length][];
        for (int b = 0; b < inputs.length; b++) {
            output[b] = new double[inputs[b].length];
            dinputs[b] = new double[inputs[b].length];
            for (int n = 0; n < inputs[b].length; n++) {
                double binaryMask = mask[b][n] / (1 - rate);
                output[b][n] = inputs[b][n] * binaryMask;
                dinputs[b][n] = dvalues[b][n] * binaryMask;
            }
        }
        return new Activation(output, dinputs);
    }

    // -----------------------------------------------------------------------------------------
    // Chapters 16 and 17: sigmoid, binary cross-entropy, mean squared and absolute error

    /** inputs (B, N), dvalues (B, N) -> s = 1 / (1 + exp(-x)), dinputs = dvalues·(1 - s)·s. */
    public static Activation sigmoid(double[][] inputs, double[][] dvalues) {
        double[][] output = new double[inputs.length][];
        double[][] dinputs = new double[inputs.length][];
        for (int b = 0; b < inputs.length; b++) {
            output[b] = new double[inputs[b].length];
            dinputs[b] = new double[inputs[b].length];
            for (int n = 0; n < inputs[b].length; n++) {
                double s = 1 / (1 + Math.exp(-inputs[b][n]));
                output[b][n] = s;
                dinputs[b][n] = dvalues[b][n] * (1 - s) * s;
            }
        }
        return new Activation(output, dinputs);
    }

    /**
     * y_pred (B, O) sigmoid outputs, y_true (B, O) of 0s and 1s -> each sample's loss is the
     * mean over its O outputs of -(y·ln c + (1 - y)·ln(1 - c)).
     * NOTE: c is y_pred clipped to [1e-7, 1 - 1e-7] in the forward AND the backward pass.
     */
    public static LossGradient binaryCrossentropy(double[][] yPred, double[][] yTrue) {
        int samples = yPred.length;
        double[] sampleLosses = new double[samples];
        double[][] dinputs = new double[samples][];
        for (int b = 0; b < samples; b++) {
            int outputs = yPred[b].length;
            double[] losses = new double[outputs];
            dinputs[b] = new double[outputs];
            for (int o = 0; o < outputs; o++) {
                double c = Nnfs.clip(yPred[b][o]);
                double y = yTrue[b][o];
                losses[o] = -(y * Math.log(c) + (1 - y) * Math.log(1 - c));
                dinputs[b][o] = -(y / c - (1 - y) / (1 - c)) / outputs / samples;
            }
            sampleLosses[b] = Nnfs.mean(losses);
        }
        return new LossGradient(sampleLosses, Nnfs.mean(sampleLosses), dinputs);
    }

    /**
     * y_pred (B, O) sigmoid outputs, y_true (B, O) of 0s and 1s -> predictions (B, O), accuracy.
     * NOTE: strictly above 0.5 is class 1 (the book's {@code output > 0.5}); every output of
     * every sample counts in the accuracy.
     */
    public static BinaryAccuracy binaryAccuracy(double[][] yPred, double[][] yTrue) {
        int[][] predictions = new int[yPred.length][];
        int matches = 0;
        int count = 0;
        for (int b = 0; b < yPred.length; b++) {
            predictions[b] = new int[yPred[b].length];
            for (int o = 0; o < yPred[b].length; o++) {
                predictions[b][o] = yPred[b][o] > 0.5 ? 1 : 0;
                if (predictions[b][o] == yTrue[b][o]) {
                    matches++;
                }
                count++;
            }
        }
        return new BinaryAccuracy(predictions, (double) matches / count);
    }

    /** Activation_Linear: forward gives the inputs, backward passes dvalues on, unchanged. */
    public static Activation linear(double[][] inputs, double[][] dvalues) {
        return new Activation(copy(inputs), copy(dvalues));
    }

    /** y_pred (B, O), y_true (B, O) -> mean_o (y_true - y_pred)², dinputs -2·(y - p) / O / B. */
    public static LossGradient meanSquaredError(double[][] yPred, double[][] yTrue) {
        int samples = yPred.length;
        double[] sampleLosses = new double[samples];
        double[][] dinputs = new double[samples][];
        for (int b = 0; b < samples; b++) {
            int outputs = yPred[b].length;
            double[] losses = new double[outputs];
            dinputs[b] = new double[outputs];
            for (int o = 0; o < outputs; o++) {
                double error = yTrue[b][o] - yPred[b][o];
                losses[o] = error * error;
                dinputs[b][o] = -2 * error / outputs / samples;
            }
            sampleLosses[b] = Nnfs.mean(losses);
        }
        return new LossGradient(sampleLosses, Nnfs.mean(sampleLosses), dinputs);
    }

    /**
     * y_pred (B, O), y_true (B, O) -> mean_o |y_true - y_pred|, dinputs sign(p - y) / O / B.
     * NOTE: sign(0) = 0, and the sign is of y_pred - y_true: the book's
     * np.sign(y_true - y_pred) points the wrong way.
     */
    public static LossGradient meanAbsoluteError(double[][] yPred, double[][] yTrue) {
        int samples = yPred.length;
        double[] sampleLosses = new double[samples];
        double[][] dinputs = new double[samples][];
        for (int b = 0; b < samples; b++) {
            int outputs = yPred[b].length;
            double[] losses = new double[outputs];
            dinputs[b] = new double[outputs];
            for (int o = 0; o < outputs; o++) {
                losses[o] = Math.abs(yTrue[b][o] - yPred[b][o]);
                dinputs[b][o] = Math.signum(yPred[b][o] - yTrue[b][o]) / outputs / samples;
            }
            sampleLosses[b] = Nnfs.mean(losses);
        }
        return new LossGradient(sampleLosses, Nnfs.mean(sampleLosses), dinputs);
    }

    /**
     * Accuracy_Regression: the share of outputs within precision of their target.
     * NOTE: strictly within ({@code <}); the book's precision is np.std(y_true) / 250, given.
     */
    public static double regressionAccuracy(double[][] yPred, double[][] yTrue,
                                            double precision) {
        int hits = 0;
        int count = 0;
        for (int b = 0; b < yPred.length; b++) {
            for (int o = 0; o < yPred[b].length; o++) {
                if (Math.abs(yPred[b][o] - yTrue[b][o]) < precision) {
                    hits++;
                }
                count++;
            }
        }
        return (double) hits / count;
    }

    // -----------------------------------------------------------------------------------------
    // Chapter 10: optimizers, one step on one layer

    /**
     * The learning rate of a step: lr0 / (1 + decay·iterations).
     * NOTE: recomputed from the initial rate every step, never compounded; iterations counts
     * the steps already taken, so step 0 uses the initial rate.
     */
    static double currentLearningRate(double learningRate, double decay, long iterations) {
        if (decay != 0) {
            return learningRate * (1.0 / (1.0 + decay * iterations));
        }
        return learningRate;
    }

    /**
     * SGD: with momentum, m = momentum·m - lr·g and w += m (the decayed rate inside m);
     * without it, w += -lr·g and the momentums come back unchanged (the book keeps none).
     */
    public static Step sgdStep(Params params, Params grads, Params momentums, long iterations,
                               double learningRate, double decay, double momentum) {
        double lr = currentLearningRate(learningRate, decay, iterations);
        if (momentum != 0) {
            momentums = map(momentums, grads, (m, g) -> momentum * m - lr * g);
            return new Step(map(params, momentums, (w, m) -> w + m), momentums, null, lr,
                    iterations + 1);
        }
        return new Step(map(params, grads, (w, g) -> w + -lr * g), momentums, null, lr,
                iterations + 1);
    }

    /** Adagrad: cache += g²; w += -lr·g / (sqrt(cache) + epsilon), epsilon OUTSIDE the root. */
    public static Step adagradStep(Params params, Params grads, Params cache, long iterations,
                                   double learningRate, double decay, double epsilon) {
        double lr = currentLearningRate(learningRate, decay, iterations);
        Params newCache = map(cache, grads, (c, g) -> c + g * g);
        Params updated = map(params, grads, newCache,
                (w, g, c) -> w + -lr * g / (Math.sqrt(c) + epsilon));
        return new Step(updated, null, newCache, lr, iterations + 1);
    }

    /** RMSprop: cache = rho·cache + (1 - rho)·g²; w += -lr·g / (sqrt(cache) + epsilon). */
    public static Step rmspropStep(Params params, Params grads, Params cache, long iterations,
                                   double learningRate, double decay, double epsilon,
                                   double rho) {
        double lr = currentLearningRate(learningRate, decay, iterations);
        Params newCache = map(cache, grads, (c, g) -> rho * c + (1 - rho) * (g * g));
        Params updated = map(params, grads, newCache,
                (w, g, c) -> w + -lr * g / (Math.sqrt(c) + epsilon));
        return new Step(updated, null, newCache, lr, iterations + 1);
    }

    /**
     * Adam: m = β1·m + (1 - β1)·g, v = β2·v + (1 - β2)·g², corrected by 1 - β^(t + 1);
     * w += -lr·m̂ / (sqrt(v̂) + epsilon).
     * NOTE: the correction counts from 1 (t = iterations before this step) with undecayed
     * betas, and epsilon is added to the root of the CORRECTED cache.
     */
    public static Step adamStep(Params params, Params grads, Params momentums, Params cache,
                                long iterations, double learningRate, double decay,
                                double epsilon, double beta1, double beta2) {
        double lr = currentLearningRate(learningRate, decay, iterations);
        double correction1 = 1 - Math.pow(beta1, iterations + 1);
        double correction2 = 1 - Math.pow(beta2, iterations + 1);
        Params newMomentums = map(momentums, grads, (m, g) -> beta1 * m + (1 - beta1) * g);
        Params newCache = map(cache, grads, (v, g) -> beta2 * v + (1 - beta2) * (g * g));
        Params updated = map(params, newMomentums, newCache,
                (w, m, v) -> w + -lr * (m / correction1) / (Math.sqrt(v / correction2) + epsilon));
        return new Step(updated, newMomentums, newCache, lr, iterations + 1);
    }

    /** One step of the named optimizer, with the hyperparameters it uses. */
    static Step optimizerStep(String optimizer, Params params, Params grads, Params momentums,
                              Params cache, long iterations, Hyperparameters h) {
        return switch (optimizer) {
            case "sgd" -> sgdStep(params, grads, momentums, iterations,
                    h.learningRate(), h.decay(), h.momentum());
            case "adagrad" -> adagradStep(params, grads, cache, iterations,
                    h.learningRate(), h.decay(), h.epsilon());
            case "rmsprop" -> rmspropStep(params, grads, cache, iterations,
                    h.learningRate(), h.decay(), h.epsilon(), h.rho());
            case "adam" -> adamStep(params, grads, momentums, cache, iterations,
                    h.learningRate(), h.decay(), h.epsilon(), h.beta1(), h.beta2());
            default -> throw new IllegalArgumentException("unknown optimizer " + optimizer);
        };
    }

    /**
     * One Optimizer_Adam for two layers, `steps` steps with the same gradients: per step
     * pre_update_params, update_params of each layer (each with its own momentums and cache,
     * starting at zeros), post_update_params.
     * NOTE: the iteration count rises once per step (post_update_params), not once per layer.
     */
    public static Layers sharedOptimizer(Params layer1, Params layer2, Params grads1,
                                         Params grads2, int steps, double learningRate,
                                         double decay, double epsilon, double beta1,
                                         double beta2) {
        Params[] layers = {layer1, layer2};
        Params[] grads = {grads1, grads2};
        Params[] momentums = {zerosLike(layer1), zerosLike(layer2)};
        Params[] cache = {zerosLike(layer1), zerosLike(layer2)};
        for (long iterations = 0; iterations < steps; iterations++) {
            for (int i = 0; i < layers.length; i++) {
                Step update = adamStep(layers[i], grads[i], momentums[i], cache[i], iterations,
                        learningRate, decay, epsilon, beta1, beta2);
                layers[i] = update.params();
                momentums[i] = update.momentums();
                cache[i] = update.cache();
            }
        }
        return new Layers(layers[0], layers[1]);
    }

    // -----------------------------------------------------------------------------------------
    // Chapter 10's training loop

    /**
     * The book's model, full batch: Dense(K, H) -> ReLU -> Dense(H, C) -> softmax and
     * cross-entropy, trained `steps` steps from optimizer state at zeros. Records per step the
     * loss and accuracy BEFORE the update, the learning rate used, and every parameter AFTER it.
     * NOTE: both layers are updated with iterations = the step's index: the count rises once
     * per step, not once per layer.
     */
    public static Trajectory train(double[][] inputs, Labels yTrue, double[][] weights1,
                                   double[] biases1, double[][] weights2, double[] biases2,
                                   int steps, String optimizer, Hyperparameters hyper) {
        int s = steps;
        Trajectory record = new Trajectory(new double[s], new double[s], new double[s],
                new double[s][][], new double[s][], new double[s][][], new double[s][]);
        Params[] layers = {new Params(weights1, biases1), new Params(weights2, biases2)};
        Params[] momentums = {zerosLike(layers[0]), zerosLike(layers[1])};
        Params[] cache = {zerosLike(layers[0]), zerosLike(layers[1])};
        for (int step = 0; step < s; step++) {
            var forward = Nnfs.forward(inputs, layers[0].weights(), layers[0].biases(),
                    layers[1].weights(), layers[1].biases(), yTrue);
            record.loss()[step] = forward.loss().loss();
            record.accuracy()[step] = forward.accuracy().accuracy();

            double[][] dvalues = softmaxCrossentropyBackward(forward.softmax(), yTrue, "combined");
            DenseGradients dense2 = denseBackward(forward.relu1(), layers[1].weights(), dvalues);
            double[][] drelu1 = reluBackward(forward.dense1(), dense2.dinputs());
            DenseGradients dense1 = denseBackward(inputs, layers[0].weights(), drelu1);
            Params[] grads = {new Params(dense1.dweights(), dense1.dbiases()),
                new Params(dense2.dweights(), dense2.dbiases())};

            for (int i = 0; i < layers.length; i++) {
                Step update = optimizerStep(optimizer, layers[i], grads[i], momentums[i],
                        cache[i], step, hyper);
                layers[i] = update.params();
                momentums[i] = update.momentums();
                cache[i] = update.cache();
                record.learningRate()[step] = update.learningRate();
            }
            record.weights1()[step] = layers[0].weights();
            record.biases1()[step] = layers[0].biases();
            record.weights2()[step] = layers[1].weights();
            record.biases2()[step] = layers[1].biases();
        }
        return record;
    }

    // -----------------------------------------------------------------------------------------
    // Small helpers

    interface TernaryOperator {
        double apply(double a, double b, double c);
    }

    /** f element by element over two layer-shaped arrays, into new arrays. */
    static Params map(Params a, Params b, DoubleBinaryOperator f) {
        return map(a, b, b, (x, y, unused) -> f.applyAsDouble(x, y));
    }

    /** f element by element over three layer-shaped arrays, into new arrays. */
    static Params map(Params a, Params b, Params c, TernaryOperator f) {
        double[][] weights = new double[a.weights().length][];
        for (int k = 0; k < weights.length; k++) {
            weights[k] = map(a.weights()[k], b.weights()[k], c.weights()[k], f);
        }
        return new Params(weights, map(a.biases(), b.biases(), c.biases(), f));
    }

    static double[] map(double[] a, double[] b, double[] c, TernaryOperator f) {
        double[] result = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            result[i] = f.apply(a[i], b[i], c[i]);
        }
        return result;
    }

    static double[][] copy(double[][] rows) {
        double[][] result = new double[rows.length][];
        for (int b = 0; b < rows.length; b++) {
            result[b] = rows[b].clone();
        }
        return result;
    }

    static Params zerosLike(Params params) {
        return new Params(new double[params.weights().length][params.biases().length],
                new double[params.biases().length]);
    }
}
