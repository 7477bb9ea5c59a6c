package bitnut.ui.chat;

import bitnut.infer.ChatSession;
import bitnut.infer.ChatStore;
import bitnut.infer.CheckpointCatalog;
import bitnut.infer.EngineCache;
import bitnut.infer.GenerateJob;
import bitnut.infer.GenerationResult;
import bitnut.infer.Generator;
import bitnut.infer.InferenceEngine;
import bitnut.infer.SamplingSettings;
import bitnut.infer.kernel.DenseMatrix;
import bitnut.ui.AppServices;
import bitnut.ui.FxJob;
import bitnut.workspace.Workspace;
import javafx.application.Platform;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * State and commands of the Chat tab: properties first (checkpoint A and optional B to compare,
 * the messages of each column, the input, live tok/s, saved conversations), then commands (send,
 * stop, regenerate, edit-and-resend, new / open conversation). Replies stream from a GenerateJob run
 * through the executor; the conversation is saved in workspace/chat/ after every turn (column A).
 * Use on the FX thread.
 */
public final class ChatViewModel {
    /** One bubble: who speaks, the text (grows while streaming) and a speed line. */
    public static final class Message {
        public final boolean human;
        public final int turn;
        public final StringProperty text = new SimpleStringProperty("");
        public final StringProperty stats = new SimpleStringProperty("");
        Message(boolean human, int turn, String text) {
            this.human = human;
            this.turn = turn;
            this.text.set(text);
        }
    }

    private final AppServices services;
    private final EngineCache engines;
    private final ChatStore store;

    // ---- properties ----
    private final ObservableList<Path> checkpoints = FXCollections.observableArrayList();
    private final ObjectProperty<Path> checkpointA = new SimpleObjectProperty<>();
    private final ObjectProperty<Path> checkpointB = new SimpleObjectProperty<>();
    private final BooleanProperty compare = new SimpleBooleanProperty(false);
    private final ObjectProperty<DenseMatrix.Precision> head = new SimpleObjectProperty<>(InferenceEngine.Options.defaults().headPrecision());
    private final ObservableList<Message> messagesA = FXCollections.observableArrayList();
    private final ObservableList<Message> messagesB = FXCollections.observableArrayList();
    private final StringProperty input = new SimpleStringProperty("");
    private final StringProperty temperature = new SimpleStringProperty("0.7");
    private final StringProperty maxTokens = new SimpleStringProperty("96");
    private final BooleanProperty running = new SimpleBooleanProperty(false);
    private final StringProperty liveSpeed = new SimpleStringProperty("");
    private final StringProperty status = new SimpleStringProperty("");
    private final ObservableList<ChatStore.Conversation> conversations = FXCollections.observableArrayList();
    private final ObjectProperty<ChatStore.Conversation> conversation = new SimpleObjectProperty<>();

    private volatile ChatSession sessionA, sessionB;
    private volatile Generator genA, genB;
    private List<ChatSession.Turn> turnsA = new ArrayList<>(), turnsB = new ArrayList<>();
    private long seed = 1;
    private FxJob job;

    public ChatViewModel(AppServices services) {
        this.services = services;
        Workspace ws = services.workspace();
        this.engines = new EngineCache(2, InferenceEngine.Options.defaults(), workspaceTokenizer(ws));
        this.store = new ChatStore(ws.chatDir());
        refreshCheckpoints();
        refreshConversations();
        newConversation();
    }

    public ObservableList<Path> checkpoints() { return checkpoints; }
    public ObjectProperty<Path> checkpointAProperty() { return checkpointA; }
    public ObjectProperty<Path> checkpointBProperty() { return checkpointB; }
    public BooleanProperty compareProperty() { return compare; }
    /** Embeddings / lm_head precision of the engines BitNut answers with (f32 exact; bf16, int8 smaller and faster). */
    public ObjectProperty<DenseMatrix.Precision> headProperty() { return head; }
    public ObservableList<Message> messagesA() { return messagesA; }
    public ObservableList<Message> messagesB() { return messagesB; }
    public StringProperty inputProperty() { return input; }
    public StringProperty temperatureProperty() { return temperature; }
    public StringProperty maxTokensProperty() { return maxTokens; }
    public BooleanProperty runningProperty() { return running; }
    public StringProperty liveSpeedProperty() { return liveSpeed; }
    public StringProperty statusProperty() { return status; }
    public ObservableList<ChatStore.Conversation> conversations() { return conversations; }
    public ObjectProperty<ChatStore.Conversation> conversationProperty() { return conversation; }
    public ChatStore store() { return store; }

