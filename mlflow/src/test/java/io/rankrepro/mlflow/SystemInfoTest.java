package io.rankrepro.mlflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SystemInfoTest {

    @Test
    void parsesCpuModelAndMemory() {
        String cpuinfo = "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) CPU @ 2.20GHz\n"
                + "processor\t: 1\nmodel name\t: Intel(R) Xeon(R) CPU @ 2.20GHz\n";
        assertEquals("Intel(R) Xeon(R) CPU @ 2.20GHz", SystemInfo.cpuModel(cpuinfo));
        assertEquals("unknown", SystemInfo.cpuModel(""));
        assertEquals(16384000L, SystemInfo.memTotalKb("MemTotal:       16384000 kB\nMemFree: 1 kB\n"));
        assertEquals(-1L, SystemInfo.memTotalKb(""));
    }

    @Test
    void parsesNvidiaSmiCsv() {
        List<SystemInfo.Gpu> gpus = SystemInfo.gpus("NVIDIA H200, 143771 MiB, 570.86.15\nNVIDIA H200, 143771 MiB, 570.86.15\n");
        assertEquals(List.of(new SystemInfo.Gpu("NVIDIA H200", 143771, "570.86.15"),
                new SystemInfo.Gpu("NVIDIA H200", 143771, "570.86.15")), gpus);
        assertEquals(Map.of("system.gpu", "NVIDIA H200; NVIDIA H200", "system.gpu_count", "2",
                "system.gpu_memory_mb", "143771; 143771", "system.gpu_driver", "570.86.15"), SystemInfo.gpuTags(gpus));
        assertEquals(Map.of("system.gpu", "none"), SystemInfo.gpuTags(SystemInfo.gpus("")));
    }

    @Test
    void tagsOfThisMachineAreValidMlflowTags() {
        Map<String, String> tags = SystemInfo.tags();
        for (String key : List.of("system.host", "system.os", "system.cpu", "system.cpu_count", "system.java", "system.gpu")) {
            assertTrue(tags.containsKey(key), key);
            assertFalse(tags.get(key).isBlank(), key);
        }
        tags.keySet().forEach(k -> MlflowLimits.checkKey("tag", k));
        assertEquals(Integer.toString(Runtime.getRuntime().availableProcessors()), tags.get("system.cpu_count"));
    }
}
