package nnfs;

/** Invalid inputs: {@code kind} is one of the suite's five error kinds. */
public class StageError extends RuntimeException {
    public final String kind;

    public StageError(String kind, String message) {
        super(message);
        this.kind = kind;
    }
}
