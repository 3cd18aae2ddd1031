package io.rankrepro.tasks.data;

/** A corpus as one stream of token ids in [0, vocab). */
public record TokenStream(String name, int vocab, int[] tokens) { }
