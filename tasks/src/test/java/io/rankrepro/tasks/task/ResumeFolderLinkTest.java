package io.rankrepro.tasks.task;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Write-once outputs are hard-linked into snapshots, growing ones copied; both restore, and a changed link is caught. */
class ResumeFolderLinkTest {

    @Test
    void writeOnceFilesAreLinkedGrowingFilesCopiedAndBothRestore(@TempDir Path tmp) throws Exception {
        Path out = Files.createDirectories(tmp.resolve("out"));
        Files.createDirectories(out.resolve("checkpoints"));
        Files.writeString(out.resolve("checkpoints/step_1.bin"), "weights at step 1");
        Files.writeString(out.resolve("loss.csv"), "step,loss\n0,1.0\n");
        List<String> said = new ArrayList<>();
        ResumeFolder resume = new ResumeFolder(tmp.resolve("resume"), said::add);

        resume.save(10, out, f -> f.startsWith("checkpoints/"), state -> Files.writeString(state.resolve("s"), "ten"));
        Path snap10 = tmp.resolve("resume/step_000000000010/outputs");
        assertTrue(Files.isSameFile(out.resolve("checkpoints/step_1.bin"), snap10.resolve("checkpoints/step_1.bin")), "checkpoint linked");
        assertFalse(Files.isSameFile(out.resolve("loss.csv"), snap10.resolve("loss.csv")), "the growing log is a copy");

        // training goes on: the log grows in place, a new checkpoint appears; a second snapshot
        Files.writeString(out.resolve("loss.csv"), "5,0.5\n", java.nio.file.StandardOpenOption.APPEND);
        Files.writeString(out.resolve("checkpoints/step_2.bin"), "weights at step 2");
        resume.save(20, out, f -> f.startsWith("checkpoints/"), state -> Files.writeString(state.resolve("s"), "twenty"));
        try (Stream<Path> s = Files.list(tmp.resolve("resume"))) {
            assertEquals(List.of("step_000000000020"), s.map(p -> p.getFileName().toString()).toList());
        }
        Files.writeString(out.resolve("loss.csv"), "9,0.4\n", java.nio.file.StandardOpenOption.APPEND); // after the snapshot

        Path restored = Files.createDirectories(tmp.resolve("restored"));
        Optional<ResumeFolder.Snapshot> snap = resume.restore(restored);
        assertEquals(20, snap.orElseThrow().step());
        assertEquals("twenty", Files.readString(snap.get().stateDir().resolve("s")));
        assertEquals("step,loss\n0,1.0\n5,0.5\n", Files.readString(restored.resolve("loss.csv")), "the log as it was at the snapshot");
        assertEquals("weights at step 1", Files.readString(restored.resolve("checkpoints/step_1.bin")));
        assertEquals("weights at step 2", Files.readString(restored.resolve("checkpoints/step_2.bin")));

        // a "write-once" file changed in place changes the linked copy too: the snapshot is refused, by name
        Files.writeString(out.resolve("checkpoints/step_2.bin"), "rewritten");
        assertTrue(resume.restore(Files.createDirectories(tmp.resolve("again"))).isEmpty());
        assertTrue(said.stream().anyMatch(m -> m.contains("resume snapshot rejected") && m.contains("step_2.bin")), String.join("\n", said));
    }
}
