package bitnut;

import bitnut.cli.BitnutCommand;

/**
 * Entry point of the one jar: no arguments opens the workbench; anything else is the CLI.
 * This class must not extend javafx.application.Application (JavaFX on the classpath refuses that).
 */
public final class Main {
    private Main() { }

    public static void main(String[] args) {
        ResumableJobs.registerAll();
        if (args.length == 0) {
            bitnut.ui.WorkbenchApp.launchApp(args);
            return;
        }
        System.exit(BitnutCommand.commandLine().execute(args));
    }
}
