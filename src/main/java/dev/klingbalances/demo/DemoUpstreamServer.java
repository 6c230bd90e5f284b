package dev.klingbalances.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.SmartLifecycle;

/**
 * Simulated Kling ({@code /kling}) and useapi.net ({@code /useapi}) upstreams on
 * {@code 127.0.0.1}, in their real wire formats, with simulated latency. The demo profile points
 * the real clients here, so the demo runs the production path: HTTP, JWT signing, mapping,
 * resilience and caching.
 * <p>
 * It starts before any other lifecycle bean (in particular before the web server takes
 * requests) and stops after all of them, so in-flight balance refreshes still get answers
 * during graceful shutdown. Outside Spring: {@link #start()}, then {@link #close()}.
 */
public final class DemoUpstreamServer implements SmartLifecycle, AutoCloseable {

	/** The path under which the simulated Kling API is served ({@code balances.kling.base-url}). */
	public static final String KLING_PATH = "/kling";

	/** The path under which the simulated useapi.net API is served ({@code balances.useapi.base-url}). */
	public static final String USEAPI_PATH = "/useapi";

	private static final Logger logger = LoggerFactory.getLogger(DemoUpstreamServer.class);

	private final DemoProperties properties;

	private final List<KlingCredential> klingAccounts;

	private final @Nullable String useapiToken;

	private final Clock clock;

	private @Nullable HttpServer server;

	private @Nullable ThreadPoolExecutor executor;

	/**
	 * @param klingAccounts the Kling accounts to accept, in {@code balances.kling.accounts} order
	 * (the position picks the account's demo packs)
	 * @param useapiToken the only useapi.net token to accept; none when {@code null}
	 */
	public DemoUpstreamServer(DemoProperties properties, List<KlingCredential> klingAccounts,
			@Nullable String useapiToken) {
		this(properties, klingAccounts, useapiToken, Clock.systemUTC());
	}

	DemoUpstreamServer(DemoProperties properties, List<KlingCredential> klingAccounts, @Nullable String useapiToken,
			Clock clock) {
		this.properties = properties;
		this.klingAccounts = List.copyOf(klingAccounts);
		this.useapiToken = useapiToken;
		this.clock = clock;
	}

