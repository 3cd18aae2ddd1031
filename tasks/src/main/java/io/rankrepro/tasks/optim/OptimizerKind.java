package io.rankrepro.tasks.optim;

import java.util.Arrays;
import java.util.List;

/** The optimizers a spec can name: {@code sgd}, {@code adam-l2}, {@code adamw}. */
public enum OptimizerKind {
    SGD("sgd"), ADAM_L2("adam-l2"), ADAMW("adamw");

    private final String specName;

    OptimizerKind(String specName) {
        this.specName = specName;
    }

    public String specName() {
        return specName;
    }

    public static OptimizerKind parse(String name) {
        for (OptimizerKind k : values()) {
            if (k.specName.equals(name)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown optimizer '" + name + "'; use one of "
                + Arrays.stream(values()).map(OptimizerKind::specName).toList());
    }

    /** @param momentum used by {@link #SGD} only; {@code adam} by the Adam variants only */
    public Optimizer create(List<ParameterGroup> groups, LrSchedule schedule, AdamSettings adam, double momentum) {
        return switch (this) {
            case SGD -> new Sgd(groups, schedule, momentum);
            case ADAM_L2 -> new AdamL2(groups, schedule, adam);
            case ADAMW -> new AdamW(groups, schedule, adam);
        };
    }
}
