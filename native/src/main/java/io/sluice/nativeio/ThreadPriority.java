package io.sluice.nativeio;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.platform.win32.Kernel32;

/**
 * Raises the calling thread's scheduling priority, for a reader that must look at a page more often than the
 * simulator writes it even on a busy machine. Linux: {@code sched_setscheduler(0, SCHED_FIFO, priority)} on the
 * calling thread (needs root or CAP_SYS_NICE); Windows: {@code SetThreadPriority(THREAD_PRIORITY_TIME_CRITICAL)}.
 * Elsewhere, or without the privilege, nothing changes and the result says why.
 */
public final class ThreadPriority {

    /** What happened. */
    public record Result(boolean raised, String detail) {}

    private static final int SCHED_FIFO = 1;
    private static final int THREAD_PRIORITY_TIME_CRITICAL = 15;

    private ThreadPriority() {}

    interface LibC extends Library {
        int sched_setscheduler(int pid, int policy, int[] param);
    }

    /**
     * Raises the calling thread.
     *
     * @param fifoPriority the SCHED_FIFO priority on Linux, 1..99 (low values stay below kernel threads)
     */
    public static Result raiseCurrentThread(int fifoPriority) {
        if (fifoPriority < 1 || fifoPriority > 99) throw new IllegalArgumentException("priority must be 1..99");
        try {
            if (Platform.isWindows()) {
                boolean ok = Kernel32.INSTANCE.SetThreadPriority(Kernel32.INSTANCE.GetCurrentThread(),
                        THREAD_PRIORITY_TIME_CRITICAL);
                return ok ? new Result(true, "THREAD_PRIORITY_TIME_CRITICAL")
                        : new Result(false, "SetThreadPriority failed with Windows error " + Kernel32.INSTANCE.GetLastError());
            }
            if (Platform.isLinux()) {
                LibC libc = Native.load("c", LibC.class);
                int rc = libc.sched_setscheduler(0, SCHED_FIFO, new int[] {fifoPriority});
                if (rc == 0) return new Result(true, "SCHED_FIFO priority " + fifoPriority);
                int errno = Native.getLastError();
                return new Result(false, "sched_setscheduler(SCHED_FIFO) failed with errno " + errno
                        + (errno == 1 ? " (EPERM: needs root or CAP_SYS_NICE)" : ""));
            }
            return new Result(false, "not supported on " + System.getProperty("os.name"));
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return new Result(false, "cannot change thread priority: " + e.getMessage());
        }
    }
}
