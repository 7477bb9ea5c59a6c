package bitnut.dataset;

import java.util.Map;

/**
 * Counts for the Dataset tab's charts and {@code bitnut dataset stats}.
 *
 * @param lengthHistogram answered examples per response length bucket: bucket i holds
 *                        [i*{@link #BUCKET_WORDS}, (i+1)*{@link #BUCKET_WORDS}) words, the last one is open-ended
 */
public record DatasetStats(long total, long answered, Map<String, Long> perTopic, Map<ExampleStatus, Long> perStatus,
                           Map<ExampleSource, Long> perSource, Map<Flag, Long> perFlag, long[] lengthHistogram) {
    public static final int BUCKET_WORDS = 25;
    public static final int BUCKETS = 17;
}
