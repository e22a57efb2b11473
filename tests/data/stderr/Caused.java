public class Caused {
    static double parse(String text) {
        return Double.parseDouble(text);
    }

    static double load(String text) {
        try {
            return parse(text);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("cannot read the weights", e);
        }
    }

    public static void main(String[] args) {
        load("1.0.0");
    }
}
