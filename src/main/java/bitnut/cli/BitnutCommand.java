package bitnut.cli;

import bitnut.workspace.Workspace;
import bitnut.workspace.WorkspaceException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * Root of the command line. Each pipeline stage adds one subcommand class in this package and one
 * entry in {@code subcommands} below. Subcommands reach the workspace through {@link #workspace()}.
 */
@Command(name = "bitnut", mixinStandardHelpOptions = true, versionProvider = BitnutCommand.Version.class,
        description = "BitNut Workbench: from raw text to a chatting BitNet b1.58 model.%n"
                + "Run without arguments to open the workbench.",
        subcommands = {
                CommandLine.HelpCommand.class,
                DatasetCommand.class,
                BenchCommand.class,
                SynthCommand.class,
                CorpusCommand.class,
                PretrainCommand.class,
                FinetuneCommand.class,
                TokenizerCommand.class,
                SampleCommand.class,
                ChatCommand.class,
                ServeCommand.class,
                TasksCommand.class,
        })
public final class BitnutCommand implements Runnable {

    @Option(names = "--workspace", paramLabel = "DIR", scope = CommandLine.ScopeType.INHERIT,
            description = "Workspace folder (default: the bundled workspace/ beside bin/bitnut).")
    Path workspaceDir;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override public void run() { spec.commandLine().usage(System.out); }

    private static volatile Workspace opened;

    /**
     * Opens (creating if missing) the workspace named by --workspace. A folder holding a manifest of
     * another format or a newer version is a clear error (see {@link Workspace#open}).
     */
    public Workspace workspace() {
        try {
            Workspace ws = Workspace.create(workspaceDir != null ? workspaceDir : defaultWorkspaceDir());
            opened = ws;
            return ws;
        } catch (WorkspaceException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** The workspace the running command opened last (CliJobRunner records jobs there), or null. */
    public static Workspace openedWorkspace() { return opened; }

    /** The bundled default workspace: {@code $bitnut.home/workspace} (the launcher sets bitnut.home). */
    public static Path defaultWorkspaceDir() { return Workspace.defaultDir(); }

    public static CommandLine commandLine() {
        return new CommandLine(new BitnutCommand()).setCaseInsensitiveEnumValuesAllowed(true);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override public String[] getVersion() {
            String v = BitnutCommand.class.getPackage().getImplementationVersion();
            return new String[] {"BitNut Workbench " + (v == null ? "dev" : v),
                    "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"};
        }
    }
}
