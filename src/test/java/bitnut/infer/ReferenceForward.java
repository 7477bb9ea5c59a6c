package bitnut.infer;

import bitnut.model.BitNetConfig;
import bitnut.model.ModelTensors;

import java.util.Map;

/**
 * The slow, obvious forward of bitnet-spec.md §8.2 on latent weights (fake-quant BitLinear:
 * act_quant(x) @ weight_quant(W)^T, no KV cache, full causal attention recomputed), written straight
 * from the spec in plain loops with double accumulation. The engine must match it.
 */
final class ReferenceForward {
    private final BitNetConfig c;
    private final Map<String, float[]> w;

    ReferenceForward(BitNetConfig c, Map<String, float[]> w) {
        this.c = c;
        this.w = w;
    }

    /** logits [T][V] for every position. */
    double[][] logits(int[] ids) {
        int T = ids.length, C = c.hiddenSize(), F = c.intermediateSize(), V = c.vocabSize();
        int nh = c.numAttentionHeads(), nkv = c.numKeyValueHeads(), hd = c.headDim(), rep = nh / nkv;
        double[][] h = new double[T][C];
        float[] emb = w.get(ModelTensors.EMBED);
        for (int t = 0; t < T; t++) for (int i = 0; i < C; i++) h[t][i] = emb[ids[t] * C + i];
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            double[][] x = norm(h, w.get(ModelTensors.layer(l, "input_layernorm.weight")));
            double[][] q = bitLinear(x, ModelTensors.layer(l, "self_attn.q_proj.weight"), nh * hd);
            double[][] k = bitLinear(x, ModelTensors.layer(l, "self_attn.k_proj.weight"), nkv * hd);
            double[][] v = bitLinear(x, ModelTensors.layer(l, "self_attn.v_proj.weight"), nkv * hd);
            for (int t = 0; t < T; t++) { rope(q[t], nh, hd, t); rope(k[t], nkv, hd, t); }
            double[][] a = new double[T][nh * hd];
            for (int t = 0; t < T; t++) {
                for (int head = 0; head < nh; head++) {
                    int kvh = head / rep;
                    double[] s = new double[t + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int p = 0; p <= t; p++) {
                        double d = 0;
                        for (int i = 0; i < hd; i++) d += q[t][head * hd + i] * k[p][kvh * hd + i];
                        s[p] = d / Math.sqrt(hd);
                        max = Math.max(max, s[p]);
                    }
                    double sum = 0;
                    for (int p = 0; p <= t; p++) { s[p] = Math.exp(s[p] - max); sum += s[p]; }
                    for (int p = 0; p <= t; p++) for (int i = 0; i < hd; i++) a[t][head * hd + i] += s[p] / sum * v[p][kvh * hd + i];
                }
            }
            double[][] o = bitLinear(norm(a, w.get(ModelTensors.layer(l, "self_attn.attn_sub_norm.weight"))),
                    ModelTensors.layer(l, "self_attn.o_proj.weight"), C);
            for (int t = 0; t < T; t++) for (int i = 0; i < C; i++) h[t][i] += o[t][i];
            x = norm(h, w.get(ModelTensors.layer(l, "post_attention_layernorm.weight")));
            double[][] g = bitLinear(x, ModelTensors.layer(l, "mlp.gate_proj.weight"), F);
            double[][] u = bitLinear(x, ModelTensors.layer(l, "mlp.up_proj.weight"), F);
            for (int t = 0; t < T; t++) for (int i = 0; i < F; i++) { double r = Math.max(g[t][i], 0); g[t][i] = r * r * u[t][i]; }
            double[][] d = bitLinear(norm(g, w.get(ModelTensors.layer(l, "mlp.ffn_sub_norm.weight"))),
                    ModelTensors.layer(l, "mlp.down_proj.weight"), C);
            for (int t = 0; t < T; t++) for (int i = 0; i < C; i++) h[t][i] += d[t][i];
        }
        double[][] x = norm(h, w.get(ModelTensors.FINAL_NORM));
        float[] head = w.get(c.tieWordEmbeddings() ? ModelTensors.EMBED : ModelTensors.LM_HEAD);
        double[][] out = new double[T][V];
        for (int t = 0; t < T; t++) for (int r = 0; r < V; r++) {
            double s = 0;
            for (int i = 0; i < C; i++) s += head[r * C + i] * x[t][i];
            out[t][r] = s;
        }
        return out;
    }

    private double[][] norm(double[][] x, float[] g) {
        double[][] y = new double[x.length][x[0].length];
        for (int t = 0; t < x.length; t++) {
            double ss = 0;
            for (double v : x[t]) ss += v * v;
            double r = 1 / Math.sqrt(ss / x[t].length + c.rmsNormEps());
            for (int i = 0; i < x[t].length; i++) y[t][i] = x[t][i] * r * g[i];
        }
        return y;
    }

    /** act_quant(x) @ weight_quant(W)^T (spec §8.1). */
    private double[][] bitLinear(double[][] x, String name, int out) {
        float[] W = w.get(name);
        int K = x[0].length;
        double mean = 0;
        for (float v : W) mean += Math.abs(v);
        float m = Math.max((float) (mean / W.length), 1e-5f);
        float sw = 1f / m;
        double[][] y = new double[x.length][out];
        for (int t = 0; t < x.length; t++) {
            double amax = 0;
            for (double v : x[t]) amax = Math.max(amax, Math.abs(v));
            float s = 127f / (float) Math.max(amax, 1e-5);
            double[] xq = new double[K];
            for (int i = 0; i < K; i++) xq[i] = Math.max(-128, Math.min(127, Math.rint((float) x[t][i] * s))) / s;
            for (int n = 0; n < out; n++) {
                double acc = 0;
                for (int i = 0; i < K; i++) acc += Math.max(-1, Math.min(1, Math.rint(W[n * K + i] * sw))) * xq[i];
                y[t][n] = acc * m;
            }
        }
        return y;
    }

    private void rope(double[] x, int heads, int hd, int pos) {
        for (int head = 0; head < heads; head++) {
            for (int i = 0; i < hd / 2; i++) {
                double ang = pos * Math.pow(c.ropeTheta(), -(2.0 * i) / hd);
                double x0 = x[head * hd + i], x1 = x[head * hd + i + hd / 2];
                x[head * hd + i] = x0 * Math.cos(ang) - x1 * Math.sin(ang);
                x[head * hd + i + hd / 2] = x1 * Math.cos(ang) + x0 * Math.sin(ang);
            }
        }
    }
}
