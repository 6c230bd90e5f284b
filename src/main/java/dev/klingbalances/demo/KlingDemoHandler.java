package dev.klingbalances.demo;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.klingbalances.demo.DemoData.KlingPack;
import dev.klingbalances.demo.DemoUpstreamServer.KlingCredential;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

/**
 * Kling's {@code GET /account/costs}, authenticated the way Kling does it: the Bearer token is
 * either an account's API key, or an HS256 JWT whose {@code iss} is an access key, signed with
 * that account's secret key and inside its {@code nbf}..{@code exp} window. Answers use Kling's
 * double-wrapped envelope and its error codes.
 */
final class KlingDemoHandler implements HttpHandler {

	private static final String COSTS_PATH = "/account/costs";

	private final List<Account> accounts;

	private final Clock clock;

	private final DemoUsage usage;

	private final JsonMapper json;

	KlingDemoHandler(List<KlingCredential> credentials, Clock clock, DemoUsage usage, JsonMapper json) {
		this.accounts = new ArrayList<>(credentials.size());
		for (int index = 0; index < credentials.size(); index++) {
			this.accounts.add(Account.of(index, credentials.get(index)));
		}
		this.clock = clock;
		this.usage = usage;
		this.json = json;
	}

	@Override
	public void handle(HttpExchange exchange) throws IOException {
		KlingEnvelope answer;
		int status;
		try {
			String path = exchange.getRequestURI().getPath().substring(exchange.getHttpContext().getPath().length());
			if (!COSTS_PATH.equals(path)) {
				throw new KlingError(404, 1203, "Requested resource does not exist");
			}
			if (!"GET".equals(exchange.getRequestMethod())) {
				throw new KlingError(404, 1202, "Invalid request method");
			}
			int account = authenticate(DemoExchanges.bearerToken(exchange));
			answer = costs(account, exchange.getRequestURI().getRawQuery());
			status = 200;
		}
		catch (KlingError error) {
			answer = new KlingEnvelope(error.code, error.getMessage(), requestId(), null);
			status = error.status;
		}
		DemoExchanges.sendJson(exchange, status, this.json.writeValueAsBytes(answer));
	}

	/** @return the index of the authenticated account */
	private int authenticate(@Nullable String token) throws KlingError {
		if (token == null) {
			throw new KlingError(401, 1002, "Authorization is invalid");
		}
		if (token.isEmpty()) {
			throw new KlingError(401, 1001, "Authorization is empty");
		}
		for (Account account : this.accounts) {
			if (DemoExchanges.sameSecret(token, account.apiKey)) {
				return account.index;
			}
		}
		return verifyJwt(token);
	}

