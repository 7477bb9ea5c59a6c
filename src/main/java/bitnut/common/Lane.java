package bitnut.common;

/**
 * Which queue a job runs on. The DEVICE lane runs one accelerator-heavy job at a time
 * (training, inference benchmarks); the CPU lane runs I/O and HTTP work beside it.
 */
public enum Lane { DEVICE, CPU }
