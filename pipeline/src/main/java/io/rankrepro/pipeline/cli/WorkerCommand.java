package io.rankrepro.pipeline.cli;

import io.rankrepro.pipeline.exec.ParentWatch;
import io.rankrepro.pipeline.exec.TaskRunner;
import io.rankrepro.pipeline.exec.WorkerProtocol;
import io.rankrepro.pipeline.track.Tracking;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * A warm worker: a long-lived task JVM that {@code rankrepro run} starts once per --workers slot
 * ({@code WarmWorkers}) and feeds one task at a time on stdin. Each task runs exactly as
 * {@code rankrepro task} runs it (the request holds those arguments); what stays warm is what is
 * per process anyway — the JVM and its compiled code, PyTorch's native library, the task kinds and
 * their code hashes, the tracking session. Ends at the end of its input, or when its run is gone.
 */
@Command(name = "worker", hidden = true, description = "Run tasks sent on stdin one after another (started by `rankrepro run`).")
final class WorkerCommand implements Callable<Integer> {

    @Override
    public Integer call() throws Exception {
        ParentWatch.startIfChild();
        Map<String, Tracking> sessions = new HashMap<>();
        Map<java.nio.file.Path, io.rankrepro.pipeline.exec.OutputStore> stores = new HashMap<>();
        StageCommand.Sessions kept = new StageCommand.Sessions() {
            @Override
            public Tracking open(TrackingOptions options, java.nio.file.Path workdir) {
                return sessions.computeIfAbsent(options.noTracking + " " + options.trackingUri + " " + workdir.toAbsolutePath().normalize(),
                        k -> Commands.tracking(options, workdir));
            }

            @Override
            public io.rankrepro.pipeline.exec.OutputStore store(java.nio.file.Path workdir) {
                return stores.computeIfAbsent(workdir.toAbsolutePath().normalize(), io.rankrepro.pipeline.exec.OutputStore::new);
            }
        };
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.isBlank()) {
                    continue;
                }
                WorkerProtocol.Request request = WorkerProtocol.request(line);
                WorkerProtocol.Reply reply = runOne(request, kept);
                // a line of its own even if the task's last output did not end one
                System.out.println();
                System.out.println(WorkerProtocol.REPLY_MARK + WorkerProtocol.line(reply));
                System.out.flush();
            }
        } finally {
            sessions.values().forEach(Tracking::close);
        }
        return 0;
    }

    private static WorkerProtocol.Reply runOne(WorkerProtocol.Request request, StageCommand.Sessions sessions) {
        String id = request.task().taskId();
        List<String> args = new ArrayList<>(request.task().args().subList(1, request.task().args().size())); // drop "task"
        if (request.force()) {
            args.add("--force");
        }
        try {
            StageCommand command = new StageCommand(null);
            new CommandLine(command).parseArgs(args.toArray(String[]::new));
            TaskRunner.Result r = command.runTask(sessions);
            return new WorkerProtocol.Reply(id, r.output().ok(), r.reused(), r.output().ok() ? null : r.output().reason(),
                    WorkerProtocol.rssBytes());
        } catch (Exception | LinkageError e) {
            if (System.getenv("RANKREPRO_DEBUG") != null) {
                e.printStackTrace(System.out);
            }
            return new WorkerProtocol.Reply(id, false, false, TaskRunner.message(e), WorkerProtocol.rssBytes());
        }
    }
}
