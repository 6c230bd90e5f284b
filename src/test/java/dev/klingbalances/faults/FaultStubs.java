package dev.klingbalances.faults;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.requestfilter.RequestFilterAction;
import com.github.tomakehurst.wiremock.extension.requestfilter.StubRequestFilterV2;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.matching.MatchResult;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import com.github.tomakehurst.wiremock.matching.StringValuePattern;
import com.github.tomakehurst.wiremock.matching.ValueMatcher;
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
 * WireMock stand-ins of both upstreams for the fault tests, on 127.0.0.1, with steady accounts
 * and a pair of victims per provider. A fault is installed for both victims of a pair at once:
 * the cold victim has never been read when the fault hits, the primed victim has one good
 * snapshot. Kling has a second pair of victims, so that the fault matrix can alternate between
 * them: a case then never waits out Kling's one-second pacing of the previous case's requests.
 * Kling accounts are told apart by their bearer token: the cold victims are the
 * access-key/secret-key accounts (their bearer is a signed JWT, told apart by its issuer, so a
 * re-signed token is visible), every other account uses an API key. Bodies come from
 * {@link UpstreamStubs}.
 * <p>
 * Responses are asynchronous, so a stub that hangs for a minute holds no server thread.
 */
final class FaultStubs {

	static final String STEADY_A = "steady-a";

	static final String STEADY_B = "steady-b";

	static final String COLD = "victim-cold";

	static final String PRIMED = "victim-primed";

	static final String COLD_2 = "victim-cold-2";

	static final String PRIMED_2 = "victim-primed-2";

	static final String KEY_STEADY_A = "fault-kling-key-steady-aaaaaaaaaaaa";

	static final String KEY_STEADY_B = "fault-kling-key-steady-bbbbbbbbbbbb";

	static final String ACCESS_KEY_COLD = "fault-kling-access-key-cold-cccc";

	static final String SECRET_KEY_COLD = "fault-kling-secret-key-cold-cccccccccccccccccccc";

	static final String KEY_PRIMED = "fault-kling-key-primed-dddddddddddd";

	static final String ACCESS_KEY_COLD_2 = "fault-kling-access-key-cold-ffff";

	static final String SECRET_KEY_COLD_2 = "fault-kling-secret-key-cold-ffffffffffffffffffff";

	static final String KEY_PRIMED_2 = "fault-kling-key-primed-gggggggggggg";

	static final String USEAPI_TOKEN = "user:4321-fault-useapi-token-eeeeeeeeeeee";

	static final String EMAIL_STEADY = "steady@example.com";

	static final String EMAIL_COLD = "cold@example.com";

	static final String EMAIL_PRIMED = "primed+victim@example.com";

	/** Every secret the app is configured with: none may show up in an answer or a log. */
	static final List<String> SECRETS = List.of(KEY_STEADY_A, KEY_STEADY_B, SECRET_KEY_COLD, KEY_PRIMED,
			SECRET_KEY_COLD_2, KEY_PRIMED_2, USEAPI_TOKEN);

	/** Every Kling account, in the order of the configuration. */
	static final List<String> KLING_ACCOUNTS = List.of(STEADY_A, STEADY_B, COLD, PRIMED, COLD_2, PRIMED_2);

	/** Remaining capacity each account's good answer reports (never 0, so a 0 is always made up). */
	static final Map<String, BigDecimal> REMAINING = Map.of("kling/" + STEADY_A, new BigDecimal("118"),
			"kling/" + STEADY_B, new BigDecimal("40"), "kling/" + COLD, new BigDecimal("700"), "kling/" + PRIMED,
			new BigDecimal("333"), "kling/" + COLD_2, new BigDecimal("650"), "kling/" + PRIMED_2,
			new BigDecimal("290"), "useapi/" + EMAIL_STEADY, new BigDecimal("56000"), "useapi/" + EMAIL_COLD,
			new BigDecimal("1200"), "useapi/" + EMAIL_PRIMED, new BigDecimal("4400"));

	static final String KLING_PATH = "/kling/account/costs";

	static final String USEAPI_ACCOUNTS = "/useapi/v1/kling/accounts";

