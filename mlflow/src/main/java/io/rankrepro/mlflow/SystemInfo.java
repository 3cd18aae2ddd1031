package io.rankrepro.mlflow;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The machine a task ran on, as run tags. MLflow's own system metrics are time series named
 * {@code system/...} (e.g. {@code system/gpu_0_memory_usage_megabytes}); facts that do not change
 * during a run are tags here, named {@code system.<what>} in the style of MLflow's {@code mlflow.*}
 * tags (a '/' in a tag key reads as a path in the UI):
 * {@code system.host, system.os, system.cpu, system.cpu_count, system.memory_total_mb, system.java,
 * system.gpu, system.gpu_count, system.gpu_memory_mb, system.gpu_driver}. Without a GPU,
 * {@code system.gpu} is {@code none} and the other GPU tags are absent.
 */
public final class SystemInfo {

    public static final String PREFIX = "system.";
    public static final String NO_GPU = "none";
    private static final String NVIDIA_SMI_QUERY = "--query-gpu=name,memory.total,driver_version";

    /** One GPU as nvidia-smi reports it; memory in MiB. */
    public record Gpu(String name, long memoryMb, String driver) {
    }

    private SystemInfo() {
    }

    /** The tags of this machine; reads /proc and runs nvidia-smi (at most 10 s) once per call. */
    public static Map<String, String> tags() {
        Map<String, String> t = new LinkedHashMap<>();
        t.put(PREFIX + "host", hostName());
        t.put(PREFIX + "os", System.getProperty("os.name") + " " + System.getProperty("os.version")
                + " " + System.getProperty("os.arch"));
        t.put(PREFIX + "cpu", cpuModel(read(Path.of("/proc/cpuinfo"))));
        t.put(PREFIX + "cpu_count", Integer.toString(Runtime.getRuntime().availableProcessors()));
        long memKb = memTotalKb(read(Path.of("/proc/meminfo")));
        if (memKb > 0) {
            t.put(PREFIX + "memory_total_mb", Long.toString(memKb / 1024));
        }
        t.put(PREFIX + "java", System.getProperty("java.version") + " (" + System.getProperty("java.vm.name")
                + ", " + System.getProperty("java.vendor") + ")");
        t.putAll(gpuTags(gpus(runNvidiaSmi())));
        return t;
    }

    /** The {@code system.gpu*} tags of {@code gpus}; several GPUs are listed joined by "; ". */
    static Map<String, String> gpuTags(List<Gpu> gpus) {
        Map<String, String> t = new LinkedHashMap<>();
        if (gpus.isEmpty()) {
            t.put(PREFIX + "gpu", NO_GPU);
            return t;
        }
        t.put(PREFIX + "gpu", String.join("; ", gpus.stream().map(Gpu::name).toList()));
        t.put(PREFIX + "gpu_count", Integer.toString(gpus.size()));
        t.put(PREFIX + "gpu_memory_mb", String.join("; ", gpus.stream().map(g -> Long.toString(g.memoryMb())).toList()));
        t.put(PREFIX + "gpu_driver", String.join("; ", gpus.stream().map(Gpu::driver).distinct().toList()));
        return t;
    }

    /** The first "model name" of /proc/cpuinfo, or "unknown". */
    static String cpuModel(String cpuinfo) {
        for (String line : cpuinfo.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).strip().equals("model name")) {
                return line.substring(colon + 1).strip();
            }
        }
        return "unknown";
    }

    /** MemTotal of /proc/meminfo in kB, or -1. */
    static long memTotalKb(String meminfo) {
        for (String line : meminfo.split("\n")) {
            if (line.startsWith("MemTotal:")) {
                String[] parts = line.substring("MemTotal:".length()).strip().split("\\s+");
                try {
                    return Long.parseLong(parts[0]);
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    /** Parses {@code nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader}. */
    static List<Gpu> gpus(String csv) {
        List<Gpu> out = new ArrayList<>();
        for (String line : csv.split("\n")) {
            String[] f = line.split(",");
            if (f.length < 3) {
                continue;
            }
            String mem = f[f.length - 2].strip().replaceAll("[^0-9]", "");
            String name = String.join(",", java.util.Arrays.copyOf(f, f.length - 2)).strip();
            out.add(new Gpu(name, mem.isEmpty() ? -1 : Long.parseLong(mem), f[f.length - 1].strip()));
        }
        return out;
    }

    private static String runNvidiaSmi() {
        try {
            Process p = new ProcessBuilder("nvidia-smi", NVIDIA_SMI_QUERY, "--format=csv,noheader")
                    .redirectErrorStream(false).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            // Wait first: a wedged driver can hang nvidia-smi; its few lines fit in the pipe buffer.
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "";
            }
            byte[] out = p.getInputStream().readAllBytes();
            return p.exitValue() == 0 ? new String(out, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return ""; // no nvidia-smi: no NVIDIA GPU to report
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static String hostName() {
        String env = System.getenv("HOSTNAME");
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return env == null ? "unknown" : env;
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "";
        }
    }
}
