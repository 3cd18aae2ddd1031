package io.rankrepro.pipeline.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Where task outputs are cached. */
public final class WorkOptions {

    @Option(names = "--workdir", defaultValue = "work", paramLabel = "DIR",
            description = "Content-addressed task outputs (default: ${DEFAULT-VALUE})")
    Path workdir;
}
