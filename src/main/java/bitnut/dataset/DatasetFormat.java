package bitnut.dataset;

/** JSONL layouts the import and export jobs understand (docs/formats.md "Dataset"). */
public enum DatasetFormat {
    /** The original project's pairs: {@code {"prompt": "human: ...", "response": "bitnut: ..."}}, one file per topic. */
    ORIGINAL,
    /** Question files: {@code {"topic": "...", "prompt": "..."}} (topic optional: the file name). */
    QUESTIONS,
    /** Hugging Face chat: {@code {"messages": [{"role": "user", ...}, {"role": "assistant", ...}]}}. */
    HF_CHAT,
    /** Import only: decide per line from the keys present. */
    AUTO,
    /** Export only: the approved, answered examples in the original format, one file, for finetuning. */
    FINETUNE
}
