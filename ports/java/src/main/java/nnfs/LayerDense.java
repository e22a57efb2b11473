package nnfs;

import org.nnfsconform.kit.Types.DenseGradients;
import org.nnfsconform.kit.Types.Params;
import org.nnfsconform.kit.Types.Regularizers;

/**
 * The book's Layer_Dense: weights (K, N), biases (N). It keeps what its last forward pass saw,
 * as the book's {@code self.inputs}, so backward and get_parameters read it; the arithmetic is
 * the stage methods' ({@link Nnfs#denseBatch}, {@link Training#denseBackward}). The stages
 * about the objects themselves (repeated_forward, parameters) use it.
 */
final class LayerDense {
    double[][] weights;
    double[] biases;
    double[][] inputs;
    double[][] output;
    double[][] dweights;
    double[] dbiases;
    double[][] dinputs;
    double weightRegularizerL1;
    double weightRegularizerL2;
    double biasRegularizerL1;
    double biasRegularizerL2;

    /**
     * A fresh layer of nInputs x nNeurons. NOTE: the book starts from 0.01 * randn; the
     * layers here are always given their parameters (set_parameters), so zeros will do.
     */
    LayerDense(int nInputs, int nNeurons) {
        weights = new double[nInputs][nNeurons];
        biases = new double[nNeurons];
    }

    /** A layer holding these parameters (the arrays themselves, as NumPy would). */
    LayerDense(double[][] weights, double[] biases) {
        this.weights = weights;
        this.biases = biases;
    }

    /** The same, with the book's four regularization factors (chapter 14). */
    LayerDense(double[][] weights, double[] biases, Regularizers regularizers) {
        this(weights, biases);
        weightRegularizerL1 = regularizers.weightL1();
        weightRegularizerL2 = regularizers.weightL2();
        biasRegularizerL1 = regularizers.biasL1();
        biasRegularizerL2 = regularizers.biasL2();
    }

    /** output = inputs @ weights + biases; remembers the inputs for backward. */
    void forward(double[][] inputs) {
        this.inputs = inputs;
        output = Nnfs.denseBatch(inputs, weights, biases);
    }

    /**
     * The gradients of the LAST forward pass's inputs, with the regularization's added to the
     * parameters' as the book's Layer_Dense.backward does: each term only when its factor is
     * &gt; 0, the L1 term first (its sign +1 at 0), then the L2 term.
     */
    void backward(double[][] dvalues) {
        DenseGradients gradients = Training.denseBackward(inputs, weights, dvalues);
        dweights = gradients.dweights();
        dbiases = gradients.dbiases();
        dinputs = gradients.dinputs();
        for (int k = 0; k < weights.length; k++) {
            for (int n = 0; n < weights[k].length; n++) {
                double w = weights[k][n];
                if (weightRegularizerL1 > 0) {
                    dweights[k][n] += weightRegularizerL1 * (w < 0 ? -1.0 : 1.0);
                }
                if (weightRegularizerL2 > 0) {
                    dweights[k][n] += 2 * weightRegularizerL2 * w;
                }
            }
        }
        for (int n = 0; n < biases.length; n++) {
            if (biasRegularizerL1 > 0) {
                dbiases[n] += biasRegularizerL1 * (biases[n] < 0 ? -1.0 : 1.0);
            }
            if (biasRegularizerL2 > 0) {
                dbiases[n] += 2 * biasRegularizerL2 * biases[n];
            }
        }
    }

    /** The regularization loss of the layer's parameters now (Loss.regularization_loss). */
    double regularizationLoss() {
        return Training.regularization(weights, biases, weightRegularizerL1,
                weightRegularizerL2, biasRegularizerL1, biasRegularizerL2).loss();
    }

    /** get_parameters: (weights, biases). */
    Params getParameters() {
        return new Params(weights, biases);
    }

    /** set_parameters: the given weights and biases replace the layer's. */
    void setParameters(double[][] weights, double[] biases) {
        this.weights = weights;
        this.biases = biases;
    }
}
