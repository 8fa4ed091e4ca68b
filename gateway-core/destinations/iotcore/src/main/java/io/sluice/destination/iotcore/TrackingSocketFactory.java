package io.sluice.destination.iotcore;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The TLS socket factory given to the MQTT client: it makes the sockets of the real factory and remembers how far the
 * latest one got (TCP connected, TLS handshake finished), so a failed connect can be named ({@link TlsFailures}). Its
 * sockets send without delay (TCP_NODELAY).
 */
final class TrackingSocketFactory extends SSLSocketFactory {

    private final SSLSocketFactory delegate;
    private volatile Socket latest;
    private volatile boolean handshakeDone;

    TrackingSocketFactory(SSLSocketFactory delegate) {
        this.delegate = delegate;
    }

    /** How far the socket of the latest attempt got. */
    TlsFailures.Progress progress() {
        Socket s = latest;
        if (s == null || !s.isConnected()) return TlsFailures.Progress.NOT_CONNECTED; // stays true after close
        return handshakeDone ? TlsFailures.Progress.HANDSHAKE_DONE : TlsFailures.Progress.HANDSHAKING;
    }

    private Socket track(Socket s) throws IOException {
        // a message larger than one TLS record is several writes; with Nagle's algorithm the last one waits for the
        // peer's (delayed) ACK of the first, 40 ms or a round trip per message
        s.setTcpNoDelay(true);
        handshakeDone = false;
        latest = s;
        if (s instanceof SSLSocket ssl) {
            ssl.addHandshakeCompletedListener(event -> {
                if (latest == ssl) handshakeDone = true;
            });
        }
        return s;
    }

    @Override
    public Socket createSocket() throws IOException {
        return track(delegate.createSocket());
    }

    @Override
    public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
        return track(delegate.createSocket(s, host, port, autoClose));
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return track(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return track(delegate.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return track(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return track(delegate.createSocket(address, port, localAddress, localPort));
    }

    @Override
    public String[] getDefaultCipherSuites() {
        return delegate.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return delegate.getSupportedCipherSuites();
    }
}
