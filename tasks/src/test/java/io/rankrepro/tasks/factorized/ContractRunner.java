package io.rankrepro.tasks.factorized;

import io.rankrepro.mlflow.RunTracker;
import io.rankrepro.tasks.task.Contract;
import io.rankrepro.tasks.task.Params;
import io.rankrepro.tasks.task.ParamsBinding;
import io.rankrepro.tasks.task.Progress;
import io.rankrepro.tasks.task.SpecInfo;
import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskContext;
import io.rankrepro.tasks.task.TaskInput;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs a task as the runner will once contracts are enforced: each upstream output is handed over
 * as a folder holding only the files the task declares it reads from that stage (inputs of
 * undeclared stages are not handed over at all), and every file it writes must match its declared
 * outputs. Shared by the tests of paper A's toy, deep-linear and in-context kinds.
 */
public final class ContractRunner {
    private final Path root;
    private final SpecInfo spec;

    public ContractRunner(Path root, SpecInfo spec) {
        this.root = root;
        this.spec = spec;
    }

    /** Runs {@code task} on {@code params} (spec names) and the declared part of {@code upstream}; returns its output as an input. */
    public TaskInput run(Task task, String id, String stage, Map<String, Object> params, Map<String, Object> sweep,
                         List<TaskInput> upstream) throws Exception {
        Contract contract = task.contract();
        assertNotNull(contract, task.kind() + " declares no contract");
        ParamsBinding.bind(contract.params(), params); // refuses what the planner will refuse
        String safe = id.replaceAll("[^A-Za-z0-9.=-]", "_");
        List<TaskInput> inputs = new ArrayList<>();
        for (TaskInput in : upstream) {
            var declared = contract.input(in.stage());
            if (declared.isEmpty()) {
                continue;
            }
            Path dir = Files.createDirectories(root.resolve("in").resolve(safe).resolve(in.taskId().replaceAll("[^A-Za-z0-9.=-]", "_")));
            for (String name : declared.get().files()) {
                Path from = in.dir().resolve(name);
                assertTrue(Files.exists(from), task.kind() + " reads " + name + " of " + in.taskId() + ", which did not write it");
                copy(from, dir.resolve(name));
            }
            inputs.add(new TaskInput(in.taskId(), in.stage(), in.sweepPoint(), dir));
        }
        for (Contract.Input declared : contract.inputs()) {
            assertTrue(declared.optional() || inputs.stream().anyMatch(i -> i.stage().equals(declared.stage())),
                    task.kind() + " declares stage " + declared.stage() + ", not among its upstreams");
        }
        Path out = Files.createDirectories(root.resolve("out").resolve(safe));
        task.run(new TaskContext(id, stage, spec, new Params(params), sweep, inputs, out, RunTracker.none(), Progress.none()));
        List<String> written = files(out);
        assertTrue(!written.isEmpty(), task.kind() + " wrote nothing");
        for (String f : written) {
            assertTrue(contract.writes(f), task.kind() + " wrote " + f + ", not among its declared outputs " + contract.outputs());
        }
        return new TaskInput(id, stage, sweep, out);
    }

    /** Every file under {@code dir}, relative and '/'-separated, sorted. */
    public static List<String> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString().replace('\\', '/')).sorted().toList();
        }
    }

    /** Every read {@code reader} declares from {@code stage} is among the declared outputs of {@code writer}. */
    public static void assertProvides(Task writer, Task reader, String stage) {
        Contract.Input in = reader.contract().input(stage).orElseThrow(() -> new AssertionError(reader.kind() + " reads nothing of " + stage));
        assertTrue(!in.files().isEmpty(), reader.kind() + " declares stage " + stage + " without files");
        for (String f : in.files()) {
            assertTrue(writer.contract().provides(f), reader.kind() + " reads " + f + " of " + stage + ", which " + writer.kind() + " does not declare");
        }
    }

    /** {@code good} with {@code param} set to {@code bad} is refused with a problem naming {@code param}. */
    public static void assertRefused(Class<? extends Record> type, Map<String, Object> good, String param, Object bad) {
        Map<String, Object> m = new HashMap<>(good);
        m.put(param, bad);
        ParamsBinding.Problems e = assertThrows(ParamsBinding.Problems.class, () -> ParamsBinding.bind(type, m),
                param + " = " + bad + " was accepted");
        assertTrue(e.problems().stream().anyMatch(p -> p.startsWith(param + ":")), param + " = " + bad + " not reported: " + e.problems());
    }

    /** {@code good} without {@code param} is refused as required. */
    public static void assertRequired(Class<? extends Record> type, Map<String, Object> good, String param) {
        Map<String, Object> m = new HashMap<>(good);
        m.remove(param);
        ParamsBinding.Problems e = assertThrows(ParamsBinding.Problems.class, () -> ParamsBinding.bind(type, m));
        assertEquals(List.of(param + ": required"), e.problems());
    }

    private static void copy(Path from, Path to) throws IOException {
        if (Files.isDirectory(from)) {
            try (Stream<Path> s = Files.walk(from)) {
                for (Path p : s.toList()) {
                    Path target = to.resolve(from.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(target);
                    } else {
                        Files.createDirectories(target.getParent());
                        Files.copy(p, target);
                    }
                }
            }
        } else {
            Files.createDirectories(to.getParent());
            Files.copy(from, to);
        }
    }
}
