package io.sluice.connector.simmem;

import io.sluice.connector.simmem.layout.Field;
import io.sluice.connector.simmem.layout.Layout;
import io.sluice.connector.simmem.layout.ScalarType;
import io.sluice.nativeio.PagePoller;
import io.sluice.nativeio.SharedMemory;
import io.sluice.nativeio.SharedMemoryView;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * Reads consistent snapshots of one page. Simulators provide no lock, so a snapshot is taken the way their
 * documentation asks: read the update counter, copy the page, read the counter again, and retry if it moved; the
 * page is copied twice and the copies compared as well, which also catches a write still in progress whose counter
 * is not written yet (a writer that writes the counter last, like the rig's, is then only missed if it stalls
 * in the middle of a write for the whole of both copies).
 * Pages without a counter are copied twice and retried until both copies agree. The counter reads are acquire
 * loads and a fence separates the copy from the second read, so the JIT cannot move the copy outside the check.
 * Not thread-safe: one reader thread owns it.
 */
final class PageReader implements AutoCloseable {

    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** Outcome of {@link #open()}. */
    enum OpenResult { OPEN, ABSENT, TOO_SMALL }

    private final Layout layout;
    private final String mappingName;
    private final Path path;
    private final Field counter;
    private final int maxAttempts;
    private SharedMemoryView view;
    private PagePoller poller;
    private ByteBuffer buffer;
    private byte[] scratch;
    private int openedSize;
    private long retries;

    PageReader(Layout layout, String mappingName, Path path, int maxAttempts) {
        this.layout = layout;
        this.mappingName = mappingName;
        this.path = path;
        this.counter = layout.counterField().orElse(null);
        this.maxAttempts = maxAttempts;
    }

    Layout layout() {
        return layout;
    }

    /** Where the page is looked for on this platform. */
    String location() {
        return SharedMemory.usesMappingNames() ? mappingName : String.valueOf(path);
    }

    boolean isOpen() {
        return view != null;
    }

    /** Size of the object found by the last {@link #open()} (also when it was too small). */
    int openedSize() {
        return openedSize;
    }

    private long nativeRetries;
    private long nativeOverflow;
    private long nativePolls;
    private long nativeLockedLooks;
    private int nativeThreads;

    /** Threads of the native poller last started; 0 when it never was. */
    int nativeThreads() {
        return nativeThreads;
    }

    /** Looks at the counter by the native poller, and how many of them were made locked on to the writer's rate. */
    long[] nativeLooks() {
        PagePoller.Stats s = poller == null ? null : poller.stats();
        return new long[] {nativePolls + (s == null ? 0 : s.polls()), nativeLockedLooks + (s == null ? 0 : s.lockedLooks())};
    }

    /** Times a copy had to be repeated because the writer was writing during it. */
    long retries() {
        PagePoller.Stats s = poller == null ? null : poller.stats();
        return retries + nativeRetries + (s == null ? 0 : s.copyRetries());
    }

    /** Snapshots the native poller dropped because its ring was full (the JVM did not drain it in time). */
    long nativeOverflow() {
        PagePoller.Stats s = poller == null ? null : poller.stats();
        return nativeOverflow + (s == null ? 0 : s.overflow());
    }

    OpenResult open() {
        close();
        Optional<SharedMemoryView> opened = SharedMemory.openReadOnly(mappingName, path);
        if (opened.isEmpty()) return OpenResult.ABSENT;
        SharedMemoryView v = opened.get();
        openedSize = v.size();
        if (v.size() < layout.size()) {
            v.close();
            return OpenResult.TOO_SMALL;
        }
        view = v;
        buffer = v.buffer();
        scratch = new byte[layout.size()];
        return OpenResult.OPEN;
    }

    /** Whether the open view still shows the live object (false after the writer replaced or removed it). */
    boolean isCurrent() {
        return view != null && view.isCurrent();
    }

    /** The update counter as an unsigned or signed long per its type; the page must have a counter and be open. */
    long counter() {
        return switch (counter.type().scalar()) {
            case INT32 -> (int) INT.getAcquire(buffer, counter.offset());
            case UINT32 -> Integer.toUnsignedLong((int) INT.getAcquire(buffer, counter.offset()));
            default -> (long) LONG.getAcquire(buffer, counter.offset());
        };
    }

    /** Updates between two counter values (1 for consecutive ones); zero or negative when it went backwards. */
    long delta(long previous, long current) {
        return counter.type().scalar() == ScalarType.INT64 ? current - previous : (int) (current - previous);
    }

    /**
     * Copies a consistent snapshot into {@code dst} (at least {@link Layout#size()} bytes).
     *
     * @return false when every attempt overlapped a write (the caller tries again on its next poll)
     */
    boolean snapshot(byte[] dst) {
        int size = layout.size();
        for (int attempt = 0; attempt < maxAttempts; attempt++) {
            if (counter != null) {
                long before = counter();
                buffer.get(0, dst, 0, size);
                VarHandle.acquireFence();
                buffer.get(0, scratch, 0, size);
                VarHandle.acquireFence();
                // the counter catches a write that completed during the copies; comparing two copies also catches
                // one still in progress (its counter not yet written) while the writer is actively writing
                if (counter() == before && Arrays.equals(dst, 0, size, scratch, 0, size)) return true;
            } else {
                buffer.get(0, dst, 0, size);
                VarHandle.acquireFence();
                buffer.get(0, scratch, 0, size);
                if (Arrays.equals(dst, 0, size, scratch, 0, size)) return true;
            }
            retries++;
            Thread.onSpinWait();
        }
        return false;
    }

    /**
     * Hands counter polling to a native thread (see {@link PagePoller}); afterwards use {@link #drainNative}.
     *
     * @return false when the native poller is not available on this platform
     */
    boolean startNative(int slots, java.time.Duration pollInterval, int rtPriority, boolean adaptive, int threads) {
        if (counter == null || view == null || !PagePoller.available()) return false;
        int width = counter.type().scalar() == ScalarType.INT64 ? 8 : 4;
        poller = PagePoller.start(view, layout.size(), counter.offset(), width, slots, pollInterval, rtPriority,
                adaptive, threads).orElse(null);
        if (poller != null) nativeThreads = poller.stats().threads();
        return poller != null;
    }

    boolean isNative() {
        return poller != null;
    }

    /** Snapshots the native poller queued since the last call, oldest first. */
    int drainNative(PagePoller.SnapshotSink sink) {
        return poller == null ? 0 : poller.drain(sink);
    }

    PagePoller.Stats nativeStats() {
        return poller == null ? null : poller.stats();
    }

    @Override
    public void close() {
        if (poller != null) {
            PagePoller.Stats last = poller.stats();
            nativeRetries += last.copyRetries();
            nativeOverflow += last.overflow();
            nativePolls += last.polls();
            nativeLockedLooks += last.lockedLooks();
            poller.close();
            poller = null;
        }
        if (view != null) {
            view.close();
            view = null;
            buffer = null;
        }
    }
}
