package dev.klingbalances.contract;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.klingbalances.KlingBalancesApplication;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.TypeExcludeFilter;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.type.classreading.MetadataReader;
import org.springframework.core.type.classreading.MetadataReaderFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Property-based fuzzing of the whole HTTP surface through a raw socket: generated paths
 * (known and random segments, raw and percent-encoded, valid and broken escapes), query
 * strings and headers, with and without a valid key. Whatever comes in, the answer is never a
 * 5xx, never a stack trace, and never carries a key or an upstream secret; errors are
 * problem+json. Thousands of cases per run; jqwik shrinks a failure to a small example.
 */
class HttpSurfaceFuzzTest {

	static final String KLING_SECRET = "fuzz-kling-secret-4b1e8c0d7a";

	static final String USEAPI_TOKEN = "fuzz-useapi-token-9f2a6c3e1b";

	private static ConfigurableApplicationContext app;

	private static RawHttp http;

	private static final AtomicInteger requests = new AtomicInteger();

	@BeforeContainer
	static void startApp() {
		app = new SpringApplicationBuilder(KlingBalancesApplication.class, FakeProviders.class)
			.initializers((context) -> context.getBeanFactory()
				.registerSingleton("testClassesExcludeFilter", new TestClassesExcludeFilter()))
			.properties("server.port=0", "spring.main.banner-mode=off", "spring.jmx.enabled=false",
					"logging.level.dev.klingbalances.access=WARN",
					"balances.security.api-keys[0].name=fuzzer",
					"balances.security.api-keys[0].sha256=" + TestKeys.FUZZER_SHA256,
					"resilience4j.ratelimiter.instances.consumer-fuzzer.base-config=consumer",
					"resilience4j.ratelimiter.instances.consumer-fuzzer.limit-for-period=1000000",
					"balances.kling.base-url=http://127.0.0.1:9", "balances.useapi.base-url=http://127.0.0.1:9",
					"test.secrets.alpha-secret-key=" + KLING_SECRET, "test.secrets.beta-token=" + USEAPI_TOKEN)
			.run();
		http = new RawHttp(((WebServerApplicationContext) app).getWebServer().getPort());
	}

	@AfterContainer
	static void stopApp() {
		if (app != null) {
			app.close();
		}
		assertThat(requests.get()).as("requests sent by the fuzz properties").isGreaterThanOrEqualTo(3000);
	}

	@Property(tries = 1500)
	void anyPathIsAnsweredWithoutServerErrorOrLeak(@ForAll("paths") String path, @ForAll boolean withKey) {
		assertSafe(send(path, withKey ? new String[] { "X-API-Key: " + TestKeys.FUZZER } : new String[0]), path);
	}

	@Property(tries = 1500)
	void anyQueryIsAnsweredWithoutServerErrorOrLeak(@ForAll("apiPaths") String path, @ForAll("queries") String query) {
		String target = path + "?" + query;
		assertSafe(send(target, "Authorization: Bearer " + TestKeys.FUZZER), target);
	}

	@Property(tries = 1000)
	void anyHeaderIsAnsweredWithoutServerErrorOrLeak(@ForAll("apiPaths") String path,
			@ForAll("headerNames") String name, @ForAll("headerValues") String value, @ForAll boolean withKey) {
		String[] headers = withKey ? new String[] { name + ": " + value, "X-API-Key: " + TestKeys.FUZZER }
				: new String[] { name + ": " + value };
		assertSafe(send(path, headers), path + " with " + name);
	}

	private static RawHttp.Response send(String target, String... headers) {
		requests.incrementAndGet();
		return http.send("GET", target.getBytes(StandardCharsets.UTF_8), headers);
	}

	/**
	 * No 5xx, except the one the fake {@code broken} provider is built to cause: a 503 because
	 * its account list cannot be read. No secret, no stack frame.
	 */
	private static void assertSafe(RawHttp.Response response, String what) {
		String all = response.all();
		boolean brokenProvider = response.status() == 503 && response.body().contains("\"code\":\"ACCOUNT_LIST_UNAVAILABLE\"");
		if (!brokenProvider) {
			assertThat(response.status()).as(what + " answered\n" + all).isBetween(200, 499);
		}
		assertThat(all).as(what).doesNotContain(TestKeys.FUZZER, KLING_SECRET, USEAPI_TOKEN)
			.doesNotContain("Caused by:")
			.doesNotContainPattern("\\bat [a-z][\\w.$]+\\([\\w$]+\\.java:\\d+\\)");
		if (response.status() >= 400 && !response.body().isEmpty()) {
			assertThat(response.header("Content-Type")).as(what + " content type\n" + all)
				.startsWith("application/problem+json");
		}
	}

	@Provide
	Arbitrary<String> paths() {
		Arbitrary<String> known = Arbitraries.of("balances", "alpha", "beta", "broken", "team-a", "team-b", "team-c",
				"alice@example.com", "zo%C3%AB%40ex%C3%A4mple.com", "actuator", "health", "liveness", "readiness",
				"prometheus", "info", "env", "v3", "api-docs", "swagger-ui", "swagger-ui.html", "index.html", "error",
				"..", ".", "", "%2e%2e", "%2F", "%5C", "%00", "%0d%0a", "%zz", "%", "%C3%28", "%E2%80%AE", ";x=1", "*",
				"%252F", "~", "'", "\"", "<script>", "{provider}");
		Arbitrary<String> segment = Arbitraries.frequencyOf(
				net.jqwik.api.Tuple.of(3, known), net.jqwik.api.Tuple.of(2, randomSegment()));
		return segment.list().ofMaxSize(6).map((segments) -> "/" + String.join("/", segments));
	}

