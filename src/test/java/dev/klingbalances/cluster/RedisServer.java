package dev.klingbalances.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

import static org.awaitility.Awaitility.await;

/**
 * A real Redis in a container that can be stopped and started again in place: the same
 * container, on the same port of 127.0.0.1 (host networking; the daemon runs without a bridge).
 * The image is local ({@code REDIS_IMAGE}, built by {@code .ci/redis-image.sh}): nothing is pulled.
 */
final class RedisServer implements AutoCloseable {

	static final String DEFAULT_IMAGE = "kling-balances/redis:7-bookworm";

	private final int port;

	private final GenericContainer<?> container;

	@SuppressWarnings("resource")
	RedisServer(String image) throws IOException {
		this.port = freePort();
		this.container = new GenericContainer<>(DockerImageName.parse(image))
			.withNetworkMode("host")
			.withCommand("--bind", "127.0.0.1", "--port", Integer.toString(this.port))
			.waitingFor(Wait.forLogMessage(".*Ready to accept connections.*", 1));
	}

	RedisServer start() {
		this.container.start();
		return this;
	}

	int port() {
		return this.port;
	}

	/** Stops the server (its data goes with it); the container stays, to be started again. */
	void stop() {
		DockerClientFactory.instance().client().stopContainerCmd(this.container.getContainerId()).withTimeout(5).exec();
		await().atMost(Duration.ofSeconds(30)).until(() -> !answersPing());
	}

	/** Starts the stopped server again, on the same port, and waits until it answers. */
	void restart() {
		DockerClientFactory.instance().client().startContainerCmd(this.container.getContainerId()).exec();
		await().atMost(Duration.ofSeconds(30)).until(this::answersPing);
	}

	boolean answersPing() {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), this.port), 1000);
			socket.setSoTimeout(1000);
			OutputStream out = socket.getOutputStream();
			out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = socket.getInputStream();
			byte[] answer = in.readNBytes(7);
			return new String(answer, StandardCharsets.US_ASCII).equals("+PONG\r\n");
		}
		catch (IOException ex) {
			return false;
		}
	}

	@Override
	public void close() {
		this.container.stop();
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

}
