package io.rankrepro.mlflow;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import oshi.hardware.GlobalMemory;
import oshi.hardware.HardwareAbstractionLayer;
import oshi.hardware.NetworkIF;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MLflow's system metrics, sampled while a task runs and logged to its run under MLflow's own names,
 * so the UI's System metrics tab shows them: {@code system/cpu_utilization_percentage},
 * {@code system/system_memory_usage_megabytes}, {@code system/system_memory_usage_percentage},
 * {@code system/disk_usage_percentage}, {@code system/disk_usage_megabytes},
 * {@code system/disk_available_megabytes}, {@code system/network_receive_megabytes},
 * {@code system/network_transmit_megabytes} (since the sampling started, as MLflow does) and, per
 * NVIDIA GPU {@code i}, {@code system/gpu_<i>_utilization_percentage},
 * {@code system/gpu_<i>_memory_usage_megabytes}, {@code system/gpu_<i>_memory_usage_percentage}.
 * Host figures come from OSHI; GPU figures from {@code nvidia-smi}, asked only when one answered.
 *
 * <p>One sample at start (step 0), one every interval, one at {@link #close()}; step = sample index,
 * as MLflow's own monitor counts. The interval and the switch are MLflow's environment variables
 * {@value #ENV_INTERVAL} (seconds, default 10) and {@value #ENV_ENABLED} ({@code false} turns it off).
 */
public final class SystemMetrics implements AutoCloseable {
    public static final String ENV_INTERVAL = "MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL";
    public static final String ENV_ENABLED = "MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING";
    public static final String PREFIX = "system/";
    private static final Logger LOG = LoggerFactory.getLogger(SystemMetrics.class);
    private static final double MB = 1024.0 * 1024.0;
    private static final String GPU_QUERY = "--query-gpu=index,utilization.gpu,memory.used,memory.total";

    /** Whether to sample and how often. */
    public record Settings(boolean enabled, Duration interval) {
        public Settings {
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException(ENV_INTERVAL + " must be a positive number of seconds, got " + interval);
            }
        }

        /** From {@value #ENV_ENABLED} and {@value #ENV_INTERVAL}; a bad interval is an error naming the variable. */
        public static Settings fromEnv(Map<String, String> env) {
            boolean enabled = !"false".equalsIgnoreCase(env.getOrDefault(ENV_ENABLED, "true").strip());
            String v = env.getOrDefault(ENV_INTERVAL, "10").strip();
            double seconds;
            try {
                seconds = Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(ENV_INTERVAL + " must be a number of seconds, got '" + v + "'");
            }
            if (!(seconds > 0) || Double.isInfinite(seconds)) {
                throw new IllegalArgumentException(ENV_INTERVAL + " must be a positive number of seconds, got '" + v + "'");
            }
            return new Settings(enabled, Duration.ofMillis(Math.max(1, Math.round(seconds * 1000))));
        }
    }

    private final RunTracker tracker;
    private final Probe probe;
    private final ScheduledExecutorService thread;
    private long step;
    private boolean closed;
    private long samplingNanos;

    private SystemMetrics(RunTracker tracker, Probe probe, Duration interval) {
        this.tracker = tracker;
        this.probe = probe;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "system-metrics");
            t.setDaemon(true);
            return t;
        });
        if (probe != null) {
            thread.scheduleAtFixedRate(this::logSample, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Starts sampling into {@code tracker}; samples nothing when disabled or when the run is not tracked. */
    public static SystemMetrics start(RunTracker tracker, Settings settings) {
        boolean on = settings.enabled() && tracker.runId() != null;
        long t0 = System.nanoTime();
        Probe probe = on ? new Probe(Path.of("/")) : null;
        SystemMetrics s = new SystemMetrics(tracker, probe, settings.interval());
        s.addSamplingTime(System.nanoTime() - t0);
        return s;
    }

    /** The time spent reading the machine so far, the probe's start included: what sampling costs a task. */
    public synchronized Duration samplingTime() {
        return Duration.ofNanos(samplingNanos);
    }

    private synchronized void addSamplingTime(long nanos) {
        samplingNanos += nanos;
    }

    /** One reading of this machine under MLflow's names (for the bench and tests). */
    public static Map<String, Double> sampleOnce() {
        Probe p = new Probe(Path.of("/"));
        return p.sample();
    }

    private synchronized void logSample() {
        if (closed || probe == null) {
            return;
        }
        long t0 = System.nanoTime();
        try {
            long s = step++;
            probe.sample().forEach((k, v) -> tracker.logMetric(k, v, s));
            samplingNanos += System.nanoTime() - t0;
        } catch (RuntimeException e) {
            // a failed reading must not end the task; the next one may work
            LOG.debug("system metrics sample failed: {}", e.toString());
        }
    }

    /** Logs a last sample and stops; the tracker's next flush sends it. */
    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        logSample();
        synchronized (this) {
            closed = true;
        }
    }

    /**
     * The readings: OSHI for CPU, memory and network, the JDK for the disk, nvidia-smi for GPUs. On
     * Linux the CPU ticks come from OSHI's /proc/stat driver: building OSHI's CentralProcessor reads
     * the whole CPU topology and took 1.2 s on a loaded 2-core machine, more than every later sample.
     */
    static final class Probe {
        private static final int IDLE = oshi.hardware.CentralProcessor.TickType.IDLE.getIndex();
        private static final int IOWAIT = oshi.hardware.CentralProcessor.TickType.IOWAIT.getIndex();
        private final oshi.SystemInfo system = new oshi.SystemInfo();
        private final HardwareAbstractionLayer hardware = system.getHardware();
        private final boolean linux = oshi.SystemInfo.getCurrentPlatform() == oshi.PlatformEnum.LINUX;
        private final List<NetworkIF> interfaces = hardware.getNetworkIFs(); // listed once: listing costs 10 ms
        private final Path disk;
        private long[] ticks;
        private final long rx0;
        private final long tx0;
        private boolean gpus = true;

        Probe(Path disk) {
            this.disk = disk;
            this.ticks = cpuTicks();
            long[] net = network();
            rx0 = net[0];
            tx0 = net[1];
        }

        Map<String, Double> sample() {
            Map<String, Double> m = new LinkedHashMap<>();
            long[] now = cpuTicks();
            m.put(PREFIX + "cpu_utilization_percentage", utilization(ticks, now));
            ticks = now;
            GlobalMemory mem = hardware.getMemory();
            long used = mem.getTotal() - mem.getAvailable();
            m.put(PREFIX + "system_memory_usage_megabytes", used / MB);
            m.put(PREFIX + "system_memory_usage_percentage", 100.0 * used / mem.getTotal());
            try {
                FileStore store = Files.getFileStore(disk);
                long total = store.getTotalSpace();
                long free = store.getUsableSpace();
                m.put(PREFIX + "disk_usage_percentage", total == 0 ? 0 : 100.0 * (total - free) / total);
                m.put(PREFIX + "disk_usage_megabytes", (total - free) / MB);
                m.put(PREFIX + "disk_available_megabytes", free / MB);
            } catch (IOException e) {
                // no disk figures this time
            }
            long[] net = network();
            m.put(PREFIX + "network_receive_megabytes", (net[0] - rx0) / MB);
            m.put(PREFIX + "network_transmit_megabytes", (net[1] - tx0) / MB);
            if (gpus) {
                String csv = nvidiaSmi();
                if (csv == null) {
                    gpus = false; // no NVIDIA GPU here: never ask again
                } else {
                    m.putAll(gpuMetrics(csv));
                }
            }
            return m;
        }

        private long[] cpuTicks() {
            return linux ? oshi.util.driver.linux.proc.CpuStat.getSystemCpuLoadTicks() : hardware.getProcessor().getSystemCpuLoadTicks();
        }

        private long[] network() {
            long rx = 0;
            long tx = 0;
            for (NetworkIF nif : interfaces) {
                nif.updateAttributes();
                rx += nif.getBytesRecv();
                tx += nif.getBytesSent();
            }
            return new long[] {rx, tx};
        }
    }

    /** Busy share of the CPU time between two readings of OSHI's tick counters (idle and iowait count as idle), in %. */
    static double utilization(long[] before, long[] after) {
        long total = 0;
        for (int i = 0; i < Math.min(before.length, after.length); i++) {
            total += after[i] - before[i];
        }
        long idle = (after[Probe.IDLE] - before[Probe.IDLE]) + (after[Probe.IOWAIT] - before[Probe.IOWAIT]);
        return total <= 0 ? 0 : 100.0 * (total - idle) / total;
    }

    /**
     * The GPU metrics of {@code nvidia-smi --query-gpu=index,utilization.gpu,memory.used,memory.total
     * --format=csv,noheader,nounits}; a field nvidia-smi reports as "[N/A]" is left out.
     */
    static Map<String, Double> gpuMetrics(String csv) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (String line : csv.split("\n")) {
            String[] f = line.split(",");
            if (f.length < 4) {
                continue;
            }
            String i = f[0].strip();
            Double util = number(f[1]);
            Double used = number(f[2]);
            Double total = number(f[3]);
            if (util != null) {
                m.put(PREFIX + "gpu_" + i + "_utilization_percentage", util);
            }
            if (used != null) {
                m.put(PREFIX + "gpu_" + i + "_memory_usage_megabytes", used);
                if (total != null && total > 0) {
                    m.put(PREFIX + "gpu_" + i + "_memory_usage_percentage", 100 * used / total);
                }
            }
        }
        return m;
    }

    private static Double number(String s) {
        try {
            return Double.parseDouble(s.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The query's output, or null when there is no nvidia-smi or it fails. */
    private static String nvidiaSmi() {
        try {
            Process p = new ProcessBuilder(List.of("nvidia-smi", GPU_QUERY, "--format=csv,noheader,nounits"))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.exitValue() == 0 && !out.isBlank() ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
