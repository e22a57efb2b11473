package nnfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.nnfsconform.kit.Types.Accuracy;
import org.nnfsconform.kit.Types.DenseReluDenseSoftmax;
import org.nnfsconform.kit.Types.Labels;
import org.junit.jupiter.api.Test;

class NnfsTest {
    @Test
    void theBooksFirstNeuronGives35Point7() {
        // Chapter 1: inputs [1.2, 5.1, 2.1], weights [3.1, 2.1, 8.7], bias 3
        double output = Nnfs.neuron(new double[] {1.2, 5.1, 2.1}, new double[] {3.1, 2.1, 8.7}, 3);
        assertEquals(35.7, output, 1e-13);
    }

    @Test
    void theBooksLayerOfThreeNeurons() {
        // Chapter 2: three neurons of four inputs -> [4.8, 1.21, 2.385]
        double[] output = Nnfs.layer(new double[] {1, 2, 3, 2.5},
                new double[][] {{0.2, 0.8, -0.5, 1}, {0.5, -0.91, 0.26, -0.5},
                    {-0.26, -0.27, 0.17, 0.87}},
                new double[] {2, 3, 0.5});
        assertArrayEquals(new double[] {4.8, 1.21, 2.385}, output, 1e-14);
    }

    @Test
    void softmaxOfLargeLogitsDoesNotOverflow() {
        double[][] output = Nnfs.softmax(new double[][] {{1000, 1000}});
        assertArrayEquals(new double[] {0.5, 0.5}, output[0]);
    }

    @Test
    void chapterFoursNetworkKeepsEveryIntermediate() {
        DenseReluDenseSoftmax n = Nnfs.denseReluDenseSoftmax(new double[][] {{1, -2}},
                new double[][] {{1, 0}, {0, 1}}, new double[] {0, 0},
                new double[][] {{1, 0}, {0, 1}}, new double[] {0, 0});
        assertArrayEquals(new double[] {1, -2}, n.dense1()[0]);
        assertArrayEquals(new double[] {1, 0}, n.relu1()[0]);
        assertArrayEquals(new double[] {1, 0}, n.dense2()[0]);
        assertEquals(Math.E / (Math.E + 1), n.softmax()[0][0], 1e-15);
    }

    @Test
    void accuracyReadsOneHotLabelsAsTheirClasses() {
        Accuracy accuracy = Nnfs.accuracy(new double[][] {{0.7, 0.3}, {0.4, 0.6}},
                new Labels.OneHot(new double[][] {{1, 0}, {1, 0}}));
        assertArrayEquals(new int[] {0, 1}, accuracy.predictions());
        assertEquals(0.5, accuracy.accuracy());
    }
}
