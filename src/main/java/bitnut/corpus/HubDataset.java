package bitnut.corpus;

/**
 * A dataset split on the Hugging Face Hub, e.g. {@code HuggingFaceTB/smollm-corpus},
 * config {@code cosmopedia-v2}, split {@code train}: the parquet files under the config's folder
 * whose name starts with the split ({@code cosmopedia-v2/train-00000-of-00104.parquet}) or that sit
 * in a folder named after it ({@code config/train/0000.parquet}).
 */
public record HubDataset(
        String repo,       // "owner/name"
        String config,     // folder in the repo ("" = repo root)
        String split,      // "train", "test", ...
        String revision) { // branch, tag or commit sha; downloads pin it to the commit

    public static final HubDataset DEFAULT = new HubDataset("HuggingFaceTB/smollm-corpus", "cosmopedia-v2", "train", "main");

    public HubDataset {
        if (repo == null || !repo.matches("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new IllegalArgumentException("Hub repo must look like owner/name, got: " + repo);
        }
        config = config == null ? "" : config.replaceAll("^/+|/+$", "");
        if (config.contains("..")) throw new IllegalArgumentException("config must not contain '..': " + config);
        split = split == null || split.isBlank() ? "train" : split;
        revision = revision == null || revision.isBlank() ? "main" : revision;
    }

    /** Whether a repo path is a parquet file of this config and split. */
    public boolean matches(String path) {
        if (!path.endsWith(".parquet")) return false;
        if (!config.isEmpty() && !path.startsWith(config + "/")) return false;
        String rest = config.isEmpty() ? path : path.substring(config.length() + 1);
        String name = rest.substring(rest.lastIndexOf('/') + 1);
        return name.startsWith(split + "-") || name.startsWith(split + ".") || ("/" + rest).contains("/" + split + "/");
    }

    public HubDataset withRevision(String rev) { return new HubDataset(repo, config, split, rev); }

    @Override public String toString() {
        return repo + (config.isEmpty() ? "" : "/" + config) + ":" + split + "@" + revision;
    }
}
