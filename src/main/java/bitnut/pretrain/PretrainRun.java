/*
 * PretrainRun — run.json, the manifest of one pretraining run folder (workspace/pretrain/<run>/):
 * everything needed to start or resume it without memory of the process that began it.
 *
 *   <run>/run.json            this record
 *   <run>/metrics.jsonl       one JSON object per log step (and per eval / sample)
 *   <run>/checkpoints/step-N/ HF-loadable checkpoints + training state (bitnut.train.Checkpoints)
 */
package bitnut.pretrain;

import bitnut.common.AtomicFiles;
import bitnut.common.Json;
import bitnut.model.BitNetConfig;
import bitnut.train.TrainConfig;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * @param format    "bitnut-pretrain-run"
 * @param version   1
 * @param model     the model's config.json (HF BitNetConfig keys)
 * @param train     the training settings
 * @param shards    folder of the corpus shards (train_*.bin, val_*.bin, index.json)
 * @param tokenizer folder holding tokenizer.json (copied into checkpoints, decodes samples); may be null
 * @param preset    the preset the model started from (for display)
 */
public record PretrainRun(String format, int version, JsonNode model, TrainConfig train, String shards, String tokenizer,
                          String preset) {
    public static final String FILE = "run.json";
    public static final String FORMAT = "bitnut-pretrain-run";
    public static final String METRICS = "metrics.jsonl";

    public static PretrainRun of(BitNetConfig model, TrainConfig train, Path shards, Path tokenizer, String preset) {
        return new PretrainRun(FORMAT, 1, model.toJson(), train, shards.toAbsolutePath().toString(),
                tokenizer == null ? null : tokenizer.toAbsolutePath().toString(), preset);
    }

    public BitNetConfig modelConfig() { return BitNetConfig.fromJson(model, FILE + " model"); }

    public Path shardsDir() { return Path.of(shards); }

    public Path tokenizerDir() { return tokenizer == null ? null : Path.of(tokenizer); }

    public void write(Path runDir) throws IOException { AtomicFiles.writeJson(runDir.resolve(FILE), this); }

    public static PretrainRun read(Path runDir) throws IOException {
        Path f = runDir.resolve(FILE);
        if (!Files.isRegularFile(f)) {
            throw new IOException(runDir + " is not a pretraining run (no " + FILE + "). HINT: start one with 'bitnut pretrain --preset ...'");
        }
        PretrainRun r = Json.MAPPER.readValue(f.toFile(), PretrainRun.class);
        if (!FORMAT.equals(r.format())) throw new IOException(f + ": format is '" + r.format() + "', expected " + FORMAT);
        if (r.version() > 1) throw new IOException(f + ": run format " + r.version() + " is newer than this BitNut. HINT: update.");
        return r;
    }
}
