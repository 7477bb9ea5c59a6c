package bitnut.cli;

import bitnut.infer.InferenceEngine;
import bitnut.infer.OpenAiServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code bitnut serve}: an OpenAI-compatible HTTP server on 127.0.0.1. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve a checkpoint over an OpenAI-compatible API (/v1/models, /v1/completions, /v1/chat/completions, SSE streaming).")
public final class ServeCommand implements Callable<Integer> {
    @ParentCommand BitnutCommand root;
    @Mixin InferOptions opt;
    @Option(names = "--port", defaultValue = "8181", description = "TCP port (default: ${DEFAULT-VALUE}; 0 = any free port).")
    int port;
    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Interface to bind (default: ${DEFAULT-VALUE}, local only).")
    String host;
    @Option(names = "--max-body-bytes", defaultValue = "1048576", description = "Largest request body (default: ${DEFAULT-VALUE}).")
    int maxBody;

    @Override public Integer call() throws Exception {
        try (InferenceEngine engine = opt.open(root.workspace());
             OpenAiServer server = new OpenAiServer(engine, host, port, maxBody)) {
            if (!OpenAiServer.isLoopback(host)) {
                System.err.println("WARNING: listening on " + host + ": anyone who can reach this machine can use the model (no authentication).");
            }
            System.err.println("serving " + server.modelId() + " at http://" + host + ":" + server.port() + "/v1 (Ctrl-C stops)");
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
            stop.await();
            return 0;
        }
    }
}
