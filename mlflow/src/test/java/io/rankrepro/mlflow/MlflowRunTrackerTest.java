package io.rankrepro.mlflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mlflow.api.proto.Service.Metric;
import org.mlflow.api.proto.Service.Param;
import org.mlflow.api.proto.Service.RunTag;

class MlflowRunTrackerTest {

    /** Records every call; fails the next {@code failures} batches. */
    static final class Recorder implements RunBackend {
        final List<List<Metric>> metricBatches = Collections.synchronizedList(new ArrayList<>());
        final List<List<Param>> paramBatches = new ArrayList<>();
        final List<List<RunTag>> tagBatches = new ArrayList<>();
        final Map<String, Path> uploads = new LinkedHashMap<>();
        int failures;

        @Override
        public void logBatch(String runId, List<Metric> metrics, List<Param> params, List<RunTag> tags) {
            assertEquals("run1", runId);
            if (failures > 0) {
                failures--;
                throw new TrackingException("server down");
            }
            int kinds = (metrics.isEmpty() ? 0 : 1) + (params.isEmpty() ? 0 : 1) + (tags.isEmpty() ? 0 : 1);
            assertEquals(1, kinds, "one kind per batch");
            if (!metrics.isEmpty()) {
                metricBatches.add(metrics);
            }
            if (!params.isEmpty()) {
                paramBatches.add(params);
            }
            if (!tags.isEmpty()) {
                tagBatches.add(tags);
            }
        }

        @Override
        public void uploadArtifact(String runId, Path file, String artifactPath) {
            uploads.put(artifactPath, file);
        }

        List<Metric> allMetrics() {
            return metricBatches.stream().flatMap(List::stream).toList();
        }
    }

    private final Recorder backend = new Recorder();
    private final AtomicLong clock = new AtomicLong(1_000);
    private final MlflowRunTracker tracker = new MlflowRunTracker("run1", backend, clock::get);

    @Test
    void metricsAreBatchedAtMostAThousandAndSentInOrder() {
        for (int step = 0; step < 2500; step++) {
            tracker.logMetric("loss", 1.0 / (step + 1), step);
        }
        // Two full batches went out on their own; the rest waits for flush.
        assertEquals(List.of(1000, 1000), backend.metricBatches.stream().map(List::size).toList());
        tracker.flush();
        assertEquals(List.of(1000, 1000, 500), backend.metricBatches.stream().map(List::size).toList());
        List<Metric> all = backend.allMetrics();
        for (int step = 0; step < 2500; step++) {
            assertEquals(step, all.get(step).getStep());
            assertEquals(1.0 / (step + 1), all.get(step).getValue());
            assertEquals(1_000, all.get(step).getTimestamp());
        }
        tracker.flush();
        assertEquals(3, backend.metricBatches.size(), "an empty flush sends nothing");
    }

    @Test
    void oldBufferedMetricsAreSentWithoutWaitingForAFullBatch() {
        tracker.logMetric("loss", 1, 0);
        clock.addAndGet(MlflowRunTracker.MAX_BUFFER_AGE_MILLIS - 1);
        tracker.logMetric("loss", 2, 1);
        assertEquals(0, backend.metricBatches.size());
        clock.addAndGet(1);
        tracker.logMetric("loss", 3, 2);
        assertEquals(List.of(3), backend.metricBatches.stream().map(List::size).toList());
    }

    @Test
    void aFailedFlushKeepsTheMetricsForTheNextOne() {
        tracker.logMetric("a", 1, 0);
        backend.failures = 1;
        assertThrows(TrackingException.class, tracker::flush);
        tracker.logMetric("a", 2, 1);
        tracker.close();
        assertEquals(List.of(1.0, 2.0), backend.allMetrics().stream().map(Metric::getValue).toList());
    }

    @Test
    void paramsAndTagsGoInChunksOfAHundredWithLongValuesTruncated() {
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < 250; i++) {
            params.put(String.format("p%03d", i), "v" + i);
        }
        params.put("long", "x".repeat(7000));
        tracker.logParams(params);
        assertEquals(List.of(100, 100, 51), backend.paramBatches.stream().map(List::size).toList());
        Param longParam = backend.paramBatches.get(0).get(0);
        assertEquals("long", longParam.getKey(), "sorted by key");
        assertEquals(MlflowLimits.MAX_PARAM_VALUE_LENGTH, longParam.getValue().length());

