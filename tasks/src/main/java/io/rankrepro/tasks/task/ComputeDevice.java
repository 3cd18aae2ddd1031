package io.rankrepro.tasks.task;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.Properties;

/**
 * Where a task's tensors live: the CPU or one GPU. Chosen per run by the {@code device} setting
 * ({@code rankrepro run --device auto|cpu|gpu[:N]}, passed to task JVMs and containers as
 * {@value #ENV}); every training and analysis task makes its tensors through {@link #newManager()},
 * so they are all created on that device. {@code auto} is GPU 0 when this machine has a CUDA GPU and
 * the PyTorch native library is a CUDA build, else the CPU. Asking for a GPU that is not there, or
 * with the CPU build of libtorch, fails naming the setting, before anything runs.
 *
 * @param index the GPU's index; 0 for the CPU
 */
public record ComputeDevice(boolean gpu, int index) {
    public static final String ENV = "RANKREPRO_DEVICE";
    public static final String PROPERTY = "rankrepro.device";
    public static final ComputeDevice CPU = new ComputeDevice(false, 0);
    /** Written into each pytorch-native-* jar: its build ({@code flavor=cpu}, {@code cu128}, ...). */
    private static final String NATIVE_PROPERTIES = "native/lib/pytorch.properties";

    private static volatile ComputeDevice resolved;
    private static volatile String resolvedFrom;

    public ComputeDevice {
        if (index < 0 || (!gpu && index != 0)) {
            throw new IllegalArgumentException("device: bad index " + index);
        }
    }

    /** The setting in force: the system property, else the environment, else {@code auto}. */
    public static String setting() {
        String s = System.getProperty(PROPERTY);
        if (s == null || s.isBlank()) {
            s = System.getenv(ENV);
        }
        return s == null || s.isBlank() ? "auto" : s.strip().toLowerCase(Locale.ROOT);
    }

    /** The device of this process's setting, resolved once per setting (probing CUDA takes a moment). */
    public static ComputeDevice current() {
        String s = setting();
        if (resolved == null || !s.equals(resolvedFrom)) {
            resolved = resolve(s, gpuCount(), libtorchFlavor());
            resolvedFrom = s;
        }
        return resolved;
    }

    /**
     * @param setting auto | cpu | gpu | gpu:N
     * @param gpus    CUDA GPUs on this machine
     * @param flavor  the libtorch build: cpu, cu128, ... (null: unknown, e.g. a PYTORCH_LIBRARY_PATH without PYTORCH_FLAVOR)
     */
    public static ComputeDevice resolve(String setting, int gpus, String flavor) {
        boolean cudaBuild = flavor == null || flavor.startsWith("cu");
        String s = setting.strip().toLowerCase(Locale.ROOT);
        if (s.equals("auto")) {
            return gpus > 0 && cudaBuild ? new ComputeDevice(true, 0) : CPU;
        }
        if (s.equals("cpu")) {
            return CPU;
        }
        if (!s.equals("gpu") && !s.matches("gpu:\\d{1,3}")) {
            throw new IllegalArgumentException("device: '" + setting + "' is not one of auto, cpu, gpu, gpu:N");
        }
        int index = s.equals("gpu") ? 0 : Integer.parseInt(s.substring(4));
        if (index >= gpus) {
            throw new IllegalArgumentException("device: " + s + " asked for, but this machine has " + gpus + " CUDA GPU"
                    + (gpus == 1 ? "" : "s") + (gpus == 0 ? " (none that CUDA sees); use --device cpu or auto" : ""));
        }
        if (!cudaBuild) {
            throw new IllegalArgumentException("device: " + s + " asked for, but the PyTorch native library is the " + flavor
                    + " build; point PYTORCH_LIBRARY_PATH at a CUDA libtorch (and set PYTORCH_FLAVOR, e.g. cu128) — see the README, GPU");
        }
        return new ComputeDevice(true, index);
    }

    public Device djl() {
        return gpu ? Device.gpu(index) : Device.cpu();
    }

    /** A PyTorch base manager on this device: every array made through it, or its children, lives there. */
    public NDManager newManager() {
        return NDManager.newBaseManager(djl(), "PyTorch");
    }

    /** The device's memory: a GPU's own, or this machine's for the CPU; −1 when unknown. */
    public long memoryBytes() {
        if (gpu) {
            try {
                return ai.djl.util.cuda.CudaUtils.getGpuMemory(djl()).getMax();
            } catch (RuntimeException | LinkageError e) {
                return -1;
            }
        }
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize() > 0 ? os.getTotalMemorySize() : -1;
        }
        return -1;
    }

    /** For messages: "this machine" (the CPU) or "GPU N". */
    public String where() {
        return gpu ? "GPU " + index : "this machine";
    }

    @Override
    public String toString() {
        return gpu ? "gpu:" + index : "cpu";
    }

    private static int gpuCount() {
        try {
            return ai.djl.util.cuda.CudaUtils.getGpuCount();
        } catch (RuntimeException | LinkageError e) {
            return 0; // no CUDA runtime here
        }
    }

    /** As DJL chooses libtorch: PYTORCH_FLAVOR, else the bundled native jar's build; null when a user's libtorch says nothing. */
    static String libtorchFlavor() {
        String f = System.getenv("PYTORCH_FLAVOR");
        if (f != null && !f.isBlank()) {
            return f.strip();
        }
        if (System.getenv("PYTORCH_LIBRARY_PATH") != null) {
            return null;
        }
        Properties p = new Properties();
        try (InputStream in = ComputeDevice.class.getClassLoader().getResourceAsStream(NATIVE_PROPERTIES)) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            return null;
        }
        return p.getProperty("flavor");
    }
}
