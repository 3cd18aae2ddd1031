package io.rankrepro.tasks.toy;

import io.rankrepro.tasks.task.Contract;
import io.rankrepro.tasks.task.TaskInput;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Small, fast configurations shared by the toy tests. */
final class ToyFixtures {
    /** The cpu profile's teacher (d = 5): four stages vo[0], kq[0], vo[2], kq[3]. */
    static final DiagonalTeacher TEACHER = new DiagonalTeacher(
            new double[] {0.5, 0, 0, -1.0, 0}, new double[] {1.2, 0, -0.5, 0, 0});

    private ToyFixtures() { }

    static ToyDataset data(int samples) {
        return ToyDataset.generate(samples, 4, TEACHER, 0);
    }

    /** Generic weights with every entry nonzero, for gradient checks. */
    static DiagonalHeadWeights genericWeights(int d, long seed) {
        java.util.Random r = new java.util.Random(seed);
        double[][] v = new double[4][d];
        for (double[] row : v) {
            for (int i = 0; i < d; i++) {
                row[i] = 0.3 + 0.7 * r.nextDouble() * (r.nextBoolean() ? 1 : -1);
            }
        }
        return new DiagonalHeadWeights(v[0], v[1], v[2], v[3]);
    }

    /**
     * What the runner hands a task with {@code contract}: per input of a declared stage, a folder
     * holding only the declared files (hard links); inputs of undeclared stages are left out.
     */
    static List<TaskInput> declared(Contract contract, List<TaskInput> inputs, Path scratch) throws IOException {
        List<TaskInput> out = new ArrayList<>();
        for (TaskInput in : inputs) {
            var declared = contract.input(in.stage());
            if (declared.isEmpty()) {
                continue;
            }
            Path dir = Files.createDirectories(scratch.resolve(in.taskId().replaceAll("[^A-Za-z0-9.=-]", "_")));
            for (String name : declared.get().files()) {
                Path source = in.dir().resolve(name);
                if (name.endsWith("/")) {
                    if (!Files.isDirectory(source)) {
                        continue;
                    }
                    try (Stream<Path> files = Files.walk(source)) {
                        for (Path f : files.filter(Files::isRegularFile).toList()) {
                            Path target = dir.resolve(in.dir().relativize(f).toString());
                            Files.createDirectories(target.getParent());
                            Files.createLink(target, f);
                        }
                    }
                } else if (Files.isRegularFile(source)) {
                    Files.createLink(dir.resolve(name), source);
                }
            }
            out.add(new TaskInput(in.taskId(), in.stage(), in.sweepPoint(), dir));
        }
        return out;
    }

    /** Every file under {@code dir} is among the contract's declared outputs. */
    static void assertWritesDeclared(Contract contract, Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String rel = dir.relativize(f).toString().replace('\\', '/');
                assertTrue(contract.writes(rel), rel + " is written but not declared in " + contract.outputs());
            }
        }
    }
}
