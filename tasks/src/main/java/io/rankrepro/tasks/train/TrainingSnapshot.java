package io.rankrepro.tasks.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.rankrepro.tasks.io.SafetensorsDtype;
import io.rankrepro.tasks.io.SafetensorsFile;
import io.rankrepro.tasks.io.SafetensorsReader;
import io.rankrepro.tasks.io.SafetensorsTensor;
import io.rankrepro.tasks.io.SafetensorsWriter;
import io.rankrepro.tasks.optim.Optimizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@code transformer/train} needs to continue exactly where it stopped: every parameter and
 * every optimizer state array in its own type (float32 values round-trip exactly through the
 * safetensors doubles), and the number of updates done. The data sampler is not saved: it is
 * replayed ({@link TrainingData#skip}).
 */
final class TrainingSnapshot {
    static final String WEIGHTS = "weights.safetensors";
    static final String OPTIMIZER = "optimizer.safetensors";
    private static final String STEPS = "optimizer_steps";

    private TrainingSnapshot() { }

    static void write(Path stateDir, Map<String, NDArray> params, Optimizer optimizer) throws IOException {
        SafetensorsWriter.write(stateDir.resolve(WEIGHTS), tensors(params), Map.of());
        SafetensorsWriter.write(stateDir.resolve(OPTIMIZER), tensors(optimizer.state()), Map.of(STEPS, Long.toString(optimizer.steps())));
    }

    /** Copies the snapshot's values into the live parameters and optimizer state; returns the updates done. */
    static long restore(Path stateDir, Map<String, NDArray> params, Optimizer optimizer) throws IOException {
        copyInto(SafetensorsReader.read(stateDir.resolve(WEIGHTS)), params);
        SafetensorsFile state = SafetensorsReader.read(stateDir.resolve(OPTIMIZER));
        copyInto(state, optimizer.state());
        long steps = Long.parseLong(state.metadata().get(STEPS));
        optimizer.resumeAt(steps);
        return steps;
    }

    private static List<SafetensorsTensor> tensors(Map<String, NDArray> named) {
        List<SafetensorsTensor> out = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : named.entrySet()) {
            NDArray a = e.getValue();
            SafetensorsDtype dtype = switch (a.getDataType()) {
                case FLOAT32 -> SafetensorsDtype.F32;
                case FLOAT64 -> SafetensorsDtype.F64;
                default -> throw new IllegalArgumentException(e.getKey() + " is " + a.getDataType() + "; snapshots hold float32/float64");
            };
            out.add(new SafetensorsTensor(e.getKey(), dtype, a.getShape().getShape(), a.toType(DataType.FLOAT64, false).toDoubleArray()));
        }
        return out;
    }

    private static void copyInto(SafetensorsFile file, Map<String, NDArray> live) {
        if (!file.tensors().keySet().equals(live.keySet())) {
            throw new IllegalStateException("resume snapshot does not match the model: it has " + file.tensors().keySet().size()
                    + " arrays, the model " + live.size() + " (names differ: " + difference(file.tensors().keySet(), live.keySet()) + ")");
        }
        for (Map.Entry<String, NDArray> e : live.entrySet()) {
            NDArray target = e.getValue();
            SafetensorsTensor t = file.tensor(e.getKey());
            if (!java.util.Arrays.equals(t.shape(), target.getShape().getShape())) {
                throw new IllegalStateException("resume snapshot: " + e.getKey() + " has shape " + java.util.Arrays.toString(t.shape())
                        + ", the model " + target.getShape());
            }
            NDManager m = target.getManager();
            NDArray doubles = m.create(t.data(), target.getShape());
            NDArray values = doubles.toType(target.getDataType(), false);
            values.copyTo(target);
            values.close();
            doubles.close();
        }
    }

    private static String difference(java.util.Set<String> a, java.util.Set<String> b) {
        java.util.Set<String> onlyA = new java.util.TreeSet<>(a);
        onlyA.removeAll(b);
        java.util.Set<String> onlyB = new java.util.TreeSet<>(b);
        onlyB.removeAll(a);
        return "snapshot only " + onlyA + ", model only " + onlyB;
    }
}
