package io.rankrepro.pipeline.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Checks the folders a command will write into (--workdir, --results) before anything runs: a
 * typo must not turn into `rm`-like damage or files scattered over the system. Refused: a path
 * with a ".." segment (it leaves the folder it seems to name), the file system root, system
 * folders, and an existing file where a folder is expected.
 */
final class WorkspacePaths {
    /** System folders no run may write into (nor below). */
    private static final List<Path> SYSTEM = List.of("/bin", "/boot", "/dev", "/etc", "/lib", "/lib64", "/proc",
            "/sbin", "/sys", "/usr", "/var/lib").stream().map(Path::of).toList();

    private WorkspacePaths() { }

    /** @return {@code dir}, unchanged, when it is a fit place to write; else a {@link UsageError} naming the option. */
    static Path writable(String option, Path dir) {
        String raw = dir.toString();
        if (raw.isBlank()) {
            throw new UsageError(option + " must not be empty");
        }
        for (Path part : dir) {
            if (part.toString().equals("..")) {
                throw new UsageError(option + " " + raw + ": must not contain '..' (it would leave the folder it names);"
                        + " give the folder itself, e.g. an absolute path");
            }
        }
        Path abs = dir.toAbsolutePath().normalize();
        Path real = realPrefix(abs);
        if (abs.getParent() == null || real.getParent() == null) {
            throw new UsageError(option + " " + raw + ": is the file system root; give a folder of its own, e.g. work");
        }
        for (Path system : SYSTEM) {
            if (abs.startsWith(system) || real.startsWith(system)) {
                throw new UsageError(option + " " + raw + ": is inside the system folder " + system + "; give a folder of your own");
            }
        }
        if (Files.exists(abs) && !Files.isDirectory(abs)) {
            throw new UsageError(option + " " + raw + ": exists and is not a folder");
        }
        return dir;
    }

    /** {@code abs} with its longest existing prefix resolved through symbolic links, so a link to / is seen as /. */
    private static Path realPrefix(Path abs) {
        Path existing = abs;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return abs;
        }
        try {
            return existing.toRealPath().resolve(existing.relativize(abs)).normalize();
        } catch (java.io.IOException e) {
            return abs;
        }
    }
}
