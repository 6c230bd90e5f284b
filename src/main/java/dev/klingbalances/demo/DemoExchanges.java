package dev.klingbalances.demo;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import com.sun.net.httpserver.HttpExchange;
import org.jspecify.annotations.Nullable;

/** Small helpers shared by the two simulated upstreams. */
final class DemoExchanges {

	private static final String BEARER = "Bearer ";

	private DemoExchanges() {
	}

	/** The Bearer token, {@code ""} when the header is absent or blank, {@code null} when it is not a Bearer header. */
	static @Nullable String bearerToken(HttpExchange exchange) {
		String header = exchange.getRequestHeaders().getFirst("Authorization");
		if (header == null || header.isBlank()) {
			return "";
		}
		if (!header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
			return null;
		}
		return header.substring(BEARER.length()).trim();
	}

	/** Compares a presented credential without leaking through timing how much of it matched. */
	static boolean sameSecret(String presented, @Nullable String expected) {
		return expected != null && MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8),
				expected.getBytes(StandardCharsets.UTF_8));
	}

	static void sendJson(HttpExchange exchange, int status, byte[] body) throws IOException {
		send(exchange, status, "application/json; charset=utf-8", body);
	}

	static void sendText(HttpExchange exchange, int status, String body) throws IOException {
		send(exchange, status, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
	}

	private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
		exchange.getResponseHeaders().set("Content-Type", contentType);
		exchange.sendResponseHeaders(status, (body.length == 0) ? -1 : body.length);
		try (OutputStream out = exchange.getResponseBody()) {
			out.write(body);
		}
	}

}
