package org.nnfsconform.kit;

/**
 * Thrown by a learner's stage to decline a case it cannot compute yet (an optimizer not
 * written): the kit answers {"seq":N,"unsupported":reason}, which the suite counts as not
 * applicable, never as a pass.
 */
public class Unsupported extends RuntimeException {
    public Unsupported(String reason) {
        super(reason);
    }
}
