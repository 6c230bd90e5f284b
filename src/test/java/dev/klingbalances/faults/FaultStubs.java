package dev.klingbalances.faults;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.requestfilter.RequestFilterAction;
import com.github.tomakehurst.wiremock.extension.requestfilter.StubRequestFilterV2;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.matching.StringValuePattern;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.klingbalances.UpstreamStubs;
import org.jspecify.annotations.Nullable;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

/**
 * WireMock stand-ins of both upstreams for the fault tests, on 127.0.0.1, with two steady
 * accounts and two victims per provider. A fault is installed for both victims of a provider
 * at once: the cold victim has never been read when the fault hits, the primed victim has one
 * good snapshot. Kling accounts are told apart by their bearer token: the cold victim is the
 * only access-key/secret-key account (its bearer is a signed JWT, so a re-signed token is
 * visible), every other account uses an API key. Bodies come from {@link UpstreamStubs}.
 * <p>
 * Responses are asynchronous, so a stub that hangs for a minute holds no server thread.
 */
final class FaultStubs {

	static final String STEADY_A = "steady-a";

	static final String STEADY_B = "steady-b";

	static final String COLD = "victim-cold";

	static final String PRIMED = "victim-primed";

	static final String KEY_STEADY_A = "fault-kling-key-steady-aaaaaaaaaaaa";

	static final String KEY_STEADY_B = "fault-kling-key-steady-bbbbbbbbbbbb";

	static final String ACCESS_KEY_COLD = "fault-kling-access-key-cold-cccc";

	static final String SECRET_KEY_COLD = "fault-kling-secret-key-cold-cccccccccccccccccccc";

	static final String KEY_PRIMED = "fault-kling-key-primed-dddddddddddd";

	static final String USEAPI_TOKEN = "user:4321-fault-useapi-token-eeeeeeeeeeee";

	static final String EMAIL_STEADY = "steady@example.com";

	static final String EMAIL_COLD = "cold@example.com";

	static final String EMAIL_PRIMED = "primed+victim@example.com";

	/** Every secret the app is configured with: none may show up in an answer or a log. */
	static final List<String> SECRETS = List.of(KEY_STEADY_A, KEY_STEADY_B, SECRET_KEY_COLD, KEY_PRIMED,
			USEAPI_TOKEN);

	/** Remaining capacity each account's good answer reports (never 0, so a 0 is always made up). */
	static final Map<String, BigDecimal> REMAINING = Map.of("kling/" + STEADY_A, new BigDecimal("118"),
			"kling/" + STEADY_B, new BigDecimal("40"), "kling/" + COLD, new BigDecimal("700"), "kling/" + PRIMED,
			new BigDecimal("333"), "useapi/" + EMAIL_STEADY, new BigDecimal("56000"), "useapi/" + EMAIL_COLD,
			new BigDecimal("1200"), "useapi/" + EMAIL_PRIMED, new BigDecimal("4400"));

	static final String KLING_PATH = "/kling/account/costs";

	static final String USEAPI_ACCOUNTS = "/useapi/v1/kling/accounts";

	private static final int FAULT_PRIORITY = 1;

	private static final int HEALTHY_PRIORITY = 5;

	private final TransitDelay transitDelay = new TransitDelay();

	private final WireMockServer server = new WireMockServer(options().bindAddress("127.0.0.1")
		.dynamicPort()
		.asynchronousResponseEnabled(true)
		.asynchronousResponseThreads(16)
		.containerThreads(32)
		.extensions(this.transitDelay));

	FaultStubs start() {
		this.server.start();
		return this;
	}

	void stop() {
		this.server.stop();
	}

	WireMockServer server() {
		return this.server;
	}

	/** The properties that point the app at these stubs. */
	Map<String, String> properties() {
		String base = "http://127.0.0.1:" + this.server.port();
		return Map.ofEntries(Map.entry("balances.kling.base-url", base + "/kling"),
				Map.entry("balances.kling.accounts[0].id", STEADY_A),
				Map.entry("balances.kling.accounts[0].api-key", KEY_STEADY_A),
				Map.entry("balances.kling.accounts[1].id", STEADY_B),
				Map.entry("balances.kling.accounts[1].api-key", KEY_STEADY_B),
				Map.entry("balances.kling.accounts[2].id", COLD),
				Map.entry("balances.kling.accounts[2].access-key", ACCESS_KEY_COLD),
				Map.entry("balances.kling.accounts[2].secret-key", SECRET_KEY_COLD),
				Map.entry("balances.kling.accounts[3].id", PRIMED),
				Map.entry("balances.kling.accounts[3].api-key", KEY_PRIMED),
				Map.entry("balances.useapi.base-url", base + "/useapi"),
				Map.entry("balances.useapi.token", USEAPI_TOKEN));
	}

	/**
	 * Forgets every stub, logged request and transit delay, then answers every account well.
	 */
	void healthy() {
		this.server.resetAll();
		this.transitDelay.clear();
		for (String account : List.of(STEADY_A, STEADY_B, COLD, PRIMED)) {
			this.server.stubFor(klingRequest(account).atPriority(HEALTHY_PRIORITY).willReturn(good("kling", account)));
		}
		StringBuilder listing = new StringBuilder("{");
		for (String email : List.of(EMAIL_STEADY, EMAIL_COLD, EMAIL_PRIMED)) {
			listing.append(listing.length() > 1 ? "," : "")
				.append("\"%s\":{\"email\":\"%s\",\"maxJobs\":5,\"password\":\"…secured…\"}".formatted(email, email));
			this.server.stubFor(useapiRequest(email).atPriority(HEALTHY_PRIORITY).willReturn(good("useapi", email)));
		}
		this.server.stubFor(get(urlPathEqualTo(USEAPI_ACCOUNTS)).atPriority(HEALTHY_PRIORITY)
			.willReturn(okJson(listing.append('}').toString())));
	}

