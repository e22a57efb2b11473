package nnfs;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.nnfsconform.kit.Types.Batches;
import org.nnfsconform.kit.Types.Evaluation;
import org.nnfsconform.kit.Types.Labels;
import org.nnfsconform.kit.Types.Loaded;
import org.nnfsconform.kit.Types.Params;
import org.nnfsconform.kit.Types.Predictions;
import org.nnfsconform.kit.Types.Preprocessed;

/**
 * Chapters 18 to 22: what the book's Model adds around the network. The data's preprocessing
 * (chapter 19), Model.train's batches, the output activation's predictions, Model.evaluate,
 * and the model's parameters saved to a file and loaded into a fresh model (chapter 21).
 *
 * <p>A Model here is the book's Dense -> ReLU -> Dense -> Softmax, built of the book's layer
 * objects ({@link LayerDense}, {@link ActivationReLU}, {@link ActivationSoftmax}).
 */
public final class Model {
    final LayerDense dense1;
    final ActivationReLU activation1 = new ActivationReLU();
    final LayerDense dense2;
    final ActivationSoftmax activation2 = new ActivationSoftmax();

    Model(LayerDense dense1, LayerDense dense2) {
        this.dense1 = dense1;
        this.dense2 = dense2;
    }

    /** The model's output (B, C) on inputs (B, K). */
    double[][] forward(double[][] inputs) {
        dense1.forward(inputs);
        activation1.forward(dense1.output);
        dense2.forward(activation1.output);
        activation2.forward(dense2.output);
        return activation2.output;
    }

    /** get_parameters: each trainable layer's (weights, biases), in order. */
    Params[] getParameters() {
        return new Params[] {dense1.getParameters(), dense2.getParameters()};
    }

    /** set_parameters: each trainable layer takes its (weights, biases), in order. */
    void setParameters(Params[] parameters) {
        dense1.setParameters(parameters[0].weights(), parameters[0].biases());
        dense2.setParameters(parameters[1].weights(), parameters[1].biases());
    }

    /**
     * save_parameters: where the book pickles [(weights, biases), ...], Java serializes
     * [[weights1, biases1], [weights2, biases2]]: the doubles' own bits, every digit kept.
     */
    void saveParameters(Path path) throws IOException {
        Params[] parameters = getParameters();
        Object[] layers = new Object[parameters.length];
        for (int i = 0; i < parameters.length; i++) {
            layers[i] = new Object[] {parameters[i].weights(), parameters[i].biases()};
        }
        try (ObjectOutputStream file = new ObjectOutputStream(Files.newOutputStream(path))) {
            file.writeObject(layers);
        }
    }

    /** load_parameters: set_parameters with what save_parameters wrote. */
    void loadParameters(Path path) throws IOException, ClassNotFoundException {
        Object[] layers;
        try (ObjectInputStream file = new ObjectInputStream(Files.newInputStream(path))) {
            layers = (Object[]) file.readObject();
        }
        Params[] parameters = new Params[layers.length];
        for (int i = 0; i < layers.length; i++) {
            Object[] layer = (Object[]) layers[i];
            parameters[i] = new Params((double[][]) layer[0], (double[]) layer[1]);
        }
        setParameters(parameters);
    }

    // -----------------------------------------------------------------------------------------
    // The stages

    /**
     * Chapter 19: each image (H, W) of bytes flattened row by row and scaled to [-1, 1] by
     * (X - 127.5) / 127.5, then X[keys], y[keys] (the shuffle's keys).
     */
    public static Preprocessed preprocess(int[][][] images, int[] labels, int[] keys) {
        double[][] scaled = new double[images.length][];
        for (int i = 0; i < images.length; i++) {
            int[][] image = images[i];
            int width = image.length > 0 ? image[0].length : 0;
            scaled[i] = new double[image.length * width];
            for (int r = 0; r < image.length; r++) {
                for (int c = 0; c < width; c++) {
                    scaled[i][r * width + c] = (image[r][c] - 127.5) / 127.5;
                }
            }
        }
        double[][] x = new double[keys.length][];
        int[] y = new int[keys.length];
        for (int i = 0; i < keys.length; i++) {
            x[i] = scaled[keys[i]];
            y[i] = labels[keys[i]];
        }
        return new Preprocessed(x, y);
    }

