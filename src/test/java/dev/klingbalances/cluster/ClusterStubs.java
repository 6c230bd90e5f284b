package dev.klingbalances.cluster;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.klingbalances.UpstreamStubs;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

/**
 * One set of stubs for every instance of the cluster: Kling's {@code /account/costs} (accounts
 * told apart by their API key) and useapi.net's account list and accounts, on 127.0.0.1.
 * <p>
 * Every call is recorded on arrival (monotonic time, before the response's delay), and every
 * answer carries new figures: the remaining capacity drops by one per call of that account. Two
 * instances that each fetched an account themselves would therefore answer different figures.
 */
final class ClusterStubs {

	static final int KLING_ACCOUNTS = 8;

	static final int USEAPI_ACCOUNTS = 4;

	static final String USEAPI_TOKEN = "cluster-useapi-token-0f3e9a";

	/** The account list's pseudo-account in {@link #calls()}. */
	static final String USEAPI_LIST = "useapi:(list)";

	private static final String TRANSFORMER = "cluster-figures";

	private static final int LATENCY_MILLIS = 200;

	private static final long KLING_START = 10_000;

	private static final long USEAPI_START = 50_000;

	private final Queue queue = new Queue();

	private final WireMockServer server;

	ClusterStubs() {
		this.server = new WireMockServer(options().bindAddress("127.0.0.1")
			.dynamicPort()
			.containerThreads(64)
			.asynchronousResponseEnabled(true)
			.extensions(new Figures(this.queue)));
	}

	ClusterStubs start() {
		this.server.start();
		this.server.stubFor(any(anyUrl()).willReturn(aResponse().withTransformers(TRANSFORMER)));
		return this;
	}

	void stop() {
		this.server.stop();
	}

	/** The properties that point an instance at these stubs. */
	Map<String, String> properties() {
		Map<String, String> properties = new LinkedHashMap<>();
		properties.put("balances.kling.base-url", "http://127.0.0.1:" + this.server.port() + "/kling");
		for (int i = 0; i < KLING_ACCOUNTS; i++) {
			properties.put("balances.kling.accounts[" + i + "].id", klingAccount(i));
			properties.put("balances.kling.accounts[" + i + "].api-key", klingKey(i));
		}
		properties.put("balances.useapi.base-url", "http://127.0.0.1:" + this.server.port() + "/useapi");
		properties.put("balances.useapi.token", USEAPI_TOKEN);
		return properties;
	}

	/** Every call so far, in order of arrival. */
	List<Call> calls() {
		return List.copyOf(this.queue.calls);
	}

	/** The calls so far per account ({@code kling:<id>}, {@code useapi:<email>}, {@link #USEAPI_LIST}). */
	Map<String, Integer> callsPerAccount() {
		return calls().stream().collect(Collectors.toMap(Call::account, (call) -> 1, Integer::sum, java.util.TreeMap::new));
	}

	static String klingAccount(int index) {
		return "team-%02d".formatted(index);
	}

	static String klingKey(int index) {
		return "cluster-kling-key-%02d-7d41c9".formatted(index);
	}

	static String email(int index) {
		return "user%02d@example.com".formatted(index);
	}

	/** Every account as {@code provider/account}, Kling's first. */
	static List<String> accounts() {
		List<String> accounts = new ArrayList<>();
		IntStream.range(0, KLING_ACCOUNTS).mapToObj((i) -> "kling/" + klingAccount(i)).forEach(accounts::add);
		IntStream.range(0, USEAPI_ACCOUNTS).mapToObj((i) -> "useapi/" + email(i)).forEach(accounts::add);
		return accounts;
	}

	/**
	 * One upstream call as it arrived.
	 * @param lane the credential it was made with: {@code kling:<id>}, or {@code useapi} (one token)
	 * @param account the account it asked for
	 * @param arrivedNanos {@link System#nanoTime()} on arrival
	 */
	record Call(String lane, String account, long arrivedNanos) {
	}

	private static final class Queue {

		private final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();

		private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

		/** Records the call and returns its number for that account (1 for the first). */
		synchronized int record(String lane, String account, long arrived) {
			this.calls.add(new Call(lane, account, arrived));
			return this.counts.computeIfAbsent(account, (key) -> new AtomicInteger()).incrementAndGet();
		}

	}

	/** Answers every call in the upstream's format, with figures that change per call. */
	private static final class Figures implements ResponseDefinitionTransformerV2 {

		private static final Map<String, String> ACCOUNT_OF_KEY = IntStream.range(0, KLING_ACCOUNTS)
			.boxed()
			.collect(Collectors.toMap((i) -> "Bearer " + klingKey(i), ClusterStubs::klingAccount));

		private final Queue queue;

		Figures(Queue queue) {
			this.queue = queue;
		}

		@Override
		public String getName() {
			return TRANSFORMER;
		}

		@Override
		public boolean applyGlobally() {
			return false;
		}

		@Override
		public ResponseDefinition transform(ServeEvent serveEvent) {
			long arrived = System.nanoTime();
			Request request = serveEvent.getRequest();
			String path = request.getUrl().split("\\?", 2)[0];
			String authorization = request.getHeader("Authorization");
			if (path.equals("/kling/account/costs") && ACCOUNT_OF_KEY.containsKey(authorization)) {
				String account = "kling:" + ACCOUNT_OF_KEY.get(authorization);
				long remaining = KLING_START - this.queue.record(account, account, arrived);
				return json(UpstreamStubs.klingCosts(remaining + ".0", "20000.0"));
			}
			if (!("Bearer " + USEAPI_TOKEN).equals(authorization)) {
				return aResponse().withStatus(401).withBody("{\"error\":\"Unauthorized\",\"code\":401}").build();
			}
			if (path.equals("/useapi/v1/kling/accounts")) {
				this.queue.record("useapi", USEAPI_LIST, arrived);
				return json(IntStream.range(0, USEAPI_ACCOUNTS)
					.mapToObj((i) -> "\"" + email(i) + "\":{\"email\":\"" + email(i) + "\",\"maxJobs\":5}")
					.collect(Collectors.joining(",", "{", "}")));
			}
			String prefix = "/useapi/v1/kling/accounts/";
			if (path.startsWith(prefix)) {
				String email = URLDecoder.decode(path.substring(prefix.length()), StandardCharsets.UTF_8);
				long balance = USEAPI_START - this.queue.record("useapi", "useapi:" + email, arrived);
				return json(UpstreamStubs.useapiAccount(email, balance));
			}
			return aResponse().withStatus(404).withBody("Account configuration not found.").build();
		}

		private static ResponseDefinition json(String body) {
			return aResponse().withStatus(200)
				.withHeader("Content-Type", "application/json")
				.withBody(body)
				.withFixedDelay(LATENCY_MILLIS)
				.build();
		}

	}

}
