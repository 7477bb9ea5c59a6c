/*
 * BitLinear — the BitNet b1.58 projection for training: per-tensor absmean ternary weights and
 * per-token absmax int8 activations, both fake-quantized in fp32, with a straight-through estimator.
 * Follows shared notes bitnet-spec.md §3.1-3.3 / §8.1 (= HF AutoBitLinear online, torchao, FAQ Fig.3).
 *
 *   xhat = x + sg(actquant(x) - x)        value = actquant(x), gradient = identity
 *   What = W + sg(weightquant(W) - W)     value = weightquant(W), gradient = identity
 *   y    = xhat @ Whatᵀ                   no bias
 *
 * The quantizers run on stopGradient() copies only, so no scalar they create is ever kept by autograd
 * (djl.md pitfall 1: Java-backed scalars of mul/div(Number) turn into junk inside saved graphs).
 * NDArray.round() is torch.round = round-half-to-even, as the spec requires (pitfall 4).
 */
package bitnut.model;

import ai.djl.ndarray.NDArray;

public final class BitLinear {
    /** Clamp of mean|W| and max|x| (not of the scale), so all-zero rows quantize to exactly 0. */
    public static final float EPS = 1e-5f;

    private BitLinear() { }

    /** Absmean ternary fake-quant of a whole weight matrix: clip(rint(W/m), -1, 1) * m, m = max(mean|W|, eps). */
    public static NDArray weightQuant(NDArray w) {
        NDArray m = w.abs().mean().maximum(EPS);                 // [] one scale per tensor
        return w.div(m).round().clip(-1, 1).mul(m);              // [N, K] values in {-m, 0, m}
    }

    /** The ternary codes {-1, 0, 1} of a weight matrix (as float), for flip statistics and export. */
    public static NDArray ternaryCodes(NDArray w) {
        NDArray m = w.abs().mean().maximum(EPS);
        return w.div(m).round().clip(-1, 1);
    }

    /** Absmax int8 fake-quant per token (last axis): clip(rint(x*s), -128, 127) / s, s = 127 / max(max|x|, eps). */
    public static NDArray actQuant(NDArray x) {
        NDArray a = x.abs().max(new int[] {-1}, true).maximum(EPS);   // [N, 1]
        NDArray s = a.getNDArrayInternal().rdiv(127f);                  // [N, 1] 127 / a, as torch computes it
        return x.mul(s).round().clip(-128, 127).div(s);                  // [N, K]
    }

    /**
     * y = BitLinear(x) for x [N, K] and latent weight w [M, K] -> [N, M]. With {@code ternary == false}
     * it is a plain dense linear (the full-precision twin).
     */
    public static NDArray forward(NDArray x, NDArray w, boolean ternary) {
        if (!ternary) return linear(x, w);
        NDArray xd = x.stopGradient();
        NDArray xhat = x.add(actQuant(xd).sub(xd));            // [N, K] STE: value quantized, gradient identity
        NDArray wd = w.stopGradient();
        NDArray what = w.add(weightQuant(wd).sub(wd));         // [M, K]
        return linear(xhat, what);
    }

    /** x [N, K] @ wᵀ [K, M] -> [N, M] through torch's linear (addmm with the transposed weight, no copy). */
    public static NDArray linear(NDArray x, NDArray w) {
        return x.getNDArrayInternal().linear(x, w, null).singletonOrThrow();
    }
}
