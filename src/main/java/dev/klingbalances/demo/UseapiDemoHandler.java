package dev.klingbalances.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.klingbalances.demo.DemoData.UseapiAccount;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.web.util.UriUtils;

/**
 * useapi.net's Kling account endpoints: {@code GET /v1/kling/accounts} (every account, keyed by
 * email, without balance) and {@code GET /v1/kling/accounts/{email}} (one account with its
 * balance), behind {@code Authorization: Bearer <token>}.
 */
final class UseapiDemoHandler implements HttpHandler {

	private static final String ACCOUNTS_PATH = "/v1/kling/accounts";

	private static final String NOT_CONFIGURED = "Account configuration not found. To create configuration use POST /accounts.";

	private final @Nullable String token;

	private final Clock clock;

	private final DemoUsage usage;

	private final JsonMapper json;

	UseapiDemoHandler(@Nullable String token, Clock clock, DemoUsage usage, JsonMapper json) {
		this.token = (token == null || token.isBlank()) ? null : token;
		this.clock = clock;
		this.usage = usage;
		this.json = json;
	}

	@Override
	public void handle(HttpExchange exchange) throws IOException {
		String path = exchange.getRequestURI().getRawPath().substring(exchange.getHttpContext().getPath().length());
		if (!path.equals(ACCOUNTS_PATH) && !path.startsWith(ACCOUNTS_PATH + "/")) {
			DemoExchanges.sendText(exchange, 404, "Not Found");
			return;
		}
		if (!"GET".equals(exchange.getRequestMethod())) {
			DemoExchanges.sendText(exchange, 405, "Method Not Allowed");
			return;
		}
		String presented = DemoExchanges.bearerToken(exchange);
		if (presented == null || !DemoExchanges.sameSecret(presented, this.token)) {
			DemoExchanges.sendJson(exchange, 401,
					"{\"error\":\"Unauthorized\",\"code\":401}".getBytes(StandardCharsets.UTF_8));
			return;
		}
		Map<String, UseapiAccount> accounts = DemoData.useapiAccounts(this.clock.instant(), this.usage.minutes());
		if (path.equals(ACCOUNTS_PATH)) {
			Map<String, UseapiAccount> listing = new LinkedHashMap<>();
			accounts.forEach((email, account) -> listing.put(email, account.withoutBalance()));
			DemoExchanges.sendJson(exchange, 200, this.json.writeValueAsBytes(listing));
			return;
		}
		String segment = path.substring(ACCOUNTS_PATH.length() + 1);
		// The email is one URL-encoded path segment: '+' stays '+', only %XX is decoded.
		UseapiAccount account = segment.contains("/") ? null
				: accounts.get(UriUtils.decode(segment, StandardCharsets.UTF_8));
		if (account == null) {
			DemoExchanges.sendText(exchange, 404, NOT_CONFIGURED);
			return;
		}
		DemoExchanges.sendJson(exchange, 200, this.json.writeValueAsBytes(account));
	}

}
