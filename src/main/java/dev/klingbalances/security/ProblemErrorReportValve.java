package dev.klingbalances.security;

import java.io.IOException;
import java.io.Writer;

import dev.klingbalances.web.ProblemRenderer;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;

import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;

/**
 * Tomcat's last word on requests it refuses before they reach the application (an encoded
 * slash or NUL in the path, invalid UTF-8, an oversized request line, an unknown
 * Transfer-Encoding): the same problem+json as everywhere else instead of Tomcat's HTML page.
 * Reports nothing but the status.
 */
final class ProblemErrorReportValve extends ErrorReportValve {

	@Override
	protected void report(Request request, Response response, Throwable throwable) {
		int status = response.getStatus();
		if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
			return;
		}
		if (status == 501) {
			// An unknown Transfer-Encoding: a malformed request for this GET-only API, not a server fault.
			status = 400;
			response.setStatus(status);
		}
		// No instance: the request line may be what Tomcat refused, and is never echoed.
		String body = ProblemRenderer.json(ProblemRenderer.forStatus(HttpStatusCode.valueOf(status), null));
		try {
			response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
			response.setCharacterEncoding("UTF-8");
			Writer writer = response.getReporter();
			if (writer != null) {
				writer.write(body);
				response.finishResponse();
			}
		}
		catch (IOException | IllegalStateException ex) {
			// The client is gone or the response cannot take a body: the status alone stands.
		}
	}

}
