package bitnut.synth;

import java.util.Objects;

/**
 * One turn of a chat-completions conversation, as the OpenAI protocol names it:
 * role is "system", "user" or "assistant".
 */
public record ChatMessage(String role, String content) {
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }

    public static ChatMessage system(String content) { return new ChatMessage("system", content); }
    public static ChatMessage user(String content) { return new ChatMessage("user", content); }
}