	@Override
	public synchronized void start() {
		if (this.server != null) {
			return;
		}
		JsonMapper json = JsonMapper.builder().disable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY).build();
		// Built before binding so a bad credential fails start-up without leaving a socket open.
		DemoUsage usage = new DemoUsage(this.clock, this.properties.usage());
		HttpHandler kling = new KlingDemoHandler(this.klingAccounts, this.clock, usage, json);
		HttpHandler useapi = new UseapiDemoHandler(this.useapiToken, this.clock, usage, json);
		HttpServer server = bind();
		ThreadPoolExecutor executor = newExecutor();
		server.setExecutor(executor);
		server.createContext(KLING_PATH, withLatency(kling));
		server.createContext(USEAPI_PATH, withLatency(useapi));
		server.start();
		this.server = server;
		this.executor = executor;
		logBanner();
	}

	@Override
	public synchronized void stop() {
		HttpServer server = this.server;
		ThreadPoolExecutor executor = this.executor;
		this.server = null;
		this.executor = null;
		if (server != null) {
			server.stop(0);
		}
		if (executor != null) {
			executor.shutdownNow();
		}
	}

	@Override
	public synchronized boolean isRunning() {
		return this.server != null;
	}

	/** First to start, last to stop. */
	@Override
	public int getPhase() {
		return Integer.MIN_VALUE;
	}

	@Override
	public void close() {
		stop();
	}

	/** The port actually bound, which differs from the property when that is {@code 0}. */
	public synchronized int port() {
		HttpServer server = this.server;
		if (server == null) {
			throw new IllegalStateException("The demo upstream server is not running");
		}
		return server.getAddress().getPort();
	}

	/** What {@code balances.kling.base-url} must be to reach this server. */
	public URI klingBaseUrl() {
		return URI.create("http://127.0.0.1:" + port() + KLING_PATH);
	}

	/** What {@code balances.useapi.base-url} must be to reach this server. */
	public URI useapiBaseUrl() {
		return URI.create("http://127.0.0.1:" + port() + USEAPI_PATH);
	}

	private HttpServer bind() {
		try {
			// Loopback only, by construction: the demo never listens on a reachable address.
			InetAddress loopback = InetAddress.getByAddress("127.0.0.1", new byte[] { 127, 0, 0, 1 });
			return HttpServer.create(new InetSocketAddress(loopback, this.properties.port()), 0);
		}
		catch (UnknownHostException ex) {
			throw new IllegalStateException(ex);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("The demo upstreams cannot listen on 127.0.0.1:" + this.properties.port()
					+ " (set balances.demo.port to a free port)", ex);
		}
	}

	private ThreadPoolExecutor newExecutor() {
		AtomicInteger threadCount = new AtomicInteger();
		// Bounded both ways; a request beyond the queue is refused (its connection closed).
		return new ThreadPoolExecutor(this.properties.threads(), this.properties.threads(), 0, TimeUnit.MILLISECONDS,
				new ArrayBlockingQueue<>(this.properties.queueCapacity()), (runnable) -> {
					Thread thread = new Thread(runnable, "demo-upstream-" + threadCount.incrementAndGet());
					thread.setDaemon(true);
					return thread;
				}, new ThreadPoolExecutor.AbortPolicy());
	}

	private HttpHandler withLatency(HttpHandler handler) {
		return (exchange) -> {
			try {
				simulateLatency();
				handler.handle(exchange);
			}
			catch (InterruptedException ex) {
				// Stopping: drop the exchange, the connection closes.
				Thread.currentThread().interrupt();
			}
			catch (RuntimeException ex) {
				logger.error("Demo upstream failed on {} {}", exchange.getRequestMethod(),
						exchange.getRequestURI().getPath(), ex);
				failed(exchange);
			}
			finally {
				exchange.close();
			}
		};
	}

	private void simulateLatency() throws InterruptedException {
		long jitter = this.properties.latencyJitter().toMillis();
		Duration delay = this.properties.latency()
			.plusMillis((jitter > 0) ? ThreadLocalRandom.current().nextLong(jitter + 1) : 0);
		if (!delay.isZero()) {
			Thread.sleep(delay.toMillis());
		}
	}

	private static void failed(HttpExchange exchange) {
		try {
			DemoExchanges.sendText(exchange, 500, "Internal Server Error");
		}
		catch (IOException | RuntimeException ex) {
			// Headers were already sent; closing the exchange is all that is left.
		}
	}

	private void logBanner() {
		String kling = this.klingAccounts.isEmpty() ? "none"
				: this.klingAccounts.stream().map(KlingCredential::describe).collect(Collectors.joining(", "));
		logger.warn("""

				********************************************************************************
				  DEMO MODE: the 'demo' profile is active.
				  Simulated Kling and useapi.net upstreams are serving made-up balances on
				  http://127.0.0.1:{} (Kling accounts: {}; useapi.net accounts: {}).
				  Nothing shown is a real balance. Never run the demo profile in production.
				********************************************************************************""",
				port(), kling, DemoData.USEAPI_EMAILS.size());
	}

	/**
	 * One Kling account the demo accepts, bound from {@code balances.kling.accounts[i]}: an
	 * access key with its secret key (JWT), an API key, or both.
	 */
	public record KlingCredential(@Nullable String id, @Nullable String accessKey, @Nullable String secretKey,
			@Nullable String apiKey) {

		String describe() {
			String form = (this.apiKey != null) ? "API key" : "access key + secret key";
			return ((this.id != null) ? this.id : "(unnamed)") + " (" + form + ")";
		}

		@Override
		public String toString() {
			return "KlingCredential[id=" + this.id + ", accessKey=" + this.accessKey + ", secretKey="
					+ ((this.secretKey != null) ? "******" : null) + ", apiKey="
					+ ((this.apiKey != null) ? "******" : null) + "]";
		}

	}

}
