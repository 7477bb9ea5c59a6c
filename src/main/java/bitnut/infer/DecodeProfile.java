package bitnut.infer;

import java.util.EnumMap;
import java.util.Map;

/*
 * Where the time of a decode step goes: a stopwatch the Transformer laps at each phase boundary of
 * runChunk/logitsOf when one is attached (Transformer.profile), so the profile is of the real forward,
 * not a replica. Laps are System.nanoTime differences (~20-30 ns each, ~90 per token: < 1% of a
 * token), summed per phase over all layers and all profiled tokens.
 *
 * Phases (one decoded token of bitnut-133m: 12 layers, 5 parallel regions per layer + 1 for the head):
 *   EMBED      embedding row lookup
 *   NORM_QUANT every RMSNorm / sub-norm, relu^2*u, residual adds and int8 activation quantization
 *   QKV        the fused q|k|v ternary matvec (one parallel region)
 *   ROPE_KV    RoPE on q and k, copy of k/v into the cache
 *   ATTENTION  scores, softmax and p*v over the KV cache (one parallel region over heads)
 *   O          o_proj ternary matvec (one region)
 *   GATE_UP    the fused gate|up ternary matvec (one region)
 *   DOWN       down_proj ternary matvec (one region)
 *   HEAD       final norm + lm_head matvec (one region)
 */
public final class DecodeProfile {
    public enum Phase { EMBED, NORM_QUANT, QKV, ROPE_KV, ATTENTION, O, GATE_UP, DOWN, HEAD }

    private final long[] nanos = new long[Phase.values().length];
    private long last;
    private int tokens;

    /** Starts timing a step (called by the Transformer at the top of each forward). */
    void start() { last = System.nanoTime(); }

    /** Charges the time since the previous lap to phase p. */
    void lap(Phase p) {
        long now = System.nanoTime();
        nanos[p.ordinal()] += now - last;
        last = now;
    }

    /** Counts one profiled token (the caller decides which forwards are "tokens"). */
    public void countToken() { tokens++; }

    public int tokens() { return tokens; }

    public void reset() {
        java.util.Arrays.fill(nanos, 0);
        tokens = 0;
    }

    /** Mean milliseconds per counted token, per phase. */
    public Map<Phase, Double> msPerToken() {
        Map<Phase, Double> m = new EnumMap<>(Phase.class);
        for (Phase p : Phase.values()) m.put(p, tokens == 0 ? 0.0 : nanos[p.ordinal()] / 1e6 / tokens);
        return m;
    }
}
