#!/usr/bin/env bash
# Corpus stage: "memory bounded while streaming a corpus larger than RAM allows", shown for real.
# Runs `bitnut corpus build` inside a cgroup-v1 memory cgroup whose limit is smaller than the corpus,
# for JSONL and Parquet corpora of two sizes, and prints one table row per run: exit code, wall time,
# MB/s, process peak RSS, heap peak (from the GC log), the cgroup's peak anonymous memory (rss, sampled)
# and memory.max_usage_in_bytes (which also counts page cache, so it sits at the limit by design),
# failcnt and OOM kills. Needs root and /sys/fs/cgroup/memory (cgroup v1); built jar (./mvnw package).
#
# Usage: bench/corpus/memory_bounded.sh WORKDIR [LIMIT_MB=512] [RUNS="jsonl:500 parquet:750 jsonl:1500"] [XMX=256m]
# (a run is FORMAT:MB of JSONL text; the Parquet runs read the same documents in Parquet form)
# WORKDIR is scratch (corpora, shards, logs) and is deleted at the end, as is the cgroup.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$1"; limit_mb="${2:-512}"; runs="${3:-jsonl:500 parquet:750 jsonl:1500}"; xmx="${4:-256m}"
tok="${TOKENIZER:-$root/../shared/data/bitnut-seed/bitnut-tokenizer}"
threads="${THREADS:-2}"
java="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
cg=/sys/fs/cgroup/memory/bitnut-corpus-membench-$$
max_size=0; for r in $runs; do s=${r#*:}; [ "$s" -gt "$max_size" ] && max_size=$s; done

sampler=""
cleanup() {
  [ -n "$sampler" ] && kill "$sampler" 2>/dev/null || true
  [ -d "$cg" ] && rmdir "$cg" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$work"
# run a copy of the packaged app, so that rebuilding target/ meanwhile cannot pull the jar from under it
mkdir -p "$work/app"
cp -r "$root/target/bitnut.jar" "$root/target/lib" "$work/app/"
mkdir "$cg"
echo $((limit_mb * 1024 * 1024)) > "$cg/memory.limit_in_bytes"

# the corpus: JSONL of the largest size (unique text + copies, bench/corpus/make_corpus.py), and the
# same documents as Parquet (row groups of 1,000 rows, snappy), converted per unique file and copied
python3 "$here/make_corpus.py" "$work/jsonl" "$max_size" >&2
mkdir -p "$work/parquet"
declare -A converted=()
for f in "$work"/jsonl/part-*.jsonl; do
  sum=$(cksum < "$f" | cut -d' ' -f1)
  out="$work/parquet/$(basename "${f%.jsonl}").parquet"
  if [ -n "${converted[$sum]:-}" ]; then cp "${converted[$sum]}" "$out"; continue; fi
  "$java" -Xmx128m --enable-native-access=ALL-UNNAMED -cp "$work/app/lib/duckdb_jdbc-2.0.0.1.jar" \
      "$here/JsonlToParquet.java" "$f" "$out"
  converted[$sum]="$out"
done
echo "corpus: $(du -sm "$work/jsonl" | cut -f1) MB JSONL, $(du -sm "$work/parquet" | cut -f1) MB Parquet, cgroup limit $limit_mb MB, -Xmx$xmx, $threads threads" >&2

echo "| format | corpus MB on disk | text MB | exit | wall s | MB/s | process peak RSS MB | heap peak MB (GC log) | cgroup peak rss MB (sampled) | cgroup max_usage MB (incl. page cache) | failcnt | OOM kills | load 1-min at start |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for run in $runs; do
    fmt=${run%%:*}; size=${run#*:}
    all=("$work/$fmt"/part-*)
    # the first files that make up SIZE MB of JSONL (the same documents in both formats)
    n=0; mb=0
    for f in "$work"/jsonl/part-*.jsonl; do
      [ "$mb" -ge "$size" ] && break
      mb=$((mb + $(stat -c %s "$f") / 1000000)); n=$((n + 1))
    done
    inputs=("${all[@]:0:$n}")
    disk_mb=$(du -cm "${inputs[@]}" | tail -1 | cut -f1)
    out="$work/shards"; rm -rf "$out"
    echo 0 > "$cg/memory.max_usage_in_bytes"
    echo 0 > "$cg/memory.failcnt"
    oom0=$(awk '/oom_kill /{print $2}' "$cg/memory.oom_control"); oom0=${oom0:-0}
    load=$(cut -d' ' -f1 /proc/loadavg)
    # sample the cgroup's anonymous memory (rss: heap + native, no page cache) every 0.5 s
    ( peak=0; while :; do r=$(awk '/^total_rss /{print $2}' "$cg/memory.stat"); [ "$r" -gt "$peak" ] && peak=$r; echo "$peak" > "$work/rss.peak"; sleep 0.5; done ) &
    sampler=$!
    t0=$(date +%s.%N)
    set +e
    # as bin/bitnut does (packaging/jvm-options, MALLOC_ARENA_MAX=2), on the copy
    sh -c 'echo $$ > "$1/cgroup.procs"; shift; exec "$@"' sh "$cg" \
      /usr/bin/time -f "%M" -o "$work/time.txt" env MALLOC_ARENA_MAX=2 \
      "$java" @"$root/packaging/jvm-options" -Dbitnut.home="$root" -Xmx"$xmx" -Xlog:gc:file="$work/gc.log" -jar "$work/app/bitnut.jar" corpus build \
        --input "${inputs[@]}" --tokenizer "$tok" --out "$out" --threads "$threads" > "$work/build.log" 2>&1
    rc=$?
    set -e
    t1=$(date +%s.%N)
    kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true; sampler=""
    text_mb=$(grep -o '[0-9.]* MB of text' "$work/build.log" | tail -1 | cut -d' ' -f1)
    wall=$(echo "$t1 - $t0" | bc -l)
    rss_mb=$(( $(tail -1 "$work/time.txt" | grep -o '[0-9]*$' || echo 0) / 1024 ))
    heap_mb=$(grep -o "[0-9]*M->" "$work/gc.log" | tr -d "M>-" | sort -n | tail -1 || true)
    cg_rss=$(( $(cat "$work/rss.peak") / 1048576 ))
    cg_max=$(( $(cat "$cg/memory.max_usage_in_bytes") / 1048576 ))
    failcnt=$(cat "$cg/memory.failcnt")
    oom1=$(awk '/oom_kill /{print $2}' "$cg/memory.oom_control"); oom1=${oom1:-0}
    printf '| %s | %s | %s | %s | %.0f | %.2f | %s | %s | %s | %s | %s | %s | %s |\n' "$fmt" "$disk_mb" "${text_mb:-?}" "$rc" "$wall" \
      "$(echo "${text_mb:-0} / $wall" | bc -l)" "$rss_mb" "${heap_mb:-?}" "$cg_rss" "$cg_max" "$failcnt" "$((oom1 - oom0))" "$load"
    [ "$rc" -ne 0 ] && tail -5 "$work/build.log" >&2
    grep -v -E 'WARN|INFO|^\[' "$work/build.log" | tail -1 >&2
    rm -rf "$out" "$work/gc.log"
done
