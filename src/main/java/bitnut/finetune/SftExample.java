package bitnut.finetune;

/**
 * One supervised finetuning example: what the human said and what BitNut answered, plus where it
 * came from ({@code file:line}) so every warning and every held-out answer can point back to it.
 * Both texts are stored without their "human:" / "bitnut:" labels; {@link bitnut.common.ChatTemplate}
 * adds them back.
 */
public record SftExample(String prompt, String response, String origin) {
    public SftExample {
        if (prompt == null || prompt.isBlank()) throw new IllegalArgumentException("empty prompt at " + origin);
        if (response == null || response.isBlank()) throw new IllegalArgumentException("empty response at " + origin);
    }
}
