package io.auditrelay.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on loopback in front of a server, for faults at chosen moments without stopping the server:
 * <ul>
 *   <li>{@link #arm}: the first request whose bytes start with a prefix (e.g. {@code PUT /bucket/}) is held, not passed
 *   on, until {@link #release()}; {@link #awaitHeld} tells when that happened, e.g. to kill a relay while the request
 *   is in flight;</li>
 *   <li>{@link #down}: every connection is closed as it is accepted (the server is unreachable, as a client sees it),
 *   until {@link #up}; the proxy keeps its port, so no other process can take it meanwhile.</li>
 * </ul>
 * Everything else is passed through as it comes.
 */
public final class TcpProxy implements AutoCloseable {

    private final ServerSocket server;
    private final int target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile String holdPrefix;
    private volatile CountDownLatch held = new CountDownLatch(1);
    private volatile CountDownLatch released = new CountDownLatch(0);
    private volatile boolean down;
    private final AtomicInteger refused = new AtomicInteger();

    public TcpProxy(int targetPort) throws IOException {
        this.target = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::acceptLoop, "tcp-proxy-" + server.getLocalPort());
        accept.setDaemon(true);
        accept.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** Holds the next request whose first bytes are {@code prefix}. */
    public void arm(String prefix) {
        held = new CountDownLatch(1);
        released = new CountDownLatch(1);
        holdPrefix = prefix;
    }

    /** True once a request was held (within {@code seconds}). */
    public boolean awaitHeld(long seconds) throws InterruptedException {
        return held.await(seconds, TimeUnit.SECONDS);
    }

    /** Lets the held request go: its connection is closed, as the relay that sent it is gone. */
    public void release() {
        holdPrefix = null;
        released.countDown();
    }

    /** From now on every connection is closed at once, and the open ones are closed. */
    public void down() {
        down = true;
        sockets.forEach(TcpProxy::close);
        sockets.clear();
    }

    /** Connections are passed through again. */
    public void up() {
        down = false;
    }

    /** How many connections were closed at once because the proxy was {@link #down}. */
    public int refused() {
        return refused.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                if (down) {
                    refused.incrementAndGet();
                    client.close();
                    continue;
                }
                Socket upstream = new Socket();
                try {
                    upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), target), 2000);
                } catch (IOException refused) {
                    client.close(); // the server is down: so is the proxy, as a client sees it
                    continue;
                }
                sockets.add(client);
                sockets.add(upstream);
                pump(client, upstream, true);
                pump(upstream, client, false);
            } catch (IOException e) {
                if (server.isClosed()) {
                    return;
                }
            }
        }
    }

    private void pump(Socket from, Socket to, boolean requests) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[65536];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    String prefix = holdPrefix;
                    if (requests && prefix != null && startsWith(buffer, n, prefix)) {
                        holdPrefix = null;
                        held.countDown();
                        released.await();
                        break;
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // a side closed: close the other
            } finally {
                close(from);
                close(to);
            }
        }, "tcp-proxy-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private static boolean startsWith(byte[] buffer, int length, String prefix) {
        byte[] bytes = prefix.getBytes(StandardCharsets.US_ASCII);
        if (length < bytes.length) {
            return false;
        }
        for (int i = 0; i < bytes.length; i++) {
            if (buffer[i] != bytes[i]) {
                return false;
            }
        }
        return true;
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        release();
        server.close();
        sockets.forEach(TcpProxy::close);
    }
}
