package io.rankrepro.pipeline.cli;

import io.rankrepro.pipeline.claims.ClaimRegister;
import io.rankrepro.pipeline.claims.ClaimsDocument;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "claims", mixinStandardHelpOptions = true,
        description = {"The claims registers (pipeline/claims/<paper>.yaml) rendered as Markdown: every paper claim",
                "rankrepro tests, in the paper's words, with the statistic, the criterion and why it is fair.",
                "Prints to standard output, or writes --write FILE (docs/CLAIMS.md); --check fails if FILE is stale."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:printed, written, or up to date", "1:--check: the file differs from the registers",
                "2:a register is malformed, or bad arguments"})
final class ClaimsCommand implements Callable<Integer> {
    @Option(names = "--dir", paramLabel = "DIR", description = "The registers' folder (default: ${DEFAULT-VALUE})")
    Path dir = ClaimRegister.DEFAULT_DIR;

    @Option(names = "--write", paramLabel = "FILE", description = "Write the Markdown to FILE instead of printing it")
    Path write;

    @Option(names = "--check", paramLabel = "FILE", description = "Exit 1 unless FILE holds exactly the rendering")
    Path check;

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(dir)) {
            throw new UsageError("--dir " + dir + ": no such folder (run from the repository root, or give --dir)");
        }
        List<ClaimRegister> registers;
        try {
            registers = ClaimRegister.loadAll(dir);
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }
        String md = ClaimsDocument.render(registers);
        if (check != null) {
            boolean same = Files.exists(check) && Files.readString(check, StandardCharsets.UTF_8).equals(md);
            if (!same) {
                System.err.println("rankrepro claims: " + check + " is not the rendering of " + dir
                        + "; run `rankrepro claims --write " + check + "`");
                return 1;
            }
            System.out.println(check + " is up to date");
            return 0;
        }
        if (write == null) {
            System.out.print(md);
            return 0;
        }
        Path tmp = write.resolveSibling(write.getFileName() + ".tmp");
        Files.writeString(tmp, md, StandardCharsets.UTF_8);
        Files.move(tmp, write, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        long n = registers.stream().mapToLong(r -> r.claims().size()).sum();
        System.out.println("wrote " + write + ": " + n + " claims of " + registers.size() + " papers");
        return 0;
    }
}
