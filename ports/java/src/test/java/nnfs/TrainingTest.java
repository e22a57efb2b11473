package nnfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class TrainingTest {
    @Test
    void reluBackwardMasksOnTheInputsIncludingZero() {
        double[] dinputs = Training.reluBackward(new double[] {-1, 0, -0.0, 2},
                new double[] {5, 5, 5, -5});
        assertArrayEquals(new double[] {0, 0, 0, -5}, dinputs);
    }

    @Test
    void denseBackwardSumsTheBiasGradientOverTheBatch() {
        Training.DenseGradients gradients = Training.denseBackward(
                new double[][] {{1, 2}, {3, 4}}, new double[][] {{1, 0, 2}, {0, 1, 3}},
                new double[][] {{1, 1, 1}, {2, 2, 2}});
        assertArrayEquals(new double[] {3, 3, 3}, gradients.dbiases());
        assertArrayEquals(new double[] {7, 7, 7}, gradients.dweights()[0]);
        assertArrayEquals(new double[] {3, 4}, gradients.dinputs()[0]);
    }

    @Test
    void meanAbsoluteErrorHasNoGradientWhereThePredictionIsRight() {
        Training.LossGradient mae = Training.meanAbsoluteError(
                new double[][] {{1, 3, 2}}, new double[][] {{1, 2, 4}});
        assertArrayEquals(new double[] {0, 1.0 / 3, -1.0 / 3}, mae.dinputs()[0]);
    }

    @Test
    void sgdWithoutMomentumLeavesTheMomentumsAlone() {
        Training.Params momentums = new Training.Params(new double[][] {{7}}, new double[] {8});
        Training.Step step = Training.sgdStep(
                new Training.Params(new double[][] {{1}}, new double[] {1}),
                new Training.Params(new double[][] {{2}}, new double[] {4}),
                momentums, 3, 1.0, 0.5, 0.0);
        assertSame(momentums, step.momentums());
        assertEquals(0.4, step.learningRate()); // 1 / (1 + 0.5·3)
        assertEquals(4, step.iterations());
        assertEquals(1 - 0.4 * 2, step.params().weights()[0][0], 1e-15);
    }

    @Test
    void adamsFirstStepMovesEachWeightByTheLearningRate() {
        Training.Params zeros = new Training.Params(new double[][] {{0, 0}}, new double[] {0, 0});
        Training.Step step = Training.adamStep(zeros,
                new Training.Params(new double[][] {{0.5, -3}}, new double[] {2, 0}),
                zeros, zeros, 0, 0.01, 0, 1e-7, 0.9, 0.999);
        assertArrayEquals(new double[] {-0.01, 0.01}, step.params().weights()[0], 1e-8);
    }

    @Test
    void aStepCountWithAFractionIsAnInvalidValue() throws Exception {
        JsonNode count = Port.JSON.readTree("1.5");
        StageError error = assertThrows(StageError.class, () -> Port.count("iterations", count));
        assertEquals("invalid_value", error.kind);
        assertEquals(2, Port.count("steps", Port.JSON.readTree("2.0")));
    }
}
