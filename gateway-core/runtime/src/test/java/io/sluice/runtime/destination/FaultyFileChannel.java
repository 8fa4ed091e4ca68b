package io.sluice.runtime.destination;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A real file channel with faults on demand: writes succeed until {@link #failAfterBytes} more bytes were written,
 * then write only up to that point and throw "No space left on device" (a disk that fills mid-write); with
 * {@link #failTruncate} a truncate fails too. {@link #maxBytesPerWrite} splits writes into small pieces, like a slow
 * disk, and {@link #beforeWrite} runs before each piece (a child process uses it to stop in the middle of a line).
 */
final class FaultyFileChannel extends FileChannel {

    private final FileChannel delegate;
    volatile long failAfterBytes = Long.MAX_VALUE;
    volatile boolean failTruncate;
    volatile int maxBytesPerWrite = Integer.MAX_VALUE;
    volatile Runnable beforeWrite = () -> {};
    long written;

    FaultyFileChannel(FileChannel delegate) {
        this.delegate = delegate;
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        beforeWrite.run();
        long allowed = Math.min(maxBytesPerWrite, failAfterBytes);
        if (allowed <= 0) throw new IOException("No space left on device");
        ByteBuffer piece = src.duplicate();
        piece.limit((int) Math.min(src.limit(), src.position() + allowed));
        int n = delegate.write(piece, position);
        src.position(src.position() + n);
        written += n;
        if (failAfterBytes != Long.MAX_VALUE) failAfterBytes -= n;
        return n;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        int n = write(src, delegate.position());
        delegate.position(delegate.position() + n);
        return n;
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        if (failTruncate) throw new IOException("Input/output error");
        delegate.truncate(size);
        return this;
    }

    @Override public int read(ByteBuffer dst) throws IOException { return delegate.read(dst); }

    @Override public long read(ByteBuffer[] dsts, int offset, int length) throws IOException { return delegate.read(dsts, offset, length); }

    @Override public long write(ByteBuffer[] srcs, int offset, int length) { throw new UnsupportedOperationException(); }

    @Override public long position() throws IOException { return delegate.position(); }

    @Override public FileChannel position(long newPosition) throws IOException { delegate.position(newPosition); return this; }

    @Override public long size() throws IOException { return delegate.size(); }

    @Override public void force(boolean metaData) throws IOException { delegate.force(metaData); }

    @Override public long transferTo(long position, long count, WritableByteChannel target) { throw new UnsupportedOperationException(); }

    @Override public long transferFrom(ReadableByteChannel src, long position, long count) { throw new UnsupportedOperationException(); }

    @Override public int read(ByteBuffer dst, long position) throws IOException { return delegate.read(dst, position); }

    @Override public MappedByteBuffer map(MapMode mode, long position, long size) { throw new UnsupportedOperationException(); }

    @Override public FileLock lock(long position, long size, boolean shared) { throw new UnsupportedOperationException(); }

    @Override public FileLock tryLock(long position, long size, boolean shared) { throw new UnsupportedOperationException(); }

    @Override protected void implCloseChannel() throws IOException { delegate.close(); }
}
