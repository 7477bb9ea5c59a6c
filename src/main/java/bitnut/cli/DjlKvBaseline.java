package bitnut.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import bitnut.infer.BitNetModel;
import bitnut.infer.kernel.TernaryMatrix;
import bitnut.model.BitNetConfig;

/*
 * The in-project baseline of `bitnut bench infer`: the same model run the ordinary way, as dense
 * fp32 matmuls on DJL's PyTorch engine with a KV cache (what HF generate does on a CPU). Weights are
 * the engine's ternary codes x m dequantized to fp32 [in, out] (pre-transposed), activations are not
 * quantized. Benchmark code only: it lives here, outside bitnut.infer, which never uses DJL.
 * Shapes: T new tokens, P cached positions, C hidden, nh/nkv heads, g = nh/nkv, hd head dim, F ffn.
 */
final class DjlKvBaseline implements AutoCloseable {
    private final BitNetConfig c;
    private final NDManager manager;
    private final NDArray embed, headT, finalNorm;
    private final NDArray[][] w;      // per layer: qT kT vT oT gateT upT downT
    private final NDArray[][] norms;  // per layer: input, attnSub, postAttn, ffnSub
    private final NDArray[] kCache, vCache;   // [nkv, P, hd]

    DjlKvBaseline(BitNetModel m) {
        c = m.config;
        manager = NDManager.newBaseManager();
        int C = c.hiddenSize(), V = c.vocabSize();
        float[] e = new float[V * C];
        for (int r = 0; r < V; r++) m.embed.row(r, e, r * C);
        embed = manager.create(e, new Shape(V, C));
        for (int r = 0; r < V; r++) m.lmHead.row(r, e, r * C);
        headT = manager.create(e, new Shape(V, C)).transpose().duplicate();       // [C, V]
        finalNorm = manager.create(m.finalNorm);
        w = new NDArray[m.layers.length][];
        norms = new NDArray[m.layers.length][];
        for (int l = 0; l < m.layers.length; l++) {
            BitNetModel.Layer L = m.layers[l];
            w[l] = new NDArray[] {dense(L.q()), dense(L.k()), dense(L.v()), dense(L.o()), dense(L.gate()), dense(L.up()), dense(L.down())};
            norms[l] = new NDArray[] {manager.create(L.inputNorm()), manager.create(L.attnSubNorm()),
                    manager.create(L.postAttnNorm()), manager.create(L.ffnSubNorm())};
        }
        kCache = new NDArray[m.layers.length];
        vCache = new NDArray[m.layers.length];
    }

    /** W^T [in, out] in fp32 from ternary codes x m. */
    private NDArray dense(TernaryMatrix t) {
        float[] v = new float[t.rows * t.cols];
        byte[] codes = t.codes();
        for (int i = 0; i < v.length; i++) v[i] = codes[i] * t.scale;
        return manager.create(v, new Shape(t.rows, t.cols)).transpose().duplicate();
    }

    static void setThreads(int n) {
        ai.djl.engine.Engine.getEngine("PyTorch");
        JniUtils.setNumThreads(n);
    }

    void reset() {
        for (int l = 0; l < kCache.length; l++) {
            if (kCache[l] != null) { kCache[l].close(); vCache[l].close(); }
            kCache[l] = null;
            vCache[l] = null;
        }
    }