	/** The account's good answer, in its upstream's format. */
	static ResponseDefinitionBuilder good(String provider, String account) {
		BigDecimal remaining = REMAINING.get(provider + "/" + account);
		return provider.equals("kling")
				? okJson(UpstreamStubs.klingCosts(remaining.toPlainString(),
						remaining.multiply(BigDecimal.valueOf(2)).toPlainString()))
				: okJson(UpstreamStubs.useapiAccount(account, remaining.longValue()));
	}

	/**
	 * Requests whose path contains {@code pathPart} reach the stand-in {@code delay} late, as if
	 * held up on the way (a new connection, a slow hop): the journal logs them on arrival.
	 */
	void delayInTransit(String pathPart, Duration delay) {
		this.transitDelay.set(pathPart, delay);
	}

	/** Installs {@code fault} for both victims of {@code provider}, ahead of the good answers. */
	void fault(String provider, ResponseDefinitionBuilder fault) {
		for (String account : victims(provider)) {
			this.server.stubFor(request(provider, account).atPriority(FAULT_PRIORITY).willReturn(fault));
		}
	}

	/** Installs {@code fault} for one account, ahead of the good answers. */
	void fault(String provider, String account, ResponseDefinitionBuilder fault) {
		this.server.stubFor(request(provider, account).atPriority(FAULT_PRIORITY).willReturn(fault));
	}

	static List<String> victims(String provider) {
		return provider.equals("kling") ? List.of(COLD, PRIMED) : List.of(EMAIL_COLD, EMAIL_PRIMED);
	}

	static List<String> steady(String provider) {
		return provider.equals("kling") ? List.of(STEADY_A, STEADY_B) : List.of(EMAIL_STEADY);
	}

	static MappingBuilder request(String provider, String account) {
		return provider.equals("kling") ? klingRequest(account) : useapiRequest(account);
	}

	static MappingBuilder klingRequest(String account) {
		return get(urlPathEqualTo(KLING_PATH)).withHeader("Authorization", authorization(account));
	}

	static MappingBuilder useapiRequest(String email) {
		return get(urlPathMatching(useapiPathPattern(email)));
	}

	/** The account's path, whether or not the client escapes {@code +}. */
	private static String useapiPathPattern(String email) {
		return USEAPI_ACCOUNTS + "/" + email.replace(".", "\\.").replace("+", "(\\+|%2B)");
	}

	private static StringValuePattern authorization(String account) {
		return switch (account) {
			case STEADY_A -> equalTo("Bearer " + KEY_STEADY_A);
			case STEADY_B -> equalTo("Bearer " + KEY_STEADY_B);
			case PRIMED -> equalTo("Bearer " + KEY_PRIMED);
			case COLD -> matching("Bearer eyJ[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
			default -> throw new IllegalArgumentException("no Kling account " + account);
		};
	}

	/** Requests that reached the stand-in for this account, oldest first. */
	List<LoggedRequest> requests(String provider, String account) {
		List<LoggedRequest> requests = provider.equals("kling")
				? this.server.findAll(getRequestedFor(urlPathEqualTo(KLING_PATH)).withHeader("Authorization",
						authorization(account)))
				: this.server.findAll(getRequestedFor(urlPathMatching(useapiPathPattern(account))));
		return requests.stream().sorted(Comparator.comparing(LoggedRequest::getLoggedDate)).toList();
	}

	/** Every request to useapi.net (discovery included), oldest first. */
	List<LoggedRequest> useapiRequests() {
		return this.server.findAll(getRequestedFor(urlPathMatching("/useapi/.*")))
			.stream()
			.sorted(Comparator.comparing(LoggedRequest::getLoggedDate))
			.toList();
	}

	/** A request filter that holds matching requests back before WireMock logs and answers them. */
	static final class TransitDelay implements StubRequestFilterV2 {

		private volatile @Nullable String pathPart;

		private volatile Duration delay = Duration.ZERO;

		void set(String pathPart, Duration delay) {
			this.delay = delay;
			this.pathPart = pathPart;
		}

		void clear() {
			this.pathPart = null;
		}

		@Override
		public RequestFilterAction filter(Request request, ServeEvent serveEvent) {
			String part = this.pathPart;
			if (part != null && request.getUrl().contains(part)) {
				try {
					Thread.sleep(this.delay.toMillis());
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
			return RequestFilterAction.continueWith(request);
		}

		@Override
		public String getName() {
			return "transit-delay";
		}

	}

	static List<Duration> gaps(List<LoggedRequest> requests) {
		List<Instant> times = requests.stream().map((request) -> request.getLoggedDate().toInstant()).sorted().toList();
		return java.util.stream.IntStream.range(1, times.size())
			.mapToObj((i) -> Duration.between(times.get(i - 1), times.get(i)))
			.toList();
	}

}
