package bitnut;

import bitnut.common.JobKinds;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** After start-up registration every resumable stage kind is known, before any of its classes ran. */
class ResumableJobsTest {
    @Test
    void registerAllMakesTheStageKindsResumable() {
        ResumableJobs.registerAll();
        for (String kind : new String[] {bitnut.finetune.FinetuneJob.KIND, bitnut.corpus.ShardBuilder.KIND,
                bitnut.corpus.HubDownloadJob.KIND}) {
            assertTrue(JobKinds.resumer(kind).isPresent(), kind);
        }
    }
}
