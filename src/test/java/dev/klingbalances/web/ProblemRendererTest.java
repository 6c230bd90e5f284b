package dev.klingbalances.web;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/** The one place problems are built and written outside Spring MVC. */
class ProblemRendererTest {

	private static final JsonMapper mapper = JsonMapper.builder().build();

	@Test
	void writesEveryMemberAsProblemJson() throws Exception {
		// Given a problem with an extra member
		ProblemDetail problem = ProblemRenderer.problem(ProblemCode.INVALID_PARAMETER, HttpStatus.BAD_REQUEST,
				"Parameter 'provider' must be one of [kling, useapi].", "/balances");
		problem.setProperty("parameter", "provider");
		MockHttpServletResponse response = new MockHttpServletResponse();

		// When it is written to a servlet response
		ProblemRenderer.write(problem, response);

		// Then the status, media type and members are those of every problem of this service
		assertThat(response.getStatus()).isEqualTo(400);
		assertThat(response.getContentType()).isEqualTo("application/problem+json;charset=UTF-8");
		assertThat(read(response.getContentAsString())).containsExactly(
				entry("type", "urn:kling-balances:problem:invalid-parameter"), entry("title", "Bad Request"),
				entry("status", 400), entry("detail", "Parameter 'provider' must be one of [kling, useapi]."),
				entry("instance", "/balances"), entry("code", "INVALID_PARAMETER"), entry("parameter", "provider"));
	}

	@Test
	void staysValidJsonWhateverTheText() {
		// Given text that breaks JSON built by hand: quotes, backslashes, control characters, unicode
		String detail = "He said \"no\" \\ to C:\\temp\n\t\u0001 and \u202e\u4e2d.";
		ProblemDetail problem = ProblemRenderer.problem(ProblemCode.NOT_FOUND, HttpStatus.NOT_FOUND, detail, null);
		problem.setTitle("A \"quoted\" \\ title");

		// When it is rendered as text (what Tomcat's error report valve writes)
		Map<String, Object> members = read(ProblemRenderer.json(problem));

		// Then it parses back to exactly what went in
		assertThat(members).containsEntry("detail", detail)
			.containsEntry("title", "A \"quoted\" \\ title")
			.containsEntry("code", "NOT_FOUND")
			.doesNotContainKey("instance");
	}

	@Test
	void repeatsOnlyShortValidPathsAsInstance() {
		assertThat(ProblemRenderer.problem(ProblemCode.NOT_FOUND, HttpStatus.NOT_FOUND, "x", "/balances/kling/a")
			.getInstance()).hasToString("/balances/kling/a");
		assertThat(ProblemRenderer.problem(ProblemCode.NOT_FOUND, HttpStatus.NOT_FOUND, "x",
				"/" + "a".repeat(ProblemRenderer.MAX_INSTANCE_LENGTH)).getInstance()).isNull();
		assertThat(ProblemRenderer.problem(ProblemCode.NOT_FOUND, HttpStatus.NOT_FOUND, "x", "/a b%zz").getInstance())
			.isNull();
	}

	@Test
	void leavesACommittedResponseAlone() throws Exception {
		MockHttpServletResponse response = new MockHttpServletResponse();
		response.setStatus(200);
		response.getWriter().write("partial answer");
		response.flushBuffer();

		ProblemRenderer.write(ProblemRenderer.problem(ProblemCode.INTERNAL_ERROR, "late"), response);

		assertThat(response.getStatus()).isEqualTo(200);
		assertThat(response.getContentAsString()).isEqualTo("partial answer");
	}

	/** Every status gets a code the OpenAPI document lists; the status itself is kept. */
	@ParameterizedTest(name = "{0} -> {1}")
	@CsvSource({ "400, INVALID_PARAMETER", "401, UNAUTHORIZED", "403, FORBIDDEN", "404, NOT_FOUND",
			"405, METHOD_NOT_ALLOWED", "406, NOT_ACCEPTABLE", "413, INVALID_PARAMETER", "414, INVALID_PARAMETER",
			"416, REQUESTED_RANGE_NOT_SATISFIABLE", "417, EXPECTATION_FAILED", "429, TOO_MANY_REQUESTS",
			"431, INVALID_PARAMETER", "499, INVALID_PARAMETER", "500, INTERNAL_ERROR", "503, INTERNAL_ERROR",
			"505, INTERNAL_ERROR" })
	void mapsABareStatusToADocumentedCode(int status, ProblemCode code) {
		ProblemDetail problem = ProblemRenderer.forStatus(HttpStatusCode.valueOf(status), "/balances");

		assertThat(problem.getStatus()).isEqualTo(status);
		assertThat(problem.getProperties()).containsEntry("code", code.name());
		assertThat(problem.getType()).isEqualTo(code.type());
		assertThat(problem.getDetail()).isNotBlank();
	}

	private static Map<String, Object> read(String json) {
		return mapper.readValue(json, new TypeReference<>() {
		});
	}

}
