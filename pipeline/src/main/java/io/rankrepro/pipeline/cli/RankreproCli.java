package io.rankrepro.pipeline.cli;

import io.rankrepro.pipeline.spec.SpecException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code rankrepro} command. */
@Command(name = "rankrepro", mixinStandardHelpOptions = true, versionProvider = RankreproCli.Version.class,
        description = {"Reproduces the figures and tables of two papers on low-rank attention as a DAG of tracked tasks:",
                "  Kobayashi et al. 2024, Weight decay induces low-rank attention layers",
                "  Boix-Adsera et al. 2023, Transformers learn through gradual rank increase",
                "",
                "Typical use:",
                "  rankrepro plan --spec pipeline/experiments/boix2023/fig1.yaml --profile smoke",
                "  rankrepro run  --spec pipeline/experiments/boix2023/fig1.yaml",
                "  rankrepro figure --from-run RUN_ID",
                "  rankrepro report                  results/report/index.html: every figure and claim",
                "  rankrepro provenance FIGURE       where a figure came from (--verify re-hashes it)",
                "  rankrepro compare RUN_A RUN_B     params that differ, metrics side by side",
                "  rankrepro claims                  every paper claim tested, with its criterion (docs/CLAIMS.md)",
                "  rankrepro inspect MODEL_DIR       any Hugging Face checkpoint's attention, head by head"},
        subcommands = {PlanCommand.class, RunCommand.class, ReportCommand.class, ProvenanceCommand.class,
                CompareCommand.class, ClaimsCommand.class, CommandLine.HelpCommand.class})
public final class RankreproCli {
    static final String[] STAGES = {"prepare", "train", "checkpoint", "analyze"};

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the CLI and returns its exit code: 0 ok, 1 failure, 2 bad usage or bad spec. */
    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new RankreproCli());
        for (String stage : STAGES) {
            cli.addSubcommand(stage, new StageCommand(stage));
        }
        cli.addSubcommand("figure", new FigureCommand());
        CommandLine any = new CommandLine(new StageCommand(null));
        any.getCommandSpec().usageMessage().description(
                "Run one task of any stage by its id, as the DAG executor would (what Airflow runs).",
                "Upstream outputs must already be in --workdir; `rankrepro plan` lists the task ids.");
        cli.addSubcommand("task", any);
        cli.addSubcommand("inspect", new InspectCommand());
        cli.addSubcommand("airflow", AirflowCommand.class);
        cli.addSubcommand("mlflow", MlflowCommand.class);
        cli.addSubcommand("tracking", TrackingCommand.class);
        cli.addSubcommand("worker", WorkerCommand.class);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof SpecException || e instanceof UsageError) {
                cmd.getErr().println("rankrepro: " + e.getMessage());
                return 2;
            }
            cmd.getErr().println("rankrepro: error: " + io.rankrepro.pipeline.exec.TaskRunner.message(e));
            if (System.getenv("RANKREPRO_DEBUG") != null) {
                e.printStackTrace(cmd.getErr());
            } else {
                cmd.getErr().println("  (set RANKREPRO_DEBUG=1 for the stack trace)");
            }
            return 1;
        });
        return cli.execute(args);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = RankreproCli.class.getPackage().getImplementationVersion();
            return new String[] {"rankrepro " + (v == null ? "dev" : v)};
        }
    }
}
