package nnfs;

import java.util.Random;
import org.nnfsconform.kit.Kit;
// import org.nnfsconform.kit.Types.*;     // Labels, Loss, Accuracy, Params, Step... (the stubs)
// import org.nnfsconform.kit.Unsupported; // throw new Unsupported("why") declines a case

/**
 * {{name}}: the network of Neural Networks from Scratch, one stage at a time. Every argument
 * has been checked by the kit (shapes, labels, domains), so the code reads like the book's.
 * Shapes: B samples, K inputs, N neurons, C classes, H hidden units, O outputs.
 */
public final class Network {
    public static void main(String[] args) {
        Kit.port("{{name}}", "float64")
                .neuron(Network::neuron)
                .denseBatch(Network::denseBatch)
                // .layer(Network::layer)
                // .relu(Network::relu)
                // .denseRelu(Network::denseRelu)
                // .softmax(Network::softmax)
                // .denseReluDenseSoftmax(Network::denseReluDenseSoftmax)
                // .categoricalCrossentropy(Network::categoricalCrossentropy)
                // .accuracy(Network::accuracy)
                // .forward(Network::forward)
                // .denseBackward(Network::denseBackward)
                // .reluBackward(Network::reluBackward)
                // .repeatedForward(Network::repeatedForward)
                // .softmaxBackward(Network::softmaxBackward)
                // .categoricalCrossentropyBackward(Network::categoricalCrossentropyBackward)
                // .softmaxCrossentropyBackward(Network::softmaxCrossentropyBackward)
                // .regularization(Network::regularization)
                // .dropout(Network::dropout)
                // .sigmoid(Network::sigmoid)
                // .binaryCrossentropy(Network::binaryCrossentropy)
                // .binaryAccuracy(Network::binaryAccuracy)
                // .linear(Network::linear)
                // .meanSquaredError(Network::meanSquaredError)
                // .meanAbsoluteError(Network::meanAbsoluteError)
                // .regressionAccuracy(Network::regressionAccuracy)
                // .sgdStep(Network::sgdStep)
                // .adagradStep(Network::adagradStep)
                // .rmspropStep(Network::rmspropStep)
                // .adamStep(Network::adamStep)
                // .sharedOptimizer(Network::sharedOptimizer)
                // .training(Network::train)
                // .modelTraining(Network::modelTraining)
                // .preprocess(Network::preprocess)
                // .batches(Network::batches)
                // .predictions(Network::predictions)
                // .evaluate(Network::evaluate)
                // .parameters(Network::parameters)
                // .rng(Network::rng)
                // .datasets(Network::datasets)
                // .init(Network::init)
                // .shuffle(Network::shuffle)
                // .chapters(Network::chapters)
                .serve();
    }

    // Chapter 1: one neuron. inputs (K), weights (K), bias -> output
    static double neuron(double[] inputs, double[] weights, double bias) {
        double output = 0.0;
        for (int k = 0; k < inputs.length; k++) {
            output += inputs[k] * weights[k];
        }
        return output + bias;
    }

    // Chapter 3: a dense layer, weights (K, N) and biases (N) as Layer_Dense keeps them.
    static final class LayerDense {
        double[][] weights;
        double[] biases;
        double[][] output;

        LayerDense(int nInputs, int nNeurons) {
            Random random = new Random(0);
            weights = new double[nInputs][nNeurons];
            for (double[] row : weights) {
                for (int n = 0; n < nNeurons; n++) {
                    row[n] = 0.01 * random.nextGaussian();
                }
            }
            biases = new double[nNeurons];
        }

        /** output (B, N) = inputs (B, K) @ weights + biases */
        void forward(double[][] inputs) {
            output = new double[inputs.length][biases.length];
            for (int b = 0; b < inputs.length; b++) {
                for (int n = 0; n < biases.length; n++) {
                    double total = 0.0;
                    for (int k = 0; k < weights.length; k++) {
                        total += inputs[b][k] * weights[k][n];
                    }
                    output[b][n] = total + biases[n];
                }
            }
        }
    }

    // inputs (B, K), weights (K, N), biases (N) -> output (B, N). The kit transposes chapter 2's
    // per-neuron weight rows (weights_layout "neurons_inputs") before they get here.
    static double[][] denseBatch(double[][] inputs, double[][] weights, double[] biases) {
        LayerDense dense = new LayerDense(weights.length, biases.length);
        dense.weights = weights;
        dense.biases = biases;
        dense.forward(inputs);
        return dense.output;
    }

