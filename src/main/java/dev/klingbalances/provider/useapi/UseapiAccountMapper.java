package dev.klingbalances.provider.useapi;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.klingbalances.model.Decimals;
import dev.klingbalances.model.ErrorCode;
import dev.klingbalances.model.Grant;
import dev.klingbalances.model.GrantStatus;
import dev.klingbalances.model.Products;
import dev.klingbalances.provider.BalanceSnapshot;
import dev.klingbalances.provider.UpstreamException;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Turns a {@code GET /v1/kling/accounts/{email}} answer into a snapshot.
 * <p>
 * The answer is read as a tree rather than bound to DTO records: every field is optional and
 * may arrive with the wrong type, and binding would reject the whole account for one odd field.
 * Here an unreadable field becomes "unknown" (null, or left out of the details) and never a
 * zero; only a missing or unreadable {@code balance} fails the account, because without it
 * there is nothing true to report.
 * <p>
 * Deliberately never read: {@code password} (masked upstream, a secret in principle) and
 * {@code session.userId} (an internal Kling identifier that adds nothing to a balance and,
 * beside the e-mail address, only widens what a balance reader learns about the person).
 */
final class UseapiAccountMapper {

	static final String NO_BALANCE = "useapi.net returned no balance for this account";

	/** Below this an epoch value is taken as seconds, from here on as milliseconds (10^11 s is year 5138). */
	private static final BigDecimal SECONDS_LIMIT = BigDecimal.valueOf(100_000_000_000L);

	/** Year 10000 in epoch milliseconds: anything later is not a date. */
	private static final BigDecimal MILLIS_LIMIT = BigDecimal.valueOf(253_402_300_800_000L);

	/** No credit figure is this large; beyond it a number is garbage (and costly to add up). */
	private static final BigDecimal QUANTITY_LIMIT = BigDecimal.valueOf(1_000_000_000_000_000L);

	private static final int QUANTITY_MAX_SCALE = 9;

	/** Numbers sent as strings are accepted only in this plain form (no exponent, bounded length). */
	private static final java.util.regex.Pattern NUMERIC_TEXT = java.util.regex.Pattern
		.compile("-?\\d{1,18}(\\.\\d{1,9})?");

	private final Clock clock;

	UseapiAccountMapper(Clock clock) {
		this.clock = clock;
	}

	/**
	 * @param account the parsed body
	 * @param httpStatus the status it came with, kept on a failure
	 * @throws UpstreamException {@link ErrorCode#BAD_RESPONSE} when the balance is missing or unreadable
	 */
	BalanceSnapshot map(JsonNode account, int httpStatus) {
		JsonNode balance = account.isObject() ? account.get("balance") : null;
		if (balance == null || !balance.isObject()) {
			throw new UpstreamException(ErrorCode.BAD_RESPONSE, NO_BALANCE, httpStatus);
		}
		JsonNode points = balance.get("points");
		// Without the points list there is no balance, only possibly a headline total: reporting
		// an empty list would show a zero that nobody measured.
		if (points == null || !points.isArray()) {
			throw new UpstreamException(ErrorCode.BAD_RESPONSE, NO_BALANCE, httpStatus);
		}
		Instant now = this.clock.instant();
		List<Grant> grants = new ArrayList<>(points.size());
		for (JsonNode point : points) {
			// An entry we cannot read at all might hold credits: dropping it would under-report.
			if (!point.isObject()) {
				throw new UpstreamException(ErrorCode.BAD_RESPONSE, NO_BALANCE, httpStatus);
			}
			grants.add(grant(point, now));
		}
		return new BalanceSnapshot(grants, details(account, balance));
	}

	private static Grant grant(JsonNode point, Instant now) {
		String type = text(point.get("type"));
		BigDecimal remaining = quantity(point.get("balance"));
		Instant startsAt = epoch(point.get("startTime"));
		Instant expiresAt = epoch(point.get("endTime"));
		return new Grant(identifier(point.get("orderId")), null, Products.CREDITS, type, status(now, remaining, startsAt, expiresAt),
				null, quantity(point.get("amount")), remaining, startsAt, expiresAt);
	}

	/**
	 * useapi.net reports no status: it follows from the time window, then from what is left.
	 * A grant whose window does not decide it and whose remaining credits are unreadable is
	 * UNKNOWN, so it is never counted as usable capacity (nor as used up).
	 */
	static GrantStatus status(Instant now, @Nullable BigDecimal remaining, @Nullable Instant startsAt,
			@Nullable Instant expiresAt) {
		if (startsAt != null && now.isBefore(startsAt)) {
			return GrantStatus.PENDING;
		}
		if (expiresAt != null && !now.isBefore(expiresAt)) {
			return GrantStatus.EXPIRED;
		}
		if (remaining == null) {
			return GrantStatus.UNKNOWN;
		}
		return (remaining.signum() <= 0) ? GrantStatus.EXHAUSTED : GrantStatus.ACTIVE;
	}

