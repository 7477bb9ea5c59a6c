package bitnut.ui.chat;

import bitnut.infer.ChatStore;
import bitnut.infer.kernel.DenseMatrix;
import bitnut.ui.FormFields;
import bitnut.ui.WorkbenchTab;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.control.TextInputDialog;
import javafx.scene.input.Clipboard;
import javafx.scene.input.ClipboardContent;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.util.StringConverter;

import java.nio.file.Path;

/**
 * The Chat tab: saved conversations on the left; the conversation in the middle (one column, or two
 * when comparing checkpoints A and B on the same messages), each bubble with Copy and, for your
 * messages, Edit (edit-and-resend); an input line with Send, Stop, Regenerate and live tok/s.
 * Built in code from {@link ChatViewModel}.
 */
public final class ChatView implements WorkbenchTab {
    private final ChatViewModel model;
    private final BorderPane root = new BorderPane();

    public ChatView(ChatViewModel model) {
        this.model = model;
        build();
    }

    public ChatViewModel model() { return model; }

    @Override public String title() { return "Chat"; }
    @Override public Node content() { return root; }
    @Override public void dispose() { model.dispose(); }

    private static HBox group(Node... nodes) {
        HBox box = new HBox(6, nodes);
        box.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        return box;
    }

    private void build() {
        // ---- top: checkpoints and settings
        ComboBox<Path> a = checkpointBox("chat-checkpoint-a");
        a.valueProperty().bindBidirectional(model.checkpointAProperty());
        ComboBox<Path> b = checkpointBox("chat-checkpoint-b");
        b.valueProperty().bindBidirectional(model.checkpointBProperty());
        CheckBox compare = new CheckBox("Compare with");
        compare.setId("chat-compare");
        compare.selectedProperty().bindBidirectional(model.compareProperty());
        b.disableProperty().bind(compare.selectedProperty().not());
        Button refresh = new Button("Refresh");
        refresh.setOnAction(e -> model.refreshCheckpoints());
        TextField temp = new TextField();
        temp.setPrefColumnCount(4);
        temp.textProperty().bindBidirectional(model.temperatureProperty());
        TextField max = new TextField();
        max.setPrefColumnCount(4);
        max.textProperty().bindBidirectional(model.maxTokensProperty());
        ComboBox<DenseMatrix.Precision> head = FormFields.headPrecision("chat-head", model.headProperty());
        // groups that wrap as a whole when the window is narrow, so no label is cut short
        FlowPane top = new FlowPane(12, 6, group(new Label("Checkpoint"), a), group(compare, b, refresh),
                group(new Label("Temperature"), temp), group(new Label("Max tokens"), max), group(new Label("Head"), head));
        top.setPadding(new Insets(8));
        root.setTop(top);

        // ---- left: saved conversations
        ListView<ChatStore.Conversation> list = new ListView<>(model.conversations());
        list.setId("chat-conversations");
        list.setCellFactory(v -> new ListCell<>() {
            @Override protected void updateItem(ChatStore.Conversation c, boolean empty) {
                super.updateItem(c, empty);
                setText(empty || c == null ? null : (c.title().isBlank() ? "(empty)" : c.title()) + "  [" + c.turns().size() + "]");
            }
        });
        list.setOnMouseClicked(e -> {
            if (e.getClickCount() == 2) model.open(list.getSelectionModel().getSelectedItem());
        });
        Button newChat = new Button("New chat");
        newChat.setId("chat-new");
        newChat.setOnAction(e -> model.newConversation());
        Button openChat = new Button("Open");
        openChat.setOnAction(e -> model.open(list.getSelectionModel().getSelectedItem()));
        VBox left = new VBox(6, new HBox(6, newChat, openChat), list);
        VBox.setVgrow(list, Priority.ALWAYS);
        left.setPadding(new Insets(0, 0, 8, 8));
        left.setPrefWidth(220);

        // ---- center: one or two columns of bubbles
        SplitPane columns = new SplitPane(column(model.messagesA(), "chat-messages-a"));
        Node colB = column(model.messagesB(), "chat-messages-b");
        model.compareProperty().addListener((o, was, on) -> {
            if (on && !columns.getItems().contains(colB)) columns.getItems().add(colB);
            if (!on) columns.getItems().remove(colB);
        });

        // ---- bottom: input and commands
        TextArea input = new TextArea();
        input.setId("chat-input");
        input.setPrefRowCount(2);
        input.setWrapText(true);
        input.textProperty().bindBidirectional(model.inputProperty());
        Button send = new Button("Send");
        send.setId("chat-send");
        send.disableProperty().bind(model.runningProperty());
        send.setOnAction(e -> model.send());
        Button stop = new Button("Stop");
        stop.setId("chat-stop");
        stop.disableProperty().bind(model.runningProperty().not());
        stop.setOnAction(e -> model.stop());
        Button regen = new Button("Regenerate");
        regen.setId("chat-regenerate");
        regen.disableProperty().bind(model.runningProperty());
        regen.setOnAction(e -> model.regenerate());
        Label speed = new Label();
        speed.setId("chat-speed");
        speed.textProperty().bind(model.liveSpeedProperty());
        Label status = new Label();
        status.setId("chat-status");
        status.textProperty().bind(model.statusProperty());
        HBox buttons = new HBox(6, send, stop, regen, speed, status);
        VBox bottom = new VBox(6, input, buttons);
        bottom.setPadding(new Insets(8));
        HBox.setHgrow(input, Priority.ALWAYS);

        BorderPane center = new BorderPane(columns);
        center.setBottom(bottom);
        SplitPane split = new SplitPane(left, center);
        split.setDividerPositions(0.22);
        root.setCenter(split);
    }

