package nnfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nnfsconform.kit.Types.Printed;
import org.nnfsconform.kit.Types.RngCall;

/** The numbers docs/BOOK.md quotes from the book and from np.random.seed(0). */
class BookTest {
    @Test
    void seedZeroStartsWithNumpysOutputsDoublesAndGaussians() {
        assertArrayEquals(new double[] {2357136044.0, 2546248239.0, 3071714933.0},
                Book.rng(0, new RngCall[] {new RngCall(0, 3)}));
        assertArrayEquals(new double[] {0.5488135039273248, 0.7151893663724195},
                Book.rng(0, new RngCall[] {new RngCall(1, 2)}));
        assertArrayEquals(new double[] {1.764052345967664, 0.4001572083672233,
            0.9787379841057392}, Book.rng(0, new RngCall[] {new RngCall(2, 3)}));
    }

    @Test
    void theCachedGaussianCarriesOverToTheNextCall() {
        assertArrayEquals(Book.rng(0, new RngCall[] {new RngCall(2, 5)}),
                Book.rng(0, new RngCall[] {new RngCall(2, 3), new RngCall(2, 2)}));
    }

    @Test
    void seedZeroShufflesTenKeysAsNumpyDoes() {
        assertArrayEquals(new int[] {2, 8, 4, 9, 1, 6, 7, 3, 0, 5}, Book.shuffle(0, 10));
    }

    @Test
    void logIsCorrectlyRounded() {
        assertEquals(0.0, Book.log(1.0));
        assertEquals(-Math.log(2), Book.log(0.5)); // ln 2 rounds to the same double
        assertEquals(-0.10536051565782628, Book.log(0.9));
        assertEquals(-1.1102230246251565e-16, Book.log(1 - Math.ulp(1.0) / 2));
    }

    @Test
    void pairwiseSumOfEightOnesAndMoreIsExact() {
        float[] ones = new float[300];
        java.util.Arrays.fill(ones, 1f);
        assertEquals(300f, Chapters.pairwiseSum(ones, 0, ones.length));
    }

    @Test
    void chapterFivePrintsLoss1Point0986104AndAccuracy0Point34() {
        Printed loss = Chapters.chapters(0, 100, 3, 3, 0, "loss", "sgd", 1, 0, 0);
        assertEquals(1.0986104f, (float) ((Printed.Scalar) loss).value());
        Printed accuracy = Chapters.chapters(0, 100, 3, 3, 0, "accuracy", "sgd", 1, 0, 0);
        assertEquals(0.34, ((Printed.Scalar) accuracy).value());
    }
}