	private static Map<String, Object> details(JsonNode account, JsonNode balance) {
		Map<String, Object> details = new LinkedHashMap<>();
		putIfPresent(details, BalanceSnapshot.SESSION_EXPIRES_AT, sessionExpiry(account.get("session")));
		putIfPresent(details, BalanceSnapshot.MAX_JOBS, count(account.get("maxJobs")));
		putIfPresent(details, "nextRefillAt", epoch(balance.get("nextApplyTime")));
		putIfPresent(details, "reportedTotal", quantity(balance.get("total")));
		JsonNode tickets = balance.get("tickets");
		if (tickets != null && tickets.isArray()) {
			details.put("tickets", tickets.size());
		}
		return details;
	}

	/** {@code ExpireTimeUTC} (ISO-8601) wins; the epoch {@code ExpireTime} is the fallback. */
	private static @Nullable Instant sessionExpiry(@Nullable JsonNode session) {
		if (session == null || !session.isObject()) {
			return null;
		}
		Instant iso = isoInstant(session.get("ExpireTimeUTC"));
		return (iso != null) ? iso : epoch(session.get("ExpireTime"));
	}

	private static void putIfPresent(Map<String, Object> details, String key, @Nullable Object value) {
		if (value != null) {
			details.put(key, value);
		}
	}

	private static @Nullable String text(@Nullable JsonNode node) {
		return (node != null && node.isString()) ? node.stringValue() : null;
	}

	/** Order ids are documented as strings; an integral number is the same id. */
	private static @Nullable String identifier(@Nullable JsonNode node) {
		if (node == null) {
			return null;
		}
		if (node.isString()) {
			return node.stringValue();
		}
		if (node.isIntegralNumber()) {
			return node.bigIntegerValue().toString();
		}
		return null;
	}

	private static @Nullable Integer count(@Nullable JsonNode node) {
		BigDecimal value = number(node);
		if (value == null || value.signum() < 0) {
			return null;
		}
		try {
			return value.intValueExact();
		}
		catch (ArithmeticException ex) {
			return null;
		}
	}

	/**
	 * A credit figure, or null when it is missing or not a sensible number. Values are kept as
	 * reported (a negative balance stays negative: it is upstream's word, and it counts as
	 * exhausted).
	 */
	static @Nullable BigDecimal quantity(@Nullable JsonNode node) {
		BigDecimal value = number(node);
		if (value == null) {
			return null;
		}
		// compareTo and stripTrailingZeros stay cheap even for 1e999999999 or 1e-999999999,
		// which must not reach the aggregation's arithmetic.
		if (value.abs().compareTo(QUANTITY_LIMIT) > 0) {
			return null;
		}
		BigDecimal plain = Decimals.plain(value);
		return (plain.scale() > QUANTITY_MAX_SCALE) ? null : plain;
	}

	/**
	 * The epoch unit is undocumented: below 10^11 it is seconds, otherwise milliseconds. Zero
	 * and negative values are treated as "not set" rather than 1970, which would otherwise
	 * make a grant look expired.
	 */
	static @Nullable Instant epoch(@Nullable JsonNode node) {
		BigDecimal value = number(node);
		if (value == null || value.signum() <= 0 || value.compareTo(MILLIS_LIMIT) >= 0) {
			return null;
		}
		if (value.compareTo(SECONDS_LIMIT) < 0) {
			BigDecimal nanos = value.remainder(BigDecimal.ONE).movePointRight(9);
			return Instant.ofEpochSecond(value.longValue(), nanos.longValue());
		}
		return Instant.ofEpochMilli(value.longValue());
	}

	static @Nullable Instant isoInstant(@Nullable JsonNode node) {
		String text = text(node);
		if (text == null || text.isBlank() || text.length() > 64) {
			return null;
		}
		try {
			return OffsetDateTime.parse(text.strip()).toInstant();
		}
		catch (DateTimeException ex) {
			// The field is named UTC: a value without an offset is read as UTC.
			try {
				return LocalDateTime.parse(text.strip()).toInstant(ZoneOffset.UTC);
			}
			catch (DateTimeException notLocal) {
				return null;
			}
		}
	}

	/** A JSON number, or a string holding a plain decimal number; anything else is unreadable. */
	private static @Nullable BigDecimal number(@Nullable JsonNode node) {
		if (node == null) {
			return null;
		}
		if (node.isNumber()) {
			if (node.isIntegralNumber()) {
				return new BigDecimal(node.bigIntegerValue());
			}
			// A double that overflowed to infinity has no decimal value.
			return (node.isBigDecimal() || Double.isFinite(node.doubleValue())) ? node.decimalValue() : null;
		}
		if (node.isString()) {
			String text = node.stringValue().strip();
			return NUMERIC_TEXT.matcher(text).matches() ? new BigDecimal(text) : null;
		}
		return null;
	}

}
