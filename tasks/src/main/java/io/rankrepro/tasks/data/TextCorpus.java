package io.rankrepro.tasks.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Plain UTF-8 text corpora: the Moby-Dick proxy ({@code moby-dick.txt}, see {@code data/data.mk})
 * and Wikitext-103's raw split files ({@code wikitext-103-raw/wiki.{train,valid,test}.raw}).
 * Wikitext has no checksum we could verify here, so only its presence and encoding are checked.
 */
public final class TextCorpus {
    /** Files above this are not read whole (Wikitext-103 train is ~540 MB; stream it at paper scale). */
    public static final long MAX_BYTES = 1L << 30;

    private TextCorpus() { }

    /** Reads a text file, verifying a known checksum first (see {@link Checksums#KNOWN}). */
    public static String read(Path file) throws IOException {
        Checksums.requireFile(file);
        Checksums.verifyKnown(file);
        long size = Files.size(file);
        if (size == 0) {
            throw new IOException(file + ": empty text file");
        }
        if (size > MAX_BYTES) {
            throw new IOException(file + ": " + size + " bytes is more than " + MAX_BYTES + " that we read into memory");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (CharacterCodingException e) {
            throw new IOException(file + ": not valid UTF-8 text (corrupt or binary file)", e);
        }
    }

    /** Wikitext-103 raw: {@code root/wikitext-103-raw/wiki.<split>.raw} or {@code root/wiki.<split>.raw}. */
    public static String wikitext103(Path root, String split) throws IOException {
        return read(wikitext103File(root, split));
    }

    /** The file {@link #wikitext103} reads: the nested one if it exists, else the flat one. */
    public static Path wikitext103File(Path root, String split) {
        if (!split.matches("train|valid|test")) {
            throw new IllegalArgumentException("wikitext split must be train, valid or test, got '" + split + "'");
        }
        Path nested = root.resolve("wikitext-103-raw").resolve("wiki." + split + ".raw");
        return Files.exists(nested) ? nested : root.resolve("wiki." + split + ".raw");
    }
}