    // The other stages: write one, then uncomment its line in main. docs/STAGES.md has the
    // formulas and conventions (clipping, ties, signs).
    //
    // Chapter 2: inputs (K), weights (N, K): one row per neuron, biases (N) -> output (N)
    // static double[] layer(double[] inputs, double[][] weights, double[] biases)
    //
    // Chapter 4: inputs (B, K) -> (B, K) (a rank-1 input arrives as one row); logits (B, C)
    // static double[][] relu(double[][] inputs)
    // static double[][] softmax(double[][] inputs)
    // static DenseRelu denseRelu(double[][] inputs, double[][] weights, double[] biases)  // (dense, relu)
    // static DenseReluDenseSoftmax denseReluDenseSoftmax(double[][] inputs, double[][] weights1,
    //         double[] biases1, double[][] weights2, double[] biases2)  // (dense1, relu1, dense2, softmax)
    //
    // Chapter 5: y_pred (B, C); yTrue.classes() gives class indices, yTrue.oneHot(C) rows
    // static Loss categoricalCrossentropy(double[][] yPred, Labels yTrue)  // new Loss(sampleLosses, mean)
    // static Accuracy accuracy(double[][] yPred, Labels yTrue)  // new Accuracy(predictions, accuracy)
    // static Forward forward(double[][] inputs, double[][] weights1, double[] biases1,
    //                        double[][] weights2, double[] biases2, Labels yTrue)
    //
    // Chapter 9: backward passes
    // static DenseGradients denseBackward(double[][] inputs, double[][] weights, double[][] dvalues)
    // static double[][] reluBackward(double[][] inputs, double[][] dvalues)
    // One LayerDense and one ReLU object called on inputs1 (B, K), then inputs2 (D, K), then
    // backward(dvalues (D, N)): new RepeatedForward(output1, output2, dweights, dbiases, dinputs)
    // static RepeatedForward repeatedForward(double[][] inputs1, double[][] inputs2,
    //         double[][] weights, double[] biases, double[][] dvalues)
    // static double[][] softmaxBackward(double[][] output, double[][] dvalues)
    // static double[][] categoricalCrossentropyBackward(double[][] yPred, Labels yTrue)
    // static double[][] softmaxCrossentropyBackward(double[][] yPred, Labels yTrue, String path)  // "combined" or "separate"
    //
    // Chapters 14 to 17: regularization, dropout, sigmoid, binary cross-entropy, MSE, MAE
    // static Regularization regularization(double[][] weights, double[] biases, double weightL1,
    //                                      double weightL2, double biasL1, double biasL2)
    // static Activation dropout(double[][] inputs, double[][] mask, double rate, double[][] dvalues)
    // static Activation sigmoid(double[][] inputs, double[][] dvalues)
    // static LossGradient binaryCrossentropy(double[][] yPred, double[][] yTrue)
    // static BinaryAccuracy binaryAccuracy(double[][] yPred, double[][] yTrue)  // (int[][], accuracy)
    // static Activation linear(double[][] inputs, double[][] dvalues)
    // static LossGradient meanSquaredError(double[][] yPred, double[][] yTrue)
    // static LossGradient meanAbsoluteError(double[][] yPred, double[][] yTrue)
    // static double regressionAccuracy(double[][] yPred, double[][] yTrue, double precision)
    //
    // Chapter 10: one optimizer step on one layer (null for the state an optimizer keeps none of)
    // static Step sgdStep(Params params, Params grads, Params momentums, long iterations,
    //                     double learningRate, double decay, double momentum)
    // static Step adagradStep(Params params, Params grads, Params cache, long iterations,
    //                         double learningRate, double decay, double epsilon)
    // static Step rmspropStep(Params params, Params grads, Params cache, long iterations,
    //                         double learningRate, double decay, double epsilon, double rho)
    // static Step adamStep(Params params, Params grads, Params momentums, Params cache,
    //                      long iterations, double learningRate, double decay, double epsilon,
    //                      double beta1, double beta2)
    // One Optimizer_Adam for two layers, `steps` steps: new Layers(layer1, layer2)
    // static Layers sharedOptimizer(Params layer1, Params layer2, Params grads1, Params grads2,
    //                               int steps, double learningRate, double decay,
    //                               double epsilon, double beta1, double beta2)
    //
    // Chapter 10's training loop; optimizer is "sgd", "adagrad", "rmsprop" or "adam"
    // static Trajectory train(double[][] inputs, Labels yTrue, double[][] weights1,
    //                         double[] biases1, double[][] weights2, double[] biases2,
    //                         int steps, String optimizer, Hyperparameters hyperparameters)
    //
    // Chapters 18 to 22: the Model
    // Model.train with validation_data over epochs of mini-batches (regularizers: layer 1's)
    // -> new ModelTrajectory(loss, dataLoss, regularizationLoss, accuracy, learningRate,
    //                        validationLoss, validationAccuracy, layer1, layer2)
    // static ModelTrajectory modelTraining(double[][] inputs, Labels yTrue,
    //         double[][] validationInputs, Labels validationYTrue, double[][] weights1,
    //         double[] biases1, double[][] weights2, double[] biases2, int epochs, int batchSize,
    //         Regularizers regularizers, String optimizer, Hyperparameters hyperparameters)
    // images (B, H, W) of bytes, labels (B), keys (B) a permutation -> new Preprocessed(x, y)
    // static Preprocessed preprocess(int[][][] images, int[] labels, int[] keys)
    // Model.train's batches -> new Batches(steps, batchSizes, firstRows, lastRows)
    // static Batches batches(double[][] inputs, int batchSize)
    // activation "softmax" -> new Predictions.Classes(int[]), "sigmoid" -> Predictions.Binary
    // (int[][]), "linear" -> Predictions.Values(double[][])
    // static Predictions predictions(double[][] inputs, String activation)
    // static Evaluation evaluate(double[][] yPred, Labels yTrue, int batchSize)  // (loss, accuracy)
    // Save both layers' parameters to a file, load them into a fresh model, use it:
    // new Loaded(layer1, layer2, output)
    // static Loaded parameters(double[][] inputs, Params layer1, Params layer2)
    //
    // The book tier (docs/BOOK.md): NumPy's random stream, the nnfs datasets, Layer_Dense's
    // first weights, chapter 19's shuffle and the chapter 3-10 script, bit for bit in the
    // book's float32
    // static double[] rng(long seed, RngCall[] calls)  // call.kind(): 0 u32, 1 double, 2 randn
    // static Dataset datasets(long seed, int samples, int classes, String dataset)  // (x, y)
    // static double[] init(long seed, int skip, LayerShape[] shapes, double scale)
    // static int[] shuffle(long seed, int samples)  // np.random.shuffle(keys) of 0 .. samples-1
    // static Printed chapters(long seed, int samples, int classes, int hidden, int steps,
    //                         String printed, String optimizer, double learningRate,
    //                         double decay, double momentum)  // Printed.Scalar or .Rows
}
