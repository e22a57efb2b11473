package nnfs;

import org.nnfsconform.kit.Kit;

/**
 * The Java port of nnfs-conformance: the book's stages ({@link Nnfs}, {@link Training},
 * {@link Model}) and the book tier ({@link Book}, {@link Chapters}: the book's own float32
 * numbers) served by the kit (kits/java), which speaks protocol 1 and checks every input. Run it under the suite's runner:
 * {@code nnfs-conform run -- java -jar ports/java/target/nnfs-port.jar}
 */
public final class Port {
    private Port() {}

    public static void main(String[] args) {
        Kit.port("java-plain", "float64").version("0.1.0")
                .neuron(Nnfs::neuron)
                .layer(Nnfs::layer)
                .denseBatch(Nnfs::denseBatch)
                .relu(Nnfs::relu)
                .denseRelu(Nnfs::denseRelu)
                .softmax(Nnfs::softmax)
                .denseReluDenseSoftmax(Nnfs::denseReluDenseSoftmax)
                .categoricalCrossentropy(Nnfs::categoricalCrossentropy)
                .accuracy(Nnfs::accuracy)
                .forward(Nnfs::forward)
                .denseBackward(Training::denseBackward)
                .reluBackward(Training::reluBackward)
                .repeatedForward(Training::repeatedForward)
                .softmaxBackward(Training::softmaxBackward)
                .categoricalCrossentropyBackward(Training::categoricalCrossentropyBackward)
                .softmaxCrossentropyBackward(Training::softmaxCrossentropyBackward)
                .regularization(Training::regularization)
                .dropout(Training::dropout)
                .sigmoid(Training::sigmoid)
                .binaryCrossentropy(Training::binaryCrossentropy)
                .binaryAccuracy(Training::binaryAccuracy)
                .linear(Training::linear)
                .meanSquaredError(Training::meanSquaredError)
                .meanAbsoluteError(Training::meanAbsoluteError)
                .regressionAccuracy(Training::regressionAccuracy)
                .sgdStep(Training::sgdStep)
                .adagradStep(Training::adagradStep)
                .rmspropStep(Training::rmspropStep)
                .adamStep(Training::adamStep)
                .sharedOptimizer(Training::sharedOptimizer)
                .training(Training::train)
                .modelTraining(Model::modelTraining)
                .preprocess(Model::preprocess)
                .batches(Model::batches)
                .predictions(Model::predictions)
                .evaluate(Model::evaluate)
                .parameters(Model::parameters)
                .rng(Book::rng)
                .datasets(Book::datasets)
                .init(Book::init)
                .shuffle(Book::shuffle)
                .chapters(Chapters::chapters)
                .serve();
    }
}