	private int verifyJwt(String token) throws KlingError {
		SignedJWT jwt;
		JWTClaimsSet claims;
		try {
			jwt = SignedJWT.parse(token);
			claims = jwt.getJWTClaimsSet();
		}
		catch (ParseException ex) {
			throw new KlingError(401, 1002, "Authorization is invalid");
		}
		if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())) {
			throw new KlingError(401, 1002, "Authorization is invalid");
		}
		Account account = findByAccessKey(claims.getIssuer());
		// Unknown issuer and wrong signature look the same from outside.
		if (account == null || !signedBy(jwt, account)) {
			throw new KlingError(401, 1000, "Authentication failed");
		}
		Date now = Date.from(this.clock.instant());
		Date expires = claims.getExpirationTime();
		if (expires == null) {
			throw new KlingError(401, 1002, "Authorization is invalid");
		}
		if (!now.before(expires)) {
			throw new KlingError(401, 1004, "Authorization has expired");
		}
		Date notBefore = claims.getNotBeforeTime();
		if (notBefore != null && now.before(notBefore)) {
			throw new KlingError(401, 1003, "Authorization is not yet valid");
		}
		return account.index;
	}

	private @Nullable Account findByAccessKey(@Nullable String issuer) {
		if (issuer == null) {
			return null;
		}
		for (Account account : this.accounts) {
			if (issuer.equals(account.accessKey) && account.verifier != null) {
				return account;
			}
		}
		return null;
	}

	private static boolean signedBy(SignedJWT jwt, Account account) {
		try {
			return jwt.verify(account.verifier);
		}
		catch (JOSEException ex) {
			return false;
		}
	}

	private KlingEnvelope costs(int account, @Nullable String rawQuery) throws KlingError {
		Map<String, String> query = parseQuery(rawQuery);
		long start = epochMillis(query.get("start_time"));
		long end = epochMillis(query.get("end_time"));
		if (end < start) {
			throw new KlingError(400, 1201, "Invalid request parameters: end_time is before start_time");
		}
		String name = query.get("resource_pack_name");
		List<KlingPack> packs = DemoData.klingPacks(account, this.clock.instant(), this.usage.minutes());
		// Kling filters by purchase time, not by validity: a short window hides live packs.
		List<KlingPack> found = (packs != null) ? packs.stream()
			.filter((pack) -> pack.purchaseTime() >= start && pack.purchaseTime() <= end)
			.filter((pack) -> name == null || name.equals(pack.name()))
			.toList() : null;
		return new KlingEnvelope(0, "SUCCEED", requestId(), new KlingCostsData(0, "success", found));
	}

	private static long epochMillis(@Nullable String value) throws KlingError {
		if (value == null || value.isBlank()) {
			throw new KlingError(400, 1201, "Invalid request parameters: start_time and end_time are required");
		}
		try {
			return Long.parseLong(value.trim());
		}
		catch (NumberFormatException ex) {
			throw new KlingError(400, 1201, "Invalid request parameters: times are Unix epoch milliseconds");
		}
	}

	private static Map<String, String> parseQuery(@Nullable String rawQuery) {
		Map<String, String> query = new HashMap<>();
		if (rawQuery == null) {
			return query;
		}
		for (String pair : rawQuery.split("&")) {
			int eq = pair.indexOf('=');
			String key = URLDecoder.decode((eq < 0) ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
			String value = (eq < 0) ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
			query.putIfAbsent(key, value);
		}
		return query;
	}

	private static String requestId() {
		return UUID.randomUUID().toString();
	}

	/** A configured account as the verifier needs it; the secret key lives only inside its verifier. */
	private record Account(int index, @Nullable String accessKey, @Nullable MACVerifier verifier,
			@Nullable String apiKey) {

		static Account of(int index, KlingCredential credential) {
			MACVerifier verifier = null;
			if (credential.accessKey() != null && credential.secretKey() != null) {
				try {
					verifier = new MACVerifier(credential.secretKey().getBytes(StandardCharsets.UTF_8));
				}
				catch (JOSEException ex) {
					throw new IllegalArgumentException("balances.kling.accounts[" + index
							+ "].secret-key is too short for HS256 (at least 32 bytes are needed)");
				}
			}
			return new Account(index, credential.accessKey(), verifier, credential.apiKey());
		}

		@Override
		public String toString() {
			return "Account[index=" + this.index + ", accessKey=" + this.accessKey + "]";
		}

	}

	/** Kling's answer: {@code data} carries its own code and, when the account has packs, the pack list. */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	record KlingEnvelope(int code, String message, @JsonProperty("request_id") String requestId,
			@Nullable KlingCostsData data) {
	}

	@JsonInclude(JsonInclude.Include.NON_NULL)
	record KlingCostsData(int code, String msg,
			@JsonProperty("resource_pack_subscribe_infos") @Nullable List<KlingPack> packs) {
	}

	/** A refusal in Kling's terms: HTTP status plus service code. */
	private static final class KlingError extends Exception {

		private final int status;

		private final int code;

		KlingError(int status, int code, String message) {
			super(message, null, false, false);
			this.status = status;
			this.code = code;
		}

	}

}
