package io.rankrepro.tasks.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each loader reads a fixture built here and rejects a corrupt file with a message that says what is wrong. */
class DataLoadersTest {

    /** Two CIFAR-10 records (labels 3, 9), pixel bytes i mod 256 and 255 − that. */
    private static byte[] cifar10Records() {
        byte[] b = new byte[2 * 3073];
        b[0] = 3;
        b[3073] = 9;
        for (int i = 0; i < 3072; i++) {
            b[1 + i] = (byte) i;
            b[3074 + i] = (byte) (255 - (i & 0xff));
        }
        return b;
    }

    /** A gzipped ustar archive holding the given (name, bytes) files. */
    private static void tarGz(Path out, Object... nameBytes) throws IOException {
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(out))) {
            for (int k = 0; k < nameBytes.length; k += 2) {
                byte[] data = (byte[]) nameBytes[k + 1];
                byte[] h = new byte[512];
                byte[] name = ((String) nameBytes[k]).getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(name, 0, h, 0, name.length);
                byte[] size = String.format("%011o", data.length).getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(size, 0, h, 124, size.length);
                h[156] = '0';
                o.write(h);
                o.write(data);
                o.write(new byte[(512 - data.length % 512) % 512]);
            }
            o.write(new byte[1024]);
        }
    }

    @Test
    void cifar10FolderRecordsAreReadAsLabelsAndChannelMajorPixels(@TempDir Path root) throws IOException {
        Path dir = Files.createDirectories(root.resolve("cifar-10-batches-bin"));
        Files.write(dir.resolve("test_batch.bin"), cifar10Records());
        ImageSet s = CifarBinary.read(root, CifarBinary.Variant.CIFAR10, false, null);
        assertEquals(2, s.count());
        assertArrayEquals(new int[] {3, 9}, s.labels());
        assertEquals(3, s.channels());
        assertEquals(5 / 255f, s.pixels()[5], 0);
        assertEquals(1.0f, s.pixels()[3072], 0);           // record 2, pixel 0: 255
    }

    @Test
    void cifar10ArchiveIsChecksummedAndRead(@TempDir Path root) throws IOException {
        Path archive = root.resolve("cifar-10-binary.tar.gz");
        tarGz(archive, "cifar-10-batches-bin/test_batch.bin", cifar10Records(), "cifar-10-batches-bin/readme.html", new byte[10]);
        Checksums.Expected md5 = new Checksums.Expected("MD5", Checksums.digest(archive, "MD5"), "test fixture");
        ImageSet s = CifarBinary.read(root, CifarBinary.Variant.CIFAR10, false, md5);
        assertArrayEquals(new int[] {3, 9}, s.labels());
        // the published MD5 does not match the fixture: the default check refuses it, naming both digests
        IOException e = assertThrows(IOException.class, () -> CifarBinary.read(root, CifarBinary.Variant.CIFAR10, false, null));
        assertTrue(e.getMessage().contains("c32a1d4ab5d03f1284b67883e8d87530") && e.getMessage().contains(md5.hex()), e.getMessage());
    }

    @Test
    void cifar100UsesTheFineLabelAndTruncatedFilesAreRejected(@TempDir Path root) throws IOException {
        Path dir = Files.createDirectories(root.resolve("cifar-100-binary"));
        byte[] rec = new byte[3074];
        rec[0] = 4;   // coarse
        rec[1] = 77;  // fine
        Files.write(dir.resolve("train.bin"), rec);
        ImageSet s = CifarBinary.read(root, CifarBinary.Variant.CIFAR100, true, null);
        assertArrayEquals(new int[] {77}, s.labels());
        assertEquals(100, s.classes());
        Files.write(dir.resolve("train.bin"), java.util.Arrays.copyOf(rec, 3000));
        IOException e = assertThrows(IOException.class, () -> CifarBinary.read(root, CifarBinary.Variant.CIFAR100, true, null));
        assertTrue(e.getMessage().contains("not a whole number of 3074-byte"), e.getMessage());
    }

    @Test
    void missingCifarSaysWhereToGetIt(@TempDir Path root) {
        IOException e = assertThrows(IOException.class, () -> CifarBinary.read(root, CifarBinary.Variant.CIFAR10, true, null));
        assertTrue(e.getMessage().contains("cifar-10-binary.tar.gz"), e.getMessage());
    }

    @Test
    void aMissingProxyFileSaysHowToFetchIt(@TempDir Path root) {
        IOException e = assertThrows(IOException.class, () -> Checksums.requireFile(root.resolve("digits.csv.gz")));
        assertTrue(e.getMessage().contains("digits.csv.gz") && e.getMessage().contains("make data-cpu"), e.getMessage());
    }

    @Test
    void digitsCsvIsReadAndScaledAndCorruptGzipIsRejected(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("fixture-digits.csv.gz");
        StringBuilder csv = new StringBuilder();
        for (int row = 0; row < 3; row++) {
            for (int i = 0; i < 64; i++) {
                csv.append(i % 17).append(',');
            }
            csv.append(row).append('\n');
        }
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(f))) {
            o.write(csv.toString().getBytes(StandardCharsets.US_ASCII));
        }
        ImageSet s = SklearnDigits.read(f);
        assertEquals(3, s.count());
        assertArrayEquals(new int[] {0, 1, 2}, s.labels());
        assertEquals(16 / 16f, s.pixels()[16], 0);
        byte[] bytes = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        IOException e = assertThrows(IOException.class, () -> SklearnDigits.read(f));
        assertTrue(e.getMessage().contains("corrupt gzip") || e.getMessage().contains("fields"), e.getMessage());
    }

    @Test
    void pinnedChecksumRejectsAModifiedProxyFile(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("moby-dick.txt");
        Files.writeString(f, "Call me Ishmael, but not the pinned edition.");
        IOException e = assertThrows(IOException.class, () -> TextCorpus.read(f));
        assertTrue(e.getMessage().contains("SHA-256") && e.getMessage().contains("fetch it again"), e.getMessage());
    }

    @Test
    void wikitextRawIsReadAsUtf8BytesAndBinaryIsRejected(@TempDir Path root) throws IOException {
        Path dir = Files.createDirectories(root.resolve("wikitext-103-raw"));
        Files.writeString(dir.resolve("wiki.valid.raw"), " = Valkyria = \n café\n");
        String text = TextCorpus.wikitext103(root, "valid");
        TokenStream t = ByteTokenizer.encode("w", text);
        assertEquals(text.getBytes(StandardCharsets.UTF_8).length, t.tokens().length);
        assertEquals(0xc3, t.tokens()[" = Valkyria = \n caf".length()]); // é is two bytes, 0xc3 0xa9
        Files.write(dir.resolve("wiki.test.raw"), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1});
        IOException e = assertThrows(IOException.class, () -> TextCorpus.wikitext103(root, "test"));
        assertTrue(e.getMessage().contains("not valid UTF-8"), e.getMessage());
    }

    @Test
    void imageFolderResizesPerClassAndRejectsCorruptImages(@TempDir Path root) throws IOException {
        for (String cls : new String[] {"n01", "n02"}) {
            Path d = Files.createDirectories(root.resolve(cls));
            BufferedImage img = new BufferedImage(10, 6, BufferedImage.TYPE_INT_RGB);
            int rgb = cls.equals("n01") ? 0xff0000 : 0x0000ff;
            for (int y = 0; y < 6; y++) {
                for (int x = 0; x < 10; x++) {
                    img.setRGB(x, y, rgb);
                }
            }
            ImageIO.write(img, "png", d.resolve("a.png").toFile());
        }
        ImageSet s = ImageFolder.read(root, 4, 10);
        assertEquals(2, s.count());
        assertArrayEquals(new int[] {0, 1}, s.labels());
        assertEquals(1f, s.pixels()[0], 1e-6);              // image 0 (red): R plane is 1
        assertEquals(1f, s.pixels()[48 + 2 * 16], 1e-6);    // image 1 (blue): B plane is 1
        Files.write(root.resolve("n02").resolve("b.jpg"), new byte[] {1, 2, 3, 4});
        IOException e = assertThrows(IOException.class, () -> ImageFolder.read(root, 4, 10));
        assertTrue(e.getMessage().contains("b.jpg"), e.getMessage());
    }
}