    // ---- commands ----

    public void refreshCheckpoints() {
        Workspace ws = services.workspace();
        List<Path> found = new ArrayList<>();
        for (CheckpointCatalog.Entry e : CheckpointCatalog.list(ws.finetuneDir(), ws.pretrainDir())) found.add(e.dir());
        checkpoints.setAll(found);
        if (checkpointA.get() == null && !found.isEmpty()) checkpointA.set(found.getFirst());
        if (checkpointB.get() == null && found.size() > 1) checkpointB.set(found.get(1));
        if (found.isEmpty()) status.set("No checkpoint in this workspace yet: train one in the Pretrain or Finetune tab.");
    }

    public void refreshConversations() {
        List<String> problems = new ArrayList<>();
        conversations.setAll(store.list(problems));
        if (!problems.isEmpty()) status.set("Skipped unreadable conversation files: " + String.join("; ", problems));
    }

    public void newConversation() {
        if (running.get()) return;
        conversation.set(ChatStore.Conversation.create(checkpointA.get() == null ? "" : checkpointA.get().toString()));
        turnsA = new ArrayList<>();
        turnsB = new ArrayList<>();
        sessionA = sessionB = null;
        messagesA.clear();
        messagesB.clear();
    }

    /** Continues a saved conversation (its turns become the context of the next message). */
    public void open(ChatStore.Conversation c) {
        if (running.get() || c == null) return;
        conversation.set(c);
        turnsA = new ArrayList<>(c.sessionTurns());
        turnsB = new ArrayList<>(c.sessionTurns());
        sessionA = sessionB = null;
        rebuild(messagesA, turnsA);
        rebuild(messagesB, turnsB);
    }

    public void send() {
        String text = input.get() == null ? "" : input.get().strip();
        if (text.isEmpty() || running.get()) return;
        input.set("");
        int turn = turnsA.size();
        messagesA.add(new Message(true, turn, text));
        if (compare.get()) messagesB.add(new Message(true, turn, text));
        start(GenerateJob.ChatAction.SEND, text, -1);
    }

    /** Asks the last message again with a new seed. */
    public void regenerate() {
        if (running.get() || turnsA.isEmpty()) return;
        removeLastAnswer(messagesA);
        if (compare.get()) removeLastAnswer(messagesB);
        start(GenerateJob.ChatAction.REGENERATE, null, -1);
    }

    /** Replaces human turn `turn` by `text`, forgets the later turns, and answers again. */
    public void editAndResend(int turn, String text) {
        if (running.get() || turn < 0 || turn >= turnsA.size() || text == null || text.isBlank()) return;
        messagesA.removeIf(m -> m.turn >= turn);
        messagesB.removeIf(m -> m.turn >= turn);
        messagesA.add(new Message(true, turn, text.strip()));
        if (compare.get()) messagesB.add(new Message(true, turn, text.strip()));
        start(GenerateJob.ChatAction.EDIT, text.strip(), turn);
    }

    public void stop() {
        if (job != null) job.handle().cancel();
    }

    public void dispose() {
        stop();
        engines.close();
    }

    // ---- internals ----