    /**
     * Model.train's steps: samples // batch_size, one more for a short last batch; batch s
     * is inputs[s·batch_size : (s + 1)·batch_size] -> its size, first and last rows.
     */
    public static Batches batches(double[][] inputs, int batchSize) {
        int steps = trainSteps(inputs.length, batchSize);
        int[] sizes = new int[steps];
        double[][] firstRows = new double[steps][];
        double[][] lastRows = new double[steps][];
        for (int step = 0; step < steps; step++) {
            double[][] batch = slice(inputs, step, batchSize);
            sizes[step] = batch.length;
            firstRows[step] = batch[0];
            lastRows[step] = batch[batch.length - 1];
        }
        return new Batches(steps, sizes, firstRows, lastRows);
    }

    /**
     * The output activation's predictions() on the output layer's outputs (B, N): softmax's
     * argmax (the first maximum on a tie), sigmoid's {@code > 0.5}, linear's outputs.
     */
    public static Predictions predictions(double[][] outputs, String activation) {
        switch (activation) {
            case "softmax":
                return new Predictions.Classes(new ActivationSoftmax().predictions(outputs));
            case "sigmoid": {
                int[][] classes = new int[outputs.length][];
                for (int b = 0; b < outputs.length; b++) {
                    classes[b] = new int[outputs[b].length];
                    for (int n = 0; n < outputs[b].length; n++) {
                        classes[b][n] = outputs[b][n] > 0.5 ? 1 : 0; // exactly 0.5 is 0
                    }
                }
                return new Predictions.Binary(classes);
            }
            default:
                return new Predictions.Values(Training.copy(outputs));
        }
    }

    /**
     * Model.evaluate on softmax outputs yPred (B, C), batch by batch: the sample losses and the
     * correct predictions add up to running sums, the samples to a count, and each is divided
     * once at the end. NOTE: not the mean of the batches' means, which differs when the last
     * batch is short.
     */
    public static Evaluation evaluate(double[][] yPred, Labels yTrue, int batchSize) {
        int steps = trainSteps(yPred.length, batchSize);
        double accumulatedSum = 0.0;
        long accumulatedHits = 0;
        long accumulatedCount = 0;
        for (int step = 0; step < steps; step++) {
            double[][] batchPred = slice(yPred, step, batchSize);
            Labels batchTrue = slice(yTrue, step, batchSize);
            double[] sampleLosses = Nnfs.categoricalCrossentropy(batchPred, batchTrue)
                    .sampleLosses();
            int[] predictions = Nnfs.accuracy(batchPred, batchTrue).predictions();
            int[] labels = batchTrue.classes();
            for (int b = 0; b < sampleLosses.length; b++) {
                accumulatedSum += sampleLosses[b];
                accumulatedHits += predictions[b] == labels[b] ? 1 : 0;
            }
            accumulatedCount += sampleLosses.length;
        }
        return new Evaluation(accumulatedSum / accumulatedCount,
                (double) accumulatedHits / accumulatedCount);
    }

    /**
     * Chapter 21: a model of these two layers saves its parameters to a file; a fresh model
     * loads them -> the loaded parameters and the fresh model's output on inputs.
     */
    public static Loaded parameters(double[][] inputs, Params layer1, Params layer2)
            throws IOException, ClassNotFoundException {
        Model model = new Model(new LayerDense(layer1.weights(), layer1.biases()),
                new LayerDense(layer2.weights(), layer2.biases()));
        Path path = Files.createTempFile("nnfs-parameters", ".ser");
        try {
            model.saveParameters(path);
            Model loaded = new Model(new LayerDense(layer1.weights().length, layer1.biases().length),
                    new LayerDense(layer2.weights().length, layer2.biases().length));
            loaded.loadParameters(path);
            double[][] output = loaded.forward(inputs);
            Params[] parameters = loaded.getParameters();
            return new Loaded(parameters[0], parameters[1], output);
        } finally {
            Files.deleteIfExists(path);
        }
    }

    // -----------------------------------------------------------------------------------------
    // Small helpers

    /** How many batches Model.train takes: a short last batch is a step of its own. */
    static int trainSteps(int samples, int batchSize) {
        int steps = samples / batchSize;
        if (steps * batchSize < samples) {
            steps += 1;
        }
        return steps;
    }

    /** Batch `step` of the rows: rows[step·size : (step + 1)·size], shorter at the end. */
    static double[][] slice(double[][] rows, int step, int size) {
        int from = step * size;
        return Arrays.copyOfRange(rows, from, Math.min(rows.length, from + size));
    }

    /** The same batch of the labels, in the format they came in. */
    static Labels slice(Labels labels, int step, int size) {
        if (labels instanceof Labels.OneHot oneHot) {
            return new Labels.OneHot(slice(oneHot.rows(), step, size));
        }
        int[] classes = labels.classes();
        int from = step * size;
        return new Labels.Sparse(Arrays.copyOfRange(classes, from,
                Math.min(classes.length, from + size)));
    }
}
