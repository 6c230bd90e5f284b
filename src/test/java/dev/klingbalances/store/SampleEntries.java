package dev.klingbalances.store;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.klingbalances.cache.CachedValue;
import dev.klingbalances.model.AccountError;
import dev.klingbalances.model.ErrorCode;
import dev.klingbalances.model.Grant;
import dev.klingbalances.model.GrantStatus;
import dev.klingbalances.provider.BalanceSnapshot;

/** Shared entries with every kind of field a snapshot has, to read back through Redis. */
final class SampleEntries {

	private SampleEntries() {
	}

	/**
	 * A useapi.net snapshot served stale after a 429: grants with and without figures, an
	 * unknown status, details of every type (an instant, whole numbers, a decimal with a trailing
	 * zero), an error with a Retry-After.
	 */
	static CachedValue<BalanceSnapshot> snapshot() {
		Instant at = Instant.parse("2026-11-21T11:58:02.123Z");
		Map<String, Object> details = new LinkedHashMap<>();
		details.put(BalanceSnapshot.SESSION_EXPIRES_AT, Instant.parse("2026-12-01T00:00:00Z"));
		details.put("maxJobs", 3);
		details.put("reportedTotal", new BigDecimal("1000.50"));
		details.put("tickets", 0);
		BalanceSnapshot snapshot = new BalanceSnapshot(List.of(
				new Grant("509f3fd3d4ab4a3f9eec5db27aa44f27", "Video Generation - 10,000 entries", "video", "decreasing_total",
						GrantStatus.ACTIVE, "online", new BigDecimal("200.0"), new BigDecimal("118.0"),
						Instant.parse("2026-09-12T07:04:24Z"), Instant.parse("2026-12-26T16:00:00Z")),
				// A Chinese pack name and a product: both must come back from Redis byte for byte.
				new Grant("c41d9a0e77b54f0c9d5b1c2a3e4f5a6b", "图片生成-500条", "image", "decreasing_total",
						GrantStatus.ACTIVE, "online", new BigDecimal("500"), new BigDecimal("40.5"), null, null),
				new Grant(null, null, "other", null, GrantStatus.UNKNOWN, "mystery", null, null, null, null)), details);
		AccountError error = new AccountError(ErrorCode.THROTTLED, "Kling answered 429.", 429, at.plusSeconds(60));
		return new CachedValue<>(snapshot, at, error, at.plusSeconds(60), at.plusSeconds(90));
	}

}
