package nnfs;

/** Invalid inputs: {@code kind} is one of the suite's error kinds (docs/STAGES.md). */
public class StageError extends RuntimeException {
    public final String kind;

    public StageError(String kind, String message) {
        super(message);
        this.kind = kind;
    }
}
