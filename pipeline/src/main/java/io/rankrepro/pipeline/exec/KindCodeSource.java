package io.rankrepro.pipeline.exec;

import java.util.Map;

/** The version of a task kind's code, and of each class it is made of (to say which changed). */
public interface KindCodeSource {

    /** A hash of the code {@code kind} runs. */
    String version(String kind);

    /** Class name → hash of its bytes, for the classes of {@code kind}; empty when not known. */
    Map<String, String> classes(String kind);

    /** Each kind at the version of the classes it depends on ({@link KindCode}). */
    static KindCodeSource of(io.rankrepro.tasks.task.TaskKinds kinds) {
        java.util.Map<String, KindCode> cache = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.function.Function<String, KindCode> code = kind -> cache.computeIfAbsent(kind, k -> KindCode.of(kinds.find(k)
                .orElseThrow(() -> new IllegalArgumentException("unknown task kind '" + k + "'"))));
        return new KindCodeSource() {
            @Override
            public String version(String kind) {
                return code.apply(kind).hash();
            }

            @Override
            public Map<String, String> classes(String kind) {
                return code.apply(kind).classes();
            }
        };
    }

    /** Every kind at one version: the whole tasks module, or a fixed string in tests. */
    static KindCodeSource whole(String version) {
        return new KindCodeSource() {
            @Override
            public String version(String kind) {
                return version;
            }

            @Override
            public Map<String, String> classes(String kind) {
                return Map.of();
            }
        };
    }
}
