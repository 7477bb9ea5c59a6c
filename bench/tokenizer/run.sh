#!/usr/bin/env bash
# Tokenizer training benchmark: our BpeTrainer vs HF tokenizers' trainer (Rust, npm binding) on the
# same >= 50 MB English corpus, both with 2 threads, HF's BpeTrainer defaults (vocab 30000,
# min_frequency 0, no specials, seen-bytes alphabet, one sequence per line). Prints wall, CPU
# (user+sys) and peak RSS of each process from /usr/bin/time, and checks the merges are identical.
# Usage: bench/tokenizer/run.sh [CORPUS] [SIZE_MB]   (needs: ./mvnw package, npm, python3)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bench="$root/bench/tokenizer"
work="${BENCH_DIR:-/tmp/bitnut-bench-tokenizer}"
corpus="${1:-$work/corpus.txt}"
mkdir -p "$work"
[ -f "$corpus" ] || python3 "$bench/make_corpus.py" "$corpus" "${2:-60}"
[ -d "$bench/node_modules/tokenizers" ] || (cd "$bench" && npm install --no-audit --no-fund)
threads="${THREADS:-2}"
echo "machine: $(nproc) cores, $(grep MemTotal /proc/meminfo | awk '{print int($2/1048576)" GB"}'), $(uname -r)"
echo "corpus: $corpus ($(du -m "$corpus" | cut -f1) MB), threads $threads, $(date -u +%FT%TZ)"
measure() {  # name, command...
  local name="$1"; shift
  echo "load before $name: $(cut -d' ' -f1-3 /proc/loadavg)"
  /usr/bin/time -f "$name: wall %e s, cpu %U+%S s, peak RSS %M KB" "$@" > "$work/$name.log" 2> "$work/$name.time" || { cat "$work/$name.log" "$work/$name.time"; exit 1; }
  tail -1 "$work/$name.time"
}
[ -n "${SKIP_HF:-}" ] || RAYON_NUM_THREADS=$threads measure hf node "$bench/hf_train.js" "$work/hf.json" "$corpus"
# A JVM grows its heap to -Xmx before collecting: cap it near the live set (distinct words + merge
# heap; 22m runs out of memory on the 60 MB corpus, 24m fits), use the serial GC and C1 only (C2's compile
# time and arenas cost more than they save in a 10 s run), one malloc arena.
jvm="-Xmx28m -Xmn3m -XX:-UseParallelGC -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:+UseCompactObjectHeaders"
jvm="$jvm -Xshare:off -XX:ReservedCodeCacheSize=16m -Xss512k -XX:CICompilerCount=1"
MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-1}" BITNUT_JAVA_OPTS="${BITNUT_JAVA_OPTS:-$jvm}" measure ours \
  "$root/bin/bitnut" tokenizer train --input "$corpus" --vocab-size 30000 --min-frequency 0 --special-tokens '' \
  --hf-alphabet --sequences lines --held-out 0 --threads "$threads" --out "$work/ours"
python3 "$bench/compare_merges.py" "$work/hf.json" "$work/ours/tokenizer.json"