	@Provide
	Arbitrary<String> apiPaths() {
		return Arbitraries.of("/balances", "/balances/alpha/team-a", "/balances/alpha/team-b", "/balances/beta/"
				+ "alice@example.com", "/balances/broken/x", "/balances/nope/x", "/actuator/health", "/v3/api-docs",
				"/actuator/prometheus");
	}

	@Provide
	Arbitrary<String> queries() {
		Arbitrary<String> name = Arbitraries.frequencyOf(
				net.jqwik.api.Tuple.of(4, Arbitraries.of("provider", "refresh")),
				net.jqwik.api.Tuple.of(1, randomSegment()));
		Arbitrary<String> value = Arbitraries.frequencyOf(
				net.jqwik.api.Tuple.of(3, Arbitraries.of("alpha", "beta", "broken", "kling", "useapi", "true", "false",
						"TRUE", "1", "0", "", "yes", "%00", "%zz", "%C3%28", "%F0%9F%98%80", "a%26b", "%3D")),
				net.jqwik.api.Tuple.of(2, randomSegment()),
				net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(1, 3000).map("x"::repeat)));
		Arbitrary<String> pair = Combinators.combine(name, value, Arbitraries.of("=", "", "=="))
			.as((n, v, eq) -> n + eq + v);
		return pair.list().ofMaxSize(5).map((pairs) -> String.join("&", pairs));
	}

	@Provide
	Arbitrary<String> headerNames() {
		return Arbitraries.frequencyOf(
				net.jqwik.api.Tuple.of(4, Arbitraries.of("Authorization", "X-API-Key", "Accept", "Accept-Encoding",
						"Accept-Language", "If-None-Match", "If-Modified-Since", "Content-Type", "Content-Length",
						"Range", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "Forwarded", "Origin",
						"Cookie", "Transfer-Encoding", "Expect", "Upgrade")),
				net.jqwik.api.Tuple.of(1, Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz-_!#$%&'*+.^`|~0123456789")
					.ofMinLength(1)
					.ofMaxLength(40)));
	}

	@Provide
	Arbitrary<String> headerValues() {
		Arbitrary<String> known = Arbitraries.of("Bearer", "Bearer ", "Bearer " + "k".repeat(600), "Basic YTpi",
				"bearer wrong-key", "application/json", "text/html", "*/*", "application/problem+json",
				"application/xml;q=0.9", "\"etag\"", "*", "W/\"x\"", "bytes=0-1", "gzip, deflate, br", "100-continue",
				"chunked", "websocket", "0", "-1", "999999999999", "Mon, 32 Foo 2025", "127.0.0.1, 10.0.0.1", "https",
				"evil.example", "for=\"[::1]\";proto=http", "SESSION=abc; JSESSIONID=def");
		Arbitrary<String> random = Arbitraries.strings()
			.withCharRange((char) 0x20, (char) 0x7e)
			.withChars('\u00e9', '\u00fc', '\u202e', '\u4e2d', '\t', '\u0001', '\u007f')
			.ofMaxLength(200);
		return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(2, known), net.jqwik.api.Tuple.of(3, random));
	}

	/** Visible ASCII except '?' and '#', plus encoded unicode and control characters. */
	private static Arbitrary<String> randomSegment() {
		return Arbitraries.strings()
			.withCharRange('!', '~')
			.withChars('\u00eb', '\u4e2d', '\u202e', '\u0000', '\n', '\u007f', '\ud83d')
			.ofMaxLength(40)
			.map(HttpSurfaceFuzzTest::encodeNonVisibleAscii)
			.map((segment) -> segment.replace("?", "%3F").replace("#", "%23"));
	}

	private static String encodeNonVisibleAscii(String value) {
		StringBuilder encoded = new StringBuilder();
		for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
			int unsigned = b & 0xff;
			if (unsigned > 0x20 && unsigned < 0x7f) {
				encoded.append((char) unsigned);
			}
			else {
				encoded.append('%').append(String.format("%02X", unsigned));
			}
		}
		return encoded.toString();
	}

	/** Keeps test-only configuration (other tests' nested configurations) out of the scanned app. */
	static final class TestClassesExcludeFilter extends TypeExcludeFilter {

		@Override
		public boolean match(MetadataReader reader, MetadataReaderFactory factory) throws IOException {
			return reader.getResource().getURL().toString().contains("/test-classes/");
		}

		@Override
		public boolean equals(Object other) {
			return other instanceof TestClassesExcludeFilter;
		}

		@Override
		public int hashCode() {
			return TestClassesExcludeFilter.class.hashCode();
		}

	}

	static List<String> secrets() {
		return List.of(TestKeys.FUZZER, KLING_SECRET, USEAPI_TOKEN);
	}

}
