package dev.klingbalances.cluster;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.klingbalances.KlingBalancesApplication;
import dev.klingbalances.balance.BalanceService;
import dev.klingbalances.cache.Leadership;
import dev.klingbalances.cache.RefreshingCache;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.TypeExcludeFilter;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.type.classreading.MetadataReader;
import org.springframework.core.type.classreading.MetadataReaderFactory;

/**
 * One application instance of the cluster, started in this JVM as the real application is
 * (component scan, auto-configuration, its own web server on a random port of 127.0.0.1), and
 * the test's client of it.
 */
final class Instance implements AutoCloseable {

	private final String id;

	private final ConfigurableApplicationContext context;

	private final int port;

	private final HttpClient http;

	private Instance(String id, ConfigurableApplicationContext context, HttpClient http) {
		this.id = id;
		this.context = context;
		this.port = context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
		this.http = http;
	}

	/**
	 * Starts an instance with these properties, given as command-line arguments so that they
	 * win over {@code application.yml} as an operator's would.
	 */
	static Instance start(String id, Map<String, String> properties, HttpClient http) {
		List<String> args = new ArrayList<>();
		properties.forEach((key, value) -> args.add("--" + key + "=" + value));
		ConfigurableApplicationContext context = new SpringApplicationBuilder(KlingBalancesApplication.class)
			.initializers((initializing) -> initializing.getBeanFactory()
				.registerSingleton("clusterTestClassesFilter", new MainClassesOnly()))
			.run(args.toArray(String[]::new));
		return new Instance(id, context, http);
	}

	String id() {
		return this.id;
	}

	boolean isRunning() {
		return this.context.isActive();
	}

	/** @param headers names and values, alternating */
	HttpResponse<String> get(String pathAndQuery, String... headers) throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + pathAndQuery))
			.timeout(Duration.ofSeconds(30));
		if (headers.length > 0) {
			request.headers(headers);
		}
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	/** The count of one of this instance's counters (0 before it counted anything). */
	double count(String counter) {
		io.micrometer.core.instrument.Counter found = this.context.getBean(MeterRegistry.class).find(counter).counter();
		return (found != null) ? found.count() : 0;
	}

	/** Whether this instance runs the warm-up and the refresh sweep now. */
	boolean isLeader() {
		return this.context.getBean(Leadership.class).isLeader();
	}

	/** Upstream fetches this instance made itself (its {@code balances.fetch} timers). */
	long fetches() {
		return this.context.getBean(MeterRegistry.class)
			.find("balances.fetch")
			.timers()
			.stream()
			.mapToLong(Timer::count)
			.sum();
	}

	/** Nothing queued, running or awaited in any of its caches. */
	boolean isIdle() {
		return this.context.getBean(BalanceService.class).caches().stream().allMatch(RefreshingCache::isIdle);
	}

	@Override
	public void close() {
		this.context.close();
	}

	@Override
	public String toString() {
		return this.id + "@" + this.port;
	}

	/**
	 * Keeps the test classes out of the component scan: outside {@code @SpringBootTest} nothing
	 * else excludes the other tests' nested configurations and controllers, which would
	 * otherwise become part of every instance.
	 */
	static final class MainClassesOnly extends TypeExcludeFilter {

		@Override
		public boolean match(MetadataReader metadataReader, MetadataReaderFactory metadataReaderFactory) throws IOException {
			return metadataReader.getResource().getURI().toString().contains("/test-classes/");
		}

		@Override
		public boolean equals(Object other) {
			return other != null && other.getClass() == getClass();
		}

		@Override
		public int hashCode() {
			return getClass().hashCode();
		}

	}

}
