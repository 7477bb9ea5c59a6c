package bitnut.synth;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class TeacherFailuresTest {
    private static final TeacherException FLAKY = new TeacherException("HTTP 500", true);

    @Test
    void stopsAfterFiveRetryableFailuresInARowButASuccessResetsTheCount() throws Exception {
        TeacherFailures f = new TeacherFailures();
        for (int i = 0; i < TeacherFailures.MAX_CONSECUTIVE - 1; i++) f.failed(FLAKY, 1);
        f.succeeded();
        for (int i = 0; i < TeacherFailures.MAX_CONSECUTIVE - 1; i++) f.failed(FLAKY, 4);
        TeacherException e = assertThrows(TeacherException.class, () -> f.failed(FLAKY, 4));
        assertTrue(e.getMessage().startsWith("5 requests in a row failed"), e.getMessage());
        assertTrue(e.retryable(), "a resume may continue the run");
        assertEquals(4 + 5 * 4, f.total(), "counts work items, not requests");
    }

    @Test
    void aNonRetryableOrUnexpectedErrorStopsAtOnce() {
        TeacherException auth = new TeacherException("HTTP 401: bad key", false);
        assertSame(auth, assertThrows(TeacherException.class, () -> new TeacherFailures().failed(auth, 1)));
        IllegalStateException bug = new IllegalStateException("bug");
        assertSame(bug, assertThrows(IllegalStateException.class, () -> new TeacherFailures().failed(bug, 1)));
    }

    @Test
    void aRunWhereEveryRequestFailedIsAnError() throws Exception {
        TeacherFailures f = new TeacherFailures();
        f.requireSomeSuccess(0, "q-1");  // nothing tried, nothing failed: fine
        f.failed(FLAKY, 1);
        f.requireSomeSuccess(3, "q-1");  // some stored: a summary, not an error
        TeacherException e = assertThrows(TeacherException.class, () -> f.requireSomeSuccess(0, "q-1"));
        assertTrue(e.getMessage().contains("every request failed (1)") && e.getMessage().contains("resume run q-1"), e.getMessage());
    }
}
