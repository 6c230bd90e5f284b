package dev.klingbalances.web;

import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;

/**
 * Builds every problem this service answers with, and writes it where Spring MVC cannot: in the
 * security filters, the error page and Tomcat's error report valve. Spring MVC's handlers return
 * the {@link ProblemDetail} and let the message converters write it; both ways give the same
 * members: {@code type}, {@code title}, {@code status}, {@code detail}, {@code instance} (when
 * known), {@code code} and the code's own extra members.
 */
public final class ProblemRenderer {

	/** Longer request paths are not repeated in {@code instance}: an answer never echoes much input. */
	static final int MAX_INSTANCE_LENGTH = 256;

	/**
	 * A problem body is strings and numbers only, so a plain mapper writes it exactly like the
	 * application's; Tomcat's valve, created outside the application context, can use it too.
	 */
	private static final JsonMapper JSON = JsonMapper.builder().build();

	private ProblemRenderer() {
	}

	/**
	 * A problem with the code's status and no {@code instance}: for Spring MVC's handlers, which
	 * add the request path themselves.
	 */
	public static ProblemDetail problem(ProblemCode code, String detail) {
		return problem(code, code.status(), detail, null);
	}

	/**
	 * @param status usually {@link ProblemCode#status()}; a status mapped with
	 * {@link ProblemCode#forStatus} keeps its own
	 * @param path the request path, for {@code instance}; null, too long or not a valid URI
	 * reference: no {@code instance}
	 */
	public static ProblemDetail problem(ProblemCode code, HttpStatusCode status, String detail, @Nullable String path) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
		problem.setInstance(instance(path));
		return typed(problem, code);
	}

	/**
	 * The problem of a bare status set by the servlet container (no more specific code, no
	 * more to say than the status's reason phrase).
	 * @param path the request path, as for {@link #problem(ProblemCode, HttpStatusCode, String, String)}
	 */
	public static ProblemDetail forStatus(HttpStatusCode status, @Nullable String path) {
		HttpStatus known = HttpStatus.resolve(status.value());
		return problem(ProblemCode.forStatus(status), status, (known != null) ? known.getReasonPhrase() : "Error", path);
	}

	/** Sets type and code on a problem Spring MVC built, keeping its status, title, detail and instance. */
	public static ProblemDetail typed(ProblemDetail problem, ProblemCode code) {
		problem.setType(code.type());
		problem.setProperty("code", code.name());
		return problem;
	}

	/**
	 * Writes the problem as {@code application/problem+json} with its status; nothing when the
	 * response is already committed (the client has its answer).
	 */
	public static void write(ProblemDetail problem, HttpServletResponse response) throws IOException {
		if (response.isCommitted()) {
			return;
		}
		response.setStatus(problem.getStatus());
		response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
		response.setCharacterEncoding("UTF-8");
		JSON.writeValue(response.getOutputStream(), members(problem));
	}

	/** The problem as JSON text, for writers that take characters (Tomcat's error report). */
	public static String json(ProblemDetail problem) {
		return JSON.writeValueAsString(members(problem));
	}

	/** The JSON members of a problem, in the order they are written; absent ones left out. */
	static Map<String, Object> members(ProblemDetail problem) {
		Map<String, Object> members = new LinkedHashMap<>();
		members.put("type", problem.getType().toString());
		putIfPresent(members, "title", problem.getTitle());
		members.put("status", problem.getStatus());
		putIfPresent(members, "detail", problem.getDetail());
		putIfPresent(members, "instance", problem.getInstance());
		if (problem.getProperties() != null) {
			members.putAll(problem.getProperties());
		}
		return members;
	}

	private static void putIfPresent(Map<String, Object> members, String name, @Nullable Object value) {
		if (value != null) {
			members.put(name, value.toString());
		}
	}

	private static @Nullable URI instance(@Nullable String path) {
		if (path == null || path.length() > MAX_INSTANCE_LENGTH) {
			return null;
		}
		try {
			return URI.create(path);
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

}
