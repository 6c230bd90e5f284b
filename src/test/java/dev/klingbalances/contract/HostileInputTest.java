package dev.klingbalances.contract;

import java.net.http.HttpResponse;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Odd and hostile paths and query values, sent by an authenticated consumer: each is answered
 * with a 4xx problem+json (never a 5xx, never an HTML page) or, where the input is legitimate
 * (a unicode e-mail), served.
 */
@ConsumerApiTest
class HostileInputTest {

	@LocalServerPort
	int port;

	@Autowired
	JsonMapper jsonMapper;

	Http http;

	DocumentedProblems problems;

	@BeforeEach
	void setUp() {
		this.http = new Http(this.port);
		this.problems = DocumentedProblems.of(this.http);
	}

	static Stream<Arguments> hostileRequests() {
		return Stream.of(
				arguments("/balances/alpha/team-a%2Fx", 400, "encoded slash"),
				arguments("/balances/alpha/..%2F..%2Factuator%2Fenv", 400, "encoded traversal"),
				arguments("/balances/%2e%2e/actuator/env", 400, "encoded dot segment"),
				arguments("/balances/alpha/team%00a", 400, "NUL"),
				arguments("/balances/alpha/team%0D%0AX-Injected:%201", 400, "CR LF"),
				arguments("/balances/alpha/team%1Ba", 400, "escape"),
				arguments("/balances/alpha/team-a;jsessionid=1", 400, "path parameter"),
				arguments("/balances//alpha/team-a", 400, "empty segment"),
				arguments("/balances/alpha/team%5Ca", 400, "encoded backslash"),
				arguments("/balances/alpha/%25", 400, "encoded percent"),
				arguments("/balances/alpha/%C3%28", 400, "invalid UTF-8"),
				arguments("/balances/alpha/" + "a".repeat(5000), 400, "path value too long"),
				arguments("/balances/" + "p".repeat(300) + "/team-a", 404, "long unknown provider"),
				arguments("/balances/" + "p".repeat(2000) + "/team-a", 400, "provider too long"),
				arguments("/balances/alpha/" + "a".repeat(20000), 400, "request line over Tomcat's limit"),
				arguments("/balances/nope/team-a", 404, "unknown provider"),
				arguments("/balances/alpha/team-z", 404, "unknown account"),
				arguments("/balances/beta/nobody%40example.com", 404, "unknown e-mail"),
				arguments("/balances/beta/%E2%80%AEmoc.elpmaxe%40ecila", 404, "bidi override"),
				arguments("/balances?provider=" + "x".repeat(5000), 400, "query value too long"),
				arguments("/balances?provider=%00", 400, "NUL in query"),
				arguments("/balances?provider=alpha%0D%0AX:1", 400, "CR LF in query"),
				arguments("/balances?provider=alpha&provider=beta", 400, "repeated provider"),
				arguments("/balances?refresh=true&refresh=false", 400, "repeated refresh"),
				arguments("/balances?refresh=maybe", 400, "non-boolean refresh"),
				arguments("/balances?refresh=%F0%9F%98%80", 400, "emoji refresh"),
				arguments("/balances/alpha/team-a?refresh=" + "1".repeat(3000), 400, "long refresh"),
				arguments("/balances?provider=%C3%28", 400, "invalid UTF-8 in query"),
				arguments("/balances?api_key=abc", 400, "key in the URL"),
				arguments("/balances/alpha/team-a?token=abc", 400, "token in the URL"),
				arguments("/balances/broken/anyone", 503, "account list unavailable"),
				arguments("/balances/next?product=video&need=1&need=2", 400, "repeated need"),
				arguments("/balances/next?product=video&product=image", 400, "repeated product"),
				arguments("/balances/next?product=video&need=0", 400, "need of 0"),
				arguments("/balances/next?product=video&need=-1", 400, "negative need"),
				arguments("/balances/next?product=video&need=twenty", 400, "need not a number"),
				arguments("/balances/next?product=video&need=" + "9".repeat(400), 400, "absurd need"),
				arguments("/balances/next?product=audio", 400, "unknown product"),
				arguments("/balances/next?product=video&provider=nope", 400, "unknown provider for next"),
				arguments("/balances/next", 400, "no product"),
				arguments("/balances/next?product=video&need=100000", 404, "no capacity"),
				arguments("/balances/next/team-a", 404, "next is no provider"),
				arguments("/balances/next/team-a/history", 404, "next is no provider's history"));
	}

	@ParameterizedTest(name = "{2}: {0} -> {1}")
	@MethodSource("hostileRequests")
	void answersHostileInputWithProblemJson(String pathAndQuery, int status, String what) {
		HttpResponse<String> response = this.http.get(pathAndQuery, "X-API-Key", TestKeys.ALICE);

		assertThat(response.statusCode()).as(what + " " + response.body()).isEqualTo(status);
		assertThat(response.headers().firstValue("Content-Type")).as(what).hasValueSatisfying(
				(type) -> assertThat(type).startsWith("application/problem+json"));
		this.problems.assertProblem(status, response.body(), what);
		assertThat(response.body()).as("echoes no long input").doesNotContain("a".repeat(300))
			.doesNotContain("x".repeat(300))
			.doesNotContain("p".repeat(1000));
	}

