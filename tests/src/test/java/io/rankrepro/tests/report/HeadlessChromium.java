package io.rankrepro.tests.report;

import io.rankrepro.tests.containers.Prerequisites;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code chromium} run headless, one process per call, no DevTools protocol: pages are
 * checked through {@code --dump-dom} (a script in the page writes what it measured into the DOM)
 * and photographed with {@code --screenshot}. Missing chromium skips the test, or fails it under CI.
 */
public final class HeadlessChromium {
    private final Path executable;
    private final Path profileDir;

    private HeadlessChromium(Path executable, Path profileDir) {
        this.executable = executable;
        this.profileDir = profileDir;
    }

    public static HeadlessChromium find(Path scratch) throws IOException {
        for (String candidate : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return new HeadlessChromium(Path.of(candidate), Files.createDirectories(scratch.resolve("chromium-profile")));
            }
        }
        String message = "the report test needs Debian's chromium (apt-get install chromium; .ci/run installs it)";
        Prerequisites.skipOrFail(message, "true".equalsIgnoreCase(System.getenv("CI")));
        return null;
    }

    /** The DOM after the page loaded and its scripts ran (virtual time lets onload handlers finish). */
    public String dumpDom(Path page) throws IOException, InterruptedException {
        return run(List.of("--virtual-time-budget=5000", "--dump-dom", page.toUri().toString()));
    }

    /**
     * Loads a copy of {@code page} with a script that, once the page has loaded, evaluates the
     * JavaScript {@code expression} and writes its value into the DOM; returns that value, or fails
     * with the start of the DOM when the script did not run.
     */
    public String measure(Path page, String expression) throws IOException, InterruptedException {
        String probe = "<script>window.addEventListener('load', () => { const out = document.createElement('pre');"
                + " out.id = 'probe'; out.textContent = '[[' + (" + expression + ") + ']]'; document.body.appendChild(out); });</script>";
        Path probed = page.resolveSibling("probe-" + page.getFileName());
        Files.writeString(probed, Files.readString(page).replace("</body>", probe + "</body>"));
        String dom = dumpDom(probed);
        int start = dom.indexOf("<pre id=\"probe\">[[");
        if (start < 0) {
            throw new AssertionError("the probe did not run; DOM:\n" + dom.substring(0, Math.min(2000, dom.length())));
        }
        int from = start + "<pre id=\"probe\">[[".length();
        return dom.substring(from, dom.indexOf("]]", from));
    }

    public void screenshot(Path page, Path png, int width, int height) throws IOException, InterruptedException {
        Files.createDirectories(png.toAbsolutePath().getParent());
        run(List.of("--screenshot=" + png.toAbsolutePath(), "--window-size=" + width + "," + height,
                "--hide-scrollbars", page.toUri().toString()));
    }

    private String run(List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(executable.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + profileDir));
        cmd.addAll(args);
        Path stdout = Files.createTempFile(profileDir.getParent(), "chromium", ".out");
        Path stderr = Files.createTempFile(profileDir.getParent(), "chromium", ".err");
        Process p = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new IllegalStateException("chromium did not finish within 90 s: " + cmd);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("chromium exited with " + p.exitValue() + ": " + Files.readString(stderr));
        }
        return Files.readString(stdout, StandardCharsets.UTF_8);
    }
}
