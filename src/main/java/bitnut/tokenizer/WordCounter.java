package bitnut.tokenizer;

import bitnut.common.JobContext;
import bitnut.text.Document;
import bitnut.text.DocumentStream;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Phase 1 of training: streams the sequences, splits them with {@link ByteLevel#split} and counts
 * distinct words on all threads (HF: {@code par_bridge} + map-reduce). Memory is bounded by the
 * distinct words plus a few batches in flight, never the corpus. The calling thread reads (UTF-8
 * decoding, JSON, Parquet); {@code threads} workers split and count into private tables.
 */
final class WordCounter {
    /** Result of counting. */
    record Counts(WordTable words, long sequences, long bytes, List<String> heldOut, long heldOutBytes, boolean inSample) { }

    private static final int BATCH_CHARS = 1 << 18;
    private static final List<String> END = new ArrayList<>();

    private WordCounter() { }

    /**
     * Counts words of all sequences.
     *
     * @param heldOutEvery every n-th sequence is kept out of training for the bytes/token check
     *                     (0 = none; then, or when no sequence was held out, the first
     *                     {@code heldOutMaxBytes} chars are returned as an in-sample slice)
     * @param heldOutMaxBytes stop holding out once this many bytes are held
     */
    static Counts count(DocumentStream sequences, int threads, int heldOutEvery, long heldOutMaxBytes,
                        JobContext ctx) throws Exception {
        int n = Math.max(1, threads);
        BlockingQueue<List<String>> queue = new ArrayBlockingQueue<>(2 * n);
        ExecutorService pool = Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, "tokenizer-count");
            t.setDaemon(true);
            return t;
        });
        List<Future<WordTable>> results = new ArrayList<>();
        for (int i = 0; i < n; i++) results.add(pool.submit(() -> countWorker(queue)));
        long seq = 0, bytes = 0, heldBytes = 0;
        List<String> held = new ArrayList<>();
        List<String> sample = new ArrayList<>();
        long sampleChars = 0;
        long t0 = System.nanoTime(), lastReport = t0;
        boolean endSent = false;
        try {
            List<String> batch = new ArrayList<>();
            int batchChars = 0;
            for (Document d : sequences) {
                String s = d.text();
                seq++;
                if (heldOutEvery > 0 && seq % heldOutEvery == 0 && heldBytes < heldOutMaxBytes) {
                    held.add(s);                       // kept out of training
                    heldBytes += s.length();
                    continue;
                }
                if (sampleChars < heldOutMaxBytes) {             // in-sample slice, used when nothing was held out
                    String part = s.length() <= heldOutMaxBytes - sampleChars ? s : cut(s, (int) (heldOutMaxBytes - sampleChars));
                    sample.add(part);
                    sampleChars += part.length();
                }
                batch.add(s);
                batchChars += s.length();
                if (batchChars >= BATCH_CHARS) {
                    put(queue, batch, results);
                    batch = new ArrayList<>();
                    batchChars = 0;
                    ctx.checkpoint();
                    long now = System.nanoTime();
                    if (now - lastReport > 250_000_000L) {
                        lastReport = now;
                        bytes = sequences.report().textBytes();
                        ctx.progress(sequences.report().fraction(), "counting words");
                        ctx.throughput(bytes / 1e6 / ((now - t0) / 1e9), "MB/s");
                    }
                }
            }
            if (!batch.isEmpty()) put(queue, batch, results);
            for (int i = 0; i < n; i++) put(queue, END, results);
            endSent = true;
            WordTable total = null;
            for (Future<WordTable> f : results) {
                WordTable t = f.get();
                if (total == null) total = t;
                else { total.addAll(t); ctx.checkpoint(); }
            }
            bytes = sequences.report().textBytes();
            boolean inSample = held.isEmpty();
            return new Counts(total, seq, bytes, inSample ? sample : held, inSample ? sampleChars : heldBytes, inSample);
        } finally {
            if (!endSent) for (Future<WordTable> f : results) f.cancel(true);
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /** The first {@code n} chars of s, not splitting a surrogate pair. */
    private static String cut(String s, int n) {
        if (n > 0 && n < s.length() && Character.isHighSurrogate(s.charAt(n - 1))) n--;
        return s.substring(0, Math.max(0, n));
    }

    /** Puts a batch, failing fast if a worker died (so the reader does not block forever). */
    private static void put(BlockingQueue<List<String>> q, List<String> batch, List<Future<WordTable>> workers) throws Exception {
        while (!q.offer(batch, 100, TimeUnit.MILLISECONDS)) {
            for (Future<WordTable> f : workers) if (f.isDone()) f.get();   // rethrows the worker's failure
        }
    }

    private static WordTable countWorker(BlockingQueue<List<String>> queue) throws InterruptedException {
        WordTable table = new WordTable();
        Utf8Pieces pieces = new Utf8Pieces(table);
        while (true) {
            List<String> batch = queue.take();
            if (batch == END) return table;
            for (String s : batch) pieces.add(s);
        }
    }

    /** Splits a string and adds each piece's UTF-8 bytes to a table. */
    static final class Utf8Pieces implements ByteLevel.PieceSink {
        private final WordTable table;
        private byte[] buf = new byte[256];
        private String s;

        Utf8Pieces(WordTable table) { this.table = table; }

        void add(String text) {
            s = ByteLevel.replaceLoneSurrogates(text);
            ByteLevel.split(s, 0, s.length(), this);
        }

        @Override
        public void piece(int start, int end) {
            int n = utf8(s, start, end);
            table.add(buf, 0, n, 1);
        }

        /** Encodes s[start, end) into buf; returns the byte count. */
        private int utf8(String s, int start, int end) {
            int need = (end - start) * 3;
            if (buf.length < need) buf = new byte[Math.max(need, buf.length * 2)];
            byte[] b = buf;
            int n = 0;
            for (int i = start; i < end; i++) {
                char c = s.charAt(i);
                if (c < 0x80) b[n++] = (byte) c;
                else if (c < 0x800) { b[n++] = (byte) (0xC0 | c >> 6); b[n++] = (byte) (0x80 | c & 0x3F); }
                else if (Character.isHighSurrogate(c) && i + 1 < end) {
                    int cp = Character.toCodePoint(c, s.charAt(++i));
                    b[n++] = (byte) (0xF0 | cp >> 18);
                    b[n++] = (byte) (0x80 | (cp >> 12) & 0x3F);
                    b[n++] = (byte) (0x80 | (cp >> 6) & 0x3F);
                    b[n++] = (byte) (0x80 | cp & 0x3F);
                } else {
                    b[n++] = (byte) (0xE0 | c >> 12);
                    b[n++] = (byte) (0x80 | (c >> 6) & 0x3F);
                    b[n++] = (byte) (0x80 | c & 0x3F);
                }
            }
            return n;
        }
    }
}
