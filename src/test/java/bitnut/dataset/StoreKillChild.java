package bitnut.dataset;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Child process for {@link StoreKillTest}: inserts and edits rows as fast as it can and prints
 * "ACK id version text" after each write's future completed. The parent SIGKILLs it mid-stream.
 */
public final class StoreKillChild {
    public static void main(String[] args) throws Exception {
        try (DatasetStore store = DatasetStore.open(Path.of(args[0]))) {
            long id = store.addExamples(List.of(new NewExample("kill", "Will this survive?", "start", ExampleSource.MANUAL, Map.of())))
                    .join().getFirst();
            long version = 1;
            for (int i = 0; ; i++) {
                String text = "edit " + i;
                Example e = store.edit(id, version, "Will this survive?", text).join();
                version = e.version();
                System.out.println("ACK " + id + " " + version + " " + text);
                if (i % 3 == 0) {
                    long q = store.addQuestions(List.of(NewQuestion.of("kill", "question number " + i + "?", Map.of()))).join().getFirst();
                    System.out.println("ADD " + q);
                }
                System.out.flush();
            }
        }
    }
}