	@Test
	void aRepeatedParameterOfTheNextAccountIsNamed() {
		for (String parameter : new String[] { "need", "product", "provider" }) {
			HttpResponse<String> response = this.http.get(
					"/balances/next?product=video&need=1&provider=alpha&" + parameter + "=2", "X-API-Key", TestKeys.ALICE);

			assertThat(response.statusCode()).isEqualTo(400);
			assertThat(this.jsonMapper.readTree(response.body()).path("detail").asString())
				.isEqualTo("Parameter '" + parameter + "' is given more than once.");
		}
	}

	static Stream<Arguments> requestsTomcatRefuses() {
		return Stream.of(arguments("/balances/alpha/team-a%2Fx", new String[0], 400, "INVALID_PARAMETER", "Bad Request"),
				arguments("/balances", new String[] { "Expect: something-else" }, 417, "EXPECTATION_FAILED",
						"Expectation Failed"),
				// Tomcat answers an unknown Transfer-Encoding with 501; for this GET-only API it is the client's fault.
				arguments("/balances", new String[] { "Transfer-Encoding: gzip" }, 400, "INVALID_PARAMETER", "Bad Request"));
	}

	/** Tomcat's own refusals (its error report valve): the same members as every problem, and nothing of the request. */
	@ParameterizedTest(name = "{0} {1} -> {2}")
	@MethodSource("requestsTomcatRefuses")
	void answersRequestsTomcatRefusesWithTheSameProblemJson(String target, String[] headers, int status, String code,
			String reason) {
		String[] withKey = Stream.concat(Stream.of(headers), Stream.of("X-API-Key: " + TestKeys.ALICE))
			.toArray(String[]::new);
		RawHttp.Response response = new RawHttp(this.port).send("GET",
				target.getBytes(java.nio.charset.StandardCharsets.US_ASCII), withKey);

		assertThat(response.status()).as(response.all()).isEqualTo(status);
		assertThat(response.header("Content-Type")).startsWith("application/problem+json");
		JsonNode problem = this.problems.assertProblem(status, response.content(), target);
		assertThat(problem.path("code").asString()).isEqualTo(code);
		assertThat(problem.propertyNames()).containsExactly("type", "title", "status", "detail", "code");
		assertThat(problem.path("title").asString()).isEqualTo(reason);
		assertThat(problem.path("detail").asString()).isEqualTo(reason);
	}

	/**
	 * Errors the servlet container raises after routing (a method the servlet refuses, a range a
	 * static resource cannot serve) go through the error page: their instance is the request's
	 * path, not the error page's.
	 */
	@Test
	void containerErrorsNameTheRequestedPath() {
		HttpResponse<String> trace = this.http.send("TRACE", "/balances", "X-API-Key", TestKeys.ALICE);
		HttpResponse<String> range = this.http.get("/swagger-ui/index.html", "Range", "bytes=999999-1000000");

		assertThat(this.problems.assertProblem(405, trace.body(), "TRACE").path("instance").asString())
			.isEqualTo("/balances");
		JsonNode unsatisfiable = this.problems.assertProblem(416, range.body(), "Range");
		assertThat(unsatisfiable.path("code").asString()).isEqualTo("REQUESTED_RANGE_NOT_SATISFIABLE");
		assertThat(unsatisfiable.path("instance").asString()).isEqualTo("/swagger-ui/index.html");
	}

	@Test
	void servesAUnicodeEmailAccount() {
		HttpResponse<String> encoded = this.http.get("/balances/beta/zo%C3%AB%40ex%C3%A4mple.com", "X-API-Key",
				TestKeys.ALICE);
		HttpResponse<String> raw = this.http.get("/balances/beta/" + FakeProviders.UNICODE_EMAIL, "X-API-Key",
				TestKeys.ALICE);

		assertThat(encoded.statusCode()).isEqualTo(200);
		assertThat(this.jsonMapper.readTree(encoded.body()).path("account").asString())
			.isEqualTo(FakeProviders.UNICODE_EMAIL);
		assertThat(raw.statusCode()).isEqualTo(200);
	}

	@Test
	void servesAnEmailWithARawAtSign() {
		assertThat(this.http.get("/balances/beta/alice@example.com", "X-API-Key", TestKeys.ALICE).statusCode())
			.isEqualTo(200);
	}

	@Test
	void answersOtherMethodsWith405() {
		HttpResponse<String> response = this.http.send("POST", "/balances", "X-API-Key", TestKeys.ALICE);

		assertThat(response.statusCode()).isEqualTo(405);
		assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
				(type) -> assertThat(type).startsWith("application/problem+json"));
	}

	@Test
	void answersAnUnacceptableAcceptHeaderWithout5xx() {
		HttpResponse<String> response = this.http.get("/balances", "X-API-Key", TestKeys.ALICE, "Accept",
				"text/html");

		assertThat(response.statusCode()).isEqualTo(406);
	}

}
