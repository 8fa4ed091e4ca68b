package io.sluice.nativeio;

import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.BaseTSD;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinBase;
import com.sun.jna.platform.win32.WinError;
import com.sun.jna.platform.win32.WinNT;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.Optional;

/**
 * Windows named file mappings: {@code OpenFileMappingW(FILE_MAP_READ)} + {@code MapViewOfFile(FILE_MAP_READ)}.
 * The mapping is only ever opened, never created: when the simulator is not running {@code OpenFileMappingW}
 * fails with {@code ERROR_FILE_NOT_FOUND} and the caller sees "not running" instead of an all-zero page that a
 * {@code CreateFileMapping} would have made. The mapped size comes from {@code VirtualQueryEx}, rounded up to whole
 * pages by Windows. This class compiles everywhere; it is only called on Windows.
 */
final class WindowsSharedMemory implements SharedMemoryView {

    private final String name;
    private final WinNT.HANDLE mapping;
    private final Pointer view;
    private final int size;
    private final ByteBuffer buffer;
    private boolean closed;

    private WindowsSharedMemory(String name, WinNT.HANDLE mapping, Pointer view, int size) {
        this.name = name;
        this.mapping = mapping;
        this.view = view;
        this.size = size;
        this.buffer = view.getByteBuffer(0, size).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    static Optional<SharedMemoryView> openReadOnly(String name) {
        Objects.requireNonNull(name, "name");
        Kernel32 k32 = Kernel32.INSTANCE;
        WinNT.HANDLE mapping = k32.OpenFileMapping(WinBase.FILE_MAP_READ, false, name);
        if (mapping == null) {
            int error = k32.GetLastError();
            if (error == WinError.ERROR_FILE_NOT_FOUND) {
                return Optional.empty();
            }
            throw new SharedMemoryException("OpenFileMappingW(" + name + ") failed with Windows error " + error);
        }
        Pointer view = k32.MapViewOfFile(mapping, WinBase.FILE_MAP_READ, 0, 0, 0);
        if (view == null) {
            int error = k32.GetLastError();
            k32.CloseHandle(mapping);
            throw new SharedMemoryException("MapViewOfFile(" + name + ") failed with Windows error " + error);
        }
        WinNT.MEMORY_BASIC_INFORMATION info = new WinNT.MEMORY_BASIC_INFORMATION();
        BaseTSD.SIZE_T got = k32.VirtualQueryEx(k32.GetCurrentProcess(), view, info, new BaseTSD.SIZE_T(info.size()));
        if (got == null || got.longValue() == 0) {
            int error = k32.GetLastError();
            k32.UnmapViewOfFile(view);
            k32.CloseHandle(mapping);
            throw new SharedMemoryException("VirtualQueryEx(" + name + ") failed with Windows error " + error);
        }
        long regionSize = info.regionSize.longValue();
        int size = (int) Math.min(regionSize, Integer.MAX_VALUE);
        return Optional.of(new WindowsSharedMemory(name, mapping, view, size));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public ByteBuffer buffer() {
        return buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public boolean isCurrent() {
        return !closed;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            Kernel32.INSTANCE.UnmapViewOfFile(view);
            Kernel32.INSTANCE.CloseHandle(mapping);
        }
    }
}
