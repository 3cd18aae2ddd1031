package io.rankrepro.tasks.toy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Path;

/**
 * What a train task did, written next to its outputs ({@code train.json}) so analysis and
 * figures can convert steps to rescaled time and label the configuration without its params.
 * Holds no timings, so a rerun writes the same bytes.
 */
public record TrainRecord(double alpha, double learningRate, double tauMax, long steps, int dim, int tokens,
                          int samples) {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    public RescaledTime time() {
        return new RescaledTime(alpha, learningRate);
    }

    public void write(Path file) throws IOException {
        JSON.writeValue(file.toFile(), this);
    }

    public static TrainRecord read(Path file) throws IOException {
        return JSON.readValue(file.toFile(), TrainRecord.class);
    }
}
