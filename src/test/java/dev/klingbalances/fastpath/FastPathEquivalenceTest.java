package dev.klingbalances.fastpath;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import dev.klingbalances.KlingBalancesApplication;
import dev.klingbalances.contract.ConsumerApiTest;
import dev.klingbalances.contract.FakeProviders;
import dev.klingbalances.contract.RawHttp;
import dev.klingbalances.contract.TestKeys;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The cached read path answers exactly as the full chain does. Two instances of the
 * {@link ConsumerApiTest} application, one with {@code balances.fast-path.enabled=true} and one
 * with false, on one fixed clock (so their figures, timestamps and entity tags agree), get the
 * same table of requests in the same order; every answer must be the same: status, every header
 * (as a set; {@code Date} aside, the request id where the client sent none, and the seconds of a
 * 429's Retry-After) and the body.
 * The instance with the fast path must also have answered the plain cached reads without Spring
 * MVC (an interceptor counts what reaches it), so the comparison is between the two paths.
 */
class FastPathEquivalenceTest {

	private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

	private static ConfigurableApplicationContext fast;

	private static ConfigurableApplicationContext full;

	@BeforeAll
	static void start() {
		fast = start(true);
		full = start(false);
	}

	@AfterAll
	static void stop() {
		for (ConfigurableApplicationContext context : new ConfigurableApplicationContext[] { fast, full }) {
			if (context != null) {
				context.close();
			}
		}
	}

	private static ConfigurableApplicationContext start(boolean fastPath) {
		List<String> properties = new ArrayList<>(Arrays.asList(ConsumerApiTest.class.getAnnotation(SpringBootTest.class).properties()));
		properties.add("server.port=0");
		properties.add("balances.fast-path.enabled=" + fastPath);
		return new SpringApplicationBuilder(KlingBalancesApplication.class, FakeProviders.class, Fixtures.class)
			.properties(properties.toArray(String[]::new))
			.run();
	}

	@Test
	void answersEveryRequestOfTheTableExactlyAsTheFullChainDoes() {
		String alice = "X-API-Key: " + TestKeys.ALICE;
		// Cold: both fetch through the full chain; afterwards every account is cached.
		send("GET", "/balances", alice);
		send("GET", "/balances?provider=alpha", alice);
		send("GET", "/balances?provider=beta", alice);
		send("GET", "/balances?product=video", alice);
		send("GET", "/balances/alpha/team-a", alice);
		send("GET", "/balances/alpha/team-b", alice);
		send("GET", "/balances/beta/alice@example.com", alice);
		send("GET", "/balances", "X-API-Key: " + TestKeys.SCOPED_ALPHA);
		send("GET", "/balances/alpha/team-a", "X-API-Key: " + TestKeys.SCOPED_ALPHA);
		String etag = send("GET", "/balances", alice).header("ETag");
		String accountTag = send("GET", "/balances/alpha/team-a", alice).header("ETag");

		int before = mvcRequests(fast);
		// Plain cached reads: the fast path answers them.
		List<String[]> cached = List.of(new String[] { "GET", "/balances", alice },
				new String[] { "HEAD", "/balances", alice },
				new String[] { "GET", "/balances", "Authorization: Bearer " + TestKeys.ALICE },
				new String[] { "GET", "/balances", "authorization: bearer " + TestKeys.ALICE, "X-API-Key: " + TestKeys.ALICE },
				new String[] { "GET", "/balances", alice, "X-Request-Id: fast-path-1" },
				new String[] { "GET", "/balances", alice, "Accept: application/json" },
				new String[] { "GET", "/balances", alice, "Accept: */*" },
				new String[] { "GET", "/balances?provider=alpha", alice },
				new String[] { "GET", "/balances?product=video", alice },
				new String[] { "GET", "/balances?product=video&provider=alpha&refresh=false", alice },
				new String[] { "GET", "/balances?refresh=false", alice },
				new String[] { "GET", "/balances", alice, "If-None-Match: " + etag },
				new String[] { "HEAD", "/balances", alice, "If-None-Match: " + etag },
				new String[] { "GET", "/balances", alice, "If-None-Match: W/" + etag },
				new String[] { "GET", "/balances", alice, "If-None-Match: \"other\", " + etag },
				new String[] { "GET", "/balances", alice, "If-None-Match: *" },
				new String[] { "GET", "/balances", alice, "If-None-Match: \"other\"" },
				new String[] { "GET", "/balances", alice, "If-None-Match: " + accountTag },
				new String[] { "GET", "/balances/alpha/team-a", alice },
				new String[] { "HEAD", "/balances/alpha/team-a", alice },
				new String[] { "GET", "/balances/alpha/team-a", alice, "If-None-Match: " + accountTag },
				new String[] { "GET", "/balances/alpha/team-a?refresh=false", alice },
				new String[] { "GET", "/balances/alpha/team-b", alice },
				new String[] { "GET", "/balances", "X-API-Key: " + TestKeys.SCOPED_ALPHA },
				new String[] { "GET", "/balances", "X-API-Key: " + TestKeys.SCOPED_ALPHA, "If-None-Match: " + etag },
				new String[] { "GET", "/balances/alpha/team-a", "X-API-Key: " + TestKeys.SCOPED_ALPHA },
				// Refused keys: 401 from the key filter, on either path.
				new String[] { "GET", "/balances", "X-API-Key: kb-not-a-key-0000000000000000" },
				new String[] { "HEAD", "/balances", "X-API-Key: kb-not-a-key-0000000000000000" },
				new String[] { "GET", "/balances/alpha/team-a", "Authorization: Bearer kb-not-a-key-0000000000000000" },
				new String[] { "GET", "/balances", "X-API-Key: " + TestKeys.ALICE, "X-API-Key: " + TestKeys.ALICE },
				new String[] { "GET", "/balances", "Authorization: Bearer " + TestKeys.ALICE, "X-API-Key: " + TestKeys.BOB },
				new String[] { "GET", "/balances", "X-API-Key: two words" });
		for (String[] request : cached) {
			send(request[0], request[1], Arrays.copyOfRange(request, 2, request.length));
		}
		assertThat(mvcRequests(fast)).as("the fast path answered the cached reads without MVC").isEqualTo(before);

		// Everything else: the full chain answers, on both instances.
		List<String[]> others = List.of(new String[] { "GET", "/balances" },
				new String[] { "HEAD", "/balances" },
				new String[] { "GET", "/balances/alpha/team-a" },
				new String[] { "GET", "/balances?provider=nope", alice },
				new String[] { "GET", "/balances?product=nope", alice },
				new String[] { "GET", "/balances?refresh=maybe", alice },
				new String[] { "GET", "/balances?refresh=true", alice },
				new String[] { "GET", "/balances?provider=alpha&provider=alpha", alice },
				new String[] { "GET", "/balances?provider=", alice },
				new String[] { "GET", "/balances?api_key=x", alice },
				new String[] { "GET", "/balances?unknown=1", alice },
				new String[] { "GET", "/balances?provider=%61lpha", alice },
				new String[] { "GET", "/balances?", alice },
				new String[] { "GET", "/balances;jsessionid=1", alice },
				new String[] { "GET", "/balances/", alice },
				new String[] { "GET", "//balances", alice },
				new String[] { "GET", "/balances/alpha//team-a", alice },
				new String[] { "GET", "/balances/alpha/team-a%2Fx", alice },
				new String[] { "GET", "/balances/alpha/%2e%2e", alice },
				new String[] { "GET", "/balances/alpha/..", alice },
				new String[] { "GET", "/balances/alpha/team%2Da", alice },
				new String[] { "GET", "/balances/alpha/team-a;x=1", alice },
				new String[] { "GET", "/balances/beta/zo%C3%AB%40ex%C3%A4mple.com", alice },
				// Spring MVC adds Content-Disposition for a last segment with a "file extension".
				new String[] { "GET", "/balances/beta/alice@example.com", alice },
				new String[] { "GET", "/balances/beta/alice@example.com", alice, "If-None-Match: \"x\"" },
				new String[] { "GET", "/balances/alpha/nobody", alice },
				new String[] { "GET", "/balances/nope/x", alice },
				new String[] { "GET", "/balances/broken/x", alice },
				new String[] { "GET", "/balances/alpha/team-b", "X-API-Key: " + TestKeys.SCOPED_ALPHA },
				new String[] { "GET", "/balances/alpha/team-a/history", alice },
				new String[] { "GET", "/balances/next?product=video", alice },
				new String[] { "GET", "/balances", alice, "Accept: text/html" },
				new String[] { "GET", "/balances", alice, "Accept: text/html, application/json;q=0.5" },
				new String[] { "GET", "/balances", alice, "If-Match: \"x\"" },
				new String[] { "GET", "/balances", alice, "If-Modified-Since: Sun, 29 Nov 2026 12:00:00 GMT" },
				new String[] { "GET", "/balances", alice, "Range: bytes=0-10" },
				new String[] { "POST", "/balances", alice, "Content-Length: 0" },
				new String[] { "OPTIONS", "/balances", alice },
				new String[] { "GET", "/Balances", alice },
				new String[] { "GET", "/actuator/health" });
		for (String[] request : others) {
			send(request[0], request[1], Arrays.copyOfRange(request, 2, request.length));
		}

		// Rate-limited: the third request of the hour is refused, the same way on both.
		String throttled = "X-API-Key: " + TestKeys.THROTTLED;
		assertThat(send("GET", "/balances", throttled).status()).isEqualTo(200);
		assertThat(send("GET", "/balances/alpha/team-a", throttled).status()).isEqualTo(200);
		assertThat(send("GET", "/balances", throttled).status()).isEqualTo(429);
		assertThat(send("HEAD", "/balances/alpha/team-a", throttled).status()).isEqualTo(429);

		// The same http.server.requests series, with the same route and consumer tags.
		await().untilAsserted(() -> assertThat(requestSeries(fast)).isEqualTo(requestSeries(full)));
		assertThat(requestSeries(fast)).containsKey("GET /balances 200 alice").containsKey("GET UNKNOWN 429 throttled")
			.containsKey("GET /balances/{provider}/{account} 304 alice");
	}

	/** Sends the request to both instances, checks that the answers are the same, returns the fast one's. */
	private RawHttp.Response send(String method, String target, String... headers) {
		RawHttp.Response a = new RawHttp(port(fast)).send(method, target.getBytes(StandardCharsets.UTF_8), headers);
		RawHttp.Response b = new RawHttp(port(full)).send(method, target.getBytes(StandardCharsets.UTF_8), headers);
		boolean idSent = Arrays.stream(headers).anyMatch((header) -> header.startsWith("X-Request-Id:"));
		String request = method + " " + target + " " + Arrays.toString(headers).replace(TestKeys.ALICE, "<alice>");
		assertThat(a.status()).as(request).isEqualTo(b.status()).isPositive();
		assertThat(headers(a, idSent)).as(request).isEqualTo(headers(b, idSent));
		assertThat(retryAfter(a.body())).as(request).isEqualTo(retryAfter(b.body()));
		return a;
	}

	/** Header lines, names in lower case, sorted; without Date and (when the client sent none) the request id. */
	private static List<String> headers(RawHttp.Response response, boolean keepRequestId) {
		return Arrays.stream(response.head().split("\r\n"))
			.skip(1)
			.map((line) -> line.substring(0, line.indexOf(':')).toLowerCase(Locale.ROOT) + ":" + line.substring(line.indexOf(':') + 1).trim())
			.filter((line) -> !line.startsWith("date:"))
			.filter((line) -> keepRequestId || !line.startsWith("x-request-id:"))
			.map(FastPathEquivalenceTest::retryAfter)
			.sorted()
			.toList();
	}

	/**
	 * Without the seconds of a Retry-After: each instance's configured limiters count their
	 * periods from its own start, seconds apart.
	 */
	private static String retryAfter(String text) {
		return text.replaceFirst("^retry-after:\\d+$", "retry-after:<s>").replaceFirst("retry after \\d+ s", "retry after <s> s");
	}

	private static Map<String, Long> requestSeries(ConfigurableApplicationContext context) {
		Map<String, Long> series = new TreeMap<>();
		for (Timer timer : context.getBean(MeterRegistry.class).find("http.server.requests").timers()) {
			String key = timer.getId().getTag("method") + " " + timer.getId().getTag("uri") + " "
					+ timer.getId().getTag("status") + " " + timer.getId().getTag("consumer");
			series.merge(key, timer.count(), Long::sum);
		}
		return series;
	}

	private static int mvcRequests(ConfigurableApplicationContext context) {
		return context.getBean(Fixtures.class).mvcRequests.get();
	}

	private static int port(ConfigurableApplicationContext context) {
		return Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
	}

	/** One fixed clock for both instances, and a count of the requests that reach Spring MVC. */
	@TestConfiguration(proxyBeanMethods = false)
	static class Fixtures implements WebMvcConfigurer {

		final AtomicInteger mvcRequests = new AtomicInteger();

		@Bean
		@Primary
		Clock fixedClock() {
			return Clock.fixed(NOW, ZoneOffset.UTC);
		}

		@Override
		public void addInterceptors(InterceptorRegistry registry) {
			registry.addInterceptor(new HandlerInterceptor() {
				@Override
				public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
					Fixtures.this.mvcRequests.incrementAndGet();
					return true;
				}
			});
		}

	}

}
