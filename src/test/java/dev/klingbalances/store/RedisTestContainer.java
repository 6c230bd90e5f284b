package dev.klingbalances.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

import org.springframework.data.redis.connection.RedisConfiguration;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.fail;

/**
 * A real Redis for tests: the local image {@code .ci/redis-image.sh} builds (env
 * {@code REDIS_IMAGE}, default {@code kling-balances/redis:7-bookworm}; nothing can be pulled),
 * run with the host's network (the daemon runs with {@code --bridge=none}), so redis-server
 * listens on a free loopback port of its own. It reports that port as the mapped port of 6379,
 * so Spring Boot's {@code @ServiceConnection(name = "redis")} works with it as with any
 * Redis container:
 *
 * <pre>
 * &#64;ExtendWith(RedisTestContainer.RequireDocker.class)  // before &#64;Testcontainers
 * &#64;Testcontainers
 * &#64;SpringBootTest(properties = "balances.store.type=redis")
 * class SomeTest {
 *     &#64;Container
 *     &#64;ServiceConnection(name = "redis")
 *     static RedisTestContainer redis = RedisTestContainer.create();
 * }
 * </pre>
 *
 * or, for several application contexts started by hand, {@link #properties()} /
 * {@link #register}. {@link #stopRedis()} and {@link #startRedis()}
 * take Redis away and bring it back on the same port (empty: it keeps nothing on disk).
 * <p>
 * Needs Docker: without one, {@link RequireDocker} (or {@link #started()}) skips the test on a
 * developer machine and fails it with {@code CI=true}, like the container image test.
 */
public final class RedisTestContainer extends GenericContainer<RedisTestContainer> implements TestRedis {

	private static final Logger logger = LoggerFactory.getLogger(RedisTestContainer.class);

	/** The port redis-server listens on inside the image, as Boot's service connection asks for it. */
	public static final int REDIS_PORT = 6379;

	private static final String DEFAULT_IMAGE = "kling-balances/redis:7-bookworm";

	private final int port;

	private @Nullable String password;

	private RedisTestContainer(DockerImageName image, int port, String... options) {
		super(image);
		this.port = port;
		withNetworkMode("host");
		withCommand(command(port, options));
		waitingFor(Wait.forLogMessage(".*Ready to accept connections.*", 1).withStartupTimeout(Duration.ofMinutes(1)));
	}

	/** The image's arguments (its entrypoint is redis-server): loopback, the port, then {@code options}. */
	private static String[] command(int port, String... options) {
		return Stream.concat(Stream.of("--bind", "127.0.0.1", "--port", Integer.toString(port)), Stream.of(options))
			.toArray(String[]::new);
	}

	/** A container (not started) on a free loopback port; creating it needs no Docker yet. */
	public static RedisTestContainer create() {
		return new RedisTestContainer(image(), freeLoopbackPort());
	}

	/**
	 * A node of a Redis Cluster (not started, not yet in a cluster: see {@link RedisTestCluster})
	 * on {@code port}; its cluster bus listens on {@code port + 10000}.
	 */
	static RedisTestContainer clusterNode(int port) {
		return new RedisTestContainer(image(), port, "--cluster-enabled", "yes", "--cluster-config-file",
				"/tmp/nodes-" + port + ".conf");
	}

	private static DockerImageName image() {
		return DockerImageName.parse(System.getenv().getOrDefault("REDIS_IMAGE", DEFAULT_IMAGE));
	}

	/** {@link #create()}, started; skips the calling test without Docker outside CI, fails it in CI. */
	public static RedisTestContainer started() {
		requireDocker();
		RedisTestContainer redis = create();
		redis.start();
		return redis;
	}

