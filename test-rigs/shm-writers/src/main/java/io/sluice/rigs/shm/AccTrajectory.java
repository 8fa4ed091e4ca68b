package io.sluice.rigs.shm;

/**
 * The ACC writer's deterministic trajectories, mirrored in Java so tests can recompute what the writer wrote for a
 * given update counter. Keep in step with acc_writer.c.
 */
public final class AccTrajectory {

    private AccTrajectory() {}

    /** Milliseconds of lap {@code n} (1-based) for the writer's {@code --lap-ms base}. */
    public static long lapTimeMs(long base, long n) {
        return base + (n * 137) % 400 - 200;
    }

    public static long[] sectorTimesMs(long base, long n) {
        long lap = lapTimeMs(base, n);
        long s1 = lap * 3 / 10;
        long s2 = lap * 35 / 100;
        return new long[] {s1, s2, lap - s1 - s2};
    }

    public static boolean lapValid(long n) {
        return n % 3 != 0;
    }

    public static float speedKmh(int k) {
        return (float) (k % 3000) * 0.1f;
    }

    public static int rpms(int k) {
        return 3000 + (k * 7) % 5000;
    }

    public static int gear(int k) {
        return 1 + (k / 500) % 6;
    }

    public static float gas(int k) {
        return (float) (k % 100) / 100.0f;
    }

    public static float fuel(int k) {
        return 100.0f - (float) k * 0.001f;
    }

    public static float[] velocity(int k) {
        return new float[] {(float) k * 0.5f, (float) k * -0.25f, 1.0f};
    }

    public static float tyreContactPoint(int k, int wheel, int axis) {
        return (float) (wheel * 10 + axis) + (float) (k % 7);
    }

    public static final String CAR = "porsche_991ii_gt3_r";
    public static final String TRACK = "monza";
}
