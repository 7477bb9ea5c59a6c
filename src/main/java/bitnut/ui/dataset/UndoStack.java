package bitnut.ui.dataset;

import bitnut.dataset.DatasetStore;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Undo and redo stacks of {@link DatasetCommand}s. A command enters the undo stack only once its
 * write committed; a failed undo (the row changed meanwhile) keeps the command where it was.
 * Not thread-safe: the view-model calls it on the FX thread and continues on the FX thread.
 */
final class UndoStack {
    private final Deque<DatasetCommand> undo = new ArrayDeque<>();
    private final Deque<DatasetCommand> redo = new ArrayDeque<>();

    void pushDone(DatasetCommand c) {
        undo.push(c);
        redo.clear();
    }

    Optional<DatasetCommand> peekUndo() { return Optional.ofNullable(undo.peek()); }

    Optional<DatasetCommand> peekRedo() { return Optional.ofNullable(redo.peek()); }

    /** Undoes the newest command; on success it moves to the redo stack. */
    CompletableFuture<DatasetCommand> undo(DatasetStore store) {
        DatasetCommand c = undo.peek();
        if (c == null) return CompletableFuture.completedFuture(null);
        return c.undo(store).thenApply(x -> c);
    }

    void undone(DatasetCommand c) { if (undo.peek() == c) { undo.pop(); redo.push(c); } }

    CompletableFuture<DatasetCommand> redo(DatasetStore store) {
        DatasetCommand c = redo.peek();
        if (c == null) return CompletableFuture.completedFuture(null);
        return c.redo(store).thenApply(x -> c);
    }

    void redone(DatasetCommand c) { if (redo.peek() == c) { redo.pop(); undo.push(c); } }
}
