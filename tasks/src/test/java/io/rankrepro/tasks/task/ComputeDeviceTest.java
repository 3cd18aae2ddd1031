package io.rankrepro.tasks.task;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The device setting against the machine (GPU count) and the libtorch build: what each choice resolves to, or why not. */
class ComputeDeviceTest {

    @Test
    void autoTakesGpuZeroOnlyWithAGpuAndACudaBuild() {
        assertEquals(ComputeDevice.CPU, ComputeDevice.resolve("auto", 0, "cu128"));
        assertEquals(ComputeDevice.CPU, ComputeDevice.resolve("auto", 2, "cpu"), "the CPU build cannot use the GPUs");
        assertEquals(new ComputeDevice(true, 0), ComputeDevice.resolve("auto", 2, "cu128"));
        assertEquals(new ComputeDevice(true, 0), ComputeDevice.resolve("AUTO", 1, null), "a user's libtorch that names no build: trusted");
    }

    @Test
    void explicitChoices() {
        assertEquals(ComputeDevice.CPU, ComputeDevice.resolve("cpu", 4, "cu128"));
        assertEquals(new ComputeDevice(true, 0), ComputeDevice.resolve("gpu", 1, "cu128"));
        assertEquals(new ComputeDevice(true, 3), ComputeDevice.resolve("gpu:3", 4, "cu128"));
        assertEquals("gpu:3", ComputeDevice.resolve("gpu:3", 4, "cu128").toString());
        assertEquals("GPU 3", ComputeDevice.resolve("gpu:3", 4, "cu128").where());
        assertEquals(ai.djl.Device.gpu(3), ComputeDevice.resolve("gpu:3", 4, "cu128").djl());
        assertEquals(ai.djl.Device.cpu(), ComputeDevice.CPU.djl());
    }

    @Test
    void impossibleChoicesSayWhy() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ComputeDevice.resolve("gpu", 0, "cu128")).getMessage()
                .contains("this machine has 0 CUDA GPUs"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ComputeDevice.resolve("gpu:2", 2, "cu128")).getMessage()
                .contains("gpu:2 asked for, but this machine has 2 CUDA GPUs"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ComputeDevice.resolve("gpu", 1, "cpu")).getMessage()
                .contains("PYTORCH_LIBRARY_PATH"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ComputeDevice.resolve("tpu", 1, "cu128")).getMessage()
                .contains("not one of auto, cpu, gpu, gpu:N"));
    }

    @Test
    void theCpusMemoryIsThisMachines() {
        assertEquals(((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize(), ComputeDevice.CPU.memoryBytes());
    }
}
