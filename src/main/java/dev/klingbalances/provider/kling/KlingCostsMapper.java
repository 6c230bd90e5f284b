package dev.klingbalances.provider.kling;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.klingbalances.model.ErrorCode;
import dev.klingbalances.model.Grant;
import dev.klingbalances.model.GrantStatus;
import dev.klingbalances.provider.BalanceSnapshot;
import dev.klingbalances.provider.UpstreamException;
import dev.klingbalances.upstream.UpstreamFailures;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads one {@code /account/costs} answer: classifies failures by Kling's service code (outer
 * {@code code}, then {@code data.code}) or, when the body has none, by HTTP status; and maps
 * resource packs to grants.
 * <p>
 * Parsing is defensive and never invents a number. A missing or null field becomes null. A
 * quantity that is present but not a number fails the whole answer as {@code BAD_RESPONSE}, so
 * the last good balance stays visible instead of a wrong one. Descriptive fields (id, name,
 * type, status, times) of an unexpected type become null (status {@code UNKNOWN}).
 * Failure messages never echo the body.
 */
final class KlingCostsMapper {

	private static final JsonMapper JSON = JsonMapper.builder()
		.enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
		.build();

	private KlingCostsMapper() {
	}

	/**
	 * @param status HTTP status of the answer
	 * @param retryAfter the upstream's {@code Retry-After}, or null
	 * @param body the raw body, possibly empty
	 * @param windowStart start of the purchase-time window that was asked for
	 * @param products tells each pack's product from its name
	 * @return the snapshot of a successful answer
	 * @throws UpstreamException for every other answer
	 */
	static BalanceSnapshot read(int status, @Nullable Duration retryAfter, byte[] body, Instant windowStart,
			KlingProducts products) {
		boolean ok = status >= 200 && status < 300;
		JsonNode root = parseObject(body);
		Integer code = (root != null) ? integer(root.get("code")) : null;
		if (code == null) {
			if (!ok) {
				throw byStatus(status, retryAfter);
			}
			throw (body.length == 0)
					? failure(ErrorCode.UPSTREAM_UNAVAILABLE, "Kling answered with an empty body.", status, null)
					: failure(ErrorCode.BAD_RESPONSE, "Kling's answer is not the expected JSON envelope.", status,
							null);
		}
		if (code != 0) {
			throw byServiceCode(code, status, retryAfter);
		}
		JsonNode data = root.get("data");
		JsonNode innerCodeNode = (data != null && data.isObject()) ? data.get("code") : null;
		Integer innerCode = integer(innerCodeNode);
		if (innerCode != null && innerCode != 0) {
			// An outer 0 with an inner error is an error, never an empty account; its code wins over the status.
			throw byServiceCode(innerCode, status, retryAfter);
		}
		if (!ok) {
			throw byStatus(status, retryAfter);
		}
		if (data == null || !data.isObject()) {
			throw failure(ErrorCode.BAD_RESPONSE, "Kling's answer has no data object.", status, null);
		}
		if (innerCodeNode != null && !innerCodeNode.isNull() && innerCode == null) {
			throw failure(ErrorCode.BAD_RESPONSE, "Kling's data.code is not an integer.", status, null);
		}
		return snapshot(root, data, status, windowStart, products);
	}

	private static BalanceSnapshot snapshot(JsonNode root, JsonNode data, int status, Instant windowStart,
			KlingProducts products) {
		JsonNode infos = data.get("resource_pack_subscribe_infos");
		List<Grant> grants = new ArrayList<>();
		Instant lastPurchase = null;
		if (infos != null && !infos.isNull()) {
			if (!infos.isArray()) {
				throw failure(ErrorCode.BAD_RESPONSE, "Kling's resource pack list is not a list.", status, null);
			}
			for (int i = 0; i < infos.size(); i++) {
				JsonNode pack = infos.get(i);
				if (!pack.isObject()) {
					throw failure(ErrorCode.BAD_RESPONSE, "Kling's resource pack " + i + " is not an object.", status,
							null);
				}
				grants.add(grant(pack, i, status, products));
				Instant purchased = time(pack.get("purchase_time"));
				if (purchased != null && (lastPurchase == null || purchased.isAfter(lastPurchase))) {
					lastPurchase = purchased;
				}
			}
		}
		Map<String, Object> details = new LinkedHashMap<>();
		// the window filters by purchase time: say which packs an empty or short list covers
		details.put("purchasedSince", windowStart);
		if (lastPurchase != null) {
			details.put("lastPurchaseAt", lastPurchase);
		}
		String requestId = text(root.get("request_id"));
		if (requestId != null) {
			details.put("requestId", requestId);
		}
		return new BalanceSnapshot(grants, details);
	}

	private static Grant grant(JsonNode pack, int index, int status, KlingProducts products) {
		String rawStatus = text(pack.get("status"));
		String name = text(pack.get("resource_pack_name"));
		return new Grant(text(pack.get("resource_pack_id")), name, products.productOf(name),
				text(pack.get("resource_pack_type")), status(rawStatus), rawStatus,
				quantity(pack, "total_quantity", index, status), quantity(pack, "remaining_quantity", index, status),
				time(pack.get("effective_time")), time(pack.get("invalid_time")));
	}