	/** A machine without Docker skips the test; CI must not (a broken daemon is no reason to skip). */
	public static void requireDocker() {
		if (DockerClientFactory.instance().isDockerAvailable()) {
			return;
		}
		if ("true".equalsIgnoreCase(System.getenv("CI"))) {
			fail("CI=true but no Docker daemon is reachable: the Redis tests must run in CI (see .ci/run)");
		}
		String reason = "No Docker daemon: Redis test skipped (it fails instead when CI=true)";
		logger.warn(reason);
		Assumptions.abort(reason);
	}

	/**
	 * Put before {@code @Testcontainers}: a test class runs only with Docker; without it the class
	 * is skipped on a developer machine and fails in CI.
	 */
	public static final class RequireDocker implements ExecutionCondition {

		@Override
		public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
			if (DockerClientFactory.instance().isDockerAvailable()) {
				return ConditionEvaluationResult.enabled("Docker is available");
			}
			if ("true".equalsIgnoreCase(System.getenv("CI"))) {
				throw new IllegalStateException(
						"CI=true but no Docker daemon is reachable: the Redis tests must run in CI (see .ci/run)");
			}
			logger.warn("No Docker daemon: {} skipped (it fails instead when CI=true)", context.getDisplayName());
			return ConditionEvaluationResult.disabled("No Docker daemon: Redis test skipped (it fails instead when CI=true)");
		}

	}

	/**
	 * Redis asks for this password ({@code requirepass}); {@link #properties()} and
	 * {@link #connectionFactory()} use it. Boot's {@code @ServiceConnection} does not carry a
	 * password: use {@link #register} with it.
	 */
	public RedisTestContainer withPassword(String password) {
		this.password = password;
		return withCommand(command(this.port, "--requirepass", password));
	}

	/** The loopback port redis-server listens on. */
	public int port() {
		return this.port;
	}

	@Override
	public String getHost() {
		return "127.0.0.1";
	}

	/** Host networking: nothing is mapped, redis-server listens on {@link #port()} itself. */
	@Override
	public Integer getMappedPort(int originalPort) {
		if (originalPort != REDIS_PORT) {
			throw new IllegalArgumentException("Only port " + REDIS_PORT + " is known, not " + originalPort);
		}
		return this.port;
	}

	@Override
	public Map<String, String> properties() {
		Map<String, String> properties = new LinkedHashMap<>();
		properties.put("balances.store.type", "redis");
		properties.put("spring.data.redis.host", getHost());
		properties.put("spring.data.redis.port", Integer.toString(this.port));
		if (this.password != null) {
			properties.put("spring.data.redis.password", this.password);
		}
		return properties;
	}

	@Override
	public LettuceConnectionFactory connectionFactory() {
		RedisStandaloneConfiguration server = new RedisStandaloneConfiguration(getHost(), this.port);
		if (this.password != null) {
			server.setPassword(this.password);
		}
		return connectionFactory(server, ClientOptions.builder());
	}

	/**
	 * {@link #connectionFactory()} for any shape of Redis: {@code options} is the builder of
	 * that shape's client options (a cluster's has its own), completed as the application does.
	 */
	static LettuceConnectionFactory connectionFactory(RedisConfiguration server, ClientOptions.Builder options) {
		ClientResources resources = ClientResources.builder()
			.reconnectDelay(Delay.exponential(Duration.ofMillis(100), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
			.build();
		LettuceClientConfiguration client = LettuceClientConfiguration.builder()
			.clientResources(resources)
			.commandTimeout(Duration.ofSeconds(2))
			.clientOptions(RedisStoreConfiguration
				.clientOptions(options.socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(2)).build()))
				.build())
			.build();
		LettuceConnectionFactory factory = new LettuceConnectionFactory(server, client) {

			@Override
			public void destroy() {
				super.destroy();
				resources.shutdown();
			}

		};
		factory.afterPropertiesSet();
		factory.start();
		return factory;
	}

	@Override
	public void close() {
		stop();
	}

	@Override
	public void stopRedis() {
		stop();
	}

	@Override
	public void startRedis() {
		start();
	}

	static int freeLoopbackPort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
