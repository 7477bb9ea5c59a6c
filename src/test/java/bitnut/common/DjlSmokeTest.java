package bitnut.common;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** DJL's PyTorch engine loads offline (-Dai.djl.offline=true from packaging/jvm-options) and multiplies on the CPU. */
class DjlSmokeTest {
    @Test
    void pytorchEngineLoadsOfflineAndMultipliesTwoMatricesOnTheCpu() {
        assertEquals("true", System.getProperty("ai.djl.offline"), "tests run with the launcher's JVM flags");
        ComputeDevice.Info info = ComputeDevice.detect();
        assertTrue(info.ok(), info.describe());
        assertEquals("PyTorch", info.engine());
        assertEquals("PyTorch", Engine.getDefaultEngineName());
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray a = m.create(new float[] {1, 2, 3, 4, 5, 6}, new ai.djl.ndarray.types.Shape(2, 3));   // (2, 3)
            NDArray b = m.create(new float[] {7, 8, 9, 10, 11, 12}, new ai.djl.ndarray.types.Shape(3, 2)); // (3, 2)
            NDArray c = a.matMul(b);                                                                    // (2, 2)
            assertArrayEquals(new float[] {58, 64, 139, 154}, c.toFloatArray());
            assertEquals(Device.cpu(), c.getDevice());
        }
    }
}
