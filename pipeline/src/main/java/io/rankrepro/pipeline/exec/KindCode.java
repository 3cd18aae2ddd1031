package io.rankrepro.pipeline.exec;

import io.rankrepro.tasks.task.Task;
import io.rankrepro.tasks.task.TaskKinds;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The code of one task kind: every project class its implementation can reach through the class
 * files' constant pools (see {@link ClassReferences}), transitively, each with the SHA-256 of its
 * bytes, and one hash over them all. Editing a figure's code changes the figure kind's code and
 * leaves the training kinds' alone, so their cached outputs stay valid; nothing is bumped by hand.
 *
 * <p>"Project classes" are those under {@code io/rankrepro/} (the tasks and mlflow modules), except
 * {@code io/rankrepro/pipeline/}: the pipeline runs tasks but is not part of what they compute, and
 * third-party code is versioned by {@link EngineVersions} and the pom, not hashed. Class bytes are
 * read as resources of the implementation's class loader, so the same classes give the same code
 * from a jar (the CLI, the task image) and from a class folder (the reactor, an IDE); classes are
 * never loaded or initialized for this.
 *
 * <p>Not followed: classes reached only by name at run time (reflection, {@link java.util.ServiceLoader});
 * no task does that today. Compile-time constants need nothing: javac copies them into the classes
 * that use them.
 *
 * @param implementation the binary name of the kind's implementation class (the root of the walk)
 * @param hash           SHA-256 (64 hex digits) over {@code classes}, sorted: name, NUL, hash, newline
 * @param classes        binary name ({@code io.rankrepro.tasks.toy.Outer$Inner}) → SHA-256 of its class file
 */
public record KindCode(String implementation, String hash, SortedMap<String, String> classes) {
    /** Internal-name prefix of project classes. */
    static final String PROJECT = "io/rankrepro/";
    /** Internal-name prefixes under {@link #PROJECT} that are not task code. */
    static final List<String> NOT_TASK_CODE = List.of("io/rankrepro/pipeline/");

    /**
     * Per class loader (weakly held): what each class file holds and each root's code. A loader's
     * classes never change, and many kinds share most of theirs (the task contract, linalg, io).
     */
    private static final Map<ClassLoader, Memo> CACHE = Collections.synchronizedMap(new WeakHashMap<>());
    private static final ClassFile MISSING = new ClassFile(null, Set.of());

    private record ClassFile(String sha256, Set<String> references) { }

    /** Internal name → class file (or MISSING); binary name of a root → its code. */
    private record Memo(Map<String, ClassFile> files, Map<String, KindCode> roots) { }

    public KindCode {
        Objects.requireNonNull(implementation, "implementation");
        Objects.requireNonNull(hash, "hash");
        classes = Collections.unmodifiableSortedMap(new TreeMap<>(classes));
        String expected = combinedHash(classes);
        if (!expected.equals(hash)) {
            throw new IllegalArgumentException("hash " + hash + " does not match the classes (" + expected + ")");
        }
    }

    /** A fingerprint from its parts (e.g. as recorded with a cached output); the hash is computed. */
    public static KindCode of(String implementation, Map<String, String> classes) {
        return new KindCode(implementation, combinedHash(new TreeMap<>(classes)), new TreeMap<>(classes));
    }

    /** The code of the kind that {@code task} implements. */
    public static KindCode of(Task task) {
        return of(task.getClass());
    }

    /**
     * The code of a kind's implementation class, read through its class loader.
     *
     * @throws IllegalArgumentException if the class's own class file is not a resource of its loader
     *                                  (a hidden or generated class)
     * @throws UncheckedIOException     if a class file cannot be read or parsed
     */
    public static KindCode of(Class<?> implementation) {
        ClassLoader loader = implementation.getClassLoader();
        if (loader == null) {
            throw new IllegalArgumentException(implementation.getName() + " has no class loader whose resources hold its class file");
        }
        return of(loader, implementation.getName());
    }

    /** The code of the class {@code binaryName} as {@code loader} sees it, without loading the class. */
    public static KindCode of(ClassLoader loader, String binaryName) {
        Memo memo = CACHE.computeIfAbsent(loader, l -> new Memo(new ConcurrentHashMap<>(), new ConcurrentHashMap<>()));
        KindCode known = memo.roots().get(binaryName);
        if (known == null) {
            known = walk(loader, memo.files(), binaryName);
            memo.roots().putIfAbsent(binaryName, known);
        }
        return known;
    }