	/** Pairs of Kling victims. */
	static final int VICTIM_PAIRS = 2;

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
				Map.entry("balances.kling.accounts[4].id", COLD_2),
				Map.entry("balances.kling.accounts[4].access-key", ACCESS_KEY_COLD_2),
				Map.entry("balances.kling.accounts[4].secret-key", SECRET_KEY_COLD_2),
				Map.entry("balances.kling.accounts[5].id", PRIMED_2),
				Map.entry("balances.kling.accounts[5].api-key", KEY_PRIMED_2),
				Map.entry("balances.useapi.base-url", base + "/useapi"),
				Map.entry("balances.useapi.token", USEAPI_TOKEN));
	}

	/**
	 * Forgets every stub, logged request and transit delay, then answers every account well.
	 */
	void healthy() {
		this.server.resetAll();
		this.transitDelay.clear();
		for (String account : KLING_ACCOUNTS) {
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

	/** Installs {@code fault} for both victims of one pair, ahead of the good answers. */
	void fault(String provider, int pair, ResponseDefinitionBuilder fault) {
		for (String account : victims(provider, pair)) {
			this.server.stubFor(request(provider, account).atPriority(FAULT_PRIORITY).willReturn(fault));
		}
	}

	/** Installs {@code fault} for one account, ahead of the good answers. */
	void fault(String provider, String account, ResponseDefinitionBuilder fault) {
		this.server.stubFor(request(provider, account).atPriority(FAULT_PRIORITY).willReturn(fault));
	}

	/** The first pair of victims: cold, then primed. */
	static List<String> victims(String provider) {
		return victims(provider, 0);
	}

	/**
	 * A pair of victims, cold then primed: Kling has two ({@link #VICTIM_PAIRS}), useapi.net one
	 * (its calls share one token's pacing, so a second pair would not shorten any wait).
	 */
	static List<String> victims(String provider, int pair) {
		if (!provider.equals("kling")) {
			return List.of(EMAIL_COLD, EMAIL_PRIMED);
		}
		return (pair % VICTIM_PAIRS == 0) ? List.of(COLD, PRIMED) : List.of(COLD_2, PRIMED_2);
	}

	/** Every account of a provider. */
	static List<String> accounts(String provider) {
		return provider.equals("kling") ? KLING_ACCOUNTS : List.of(EMAIL_STEADY, EMAIL_COLD, EMAIL_PRIMED);
	}

	static List<String> steady(String provider) {
		return provider.equals("kling") ? List.of(STEADY_A, STEADY_B) : List.of(EMAIL_STEADY);
	}

	static MappingBuilder request(String provider, String account) {
		return provider.equals("kling") ? klingRequest(account) : useapiRequest(account);
	}

	static MappingBuilder klingRequest(String account) {
		MappingBuilder request = get(urlPathEqualTo(KLING_PATH)).withHeader("Authorization", authorization(account));
		return isSigned(account) ? request.andMatching(new IssuedBy(accessKey(account))) : request;
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
			case PRIMED_2 -> equalTo("Bearer " + KEY_PRIMED_2);
			case COLD, COLD_2 -> matching("Bearer eyJ[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
			default -> throw new IllegalArgumentException("no Kling account " + account);
		};
	}

	private static boolean isSigned(String account) {
		return account.equals(COLD) || account.equals(COLD_2);
	}

	private static String accessKey(String account) {
		return account.equals(COLD) ? ACCESS_KEY_COLD : ACCESS_KEY_COLD_2;
	}

	/** A signed token's issuer ({@code iss}, the access key): tells the JWT accounts apart. */
	record IssuedBy(String accessKey) implements ValueMatcher<Request> {

		@Override
		public MatchResult match(Request request) {
			String bearer = request.getHeader("Authorization");
			String[] parts = (bearer != null) ? bearer.substring("Bearer ".length()).split("\\.") : new String[0];
			if (parts.length != 3) {
				return MatchResult.noMatch();
			}
			String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
			return MatchResult.of(claims.contains("\"iss\":\"" + this.accessKey + "\""));
		}

	}

	/** Requests that reached the stand-in for this account, oldest first. */
	List<LoggedRequest> requests(String provider, String account) {
		List<LoggedRequest> requests;
		if (provider.equals("kling")) {
			RequestPatternBuilder pattern = getRequestedFor(urlPathEqualTo(KLING_PATH)).withHeader("Authorization",
					authorization(account));
			requests = this.server.findAll(isSigned(account) ? pattern.andMatching(new IssuedBy(accessKey(account))) : pattern);
		}
		else {
			requests = this.server.findAll(getRequestedFor(urlPathMatching(useapiPathPattern(account))));
		}
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
