package io.rankrepro.tasks.toy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@code diagonal-toy/perturb} did ({@code perturbations.json}), so the figure can check the
 * claims without the run's params. Holds no timings, so a rerun writes the same bytes.
 *
 * @param alpha         init scale
 * @param learningRate  η
 * @param dim           d
 * @param switchOnTimes GD's switch-on τ of greedy stages 0, 1, ... (0 for stage 0, -1 when GD never got there)
 * @param runs          the two perturbations, "inside" then "start"
 */
public record PerturbationRecord(double alpha, double learningRate, int dim, double[] switchOnTimes, List<Run> runs) {

    /**
     * One perturbation.
     *
     * @param name             "inside" or "start"
     * @param stage            the greedy stage it refers to
     * @param stageCoordinate  that stage's coordinate, e.g. {@code kq[0]}
     * @param switchLevel      |w| of that coordinate that marks its switch-on (half its greedy value)
     * @param step             the step whose weights were perturbed
     * @param tau              its rescaled time
     * @param scale            log-factor noise
     * @param window           inside: the relaxation window in τ; start: how long before the switch-on it happened
     * @param perturbed        the coordinates whose factors were perturbed
     */
    public record Run(String name, int stage, String stageCoordinate, double switchLevel, long step, double tau,
                      double scale, double window, List<String> perturbed) { }

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    public PerturbationRecord {
        switchOnTimes = switchOnTimes.clone();
        runs = List.copyOf(runs);
    }

    @Override
    public double[] switchOnTimes() {
        return switchOnTimes.clone();
    }

    public Run run(String name) {
        return runs.stream().filter(r -> r.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no perturbation '" + name + "' in " + runs));
    }

    public void write(Path file) throws IOException {
        JSON.writeValue(file.toFile(), this);
    }

    public static PerturbationRecord read(Path file) throws IOException {
        return JSON.readValue(file.toFile(), PerturbationRecord.class);
    }
}
