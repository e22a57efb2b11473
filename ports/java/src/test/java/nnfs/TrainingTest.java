package nnfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;
import org.nnfsconform.kit.Types.BinaryAccuracy;
import org.nnfsconform.kit.Types.DenseGradients;
import org.nnfsconform.kit.Types.Layers;
import org.nnfsconform.kit.Types.LossGradient;
import org.nnfsconform.kit.Types.Params;
import org.nnfsconform.kit.Types.RepeatedForward;
import org.nnfsconform.kit.Types.Step;

class TrainingTest {
    @Test
    void reluBackwardMasksOnTheInputsIncludingZero() {
        double[] dinputs = Training.reluBackward(new double[] {-1, 0, -0.0, 2},
                new double[] {5, 5, 5, -5});
        assertArrayEquals(new double[] {0, 0, 0, -5}, dinputs);
    }

    @Test
    void denseBackwardSumsTheBiasGradientOverTheBatch() {
        DenseGradients gradients = Training.denseBackward(
                new double[][] {{1, 2}, {3, 4}}, new double[][] {{1, 0, 2}, {0, 1, 3}},
                new double[][] {{1, 1, 1}, {2, 2, 2}});
        assertArrayEquals(new double[] {3, 3, 3}, gradients.dbiases());
        assertArrayEquals(new double[] {7, 7, 7}, gradients.dweights()[0]);
        assertArrayEquals(new double[] {3, 4}, gradients.dinputs()[0]);
    }

    @Test
    void meanAbsoluteErrorHasNoGradientWhereThePredictionIsRight() {
        LossGradient mae = Training.meanAbsoluteError(
                new double[][] {{1, 3, 2}}, new double[][] {{1, 2, 4}});
        assertArrayEquals(new double[] {0, 1.0 / 3, -1.0 / 3}, mae.dinputs()[0]);
    }

    @Test
    void sgdWithoutMomentumLeavesTheMomentumsAlone() {
        Params momentums = new Params(new double[][] {{7}}, new double[] {8});
        Step step = Training.sgdStep(
                new Params(new double[][] {{1}}, new double[] {1}),
                new Params(new double[][] {{2}}, new double[] {4}),
                momentums, 3, 1.0, 0.5, 0.0);
        assertSame(momentums, step.momentums());
        assertEquals(0.4, step.learningRate()); // 1 / (1 + 0.5·3)
        assertEquals(4, step.iterations());
        assertEquals(1 - 0.4 * 2, step.params().weights()[0][0], 1e-15);
    }

    @Test
    void adamsFirstStepMovesEachWeightByTheLearningRate() {
        Params zeros = new Params(new double[][] {{0, 0}}, new double[] {0, 0});
        Step step = Training.adamStep(zeros,
                new Params(new double[][] {{0.5, -3}}, new double[] {2, 0}),
                zeros, zeros, 0, 0.01, 0, 1e-7, 0.9, 0.999);
        assertArrayEquals(new double[] {-0.01, 0.01}, step.params().weights()[0], 1e-8);
    }

    @Test
    void aLayerCalledTwiceKeepsNothingOfTheFirstBatch() {
        RepeatedForward r = Training.repeatedForward(new double[][] {{1}, {-1}, {2}},
                new double[][] {{-3}}, new double[][] {{1}}, new double[] {0},
                new double[][] {{5}});
        assertArrayEquals(new double[][] {{1}, {0}, {2}}, r.output1());
        assertArrayEquals(new double[][] {{0}}, r.output2());
        assertArrayEquals(new double[][] {{0}}, r.dweights()); // masked on -3, not on 2
        assertArrayEquals(new double[] {0}, r.dbiases());
    }

    @Test
    void binaryAccuracyCountsExactlyHalfAsClassZeroOverEveryOutput() {
        BinaryAccuracy a = Training.binaryAccuracy(new double[][] {{0.5, 0.75}, {0.25, 0.5}},
                new double[][] {{0, 1}, {0, 1}});
        assertArrayEquals(new int[][] {{0, 1}, {0, 0}}, a.predictions());
        assertEquals(0.75, a.accuracy());
    }

    @Test
    void regressionAccuracyIsStrictlyWithinThePrecision() {
        assertEquals(0.5, Training.regressionAccuracy(new double[][] {{1.0, 1.5}},
                new double[][] {{1.25, 1.5}}, 0.25));
    }

    @Test
    void oneAdamForTwoLayersCountsItsIterationsPerStep() {
        Params layer = new Params(new double[][] {{0}}, new double[] {0});
        Params grads = new Params(new double[][] {{1}}, new double[] {1});
        Layers shared = Training.sharedOptimizer(layer, layer, grads, grads, 2, 0.1, 1.0, 1e-7,
                0.9, 0.999);
        Step once = Training.adamStep(layer, grads, Training.zerosLike(layer),
                Training.zerosLike(layer), 0, 0.1, 1.0, 1e-7, 0.9, 0.999);
        Step twice = Training.adamStep(once.params(), grads, once.momentums(), once.cache(), 1,
                0.1, 1.0, 1e-7, 0.9, 0.999);
        assertEquals(twice.params().weights()[0][0], shared.layer1().weights()[0][0]);
        assertEquals(twice.params().weights()[0][0], shared.layer2().weights()[0][0]);
        assertEquals(0.05, twice.learningRate()); // decayed once per step: 0.1 / (1 + 1·1)
    }
}
