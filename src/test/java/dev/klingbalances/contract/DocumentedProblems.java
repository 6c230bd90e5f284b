package dev.klingbalances.contract;

import java.net.http.HttpResponse;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every problem answer must be, checked against the codes the running app publishes in its
 * OpenAPI document ({@code Problem.code}'s enum): valid JSON, the answer's status, a published
 * code, and the type URN that belongs to it. A code clients cannot know is a broken contract.
 */
final class DocumentedProblems {

	private static final JsonMapper strict = JsonMapper.builder()
		.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
		.build();

	private final Set<String> codes;

	private DocumentedProblems(Set<String> codes) {
		this.codes = codes;
	}

	/** The codes the app at this address publishes. */
	static DocumentedProblems of(Http http) {
		HttpResponse<String> document = http.get("/v3/api-docs");
		assertThat(document.statusCode()).isEqualTo(200);
		Set<String> codes = new LinkedHashSet<>();
		strict.readTree(document.body())
			.path("components")
			.path("schemas")
			.path("Problem")
			.path("properties")
			.path("code")
			.path("enum")
			.forEach((code) -> codes.add(code.asString()));
		assertThat(codes).as("published problem codes").isNotEmpty();
		return new DocumentedProblems(codes);
	}

	/** Asserts that {@code body}, answered with {@code status}, is a documented problem, and returns it. */
	JsonNode assertProblem(int status, String body, String what) {
		JsonNode problem = strict.readTree(body);
		String code = problem.path("code").asString("");
		assertThat(problem.path("status").asInt()).as(what + ": status member\n" + body).isEqualTo(status);
		assertThat(code).as(what + ": code is one the OpenAPI document publishes\n" + body).isIn(this.codes);
		assertThat(problem.path("type").asString()).as(what + ": type\n" + body)
			.isEqualTo("urn:kling-balances:problem:" + code.toLowerCase(Locale.ROOT).replace('_', '-'));
		assertThat(problem.path("title").asString("")).as(what + ": title\n" + body).isNotBlank();
		return problem;
	}

}
