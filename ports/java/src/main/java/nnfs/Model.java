package nnfs;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.nnfsconform.kit.Types.Batches;
import org.nnfsconform.kit.Types.Evaluation;
import org.nnfsconform.kit.Types.Hyperparameters;
import org.nnfsconform.kit.Types.Labels;
import org.nnfsconform.kit.Types.Loaded;
import org.nnfsconform.kit.Types.ModelTrajectory;
import org.nnfsconform.kit.Types.Params;
import org.nnfsconform.kit.Types.Predictions;
import org.nnfsconform.kit.Types.Preprocessed;
import org.nnfsconform.kit.Types.Regularizers;
import org.nnfsconform.kit.Types.Step;

/**
 * Chapters 18 to 22: what the book's Model adds around the network. Model.train over epochs
 * of mini-batches with validation (chapters 18-19), the data's preprocessing (chapter 19),
 * Model.train's batches, the output activation's predictions, Model.evaluate, and the model's
 * parameters saved to a file and loaded into a fresh model (chapter 21).
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

    /**
     * The backward pass of one batch from its softmax output, through the combined softmax
     * and cross-entropy backward: (y_pred - y_true) / B, divided by the batch's samples.
     */
    void backward(double[][] output, Labels yTrue) {
        double[][] dvalues = Training.softmaxCrossentropyBackward(output, yTrue, "combined");
        dense2.backward(dvalues);
        activation1.backward(dense2.dinputs);
        dense1.backward(activation1.dinputs);
    }

    /**
     * Model.train(X, y, epochs, batch_size, validation_data): per epoch, each batch's forward
     * pass, backward pass and one optimizer step on both layers; then the epoch's accumulated
     * loss and accuracy, and Model.evaluate on the validation data.
     * NOTE: the optimizer's iteration count rises once per step (post_update_params), across
     * epochs, so a decaying rate keeps decaying from one epoch to the next.
     */
    ModelTrajectory train(double[][] inputs, Labels yTrue, double[][] validationInputs,
                          Labels validationYTrue, int epochs, int batchSize, String optimizer,
                          Hyperparameters hyper) {
        LayerDense[] layers = {dense1, dense2};
        Params[] momentums = {Training.zerosLike(dense1.getParameters()),
            Training.zerosLike(dense2.getParameters())};
        Params[] cache = {Training.zerosLike(dense1.getParameters()),
            Training.zerosLike(dense2.getParameters())};
        int e = epochs;
        ModelTrajectory record = new ModelTrajectory(new double[e], new double[e], new double[e],
                new double[e], new double[e], new double[e], new double[e], null, null);
        long iterations = 0;
        for (int epoch = 0; epoch < epochs; epoch++) {
            Accumulated dataLoss = new Accumulated(); // the loss's and accuracy's new_pass()
            Accumulated accuracy = new Accumulated();
            double learningRate = hyper.learningRate();
            for (int step = 0; step < trainSteps(inputs.length, batchSize); step++) {
                double[][] batchX = slice(inputs, step, batchSize);
                Labels batchY = slice(yTrue, step, batchSize);
                double[][] output = forward(batchX);
                dataLoss.add(Nnfs.categoricalCrossentropy(output, batchY).sampleLosses());
                accuracy.add(hits(output, batchY));
                backward(output, batchY);
                for (int i = 0; i < layers.length; i++) { // update_params of each layer
                    Step update = Training.optimizerStep(optimizer, layers[i].getParameters(),
                            new Params(layers[i].dweights, layers[i].dbiases), momentums[i],
                            cache[i], iterations, hyper);
                    layers[i].setParameters(update.params().weights(), update.params().biases());
                    momentums[i] = update.momentums();
                    cache[i] = update.cache();
                    learningRate = update.learningRate();
                }
                iterations++; // post_update_params
            }
            // NOTE: the regularization loss of the parameters at the END of the epoch, after
            //       its last update; the printed loss adds it to the accumulated data loss.
            double regularizationLoss = dense1.regularizationLoss() + dense2.regularizationLoss();
            record.loss()[epoch] = dataLoss.value() + regularizationLoss;
            record.dataLoss()[epoch] = dataLoss.value();
            record.regularizationLoss()[epoch] = regularizationLoss;
            record.accuracy()[epoch] = accuracy.value();
            record.learningRate()[epoch] = learningRate; // the current rate: the last step's
            Evaluation validation = validate(validationInputs, validationYTrue, batchSize);
            record.validationLoss()[epoch] = validation.loss();
            record.validationAccuracy()[epoch] = validation.accuracy();
        }
        return new ModelTrajectory(record.loss(), record.dataLoss(), record.regularizationLoss(),
                record.accuracy(), record.learningRate(), record.validationLoss(),
                record.validationAccuracy(), dense1.getParameters(), dense2.getParameters());
    }

    /**
     * The book's Model.evaluate(X_val, y_val, batch_size), as train calls it: forward only,
     * batch by batch; the accumulated data loss (NOTE: no regularization) and accuracy. (The
     * evaluate stage, below, is the same on outputs already computed.)
     */
    Evaluation validate(double[][] inputs, Labels yTrue, int batchSize) {
        Accumulated dataLoss = new Accumulated();
        Accumulated accuracy = new Accumulated();
        for (int step = 0; step < trainSteps(inputs.length, batchSize); step++) {
            Labels batchY = slice(yTrue, step, batchSize);
            double[][] output = forward(slice(inputs, step, batchSize));
            dataLoss.add(Nnfs.categoricalCrossentropy(output, batchY).sampleLosses());
            accuracy.add(hits(output, batchY));
        }
        return new Evaluation(dataLoss.value(), accuracy.value());
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
     * Model.train on the book's Dense(K, H, regularizers) -> ReLU -> Dense(H, C) -> Softmax
     * with the categorical cross-entropy, from the given parameters and optimizer state at
     * zeros; the batches are taken in the order given (the book shuffles once, before).
     */
    public static ModelTrajectory modelTraining(double[][] inputs, Labels yTrue,
                                                double[][] validationInputs,
                                                Labels validationYTrue, double[][] weights1,
                                                double[] biases1, double[][] weights2,
                                                double[] biases2, int epochs, int batchSize,
                                                Regularizers regularizers, String optimizer,
                                                Hyperparameters hyperparameters) {
        Model model = new Model(new LayerDense(weights1, biases1, regularizers),
                new LayerDense(weights2, biases2));
        return model.train(inputs, yTrue, validationInputs, validationYTrue, epochs, batchSize,
                optimizer, hyperparameters);
    }

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
        Accumulated dataLoss = new Accumulated();
        Accumulated accuracy = new Accumulated();
        for (int step = 0; step < trainSteps(yPred.length, batchSize); step++) {
            double[][] batchPred = slice(yPred, step, batchSize);
            Labels batchTrue = slice(yTrue, step, batchSize);
            dataLoss.add(Nnfs.categoricalCrossentropy(batchPred, batchTrue).sampleLosses());
            accuracy.add(hits(batchPred, batchTrue));
        }
        return new Evaluation(dataLoss.value(), accuracy.value());
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

    /**
     * What the book's Loss and Accuracy count since new_pass(): the sum over every sample of
     * the pass, and the samples. NOTE: the pass's value is the sum over the count, NOT the
     * mean of the batches' means, so a short last batch weighs as many samples as it has.
     */
    static final class Accumulated {
        private double sum = 0.0;
        private long count = 0;

        void add(double[] values) {
            for (double v : values) {
                sum += v;
            }
            count += values.length;
        }

        double value() {
            return sum / count;
        }
    }

    /** 1 for each sample whose prediction (the first maximum) is its label, else 0. */
    static double[] hits(double[][] output, Labels yTrue) {
        int[] predictions = Nnfs.accuracy(output, yTrue).predictions();
        int[] labels = yTrue.classes();
        double[] hits = new double[predictions.length];
        for (int b = 0; b < hits.length; b++) {
            hits[b] = predictions[b] == labels[b] ? 1.0 : 0.0;
        }
        return hits;
    }

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
