package io.rankrepro.pipeline.exec;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything a task's output may depend on, whose hash is its key: its kind, resolved params,
 * the keys of its upstream tasks, the version of its kind's code, the engine versions and the
 * content of the external files it reads. Kept with the output, so a later plan can say which
 * of these changed ({@link RunReason}).
 *
 * @param code     the version of the kind's own code (the classes it depends on)
 * @param engines  DJL, libtorch and JVM versions
 * @param external external file → SHA-256 of its content
 */
public record KeyMaterial(String kind, Map<String, Object> params, Map<String, String> upstream, String code,
                          Map<String, String> engines, Map<String, String> external, long seed) {

    public KeyMaterial {
        params = new TreeMap<>(params);
        upstream = new TreeMap<>(upstream);
        engines = new TreeMap<>(engines);
        external = new TreeMap<>(external);
    }

    /** The task key: SHA-256 of this material as canonical JSON. */
    public String key() {
        return Hashing.sha256(Hashing.canonicalJson(this).getBytes(StandardCharsets.UTF_8));
    }
}