        Map<String, String> tags = new LinkedHashMap<>();
        for (int i = 0; i < 101; i++) {
            tags.put("t" + i, "y".repeat(9000));
        }
        tracker.setTags(tags);
        assertEquals(List.of(100, 1), backend.tagBatches.stream().map(List::size).toList());
        assertTrue(backend.tagBatches.get(0).stream().allMatch(t -> t.getValue().length() == MlflowLimits.MAX_TAG_VALUE_LENGTH));
    }

    @Test
    void aBadKeyFailsAtTheCallAndLeavesNothingBuffered() {
        assertThrows(IllegalArgumentException.class, () -> tracker.logMetric("bad,key", 1, 0));
        assertThrows(IllegalArgumentException.class, () -> tracker.logParams(Map.of("ok", "1", "a//b", "2")));
        tracker.flush();
        assertEquals(0, backend.metricBatches.size());
        assertEquals(0, backend.paramBatches.size(), "params are all checked before any is sent");
    }

    @Test
    void concurrentLoggingLosesNothingAndKeepsBatchesWithinTheLimit() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        for (int t = 0; t < 8; t++) {
            String key = "thread" + t;
            pool.submit(() -> {
                for (int step = 0; step < 1000; step++) {
                    tracker.logMetric(key, step, step);
                }
            });
        }
        pool.shutdown();
        assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        tracker.flush();
        assertEquals(8000, backend.allMetrics().size());
        assertTrue(backend.metricBatches.stream().allMatch(b -> b.size() <= MlflowLimits.MAX_METRICS_PER_BATCH));
        for (int t = 0; t < 8; t++) {
            String key = "thread" + t;
            List<Long> steps = backend.allMetrics().stream().filter(m -> m.getKey().equals(key)).map(Metric::getStep).toList();
            assertEquals(1000, steps.size());
            for (int i = 0; i < 1000; i++) {
                assertEquals(i, steps.get(i), "each thread's points stay in order");
            }
        }
    }

    @Test
    void artifactsKeepTheirRelativePathsUnderTheArtifactDir(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("out/nested/deeper"));
        Files.writeString(dir.resolve("out/a.txt"), "a");
        Files.writeString(dir.resolve("out/nested/deeper/b.bin"), "b");
        Files.writeString(dir.resolve("single.json"), "{}");
        tracker.logArtifacts(dir.resolve("out"), "outputs/");
        tracker.logArtifact(dir.resolve("single.json"), "");
        tracker.logArtifacts(dir.resolve("out/nested"), "");
        assertEquals(List.of("outputs/a.txt", "outputs/nested/deeper/b.bin", "single.json", "deeper/b.bin"),
                List.copyOf(backend.uploads.keySet()));
        assertThrows(IllegalArgumentException.class, () -> tracker.logArtifact(dir.resolve("out"), ""));
        assertThrows(IllegalArgumentException.class, () -> tracker.logArtifact(dir.resolve("single.json"), "../x"));
    }

    @Test
    void rankMetricsAtACheckpointStepGoToThatStepsModelAndNothingElseDoes() {
        Recorder backend = new Recorder();
        Map<String, List<Metric>> linked = new LinkedHashMap<>();
        int[] linkedCalls = {0};
        RunBackend withModels = new RunBackend() {
            @Override
            public void logBatch(String runId, List<Metric> metrics, List<Param> params, List<RunTag> tags) {
                backend.logBatch(runId, metrics, params, tags);
            }

            @Override
            public void uploadArtifact(String runId, Path file, String artifactPath) {
            }

            @Override
            public void logModelMetrics(String runId, Map<String, List<Metric>> metricsByModel) {
                linkedCalls[0]++;
                metricsByModel.forEach((modelId, metrics) -> linked.computeIfAbsent(modelId, k -> new ArrayList<>()).addAll(metrics));
            }
        };
        MlflowRunTracker t = new MlflowRunTracker("run1", withModels, () -> 0L);
        t.linkModels(Map.of(100L, "m-100", 200L, "m-200"));
        t.logMetric("rank/kq/stable_rank/layer_0", 1.5, 100);
        t.logMetric("rank/kq/stable_rank/layer_0", 2.5, 200);
        t.logMetric("balance/pv/imbalance/layer_0", 0.25, 200);
        t.logMetric("rank/kq/stable_rank/layer_0", 3.5, 300); // no checkpoint model at 300
        t.logMetric("train/loss", 9.0, 100); // not a checkpoint measurement
        t.flush();
        assertEquals(List.of(1.5), linked.get("m-100").stream().map(Metric::getValue).toList());
        assertEquals(List.of(2.5, 0.25), linked.get("m-200").stream().map(Metric::getValue).toList());
        assertEquals(List.of(3.5, 9.0), backend.allMetrics().stream().map(Metric::getValue).toList(), "the rest as before, once");
        assertEquals(1, linkedCalls[0], "both models' points in one call, not one per model");
    }
}
