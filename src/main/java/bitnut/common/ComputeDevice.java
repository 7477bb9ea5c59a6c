package bitnut.common;

import ai.djl.Device;
import ai.djl.engine.Engine;

/**
 * Which compute device DJL actually uses, as DJL itself reports it. Loading DJL's engine extracts
 * and loads libtorch (seconds on first start), so callers run {@link #detect()} off the UI thread;
 * the result is cached for the life of the process.
 */
public final class ComputeDevice {
    /** What DJL reports: engine name + version, default device ("cpu()" or "gpu(0)"), GPU count. */
    public record Info(String engine, String engineVersion, String device, int gpuCount, String error) {
        public boolean ok() { return error == null; }

        /** "PyTorch 2.7.1 on cpu()" or the reason DJL did not load. */
        public String describe() {
            if (!ok()) return "DJL unavailable: " + error;
            return engine + " " + engineVersion + " on " + device + (gpuCount > 0 ? " (" + gpuCount + " GPU)" : "");
        }
    }

    private static volatile Info cached;

    private ComputeDevice() { }

    /** Loads DJL's default engine (blocking, seconds the first time) and describes its device. */
    public static Info detect() {
        Info i = cached;
        if (i != null) return i;
        synchronized (ComputeDevice.class) {
            if (cached != null) return cached;
            try {
                Engine e = Engine.getInstance();
                Device d = e.defaultDevice();
                cached = new Info(e.getEngineName(), e.getVersion(), d.toString(), e.getGpuCount(), null);
            } catch (Throwable t) {
                cached = new Info("", "", "none", 0, JobHandle.describe(t));
            }
            return cached;
        }
    }
}
