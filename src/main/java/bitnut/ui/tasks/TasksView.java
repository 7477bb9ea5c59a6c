package bitnut.ui.tasks;

import bitnut.common.JobState;
import bitnut.ui.FxJob;
import bitnut.ui.WorkbenchTab;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.binding.Bindings;
import javafx.geometry.Orientation;
import javafx.scene.Node;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.cell.ProgressBarTableCell;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;

import java.io.IOException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * The Tasks tab: a table of every job in the workspace (state, progress, phase, throughput, ETA,
 * lane, started), commands for the selected job, and its result and log below.
 */
public final class TasksView implements WorkbenchTab {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    private final TasksViewModel model;
    private final BorderPane root = new BorderPane();
    private final TableView<FxJob> table = new TableView<>();
    private final ListView<String> log = new ListView<>();
    private final Label outcome = new Label();

    public TasksView(TasksViewModel model) {
        this.model = model;
        root.setId("tasks-view");
        table.setId("tasks-table");
        log.setId("tasks-log");
        outcome.setId("tasks-outcome");
        table.setItems(model.jobs());
        table.setPlaceholder(new Label("No jobs yet. Jobs started from any tab appear here."));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.getColumns().add(column("Job", 260, j -> new ReadOnlyStringWrapper(j.getTitle())));
        TableColumn<FxJob, String> state = new TableColumn<>("State");
        state.setPrefWidth(150);
        state.setCellValueFactory(c -> {
            FxJob j = c.getValue();
            return Bindings.createStringBinding(() -> TasksViewModel.stateText(j), j.jobStateProperty(), j.queuePositionProperty());
        });
        table.getColumns().add(state);
        TableColumn<FxJob, Double> progress = new TableColumn<>("Progress");
        progress.setPrefWidth(130);
        progress.setCellValueFactory(c -> c.getValue().progressProperty().asObject());
        progress.setCellFactory(ProgressBarTableCell.forTableColumn());
        table.getColumns().add(progress);
        table.getColumns().add(column("Phase", 200, FxJob::messageProperty));
        table.getColumns().add(column("Throughput", 110, FxJob::throughputProperty));
        table.getColumns().add(column("ETA", 80, FxJob::etaProperty));
        table.getColumns().add(column("Lane", 70, j -> new ReadOnlyStringWrapper(j.handle().lane().name().toLowerCase())));
        table.getColumns().add(column("Submitted", 120, j -> new ReadOnlyStringWrapper(TIME.format(Instant.ofEpochMilli(j.handle().submittedAt())))));
        // selection both ways: the user picks a row; the model picks a job (e.g. the one Resume started)
        table.getSelectionModel().selectedItemProperty().addListener((o, a, j) -> model.selectedProperty().set(j));
        model.selectedProperty().addListener((o, a, j) -> {
            if (j != null && table.getSelectionModel().getSelectedItem() != j) table.getSelectionModel().select(j);
        });
        model.selectedProperty().addListener((o, a, j) -> showDetails(j));

        Button cancel = button("Cancel", "tasks-cancel", model::cancel);
        cancel.disableProperty().bind(model.canCancelProperty().not());
        Button pause = button("Pause", "tasks-pause", model::pause);
        pause.disableProperty().bind(model.canPauseProperty().not());
        Button resume = button("Resume", "tasks-resume", model::resume);
        resume.disableProperty().bind(model.canResumeProperty().not());
        Button up = button("Move up", "tasks-up", () -> model.move(-1));
        up.disableProperty().bind(model.canMoveProperty().not());
        Button down = button("Move down", "tasks-down", () -> model.move(1));
        down.disableProperty().bind(model.canMoveProperty().not());
        Button remove = button("Remove", "tasks-remove", () -> {
            try {
                model.remove();
            } catch (IOException e) {
                new Alert(Alert.AlertType.ERROR, "Cannot delete the job's history: " + e.getMessage()).show();
            }
        });
        remove.disableProperty().bind(model.canRemoveProperty().not());
        HBox toolbar = new HBox(cancel, pause, resume, up, down, remove);
        toolbar.getStyleClass().add("tasks-toolbar");

        log.getStyleClass().add("tasks-log");
        outcome.setWrapText(true);
        VBox details = new VBox(4, outcome, log);
        VBox.setVgrow(log, javafx.scene.layout.Priority.ALWAYS);
        details.setPadding(new javafx.geometry.Insets(4, 6, 6, 6));
        SplitPane split = new SplitPane(table, details);
        split.setOrientation(Orientation.VERTICAL);
        split.setDividerPositions(0.6);
        root.setTop(toolbar);
        root.setCenter(split);
        showDetails(null);
    }

    @Override public String title() { return "Tasks"; }

    @Override public Node content() { return root; }

    public TasksViewModel model() { return model; }

    public TableView<FxJob> table() { return table; }

    private void showDetails(FxJob j) {
        outcome.textProperty().unbind();
        outcome.getStyleClass().removeAll("job-error", "job-result");
        if (j == null) {
            log.setItems(javafx.collections.FXCollections.observableArrayList());
            outcome.setText("Select a job to see its result and log.");
            return;
        }
        log.setItems(j.log());
        outcome.textProperty().bind(Bindings.createStringBinding(() -> {
            JobState s = j.getJobState();
            outcome.getStyleClass().removeAll("job-error", "job-result");
            if (s == JobState.SUCCEEDED) { outcome.getStyleClass().add("job-result"); return "Result: " + j.getValue(); }
            if (s == JobState.FAILED || s == JobState.INTERRUPTED) {
                outcome.getStyleClass().add("job-error");
                return (s == JobState.FAILED ? "Failed: " : "Interrupted: ") + j.errorProperty().get()
                        + (j.resumableProperty().get() ? " — press Resume to continue it." : "");
            }
            return j.getTitle() + " · " + TasksViewModel.stateText(j) + " · " + j.handle().kind() + " · id " + j.handle().id();
        }, j.jobStateProperty(), j.valueProperty(), j.errorProperty(), j.resumableProperty(), j.queuePositionProperty()));
    }

    private static Button button(String text, String id, Runnable action) {
        Button b = new Button(text);
        b.setId(id);
        b.setOnAction(e -> action.run());
        return b;
    }

    private static TableColumn<FxJob, String> column(String title, double width,
                                                     java.util.function.Function<FxJob, javafx.beans.value.ObservableValue<String>> f) {
        TableColumn<FxJob, String> c = new TableColumn<>(title);
        c.setPrefWidth(width);
        c.setCellValueFactory(cd -> f.apply(cd.getValue()));
        return c;
    }

}
