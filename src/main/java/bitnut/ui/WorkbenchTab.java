package bitnut.ui;

import javafx.scene.Node;

/**
 * One tab of the main window: a stage view ({@code bitnut.ui.<stage>.<Stage>View}) or the Tasks view.
 * Views are built in code from their view-model; MainWindow lists them in pipeline order.
 */
public interface WorkbenchTab {
    /** The tab's title: the stage word ("Tokenizer", "Corpus", "Pretrain", ...). */
    String title();

    /** The view's root node (built once). */
    Node content();

    /** Called when the window closes or switches workspace: stop timers, release resources. */
    default void dispose() { }
}