    private static KindCode walk(ClassLoader loader, Map<String, ClassFile> cache, String binaryName) {
        String root = binaryName.replace('.', '/');
        SortedMap<String, String> classes = new TreeMap<>();
        Set<String> seen = new TreeSet<>();
        Deque<String> todo = new ArrayDeque<>();
        seen.add(root);
        todo.add(root);
        while (!todo.isEmpty()) {
            String name = todo.poll();
            ClassFile file = cache.computeIfAbsent(name, n -> read(loader, n));
            if (file == MISSING) {
                if (name.equals(root)) {
                    throw new IllegalArgumentException("no class file for " + binaryName + " in " + loader);
                }
                continue; // not a class of this loader: a name in a string constant, or a module that is absent (the kind could not run)
            }
            classes.put(name.replace('/', '.'), file.sha256());
            for (String ref : file.references()) {
                if (isTaskCode(ref) && seen.add(ref)) {
                    todo.add(ref);
                }
            }
        }
        return new KindCode(binaryName, combinedHash(classes), classes);
    }

    /** The code of every kind that {@code kinds} knows, by kind name. */
    public static SortedMap<String, KindCode> ofAll(TaskKinds kinds) {
        SortedMap<String, KindCode> out = new TreeMap<>();
        for (String kind : kinds.kinds()) {
            kinds.find(kind).ifPresent(task -> out.put(kind, of(task)));
        }
        return out;
    }

    /** The classes that differ from {@code earlier}: added here, removed since, or with other bytes. */
    public Changes changedClasses(KindCode earlier) {
        SortedSet<String> added = new TreeSet<>();
        SortedSet<String> removed = new TreeSet<>();
        SortedSet<String> changed = new TreeSet<>();
        for (Map.Entry<String, String> e : classes.entrySet()) {
            String before = earlier.classes.get(e.getKey());
            if (before == null) {
                added.add(e.getKey());
            } else if (!before.equals(e.getValue())) {
                changed.add(e.getKey());
            }
        }
        for (String name : earlier.classes.keySet()) {
            if (!classes.containsKey(name)) {
                removed.add(name);
            }
        }
        return new Changes(added, removed, changed);
    }

    /** What {@link #changedClasses} found, each set sorted by binary name. */
    public record Changes(SortedSet<String> added, SortedSet<String> removed, SortedSet<String> changed) {
        public Changes {
            added = Collections.unmodifiableSortedSet(new TreeSet<>(added));
            removed = Collections.unmodifiableSortedSet(new TreeSet<>(removed));
            changed = Collections.unmodifiableSortedSet(new TreeSet<>(changed));
        }

        public boolean isEmpty() {
            return added.isEmpty() && removed.isEmpty() && changed.isEmpty();
        }

        /** Every name in any of the three sets, sorted. */
        public SortedSet<String> all() {
            SortedSet<String> all = new TreeSet<>(added);
            all.addAll(removed);
            all.addAll(changed);
            return Collections.unmodifiableSortedSet(all);
        }

        /** E.g. {@code changed: a.B, a.C; added: a.D} — for a "why it reran" line. */
        @Override
        public String toString() {
            if (isEmpty()) {
                return "no class changed";
            }
            StringBuilder sb = new StringBuilder();
            append(sb, "changed", changed);
            append(sb, "added", added);
            append(sb, "removed", removed);
            return sb.toString();
        }

        private static void append(StringBuilder sb, String label, Set<String> names) {
            if (!names.isEmpty()) {
                sb.append(sb.length() == 0 ? "" : "; ").append(label).append(": ").append(String.join(", ", names));
            }
        }
    }

    /** The SHA-256 of this class (binary name) in this fingerprint, if it is part of it. */
    public Optional<String> classHash(String binaryName) {
        return Optional.ofNullable(classes.get(binaryName));
    }

    static boolean isTaskCode(String internalName) {
        if (!internalName.startsWith(PROJECT)) {
            return false;
        }
        for (String excluded : NOT_TASK_CODE) {
            if (internalName.startsWith(excluded)) {
                return false;
            }
        }
        return true;
    }

    private static ClassFile read(ClassLoader loader, String internalName) {
        byte[] bytes;
        try (InputStream in = loader.getResourceAsStream(internalName + ".class")) {
            if (in == null) {
                return MISSING;
            }
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the class file of " + internalName, e);
        }
        try {
            return new ClassFile(HexFormat.of().formatHex(sha256().digest(bytes)), Set.copyOf(ClassReferences.of(bytes, PROJECT)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse the class file of " + internalName, e);
        }
    }

    private static String combinedHash(SortedMap<String, String> classes) {
        MessageDigest md = sha256();
        for (Map.Entry<String, String> e : classes.entrySet()) {
            md.update(e.getKey().getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            md.update(e.getValue().getBytes(StandardCharsets.UTF_8));
            md.update((byte) '\n');
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
