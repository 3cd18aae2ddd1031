package io.rankrepro.mlflow;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SystemMetricsTest {
    @Test
    void gpuLinesBecomeMlflowsPerGpuMetrics() {
        Map<String, Double> m = SystemMetrics.gpuMetrics("0, 87, 30000, 81920\n1, [N/A], 1024, 4096\n");
        assertEquals(87.0, m.get("system/gpu_0_utilization_percentage"));
        assertEquals(30000.0, m.get("system/gpu_0_memory_usage_megabytes"));
        assertEquals(100.0 * 30000 / 81920, m.get("system/gpu_0_memory_usage_percentage"), 1e-12);
        assertEquals(25.0, m.get("system/gpu_1_memory_usage_percentage"), 1e-12);
        assertTrue(!m.containsKey("system/gpu_1_utilization_percentage"), "N/A is left out: " + m);
    }

    @Test
    void cpuUtilizationIsTheBusyShareOfTheTicksBetweenTwoReadings() {
        // user nice system idle iowait irq softirq steal
        long[] before = {100, 0, 50, 800, 50, 0, 0, 0};
        long[] after = {160, 0, 70, 880, 70, 10, 10, 0}; // +60 +20 busy, +80 idle, +20 iowait, +10 +10 busy
        assertEquals(100.0 * 100 / 200, SystemMetrics.utilization(before, after), 1e-12);
        assertEquals(0.0, SystemMetrics.utilization(after, after));
    }

    @Test
    void settingsComeFromMlflowsVariables() {
        assertEquals(Duration.ofSeconds(10), SystemMetrics.Settings.fromEnv(Map.of()).interval());
        assertEquals(Duration.ofMillis(500), SystemMetrics.Settings.fromEnv(Map.of(SystemMetrics.ENV_INTERVAL, "0.5")).interval());
        assertTrue(!SystemMetrics.Settings.fromEnv(Map.of(SystemMetrics.ENV_ENABLED, "false")).enabled());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SystemMetrics.Settings.fromEnv(Map.of(SystemMetrics.ENV_INTERVAL, "soon")));
        assertTrue(e.getMessage().contains(SystemMetrics.ENV_INTERVAL), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SystemMetrics.Settings.fromEnv(Map.of(SystemMetrics.ENV_INTERVAL, "-1")));
    }

    @Test
    void aSampleAgreesWithTheKernelsOwnFigures() throws Exception {
        Map<String, Double> m = SystemMetrics.sampleOnce();
        double cpu = m.get("system/cpu_utilization_percentage");
        assertTrue(cpu >= 0 && cpu <= 100, "cpu " + cpu);
        long memTotalKb = SystemInfo.memTotalKb(Files.readString(Path.of("/proc/meminfo")));
        double usedMb = m.get("system/system_memory_usage_megabytes");
        assertTrue(usedMb > 0 && usedMb <= memTotalKb / 1024.0, usedMb + " of " + memTotalKb / 1024 + " MB");
        assertEquals(100 * usedMb / (memTotalKb / 1024.0), m.get("system/system_memory_usage_percentage"), 0.5);
        var store = Files.getFileStore(Path.of("/"));
        assertEquals(store.getUsableSpace() / 1048576.0, m.get("system/disk_available_megabytes"), 512); // others write meanwhile
        assertTrue(m.get("system/network_receive_megabytes") >= 0);
        m.keySet().forEach(k -> assertTrue(MetricNames.matches(k), k));
    }

    @Test
    void samplesAtStartEveryIntervalAndAtCloseWithOneStepEach() throws Exception {
        List<Object[]> logged = new ArrayList<>();
        RunTracker recorder = new RunTracker() {
            @Override public String runId() { return "r"; }
            @Override public void logParams(Map<String, String> p) { }
            @Override public void setTags(Map<String, String> t) { }
            @Override public synchronized void logMetric(String key, double value, long step) { logged.add(new Object[] {key, step}); }
            @Override public void logArtifact(Path f, String d) { }
            @Override public void logArtifacts(Path d, String a) { }
            @Override public void flush() { }
        };
        SystemMetrics s = SystemMetrics.start(recorder, new SystemMetrics.Settings(true, Duration.ofMillis(50)));
        Thread.sleep(300);
        s.close();
        int after = logged.size();
        Thread.sleep(120);
        assertEquals(after, logged.size(), "nothing is logged after close");
        List<Long> cpuSteps;
        synchronized (recorder) {
            cpuSteps = logged.stream().filter(e -> e[0].equals("system/cpu_utilization_percentage")).map(e -> (Long) e[1]).toList();
        }
        assertTrue(cpuSteps.size() >= 2, "start and close at least: " + cpuSteps);
        assertEquals(cpuSteps.size(), new TreeSet<>(cpuSteps).size(), "one point per step");
        assertEquals(0L, cpuSteps.get(0));
        assertEquals(cpuSteps.size() - 1, (long) cpuSteps.get(cpuSteps.size() - 1));
    }
}
