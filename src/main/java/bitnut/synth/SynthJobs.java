package bitnut.synth;

import bitnut.common.JobKinds;
import bitnut.workspace.Workspace;
import bitnut.workspace.WorkspaceException;

import java.nio.file.Path;

/**
 * Registers the synth stage's resumable job kinds with {@link JobKinds}, so the Tasks view (or
 * {@code bitnut synth resume}) can continue a question or voice run after a crash from its spec.
 * Call {@link #register()} once before resuming; repeated calls are harmless.
 */
public final class SynthJobs {
    static {
        JobKinds.register(QuestionJob.KIND, (root, spec) -> QuestionJob.resume(open(root), spec, null));
        JobKinds.register(VoiceJob.KIND, (root, spec) -> VoiceJob.resume(open(root), spec, null));
    }

    private SynthJobs() { }

    /** Forces the static registration above. */
    public static void register() { }

    private static Workspace open(Path root) {
        try {
            return Workspace.open(root);
        } catch (WorkspaceException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