    private ComboBox<Path> checkpointBox(String id) {
        ComboBox<Path> box = new ComboBox<>(model.checkpoints());
        box.setId(id);
        box.setPrefWidth(260);
        box.setConverter(new StringConverter<>() {
            @Override public String toString(Path p) {
                if (p == null) return "";
                Path parent = p.getParent();
                return parent != null && parent.getParent() != null ? parent.getParent().getFileName() + " @ " + p.getFileName() : p.toString();
            }
            @Override public Path fromString(String s) { return s == null || s.isBlank() ? null : Path.of(s); }
        });
        return box;
    }

    /** A scrolling column of bubbles that follows its message list. */
    private Node column(ObservableList<ChatViewModel.Message> messages, String id) {
        VBox bubbles = new VBox(6);
        bubbles.setId(id);
        bubbles.setPadding(new Insets(8));
        ScrollPane scroll = new ScrollPane(bubbles);
        scroll.setFitToWidth(true);
        messages.addListener((ListChangeListener<ChatViewModel.Message>) c -> {
            bubbles.getChildren().clear();
            for (ChatViewModel.Message m : messages) bubbles.getChildren().add(bubble(m));
            scroll.setVvalue(1.0);
        });
        return scroll;
    }

    private Node bubble(ChatViewModel.Message m) {
        Label who = new Label(m.human ? "human" : "bitnut");
        who.setStyle("-fx-font-weight: bold;");
        Label text = new Label();
        text.getStyleClass().add(m.human ? "chat-human" : "chat-bitnut");
        text.setWrapText(true);
        text.textProperty().bind(m.text);
        Label stats = new Label();
        stats.textProperty().bind(m.stats);
        stats.setStyle("-fx-font-size: 0.85em; -fx-opacity: 0.7;");
        Button copy = new Button("Copy");
        copy.getStyleClass().add("chat-copy");
        copy.setOnAction(e -> {
            ClipboardContent content = new ClipboardContent();
            content.putString(m.text.get());
            Clipboard.getSystemClipboard().setContent(content);
        });
        HBox actions = new HBox(4, copy);
        if (m.human) {
            Button edit = new Button("Edit");
            edit.getStyleClass().add("chat-edit");
            edit.disableProperty().bind(model.runningProperty());
            edit.setOnAction(e -> {
                TextInputDialog d = new TextInputDialog(m.text.get());
                d.setHeaderText("Edit and resend");
                d.showAndWait().ifPresent(t -> model.editAndResend(m.turn, t));
            });
            actions.getChildren().add(edit);
        }
        VBox box = new VBox(2, new HBox(8, who, actions), text, stats);
        box.setPadding(new Insets(6));
        box.setStyle(m.human ? "-fx-background-color: rgba(120,120,255,0.12); -fx-background-radius: 6;"
                : "-fx-background-color: rgba(255,200,80,0.15); -fx-background-radius: 6;");
        return box;
    }
}
