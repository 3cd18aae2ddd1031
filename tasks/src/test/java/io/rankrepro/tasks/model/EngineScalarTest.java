package io.rankrepro.tasks.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class EngineScalarTest {

    /** The backward pass reads the scalar after the garbage collector has run and its old memory is reused. */
    @Test
    void aScaleSurvivesTheCollectorUntilTheBackwardPass() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            for (DataType dtype : List.of(DataType.FLOAT32, DataType.FLOAT64)) {
                for (int trial = 0; trial < 20; trial++) {
                    NDArray w = m.create(new float[] {1, 2, 3}).toType(dtype, false);
                    w.setRequiresGradient(true);
                    NDArray scale = EngineScalar.of(m, 3.0, dtype);
                    try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                        NDArray y = w.mul(scale).sum();
                        churn();
                        gc.backward(y);
                    }
                    churn(); // the scale is read again by the next trial's forward pass
                    assertArrayEquals(new double[] {3, 3, 3}, w.getGradient().toType(DataType.FLOAT64, false).toDoubleArray(), 0,
                            dtype + " trial " + trial);
                }
            }
        }
    }

    @Test
    void theValueIsExactInFloat64() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            double s = 1 / Math.sqrt(8);
            assertEquals(s, EngineScalar.of(m, s, DataType.FLOAT64).getDouble(), 0);
            assertEquals((float) s, EngineScalar.of(m, s, DataType.FLOAT32).getFloat(), 0f);
        }
    }

    /**
     * No class that builds a forward pass (the model package, the training tasks' losses) calls
     * NDArray arithmetic with a Java Number: those go through a from_blob temporary that autograd
     * may read after it is freed (see EngineScalar).
     */
    @Test
    void noForwardPassMultipliesByAJavaNumber() throws IOException {
        Path classes = Path.of("target", "classes", "io", "rankrepro", "tasks");
        List<String> offenders = new ArrayList<>();
        // every package whose arrays autograd tracks; optim updates weights outside autograd, where the
        // temporary is used at once and no backward pass reads it later
        for (String pkg : List.of("model", "train", "deeplinear", "incontext", "weightdecay", "toy", "factorized", "gradual")) {
            try (Stream<Path> files = Files.walk(classes.resolve(pkg))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                    for (String call : numberCalls(f)) {
                        offenders.add(classes.relativize(f) + ": " + call);
                    }
                }
            }
        }
        assertEquals(List.of(), offenders);
    }

    private static void churn() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            List<ByteBuffer> fill = new ArrayList<>();
            for (int j = 0; j < 2000; j++) {
                ByteBuffer b = ByteBuffer.allocateDirect(4);
                b.putFloat(0, 1e6f);
                fill.add(b);
            }
        }
    }

    /**
     * Out-of-place arithmetic, whose result autograd tracks and whose backward may read the scalar.
     * Comparisons (no gradient) and in-place updates of constants (masks built once) are fine.
     */
    private static final java.util.Set<String> ARITHMETIC = java.util.Set.of("mul", "div", "pow", "add", "sub", "rdiv", "rsub",
            "rpow", "maximum", "minimum", "mod", "rmod", "clip");

    /** NDArray arithmetic taking a java.lang.Number that the class file calls (from its constant pool). */
    private static List<String> numberCalls(Path classFile) throws IOException {
        try (InputStream in = Files.newInputStream(classFile); DataInputStream d = new DataInputStream(in)) {
            d.readInt();
            d.readUnsignedShort();
            d.readUnsignedShort();
            int n = d.readUnsignedShort();
            Object[] pool = new Object[n];
            int[][] refs = new int[n][];
            for (int i = 1; i < n; i++) {
                int tag = d.readUnsignedByte();
                switch (tag) {
                    case 1 -> pool[i] = d.readUTF();
                    case 3, 4 -> d.readInt();
                    case 5, 6 -> { d.readLong(); i++; }
                    case 7, 8, 16, 19, 20 -> refs[i] = new int[] {tag, d.readUnsignedShort()};
                    case 9, 10, 11, 12, 17, 18 -> refs[i] = new int[] {tag, d.readUnsignedShort(), d.readUnsignedShort()};
                    case 15 -> { d.readUnsignedByte(); d.readUnsignedShort(); }
                    default -> throw new IOException(classFile + ": constant pool tag " + tag);
                }
            }
            List<String> calls = new ArrayList<>();
            for (int i = 1; i < n; i++) {
                if (refs[i] == null || (refs[i][0] != 10 && refs[i][0] != 11)) {
                    continue;
                }
                String owner = (String) pool[refs[refs[i][1]][1]];
                int[] nat = refs[refs[i][2]];
                String name = (String) pool[nat[1]];
                String desc = (String) pool[nat[2]];
                if (owner.startsWith("ai/djl/") && owner.contains("NDArray") && desc.contains("Ljava/lang/Number;")
                        && ARITHMETIC.contains(name)) {
                    calls.add(owner + "." + name + desc);
                }
            }
            return calls;
        }
    }
}
