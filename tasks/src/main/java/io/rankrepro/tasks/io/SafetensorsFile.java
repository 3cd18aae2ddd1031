package io.rankrepro.tasks.io;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The contents of a safetensors file.
 *
 * @param tensors  by name, in the order of their data in the file
 * @param metadata the optional {@code __metadata__} string map (empty when absent), sorted by key
 */
public record SafetensorsFile(Map<String, SafetensorsTensor> tensors, Map<String, String> metadata) {

    public SafetensorsFile {
        tensors = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        metadata = java.util.Collections.unmodifiableMap(new TreeMap<>(metadata));
    }

    public static SafetensorsFile of(List<SafetensorsTensor> tensors, Map<String, String> metadata) {
        Map<String, SafetensorsTensor> byName = new LinkedHashMap<>();
        for (SafetensorsTensor t : tensors) {
            if (byName.put(t.name(), t) != null) {
                throw new IllegalArgumentException("two tensors named '" + t.name() + "'");
            }
        }
        return new SafetensorsFile(byName, metadata);
    }

    /** The tensor called {@code name}; fails naming the tensors there are. */
    public SafetensorsTensor tensor(String name) {
        SafetensorsTensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no tensor '" + name + "' (have " + tensors.keySet() + ")");
        }
        return t;
    }
}
