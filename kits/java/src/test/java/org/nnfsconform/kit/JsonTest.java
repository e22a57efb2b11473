package org.nnfsconform.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void readsHardNumbersAsTheNearestDouble() {
        List<?> xs = (List<?>) Json.parse(
                "[5e-324, 1e+23, 9007199254740993, -0.0, 2.2250738585072014e-308, 0.1]");
        assertEquals(Double.MIN_VALUE, xs.get(0));
        assertEquals(1e23, xs.get(1));
        assertEquals(9007199254740992.0, xs.get(2));
        assertEquals(Double.doubleToRawLongBits(-0.0),
                Double.doubleToRawLongBits((Double) xs.get(3)));
        assertEquals(Double.MIN_NORMAL, xs.get(4));
        assertEquals(0.1, xs.get(5));
    }

    @Test
    void writesEveryDoubleSoThatItReadsBackAsTheSameDouble() {
        SplittableRandom random = new SplittableRandom(15);
        double[] hard = {Double.MIN_VALUE, Double.MIN_NORMAL, Double.MAX_VALUE, 0.1 + 0.2, 1e23,
            2e-323, 9007199254740993.0, 5e-324 * 3, 1.7976931348623157e308 / 3, -0.0};
        for (int i = 0; i < 20_000 + hard.length; i++) {
            double x = i < hard.length ? hard[i] : Double.longBitsToDouble(random.nextLong());
            if (!Double.isFinite(x)) {
                continue;
            }
            String text = Json.write(new double[] {x});
            double back = (Double) ((List<?>) Json.parse(text)).get(0);
            assertEquals(Double.doubleToRawLongBits(x), Double.doubleToRawLongBits(back), text);
        }
    }

    @Test
    void writesNonFiniteNumbersAsTheProtocolsStrings() {
        double[] xs = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 1e-7};
        assertEquals("[\"NaN\",\"Infinity\",\"-Infinity\",-0.0,1.0E-7]", Json.write(xs));
    }

    @Test
    void refusesWhatIsNotStrictJson() {
        for (String bad : new String[] {"{\"a\":1", "{\"a\":1}}", "{\"a\":1,\"a\":2}", "[01]",
            "[1.]", "[.5]", "[+1]", "[NaN]", "[Infinity]", "{'a':1}", "[1,]", "\"a\tb\"",
            "\"\\x\"", "", "loss 1.09", "[" .repeat(100_000)}) {
            assertThrows(Json.Error.class, () -> Json.parse(bad), bad);
        }
    }

    @Test
    void escapesMessagesSoTheyReadBackUnchanged() {
        String message = "a \"quote\", a \\ and\na line, \u0001, caf\u00e9, \ud83d\ude00, \ud800";
        String text = Json.write(Map.of("message", message));
        assertEquals(text.chars().allMatch(c -> c >= 0x20 && c < 0x7f), true, text);
        assertEquals(Map.of("message", message), Json.parse(text));
    }
}
