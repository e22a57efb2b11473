package nnfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
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

class ModelTest {
    @Test
    void preprocessFlattensRowByRowScalesAndFollowsTheKeys() {
        Preprocessed p = Model.preprocess(new int[][][] {{{0, 255}, {51, 204}}, {{127, 128}, {0, 0}}},
                new int[] {3, 5}, new int[] {1, 0});
        assertArrayEquals(new int[] {5, 3}, p.y());
        assertArrayEquals(new double[] {-1, 1, -0.6, 0.6}, p.x()[1], 1e-15);
        assertArrayEquals(new double[] {-0.5 / 127.5, 0.5 / 127.5, -1, -1}, p.x()[0]);
    }

    @Test
    void aShortLastBatchIsAStepOfItsOwn() {
        double[][] rows = {{0}, {1}, {2}, {3}, {4}};
        Batches b = Model.batches(rows, 2);
        assertEquals(3, b.steps());
        assertArrayEquals(new int[] {2, 2, 1}, b.batchSizes());
        assertArrayEquals(new double[][] {{0}, {2}, {4}}, b.firstRows());
        assertArrayEquals(new double[][] {{1}, {3}, {4}}, b.lastRows());
        assertEquals(1, Model.batches(rows, 8).steps());
    }

    @Test
    void eachOutputActivationPredictsItsOwnWay() {
        double[][] outputs = {{0.25, 0.5, 0.25}, {0.5, 0.5, 0.75}};
        assertArrayEquals(new int[] {1, 2},
                ((Predictions.Classes) Model.predictions(outputs, "softmax")).classes());
        assertArrayEquals(new int[][] {{0, 0, 0}, {0, 0, 1}},
                ((Predictions.Binary) Model.predictions(outputs, "sigmoid")).values());
        assertArrayEquals(outputs,
                ((Predictions.Values) Model.predictions(outputs, "linear")).values());
    }

    @Test
    void evaluateDividesTheSumsOnceNotTheMeanOfBatchMeans() {
        double[][] yPred = {{0.5, 0.5}, {0.5, 0.5}, {0.25, 0.75}};
        Evaluation e = Model.evaluate(yPred, new Labels.Sparse(new int[] {0, 0, 0}), 2);
        assertEquals((2 * Math.log(2) + Math.log(4)) / 3, e.loss(), 1e-15);
        assertEquals(2.0 / 3, e.accuracy()); // argmax of a tie is 0; the mean of means is 1/2
        Evaluation oneHot = Model.evaluate(yPred,
                new Labels.OneHot(new double[][] {{1, 0}, {1, 0}, {1, 0}}), 2);
        assertEquals(e, oneHot);
    }

    @Test
    void anEpochAccumulatesOverSamplesAndTheRateDecaysAcrossEpochs() {
        // identity layers, so the softmax sees the inputs: with a zero learning rate nothing
        // moves, and the epoch's loss is the three sample losses' sum over 3
        double[][] inputs = {{Math.log(3), 0}, {0, 0}, {0, Math.log(3)}};
        Labels y = new Labels.Sparse(new int[] {0, 0, 0});
        Hyperparameters sgd = new Hyperparameters(0, 1, 0, 1e-7, 0.9, 0.9, 0.999);
        ModelTrajectory t = Model.modelTraining(inputs, y, inputs, y,
                new double[][] {{1, 0}, {0, 1}}, new double[] {0, 0},
                new double[][] {{1, 0}, {0, 1}}, new double[] {0, 0}, 2, 2,
                new Regularizers(0, 0, 0, 0), "sgd", sgd);
        double sum = -Math.log(0.75) - Math.log(0.5) - Math.log(0.25);
        assertEquals(sum / 3, t.dataLoss()[1], 1e-15); // not ((l0 + l1) / 2 + l2) / 2
        assertEquals(t.dataLoss()[0], t.loss()[0]); // no regularization: exactly the data loss
        assertEquals(2.0 / 3, t.accuracy()[0]);
        assertEquals(t.dataLoss()[0], t.validationLoss()[0], 1e-15);

        Hyperparameters decaying = new Hyperparameters(1, 1, 0, 1e-7, 0.9, 0.9, 0.999);
        ModelTrajectory d = Model.modelTraining(inputs, y, inputs, y,
                new double[][] {{1, 0}, {0, 1}}, new double[] {0, 0},
                new double[][] {{1, 0}, {0, 1}}, new double[] {0, 0}, 2, 2,
                new Regularizers(0, 0, 0, 0), "sgd", decaying);
        assertEquals(1.0 / (1 + 1), d.learningRate()[0]); // 2 steps an epoch: the last is 1
        assertEquals(1.0 / (1 + 3), d.learningRate()[1]); // and the count goes on: 3
    }

    @Test
    void savedAndLoadedParametersKeepEveryBit() throws Exception {
        Params layer1 = new Params(new double[][] {{0.1 + 0.2, Double.MIN_VALUE}},
                new double[] {-0.0, 1e300});
        Params layer2 = new Params(new double[][] {{1}, {Math.PI}}, new double[] {0.7});
        Loaded loaded = Model.parameters(new double[][] {{1}}, layer1, layer2);
        assertArrayEquals(layer1.weights(), loaded.layer1().weights());
        assertEquals(Double.doubleToRawLongBits(-0.0),
                Double.doubleToRawLongBits(loaded.layer1().biases()[0]));
        assertArrayEquals(layer2.biases(), loaded.layer2().biases());
        assertArrayEquals(new double[][] {{1.0}}, loaded.output()); // one class
    }
}