	private static GrantStatus status(@Nullable String raw) {
		if (raw == null) {
			return GrantStatus.UNKNOWN;
		}
		return switch (raw) {
			case "online" -> GrantStatus.ACTIVE;
			case "toBeOnline" -> GrantStatus.PENDING;
			case "expired" -> GrantStatus.EXPIRED;
			case "runOut" -> GrantStatus.EXHAUSTED;
			default -> GrantStatus.UNKNOWN;
		};
	}

	/** A number, or a string holding one; null when absent; anything else fails the answer. */
	private static @Nullable BigDecimal quantity(JsonNode pack, String field, int index, int status) {
		JsonNode node = pack.get(field);
		if (node == null || node.isNull()) {
			return null;
		}
		if (node.isNumber()) {
			return node.decimalValue();
		}
		if (node.isString()) {
			try {
				return new BigDecimal(node.stringValue().strip());
			}
			catch (NumberFormatException ex) {
				// fall through to the failure below
			}
		}
		throw failure(ErrorCode.BAD_RESPONSE, "Kling's resource pack " + index + " has a " + field
				+ " that is not a number.", status, null);
	}

	/** Epoch milliseconds as a number or a string of digits; null otherwise. */
	private static @Nullable Instant time(@Nullable JsonNode node) {
		if (node == null) {
			return null;
		}
		try {
			if (node.isIntegralNumber() && node.canConvertToLong()) {
				return Instant.ofEpochMilli(node.longValue());
			}
			if (node.isString() && node.stringValue().strip().matches("\\d{1,18}")) {
				return Instant.ofEpochMilli(Long.parseLong(node.stringValue().strip()));
			}
		}
		catch (RuntimeException ex) {
			// out of Instant's range: treat as unknown
		}
		return null;
	}

	/** Strings as they are, numbers and booleans as text; null for containers and null. */
	private static @Nullable String text(@Nullable JsonNode node) {
		if (node == null || !node.isValueNode() || node.isNull()) {
			return null;
		}
		return node.isString() ? node.stringValue() : node.asString();
	}

	private static @Nullable Integer integer(@Nullable JsonNode node) {
		return (node != null && node.isIntegralNumber() && node.canConvertToInt()) ? node.intValue() : null;
	}

	private static @Nullable JsonNode parseObject(byte[] body) {
		if (body.length == 0) {
			return null;
		}
		try {
			JsonNode root = JSON.readTree(body);
			return (root != null && root.isObject()) ? root : null;
		}
		catch (JacksonException ex) {
			return null;
		}
	}

	/** Classifies a non-zero service code; an unknown one falls back to the HTTP status. */
	private static UpstreamException byServiceCode(int code, int status, @Nullable Duration retryAfter) {
		ErrorCode errorCode = serviceCode(code);
		if (errorCode == null) {
			if (status >= 200 && status < 300) {
				return failure(ErrorCode.BAD_RESPONSE, "Kling answered with unknown code " + code + ".", status,
						null);
			}
			return byStatus(status, retryAfter);
		}
		return failure(errorCode, errorCode.description() + " (Kling code " + code + ")", status, retryAfter);
	}

	private static @Nullable ErrorCode serviceCode(int code) {
		if (code >= 1000 && code <= 1004) {
			return ErrorCode.AUTHENTICATION_FAILED;
		}
		if (code >= 1200 && code <= 1203) {
			return ErrorCode.REQUEST_REJECTED;
		}
		if (code == 1300 || code == 1301) {
			// Platform and content policy: the request was refused, whatever status carried it.
			return ErrorCode.REQUEST_REJECTED;
		}
		return switch (code) {
			case 1100 -> ErrorCode.ACCOUNT_SUSPENDED;
			case 1101 -> ErrorCode.ACCOUNT_IN_ARREARS;
			case 1102 -> ErrorCode.PACKS_DEPLETED;
			case 1103 -> ErrorCode.PERMISSION_DENIED;
			case 1302, 1303 -> ErrorCode.THROTTLED;
			case 1304 -> ErrorCode.IP_NOT_ALLOWED;
			case 5000, 5001 -> ErrorCode.UPSTREAM_UNAVAILABLE;
			case 5002 -> ErrorCode.UPSTREAM_TIMEOUT;
			default -> null;
		};
	}

	private static UpstreamException byStatus(int status, @Nullable Duration retryAfter) {
		ErrorCode errorCode = UpstreamFailures.byStatus(status);
		return failure(errorCode, errorCode.description() + " (HTTP " + status + ")", status, retryAfter);
	}

	private static UpstreamException failure(ErrorCode code, String message, int status,
			@Nullable Duration retryAfter) {
		return new UpstreamException(code, message, status, retryAfter, null);
	}

}
