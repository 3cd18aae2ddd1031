package io.rankrepro.tasks.data;

import java.nio.charset.StandardCharsets;

/**
 * Byte-level tokenization: a text's UTF-8 bytes are its tokens (vocab 256). At CPU scale this
 * avoids a learned BPE vocabulary (GPT-2 uses 50257 BPE tokens) while keeping every character,
 * accents and dashes included; the paper profile can swap in a BPE tokenizer without touching
 * the model.
 */
public final class ByteTokenizer {
    public static final int VOCAB = 256;

    private ByteTokenizer() { }

    public static TokenStream encode(String name, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int[] tokens = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            tokens[i] = bytes[i] & 0xff;
        }
        return new TokenStream(name, VOCAB, tokens);
    }
}