    /** Runs ids at positions p0.. (p0 = cached length) and returns the last position's logits [V]. */
    float[] forward(int[] ids, int p0) {
        int T = ids.length, nh = c.numAttentionHeads(), nkv = c.numKeyValueHeads(), hd = c.headDim(), g = nh / nkv;
        try (NDScope scope = new NDScope()) {
            long[] idl = new long[T];
            for (int i = 0; i < T; i++) idl[i] = ids[i];
            NDArray h = embed.get(manager.create(idl));                             // [T, C]
            NDArray[] cs = rope(p0, T);                                             // [T, hd] each
            NDArray mask = T > 1 ? causal(p0, T) : null;                            // [T, P]
            for (int l = 0; l < w.length; l++) {
                NDArray x = rms(h, norms[l][0]);
                NDArray q = x.matMul(w[l][0]).reshape(T, nh, hd).transpose(1, 0, 2);   // [nh, T, hd]
                NDArray k = x.matMul(w[l][1]).reshape(T, nkv, hd).transpose(1, 0, 2);  // [nkv, T, hd]
                NDArray v = x.matMul(w[l][2]).reshape(T, nkv, hd).transpose(1, 0, 2);  // [nkv, T, hd]
                q = rope(q, cs);
                k = rope(k, cs);
                NDArray K = kCache[l] == null ? k : kCache[l].concat(k, 1);          // [nkv, P, hd]
                NDArray V = vCache[l] == null ? v : vCache[l].concat(v, 1);
                keep(l, K, V);
                long P = K.getShape().get(1);
                NDArray scores = q.reshape(nkv, (long) g * T, hd).matMul(K.transpose(0, 2, 1))
                        .div((float) Math.sqrt(hd));                                // [nkv, g*T, P]
                if (mask != null) scores = scores.reshape(nkv, g, T, P).add(mask).reshape(nkv, (long) g * T, P);
                NDArray y = scores.softmax(-1).matMul(V)                            // [nkv, g*T, hd]
                        .reshape(nh, T, hd).transpose(1, 0, 2).reshape(T, (long) nh * hd);
                h = h.add(rms(y, norms[l][1]).matMul(w[l][3]));
                x = rms(h, norms[l][2]);
                NDArray gate = x.matMul(w[l][4]), up = x.matMul(w[l][5]);          // [T, F]
                NDArray m = gate.getNDArrayInternal().relu().square().mul(up);
                h = h.add(rms(m, norms[l][3]).matMul(w[l][6]));
            }
            NDArray last = h.get((T - 1) + ":" + T);                                // [1, C]
            return rms(last, finalNorm).matMul(headT).toFloatArray();               // [V]
        }
    }

    private void keep(int l, NDArray K, NDArray V) {
        NDScope.unregister(K, V);
        if (kCache[l] != null && kCache[l] != K) { kCache[l].close(); vCache[l].close(); }
        kCache[l] = K;
        vCache[l] = V;
    }

    private NDArray rms(NDArray x, NDArray gain) {
        return x.div(x.square().mean(new int[] {-1}, true).add(c.rmsNormEps()).sqrt()).mul(gain);
    }

    private NDArray[] rope(int p0, int T) {
        int hd = c.headDim(), half = hd / 2;
        float[] cs = new float[T * hd], sn = new float[T * hd];
        for (int t = 0; t < T; t++) for (int j = 0; j < half; j++) {
            float ang = (p0 + t) * (float) (1.0 / Math.pow(c.ropeTheta(), (2.0 * j) / hd));
            cs[t * hd + j] = cs[t * hd + j + half] = (float) Math.cos(ang);
            sn[t * hd + j] = sn[t * hd + j + half] = (float) Math.sin(ang);
        }
        return new NDArray[] {manager.create(cs, new Shape(T, hd)), manager.create(sn, new Shape(T, hd))};
    }

    private static NDArray rope(NDArray x, NDArray[] cs) {
        long half = x.getShape().get(2) / 2;
        NDList parts = x.split(new long[] {half}, 2);
        return x.mul(cs[0]).add(parts.get(1).neg().concat(parts.get(0), 2).mul(cs[1]));
    }

    private NDArray causal(int p0, int T) {
        int P = p0 + T;
        float[] m = new float[T * P];
        for (int t = 0; t < T; t++) for (int p = p0 + t + 1; p < P; p++) m[t * P + p] = Float.NEGATIVE_INFINITY;
        return manager.create(m, new Shape(T, P));
    }

    @Override public void close() {
        reset();
        manager.close();
    }
}
