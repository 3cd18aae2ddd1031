package io.rankrepro.tasks.task;

import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;

/** Every task kind on the class path, found through {@link TaskProvider} services. */
public final class TaskKinds {
    private final Map<String, Task> byKind;

    private TaskKinds(Map<String, Task> byKind) {
        this.byKind = Map.copyOf(byKind);
    }

    public static TaskKinds discover() {
        Map<String, Task> found = new TreeMap<>();
        for (TaskProvider provider : ServiceLoader.load(TaskProvider.class)) {
            for (Task task : provider.tasks()) {
                Task previous = found.put(task.kind(), task);
                if (previous != null) {
                    throw new IllegalStateException("task kind '" + task.kind() + "' is provided twice: by "
                            + previous.getClass().getName() + " and " + task.getClass().getName());
                }
            }
        }
        return new TaskKinds(found);
    }

    public Optional<Task> find(String kind) {
        return Optional.ofNullable(byKind.get(kind));
    }

    public Set<String> kinds() {
        return new java.util.TreeSet<>(byKind.keySet());
    }
}
