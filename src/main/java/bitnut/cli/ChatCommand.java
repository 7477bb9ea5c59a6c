package bitnut.cli;

import bitnut.infer.ChatSession;
import bitnut.infer.ChatStore;
import bitnut.infer.GenerationResult;
import bitnut.infer.InferenceEngine;
import bitnut.workspace.Workspace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/** {@code bitnut chat}: an interactive, streaming conversation; saved in workspace/chat/. */
@Command(name = "chat", mixinStandardHelpOptions = true,
        description = "Chat with a checkpoint in the terminal (streaming). /regen, /reset, /quit. Saved in workspace chat/.")
public final class ChatCommand implements Callable<Integer> {
    @ParentCommand BitnutCommand root;
    @Mixin InferOptions opt;

    @Override public Integer call() throws Exception {
        Workspace ws = root.workspace();
        try (InferenceEngine engine = opt.open(ws)) {
            ChatStore store = new ChatStore(ws.chatDir());
            ChatStore.Conversation conv = ChatStore.Conversation.create(engine.checkpoint().toString());
            ChatSession chat = new ChatSession(engine.generator());
            System.err.println("BitNut (" + engine.name() + ") is listening. /regen regenerates, /reset starts over, /quit ends.");
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            long seed = opt.seed;
            while (true) {
                System.out.print("human: ");
                System.out.flush();
                String line = in.readLine();
                if (line == null || line.strip().equals("/quit")) break;
                if (line.isBlank()) continue;
                if (line.strip().equals("/reset")) {
                    chat = new ChatSession(engine.generator());
                    conv = ChatStore.Conversation.create(engine.checkpoint().toString());
                    continue;
                }
                System.out.print("bitnut: ");
                GenerationResult r;
                if (line.strip().equals("/regen")) {
                    if (chat.turns().isEmpty()) { System.out.println("(nothing to regenerate)"); continue; }
                    r = chat.regenerate(opt.sampling().withSeed(++seed), this::print, null);
                } else {
                    r = chat.send(line, opt.sampling().withSeed(seed), this::print, null);
                }
                System.out.println();
                System.err.println("  [" + r.speedLine() + "]");
                conv = conv.withTurns(chat.turns());
                store.save(conv);
            }
            return 0;
        }
    }

    private void print(String delta) {
        System.out.print(delta);
        System.out.flush();
    }
}