    private void start(GenerateJob.ChatAction action, String message, int editIndex) {
        Path a = checkpointA.get();
        if (a == null) { status.set("Pick a checkpoint first."); return; }
        SamplingSettings s;
        try {
            s = new SamplingSettings(Integer.parseInt(maxTokens.get().strip()), Float.parseFloat(temperature.get().strip()),
                    40, 0.95f, 0.05f, 1.1f, seed++, List.of(), true, List.of());
        } catch (IllegalArgumentException e) {
            status.set("Bad setting: " + e.getMessage());
            return;
        }
        boolean both = compare.get() && checkpointB.get() != null;
        List<Path> ckpts = new ArrayList<>(List.of(a));
        List<GenerateJob.Request> reqs = new ArrayList<>(List.of(GenerateJob.Request.chat(this::sessionA, action, message, s, editIndex)));
        Message answerA = new Message(false, action == GenerateJob.ChatAction.EDIT ? editIndex : action == GenerateJob.ChatAction.SEND ? turnsA.size() : turnsA.size() - 1, "");
        messagesA.add(answerA);
        List<Message> answers = new ArrayList<>(List.of(answerA));
        if (both) {
            ckpts.add(checkpointB.get());
            reqs.add(GenerateJob.Request.chat(this::sessionB, action, message, s, editIndex));
            Message answerB = new Message(false, answerA.turn, "");
            messagesB.add(answerB);
            answers.add(answerB);
        }
        DenseMatrix.Precision precision = head.get();
        long[] started = {System.nanoTime()};
        int[] pieces = {0};
        GenerateJob.Sink sink = new GenerateJob.Sink() {
            @Override public void text(int index, String delta) {
                Platform.runLater(() -> {
                    Message m = answers.get(index);
                    if (m.text.get().isEmpty()) { started[0] = System.nanoTime(); pieces[0] = 0; }
                    m.text.set(m.text.get() + delta);
                    pieces[0]++;
                    double sec = (System.nanoTime() - started[0]) / 1e9;
                    if (sec > 0.05) liveSpeed.set(String.format(Locale.ROOT, "%.1f tok/s", pieces[0] / sec));
                });
            }
            @Override public void done(int index, GenerationResult r) {
                List<ChatSession.Turn> turns = index == 0 ? sessionA.turns() : sessionB.turns();
                Platform.runLater(() -> {
                    Message m = answers.get(index);
                    m.text.set(r.text().strip());
                    m.stats.set(r.speedLine(precision));
                    liveSpeed.set(String.format(Locale.ROOT, "%.1f tok/s", r.decodeTokPerSec()));
                    if (index == 0) {
                        turnsA = new ArrayList<>(turns);
                        save();
                    } else {
                        turnsB = new ArrayList<>(turns);
                    }
                });
            }
        };
        running.set(true);
        status.set("BitNut is thinking...");
        job = services.jobs().submit(new GenerateJob("Chat with " + a.getFileName(), engines, precision, ckpts, reqs, sink));
        job.onFinished(j -> {
            running.set(false);
            String err = j.errorProperty().get();
            status.set(err != null && !err.isBlank() ? "Failed: " + err : j.getJobState().toString());
        });
    }

    /** The session for column A, bound to the generator of the current checkpoint (job thread). */
    private ChatSession sessionA(Generator g) {
        if (sessionA == null || genA != g) { sessionA = new ChatSession(g, turnsA); genA = g; }
        return sessionA;
    }

    private ChatSession sessionB(Generator g) {
        if (sessionB == null || genB != g) { sessionB = new ChatSession(g, turnsB); genB = g; }
        return sessionB;
    }

    private void save() {
        ChatStore.Conversation c = conversation.get().withTurns(turnsA);
        conversation.set(c);
        try {
            store.save(c);
            refreshConversations();
        } catch (IOException e) {
            status.set("Could not save the conversation: " + e.getMessage());
        }
    }

    private static void removeLastAnswer(ObservableList<Message> messages) {
        if (!messages.isEmpty() && !messages.getLast().human) messages.removeLast();
    }

    private static void rebuild(ObservableList<Message> messages, List<ChatSession.Turn> turns) {
        messages.clear();
        for (int i = 0; i < turns.size(); i++) {
            messages.add(new Message(true, i, turns.get(i).human()));
            messages.add(new Message(false, i, turns.get(i).bitnut()));
        }
    }

    static Path workspaceTokenizer(Workspace ws) {
        if (!Files.isDirectory(ws.tokenizerDir())) return null;
        try (Stream<Path> s = Files.walk(ws.tokenizerDir(), 3)) {
            return s.filter(p -> p.getFileName().toString().equals("tokenizer.json")).findFirst().map(Path::getParent).orElse(null);
        } catch (IOException e) {
            return null;
        }
    }
}
