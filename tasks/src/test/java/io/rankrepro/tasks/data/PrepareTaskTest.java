package io.rankrepro.tasks.data;

import io.rankrepro.mlflow.RunTracker;
import io.rankrepro.tasks.task.Params;
import io.rankrepro.tasks.task.ParamsBinding;
import io.rankrepro.tasks.task.Progress;
import io.rankrepro.tasks.task.SpecInfo;
import io.rankrepro.tasks.task.TaskContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** data/prepare's params, the data files it declares as external inputs, and what it writes. */
class PrepareTaskTest {

    private static PrepareTask.Config bind(Object... keyValues) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return ParamsBinding.bind(PrepareTask.Config.class, m);
    }

    private static String problems(Object... keyValues) {
        return String.join("\n", assertThrows(ParamsBinding.Problems.class, () -> bind(keyValues)).problems());
    }

    private static List<Path> external(PrepareTask.Config c) {
        return new PrepareTask().contract().external().apply(c);
    }

    @Test
    void defaultsAndChecksNameTheirParameter() {
        PrepareTask.Config c = bind("dataset", "moby-dick");
        assertEquals(new PrepareTask.Config("moby-dick", ".cache/datasets", null, "train", 32, 1000, 0), c);
        assertEquals(Path.of(".cache/datasets/moby-dick/moby-dick.txt"), c.location());
        String unknown = problems("dataset", "mnist");
        assertTrue(unknown.contains("dataset: must be one of [cifar10, cifar100, imagenet, moby-dick, sklearn-digits, wikitext103], got 'mnist'"),
                unknown);
        assertTrue(problems("dataset", "imagenet", "image_size", 0).contains("image_size: must be in [1, 1024], got 0"));
        assertTrue(problems("dataset", "imagenet", "image_size", 1025).contains("image_size: must be in [1, 1024]"));
        assertTrue(problems("dataset", "imagenet", "max_per_class", 0).contains("max_per_class: must be >= 1"));
        assertTrue(problems("dataset", "moby-dick", "max_examples", -1).contains("max_examples: must be >= 0 (0 = all)"));
        assertTrue(problems("dataset", "sklearn-digits", "root", "../../../etc")
                .contains("root: '../../../etc' must not contain '..'; name the data folder directly"));
        assertTrue(problems("dataset", "sklearn-digits", "path", "data\\..\\x").contains("path: 'data\\..\\x' must not contain '..'"));
        assertTrue(problems("dataset", "wikitext103", "split", "dev").contains("split: wikitext split must be train, valid or test, got 'dev'"));
        assertTrue(problems("dataset", "moby-dick", "image_size", 1.5).contains("image_size: must be an integer"));
        assertTrue(problems().contains("dataset: required"));
    }

    @Test
    void aMisspelledParamIsRefusedWithTheNearestName() {
        String typo = problems("dataset", "imagenet", "max_per_clas", 10);
        assertTrue(typo.contains("max_per_clas: unknown parameter (did you mean max_per_class?)"), typo);
        String camel = problems("dataset", "imagenet", "imageSize", 10);
        assertTrue(camel.contains("imageSize: unknown parameter (did you mean image_size? spec params are snake_case)"), camel);
        for (String name : List.of("dataset", "root", "image_size", "max_per_class")) { // what the shipped specs set
            assertNull(ParamsBinding.unknown(PrepareTask.Config.class, name), name);
        }
    }

    @Test
    void externalInputsAreTheFilesTheLoadersRead(@TempDir Path root) throws IOException {
        assertEquals(List.of(root.resolve("sklearn-digits/digits.csv.gz")), external(bind("dataset", "sklearn-digits", "root", root.toString())));
        assertEquals(List.of(root.resolve("moby-dick/moby-dick.txt")), external(bind("dataset", "moby-dick", "root", root.toString())));
        assertEquals(List.of(Path.of("elsewhere/digits.csv.gz")), external(bind("dataset", "sklearn-digits", "path", "elsewhere/digits.csv.gz")));

        // CIFAR: the split's batch files of the extracted folder, or the archive once it is there
        Path cifar = root.resolve("cifar");
        assertEquals(List.of(cifar.resolve("cifar-10-batches-bin/test_batch.bin")),
                external(bind("dataset", "cifar10", "root", root.toString(), "split", "test")));
        assertEquals(5, external(bind("dataset", "cifar10", "root", root.toString())).size());
        assertEquals(List.of(cifar.resolve("cifar-100-binary/train.bin")), external(bind("dataset", "cifar100", "root", root.toString())));
        Files.createDirectories(cifar);
        Files.write(cifar.resolve("cifar-10-binary.tar.gz"), new byte[] {1});
        assertEquals(List.of(cifar.resolve("cifar-10-binary.tar.gz")), external(bind("dataset", "cifar10", "root", root.toString())));

        // an image folder: the images read, at most max_per_class per class, in class then file order
        Path images = root.resolve("imagenet/train");
        for (String cls : List.of("b", "a")) {
            Files.createDirectories(images.resolve(cls));
            for (String f : List.of("2.png", "1.JPG", "3.jpeg", "notes.txt")) {
                Files.write(images.resolve(cls).resolve(f), new byte[] {0});
            }
        }
        assertEquals(List.of(images.resolve("a/1.JPG"), images.resolve("a/2.png"), images.resolve("b/1.JPG"), images.resolve("b/2.png")),
                external(bind("dataset", "imagenet", "root", root.toString(), "max_per_class", 2)));
        assertEquals(List.of(), external(bind("dataset", "imagenet", "path", root.resolve("missing").toString())));

        // Wikitext: the nested split file when it exists, else the flat one
        Path wiki = root.resolve("wikitext-103");
        assertEquals(List.of(wiki.resolve("wiki.valid.raw")), external(bind("dataset", "wikitext103", "root", root.toString(), "split", "valid")));
        Files.createDirectories(wiki.resolve("wikitext-103-raw"));
        Files.writeString(wiki.resolve("wikitext-103-raw/wiki.valid.raw"), "x");
        assertEquals(List.of(wiki.resolve("wikitext-103-raw/wiki.valid.raw")),
                external(bind("dataset", "wikitext103", "root", root.toString(), "split", "valid")));
    }

    @Test
    void aTextSetIsPreparedFromItsParamsAndEveryFileWrittenIsDeclared(@TempDir Path tmp) throws IOException {
        Path wiki = Files.createDirectories(tmp.resolve("wiki"));
        Files.writeString(wiki.resolve("wiki.test.raw"), " = Valkyria = \n café\n");
        Path out = Files.createDirectories(tmp.resolve("out"));
        new PrepareTask().run(new TaskContext("prepare", "prepare", new SpecInfo("t/t", "t", "", "", "smoke", 0),
                Params.of("dataset", "wikitext103", "path", wiki.toString(), "split", "test", "max_examples", 5), Map.of(), List.of(), out,
                RunTracker.none(), Progress.none()));
        PreparedData.Manifest m = PreparedData.manifest(out);
        assertEquals("wikitext103", m.dataset());
        assertEquals("Wikitext-103 raw (test), UTF-8 bytes", m.label());
        assertEquals(5, m.count());
        try (Stream<Path> s = Files.list(out)) {
            List<String> written = s.map(f -> f.getFileName().toString()).sorted().toList();
            assertEquals(List.of(PreparedData.MANIFEST, PreparedData.TOKENS), written);
            for (String f : written) {
                assertTrue(new PrepareTask().contract().writes(f), f);
            }
        }
    }
}
