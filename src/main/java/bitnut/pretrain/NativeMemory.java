/*
 * NativeMemory — hands memory freed by libtorch back to the OS. glibc keeps freed blocks in its arenas,
 * which looks like a leak in RSS (djl.md pitfall 3); malloc_trim(0) through JNA returns them.
 * A no-op where glibc is absent.
 */
package bitnut.pretrain;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;

public final class NativeMemory {
    private static final Function MALLOC_TRIM = find();

    private NativeMemory() { }

    private static Function find() {
        try {
            return NativeLibrary.getInstance("c").getFunction("malloc_trim");
        } catch (Throwable t) {
            return null;
        }
    }

    public static void trim() {
        if (MALLOC_TRIM != null) MALLOC_TRIM.invokeInt(new Object[] {0});
    }

    /** Resident set size of this process in bytes (Linux /proc), or -1. */
    public static long rss() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        } catch (Exception ignored) {
            // not Linux
        }
        return -1;
    }
}
